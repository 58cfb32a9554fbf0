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
//      old one carries over; a login at one url drops other urls'), persisted for
//      everyone with `access_key: persist`; 302 to the redirect target;
//   3. back with denied=: a clear page saying the login was cancelled, with a
//      link to try again; no loop.
//
// It is a short-lived object per login request, a friend of the handler.
#pragma once

#include "birdgate/twitter/OAuth1.h"
#include "birdgate/rest/TwitterRESTHandler.h"

#include <optional>
#include <string>

namespace birdgate
{

class TwitterLogin
{
public:
    /// How long a login that has not come back from Twitter is kept.
    static constexpr long long PENDING_LOGIN_SECONDS = 600;

    explicit TwitterLogin(const TwitterRESTHandler& handler) : _h(handler) {}

    void handle(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response,
                const RouteMatch& match, const oauth1::Params& query, std::optional<Session>& session);

    /// "http(s)://host[:port]" of this request, as the browser sees it.
    static std::string originOf(const Poco::Net::HTTPServerRequest& request);

private:
    void start(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response,
               const RouteMatch& match, const oauth1::Params& query, std::optional<Session>& session);
    void callback(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response,
                  const std::string& token, const std::string& verifier, std::optional<Session>& session);
    void cancelled(Poco::Net::HTTPServerResponse& response, const RouteMatch& match, std::optional<Session>& session);
    /// POST {api_root}/oauth/<name>, signed; the form-encoded answer, or
    /// nullopt with `error` set.
    std::optional<oauth1::Params> oauthCall(const std::string& name, const oauth1::Credentials& creds,
                                            const oauth1::Params& extra, std::string& error);
    void page(Poco::Net::HTTPServerResponse& response, int status, const std::string& title,
              const std::string& message, const std::string& retryUrl);
    std::string stateKey(const char* what) const;

    const TwitterRESTHandler& _h;
};

} // namespace birdgate
