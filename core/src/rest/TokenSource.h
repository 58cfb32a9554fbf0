// TokenSource: where a TwitterRESTHandler's user token comes from and goes to
// (DESIGN.md 3.3, 3.8): a literal kwarg, the `persist` store (the last login
// at this url, for everyone), or the visitor's session; an OAuth 1.0a token
// or an OAuth 2.0 one (with its refresh token and expiry), sealed at rest
// like every store value. It is the only part of
// the handler that knows how tokens are laid out in the store and in a
// session, so the request steps and the login only say find, keep, forget.
//
// Immutable after construction and shared by every request. The store is
// blocking (SQLite, Redis): find() and forget() are coroutines that run the
// store calls on the worker pool; keep() is called on a worker already (the
// login saves the new session there).
#pragma once

#include "birdgate/common/Task.h"
#include "birdgate/session/SessionManager.h"

#include <memory>
#include <optional>
#include <string>

namespace birdgate
{

class Store;
class WorkerPool;

class TokenSource
{
  public:
    enum class Mode
    {
        Literal, // access_key/access_secret in the kwargs
        Persist, // `persist`: the last login at this url, for everyone
        Session  // absent: the visitor's own login
    };

    /// A user token and who it belongs to (so a token Twitter rejects can be
    /// forgotten, and transforms know the user).
    struct Token
    {
        std::string key;
        std::string secret;
        std::string screenName;
        std::string userId;
        // OAuth 2.0 user tokens only (DESIGN.md 3.8): the refresh token and
        // the token's life in Unix seconds (0: not known, never refreshed early).
        std::string refresh{};
        long long obtainedAt = 0;
        long long expiresAt = 0;
    };

    /// `urlName` and `consumerKey` name the token in the store and the
    /// session (a session may hold tokens of several apps). `literal` is used
    /// in Mode::Literal only. `store`, `sessions` and `workers` may be null in
    /// Mode::Literal.
    TokenSource(Mode mode, Token literal, std::string urlName, std::string consumerKey, std::shared_ptr<Store> store,
                std::shared_ptr<SessionManager> sessions, std::shared_ptr<WorkerPool> workers);

    Mode mode() const { return _mode; }

    // These are coroutines that start when awaited and take references (no
    // copy of the session on every request): pass objects that outlive the
    // await, never temporaries such as std::nullopt.

    /// The token for a request of `session` (nullopt: none, answer 401).
    Task<std::optional<Token>> find(const std::optional<Session>& session) const;

    /// Puts `token` into `session` (a new one, saved by the caller) and, with
    /// `persist`, into the store for everyone. Blocks: call on a worker.
    void keep(Session& session, const Token& token) const;

    /// Forgets `rejected` (Twitter answered 89) if it is still the stored
    /// token: another request may have stored a newer one meanwhile.
    Task<void> forget(const std::optional<Session>& session, const std::string& rejected) const;

    /// Puts `fresh` (a refreshed OAuth 2.0 token) where `stale` was, in one
    /// store write, if `stale` is still the stored token (compare and swap:
    /// a new login meanwhile wins). False when it was not.
    Task<bool> replace(const std::optional<Session>& session, const std::string& stale, const Token& fresh) const;

  private:
    std::optional<Token> findBlocking(const std::optional<Session>& session) const;
    void forgetBlocking(const std::optional<Session>& session, const std::string& rejected) const;
    bool replaceBlocking(const std::optional<Session>& session, const std::string& stale, const Token& fresh) const;
    void putInto(Session& session, const Token& token) const;
    std::string persistValue(const Token& token) const;
    void eraseFrom(Session& session) const;
    std::string persistKey() const;
    std::string sessionTokenKey() const;

    const Mode _mode;
    const Token _literal;
    const std::string _urlName;
    const std::string _consumerKey;
    const std::shared_ptr<Store> _store;
    const std::shared_ptr<SessionManager> _sessions;
    const std::shared_ptr<WorkerPool> _workers;
};

} // namespace birdgate
