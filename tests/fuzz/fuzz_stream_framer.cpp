// Fuzzes the Twitter stream's framing (StreamFramer, both modes) and message
// inspection (StreamMessage::inspect on every message it cuts): the bytes of a
// streaming connection are as outside as input gets.
//
// Input: one flag byte, then the stream. Bit 0 of the flag picks the mode
// (0 Newline, 1 Length: so '0' and '1' make readable seeds); bits 1-3 pick
// maxMessage among {16 MB, 1, 2, 8, 64, 100, 1000, 4096} so the oversize paths
// are reached; bits 4-7 seed the chunk sizes.
//
// Properties:
//   - chunking does not matter: the stream fed in one piece (messages through
//     the callback) and in random-sized chunks (messages queued for next())
//     gives the same messages, error kinds and counters;
//   - feed() returns the number of messages it completed;
//   - messages are non-empty, at most maxMessage bytes, and in Newline mode
//     hold no '\n';
//   - inspect() agrees with isJson(), a kind other than NotJson implies valid
//     JSON, and its views point into the message.
#include "FuzzCheck.h"

#include "birdgate/stream/StreamMessage.h"
#include "stream/StreamFramer.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

using namespace birdgate;

namespace
{
struct Trace
{
    std::vector<std::string> messages;
    std::vector<StreamFramer::Error> errors;
};

bool within(std::string_view view, std::string_view message)
{
    if (view.empty()) return true;
    return view.data() >= message.data() && view.data() + view.size() <= message.data() + message.size();
}

void checkMessage(std::string_view message)
{
    const MessageInfo info = StreamMessage::inspect(message);
    const std::string shown = fuzz::printable(message);
    FUZZ_CHECK(info.json == StreamMessage::isJson(message), "inspect and isJson disagree on " + shown);
    FUZZ_CHECK(info.kind == MessageKind::NotJson || info.json, "a non-JSON message classified: " + shown);
    FUZZ_CHECK(within(info.code, message) && within(info.reason, message) && within(info.control, message) &&
                   within(info.dataId, message),
               "a view outside the message " + shown);
    FUZZ_CHECK(info.json || info.errorOffset <= message.size(), "error offset past the end of " + shown);
    FUZZ_CHECK(info.kind != MessageKind::Control || !info.control.empty(), "a control without its key: " + shown);
    (void)StreamMessage::kindName(info.kind);
}

uint64_t nextRandom(uint64_t& state)
{
    // splitmix64: chunk sizes depend on the input only, so crashes replay.
    uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size < 1) return 0;
    static const size_t MAX_MESSAGES[] = {StreamFramer::DEFAULT_MAX_MESSAGE, 1, 2, 8, 64, 100, 1000, 4096};
    const auto mode = (data[0] & 1) ? StreamFramer::Mode::Length : StreamFramer::Mode::Newline;
    const size_t maxMessage = MAX_MESSAGES[(data[0] >> 1) & 7];
    const std::string_view stream = fuzz::bytes(data + 1, size - 1);

    // 1. In one piece, through the callbacks.
    Trace whole;
    StreamFramer one(mode, maxMessage);
    one.setMessageCallback([&](std::string_view message) {
        FUZZ_CHECK(!message.empty() && message.size() <= maxMessage, "bad size " + fuzz::printable(message));
        FUZZ_CHECK(mode == StreamFramer::Mode::Length || message.find('\n') == std::string_view::npos,
                   "a newline inside " + fuzz::printable(message));
        checkMessage(message);
        whole.messages.emplace_back(message);
    });
    one.setErrorCallback([&](StreamFramer::Error error, std::string_view detail) {
        FUZZ_CHECK(!detail.empty(), "an error without detail");
        whole.errors.push_back(error);
    });
    const size_t completed = one.feed(stream);
    FUZZ_CHECK(completed == whole.messages.size(), "feed() returned " + std::to_string(completed));

    // 2. In random-sized chunks (mostly small, sometimes large), queued.
    Trace chunked;
    StreamFramer many(mode, maxMessage);
    many.setErrorCallback([&](StreamFramer::Error error, std::string_view) { chunked.errors.push_back(error); });
    uint64_t state = (data[0] >> 4) * 0x100000001b3ULL;
    for (unsigned char c : stream.substr(0, 64)) state = (state ^ c) * 0x100000001b3ULL;
    size_t pos = 0;
    while (pos < stream.size())
    {
        const uint64_t r = nextRandom(state);
        size_t chunk = (r & 7) == 0 ? 1 + (r >> 8) % 4096 : 1 + (r >> 8) % 16;
        chunk = std::min(chunk, stream.size() - pos);
        const size_t before = chunked.messages.size();
        const size_t done = many.feed(stream.data() + pos, chunk);
        std::string message;
        while (many.next(message)) chunked.messages.push_back(std::move(message));
        FUZZ_CHECK(done == chunked.messages.size() - before, "feed() returned " + std::to_string(done));
        pos += chunk;
    }

    FUZZ_CHECK(whole.messages == chunked.messages, std::to_string(whole.messages.size()) + " messages in one piece, " +
                                                       std::to_string(chunked.messages.size()) + " in chunks");
    FUZZ_CHECK(whole.errors == chunked.errors, "different errors in one piece and in chunks");
    FUZZ_CHECK(one.messages() == many.messages() && one.keepAlives() == many.keepAlives() &&
                   one.errors() == many.errors() && one.bytes() == many.bytes() && one.bytes() == stream.size() &&
                   one.buffered() == many.buffered(),
               "counters differ between one piece and chunks");
    FUZZ_CHECK(one.errors() == whole.errors.size() && one.messages() == whole.messages.size(), "counters");

    // A reset forgets everything partial.
    many.reset();
    FUZZ_CHECK(many.buffered() == 0 && many.queued() == 0, "reset() kept bytes");
    return 0;
}
