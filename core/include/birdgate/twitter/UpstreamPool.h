// Keep-alive connections to upstreams (X, the sandbox), pooled per scheme,
// host and port, on Boost.Beast over Asio (DESIGN.md 1): a coroutine that
// waits for X holds no thread.
//
// Rules:
//   - an idle connection the upstream closed is dropped before use; one that
//     still fails before any byte of the answer is retried once on a fresh
//     connection for GET/HEAD/PUT/DELETE only (a POST may have been acted
//     on: never sent twice);
//   - HTTPS is verified against the system CA store, host name included
//     (SNI set); verification is never turned off;
//   - `timeout` bounds the connect and each wait for bytes;
//   - an answer longer than its Content-Length, or any framing error,
//     discards the connection (never reused); a truncated or badly chunked
//     answer is UpstreamUnreachable (502), lengths are 64-bit;
//   - send() holds the answer whole up to `maxAnswer` bytes (above it:
//     UpstreamTooLarge, 502, the connection closed); open() hands the body
//     over piece by piece for answers streamed to the client.
#pragma once

#include "birdgate/common/Task.h"
#include "birdgate/server/HeaderField.h"
#include "birdgate/twitter/Upstream.h" // UpstreamTarget, UpstreamResponse, the exceptions

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace birdgate
{

/// The answer was longer than the caller can hold (app.max_answer): 502.
class UpstreamTooLarge : public UpstreamUnreachable
{
  public:
    using UpstreamUnreachable::UpstreamUnreachable;
};

struct UpstreamRequest
{
    std::string method = "GET";
    std::string target = "/"; // path and query, percent-encoded
    HeaderFields headers;     // Host is added by the pool
    std::string body;
};

struct UpstreamLimits
{
    std::chrono::milliseconds timeout{20000};
    std::uint64_t maxAnswer = 64ull << 20;
};

/// An answer being read: status and headers now, the body piece by piece.
/// Destroyed before its end, it closes the connection (never reused).
class UpstreamAnswer
{
  public:
    virtual ~UpstreamAnswer() = default;
    int status = 0;
    std::string reason;
    std::vector<std::pair<std::string, std::string>> headers;
    std::optional<std::uint64_t> contentLength; // nullopt: chunked or until close

    /// The next piece of the body, or nullopt at its end. Throws
    /// UpstreamUnreachable (truncated, bad chunk) or UpstreamTimeout.
    virtual Task<std::optional<std::string>> next() = 0;
};

class UpstreamPool
{
  public:
    explicit UpstreamPool(std::size_t maxIdlePerTarget = 256);
    ~UpstreamPool();

    UpstreamPool(const UpstreamPool&) = delete;
    UpstreamPool& operator=(const UpstreamPool&) = delete;

    /// Sends and reads the whole answer. Throws UpstreamUnreachable,
    /// UpstreamTimeout or UpstreamTooLarge.
    Task<UpstreamResponse> send(const UpstreamTarget& target, UpstreamRequest request, UpstreamLimits limits);

    /// Sends and reads the status line and headers; the body follows through
    /// UpstreamAnswer::next().
    Task<std::unique_ptr<UpstreamAnswer>> open(const UpstreamTarget& target, UpstreamRequest request,
                                               UpstreamLimits limits);

    /// For threads outside the event loop (a stream's own thread): runs
    /// send() on a private io_context and waits.
    UpstreamResponse sendBlocking(const UpstreamTarget& target, UpstreamRequest request, UpstreamLimits limits);

    /// Idle connections currently held (tests, /metrics).
    std::size_t idleCount() const;

  private:
    struct Impl;
    std::unique_ptr<Impl> _impl;
};

} // namespace birdgate
