// The access log never shows a secret: query values of secret-bearing keys are
// redacted and control characters escaped, so a line cannot be forged.
#include "TestSupport.h"

#include "birdgate/ops/AccessLog.h"

#include <fstream>
#include <sstream>
#include <unistd.h>

using birdgate::AccessLog;

class AccessLogTest : public CppUnit::TestFixture
{
    CPPUNIT_TEST_SUITE(AccessLogTest);
    CPPUNIT_TEST(testRedact);
    CPPUNIT_TEST(testEscapes);
    CPPUNIT_TEST(testWritesLines);
    CPPUNIT_TEST_SUITE_END();

  public:
    void testRedact()
    {
        CPPUNIT_ASSERT_EQUAL(std::string("/t/x.json?q=beer&count=1"), AccessLog::redact("/t/x.json?q=beer&count=1"));
        std::string r = AccessLog::redact(
            "/tw/?oauth_token=TOK&oauth_verifier=VER&_xsrf=X&access_token=A&my_secret=S&next=/p&denied=D&flag");
        for (const char* leaked : {"TOK", "VER", "=X", "=A", "=S", "=D"})
            CPPUNIT_ASSERT_MESSAGE(std::string(leaked) + " in " + r, r.find(leaked) == std::string::npos);
        CPPUNIT_ASSERT(r.find("next=/p") != std::string::npos);
        CPPUNIT_ASSERT(r.find("oauth_token=[redacted]") != std::string::npos);
        CPPUNIT_ASSERT(r.find("&flag") != std::string::npos);
        CPPUNIT_ASSERT(AccessLog::redact("/a?OAUTH_TOKEN=x").find("x") == std::string::npos);
        // The OAuth 2.0 callback (DESIGN.md 3.8): neither its code nor its state.
        r = AccessLog::redact("/x-user/?state=STATE&code=CODE&code_verifier=VERI&scope=tweet.read");
        for (const char* leaked : {"STATE", "CODE", "VERI"})
            CPPUNIT_ASSERT_MESSAGE(std::string(leaked) + " in " + r, r.find(leaked) == std::string::npos);
        CPPUNIT_ASSERT(r.find("scope=tweet.read") != std::string::npos);
        // Keys are judged decoded: an encoded letter does not hide a secret.
        for (const char* sneaky : {"/a?%6Fauth_verifier=LEAK", "/a?access_to%6Ben=LEAK", "/a?%5Fxsrf=LEAK",
                                   "/a?oauth%5Ftoken=LEAK", "/a?o+auth=x&bad%zz=LEAK"})
            CPPUNIT_ASSERT_MESSAGE(sneaky, AccessLog::redact(sneaky).find("LEAK") == std::string::npos);
    }

    void testEscapes()
    {
        std::string r = AccessLog::redact("/a\r\n2026 fake line \"x\"?q=\x01");
        CPPUNIT_ASSERT(r.find('\n') == std::string::npos);
        CPPUNIT_ASSERT(r.find('\r') == std::string::npos);
        CPPUNIT_ASSERT(r.find('"') == std::string::npos);
        CPPUNIT_ASSERT(r.find("\\x0D\\x0A") != std::string::npos);
    }

    void testWritesLines()
    {
        char path[] = "/tmp/birdgate-accesslog-XXXXXX";
        int fd = mkstemp(path);
        CPPUNIT_ASSERT(fd >= 0);
        close(fd);
        {
            AccessLog log(path);
            log.write("127.0.0.1", "GET", "/tw/?oauth_token=SECRET1", 302, 0, 1.25);
            log.write("127.0.0.1", "POST", "/t/statuses/update.json", 200, 42, 3);
        }
        std::ifstream in(path);
        std::stringstream ss;
        ss << in.rdbuf();
        std::string text = ss.str();
        unlink(path);
        CPPUNIT_ASSERT(text.find("SECRET1") == std::string::npos);
        CPPUNIT_ASSERT(text.find("\"GET /tw/?oauth_token=[redacted]\" 302 0 1.2ms") != std::string::npos ||
                       text.find("\"GET /tw/?oauth_token=[redacted]\" 302 0 1.3ms") != std::string::npos);
        CPPUNIT_ASSERT(text.find("\"POST /t/statuses/update.json\" 200 42 3.0ms\n") != std::string::npos);
        CPPUNIT_ASSERT_THROW(AccessLog("/nonexistent-dir/x/access.log"), std::runtime_error);
    }
};

BIRDGATE_TEST_SUITE(AccessLogTest);
