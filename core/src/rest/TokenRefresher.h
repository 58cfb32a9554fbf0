// TokenRefresher: keeps a url's OAuth 2.0 user tokens alive (DESIGN.md 3.8).
// A token is refreshed when less than min(60 s, its life / 10) is left, or
// after X answered 401 to it: once per token, however many requests ask at
// the same time (one SharedResult per stale access token), and a request
// that asks after that refresh landed (its 401 arrived late) gets the same
// new token without another refresh. The new token replaces the old one in
// the session or the persisted store in one write (X rotates refresh tokens:
// the old one is spent). A refresh X refuses forgets the token, so the
// client gets the `access token missing` 401 and logs in again.
//
// One per url entry, shared by its requests; thread-safe. Time comes from a
// Clock, so tests move it instead of waiting.
#pragma once

#include "birdgate/common/Clock.h"
#include "birdgate/common/SharedResult.h"
#include "birdgate/common/Task.h"
#include "birdgate/common/ThreadAnnotations.h"
#include "birdgate/twitter/OAuth2Client.h"
#include "rest/TokenSource.h"

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace birdgate
{

class TokenRefresher
{
  public:
    /// The refresh itself (OAuth2Client::refresh in the server; tests fake it).
    using Refresh = std::function<Task<OAuth2Tokens>(const std::string& refreshToken)>;

    TokenRefresher(const TokenSource& tokens, Refresh refresh, Clock& clock);

    /// True when `token` should be refreshed before use at `now`.
    static bool dueAt(const TokenSource::Token& token, std::chrono::system_clock::time_point now);
    bool due(const TokenSource::Token& token) const { return dueAt(token, _clock.now()); }

    /// The token that replaces `stale` (refreshed once for every caller);
    /// nullopt when X refused the refresh (the token is forgotten). Throws
    /// UpstreamUnreachable / UpstreamTimeout when X cannot be reached.
    /// Arguments by value: the coroutine starts when awaited, after a
    /// caller's temporaries (`refresh(std::nullopt, ...)`) are gone.
    Task<std::optional<TokenSource::Token>> refresh(std::optional<Session> session, TokenSource::Token stale)
        BIRDGATE_EXCLUDES(_mutex);

    /// Refreshes started so far (tests, metrics).
    std::size_t refreshes() const BIRDGATE_EXCLUDES(_mutex);

    /// How long a landed refresh is remembered for late callers.
    static constexpr std::chrono::seconds REMEMBER{300};

  private:
    struct Entry
    {
        std::shared_ptr<SharedResult> flight;
        std::chrono::steady_clock::time_point started;
    };

    Task<std::string> lead(std::shared_ptr<SharedResult> flight, std::optional<Session> session,
                           TokenSource::Token stale);
    void forgetOldEntriesLocked(std::chrono::steady_clock::time_point now) BIRDGATE_REQUIRES(_mutex);
    static std::string encode(const TokenSource::Token& token);
    static TokenSource::Token decode(const std::string& text);

    const TokenSource& _tokens;
    const Refresh _refresh;
    Clock& _clock;

    mutable std::mutex _mutex;
    std::map<std::string, Entry> _byStale BIRDGATE_GUARDED_BY(_mutex); // stale access token → its refresh
    std::size_t _refreshes BIRDGATE_GUARDED_BY(_mutex) = 0;
};

/// A refresh X refused: the waiters answer `access token missing`.
class RefreshRefused : public std::runtime_error
{
  public:
    using std::runtime_error::runtime_error;
};

} // namespace birdgate
