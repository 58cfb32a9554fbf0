// Open-redirect defence after login: only same-origin targets unless
// `external: true`; every trick falls back to "/".
#include "TestSupport.h"

#include "birdgate/login/RedirectPolicy.h"

#include <map>

using birdgate::RedirectPolicy;

class RedirectPolicyTest : public CppUnit::TestFixture
{
    CPPUNIT_TEST_SUITE(RedirectPolicyTest);
    CPPUNIT_TEST(testSameOrigin);
    CPPUNIT_TEST(testHostileTargets);
    CPPUNIT_TEST(testExternal);
    CPPUNIT_TEST(testSourceOrder);
    CPPUNIT_TEST_SUITE_END();

    const std::string origin = "http://127.0.0.1:9988";

  public:
    void testSameOrigin()
    {
        CPPUNIT_ASSERT_EQUAL(std::string("/page?x=1#y"), RedirectPolicy::sanitise("/page?x=1#y", origin, false));
        CPPUNIT_ASSERT_EQUAL(std::string("/"), RedirectPolicy::sanitise("http://127.0.0.1:9988", origin, false));
        CPPUNIT_ASSERT_EQUAL(std::string("/app/"),
                             RedirectPolicy::sanitise("http://127.0.0.1:9988/app/", origin, false));
        CPPUNIT_ASSERT_EQUAL(std::string("/?q=1"),
                             RedirectPolicy::sanitise("HTTP://127.0.0.1:9988?q=1", origin, false));
    }

    void testHostileTargets()
    {
        for (const char* bad :
             {"https://evil.example/", "//evil.example", "/\\evil.example", "\\/evil.example", "\\\\evil.example",
              "http://127.0.0.1:9988.evil.example/", "http://127.0.0.1:99889/", "http://127.0.0.1:9988@evil.example/",
              "javascript:alert(1)", "data:text/html,x", "evil.example", "/ /evil", "/\t/evil.example",
              "/page\r\nSet-Cookie: x=1", "http://127.0.0.1:9988//evil.example", "http://127.0.0.1:9988/\\evil",
              "https://127.0.0.1:9988/", "ftp://127.0.0.1:9988/"})
            CPPUNIT_ASSERT_EQUAL_MESSAGE(bad, std::string("/"), RedirectPolicy::sanitise(bad, origin, false));
        CPPUNIT_ASSERT_EQUAL(std::string("/"), RedirectPolicy::sanitise(std::string(5000, '/'), origin, false));
    }

    void testExternal()
    {
        CPPUNIT_ASSERT_EQUAL(std::string("https://other.example/x"),
                             RedirectPolicy::sanitise("https://other.example/x", origin, true));
        CPPUNIT_ASSERT_EQUAL(std::string("/"), RedirectPolicy::sanitise("javascript:alert(1)", origin, true));
        CPPUNIT_ASSERT_EQUAL(std::string("/"), RedirectPolicy::sanitise("//evil.example", origin, true));
    }

    void testSourceOrder()
    {
        std::map<std::string, std::string> query{{"next", "/from-query"}},
            headers{{"Referer", origin + "/from-referer"}};
        auto q = [&](const std::string& n) { return query.count(n) ? query[n] : std::string(); };
        auto h = [&](const std::string& n) { return headers.count(n) ? headers[n] : std::string(); };
        RedirectPolicy def;
        CPPUNIT_ASSERT_EQUAL(std::string("/from-query"), def.target(q, h, origin));
        query.clear();
        CPPUNIT_ASSERT_EQUAL(std::string("/from-referer"), def.target(q, h, origin));
        headers["Referer"] = "https://evil.example/";
        CPPUNIT_ASSERT_EQUAL(std::string("/"), def.target(q, h, origin));
        headers.clear();
        CPPUNIT_ASSERT_EQUAL(std::string("/"), def.target(q, h, origin));

        RedirectPolicy custom;
        custom.clearSources();
        custom.add(RedirectPolicy::Source::Header, "Referer");
        custom.add(RedirectPolicy::Source::Url, "/home");
        query["next"] = "/ignored";
        CPPUNIT_ASSERT_EQUAL(std::string("/home"), custom.target(q, h, origin));
        headers["Referer"] = origin + "/r";
        CPPUNIT_ASSERT_EQUAL(std::string("/r"), custom.target(q, h, origin));
        // The first non-empty source wins even when it is unsafe: no fall-through to a later one.
        headers["Referer"] = "//evil.example";
        CPPUNIT_ASSERT_EQUAL(std::string("/"), custom.target(q, h, origin));
    }
};

BIRDGATE_TEST_SUITE(RedirectPolicyTest);
