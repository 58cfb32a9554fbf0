// RestConfig; see RestConfig.h. The kwargs table first, then the constructor
// that reads it, in the order of the table.
#include "rest/RestConfig.h"

#include "birdgate/plugin/TransformChain.h"
#include "birdgate/server/Services.h"
#include "rest/ApiPath.h"

#include <Poco/String.h>

#include <array>
#include <stdexcept>

namespace birdgate
{
namespace
{
const std::array<KwargSpec, 21> SPEC = {{
    {"key", KwargType::String, nullptr, "consumer (API) key of the app (OAuth 1.0a, and bearer: app)"},
    {"secret", KwargType::String, nullptr, "consumer (API) secret of the app (OAuth 1.0a, and bearer: app)"},
    {"bearer", KwargType::String, nullptr,
     "app-only auth: a bearer token used as written, or `app` (fetched from key/secret)"},
    {"client_id", KwargType::String, nullptr, "OAuth 2.0 user login (PKCE): the app's client ID"},
    {"client_secret", KwargType::String, nullptr,
     "OAuth 2.0 client secret (confidential client); omit for a public one"},
    {"scope", KwargType::StringList, "tweet.read, users.read, offline.access",
     "OAuth 2.0 scopes (a list, or space-separated); offline.access gives refresh tokens"},
    {"access_key", KwargType::String, nullptr, "user token: a literal value, `persist`, or absent (the session's)"},
    {"access_secret", KwargType::String, nullptr, "user token secret: literal, `persist`, or absent"},
    {"path", KwargType::String, nullptr, "fixed API path used instead of the pattern's first group"},
    {"methods", KwargType::StringList, "GET, POST", "client methods allowed; others get 405"},
    {"upstream_method", KwargType::String, "auto", "auto | GET | POST | same: the method sent to Twitter"},
    {"endpoint", KwargType::String, nullptr,
     "upstream base URL, used as written; absent: 2/... and 1.1/... paths go to {api_root}/, others to "
     "{api_root}/1.1/"},
    {"api_root", KwargType::String, nullptr,
     "Twitter API root for this url (login URLs too); default app.twitter.api_root"},
    {"headers", KwargType::Map, nullptr, "headers added to every answer of this url"},
    {"timeout", KwargType::Number, "20", "seconds to wait for the upstream (connect, and each read)"},
    {"max_body", KwargType::Int, nullptr, "largest request body in bytes; default app.max_body"},
    {"signature_method", KwargType::String, "HMAC-SHA1", "HMAC-SHA1 or HMAC-SHA256"},
    {"redirect", KwargType::Map, nullptr, "after login: {query: next, header: Referer, url: /, external: false}"},
    {"login", KwargType::String, "authorize", "authorize | authenticate: which Twitter page signs users in"},
    {"xsrf_cookies", KwargType::Bool, "true", "check the xsrf cookie on POST/PUT/PATCH/DELETE"},
    {"transform", KwargType::Map, nullptr, "transforms run on 200 answers: {name: {function: plugin.export}}"},
}};

UpstreamTarget targetOf(const Kwargs& kw, const std::string& key, const std::string& url, std::string& path)
{
    auto target = parseUpstreamUrl(url, path);
    if (!target) kw.fail(key, "an http:// or https:// URL without a query (got '" + url + "')");
    return *target;
}
} // namespace

std::span<const KwargSpec> RestConfig::kwargSpec()
{
    return SPEC;
}

RestConfig::RestConfig(const UrlEntry& entry, const Services& services) : name(entry.name)
{
    Kwargs kw(entry.kwargs, entry.origin, entry.line, "url." + entry.name + ".kwargs", SPEC, services.warnings);
    const AppConfig& app = services.config->app;

    readAuthKind(kw);
    try
    {
        signatureMethod = oauth1::parseSignatureMethod(kw.str("signature_method"));
    }
    catch (const std::invalid_argument&)
    {
        kw.fail("signature_method", "HMAC-SHA1 or HMAC-SHA256");
    }

    if (auto path = kw.optStr("path"))
    {
        std::string why;
        if (!ApiPath::confine(*path, fixedPath, why) || fixedPath.empty())
            kw.fail("path", "a relative Twitter API path such as search/tweets.json (" +
                                (why.empty() ? std::string("empty") : why) + ")");
        hasFixedPath = true;
    }

    try
    {
        methods = RestRequest::parseMethods(kw.list("methods"));
    }
    catch (const std::invalid_argument& e)
    {
        kw.fail("methods", e.what());
    }
    if (methods.empty()) kw.fail("methods", "at least one HTTP method");
    if (methods.count("GET")) methods.insert("HEAD");
    for (const auto& m : methods) allowHeader += (allowHeader.empty() ? "" : ", ") + m;

    try
    {
        mode = RestRequest::parseMode(kw.str("upstream_method"));
    }
    catch (const std::invalid_argument& e)
    {
        kw.fail("upstream_method", e.what());
    }

    webRoot = app.webRoot;
    apiRoot = kw.optStr("api_root").value_or(app.apiRoot);
    while (!apiRoot.empty() && apiRoot.back() == '/') apiRoot.pop_back();
    apiRootTarget = targetOf(kw, kw.has("api_root") ? "api_root" : "endpoint", apiRoot, apiRootPath);
    while (!apiRootPath.empty() && apiRootPath.back() == '/') apiRootPath.pop_back();
    inferVersion = !kw.has("endpoint");
    endpoint = kw.optStr("endpoint").value_or(apiRoot + "/1.1/");
    if (endpoint.empty() || endpoint.back() != '/') endpoint.push_back('/');
    target = targetOf(kw, kw.has("endpoint") ? "endpoint" : "api_root", endpoint, endpointPath);
    if (endpointPath.empty() || endpointPath.back() != '/') endpointPath.push_back('/');

    headers = kw.stringPairs("headers");

    double timeoutSeconds = kw.number("timeout");
    if (timeoutSeconds <= 0 || timeoutSeconds > 3600) kw.fail("timeout", "seconds, more than 0 and at most 3600");
    timeout = Poco::Timespan(static_cast<Poco::Timespan::TimeDiff>(timeoutSeconds * 1e6));
    maxBody = kw.has("max_body") ? kw.integer("max_body") : app.maxBody;
    if (maxBody < 0) kw.fail("max_body", "a size in bytes, 0 or more");

    std::string login = Poco::toLower(kw.str("login"));
    if (login != "authorize" && login != "authenticate") kw.fail("login", "authorize or authenticate");
    authenticate = login == "authenticate";
    xsrf = kw.boolean("xsrf_cookies");

    if (YAML::Node given = kw.node("redirect"); given && given.IsMap())
    {
        redirect.clearSources();
        for (const auto& item : given)
        {
            std::string k = item.first.as<std::string>();
            if (!item.second.IsScalar()) kw.fail("redirect", "a map of query/header/url/external to strings");
            std::string v = item.second.as<std::string>();
            if (k == "query")
                redirect.add(RedirectPolicy::Source::Query, v);
            else if (k == "header")
                redirect.add(RedirectPolicy::Source::Header, v);
            else if (k == "url")
                redirect.add(RedirectPolicy::Source::Url, v);
            else if (k == "external")
            {
                std::string b = Poco::toLower(v);
                if (b != "true" && b != "false" && b != "yes" && b != "no")
                    kw.fail("redirect", "external: true or false");
                redirect.setExternal(b == "true" || b == "yes");
            }
            else
                kw.fail("redirect", "only the keys query, header, url and external (got '" + k + "')");
        }
    }
    if (tokenMode != TokenSource::Mode::Literal && (!services.store || !services.sessions))
        kw.fail("access_key", "a store for sessions and persisted tokens (app.store)");

    if (YAML::Node transform = kw.node("transform"); transform && !transform.IsNull())
        transforms = std::make_shared<const TransformChain>(transform, entry.origin, kw.context() + ".transform",
                                                            *services.plugins, services.transforms);

    // cache: {duration: N}, or Gramex's cache: {expiry: {duration: N}}.
    if (entry.cache && !entry.cache.IsNull())
    {
        const std::string key = "url." + name + ".cache";
        auto line = [](const YAML::Node& n) { return n.Mark().line >= 0 ? n.Mark().line + 1 : 0; };
        if (!entry.cache.IsMap()) throw ConfigError(entry.origin.file, line(entry.cache), key, "{duration: seconds}");

        // Const access and reset(): yaml-cpp's operator[] and operator= on a
        // non-const Node would write into the config tree.
        const YAML::Node& cache = entry.cache;
        YAML::Node duration;
        if (cache["duration"])
            duration.reset(cache["duration"]);
        else if (cache["expiry"] && cache["expiry"].IsMap() && cache["expiry"]["duration"])
            duration.reset(cache["expiry"]["duration"]);
        for (const auto& item : cache)
        {
            std::string k = item.first.Scalar();
            if (k != "duration" && k != "expiry" && services.warnings)
                services.warnings->push_back(entry.origin.file + ":" + std::to_string(line(item.first)) +
                                             ": unknown key '" + k + "' in " + key + " (ignored)");
        }
        long long seconds = -1;
        if (duration && duration.IsScalar())
        {
            try
            {
                size_t used = 0;
                seconds = std::stoll(duration.Scalar(), &used);
                if (used != duration.Scalar().size()) seconds = -1;
            }
            catch (const std::exception&)
            {
                seconds = -1;
            }
        }
        if (seconds <= 0 || seconds > 365LL * 24 * 3600)
            throw ConfigError(entry.origin.file, line(duration ? duration : entry.cache), key + ".duration",
                              "a number of seconds, 1 or more");
        cacheSeconds = seconds;
    }
}

RestConfig::~RestConfig() = default;

std::string RestConfig::upstreamPath(const std::string& apiPath) const
{
    if (inferVersion && (apiPath.starts_with("2/") || apiPath.starts_with("1.1/"))) return apiRootPath + "/" + apiPath;
    return endpointPath + apiPath;
}

void RestConfig::readAuthKind(const Kwargs& kw)
{
    // One kind per url (DESIGN.md 3.8): mixing keys of two kinds names both.
    const bool hasBearer = kw.has("bearer"), hasClient = kw.has("client_id");
    std::string accessKey = kw.str("access_key"), accessSecret = kw.str("access_secret");
    if (hasBearer && hasClient)
        kw.fail("client_id", "not with bearer: one url uses one auth kind (bearer: app-only, client_id: OAuth 2.0 "
                             "user login)");
    if (hasBearer && (kw.has("access_key") || kw.has("access_secret")))
        kw.fail(kw.has("access_key") ? "access_key" : "access_secret",
                "not with bearer: an app-only bearer has no user token (remove access_key/access_secret, or bearer)");
    if (hasClient &&
        ((!accessKey.empty() && accessKey != "persist") || (!accessSecret.empty() && accessSecret != "persist")))
        kw.fail(!accessKey.empty() && accessKey != "persist" ? "access_key" : "access_secret",
                "only `persist` with client_id: OAuth 2.0 user tokens come from the login, not the config");
    if (!hasClient && kw.has("client_secret"))
        kw.fail("client_secret", "client_id next to it (client_secret belongs to an OAuth 2.0 login)");

    consumerKey = kw.str("key");
    consumerSecret = kw.str("secret");
    if (hasBearer)
    {
        kind = AuthKind::Bearer;
        bearer = kw.str("bearer");
        if (bearer.empty() || bearer.find_first_of(" \t\r\n") != std::string::npos)
            kw.fail("bearer", "a bearer token (no spaces) or `app`");
        if (bearer == "app")
        {
            if (consumerKey.empty()) kw.fail("key", "the app's consumer key (bearer: app fetches a token with it)");
            if (consumerSecret.empty())
                kw.fail("secret", "the app's consumer secret (bearer: app fetches a token with it)");
        }
        tokenMode = TokenSource::Mode::Literal;
        return;
    }
    if (hasClient)
    {
        kind = AuthKind::OAuth2;
        clientId = kw.str("client_id");
        clientSecret = kw.str("client_secret");
        if (clientId.empty()) kw.fail("client_id", "the app's OAuth 2.0 client ID");
        for (const std::string& item : kw.list("scope"))
        {
            // Each item may itself be space-separated ("tweet.read users.read").
            std::size_t start = 0;
            while (start < item.size())
            {
                std::size_t end = item.find(' ', start);
                if (end == std::string::npos) end = item.size();
                if (end > start) scope += (scope.empty() ? "" : " ") + item.substr(start, end - start);
                start = end + 1;
            }
        }
        if (scope.empty())
            kw.fail("scope", "at least one OAuth 2.0 scope, e.g. [tweet.read, users.read, offline.access]");
        tokenMode = accessKey == "persist" ? TokenSource::Mode::Persist : TokenSource::Mode::Session;
        return;
    }
    if (consumerKey.empty()) kw.fail("key", "the Twitter app's consumer key");
    if (consumerSecret.empty()) kw.fail("secret", "the Twitter app's consumer secret");
    if (accessKey.empty() != accessSecret.empty() || (accessKey == "persist") != (accessSecret == "persist"))
        kw.fail(accessKey.empty() ? "access_key" : "access_secret",
                "access_key and access_secret both given (both literal or both `persist`) or both absent");
    if (accessKey == "persist")
        tokenMode = TokenSource::Mode::Persist;
    else if (!accessKey.empty())
    {
        tokenMode = TokenSource::Mode::Literal;
        literal = TokenSource::Token{accessKey, accessSecret, "", ""};
    }
}

} // namespace birdgate
