// What every user of an upstream (X, the sandbox) shares, whatever sends the
// request: where it is (UpstreamTarget, parsed from a base URL), its whole
// answer (UpstreamResponse) and how reaching it fails (502, 504). The pool
// that sends is UpstreamPool.h; this header stays free of Asio and Beast so
// the configuration and the cache can name these types cheaply.
#pragma once

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

/// No connection: the name did not resolve or the TCP connect failed (502).
class UpstreamConnectError : public UpstreamUnreachable
{
  public:
    using UpstreamUnreachable::UpstreamUnreachable;
};

/// The TLS handshake failed: certificate refused, protocol mismatch (502).
class UpstreamTlsError : public UpstreamUnreachable
{
  public:
    using UpstreamUnreachable::UpstreamUnreachable;
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

} // namespace birdgate
