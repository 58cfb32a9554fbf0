// WorkerPool: work runs off the awaiting thread, results and exceptions come
// back to the coroutine on its own thread, void work is awaited too.
#include "birdgate/common/WorkerPool.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <cppunit/TestFixture.h>
#include <cppunit/extensions/HelperMacros.h>

#include <atomic>
#include <stdexcept>
#include <thread>

using namespace birdgate;

class WorkerPoolTest : public CppUnit::TestFixture
{
    CPPUNIT_TEST_SUITE(WorkerPoolTest);
    CPPUNIT_TEST(testResultComesBackOnTheCallersThread);
    CPPUNIT_TEST(testExceptionIsRethrown);
    CPPUNIT_TEST(testVoidWork);
    CPPUNIT_TEST(testManyConcurrent);
    CPPUNIT_TEST_SUITE_END();

  public:
    void testResultComesBackOnTheCallersThread()
    {
        WorkerPool pool(2);
        boost::asio::io_context ioc;
        std::thread::id ioThread, workThread, resumedOn;
        int result = 0;
        boost::asio::co_spawn(
            ioc,
            [&]() -> Task<void> {
                ioThread = std::this_thread::get_id();
                result = co_await pool.run([&] {
                    workThread = std::this_thread::get_id();
                    return 42;
                });
                resumedOn = std::this_thread::get_id();
            },
            [](std::exception_ptr e) {
                if (e) std::rethrow_exception(e);
            });
        ioc.run();
        CPPUNIT_ASSERT_EQUAL(42, result);
        CPPUNIT_ASSERT(workThread != ioThread);
        CPPUNIT_ASSERT(resumedOn == ioThread);
    }

    void testExceptionIsRethrown()
    {
        WorkerPool pool(1);
        boost::asio::io_context ioc;
        std::string caught;
        boost::asio::co_spawn(
            ioc,
            [&]() -> Task<void> {
                try
                {
                    co_await pool.run([]() -> int { throw std::runtime_error("store down"); });
                }
                catch (const std::runtime_error& e)
                {
                    caught = e.what();
                }
            },
            [](std::exception_ptr) {});
        ioc.run();
        CPPUNIT_ASSERT_EQUAL(std::string("store down"), caught);
    }

    void testVoidWork()
    {
        WorkerPool pool(1);
        boost::asio::io_context ioc;
        std::atomic<int> ran{0};
        bool after = false;
        boost::asio::co_spawn(
            ioc,
            [&]() -> Task<void> {
                co_await pool.run([&] { ++ran; });
                after = ran.load() == 1;
            },
            [](std::exception_ptr) {});
        ioc.run();
        CPPUNIT_ASSERT(after);
    }

    void testManyConcurrent()
    {
        WorkerPool pool(3);
        boost::asio::io_context ioc;
        int sum = 0;
        for (int i = 1; i <= 100; ++i)
            boost::asio::co_spawn(
                ioc, [&, i]() -> Task<void> { sum += co_await pool.run([i] { return i; }); },
                [](std::exception_ptr) {});
        ioc.run();
        CPPUNIT_ASSERT_EQUAL(5050, sum);
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(WorkerPoolTest);
