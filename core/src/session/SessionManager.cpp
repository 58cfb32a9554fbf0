// Session ids and cookies; see SessionManager.h for the shapes and the
// reasons (the JSON kept per session is SessionCodec's). Cookie parsing is
// deliberately small and forgiving: it only has to find well-formed ids, and
// anything else is noise.
#include "birdgate/session/SessionManager.h"

#include "birdgate/server/Answer.h"
#include "birdgate/server/Request.h"
#include "session/SessionCodec.h"

#include <Poco/String.h>

#include <openssl/rand.h>

#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <vector>

namespace birdgate
{

namespace
{

constexpr char BASE64URL[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

// Several cookies of our name can arrive (path variants, a sibling subdomain
// setting one); look up a few, never an unbounded number.
constexpr std::size_t MAX_CANDIDATES = 4;
constexpr long long PURGE_INTERVAL_MS = 60 * 1000;

int base64UrlValue(char c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '-') return 62;
    if (c == '_') return 63;
    return -1;
}

std::string base64Url(const unsigned char* data, std::size_t size)
{
    std::string out;
    out.reserve((size * 4 + 2) / 3);
    std::size_t i = 0;
    for (; i + 3 <= size; i += 3)
    {
        const unsigned v = (data[i] << 16) | (data[i + 1] << 8) | data[i + 2];
        out += BASE64URL[(v >> 18) & 63];
        out += BASE64URL[(v >> 12) & 63];
        out += BASE64URL[(v >> 6) & 63];
        out += BASE64URL[v & 63];
    }
    if (size - i == 1)
    {
        const unsigned v = data[i] << 16;
        out += BASE64URL[(v >> 18) & 63];
        out += BASE64URL[(v >> 12) & 63];
    }
    else if (size - i == 2)
    {
        const unsigned v = (data[i] << 16) | (data[i + 1] << 8);
        out += BASE64URL[(v >> 18) & 63];
        out += BASE64URL[(v >> 12) & 63];
        out += BASE64URL[(v >> 6) & 63];
    }
    return out;
}

bool isTokenChar(char c)
{
    // RFC 6265 cookie-name = RFC 7230 token.
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f) return false;
    return std::string_view("()<>@,;:\\\"/[]?={}").find(c) == std::string_view::npos;
}

std::string_view trim(std::string_view s)
{
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

long long nowMillis()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

} // namespace

SessionManager::SessionManager(std::shared_ptr<Store> store, long long expirySeconds, std::string cookieName)
    : _store(std::move(store)), _expirySeconds(expirySeconds), _cookieName(std::move(cookieName))
{
    if (!_store) throw std::invalid_argument("SessionManager: no store");
    if (_expirySeconds <= 0) throw std::invalid_argument("SessionManager: the session expiry must be positive");
    if (_cookieName.empty() || !std::all_of(_cookieName.begin(), _cookieName.end(), isTokenChar))
        throw std::invalid_argument("SessionManager: '" + _cookieName + "' is not a valid cookie name");
}

bool SessionManager::isWellFormedId(std::string_view id)
{
    if (id.size() != ID_LENGTH) return false;
    for (const char c : id)
        if (base64UrlValue(c) < 0) return false;
    // 43 characters carry 258 bits; the last two must be zero for 256-bit ids.
    return (base64UrlValue(id.back()) & 3) == 0;
}

std::optional<Session> SessionManager::load(const Request& request) const
{
    // A proxy may split cookies over several Cookie headers (HTTP/2 does).
    std::string header;
    for (const auto& [name, value] : request.headers)
    {
        if (iequals(name, "Cookie"))
        {
            if (!header.empty()) header += "; ";
            header += value;
        }
    }
    if (header.empty()) return std::nullopt;
    return loadFromCookieHeader(header);
}

std::optional<Session> SessionManager::loadFromCookieHeader(const std::string& cookieHeader) const
{
    std::vector<std::string> candidates;
    std::string_view rest(cookieHeader);
    while (!rest.empty() && candidates.size() < MAX_CANDIDATES)
    {
        const auto semicolon = rest.find(';');
        const std::string_view pair = rest.substr(0, semicolon);
        rest = semicolon == std::string_view::npos ? std::string_view() : rest.substr(semicolon + 1);

        const auto equals = pair.find('=');
        if (equals == std::string_view::npos) continue;
        if (trim(pair.substr(0, equals)) != _cookieName) continue;
        std::string_view value = trim(pair.substr(equals + 1));
        if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
        if (isWellFormedId(value)) candidates.emplace_back(value);
    }
    for (const auto& id : candidates)
    {
        if (auto session = lookup(id)) return session;
    }
    return std::nullopt;
}

std::optional<Session> SessionManager::lookup(const std::string& id) const
{
    const auto stored = _store->get(NAMESPACE, id);
    if (!stored) return std::nullopt;
    auto data = SessionCodec::decode(*stored);
    if (!data) return std::nullopt;
    return Session{id, std::move(*data)};
}

Session SessionManager::create() const
{
    unsigned char bytes[32];
    if (RAND_bytes(bytes, sizeof bytes) != 1) throw std::runtime_error("SessionManager: the random generator failed");
    return Session{base64Url(bytes, sizeof bytes), {}};
}

void SessionManager::save(const Session& session)
{
    save(session, std::chrono::seconds(_expirySeconds));
}

void SessionManager::save(const Session& session, std::chrono::seconds ttl)
{
    if (!isWellFormedId(session.id))
        throw std::invalid_argument("SessionManager: refusing to save a session whose id create() did not make");
    _store->put(NAMESPACE, session.id, SessionCodec::encode(session.data), std::chrono::system_clock::now() + ttl);
    maybePurge();
}

Session SessionManager::rotate(const Session& old)
{
    Session fresh = create();
    fresh.data = old.data;
    // Store the new one first: if that fails the user keeps the old session.
    save(fresh);
    destroy(old.id);
    return fresh;
}

void SessionManager::destroy(const std::string& id)
{
    if (isWellFormedId(id)) _store->erase(NAMESPACE, id);
}

std::string SessionManager::cookieHeader(const Session& session, bool secure) const
{
    std::string out =
        _cookieName + "=" + session.id + "; Path=/; HttpOnly; SameSite=Lax; Max-Age=" + std::to_string(_expirySeconds);
    if (secure) out += "; Secure";
    return out;
}

void SessionManager::setCookie(Answer& answer, const Session& session, bool secure) const
{
    answer.add("Set-Cookie", cookieHeader(session, secure));
}

void SessionManager::clearCookie(Answer& answer, bool secure) const
{
    std::string value = _cookieName + "=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0";
    if (secure) value += "; Secure";
    answer.add("Set-Cookie", value);
}

std::size_t SessionManager::purgeExpired()
{
    _lastPurgeMs.store(nowMillis());
    return _store->purgeExpired();
}

void SessionManager::maybePurge()
{
    const long long nowMs = nowMillis();
    long long last = _lastPurgeMs.load();
    if (nowMs - last < PURGE_INTERVAL_MS) return;
    // Only the thread that wins the exchange purges; the others go on.
    if (!_lastPurgeMs.compare_exchange_strong(last, nowMs)) return;
    try
    {
        _store->purgeExpired();
    }
    catch (const std::exception&)
    {
        // Expired rows are never returned anyway; the next minute retries.
    }
}

bool SessionManager::isSecure(const Request& request)
{
    return isSecure(request.header("X-Forwarded-Proto"), request.tls);
}

bool SessionManager::isSecure(std::string_view forwardedProto, bool tls)
{
    if (tls) return true;
    // "https, http" after two proxies: the first is what the browser used.
    const auto first = trim(forwardedProto.substr(0, forwardedProto.find(',')));
    return Poco::icompare(std::string(first), "https") == 0;
}

} // namespace birdgate
