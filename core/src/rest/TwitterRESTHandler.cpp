// TwitterRESTHandler; see TwitterRESTHandler.h. serve() reads as the list of
// steps; each step answers (and ends the request) or hands on. A request that
// fails a check never reaches the upstream.
#include "birdgate/rest/TwitterRESTHandler.h"

#include "birdgate/twitter/TwitterClient.h"

#include "birdgate/cache/ResponseCache.h"
#include "birdgate/common/Clock.h"
#include "birdgate/common/HttpErrors.h"
#include "birdgate/common/WorkerPool.h"
#include "birdgate/login/Xsrf.h"
#include "birdgate/ops/Metrics.h"
#include "birdgate/plugin/TransformChain.h"
#include "birdgate/session/SessionManager.h"
#include "birdgate/session/Store.h"
#include "rest/ApiPath.h"

#include <Poco/JSON/Parser.h>
#include <Poco/Logger.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/String.h>

#include <openssl/sha.h>

#include <algorithm>
#include <charconv>

namespace birdgate
{
namespace
{
TwitterLogin::Settings loginSettings(const RestConfig& config, const Services& services)
{
    TwitterLogin::Settings s;
    s.urlName = config.name;
    s.consumerKey = config.consumerKey;
    s.consumerSecret = config.consumerSecret;
    s.signatureMethod = config.signatureMethod;
    s.apiRoot = config.apiRoot;
    s.apiRootTarget = config.apiRootTarget;
    s.apiRootPath = config.apiRootPath;
    s.endpointTarget = config.target;
    s.endpointPath = config.endpointPath;
    s.authenticate = config.authenticate;
    s.redirect = config.redirect;
    s.headers = config.headers;
    s.timeout = config.timeout;
    if (services.config)
    {
        s.maxAnswer = static_cast<std::uint64_t>(services.config->app.maxAnswer);
        s.publicUrl = services.config->app.publicUrl;
        s.trustedProxies = services.config->app.trustedProxies;
    }
    return s;
}

/// Only the headers a client should see from X (RestRequest::passHeader).
void narrowHeaders(std::vector<std::pair<std::string, std::string>>& headers)
{
    std::erase_if(headers, [](const auto& kv) { return !RestRequest::passHeader(kv.first); });
}

/// /metrics and the access log: one upstream answer (status) arrived.
void noteUpstream(Request& request, UrlMetrics* metrics, std::chrono::steady_clock::time_point started, int status)
{
    request.addUpstreamTime(std::chrono::steady_clock::now() - started);
    if (metrics) metrics->upstream(status);
}

/// ... or the upstream gave no answer.
void noteUpstreamError(Request& request, UrlMetrics* metrics, std::chrono::steady_clock::time_point started,
                       const std::exception& error)
{
    request.addUpstreamTime(std::chrono::steady_clock::now() - started);
    if (metrics) metrics->upstreamError(upstreamErrorKind(error));
}

UpstreamResponse errorAnswer(int status, const std::string& reason, const std::string& message)
{
    UpstreamResponse answer{status, reason, {}, errorBody(status, message)};
    answer.headers.emplace_back("Content-Type", "application/json; charset=utf-8");
    return answer;
}

OAuth2Login::Settings oauth2Settings(const RestConfig& config, const Services& services)
{
    OAuth2Login::Settings s;
    s.flow.urlName = config.name;
    s.flow.redirect = config.redirect;
    s.flow.headers = config.headers;
    if (services.config)
    {
        s.flow.publicUrl = services.config->app.publicUrl;
        s.flow.trustedProxies = services.config->app.trustedProxies;
    }
    s.clientId = config.clientId;
    s.webRoot = config.webRoot;
    s.scope = config.scope;
    return s;
}

/// The name tokens are kept under in sessions and the store.
const std::string& tokenOwner(const RestConfig& config)
{
    return config.kind == AuthKind::OAuth2 ? config.clientId : config.consumerKey;
}

/// Instances sharing a Redis store share the app's bearer token too
/// (DESIGN.md 3.8), under a digest of the consumer key, sealed like every
/// store value. Nothing to share for a literal token or a local store.
void shareThroughRedis(AppBearer& bearer, const RestConfig& config, const Services& services)
{
    const bool redis = services.config && services.config->app.store.rfind("redis://", 0) == 0;
    if (!bearer.renewable() || !redis || !services.store || !services.workers) return;
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const unsigned char*>(config.consumerKey.data()), config.consumerKey.size(), digest);
    std::string key;
    for (unsigned char c : digest)
    {
        key += "0123456789abcdef"[c >> 4];
        key += "0123456789abcdef"[c & 15];
    }
    std::shared_ptr<Store> store = services.store;
    bearer.shareThrough(AppBearer::SharedStore{[store, key] { return store->get("bearer", key); },
                                               [store, key](const std::string& token) {
                                                   store->put("bearer", key, token,
                                                              std::chrono::system_clock::time_point::max());
                                               },
                                               services.workers});
}

Poco::Logger& log()
{
    return Poco::Logger::get("birdgate");
}
} // namespace

TwitterRESTHandler::TwitterRESTHandler(const UrlEntry& entry, const Services& services)
    : _config(entry, services), _services(services),
      _tokens(_config.tokenMode, _config.literal, _config.name, tokenOwner(_config), services.store, services.sessions,
              services.workers),
      _login(
          loginSettings(_config, services),
          [this](Session& fresh, const TwitterLogin::User& user) {
              _tokens.keep(fresh, TokenSource::Token{user.key, user.secret, user.screenName, user.userId});
          },
          services.sessions, services.workers, services.upstreams),
      _client(_config.target, services.upstreams)
{
    const auto apiRoot = std::make_shared<TwitterClient>(_config.apiRootTarget, services.upstreams);
    if (_config.kind == AuthKind::Bearer)
    {
        _bearer = _config.bearer == "app"
                      ? AppBearer::clientCredentials(apiRoot, _config.consumerKey, _config.consumerSecret,
                                                     upstreamLimits(), _config.apiRootPath)
                      : AppBearer::literal(_config.bearer);
        shareThroughRedis(*_bearer, _config, services);
    }
    else if (_config.kind == AuthKind::OAuth2)
    {
        _oauth2 = std::make_shared<const OAuth2Client>(
            OAuth2Client::Settings{_config.clientId, _config.clientSecret, _config.apiRootPath, upstreamLimits()},
            apiRoot);
        _oauth2Login = std::make_unique<const OAuth2Login>(
            oauth2Settings(_config, services), _oauth2,
            [this](Session& fresh, const OAuth2Tokens& t, const OAuth2User& user, long long obtained) {
                _tokens.keep(fresh, TokenSource::Token{t.access, "", user.username, user.id, t.refresh, obtained,
                                                       t.expiresIn > 0 ? obtained + t.expiresIn : 0});
            },
            services.sessions, services.workers, [] { return SystemClock::instance().now(); });
        _refresher = std::make_unique<TokenRefresher>(
            _tokens, [client = _oauth2](const std::string& refresh) { return client->refresh(refresh); },
            SystemClock::instance());
    }
}

bool TwitterRESTHandler::isLoginRequest(const Request& request, const RouteMatch& match) const
{
    // The login start and its callback: a GET of the empty API path of a
    // url whose users log in (not a fixed path, token or bearer).
    if (_config.kind == AuthKind::Bearer || _config.tokenMode == TokenSource::Mode::Literal || _config.hasFixedPath)
        return false;
    return request.method == "GET" && (match.groups.size() < 2 || match.groups[1].empty());
}

TwitterRESTHandler::~TwitterRESTHandler() = default;

Task<void> TwitterRESTHandler::serve(Request& request, Answer& answer, const RouteMatch& match)
{
    Call call{request, answer, match};
    if (!checkMethod(call)) co_return;
    if (!checkXsrf(call)) co_return;
    if (!co_await readBody(call)) co_return;
    if (!readParams(call)) co_return;
    if (!resolveApiPath(call)) co_return;
    issueXsrfCookie(call);
    co_await loadSession(call);
    if (call.apiPath.empty())
    {
        co_await startLogin(call);
        co_return;
    }
    if (!checkParams(call)) co_return;
    if (!co_await findToken(call)) co_return;
    co_await answerCached(call);
}

// ------------------------------------------------------------------ checks

bool TwitterRESTHandler::checkMethod(Call& call) const
{
    if (_config.methods.count(call.request.method)) return true;
    call.answer.set("Allow", _config.allowHeader);
    sendError(call.answer, 405, "method " + call.request.method + " not allowed here");
    return false;
}

bool TwitterRESTHandler::checkXsrf(Call& call) const
{
    // Headers first; a form may still carry the token in its body (checked
    // by readParams once the body is there).
    bool needed = _config.xsrf && Xsrf::unsafeMethod(call.request.method);
    call.xsrfOk = !needed || Xsrf::passesByHeaders(call.request);
    call.kind = RestRequest::bodyKind(call.request.contentType());
    if (call.xsrfOk || call.kind == BodyKind::Form) return true;
    sendError(call.answer, 403, "XSRF token missing or wrong");
    return false;
}

Task<bool> TwitterRESTHandler::readBody(Call& call) const
{
    auto tooLarge = [&] {
        call.answer.closeAfter();
        if (call.xsrfOk)
            sendError(call.answer, 413, "request body larger than " + std::to_string(_config.maxBody) + " bytes");
        else
            sendError(call.answer, 403, "XSRF token missing or wrong");
    };
    // A declared length above the limit is refused before a byte is read.
    const std::string& length = call.request.header("Content-Length");
    unsigned long long declared = 0;
    auto [end, ec] = std::from_chars(length.data(), length.data() + length.size(), declared);
    if (!length.empty() && ec == std::errc() && end == length.data() + length.size() &&
        declared > static_cast<unsigned long long>(_config.maxBody))
    {
        tooLarge();
        co_return false;
    }
    BodyStatus status = co_await call.request.readBody(static_cast<std::uint64_t>(_config.maxBody));
    if (status == BodyStatus::TooLarge)
    {
        tooLarge();
        co_return false;
    }
    if (status == BodyStatus::Broken)
    {
        // The client is gone or sent a broken body: nothing useful to answer.
        sendError(call.answer, 400, "incomplete request body");
        call.answer.abort();
        co_return false;
    }
    // A GET or HEAD with a form body: Gramex signs its fields and its own tests
    // send one, so they join the query (signed, sent as query parameters, and
    // part of the cache key). Any other GET or HEAD body means nothing to
    // Twitter: neither forwarded nor signed.
    const std::string& method = call.request.method;
    if (method == "GET" || method == "HEAD")
    {
        call.getForm = call.kind == BodyKind::Form && !call.request.body().empty();
        if (!call.getForm) call.kind = BodyKind::None;
    }
    else if (call.request.body().empty())
        call.kind = BodyKind::None;
    co_return true;
}

bool TwitterRESTHandler::readParams(Call& call) const
{
    // Parameters: query (a '+' is a space) and form body; `_xsrf` is ours.
    std::string_view query = call.request.query();
    bool hasQuery = call.request.target.find('?') != std::string::npos;
    bool queryOk = !hasQuery || oauth1::parseForm(query, call.query);
    bool formOk = call.kind != BodyKind::Form || oauth1::parseForm(call.request.body(), call.form);
    if (!call.xsrfOk)
    {
        std::string token;
        for (const auto& [k, v] : call.form)
            if (k == "_xsrf") token = v;
        if (!formOk || !Xsrf::passesByForm(call.request, token))
        {
            sendError(call.answer, 403, "XSRF token missing or wrong");
            return false;
        }
    }
    if (!queryOk || !formOk)
    {
        sendError(call.answer, 400,
                  std::string("malformed percent-encoding in the ") + (queryOk ? "form body" : "query string"));
        return false;
    }
    auto dropXsrf = [](oauth1::Params& p) { std::erase_if(p, [](const auto& kv) { return kv.first == "_xsrf"; }); };
    dropXsrf(call.query);
    dropXsrf(call.form);
    if (call.getForm)
    {
        call.query.insert(call.query.end(), std::make_move_iterator(call.form.begin()),
                          std::make_move_iterator(call.form.end()));
        call.form.clear();
    }
    return true;
}

bool TwitterRESTHandler::resolveApiPath(Call& call) const
{
    if (_config.hasFixedPath)
    {
        call.apiPath = _config.fixedPath;
        return true;
    }
    std::string why;
    const std::string& raw = call.match.groups.size() > 1 ? call.match.groups[1] : Request::EMPTY;
    if (ApiPath::confine(raw, call.apiPath, why)) return true;
    sendError(call.answer, 400, "bad API path: " + why);
    return false;
}

void TwitterRESTHandler::issueXsrfCookie(Call& call) const
{
    // Pages read their _xsrf cookie from a GET answer of a protected url.
    const std::string& method = call.request.method;
    if (_config.xsrf && (method == "GET" || method == "HEAD") && Xsrf::cookie(call.request).empty())
        Xsrf::issue(call.answer, SessionManager::isSecure(call.request));
}

Task<void> TwitterRESTHandler::loadSession(Call& call) const
{
    if (_config.tokenMode == TokenSource::Mode::Session || call.apiPath.empty())
        call.session = co_await _services.workers->run([&] { return _services.sessions->load(call.request); });
}

Task<void> TwitterRESTHandler::startLogin(Call& call) const
{
    if (call.request.method != "GET")
        sendError(call.answer, 400, "no API path given (a GET here starts the login)");
    else if (_config.tokenMode == TokenSource::Mode::Literal)
        sendError(call.answer, 400, "no API path given (this url uses a fixed token: there is nothing to log in to)");
    else if (_oauth2Login)
        co_await _oauth2Login->serve(call.request, call.answer, call.match, call.query, call.session);
    else
        co_await _login.serve(call.request, call.answer, call.match, call.query, call.session);
}

bool TwitterRESTHandler::checkParams(Call& call) const
{
    // oauth_* parameters belong to the protocol, which birdgate speaks itself:
    // a client's would be signed and sent next to birdgate's own.
    for (const oauth1::Params* params : {&call.query, &call.form})
        for (const auto& kv : *params)
            if (kv.first.rfind("oauth_", 0) == 0)
            {
                sendError(call.answer, 400, "parameter " + kv.first + " is not allowed: birdgate signs the request");
                return false;
            }
    return true;
}

Task<bool> TwitterRESTHandler::findToken(Call& call) const
{
    const char* failure = nullptr;
    try
    {
        if (_bearer)
        {
            // One app-only token for every request (fetched once for all).
            std::string token = co_await _bearer->token();
            call.token = TokenSource::Token{std::move(token), "", "", ""};
        }
        else
        {
            call.token = co_await _tokens.find(call.session);
            // An OAuth 2.0 token near its end is refreshed before use.
            if (call.token && _refresher && _refresher->due(*call.token))
                call.token = co_await _refresher->refresh(call.session, *call.token);
        }
    }
    catch (const BearerError& e)
    {
        log().warning("url %s: no app-only bearer token: %s", _config.name, std::string(e.what()));
        call.token.reset();
    }
    catch (const UpstreamTimeout&)
    {
        failure = "timeout";
    }
    catch (const UpstreamUnreachable&)
    {
        failure = "unreachable";
    }
    if (failure)
    {
        const bool timeout = std::string(failure) == "timeout";
        sendError(call.answer, timeout ? 504 : 502, timeout ? "upstream timeout" : "upstream unreachable");
        co_return false;
    }
    if (call.token) co_return true;
    sendTokenMissing(call.answer);
    co_return false;
}

// ------------------------------------------------------------ the exchange

const std::string& TwitterRESTHandler::tokenIdentity(const std::string& material) const
{
    // The digest of the token and app, not the token itself, so a cache key
    // reveals nothing. A literal or persisted token is the same on every
    // request: the last one is remembered per thread (SHA256() fetches the
    // digest from OpenSSL's provider on each call).
    // `material` is cacheIdentity(): the user or app the answer is for.
    thread_local std::string lastMaterial, lastIdentity;
    if (material != lastMaterial)
    {
        unsigned char digest[SHA256_DIGEST_LENGTH];
        SHA256(reinterpret_cast<const unsigned char*>(material.data()), material.size(), digest);
        lastIdentity.assign(reinterpret_cast<const char*>(digest), sizeof digest);
        lastMaterial = material;
    }
    return lastIdentity;
}

Task<void> TwitterRESTHandler::answerCached(Call& call) const
{
    const std::string& method = call.request.method;
    if (_config.cacheSeconds > 0 && (method == "GET" || method == "HEAD"))
    {
        // One user never sees another's answer: the key holds a digest of
        // the token that signs the request (shared for literal/persisted).
        std::string identity = tokenIdentity(cacheIdentity(call)); // a copy: the thread may change at co_await
        // A GET form body is part of what was asked (DESIGN 3.1): after a
        // newline, which no request target holds.
        std::string key = call.getForm
                              ? ResponseCache::key("GET", call.request.target + '\n' + call.request.body(), identity)
                              : ResponseCache::key("GET", call.request.target, identity);
        bool hit = false;
        // Named: g++ 12 mishandles class temporaries in a co_await expression.
        const ResponseCache::Fetch fetchOnce = [this, &call](bool& cacheable) { return fetch(call, cacheable); };
        auto cached =
            co_await _services.cache->getOrFetch(key, std::chrono::seconds(_config.cacheSeconds), fetchOnce, hit);
        if (call.match.metrics) call.match.metrics->cache(hit);
        if (!cached)
        {
            sendError(call.answer, 502, "upstream unreachable");
            co_return;
        }
        sendAnswer(call, *cached, hit ? "HIT" : "MISS");
        co_return;
    }
    if (!_config.transforms)
    {
        co_await passThrough(call);
        co_return;
    }
    bool cacheable = false;
    std::optional<UpstreamResponse> answer = co_await fetch(call, cacheable);
    sendAnswer(call, std::move(*answer), nullptr);
}

// g++ 12 reports a false -Wmismatched-new-delete in a coroutine whose frame
// allocation by Asio (awaitable_frame_base's operator new over its recycling
// allocator) it inlines: the matching delete is Asio's own.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
Task<void> TwitterRESTHandler::passThrough(Call& call) const
{
    const TwitterCall upstream = upstreamCall(call);
    const UpstreamLimits limits = upstreamLimits();
    TokenSource::Token token = *call.token;
    std::unique_ptr<UpstreamAnswer> reading;
    UpstreamResponse held;
    bool whole = false;
    const auto started = std::chrono::steady_clock::now();
    // At most two attempts: the second after X answered 401 and the token
    // was renewed (bearer) or refreshed (OAuth 2.0).
    for (int attempt = 0;; ++attempt)
    {
        bool retry = false;
        bool gone = false;
        try
        {
            const std::unique_ptr<Authorizer> auth = authorizerFor(token);
            reading = co_await _client.open(upstream, *auth, limits);
            if (call.match.metrics) call.match.metrics->upstream(reading->status);
            held = UpstreamResponse{};
            whole = false;
            held.status = reading->status;
            held.reason = reading->reason;
            held.headers = reading->headers;
            // Hold the start: most API answers end within it, and an answer
            // held whole can still become a 502 (or the 401 of a revoked token).
            while (held.body.size() <= STREAM_AFTER)
            {
                std::optional<std::string> piece = co_await reading->next();
                if (!piece)
                {
                    whole = true;
                    break;
                }
                if (held.body.empty())
                    held.body = std::move(*piece);
                else
                    held.body += *piece;
            }
            if (whole && held.status == 401 && attempt == 0 && renewable())
            {
                std::optional<TokenSource::Token> renewed = co_await renewAfter401(call, token, gone);
                if (renewed)
                {
                    token = std::move(*renewed);
                    retry = true;
                }
            }
        }
        catch (const UpstreamTimeout& e)
        {
            noteUpstreamError(call.request, reading ? nullptr : call.match.metrics, started, e);
            sendAnswer(call, errorAnswer(504, "Gateway Timeout", "upstream timeout"), nullptr);
            co_return;
        }
        catch (const UpstreamUnreachable& e)
        {
            noteUpstreamError(call.request, reading ? nullptr : call.match.metrics, started, e);
            sendAnswer(call, errorAnswer(502, "Bad Gateway", "upstream unreachable"), nullptr);
            co_return;
        }
        if (gone)
        {
            sendAnswer(call, tokenMissingAnswer(), nullptr);
            co_return;
        }
        if (!retry) break;
        reading.reset();
    }
    if (whole)
    {
        call.request.addUpstreamTime(std::chrono::steady_clock::now() - started);
        co_await screenAnswer(call, held);
        sendAnswer(call, std::move(held), nullptr);
        co_return;
    }
    // Too long to hold: stream the rest as it comes.
    narrowHeaders(held.headers);
    Answer& answer = call.answer;
    answer.setStatus(held.status, held.reason);
    for (const auto& [k, v] : held.headers) answer.add(k, v);
    addConfiguredHeaders(answer);
    if (!co_await answer.begin(reading->contentLength) || answer.head()) co_return;
    if (!co_await answer.write(held.body)) co_return;
    try
    {
        while (true)
        {
            std::optional<std::string> piece = co_await reading->next();
            if (!piece) break;
            if (!co_await answer.write(*piece)) co_return; // the client left: `reading` closes the upstream
        }
        call.request.addUpstreamTime(std::chrono::steady_clock::now() - started);
    }
    catch (const std::exception& e)
    {
        // Too late for a 502: the status is out. Cut the answer so the
        // client sees it incomplete, never a shorter body passed as whole.
        Poco::Logger::get("birdgate")
            .warning("url %s: upstream answer broke mid-stream: %s", _config.name, std::string(e.what()));
        answer.abort();
        co_return;
    }
    co_await answer.finish();
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

Task<std::optional<UpstreamResponse>> TwitterRESTHandler::fetch(const Call& call, bool& cacheable) const
{
    cacheable = false;
    UpstreamResponse answer;
    const auto started = std::chrono::steady_clock::now();
    try
    {
        answer = co_await exchange(call);
        noteUpstream(call.request, call.match.metrics, started, answer.status);
    }
    catch (const UpstreamTimeout& e)
    {
        noteUpstreamError(call.request, call.match.metrics, started, e);
        co_return errorAnswer(504, "Gateway Timeout", "upstream timeout");
    }
    catch (const UpstreamUnreachable& e)
    {
        noteUpstreamError(call.request, call.match.metrics, started, e);
        co_return errorAnswer(502, "Bad Gateway", "upstream unreachable");
    }
    co_await screenAnswer(call, answer);
    if (!co_await runTransforms(call, answer)) co_return answer;
    cacheable = answer.status == 200;
    co_return answer;
}

Task<void> TwitterRESTHandler::screenAnswer(const Call& call, UpstreamResponse& answer) const
{
    if (answer.status == 401 && answer.reason == "access token missing")
        co_return; // birdgate's own answer (a failed OAuth 2.0 refresh): kept whole
    if (_config.kind == AuthKind::OAuth1 && _config.tokenMode != TokenSource::Mode::Literal &&
        isInvalidTokenAnswer(answer.status, answer.body))
    {
        // Twitter no longer accepts this token (revoked or expired):
        // forget it so the page's `access token missing` handler logs in again.
        co_await _tokens.forget(call.session, call.token->key);
        answer = tokenMissingAnswer();
        co_return;
    }
    narrowHeaders(answer.headers);
}

TwitterCall TwitterRESTHandler::upstreamCall(const Call& call) const
{
    TwitterCall upstream;
    upstream.method = RestRequest::upstreamMethod(_config.mode, call.request.method, call.apiPath, call.kind);
    upstream.path = _config.upstreamPath(call.apiPath);
    upstream.query = call.query;
    if (call.kind == BodyKind::Form || call.kind == BodyKind::None)
    {
        upstream.form = call.form;
    }
    else
    {
        // JSON and multipart bodies go as they are and are not signed.
        upstream.body = call.request.body();
        upstream.contentType = call.request.contentType();
    }
    if (!call.request.requestId.empty()) upstream.headers.push_back({"X-Request-Id", call.request.requestId});
    return upstream;
}

UpstreamLimits TwitterRESTHandler::upstreamLimits() const
{
    UpstreamLimits limits;
    limits.timeout = std::chrono::milliseconds(_config.timeout.totalMilliseconds());
    limits.maxAnswer = static_cast<std::uint64_t>(_services.config->app.maxAnswer);
    return limits;
}

std::unique_ptr<Authorizer> TwitterRESTHandler::authorizerFor(const TokenSource::Token& token) const
{
    if (_config.kind != AuthKind::OAuth1) return std::make_unique<BearerAuthorizer>(token.key);
    return std::make_unique<OAuth1Authorizer>(oauth1::Credentials{_config.consumerKey, _config.consumerSecret,
                                                                  token.key, token.secret, _config.signatureMethod});
}

bool TwitterRESTHandler::renewable() const
{
    return (_bearer && _bearer->renewable()) || _refresher;
}

Task<std::optional<TokenSource::Token>> TwitterRESTHandler::renewAfter401(const Call& call,
                                                                          const TokenSource::Token& rejected,
                                                                          bool& gone) const
{
    gone = false;
    if (_refresher)
    {
        std::optional<TokenSource::Token> fresh = co_await _refresher->refresh(call.session, rejected);
        gone = !fresh;
        co_return fresh;
    }
    std::string fresh;
    try
    {
        fresh = co_await _bearer->renew(rejected.key);
    }
    catch (const BearerError& e)
    {
        log().warning("url %s: app-only bearer not renewed: %s", _config.name, std::string(e.what()));
        gone = true;
    }
    if (gone || fresh == rejected.key) co_return std::nullopt; // a literal token: X's 401 goes to the client
    co_return TokenSource::Token{std::move(fresh), "", "", ""};
}

std::string TwitterRESTHandler::cacheIdentity(const Call& call) const
{
    switch (_config.kind)
    {
    case AuthKind::Bearer:
        return "bearer\n" + _config.name; // one app token, renewed: the same identity
    case AuthKind::OAuth2:
        // The user, not the access token: a refresh must not empty the cache.
        return "oauth2\n" + _config.clientId + "\n" +
               (call.token->userId.empty() ? call.token->key : call.token->userId);
    case AuthKind::OAuth1:
        break;
    }
    return call.token->key + '\n' + _config.consumerKey;
}

Task<UpstreamResponse> TwitterRESTHandler::exchange(const Call& call) const
{
    // One TwitterClient call: it builds the URL, signs query and form, sets
    // User-Agent and sends it through the Beast pool; no thread waits for X.
    // After a 401, one renewal of a bearer or OAuth 2.0 token and one retry.
    const TwitterCall upstream = upstreamCall(call);
    const UpstreamLimits limits = upstreamLimits();
    TokenSource::Token token = *call.token;
    for (int attempt = 0;; ++attempt)
    {
        const std::unique_ptr<Authorizer> auth = authorizerFor(token);
        UpstreamResponse answer = co_await _client.send(upstream, *auth, limits);
        if (answer.status != 401 || attempt > 0 || !renewable()) co_return answer;
        bool gone = false;
        std::optional<TokenSource::Token> renewed = co_await renewAfter401(call, token, gone);
        if (gone) co_return tokenMissingAnswer();
        if (!renewed) co_return answer;
        token = std::move(*renewed);
    }
}

Task<bool> TwitterRESTHandler::runTransforms(const Call& call, UpstreamResponse& answer) const
{
    if (answer.status != 200 || !_config.transforms) co_return true;
    std::string context = contextJson(call);
    TransformChain::Outcome t =
        co_await _services.workers->run([&] { return _config.transforms->run(answer.body, context); });
    if (!t.ok)
    {
        Poco::Logger::get("birdgate").error("url %s: transform %s failed: %s", _config.name, t.failedStep, t.error);
        if (call.match.metrics) call.match.metrics->transformError(t.failedStep);
        // The client learns which transform failed; the plugin's own
        // message (paths, config) stays in the log.
        answer = errorAnswer(500, "Internal Server Error", "transform " + t.failedStep + " failed");
        co_return false;
    }
    if (!t.isJson)
    {
        std::erase_if(answer.headers, [](const auto& kv) { return Poco::icompare(kv.first, "Content-Type") == 0; });
        answer.headers.emplace_back("Content-Type", "text/plain; charset=utf-8");
    }
    co_return true;
}

void TwitterRESTHandler::sendAnswer(Call& call, UpstreamResponse upstream, const char* xcache) const
{
    Answer& answer = call.answer;
    answer.setStatus(upstream.status, upstream.reason);
    for (const auto& [k, v] : upstream.headers) answer.add(k, v);
    addConfiguredHeaders(answer);
    if (xcache) answer.set("X-Cache", xcache);
    answer.body = std::move(upstream.body);
}

// ------------------------------------------------------------------ errors

void TwitterRESTHandler::addConfiguredHeaders(Answer& answer) const
{
    for (const auto& [k, v] : _config.headers) answer.set(k, v);
}

void TwitterRESTHandler::sendError(Answer& answer, int status, const std::string& message,
                                   const std::string& reason) const
{
    addConfiguredHeaders(answer);
    fillJsonError(answer, status, message, reason);
}

void TwitterRESTHandler::sendTokenMissing(Answer& answer) const
{
    // The reason phrase is what jQuery hands to .fail() as its third argument:
    // the seed's pages test `msg == 'access token missing'`.
    answer.set("WWW-Authenticate", "OAuth realm=\"" + _config.name + "\"");
    sendError(answer, 401, "access token missing", "access token missing");
}

UpstreamResponse TwitterRESTHandler::tokenMissingAnswer() const
{
    UpstreamResponse answer = errorAnswer(401, "access token missing", "access token missing");
    answer.headers.emplace_back("WWW-Authenticate", "OAuth realm=\"" + _config.name + "\"");
    return answer;
}

std::string TwitterRESTHandler::contextJson(const Call& call) const
{
    oauth1::Params args = call.query;
    args.insert(args.end(), call.form.begin(), call.form.end());
    const TokenSource::Token& token = *call.token;
    std::string out = "{\"url\":";
    jsonQuoteTo(out, _config.name);
    out += ",\"path\":";
    jsonQuoteTo(out, call.apiPath);
    out += ",\"method\":";
    jsonQuoteTo(out, call.request.method);
    out += ",\"args\":{";
    // Gramex's handler.args: every value of a repeated key, in order.
    std::vector<std::string> names;
    for (const auto& [k, v] : args)
        if (std::find(names.begin(), names.end(), k) == names.end()) names.push_back(k);
    for (size_t i = 0; i < names.size(); ++i)
    {
        if (i) out.push_back(',');
        jsonQuoteTo(out, names[i]);
        out += ":[";
        bool first = true;
        for (const auto& [k, v] : args)
        {
            if (k != names[i]) continue;
            if (!first) out.push_back(',');
            first = false;
            jsonQuoteTo(out, v);
        }
        out.push_back(']');
    }
    out += "},\"user\":";
    if (token.screenName.empty() && token.userId.empty())
    {
        out += "null";
    }
    else
    {
        out += "{\"screen_name\":";
        jsonQuoteTo(out, token.screenName);
        out += ",\"id\":";
        jsonQuoteTo(out, token.userId);
        out.push_back('}');
    }
    out.push_back('}');
    return out;
}

bool TwitterRESTHandler::isInvalidTokenAnswer(int status, const std::string& body)
{
    if (status != 401 || body.find("89") == std::string::npos) return false;
    try
    {
        Poco::JSON::Parser parser;
        auto root = parser.parse(body).extract<Poco::JSON::Object::Ptr>();
        auto errors = root->getArray("errors");
        if (!errors) return false;
        for (size_t i = 0; i < errors->size(); ++i)
        {
            auto e = errors->getObject(static_cast<unsigned>(i));
            if (e && e->has("code") && e->getValue<int>("code") == 89) return true;
        }
    }
    catch (const std::exception&)
    {
    }
    return false;
}

} // namespace birdgate
