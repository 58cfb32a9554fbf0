// TRANSITIONAL: runs a coroutine Endpoint (serve() over Request and Answer)
// on Poco's thread-per-connection server, until the Beast server replaces it.
// RequestDispatcher uses it for every converted endpoint, and tests that put
// an endpoint behind a Poco HTTPServer use the same function, so they see
// exactly what birdgate sends. It goes away with the Poco server.
#pragma once

#include "birdgate/server/Endpoint.h"

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

namespace birdgate
{

/// Builds a Request from Poco's, runs endpoint.serve() to completion on this
/// thread's own io_context (timers and worker-pool results resume on it) and
/// sends the Answer: buffered after serve() returns, or streamed as written.
/// An exception from serve() propagates (the caller answers 500).
void serveBridged(Endpoint& endpoint, Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response,
                  const RouteMatch& match);

} // namespace birdgate
