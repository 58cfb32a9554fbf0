// RequestId; see RequestId.h.
#include "ops/RequestId.h"

#include "birdgate/common/Random.h"

namespace birdgate
{

bool RequestId::sane(std::string_view id)
{
    if (id.empty() || id.size() > MAX_LENGTH) return false;
    for (unsigned char c : id)
    {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                        c == '_' || c == '.' || c == ':' || c == '+' || c == '/' || c == '=' || c == '@';
        if (!ok) return false;
    }
    return true;
}

std::string RequestId::accept(std::string_view offered)
{
    if (sane(offered)) return std::string(offered);
    return generate();
}

std::string RequestId::generate()
{
    static const char hex[] = "0123456789abcdef";
    unsigned char bytes[16];
    randomBytes(bytes, sizeof bytes);
    std::string out(32, '0');
    for (std::size_t i = 0; i < sizeof bytes; ++i)
    {
        out[2 * i] = hex[bytes[i] >> 4];
        out[2 * i + 1] = hex[bytes[i] & 15];
    }
    return out;
}

} // namespace birdgate
