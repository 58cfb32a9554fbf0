// UTF-8 decoding and the few Unicode character properties the TextBlob port
// needs. ASCII takes a fast path everywhere because tweets are mostly ASCII;
// everything else goes to Poco::Unicode (PCRE's Unicode tables).
#include "CodePoints.h"

#include <Poco/Unicode.h>

namespace birdgate::sentiment
{

void CodePoints::decodeUtf8(std::string_view utf8, std::u32string& out)
{
    const auto* s = reinterpret_cast<const unsigned char*>(utf8.data());
    const std::size_t n = utf8.size();
    std::size_t i = 0;
    while (i < n)
    {
        const unsigned char b0 = s[i];
        if (b0 < 0x80)
        {
            out.push_back(b0);
            ++i;
            continue;
        }
        // Expected length and the allowed range of the second byte, per the
        // well-formed table of Unicode 3.9 (rejects overlongs and surrogates).
        std::size_t length = 0;
        unsigned char lo = 0x80, hi = 0xBF;
        char32_t cp = 0;
        if (b0 >= 0xC2 && b0 <= 0xDF)
        {
            length = 2;
            cp = b0 & 0x1F;
        }
        else if (b0 == 0xE0)
        {
            length = 3;
            lo = 0xA0;
            cp = b0 & 0x0F;
        }
        else if (b0 >= 0xE1 && b0 <= 0xEC)
        {
            length = 3;
            cp = b0 & 0x0F;
        }
        else if (b0 == 0xED)
        {
            length = 3;
            hi = 0x9F;
            cp = b0 & 0x0F;
        }
        else if (b0 >= 0xEE && b0 <= 0xEF)
        {
            length = 3;
            cp = b0 & 0x0F;
        }
        else if (b0 == 0xF0)
        {
            length = 4;
            lo = 0x90;
            cp = b0 & 0x07;
        }
        else if (b0 >= 0xF1 && b0 <= 0xF3)
        {
            length = 4;
            cp = b0 & 0x07;
        }
        else if (b0 == 0xF4)
        {
            length = 4;
            hi = 0x8F;
            cp = b0 & 0x07;
        }
        if (length == 0)
        {
            out.push_back(replacement);
            ++i;
            continue;
        }
        std::size_t j = 1;
        for (; j < length; ++j)
        {
            if (i + j >= n) break;
            const unsigned char b = s[i + j];
            const unsigned char min = j == 1 ? lo : 0x80;
            const unsigned char max = j == 1 ? hi : 0xBF;
            if (b < min || b > max) break;
            cp = (cp << 6) | (b & 0x3F);
        }
        if (j == length)
        {
            out.push_back(cp);
            i += length;
        }
        else
        {
            // The maximal valid prefix is replaced by one U+FFFD; decoding
            // resumes at the byte that broke the sequence.
            out.push_back(replacement);
            i += j;
        }
    }
}

std::string CodePoints::toUtf8(std::u32string_view text)
{
    std::string out;
    out.reserve(text.size());
    for (char32_t ch : text)
    {
        if ((ch >= 0xD800 && ch <= 0xDFFF) || ch > 0x10FFFF) ch = replacement;
        if (ch < 0x80)
        {
            out.push_back(static_cast<char>(ch));
        }
        else if (ch < 0x800)
        {
            out.push_back(static_cast<char>(0xC0 | (ch >> 6)));
            out.push_back(static_cast<char>(0x80 | (ch & 0x3F)));
        }
        else if (ch < 0x10000)
        {
            out.push_back(static_cast<char>(0xE0 | (ch >> 12)));
            out.push_back(static_cast<char>(0x80 | ((ch >> 6) & 0x3F)));
            out.push_back(static_cast<char>(0x80 | (ch & 0x3F)));
        }
        else
        {
            out.push_back(static_cast<char>(0xF0 | (ch >> 18)));
            out.push_back(static_cast<char>(0x80 | ((ch >> 12) & 0x3F)));
            out.push_back(static_cast<char>(0x80 | ((ch >> 6) & 0x3F)));
            out.push_back(static_cast<char>(0x80 | (ch & 0x3F)));
        }
    }
    return out;
}

bool CodePoints::isSpace(char32_t ch)
{
    // Python's Py_UNICODE_ISSPACE: bidi classes WS, B, S plus category Zs.
    if (ch < 0x80) return ch == ' ' || (ch >= 0x09 && ch <= 0x0D) || (ch >= 0x1C && ch <= 0x1F);
    switch (ch)
    {
    case 0x85:
    case 0xA0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202F:
    case 0x205F:
    case 0x3000:
        return true;
    default:
        return ch >= 0x2000 && ch <= 0x200A;
    }
}

bool CodePoints::isAlpha(char32_t ch)
{
    if (ch < 0x80) return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
    if (ch > 0x10FFFF) return false;
    return Poco::Unicode::isAlpha(static_cast<int>(ch));
}

void CodePoints::appendLower(char32_t ch, std::u32string& out)
{
    if (ch < 0x80)
    {
        out.push_back(ch >= 'A' && ch <= 'Z' ? ch + 32 : ch);
    }
    else if (ch == 0x130)
    {
        // The one unconditional multi-character lowercase mapping
        // (SpecialCasing.txt); it changes the word's length, which scoring reads.
        out.push_back(U'i');
        out.push_back(0x307);
    }
    else if (ch > 0x10FFFF)
    {
        out.push_back(ch);
    }
    else
    {
        out.push_back(static_cast<char32_t>(Poco::Unicode::toLower(static_cast<int>(ch))));
    }
}

} // namespace birdgate::sentiment
