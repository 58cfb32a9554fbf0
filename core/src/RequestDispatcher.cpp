// RequestDispatcher; see RequestDispatcher.h.
#include "birdgate/RequestDispatcher.h"

#include "birdgate/HttpErrors.h"

#include <Poco/Logger.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

namespace birdgate
{
namespace
{
class Adapter : public Poco::Net::HTTPRequestHandler
{
public:
    Adapter(const Router& router, std::atomic<unsigned long long>& served) : _router(router), _served(served) {}

    void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override
    {
        ++_served;
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
            endpoint->handle(request, response, match);
        }
        catch (const std::exception& e)
        {
            Poco::Logger::get("birdgate").error("url %s: %s", match.urlName, std::string(e.what()));
            if (!response.sent()) sendJsonError(response, 500, "internal error in url " + match.urlName);
        }
    }

private:
    const Router& _router;
    std::atomic<unsigned long long>& _served;
};
} // namespace

RequestDispatcher::RequestDispatcher(std::shared_ptr<const Router> router) : _router(std::move(router)) {}

Poco::Net::HTTPRequestHandler* RequestDispatcher::createRequestHandler(const Poco::Net::HTTPServerRequest&)
{
    return new Adapter(*_router, _served);
}

} // namespace birdgate
