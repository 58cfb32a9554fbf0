// RestConfig's auth kinds (DESIGN.md 3.8): one kind per url; keys of two
// kinds in one entry stop the start with an error naming both keys, at the
// line of one; `access_key: persist` with client_id is allowed; each kind
// asks only for its own keys. Built through the Gateway, as the server does.
#include "rest/RestConfig.h"

#include "birdgate/config/Config.h"
#include "birdgate/server/Gateway.h"
#include "birdgate/server/HandlerTable.h"

#include "TestSupport.h"

#include <cppunit/TestFixture.h>
#include <cppunit/extensions/HelperMacros.h>

#include <filesystem>

#include <unistd.h>

using namespace birdgate;

class RestConfigTest : public CppUnit::TestFixture
{
    CPPUNIT_TEST_SUITE(RestConfigTest);
    CPPUNIT_TEST(testMixedKindsNameBothKeys);
    CPPUNIT_TEST(testEachKindAsksForItsOwnKeys);
    CPPUNIT_TEST(testValidKinds);
    CPPUNIT_TEST_SUITE_END();

  public:
    void setUp() override
    {
        _folder = std::filesystem::temp_directory_path() / ("birdgate-restconfig-" + std::to_string(::getpid()));
        std::filesystem::create_directories(_folder);
        _file = (_folder / "x.yaml").string();
    }

    void tearDown() override { std::filesystem::remove_all(_folder); }

    void testMixedKindsNameBothKeys()
    {
        expectError("bearer: app\n      client_id: cid", 2, "url.x.kwargs.client_id", "bearer");
        expectError("bearer: AAAA\n      access_key: persist\n      access_secret: persist", 2,
                    "url.x.kwargs.access_key", "bearer");
        expectError("bearer: AAAA\n      access_secret: s", 2, "url.x.kwargs.access_secret", "bearer");
        expectError("client_id: cid\n      access_key: literal-token", 2, "url.x.kwargs.access_key", "client_id");
        expectError("client_id: cid\n      access_secret: literal", 2, "url.x.kwargs.access_secret", "client_id");
        expectError("client_secret: s", 1, "url.x.kwargs.client_secret", "client_id");
        expectError("bearer: app\n      client_secret: s", 2, "url.x.kwargs.client_secret", "client_id");
    }

    void testEachKindAsksForItsOwnKeys()
    {
        // bearer: app fetches with key/secret; they must be there.
        expectError("bearer: app", 0, "url.x.kwargs.key", "bearer: app", /*withKeys=*/false);
        expectError("bearer: 'two words'", 1, "url.x.kwargs.bearer", "no spaces", false);
        expectError("client_id: ''", 1, "url.x.kwargs.client_id", "client ID", false);
        expectError("client_id: cid\n      scope: []", 2, "url.x.kwargs.scope", "scope", false);
        // OAuth 1.0a still needs its consumer key.
        expectError("access_key: a\n      access_secret: b", 0, "url.x.kwargs.key", "consumer key", false);
    }

    void testValidKinds()
    {
        // Literal bearer and OAuth 2.0 need no key/secret; persist with client_id is fine.
        for (const std::string kwargs :
             {"bearer: AAAA%2Fb", "client_id: cid", "client_id: cid\n      client_secret: s",
              "client_id: cid\n      access_key: persist", "client_id: cid\n      scope: 'tweet.read users.read'"})
        {
            Config config = Config::loadString(yaml(kwargs, false), _file, handlerNames());
            Gateway gateway(config); // does not throw
        }
    }

  private:
    std::string yaml(const std::string& kwargs, bool withKeys) const
    {
        return "app:\n  secret: s3cret\nurl:\n  x:\n    pattern: /x/(.*)\n    handler: TwitterRESTHandler\n    "
               "kwargs:\n" +
               std::string(withKeys ? "      key: k\n      secret: s\n" : "") + "      " + kwargs + "\n";
    }

    void expectError(const std::string& kwargs, int line, const std::string& key, const std::string& mentions,
                     bool withKeys = true)
    {
        Config config = Config::loadString(yaml(kwargs, withKeys), _file, handlerNames());
        try
        {
            Gateway gateway(config);
        }
        catch (const ConfigError& e)
        {
            CPPUNIT_ASSERT_EQUAL_MESSAGE(e.what(), key, e.key());
            CPPUNIT_ASSERT_EQUAL_MESSAGE(e.what(), _file, e.file());
            // `line`: of the given kwargs, counted from 1 (they start at line 8, or 10 after key/secret).
            if (line) CPPUNIT_ASSERT_EQUAL_MESSAGE(e.what(), 7 + (withKeys ? 2 : 0) + line, e.line());
            CPPUNIT_ASSERT_MESSAGE(e.what(), std::string(e.what()).find(mentions) != std::string::npos);
            return;
        }
        CPPUNIT_FAIL("no ConfigError for: " + kwargs);
    }

    std::filesystem::path _folder;
    std::string _file;
};

CPPUNIT_TEST_SUITE_REGISTRATION(RestConfigTest);
