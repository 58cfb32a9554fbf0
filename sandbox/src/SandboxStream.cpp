// SandboxStream; see SandboxStream.h for what it sends and the faults.
//
// One server thread per connection runs serve(): at each message boundary it
// looks for a fault to take (one relaxed atomic load when there is none),
// waits for the message's turn (stream_rate), writes a keep-alive when it has
// been quiet, then writes the message (in `chunk`-byte HTTP chunks when
// asked) and records the tweet's id once the write returned. Writes go
// through Poco's chunked response stream; a client that went away makes the
// stream bad, which ends the loop.
#include "birdgate/sandbox/SandboxStream.h"

#include "birdgate/common/HttpErrors.h"

#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/StreamSocket.h>

#include <chrono>
#include <optional>
#include <stdexcept>
#include <thread>

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
    for (const char* k : {"limit", "delete", "warning", "disconnect", "scrub_geo", "not_json"})
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

SandboxStream::SandboxStream(const SandboxData& data, Options options) : _data(data), _options(options)
{
}

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
            throw std::invalid_argument("inject: limit, delete, warning, disconnect, scrub_geo or not_json (got '" +
                                        kind + "')");

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
                      (_pending == Pending::Stall ? "stall" : _pending == Pending::Disconnect ? "disconnect" : "") +
                      "\",\"per_connection\":[";
    for (std::size_t i = 0; i < _perConnection.size(); ++i)
        out += (i ? "," : "") + std::to_string(_perConnection[i]);
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

void SandboxStream::serve(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response,
                          const Filter& filter)
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

    Poco::Net::StreamSocket& socket = static_cast<Poco::Net::HTTPServerRequestImpl&>(request).socket();
    response.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_OK);
    response.setContentType("application/json");
    response.setChunkedTransferEncoding(true);
    response.setKeepAlive(false); // a stream ends with its connection
    std::ostream& out = response.send();
    out.flush();

    std::vector<TweetPool> pools;
    for (const auto& term : filter.track) pools.push_back(_data.searchPool(term));
    const TweetPool generic = _data.searchPool("");

    std::uint64_t n = 0;             // tweets built on this connection
    std::uint64_t limitTrack = 0;
    Pending mine = Pending::None;
    std::uint64_t faultAt = 0;
    bool half = false;
    std::size_t chunk = 0;
    std::string batch;
    std::vector<std::uint64_t> batchIds;
    const bool fast = _options.rate <= 0;
    const auto keepalive = std::chrono::duration<double>(_options.keepalive > 0 ? _options.keepalive : 1e9);
    const auto start = Steady::now();
    auto lastWrite = start;

    auto write = [&](std::string_view bytes) -> bool {
        try
        {
            if (chunk == 0)
            {
                out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
                out.flush();
            }
            else
            {
                for (std::size_t at = 0; at < bytes.size() && out.good(); at += chunk)
                {
                    auto piece = bytes.substr(at, chunk);
                    out.write(piece.data(), static_cast<std::streamsize>(piece.size()));
                    out.flush(); // one HTTP chunk, and with TCP_NODELAY off still small writes
                }
            }
        }
        catch (const std::exception&)
        {
            return false;
        }
        lastWrite = Steady::now();
        return out.good();
    };
    auto flushBatch = [&]() -> bool {
        if (batch.empty()) return true;
        bool ok = write(batch);
        if (ok) record(index, batchIds);
        batch.clear();
        batchIds.clear();
        return ok;
    };
    auto clientGone = [&]() {
        try
        {
            // After the request, anything readable is the client closing.
            return socket.poll(Poco::Timespan(0), Poco::Net::Socket::SELECT_READ | Poco::Net::Socket::SELECT_ERROR);
        }
        catch (const std::exception&)
        {
            return true;
        }
    };
    auto nextTweet = [&](std::uint64_t& id) {
        long long ms = 0;
        id = nextId(ms);
        const bool byFollow = !filter.follow.empty() && (pools.empty() || n % 2 == 1);
        const TweetPool& pool = (!byFollow && !pools.empty()) ? pools[n % pools.size()] : generic;
        SandboxTweet t = _data.tweet(pool, static_cast<int>((n * 7919 + index) % static_cast<std::uint64_t>(pool.depth)));
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
        if (kind == "disconnect")
            return std::string(
                "{\"disconnect\":{\"code\":7,\"stream_name\":\"sandbox-statuses\",\"reason\":\"Admin Logout\"}}");
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
                chunk = _chunk;
                _faultPending = _pending != Pending::None || !_inject.empty() || _chunk != 0;
            }
            if (!inject.empty())
            {
                if (!flushBatch()) return;
                for (const auto& kind : inject)
                {
                    std::string framed;
                    frameTo(framed, control(kind), filter.delimited);
                    if (!write(framed)) return;
                    if (kind == "disconnect") return; // Twitter closes after saying so
                }
            }
        }
        else
            chunk = 0;
        if (mine != Pending::None && n >= faultAt)
        {
            if (!flushBatch()) return;
            std::uint64_t id = 0;
            std::string next = nextTweet(id);
            if (mine == Pending::Disconnect || half)
                if (!write(std::string_view(next).substr(0, next.size() / 2))) return;
            std::lock_guard lock(_mutex);
            if (mine == Pending::Disconnect)
            {
                ++_disconnects;
                try
                {
                    socket.shutdown(); // no final chunk: the client sees the connection break
                }
                catch (const std::exception&)
                {
                }
                return;
            }
            ++_stalls;
            break; // to the stall loop below
        }

        // ---- pacing and keep-alives
        if (!fast)
        {
            const auto due = start + std::chrono::duration_cast<Steady::duration>(
                                         std::chrono::duration<double>(static_cast<double>(n) / _options.rate));
            for (auto now = Steady::now(); now < due && !_ending; now = Steady::now())
            {
                if (now - lastWrite >= keepalive && !write("\r\n")) return;
                std::this_thread::sleep_for(std::min<Steady::duration>(due - now, std::chrono::milliseconds(50)));
            }
            if (_ending) break;
        }

        // ---- the tweet
        std::uint64_t id = 0;
        batch += nextTweet(id);
        batchIds.push_back(id);
        ++n;
        if ((!fast || batch.size() >= BATCH_BYTES) && !flushBatch()) return;
    }
    if (mine == Pending::Stall && !_ending)
    {
        // Silent but open, until the client gives up or the server stops.
        while (!_ending && !clientGone()) std::this_thread::sleep_for(std::chrono::milliseconds(50));
        return;
    }
    flushBatch();
}

} // namespace birdgate
