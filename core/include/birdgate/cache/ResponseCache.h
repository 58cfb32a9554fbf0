// The in-process cache of whole upstream answers (DESIGN §3.5), bounded in
// bytes with least-recently-used eviction and a time to live per entry.
//
// Keys come from key(): method, full URI and the identity of the token used,
// length-prefixed so no two different triples give the same key, which is
// what keeps one user from ever seeing another's answer.
//
// getOrFetch() adds stampede protection: when a popular answer expires, the
// first request for it asks the upstream and every concurrent request for
// the same key awaits that one answer instead of sending its own. It is a
// coroutine and so is the fetch: a waiter holds no thread (an I/O thread
// must never block), it parks its completion handler in the flight and is
// resumed on its own executor when the flight ends or its wait limit (a
// steady_timer on that executor) runs out, whichever comes first. Entries
// are handed out as shared_ptr<const>, so a hit costs one lookup and one
// reference count, never a copy of the body, and eviction never invalidates
// an answer a server thread is still writing out.
//
// One mutex guards the map, the LRU list, the in-flight table (with its
// parked waiters) and the counters; it is never held while a fetch runs or a
// waiter resumes. Time comes from an
// injectable source so the tests can expire entries without sleeping.
#pragma once

#include "birdgate/common/Task.h"
#include "birdgate/common/ThreadAnnotations.h"
#include "birdgate/twitter/Upstream.h"

#include <chrono>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace birdgate
{

/// A cached answer is exactly what the upstream pool returns.
using CachedResponse = UpstreamResponse;

class ResponseCache
{
  public:
    using TimeSource = std::function<std::chrono::steady_clock::time_point()>;

    /// Runs the upstream request on a miss. Sets `cacheable` (true on entry)
    /// to false for answers that must not be stored, e.g. status != 200.
    /// Returning std::nullopt means "no answer to share": the caller gets
    /// nullptr and the waiters retry, as when fetch throws.
    using Fetch = std::function<Task<std::optional<CachedResponse>>(bool& cacheable)>;

    /// A snapshot of the counters, for /metrics.
    struct Stats
    {
        std::uint64_t hits = 0;        // answered without an upstream request (stored or shared)
        std::uint64_t misses = 0;      // get() found nothing / getOrFetch() ran fetch
        std::uint64_t coalesced = 0;   // of the hits: waiters served by another caller's fetch
        std::uint64_t evictions = 0;   // entries dropped to make room (LRU)
        std::uint64_t expirations = 0; // entries dropped because their time to live ended
        std::uint64_t bytes = 0;       // accounted bytes held now
        std::uint64_t entries = 0;     // entries held now
        std::uint64_t waiting = 0;     // callers waiting now for another caller's fetch
    };

    /// `maxBytes` bounds key + body + header bytes of all entries (bookkeeping
    /// overhead is not counted); 0 stores nothing. `now` defaults to
    /// std::chrono::steady_clock::now.
    explicit ResponseCache(size_t maxBytes, TimeSource now = {});

    ResponseCache(const ResponseCache&) = delete;
    ResponseCache& operator=(const ResponseCache&) = delete;

    /// The cache key of a request: each part length-prefixed ("3:GET12:/1.1/x.json5:alice").
    static std::string key(const std::string& method, const std::string& uri, const std::string& identity);

    /// The live entry for `key`, or nullptr when absent or expired (an expired
    /// entry is removed). A hit makes the entry the most recently used.
    std::shared_ptr<const CachedResponse> get(const std::string& key);

    /// Stores `value` for `ttl`, replacing any entry for `key`. Not stored when
    /// ttl <= 0 or when the entry is larger than maxBytes / 8 (one huge answer
    /// must not flush the whole cache); in both cases an older entry for the
    /// key is dropped too, so the cache never serves an answer older than the
    /// last one seen. Evicts least recently used entries until the total fits.
    void put(const std::string& key, CachedResponse value, std::chrono::seconds ttl);

    /// get(), and on a miss fetch() exactly once per key across concurrent callers:
    ///  - the first caller runs fetch (without the lock held), stores the answer
    ///    when cacheable and returns it with hit = false;
    ///  - concurrent callers for the same key await it and share it with
    ///    hit = true (they got it without an upstream request, so X-Cache: HIT
    ///    is truthful), also when it is a one-off non-cacheable answer: that
    ///    answer is shared with the waiters of that moment but not stored;
    ///  - when fetch throws (the exception reaches its caller only) or returns
    ///    nullopt, the waiters retry and one of them becomes the next fetcher;
    ///  - a waiter waits at most `waitLimit` in all, then runs fetch itself
    ///    (hit = false) so a hung upstream call cannot hold every caller.
    /// Returns nullptr only when this caller's own fetch returned nullopt.
    /// `key`, `fetch` and `hit` must outlive the awaiting (named objects, not
    /// temporaries: g++ 12 mishandles class temporaries in co_await
    /// expressions).
    Task<std::shared_ptr<const CachedResponse>> getOrFetch(
        const std::string& key, std::chrono::seconds ttl, const Fetch& fetch, bool& hit,
        std::chrono::milliseconds waitLimit = std::chrono::seconds(30));

    /// Drops every entry (in-flight fetches are not affected).
    void clear();

    Stats stats() const;
    size_t maxBytes() const { return _maxBytes; }

    /// The bytes an entry is accounted for: key + body + header names and values.
    static size_t sizeOf(const std::string& key, const CachedResponse& value);

  private:
    struct Entry
    {
        std::string key;
        std::shared_ptr<const CachedResponse> value;
        std::chrono::steady_clock::time_point expires;
        size_t size = 0;
    };
    using Lru = std::list<Entry>; // front: most recently used

    /// Resumes one parked waiter (on its own executor): true when the flight
    /// finished, false when the waiter's time ran out first. Each is called
    /// at most once, by whoever takes it out of the flight under the lock.
    using Wakeup = std::function<void(bool finished)>;

    /// One fetch in progress and the waiters parked on it. Every field is
    /// guarded by the cache's _mutex.
    struct Flight
    {
        bool finished = false;                                 // guarded by _mutex
        std::shared_ptr<const CachedResponse> answer;          // guarded by _mutex; nullptr: fetch failed, retry
        std::vector<std::pair<std::uint64_t, Wakeup>> waiters; // guarded by _mutex; by ticket
        std::uint64_t nextTicket = 0;                          // guarded by _mutex
    };

    // All take the lock as held by the caller.
    std::shared_ptr<const CachedResponse> lookupLocked(const std::string& key);
    void storeLocked(const std::string& key, std::shared_ptr<const CachedResponse> value, std::chrono::seconds ttl);
    void eraseLocked(Lru::iterator it);

    /// Runs fetch as the registered fetcher of `flight` and wakes its waiters.
    Task<std::shared_ptr<const CachedResponse>> fetchAsLeader(const std::string& key, std::chrono::seconds ttl,
                                                              const Fetch& fetch,
                                                              const std::shared_ptr<Flight>& flight);
    /// Ends `flight` (answer or nullptr), stores the answer when `store`, and
    /// resumes every parked waiter.
    void finish(const std::string& key, const std::shared_ptr<Flight>& flight,
                std::shared_ptr<const CachedResponse> answer, bool store, std::chrono::seconds ttl);
    /// Parks the calling coroutine on `flight` until it finishes (true) or
    /// `deadline` passes (false).
    Task<bool> awaitFlight(const std::shared_ptr<Flight>& flight, std::chrono::steady_clock::time_point deadline);

    const size_t _maxBytes;
    const TimeSource _now;

    mutable std::mutex _mutex;
    Lru _lru BIRDGATE_GUARDED_BY(_mutex);
    std::unordered_map<std::string, Lru::iterator> _index BIRDGATE_GUARDED_BY(_mutex);
    std::unordered_map<std::string, std::shared_ptr<Flight>> _inFlight BIRDGATE_GUARDED_BY(_mutex);
    Stats _stats BIRDGATE_GUARDED_BY(_mutex);
};

} // namespace birdgate
