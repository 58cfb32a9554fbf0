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

#include "birdgate/common/HttpErrors.h"
#include "birdgate/config/YamlJson.h"
#include "birdgate/config/YamlScalars.h"
#include "birdgate/plugin/PluginError.h"
#include "birdgate/plugin/PluginHost.h"
#include "birdgate/plugin/SinkInstance.h"
#include "birdgate/server/Services.h"
#include "birdgate/stream/StreamMessage.h"
#include "stream/FollowResolver.h"
#include "stream/RulesSync.h"
#include "stream/StreamConnection.h"
#include "stream/StreamText.h"
#include "stream/V2Problem.h"
#include "stream/XRulesApi.h"

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
using namespace streamtext;

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

// api 2: the app's bearer, a literal or from {api_root}/oauth2/token.
std::shared_ptr<AppBearer> makeBearer(const StreamSettings& s, const std::shared_ptr<UpstreamPool>& upstreams)
{
    if (!s.v2()) return nullptr;
    if (!s.bearerToken.empty()) return AppBearer::literal(s.bearerToken);
    Poco::URI api(s.apiRoot);
    UpstreamTarget target{api.getScheme(), api.getHost(), api.getPort()};
    UpstreamLimits limits;
    limits.timeout = s.lookupTimeout;
    limits.maxAnswer = 1 << 20;
    std::string basePath = api.getPath();
    while (!basePath.empty() && basePath.back() == '/') basePath.pop_back();
    return AppBearer::clientCredentials(std::make_shared<TwitterClient>(target, upstreams), s.credentials.consumerKey,
                                        s.credentials.consumerSecret, limits, basePath);
}

std::string ruleLine(const StreamRule& rule)
{
    return rule.value + "  [tag " + rule.tag + "]";
}
} // namespace

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
            bool elsewhere =
                plugin == "jsonl_sink" && std::any_of(bundled.begin(), bundled.end(), [&](const std::string& folder) {
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
    _bearer = makeBearer(_settings, _upstreams);
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
    std::map<std::string, std::string> found = FollowResolver(_settings, _upstreams).lookup(names);
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

void TwitterStream::prepare()
{
    if (_settings.v2())
        syncRules();
    else
        resolveFollow();
}

void TwitterStream::syncRules()
{
    if (!_settings.v2() || _rulesSynced) return;
    Poco::Logger& log = Poco::Logger::get("birdgate.stream");
    for (std::size_t i = 0; i < _settings.rules.size(); ++i)
        log.information("%s: rule %z%s: %s", _prefix, i + 1,
                        std::string(i < _settings.configuredRules ? "" : " (from track/follow/locations)"),
                        ruleLine(_settings.rules[i]));
    XRulesApi api(_settings, _upstreams, _bearer);
    RulesPlan plan = RulesSync::plan(_settings.rules, api.list(), _settings.name);
    for (const auto& r : plan.foreign)
        log.information("%s: X also holds rule %s '%s' (tag '%s'), not birdgate's for this schedule: left alone",
                        _prefix, r.id, r.value, r.tag);
    for (const auto& r : plan.heldByForeign)
        log.warning("%s: rule '%s' is already on X under another tag: not added again", _prefix, r.value);
    try
    {
        RulesSync::apply(api, plan);
    }
    catch (const RulesRejected& e)
    {
        throw ConfigError(_settings.file, _settings.line, "schedule." + _settings.name + ".kwargs.rules",
                          "rules X accepts (" + std::string(e.what()) + ")");
    }
    for (const auto& r : plan.remove)
        log.information("%s: deleted rule %s '%s' (tag '%s'): no longer configured", _prefix, r.id, r.value, r.tag);
    for (const auto& r : plan.add) log.information("%s: added rule %s", _prefix, ruleLine(r));
    log.information("%s: rules in sync: %z kept, %z added, %z deleted, %z not birdgate's", _prefix, plan.kept.size(),
                    plan.add.size(), plan.remove.size(), plan.foreign.size());
    _rulesSynced = true;
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
    if (_settings.v2())
        log.information("%s: streaming %s (%z rules) into %s", _prefix, _settings.streamUrl, _settings.rules.size(),
                        _sink->name());
    else
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
        case End::Fatal:
            _counters.state = StreamCounters::State::Failed;
            log.error("%s: stopped for good: %s; fix the configuration and restart", _prefix, a.detail);
            return;
        case End::Http:
            if (_settings.v2())
            {
                if (!decideV2(a, d, kind)) return;
                break;
            }
            d = _backoff.onHttpStatus(a.status);
            if (d.action == ReconnectBackoff::Action::Stop)
            {
                _counters.state = StreamCounters::State::Failed;
                log.error("%s: stopped for good: Twitter answered %s; fix the configuration and restart (%s)", _prefix,
                          std::string(ReconnectBackoff::fatalReason(a.status)), a.detail);
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

bool TwitterStream::decideV2(const Attempt& a, ReconnectBackoff::Decision& d, std::string& kind)
{
    Poco::Logger& log = Poco::Logger::get("birdgate.stream");
    V2Problem problem = V2Problem::parse(a.body);
    const bool canRenew = _bearer && _bearer->renewable() && !_renewed;
    switch (ReconnectBackoff::classifyV2(a.status, problem.permanent(), canRenew))
    {
    case ReconnectBackoff::V2Action::Stop:
        _counters.state = StreamCounters::State::Failed;
        log.error("%s: stopped for good: X answered %d %s%s; fix the configuration and restart", _prefix, a.status,
                  problem.describe(), problem.type.empty() ? std::string() : " (" + problem.type + ")");
        return false;
    case ReconnectBackoff::V2Action::Renew:
        try
        {
            _token = _bearer->renewBlocking(_token);
            _renewed = true;
            kind = "HTTP 401, bearer token renewed";
            d = {ReconnectBackoff::Action::Retry, std::chrono::milliseconds(0)};
        }
        catch (const BearerError& e)
        {
            _counters.state = StreamCounters::State::Failed;
            log.error("%s: stopped for good: X answered 401 and refused a new bearer token (%s)", _prefix,
                      std::string(e.what()));
            return false;
        }
        catch (const std::exception& e)
        {
            d = _backoff.onNetworkError();
            kind = "HTTP 401, bearer renewal failed (" + std::string(e.what()) + ")";
        }
        StreamCounters::bump(_counters.reconnectsHttp);
        return true;
    case ReconnectBackoff::V2Action::Retry:
        break;
    }
    d = _backoff.onHttpStatus(a.status);
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
    return true;
}

bool TwitterStream::resolveInThread(std::stop_token stop)
{
    bool pending;
    {
        std::lock_guard lock(_mutex);
        pending = _settings.v2() ? !_rulesSynced : !_settings.followNames.empty();
    }
    if (!pending) return true;
    Poco::Logger& log = Poco::Logger::get("birdgate.stream");
    _counters.state = StreamCounters::State::Resolving;
    while (!stop.stop_requested())
    {
        try
        {
            prepare();
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
            log.warning("%s: cannot %s yet (%s); retrying in %s", _prefix,
                        std::string(_settings.v2() ? "sync the rules" : "look follow names up"), std::string(e.what()),
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
    if (stop.stop_requested()) return {End::Stopped, 0, "stopped", {}};

    _counters.state = StreamCounters::State::Connecting;
    _framer.reset();
    _connectionLimitTrack = 0;
    _recentIds.clear();
    Attempt result;
    try
    {
        // TwitterClient builds and authorises it, as every request to X; the
        // stream keeps its own connection (and thread) to read it forever.
        TwitterCall call;
        std::unique_ptr<Authorizer> auth;
        if (_settings.v2())
        {
            try
            {
                if (_token.empty()) _token = _bearer->tokenBlocking();
            }
            catch (const BearerError& e)
            {
                return {End::Fatal, 0, "X refused the app a bearer token (" + std::string(e.what()) + ")", {}};
            }
            call.method = "GET";
            call.path = _path;
            call.query = _settings.v2Query;
            auth = std::make_unique<BearerAuthorizer>(_token);
        }
        else
        {
            call.method = "POST";
            call.path = _path;
            call.form = _settings.params();
            auth = std::make_unique<OAuth1Authorizer>(_settings.credentials);
        }
        connection->open();
        Poco::Net::HTTPClientSession& session = connection->session();
        UpstreamRequest wire = TwitterClient(_target, _upstreams).build(call, *auth);
        Poco::Net::HTTPRequest request(wire.method, wire.target, Poco::Net::HTTPMessage::HTTP_1_1);
        request.setHost(_target.host, static_cast<Poco::UInt16>(_target.port));
        for (const auto& field : wire.headers) request.set(field.name, field.value);
        if (!wire.body.empty() || wire.method == "POST")
            request.setContentLength(static_cast<std::streamsize>(wire.body.size()));
        request.setKeepAlive(true);
        session.sendRequest(request) << wire.body;
        Poco::Net::HTTPResponse response;
        std::istream& in = session.receiveResponse(response);
        const int status = static_cast<int>(response.getStatus());
        _counters.lastStatus = status;
        if (status != 200)
        {
            // A little of Twitter's explanation for the log (bounded; the
            // body never holds our secrets); v2 problem JSON is kept whole
            // up to 4 KB, to be read for its type.
            char buf[4096];
            in.read(buf, sizeof buf);
            const std::string_view body(buf, static_cast<std::size_t>(std::max<std::streamsize>(in.gcount(), 0)));
            std::string detail = std::to_string(status) + " " + response.getReason();
            if (!body.empty()) detail += ": " + preview(body);
            return {End::Http, status, detail, std::string(body)};
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
                _renewed = false;
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
        if (stop.stop_requested()) return {End::Stopped, 0, "stopped", {}};
        result = {End::Network, 0, "the server closed the stream", {}};
    }
    catch (const Poco::TimeoutException&)
    {
        result = {End::Stall, 0, "no data for " + describeWait(_settings.stallTimeout) + " (stall_timeout)", {}};
    }
    catch (const Poco::Exception& e)
    {
        result = {End::Network, 0, e.displayText(), {}};
    }
    catch (const std::exception& e)
    {
        result = {End::Network, 0, e.what(), {}};
    }
    if (stop.stop_requested() || connection->interrupted()) return {End::Stopped, 0, "stopped", {}};
    if (_framer.buffered() > 0)
        result.detail += " (a partial message of " + std::to_string(_framer.buffered()) + " bytes was dropped)";
    return result;
}

void TwitterStream::onMessage(std::string_view message)
{
    Poco::Logger& log = Poco::Logger::get("birdgate.stream");
    MessageInfo info = StreamMessage::inspect(message);
    switch (info.kind)
    {
    case MessageKind::Tweet:
        if (_settings.v2())
        {
            if (!info.hasData)
            {
                // v2 delivers tweets under "data": any other object is not one.
                StreamCounters::bump(_counters.controls);
                if (_otherLogged++ < 10)
                    log.warning("%s: skipped an object without data: %s", _prefix, preview(message));
                break;
            }
            if (!info.dataId.empty() && !_recentIds.insert(info.dataId))
            {
                StreamCounters::bump(_counters.duplicates);
                break;
            }
        }
        if (_sink->write(message, _clock, _stopToken, _counters, _prefix) == StreamSinkWriter::Outcome::Written)
            StreamCounters::bump(_counters.tweets);
        break;
    case MessageKind::Errors:
        onErrors(message);
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

void TwitterStream::onErrors(std::string_view message)
{
    // X's {"errors":[...]} on an open stream: operational-disconnect (X then
    // closes), or a problem with one message. Rare, so parsed whole.
    StreamCounters::bump(_counters.errors);
    const std::uint64_t n = _counters.errors.load(std::memory_order_relaxed);
    if (n <= 10 || n % 1000 == 0)
    {
        V2Problem p = V2Problem::parse(message);
        Poco::Logger::get("birdgate.stream")
            .warning("%s: X reports: %s%s", _prefix, p.describe(),
                     p.type.empty() ? std::string() : " (" + p.type + ")");
    }
}

} // namespace birdgate
