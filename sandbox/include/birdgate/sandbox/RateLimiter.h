// Twitter-style rate limiting for the sandbox: a fixed 15-minute window per
// key (token + endpoint), opened by the key's first call, reset when it ends.
//
// The answer carries what the x-rate-limit-* headers report: the limit, the
// calls left after this one and the epoch second the window ends. Windows
// that ended are swept now and then so the map stays as small as the set of
// keys active in the last window. Thread-safe behind one mutex: the critical
// section is a hash lookup.
#pragma once

#include "birdgate/common/ThreadAnnotations.h"

#include <mutex>
#include <string>
#include <unordered_map>

namespace birdgate
{

class RateLimiter
{
  public:
    struct Result
    {
        bool allowed = true;
        int limit = 0;
        int remaining = 0;
        long long reset = 0; // epoch seconds when the window ends
    };

    /// `limit` calls per `windowSeconds`; a limit of 0 or less disables limiting.
    explicit RateLimiter(int limit, int windowSeconds = 900);

    /// Counts one call for `key` at `now` (epoch seconds).
    Result hit(const std::string& key, long long now);

    bool enabled() const { return _limit > 0; }
    int limit() const { return _limit; }

  private:
    struct Window
    {
        long long reset = 0;
        int used = 0;
    };

    int _limit;
    int _windowSeconds;
    std::mutex _mutex;
    std::unordered_map<std::string, Window> _windows BIRDGATE_GUARDED_BY(_mutex);
    long long _nextSweep BIRDGATE_GUARDED_BY(_mutex) = 0;
};

} // namespace birdgate
