// POSIX side of ops/Platform.h: sigwait() on signals blocked in every thread,
// and sd_notify's datagram written by hand (the protocol is one sendto() on
// an AF_UNIX socket; libsystemd is not needed for it).
#include "birdgate/ops/Platform.h"

#include <csignal>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace birdgate::platform
{
namespace
{
sigset_t handledSignals()
{
    sigset_t set;
    sigemptyset(&set);
    for (int s : {SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGQUIT}) sigaddset(&set, s);
    return set;
}
} // namespace

void prepareSignals()
{
    std::signal(SIGPIPE, SIG_IGN);
    std::signal(SIGXFSZ, SIG_IGN);
    sigset_t set = handledSignals();
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

Signal waitForSignal()
{
    sigset_t set = handledSignals();
    while (true)
    {
        int received = 0;
        if (sigwait(&set, &received) != 0) continue;
        switch (received)
        {
        case SIGHUP:
            return Signal::Reload;
        case SIGUSR1:
            return Signal::ReopenLogs;
        default:
            return Signal::Terminate;
        }
    }
}

bool notifyService(const std::string& state)
{
    const char* path = std::getenv("NOTIFY_SOCKET");
    if (!path || !*path) return false;
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    const std::size_t length = std::strlen(path);
    if (length >= sizeof address.sun_path) return false;
    std::memcpy(address.sun_path, path, length);
    if (path[0] == '@') address.sun_path[0] = '\0'; // an abstract socket
    const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    const auto size = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + length);
    const bool sent = ::sendto(fd, state.data(), state.size(), MSG_NOSIGNAL, reinterpret_cast<sockaddr*>(&address),
                               size) == static_cast<ssize_t>(state.size());
    ::close(fd);
    return sent;
}

unsigned long long monotonicMicroseconds()
{
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<unsigned long long>(ts.tv_sec) * 1000000ULL + static_cast<unsigned long long>(ts.tv_nsec) / 1000;
}

} // namespace birdgate::platform
