// Pure helpers of the REST handler, apart so they can be unit-tested without
// a server: the upstream method rule (DESIGN.md 3.2), the write-endpoint
// test, the `methods:` parser and the answer headers that are passed on.
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace birdgate
{

enum class UpstreamMethodMode
{
    Auto,
    Get,
    Post,
    Same
};

enum class BodyKind
{
    None,
    Form,      // application/x-www-form-urlencoded: signed, may move to the query
    Json,      // forwarded unsigned
    Multipart, // forwarded unsigned
    Other      // forwarded unsigned
};

class RestRequest
{
  public:
    /// True for Twitter write endpoints: any `2/` path, or a segment (".json"
    /// dropped) such as create, destroy, update, new, add, remove, retweet,
    /// unretweet, upload, or one starting with create_/destroy_/update_/add_/remove_.
    static bool isWriteEndpoint(std::string_view apiPath);

    /// The method sent upstream for a client `method` (already upper-case).
    static std::string upstreamMethod(UpstreamMethodMode mode, const std::string& method, std::string_view apiPath,
                                      BodyKind body);

    static BodyKind bodyKind(std::string_view contentType);

    /// Parses "auto|GET|POST|same"; throws std::invalid_argument otherwise.
    static UpstreamMethodMode parseMode(const std::string& text);

    /// Parses `methods:` items ("GET", "get, post" ...) into upper-case names;
    /// throws std::invalid_argument for a name that is not an HTTP method.
    static std::set<std::string> parseMethods(const std::vector<std::string>& items);

    /// Headers of an upstream answer passed on to the client: Content-Type,
    /// Last-Modified, ETag and every x-* (rate limits) but those a front proxy
    /// acts on (X-Accel-*, X-Sendfile, X-Lighttpd-*, X-Forwarded-*, X-Real-IP).
    static bool passHeader(std::string_view name);
};

} // namespace birdgate
