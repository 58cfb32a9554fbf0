// JsonlSinkPluginTest: the built jsonl_sink.so loaded through the PluginHost.
// The sink `write` must turn file system trouble into RETRY (the stream keeps
// the message) and a bad message into ERROR; the transform `append` must
// save each tweet as one whole, compact, byte-faithful line while the answer
// passes on unchanged, even with many requests appending at once.
#include "TestSupport.h"

#include "birdgate/plugin/PluginError.h"
#include "birdgate/plugin/PluginHost.h"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

using namespace birdgate;
namespace fs = std::filesystem;

namespace
{

const std::string context = R"({"url":"twitter","path":"search/tweets.json","method":"GET","args":{},"user":null})";

std::vector<std::string> readLines(const fs::path& path)
{
    std::ifstream in(path, std::ios::binary);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

std::string readFile(const fs::path& path)
{
    std::ifstream in(path, std::ios::binary);
    std::stringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
}

std::string utcDate()
{
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    char text[16];
    std::strftime(text, sizeof(text), "%Y-%m-%d", &tm);
    return text;
}

/// The config JSON {"path": path, ...extra}.
std::string pathConfig(const std::string& path, const std::string& extra = "")
{
    return R"({"path":")" + path + "\"" + (extra.empty() ? "" : "," + extra) + "}";
}

#define ASSERT_CONTAINS(text, part)                                                                                    \
    CPPUNIT_ASSERT_MESSAGE("expected to find [" + std::string(part) + "] in [" + std::string(text) + "]",              \
                           std::string(text).find(part) != std::string::npos)

} // namespace

class JsonlSinkPluginTest : public CppUnit::TestFixture
{
    CPPUNIT_TEST_SUITE(JsonlSinkPluginTest);
    CPPUNIT_TEST(testAppendThreeTweets);
    CPPUNIT_TEST(testAppendShapes);
    CPPUNIT_TEST(testAppendConcurrent);
    CPPUNIT_TEST(testAppendInvalid);
    CPPUNIT_TEST(testAppendUnwritable);
    CPPUNIT_TEST(testSinkWriteAndFlush);
    CPPUNIT_TEST(testSinkRotates);
    CPPUNIT_TEST(testSinkRetry);
    CPPUNIT_TEST(testSinkBadMessage);
    CPPUNIT_TEST(testConfig);
    CPPUNIT_TEST(testBase);
    CPPUNIT_TEST_SUITE_END();

  public:
    void setUp() override
    {
        static int serial = 0;
        _dir = fs::temp_directory_path() /
               ("birdgate-jsonl-plugin-" + std::to_string(::getpid()) + "-" + std::to_string(++serial));
        fs::remove_all(_dir);
        fs::create_directories(_dir);
        _host = std::make_unique<PluginHost>(std::vector<std::string>{BIRDGATE_PLUGIN_DIR});
    }

    void tearDown() override
    {
        _host.reset();
        std::error_code ec;
        fs::remove_all(_dir, ec);
    }

    void testAppendThreeTweets()
    {
        const std::string path = (_dir / "saved.jsonl").string();
        auto t = _host->createTransform("jsonl_sink.append", pathConfig(path));
        // Pretty-printed, with white space inside strings that must stay.
        const std::string in = "{\n  \"statuses\": [\n"
                               "    {\"id\": 1234567890123456789, \"id_str\": \"1234567890123456789\",\n"
                               "     \"text\": \"two  spaces\\tand \\\"quotes\\\" \\u00e9 \\ud83d\\ude00\",\n"
                               "     \"user\": { \"id\" : -9223372036854775808, \"f\" : 1e300 }},\n"
                               "    {\"id\": 2, \"text\": \"b\", \"entities\": {\"urls\": [ ]}},\n"
                               "    {\"id\": 3, \"text\": \"c\", \"g\": -1.50E-007}\n"
                               "  ],\n  \"search_metadata\": {\"count\": 3}\n}\n";
        const TransformResult r = t->call(in, context);
        CPPUNIT_ASSERT_MESSAGE(r.error, r.ok());
        CPPUNIT_ASSERT_EQUAL(in, r.output); // passed through unchanged
        const auto lines = readLines(path);
        CPPUNIT_ASSERT_EQUAL(std::size_t(3), lines.size());
        CPPUNIT_ASSERT_EQUAL(std::string(R"({"id":1234567890123456789,"id_str":"1234567890123456789",)"
                                         R"("text":"two  spaces\tand \"quotes\" \u00e9 \ud83d\ude00",)"
                                         R"("user":{"id":-9223372036854775808,"f":1e300}})"),
                             lines[0]);
        CPPUNIT_ASSERT_EQUAL(std::string(R"({"id":2,"text":"b","entities":{"urls":[]}})"), lines[1]);
        CPPUNIT_ASSERT_EQUAL(std::string(R"({"id":3,"text":"c","g":-1.50E-007})"), lines[2]);
        // A second answer appends.
        CPPUNIT_ASSERT(t->call(in, context).ok());
        CPPUNIT_ASSERT_EQUAL(std::size_t(6), readLines(path).size());
    }

    void testAppendShapes()
    {
        struct Shape
        {
            std::string answer;
            std::vector<std::string> lines;
        };
        const std::vector<Shape> shapes = {
            {R"([{"id":1,"text":"a"}, {"id":2,"text":"b"}, 3, "x", null])",
             {R"({"id":1,"text":"a"})", R"({"id":2,"text":"b"})"}},
            {R"({"data":[{"id":"1","text":"a"}],"includes":{"tweets":[{"id":"9"}]},"meta":{}})",
             {R"({"id":"1","text":"a"})"}},
            {R"({"data": {"id":"1", "text":"a"}})", {R"({"id":"1","text":"a"})"}},
            {R"( {"id":5, "id_str":"5", "text":"single"} )", {R"({"id":5,"id_str":"5","text":"single"})"}},
            {R"({"ids":[1,2],"next_cursor":0})", {}},
            {R"({"statuses":[],"search_metadata":{}})", {}},
            {"[]", {}},
            {"42", {}},
        };
        int n = 0;
        for (const Shape& shape : shapes)
        {
            const fs::path path = _dir / ("shape" + std::to_string(++n) + ".jsonl");
            auto t = _host->createTransform("jsonl_sink.append", pathConfig(path.string()));
            const TransformResult r = t->call(shape.answer, context);
            CPPUNIT_ASSERT_MESSAGE(shape.answer + ": " + r.error, r.ok());
            CPPUNIT_ASSERT_EQUAL(shape.answer, r.output);
            const auto lines = fs::exists(path) ? readLines(path) : std::vector<std::string>();
            CPPUNIT_ASSERT_EQUAL_MESSAGE(shape.answer, shape.lines.size(), lines.size());
            for (std::size_t i = 0; i < lines.size(); ++i) CPPUNIT_ASSERT_EQUAL(shape.lines[i], lines[i]);
        }
    }

    void testAppendConcurrent()
    {
        // 8 threads x 50 answers x 3 tweets into one file: every line whole.
        const fs::path path = _dir / "concurrent.jsonl";
        auto t = _host->createTransform("jsonl_sink.append", pathConfig(path.string()));
        const std::string padding(2000, 'x'); // long lines make torn writes likelier
        std::vector<std::thread> threads;
        std::vector<int> failures(8, 0);
        for (int thread = 0; thread < 8; ++thread)
            threads.emplace_back([&, thread] {
                for (int call = 0; call < 50; ++call)
                {
                    std::string answer = R"({"statuses":[)";
                    for (int k = 0; k < 3; ++k)
                        answer += std::string(k ? "," : "") + R"({"id":)" + std::to_string(1234567890123456789LL + k) +
                                  R"(,"thread":)" + std::to_string(thread) + R"(,"call":)" + std::to_string(call) +
                                  R"(,"k":)" + std::to_string(k) + R"(,"text":")" + padding + R"("})";
                    answer += "]}";
                    if (!t->call(answer, context).ok()) ++failures[static_cast<std::size_t>(thread)];
                }
            });
        for (auto& thread : threads) thread.join();
        for (int f : failures) CPPUNIT_ASSERT_EQUAL(0, f);

        const std::string content = readFile(path);
        CPPUNIT_ASSERT(!content.empty() && content.back() == '\n');
        const auto lines = readLines(path);
        CPPUNIT_ASSERT_EQUAL(std::size_t(8 * 50 * 3), lines.size());
        std::set<std::string> seen;
        for (const std::string& line : lines)
        {
            Poco::JSON::Parser parser;
            Poco::JSON::Object::Ptr tweet;
            try
            {
                tweet = parser.parse(line).extract<Poco::JSON::Object::Ptr>();
            }
            catch (const Poco::Exception& e)
            {
                CPPUNIT_FAIL("torn line (" + e.displayText() + "): " + line.substr(0, 120));
            }
            CPPUNIT_ASSERT_EQUAL(padding, tweet->getValue<std::string>("text"));
            seen.insert(std::to_string(tweet->getValue<int>("thread")) + "/" +
                        std::to_string(tweet->getValue<int>("call")) + "/" + std::to_string(tweet->getValue<int>("k")));
            // The 64-bit id is copied, not re-serialised through a double.
            CPPUNIT_ASSERT_EQUAL(R"({"id":)" + std::to_string(1234567890123456789LL + tweet->getValue<int>("k")) + ",",
                                 line.substr(0, 26));
        }
        CPPUNIT_ASSERT_EQUAL(std::size_t(8 * 50 * 3), seen.size()); // none lost, none twice
    }

    void testAppendInvalid()
    {
        const fs::path path = _dir / "invalid.jsonl";
        auto t = _host->createTransform("jsonl_sink.append", pathConfig(path.string()));
        for (const std::string& in : {std::string(R"({"statuses":[{"id":1,"text":"a"},{"id":2)"),
                                      std::string("<html>oops</html>"), std::string(""), std::string(100000, '['),
                                      std::string(R"([{"id":1}] x)"), std::string(R"([{"text":"\q"}])")})
        {
            const TransformResult r = t->call(in, context);
            CPPUNIT_ASSERT_MESSAGE(in.substr(0, 60), r.status == PluginStatus::Error);
            ASSERT_CONTAINS(r.error, "invalid JSON at byte ");
        }
        // Refused before anything was written: the first tweet was not saved.
        CPPUNIT_ASSERT(!fs::exists(path));
    }

    void testAppendUnwritable()
    {
        const fs::path file = _dir / "a-file";
        std::ofstream(file) << "x";
        auto t = _host->createTransform("jsonl_sink.append", pathConfig((file / "t.jsonl").string()));
        const TransformResult r = t->call(R"([{"id":1,"text":"a"}])", context);
        CPPUNIT_ASSERT(r.status == PluginStatus::Error); // not RETRY: a rerun would duplicate lines
        ASSERT_CONTAINS(r.error, "saved 0 of 1 tweets");
        ASSERT_CONTAINS(r.error, "Not a directory");
    }

    void testSinkWriteAndFlush()
    {
        const std::string before = utcDate();
        {
            auto sink = _host->createSink("jsonl_sink.write",
                                          pathConfig((_dir / "tweets.{:%Y-%m-%d}.jsonl").string(), R"("flush":60)"));
            CPPUNIT_ASSERT(sink->write(R"({"id":1234567890123456789,"text":"a"})").ok());
            CPPUNIT_ASSERT(sink->write("{\"id\":2}\r\n").ok()); // a stream's CRLF is not doubled
            CPPUNIT_ASSERT(sink->flush(false).ok());
            CPPUNIT_ASSERT(sink->write(R"({"id":3})").ok());
            CPPUNIT_ASSERT(sink->flush(true).ok());
        } // destroyed: closed and synced
        const std::string after = utcDate();
        std::vector<fs::path> files;
        for (const auto& entry : fs::directory_iterator(_dir)) files.push_back(entry.path());
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), files.size());
        const std::string name = files[0].filename().string();
        CPPUNIT_ASSERT_MESSAGE(name, name == "tweets." + before + ".jsonl" || name == "tweets." + after + ".jsonl");
        CPPUNIT_ASSERT_EQUAL(std::string("{\"id\":1234567890123456789,\"text\":\"a\"}\n{\"id\":2}\n{\"id\":3}\n"),
                             readFile(files[0]));
    }

    void testSinkRotates()
    {
        // A name that changes every microsecond: each message starts a new
        // file in the dated folder, and no message is lost or repeated.
        auto sink = _host->createSink(
            "jsonl_sink.write", pathConfig((_dir / "{:%Y-%m-%d}/t-{:%H%M%S%f}.jsonl").string(), R"("flush":true)"));
        const std::string before = utcDate();
        for (int i = 0; i < 4; ++i)
        {
            CPPUNIT_ASSERT(sink->write(R"({"n":)" + std::to_string(i) + "}").ok());
            std::this_thread::sleep_for(std::chrono::milliseconds(3));
        }
        CPPUNIT_ASSERT(sink->flush(true).ok());
        const std::string after = utcDate();
        std::vector<std::string> contents;
        std::set<std::string> folders;
        for (const auto& entry : fs::recursive_directory_iterator(_dir))
            if (entry.is_regular_file())
            {
                contents.push_back(readFile(entry.path()));
                folders.insert(entry.path().parent_path().filename().string());
            }
            else
                CPPUNIT_ASSERT(entry.path().filename() == before || entry.path().filename() == after);
        CPPUNIT_ASSERT_EQUAL(std::size_t(4), contents.size());
        std::sort(contents.begin(), contents.end());
        for (int i = 0; i < 4; ++i)
            CPPUNIT_ASSERT_EQUAL(R"({"n":)" + std::to_string(i) + "}\n", contents[static_cast<std::size_t>(i)]);
    }

    void testSinkRetry()
    {
        // A parent that is a regular file fails even for root (who ignores modes).
        const fs::path file = _dir / "a-file";
        std::ofstream(file) << "x";
        auto sink = _host->createSink("jsonl_sink.write", pathConfig((file / "sub" / "t.jsonl").string()));
        const SinkResult r = sink->write(R"({"id":1})");
        CPPUNIT_ASSERT(r.status == PluginStatus::Retry);
        ASSERT_CONTAINS(r.error, (file / "sub" / "t.jsonl").string());
        ASSERT_CONTAINS(r.error, "Not a directory");
        // Once the obstacle is gone, the same message goes through.
        fs::remove(file);
        CPPUNIT_ASSERT(sink->write(R"({"id":1})").ok());
        CPPUNIT_ASSERT(sink->flush(true).ok());
        CPPUNIT_ASSERT_EQUAL(std::string("{\"id\":1}\n"), readFile(file / "sub" / "t.jsonl"));
    }

    void testSinkBadMessage()
    {
        auto sink = _host->createSink("jsonl_sink.write", pathConfig((_dir / "bad.jsonl").string()));
        for (const std::string& message : {std::string(""), std::string("{\"a\":1}\n{\"b\":2}"), std::string("a\rb")})
        {
            const SinkResult r = sink->write(message);
            CPPUNIT_ASSERT_MESSAGE(message, r.status == PluginStatus::Error);
            CPPUNIT_ASSERT(!r.error.empty());
        }
        CPPUNIT_ASSERT(sink->write(R"({"ok":true})").ok());
        CPPUNIT_ASSERT(sink->flush(true).ok());
        CPPUNIT_ASSERT_EQUAL(std::string("{\"ok\":true}\n"), readFile(_dir / "bad.jsonl"));
    }

    void testConfig()
    {
        const std::string path = (_dir / "c.jsonl").string();
        for (const std::string flush : {"60", "true", "false", "0", "0.5", "2.5"})
        {
            CPPUNIT_ASSERT(_host->createSink("jsonl_sink.write", pathConfig(path, R"("flush":)" + flush)));
            CPPUNIT_ASSERT(_host->createTransform("jsonl_sink.append", pathConfig(path, R"("flush":)" + flush)));
        }
        const std::vector<std::string> refused = {
            "{}",
            R"({"path":""})",
            R"({"path":3})",
            pathConfig(path, R"("flush":"often")"),
            pathConfig(path, R"("flush":-1)"),
            pathConfig(path, R"("base":7)"),
            pathConfig((_dir / "t.{:%Y-%m-%d.jsonl").string()), // unclosed {
            pathConfig((_dir / "t.{}.jsonl").string()),
            "[]",
            "{nope",
        };
        for (const std::string& config : refused)
        {
            for (const bool sink : {true, false})
            {
                try
                {
                    if (sink)
                        _host->createSink("jsonl_sink.write", config);
                    else
                        _host->createTransform("jsonl_sink.append", config);
                    CPPUNIT_FAIL("accepted " + config);
                }
                catch (const PluginError& e)
                {
                    ASSERT_CONTAINS(e.what(), sink ? "jsonl_sink.write" : "jsonl_sink.append");
                }
            }
        }
    }

    void testBase()
    {
        // A relative path is resolved against base; braces in base are literal.
        const fs::path base = _dir / "odd{name}";
        auto sink =
            _host->createSink("jsonl_sink.write", R"({"path":"out/{:%Y}.jsonl","base":")" + base.string() + "\"}");
        CPPUNIT_ASSERT(sink->write(R"({"id":1})").ok());
        CPPUNIT_ASSERT(sink->flush(true).ok());
        std::size_t found = 0;
        for (const auto& entry : fs::recursive_directory_iterator(base))
            if (entry.is_regular_file())
            {
                ++found;
                CPPUNIT_ASSERT_EQUAL(std::string("out"), entry.path().parent_path().filename().string());
                CPPUNIT_ASSERT_EQUAL(std::size_t(4 + 6), entry.path().filename().string().size()); // YYYY.jsonl
            }
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), found);

        // An absolute path ignores base.
        const fs::path absolute = _dir / "abs.jsonl";
        auto t = _host->createTransform("jsonl_sink.append",
                                        R"({"path":")" + absolute.string() + R"(","base":"/nonexistent"})");
        CPPUNIT_ASSERT(t->call(R"([{"id":1,"text":"a"}])", context).ok());
        CPPUNIT_ASSERT_EQUAL(std::string("{\"id\":1,\"text\":\"a\"}\n"), readFile(absolute));
    }

  private:
    fs::path _dir;
    std::unique_ptr<PluginHost> _host;
};

BIRDGATE_TEST_SUITE(JsonlSinkPluginTest);
