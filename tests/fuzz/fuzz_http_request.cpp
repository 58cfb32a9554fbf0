// Fuzzes the request parsing of birdgate's own HTTP server (DESIGN.md 1,
// server/): RequestHead::findEnd + parse on the raw head, then the rest of
// the input through ChunkedDecoder, fed in two pieces so the incremental
// state machine is exercised across a split.
//
// Properties: an accepted head has a token method, a target starting with
// '/' of visible ASCII only, version 10 or 11, no header value with CR, LF
// or NUL, Host present on 1.1, and framing consistent with the headers
// (chunked never with a Content-Length); a refusal is 400, 431 or 505 with a
// message. The decoder never consumes more than it is given, and decoding
// in two pieces gives the same outcome and body as in one.
#include "FuzzCheck.h"

#include "server/ChunkedDecoder.h"
#include "server/RequestHead.h"

#include <cstddef>
#include <cstdint>
#include <string>

using namespace birdgate;

namespace
{
struct Decoded
{
    ChunkedDecoder::Result result;
    std::size_t consumed;
    std::string body;
};

Decoded decode(std::string_view in, std::size_t split)
{
    ChunkedDecoder decoder;
    Decoded d{ChunkedDecoder::Result::NeedMore, 0, {}};
    std::size_t used = 0;
    d.result = decoder.feed(in.substr(0, split), used, &d.body);
    FUZZ_CHECK(used <= split, "consumed more than given");
    d.consumed = used;
    if (d.result == ChunkedDecoder::Result::NeedMore)
    {
        FUZZ_CHECK(used == split, "NeedMore without consuming everything");
        d.result = decoder.feed(in.substr(split), used, &d.body);
        FUZZ_CHECK(used <= in.size() - split, "consumed more than given");
        d.consumed += used;
    }
    FUZZ_CHECK(decoder.bodyBytes() == d.body.size(), "bodyBytes differs from the body");
    if (d.result == ChunkedDecoder::Result::Error) FUZZ_CHECK(!decoder.error().empty(), "error without a reason");
    return d;
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const std::string_view raw = fuzz::bytes(data, size);
    const std::size_t end = RequestHead::findEnd(raw);
    FUZZ_CHECK(end <= raw.size(), fuzz::printable(raw));
    // Scanning from a later point finds the same end (what a trickled head does).
    if (end)
        FUZZ_CHECK(RequestHead::findEnd(raw, end / 2) == end, "findEnd depends on the start " + fuzz::printable(raw));

    RequestHead head;
    const HeadError error = head.parse(raw.substr(0, end ? end : raw.size()));
    if (error)
    {
        FUZZ_CHECK(error.status == 400 || error.status == 431 || error.status == 505, fuzz::printable(raw));
        FUZZ_CHECK(!error.message.empty(), "refused without a message: " + fuzz::printable(raw));
    }
    else
    {
        const std::string shown = fuzz::printable(raw);
        FUZZ_CHECK(!head.method.empty() && head.method != "CONNECT", shown);
        FUZZ_CHECK(!head.target.empty() && head.target[0] == '/', shown);
        for (unsigned char c : head.target) FUZZ_CHECK(c > 0x20 && c < 0x7f, shown);
        FUZZ_CHECK(head.version == 10 || head.version == 11, shown);
        for (const auto& f : head.headers)
            FUZZ_CHECK(f.value.find_first_of(std::string("\r\n\0", 3)) == std::string::npos, shown);
        if (head.version == 11) FUZZ_CHECK(findHeader(head.headers, "Host") != nullptr, shown);
        if (head.framing == BodyFraming::Chunked) FUZZ_CHECK(!findHeader(head.headers, "Content-Length"), shown);
        if (head.framing == BodyFraming::None)
            FUZZ_CHECK(!findHeader(head.headers, "Content-Length") && !findHeader(head.headers, "Transfer-Encoding"),
                       shown);
    }

    const std::string_view rest = end ? raw.substr(end) : raw;
    const Decoded whole = decode(rest, rest.size());
    const Decoded split = decode(rest, rest.size() / 2);
    FUZZ_CHECK(whole.result == split.result, "split changes the outcome: " + fuzz::printable(rest));
    if (whole.result != ChunkedDecoder::Result::Error)
    {
        FUZZ_CHECK(whole.body == split.body, "split changes the body: " + fuzz::printable(rest));
        FUZZ_CHECK(whole.consumed == split.consumed, "split changes the length: " + fuzz::printable(rest));
    }
    return 0;
}
