// jsonl_sink.so: dated, append-only JSON Lines files as a birdgate plugin
// (DESIGN.md 4, 5). Two exports share one JsonlWriter per instance:
//
//   sink      jsonl_sink.write   a stream's `path:` -- each write() is one
//                                message, appended as one line.
//   transform jsonl_sink.append  Gramex's save_tweet transform -- appends each
//                                tweet of a REST answer as one line and passes
//                                the answer through unchanged.
//
// Failures are mapped the way a stream needs them: a file system error
// (WriteError: nothing of the line is in the file) is RETRY, so the caller
// keeps the message and tries again; a message that can never be one line
// (BadMessage) is ERROR.
//
// The transform copies each tweet's own bytes into its line, only dropping
// the white space between tokens: no DOM, so 64-bit ids and every number
// stay exactly as Twitter wrote them. The validating scanner it shares with
// the sentiment plugin (plugins/common: forEachTweet) walks the whole answer
// first, so an invalid answer is refused before any line is written.
#include "JsonlError.h"
#include "JsonlWriter.h"

#include "TweetLocator.h"

#include <birdgate/plugin.hpp>

#include <Poco/Exception.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace
{

using birdgate::jsonl::BadMessage;
using birdgate::jsonl::JsonlWriter;
using birdgate::jsonl::WriteError;

// ==========================================================================
// Configuration shared by both exports
// ==========================================================================

struct Settings
{
    std::string pattern; // DatedPath pattern, base applied
    JsonlWriter::Flush flush = JsonlWriter::Flush::Os();
};

// `base` is a plain folder, not a pattern: its braces must stay literal.
std::string escapeBraces(const std::string& text)
{
    std::string out;
    for (const char c : text)
    {
        out += c;
        if (c == '{' || c == '}') out += c;
    }
    return out;
}

/// Reads {"path", "base", "flush"}; `what` names the export in messages.
Settings readSettings(std::string_view config, const std::string& what, birdgate::sdk::Host host)
{
    Settings settings;
    std::string path;
    std::string base;
    try
    {
        const std::string text = config.empty() ? std::string("{}") : std::string(config);
        Poco::JSON::Parser parser;
        const auto object = parser.parse(text).extract<Poco::JSON::Object::Ptr>();
        for (const auto& [key, value] : *object)
        {
            if (key == "path" || key == "base")
            {
                if (!value.isString() || value.toString().empty())
                    throw std::invalid_argument(what + ": " + key + ": must be a non-empty string");
                (key == "path" ? path : base) = value.toString();
            }
            else if (key == "flush")
            {
                // Gramex: true = every line, a number = every N seconds,
                // false (or 0) = leave it to the OS (synced at rotation/close).
                if (value.isBoolean())
                    settings.flush = value.extract<bool>() ? JsonlWriter::Flush::EachLine() : JsonlWriter::Flush::Os();
                else if (value.isNumeric())
                {
                    const double seconds = value.convert<double>();
                    if (!(seconds >= 0) || seconds > 1e9)
                        throw std::invalid_argument(what + ": flush: must be true, false or seconds >= 0");
                    if (seconds == 0)
                        settings.flush = JsonlWriter::Flush::Os();
                    else
                        settings.flush = JsonlWriter::Flush::Every(
                            std::chrono::seconds(std::max<long long>(1, std::llround(seconds))));
                }
                else
                    throw std::invalid_argument(what + ": flush: must be true, false or a number of seconds");
            }
            else
                host.warning(what + ": ignoring the unknown key " + key);
        }
    }
    catch (const Poco::Exception& e) // what() of a Poco exception is only its class name
    {
        throw std::invalid_argument(what + ": the config is not a JSON object: " + e.displayText());
    }
    if (path.empty())
        throw std::invalid_argument(what + ": path: is required, e.g. {\"path\": \"tweets.{:%Y-%m-%d}.jsonl\"}");
    if (!base.empty() && std::filesystem::path(path).is_relative())
    {
        if (base.back() != '/') base += '/';
        path = escapeBraces(base) + path;
    }
    settings.pattern = path;
    return settings;
}

// ==========================================================================
// JsonlSink: the sink `write`
// ==========================================================================

class JsonlSink
{
  public:
    JsonlSink(std::string_view config, birdgate::sdk::Host host) : _host(host)
    {
        const Settings settings = readSettings(config, "jsonl_sink.write", host);
        _writer = std::make_unique<JsonlWriter>(settings.pattern, settings.flush); // throws on a bad pattern
    }

    ~JsonlSink()
    {
        try
        {
            _writer->close(); // fsync: nothing written is left to the page cache
        }
        catch (const std::exception& e)
        {
            _host.error(std::string("jsonl_sink.write: closing: ") + e.what());
        }
    }

    JsonlSink(const JsonlSink&) = delete;
    JsonlSink& operator=(const JsonlSink&) = delete;

    void write(std::string_view record)
    {
        const auto now = std::chrono::system_clock::now();
        try
        {
            _writer->write(record, now);
        }
        catch (const WriteError& e)
        {
            throw birdgate::sdk::Retry(e.what()); // the caller keeps the message
        }
        catch (const BadMessage& e)
        {
            throw std::runtime_error(e.what());
        }
        // flush: N also syncs a stream that went quiet since its last line
        // as soon as the next line comes.
        tickQuietly(now);
    }

    void flush(bool sync)
    {
        try
        {
            if (sync)
                _writer->flush();
            else
                _writer->tick(); // a timer's nudge: sync only when `flush: N` is due
        }
        catch (const WriteError& e)
        {
            throw birdgate::sdk::Retry(e.what());
        }
    }

  private:
    void tickQuietly(std::chrono::system_clock::time_point now)
    {
        try
        {
            _writer->tick(now);
        }
        catch (const std::exception& e)
        {
            // The line is written; failing the write would make the caller
            // send it twice. The writer counts the failed sync.
            _host.warning(std::string("jsonl_sink.write: ") + e.what());
        }
    }

    birdgate::sdk::Host _host;
    std::unique_ptr<JsonlWriter> _writer; // a pointer, so the sink can move
};

// ==========================================================================
// TweetLines: the tweets of an answer as compact JSON lines
// ==========================================================================

/// A tweet's bytes in the answer: [begin, end).
struct Span
{
    std::size_t begin;
    std::size_t end;
};

/// Validates the answer and returns where its tweets are (see
/// TweetLocator.h). The answer itself counts only when it looks like a tweet
/// (has `id_str`, `text` or `full_text`): not, say, `{"ids":[]}`.
std::vector<Span> findTweets(std::string_view answer)
{
    using birdgate::plugins::JsonMember;
    const auto tweetKey = [](const JsonMember& m) {
        return m.key == "id_str" || m.key == "text" || m.key == "full_text";
    };
    std::vector<Span> tweets;
    birdgate::plugins::forEachTweet(answer, [&](const birdgate::plugins::Tweet& tweet) {
        if (!tweet.wholeAnswer || std::any_of(tweet.members.begin(), tweet.members.end(), tweetKey))
            tweets.push_back({tweet.open, tweet.close + 1});
    });
    return tweets;
}

/// Appends valid JSON `value` to `out` without the white space between
/// tokens (string contents are copied as they are).
void appendCompact(std::string& out, std::string_view value)
{
    bool inString = false;
    std::size_t run = 0; // start of the bytes not yet copied
    for (std::size_t i = 0; i < value.size(); ++i)
    {
        const char c = value[i];
        if (inString)
        {
            if (c == '\\')
                ++i; // the escaped byte cannot end the string
            else if (c == '"')
                inString = false;
        }
        else if (c == '"')
            inString = true;
        else if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
        {
            out.append(value.data() + run, i - run);
            run = i + 1;
        }
    }
    out.append(value.data() + run, value.size() - run);
}

// ==========================================================================
// AppendTweets: the transform `append`
// ==========================================================================

class AppendTweets
{
  public:
    AppendTweets(std::string_view config, birdgate::sdk::Host host)
    {
        const Settings settings = readSettings(config, "jsonl_sink.append", host);
        _writer = std::make_unique<JsonlWriter>(settings.pattern, settings.flush);
    }

    // Thread-safe: the writer's mutex orders whole lines (one writev each);
    // everything else is on the stack. Emits nothing: the answer passes on.
    void call(std::string_view input, std::string_view /*context*/, birdgate::sdk::Output& /*out*/) const
    {
        const std::vector<Span> tweets = findTweets(input);
        const auto now = std::chrono::system_clock::now();
        std::string line;
        std::size_t written = 0;
        for (const Span& tweet : tweets)
        {
            line.clear();
            appendCompact(line, input.substr(tweet.begin, tweet.end - tweet.begin));
            try
            {
                _writer->write(line, now);
            }
            catch (const std::exception& e)
            {
                // Not RETRY: running the transform again would append the
                // tweets already saved a second time.
                throw std::runtime_error("jsonl_sink.append: saved " + std::to_string(written) + " of " +
                                         std::to_string(tweets.size()) + " tweets: " + e.what());
            }
            ++written;
        }
        if (written)
        {
            try
            {
                _writer->tick(now);
            }
            catch (const std::exception&)
            {
                // Counted by the writer; the lines are in the file and the
                // answer is fine, so the request does not fail for it.
            }
        }
    }

  private:
    std::unique_ptr<JsonlWriter> _writer; // closed (synced) with the instance
};

} // namespace

BIRDGATE_PLUGIN("jsonl_sink", "1.0.0", birdgate::sdk::sink<JsonlSink>("write"),
                birdgate::sdk::transform<AppendTweets>("append"));
