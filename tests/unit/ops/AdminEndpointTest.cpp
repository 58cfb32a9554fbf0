// The admin endpoint without a server: /healthz, /metrics, and /readyz with
// its store probe on a real WorkerPool (a store that answers, one that
// throws, one that hangs past the time limit, and the next probe while the
// hung one is still out), the JSON list of what is not ready, 405 for other
// methods.
#include "TestAnswer.h"
#include "TestSupport.h"

#include "birdgate/common/WorkerPool.h"
#include "birdgate/session/Store.h"
#include "ops/AdminEndpoint.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <atomic>
#include <mutex>

using namespace birdgate;
using birdgate::test::TestAnswer;

namespace
{
class FakeStore : public Store
{
  public:
    enum class Mode
    {
        Answer,
        Throw,
        Hang
    };
    std::atomic<Mode> mode{Mode::Answer};
    std::atomic<int> gets{0};
    test::Gate release;

    std::optional<std::string> get(const std::string&, const std::string&) override
    {
        ++gets;
        if (mode == Mode::Throw) throw std::runtime_error("database is locked");
        if (mode == Mode::Hang) release.wait();
        return std::nullopt;
    }
    void put(const std::string&, const std::string&, const std::string&, TimePoint) override {}
    void erase(const std::string&, const std::string&) override {}
    std::size_t purgeExpired() override { return 0; }
};
} // namespace

class AdminEndpointTest : public CppUnit::TestFixture
{
    CPPUNIT_TEST_SUITE(AdminEndpointTest);
    CPPUNIT_TEST(testHealthz);
    CPPUNIT_TEST(testMetrics);
    CPPUNIT_TEST(testOtherMethods);
    CPPUNIT_TEST(testReady);
    CPPUNIT_TEST(testNotReadyList);
    CPPUNIT_TEST(testStoreThrows);
    CPPUNIT_TEST(testStoreHangs);
    CPPUNIT_TEST(testReadyJsonEscapes);
    CPPUNIT_TEST_SUITE_END();

  public:
    std::shared_ptr<FakeStore> store;
    std::shared_ptr<WorkerPool> workers;
    std::shared_ptr<Metrics> metrics;
    std::vector<AdminEndpoint::NotReady> notReady;
    std::unique_ptr<AdminEndpoint> endpoint;
    boost::asio::io_context ioc;

    void setUp() override
    {
        store = std::make_shared<FakeStore>();
        workers = std::make_shared<WorkerPool>(2);
        metrics = std::make_shared<Metrics>(std::vector<Metrics::UrlSpec>{{"twitter", {}}}, "9.9.9");
        notReady.clear();
        AdminEndpoint::Probes probes;
        probes.sample = [] {
            Metrics::Sample s;
            s.connections = 3;
            return s;
        };
        probes.check = [this] { return notReady; };
        probes.store = store;
        probes.workers = workers;
        probes.storeName = "sqlite";
        probes.storeTimeout = std::chrono::milliseconds(200);
        endpoint = std::make_unique<AdminEndpoint>(metrics, std::move(probes));
    }

    void tearDown() override
    {
        store->release.open();
        ioc.run(); // let a hung probe finish
        workers->stop();
    }

    /// Serves one request, running the io_context until it is answered.
    void serve(const std::string& method, const std::string& path, TestAnswer& answer)
    {
        Request request;
        request.method = method;
        request.target = path;
        RouteMatch match{path.substr(1), path, {path}};
        bool done = false;
        std::exception_ptr error;
        boost::asio::co_spawn(ioc, endpoint->serve(request, answer, match), [&](std::exception_ptr e) {
            error = e;
            done = true;
        });
        ioc.restart();
        while (!done) ioc.run_one();
        if (error) std::rethrow_exception(error);
    }

    static Poco::JSON::Array::Ptr jsonList(const std::string& body)
    {
        Poco::JSON::Parser parser;
        return parser.parse(body).extract<Poco::JSON::Array::Ptr>();
    }

    void testHealthz()
    {
        TestAnswer answer;
        serve("GET", "/healthz", answer);
        CPPUNIT_ASSERT_EQUAL(200, answer.status());
        CPPUNIT_ASSERT_EQUAL(std::string("ok\n"), answer.body);
        CPPUNIT_ASSERT_EQUAL(std::string("no-store"), *answer.find("Cache-Control"));
        CPPUNIT_ASSERT_EQUAL(0, store->gets.load()); // health never touches the store
    }

    void testMetrics()
    {
        metrics->url("twitter")->request(200, std::chrono::milliseconds(1));
        TestAnswer answer;
        serve("GET", "/metrics", answer);
        CPPUNIT_ASSERT_EQUAL(200, answer.status());
        CPPUNIT_ASSERT_EQUAL(std::string("text/plain; version=0.0.4; charset=utf-8"), *answer.find("Content-Type"));
        CPPUNIT_ASSERT(answer.body.find("birdgate_build_info{version=\"9.9.9\"} 1\n") != std::string::npos);
        CPPUNIT_ASSERT(answer.body.find("birdgate_requests_total{url=\"twitter\",code=\"200\"} 1\n") !=
                       std::string::npos);
        CPPUNIT_ASSERT(answer.body.find("\nbirdgate_connections 3\n") != std::string::npos);
    }

    void testOtherMethods()
    {
        for (const char* method : {"POST", "PUT", "DELETE"})
        {
            TestAnswer answer;
            serve(method, "/metrics", answer);
            CPPUNIT_ASSERT_EQUAL(405, answer.status());
            CPPUNIT_ASSERT_EQUAL(std::string("GET, HEAD"), *answer.find("Allow"));
        }
        TestAnswer head;
        serve("HEAD", "/healthz", head);
        CPPUNIT_ASSERT_EQUAL(200, head.status());
        TestAnswer unknown;
        serve("GET", "/other", unknown);
        CPPUNIT_ASSERT_EQUAL(404, unknown.status());
    }

    void testReady()
    {
        TestAnswer answer;
        serve("GET", "/readyz", answer);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(answer.body, 200, answer.status());
        CPPUNIT_ASSERT_EQUAL(std::size_t(0), jsonList(answer.body)->size());
        CPPUNIT_ASSERT_EQUAL(1, store->gets.load()); // the store was asked
    }

    void testNotReadyList()
    {
        notReady.push_back({"listener", "public", "shutting down"});
        notReady.push_back({"stream", "tweets", "waiting (last HTTP status 503)"});
        TestAnswer answer;
        serve("GET", "/readyz", answer);
        CPPUNIT_ASSERT_EQUAL(503, answer.status());
        CPPUNIT_ASSERT_EQUAL(std::string("application/json; charset=utf-8"), *answer.find("Content-Type"));
        auto list = jsonList(answer.body);
        CPPUNIT_ASSERT_EQUAL(std::size_t(2), list->size());
        CPPUNIT_ASSERT_EQUAL(std::string("listener"), list->getObject(0)->getValue<std::string>("kind"));
        CPPUNIT_ASSERT_EQUAL(std::string("tweets"), list->getObject(1)->getValue<std::string>("name"));
        CPPUNIT_ASSERT_EQUAL(std::string("waiting (last HTTP status 503)"),
                             list->getObject(1)->getValue<std::string>("why"));
    }

    void testStoreThrows()
    {
        store->mode = FakeStore::Mode::Throw;
        TestAnswer answer;
        serve("GET", "/readyz", answer);
        CPPUNIT_ASSERT_EQUAL(503, answer.status());
        auto list = jsonList(answer.body);
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), list->size());
        CPPUNIT_ASSERT_EQUAL(std::string("store"), list->getObject(0)->getValue<std::string>("kind"));
        CPPUNIT_ASSERT_EQUAL(std::string("sqlite"), list->getObject(0)->getValue<std::string>("name"));
        CPPUNIT_ASSERT_EQUAL(std::string("database is locked"), list->getObject(0)->getValue<std::string>("why"));
        // It recovers.
        store->mode = FakeStore::Mode::Answer;
        TestAnswer again;
        serve("GET", "/readyz", again);
        CPPUNIT_ASSERT_EQUAL(200, again.status());
    }

    void testStoreHangs()
    {
        store->mode = FakeStore::Mode::Hang;
        const auto started = std::chrono::steady_clock::now();
        TestAnswer answer;
        serve("GET", "/readyz", answer);
        const auto took = std::chrono::steady_clock::now() - started;
        CPPUNIT_ASSERT_EQUAL(503, answer.status());
        CPPUNIT_ASSERT(took >= std::chrono::milliseconds(190) && took < std::chrono::seconds(5));
        auto list = jsonList(answer.body);
        CPPUNIT_ASSERT_EQUAL(std::string("no answer within 200 ms"), list->getObject(0)->getValue<std::string>("why"));
        // The hung probe is still out: the next one does not queue behind it.
        TestAnswer second;
        serve("GET", "/readyz", second);
        CPPUNIT_ASSERT_EQUAL(503, second.status());
        CPPUNIT_ASSERT_EQUAL(std::string("an earlier probe has not answered yet"),
                             jsonList(second.body)->getObject(0)->getValue<std::string>("why"));
        CPPUNIT_ASSERT_EQUAL(1, store->gets.load());
        // Once the store answers, readiness comes back.
        store->mode = FakeStore::Mode::Answer;
        store->release.open();
        ioc.restart();
        ioc.run(); // the first probe ends
        TestAnswer third;
        serve("GET", "/readyz", third);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(third.body, 200, third.status());
        CPPUNIT_ASSERT_EQUAL(2, store->gets.load());
    }

    void testReadyJsonEscapes()
    {
        const std::string json = AdminEndpoint::readyJson({{"stream", "we\"ird\nname", "a\\b"}});
        auto list = jsonList(json);
        CPPUNIT_ASSERT_EQUAL(std::string("we\"ird\nname"), list->getObject(0)->getValue<std::string>("name"));
        CPPUNIT_ASSERT_EQUAL(std::string("a\\b"), list->getObject(0)->getValue<std::string>("why"));
        CPPUNIT_ASSERT_EQUAL(std::string("[]\n"), AdminEndpoint::readyJson({}));
    }
};

BIRDGATE_TEST_SUITE(AdminEndpointTest);
