// KwargsTest: a handler's kwargs read through its table. Checks that types
// are refused at construction (with file, line and dotted key), that defaults
// come from the table, that unknown keys warn with their line, and what each
// accessor returns for present, defaulted and absent keys.
#include "TestSupport.h"

#include "birdgate/config/Config.h"
#include "birdgate/config/Kwargs.h"

#include <stdexcept>
#include <string>
#include <vector>

using birdgate::ConfigError;
using birdgate::Kwargs;
using birdgate::KwargSpec;
using birdgate::KwargType;
using birdgate::Origin;

namespace
{

const KwargSpec SPEC[] = {
    {"key", KwargType::String, nullptr, "consumer key"},
    {"endpoint", KwargType::String, "https://api.twitter.com/1.1/", "upstream root"},
    {"timeout", KwargType::Int, "20", "seconds"},
    {"count", KwargType::Int, nullptr, "items"},
    {"ratio", KwargType::Number, "0.5", "a fraction"},
    {"xsrf_cookies", KwargType::Bool, "true", "check XSRF"},
    {"external", KwargType::Bool, nullptr, "allow other origins"},
    {"methods", KwargType::StringList, "GET, POST", "allowed methods"},
    {"track", KwargType::StringList, nullptr, "keywords"},
    {"headers", KwargType::Map, nullptr, "added headers"},
    {"transform", KwargType::Any, nullptr, "transforms"},
};

const Origin ORIGIN{"etc/x.yaml", "/srv/etc", ""};
const char* const CONTEXT = "url.twitter.kwargs";

/// The kwargs map of a YAML text whose first line is line 1: `kwargs:` is on
/// line 1, so the first key is on line 2.
YAML::Node kwargsOf(const std::string& body)
{
    return YAML::Load("kwargs:\n" + body)["kwargs"];
}

Kwargs make(const std::string& body, std::vector<std::string>* warnings = nullptr)
{
    return Kwargs(kwargsOf(body), ORIGIN, 1, CONTEXT, SPEC, warnings);
}

ConfigError constructError(const std::string& body)
{
    try
    {
        make(body);
    }
    catch (const ConfigError& e)
    {
        return e;
    }
    CPPUNIT_FAIL("expected a ConfigError for:\n" + body);
    throw std::logic_error("unreachable");
}

void assertError(const ConfigError& e, int line, const std::string& key, const std::string& expected)
{
    CPPUNIT_ASSERT_EQUAL_MESSAGE(e.what(), std::string("etc/x.yaml"), e.file());
    CPPUNIT_ASSERT_EQUAL_MESSAGE(e.what(), line, e.line());
    CPPUNIT_ASSERT_EQUAL_MESSAGE(e.what(), key, e.key());
    CPPUNIT_ASSERT_EQUAL_MESSAGE(e.what(), expected, e.expected());
}

std::vector<std::string> strings(std::initializer_list<const char*> items)
{
    return std::vector<std::string>(items.begin(), items.end());
}

} // namespace

class KwargsTest : public CppUnit::TestFixture
{
    CPPUNIT_TEST_SUITE(KwargsTest);
    CPPUNIT_TEST(testValues);
    CPPUNIT_TEST(testDefaults);
    CPPUNIT_TEST(testAbsentWithoutDefault);
    CPPUNIT_TEST(testNullMeansAbsent);
    CPPUNIT_TEST(testBooleans);
    CPPUNIT_TEST(testIntegersAreStrict);
    CPPUNIT_TEST(testNumbersAreStrict);
    CPPUNIT_TEST(testStringLists);
    CPPUNIT_TEST(testTypeErrors);
    CPPUNIT_TEST(testUnknownKeysWarn);
    CPPUNIT_TEST(testNotAMap);
    CPPUNIT_TEST(testEmptyNode);
    CPPUNIT_TEST(testFail);
    CPPUNIT_TEST(testStringPairs);
    CPPUNIT_TEST(testNameNotInTable);
    CPPUNIT_TEST(testFromLoadedConfig);
    CPPUNIT_TEST_SUITE_END();

  public:
    void testValues()
    {
        Kwargs kw = make("  key: abc\n"
                         "  timeout: 5\n"
                         "  count: -3\n"
                         "  ratio: 2.25\n"
                         "  xsrf_cookies: false\n"
                         "  methods: [GET]\n"
                         "  headers: {Cache-Control: private}\n"
                         "  transform: {sentiment: {function: sentiment.add_sentiment}}\n");
        CPPUNIT_ASSERT_EQUAL(std::string("abc"), kw.str("key"));
        CPPUNIT_ASSERT_EQUAL(std::string("abc"), kw.optStr("key").value());
        CPPUNIT_ASSERT_EQUAL(5LL, kw.integer("timeout"));
        CPPUNIT_ASSERT_EQUAL(-3LL, kw.integer("count"));
        CPPUNIT_ASSERT_DOUBLES_EQUAL(2.25, kw.number("ratio"), 1e-12);
        CPPUNIT_ASSERT(!kw.boolean("xsrf_cookies"));
        CPPUNIT_ASSERT(kw.list("methods") == strings({"GET"}));
        CPPUNIT_ASSERT_EQUAL(std::string("private"), kw.node("headers")["Cache-Control"].Scalar());
        CPPUNIT_ASSERT(kw.node("transform")["sentiment"].IsMap());
        CPPUNIT_ASSERT(kw.has("key"));
        CPPUNIT_ASSERT_EQUAL(std::string(CONTEXT), kw.context());
        CPPUNIT_ASSERT_EQUAL(std::string("etc/x.yaml"), kw.origin().file);
        // An integer kwarg is also readable as a number and as a string.
        CPPUNIT_ASSERT_EQUAL(std::string("5"), kw.str("timeout"));
    }

    void testDefaults()
    {
        Kwargs kw = make("  key: abc\n");
        CPPUNIT_ASSERT_EQUAL(std::string("https://api.twitter.com/1.1/"), kw.str("endpoint"));
        CPPUNIT_ASSERT_EQUAL(20LL, kw.integer("timeout"));
        CPPUNIT_ASSERT_DOUBLES_EQUAL(0.5, kw.number("ratio"), 1e-12);
        CPPUNIT_ASSERT(kw.boolean("xsrf_cookies"));
        CPPUNIT_ASSERT(kw.list("methods") == strings({"GET", "POST"}));
        CPPUNIT_ASSERT(kw.has("timeout"));
        // node() is the YAML as written: a default is not a node.
        CPPUNIT_ASSERT(!kw.node("timeout").IsDefined());
    }

    void testAbsentWithoutDefault()
    {
        Kwargs kw = make("  key: abc\n");
        CPPUNIT_ASSERT(!kw.has("count"));
        CPPUNIT_ASSERT(!kw.optStr("count").has_value());
        CPPUNIT_ASSERT_EQUAL(std::string(""), kw.str("track"));
        CPPUNIT_ASSERT_EQUAL(0LL, kw.integer("count"));
        CPPUNIT_ASSERT(!kw.boolean("external"));
        CPPUNIT_ASSERT(kw.list("track").empty());
        CPPUNIT_ASSERT(!kw.node("headers").IsDefined());
    }

    void testNullMeansAbsent()
    {
        // `key:` with no value is "not given", so the default applies.
        Kwargs kw = make("  timeout:\n  count: ~\n  headers:\n");
        CPPUNIT_ASSERT_EQUAL(20LL, kw.integer("timeout"));
        CPPUNIT_ASSERT(!kw.has("count"));
        CPPUNIT_ASSERT(!kw.optStr("count").has_value());
    }

    void testBooleans()
    {
        for (const char* yes : {"true", "True", "TRUE", "yes", "Yes", "on", "ON", "1"})
            CPPUNIT_ASSERT_MESSAGE(yes, make(std::string("  external: ") + yes + "\n").boolean("external"));
        for (const char* no : {"false", "False", "no", "NO", "off", "Off", "0"})
            CPPUNIT_ASSERT_MESSAGE(no, !make(std::string("  external: ") + no + "\n").boolean("external"));
        for (const char* bad : {"maybe", "2", "y", "tru", "''"})
            assertError(constructError(std::string("  external: ") + bad + "\n"), 2, "url.twitter.kwargs.external",
                        std::string("true or false (found '") + (std::string(bad) == "''" ? "" : bad) + "')");
    }

    void testIntegersAreStrict()
    {
        CPPUNIT_ASSERT_EQUAL(42LL, make("  count: +42\n").integer("count"));
        CPPUNIT_ASSERT_EQUAL(9223372036854775807LL, make("  count: 9223372036854775807\n").integer("count"));
        for (const char* bad : {"12abc", "1.5", "0x10", "' 12'", "''", "9223372036854775808", "+-1", "1e3"})
        {
            ConfigError e = constructError(std::string("\n  count: ") + bad + "\n");
            CPPUNIT_ASSERT_EQUAL_MESSAGE(bad, 3, e.line());
            CPPUNIT_ASSERT_EQUAL_MESSAGE(bad, std::string("url.twitter.kwargs.count"), e.key());
            CPPUNIT_ASSERT_MESSAGE(e.what(), e.expected().find("an integer (found '") == 0);
        }
    }

    void testNumbersAreStrict()
    {
        CPPUNIT_ASSERT_DOUBLES_EQUAL(-0.25, make("  ratio: -0.25\n").number("ratio"), 1e-12);
        CPPUNIT_ASSERT_DOUBLES_EQUAL(1000.0, make("  ratio: 1e3\n").number("ratio"), 1e-9);
        CPPUNIT_ASSERT_DOUBLES_EQUAL(7.0, make("  ratio: 7\n").number("ratio"), 1e-12);
        for (const char* bad : {"abc", "1.5x", "inf", "nan", ".inf", "1e999", "''"})
            assertError(constructError(std::string("  ratio: ") + bad + "\n"), 2, "url.twitter.kwargs.ratio",
                        std::string("a number (found '") + (std::string(bad) == "''" ? "" : bad) + "')");
    }

    void testStringLists()
    {
        CPPUNIT_ASSERT(make("  track: beer,wine\n").list("track") == strings({"beer", "wine"}));
        CPPUNIT_ASSERT(make("  track: ' beer , , wine ,'\n").list("track") == strings({"beer", "wine"}));
        CPPUNIT_ASSERT(make("  track: [' beer ', '', wine, ~]\n").list("track") == strings({"beer", "wine"}));
        CPPUNIT_ASSERT(make("  track:\n    - beer\n    - 42\n").list("track") == strings({"beer", "42"}));
        CPPUNIT_ASSERT(make("  track: single\n").list("track") == strings({"single"}));
        CPPUNIT_ASSERT(make("  methods: GET\n").list("methods") == strings({"GET"}));
        CPPUNIT_ASSERT(make("  track: []\n").list("track").empty());
        // A list item that is not a scalar is refused at its own line.
        assertError(constructError("  track:\n    - beer\n    - {a: b}\n"), 4, "url.twitter.kwargs.track",
                    "a list of strings or a comma-separated string (found a map in the list)");
        assertError(constructError("  track: {a: b}\n"), 2, "url.twitter.kwargs.track",
                    "a list of strings or a comma-separated string (found a map)");
    }

    void testTypeErrors()
    {
        assertError(constructError("  key: [a, b]\n"), 2, "url.twitter.kwargs.key", "a string (found a list)");
        assertError(constructError("  key: abc\n  endpoint: {a: b}\n"), 3, "url.twitter.kwargs.endpoint",
                    "a string (found a map)");
        assertError(constructError("  timeout: [1]\n"), 2, "url.twitter.kwargs.timeout", "an integer (found a list)");
        assertError(constructError("  headers: private\n"), 2, "url.twitter.kwargs.headers", "a map (found 'private')");
        assertError(constructError("  headers: [a]\n"), 2, "url.twitter.kwargs.headers", "a map (found a list)");
        ConfigError e = constructError("  timeout: soon\n");
        CPPUNIT_ASSERT_EQUAL(std::string("etc/x.yaml:2: url.twitter.kwargs.timeout: expected an integer (found "
                                         "'soon')"),
                             std::string(e.what()));
        // Any takes anything.
        for (const char* value : {"1", "[1, 2]", "{a: b}", "text"})
            CPPUNIT_ASSERT(make(std::string("  transform: ") + value + "\n").node("transform").IsDefined());
    }

    void testUnknownKeysWarn()
    {
        std::vector<std::string> warnings;
        Kwargs kw = make("  key: abc\n  secrte: x\n  Key: y\n", &warnings);
        CPPUNIT_ASSERT_EQUAL(size_t(2), warnings.size());
        CPPUNIT_ASSERT_EQUAL(std::string("etc/x.yaml:3: unknown key 'secrte' in url.twitter.kwargs (ignored)"),
                             warnings[0]);
        CPPUNIT_ASSERT_EQUAL(std::string("etc/x.yaml:4: unknown key 'Key' in url.twitter.kwargs (ignored)"),
                             warnings[1]);
        CPPUNIT_ASSERT_EQUAL(std::string("abc"), kw.str("key"));
        // Unknown keys are not type-checked (they are ignored), and without a
        // warnings vector they are still not an error.
        Kwargs quiet = make("  unknown: [1, {a: b}]\n");
        CPPUNIT_ASSERT(!quiet.has("count"));
    }

    void testNotAMap()
    {
        YAML::Node list = YAML::Load("\n\n[1, 2]\n");
        try
        {
            Kwargs kw(list, ORIGIN, 7, CONTEXT, SPEC);
            CPPUNIT_FAIL("a list is not kwargs");
        }
        catch (const ConfigError& e)
        {
            assertError(e, 3, CONTEXT, "a map of keyword arguments (found a list)");
        }
        try
        {
            Kwargs kw(YAML::Node("text"), ORIGIN, 7, CONTEXT, SPEC);
            CPPUNIT_FAIL("a string is not kwargs");
        }
        catch (const ConfigError& e)
        {
            // A node built in code has no mark: the entry's line is used.
            assertError(e, 7, CONTEXT, "a map of keyword arguments (found 'text')");
        }
        try
        {
            make("  ? [a]\n  : b\n");
            CPPUNIT_FAIL("a list key is not a name");
        }
        catch (const ConfigError& e)
        {
            assertError(e, 2, CONTEXT, "a string key (found a list)");
        }
    }

    void testEmptyNode()
    {
        // A url entry without kwargs: (Null or undefined) has only the defaults.
        for (const YAML::Node& node : {YAML::Node(), YAML::Load("a: 1")["missing"], YAML::Load("kwargs:")["kwargs"]})
        {
            Kwargs kw(node, ORIGIN, 4, CONTEXT, SPEC);
            CPPUNIT_ASSERT_EQUAL(20LL, kw.integer("timeout"));
            CPPUNIT_ASSERT(!kw.has("key"));
            CPPUNIT_ASSERT(!kw.node("key").IsDefined());
        }
        // The caller's Null node is left alone.
        YAML::Node null;
        Kwargs kw(null, ORIGIN, 4, CONTEXT, SPEC);
        CPPUNIT_ASSERT(null.IsNull());
    }

    void testStringPairs()
    {
        Kwargs kw = make("  headers: {Cache-Control: private, X-B: '2', X-A: 1}\n");
        auto pairs = kw.stringPairs("headers");
        CPPUNIT_ASSERT_EQUAL(size_t(3), pairs.size());
        CPPUNIT_ASSERT_EQUAL(std::string("Cache-Control"), pairs[0].first);
        CPPUNIT_ASSERT_EQUAL(std::string("private"), pairs[0].second);
        CPPUNIT_ASSERT_EQUAL(std::string("X-A"), pairs[2].first); // YAML order kept
        CPPUNIT_ASSERT(make("  key: abc\n").stringPairs("headers").empty());
        Kwargs bad = make("  headers: {X-List: [1, 2]}\n");
        CPPUNIT_ASSERT_THROW(bad.stringPairs("headers"), ConfigError);
    }

    void testFail()
    {
        Kwargs kw = make("  key: abc\n  timeout: 100000\n");
        try
        {
            kw.fail("timeout", "at most 600 seconds (found 100000)");
            CPPUNIT_FAIL("fail() must throw");
        }
        catch (const ConfigError& e)
        {
            assertError(e, 3, "url.twitter.kwargs.timeout", "at most 600 seconds (found 100000)");
        }
        try
        {
            // An absent key: the line of the kwargs map it is missing from.
            Kwargs(kwargsOf("  key: abc\n"), ORIGIN, 9, CONTEXT, SPEC).fail("count", "a count (required)");
            CPPUNIT_FAIL("fail() must throw");
        }
        catch (const ConfigError& e)
        {
            assertError(e, 2, "url.twitter.kwargs.count", "a count (required)");
        }
        try
        {
            // No kwargs at all: the entry's own line.
            Kwargs(YAML::Node(), ORIGIN, 9, CONTEXT, SPEC).fail("count", "a count (required)");
            CPPUNIT_FAIL("fail() must throw");
        }
        catch (const ConfigError& e)
        {
            assertError(e, 9, "url.twitter.kwargs.count", "a count (required)");
        }
    }

    void testNameNotInTable()
    {
        Kwargs kw = make("  key: abc\n");
        CPPUNIT_ASSERT_THROW(kw.str("nope"), std::logic_error);
        CPPUNIT_ASSERT_THROW(kw.has("nope"), std::logic_error);
        CPPUNIT_ASSERT_THROW(kw.list("nope"), std::logic_error);
        CPPUNIT_ASSERT_THROW(kw.node("nope"), std::logic_error);
    }

    void testFromLoadedConfig()
    {
        // The way handlers use it: the url entry's kwargs, origin and line.
        std::string yaml = "url:\n"
                           "  twitter:\n"
                           "    pattern: /twitter/(.*)\n"
                           "    handler: TwitterRESTHandler\n"
                           "    kwargs:\n"
                           "      key: $BG_KWARGS_KEY\n"
                           "      methods: GET, POST ,\n"
                           "      timeout: 1O\n";
        ::setenv("BG_KWARGS_KEY", "from-env", 1);
        birdgate::Config config = birdgate::Config::loadString(yaml, "etc/x.yaml");
        ::unsetenv("BG_KWARGS_KEY");
        const auto& entry = config.urls.at(0);
        try
        {
            Kwargs kw(entry.kwargs, entry.origin, entry.line, "url." + entry.name + ".kwargs", SPEC, &config.warnings);
            CPPUNIT_FAIL("timeout 1O (letter O) is not an integer");
        }
        catch (const ConfigError& e)
        {
            assertError(e, 8, "url.twitter.kwargs.timeout", "an integer (found '1O')");
        }
        std::vector<std::string> warnings;
        Kwargs kw(YAML::Load("key: k"), entry.origin, entry.line, "url.twitter.kwargs", SPEC, &warnings);
        CPPUNIT_ASSERT(warnings.empty());
        CPPUNIT_ASSERT_EQUAL(std::string("k"), kw.str("key"));
        const YAML::Node& kwargs = entry.kwargs;
        CPPUNIT_ASSERT_EQUAL(std::string("from-env"), kwargs["key"].Scalar());
        CPPUNIT_ASSERT_EQUAL(std::string("GET, POST ,"), kwargs["methods"].Scalar());
    }
};

BIRDGATE_TEST_SUITE(KwargsTest);
