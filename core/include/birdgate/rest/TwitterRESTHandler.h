// TwitterRESTHandler: the Endpoint of a `handler: TwitterRESTHandler` url
// entry (DESIGN.md 3), cut the way Envoy cuts a filter:
//   - RestConfig: its immutable configuration, read once from the kwargs;
//   - TokenSource: where user tokens are found, kept and forgotten;
//   - TwitterLogin / OAuth2Login: the login a GET on the empty API path runs
//     (OAuth 1.0a, or OAuth 2.0 with PKCE for `client_id`);
//   - AppBearer (`bearer:`), TokenRefresher (OAuth 2.0): the other auth kinds
//     of DESIGN.md 3.8, each renewing its token once after a 401;
//   - here: the per-request steps, each a named method, run by serve() in the
//     order DESIGN.md 3.1 fixes: method (405), XSRF (403), body (413), API
//     path (400), token (401), cache, upstream (502/504), transforms.
// serve() is a coroutine on an I/O thread: the store and the transforms run
// on the worker pool; the upstream call (TwitterClient) is awaited and holds
// no thread.
#pragma once

#include "birdgate/twitter/TwitterClient.h"

#include "birdgate/config/Kwargs.h"
#include "birdgate/login/OAuth2Login.h"
#include "birdgate/login/TwitterLogin.h"
#include "birdgate/server/Endpoint.h"
#include "birdgate/server/Services.h"
#include "birdgate/twitter/AppBearer.h"
#include "birdgate/twitter/OAuth2Client.h"
#include "rest/RestConfig.h"
#include "rest/TokenRefresher.h"
#include "rest/TokenSource.h"

#include <memory>
#include <optional>
#include <span>
#include <string>

namespace birdgate
{

class TwitterRESTHandler : public Endpoint
{
  public:
    TwitterRESTHandler(const UrlEntry& entry, const Services& services);
    ~TwitterRESTHandler() override;

    Task<void> serve(Request& request, Answer& answer, const RouteMatch& match) override;

    /// The kwargs table (also the source of etc/birdgate.yaml's comments).
    static std::span<const KwargSpec> kwargSpec() { return RestConfig::kwargSpec(); }

    const std::string& endpointUrl() const { return _config.endpoint; }

    /// A GET of the empty API path of a url that logs users in.
    bool isLoginRequest(const Request& request, const RouteMatch& match) const override;

  private:
    /// One request on its way through the steps (lives in serve()'s frame).
    struct Call
    {
        Request& request;
        Answer& answer;
        const RouteMatch& match;
        BodyKind kind = BodyKind::None;
        bool xsrfOk = true;     // false: the form body must still carry the token
        oauth1::Params query{}; // '+' is a space; `_xsrf` dropped
        oauth1::Params form{};  // a form body's fields; `_xsrf` dropped
        bool getForm = false;   // a GET/HEAD form body: its fields joined the query (DESIGN 3.1)
        std::string apiPath{};  // confined; "" starts the login
        std::optional<Session> session{};
        std::optional<TokenSource::Token> token{};
    };

    // The steps, in order. Each bool step returns false when it has answered.
    bool checkMethod(Call& call) const;
    bool checkXsrf(Call& call) const;
    Task<bool> readBody(Call& call) const;
    bool readParams(Call& call) const;
    bool resolveApiPath(Call& call) const;
    void issueXsrfCookie(Call& call) const;
    Task<void> loadSession(Call& call) const;
    Task<void> startLogin(Call& call) const;
    bool checkParams(Call& call) const;
    Task<bool> findToken(Call& call) const;
    Task<void> answerCached(Call& call) const;
    /// The cache key's identity part for cacheIdentity()'s material: a digest, never a token.
    const std::string& tokenIdentity(const std::string& material) const;
    /// What the upstream and the transforms make of this request: run once
    /// per request, or once per cache key and expiry when cached.
    Task<std::optional<UpstreamResponse>> fetch(const Call& call, bool& cacheable) const;
    /// The one upstream call: builds and signs the request, sends it.
    /// 502/504 answers for an unreachable or slow upstream.
    Task<UpstreamResponse> exchange(const Call& call) const;
    /// An answer nothing needs whole (not cached, no transform): held up to
    /// STREAM_AFTER bytes (so a short answer that breaks is still a clean
    /// 502), then streamed to the client as it arrives; a client that goes
    /// away stops the upstream read.
    Task<void> passThrough(Call& call) const;
    /// The request to X for this call, and the limits it is sent with.
    TwitterCall upstreamCall(const Call& call) const;
    UpstreamLimits upstreamLimits() const;
    /// OAuth 1.0a with the app's credentials and `token`, or Bearer `token`
    /// (app-only and OAuth 2.0 kinds).
    std::unique_ptr<Authorizer> authorizerFor(const TokenSource::Token& token) const;
    /// Whether a 401 from X is worth one renewal and one retry.
    bool renewable() const;
    /// After X answered 401 to `rejected`: the renewed token to retry with
    /// (bearer: renewed once for all; OAuth 2.0: refreshed once for all), or
    /// nullopt; `gone` when there is none any more (the answer is then
    /// `access token missing`).
    Task<std::optional<TokenSource::Token>> renewAfter401(const Call& call, const TokenSource::Token& rejected,
                                                          bool& gone) const;
    /// Who the cache key is for: the token's user, never another's answer.
    std::string cacheIdentity(const Call& call) const;
    static constexpr std::size_t STREAM_AFTER = 256 * 1024;
    /// False (and `answer` the 500) when a transform fails.
    Task<bool> runTransforms(const Call& call, UpstreamResponse& answer) const;
    /// By value: callers move an answer they own (a cached one is copied).
    void sendAnswer(Call& call, UpstreamResponse upstream, const char* xcache) const;
    /// X's answer as the client gets it: a revoked or expired token (401
    /// code 89) is forgotten and becomes `access token missing`; headers
    /// are narrowed to those passed on. Shared by fetch and passThrough.
    Task<void> screenAnswer(const Call& call, UpstreamResponse& answer) const;

    void sendError(Answer& answer, int status, const std::string& message, const std::string& reason = {}) const;
    void sendTokenMissing(Answer& answer) const;
    void addConfiguredHeaders(Answer& answer) const;
    UpstreamResponse tokenMissingAnswer() const;
    static bool isInvalidTokenAnswer(int status, const std::string& body);
    /// The request as transforms see it (Gramex's `handler`): url name, API
    /// path, method, query arguments, the logged-in user.
    std::string contextJson(const Call& call) const;

    const RestConfig _config;
    const Services _services;
    const TokenSource _tokens;
    const TwitterLogin _login;
    const TwitterClient _client;                     // every request of this url to X
    std::shared_ptr<AppBearer> _bearer;              // AuthKind::Bearer
    std::shared_ptr<const OAuth2Client> _oauth2;     // AuthKind::OAuth2
    std::unique_ptr<const OAuth2Login> _oauth2Login; // AuthKind::OAuth2
    std::unique_ptr<TokenRefresher> _refresher;      // AuthKind::OAuth2
};

} // namespace birdgate
