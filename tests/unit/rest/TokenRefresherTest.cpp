// TokenRefresher (DESIGN.md 3.8): when a token is due (min(60 s, life/10)
// left, on the injected clock); one refresh for many parallel requests, and
// none for a request whose 401 arrives after it landed; the rotated refresh
// token replaces the old in the store in one write, sealed at rest; a
// refused refresh forgets the token (every waiter sees none); an unreachable
// X forgets nothing and the next request tries again.
#include "rest/TokenRefresher.h"

#include "birdgate/common/WorkerPool.h"
#include "birdgate/session/SessionManager.h"
#include "birdgate/session/Store.h"
#include "birdgate/twitter/Upstream.h"

#include "TestSupport.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <cppunit/TestFixture.h>
#include <cppunit/extensions/HelperMacros.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <iterator>

#include <unistd.h>

using namespace birdgate;
using namespace std::chrono_literals;

namespace
{
enum class Outcome
{
    Rotate,  // a new access and refresh token
    Refuse,  // X says invalid_grant
    Offline, // X cannot be reached
};

/// The fake refresh: slow (so parallel callers overlap), counted.
Task<OAuth2Tokens> fakeRefresh(std::atomic<int>& calls, Outcome outcome, std::string refreshToken)
{
    const int n = ++calls;
    boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, 20ms);
    co_await timer.async_wait(boost::asio::use_awaitable);
    if (outcome == Outcome::Refuse) throw OAuth2Refused("X refused the token request (HTTP 400, invalid_grant)");
    if (outcome == Outcome::Offline) throw UpstreamUnreachable("connection refused");
    co_return OAuth2Tokens{"access-" + std::to_string(n), "refresh-" + std::to_string(n) + "-from-" + refreshToken,
                           7200};
}

long long seconds(std::chrono::system_clock::time_point t)
{
    return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}
} // namespace

class TokenRefresherTest : public CppUnit::TestFixture
{
    CPPUNIT_TEST_SUITE(TokenRefresherTest);
    CPPUNIT_TEST(testDueTiming);
    CPPUNIT_TEST(testDueOnTheInjectedClock);
    CPPUNIT_TEST(testOneRefreshForParallelRequestsAndLateOnes);
    CPPUNIT_TEST(testRefusedRefreshForgetsTheSessionToken);
    CPPUNIT_TEST(testUnreachableForgetsNothing);
    CPPUNIT_TEST_SUITE_END();

  public:
    void setUp() override
    {
        _folder = std::filesystem::temp_directory_path() /
                  ("birdgate-refresher-" + std::to_string(::getpid()) + "-" + std::to_string(++_counter));
        std::filesystem::create_directories(_folder);
        _dbUrl = "sqlite:" + (_folder / "t.db").string();
        _store = Store::open(_dbUrl, "a-test-secret", nullptr);
        _sessions = std::make_shared<SessionManager>(_store, 3600);
        _workers = std::make_shared<WorkerPool>(2);
    }

    void tearDown() override
    {
        _workers->stop();
        _workers.reset();
        _sessions.reset();
        _store.reset();
        std::filesystem::remove_all(_folder);
    }

    void testDueTiming()
    {
        using clock = std::chrono::system_clock;
        const clock::time_point t0 = clock::time_point(std::chrono::seconds(1'700'000'000));
        TokenSource::Token token{"a", "", "", "", "r", seconds(t0), seconds(t0) + 7200};
        // 2 hours: refreshed in the last 60 s.
        CPPUNIT_ASSERT(!TokenRefresher::dueAt(token, t0));
        CPPUNIT_ASSERT(!TokenRefresher::dueAt(token, t0 + 7139s));
        CPPUNIT_ASSERT(TokenRefresher::dueAt(token, t0 + 7140s));
        CPPUNIT_ASSERT(TokenRefresher::dueAt(token, t0 + 9000s));
        // 100 s: in the last tenth (10 s).
        token.expiresAt = seconds(t0) + 100;
        CPPUNIT_ASSERT(!TokenRefresher::dueAt(token, t0 + 89s));
        CPPUNIT_ASSERT(TokenRefresher::dueAt(token, t0 + 90s));
        // Life unknown: only a 401 refreshes it.
        token.expiresAt = 0;
        CPPUNIT_ASSERT(!TokenRefresher::dueAt(token, t0 + 1'000'000s));
    }

    void testDueOnTheInjectedClock()
    {
        FakeClock clock;
        TokenSource tokens(TokenSource::Mode::Persist, {}, "x", "cid", _store, _sessions, _workers);
        std::atomic<int> calls{0};
        TokenRefresher refresher(
            tokens, [&](const std::string& r) { return fakeRefresh(calls, Outcome::Rotate, r); }, clock);
        const long long now = seconds(clock.now());
        TokenSource::Token token{"a", "", "", "", "r", now, now + 600}; // margin: 60 s
        CPPUNIT_ASSERT(!refresher.due(token));
        clock.advance(539s);
        CPPUNIT_ASSERT(!refresher.due(token));
        clock.advance(1s);
        CPPUNIT_ASSERT(refresher.due(token));
        CPPUNIT_ASSERT_EQUAL(0, calls.load());
    }

    void testOneRefreshForParallelRequestsAndLateOnes()
    {
        FakeClock clock;
        TokenSource tokens(TokenSource::Mode::Persist, {}, "x", "cid", _store, _sessions, _workers);
        Session scratch = _sessions->create();
        const long long now = seconds(clock.now());
        const TokenSource::Token stale{"access-0", "", "alice", "42", "refresh-0", now - 7200, now};
        tokens.keep(scratch, stale);
        std::atomic<int> calls{0};
        TokenRefresher refresher(
            tokens, [&](const std::string& r) { return fakeRefresh(calls, Outcome::Rotate, r); }, clock);

        boost::asio::io_context ioc;
        std::vector<std::string> got;
        for (int i = 0; i < 8; ++i)
            boost::asio::co_spawn(ioc, refresher.refresh(std::nullopt, stale),
                                  [&](std::exception_ptr e, std::optional<TokenSource::Token> t) {
                                      if (!e && t) got.push_back(t->key + " " + t->refresh);
                                  });
        ioc.run();
        CPPUNIT_ASSERT_EQUAL(1, calls.load());
        CPPUNIT_ASSERT_EQUAL(std::size_t(8), got.size());
        for (const auto& g : got) CPPUNIT_ASSERT_EQUAL(std::string("access-1 refresh-1-from-refresh-0"), g);
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), refresher.refreshes());

        // Stored: the new pair together, the user kept, its life from now.
        std::optional<TokenSource::Token> stored = runFind(tokens);
        CPPUNIT_ASSERT(stored);
        CPPUNIT_ASSERT_EQUAL(std::string("access-1"), stored->key);
        CPPUNIT_ASSERT_EQUAL(std::string("refresh-1-from-refresh-0"), stored->refresh);
        CPPUNIT_ASSERT_EQUAL(std::string("alice"), stored->screenName);
        CPPUNIT_ASSERT_EQUAL(now, stored->obtainedAt);
        CPPUNIT_ASSERT_EQUAL(now + 7200, stored->expiresAt);

        // A request whose 401 for access-0 arrives now: the same new token, no refresh.
        ioc.restart();
        std::optional<TokenSource::Token> late;
        boost::asio::co_spawn(ioc, refresher.refresh(std::nullopt, stale),
                              [&](std::exception_ptr, std::optional<TokenSource::Token> t) { late = t; });
        ioc.run();
        CPPUNIT_ASSERT(late);
        CPPUNIT_ASSERT_EQUAL(std::string("access-1"), late->key);
        CPPUNIT_ASSERT_EQUAL(1, calls.load());

        // Sealed at rest: the store's raw bytes (database and journal) hold
        // neither token.
        std::string bytes;
        for (const auto& file : std::filesystem::directory_iterator(_folder))
        {
            std::ifstream in(file.path().string(), std::ios::binary);
            bytes.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
        }
        CPPUNIT_ASSERT(bytes.size() > 1000);
        CPPUNIT_ASSERT(bytes.find("refresh-1-from") == std::string::npos);
        CPPUNIT_ASSERT(bytes.find("access-1") == std::string::npos);
    }

    void testRefusedRefreshForgetsTheSessionToken()
    {
        FakeClock clock;
        TokenSource tokens(TokenSource::Mode::Session, {}, "x", "cid", _store, _sessions, _workers);
        Session session = _sessions->create();
        const TokenSource::Token stale{"access-0", "", "alice", "42", "refresh-0", 1, 2};
        tokens.keep(session, stale);
        session.data["other"] = "kept";
        _sessions->save(session);
        std::atomic<int> calls{0};
        TokenRefresher refresher(
            tokens, [&](const std::string& r) { return fakeRefresh(calls, Outcome::Refuse, r); }, clock);
        boost::asio::io_context ioc;
        int none = 0;
        const std::optional<Session> loaded = session;
        for (int i = 0; i < 5; ++i)
            boost::asio::co_spawn(ioc, refresher.refresh(loaded, stale),
                                  [&](std::exception_ptr e, std::optional<TokenSource::Token> t) {
                                      if (!e && !t) ++none;
                                  });
        ioc.run();
        CPPUNIT_ASSERT_EQUAL(1, calls.load());
        CPPUNIT_ASSERT_EQUAL(5, none);
        std::optional<Session> now = _sessions->reload(session.id);
        CPPUNIT_ASSERT(now);
        CPPUNIT_ASSERT(now->data.count("token:cid") == 0);
        CPPUNIT_ASSERT(now->data.count("token:cid:refresh") == 0);
        CPPUNIT_ASSERT_EQUAL(std::string("kept"), now->data["other"]);
    }

    void testUnreachableForgetsNothing()
    {
        FakeClock clock;
        TokenSource tokens(TokenSource::Mode::Persist, {}, "x", "cid", _store, _sessions, _workers);
        Session scratch = _sessions->create();
        const TokenSource::Token stale{"access-0", "", "", "", "refresh-0", 1, 2};
        tokens.keep(scratch, stale);
        std::atomic<int> calls{0};
        std::atomic<bool> offline{true};
        TokenRefresher refresher(
            tokens,
            [&](const std::string& r) { return fakeRefresh(calls, offline ? Outcome::Offline : Outcome::Rotate, r); },
            clock);
        boost::asio::io_context ioc;
        int unreachable = 0;
        for (int i = 0; i < 3; ++i)
            boost::asio::co_spawn(ioc, refresher.refresh(std::nullopt, stale),
                                  [&](std::exception_ptr e, std::optional<TokenSource::Token>) {
                                      try
                                      {
                                          if (e) std::rethrow_exception(e);
                                      }
                                      catch (const UpstreamUnreachable&)
                                      {
                                          ++unreachable;
                                      }
                                  });
        ioc.run();
        CPPUNIT_ASSERT_EQUAL(1, calls.load());
        CPPUNIT_ASSERT_EQUAL(3, unreachable);
        CPPUNIT_ASSERT_EQUAL(std::string("access-0"), runFind(tokens)->key);
        // Back online: the next request refreshes (nothing was remembered).
        offline = false;
        ioc.restart();
        std::optional<TokenSource::Token> fresh;
        boost::asio::co_spawn(ioc, refresher.refresh(std::nullopt, stale),
                              [&](std::exception_ptr, std::optional<TokenSource::Token> t) { fresh = t; });
        ioc.run();
        CPPUNIT_ASSERT_EQUAL(2, calls.load());
        CPPUNIT_ASSERT(fresh);
        CPPUNIT_ASSERT_EQUAL(std::string("access-2"), fresh->key);
    }

  private:
    std::optional<TokenSource::Token> runFind(const TokenSource& tokens)
    {
        boost::asio::io_context ioc;
        std::optional<TokenSource::Token> found;
        const std::optional<Session> noSession; // outlives the task: find() starts when awaited
        boost::asio::co_spawn(ioc, tokens.find(noSession),
                              [&](std::exception_ptr, std::optional<TokenSource::Token> t) { found = t; });
        ioc.run();
        return found;
    }

    static inline int _counter = 0;
    std::filesystem::path _folder;
    std::string _dbUrl;
    std::shared_ptr<Store> _store;
    std::shared_ptr<SessionManager> _sessions;
    std::shared_ptr<WorkerPool> _workers;
};

CPPUNIT_TEST_SUITE_REGISTRATION(TokenRefresherTest);
