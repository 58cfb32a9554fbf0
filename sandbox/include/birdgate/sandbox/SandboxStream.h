// The sandbox's statuses/filter.json (DESIGN.md 6): an endless stream of
// synthetic tweets matching the connection's `track` (the text holds one of
// the phrases) or `follow` (written by one of the users), with keep-alives
// and the faults a stream client must survive, injected on demand.
//
// v2 connections (SandboxStreamV2) share all of this: their Filter carries
// the callback that renders each message.
//
// Rate: `stream_rate` tweets per second per connection (0: as fast as the
// socket takes them, written in 64 KB batches, for the benchmarks); a "\r\n"
// keep-alive after `keepalive` seconds without a message. Ids are snowflakes
// from the wall clock, strictly increasing across every connection, so a
// test can tell each tweet apart.
//
// Faults (the sandbox's `stream_faults:` kwarg at start, or POST
// /sandbox/_control/stream from loopback), each a map:
//   mode: disconnect_mid_message   after `after` more tweets, write half of
//                                  the next message and drop the TCP
//                                  connection (no final chunk)
//   mode: stall                    after `after` more tweets, write nothing
//                                  more (`half: true`: half a message first)
//                                  but keep the socket open
//   mode: status, status: 420      answer the next `count` (default 1)
//                                  connection attempts with that status
//   chunk: N                       from now on, write messages N bytes per
//                                  HTTP chunk (0: whole messages)
//   inject: [limit, delete, warning, disconnect, scrub_geo, not_json, error]
//                                  write these control messages once
//                                  (disconnect then closes cleanly; on a
//                                  v2 connection it is X's
//                                  operational-disconnect errors object;
//                                  error: a v2 {"errors":[...]} object that
//                                  keeps the connection; the others keep
//                                  their v1.1 shapes on v2 connections,
//                                  which a v2 client must not write either)
//   mode: normal                   forget pending faults and chunking
// disconnect and stall are taken by the first connection that reaches a
// message boundary after the request, and only by it.
//
// What was sent is kept for the tests: the id of every tweet whose last
// byte was handed to the socket (sent_ids, in order, up to MAX_RECORDED),
// per-connection counts and totals; GET /sandbox/_control/stream returns
// them as JSON (stateJson()). A half-written tweet is never in sent_ids.
//
// Each connection is a serve() coroutine writing through Answer::write; it
// waits with Asio timers, never sleeps, and wakes at least every 50 ms to
// see endAll(). A stalled connection is silent until endAll(): the Answer
// cannot tell that a client left without writing to it.
#pragma once

#include "birdgate/common/Task.h"
#include "birdgate/common/ThreadAnnotations.h"
#include "birdgate/sandbox/SandboxData.h"
#include "birdgate/server/Answer.h"

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace birdgate
{

class SandboxStream
{
  public:
    static constexpr std::size_t MAX_RECORDED = 2'000'000;

    struct Options
    {
        double rate = 10;      // tweets per second per connection; 0: as fast as possible
        double keepalive = 30; // seconds of silence before a "\r\n"
    };

    /// What one connection asked for (already validated by TwitterSandbox).
    struct Filter
    {
        std::vector<std::string> track;
        std::vector<SandboxUser> follow;
        bool delimited = false;
        /// A v2 connection (SandboxStreamV2): renders message `n` with this
        /// id and time as one "\r\n"-ended line, or "" when no rule asks
        /// for a tweet yet (then only keep-alives flow).
        std::function<std::string(std::uint64_t id, long long epochMillis, std::uint64_t n)> v2;
        /// Released when the connection ends (v2: one connection per app),
        /// or when it stalls: its client reconnects while the stalled one
        /// still waits for endAll(), and must not be refused for it.
        mutable std::shared_ptr<void> hold;
    };

    /// A fault or control request: field -> value, plus the inject list.
    struct Control
    {
        std::map<std::string, std::string> fields;
        std::vector<std::string> inject;
    };

    SandboxStream(const SandboxData& data, Options options);

    /// Applies a control request; throws std::invalid_argument naming the
    /// field when something is not understood (nothing is applied then).
    void control(const Control& request);

    /// GET /sandbox/_control/stream: {"connections":N,"active":N,"sent":N,
    /// "sent_ids":[...],"sent_ids_truncated":false,"per_connection":[...],
    /// "rejected":N,"stalls":N,"disconnects":N,"chunk":N,"pending":"..."}
    std::string stateJson() const;

    /// A `status` fault to answer this connection attempt with, or 0.
    int takeStatusFault();

    /// Streams to one client until it goes (a write fails), a fault ends the
    /// connection, or endAll(). Runs on the I/O thread of that connection.
    Task<void> serve(Answer& answer, const Filter& filter);

    /// Ends every stream now and refuses new ones (server shutdown). The
    /// connections end cleanly: the client sees the end of the body.
    void endAll();

    const Options& options() const { return _options; }

  private:
    enum class Pending
    {
        None,
        Disconnect,
        Stall
    };

    struct Writer; // one connection's writes, batch and timer (in the .cpp)

    std::uint64_t nextId(long long& epochMillis);
    void record(std::size_t connection, const std::vector<std::uint64_t>& ids);

    const SandboxData& _data;
    Options _options;
    std::atomic<bool> _ending{false};

    mutable std::mutex _mutex;
    Pending _pending BIRDGATE_GUARDED_BY(_mutex) = Pending::None;
    long long _pendingAfter BIRDGATE_GUARDED_BY(_mutex) = 0;
    bool _pendingHalf BIRDGATE_GUARDED_BY(_mutex) = false;
    int _statusFault BIRDGATE_GUARDED_BY(_mutex) = 0;
    int _statusCount BIRDGATE_GUARDED_BY(_mutex) = 0;
    std::size_t _chunk BIRDGATE_GUARDED_BY(_mutex) = 0;
    std::deque<std::string> _inject BIRDGATE_GUARDED_BY(_mutex);
    std::atomic<bool> _faultPending{false}; // a cheap check per message

    std::vector<std::uint64_t> _sentIds BIRDGATE_GUARDED_BY(_mutex);
    bool _truncated BIRDGATE_GUARDED_BY(_mutex) = false;
    std::uint64_t _sent BIRDGATE_GUARDED_BY(_mutex) = 0;
    std::vector<std::uint64_t> _perConnection BIRDGATE_GUARDED_BY(_mutex);
    std::uint64_t _rejected BIRDGATE_GUARDED_BY(_mutex) = 0;
    std::uint64_t _stalls BIRDGATE_GUARDED_BY(_mutex) = 0;
    std::uint64_t _disconnects BIRDGATE_GUARDED_BY(_mutex) = 0;
    int _active BIRDGATE_GUARDED_BY(_mutex) = 0;

    std::mutex _idMutex;
    long long _lastMillis BIRDGATE_GUARDED_BY(_idMutex) = 0;
    std::uint64_t _sequence BIRDGATE_GUARDED_BY(_idMutex) = 0;
};

} // namespace birdgate
