// The sandbox's OAuth 2.0 server (SandboxOAuth2 and its pages) over real
// HTTP: the authorize page and every refusal it makes, the token endpoint's
// grants and client authentication, code and token lifetimes on an injected
// clock, refresh-token rotation and revocation, and garbage input.
#include "TestSupport.h"

#include "SandboxServer.h"

#include <set>

using namespace birdgate;
using namespace birdgate::test;
using Poco::JSON::Object;

namespace
{
const std::string VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"; // RFC 7636 appendix B
const std::string SCOPES = "tweet.read users.read offline.access";

std::string error(const SandboxReply& r)
{
    return r.str("error");
}
} // namespace

class SandboxOAuth2Test : public CppUnit::TestFixture
{
    CPPUNIT_TEST_SUITE(SandboxOAuth2Test);
    CPPUNIT_TEST(testS256);
    CPPUNIT_TEST(testAuthorizePage);
    CPPUNIT_TEST(testAuthorizeErrorPages);
    CPPUNIT_TEST(testAuthorizeRedirectedRefusals);
    CPPUNIT_TEST(testCancel);
    CPPUNIT_TEST(testCodeExchange);
    CPPUNIT_TEST(testWrongVerifier);
    CPPUNIT_TEST(testReplayedCode);
    CPPUNIT_TEST(testExpiredCode);
    CPPUNIT_TEST(testRedirectUriMustMatch);
    CPPUNIT_TEST(testPlainChallenge);
    CPPUNIT_TEST(testPublicClient);
    CPPUNIT_TEST(testConfidentialClientAuth);
    CPPUNIT_TEST(testBadGrantType);
    CPPUNIT_TEST(testGarbage);
    CPPUNIT_TEST(testRefreshRotation);
    CPPUNIT_TEST(testRevoke);
    CPPUNIT_TEST(testExpiredToken);
    CPPUNIT_TEST(testAutoApprove);
    CPPUNIT_TEST(testKwargs);
    CPPUNIT_TEST_SUITE_END();

  public:
    void testS256()
    {
        CPPUNIT_ASSERT_EQUAL(std::string("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"), SandboxOAuth2::s256(VERIFIER));
        CPPUNIT_ASSERT(SandboxOAuth2::validPkceString(VERIFIER));
        CPPUNIT_ASSERT(!SandboxOAuth2::validPkceString(""));
        CPPUNIT_ASSERT(!SandboxOAuth2::validPkceString("a b"));
        CPPUNIT_ASSERT(!SandboxOAuth2::validPkceString(std::string(129, 'a')));
    }

    void testAuthorizePage()
    {
        SandboxServer s;
        SandboxReply r = s.authorizeGet(SandboxServer::authorizeParams("conf-id", CONF_CALLBACK, SCOPES, VERIFIER));
        CPPUNIT_ASSERT_EQUAL(200, r.status);
        CPPUNIT_ASSERT(r.header("Content-Type").find("text/html") == 0);
        CPPUNIT_ASSERT(r.header("Location").empty());
        for (const char* part : {"Confidential App", "value=\"authorize\"", "value=\"cancel\"", "tweet.read",
                                 "offline.access", "name=\"code_challenge\"", "@alice"})
            CPPUNIT_ASSERT_MESSAGE(part, r.body.find(part) != std::string::npos);
        CPPUNIT_ASSERT_EQUAL(std::string("no-store"), r.header("Cache-Control"));
        // Both registered callbacks work; the Authorize button redirects with state and code.
        for (const char* cb : {CONF_CALLBACK, "http://localhost:9988/x-user/"})
        {
            r = s.authorizePost(SandboxServer::authorizeParams("conf-id", cb, SCOPES, VERIFIER), "authorize");
            CPPUNIT_ASSERT_EQUAL(302, r.status);
            CPPUNIT_ASSERT_EQUAL(std::string(cb), r.locationBase());
            CPPUNIT_ASSERT_EQUAL(std::string("st4te"), r.location()["state"]);
            CPPUNIT_ASSERT(r.location()["code"].size() >= 43);
        }
        // No user chosen: the page again, 400.
        auto params = SandboxServer::authorizeParams("conf-id", CONF_CALLBACK, SCOPES, VERIFIER);
        r = s.authorizePost(params, "authorize", "not a name!");
        CPPUNIT_ASSERT_EQUAL(400, r.status);
        CPPUNIT_ASSERT(r.header("Location").empty());
        r = s.authorizePost(params, "dance");
        CPPUNIT_ASSERT_EQUAL(400, r.status);
        CPPUNIT_ASSERT(r.header("Location").empty());
    }

    void testAuthorizeErrorPages()
    {
        SandboxServer s;
        // Unknown client, missing client, unregistered redirect_uri (also near
        // misses): an error page, never a redirect, on GET and on POST.
        std::vector<oauth1::Params> bad = {
            SandboxServer::authorizeParams("nobody", CONF_CALLBACK, SCOPES, VERIFIER),
            SandboxServer::authorizeParams("", CONF_CALLBACK, SCOPES, VERIFIER),
            SandboxServer::authorizeParams("conf-id", "http://evil.example/x-user/", SCOPES, VERIFIER),
            SandboxServer::authorizeParams("conf-id", "http://127.0.0.1:9988/x-user", SCOPES, VERIFIER),
            SandboxServer::authorizeParams("conf-id", "http://127.0.0.1:9988/x-user/?a=1", SCOPES, VERIFIER),
            SandboxServer::authorizeParams("conf-id", "HTTP://127.0.0.1:9988/x-user/", SCOPES, VERIFIER),
            SandboxServer::authorizeParams("conf-id", "", SCOPES, VERIFIER),
            SandboxServer::authorizeParams("conf-id", PUB_CALLBACK, SCOPES, VERIFIER), // the other app's
        };
        for (const auto& p : bad)
        {
            SandboxReply r = s.authorizeGet(p);
            CPPUNIT_ASSERT_EQUAL(400, r.status);
            CPPUNIT_ASSERT(r.header("Location").empty());
            CPPUNIT_ASSERT(r.body.find("not valid") != std::string::npos);
            r = s.authorizePost(p, "authorize");
            CPPUNIT_ASSERT_EQUAL(400, r.status);
            CPPUNIT_ASSERT(r.header("Location").empty());
            r = s.authorizePost(p, "cancel");
            CPPUNIT_ASSERT(r.header("Location").empty());
        }
        // Nothing at all.
        SandboxReply r = s.raw("GET", "/sandbox/i/oauth2/authorize");
        CPPUNIT_ASSERT_EQUAL(400, r.status);
        CPPUNIT_ASSERT(r.header("Location").empty());
    }

    void testAuthorizeRedirectedRefusals()
    {
        SandboxServer s;
        auto expect = [&](oauth1::Params p, const std::string& errorCode, bool withState = true) {
            for (bool post : {false, true})
            {
                SandboxReply r = post ? s.authorizePost(p, "authorize") : s.authorizeGet(p);
                CPPUNIT_ASSERT_EQUAL(302, r.status);
                CPPUNIT_ASSERT_EQUAL(std::string(CONF_CALLBACK), r.locationBase());
                auto q = r.location();
                CPPUNIT_ASSERT_EQUAL(errorCode, q["error"]);
                CPPUNIT_ASSERT(q.count("code") == 0);
                if (withState) CPPUNIT_ASSERT_EQUAL(std::string("st4te"), q["state"]);
            }
        };
        auto with = [](oauth1::Params p, const std::string& key, const std::string& value) {
            bool found = false;
            for (auto& [k, v] : p)
                if (k == key)
                {
                    v = value;
                    found = true;
                }
            if (!found) p.emplace_back(key, value);
            return p;
        };
        auto without = [](oauth1::Params p, const std::string& key) {
            std::erase_if(p, [&](const auto& kv) { return kv.first == key; });
            return p;
        };
        auto base = SandboxServer::authorizeParams("conf-id", CONF_CALLBACK, SCOPES, VERIFIER);
        expect(with(base, "scope", "tweet.read like.read"), "invalid_scope"); // not the app's
        expect(with(base, "scope", "tweet.read nonsense"), "invalid_scope");  // not X's
        expect(with(base, "scope", ""), "invalid_scope");
        expect(without(base, "scope"), "invalid_scope");
        expect(with(base, "response_type", "token"), "unsupported_response_type");
        expect(with(base, "code_challenge_method", "S512"), "invalid_request");
        expect(without(base, "code_challenge"), "invalid_request");
        expect(with(base, "code_challenge", "short"), "invalid_request"); // S256 is 43 characters
        expect(with(base, "code_challenge", std::string(43, '+')), "invalid_request");
        expect(without(base, "state"), "invalid_request", false);
        // The public client's scopes are narrower.
        SandboxReply r =
            s.authorizeGet(SandboxServer::authorizeParams("pub-id", PUB_CALLBACK, "tweet.write", VERIFIER));
        CPPUNIT_ASSERT_EQUAL(302, r.status);
        CPPUNIT_ASSERT_EQUAL(std::string("invalid_scope"), r.location()["error"]);
    }

    void testCancel()
    {
        SandboxServer s;
        SandboxReply r = s.authorizePost(
            SandboxServer::authorizeParams("conf-id", CONF_CALLBACK, SCOPES, VERIFIER, "my state&x=1"), "cancel");
        CPPUNIT_ASSERT_EQUAL(302, r.status);
        CPPUNIT_ASSERT_EQUAL(std::string(CONF_CALLBACK), r.locationBase());
        auto q = r.location();
        CPPUNIT_ASSERT_EQUAL(std::string("access_denied"), q["error"]);
        CPPUNIT_ASSERT_EQUAL(std::string("my state&x=1"), q["state"]);
        CPPUNIT_ASSERT(q.count("code") == 0);
    }

    void testCodeExchange()
    {
        SandboxServer s;
        SandboxReply r = s.exchange(s.code(VERIFIER), VERIFIER);
        CPPUNIT_ASSERT_EQUAL(200, r.status);
        Object::Ptr o = r.object();
        CPPUNIT_ASSERT_EQUAL(std::string("bearer"), o->getValue<std::string>("token_type"));
        CPPUNIT_ASSERT_EQUAL(600, o->getValue<int>("expires_in"));
        CPPUNIT_ASSERT_EQUAL(std::string("offline.access tweet.read users.read"), o->getValue<std::string>("scope"));
        std::string access = o->getValue<std::string>("access_token");
        std::string refresh = o->getValue<std::string>("refresh_token");
        CPPUNIT_ASSERT(access.size() >= 40 && refresh.size() >= 40 && access != refresh);
        CPPUNIT_ASSERT_EQUAL(std::string("no-store"), r.header("Cache-Control"));
        r = s.bearer(access, "2/users/me");
        CPPUNIT_ASSERT_EQUAL(200, r.status);
        CPPUNIT_ASSERT_EQUAL(std::string("alice"), r.object()->getObject("data")->getValue<std::string>("username"));
        // Without offline.access: no refresh token.
        r = s.exchange(s.code(VERIFIER, "tweet.read users.read"), VERIFIER);
        CPPUNIT_ASSERT_EQUAL(200, r.status);
        CPPUNIT_ASSERT(!r.object()->has("refresh_token"));
        // Two logins, two different tokens.
        CPPUNIT_ASSERT(s.login().str("access_token") != s.login().str("access_token"));
    }

    void testWrongVerifier()
    {
        SandboxServer s;
        std::string code = s.code(VERIFIER);
        SandboxReply r = s.exchange(code, "wrong-" + VERIFIER);
        CPPUNIT_ASSERT_EQUAL(400, r.status);
        CPPUNIT_ASSERT_EQUAL(std::string("invalid_grant"), error(r));
        CPPUNIT_ASSERT(!r.str("error_description").empty());
        // The code was spent by the failed try.
        r = s.exchange(code, VERIFIER);
        CPPUNIT_ASSERT_EQUAL(std::string("invalid_grant"), error(r));
        // The challenge itself is not a verifier (S256).
        code = s.code(VERIFIER);
        r = s.exchange(code, SandboxOAuth2::s256(VERIFIER));
        CPPUNIT_ASSERT_EQUAL(std::string("invalid_grant"), error(r));
        // A missing verifier is a malformed request.
        r = s.token(
            {{"grant_type", "authorization_code"}, {"code", s.code(VERIFIER)}, {"redirect_uri", CONF_CALLBACK}});
        CPPUNIT_ASSERT_EQUAL(std::string("invalid_request"), error(r));
    }

    void testReplayedCode()
    {
        SandboxServer s;
        std::string code = s.code(VERIFIER);
        SandboxReply first = s.exchange(code, VERIFIER);
        CPPUNIT_ASSERT_EQUAL(200, first.status);
        std::string access = first.str("access_token");
        CPPUNIT_ASSERT_EQUAL(200, s.bearer(access, "2/users/me").status);
        SandboxReply again = s.exchange(code, VERIFIER);
        CPPUNIT_ASSERT_EQUAL(400, again.status);
        CPPUNIT_ASSERT_EQUAL(std::string("invalid_grant"), error(again));
        // RFC 6749 4.1.2: the replay revokes what the code gave.
        CPPUNIT_ASSERT_EQUAL(401, s.bearer(access, "2/users/me").status);
        SandboxReply r = s.token({{"grant_type", "refresh_token"}, {"refresh_token", first.str("refresh_token")}});
        CPPUNIT_ASSERT_EQUAL(std::string("invalid_grant"), error(r));
        // A code never issued.
        CPPUNIT_ASSERT_EQUAL(std::string("invalid_grant"), error(s.exchange("made-up-code", VERIFIER)));
    }

    void testExpiredCode()
    {
        SandboxServer s;
        std::string code = s.code(VERIFIER);
        s.clock.advance(std::chrono::seconds(SandboxOAuth2::CODE_TTL));
        SandboxReply r = s.exchange(code, VERIFIER);
        CPPUNIT_ASSERT_EQUAL(400, r.status);
        CPPUNIT_ASSERT_EQUAL(std::string("invalid_grant"), error(r));
        code = s.code(VERIFIER);
        s.clock.advance(std::chrono::seconds(SandboxOAuth2::CODE_TTL - 1));
        CPPUNIT_ASSERT_EQUAL(200, s.exchange(code, VERIFIER).status);
    }

    void testRedirectUriMustMatch()
    {
        SandboxServer s;
        // Registered, but not the one the code was issued for.
        SandboxReply r = s.exchange(s.code(VERIFIER), VERIFIER, "http://localhost:9988/x-user/");
        CPPUNIT_ASSERT_EQUAL(std::string("invalid_grant"), error(r));
        r = s.token({{"grant_type", "authorization_code"}, {"code", s.code(VERIFIER)}, {"code_verifier", VERIFIER}});
        CPPUNIT_ASSERT_EQUAL(std::string("invalid_request"), error(r));
    }

    void testPlainChallenge()
    {
        SandboxServer s;
        auto params = SandboxServer::authorizeParams("conf-id", CONF_CALLBACK, SCOPES, VERIFIER);
        for (auto& [k, v] : params)
        {
            if (k == "code_challenge") v = "challenge"; // X's own example
            if (k == "code_challenge_method") v = "plain";
        }
        std::string code = s.authorizePost(params, "authorize").location()["code"];
        CPPUNIT_ASSERT_EQUAL(std::string("invalid_grant"), error(s.exchange(code, "Challenge")));
        code = s.authorizePost(params, "authorize").location()["code"];
        CPPUNIT_ASSERT_EQUAL(200, s.exchange(code, "challenge").status);
        // No method given: plain (RFC 7636 4.3).
        std::erase_if(params, [](const auto& kv) { return kv.first == "code_challenge_method"; });
        code = s.authorizePost(params, "authorize").location()["code"];
        CPPUNIT_ASSERT(!code.empty());
        CPPUNIT_ASSERT_EQUAL(200, s.exchange(code, "challenge").status);
    }

    void testPublicClient()
    {
        SandboxServer s;
        std::string code = s.code(VERIFIER, SCOPES, "pub-id", PUB_CALLBACK);
        oauth1::Params form = {{"grant_type", "authorization_code"},
                               {"code", code},
                               {"redirect_uri", PUB_CALLBACK},
                               {"code_verifier", VERIFIER},
                               {"client_id", "pub-id"}};
        SandboxReply r = s.token(form, "");
        CPPUNIT_ASSERT_EQUAL(200, r.status);
        std::string refresh = r.str("refresh_token");
        // Refresh as a public client too.
        r = s.token({{"grant_type", "refresh_token"}, {"refresh_token", refresh}, {"client_id", "pub-id"}}, "");
        CPPUNIT_ASSERT_EQUAL(200, r.status);
        refresh = r.str("refresh_token");
        // A public client has no secret to send.
        r = s.token({{"grant_type", "refresh_token"}, {"refresh_token", refresh}}, basicAuth("pub-id:guess"));
        CPPUNIT_ASSERT_EQUAL(std::string("invalid_client"), error(r));
        // Without any client id.
        r = s.token({{"grant_type", "refresh_token"}, {"refresh_token", refresh}}, "");
        CPPUNIT_ASSERT_EQUAL(std::string("invalid_request"), error(r));
        // The confidential client cannot use the public one's tokens or codes.
        r = s.token({{"grant_type", "refresh_token"}, {"refresh_token", refresh}});
        CPPUNIT_ASSERT_EQUAL(std::string("invalid_grant"), error(r));
        code = s.code(VERIFIER, SCOPES, "pub-id", PUB_CALLBACK);
        CPPUNIT_ASSERT_EQUAL(std::string("invalid_grant"), error(s.exchange(code, VERIFIER, PUB_CALLBACK)));
        // Still valid for its owner after those refusals.
        r = s.token({{"grant_type", "refresh_token"}, {"refresh_token", refresh}, {"client_id", "pub-id"}}, "");
        CPPUNIT_ASSERT_EQUAL(200, r.status);
    }

    void testConfidentialClientAuth()
    {
        SandboxServer s;
        auto form = [&] {
            return oauth1::Params{{"grant_type", "authorization_code"},
                                  {"code", s.code(VERIFIER)},
                                  {"redirect_uri", CONF_CALLBACK},
                                  {"code_verifier", VERIFIER}};
        };
        // client_id in the body is not enough for a confidential client.
        oauth1::Params f = form();
        f.emplace_back("client_id", "conf-id");
        CPPUNIT_ASSERT_EQUAL(std::string("invalid_client"), error(s.token(f, "")));
        f.emplace_back("client_secret", "conf-secret");
        CPPUNIT_ASSERT_EQUAL(std::string("invalid_client"), error(s.token(f, "")));
        CPPUNIT_ASSERT_EQUAL(std::string("invalid_client"), error(s.token(form(), basicAuth("conf-id:wrong"))));
        CPPUNIT_ASSERT_EQUAL(std::string("invalid_client"), error(s.token(form(), basicAuth("conf-id:"))));
        CPPUNIT_ASSERT_EQUAL(std::string("invalid_client"), error(s.token(form(), basicAuth("who:conf-secret"))));
        // The body's client_id must agree with Basic's.
        f = form();
        f.emplace_back("client_id", "pub-id");
        CPPUNIT_ASSERT_EQUAL(std::string("invalid_request"), error(s.token(f)));
        // RFC 6749 2.3.1 form-encoding of the Basic parts is understood.
        CPPUNIT_ASSERT_EQUAL(200, s.token(form(), basicAuth("conf%2Did:conf%2Dsecret")).status);
        CPPUNIT_ASSERT_EQUAL(200, s.token(form()).status);
    }

    void testBadGrantType()
    {
        SandboxServer s;
        for (const char* grant : {"", "password", "client_credentials", "implicit", "AUTHORIZATION_CODE"})
        {
            oauth1::Params f = {
                {"code", s.code(VERIFIER)}, {"redirect_uri", CONF_CALLBACK}, {"code_verifier", VERIFIER}};
            if (*grant) f.emplace_back("grant_type", grant);
            SandboxReply r = s.token(f);
            CPPUNIT_ASSERT_EQUAL_MESSAGE(grant, 400, r.status);
            CPPUNIT_ASSERT_EQUAL_MESSAGE(grant, std::string("invalid_request"), error(r));
        }
    }

    void testGarbage()
    {
        SandboxServer s;
        oauth1::Params good = {{"grant_type", "refresh_token"}, {"refresh_token", "x"}};
        // Garbage Authorization headers: 400 JSON, never a crash or a 200.
        for (const std::string& h :
             std::vector<std::string>{"Basic", "Basic ", "Basic %%%", "Basic " + std::string(5000, 'A'), "Bearer abc",
                                      "OAuth x=1", basicAuth("no colon here"), basicAuth(":"),
                                      std::string("\x01\x02\xff", 3), basicAuth(std::string("\0:\xff", 3))})
        {
            SandboxReply r = s.token(good, h);
            CPPUNIT_ASSERT_EQUAL(400, r.status);
            std::string e = error(r);
            CPPUNIT_ASSERT_MESSAGE(h + " -> " + e, e == "invalid_client" || e == "invalid_request");
        }
        // Garbage bodies.
        auto post = [&](const std::string& body, const std::string& type) {
            return s.raw("POST", "/sandbox/2/oauth2/token", body, {{"Authorization", basicAuth("conf-id:conf-secret")}},
                         type);
        };
        for (const std::string& body :
             std::vector<std::string>{"grant_type=%ZZ", "%", "&&==&", std::string("\0\xff=\x01", 4), "", "code"})
        {
            SandboxReply r = post(body, "application/x-www-form-urlencoded");
            CPPUNIT_ASSERT_EQUAL(400, r.status);
            CPPUNIT_ASSERT_EQUAL(std::string("invalid_request"), error(r));
        }
        SandboxReply r = post("{\"grant_type\":\"refresh_token\"}", "application/json");
        CPPUNIT_ASSERT_EQUAL(std::string("invalid_request"), error(r));
        r = s.raw("POST", "/sandbox/2/oauth2/revoke", "token=%G1",
                  {{"Authorization", basicAuth("conf-id:conf-secret")}});
        CPPUNIT_ASSERT_EQUAL(std::string("invalid_request"), error(r));
        // The token endpoint is POST only.
        CPPUNIT_ASSERT_EQUAL(404, s.raw("GET", "/sandbox/2/oauth2/token?grant_type=refresh_token").status);
        // Garbage authorize queries: the error page.
        r = s.raw("GET", "/sandbox/i/oauth2/authorize?client_id=%ZZ");
        CPPUNIT_ASSERT_EQUAL(400, r.status);
        CPPUNIT_ASSERT(r.header("Location").empty());
        r = s.raw("GET", "/sandbox/i/oauth2/authorize?" + std::string(3000, '&') + "client_id=conf-id");
        CPPUNIT_ASSERT_EQUAL(400, r.status);
        // Still serving.
        CPPUNIT_ASSERT_EQUAL(200, s.login().status);
    }

    void testRefreshRotation()
    {
        SandboxServer s;
        SandboxReply first = s.login("tweet.read tweet.write users.read offline.access");
        std::string access1 = first.str("access_token"), refresh1 = first.str("refresh_token");
        SandboxReply second = s.token({{"grant_type", "refresh_token"}, {"refresh_token", refresh1}});
        CPPUNIT_ASSERT_EQUAL(200, second.status);
        std::string access2 = second.str("access_token"), refresh2 = second.str("refresh_token");
        CPPUNIT_ASSERT(access2 != access1 && refresh2 != refresh1 && !refresh2.empty());
        CPPUNIT_ASSERT_EQUAL(first.str("scope"), second.str("scope"));
        CPPUNIT_ASSERT_EQUAL(600, second.object()->getValue<int>("expires_in"));
        // The old refresh token is spent; the new one works once.
        SandboxReply r = s.token({{"grant_type", "refresh_token"}, {"refresh_token", refresh1}});
        CPPUNIT_ASSERT_EQUAL(400, r.status);
        CPPUNIT_ASSERT_EQUAL(std::string("invalid_grant"), error(r));
        CPPUNIT_ASSERT_EQUAL(200, s.bearer(access2, "2/users/me").status);
        // Access tokens already issued live out their life.
        CPPUNIT_ASSERT_EQUAL(200, s.bearer(access1, "2/users/me").status);
        // Narrowing the scope is allowed, widening is not.
        r = s.token({{"grant_type", "refresh_token"},
                     {"refresh_token", refresh2},
                     {"scope", "tweet.read users.read offline.access"}});
        CPPUNIT_ASSERT_EQUAL(200, r.status);
        CPPUNIT_ASSERT_EQUAL(std::string("offline.access tweet.read users.read"), r.str("scope"));
        std::string narrowed = r.str("access_token");
        CPPUNIT_ASSERT_EQUAL(403, s.bearer(narrowed, "2/tweets", "POST", "{\"text\":\"hi\"}").status);
        r = s.token(
            {{"grant_type", "refresh_token"}, {"refresh_token", r.str("refresh_token")}, {"scope", "like.read"}});
        CPPUNIT_ASSERT_EQUAL(std::string("invalid_scope"), error(r));
        // A missing refresh token.
        CPPUNIT_ASSERT_EQUAL(std::string("invalid_request"), error(s.token({{"grant_type", "refresh_token"}})));
    }

    void testRevoke()
    {
        SandboxServer s;
        auto revoke = [&](const oauth1::Params& form, const std::string& auth = basicAuth("conf-id:conf-secret")) {
            SandboxServer::Headers h;
            if (!auth.empty()) h.emplace_back("Authorization", auth);
            return s.raw("POST", "/sandbox/2/oauth2/revoke", oauth1::encodeForm(form), h);
        };
        SandboxReply login = s.login();
        std::string access = login.str("access_token"), refresh = login.str("refresh_token");
        // Client authentication and the token are required.
        CPPUNIT_ASSERT_EQUAL(std::string("invalid_client"), error(revoke({{"token", access}}, basicAuth("conf-id:x"))));
        CPPUNIT_ASSERT_EQUAL(std::string("invalid_request"), error(revoke({{"token", access}}, "")));
        CPPUNIT_ASSERT_EQUAL(std::string("invalid_request"), error(revoke({})));
        // Another client cannot revoke it (the answer is the same: RFC 7009).
        SandboxReply r = revoke({{"token", access}, {"client_id", "pub-id"}}, "");
        CPPUNIT_ASSERT_EQUAL(200, r.status);
        CPPUNIT_ASSERT_EQUAL(200, s.bearer(access, "2/users/me").status);
        // The owner revokes the access token: 401 from then on, refresh still works.
        r = revoke({{"token", access}, {"token_type_hint", "access_token"}});
        CPPUNIT_ASSERT_EQUAL(200, r.status);
        CPPUNIT_ASSERT(r.object()->getValue<bool>("revoked"));
        r = s.bearer(access, "2/users/me");
        CPPUNIT_ASSERT_EQUAL(401, r.status);
        CPPUNIT_ASSERT_EQUAL(401, r.object()->getValue<int>("status"));
        r = s.token({{"grant_type", "refresh_token"}, {"refresh_token", refresh}});
        CPPUNIT_ASSERT_EQUAL(200, r.status);
        std::string access2 = r.str("access_token"), refresh2 = r.str("refresh_token");
        // Revoking the refresh token ends the grant: its access tokens too.
        CPPUNIT_ASSERT_EQUAL(200, revoke({{"token", refresh2}}).status);
        CPPUNIT_ASSERT_EQUAL(std::string("invalid_grant"),
                             error(s.token({{"grant_type", "refresh_token"}, {"refresh_token", refresh2}})));
        CPPUNIT_ASSERT_EQUAL(401, s.bearer(access2, "2/users/me").status);
        // Unknown tokens: 200 all the same.
        CPPUNIT_ASSERT_EQUAL(200, revoke({{"token", "never-issued"}}).status);
    }

    void testExpiredToken()
    {
        SandboxServer s;
        SandboxReply login = s.login();
        std::string access = login.str("access_token");
        s.clock.advance(std::chrono::seconds(599));
        CPPUNIT_ASSERT_EQUAL(200, s.bearer(access, "2/users/me").status);
        s.clock.advance(std::chrono::seconds(1));
        SandboxReply r = s.bearer(access, "2/users/me");
        CPPUNIT_ASSERT_EQUAL(401, r.status);
        CPPUNIT_ASSERT_EQUAL(std::string("application/problem+json"), r.header("Content-Type"));
        Object::Ptr o = r.object();
        CPPUNIT_ASSERT_EQUAL(std::string("Unauthorized"), o->getValue<std::string>("title"));
        CPPUNIT_ASSERT_EQUAL(401, o->getValue<int>("status"));
        CPPUNIT_ASSERT(o->has("type") && o->has("detail"));
        // The refresh token outlives it.
        r = s.token({{"grant_type", "refresh_token"}, {"refresh_token", login.str("refresh_token")}});
        CPPUNIT_ASSERT_EQUAL(200, r.status);
        CPPUNIT_ASSERT_EQUAL(200, s.bearer(r.str("access_token"), "2/users/me").status);
    }

    void testAutoApprove()
    {
        SandboxServer s(std::string(OAUTH2_KWARGS) + "auto_approve: bob_99\n");
        auto params = SandboxServer::authorizeParams("conf-id", CONF_CALLBACK, SCOPES, VERIFIER);
        SandboxReply r = s.authorizeGet(params);
        CPPUNIT_ASSERT_EQUAL(302, r.status);
        CPPUNIT_ASSERT_EQUAL(std::string("st4te"), r.location()["state"]);
        r = s.exchange(r.location()["code"], VERIFIER);
        CPPUNIT_ASSERT_EQUAL(200, r.status);
        r = s.bearer(r.str("access_token"), "2/users/me");
        CPPUNIT_ASSERT_EQUAL(std::string("bob_99"), r.object()->getObject("data")->getValue<std::string>("username"));
        // It still validates first.
        r = s.authorizeGet(SandboxServer::authorizeParams("conf-id", "http://evil.example/", SCOPES, VERIFIER));
        CPPUNIT_ASSERT_EQUAL(400, r.status);
        CPPUNIT_ASSERT(r.header("Location").empty());
        r = s.authorizeGet(SandboxServer::authorizeParams("conf-id", CONF_CALLBACK, "like.read", VERIFIER));
        CPPUNIT_ASSERT_EQUAL(302, r.status);
        CPPUNIT_ASSERT_EQUAL(std::string("invalid_scope"), r.location()["error"]);
    }

    void testKwargs()
    {
        UrlEntry entry;
        entry.name = "sandbox";
        entry.origin.file = "test.yaml";
        AppConfig app;
        std::vector<std::string> warnings;
        for (const char* bad : {
                 "apps: [{key: k, secret: s, client_secret: x}]",
                 "apps: [{key: k, secret: s, callbacks: [http://a/]}]",
                 "apps: [{key: k, secret: s, client_id: c}]",
                 "apps: [{key: k, secret: s, client_id: c, callbacks: []}]",
                 "apps: [{key: k, secret: s, client_id: c, callbacks: ftp://a/}]",
                 "apps: [{key: k, secret: s, client_id: c, callbacks: 'http://a/#f'}]",
                 "apps: [{key: k, secret: s, client_id: c, callbacks: http://a/, scopes: tweet.reed}]",
                 "apps: [{key: k, secret: s, client_id: c, callbacks: http://a/, scopes: [[x]]}]",
                 "apps: [{key: k, secret: s, client_id: '', callbacks: http://a/}]",
                 "token_lifetime: 0",
                 "auto_approve: 'not a name'",
             })
        {
            entry.kwargs = YAML::Load(bad);
            CPPUNIT_ASSERT_THROW_MESSAGE(bad, TwitterSandbox(entry, app, &warnings), ConfigError);
        }
        // Every new key is known (no warning) and documented.
        entry.kwargs = YAML::Load(OAUTH2_KWARGS);
        TwitterSandbox ok(entry, app, &warnings);
        CPPUNIT_ASSERT_EQUAL(static_cast<size_t>(0), warnings.size());
        for (const char* key : {"token_lifetime", "auto_approve"})
        {
            bool found = false;
            for (const KwargSpec& k : TwitterSandbox::kwargSpec()) found = found || std::string(k.name) == key;
            CPPUNIT_ASSERT_MESSAGE(key, found);
        }
        // Scopes as a list or a space-separated string; absent: all of X's.
        entry.kwargs = YAML::Load("apps: [{key: k, secret: s, client_id: c, callbacks: http://a/}]");
        TwitterSandbox all(entry, app, &warnings);
        CPPUNIT_ASSERT(all.oauth2().client("c")->scopes == SandboxOAuth2::knownScopes());
        CPPUNIT_ASSERT(!all.oauth2().client("c")->confidential());
        CPPUNIT_ASSERT(ok.oauth2().client("conf-id")->confidential());
        CPPUNIT_ASSERT_EQUAL(static_cast<size_t>(3), ok.oauth2().client("pub-id")->scopes.size());
        CPPUNIT_ASSERT_EQUAL(static_cast<size_t>(5), ok.oauth2().client("conf-id")->scopes.size());
        CPPUNIT_ASSERT(ok.oauth2().client("ck3") == nullptr);
        CPPUNIT_ASSERT_EQUAL(600LL, ok.oauth2().tokenLifetime());
    }
};

BIRDGATE_TEST_SUITE(SandboxOAuth2Test);
