// RequestDispatcher; see RequestDispatcher.h.
#include "server/RequestDispatcher.h"

#include "birdgate/common/HttpErrors.h"
#include "birdgate/server/LegacyEndpoint.h"
#include "server/PocoBridge.h"

#include <Poco/Logger.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include <chrono>
#include <exception>

namespace birdgate
{
namespace
{
class Adapter : public Poco::Net::HTTPRequestHandler
{
public:
    Adapter(const Router& router, std::atomic<unsigned long long>& served, AccessLog* accessLog)
        : _router(router), _served(served), _accessLog(accessLog)
    {
    }

    void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override
    {
        ++_served;
        auto started = std::chrono::steady_clock::now();
        serve(request, response);
        if (_accessLog)
        {
            double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
            _accessLog->write(request.clientAddress().host().toString(), request.getMethod(), request.getURI(),
                              static_cast<int>(response.getStatus()),
                              response.hasContentLength() ? response.getContentLength64() : -1, ms);
        }
    }

private:
    void serve(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response)
    {
        const std::string& uri = request.getURI();
        std::string path = uri.substr(0, uri.find('?'));
        // An absolute-form target ("GET http://host/x") is not ours to proxy.
        if (path.empty() || path[0] != '/')
        {
            sendJsonError(response, 400, "request target must be a path");
            return;
        }
        RouteMatch match;
        Endpoint* endpoint = _router.route(path, match);
        if (!endpoint)
        {
            sendJsonError(response, 404, "no url matches " + path);
            return;
        }
        try
        {
            if (auto* legacy = dynamic_cast<LegacyEndpoint*>(endpoint))
                legacy->handle(request, response, match);
            else
                serveBridged(*endpoint, request, response, match);
        }
        catch (const std::exception& e)
        {
            Poco::Logger::get("birdgate").error("url %s: %s", match.urlName, std::string(e.what()));
            if (!response.sent()) sendJsonError(response, 500, "internal error in url " + match.urlName);
        }
    }

    const Router& _router;
    std::atomic<unsigned long long>& _served;
    AccessLog* _accessLog;
};
} // namespace

RequestDispatcher::RequestDispatcher(std::shared_ptr<const Router> router, std::shared_ptr<AccessLog> accessLog)
    : _router(std::move(router)), _accessLog(std::move(accessLog))
{
}

Poco::Net::HTTPRequestHandler* RequestDispatcher::createRequestHandler(const Poco::Net::HTTPServerRequest&)
{
    return new Adapter(*_router, _served, _accessLog.get());
}

} // namespace birdgate
