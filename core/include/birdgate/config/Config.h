// The YAML configuration (DESIGN.md 2), Gramex-compatible.
//
// Config::load reads the main file and its `import:`s with yaml-cpp,
// substitutes $YAMLPATH, $YAMLURL, $NAME, ${NAME} and ${NAME:-default} in
// every scalar, checks the `app:` section against its table, and keeps `url:`
// and `schedule:` entries (with their file and line) for the handlers to
// validate their own kwargs. Any error throws ConfigError naming file, line,
// key and what was expected; unknown keys become warnings.
#pragma once

#include <yaml-cpp/yaml.h>

#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace birdgate
{

class ConfigError : public std::runtime_error
{
  public:
    /// line is 1-based; 0 when unknown.
    ConfigError(const std::string& file, int line, const std::string& key, const std::string& expected);

    const std::string& file() const { return _file; }
    int line() const { return _line; }
    const std::string& key() const { return _key; }
    const std::string& expected() const { return _expected; }

  private:
    std::string _file;
    int _line;
    std::string _key;
    std::string _expected;
};

/// Where a YAML node came from, for error messages.
struct Origin
{
    std::string file;     // path of the YAML file
    std::string yamlPath; // its folder ($YAMLPATH)
    std::string yamlUrl;  // $YAMLURL
};

struct AppConfig
{
    std::string host = "127.0.0.1";
    int port = 9988;
    std::string tlsCert;                      // listen.tls.cert: PEM; empty: plain HTTP
    std::string tlsKey;                       // listen.tls.key
    int threads = 0;                          // I/O threads; 0: one per core
    int workers = 0;                          // blocking-work threads; 0: 4 per core, at least 8
    int maxConnections = 10000;               // client connections open at once
    int queue = 1024;                         // listen backlog
    int headerTimeout = 10;                   // seconds for a whole request head
    int keepaliveTimeout = 5;                 // seconds an idle keep-alive connection is kept
    int sendTimeout = 30;                     // seconds a client may take to read an answer
    long long maxAnswer = 64LL * 1024 * 1024; // upstream answers held whole above this: 502
    std::string secret;                       // empty: tokens stored unencrypted (warned)
    std::string store;                        // "" means sqlite:<main YAMLPATH>/birdgate.db
    std::vector<std::string> plugins;         // folders searched for <name>.so
    std::string publicUrl;                    // "" : callback URLs from the request
    std::vector<std::string> trustedProxies;  // whose X-Forwarded-* are believed
    std::string apiRoot = "https://api.x.com";
    std::string webRoot = "https://x.com"; // OAuth 2.0 authorize page
    std::string streamRoot = "https://api.x.com";
    long long maxBody = 5 * 1024 * 1024; // request bodies above this get 413
    int transformThreads = 0;            // 0: number of cores
    long long cacheSize = 64LL * 1024 * 1024;
    long long sessionExpiry = 30LL * 24 * 3600; // seconds
    std::string accessLog;                      // "" off, "-" stderr, else a file path
    std::string accessLogFormat = "text";       // text | json
    std::string adminHost = "127.0.0.1";        // admin listener (/healthz /readyz /metrics)
    int adminPort = -1;                         // -1: no admin listener; 0: any free port
    int drain = 10;                             // seconds in-flight requests get at SIGTERM
    std::string logPath = "-";                  // - stderr, syslog, or a file
    std::string logLevel = "information";
    std::string logRotation = "never"; // Poco FileChannel rotation: never, 10 M, daily, ...
    YAML::Node raw;                    // the whole app: node, for later sections
};

// ---- The app: table --------------------------------------------------------
//
// Every `app:` key is one row: parsing, validation, defaults and documentation
// all come from here (the redis.conf way), so a new key is one new row.

enum class AppSettingType
{
    String,
    Int,        // decimal integer within [min, max]
    Bytes,      // integer or 5MB / 64KB / 1GB (powers of 1024), within [min, max]
    StringList, // a YAML list of strings, or one string
    Url,        // http:// or https:// URL; trailing '/' removed
    Store,      // sqlite:<path> or redis://host:port/db
    LogLevel    // fatal critical error warning notice information debug trace
};

/// The AppConfig member a row fills.
using AppField = std::variant<std::string AppConfig::*, int AppConfig::*, long long AppConfig::*,
                              std::vector<std::string> AppConfig::*>;

struct AppSetting
{
    const char* name; // dotted path under app:, e.g. "listen.port"
    AppSettingType type;
    const char* defaultValue; // YAML text; $YAMLPATH etc. are those of the main file
    const char* description;
    AppField field;
    long long min = 0; // Int and Bytes only
    long long max = 0;
};

/// The rows, in documentation order.
std::span<const AppSetting> appSettings();

/// One `url:` entry.
///
/// Careful with the YAML::Node members: yaml-cpp's Node::operator= writes
/// through to the node it refers to (and to every alias of it), so copy
/// entries by construction, rebind a Node with reset(), and sort pointers or
/// indices rather than the entries themselves.
struct UrlEntry
{
    std::string name;
    std::string pattern; // normalised, not yet anchored
    std::string handler; // a name in the Gateway's handler table (server/HandlerTable.h)
    int priority = 0;
    size_t order = 0;  // position across all files (ties keep file order)
    YAML::Node kwargs; // may be Null
    YAML::Node cache;  // may be Null
    Origin origin;
    int line = 0;
    int handlerLine = 0;       // of `handler:`, for errors the Gateway reports
    bool authRequired = false; // `auth: true` (or a map with login_url): logged-in sessions only
    std::string authLoginUrl;  // `auth: {login_url: ...}`: where others are sent (302, ?next=)
};

/// The handler names a `url:` entry may use, in the order messages list them.
/// They come from the Gateway's handler table (server/HandlerTable.h): the
/// table names the sandbox, whose library sits above birdgate_core, so
/// config is handed the names rather than knowing them.
using HandlerNames = std::span<const std::string_view>;

/// One `schedule:` entry.
struct ScheduleEntry
{
    std::string name;
    std::string function;
    YAML::Node kwargs;
    bool startup = false;
    bool thread = false;
    Origin origin;
    int line = 0;
};

struct Config
{
    std::string mainFile;
    AppConfig app;
    std::vector<UrlEntry> urls;
    std::vector<ScheduleEntry> schedules;
    std::vector<std::string> warnings; // "file:line: unknown key 'x' in app (ignored)", unset
                                       // variables, duplicate keys, replaced entries

    /// Reads and validates `path`; throws ConfigError. The app: settings are
    /// all filled (table defaults included); `urls` keep file order with
    /// imports first, `order` set to the index. Every url.NAME.handler must
    /// be one of `handlers` (birdgate::handlerNames()).
    static Config load(const std::string& path, HandlerNames handlers);
    /// The same from text (for tests); `virtualPath` names it in errors and
    /// gives $YAMLPATH and the folder relative imports are read from. With no
    /// `handlers`, any handler name passes here and the Gateway rejects the
    /// unknown ones (with the same message) when it builds the endpoints.
    static Config loadString(const std::string& yaml, const std::string& virtualPath, HandlerNames handlers = {});
};

/// What url.NAME.handler must be, for its ConfigError:
/// "one of A, B, C (found 'x')" (or "a handler name (found ...)" when `names`
/// is empty). The loader and the Gateway both say it through this.
std::string expectedHandler(HandlerNames names, const YAML::Node& found);

/// Collapses `//` and `/./` in a URL pattern (DESIGN.md 2).
std::string normalisePattern(const std::string& pattern);

} // namespace birdgate
