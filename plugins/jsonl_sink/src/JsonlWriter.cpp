// Append-only JSON Lines files; see JsonlWriter.h.
#include "JsonlWriter.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

namespace birdgate::jsonl
{

namespace
{
// Writes until done or an error; returns bytes written and sets `error`.
std::size_t writeAll(int fd, const char* data, std::size_t len, int& error)
{
    std::size_t done = 0;
    error = 0;
    while (done < len)
    {
        const ssize_t n = ::write(fd, data + done, len - done);
        if (n < 0)
        {
            if (errno == EINTR) continue;
            error = errno;
            break;
        }
        if (n == 0)
        {
            error = EIO; // a regular file that accepts nothing: no errno given
            break;
        }
        done += static_cast<std::size_t>(n);
    }
    return done;
}
} // namespace

JsonlWriter::JsonlWriter(const std::string& pattern, Flush flush) : _path(pattern), _flush(flush) {}

JsonlWriter::~JsonlWriter()
{
    try
    {
        close();
    }
    catch (const std::exception&)
    {
        // Counted in syncErrors/writeErrors; a destructor has no one to tell.
    }
}

const std::string& JsonlWriter::nameFor(TimePoint now)
{
    // Formatting costs a gmtime and strftime; at 200,000 lines/s the name
    // changes at most once a second, so keep the last one.
    const std::int64_t second = std::chrono::floor<std::chrono::seconds>(now).time_since_epoch().count();
    if (_path.subSecond() || !_haveCachedName || second != _cachedSecond)
    {
        _cachedName = _path.format(now);
        _cachedSecond = second;
        _haveCachedName = true;
    }
    return _cachedName;
}

void JsonlWriter::write(std::string_view message, TimePoint now)
{
    while (!message.empty() && (message.back() == '\n' || message.back() == '\r')) message.remove_suffix(1);

    std::lock_guard lock(_mutex);
    if (message.empty())
    {
        ++_counters.badMessages;
        throw BadMessage("empty message: a JSON line needs a JSON value");
    }
    if (std::memchr(message.data(), '\n', message.size()) || std::memchr(message.data(), '\r', message.size()))
    {
        ++_counters.badMessages;
        throw BadMessage("message holds a raw line break: not compact JSON, it would split the line");
    }

    const std::string& name = nameFor(now);
    if (_fd < 0 || name != _currentPath)
    {
        if (_fd >= 0)
        {
            try
            {
                closeLocked();
            }
            catch (const WriteError&)
            {
                // The old file's lines were all written; its failed sync is
                // counted and must not stop the new file (or the message
                // would be retried, and duplicated in the old file's data).
            }
        }
        openLocked(name, now);
    }

    appendLocked(message);

    switch (_flush.mode())
    {
    case Flush::Mode::Os:
        break;
    case Flush::Mode::EachLine:
        try
        {
            syncLocked(false);
        }
        catch (const WriteError&)
        {
            // Counted; see the class comment: the line is written.
        }
        break;
    case Flush::Mode::Every:
        if (now - _lastSync >= _flush.interval())
        {
            _lastSync = now;
            try
            {
                syncLocked(false);
            }
            catch (const WriteError&)
            {
            }
        }
        break;
    }
}

void JsonlWriter::appendLocked(std::string_view message)
{
    char newline = '\n';
    iovec parts[2];
    parts[0].iov_base = const_cast<char*>(message.data());
    parts[0].iov_len = message.size();
    parts[1].iov_base = &newline;
    parts[1].iov_len = 1;
    const std::size_t total = message.size() + 1;

    ssize_t n;
    do n = ::writev(_fd, parts, 2);
    while (n < 0 && errno == EINTR);

    if (n >= 0 && static_cast<std::size_t>(n) == total)
    {
        ++_counters.lines;
        _counters.bytes += total;
        _dirty = true;
        return;
    }
    if (n < 0)
    {
        const int error = errno;
        ++_counters.writeErrors;
        throw WriteError(error, "cannot append to", _currentPath);
    }

    // A short write. The rest may still fit (a signal, a quota edge); if
    // not, its errno says why, and the file goes back to its old size.
    std::size_t written = static_cast<std::size_t>(n);
    std::string line;
    line.reserve(total);
    line.append(message);
    line.push_back('\n');
    int error = 0;
    written += writeAll(_fd, line.data() + written, total - written, error);
    if (written == total)
    {
        ++_counters.lines;
        _counters.bytes += total;
        _dirty = true;
        return;
    }

    ++_counters.writeErrors;
    std::string action = "cannot append to";
    struct stat st
    {
    };
    // Nobody else appends in between: the mutex is held, and one stream
    // owns one file (the Redis lock keeps other instances off it).
    if (::fstat(_fd, &st) != 0 || st.st_size < static_cast<off_t>(written) ||
        ::ftruncate(_fd, st.st_size - static_cast<off_t>(written)) != 0)
    {
        action = "partial line left (truncate failed) after failing to append to";
    }
    throw WriteError(error, action, _currentPath);
}

void JsonlWriter::openLocked(const std::string& path, TimePoint now)
{
    const std::filesystem::path parent = std::filesystem::path(path).parent_path();
    if (!parent.empty())
    {
        std::error_code ec;
        std::filesystem::create_directories(parent, ec);
        if (ec)
        {
            ++_counters.writeErrors;
            throw WriteError(ec.value(), "cannot create the folder of", path);
        }
    }
    const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
    {
        const int error = errno;
        ++_counters.writeErrors;
        throw WriteError(error, "cannot open", path);
    }

    // A file left with a torn last line (power loss) gets its newline first:
    // the torn line stays one bad line instead of spoiling the next one too.
    // O_WRONLY cannot read, so peek through a second descriptor.
    const int reader = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (reader >= 0)
    {
        struct stat st
        {
        };
        char last = '\n';
        if (::fstat(reader, &st) == 0 && st.st_size > 0 && ::pread(reader, &last, 1, st.st_size - 1) == 1 &&
            last != '\n')
        {
            int error = 0;
            writeAll(fd, "\n", 1, error);
        }
        ::close(reader);
    }

    _fd = fd;
    _currentPath = path;
    _dirty = false;
    _lastSync = now;
    ++_counters.filesOpened;
}

void JsonlWriter::syncLocked(bool full)
{
    if (_fd < 0 || !_dirty) return;
    const int rc = full ? ::fsync(_fd) : ::fdatasync(_fd);
    if (rc != 0)
    {
        const int error = errno;
        ++_counters.syncErrors;
        throw WriteError(error, "cannot sync", _currentPath);
    }
    _dirty = false;
    ++_counters.syncs;
}

void JsonlWriter::closeLocked()
{
    if (_fd < 0) return;
    // Always close, even when the sync fails: a descriptor must not leak,
    // and reopening later appends after whatever the kernel kept.
    int syncError = 0;
    try
    {
        _dirty = true; // close always fsyncs, metadata included
        syncLocked(true);
    }
    catch (const WriteError& e)
    {
        syncError = e.errorCode();
    }
    const int fd = _fd;
    const std::string path = _currentPath;
    _fd = -1;
    _currentPath.clear();
    if (::close(fd) != 0 && syncError == 0)
    {
        const int error = errno;
        ++_counters.syncErrors;
        throw WriteError(error, "cannot close", path);
    }
    if (syncError != 0) throw WriteError(syncError, "cannot sync", path);
}

void JsonlWriter::tick(TimePoint now)
{
    std::lock_guard lock(_mutex);
    if (_flush.mode() == Flush::Mode::Every && _dirty && now - _lastSync >= _flush.interval())
    {
        _lastSync = now;
        syncLocked(false);
    }
}

void JsonlWriter::flush()
{
    std::lock_guard lock(_mutex);
    syncLocked(true);
}

void JsonlWriter::close()
{
    std::lock_guard lock(_mutex);
    closeLocked();
}

JsonlWriter::Counters JsonlWriter::counters() const
{
    std::lock_guard lock(_mutex);
    return _counters;
}

std::string JsonlWriter::currentPath() const
{
    std::lock_guard lock(_mutex);
    return _currentPath;
}

} // namespace birdgate::jsonl
