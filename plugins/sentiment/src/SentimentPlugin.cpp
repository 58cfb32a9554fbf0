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
// answers byte for byte with what Twitter sent. So AnswerRewriter below is a
// validating scanner that copies the input through untouched and only
// inserts `,"sentiment":...` before the closing brace of each tweet: every
// number, string, key order and nested object keeps its exact bytes. The
// scanner checks the whole input against RFC 8259 (with a nesting limit), so
// garbage is an ERROR naming the byte offset, never a crash or a half-answer.
//
// A tweet that already carries `sentiment` (or `subjectivity`, when that is
// asked for) gets the key replaced, not duplicated: duplicate keys are
// ambiguous JSON, and a stale score from an earlier pass must not win.
#include "SentimentAnalyzer.h"

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
#include <vector>

namespace
{

using birdgate::sentiment::SentimentAnalyzer;

// Twitter answers nest about ten levels; a limit keeps a hostile input from
// exhausting the stack of a transform-pool thread.
constexpr int MAX_DEPTH = 512;

// ==========================================================================
// JsonReader: a validating cursor over JSON text
// ==========================================================================

class JsonError : public std::runtime_error
{
public:
    using std::runtime_error::runtime_error;
};

class JsonReader
{
public:
    JsonReader(std::string_view text, std::size_t pos = 0) : _text(text), _pos(pos) {}

    std::size_t pos() const { return _pos; }
    bool atEnd() const { return _pos >= _text.size(); }

    void skipSpace()
    {
        while (_pos < _text.size())
        {
            const char c = _text[_pos];
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
                break;
            ++_pos;
        }
    }

    /// The next byte (after white space); fails at the end of the input.
    char peek()
    {
        skipSpace();
        if (_pos >= _text.size())
            fail("unexpected end of input");
        return _text[_pos];
    }

    void expect(char c)
    {
        if (peek() != c)
            fail(std::string("expected '") + c + "'");
        ++_pos;
    }

    /// Validates and skips any value.
    void skipValue(int depth)
    {
        const char c = peek();
        if (c == '{' || c == '[')
        {
            if (depth >= MAX_DEPTH)
                fail("nested deeper than " + std::to_string(MAX_DEPTH) + " levels");
            const char close = c == '{' ? '}' : ']';
            ++_pos;
            if (peek() == close)
            {
                ++_pos;
                return;
            }
            for (;;)
            {
                if (c == '{')
                {
                    if (peek() != '"')
                        fail("expected a string key");
                    readString(nullptr);
                    expect(':');
                }
                skipValue(depth + 1);
                const char next = peek();
                ++_pos;
                if (next == close)
                    return;
                if (next != ',')
                {
                    --_pos;
                    fail(std::string("expected ',' or '") + close + "'");
                }
            }
        }
        if (c == '"')
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

    /// Validates the string at the cursor (which must be '"'); when `decoded`
    /// is given, appends its UTF-8 value there.
    void readString(std::string* decoded)
    {
        ++_pos; // the opening quote
        for (;;)
        {
            const std::size_t runStart = _pos;
            while (_pos < _text.size())
            {
                const unsigned char c = static_cast<unsigned char>(_text[_pos]);
                if (c == '"' || c == '\\' || c < 0x20)
                    break;
                ++_pos;
            }
            if (decoded)
                decoded->append(_text.data() + runStart, _pos - runStart);
            if (_pos >= _text.size())
                fail("unterminated string");
            const char c = _text[_pos];
            if (c == '"')
            {
                ++_pos;
                return;
            }
            if (c != '\\')
                fail("control character in a string");
            ++_pos;
            if (_pos >= _text.size())
                fail("unterminated string");
            const char e = _text[_pos++];
            char plain = 0;
            switch (e)
            {
            case '"': plain = '"'; break;
            case '\\': plain = '\\'; break;
            case '/': plain = '/'; break;
            case 'b': plain = '\b'; break;
            case 'f': plain = '\f'; break;
            case 'n': plain = '\n'; break;
            case 'r': plain = '\r'; break;
            case 't': plain = '\t'; break;
            case 'u': readEscapedCodePoint(decoded); continue;
            default: --_pos; fail("invalid escape in a string");
            }
            if (decoded)
                decoded->push_back(plain);
        }
    }

    [[noreturn]] void fail(const std::string& what) const
    {
        throw JsonError("invalid JSON at byte " + std::to_string(_pos) + ": " + what);
    }

private:
    unsigned hex4()
    {
        if (_text.size() - _pos < 4)
            fail("truncated \\u escape");
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

    // \uXXXX, joining a surrogate pair; a lone surrogate is valid JSON but
    // not a character, so it reads as U+FFFD (as the analyzer treats bad UTF-8).
    void readEscapedCodePoint(std::string* decoded)
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
        if (decoded)
            appendUtf8(*decoded, cp);
    }

    static void appendUtf8(std::string& out, unsigned cp)
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

    bool digit() const { return _pos < _text.size() && _text[_pos] >= '0' && _text[_pos] <= '9'; }

    void skipNumber()
    {
        if (_text[_pos] == '-')
            ++_pos;
        if (!digit())
            fail("invalid number");
        if (_text[_pos] == '0')
            ++_pos;
        else
            while (digit())
                ++_pos;
        if (_pos < _text.size() && _text[_pos] == '.')
        {
            ++_pos;
            if (!digit())
                fail("invalid number");
            while (digit())
                ++_pos;
        }
        if (_pos < _text.size() && (_text[_pos] == 'e' || _text[_pos] == 'E'))
        {
            ++_pos;
            if (_pos < _text.size() && (_text[_pos] == '+' || _text[_pos] == '-'))
                ++_pos;
            if (!digit())
                fail("invalid number");
            while (digit())
                ++_pos;
        }
    }

    void literal(std::string_view word)
    {
        if (_text.substr(_pos, word.size()) != word)
            fail("unexpected character");
        _pos += word.size();
    }

    std::string_view _text;
    std::size_t _pos;
};

/// One member of an object: its decoded key and where its bytes are.
struct Member
{
    std::string key;
    std::size_t keyStart;   // the opening quote of the key
    std::size_t valueStart; // the first byte of the value
    std::size_t valueEnd;   // one past the value's last byte
};

/// Reads (and validates) the object at the cursor into `members`; returns
/// the position of its closing brace.
std::size_t readMembers(JsonReader& r, int depth, std::vector<Member>& members)
{
    if (depth >= MAX_DEPTH)
        r.fail("nested deeper than " + std::to_string(MAX_DEPTH) + " levels");
    r.expect('{');
    members.clear();
    if (r.peek() == '}')
        return r.pos();
    for (;;)
    {
        if (r.peek() != '"')
            r.fail("expected a string key");
        Member m;
        m.keyStart = r.pos();
        r.readString(&m.key);
        r.expect(':');
        r.skipSpace();
        m.valueStart = r.pos();
        r.skipValue(depth + 1);
        m.valueEnd = r.pos();
        members.push_back(std::move(m));
        const char next = r.peek();
        if (next == '}')
            return r.pos();
        if (next != ',')
            r.fail("expected ',' or '}'");
        r.expect(',');
    }
}

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
            throw std::invalid_argument("sentiment.add_sentiment: the config is not a JSON object: " +
                                        e.displayText());
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
        host.debug("sentiment.add_sentiment: lexicon " + lexicon + ", " +
                   std::to_string(_analyzer->lexicon().size()) + " words");
    }

    // Thread-safe: reads only immutable members; all state is on the stack.
    void call(std::string_view input, std::string_view /*context*/, birdgate::sdk::Output& out) const
    {
        std::string result;
        if (rewrite(input, result))
            out.json(result);
        // else: no tweet to score, the answer goes back unchanged
    }

private:
    /// Copies `in` to `out` with the scores added; false when nothing changed.
    bool rewrite(std::string_view in, std::string& out) const
    {
        Pass pass(in, out);
        out.reserve(in.size() + in.size() / 16);
        JsonReader r(in);
        const char c = r.peek();
        if (c == '[')
            rewriteTweetArray(pass, r, 1);
        else if (c == '{')
            rewriteAnswerObject(pass, r);
        else
            r.skipValue(1);
        r.skipSpace();
        if (!r.atEnd())
            r.fail("unexpected data after the JSON value");
        if (pass.tweets == 0)
            return false;
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
        std::vector<Member> members; // reused across tweets

        void copyTo(std::size_t pos)
        {
            out.append(in.data() + copied, pos - copied);
            copied = pos;
        }
    };

    void rewriteTweetArray(Pass& pass, JsonReader& r, int depth) const
    {
        if (depth >= MAX_DEPTH)
            r.fail("nested deeper than " + std::to_string(MAX_DEPTH) + " levels");
        r.expect('[');
        if (r.peek() == ']')
        {
            r.expect(']');
            return;
        }
        for (;;)
        {
            if (r.peek() == '{')
            {
                const std::size_t start = r.pos();
                const std::size_t close = readMembers(r, depth + 1, pass.members);
                r.expect('}');
                rewriteTweet(pass, start, close);
            }
            else
                r.skipValue(depth + 1);
            const char next = r.peek();
            if (next == ']')
            {
                r.expect(']');
                return;
            }
            if (next != ',')
                r.fail("expected ',' or ']'");
            r.expect(',');
        }
    }

    // {"statuses":[...]} / {"data":[...]} / {"data":{...}} / a tweet itself.
    void rewriteAnswerObject(Pass& pass, JsonReader& r) const
    {
        const std::size_t start = r.pos();
        std::vector<Member> top;
        const std::size_t close = readMembers(r, 1, top);
        r.expect('}');
        bool container = false;
        for (const Member& m : top)
        {
            const char first = pass.in[m.valueStart];
            if ((m.key == "statuses" || m.key == "data") && first == '[')
            {
                container = true;
                JsonReader sub(pass.in, m.valueStart);
                rewriteTweetArray(pass, sub, 2);
            }
            else if (m.key == "data" && first == '{')
            {
                container = true;
                JsonReader sub(pass.in, m.valueStart);
                const std::size_t tweetClose = readMembers(sub, 2, pass.members);
                rewriteTweet(pass, m.valueStart, tweetClose);
            }
        }
        if (!container)
        {
            pass.members = std::move(top);
            rewriteTweet(pass, start, close);
        }
    }

    /// Adds the scores to the tweet at [start, close] whose members are in
    /// pass.members; a tweet without a string text field is left alone.
    void rewriteTweet(Pass& pass, std::size_t start, std::size_t close) const
    {
        const Member* text = nullptr;
        for (const std::string& field : _fields)
        {
            for (const Member& m : pass.members)
                if (m.key == field && pass.in[m.valueStart] == '"')
                    text = &m; // the last duplicate wins, as in most parsers
            if (text)
                break;
        }
        if (!text)
            return;

        std::string decoded;
        JsonReader(pass.in, text->valueStart).readString(&decoded);
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
        for (const Member& m : pass.members)
            replacing = replacing || ours(m.key);
        if (!replacing)
        {
            // The common case: splice the new members in before the brace.
            pass.copyTo(close);
            pass.out += ',';
            pass.out += added;
            return;
        }
        // Rebuild the object from the members' own bytes, minus ours.
        pass.copyTo(start);
        pass.out += '{';
        for (const Member& m : pass.members)
        {
            if (ours(m.key))
                continue;
            pass.out.append(pass.in.data() + m.keyStart, m.valueEnd - m.keyStart);
            pass.out += ',';
        }
        pass.out += added;
        pass.copied = close; // the closing brace is copied with what follows
    }

    bool ours(const std::string& key) const
    {
        return key == "sentiment" || (_subjectivity && key == "subjectivity");
    }

    bool _subjectivity = false;
    std::string _fields[2] = {"text", "full_text"}; // `field:` replaces the first
    std::unique_ptr<SentimentAnalyzer> _analyzer;
};

} // namespace

BIRDGATE_PLUGIN("sentiment", "1.0.0", birdgate::sdk::transform<AddSentiment>("add_sentiment"));
