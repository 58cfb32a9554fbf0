// Fuzzes RedirectPolicy::sanitise, the open-redirect guard after a login
// (DESIGN.md 3.3). Both the candidate (?next=, Referer) and the origin (built
// from the Host header) come from the client.
//
// Input: one flag byte (bit 0: `external: true`), the origin up to the first
// '\n', then the candidate (the rest, newlines included), e.g.
// "0http://127.0.0.1:9988\n/twitter/?x=1".
//
// Properties: the result is "/" or a local path: it starts with '/', not
// followed by '/' or '\', holds no '\', no control byte and no space; with
// `external` it may instead be the candidate itself, an http(s) URL without
// '\'. Nothing else is ever returned.
#include "FuzzCheck.h"

#include "birdgate/login/RedirectPolicy.h"

#include <Poco/String.h>

#include <cstddef>
#include <cstdint>
#include <string>

using namespace birdgate;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size < 1) return 0;
    const bool external = data[0] & 1;
    const std::string_view rest = fuzz::bytes(data + 1, size - 1);
    const size_t newline = rest.find('\n');
    const std::string origin(rest.substr(0, newline));
    const std::string candidate(newline == std::string_view::npos ? std::string_view() : rest.substr(newline + 1));

    const std::string result = RedirectPolicy::sanitise(candidate, origin, external);
    const std::string shown = "origin " + fuzz::printable(origin) + ", candidate " + fuzz::printable(candidate) +
                              (external ? " (external)" : "") + " -> " + fuzz::printable(result);

    FUZZ_CHECK(!result.empty(), shown);
    for (unsigned char c : result)
        FUZZ_CHECK(c > 0x20 && c != 0x7f && c != '\\', "a control byte, space or '\\' in " + shown);
    if (result == "/") return 0;
    if (result[0] == '/')
    {
        FUZZ_CHECK(result[1] != '/' && result[1] != '\\', "a network-path reference: " + shown);
        return 0;
    }
    // Not a local path: only allowed for external redirects, and only the
    // candidate as given, an http(s) URL.
    FUZZ_CHECK(external, "an absolute target without external: " + shown);
    FUZZ_CHECK(result == candidate, "an external target that is not the candidate: " + shown);
    const std::string lower = Poco::toLower(result);
    FUZZ_CHECK(lower.starts_with("http://") || lower.starts_with("https://"), "not an http(s) URL: " + shown);
    return 0;
}
