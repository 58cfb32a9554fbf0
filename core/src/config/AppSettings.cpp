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
    {"listen.host", T::String, "127.0.0.1", "address to listen on; 0.0.0.0 for every interface", &AppConfig::host},
    {"listen.port", T::Int, "9988", "TCP port; 0 picks a free one", &AppConfig::port, 0, 65535},
    {"listen.tls.cert", T::String, "", "PEM certificate (chain) file: serve HTTPS (TLS 1.2+); empty: HTTP",
     &AppConfig::tlsCert},
    {"listen.tls.key", T::String, "", "PEM private key file of listen.tls.cert", &AppConfig::tlsKey},
    {"threads", T::Int, "0", "I/O threads serving every connection; 0: one per core", &AppConfig::threads, 0, 10000},
    {"workers", T::Int, "0", "threads for blocking work (store, plugins, files); 0: 4 per core, at least 8",
     &AppConfig::workers, 0, 1024},
    {"max_connections", T::Int, "10000", "client connections open at once; more wait in the accept queue",
     &AppConfig::maxConnections, 1, 10000000},
    {"queue", T::Int, "1024", "listen backlog: connections waiting to be accepted", &AppConfig::queue, 1, 1000000},
    {"header_timeout", T::Int, "10", "seconds a client has to send a whole request head (408 after)",
     &AppConfig::headerTimeout, 1, 3600},
    {"keepalive_timeout", T::Int, "5", "seconds an idle keep-alive connection is kept", &AppConfig::keepaliveTimeout, 1,
     3600},
    {"send_timeout", T::Int, "30", "seconds a client may take to read an answer before it is closed",
     &AppConfig::sendTimeout, 1, 3600},
    {"max_answer", T::Bytes, "64MB", "largest upstream answer held whole (cached or transformed); 502 above",
     &AppConfig::maxAnswer, 1024, 1LL << 40},
    {"secret", T::String, "", "signs cookies and encrypts stored tokens; empty: stored unencrypted",
     &AppConfig::secret},
    {"store", T::Store, "sqlite:$YAMLPATH/birdgate.db", "tokens and sessions: sqlite:<path> or redis://host:port/db",
     &AppConfig::store},
    {"plugins", T::StringList, "$YAMLPATH/plugins", "folders searched for <name>.so plugins", &AppConfig::plugins},
    {"public_url", T::Url, "",
     "how browsers reach birdgate (scheme, host, any path prefix): login callbacks and OAuth 2.0 redirect_uri; "
     "empty: from the request",
     &AppConfig::publicUrl},
    {"trusted_proxies", T::StringList, "",
     "addresses whose X-Forwarded-Proto/-Host are believed when building login callback URLs",
     &AppConfig::trustedProxies},
    {"twitter.api_root", T::Url, "https://api.x.com", "REST API root (no /1.1; https://api.twitter.com also works)",
     &AppConfig::apiRoot},
    {"twitter.web_root", T::Url, "https://x.com", "where users authorise apps (OAuth 2.0 /i/oauth2/authorize)",
     &AppConfig::webRoot},
    {"twitter.stream_root", T::Url, "https://api.x.com", "streaming API root (X API v2 stream and its rules)",
     &AppConfig::streamRoot},
    {"max_body", T::Bytes, "5MB", "request bodies above this get 413", &AppConfig::maxBody, 0, 1LL << 40},
    {"transform_threads", T::Int, "0", "threads running transforms; 0: one per core", &AppConfig::transformThreads, 0,
     1024},
    {"cache.size", T::Bytes, "64MB", "bytes the in-process answer cache may hold (LRU)", &AppConfig::cacheSize, 0,
     1LL << 50},
    {"session.expiry", T::Int, "2592000", "seconds a login session lasts (30 days)", &AppConfig::sessionExpiry, 1,
     100LL * 365 * 24 * 3600},
    {"access_log", T::String, "", "access log: empty off, - stderr, else a file path", &AppConfig::accessLog},
    {"access_log_format", T::String, "text", "access log lines: text, or json (one JSON object per line)",
     &AppConfig::accessLogFormat},
    {"admin.host", T::String, "127.0.0.1",
     "admin listener address (/healthz /readyz /metrics); keep it off the public network", &AppConfig::adminHost},
    {"admin.port", T::Int, "-1", "admin listener port; -1: no admin listener; 0: a free one", &AppConfig::adminPort, -1,
     65535},
    {"drain", T::Int, "10", "seconds requests in flight get to finish at SIGTERM/SIGINT", &AppConfig::drain, 0, 3600},
    {"log.path", T::String, "-", "birdgate's own log: - stderr, syslog, or a file (reopened on SIGUSR1)",
     &AppConfig::logPath},
    {"log.level", T::LogLevel, "information", "least severe level logged: error, warning, information, debug...",
     &AppConfig::logLevel},
    {"log.rotation", T::String, "never",
     "rotation of a log file by birdgate itself (Poco: never, 10 M, daily, ...); never: leave it to logrotate",
     &AppConfig::logRotation},
    // A key another part of birdgate reads from AppConfig::raw needs a row too,
    // or it is reported as unknown.
};
} // namespace

std::span<const AppSetting> appSettings()
{
    return SETTINGS;
}

} // namespace birdgate
