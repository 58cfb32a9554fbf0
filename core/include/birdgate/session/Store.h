// A small expiring key-value store for sessions and persisted tokens.
//
// Two backends share this interface: SQLite (one instance, the default) and
// Redis (several instances behind a load balancer share sessions through it).
// Values are opaque bytes; keys live in namespaces ("session", "token", ...)
// so callers never collide. When `app.secret` is set the backend is wrapped
// in an EncryptedStore, so callers never see the difference.
//
// Every method is thread-safe: the server's request threads call it at once.
// Backend failures (disk, network) throw std::runtime_error; values are never
// part of an exception message.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace birdgate
{

class Store
{
  public:
    using TimePoint = std::chrono::system_clock::time_point;

    /// The expiry that never comes.
    static constexpr TimePoint NEVER = TimePoint::max();

    virtual ~Store() = default;

    /// The value of (ns, key), or nullopt when it is absent or expired.
    virtual std::optional<std::string> get(const std::string& ns, const std::string& key) = 0;

    /// Inserts or replaces (ns, key). `expires` is absolute; NEVER keeps it forever.
    virtual void put(const std::string& ns, const std::string& key, const std::string& value, TimePoint expires) = 0;

    /// Removes (ns, key); absent keys are fine.
    virtual void erase(const std::string& ns, const std::string& key) = 0;

    /// Deletes expired entries and returns how many went (0 where the backend
    /// expires entries itself, as Redis does).
    virtual std::size_t purgeExpired() = 0;

    /// Opens the store named by `url` (`app.store`):
    ///   sqlite:/path/file.db   (also sqlite:///path, sqlite:relative/path)
    ///   redis://host:port/db   (also redis://:password@host:port/db)
    /// A non-empty `secret` wraps it in an EncryptedStore; an empty one appends
    /// a warning to `warnings` (when not null). Throws std::invalid_argument
    /// for an unknown or malformed url, std::runtime_error when the backend
    /// cannot be opened.
    static std::shared_ptr<Store> open(const std::string& url, const std::string& secret,
                                       std::vector<std::string>* warnings);
};

} // namespace birdgate
