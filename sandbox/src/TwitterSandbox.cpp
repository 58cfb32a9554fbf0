// The Twitter API emulator; see TwitterSandbox.h for what it answers and why.
//
// serve() does the work common to every call in a fixed order: latency,
// body, route lookup and method (404 code 34), body size (413), query and
// form parsing (400),
// authentication (401 codes 32 / 89 / 135, 403 code 220), rate limit (429
// code 88), then the route's handler, which only reads parameters and builds
// JSON. Errors are Twitter's {"errors":[{"code":N,"message":"..."}]}.
#include "birdgate/sandbox/TwitterSandbox.h"

#include "SandboxCall.h"

#include "birdgate/common/HttpErrors.h"
#include "birdgate/twitter/OAuth1.h"

#include <Poco/Base64Decoder.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <initializer_list>
#include <mutex>
#include <sstream>

namespace birdgate
{
namespace
{
const KwargSpec SPEC[] = {
    {"seed", KwargType::Int, "1", "seed of the synthetic users and tweets: same seed and request, same answer"},
    {"apps", KwargType::Any, nullptr,
     "list of {key, secret, name, client_id, client_secret, callbacks, scopes}: consumer credentials accepted; "
     "name shows on the authorize pages; client_id makes it an OAuth 2.0 client too (confidential with "
     "client_secret, public without), callbacks its exact redirect URIs, scopes what it may ask for (default "
     "all of X's) (default: one app, key sandbox-key, secret sandbox-secret, no OAuth 2.0)"},
    {"users", KwargType::Any, nullptr,
     "list of {screen_name, access_key, access_secret}: pre-issued user tokens, also offered on the authorize "
     "page (default: sandbox_user with sandbox-access-key / sandbox-access-secret; [] for none)"},
    {"rate_limit", KwargType::Int, "180", "calls per 15-minute window per token and endpoint; 0 disables"},
    {"clock_skew", KwargType::Int, "300", "seconds oauth_timestamp may be off the sandbox clock (else code 135)"},
    {"latency", KwargType::Int, "0", "milliseconds to wait before answering (benchmarks)"},
    {"statuses", KwargType::Int, "1000", "tweets each search query matches in all: how deep max_id paging goes"},
    {"token_epoch", KwargType::String, "1",
     "access tokens minted by logins depend on it: a new value revokes them all (code 89)"},
    {"stream_rate", KwargType::Number, "10",
     "statuses/filter.json: tweets per second per connection; 0 = as fast as possible (benchmarks)"},
    {"keepalive", KwargType::Number, "30", "statuses/filter.json: seconds without a tweet before a \\r\\n keep-alive"},
    {"token_lifetime", KwargType::Int, "7200",
     "seconds an OAuth 2.0 user access token lives (its expires_in); shorten it to test refreshes"},
    {"auto_approve", KwargType::String, nullptr,
     "screen name: i/oauth2/authorize answers at once as that user after validating the request (tests "
     "without a browser); absent: the Authorize/Cancel page"},
    {"stream_faults", KwargType::Map, nullptr,
     "statuses/filter.json faults from the start, as POST /_control/stream takes them: {mode, status, count, "
     "chunk, after, half, inject}"},
};

constexpr long long CURSOR_BASE = 1600000000000000000LL;

const TwitterError NOT_FOUND{404, 34, "Sorry, that page does not exist."};
const TwitterError BAD_AUTH{401, 32, "Could not authenticate you."};
const TwitterError BAD_TOKEN{401, 89, "Invalid or expired token."};
const TwitterError BAD_TIME{401, 135, "Timestamp out of bounds."};
const TwitterError NO_QUERY{400, 25, "Query parameters are missing."};
const TwitterError NO_USER{404, 50, "User not found."};
const TwitterError NO_MATCH{404, 17, "No user matches for specified terms."};
const TwitterError TOO_MANY_TERMS{403, 18, "Too many terms specified in query."};
const TwitterError RATE_LIMITED{429, 88, "Rate limit exceeded"};
const TwitterError APP_ONLY{403, 220, "Your credentials do not allow access to this resource."};
const TwitterError NO_STATUS{400, 170, "Missing required parameter: status."};
const TwitterError TOO_LONG{403, 186, "Tweet needs to be a bit shorter."};
const TwitterError BAD_APP_CREDENTIALS{403, 99, "Unable to verify your credentials"};
const TwitterError NO_GRANT{403, 170, "Missing required parameter: grant_type"};
const TwitterError BAD_CALLBACK{400, 215, "Bad Authentication data: oauth_callback must be an http(s) URL or oob."};
const TwitterError INTERNAL{500, 131, "Internal error."};

std::string requiredString(const YAML::Node& item, const char* key, const Origin& origin, const std::string& where,
                           size_t index)
{
    YAML::Node v = item[key];
    if (!v || !v.IsScalar() || v.Scalar().empty())
        throw ConfigError(origin.file, item.Mark().line + 1, where + "[" + std::to_string(index) + "]." + key,
                          "a non-empty string");
    return v.Scalar();
}

void warnUnknown(const YAML::Node& item, std::initializer_list<const char*> known, const Origin& origin,
                 const std::string& where, std::vector<std::string>* warnings)
{
    if (!warnings) return;
    for (const auto& kv : item)
    {
        std::string k = kv.first.as<std::string>("");
        bool ok = std::any_of(known.begin(), known.end(), [&](const char* n) { return k == n; });
        if (!ok)
            warnings->push_back(origin.file + ":" + std::to_string(kv.first.Mark().line + 1) + ": unknown key '" + k +
                                "' in " + where);
    }
}
} // namespace

struct TwitterSandbox::OAuthHeader
{
    oauth1::Params oauth; // oauth_* except oauth_signature and realm
    std::string consumerKey;
    std::string token;
    std::string signature;
    std::string verifier;
    std::string callback;
    bool hasCallback = false;
    oauth1::SignatureMethod method = oauth1::SignatureMethod::HmacSha1;
    const SandboxApp* app = nullptr;
};

// ---------------------------------------------------------------- routes

const TwitterSandbox::Route TwitterSandbox::ROUTES[] = {
    {"1.1/search/tweets.json", Access::AppOrUser, false, &TwitterSandbox::searchTweets},
    {"1.1/statuses/home_timeline.json", Access::User, false, &TwitterSandbox::homeTimeline},
    {"1.1/statuses/user_timeline.json", Access::AppOrUser, false, &TwitterSandbox::userTimeline},
    {"1.1/statuses/update.json", Access::User, true, &TwitterSandbox::statusesUpdate},
    {"1.1/users/show.json", Access::AppOrUser, false, &TwitterSandbox::usersShow},
    {"1.1/users/lookup.json", Access::AppOrUser, false, &TwitterSandbox::usersLookup},
    {"1.1/followers/list.json", Access::AppOrUser, false, &TwitterSandbox::followersList},
    {"1.1/account/verify_credentials.json", Access::User, false, &TwitterSandbox::verifyCredentials},
    {"1.1/statuses/filter.json", Access::User, false, &TwitterSandbox::statusesFilter},
    {"oauth/request_token", Access::Self, true, &TwitterSandbox::requestToken},
    {"oauth/authorize", Access::Page, false, &TwitterSandbox::authorizePage},
    {"oauth/authenticate", Access::Page, false, &TwitterSandbox::authorizePage},
    {"oauth/access_token", Access::Self, true, &TwitterSandbox::accessToken},
    {"oauth2/token", Access::Self, true, &TwitterSandbox::oauth2Token},
    {"2/oauth2/token", Access::Self, true, &TwitterSandbox::oauth2CodeToken},
    {"2/oauth2/revoke", Access::Self, true, &TwitterSandbox::oauth2Revoke},
    {"i/oauth2/authorize", Access::Page, false, &TwitterSandbox::oauth2Authorize},
    {"2/tweets/search/stream", Access::Self, false, &TwitterSandbox::searchStreamV2},
    {"2/tweets/search/stream/rules", Access::Self, false, &TwitterSandbox::searchStreamRulesV2},
};

const TwitterSandbox::Route* TwitterSandbox::findRoute(const std::string& path) const
{
    for (const Route& r : ROUTES)
        if (path == r.path) return &r;
    return nullptr;
}

std::span<const KwargSpec> TwitterSandbox::kwargSpec()
{
    return SPEC;
}

// ------------------------------------------------------------ construction

namespace
{
long long checkedInt(const Kwargs& kw, const char* name, long long lo, long long hi)
{
    long long v = kw.integer(name);
    if (v < lo || v > hi) kw.fail(name, "an integer from " + std::to_string(lo) + " to " + std::to_string(hi));
    return v;
}

// The OAuth 2.0 side of an `apps:` entry, when it has a client_id.
std::optional<SandboxClient> oauth2Client(const YAML::Node& item, const std::string& name, const Origin& origin,
                                          size_t index)
{
    const std::string where = "apps[" + std::to_string(index) + "].";
    auto fail = [&](const char* key, const std::string& expected) {
        YAML::Node at = item[key] ? item[key] : item;
        throw ConfigError(origin.file, at.Mark().line + 1, where + key, expected);
    };
    for (const char* key : {"client_secret", "callbacks", "scopes"})
        if (item[key] && !item["client_id"]) fail(key, "only with client_id (an OAuth 2.0 client)");
    if (!item["client_id"]) return std::nullopt;
    SandboxClient c;
    c.clientId = requiredString(item, "client_id", origin, "apps", index);
    c.name = name;
    if (item["client_secret"]) c.clientSecret = requiredString(item, "client_secret", origin, "apps", index);
    // A list, or one string of space- (or comma-) separated items.
    auto items = [&](const char* key) {
        std::vector<std::string> out;
        YAML::Node n = item[key];
        if (!n) return out;
        if (n.IsScalar())
        {
            std::string text = n.Scalar();
            std::replace(text.begin(), text.end(), ',', ' ');
            for (const auto& w : SandboxData::queryWords(text)) out.push_back(w);
        }
        else if (n.IsSequence())
        {
            for (const auto& v : n)
            {
                if (!v.IsScalar() || trimmed(v.Scalar()).empty()) fail(key, "a list of strings");
                out.push_back(trimmed(v.Scalar()));
            }
        }
        else
            fail(key, "a list of strings, or one space-separated string");
        return out;
    };
    for (const auto& cb : items("callbacks"))
    {
        if ((!startsWithNoCase(cb, "http://") && !startsWithNoCase(cb, "https://")) ||
            cb.find('#') != std::string::npos)
            fail("callbacks", "absolute http(s) URLs without a #fragment (X's rule for callback URLs)");
        c.callbacks.push_back(cb);
    }
    if (c.callbacks.empty()) fail("callbacks", "at least one callback URL (the exact redirect_uri of the login)");
    if (item["scopes"])
    {
        for (const auto& sc : items("scopes"))
        {
            if (!SandboxOAuth2::knownScopes().count(sc))
                fail("scopes",
                     "X's scopes (" + SandboxOAuth2::joinScopes(SandboxOAuth2::knownScopes()) + "), not '" + sc + "'");
            c.scopes.insert(sc);
        }
        if (c.scopes.empty()) fail("scopes", "at least one scope");
    }
    else
        c.scopes = SandboxOAuth2::knownScopes();
    return c;
}
} // namespace

TwitterSandbox::TwitterSandbox(const UrlEntry& entry, const AppConfig& app, std::vector<std::string>* warnings)
    : TwitterSandbox(Kwargs(entry.kwargs, entry.origin, entry.line, "url." + entry.name + ".kwargs", SPEC, warnings),
                     entry, app, warnings)
{
}

TwitterSandbox::TwitterSandbox(const Kwargs& kw, const UrlEntry& entry, const AppConfig& app,
                               std::vector<std::string>* warnings)
    : _name(entry.name), _data(kw.integer("seed"), static_cast<int>(checkedInt(kw, "statuses", 1, 100000))),
      _oauth2(SystemClock::instance(), checkedInt(kw, "token_lifetime", 1, 10LL * 365 * 86400)),
      _limiter(static_cast<int>(checkedInt(kw, "rate_limit", 0, 1000000000))),
      _clockSkew(static_cast<int>(checkedInt(kw, "clock_skew", 0, 10LL * 365 * 86400))),
      _latency(static_cast<int>(checkedInt(kw, "latency", 0, 600000))), _maxBody(app.maxBody)
{
    const std::string ctx = kw.context();
    YAML::Node apps = kw.node("apps");
    if (apps && !apps.IsNull())
    {
        if (!apps.IsSequence()) kw.fail("apps", "a list of {key, secret, name}");
        for (size_t i = 0; i < apps.size(); ++i)
        {
            YAML::Node item = apps[i];
            if (!item.IsMap())
                throw ConfigError(entry.origin.file, item.Mark().line + 1, "apps[" + std::to_string(i) + "]",
                                  "a map {key, secret, name}");
            SandboxApp a;
            a.key = requiredString(item, "key", entry.origin, "apps", i);
            a.secret = requiredString(item, "secret", entry.origin, "apps", i);
            a.name = item["name"] && item["name"].IsScalar() ? item["name"].Scalar() : a.key;
            warnUnknown(item, {"key", "secret", "name", "client_id", "client_secret", "callbacks", "scopes"},
                        entry.origin, ctx + ".apps", warnings);
            _oauth.addApp(a);
            if (auto client = oauth2Client(item, a.name, entry.origin, i)) _oauth2.addClient(*client);
        }
    }
    else
    {
        _oauth.addApp({"sandbox-key", "sandbox-secret", "birdgate sandbox"});
    }
    _oauth.setEpoch(kw.str("token_epoch"));
    if (auto name = kw.optStr("auto_approve"))
    {
        if (!SandboxData::validScreenName(*name)) kw.fail("auto_approve", "a screen name (1-15 of [A-Za-z0-9_])");
        _autoApprove = *name;
        rememberName(_autoApprove);
    }

    YAML::Node users = kw.node("users");
    std::vector<SandboxAccessToken> tokens;
    if (users && !users.IsNull())
    {
        if (!users.IsSequence()) kw.fail("users", "a list of {screen_name, access_key, access_secret}");
        for (size_t i = 0; i < users.size(); ++i)
        {
            YAML::Node item = users[i];
            if (!item.IsMap())
                throw ConfigError(entry.origin.file, item.Mark().line + 1, "users[" + std::to_string(i) + "]",
                                  "a map {screen_name, access_key, access_secret}");
            SandboxAccessToken t;
            t.screenName = requiredString(item, "screen_name", entry.origin, "users", i);
            if (!SandboxData::validScreenName(t.screenName))
                throw ConfigError(entry.origin.file, item.Mark().line + 1,
                                  "users[" + std::to_string(i) + "].screen_name", "1-15 characters of [A-Za-z0-9_]");
            t.token = requiredString(item, "access_key", entry.origin, "users", i);
            t.secret = requiredString(item, "access_secret", entry.origin, "users", i);
            warnUnknown(item, {"screen_name", "access_key", "access_secret"}, entry.origin, ctx + ".users", warnings);
            tokens.push_back(t);
        }
    }
    else
    {
        tokens.push_back({"sandbox-access-key", "sandbox-access-secret", "sandbox_user", ""});
    }
    for (const auto& t : tokens)
    {
        _oauth.addAccessToken(t);
        if (std::find(_configuredUsers.begin(), _configuredUsers.end(), t.screenName) == _configuredUsers.end())
            _configuredUsers.push_back(t.screenName);
        rememberName(t.screenName);
    }

    SandboxStream::Options streamOptions;
    streamOptions.rate = kw.number("stream_rate");
    if (!(streamOptions.rate >= 0 && streamOptions.rate <= 1e6))
        kw.fail("stream_rate", "tweets per second, 0 to 1000000");
    streamOptions.keepalive = kw.number("keepalive");
    if (!(streamOptions.keepalive > 0 && streamOptions.keepalive <= 3600)) kw.fail("keepalive", "seconds, above 0");
    _stream = std::make_unique<SandboxStream>(_data, streamOptions);
    _streamV2 = std::make_unique<SandboxStreamV2>(_data, _oauth, *_stream);
    YAML::Node faults = kw.node("stream_faults");
    if (faults.IsDefined() && faults.IsMap())
    {
        SandboxStream::Control control;
        for (const auto& kv : faults)
        {
            const std::string key = kv.first.Scalar();
            if (key == "inject")
            {
                if (kv.second.IsSequence())
                    for (const auto& item : kv.second) control.inject.push_back(item.Scalar());
                else
                    control.inject = splitCommas(kv.second.Scalar());
            }
            else if (kv.second.IsScalar())
                control.fields[key] = kv.second.Scalar();
            else
                kw.fail("stream_faults", "a map of scalars (and an inject list)");
        }
        try
        {
            _stream->control(control);
        }
        catch (const std::invalid_argument& e)
        {
            kw.fail("stream_faults", std::string("faults SandboxStream understands: ") + e.what());
        }
    }
}

TwitterSandbox::~TwitterSandbox() = default;

void TwitterSandbox::shutdown()
{
    _stream->endAll();
}

// --------------------------------------------------------------- dispatch

Task<void> TwitterSandbox::serve(Request& request, Answer& answer, const RouteMatch& match)
{
    if (_latency > 0)
    {
        boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, std::chrono::milliseconds(_latency));
        co_await timer.async_wait(boost::asio::use_awaitable);
    }
    Call call(request, answer);
    call.now = std::chrono::duration_cast<std::chrono::seconds>(_clock.load()->now().time_since_epoch()).count();
    // Read the whole body first, whatever happens next, so keep-alive
    // connections stay in step; one too large is answered 413 below, after
    // the route and method checks, and closes the connection.
    BodyStatus bodyStatus = co_await request.readBody(static_cast<std::uint64_t>(std::max(0LL, _maxBody)));
    if (bodyStatus == BodyStatus::Broken)
    {
        answer.abort(); // the client went away mid-body: nothing to answer
        co_return;
    }
    const bool tooLarge = bodyStatus == BodyStatus::TooLarge;
    if (tooLarge) answer.closeAfter();
    bool failed = false;
    try
    {
        dispatch(call, match, tooLarge);
        if (call.stream) co_await _stream->serve(answer, *call.stream);
    }
    catch (const std::exception&)
    {
        failed = true; // no co_await in a handler
    }
    if (failed && !answer.begun()) call.error(INTERNAL);
}

void TwitterSandbox::dispatch(Call& call, const RouteMatch& match, bool tooLarge)
{
    const Request& request = call.request;
    const std::string& body = request.body();
    std::string path = match.groups.size() > 1 ? match.groups[1] : std::string();
    path.erase(0, path.find_first_not_of('/')); // mounts written /sandbox(.*) work too
    if (path == "_control/stream")
    {
        if (tooLarge) return call.error(413, 413, "Request body too large.");
        return streamControl(call, body);
    }
    call.route = findRoute(path);
    if (!call.route && path.starts_with("2/")) return dispatchV2(call, path, tooLarge);
    const std::string& method = request.method;
    if (!call.route || (method != "GET" && method != "POST") || (call.route->postOnly && method != "POST"))
        return call.error(NOT_FOUND);
    if (tooLarge) return call.error(413, 413, "Request body too large.");

    // The OAuth 2.0 endpoints answer RFC 6749's JSON errors, the rest Twitter's.
    const bool oauth2 = path.starts_with("2/oauth2/");
    std::string_view query = request.query();
    if (request.target.find('?') != std::string::npos && !oauth1::parseForm(query, call.query))
        return oauth2 ? oauth2Error(call, {"invalid_request", "malformed percent-encoding in the query string"})
                      : call.error(400, 400, "Malformed percent-encoding in the query string.");
    if (startsWithNoCase(request.contentType(), "application/x-www-form-urlencoded") &&
        !oauth1::parseForm(body, call.form))
        return oauth2 ? oauth2Error(call, {"invalid_request", "malformed percent-encoding in the form body"})
                      : call.error(400, 400, "Malformed percent-encoding in the form body.");

    if (call.route->access == Access::AppOrUser || call.route->access == Access::User)
    {
        if (!authenticate(call)) return;
        if (_limiter.enabled())
        {
            call.rate = _limiter.hit(call.token + " " + call.route->path, call.now);
            if (!call.rate->allowed) return call.error(RATE_LIMITED);
        }
    }
    (this->*(call.route->handler))(call);
}

// ------------------------------------------------------ OAuth verification

// Returns 0 when the header parsed, else the code to answer (32 or 135).
int TwitterSandbox::parseOAuthHeader(Call& call, OAuthHeader& h)
{
    oauth1::Params all;
    if (!oauth1::parseAuthorizationHeader(call.request.header("Authorization"), all)) return 32;
    std::string timestamp, nonce, method, version;
    bool hasMethod = false;
    for (auto& [k, v] : all)
    {
        if (k == "realm") continue;
        if (k == "oauth_signature")
        {
            h.signature = v;
            continue;
        }
        if (k == "oauth_consumer_key")
            h.consumerKey = v;
        else if (k == "oauth_token")
            h.token = v;
        else if (k == "oauth_timestamp")
            timestamp = v;
        else if (k == "oauth_nonce")
            nonce = v;
        else if (k == "oauth_version")
            version = v;
        else if (k == "oauth_verifier")
            h.verifier = v;
        else if (k == "oauth_callback")
        {
            h.callback = v;
            h.hasCallback = true;
        }
        else if (k == "oauth_signature_method")
        {
            method = v;
            hasMethod = true;
        }
        h.oauth.emplace_back(k, v);
    }
    if (h.consumerKey.empty() || h.signature.empty() || nonce.empty() || timestamp.empty() || !hasMethod) return 32;
    if (!version.empty() && version != "1.0") return 32;
    if (method == "HMAC-SHA1")
        h.method = oauth1::SignatureMethod::HmacSha1;
    else if (method == "HMAC-SHA256")
        h.method = oauth1::SignatureMethod::HmacSha256;
    else
        return 32;
    h.app = _oauth.app(h.consumerKey);
    if (!h.app) return 32;
    auto ts = parseUnsigned(timestamp);
    if (!ts) return 32;
    long long skew = static_cast<long long>(std::min<std::uint64_t>(*ts, INT64_MAX)) - call.now;
    if (skew > _clockSkew || -skew > _clockSkew) return 135;
    return 0;
}

bool TwitterSandbox::signatureMatches(Call& call, const OAuthHeader& h, const std::string& consumerSecret,
                                      const std::string& tokenSecret)
{
    // The URL the client signed: its scheme (as the proxy in front saw it),
    // the Host it sent and the raw path as received, without the query.
    std::string scheme = "http";
    const std::string& forwarded = call.request.header("X-Forwarded-Proto");
    std::string proto = lowered(trimmed(std::string_view(forwarded).substr(0, forwarded.find(','))));
    if (proto == "https" || proto == "http") scheme = proto;
    std::string host = call.request.header("Host");
    if (host.empty()) return false;
    int port = scheme == "https" ? 443 : 80;
    size_t colon = host.rfind(':');
    size_t bracket = host.rfind(']');
    if (colon != std::string::npos && (bracket == std::string::npos || colon > bracket))
    {
        auto p = parseUnsigned(std::string_view(host).substr(colon + 1));
        if (!p || *p > 65535) return false;
        port = static_cast<int>(*p);
        host.resize(colon);
    }
    std::string path(call.request.path());
    if (startsWithNoCase(path, "http://") || startsWithNoCase(path, "https://"))
    {
        size_t slash = path.find('/', path.find("//") + 2);
        path = slash == std::string::npos ? "/" : path.substr(slash);
    }

    oauth1::Params params = call.query;
    params.insert(params.end(), call.form.begin(), call.form.end());
    params.insert(params.end(), h.oauth.begin(), h.oauth.end());
    std::string base =
        oauth1::signatureBaseString(call.request.method, oauth1::baseUrl(scheme, host, port, path), params);
    std::string expected = oauth1::sign(h.method, base, consumerSecret, tokenSecret);
    return oauth1::constantTimeEquals(expected, h.signature);
}

bool TwitterSandbox::authenticate(Call& call)
{
    std::string_view a = call.request.header("Authorization");
    while (!a.empty() && a.front() == ' ') a.remove_prefix(1);
    if (startsWithNoCase(a, "bearer "))
    {
        std::string bearer = trimmed(a.substr(7));
        auto appKey = _oauth.bearerApp(bearer);
        if (!appKey)
        {
            call.error(BAD_TOKEN);
            return false;
        }
        if (call.route->access == Access::User)
        {
            call.error(APP_ONLY);
            return false;
        }
        call.token = bearer;
        return true;
    }

    int code = oauth1User(call);
    if (code) call.error(code == 135 ? BAD_TIME : code == 89 ? BAD_TOKEN : BAD_AUTH);
    return code == 0;
}

int TwitterSandbox::oauth1User(Call& call)
{
    OAuthHeader h;
    if (int code = parseOAuthHeader(call, h)) return code;
    auto token = h.token.empty() ? std::nullopt : _oauth.accessToken(h.token);
    if (!token || (!token->appKey.empty() && token->appKey != h.consumerKey)) return 89;
    if (!signatureMatches(call, h, h.app->secret, token->secret)) return 32;
    call.token = token->token;
    call.user = userFor(token->screenName);
    return 0;
}

void TwitterSandbox::setClock(Clock& clock)
{
    _clock = &clock;
    _oauth2.setClock(clock);
}

// -------------------------------------------------------------- user state

SandboxUser TwitterSandbox::userFor(const std::string& screenName) const
{
    SandboxUser u = _data.user(screenName);
    std::shared_lock lock(_stateMutex);
    auto it = _posts.find(lowered(screenName));
    if (it != _posts.end()) u.statusesCount += static_cast<long long>(it->second.size());
    return u;
}

void TwitterSandbox::rememberName(const std::string& screenName)
{
    std::uint64_t id = _data.userId(screenName);
    if (_data.populationName(id)) return;
    {
        std::shared_lock lock(_stateMutex);
        if (_knownNames.count(id) || _knownNames.size() >= MAX_KNOWN_NAMES) return;
    }
    std::unique_lock lock(_stateMutex);
    if (_knownNames.size() < MAX_KNOWN_NAMES) _knownNames.emplace(id, screenName);
}

std::vector<SandboxTweet> TwitterSandbox::postsOf(const std::string& screenName) const
{
    std::shared_lock lock(_stateMutex);
    auto it = _posts.find(lowered(screenName));
    if (it == _posts.end()) return {};
    return {it->second.begin(), it->second.end()};
}

std::optional<SandboxUser> TwitterSandbox::resolveUser(Call& call, bool defaultToSelf)
{
    if (auto name = call.param("screen_name"))
    {
        std::string n = *name;
        if (!n.empty() && n[0] == '@') n.erase(0, 1);
        if (!SandboxData::validScreenName(n))
        {
            call.error(NO_USER);
            return std::nullopt;
        }
        rememberName(n);
        return userFor(n);
    }
    if (auto idText = call.param("user_id"))
    {
        auto id = parseUnsigned(*idText);
        std::optional<std::string> name = id ? _data.populationName(*id) : std::nullopt;
        if (id && !name)
        {
            std::shared_lock lock(_stateMutex);
            auto it = _knownNames.find(*id);
            if (it != _knownNames.end()) name = it->second;
        }
        if (!name)
        {
            call.error(NO_USER);
            return std::nullopt;
        }
        return userFor(*name);
    }
    if (defaultToSelf && call.user) return call.user;
    call.error(NO_QUERY);
    return std::nullopt;
}

// ------------------------------------------------------------------ tweets

std::vector<SandboxTweet> TwitterSandbox::collect(const TweetPool& pool, const std::vector<SandboxTweet>& posted,
                                                  int count, std::optional<std::uint64_t> maxId,
                                                  std::optional<std::uint64_t> sinceId, bool& more) const
{
    // Posted tweets carry ids from the current time, newer than every
    // synthetic one (dated before SandboxData::ANCHOR), so they come first.
    std::vector<SandboxTweet> out;
    more = false;
    auto wanted = [&](std::uint64_t id) { return (!maxId || id <= *maxId) && (!sinceId || id > *sinceId); };
    for (const auto& t : posted)
    {
        if (!wanted(t.id)) continue;
        if (static_cast<int>(out.size()) == count)
        {
            more = true;
            return out;
        }
        out.push_back(t);
    }
    int k = maxId ? _data.firstAtOrBelow(pool, *maxId) : 0;
    for (; k < pool.depth; ++k)
    {
        std::uint64_t id = _data.tweetId(pool, k);
        if (sinceId && id <= *sinceId) break;
        if (static_cast<int>(out.size()) == count)
        {
            more = true;
            break;
        }
        out.push_back(_data.tweet(pool, k));
    }
    return out;
}

void TwitterSandbox::appendTweets(std::string& out, const std::vector<SandboxTweet>& tweets,
                                  SandboxData::TweetStyle style) const
{
    rememberTweets(tweets); // any id served resolves through 2/tweets/:id
    out.push_back('[');
    for (size_t i = 0; i < tweets.size(); ++i)
    {
        if (i) out.push_back(',');
        _data.appendTweetJson(out, tweets[i], userFor(tweets[i].author), style);
    }
    out.push_back(']');
}

void TwitterSandbox::timeline(Call& call, const TweetPool& pool, const std::vector<SandboxTweet>& posted)
{
    bool more = false;
    auto tweets = collect(pool, posted, call.count(20, 200), call.id("max_id"), call.id("since_id"), more);
    std::string out;
    SandboxData::TweetStyle style;
    style.extended = call.param("tweet_mode").value_or("") == "extended";
    std::string trim = lowered(call.param("trim_user").value_or(""));
    style.trimUser = trim == "true" || trim == "1" || trim == "t";
    appendTweets(out, tweets, style);
    call.json(out);
}

void TwitterSandbox::searchTweets(Call& call)
{
    std::string q = call.param("q").value_or("");
    TweetPool pool = _data.searchPool(q);
    if (pool.words.empty()) return call.error(NO_QUERY);
    if (q.size() > 500) return call.error(403, 195, "Missing or invalid url parameter.");
    int count = call.count(15, 100);
    auto maxId = call.id("max_id");
    auto sinceId = call.id("since_id");

    std::vector<SandboxTweet> posted;
    {
        std::shared_lock lock(_stateMutex);
        for (const auto& t : _allPosts)
            if (SandboxData::matchesAll(t.text, pool.words)) posted.push_back(t);
    }
    bool more = false;
    auto tweets = collect(pool, posted, count, maxId, sinceId, more);

    SandboxData::TweetStyle style;
    style.extended = call.param("tweet_mode").value_or("") == "extended";
    style.searchMetadata = true;
    std::string out = "{\"statuses\":";
    appendTweets(out, tweets, style);

    std::string encodedQ = oauth1::percentEncode(q);
    std::uint64_t top = tweets.empty() ? maxId.value_or(0) : tweets.front().id;
    std::uint64_t since = sinceId.value_or(0);
    out += ",\"search_metadata\":{\"completed_in\":0.012";
    out += ",\"max_id\":" + std::to_string(top) + ",\"max_id_str\":\"" + std::to_string(top) + "\"";
    if (more && !tweets.empty())
    {
        std::string next = "?max_id=" + std::to_string(tweets.back().id - 1) + "&q=" + encodedQ +
                           "&count=" + std::to_string(count) + "&include_entities=1";
        if (sinceId) next += "&since_id=" + std::to_string(since);
        out += ",\"next_results\":";
        jsonQuoteTo(out, next);
    }
    out += ",\"query\":";
    jsonQuoteTo(out, encodedQ);
    out += ",\"refresh_url\":";
    jsonQuoteTo(out, "?since_id=" + std::to_string(top) + "&q=" + encodedQ + "&include_entities=1");
    out += ",\"count\":" + std::to_string(count);
    out += ",\"since_id\":" + std::to_string(since) + ",\"since_id_str\":\"" + std::to_string(since) + "\"}}";
    call.json(out);
}

void TwitterSandbox::homeTimeline(Call& call)
{
    timeline(call, _data.homeTimelinePool(*call.user), postsOf(call.user->screenName));
}

void TwitterSandbox::userTimeline(Call& call)
{
    auto user = resolveUser(call, true);
    if (!user) return;
    timeline(call, _data.userTimelinePool(*user), postsOf(user->screenName));
}

void TwitterSandbox::statusesUpdate(Call& call)
{
    auto status = call.param("status");
    if (!status || trimmed(*status).empty()) return call.error(NO_STATUS);
    if (codePointCount(*status) > 280) return call.error(TOO_LONG);

    SandboxTweet t = post(call.user->screenName, *status);
    std::string out;
    _data.appendTweetJson(out, t, userFor(t.author), {});
    call.json(out);
}

SandboxTweet TwitterSandbox::post(const std::string& author, const std::string& text)
{
    SandboxTweet t;
    t.text = text;
    t.author = author;
    t.source = 3;
    rememberName(t.author);
    {
        std::unique_lock lock(_stateMutex);
        // Snowflake ids from the wall clock, strictly increasing even when
        // many tweets land in the same millisecond.
        long long ms =
            std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
                .count();
        if (ms <= _lastPostMillis)
        {
            if (++_postSequence >= 4096)
            {
                ++_lastPostMillis;
                _postSequence = 0;
            }
            ms = _lastPostMillis;
        }
        else
        {
            _lastPostMillis = ms;
            _postSequence = 0;
        }
        t.id = SandboxData::snowflake(ms, _postSequence);
        t.createdAt = ms / 1000;
        auto& mine = _posts[lowered(t.author)];
        mine.push_front(t);
        if (mine.size() > MAX_POSTS_PER_USER) mine.pop_back();
        _allPosts.push_front(t);
        if (_allPosts.size() > MAX_POSTS) _allPosts.pop_back();
    }
    rememberTweets({t});
    return t;
}

int TwitterSandbox::deletePost(std::uint64_t id, const std::string& author)
{
    std::unique_lock lock(_stateMutex);
    auto it = std::find_if(_allPosts.begin(), _allPosts.end(), [&](const SandboxTweet& t) { return t.id == id; });
    if (it == _allPosts.end()) return 0;
    if (lowered(it->author) != lowered(author)) return -1;
    _allPosts.erase(it);
    auto& mine = _posts[lowered(author)];
    std::erase_if(mine, [&](const SandboxTweet& t) { return t.id == id; });
    lock.unlock();
    std::lock_guard<std::mutex> known(_tweetMutex);
    _knownTweets.erase(id); // its id stays in _knownOrder until evicted: harmless
    return 1;
}

std::optional<SandboxTweet> TwitterSandbox::findTweet(std::uint64_t id) const
{
    std::lock_guard<std::mutex> lock(_tweetMutex);
    auto it = _knownTweets.find(id);
    if (it == _knownTweets.end()) return std::nullopt;
    return it->second;
}

void TwitterSandbox::rememberTweets(const std::vector<SandboxTweet>& tweets) const
{
    std::lock_guard<std::mutex> lock(_tweetMutex);
    for (const auto& t : tweets)
    {
        if (!_knownTweets.emplace(t.id, t).second) continue;
        _knownOrder.push_back(t.id);
        while (_knownOrder.size() > MAX_KNOWN_TWEETS)
        {
            _knownTweets.erase(_knownOrder.front());
            _knownOrder.pop_front();
        }
    }
}

std::optional<SandboxUser> TwitterSandbox::userById(std::uint64_t id) const
{
    std::optional<std::string> name = _data.populationName(id);
    if (!name)
    {
        std::shared_lock lock(_stateMutex);
        auto it = _knownNames.find(id);
        if (it == _knownNames.end()) return std::nullopt;
        name = it->second;
    }
    return userFor(*name);
}

// ------------------------------------------------------------------- users

void TwitterSandbox::usersShow(Call& call)
{
    auto user = resolveUser(call, false);
    if (!user) return;
    std::string out;
    _data.appendUserJson(out, *user);
    call.json(out);
}

void TwitterSandbox::usersLookup(Call& call)
{
    auto names = splitCommas(call.joined("screen_name"));
    auto ids = splitCommas(call.joined("user_id"));
    if (names.empty() && ids.empty()) return call.error(NO_QUERY);
    if (names.size() + ids.size() > 100) return call.error(TOO_MANY_TERMS);

    std::vector<SandboxUser> found;
    auto add = [&](const std::string& name) {
        SandboxUser u = userFor(name);
        for (const auto& f : found)
            if (f.id == u.id) return;
        found.push_back(std::move(u));
    };
    for (std::string n : names)
    {
        if (!n.empty() && n[0] == '@') n.erase(0, 1);
        if (!SandboxData::validScreenName(n)) continue;
        rememberName(n);
        add(n);
    }
    for (const auto& idText : ids)
    {
        auto id = parseUnsigned(idText);
        if (!id) continue;
        std::optional<std::string> name = _data.populationName(*id);
        if (!name)
        {
            std::shared_lock lock(_stateMutex);
            auto it = _knownNames.find(*id);
            if (it != _knownNames.end()) name = it->second;
        }
        if (name) add(*name);
    }
    if (found.empty()) return call.error(NO_MATCH);
    std::string out = "[";
    for (size_t i = 0; i < found.size(); ++i)
    {
        if (i) out.push_back(',');
        _data.appendUserJson(out, found[i]);
    }
    out.push_back(']');
    call.json(out);
}

void TwitterSandbox::followersList(Call& call)
{
    auto user = resolveUser(call, true);
    if (!user) return;
    int count = call.count(20, 200);
    long long cursor = -1;
    if (auto c = call.param("cursor"))
    {
        auto v = parseSigned(*c);
        cursor = v ? *v : 0;
    }
    // Cursors are opaque to clients: -1 is the start, 0 the end, others
    // CURSOR_BASE + position (negative when going back).
    int size = _data.followerListSize(*user);
    long long position = size;
    if (cursor == -1)
        position = 0;
    else if (cursor != 0)
    {
        long long p = (cursor < 0 ? -cursor : cursor) - CURSOR_BASE;
        if (p >= 0 && p <= size) position = p;
    }
    std::string out = "{\"users\":[";
    long long end = std::min<long long>(size, position + count);
    for (long long p = position; p < end; ++p)
    {
        if (p > position) out.push_back(',');
        _data.appendUserJson(out, userFor(_data.followerAt(*user, static_cast<int>(p))));
    }
    long long next = end < size ? CURSOR_BASE + end : 0;
    long long previous = position == 0 || position >= size + 1 ? 0 : -(CURSOR_BASE + std::max(0LL, position - count));
    out += "],\"next_cursor\":" + std::to_string(next) + ",\"next_cursor_str\":\"" + std::to_string(next) + "\"";
    out += ",\"previous_cursor\":" + std::to_string(previous) + ",\"previous_cursor_str\":\"" +
           std::to_string(previous) + "\",\"total_count\":null}";
    call.json(out);
}

void TwitterSandbox::verifyCredentials(Call& call)
{
    std::string out;
    _data.appendUserJson(out, *call.user);
    call.json(out);
}

// ------------------------------------------------------------------ stream

void TwitterSandbox::statusesFilter(Call& call)
{
    // Twitter's answers to bad predicates: 406 for a malformed one, 413 for
    // too many (its limits: 400 phrases of up to 60 bytes, 5000 users, 25 boxes).
    auto refuse = [&](int status, const std::string& message) { call.error(status, status, message); };
    SandboxStream::Filter filter;
    filter.track = splitCommas(call.joined("track"));
    std::vector<std::string> follow = splitCommas(call.joined("follow"));
    std::vector<std::string> locations = splitCommas(call.joined("locations"));
    if (filter.track.empty() && follow.empty() && locations.empty())
        return refuse(406, "No filter parameters found. Expect at least one parameter: follow track locations");
    if (filter.track.size() > 400) return refuse(413, "Too many track phrases: at most 400.");
    for (const auto& t : filter.track)
        if (t.size() > 60) return refuse(406, "Track phrase too long: at most 60 bytes.");
    if (follow.size() > 5000) return refuse(413, "Too many follow ids: at most 5000.");
    if (locations.size() % 4 != 0 || locations.size() > 100)
        return refuse(locations.size() > 100 ? 413 : 406, "Locations must be 1 to 25 boxes of 4 numbers.");
    for (const auto& l : locations)
    {
        char* end = nullptr;
        std::strtod(l.c_str(), &end);
        if (end == l.c_str() || *end != '\0') return refuse(406, "Locations must be numbers.");
    }
    if (auto d = call.param("delimited"); d && *d != "length")
        return refuse(406, "Parameter delimited must be length.");
    filter.delimited = call.param("delimited").has_value();
    for (const auto& idText : follow)
    {
        auto id = parseUnsigned(idText);
        if (!id) return refuse(406, "Follow must be numeric user ids.");
        std::optional<std::string> name = _data.populationName(*id);
        if (!name)
        {
            std::shared_lock lock(_stateMutex);
            auto it = _knownNames.find(*id);
            if (it != _knownNames.end()) name = it->second;
        }
        SandboxUser u = name ? userFor(*name) : _data.user("user" + std::to_string(*id % 100000000000ULL));
        u.id = *id; // an id nobody looked up still streams, as that user
        filter.follow.push_back(std::move(u));
    }
    if (int status = _stream->takeStatusFault())
    {
        const char* reason = status == 420   ? "Enhance Your Calm"
                             : status == 429 ? "Too Many Requests"
                             : status == 503 ? "Service Unavailable"
                                             : nullptr;
        call.answer.send(status, JSON_TYPE, errorBody(status, reason ? reason : "Injected fault"),
                         reason ? reason : "");
        return;
    }
    call.stream = std::move(filter); // serve() streams once this returns
}

void TwitterSandbox::searchStreamV2(Call& call)
{
    auto reply = _streamV2->connect(call.request.header("Authorization"), call.query);
    if (reply.stream)
        call.stream = std::move(reply.stream); // serve() streams once this returns
    else
        call.send(reply.status, JSON_TYPE, reply.body);
}

void TwitterSandbox::searchStreamRulesV2(Call& call)
{
    auto reply = _streamV2->rulesEndpoint(call.request.header("Authorization"), call.request.method, call.query,
                                          call.request.body());
    call.send(reply.status, JSON_TYPE, reply.body);
}

void TwitterSandbox::streamControl(Call& call, const std::string& body)
{
    // Test machinery: only from this machine, never signed.
    if (!call.request.clientLoopback)
        return call.error(403, 403, "The stream control is only served to loopback clients.");
    const std::string& method = call.request.method;
    if (method == "GET") return call.json(_stream->stateJson());
    if (method != "POST") return call.error(NOT_FOUND);
    SandboxStream::Control control;
    try
    {
        if (startsWithNoCase(call.request.contentType(), "application/json"))
        {
            Poco::JSON::Parser parser;
            auto object = parser.parse(body).extract<Poco::JSON::Object::Ptr>();
            for (const auto& [key, value] : *object)
            {
                if (key == "inject")
                {
                    if (value.type() == typeid(Poco::JSON::Array::Ptr))
                    {
                        auto list = value.extract<Poco::JSON::Array::Ptr>();
                        for (std::size_t i = 0; i < list->size(); ++i)
                            control.inject.push_back(list->getElement<std::string>(static_cast<unsigned>(i)));
                    }
                    else
                        control.inject = splitCommas(value.convert<std::string>());
                }
                else
                    control.fields[key] = value.convert<std::string>();
            }
        }
        else
        {
            oauth1::Params form;
            if (!oauth1::parseForm(body, form)) return call.error(400, 400, "Malformed form body.");
            for (const auto& [key, value] : form)
            {
                if (key == "inject")
                    for (auto& k : splitCommas(value)) control.inject.push_back(k);
                else
                    control.fields[key] = value;
            }
        }
        _stream->control(control);
    }
    catch (const std::invalid_argument& e)
    {
        return call.error(400, 400, e.what());
    }
    catch (const Poco::Exception& e)
    {
        return call.error(400, 400, "Not a JSON object: " + e.displayText());
    }
    call.json(_stream->stateJson());
}

// ------------------------------------------------------------------ logins

void TwitterSandbox::requestToken(Call& call)
{
    OAuthHeader h;
    if (int code = parseOAuthHeader(call, h)) return call.error(code == 135 ? BAD_TIME : BAD_AUTH);
    if (!signatureMatches(call, h, h.app->secret, "")) return call.error(BAD_AUTH);
    if (!h.hasCallback) return call.error(BAD_CALLBACK);
    const std::string& cb = h.callback;
    if (cb != "oob" && !startsWithNoCase(cb, "http://") && !startsWithNoCase(cb, "https://"))
        return call.error(BAD_CALLBACK);
    SandboxRequestToken t = _oauth.newRequestToken(h.consumerKey, cb, call.now);
    call.send(200, "application/x-www-form-urlencoded",
              "oauth_token=" + oauth1::percentEncode(t.token) +
                  "&oauth_token_secret=" + oauth1::percentEncode(t.secret) + "&oauth_callback_confirmed=true");
}

void TwitterSandbox::sendPage(Call& call, int status, const std::string& html)
{
    call.answer.set("Cache-Control", "no-store");
    call.answer.set("X-Frame-Options", "DENY");
    call.answer.set("Content-Security-Policy",
                    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self' http: https:");
    call.send(status, "text/html; charset=utf-8", html);
}

std::string TwitterSandbox::signInChoices() const
{
    // The users offered (the first checked), any other name, and the two
    // buttons: the end of both authorize pages' forms (OAuth 1.0a and 2.0).
    std::string body = "<fieldset><legend>Sign in as</legend>\n";
    for (size_t i = 0; i < _configuredUsers.size(); ++i)
    {
        const std::string& u = _configuredUsers[i];
        body += "<label><input type=\"radio\" name=\"screen_name\" value=\"" + htmlEscape(u) + "\"" +
                (i == 0 ? " checked" : "") + "> @" + htmlEscape(u) + "</label>\n";
    }
    body += std::string("<label><input type=\"radio\" name=\"screen_name\" value=\"\"") +
            (_configuredUsers.empty() ? " checked" : "") +
            "> another user: @<input type=\"text\" name=\"other_screen_name\" maxlength=\"15\" "
            "pattern=\"[A-Za-z0-9_]{1,15}\" autocomplete=\"off\"></label>\n</fieldset>\n"
            "<button type=\"submit\" name=\"action\" value=\"authorize\">Authorize app</button>\n"
            "<button type=\"submit\" name=\"action\" value=\"cancel\">Cancel</button>\n</form>";
    return body;
}

void TwitterSandbox::authorizePage(Call& call)
{
    bool post = call.request.method == "POST";
    std::string token = call.param("oauth_token").value_or("");
    auto pending = token.empty() ? std::nullopt : _oauth.requestToken(token, call.now);
    if (!pending || !pending->verifier.empty())
        return sendPage(call, 400,
                        pageShell("Invalid request token",
                                  "<h1>This login link is not valid</h1>\n<p>The request token is unknown, expired or "
                                  "already used. Go back to the application and sign in again.</p>"));
    const SandboxApp* app = _oauth.app(pending->appKey);
    std::string appName = app ? app->name : pending->appKey;

    std::string problem;
    if (post)
    {
        std::string action = call.param("action").value_or("");
        if (action == "cancel")
        {
            auto t = _oauth.cancel(token, call.now);
            if (!t)
                return sendPage(call, 400, pageShell("Invalid request token", "<h1>This login link is not valid</h1>"));
            if (t->callback == "oob")
                return sendPage(call, 200,
                                pageShell("Cancelled", "<h1>You did not authorize " + htmlEscape(appName) + "</h1>"));
            call.answer.set("Location", withQuery(t->callback, "denied=" + oauth1::percentEncode(token)));
            return call.send(302, "text/html; charset=utf-8", "");
        }
        if (action == "authorize")
        {
            std::string name = trimmed(call.param("other_screen_name").value_or(""));
            if (name.empty()) name = call.param("screen_name").value_or("");
            if (!name.empty() && name[0] == '@') name.erase(0, 1);
            if (SandboxData::validScreenName(name))
            {
                auto t = _oauth.authorize(token, name, call.now);
                if (!t)
                    return sendPage(call, 400,
                                    pageShell("Invalid request token", "<h1>This login link is not valid</h1>"));
                rememberName(name);
                if (t->callback == "oob")
                    return sendPage(
                        call, 200,
                        pageShell("PIN", "<h1>You authorized " + htmlEscape(appName) +
                                             "</h1>\n<p>Enter this PIN in the application: <code id=\"pin\">" +
                                             htmlEscape(t->verifier) + "</code></p>"));
                call.answer.set("Location",
                                withQuery(t->callback, "oauth_token=" + oauth1::percentEncode(token) +
                                                           "&oauth_verifier=" + oauth1::percentEncode(t->verifier)));
                return call.send(302, "text/html; charset=utf-8", "");
            }
            problem = "Choose a user: a screen name is 1 to 15 letters, digits or underscores.";
        }
        else
        {
            problem = "Press Authorize or Cancel.";
        }
    }

    std::string body =
        "<h1>Authorize <span class=\"app\">" + htmlEscape(appName) +
        "</span> to use your account?</h1>\n<p>This is the birdgate Twitter sandbox: no real account "
        "is involved. The application will be able to read tweets and post as the user you choose.</p>\n";
    if (!problem.empty()) body += "<p class=\"error\">" + htmlEscape(problem) + "</p>\n";
    body += "<form method=\"post\" action=\"\">\n<input type=\"hidden\" name=\"oauth_token\" value=\"" +
            htmlEscape(token) + "\">\n" + signInChoices();
    sendPage(call, problem.empty() ? 200 : 400, pageShell("Authorize " + appName + " - birdgate sandbox", body));
}

void TwitterSandbox::accessToken(Call& call)
{
    OAuthHeader h;
    if (int code = parseOAuthHeader(call, h)) return call.error(code == 135 ? BAD_TIME : BAD_AUTH);
    auto pending = h.token.empty() ? std::nullopt : _oauth.requestToken(h.token, call.now);
    if (!pending) return call.error(BAD_TOKEN);
    if (!signatureMatches(call, h, h.app->secret, pending->secret)) return call.error(BAD_AUTH);
    std::string verifier = h.verifier.empty() ? call.param("oauth_verifier").value_or("") : h.verifier;
    SandboxAccessToken issued;
    auto result =
        _oauth.exchange(h.token, h.consumerKey, verifier, _data.userId(pending->screenName), call.now, issued);
    if (result == SandboxOAuth::Exchange::UnknownToken) return call.error(BAD_TOKEN);
    if (result != SandboxOAuth::Exchange::Ok) return call.error(BAD_AUTH);
    SandboxUser u = userFor(issued.screenName);
    call.send(200, "application/x-www-form-urlencoded",
              "oauth_token=" + oauth1::percentEncode(issued.token) +
                  "&oauth_token_secret=" + oauth1::percentEncode(issued.secret) + "&user_id=" + std::to_string(u.id) +
                  "&screen_name=" + oauth1::percentEncode(u.screenName));
}

void TwitterSandbox::oauth2Token(Call& call)
{
    std::string authorization = trimmed(call.request.header("Authorization"));
    if (!startsWithNoCase(authorization, "basic ")) return call.error(BAD_APP_CREDENTIALS);
    std::string decoded;
    try
    {
        std::istringstream in(trimmed(std::string_view(authorization).substr(6)));
        Poco::Base64Decoder decoder(in);
        std::ostringstream out;
        out << decoder.rdbuf();
        decoded = out.str();
    }
    catch (const std::exception&)
    {
        return call.error(BAD_APP_CREDENTIALS);
    }
    size_t colon = decoded.find(':');
    std::string key, secret;
    if (colon == std::string::npos || !oauth1::percentDecode(std::string_view(decoded).substr(0, colon), key, true) ||
        !oauth1::percentDecode(std::string_view(decoded).substr(colon + 1), secret, true))
        return call.error(BAD_APP_CREDENTIALS);
    const SandboxApp* app = _oauth.app(key);
    if (!app || !oauth1::constantTimeEquals(app->secret, secret)) return call.error(BAD_APP_CREDENTIALS);
    if (call.param("grant_type").value_or("") != "client_credentials") return call.error(NO_GRANT);
    std::string out = "{\"token_type\":\"bearer\",\"access_token\":";
    jsonQuoteTo(out, _oauth.bearerFor(app->key));
    out += "}";
    call.json(out);
}

} // namespace birdgate
