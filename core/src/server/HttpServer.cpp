// HttpServer; see HttpServer.h. The listener, the I/O threads and their
// tickers; a connection's life is in HttpConnection.cpp.
//
// The acceptor lives on the first I/O thread and accepts each socket
// straight into the io_context of the next thread in turn. At
// maxConnections it stops calling accept (the kernel queues the rest) until
// a connection closes and wakes it. Each thread's ticker walks only its own
// connections to enforce deadlines, so nothing on the request path is shared.
#include "birdgate/server/HttpServer.h"

#include "birdgate/ops/AccessLog.h"
#include "birdgate/ops/Metrics.h"
#include "server/HttpConnection.h"
#include "server/Router.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <Poco/Logger.h>

#include <openssl/ssl.h>

#include <algorithm>
#include <future>
#include <stdexcept>
#include <thread>
#include <vector>

#ifndef _WIN32
#include <sys/resource.h>
#endif

namespace birdgate
{
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace
{
const char* const INTERMEDIATE_CIPHERS =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
    "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384";

/// Each connection is a descriptor: raise the soft limit to the hard one.
// (Platform call; moves to ops/platform/ when that layer exists.)
void raiseOpenFilesLimit()
{
#ifndef _WIN32
    struct rlimit limit;
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
    if (limit.rlim_cur < limit.rlim_max)
    {
        rlimit raised = limit;
        raised.rlim_cur = limit.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
    }
    Poco::Logger::get("birdgate")
        .information("open files limit: %s (hard %s)", std::to_string(static_cast<unsigned long long>(limit.rlim_cur)),
                     std::to_string(static_cast<unsigned long long>(limit.rlim_max)));
#endif
}

std::unique_ptr<asio::ssl::context> makeTlsContext(const ServerOptions& options)
{
    if (options.tlsCert.empty() && options.tlsKey.empty()) return nullptr;
    if (options.tlsCert.empty() || options.tlsKey.empty())
        throw std::runtime_error("TLS needs both a certificate and a key file");
    auto context = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
    context->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                         asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1 |
                         asio::ssl::context::single_dh_use);
    if (SSL_CTX_set_cipher_list(context->native_handle(), INTERMEDIATE_CIPHERS) != 1)
        throw std::runtime_error("TLS: no usable cipher in the intermediate list");
    boost::system::error_code ec;
    context->use_certificate_chain_file(options.tlsCert, ec);
    if (ec) throw std::runtime_error("TLS certificate " + options.tlsCert + ": " + ec.message());
    context->use_private_key_file(options.tlsKey, asio::ssl::context::pem, ec);
    if (ec) throw std::runtime_error("TLS key " + options.tlsKey + ": " + ec.message());
    if (SSL_CTX_check_private_key(context->native_handle()) != 1)
        throw std::runtime_error("TLS key " + options.tlsKey + " does not match certificate " + options.tlsCert);
    return context;
}
} // namespace

struct HttpServer::Impl
{
    ServerShared shared;
    std::vector<std::unique_ptr<IoWorker>> workers;
    std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards;
    std::vector<std::thread> threads;
    std::unique_ptr<tcp::acceptor> acceptor;        // on workers[0]
    std::unique_ptr<asio::steady_timer> acceptWake; // on workers[0]: waits while at maxConnections
    std::atomic<bool> acceptPaused{false};
    std::atomic<bool> stopping{false};
    int port = 0;
    bool started = false;
    bool stopped = false;

    Task<void> acceptLoop()
    {
        std::size_t next = 0;
        while (acceptor && acceptor->is_open())
        {
            if (shared.connections.load() >= shared.options.maxConnections)
            {
                acceptPaused = true;
                if (shared.connections.load() >= shared.options.maxConnections)
                {
                    boost::system::error_code ec;
                    acceptWake->expires_at(asio::steady_timer::time_point::max());
                    co_await acceptWake->async_wait(asio::redirect_error(asio::use_awaitable, ec));
                }
                acceptPaused = false;
                continue;
            }
            IoWorker& worker = *workers[next++ % workers.size()];
            tcp::socket socket(worker.ioc);
            boost::system::error_code ec;
            co_await acceptor->async_accept(socket, asio::redirect_error(asio::use_awaitable, ec));
            if (ec)
            {
                if (ec == asio::error::operation_aborted || !acceptor->is_open()) co_return;
                // Out of descriptors or memory: pause instead of spinning.
                Poco::Logger::get("birdgate").warning("accept: %s", ec.message());
                acceptWake->expires_after(std::chrono::milliseconds(100));
                co_await acceptWake->async_wait(asio::redirect_error(asio::use_awaitable, ec));
                continue;
            }
            socket.set_option(tcp::no_delay(true), ec);
            ++shared.connections;
            asio::co_spawn(worker.ioc, runHttpConnection(shared, worker, std::move(socket)), asio::detached);
        }
    }

    static Task<void> tick(IoWorker& worker, std::chrono::milliseconds period, std::atomic<bool>& stopping)
    {
        asio::steady_timer timer(worker.ioc);
        while (!stopping)
        {
            timer.expires_after(period);
            boost::system::error_code ec;
            co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
            if (ec) co_return;
            const auto now = ConnectionBase::Clock::now();
            worker.forEach([now](ConnectionBase& c) { c.checkDeadline(now); });
        }
    }

    /// Runs `f` on the first I/O thread and waits for it.
    template <class F> void onAcceptThread(F f)
    {
        if (threads.empty() || stopped)
        {
            f();
            return;
        }
        std::promise<void> done;
        asio::post(workers[0]->ioc, [&] {
            f();
            done.set_value();
        });
        done.get_future().wait();
    }
};

void HttpServer::setRouter(std::shared_ptr<const Router> router)
{
    if (!router) throw std::invalid_argument("HttpServer needs a router");
    _impl->shared.router.store(std::move(router), std::memory_order_release);
}

HttpServer::HttpServer(ServerOptions options, std::shared_ptr<const Router> router,
                       std::shared_ptr<AccessLog> accessLog, std::shared_ptr<Metrics> metrics)
    : _impl(std::make_unique<Impl>())
{
    if (!router) throw std::invalid_argument("HttpServer needs a router");
    _impl->shared.options = std::move(options);
    _impl->shared.router.store(std::move(router));
    _impl->shared.accessLog = std::move(accessLog);
    _impl->shared.metrics = std::move(metrics);
}

HttpServer::~HttpServer()
{
    stop();
}

void HttpServer::start()
{
    Impl& impl = *_impl;
    if (impl.started) throw std::logic_error("HttpServer::start called twice");
    const ServerOptions& options = impl.shared.options;
    raiseOpenFilesLimit();
    impl.shared.tls = makeTlsContext(options);

    unsigned threads = options.threads ? options.threads : std::max(1u, std::thread::hardware_concurrency());
    for (unsigned i = 0; i < threads; ++i) impl.workers.push_back(std::make_unique<IoWorker>());
    asio::io_context& first = impl.workers[0]->ioc;

    const std::string where = options.host + ":" + std::to_string(options.port);
    tcp::endpoint endpoint;
    {
        boost::system::error_code ec;
        tcp::resolver resolver(first);
        auto results = resolver.resolve(options.host, std::to_string(options.port),
                                        tcp::resolver::passive | tcp::resolver::numeric_service, ec);
        if (ec || results.empty())
            throw std::runtime_error("cannot listen on " + where + ": cannot resolve " + options.host +
                                     (ec ? ": " + ec.message() : std::string()));
        endpoint = results.begin()->endpoint();
    }
    try
    {
        impl.acceptor = std::make_unique<tcp::acceptor>(first);
        impl.acceptor->open(endpoint.protocol());
        impl.acceptor->set_option(asio::socket_base::reuse_address(true));
        impl.acceptor->bind(endpoint);
        impl.acceptor->listen(options.backlog);
        impl.port = impl.acceptor->local_endpoint().port();
    }
    catch (const boost::system::system_error& e)
    {
        impl.acceptor.reset();
        throw std::runtime_error("cannot listen on " + where + ": " + e.code().message());
    }
    impl.acceptWake = std::make_unique<asio::steady_timer>(first);
    impl.shared.onClosed = [&impl] {
        if (impl.acceptPaused.load() && !impl.stopping.load())
            asio::post(impl.workers[0]->ioc, [&impl] {
                if (impl.acceptWake) impl.acceptWake->cancel();
            });
    };

    // Deadlines are checked a few times per shortest timeout (at most 4 Hz).
    auto shortest = std::min({options.headerTimeout, options.keepaliveTimeout, options.sendTimeout});
    auto period = std::clamp(shortest / 8, std::chrono::milliseconds(5), std::chrono::milliseconds(250));
    for (auto& worker : impl.workers)
    {
        impl.guards.push_back(asio::make_work_guard(worker->ioc));
        asio::co_spawn(worker->ioc, Impl::tick(*worker, period, impl.stopping), asio::detached);
    }
    asio::co_spawn(first, impl.acceptLoop(), asio::detached);
    impl.started = true;
    for (auto& worker : impl.workers)
        impl.threads.emplace_back([&ioc = worker->ioc] {
            while (true)
            {
                try
                {
                    ioc.run();
                    return;
                }
                catch (const std::exception& e)
                {
                    Poco::Logger::get("birdgate").error("I/O thread: %s", std::string(e.what()));
                }
            }
        });
}

int HttpServer::port() const
{
    return _impl->port;
}

void HttpServer::stopAccepting()
{
    Impl& impl = *_impl;
    if (!impl.acceptor) return;
    impl.onAcceptThread([&impl] {
        boost::system::error_code ec;
        if (impl.acceptor) impl.acceptor->close(ec);
        if (impl.acceptWake) impl.acceptWake->cancel();
    });
}

bool HttpServer::drain(std::chrono::milliseconds limit)
{
    Impl& impl = *_impl;
    impl.shared.draining = true;
    stopAccepting();
    if (impl.stopped) return impl.shared.connections.load() == 0;
    for (auto& worker : impl.workers)
        asio::post(worker->ioc, [w = worker.get()] { w->forEach([](ConnectionBase& c) { c.closeIfIdle(); }); });
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (impl.shared.connections.load() > 0 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    return impl.shared.connections.load() == 0;
}

void HttpServer::stop()
{
    Impl& impl = *_impl;
    if (!impl.started || impl.stopped) return;
    stopAccepting();
    impl.stopping = true;
    for (auto& worker : impl.workers)
        asio::post(worker->ioc, [w = worker.get()] { w->forEach([](ConnectionBase& c) { c.closeNow(); }); });
    impl.guards.clear();
    for (auto& worker : impl.workers) worker->ioc.stop();
    for (auto& thread : impl.threads) thread.join();
    impl.threads.clear();
    impl.stopped = true;
    // Destroying an io_context destroys the coroutines still suspended on it
    // (and their connections). The acceptor's thread first: its pending
    // accept may hold a socket of another thread's io_context.
    impl.acceptor.reset();
    impl.acceptWake.reset();
    impl.workers.front().reset();
    impl.workers.clear();
}

std::size_t HttpServer::connections() const
{
    return _impl->shared.connections.load();
}

} // namespace birdgate
