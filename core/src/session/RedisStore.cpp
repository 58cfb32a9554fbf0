// Redis backend of the Store; see RedisStore.h for the key layout, the single
// locked connection and the reconnect-once rule. Only GET, SET, DEL, AUTH and
// SELECT are used, so any Redis since 2.6.12 will do.
#include "session/RedisStore.h"

#include <Poco/Exception.h>
#include <Poco/NumberParser.h>
#include <Poco/Redis/Error.h>
#include <Poco/Redis/Type.h>
#include <Poco/Timespan.h>
#include <Poco/URI.h>

#include <stdexcept>

namespace birdgate
{

namespace
{

const Poco::Timespan TIMEOUT(5, 0);

} // namespace

RedisStore::RedisStore(const std::string& url)
{
    Poco::URI uri;
    try
    {
        uri = Poco::URI(url);
    }
    catch (const Poco::Exception&)
    {
        throw std::invalid_argument("app.store: malformed redis url; expected redis://host:port/db");
    }
    if (uri.getScheme() != "redis" || uri.getHost().empty())
        throw std::invalid_argument("app.store: malformed redis url; expected redis://host:port/db");
    _host = uri.getHost();
    _port = uri.getSpecifiedPort() ? uri.getSpecifiedPort() : 6379;

    // redis://:password@host or redis://user:password@host (Redis 6 ACL
    // users are not supported: AUTH with the password alone).
    const std::string& userInfo = uri.getUserInfo();
    const auto colon = userInfo.find(':');
    _password = colon == std::string::npos ? userInfo : userInfo.substr(colon + 1);

    std::string db = uri.getPath();
    if (!db.empty() && db.front() == '/') db.erase(0, 1);
    if (!db.empty() && (!Poco::NumberParser::tryParse(db, _db) || _db < 0))
        throw std::invalid_argument("app.store: the redis database must be a number, as in redis://host:6379/0");

    std::lock_guard<std::mutex> lock(_mutex);
    try
    {
        connect();
    }
    catch (const Poco::Exception& e)
    {
        throw std::runtime_error("RedisStore: cannot connect to redis at " + _host + ":" + std::to_string(_port) +
                                 ": " + e.displayText());
    }
}

RedisStore::~RedisStore()
{
    try
    {
        if (_client.isConnected()) _client.disconnect();
    }
    catch (...)
    {
        // Nothing to report at shutdown.
    }
}

std::string RedisStore::redisKey(const std::string& ns, const std::string& key)
{
    return "birdgate:" + ns + ":" + key;
}

void RedisStore::connect()
{
    if (_client.isConnected()) _client.disconnect();
    _client.connect(_host, _port, TIMEOUT);
    _client.setReceiveTimeout(TIMEOUT);
    auto expectOk = [this](const Poco::Redis::Array& command, const char* what) {
        const auto reply = _client.sendCommand(command);
        if (reply->type() == Poco::Redis::RedisTypeTraits<Poco::Redis::Error>::TypeId)
        {
            // Drop the half-set-up connection, or the next call would run
            // unauthenticated or on database 0.
            _client.disconnect();
            throw std::runtime_error(std::string("RedisStore: ") + what + " refused by redis at " + _host + ":" +
                                     std::to_string(_port));
        }
    };
    if (!_password.empty())
    {
        Poco::Redis::Array auth;
        auth << "AUTH" << _password;
        expectOk(auth, "AUTH");
    }
    if (_db != 0)
    {
        Poco::Redis::Array select;
        select << "SELECT" << std::to_string(_db);
        expectOk(select, "SELECT");
    }
}

Poco::Redis::RedisType::Ptr RedisStore::run(const Poco::Redis::Array& command)
{
    // Called with _mutex held. A transport failure (Redis restarted, idle
    // connection closed) is retried once on a new connection; an error reply
    // from Redis is not, it would only repeat.
    for (int attempt = 0;; ++attempt)
    {
        try
        {
            if (!_client.isConnected()) connect();
            auto reply = _client.sendCommand(command);
            if (reply->type() == Poco::Redis::RedisTypeTraits<Poco::Redis::Error>::TypeId)
            {
                const auto* error = dynamic_cast<const Poco::Redis::Type<Poco::Redis::Error>*>(reply.get());
                throw std::runtime_error("RedisStore: redis answered an error: " +
                                         (error ? error->value().getMessage() : std::string("(unknown)")));
            }
            return reply;
        }
        catch (const Poco::Exception& e)
        {
            try
            {
                _client.disconnect();
            }
            catch (...)
            {
                // The socket is being dropped anyway.
            }
            if (attempt >= 1)
                throw std::runtime_error("RedisStore: redis at " + _host + ":" + std::to_string(_port) +
                                         " failed: " + e.displayText());
        }
    }
}

std::optional<std::string> RedisStore::get(const std::string& ns, const std::string& key)
{
    Poco::Redis::Array command;
    command << "GET" << redisKey(ns, key);
    std::lock_guard<std::mutex> lock(_mutex);
    const auto reply = run(command);
    const auto* bulk = dynamic_cast<const Poco::Redis::Type<Poco::Redis::BulkString>*>(reply.get());
    if (!bulk) throw std::runtime_error("RedisStore: unexpected reply to GET");
    if (bulk->value().isNull()) return std::nullopt;
    return bulk->value().value();
}

void RedisStore::put(const std::string& ns, const std::string& key, const std::string& value, TimePoint expires)
{
    Poco::Redis::Array command;
    if (expires == NEVER)
    {
        command << "SET" << redisKey(ns, key) << value;
    }
    else
    {
        // PX (relative) rather than PXAT: it works on every Redis since 2.6.12.
        const auto ttl =
            std::chrono::duration_cast<std::chrono::milliseconds>(expires - std::chrono::system_clock::now());
        if (ttl.count() <= 0)
        {
            erase(ns, key);
            return;
        }
        command << "SET" << redisKey(ns, key) << value << "PX" << std::to_string(ttl.count());
    }
    std::lock_guard<std::mutex> lock(_mutex);
    run(command);
}

void RedisStore::erase(const std::string& ns, const std::string& key)
{
    Poco::Redis::Array command;
    command << "DEL" << redisKey(ns, key);
    std::lock_guard<std::mutex> lock(_mutex);
    run(command);
}

std::size_t RedisStore::purgeExpired()
{
    return 0;
}

} // namespace birdgate
