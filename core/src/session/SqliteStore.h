// The Store on a SQLite file through Poco::Data: the default for a single
// birdgate instance. Sessions and tokens survive restarts.
//
// The file holds OAuth tokens, so it is created 0600 before SQLite touches it
// (and tightened to 0600 if found wider); SQLite gives its -wal and -shm files
// the mode of the database. WAL lets readers run while a writer commits.
//
// One connection behind a mutex: every operation is a single indexed
// statement, so the lock is held for microseconds, and SQLite connections
// must not be used from two threads at once anyway.
#pragma once

#include "birdgate/common/ThreadAnnotations.h"
#include "birdgate/session/Store.h"

#include <Poco/Data/Session.h>

#include <mutex>
#include <string>

namespace birdgate
{

class SqliteStore : public Store
{
  public:
    /// Opens or creates the database at `path`, creating missing folders.
    /// Throws std::runtime_error when it cannot.
    explicit SqliteStore(const std::string& path);
    ~SqliteStore() override;

    SqliteStore(const SqliteStore&) = delete;
    SqliteStore& operator=(const SqliteStore&) = delete;

    std::optional<std::string> get(const std::string& ns, const std::string& key) override;
    void put(const std::string& ns, const std::string& key, const std::string& value, TimePoint expires) override;
    void erase(const std::string& ns, const std::string& key) override;
    std::size_t purgeExpired() override;

    const std::string& path() const { return _path; }

  private:
    std::string _path;
    std::mutex _mutex;
    Poco::Data::Session _session BIRDGATE_GUARDED_BY(_mutex);
};

} // namespace birdgate
