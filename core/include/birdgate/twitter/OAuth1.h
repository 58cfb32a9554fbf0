// OAuth 1.0a request signing (RFC 5849) as Twitter uses it.
//
// Every proxied request and every stream connection is signed here, so this is
// a hot path: no allocations beyond the strings it returns, HMAC through
// OpenSSL directly. The sandbox uses the same functions to verify signatures.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace birdgate::oauth1
{

/// Decoded (name, value) pairs in arrival order; repeated names are kept.
using Params = std::vector<std::pair<std::string, std::string>>;

enum class SignatureMethod
{
    HmacSha1,
    HmacSha256,
    HmacSha512
};

/// "HMAC-SHA1" etc.; parseSignatureMethod throws std::invalid_argument on anything else.
const char* signatureMethodName(SignatureMethod method);
SignatureMethod parseSignatureMethod(std::string_view name);

/// Standard base64 (RFC 4648 section 4, padded): signatures, HTTP Basic credentials.
std::string base64(std::string_view bytes);

/// RFC 3986 percent-encoding of UTF-8 bytes: unreserved A-Z a-z 0-9 - . _ ~ kept,
/// everything else %XX with upper-case hex.
std::string percentEncode(std::string_view text);
void percentEncodeTo(std::string& out, std::string_view text);

/// Decodes %XX (and '+' as space when plusIsSpace). Returns false on a malformed
/// escape (% not followed by two hex digits) and leaves `out` unspecified.
bool percentDecode(std::string_view text, std::string& out, bool plusIsSpace);

/// Parses application/x-www-form-urlencoded text (also a query string) into
/// decoded pairs, '+' meaning space. Returns false on a malformed escape.
bool parseForm(std::string_view text, Params& out);

/// Encodes pairs back to a query string (RFC 3986 encoding, so it round-trips).
std::string encodeForm(const Params& params);

/// RFC 5849 3.4.1.2: lower-case scheme and host, default port dropped.
/// `path` is used as given (already percent-encoded as it goes on the wire).
std::string baseUrl(std::string_view scheme, std::string_view host, int port, std::string_view path);

/// RFC 5849 3.4.1.3.2: encode names and values, sort by name then value, join.
/// `oauth_signature` and `realm` must not be in `params`.
std::string normalizeParams(const Params& params);

/// METHOD&enc(baseUrl)&enc(normalizedParams)
std::string signatureBaseString(std::string_view method, std::string_view baseUrl, const Params& params);

/// Base64 HMAC of `baseString` keyed by enc(consumerSecret)&enc(tokenSecret).
std::string sign(SignatureMethod method, std::string_view baseString, std::string_view consumerSecret,
                 std::string_view tokenSecret);

/// Constant-time comparison for signature checks.
bool constantTimeEquals(std::string_view a, std::string_view b);

/// 32 random alphanumeric characters from a CSPRNG.
std::string makeNonce();

struct Credentials
{
    std::string consumerKey;
    std::string consumerSecret;
    std::string token; // empty for request_token / app-only calls
    std::string tokenSecret;
    SignatureMethod method = SignatureMethod::HmacSha1;
};

/// Signs one request and returns the value of its Authorization header
/// ("OAuth oauth_consumer_key=..., oauth_signature=..."). `params` are the
/// decoded query and form-body parameters (not JSON bodies). `extraOAuth`
/// adds protocol parameters such as oauth_callback or oauth_verifier.
/// `nonce` and `timestamp` are generated when empty / zero.
std::string authorizationHeader(std::string_view method, std::string_view baseUrl, const Params& params,
                                const Credentials& creds, const Params& extraOAuth = {}, std::string_view nonce = {},
                                long long timestamp = 0);

/// Parses an `Authorization: OAuth k="v", ...` header into decoded pairs.
/// Returns false when the header is not an OAuth header or is malformed.
bool parseAuthorizationHeader(std::string_view header, Params& out);

} // namespace birdgate::oauth1
