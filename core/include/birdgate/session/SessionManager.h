// Browser sessions: a random id in a cookie, the data in the Store.
//
// The cookie carries nothing but a 256-bit random id (43 characters of
// unpadded base64url); everything else (Twitter tokens, the user, the OAuth
// request token during a login) stays server-side in the store namespace
// "session", as a JSON object of strings. Ids that are not of that exact shape
// are dropped before any store lookup, so garbage cookies cost nothing and
// cannot probe the backend. A login calls rotate(): the id that existed
// before authentication never carries the authenticated session (no
// fixation).
//
// Cookies: `sid=<id>; Path=/; HttpOnly; SameSite=Lax; Max-Age=<expiry>`, plus
// `Secure` when the request came over HTTPS (directly or per
// X-Forwarded-Proto from the proxy in front).
//
// Thread-safe: the only state besides the shared Store is the time of the
// last purge. load(), save(), reload(), rotate() and destroy() call the store
// and so block: coroutine endpoints call them on the worker pool. The cookie
// helpers read a Request and write an Answer, whatever server carries them.
#pragma once

#include "birdgate/session/Store.h"

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace birdgate
{

class Request;
class Answer;

struct Session
{
    std::string id;
    std::map<std::string, std::string> data;
};

class SessionManager
{
  public:
    static constexpr const char* NAMESPACE = "session";
    static constexpr std::size_t ID_LENGTH = 43;

    /// Sessions live `expirySeconds` after their last save. Throws
    /// std::invalid_argument for a null store, a non-positive expiry or a
    /// cookie name that is not an RFC 6265 token.
    SessionManager(std::shared_ptr<Store> store, long long expirySeconds, std::string cookieName = "sid");

    /// The session named by the request's cookie(s), or nullopt when there is
    /// none, it is malformed, unknown or expired. Cookies split over several
    /// Cookie headers are read as one. Blocks on the store.
    std::optional<Session> load(const Request& request) const;

    /// The same from the value of a Cookie header ("a=1; sid=...; b=2").
    /// Survives any bytes; at most a few well-formed candidates are looked up.
    std::optional<Session> loadFromCookieHeader(const std::string& cookieHeader) const;

    /// A new session with a fresh CSPRNG id and no data; not stored until save().
    Session create() const;

    /// Stores the session for expirySeconds from now (a sliding expiry when
    /// called on every change). Throws std::invalid_argument for an id that
    /// create() did not make. Purges expired sessions at most once a minute.
    void save(const Session& session);
    /// The same with its own lifetime (e.g. a short one for a login that has
    /// not finished yet, so abandoned logins do not fill the store).
    void save(const Session& session, std::chrono::seconds ttl);
    /// The stored session `id` now (nullopt when gone or malformed), to
    /// re-read before a change that must not overwrite another request's.
    std::optional<Session> reload(const std::string& id) const { return lookup(id); }

    /// A new id carrying the same data; the old id is erased. Call on login.
    Session rotate(const Session& old);

    /// Forgets the session (logout). Unknown or malformed ids are fine.
    void destroy(const std::string& id);

    /// Adds the Set-Cookie header for `session`.
    void setCookie(Answer& answer, const Session& session, bool secure) const;

    /// Adds a Set-Cookie header that makes the browser drop the cookie.
    void clearCookie(Answer& answer, bool secure) const;

    /// The Set-Cookie value setCookie() sends:
    /// "sid=<id>; Path=/; HttpOnly; SameSite=Lax; Max-Age=<expiry>[; Secure]".
    std::string cookieHeader(const Session& session, bool secure) const;

    /// Deletes expired entries from the store now (for a timer).
    std::size_t purgeExpired();

    /// True when the request came over TLS or X-Forwarded-Proto says https.
    static bool isSecure(const Request& request);
    /// The same decision from its parts: the first X-Forwarded-Proto value
    /// (may be empty) and whether this connection is TLS.
    static bool isSecure(std::string_view forwardedProto, bool tls);

    /// True for exactly the shape create() makes: 43 base64url characters
    /// encoding 256 bits (the last character's two spare bits zero).
    static bool isWellFormedId(std::string_view id);

    long long expirySeconds() const { return _expirySeconds; }
    const std::string& cookieName() const { return _cookieName; }

  private:
    std::optional<Session> lookup(const std::string& id) const;
    void maybePurge();

    std::shared_ptr<Store> _store;
    long long _expirySeconds;
    std::string _cookieName;
    std::atomic<long long> _lastPurgeMs{0};
};

} // namespace birdgate
