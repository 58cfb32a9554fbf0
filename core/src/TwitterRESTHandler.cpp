// TwitterRESTHandler; see TwitterRESTHandler.h. The checks run in the order
// DESIGN.md 3.1 fixes: method (405), body size (413), API path (400), token
// (401), then the upstream (502/504). A request that fails a check never
// reaches the upstream.
#include "birdgate/TwitterRESTHandler.h"

#include "birdgate/ApiPath.h"
#include "birdgate/HttpErrors.h"

#include <Poco/Net/HTTPRequest.h>
#include <Poco/String.h>
#include <Poco/URI.h>

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
    {"api_root", KwargType::String, nullptr, "Twitter API root for this url; default app.twitter.api_root"},
    {"headers", KwargType::Map, nullptr, "headers added to every answer of this url"},
    {"timeout", KwargType::Number, "20", "seconds to wait for the upstream (connect, and each read)"},
    {"max_body", KwargType::Int, nullptr, "largest request body in bytes; default app.max_body"},
    {"signature_method", KwargType::String, "HMAC-SHA1", "HMAC-SHA1 or HMAC-SHA256"},
    {"redirect", KwargType::Map, nullptr, "where to go after login: {query, header, url, external}"},
    {"login", KwargType::String, "authorize", "authorize | authenticate: Twitter's login page"},
    {"xsrf_cookies", KwargType::Bool, "true", "check the _xsrf cookie on POST/PUT/PATCH/DELETE"},
    {"transform", KwargType::Map, nullptr, "transforms run on 200 answers: {name: {function: plugin.export}}"},
}};
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
    _accessKey = kw.str("access_key");
    _accessSecret = kw.str("access_secret");
    if (_accessKey.empty() != _accessSecret.empty() || (_accessKey == "persist") != (_accessSecret == "persist"))
        kw.fail(_accessKey.empty() ? "access_key" : "access_secret",
                "access_key and access_secret both given (both literal or both `persist`) or both absent");
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

    std::string apiRoot = kw.optStr("api_root").value_or(app.apiRoot);
    while (!apiRoot.empty() && apiRoot.back() == '/') apiRoot.pop_back();
    _endpoint = kw.optStr("endpoint").value_or(apiRoot + "/1.1/");
    if (_endpoint.empty() || _endpoint.back() != '/') _endpoint.push_back('/');
    Poco::URI uri;
    try
    {
        uri = Poco::URI(_endpoint);
    }
    catch (const Poco::Exception&)
    {
        kw.fail("endpoint", "an http:// or https:// URL");
    }
    if ((uri.getScheme() != "http" && uri.getScheme() != "https") || uri.getHost().empty() || !uri.getQuery().empty())
        kw.fail(kw.has("endpoint") ? "endpoint" : "api_root", "an http:// or https:// URL without a query");
    _target = UpstreamTarget{uri.getScheme(), uri.getHost(), uri.getPort()};
    _endpointPath = uri.getPath(); // decoded, but endpoints are plain ASCII paths
    if (_endpointPath.empty() || _endpointPath.back() != '/') _endpointPath.push_back('/');

    if (YAML::Node headers = kw.node("headers"); headers && headers.IsMap())
        for (const auto& h : headers)
            _headers.emplace_back(h.first.as<std::string>(), h.second.IsScalar() ? h.second.as<std::string>() : "");

    double timeout = kw.number("timeout");
    if (timeout <= 0 || timeout > 3600) kw.fail("timeout", "seconds, more than 0 and at most 3600");
    _timeout = Poco::Timespan(static_cast<Poco::Timespan::TimeDiff>(timeout * 1e6));
    _maxBody = kw.has("max_body") ? kw.integer("max_body") : app.maxBody;
    if (_maxBody < 0) kw.fail("max_body", "a size in bytes, 0 or more");
}

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

    // Body: refuse what is too large before reading it.
    std::string body;
    if (request.hasContentLength() && request.getContentLength64() > _maxBody)
    {
        response.setKeepAlive(false);
        sendError(response, 413, "request body larger than " + std::to_string(_maxBody) + " bytes");
        return;
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
                response.setKeepAlive(false);
                sendError(response, 413, "request body larger than " + std::to_string(_maxBody) + " bytes");
                return;
            }
        }
    }

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
        if (apiPath.empty())
        {
            // The OAuth login flow starts here once sessions exist.
            sendError(response, 400, "no API path given");
            return;
        }
    }

    // Parameters: query (a '+' is a space) and form body; `_xsrf` is ours.
    const std::string& uri = request.getURI();
    size_t q = uri.find('?');
    oauth1::Params query, form;
    if (q != std::string::npos && !oauth1::parseForm(std::string_view(uri).substr(q + 1), query))
    {
        sendError(response, 400, "malformed percent-encoding in the query string");
        return;
    }
    BodyKind kind = body.empty() ? BodyKind::None : RestRequest::bodyKind(request.getContentType());
    if (kind == BodyKind::Form && !oauth1::parseForm(body, form))
    {
        sendError(response, 400, "malformed percent-encoding in the form body");
        return;
    }
    auto dropXsrf = [](oauth1::Params& p) {
        std::erase_if(p, [](const auto& kv) { return kv.first == "_xsrf"; });
    };
    dropXsrf(query);
    dropXsrf(form);

    // Token.
    if (_accessKey.empty() || _accessKey == "persist")
    {
        response.set("WWW-Authenticate", "OAuth realm=\"" + _name + "\"");
        sendError(response, 401, "access token missing", "access token missing");
        return;
    }
    oauth1::Credentials creds{_consumerKey, _consumerSecret, _accessKey, _accessSecret, _signatureMethod};

    // Upstream request.
    std::string upMethod = RestRequest::upstreamMethod(_mode, method, apiPath, kind);
    oauth1::Params signedParams;
    std::string upQuery, upBody;
    std::string upContentType;
    if (kind == BodyKind::Form || kind == BodyKind::None)
    {
        if (upMethod == "GET" || upMethod == "DELETE" || upMethod == "HEAD")
        {
            signedParams = query;
            signedParams.insert(signedParams.end(), form.begin(), form.end());
            upQuery = oauth1::encodeForm(signedParams);
        }
        else
        {
            signedParams = query;
            signedParams.insert(signedParams.end(), form.begin(), form.end());
            upQuery = oauth1::encodeForm(query);
            upBody = oauth1::encodeForm(form);
            upContentType = "application/x-www-form-urlencoded";
        }
    }
    else
    {
        // JSON and multipart bodies go as they are and are not signed.
        signedParams = query;
        upQuery = oauth1::encodeForm(query);
        upBody = std::move(body);
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
    catch (const UpstreamTimeout& e)
    {
        sendError(response, 504, "upstream timeout");
        return;
    }
    catch (const UpstreamUnreachable& e)
    {
        sendError(response, 502, "upstream unreachable");
        return;
    }

    response.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(answer.status), answer.reason);
    for (const auto& [k, v] : answer.headers)
        if (RestRequest::passHeader(k)) response.add(k, v);
    addConfiguredHeaders(response);
    if (method == "HEAD")
    {
        response.setContentLength(static_cast<std::streamsize>(answer.body.size()));
        response.send();
        return;
    }
    response.sendBuffer(answer.body.data(), answer.body.size());
}

} // namespace birdgate
