// The JSON Lines file behind `path:` (DESIGN.md 5): append-only, dated,
// whole lines only.
//
// write(message, now) formats the DatedPath for `now`; when the name differs
// from the open file's, the old file is flushed, fsync'ed and closed and the
// new one opened (parent folders created, O_APPEND, mode 0644), so rotation
// at midnight (or each hour, month ...) loses and duplicates nothing.
//
// Each message becomes exactly one line, appended by one writev(2) of the
// message and "\n" (a vectored write(2): one system call, one O_APPEND
// append, no copy of the message). A mutex orders writers, so concurrent
// streams or request transforms sharing a writer never interleave lines.
// If the file system takes only part of a line (disk full, file size
// limit), the rest is tried once more; when that fails the file is truncated
// back to its size before the line and WriteError is thrown: the file holds
// only whole lines and the caller may retry the same message later.
//
// Flush modes (`flush:` of the stream):
//   Os        no sync of our own: every line is already in the OS at return
//             (visible to readers, survives a crash of birdgate, not of the
//             machine); fsync at rotation and close().
//   EachLine  fdatasync after every line (`flush: true`): durable per line,
//             throughput bounded by the disk's sync rate.
//   Every(N)  fdatasync when N seconds passed since the last one (`flush: N`),
//             checked at each write and by tick() for quiet streams.
// There is no user-space buffer to lose: a "flush" is always a sync. A sync
// that fails after the line was written is counted (syncErrors) and not
// thrown by write(), since a retry would duplicate the line; flush() and
// close() do throw it.
//
// When an existing file does not end in a newline (a torn line from a
// machine crash), a newline is written first so that line cannot swallow the
// next message.
#pragma once

#include "DatedPath.h"
#include "JsonlError.h"

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>

namespace birdgate::jsonl
{

class JsonlWriter
{
  public:
    using TimePoint = std::chrono::system_clock::time_point;

    class Flush
    {
      public:
        enum class Mode
        {
            Os,
            EachLine,
            Every
        };

        static Flush Os() { return Flush(Mode::Os, std::chrono::seconds(0)); }
        static Flush EachLine() { return Flush(Mode::EachLine, std::chrono::seconds(0)); }
        static Flush Every(std::chrono::seconds interval) { return Flush(Mode::Every, interval); }

        Mode mode() const { return _mode; }
        std::chrono::seconds interval() const { return _interval; }

      private:
        Flush(Mode mode, std::chrono::seconds interval) : _mode(mode), _interval(interval) {}

        Mode _mode;
        std::chrono::seconds _interval;
    };

    struct Counters
    {
        std::uint64_t lines = 0;       // messages written
        std::uint64_t bytes = 0;       // their bytes, newlines included
        std::uint64_t writeErrors = 0; // WriteError thrown (open or write)
        std::uint64_t badMessages = 0; // BadMessage thrown
        std::uint64_t filesOpened = 0;
        std::uint64_t syncs = 0; // fsync/fdatasync done
        std::uint64_t syncErrors = 0;
    };

    /// Throws std::invalid_argument for a malformed pattern (DatedPath).
    explicit JsonlWriter(const std::string& pattern, Flush flush = Flush::Os());

    /// Closes (syncs) the file; errors are counted, not thrown.
    ~JsonlWriter();

    JsonlWriter(const JsonlWriter&) = delete;
    JsonlWriter& operator=(const JsonlWriter&) = delete;

    /// Appends `message` as one line of the file named for `now`. A trailing
    /// "\r\n" (or "\n") is removed first. Throws BadMessage for an empty
    /// message or one holding a raw '\n' or '\r', WriteError when the file
    /// cannot be opened or written (nothing of the line left in the file).
    void write(std::string_view message, TimePoint now = std::chrono::system_clock::now());

    /// Every(N): syncs when due at `now`. Call periodically on quiet streams.
    void tick(TimePoint now = std::chrono::system_clock::now());

    /// Syncs the open file now. Throws WriteError when the sync fails.
    void flush();

    /// Syncs and closes the open file (a later write() opens again).
    /// Throws WriteError when the sync or close fails.
    void close();

    Counters counters() const;

    /// The open file's path; empty when none is open.
    std::string currentPath() const;

    const DatedPath& datedPath() const { return _path; }
    Flush flushMode() const { return _flush; }

  private:
    const std::string& nameFor(TimePoint now);
    void openLocked(const std::string& path, TimePoint now);
    void closeLocked();         // throws WriteError
    void syncLocked(bool full); // throws WriteError
    void appendLocked(std::string_view message);

    mutable std::mutex _mutex;
    DatedPath _path;
    Flush _flush;
    int _fd = -1;
    std::string _currentPath;
    bool _dirty = false; // lines written since the last sync
    TimePoint _lastSync;
    bool _haveCachedName = false;
    std::int64_t _cachedSecond = 0;
    std::string _cachedName;
    Counters _counters;
};

} // namespace birdgate::jsonl
