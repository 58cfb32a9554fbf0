// YAML -> JSON for plugin configs: the types a Gramex (PyYAML) user expects,
// and always valid JSON (a plain `.5` or `0x10` is a string, not a number).
#include "TestSupport.h"

#include "birdgate/config/YamlJson.h"

#include <Poco/JSON/Parser.h>

using birdgate::yamlToJson;

class YamlJsonTest : public CppUnit::TestFixture
{
    CPPUNIT_TEST_SUITE(YamlJsonTest);
    CPPUNIT_TEST(testTypes);
    CPPUNIT_TEST(testAlwaysValidJson);
    CPPUNIT_TEST_SUITE_END();

  public:
    void testTypes()
    {
        YAML::Node n = YAML::Load("{a: 1, b: -2.5e3, c: yes, d: Off, e: 'true', f: null, g: [x, \"2\"], h: {i: on}}");
        CPPUNIT_ASSERT_EQUAL(std::string(R"({"a":1,"b":-2.5e3,"c":true,"d":false,"e":"true","f":null,)"
                                         R"("g":["x","2"],"h":{"i":true}})"),
                             yamlToJson(n));
        CPPUNIT_ASSERT_EQUAL(std::string("null"), yamlToJson(YAML::Node()));
        CPPUNIT_ASSERT_EQUAL(std::string("1234567890123456789"), yamlToJson(YAML::Load("1234567890123456789")));
    }

    void testAlwaysValidJson()
    {
        for (const char* text : {".5", "0x10", "1_000", "+1", "01", "1.", "inf", ".nan", "~", "'a\"b\\\\c'",
                                 "\"\\u00e9 \\t\"", "[]", "{}", "- - - 1"})
        {
            std::string json = yamlToJson(YAML::Load(text));
            Poco::JSON::Parser parser;
            // In an array: Poco's parser wants an object or array at the top.
            CPPUNIT_ASSERT_NO_THROW_MESSAGE(std::string(text) + " -> " + json, parser.parse("[" + json + "]"));
        }
    }
};

BIRDGATE_TEST_SUITE(YamlJsonTest);
