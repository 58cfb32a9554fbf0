// The handler table (server/HandlerTable): the names the config loader is
// handed are the table's, in its order, and a name the loader was not asked
// to check still cannot reach an Endpoint: the Gateway refuses it with the
// loader's own message.
#include "TestSupport.h"

#include "birdgate/config/Config.h"
#include "birdgate/server/Gateway.h"
#include "birdgate/server/HandlerTable.h"

#include <filesystem>
#include <string>
#include <unistd.h>

using birdgate::Config;
using birdgate::ConfigError;

class HandlerTableTest : public CppUnit::TestFixture
{
    CPPUNIT_TEST_SUITE(HandlerTableTest);
    CPPUNIT_TEST(testNamesAreTheTable);
    CPPUNIT_TEST(testFindHandler);
    CPPUNIT_TEST(testGatewayRejectsUnknownHandler);
    CPPUNIT_TEST_SUITE_END();

  public:
    void testNamesAreTheTable()
    {
        const auto table = birdgate::handlerTable();
        const auto names = birdgate::handlerNames();
        CPPUNIT_ASSERT_EQUAL(table.size(), names.size());
        for (std::size_t i = 0; i < table.size(); ++i)
        {
            CPPUNIT_ASSERT_EQUAL(std::string(table[i].name), std::string(names[i]));
            CPPUNIT_ASSERT(table[i].make);
        }
        // The order error messages (and Gramex users' docs) list them in.
        CPPUNIT_ASSERT_EQUAL(std::string("one of TwitterRESTHandler, TwitterSandbox, FileHandler (found 'x')"),
                             birdgate::expectedHandler(names, YAML::Node("x")));
    }

    void testFindHandler()
    {
        for (const auto& factory : birdgate::handlerTable())
            CPPUNIT_ASSERT_EQUAL(&factory, birdgate::findHandler(factory.name));
        CPPUNIT_ASSERT(birdgate::findHandler("filehandler") == nullptr); // names are case-sensitive
        CPPUNIT_ASSERT(birdgate::findHandler("gramex.handlers.FunctionHandler") == nullptr);
        CPPUNIT_ASSERT(birdgate::findHandler("") == nullptr);
    }

    void testGatewayRejectsUnknownHandler()
    {
        // Loaded without the names (as some tests do), the entry passes the
        // loader; the Gateway says what the loader would have said.
        const auto folder =
            std::filesystem::temp_directory_path() / ("birdgate-handlertable-" + std::to_string(::getpid()));
        std::filesystem::create_directories(folder);
        const std::string file = (folder / "x.yaml").string();
        const std::string yaml = "url:\n  ok: {pattern: /ok, handler: FileHandler, kwargs: {path: $YAMLPATH}}\n"
                                 "  t:\n    pattern: /t/(.*)\n    handler: NoSuchHandler\n";
        Config config = Config::loadString(yaml, file);
        CPPUNIT_ASSERT_EQUAL(std::size_t(2), config.urls.size());
        CPPUNIT_ASSERT_EQUAL(5, config.urls[1].handlerLine);
        bool thrown = false;
        try
        {
            birdgate::Gateway gateway(config);
        }
        catch (const ConfigError& e)
        {
            thrown = true;
            CPPUNIT_ASSERT_EQUAL(file, e.file());
            CPPUNIT_ASSERT_EQUAL(5, e.line());
            CPPUNIT_ASSERT_EQUAL(std::string("url.t.handler"), e.key());
            CPPUNIT_ASSERT_EQUAL(
                std::string("one of TwitterRESTHandler, TwitterSandbox, FileHandler (found 'NoSuchHandler')"),
                e.expected());
        }
        std::filesystem::remove_all(folder);
        CPPUNIT_ASSERT(thrown);
        // Handed the names, the loader stops it first, in the same words.
        try
        {
            Config::loadString(yaml, file, birdgate::handlerNames());
            CPPUNIT_FAIL("the loader accepted an unknown handler");
        }
        catch (const ConfigError& e)
        {
            CPPUNIT_ASSERT_EQUAL(5, e.line());
            CPPUNIT_ASSERT_EQUAL(std::string("url.t.handler"), e.key());
        }
    }
};

BIRDGATE_TEST_SUITE(HandlerTableTest);
