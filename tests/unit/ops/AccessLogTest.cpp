// The access log never shows a secret: query values of secret-bearing keys are
// redacted and control characters escaped, so a line cannot be forged. Each
// line carries the upstream time, the url name and the request id, as text or
// as one JSON object per line (app.access_log_format).
#include "TestSupport.h"

#include "birdgate/ops/AccessLog.h"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <unistd.h>

using birdgate::AccessLog;
using birdgate::AccessRecord;

namespace
{
AccessRecord record(std::string_view method, std::string_view uri, int status, long long bytes, double ms)
{
    AccessRecord r;
    r.client = "127.0.0.1";
    r.method = method;
    r.uri = uri;
    r.status = status;
    r.bytes = bytes;
    r.milliseconds = ms;
    return r;
}

std::string readAll(const char* path)
{
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}
} // namespace

class AccessLogTest : public CppUnit::TestFixture
{
    CPPUNIT_TEST_SUITE(AccessLogTest);
    CPPUNIT_TEST(testRedact);
    CPPUNIT_TEST(testEscapes);
    CPPUNIT_TEST(testWritesLines);
    CPPUNIT_TEST(testTextFields);
    CPPUNIT_TEST(testJsonLines);
    CPPUNIT_TEST(testFormatNames);
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
            log.write(record("GET", "/tw/?oauth_token=SECRET1", 302, 0, 1.25));
            log.write(record("POST", "/t/statuses/update.json", 200, 42, 3));
        }
        std::string text = readAll(path);
        unlink(path);
        CPPUNIT_ASSERT(text.find("SECRET1") == std::string::npos);
        CPPUNIT_ASSERT(text.find("\"GET /tw/?oauth_token=[redacted]\" 302 0 1.2ms") != std::string::npos ||
                       text.find("\"GET /tw/?oauth_token=[redacted]\" 302 0 1.3ms") != std::string::npos);
        CPPUNIT_ASSERT(text.find("\"POST /t/statuses/update.json\" 200 42 3.0ms upstream=- url=- id=-\n") !=
                       std::string::npos);
        CPPUNIT_ASSERT_THROW(AccessLog("/nonexistent-dir/x/access.log"), std::runtime_error);
    }

    void testTextFields()
    {
        AccessLog log("-");
        AccessRecord r = record("GET", "/t/search.json?q=beer&access_token=SECRET2", 200, 512, 12.34);
        r.upstreamMilliseconds = 10.0;
        r.url = "twitter";
        r.requestId = "abc-123";
        const std::string line = log.line(r);
        CPPUNIT_ASSERT_MESSAGE(line, line.find("SECRET2") == std::string::npos);
        CPPUNIT_ASSERT_MESSAGE(line,
                               line.find(" 127.0.0.1 \"GET /t/search.json?q=beer&access_token=[redacted]\" 200 "
                                         "512 12.3ms upstream=10.0ms url=twitter id=abc-123\n") != std::string::npos);
        // An upstream time of zero is a time, not "none".
        r.upstreamMilliseconds = 0;
        CPPUNIT_ASSERT(log.line(r).find(" upstream=0.0ms ") != std::string::npos);
        // Nothing in a url name can start a new line.
        r.url = "a\nb";
        const std::string forged = log.line(r);
        CPPUNIT_ASSERT_EQUAL(std::ptrdiff_t(1), std::count(forged.begin(), forged.end(), '\n'));
        CPPUNIT_ASSERT(forged.find(" url=a\\x0Ab ") != std::string::npos);
    }

    void testJsonLines()
    {
        char path[] = "/tmp/birdgate-accesslog-json-XXXXXX";
        int fd = mkstemp(path);
        CPPUNIT_ASSERT(fd >= 0);
        close(fd);
        {
            AccessLog log(path, AccessLog::Format::Json);
            AccessRecord r = record("GET", "/tw/?oauth_verifier=SECRET3&next=/p\"q", 302, 0, 1.5);
            r.url = "twitter";
            r.requestId = "0123456789abcdef0123456789abcdef";
            log.write(r);
            AccessRecord refused = record("-", "-", 400, -1, 0.25);
            refused.client = "10.0.0.1\r\n";
            AccessRecord up = record("POST", "/t/statuses/update.json", 200, 42, 3);
            up.upstreamMilliseconds = 2.5;
            up.url = "t";
            up.requestId = "r1";
            log.write(refused);
            log.write(up);
        }
        std::string text = readAll(path);
        unlink(path);
        CPPUNIT_ASSERT(text.find("SECRET3") == std::string::npos);
        std::istringstream in(text);
        std::vector<Poco::JSON::Object::Ptr> objects;
        for (std::string line; std::getline(in, line);)
        {
            Poco::JSON::Parser parser;
            objects.push_back(parser.parse(line).extract<Poco::JSON::Object::Ptr>());
        }
        CPPUNIT_ASSERT_EQUAL(std::size_t(3), objects.size());
        const auto& first = objects[0];
        CPPUNIT_ASSERT_EQUAL(std::string("127.0.0.1"), first->getValue<std::string>("client"));
        CPPUNIT_ASSERT_EQUAL(std::string("GET"), first->getValue<std::string>("method"));
        CPPUNIT_ASSERT_EQUAL(std::string("/tw/?oauth_verifier=[redacted]&next=/p\\x22q"),
                             first->getValue<std::string>("path"));
        CPPUNIT_ASSERT_EQUAL(302, first->getValue<int>("status"));
        CPPUNIT_ASSERT_EQUAL(0, first->getValue<int>("bytes"));
        CPPUNIT_ASSERT_DOUBLES_EQUAL(1.5, first->getValue<double>("duration_ms"), 1e-9);
        CPPUNIT_ASSERT(first->isNull("upstream_ms"));
        CPPUNIT_ASSERT_EQUAL(std::string("twitter"), first->getValue<std::string>("url"));
        CPPUNIT_ASSERT_EQUAL(std::string("0123456789abcdef0123456789abcdef"),
                             first->getValue<std::string>("request_id"));
        CPPUNIT_ASSERT(first->has("time"));
        const auto& refused = objects[1];
        CPPUNIT_ASSERT(refused->isNull("bytes"));
        CPPUNIT_ASSERT(refused->isNull("url"));
        CPPUNIT_ASSERT(refused->isNull("request_id"));
        CPPUNIT_ASSERT_EQUAL(std::string("10.0.0.1\\x0D\\x0A"), refused->getValue<std::string>("client"));
        CPPUNIT_ASSERT_DOUBLES_EQUAL(2.5, objects[2]->getValue<double>("upstream_ms"), 1e-9);
        CPPUNIT_ASSERT_EQUAL(42, objects[2]->getValue<int>("bytes"));
    }

    void testFormatNames()
    {
        AccessLog::Format f = AccessLog::Format::Json;
        CPPUNIT_ASSERT(AccessLog::parseFormat("text", f) && f == AccessLog::Format::Text);
        CPPUNIT_ASSERT(AccessLog::parseFormat("json", f) && f == AccessLog::Format::Json);
        for (const char* bad : {"", "JSON", "jsonl", "text ", "combined"})
            CPPUNIT_ASSERT_MESSAGE(bad, !AccessLog::parseFormat(bad, f));
    }
};

BIRDGATE_TEST_SUITE(AccessLogTest);
