// The whole server, built from a Config: services, one Endpoint per url
// entry, the router and the HttpServer, one TwitterStream per `schedule:`
// entry with `function: TwitterStream`, the /metrics counters, and, with
// `app.admin`, a second HttpServer for /healthz /readyz /metrics whose router
// holds only those paths (so neither listener serves the other's). main()
// runs one in the foreground; tests can run one in-process on port 0.
#pragma once

#include "birdgate/config/Config.h"
#include "birdgate/ops/AccessLog.h"
#include "birdgate/server/Services.h"
#include "server/Router.h"

#include "birdgate/common/ThreadAnnotations.h"

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace birdgate
{

class TwitterStream;
class HttpServer;
class Metrics;

class Gateway
{
  public:
    /// Builds every endpoint and stream; throws ConfigError (nothing is
    /// listening then).
    explicit Gateway(const Config& config);
    ~Gateway();

    /// Binds and starts serving, then starts the `startup: true` streams
    /// (after looking their follow names up: a name Twitter does not know
    /// throws ConfigError).
    void start();

    /// Stops accepting, ends the sandbox's streams, lets in-flight requests
    /// finish (up to `drainSeconds`), stops the streams (each flushed and
    /// synced), then shuts the endpoints down.
    void stop(int drainSeconds = 10);

    /// Applies a new configuration (SIGHUP, DESIGN 7). Everything is built
    /// first: a ConfigError (or any exception) leaves the running set as it
    /// was. Then new requests are routed by the new set at once, requests in
    /// flight finish on the old one, url entries and streams whose
    /// definition did not change keep their object (and a stream its
    /// connection), the others are replaced. `app:` is read once at start:
    /// a change there is reported in the returned notes and waits for a
    /// restart. Call from one thread at a time (main's signal loop).
    std::vector<std::string> reload(const Config& config);

    /// SIGUSR1: the access log (and birdgate's own log file) are opened
    /// again at their paths, after logrotate renamed them.
    void reopenLogs();

    /// The streams, in schedule order (for tests and /metrics): a snapshot,
    /// safe while a reload replaces some.
    std::vector<std::shared_ptr<TwitterStream>> streams() const;

    /// The bound port (useful with port 0).
    int port() const;
    /// The admin listener's bound port; 0 when there is none.
    int adminPort() const;

    /// The /metrics counters (a reload is counted with
    /// metrics().configReload(ok)). Url entries are those of the start-up
    /// config: one added by a reload is not counted until a restart.
    Metrics& metrics() { return *_metrics; }

    /// Warnings gathered while building (unknown keys and the like).
    const std::vector<std::string>& warnings() const { return _warnings; }

  private:
    struct Mounted
    {
        std::string definition; // what a reload compares (urlDefinition)
        std::shared_ptr<Endpoint> endpoint;
    };
    struct Scheduled
    {
        std::string definition; // scheduleDefinition
        std::shared_ptr<TwitterStream> stream;
    };

    std::shared_ptr<Endpoint> makeEndpoint(const UrlEntry& entry);
    void startAdmin();
    /// A router over `urls`, reusing `reuse`'s endpoints whose definition is
    /// unchanged; `mounted` receives what the router holds.
    std::shared_ptr<Router> buildRouter(const std::vector<UrlEntry>& urls, const std::map<std::string, Mounted>& reuse,
                                        std::map<std::string, Mounted>& mounted);
    /// Syncs a start-up stream's rules (api 2) or looks its follow names up
    /// (api 1.1): a rule X rejects or a name it does not know throws
    /// ConfigError; a network error only postpones it.
    static void prepareBeforeStart(TwitterStream& stream);

    Config _config; // app: as started; urls and schedules of the last load or reload
    std::vector<std::string> _warnings;
    Services _services;
    std::shared_ptr<Router> _router;
    std::map<std::string, Mounted> _mounted; // url name -> endpoint
    std::shared_ptr<AccessLog> _accessLog;   // null when app.access_log is empty
    std::shared_ptr<Metrics> _metrics;
    std::unique_ptr<HttpServer> _server;
    std::unique_ptr<HttpServer> _admin; // null without app.admin
    std::atomic<bool> _draining{false}; // stop() began: /readyz says so
    mutable std::mutex _streamsMutex;   // _streams is replaced by reload() while streams() reads it
    std::vector<Scheduled> _streams BIRDGATE_GUARDED_BY(_streamsMutex);
    unsigned _ioThreads = 1; // app.threads, resolved
    bool _stopped = false;
};

} // namespace birdgate
