// Loading en-sentiment.xml the way pattern's Sentiment.load() and TextBlob's
// en.Sentiment.load() do: average the senses of each (form, pos), average the
// pos entries into the pos-less entry, then derive "-ly" adverbs from the
// adjectives. Sums run in file order, like Python's sum(), so the averages
// are bit-for-bit the ones TextBlob computes.
#include "Lexicon.h"

#include "CodePoints.h"

#include <Poco/Exception.h>
#include <Poco/SAX/Attributes.h>
#include <Poco/SAX/DefaultHandler.h>
#include <Poco/SAX/InputSource.h>
#include <Poco/SAX/SAXParser.h>

#include <array>
#include <charconv>
#include <fstream>
#include <optional>
#include <utility>
#include <vector>

namespace birdgate::sentiment
{
namespace
{

using Triple = std::array<double, 3>; // polarity, subjectivity, intensity

// A pos key of pattern's per-form dict: a missing attribute (None) differs
// from pos="" (the file has six of those).
using PosKey = std::optional<std::string>;

struct FormSenses
{
    std::vector<std::pair<PosKey, std::vector<Triple>>> byPos; // first-appearance order
};

struct RawLexicon
{
    std::vector<std::string> order; // forms in first-appearance order
    std::unordered_map<std::string, FormSenses> forms;
};

double parseScore(const std::string& text, const std::string& form)
{
    // Python's float(): surrounding blanks and a leading '+' are accepted.
    std::size_t begin = text.find_first_not_of(" \t\n\r\f\v");
    std::size_t end = text.find_last_not_of(" \t\n\r\f\v");
    if (begin == std::string::npos) throw Poco::DataFormatException("sentiment lexicon: empty score for", form);
    if (text[begin] == '+') ++begin;
    double value = 0.0;
    const char* first = text.data() + begin;
    const char* last = text.data() + end + 1;
    auto [ptr, ec] = std::from_chars(first, last, value);
    if (ec != std::errc() || ptr != last)
        throw Poco::DataFormatException("sentiment lexicon: bad score \"" + text + "\" for", form);
    return value;
}

class WordHandler : public Poco::XML::DefaultHandler
{
  public:
    explicit WordHandler(RawLexicon& lexicon) : _lexicon(lexicon) {}

    void startElement(const Poco::XML::XMLString&, const Poco::XML::XMLString& localName,
                      const Poco::XML::XMLString& qname, const Poco::XML::Attributes& attributes) override
    {
        ++_depth;
        // ElementTree's root.findall("word"): direct children of the root only.
        const std::string& name = localName.empty() ? qname : localName;
        if (_depth != 2 || name != "word") return;
        const std::string form = attributes.getValue("form");
        if (form.empty()) return;
        PosKey pos;
        if (attributes.getIndex("pos") >= 0) pos = attributes.getValue("pos");
        const Triple psi = {score(attributes, "polarity", 0.0, form), score(attributes, "subjectivity", 0.0, form),
                            score(attributes, "intensity", 1.0, form)};
        auto [it, inserted] = _lexicon.forms.try_emplace(form);
        if (inserted) _lexicon.order.push_back(form);
        auto& byPos = it->second.byPos;
        auto slot = byPos.begin();
        while (slot != byPos.end() && slot->first != pos) ++slot;
        if (slot == byPos.end())
        {
            byPos.emplace_back(pos, std::vector<Triple>());
            slot = byPos.end() - 1;
        }
        slot->second.push_back(psi);
    }

    void endElement(const Poco::XML::XMLString&, const Poco::XML::XMLString&, const Poco::XML::XMLString&) override
    {
        --_depth;
    }

  private:
    static double score(const Poco::XML::Attributes& attributes, const char* name, double fallback,
                        const std::string& form)
    {
        if (attributes.getIndex(name) < 0) return fallback;
        return parseScore(attributes.getValue(name), form);
    }

    RawLexicon& _lexicon;
    int _depth = 0;
};

// pattern's avg(): sum() from left to right, divided by the count.
Triple average(const std::vector<Triple>& triples)
{
    Triple sum = {0.0, 0.0, 0.0};
    for (const Triple& t : triples)
        for (std::size_t k = 0; k < 3; ++k) sum[k] += t[k];
    const double n = static_cast<double>(triples.empty() ? 1 : triples.size());
    return {sum[0] / n, sum[1] / n, sum[2] / n};
}

// TextBlob's adverb rule: "terrible" -> "terribly", "happy" -> "happily".
std::string adverbOf(std::string form)
{
    auto endsWith = [&form](std::string_view suffix) {
        return form.size() >= suffix.size() && std::string_view(form).substr(form.size() - suffix.size()) == suffix;
    };
    if (endsWith("y")) form.back() = 'i';
    if (endsWith("le")) form.resize(form.size() - 2);
    return form + "ly";
}

} // namespace

Lexicon::Lexicon(const std::string& xmlPath)
{
    std::ifstream stream(xmlPath, std::ios::binary);
    if (!stream) throw Poco::FileNotFoundException("sentiment lexicon", xmlPath);

    RawLexicon raw;
    WordHandler handler(raw);
    Poco::XML::SAXParser parser;
    // The lexicon is data, not a document: never resolve external entities.
    parser.setFeature(Poco::XML::XMLReader::FEATURE_EXTERNAL_GENERAL_ENTITIES, false);
    parser.setFeature(Poco::XML::XMLReader::FEATURE_EXTERNAL_PARAMETER_ENTITIES, false);
    // Without namespace processing Poco reports element and attribute names as
    // qualified names, which is what the handler looks up.
    parser.setFeature(Poco::XML::XMLReader::FEATURE_NAMESPACES, false);
    parser.setContentHandler(&handler);
    Poco::XML::InputSource source(stream);
    parser.parse(&source);

    struct Averaged
    {
        Triple none;
        std::optional<Triple> jj;
        bool hasRb = false;
    };
    std::vector<std::pair<std::string, Averaged>> averaged;
    averaged.reserve(raw.order.size());
    for (const std::string& form : raw.order)
    {
        Averaged a;
        std::vector<Triple> perPos;
        for (const auto& [pos, senses] : raw.forms[form].byPos)
        {
            perPos.push_back(average(senses));
            if (pos == "JJ") a.jj = perPos.back();
            if (pos == "RB") a.hasRb = true;
        }
        // The pos-less entry weighs each pos once, whatever its sense count.
        a.none = average(perPos);
        averaged.emplace_back(form, a);
    }

    std::unordered_map<std::string, Entry> entries;
    entries.reserve(averaged.size() * 2);
    for (const auto& [form, a] : averaged) entries[form] = Entry{a.none[0], a.none[1], a.none[2], a.hasRb};
    // Adverbs get the adjective's scores as their RB and pos-less entries, in
    // file order, so the last adjective mapping to an adverb wins.
    for (const auto& [form, a] : averaged)
    {
        if (!a.jj) continue;
        const Triple& jj = *a.jj;
        entries[adverbOf(form)] = Entry{jj[0], jj[1], jj[2], true};
    }

    _entries.reserve(entries.size());
    for (const auto& [form, entry] : entries)
    {
        std::u32string key;
        CodePoints::decodeUtf8(form, key);
        _entries.emplace(std::move(key), entry);
    }
}

const Lexicon::Entry* Lexicon::find(std::u32string_view form) const
{
    auto it = _entries.find(form);
    return it == _entries.end() ? nullptr : &it->second;
}

std::size_t Lexicon::size() const
{
    return _entries.size();
}

} // namespace birdgate::sentiment
