// StreamRules: Gramex's track/follow/language/locations as X API v2 rules,
// exact strings; splitting at rule_max_length between terms, never inside a
// phrase; tagging birdgate:<schedule>:<tag or position>.
#include "TestSupport.h"

#include "stream/StreamRules.h"

#include <string>
#include <vector>

using namespace birdgate;
using Strings = std::vector<std::string>;

class StreamRulesTest : public CppUnit::TestFixture
{
    CPPUNIT_TEST_SUITE(StreamRulesTest);
    CPPUNIT_TEST(testTrack);
    CPPUNIT_TEST(testFollowAndTrack);
    CPPUNIT_TEST(testLanguage);
    CPPUNIT_TEST(testLocations);
    CPPUNIT_TEST(testReservedWordsQuoted);
    CPPUNIT_TEST(testSplitKeepsPhrases);
    CPPUNIT_TEST(testSplitWithLanguage);
    CPPUNIT_TEST(testTermTooLong);
    CPPUNIT_TEST(testCodePoints);
    CPPUNIT_TEST(testTagged);
    CPPUNIT_TEST_SUITE_END();

  public:
    void testTrack()
    {
        CPPUNIT_ASSERT(streamrules::fromGramex({"a", "b c"}, {}, {}, {}, 512) == Strings{"a OR (b c)"});
        CPPUNIT_ASSERT(streamrules::fromGramex({"beer"}, {}, {}, {}, 512) == Strings{"beer"});
        CPPUNIT_ASSERT(streamrules::fromGramex({"  craft   beer "}, {}, {}, {}, 512) == Strings{"(craft beer)"});
        CPPUNIT_ASSERT(streamrules::fromGramex({}, {}, {}, {}, 512).empty());
    }

    void testFollowAndTrack()
    {
        CPPUNIT_ASSERT(streamrules::fromGramex({"beer", "wine"}, {"12345", "Starbucks"}, {}, {}, 512) ==
                       Strings{"beer OR wine OR from:12345 OR from:Starbucks"});
        CPPUNIT_ASSERT(streamrules::fromGramex({}, {"gramener"}, {}, {}, 512) == Strings{"from:gramener"});
    }

    void testLanguage()
    {
        CPPUNIT_ASSERT(streamrules::fromGramex({"a", "b c"}, {}, {}, {"en"}, 512) == Strings{"(a OR (b c)) lang:en"});
        CPPUNIT_ASSERT(streamrules::fromGramex({"a"}, {}, {}, {"en"}, 512) == Strings{"a lang:en"});
        CPPUNIT_ASSERT(streamrules::fromGramex({"a"}, {}, {}, {"en", "fr"}, 512) == Strings{"a (lang:en OR lang:fr)"});
        CPPUNIT_ASSERT_EQUAL(std::string(""), streamrules::languageClause({}));
    }

    void testLocations()
    {
        CPPUNIT_ASSERT(streamrules::fromGramex({}, {}, {"-122.75", "36.8", "-121.75", "37.8"}, {}, 512) ==
                       Strings{"bounding_box:[-122.75 36.8 -121.75 37.8]"});
        CPPUNIT_ASSERT(streamrules::fromGramex({"beer"}, {}, {"+1", "2", "3", "4", "5", "6", "7", "8"}, {"en"}, 512) ==
                       Strings{"(beer OR bounding_box:[1 2 3 4] OR bounding_box:[5 6 7 8]) lang:en"});
    }

    void testReservedWordsQuoted()
    {
        CPPUNIT_ASSERT_EQUAL(std::string("\"OR\""), streamrules::trackTerm("OR"));
        CPPUNIT_ASSERT_EQUAL(std::string("\"-minus\""), streamrules::trackTerm("-minus"));
        CPPUNIT_ASSERT_EQUAL(std::string("(\"a:b\" \"(x)\")"), streamrules::trackTerm("a:b (x)"));
        CPPUNIT_ASSERT_EQUAL(std::string("\"say\\\"hi\\\"\""), streamrules::trackTerm("say\"hi\""));
        CPPUNIT_ASSERT_EQUAL(std::string("#beer"), streamrules::trackTerm("#beer"));
    }

    void testSplitKeepsPhrases()
    {
        // 20 characters at most: "alpha OR (beta gamma)" and "(beta gamma)
        // OR delta" are 21, so it splits between the terms and the phrase
        // stays whole; at 21 the first pair fits.
        Strings rules = streamrules::fromGramex({"alpha", "beta gamma", "delta"}, {}, {}, {}, 20);
        CPPUNIT_ASSERT(rules == (Strings{"alpha", "(beta gamma)", "delta"}));
        CPPUNIT_ASSERT(streamrules::fromGramex({"alpha", "beta gamma", "delta"}, {}, {}, {}, 21) ==
                       (Strings{"alpha OR (beta gamma)", "delta"}));
        for (const auto& r : rules) CPPUNIT_ASSERT(streamrules::ruleLength(r) <= 20);

        // Many terms: every rule fits, every term appears exactly once.
        Strings track;
        for (int i = 0; i < 300; ++i) track.push_back("word" + std::to_string(i) + " extra" + std::to_string(i));
        Strings split = streamrules::fromGramex(track, {"someone"}, {}, {}, 512);
        CPPUNIT_ASSERT(split.size() > 1);
        std::string all;
        for (const auto& r : split)
        {
            CPPUNIT_ASSERT(streamrules::ruleLength(r) <= 512);
            all += " OR " + r;
        }
        for (int i = 0; i < 300; ++i)
        {
            const std::string term = "(word" + std::to_string(i) + " extra" + std::to_string(i) + ")";
            std::size_t at = all.find(" " + term);
            CPPUNIT_ASSERT(at != std::string::npos);
            CPPUNIT_ASSERT(all.find(" " + term, at + 1) == std::string::npos);
        }
        CPPUNIT_ASSERT(all.find("from:someone") != std::string::npos);
        // A value that fits is one rule.
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), streamrules::fromGramex({"a", "b"}, {}, {}, {}, 6).size());
    }

    void testSplitWithLanguage()
    {
        // lang: is counted and added to every generated rule.
        Strings rules = streamrules::fromGramex({"aaaa", "bbbb", "cccc"}, {}, {}, {"en"}, 24);
        CPPUNIT_ASSERT(rules == (Strings{"(aaaa OR bbbb) lang:en", "cccc lang:en"}));
    }

    void testTermTooLong()
    {
        CPPUNIT_ASSERT_THROW(streamrules::fromGramex({"a very long phrase indeed"}, {}, {}, {}, 16), RuleTooLong);
        CPPUNIT_ASSERT_THROW(streamrules::fromGramex({"abc"}, {}, {}, {"en"}, 8), RuleTooLong);
        try
        {
            streamrules::fromGramex({"a very long phrase indeed"}, {}, {}, {}, 16);
        }
        catch (const RuleTooLong& e)
        {
            CPPUNIT_ASSERT(std::string(e.what()).find("rule_max_length 16") != std::string::npos);
        }
    }

    void testCodePoints()
    {
        CPPUNIT_ASSERT_EQUAL(std::size_t(4), streamrules::ruleLength("caf\xc3\xa9"));
        // "café OR thé" = 11 code points (13 bytes): fits in 11.
        CPPUNIT_ASSERT_EQUAL(std::size_t(1),
                             streamrules::fromGramex({"caf\xc3\xa9", "th\xc3\xa9"}, {}, {}, {}, 11).size());
    }

    void testTagged()
    {
        std::vector<StreamRule> rules =
            streamrules::tagged("s1", {{"cats has:images", "cats"}, {"dogs", ""}}, {"beer OR wine"});
        CPPUNIT_ASSERT_EQUAL(std::size_t(3), rules.size());
        CPPUNIT_ASSERT(rules[0] == (StreamRule{"cats has:images", "birdgate:s1:cats"}));
        CPPUNIT_ASSERT(rules[1] == (StreamRule{"dogs", "birdgate:s1:2"}));
        CPPUNIT_ASSERT(rules[2] == (StreamRule{"beer OR wine", "birdgate:s1:3"}));
        CPPUNIT_ASSERT_EQUAL(std::string("birdgate:s1:"), streamrules::tagPrefix("s1"));
    }
};

BIRDGATE_TEST_SUITE(StreamRulesTest);
