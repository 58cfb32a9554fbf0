// The synthetic Twitter that TwitterSandbox serves: users, follower lists and
// tweets, all derived from a seed so the same request always gets the same
// answer, and rendered as v1.1-shaped JSON.
//
// Nothing is stored. Every well-formed screen name is a user whose id,
// profile and counts come from a hash of (seed, lower-cased name). Timelines
// and search results are "pools": a pool is a key (the query, or the user)
// and a depth, and tweet k of a pool is computed on demand, newer for smaller
// k, with ids strictly decreasing in k so max_id / since_id become a binary
// search. Follower and friend lists walk a fixed population of generated
// names (POPULATION of them) through a per-user permutation, so users found
// in lists can also be looked up by id.
//
// JSON is built by string concatenation (jsonQuoteTo) so key order is
// Twitter's and 64-bit ids stay exact integers. The class is immutable after
// construction and safe to share between threads.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace birdgate
{

struct SandboxUser
{
    std::uint64_t id = 0;
    std::string screenName;
    std::string name;
    std::string location;
    std::string description;
    long long createdAt = 0; // epoch seconds
    long long followersCount = 0;
    long long friendsCount = 0;
    long long listedCount = 0;
    long long favouritesCount = 0;
    long long statusesCount = 0;
    bool verified = false;
};

struct SandboxTweet
{
    std::uint64_t id = 0;
    long long createdAt = 0; // epoch seconds
    std::string text;
    std::string author; // screen name
    long long retweetCount = 0;
    long long favoriteCount = 0;
    int source = 0; // index into the client list
};

/// Which tweets a pool holds and who writes them.
struct TweetPool
{
    enum class Kind
    {
        Search,       // words of the query in every text, any author
        UserTimeline, // tweets by `user`
        HomeTimeline  // tweets by the friends of `user` and by `user`
    };
    Kind kind = Kind::Search;
    std::string key;                // normalised query or lower-cased name
    std::vector<std::string> words; // Search: the query words, as given
    SandboxUser user;               // UserTimeline / HomeTimeline
    int depth = 0;                  // number of tweets in the pool
};

class SandboxData
{
  public:
    /// Size of the generated population (a prime: any step walks all of it).
    static constexpr int POPULATION = 10007;
    /// Twitter's own caps on what timelines reach back to.
    static constexpr int USER_TIMELINE_DEPTH = 3200;
    static constexpr int HOME_TIMELINE_DEPTH = 800;
    /// Followers/friends lists are cut at this length (counts are not).
    static constexpr int MAX_LIST = 5000;
    /// Synthetic tweets are dated before this instant (2023-11-14T22:13:20Z).
    static constexpr long long ANCHOR = 1700000000;

    SandboxData(long long seed, int searchDepth);

    /// 1-15 characters of [A-Za-z0-9_].
    static bool validScreenName(std::string_view name);

    /// The user with that (valid) screen name, shown with the case given
    /// (everything else depends only on the lower-cased name).
    SandboxUser user(std::string_view screenName) const;
    std::uint64_t userId(std::string_view screenName) const;

    /// Screen name of a population member with that id.
    std::optional<std::string> populationName(std::uint64_t id) const;
    /// The i-th generated name (0 <= i < POPULATION).
    std::string populationNameAt(int index) const;

    /// Followers (or friends) list of `user`: its length and its members.
    int followerListSize(const SandboxUser& user) const;
    std::string followerAt(const SandboxUser& user, int position) const;
    int friendListSize(const SandboxUser& user) const;
    std::string friendAt(const SandboxUser& user, int position) const;

    // ---------------------------------------------------------------- pools
    TweetPool searchPool(std::string_view query) const;
    TweetPool userTimelinePool(const SandboxUser& user) const;
    TweetPool homeTimelinePool(const SandboxUser& user) const;

    std::uint64_t tweetId(const TweetPool& pool, int k) const;
    SandboxTweet tweet(const TweetPool& pool, int k) const;
    /// First k whose id is <= maxId (pool.depth when none).
    int firstAtOrBelow(const TweetPool& pool, std::uint64_t maxId) const;

    /// Query words as Twitter would match them: split on white space.
    static std::vector<std::string> queryWords(std::string_view query);
    /// True when `text` contains every word of `words`, ignoring ASCII case.
    static bool matchesAll(std::string_view text, const std::vector<std::string>& words);

    // ----------------------------------------------------------------- JSON
    struct TweetStyle
    {
        bool extended = false;       // tweet_mode=extended: full_text + display_text_range
        bool searchMetadata = false; // search results carry "metadata"
        bool trimUser = false;       // trim_user=true: "user" is {id, id_str} only
    };
    void appendUserJson(std::string& out, const SandboxUser& user) const;
    void appendTweetJson(std::string& out, const SandboxTweet& tweet, const SandboxUser& author,
                         TweetStyle style) const;
    /// {"hashtags":[...],"symbols":[...],"user_mentions":[...],"urls":[...]}, from the text.
    void appendEntitiesJson(std::string& out, std::string_view text) const;

    /// "Wed Oct 10 20:19:24 +0000 2018"
    static std::string twitterTime(long long epochSeconds);
    /// Twitter's snowflake: ms since 2010-11-04 shifted by 22, low bits given.
    static std::uint64_t snowflake(long long epochMillis, std::uint64_t low22);

    long long seed() const { return _seed; }
    int searchDepth() const { return _searchDepth; }

  private:
    std::uint64_t hash(std::string_view text, std::uint64_t salt) const;
    std::uint64_t hashLower(std::string_view text, std::uint64_t salt) const;
    std::string fillerText(std::uint64_t h, int words) const;
    int permuted(const SandboxUser& user, std::uint64_t salt, int position) const;

    long long _seed;
    int _searchDepth;
    std::unordered_map<std::uint64_t, int> _populationById;
};

} // namespace birdgate
