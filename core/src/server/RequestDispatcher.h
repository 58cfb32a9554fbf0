// The Poco side of request handling: a factory whose per-request handler is
// a thin adapter that routes and calls the long-lived Endpoint. It also turns
// an exception escaping an endpoint into a 500 JSON error, so one bad request
// never takes the server down.
#pragma once

#include "birdgate/ops/AccessLog.h"
#include "server/Router.h"

#include <Poco/Net/HTTPRequestHandlerFactory.h>

#include <atomic>
#include <memory>

namespace birdgate
{

class RequestDispatcher : public Poco::Net::HTTPRequestHandlerFactory
{
public:
    /// `accessLog` may be null (no access log).
    RequestDispatcher(std::shared_ptr<const Router> router, std::shared_ptr<AccessLog> accessLog);

    Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest& request) override;

    /// Requests served so far (for /metrics later and tests).
    unsigned long long served() const { return _served.load(); }

private:
    std::shared_ptr<const Router> _router;
    std::shared_ptr<AccessLog> _accessLog;
    std::atomic<unsigned long long> _served{0};
};

} // namespace birdgate
