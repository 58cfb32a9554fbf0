// The validating JSON cursor behind the plugins that edit Twitter answers in
// place (sentiment, jsonl_sink).
//
// Those plugins never parse an answer into a DOM: Twitter's ids are 64-bit
// integers that a double-based JSON library rounds, and users compare
// answers byte for byte with what Twitter sent. They walk the text with
// JsonScanner instead, which checks it against RFC 8259 (with a nesting
// limit) and tells them where each value is, and copy the original bytes
// themselves. Invalid input is a JsonError naming the byte offset, never a
// crash or a half-read answer. String contents are not checked for valid
// UTF-8: the bytes are passed through as they came.
//
// core's StreamMessage has its own, allocation-free scanner, not used here:
// plugins must not link birdgate_core, and that one only answers valid or
// not (no offsets, no positions of values) and refuses ill-formed UTF-8,
// which these plugins pass through.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace birdgate::plugins
{

// Twitter answers nest about ten levels; a limit keeps a hostile input from
// exhausting the stack of a transform-pool thread.
constexpr int MAX_JSON_DEPTH = 512;

/// "invalid JSON at byte <offset>: <what>".
class JsonError : public std::runtime_error
{
  public:
    using std::runtime_error::runtime_error;
};

class JsonScanner
{
  public:
    explicit JsonScanner(std::string_view text, std::size_t pos = 0) : _text(text), _pos(pos) {}

    std::size_t pos() const { return _pos; }
    bool atEnd() const { return _pos >= _text.size(); }

    void skipSpace();

    /// The next byte (after white space); fails at the end of the input.
    char peek();

    /// Consumes `c` (after white space) or fails.
    void expect(char c);

    /// After an element of an array or object: true at ',', false at
    /// `close` (both consumed); anything else fails.
    bool separator(char close);

    /// Fails when a container at `depth` (the top-level value is at 1)
    /// would exceed MAX_JSON_DEPTH.
    void checkDepth(int depth) const;

    /// Validates and skips the value at the cursor, which sits at `depth`.
    void skipValue(int depth);

    /// Validates the string at the cursor (which must be '"'); when `decoded`
    /// is given, appends its UTF-8 value there. A lone surrogate escape is
    /// valid JSON but not a character: it decodes as U+FFFD.
    void readString(std::string* decoded);

    [[noreturn]] void fail(const std::string& what) const;

  private:
    unsigned hex4();
    void readEscapedCodePoint(std::string* decoded);
    bool digit() const { return _pos < _text.size() && _text[_pos] >= '0' && _text[_pos] <= '9'; }
    void skipNumber();
    void literal(std::string_view word);

    std::string_view _text;
    std::size_t _pos;
};

/// One member of an object: its decoded key and where its bytes are.
struct JsonMember
{
    std::string key;
    std::size_t keyStart;   // the opening quote of the key
    std::size_t valueStart; // the first byte of the value
    std::size_t valueEnd;   // one past the value's last byte
};

/// Reads and validates the object at the cursor, at `depth`, into `members`
/// and returns the position of its closing brace (consumed). For each member
/// `onValue(member)` is called with the cursor at the value (valueEnd not yet
/// set); it returns true when it consumed the value itself, false to have it
/// skipped.
template <class OnValue>
std::size_t readMembers(JsonScanner& r, int depth, std::vector<JsonMember>& members, OnValue&& onValue)
{
    r.checkDepth(depth);
    r.expect('{');
    members.clear();
    if (r.peek() == '}')
    {
        r.expect('}');
        return r.pos() - 1;
    }
    for (;;)
    {
        if (r.peek() != '"') r.fail("expected a string key");
        JsonMember& m = members.emplace_back();
        m.keyStart = r.pos();
        r.readString(&m.key);
        r.expect(':');
        r.skipSpace();
        m.valueStart = r.pos();
        if (!onValue(static_cast<const JsonMember&>(m))) r.skipValue(depth + 1);
        m.valueEnd = r.pos();
        if (!r.separator('}')) return r.pos() - 1;
    }
}

inline std::size_t readMembers(JsonScanner& r, int depth, std::vector<JsonMember>& members)
{
    return readMembers(r, depth, members, [](const JsonMember&) { return false; });
}

} // namespace birdgate::plugins
