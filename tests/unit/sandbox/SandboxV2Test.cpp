// The sandbox's X API v2 endpoints over real HTTP: app-only bearer, OAuth 2.0
// user tokens and OAuth 1.0a signatures on v2, the data/includes/meta shapes,
// max_results bounds, next_token pagination (no duplicates, stable), scope
// and user-context refusals (403), problem JSON, rate limits per endpoint
// template, posting and deleting, ids resolving wherever they were seen.
#include "TestSupport.h"

#include "SandboxServer.h"

#include <Poco/JSON/Array.h>

#include <set>

using namespace birdgate;
using namespace birdgate::test;
using Poco::JSON::Array;
using Poco::JSON::Object;

namespace
{
std::string appBearer(SandboxServer& s, const std::string& keySecret = "ck:cs")
{
    SandboxReply r = s.raw("POST", "/sandbox/oauth2/token", "grant_type=client_credentials",
                           {{"Authorization", basicAuth(keySecret)}});
    CPPUNIT_ASSERT_EQUAL(200, r.status);
    return r.str("access_token");
}

std::string userToken(SandboxServer& s, const std::string& scope = "tweet.read tweet.write users.read follows.read")
{
    SandboxReply r = s.login(scope);
    CPPUNIT_ASSERT_EQUAL(200, r.status);
    return r.str("access_token");
}

std::vector<std::string> ids(const SandboxReply& r)
{
    std::vector<std::string> out;
    Object::Ptr o = r.object();
    if (!o->has("data")) return out;
    Array::Ptr data = o->getArray("data");
    for (unsigned i = 0; i < data->size(); ++i) out.push_back(data->getObject(i)->getValue<std::string>("id"));
    return out;
}

Object::Ptr meta(const SandboxReply& r)
{
    return r.object()->getObject("meta");
}

std::string parameterOfError(const SandboxReply& r)
{
    Object::Ptr e = r.object()->getArray("errors")->getObject(0);
    auto names = e->getObject("parameters")->getNames();
    return names.empty() ? std::string() : names[0];
}

void assertProblem(const SandboxReply& r, int status)
{
    CPPUNIT_ASSERT_EQUAL_MESSAGE(r.body, status, r.status);
    CPPUNIT_ASSERT_EQUAL(std::string("application/problem+json"), r.header("Content-Type"));
    Object::Ptr o = r.object();
    CPPUNIT_ASSERT_EQUAL(status, o->getValue<int>("status"));
    CPPUNIT_ASSERT(!o->getValue<std::string>("title").empty());
    CPPUNIT_ASSERT(!o->getValue<std::string>("detail").empty());
    CPPUNIT_ASSERT(!o->getValue<std::string>("type").empty());
}
} // namespace

class SandboxV2Test : public CppUnit::TestFixture
{
    CPPUNIT_TEST_SUITE(SandboxV2Test);
    CPPUNIT_TEST(testAppOnlyBearer);
    CPPUNIT_TEST(testSameCorpusAsV1);
    CPPUNIT_TEST(testMaxResultsBounds);
    CPPUNIT_TEST(testSearchPagination);
    CPPUNIT_TEST(testUsers);
    CPPUNIT_TEST(testUserTweetsAndFollowers);
    CPPUNIT_TEST(testFieldsAndExpansions);
    CPPUNIT_TEST(testIdsResolve);
    CPPUNIT_TEST(testPostAndDelete);
    CPPUNIT_TEST(testScopes);
    CPPUNIT_TEST(testOAuth1OnV2);
    CPPUNIT_TEST(testGarbage);
    CPPUNIT_TEST(testRateLimit);
    CPPUNIT_TEST_SUITE_END();

  public:
    void testAppOnlyBearer()
    {
        SandboxServer s;
        std::string bearer = appBearer(s);
        SandboxReply r = s.bearer(bearer, "2/tweets/search/recent?query=beer");
        CPPUNIT_ASSERT_EQUAL(200, r.status);
        CPPUNIT_ASSERT(r.header("Content-Type").find("application/json") == 0);
        CPPUNIT_ASSERT_EQUAL(static_cast<size_t>(10), ids(r).size());
        CPPUNIT_ASSERT_EQUAL(10, meta(r)->getValue<int>("result_count"));
        CPPUNIT_ASSERT_EQUAL(ids(r).front(), meta(r)->getValue<std::string>("newest_id"));
        CPPUNIT_ASSERT_EQUAL(ids(r).back(), meta(r)->getValue<std::string>("oldest_id"));
        CPPUNIT_ASSERT(meta(r)->has("next_token"));
        CPPUNIT_ASSERT_EQUAL(std::string("999"), r.header("x-rate-limit-remaining"));
        CPPUNIT_ASSERT(!r.header("x-rate-limit-limit").empty() && !r.header("x-rate-limit-reset").empty());
        // Default tweet: id, text, edit_history_tweet_ids only.
        Object::Ptr t = r.object()->getArray("data")->getObject(0);
        CPPUNIT_ASSERT(t->getValue<std::string>("text").find("beer") != std::string::npos);
        CPPUNIT_ASSERT(t->has("edit_history_tweet_ids") && !t->has("author_id") && !t->has("created_at"));
        // User context endpoints refuse app-only.
        for (auto [method, path, body] :
             {std::tuple{"GET", "2/users/me", ""}, std::tuple{"POST", "2/tweets", "{\"text\":\"x\"}"},
              std::tuple{"DELETE", "2/tweets/1", ""}})
        {
            r = s.bearer(bearer, path, method, body);
            assertProblem(r, 403);
            CPPUNIT_ASSERT(r.str("type").find("unsupported-authentication") != std::string::npos);
        }
        // Lookups are fine app-only.
        CPPUNIT_ASSERT_EQUAL(200, s.bearer(bearer, "2/users/by/username/jack").status);
    }

    void testSameCorpusAsV1()
    {
        SandboxServer s;
        std::string bearer = appBearer(s);
        SandboxReply v1 = s.bearer(bearer, "1.1/search/tweets.json?q=beer&count=10");
        CPPUNIT_ASSERT_EQUAL(200, v1.status);
        Array::Ptr statuses = v1.object()->getArray("statuses");
        SandboxReply v2 = s.bearer(bearer, "2/tweets/search/recent?query=beer");
        std::vector<std::string> v2ids = ids(v2);
        CPPUNIT_ASSERT_EQUAL(static_cast<size_t>(statuses->size()), v2ids.size());
        for (unsigned i = 0; i < statuses->size(); ++i)
            CPPUNIT_ASSERT_EQUAL(statuses->getObject(i)->getValue<std::string>("id_str"), v2ids[i]);
        // Query operators are left out of the words searched.
        CPPUNIT_ASSERT(ids(s.bearer(bearer, "2/tweets/search/recent?query=beer%20-is%3Aretweet%20lang%3Aen")) != v2ids);
        SandboxReply op = s.bearer(bearer, "2/tweets/search/recent?query=beer%20-is%3Aretweet");
        CPPUNIT_ASSERT_EQUAL(200, op.status);
        Array::Ptr data = op.object()->getArray("data");
        for (unsigned i = 0; i < data->size(); ++i)
            CPPUNIT_ASSERT(data->getObject(i)->getValue<std::string>("text").find("is:retweet") == std::string::npos);
    }

    void testMaxResultsBounds()
    {
        SandboxServer s;
        std::string bearer = appBearer(s);
        for (const char* bad : {"9", "101", "0", "-5", "abc", "", "10.5", "99999999999999999999999"})
        {
            SandboxReply r = s.bearer(bearer, std::string("2/tweets/search/recent?query=tea&max_results=") + bad);
            assertProblem(r, 400);
            CPPUNIT_ASSERT_EQUAL(std::string("max_results"), parameterOfError(r));
            CPPUNIT_ASSERT(r.str("type").find("invalid-request") != std::string::npos);
        }
        CPPUNIT_ASSERT_EQUAL(static_cast<size_t>(10),
                             ids(s.bearer(bearer, "2/tweets/search/recent?query=tea&max_results=10")).size());
        CPPUNIT_ASSERT_EQUAL(static_cast<size_t>(100),
                             ids(s.bearer(bearer, "2/tweets/search/recent?query=tea&max_results=100")).size());
        // The query is required and bounded.
        SandboxReply r = s.bearer(bearer, "2/tweets/search/recent");
        assertProblem(r, 400);
        CPPUNIT_ASSERT_EQUAL(std::string("query"), parameterOfError(r));
        assertProblem(s.bearer(bearer, "2/tweets/search/recent?query=%20%20"), 400);
        assertProblem(s.bearer(bearer, "2/tweets/search/recent?query=" + std::string(513, 'a')), 400);
        // Followers: 1-1000, user tweets: 5-100.
        std::string jack =
            s.bearer(bearer, "2/users/by/username/jack").object()->getObject("data")->getValue<std::string>("id");
        assertProblem(s.bearer(bearer, "2/users/" + jack + "/followers?max_results=1001"), 400);
        assertProblem(s.bearer(bearer, "2/users/" + jack + "/tweets?max_results=4"), 400);
    }

    void testSearchPagination()
    {
        SandboxServer s; // statuses: 300
        std::string bearer = appBearer(s);
        std::string token = userToken(s);
        std::vector<std::string> all;
        std::set<std::string> seen;
        std::string next;
        std::string firstNext;
        for (int page = 0; page < 10; ++page)
        {
            std::string target = "2/tweets/search/recent?query=tea&max_results=100";
            if (!next.empty()) target += "&next_token=" + next;
            SandboxReply r = s.bearer(bearer, target);
            CPPUNIT_ASSERT_EQUAL(200, r.status);
            if (!next.empty()) CPPUNIT_ASSERT(ids(r) == ids(s.bearer(bearer, target))); // the same token, the same page
            for (const auto& id : ids(r))
            {
                CPPUNIT_ASSERT_MESSAGE("duplicate " + id, seen.insert(id).second);
                all.push_back(id);
            }
            if (page == 0)
            {
                // A tweet posted between two pages changes neither the next page nor the count.
                SandboxReply p = s.bearer(token, "2/tweets", "POST", "{\"text\":\"tea between pages\"}");
                CPPUNIT_ASSERT_EQUAL(201, p.status);
            }
            if (!meta(r)->has("next_token")) break;
            next = meta(r)->getValue<std::string>("next_token");
            if (page == 0) firstNext = next;
        }
        CPPUNIT_ASSERT_EQUAL(static_cast<size_t>(300), all.size());
        for (size_t i = 1; i < all.size(); ++i) CPPUNIT_ASSERT(std::stoull(all[i]) < std::stoull(all[i - 1]));
        // The last page has no next_token; the posted tweet tops a fresh first page.
        SandboxReply fresh = s.bearer(bearer, "2/tweets/search/recent?query=tea");
        CPPUNIT_ASSERT(seen.count(ids(fresh).front()) == 0);
        // Tokens are bound to their query; garbage is 400.
        for (const std::string& bad : std::vector<std::string>{
                 std::string("zzzzzzzzzz"), firstNext + "0", firstNext.substr(1), std::string("%00"), std::string("!")})
        {
            SandboxReply r = s.bearer(bearer, "2/tweets/search/recent?query=tea&next_token=" + bad);
            assertProblem(r, 400);
            CPPUNIT_ASSERT_EQUAL(std::string("next_token"), parameterOfError(r));
        }
        assertProblem(s.bearer(bearer, "2/tweets/search/recent?query=coffee&next_token=" + firstNext), 400);
        // since_id / until_id bound the window.
        SandboxReply r = s.bearer(bearer, "2/tweets/search/recent?query=tea&max_results=100&until_id=" + all[9]);
        CPPUNIT_ASSERT_EQUAL(all[10], ids(r).front());
        r = s.bearer(bearer, "2/tweets/search/recent?query=tea&max_results=100&since_id=" + all[5]);
        CPPUNIT_ASSERT_EQUAL(all[4], ids(r).back());
        assertProblem(s.bearer(bearer, "2/tweets/search/recent?query=tea&since_id=x"), 400);
        // Nothing found: meta.result_count 0, no data.
        r = s.bearer(bearer, "2/tweets/search/recent?query=tea&until_id=1");
        CPPUNIT_ASSERT_EQUAL(200, r.status);
        CPPUNIT_ASSERT(!r.object()->has("data"));
        CPPUNIT_ASSERT_EQUAL(0, meta(r)->getValue<int>("result_count"));
    }

    void testUsers()
    {
        SandboxServer s;
        std::string token = userToken(s);
        SandboxReply r = s.bearer(token, "2/users/me");
        CPPUNIT_ASSERT_EQUAL(200, r.status);
        Object::Ptr me = r.object()->getObject("data");
        CPPUNIT_ASSERT_EQUAL(std::string("alice"), me->getValue<std::string>("username"));
        CPPUNIT_ASSERT(!me->getValue<std::string>("name").empty());
        CPPUNIT_ASSERT(!me->has("created_at"));
        std::string aliceId = me->getValue<std::string>("id");
        r = s.bearer(token, "2/users/me?user.fields=created_at,public_metrics,description");
        me = r.object()->getObject("data");
        CPPUNIT_ASSERT(me->getValue<std::string>("created_at").back() == 'Z');
        CPPUNIT_ASSERT(me->getObject("public_metrics")->has("followers_count"));
        // By username and by id, the same user.
        r = s.bearer(token, "2/users/by/username/JackD");
        CPPUNIT_ASSERT_EQUAL(200, r.status);
        std::string id = r.object()->getObject("data")->getValue<std::string>("id");
        r = s.bearer(token, "2/users/" + id);
        CPPUNIT_ASSERT_EQUAL(std::string("JackD"), r.object()->getObject("data")->getValue<std::string>("username"));
        CPPUNIT_ASSERT_EQUAL(
            aliceId, s.bearer(token, "2/users/" + aliceId).object()->getObject("data")->getValue<std::string>("id"));
        // Refusals.
        r = s.bearer(token, "2/users/by/username/not-a-name");
        assertProblem(r, 400);
        CPPUNIT_ASSERT_EQUAL(std::string("username"), parameterOfError(r));
        assertProblem(s.bearer(token, "2/users/by/username/" + std::string(16, 'a')), 400);
        assertProblem(s.bearer(token, "2/users/abc"), 400);
        assertProblem(s.bearer(token, "2/users/12345678901234567890"), 400);
        r = s.bearer(token, "2/users/5");
        CPPUNIT_ASSERT_EQUAL(200, r.status); // X: 200 with errors for an unknown id
        CPPUNIT_ASSERT(!r.object()->has("data"));
        Object::Ptr e = r.object()->getArray("errors")->getObject(0);
        CPPUNIT_ASSERT_EQUAL(std::string("user"), e->getValue<std::string>("resource_type"));
        CPPUNIT_ASSERT_EQUAL(std::string("5"), e->getValue<std::string>("value"));
    }

    void testUserTweetsAndFollowers()
    {
        SandboxServer s;
        std::string token = userToken(s);
        std::string bearer = appBearer(s);
        std::string id =
            s.bearer(bearer, "2/users/by/username/jack").object()->getObject("data")->getValue<std::string>("id");
        SandboxReply r = s.bearer(bearer, "2/users/" + id + "/tweets?tweet.fields=author_id");
        CPPUNIT_ASSERT_EQUAL(200, r.status);
        std::vector<std::string> first = ids(r);
        CPPUNIT_ASSERT_EQUAL(static_cast<size_t>(10), first.size());
        CPPUNIT_ASSERT_EQUAL(id, r.object()->getArray("data")->getObject(0)->getValue<std::string>("author_id"));
        std::string next = meta(r)->getValue<std::string>("next_token");
        r = s.bearer(bearer, "2/users/" + id + "/tweets?pagination_token=" + next);
        std::vector<std::string> second = ids(r);
        CPPUNIT_ASSERT_EQUAL(static_cast<size_t>(10), second.size());
        CPPUNIT_ASSERT(std::stoull(second.front()) < std::stoull(first.back()));
        // Another user's token is refused.
        std::string other =
            s.bearer(bearer, "2/users/by/username/bob").object()->getObject("data")->getValue<std::string>("id");
        assertProblem(s.bearer(bearer, "2/users/" + other + "/tweets?pagination_token=" + next), 400);
        // Posted tweets come first in the author's timeline.
        SandboxReply posted = s.bearer(token, "2/tweets", "POST", "{\"text\":\"my own tweet\"}");
        std::string aliceId = s.bearer(token, "2/users/me").object()->getObject("data")->getValue<std::string>("id");
        r = s.bearer(bearer, "2/users/" + aliceId + "/tweets");
        CPPUNIT_ASSERT_EQUAL(posted.object()->getObject("data")->getValue<std::string>("id"), ids(r).front());

        // Followers: pages of users, next_token then previous_token.
        r = s.bearer(token, "2/users/" + id + "/followers?max_results=5");
        CPPUNIT_ASSERT_EQUAL(200, r.status);
        std::vector<std::string> f1 = ids(r);
        CPPUNIT_ASSERT_EQUAL(static_cast<size_t>(5), f1.size());
        CPPUNIT_ASSERT_EQUAL(5, meta(r)->getValue<int>("result_count"));
        CPPUNIT_ASSERT(!meta(r)->has("previous_token"));
        r = s.bearer(token, "2/users/" + id + "/followers?max_results=5&pagination_token=" +
                                meta(r)->getValue<std::string>("next_token"));
        std::vector<std::string> f2 = ids(r);
        CPPUNIT_ASSERT_EQUAL(static_cast<size_t>(5), f2.size());
        for (const auto& x : f2) CPPUNIT_ASSERT(std::find(f1.begin(), f1.end(), x) == f1.end());
        r = s.bearer(token, "2/users/" + id + "/followers?max_results=5&pagination_token=" +
                                meta(r)->getValue<std::string>("previous_token"));
        CPPUNIT_ASSERT(ids(r) == f1);
        // Followers resolve by id.
        CPPUNIT_ASSERT(s.bearer(token, "2/users/" + f1[0]).object()->has("data"));
        assertProblem(s.bearer(token, "2/users/" + id + "/followers?pagination_token=garbage"), 400);
        // Unknown users.
        CPPUNIT_ASSERT(s.bearer(token, "2/users/5/followers").object()->has("errors"));
        CPPUNIT_ASSERT(s.bearer(token, "2/users/5/tweets").object()->has("errors"));
    }

    void testFieldsAndExpansions()
    {
        SandboxServer s;
        std::string bearer = appBearer(s);
        SandboxReply r = s.bearer(bearer, "2/tweets/search/recent?query=tea&tweet.fields=author_id,created_at,"
                                          "public_metrics,lang&expansions=author_id&user.fields=created_at");
        CPPUNIT_ASSERT_EQUAL(200, r.status);
        Array::Ptr data = r.object()->getArray("data");
        Array::Ptr users = r.object()->getObject("includes")->getArray("users");
        std::set<std::string> userIds;
        for (unsigned i = 0; i < users->size(); ++i)
        {
            userIds.insert(users->getObject(i)->getValue<std::string>("id"));
            CPPUNIT_ASSERT(users->getObject(i)->has("created_at"));
        }
        CPPUNIT_ASSERT_EQUAL(static_cast<size_t>(users->size()), userIds.size()); // no duplicates
        for (unsigned i = 0; i < data->size(); ++i)
        {
            Object::Ptr t = data->getObject(i);
            CPPUNIT_ASSERT(userIds.count(t->getValue<std::string>("author_id")));
            CPPUNIT_ASSERT_EQUAL(std::string("en"), t->getValue<std::string>("lang"));
            std::string created = t->getValue<std::string>("created_at");
            CPPUNIT_ASSERT_EQUAL(static_cast<size_t>(24), created.size()); // 2023-11-14T22:13:20.000Z
            Object::Ptr m = t->getObject("public_metrics");
            for (const char* k : {"retweet_count", "reply_count", "like_count", "quote_count"})
                CPPUNIT_ASSERT_MESSAGE(k, m->has(k));
        }
        for (const char* bad :
             {"tweet.fields=bogus", "user.fields=author_id", "expansions=pinned_tweet_id", "tweet.fields=lang,,nope"})
        {
            r = s.bearer(bearer, std::string("2/tweets/search/recent?query=tea&") + bad);
            assertProblem(r, 400);
        }
        assertProblem(s.bearer(bearer, "2/users/by/username/jack?expansions=author_id"), 400);
        CPPUNIT_ASSERT_EQUAL(200, s.bearer(bearer, "2/users/by/username/jack?expansions=pinned_tweet_id").status);
    }

    void testIdsResolve()
    {
        SandboxServer s;
        std::string bearer = appBearer(s);
        // A v2 search's tweets, a v1.1 timeline's tweets: all resolve by id.
        std::string fromV2 = ids(s.bearer(bearer, "2/tweets/search/recent?query=tea")).at(3);
        SandboxReply v1 = s.bearer(bearer, "1.1/statuses/user_timeline.json?screen_name=jack&count=3");
        std::string fromV1 = v1.body.substr(v1.body.find("\"id_str\":\"") + 10);
        fromV1 = fromV1.substr(0, fromV1.find('"'));
        for (const std::string& id : {fromV2, fromV1})
        {
            SandboxReply r = s.bearer(bearer, "2/tweets/" + id + "?expansions=author_id");
            CPPUNIT_ASSERT_EQUAL(200, r.status);
            Object::Ptr o = r.object();
            CPPUNIT_ASSERT_EQUAL(id, o->getObject("data")->getValue<std::string>("id"));
            CPPUNIT_ASSERT_EQUAL(static_cast<size_t>(1), o->getObject("includes")->getArray("users")->size());
            // Its author resolves by id too.
            std::string author = o->getObject("includes")->getArray("users")->getObject(0)->getValue<std::string>("id");
            CPPUNIT_ASSERT(s.bearer(bearer, "2/users/" + author).object()->has("data"));
        }
        SandboxReply r = s.bearer(bearer, "2/tweets/42");
        CPPUNIT_ASSERT_EQUAL(200, r.status);
        CPPUNIT_ASSERT_EQUAL(std::string("tweet"),
                             r.object()->getArray("errors")->getObject(0)->getValue<std::string>("resource_type"));
        assertProblem(s.bearer(bearer, "2/tweets/4x2"), 400);
    }

    void testPostAndDelete()
    {
        SandboxServer s;
        std::string token = userToken(s);
        std::string text = "v2 post \xe2\x9c\x93 caf\xc3\xa9 \"quoted\"";
        SandboxReply r =
            s.bearer(token, "2/tweets", "POST", "{\"text\":\"v2 post \\u2713 caf\\u00e9 \\\"quoted\\\"\"}");
        CPPUNIT_ASSERT_EQUAL(201, r.status);
        Object::Ptr data = r.object()->getObject("data");
        std::string id = data->getValue<std::string>("id");
        CPPUNIT_ASSERT_EQUAL(text, data->getValue<std::string>("text"));
        CPPUNIT_ASSERT_EQUAL(id, data->getArray("edit_history_tweet_ids")->getElement<std::string>(0));
        r = s.bearer(token, "2/tweets/" + id + "?tweet.fields=author_id");
        CPPUNIT_ASSERT_EQUAL(text, r.object()->getObject("data")->getValue<std::string>("text"));
        std::string me = s.bearer(token, "2/users/me").object()->getObject("data")->getValue<std::string>("id");
        CPPUNIT_ASSERT_EQUAL(me, r.object()->getObject("data")->getValue<std::string>("author_id"));
        // Found by search (v2 and v1.1).
        CPPUNIT_ASSERT_EQUAL(id, ids(s.bearer(token, "2/tweets/search/recent?query=caf%C3%A9%20quoted")).front());
        // Bad bodies.
        for (const std::string& bad :
             std::vector<std::string>{"", "{", "[]", "{\"text\":5}", "{\"nottext\":\"x\"}", "{\"text\":\"   \"}",
                                      "{\"text\":\"" + std::string(281, 'a') + "\"}", "\xff\xfe"})
            assertProblem(s.bearer(token, "2/tweets", "POST", bad), 400);
        assertProblem(s.bearer(token, "2/tweets", "POST", "text=hello", "application/x-www-form-urlencoded"), 400);
        CPPUNIT_ASSERT_EQUAL(
            201, s.bearer(token, "2/tweets", "POST", "{\"text\":\"" + std::string(280, 'a') + "\"}").status);
        // Deleting: not someone else's (a synthetic tweet), not twice.
        std::string synthetic = ids(s.bearer(token, "2/tweets/search/recent?query=tea")).front();
        assertProblem(s.bearer(token, "2/tweets/" + synthetic, "DELETE"), 403);
        r = s.bearer(token, "2/tweets/" + id, "DELETE");
        CPPUNIT_ASSERT_EQUAL(200, r.status);
        CPPUNIT_ASSERT(r.object()->getObject("data")->getValue<bool>("deleted"));
        CPPUNIT_ASSERT(s.bearer(token, "2/tweets/" + id).object()->has("errors"));
        assertProblem(s.bearer(token, "2/tweets/" + id, "DELETE"), 404);
        std::string other = s.bearer(token, "2/tweets", "POST", "{\"text\":\"keep me\"}")
                                .object()
                                ->getObject("data")
                                ->getValue<std::string>("id");
        std::string auth = oauth1::authorizationHeader(
            "DELETE", oauth1::baseUrl("http", "127.0.0.1", s.port, "/sandbox/2/tweets/" + other), {},
            {"ck", "cs", "alice-token", "alice-secret", oauth1::SignatureMethod::HmacSha1});
        // alice through OAuth 1.0a may delete her own tweet.
        r = s.raw("DELETE", "/sandbox/2/tweets/" + other, {}, {{"Authorization", auth}});
        CPPUNIT_ASSERT_EQUAL(200, r.status);
    }

    void testScopes()
    {
        SandboxServer s;
        std::string readOnly = userToken(s, "tweet.read users.read");
        CPPUNIT_ASSERT_EQUAL(200, s.bearer(readOnly, "2/users/me").status);
        CPPUNIT_ASSERT_EQUAL(200, s.bearer(readOnly, "2/tweets/search/recent?query=x").status);
        SandboxReply r = s.bearer(readOnly, "2/tweets", "POST", "{\"text\":\"nope\"}");
        assertProblem(r, 403);
        CPPUNIT_ASSERT(r.str("detail").find("tweet.write") != std::string::npos);
        std::string me = s.bearer(readOnly, "2/users/me").object()->getObject("data")->getValue<std::string>("id");
        r = s.bearer(readOnly, "2/users/" + me + "/followers");
        assertProblem(r, 403);
        CPPUNIT_ASSERT(r.str("detail").find("follows.read") != std::string::npos);
        assertProblem(s.bearer(readOnly, "2/tweets/1", "DELETE"), 403);
        std::string noUsers = userToken(s, "tweet.read");
        assertProblem(s.bearer(noUsers, "2/users/me"), 403);
        assertProblem(s.bearer(noUsers, "2/tweets/search/recent?query=x"), 403);
    }

    void testOAuth1OnV2()
    {
        SandboxServer s;
        oauth1::Credentials alice{"ck", "cs", "alice-token", "alice-secret", oauth1::SignatureMethod::HmacSha1};
        std::string url = oauth1::baseUrl("http", "127.0.0.1", s.port, "/sandbox/2/users/me");
        SandboxReply r = s.raw("GET", "/sandbox/2/users/me", {},
                               {{"Authorization", oauth1::authorizationHeader("GET", url, {}, alice)}});
        CPPUNIT_ASSERT_EQUAL(200, r.status);
        CPPUNIT_ASSERT_EQUAL(std::string("alice"), r.object()->getObject("data")->getValue<std::string>("username"));
        // Query parameters are signed.
        std::string searchUrl = oauth1::baseUrl("http", "127.0.0.1", s.port, "/sandbox/2/tweets/search/recent");
        r = s.raw("GET", "/sandbox/2/tweets/search/recent?query=tea", {},
                  {{"Authorization", oauth1::authorizationHeader("GET", searchUrl, {{"query", "tea"}}, alice)}});
        CPPUNIT_ASSERT_EQUAL(200, r.status);
        r = s.raw("GET", "/sandbox/2/tweets/search/recent?query=coffee", {},
                  {{"Authorization", oauth1::authorizationHeader("GET", searchUrl, {{"query", "tea"}}, alice)}});
        assertProblem(r, 401);
        oauth1::Credentials wrong = alice;
        wrong.consumerSecret = "nope";
        r = s.raw("GET", "/sandbox/2/users/me", {},
                  {{"Authorization", oauth1::authorizationHeader("GET", url, {}, wrong)}});
        assertProblem(r, 401);
        // A POST 2/tweets signed with OAuth 1.0a (the JSON body is not signed).
        std::string postUrl = oauth1::baseUrl("http", "127.0.0.1", s.port, "/sandbox/2/tweets");
        r = s.raw("POST", "/sandbox/2/tweets", "{\"text\":\"signed\"}",
                  {{"Authorization", oauth1::authorizationHeader("POST", postUrl, {}, alice)}}, "application/json");
        CPPUNIT_ASSERT_EQUAL(201, r.status);
    }

    void testGarbage()
    {
        SandboxServer s;
        for (const std::string& h : std::vector<std::string>{
                 "", "Bearer", "Bearer ", "Bearer nope", "Basic Y2s6Y3M=", "OAuth", "OAuth garbage",
                 std::string("\x01\x02\xff", 3), "Bearer " + std::string(5000, 'A')})
        {
            SandboxReply r = s.raw("GET", "/sandbox/2/users/by/username/jack", {}, {{"Authorization", h}});
            assertProblem(r, 401);
        }
        std::string bearer = appBearer(s);
        // Unknown paths and methods: 404 problem.
        for (auto [method, path] :
             {std::pair{"GET", "2/nope"}, std::pair{"GET", "2/users"}, std::pair{"GET", "2/"},
              std::pair{"DELETE", "2/users/me"}, std::pair{"PUT", "2/tweets"}, std::pair{"GET", "2/tweets"},
              std::pair{"GET", "2/users//tweets"}, std::pair{"GET", "2/tweets/search/recent/extra"}})
            assertProblem(s.bearer(bearer, path, method), 404);
        // Malformed percent-encoding.
        assertProblem(s.bearer(bearer, "2/tweets/search/recent?query=%ZZ"), 400);
        assertProblem(s.bearer(bearer, "2/users/by/username/%G1"), 400);
        // Still serving.
        CPPUNIT_ASSERT_EQUAL(200, s.bearer(bearer, "2/tweets/search/recent?query=tea").status);
    }

    void testRateLimit()
    {
        std::string kwargs = OAUTH2_KWARGS;
        kwargs.replace(kwargs.find("rate_limit: 1000"), 16, "rate_limit: 3");
        SandboxServer s(kwargs);
        std::string bearer = appBearer(s);
        std::string token = userToken(s);
        std::vector<std::string> remaining;
        for (const char* name : {"jack", "bob", "carol"})
        {
            SandboxReply r = s.bearer(bearer, std::string("2/users/by/username/") + name);
            CPPUNIT_ASSERT_EQUAL(200, r.status);
            remaining.push_back(r.header("x-rate-limit-remaining"));
        }
        CPPUNIT_ASSERT(remaining == (std::vector<std::string>{"2", "1", "0"}));
        // The template is the key: another username is the same endpoint.
        SandboxReply r = s.bearer(bearer, "2/users/by/username/dave");
        assertProblem(r, 429);
        CPPUNIT_ASSERT_EQUAL(std::string("0"), r.header("x-rate-limit-remaining"));
        CPPUNIT_ASSERT(!r.header("x-rate-limit-reset").empty());
        // Another endpoint, another token: their own budgets.
        CPPUNIT_ASSERT_EQUAL(200, s.bearer(bearer, "2/tweets/search/recent?query=x").status);
        CPPUNIT_ASSERT_EQUAL(200, s.bearer(token, "2/users/by/username/dave").status);
        // The window ends after 15 minutes on the sandbox's clock.
        s.clock.advance(std::chrono::seconds(900));
        CPPUNIT_ASSERT_EQUAL(200, s.bearer(bearer, "2/users/by/username/dave").status);
    }
};

BIRDGATE_TEST_SUITE(SandboxV2Test);
