// ResponseCache: hits and misses, expiry on a fake clock, LRU eviction by
// bytes, the size cap per entry, keys that never collide across identities,
// and the single-flight fetch under concurrency (stampede, one-off answers,
// failing fetches, the waiters' time bound). getOrFetch is a coroutine: most
// tests run each caller on its own thread and io_context (runGetOrFetch), so
// a fetch may block its own caller on a Gate; testAwaitingMissesOnTwoThreads
// parks many callers on one io_context run by two threads, which only works
// when waiting holds no thread.
#include "TestSupport.h"

#include "birdgate/cache/ResponseCache.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <latch>
#include <memory>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

using birdgate::CachedResponse;
using birdgate::ResponseCache;
using birdgate::test::Gate;
using birdgate::test::waitUntil;
using std::chrono::seconds;

namespace
{
CachedResponse answer(const std::string& body, int status = 200)
{
    CachedResponse r;
    r.status = status;
    r.reason = status == 200 ? "OK" : "Error";
    r.body = body;
    return r;
}

/// Time that moves only when the test says so.
struct FakeTime
{
    std::shared_ptr<std::chrono::steady_clock::time_point> now =
        std::make_shared<std::chrono::steady_clock::time_point>(std::chrono::steady_clock::time_point{} +
                                                                seconds(1000));

    ResponseCache::TimeSource source() const
    {
        auto shared = now;
        return [shared] { return *shared; };
    }
    void advance(seconds by) { *now += by; }
};

/// A blocking fetch as the coroutine getOrFetch expects.
template <class F> ResponseCache::Fetch async(F f)
{
    return [f](bool& cacheable) -> birdgate::Task<std::optional<CachedResponse>> { co_return f(cacheable); };
}

/// getOrFetch run to completion on the calling thread's own io_context.
template <class F>
std::shared_ptr<const CachedResponse> runGetOrFetch(ResponseCache& cache, const std::string& key, seconds ttl, F fetch,
                                                    bool& hit,
                                                    std::chrono::milliseconds waitLimit = std::chrono::seconds(30))
{
    boost::asio::io_context ioc;
    std::shared_ptr<const CachedResponse> got;
    std::exception_ptr error;
    const ResponseCache::Fetch coroutine = async(fetch);
    boost::asio::co_spawn(ioc, cache.getOrFetch(key, ttl, coroutine, hit, waitLimit),
                          [&](std::exception_ptr e, std::shared_ptr<const CachedResponse> r) {
                              error = e;
                              got = std::move(r);
                          });
    ioc.run();
    if (error) std::rethrow_exception(error);
    return got;
}

/// Until `n` callers wait on another's fetch; false after ~10 s.
bool waitForWaiters(ResponseCache& cache, std::uint64_t n)
{
    return waitUntil([&] { return cache.stats().waiting >= n; });
}

/// Until `counter` reaches `n`; false after ~10 s.
bool waitForCount(const std::atomic<int>& counter, int n)
{
    return waitUntil([&] { return counter.load() >= n; });
}
} // namespace

class ResponseCacheTest : public CppUnit::TestFixture
{
    CPPUNIT_TEST_SUITE(ResponseCacheTest);
    CPPUNIT_TEST(testHitMiss);
    CPPUNIT_TEST(testExpiry);
    CPPUNIT_TEST(testLruEvictionByBytes);
    CPPUNIT_TEST(testOversizedNotStored);
    CPPUNIT_TEST(testReplaceAccountsOnce);
    CPPUNIT_TEST(testHeadersCounted);
    CPPUNIT_TEST(testZeroSizeOrTtlStoresNothing);
    CPPUNIT_TEST(testKeysNeverCollide);
    CPPUNIT_TEST(testIdentitiesSeparate);
    CPPUNIT_TEST(testGetOrFetchHitAndMiss);
    CPPUNIT_TEST(testGetOrFetchAfterExpiry);
    CPPUNIT_TEST(testStampede);
    CPPUNIT_TEST(testNonCacheableSharedNotStored);
    CPPUNIT_TEST(testThrowingFetchWaitersRetry);
    CPPUNIT_TEST(testNulloptFetch);
    CPPUNIT_TEST(testWaitLimit);
    CPPUNIT_TEST(testAwaitingMissesOnTwoThreads);
    CPPUNIT_TEST_SUITE_END();

  public:
    void testHitMiss()
    {
        ResponseCache cache(1 << 20);
        CPPUNIT_ASSERT(!cache.get("k"));
        cache.put("k", answer("body"), seconds(60));
        auto got = cache.get("k");
        CPPUNIT_ASSERT(got);
        CPPUNIT_ASSERT_EQUAL(std::string("body"), got->body);
        CPPUNIT_ASSERT_EQUAL(200, got->status);
        CPPUNIT_ASSERT_EQUAL(std::string("OK"), got->reason);
        // A hit hands out the stored answer itself, not a copy.
        CPPUNIT_ASSERT(got == cache.get("k"));

        const auto s = cache.stats();
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(2), s.hits);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(1), s.misses);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(1), s.entries);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(5), s.bytes); // "k" + "body"
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(0), s.evictions);
    }

    void testExpiry()
    {
        FakeTime time;
        ResponseCache cache(1 << 20, time.source());
        cache.put("k", answer("body"), seconds(10));
        time.advance(seconds(9));
        CPPUNIT_ASSERT(cache.get("k"));
        time.advance(seconds(1)); // exactly ttl: gone
        CPPUNIT_ASSERT(!cache.get("k"));
        const auto s = cache.stats();
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(0), s.entries);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(0), s.bytes);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(1), s.expirations);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(0), s.evictions);
        // Storing again starts a new time to live from the current time.
        cache.put("k", answer("again"), seconds(5));
        time.advance(seconds(4));
        CPPUNIT_ASSERT_EQUAL(std::string("again"), cache.get("k")->body);
    }

    void testLruEvictionByBytes()
    {
        // 1600 bytes in all, 200 at most per entry; 16 entries of 100 bytes
        // ("kNN" + 97 bytes of body) fill it exactly.
        ResponseCache cache(1600);
        for (int i = 0; i < 16; ++i) cache.put(keyOf(i), answer(std::string(97, 'x')), seconds(60));
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(16), cache.stats().entries);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(1600), cache.stats().bytes);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(0), cache.stats().evictions);

        // Touch k00: k01 and k02 become the least recently used.
        CPPUNIT_ASSERT(cache.get(keyOf(0)));
        // A 200-byte entry needs two 100-byte entries gone.
        cache.put("big", answer(std::string(197, 'y')), seconds(60));
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(2), cache.stats().evictions);
        CPPUNIT_ASSERT(!cache.get(keyOf(1)));
        CPPUNIT_ASSERT(!cache.get(keyOf(2)));
        CPPUNIT_ASSERT(cache.get(keyOf(0)));
        CPPUNIT_ASSERT(cache.get(keyOf(3)));
        CPPUNIT_ASSERT(cache.get("big"));
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(15), cache.stats().entries);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(1600), cache.stats().bytes);

        // Order now, least recent first: k04..k15, k00, k03, big. One more
        // 100-byte entry evicts k04 only.
        cache.put("new", answer(std::string(97, 'z')), seconds(60));
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(3), cache.stats().evictions);
        CPPUNIT_ASSERT(!cache.get(keyOf(4)));
        CPPUNIT_ASSERT(cache.get(keyOf(5)));
        CPPUNIT_ASSERT(cache.get("new"));
        CPPUNIT_ASSERT(cache.stats().bytes <= 1600);
    }

    void testOversizedNotStored()
    {
        ResponseCache cache(800); // at most 100 bytes per entry
        cache.put("k", answer(std::string(99, 'x')), seconds(60));
        CPPUNIT_ASSERT(cache.get("k"));
        cache.put("o", answer(std::string(100, 'x')), seconds(60)); // 101 bytes
        CPPUNIT_ASSERT(!cache.get("o"));
        // An oversized answer for a stored key drops the older answer too.
        cache.put("k", answer(std::string(100, 'z')), seconds(60));
        CPPUNIT_ASSERT(!cache.get("k"));
        const auto s = cache.stats();
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(0), s.entries);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(0), s.bytes);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(0), s.evictions);
    }

    void testReplaceAccountsOnce()
    {
        ResponseCache cache(1 << 20);
        cache.put("k", answer("one"), seconds(60));
        cache.put("k", answer("second"), seconds(60));
        CPPUNIT_ASSERT_EQUAL(std::string("second"), cache.get("k")->body);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(1), cache.stats().entries);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(7), cache.stats().bytes);
        cache.clear();
        CPPUNIT_ASSERT(!cache.get("k"));
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(0), cache.stats().bytes);
    }

    void testHeadersCounted()
    {
        CachedResponse r = answer("body");
        r.headers = {{"Content-Type", "application/json"}, {"x-rate-limit-remaining", "899"}};
        CPPUNIT_ASSERT_EQUAL(size_t(3 + 4 + 12 + 16 + 22 + 3), ResponseCache::sizeOf("key", r));
        ResponseCache cache(1 << 20);
        cache.put("key", r, seconds(60));
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(60), cache.stats().bytes);
        auto got = cache.get("key");
        CPPUNIT_ASSERT_EQUAL(size_t(2), got->headers.size());
        CPPUNIT_ASSERT_EQUAL(std::string("application/json"), got->header("content-type"));
    }

    void testZeroSizeOrTtlStoresNothing()
    {
        ResponseCache off(0);
        off.put("", answer(""), seconds(60));
        CPPUNIT_ASSERT(!off.get(""));
        ResponseCache cache(1 << 20);
        cache.put("k", answer("x"), seconds(0));
        CPPUNIT_ASSERT(!cache.get("k"));
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(0), cache.stats().entries);
    }

    void testKeysNeverCollide()
    {
        // Triples that a naive concatenation (with or without a separator) would merge.
        const std::vector<std::vector<std::string>> triples = {
            {"GET", "/a", "b"},
            {"GET", "/ab", ""},
            {"GET", "/a|b", ""},
            {"GET", "/a", "|b"},
            {"GET", "/a:1:b", ""},
            {"GET", "/a", "1:b"},
            {"GE", "T/a", "b"},
            {"GET", "", "/ab"},
            {"GET", "/a\n", "b"},
            {"GET", "/a", "\nb"},
            {"POST", "/a", "b"},
            {"GET", "/a", "B"},
            {"GET", "/a", std::string("b\0", 2)},
            {"GET", std::string("/a\0", 3), "b"},
        };
        std::set<std::string> keys;
        for (const auto& t : triples) keys.insert(ResponseCache::key(t[0], t[1], t[2]));
        CPPUNIT_ASSERT_EQUAL(triples.size(), keys.size());
        // The same triple always gives the same key.
        CPPUNIT_ASSERT_EQUAL(ResponseCache::key("GET", "/a", "b"), ResponseCache::key("GET", "/a", "b"));
    }

    void testIdentitiesSeparate()
    {
        ResponseCache cache(1 << 20);
        const std::string uri = "/1.1/statuses/home_timeline.json?count=5";
        const auto alice = ResponseCache::key("GET", uri, "alice");
        const auto bob = ResponseCache::key("GET", uri, "bob");
        cache.put(alice, answer("alice's timeline"), seconds(60));
        CPPUNIT_ASSERT(!cache.get(bob));
        bool hit = true;
        auto got = runGetOrFetch(
            cache, bob, seconds(60), [](bool&) { return answer("bob's timeline"); }, hit);
        CPPUNIT_ASSERT(!hit);
        CPPUNIT_ASSERT_EQUAL(std::string("bob's timeline"), got->body);
        CPPUNIT_ASSERT_EQUAL(std::string("alice's timeline"), cache.get(alice)->body);
        CPPUNIT_ASSERT_EQUAL(std::string("bob's timeline"), cache.get(bob)->body);
    }

    void testGetOrFetchHitAndMiss()
    {
        ResponseCache cache(1 << 20);
        int calls = 0;
        auto fetch = [&](bool&) {
            ++calls;
            return answer("fresh");
        };
        bool hit = true;
        auto first = runGetOrFetch(cache, "k", seconds(60), fetch, hit);
        CPPUNIT_ASSERT(!hit);
        CPPUNIT_ASSERT_EQUAL(std::string("fresh"), first->body);
        auto second = runGetOrFetch(cache, "k", seconds(60), fetch, hit);
        CPPUNIT_ASSERT(hit);
        CPPUNIT_ASSERT(first == second);
        CPPUNIT_ASSERT_EQUAL(1, calls);
        const auto s = cache.stats();
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(1), s.hits);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(1), s.misses);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(0), s.coalesced);
    }

    void testGetOrFetchAfterExpiry()
    {
        FakeTime time;
        ResponseCache cache(1 << 20, time.source());
        int calls = 0;
        auto fetch = [&](bool&) { return answer("v" + std::to_string(++calls)); };
        bool hit = false;
        CPPUNIT_ASSERT_EQUAL(std::string("v1"), runGetOrFetch(cache, "k", seconds(30), fetch, hit)->body);
        time.advance(seconds(29));
        CPPUNIT_ASSERT_EQUAL(std::string("v1"), runGetOrFetch(cache, "k", seconds(30), fetch, hit)->body);
        CPPUNIT_ASSERT(hit);
        time.advance(seconds(1));
        CPPUNIT_ASSERT_EQUAL(std::string("v2"), runGetOrFetch(cache, "k", seconds(30), fetch, hit)->body);
        CPPUNIT_ASSERT(!hit);
        CPPUNIT_ASSERT_EQUAL(2, calls);
    }

    void testStampede()
    {
        ResponseCache cache(1 << 20);
        constexpr int N = 32;
        std::atomic<int> calls{0};
        std::latch start(N);
        std::vector<std::shared_ptr<const CachedResponse>> got(N);
        std::vector<int> hits(N, -1);
        auto fetch = [&](bool& cacheable) {
            ++calls;
            // Give the other 31 time to arrive and queue up behind this fetch;
            // whoever comes after it finds the stored answer, so the count
            // below holds however the threads are scheduled.
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
            cacheable = true;
            return answer("the one answer");
        };
        std::vector<std::thread> threads;
        for (int i = 0; i < N; ++i)
            threads.emplace_back([&, i] {
                start.arrive_and_wait();
                bool hit = false;
                got[static_cast<size_t>(i)] = runGetOrFetch(cache, "hot", seconds(60), fetch, hit);
                hits[static_cast<size_t>(i)] = hit ? 1 : 0;
            });
        for (auto& t : threads) t.join();

        CPPUNIT_ASSERT_EQUAL(1, calls.load());
        int misses = 0;
        for (int i = 0; i < N; ++i)
        {
            CPPUNIT_ASSERT(got[static_cast<size_t>(i)]);
            CPPUNIT_ASSERT_EQUAL(std::string("the one answer"), got[static_cast<size_t>(i)]->body);
            CPPUNIT_ASSERT(got[static_cast<size_t>(i)] == got[0]); // one shared object
            misses += hits[static_cast<size_t>(i)] == 0;
        }
        CPPUNIT_ASSERT_EQUAL(1, misses);
        const auto s = cache.stats();
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(N - 1), s.hits);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(1), s.misses);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(0), s.waiting);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(1), s.entries);
    }

    void testNonCacheableSharedNotStored()
    {
        ResponseCache cache(1 << 20);
        constexpr int W = 8;
        Gate gate;
        std::atomic<int> calls{0};
        auto fetch = [&](bool& cacheable) {
            ++calls;
            gate.wait();
            cacheable = false;
            return answer("{\"errors\":[]}", 429);
        };
        std::shared_ptr<const CachedResponse> leaderGot;
        bool leaderHit = true;
        std::thread leader([&] { leaderGot = runGetOrFetch(cache, "k", seconds(60), fetch, leaderHit); });
        CPPUNIT_ASSERT(waitForCount(calls, 1));

        std::vector<std::shared_ptr<const CachedResponse>> got(W);
        std::vector<int> hits(W, -1);
        std::vector<std::thread> waiters;
        for (int i = 0; i < W; ++i)
            waiters.emplace_back([&, i] {
                bool hit = false;
                got[static_cast<size_t>(i)] = runGetOrFetch(cache, "k", seconds(60), fetch, hit);
                hits[static_cast<size_t>(i)] = hit ? 1 : 0;
            });
        const bool allWaiting = waitForWaiters(cache, W);
        gate.open();
        leader.join();
        for (auto& t : waiters) t.join();
        CPPUNIT_ASSERT(allWaiting);

        CPPUNIT_ASSERT_EQUAL(1, calls.load());
        CPPUNIT_ASSERT(!leaderHit);
        CPPUNIT_ASSERT_EQUAL(429, leaderGot->status);
        for (int i = 0; i < W; ++i)
        {
            CPPUNIT_ASSERT(got[static_cast<size_t>(i)] == leaderGot);
            CPPUNIT_ASSERT_EQUAL(1, hits[static_cast<size_t>(i)]);
        }
        // Shared with the waiters of that moment, but never stored.
        CPPUNIT_ASSERT(!cache.get("k"));
        const auto s = cache.stats();
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(0), s.entries);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(W), s.coalesced);
        // The next caller asks again.
        bool hit = true;
        runGetOrFetch(cache, "k", seconds(60), fetch, hit);
        CPPUNIT_ASSERT(!hit);
        CPPUNIT_ASSERT_EQUAL(2, calls.load());
    }

    void testThrowingFetchWaitersRetry()
    {
        ResponseCache cache(1 << 20);
        constexpr int W = 8;
        Gate gate;
        std::atomic<int> calls{0};
        auto fetch = [&](bool&) {
            if (++calls == 1)
            {
                gate.wait();
                throw std::runtime_error("upstream unreachable");
            }
            return answer("second try");
        };
        std::string leaderError;
        std::thread leader([&] {
            bool hit = false;
            try
            {
                runGetOrFetch(cache, "k", seconds(60), fetch, hit);
            }
            catch (const std::runtime_error& e)
            {
                leaderError = e.what();
            }
        });
        CPPUNIT_ASSERT(waitForCount(calls, 1));

        std::vector<std::shared_ptr<const CachedResponse>> got(W);
        std::vector<std::string> errors(W);
        std::vector<int> hits(W, -1);
        std::vector<std::thread> waiters;
        for (int i = 0; i < W; ++i)
            waiters.emplace_back([&, i] {
                bool hit = false;
                try
                {
                    got[static_cast<size_t>(i)] = runGetOrFetch(cache, "k", seconds(60), fetch, hit);
                    hits[static_cast<size_t>(i)] = hit ? 1 : 0;
                }
                catch (const std::exception& e)
                {
                    errors[static_cast<size_t>(i)] = e.what();
                }
            });
        const bool allWaiting = waitForWaiters(cache, W);
        gate.open();
        leader.join();
        for (auto& t : waiters) t.join();
        CPPUNIT_ASSERT(allWaiting);

        // The exception reached its own caller only.
        CPPUNIT_ASSERT_EQUAL(std::string("upstream unreachable"), leaderError);
        // One waiter became the next fetcher; the rest shared its answer.
        CPPUNIT_ASSERT_EQUAL(2, calls.load());
        int misses = 0;
        for (int i = 0; i < W; ++i)
        {
            CPPUNIT_ASSERT_EQUAL(std::string(), errors[static_cast<size_t>(i)]);
            CPPUNIT_ASSERT(got[static_cast<size_t>(i)]);
            CPPUNIT_ASSERT_EQUAL(std::string("second try"), got[static_cast<size_t>(i)]->body);
            misses += hits[static_cast<size_t>(i)] == 0;
        }
        CPPUNIT_ASSERT_EQUAL(1, misses);
        CPPUNIT_ASSERT(cache.get("k"));
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(0), cache.stats().waiting);
    }

    void testNulloptFetch()
    {
        ResponseCache cache(1 << 20);
        bool hit = true;
        auto got = runGetOrFetch(
            cache, "k", seconds(60), [](bool&) { return std::optional<CachedResponse>(); }, hit);
        CPPUNIT_ASSERT(!got);
        CPPUNIT_ASSERT(!hit);
        CPPUNIT_ASSERT(!cache.get("k"));
        // The flight was cleared: the next caller fetches normally.
        got = runGetOrFetch(
            cache, "k", seconds(60), [](bool&) { return answer("ok"); }, hit);
        CPPUNIT_ASSERT_EQUAL(std::string("ok"), got->body);
    }

    void testWaitLimit()
    {
        ResponseCache cache(1 << 20);
        Gate gate;
        std::atomic<int> calls{0};
        auto slow = [&](bool&) {
            ++calls;
            gate.wait();
            return answer("slow");
        };
        std::shared_ptr<const CachedResponse> leaderGot;
        std::thread leader([&] {
            bool hit = false;
            leaderGot = runGetOrFetch(cache, "k", seconds(60), slow, hit);
        });
        CPPUNIT_ASSERT(waitForCount(calls, 1));

        // This caller gives up waiting after 50 ms and asks on its own.
        bool hit = true;
        auto own = runGetOrFetch(
            cache, "k", seconds(60),
            [&](bool&) {
                ++calls;
                return answer("own");
            },
            hit, std::chrono::milliseconds(50));
        gate.open();
        leader.join();
        CPPUNIT_ASSERT(!hit);
        CPPUNIT_ASSERT_EQUAL(std::string("own"), own->body);
        CPPUNIT_ASSERT_EQUAL(std::string("slow"), leaderGot->body);
        CPPUNIT_ASSERT_EQUAL(2, calls.load());
        // The later answer replaced the earlier one.
        CPPUNIT_ASSERT_EQUAL(std::string("slow"), cache.get("k")->body);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(1), cache.stats().entries);
    }

    void testAwaitingMissesOnTwoThreads()
    {
        // As on the server: many requests for one key on one io_context run
        // by two I/O threads. A waiter that blocked its thread would leave no
        // thread for the others (or the fetch) and this would stall.
        ResponseCache cache(1 << 20);
        constexpr int N = 16;
        boost::asio::io_context ioc;
        std::atomic<int> calls{0};
        std::atomic<bool> allParked{false};
        ResponseCache::Fetch fetch = [&](bool& cacheable) -> birdgate::Task<std::optional<CachedResponse>> {
            ++calls;
            // Await (not block) until every other caller is parked on this fetch.
            boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
            const auto deadline = std::chrono::steady_clock::now() + seconds(10);
            while (cache.stats().waiting < static_cast<std::uint64_t>(N - 1) &&
                   std::chrono::steady_clock::now() < deadline)
            {
                timer.expires_after(std::chrono::milliseconds(5));
                co_await timer.async_wait(boost::asio::use_awaitable);
            }
            allParked = cache.stats().waiting == static_cast<std::uint64_t>(N - 1);
            cacheable = true;
            co_return answer("shared");
        };
        std::vector<std::shared_ptr<const CachedResponse>> got(N);
        std::vector<int> hits(N, -1);
        std::atomic<int> done{0};
        for (int i = 0; i < N; ++i)
        {
            auto slot = static_cast<size_t>(i);
            boost::asio::co_spawn(
                ioc,
                [&, slot]() -> birdgate::Task<void> {
                    bool hit = false;
                    const std::string key = "hot";
                    got[slot] = co_await cache.getOrFetch(key, seconds(60), fetch, hit);
                    hits[slot] = hit ? 1 : 0;
                },
                [&](std::exception_ptr) { ++done; });
        }
        std::thread second([&] { ioc.run(); });
        ioc.run();
        second.join();

        CPPUNIT_ASSERT_EQUAL(N, done.load());
        CPPUNIT_ASSERT(allParked.load());
        CPPUNIT_ASSERT_EQUAL(1, calls.load());
        int misses = 0;
        for (size_t i = 0; i < N; ++i)
        {
            CPPUNIT_ASSERT(got[i]);
            CPPUNIT_ASSERT(got[i] == got[0]);
            CPPUNIT_ASSERT_EQUAL(std::string("shared"), got[i]->body);
            misses += hits[i] == 0;
        }
        CPPUNIT_ASSERT_EQUAL(1, misses);
        const auto s = cache.stats();
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(N - 1), s.coalesced);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(0), s.waiting);
    }

  private:
    static std::string keyOf(int i) { return "k" + std::string(i < 10 ? "0" : "") + std::to_string(i); }
};

BIRDGATE_TEST_SUITE(ResponseCacheTest);
