// UpstreamPool against scripted fake upstreams: raw TCP servers on
// 127.0.0.1 (port 0), one thread per connection, each running a script of
// reads and writes, counting connections and requests. Keep-alive, stale
// and retry rules, strict framing, limits, streaming and TLS verification.
#include "birdgate/twitter/UpstreamPool.h"

#include "FakeUpstream.h"
#include "TestSupport.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <cppunit/TestFixture.h>
#include <cppunit/extensions/HelperMacros.h>

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

using namespace birdgate;
using birdgate::test::FakeUpstream;
using birdgate::test::Gate;
using birdgate::test::Peer;
using birdgate::test::waitUntil;

namespace
{
const std::string OK_HELLO = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: text/plain\r\n\r\nhello";

/// Answers every request on the connection with `answer`.
FakeUpstream::Script serveAll(std::string answer)
{
    return [answer](Peer& peer, int) {
        while (!peer.readRequest().empty()) peer.write(answer);
    };
}

/// Opens a gate when it goes, so a failed assertion never leaves a fake's
/// thread waiting (declared after the fake: it goes first).
struct OpenOnExit
{
    Gate& gate;
    ~OpenOnExit() { gate.open(); }
};

template <class T> T run(boost::asio::io_context& ioc, Task<T> task)
{
    std::exception_ptr error;
    std::optional<T> result;
    boost::asio::co_spawn(ioc, std::move(task), [&](std::exception_ptr e, T value) {
        if (e)
            error = e;
        else
            result.emplace(std::move(value));
    });
    ioc.restart();
    ioc.run();
    if (error) std::rethrow_exception(error);
    return std::move(*result);
}

UpstreamRequest request(std::string method = "GET", std::string target = "/x", std::string body = {})
{
    UpstreamRequest r;
    r.method = std::move(method);
    r.target = std::move(target);
    r.body = std::move(body);
    return r;
}

UpstreamLimits limits(std::chrono::milliseconds timeout = std::chrono::milliseconds(5000),
                      std::uint64_t maxAnswer = 1 << 20)
{
    return UpstreamLimits{timeout, maxAnswer};
}

/// The exception `fn` throws, by its most derived type of ours.
std::string thrown(const std::function<void()>& fn)
{
    try
    {
        fn();
    }
    catch (const UpstreamTooLarge&)
    {
        return "TooLarge";
    }
    catch (const UpstreamUnreachable&)
    {
        return "Unreachable";
    }
    catch (const UpstreamTimeout&)
    {
        return "Timeout";
    }
    catch (const std::exception& e)
    {
        return std::string("other: ") + e.what();
    }
    return "none";
}

/// A self-signed certificate for 127.0.0.1 (names right, trust missing).
SSL_CTX* selfSignedServerContext()
{
    EVP_PKEY* key = EVP_EC_gen("P-256");
    X509* cert = X509_new();
    X509_set_version(cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert), 0);
    X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
    X509_set_pubkey(cert, key);
    X509_NAME* name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("127.0.0.1"), -1, -1,
                               0);
    X509_set_issuer_name(cert, name);
    X509_EXTENSION* san = X509V3_EXT_conf_nid(nullptr, nullptr, NID_subject_alt_name, "IP:127.0.0.1");
    X509_add_ext(cert, san, -1);
    X509_EXTENSION_free(san);
    X509_sign(cert, key, EVP_sha256());
    SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
    SSL_CTX_use_certificate(ctx, cert);
    SSL_CTX_use_PrivateKey(ctx, key);
    X509_free(cert);
    EVP_PKEY_free(key);
    return ctx;
}
} // namespace

class UpstreamPoolTest : public CppUnit::TestFixture
{
    CPPUNIT_TEST_SUITE(UpstreamPoolTest);
    CPPUNIT_TEST(testKeepAliveReusesOneConnection);
    CPPUNIT_TEST(testStaleIdleConnectionIsDropped);
    CPPUNIT_TEST(testGetRetriedOnceOnReusedConnection);
    CPPUNIT_TEST(testPostNeverSentTwice);
    CPPUNIT_TEST(testConnectRefusedIsUnreachable);
    CPPUNIT_TEST(testNoAnswerIsTimeout);
    CPPUNIT_TEST(testBytesPastContentLengthAreNeverAnAnswer);
    CPPUNIT_TEST(testTruncatedIsUnreachable);
    CPPUNIT_TEST(testBadChunkIsUnreachable);
    CPPUNIT_TEST(testTooLarge);
    CPPUNIT_TEST(testHugeContentLengthIs64Bit);
    CPPUNIT_TEST(testOpenStreamsChunkedPieces);
    CPPUNIT_TEST(testDroppingAnswerClosesConnection);
    CPPUNIT_TEST(testHeadAnd204HaveNoBody);
    CPPUNIT_TEST(testSendBlockingAndContextShutdown);
    CPPUNIT_TEST(testSelfSignedTlsIsRejected);
    CPPUNIT_TEST(testSeveralIoThreads);
    CPPUNIT_TEST_SUITE_END();

  public:
    void testKeepAliveReusesOneConnection()
    {
        FakeUpstream fake(serveAll(OK_HELLO));
        UpstreamPool pool;
        boost::asio::io_context ioc;
        auto target = fake.target();
        for (int i = 0; i < 3; ++i)
        {
            UpstreamResponse r = run(ioc, pool.send(target, request(), limits()));
            CPPUNIT_ASSERT_EQUAL(200, r.status);
            CPPUNIT_ASSERT_EQUAL(std::string("hello"), r.body);
            CPPUNIT_ASSERT_EQUAL(std::string("text/plain"), r.header("content-type"));
        }
        CPPUNIT_ASSERT_EQUAL(1, fake.connections.load());
        CPPUNIT_ASSERT_EQUAL(3, fake.requests.load());
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), pool.idleCount());
    }

    void testStaleIdleConnectionIsDropped()
    {
        // The first connection answers once, then is closed by the upstream
        // while it sits idle. A POST (never retried) must still succeed: the
        // stale connection was dropped before use.
        Gate closeNow;
        FakeUpstream fake([&](Peer& peer, int index) {
            peer.readRequest();
            peer.write(OK_HELLO);
            if (index == 0)
                closeNow.wait();
            else
                serveAll(OK_HELLO)(peer, index);
        });
        OpenOnExit opener{closeNow};
        UpstreamPool pool;
        boost::asio::io_context ioc;
        auto target = fake.target();
        run(ioc, pool.send(target, request("POST", "/p", "a=1"), limits()));
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), pool.idleCount());
        closeNow.open();
        CPPUNIT_ASSERT(waitUntil([&] { return fake.finished.load() == 1; }));
        std::this_thread::sleep_for(std::chrono::milliseconds(20)); // the FIN crosses loopback
        UpstreamResponse r = run(ioc, pool.send(target, request("POST", "/p", "a=2"), limits()));
        CPPUNIT_ASSERT_EQUAL(std::string("hello"), r.body);
        CPPUNIT_ASSERT_EQUAL(2, fake.connections.load());
        CPPUNIT_ASSERT_EQUAL(2, fake.requests.load());
    }

    /// Connection 0 answers its first request, then reads the second and
    /// closes without a byte of answer; later connections serve normally.
    static FakeUpstream::Script failSecondOnFirst()
    {
        return [](Peer& peer, int index) {
            if (index == 0)
            {
                peer.readRequest();
                peer.write(OK_HELLO);
                peer.readRequest();
                return;
            }
            serveAll(OK_HELLO)(peer, index);
        };
    }

    void testGetRetriedOnceOnReusedConnection()
    {
        FakeUpstream fake(failSecondOnFirst());
        UpstreamPool pool;
        boost::asio::io_context ioc;
        auto target = fake.target();
        run(ioc, pool.send(target, request(), limits()));
        UpstreamResponse r = run(ioc, pool.send(target, request(), limits()));
        CPPUNIT_ASSERT_EQUAL(std::string("hello"), r.body);
        CPPUNIT_ASSERT_EQUAL(2, fake.connections.load());
        CPPUNIT_ASSERT_EQUAL(3, fake.requests.load());
    }

    void testPostNeverSentTwice()
    {
        FakeUpstream fake(failSecondOnFirst());
        UpstreamPool pool;
        boost::asio::io_context ioc;
        auto target = fake.target();
        run(ioc, pool.send(target, request("POST", "/tweet", "status=hi"), limits()));
        CPPUNIT_ASSERT_EQUAL(std::string("Unreachable"), thrown([&] {
                                 run(ioc, pool.send(target, request("POST", "/tweet", "status=hi"), limits()));
                             }));
        std::this_thread::sleep_for(std::chrono::milliseconds(50)); // a second connection would show up
        CPPUNIT_ASSERT_EQUAL(1, fake.connections.load());
        CPPUNIT_ASSERT_EQUAL(2, fake.requests.load());
    }

    void testConnectRefusedIsUnreachable()
    {
        // A port that was bound and released: nothing listens there.
        int fd = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
        socklen_t len = sizeof addr;
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
        ::close(fd);
        UpstreamPool pool;
        boost::asio::io_context ioc;
        UpstreamTarget target{"http", "127.0.0.1", ntohs(addr.sin_port)};
        CPPUNIT_ASSERT_EQUAL(std::string("Unreachable"),
                             thrown([&] { run(ioc, pool.send(target, request(), limits())); }));
        UpstreamTarget nowhere{"http", "no-such-host.invalid", 80};
        CPPUNIT_ASSERT_EQUAL(std::string("Unreachable"),
                             thrown([&] { run(ioc, pool.send(nowhere, request(), limits())); }));
    }

    void testNoAnswerIsTimeout()
    {
        Gate release;
        FakeUpstream fake([&](Peer& peer, int) {
            peer.readRequest();
            release.wait();
        });
        OpenOnExit opener{release};
        UpstreamPool pool;
        boost::asio::io_context ioc;
        auto target = fake.target();
        auto started = std::chrono::steady_clock::now();
        std::string what =
            thrown([&] { run(ioc, pool.send(target, request(), limits(std::chrono::milliseconds(200)))); });
        release.open();
        CPPUNIT_ASSERT_EQUAL(std::string("Timeout"), what);
        CPPUNIT_ASSERT(std::chrono::steady_clock::now() - started < std::chrono::seconds(5));
        CPPUNIT_ASSERT_EQUAL(std::size_t(0), pool.idleCount());
    }

    void testBytesPastContentLengthAreNeverAnAnswer()
    {
        // The first answer carries a second, unrequested one behind it (a
        // smuggled answer): it must never be served, the connection not reused.
        FakeUpstream fake([](Peer& peer, int index) {
            if (index == 0)
            {
                peer.readRequest();
                peer.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi"
                           "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nSMUGG");
                peer.readRequest();
                return;
            }
            serveAll("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfresh")(peer, index);
        });
        UpstreamPool pool;
        boost::asio::io_context ioc;
        auto target = fake.target();
        UpstreamResponse first = run(ioc, pool.send(target, request(), limits()));
        CPPUNIT_ASSERT_EQUAL(std::string("hi"), first.body);
        CPPUNIT_ASSERT_EQUAL(std::size_t(0), pool.idleCount());
        UpstreamResponse second = run(ioc, pool.send(target, request("POST", "/p"), limits()));
        CPPUNIT_ASSERT_EQUAL(std::string("fresh"), second.body);
        CPPUNIT_ASSERT_EQUAL(2, fake.connections.load());
    }

    void testTruncatedIsUnreachable()
    {
        FakeUpstream fake([](Peer& peer, int) {
            peer.readRequest();
            peer.write("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
        });
        UpstreamPool pool;
        boost::asio::io_context ioc;
        auto target = fake.target();
        CPPUNIT_ASSERT_EQUAL(std::string("Unreachable"),
                             thrown([&] { run(ioc, pool.send(target, request(), limits())); }));
        // Chunked, closed before the last chunk.
        FakeUpstream chunked([](Peer& peer, int) {
            peer.readRequest();
            peer.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n");
        });
        auto target2 = chunked.target();
        CPPUNIT_ASSERT_EQUAL(std::string("Unreachable"),
                             thrown([&] { run(ioc, pool.send(target2, request(), limits())); }));
        CPPUNIT_ASSERT_EQUAL(std::size_t(0), pool.idleCount());
    }

    void testBadChunkIsUnreachable()
    {
        FakeUpstream fake([](Peer& peer, int) {
            peer.readRequest();
            peer.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\nabc\r\n0\r\n\r\n");
            peer.waitEof();
        });
        UpstreamPool pool;
        boost::asio::io_context ioc;
        auto target = fake.target();
        CPPUNIT_ASSERT_EQUAL(std::string("Unreachable"),
                             thrown([&] { run(ioc, pool.send(target, request(), limits())); }));
        CPPUNIT_ASSERT_EQUAL(std::size_t(0), pool.idleCount());
    }

    void testTooLarge()
    {
        std::atomic<int> eofs{0};
        FakeUpstream fake([&](Peer& peer, int index) {
            peer.readRequest();
            if (index == 0)
                peer.write("HTTP/1.1 200 OK\r\nContent-Length: 20\r\n\r\n01234567890123456789");
            else
                peer.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                           "8\r\n01234567\r\n8\r\n89012345\r\n0\r\n\r\n");
            if (peer.waitEof()) ++eofs;
        });
        UpstreamPool pool;
        boost::asio::io_context ioc;
        auto target = fake.target();
        auto small = limits(std::chrono::milliseconds(5000), 10);
        CPPUNIT_ASSERT_EQUAL(std::string("TooLarge"), thrown([&] { run(ioc, pool.send(target, request(), small)); }));
        CPPUNIT_ASSERT_EQUAL(std::string("TooLarge"), thrown([&] { run(ioc, pool.send(target, request(), small)); }));
        CPPUNIT_ASSERT(waitUntil([&] { return eofs.load() == 2; })); // both connections closed
        CPPUNIT_ASSERT_EQUAL(std::size_t(0), pool.idleCount());
    }

    void testHugeContentLengthIs64Bit()
    {
        FakeUpstream fake([](Peer& peer, int) {
            peer.readRequest();
            peer.write("HTTP/1.1 200 OK\r\nContent-Length: 5368709120\r\n\r\nabc");
            peer.waitEof();
        });
        UpstreamPool pool;
        boost::asio::io_context ioc;
        auto target = fake.target();
        auto answer = run(ioc, pool.open(target, request(), limits()));
        CPPUNIT_ASSERT(answer->contentLength.has_value());
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(5368709120ull), *answer->contentLength);
        answer.reset();
        // send() refuses it at once, without reading 5 GB.
        CPPUNIT_ASSERT_EQUAL(std::string("TooLarge"),
                             thrown([&] { run(ioc, pool.send(target, request(), limits())); }));
        CPPUNIT_ASSERT_EQUAL(std::size_t(0), pool.idleCount());
    }

    void testOpenStreamsChunkedPieces()
    {
        Gate more;
        FakeUpstream fake([&](Peer& peer, int) {
            peer.readRequest();
            peer.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nx-rate-limit-remaining: 7\r\n\r\n"
                       "5\r\nhello\r\n");
            more.wait(); // the second piece only after the client has the first
            peer.write("5\r\nworld\r\n0\r\n\r\n");
            peer.readRequest();
        });
        OpenOnExit opener{more};
        UpstreamPool pool;
        boost::asio::io_context ioc;
        auto target = fake.target();
        std::vector<std::string> pieces;
        auto answer = run(ioc, pool.open(target, request(), limits()));
        CPPUNIT_ASSERT_EQUAL(200, answer->status);
        CPPUNIT_ASSERT(!answer->contentLength);
        run(ioc, [&]() -> Task<int> {
            pieces.push_back(*co_await answer->next());
            more.open();
            while (auto piece = co_await answer->next()) pieces.push_back(*piece);
            co_return 0;
        }());
        CPPUNIT_ASSERT_EQUAL(std::size_t(2), pieces.size());
        CPPUNIT_ASSERT_EQUAL(std::string("hello"), pieces[0]);
        CPPUNIT_ASSERT_EQUAL(std::string("world"), pieces[1]);
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), pool.idleCount()); // read to its end: kept
    }

    void testDroppingAnswerClosesConnection()
    {
        std::atomic<bool> sawEof{false};
        FakeUpstream fake([&](Peer& peer, int) {
            peer.readRequest();
            peer.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n");
            sawEof = peer.waitEof();
        });
        UpstreamPool pool;
        boost::asio::io_context ioc;
        auto target = fake.target();
        auto answer = run(ioc, pool.open(target, request(), limits()));
        auto piece = run(ioc, answer->next());
        CPPUNIT_ASSERT_EQUAL(std::string("hello"), *piece);
        answer.reset();
        CPPUNIT_ASSERT(waitUntil([&] { return fake.finished.load() == 1; }));
        CPPUNIT_ASSERT(sawEof.load());
        CPPUNIT_ASSERT_EQUAL(std::size_t(0), pool.idleCount());
    }

    void testHeadAnd204HaveNoBody()
    {
        FakeUpstream fake([](Peer& peer, int) {
            peer.readRequest();
            peer.write("HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n"); // HEAD: no body follows
            peer.readRequest();
            peer.write("HTTP/1.1 204 No Content\r\n\r\n");
            peer.readRequest();
            peer.write("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
            peer.readRequest();
        });
        UpstreamPool pool;
        boost::asio::io_context ioc;
        auto target = fake.target();
        UpstreamResponse head = run(ioc, pool.send(target, request("HEAD"), limits()));
        CPPUNIT_ASSERT_EQUAL(200, head.status);
        CPPUNIT_ASSERT_EQUAL(std::string(), head.body);
        UpstreamResponse none = run(ioc, pool.send(target, request("DELETE"), limits()));
        CPPUNIT_ASSERT_EQUAL(204, none.status);
        UpstreamResponse after = run(ioc, pool.send(target, request(), limits()));
        CPPUNIT_ASSERT_EQUAL(200, after.status);
        CPPUNIT_ASSERT_EQUAL(std::string("ok"), after.body);
        CPPUNIT_ASSERT_EQUAL(1, fake.connections.load());
    }

    void testSendBlockingAndContextShutdown()
    {
        FakeUpstream fake(serveAll(OK_HELLO));
        UpstreamPool pool;
        auto target = fake.target();
        UpstreamResponse r = pool.sendBlocking(target, request(), limits());
        CPPUNIT_ASSERT_EQUAL(std::string("hello"), r.body);
        // Its private io_context is gone, and its connections with it.
        CPPUNIT_ASSERT_EQUAL(std::size_t(0), pool.idleCount());
        {
            boost::asio::io_context ioc;
            run(ioc, pool.send(target, request(), limits()));
            CPPUNIT_ASSERT_EQUAL(std::size_t(1), pool.idleCount());
        }
        CPPUNIT_ASSERT_EQUAL(std::size_t(0), pool.idleCount());
        // Two io_contexts never share a connection.
        boost::asio::io_context a, b;
        run(a, pool.send(target, request(), limits()));
        run(b, pool.send(target, request(), limits()));
        CPPUNIT_ASSERT_EQUAL(std::size_t(2), pool.idleCount());
        CPPUNIT_ASSERT_EQUAL(4, fake.connections.load());
    }

    void testSelfSignedTlsIsRejected()
    {
        SSL_CTX* ctx = selfSignedServerContext();
        std::atomic<int> handshakes{0};
        FakeUpstream fake([&](Peer& peer, int) {
            SSL* ssl = SSL_new(ctx);
            SSL_set_fd(ssl, peer.fd());
            if (SSL_accept(ssl) == 1)
            {
                ++handshakes; // would mean the client accepted the certificate
                char buf[1024];
                SSL_read(ssl, buf, sizeof buf);
                const char answer[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
                SSL_write(ssl, answer, sizeof answer - 1);
            }
            SSL_free(ssl);
        });
        UpstreamPool pool;
        boost::asio::io_context ioc;
        UpstreamTarget target{"https", "127.0.0.1", fake.port};
        std::string what = thrown([&] { run(ioc, pool.send(target, request(), limits())); });
        CPPUNIT_ASSERT_EQUAL(std::string("Unreachable"), what);
        CPPUNIT_ASSERT(waitUntil([&] { return fake.finished.load() == 1; }));
        CPPUNIT_ASSERT_EQUAL(1, fake.connections.load()); // it did reach the server
        CPPUNIT_ASSERT_EQUAL(0, handshakes.load());
        SSL_CTX_free(ctx);
    }

    void testSeveralIoThreads()
    {
        // One pool, two I/O threads with an io_context each (as the server
        // runs): each keeps and reuses its own connection.
        FakeUpstream fake(serveAll(OK_HELLO));
        UpstreamPool pool;
        auto target = fake.target();
        std::atomic<int> ok{0};
        auto ioThread = [&] {
            boost::asio::io_context ioc;
            for (int i = 0; i < 20; ++i)
                if (run(ioc, pool.send(target, request(), limits())).body == "hello") ++ok;
        };
        std::thread a(ioThread), b(ioThread);
        a.join();
        b.join();
        CPPUNIT_ASSERT_EQUAL(40, ok.load());
        CPPUNIT_ASSERT_EQUAL(2, fake.connections.load());
        CPPUNIT_ASSERT_EQUAL(std::size_t(0), pool.idleCount()); // both io_contexts are gone
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(UpstreamPoolTest);
