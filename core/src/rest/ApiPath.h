// Confinement of the API path a client asks for (DESIGN.md 3.1).
//
// birdgate signs requests with someone's token: it must never send a signed
// request anywhere but under its configured endpoint. The API path (regex
// group 1 or `kwargs.path`) is therefore checked before anything else touches
// it: after one percent-decoding it must be a relative path of
// [A-Za-z0-9_.~:,-] segments, with no empty, "." or ".." segment, no encoded
// separator, no scheme or host part. The result needs no re-encoding.
#pragma once

#include <string>
#include <string_view>

namespace birdgate
{

class ApiPath
{
  public:
    /// Checks `raw` (percent-encoded, as received, without the query) and
    /// writes the decoded safe path to `out`. On refusal returns false and
    /// sets `why` to a short reason for the 400 answer. An empty path is
    /// valid here (it means "start the login" to the REST handler).
    static bool confine(std::string_view raw, std::string& out, std::string& why);
};

} // namespace birdgate
