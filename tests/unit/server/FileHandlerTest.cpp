// FileHandler through the new Endpoint interface, with no socket: serve()
// runs on an io_context with a real WorkerPool, and a RecordingAnswer keeps
// every begin/write so the test sees how the file was streamed (pieces of
// at most PIECE_BYTES, whole in the end), not only what arrived.
#include "TestSupport.h"

#include "birdgate/common/WorkerPool.h"
#include "server/FileHandler.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <Poco/File.h>
#include <Poco/Path.h>
#include <Poco/TemporaryFile.h>

#include <yaml-cpp/yaml.h>

#include <exception>
#include <fstream>
#include <memory>
#include <optional>
#include <vector>

using namespace birdgate;

namespace
{
class RecordingAnswer : public Answer
{
  public:
    explicit RecordingAnswer(bool head = false, int writesBeforeGone = -1) : _writesLeft(writesBeforeGone)
    {
        _head = head;
    }

    Task<bool> begin(std::optional<std::uint64_t> length) override
    {
        _begun = true;
        ++begins;
        beginLength = length;
        co_return true;
    }
    Task<bool> write(std::string_view bytes) override
    {
        pieces.emplace_back(bytes);
        if (_writesLeft == 0) co_return false;
        if (_writesLeft > 0) --_writesLeft;
        co_return true;
    }
    Task<bool> finish() override
    {
        finished = true;
        co_return true;
    }
    void abort() override { aborted = true; }

    std::string joined() const
    {
        std::string out;
        for (const auto& p : pieces) out += p;
        return out;
    }

    int begins = 0;
    std::optional<std::uint64_t> beginLength;
    std::vector<std::string> pieces;
    bool finished = false;
    bool aborted = false;

  private:
    int _writesLeft;
};

/// A folder with files, and a FileHandler serving it.
struct Site
{
    Site()
    {
        root.createDirectories();
        Poco::File(root.path() + "/sub").createDirectories();
        write("small.txt", "hello");
        write("sub/index.html", "<p>index</p>");
        big.reserve(FileHandler::PIECE_BYTES * 3 + 123);
        for (std::size_t i = 0; i < FileHandler::PIECE_BYTES * 3 + 123; ++i)
            big.push_back(static_cast<char>('a' + (i * 7 + i / 1000) % 26));
        write("big.bin", big);
        outsideName = "outside-" + Poco::Path(root.path()).getFileName();
        std::ofstream(root.path() + "/../" + outsideName) << "secret";

        UrlEntry entry;
        entry.name = "static";
        entry.handler = "FileHandler";
        entry.kwargs = YAML::Load("path: " + root.path());
        services.workers = std::make_shared<WorkerPool>(2);
        services.warnings = &warnings;
        handler = std::make_unique<FileHandler>(entry, services);
    }

    ~Site()
    {
        services.workers->stop();
        Poco::File(root.path() + "/../" + outsideName).remove();
    }

    void write(const std::string& name, const std::string& data)
    {
        std::ofstream(root.path() + "/" + name, std::ios::binary) << data;
    }

    /// Serves `rel` (the pattern's group) with `method` into `answer`.
    void serve(const std::string& method, const std::string& rel, Answer& answer)
    {
        Request request;
        request.method = method;
        request.target = "/static/" + rel;
        RouteMatch match{"static", "/static/" + rel, {"/static/" + rel, rel}};
        boost::asio::io_context ioc;
        std::exception_ptr error;
        boost::asio::co_spawn(ioc, handler->serve(request, answer, match), [&](std::exception_ptr e) { error = e; });
        ioc.run();
        if (error) std::rethrow_exception(error);
    }

    Poco::TemporaryFile root;
    std::string big;
    std::string outsideName; // a file next to the served folder
    std::vector<std::string> warnings;
    Services services;
    std::unique_ptr<FileHandler> handler;
};
} // namespace

class FileHandlerTest : public CppUnit::TestFixture
{
    CPPUNIT_TEST_SUITE(FileHandlerTest);
    CPPUNIT_TEST(testLargeFileInPieces);
    CPPUNIT_TEST(testSmallFile);
    CPPUNIT_TEST(testHeadWritesNothing);
    CPPUNIT_TEST(testMissingIs404);
    CPPUNIT_TEST(testDotDotRefused);
    CPPUNIT_TEST(testStopsWhenClientGone);
    CPPUNIT_TEST(testFolderIndexAndRedirect);
    CPPUNIT_TEST(testMethodNotAllowed);
    CPPUNIT_TEST_SUITE_END();

  public:
    void testLargeFileInPieces()
    {
        Site site;
        RecordingAnswer answer;
        site.serve("GET", "big.bin", answer);
        CPPUNIT_ASSERT_EQUAL(200, answer.status());
        CPPUNIT_ASSERT_EQUAL(1, answer.begins);
        CPPUNIT_ASSERT(answer.beginLength.has_value());
        CPPUNIT_ASSERT_EQUAL(static_cast<std::uint64_t>(site.big.size()), *answer.beginLength);
        CPPUNIT_ASSERT(answer.pieces.size() >= 4); // 3 full pieces and the rest
        for (const auto& p : answer.pieces) CPPUNIT_ASSERT(!p.empty() && p.size() <= FileHandler::PIECE_BYTES);
        CPPUNIT_ASSERT(answer.joined() == site.big);
        CPPUNIT_ASSERT(answer.finished);
        CPPUNIT_ASSERT(!answer.aborted);
        CPPUNIT_ASSERT(answer.body.empty()); // streamed, not buffered
        CPPUNIT_ASSERT_EQUAL(std::string("application/octet-stream"), *answer.find("Content-Type"));
        CPPUNIT_ASSERT(answer.find("Last-Modified"));
    }

    void testSmallFile()
    {
        Site site;
        RecordingAnswer answer;
        site.serve("GET", "small.txt", answer);
        CPPUNIT_ASSERT_EQUAL(200, answer.status());
        CPPUNIT_ASSERT_EQUAL(std::string("hello"), answer.joined());
        CPPUNIT_ASSERT_EQUAL(std::uint64_t{5}, *answer.beginLength);
        CPPUNIT_ASSERT_EQUAL(std::string("text/plain; charset=utf-8"), *answer.find("Content-Type"));
    }

    void testHeadWritesNothing()
    {
        Site site;
        RecordingAnswer answer(true);
        site.serve("HEAD", "big.bin", answer);
        CPPUNIT_ASSERT_EQUAL(200, answer.status());
        CPPUNIT_ASSERT_EQUAL(1, answer.begins);
        CPPUNIT_ASSERT_EQUAL(static_cast<std::uint64_t>(site.big.size()), *answer.beginLength);
        CPPUNIT_ASSERT(answer.pieces.empty());
        CPPUNIT_ASSERT(answer.body.empty());
    }

    void testMissingIs404()
    {
        Site site;
        RecordingAnswer answer;
        site.serve("GET", "nope.txt", answer);
        CPPUNIT_ASSERT_EQUAL(404, answer.status());
        CPPUNIT_ASSERT(!answer.begun());
        CPPUNIT_ASSERT(answer.body.find("no such file") != std::string::npos);
    }

    void testDotDotRefused()
    {
        Site site;
        const std::string outside = "../" + site.outsideName;
        for (const std::string& rel :
             {outside, std::string("sub/../small.txt"), std::string("%2e%2e/x"), std::string(".hidden")})
        {
            RecordingAnswer answer;
            site.serve("GET", rel, answer);
            CPPUNIT_ASSERT_EQUAL_MESSAGE(rel, 404, answer.status());
            CPPUNIT_ASSERT_MESSAGE(rel, !answer.begun() && answer.pieces.empty());
        }
        RecordingAnswer encoded; // an encoded separator is a bad path
        site.serve("GET", "..%2Fsmall.txt", encoded);
        CPPUNIT_ASSERT_EQUAL(400, encoded.status());
    }

    void testStopsWhenClientGone()
    {
        Site site;
        RecordingAnswer answer(false, 1); // the second write fails
        site.serve("GET", "big.bin", answer);
        CPPUNIT_ASSERT_EQUAL(std::size_t{2}, answer.pieces.size());
        CPPUNIT_ASSERT(!answer.finished);
    }

    void testFolderIndexAndRedirect()
    {
        Site site;
        RecordingAnswer index;
        site.serve("GET", "sub/", index);
        CPPUNIT_ASSERT_EQUAL(200, index.status());
        CPPUNIT_ASSERT_EQUAL(std::string("<p>index</p>"), index.joined());
        CPPUNIT_ASSERT_EQUAL(std::string("text/html; charset=utf-8"), *index.find("Content-Type"));
        RecordingAnswer redirect;
        site.serve("GET", "sub", redirect);
        CPPUNIT_ASSERT_EQUAL(302, redirect.status());
        CPPUNIT_ASSERT_EQUAL(std::string("sub/"), *redirect.find("Location"));
        CPPUNIT_ASSERT(!redirect.begun());
    }

    void testMethodNotAllowed()
    {
        Site site;
        RecordingAnswer answer;
        site.serve("POST", "small.txt", answer);
        CPPUNIT_ASSERT_EQUAL(405, answer.status());
        CPPUNIT_ASSERT_EQUAL(std::string("GET, HEAD"), *answer.find("Allow"));
    }
};

BIRDGATE_TEST_SUITE(FileHandlerTest);
