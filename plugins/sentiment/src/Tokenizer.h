// A port of pattern's find_tokens() as TextBlob's sentiment scorer uses it:
// the text is split into words exactly as " ".join(find_tokens(text)).split()
// would, quirks included ("isn't" becomes "is n ' t", "( ! )" becomes "(!)",
// ": )" becomes ":)"), because the scores depend on every one of them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace birdgate::sentiment
{

class Tokenizer
{
  public:
    struct Span
    {
        std::uint32_t offset;
        std::uint32_t length;
    };

    struct Words
    /// The words of a text: spans into one buffer, so tokenizing a tweet
    /// allocates a handful of buffers instead of one string per word.
    {
        std::u32string text;
        std::vector<Span> spans;

        std::size_t size() const { return spans.size(); }
        std::u32string_view operator[](std::size_t i) const
        {
            return std::u32string_view(text).substr(spans[i].offset, spans[i].length);
        }
        void clear()
        {
            text.clear();
            spans.clear();
        }
    };

    static void split(std::u32string_view text, Words& words);
    /// Replaces the content of words with the words of text (not lowercased).

    static constexpr std::u32string_view endOfSentence = U"END-OF-SENTENCE";
};

} // namespace birdgate::sentiment
