// The OAuth 1.0a login of a TwitterRESTHandler (DESIGN.md 3.3), started by a
// GET on its empty API path:
//
//   1. no oauth_token in the query: POST {api_root}/oauth/request_token with
//      the absolute callback URL (this same URL), check
//      oauth_callback_confirmed, keep the request token and the redirect
//      target in the browser's session, 302 to {api_root}/oauth/authorize
//      (or authenticate); a browser without a session gets one that lasts
//      PENDING_LOGIN_SECONDS only;
//   2. back with oauth_token + oauth_verifier: the token must be the one kept
//      for this browser (else 400: forged, replayed or expired), then
//      oauth/access_token, account/verify_credentials.json, and the token and
//      user go into a new, empty session (no fixation, nothing planted in the
//      old one carries over; a login at one url drops other urls'), kept by
//      the handler's callback (which persists it for everyone with
//      `access_key: persist`); 302 to the redirect target;
//   3. back with denied=: a clear page saying the login was cancelled, with a
//      link to try again; no loop.
//
// The callback URL, the pending state, the new session and the pages are
// LoginFlow's, shared with the OAuth 2.0 login (OAuth2Login).
//
// Built once per url entry, immutable, and given everything it needs through
// its constructor (no reaching into the handler). serve() is a coroutine:
// the upstream calls go through TwitterClient and are awaited (no thread
// waits for X); the session store calls run on the worker pool.
#pragma once

#include "birdgate/common/Task.h"
#include "birdgate/login/LoginFlow.h"
#include "birdgate/login/RedirectPolicy.h"
#include "birdgate/server/Answer.h"
#include "birdgate/server/Endpoint.h"
#include "birdgate/server/Request.h"
#include "birdgate/session/SessionManager.h"
#include "birdgate/twitter/OAuth1.h"
#include "birdgate/twitter/Upstream.h"

#include <Poco/Timespan.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace birdgate
{

class WorkerPool;
class UpstreamPool;

class TwitterLogin
{
  public:
    /// How long a login that has not come back from Twitter is kept.
    static constexpr long long PENDING_LOGIN_SECONDS = LoginFlow::PENDING_LOGIN_SECONDS;

    /// The user a login ends with.
    struct User
    {
        std::string key;
        std::string secret;
        std::string screenName;
        std::string userId;
    };

    /// Puts `user`'s token into the new session `fresh` (saved afterwards by
    /// the login) and wherever else the url keeps it. Runs on a worker.
    using KeepToken = std::function<void(Session& fresh, const User& user)>;

    struct Settings
    {
        std::string urlName;
        std::string consumerKey;
        std::string consumerSecret;
        oauth1::SignatureMethod signatureMethod = oauth1::SignatureMethod::HmacSha1;
        std::string apiRoot;           // e.g. https://api.twitter.com: where browsers authorize
        UpstreamTarget apiRootTarget;  // oauth/request_token, oauth/access_token
        std::string apiRootPath;       // path of apiRoot without trailing '/', e.g. "" or "/sandbox"
        UpstreamTarget endpointTarget; // account/verify_credentials.json
        std::string endpointPath;      // e.g. /1.1/
        bool authenticate = false;     // login: authenticate
        RedirectPolicy redirect;
        std::vector<std::pair<std::string, std::string>> headers; // the url's configured headers
        Poco::Timespan timeout;
        std::uint64_t maxAnswer = 64ull << 20;   // app.max_answer
        std::string publicUrl;                   // app.public_url
        std::vector<std::string> trustedProxies; // app.trusted_proxies
    };

    TwitterLogin(Settings settings, KeepToken keep, std::shared_ptr<SessionManager> sessions,
                 std::shared_ptr<WorkerPool> workers, std::shared_ptr<UpstreamPool> upstreams);

    /// Serves one login request: start, callback or cancel, per `query`.
    /// `session` is the browser's (loaded by the caller), nullopt when none.
    Task<void> serve(const Request& request, Answer& answer, const RouteMatch& match, const oauth1::Params& query,
                     std::optional<Session>& session) const;

  private:
    Task<void> start(const Request& request, Answer& answer, const RouteMatch& match, const oauth1::Params& query,
                     std::optional<Session>& session) const;
    Task<void> callback(const Request& request, Answer& answer, const std::string& token, const std::string& verifier,
                        std::optional<Session>& session) const;
    /// POST {api_root}/oauth/<name> through TwitterClient, signed with
    /// `creds` and the `extra` oauth_* parameters; the form-encoded answer,
    /// or nullopt with `error` set.
    /// `name` is a literal: no class temporaries in a co_await expression (g++ 12).
    Task<std::optional<oauth1::Params>> oauthCall(const char* name, const oauth1::Credentials& creds,
                                                  const oauth1::Params& extra, std::string& error) const;
    /// GET account/verify_credentials.json with the user's token: fills in
    /// the user as Twitter knows them now and their display name. Throws on
    /// any failure.
    Task<void> verifyCredentials(User& user, std::string& displayName) const;

    const Settings _settings;
    const LoginFlow _flow; // the callback URL, pending state, new session, pages
    const KeepToken _keep;
    const std::shared_ptr<SessionManager> _sessions;
    const std::shared_ptr<WorkerPool> _workers;
    const std::shared_ptr<UpstreamPool> _upstreams;
};

} // namespace birdgate
