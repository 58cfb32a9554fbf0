// The sandbox's OAuth state: the consumer apps it accepts, the access tokens
// it honours (pre-issued from kwargs or minted by the login flow), the
// request tokens of logins in progress and the app-only bearer tokens.
//
// Apps are fixed at construction; everything else changes while requests run,
// so it lives behind one mutex and is handed out by value. Request tokens
// expire after REQUEST_TOKEN_TTL seconds and a verifier is single-use: the
// request token is deleted by the exchange that consumes it, success or not.
// Tokens come from OpenSSL's CSPRNG.
//
// Access tokens minted by a login are stateless: the token carries the user
// and a MAC keyed by the apps' secrets, and its secret is derived from it. A
// sandbox restarted with the same apps therefore still honours them, as
// Twitter would, so persisted tokens can be tested across restarts (the demo
// runs the sandbox in birdgate's own process).
#pragma once

#include "birdgate/common/ThreadAnnotations.h"

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace birdgate
{

struct SandboxApp
{
    std::string key;
    std::string secret;
    std::string name;
};

struct SandboxAccessToken
{
    std::string token;
    std::string secret;
    std::string screenName;
    std::string appKey; // empty: valid with any configured app (pre-issued)
};

struct SandboxRequestToken
{
    std::string token;
    std::string secret;
    std::string appKey;
    std::string callback; // an http(s) URL or "oob"
    std::string verifier; // set once authorised
    std::string screenName;
    long long created = 0;
};

class SandboxOAuth
{
  public:
    static constexpr long long REQUEST_TOKEN_TTL = 3600;
    static constexpr std::size_t MAX_REQUEST_TOKENS = 10000;

    void addApp(const SandboxApp& app);
    void addAccessToken(const SandboxAccessToken& token);
    /// Minted access tokens depend on the epoch: changing it revokes them.
    void setEpoch(const std::string& epoch) { _epoch = epoch; }

    /// Apps never change after construction: the pointer stays valid.
    const SandboxApp* app(const std::string& key) const;
    const std::vector<SandboxApp>& apps() const { return _appList; }

    std::optional<SandboxAccessToken> accessToken(const std::string& token) const;

    /// A new request token for `appKey`, to be sent back to `callback`.
    SandboxRequestToken newRequestToken(const std::string& appKey, const std::string& callback, long long now);
    /// A pending or authorised request token that has not expired.
    std::optional<SandboxRequestToken> requestToken(const std::string& token, long long now) const;
    /// Marks a pending request token authorised by `screenName`; returns it
    /// with its verifier, or nothing when unknown, expired or already authorised.
    std::optional<SandboxRequestToken> authorize(const std::string& token, const std::string& screenName,
                                                 long long now);
    /// Drops a request token (the user cancelled); returns what it was.
    std::optional<SandboxRequestToken> cancel(const std::string& token, long long now);

    enum class Exchange
    {
        Ok,
        UnknownToken,  // never issued, expired or already exchanged
        NotAuthorized, // the user has not pressed Authorize yet
        BadVerifier,
        WrongApp
    };
    /// Trades an authorised request token and its verifier for a new access
    /// token. The request token is consumed whatever the outcome, except
    /// UnknownToken and NotAuthorized, so a verifier can never be replayed.
    Exchange exchange(const std::string& token, const std::string& appKey, const std::string& verifier,
                      std::uint64_t userId, long long now, SandboxAccessToken& out);

    /// The app's bearer token (one per app, stable once minted, as Twitter does).
    std::string bearerFor(const std::string& appKey);
    /// The app key a bearer token belongs to.
    std::optional<std::string> bearerApp(const std::string& bearer) const;

    /// `length` random characters of [A-Za-z0-9].
    static std::string randomToken(std::size_t length);

  private:
    /// A new stateless access token for `userId`/`screenName` of `appKey`.
    SandboxAccessToken mint(const std::string& appKey, std::uint64_t userId, const std::string& screenName) const;
    /// The token minted by mint(), if `token` is one (and its MAC checks out).
    std::optional<SandboxAccessToken> decode(const std::string& token) const;
    std::string mac(const std::string& data, std::size_t length) const;

    void expireLocked(long long now) BIRDGATE_REQUIRES(_mutex);

    std::string _mintKey; // derived from the apps' secrets
    std::string _epoch;
    std::vector<SandboxApp> _appList;
    std::map<std::string, std::size_t> _appIndex;

    mutable std::mutex _mutex;
    std::map<std::string, SandboxAccessToken> _access BIRDGATE_GUARDED_BY(_mutex);
    std::map<std::string, SandboxRequestToken> _requests BIRDGATE_GUARDED_BY(_mutex);
    std::map<std::string, std::string> _bearerByApp BIRDGATE_GUARDED_BY(_mutex);
    std::map<std::string, std::string> _appByBearer BIRDGATE_GUARDED_BY(_mutex);
};

} // namespace birdgate
