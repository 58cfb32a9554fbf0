// jsonl_sink's core: DatedPath (Python's {:%Y-%m-%d} file names) and
// JsonlWriter (append-only JSON Lines): formats and refusals, rotation at
// midnight, month end and year end, appending to existing files, folders,
// 8 concurrent writers that must never interleave, the flush modes, and a
// full file system (RLIMIT_FSIZE) that must leave no partial line behind.
#include "TestSupport.h"

#include "DatedPath.h"
#include "JsonlWriter.h"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <sys/resource.h>
#include <thread>
#include <vector>

using birdgate::jsonl::BadMessage;
using birdgate::jsonl::DatedPath;
using birdgate::jsonl::JsonlWriter;
using birdgate::jsonl::WriteError;
namespace fs = std::filesystem;
using namespace std::chrono;

namespace
{

system_clock::time_point utc(int y, unsigned mo, unsigned d, int h = 0, int mi = 0, int s = 0, int us = 0)
{
    return sys_days{year{y} / month{mo} / day{d}} + hours(h) + minutes(mi) + seconds(s) + microseconds(us);
}

std::string readFile(const fs::path& path)
{
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

std::vector<std::string> readLines(const fs::path& path)
{
    const std::string text = readFile(path);
    std::vector<std::string> lines;
    std::size_t from = 0;
    while (from < text.size())
    {
        const std::size_t nl = text.find('\n', from);
        if (nl == std::string::npos)
        {
            lines.push_back(text.substr(from) + "<NO NEWLINE>");
            break;
        }
        lines.push_back(text.substr(from, nl - from));
        from = nl + 1;
    }
    return lines;
}

std::string message(int n, std::size_t padding = 0)
{
    return "{\"id_str\":\"" + std::to_string(n) + "\",\"text\":\"" + std::string(padding, 'x') + "\"}";
}

// Lowers the file size limit for one test and restores limit and SIGXFSZ
// disposition whatever happens (they are process-wide).
class FileSizeLimit
{
  public:
    FileSizeLimit()
    {
        getrlimit(RLIMIT_FSIZE, &_saved);
        _oldHandler = std::signal(SIGXFSZ, SIG_IGN);
    }

    ~FileSizeLimit()
    {
        lift();
        std::signal(SIGXFSZ, _oldHandler);
    }

    void set(rlim_t bytes)
    {
        rlimit limit = _saved;
        limit.rlim_cur = bytes;
        CPPUNIT_ASSERT_EQUAL(0, setrlimit(RLIMIT_FSIZE, &limit));
    }

    void lift() { setrlimit(RLIMIT_FSIZE, &_saved); }

  private:
    rlimit _saved{};
    void (*_oldHandler)(int) = SIG_DFL;
};

} // namespace

class JsonlWriterTest : public CppUnit::TestFixture
{
    CPPUNIT_TEST_SUITE(JsonlWriterTest);
    CPPUNIT_TEST(testDatedPathFormats);
    CPPUNIT_TEST(testDatedPathEscapes);
    CPPUNIT_TEST(testDatedPathFixed);
    CPPUNIT_TEST(testDatedPathErrors);
    CPPUNIT_TEST(testWriteLines);
    CPPUNIT_TEST(testBadMessages);
    CPPUNIT_TEST(testRotationMidnight);
    CPPUNIT_TEST(testRotationMonthAndYearEnd);
    CPPUNIT_TEST(testAppendKeepsContent);
    CPPUNIT_TEST(testTornLastLine);
    CPPUNIT_TEST(testCloseAndReopen);
    CPPUNIT_TEST(testOpenError);
    CPPUNIT_TEST(testFlushModes);
    CPPUNIT_TEST(testConcurrentWriters);
    CPPUNIT_TEST(testFileSizeLimitMidLine);
    CPPUNIT_TEST(testFileSizeLimitAtLineStart);
    CPPUNIT_TEST_SUITE_END();

  public:
    void setUp() override
    {
        char pattern[] = "/tmp/birdgate-jsonl-XXXXXX";
        CPPUNIT_ASSERT(mkdtemp(pattern) != nullptr);
        _dir = pattern;
    }

    void tearDown() override
    {
        std::error_code ec;
        fs::remove_all(_dir, ec);
    }

    void testDatedPathFormats()
    {
        const auto t = utc(2024, 2, 29, 13, 5, 9, 123456);
        CPPUNIT_ASSERT_EQUAL(std::string("tweets.2024-02-29.jsonl"), DatedPath("tweets.{:%Y-%m-%d}.jsonl").format(t));
        CPPUNIT_ASSERT_EQUAL(std::string("Feb-2024.jsonl"), DatedPath("{:%b-%Y}.jsonl").format(t));
        CPPUNIT_ASSERT_EQUAL(std::string("t-13-05"), DatedPath("t-{:%H-%M}").format(t));
        CPPUNIT_ASSERT_EQUAL(std::string("February Thursday Thu 060 24 PM 09"),
                             DatedPath("{:%B %A %a %j %y %p %S}").format(t));
        CPPUNIT_ASSERT_EQUAL(std::string("2024/02/x-29"), DatedPath("{:%Y}/{0:%m}/x-{:%d}").format(t));
        CPPUNIT_ASSERT_EQUAL(std::string("13.05.09.123456"), DatedPath("{:%H.%M.%S.%f}").format(t));
        CPPUNIT_ASSERT_EQUAL(std::string("100%f-2024"), DatedPath("{:100%%f-%Y}").format(t));
        CPPUNIT_ASSERT_EQUAL(std::string("1-3-2024-W09"), DatedPath("{:%-d-%-m-%G-W%V}").format(utc(2024, 3, 1)));
        CPPUNIT_ASSERT_EQUAL(std::string("AM 00"), DatedPath("{:%p %H}").format(utc(2024, 3, 1)));
        // Times before 1970 fall in the right second.
        CPPUNIT_ASSERT_EQUAL(std::string("1969-12-31 23:59:59"),
                             DatedPath("{:%Y-%m-%d %H:%M:%S}").format(utc(1970, 1, 1) - milliseconds(1)));
        CPPUNIT_ASSERT(!DatedPath("{:%Y}").isFixed());
        CPPUNIT_ASSERT(!DatedPath("{:%Y}").subSecond());
        CPPUNIT_ASSERT(DatedPath("{:%f}").subSecond());
    }

    void testDatedPathEscapes()
    {
        const auto t = utc(2023, 12, 31, 23, 59, 59);
        CPPUNIT_ASSERT_EQUAL(std::string("{x}-2023.jsonl"), DatedPath("{{x}}-{:%Y}.jsonl").format(t));
        CPPUNIT_ASSERT_EQUAL(std::string("a{b}c"), DatedPath("a{{b}}c").format(t));
        CPPUNIT_ASSERT_EQUAL(std::string("{2023}"), DatedPath("{{{:%Y}}}").format(t));
        CPPUNIT_ASSERT(DatedPath("a{{b}}c").isFixed());
    }

    void testDatedPathFixed()
    {
        DatedPath fixed("/var/lib/birdgate/tweets.jsonl");
        CPPUNIT_ASSERT(fixed.isFixed());
        CPPUNIT_ASSERT_EQUAL(std::string("/var/lib/birdgate/tweets.jsonl"), fixed.format(utc(2001, 1, 1)));
        CPPUNIT_ASSERT_EQUAL(std::string("/var/lib/birdgate/tweets.jsonl"), fixed.format(utc(2031, 7, 9, 3)));
        CPPUNIT_ASSERT_EQUAL(std::string("%Y"), DatedPath("%Y").format(utc(2001, 1, 1)));
    }

    void testDatedPathErrors()
    {
        const std::vector<std::pair<std::string, std::string>> bad = {
            {"tweets.{:%Y", "unclosed"},     {"tweets.{", "unclosed"},    {"tweets.{}.jsonl", "no ':'"},
            {"tweets.{0}.jsonl", "no ':'"},  {"a}b", "single '}'"},       {"{:%Y}}", "single '}'"},
            {"{1:%Y}", "only the time"},     {"{x:%Y}", "only the time"}, {"{:}", "empty format"},
            {"{:%Q}", "unknown conversion"}, {"{:%Y%}", "at the end"},    {"{:{%Y}}", "nested"},
            {"{:%-f}", "takes no flags"},
        };
        for (const auto& [pattern, why] : bad)
        {
            try
            {
                DatedPath path(pattern);
                CPPUNIT_FAIL("accepted " + pattern);
            }
            catch (const std::invalid_argument& e)
            {
                const std::string what = e.what();
                CPPUNIT_ASSERT_MESSAGE(what, what.find(why) != std::string::npos);
                CPPUNIT_ASSERT_MESSAGE(what, what.find(pattern) != std::string::npos);
            }
        }
        CPPUNIT_ASSERT_THROW(JsonlWriter("x/{:%Y"), std::invalid_argument);
    }

    void testWriteLines()
    {
        JsonlWriter writer(_dir + "/t.jsonl");
        writer.write(message(1), utc(2024, 1, 1));
        writer.write(message(2) + "\r\n", utc(2024, 1, 1));
        writer.write(message(3) + "\n", utc(2024, 1, 1));
        writer.write("{\"text\":\"\xE4\xB8\x96\"}", utc(2024, 1, 1));
        CPPUNIT_ASSERT_EQUAL(_dir + "/t.jsonl", writer.currentPath());
        const auto lines = readLines(_dir + "/t.jsonl");
        CPPUNIT_ASSERT(lines ==
                       (std::vector<std::string>{message(1), message(2), message(3), "{\"text\":\"\xE4\xB8\x96\"}"}));
        const auto c = writer.counters();
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(4), c.lines);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(readFile(_dir + "/t.jsonl").size()), c.bytes);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(1), c.filesOpened);
        CPPUNIT_ASSERT_EQUAL(0, static_cast<int>(fs::status(_dir + "/t.jsonl").permissions() & fs::perms::group_write));
    }

    void testBadMessages()
    {
        JsonlWriter writer(_dir + "/t.jsonl");
        CPPUNIT_ASSERT_THROW(writer.write("", utc(2024, 1, 1)), BadMessage);
        CPPUNIT_ASSERT_THROW(writer.write("\r\n", utc(2024, 1, 1)), BadMessage);
        CPPUNIT_ASSERT_THROW(writer.write("{\"a\":\n1}", utc(2024, 1, 1)), BadMessage);
        CPPUNIT_ASSERT_THROW(writer.write("{\"a\":\r1}", utc(2024, 1, 1)), BadMessage);
        writer.write(message(1), utc(2024, 1, 1));
        CPPUNIT_ASSERT(readLines(_dir + "/t.jsonl") == std::vector<std::string>{message(1)});
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(4), writer.counters().badMessages);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(0), writer.counters().writeErrors);
    }

    void testRotationMidnight()
    {
        JsonlWriter writer(_dir + "/tweets.{:%Y-%m-%d}.jsonl");
        writer.write(message(1), utc(2024, 3, 9, 23, 59, 59, 999999));
        writer.write(message(2), utc(2024, 3, 10, 0, 0, 0));
        writer.write(message(3), utc(2024, 3, 10, 12, 0, 0));
        CPPUNIT_ASSERT(readLines(_dir + "/tweets.2024-03-09.jsonl") == std::vector<std::string>{message(1)});
        CPPUNIT_ASSERT(readLines(_dir + "/tweets.2024-03-10.jsonl") ==
                       (std::vector<std::string>{message(2), message(3)}));
        const auto c = writer.counters();
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(2), c.filesOpened);
        CPPUNIT_ASSERT(c.syncs >= 1); // the rotation fsync'ed the old file
        CPPUNIT_ASSERT_EQUAL(_dir + "/tweets.2024-03-10.jsonl", writer.currentPath());
    }

    void testRotationMonthAndYearEnd()
    {
        // Folders per year and month, created as needed.
        JsonlWriter writer(_dir + "/{:%Y}/{:%b}/t-{:%Y-%m-%d}.jsonl");
        const std::vector<system_clock::time_point> times = {
            utc(2023, 12, 31, 23, 59, 59), utc(2024, 1, 1, 0, 0, 0),  // year end
            utc(2024, 1, 31, 23, 59, 59),  utc(2024, 2, 1, 0, 0, 0),  // month end
            utc(2024, 2, 28, 23, 0, 0),    utc(2024, 2, 29, 1, 0, 0), // leap day
            utc(2024, 3, 1, 0, 0, 0)};
        for (std::size_t i = 0; i < times.size(); ++i) writer.write(message(static_cast<int>(i)), times[i]);
        const std::vector<std::string> files = {"2023/Dec/t-2023-12-31.jsonl", "2024/Jan/t-2024-01-01.jsonl",
                                                "2024/Jan/t-2024-01-31.jsonl", "2024/Feb/t-2024-02-01.jsonl",
                                                "2024/Feb/t-2024-02-28.jsonl", "2024/Feb/t-2024-02-29.jsonl",
                                                "2024/Mar/t-2024-03-01.jsonl"};
        for (std::size_t i = 0; i < files.size(); ++i)
            CPPUNIT_ASSERT_MESSAGE(files[i], readLines(_dir + "/" + files[i]) ==
                                                 std::vector<std::string>{message(static_cast<int>(i))});
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(7), writer.counters().filesOpened);

        // An hourly pattern rotates within a day; a month pattern does not.
        JsonlWriter hourly(_dir + "/h/{:%Y%m%d-%H}.jsonl");
        hourly.write(message(1), utc(2024, 5, 5, 9, 59, 59));
        hourly.write(message(2), utc(2024, 5, 5, 10, 0, 0));
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(2), hourly.counters().filesOpened);
        JsonlWriter monthly(_dir + "/m/{:%Y-%m}.jsonl");
        monthly.write(message(1), utc(2024, 5, 1));
        monthly.write(message(2), utc(2024, 5, 31, 23, 59, 59));
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(1), monthly.counters().filesOpened);
        CPPUNIT_ASSERT_EQUAL(std::size_t(2), readLines(_dir + "/m/2024-05.jsonl").size());
    }

    void testAppendKeepsContent()
    {
        const std::string path = _dir + "/keep.jsonl";
        std::ofstream(path) << "{\"old\":1}\n{\"old\":2}\n";
        {
            JsonlWriter writer(path);
            writer.write(message(1), utc(2024, 1, 1));
        }
        {
            JsonlWriter writer(path);
            writer.write(message(2), utc(2024, 1, 2));
        }
        CPPUNIT_ASSERT(readLines(path) ==
                       (std::vector<std::string>{"{\"old\":1}", "{\"old\":2}", message(1), message(2)}));
    }

    void testTornLastLine()
    {
        // A file ending in half a line gets its newline before new lines.
        const std::string path = _dir + "/torn.jsonl";
        std::ofstream(path) << "{\"ok\":1}\n{\"torn\":";
        JsonlWriter writer(path);
        writer.write(message(1), utc(2024, 1, 1));
        CPPUNIT_ASSERT(readLines(path) == (std::vector<std::string>{"{\"ok\":1}", "{\"torn\":", message(1)}));
    }

    void testCloseAndReopen()
    {
        const std::string path = _dir + "/c.jsonl";
        JsonlWriter writer(path);
        writer.write(message(1), utc(2024, 1, 1));
        writer.close();
        CPPUNIT_ASSERT_EQUAL(std::string(), writer.currentPath());
        writer.close(); // twice is harmless
        writer.write(message(2), utc(2024, 1, 1));
        writer.flush();
        CPPUNIT_ASSERT(readLines(path) == (std::vector<std::string>{message(1), message(2)}));
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(2), writer.counters().filesOpened);
    }

    void testOpenError()
    {
        // A regular file where a folder should be: fails even for root.
        std::ofstream(_dir + "/blocker") << "x";
        JsonlWriter writer(_dir + "/blocker/{:%Y}/t.jsonl");
        try
        {
            writer.write(message(1), utc(2024, 1, 1));
            CPPUNIT_FAIL("no WriteError");
        }
        catch (const WriteError& e)
        {
            CPPUNIT_ASSERT(e.errorCode() != 0);
            CPPUNIT_ASSERT_EQUAL(_dir + "/blocker/2024/t.jsonl", e.path());
            CPPUNIT_ASSERT(std::string(e.what()).find("blocker") != std::string::npos);
        }
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(1), writer.counters().writeErrors);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(0), writer.counters().filesOpened);
        // The folder becomes writable: the same message goes through.
        fs::remove(_dir + "/blocker");
        writer.write(message(1), utc(2024, 1, 1));
        CPPUNIT_ASSERT(readLines(_dir + "/blocker/2024/t.jsonl") == std::vector<std::string>{message(1)});
    }

    void testFlushModes()
    {
        const auto t0 = utc(2024, 1, 1);
        {
            JsonlWriter writer(_dir + "/os.jsonl", JsonlWriter::Flush::Os());
            for (int i = 0; i < 5; ++i) writer.write(message(i), t0);
            CPPUNIT_ASSERT_EQUAL(std::uint64_t(0), writer.counters().syncs);
            // The lines are in the OS already: a reader sees them before close.
            CPPUNIT_ASSERT_EQUAL(std::size_t(5), readLines(_dir + "/os.jsonl").size());
            writer.close();
            CPPUNIT_ASSERT_EQUAL(std::uint64_t(1), writer.counters().syncs);
        }
        {
            JsonlWriter writer(_dir + "/each.jsonl", JsonlWriter::Flush::EachLine());
            for (int i = 0; i < 5; ++i) writer.write(message(i), t0);
            CPPUNIT_ASSERT_EQUAL(std::uint64_t(5), writer.counters().syncs);
        }
        {
            JsonlWriter writer(_dir + "/every.jsonl", JsonlWriter::Flush::Every(seconds(60)));
            writer.write(message(1), t0);
            writer.write(message(2), t0 + seconds(30));
            CPPUNIT_ASSERT_EQUAL(std::uint64_t(0), writer.counters().syncs);
            writer.write(message(3), t0 + seconds(60));
            CPPUNIT_ASSERT_EQUAL(std::uint64_t(1), writer.counters().syncs);
            writer.write(message(4), t0 + seconds(61));
            writer.tick(t0 + seconds(100));
            CPPUNIT_ASSERT_EQUAL(std::uint64_t(1), writer.counters().syncs);
            writer.tick(t0 + seconds(120)); // a quiet stream still gets synced
            CPPUNIT_ASSERT_EQUAL(std::uint64_t(2), writer.counters().syncs);
            writer.tick(t0 + seconds(500)); // nothing new: nothing to sync
            CPPUNIT_ASSERT_EQUAL(std::uint64_t(2), writer.counters().syncs);
            CPPUNIT_ASSERT(writer.flushMode().mode() == JsonlWriter::Flush::Mode::Every);
            CPPUNIT_ASSERT(writer.flushMode().interval() == seconds(60));
        }
    }

    void testConcurrentWriters()
    {
        // 8 threads, lines of very different sizes (up to 64 kB, beyond the
        // pipe-atomicity size), rotating between two files midway.
        const std::string pattern = _dir + "/c-{:%Y-%m-%d}.jsonl";
        JsonlWriter writer(pattern);
        constexpr int THREADS = 8;
        constexpr int PER_THREAD = 400;
        std::vector<std::thread> threads;
        for (int t = 0; t < THREADS; ++t)
        {
            threads.emplace_back([&writer, t] {
                for (int i = 0; i < PER_THREAD; ++i)
                {
                    const int id = t * PER_THREAD + i;
                    const std::size_t padding = (static_cast<std::size_t>(id) * 7919) % (i % 50 == 0 ? 65536 : 3000);
                    const auto when = i < PER_THREAD / 2 ? utc(2024, 6, 1, 23, 59, 59) : utc(2024, 6, 2);
                    writer.write(message(id, padding), when);
                }
            });
        }
        for (auto& thread : threads) thread.join();
        writer.close();

        std::map<std::string, int> seen;
        for (const char* name : {"/c-2024-06-01.jsonl", "/c-2024-06-02.jsonl"})
            for (const auto& line : readLines(_dir + name)) ++seen[line];
        CPPUNIT_ASSERT_EQUAL(std::size_t(THREADS * PER_THREAD), seen.size());
        for (int t = 0; t < THREADS; ++t)
        {
            for (int i = 0; i < PER_THREAD; ++i)
            {
                const int id = t * PER_THREAD + i;
                const std::size_t padding = (static_cast<std::size_t>(id) * 7919) % (i % 50 == 0 ? 65536 : 3000);
                CPPUNIT_ASSERT_EQUAL(1, seen[message(id, padding)]);
            }
        }
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(THREADS * PER_THREAD), writer.counters().lines);
    }

    void testFileSizeLimitMidLine()
    {
        const std::string path = _dir + "/full.jsonl";
        JsonlWriter writer(path);
        writer.write(message(1), utc(2024, 1, 1));
        writer.write(message(2), utc(2024, 1, 1));
        const std::string before = readFile(path);
        const std::string big = message(3, 200);
        {
            FileSizeLimit limit;
            limit.set(before.size() + 50); // room for 50 bytes of a 220-byte line
            try
            {
                writer.write(big, utc(2024, 1, 1));
                CPPUNIT_FAIL("no WriteError");
            }
            catch (const WriteError& e)
            {
                CPPUNIT_ASSERT_EQUAL(EFBIG, e.errorCode());
                CPPUNIT_ASSERT(std::string(e.what()).find(path) != std::string::npos);
            }
            // No partial line: the file is exactly as before.
            CPPUNIT_ASSERT_EQUAL(before, readFile(path));
            // A short line that fits still goes in whole.
            writer.write("{}", utc(2024, 1, 1));
            CPPUNIT_ASSERT_EQUAL(before + "{}\n", readFile(path));
        }
        // The limit is lifted: the same message, retried, is written whole.
        writer.write(big, utc(2024, 1, 1));
        CPPUNIT_ASSERT(readLines(path) == (std::vector<std::string>{message(1), message(2), "{}", big}));
        const auto c = writer.counters();
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(1), c.writeErrors);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(4), c.lines);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(readFile(path).size()), c.bytes);
    }

    void testFileSizeLimitAtLineStart()
    {
        // The file is exactly at the limit: the write fails outright.
        const std::string path = _dir + "/atlimit.jsonl";
        JsonlWriter writer(path);
        writer.write(message(1), utc(2024, 1, 1));
        const std::string before = readFile(path);
        {
            FileSizeLimit limit;
            limit.set(before.size());
            for (int attempt = 0; attempt < 3; ++attempt)
                CPPUNIT_ASSERT_THROW(writer.write(message(2), utc(2024, 1, 1)), WriteError);
            CPPUNIT_ASSERT_EQUAL(before, readFile(path));
        }
        writer.write(message(2), utc(2024, 1, 1));
        CPPUNIT_ASSERT(readLines(path) == (std::vector<std::string>{message(1), message(2)}));
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(3), writer.counters().writeErrors);
    }

  private:
    std::string _dir;
};

BIRDGATE_TEST_SUITE(JsonlWriterTest);
