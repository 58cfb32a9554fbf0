// The OAuth 2.0 user login of a TwitterRESTHandler with `client_id`
// (Authorization Code with PKCE, DESIGN.md 3.8), started by a GET on its
// empty API path:
//
//   1. no code, state or error in the query: a code_verifier and its S256
//      challenge, a random state, both kept in the browser's session with
//      the redirect target and the redirect_uri; 302 to
//      {web_root}/i/oauth2/authorize?response_type=code&client_id&
//      redirect_uri&scope&state&code_challenge&code_challenge_method=S256;
//   2. back with state + code: the state must be the one kept for this
//      browser (constant-time; else the "login expired" page: forged,
//      replayed or expired), and it works once (dropped before the exchange);
//      the code is exchanged at {api_root}/2/oauth2/token with the verifier,
//      2/users/me names the user, and the tokens go into a new session
//      (LoginFlow::finish, no fixation), kept by the handler's callback
//      (which persists them with `access_key: persist`); 302 per `redirect:`;
//   3. back with error=access_denied: the cancel page; another error: the
//      "login failed" page.
//
// The redirect, the pending state and the pages are LoginFlow's, shared
// with the OAuth 1.0a TwitterLogin. Built once per url entry, immutable.
#pragma once

#include "birdgate/common/Task.h"
#include "birdgate/login/LoginFlow.h"
#include "birdgate/twitter/OAuth2Client.h"

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace birdgate
{

class OAuth2Login
{
  public:
    struct Settings
    {
        LoginFlow::Settings flow;
        std::string clientId;
        std::string webRoot; // e.g. https://x.com
        std::string scope;   // space-separated
    };

    /// Puts the new tokens of `user` into the new session `fresh` (saved
    /// afterwards) and wherever else the url keeps them. Runs on a worker.
    /// `obtained`: Unix seconds when the token answer arrived.
    using KeepToken =
        std::function<void(Session& fresh, const OAuth2Tokens& tokens, const OAuth2User& user, long long obtained)>;
    using Now = std::function<std::chrono::system_clock::time_point()>;

    OAuth2Login(Settings settings, std::shared_ptr<const OAuth2Client> client, KeepToken keep,
                std::shared_ptr<SessionManager> sessions, std::shared_ptr<WorkerPool> workers, Now now);

    /// Serves one login request: start, callback or cancel, per `query`.
    Task<void> serve(const Request& request, Answer& answer, const RouteMatch& match, const oauth1::Params& query,
                     std::optional<Session>& session) const;

    /// The authorize URL for these values (tests compare it).
    std::string authorizeUrl(const std::string& redirectUri, const std::string& state,
                             const std::string& challenge) const;

  private:
    Task<void> start(const Request& request, Answer& answer, const RouteMatch& match, const oauth1::Params& query,
                     std::optional<Session>& session) const;
    Task<void> callback(const Request& request, Answer& answer, const std::string& state, const std::string& code,
                        std::optional<Session>& session) const;

    const Settings _settings;
    const LoginFlow _flow;
    const std::shared_ptr<const OAuth2Client> _client;
    const KeepToken _keep;
    const Now _now;
};

} // namespace birdgate
