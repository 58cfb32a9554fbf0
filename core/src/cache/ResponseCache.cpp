// The byte-bounded LRU answer cache and its single-flight fetch; see ResponseCache.h.
#include "birdgate/cache/ResponseCache.h"

#include <utility>

namespace birdgate
{

ResponseCache::ResponseCache(size_t maxBytes, TimeSource now)
    : _maxBytes(maxBytes), _now(now ? std::move(now) : TimeSource([] { return std::chrono::steady_clock::now(); }))
{
}

std::string ResponseCache::key(const std::string& method, const std::string& uri, const std::string& identity)
{
    // Length prefixes make the split unambiguous whatever bytes the parts hold
    // (a URI or an identity may contain any separator one could pick).
    std::string out;
    out.reserve(method.size() + uri.size() + identity.size() + 24);
    for (const std::string* part : {&method, &uri, &identity})
    {
        out += std::to_string(part->size());
        out += ':';
        out += *part;
    }
    return out;
}

size_t ResponseCache::sizeOf(const std::string& key, const CachedResponse& value)
{
    size_t size = key.size() + value.body.size();
    for (const auto& [name, text] : value.headers) size += name.size() + text.size();
    return size;
}

std::shared_ptr<const CachedResponse> ResponseCache::get(const std::string& key)
{
    std::lock_guard<std::mutex> lock(_mutex);
    auto found = lookupLocked(key);
    ++(found ? _stats.hits : _stats.misses);
    return found;
}

void ResponseCache::put(const std::string& key, CachedResponse value, std::chrono::seconds ttl)
{
    auto shared = std::make_shared<const CachedResponse>(std::move(value));
    std::lock_guard<std::mutex> lock(_mutex);
    storeLocked(key, std::move(shared), ttl);
}

std::shared_ptr<const CachedResponse> ResponseCache::getOrFetch(const std::string& key, std::chrono::seconds ttl,
                                                                const Fetch& fetch, bool& hit,
                                                                std::chrono::milliseconds waitLimit)
{
    // The wait bound is real time, not the injected source: it protects
    // server threads from a hung fetch, which a fake clock would not see.
    const auto deadline = std::chrono::steady_clock::now() + waitLimit;
    std::unique_lock<std::mutex> lock(_mutex);
    for (;;)
    {
        if (auto found = lookupLocked(key))
        {
            ++_stats.hits;
            hit = true;
            return found;
        }

        auto it = _inFlight.find(key);
        if (it == _inFlight.end())
        {
            // Nobody is fetching: this caller becomes the fetcher.
            auto flight = std::make_shared<Flight>();
            _inFlight.emplace(key, flight);
            ++_stats.misses;
            hit = false;
            lock.unlock();
            return fetchAsLeader(key, ttl, fetch, flight);
        }

        // Keep the flight alive while waiting: the fetcher erases it from the
        // table before waking us.
        std::shared_ptr<Flight> flight = it->second;
        ++_stats.waiting;
        const bool finished = flight->done.wait_until(lock, deadline, [&] { return flight->finished; });
        --_stats.waiting;
        if (!finished)
        {
            // The fetcher is taking too long: ask the upstream ourselves,
            // outside the single-flight table (the slow fetch stays registered
            // and later arrivals keep waiting on it, within their own bound).
            ++_stats.misses;
            hit = false;
            lock.unlock();
            bool cacheable = true;
            std::optional<CachedResponse> answer = fetch(cacheable);
            if (!answer) return nullptr;
            auto shared = std::make_shared<const CachedResponse>(std::move(*answer));
            if (cacheable)
            {
                lock.lock();
                storeLocked(key, shared, ttl);
            }
            return shared;
        }
        if (flight->answer)
        {
            ++_stats.hits;
            ++_stats.coalesced;
            hit = true;
            return flight->answer;
        }
        // The fetch failed: loop, and either find a new fetcher to wait for
        // or become it.
    }
}

std::shared_ptr<const CachedResponse> ResponseCache::fetchAsLeader(const std::string& key, std::chrono::seconds ttl,
                                                                   const Fetch& fetch,
                                                                   const std::shared_ptr<Flight>& flight)
{
    // Whatever happens (answer, nullopt, exception) the flight is finished and
    // its waiters woken, under the lock, so no waiter can miss the wake-up or
    // wait on a flight nobody will finish.
    struct Finish
    {
        ResponseCache& cache;
        const std::string& key;
        const std::shared_ptr<Flight>& flight;
        std::shared_ptr<const CachedResponse> answer;
        bool store = false;
        std::chrono::seconds ttl;

        ~Finish()
        {
            std::lock_guard<std::mutex> lock(cache._mutex);
            if (store) cache.storeLocked(key, answer, ttl);
            auto it = cache._inFlight.find(key);
            if (it != cache._inFlight.end() && it->second == flight) cache._inFlight.erase(it);
            flight->answer = answer;
            flight->finished = true;
            flight->done.notify_all();
        }
    } finish{*this, key, flight, nullptr, false, ttl};

    bool cacheable = true;
    std::optional<CachedResponse> answer = fetch(cacheable);
    if (!answer) return nullptr;
    finish.answer = std::make_shared<const CachedResponse>(std::move(*answer));
    finish.store = cacheable;
    return finish.answer;
}

void ResponseCache::clear()
{
    std::lock_guard<std::mutex> lock(_mutex);
    _lru.clear();
    _index.clear();
    _stats.bytes = 0;
    _stats.entries = 0;
}

ResponseCache::Stats ResponseCache::stats() const
{
    std::lock_guard<std::mutex> lock(_mutex);
    return _stats;
}

std::shared_ptr<const CachedResponse> ResponseCache::lookupLocked(const std::string& key)
{
    auto found = _index.find(key);
    if (found == _index.end()) return nullptr;
    auto it = found->second;
    if (_now() >= it->expires)
    {
        ++_stats.expirations;
        eraseLocked(it);
        return nullptr;
    }
    _lru.splice(_lru.begin(), _lru, it);
    return it->value;
}

void ResponseCache::storeLocked(const std::string& key, std::shared_ptr<const CachedResponse> value,
                                std::chrono::seconds ttl)
{
    auto old = _index.find(key);
    if (old != _index.end()) eraseLocked(old->second);

    const size_t size = sizeOf(key, *value);
    if (_maxBytes == 0 || ttl <= std::chrono::seconds::zero() || size > _maxBytes / 8) return;

    while (!_lru.empty() && _stats.bytes + size > _maxBytes)
    {
        ++_stats.evictions;
        eraseLocked(std::prev(_lru.end()));
    }
    _lru.push_front(Entry{key, std::move(value), _now() + ttl, size});
    _index[key] = _lru.begin();
    _stats.bytes += size;
    ++_stats.entries;
}

void ResponseCache::eraseLocked(Lru::iterator it)
{
    _stats.bytes -= it->size;
    --_stats.entries;
    _index.erase(it->key);
    _lru.erase(it);
}

} // namespace birdgate
