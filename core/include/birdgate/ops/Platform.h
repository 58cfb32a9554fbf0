// The operating-system calls of running as a service (DESIGN.md 7), behind
// one interface so main() reads the same on every platform: the POSIX
// implementation is core/src/ops/platform/posix, the Windows one
// core/src/ops/platform/windows (CMake compiles the one that applies).
#pragma once

#include <string>

namespace birdgate::platform
{

enum class Signal
{
    Terminate,  // SIGTERM, SIGINT: drain and exit 0
    Reload,     // SIGHUP: read the config again
    ReopenLogs, // SIGUSR1: logrotate moved the log files
};

/// Call first in main(), before any thread starts: the signals birdgate
/// handles are blocked in every thread and taken by waitForSignal() in the
/// main thread only (so none kills the process by surprise, whichever thread
/// the kernel picks); SIGPIPE and SIGXFSZ are ignored (a closed peer or a
/// full file is an error on that call, not the end of the process).
void prepareSignals();

/// Waits for the next handled signal.
Signal waitForSignal();

/// systemd's notify protocol: sends `state` ("READY=1", "RELOADING=1",
/// "STOPPING=1", "STATUS=...") to $NOTIFY_SOCKET. False when there is no such
/// socket (not started by systemd with Type=notify) or sending failed.
bool notifyService(const std::string& state);

/// CLOCK_MONOTONIC in microseconds (systemd's MONOTONIC_USEC= for RELOADING=1).
unsigned long long monotonicMicroseconds();

} // namespace birdgate::platform
