// Opening and checking one upstream connection; see UpstreamConnection.h.
#include "twitter/UpstreamConnection.h"

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>

#include <openssl/bio.h>
#include <openssl/ssl.h>
#include <poll.h>

namespace birdgate::upstream
{
namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

namespace
{
std::string nameOf(const UpstreamTarget& target)
{
    return target.scheme + "://" + target.host + ":" + std::to_string(target.port);
}

int portOf(const UpstreamTarget& target)
{
    if (target.port > 0) return target.port;
    return target.scheme == "https" ? 443 : 80;
}
} // namespace

asio::ssl::context& Connection::tlsContext()
{
    // One context for the process: the system CA bundle is loaded once.
    // Host names are checked per connection (host_name_verification).
    static asio::ssl::context context = [] {
        asio::ssl::context ctx(asio::ssl::context::tls_client);
        ctx.set_default_verify_paths();
        ctx.set_verify_mode(asio::ssl::verify_peer);
        ctx.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                        asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1);
        return ctx;
    }();
    return context;
}

beast::tcp_stream& Connection::tcp()
{
    return _tls ? beast::get_lowest_layer(*_tls) : *_plain;
}

Task<std::unique_ptr<Connection>> Connection::open(const UpstreamTarget& targetRef, std::chrono::milliseconds timeout)
{
    const UpstreamTarget target = targetRef; // the caller's may not outlive the first suspension
    const std::string name = nameOf(target);
    auto executor = co_await asio::this_coro::executor;
    beast::error_code ec;

    // The resolver has no deadline of its own: a timer cancels it. Both are
    // shared with the timer's handler, which may run after this frame moved on.
    auto resolver = std::make_shared<tcp::resolver>(executor);
    auto timer = std::make_shared<asio::steady_timer>(executor);
    auto expired = std::make_shared<bool>(false);
    timer->expires_after(timeout);
    timer->async_wait([resolver, expired](const beast::error_code& e) {
        if (e) return;
        *expired = true;
        resolver->cancel();
    });
    auto endpoints = co_await resolver->async_resolve(target.host, std::to_string(portOf(target)),
                                                      asio::redirect_error(asio::use_awaitable, ec));
    timer->cancel();
    if (*expired) throw UpstreamTimeout("upstream " + name + ": name lookup timed out");
    if (ec) throw UpstreamConnectError("upstream " + name + " unreachable: " + ec.message());

    auto conn = std::make_unique<Connection>();
    if (target.scheme == "https")
    {
        conn->_tls.emplace(executor, tlsContext());
        // SNI carries a host name, never an address (RFC 6066 3).
        beast::error_code notAddress;
        asio::ip::make_address(target.host, notAddress);
        if (notAddress && !SSL_set_tlsext_host_name(conn->_tls->native_handle(), target.host.c_str()))
            throw UpstreamTlsError("upstream " + name + ": cannot set the TLS server name");
        conn->_tls->set_verify_mode(asio::ssl::verify_peer);
        conn->_tls->set_verify_callback(asio::ssl::host_name_verification(target.host));
    }
    else
    {
        conn->_plain.emplace(executor);
    }

    beast::tcp_stream& stream = conn->tcp();
    stream.expires_after(timeout);
    co_await stream.async_connect(endpoints, asio::redirect_error(asio::use_awaitable, ec));
    if (ec == beast::error::timeout) throw UpstreamTimeout("upstream " + name + ": connect timed out");
    if (ec) throw UpstreamConnectError("upstream " + name + " unreachable: " + ec.message());
    // A request's headers and body may leave in two writes: no Nagle delay.
    stream.socket().set_option(tcp::no_delay(true), ec);

    if (conn->_tls)
    {
        stream.expires_after(timeout);
        co_await conn->_tls->async_handshake(asio::ssl::stream_base::client,
                                             asio::redirect_error(asio::use_awaitable, ec));
        if (ec == beast::error::timeout) throw UpstreamTimeout("upstream " + name + ": TLS handshake timed out");
        if (ec) throw UpstreamTlsError("upstream " + name + ": TLS handshake failed: " + ec.message());
    }
    stream.expires_never();
    co_return conn;
}

bool Connection::quiet(bool probe)
{
    if (buffer.size() > 0) return false;
    if (_tls)
    {
        SSL* ssl = _tls->native_handle();
        // Decrypted bytes nobody read, or network bytes handed to OpenSSL
        // and not yet decrypted.
        if (SSL_pending(ssl) > 0) return false;
        if (BIO* in = SSL_get_rbio(ssl); in && BIO_ctrl_pending(in) > 0) return false;
    }
    auto& socket = tcp().socket();
    if (!socket.is_open()) return false;
    if (!probe) return true;
    // One poll(2) on the descriptor, not waiting: readable means EOF, a
    // reset or bytes that belong to no request.
    pollfd pfd{socket.native_handle(), POLLIN, 0};
    return ::poll(&pfd, 1, 0) == 0;
}

} // namespace birdgate::upstream
