// An Endpoint is what one `url:` entry becomes at start-up: the long-lived,
// immutable configuration object that serves every request routed to it
// (DESIGN.md 1). The per-request state lives in the serve() coroutine's frame.
// It knows nothing of the HTTP library: it reads a Request and writes an
// Answer. Anything that blocks (store, plugins, files) goes to the worker
// pool (co_await workers.run(...)), never on the I/O thread that runs serve().
#pragma once

#include "birdgate/common/Task.h"
#include "birdgate/server/Answer.h"
#include "birdgate/server/Request.h"

#include <string>
#include <vector>

namespace birdgate
{

/// What the router found: the url entry's name and the regex groups
/// (groups[0] is the whole matched path, groups[1] the API path, ...).
class UrlMetrics;

struct RouteMatch
{
    std::string urlName;
    std::string path; // request path, percent-encoded as received, without query
    std::vector<std::string> groups;
    UrlMetrics* metrics = nullptr; // the url entry's /metrics counters (ops/Metrics.h); null: not counted
};

class Endpoint
{
  public:
    virtual ~Endpoint() = default;

    /// Serves one request. Runs on an I/O thread; many at once.
    /// An exception escaping it answers 500 (when nothing was sent yet).
    virtual Task<void> serve(Request& request, Answer& answer, const RouteMatch& match) = 0;

    /// Called once when the server begins shutting down, before in-flight
    /// requests are drained: end answers that never finish by themselves
    /// (a stream), so the drain does not wait for them.
    virtual void shutdown() {}

    /// True when this request starts or completes a login of this url (its
    /// login start and callback): `auth: true` never stands in front of
    /// those, or nobody could log in (DESIGN.md 3.8).
    virtual bool isLoginRequest(const Request& request, const RouteMatch& match) const
    {
        (void)request;
        (void)match;
        return false;
    }
};

} // namespace birdgate
