// ChunkedDecoder: the incremental decoder of a chunked request body
// (RFC 9112 7.1), fed whatever bytes the socket gave, so a body is decoded
// without a copy of the raw stream and a connection can also discard one.
//
// Strict for the same reason as RequestHead (no smuggling): chunk sizes are
// 1 to 16 hex digits with nothing before them, an extension is ';' and
// visible bytes, every line ends in CRLF exactly, the data is followed by
// CRLF, trailer fields are checked for control bytes and dropped.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace birdgate
{

class ChunkedDecoder
{
  public:
    enum class Result
    {
        NeedMore, // every byte given was consumed; the body goes on
        Done,     // the body ended; `consumed` stops right after it
        Error     // malformed: error() says why
    };

    /// Decodes from `in`: sets `consumed` to the bytes used and appends the
    /// body's data to `*out` (nullptr: counts it only, to discard a body).
    Result feed(std::string_view in, std::size_t& consumed, std::string* out);

    /// Body bytes decoded so far.
    std::uint64_t bodyBytes() const { return _bodyBytes; }
    std::string_view error() const { return _error; }
    void reset() { *this = ChunkedDecoder(); }

  private:
    enum class State
    {
        Size,
        Extension,
        SizeLF,
        Data,
        DataCR,
        DataLF,
        TrailerStart,
        Trailer,
        TrailerLF,
        FinalLF,
        Done,
        Error
    };
    Result fail(std::string_view why);

    State _state = State::Size;
    std::uint64_t _chunk = 0; // size being read, then bytes left of it
    unsigned _digits = 0;
    std::size_t _lineBytes = 0; // of the current size line or trailer section
    std::uint64_t _bodyBytes = 0;
    std::string_view _error;
};

} // namespace birdgate
