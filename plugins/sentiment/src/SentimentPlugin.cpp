// sentiment.so: the `sentiment.add_sentiment` transform (DESIGN.md 3.6, 4).
//
// It scores each tweet of a Twitter answer with the TextBlob-compatible
// SentimentAnalyzer and adds `"sentiment":<polarity>` (and, on request,
// `"subjectivity":<value>`) to the tweet object. Tweets are the objects in
// `statuses[]` (v1.1 search), in a top-level array (timelines), in `data[]`
// or `data{}` (v2), or the answer itself when it is a single object holding
// the text field (statuses/show).
//
// The answer is NOT parsed into a DOM and re-serialised. Twitter's ids are
// 64-bit integers that a double-based JSON library rounds, and users compare
// answers byte for byte with what Twitter sent. So the transform walks the
// answer with the validating scanner it shares with jsonl_sink
// (plugins/common: JsonScanner, forEachTweet), copies the input through
// untouched and only inserts `,"sentiment":...` before the closing brace of
// each tweet: every number, string, key order and nested object keeps its
// exact bytes. The scanner checks the whole input against RFC 8259 (with a
// nesting limit), so garbage is an ERROR naming the byte offset, never a
// crash or a half-answer.
//
// A tweet that already carries `sentiment` (or `subjectivity`, when that is
// asked for) gets the key replaced, not duplicated: duplicate keys are
// ambiguous JSON, and a stale score from an earlier pass must not win.
#include "SentimentAnalyzer.h"

#include "JsonScanner.h"
#include "TweetLocator.h"

#include <birdgate/plugin.hpp>

#include <Poco/Exception.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Path.h>

#include <dlfcn.h>

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

namespace
{

using birdgate::plugins::JsonMember;
using birdgate::plugins::JsonScanner;
using birdgate::plugins::Tweet;
using birdgate::sentiment::SentimentAnalyzer;

// Shortest text that reads back as the same double: TextBlob's values are
// compared within 1e-9, and the shortest round-trip form loses nothing.
void appendDouble(std::string& out, double value)
{
    char buffer[32];
    const auto result = std::to_chars(buffer, buffer + sizeof(buffer), value);
    out.append(buffer, result.ptr);
}

// ==========================================================================
// AddSentiment: the transform
// ==========================================================================

// An address inside this module, for dladdr() to name the .so it lives in.
const char MODULE_ANCHOR = 0;

/// The folder this plugin was loaded from (where its `sentiment/` data is).
std::string pluginFolder()
{
    Dl_info info{};
    if (dladdr(&MODULE_ANCHOR, &info) == 0 || !info.dli_fname)
        throw std::runtime_error("sentiment: cannot find the path of sentiment.so (dladdr failed)");
    Poco::Path path(info.dli_fname);
    path.makeAbsolute();
    return path.parent().toString();
}

class AddSentiment
{
  public:
    AddSentiment(std::string_view config, birdgate::sdk::Host host)
    {
        std::string lexicon;
        try
        {
            const std::string text = config.empty() ? std::string("{}") : std::string(config);
            Poco::JSON::Parser parser;
            const auto object = parser.parse(text).extract<Poco::JSON::Object::Ptr>();
            for (const auto& [key, value] : *object)
            {
                if (key == "subjectivity")
                {
                    if (!value.isBoolean())
                        throw std::invalid_argument("sentiment.add_sentiment: subjectivity: must be true or false");
                    _subjectivity = value.extract<bool>();
                }
                else if (key == "field")
                {
                    if (!value.isString() || value.toString().empty())
                        throw std::invalid_argument("sentiment.add_sentiment: field: must be a field name");
                    _fields[0] = value.toString();
                }
                else if (key == "lexicon")
                {
                    if (!value.isString() || value.toString().empty())
                        throw std::invalid_argument("sentiment.add_sentiment: lexicon: must be a file path");
                    lexicon = value.toString();
                }
                else
                    host.warning("sentiment.add_sentiment: ignoring the unknown key " + key);
            }
        }
        catch (const Poco::Exception& e)
        {
            throw std::invalid_argument("sentiment.add_sentiment: the config is not a JSON object: " + e.displayText());
        }

        // A relative lexicon is read next to the plugin, not in whatever
        // folder birdgate happens to run in.
        const std::string folder = pluginFolder();
        if (lexicon.empty())
            lexicon = Poco::Path(folder).append(Poco::Path("sentiment/en-sentiment.xml")).toString();
        else if (Poco::Path(lexicon).isRelative())
            lexicon = Poco::Path(folder).append(Poco::Path(lexicon)).toString();
        try
        {
            _analyzer = std::make_unique<SentimentAnalyzer>(lexicon);
        }
        catch (const Poco::Exception& e) // what() of a Poco exception is only its class name
        {
            throw std::runtime_error("sentiment.add_sentiment: cannot load the lexicon " + lexicon + ": " +
                                     e.displayText());
        }
        host.debug("sentiment.add_sentiment: lexicon " + lexicon + ", " + std::to_string(_analyzer->lexicon().size()) +
                   " words");
    }

    // Thread-safe: reads only immutable members; all state is on the stack.
    void call(std::string_view input, std::string_view /*context*/, birdgate::sdk::Output& out) const
    {
        std::string result;
        if (rewrite(input, result)) out.json(result);
        // else: no tweet to score, the answer goes back unchanged
    }

  private:
    /// Copies `in` to `out` with the scores added; false when nothing changed.
    bool rewrite(std::string_view in, std::string& out) const
    {
        Pass pass(in, out);
        out.reserve(in.size() + in.size() / 16);
        // Tweets are rewritten as the walk finds them; when a later byte
        // turns out invalid it throws, and call() drops the half-built `out`.
        birdgate::plugins::forEachTweet(in, [&](const Tweet& tweet) { rewriteTweet(pass, tweet); });
        if (pass.tweets == 0) return false;
        pass.copyTo(in.size());
        return true;
    }

    // Output under construction: input bytes are copied lazily up to a cursor.
    struct Pass
    {
        Pass(std::string_view input, std::string& output) : in(input), out(output) {}

        std::string_view in;
        std::string& out;
        std::size_t copied = 0;
        std::size_t tweets = 0;

        void copyTo(std::size_t pos)
        {
            out.append(in.data() + copied, pos - copied);
            copied = pos;
        }
    };

    /// Adds the scores to `tweet` (the answer itself too, when it is an
    /// object); a tweet without a string text field is left alone.
    void rewriteTweet(Pass& pass, const Tweet& tweet) const
    {
        const JsonMember* text = nullptr;
        for (const std::string& field : _fields)
        {
            for (const JsonMember& m : tweet.members)
                if (m.key == field && pass.in[m.valueStart] == '"')
                    text = &m; // the last duplicate wins, as in most parsers
            if (text) break;
        }
        if (!text) return;

        std::string decoded;
        JsonScanner(pass.in, text->valueStart).readString(&decoded);
        const SentimentAnalyzer::Result score = _analyzer->analyze(decoded);
        ++pass.tweets;

        std::string added = R"("sentiment":)";
        appendDouble(added, score.polarity);
        if (_subjectivity)
        {
            added += R"(,"subjectivity":)";
            appendDouble(added, score.subjectivity);
        }

        bool replacing = false;
        for (const JsonMember& m : tweet.members) replacing = replacing || ours(m.key);
        if (!replacing)
        {
            // The common case: splice the new members in before the brace.
            pass.copyTo(tweet.close);
            pass.out += ',';
            pass.out += added;
            return;
        }
        // Rebuild the object from the members' own bytes, minus ours.
        pass.copyTo(tweet.open);
        pass.out += '{';
        for (const JsonMember& m : tweet.members)
        {
            if (ours(m.key)) continue;
            pass.out.append(pass.in.data() + m.keyStart, m.valueEnd - m.keyStart);
            pass.out += ',';
        }
        pass.out += added;
        pass.copied = tweet.close; // the closing brace is copied with what follows
    }

    bool ours(const std::string& key) const { return key == "sentiment" || (_subjectivity && key == "subjectivity"); }

    bool _subjectivity = false;
    std::string _fields[2] = {"text", "full_text"}; // `field:` replaces the first
    std::unique_ptr<SentimentAnalyzer> _analyzer;
};

} // namespace

BIRDGATE_PLUGIN("sentiment", "1.0.0", birdgate::sdk::transform<AddSentiment>("add_sentiment"));
