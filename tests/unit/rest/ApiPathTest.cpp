// Path confinement against hostile API paths (DESIGN.md 3.1): whatever the
// client sends, a signed request may only go under the configured endpoint.
#include "TestSupport.h"

#include "birdgate/twitter/Upstream.h"
#include "rest/ApiPath.h"
#include "rest/RestRequest.h"

using birdgate::ApiPath;
using birdgate::BodyKind;
using birdgate::RestRequest;
using birdgate::UpstreamMethodMode;

class ApiPathTest : public CppUnit::TestFixture
{
    CPPUNIT_TEST_SUITE(ApiPathTest);
    CPPUNIT_TEST(testGoodPaths);
    CPPUNIT_TEST(testHostilePaths);
    CPPUNIT_TEST(testWriteEndpoints);
    CPPUNIT_TEST(testUpstreamMethod);
    CPPUNIT_TEST(testParseMethods);
    CPPUNIT_TEST(testPassHeader);
    CPPUNIT_TEST(testUpstreamUrls);
    CPPUNIT_TEST_SUITE_END();

    static std::string ok(const std::string& raw)
    {
        std::string out, why;
        CPPUNIT_ASSERT_MESSAGE("refused: " + raw + " (" + why + ")", ApiPath::confine(raw, out, why));
        return out;
    }

    static void refused(const std::string& raw)
    {
        std::string out = "untouched", why;
        CPPUNIT_ASSERT_MESSAGE("accepted hostile path: " + raw, !ApiPath::confine(raw, out, why));
        CPPUNIT_ASSERT_MESSAGE("no reason for: " + raw, !why.empty());
    }

  public:
    void testGoodPaths()
    {
        CPPUNIT_ASSERT_EQUAL(std::string("search/tweets.json"), ok("search/tweets.json"));
        CPPUNIT_ASSERT_EQUAL(std::string("statuses/retweet/1234567890123456789.json"),
                             ok("statuses/retweet/1234567890123456789.json"));
        CPPUNIT_ASSERT_EQUAL(std::string("2/tweets/search/recent"), ok("2/tweets/search/recent"));
        CPPUNIT_ASSERT_EQUAL(std::string("a~b/c,d/e-f_g.json"), ok("a%7Eb/c%2Cd/e-f_g.json"));
        CPPUNIT_ASSERT_EQUAL(std::string("lists/x:y"), ok("lists/x:y"));
        CPPUNIT_ASSERT_EQUAL(std::string(""), ok(""));
    }

    void testHostilePaths()
    {
        const char* hostile[] = {"../secret",
                                 "a/../../b",
                                 "./a",
                                 "a/./b",
                                 "a/..",
                                 "..",
                                 ".",
                                 "...",
                                 "a//b",
                                 "/a",
                                 "a/",
                                 "//evil.example/x",
                                 "%2e%2e/x",
                                 "%2E%2E%2Fx",
                                 "a%2Fb",
                                 "a%2fb",
                                 "a%5Cb",
                                 "%252e%252e/x",
                                 "%25",
                                 "a\\b",
                                 "a%5c..%5cb",
                                 "user@evil.example/x",
                                 "a%40b",
                                 "a%00b",
                                 "a%0d%0aHost:%20evil",
                                 "a\r\nb",
                                 "a%09b",
                                 "http://evil.example/x",
                                 "https:/evil.example",
                                 "https:evil",
                                 "evil.example:443/x",
                                 "a b",
                                 "a%20b",
                                 "a?b",
                                 "a#b",
                                 "a%3Fb",
                                 "a%23b",
                                 "%",
                                 "%zz",
                                 "%e2%98%83",
                                 "a;b",
                                 "a=b",
                                 "a&b",
                                 "a%",
                                 "search/tweets.json%00.png"};
        for (const char* h : hostile) refused(h);
        refused(std::string("a\0b", 3));
        refused(std::string(600, 'a'));
    }

    void testWriteEndpoints()
    {
        CPPUNIT_ASSERT(RestRequest::isWriteEndpoint("statuses/update.json"));
        CPPUNIT_ASSERT(RestRequest::isWriteEndpoint("statuses/destroy/123.json"));
        CPPUNIT_ASSERT(RestRequest::isWriteEndpoint("statuses/retweet/123.json"));
        CPPUNIT_ASSERT(RestRequest::isWriteEndpoint("friendships/create.json"));
        CPPUNIT_ASSERT(RestRequest::isWriteEndpoint("lists/members/create_all.json"));
        CPPUNIT_ASSERT(RestRequest::isWriteEndpoint("direct_messages/events/new.json"));
        CPPUNIT_ASSERT(RestRequest::isWriteEndpoint("media/upload.json"));
        CPPUNIT_ASSERT(RestRequest::isWriteEndpoint("2/tweets"));
        CPPUNIT_ASSERT(!RestRequest::isWriteEndpoint("search/tweets.json"));
        CPPUNIT_ASSERT(!RestRequest::isWriteEndpoint("statuses/home_timeline.json"));
        CPPUNIT_ASSERT(!RestRequest::isWriteEndpoint("users/lookup.json"));
        CPPUNIT_ASSERT(!RestRequest::isWriteEndpoint("account/verify_credentials.json"));
    }

    void testUpstreamMethod()
    {
        auto m = [](UpstreamMethodMode mode, const char* method, const char* path, BodyKind body) {
            return RestRequest::upstreamMethod(mode, method, path, body);
        };
        using M = UpstreamMethodMode;
        CPPUNIT_ASSERT_EQUAL(std::string("GET"), m(M::Auto, "GET", "search/tweets.json", BodyKind::None));
        CPPUNIT_ASSERT_EQUAL(std::string("GET"), m(M::Auto, "HEAD", "search/tweets.json", BodyKind::None));
        CPPUNIT_ASSERT_EQUAL(std::string("GET"), m(M::Auto, "POST", "search/tweets.json", BodyKind::Form));
        CPPUNIT_ASSERT_EQUAL(std::string("POST"), m(M::Auto, "POST", "statuses/update.json", BodyKind::Form));
        CPPUNIT_ASSERT_EQUAL(std::string("POST"), m(M::Auto, "POST", "search/tweets.json", BodyKind::Json));
        CPPUNIT_ASSERT_EQUAL(std::string("POST"), m(M::Auto, "POST", "search/tweets.json", BodyKind::Multipart));
        CPPUNIT_ASSERT_EQUAL(std::string("DELETE"), m(M::Auto, "DELETE", "2/tweets/1", BodyKind::None));
        CPPUNIT_ASSERT_EQUAL(std::string("PUT"), m(M::Auto, "PUT", "2/x", BodyKind::Json));
        CPPUNIT_ASSERT_EQUAL(std::string("POST"), m(M::Post, "GET", "search/tweets.json", BodyKind::None));
        CPPUNIT_ASSERT_EQUAL(std::string("GET"), m(M::Get, "POST", "statuses/update.json", BodyKind::Form));
        CPPUNIT_ASSERT_EQUAL(std::string("POST"), m(M::Same, "POST", "search/tweets.json", BodyKind::Form));
        CPPUNIT_ASSERT_EQUAL(std::string("GET"), m(M::Same, "HEAD", "search/tweets.json", BodyKind::None));
        CPPUNIT_ASSERT(RestRequest::parseMode("GET") == M::Get);
        CPPUNIT_ASSERT(RestRequest::parseMode("auto") == M::Auto);
        CPPUNIT_ASSERT_THROW(RestRequest::parseMode("sometimes"), std::invalid_argument);
        CPPUNIT_ASSERT(RestRequest::bodyKind("application/x-www-form-urlencoded; charset=UTF-8") == BodyKind::Form);
        CPPUNIT_ASSERT(RestRequest::bodyKind("Application/JSON") == BodyKind::Json);
        CPPUNIT_ASSERT(RestRequest::bodyKind("multipart/form-data; boundary=x") == BodyKind::Multipart);
        CPPUNIT_ASSERT(RestRequest::bodyKind("") == BodyKind::None);
        CPPUNIT_ASSERT(RestRequest::bodyKind("text/plain") == BodyKind::Other);
    }

    void testParseMethods()
    {
        auto s = RestRequest::parseMethods({"get, Post"});
        CPPUNIT_ASSERT_EQUAL(size_t(2), s.size());
        CPPUNIT_ASSERT(s.count("GET") && s.count("POST"));
        CPPUNIT_ASSERT_EQUAL(size_t(1), RestRequest::parseMethods({"POST"}).size());
        CPPUNIT_ASSERT_THROW(RestRequest::parseMethods({"FETCH"}), std::invalid_argument);
        CPPUNIT_ASSERT_THROW(RestRequest::parseMethods({"GET;rm"}), std::invalid_argument);
    }

    void testUpstreamUrls()
    {
        std::string path;
        auto t = birdgate::parseUpstreamUrl("https://api.twitter.com/1.1/", path);
        CPPUNIT_ASSERT(t);
        CPPUNIT_ASSERT_EQUAL(std::string("https"), t->scheme);
        CPPUNIT_ASSERT_EQUAL(std::string("api.twitter.com"), t->host);
        CPPUNIT_ASSERT_EQUAL(443, t->port);
        CPPUNIT_ASSERT_EQUAL(std::string("/1.1/"), path);
        t = birdgate::parseUpstreamUrl("http://127.0.0.1:9988/sandbox", path);
        CPPUNIT_ASSERT(t && t->port == 9988 && path == "/sandbox");
        for (const char* bad : {"ftp://x/", "api.twitter.com/1.1/", "https:///x", "https://x/?a=1", "https://x/#f",
                                "not a url", "", "http://[::1"})
            CPPUNIT_ASSERT_MESSAGE(bad, !birdgate::parseUpstreamUrl(bad, path));
    }

    void testPassHeader()
    {
        CPPUNIT_ASSERT(RestRequest::passHeader("x-rate-limit-remaining"));
        CPPUNIT_ASSERT(RestRequest::passHeader("X-Rate-Limit-Reset"));
        CPPUNIT_ASSERT(RestRequest::passHeader("content-type"));
        CPPUNIT_ASSERT(RestRequest::passHeader("ETag"));
        CPPUNIT_ASSERT(RestRequest::passHeader("Last-Modified"));
        CPPUNIT_ASSERT(!RestRequest::passHeader("Set-Cookie"));
        CPPUNIT_ASSERT(!RestRequest::passHeader("Content-Length"));
        CPPUNIT_ASSERT(!RestRequest::passHeader("Connection"));
        CPPUNIT_ASSERT(!RestRequest::passHeader("Location"));
        for (const char* risky : {"X-Accel-Redirect", "x-accel-buffering", "X-Sendfile", "X-Lighttpd-Send-File",
                                  "X-Forwarded-For", "X-Real-IP"})
            CPPUNIT_ASSERT_MESSAGE(risky, !RestRequest::passHeader(risky));
    }
};

BIRDGATE_TEST_SUITE(ApiPathTest);
