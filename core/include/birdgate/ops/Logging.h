// birdgate's own log (`app.log`, DESIGN.md 7): a Poco channel to stderr ("-"),
// syslog ("syslog") or a file (Poco's FileChannel, rotated by birdgate when
// `log.rotation` says so, else left to logrotate), with one line format.
// SIGUSR1 calls reopen(): logrotate has renamed the file, and the next line
// goes to a new file at the configured path.
#pragma once

#include "birdgate/config/Config.h"

namespace birdgate::logging
{

/// Points Poco's root logger at `app.log`. Throws ConfigError naming
/// app.log.path or app.log.rotation when the file cannot be opened or the
/// rotation is not one Poco knows. `daemon`: stderr is gone, so "-" means
/// syslog.
void configure(const AppConfig& app, const std::string& mainFile, bool daemon);

/// What configure() would refuse, without touching any channel or file:
/// an unknown `log.rotation` (ConfigError). For --check and the check
/// before detaching.
void check(const AppConfig& app, const std::string& mainFile);

/// Reopens a log file (a no-op for stderr and syslog).
void reopen();

} // namespace birdgate::logging
