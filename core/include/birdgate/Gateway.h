// The whole server, built from a Config: services, one Endpoint per url
// entry, the router and Poco's HTTPServer. main() runs one in the foreground;
// tests can run one in-process on port 0.
#pragma once

#include "birdgate/Config.h"
#include "birdgate/RequestDispatcher.h"
#include "birdgate/Router.h"
#include "birdgate/Services.h"

#include <Poco/Net/HTTPServer.h>
#include <Poco/ThreadPool.h>

#include <memory>
#include <string>
#include <vector>

namespace birdgate
{

class Gateway
{
public:
    /// Builds every endpoint; throws ConfigError (nothing is listening then).
    explicit Gateway(const Config& config);
    ~Gateway();

    /// Binds and starts serving.
    void start();

    /// Stops accepting, lets in-flight requests finish (up to `drainSeconds`),
    /// then shuts the endpoints down.
    void stop(int drainSeconds = 10);

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
    std::unique_ptr<Poco::ThreadPool> _threads;
    std::unique_ptr<Poco::Net::HTTPServer> _server;
    bool _stopped = false;
};

} // namespace birdgate
