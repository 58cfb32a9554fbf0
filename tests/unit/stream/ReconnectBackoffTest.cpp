// ReconnectBackoff: the exact waits Twitter prescribes for each kind of
// failure, their caps, the reset after a healthy connection, the statuses
// that stop the stream; and the Clock implementations the stream sleeps on.
#include "TestSupport.h"

#include "birdgate/common/Clock.h"
#include "stream/ReconnectBackoff.h"

#include <chrono>
#include <thread>
#include <vector>

using birdgate::FakeClock;
using birdgate::ReconnectBackoff;
using birdgate::SystemClock;
using std::chrono::milliseconds;
using Kind = ReconnectBackoff::Kind;
using Action = ReconnectBackoff::Action;

namespace
{
std::vector<long> waits(ReconnectBackoff& backoff, Kind kind, int n)
{
    std::vector<long> out;
    for (int i = 0; i < n; ++i) out.push_back(static_cast<long>(backoff.nextWait(kind).count()));
    return out;
}
} // namespace

class ReconnectBackoffTest : public CppUnit::TestFixture
{
    CPPUNIT_TEST_SUITE(ReconnectBackoffTest);
    CPPUNIT_TEST(testNetworkLinear);
    CPPUNIT_TEST(testHttpDoubling);
    CPPUNIT_TEST(testRateLimitDoubling);
    CPPUNIT_TEST(testStatusDecisions);
    CPPUNIT_TEST(testFatalStatuses);
    CPPUNIT_TEST(testKindsIndependent);
    CPPUNIT_TEST(testHealthyResets);
    CPPUNIT_TEST(testCustomPolicy);
    CPPUNIT_TEST(testFakeClock);
    CPPUNIT_TEST(testFakeClockStopped);
    CPPUNIT_TEST(testSystemClockStop);
    CPPUNIT_TEST(testBackoffOnFakeClock);
    CPPUNIT_TEST_SUITE_END();

  public:
    void testNetworkLinear()
    {
        ReconnectBackoff backoff;
        const auto got = waits(backoff, Kind::Network, 70);
        for (int i = 0; i < 64; ++i) CPPUNIT_ASSERT_EQUAL(250L * (i + 1), got[static_cast<std::size_t>(i)]);
        for (int i = 64; i < 70; ++i) CPPUNIT_ASSERT_EQUAL(16000L, got[static_cast<std::size_t>(i)]);
        CPPUNIT_ASSERT_EQUAL(70, backoff.attempts(Kind::Network));
        // onNetworkError is the same sequence, always Retry.
        ReconnectBackoff other;
        const auto d1 = other.onNetworkError();
        const auto d2 = other.onNetworkError();
        CPPUNIT_ASSERT(d1.action == Action::Retry && d2.action == Action::Retry);
        CPPUNIT_ASSERT_EQUAL(250L, static_cast<long>(d1.wait.count()));
        CPPUNIT_ASSERT_EQUAL(500L, static_cast<long>(d2.wait.count()));
    }

    void testHttpDoubling()
    {
        ReconnectBackoff backoff;
        const std::vector<long> expected = {5000, 10000, 20000, 40000, 80000, 160000, 320000, 320000, 320000};
        CPPUNIT_ASSERT(waits(backoff, Kind::Http, 9) == expected);
    }

    void testRateLimitDoubling()
    {
        ReconnectBackoff backoff;
        const std::vector<long> expected = {60000, 120000, 240000, 480000, 960000, 960000, 960000};
        CPPUNIT_ASSERT(waits(backoff, Kind::RateLimit, 7) == expected);
    }

    void testStatusDecisions()
    {
        ReconnectBackoff backoff;
        for (int status : {500, 502, 503, 504, 400}) CPPUNIT_ASSERT(ReconnectBackoff::kindOf(status) == Kind::Http);
        CPPUNIT_ASSERT(ReconnectBackoff::kindOf(420) == Kind::RateLimit);
        CPPUNIT_ASSERT(ReconnectBackoff::kindOf(429) == Kind::RateLimit);

        auto d = backoff.onHttpStatus(503);
        CPPUNIT_ASSERT(d.action == Action::Retry);
        CPPUNIT_ASSERT_EQUAL(5000L, static_cast<long>(d.wait.count()));
        d = backoff.onHttpStatus(500);
        CPPUNIT_ASSERT_EQUAL(10000L, static_cast<long>(d.wait.count()));
        d = backoff.onHttpStatus(420);
        CPPUNIT_ASSERT(d.action == Action::Retry);
        CPPUNIT_ASSERT_EQUAL(60000L, static_cast<long>(d.wait.count()));
        d = backoff.onHttpStatus(429);
        CPPUNIT_ASSERT_EQUAL(120000L, static_cast<long>(d.wait.count()));
        CPPUNIT_ASSERT_EQUAL(2, backoff.attempts(Kind::Http));
        CPPUNIT_ASSERT_EQUAL(2, backoff.attempts(Kind::RateLimit));
    }

    void testFatalStatuses()
    {
        ReconnectBackoff backoff;
        for (int status : {401, 403, 404, 406, 413, 416})
        {
            CPPUNIT_ASSERT(ReconnectBackoff::isFatal(status));
            CPPUNIT_ASSERT(!ReconnectBackoff::fatalReason(status).empty());
            const auto d = backoff.onHttpStatus(status);
            CPPUNIT_ASSERT(d.action == Action::Stop);
            CPPUNIT_ASSERT_EQUAL(0L, static_cast<long>(d.wait.count()));
        }
        for (int status : {200, 400, 420, 429, 500, 503}) CPPUNIT_ASSERT(!ReconnectBackoff::isFatal(status));
        // A Stop does not advance any sequence.
        CPPUNIT_ASSERT_EQUAL(0, backoff.attempts(Kind::Http));
        CPPUNIT_ASSERT_EQUAL(5000L, static_cast<long>(backoff.onHttpStatus(503).wait.count()));
    }

    void testKindsIndependent()
    {
        ReconnectBackoff backoff;
        waits(backoff, Kind::Http, 3);
        waits(backoff, Kind::RateLimit, 2);
        CPPUNIT_ASSERT_EQUAL(250L, static_cast<long>(backoff.nextWait(Kind::Network).count()));
        CPPUNIT_ASSERT_EQUAL(40000L, static_cast<long>(backoff.nextWait(Kind::Http).count()));
        CPPUNIT_ASSERT_EQUAL(240000L, static_cast<long>(backoff.nextWait(Kind::RateLimit).count()));
        CPPUNIT_ASSERT_EQUAL(500L, static_cast<long>(backoff.nextWait(Kind::Network).count()));
    }

    void testHealthyResets()
    {
        ReconnectBackoff backoff;
        waits(backoff, Kind::Network, 10);
        waits(backoff, Kind::Http, 10);
        waits(backoff, Kind::RateLimit, 10);
        backoff.onHealthy();
        for (Kind k : {Kind::Network, Kind::Http, Kind::RateLimit}) CPPUNIT_ASSERT_EQUAL(0, backoff.attempts(k));
        CPPUNIT_ASSERT_EQUAL(250L, static_cast<long>(backoff.nextWait(Kind::Network).count()));
        CPPUNIT_ASSERT_EQUAL(5000L, static_cast<long>(backoff.nextWait(Kind::Http).count()));
        CPPUNIT_ASSERT_EQUAL(60000L, static_cast<long>(backoff.nextWait(Kind::RateLimit).count()));
        CPPUNIT_ASSERT_EQUAL(std::string("rate-limit"), std::string(ReconnectBackoff::kindName(Kind::RateLimit)));
    }

    void testCustomPolicy()
    {
        ReconnectBackoff::Policy policy;
        policy.networkStep = milliseconds(10);
        policy.networkMax = milliseconds(25);
        policy.httpStart = milliseconds(100);
        policy.httpMax = milliseconds(350);
        policy.rateLimitStart = milliseconds(1000);
        policy.rateLimitMax = milliseconds(1500);
        ReconnectBackoff backoff(policy);
        CPPUNIT_ASSERT(waits(backoff, Kind::Network, 4) == (std::vector<long>{10, 20, 25, 25}));
        CPPUNIT_ASSERT(waits(backoff, Kind::Http, 4) == (std::vector<long>{100, 200, 350, 350}));
        CPPUNIT_ASSERT(waits(backoff, Kind::RateLimit, 3) == (std::vector<long>{1000, 1500, 1500}));
    }

    void testFakeClock()
    {
        FakeClock clock;
        const auto wall = clock.now();
        const auto steady = clock.steadyNow();
        CPPUNIT_ASSERT(wall == std::chrono::sys_days{std::chrono::year{2020} / 1 / 1});
        CPPUNIT_ASSERT(clock.sleepFor(milliseconds(320000), std::stop_token{}));
        clock.advance(milliseconds(5));
        CPPUNIT_ASSERT(clock.now() - wall == milliseconds(320005));
        CPPUNIT_ASSERT(clock.steadyNow() - steady == milliseconds(320005));
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), clock.sleeps().size());
        CPPUNIT_ASSERT(clock.totalSlept() == milliseconds(320000));
        clock.clearSleeps();
        CPPUNIT_ASSERT(clock.sleeps().empty());
    }

    void testFakeClockStopped()
    {
        FakeClock clock;
        std::stop_source stop;
        stop.request_stop();
        const auto before = clock.now();
        CPPUNIT_ASSERT(!clock.sleepFor(milliseconds(1000), stop.get_token()));
        CPPUNIT_ASSERT(clock.now() == before);
        CPPUNIT_ASSERT(clock.sleeps().empty());
    }

    void testSystemClockStop()
    {
        // A 60 s sleep ends as soon as another thread requests stop.
        SystemClock& clock = SystemClock::instance();
        CPPUNIT_ASSERT(clock.sleepFor(milliseconds(1), std::stop_token{}));
        std::stop_source stop;
        const auto start = std::chrono::steady_clock::now();
        std::thread stopper([&] {
            std::this_thread::sleep_for(milliseconds(50));
            stop.request_stop();
        });
        const bool completed = clock.sleepFor(milliseconds(60000), stop.get_token());
        stopper.join();
        CPPUNIT_ASSERT(!completed);
        CPPUNIT_ASSERT(std::chrono::steady_clock::now() - start < std::chrono::seconds(30));
        CPPUNIT_ASSERT(!clock.sleepFor(milliseconds(60000), stop.get_token())); // already stopped
    }

    void testBackoffOnFakeClock()
    {
        // How the stream loop will use both: three 503s, a healthy
        // connection, then a network error.
        FakeClock clock;
        ReconnectBackoff backoff;
        std::stop_source stop;
        for (int i = 0; i < 3; ++i) CPPUNIT_ASSERT(clock.sleepFor(backoff.onHttpStatus(503).wait, stop.get_token()));
        backoff.onHealthy();
        CPPUNIT_ASSERT(clock.sleepFor(backoff.onNetworkError().wait, stop.get_token()));
        const std::vector<milliseconds> expected = {milliseconds(5000), milliseconds(10000), milliseconds(20000),
                                                    milliseconds(250)};
        CPPUNIT_ASSERT(clock.sleeps() == expected);
        CPPUNIT_ASSERT(clock.totalSlept() == milliseconds(35250));
    }
};

BIRDGATE_TEST_SUITE(ReconnectBackoffTest);
