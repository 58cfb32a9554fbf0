// HttpConnection: one client connection of HttpServer, as one coroutine that
// reads requests, serves them in order and writes their answers (keep-alive,
// pipelining, HEAD, Expect: 100-continue, bodies, streamed answers).
//
// What a connection shares with its server is split by who touches it:
// ServerShared is read-only after start (plus atomics), IoWorker belongs to
// one I/O thread (its list of connections is only touched on that thread, so
// the ticker that enforces deadlines and drain()'s closing of idle
// connections need no lock). The connection class itself is a template over
// the stream (plain TCP or TLS) and lives in HttpConnection.cpp.
#pragma once

#include "birdgate/common/Task.h"
#include "birdgate/server/HttpServer.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>

namespace birdgate
{

class Router;
class AccessLog;
class Metrics;

/// What every connection of one server reads.
struct ServerShared
{
    ServerOptions options;
    // Swapped whole by a reload (HttpServer::setRouter); each request keeps
    // the one it was routed with until its answer is done.
    std::atomic<std::shared_ptr<const Router>> router;
    std::shared_ptr<AccessLog> accessLog;
    std::shared_ptr<Metrics> metrics;               // null: nothing counted (the admin listener)
    std::unique_ptr<boost::asio::ssl::context> tls; // null: plain HTTP
    std::atomic<bool> draining{false};
    std::atomic<std::size_t> connections{0};
    /// Called (on the connection's thread) after a connection closed.
    std::function<void()> onClosed;
};

/// The part of a connection its I/O thread's ticker and drain see.
class ConnectionBase
{
  public:
    using Clock = std::chrono::steady_clock;
    virtual ~ConnectionBase() = default;
    /// Ticker: past its deadline? Then cancel the pending I/O.
    virtual void checkDeadline(Clock::time_point now) = 0;
    /// drain(): close it now when it is idle between requests.
    virtual void closeIfIdle() = 0;
    /// stop(): close it now.
    virtual void closeNow() = 0;

    ConnectionBase* prev = nullptr; // the IoWorker's list
    ConnectionBase* next = nullptr;
};

/// One I/O thread: its io_context and the connections it runs.
struct IoWorker
{
    ConnectionBase* first = nullptr; // only touched on this worker's thread
    boost::asio::io_context ioc{1};

    void add(ConnectionBase* c);
    void remove(ConnectionBase* c);
    template <class F> void forEach(F f)
    {
        for (ConnectionBase* c = first; c;)
        {
            ConnectionBase* n = c->next; // f may remove c
            f(*c);
            c = n;
        }
    }
};

/// Runs one accepted connection to its end (TLS when shared.tls is set).
/// `shared.connections` was incremented by the acceptor; this decrements it.
Task<void> runHttpConnection(ServerShared& shared, IoWorker& worker, boost::asio::ip::tcp::socket socket);

} // namespace birdgate
