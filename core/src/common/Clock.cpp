// SystemClock and FakeClock; see Clock.h.
#include "birdgate/common/Clock.h"

namespace birdgate
{

std::chrono::system_clock::time_point SystemClock::now()
{
    return std::chrono::system_clock::now();
}

std::chrono::steady_clock::time_point SystemClock::steadyNow()
{
    return std::chrono::steady_clock::now();
}

bool SystemClock::sleepFor(std::chrono::milliseconds duration, std::stop_token stop)
{
    if (stop.stop_requested()) return false;
    if (duration <= std::chrono::milliseconds::zero()) return true;
    // condition_variable_any's stop_token overload registers a callback that
    // wakes this wait when stop is requested: no polling, no lost wake-up.
    std::mutex mutex;
    std::condition_variable_any wakeUp;
    std::unique_lock lock(mutex);
    const bool stopped = wakeUp.wait_for(lock, stop, duration, [] { return false; });
    (void)stopped; // the predicate never holds: the answer is stop_requested()
    return !stop.stop_requested();
}

SystemClock& SystemClock::instance()
{
    static SystemClock clock;
    return clock;
}

FakeClock::FakeClock(std::chrono::system_clock::time_point start)
    : _wall(start), _steady(std::chrono::steady_clock::time_point{} + std::chrono::hours(1))
{
}

std::chrono::system_clock::time_point FakeClock::defaultStart()
{
    return std::chrono::sys_days{std::chrono::year{2020} / 1 / 1};
}

std::chrono::system_clock::time_point FakeClock::now()
{
    std::lock_guard lock(_mutex);
    return _wall;
}

std::chrono::steady_clock::time_point FakeClock::steadyNow()
{
    std::lock_guard lock(_mutex);
    return _steady;
}

bool FakeClock::sleepFor(std::chrono::milliseconds duration, std::stop_token stop)
{
    if (stop.stop_requested()) return false;
    std::lock_guard lock(_mutex);
    if (duration > std::chrono::milliseconds::zero())
    {
        _wall += duration;
        _steady += duration;
    }
    _sleeps.push_back(duration);
    return true;
}

void FakeClock::advance(std::chrono::milliseconds duration)
{
    std::lock_guard lock(_mutex);
    _wall += duration;
    _steady += duration;
}

void FakeClock::set(std::chrono::system_clock::time_point wallTime)
{
    std::lock_guard lock(_mutex);
    _wall = wallTime;
}

std::vector<std::chrono::milliseconds> FakeClock::sleeps() const
{
    std::lock_guard lock(_mutex);
    return _sleeps;
}

std::chrono::milliseconds FakeClock::totalSlept() const
{
    std::lock_guard lock(_mutex);
    std::chrono::milliseconds total{0};
    for (auto s : _sleeps) total += s;
    return total;
}

void FakeClock::clearSleeps()
{
    std::lock_guard lock(_mutex);
    _sleeps.clear();
}

} // namespace birdgate
