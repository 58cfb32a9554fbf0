// What one TwitterStream has done so far (DESIGN.md 5, 7): tweets written,
// Twitter's control messages, reconnects by kind, bytes, the current wait.
//
// The stream thread is the only writer; the log, the tests and a later
// /metrics read from other threads. So each field is a relaxed atomic (no
// lock on the hot path of 200,000 tweets/s) and readers take a Snapshot, a
// plain struct whose fields may be a few messages apart from each other,
// which is all a metric needs.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

namespace birdgate
{

class StreamCounters
{
  public:
    /// Where the stream thread is.
    enum class State
    {
        Idle,       // built, not started (startup: false, or --check)
        Resolving,  // looking follow screen names up
        Connecting, // TCP/TLS connect and HTTP request sent, no answer yet
        Streaming,  // 200 received, reading messages
        Waiting,    // backing off before the next connection
        Stopped,    // stop() asked for it
        Failed      // a fatal status (401, 403 ...) or unknown follow names
    };

    struct Snapshot
    {
        std::uint64_t tweets = 0;              // messages written to the sink
        std::uint64_t deletes = 0;             // {"delete": ...} status deletion notices
        std::uint64_t limits = 0;              // {"limit": ...} notices
        std::uint64_t limitDropped = 0;        // tweets Twitter matched but did not deliver (from limit.track)
        std::uint64_t warnings = 0;            // {"warning": ...} e.g. FALLING_BEHIND
        std::uint64_t disconnects = 0;         // {"disconnect": ...} Twitter announces it closes
        std::uint64_t controls = 0;            // scrub_geo, status_withheld, user_withheld
        std::uint64_t notJson = 0;             // lines that are not a JSON object: skipped, never written
        std::uint64_t errors = 0;              // v2 {"errors": [...]} objects without data: logged, not written
        std::uint64_t duplicates = 0;          // v2 tweets whose data.id came before on the connection: skipped
        std::uint64_t framingErrors = 0;       // oversized messages or bad length prefixes
        std::uint64_t keepAlives = 0;          // blank keep-alive lines
        std::uint64_t bytes = 0;               // body bytes received, keep-alives included
        std::uint64_t sinkRetries = 0;         // writes the sink answered RETRY (the message was kept)
        std::uint64_t sinkErrors = 0;          // messages the sink refused (ERROR): dropped
        std::uint64_t sinkLost = 0;            // messages still refused with RETRY when the stream stopped
        std::uint64_t connections = 0;         // connections answered 200
        std::uint64_t reconnectsNetwork = 0;   // reconnects after a network error or closed connection
        std::uint64_t reconnectsStall = 0;     // ... after no byte for stall_timeout (also counted as network)
        std::uint64_t reconnectsHttp = 0;      // ... after an HTTP error status
        std::uint64_t reconnectsRateLimit = 0; // ... after 420 / 429
        std::int64_t currentWaitMs = 0;        // the backoff being waited now; 0 when not waiting
        int lastStatus = 0;                    // last HTTP status of a connection attempt
        State state = State::Idle;

        std::uint64_t reconnects() const { return reconnectsNetwork + reconnectsHttp + reconnectsRateLimit; }

        /// One line for the log: "tweets=12 deletes=0 ... reconnects=network:1,http:0,rate-limit:0".
        std::string summary() const;
    };

    StreamCounters() = default;
    StreamCounters(const StreamCounters&) = delete;
    StreamCounters& operator=(const StreamCounters&) = delete;

    Snapshot snapshot() const;

    static const char* stateName(State state);

    // Written by the stream thread only; relaxed atomics, see above.
    std::atomic<std::uint64_t> tweets{0};
    std::atomic<std::uint64_t> deletes{0};
    std::atomic<std::uint64_t> limits{0};
    std::atomic<std::uint64_t> limitDropped{0};
    std::atomic<std::uint64_t> warnings{0};
    std::atomic<std::uint64_t> disconnects{0};
    std::atomic<std::uint64_t> controls{0};
    std::atomic<std::uint64_t> notJson{0};
    std::atomic<std::uint64_t> errors{0};
    std::atomic<std::uint64_t> duplicates{0};
    std::atomic<std::uint64_t> framingErrors{0};
    std::atomic<std::uint64_t> keepAlives{0};
    std::atomic<std::uint64_t> bytes{0};
    std::atomic<std::uint64_t> sinkRetries{0};
    std::atomic<std::uint64_t> sinkErrors{0};
    std::atomic<std::uint64_t> sinkLost{0};
    std::atomic<std::uint64_t> connections{0};
    std::atomic<std::uint64_t> reconnectsNetwork{0};
    std::atomic<std::uint64_t> reconnectsStall{0};
    std::atomic<std::uint64_t> reconnectsHttp{0};
    std::atomic<std::uint64_t> reconnectsRateLimit{0};
    std::atomic<std::int64_t> currentWaitMs{0};
    std::atomic<int> lastStatus{0};
    std::atomic<State> state{State::Idle};

    /// Adds one to a counter (relaxed: see the file comment).
    static void bump(std::atomic<std::uint64_t>& counter, std::uint64_t n = 1)
    {
        counter.fetch_add(n, std::memory_order_relaxed);
    }
};

} // namespace birdgate
