// V2Problem and ReconnectBackoff::classifyV2: X's problem JSON read from an
// error answer or a stream's errors object; which v2 answers stop the
// stream (client-forbidden and other problems that cannot heal, 400, 403,
// 401 once renewal cannot help), which renew the bearer, which back off.
#include "TestSupport.h"

#include "stream/ReconnectBackoff.h"
#include "stream/V2Problem.h"

#include <string>

using namespace birdgate;
using V2Action = ReconnectBackoff::V2Action;

class V2ProblemTest : public CppUnit::TestFixture
{
    CPPUNIT_TEST_SUITE(V2ProblemTest);
    CPPUNIT_TEST(testClientForbidden);
    CPPUNIT_TEST(testErrorsObject);
    CPPUNIT_TEST(testGarbage);
    CPPUNIT_TEST(testClassify);
    CPPUNIT_TEST_SUITE_END();

  public:
    void testClientForbidden()
    {
        V2Problem p = V2Problem::parse(
            R"({"client_id":"1","detail":"When authenticating requests to the Twitter API v2 endpoints, you must use )"
            R"(keys and tokens from a Twitter developer App that is attached to a Project.","title":"Client )"
            R"(Forbidden","reason":"client-not-enrolled","type":"https://api.twitter.com/2/problems/client-forbidden"})");
        CPPUNIT_ASSERT_EQUAL(std::string("client-forbidden"), p.kind());
        CPPUNIT_ASSERT(p.permanent());
        CPPUNIT_ASSERT_EQUAL(std::string("Client Forbidden: When authenticating requests to the Twitter API v2 "
                                         "endpoints, you must use keys and tokens from a Twitter developer App that "
                                         "is attached to a Project."),
                             p.describe());
        V2Problem limit = V2Problem::parse(
            R"({"title":"ConnectionException","detail":"This stream is currently at the maximum allowed connection )"
            R"(limit.","connection_issue":"TooManyConnections","type":"https://api.twitter.com/2/problems/)"
            R"(streaming-connection"})");
        CPPUNIT_ASSERT(!limit.permanent());
        CPPUNIT_ASSERT_EQUAL(std::string("streaming-connection"), limit.kind());
        CPPUNIT_ASSERT(V2Problem::parse(R"({"title":"x","type":"https://api.twitter.com/2/problems/)"
                                        R"(unsupported-authentication"})")
                           .permanent());
        CPPUNIT_ASSERT(!V2Problem::parse(R"({"title":"Unauthorized","type":"about:blank","status":401,)"
                                         R"("detail":"Unauthorized"})")
                            .permanent());
    }

    void testErrorsObject()
    {
        V2Problem p = V2Problem::parse(
            R"({"errors":[{"title":"operational-disconnect","detail":"This stream has been disconnected upstream )"
            R"(for operational reasons.","type":"https://api.twitter.com/2/problems/operational-disconnect"}]})");
        CPPUNIT_ASSERT_EQUAL(std::string("operational-disconnect"), p.kind());
        CPPUNIT_ASSERT(!p.permanent());
        CPPUNIT_ASSERT_EQUAL(std::string("operational-disconnect"), p.title);
        // {"errors":[{"message":...}]} (v1.1-like) gives the message as detail.
        CPPUNIT_ASSERT_EQUAL(std::string("bad"), V2Problem::parse(R"({"errors":[{"message":"bad"}]})").detail);
    }

    void testGarbage()
    {
        for (const char* bad : {"", "not json", "[]", "{\"errors\":5}", "{\"errors\":[5]}", "{\"title\":5}",
                                "{\"errors\":[]}", "\xff\xfe", "{\"title\":\"a\x01\"}"})
        {
            V2Problem p = V2Problem::parse(bad);
            CPPUNIT_ASSERT_MESSAGE(bad, !p.permanent());
            for (char c : p.describe()) CPPUNIT_ASSERT(c >= 0x20 && c < 0x7f); // log-safe
        }
        CPPUNIT_ASSERT_EQUAL(std::string("no problem details"), V2Problem::parse("nope").describe());
        V2Problem control = V2Problem::parse("{\"title\":\"line\\nbreak\"}");
        CPPUNIT_ASSERT_EQUAL(std::string("line?break"), control.describe());
    }

    void testClassify()
    {
        CPPUNIT_ASSERT(ReconnectBackoff::classifyV2(403, true, true) == V2Action::Stop);  // client-forbidden
        CPPUNIT_ASSERT(ReconnectBackoff::classifyV2(401, true, true) == V2Action::Stop);  // unsupported-auth
        CPPUNIT_ASSERT(ReconnectBackoff::classifyV2(403, false, true) == V2Action::Stop); // 403 never heals
        CPPUNIT_ASSERT(ReconnectBackoff::classifyV2(401, false, true) == V2Action::Renew);
        CPPUNIT_ASSERT(ReconnectBackoff::classifyV2(401, false, false) == V2Action::Stop); // literal, or renewed
        CPPUNIT_ASSERT(ReconnectBackoff::classifyV2(400, false, true) == V2Action::Stop);
        CPPUNIT_ASSERT(ReconnectBackoff::classifyV2(404, false, true) == V2Action::Stop);
        CPPUNIT_ASSERT(ReconnectBackoff::classifyV2(429, false, true) == V2Action::Retry);
        CPPUNIT_ASSERT(ReconnectBackoff::classifyV2(503, false, true) == V2Action::Retry);
        CPPUNIT_ASSERT(ReconnectBackoff::classifyV2(500, false, false) == V2Action::Retry);
        CPPUNIT_ASSERT(ReconnectBackoff::classifyV2(503, true, true) == V2Action::Stop);
    }
};

BIRDGATE_TEST_SUITE(V2ProblemTest);
