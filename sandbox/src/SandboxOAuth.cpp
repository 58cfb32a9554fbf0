// OAuth token state of the sandbox; see SandboxOAuth.h.
#include "birdgate/sandbox/SandboxOAuth.h"

#include "birdgate/twitter/OAuth1.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <stdexcept>

namespace birdgate
{

void SandboxOAuth::addApp(const SandboxApp& app)
{
    auto it = _appIndex.find(app.key);
    if (it != _appIndex.end())
    {
        _appList[it->second] = app;
        return;
    }
    _appIndex.emplace(app.key, _appList.size());
    _appList.push_back(app);
    _mintKey += app.key + '\n' + app.secret + '\n';
}

std::string SandboxOAuth::mac(const std::string& data, std::size_t length) const
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdLen = 0;
    const std::string key = "birdgate sandbox tokens v1\n" + _epoch + "\n" + _mintKey;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
         data.size(), md, &mdLen);
    static const char ALNUM[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    std::string out;
    for (unsigned int i = 0; i < mdLen && out.size() < length; ++i) out.push_back(ALNUM[md[i] % 62]);
    return out;
}

SandboxAccessToken SandboxOAuth::mint(const std::string& appKey, std::uint64_t userId,
                                      const std::string& screenName) const
{
    // <user id>-<screen name>.<nonce>.<mac>: screen names are [A-Za-z0-9_],
    // so '-' and '.' separate unambiguously.
    std::string body = std::to_string(userId) + "-" + screenName + "." + randomToken(12);
    SandboxAccessToken t;
    t.token = body + "." + mac("token\n" + appKey + "\n" + body, 20);
    t.secret = mac("secret\n" + appKey + "\n" + t.token, 32) + mac("secret2\n" + t.token, 13);
    t.screenName = screenName;
    t.appKey = appKey;
    return t;
}

std::optional<SandboxAccessToken> SandboxOAuth::decode(const std::string& token) const
{
    size_t dash = token.find('-'), dot1 = token.find('.'), dot2 = token.rfind('.');
    if (dash == std::string::npos || dot1 == std::string::npos || dot1 == dot2 || dot1 < dash || token.size() > 128)
        return std::nullopt;
    std::string body = token.substr(0, dot2);
    std::string given = token.substr(dot2 + 1);
    std::string screenName = token.substr(dash + 1, dot1 - dash - 1);
    for (const auto& app : _appList)
    {
        if (!oauth1::constantTimeEquals(given, mac("token\n" + app.key + "\n" + body, 20))) continue;
        SandboxAccessToken t;
        t.token = token;
        t.secret = mac("secret\n" + app.key + "\n" + token, 32) + mac("secret2\n" + token, 13);
        t.screenName = screenName;
        t.appKey = app.key;
        return t;
    }
    return std::nullopt;
}

void SandboxOAuth::addAccessToken(const SandboxAccessToken& token)
{
    std::lock_guard<std::mutex> lock(_mutex);
    _access[token.token] = token;
}

const SandboxApp* SandboxOAuth::app(const std::string& key) const
{
    auto it = _appIndex.find(key);
    return it == _appIndex.end() ? nullptr : &_appList[it->second];
}

std::optional<SandboxAccessToken> SandboxOAuth::accessToken(const std::string& token) const
{
    {
        std::lock_guard<std::mutex> lock(_mutex);
        auto it = _access.find(token);
        if (it != _access.end()) return it->second;
    }
    return decode(token);
}

void SandboxOAuth::expireLocked(long long now)
{
    for (auto it = _requests.begin(); it != _requests.end();)
        it = it->second.created + REQUEST_TOKEN_TTL <= now ? _requests.erase(it) : std::next(it);
}

SandboxRequestToken SandboxOAuth::newRequestToken(const std::string& appKey, const std::string& callback, long long now)
{
    SandboxRequestToken t;
    t.token = randomToken(27);
    t.secret = randomToken(32);
    t.appKey = appKey;
    t.callback = callback;
    t.created = now;
    std::lock_guard<std::mutex> lock(_mutex);
    if (_requests.size() >= MAX_REQUEST_TOKENS) expireLocked(now);
    if (_requests.size() >= MAX_REQUEST_TOKENS)
    {
        // Still full: forget the oldest login in progress.
        auto oldest = _requests.begin();
        for (auto it = _requests.begin(); it != _requests.end(); ++it)
            if (it->second.created < oldest->second.created) oldest = it;
        _requests.erase(oldest);
    }
    _requests[t.token] = t;
    return t;
}

std::optional<SandboxRequestToken> SandboxOAuth::requestToken(const std::string& token, long long now) const
{
    std::lock_guard<std::mutex> lock(_mutex);
    auto it = _requests.find(token);
    if (it == _requests.end() || it->second.created + REQUEST_TOKEN_TTL <= now) return std::nullopt;
    return it->second;
}

std::optional<SandboxRequestToken> SandboxOAuth::authorize(const std::string& token, const std::string& screenName,
                                                           long long now)
{
    std::lock_guard<std::mutex> lock(_mutex);
    auto it = _requests.find(token);
    if (it == _requests.end() || it->second.created + REQUEST_TOKEN_TTL <= now || !it->second.verifier.empty())
        return std::nullopt;
    it->second.verifier = randomToken(32);
    it->second.screenName = screenName;
    return it->second;
}

std::optional<SandboxRequestToken> SandboxOAuth::cancel(const std::string& token, long long now)
{
    std::lock_guard<std::mutex> lock(_mutex);
    auto it = _requests.find(token);
    if (it == _requests.end() || it->second.created + REQUEST_TOKEN_TTL <= now) return std::nullopt;
    SandboxRequestToken t = it->second;
    _requests.erase(it);
    return t;
}

SandboxOAuth::Exchange SandboxOAuth::exchange(const std::string& token, const std::string& appKey,
                                              const std::string& verifier, std::uint64_t userId, long long now,
                                              SandboxAccessToken& out)
{
    std::lock_guard<std::mutex> lock(_mutex);
    auto it = _requests.find(token);
    if (it == _requests.end() || it->second.created + REQUEST_TOKEN_TTL <= now) return Exchange::UnknownToken;
    if (it->second.verifier.empty()) return Exchange::NotAuthorized;
    SandboxRequestToken t = it->second;
    _requests.erase(it);
    if (t.appKey != appKey) return Exchange::WrongApp;
    if (!oauth1::constantTimeEquals(t.verifier, verifier)) return Exchange::BadVerifier;
    out = mint(appKey, userId, t.screenName);
    return Exchange::Ok;
}

std::string SandboxOAuth::bearerFor(const std::string& appKey)
{
    std::lock_guard<std::mutex> lock(_mutex);
    auto it = _bearerByApp.find(appKey);
    if (it != _bearerByApp.end()) return it->second;
    std::string bearer = "AAAAAAAAAAAAAAAAAAAAA" + randomToken(80);
    _bearerByApp[appKey] = bearer;
    _appByBearer[bearer] = appKey;
    return bearer;
}

std::optional<std::string> SandboxOAuth::bearerApp(const std::string& bearer) const
{
    std::lock_guard<std::mutex> lock(_mutex);
    auto it = _appByBearer.find(bearer);
    if (it == _appByBearer.end()) return std::nullopt;
    return it->second;
}

std::string SandboxOAuth::randomToken(std::size_t length)
{
    static const char ALNUM[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    std::string out;
    out.reserve(length);
    unsigned char buf[64];
    while (out.size() < length)
    {
        if (RAND_bytes(buf, sizeof buf) != 1) throw std::runtime_error("RAND_bytes failed");
        for (unsigned char b : buf)
        {
            if (b >= 248) continue; // 248 = 4 * 62: keep the distribution uniform
            out.push_back(ALNUM[b % 62]);
            if (out.size() == length) break;
        }
    }
    return out;
}

} // namespace birdgate
