// The sandbox's OAuth 2.0 authorization server (DESIGN.md 6): the clients it
// knows, the Authorization Code with PKCE grant, rotating refresh tokens,
// revocation and expiring access tokens, as X runs them. TwitterSandbox
// turns HTTP into calls of this class (SandboxOAuth2Pages.cpp); everything
// here is plain state and rules, so the unit tests can drive it directly.
//
// Why it is shaped so:
//   - Every decision of the token endpoint is one method returning either
//     a token answer or an Error {error, description}: the caller renders
//     RFC 6749's JSON without knowing the rules.
//   - Codes, access and refresh tokens are random (OpenSSL's CSPRNG through
//     SandboxOAuth::randomToken) and kept under the SHA-256 of their value:
//     a lookup compares digests, never the secret itself, and the table holds
//     no usable token. Client secrets and PKCE verifiers are compared in
//     constant time.
//   - One authorization is a "grant": its code, its access tokens and its
//     refresh token share a grant id. Replaying a code revokes the grant (RFC
//     6749 4.1.2), revoking a refresh token revokes the grant, revoking an
//     access token only that token. A refresh rotates: the old refresh token
//     dies at once, access tokens already issued live out their lifetime.
//   - Time comes from an injected Clock, so tests expire codes (CODE_TTL)
//     and tokens (token_lifetime) without waiting.
//   - Tokens live in memory, bounded: a restart forgets them (X's clients
//     then log in again); when a table is full the expired entries go, then
//     the oldest.
#pragma once

#include "birdgate/common/Clock.h"
#include "birdgate/common/ThreadAnnotations.h"

#include <cstddef>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace birdgate
{

/// One OAuth 2.0 client (an `apps:` entry with a client_id).
struct SandboxClient
{
    std::string clientId;
    std::string clientSecret; // empty: a public client
    std::string name;
    std::vector<std::string> callbacks; // exact redirect URIs
    std::set<std::string> scopes;       // what the app may ask for
    bool confidential() const { return !clientSecret.empty(); }
};

class SandboxOAuth2
{
  public:
    static constexpr long long CODE_TTL = 30; // seconds an authorization code lives
    static constexpr std::size_t MAX_ENTRIES = 100000;

    /// Every scope X knows; `scopes:` must be a subset.
    static const std::set<std::string>& knownScopes();
    /// Splits a space-separated scope string (empties dropped).
    static std::set<std::string> parseScopes(std::string_view text);
    /// "a b c" in set order.
    static std::string joinScopes(const std::set<std::string>& scopes);
    /// BASE64URL(SHA256(verifier)) without padding (RFC 7636 4.2).
    static std::string s256(std::string_view verifier);
    /// 1-128 characters of RFC 3986 unreserved [A-Za-z0-9-._~].
    static bool validPkceString(std::string_view text);

    explicit SandboxOAuth2(Clock& clock = SystemClock::instance(), long long tokenLifetime = 7200);

    void addClient(const SandboxClient& client);
    /// Clients never change after construction: the pointer stays valid.
    const SandboxClient* client(const std::string& clientId) const;
    bool empty() const { return _clients.empty(); }

    /// Replaces the clock (tests); call before serving.
    void setClock(Clock& clock) { _clock = &clock; }
    long long now() const;
    long long tokenLifetime() const { return _tokenLifetime; }

    // ----------------------------------------------------------- authorize

    /// What the authorize page was asked, after validate().
    struct AuthRequest
    {
        const SandboxClient* client = nullptr;
        std::string redirectUri;
        std::string state;
        std::set<std::string> scopes;
        std::string challenge;
        std::string method; // "S256" or "plain"
    };
    struct AuthCheck
    {
        enum class Outcome
        {
            Ok,
            ErrorPage, // unknown client or redirect_uri: never redirect
            Redirect   // redirect to redirect_uri with error= and state
        };
        Outcome outcome = Outcome::Ok;
        std::string error; // OAuth error code (Redirect) or a page message
        std::string description;
        AuthRequest request;
    };
    /// Checks the authorize parameters: client_id, redirect_uri (exactly one
    /// of the client's callbacks), response_type=code, state, scope ⊆ the
    /// client's scopes, code_challenge and its method.
    AuthCheck validate(const std::map<std::string, std::string>& params) const;

    /// A new single-use code for `screenName` (userId for the tokens).
    std::string issueCode(const AuthRequest& request, const std::string& screenName);

    // -------------------------------------------------------------- tokens

    struct Error
    {
        std::string error; // invalid_request | invalid_client | invalid_grant | invalid_scope
        std::string description;
    };
    struct TokenAnswer
    {
        std::string accessToken;
        std::string refreshToken; // empty without offline.access
        long long expiresIn = 0;
        std::string scope;
    };
    struct TokenResult
    {
        std::optional<Error> error;
        TokenAnswer answer;
    };

    /// Client authentication of the token and revoke endpoints: HTTP Basic
    /// client_id:client_secret for confidential clients, client_id in the
    /// body for public ones. `authorization` is the Authorization header
    /// ("" when absent), `bodyClientId` the form's client_id (nullopt when
    /// absent). Returns the client or sets `error`.
    const SandboxClient* authenticateClient(std::string_view authorization,
                                            const std::optional<std::string>& bodyClientId,
                                            std::optional<Error>& error) const;

    /// grant_type=authorization_code.
    TokenResult exchangeCode(const SandboxClient& client, const std::string& code, const std::string& redirectUri,
                             const std::string& verifier);
    /// grant_type=refresh_token; `scope` may narrow the grant (nullopt: same scopes).
    TokenResult refresh(const SandboxClient& client, const std::string& refreshToken,
                        const std::optional<std::string>& scope);
    /// Revokes an access or refresh token of `client`; false when unknown
    /// (the answer is the same either way, RFC 7009 2.2).
    bool revoke(const SandboxClient& client, const std::string& token);

    /// What a bearer access token grants.
    struct AccessInfo
    {
        enum class Status
        {
            Valid,
            Expired,
            Unknown // never issued, revoked
        };
        Status status = Status::Unknown;
        std::string clientId;
        std::string screenName;
        std::set<std::string> scopes;
        long long expiresAt = 0;
    };
    AccessInfo accessToken(const std::string& token) const;

  private:
    struct Code
    {
        std::string clientId;
        std::string redirectUri;
        std::set<std::string> scopes;
        std::string challenge;
        std::string method;
        std::string screenName;
        long long created = 0;
        unsigned long long grant = 0;
    };
    struct Access
    {
        std::string clientId;
        std::string screenName;
        std::set<std::string> scopes;
        long long expiresAt = 0;
        unsigned long long grant = 0;
    };
    struct Refresh
    {
        std::string clientId;
        std::string screenName;
        std::set<std::string> scopes;
        long long created = 0;
        unsigned long long grant = 0;
    };

    static std::string digest(std::string_view token);
    TokenAnswer issueTokens(const std::string& clientId, const std::string& screenName,
                            const std::set<std::string>& scopes, unsigned long long grant, long long now)
        BIRDGATE_REQUIRES(_mutex);
    void revokeGrantLocked(unsigned long long grant) BIRDGATE_REQUIRES(_mutex);
    void makeRoomLocked(long long now) BIRDGATE_REQUIRES(_mutex);

    Clock* _clock;
    long long _tokenLifetime;
    std::vector<SandboxClient> _clientList;
    std::map<std::string, std::size_t> _clients;

    mutable std::mutex _mutex;
    unsigned long long _nextGrant BIRDGATE_GUARDED_BY(_mutex) = 1;
    std::map<std::string, Code> _codes BIRDGATE_GUARDED_BY(_mutex);      // digest -> pending code
    std::map<std::string, Code> _usedCodes BIRDGATE_GUARDED_BY(_mutex);  // digest -> spent, until it expires
    std::map<std::string, Access> _access BIRDGATE_GUARDED_BY(_mutex);   // digest -> access token
    std::map<std::string, Refresh> _refresh BIRDGATE_GUARDED_BY(_mutex); // digest -> refresh token
};

} // namespace birdgate
