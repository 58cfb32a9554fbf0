// OAuth2Login; see OAuth2Login.h.
#include "birdgate/login/OAuth2Login.h"

#include "login/Pkce.h"

#include <Poco/Logger.h>

namespace birdgate
{
namespace
{
Poco::Logger& log()
{
    return Poco::Logger::get("birdgate.login");
}

const std::vector<const char*> STATE = {"state", "verifier", "next", "redirect_uri"};
} // namespace

OAuth2Login::OAuth2Login(Settings settings, std::shared_ptr<const OAuth2Client> client, KeepToken keep,
                         std::shared_ptr<SessionManager> sessions, std::shared_ptr<WorkerPool> workers, Now now)
    : _settings(std::move(settings)), _flow(_settings.flow, std::move(sessions), std::move(workers)),
      _client(std::move(client)), _keep(std::move(keep)), _now(std::move(now))
{
}

std::string OAuth2Login::authorizeUrl(const std::string& redirectUri, const std::string& state,
                                      const std::string& challenge) const
{
    const oauth1::Params params{{"response_type", "code"},
                                {"client_id", _settings.clientId},
                                {"redirect_uri", redirectUri},
                                {"scope", _settings.scope},
                                {"state", state},
                                {"code_challenge", challenge},
                                {"code_challenge_method", "S256"}};
    return _settings.webRoot + "/i/oauth2/authorize?" + oauth1::encodeForm(params);
}

Task<void> OAuth2Login::serve(const Request& request, Answer& answer, const RouteMatch& match,
                              const oauth1::Params& query, std::optional<Session>& session) const
{
    if (LoginFlow::hasParam(query, "error"))
    {
        if (LoginFlow::param(query, "error") == "access_denied")
        {
            co_await _flow.cancelled(answer, match, session, STATE, "X");
            co_return;
        }
        // Another error X sends back (invalid_request, invalid_scope, ...):
        // the login is over; its state goes.
        co_await _flow.dropPending(session, STATE);
        _flow.page(answer, 400, "Login failed", "X did not complete the login.", match.path);
        co_return;
    }
    if (LoginFlow::hasParam(query, "code") || LoginFlow::hasParam(query, "state"))
        co_await callback(request, answer, LoginFlow::param(query, "state"), LoginFlow::param(query, "code"), session);
    else
        co_await start(request, answer, match, query, session);
}

Task<void> OAuth2Login::start(const Request& request, Answer& answer, const RouteMatch& match,
                              const oauth1::Params& query, std::optional<Session>& session) const
{
    const std::string redirectUri = _flow.callbackUrl(request, match);
    if (redirectUri.empty())
    {
        _flow.sendError(answer, 400, "bad Host header");
        co_return;
    }
    const std::string verifier = pkce::makeVerifier();
    const std::string state = pkce::makeState();
    const std::vector<std::pair<std::string, std::string>> pending{{"state", state},
                                                                   {"verifier", verifier},
                                                                   {"next", _flow.nextTarget(request, query)},
                                                                   {"redirect_uri", redirectUri}};
    co_await _flow.keepPending(request, answer, session, pending);
    _flow.redirectTo(answer, authorizeUrl(redirectUri, state, pkce::challengeS256(verifier)));
}

Task<void> OAuth2Login::callback(const Request& request, Answer& answer, const std::string& state,
                                 const std::string& code, std::optional<Session>& session) const
{
    const std::string retry = std::string(request.path());
    if (!pkce::stateMatches(_flow.pending(session, "state"), state) || code.empty())
    {
        _flow.page(answer, 400, "Login expired",
                   "This login link is not valid for this browser any more (it was used already, expired, or came "
                   "from elsewhere). Please start again.",
                   retry);
        co_return;
    }
    const std::string verifier = _flow.pending(session, "verifier");
    const std::string next = _flow.pending(session, "next");
    const std::string redirectUri = _flow.pending(session, "redirect_uri");
    // The state works once: drop it before anything else can fail.
    co_await _flow.dropPending(session, STATE);

    std::string why;
    OAuth2Tokens tokens;
    OAuth2User user;
    long long obtained = 0;
    try
    {
        tokens = co_await _client->exchangeCode(code, redirectUri, verifier);
        obtained = std::chrono::duration_cast<std::chrono::seconds>(_now().time_since_epoch()).count();
        user = co_await _client->me(tokens.access);
    }
    catch (const std::exception& e)
    {
        // OAuth2Error and upstream errors name no code, verifier or token.
        why = e.what();
    }
    if (!why.empty())
    {
        log().warning("url %s: OAuth 2.0 login failed: %s", _settings.flow.urlName, why);
        _flow.page(answer, 502, "Login failed", "X did not complete the login.", retry);
        co_return;
    }
    const LoginFlow::Keep keep = [&](Session& fresh) {
        fresh.data["user.name"] = user.name;
        _keep(fresh, tokens, user, obtained);
    };
    co_await _flow.finish(request, answer, session, keep, next, user.username);
}

} // namespace birdgate
