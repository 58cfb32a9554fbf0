// SharedResult: one value (a token) that one caller fetches and every other
// caller waits for, whether it waits in a coroutine (the REST handler) or on
// a thread outside the event loop (a stream's own thread). DESIGN.md 3.8 asks
// for exactly one bearer fetch, or one OAuth 2.0 refresh, for all requests
// waiting on it; AppBearer and the OAuth 2.0 token refresher build on this.
//
// The fetcher calls succeed() or fail() exactly once; waiters parked before
// or after that get the same value or exception. A coroutine waiter resumes
// on its own executor (the wakeup is posted there), so the fetcher's thread
// never runs another request's code.
#pragma once

#include "birdgate/common/Task.h"
#include "birdgate/common/ThreadAnnotations.h"

#include <condition_variable>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace birdgate
{

class SharedResult
{
  public:
    void succeed(std::string value) BIRDGATE_EXCLUDES(_mutex);
    void fail(std::exception_ptr error) BIRDGATE_EXCLUDES(_mutex);

    /// The value, or the fetcher's exception rethrown; waits for it.
    Task<std::string> wait() BIRDGATE_EXCLUDES(_mutex);
    std::string waitBlocking() BIRDGATE_EXCLUDES(_mutex);

    /// Coroutine waiters parked now (tests).
    std::size_t parked() const BIRDGATE_EXCLUDES(_mutex);

  private:
    using Wakeup = std::function<void(std::exception_ptr, std::string)>;
    void finish(std::string value, std::exception_ptr error) BIRDGATE_EXCLUDES(_mutex);

    mutable std::mutex _mutex;
    std::condition_variable _done;
    bool _finished BIRDGATE_GUARDED_BY(_mutex) = false;
    std::string _value BIRDGATE_GUARDED_BY(_mutex);
    std::exception_ptr _error BIRDGATE_GUARDED_BY(_mutex);
    std::vector<Wakeup> _waiters BIRDGATE_GUARDED_BY(_mutex);
};

} // namespace birdgate
