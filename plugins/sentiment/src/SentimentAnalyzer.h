// Tweet sentiment the way Gramex users know it: TextBlob(text).sentiment, i.e.
// TextBlob's default PatternAnalyzer, reproduced in C++ (same tokenizer quirks,
// same lexicon, same modifier/negation/emoticon rules, same float arithmetic)
// so scores agree with TextBlob to 1e-9. See /work/shared/data/SENTIMENT.md.
#pragma once

#include "Lexicon.h"

#include <string>
#include <string_view>
#include <vector>

namespace birdgate::sentiment
{

class SentimentAnalyzer
/// Immutable after construction; analyze() may be called from any number
/// of threads at once.
{
  public:
    struct Result
    {
        double polarity;     ///< -1.0 (negative) .. +1.0 (positive)
        double subjectivity; ///< 0.0 (objective) .. 1.0 (subjective)
    };

    explicit SentimentAnalyzer(const std::string& lexiconXmlPath);
    /// Loads pattern's en-sentiment.xml; throws as Lexicon does.

    Result analyze(std::string_view utf8Text) const;
    /// Scores a UTF-8 text. Invalid UTF-8 is read as U+FFFD, so any byte
    /// string gives a result; a text without sentiment words gives {0, 0}.

    const Lexicon& lexicon() const;

  private:
    struct LowerEmoticon
    {
        std::u32string text;
        double polarity;
    };

    Lexicon _lexicon;
    std::vector<LowerEmoticon> _emoticons; ///< pattern compares lowercased emoticons.
};

} // namespace birdgate::sentiment
