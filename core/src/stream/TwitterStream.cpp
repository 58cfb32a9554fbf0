// TwitterStream; see TwitterStream.h for the life cycle.
//
// The thread's loop is: connect once (connectOnce), then ask ReconnectBackoff
// what the way it ended means (wait how long, or stop for good), count the
// reconnect, log one line with the counters, and sleep through the Clock.
// Inside a connection, bytes go from the socket to StreamFramer in whatever
// pieces the network delivered; the framer calls onMessage() once per whole
// message, which classifies it (StreamMessage) and writes tweets through
// StreamSinkWriter before the next byte is read, so a message is in the sink
// before anything later is consumed, and nothing is buffered in between that
// a shutdown could lose.
#include "birdgate/stream/TwitterStream.h"

#include "birdgate/config/YamlScalars.h"
#include "birdgate/common/HttpErrors.h"
#include "birdgate/plugin/PluginError.h"
#include "birdgate/plugin/PluginHost.h"
#include "birdgate/plugin/SinkInstance.h"
#include "birdgate/server/Services.h"
#include "stream/StreamConnection.h"
#include "birdgate/stream/StreamMessage.h"
#include "birdgate/config/YamlJson.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Logger.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/URI.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <istream>
#include <map>
#include <set>

namespace birdgate
{

namespace
{
const KwargSpec SPEC[] = {
    {"key", KwargType::String, nullptr, "consumer key of the Twitter app (required)"},
    {"secret", KwargType::String, nullptr, "consumer secret (required)"},
    {"access_key", KwargType::String, nullptr, "access token of the user the stream runs as (required)"},
    {"access_secret", KwargType::String, nullptr, "access token secret (required)"},
    {"track", KwargType::StringList, nullptr, "phrases to track: a list or a comma-separated string (<= 400)"},
    {"follow", KwargType::StringList, nullptr,
     "users to follow: numeric ids or screen names (looked up once at start-up), list or comma-separated (<= 5000)"},
    {"locations", KwargType::StringList, nullptr,
     "bounding boxes: south-west longitude,latitude then north-east longitude,latitude (<= 25 boxes)"},
    {"language", KwargType::StringList, nullptr, "BCP 47 language codes, e.g. en,fr"},
    {"filter_level", KwargType::String, nullptr, "none, low or medium"},
    {"stall_warnings", KwargType::Bool, nullptr, "ask Twitter for FALLING_BEHIND warnings"},
    {"delimited", KwargType::String, nullptr, "length: each message is preceded by its byte count"},
    {"stream_root", KwargType::String, nullptr, "streaming API root (default app.twitter.stream_root)"},
    {"api_root", KwargType::String, nullptr, "REST API root for users/lookup (default app.twitter.api_root)"},
    {"path", KwargType::String, nullptr,
     "JSON Lines file, formatted from the UTC time with {:%Y-%m-%d}-style fields; relative to the YAML's folder"},
    {"flush", KwargType::Any, nullptr, "path: sync every N seconds, true (every line) or false (leave it to the OS)"},
    {"sink", KwargType::String, nullptr, "another sink plugin, plugin.export (instead of path:)"},
    {"sink_config", KwargType::Map, nullptr, "the config of the sink: plugin, as a map (becomes its config JSON)"},
    {"stall_timeout", KwargType::Number, "90", "seconds without a byte (keep-alives count) before reconnecting"},
    {"timeout", KwargType::Number, "10", "seconds to connect and send the request"},
};

std::string lowered(std::string text)
{
    for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
}

bool allDigits(const std::string& s)
{
    return !s.empty() && s.size() <= 20 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool validScreenName(const std::string& s)
{
    return !s.empty() && s.size() <= 15 &&
           std::all_of(s.begin(), s.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

std::string joined(const std::vector<std::string>& items, const char* sep = ",")
{
    std::string out;
    for (const auto& item : items)
    {
        if (!out.empty()) out += sep;
        out += item;
    }
    return out;
}

/// A message for the log: at most 80 bytes, control and non-ASCII bytes as
/// '?', so a line that is not JSON cannot forge log lines.
std::string preview(std::string_view text)
{
    std::string out;
    for (char c : text.substr(0, 80))
        out += (c >= 0x20 && c < 0x7f) ? c : '?';
    if (text.size() > 80) out += "...";
    return out;
}

/// The bundled plugins next to the executable (<bin>/plugins, and
/// <bin>/../lib/birdgate/plugins for an installed tree).
std::vector<std::string> bundledPluginFolders()
{
    std::error_code ec;
    std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (ec) return {};
    std::filesystem::path bin = self.parent_path();
    return {(bin / "plugins").string(), (bin.parent_path() / "lib" / "birdgate" / "plugins").string()};
}

std::string describeWait(std::chrono::milliseconds wait)
{
    if (wait.count() % 1000 == 0 && wait.count() >= 1000) return std::to_string(wait.count() / 1000) + " s";
    return std::to_string(wait.count()) + " ms";
}
} // namespace

// ------------------------------------------------------------------ Settings

oauth1::Params TwitterStream::Settings::params() const
{
    oauth1::Params p;
    if (!track.empty()) p.emplace_back("track", joined(track));
    if (!followIds.empty()) p.emplace_back("follow", joined(followIds));
    if (!locations.empty()) p.emplace_back("locations", joined(locations));
    if (!language.empty()) p.emplace_back("language", joined(language));
    if (!filterLevel.empty()) p.emplace_back("filter_level", filterLevel);
    if (!stallWarnings.empty()) p.emplace_back("stall_warnings", stallWarnings);
    if (delimitedLength) p.emplace_back("delimited", "length");
    return p;
}

std::span<const KwargSpec> TwitterStream::kwargSpec()
{
    return SPEC;
}

TwitterStream::Settings TwitterStream::parse(const ScheduleEntry& entry, const AppConfig& app,
                                             std::vector<std::string>* warnings)
{
    Kwargs kw(entry.kwargs, entry.origin, entry.line, "schedule." + entry.name + ".kwargs", SPEC, warnings);
    Settings s;
    s.name = entry.name;
    s.file = entry.origin.file;
    s.line = entry.line;
    s.startup = entry.startup;

    for (const char* required : {"key", "secret", "access_key", "access_secret"})
        if (kw.str(required).empty()) kw.fail(required, "a non-empty string (a stream always runs as one user)");
    s.credentials.consumerKey = kw.str("key");
    s.credentials.consumerSecret = kw.str("secret");
    s.credentials.token = kw.str("access_key");
    s.credentials.tokenSecret = kw.str("access_secret");

    auto root = [&](const char* key, const std::string& fallback) {
        std::string url = kw.has(key) ? kw.str(key) : fallback;
        while (!url.empty() && url.back() == '/') url.pop_back();
        std::string path;
        if (!parseUpstreamUrl(url, path)) kw.fail(key, "an http:// or https:// URL without a query (found '" + url + "')");
        return url;
    };
    s.streamUrl = root("stream_root", app.streamRoot) + "/1.1/statuses/filter.json";
    s.apiRoot = root("api_root", app.apiRoot);

    s.track = kw.list("track");
    if (s.track.size() > MAX_TRACK)
        kw.fail("track", "at most " + std::to_string(MAX_TRACK) + " phrases, Twitter's limit (found " +
                             std::to_string(s.track.size()) + ")");
    for (const auto& t : s.track)
        if (t.size() > MAX_TRACK_BYTES)
            kw.fail("track", "phrases of at most 60 bytes, Twitter's limit (found '" + preview(t) + "')");

    std::set<std::string> seenIds, seenNames;
    for (std::string f : kw.list("follow"))
    {
        if (!f.empty() && f[0] == '@') f.erase(0, 1);
        if (allDigits(f))
        {
            if (seenIds.insert(f).second) s.followIds.push_back(f);
        }
        else if (validScreenName(f))
        {
            if (seenNames.insert(lowered(f)).second) s.followNames.push_back(f);
        }
        else
            kw.fail("follow", "numeric user ids or screen names of 1-15 letters, digits or _ (found '" +
                                  preview(f) + "')");
    }
    if (s.followIds.size() + s.followNames.size() > MAX_FOLLOW)
        kw.fail("follow", "at most " + std::to_string(MAX_FOLLOW) + " users, Twitter's limit (found " +
                              std::to_string(s.followIds.size() + s.followNames.size()) + ")");

    s.locations = kw.list("locations");
    for (const auto& v : s.locations)
        if (!yamlscalars::parseNumber(v)) kw.fail("locations", "numbers (found '" + preview(v) + "')");
    if (s.locations.size() % 4 != 0)
        kw.fail("locations", "groups of 4 numbers: sw longitude, sw latitude, ne longitude, ne latitude (found " +
                                 std::to_string(s.locations.size()) + " numbers)");
    if (s.locations.size() > MAX_LOCATION_BOXES * 4)
        kw.fail("locations", "at most 25 boxes, Twitter's limit");

    if (s.track.empty() && s.followIds.empty() && s.followNames.empty() && s.locations.empty())
        kw.fail("track", "at least one of track, follow or locations (Twitter needs a predicate)");

    s.language = kw.list("language");
    s.filterLevel = kw.str("filter_level");
    if (!s.filterLevel.empty() && s.filterLevel != "none" && s.filterLevel != "low" && s.filterLevel != "medium")
        kw.fail("filter_level", "none, low or medium (found '" + s.filterLevel + "')");
    if (kw.has("stall_warnings")) s.stallWarnings = kw.boolean("stall_warnings") ? "true" : "false";
    std::string delimited = kw.str("delimited");
    if (!delimited.empty() && delimited != "length") kw.fail("delimited", "length (found '" + delimited + "')");
    s.delimitedLength = delimited == "length";

    double stall = kw.number("stall_timeout");
    if (!(stall >= 0.05 && stall <= 3600)) kw.fail("stall_timeout", "seconds from 0.05 to 3600");
    s.stallTimeout = std::chrono::milliseconds(static_cast<long long>(stall * 1000));
    double timeout = kw.number("timeout");
    if (!(timeout >= 0.05 && timeout <= 600)) kw.fail("timeout", "seconds from 0.05 to 600");
    s.connectTimeout = std::chrono::milliseconds(static_cast<long long>(timeout * 1000));
    s.lookupTimeout = std::max(s.connectTimeout, std::chrono::milliseconds(20'000));

    // The sink.
    std::string path = kw.str("path");
    std::string sink = kw.str("sink");
    if (!sink.empty())
    {
        try
        {
            PluginHost::splitFunction(sink);
        }
        catch (const PluginError& e)
        {
            kw.fail("sink", std::string("plugin.export (") + e.what() + ")");
        }
        s.sinkFunction = sink;
        YAML::Node config = kw.node("sink_config");
        if (config.IsDefined() && !config.IsNull())
        {
            s.sinkConfig = yamlToJson(config);
        }
        else
            s.sinkConfig = "{}";
        if (!path.empty() && warnings)
            warnings->push_back(entry.origin.file + ":" + std::to_string(entry.line) + ": schedule." + entry.name +
                                ": both sink and path given; path is ignored (put it in sink_config)");
    }
    else
    {
        if (path.empty()) kw.fail("path", "a file name such as tweets.{:%Y-%m-%d}.jsonl (or a sink: plugin.export)");
        s.sinkFunction = "jsonl_sink.write";
        std::string config = "{\"path\":";
        jsonQuoteTo(config, path);
        config += ",\"base\":";
        jsonQuoteTo(config, entry.origin.yamlPath.empty() ? std::string(".") : entry.origin.yamlPath);
        YAML::Node flush = kw.node("flush");
        if (flush.IsDefined() && !flush.IsNull())
        {
            if (!flush.IsScalar()) kw.fail("flush", "seconds, true or false");
            const std::string& v = flush.Scalar();
            config += ",\"flush\":";
            if (auto b = yamlscalars::parseBool(v); b && !yamlscalars::parseNumber(v))
                config += *b ? "true" : "false";
            else if (auto n = yamlscalars::parseNumber(v); n && *n >= 0)
                config += v;
            else
                kw.fail("flush", "seconds (>= 0), true or false (found '" + preview(v) + "')");
        }
        config += "}";
        s.sinkConfig = config;
    }
    return s;
}

std::unique_ptr<TwitterStream> TwitterStream::create(const ScheduleEntry& entry, const Services& services)
{
    Settings settings = parse(entry, services.config->app, services.warnings);
    const YAML::Node& kwargs = entry.kwargs; // const: operator[] must not insert
    const bool viaSink = kwargs.IsMap() && kwargs["sink"].IsDefined() && !kwargs["sink"].IsNull();
    const std::string key = "schedule." + entry.name + ".kwargs." + (viaSink ? "sink" : "path");
    std::shared_ptr<SinkInstance> sink;
    try
    {
        try
        {
            sink = services.plugins->createSink(settings.sinkFunction, settings.sinkConfig);
        }
        catch (const PluginError&)
        {
            // path: needs the bundled jsonl_sink even when app.plugins does
            // not name the folder it was built or installed into.
            // (A plain variable, not a structured binding: clang before 16
            // cannot capture bindings in the lambda below.)
            const std::string plugin = PluginHost::splitFunction(settings.sinkFunction).first;
            std::vector<std::string> bundled = bundledPluginFolders();
            bool elsewhere = plugin == "jsonl_sink" &&
                             std::any_of(bundled.begin(), bundled.end(), [&](const std::string& folder) {
                                 std::error_code ec;
                                 return std::filesystem::is_regular_file(
                                     std::filesystem::path(folder) / PluginHost::fileName(plugin), ec);
                             });
            if (!elsewhere) throw;
            PluginHost fallback(bundled);
            sink = fallback.createSink(settings.sinkFunction, settings.sinkConfig);
        }
    }
    catch (const PluginError& e)
    {
        throw ConfigError(entry.origin.file, entry.line, key, std::string("a usable sink (") + e.what() + ")");
    }
    return std::make_unique<TwitterStream>(std::move(settings), services.upstreams,
                                           StreamSinkWriter::fromInstance(std::move(sink)));
}

// ---------------------------------------------------------------- lifecycle

TwitterStream::TwitterStream(Settings settings, std::shared_ptr<UpstreamPool> upstreams,
                             std::unique_ptr<StreamSinkWriter> sink, Clock& clock)
    : _settings(std::move(settings)), _prefix(_settings.logPrefix()), _upstreams(std::move(upstreams)),
      _sink(std::move(sink)), _clock(clock), _backoff(_settings.backoff),
      _framer(_settings.delimitedLength ? StreamFramer::Mode::Length : StreamFramer::Mode::Newline)
{
    if (!_upstreams) _upstreams = std::make_shared<UpstreamPool>();
    _sink->retryWait = _settings.sinkRetryWait;
    _sink->stopGrace = _settings.sinkStopGrace;
    Poco::URI uri(_settings.streamUrl);
    _target.scheme = uri.getScheme();
    _target.host = uri.getHost();
    _target.port = uri.getPort();
    _path = uri.getPathEtc();
    _framer.setMessageCallback([this](std::string_view message) { onMessage(message); });
    _framer.setErrorCallback([this](StreamFramer::Error error, std::string_view detail) {
        StreamCounters::bump(_counters.framingErrors);
        Poco::Logger::get("birdgate.stream")
            .warning("%s: skipped a message: %s (%s)", _prefix, std::string(StreamFramer::errorName(error)),
                     preview(detail));
    });
}

TwitterStream::~TwitterStream()
{
    stop();
}

std::vector<std::string> TwitterStream::followIds() const
{
    std::lock_guard lock(_mutex);
    return _settings.followIds;
}

void TwitterStream::resolveFollow()
{
    std::vector<std::string> names;
    {
        std::lock_guard lock(_mutex);
        names = _settings.followNames;
    }
    if (names.empty()) return;
    const std::string key = "schedule." + _settings.name + ".kwargs.follow";
    Poco::URI api(_settings.apiRoot + "/1.1/users/lookup.json");
    UpstreamTarget target{api.getScheme(), api.getHost(), api.getPort()};
    std::map<std::string, std::string> found; // lower-cased name -> id
    for (std::size_t at = 0; at < names.size(); at += LOOKUP_BATCH)
    {
        std::vector<std::string> batch(names.begin() + static_cast<std::ptrdiff_t>(at),
                                       names.begin() + static_cast<std::ptrdiff_t>(std::min(names.size(), at + LOOKUP_BATCH)));
        oauth1::Params params{{"screen_name", joined(batch)}};
        Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, api.getPath() + "?" + oauth1::encodeForm(params),
                                       Poco::Net::HTTPMessage::HTTP_1_1);
        request.setHost(api.getHost(), api.getPort());
        request.set("User-Agent", "birdgate/" BIRDGATE_VERSION);
        request.set("Authorization",
                    oauth1::authorizationHeader("GET",
                                                oauth1::baseUrl(api.getScheme(), api.getHost(), api.getPort(),
                                                                api.getPath()),
                                                params, _settings.credentials));
        UpstreamResponse response;
        try
        {
            response = _upstreams->send(target, request, "",
                                        Poco::Timespan(static_cast<long>(_settings.lookupTimeout.count()) * 1000));
        }
        catch (const std::exception& e)
        {
            throw StreamTransientError("users/lookup unreachable: " + std::string(e.what()));
        }
        if (response.status == 404)
            continue; // code 17: none of this batch exists
        if (response.status == 401 || response.status == 403)
            throw ConfigError(_settings.file, _settings.line, key,
                              "names Twitter can look up with these credentials (users/lookup answered " +
                                  std::to_string(response.status) + ": check key, secret, access_key, access_secret)");
        if (response.status != 200)
            throw StreamTransientError("users/lookup answered " + std::to_string(response.status));
        try
        {
            Poco::JSON::Parser parser;
            auto users = parser.parse(response.body).extract<Poco::JSON::Array::Ptr>();
            for (std::size_t i = 0; i < users->size(); ++i)
            {
                auto user = users->getObject(static_cast<unsigned>(i));
                if (!user) continue;
                std::string name = user->optValue<std::string>("screen_name", "");
                std::string id = user->optValue<std::string>("id_str", "");
                if (!name.empty() && allDigits(id)) found[lowered(name)] = id;
            }
        }
        catch (const Poco::Exception& e)
        {
            throw StreamTransientError("users/lookup answered something that is not a list of users: " +
                                       e.displayText());
        }
    }
    std::vector<std::string> missing;
    for (const auto& n : names)
        if (!found.count(lowered(n))) missing.push_back(n);
    if (!missing.empty())
        throw ConfigError(_settings.file, _settings.line, key,
                          "existing Twitter screen names (schedule " + _settings.name +
                              ": users/lookup does not know " + joined(missing, ", ") + ")");
    std::lock_guard lock(_mutex);
    for (const auto& n : names)
    {
        const std::string& id = found[lowered(n)];
        if (std::find(_settings.followIds.begin(), _settings.followIds.end(), id) == _settings.followIds.end())
            _settings.followIds.push_back(id);
    }
    if (_settings.followIds.size() > MAX_FOLLOW)
        throw ConfigError(_settings.file, _settings.line, key, "at most 5000 users, Twitter's limit");
    _settings.followNames.clear();
    Poco::Logger::get("birdgate.stream")
        .information("%s: follow: %z screen names resolved to ids", _prefix, names.size());
}

void TwitterStream::start()
{
    std::lock_guard lock(_mutex);
    if (_started || _stopped) return;
    _started = true;
    _thread = std::jthread([this](std::stop_token stop) { run(stop); });
}

void TwitterStream::stop()
{
    {
        std::lock_guard lock(_mutex);
        if (_stopped) return;
        _stopped = true;
        if (_thread.joinable()) _thread.request_stop();
        // After request_stop: a connection registered later sees the stop
        // itself (connectOnce checks after registering).
        if (_connection) _connection->interrupt();
    }
    if (_thread.joinable()) _thread.join();
    finish();
}

void TwitterStream::finish()
{
    Poco::Logger& log = Poco::Logger::get("birdgate.stream");
    if (_sink)
    {
        _sink->flush(true, _prefix);
        _sink.reset(); // the plugin's instance is destroyed (and synced) here
    }
    if (_counters.state.load() != StreamCounters::State::Failed) _counters.state = StreamCounters::State::Stopped;
    _counters.currentWaitMs = 0;
    if (_started) log.information("%s: stopped; %s", _prefix, _counters.snapshot().summary());
}

// --------------------------------------------------------------- the thread

void TwitterStream::run(std::stop_token stop)
{
    Poco::Logger& log = Poco::Logger::get("birdgate.stream");
    _stopToken = stop;
    if (!resolveInThread(stop)) return;
    {
        auto p = _settings.params();
        std::string what;
        for (const auto& [k, v] : p)
            if (k == "track" || k == "follow" || k == "locations")
                what += (what.empty() ? "" : ", ") + k + " " + std::to_string(std::count(v.begin(), v.end(), ',') + 1);
        log.information("%s: streaming %s (%s) into %s", _prefix, _settings.streamUrl, what, _sink->name());
    }
    _nextFlushTick = _clock.steadyNow() + _settings.flushTick;
    while (!stop.stop_requested())
    {
        Attempt a = connectOnce(stop);
        if (stop.stop_requested() || a.end == End::Stopped) break;
        ReconnectBackoff::Decision d{ReconnectBackoff::Action::Retry, std::chrono::milliseconds(0)};
        std::string kind;
        switch (a.end)
        {
        case End::Http:
            d = _backoff.onHttpStatus(a.status);
            if (d.action == ReconnectBackoff::Action::Stop)
            {
                _counters.state = StreamCounters::State::Failed;
                log.error("%s: stopped for good: Twitter answered %s; fix the configuration and restart (%s)",
                          _prefix, std::string(ReconnectBackoff::fatalReason(a.status)), a.detail);
                return;
            }
            if (ReconnectBackoff::kindOf(a.status) == ReconnectBackoff::Kind::RateLimit)
            {
                StreamCounters::bump(_counters.reconnectsRateLimit);
                kind = "rate limited (" + std::to_string(a.status) + ")";
            }
            else
            {
                StreamCounters::bump(_counters.reconnectsHttp);
                kind = "HTTP " + std::to_string(a.status);
            }
            break;
        case End::Stall:
            StreamCounters::bump(_counters.reconnectsStall);
            [[fallthrough]];
        case End::Network:
        case End::Stopped:
            d = _backoff.onNetworkError();
            StreamCounters::bump(_counters.reconnectsNetwork);
            kind = a.end == End::Stall ? "stalled" : "network";
            break;
        }
        _counters.state = StreamCounters::State::Waiting;
        _counters.currentWaitMs = d.wait.count();
        log.warning("%s: %s: %s; reconnecting in %s; %s", _prefix, kind, a.detail, describeWait(d.wait),
                    _counters.snapshot().summary());
        bool slept = _clock.sleepFor(d.wait, stop);
        _counters.currentWaitMs = 0;
        if (!slept) break;
    }
}

bool TwitterStream::resolveInThread(std::stop_token stop)
{
    bool pending;
    {
        std::lock_guard lock(_mutex);
        pending = !_settings.followNames.empty();
    }
    if (!pending) return true;
    Poco::Logger& log = Poco::Logger::get("birdgate.stream");
    _counters.state = StreamCounters::State::Resolving;
    while (!stop.stop_requested())
    {
        try
        {
            resolveFollow();
            return true;
        }
        catch (const ConfigError& e)
        {
            _counters.state = StreamCounters::State::Failed;
            log.error("%s: stopped for good: %s", _prefix, std::string(e.what()));
            return false;
        }
        catch (const std::exception& e)
        {
            auto wait = _backoff.nextWait(ReconnectBackoff::Kind::Http);
            _counters.state = StreamCounters::State::Waiting;
            _counters.currentWaitMs = wait.count();
            log.warning("%s: cannot look follow names up yet (%s); retrying in %s", _prefix, std::string(e.what()),
                        describeWait(wait));
            if (!_clock.sleepFor(wait, stop)) return false;
            _counters.currentWaitMs = 0;
        }
    }
    return false;
}

TwitterStream::Attempt TwitterStream::connectOnce(std::stop_token stop)
{
    auto connection = std::make_shared<StreamConnection>(
        _target, Poco::Timespan(static_cast<long>(_settings.connectTimeout.count()) * 1000),
        Poco::Timespan(static_cast<long>(_settings.stallTimeout.count()) * 1000));
    {
        std::lock_guard lock(_mutex);
        _connection = connection;
    }
    struct Unregister
    {
        TwitterStream* self;
        ~Unregister()
        {
            std::lock_guard lock(self->_mutex);
            self->_connection.reset();
        }
    } unregister{this};
    if (stop.stop_requested()) return {End::Stopped, 0, "stopped"};

    _counters.state = StreamCounters::State::Connecting;
    _framer.reset();
    _connectionLimitTrack = 0;
    Attempt result;
    try
    {
        connection->open();
        Poco::Net::HTTPClientSession& session = connection->session();
        oauth1::Params params = _settings.params();
        std::string body = oauth1::encodeForm(params);
        Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_POST, _path, Poco::Net::HTTPMessage::HTTP_1_1);
        request.setHost(_target.host, static_cast<Poco::UInt16>(_target.port));
        request.setContentType("application/x-www-form-urlencoded");
        request.setContentLength(static_cast<std::streamsize>(body.size()));
        request.set("User-Agent", "birdgate/" BIRDGATE_VERSION);
        request.setKeepAlive(true);
        Poco::URI uri(_settings.streamUrl);
        request.set("Authorization",
                    oauth1::authorizationHeader(
                        "POST", oauth1::baseUrl(_target.scheme, _target.host, _target.port, uri.getPath()), params,
                        _settings.credentials));
        session.sendRequest(request) << body;
        Poco::Net::HTTPResponse response;
        std::istream& in = session.receiveResponse(response);
        const int status = static_cast<int>(response.getStatus());
        _counters.lastStatus = status;
        if (status != 200)
        {
            // A little of Twitter's explanation for the log (bounded; the
            // body never holds our secrets).
            char buf[512];
            in.read(buf, sizeof buf);
            std::string detail = std::to_string(status) + " " + response.getReason();
            if (in.gcount() > 0) detail += ": " + preview(std::string_view(buf, static_cast<std::size_t>(in.gcount())));
            return {End::Http, status, detail};
        }
        StreamCounters::bump(_counters.connections);
        _counters.state = StreamCounters::State::Streaming;
        Poco::Logger::get("birdgate.stream").information("%s: connected", _prefix);

        // badbit rethrows what the socket threw, so a stall (TimeoutException)
        // is told apart from the server closing the stream (EOF).
        in.exceptions(std::ios::badbit);
        bool healthy = false;
        std::uint64_t keepAlives = _framer.keepAlives();
        static constexpr std::size_t CHUNK = 64 * 1024;
        std::unique_ptr<char[]> buf(new char[CHUNK]);
        while (!stop.stop_requested())
        {
            if (in.peek() == std::char_traits<char>::eof()) break; // blocks until bytes, EOF or an error
            std::streamsize n = in.readsome(buf.get(), static_cast<std::streamsize>(CHUNK));
            if (n <= 0) continue;
            if (!healthy)
            {
                // Twitter's rule: the waits start over once a connection works.
                _backoff.onHealthy();
                healthy = true;
            }
            StreamCounters::bump(_counters.bytes, static_cast<std::uint64_t>(n));
            _framer.feed(buf.get(), static_cast<std::size_t>(n));
            if (_framer.keepAlives() != keepAlives)
            {
                StreamCounters::bump(_counters.keepAlives, _framer.keepAlives() - keepAlives);
                keepAlives = _framer.keepAlives();
            }
            auto now = _clock.steadyNow();
            if (now >= _nextFlushTick)
            {
                _sink->flush(false, _prefix); // lets `flush: N` sync a stream that is quiet
                _nextFlushTick = now + _settings.flushTick;
            }
        }
        if (stop.stop_requested()) return {End::Stopped, 0, "stopped"};
        result = {End::Network, 0, "the server closed the stream"};
    }
    catch (const Poco::TimeoutException&)
    {
        result = {End::Stall, 0,
                  "no data for " + describeWait(_settings.stallTimeout) + " (stall_timeout)"};
    }
    catch (const Poco::Exception& e)
    {
        result = {End::Network, 0, e.displayText()};
    }
    catch (const std::exception& e)
    {
        result = {End::Network, 0, e.what()};
    }
    if (stop.stop_requested() || connection->interrupted()) return {End::Stopped, 0, "stopped"};
    if (_framer.buffered() > 0) result.detail += " (a partial message of " + std::to_string(_framer.buffered()) +
                                                 " bytes was dropped)";
    return result;
}

void TwitterStream::onMessage(std::string_view message)
{
    Poco::Logger& log = Poco::Logger::get("birdgate.stream");
    MessageInfo info = StreamMessage::inspect(message);
    switch (info.kind)
    {
    case MessageKind::Tweet:
        if (_sink->write(message, _clock, _stopToken, _counters, _prefix) == StreamSinkWriter::Outcome::Written)
            StreamCounters::bump(_counters.tweets);
        break;
    case MessageKind::Delete:
        StreamCounters::bump(_counters.deletes);
        break;
    case MessageKind::Limit:
        StreamCounters::bump(_counters.limits);
        // limit.track counts every undelivered tweet since the connection
        // opened: add what is new since the last notice, not the total.
        if (info.limitTrack > _connectionLimitTrack)
        {
            StreamCounters::bump(_counters.limitDropped, info.limitTrack - _connectionLimitTrack);
            _connectionLimitTrack = info.limitTrack;
        }
        if (_counters.limits.load(std::memory_order_relaxed) % 100 == 1)
            log.information("%s: Twitter held back tweets: %s so far on this connection (limit notice)", _prefix,
                            std::to_string(info.limitTrack));
        break;
    case MessageKind::Warning:
        StreamCounters::bump(_counters.warnings);
        log.warning("%s: Twitter warns: %s", _prefix, preview(info.code));
        break;
    case MessageKind::Disconnect:
        StreamCounters::bump(_counters.disconnects);
        log.warning("%s: Twitter disconnects us: code %d %s", _prefix, info.disconnectCode, preview(info.reason));
        break;
    case MessageKind::Control:
        StreamCounters::bump(_counters.controls);
        break;
    case MessageKind::NotJson:
        StreamCounters::bump(_counters.notJson);
        // The first ten, then one in a thousand: a broken upstream must not
        // flood the log.
        if (_notJsonLogged < 10 || _notJsonLogged % 1000 == 0)
            log.warning("%s: skipped a message that is not a JSON object (%z bytes): %s", _prefix, message.size(),
                        preview(message));
        ++_notJsonLogged;
        break;
    }
}

} // namespace birdgate
