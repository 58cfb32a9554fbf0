// Fuzzes SecretBox::open, which reads every sealed session and persisted
// token back from SQLite or Redis (a store someone else can write to).
//
// Properties:
//   - open() of arbitrary bytes never crashes, never throws, and never
//     returns a value: forging AES-256-GCM is out of a fuzzer's reach, so a
//     value means the tag is not checked;
//   - the input sealed (as plaintext, with part of it as context) opens back
//     to itself, and not under another context or another secret; flipping
//     any one bit of the sealed text, or cutting it short, makes it unopenable;
//   - sign()/verify() agree, and a signature does not verify other data.
#include "FuzzCheck.h"

#include "session/SecretBox.h"

#include <cstddef>
#include <cstdint>
#include <string>

using namespace birdgate;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    static const SecretBox box("fuzz secret: openssl rand -base64 32 would be better");
    static const SecretBox other("another secret");
    const std::string_view input = fuzz::bytes(data, size);

    // Arbitrary bytes, as if read from a tampered store, under a few contexts.
    const std::string_view context = input.substr(0, std::min<size_t>(input.size(), 8));
    for (std::string_view ctx : {std::string_view(), context, std::string_view("session\0id", 10)})
    {
        const auto opened = box.open(input, ctx);
        FUZZ_CHECK(!opened, "opened unsealed bytes " + fuzz::printable(input) + " as " + fuzz::printable(*opened));
    }

    // Seal and open the input itself.
    const std::string sealed = box.seal(input, context);
    FUZZ_CHECK(sealed.size() == input.size() + SecretBox::OVERHEAD, "sealed size " + std::to_string(sealed.size()));
    FUZZ_CHECK(static_cast<unsigned char>(sealed[0]) == SecretBox::VERSION, "version byte");
    const auto opened = box.open(sealed, context);
    FUZZ_CHECK(opened && *opened == input, "round trip of " + fuzz::printable(input));
    FUZZ_CHECK(!other.open(sealed, context), "opened under another secret");
    FUZZ_CHECK(!box.open(sealed, std::string(context) + "x"), "opened under another context");

    // One flipped bit, at a position the input picks.
    size_t position = 0;
    for (unsigned char c : input) position = position * 31 + c;
    std::string damaged = sealed;
    damaged[position % damaged.size()] ^= static_cast<char>(1u << (position % 8));
    FUZZ_CHECK(!box.open(damaged, context),
               "opened with bit " + std::to_string(position % (damaged.size() * 8)) + " flipped");
    FUZZ_CHECK(!box.open(std::string_view(sealed).substr(0, sealed.size() - 1 - position % sealed.size()), context),
               "opened when cut short");

    const std::string signature = box.sign(input);
    FUZZ_CHECK(signature.size() == 43, "signature " + signature);
    FUZZ_CHECK(box.verify(input, signature), "own signature refused");
    FUZZ_CHECK(!box.verify(std::string(input) + "x", signature), "signature verifies other data");
    FUZZ_CHECK(!other.verify(input, signature), "signature verifies under another secret");
    FUZZ_CHECK(!box.verify(input, input), "the input verifies as its own signature");
    return 0;
}
