// The Poco TLS client context of a stream's connection (StreamConnection):
// system CA store, peer and host-name verification, never turned off. The
// request/response pool (UpstreamPool) has its own, on Asio.
#pragma once

#include <Poco/Net/Context.h>

namespace birdgate
{

/// One context for the process, made on first use.
Poco::Net::Context::Ptr streamTlsContext();

} // namespace birdgate
