// Scoring, a port of pattern's Sentiment.assessments() and __call__(): walk
// the lowercased words, keep the last modifier ("very") and a pending
// negation ("not"), collect one assessment per sentiment word, emoticon or
// "(!)", and average them. Every branch mirrors the Python, including the odd
// ones, because users compare our numbers with TextBlob's.
#include "SentimentAnalyzer.h"

#include "CodePoints.h"
#include "Emoticons.h"
#include "Tokenizer.h"

#include <algorithm>

namespace birdgate::sentiment
{
namespace
{

// pattern's PUNCTUATION as a string: words that are one of its substrings are
// not looked up as emoticons.
constexpr std::u32string_view punctuationString = U".,;:!?()[]{}`''\"@#$^&*+-|=~_";

struct Assessment
{
    double polarity;
    double subjectivity;
    double intensity;
    bool negated;
};

double clamp(double x)
{
    return std::max(-1.0, std::min(x, 1.0));
}

bool isNegation(std::u32string_view w)
{
    return w == U"no" || w == U"not" || w == U"n't" || w == U"never";
}

bool isAlphaWord(std::u32string_view w)
{
    if (w.empty()) return false;
    return std::all_of(w.begin(), w.end(), [](char32_t ch) { return CodePoints::isAlpha(ch); });
}

std::size_t strippedLength(std::u32string_view w)
{
    const std::size_t first = w.find_first_not_of(U'\'');
    if (first == std::u32string_view::npos) return 0;
    return w.find_last_not_of(U'\'') - first + 1;
}

bool endsWithLy(std::u32string_view w)
{
    return w.size() >= 2 && w.substr(w.size() - 2) == U"ly";
}

} // namespace

SentimentAnalyzer::SentimentAnalyzer(const std::string& lexiconXmlPath) : _lexicon(lexiconXmlPath)
{
    _emoticons.reserve(emoticons.size());
    for (const Emoticon& e : emoticons)
    {
        LowerEmoticon lower{{}, e.polarity};
        for (char32_t ch : e.text) CodePoints::appendLower(ch, lower.text);
        _emoticons.push_back(std::move(lower));
    }
}

SentimentAnalyzer::Result SentimentAnalyzer::analyze(std::string_view utf8Text) const
{
    std::u32string text;
    text.reserve(utf8Text.size());
    CodePoints::decodeUtf8(utf8Text, text);
    Tokenizer::Words words;
    Tokenizer::split(text, words);

    std::vector<Assessment> a;
    std::u32string w; // the current word, lowercased
    bool hasModifier = false;
    bool modifierEndsLy = false; // pattern's modifier() test on the modifier word
    bool hasNegation = false;
    for (std::size_t k = 0; k < words.size(); ++k)
    {
        w.clear();
        for (char32_t ch : words[k]) CodePoints::appendLower(ch, w);

        if (const Lexicon::Entry* e = _lexicon.find(w))
        {
            if (!hasModifier)
            {
                a.push_back({e->polarity, e->subjectivity, e->intensity, false});
            }
            else
            {
                // "very good": the modifier's intensity scales this word's scores.
                Assessment& last = a.back();
                last.polarity = clamp(e->polarity * last.intensity);
                last.subjectivity = clamp(e->subjectivity * last.intensity);
                last.intensity = e->intensity;
            }
            if (hasNegation)
            {
                // TextBlob divides unguarded (the shipped lexicon has no zero
                // intensity); pattern's `or 1` keeps a custom lexicon from dividing by 0.
                Assessment& last = a.back();
                last.intensity = 1.0 / (last.intensity != 0.0 ? last.intensity : 1.0);
                last.negated = true;
            }
            hasModifier = e->canModify;
            modifierEndsLy = endsWithLy(w);
            hasNegation = isNegation(w);
            continue;
        }

        if (isNegation(w))
            hasNegation = true;
        else if (hasNegation && strippedLength(w) > 1)
            hasNegation = false; // a negation survives only one-letter words ("not a good")
        if (hasNegation && hasModifier && modifierEndsLy)
        {
            a.back().negated = true; // "really not good"
            hasNegation = false;
        }
        else if (hasModifier && w.size() > 2)
        {
            hasModifier = false; // a modifier survives short words ("really is a good")
        }
        if (w == U"!" && !a.empty()) a.back().polarity = clamp(a.back().polarity * 1.25);
        if (w == U"(!)") a.push_back({0.0, 1.0, 1.0, false}); // irony
        if (w.size() <= 5 && !isAlphaWord(w) && punctuationString.find(w) == std::u32string_view::npos)
        {
            for (const LowerEmoticon& e : _emoticons)
            {
                if (e.text == w)
                {
                    a.push_back({e.polarity, 1.0, 1.0, false});
                    break;
                }
            }
        }
    }

    if (a.empty()) return {0.0, 0.0};
    // Python's sum() order; "not good" is slightly bad, "not bad" slightly good.
    double polarity = 0.0;
    double subjectivity = 0.0;
    for (const Assessment& x : a)
    {
        polarity += x.negated ? x.polarity * -0.5 : x.polarity;
        subjectivity += x.subjectivity;
    }
    const auto n = static_cast<double>(a.size());
    return {polarity / n, subjectivity / n};
}

const Lexicon& SentimentAnalyzer::lexicon() const
{
    return _lexicon;
}

} // namespace birdgate::sentiment
