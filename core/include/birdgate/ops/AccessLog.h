// The access log (DESIGN.md 7): one line per request, with every secret left
// out. Only the method, the path, the query with the values of secret-bearing
// keys replaced by "[redacted]" (oauth_*, _xsrf, *token*, *secret*, password,
// denied), the status, the answer size and the time taken are written: never
// headers, so neither Authorization nor cookies can leak.
#pragma once

#include "birdgate/common/ThreadAnnotations.h"

#include <fstream>
#include <memory>
#include <mutex>
#include <ostream>
#include <string>
#include <string_view>

namespace birdgate
{

class AccessLog
{
  public:
    /// `target`: "-" for stderr, else a file appended to (created 0640).
    explicit AccessLog(const std::string& target);

    void write(std::string_view client, std::string_view method, std::string_view uri, int status, long long bytes,
               double milliseconds);

    /// Opens the file again at its path (SIGUSR1: logrotate renamed it).
    /// Keeps writing to the old one when the path cannot be opened.
    void reopen();

    /// The request target with secret-bearing query values redacted; control
    /// characters are escaped so a line cannot be forged.
    static std::string redact(std::string_view uri);

  private:
    std::string _path; // "" for stderr
    std::mutex _mutex;
    std::unique_ptr<std::ofstream> _file BIRDGATE_GUARDED_BY(_mutex);
    std::ostream* _out BIRDGATE_GUARDED_BY(_mutex);
};

} // namespace birdgate
