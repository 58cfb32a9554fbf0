// PKCE (RFC 7636) and the OAuth 2.0 `state`, for the OAuth 2.0 login
// (DESIGN.md 3.8): a code_verifier of 43 characters (32 CSPRNG bytes,
// base64url), its S256 challenge, a random state, and the constant-time
// comparison the callback uses. Pure functions, so the RFC's own vector
// checks them.
#pragma once

#include <string>
#include <string_view>

namespace birdgate::pkce
{

/// base64url without padding (RFC 4648 section 5).
std::string base64Url(std::string_view bytes);

/// 32 random bytes as base64url: 43 characters of [A-Za-z0-9_-], within
/// RFC 7636's 43..128 unreserved characters.
std::string makeVerifier();

/// BASE64URL(SHA256(verifier)) (code_challenge_method=S256).
std::string challengeS256(std::string_view verifier);

/// A random `state` (256 bits, base64url).
std::string makeState();

/// True when `given` is exactly `kept`, compared in constant time; false
/// for an empty `kept` (no login pending).
bool stateMatches(std::string_view kept, std::string_view given);

} // namespace birdgate::pkce
