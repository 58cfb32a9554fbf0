// TRANSITIONAL: an Endpoint still written against Poco's request and
// response. The Poco server calls handle(); endpoints already converted to
// serve() run through the same server by a bridge (RequestDispatcher). This
// header goes away once every handler is a coroutine and the server is Beast.
#pragma once

#include "birdgate/server/Endpoint.h"

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include <stdexcept>

namespace birdgate
{

class LegacyEndpoint : public Endpoint
{
public:
    virtual void handle(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response,
                        const RouteMatch& match) = 0;

    Task<void> serve(Request&, Answer&, const RouteMatch&) override
    {
        throw std::logic_error("this endpoint is served through Poco's server only");
    }
};

} // namespace birdgate
