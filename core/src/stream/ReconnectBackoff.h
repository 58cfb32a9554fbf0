// How long TwitterStream waits before reconnecting, per Twitter's rules
// (DESIGN.md 5; Twitter's "Connecting to a streaming endpoint" guide):
//
//   network error or stall   +250 ms per attempt (250, 500, 750 ...) up to 16 s
//   HTTP error (5xx, others) 5 s, doubling (5, 10, 20 ...) up to 320 s
//   HTTP 420 / 429           60 s, doubling (60, 120, 240 ...). Twitter states
//                            no cap; we cap at 960 s (16 min: one 15-minute
//                            rate-limit window has surely passed by then).
//   HTTP 401 403 404 406 413 416   Stop: credentials, endpoint or parameters
//                            are wrong and retrying would only earn a 420.
//
// Each kind keeps its own sequence (a network blip after a 503 does not jump
// to 10 s), and a connection that delivered data calls onHealthy(), which
// starts every sequence over. Owned by one stream thread: not thread-safe.
#pragma once

#include <chrono>
#include <string_view>

namespace birdgate
{

class ReconnectBackoff
{
  public:
    enum class Kind
    {
        Network,  // TCP/IP/TLS failure, connection closed, or stall
        Http,     // an HTTP status for which retrying is reasonable
        RateLimit // 420 Enhance Your Calm, 429 Too Many Requests
    };

    enum class Action
    {
        Retry,
        Stop
    };

    struct Decision
    {
        Action action;
        std::chrono::milliseconds wait; // zero when action is Stop
    };

    /// The limits; defaults are Twitter's. Tests and configs may shrink them.
    struct Policy
    {
        std::chrono::milliseconds networkStep{250};
        std::chrono::milliseconds networkMax{16'000};
        std::chrono::milliseconds httpStart{5'000};
        std::chrono::milliseconds httpMax{320'000};
        std::chrono::milliseconds rateLimitStart{60'000};
        std::chrono::milliseconds rateLimitMax{960'000};
    };

    ReconnectBackoff();
    explicit ReconnectBackoff(const Policy& policy);

    /// Advances the sequence of `kind` and returns the wait before the next
    /// connection attempt.
    std::chrono::milliseconds nextWait(Kind kind);

    /// A connection failed below HTTP (or stalled): always Retry.
    Decision onNetworkError();

    /// The server answered `status` (not 200): Stop for fatal statuses,
    /// otherwise Retry after the wait of kindOf(status).
    Decision onHttpStatus(int status);

    /// The connection delivered data: every sequence starts over.
    void onHealthy();

    /// Failed attempts of `kind` since the last onHealthy().
    int attempts(Kind kind) const;

    const Policy& policy() const { return _policy; }

    /// 401, 403, 404, 406, 413, 416: retrying cannot help.
    static bool isFatal(int status);

    /// 420 and 429 are RateLimit, anything else Http.
    static Kind kindOf(int status);

    /// Why a fatal status stops the stream, for the log.
    static std::string_view fatalReason(int status);

    /// X API v2 (DESIGN.md 5): what a non-200 answer to the filtered stream
    /// means. Renew: a 401 to a bearer that can be fetched anew (once, then
    /// retry at once); Stop: 400, 401 otherwise, 403, the v1.1 fatal
    /// statuses, or any status whose problem type cannot heal (client-
    /// forbidden ...); Retry: the rest (429 and 420 as RateLimit, others Http).
    enum class V2Action
    {
        Retry,
        Renew,
        Stop
    };
    static V2Action classifyV2(int status, bool permanentProblem, bool canRenew);

    static std::string_view kindName(Kind kind);

  private:
    Policy _policy;
    int _attempts[3] = {0, 0, 0};
    std::chrono::milliseconds _next[3];
};

} // namespace birdgate
