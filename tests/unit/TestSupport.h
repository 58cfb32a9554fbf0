// Shared by the unit suites. Each suite is its own executable (see
// tests/CMakeLists.txt), so registering in the default registry is enough.
#pragma once

#include <cppunit/extensions/HelperMacros.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#define BIRDGATE_TEST_SUITE(Suite) CPPUNIT_TEST_SUITE_REGISTRATION(Suite)

namespace birdgate::test
{
inline std::string dataPath(const std::string& name)
{
    return std::string(BIRDGATE_TEST_DATA) + "/" + name;
}

/// A one-shot gate for threaded tests: wait() blocks until open().
class Gate
{
  public:
    void open()
    {
        std::lock_guard<std::mutex> lock(_mutex);
        _open = true;
        _cv.notify_all();
    }
    void wait()
    {
        std::unique_lock<std::mutex> lock(_mutex);
        _cv.wait(lock, [&] { return _open; });
    }

  private:
    std::mutex _mutex;
    std::condition_variable _cv;
    bool _open = false;
};

/// Polls `condition` every millisecond; false if it is still false after ~10 s.
/// (A bound for a test that would otherwise hang, never a timing assertion.)
inline bool waitUntil(const std::function<bool()>& condition)
{
    for (int i = 0; i < 10000; ++i)
    {
        if (condition()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return condition();
}
} // namespace birdgate::test
