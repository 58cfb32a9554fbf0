// One long-lived HTTP(S) connection of a TwitterStream that another thread
// can interrupt at any moment: in the TCP connect, the TLS handshake, while
// waiting for the answer or in a read that would block for stall_timeout.
//
// Why not a plain Poco HTTP(S)ClientSession: those create their socket
// lazily inside sendRequest(), so until then there is no descriptor another
// thread could shut down, and a hanging connect would hold SIGTERM for its
// whole timeout. Here the socket is created first, its descriptor published
// under a mutex, and only then connected; interrupt() calls shutdown(2) on
// it, which wakes every blocking call on that socket at once (close(2) from
// another thread would not be safe: the number could be reused). TLS goes
// over the same descriptor (SecureStreamSocket::attach), verified against
// streamTlsContext() (StreamTls.h), peer name included.
//
// The owning thread uses open(), then session(); interrupt() is the only
// method other threads may call.
#pragma once

#include "birdgate/twitter/Upstream.h"

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Timespan.h>

#include <memory>
#include <mutex>

namespace birdgate
{

class StreamConnection
{
  public:
    /// `receiveTimeout` bounds every wait for bytes (the stall timeout).
    StreamConnection(UpstreamTarget target, Poco::Timespan connectTimeout, Poco::Timespan receiveTimeout);
    ~StreamConnection();

    StreamConnection(const StreamConnection&) = delete;
    StreamConnection& operator=(const StreamConnection&) = delete;

    /// Resolves, connects (and handshakes for https). Throws a Poco exception
    /// on failure, or Poco::Net::NetException("interrupted") after interrupt().
    void open();

    /// The HTTP session over the open socket (open() first).
    Poco::Net::HTTPClientSession& session();

    /// From any thread: wakes whatever the owning thread is blocked in and
    /// makes every later read end. Idempotent.
    void interrupt();

    bool interrupted() const;

    const UpstreamTarget& target() const { return _target; }

  private:
    UpstreamTarget _target;
    Poco::Timespan _connectTimeout;
    Poco::Timespan _receiveTimeout;
    Poco::Net::StreamSocket _socket;
    std::unique_ptr<Poco::Net::HTTPClientSession> _session;
    mutable std::mutex _mutex;
    int _fd = -1;              // guarded by _mutex: published for interrupt()
    bool _interrupted = false; // guarded by _mutex
};

} // namespace birdgate
