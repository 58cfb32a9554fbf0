// RestConfig: the immutable configuration of one `handler: TwitterRESTHandler`
// url entry (DESIGN.md 2, 3), built once from its kwargs and `cache:` and
// shared by every request. The kwargs table (KwargSpec) is declared next to
// the parsing it drives and is also the source of etc/birdgate.yaml's
// comments; every check of a value happens here, at start-up, so a request
// never meets a bad setting. Envoy's filter config, nginx's _conf_t.
#pragma once

#include "birdgate/config/Config.h"
#include "birdgate/config/Kwargs.h"
#include "birdgate/login/RedirectPolicy.h"
#include "birdgate/twitter/OAuth1.h"
#include "birdgate/twitter/Upstream.h"
#include "rest/RestRequest.h"
#include "rest/TokenSource.h"

#include <Poco/Timespan.h>

#include <memory>
#include <set>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace birdgate
{

struct Services;
class TransformChain;

/// How the url's requests to X are authorised (DESIGN.md 3.8): one kind per url.
enum class AuthKind
{
    OAuth1, // key/secret + a literal, persisted or session user token
    Bearer, // bearer: <token> | app (app-only)
    OAuth2  // client_id: OAuth 2.0 user tokens (PKCE login)
};

struct RestConfig
{
    /// Reads `entry` (kwargs and cache); throws ConfigError naming the key.
    RestConfig(const UrlEntry& entry, const Services& services);
    ~RestConfig();

    /// The kwargs table.
    static std::span<const KwargSpec> kwargSpec();

    std::string name; // the url entry's name
    AuthKind kind = AuthKind::OAuth1;
    std::string bearer;       // AuthKind::Bearer: the literal token, or "app" (client credentials)
    std::string clientId;     // AuthKind::OAuth2
    std::string clientSecret; // empty: a public client
    std::string scope;        // space-separated
    std::string webRoot;      // app.twitter.web_root: the authorize page
    std::string consumerKey;
    std::string consumerSecret;
    TokenSource::Mode tokenMode = TokenSource::Mode::Session;
    TokenSource::Token literal; // Mode::Literal only
    oauth1::SignatureMethod signatureMethod = oauth1::SignatureMethod::HmacSha1;
    std::string fixedPath; // kwargs.path, already confined
    bool hasFixedPath = false;
    std::set<std::string> methods; // GET implies HEAD
    std::string allowHeader;       // the methods, for 405's Allow
    UpstreamMethodMode mode = UpstreamMethodMode::Auto;
    std::string endpoint; // e.g. https://api.twitter.com/1.1/ (always ends in /)
    UpstreamTarget target;
    std::string endpointPath; // path part of endpoint, e.g. /1.1/
    bool inferVersion = true; // no `endpoint:`: `2/...` and `1.1/...` paths go under apiRoot (DESIGN 3.1)
    std::string apiRoot;      // e.g. https://api.twitter.com (login URLs derive from it)
    UpstreamTarget apiRootTarget;
    std::string apiRootPath;   // path part of apiRoot without trailing '/', e.g. "" or "/sandbox"
    bool authenticate = false; // login: authenticate
    RedirectPolicy redirect;
    bool xsrf = true;
    std::vector<std::pair<std::string, std::string>> headers; // added to every answer
    Poco::Timespan timeout;
    long long maxBody = 0;
    std::shared_ptr<const TransformChain> transforms; // null: none
    long long cacheSeconds = 0;                       // 0: not cached

    /// The upstream path of an API path: `endpoint` + path when `endpoint:` is
    /// given (Gramex); else a path that names its version (`2/...`, `1.1/...`)
    /// goes under apiRoot as written and any other under apiRoot + `/1.1/`.
    std::string upstreamPath(const std::string& apiPath) const;

  private:
    /// bearer / client_id / key+secret: which kind, its keys, the mixes refused.
    void readAuthKind(const Kwargs& kw);
};

} // namespace birdgate
