// SQLite backend of the Store: one table keyed by (ns, key), expiry as Unix
// milliseconds so "expired" is one integer comparison the index answers.
// See SqliteStore.h for the file mode and locking choices.
#include "session/SqliteStore.h"

#include <Poco/Data/LOB.h>
#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Statement.h>
#include <Poco/Exception.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <limits>
#include <stdexcept>
#include <vector>

#ifndef _WIN32
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

using namespace Poco::Data::Keywords;

namespace birdgate
{

namespace
{

Poco::Int64 toMillis(Store::TimePoint t)
{
    if (t == Store::NEVER) return std::numeric_limits<Poco::Int64>::max();
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

Poco::Int64 nowMillis()
{
    return toMillis(std::chrono::system_clock::now());
}

// The file must exist with mode 0600 before SQLite opens it: SQLite would
// create it with the umask (often 0644, readable by every local user), and
// its -wal/-shm files copy the database's mode.
void prepareFile(const std::string& path)
{
    const std::filesystem::path file(path);
    if (file.has_parent_path())
    {
        std::error_code ec;
        std::filesystem::create_directories(file.parent_path(), ec);
        if (ec) throw std::runtime_error("SqliteStore: cannot create the folder of " + path + ": " + ec.message());
    }
#ifndef _WIN32
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) throw std::runtime_error("SqliteStore: cannot create " + path + ": " + std::strerror(errno));
    struct stat st
    {
    };
    // Any access for group or others is too much; the owner needs read and write.
    if (::fstat(fd, &st) == 0 && (st.st_mode & 0077) != 0 && ::fchmod(fd, 0600) != 0)
    {
        const int err = errno;
        ::close(fd);
        throw std::runtime_error("SqliteStore: cannot restrict " + path + " to mode 0600: " + std::strerror(err));
    }
    ::close(fd);
#endif
}

Poco::Data::Session openSession(const std::string& path)
{
    static std::once_flag registered;
    std::call_once(registered, [] { Poco::Data::SQLite::Connector::registerConnector(); });
    prepareFile(path);
    try
    {
        Poco::Data::Session session("SQLite", path);
        std::string mode;
        session << "PRAGMA journal_mode=WAL", into(mode), now;
        int timeout = 0;
        // Another process (a second birdgate on the same file, the sqlite3
        // shell) may hold the write lock for a moment: wait rather than fail.
        session << "PRAGMA busy_timeout=5000", into(timeout), now;
        // With WAL, NORMAL survives an application crash; only a power loss
        // may drop the last commits, and a session is cheap to redo.
        session << "PRAGMA synchronous=NORMAL", now;
        session << "CREATE TABLE IF NOT EXISTS birdgate_store ("
                   "ns TEXT NOT NULL, key TEXT NOT NULL, value BLOB NOT NULL, expires INTEGER NOT NULL, "
                   "PRIMARY KEY (ns, key))",
            now;
        session << "CREATE INDEX IF NOT EXISTS birdgate_store_expires ON birdgate_store (expires)", now;
        return session;
    }
    catch (const Poco::Exception& e)
    {
        throw std::runtime_error("SqliteStore: cannot open " + path + ": " + e.displayText());
    }
}

[[noreturn]] void rethrow(const char* what, const Poco::Exception& e)
{
    // displayText() carries SQLite's message, never a bound value.
    throw std::runtime_error(std::string("SqliteStore: ") + what + " failed: " + e.displayText());
}

} // namespace

SqliteStore::SqliteStore(const std::string& path) : _path(path), _session(openSession(path)) {}

SqliteStore::~SqliteStore()
{
    try
    {
        _session.close();
    }
    catch (...)
    {
        // Closing at shutdown has nothing useful to report.
    }
}

std::optional<std::string> SqliteStore::get(const std::string& ns, const std::string& key)
{
    std::vector<Poco::Data::BLOB> rows;
    const Poco::Int64 nowMs = nowMillis();
    std::lock_guard<std::mutex> lock(_mutex);
    try
    {
        _session << "SELECT value FROM birdgate_store WHERE ns = ? AND key = ? AND expires > ?", into(rows), bind(ns),
            bind(key), bind(nowMs), now;
    }
    catch (const Poco::Exception& e)
    {
        rethrow("get", e);
    }
    if (rows.empty()) return std::nullopt;
    const auto& content = rows.front().content();
    return std::string(reinterpret_cast<const char*>(content.data()), content.size());
}

void SqliteStore::put(const std::string& ns, const std::string& key, const std::string& value, TimePoint expires)
{
    Poco::Data::BLOB blob(reinterpret_cast<const unsigned char*>(value.data()), value.size());
    const Poco::Int64 expiresMs = toMillis(expires);
    std::lock_guard<std::mutex> lock(_mutex);
    try
    {
        // Poco binds an empty BLOB as NULL; an empty value is spelled out instead.
        if (value.empty())
            _session << "INSERT OR REPLACE INTO birdgate_store (ns, key, value, expires) VALUES (?, ?, X'', ?)",
                bind(ns), bind(key), bind(expiresMs), now;
        else
            _session << "INSERT OR REPLACE INTO birdgate_store (ns, key, value, expires) VALUES (?, ?, ?, ?)", bind(ns),
                bind(key), use(blob), bind(expiresMs), now;
    }
    catch (const Poco::Exception& e)
    {
        rethrow("put", e);
    }
}

void SqliteStore::erase(const std::string& ns, const std::string& key)
{
    std::lock_guard<std::mutex> lock(_mutex);
    try
    {
        _session << "DELETE FROM birdgate_store WHERE ns = ? AND key = ?", bind(ns), bind(key), now;
    }
    catch (const Poco::Exception& e)
    {
        rethrow("erase", e);
    }
}

std::size_t SqliteStore::purgeExpired()
{
    const Poco::Int64 nowMs = nowMillis();
    std::lock_guard<std::mutex> lock(_mutex);
    try
    {
        Poco::Data::Statement statement(_session);
        statement << "DELETE FROM birdgate_store WHERE expires <= ?", bind(nowMs);
        return statement.execute();
    }
    catch (const Poco::Exception& e)
    {
        rethrow("purgeExpired", e);
    }
}

} // namespace birdgate
