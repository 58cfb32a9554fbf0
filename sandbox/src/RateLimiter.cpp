// Fixed-window rate limits for the sandbox; see RateLimiter.h.
#include "birdgate/sandbox/RateLimiter.h"

namespace birdgate
{

RateLimiter::RateLimiter(int limit, int windowSeconds) : _limit(limit), _windowSeconds(windowSeconds) {}

RateLimiter::Result RateLimiter::hit(const std::string& key, long long now)
{
    Result result;
    result.limit = _limit;
    if (_limit <= 0) return result;

    std::lock_guard<std::mutex> lock(_mutex);
    if (now >= _nextSweep)
    {
        for (auto it = _windows.begin(); it != _windows.end();)
            it = it->second.reset <= now ? _windows.erase(it) : std::next(it);
        _nextSweep = now + _windowSeconds;
    }
    Window& w = _windows[key];
    if (w.reset <= now)
    {
        w.reset = now + _windowSeconds;
        w.used = 0;
    }
    result.reset = w.reset;
    if (w.used >= _limit)
    {
        result.allowed = false;
        result.remaining = 0;
        return result;
    }
    ++w.used;
    result.remaining = _limit - w.used;
    return result;
}

} // namespace birdgate
