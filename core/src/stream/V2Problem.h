// X API v2 problem details (RFC 7807-like JSON) as the filtered stream and its
// rules endpoints send them: in the body of an error answer
// ({"type","title","detail",...}), or inside a stream's {"errors":[...]}
// object (operational-disconnect). The stream needs three things from one:
// what to log (title and detail, verbatim but log-safe), whether waiting can
// ever help (a problem type that cannot heal stops the stream: DESIGN.md 5),
// and whether it is worth one bearer renewal (a plain 401).
#pragma once

#include <string>
#include <string_view>

namespace birdgate
{

struct V2Problem
{
    std::string type; // e.g. https://api.twitter.com/2/problems/client-forbidden
    std::string title;
    std::string detail;

    /// The problem of an answer body: the top-level object, or the first of
    /// its errors[]; all empty when the body is not such JSON.
    static V2Problem parse(std::string_view body);

    /// The last path segment of `type` ("client-forbidden"), or "".
    std::string kind() const;

    /// Types whose cause is the app's account or request, not the moment:
    /// client-forbidden, unsupported-authentication, not-authorized-for-resource,
    /// invalid-request, resource-not-found, usage-capped is NOT one (it heals
    /// with the next billing period, so it is waited out as a 429).
    bool permanent() const;

    /// "title: detail" (either may be missing), log-safe, for the log.
    std::string describe() const;
};

} // namespace birdgate
