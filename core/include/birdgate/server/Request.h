// A request as an Endpoint sees it: method, target, headers and a body read
// on demand. It knows nothing of the HTTP library that parsed it: the server
// fills it after checking the request line and headers (DESIGN.md 1), and
// hands the body over through a BodySource only when the endpoint asks, so
// an endpoint can refuse a request (405, 403) before a byte of its body is
// read, and a body is used only once it has arrived whole.
#pragma once

#include "birdgate/common/Task.h"
#include "birdgate/server/HeaderField.h"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace birdgate
{

enum class BodyStatus
{
    Ok,       // the whole body is in Request::body()
    TooLarge, // above the limit: answer 413; the server closes the connection after the answer
    Broken    // the client went away or sent a bad chunk mid-body: nothing to answer, the connection closes
};

/// Where a request's body comes from (the server's connection; a test's string).
class BodySource
{
  public:
    virtual ~BodySource() = default;
    /// Reads the whole body into `out`, at most `limit` bytes.
    virtual Task<BodyStatus> read(std::string& out, std::uint64_t limit) = 0;
};

class Request
{
  public:
    std::string method; // e.g. "GET" (a token: the server refuses anything else)
    std::string target; // origin-form as received, percent-encoded: "/a/b?x=1"
    int version = 11;   // 10 (HTTP/1.0) or 11 (HTTP/1.1)
    HeaderFields headers;
    std::string clientAddress; // the peer's IP address, e.g. "127.0.0.1" or "::1"
    bool clientLoopback = false;
    bool tls = false;                 // arrived over HTTPS on birdgate's own listener
    BodySource* bodySource = nullptr; // null: no body
    /// X-Request-Id: the client's when sane, else a fresh one (set by the
    /// server before serve(); sent upstream, back on the answer, in the
    /// access log).
    std::string requestId;
    /// Time spent waiting for upstream answers (the access log's upstream
    /// time); nullopt: no upstream was asked. Endpoints add to it.
    std::optional<std::chrono::nanoseconds> upstreamTime;
    void addUpstreamTime(std::chrono::nanoseconds d) { upstreamTime = upstreamTime.value_or(d.zero()) + d; }

    /// The target up to '?' / after it ("" when there is no query).
    std::string_view path() const;
    std::string_view query() const;

    /// First value of header `name` (case-insensitive), or `fallback`.
    const std::string& header(std::string_view name, const std::string& fallback = EMPTY) const;
    bool has(std::string_view name) const;
    /// Content-Type without parameters' case change, or "".
    const std::string& contentType() const { return header("Content-Type"); }
    /// True when the request declares a body (Content-Length > 0 or chunked).
    bool declaresBody() const;

    /// Reads the whole body once (later calls return the first outcome).
    Task<BodyStatus> readBody(std::uint64_t limit);
    /// The body after readBody() returned Ok; "" otherwise.
    const std::string& body() const { return _body; }
    bool bodyRead() const { return _bodyStatus.has_value(); }

    /// For tests and in-process callers: a request whose body is already known.
    void setBody(std::string body);

    static const std::string EMPTY;

  private:
    std::string _body;
    std::optional<BodyStatus> _bodyStatus;
};

} // namespace birdgate
