// The validating scanner behind StreamMessage; see StreamMessage.h.
//
// A recursive-descent walk over the bytes, bounded by MAX_DEPTH. The hot
// loop is the inside of strings (tweet text, URLs, user descriptions), which
// skips plain ASCII through a 256-entry class table and only slows down for
// quotes, escapes, control bytes and multi-byte UTF-8.
#include "birdgate/stream/StreamMessage.h"

#include <algorithm>
#include <array>

namespace birdgate
{

namespace
{

enum CharClass : unsigned char
{
    PLAIN = 0,
    QUOTE,
    BACKSLASH,
    CONTROL,  // raw 0x00-0x1F: not allowed in JSON strings
    NON_ASCII // lead (or stray continuation) byte of UTF-8
};

constexpr std::array<unsigned char, 256> makeStringTable()
{
    std::array<unsigned char, 256> table{};
    for (int c = 0; c < 256; ++c)
    {
        if (c < 0x20)
            table[c] = CONTROL;
        else if (c == '"')
            table[c] = QUOTE;
        else if (c == '\\')
            table[c] = BACKSLASH;
        else if (c >= 0x80)
            table[c] = NON_ASCII;
        else
            table[c] = PLAIN;
    }
    return table;
}

constexpr std::array<unsigned char, 256> STRING_CLASS = makeStringTable();

bool isHex(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

bool isDigit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

// Which second-level fields matter, by the top-level key they sit under.
enum class Context
{
    Other,
    Top,
    Limit,
    Warning,
    Disconnect,
    Data
};

class Scanner
{
  public:
    explicit Scanner(std::string_view text)
        : _begin(reinterpret_cast<const unsigned char*>(text.data())), _p(_begin), _end(_begin + text.size())
    {
    }

    // One value, then only whitespace.
    bool document(bool& isObject)
    {
        skipSpace();
        isObject = _p < _end && *_p == '{';
        std::string_view scalar;
        if (!value(0, isObject ? Context::Top : Context::Other, scalar)) return false;
        skipSpace();
        return _p == _end;
    }

    std::size_t offset() const { return static_cast<std::size_t>(_p - _begin); }

    bool hasIdStr = false;
    bool hasText = false;
    bool hasDelete = false;
    bool hasLimit = false;
    bool hasWarning = false;
    bool hasDisconnect = false;
    bool hasData = false;
    bool hasErrors = false;
    std::string_view dataId;
    std::string_view control;
    std::string_view limitTrack;
    std::string_view warningCode;
    std::string_view disconnectCode;
    std::string_view disconnectReason;

  private:
    void skipSpace()
    {
        while (_p < _end && (*_p == ' ' || *_p == '\n' || *_p == '\r' || *_p == '\t')) ++_p;
    }

    // `scalar` receives the raw text of a string (without quotes) or number,
    // for the few fields that are reported.
    bool value(int depth, Context context, std::string_view& scalar)
    {
        if (_p >= _end) return false;
        switch (*_p)
        {
        case '{':
            return object(depth + 1, context);
        case '[':
            return array(depth + 1);
        case '"':
            return string(scalar);
        case 't':
            return literal("true", 4);
        case 'f':
            return literal("false", 5);
        case 'n':
            return literal("null", 4);
        default:
            return number(scalar);
        }
    }

    bool object(int depth, Context context)
    {
        if (depth > StreamMessage::MAX_DEPTH) return false;
        ++_p; // '{'
        skipSpace();
        if (_p < _end && *_p == '}')
        {
            ++_p;
            return true;
        }
        while (true)
        {
            skipSpace();
            if (_p >= _end || *_p != '"') return false;
            std::string_view key;
            if (!string(key)) return false;
            skipSpace();
            if (_p >= _end || *_p != ':') return false;
            ++_p;
            skipSpace();
            const Context child = (context == Context::Top) ? topKey(key) : Context::Other;
            std::string_view scalar;
            if (!value(depth, child, scalar)) return false;
            if (context != Context::Other && context != Context::Top) field(context, key, scalar);
            skipSpace();
            if (_p >= _end) return false;
            if (*_p == ',')
            {
                ++_p;
                continue;
            }
            if (*_p == '}')
            {
                ++_p;
                return true;
            }
            return false;
        }
    }

    Context topKey(std::string_view key)
    {
        if (key == "id_str")
            hasIdStr = true;
        else if (key == "text")
            hasText = true;
        else if (key == "delete")
            hasDelete = true;
        else if (key == "limit")
        {
            hasLimit = true;
            return Context::Limit;
        }
        else if (key == "warning")
        {
            hasWarning = true;
            return Context::Warning;
        }
        else if (key == "disconnect")
        {
            hasDisconnect = true;
            return Context::Disconnect;
        }
        else if (key == "data")
        {
            hasData = true;
            return Context::Data;
        }
        else if (key == "errors")
            hasErrors = true;
        else if (control.empty() && (key == "scrub_geo" || key == "status_withheld" || key == "user_withheld"))
            control = key;
        return Context::Other;
    }

    void field(Context context, std::string_view key, std::string_view scalar)
    {
        if (context == Context::Limit && key == "track")
            limitTrack = scalar;
        else if (context == Context::Warning && key == "code")
            warningCode = scalar;
        else if (context == Context::Disconnect && key == "code")
            disconnectCode = scalar;
        else if (context == Context::Disconnect && key == "reason")
            disconnectReason = scalar;
        else if (context == Context::Data && key == "id")
            dataId = scalar;
    }

    bool array(int depth)
    {
        if (depth > StreamMessage::MAX_DEPTH) return false;
        ++_p; // '['
        skipSpace();
        if (_p < _end && *_p == ']')
        {
            ++_p;
            return true;
        }
        while (true)
        {
            skipSpace();
            std::string_view scalar;
            if (!value(depth, Context::Other, scalar)) return false;
            skipSpace();
            if (_p >= _end) return false;
            if (*_p == ',')
            {
                ++_p;
                continue;
            }
            if (*_p == ']')
            {
                ++_p;
                return true;
            }
            return false;
        }
    }

    bool string(std::string_view& raw)
    {
        ++_p; // opening quote
        const unsigned char* start = _p;
        while (true)
        {
            while (_p < _end && STRING_CLASS[*_p] == PLAIN) ++_p;
            if (_p >= _end) return false;
            switch (STRING_CLASS[*_p])
            {
            case QUOTE:
                raw = std::string_view(reinterpret_cast<const char*>(start), static_cast<std::size_t>(_p - start));
                ++_p;
                return true;
            case BACKSLASH:
                if (!escape()) return false;
                break;
            case NON_ASCII:
                if (!utf8()) return false;
                break;
            default: // raw control byte
                return false;
            }
        }
    }

    bool escape()
    {
        ++_p; // backslash
        if (_p >= _end) return false;
        switch (*_p)
        {
        case '"':
        case '\\':
        case '/':
        case 'b':
        case 'f':
        case 'n':
        case 'r':
        case 't':
            ++_p;
            return true;
        case 'u':
            if (_end - _p < 5 || !isHex(_p[1]) || !isHex(_p[2]) || !isHex(_p[3]) || !isHex(_p[4])) return false;
            _p += 5;
            return true;
        default:
            return false;
        }
    }

    // One well-formed UTF-8 sequence (no overlongs, no surrogates, <= U+10FFFF).
    bool utf8()
    {
        const unsigned char c = *_p;
        auto cont = [this](std::ptrdiff_t i, unsigned char lo = 0x80, unsigned char hi = 0xBF) {
            return _end - _p > i && _p[i] >= lo && _p[i] <= hi;
        };
        if (c >= 0xC2 && c <= 0xDF)
        {
            if (!cont(1)) return false;
            _p += 2;
            return true;
        }
        if (c >= 0xE0 && c <= 0xEF)
        {
            const unsigned char lo = (c == 0xE0) ? 0xA0 : 0x80;
            const unsigned char hi = (c == 0xED) ? 0x9F : 0xBF;
            if (!cont(1, lo, hi) || !cont(2)) return false;
            _p += 3;
            return true;
        }
        if (c >= 0xF0 && c <= 0xF4)
        {
            const unsigned char lo = (c == 0xF0) ? 0x90 : 0x80;
            const unsigned char hi = (c == 0xF4) ? 0x8F : 0xBF;
            if (!cont(1, lo, hi) || !cont(2) || !cont(3)) return false;
            _p += 4;
            return true;
        }
        return false;
    }

    bool number(std::string_view& raw)
    {
        const unsigned char* start = _p;
        if (_p < _end && *_p == '-') ++_p;
        if (_p >= _end) return false;
        if (*_p == '0')
            ++_p;
        else if (*_p >= '1' && *_p <= '9')
            while (_p < _end && isDigit(*_p)) ++_p;
        else
            return false;
        if (_p < _end && *_p == '.')
        {
            ++_p;
            if (_p >= _end || !isDigit(*_p)) return false;
            while (_p < _end && isDigit(*_p)) ++_p;
        }
        if (_p < _end && (*_p == 'e' || *_p == 'E'))
        {
            ++_p;
            if (_p < _end && (*_p == '+' || *_p == '-')) ++_p;
            if (_p >= _end || !isDigit(*_p)) return false;
            while (_p < _end && isDigit(*_p)) ++_p;
        }
        raw = std::string_view(reinterpret_cast<const char*>(start), static_cast<std::size_t>(_p - start));
        return true;
    }

    bool literal(const char* word, std::size_t len)
    {
        if (static_cast<std::size_t>(_end - _p) < len) return false;
        for (std::size_t i = 0; i < len; ++i)
            if (_p[i] != static_cast<unsigned char>(word[i])) return false;
        _p += len;
        return true;
    }

    const unsigned char* _begin;
    const unsigned char* _p;
    const unsigned char* _end;
};

// Digits only (Twitter sends plain integers); anything else, or overflow, is 0.
std::uint64_t toUnsigned(std::string_view digits)
{
    if (digits.empty() || digits.size() > 19) return 0;
    std::uint64_t n = 0;
    for (char c : digits)
    {
        if (c < '0' || c > '9') return 0;
        n = n * 10 + static_cast<unsigned>(c - '0');
    }
    return n;
}

} // namespace

MessageInfo StreamMessage::inspect(std::string_view message)
{
    MessageInfo info;
    Scanner scanner(message);
    bool isObject = false;
    if (!scanner.document(isObject))
    {
        info.errorOffset = scanner.offset();
        return info;
    }
    info.json = true;
    if (!isObject) return info; // Twitter sends only objects: an array or scalar is no message

    info.hasData = scanner.hasData;
    info.dataId = scanner.dataId;
    if (scanner.hasIdStr || scanner.hasText || scanner.hasData)
        info.kind = MessageKind::Tweet;
    else if (scanner.hasErrors)
        info.kind = MessageKind::Errors;
    else if (scanner.hasDelete)
        info.kind = MessageKind::Delete;
    else if (scanner.hasLimit)
    {
        info.kind = MessageKind::Limit;
        info.limitTrack = toUnsigned(scanner.limitTrack);
    }
    else if (scanner.hasWarning)
    {
        info.kind = MessageKind::Warning;
        info.code = scanner.warningCode;
    }
    else if (scanner.hasDisconnect)
    {
        info.kind = MessageKind::Disconnect;
        info.disconnectCode = static_cast<int>(std::min<std::uint64_t>(toUnsigned(scanner.disconnectCode), 1'000'000));
        info.reason = scanner.disconnectReason;
    }
    else if (!scanner.control.empty())
    {
        info.kind = MessageKind::Control;
        info.control = scanner.control;
    }
    else
        info.kind = MessageKind::Tweet;
    return info;
}

bool StreamMessage::isJson(std::string_view text)
{
    Scanner scanner(text);
    bool isObject = false;
    return scanner.document(isObject);
}

std::string_view StreamMessage::kindName(MessageKind kind)
{
    switch (kind)
    {
    case MessageKind::Tweet:
        return "tweet";
    case MessageKind::Delete:
        return "delete";
    case MessageKind::Limit:
        return "limit";
    case MessageKind::Warning:
        return "warning";
    case MessageKind::Disconnect:
        return "disconnect";
    case MessageKind::Control:
        return "control";
    case MessageKind::Errors:
        return "errors";
    case MessageKind::NotJson:
        return "not-json";
    }
    return "unknown";
}

} // namespace birdgate
