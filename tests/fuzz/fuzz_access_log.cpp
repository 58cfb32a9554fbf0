// Fuzzes AccessLog::redact, which turns every request target (as the client
// sent it) into the text of an access log line.
//
// Properties: the output holds no raw control byte (so a request cannot forge
// or split a log line) and no '"' (the target is written between quotes);
// every '\' in it starts a \xHH escape (so the escaping is unambiguous); the
// part before '?' is the input's, escaped; and the query keeps its pairs:
// as many '&'-separated pairs as the input had.
#include "FuzzCheck.h"

#include "birdgate/ops/AccessLog.h"

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <string>

using namespace birdgate;

namespace
{
bool isHex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const std::string_view uri = fuzz::bytes(data, size);
    const std::string out = AccessLog::redact(uri);
    const std::string shown = fuzz::printable(uri) + " -> " + fuzz::printable(out);

    for (size_t i = 0; i < out.size(); ++i)
    {
        const auto c = static_cast<unsigned char>(out[i]);
        FUZZ_CHECK(c >= 0x20 && c != 0x7f, "a raw control byte at " + std::to_string(i) + ": " + shown);
        FUZZ_CHECK(c != '"', "a raw '\"' at " + std::to_string(i) + ": " + shown);
        if (c == '\\')
        {
            FUZZ_CHECK(i + 3 < out.size() && out[i + 1] == 'x' && isHex(out[i + 2]) && isHex(out[i + 3]),
                       "a '\\' that is not a \\xHH escape at " + std::to_string(i) + ": " + shown);
            i += 3;
        }
    }

    const size_t q = uri.find('?');
    const size_t outQ = out.find('?');
    FUZZ_CHECK((q == std::string_view::npos) == (outQ == std::string::npos), "the '?' moved: " + shown);
    if (q != std::string_view::npos)
    {
        const auto pairs = [](std::string_view query) { return std::count(query.begin(), query.end(), '&'); };
        FUZZ_CHECK(pairs(uri.substr(q + 1)) == pairs(std::string_view(out).substr(outQ + 1)),
                   "the query lost or gained pairs: " + shown);
    }
    return 0;
}
