// Windows side of ops/Platform.h. Windows has no SIGHUP or SIGUSR1: a
// service is stopped through the service control manager (Poco's
// ServerApplication turns that into a termination request) and a console
// run by Ctrl+C or Ctrl+Break; reload and log reopening are restarts there.
// Not built on this project's Linux CI: see README, "Operating birdgate".
#include "birdgate/ops/Platform.h"

#include <windows.h>

#include <atomic>
#include <condition_variable>
#include <mutex>

namespace birdgate::platform
{
namespace
{
std::mutex mutex;
std::condition_variable woken;
bool terminate = false;

BOOL WINAPI onConsoleEvent(DWORD)
{
    {
        std::lock_guard<std::mutex> lock(mutex);
        terminate = true;
    }
    woken.notify_all();
    return TRUE;
}
} // namespace

void prepareSignals()
{
    SetConsoleCtrlHandler(onConsoleEvent, TRUE);
}

Signal waitForSignal()
{
    std::unique_lock<std::mutex> lock(mutex);
    woken.wait(lock, [] { return terminate; });
    return Signal::Terminate;
}

bool notifyService(const std::string&)
{
    return false; // the service control manager is told by Poco's ServerApplication
}

unsigned long long monotonicMicroseconds()
{
    return static_cast<unsigned long long>(GetTickCount64()) * 1000ULL;
}

} // namespace birdgate::platform
