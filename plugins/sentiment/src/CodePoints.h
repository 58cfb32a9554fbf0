// Code-point helpers for the sentiment analyzer. TextBlob works on Python
// `str` objects, so its tokenizer and scorer see code points, not bytes: the
// analyzer decodes UTF-8 once into a std::u32string and uses these helpers to
// answer the questions Python answers (str.isspace, str.isalpha, str.lower).
#pragma once

#include <string>
#include <string_view>

namespace birdgate::sentiment
{

class CodePoints
{
  public:
    static constexpr char32_t replacement = 0xFFFD;

    static void decodeUtf8(std::string_view utf8, std::u32string& out);
    /// Appends the code points of utf8 to out. Ill-formed sequences become
    /// U+FFFD, one per maximal invalid subpart (what Python's
    /// bytes.decode("utf-8", "replace") does), so garbage never throws.

    static std::string toUtf8(std::u32string_view text);
    /// Encodes text (surrogates and out-of-range values become U+FFFD).

    static bool isSpace(char32_t ch);
    /// True for the characters Python's str.isspace() and re's \s accept.

    static bool isAlpha(char32_t ch);
    /// True for Unicode letters (Lu, Ll, Lt, Lm, Lo), as in str.isalpha().

    static void appendLower(char32_t ch, std::u32string& out);
    /// Appends the lowercase form of ch; like str.lower(), U+0130 becomes
    /// two code points ("i" + combining dot above).
};

} // namespace birdgate::sentiment
