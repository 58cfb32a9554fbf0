// The session codec; see SessionCodec.h for the format and why it is ours.
#include "session/SessionCodec.h"

#include <cstddef>

namespace birdgate
{

namespace
{

void appendJsonString(std::string& out, const std::string& text)
{
    static constexpr char HEX[] = "0123456789abcdef";
    out += '"';
    for (const char c : text)
    {
        const auto u = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\')
        {
            out += '\\';
            out += c;
        }
        else if (u < 0x20 || u == 0x7f)
        {
            out += "\\u00";
            out += HEX[u >> 4];
            out += HEX[u & 15];
        }
        else
        {
            out += c;
        }
    }
    out += '"';
}

class JsonReader
{
  public:
    explicit JsonReader(std::string_view text) : _text(text) {}

    // Reads {"name":"value",...} and nothing else (bar whitespace).
    std::optional<std::map<std::string, std::string>> readObject()
    {
        std::map<std::string, std::string> data;
        skipSpace();
        if (!consume('{')) return std::nullopt;
        skipSpace();
        if (!consume('}'))
        {
            for (;;)
            {
                std::string name, value;
                skipSpace();
                if (!readString(name)) return std::nullopt;
                skipSpace();
                if (!consume(':')) return std::nullopt;
                skipSpace();
                if (!readString(value)) return std::nullopt;
                data[std::move(name)] = std::move(value);
                skipSpace();
                if (consume('}')) break;
                if (!consume(',')) return std::nullopt;
            }
        }
        skipSpace();
        if (_pos != _text.size()) return std::nullopt;
        return data;
    }

  private:
    void skipSpace()
    {
        while (_pos < _text.size() &&
               (_text[_pos] == ' ' || _text[_pos] == '\t' || _text[_pos] == '\n' || _text[_pos] == '\r'))
            ++_pos;
    }

    bool consume(char c)
    {
        if (_pos < _text.size() && _text[_pos] == c)
        {
            ++_pos;
            return true;
        }
        return false;
    }

    bool readHex4(unsigned& out)
    {
        if (_text.size() - _pos < 4) return false;
        out = 0;
        for (int i = 0; i < 4; ++i)
        {
            const char c = _text[_pos++];
            out <<= 4;
            if (c >= '0' && c <= '9')
                out |= static_cast<unsigned>(c - '0');
            else if (c >= 'a' && c <= 'f')
                out |= static_cast<unsigned>(c - 'a' + 10);
            else if (c >= 'A' && c <= 'F')
                out |= static_cast<unsigned>(c - 'A' + 10);
            else
                return false;
        }
        return true;
    }

    static void appendUtf8(std::string& out, unsigned cp)
    {
        if (cp < 0x80)
            out += static_cast<char>(cp);
        else if (cp < 0x800)
        {
            out += static_cast<char>(0xc0 | (cp >> 6));
            out += static_cast<char>(0x80 | (cp & 0x3f));
        }
        else if (cp < 0x10000)
        {
            out += static_cast<char>(0xe0 | (cp >> 12));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
            out += static_cast<char>(0x80 | (cp & 0x3f));
        }
        else
        {
            out += static_cast<char>(0xf0 | (cp >> 18));
            out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
            out += static_cast<char>(0x80 | (cp & 0x3f));
        }
    }

    bool readString(std::string& out)
    {
        if (!consume('"')) return false;
        while (_pos < _text.size())
        {
            const char c = _text[_pos++];
            if (c == '"') return true;
            if (c != '\\')
            {
                out += c;
                continue;
            }
            if (_pos >= _text.size()) return false;
            const char e = _text[_pos++];
            switch (e)
            {
            case '"':
                out += '"';
                break;
            case '\\':
                out += '\\';
                break;
            case '/':
                out += '/';
                break;
            case 'b':
                out += '\b';
                break;
            case 'f':
                out += '\f';
                break;
            case 'n':
                out += '\n';
                break;
            case 'r':
                out += '\r';
                break;
            case 't':
                out += '\t';
                break;
            case 'u': {
                unsigned cp = 0;
                if (!readHex4(cp)) return false;
                if (cp >= 0xd800 && cp < 0xdc00)
                {
                    unsigned low = 0;
                    if (!consume('\\') || !consume('u') || !readHex4(low) || low < 0xdc00 || low >= 0xe000)
                        return false;
                    cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
                }
                else if (cp >= 0xdc00 && cp < 0xe000)
                {
                    return false;
                }
                appendUtf8(out, cp);
                break;
            }
            default:
                return false;
            }
        }
        return false; // unterminated
    }

    std::string_view _text;
    std::size_t _pos = 0;
};

} // namespace

std::string SessionCodec::encode(const std::map<std::string, std::string>& data)
{
    std::string out = "{";
    for (const auto& [name, value] : data)
    {
        if (out.size() > 1) out += ',';
        appendJsonString(out, name);
        out += ':';
        appendJsonString(out, value);
    }
    out += '}';
    return out;
}

std::optional<std::map<std::string, std::string>> SessionCodec::decode(std::string_view json)
{
    return JsonReader(json).readObject();
}

} // namespace birdgate
