// Routing: anchored patterns, higher priority first, ties in file order,
// groups handed to the endpoint, no match -> nullptr (the dispatcher's 404).
#include "TestSupport.h"

#include "server/Router.h"

#include <memory>

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
};

BIRDGATE_TEST_SUITE(RouterTest);
