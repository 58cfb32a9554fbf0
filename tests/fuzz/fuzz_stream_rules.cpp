// Fuzzes the X API v2 rule text on both sides: the sandbox's rule parser
// (SandboxRules::parse, then matches() and example() on what it accepts) and
// its rules endpoint body (SandboxRules::change), and the client's reader of
// X's problem answers (V2Problem::parse). The input goes to all
// of them, so the corpus mixes rules and JSON bodies.
//
// Properties besides "no crash":
//   - parse() gives a tree or an error, never both or neither, and an error
//     names a position inside the rule (or the length limit);
//   - the rules endpoint answers 200 or 400 with a JSON body, and a body it
//     refuses changes nothing;
//   - V2Problem::describe() is log-safe (printable ASCII only).
#include "FuzzCheck.h"

#include "birdgate/sandbox/SandboxRules.h"
#include "birdgate/stream/StreamMessage.h"
#include "stream/V2Problem.h"

#include <cstddef>
#include <cstdint>
#include <string>

using namespace birdgate;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const std::string text(reinterpret_cast<const char*>(data), size);
    const std::string shown = fuzz::printable(text);

    SandboxRules::Parsed parsed = SandboxRules::parse(text);
    FUZZ_CHECK((parsed.root != nullptr) != !parsed.error.empty(), "a tree and an error, or neither: " + shown);
    if (!parsed.error.empty() && parsed.error.rfind("Rule length exceeds", 0) != 0)
    {
        const std::size_t at = parsed.error.rfind("(at position ");
        FUZZ_CHECK(at != std::string::npos, "an error without a position: " + fuzz::printable(parsed.error));
        const std::size_t position = std::stoul(parsed.error.substr(at + 13));
        FUZZ_CHECK(position >= 1 && position <= text.size() + 1, "a position outside the rule: " + shown);
    }
    if (parsed.root)
        for (std::uint64_t variant = 0; variant < 3; ++variant)
        {
            RuleTweet t = SandboxRules::example(*parsed.root, variant);
            (void)SandboxRules::matches(*parsed.root, t);
        }

    SandboxRules rules;
    SandboxRules::Answer answer = rules.change("app", text, false);
    FUZZ_CHECK(answer.status == 200 || answer.status == 400, "status " + std::to_string(answer.status));
    FUZZ_CHECK(StreamMessage::isJson(answer.body), "an answer that is not JSON for " + shown);
    if (answer.status == 400) FUZZ_CHECK(rules.rules("app")->empty(), "a refused body changed the rules: " + shown);

    const std::string described = V2Problem::parse(text).describe();
    for (char c : described) FUZZ_CHECK(c >= 0x20 && c < 0x7f, "describe() is not log-safe for " + shown);
    return 0;
}
