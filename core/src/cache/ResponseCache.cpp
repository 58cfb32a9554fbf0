// The byte-bounded LRU answer cache and its single-flight fetch; see ResponseCache.h.
#include "birdgate/cache/ResponseCache.h"

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
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

Task<std::shared_ptr<const CachedResponse>> ResponseCache::getOrFetch(const std::string& key, std::chrono::seconds ttl,
                                                                      const Fetch& fetch, bool& hit,
                                                                      std::chrono::milliseconds waitLimit)
{
    // The wait bound is real time, not the injected source: it protects
    // requests from a hung fetch, which a fake clock would not see.
    const auto deadline = std::chrono::steady_clock::now() + waitLimit;
    for (;;)
    {
        std::shared_ptr<Flight> flight;
        bool leader = false;
        {
            std::lock_guard<std::mutex> lock(_mutex);
            if (auto found = lookupLocked(key))
            {
                ++_stats.hits;
                hit = true;
                co_return found;
            }
            auto it = _inFlight.find(key);
            if (it == _inFlight.end())
            {
                // Nobody is fetching: this caller becomes the fetcher.
                flight = std::make_shared<Flight>();
                _inFlight.emplace(key, flight);
                ++_stats.misses;
                hit = false;
                leader = true;
            }
            else
            {
                // Keep the flight alive while waiting: the fetcher erases it
                // from the table before waking us.
                flight = it->second;
                ++_stats.waiting;
            }
        }
        if (leader) co_return co_await fetchAsLeader(key, ttl, fetch, flight);

        const bool finished = co_await awaitFlight(flight, deadline);
        {
            std::lock_guard<std::mutex> lock(_mutex);
            --_stats.waiting;
            if (finished && flight->answer)
            {
                ++_stats.hits;
                ++_stats.coalesced;
                hit = true;
                co_return flight->answer;
            }
            if (!finished)
            {
                ++_stats.misses;
                hit = false;
            }
        }
        if (!finished)
        {
            // The fetcher is taking too long: ask the upstream ourselves,
            // outside the single-flight table (the slow fetch stays registered
            // and later arrivals keep waiting on it, within their own bound).
            bool cacheable = true;
            std::optional<CachedResponse> answer = co_await fetch(cacheable);
            if (!answer) co_return nullptr;
            auto shared = std::make_shared<const CachedResponse>(std::move(*answer));
            if (cacheable)
            {
                std::lock_guard<std::mutex> lock(_mutex);
                storeLocked(key, shared, ttl);
            }
            co_return shared;
        }
        // The fetch failed: loop, and either find a new fetcher to wait for
        // or become it.
    }
}

Task<bool> ResponseCache::awaitFlight(const std::shared_ptr<Flight>& flight,
                                      std::chrono::steady_clock::time_point deadline)
{
    // The initiation captures only `this`; the flight and deadline travel as
    // arguments (as in WorkerPool): g++ 12 may destroy a coroutine
    // temporary's captures twice, which a shared_ptr capture does not survive.
    co_return co_await boost::asio::async_initiate<const boost::asio::use_awaitable_t<>&, void(bool)>(
        [this](auto handler, std::shared_ptr<Flight> flight, std::chrono::steady_clock::time_point deadline) {
            // The handler is move-only and resumed exactly once, by whoever
            // takes the wakeup out of the flight under the lock: the fetcher
            // finishing, or this waiter's timer.
            using Handler = decltype(handler);
            auto executor = boost::asio::get_associated_executor(handler);
            auto parked = std::make_shared<Handler>(std::move(handler));
            auto timer = std::make_shared<boost::asio::steady_timer>(executor, deadline);
            // Invoking the wakeup hands its references over to the waiter's
            // executor: the copy left in the flight's list (destroyed on the
            // fetcher's thread, perhaps after the waiter's io_context is gone)
            // must not be the last owner of the timer.
            Wakeup wakeup = [parked, timer](bool finished) mutable {
                auto ex = boost::asio::get_associated_executor(*parked);
                boost::asio::post(ex, [parked = std::move(parked), timer = std::move(timer), finished]() mutable {
                    timer->cancel(); // on the waiter's own executor: no race with its wait
                    (*parked)(finished);
                });
            };
            std::unique_lock<std::mutex> lock(_mutex);
            if (flight->finished)
            {
                lock.unlock();
                wakeup(true);
                return;
            }
            const std::uint64_t ticket = flight->nextTicket++;
            flight->waiters.emplace_back(ticket, std::move(wakeup));
            lock.unlock();
            timer->async_wait([this, flight, ticket](const boost::system::error_code&) {
                // Time is up (or the timer was cancelled after a wakeup, then
                // the ticket is gone): resume as "not finished" if still parked.
                Wakeup mine;
                {
                    std::lock_guard<std::mutex> guard(_mutex);
                    auto& list = flight->waiters;
                    auto it = std::find_if(list.begin(), list.end(), [&](const auto& w) { return w.first == ticket; });
                    if (it == list.end()) return;
                    mine = std::move(it->second);
                    list.erase(it);
                }
                mine(false);
            });
        },
        boost::asio::use_awaitable, flight, deadline);
}

Task<std::shared_ptr<const CachedResponse>> ResponseCache::fetchAsLeader(const std::string& key,
                                                                         std::chrono::seconds ttl, const Fetch& fetch,
                                                                         const std::shared_ptr<Flight>& flight)
{
    // Whatever happens (answer, nullopt, exception) the flight is finished and
    // its waiters resumed, so no waiter waits on a flight nobody will finish.
    bool cacheable = true;
    std::optional<CachedResponse> answer;
    try
    {
        answer = co_await fetch(cacheable);
    }
    catch (...)
    {
        finish(key, flight, nullptr, false, ttl);
        throw;
    }
    std::shared_ptr<const CachedResponse> shared;
    if (answer) shared = std::make_shared<const CachedResponse>(std::move(*answer));
    finish(key, flight, shared, shared && cacheable, ttl);
    co_return shared;
}

void ResponseCache::finish(const std::string& key, const std::shared_ptr<Flight>& flight,
                           std::shared_ptr<const CachedResponse> answer, bool store, std::chrono::seconds ttl)
{
    std::vector<std::pair<std::uint64_t, Wakeup>> waiters;
    {
        std::lock_guard<std::mutex> lock(_mutex);
        if (store) storeLocked(key, answer, ttl);
        auto it = _inFlight.find(key);
        if (it != _inFlight.end() && it->second == flight) _inFlight.erase(it);
        flight->answer = std::move(answer);
        flight->finished = true;
        waiters.swap(flight->waiters);
    }
    for (auto& [ticket, wakeup] : waiters) wakeup(true);
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
