// HttpServer over real sockets: a raw TCP client (so malformed requests can
// be sent byte for byte) against a server on port 0 with a test Endpoint.
// Covers framing and smuggling refusals, limits and timeouts, keep-alive,
// pipelining, HEAD, Expect, bodies, streamed answers, drain, the connection
// cap, TLS, the access log, X-Request-Id and the per-url counters of /metrics.
#include <utility>

#include "TestSupport.h"

#include "birdgate/common/HttpErrors.h"
#include "birdgate/ops/AccessLog.h"
#include "birdgate/ops/Metrics.h"
#include "birdgate/server/HttpServer.h"
#include "server/Router.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>

using namespace birdgate;
using Ms = std::chrono::milliseconds;

namespace
{
class TestEndpoint : public Endpoint
{
  public:
    Task<void> serve(Request& request, Answer& answer, const RouteMatch& match) override
    {
        const std::string name = match.urlName;
        if (name == "echo")
        {
            BodyStatus status = co_await request.readBody(1024);
            if (status == BodyStatus::TooLarge)
                answer.send(413, "text/plain", "too large");
            else if (status == BodyStatus::Ok)
                answer.send(200, "text/plain", "got:" + request.body());
            co_return;
        }
        if (name == "info")
        {
            answer.send(200, "text/plain",
                        std::string("tls=") + (request.tls ? "1" : "0") +
                            " loopback=" + (request.clientLoopback ? "1" : "0") + " addr=" + request.clientAddress);
            co_return;
        }
        if (name == "throw") throw std::runtime_error("boom");
        if (name == "stream")
        {
            if (!co_await answer.begin(std::nullopt)) co_return;
            co_await answer.write("ab");
            co_await answer.write("cd");
            co_await answer.finish();
            co_return;
        }
        if (name == "big")
        {
            answer.send(200, "application/octet-stream", std::string(64 << 20, 'x'));
            co_return;
        }
        if (name == "slow")
        {
            boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
            timer.expires_after(Ms(300));
            co_await timer.async_wait(boost::asio::use_awaitable);
        }
        answer.send(200, "text/plain", "hello");
    }
};

std::shared_ptr<const Router> testRouter()
{
    auto router = std::make_shared<Router>();
    auto endpoint = std::make_shared<TestEndpoint>();
    size_t order = 0;
    for (const char* name : {"echo", "info", "throw", "stream", "big", "slow", "hello"})
        router->add(name, std::string("/") + name, 0, order++, endpoint);
    router->finish();
    return router;
}

/// A blocking TCP client with a receive timeout (a hung server fails the test, not the run).
class Client
{
  public:
    explicit Client(int port)
    {
        _fd = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(static_cast<uint16_t>(port));
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        timeval tv{10, 0};
        ::setsockopt(_fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        _connected = ::connect(_fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    }
    ~Client() { ::close(_fd); }
    bool connected() const { return _connected; }

    void send(const std::string& bytes)
    {
        size_t sent = 0;
        while (sent < bytes.size())
        {
            ssize_t n = ::send(_fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
            if (n <= 0) return;
            sent += static_cast<size_t>(n);
        }
    }

    /// Reads more bytes into the buffer; false on EOF, error or timeout.
    bool fill()
    {
        char buf[65536];
        ssize_t n = ::recv(_fd, buf, sizeof buf, 0);
        if (n <= 0) return false;
        _buffer.append(buf, static_cast<size_t>(n));
        return true;
    }

    /// One answer: head + body (by Content-Length, chunked, or to EOF). "" when none.
    std::string answer(bool head = false)
    {
        size_t end;
        while ((end = _buffer.find("\r\n\r\n")) == std::string::npos)
            if (!fill()) return std::exchange(_buffer, {});
        std::string headText = _buffer.substr(0, end + 4);
        std::string lower = headText;
        for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        size_t cl = lower.find("\r\ncontent-length: ");
        if (head || headText.compare(9, 3, "100") == 0)
        {
            _buffer.erase(0, end + 4);
            return headText;
        }
        if (cl != std::string::npos)
        {
            size_t length = std::stoul(headText.substr(cl + 18));
            while (_buffer.size() < end + 4 + length)
                if (!fill()) break;
            std::string all = _buffer.substr(0, end + 4 + length);
            _buffer.erase(0, all.size());
            return all;
        }
        if (lower.find("transfer-encoding: chunked") != std::string::npos)
        {
            while (_buffer.find("\r\n0\r\n\r\n", end) == std::string::npos)
                if (!fill()) break;
            size_t stop = _buffer.find("\r\n0\r\n\r\n", end);
            stop = stop == std::string::npos ? _buffer.size() : stop + 7;
            std::string all = _buffer.substr(0, stop);
            _buffer.erase(0, stop);
            return all;
        }
        while (fill())
        {
        }
        return std::exchange(_buffer, {});
    }

    /// True when the server closed the connection (EOF) with nothing more sent.
    bool closedByServer()
    {
        if (!_buffer.empty()) return false;
        char c;
        return ::recv(_fd, &c, 1, 0) == 0;
    }

    int fd() const { return _fd; }

  private:
    int _fd;
    bool _connected = false;
    std::string _buffer;
};

const std::string HOST = "Host: x\r\n";

bool startsWith(const std::string& s, const std::string& prefix)
{
    return s.compare(0, prefix.size(), prefix) == 0;
}

bool contains(const std::string& s, const std::string& part)
{
    return s.find(part) != std::string::npos;
}

std::string bodyOf(const std::string& answer)
{
    size_t end = answer.find("\r\n\r\n");
    return end == std::string::npos ? std::string() : answer.substr(end + 4);
}
} // namespace

class HttpServerTest : public CppUnit::TestFixture
{
    CPPUNIT_TEST_SUITE(HttpServerTest);
    CPPUNIT_TEST(testKeepAliveAndRouting);
    CPPUNIT_TEST(testErrorsAreJson);
    CPPUNIT_TEST(testPipelining);
    CPPUNIT_TEST(testHead);
    CPPUNIT_TEST(testSmugglingRefused);
    CPPUNIT_TEST(testVersion505);
    CPPUNIT_TEST(testHeadTooLarge431);
    CPPUNIT_TEST(testTrickledHead408);
    CPPUNIT_TEST(testKeepaliveTimeout);
    CPPUNIT_TEST(testSendTimeout);
    CPPUNIT_TEST(testHttp10);
    CPPUNIT_TEST(testExpectContinue);
    CPPUNIT_TEST(testBodies);
    CPPUNIT_TEST(testStreamedAnswers);
    CPPUNIT_TEST(testDrain);
    CPPUNIT_TEST(testMaxConnections);
    CPPUNIT_TEST(testPortInUse);
    CPPUNIT_TEST(testTls);
    CPPUNIT_TEST(testAccessLog);
    CPPUNIT_TEST(testRequestIdAndMetrics);
    CPPUNIT_TEST_SUITE_END();

  public:
    std::unique_ptr<HttpServer> server;

    void setUp() override {}
    void tearDown() override { server.reset(); }

    int startServer(ServerOptions options = {}, std::shared_ptr<AccessLog> log = nullptr)
    {
        options.threads = 2;
        server = std::make_unique<HttpServer>(options, testRouter(), log);
        server->start();
        return server->port();
    }

    void testKeepAliveAndRouting()
    {
        int port = startServer();
        Client c(port);
        c.send("GET /hello HTTP/1.1\r\n" + HOST + "\r\n");
        std::string a = c.answer();
        CPPUNIT_ASSERT_MESSAGE(a, startsWith(a, "HTTP/1.1 200 OK\r\n"));
        CPPUNIT_ASSERT_EQUAL(std::string("hello"), bodyOf(a));
        CPPUNIT_ASSERT(!contains(a, "Connection: close"));
        c.send("GET /info?x=1 HTTP/1.1\r\n" + HOST + "\r\n");
        a = c.answer();
        CPPUNIT_ASSERT_EQUAL(std::string("tls=0 loopback=1 addr=127.0.0.1"), bodyOf(a));
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), server->connections());
    }

    void testErrorsAreJson()
    {
        int port = startServer();
        Client c(port);
        c.send("GET /nowhere HTTP/1.1\r\n" + HOST + "\r\n");
        std::string a = c.answer();
        CPPUNIT_ASSERT_MESSAGE(a, startsWith(a, "HTTP/1.1 404 Not Found\r\n"));
        CPPUNIT_ASSERT(contains(a, "Content-Type: application/json; charset=utf-8\r\n"));
        CPPUNIT_ASSERT_EQUAL(errorBody(404, "no url matches /nowhere"), bodyOf(a));
        c.send("GET /throw HTTP/1.1\r\n" + HOST + "\r\n");
        a = c.answer();
        CPPUNIT_ASSERT_MESSAGE(a, startsWith(a, "HTTP/1.1 500 "));
        CPPUNIT_ASSERT_EQUAL(errorBody(500, "internal error in url throw"), bodyOf(a));
        // The connection survives both.
        c.send("GET /hello HTTP/1.1\r\n" + HOST + "\r\n");
        CPPUNIT_ASSERT_EQUAL(std::string("hello"), bodyOf(c.answer()));
    }

    void testPipelining()
    {
        int port = startServer();
        Client c(port);
        c.send("GET /hello HTTP/1.1\r\n" + HOST + "\r\n" + "POST /echo HTTP/1.1\r\n" + HOST +
               "Content-Length: 3\r\n\r\nabc" + "POST /echo HTTP/1.1\r\n" + HOST +
               "Transfer-Encoding: chunked\r\n\r\n2\r\nxy\r\n1;ext=1\r\nz\r\n0\r\nTrailer: t\r\n\r\n" +
               "GET /info HTTP/1.1\r\n" + HOST + "\r\n");
        CPPUNIT_ASSERT_EQUAL(std::string("hello"), bodyOf(c.answer()));
        CPPUNIT_ASSERT_EQUAL(std::string("got:abc"), bodyOf(c.answer()));
        CPPUNIT_ASSERT_EQUAL(std::string("got:xyz"), bodyOf(c.answer()));
        CPPUNIT_ASSERT(startsWith(bodyOf(c.answer()), "tls=0"));
    }

    void testHead()
    {
        int port = startServer();
        Client c(port);
        c.send("HEAD /hello HTTP/1.1\r\n" + HOST + "\r\n");
        std::string a = c.answer(true);
        CPPUNIT_ASSERT_MESSAGE(a, startsWith(a, "HTTP/1.1 200 OK\r\n"));
        CPPUNIT_ASSERT(contains(a, "Content-Length: 5\r\n"));
        // No body followed: the next answer starts right away.
        c.send("GET /info HTTP/1.1\r\n" + HOST + "\r\n");
        a = c.answer();
        CPPUNIT_ASSERT_MESSAGE(a, startsWith(a, "HTTP/1.1 200 OK\r\n"));
    }

    void expectRefused(int port, const std::string& request, const std::string& status = "400")
    {
        Client c(port);
        c.send(request);
        std::string a = c.answer();
        CPPUNIT_ASSERT_MESSAGE(request + " -> " + a, startsWith(a, "HTTP/1.1 " + status + " "));
        CPPUNIT_ASSERT_MESSAGE(a, contains(a, "Connection: close\r\n"));
        CPPUNIT_ASSERT_MESSAGE(a, contains(a, "Content-Type: application/json; charset=utf-8\r\n"));
        CPPUNIT_ASSERT_MESSAGE(a, startsWith(bodyOf(a), "{\"errors\":[{\"code\":" + status));
        CPPUNIT_ASSERT_MESSAGE(request, c.closedByServer());
    }

    void testSmugglingRefused()
    {
        int port = startServer();
        const std::string post = "POST /echo HTTP/1.1\r\n" + HOST;
        expectRefused(port, post + "Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n");
        expectRefused(port, post + "Content-Length: 3\r\nContent-Length: 3\r\n\r\nabc");
        expectRefused(port, post + "Content-Length: 3, 3\r\n\r\nabc");
        expectRefused(port, post + "Content-Length: +3\r\n\r\nabc");
        expectRefused(port, post + "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n");
        expectRefused(port, post + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
        expectRefused(port, post + "Transfer-Encoding: identity\r\n\r\n");
        expectRefused(port, post + "Transfer-Encoding : chunked\r\n\r\n0\r\n\r\n");
        expectRefused(port, post + "Transfer-Encoding: chunked\r\n\r\nzz\r\nab\r\n0\r\n\r\n"); // bad size
        expectRefused(port, post + "Transfer-Encoding: chunked\r\n\r\n-1\r\nab\r\n0\r\n\r\n"); // bad size
        expectRefused(port, post + "Transfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n0\r\n\r\n"); // longer than size
        expectRefused(port, "GET /hello HTTP/1.1\r\n" + HOST + "X: a\r\n b\r\n\r\n");          // obs-fold
        expectRefused(port, "GET /hello HTTP/1.1\r\n" + HOST + "X: a" + std::string(1, '\0') + "b\r\n\r\n");
        expectRefused(port, "GET /hello HTTP/1.1\r\n" + HOST + "X: a\rb\r\n\r\n"); // bare CR
        expectRefused(port, "GET /hello HTTP/1.1\r\n" + HOST + "X: a\n\r\n");      // bare LF
        expectRefused(port, "GET /a b HTTP/1.1\r\n" + HOST + "\r\n");
        expectRefused(port, "GET /a\x01 HTTP/1.1\r\n" + HOST + "\r\n");
        expectRefused(port, "GET /hello HTTP/1.1\r\n\r\n");                     // no Host
        expectRefused(port, "GET /hello HTTP/1.1\r\n" + HOST + HOST + "\r\n");  // two Hosts
        expectRefused(port, "GET http://x/hello HTTP/1.1\r\n" + HOST + "\r\n"); // absolute-form
        expectRefused(port, "CONNECT x:443 HTTP/1.1\r\n" + HOST + "\r\n");
        expectRefused(port, "CONNECT /hello HTTP/1.1\r\n" + HOST + "\r\n");
        expectRefused(port, "GET  /hello HTTP/1.1\r\n" + HOST + "\r\n");
    }

    void testVersion505()
    {
        int port = startServer();
        Client c(port);
        c.send("GET /hello HTTP/9.9\r\n" + HOST + "\r\n");
        std::string a = c.answer();
        CPPUNIT_ASSERT_MESSAGE(a, startsWith(a, "HTTP/1.1 505 "));
        CPPUNIT_ASSERT(!contains(a, "9.9"));
        CPPUNIT_ASSERT(contains(a, "Connection: close"));
        expectRefused(port, "GET /hello HTTP/2.0\r\n" + HOST + "\r\n", "505");
        expectRefused(port, "GET /hello HTTP/1.1x\r\n" + HOST + "\r\n", "400");
    }

    void testHeadTooLarge431()
    {
        ServerOptions options;
        options.maxHeaderBytes = 1024;
        int port = startServer(options);
        expectRefused(port, "GET /hello HTTP/1.1\r\n" + HOST + "X: " + std::string(2000, 'a') + "\r\n\r\n", "431");
        // Never ending, without an empty line: cut at the limit, not at the timeout.
        expectRefused(port, "GET /hello HTTP/1.1\r\n" + HOST + "X: " + std::string(2000, 'a'), "431");
        // Just below the limit is fine.
        Client c(port);
        c.send("GET /hello HTTP/1.1\r\n" + HOST + "X: " + std::string(900, 'a') + "\r\n\r\n");
        CPPUNIT_ASSERT_EQUAL(std::string("hello"), bodyOf(c.answer()));
    }

    void testTrickledHead408()
    {
        ServerOptions options;
        options.headerTimeout = Ms(400);
        int port = startServer(options);
        Client c(port);
        c.send("GET /hello HTTP/1.1\r\n");
        // A header byte every 50 ms keeps every single read short of the
        // timeout; the whole head must still be cut at its deadline.
        bool answered = false;
        for (int i = 0; i < 100 && !answered; ++i)
        {
            c.send("X");
            std::this_thread::sleep_for(Ms(50));
            pollfd p{c.fd(), POLLIN, 0};
            answered = ::poll(&p, 1, 0) > 0;
        }
        CPPUNIT_ASSERT(answered);
        std::string a = c.answer();
        CPPUNIT_ASSERT_MESSAGE(a, startsWith(a, "HTTP/1.1 408 "));
        CPPUNIT_ASSERT(contains(a, "Connection: close"));
        CPPUNIT_ASSERT(c.closedByServer());
    }

    void testKeepaliveTimeout()
    {
        ServerOptions options;
        options.keepaliveTimeout = Ms(200);
        int port = startServer(options);
        Client c(port);
        c.send("GET /hello HTTP/1.1\r\n" + HOST + "\r\n");
        CPPUNIT_ASSERT_EQUAL(std::string("hello"), bodyOf(c.answer()));
        CPPUNIT_ASSERT(c.closedByServer()); // silently, no 408
        CPPUNIT_ASSERT(test::waitUntil([&] { return server->connections() == 0; }));
    }

    void testSendTimeout()
    {
        ServerOptions options;
        options.sendTimeout = Ms(300);
        int port = startServer(options);
        Client c(port);
        int small = 4096;
        ::setsockopt(c.fd(), SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
        c.send("GET /big HTTP/1.1\r\n" + HOST + "\r\n");
        CPPUNIT_ASSERT(test::waitUntil([&] { return server->connections() == 1; }));
        // Never read: the server gives up on the 64 MB answer.
        CPPUNIT_ASSERT(test::waitUntil([&] { return server->connections() == 0; }));
    }

    void testHttp10()
    {
        int port = startServer();
        {
            Client c(port);
            c.send("GET /hello HTTP/1.0\r\n\r\n");
            std::string a = c.answer();
            CPPUNIT_ASSERT_MESSAGE(a, startsWith(a, "HTTP/1.1 200 OK\r\n"));
            CPPUNIT_ASSERT(contains(a, "Connection: close\r\n"));
            CPPUNIT_ASSERT(c.closedByServer());
        }
        Client c(port);
        c.send("GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
        std::string a = c.answer();
        CPPUNIT_ASSERT_MESSAGE(a, contains(a, "Connection: keep-alive\r\n"));
        c.send("GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
        CPPUNIT_ASSERT_EQUAL(std::string("hello"), bodyOf(c.answer()));
    }

    void testExpectContinue()
    {
        int port = startServer();
        {
            Client c(port);
            c.send("POST /echo HTTP/1.1\r\n" + HOST + "Expect: 100-continue\r\nContent-Length: 5\r\n\r\n");
            std::string a = c.answer();
            CPPUNIT_ASSERT_EQUAL(std::string("HTTP/1.1 100 Continue\r\n\r\n"), a);
            c.send("hello");
            CPPUNIT_ASSERT_EQUAL(std::string("got:hello"), bodyOf(c.answer()));
        }
        // An endpoint that never reads the body: no 100, an answer, and close
        // (the client may or may not send the body now).
        Client c(port);
        c.send("POST /hello HTTP/1.1\r\n" + HOST + "Expect: 100-continue\r\nContent-Length: 5\r\n\r\n");
        std::string a = c.answer();
        CPPUNIT_ASSERT_MESSAGE(a, startsWith(a, "HTTP/1.1 200 OK\r\n"));
        CPPUNIT_ASSERT(contains(a, "Connection: close\r\n"));
    }

    void testBodies()
    {
        int port = startServer();
        {
            // Above the endpoint's limit: 413, then close.
            Client c(port);
            c.send("POST /echo HTTP/1.1\r\n" + HOST + "Content-Length: 2000\r\n\r\n" + std::string(2000, 'b'));
            std::string a = c.answer();
            CPPUNIT_ASSERT_MESSAGE(a, startsWith(a, "HTTP/1.1 413 "));
            CPPUNIT_ASSERT(contains(a, "Connection: close\r\n"));
            CPPUNIT_ASSERT(c.closedByServer());
        }
        {
            Client c(port);
            std::string chunked = "POST /echo HTTP/1.1\r\n" + HOST + "Transfer-Encoding: chunked\r\n\r\n";
            for (int i = 0; i < 5; ++i) chunked += "12c\r\n" + std::string(300, 'c') + "\r\n";
            c.send(chunked + "0\r\n\r\n");
            std::string a = c.answer();
            CPPUNIT_ASSERT_MESSAGE(a, startsWith(a, "HTTP/1.1 413 "));
            CPPUNIT_ASSERT(c.closedByServer());
        }
        {
            // Bodies the endpoint does not read are skipped, the next request stays in sync.
            Client c(port);
            c.send("POST /hello HTTP/1.1\r\n" + HOST + "Content-Length: 5\r\n\r\nGET /" + "POST /hello HTTP/1.1\r\n" +
                   HOST + "Transfer-Encoding: chunked\r\n\r\n3\r\nGET\r\n0\r\n\r\n" + "POST /echo HTTP/1.1\r\n" + HOST +
                   "Content-Length: 2\r\n\r\nok");
            CPPUNIT_ASSERT_EQUAL(std::string("hello"), bodyOf(c.answer()));
            CPPUNIT_ASSERT_EQUAL(std::string("hello"), bodyOf(c.answer()));
            CPPUNIT_ASSERT_EQUAL(std::string("got:ok"), bodyOf(c.answer()));
        }
        {
            // A body that arrives in pieces is handed over whole.
            Client c(port);
            c.send("POST /echo HTTP/1.1\r\n" + HOST + "Content-Length: 6\r\n\r\nabc");
            std::this_thread::sleep_for(Ms(50));
            c.send("def");
            CPPUNIT_ASSERT_EQUAL(std::string("got:abcdef"), bodyOf(c.answer()));
        }
        {
            // The client leaves mid-body: no answer; the connection is closed.
            Client c(port);
            c.send("POST /echo HTTP/1.1\r\n" + HOST + "Content-Length: 600\r\n\r\nabc");
            ::shutdown(c.fd(), SHUT_WR);
            CPPUNIT_ASSERT(c.closedByServer());
        }
    }

    void testStreamedAnswers()
    {
        int port = startServer();
        Client c(port);
        c.send("GET /stream HTTP/1.1\r\n" + HOST + "\r\n");
        std::string a = c.answer();
        CPPUNIT_ASSERT_MESSAGE(a, contains(a, "Transfer-Encoding: chunked\r\n"));
        CPPUNIT_ASSERT_EQUAL(std::string("2\r\nab\r\n2\r\ncd\r\n0\r\n\r\n"), bodyOf(a));
        c.send("HEAD /stream HTTP/1.1\r\n" + HOST + "\r\n");
        a = c.answer(true);
        CPPUNIT_ASSERT_MESSAGE(a, startsWith(a, "HTTP/1.1 200"));
        c.send("GET /hello HTTP/1.1\r\n" + HOST + "\r\n");
        CPPUNIT_ASSERT_EQUAL(std::string("hello"), bodyOf(c.answer())); // HEAD sent no chunks

        Client old(port);
        old.send("GET /stream HTTP/1.0\r\n\r\n");
        a = old.answer();
        CPPUNIT_ASSERT_MESSAGE(a, !contains(a, "chunked"));
        CPPUNIT_ASSERT_EQUAL(std::string("abcd"), bodyOf(a)); // delimited by the close
    }

    void testDrain()
    {
        int port = startServer();
        Client idle(port);
        idle.send("GET /hello HTTP/1.1\r\n" + HOST + "\r\n");
        CPPUNIT_ASSERT_EQUAL(std::string("hello"), bodyOf(idle.answer()));
        Client busy(port);
        busy.send("GET /slow HTTP/1.1\r\n" + HOST + "\r\n");
        CPPUNIT_ASSERT(test::waitUntil([&] { return server->connections() == 2; }));
        std::this_thread::sleep_for(Ms(50)); // /slow is being served
        CPPUNIT_ASSERT(server->drain(Ms(5000)));
        std::string a = busy.answer();
        CPPUNIT_ASSERT_MESSAGE(a, startsWith(a, "HTTP/1.1 200 OK\r\n"));
        CPPUNIT_ASSERT(contains(a, "Connection: close\r\n"));
        CPPUNIT_ASSERT(idle.closedByServer());
        Client late(port);
        CPPUNIT_ASSERT(!late.connected());
    }

    void testMaxConnections()
    {
        ServerOptions options;
        options.maxConnections = 1;
        int port = startServer(options);
        auto first = std::make_unique<Client>(port);
        first->send("GET /hello HTTP/1.1\r\n" + HOST + "\r\n");
        CPPUNIT_ASSERT_EQUAL(std::string("hello"), bodyOf(first->answer()));
        Client second(port); // waits in the accept queue
        CPPUNIT_ASSERT(second.connected());
        second.send("GET /hello HTTP/1.1\r\n" + HOST + "\r\n");
        pollfd p{second.fd(), POLLIN, 0};
        CPPUNIT_ASSERT_EQUAL(0, ::poll(&p, 1, 200));
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), server->connections());
        first.reset();
        CPPUNIT_ASSERT_EQUAL(std::string("hello"), bodyOf(second.answer()));
    }

    void testPortInUse()
    {
        int port = startServer();
        ServerOptions options;
        options.port = port;
        HttpServer other(options, testRouter(), nullptr);
        try
        {
            other.start();
            CPPUNIT_FAIL("started on a port in use");
        }
        catch (const std::runtime_error& e)
        {
            CPPUNIT_ASSERT_MESSAGE(e.what(), contains(e.what(), "cannot listen on 127.0.0.1:" + std::to_string(port)));
        }
    }

    void testTls()
    {
        namespace fs = std::filesystem;
        fs::path dir = fs::temp_directory_path() / ("birdgate-tls-" + std::to_string(::getpid()));
        fs::create_directories(dir);
        const std::string cert = (dir / "cert.pem").string(), key = (dir / "key.pem").string();
        const std::string command = "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 "
                                    "-addext subjectAltName=IP:127.0.0.1 -keyout " +
                                    key + " -out " + cert + " 2>/dev/null";
        CPPUNIT_ASSERT_EQUAL(0, std::system(command.c_str()));
        ServerOptions options;
        options.tlsCert = cert;
        options.tlsKey = key;
        int port = startServer(options);

        namespace asio = boost::asio;
        asio::io_context ioc;
        asio::ssl::context context(asio::ssl::context::tls_client);
        context.load_verify_file(cert);
        context.set_verify_mode(asio::ssl::verify_peer);
        asio::ssl::stream<asio::ip::tcp::socket> stream(ioc, context);
        SSL_set1_host(stream.native_handle(), "127.0.0.1");
        stream.next_layer().connect({asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)});
        stream.handshake(asio::ssl::stream_base::client); // throws when verification fails
        std::string request = "GET /info HTTP/1.1\r\n" + HOST + "Connection: close\r\n\r\n";
        asio::write(stream, asio::buffer(request));
        std::string answer;
        boost::system::error_code ec;
        char buf[4096];
        while (true)
        {
            std::size_t n = stream.read_some(asio::buffer(buf), ec);
            answer.append(buf, n);
            if (ec) break;
        }
        CPPUNIT_ASSERT_MESSAGE(answer, startsWith(answer, "HTTP/1.1 200 OK\r\n"));
        CPPUNIT_ASSERT_EQUAL(std::string("tls=1 loopback=1 addr=127.0.0.1"), bodyOf(answer));

        // A client limited to TLS 1.1 is refused.
        asio::ssl::context old(asio::ssl::context::tlsv11_client);
        old.set_verify_mode(asio::ssl::verify_none);
        asio::ssl::stream<asio::ip::tcp::socket> oldStream(ioc, old);
        oldStream.next_layer().connect({asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)});
        oldStream.handshake(asio::ssl::stream_base::client, ec);
        CPPUNIT_ASSERT(ec);
        fs::remove_all(dir);
    }

    void testAccessLog()
    {
        namespace fs = std::filesystem;
        fs::path file = fs::temp_directory_path() / ("birdgate-access-" + std::to_string(::getpid()) + ".log");
        fs::remove(file);
        int port = startServer({}, std::make_shared<AccessLog>(file.string()));
        Client c(port);
        c.send("GET /hello?q=1 HTTP/1.1\r\n" + HOST + "\r\n");
        c.answer();
        c.send("GET /nowhere HTTP/1.1\r\n" + HOST + "\r\n");
        c.answer();
        std::string text;
        CPPUNIT_ASSERT(test::waitUntil([&] {
            std::ifstream in(file);
            std::stringstream s;
            s << in.rdbuf();
            text = s.str();
            return contains(text, "/nowhere");
        }));
        CPPUNIT_ASSERT_MESSAGE(text, contains(text, " 127.0.0.1 \"GET /hello?q=1\" 200 5 "));
        CPPUNIT_ASSERT_MESSAGE(text, contains(text, "\"GET /nowhere\" 404 "));
        fs::remove(file);
    }

    static std::string headerOf(const std::string& answer, const std::string& name)
    {
        const std::string key = "\r\n" + name + ": ";
        size_t at = answer.find(key);
        if (at == std::string::npos) return "";
        at += key.size();
        return answer.substr(at, answer.find("\r\n", at) - at);
    }

    void testRequestIdAndMetrics()
    {
        namespace fs = std::filesystem;
        fs::path file = fs::temp_directory_path() / ("birdgate-access-id-" + std::to_string(::getpid()) + ".log");
        fs::remove(file);
        auto metrics = std::make_shared<Metrics>(std::vector<Metrics::UrlSpec>{{"hello", {}}, {"throw", {}}});
        auto router = std::make_shared<Router>();
        auto endpoint = std::make_shared<TestEndpoint>();
        router->add("hello", "/hello", 0, 0, endpoint, metrics->url("hello"));
        router->add("throw", "/throw", 0, 1, endpoint, metrics->url("throw"));
        router->add("info", "/info", 0, 2, endpoint); // not counted
        router->finish();
        ServerOptions options;
        options.threads = 2;
        server = std::make_unique<HttpServer>(options, router, std::make_shared<AccessLog>(file.string()), metrics);
        server->start();
        Client c(server->port());
        // A sane id comes back as sent.
        c.send("GET /hello HTTP/1.1\r\n" + HOST + "X-Request-Id: client-id-42\r\n\r\n");
        std::string a = c.answer();
        CPPUNIT_ASSERT_EQUAL_MESSAGE(a, std::string("client-id-42"), headerOf(a, "X-Request-Id"));
        // Garbage is replaced; none is generated; each answer has exactly one.
        c.send("GET /hello HTTP/1.1\r\n" + HOST + "X-Request-Id: bad id <x>\r\n\r\n");
        a = c.answer();
        const std::string replaced = headerOf(a, "X-Request-Id");
        CPPUNIT_ASSERT_EQUAL_MESSAGE(a, std::size_t(32), replaced.size());
        CPPUNIT_ASSERT(!contains(a, "bad id"));
        c.send("GET /hello HTTP/1.1\r\n" + HOST + "\r\n");
        a = c.answer();
        const std::string generated = headerOf(a, "X-Request-Id");
        CPPUNIT_ASSERT_EQUAL_MESSAGE(a, std::size_t(32), generated.size());
        CPPUNIT_ASSERT(generated != replaced);
        c.send("GET /nowhere/secret-path HTTP/1.1\r\n" + HOST + "\r\n");
        a = c.answer();
        CPPUNIT_ASSERT_EQUAL(std::size_t(32), headerOf(a, "X-Request-Id").size());
        c.send("GET /throw HTTP/1.1\r\n" + HOST + "\r\n");
        c.answer();
        c.send("GET /info HTTP/1.1\r\n" + HOST + "\r\n");
        c.answer();
        // A head refused before routing counts under url="-" too.
        Client bad(server->port());
        bad.send("GET /hello HTTP/9.9\r\n" + HOST + "\r\n");
        a = bad.answer();
        CPPUNIT_ASSERT_MESSAGE(a, startsWith(a, "HTTP/1.1 505 "));
        CPPUNIT_ASSERT_EQUAL(std::size_t(32), headerOf(a, "X-Request-Id").size());

        CPPUNIT_ASSERT(test::waitUntil([&] { return metrics->unrouted().requests(505) == 1; }));
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(3), metrics->url("hello")->requests(200));
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(1), metrics->url("throw")->requests(500));
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(1), metrics->unrouted().requests(404));
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(3), metrics->url("hello")->duration().count);
        const std::string exposition = metrics->render({});
        CPPUNIT_ASSERT(!contains(exposition, "secret-path")); // never request data as a label
        CPPUNIT_ASSERT(!contains(exposition, "url=\"info\""));
        CPPUNIT_ASSERT(contains(exposition, "birdgate_requests_total{url=\"-\",code=\"404\"} 1\n"));

        std::string text;
        CPPUNIT_ASSERT(test::waitUntil([&] {
            std::ifstream in(file);
            std::stringstream s;
            s << in.rdbuf();
            text = s.str();
            return contains(text, " 505 ");
        }));
        CPPUNIT_ASSERT_MESSAGE(text, contains(text, "\"GET /hello\" 200 5 "));
        CPPUNIT_ASSERT_MESSAGE(text, contains(text, " upstream=- url=hello id=client-id-42\n"));
        CPPUNIT_ASSERT_MESSAGE(text, contains(text, " url=hello id=" + generated + "\n"));
        CPPUNIT_ASSERT_MESSAGE(text, contains(text, "\"GET /nowhere/secret-path\" 404 "));
        CPPUNIT_ASSERT_MESSAGE(text, contains(text, " url=- id="));
        CPPUNIT_ASSERT_MESSAGE(text, !contains(text, "bad id"));
        fs::remove(file);
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(HttpServerTest);
