// The word list behind the sentiment analyzer: pattern's en-sentiment.xml,
// reduced at load time to exactly the table TextBlob's PatternAnalyzer looks
// words up in (per-form averages plus the derived "-ly" adverbs), so that
// scoring a tweet costs one hash look-up per word.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace birdgate::sentiment
{

class Lexicon
{
  public:
    struct Entry
    {
        double polarity;
        double subjectivity;
        double intensity;
        bool canModify; ///< The form has an RB (adverb) entry: it may modify the next word.
    };

    explicit Lexicon(const std::string& xmlPath);
    /// Loads and averages the lexicon. Throws Poco::FileNotFoundException
    /// when the file cannot be opened, Poco::XML::SAXParseException on
    /// malformed XML and Poco::DataFormatException on a non-numeric score.

    const Entry* find(std::u32string_view form) const;
    /// The pos-less entry of form, or nullptr when the word is unknown.

    std::size_t size() const;

  private:
    struct Hash
    {
        using is_transparent = void;
        std::size_t operator()(std::u32string_view s) const noexcept { return std::hash<std::u32string_view>{}(s); }
    };

    std::unordered_map<std::u32string, Entry, Hash, std::equal_to<>> _entries;
};

} // namespace birdgate::sentiment
