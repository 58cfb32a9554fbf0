// ConfigTest: the YAML loader (DESIGN.md 2). Each error kind is asserted on
// all four parts of the ConfigError (file, line, key, expected), because the
// message is the whole user interface of a config mistake; warnings are
// asserted by their exact text; fixtures under tests/data/config cover
// imports, and garbage input must end in a ConfigError, never a crash.
#include "TestSupport.h"

#include "birdgate/config/Config.h"
#include "birdgate/server/HandlerTable.h"

#include <cstdlib>
#include <filesystem>
#include <random>
#include <stdexcept>
#include <string>

using birdgate::AppConfig;
using birdgate::Config;
using birdgate::ConfigError;
using birdgate::handlerNames;

namespace
{

const char* const FILE_NAME = "etc/x.yaml";

ConfigError loadError(const std::string& yaml, const std::string& path = FILE_NAME)
{
    try
    {
        Config::loadString(yaml, path, handlerNames());
    }
    catch (const ConfigError& e)
    {
        return e;
    }
    CPPUNIT_FAIL("expected a ConfigError for:\n" + yaml);
    throw std::logic_error("unreachable");
}

ConfigError loadFileError(const std::string& path)
{
    try
    {
        Config::load(path, handlerNames());
    }
    catch (const ConfigError& e)
    {
        return e;
    }
    CPPUNIT_FAIL("expected a ConfigError loading " + path);
    throw std::logic_error("unreachable");
}

void assertError(const ConfigError& e, const std::string& file, int line, const std::string& key,
                 const std::string& expectedPart)
{
    CPPUNIT_ASSERT_EQUAL_MESSAGE(e.what(), file, e.file());
    CPPUNIT_ASSERT_EQUAL_MESSAGE(e.what(), line, e.line());
    CPPUNIT_ASSERT_EQUAL_MESSAGE(e.what(), key, e.key());
    CPPUNIT_ASSERT_MESSAGE(std::string(e.what()) + " lacks: " + expectedPart,
                           e.expected().find(expectedPart) != std::string::npos);
}

bool hasWarning(const Config& config, const std::string& text)
{
    for (const auto& warning : config.warnings)
        if (warning == text) return true;
    return false;
}

std::string allWarnings(const Config& config)
{
    std::string text;
    for (const auto& warning : config.warnings) text += warning + "\n";
    return text;
}

std::string configFolder()
{
    return std::filesystem::path(birdgate::test::dataPath("config/x")).lexically_normal().parent_path().string();
}

/// A string literal with its embedded NULs.
template <size_t N> std::string bytes(const char (&text)[N])
{
    return std::string(text, N - 1);
}

std::string cwd()
{
    return std::filesystem::current_path().lexically_normal().string();
}

/// One url entry whose kwargs hold `kwargs` (YAML flow or block text).
std::string urlWithKwargs(const std::string& kwargs)
{
    return "url:\n  v:\n    pattern: /v\n    handler: FileHandler\n    kwargs:\n" + kwargs;
}

std::string kwarg(const Config& config, const std::string& name)
{
    CPPUNIT_ASSERT_EQUAL(size_t(1), config.urls.size());
    YAML::Node value = config.urls[0].kwargs[name];
    CPPUNIT_ASSERT_MESSAGE("kwarg " + name + " missing", value.IsDefined() && value.IsScalar());
    return value.Scalar();
}

} // namespace

class ConfigTest : public CppUnit::TestFixture
{
    CPPUNIT_TEST_SUITE(ConfigTest);
    CPPUNIT_TEST(testErrorMessageFormat);
    CPPUNIT_TEST(testEmptyFileIsDefaults);
    CPPUNIT_TEST(testTableDefaultsMatchAppConfig);
    CPPUNIT_TEST(testAppValues);
    CPPUNIT_TEST(testAppSizesAndLists);
    CPPUNIT_TEST(testAppErrors);
    CPPUNIT_TEST(testUnknownKeysWarn);
    CPPUNIT_TEST(testDuplicateKeysWarn);
    CPPUNIT_TEST(testUrlEntry);
    CPPUNIT_TEST(testUrlErrors);
    CPPUNIT_TEST(testInvalidRegex);
    CPPUNIT_TEST(testNormalisePattern);
    CPPUNIT_TEST(testScheduleEntry);
    CPPUNIT_TEST(testScheduleErrors);
    CPPUNIT_TEST(testEnvironmentVariables);
    CPPUNIT_TEST(testVariableDefaultsAndEscapes);
    CPPUNIT_TEST(testUnsetVariableWarns);
    CPPUNIT_TEST(testYamlPathAndUrl);
    CPPUNIT_TEST(testVariableSyntaxErrors);
    CPPUNIT_TEST(testSubstitutionKeepsLines);
    CPPUNIT_TEST(testAliasesExpandedOnce);
    CPPUNIT_TEST(testImportFixture);
    CPPUNIT_TEST(testImportMapForm);
    CPPUNIT_TEST(testImportCycle);
    CPPUNIT_TEST(testImportMissing);
    CPPUNIT_TEST(testImportErrors);
    CPPUNIT_TEST(testImportedSyntaxError);
    CPPUNIT_TEST(testMissingMainFile);
    CPPUNIT_TEST(testTopLevelNotAMap);
    CPPUNIT_TEST(testSyntaxErrors);
    CPPUNIT_TEST(testUnterminatedQuotes);
    CPPUNIT_TEST(testMultipleDocuments);
    CPPUNIT_TEST(testBinaryGarbage);
    CPPUNIT_TEST(testRandomBytesNeverCrash);
    CPPUNIT_TEST(testDeepNesting);
    CPPUNIT_TEST(testRecursiveAlias);
    CPPUNIT_TEST(testHugeDocument);
    CPPUNIT_TEST(testDesignExample);
    CPPUNIT_TEST(testAuthForms);
    CPPUNIT_TEST(testAuthOtherFormsAreErrors);
    CPPUNIT_TEST(testPublicUrlProxiesAndRoots);
    CPPUNIT_TEST_SUITE_END();

  public:
    void setUp() override
    {
        ::setenv("BG_TEST_A", "alpha", 1);
        ::setenv("BG_TEST_EMPTY", "", 1);
        ::unsetenv("BG_TEST_UNSET");
        ::unsetenv("BG_TEST_Axyz");
    }

    void testErrorMessageFormat()
    {
        ConfigError e("etc/x.yaml", 12, "url.twitter.pattern", "a valid regular expression (missing ')')");
        CPPUNIT_ASSERT_EQUAL(std::string("etc/x.yaml:12: url.twitter.pattern: expected a valid regular "
                                         "expression (missing ')')"),
                             std::string(e.what()));
        ConfigError noLine("etc/x.yaml", 0, "(file)", "a readable YAML file");
        CPPUNIT_ASSERT_EQUAL(std::string("etc/x.yaml: (file): expected a readable YAML file"),
                             std::string(noLine.what()));
    }

    void testEmptyFileIsDefaults()
    {
        for (const char* name : {"config/empty.yaml", "config/comments_only.yaml"})
        {
            Config config = Config::load(birdgate::test::dataPath(name), handlerNames());
            CPPUNIT_ASSERT(config.urls.empty());
            CPPUNIT_ASSERT(config.schedules.empty());
            CPPUNIT_ASSERT_MESSAGE(allWarnings(config), config.warnings.empty());
            CPPUNIT_ASSERT_EQUAL(std::string("sqlite:" + configFolder() + "/birdgate.db"), config.app.store);
            CPPUNIT_ASSERT_EQUAL(size_t(1), config.app.plugins.size());
            CPPUNIT_ASSERT_EQUAL(configFolder() + "/plugins", config.app.plugins[0]);
            CPPUNIT_ASSERT(config.app.raw.IsNull());
            CPPUNIT_ASSERT_EQUAL(birdgate::test::dataPath(name), config.mainFile);
        }
        Config blank = Config::loadString("", "blank.yaml");
        CPPUNIT_ASSERT_EQUAL(std::string("sqlite:" + cwd() + "/birdgate.db"), blank.app.store);
    }

    void testTableDefaultsMatchAppConfig()
    {
        // The table's defaults drive loading; AppConfig's initialisers serve
        // code that builds an AppConfig by hand. They must agree.
        const AppConfig built;
        const Config loaded = Config::loadString("", FILE_NAME);
        const AppConfig& app = loaded.app;
        CPPUNIT_ASSERT_EQUAL(built.host, app.host);
        CPPUNIT_ASSERT_EQUAL(built.port, app.port);
        CPPUNIT_ASSERT_EQUAL(built.threads, app.threads);
        CPPUNIT_ASSERT_EQUAL(built.queue, app.queue);
        CPPUNIT_ASSERT_EQUAL(built.secret, app.secret);
        CPPUNIT_ASSERT_EQUAL(built.apiRoot, app.apiRoot);
        CPPUNIT_ASSERT_EQUAL(built.streamRoot, app.streamRoot);
        CPPUNIT_ASSERT_EQUAL(built.maxBody, app.maxBody);
        CPPUNIT_ASSERT_EQUAL(built.transformThreads, app.transformThreads);
        CPPUNIT_ASSERT_EQUAL(built.cacheSize, app.cacheSize);
        CPPUNIT_ASSERT_EQUAL(built.sessionExpiry, app.sessionExpiry);
        CPPUNIT_ASSERT_EQUAL(built.accessLog, app.accessLog);
        CPPUNIT_ASSERT_EQUAL(built.webRoot, app.webRoot);
        CPPUNIT_ASSERT_EQUAL(built.publicUrl, app.publicUrl);
        CPPUNIT_ASSERT(built.trustedProxies == app.trustedProxies);
        // Every row documents itself.
        for (const auto& setting : birdgate::appSettings())
        {
            CPPUNIT_ASSERT(setting.name && *setting.name);
            CPPUNIT_ASSERT_MESSAGE(setting.name, setting.description && *setting.description);
            CPPUNIT_ASSERT_MESSAGE(setting.name, setting.defaultValue != nullptr);
        }
    }

    void testAppValues()
    {
        Config config = Config::loadString("app:\n"
                                           "  listen: {host: 0.0.0.0, port: 0}\n"
                                           "  threads: 10000\n"
                                           "  queue: 5\n"
                                           "  secret: s3cret\n"
                                           "  store: redis://127.0.0.1:6379/0\n"
                                           "  twitter:\n"
                                           "    api_root: http://127.0.0.1:8000///\n"
                                           "    stream_root: https://stream.example.com/\n"
                                           "  transform_threads: 3\n"
                                           "  session: {expiry: 3600}\n"
                                           "  access_log: '-'\n"
                                           "  custom: {kept: yes}\n",
                                           FILE_NAME);
        const AppConfig& app = config.app;
        CPPUNIT_ASSERT_EQUAL(std::string("0.0.0.0"), app.host);
        CPPUNIT_ASSERT_EQUAL(0, app.port);
        CPPUNIT_ASSERT_EQUAL(10000, app.threads);
        CPPUNIT_ASSERT_EQUAL(5, app.queue);
        CPPUNIT_ASSERT_EQUAL(std::string("s3cret"), app.secret);
        CPPUNIT_ASSERT_EQUAL(std::string("redis://127.0.0.1:6379/0"), app.store);
        CPPUNIT_ASSERT_EQUAL(std::string("http://127.0.0.1:8000"), app.apiRoot);
        CPPUNIT_ASSERT_EQUAL(std::string("https://stream.example.com"), app.streamRoot);
        CPPUNIT_ASSERT_EQUAL(3, app.transformThreads);
        CPPUNIT_ASSERT_EQUAL(3600LL, app.sessionExpiry);
        CPPUNIT_ASSERT_EQUAL(std::string("-"), app.accessLog);
        // raw keeps everything, known or not, for later sections.
        CPPUNIT_ASSERT_EQUAL(std::string("yes"), app.raw["custom"]["kept"].Scalar());
        CPPUNIT_ASSERT_EQUAL(std::string("10000"), app.raw["threads"].Scalar());
        CPPUNIT_ASSERT(hasWarning(config, "etc/x.yaml:13: unknown key 'custom' in app (ignored)"));
        // `key:` with no value keeps the default.
        Config empty = Config::loadString("app:\n  threads:\n", FILE_NAME);
        CPPUNIT_ASSERT_EQUAL(0, empty.app.threads); // the default: one I/O thread per core
    }

    void testAppSizesAndLists()
    {
        const std::pair<const char*, long long> sizes[] = {
            {"1048576", 1048576},
            {"5MB", 5LL << 20},
            {"64KB", 64LL << 10},
            {"1GB", 1LL << 30},
            {"2 MiB", 2LL << 20},
            {"10k", 10LL << 10},
            {"0", 0},
            {"7B", 7},
        };
        for (const auto& [text, bytes] : sizes)
        {
            Config config = Config::loadString(
                std::string("app:\n  max_body: ") + text + "\n  cache: {size: " + text + "}\n", FILE_NAME);
            CPPUNIT_ASSERT_EQUAL_MESSAGE(text, bytes, config.app.maxBody);
            CPPUNIT_ASSERT_EQUAL_MESSAGE(text, bytes, config.app.cacheSize);
        }
        Config one = Config::loadString("app:\n  plugins: /opt/plugins\n", FILE_NAME);
        CPPUNIT_ASSERT_EQUAL(size_t(1), one.app.plugins.size());
        CPPUNIT_ASSERT_EQUAL(std::string("/opt/plugins"), one.app.plugins[0]);
        Config many = Config::loadString("app:\n  plugins: [/a, $YAMLPATH/b]\n", "etc/x.yaml");
        CPPUNIT_ASSERT_EQUAL(size_t(2), many.app.plugins.size());
        CPPUNIT_ASSERT_EQUAL(std::string("/a"), many.app.plugins[0]);
        CPPUNIT_ASSERT_EQUAL(cwd() + "/etc/b", many.app.plugins[1]);
    }

    void testAppErrors()
    {
        assertError(loadError("app:\n  listen: {port: 70000}\n"), FILE_NAME, 2, "app.listen.port",
                    "an integer from 0 to 65535 (found '70000')");
        assertError(loadError("app:\n  listen:\n    port: http\n"), FILE_NAME, 3, "app.listen.port",
                    "an integer from 0 to 65535 (found 'http')");
        assertError(loadError("app:\n  listen: {port: -1}\n"), FILE_NAME, 2, "app.listen.port", "from 0 to 65535");
        // threads: 0 means one I/O thread per core; a negative count is refused.
        assertError(loadError("app:\n  threads: -1\n"), FILE_NAME, 2, "app.threads",
                    "an integer from 0 to 10000 (found '-1')");
        assertError(loadError("app:\n  max_connections: 0\n"), FILE_NAME, 2, "app.max_connections",
                    "an integer from 1 to 10000000 (found '0')");
        assertError(loadError("app:\n  header_timeout: 0\n"), FILE_NAME, 2, "app.header_timeout",
                    "an integer from 1 to 3600 (found '0')");
        assertError(loadError("app:\n  threads: 12.5\n"), FILE_NAME, 2, "app.threads", "(found '12.5')");
        assertError(loadError("app:\n  threads: 0x10\n"), FILE_NAME, 2, "app.threads", "(found '0x10')");
        assertError(loadError("app:\n  threads: [1]\n"), FILE_NAME, 2, "app.threads", "(found a list)");
        assertError(loadError("app:\n  store: mysql://db\n"), FILE_NAME, 2, "app.store",
                    "sqlite:<path> or redis://host:port/db (found 'mysql://db')");
        assertError(loadError("app:\n  store: 'sqlite:'\n"), FILE_NAME, 2, "app.store", "sqlite:<path>");
        assertError(loadError("app:\n  twitter: {api_root: ftp://x}\n"), FILE_NAME, 2, "app.twitter.api_root",
                    "an http:// or https:// URL (found 'ftp://x')");
        assertError(loadError("app:\n  twitter:\n    stream_root: https://\n"), FILE_NAME, 3, "app.twitter.stream_root",
                    "an http:// or https:// URL");
        assertError(loadError("app:\n  max_body: 5XB\n"), FILE_NAME, 2, "app.max_body", "a size in bytes from 0 to");
        assertError(loadError("app:\n  max_body: 99999999999999999999GB\n"), FILE_NAME, 2, "app.max_body",
                    "a size in bytes");
        assertError(loadError("app:\n  listen: 80\n"), FILE_NAME, 2, "app.listen", "a map (found '80')");
        assertError(loadError("app:\n  plugins: {a: b}\n"), FILE_NAME, 2, "app.plugins",
                    "a list of strings or one string (found a map)");
        assertError(loadError("app:\n  plugins:\n    - [x]\n"), FILE_NAME, 3, "app.plugins", "a list of strings");
        assertError(loadError("app: [1, 2]\n"), FILE_NAME, 1, "app", "a map of settings (found a list)");
        assertError(loadError("app:\n  session: {expiry: 0}\n"), FILE_NAME, 2, "app.session.expiry",
                    "an integer from 1 to");
    }

    void testUnknownKeysWarn()
    {
        Config config = Config::loadString("app:\n"
                                           "  thread: 4\n"
                                           "  listen: {hots: x}\n"
                                           "urls: {}\n"
                                           "url:\n"
                                           "  a:\n"
                                           "    pattern: /a\n"
                                           "    handler: FileHandler\n"
                                           "    kwarg: {}\n"
                                           "schedule:\n"
                                           "  s:\n"
                                           "    function: f\n"
                                           "    minutes: 5\n",
                                           FILE_NAME);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(allWarnings(config), size_t(5), config.warnings.size());
        CPPUNIT_ASSERT(hasWarning(config, "etc/x.yaml:4: unknown key 'urls' (ignored)"));
        CPPUNIT_ASSERT(hasWarning(config, "etc/x.yaml:2: unknown key 'thread' in app (ignored)"));
        CPPUNIT_ASSERT(hasWarning(config, "etc/x.yaml:3: unknown key 'hots' in app.listen (ignored)"));
        CPPUNIT_ASSERT(hasWarning(config, "etc/x.yaml:9: unknown key 'kwarg' in url.a (ignored)"));
        CPPUNIT_ASSERT(hasWarning(config, "etc/x.yaml:13: unknown key 'minutes' in schedule.s (ignored)"));
        CPPUNIT_ASSERT_EQUAL(0, config.app.threads); // the misspelt key left the default
    }

    void testDuplicateKeysWarn()
    {
        Config config = Config::loadString("app:\n  threads: 2\n  threads: 3\n"
                                           "url:\n"
                                           "  a: {pattern: /one, handler: FileHandler}\n"
                                           "  a: {pattern: /two, handler: FileHandler}\n",
                                           FILE_NAME);
        CPPUNIT_ASSERT_EQUAL(3, config.app.threads); // the later one wins, as in PyYAML
        CPPUNIT_ASSERT(hasWarning(config, "etc/x.yaml:3: duplicate key 'threads' in app (the later one wins)"));
        CPPUNIT_ASSERT_EQUAL(size_t(1), config.urls.size());
        CPPUNIT_ASSERT_EQUAL(std::string("/two"), config.urls[0].pattern);
        CPPUNIT_ASSERT(hasWarning(config, "etc/x.yaml:6: url 'a' replaces the one from etc/x.yaml:5"));
    }

    void testUrlEntry()
    {
        Config config = Config::loadString("url:\n"
                                           "  low:\n"
                                           "    pattern: /low/(.*)\n"
                                           "    handler: TwitterSandbox\n"
                                           "  high:\n"
                                           "    pattern: /high\n"
                                           "    handler: TwitterRESTHandler\n"
                                           "    priority: -3\n"
                                           "    kwargs: {key: k}\n"
                                           "    cache: {duration: 60}\n"
                                           "  file:\n"
                                           "    pattern: /f\n"
                                           "    handler: FileHandler\n"
                                           "    kwargs:\n"
                                           "    cache:\n",
                                           FILE_NAME);
        CPPUNIT_ASSERT_MESSAGE(allWarnings(config), config.warnings.empty());
        CPPUNIT_ASSERT_EQUAL(size_t(3), config.urls.size());
        const auto& low = config.urls[0];
        CPPUNIT_ASSERT_EQUAL(std::string("low"), low.name);
        CPPUNIT_ASSERT_EQUAL(std::string("/low/(.*)"), low.pattern);
        CPPUNIT_ASSERT_EQUAL(std::string("TwitterSandbox"), low.handler);
        CPPUNIT_ASSERT_EQUAL(0, low.priority);
        CPPUNIT_ASSERT_EQUAL(size_t(0), low.order);
        CPPUNIT_ASSERT_EQUAL(2, low.line);
        CPPUNIT_ASSERT(low.kwargs.IsNull());
        CPPUNIT_ASSERT(low.cache.IsNull());
        CPPUNIT_ASSERT_EQUAL(std::string(FILE_NAME), low.origin.file);
        CPPUNIT_ASSERT_EQUAL(std::string(""), low.origin.yamlUrl);
        CPPUNIT_ASSERT_EQUAL(cwd() + "/etc", low.origin.yamlPath);
        const auto& high = config.urls[1];
        CPPUNIT_ASSERT_EQUAL(-3, high.priority);
        CPPUNIT_ASSERT_EQUAL(size_t(1), high.order);
        CPPUNIT_ASSERT_EQUAL(std::string("k"), high.kwargs["key"].Scalar());
        CPPUNIT_ASSERT_EQUAL(std::string("60"), high.cache["duration"].Scalar());
        CPPUNIT_ASSERT_EQUAL(size_t(2), config.urls[2].order);
        CPPUNIT_ASSERT(config.urls[2].kwargs.IsNull());
        CPPUNIT_ASSERT(config.urls[2].cache.IsNull());
    }

    void testUrlErrors()
    {
        const std::string handlers = "one of TwitterRESTHandler, TwitterSandbox, FileHandler";
        assertError(loadError("url:\n  a:\n    handler: FileHandler\n"), FILE_NAME, 2, "url.a.pattern",
                    "a URL pattern, a regular expression such as /twitter/(.*) (found nothing)");
        assertError(loadError("url:\n  a:\n    pattern: ''\n    handler: FileHandler\n"), FILE_NAME, 3, "url.a.pattern",
                    "(found '')");
        assertError(loadError("url:\n  a:\n    pattern: [/a]\n    handler: FileHandler\n"), FILE_NAME, 3,
                    "url.a.pattern", "(found a list)");
        assertError(loadError("url:\n  a:\n    pattern: /a\n"), FILE_NAME, 2, "url.a.handler",
                    handlers + " (found nothing)");
        assertError(loadError("url:\n  a:\n    pattern: /a\n    handler: gramex.handlers.FunctionHandler\n"), FILE_NAME,
                    4, "url.a.handler", handlers + " (found 'gramex.handlers.FunctionHandler')");
        assertError(loadError("url:\n  a:\n    pattern: /a\n    handler: FileHandler\n    priority: high\n"), FILE_NAME,
                    5, "url.a.priority", "an integer; higher wins (found 'high')");
        assertError(loadError("url:\n  a:\n    pattern: /a\n    handler: FileHandler\n    kwargs: [1]\n"), FILE_NAME, 5,
                    "url.a.kwargs", "a map (found a list)");
        assertError(loadError("url:\n  a:\n    pattern: /a\n    handler: FileHandler\n    cache: 300\n"), FILE_NAME, 5,
                    "url.a.cache", "a map (found '300')");
        assertError(loadError("url:\n  a: /a\n"), FILE_NAME, 2, "url.a", "a map with pattern and handler (found '/a')");
        assertError(loadError("url: /a\n"), FILE_NAME, 1, "url", "a map of named entries");
    }

    void testInvalidRegex()
    {
        ConfigError e = loadError("# comment\nurl:\n  twitter:\n    handler: TwitterRESTHandler\n"
                                  "    pattern: /twitter/(.*\n");
        assertError(e, FILE_NAME, 5, "url.twitter.pattern", "a valid regular expression (missing ')')");
        CPPUNIT_ASSERT_EQUAL(std::string("etc/x.yaml:5: url.twitter.pattern: expected a valid regular expression "
                                         "(missing ')')"),
                             std::string(e.what()));
        assertError(loadError("url:\n  a: {pattern: '/[ab', handler: FileHandler}\n"), FILE_NAME, 2, "url.a.pattern",
                    "a valid regular expression (missing ']')");
        assertError(loadError("url:\n  a: {pattern: '/a{2,1}', handler: FileHandler}\n"), FILE_NAME, 2, "url.a.pattern",
                    "a valid regular expression (an invalid {n,m} repeat count)");
        assertError(loadError("url:\n  a: {pattern: '*x', handler: FileHandler}\n"), FILE_NAME, 2, "url.a.pattern",
                    "a valid regular expression (nothing to repeat");
        assertError(loadError("url:\n  a: {pattern: '/x)', handler: FileHandler}\n"), FILE_NAME, 2, "url.a.pattern",
                    "a valid regular expression (unbalanced ')')");
        assertError(loadError("url:\n  a: {pattern: '/(?P<path>.*)', handler: FileHandler}\n"), FILE_NAME, 2,
                    "url.a.pattern", "a valid regular expression (ECMAScript syntax: named groups");
        assertError(loadError("url:\n  a: {pattern: '/[z-a]', handler: FileHandler}\n"), FILE_NAME, 2, "url.a.pattern",
                    "a valid regular expression (an invalid character range)");
    }

    void testNormalisePattern()
    {
        using birdgate::normalisePattern;
        CPPUNIT_ASSERT_EQUAL(std::string("/a/b"), normalisePattern("//a//b"));
        CPPUNIT_ASSERT_EQUAL(std::string("/a/b"), normalisePattern("/a/./b"));
        CPPUNIT_ASSERT_EQUAL(std::string("/a/b/"), normalisePattern("/a/././//b//"));
        CPPUNIT_ASSERT_EQUAL(std::string("/a/b"), normalisePattern("///a/.//./b"));
        CPPUNIT_ASSERT_EQUAL(std::string("/twitter/(.*)"), normalisePattern("/twitter/(.*)"));
        CPPUNIT_ASSERT_EQUAL(std::string("/a/.b/c."), normalisePattern("/a/.b/c."));
        CPPUNIT_ASSERT_EQUAL(std::string(""), normalisePattern(""));
        // Applied on load, after variables ($YAMLURL is "" in the main file).
        Config config =
            Config::loadString("url:\n  a: {pattern: $YAMLURL//x/./(.*), handler: FileHandler}\n", FILE_NAME);
        CPPUNIT_ASSERT_EQUAL(std::string("/x/(.*)"), config.urls[0].pattern);
    }

    void testScheduleEntry()
    {
        Config config = Config::loadString("schedule:\n"
                                           "  stream:\n"
                                           "    function: TwitterStream\n"
                                           "    kwargs: {track: beer}\n"
                                           "    startup: YES\n"
                                           "    thread: On\n"
                                           "  plain:\n"
                                           "    function: sentiment.tick\n"
                                           "    thread: 0\n",
                                           FILE_NAME);
        CPPUNIT_ASSERT_EQUAL(size_t(2), config.schedules.size());
        const auto& stream = config.schedules[0];
        CPPUNIT_ASSERT_EQUAL(std::string("stream"), stream.name);
        CPPUNIT_ASSERT_EQUAL(std::string("TwitterStream"), stream.function);
        CPPUNIT_ASSERT_EQUAL(std::string("beer"), stream.kwargs["track"].Scalar());
        CPPUNIT_ASSERT(stream.startup);
        CPPUNIT_ASSERT(stream.thread);
        CPPUNIT_ASSERT_EQUAL(2, stream.line);
        CPPUNIT_ASSERT_EQUAL(std::string(FILE_NAME), stream.origin.file);
        const auto& plain = config.schedules[1];
        CPPUNIT_ASSERT(!plain.startup);
        CPPUNIT_ASSERT(!plain.thread);
        CPPUNIT_ASSERT(plain.kwargs.IsNull());
    }

    void testScheduleErrors()
    {
        const std::string threadText = "thread: true (a TwitterStream runs on its own thread)";
        assertError(loadError("schedule:\n  s:\n    function: TwitterStream\n"), FILE_NAME, 2, "schedule.s.thread",
                    threadText);
        ConfigError off = loadError("schedule:\n  s:\n    function: TwitterStream\n    thread: false\n");
        assertError(off, FILE_NAME, 4, "schedule.s.thread", threadText);
        CPPUNIT_ASSERT_EQUAL(threadText, off.expected());
        assertError(loadError("schedule:\n  s:\n    thread: true\n"), FILE_NAME, 2, "schedule.s.function",
                    "a function name such as TwitterStream (found nothing)");
        assertError(loadError("schedule:\n  s:\n    function: {a: b}\n"), FILE_NAME, 3, "schedule.s.function",
                    "(found a map)");
        assertError(loadError("schedule:\n  s:\n    function: f\n    startup: maybe\n"), FILE_NAME, 4,
                    "schedule.s.startup", "true or false (found 'maybe')");
        assertError(loadError("schedule:\n  s:\n    function: f\n    kwargs: x\n"), FILE_NAME, 4, "schedule.s.kwargs",
                    "a map (found 'x')");
        assertError(loadError("schedule:\n  s: f\n"), FILE_NAME, 2, "schedule.s", "a map with function");
        assertError(loadError("schedule: [a]\n"), FILE_NAME, 1, "schedule", "a map of named entries");
    }

    void testEnvironmentVariables()
    {
        Config config = Config::loadString(urlWithKwargs("      plain: $BG_TEST_A\n"
                                                         "      braced: ${BG_TEST_A}\n"
                                                         "      glued: ${BG_TEST_A}beta\n"
                                                         "      slash: $BG_TEST_A/x\n"
                                                         "      twice: $BG_TEST_A-$BG_TEST_A\n"
                                                         "      quoted: \"<$BG_TEST_A>\"\n"
                                                         "      empty: [$BG_TEST_EMPTY]\n"),
                                           FILE_NAME);
        CPPUNIT_ASSERT_EQUAL(std::string("alpha"), kwarg(config, "plain"));
        CPPUNIT_ASSERT_EQUAL(std::string("alpha"), kwarg(config, "braced"));
        CPPUNIT_ASSERT_EQUAL(std::string("alphabeta"), kwarg(config, "glued"));
        CPPUNIT_ASSERT_EQUAL(std::string("alpha/x"), kwarg(config, "slash"));
        CPPUNIT_ASSERT_EQUAL(std::string("alpha-alpha"), kwarg(config, "twice"));
        CPPUNIT_ASSERT_EQUAL(std::string("<alpha>"), kwarg(config, "quoted"));
        CPPUNIT_ASSERT_EQUAL(std::string(""), config.urls[0].kwargs["empty"][0].Scalar());
        // A set-but-empty variable is not "unset": no warning.
        CPPUNIT_ASSERT_MESSAGE(allWarnings(config), config.warnings.empty());
        // Keys are scalars too.
        Config keys = Config::loadString(urlWithKwargs("      key_$BG_TEST_A: 1\n"), FILE_NAME);
        CPPUNIT_ASSERT_EQUAL(std::string("1"), kwarg(keys, "key_alpha"));
    }

    void testVariableDefaultsAndEscapes()
    {
        Config config = Config::loadString(urlWithKwargs("      unset: ${BG_TEST_UNSET:-fallback}\n"
                                                         "      empty: ${BG_TEST_EMPTY:-fallback}\n"
                                                         "      set: ${BG_TEST_A:-fallback}\n"
                                                         "      blank: x${BG_TEST_UNSET:-}y\n"
                                                         "      nested: ${BG_TEST_UNSET:-${BG_TEST_A}!}\n"
                                                         "      spaced: '${BG_TEST_UNSET:-a b:c}'\n"
                                                         "      dollar: $$BG_TEST_A\n"
                                                         "      dollars: a$$$$b\n"
                                                         "      price: 5$$\n"
                                                         "      anchor: ^/x$\n"
                                                         "      regex: /a$|/b$)\n"
                                                         "      digit: $1\n"),
                                           FILE_NAME);
        CPPUNIT_ASSERT_EQUAL(std::string("fallback"), kwarg(config, "unset"));
        CPPUNIT_ASSERT_EQUAL(std::string("fallback"), kwarg(config, "empty"));
        CPPUNIT_ASSERT_EQUAL(std::string("alpha"), kwarg(config, "set"));
        CPPUNIT_ASSERT_EQUAL(std::string("xy"), kwarg(config, "blank"));
        CPPUNIT_ASSERT_EQUAL(std::string("alpha!"), kwarg(config, "nested"));
        CPPUNIT_ASSERT_EQUAL(std::string("a b:c"), kwarg(config, "spaced"));
        CPPUNIT_ASSERT_EQUAL(std::string("$BG_TEST_A"), kwarg(config, "dollar"));
        CPPUNIT_ASSERT_EQUAL(std::string("a$$b"), kwarg(config, "dollars"));
        CPPUNIT_ASSERT_EQUAL(std::string("5$"), kwarg(config, "price"));
        CPPUNIT_ASSERT_EQUAL(std::string("^/x$"), kwarg(config, "anchor"));
        CPPUNIT_ASSERT_EQUAL(std::string("/a$|/b$)"), kwarg(config, "regex"));
        CPPUNIT_ASSERT_EQUAL(std::string("$1"), kwarg(config, "digit"));
        // A default never warns, even when the variable is unset.
        CPPUNIT_ASSERT_MESSAGE(allWarnings(config), config.warnings.empty());
    }

    void testUnsetVariableWarns()
    {
        Config config = Config::loadString(urlWithKwargs("      a: [$BG_TEST_UNSET]\n"
                                                         "      b: ${BG_TEST_UNSET}/x\n"
                                                         "      c: $BG_TEST_Axyz\n"),
                                           FILE_NAME);
        CPPUNIT_ASSERT_EQUAL(std::string(""), config.urls[0].kwargs["a"][0].Scalar());
        CPPUNIT_ASSERT_EQUAL(std::string("/x"), kwarg(config, "b"));
        // The longest name is taken, like a shell: $BG_TEST_Axyz is not $BG_TEST_A + "xyz".
        CPPUNIT_ASSERT_EQUAL(std::string(""), kwarg(config, "c"));
        CPPUNIT_ASSERT_EQUAL_MESSAGE(allWarnings(config), size_t(3), config.warnings.size());
        CPPUNIT_ASSERT(
            hasWarning(config, "etc/x.yaml:6: variable $BG_TEST_UNSET is not set (replaced by an empty string)"));
        CPPUNIT_ASSERT(
            hasWarning(config, "etc/x.yaml:7: variable $BG_TEST_UNSET is not set (replaced by an empty string)"));
        CPPUNIT_ASSERT(
            hasWarning(config, "etc/x.yaml:8: variable $BG_TEST_Axyz is not set (replaced by an empty string)"));
    }

    void testYamlPathAndUrl()
    {
        ::setenv("YAMLPATH", "/from/the/environment", 1);
        Config config = Config::loadString(urlWithKwargs("      path: $YAMLPATH\n"
                                                         "      file: $YAMLPATH/x\n"
                                                         "      braced: ${YAMLPATH}x\n"
                                                         "      longer: $YAMLPATHS\n"
                                                         "      url: <$YAMLURL>\n"),
                                           "etc/conf/x.yaml");
        ::unsetenv("YAMLPATH");
        const std::string folder = cwd() + "/etc/conf";
        CPPUNIT_ASSERT_EQUAL(folder, kwarg(config, "path"));
        CPPUNIT_ASSERT_EQUAL(folder + "/x", kwarg(config, "file"));
        CPPUNIT_ASSERT_EQUAL(folder + "x", kwarg(config, "braced"));
        CPPUNIT_ASSERT_EQUAL(std::string(""), kwarg(config, "longer")); // $YAMLPATHS is another name
        CPPUNIT_ASSERT_EQUAL(std::string("<>"), kwarg(config, "url"));
        CPPUNIT_ASSERT(
            hasWarning(config, "etc/conf/x.yaml:9: variable $YAMLPATHS is not set (replaced by an empty string)"));
        // An absolute main path keeps its folder as is.
        Config absolute = Config::loadString(urlWithKwargs("      path: $YAMLPATH\n"), "/srv/app/./birdgate.yaml");
        CPPUNIT_ASSERT_EQUAL(std::string("/srv/app"), kwarg(absolute, "path"));
    }

    void testVariableSyntaxErrors()
    {
        const std::string syntax = "$NAME, ${NAME}, ${NAME:-default} or $$ for a literal $";
        assertError(loadError(urlWithKwargs("      a: ${1}\n")), FILE_NAME, 6, "url.v.kwargs.a",
                    syntax + " (found '${1}')");
        assertError(loadError(urlWithKwargs("      a: x${BG_TEST_A\n")), FILE_NAME, 6, "url.v.kwargs.a",
                    syntax + " (found '${BG_TEST_A')");
        assertError(loadError(urlWithKwargs("      a: ${BG_TEST_A:-x\n")), FILE_NAME, 6, "url.v.kwargs.a",
                    "with no closing }");
        assertError(loadError(urlWithKwargs("      a: ${BG_TEST_A-x}\n")), FILE_NAME, 6, "url.v.kwargs.a", syntax);
        assertError(loadError(urlWithKwargs("      a: ${}\n")), FILE_NAME, 6, "url.v.kwargs.a", syntax);
        assertError(loadError(urlWithKwargs("      list: [ok, '${']\n")), FILE_NAME, 6, "url.v.kwargs.list[1]", syntax);
    }

    void testSubstitutionKeepsLines()
    {
        // Substitution happens in place: a later error still points at the line.
        ConfigError e = loadError("\n\nurl:\n  a:\n    handler: FileHandler\n    pattern: $YAMLURL/(x\n");
        assertError(e, FILE_NAME, 6, "url.a.pattern", "missing ')'");
        Config config = Config::loadString(urlWithKwargs("      a: $BG_TEST_A\n"), FILE_NAME);
        CPPUNIT_ASSERT_EQUAL(5, config.urls[0].kwargs["a"].Mark().line); // 0-based: line 6
    }

    void testAliasesExpandedOnce()
    {
        // Both keys share one node; expanding it twice would turn $$HOME into $HOME and then into a path.
        Config config = Config::loadString(urlWithKwargs("      a: &x \"$$HOME\"\n"
                                                         "      b: *x\n"
                                                         "      c: &list [$BG_TEST_A, $$]\n"
                                                         "      d: *list\n"),
                                           FILE_NAME);
        CPPUNIT_ASSERT_EQUAL(std::string("$HOME"), kwarg(config, "a"));
        CPPUNIT_ASSERT_EQUAL(std::string("$HOME"), kwarg(config, "b"));
        CPPUNIT_ASSERT_EQUAL(std::string("alpha"), config.urls[0].kwargs["d"][0].Scalar());
        CPPUNIT_ASSERT_EQUAL(std::string("$"), config.urls[0].kwargs["d"][1].Scalar());
    }

    void testImportFixture()
    {
        const std::string main = birdgate::test::dataPath("config/main.yaml");
        const std::string folder = configFolder();
        Config config = Config::load(main, handlerNames());
        // Imports first, then the file's own; "shared" keeps its first position.
        CPPUNIT_ASSERT_EQUAL(size_t(3), config.urls.size());
        CPPUNIT_ASSERT_EQUAL(std::string("foo-api"), config.urls[0].name);
        CPPUNIT_ASSERT_EQUAL(std::string("shared"), config.urls[1].name);
        CPPUNIT_ASSERT_EQUAL(std::string("main-twitter"), config.urls[2].name);
        for (size_t i = 0; i < config.urls.size(); ++i) CPPUNIT_ASSERT_EQUAL(i, config.urls[i].order);

        const auto& foo = config.urls[0];
        CPPUNIT_ASSERT_EQUAL(std::string("/apps/foo/api/(.*)"), foo.pattern);
        CPPUNIT_ASSERT_EQUAL(folder + "/apps/foo", foo.kwargs["root"].Scalar());
        CPPUNIT_ASSERT_EQUAL(std::string("/apps/foo"), foo.origin.yamlUrl);
        CPPUNIT_ASSERT_EQUAL(folder + "/apps/foo", foo.origin.yamlPath);
        CPPUNIT_ASSERT_EQUAL(birdgate::test::dataPath("config/apps/foo/foo.yaml"), foo.origin.file);
        CPPUNIT_ASSERT_EQUAL(6, foo.line);

        const auto& shared = config.urls[1];
        CPPUNIT_ASSERT_EQUAL(std::string("/shared/main"), shared.pattern);
        CPPUNIT_ASSERT_EQUAL(main, shared.origin.file);
        CPPUNIT_ASSERT(hasWarning(config, main + ":18: url 'shared' replaces the one from " +
                                              birdgate::test::dataPath("config/apps/foo/foo.yaml") + ":10"));

        const auto& twitter = config.urls[2];
        CPPUNIT_ASSERT_EQUAL(std::string("/twitter/(.*)"), twitter.pattern);
        CPPUNIT_ASSERT_EQUAL(2, twitter.priority);
        CPPUNIT_ASSERT_EQUAL(std::string(""), twitter.origin.yamlUrl);

        // app: merged, the importing file winning.
        CPPUNIT_ASSERT_EQUAL(16, config.app.threads);
        CPPUNIT_ASSERT_EQUAL(60LL, config.app.sessionExpiry);
        CPPUNIT_ASSERT_EQUAL(8080, config.app.port);
        CPPUNIT_ASSERT_EQUAL(std::string("0.0.0.0"), config.app.host);
        CPPUNIT_ASSERT_EQUAL(64LL * 1024, config.app.maxBody);
        CPPUNIT_ASSERT_EQUAL(1024LL * 1024, config.app.cacheSize);
        CPPUNIT_ASSERT_EQUAL(std::string("https://api.example.com"), config.app.apiRoot);
        CPPUNIT_ASSERT_EQUAL(std::string("http://stream.example.com"), config.app.streamRoot);
        CPPUNIT_ASSERT_EQUAL("sqlite:" + folder + "/tokens.db", config.app.store);
        CPPUNIT_ASSERT_EQUAL(folder + "/plugins", config.app.plugins.at(0));
        CPPUNIT_ASSERT_EQUAL(std::string("16"), config.app.raw["threads"].Scalar());
        CPPUNIT_ASSERT_EQUAL(std::string("60"), config.app.raw["session"]["expiry"].Scalar());
        CPPUNIT_ASSERT_EQUAL(std::string("8080"), config.app.raw["listen"]["port"].Scalar());

        CPPUNIT_ASSERT_EQUAL(size_t(1), config.schedules.size());
        CPPUNIT_ASSERT(config.schedules[0].thread && config.schedules[0].startup);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(allWarnings(config), size_t(1), config.warnings.size());
    }

    void testImportMapForm()
    {
        Config config = Config::load(birdgate::test::dataPath("config/import_map.yaml"), handlerNames());
        CPPUNIT_ASSERT_EQUAL(size_t(4), config.urls.size());
        CPPUNIT_ASSERT_EQUAL(std::string("foo-api"), config.urls[0].name);
        CPPUNIT_ASSERT_EQUAL(std::string("shared"), config.urls[1].name);
        // bar.yaml's own import comes before bar.yaml's own entries.
        CPPUNIT_ASSERT_EQUAL(std::string("inner"), config.urls[2].name);
        CPPUNIT_ASSERT_EQUAL(std::string("bar"), config.urls[3].name);
        // YAMLURL given in the import wins (its trailing / dropped) ...
        CPPUNIT_ASSERT_EQUAL(std::string("/custom/bar"), config.urls[3].pattern);
        CPPUNIT_ASSERT_EQUAL(std::string("/custom"), config.urls[3].origin.yamlUrl);
        // ... while a nested import computes its own from the main file's folder,
        // with the path relative to the importing file.
        const auto& inner = config.urls[2];
        CPPUNIT_ASSERT_EQUAL(std::string("/apps/bar/nested/inner"), inner.pattern);
        CPPUNIT_ASSERT_EQUAL(configFolder() + "/apps/bar/nested/index.html", inner.kwargs["path"].Scalar());
        CPPUNIT_ASSERT_EQUAL(birdgate::test::dataPath("config/apps/bar/nested/inner.yaml"), inner.origin.file);
        CPPUNIT_ASSERT_EQUAL(4, config.app.threads);
    }

    void testImportCycle()
    {
        const std::string a = birdgate::test::dataPath("config/cycle_a.yaml");
        const std::string b = birdgate::test::dataPath("config/cycle_b.yaml");
        ConfigError e = loadFileError(a);
        assertError(e, b, 6, "import", "no import cycle (found " + a + " -> " + b + " -> " + a + ")");
        // A file importing itself.
        ConfigError self = loadError("import: x.yaml\n", birdgate::test::dataPath("config/x.yaml"));
        CPPUNIT_ASSERT_EQUAL(1, self.line());
        CPPUNIT_ASSERT(self.expected().find("no import cycle") == 0);
    }

    void testImportMissing()
    {
        const std::string file = birdgate::test::dataPath("config/missing_import.yaml");
        assertError(loadFileError(file), file, 4, "import[1]",
                    "a readable YAML file (" + birdgate::test::dataPath("config/nowhere/missing.yaml") + ": ");
        assertError(loadError("import:\n  thing: {path: nope.yaml}\n"), FILE_NAME, 2, "import.thing",
                    "a readable YAML file (etc/nope.yaml: ");
        assertError(loadError("import: apps\n", birdgate::test::dataPath("config/x.yaml")),
                    birdgate::test::dataPath("config/x.yaml"), 1, "import",
                    "a readable YAML file (" + birdgate::test::dataPath("config/apps") + " is a directory)");
    }

    void testImportErrors()
    {
        assertError(loadError("import: ''\n"), FILE_NAME, 1, "import", "the path of a YAML file to import (found '')");
        assertError(loadError("import:\n  - [a.yaml]\n"), FILE_NAME, 2, "import[0]", "(found a list)");
        assertError(loadError("import:\n  x: {YAMLURL: /a}\n"), FILE_NAME, 2, "import.x.path",
                    "the path of a YAML file to import (missing)");
        assertError(loadError("import:\n  x: {path: a.yaml, YAMLURL: [1]}\n"), FILE_NAME, 2, "import.x.YAMLURL",
                    "a URL path such as /apps/x (found a list)");
        // Unknown keys in an import entry warn (then the import itself runs).
        Config config = Config::loadString("import:\n  foo: {path: apps/foo/foo.yaml, namespace: x}\n",
                                           birdgate::test::dataPath("config/inline.yaml"));
        CPPUNIT_ASSERT(hasWarning(config, birdgate::test::dataPath("config/inline.yaml") +
                                              ":2: unknown key 'namespace' in import.foo (ignored)"));
        CPPUNIT_ASSERT_EQUAL(size_t(2), config.urls.size());
    }

    void testImportedSyntaxError()
    {
        ConfigError e = loadFileError(birdgate::test::dataPath("config/imports_bad_syntax.yaml"));
        CPPUNIT_ASSERT_EQUAL(birdgate::test::dataPath("config/bad_syntax.yaml"), e.file());
        CPPUNIT_ASSERT_EQUAL(std::string("(syntax)"), e.key());
        CPPUNIT_ASSERT(e.line() >= 3);
        CPPUNIT_ASSERT(e.expected().find("valid YAML (") == 0);
    }

    void testMissingMainFile()
    {
        const std::string missing = birdgate::test::dataPath("config/does-not-exist.yaml");
        assertError(loadFileError(missing), missing, 0, "(file)", "a readable YAML file");
        const std::string folder = birdgate::test::dataPath("config");
        assertError(loadFileError(folder), folder, 0, "(file)", "a readable YAML file (found a directory)");
    }

    void testTopLevelNotAMap()
    {
        assertError(loadError("just a string\n"), FILE_NAME, 1, "(document)",
                    "a map with app, url, schedule or import keys (found 'just a string')");
        assertError(loadError("\n- app\n- url\n"), FILE_NAME, 2, "(document)", "(found a list)");
        assertError(loadError("? [a]\n: b\n"), FILE_NAME, 1, "(document)", "a string key (found a list)");
    }

    void testSyntaxErrors()
    {
        // A tab used for indentation.
        assertError(loadError("app:\n\tthreads: 4\n"), FILE_NAME, 2, "(syntax)", "valid YAML (");
        assertError(loadError("url:\n  a: {pattern: /a\n"), FILE_NAME, 3, "(syntax)",
                    "valid YAML (end of map flow not found)");
        assertError(loadError("url:\n  a: [1, 2\n"), FILE_NAME, 3, "(syntax)", "valid YAML (");
        assertError(loadError("app:\n  threads: 4\n bad: indent\n"), FILE_NAME, 3, "(syntax)", "valid YAML (");
        assertError(loadError("a: *nowhere\n"), FILE_NAME, 1, "(syntax)", "valid YAML (");
        // A tab after the colon is allowed by YAML and by us.
        Config config = Config::loadString("app:\n  threads:\t4\n", FILE_NAME);
        CPPUNIT_ASSERT_EQUAL(4, config.app.threads);
    }

    void testUnterminatedQuotes()
    {
        // yaml-cpp reads an unclosed quote to the end of the file, swallowing
        // the sections after it; the loader refuses instead.
        assertError(loadError("app:\n  secret: \"abc\nurl:\n  a: {pattern: /a, handler: FileHandler}\n"), FILE_NAME, 2,
                    "app.secret", "a closing \" for the string that starts on this line");
        assertError(loadError("app:\n  secret: 'it''s\n"), FILE_NAME, 2, "app.secret", "a closing '");
        // Escaped and doubled quotes inside closed strings are fine.
        Config config = Config::loadString("app:\n  secret: \"a\\\"b\"\n  access_log: 'it''s'\n", FILE_NAME);
        CPPUNIT_ASSERT_EQUAL(std::string("a\"b"), config.app.secret);
        CPPUNIT_ASSERT_EQUAL(std::string("it's"), config.app.accessLog);
    }

    void testMultipleDocuments()
    {
        assertError(loadError("app: {}\n---\nurl: {}\n"), FILE_NAME, 2, "(document)",
                    "one YAML document per file (found 2; use import: to combine files)");
        // A leading --- is one document.
        Config config = Config::loadString("---\napp: {threads: 2}\n", FILE_NAME);
        CPPUNIT_ASSERT_EQUAL(2, config.app.threads);
    }

    void testBinaryGarbage()
    {
        const std::string inputs[] = {
            bytes("\x00\x01\x02\xff\xfe garbage"),
            bytes("\x7f"
                  "ELF\x02\x01\x01\x00\x00\x00"),
            bytes("app:\n  threads: \x00\x01\n"),
        };
        for (const auto& input : inputs)
        {
            ConfigError e = loadError(input);
            CPPUNIT_ASSERT_EQUAL(std::string(FILE_NAME), e.file());
            CPPUNIT_ASSERT(!e.key().empty());
            CPPUNIT_ASSERT(!e.expected().empty());
        }
        assertError(loadError(bytes("app: {}\n\x7f"
                                    "ELF\x02\x01\x00\x00")),
                    FILE_NAME, 2, "(syntax)", "a YAML text file (found a NUL byte: binary data?)");
        // ... while NULs in a UTF-16 file (with its BOM) are just its encoding.
        std::string utf16 = "\xff\xfe";
        for (char c : std::string("app: {threads: 3}\n"))
        {
            utf16 += c;
            utf16 += '\0';
        }
        CPPUNIT_ASSERT_EQUAL(3, Config::loadString(utf16, FILE_NAME).app.threads);
        // yaml-cpp 0.7 alone loops, allocating, on a top-level ','.
        assertError(loadError(",\n"), FILE_NAME, 1, "(syntax)", "valid YAML (unexpected ',' outside [ ] or { })");
        assertError(loadError("app: {}\n&a ,b\n"), FILE_NAME, 2, "(syntax)", "valid YAML (");
    }

    void testRandomBytesNeverCrash()
    {
        // A seeded mini-fuzz over YAML-ish bytes: every outcome is a Config or a ConfigError.
        std::mt19937 random(12345);
        std::string alphabet = "ab:- \n\t[]{},'\"&*!|>#$%@`?\\";
        alphabet += '\0';
        alphabet += '\xff';
        size_t loaded = 0;
        size_t refused = 0;
        for (int round = 0; round < 300; ++round)
        {
            std::string text;
            const size_t length = random() % 80;
            for (size_t i = 0; i < length; ++i) text += alphabet[random() % alphabet.size()];
            try
            {
                Config::loadString(text, FILE_NAME);
                ++loaded;
            }
            catch (const ConfigError& e)
            {
                CPPUNIT_ASSERT_EQUAL(std::string(FILE_NAME), e.file());
                ++refused;
            }
            catch (const std::exception& e)
            {
                CPPUNIT_FAIL("input " + text + " threw " + e.what());
            }
        }
        CPPUNIT_ASSERT_EQUAL(size_t(300), loaded + refused);
        CPPUNIT_ASSERT(refused > 0);
    }

    void testDeepNesting()
    {
        const int depth = 5000;
        const std::string flow = "app: {raw: " + std::string(depth, '[') + std::string(depth, ']') + "}\n";
        assertError(loadError(flow), FILE_NAME, 1, "(syntax)", "YAML nested less deeply");
        std::string block = "x:\n";
        for (int i = 1; i < 1000; ++i) block += std::string(static_cast<size_t>(i) * 2, ' ') + "k:\n";
        ConfigError e = loadError(block);
        CPPUNIT_ASSERT_EQUAL(std::string("(syntax)"), e.key());
        CPPUNIT_ASSERT(e.line() > 100);
        // Moderately deep is fine.
        const std::string fine = "x: " + std::string(100, '[') + std::string(100, ']') + "\n";
        Config config = Config::loadString(fine, FILE_NAME);
        CPPUNIT_ASSERT(hasWarning(config, "etc/x.yaml:1: unknown key 'x' (ignored)"));
    }

    void testRecursiveAlias()
    {
        assertError(loadError("url:\n  a: &self {pattern: /a, handler: FileHandler, kwargs: {me: *self}}\n"), FILE_NAME,
                    2, "url.a.kwargs.me", "a YAML alias that does not contain itself");
        // "Billion laughs": shared, not recursive; each node is walked once, so this is quick.
        std::string laughs = "x:\n  l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
        for (int i = 1; i < 10; ++i)
        {
            laughs += "  l" + std::to_string(i) + ": &l" + std::to_string(i) + " [";
            for (int j = 0; j < 10; ++j) laughs += std::string(j ? ", " : "") + "*l" + std::to_string(i - 1);
            laughs += "]\n";
        }
        Config config = Config::loadString(laughs, FILE_NAME);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(allWarnings(config), size_t(1), config.warnings.size());
    }

    void testHugeDocument()
    {
        std::string yaml = "url:\n";
        const size_t count = 20000;
        for (size_t i = 0; i < count; ++i)
            yaml += "  u" + std::to_string(i) + ": {pattern: /u" + std::to_string(i) +
                    "/(.*), handler: FileHandler, priority: " + std::to_string(i % 7) + "}\n";
        yaml += "app:\n  secret: " + std::string(1 << 20, 's') + "\n";
        Config config = Config::loadString(yaml, FILE_NAME);
        CPPUNIT_ASSERT_EQUAL(count, config.urls.size());
        CPPUNIT_ASSERT_EQUAL(std::string("u19999"), config.urls.back().name);
        CPPUNIT_ASSERT_EQUAL(count - 1, config.urls.back().order);
        CPPUNIT_ASSERT_EQUAL(int(count + 1), config.urls.back().line);
        CPPUNIT_ASSERT_EQUAL(size_t(1) << 20, config.app.secret.size());
    }

    void testDesignExample()
    {
        ::setenv("BIRDGATE_SECRET", "from-env", 1);
        Config config = Config::load(birdgate::test::dataPath("config/design_example.yaml"), handlerNames());
        ::unsetenv("BIRDGATE_SECRET");
        CPPUNIT_ASSERT_MESSAGE(allWarnings(config), config.warnings.empty());
        CPPUNIT_ASSERT_EQUAL(std::string("from-env"), config.app.secret);
        CPPUNIT_ASSERT_EQUAL("sqlite:" + configFolder() + "/birdgate.db", config.app.store);
        CPPUNIT_ASSERT_EQUAL(size_t(1), config.urls.size());
        CPPUNIT_ASSERT_EQUAL(std::string("TwitterRESTHandler"), config.urls[0].handler);
        CPPUNIT_ASSERT_EQUAL(std::string("private"), config.urls[0].kwargs["headers"]["Cache-Control"].Scalar());
        CPPUNIT_ASSERT_EQUAL(size_t(1), config.schedules.size());
        CPPUNIT_ASSERT_EQUAL(std::string("tweets.{:%Y-%m-%d}.jsonl"), config.schedules[0].kwargs["path"].Scalar());
    }

    void testAuthForms()
    {
        // Gramex's `auth:` (DESIGN.md 3.8): true, or a map with login_url.
        Config config = Config::loadString("url:\n"
                                           "  open: {pattern: /o, handler: FileHandler}\n"
                                           "  a: {pattern: /a, handler: FileHandler, auth: true}\n"
                                           "  b:\n"
                                           "    pattern: /b\n"
                                           "    handler: FileHandler\n"
                                           "    auth: {login_url: /login/}\n",
                                           FILE_NAME, handlerNames());
        CPPUNIT_ASSERT_MESSAGE(allWarnings(config), config.warnings.empty()); // auth is no unknown key now
        CPPUNIT_ASSERT(!config.urls[0].authRequired);
        CPPUNIT_ASSERT(config.urls[1].authRequired);
        CPPUNIT_ASSERT_EQUAL(std::string(), config.urls[1].authLoginUrl);
        CPPUNIT_ASSERT(config.urls[2].authRequired);
        CPPUNIT_ASSERT_EQUAL(std::string("/login/"), config.urls[2].authLoginUrl);
    }

    void testAuthOtherFormsAreErrors()
    {
        // Never served more openly than written: every form birdgate cannot
        // honour stops the start, naming file, line and key.
        const std::string head = "url:\n  a:\n    pattern: /a\n    handler: FileHandler\n";
        assertError(loadError(head + "    auth: false\n"), FILE_NAME, 5, "url.a.auth", "auth: true");
        assertError(loadError(head + "    auth: yes please\n"), FILE_NAME, 5, "url.a.auth", "auth: true");
        assertError(loadError(head + "    auth:\n"), FILE_NAME, 5, "url.a.auth", "auth: true");
        assertError(loadError(head + "    auth: [admin]\n"), FILE_NAME, 5, "url.a.auth", "not supported");
        assertError(loadError(head + "    auth:\n      membership: {role: admin}\n"), FILE_NAME, 6,
                    "url.a.auth.membership", "not supported");
        assertError(loadError(head + "    auth:\n      login_url: /l\n      condition: {x: 1}\n"), FILE_NAME, 7,
                    "url.a.auth.condition", "not supported");
        assertError(loadError(head + "    auth: {login_url: 'https://evil.example/'}\n"), FILE_NAME, 5,
                    "url.a.auth.login_url", "a path on this server");
        assertError(loadError(head + "    auth: {login_url: //evil.example/}\n"), FILE_NAME, 5, "url.a.auth.login_url",
                    "a path on this server");
        assertError(loadError(head + "    auth: {login_url: [a]}\n"), FILE_NAME, 5, "url.a.auth.login_url",
                    "a path on this server");
    }

    void testPublicUrlProxiesAndRoots()
    {
        Config defaults = Config::loadString("", FILE_NAME);
        CPPUNIT_ASSERT_EQUAL(std::string("https://api.x.com"), defaults.app.apiRoot);
        CPPUNIT_ASSERT_EQUAL(std::string("https://x.com"), defaults.app.webRoot);
        CPPUNIT_ASSERT_EQUAL(std::string(), defaults.app.publicUrl);
        CPPUNIT_ASSERT(defaults.app.trustedProxies.empty());
        Config config = Config::loadString("app:\n"
                                           "  public_url: https://gw.example.com/bg/\n"
                                           "  trusted_proxies: [10.0.0.1, '::1']\n"
                                           "  twitter: {web_root: 'http://127.0.0.1:9/sandbox/'}\n",
                                           FILE_NAME);
        CPPUNIT_ASSERT_EQUAL(std::string("https://gw.example.com/bg"), config.app.publicUrl);
        CPPUNIT_ASSERT(config.app.trustedProxies == std::vector<std::string>({"10.0.0.1", "::1"}));
        CPPUNIT_ASSERT_EQUAL(std::string("http://127.0.0.1:9/sandbox"), config.app.webRoot);
        assertError(loadError("app:\n  public_url: gw.example.com\n"), FILE_NAME, 2, "app.public_url",
                    "http:// or https://");
        assertError(loadError("app:\n  public_url: https://gw.example.com/?x=1\n"), FILE_NAME, 2, "app.public_url",
                    "without ? or #");
        assertError(loadError("app:\n  twitter: {web_root: ''}\n"), FILE_NAME, 2, "app.twitter.web_root",
                    "http:// or https://");
    }
};

BIRDGATE_TEST_SUITE(ConfigTest);
