// Fuzzes the OAuth 1.0a text parsers: `Authorization: OAuth ...` headers (the
// sandbox verifies every one a client sends), form bodies and query strings
// (every proxied request), and percent-decoding under both. The input goes to
// all of them, so the corpus mixes headers and forms.
//
// Properties besides "no crash":
//   - percentDecode(percentEncode(x)) == x for any bytes, and a decoded text
//     re-encodes to something that decodes back to it;
//   - parseForm round-trips: encodeForm(parseForm(x)) parses back to the same
//     pairs, in the same order;
//   - a parsed Authorization header rebuilt as `OAuth k="v", ...` (RFC 5849
//     3.5.1 encoding) parses back to the same pairs.
#include "FuzzCheck.h"

#include "birdgate/twitter/OAuth1.h"

#include <cstddef>
#include <cstdint>
#include <string>

using namespace birdgate;

namespace
{
std::string describe(const oauth1::Params& params)
{
    std::string out;
    for (const auto& [name, value] : params) out += "[" + fuzz::printable(name) + "=" + fuzz::printable(value) + "]";
    return out;
}

void checkPercent(std::string_view text)
{
    const std::string encoded = oauth1::percentEncode(text);
    for (unsigned char c : encoded)
    {
        const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                                c == '-' || c == '.' || c == '_' || c == '~' || c == '%';
        FUZZ_CHECK(unreserved, "percentEncode left " + fuzz::printable(encoded));
    }
    std::string decoded;
    FUZZ_CHECK(oauth1::percentDecode(encoded, decoded, false), "cannot decode " + fuzz::printable(encoded));
    FUZZ_CHECK(decoded == text, "percent round trip of " + fuzz::printable(text));
    decoded.clear();
    FUZZ_CHECK(oauth1::percentDecode(encoded, decoded, true) && decoded == text,
               "percent round trip (plusIsSpace) of " + fuzz::printable(text));
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const std::string_view input = fuzz::bytes(data, size);

    // percentDecode, both modes; whatever decodes must survive a round trip.
    for (bool plusIsSpace : {false, true})
    {
        std::string decoded;
        if (oauth1::percentDecode(input, decoded, plusIsSpace)) checkPercent(decoded);
    }
    checkPercent(input);

    // Forms and query strings.
    oauth1::Params form;
    if (oauth1::parseForm(input, form))
    {
        const std::string encoded = oauth1::encodeForm(form);
        oauth1::Params again;
        FUZZ_CHECK(oauth1::parseForm(encoded, again), "encodeForm gave unparsable " + fuzz::printable(encoded));
        FUZZ_CHECK(again == form, describe(form) + " came back as " + describe(again));
    }

    // Authorization headers.
    oauth1::Params header;
    if (oauth1::parseAuthorizationHeader(input, header))
    {
        FUZZ_CHECK(!header.empty(), "an accepted header without parameters");
        std::string rebuilt = "OAuth ";
        for (size_t i = 0; i < header.size(); ++i)
        {
            FUZZ_CHECK(!header[i].first.empty(), "an empty parameter name in " + describe(header));
            if (i) rebuilt += ", ";
            rebuilt += oauth1::percentEncode(header[i].first) + "=\"" + oauth1::percentEncode(header[i].second) + "\"";
        }
        oauth1::Params again;
        FUZZ_CHECK(oauth1::parseAuthorizationHeader(rebuilt, again), "cannot parse " + fuzz::printable(rebuilt));
        FUZZ_CHECK(again == header, describe(header) + " came back as " + describe(again));
    }
    return 0;
}
