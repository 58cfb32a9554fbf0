// The request id of the access log and of X-Request-Id (DESIGN.md 7): the
// client's own id is kept when it is sane, so a request can be followed from
// a front proxy through birdgate to X and back; anything else (absent, too
// long, characters that could split a log line or a header, forge a JSON
// field) is replaced by a fresh random id.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace birdgate
{

class RequestId
{
  public:
    /// Longest client id kept (a UUID is 36, nginx's $request_id 32).
    static constexpr std::size_t MAX_LENGTH = 128;

    /// True for 1..MAX_LENGTH characters out of A-Z a-z 0-9 - _ . : + / = @
    static bool sane(std::string_view id);

    /// `offered` when sane, else generate().
    static std::string accept(std::string_view offered);

    /// 16 random bytes as 32 lowercase hex digits.
    static std::string generate();
};

} // namespace birdgate
