// TwitterLogin; see TwitterLogin.h.
#include "birdgate/login/TwitterLogin.h"

#include "birdgate/common/HttpErrors.h"
#include "birdgate/session/SessionManager.h"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Logger.h>
#include <Poco/Net/HTTPRequest.h>

#include <algorithm>
#include <chrono>

namespace birdgate
{
namespace
{
std::string find(const oauth1::Params& params, const std::string& name)
{
    for (const auto& [k, v] : params)
        if (k == name) return v;
    return {};
}

Poco::Logger& log()
{
    return Poco::Logger::get("birdgate.login");
}
} // namespace

std::string TwitterLogin::originOf(const Poco::Net::HTTPServerRequest& request)
{
    std::string host = request.getHost();
    // A Host header with anything but host[:port] characters is not used.
    for (char c : host)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == ':' || c == '[' || c == ']'))
            return {};
    return std::string(SessionManager::isSecure(request) ? "https://" : "http://") + host;
}

std::string TwitterLogin::stateKey(const char* what) const
{
    return std::string("login:") + _h._name + ":" + what;
}

void TwitterLogin::handle(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response,
                          const RouteMatch& match, const oauth1::Params& query, std::optional<Session>& session)
{
    std::string token = find(query, "oauth_token");
    std::string verifier = find(query, "oauth_verifier");
    bool denied = false;
    for (const auto& [k, v] : query)
        if (k == "denied") denied = true;
    if (denied) return cancelled(response, match, session);
    if (!token.empty() || !verifier.empty()) return callback(request, response, token, verifier, session);
    start(request, response, match, query, session);
}

std::optional<oauth1::Params> TwitterLogin::oauthCall(const std::string& name, const oauth1::Credentials& creds,
                                                      const oauth1::Params& extra, std::string& error)
{
    std::string path = _h._apiRootPath + "/oauth/" + name;
    const UpstreamTarget& t = _h._apiRootTarget;
    std::string url = oauth1::baseUrl(t.scheme, t.host, t.port, path);
    Poco::Net::HTTPRequest req("POST", path, Poco::Net::HTTPMessage::HTTP_1_1);
    req.setHost(t.host, static_cast<Poco::UInt16>(t.port));
    req.set("Authorization", oauth1::authorizationHeader("POST", url, {}, creds, extra));
    req.set("User-Agent", "birdgate/" BIRDGATE_VERSION);
    UpstreamResponse answer;
    try
    {
        answer = _h._services.upstreams->send(t, req, "", _h._timeout);
    }
    catch (const std::exception&)
    {
        error = "Twitter could not be reached";
        return std::nullopt;
    }
    if (answer.status != 200)
    {
        error = "Twitter refused oauth/" + name + " (HTTP " + std::to_string(answer.status) + ")";
        return std::nullopt;
    }
    oauth1::Params out;
    if (!oauth1::parseForm(answer.body, out))
    {
        error = "Twitter's answer to oauth/" + name + " is not a form";
        return std::nullopt;
    }
    return out;
}

void TwitterLogin::page(Poco::Net::HTTPServerResponse& response, int status, const std::string& title,
                        const std::string& message, const std::string& retryUrl)
{
    std::string html = "<!doctype html><html><head><meta charset=\"utf-8\"><title>" + htmlEscape(title) +
                       "</title></head><body><h1>" + htmlEscape(title) + "</h1><p>" + htmlEscape(message) +
                       "</p><p><a id=\"retry\" href=\"" + htmlEscape(retryUrl) +
                       "\">Log in with Twitter again</a> &middot; <a id=\"home\" href=\"/\">Back to the site</a></p>"
                       "</body></html>";
    response.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
    response.setContentType("text/html; charset=utf-8");
    response.set("Cache-Control", "no-store");
    _h.addConfiguredHeaders(response);
    response.sendBuffer(html.data(), html.size());
}

void TwitterLogin::start(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response,
                         const RouteMatch& match, const oauth1::Params& query, std::optional<Session>& session)
{
    std::string origin = originOf(request);
    if (origin.empty())
    {
        _h.sendError(response, 400, "bad Host header");
        return;
    }
    std::string next = _h._redirect.target([&](const std::string& name) { return find(query, name); },
                                           [&](const std::string& name) { return request.get(name, ""); }, origin);
    std::string callbackUrl = origin + match.path;
    oauth1::Credentials app{_h._consumerKey, _h._consumerSecret, "", "", _h._signatureMethod};
    std::string error;
    auto answer = oauthCall("request_token", app, {{"oauth_callback", callbackUrl}}, error);
    if (answer && find(*answer, "oauth_callback_confirmed") != "true") error = "Twitter did not confirm the callback URL";
    std::string token = answer ? find(*answer, "oauth_token") : "";
    std::string secret = answer ? find(*answer, "oauth_token_secret") : "";
    if (error.empty() && token.empty()) error = "Twitter sent no request token";
    if (!error.empty())
    {
        log().warning("url %s: login could not start: %s", _h._name, error);
        _h.sendError(response, 502, "login failed: " + error);
        return;
    }
    // A browser without a session gets one that lives only as long as the
    // login may take: anonymous visits to the login URL must not fill the store.
    bool fresh = !session;
    if (fresh) session = _h._services.sessions->create();
    session->data[stateKey("token")] = token;
    session->data[stateKey("secret")] = secret;
    session->data[stateKey("next")] = next;
    if (fresh)
        _h._services.sessions->save(*session, std::chrono::seconds(PENDING_LOGIN_SECONDS));
    else
        _h._services.sessions->save(*session);
    _h._services.sessions->setCookie(response, *session, SessionManager::isSecure(request));
    std::string authorize = _h._apiRoot + (_h._authenticate ? "/oauth/authenticate" : "/oauth/authorize") +
                            "?oauth_token=" + oauth1::percentEncode(token);
    response.set("Cache-Control", "no-store");
    _h.addConfiguredHeaders(response);
    response.redirect(authorize, Poco::Net::HTTPResponse::HTTP_FOUND);
}

void TwitterLogin::callback(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response,
                            const std::string& token, const std::string& verifier, std::optional<Session>& session)
{
    const std::string retry = originOf(request).empty() ? "/" : request.getURI().substr(0, request.getURI().find('?'));
    // The request token must be the one this browser asked for: anything
    // else is a forged, replayed or expired callback.
    bool known = false;
    if (session && !token.empty())
    {
        auto kept = session->data.find(stateKey("token"));
        known = kept != session->data.end() && oauth1::constantTimeEquals(kept->second, token);
    }
    if (!known || verifier.empty())
    {
        page(response, 400, "Login expired",
             "This login link is not valid for this browser any more (it was used already, expired, or came from "
             "elsewhere). Please start again.",
             retry);
        return;
    }
    std::string requestSecret = session->data[stateKey("secret")];
    std::string next = session->data[stateKey("next")];
    // The request token works once: drop it before anything else can fail.
    session->data.erase(stateKey("token"));
    session->data.erase(stateKey("secret"));
    session->data.erase(stateKey("next"));
    // A session that holds no login yet keeps its short lifetime.
    bool loggedIn = std::any_of(session->data.begin(), session->data.end(),
                                [](const auto& kv) { return kv.first.rfind("token:", 0) == 0; });
    if (loggedIn)
        _h._services.sessions->save(*session);
    else
        _h._services.sessions->save(*session, std::chrono::seconds(PENDING_LOGIN_SECONDS));

    oauth1::Credentials withRequestToken{_h._consumerKey, _h._consumerSecret, token, requestSecret,
                                         _h._signatureMethod};
    std::string error;
    auto access = oauthCall("access_token", withRequestToken, {{"oauth_verifier", verifier}}, error);
    TwitterRESTHandler::Token user;
    if (access)
    {
        user.key = find(*access, "oauth_token");
        user.secret = find(*access, "oauth_token_secret");
        user.screenName = find(*access, "screen_name");
        user.userId = find(*access, "user_id");
        if (user.key.empty() || user.secret.empty() || user.key.find('\n') != std::string::npos ||
            user.secret.find('\n') != std::string::npos)
            error = "Twitter sent no usable access token";
    }
    if (!error.empty())
    {
        log().warning("url %s: login failed: %s", _h._name, error);
        page(response, 502, "Login failed", "Twitter did not complete the login: " + error + ".", retry);
        return;
    }

    // verify_credentials: the user as Twitter knows them now.
    std::string path = _h._endpointPath + "account/verify_credentials.json";
    const UpstreamTarget& t = _h._target;
    Poco::Net::HTTPRequest req("GET", path, Poco::Net::HTTPMessage::HTTP_1_1);
    req.setHost(t.host, static_cast<Poco::UInt16>(t.port));
    oauth1::Credentials creds{_h._consumerKey, _h._consumerSecret, user.key, user.secret, _h._signatureMethod};
    req.set("Authorization",
            oauth1::authorizationHeader("GET", oauth1::baseUrl(t.scheme, t.host, t.port, path), {}, creds));
    req.set("User-Agent", "birdgate/" BIRDGATE_VERSION);
    try
    {
        UpstreamResponse answer = _h._services.upstreams->send(t, req, "", _h._timeout);
        if (answer.status != 200) throw std::runtime_error("HTTP " + std::to_string(answer.status));
        Poco::JSON::Parser parser;
        auto obj = parser.parse(answer.body).extract<Poco::JSON::Object::Ptr>();
        if (obj->has("screen_name")) user.screenName = obj->getValue<std::string>("screen_name");
        if (obj->has("id_str")) user.userId = obj->getValue<std::string>("id_str");
        session->data["user.name"] = obj->optValue<std::string>("name", user.screenName);
    }
    catch (const std::exception& e)
    {
        log().warning("url %s: login failed: verify_credentials: %s", _h._name, std::string(e.what()));
        page(response, 502, "Login failed", "Twitter did not confirm who logged in.", retry);
        return;
    }

    // A new, empty session for the logged-in browser: no fixation, and
    // nothing an attacker may have planted in the old one (say, their own
    // token for another url) is carried into the victim's login.
    Session fresh = _h._services.sessions->create();
    _h.storeToken(fresh, user);
    _h._services.sessions->save(fresh);
    _h._services.sessions->destroy(session->id);
    _h._services.sessions->setCookie(response, fresh, SessionManager::isSecure(request));
    log().information("url %s: @%s logged in", _h._name, user.screenName);
    response.set("Cache-Control", "no-store");
    _h.addConfiguredHeaders(response);
    response.redirect(next.empty() ? "/" : next, Poco::Net::HTTPResponse::HTTP_FOUND);
}

void TwitterLogin::cancelled(Poco::Net::HTTPServerResponse& response, const RouteMatch& match,
                             std::optional<Session>& session)
{
    if (session)
    {
        session->data.erase(stateKey("token"));
        session->data.erase(stateKey("secret"));
        session->data.erase(stateKey("next"));
        _h._services.sessions->save(*session);
    }
    page(response, 403, "Login cancelled",
         "You cancelled the login with Twitter, so this site cannot use your Twitter account.", match.path);
}

} // namespace birdgate
