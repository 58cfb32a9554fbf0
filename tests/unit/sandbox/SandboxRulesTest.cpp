// SandboxRules: the rule parser on every operator and on garbage, the 512
// character and 25 rule limits, duplicates, X's answer shapes (errors[] with
// details, meta.summary), matching and the example tweets the stream builds.
#include "TestSupport.h"

#include "birdgate/sandbox/SandboxRules.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <string>

using namespace birdgate;

namespace
{
Poco::JSON::Object::Ptr json(const std::string& body)
{
    Poco::JSON::Parser parser;
    return parser.parse(body).extract<Poco::JSON::Object::Ptr>();
}

std::string error(const std::string& rule)
{
    return SandboxRules::parse(rule).error;
}

bool valid(const std::string& rule)
{
    auto p = SandboxRules::parse(rule);
    return p.root && p.error.empty();
}

bool matches(const std::string& rule, const RuleTweet& t)
{
    auto p = SandboxRules::parse(rule);
    CPPUNIT_ASSERT_MESSAGE(rule + ": " + p.error, p.root != nullptr);
    return SandboxRules::matches(*p.root, t);
}

RuleTweet tweet(const std::string& text, const std::string& author = "someone", const std::string& lang = "en")
{
    RuleTweet t;
    t.text = text;
    t.author = author;
    t.authorId = 42;
    t.lang = lang;
    return t;
}

std::string addBody(const std::string& value, const std::string& tag = "t")
{
    return "{\"add\":[{\"value\":\"" + value + "\",\"tag\":\"" + tag + "\"}]}";
}
} // namespace

class SandboxRulesTest : public CppUnit::TestFixture
{
    CPPUNIT_TEST_SUITE(SandboxRulesTest);
    CPPUNIT_TEST(testOperatorsParse);
    CPPUNIT_TEST(testGarbageRefused);
    CPPUNIT_TEST(testStandaloneTermNeeded);
    CPPUNIT_TEST(testTooLong);
    CPPUNIT_TEST(testMatching);
    CPPUNIT_TEST(testExamplesMatch);
    CPPUNIT_TEST(testAddListDelete);
    CPPUNIT_TEST(testInvalidBatchCreatesNone);
    CPPUNIT_TEST(testDuplicates);
    CPPUNIT_TEST(testRuleCap);
    CPPUNIT_TEST(testDryRun);
    CPPUNIT_TEST(testBadBodies);
    CPPUNIT_TEST(testOneConnectionPerApp);
    CPPUNIT_TEST_SUITE_END();

  public:
    void testOperatorsParse()
    {
        for (const char* rule : {"beer",
                                 "craft beer",
                                 "\"craft beer\"",
                                 "beer OR wine",
                                 "(beer OR wine) -cheap",
                                 "beer -is:retweet",
                                 "from:gramener",
                                 "from:12345",
                                 "from:@gramener",
                                 "beer lang:en",
                                 "cats has:images",
                                 "cats has:links",
                                 "cats has:media",
                                 "cats has:mentions",
                                 "cats has:hashtags",
                                 "cats has:geo",
                                 "cats has:videos",
                                 "is:retweet from:x",
                                 "is:reply cats",
                                 "to:someone",
                                 "url:example.com",
                                 "#beer",
                                 "@gramener",
                                 "bounding_box:[-122.75 36.8 -121.75 37.8]",
                                 "point_radius:[2.35 48.85 10km]",
                                 "(a OR (b c)) lang:en",
                                 "a -(b OR c)",
                                 "\"say \\\"hi\\\"\"",
                                 "BEER Or wine"})
            CPPUNIT_ASSERT_MESSAGE(std::string(rule) + ": " + error(rule), valid(rule));
    }

    void testGarbageRefused()
    {
        CPPUNIT_ASSERT_EQUAL(std::string("Unmatched parenthesis (at position 1)"), error("(beer"));
        CPPUNIT_ASSERT_EQUAL(std::string("Unmatched parenthesis (at position 5)"), error("beer)"));
        CPPUNIT_ASSERT_EQUAL(std::string("Unterminated quoted phrase (at position 6)"), error("beer \"wine"));
        CPPUNIT_ASSERT_EQUAL(std::string("OR must sit between two terms (at position 1)"), error("OR beer"));
        CPPUNIT_ASSERT_EQUAL(std::string("OR must sit between two terms (at position 6)"), error("beer OR"));
        CPPUNIT_ASSERT_EQUAL(std::string("Parentheses must not be empty (at position 6)"), error("beer ()"));
        CPPUNIT_ASSERT_EQUAL(std::string("Rules must not be empty (at position 1)"), error("   "));
        CPPUNIT_ASSERT(error("foo:bar").find("Reference to invalid operator 'foo'") == 0);
        CPPUNIT_ASSERT(error("cats has:nothing").find("Invalid value 'nothing' for has:") == 0);
        CPPUNIT_ASSERT(error("cats is:happy").find("Invalid value 'happy' for is:") == 0);
        CPPUNIT_ASSERT(error("cats lang:e").find("Invalid language") == 0);
        CPPUNIT_ASSERT(error("from:not-a-name").find("Invalid username") == 0);
        CPPUNIT_ASSERT(error("from:").find("needs a value") != std::string::npos);
        CPPUNIT_ASSERT(error("bounding_box:[1 2 3]").find("bounding_box") != std::string::npos);
        CPPUNIT_ASSERT(error("bounding_box:[10 2 3 4]").find("box on the globe") != std::string::npos);
        CPPUNIT_ASSERT(error("bounding_box:[1 2 3 4").find("Unmatched bracket") == 0);
        CPPUNIT_ASSERT(error("- beer").find("negation") != std::string::npos);
        CPPUNIT_ASSERT(error("--beer").find("Double negation") == 0);
        CPPUNIT_ASSERT(error("\"\"").find("Quoted phrases must not be empty") == 0);
        CPPUNIT_ASSERT(!valid(std::string("a\0b", 3)) || valid(std::string("a\0b", 3))); // no crash on NUL
        CPPUNIT_ASSERT(!valid("((((((((((a"));
        CPPUNIT_ASSERT(!valid(")))("));
        CPPUNIT_ASSERT(!valid("a OR OR b"));
    }

    void testStandaloneTermNeeded()
    {
        CPPUNIT_ASSERT_EQUAL(std::string("Rules must contain a non-negation term (at position 1)"), error("-beer"));
        CPPUNIT_ASSERT(error("lang:en").find("Rules must contain at least one positive term") == 0);
        CPPUNIT_ASSERT(error("has:images is:retweet").find("Rules must contain at least one positive term") == 0);
        CPPUNIT_ASSERT(error("beer OR lang:en").find("every OR branch") != std::string::npos);
        CPPUNIT_ASSERT(valid("beer lang:en"));
    }

    void testTooLong()
    {
        std::string rule(512, 'a');
        CPPUNIT_ASSERT(valid(rule));
        CPPUNIT_ASSERT_EQUAL(std::string("Rule length exceeds 512 characters (found 513)"), error(rule + "a"));
        std::string accents;
        for (int i = 0; i < 512; ++i) accents += "\xc3\xa9"; // 512 code points, 1024 bytes
        CPPUNIT_ASSERT(valid(accents));
    }

    void testMatching()
    {
        CPPUNIT_ASSERT(matches("beer", tweet("Craft BEER tonight")));
        CPPUNIT_ASSERT(!matches("beer", tweet("beers and more")));
        CPPUNIT_ASSERT(matches("craft beer", tweet("beer that is craft")));
        CPPUNIT_ASSERT(!matches("\"craft beer\"", tweet("beer that is craft")));
        CPPUNIT_ASSERT(matches("\"craft beer\"", tweet("a craft beer")));
        CPPUNIT_ASSERT(matches("beer OR wine", tweet("red wine")));
        CPPUNIT_ASSERT(!matches("beer -wine", tweet("beer and wine")));
        CPPUNIT_ASSERT(matches("from:Gramener", tweet("hello", "gramener")));
        CPPUNIT_ASSERT(matches("from:42", tweet("hello")));
        CPPUNIT_ASSERT(!matches("beer lang:fr", tweet("beer")));
        CPPUNIT_ASSERT(matches("beer lang:fr", tweet("beer", "x", "fr")));
        CPPUNIT_ASSERT(matches("#beer", tweet("love #beer")));
        CPPUNIT_ASSERT(matches("cats has:links", tweet("cats https://t.co/x")));
        CPPUNIT_ASSERT(!matches("cats has:links", tweet("cats")));
        RuleTweet rt = tweet("RT @x: beer");
        rt.retweet = true;
        CPPUNIT_ASSERT(!matches("beer -is:retweet", rt));
        CPPUNIT_ASSERT(matches("beer is:retweet", rt));
        RuleTweet geo = tweet("hello");
        geo.hasGeo = true;
        geo.lng = -122.0;
        geo.lat = 37.0;
        CPPUNIT_ASSERT(matches("bounding_box:[-122.75 36.8 -121.75 37.8]", geo));
        CPPUNIT_ASSERT(!matches("bounding_box:[0 0 1 1]", geo));
    }

    void testExamplesMatch()
    {
        for (const char* rule : {"beer", "(a OR (b c)) lang:en", "\"craft beer\" -cheap", "from:gramener OR from:123",
                                 "cats has:images is:retweet", "bounding_box:[-122.75 36.8 -121.75 37.8] lang:fr",
                                 "x has:links has:mentions has:hashtags"})
        {
            auto p = SandboxRules::parse(rule);
            for (std::uint64_t v = 0; v < 6; ++v)
            {
                RuleTweet t = SandboxRules::example(*p.root, v);
                if (t.author.empty()) t.author = "filler";
                CPPUNIT_ASSERT_MESSAGE(std::string(rule) + " / " + t.text, SandboxRules::matches(*p.root, t));
            }
        }
        // The variant picks OR branches in turn.
        auto p = SandboxRules::parse("alpha OR beta");
        CPPUNIT_ASSERT_EQUAL(std::string("alpha"), SandboxRules::example(*p.root, 0).text);
        CPPUNIT_ASSERT_EQUAL(std::string("beta"), SandboxRules::example(*p.root, 1).text);
    }

    void testAddListDelete()
    {
        SandboxRules rules;
        CPPUNIT_ASSERT_EQUAL(std::string("{\"meta\":{\"sent\":"), rules.list("app", "").body.substr(0, 16));
        CPPUNIT_ASSERT_EQUAL(0, json(rules.list("app", "").body)->getObject("meta")->getValue<int>("result_count"));
        auto a = rules.change("app", "{\"add\":[{\"value\":\"beer\",\"tag\":\"b\"},{\"value\":\"wine\"}]}", false);
        CPPUNIT_ASSERT_EQUAL(200, a.status);
        auto answer = json(a.body);
        auto summary = answer->getObject("meta")->getObject("summary");
        CPPUNIT_ASSERT_EQUAL(2, summary->getValue<int>("created"));
        CPPUNIT_ASSERT_EQUAL(0, summary->getValue<int>("not_created"));
        CPPUNIT_ASSERT_EQUAL(2, summary->getValue<int>("valid"));
        CPPUNIT_ASSERT_EQUAL(0, summary->getValue<int>("invalid"));
        std::string beerId = answer->getArray("data")->getObject(0)->getValue<std::string>("id");
        CPPUNIT_ASSERT_EQUAL(std::string("b"), answer->getArray("data")->getObject(0)->getValue<std::string>("tag"));
        CPPUNIT_ASSERT_EQUAL(std::size_t(2), rules.rules("app")->size());
        CPPUNIT_ASSERT_EQUAL(std::size_t(0), rules.rules("other app")->size()); // rules are per app
        auto listed = json(rules.list("app", beerId).body);
        CPPUNIT_ASSERT_EQUAL(1, listed->getObject("meta")->getValue<int>("result_count"));

        std::uint64_t before = rules.version();
        auto d = json(rules.change("app", "{\"delete\":{\"ids\":[\"" + beerId + "\",\"999\"]}}", false).body);
        CPPUNIT_ASSERT_EQUAL(1, d->getObject("meta")->getObject("summary")->getValue<int>("deleted"));
        CPPUNIT_ASSERT_EQUAL(1, d->getObject("meta")->getObject("summary")->getValue<int>("not_deleted"));
        CPPUNIT_ASSERT_EQUAL(std::string("999"), d->getArray("errors")->getObject(0)->getValue<std::string>("value"));
        CPPUNIT_ASSERT(rules.version() > before);
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), rules.rules("app")->size());
        rules.change("app", "{\"delete\":{\"values\":[\"wine\"]}}", false);
        CPPUNIT_ASSERT_EQUAL(std::size_t(0), rules.rules("app")->size());
    }

    void testInvalidBatchCreatesNone()
    {
        SandboxRules rules;
        auto a = rules.change("app", "{\"add\":[{\"value\":\"beer\"},{\"value\":\"(wine\"}]}", false);
        CPPUNIT_ASSERT_EQUAL(400, a.status);
        auto answer = json(a.body);
        CPPUNIT_ASSERT(!answer->has("data"));
        auto summary = answer->getObject("meta")->getObject("summary");
        CPPUNIT_ASSERT_EQUAL(0, summary->getValue<int>("created"));
        CPPUNIT_ASSERT_EQUAL(2, summary->getValue<int>("not_created"));
        CPPUNIT_ASSERT_EQUAL(1, summary->getValue<int>("valid"));
        CPPUNIT_ASSERT_EQUAL(1, summary->getValue<int>("invalid"));
        auto e = answer->getArray("errors")->getObject(0);
        CPPUNIT_ASSERT_EQUAL(std::string("(wine"), e->getValue<std::string>("value"));
        CPPUNIT_ASSERT_EQUAL(std::string("Unmatched parenthesis (at position 1)"),
                             e->getArray("details")->getElement<std::string>(0));
        CPPUNIT_ASSERT_EQUAL(std::string("https://api.twitter.com/2/problems/invalid-rules"),
                             e->getValue<std::string>("type"));
        CPPUNIT_ASSERT_EQUAL(std::size_t(0), rules.rules("app")->size());
    }

    void testDuplicates()
    {
        SandboxRules rules;
        rules.change("app", addBody("beer"), false);
        auto a = rules.change("app", addBody("beer", "again"), false);
        CPPUNIT_ASSERT_EQUAL(200, a.status);
        auto e = json(a.body)->getArray("errors")->getObject(0);
        CPPUNIT_ASSERT_EQUAL(std::string("DuplicateRule"), e->getValue<std::string>("title"));
        CPPUNIT_ASSERT_EQUAL(rules.rules("app")->at(0).id, e->getValue<std::string>("id"));
        auto twice = json(rules.change("app", "{\"add\":[{\"value\":\"x\"},{\"value\":\"x\"}]}", false).body);
        CPPUNIT_ASSERT_EQUAL(0, twice->getObject("meta")->getObject("summary")->getValue<int>("created"));
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), rules.rules("app")->size());
    }

    void testRuleCap()
    {
        SandboxRules rules;
        for (int i = 0; i < 25; ++i)
            CPPUNIT_ASSERT_EQUAL(200, rules.change("app", addBody("w" + std::to_string(i)), false).status);
        auto a = rules.change("app", addBody("w25"), false); // the 26th
        CPPUNIT_ASSERT_EQUAL(400, a.status);
        auto e = json(a.body)->getArray("errors")->getObject(0);
        CPPUNIT_ASSERT_EQUAL(std::string("RulesCapExceeded"), e->getValue<std::string>("title"));
        CPPUNIT_ASSERT(e->getArray("details")->getElement<std::string>(0).find("at most 25") != std::string::npos);
        CPPUNIT_ASSERT_EQUAL(std::size_t(25), rules.rules("app")->size());
        CPPUNIT_ASSERT_EQUAL(200, rules.change("other", addBody("w25"), false).status); // another app's own 25
    }

    void testDryRun()
    {
        SandboxRules rules;
        auto a = rules.change("app", addBody("beer"), true);
        CPPUNIT_ASSERT_EQUAL(200, a.status);
        CPPUNIT_ASSERT_EQUAL(1, json(a.body)->getObject("meta")->getObject("summary")->getValue<int>("created"));
        CPPUNIT_ASSERT_EQUAL(std::size_t(0), rules.rules("app")->size());
        CPPUNIT_ASSERT_EQUAL(400, rules.change("app", addBody("lang:en"), true).status);
        rules.change("app", addBody("beer"), false);
        rules.change("app", "{\"delete\":{\"values\":[\"beer\"]}}", true);
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), rules.rules("app")->size());
    }

    void testBadBodies()
    {
        SandboxRules rules;
        for (const char* body :
             {"", "not json", "[]", "{}", "{\"add\":[]}", "{\"add\":{}}", "{\"add\":[1]}",
              "{\"add\":[{\"tag\":\"x\"}]}", "{\"add\":[{\"value\":5}]}", "{\"add\":[{\"value\":\"a\",\"tag\":[]}]}",
              "{\"delete\":{}}", "{\"delete\":{\"ids\":[]}}", "{\"delete\":{\"ids\":[1]}}", "{\"delete\":5}",
              "{\"add\":[{\"value\":\"a\"}],\"delete\":{\"ids\":[\"1\"]}}"})
        {
            auto a = rules.change("app", body, false);
            CPPUNIT_ASSERT_EQUAL_MESSAGE(body, 400, a.status);
            CPPUNIT_ASSERT_EQUAL_MESSAGE(body, std::string("Invalid Request"),
                                         json(a.body)->getValue<std::string>("title"));
        }
        CPPUNIT_ASSERT_EQUAL(std::size_t(0), rules.rules("app")->size());
    }

    void testOneConnectionPerApp()
    {
        SandboxRules rules;
        CPPUNIT_ASSERT(rules.claimConnection("a"));
        CPPUNIT_ASSERT(!rules.claimConnection("a"));
        CPPUNIT_ASSERT(rules.claimConnection("b"));
        rules.releaseConnection("a");
        CPPUNIT_ASSERT(rules.claimConnection("a"));
    }
};

BIRDGATE_TEST_SUITE(SandboxRulesTest);
