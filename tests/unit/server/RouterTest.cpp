// Routing: anchored patterns, higher priority first, ties in file order,
// groups handed to the endpoint, no match -> nullptr (the dispatcher's 404).
#include "TestSupport.h"

#include "server/Router.h"

#include <memory>
#include <regex>

using birdgate::Endpoint;
using birdgate::RouteMatch;
using birdgate::Router;

namespace
{
class Named : public Endpoint
{
  public:
    explicit Named(std::string name) : name(std::move(name)) {}
    birdgate::Task<void> serve(birdgate::Request&, birdgate::Answer&, const RouteMatch&) override { co_return; }
    std::string name;
};

std::string routed(const Router& router, const std::string& path)
{
    RouteMatch match;
    Endpoint* e = router.route(path, match);
    return e ? static_cast<Named*>(e)->name : std::string("(none)");
}
} // namespace

class RouterTest : public CppUnit::TestFixture
{
    CPPUNIT_TEST_SUITE(RouterTest);
    CPPUNIT_TEST(testPriorityThenFileOrder);
    CPPUNIT_TEST(testAnchoredAndGroups);
    CPPUNIT_TEST(testBadPattern);
    CPPUNIT_TEST(testShortcutsAgreeWithTheRegex);
    CPPUNIT_TEST_SUITE_END();

  public:
    void testPriorityThenFileOrder()
    {
        Router r;
        r.add("catchall", "/(.*)", -10, 0, std::make_shared<Named>("catchall"));
        r.add("twitter", "/twitter/(.*)", 0, 1, std::make_shared<Named>("twitter"));
        r.add("search", "/twitter/search", 1, 2, std::make_shared<Named>("search"));
        r.add("first", "/dup/(.*)", 0, 3, std::make_shared<Named>("first"));
        r.add("second", "/dup/(.*)", 0, 4, std::make_shared<Named>("second"));
        r.finish();
        CPPUNIT_ASSERT_EQUAL(std::string("search"), routed(r, "/twitter/search"));
        CPPUNIT_ASSERT_EQUAL(std::string("twitter"), routed(r, "/twitter/search/tweets.json"));
        CPPUNIT_ASSERT_EQUAL(std::string("first"), routed(r, "/dup/x"));
        CPPUNIT_ASSERT_EQUAL(std::string("catchall"), routed(r, "/index.html"));
        CPPUNIT_ASSERT_EQUAL(size_t(5), r.size());
    }

    void testAnchoredAndGroups()
    {
        Router r;
        r.add("t", "/t/(.*)", 0, 0, std::make_shared<Named>("t"));
        r.finish();
        CPPUNIT_ASSERT_EQUAL(std::string("(none)"), routed(r, "/x/t/a"));
        CPPUNIT_ASSERT_EQUAL(std::string("(none)"), routed(r, "/t"));
        RouteMatch match;
        CPPUNIT_ASSERT(r.route("/t/search/tweets.json", match));
        CPPUNIT_ASSERT_EQUAL(std::string("t"), match.urlName);
        CPPUNIT_ASSERT_EQUAL(size_t(2), match.groups.size());
        CPPUNIT_ASSERT_EQUAL(std::string("search/tweets.json"), match.groups[1]);
        CPPUNIT_ASSERT_EQUAL(std::string("/t/search/tweets.json"), match.path);
    }

    void testBadPattern()
    {
        Router r;
        CPPUNIT_ASSERT_THROW(r.add("bad", "/t/(.*", 0, 0, std::make_shared<Named>("bad")), std::regex_error);
    }

    // The router skips the regex when a pattern's literal start cannot match,
    // and answers `prefix(.*)` patterns without it: both must agree with
    // std::regex_match on every pattern shape, groups included.
    void testShortcutsAgreeWithTheRegex()
    {
        const std::vector<std::string> patterns = {
            "/twitter/(.*)", "^/twitter/(.*)$", "/a/b(.*)",  "/ab?(.*)",    "/ab*/(.*)",   "/ab{0,2}/(.*)",
            "/ab+/(.*)",     "/x|/y(.*)",       "/t/(.*)/z", "/t/([a-z]*)", "/t/\\.x(.*)", "/(.*)",
            "(.*)",          "/exact",          "/e.act",    "/c/(.*)?",    "/[ab]/(.*)",  "/q/(?:x|y)(.*)"};
        const std::vector<std::string> paths = {"/twitter/", "/twitter/search/tweets.json",
                                                "/twitter",  "/a/b",
                                                "/a/bc/d",   "/a/",
                                                "/ab/",      "/abb/x",
                                                "/a/x",      "/abbb/",
                                                "/x",        "/y1",
                                                "/t/q/z",    "/t/abc",
                                                "/t/ab1",    "/t/.x1",
                                                "/exact",    "/exbct",
                                                "",          "/c/",
                                                "/c/x",      "/a/q/",
                                                "/b/z",      "/q/x1",
                                                "/q/z",      "/twitter/a\nb",
                                                "/TWITTER/x"};
        for (const auto& pattern : patterns)
        {
            Router router;
            router.add(pattern, pattern, 0, 0, std::make_shared<Named>(pattern));
            router.finish();
            std::regex re(pattern, std::regex::ECMAScript);
            for (const auto& path : paths)
            {
                std::smatch m;
                bool expected = std::regex_match(path, m, re);
                RouteMatch match;
                bool routedHere = router.route(path, match) != nullptr;
                std::string what = pattern + " on " + path;
                CPPUNIT_ASSERT_EQUAL_MESSAGE(what, expected, routedHere);
                if (!expected) continue;
                CPPUNIT_ASSERT_EQUAL_MESSAGE(what, m.size(), match.groups.size());
                for (size_t i = 0; i < m.size(); ++i) CPPUNIT_ASSERT_EQUAL_MESSAGE(what, m[i].str(), match.groups[i]);
            }
        }
    }
};

BIRDGATE_TEST_SUITE(RouterTest);
