// LoginFlow's addresses (DESIGN.md 3.8): the callback / redirect_uri is
// app.public_url + the url's path when set, else scheme and Host of the
// request, with X-Forwarded-Proto/-Host believed only from
// app.trusted_proxies; a Host that is not host[:port] gives none. And
// which sessions count as logged in for `auth: true`.
#include "birdgate/login/LoginFlow.h"

#include "TestSupport.h"

#include <cppunit/TestFixture.h>
#include <cppunit/extensions/HelperMacros.h>

using namespace birdgate;

namespace
{
Request request(const std::string& host, const std::string& peer, HeaderFields extra = {}, bool tls = false)
{
    Request r;
    r.method = "GET";
    r.target = "/x-user/";
    r.headers.push_back({"Host", host});
    for (auto& h : extra) r.headers.push_back(h);
    r.clientAddress = peer;
    r.tls = tls;
    return r;
}

LoginFlow flow(const std::string& publicUrl = "")
{
    LoginFlow::Settings s;
    s.urlName = "x-user";
    s.publicUrl = publicUrl;
    s.trustedProxies = {"10.0.0.1", "::1"};
    return LoginFlow(s, nullptr, nullptr);
}

const RouteMatch MATCH{"x-user", "/x-user/", {"/x-user/", ""}};
} // namespace

class LoginFlowTest : public CppUnit::TestFixture
{
    CPPUNIT_TEST_SUITE(LoginFlowTest);
    CPPUNIT_TEST(testFromTheRequest);
    CPPUNIT_TEST(testForwardedOnlyFromTrustedProxies);
    CPPUNIT_TEST(testPublicUrlWins);
    CPPUNIT_TEST(testBadHost);
    CPPUNIT_TEST(testNextIsSameOriginWithPublicUrl);
    CPPUNIT_TEST(testLoggedIn);
    CPPUNIT_TEST_SUITE_END();

  public:
    void testFromTheRequest()
    {
        CPPUNIT_ASSERT_EQUAL(std::string("http://gw.example:8080/x-user/"),
                             flow().callbackUrl(request("gw.example:8080", "203.0.113.9"), MATCH));
        CPPUNIT_ASSERT_EQUAL(std::string("https://gw.example/x-user/"),
                             flow().callbackUrl(request("gw.example", "203.0.113.9", {}, true), MATCH));
    }

    void testForwardedOnlyFromTrustedProxies()
    {
        const HeaderFields forwarded{{"X-Forwarded-Proto", "https, http"}, {"X-Forwarded-Host", "pub.example, in"}};
        CPPUNIT_ASSERT_EQUAL(std::string("http://gw.internal/x-user/"),
                             flow().callbackUrl(request("gw.internal", "203.0.113.9", forwarded), MATCH));
        CPPUNIT_ASSERT_EQUAL(std::string("https://pub.example/x-user/"),
                             flow().callbackUrl(request("gw.internal", "10.0.0.1", forwarded), MATCH));
        CPPUNIT_ASSERT_EQUAL(std::string("https://pub.example/x-user/"),
                             flow().callbackUrl(request("gw.internal", "::1", forwarded), MATCH));
        // A trusted proxy's forwarded host is checked like a Host header.
        const HeaderFields badHost{{"X-Forwarded-Host", "evil.example/path"}};
        CPPUNIT_ASSERT_EQUAL(std::string(), flow().callbackUrl(request("gw.internal", "10.0.0.1", badHost), MATCH));
    }

    void testPublicUrlWins()
    {
        const HeaderFields forwarded{{"X-Forwarded-Proto", "http"}, {"X-Forwarded-Host", "other.example"}};
        CPPUNIT_ASSERT_EQUAL(
            std::string("https://gw.example.com/bg/x-user/"),
            flow("https://gw.example.com/bg").callbackUrl(request("127.0.0.1:9988", "10.0.0.1", forwarded), MATCH));
    }

    void testBadHost()
    {
        for (const char* host : {"", "evil.example/x", "a b", "evil.example?x", "user@evil.example"})
            CPPUNIT_ASSERT_EQUAL_MESSAGE(host, std::string(), flow().callbackUrl(request(host, "203.0.113.9"), MATCH));
    }

    void testNextIsSameOriginWithPublicUrl()
    {
        const LoginFlow f = flow("https://gw.example.com/bg");
        Request r = request("127.0.0.1", "203.0.113.9");
        CPPUNIT_ASSERT_EQUAL(std::string("/bg/page?a=1"),
                             f.nextTarget(r, {{"next", "https://gw.example.com/bg/page?a=1"}}));
        CPPUNIT_ASSERT_EQUAL(std::string("/"), f.nextTarget(r, {{"next", "https://evil.example/"}}));
        CPPUNIT_ASSERT_EQUAL(std::string("/after"), f.nextTarget(r, {{"next", "/after"}}));
    }

    void testLoggedIn()
    {
        Session s;
        CPPUNIT_ASSERT(!LoginFlow::loggedIn(s));
        s.data["login:x-user:state"] = "pending";
        s.data["user.id"] = "1";
        CPPUNIT_ASSERT(!LoginFlow::loggedIn(s)); // a login under way is not a login
        s.data["token:cid"] = "";
        CPPUNIT_ASSERT(!LoginFlow::loggedIn(s));
        s.data["token:cid"] = "at";
        CPPUNIT_ASSERT(LoginFlow::loggedIn(s));
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(LoginFlowTest);
