// The `app:` table: one row per key, the single source for parsing,
// validation, defaults and documentation of the server-wide settings (the way
// redis.conf's table drives Redis). ConfigLoader reads rows; a tool printing
// the table prints the reference. Keep the defaults in step with AppConfig's
// member initialisers (ConfigTest checks that they agree).
#include "birdgate/config/Config.h"

namespace birdgate
{
namespace
{
using T = AppSettingType;

const AppSetting SETTINGS[] = {
    {"listen.host", T::String, "127.0.0.1", "address to listen on; 0.0.0.0 for every interface",
     &AppConfig::host},
    {"listen.port", T::Int, "9988", "TCP port; 0 picks a free one", &AppConfig::port, 0, 65535},
    {"threads", T::Int, "128", "connections served at once", &AppConfig::threads, 1, 10000},
    {"queue", T::Int, "256", "accepted connections waiting for a thread", &AppConfig::queue, 1, 1000000},
    {"secret", T::String, "", "signs cookies and encrypts stored tokens; empty: stored unencrypted",
     &AppConfig::secret},
    {"store", T::Store, "sqlite:$YAMLPATH/birdgate.db",
     "tokens and sessions: sqlite:<path> or redis://host:port/db", &AppConfig::store},
    {"plugins", T::StringList, "$YAMLPATH/plugins", "folders searched for <name>.so plugins",
     &AppConfig::plugins},
    {"twitter.api_root", T::Url, "https://api.twitter.com", "REST API root (no /1.1)", &AppConfig::apiRoot},
    {"twitter.stream_root", T::Url, "https://stream.twitter.com", "streaming API root",
     &AppConfig::streamRoot},
    {"max_body", T::Bytes, "5MB", "request bodies above this get 413", &AppConfig::maxBody, 0,
     1LL << 40},
    {"transform_threads", T::Int, "0", "threads running transforms; 0: one per core",
     &AppConfig::transformThreads, 0, 1024},
    {"cache.size", T::Bytes, "64MB", "bytes the in-process answer cache may hold (LRU)",
     &AppConfig::cacheSize, 0, 1LL << 50},
    {"session.expiry", T::Int, "2592000", "seconds a login session lasts (30 days)",
     &AppConfig::sessionExpiry, 1, 100LL * 365 * 24 * 3600},
    {"access_log", T::String, "", "access log: empty off, - stderr, else a file path", &AppConfig::accessLog},
    // A key another part of birdgate reads from AppConfig::raw needs a row too,
    // or it is reported as unknown.
};
} // namespace

std::span<const AppSetting> appSettings()
{
    return SETTINGS;
}

} // namespace birdgate
