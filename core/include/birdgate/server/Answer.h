// What an Endpoint answers, independent of the HTTP library that sends it.
//
// Two ways to answer:
//   - buffered: set the status, headers and `body`, and return from serve();
//     the server adds Content-Length (HEAD: headers only) and sends it;
//   - streamed, for answers too large to hold (files, upstream answers passed
//     through) or endless (the sandbox's stream): begin() sends the status
//     and headers, write() each piece as it comes, finish() ends the body.
//     write() returns false once the client is gone or has not read within
//     app.send_timeout: stop producing then.
// abort() drops the connection without ending the answer (a client sees a
// truncated body, as when an upstream breaks mid-answer).
#pragma once

#include "birdgate/common/Task.h"
#include "birdgate/server/HeaderField.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace birdgate
{

class Answer
{
  public:
    virtual ~Answer() = default;

    /// `reason` empty: the standard phrase for `status`.
    void setStatus(int status, std::string reason = {});
    int status() const { return _status; }
    const std::string& reason() const { return _reason; }

    /// Replaces every field named `name` (case-insensitive) by one.
    void set(std::string name, std::string value);
    void add(std::string name, std::string value);
    void erase(std::string_view name);
    /// First value of `name`, or nullptr.
    const std::string* find(std::string_view name) const { return findHeader(_headers, name); }
    const HeaderFields& headers() const { return _headers; }

    /// Buffered answer: status, Content-Type and body at once.
    void send(int status, std::string contentType, std::string body, std::string reason = {});

    std::string body; // the buffered body

    /// Close the connection after this answer (Connection: close).
    void closeAfter() { _close = true; }
    bool closing() const { return _close; }

    /// True for a HEAD request: the server sends headers only (buffered or streamed).
    bool head() const { return _head; }

    // ------------------------------------------------------------ streamed
    /// Sends status line and headers. `length`: the exact body length
    /// (Content-Length); nullopt: chunked (HTTP/1.1) or until close (1.0).
    /// False when the client is gone.
    virtual Task<bool> begin(std::optional<std::uint64_t> length) = 0;
    /// Sends one piece of the body; false when the client is gone or too slow.
    virtual Task<bool> write(std::string_view bytes) = 0;
    /// Ends the body (the last chunk when chunked).
    virtual Task<bool> finish() = 0;
    /// Drops the connection now; nothing more is sent.
    virtual void abort() = 0;
    /// True once begin() was called.
    bool begun() const { return _begun; }

    /// The standard reason phrase of `status` ("" for an unknown one).
    static std::string_view standardReason(int status);

  protected:
    int _status = 200;
    std::string _reason = "OK";
    HeaderFields _headers;
    bool _close = false;
    bool _head = false;
    bool _begun = false;
};

} // namespace birdgate
