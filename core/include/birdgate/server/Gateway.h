// The whole server, built from a Config: services, one Endpoint per url
// entry, the router and Poco's HTTPServer, and one TwitterStream per
// `schedule:` entry with `function: TwitterStream`. main() runs one in the
// foreground; tests can run one in-process on port 0.
#pragma once

#include "birdgate/config/Config.h"
#include "birdgate/ops/AccessLog.h"
#include "birdgate/server/Services.h"
#include "server/Router.h"

#include <memory>
#include <string>
#include <vector>

namespace birdgate
{

class TwitterStream;
class HttpServer;

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

    /// Warnings gathered while building (unknown keys and the like).
    const std::vector<std::string>& warnings() const { return _warnings; }

  private:
    std::shared_ptr<Endpoint> makeEndpoint(const UrlEntry& entry);

    Config _config;
    std::vector<std::string> _warnings;
    Services _services;
    std::shared_ptr<Router> _router;
    std::shared_ptr<AccessLog> _accessLog; // null when app.access_log is empty
    std::unique_ptr<HttpServer> _server;
    std::vector<std::unique_ptr<TwitterStream>> _streams;
    unsigned _ioThreads = 1; // app.threads, resolved
    bool _stopped = false;
};

} // namespace birdgate
