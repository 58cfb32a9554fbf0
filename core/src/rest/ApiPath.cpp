// API path confinement; see ApiPath.h.
#include "rest/ApiPath.h"

#include "birdgate/twitter/OAuth1.h"

namespace birdgate
{
namespace
{
bool allowed(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
           c == '~' || c == ':' || c == ',' || c == '-';
}
} // namespace

bool ApiPath::confine(std::string_view raw, std::string& out, std::string& why)
{
    out.clear();
    if (raw.empty()) return true;
    // Encoded separators would let "a%2F..%2Fb" mean something else to a
    // server that decodes again; no Twitter path needs them.
    for (size_t i = 0; i + 2 < raw.size(); ++i)
    {
        if (raw[i] != '%') continue;
        char a = raw[i + 1], b = static_cast<char>(raw[i + 2] | 0x20);
        if ((a == '2' && b == 'f') || (a == '5' && b == 'c'))
        {
            why = "encoded '/' or '\\' in the API path";
            return false;
        }
    }
    std::string decoded;
    if (!oauth1::percentDecode(raw, decoded, false))
    {
        why = "malformed percent-encoding in the API path";
        return false;
    }
    if (decoded.size() > 512)
    {
        why = "API path too long";
        return false;
    }
    size_t start = 0;
    bool first = true;
    while (start <= decoded.size())
    {
        size_t slash = decoded.find('/', start);
        if (slash == std::string::npos) slash = decoded.size();
        std::string_view seg(decoded.data() + start, slash - start);
        if (seg.empty())
        {
            why = "empty segment in the API path";
            return false;
        }
        bool onlyDots = true;
        for (unsigned char c : seg)
        {
            if (!allowed(c))
            {
                why = "character not allowed in the API path";
                return false;
            }
            if (c != '.') onlyDots = false;
        }
        if (onlyDots)
        {
            why = "'.' or '..' segment in the API path";
            return false;
        }
        // "https:" or "host:port" as the first segment would read as a scheme
        // or authority to anything that re-parses the URL.
        if (first && seg.find(':') != std::string_view::npos)
        {
            why = "scheme or host part in the API path";
            return false;
        }
        first = false;
        start = slash + 1;
        if (slash == decoded.size()) break;
    }
    out = std::move(decoded);
    return true;
}

} // namespace birdgate
