// SandboxData and RateLimiter without a server: the synthetic data's
// invariants (ids, dates, entity offsets in code points, pool ordering) and
// the fixed-window arithmetic, checked directly.
#include "TestSupport.h"

#include "birdgate/sandbox/RateLimiter.h"
#include "birdgate/sandbox/SandboxData.h"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <set>

using namespace birdgate;
using Poco::JSON::Object;

class SandboxDataTest : public CppUnit::TestFixture
{
    CPPUNIT_TEST_SUITE(SandboxDataTest);
    CPPUNIT_TEST(testScreenNames);
    CPPUNIT_TEST(testTwitterTime);
    CPPUNIT_TEST(testUsersAreStable);
    CPPUNIT_TEST(testPools);
    CPPUNIT_TEST(testEntitiesCountCodePoints);
    CPPUNIT_TEST(testPopulation);
    CPPUNIT_TEST(testRateLimiterWindow);
    CPPUNIT_TEST_SUITE_END();

  public:
    void testScreenNames()
    {
        CPPUNIT_ASSERT(SandboxData::validScreenName("a"));
        CPPUNIT_ASSERT(SandboxData::validScreenName("Fifteen_chars_1"));
        CPPUNIT_ASSERT(!SandboxData::validScreenName("sixteen_chars_12"));
        CPPUNIT_ASSERT(!SandboxData::validScreenName(""));
        CPPUNIT_ASSERT(!SandboxData::validScreenName("dash-ed"));
        CPPUNIT_ASSERT(!SandboxData::validScreenName("caf\xc3\xa9"));
    }

    void testTwitterTime()
    {
        CPPUNIT_ASSERT_EQUAL(std::string("Wed Oct 10 20:19:24 +0000 2018"), SandboxData::twitterTime(1539202764));
        CPPUNIT_ASSERT_EQUAL(std::string("Thu Jan 01 00:00:00 +0000 1970"), SandboxData::twitterTime(0));
        // A real tweet id and its time (Twitter's snowflake layout).
        std::uint64_t id = SandboxData::snowflake(1539202764000LL, 5);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(5), id & 0x3FFFFF);
        CPPUNIT_ASSERT_EQUAL(1539202764000LL, static_cast<long long>(id >> 22) + 1288834974657LL);
    }

    void testUsersAreStable()
    {
        SandboxData a(1, 100), b(1, 100), c(2, 100);
        CPPUNIT_ASSERT_EQUAL(a.userId("gramener"), b.userId("GRAMENER"));
        CPPUNIT_ASSERT(a.userId("gramener") != c.userId("gramener"));
        SandboxUser u = a.user("Gramener");
        CPPUNIT_ASSERT_EQUAL(std::string("Gramener"), u.screenName);
        CPPUNIT_ASSERT_EQUAL(b.user("gramener").description, u.description);
        CPPUNIT_ASSERT(u.createdAt < SandboxData::ANCHOR);
        std::string json;
        a.appendUserJson(json, u);
        Object::Ptr o = Poco::JSON::Parser().parse(json).extract<Object::Ptr>();
        CPPUNIT_ASSERT_EQUAL(std::to_string(u.id), o->getValue<std::string>("id_str"));
        CPPUNIT_ASSERT_EQUAL(u.followersCount, o->getValue<long long>("followers_count"));
    }

    void testPools()
    {
        SandboxData d(3, 500);
        TweetPool pool = d.searchPool("  Open   DATA ");
        CPPUNIT_ASSERT_EQUAL(std::string("open data"), pool.key);
        CPPUNIT_ASSERT_EQUAL(static_cast<size_t>(2), pool.words.size());
        std::uint64_t previous = UINT64_MAX;
        for (int k = 0; k < pool.depth; ++k)
        {
            std::uint64_t id = d.tweetId(pool, k);
            CPPUNIT_ASSERT(id < previous);
            previous = id;
        }
        SandboxTweet t = d.tweet(pool, 7);
        CPPUNIT_ASSERT_EQUAL(d.tweetId(pool, 7), t.id);
        CPPUNIT_ASSERT(SandboxData::matchesAll(t.text, pool.words));
        CPPUNIT_ASSERT(t.createdAt <= SandboxData::ANCHOR);
        // firstAtOrBelow is the binary search max_id relies on.
        CPPUNIT_ASSERT_EQUAL(0, d.firstAtOrBelow(pool, UINT64_MAX));
        CPPUNIT_ASSERT_EQUAL(7, d.firstAtOrBelow(pool, t.id));
        CPPUNIT_ASSERT_EQUAL(8, d.firstAtOrBelow(pool, t.id - 1));
        CPPUNIT_ASSERT_EQUAL(pool.depth, d.firstAtOrBelow(pool, 0));

        SandboxUser u = d.user("somebody");
        TweetPool mine = d.userTimelinePool(u);
        CPPUNIT_ASSERT_EQUAL(static_cast<int>(std::min<long long>(u.statusesCount, 3200)), mine.depth);
        if (mine.depth > 0) CPPUNIT_ASSERT_EQUAL(u.screenName, d.tweet(mine, 0).author);
    }

    void testEntitiesCountCodePoints()
    {
        SandboxData d(1, 10);
        std::string json;
        d.appendEntitiesJson(json, "caf\xc3\xa9 #tea @bob $ACME https://t.co/x #123 a#b");
        Object::Ptr e = Poco::JSON::Parser().parse(json).extract<Object::Ptr>();
        auto range = [](const Poco::JSON::Array::Ptr& list) {
            auto ix = list->getObject(0)->getArray("indices");
            return std::make_pair(ix->getElement<int>(0), ix->getElement<int>(1));
        };
        // "café" is 4 characters though 5 bytes.
        CPPUNIT_ASSERT_EQUAL(static_cast<size_t>(1), e->getArray("hashtags")->size()); // not #123, not a#b
        CPPUNIT_ASSERT(range(e->getArray("hashtags")) == std::make_pair(5, 9));
        CPPUNIT_ASSERT(range(e->getArray("user_mentions")) == std::make_pair(10, 14));
        CPPUNIT_ASSERT(range(e->getArray("symbols")) == std::make_pair(15, 20));
        CPPUNIT_ASSERT(range(e->getArray("urls")) == std::make_pair(21, 35));
        CPPUNIT_ASSERT_EQUAL(std::to_string(d.userId("bob")),
                             e->getArray("user_mentions")->getObject(0)->getValue<std::string>("id_str"));
    }

    void testPopulation()
    {
        SandboxData d(9, 10);
        std::set<std::string> names;
        for (int i = 0; i < SandboxData::POPULATION; ++i)
        {
            std::string n = d.populationNameAt(i);
            CPPUNIT_ASSERT_MESSAGE(n, SandboxData::validScreenName(n));
            names.insert(n);
        }
        CPPUNIT_ASSERT_EQUAL(static_cast<size_t>(SandboxData::POPULATION), names.size());
        std::string n = d.populationNameAt(4321);
        CPPUNIT_ASSERT_EQUAL(n, d.populationName(d.userId(n)).value_or(""));
        CPPUNIT_ASSERT(!d.populationName(d.userId("not_generated")));
        // A follower list has no repeats.
        SandboxUser u = d.user("x");
        u.followersCount = 3000;
        std::set<std::string> followers;
        for (int p = 0; p < d.followerListSize(u); ++p) followers.insert(d.followerAt(u, p));
        CPPUNIT_ASSERT_EQUAL(static_cast<size_t>(3000), followers.size());
    }

    void testRateLimiterWindow()
    {
        RateLimiter limiter(2, 900);
        auto r = limiter.hit("t /a", 1000);
        CPPUNIT_ASSERT(r.allowed);
        CPPUNIT_ASSERT_EQUAL(1, r.remaining);
        CPPUNIT_ASSERT_EQUAL(1900LL, r.reset);
        CPPUNIT_ASSERT_EQUAL(0, limiter.hit("t /a", 1500).remaining);
        r = limiter.hit("t /a", 1899);
        CPPUNIT_ASSERT(!r.allowed);
        CPPUNIT_ASSERT_EQUAL(1900LL, r.reset);
        CPPUNIT_ASSERT(limiter.hit("u /a", 1899).allowed); // other key
        r = limiter.hit("t /a", 1900);                     // new window
        CPPUNIT_ASSERT(r.allowed);
        CPPUNIT_ASSERT_EQUAL(2800LL, r.reset);
        RateLimiter off(0);
        CPPUNIT_ASSERT(!off.enabled());
        CPPUNIT_ASSERT(off.hit("k", 1).allowed);
    }
};

BIRDGATE_TEST_SUITE(SandboxDataTest);
