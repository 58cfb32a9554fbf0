// The sandbox's OAuth 2.0 authorization server; see SandboxOAuth2.h.
#include "birdgate/sandbox/SandboxOAuth2.h"

#include "birdgate/sandbox/SandboxOAuth.h"
#include "birdgate/twitter/OAuth1.h"

#include <Poco/Base64Decoder.h>

#include <openssl/sha.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <sstream>

namespace birdgate
{
namespace
{
using Error = SandboxOAuth2::Error;

std::string base64Url(const unsigned char* data, std::size_t size)
{
    static const char ALPHABET[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string out;
    std::size_t i = 0;
    for (; i + 2 < size; i += 3)
    {
        unsigned v = (unsigned(data[i]) << 16) | (unsigned(data[i + 1]) << 8) | data[i + 2];
        out += ALPHABET[(v >> 18) & 63];
        out += ALPHABET[(v >> 12) & 63];
        out += ALPHABET[(v >> 6) & 63];
        out += ALPHABET[v & 63];
    }
    if (size - i == 1)
    {
        unsigned v = unsigned(data[i]) << 16;
        out += ALPHABET[(v >> 18) & 63];
        out += ALPHABET[(v >> 12) & 63];
    }
    else if (size - i == 2)
    {
        unsigned v = (unsigned(data[i]) << 16) | (unsigned(data[i + 1]) << 8);
        out += ALPHABET[(v >> 18) & 63];
        out += ALPHABET[(v >> 12) & 63];
        out += ALPHABET[(v >> 6) & 63];
    }
    return out;
}

std::string param(const std::map<std::string, std::string>& params, const char* name)
{
    auto it = params.find(name);
    return it == params.end() ? std::string() : it->second;
}

std::string trimmed(std::string_view s)
{
    size_t b = s.find_first_not_of(" \t");
    if (b == std::string_view::npos) return {};
    size_t e = s.find_last_not_of(" \t");
    return std::string(s.substr(b, e - b + 1));
}
} // namespace

// ----------------------------------------------------------------- helpers

const std::set<std::string>& SandboxOAuth2::knownScopes()
{
    // docs.x.com "OAuth 2.0 Authorization Code Flow with PKCE": scopes.
    static const std::set<std::string> SCOPES = {
        "tweet.read",   "tweet.write",   "tweet.moderate.write", "users.email",    "users.read",
        "follows.read", "follows.write", "offline.access",       "space.read",     "mute.read",
        "mute.write",   "like.read",     "like.write",           "list.read",      "list.write",
        "block.read",   "block.write",   "bookmark.read",        "bookmark.write", "media.write",
        "dm.read",      "dm.write"};
    return SCOPES;
}

std::set<std::string> SandboxOAuth2::parseScopes(std::string_view text)
{
    std::set<std::string> out;
    size_t i = 0;
    while (i < text.size())
    {
        while (i < text.size() && text[i] == ' ') ++i;
        size_t start = i;
        while (i < text.size() && text[i] != ' ') ++i;
        if (i > start) out.emplace(text.substr(start, i - start));
    }
    return out;
}

std::string SandboxOAuth2::joinScopes(const std::set<std::string>& scopes)
{
    std::string out;
    for (const auto& s : scopes)
    {
        if (!out.empty()) out.push_back(' ');
        out += s;
    }
    return out;
}

std::string SandboxOAuth2::s256(std::string_view verifier)
{
    unsigned char md[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const unsigned char*>(verifier.data()), verifier.size(), md);
    return base64Url(md, sizeof md);
}

bool SandboxOAuth2::validPkceString(std::string_view text)
{
    if (text.empty() || text.size() > 128) return false;
    return std::all_of(text.begin(), text.end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
               c == '_' || c == '~';
    });
}

std::string SandboxOAuth2::digest(std::string_view token)
{
    unsigned char md[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const unsigned char*>(token.data()), token.size(), md);
    return std::string(reinterpret_cast<const char*>(md), sizeof md);
}

// ----------------------------------------------------------------- clients

SandboxOAuth2::SandboxOAuth2(Clock& clock, long long tokenLifetime) : _clock(&clock), _tokenLifetime(tokenLifetime) {}

void SandboxOAuth2::addClient(const SandboxClient& client)
{
    auto it = _clients.find(client.clientId);
    if (it != _clients.end())
    {
        _clientList[it->second] = client;
        return;
    }
    _clients.emplace(client.clientId, _clientList.size());
    _clientList.push_back(client);
}

const SandboxClient* SandboxOAuth2::client(const std::string& clientId) const
{
    auto it = _clients.find(clientId);
    return it == _clients.end() ? nullptr : &_clientList[it->second];
}

long long SandboxOAuth2::now() const
{
    return std::chrono::duration_cast<std::chrono::seconds>(_clock->now().time_since_epoch()).count();
}

// --------------------------------------------------------------- authorize

SandboxOAuth2::AuthCheck SandboxOAuth2::validate(const std::map<std::string, std::string>& params) const
{
    AuthCheck check;
    auto page = [&](const std::string& message) {
        check.outcome = AuthCheck::Outcome::ErrorPage;
        check.error = message;
        return check;
    };
    auto redirect = [&](const char* error, const std::string& description) {
        check.outcome = AuthCheck::Outcome::Redirect;
        check.error = error;
        check.description = description;
        return check;
    };
    AuthRequest& r = check.request;
    r.client = client(param(params, "client_id"));
    if (!r.client) return page("This application is unknown: the client_id is not registered.");
    r.redirectUri = param(params, "redirect_uri");
    bool registered = std::any_of(r.client->callbacks.begin(), r.client->callbacks.end(),
                                  [&](const std::string& cb) { return cb == r.redirectUri; });
    if (!registered) return page("The redirect_uri is not one of the callback URLs registered for this application.");
    r.state = param(params, "state");
    if (param(params, "response_type") != "code")
        return redirect("unsupported_response_type", "response_type must be code");
    if (r.state.empty() || r.state.size() > 500) return redirect("invalid_request", "state is required (1-500 bytes)");
    r.scopes = parseScopes(param(params, "scope"));
    if (r.scopes.empty()) return redirect("invalid_scope", "scope is required");
    for (const auto& s : r.scopes)
        if (!r.client->scopes.count(s)) return redirect("invalid_scope", "scope not allowed for this app: " + s);
    r.challenge = param(params, "code_challenge");
    auto methodIt = params.find("code_challenge_method");
    r.method = methodIt == params.end() ? "plain" : methodIt->second; // RFC 7636 4.3's default
    if (r.method != "S256" && r.method != "plain")
        return redirect("invalid_request", "code_challenge_method must be S256 or plain");
    if (!validPkceString(r.challenge) || (r.method == "S256" && r.challenge.size() != 43))
        return redirect("invalid_request", "code_challenge is required (S256: 43 base64url characters)");
    return check;
}

std::string SandboxOAuth2::issueCode(const AuthRequest& request, const std::string& screenName)
{
    std::string code = SandboxOAuth::randomToken(64);
    Code c;
    c.clientId = request.client->clientId;
    c.redirectUri = request.redirectUri;
    c.scopes = request.scopes;
    c.challenge = request.challenge;
    c.method = request.method;
    c.screenName = screenName;
    c.created = now();
    std::lock_guard<std::mutex> lock(_mutex);
    makeRoomLocked(c.created);
    c.grant = _nextGrant++;
    _codes[digest(code)] = std::move(c);
    return code;
}

// ------------------------------------------------------------------ tokens

const SandboxClient* SandboxOAuth2::authenticateClient(std::string_view authorization,
                                                       const std::optional<std::string>& bodyClientId,
                                                       std::optional<Error>& error) const
{
    std::string header = trimmed(authorization);
    if (!header.empty())
    {
        if (header.size() < 6 || !std::equal(header.begin(), header.begin() + 6, "basic ",
                                             [](char a, char b) { return std::tolower((unsigned char)a) == b; }))
        {
            error = Error{"invalid_client", "client authentication must be HTTP Basic"};
            return nullptr;
        }
        std::string decoded;
        try
        {
            std::istringstream in(trimmed(std::string_view(header).substr(6)));
            Poco::Base64Decoder decoder(in);
            std::ostringstream out;
            out << decoder.rdbuf();
            decoded = out.str();
        }
        catch (const std::exception&)
        {
            decoded.clear();
        }
        size_t colon = decoded.find(':');
        if (colon == std::string::npos)
        {
            error = Error{"invalid_client", "malformed HTTP Basic credentials"};
            return nullptr;
        }
        // RFC 6749 2.3.1 form-encodes both parts; X's own docs do not. Take both.
        std::string rawId = decoded.substr(0, colon), rawSecret = decoded.substr(colon + 1);
        std::string id, secret;
        if (!oauth1::percentDecode(rawId, id, true)) id = rawId;
        if (!oauth1::percentDecode(rawSecret, secret, true)) secret = rawSecret;
        const SandboxClient* c = client(id);
        if (!c && id != rawId) c = client(rawId);
        if (!c)
        {
            error = Error{"invalid_client", "unknown client"};
            return nullptr;
        }
        if (bodyClientId && *bodyClientId != c->clientId)
        {
            error = Error{"invalid_request", "client_id in the body differs from the HTTP Basic one"};
            return nullptr;
        }
        if (c->confidential())
        {
            bool ok = oauth1::constantTimeEquals(c->clientSecret, secret);
            ok = oauth1::constantTimeEquals(c->clientSecret, rawSecret) || ok;
            if (!ok)
            {
                error = Error{"invalid_client", "wrong client secret"};
                return nullptr;
            }
        }
        else if (!secret.empty())
        {
            error = Error{"invalid_client", "a public client has no secret"};
            return nullptr;
        }
        return c;
    }
    if (!bodyClientId || bodyClientId->empty())
    {
        error = Error{"invalid_request", "client_id is required (public clients) or HTTP Basic (confidential)"};
        return nullptr;
    }
    const SandboxClient* c = client(*bodyClientId);
    if (!c)
    {
        error = Error{"invalid_client", "unknown client"};
        return nullptr;
    }
    if (c->confidential())
    {
        error = Error{"invalid_client", "a confidential client authenticates with HTTP Basic"};
        return nullptr;
    }
    return c;
}

SandboxOAuth2::TokenAnswer SandboxOAuth2::issueTokens(const std::string& clientId, const std::string& screenName,
                                                      const std::set<std::string>& scopes, unsigned long long grant,
                                                      long long now)
{
    makeRoomLocked(now);
    TokenAnswer a;
    a.accessToken = SandboxOAuth::randomToken(86);
    a.expiresIn = _tokenLifetime;
    a.scope = joinScopes(scopes);
    _access[digest(a.accessToken)] = Access{clientId, screenName, scopes, now + _tokenLifetime, grant};
    if (scopes.count("offline.access"))
    {
        a.refreshToken = SandboxOAuth::randomToken(86);
        _refresh[digest(a.refreshToken)] = Refresh{clientId, screenName, scopes, now, grant};
    }
    return a;
}

SandboxOAuth2::TokenResult SandboxOAuth2::exchangeCode(const SandboxClient& client, const std::string& code,
                                                       const std::string& redirectUri, const std::string& verifier)
{
    TokenResult result;
    if (code.empty() || redirectUri.empty() || verifier.empty())
    {
        result.error = Error{"invalid_request", "code, redirect_uri and code_verifier are required"};
        return result;
    }
    long long t = now();
    std::string key = digest(code);
    std::lock_guard<std::mutex> lock(_mutex);
    auto it = _codes.find(key);
    if (it == _codes.end())
    {
        // A replayed code revokes what it gave (RFC 6749 4.1.2).
        auto used = _usedCodes.find(key);
        if (used != _usedCodes.end()) revokeGrantLocked(used->second.grant);
        result.error = Error{"invalid_grant", "authorization code is invalid, expired or already used"};
        return result;
    }
    Code c = it->second;
    _codes.erase(it); // one try per code, whatever happens next
    _usedCodes[key] = c;
    if (c.created + CODE_TTL <= t)
    {
        result.error = Error{"invalid_grant", "authorization code expired"};
        return result;
    }
    if (c.clientId != client.clientId)
    {
        result.error = Error{"invalid_grant", "authorization code was issued to another client"};
        return result;
    }
    if (c.redirectUri != redirectUri)
    {
        result.error = Error{"invalid_grant", "redirect_uri differs from the authorization request's"};
        return result;
    }
    std::string expected = c.method == "S256" ? s256(verifier) : verifier;
    if (!validPkceString(verifier) || !oauth1::constantTimeEquals(expected, c.challenge))
    {
        result.error = Error{"invalid_grant", "code_verifier does not match the code_challenge"};
        return result;
    }
    result.answer = issueTokens(c.clientId, c.screenName, c.scopes, c.grant, t);
    return result;
}

SandboxOAuth2::TokenResult SandboxOAuth2::refresh(const SandboxClient& client, const std::string& refreshToken,
                                                  const std::optional<std::string>& scope)
{
    TokenResult result;
    if (refreshToken.empty())
    {
        result.error = Error{"invalid_request", "refresh_token is required"};
        return result;
    }
    long long t = now();
    std::lock_guard<std::mutex> lock(_mutex);
    auto it = _refresh.find(digest(refreshToken));
    if (it == _refresh.end() || it->second.clientId != client.clientId)
    {
        result.error = Error{"invalid_grant", "refresh token is invalid, revoked or already used"};
        return result;
    }
    std::set<std::string> scopes = it->second.scopes;
    if (scope)
    {
        std::set<std::string> asked = parseScopes(*scope);
        for (const auto& s : asked)
            if (!scopes.count(s))
            {
                result.error = Error{"invalid_scope", "scope beyond the original grant: " + s};
                return result;
            }
        if (!asked.empty()) scopes = asked;
    }
    Refresh old = it->second;
    _refresh.erase(it); // rotation: the old refresh token is spent
    result.answer = issueTokens(old.clientId, old.screenName, scopes, old.grant, t);
    return result;
}

bool SandboxOAuth2::revoke(const SandboxClient& client, const std::string& token)
{
    std::string key = digest(token);
    std::lock_guard<std::mutex> lock(_mutex);
    auto a = _access.find(key);
    if (a != _access.end() && a->second.clientId == client.clientId)
    {
        _access.erase(a);
        return true;
    }
    auto r = _refresh.find(key);
    if (r != _refresh.end() && r->second.clientId == client.clientId)
    {
        revokeGrantLocked(r->second.grant);
        return true;
    }
    return false;
}

SandboxOAuth2::AccessInfo SandboxOAuth2::accessToken(const std::string& token) const
{
    AccessInfo info;
    long long t = now();
    std::lock_guard<std::mutex> lock(_mutex);
    auto it = _access.find(digest(token));
    if (it == _access.end()) return info;
    info.status = it->second.expiresAt <= t ? AccessInfo::Status::Expired : AccessInfo::Status::Valid;
    info.clientId = it->second.clientId;
    info.screenName = it->second.screenName;
    info.scopes = it->second.scopes;
    info.expiresAt = it->second.expiresAt;
    return info;
}

void SandboxOAuth2::revokeGrantLocked(unsigned long long grant)
{
    std::erase_if(_access, [&](const auto& kv) { return kv.second.grant == grant; });
    std::erase_if(_refresh, [&](const auto& kv) { return kv.second.grant == grant; });
}

void SandboxOAuth2::makeRoomLocked(long long now)
{
    // Spent codes are kept only as long as a replay could matter.
    if (_usedCodes.size() >= MAX_ENTRIES || _codes.size() >= MAX_ENTRIES)
    {
        std::erase_if(_usedCodes, [&](const auto& kv) { return kv.second.created + CODE_TTL * 20 <= now; });
        std::erase_if(_codes, [&](const auto& kv) { return kv.second.created + CODE_TTL <= now; });
        if (_usedCodes.size() >= MAX_ENTRIES) _usedCodes.clear();
        if (_codes.size() >= MAX_ENTRIES) _codes.erase(_codes.begin());
    }
    if (_access.size() >= MAX_ENTRIES)
    {
        std::erase_if(_access, [&](const auto& kv) { return kv.second.expiresAt <= now; });
        if (_access.size() >= MAX_ENTRIES)
        {
            auto oldest = std::min_element(_access.begin(), _access.end(), [](const auto& a, const auto& b) {
                return a.second.expiresAt < b.second.expiresAt;
            });
            _access.erase(oldest);
        }
    }
    if (_refresh.size() >= MAX_ENTRIES)
    {
        auto oldest = std::min_element(_refresh.begin(), _refresh.end(), [](const auto& a, const auto& b) {
            return a.second.created < b.second.created;
        });
        _refresh.erase(oldest);
    }
}

} // namespace birdgate
