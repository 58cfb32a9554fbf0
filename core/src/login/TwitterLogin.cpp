// TwitterLogin; see TwitterLogin.h. Each step reads like the protocol: the
// upstream calls are awaited TwitterClient sends (no thread waits for X),
// the session work is awaited on the worker pool, and the answer is built on
// the coroutine's own thread.
#include "birdgate/login/TwitterLogin.h"

#include "birdgate/common/HttpErrors.h"
#include "birdgate/common/WorkerPool.h"
#include "birdgate/twitter/TwitterClient.h"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Logger.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <stdexcept>

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

UpstreamLimits upstreamLimits(const TwitterLogin::Settings& settings)
{
    UpstreamLimits limits;
    limits.timeout = std::chrono::milliseconds(settings.timeout.totalMilliseconds());
    limits.maxAnswer = settings.maxAnswer;
    return limits;
}
} // namespace

TwitterLogin::TwitterLogin(Settings settings, KeepToken keep, std::shared_ptr<SessionManager> sessions,
                           std::shared_ptr<WorkerPool> workers, std::shared_ptr<UpstreamPool> upstreams)
    : _settings(std::move(settings)), _keep(std::move(keep)), _sessions(std::move(sessions)),
      _workers(std::move(workers)), _upstreams(std::move(upstreams))
{
}

std::string TwitterLogin::originOf(const Request& request)
{
    const std::string& host = request.header("Host");
    // A Host header with anything but host[:port] characters is not used.
    for (char c : host)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == ':' || c == '[' || c == ']'))
            return {};
    return std::string(SessionManager::isSecure(request) ? "https://" : "http://") + host;
}

std::string TwitterLogin::stateKey(const char* what) const
{
    return std::string("login:") + _settings.urlName + ":" + what;
}

void TwitterLogin::addConfiguredHeaders(Answer& answer) const
{
    for (const auto& [k, v] : _settings.headers) answer.set(k, v);
}

void TwitterLogin::sendError(Answer& answer, int status, const std::string& message) const
{
    addConfiguredHeaders(answer);
    fillJsonError(answer, status, message);
}

void TwitterLogin::redirectTo(Answer& answer, const std::string& location) const
{
    answer.set("Cache-Control", "no-store");
    addConfiguredHeaders(answer);
    answer.setStatus(302);
    answer.set("Location", location);
    answer.body.clear();
}

Task<void> TwitterLogin::serve(const Request& request, Answer& answer, const RouteMatch& match,
                               const oauth1::Params& query, std::optional<Session>& session) const
{
    std::string token = find(query, "oauth_token");
    std::string verifier = find(query, "oauth_verifier");
    bool denied = std::any_of(query.begin(), query.end(), [](const auto& kv) { return kv.first == "denied"; });
    if (denied)
        co_await cancelled(answer, match, session);
    else if (!token.empty() || !verifier.empty())
        co_await callback(request, answer, token, verifier, session);
    else
        co_await start(request, answer, match, query, session);
}

Task<std::optional<oauth1::Params>> TwitterLogin::oauthCall(const char* name, const oauth1::Credentials& creds,
                                                            const oauth1::Params& extra, std::string& error) const
{
    // Named objects only: no class temporaries in a co_await expression (g++ 12).
    TwitterCall call;
    call.method = "POST";
    call.path = _settings.apiRootPath + "/oauth/" + name;
    const OAuth1Authorizer auth(creds, extra);
    const TwitterClient client(_settings.apiRootTarget, _upstreams);
    const UpstreamLimits limits = upstreamLimits(_settings);
    std::optional<UpstreamResponse> answer;
    try
    {
        UpstreamResponse response = co_await client.send(call, auth, limits);
        answer = std::move(response);
    }
    catch (const std::exception&)
    {
        error = "Twitter could not be reached";
        co_return std::nullopt;
    }
    if (answer->status != 200)
    {
        error = std::string("Twitter refused oauth/") + name + " (HTTP " + std::to_string(answer->status) + ")";
        co_return std::nullopt;
    }
    oauth1::Params out;
    if (!oauth1::parseForm(answer->body, out))
    {
        error = std::string("Twitter's answer to oauth/") + name + " is not a form";
        co_return std::nullopt;
    }
    co_return out;
}

Task<void> TwitterLogin::verifyCredentials(User& user, std::string& displayName) const
{
    TwitterCall call;
    call.path = _settings.endpointPath + "account/verify_credentials.json";
    const oauth1::Credentials creds{_settings.consumerKey, _settings.consumerSecret, user.key, user.secret,
                                    _settings.signatureMethod};
    const OAuth1Authorizer auth(creds);
    const TwitterClient client(_settings.endpointTarget, _upstreams);
    const UpstreamLimits limits = upstreamLimits(_settings);
    UpstreamResponse answer = co_await client.send(call, auth, limits);
    if (answer.status != 200) throw std::runtime_error("HTTP " + std::to_string(answer.status));
    Poco::JSON::Parser parser;
    auto obj = parser.parse(answer.body).extract<Poco::JSON::Object::Ptr>();
    if (obj->has("screen_name")) user.screenName = obj->getValue<std::string>("screen_name");
    if (obj->has("id_str")) user.userId = obj->getValue<std::string>("id_str");
    displayName = obj->optValue<std::string>("name", user.screenName);
}

void TwitterLogin::page(Answer& answer, int status, const std::string& title, const std::string& message,
                        const std::string& retryUrl) const
{
    std::string html = "<!doctype html><html><head><meta charset=\"utf-8\"><title>" + htmlEscape(title) +
                       "</title></head><body><h1>" + htmlEscape(title) + "</h1><p>" + htmlEscape(message) +
                       "</p><p><a id=\"retry\" href=\"" + htmlEscape(retryUrl) +
                       "\">Log in with Twitter again</a> &middot; <a id=\"home\" href=\"/\">Back to the site</a></p>"
                       "</body></html>";
    answer.set("Cache-Control", "no-store");
    addConfiguredHeaders(answer);
    answer.send(status, "text/html; charset=utf-8", std::move(html));
}

Task<void> TwitterLogin::start(const Request& request, Answer& answer, const RouteMatch& match,
                               const oauth1::Params& query, std::optional<Session>& session) const
{
    std::string origin = originOf(request);
    if (origin.empty())
    {
        sendError(answer, 400, "bad Host header");
        co_return;
    }
    std::string next = _settings.redirect.target([&](const std::string& name) { return find(query, name); },
                                                 [&](const std::string& name) { return request.header(name); }, origin);
    std::string callbackUrl = origin + match.path;
    oauth1::Credentials app{_settings.consumerKey, _settings.consumerSecret, "", "", _settings.signatureMethod};
    std::string why;
    // Named, not braced in the call: g++ 12 cannot hold an initializer list
    // across a co_await.
    const oauth1::Params callbackParam{{"oauth_callback", callbackUrl}};
    auto tokens = co_await oauthCall("request_token", app, callbackParam, why);
    if (tokens && find(*tokens, "oauth_callback_confirmed") != "true") why = "Twitter did not confirm the callback URL";
    std::string token = tokens ? find(*tokens, "oauth_token") : "";
    std::string secret = tokens ? find(*tokens, "oauth_token_secret") : "";
    if (why.empty() && token.empty()) why = "Twitter sent no request token";
    if (!why.empty())
    {
        log().warning("url %s: login could not start: %s", _settings.urlName, why);
        sendError(answer, 502, "login failed: " + why);
        co_return;
    }
    // A browser without a session gets one that lives only as long as the
    // login may take: anonymous visits to the login URL must not fill the store.
    bool fresh = !session;
    if (fresh) session = _sessions->create();
    session->data[stateKey("token")] = token;
    session->data[stateKey("secret")] = secret;
    session->data[stateKey("next")] = next;
    co_await _workers->run([&] {
        if (fresh)
            _sessions->save(*session, std::chrono::seconds(PENDING_LOGIN_SECONDS));
        else
            _sessions->save(*session);
    });
    _sessions->setCookie(answer, *session, SessionManager::isSecure(request));
    redirectTo(answer, _settings.apiRoot + (_settings.authenticate ? "/oauth/authenticate" : "/oauth/authorize") +
                           "?oauth_token=" + oauth1::percentEncode(token));
}

Task<void> TwitterLogin::callback(const Request& request, Answer& answer, const std::string& token,
                                  const std::string& verifier, std::optional<Session>& session) const
{
    const std::string retry = originOf(request).empty() ? "/" : std::string(request.path());
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
        page(answer, 400, "Login expired",
             "This login link is not valid for this browser any more (it was used already, expired, or came from "
             "elsewhere). Please start again.",
             retry);
        co_return;
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
    co_await _workers->run([&] {
        if (loggedIn)
            _sessions->save(*session);
        else
            _sessions->save(*session, std::chrono::seconds(PENDING_LOGIN_SECONDS));
    });

    oauth1::Credentials withRequestToken{_settings.consumerKey, _settings.consumerSecret, token, requestSecret,
                                         _settings.signatureMethod};
    std::string why;
    const oauth1::Params verifierParam{{"oauth_verifier", verifier}};
    auto access = co_await oauthCall("access_token", withRequestToken, verifierParam, why);
    User user;
    if (access)
    {
        user.key = find(*access, "oauth_token");
        user.secret = find(*access, "oauth_token_secret");
        user.screenName = find(*access, "screen_name");
        user.userId = find(*access, "user_id");
        if (user.key.empty() || user.secret.empty() || user.key.find('\n') != std::string::npos ||
            user.secret.find('\n') != std::string::npos)
            why = "Twitter sent no usable access token";
    }
    if (!why.empty())
    {
        log().warning("url %s: login failed: %s", _settings.urlName, why);
        page(answer, 502, "Login failed", "Twitter did not complete the login: " + why + ".", retry);
        co_return;
    }

    // verify_credentials: the user as Twitter knows them now.
    std::string displayName;
    std::string failure;
    try
    {
        co_await verifyCredentials(user, displayName);
    }
    catch (const std::exception& e)
    {
        failure = e.what();
    }
    if (!failure.empty())
    {
        log().warning("url %s: login failed: verify_credentials: %s", _settings.urlName, failure);
        page(answer, 502, "Login failed", "Twitter did not confirm who logged in.", retry);
        co_return;
    }
    session->data["user.name"] = displayName;

    // A new, empty session for the logged-in browser: no fixation, and
    // nothing an attacker may have planted in the old one (say, their own
    // token for another url) is carried into the victim's login.
    Session fresh = _sessions->create();
    co_await _workers->run([&] {
        _keep(fresh, user);
        _sessions->save(fresh);
        _sessions->destroy(session->id);
    });
    _sessions->setCookie(answer, fresh, SessionManager::isSecure(request));
    log().information("url %s: @%s logged in", _settings.urlName, user.screenName);
    redirectTo(answer, next.empty() ? "/" : next);
}

Task<void> TwitterLogin::cancelled(Answer& answer, const RouteMatch& match, std::optional<Session>& session) const
{
    if (session)
    {
        session->data.erase(stateKey("token"));
        session->data.erase(stateKey("secret"));
        session->data.erase(stateKey("next"));
        co_await _workers->run([&] { _sessions->save(*session); });
    }
    page(answer, 403, "Login cancelled",
         "You cancelled the login with Twitter, so this site cannot use your Twitter account.", match.path);
}

} // namespace birdgate
