// RequestHead: the strict parser and validator of a request's line and header
// fields, on the raw bytes as they came off the socket (DESIGN.md 1, server/).
//
// It is kept apart from the I/O (HttpConnection) so it can be unit-tested and
// fuzzed alone. It is deliberately stricter than RFC 9112 allows a server to
// be, because birdgate sits in front of other HTTP software and any
// disagreement about where a request ends is a request-smuggling hole:
// no NUL, no bare CR or bare LF anywhere, no obs-fold, no space before a
// colon, exactly one Host on HTTP/1.1, at most one Content-Length (digits
// only), Transfer-Encoding only as exactly `chunked` and never with a
// Content-Length, only origin-form targets of visible ASCII, only HTTP/1.0
// and HTTP/1.1 (anything else is 505; the version is never echoed).
// Errors carry a status (400, 431, 505) and a short static message, so a
// refusal costs no allocation.
#pragma once

#include "birdgate/server/HeaderField.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace birdgate
{

enum class BodyFraming
{
    None,          // no body
    ContentLength, // exactly contentLength bytes (may be 0)
    Chunked        // Transfer-Encoding: chunked
};

/// Why a head was refused: status 0 means accepted.
struct HeadError
{
    int status = 0;
    std::string_view message;
    explicit operator bool() const { return status != 0; }
};

class RequestHead
{
  public:
    std::string method;
    std::string target;
    int version = 11; // 10 or 11
    HeaderFields headers;
    BodyFraming framing = BodyFraming::None;
    std::uint64_t contentLength = 0;
    bool keepAlive = true;       // after the version's default and Connection tokens
    bool expectContinue = false; // HTTP/1.1 with Expect: 100-continue

    /// Length of the head at the start of `data` (through the empty line that
    /// ends it), or 0 when that empty line has not arrived yet. Bytes before
    /// `from` were scanned already (pass the previous data.size() to keep a
    /// trickled head linear). A bare-LF empty line counts as an end, so that
    /// parse() can refuse it instead of waiting for a CRLF that never comes.
    static std::size_t findEnd(std::string_view data, std::size_t from = 0);

    /// Parses and checks one complete head (as delimited by findEnd). On
    /// success fills every field of `this` (previous content replaced).
    HeadError parse(std::string_view head);

    /// Resets to a default-constructed state, keeping allocated capacity.
    void clear();
};

} // namespace birdgate
