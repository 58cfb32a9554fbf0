// Cuts the byte stream of a Twitter streaming connection into messages
// (DESIGN.md 5).
//
// The connection delivers chunks split at arbitrary bytes (HTTP chunking and
// socket reads know nothing of messages), several messages per chunk, and
// "\r\n" keep-alive blank lines whenever Twitter has nothing to say. Two
// framings exist:
//
//   Mode::Newline   each message ends at "\r\n" (a bare "\n" is accepted too)
//   Mode::Length    `delimited=length`: each message is preceded by its byte
//                   length and "\r\n"; keep-alive blank lines may come before
//                   any length. Twitter's count includes the message's own
//                   trailing "\r\n"; a count without it also works, the
//                   "\r\n" then reads as a keep-alive.
//
// Memory is bounded: a message longer than maxMessage, or a length prefix that
// is not a number, is reported through the error callback and skipped up to
// the next newline, where framing resumes (JSON from Twitter never holds a
// raw newline, so the next newline ends the bad message).
//
// Complete messages go to the message callback as a string_view (valid only
// during the call; zero-copy when the message lies whole in one chunk), or,
// without a callback, are queued for next(). Messages never include their
// terminator. A framer belongs to one connection thread: not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <string_view>

namespace birdgate
{

class StreamFramer
{
  public:
    enum class Mode
    {
        Newline,
        Length
    };

    enum class Error
    {
        Oversized, // message (or announced length) above maxMessage
        BadLength  // a length prefix that is not a decimal number
    };

    using MessageCallback = std::function<void(std::string_view message)>;
    using ErrorCallback = std::function<void(Error error, std::string_view detail)>;

    static constexpr std::size_t DEFAULT_MAX_MESSAGE = 16 * 1024 * 1024;

    explicit StreamFramer(Mode mode = Mode::Newline, std::size_t maxMessage = DEFAULT_MAX_MESSAGE);

    /// Without a message callback, messages are queued for next().
    /// The callback must not call feed() or reset() of this framer.
    void setMessageCallback(MessageCallback callback);
    void setErrorCallback(ErrorCallback callback);

    /// Consumes `len` bytes of the stream; returns the number of messages
    /// completed by them.
    std::size_t feed(const char* data, std::size_t len);
    std::size_t feed(std::string_view data) { return feed(data.data(), data.size()); }

    /// Pops the oldest queued message into `msg`; false when none is queued.
    bool next(std::string& msg);

    /// Forgets the partial message and queue: a new connection starts clean.
    void reset();

    Mode mode() const { return _mode; }
    std::size_t maxMessage() const { return _maxMessage; }

    /// Bytes held for an incomplete message (or length prefix).
    std::size_t buffered() const { return _partial.size(); }
    std::size_t queued() const { return _queue.size(); }

    std::uint64_t messages() const { return _messages; }
    std::uint64_t keepAlives() const { return _keepAlives; }
    std::uint64_t errors() const { return _errors; }
    std::uint64_t bytes() const { return _bytes; }
    const std::string& lastError() const { return _lastError; }

    static std::string_view errorName(Error error);

  private:
    void feedNewline(const char* p, const char* end);
    void feedLength(const char* p, const char* end);
    void lineComplete(std::string_view line); // a full line of Newline mode
    void lengthLine(std::string_view line);   // a full prefix line of Length mode
    void bodyComplete(std::string_view body);
    void emit(std::string_view message);
    void fail(Error error, std::string detail);

    enum class State
    {
        Line,   // Newline mode: in a message; Length mode: in a length prefix
        Body,   // Length mode: reading _remaining bytes of a message
        Discard // skipping to the next newline after an error
    };

    Mode _mode;
    std::size_t _maxMessage;
    State _state = State::Line;
    std::size_t _remaining = 0;
    std::string _partial;
    std::deque<std::string> _queue;
    MessageCallback _onMessage;
    ErrorCallback _onError;
    std::size_t _completed = 0;
    std::uint64_t _messages = 0;
    std::uint64_t _keepAlives = 0;
    std::uint64_t _errors = 0;
    std::uint64_t _bytes = 0;
    std::string _lastError;
};

} // namespace birdgate
