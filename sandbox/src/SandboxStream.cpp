// SandboxStream; see SandboxStream.h for what it sends and the faults.
//
// One serve() coroutine per connection: at each message boundary it looks
// for a fault to take (one relaxed atomic load when there is none), waits
// for the message's turn (stream_rate) on a steady_timer in slices of at
// most 50 ms, so endAll() is seen promptly, writes a keep-alive when it has
// been quiet, then writes the message (in `chunk`-byte HTTP chunks when
// asked: one Answer::write per chunk) and records the tweet's id once the
// write returned. A write that fails (the client is gone or too slow) ends
// the loop; disconnect_mid_message ends with Answer::abort().
#include "birdgate/sandbox/SandboxStream.h"

#include "birdgate/common/HttpErrors.h"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <optional>
#include <stdexcept>

namespace birdgate
{

namespace
{
using Steady = std::chrono::steady_clock;

constexpr std::size_t BATCH_BYTES = 64 * 1024;

long long wallMillis()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::optional<long long> parseCount(const std::string& text)
{
    if (text.empty() || text.size() > 12) return std::nullopt;
    long long v = 0;
    for (char c : text)
    {
        if (c < '0' || c > '9') return std::nullopt;
        v = v * 10 + (c - '0');
    }
    return v;
}

bool isInjectable(const std::string& kind)
{
    for (const char* k : {"limit", "delete", "warning", "disconnect", "scrub_geo", "not_json", "error"})
        if (kind == k) return true;
    return false;
}

void frameTo(std::string& out, std::string_view json, bool delimited)
{
    if (delimited) out += std::to_string(json.size() + 2) + "\r\n";
    out += json;
    out += "\r\n";
}
} // namespace

SandboxStream::SandboxStream(const SandboxData& data, Options options) : _data(data), _options(options) {}

void SandboxStream::control(const Control& request)
{
    // Validate everything first, so a bad request changes nothing.
    const auto& f = request.fields;
    auto get = [&](const char* key) -> std::string {
        auto it = f.find(key);
        return it == f.end() ? std::string() : it->second;
    };
    for (const auto& [key, value] : f)
    {
        (void)value;
        if (key != "mode" && key != "status" && key != "count" && key != "chunk" && key != "after" && key != "half" &&
            key != "inject")
            throw std::invalid_argument("unknown field '" + key + "'");
    }
    std::string mode = get("mode");
    if (mode.empty() && !get("status").empty()) mode = "status";
    if (!mode.empty() && mode != "normal" && mode != "disconnect_mid_message" && mode != "stall" && mode != "status")
        throw std::invalid_argument("mode: normal, disconnect_mid_message, stall or status (got '" + mode + "')");
    auto number = [&](const char* key, long long fallback, long long lo, long long hi) {
        std::string text = get(key);
        if (text.empty()) return fallback;
        auto v = parseCount(text);
        if (!v || *v < lo || *v > hi)
            throw std::invalid_argument(std::string(key) + ": an integer from " + std::to_string(lo) + " to " +
                                        std::to_string(hi));
        return *v;
    };
    int status = static_cast<int>(number("status", 0, 0, 599));
    if (mode == "status" && status < 400)
        throw std::invalid_argument("status: an HTTP error status such as 420, 429 or 503");
    int count = static_cast<int>(number("count", 1, 1, 1000000));
    long long after = number("after", 0, 0, 1LL << 40);
    std::optional<long long> chunk;
    if (!get("chunk").empty()) chunk = number("chunk", 0, 0, 1 << 20);
    std::string halfText = get("half");
    bool half = halfText == "true" || halfText == "1" || halfText == "yes";
    for (const auto& kind : request.inject)
        if (!isInjectable(kind))
            throw std::invalid_argument(
                "inject: limit, delete, warning, disconnect, scrub_geo, not_json or error (got '" + kind + "')");

    std::lock_guard lock(_mutex);
    if (mode == "normal")
    {
        _pending = Pending::None;
        _statusFault = 0;
        _statusCount = 0;
        _chunk = 0;
        _inject.clear();
    }
    else if (mode == "disconnect_mid_message" || mode == "stall")
    {
        _pending = mode == "stall" ? Pending::Stall : Pending::Disconnect;
        _pendingAfter = after;
        _pendingHalf = mode == "stall" ? half : true;
    }
    else if (mode == "status")
    {
        _statusFault = status;
        _statusCount = count;
    }
    if (chunk) _chunk = static_cast<std::size_t>(*chunk);
    for (const auto& kind : request.inject) _inject.push_back(kind);
    _faultPending = _pending != Pending::None || !_inject.empty() || _chunk != 0;
}

std::string SandboxStream::stateJson() const
{
    std::lock_guard lock(_mutex);
    std::string out = "{\"connections\":" + std::to_string(_perConnection.size()) +
                      ",\"active\":" + std::to_string(_active) + ",\"sent\":" + std::to_string(_sent) +
                      ",\"rejected\":" + std::to_string(_rejected) + ",\"stalls\":" + std::to_string(_stalls) +
                      ",\"disconnects\":" + std::to_string(_disconnects) + ",\"chunk\":" + std::to_string(_chunk) +
                      ",\"pending\":\"" +
                      (_pending == Pending::Stall        ? "stall"
                       : _pending == Pending::Disconnect ? "disconnect"
                                                         : "") +
                      "\",\"per_connection\":[";
    for (std::size_t i = 0; i < _perConnection.size(); ++i) out += (i ? "," : "") + std::to_string(_perConnection[i]);
    out += "],\"sent_ids_truncated\":";
    out += _truncated ? "true" : "false";
    out += ",\"sent_ids\":[";
    for (std::size_t i = 0; i < _sentIds.size(); ++i)
    {
        if (i) out += ',';
        out += std::to_string(_sentIds[i]);
    }
    out += "]}";
    return out;
}

int SandboxStream::takeStatusFault()
{
    std::lock_guard lock(_mutex);
    if (_statusCount <= 0 || _statusFault == 0) return 0;
    --_statusCount;
    ++_rejected;
    return _statusFault;
}

void SandboxStream::endAll()
{
    _ending = true;
}

std::uint64_t SandboxStream::nextId(long long& epochMillis)
{
    std::lock_guard lock(_idMutex);
    long long ms = wallMillis();
    if (ms <= _lastMillis)
    {
        // Same millisecond (or the clock went back): next sequence number,
        // borrowing the next millisecond when 4096 are used.
        if (++_sequence >= 4096)
        {
            ++_lastMillis;
            _sequence = 0;
        }
        ms = _lastMillis;
    }
    else
    {
        _lastMillis = ms;
        _sequence = 0;
    }
    epochMillis = ms;
    return SandboxData::snowflake(ms, _sequence);
}

void SandboxStream::record(std::size_t connection, const std::vector<std::uint64_t>& ids)
{
    if (ids.empty()) return;
    std::lock_guard lock(_mutex);
    _sent += ids.size();
    _perConnection[connection] += ids.size();
    for (auto id : ids)
    {
        if (_sentIds.size() >= MAX_RECORDED)
        {
            _truncated = true;
            break;
        }
        _sentIds.push_back(id);
    }
}

// g++ 12 reports a false -Wmismatched-new-delete in a coroutine whose frame
// allocation by Asio (awaitable_frame_base's operator new over its
// recycling allocator) it inlines: the matching delete is Asio's own.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

// One connection's output: writes (split into `chunk`-byte HTTP chunks
// when asked), the batch of tweets not yet written and the pacing timer.
struct SandboxStream::Writer
{
    Writer(SandboxStream& s, Answer& a, std::size_t i, const boost::asio::any_io_executor& executor)
        : stream(s), answer(a), index(i), timer(executor)
    {
    }

    SandboxStream& stream;
    Answer& answer;
    std::size_t index;
    boost::asio::steady_timer timer;
    std::size_t chunk = 0;
    Steady::time_point lastWrite = Steady::now();
    std::string batch;
    std::vector<std::uint64_t> batchIds;

    Task<bool> write(std::string_view bytes)
    {
        if (chunk == 0)
        {
            if (!co_await answer.write(bytes)) co_return false;
        }
        else
        {
            for (std::size_t at = 0; at < bytes.size(); at += chunk)
                if (!co_await answer.write(bytes.substr(at, chunk))) co_return false; // one HTTP chunk each
        }
        lastWrite = Steady::now();
        co_return true;
    }

    /// Writes the batch; its tweets count as sent once the write returned.
    Task<bool> flushBatch()
    {
        if (batch.empty()) co_return true;
        bool ok = co_await write(batch);
        if (ok) stream.record(index, batchIds);
        batch.clear();
        batchIds.clear();
        co_return ok;
    }

    Task<void> pause(Steady::duration d)
    {
        timer.expires_after(d);
        co_await timer.async_wait(boost::asio::use_awaitable);
    }
};

Task<void> SandboxStream::serve(Answer& answer, const Filter& filter)
{
    std::size_t index;
    {
        std::lock_guard lock(_mutex);
        index = _perConnection.size();
        _perConnection.push_back(0);
        ++_active;
    }
    struct Leave
    {
        SandboxStream* self;
        ~Leave()
        {
            std::lock_guard lock(self->_mutex);
            --self->_active;
        }
    } leave{this};

    Writer out(*this, answer, index, co_await boost::asio::this_coro::executor);

    answer.setStatus(200);
    answer.set("Content-Type", "application/json");
    answer.closeAfter(); // a stream ends with its connection
    if (!co_await answer.begin(std::nullopt)) co_return;

    std::vector<TweetPool> pools;
    for (const auto& term : filter.track) pools.push_back(_data.searchPool(term));
    const TweetPool generic = _data.searchPool("");

    std::uint64_t n = 0; // tweets built on this connection
    std::uint64_t limitTrack = 0;
    Pending mine = Pending::None;
    std::uint64_t faultAt = 0;
    bool half = false;
    const bool fast = _options.rate <= 0;
    const auto keepalive = std::chrono::duration<double>(_options.keepalive > 0 ? _options.keepalive : 1e9);
    auto start = Steady::now();
    out.lastWrite = start;

    auto nextTweet = [&](std::uint64_t& id) {
        long long ms = 0;
        id = nextId(ms);
        if (filter.v2) return filter.v2(id, ms, n);
        const bool byFollow = !filter.follow.empty() && (pools.empty() || n % 2 == 1);
        const TweetPool& pool = (!byFollow && !pools.empty()) ? pools[n % pools.size()] : generic;
        SandboxTweet t =
            _data.tweet(pool, static_cast<int>((n * 7919 + index) % static_cast<std::uint64_t>(pool.depth)));
        t.id = id;
        t.createdAt = ms / 1000;
        SandboxUser user = byFollow ? filter.follow[(n / 2) % filter.follow.size()] : _data.user(t.author);
        t.author = user.screenName;
        std::string json;
        _data.appendTweetJson(json, t, user, {});
        std::string framed;
        frameTo(framed, json, filter.delimited);
        return framed;
    };
    auto control = [&](const std::string& kind) {
        std::string ms = std::to_string(wallMillis());
        if (kind == "limit")
        {
            limitTrack += 3;
            return "{\"limit\":{\"track\":" + std::to_string(limitTrack) + ",\"timestamp_ms\":\"" + ms + "\"}}";
        }
        if (kind == "delete")
            return "{\"delete\":{\"status\":{\"id\":1125000000000000000,\"id_str\":\"1125000000000000000\","
                   "\"user_id\":783214,\"user_id_str\":\"783214\"},\"timestamp_ms\":\"" +
                   ms + "\"}}";
        if (kind == "warning")
            return std::string("{\"warning\":{\"code\":\"FALLING_BEHIND\",\"message\":\"Your connection is falling "
                               "behind and messages are being queued for delivery to you.\",\"percent_full\":60}}");
        if (kind == "scrub_geo")
            return std::string("{\"scrub_geo\":{\"user_id\":783214,\"user_id_str\":\"783214\","
                               "\"up_to_status_id\":1125000000000000000,\"up_to_status_id_str\":"
                               "\"1125000000000000000\"}}");
        if (kind == "disconnect" && filter.v2)
            return std::string("{\"errors\":[{\"title\":\"operational-disconnect\",\"disconnect_type\":"
                               "\"UpstreamOperationalDisconnect\",\"detail\":\"This stream has been disconnected "
                               "upstream for operational reasons.\",\"type\":\"https://api.twitter.com/2/problems/"
                               "operational-disconnect\"}]}");
        if (kind == "disconnect")
            return std::string(
                "{\"disconnect\":{\"code\":7,\"stream_name\":\"sandbox-statuses\",\"reason\":\"Admin Logout\"}}");
        if (kind == "error")
            return std::string("{\"errors\":[{\"title\":\"ConnectionException\",\"detail\":\"The sandbox "
                               "reports a problem on this connection.\",\"type\":\"https://api.twitter.com/2/"
                               "problems/streaming-connection\"}]}");
        return std::string("this line is not JSON {\"id\":");
    };

    while (!_ending)
    {
        // ---- faults, at a message boundary
        if (_faultPending.load(std::memory_order_relaxed))
        {
            std::deque<std::string> inject;
            {
                std::lock_guard lock(_mutex);
                if (mine == Pending::None && _pending != Pending::None)
                {
                    mine = _pending;
                    faultAt = n + static_cast<std::uint64_t>(_pendingAfter);
                    half = _pendingHalf;
                    _pending = Pending::None;
                }
                inject.swap(_inject);
                out.chunk = _chunk;
                _faultPending = _pending != Pending::None || !_inject.empty() || _chunk != 0;
            }
            if (!inject.empty())
            {
                if (!co_await out.flushBatch()) co_return;
                for (const auto& kind : inject)
                {
                    std::string framed;
                    frameTo(framed, control(kind), filter.delimited);
                    if (!co_await out.write(framed)) co_return;
                    if (kind == "disconnect") // Twitter closes after saying so
                    {
                        co_await answer.finish();
                        co_return;
                    }
                }
            }
        }
        else
            out.chunk = 0;
        if (mine != Pending::None && n >= faultAt)
        {
            if (!co_await out.flushBatch()) co_return;
            std::uint64_t id = 0;
            std::string next = nextTweet(id);
            if (mine == Pending::Disconnect || half)
                if (!co_await out.write(std::string_view(next).substr(0, next.size() / 2))) co_return;
            std::lock_guard lock(_mutex);
            if (mine == Pending::Disconnect)
            {
                ++_disconnects;
                answer.abort(); // no final chunk: the client sees the connection break
                co_return;
            }
            ++_stalls;
            filter.hold.reset(); // a stalled connection no longer counts against its app
            break;               // to the stall loop below
        }

        // ---- pacing and keep-alives
        if (!fast)
        {
            const auto due = start + std::chrono::duration_cast<Steady::duration>(
                                         std::chrono::duration<double>(static_cast<double>(n) / _options.rate));
            for (auto now = Steady::now(); now < due && !_ending; now = Steady::now())
            {
                if (now - out.lastWrite >= keepalive && !co_await out.write("\r\n")) co_return;
                // Wake for the tweet, the next keep-alive or endAll(), whichever is first.
                const auto nextKeepalive =
                    out.lastWrite + std::chrono::duration_cast<Steady::duration>(keepalive) - Steady::now();
                Steady::duration slice = std::min<Steady::duration>(due - now, std::chrono::milliseconds(50));
                if (nextKeepalive < slice) slice = nextKeepalive;
                if (slice < Steady::duration::zero()) slice = Steady::duration::zero();
                co_await out.pause(slice);
            }
            if (_ending) break;
        }

        // ---- the tweet
        std::uint64_t id = 0;
        std::string message = nextTweet(id);
        if (message.empty()) // v2 without a rule to match: keep-alives only
        {
            if (!co_await out.flushBatch()) co_return;
            if (Steady::now() - out.lastWrite >= keepalive && !co_await out.write("\r\n")) co_return;
            co_await out.pause(std::chrono::milliseconds(50));
            // The pace starts over once rules exist: no burst to catch up.
            start = Steady::now() - std::chrono::duration_cast<Steady::duration>(std::chrono::duration<double>(
                                        fast ? 0.0 : static_cast<double>(n) / _options.rate));
            continue;
        }
        out.batch += message;
        out.batchIds.push_back(id);
        ++n;
        if ((!fast || out.batch.size() >= BATCH_BYTES) && !co_await out.flushBatch()) co_return;
    }
    if (mine == Pending::Stall && !_ending)
    {
        // Silent but open until the server stops (see SandboxStream.h).
        while (!_ending) co_await out.pause(std::chrono::milliseconds(50));
        co_await answer.finish();
        co_return;
    }
    co_await out.flushBatch();
    co_await answer.finish();
}

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

} // namespace birdgate
