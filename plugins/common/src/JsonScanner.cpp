// JsonScanner: a recursive-descent walk bounded by MAX_JSON_DEPTH; see
// JsonScanner.h. Every failure names the byte the cursor stopped at.
#include "JsonScanner.h"

namespace birdgate::plugins
{

namespace
{

void appendUtf8(std::string& out, unsigned cp)
{
    if (cp < 0x80)
        out.push_back(static_cast<char>(cp));
    else if (cp < 0x800)
    {
        out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
    else if (cp < 0x10000)
    {
        out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
    else
    {
        out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
}

} // namespace

void JsonScanner::skipSpace()
{
    while (_pos < _text.size())
    {
        const char c = _text[_pos];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
        ++_pos;
    }
}

char JsonScanner::peek()
{
    skipSpace();
    if (_pos >= _text.size()) fail("unexpected end of input");
    return _text[_pos];
}

void JsonScanner::expect(char c)
{
    if (peek() != c) fail(std::string("expected '") + c + "'");
    ++_pos;
}

bool JsonScanner::separator(char close)
{
    const char next = peek();
    if (next != close && next != ',') fail(std::string("expected ',' or '") + close + "'");
    ++_pos;
    return next == ',';
}

void JsonScanner::checkDepth(int depth) const
{
    if (depth >= MAX_JSON_DEPTH) fail("nested deeper than " + std::to_string(MAX_JSON_DEPTH) + " levels");
}

void JsonScanner::skipValue(int depth)
{
    const char c = peek();
    if (c == '{' || c == '[')
    {
        checkDepth(depth);
        const char close = c == '{' ? '}' : ']';
        ++_pos;
        if (peek() == close)
        {
            ++_pos;
            return;
        }
        do
        {
            if (c == '{')
            {
                if (peek() != '"') fail("expected a string key");
                readString(nullptr);
                expect(':');
            }
            skipValue(depth + 1);
        } while (separator(close));
    }
    else if (c == '"')
        readString(nullptr);
    else if (c == '-' || (c >= '0' && c <= '9'))
        skipNumber();
    else if (c == 't')
        literal("true");
    else if (c == 'f')
        literal("false");
    else if (c == 'n')
        literal("null");
    else
        fail("unexpected character");
}

void JsonScanner::readString(std::string* decoded)
{
    ++_pos; // the opening quote
    for (;;)
    {
        const std::size_t runStart = _pos;
        while (_pos < _text.size())
        {
            const unsigned char c = static_cast<unsigned char>(_text[_pos]);
            if (c == '"' || c == '\\' || c < 0x20) break;
            ++_pos;
        }
        if (decoded) decoded->append(_text.data() + runStart, _pos - runStart);
        if (_pos >= _text.size()) fail("unterminated string");
        const char c = _text[_pos];
        if (c == '"')
        {
            ++_pos;
            return;
        }
        if (c != '\\') fail("control character in a string");
        ++_pos;
        if (_pos >= _text.size()) fail("unterminated string");
        const char e = _text[_pos++];
        char plain = 0;
        switch (e)
        {
        case '"':
            plain = '"';
            break;
        case '\\':
            plain = '\\';
            break;
        case '/':
            plain = '/';
            break;
        case 'b':
            plain = '\b';
            break;
        case 'f':
            plain = '\f';
            break;
        case 'n':
            plain = '\n';
            break;
        case 'r':
            plain = '\r';
            break;
        case 't':
            plain = '\t';
            break;
        case 'u':
            readEscapedCodePoint(decoded);
            continue;
        default:
            --_pos;
            fail("invalid escape in a string");
        }
        if (decoded) decoded->push_back(plain);
    }
}

void JsonScanner::fail(const std::string& what) const
{
    throw JsonError("invalid JSON at byte " + std::to_string(_pos) + ": " + what);
}

unsigned JsonScanner::hex4()
{
    if (_text.size() - _pos < 4) fail("truncated \\u escape");
    unsigned value = 0;
    for (int i = 0; i < 4; ++i)
    {
        const char h = _text[_pos];
        value <<= 4;
        if (h >= '0' && h <= '9')
            value |= static_cast<unsigned>(h - '0');
        else if (h >= 'a' && h <= 'f')
            value |= static_cast<unsigned>(h - 'a' + 10);
        else if (h >= 'A' && h <= 'F')
            value |= static_cast<unsigned>(h - 'A' + 10);
        else
            fail("invalid \\u escape");
        ++_pos;
    }
    return value;
}

// \uXXXX, joining a surrogate pair; a lone surrogate reads as U+FFFD (as the
// sentiment analyzer treats bad UTF-8).
void JsonScanner::readEscapedCodePoint(std::string* decoded)
{
    unsigned cp = hex4();
    if (cp >= 0xD800 && cp <= 0xDBFF)
    {
        if (_text.size() - _pos >= 6 && _text[_pos] == '\\' && _text[_pos + 1] == 'u')
        {
            const std::size_t save = _pos;
            _pos += 2;
            const unsigned low = hex4();
            if (low >= 0xDC00 && low <= 0xDFFF)
                cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
            else
            {
                _pos = save; // not a pair: the next escape stands alone
                cp = 0xFFFD;
            }
        }
        else
            cp = 0xFFFD;
    }
    else if (cp >= 0xDC00 && cp <= 0xDFFF)
        cp = 0xFFFD;
    if (decoded) appendUtf8(*decoded, cp);
}

void JsonScanner::skipNumber()
{
    if (_text[_pos] == '-') ++_pos;
    if (!digit()) fail("invalid number");
    if (_text[_pos] == '0')
        ++_pos;
    else
        while (digit()) ++_pos;
    if (_pos < _text.size() && _text[_pos] == '.')
    {
        ++_pos;
        if (!digit()) fail("invalid number");
        while (digit()) ++_pos;
    }
    if (_pos < _text.size() && (_text[_pos] == 'e' || _text[_pos] == 'E'))
    {
        ++_pos;
        if (_pos < _text.size() && (_text[_pos] == '+' || _text[_pos] == '-')) ++_pos;
        if (!digit()) fail("invalid number");
        while (digit()) ++_pos;
    }
}

void JsonScanner::literal(std::string_view word)
{
    if (_text.substr(_pos, word.size()) != word) fail("unexpected character");
    _pos += word.size();
}

} // namespace birdgate::plugins
