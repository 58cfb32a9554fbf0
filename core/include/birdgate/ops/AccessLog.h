// The access log (DESIGN.md 7): one line per request, with every secret left
// out. Only the method, the path, the query with the values of secret-bearing
// keys replaced by "[redacted]" (oauth_*, _xsrf, *token*, *secret*, password,
// denied, code), the status, the answer size, the time taken, the time spent
// waiting for the upstream, the url entry's name and the request id are
// written: never headers, so neither Authorization nor cookies can leak.
//
// Two formats (app.access_log_format):
//   text  2026-11-29T21:55:16.123456Z 127.0.0.1 "GET /t/x.json?q=1" 200 42 3.1ms upstream=2.9ms url=twitter id=4f0c...
//         (upstream=- when no upstream was asked, url=- when no url matched)
//   json  {"time":"...","client":"127.0.0.1","method":"GET","path":"/t/x.json?q=1","status":200,
//          "bytes":42,"duration_ms":3.1,"upstream_ms":2.9,"url":"twitter","request_id":"4f0c..."}
//         (null where text has -; bytes null when unknown)
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

/// What one line says about one request.
struct AccessRecord
{
    std::string_view client;
    std::string_view method;
    std::string_view uri; // as received: redacted when written
    int status = 0;
    long long bytes = -1;             // answer body bytes; -1: unknown
    double milliseconds = 0;          // from the first byte of the request to the end of the answer
    double upstreamMilliseconds = -1; // waiting for upstreams; < 0: none was asked
    std::string_view url;             // the url entry's name; empty: no url matched
    std::string_view requestId;
};

class AccessLog
{
  public:
    enum class Format
    {
        Text,
        Json
    };

    /// `target`: "-" for stderr, else a file appended to (created 0640).
    explicit AccessLog(const std::string& target, Format format = Format::Text);

    /// "text" or "json" (app.access_log_format); false for anything else.
    static bool parseFormat(std::string_view name, Format& format);

    void write(const AccessRecord& record);
    /// The line write() appends (with its newline).
    std::string line(const AccessRecord& record) const;

    /// Opens the file again at its path (SIGUSR1: logrotate renamed it).
    /// Keeps writing to the old one when the path cannot be opened.
    void reopen();

    /// The request target with secret-bearing query values redacted; control
    /// characters are escaped so a line cannot be forged.
    static std::string redact(std::string_view uri);

  private:
    const Format _format;
    std::string _path; // "" for stderr
    std::mutex _mutex;
    std::unique_ptr<std::ofstream> _file BIRDGATE_GUARDED_BY(_mutex);
    std::ostream* _out BIRDGATE_GUARDED_BY(_mutex);
};

} // namespace birdgate
