// Gateway; see Gateway.h.
#include "birdgate/server/Gateway.h"

#include "birdgate/cache/ResponseCache.h"
#include "birdgate/common/WorkerPool.h"
#include "birdgate/ops/Logging.h"
#include "birdgate/ops/Metrics.h"
#include "birdgate/plugin/PluginHost.h"
#include "birdgate/plugin/TransformPool.h"
#include "birdgate/server/HandlerTable.h"
#include "birdgate/server/HttpServer.h"
#include "birdgate/session/SessionManager.h"
#include "birdgate/session/Store.h"
#include "birdgate/stream/TwitterStream.h"
#include "birdgate/twitter/UpstreamPool.h"
#include "login/LoginRequired.h"
#include "ops/AdminEndpoint.h"

#include <Poco/Logger.h>
#include <Poco/Thread.h>

#include <algorithm>
#include <chrono>
#include <regex>
#include <thread>

namespace birdgate
{
namespace
{
/// What makes two url entries the same endpoint across a reload: the handler,
/// the pattern (the sandbox mounts under it), every kwarg and cache key
/// (variables already expanded) and `auth:` (a url that gains `auth: true`
/// must get its login check, never keep the open endpoint).
std::string urlDefinition(const UrlEntry& entry)
{
    return entry.handler + '\n' + entry.pattern + '\n' + YAML::Dump(entry.kwargs) + '\n' + YAML::Dump(entry.cache) +
           "\nauth:" + (entry.authRequired ? "true " + entry.authLoginUrl : "false");
}

std::string scheduleDefinition(const ScheduleEntry& entry)
{
    return entry.function + '\n' + (entry.startup ? "startup" : "") + '\n' + YAML::Dump(entry.kwargs);
}

/// The value of `key` in map `node`, or an undefined node (yaml-cpp's
/// operator[] on a missing key throws for a const node).
YAML::Node childOf(const YAML::Node& node, const std::string& key)
{
    if (node.IsDefined() && node.IsMap())
        for (const auto& kv : node)
            if (kv.first.Scalar() == key) return kv.second;
    return YAML::Node(YAML::NodeType::Undefined);
}

/// A url entry's /metrics labels: its name and its transforms' names.
Metrics::UrlSpec metricsSpec(const UrlEntry& entry)
{
    Metrics::UrlSpec spec{entry.name, {}};
    if (const YAML::Node transforms = childOf(entry.kwargs, "transform"); transforms.IsDefined() && transforms.IsMap())
        for (const auto& t : transforms) spec.transforms.push_back(t.first.Scalar());
    return spec;
}

/// The messages a stream counted, by birdgate_stream_messages_total's kind.
std::vector<std::pair<std::string, std::uint64_t>> messageKinds(const StreamCounters::Snapshot& s)
{
    return {{"tweet", s.tweets},         {"delete", s.deletes},         {"limit", s.limits},
            {"warning", s.warnings},     {"disconnect", s.disconnects}, {"control", s.controls},
            {"keepalive", s.keepAlives}, {"not_json", s.notJson},       {"framing_error", s.framingErrors},
            {"sink_error", s.sinkErrors}};
}
} // namespace

Gateway::Gateway(const Config& config) : _config(config), _warnings(config.warnings)
{
    _services.config = &_config;
    _services.upstreams = std::make_shared<UpstreamPool>();
    unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    _ioThreads = _config.app.threads == 0 ? cores : static_cast<unsigned>(_config.app.threads);
    if (_ioThreads > 4 * cores)
    {
        // Old configs counted connections here (one Poco thread each); now a
        // few I/O threads serve any number of connections, and hundreds of
        // them would only add context switches.
        _warnings.push_back(_config.mainFile + ": app.threads: " + std::to_string(_ioThreads) + " capped to " +
                            std::to_string(4 * cores) +
                            ": it is now the number of I/O threads (default: one per core), not of "
                            "connections served at once; app.max_connections bounds connections");
        _ioThreads = 4 * cores;
    }
    unsigned workers = _config.app.workers == 0 ? std::max(8u, 4 * cores) : static_cast<unsigned>(_config.app.workers);
    _services.workers = std::make_shared<WorkerPool>(workers);
    _services.warnings = &_warnings;
    std::string store = _config.app.store;
    try
    {
        _services.store = Store::open(store, _config.app.secret, &_warnings);
    }
    catch (const std::exception& e)
    {
        throw ConfigError(_config.mainFile, 0, "app.store", std::string("a usable store (") + e.what() + ")");
    }
    _services.sessions = std::make_shared<SessionManager>(_services.store, _config.app.sessionExpiry);
    AccessLog::Format accessLogFormat = AccessLog::Format::Text;
    if (!AccessLog::parseFormat(_config.app.accessLogFormat, accessLogFormat))
        throw ConfigError(_config.mainFile, 0, "app.access_log_format",
                          "text or json (found " + _config.app.accessLogFormat + ")");
    if (const YAML::Node admin = childOf(_config.app.raw, "admin");
        admin.IsDefined() && admin.IsMap() && !childOf(admin, "port").IsDefined())
        throw ConfigError(_config.mainFile, 0, "app.admin.port",
                          "the admin listener's port (0 picks a free one; -1: no admin listener)");
    if (_config.app.adminPort > 0 && _config.app.adminPort == _config.app.port)
        throw ConfigError(_config.mainFile, 0, "app.admin.port",
                          "a port other than app.listen.port (the admin paths are never served on the public port)");
    if (const std::string& host = _config.app.adminHost;
        _config.app.adminPort >= 0 && host != "localhost" && !host.starts_with("127.") && host != "::1")
        _warnings.push_back(_config.mainFile + ": app.admin.host: " + host +
                            " is not a loopback address: /metrics and /readyz will be reachable from the network "
                            "(they have no authentication)");
    if (!_config.app.accessLog.empty())
    {
        try
        {
            _accessLog = std::make_shared<AccessLog>(_config.app.accessLog, accessLogFormat);
        }
        catch (const std::exception& e)
        {
            throw ConfigError(_config.mainFile, 0, "app.access_log",
                              std::string("a writable file or - (") + e.what() + ")");
        }
    }
    _services.plugins = std::make_shared<PluginHost>(_config.app.plugins);
    _services.cache = std::make_shared<ResponseCache>(static_cast<size_t>(_config.app.cacheSize));
    _services.transforms = std::make_shared<TransformPool>(static_cast<unsigned>(_config.app.transformThreads));
    std::vector<Metrics::UrlSpec> specs;
    for (const auto& entry : _config.urls) specs.push_back(metricsSpec(entry));
    _metrics = std::make_shared<Metrics>(specs, BIRDGATE_VERSION);
    _router = buildRouter(_config.urls, {}, _mounted);
    // After the endpoints, so the same start-up reports every config error.
    std::lock_guard<std::mutex> lock(_streamsMutex);
    for (const auto& entry : _config.schedules)
    {
        if (entry.function == "TwitterStream")
            _streams.push_back(Scheduled{scheduleDefinition(entry), TwitterStream::create(entry, _services)});
        else // a pasted Gramex schedule of a Python function: say so, run the rest
            _warnings.push_back(entry.origin.file + ":" + std::to_string(entry.line) + ": schedule." + entry.name +
                                ": function " + entry.function +
                                " is not one birdgate runs (only TwitterStream); ignored");
    }
}

std::shared_ptr<Router> Gateway::buildRouter(const std::vector<UrlEntry>& urls,
                                             const std::map<std::string, Mounted>& reuse,
                                             std::map<std::string, Mounted>& mounted)
{
    auto router = std::make_shared<Router>();
    for (const auto& entry : urls)
    {
        Mounted m{urlDefinition(entry), nullptr};
        auto old = reuse.find(entry.name);
        m.endpoint =
            old != reuse.end() && old->second.definition == m.definition ? old->second.endpoint : makeEndpoint(entry);
        try
        {
            // Counters exist for the start-up url entries (a name added by a
            // reload gets none: it is not counted until a restart).
            router->add(entry.name, entry.pattern, entry.priority, entry.order, m.endpoint, _metrics->url(entry.name));
        }
        catch (const std::regex_error& e)
        {
            throw ConfigError(entry.origin.file, entry.line, "url." + entry.name + ".pattern",
                              std::string("a valid regular expression (") + e.what() + ")");
        }
        mounted[entry.name] = std::move(m);
    }
    router->finish();
    return router;
}

std::vector<std::shared_ptr<TwitterStream>> Gateway::streams() const
{
    std::lock_guard<std::mutex> lock(_streamsMutex);
    std::vector<std::shared_ptr<TwitterStream>> out;
    for (const auto& s : _streams) out.push_back(s.stream);
    return out;
}

void Gateway::prepareBeforeStart(TwitterStream& stream)
{
    try
    {
        stream.prepare();
    }
    catch (const StreamTransientError& e)
    {
        Poco::Logger::get("birdgate")
            .warning("stream %s: %s; the stream will try again before connecting", stream.settings().name,
                     std::string(e.what()));
    }
}

std::vector<std::string> Gateway::reload(const Config& fresh)
{
    std::vector<std::string> notes;
    if (YAML::Dump(fresh.app.raw) != YAML::Dump(_config.app.raw))
        notes.push_back(fresh.mainFile + ": app: changed; app settings are read at start only: restart to apply them "
                                         "(url: and schedule: were reloaded)");
    // 1. Build everything new, touching nothing that runs: any error leaves
    //    the running set as it was.
    const std::size_t warned = _warnings.size(); // endpoints add theirs to _warnings as they are built
    std::map<std::string, Mounted> mounted;
    std::shared_ptr<Router> router;
    std::vector<Scheduled> streams;
    std::vector<std::shared_ptr<TwitterStream>> started; // new ones, to start after the swap
    try
    {
        router = buildRouter(fresh.urls, _mounted, mounted);
        std::map<std::string, Scheduled> old;
        {
            std::lock_guard<std::mutex> lock(_streamsMutex);
            for (const auto& s : _streams) old[s.stream->settings().name] = s;
        }
        for (const auto& entry : fresh.schedules)
        {
            if (entry.function != "TwitterStream") continue; // warned about at start
            Scheduled s{scheduleDefinition(entry), nullptr};
            auto same = old.find(entry.name);
            if (same != old.end() && same->second.definition == s.definition)
                s.stream = same->second.stream;
            else
            {
                s.stream = TwitterStream::create(entry, _services);
                if (s.stream->settings().startup)
                {
                    prepareBeforeStart(*s.stream);
                    started.push_back(s.stream);
                }
            }
            streams.push_back(std::move(s));
        }
    }
    catch (...)
    {
        _warnings.resize(warned);
        throw;
    }
    notes.insert(notes.end(), fresh.warnings.begin(), fresh.warnings.end());
    notes.insert(notes.end(), _warnings.begin() + static_cast<std::ptrdiff_t>(warned), _warnings.end());
    _warnings.resize(warned);

    // 2. Swap: new requests see the new router now; requests in flight keep
    //    the old one (and its endpoints) until their answers are done.
    if (_server) _server->setRouter(router);
    for (const auto& [name, m] : _mounted)
    {
        auto kept = mounted.find(name);
        if (kept == mounted.end() || kept->second.endpoint != m.endpoint) m.endpoint->shutdown();
    }
    _router = router;
    _mounted = std::move(mounted);
    std::vector<std::shared_ptr<TwitterStream>> retired;
    {
        std::lock_guard<std::mutex> lock(_streamsMutex);
        for (const auto& s : _streams)
            if (std::none_of(streams.begin(), streams.end(), [&](const Scheduled& n) { return n.stream == s.stream; }))
                retired.push_back(s.stream);
        _streams = std::move(streams);
    }
    // 3. Streams: the replaced ones flush, sync and stop before their
    //    successors connect (one connection per app, one writer per file).
    for (auto& s : retired) s->stop();
    if (_server)
        for (auto& s : started) s->start();
    _config.urls = fresh.urls;
    _config.schedules = fresh.schedules;
    return notes;
}

Gateway::~Gateway()
{
    if (_server && !_stopped) stop(0);
    for (auto& s : streams()) s->stop(); // started but never served (start() threw), or never started
}

std::shared_ptr<Endpoint> Gateway::makeEndpoint(const UrlEntry& entry)
{
    // The loader already checked the name when it was handed the table's
    // names (main does); a Config loaded without them is checked here, and
    // says it the same way.
    const HandlerFactory* factory = findHandler(entry.handler);
    if (!factory)
        throw ConfigError(entry.origin.file, entry.handlerLine ? entry.handlerLine : entry.line,
                          "url." + entry.name + ".handler", expectedHandler(handlerNames(), YAML::Node(entry.handler)));
    std::shared_ptr<Endpoint> endpoint = factory->make(entry, HandlerContext{_services, _config.app, &_warnings});
    // `auth: true`: logged-in sessions only (DESIGN.md 3.8), whatever the handler.
    if (entry.authRequired)
        endpoint = std::make_shared<LoginRequired>(std::move(endpoint), entry.authLoginUrl, _services.sessions,
                                                   _services.workers);
    return endpoint;
}

void Gateway::start()
{
    const AppConfig& app = _config.app;
    ServerOptions options;
    options.host = app.host;
    options.port = app.port;
    options.threads = _ioThreads;
    options.maxConnections = static_cast<std::size_t>(app.maxConnections);
    options.headerTimeout = std::chrono::seconds(app.headerTimeout);
    options.keepaliveTimeout = std::chrono::seconds(app.keepaliveTimeout);
    options.sendTimeout = std::chrono::seconds(app.sendTimeout);
    options.tlsCert = app.tlsCert;
    options.tlsKey = app.tlsKey;
    options.backlog = app.queue;
    _server = std::make_unique<HttpServer>(options, _router, _accessLog, _metrics);
    _server->start();
    // Before the streams: /readyz can watch them connect.
    startAdmin();
    // Rules (api 2) and follow names (api 1.1) first, all of them, so a rule
    // X rejects or an unknown name stops everything before any stream writes
    // a line. The server is already up because X may be answered by this
    // very process (the demo's sandbox).
    const std::vector<std::shared_ptr<TwitterStream>> all = streams();
    for (auto& s : all)
        if (s->settings().startup) prepareBeforeStart(*s);
    for (auto& s : all)
        if (s->settings().startup) s->start();
}

void Gateway::reopenLogs()
{
    if (_accessLog) _accessLog->reopen();
    logging::reopen();
}

int Gateway::port() const
{
    return _server ? _server->port() : 0;
}

int Gateway::adminPort() const
{
    return _admin ? _admin->port() : 0;
}

void Gateway::startAdmin()
{
    const AppConfig& app = _config.app;
    if (app.adminPort < 0) return;
    AdminEndpoint::Probes probes;
    probes.sample = [this] {
        Metrics::Sample sample;
        sample.connections = _server ? _server->connections() : 0;
        sample.cacheBytes = _services.cache->stats().bytes;
        for (const auto& s : streams())
        {
            const StreamCounters::Snapshot c = s->counters().snapshot();
            sample.streams.push_back(Metrics::StreamSample{
                s->settings().name, c.state == StreamCounters::State::Streaming, messageKinds(c), c.reconnects()});
        }
        return sample;
    };
    probes.check = [this] {
        std::vector<AdminEndpoint::NotReady> notReady;
        if (_draining.load())
            notReady.push_back({"listener", "public", "shutting down"});
        else if (!_server)
            notReady.push_back({"listener", "public", "not listening"});
        for (const auto& s : streams())
        {
            if (!s->settings().startup) continue;
            const StreamCounters::Snapshot c = s->counters().snapshot();
            if (c.state == StreamCounters::State::Streaming) continue;
            std::string why = StreamCounters::stateName(c.state);
            if (c.lastStatus) why += " (last HTTP status " + std::to_string(c.lastStatus) + ")";
            notReady.push_back({"stream", s->settings().name, why});
        }
        return notReady;
    };
    probes.store = _services.store;
    probes.workers = _services.workers;
    // The scheme only: the URL may hold a password.
    probes.storeName = app.store.substr(0, app.store.find(':'));
    auto endpoint = std::make_shared<AdminEndpoint>(_metrics, std::move(probes));
    auto router = std::make_shared<Router>();
    std::size_t order = 0;
    for (const std::string& path : AdminEndpoint::paths()) router->add(path.substr(1), path, 0, order++, endpoint);
    router->finish();
    ServerOptions options;
    options.host = app.adminHost;
    options.port = app.adminPort;
    options.threads = 1; // AdminEndpoint's store probe relies on it
    options.maxConnections = 64;
    options.headerTimeout = std::chrono::seconds(app.headerTimeout);
    options.keepaliveTimeout = std::chrono::seconds(app.keepaliveTimeout);
    options.sendTimeout = std::chrono::seconds(app.sendTimeout);
    options.backlog = 64;
    // No access log and no metrics: scrapes would drown the requests.
    _admin = std::make_unique<HttpServer>(options, router, nullptr, nullptr);
    try
    {
        _admin->start();
    }
    catch (const std::exception& e)
    {
        _admin.reset();
        throw std::runtime_error(std::string("admin listener: ") + e.what());
    }
    Poco::Logger::get("birdgate")
        .information("admin listener on http://%s:%d/ (/healthz /readyz /metrics)", app.adminHost, _admin->port());
}

void Gateway::stop(int drainSeconds)
{
    if (!_server || _stopped) return;
    _stopped = true;
    _draining = true;
    // New connections are refused at once; endpoints end the answers that
    // never finish by themselves (the sandbox's streams) so the drain does
    // not wait for them; then requests in flight get drainSeconds.
    _server->stopAccepting();
    for (const auto& e : _router->endpoints()) e->shutdown();
    if (!_server->drain(std::chrono::seconds(drainSeconds)))
        Poco::Logger::get("birdgate")
            .warning("stop: %z connections still busy after %d s; closing them", _server->connections(), drainSeconds);
    _server->stop();
    if (_admin) _admin->stop();
    // Streams after the HTTP side: each writes what it holds, syncs, closes.
    for (auto& s : streams()) s->stop();
    _services.transforms->stop();
    _services.workers->stop();
}

} // namespace birdgate
