// One connection of UpstreamPool to an upstream: a Beast tcp_stream,
// wrapped in TLS for https, plus the bytes read past the last parsed answer.
//
// Private to the pool (core/src/twitter). Plain and TLS connections share
// one type so the pool keeps one idle list; visit() hands the right stream
// to Beast's generic read/write algorithms. A connection belongs to the
// io_context it was opened on and is used by one coroutine at a time.
#pragma once

#include "birdgate/common/Task.h"
#include "birdgate/twitter/Upstream.h"

#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

namespace birdgate::upstream
{

class Connection
{
  public:
    using TlsStream = boost::beast::ssl_stream<boost::beast::tcp_stream>;

    /// Resolves, connects (and for https: handshakes, verifying the peer
    /// against the system CA store and the host name, SNI set) on the
    /// awaiting coroutine's executor. `timeout` bounds each step. Throws
    /// UpstreamTimeout or UpstreamUnreachable.
    static Task<std::unique_ptr<Connection>> open(const UpstreamTarget& target, std::chrono::milliseconds timeout);

    /// The TCP layer (timeouts, the socket).
    boost::beast::tcp_stream& tcp();

    /// Calls f(stream) with the stream to read and write: TLS or plain.
    template <class F> decltype(auto) visit(F&& f)
    {
        if (_tls) return f(*_tls);
        return f(*_plain);
    }

    /// True when nothing is waiting to be read: no bytes buffered past the
    /// last answer (here, in TLS) and the socket not readable (a readable
    /// idle socket means the upstream closed it or sent bytes nobody asked
    /// for). Only such a connection may carry another request.
    /// `probe`: also ask the socket (one poll(2)); without it only the bytes
    /// already read are checked.
    bool quiet(bool probe = true);

    /// Bytes read from the stream that the parser has not consumed yet.
    boost::beast::flat_buffer buffer;

    /// The process-wide TLS client context: system CA store, verify_peer.
    static boost::asio::ssl::context& tlsContext();

  private:
    std::optional<boost::beast::tcp_stream> _plain;
    std::optional<TlsStream> _tls;
};

} // namespace birdgate::upstream
