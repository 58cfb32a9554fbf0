// HttpServer: birdgate's own event-driven HTTP/1.1 (and HTTPS) listener on
// Boost.Beast/Asio, written as C++20 coroutines (DESIGN.md 1, 7, 8).
//
// Shaped like nginx: one io_context per I/O thread, each running its own
// connections start to end, with no queue shared between threads and no lock
// on the request path; the acceptor hands accepted sockets to the threads in
// turn. A connection parses with RequestHead (strict, see there), routes with
// the Router and runs the Endpoint's serve() coroutine on its own thread.
// Timeouts are deadlines checked by a per-thread ticker, so a request arms no
// timer. Everything Asio stays behind the pimpl: this header is cheap.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

namespace birdgate
{

class Router;
class AccessLog;
class Metrics;

struct ServerOptions
{
    std::string host = "127.0.0.1";
    int port = 0;                                     // 0: any free port (see HttpServer::port())
    unsigned threads = 0;                             // I/O threads; 0: one per core
    std::size_t maxConnections = 10000;               // beyond it, new ones wait in the kernel's accept queue
    std::chrono::milliseconds headerTimeout{10000};   // whole request head (and TLS handshake, body reads)
    std::chrono::milliseconds keepaliveTimeout{5000}; // idle between requests
    std::chrono::milliseconds sendTimeout{30000};     // a client that does not read an answer
    std::size_t maxHeaderBytes = 16384;               // request line + header fields; beyond: 431
    std::string tlsCert, tlsKey;                      // PEM files; both empty: plain HTTP
    int backlog = 1024;
};

class HttpServer
{
  public:
    /// `metrics`: requests no route matches count under its url="-" (routed
    /// ones count through their RouteMatch); null: nothing counted.
    HttpServer(ServerOptions options, std::shared_ptr<const Router> router, std::shared_ptr<AccessLog> accessLog,
               std::shared_ptr<Metrics> metrics = nullptr);
    ~HttpServer(); // stop()s
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    /// Binds and listens (std::runtime_error with a clear message on failure:
    /// bad address, port in use, unreadable certificate), starts the I/O threads.
    void start();
    /// The bound port (the real one when options.port was 0).
    int port() const;
    /// Closes the listening socket at once: new connections are refused.
    void stopAccepting();
    /// Waits up to `limit` for requests in flight to finish (each connection
    /// closes after its current answer), closing idle keep-alive connections.
    /// True when every connection is gone.
    bool drain(std::chrono::milliseconds limit);
    /// Closes everything and joins the I/O threads. Idempotent.
    void stop();
    /// Open client connections.
    std::size_t connections() const;
    /// Routes new requests with `router` (a reload); requests in flight
    /// finish with the one they started with.
    void setRouter(std::shared_ptr<const Router> router);

    struct Impl;

  private:
    std::unique_ptr<Impl> _impl;
};

} // namespace birdgate
