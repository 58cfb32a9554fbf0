// Session ids, cookies and the JSON kept per session; see SessionManager.h
// for the shapes and the reasons. Cookie parsing is deliberately small and
// forgiving: it only has to find well-formed ids, and anything else is noise.
#include "birdgate/session/SessionManager.h"

#include "birdgate/server/Answer.h"
#include "birdgate/server/Request.h"

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
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '-')
        return 62;
    if (c == '_')
        return 63;
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
    if (u <= 0x20 || u >= 0x7f)
        return false;
    return std::string_view("()<>@,;:\\\"/[]?={}").find(c) == std::string_view::npos;
}

std::string_view trim(std::string_view s)
{
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
        s.remove_suffix(1);
    return s;
}

long long nowMillis()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// Session data is a JSON object of strings, written and read here rather than
// through Poco::JSON: Poco rejects (or mangles) bytes that are not UTF-8, and a
// session that cannot be read back is a silent logout. This codec is
// byte-exact: it escapes only '"', '\\' and control characters, and passes
// every other byte through, so valid UTF-8 input yields valid JSON.
void appendJsonString(std::string& out, const std::string& text)
{
    static constexpr char HEX[] = "0123456789abcdef";
    out += '"';
    for (const char c : text)
    {
        const auto u = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\')
        {
            out += '\\';
            out += c;
        }
        else if (u < 0x20 || u == 0x7f)
        {
            out += "\\u00";
            out += HEX[u >> 4];
            out += HEX[u & 15];
        }
        else
        {
            out += c;
        }
    }
    out += '"';
}

std::string serialize(const std::map<std::string, std::string>& data)
{
    std::string out = "{";
    for (const auto& [name, value] : data)
    {
        if (out.size() > 1)
            out += ',';
        appendJsonString(out, name);
        out += ':';
        appendJsonString(out, value);
    }
    out += '}';
    return out;
}

class JsonReader
{
public:
    explicit JsonReader(std::string_view text) : _text(text) {}

    // Reads {"name":"value",...} and nothing else (bar whitespace).
    std::optional<std::map<std::string, std::string>> readObject()
    {
        std::map<std::string, std::string> data;
        skipSpace();
        if (!consume('{'))
            return std::nullopt;
        skipSpace();
        if (!consume('}'))
        {
            for (;;)
            {
                std::string name, value;
                skipSpace();
                if (!readString(name))
                    return std::nullopt;
                skipSpace();
                if (!consume(':'))
                    return std::nullopt;
                skipSpace();
                if (!readString(value))
                    return std::nullopt;
                data[std::move(name)] = std::move(value);
                skipSpace();
                if (consume('}'))
                    break;
                if (!consume(','))
                    return std::nullopt;
            }
        }
        skipSpace();
        if (_pos != _text.size())
            return std::nullopt;
        return data;
    }

private:
    void skipSpace()
    {
        while (_pos < _text.size() &&
               (_text[_pos] == ' ' || _text[_pos] == '\t' || _text[_pos] == '\n' || _text[_pos] == '\r'))
            ++_pos;
    }

    bool consume(char c)
    {
        if (_pos < _text.size() && _text[_pos] == c)
        {
            ++_pos;
            return true;
        }
        return false;
    }

    bool readHex4(unsigned& out)
    {
        if (_text.size() - _pos < 4)
            return false;
        out = 0;
        for (int i = 0; i < 4; ++i)
        {
            const char c = _text[_pos++];
            out <<= 4;
            if (c >= '0' && c <= '9')
                out |= static_cast<unsigned>(c - '0');
            else if (c >= 'a' && c <= 'f')
                out |= static_cast<unsigned>(c - 'a' + 10);
            else if (c >= 'A' && c <= 'F')
                out |= static_cast<unsigned>(c - 'A' + 10);
            else
                return false;
        }
        return true;
    }

    static void appendUtf8(std::string& out, unsigned cp)
    {
        if (cp < 0x80)
            out += static_cast<char>(cp);
        else if (cp < 0x800)
        {
            out += static_cast<char>(0xc0 | (cp >> 6));
            out += static_cast<char>(0x80 | (cp & 0x3f));
        }
        else if (cp < 0x10000)
        {
            out += static_cast<char>(0xe0 | (cp >> 12));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
            out += static_cast<char>(0x80 | (cp & 0x3f));
        }
        else
        {
            out += static_cast<char>(0xf0 | (cp >> 18));
            out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
            out += static_cast<char>(0x80 | (cp & 0x3f));
        }
    }

    bool readString(std::string& out)
    {
        if (!consume('"'))
            return false;
        while (_pos < _text.size())
        {
            const char c = _text[_pos++];
            if (c == '"')
                return true;
            if (c != '\\')
            {
                out += c;
                continue;
            }
            if (_pos >= _text.size())
                return false;
            const char e = _text[_pos++];
            switch (e)
            {
            case '"': out += '"'; break;
            case '\\': out += '\\'; break;
            case '/': out += '/'; break;
            case 'b': out += '\b'; break;
            case 'f': out += '\f'; break;
            case 'n': out += '\n'; break;
            case 'r': out += '\r'; break;
            case 't': out += '\t'; break;
            case 'u': {
                unsigned cp = 0;
                if (!readHex4(cp))
                    return false;
                if (cp >= 0xd800 && cp < 0xdc00)
                {
                    unsigned low = 0;
                    if (!consume('\\') || !consume('u') || !readHex4(low) || low < 0xdc00 || low >= 0xe000)
                        return false;
                    cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
                }
                else if (cp >= 0xdc00 && cp < 0xe000)
                {
                    return false;
                }
                appendUtf8(out, cp);
                break;
            }
            default: return false;
            }
        }
        return false; // unterminated
    }

    std::string_view _text;
    std::size_t _pos = 0;
};

std::optional<std::map<std::string, std::string>> deserialize(const std::string& json)
{
    return JsonReader(json).readObject();
}

} // namespace

SessionManager::SessionManager(std::shared_ptr<Store> store, long long expirySeconds, std::string cookieName)
    : _store(std::move(store)), _expirySeconds(expirySeconds), _cookieName(std::move(cookieName))
{
    if (!_store)
        throw std::invalid_argument("SessionManager: no store");
    if (_expirySeconds <= 0)
        throw std::invalid_argument("SessionManager: the session expiry must be positive");
    if (_cookieName.empty() || !std::all_of(_cookieName.begin(), _cookieName.end(), isTokenChar))
        throw std::invalid_argument("SessionManager: '" + _cookieName + "' is not a valid cookie name");
}

bool SessionManager::isWellFormedId(std::string_view id)
{
    if (id.size() != ID_LENGTH)
        return false;
    for (const char c : id)
        if (base64UrlValue(c) < 0)
            return false;
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
            if (!header.empty())
                header += "; ";
            header += value;
        }
    }
    if (header.empty())
        return std::nullopt;
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
        if (equals == std::string_view::npos)
            continue;
        if (trim(pair.substr(0, equals)) != _cookieName)
            continue;
        std::string_view value = trim(pair.substr(equals + 1));
        if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
            value = value.substr(1, value.size() - 2);
        if (isWellFormedId(value))
            candidates.emplace_back(value);
    }
    for (const auto& id : candidates)
    {
        if (auto session = lookup(id))
            return session;
    }
    return std::nullopt;
}

std::optional<Session> SessionManager::lookup(const std::string& id) const
{
    const auto stored = _store->get(NAMESPACE, id);
    if (!stored)
        return std::nullopt;
    auto data = deserialize(*stored);
    if (!data)
        return std::nullopt;
    return Session{id, std::move(*data)};
}

Session SessionManager::create() const
{
    unsigned char bytes[32];
    if (RAND_bytes(bytes, sizeof bytes) != 1)
        throw std::runtime_error("SessionManager: the random generator failed");
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
    _store->put(NAMESPACE, session.id, serialize(session.data), std::chrono::system_clock::now() + ttl);
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
    if (isWellFormedId(id))
        _store->erase(NAMESPACE, id);
}

std::string SessionManager::cookieHeader(const Session& session, bool secure) const
{
    std::string out = _cookieName + "=" + session.id + "; Path=/; HttpOnly; SameSite=Lax; Max-Age=" +
                      std::to_string(_expirySeconds);
    if (secure)
        out += "; Secure";
    return out;
}

void SessionManager::setCookie(Answer& answer, const Session& session, bool secure) const
{
    answer.add("Set-Cookie", cookieHeader(session, secure));
}

void SessionManager::clearCookie(Answer& answer, bool secure) const
{
    std::string value = _cookieName + "=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0";
    if (secure)
        value += "; Secure";
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
    if (nowMs - last < PURGE_INTERVAL_MS)
        return;
    // Only the thread that wins the exchange purges; the others go on.
    if (!_lastPurgeMs.compare_exchange_strong(last, nowMs))
        return;
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
    if (tls)
        return true;
    // "https, http" after two proxies: the first is what the browser used.
    const auto first = trim(forwardedProto.substr(0, forwardedProto.find(',')));
    return Poco::icompare(std::string(first), "https") == 0;
}

} // namespace birdgate
