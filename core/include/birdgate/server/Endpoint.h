// An Endpoint is what one `url:` entry becomes at start-up: the long-lived,
// immutable configuration object that serves every request routed to it.
// Poco creates a fresh HTTPRequestHandler per request; that object is only a
// thin adapter that calls Endpoint::handle (see RequestDispatcher).
#pragma once

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include <string>
#include <vector>

namespace birdgate
{

/// What the router found: the url entry's name and the regex groups
/// (groups[0] is the whole matched path, groups[1] the API path, ...).
struct RouteMatch
{
    std::string urlName;
    std::string path; // request path, percent-encoded as received, without query
    std::vector<std::string> groups;
};

class Endpoint
{
public:
    virtual ~Endpoint() = default;

    /// Serves one request. Must be thread-safe: many server threads call it at once.
    virtual void handle(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response,
                        const RouteMatch& match) = 0;

    /// Called once when the server begins shutting down, before in-flight
    /// requests are drained: end answers that never finish by themselves
    /// (a stream), so the drain does not wait for them.
    virtual void shutdown() {}
};

} // namespace birdgate
