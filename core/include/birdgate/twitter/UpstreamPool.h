// Keep-alive connections to upstreams (Twitter, the sandbox), pooled per
// scheme, host and port.
//
// Each proxied request borrows an idle HTTP(S)ClientSession, sends, reads the
// whole answer (API answers are small and transforms and the cache need the
// body anyway) and gives the session back when the upstream keeps it open.
// HTTPS sessions verify the peer against the system CA store, host name
// included; verification is never turned off.
#pragma once

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Timespan.h>

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace birdgate
{

/// The upstream could not be reached or broke the connection (502).
class UpstreamUnreachable : public std::runtime_error
{
public:
    using std::runtime_error::runtime_error;
};

/// The upstream did not answer within the time limit (504).
class UpstreamTimeout : public std::runtime_error
{
public:
    using std::runtime_error::runtime_error;
};

struct UpstreamTarget
{
    std::string scheme; // http | https
    std::string host;
    int port = 0;
};

/// The target and path of an upstream base URL (endpoint, api_root,
/// stream_root): http or https, a host, no query; nullopt otherwise.
std::optional<UpstreamTarget> parseUpstreamUrl(const std::string& url, std::string& path);

struct UpstreamResponse
{
    int status = 0;
    std::string reason;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;

    /// First header named `name` (case-insensitive), or "".
    std::string header(const std::string& name) const;
};

class UpstreamPool
{
public:
    explicit UpstreamPool(size_t maxIdlePerTarget = 256);
    ~UpstreamPool();

    UpstreamPool(const UpstreamPool&) = delete;
    UpstreamPool& operator=(const UpstreamPool&) = delete;

    /// Sends `request` (its URI is the path and query) with `body` and reads
    /// the whole answer. `timeout` bounds the connect and each wait for bytes.
    /// Throws UpstreamUnreachable or UpstreamTimeout. Idle sessions the
    /// upstream closed are dropped before use; one that still fails before
    /// any byte of the answer is retried once on a new connection when the
    /// method is idempotent (never a POST, which may have been acted on).
    UpstreamResponse send(const UpstreamTarget& target, Poco::Net::HTTPRequest& request, const std::string& body,
                          Poco::Timespan timeout);

    /// A new session (not pooled), e.g. for a long-lived stream.
    std::unique_ptr<Poco::Net::HTTPClientSession> connect(const UpstreamTarget& target, Poco::Timespan timeout);

    /// Idle sessions currently held (for tests and /metrics).
    size_t idleCount() const;

    /// The TLS client context: system CA store, peer and host verification.
    static Poco::Net::Context::Ptr tlsContext();

private:
    using SessionPtr = std::unique_ptr<Poco::Net::HTTPClientSession>;
    SessionPtr acquire(const UpstreamTarget& target, Poco::Timespan timeout, bool& reused);
    void release(const UpstreamTarget& target, SessionPtr session);
    static std::string keyOf(const UpstreamTarget& target);

    size_t _maxIdle;
    mutable std::mutex _mutex;
    std::map<std::string, std::vector<SessionPtr>> _idle;
};

} // namespace birdgate
