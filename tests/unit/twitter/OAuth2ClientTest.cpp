// OAuth2Client (DESIGN.md 3.8): the token requests as they go on the wire
// (a public client names itself in the body and sends no Authorization; a
// confidential one uses HTTP Basic), the code exchange, refresh and
// 2/users/me against a scripted fake X, and the answer parsers against
// garbage; no code, verifier or token in any exception message.
#include "birdgate/twitter/OAuth2Client.h"

#include "FakeUpstream.h"
#include "TestSupport.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <cppunit/TestFixture.h>
#include <cppunit/extensions/HelperMacros.h>

#include <mutex>

using namespace birdgate;
using birdgate::test::FakeUpstream;
using birdgate::test::Peer;
using birdgate::test::waitUntil;

namespace
{
UpstreamResponse answer(int status, std::string body)
{
    UpstreamResponse r;
    r.status = status;
    r.body = std::move(body);
    return r;
}

template <class T> T run(Task<T> task)
{
    boost::asio::io_context ioc;
    return birdgate::test::run(ioc, std::move(task));
}

std::string formOf(const TwitterCall& call)
{
    return oauth1::encodeForm(call.form);
}

std::string http(int status, const std::string& body)
{
    return "HTTP/1.1 " + std::to_string(status) +
           " X\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
           "\r\nConnection: close\r\n\r\n" + body;
}
} // namespace

class OAuth2ClientTest : public CppUnit::TestFixture
{
    CPPUNIT_TEST_SUITE(OAuth2ClientTest);
    CPPUNIT_TEST(testPublicAndConfidentialTokenCalls);
    CPPUNIT_TEST(testExchangeRefreshAndMeOnTheWire);
    CPPUNIT_TEST(testRefusalNamesNoSecret);
    CPPUNIT_TEST(testTokenAnswerGarbage);
    CPPUNIT_TEST(testMeGarbage);
    CPPUNIT_TEST_SUITE_END();

  public:
    void testPublicAndConfidentialTokenCalls()
    {
        auto client = std::make_shared<TwitterClient>(UpstreamTarget{"https", "api.x.com", 443},
                                                      std::make_shared<UpstreamPool>());
        const OAuth2Client pub({"cid", "", "/root", {}}, client);
        TwitterCall call = pub.tokenCall({{"grant_type", "refresh_token"}, {"refresh_token", "r1"}});
        CPPUNIT_ASSERT_EQUAL(std::string("POST"), call.method);
        CPPUNIT_ASSERT_EQUAL(std::string("/root/2/oauth2/token"), call.path);
        CPPUNIT_ASSERT_EQUAL(std::string("grant_type=refresh_token&refresh_token=r1&client_id=cid"), formOf(call));
        const OAuth2Client conf({"c id", "s:ecret", "", {}}, client);
        call = conf.tokenCall({{"grant_type", "refresh_token"}, {"refresh_token", "r1"}});
        CPPUNIT_ASSERT_EQUAL(std::string("grant_type=refresh_token&refresh_token=r1"), formOf(call));
        CPPUNIT_ASSERT_EQUAL(std::string("/2/oauth2/token"), call.path);
    }

    void testExchangeRefreshAndMeOnTheWire()
    {
        std::mutex m;
        std::vector<std::string> seen;
        FakeUpstream fake([&](Peer& peer, int connection) {
            std::string request = peer.readRequest();
            if (request.empty()) return;
            {
                std::lock_guard<std::mutex> lock(m);
                seen.push_back(request);
            }
            if (connection == 2)
                peer.write(http(200, R"({"data":{"id":"2244994945","name":"X Dev","username":"XDevelopers"}})"));
            else
                peer.write(http(200, R"({"token_type":"bearer","expires_in":7200,"access_token":"AT)" +
                                         std::to_string(connection) + R"(","scope":"tweet.read","refresh_token":"RT)" +
                                         std::to_string(connection) + R"("})"));
        });
        auto client = std::make_shared<TwitterClient>(fake.target(), std::make_shared<UpstreamPool>());
        const OAuth2Client conf({"cid", "csecret", "", {}}, client);
        OAuth2Tokens t = run(conf.exchangeCode("the-code", "http://gw/x/", "the-verifier"));
        CPPUNIT_ASSERT_EQUAL(std::string("AT0"), t.access);
        CPPUNIT_ASSERT_EQUAL(std::string("RT0"), t.refresh);
        CPPUNIT_ASSERT_EQUAL(7200LL, t.expiresIn);
        t = run(conf.refresh("RT0"));
        CPPUNIT_ASSERT_EQUAL(std::string("AT1"), t.access);
        OAuth2User user = run(conf.me("AT1"));
        CPPUNIT_ASSERT_EQUAL(std::string("2244994945"), user.id);
        CPPUNIT_ASSERT_EQUAL(std::string("XDevelopers"), user.username);
        CPPUNIT_ASSERT_EQUAL(std::string("X Dev"), user.name);
        CPPUNIT_ASSERT(waitUntil([&] { return fake.finished.load() == 3; }));
        std::lock_guard<std::mutex> lock(m);
        CPPUNIT_ASSERT_EQUAL(std::size_t(3), seen.size());
        const std::string basic = "\r\nAuthorization: Basic " + oauth1::base64("cid:csecret") + "\r\n";
        CPPUNIT_ASSERT(seen[0].rfind("POST /2/oauth2/token HTTP/1.1\r\n", 0) == 0);
        CPPUNIT_ASSERT(seen[0].find(basic) != std::string::npos);
        CPPUNIT_ASSERT(
            seen[0].substr(seen[0].find("\r\n\r\n") + 4) ==
            "grant_type=authorization_code&code=the-code&redirect_uri=http%3A%2F%2Fgw%2Fx%2F&code_verifier=the-"
            "verifier");
        CPPUNIT_ASSERT(seen[1].substr(seen[1].find("\r\n\r\n") + 4) == "grant_type=refresh_token&refresh_token=RT0");
        CPPUNIT_ASSERT(seen[1].find(basic) != std::string::npos);
        CPPUNIT_ASSERT(seen[2].rfind("GET /2/users/me HTTP/1.1\r\n", 0) == 0);
        CPPUNIT_ASSERT(seen[2].find("\r\nAuthorization: Bearer AT1\r\n") != std::string::npos);
    }

    void testRefusalNamesNoSecret()
    {
        FakeUpstream fake([](Peer& peer, int) {
            if (peer.readRequest().empty()) return;
            peer.write(http(400, R"({"error":"invalid_request","error_description":"Value passed for the token )"
                                 R"(was invalid: the-refresh-token"})"));
        });
        auto client = std::make_shared<TwitterClient>(fake.target(), std::make_shared<UpstreamPool>());
        const OAuth2Client pub({"cid", "", "", {}}, client);
        std::string message;
        try
        {
            run(pub.refresh("the-refresh-token"));
        }
        catch (const OAuth2Refused& e)
        {
            message = e.what();
        }
        CPPUNIT_ASSERT(message.find("400") != std::string::npos);
        CPPUNIT_ASSERT(message.find("invalid_request") != std::string::npos);
        CPPUNIT_ASSERT(message.find("the-refresh-token") == std::string::npos);
    }

    void testTokenAnswerGarbage()
    {
        OAuth2Tokens t = OAuth2Client::parseTokenAnswer(
            answer(200, R"({"token_type":"bearer","access_token":"A","expires_in":7200,"refresh_token":"R"})"));
        CPPUNIT_ASSERT_EQUAL(std::string("A"), t.access);
        CPPUNIT_ASSERT_EQUAL(std::string("R"), t.refresh);
        t = OAuth2Client::parseTokenAnswer(answer(200, R"({"token_type":"Bearer","access_token":"A"})"));
        CPPUNIT_ASSERT_EQUAL(0LL, t.expiresIn);
        CPPUNIT_ASSERT(t.refresh.empty());
        const std::vector<UpstreamResponse> garbage = {
            answer(200, ""),
            answer(200, "null"),
            answer(200, "[1]"),
            answer(200, "{\"token_type\":\"bearer\""),
            answer(200, R"({"token_type":"bearer"})"),
            answer(200, R"({"token_type":"mac","access_token":"A"})"),
            answer(200, R"({"token_type":"bearer","access_token":"A B"})"),
            answer(200, R"({"token_type":"bearer","access_token":"A\nB"})"),
            answer(200, R"({"token_type":"bearer","access_token":"A","refresh_token":"R\nX"})"),
            answer(200, R"({"token_type":"bearer","access_token":"A","expires_in":-5})"),
            answer(200, R"({"token_type":"bearer","access_token":"A","expires_in":"soon"})"),
            answer(200, R"({"token_type":"bearer","access_token":"A","expires_in":1e300})"),
            answer(200, R"({"token_type":"bearer","access_token":{"a":1}})"),
            answer(302, ""),
            answer(500, R"({"token_type":"bearer","access_token":"A"})"),
            answer(401, "<html>"),
            answer(400, R"({"error":"invalid grant with spaces and A"})"),
        };
        for (const auto& g : garbage)
        {
            bool refused = false;
            try
            {
                OAuth2Client::parseTokenAnswer(g);
            }
            catch (const OAuth2Error& e)
            {
                const std::string what = e.what();
                refused = what.find("\"A\"") == std::string::npos && what.find("spaces") == std::string::npos;
            }
            CPPUNIT_ASSERT_MESSAGE(g.body, refused);
        }
    }

    void testMeGarbage()
    {
        const std::vector<UpstreamResponse> garbage = {
            answer(200, ""),
            answer(200, "{}"),
            answer(200, R"({"data":[]})"),
            answer(200, R"({"data":{"id":12,"username":"a"}})"),
            answer(200, R"({"data":{"id":"12a","username":"a"}})"),
            answer(200, R"({"data":{"id":"123456789012345678901","username":"a"}})"),
            answer(200, R"({"data":{"id":"1","username":"a\nb"}})"),
            answer(401, R"({"data":{"id":"1","username":"a"}})"),
            answer(200, R"({"errors":[{"title":"Unauthorized"}]})"),
        };
        for (const auto& g : garbage)
        {
            bool refused = false;
            try
            {
                OAuth2Client::parseMe(g);
            }
            catch (const OAuth2Error&)
            {
                refused = true;
            }
            CPPUNIT_ASSERT_MESSAGE(g.body, refused);
        }
        OAuth2User u = OAuth2Client::parseMe(answer(200, R"({"data":{"id":"1","username":"a"}})"));
        CPPUNIT_ASSERT_EQUAL(std::string("1"), u.id);
        CPPUNIT_ASSERT(u.name.empty());
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(OAuth2ClientTest);
