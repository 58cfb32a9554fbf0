// Time as the stream sees it, behind an interface so tests need not wait.
//
// TwitterStream sleeps between reconnects (up to minutes, ReconnectBackoff),
// times out stalled connections and names its files after the UTC time. All
// of that goes through a Clock: SystemClock in the server, FakeClock in the
// tests, where a "sleep" of 320 s advances the fake time at once and is
// recorded so a test can assert the exact waits.
//
// Sleeps are interruptible through a std::stop_token (std::jthread hands one
// to its thread, a std::stop_source makes one anywhere), so SIGTERM never
// waits out a 16-minute rate-limit backoff.
//
// The three classes share this file because they are one small family: the
// interface and its two implementations.
#pragma once

#include "birdgate/common/ThreadAnnotations.h"

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stop_token>
#include <vector>

namespace birdgate
{

class Clock
{
  public:
    virtual ~Clock() = default;

    /// Wall-clock time (UTC): file names, timestamps.
    virtual std::chrono::system_clock::time_point now() = 0;

    /// Monotonic time: timeouts and stall detection, immune to clock jumps.
    virtual std::chrono::steady_clock::time_point steadyNow() = 0;

    /// Waits `duration`, or less when `stop` is requested meanwhile.
    /// Returns true when the whole duration passed, false when stopped
    /// (also when stop was already requested on entry).
    virtual bool sleepFor(std::chrono::milliseconds duration, std::stop_token stop) = 0;
};

/// The real clocks; sleeps wake at once on a stop request.
class SystemClock : public Clock
{
  public:
    std::chrono::system_clock::time_point now() override;
    std::chrono::steady_clock::time_point steadyNow() override;
    bool sleepFor(std::chrono::milliseconds duration, std::stop_token stop) override;

    /// One shared instance: it has no state worth having twice.
    static SystemClock& instance();
};

/// Manually driven time for tests. sleepFor() returns at once, advancing
/// both clocks by the duration and recording it; advance() moves time for
/// tests that simulate a stall. Thread-safe: the stream thread sleeps while
/// the test thread reads the record.
class FakeClock : public Clock
{
  public:
    /// Starts at `start` (default 2020-01-01T00:00:00Z, a fixed point so
    /// dated file names in tests are predictable).
    explicit FakeClock(std::chrono::system_clock::time_point start = defaultStart());

    std::chrono::system_clock::time_point now() override;
    std::chrono::steady_clock::time_point steadyNow() override;
    bool sleepFor(std::chrono::milliseconds duration, std::stop_token stop) override;

    void advance(std::chrono::milliseconds duration);
    void set(std::chrono::system_clock::time_point wallTime);

    /// Every duration passed to sleepFor(), in order (stopped sleeps excluded).
    std::vector<std::chrono::milliseconds> sleeps() const;
    std::chrono::milliseconds totalSlept() const;
    void clearSleeps();

    static std::chrono::system_clock::time_point defaultStart();

  private:
    mutable std::mutex _mutex;
    std::chrono::system_clock::time_point _wall BIRDGATE_GUARDED_BY(_mutex);
    std::chrono::steady_clock::time_point _steady BIRDGATE_GUARDED_BY(_mutex);
    std::vector<std::chrono::milliseconds> _sleeps BIRDGATE_GUARDED_BY(_mutex);
};

} // namespace birdgate
