// Message framing of Twitter streams; see StreamFramer.h.
//
// The scan is memchr for the next '\n' over the incoming chunk, so the common
// case (a whole message inside one read) costs one pass and no copy; only a
// message cut by a chunk boundary is assembled in _partial.
#include "stream/StreamFramer.h"

#include <algorithm>
#include <cstring>

namespace birdgate
{

namespace
{
// Longest length line accepted: 20 digits hold any 64-bit count, plus '\r'.
// Anything longer is not a length, and must not be buffered without bound.
constexpr std::size_t MAX_PREFIX = 21;

const char* findNewline(const char* p, const char* end)
{
    return static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p)));
}

std::string_view chopCr(std::string_view line)
{
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    return line;
}

std::string printable(std::string_view text)
{
    // For error details: a bounded, control-free excerpt of what was seen.
    std::string out;
    for (char c : text.substr(0, 40)) out.push_back(static_cast<unsigned char>(c) < 0x20 || c == 0x7f ? '?' : c);
    if (text.size() > 40) out += "...";
    return out;
}
} // namespace

StreamFramer::StreamFramer(Mode mode, std::size_t maxMessage)
    : _mode(mode), _maxMessage(std::max<std::size_t>(maxMessage, 1))
{
}

void StreamFramer::setMessageCallback(MessageCallback callback)
{
    _onMessage = std::move(callback);
}

void StreamFramer::setErrorCallback(ErrorCallback callback)
{
    _onError = std::move(callback);
}

std::size_t StreamFramer::feed(const char* data, std::size_t len)
{
    _completed = 0;
    if (len == 0) return 0;
    _bytes += len;
    if (_mode == Mode::Newline)
        feedNewline(data, data + len);
    else
        feedLength(data, data + len);
    return _completed;
}

bool StreamFramer::next(std::string& msg)
{
    if (_queue.empty()) return false;
    msg = std::move(_queue.front());
    _queue.pop_front();
    return true;
}

void StreamFramer::reset()
{
    _state = State::Line;
    _remaining = 0;
    _partial.clear();
    _queue.clear();
}

std::string_view StreamFramer::errorName(Error error)
{
    switch (error)
    {
    case Error::Oversized:
        return "oversized message";
    case Error::BadLength:
        return "bad length prefix";
    }
    return "framing error";
}

void StreamFramer::feedNewline(const char* p, const char* end)
{
    while (p < end)
    {
        const char* nl = findNewline(p, end);
        if (_state == State::Discard)
        {
            if (!nl) return;
            _state = State::Line;
            p = nl + 1;
            continue;
        }
        const auto n = static_cast<std::size_t>((nl ? nl : end) - p);
        // +1: the line may still end in the '\r' of its terminator.
        if (_partial.size() + n > _maxMessage + 1)
        {
            fail(Error::Oversized, "more than " + std::to_string(_maxMessage) + " bytes without a newline");
            _partial.clear();
            if (!nl)
            {
                _state = State::Discard;
                return;
            }
            p = nl + 1;
            continue;
        }
        if (!nl)
        {
            _partial.append(p, n);
            return;
        }
        if (_partial.empty())
        {
            lineComplete(std::string_view(p, n));
        }
        else
        {
            _partial.append(p, n);
            lineComplete(_partial);
            _partial.clear();
        }
        p = nl + 1;
    }
}

void StreamFramer::lineComplete(std::string_view line)
{
    line = chopCr(line);
    if (line.empty())
        ++_keepAlives;
    else if (line.size() > _maxMessage)
        fail(Error::Oversized, std::to_string(line.size()) + " bytes");
    else
        emit(line);
}

void StreamFramer::feedLength(const char* p, const char* end)
{
    while (p < end)
    {
        switch (_state)
        {
        case State::Discard: {
            const char* nl = findNewline(p, end);
            if (!nl) return;
            _state = State::Line;
            p = nl + 1;
            break;
        }
        case State::Line: {
            const char* nl = findNewline(p, end);
            const auto n = static_cast<std::size_t>((nl ? nl : end) - p);
            if (_partial.size() + n > MAX_PREFIX)
            {
                _partial.append(p, std::min(n, MAX_PREFIX));
                fail(Error::BadLength, "'" + printable(_partial) + "' is not a length");
                _partial.clear();
                if (!nl)
                {
                    _state = State::Discard;
                    return;
                }
                p = nl + 1;
                break;
            }
            if (!nl)
            {
                _partial.append(p, n);
                return;
            }
            if (_partial.empty())
            {
                lengthLine(std::string_view(p, n));
            }
            else
            {
                _partial.append(p, n);
                const std::string line = std::move(_partial);
                _partial.clear();
                lengthLine(line);
            }
            p = nl + 1;
            break;
        }
        case State::Body: {
            const auto avail = static_cast<std::size_t>(end - p);
            if (_partial.empty() && avail >= _remaining)
            {
                const std::string_view body(p, _remaining);
                p += _remaining;
                _remaining = 0;
                bodyComplete(body);
                break;
            }
            const auto take = std::min(avail, _remaining);
            _partial.append(p, take);
            p += take;
            _remaining -= take;
            if (_remaining == 0)
            {
                bodyComplete(_partial);
                _partial.clear();
            }
            break;
        }
        }
    }
}

void StreamFramer::lengthLine(std::string_view line)
{
    line = chopCr(line);
    if (line.empty())
    {
        ++_keepAlives;
        return;
    }
    std::uint64_t length = 0;
    bool digits = line.size() <= 19; // 19 digits cannot overflow 64 bits
    for (char c : line)
    {
        if (c < '0' || c > '9')
        {
            digits = false;
            break;
        }
        length = length * 10 + static_cast<unsigned>(c - '0');
    }
    if (!digits || length == 0)
    {
        // The line is consumed through its newline: framing resumes there.
        fail(Error::BadLength, "'" + printable(line) + "' is not a length");
        return;
    }
    // +2: Twitter's count includes the message's trailing "\r\n".
    if (length > _maxMessage + 2)
    {
        fail(Error::Oversized, "announced length " + std::to_string(length));
        _state = State::Discard;
        return;
    }
    _remaining = static_cast<std::size_t>(length);
    _state = State::Body;
}

void StreamFramer::bodyComplete(std::string_view body)
{
    _state = State::Line;
    if (!body.empty() && body.back() == '\n') body.remove_suffix(1);
    body = chopCr(body);
    if (body.empty())
        ++_keepAlives;
    else if (body.size() > _maxMessage)
        fail(Error::Oversized, std::to_string(body.size()) + " bytes");
    else
        emit(body);
}

void StreamFramer::emit(std::string_view message)
{
    ++_messages;
    ++_completed;
    if (_onMessage)
        _onMessage(message);
    else
        _queue.emplace_back(message);
}

void StreamFramer::fail(Error error, std::string detail)
{
    ++_errors;
    _lastError = std::string(errorName(error)) + ": " + detail;
    if (_onError) _onError(error, _lastError);
}

} // namespace birdgate
