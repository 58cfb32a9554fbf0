// What a message of a Twitter stream is (DESIGN.md 5), decided in one pass.
//
// TwitterStream must tell tweets (written to the sink) from control messages
// (counted: `delete`, `limit`, `warning`, `disconnect`, and the rarer
// `scrub_geo`, `status_withheld`, `user_withheld`), and must not write a line
// that is not JSON into a JSON Lines file. At 200,000 tweets/s a DOM parser
// (Poco::JSON) is too slow, so StreamMessage runs a validating scanner: it
// checks the whole text against RFC 8259 (including UTF-8 inside strings),
// allocates nothing, and looks only at the top-level keys and the few
// second-level fields worth reporting (limit.track, warning.code,
// disconnect.code/reason, and v2's data.id). X API v2 messages are
// {"data": {...}, "includes": ..., "matching_rules": ...} (a Tweet) or
// {"errors": [...]} without data (Errors). Nesting deeper than MAX_DEPTH is refused, so
// hostile input cannot exhaust the stack.
//
// \uXXXX escapes are checked for four hex digits but lone surrogates are let
// through, as Python's json module (Gramex, the usual reader) does.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace birdgate
{

enum class MessageKind
{
    Tweet,      // has "id_str" or "text", or any object that is none of the below
    Delete,     // {"delete": {...}}
    Limit,      // {"limit": {"track": N}}: N tweets matched but were not delivered
    Warning,    // {"warning": {"code": "FALLING_BEHIND", ...}}
    Disconnect, // {"disconnect": {"code": N, "reason": ...}}: Twitter closes next
    Control,    // scrub_geo, status_withheld, user_withheld
    Errors,     // v2: {"errors": [...]} without "data" (e.g. operational-disconnect)
    NotJson     // invalid JSON, or JSON that is not an object
};

struct MessageInfo
{
    MessageKind kind = MessageKind::NotJson;
    bool json = false;            // valid JSON (an array is json but NotJson)
    std::uint64_t limitTrack = 0; // Limit: limit.track
    int disconnectCode = 0;       // Disconnect: disconnect.code
    std::string_view code;        // Warning: warning.code; raw string contents
    std::string_view reason;      // Disconnect: disconnect.reason; raw string contents
    std::string_view control;     // Control: the top-level key, e.g. "scrub_geo"
    bool hasData = false;         // v2: a top-level "data" (a tweet, with includes/matching_rules)
    std::string_view dataId;      // v2: data.id (raw string contents), "" when absent
    std::size_t errorOffset = 0;  // NotJson with json == false: where parsing failed
};

class StreamMessage
{
  public:
    static constexpr int MAX_DEPTH = 256;

    /// Full inspection. Views in the result point into `message`.
    static MessageInfo inspect(std::string_view message);

    static MessageKind classify(std::string_view message) { return inspect(message).kind; }

    /// True when `text` is one valid JSON value (any type), nothing after it
    /// but whitespace.
    static bool isJson(std::string_view text);

    static std::string_view kindName(MessageKind kind);
};

} // namespace birdgate
