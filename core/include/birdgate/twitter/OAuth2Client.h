// OAuth2Client: every call birdgate makes to X for OAuth 2.0 user tokens
// (DESIGN.md 3.8), in one class the way Envoy's oauth2 filter keeps its
// oauth_client: the code exchange and the refresh at {api_root}/2/oauth2/token
// (a confidential client authenticates with HTTP Basic, a public one sends
// client_id in the body), and GET {api_root}/2/users/me for who logged in.
//
// Answers are parsed strictly; a refusal throws OAuth2Refused (X answered,
// and said no: the token is to be forgotten), anything unusable OAuth2Error.
// No code, verifier, token or secret ever goes into an exception message.
#pragma once

#include "birdgate/common/Task.h"
#include "birdgate/twitter/TwitterClient.h"

#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>

namespace birdgate
{

/// X's answer could not be used (garbage, a token missing).
class OAuth2Error : public std::runtime_error
{
  public:
    using std::runtime_error::runtime_error;
};

/// X answered the token endpoint with an error (invalid_grant, a revoked
/// refresh token, a wrong verifier).
class OAuth2Refused : public OAuth2Error
{
  public:
    using OAuth2Error::OAuth2Error;
};

/// A token answer: the access token, its life and the refresh token
/// (empty without offline.access).
struct OAuth2Tokens
{
    std::string access;
    std::string refresh;
    long long expiresIn = 0; // seconds; 0: X did not say
};

/// The user of a token, from 2/users/me.
struct OAuth2User
{
    std::string id;
    std::string username;
    std::string name;
};

class OAuth2Client
{
  public:
    struct Settings
    {
        std::string clientId;
        std::string clientSecret; // empty: a public client
        std::string apiRootPath;  // path part of api_root without trailing '/'
        UpstreamLimits limits;
    };

    OAuth2Client(Settings settings, std::shared_ptr<TwitterClient> apiRoot);

    /// grant_type=authorization_code.
    Task<OAuth2Tokens> exchangeCode(const std::string& code, const std::string& redirectUri,
                                    const std::string& verifier) const;
    /// grant_type=refresh_token.
    Task<OAuth2Tokens> refresh(const std::string& refreshToken) const;
    /// GET 2/users/me with the access token.
    Task<OAuth2User> me(const std::string& accessToken) const;

    /// The request of each step, built (tests check them on the wire too).
    TwitterCall tokenCall(const oauth1::Params& grant) const;

    /// 200 {"token_type":"bearer","access_token":..,"expires_in":..,"refresh_token":..}.
    static OAuth2Tokens parseTokenAnswer(const UpstreamResponse& answer);
    /// 200 {"data":{"id":..,"username":..,"name":..}}.
    static OAuth2User parseMe(const UpstreamResponse& answer);

  private:
    Task<OAuth2Tokens> postToken(const oauth1::Params& grant) const;

    const Settings _settings;
    const std::shared_ptr<TwitterClient> _client;
};

} // namespace birdgate
