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

LoginFlow::Settings flowSettings(const TwitterLogin::Settings& s)
{
    return LoginFlow::Settings{s.urlName, s.redirect, s.headers, s.publicUrl, s.trustedProxies};
}

const std::vector<const char*> STATE = {"token", "secret", "next"};
} // namespace

TwitterLogin::TwitterLogin(Settings settings, KeepToken keep, std::shared_ptr<SessionManager> sessions,
                           std::shared_ptr<WorkerPool> workers, std::shared_ptr<UpstreamPool> upstreams)
    : _settings(std::move(settings)), _flow(flowSettings(_settings), sessions, workers), _keep(std::move(keep)),
      _sessions(std::move(sessions)), _workers(std::move(workers)), _upstreams(std::move(upstreams))
{
}

Task<void> TwitterLogin::serve(const Request& request, Answer& answer, const RouteMatch& match,
                               const oauth1::Params& query, std::optional<Session>& session) const
{
    std::string token = LoginFlow::param(query, "oauth_token");
    std::string verifier = LoginFlow::param(query, "oauth_verifier");
    bool denied = LoginFlow::hasParam(query, "denied");
    if (denied)
        co_await _flow.cancelled(answer, match, session, STATE, "Twitter");
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

Task<void> TwitterLogin::start(const Request& request, Answer& answer, const RouteMatch& match,
                               const oauth1::Params& query, std::optional<Session>& session) const
{
    std::string callbackUrl = _flow.callbackUrl(request, match);
    if (callbackUrl.empty())
    {
        _flow.sendError(answer, 400, "bad Host header");
        co_return;
    }
    std::string next = _flow.nextTarget(request, query);
    oauth1::Credentials app{_settings.consumerKey, _settings.consumerSecret, "", "", _settings.signatureMethod};
    std::string why;
    // Named, not braced in the call: g++ 12 cannot hold an initializer list
    // across a co_await.
    const oauth1::Params callbackParam{{"oauth_callback", callbackUrl}};
    auto tokens = co_await oauthCall("request_token", app, callbackParam, why);
    if (tokens && LoginFlow::param(*tokens, "oauth_callback_confirmed") != "true")
        why = "Twitter did not confirm the callback URL";
    std::string token = tokens ? LoginFlow::param(*tokens, "oauth_token") : "";
    std::string secret = tokens ? LoginFlow::param(*tokens, "oauth_token_secret") : "";
    if (why.empty() && token.empty()) why = "Twitter sent no request token";
    if (!why.empty())
    {
        log().warning("url %s: login could not start: %s", _settings.urlName, why);
        _flow.sendError(answer, 502, "login failed: " + why);
        co_return;
    }
    const std::vector<std::pair<std::string, std::string>> state{{"token", token}, {"secret", secret}, {"next", next}};
    co_await _flow.keepPending(request, answer, session, state);
    _flow.redirectTo(answer, _settings.apiRoot + (_settings.authenticate ? "/oauth/authenticate" : "/oauth/authorize") +
                                 "?oauth_token=" + oauth1::percentEncode(token));
}

Task<void> TwitterLogin::callback(const Request& request, Answer& answer, const std::string& token,
                                  const std::string& verifier, std::optional<Session>& session) const
{
    const std::string retry = _flow.originOf(request).empty() ? "/" : std::string(request.path());
    // The request token must be the one this browser asked for: anything
    // else is a forged, replayed or expired callback.
    const std::string kept = _flow.pending(session, "token");
    bool known = !token.empty() && !kept.empty() && oauth1::constantTimeEquals(kept, token);
    if (!known || verifier.empty())
    {
        _flow.page(answer, 400, "Login expired",
                   "This login link is not valid for this browser any more (it was used already, expired, or came "
                   "from elsewhere). Please start again.",
                   retry);
        co_return;
    }
    std::string requestSecret = _flow.pending(session, "secret");
    std::string next = _flow.pending(session, "next");
    // The request token works once: drop it before anything else can fail.
    co_await _flow.dropPending(session, STATE);

    oauth1::Credentials withRequestToken{_settings.consumerKey, _settings.consumerSecret, token, requestSecret,
                                         _settings.signatureMethod};
    std::string why;
    const oauth1::Params verifierParam{{"oauth_verifier", verifier}};
    auto access = co_await oauthCall("access_token", withRequestToken, verifierParam, why);
    User user;
    if (access)
    {
        user.key = LoginFlow::param(*access, "oauth_token");
        user.secret = LoginFlow::param(*access, "oauth_token_secret");
        user.screenName = LoginFlow::param(*access, "screen_name");
        user.userId = LoginFlow::param(*access, "user_id");
        if (user.key.empty() || user.secret.empty() || user.key.find('\n') != std::string::npos ||
            user.secret.find('\n') != std::string::npos)
            why = "Twitter sent no usable access token";
    }
    if (!why.empty())
    {
        log().warning("url %s: login failed: %s", _settings.urlName, why);
        _flow.page(answer, 502, "Login failed", "Twitter did not complete the login: " + why + ".", retry);
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
        _flow.page(answer, 502, "Login failed", "Twitter did not confirm who logged in.", retry);
        co_return;
    }
    const LoginFlow::Keep keep = [&](Session& fresh) {
        fresh.data["user.name"] = displayName;
        _keep(fresh, user);
    };
    co_await _flow.finish(request, answer, session, keep, next, user.screenName);
}

} // namespace birdgate
