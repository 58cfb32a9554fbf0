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

#include <atomic>
#include <memory>
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

    /// The streams, in schedule order (for tests and /metrics).
    const std::vector<std::unique_ptr<TwitterStream>>& streams() const { return _streams; }

    /// The bound port (useful with port 0).
    int port() const;
    /// The admin listener's bound port; 0 when there is none.
    int adminPort() const;

    /// The /metrics counters (the reload code counts its reloads here:
    /// metrics().configReload(ok)).
    Metrics& metrics() { return *_metrics; }

    /// Warnings gathered while building (unknown keys and the like).
    const std::vector<std::string>& warnings() const { return _warnings; }

  private:
    std::shared_ptr<Endpoint> makeEndpoint(const UrlEntry& entry);
    void startAdmin();

    Config _config;
    std::vector<std::string> _warnings;
    Services _services;
    std::shared_ptr<Router> _router;
    std::shared_ptr<AccessLog> _accessLog; // null when app.access_log is empty
    std::shared_ptr<Metrics> _metrics;
    std::unique_ptr<HttpServer> _server;
    std::unique_ptr<HttpServer> _admin; // null without app.admin
    std::atomic<bool> _draining{false}; // stop() began: /readyz says so
    std::vector<std::unique_ptr<TwitterStream>> _streams;
    unsigned _ioThreads = 1; // app.threads, resolved
    bool _stopped = false;
};

} // namespace birdgate
