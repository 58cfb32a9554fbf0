// ChunkedDecoder; see ChunkedDecoder.h. A byte-at-a-time state machine,
// except for chunk data, which is copied in one piece.
#include "server/ChunkedDecoder.h"

#include <algorithm>

namespace birdgate
{
namespace
{
constexpr std::size_t MAX_SIZE_LINE = 1024; // size + extensions
constexpr std::size_t MAX_TRAILER = 16384;  // all trailer fields

int hexValue(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

bool isFieldByte(unsigned char c)
{
    return c == '\t' || (c >= 0x20 && c != 0x7f);
}
} // namespace

ChunkedDecoder::Result ChunkedDecoder::fail(std::string_view why)
{
    _state = State::Error;
    _error = why;
    return Result::Error;
}

ChunkedDecoder::Result ChunkedDecoder::feed(std::string_view in, std::size_t& consumed, std::string* out)
{
    std::size_t i = 0;
    consumed = 0;
    if (_state == State::Error) return Result::Error;
    while (i < in.size() && _state != State::Done)
    {
        const char c = in[i];
        switch (_state)
        {
        case State::Size:
            if (const int v = hexValue(c); v >= 0)
            {
                if (++_digits > 16) return fail("chunk size too long");
                _chunk = _chunk * 16 + static_cast<std::uint64_t>(v);
            }
            else if (_digits == 0)
                return fail("bad chunk size");
            else if (c == ';')
                _state = State::Extension;
            else if (c == '\r')
                _state = State::SizeLF;
            else
                return fail("bad chunk size");
            if (++_lineBytes > MAX_SIZE_LINE) return fail("chunk size line too long");
            ++i;
            break;
        case State::Extension:
            if (c == '\r')
                _state = State::SizeLF;
            else if (!isFieldByte(static_cast<unsigned char>(c)))
                return fail("control byte in a chunk extension");
            if (++_lineBytes > MAX_SIZE_LINE) return fail("chunk size line too long");
            ++i;
            break;
        case State::SizeLF:
            if (c != '\n') return fail("bare CR in a chunk size line");
            ++i;
            _lineBytes = 0;
            _digits = 0;
            _state = _chunk == 0 ? State::TrailerStart : State::Data;
            break;
        case State::Data: {
            const std::size_t take =
                static_cast<std::size_t>(std::min<std::uint64_t>(_chunk, static_cast<std::uint64_t>(in.size() - i)));
            if (out) out->append(in.data() + i, take);
            i += take;
            _chunk -= take;
            _bodyBytes += take;
            if (_chunk == 0) _state = State::DataCR;
            break;
        }
        case State::DataCR:
            if (c != '\r') return fail("chunk data longer than its size");
            ++i;
            _state = State::DataLF;
            break;
        case State::DataLF:
            if (c != '\n') return fail("bare CR after chunk data");
            ++i;
            _state = State::Size;
            break;
        case State::TrailerStart:
            if (c == '\r')
                _state = State::FinalLF;
            else if (c == ' ' || c == '\t')
                return fail("obs-fold in a trailer");
            else if (!isFieldByte(static_cast<unsigned char>(c)))
                return fail("control byte in a trailer");
            else
                _state = State::Trailer;
            if (++_lineBytes > MAX_TRAILER) return fail("trailer too long");
            ++i;
            break;
        case State::Trailer:
            if (c == '\r')
                _state = State::TrailerLF;
            else if (!isFieldByte(static_cast<unsigned char>(c)))
                return fail("control byte in a trailer");
            if (++_lineBytes > MAX_TRAILER) return fail("trailer too long");
            ++i;
            break;
        case State::TrailerLF:
            if (c != '\n') return fail("bare CR in a trailer");
            ++i;
            _state = State::TrailerStart;
            break;
        case State::FinalLF:
            if (c != '\n') return fail("bare CR at the end of a chunked body");
            ++i;
            _state = State::Done;
            break;
        case State::Done:
        case State::Error:
            break;
        }
    }
    consumed = i;
    return _state == State::Done ? Result::Done : Result::NeedMore;
}

} // namespace birdgate
