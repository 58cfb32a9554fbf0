// SessionCodec (session/SessionCodec): the JSON object of strings a session
// is stored as. Byte-exact both ways; anything but such an object reads as
// nothing (a damaged row is no session, never a half-read one).
#include "TestSupport.h"

#include "session/SessionCodec.h"

#include <map>
#include <string>

using birdgate::SessionCodec;

class SessionCodecTest : public CppUnit::TestFixture
{
    CPPUNIT_TEST_SUITE(SessionCodecTest);
    CPPUNIT_TEST(testEncode);
    CPPUNIT_TEST(testRoundTripAnyBytes);
    CPPUNIT_TEST(testDecodeEscapes);
    CPPUNIT_TEST(testDecodeRejects);
    CPPUNIT_TEST_SUITE_END();

  public:
    void testEncode()
    {
        CPPUNIT_ASSERT_EQUAL(std::string("{}"), SessionCodec::encode({}));
        // Only '"', '\\' and control characters are escaped; other bytes (UTF-8 here) pass through.
        CPPUNIT_ASSERT_EQUAL(std::string("{\"a\":\"1\",\"b\":\"q\\\"b\\\\s\\u000a\\u007f\xc3\xa9\"}"),
                             SessionCodec::encode({{"b", "q\"b\\s\n\x7f\xc3\xa9"}, {"a", "1"}}));
    }

    void testRoundTripAnyBytes()
    {
        std::string every;
        for (int c = 0; c < 256; ++c) every += static_cast<char>(c);
        const std::map<std::string, std::string> data{{every, every}, {"", ""}, {"user", "gramener"}};
        const auto back = SessionCodec::decode(SessionCodec::encode(data));
        CPPUNIT_ASSERT(back);
        CPPUNIT_ASSERT(data == *back);
    }

    void testDecodeEscapes()
    {
        const auto data = SessionCodec::decode(" { \"k\" : \"\\u00e9\\ud83d\\ude00\\/\\t\" , \"n\":\"\"}\n");
        CPPUNIT_ASSERT(data);
        CPPUNIT_ASSERT_EQUAL(std::string("\xc3\xa9\xf0\x9f\x98\x80/\t"), data->at("k"));
        CPPUNIT_ASSERT_EQUAL(std::string(""), data->at("n"));
    }

    void testDecodeRejects()
    {
        for (const char* bad : {"", "[]", "{", "{\"a\"}", "{\"a\":1}", "{\"a\":\"b\",}", "{\"a\":\"b\"} x",
                                "{\"a\":\"\\ud800\"}", "{\"a\":\"\\udc00\"}", "{\"a\":\"\\x\"}", "{\"a\":\"b"})
            CPPUNIT_ASSERT_MESSAGE(bad, !SessionCodec::decode(bad));
    }
};

BIRDGATE_TEST_SUITE(SessionCodecTest);
