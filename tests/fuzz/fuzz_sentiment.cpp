// Fuzzes the sentiment analyzer behind `sentiment.add_sentiment`: the text of
// every tweet that passes through the transform (UTF-8 from anyone, or not
// UTF-8 at all). The lexicon is the one the plugin ships,
// plugins/sentiment/data/en-sentiment.xml (BIRDGATE_SENTIMENT_LEXICON), loaded
// once.
//
// Properties: any bytes give a result; polarity is a number in [-1, 1] and
// subjectivity in [0, 1] (never NaN); the same text scores the same twice.
#include "FuzzCheck.h"

#include "SentimentAnalyzer.h"

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>

using birdgate::sentiment::SentimentAnalyzer;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    static const SentimentAnalyzer analyzer(BIRDGATE_SENTIMENT_LEXICON);
    const std::string_view text = birdgate::fuzz::bytes(data, size);
    const auto result = analyzer.analyze(text);
    const std::string shown = birdgate::fuzz::printable(text) + " -> polarity " + std::to_string(result.polarity) +
                              ", subjectivity " + std::to_string(result.subjectivity);
    FUZZ_CHECK(!std::isnan(result.polarity) && result.polarity >= -1.0 && result.polarity <= 1.0, shown);
    FUZZ_CHECK(!std::isnan(result.subjectivity) && result.subjectivity >= 0.0 && result.subjectivity <= 1.0, shown);
    const auto again = analyzer.analyze(text);
    FUZZ_CHECK(again.polarity == result.polarity && again.subjectivity == result.subjectivity, "not stable: " + shown);
    return 0;
}
