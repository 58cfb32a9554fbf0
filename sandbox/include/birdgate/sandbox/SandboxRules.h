// The rules of the sandbox's v2 filtered stream (DESIGN.md 6): a parser for
// X's core rule operators, the rule list of each app, and the two things the
// stream needs from a rule: whether a tweet matches it, and a tweet that
// does (so the synthetic stream only carries tweets some rule asked for).
//
// Syntax, as X reads it: words (case-insensitive, whole tokens), "quoted
// phrases" (\" inside), OR between terms (upper case; juxtaposition is AND
// and binds tighter), parentheses, '-' negating the term or group it is
// glued to, and the operators from:, to:, lang:, has:, is:, url:,
// bounding_box:[w s e n] and point_radius:[lng lat r]. A rule (and every OR
// branch of it) needs a positive term that stands alone: lang:, has: and is:
// only narrow one. Limits: 512 characters, 25 rules per app. Refusals carry
// X's shapes: errors[] entries with `value`, `details`, `title`, `type`;
// duplicates (the same value twice) are "DuplicateRule" with the existing
// rule's `id`; a batch with any invalid rule creates none (meta.summary
// counts created / not_created / valid / invalid as X does).
//
// Thread safety: the rule lists sit behind one mutex; a stream connection
// takes a snapshot (shared_ptr to an immutable list) and compares version()
// per message, so a rule change reaches open connections at the next tweet.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace birdgate
{

/// One node of a parsed rule.
struct RuleNode
{
    enum class Kind
    {
        Word,
        Phrase,
        From,
        To,
        Lang,
        Has,
        Is,
        Url,
        BoundingBox,
        PointRadius,
        And,
        Or
    };
    Kind kind = Kind::Word;
    bool negated = false;
    std::string text;             // lower-cased word / phrase / operator value
    double box[4] = {0, 0, 0, 0}; // bounding_box w s e n, point_radius lng lat radius-km
    std::vector<RuleNode> children;
};

/// What the matcher looks at in a tweet.
struct RuleTweet
{
    std::string text;
    std::string author; // screen name
    std::uint64_t authorId = 0;
    std::string lang = "en";
    bool retweet = false;
    bool reply = false;
    bool quote = false;
    bool hasImages = false;
    bool hasVideos = false;
    bool hasGeo = false;
    double lng = 0, lat = 0; // when hasGeo
};

class SandboxRules
{
  public:
    static constexpr std::size_t MAX_LENGTH = 512;
    static constexpr std::size_t MAX_RULES = 25;

    struct Parsed
    {
        std::shared_ptr<const RuleNode> root; // null when `error` is set
        std::string error;                    // X-style details, e.g. "Unmatched parenthesis (at position 5)"
    };
    static Parsed parse(std::string_view value);

    static bool matches(const RuleNode& rule, const RuleTweet& tweet);

    /// The words, phrases and settings a tweet needs to match `rule`,
    /// choosing OR branches by `variant`; negated terms are left out (the
    /// caller checks with matches()). `text` holds the required words.
    static RuleTweet example(const RuleNode& rule, std::uint64_t variant);

    struct Rule
    {
        std::string id;
        std::string value;
        std::string tag;
        std::shared_ptr<const RuleNode> root;
    };
    using RuleList = std::vector<Rule>;

    /// An answer for the rules endpoint: status and JSON body.
    struct Answer
    {
        int status = 200;
        std::string body;
    };

    /// GET 2/tweets/search/stream/rules (`ids`: comma-separated filter).
    Answer list(const std::string& app, const std::string& ids) const;
    /// POST 2/tweets/search/stream/rules: {"add":[...]} or {"delete":{"ids"|"values":[...]}}.
    Answer change(const std::string& app, const std::string& body, bool dryRun);

    /// The app's rules now, and a counter that moves with every change.
    std::shared_ptr<const RuleList> rules(const std::string& app) const;
    std::uint64_t version() const;

    /// One stream connection per app: false when one is open.
    bool claimConnection(const std::string& app);
    void releaseConnection(const std::string& app);

  private:
    Answer add(const std::string& app, const std::vector<std::pair<std::string, std::string>>& rules, bool dryRun);
    Answer remove(const std::string& app, const std::vector<std::string>& ids, bool byValue, bool dryRun);

    mutable std::mutex _mutex;
    std::map<std::string, std::shared_ptr<const RuleList>> _rules; // app key -> its rules (guarded by _mutex)
    std::map<std::string, int> _connections;                       // guarded by _mutex
    std::uint64_t _nextId = 1'600'000'000'000'000'001ULL;          // guarded by _mutex
    std::atomic<std::uint64_t> _version{0};                        // read per message without the lock
};

} // namespace birdgate
