// TwitterSandbox: an emulator of the Twitter v1.1 API and its OAuth login,
// and of X API v2 with its OAuth 2.0 server, served as a birdgate Endpoint
// (DESIGN.md 6), for development, the tests, the demo and the benchmarks.
//
// It checks OAuth 1.0a signatures the way Twitter does (401 with code 32 bad
// signature or unknown consumer, 89 unknown token, 135 clock skew), answers
// from deterministic synthetic data (SandboxData: same seed, same request,
// same body), keeps tweets posted through statuses/update in memory, counts
// x-rate-limit-* per token and endpoint (RateLimiter) and runs the three-
// legged login with an HTML Authorize/Cancel page (SandboxOAuth).
//
// X API v2 lives in two more files of this class: SandboxOAuth2Pages.cpp
// (i/oauth2/authorize, 2/oauth2/token, 2/oauth2/revoke over the rules of
// SandboxOAuth2) and SandboxV2.cpp (the v2 endpoints: every `2/...` path not
// in ROUTES goes to dispatchV2(), which walks V2_ROUTES and authenticates
// with authorizeV2(): app-only bearer, OAuth 2.0 user token with scopes, or
// an OAuth 1.0a user signature). SandboxCall.h, private to the library,
// holds the per-request Call they share. Time (OAuth timestamps, rate-limit
// windows, code and token expiry) comes from a Clock, replaceable by tests.
//
// Requests are dispatched through a table of API paths (ROUTES in the .cpp),
// each naming its access rule and handler method, so new endpoints (the
// statuses/filter.json stream) are one line and one method. The stream
// itself (synthetic tweets, keep-alives, injected faults) is SandboxStream;
// its control URL, `_control/stream` under the mount, is served to loopback
// clients only and needs no signature (test machinery, see SandboxStream.h).
//
// serve() is a coroutine over the library-free Request and Answer: the route
// handlers stay plain functions filling a buffered answer (they only compute
// from memory), and the two things that wait are awaited around them: the
// `latency` kwarg on a steady_timer, and the statuses/filter.json stream,
// which a handler only validates and SandboxStream::serve() then writes.
//
// Decisions where Twitter is ambiguous or unknowable:
//   - a wrong method (GET on statuses/update.json, GET on oauth/access_token)
//     answers 404 code 34 "Sorry, that page does not exist.", as Twitter's
//     method-keyed router does; read endpoints accept GET and POST;
//   - a missing or unparsable Authorization header is code 32, like a bad
//     signature; a bearer token on a user-context endpoint is 403 code 220;
//   - malformed percent-encoding in the query or form body is 400 with
//     birdgate's own error code (the status), a body above AppConfig::maxBody 413;
//   - nonces are not remembered (replays inside clock_skew pass);
//   - users/show|lookup and followers/list by user_id know the generated
//     population, configured users, logged-in users, posters and names seen
//     before; other ids are "User not found." (ids are hashes of names).
#pragma once

#include "birdgate/common/Clock.h"
#include "birdgate/common/ThreadAnnotations.h"
#include "birdgate/config/Config.h"
#include "birdgate/config/Kwargs.h"
#include "birdgate/sandbox/RateLimiter.h"
#include "birdgate/sandbox/SandboxData.h"
#include "birdgate/sandbox/SandboxOAuth.h"
#include "birdgate/sandbox/SandboxOAuth2.h"
#include "birdgate/sandbox/SandboxStream.h"
#include "birdgate/sandbox/SandboxStreamV2.h"
#include "birdgate/server/Endpoint.h"

#include <atomic>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

namespace birdgate
{

class TwitterSandbox : public Endpoint
{
  public:
    /// Reads entry.kwargs through kwargSpec(); throws ConfigError on a bad
    /// value, appends unknown keys to `warnings`.
    TwitterSandbox(const UrlEntry& entry, const AppConfig& app, std::vector<std::string>* warnings);
    ~TwitterSandbox() override;

    Task<void> serve(Request& request, Answer& answer, const RouteMatch& match) override;

    /// Ends the open statuses/filter.json streams now (SandboxStream::endAll):
    /// a stream is an answer that never finishes on its own, so draining
    /// would wait for it; new ones end at once.
    void shutdown() override;

    SandboxStream& stream() { return *_stream; }
    SandboxOAuth2& oauth2() { return _oauth2; }

    /// Replaces the clock of OAuth timestamps, rate limits, codes and token
    /// expiry (tests: FakeClock). Call before serving.
    void setClock(Clock& clock);

    /// The kwargs table: name, type, default, description of every key.
    static std::span<const KwargSpec> kwargSpec();

    const SandboxData& data() const { return _data; }

    /// Tweets kept per user, and in all, from statuses/update.
    static constexpr std::size_t MAX_POSTS_PER_USER = 3200;
    static constexpr std::size_t MAX_POSTS = 100000;
    /// Names remembered for lookups by id (beyond the generated population).
    static constexpr std::size_t MAX_KNOWN_NAMES = 100000;
    /// Tweets remembered for 2/tweets/:id (every tweet served is "seen").
    static constexpr std::size_t MAX_KNOWN_TWEETS = 100000;

  private:
    struct Call;
    struct OAuthHeader;
    using Handler = void (TwitterSandbox::*)(Call&);

    TwitterSandbox(const Kwargs& kw, const UrlEntry& entry, const AppConfig& app, std::vector<std::string>* warnings);

    enum class Access
    {
        Page,      // browser page, no signature (oauth/authorize)
        Self,      // the handler authenticates (request_token, access_token, oauth2/token)
        AppOrUser, // a user token or an app-only bearer
        User       // a user token only
    };

    struct Route
    {
        const char* path;
        Access access;
        bool postOnly;
        Handler handler;
    };
    static const Route ROUTES[];
    const Route* findRoute(const std::string& path) const;
    /// Everything after the body is read: route, method, parsing, auth, rate
    /// limit and the route's handler, which fills a buffered answer (or
    /// call.stream for statuses/filter.json).
    void dispatch(Call& call, const RouteMatch& match, bool tooLarge);

    // ------------------------------------------------------------ API calls
    void searchTweets(Call& call);
    void homeTimeline(Call& call);
    void userTimeline(Call& call);
    void statusesUpdate(Call& call);
    void usersShow(Call& call);
    void usersLookup(Call& call);
    void followersList(Call& call);
    void verifyCredentials(Call& call);
    void statusesFilter(Call& call);
    void streamControl(Call& call, const std::string& body);
    void searchStreamV2(Call& call);      // 2/tweets/search/stream (SandboxStreamV2)
    void searchStreamRulesV2(Call& call); // 2/tweets/search/stream/rules

    // --------------------------------------------------------------- logins
    void requestToken(Call& call);
    void authorizePage(Call& call);
    void accessToken(Call& call);
    void oauth2Token(Call& call);

    // ------------------------------------- OAuth 2.0 (SandboxOAuth2Pages.cpp)
    void oauth2Authorize(Call& call);
    void oauth2CodeToken(Call& call);
    void oauth2Revoke(Call& call);
    void oauth2Error(Call& call, const SandboxOAuth2::Error& error);

    // --------------------------------------------------- X API v2 (SandboxV2.cpp)
    /// Who may call a v2 route: an app-only bearer too, or only a user
    /// context (OAuth 2.0 user token or OAuth 1.0a user signature).
    enum class V2Access
    {
        AppOrUser,
        User
    };

    /// One v2 endpoint: method, path template (":name" segments capture into
    /// Call::pathParams, and the template is the rate-limit key), access,
    /// the OAuth 2.0 scopes a user token needs (space-separated) and the
    /// handler. New v2 endpoints (the filtered stream) are one row of V2_ROUTES.
    struct V2Route
    {
        const char* method;
        const char* path;
        V2Access access;
        const char* scopes;
        Handler handler;
    };
    static const V2Route V2_ROUTES[];
    /// Routes every `2/...` path that ROUTES does not hold: 404/405 problem,
    /// body size, query, authorizeV2, rate limit, handler.
    void dispatchV2(Call& call, const std::string& path, bool tooLarge);
    /// The v2 authentication step, reusable by any v2 handler: accepts an
    /// app-only bearer (unless `access` is User: 403), an OAuth 2.0 user
    /// access token (401 when unknown, revoked or expired; 403 when it lacks
    /// one of `scopes`, space-separated) or an OAuth 1.0a user signature.
    /// Sets call.token (the rate-limit identity) and call.user (user context);
    /// false after it answered the problem JSON.
    bool authorizeV2(Call& call, V2Access access, std::string_view scopes);
    /// v2 problem JSON {"title","detail","type","status"} (+ "errors" when given).
    void problem(Call& call, int status, const std::string& title, const std::string& detail,
                 const std::string& type = "about:blank", const std::string& errors = {});
    void invalidParameter(Call& call, const std::string& name, const std::string& value, const std::string& message);
    /// What readFields() calls on a bad parameter: invalidParameter for `call`.
    auto parameterError(Call& call)
    {
        return [this, &call](const std::string& name, const std::string& value, const std::string& message) {
            invalidParameter(call, name, value, message);
        };
    }
    /// The numeric id of the path (`2/users/:id`, `2/tweets/:id`); nullopt
    /// after answering X's 400 for anything else.
    std::optional<std::uint64_t> pathId(Call& call);

    void v2UsersMe(Call& call);
    void v2UserByUsername(Call& call);
    void v2User(Call& call);
    void v2UserTweets(Call& call);
    void v2UserFollowers(Call& call);
    void v2SearchRecent(Call& call);
    void v2Tweet(Call& call);
    void v2PostTweet(Call& call);
    void v2DeleteTweet(Call& call);

    // ------------------------------------------------------ tweets by id
    /// Stores a tweet posted by `author` (statuses/update, POST 2/tweets).
    SandboxTweet post(const std::string& author, const std::string& text);
    /// Removes a posted tweet of `author`: 1 deleted, 0 unknown id, -1 not theirs.
    int deletePost(std::uint64_t id, const std::string& author);
    /// A tweet served before (or posted), by id.
    std::optional<SandboxTweet> findTweet(std::uint64_t id) const;
    void rememberTweets(const std::vector<SandboxTweet>& tweets) const;
    /// A user known by id (population, configured, logged in, seen).
    std::optional<SandboxUser> userById(std::uint64_t id) const;

    // -------------------------------------------------------------- helpers
    bool authenticate(Call& call);
    int parseOAuthHeader(Call& call, OAuthHeader& header);
    /// OAuth 1.0a user signature check (v1.1 and v2): 0 and call.token /
    /// call.user set, or Twitter's code (32 bad, 89 unknown token, 135 skew).
    int oauth1User(Call& call);
    bool signatureMatches(Call& call, const OAuthHeader& header, const std::string& consumerSecret,
                          const std::string& tokenSecret);
    std::optional<SandboxUser> resolveUser(Call& call, bool defaultToSelf);
    SandboxUser userFor(const std::string& screenName) const;
    void rememberName(const std::string& screenName);
    std::vector<SandboxTweet> postsOf(const std::string& screenName) const;
    void timeline(Call& call, const TweetPool& pool, const std::vector<SandboxTweet>& posted);
    std::vector<SandboxTweet> collect(const TweetPool& pool, const std::vector<SandboxTweet>& posted, int count,
                                      std::optional<std::uint64_t> maxId, std::optional<std::uint64_t> sinceId,
                                      bool& more) const;
    void appendTweets(std::string& out, const std::vector<SandboxTweet>& tweets, SandboxData::TweetStyle style) const;
    void sendPage(Call& call, int status, const std::string& html);
    /// The user choice and Authorize/Cancel buttons ending both authorize forms.
    std::string signInChoices() const;

    std::string _name;
    SandboxData _data;
    SandboxOAuth _oauth;
    SandboxOAuth2 _oauth2;
    std::atomic<Clock*> _clock{&SystemClock::instance()};
    std::string _autoApprove; // screen name the authorize page answers as, or ""
    RateLimiter _limiter;
    int _clockSkew;
    int _latency;
    long long _maxBody;
    std::vector<std::string> _configuredUsers;  // offered on the authorize page
    std::unique_ptr<SandboxStream> _stream;     // statuses/filter.json and its faults
    std::unique_ptr<SandboxStreamV2> _streamV2; // the v2 filtered stream and its rules

    mutable std::shared_mutex _stateMutex;
    // lower-cased name -> newest first
    std::unordered_map<std::string, std::deque<SandboxTweet>> _posts BIRDGATE_GUARDED_BY(_stateMutex);
    std::deque<SandboxTweet> _allPosts BIRDGATE_GUARDED_BY(_stateMutex); // newest first, for search
    std::unordered_map<std::uint64_t, std::string> _knownNames BIRDGATE_GUARDED_BY(_stateMutex); // id -> name
    long long _lastPostMillis BIRDGATE_GUARDED_BY(_stateMutex) = 0;
    std::uint64_t _postSequence BIRDGATE_GUARDED_BY(_stateMutex) = 0;

    mutable std::mutex _tweetMutex; // guards the two below (written from const answers)
    mutable std::unordered_map<std::uint64_t, SandboxTweet> _knownTweets BIRDGATE_GUARDED_BY(_tweetMutex);
    mutable std::deque<std::uint64_t> _knownOrder BIRDGATE_GUARDED_BY(_tweetMutex); // oldest first, for eviction
};

} // namespace birdgate
