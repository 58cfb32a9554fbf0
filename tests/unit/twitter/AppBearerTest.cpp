// AppBearer (DESIGN.md 3.8): one fetch for every caller waiting on a token,
// coroutine and blocking callers alike; one renewal after a 401 however many
// callers report it, and none for a caller whose 401 arrives after it; a
// refusal reaches every waiter and the next call tries again; a literal token
// is never fetched or renewed. Then the client-credentials request on the
// wire (a scripted fake upstream: Basic credentials RFC 3986-encoded, the
// grant in the body) and the token answer parser against garbage.
#include "birdgate/twitter/AppBearer.h"

#include "FakeUpstream.h"
#include "TestSupport.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <cppunit/TestFixture.h>
#include <cppunit/extensions/HelperMacros.h>

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

using namespace birdgate;
using birdgate::test::FakeUpstream;
using birdgate::test::Gate;
using birdgate::test::Peer;
using birdgate::test::waitUntil;

namespace
{
/// A fetch that takes a while (a timer on the caller's executor), so every
/// caller spawned meanwhile is waiting on it; the n-th fetch answers "tok<n>".
Task<std::string> slowFetch(std::atomic<int>& count, bool refuse)
{
    const int n = ++count;
    boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, std::chrono::milliseconds(20));
    co_await timer.async_wait(boost::asio::use_awaitable);
    if (refuse) throw BearerError("X refused the app's client credentials (HTTP 403)");
    co_return "tok" + std::to_string(n);
}

struct Outcome
{
    std::vector<std::string> tokens;
    int errors = 0;
};

/// Spawns `callers` coroutines running `call` on one io_context, runs it.
Outcome runCallers(int callers, const std::function<Task<std::string>()>& call)
{
    boost::asio::io_context ioc;
    Outcome out;
    for (int i = 0; i < callers; ++i)
        boost::asio::co_spawn(ioc, call(), [&](std::exception_ptr e, std::string token) {
            if (e)
            {
                try
                {
                    std::rethrow_exception(e);
                }
                catch (const BearerError&)
                {
                    ++out.errors;
                }
            }
            else
            {
                out.tokens.push_back(token);
            }
        });
    ioc.run();
    return out;
}

bool allEqual(const std::vector<std::string>& tokens, const std::string& expected)
{
    for (const auto& t : tokens)
        if (t != expected) return false;
    return true;
}

UpstreamResponse answer(int status, std::string body)
{
    UpstreamResponse r;
    r.status = status;
    r.body = std::move(body);
    return r;
}

std::string lower(std::string s)
{
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}
} // namespace

class AppBearerTest : public CppUnit::TestFixture
{
    CPPUNIT_TEST_SUITE(AppBearerTest);
    CPPUNIT_TEST(testOneFetchForConcurrentCallers);
    CPPUNIT_TEST(testRenewOnceAndLateRejectionsGetTheNewToken);
    CPPUNIT_TEST(testRefusalReachesEveryWaiterAndNextCallRetries);
    CPPUNIT_TEST(testLiteralIsNeverFetchedOrRenewed);
    CPPUNIT_TEST(testBlockingAndCoroutineCallersShareOneFetch);
    CPPUNIT_TEST(testClientCredentialsOnTheWire);
    CPPUNIT_TEST(testRefusalOnTheWireNamesNoSecret);
    CPPUNIT_TEST(testParseTokenAnswerGarbage);
    CPPUNIT_TEST(testBearerAndBasicHeaders);
    CPPUNIT_TEST_SUITE_END();

  public:
    void testOneFetchForConcurrentCallers()
    {
        std::atomic<int> count{0};
        auto bearer = AppBearer::withFetch([&count] { return slowFetch(count, false); }, nullptr);
        Outcome out = runCallers(10, [&] { return bearer->token(); });
        CPPUNIT_ASSERT_EQUAL(1, count.load());
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), bearer->fetches());
        CPPUNIT_ASSERT_EQUAL(std::size_t(10), out.tokens.size());
        CPPUNIT_ASSERT(allEqual(out.tokens, "tok1"));
        // Held now: later callers get it without a fetch.
        out = runCallers(3, [&] { return bearer->token(); });
        CPPUNIT_ASSERT_EQUAL(1, count.load());
        CPPUNIT_ASSERT(allEqual(out.tokens, "tok1"));
    }

    void testRenewOnceAndLateRejectionsGetTheNewToken()
    {
        std::atomic<int> count{0};
        auto bearer = AppBearer::withFetch([&count] { return slowFetch(count, false); }, nullptr);
        runCallers(1, [&] { return bearer->token(); });
        CPPUNIT_ASSERT_EQUAL(1, count.load());
        // Ten requests got a 401 for tok1 at the same time: one renewal.
        Outcome out = runCallers(10, [&] { return bearer->renew("tok1"); });
        CPPUNIT_ASSERT_EQUAL(2, count.load());
        CPPUNIT_ASSERT_EQUAL(std::size_t(10), out.tokens.size());
        CPPUNIT_ASSERT(allEqual(out.tokens, "tok2"));
        // A 401 for tok1 arriving after the renewal: tok2, no fetch.
        out = runCallers(1, [&] { return bearer->renew("tok1"); });
        CPPUNIT_ASSERT_EQUAL(2, count.load());
        CPPUNIT_ASSERT(allEqual(out.tokens, "tok2"));
        CPPUNIT_ASSERT_EQUAL(std::string("tok2"), bearer->renewBlocking("tok1"));
        CPPUNIT_ASSERT_EQUAL(2, count.load());
        // tok2 rejected in turn: a new one.
        out = runCallers(2, [&] { return bearer->renew("tok2"); });
        CPPUNIT_ASSERT_EQUAL(3, count.load());
        CPPUNIT_ASSERT(allEqual(out.tokens, "tok3"));
        CPPUNIT_ASSERT_EQUAL(std::size_t(3), bearer->fetches());
    }

    void testRefusalReachesEveryWaiterAndNextCallRetries()
    {
        std::atomic<int> count{0};
        std::atomic<bool> refuse{true};
        auto bearer = AppBearer::withFetch([&] { return slowFetch(count, refuse.load()); }, nullptr);
        Outcome out = runCallers(5, [&] { return bearer->token(); });
        CPPUNIT_ASSERT_EQUAL(1, count.load());
        CPPUNIT_ASSERT_EQUAL(5, out.errors);
        CPPUNIT_ASSERT(out.tokens.empty());
        // Nothing is remembered of the refusal: the next call fetches anew.
        refuse = false;
        out = runCallers(2, [&] { return bearer->token(); });
        CPPUNIT_ASSERT_EQUAL(2, count.load());
        CPPUNIT_ASSERT_EQUAL(0, out.errors);
        CPPUNIT_ASSERT(allEqual(out.tokens, "tok2"));
    }

    void testLiteralIsNeverFetchedOrRenewed()
    {
        auto bearer = AppBearer::literal("AAAA%2Fliteral");
        CPPUNIT_ASSERT(!bearer->renewable());
        Outcome out = runCallers(2, [&] { return bearer->token(); });
        CPPUNIT_ASSERT(allEqual(out.tokens, "AAAA%2Fliteral"));
        out = runCallers(2, [&] { return bearer->renew("AAAA%2Fliteral"); });
        CPPUNIT_ASSERT_EQUAL(std::size_t(2), out.tokens.size());
        CPPUNIT_ASSERT(allEqual(out.tokens, "AAAA%2Fliteral"));
        CPPUNIT_ASSERT_EQUAL(std::string("AAAA%2Fliteral"), bearer->tokenBlocking());
        CPPUNIT_ASSERT_EQUAL(std::string("AAAA%2Fliteral"), bearer->renewBlocking("AAAA%2Fliteral"));
        CPPUNIT_ASSERT_EQUAL(std::size_t(0), bearer->fetches());
    }

    void testBlockingAndCoroutineCallersShareOneFetch()
    {
        // The stream's thread fetches (blocking, held at a gate); a request
        // on the event loop asks meanwhile and waits for that same fetch.
        Gate release;
        std::atomic<int> count{0};
        auto bearer = AppBearer::withFetch(nullptr, [&] {
            ++count;
            release.wait();
            return std::string("blocking-tok");
        });
        std::string streamToken;
        std::thread stream([&] { streamToken = bearer->tokenBlocking(); });
        CPPUNIT_ASSERT(waitUntil([&] { return count.load() == 1; }));

        boost::asio::io_context ioc;
        std::string loopToken;
        boost::asio::co_spawn(ioc, bearer->token(), [&](std::exception_ptr e, std::string t) {
            if (!e) loopToken = t;
        });
        std::thread loop([&] { ioc.run(); });
        std::string secondThreadToken;
        std::thread second([&] { secondThreadToken = bearer->tokenBlocking(); });
        // The coroutine is parked on the flight, not fetching.
        const bool parked = waitUntil([&] { return bearer->waiting() == 1; });
        release.open();
        stream.join();
        loop.join();
        second.join();
        CPPUNIT_ASSERT(parked);
        CPPUNIT_ASSERT_EQUAL(1, count.load());
        CPPUNIT_ASSERT_EQUAL(std::string("blocking-tok"), streamToken);
        CPPUNIT_ASSERT_EQUAL(std::string("blocking-tok"), loopToken);
        CPPUNIT_ASSERT_EQUAL(std::string("blocking-tok"), secondThreadToken);
    }

    void testClientCredentialsOnTheWire()
    {
        std::vector<std::string> seen;
        std::mutex seenMutex;
        FakeUpstream fake([&](Peer& peer, int connection) {
            for (std::string request = peer.readRequest(); !request.empty(); request = peer.readRequest())
            {
                {
                    std::lock_guard<std::mutex> lock(seenMutex);
                    seen.push_back(request);
                }
                const std::string body =
                    R"({"token_type":"bearer","access_token":"AAAA)" + std::to_string(connection) + R"("})";
                peer.write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
                           std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body);
                return;
            }
        });
        auto client = std::make_shared<TwitterClient>(fake.target(), std::make_shared<UpstreamPool>());
        auto bearer = AppBearer::clientCredentials(client, "k y", "s+c", UpstreamLimits{}, "/api/");
        CPPUNIT_ASSERT_EQUAL(std::string("AAAA0"), bearer->tokenBlocking());
        // The coroutine path after a 401 to that token.
        Outcome out = runCallers(3, [&] { return bearer->renew("AAAA0"); });
        CPPUNIT_ASSERT(allEqual(out.tokens, "AAAA1"));
        CPPUNIT_ASSERT_EQUAL(std::size_t(3), out.tokens.size());
        CPPUNIT_ASSERT(waitUntil([&] { return fake.finished.load() == 2; }));
        CPPUNIT_ASSERT_EQUAL(2, fake.requests.load());
        std::lock_guard<std::mutex> lock(seenMutex);
        for (const std::string& request : seen)
        {
            CPPUNIT_ASSERT(request.rfind("POST /api/oauth2/token HTTP/1.1\r\n", 0) == 0);
            // base64("k%20y:s%2Bc"): each half RFC 3986-encoded first.
            CPPUNIT_ASSERT(request.find("\r\nAuthorization: Basic ayUyMHk6cyUyQmM=\r\n") != std::string::npos);
            CPPUNIT_ASSERT(lower(request).find("\r\ncontent-type: application/x-www-form-urlencoded\r\n") !=
                           std::string::npos);
            CPPUNIT_ASSERT(request.substr(request.find("\r\n\r\n") + 4) == "grant_type=client_credentials");
        }
    }

    void testRefusalOnTheWireNamesNoSecret()
    {
        FakeUpstream fake([](Peer& peer, int) {
            if (peer.readRequest().empty()) return;
            const std::string body = R"({"errors":[{"code":99,"message":"Unable to verify your credentials"}]})";
            peer.write("HTTP/1.1 403 Forbidden\r\nContent-Length: " + std::to_string(body.size()) +
                       "\r\nConnection: close\r\n\r\n" + body);
        });
        auto client = std::make_shared<TwitterClient>(fake.target(), std::make_shared<UpstreamPool>());
        auto bearer = AppBearer::clientCredentials(client, "the-key", "the-secret", UpstreamLimits{});
        std::string message;
        try
        {
            bearer->tokenBlocking();
        }
        catch (const BearerError& e)
        {
            message = e.what();
        }
        CPPUNIT_ASSERT(message.find("403") != std::string::npos);
        CPPUNIT_ASSERT(message.find("the-key") == std::string::npos);
        CPPUNIT_ASSERT(message.find("the-secret") == std::string::npos);
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), bearer->fetches());
    }

    void testParseTokenAnswerGarbage()
    {
        CPPUNIT_ASSERT_EQUAL(std::string("AAAA"), AppBearer::parseTokenAnswer(
                                                      answer(200, R"({"token_type":"bearer","access_token":"AAAA"})")));
        CPPUNIT_ASSERT_EQUAL(std::string("B"),
                             AppBearer::parseTokenAnswer(answer(200, R"({"access_token":"B","token_type":"Bearer"})")));
        const std::vector<UpstreamResponse> garbage = {
            answer(200, ""),
            answer(200, "null"),
            answer(200, "[]"),
            answer(200, "\"bearer\""),
            answer(200, "{"),
            answer(200, R"({"token_type":"bearer"})"),
            answer(200, R"({"access_token":"AAAA"})"),
            answer(200, R"({"token_type":"mac","access_token":"AAAA"})"),
            answer(200, R"({"token_type":"bearer","access_token":""})"),
            answer(200, R"({"token_type":"bearer","access_token":42})"),
            answer(200, R"({"token_type":["bearer"],"access_token":"AAAA"})"),
            answer(200, std::string("{\"token_type\":\"bearer\",\"access_token\":\"A\0B\"", 40)),
            answer(401, R"({"token_type":"bearer","access_token":"AAAA"})"),
            answer(500, "<html>"),
        };
        for (const auto& g : garbage)
        {
            bool refused = false;
            try
            {
                AppBearer::parseTokenAnswer(g);
            }
            catch (const BearerError& e)
            {
                refused = std::string(e.what()).find("AAAA") == std::string::npos;
            }
            CPPUNIT_ASSERT_MESSAGE(g.body, refused);
        }
    }

    void testBearerAndBasicHeaders()
    {
        TwitterClient client({"https", "api.x.com", 443}, std::make_shared<UpstreamPool>());
        TwitterCall call;
        call.path = "/2/users/me";
        UpstreamRequest r = client.build(call, BearerAuthorizer("tok"));
        CPPUNIT_ASSERT_EQUAL(std::string("Bearer tok"), *findHeader(r.headers, "Authorization"));
        call.headers.push_back({"Authorization", "OAuth stale"});
        r = client.build(call, BasicAuthorizer("id", "sec"));
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), std::size_t(std::count_if(r.headers.begin(), r.headers.end(), [](auto& h) {
                                 return iequals(h.name, "Authorization");
                             })));
        CPPUNIT_ASSERT_EQUAL(std::string("Basic ") + oauth1::base64("id:sec"), *findHeader(r.headers, "Authorization"));
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(AppBearerTest);
