// Fuzzes ApiPath::confine, the check that keeps signed requests under the
// configured endpoint (DESIGN.md 3.1). The input is the raw API path as a
// client sends it (percent-encoded, no query).
//
// Properties of an accepted path: only [A-Za-z0-9_.~:,/-] bytes; no empty,
// "." or ".." segment (so no leading, trailing or doubled '/'); no ':' in the
// first segment; at most 512 bytes; confining it again accepts it unchanged
// (it needs no re-encoding). A refusal always says why.
#include "FuzzCheck.h"

#include "rest/ApiPath.h"

#include <cstddef>
#include <cstdint>
#include <string>

using namespace birdgate;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const std::string_view raw = fuzz::bytes(data, size);
    std::string out = "stale";
    std::string why;
    if (!ApiPath::confine(raw, out, why))
    {
        FUZZ_CHECK(!why.empty(), "refused " + fuzz::printable(raw) + " without a reason");
        return 0;
    }
    const std::string shown = fuzz::printable(raw) + " -> " + fuzz::printable(out);
    if (raw.empty())
    {
        FUZZ_CHECK(out.empty(), shown);
        return 0;
    }
    FUZZ_CHECK(!out.empty() && out.size() <= 512, shown);
    for (unsigned char c : out)
    {
        const bool allowed = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
                             c == '.' || c == '~' || c == ':' || c == ',' || c == '/' || c == '-';
        FUZZ_CHECK(allowed, "a byte outside [A-Za-z0-9_.~:,/-] in " + shown);
    }
    size_t start = 0;
    bool first = true;
    while (true)
    {
        const size_t slash = out.find('/', start);
        const std::string_view segment =
            std::string_view(out).substr(start, slash == std::string::npos ? std::string::npos : slash - start);
        FUZZ_CHECK(!segment.empty(), "an empty segment in " + shown);
        FUZZ_CHECK(segment != "." && segment != "..", "a dot segment in " + shown);
        FUZZ_CHECK(segment.find_first_not_of('.') != std::string_view::npos, "an all-dots segment in " + shown);
        FUZZ_CHECK(!first || segment.find(':') == std::string_view::npos, "a scheme or host part in " + shown);
        first = false;
        if (slash == std::string::npos) break;
        start = slash + 1;
    }
    std::string again;
    FUZZ_CHECK(ApiPath::confine(out, again, why) && again == out, "not idempotent: " + shown + " -> " + why);
    return 0;
}
