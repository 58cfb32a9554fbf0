// The Store on Redis, for several birdgate instances sharing sessions and
// persisted tokens. Keys are `birdgate:<ns>:<key>`; Redis expires them itself
// (SET ... PX), so purgeExpired() has nothing to do.
//
// One connection behind a mutex: a GET or SET on loopback or a LAN takes well
// under a millisecond, less than the Twitter call it guards. A broken
// connection (Redis restarted, idle timeout) is reopened once per call, which
// is safe because every command used here is idempotent.
#pragma once

#include "birdgate/common/ThreadAnnotations.h"
#include "birdgate/session/Store.h"

#include <Poco/Redis/Array.h>
#include <Poco/Redis/Client.h>

#include <mutex>
#include <string>

namespace birdgate
{

class RedisStore : public Store
{
  public:
    /// Connects to `url` = redis://[:password@]host[:port][/db] (port 6379,
    /// db 0 by default). Throws std::invalid_argument for a malformed url,
    /// std::runtime_error when Redis cannot be reached.
    explicit RedisStore(const std::string& url);
    ~RedisStore() override;

    RedisStore(const RedisStore&) = delete;
    RedisStore& operator=(const RedisStore&) = delete;

    std::optional<std::string> get(const std::string& ns, const std::string& key) override;
    void put(const std::string& ns, const std::string& key, const std::string& value, TimePoint expires) override;
    void erase(const std::string& ns, const std::string& key) override;
    std::size_t purgeExpired() override;

    /// The Redis key that holds (ns, key).
    static std::string redisKey(const std::string& ns, const std::string& key);

  private:
    void connect() BIRDGATE_REQUIRES(_mutex);
    Poco::Redis::RedisType::Ptr run(const Poco::Redis::Array& command) BIRDGATE_REQUIRES(_mutex);

    std::string _host;
    int _port = 6379;
    int _db = 0;
    std::string _password;
    std::mutex _mutex;
    Poco::Redis::Client _client BIRDGATE_GUARDED_BY(_mutex);
};

} // namespace birdgate
