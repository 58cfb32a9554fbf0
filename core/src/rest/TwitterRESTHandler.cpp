// TwitterRESTHandler; see TwitterRESTHandler.h. The checks run in the order
// DESIGN.md 3.1 fixes: method (405), XSRF (403), body size (413), API path
// (400), token (401), then the upstream (502/504). A request that fails a
// check never reaches the upstream.
#include "birdgate/rest/TwitterRESTHandler.h"

#include "rest/ApiPath.h"
#include "birdgate/common/HttpErrors.h"
#include "birdgate/cache/ResponseCache.h"
#include "birdgate/session/SessionManager.h"
#include "birdgate/session/Store.h"
#include "birdgate/plugin/TransformChain.h"
#include "birdgate/login/TwitterLogin.h"
#include "birdgate/login/Xsrf.h"

#include <Poco/JSON/Parser.h>
#include <Poco/Logger.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/String.h>

#include <openssl/sha.h>

#include <algorithm>
#include <array>
#include <istream>

namespace birdgate
{
namespace
{
const std::array<KwargSpec, 17> SPEC = {{
    {"key", KwargType::String, nullptr, "consumer (API) key of the Twitter app (required)"},
    {"secret", KwargType::String, nullptr, "consumer (API) secret of the Twitter app (required)"},
    {"access_key", KwargType::String, nullptr, "user token: a literal value, `persist`, or absent (the session's)"},
    {"access_secret", KwargType::String, nullptr, "user token secret: literal, `persist`, or absent"},
    {"path", KwargType::String, nullptr, "fixed API path used instead of the pattern's first group"},
    {"methods", KwargType::StringList, "GET, POST", "client methods allowed; others get 405"},
    {"upstream_method", KwargType::String, "auto", "auto | GET | POST | same: the method sent to Twitter"},
    {"endpoint", KwargType::String, nullptr, "upstream base URL; default {api_root}/1.1/"},
    {"api_root", KwargType::String, nullptr, "Twitter API root for this url (login URLs too); default app.twitter.api_root"},
    {"headers", KwargType::Map, nullptr, "headers added to every answer of this url"},
    {"timeout", KwargType::Number, "20", "seconds to wait for the upstream (connect, and each read)"},
    {"max_body", KwargType::Int, nullptr, "largest request body in bytes; default app.max_body"},
    {"signature_method", KwargType::String, "HMAC-SHA1", "HMAC-SHA1 or HMAC-SHA256"},
    {"redirect", KwargType::Map, nullptr, "after login: {query: next, header: Referer, url: /, external: false}"},
    {"login", KwargType::String, "authorize", "authorize | authenticate: which Twitter page signs users in"},
    {"xsrf_cookies", KwargType::Bool, "true", "check the _xsrf cookie on POST/PUT/PATCH/DELETE"},
    {"transform", KwargType::Map, nullptr, "transforms run on 200 answers: {name: {function: plugin.export}}"},
}};

UpstreamTarget targetOf(const Kwargs& kw, const std::string& key, const std::string& url, std::string& path)
{
    auto target = parseUpstreamUrl(url, path);
    if (!target) kw.fail(key, "an http:// or https:// URL without a query (got '" + url + "')");
    return *target;
}
} // namespace

std::span<const KwargSpec> TwitterRESTHandler::kwargSpec()
{
    return SPEC;
}

TwitterRESTHandler::TwitterRESTHandler(const UrlEntry& entry, const Services& services)
    : _name(entry.name), _services(services)
{
    Kwargs kw(entry.kwargs, entry.origin, entry.line, "url." + entry.name + ".kwargs", SPEC, services.warnings);
    const AppConfig& app = services.config->app;

    _consumerKey = kw.str("key");
    _consumerSecret = kw.str("secret");
    if (_consumerKey.empty()) kw.fail("key", "the Twitter app's consumer key");
    if (_consumerSecret.empty()) kw.fail("secret", "the Twitter app's consumer secret");
    std::string accessKey = kw.str("access_key"), accessSecret = kw.str("access_secret");
    if (accessKey.empty() != accessSecret.empty() || (accessKey == "persist") != (accessSecret == "persist"))
        kw.fail(accessKey.empty() ? "access_key" : "access_secret",
                "access_key and access_secret both given (both literal or both `persist`) or both absent");
    if (accessKey == "persist")
        _tokenMode = TokenMode::Persist;
    else if (!accessKey.empty())
    {
        _tokenMode = TokenMode::Literal;
        _literal = Token{accessKey, accessSecret, "", ""};
    }
    try
    {
        _signatureMethod = oauth1::parseSignatureMethod(kw.str("signature_method"));
    }
    catch (const std::invalid_argument&)
    {
        kw.fail("signature_method", "HMAC-SHA1 or HMAC-SHA256");
    }

    if (auto path = kw.optStr("path"))
    {
        std::string why;
        if (!ApiPath::confine(*path, _fixedPath, why) || _fixedPath.empty())
            kw.fail("path", "a relative Twitter API path such as search/tweets.json (" +
                                (why.empty() ? std::string("empty") : why) + ")");
        _hasFixedPath = true;
    }

    try
    {
        _methods = RestRequest::parseMethods(kw.list("methods"));
    }
    catch (const std::invalid_argument& e)
    {
        kw.fail("methods", e.what());
    }
    if (_methods.empty()) kw.fail("methods", "at least one HTTP method");
    if (_methods.count("GET")) _methods.insert("HEAD");
    for (const auto& m : _methods) _allowHeader += (_allowHeader.empty() ? "" : ", ") + m;

    try
    {
        _mode = RestRequest::parseMode(kw.str("upstream_method"));
    }
    catch (const std::invalid_argument& e)
    {
        kw.fail("upstream_method", e.what());
    }

    _apiRoot = kw.optStr("api_root").value_or(app.apiRoot);
    while (!_apiRoot.empty() && _apiRoot.back() == '/') _apiRoot.pop_back();
    _apiRootTarget = targetOf(kw, kw.has("api_root") ? "api_root" : "endpoint", _apiRoot, _apiRootPath);
    while (!_apiRootPath.empty() && _apiRootPath.back() == '/') _apiRootPath.pop_back();
    _endpoint = kw.optStr("endpoint").value_or(_apiRoot + "/1.1/");
    if (_endpoint.empty() || _endpoint.back() != '/') _endpoint.push_back('/');
    _target = targetOf(kw, kw.has("endpoint") ? "endpoint" : "api_root", _endpoint, _endpointPath);
    if (_endpointPath.empty() || _endpointPath.back() != '/') _endpointPath.push_back('/');

    _headers = kw.stringPairs("headers");

    double timeout = kw.number("timeout");
    if (timeout <= 0 || timeout > 3600) kw.fail("timeout", "seconds, more than 0 and at most 3600");
    _timeout = Poco::Timespan(static_cast<Poco::Timespan::TimeDiff>(timeout * 1e6));
    _maxBody = kw.has("max_body") ? kw.integer("max_body") : app.maxBody;
    if (_maxBody < 0) kw.fail("max_body", "a size in bytes, 0 or more");

    std::string login = Poco::toLower(kw.str("login"));
    if (login != "authorize" && login != "authenticate") kw.fail("login", "authorize or authenticate");
    _authenticate = login == "authenticate";
    _xsrf = kw.boolean("xsrf_cookies");

    if (YAML::Node redirect = kw.node("redirect"); redirect && redirect.IsMap())
    {
        _redirect.clearSources();
        for (const auto& item : redirect)
        {
            std::string k = item.first.as<std::string>();
            if (!item.second.IsScalar()) kw.fail("redirect", "a map of query/header/url/external to strings");
            std::string v = item.second.as<std::string>();
            if (k == "query") _redirect.add(RedirectPolicy::Source::Query, v);
            else if (k == "header") _redirect.add(RedirectPolicy::Source::Header, v);
            else if (k == "url") _redirect.add(RedirectPolicy::Source::Url, v);
            else if (k == "external")
            {
                std::string b = Poco::toLower(v);
                if (b != "true" && b != "false" && b != "yes" && b != "no")
                    kw.fail("redirect", "external: true or false");
                _redirect.setExternal(b == "true" || b == "yes");
            }
            else kw.fail("redirect", "only the keys query, header, url and external (got '" + k + "')");
        }
    }
    if (_tokenMode != TokenMode::Literal && (!services.store || !services.sessions))
        kw.fail("access_key", "a store for sessions and persisted tokens (app.store)");

    if (YAML::Node transform = kw.node("transform"); transform && !transform.IsNull())
        _transforms = std::make_unique<TransformChain>(transform, entry.origin, kw.context() + ".transform",
                                                       *services.plugins, services.transforms);

    // cache: {duration: N}, or Gramex's cache: {expiry: {duration: N}}.
    if (entry.cache && !entry.cache.IsNull())
    {
        const std::string key = "url." + _name + ".cache";
        auto line = [](const YAML::Node& n) { return n.Mark().line >= 0 ? n.Mark().line + 1 : 0; };
        if (!entry.cache.IsMap()) throw ConfigError(entry.origin.file, line(entry.cache), key, "{duration: seconds}");

        // Const access and reset(): yaml-cpp's operator[] and operator= on a
        // non-const Node would write into the config tree.
        const YAML::Node& cache = entry.cache;
        YAML::Node duration;
        if (cache["duration"]) duration.reset(cache["duration"]);
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
        _cacheSeconds = seconds;
    }
}

TwitterRESTHandler::~TwitterRESTHandler() = default;

void TwitterRESTHandler::addConfiguredHeaders(Poco::Net::HTTPServerResponse& response) const
{
    for (const auto& [k, v] : _headers) response.set(k, v);
}

void TwitterRESTHandler::sendError(Poco::Net::HTTPServerResponse& response, int status, const std::string& message,
                                   const std::string& reason) const
{
    addConfiguredHeaders(response);
    sendJsonError(response, status, message, reason);
}

void TwitterRESTHandler::sendTokenMissing(Poco::Net::HTTPServerResponse& response) const
{
    // The reason phrase is what jQuery hands to .fail() as its third argument:
    // the seed's pages test `msg == 'access token missing'`.
    response.set("WWW-Authenticate", "OAuth realm=\"" + _name + "\"");
    sendError(response, 401, "access token missing", "access token missing");
}

std::string TwitterRESTHandler::persistKey() const
{
    return _name + ":" + _consumerKey;
}

std::string TwitterRESTHandler::sessionTokenKey() const
{
    // A session may hold tokens of several Twitter apps (url entries with
    // different consumer keys); a token only works with its own app.
    return "token:" + _consumerKey;
}

std::optional<TwitterRESTHandler::Token> TwitterRESTHandler::findToken(const std::optional<Session>& session) const
{
    switch (_tokenMode)
    {
    case TokenMode::Literal: return _literal;
    case TokenMode::Persist:
    {
        auto value = _services.store->get("persist", persistKey());
        if (!value) return std::nullopt;
        std::vector<std::string> parts;
        size_t start = 0;
        while (start <= value->size())
        {
            size_t nl = value->find('\n', start);
            if (nl == std::string::npos) nl = value->size();
            parts.push_back(value->substr(start, nl - start));
            start = nl + 1;
        }
        if (parts.size() < 2 || parts[0].empty()) return std::nullopt;
        parts.resize(4);
        return Token{parts[0], parts[1], parts[2], parts[3]};
    }
    case TokenMode::Session:
    {
        if (!session) return std::nullopt;
        auto key = session->data.find(sessionTokenKey());
        auto secret = session->data.find(sessionTokenKey() + ":secret");
        if (key == session->data.end() || secret == session->data.end() || key->second.empty()) return std::nullopt;
        auto name = session->data.find("user.screen_name");
        auto id = session->data.find("user.id");
        return Token{key->second, secret->second, name == session->data.end() ? "" : name->second,
                     id == session->data.end() ? "" : id->second};
    }
    }
    return std::nullopt;
}

void TwitterRESTHandler::storeToken(Session& session, const Token& token) const
{
    session.data[sessionTokenKey()] = token.key;
    session.data[sessionTokenKey() + ":secret"] = token.secret;
    session.data["user.screen_name"] = token.screenName;
    session.data["user.id"] = token.userId;
    if (_tokenMode == TokenMode::Persist)
        _services.store->put("persist", persistKey(),
                             token.key + "\n" + token.secret + "\n" + token.screenName + "\n" + token.userId,
                             std::chrono::system_clock::time_point::max());
}

void TwitterRESTHandler::forgetToken(const std::optional<Session>& session, const std::string& rejected) const
{
    // Forget only the token Twitter rejected: another request may have
    // stored a newer one (a login in another tab, a new persisted login)
    // since this request read it. Re-read, compare, then erase.
    if (_tokenMode == TokenMode::Persist)
    {
        auto current = findToken(std::nullopt);
        if (current && current->key == rejected) _services.store->erase("persist", persistKey());
    }
    else if (_tokenMode == TokenMode::Session && session)
    {
        std::optional<Session> now = _services.sessions->reload(session->id);
        if (!now) return; // rotated or expired meanwhile: nothing of ours to forget
        auto key = now->data.find(sessionTokenKey());
        if (key == now->data.end() || key->second != rejected) return;
        now->data.erase(sessionTokenKey());
        now->data.erase(sessionTokenKey() + ":secret");
        _services.sessions->save(*now);
    }
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

bool TwitterRESTHandler::readBody(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response,
                                  bool xsrfOk, std::string& body) const
{
    auto tooLarge = [&] {
        response.setKeepAlive(false);
        if (xsrfOk)
            sendError(response, 413, "request body larger than " + std::to_string(_maxBody) + " bytes");
        else
            sendError(response, 403, "XSRF token missing or wrong");
    };
    if (request.hasContentLength() && request.getContentLength64() > _maxBody)
    {
        tooLarge();
        return false;
    }
    if (request.hasContentLength() || request.getChunkedTransferEncoding())
    {
        std::istream& in = request.stream();
        char buf[16384];
        while (in.read(buf, sizeof buf) || in.gcount() > 0)
        {
            body.append(buf, static_cast<size_t>(in.gcount()));
            if (static_cast<long long>(body.size()) > _maxBody)
            {
                tooLarge();
                return false;
            }
        }
    }
    return true;
}

void TwitterRESTHandler::handle(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response,
                                const RouteMatch& match)
{
    const std::string& method = request.getMethod();
    if (!_methods.count(method))
    {
        response.set("Allow", _allowHeader);
        sendError(response, 405, "method " + method + " not allowed here");
        return;
    }

    // XSRF: headers first; a form may still carry the token in its body.
    bool xsrfNeeded = _xsrf && Xsrf::unsafeMethod(method);
    bool xsrfOk = !xsrfNeeded || Xsrf::passesByHeaders(request);
    BodyKind kind = RestRequest::bodyKind(request.getContentType());
    if (!xsrfOk && kind != BodyKind::Form)
    {
        sendError(response, 403, "XSRF token missing or wrong");
        return;
    }

    std::string body;
    if (!readBody(request, response, xsrfOk, body)) return;
    // A GET or HEAD body means nothing to Twitter: it is neither forwarded nor
    // signed (and so cannot make two requests of one cache key differ).
    if (body.empty() || method == "GET" || method == "HEAD") kind = BodyKind::None;

    // Parameters: query (a '+' is a space) and form body; `_xsrf` is ours.
    const std::string& uri = request.getURI();
    size_t q = uri.find('?');
    oauth1::Params query, form;
    bool queryOk = q == std::string::npos || oauth1::parseForm(std::string_view(uri).substr(q + 1), query);
    bool formOk = kind != BodyKind::Form || oauth1::parseForm(body, form);
    if (!xsrfOk)
    {
        std::string token;
        for (const auto& [k, v] : form)
            if (k == "_xsrf") token = v;
        if (!formOk || !Xsrf::passesByForm(request, token))
        {
            sendError(response, 403, "XSRF token missing or wrong");
            return;
        }
    }
    if (!queryOk || !formOk)
    {
        sendError(response, 400, std::string("malformed percent-encoding in the ") + (queryOk ? "form body" : "query string"));
        return;
    }
    auto dropXsrf = [](oauth1::Params& p) {
        std::erase_if(p, [](const auto& kv) { return kv.first == "_xsrf"; });
    };
    dropXsrf(query);
    dropXsrf(form);

    // API path.
    std::string apiPath;
    if (_hasFixedPath)
    {
        apiPath = _fixedPath;
    }
    else
    {
        std::string why;
        const std::string& raw = match.groups.size() > 1 ? match.groups[1] : std::string();
        if (!ApiPath::confine(raw, apiPath, why))
        {
            sendError(response, 400, "bad API path: " + why);
            return;
        }
    }

    bool secure = SessionManager::isSecure(request);
    if (_xsrf && (method == "GET" || method == "HEAD") && Xsrf::cookie(request).empty()) Xsrf::issue(response, secure);

    std::optional<Session> session;
    if (_tokenMode == TokenMode::Session || apiPath.empty()) session = _services.sessions->load(request);

    if (apiPath.empty())
    {
        if (method != "GET")
        {
            sendError(response, 400, "no API path given (a GET here starts the login)");
            return;
        }
        if (_tokenMode == TokenMode::Literal)
        {
            sendError(response, 400, "no API path given (this url uses a fixed token: there is nothing to log in to)");
            return;
        }
        TwitterLogin(*this).handle(request, response, match, query, session);
        return;
    }

    // oauth_* parameters belong to the protocol, which birdgate speaks itself:
    // a client's would be signed and sent next to birdgate's own.
    for (const oauth1::Params* params : {&query, &form})
        for (const auto& kv : *params)
            if (kv.first.rfind("oauth_", 0) == 0)
            {
                sendError(response, 400, "parameter " + kv.first + " is not allowed: birdgate signs the request");
                return;
            }

    std::optional<Token> token = findToken(session);
    if (!token)
    {
        sendTokenMissing(response);
        return;
    }

    // What the upstream and the transforms make of this request. Run once
    // per request, or once per cache key and expiry when cached.
    auto exchange = [&](bool& cacheable) -> std::optional<UpstreamResponse> {
        cacheable = false;
        oauth1::Credentials creds{_consumerKey, _consumerSecret, token->key, token->secret, _signatureMethod};
        std::string upMethod = RestRequest::upstreamMethod(_mode, method, apiPath, kind);
        oauth1::Params signedParams = query;
        std::string upQuery, upBody, upContentType;
        if (kind == BodyKind::Form || kind == BodyKind::None)
        {
            signedParams.insert(signedParams.end(), form.begin(), form.end());
            if (upMethod == "GET" || upMethod == "DELETE")
            {
                upQuery = oauth1::encodeForm(signedParams);
            }
            else
            {
                upQuery = oauth1::encodeForm(query);
                upBody = oauth1::encodeForm(form);
                upContentType = "application/x-www-form-urlencoded";
            }
        }
        else
        {
            // JSON and multipart bodies go as they are and are not signed.
            upQuery = oauth1::encodeForm(query);
            upBody = body;
            upContentType = request.getContentType();
        }

        std::string upPath = _endpointPath + apiPath;
        std::string signUrl = oauth1::baseUrl(_target.scheme, _target.host, _target.port, upPath);
        Poco::Net::HTTPRequest upstream(upMethod, upQuery.empty() ? upPath : upPath + "?" + upQuery,
                                        Poco::Net::HTTPMessage::HTTP_1_1);
        upstream.setHost(_target.host, static_cast<Poco::UInt16>(_target.port));
        upstream.set("Authorization", oauth1::authorizationHeader(upMethod, signUrl, signedParams, creds));
        upstream.set("User-Agent", "birdgate/" BIRDGATE_VERSION);
        upstream.set("Accept-Encoding", "identity");
        if (!upContentType.empty()) upstream.setContentType(upContentType);

        UpstreamResponse answer;
        try
        {
            answer = _services.upstreams->send(_target, upstream, upBody, _timeout);
        }
        catch (const UpstreamTimeout&)
        {
            answer = UpstreamResponse{504, "Gateway Timeout", {}, errorBody(504, "upstream timeout")};
            answer.headers.emplace_back("Content-Type", "application/json; charset=utf-8");
            return answer;
        }
        catch (const UpstreamUnreachable&)
        {
            answer = UpstreamResponse{502, "Bad Gateway", {}, errorBody(502, "upstream unreachable")};
            answer.headers.emplace_back("Content-Type", "application/json; charset=utf-8");
            return answer;
        }

        if (_tokenMode != TokenMode::Literal && isInvalidTokenAnswer(answer.status, answer.body))
        {
            // Twitter no longer accepts this token (revoked or expired):
            // forget it so the page's `access token missing` handler logs in again.
            forgetToken(session, token->key);
            answer = UpstreamResponse{401, "access token missing", {}, errorBody(401, "access token missing")};
            answer.headers.emplace_back("Content-Type", "application/json; charset=utf-8");
            answer.headers.emplace_back("WWW-Authenticate", "OAuth realm=\"" + _name + "\"");
            return answer;
        }
        std::erase_if(answer.headers, [](const auto& kv) { return !RestRequest::passHeader(kv.first); });

        if (answer.status == 200 && _transforms)
        {
            oauth1::Params args = query;
            args.insert(args.end(), form.begin(), form.end());
            TransformChain::Outcome t = _transforms->run(answer.body, contextJson(method, apiPath, args, *token));
            if (!t.ok)
            {
                Poco::Logger::get("birdgate").error("url %s: transform %s failed: %s", _name, t.failedStep, t.error);
                // The client learns which transform failed; the plugin's own
                // message (paths, config) stays in the log.
                answer = UpstreamResponse{500, "Internal Server Error", {},
                                          errorBody(500, "transform " + t.failedStep + " failed")};
                answer.headers.emplace_back("Content-Type", "application/json; charset=utf-8");
                return answer;
            }
            if (!t.isJson)
            {
                std::erase_if(answer.headers, [](const auto& kv) { return Poco::icompare(kv.first, "Content-Type") == 0; });
                answer.headers.emplace_back("Content-Type", "text/plain; charset=utf-8");
            }
        }
        cacheable = answer.status == 200;
        return answer;
    };

    bool head = method == "HEAD";
    if (_cacheSeconds > 0 && (method == "GET" || head))
    {
        // One user never sees another's answer: the key holds a digest of
        // the token that signs the request (shared for literal/persisted).
        unsigned char digest[SHA256_DIGEST_LENGTH];
        std::string secretMaterial = token->key + '\n' + _consumerKey;
        SHA256(reinterpret_cast<const unsigned char*>(secretMaterial.data()), secretMaterial.size(), digest);
        std::string identity(reinterpret_cast<const char*>(digest), sizeof digest);
        std::string key = ResponseCache::key("GET", request.getURI(), identity);
        bool hit = false;
        auto cached = _services.cache->getOrFetch(key, std::chrono::seconds(_cacheSeconds), exchange, hit);
        if (!cached)
        {
            sendError(response, 502, "upstream unreachable");
            return;
        }
        sendAnswer(response, *cached, head, hit ? "HIT" : "MISS");
        return;
    }
    bool cacheable = false;
    std::optional<UpstreamResponse> answer = exchange(cacheable);
    sendAnswer(response, *answer, head, nullptr);
}

std::string TwitterRESTHandler::contextJson(const std::string& method, const std::string& apiPath,
                                            const oauth1::Params& args, const Token& token) const
{
    std::string out = "{\"url\":";
    jsonQuoteTo(out, _name);
    out += ",\"path\":";
    jsonQuoteTo(out, apiPath);
    out += ",\"method\":";
    jsonQuoteTo(out, method);
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

void TwitterRESTHandler::sendAnswer(Poco::Net::HTTPServerResponse& response, const UpstreamResponse& answer,
                                    bool head, const char* xcache) const
{
    response.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(answer.status), answer.reason);
    for (const auto& [k, v] : answer.headers) response.add(k, v);
    addConfiguredHeaders(response);
    if (xcache) response.set("X-Cache", xcache);
    if (head)
    {
        response.setContentLength(static_cast<std::streamsize>(answer.body.size()));
        response.send();
        return;
    }
    response.sendBuffer(answer.body.data(), answer.body.size());
}

} // namespace birdgate
