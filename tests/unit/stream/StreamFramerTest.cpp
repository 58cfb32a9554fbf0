// StreamFramer and StreamMessage: a Twitter stream cut at every possible
// byte must yield the same messages as the whole stream at once, in both
// framings; garbage (bad length prefixes, oversized lines, random bytes) is
// reported, bounded in memory, and followed by a clean resync.
#include "TestSupport.h"

#include "birdgate/stream/StreamMessage.h"
#include "stream/StreamFramer.h"

#include <random>
#include <string>
#include <vector>

using birdgate::MessageKind;
using birdgate::StreamFramer;
using birdgate::StreamMessage;

namespace
{

// Tweets with 2-, 3- and 4-byte UTF-8 and escapes, and every control kind.
const std::vector<std::string> SAMPLE = {
    R"({"created_at":"Thu Feb 29 13:05:09 +0000 2024","id":1762864587412344832,"id_str":"1762864587412344832","text":"Bi\u00e8re \"froide\" \ud83c\udf7a","user":{"id_str":"42","screen_name":"brewer"}})",
    "{\"id_str\":\"2\",\"text\":\"h\xC3\xA9llo \xE4\xB8\x96\xE7\x95\x8C \xF0\x9F\x8D\xBA "
    "caf\xC3\xA9\",\"lang\":\"und\",\"entities\":{\"hashtags\":[{\"text\":\"beer\",\"indices\":[0,5]}]}}",
    R"({"delete":{"status":{"id":1,"id_str":"1","user_id":3,"user_id_str":"3"},"timestamp_ms":"1709211909000"}})",
    R"({"limit":{"track":1234,"timestamp_ms":"1709211909000"}})",
    R"({"warning":{"code":"FALLING_BEHIND","message":"Your connection is falling behind.","percent_full":60}})",
    R"({"disconnect":{"code":7,"stream_name":"birdgate-statuses","reason":"admin logout"}})",
    R"({"scrub_geo":{"user_id":14090452,"user_id_str":"14090452","up_to_status_id":23260136625,"up_to_status_id_str":"23260136625"}})",
    R"({"status_withheld":{"id":1234567890,"user_id":123456,"withheld_in_countries":["DE","AR"]}})",
};

std::string newlineStream()
{
    // Keep-alives before, between and after; one bare "\n" terminator.
    std::string s = "\r\n";
    for (std::size_t i = 0; i < SAMPLE.size(); ++i)
    {
        s += SAMPLE[i];
        s += (i == 3) ? "\n" : "\r\n";
        if (i % 2 == 0) s += "\r\n\r\n";
    }
    return s + "\r\n";
}

std::string lengthStream(bool countIncludesCrlf)
{
    std::string s;
    for (std::size_t i = 0; i < SAMPLE.size(); ++i)
    {
        if (i % 3 == 0) s += "\r\n"; // keep-alive before a length
        const std::size_t n = SAMPLE[i].size() + (countIncludesCrlf ? 2 : 0);
        s += std::to_string(n) + "\r\n" + SAMPLE[i] + "\r\n";
    }
    return s + "\r\n";
}

std::vector<std::string> drain(StreamFramer& framer)
{
    std::vector<std::string> out;
    std::string msg;
    while (framer.next(msg)) out.push_back(msg);
    return out;
}

std::vector<std::string> feedSplit(StreamFramer::Mode mode, const std::string& stream,
                                   const std::vector<std::size_t>& cuts, std::size_t maxMessage = 1 << 20)
{
    StreamFramer framer(mode, maxMessage);
    std::size_t from = 0;
    for (std::size_t cut : cuts)
    {
        framer.feed(stream.data() + from, cut - from);
        from = cut;
    }
    framer.feed(stream.data() + from, stream.size() - from);
    return drain(framer);
}

} // namespace

class StreamFramerTest : public CppUnit::TestFixture
{
    CPPUNIT_TEST_SUITE(StreamFramerTest);
    CPPUNIT_TEST(testNewlineOneChunk);
    CPPUNIT_TEST(testNewlineSplitEverywhere);
    CPPUNIT_TEST(testNewlineByteByByte);
    CPPUNIT_TEST(testNewlineRandomChunks);
    CPPUNIT_TEST(testCallbackZeroCopy);
    CPPUNIT_TEST(testKeepAlivesOnly);
    CPPUNIT_TEST(testLengthOneChunk);
    CPPUNIT_TEST(testLengthSplitEverywhere);
    CPPUNIT_TEST(testLengthWithoutCrlfInCount);
    CPPUNIT_TEST(testOversizedNewline);
    CPPUNIT_TEST(testOversizedSplitEverywhere);
    CPPUNIT_TEST(testBadLengthPrefixes);
    CPPUNIT_TEST(testOversizedLength);
    CPPUNIT_TEST(testLongPrefixBounded);
    CPPUNIT_TEST(testReset);
    CPPUNIT_TEST(testRandomBytes);
    CPPUNIT_TEST(testClassifySample);
    CPPUNIT_TEST(testClassifyTweetRules);
    CPPUNIT_TEST(testValidJson);
    CPPUNIT_TEST(testInvalidJson);
    CPPUNIT_TEST(testUtf8Validation);
    CPPUNIT_TEST(testDepthLimit);
    CPPUNIT_TEST(testClassifyRandomBytes);
    CPPUNIT_TEST_SUITE_END();

  public:
    void testNewlineOneChunk()
    {
        StreamFramer framer;
        const std::string s = newlineStream();
        CPPUNIT_ASSERT_EQUAL(SAMPLE.size(), framer.feed(s));
        CPPUNIT_ASSERT(drain(framer) == SAMPLE);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(SAMPLE.size()), framer.messages());
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(10), framer.keepAlives());
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(0), framer.errors());
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(s.size()), framer.bytes());
        CPPUNIT_ASSERT_EQUAL(std::size_t(0), framer.buffered());
    }

    void testNewlineSplitEverywhere()
    {
        const std::string s = newlineStream();
        for (std::size_t i = 0; i <= s.size(); ++i)
        {
            const auto got = feedSplit(StreamFramer::Mode::Newline, s, {i});
            CPPUNIT_ASSERT_MESSAGE("split at " + std::to_string(i), got == SAMPLE);
        }
        // Two cuts, in a stride that still crosses every terminator pair.
        for (std::size_t i = 0; i <= s.size(); i += 7)
            for (std::size_t j = i; j <= s.size(); j += 3)
                CPPUNIT_ASSERT(feedSplit(StreamFramer::Mode::Newline, s, {i, j}) == SAMPLE);
    }

    void testNewlineByteByByte()
    {
        const std::string s = newlineStream();
        std::vector<std::size_t> cuts;
        for (std::size_t i = 1; i < s.size(); ++i) cuts.push_back(i);
        CPPUNIT_ASSERT(feedSplit(StreamFramer::Mode::Newline, s, cuts) == SAMPLE);
    }

    void testNewlineRandomChunks()
    {
        std::string s;
        std::vector<std::string> expected;
        for (int r = 0; r < 50; ++r)
        {
            s += newlineStream();
            expected.insert(expected.end(), SAMPLE.begin(), SAMPLE.end());
        }
        std::mt19937 rng(12345);
        for (int round = 0; round < 20; ++round)
        {
            std::vector<std::size_t> cuts;
            std::size_t at = 0;
            while (true)
            {
                at += 1 + rng() % 600;
                if (at >= s.size()) break;
                cuts.push_back(at);
            }
            CPPUNIT_ASSERT(feedSplit(StreamFramer::Mode::Newline, s, cuts) == expected);
        }
    }

    void testCallbackZeroCopy()
    {
        StreamFramer framer;
        std::vector<std::string> got;
        std::vector<bool> inChunk;
        const std::string s = newlineStream();
        framer.setMessageCallback([&](std::string_view m) {
            got.emplace_back(m);
            // Whole messages inside the chunk are handed out in place.
            inChunk.push_back(m.data() >= s.data() && m.data() < s.data() + s.size());
        });
        framer.feed(s.data(), 100);
        framer.feed(s.data() + 100, s.size() - 100);
        CPPUNIT_ASSERT(got == SAMPLE);
        CPPUNIT_ASSERT_EQUAL(std::size_t(0), framer.queued());
        CPPUNIT_ASSERT(!inChunk[0]); // cut at byte 100: assembled in the buffer
        CPPUNIT_ASSERT(inChunk[1] && inChunk[2]);
    }

    void testKeepAlivesOnly()
    {
        StreamFramer framer;
        for (int i = 0; i < 10; ++i) framer.feed("\r\n", 2);
        framer.feed("\r", 1);
        framer.feed("\n\n", 2);
        std::string msg;
        CPPUNIT_ASSERT(!framer.next(msg));
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(12), framer.keepAlives());
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(0), framer.messages());
    }

    void testLengthOneChunk()
    {
        StreamFramer framer(StreamFramer::Mode::Length);
        const std::string s = lengthStream(true);
        CPPUNIT_ASSERT_EQUAL(SAMPLE.size(), framer.feed(s));
        CPPUNIT_ASSERT(drain(framer) == SAMPLE);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(0), framer.errors());
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(4), framer.keepAlives());
    }

    void testLengthSplitEverywhere()
    {
        const std::string s = lengthStream(true);
        for (std::size_t i = 0; i <= s.size(); ++i)
            CPPUNIT_ASSERT_MESSAGE("split at " + std::to_string(i),
                                   feedSplit(StreamFramer::Mode::Length, s, {i}) == SAMPLE);
        for (std::size_t i = 0; i <= s.size(); i += 5)
            for (std::size_t j = i; j <= s.size(); j += 3)
                CPPUNIT_ASSERT(feedSplit(StreamFramer::Mode::Length, s, {i, j}) == SAMPLE);
        std::vector<std::size_t> cuts;
        for (std::size_t i = 1; i < s.size(); ++i) cuts.push_back(i);
        CPPUNIT_ASSERT(feedSplit(StreamFramer::Mode::Length, s, cuts) == SAMPLE);
    }

    void testLengthWithoutCrlfInCount()
    {
        // A count of the JSON alone leaves its "\r\n" to read as a keep-alive.
        const std::string s = lengthStream(false);
        for (std::size_t i = 0; i <= s.size(); ++i)
            CPPUNIT_ASSERT(feedSplit(StreamFramer::Mode::Length, s, {i}) == SAMPLE);
        StreamFramer framer(StreamFramer::Mode::Length);
        framer.feed(s);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(0), framer.errors());
    }

    void testOversizedNewline()
    {
        StreamFramer framer(StreamFramer::Mode::Newline, 64);
        std::vector<std::string> errors;
        framer.setErrorCallback([&](StreamFramer::Error e, std::string_view detail) {
            CPPUNIT_ASSERT(e == StreamFramer::Error::Oversized);
            errors.emplace_back(detail);
        });
        const std::string big(65, 'x');
        const std::string exact = "{\"a\":\"" + std::string(64 - 8, 'y') + "\"}";
        CPPUNIT_ASSERT_EQUAL(std::size_t(64), exact.size());
        framer.feed(big + "\r\n" + exact + "\r\n" + R"({"ok":1})" + "\n");
        const auto got = drain(framer);
        CPPUNIT_ASSERT_EQUAL(std::size_t(2), got.size());
        CPPUNIT_ASSERT_EQUAL(exact, got[0]);
        CPPUNIT_ASSERT_EQUAL(std::string(R"({"ok":1})"), got[1]);
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), errors.size());
        CPPUNIT_ASSERT(errors[0].find("oversized") != std::string::npos);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(1), framer.errors());
    }

    void testOversizedSplitEverywhere()
    {
        // A 10 kB line against a 100-byte limit: memory stays within the
        // limit whatever the chunking, and the next message survives.
        const std::string s = std::string(10000, 'z') + "\r\n{\"id_str\":\"9\"}\r\n";
        for (std::size_t i = 0; i <= s.size(); i += 97)
        {
            StreamFramer framer(StreamFramer::Mode::Newline, 100);
            std::size_t peak = 0;
            for (std::size_t at = 0; at < s.size(); at += 50)
            {
                const std::size_t end = std::min(s.size(), at + 50);
                const std::size_t cut = (i > at && i < end) ? i : end;
                framer.feed(s.data() + at, cut - at);
                framer.feed(s.data() + cut, end - cut);
                peak = std::max(peak, framer.buffered());
            }
            CPPUNIT_ASSERT(peak <= 101);
            const auto got = drain(framer);
            CPPUNIT_ASSERT_EQUAL(std::size_t(1), got.size());
            CPPUNIT_ASSERT_EQUAL(std::string("{\"id_str\":\"9\"}"), got[0]);
            CPPUNIT_ASSERT_EQUAL(std::uint64_t(1), framer.errors());
        }
    }

    void testBadLengthPrefixes()
    {
        const std::string good = R"({"id_str":"1","text":"a"})";
        const std::string frame = std::to_string(good.size() + 2) + "\r\n" + good + "\r\n";
        const std::vector<std::string> bad = {
            "abc\r\n", "12x\r\n", "0\r\n", "-5\r\n", " 12\r\n", "99999999999999999999\r\n", "1e3\r\n"};
        for (const auto& b : bad)
        {
            const std::string s = frame + b + frame;
            for (std::size_t i = 0; i <= s.size(); ++i)
            {
                StreamFramer framer(StreamFramer::Mode::Length);
                std::vector<StreamFramer::Error> errors;
                framer.setErrorCallback([&](StreamFramer::Error e, std::string_view) { errors.push_back(e); });
                framer.feed(s.data(), i);
                framer.feed(s.data() + i, s.size() - i);
                const auto got = drain(framer);
                CPPUNIT_ASSERT_EQUAL_MESSAGE("prefix " + b, std::size_t(2), got.size());
                CPPUNIT_ASSERT_EQUAL(good, got[1]);
                CPPUNIT_ASSERT_EQUAL_MESSAGE("prefix " + b, std::size_t(1), errors.size());
                CPPUNIT_ASSERT(errors[0] == StreamFramer::Error::BadLength);
            }
        }
    }

    void testOversizedLength()
    {
        // An announced length above the limit is skipped up to the next
        // newline (the end of the message), never buffered.
        StreamFramer framer(StreamFramer::Mode::Length, 100);
        const std::string huge = "{\"text\":\"" + std::string(500, 'q') + "\"}";
        const std::string good = R"({"id_str":"1"})";
        const std::string s = std::to_string(huge.size() + 2) + "\r\n" + huge + "\r\n" +
                              std::to_string(good.size() + 2) + "\r\n" + good + "\r\n";
        for (std::size_t at = 0; at < s.size(); at += 7)
        {
            framer.feed(s.data() + at, std::min<std::size_t>(7, s.size() - at));
            CPPUNIT_ASSERT(framer.buffered() <= 102);
        }
        const auto got = drain(framer);
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), got.size());
        CPPUNIT_ASSERT_EQUAL(good, got[0]);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(1), framer.errors());
        CPPUNIT_ASSERT(framer.lastError().find("oversized") != std::string::npos);
    }

    void testLongPrefixBounded()
    {
        // An unprefixed JSON line in Length mode: an error, bounded memory,
        // resync after its newline.
        StreamFramer framer(StreamFramer::Mode::Length);
        const std::string line = R"({"id_str":"1","text":")" + std::string(100000, 'w') + "\"}\r\n";
        for (std::size_t at = 0; at < line.size(); at += 1000)
        {
            framer.feed(line.data() + at, std::min<std::size_t>(1000, line.size() - at));
            CPPUNIT_ASSERT(framer.buffered() <= 32);
        }
        framer.feed("3\r\n{}\r\n");
        const auto got = drain(framer);
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), got.size());
        CPPUNIT_ASSERT_EQUAL(std::string("{}"), got[0]);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(1), framer.errors());
    }

    void testReset()
    {
        StreamFramer framer(StreamFramer::Mode::Length);
        framer.feed("100\r\n{\"half");
        CPPUNIT_ASSERT(framer.buffered() > 0);
        framer.reset();
        CPPUNIT_ASSERT_EQUAL(std::size_t(0), framer.buffered());
        framer.feed("4\r\n{}\r\n");
        const auto got = drain(framer);
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), got.size());
        CPPUNIT_ASSERT_EQUAL(std::string("{}"), got[0]);
    }

    void testRandomBytes()
    {
        std::mt19937 rng(777);
        for (auto mode : {StreamFramer::Mode::Newline, StreamFramer::Mode::Length})
        {
            StreamFramer framer(mode, 1024);
            std::size_t peak = 0;
            std::string chunk;
            for (int round = 0; round < 2000; ++round)
            {
                chunk.resize(rng() % 512);
                for (auto& c : chunk)
                {
                    // Biased towards framing bytes so every state is visited.
                    const unsigned r = rng() % 16;
                    c = r == 0   ? '\n'
                        : r == 1 ? '\r'
                        : r < 5  ? static_cast<char>('0' + rng() % 10)
                                 : static_cast<char>(rng());
                }
                framer.feed(chunk);
                peak = std::max(peak, framer.buffered());
                std::string msg;
                while (framer.next(msg))
                {
                    CPPUNIT_ASSERT(msg.size() <= 1024);
                    StreamMessage::inspect(msg); // must not crash
                }
            }
            CPPUNIT_ASSERT(peak <= 1026);
            // After a reset the framer is as good as new.
            framer.reset();
            const std::string good = R"({"id_str":"5"})";
            if (mode == StreamFramer::Mode::Length)
                framer.feed(std::to_string(good.size()) + "\r\n" + good + "\r\n");
            else
                framer.feed(good + "\r\n");
            const auto got = drain(framer);
            CPPUNIT_ASSERT_EQUAL(std::size_t(1), got.size());
            CPPUNIT_ASSERT_EQUAL(good, got[0]);
        }
    }

    void testClassifySample()
    {
        CPPUNIT_ASSERT(StreamMessage::classify(SAMPLE[0]) == MessageKind::Tweet);
        CPPUNIT_ASSERT(StreamMessage::classify(SAMPLE[1]) == MessageKind::Tweet);
        CPPUNIT_ASSERT(StreamMessage::classify(SAMPLE[2]) == MessageKind::Delete);

        const auto limit = StreamMessage::inspect(SAMPLE[3]);
        CPPUNIT_ASSERT(limit.kind == MessageKind::Limit);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(1234), limit.limitTrack);

        const auto warning = StreamMessage::inspect(SAMPLE[4]);
        CPPUNIT_ASSERT(warning.kind == MessageKind::Warning);
        CPPUNIT_ASSERT_EQUAL(std::string("FALLING_BEHIND"), std::string(warning.code));

        const auto disconnect = StreamMessage::inspect(SAMPLE[5]);
        CPPUNIT_ASSERT(disconnect.kind == MessageKind::Disconnect);
        CPPUNIT_ASSERT_EQUAL(7, disconnect.disconnectCode);
        CPPUNIT_ASSERT_EQUAL(std::string("admin logout"), std::string(disconnect.reason));

        const auto scrub = StreamMessage::inspect(SAMPLE[6]);
        CPPUNIT_ASSERT(scrub.kind == MessageKind::Control);
        CPPUNIT_ASSERT_EQUAL(std::string("scrub_geo"), std::string(scrub.control));
        CPPUNIT_ASSERT(StreamMessage::classify(SAMPLE[7]) == MessageKind::Control);
        CPPUNIT_ASSERT(StreamMessage::classify(R"({"user_withheld":{"id":1,"withheld_in_countries":["DE"]}})") ==
                       MessageKind::Control);
        CPPUNIT_ASSERT_EQUAL(std::string("limit"), std::string(StreamMessage::kindName(MessageKind::Limit)));
    }

    void testClassifyTweetRules()
    {
        // Keys count only at the top level; a tweet's own fields win.
        CPPUNIT_ASSERT(StreamMessage::classify(R"({"text":"x","limit":{"track":5}})") == MessageKind::Tweet);
        CPPUNIT_ASSERT(StreamMessage::classify(R"({"user":{"delete":1},"x":2})") == MessageKind::Tweet);
        CPPUNIT_ASSERT(StreamMessage::classify(R"({"data":{"id":"1","text":"v2"}})") == MessageKind::Tweet);
        CPPUNIT_ASSERT(StreamMessage::classify("{}") == MessageKind::Tweet);
        // limit.track only from the top-level limit object.
        const auto nested = StreamMessage::inspect(R"({"limit":{"x":{"track":9},"track":3}})");
        CPPUNIT_ASSERT(nested.kind == MessageKind::Limit);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(3), nested.limitTrack);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(0), StreamMessage::inspect(R"({"limit":{"track":"x"}})").limitTrack);
        // Valid JSON that is not an object is no Twitter message.
        const auto array = StreamMessage::inspect("[1,2]");
        CPPUNIT_ASSERT(array.kind == MessageKind::NotJson);
        CPPUNIT_ASSERT(array.json);
    }

    void testValidJson()
    {
        const std::vector<std::string> valid = {"{}",
                                                "[]",
                                                "0",
                                                "-0",
                                                "-0.5e+10",
                                                "1E-3",
                                                "123456789012345678901234567890",
                                                "true",
                                                "false",
                                                "null",
                                                R"("\u00e9\/\b\f\n\r\t\\\"")",
                                                " \t\r\n{ \"a\" : [ 1 , { } , [ ] , \"\" ] } \n",
                                                R"({"a":{"b":{"c":[null,true,false,1.5]}}})",
                                                R"(["\ud83c\udf7a", "\ud800"])"};
        for (const auto& v : valid)
        {
            CPPUNIT_ASSERT_MESSAGE(v, StreamMessage::isJson(v));
        }
        CPPUNIT_ASSERT(StreamMessage::inspect(valid[11]).json);
    }

    void testInvalidJson()
    {
        const std::vector<std::string> invalid = {
            "",          " ",     "hello",    "{",           "}",         "{\"a\"}",       "{\"a\":}",   "{\"a\":1,}",
            "[1,]",      "[1 2]", "{} x",     "{}{}",        "{'a':1}",   "{a:1}",         "01",         "1.",
            ".5",        "-",     "1e",       "1e+",         "+1",        "tru",           "nul",        "True",
            "NaN",       "\"abc", "\"a\\x\"", "\"\\u12G4\"", "\"\\u12\"", "\"tab\there\"", "[\"\x01\"]", "{\"a\":1}}",
            "{\"a\" 1}", "[,]",   "\"\\\"",   "/* c */ {}"};
        for (const auto& v : invalid)
        {
            CPPUNIT_ASSERT_MESSAGE(v, !StreamMessage::isJson(v));
            const auto info = StreamMessage::inspect(v);
            CPPUNIT_ASSERT_MESSAGE(v, info.kind == MessageKind::NotJson && !info.json);
        }
        CPPUNIT_ASSERT_EQUAL(std::size_t(5), StreamMessage::inspect("{\"a\":}").errorOffset);
    }

    void testUtf8Validation()
    {
        auto str = [](const std::string& bytes) { return "{\"text\":\"" + bytes + "\"}"; };
        CPPUNIT_ASSERT(StreamMessage::isJson(str("\xC3\xA9\xE4\xB8\x96\xF0\x9F\x8D\xBA\xF4\x8F\xBF\xBF")));
        CPPUNIT_ASSERT(StreamMessage::isJson(str("\xEF\xBF\xBD\xED\x9F\xBF")));
        const std::vector<std::string> bad = {
            "\xFF",
            "\x80",
            "\xC0\xAF", // stray/overlong
            "\xC3",
            "\xC3(",
            "\xE4\xB8",         // truncated
            "\xE0\x80\xAF",     // overlong 3-byte
            "\xED\xA0\x80",     // UTF-16 surrogate
            "\xF0\x8F\xBF\xBF", // overlong 4-byte
            "\xF4\x90\x80\x80",
            "\xF5\x80\x80\x80", // above U+10FFFF
        };
        for (const auto& b : bad) CPPUNIT_ASSERT(StreamMessage::classify(str(b)) == MessageKind::NotJson);
        // Truncated at the very end of the input too.
        CPPUNIT_ASSERT(!StreamMessage::isJson("\"\xF0\x9F\x8D"));
    }

    void testDepthLimit()
    {
        auto nest = [](int depth) { return std::string(depth, '[') + std::string(depth, ']'); };
        CPPUNIT_ASSERT(StreamMessage::isJson(nest(StreamMessage::MAX_DEPTH)));
        CPPUNIT_ASSERT(!StreamMessage::isJson(nest(StreamMessage::MAX_DEPTH + 1)));
        // Far deeper than any stack would take if recursion were unbounded.
        CPPUNIT_ASSERT(!StreamMessage::isJson(std::string(1000000, '[')));
        std::string objects;
        for (int i = 0; i < 100000; ++i) objects += "{\"a\":";
        CPPUNIT_ASSERT(StreamMessage::classify(objects) == MessageKind::NotJson);
    }

    void testClassifyRandomBytes()
    {
        std::mt19937 rng(4242);
        const std::string alphabet = "{}[]\":,0123456789.eE+-tfnrulase \\u\x80\xC3\xA9";
        int valid = 0;
        for (int i = 0; i < 20000; ++i)
        {
            std::string s(rng() % 40, ' ');
            for (auto& c : s) c = (rng() % 4 == 0) ? static_cast<char>(rng()) : alphabet[rng() % alphabet.size()];
            const auto info = StreamMessage::inspect(s);
            CPPUNIT_ASSERT(info.json == StreamMessage::isJson(s));
            CPPUNIT_ASSERT(info.json || info.kind == MessageKind::NotJson);
            valid += info.json ? 1 : 0;
        }
        // Mutating the sample must not crash either, and mostly breaks it.
        for (const auto& m : SAMPLE)
        {
            for (std::size_t i = 0; i < m.size(); ++i)
            {
                std::string s = m;
                s[i] = static_cast<char>(rng());
                StreamMessage::inspect(s);
                StreamMessage::inspect(std::string_view(m).substr(0, i));
                CPPUNIT_ASSERT(!StreamMessage::isJson(std::string_view(m).substr(0, i)));
            }
        }
        CPPUNIT_ASSERT(valid > 0);
    }
};

BIRDGATE_TEST_SUITE(StreamFramerTest);
