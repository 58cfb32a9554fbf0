// TwitterClient::build(): where the query and the form go for each method,
// which Content-Type, that the Authorization header signs exactly the query
// and form parameters (recomputed here with the oauth1 functions, so a
// signing rule change shows), and the fixed headers. No network: build()
// is pure.
#include "birdgate/twitter/TwitterClient.h"

#include "TestSupport.h"

#include <cppunit/TestFixture.h>
#include <cppunit/extensions/HelperMacros.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

using namespace birdgate;

namespace
{
const oauth1::Credentials CREDS{"ckey", "csecret", "utoken", "usecret", oauth1::SignatureMethod::HmacSha1};

std::string headerOf(const UpstreamRequest& r, const std::string& name)
{
    const std::string* v = findHeader(r.headers, name);
    return v ? *v : std::string("<absent>");
}

/// Checks the request's oauth_signature against the base string of
/// `method`, `baseUrl` and `params` plus the header's own oauth_* fields.
/// Returns the header's oauth_* fields.
oauth1::Params verifySignature(const UpstreamRequest& r, const std::string& method, const std::string& baseUrl,
                               const oauth1::Params& params)
{
    oauth1::Params oauth;
    CPPUNIT_ASSERT(oauth1::parseAuthorizationHeader(headerOf(r, "Authorization"), oauth));
    oauth1::Params all = params;
    std::string signature;
    for (const auto& [k, v] : oauth)
    {
        if (k == "oauth_signature")
            signature = v;
        else
            all.emplace_back(k, v);
    }
    CPPUNIT_ASSERT(!signature.empty());
    std::string expected = oauth1::sign(CREDS.method, oauth1::signatureBaseString(method, baseUrl, all),
                                        CREDS.consumerSecret, CREDS.tokenSecret);
    CPPUNIT_ASSERT_EQUAL(expected, signature);
    return oauth;
}

std::string valueOf(const oauth1::Params& params, const std::string& name)
{
    for (const auto& [k, v] : params)
        if (k == name) return v;
    return "<absent>";
}
} // namespace

class TwitterClientTest : public CppUnit::TestFixture
{
    CPPUNIT_TEST_SUITE(TwitterClientTest);
    CPPUNIT_TEST(testGetPutsQueryAndFormInQueryAndSignsBoth);
    CPPUNIT_TEST(testPostPutsFormInBody);
    CPPUNIT_TEST(testJsonBodyIsUnsigned);
    CPPUNIT_TEST(testDeletePutsFormInQuery);
    CPPUNIT_TEST(testPortInSignedUrlAndExtraOAuthParams);
    CPPUNIT_TEST(testFixedHeadersAndOverrides);
    CPPUNIT_TEST(testSendBlockingGoesOnTheWire);
    CPPUNIT_TEST_SUITE_END();

  public:
    void testGetPutsQueryAndFormInQueryAndSignsBoth()
    {
        TwitterClient client({"https", "api.x.com", 443}, std::make_shared<UpstreamPool>());
        TwitterCall call;
        call.method = "GET";
        call.path = "/1.1/search/tweets.json";
        call.query = {{"q", "beer & wine"}, {"count", "2"}};
        call.form = {{"lang", "en"}, {"q", "ale"}};
        UpstreamRequest r = client.build(call, OAuth1Authorizer(CREDS));
        CPPUNIT_ASSERT_EQUAL(std::string("GET"), r.method);
        CPPUNIT_ASSERT_EQUAL(std::string("/1.1/search/tweets.json?q=beer%20%26%20wine&count=2&lang=en&q=ale"),
                             r.target);
        CPPUNIT_ASSERT_EQUAL(std::string(), r.body);
        CPPUNIT_ASSERT_EQUAL(std::string("<absent>"), headerOf(r, "Content-Type"));
        oauth1::Params oauth = verifySignature(r, "GET", "https://api.x.com/1.1/search/tweets.json",
                                               {{"q", "beer & wine"}, {"count", "2"}, {"lang", "en"}, {"q", "ale"}});
        CPPUNIT_ASSERT_EQUAL(std::string("ckey"), valueOf(oauth, "oauth_consumer_key"));
        CPPUNIT_ASSERT_EQUAL(std::string("utoken"), valueOf(oauth, "oauth_token"));
    }

    void testPostPutsFormInBody()
    {
        TwitterClient client({"https", "api.x.com", 443}, std::make_shared<UpstreamPool>());
        TwitterCall call;
        call.method = "POST";
        call.path = "/1.1/statuses/update.json";
        call.query = {{"trim_user", "1"}};
        call.form = {{"status", "hello world!"}};
        UpstreamRequest r = client.build(call, OAuth1Authorizer(CREDS));
        CPPUNIT_ASSERT_EQUAL(std::string("/1.1/statuses/update.json?trim_user=1"), r.target);
        CPPUNIT_ASSERT_EQUAL(std::string("status=hello%20world%21"), r.body);
        CPPUNIT_ASSERT_EQUAL(std::string("application/x-www-form-urlencoded"), headerOf(r, "Content-Type"));
        verifySignature(r, "POST", "https://api.x.com/1.1/statuses/update.json",
                        {{"trim_user", "1"}, {"status", "hello world!"}});
    }

    void testJsonBodyIsUnsigned()
    {
        TwitterClient client({"https", "api.x.com", 443}, std::make_shared<UpstreamPool>());
        TwitterCall call;
        call.method = "POST";
        call.path = "/2/tweets";
        call.body = R"({"text":"hi"})";
        call.contentType = "application/json";
        UpstreamRequest r = client.build(call, OAuth1Authorizer(CREDS));
        CPPUNIT_ASSERT_EQUAL(std::string("/2/tweets"), r.target);
        CPPUNIT_ASSERT_EQUAL(call.body, r.body);
        CPPUNIT_ASSERT_EQUAL(std::string("application/json"), headerOf(r, "Content-Type"));
        verifySignature(r, "POST", "https://api.x.com/2/tweets", {}); // no body parameter signed
    }

    void testDeletePutsFormInQuery()
    {
        TwitterClient client({"https", "api.x.com", 443}, std::make_shared<UpstreamPool>());
        TwitterCall call;
        call.method = "DELETE";
        call.path = "/2/tweets/42";
        call.form = {{"a", "b"}};
        UpstreamRequest r = client.build(call, OAuth1Authorizer(CREDS));
        CPPUNIT_ASSERT_EQUAL(std::string("/2/tweets/42?a=b"), r.target);
        CPPUNIT_ASSERT_EQUAL(std::string(), r.body);
        verifySignature(r, "DELETE", "https://api.x.com/2/tweets/42", {{"a", "b"}});
    }

    void testPortInSignedUrlAndExtraOAuthParams()
    {
        // The sandbox on a port of its own: the signed URL keeps it. The
        // request-token step: no user token, oauth_callback signed.
        TwitterClient client({"http", "127.0.0.1", 8123}, std::make_shared<UpstreamPool>());
        TwitterCall call;
        call.method = "POST";
        call.path = "/oauth/request_token";
        oauth1::Credentials app{"ckey", "csecret", "", "", oauth1::SignatureMethod::HmacSha1};
        UpstreamRequest r =
            client.build(call, OAuth1Authorizer(app, {{"oauth_callback", "http://gw.example.com/cb?x=1"}}));
        oauth1::Params oauth;
        CPPUNIT_ASSERT(oauth1::parseAuthorizationHeader(headerOf(r, "Authorization"), oauth));
        CPPUNIT_ASSERT_EQUAL(std::string("http://gw.example.com/cb?x=1"), valueOf(oauth, "oauth_callback"));
        CPPUNIT_ASSERT_EQUAL(std::string("<absent>"), valueOf(oauth, "oauth_token"));
        oauth1::Params all;
        std::string signature;
        for (const auto& [k, v] : oauth)
            if (k == "oauth_signature")
                signature = v;
            else
                all.emplace_back(k, v);
        std::string expected = oauth1::sign(
            app.method, oauth1::signatureBaseString("POST", "http://127.0.0.1:8123/oauth/request_token", all),
            app.consumerSecret, "");
        CPPUNIT_ASSERT_EQUAL(expected, signature);
    }

    void testFixedHeadersAndOverrides()
    {
        TwitterClient client({"https", "api.x.com", 443}, std::make_shared<UpstreamPool>());
        TwitterCall call;
        call.path = "/2/users/me";
        UpstreamRequest r = client.build(call, OAuth1Authorizer(CREDS));
        CPPUNIT_ASSERT_EQUAL(std::string("birdgate/" BIRDGATE_VERSION), headerOf(r, "User-Agent"));
        CPPUNIT_ASSERT_EQUAL(std::string("identity"), headerOf(r, "Accept-Encoding"));
        CPPUNIT_ASSERT(headerOf(r, "Authorization").rfind("OAuth ", 0) == 0);
        call.headers.push_back({"accept-encoding", "gzip"});
        call.headers.push_back({"X-Extra", "1"});
        r = client.build(call, OAuth1Authorizer(CREDS));
        CPPUNIT_ASSERT_EQUAL(std::string("gzip"), headerOf(r, "Accept-Encoding"));
        CPPUNIT_ASSERT_EQUAL(std::string("1"), headerOf(r, "X-Extra"));
    }

    void testSendBlockingGoesOnTheWire()
    {
        // One connection on 127.0.0.1: captures the request, answers 200.
        int listener = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
        socklen_t len = sizeof addr;
        ::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len);
        ::listen(listener, 1);
        std::string seen;
        std::thread server([&] {
            int fd = ::accept(listener, nullptr, nullptr);
            char buf[4096];
            while (seen.find("\r\n\r\n") == std::string::npos)
            {
                ssize_t n = ::recv(fd, buf, sizeof buf, 0);
                if (n <= 0) break;
                seen.append(buf, static_cast<std::size_t>(n));
            }
            const std::string answer = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}";
            ::send(fd, answer.data(), answer.size(), MSG_NOSIGNAL);
            ::close(fd);
        });
        TwitterClient client({"http", "127.0.0.1", ntohs(addr.sin_port)}, std::make_shared<UpstreamPool>());
        TwitterCall call;
        call.path = "/2/users/me";
        call.query = {{"user.fields", "id"}};
        UpstreamResponse r = client.sendBlocking(call, OAuth1Authorizer(CREDS), UpstreamLimits{});
        server.join();
        ::close(listener);
        CPPUNIT_ASSERT_EQUAL(200, r.status);
        CPPUNIT_ASSERT_EQUAL(std::string("{}"), r.body);
        CPPUNIT_ASSERT(seen.rfind("GET /2/users/me?user.fields=id HTTP/1.1\r\n", 0) == 0);
        CPPUNIT_ASSERT(seen.find("\r\nHost: 127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "\r\n") !=
                       std::string::npos);
        CPPUNIT_ASSERT(seen.find("\r\nAuthorization: OAuth ") != std::string::npos);
        CPPUNIT_ASSERT(seen.find("\r\nUser-Agent: birdgate/" BIRDGATE_VERSION "\r\n") != std::string::npos);
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(TwitterClientTest);
