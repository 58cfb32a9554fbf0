// TransformPool: results, exceptions reported as Failed with their message,
// time limits, queueing beyond the thread count, Overloaded when the queue is
// full or every worker is stuck, and a shutdown that stays bounded with a job
// that never returns. No assertion is about speed: only outcomes and counts.
#include "TestSupport.h"

#include "birdgate/plugin/TransformPool.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

using birdgate::TransformPool;
using Outcome = TransformPool::Outcome;
using birdgate::test::Gate;
using birdgate::test::waitUntil;
using std::chrono::milliseconds;

namespace
{
/// A gate jobs block on until the test opens it. Held through shared_ptr so a
/// job that outlives its pool (detached at stop) still has a gate to leave by.
/// A job that blocks on `gate` and counts itself into `entered` when it starts.
TransformPool::Job blocking(std::shared_ptr<Gate> gate, std::shared_ptr<std::atomic<int>> entered)
{
    return [gate, entered] {
        ++*entered;
        gate->wait();
        return std::string("released");
    };
}

/// Times out blocking jobs until `n` workers are stuck. A job that a busy
/// machine did not start within its limit is dropped unrun, so try again
/// rather than assume the first one started. Every attempt must time out.
bool makeStuck(TransformPool& pool, const std::shared_ptr<Gate>& gate, const std::shared_ptr<std::atomic<int>>& entered,
               std::size_t n)
{
    for (int attempt = 0; attempt < 200 && pool.stats().stuck < n; ++attempt)
    {
        std::string result, error;
        if (pool.run(blocking(gate, entered), milliseconds(50), result, error) != TransformPool::Outcome::TimedOut)
            return false;
    }
    return pool.stats().stuck == n;
}

const milliseconds LONG(10000); // a limit no healthy job here comes near
} // namespace

class TransformPoolTest : public CppUnit::TestFixture
{
    CPPUNIT_TEST_SUITE(TransformPoolTest);
    CPPUNIT_TEST(testResult);
    CPPUNIT_TEST(testDefaultThreads);
    CPPUNIT_TEST(testExceptionIsFailed);
    CPPUNIT_TEST(testTimeout);
    CPPUNIT_TEST(testQueuedJobsAllComplete);
    CPPUNIT_TEST(testQueueFull);
    CPPUNIT_TEST(testTimedOutWhileQueuedNeverRuns);
    CPPUNIT_TEST(testAllStuckOverloaded);
    CPPUNIT_TEST(testStuckWorkerRecovers);
    CPPUNIT_TEST(testStopWithStuckJobIsBounded);
    CPPUNIT_TEST(testStopFailsQueuedAndRefusesNew);
    CPPUNIT_TEST_SUITE_END();

  public:
    void testResult()
    {
        TransformPool pool(2);
        std::string result, error;
        CPPUNIT_ASSERT(Outcome::Ok == pool.run([] { return std::string("{\"ok\":1}"); }, LONG, result, error));
        CPPUNIT_ASSERT_EQUAL(std::string("{\"ok\":1}"), result);
        CPPUNIT_ASSERT_EQUAL(std::string(), error);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(1), pool.stats().completed);
        CPPUNIT_ASSERT_EQUAL(2u, pool.threads());
    }

    void testDefaultThreads()
    {
        TransformPool pool(0);
        CPPUNIT_ASSERT(pool.threads() >= 1);
        const unsigned cores = std::thread::hardware_concurrency();
        if (cores) CPPUNIT_ASSERT_EQUAL(cores, pool.threads());
        std::string result, error;
        CPPUNIT_ASSERT(Outcome::Ok == pool.run([] { return std::string("x"); }, LONG, result, error));
    }

    void testExceptionIsFailed()
    {
        TransformPool pool(1);
        std::string result, error;
        CPPUNIT_ASSERT(Outcome::Failed ==
                       pool.run([]() -> std::string { throw std::runtime_error("bad tweet"); }, LONG, result, error));
        CPPUNIT_ASSERT_EQUAL(std::string("bad tweet"), error);
        CPPUNIT_ASSERT_EQUAL(std::string(), result);
        error.clear();
        CPPUNIT_ASSERT(Outcome::Failed == pool.run([]() -> std::string { throw 42; }, LONG, result, error));
        CPPUNIT_ASSERT_EQUAL(std::string("unknown exception"), error);
        // The worker survived both.
        CPPUNIT_ASSERT(Outcome::Ok == pool.run([] { return std::string("fine"); }, LONG, result, error));
        CPPUNIT_ASSERT_EQUAL(std::string("fine"), result);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(2), pool.stats().failed);
    }

    void testTimeout()
    {
        auto gate = std::make_shared<Gate>();
        auto entered = std::make_shared<std::atomic<int>>(0);
        TransformPool pool(2);
        std::string result, error;
        CPPUNIT_ASSERT(Outcome::TimedOut == pool.run(blocking(gate, entered), milliseconds(50), result, error));
        CPPUNIT_ASSERT_EQUAL(std::string(), result);
        CPPUNIT_ASSERT(error.find("timed out") != std::string::npos);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(1), pool.stats().timedOut);
        // Once one such job has started, its worker is stuck; the other still serves.
        CPPUNIT_ASSERT(makeStuck(pool, gate, entered, 1));
        CPPUNIT_ASSERT(Outcome::Ok == pool.run([] { return std::string("other"); }, LONG, result, error));
        CPPUNIT_ASSERT_EQUAL(std::string("other"), result);
        gate->open();
    }

    void testQueuedJobsAllComplete()
    {
        TransformPool pool(2);
        constexpr int N = 24;
        std::atomic<int> running{0};
        std::atomic<int> maxRunning{0};
        std::vector<Outcome> outcomes(N, Outcome::Overloaded);
        std::vector<std::string> results(N);
        std::vector<std::thread> callers;
        for (int i = 0; i < N; ++i)
            callers.emplace_back([&, i] {
                std::string error;
                outcomes[static_cast<size_t>(i)] = pool.run(
                    [&running, &maxRunning, i] {
                        const int now = ++running;
                        int seen = maxRunning.load();
                        while (now > seen && !maxRunning.compare_exchange_weak(seen, now))
                        {
                        }
                        std::this_thread::sleep_for(milliseconds(5));
                        --running;
                        return std::to_string(i * i);
                    },
                    LONG, results[static_cast<size_t>(i)], error);
            });
        for (auto& t : callers) t.join();
        for (int i = 0; i < N; ++i)
        {
            CPPUNIT_ASSERT(Outcome::Ok == outcomes[static_cast<size_t>(i)]);
            CPPUNIT_ASSERT_EQUAL(std::to_string(i * i), results[static_cast<size_t>(i)]);
        }
        // Never more jobs at once than workers.
        CPPUNIT_ASSERT(maxRunning.load() <= 2);
        const auto s = pool.stats();
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(N), s.completed);
        CPPUNIT_ASSERT_EQUAL(std::size_t(0), s.queued);
        CPPUNIT_ASSERT_EQUAL(std::size_t(0), s.busy);
    }

    void testQueueFull()
    {
        auto gate = std::make_shared<Gate>();
        auto entered = std::make_shared<std::atomic<int>>(0);
        TransformPool pool(1, 2);
        // One job runs, two wait: the queue is full.
        std::vector<std::thread> callers;
        std::vector<Outcome> outcomes(3, Outcome::Overloaded);
        callers.emplace_back([&] {
            std::string r, e;
            outcomes[0] = pool.run(blocking(gate, entered), LONG, r, e);
        });
        // Assertions wait until the threads are joined: a throw past a
        // joinable std::thread would abort the whole run.
        const bool started = waitUntil([&] { return entered->load() == 1; });
        for (int i = 1; i < 3; ++i)
            callers.emplace_back([&, i] {
                std::string r, e;
                outcomes[static_cast<size_t>(i)] = pool.run(blocking(gate, entered), LONG, r, e);
            });
        const bool queued = waitUntil([&] { return pool.stats().queued == 2; });

        std::string result, error;
        const Outcome refused = pool.run([] { return std::string("x"); }, LONG, result, error);
        gate->open();
        for (auto& t : callers) t.join();

        CPPUNIT_ASSERT(started);
        CPPUNIT_ASSERT(queued);
        CPPUNIT_ASSERT(Outcome::Overloaded == refused);
        CPPUNIT_ASSERT(error.find("queue is full") != std::string::npos);
        for (auto o : outcomes) CPPUNIT_ASSERT(Outcome::Ok == o);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(1), pool.stats().overloaded);
    }

    void testTimedOutWhileQueuedNeverRuns()
    {
        auto gate = std::make_shared<Gate>();
        auto entered = std::make_shared<std::atomic<int>>(0);
        TransformPool pool(1);
        std::thread holder([&] {
            std::string r, e;
            pool.run(blocking(gate, entered), LONG, r, e);
        });
        const bool started = waitUntil([&] { return entered->load() == 1; });

        auto ran = std::make_shared<std::atomic<bool>>(false);
        std::string result, error;
        const Outcome outcome = pool.run(
            [ran] {
                *ran = true;
                return std::string("late");
            },
            milliseconds(30), result, error);
        const auto s = pool.stats();
        gate->open();
        holder.join();
        CPPUNIT_ASSERT(started);
        CPPUNIT_ASSERT(Outcome::TimedOut == outcome);
        // Dropped from the queue, not counted as stuck.
        CPPUNIT_ASSERT_EQUAL(std::size_t(0), s.queued);
        CPPUNIT_ASSERT_EQUAL(std::size_t(0), s.stuck);
        // A later job runs after the holder; the dropped one never did.
        CPPUNIT_ASSERT(Outcome::Ok == pool.run([] { return std::string("next"); }, LONG, result, error));
        CPPUNIT_ASSERT(!ran->load());
    }

    void testAllStuckOverloaded()
    {
        auto gate = std::make_shared<Gate>();
        auto entered = std::make_shared<std::atomic<int>>(0);
        TransformPool pool(2);
        std::string result, error;
        const bool bothStuck = makeStuck(pool, gate, entered, 2);
        const Outcome outcome = pool.run([] { return std::string("x"); }, LONG, result, error);
        gate->open();
        CPPUNIT_ASSERT(bothStuck);
        CPPUNIT_ASSERT(Outcome::Overloaded == outcome);
        CPPUNIT_ASSERT(error.find("stuck") != std::string::npos);
    }

    void testStuckWorkerRecovers()
    {
        auto gate = std::make_shared<Gate>();
        auto entered = std::make_shared<std::atomic<int>>(0);
        TransformPool pool(1);
        std::string result, error;
        CPPUNIT_ASSERT(makeStuck(pool, gate, entered, 1));
        CPPUNIT_ASSERT(Outcome::Overloaded == pool.run([] { return std::string("x"); }, LONG, result, error));
        // When the job finally returns, its result is discarded and the worker serves again.
        gate->open();
        CPPUNIT_ASSERT(waitUntil([&] { return pool.stats().stuck == 0; }));
        result.clear();
        CPPUNIT_ASSERT(Outcome::Ok == pool.run([] { return std::string("back"); }, LONG, result, error));
        CPPUNIT_ASSERT_EQUAL(std::string("back"), result);
    }

    void testStopWithStuckJobIsBounded()
    {
        auto gate = std::make_shared<Gate>();
        auto entered = std::make_shared<std::atomic<int>>(0);
        {
            TransformPool pool(2);
            std::string result, error;
            CPPUNIT_ASSERT(makeStuck(pool, gate, entered, 1));
            // Returns although the job never does: its worker is detached.
            pool.stop(milliseconds(50));
            CPPUNIT_ASSERT(Outcome::Overloaded == pool.run([] { return std::string("x"); }, LONG, result, error));
            CPPUNIT_ASSERT(error.find("stopped") != std::string::npos);
        } // the destructor's stop() has nothing left to do
        CPPUNIT_ASSERT_EQUAL(1, entered->load());
        // The detached worker leaves once its job returns, touching only shared state.
        gate->open();
    }

    void testStopFailsQueuedAndRefusesNew()
    {
        auto gate = std::make_shared<Gate>();
        auto entered = std::make_shared<std::atomic<int>>(0);
        TransformPool pool(1);
        Outcome first = Outcome::Failed;
        Outcome queued = Outcome::Ok;
        std::string queuedError;
        std::thread a([&] {
            std::string r, e;
            first = pool.run(blocking(gate, entered), LONG, r, e);
        });
        const bool started = waitUntil([&] { return entered->load() == 1; });
        std::thread b([&] {
            std::string r;
            queued = pool.run([] { return std::string("never"); }, LONG, r, queuedError);
        });
        const bool queuedUp = waitUntil([&] { return pool.stats().queued == 1; });
        // Let the running job finish shortly after stop() begins: stop waits for it.
        std::thread opener([gate] {
            std::this_thread::sleep_for(milliseconds(20));
            gate->open();
        });
        pool.stop(LONG);
        opener.join();
        a.join();
        b.join();
        CPPUNIT_ASSERT(started && queuedUp);
        CPPUNIT_ASSERT(Outcome::Ok == first);
        CPPUNIT_ASSERT(Outcome::Overloaded == queued);
        CPPUNIT_ASSERT(queuedError.find("stopped") != std::string::npos);
    }
};

BIRDGATE_TEST_SUITE(TransformPoolTest);
