// LoginFlow: what every login of a url has in common, whatever the protocol
// (the OAuth 1.0a TwitterLogin, the OAuth 2.0 OAuth2Login; DESIGN.md 3.3,
// 3.8), so both behave the same where they should and the logic lives once:
//   - the callback address: app.public_url + the url's path when set (behind
//     a proxy), else scheme and Host of the request, X-Forwarded-Proto and
//     -Host believed only from app.trusted_proxies;
//   - the pending login: its state kept in the browser's session (a browser
//     without one gets a session that lasts PENDING_LOGIN_SECONDS), dropped
//     before the exchange with X so a callback works once;
//   - the end: a new, empty session (no fixation; nothing planted in the old
//     one carries over), the token kept by the url's callback, the old
//     session destroyed, 302 per `redirect:`;
//   - the pages: the cancel page, the expired-link page, JSON errors, each
//     with the url's configured headers.
#pragma once

#include "birdgate/common/Task.h"
#include "birdgate/login/RedirectPolicy.h"
#include "birdgate/server/Answer.h"
#include "birdgate/server/Endpoint.h"
#include "birdgate/server/Request.h"
#include "birdgate/session/SessionManager.h"
#include "birdgate/twitter/OAuth1.h"

#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace birdgate
{

class WorkerPool;

class LoginFlow
{
  public:
    /// How long a login that has not come back from X is kept.
    static constexpr long long PENDING_LOGIN_SECONDS = 600;

    struct Settings
    {
        std::string urlName;
        RedirectPolicy redirect;
        std::vector<std::pair<std::string, std::string>> headers; // the url's configured headers
        std::string publicUrl;                                    // app.public_url ("" when not set)
        std::vector<std::string> trustedProxies;                  // app.trusted_proxies
    };

    LoginFlow(Settings settings, std::shared_ptr<SessionManager> sessions, std::shared_ptr<WorkerPool> workers);

    /// "scheme://host[:port]" (plus public_url's path prefix) as the browser
    /// reaches birdgate; "" for a Host header with anything but host[:port]
    /// characters.
    std::string originOf(const Request& request) const;
    /// The login's own address (its callback, OAuth 2.0's redirect_uri):
    /// origin + the url's path, no query; "" when the origin is unknown.
    std::string callbackUrl(const Request& request, const RouteMatch& match) const;
    /// Where to go after the login, per `redirect:`.
    std::string nextTarget(const Request& request, const oauth1::Params& query) const;

    /// The session key of a piece of login state ("login:<url>:<what>").
    std::string stateKey(const char* what) const;
    /// Keeps `state` (what → value) in the browser's session, creating a
    /// short-lived one when there is none, and sets its cookie.
    Task<void> keepPending(const Request& request, Answer& answer, std::optional<Session>& session,
                           const std::vector<std::pair<std::string, std::string>>& state) const;
    /// The kept value of `what`, "" when none.
    std::string pending(const std::optional<Session>& session, const char* what) const;
    /// Drops the login state (it works once) and saves the session; one that
    /// holds no login yet keeps its short life.
    Task<void> dropPending(std::optional<Session>& session, const std::vector<const char*>& whats) const;

    /// Puts the logged-in user into `fresh` (saved afterwards). Runs on a worker.
    using Keep = std::function<void(Session& fresh)>;
    /// The end of a successful login: a new session filled by `keep`, the
    /// old one destroyed, the cookie set, 302 to `next`.
    Task<void> finish(const Request& request, Answer& answer, const std::optional<Session>& old, const Keep& keep,
                      const std::string& next, const std::string& who) const;

    /// `denied` / `error=access_denied`: the state dropped, the cancel page.
    Task<void> cancelled(Answer& answer, const RouteMatch& match, std::optional<Session>& session,
                         const std::vector<const char*>& whats, const std::string& provider) const;

    /// A page for a person (login failed or expired), with a retry link.
    void page(Answer& answer, int status, const std::string& title, const std::string& message,
              const std::string& retryUrl) const;
    void sendError(Answer& answer, int status, const std::string& message) const;
    void redirectTo(Answer& answer, const std::string& location) const;

    /// The first value of `name` in `query` ("" when absent).
    static std::string param(const oauth1::Params& query, const std::string& name);
    static bool hasParam(const oauth1::Params& query, const std::string& name);

    /// True when the session holds a login of any url (a token:* field).
    static bool loggedIn(const Session& session);
    /// True when X-Forwarded-* of this request may be believed.
    bool fromTrustedProxy(const Request& request) const;

  private:
    void addConfiguredHeaders(Answer& answer) const;

    const Settings _settings;
    const std::shared_ptr<SessionManager> _sessions;
    const std::shared_ptr<WorkerPool> _workers;
};

} // namespace birdgate
