// SandboxStreamV2; see SandboxStreamV2.h.
#include "birdgate/sandbox/SandboxStreamV2.h"

#include "SandboxV2Json.h"

#include "birdgate/common/HttpErrors.h"

#include <algorithm>
#include <ctime>
#include <set>

namespace birdgate
{

namespace
{
const std::set<std::string> OTHER_FIELDS = {"media.fields", "place.fields", "poll.fields"};

std::vector<std::string> splitList(const std::string& s)
{
    std::vector<std::string> out;
    std::size_t pos = 0;
    while (pos <= s.size())
    {
        std::size_t comma = s.find(',', pos);
        if (comma == std::string::npos) comma = s.size();
        out.push_back(s.substr(pos, comma - pos));
        pos = comma + 1;
    }
    return out;
}

bool has(const std::vector<std::string>& list, const char* name)
{
    return std::find(list.begin(), list.end(), name) != list.end();
}

std::string number(double v)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6f", v);
    return buf;
}
} // namespace

SandboxStreamV2::SandboxStreamV2(const SandboxData& data, SandboxOAuth& oauth, SandboxStream& stream)
    : _data(data), _oauth(oauth), _stream(stream)
{
}

std::optional<std::string> SandboxStreamV2::appOf(const std::string& authorization, Reply& refusal) const
{
    std::string a = authorization;
    a.erase(0, a.find_first_not_of(' '));
    std::string scheme = a.substr(0, a.find(' '));
    for (char& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (scheme == "oauth")
    {
        refusal = {
            403,
            sandboxv2::problemJson("Unsupported Authentication",
                                   "Authenticating with OAuth 1.0a User Context is forbidden for this endpoint.  "
                                   "Supported authentication types are [OAuth 2.0 Application-Only].",
                                   "https://api.twitter.com/2/problems/unsupported-authentication", 403),
            std::nullopt};
        return std::nullopt;
    }
    if (scheme == "bearer")
    {
        std::string token = a.substr(7);
        while (!token.empty() && token.back() == ' ') token.pop_back();
        if (auto app = _oauth.bearerApp(token)) return app;
    }
    refusal = {401, sandboxv2::problemJson("Unauthorized", "Unauthorized", "about:blank", 401), std::nullopt};
    return std::nullopt;
}

SandboxStreamV2::Reply SandboxStreamV2::rulesEndpoint(const std::string& authorization, const std::string& method,
                                                      const oauth1::Params& query, const std::string& body)
{
    Reply reply;
    auto app = appOf(authorization, reply);
    if (!app) return reply;
    std::string ids;
    bool dryRun = false;
    for (const auto& [k, v] : query)
    {
        if (k == "ids")
            ids = v;
        else if (k == "dry_run" && (v == "true" || v == "false"))
            dryRun = v == "true";
        else if (k != "max_results" && k != "pagination_token" && k != "delete_all")
            return {400,
                    sandboxv2::invalidParameterJson(k, v,
                                                    "The query parameter [" + k +
                                                        "] is not one of [ids, max_results, "
                                                        "pagination_token, dry_run]"),
                    std::nullopt};
    }
    SandboxRules::Answer a = method == "GET" ? _rules.list(*app, ids) : _rules.change(*app, body, dryRun);
    return {a.status, a.body, std::nullopt};
}

SandboxStreamV2::Reply SandboxStreamV2::connect(const std::string& authorization, const oauth1::Params& query)
{
    Reply reply;
    auto app = appOf(authorization, reply);
    if (!app) return reply;
    Fields fields;
    for (const auto& [k, v] : query)
    {
        const std::set<std::string>* allowed = k == "tweet.fields"  ? &sandboxv2::tweetFields()
                                               : k == "user.fields" ? &sandboxv2::userFields()
                                               : k == "expansions"  ? &sandboxv2::tweetExpansions()
                                                                    : nullptr;
        if (allowed)
        {
            for (const auto& item : splitList(v))
                if (!allowed->count(item))
                    return {400,
                            sandboxv2::invalidParameterJson(k, item,
                                                            "The `" + k + "` query parameter value [" + item +
                                                                "] is not one of the values X accepts"),
                            std::nullopt};
            auto items = splitList(v);
            if (k == "tweet.fields") fields.tweet = items;
            if (k == "user.fields") fields.user = items;
            if (k == "expansions") fields.expandAuthor = has(items, "author_id");
        }
        else if (k == "backfill_minutes")
        {
            if (v.size() != 1 || v[0] < '0' || v[0] > '5')
                return {400,
                        sandboxv2::invalidParameterJson(
                            k, v, "The `backfill_minutes` query parameter value [" + v + "] is not between 0 and 5"),
                        std::nullopt};
        }
        else if (!OTHER_FIELDS.count(k))
            return {400,
                    sandboxv2::invalidParameterJson(k, v,
                                                    "The query parameter [" + k +
                                                        "] is not one of [expansions, "
                                                        "tweet.fields, user.fields, "
                                                        "media.fields, place.fields, "
                                                        "poll.fields, backfill_minutes]"),
                    std::nullopt};
    }
    if (int status = _stream.takeStatusFault())
    {
        if (status == 403)
            return {403,
                    sandboxv2::problemJson(
                        "Client Forbidden",
                        "When authenticating requests to the Twitter API v2 endpoints, you must use keys "
                        "and tokens from a Twitter developer App that is attached to a Project.",
                        "https://api.twitter.com/2/problems/client-forbidden", 403),
                    std::nullopt};
        if (status == 429)
            return {429,
                    sandboxv2::problemJson("ConnectionException",
                                           "This stream is currently at the maximum allowed connection limit.",
                                           "https://api.twitter.com/2/problems/streaming-connection", 429),
                    std::nullopt};
        return {status, sandboxv2::problemJson("Service Unavailable", "Injected fault", "about:blank", status),
                std::nullopt};
    }
    if (!_rules.claimConnection(*app))
        return {429,
                sandboxv2::problemJson("ConnectionException",
                                       "This stream is currently at the maximum allowed connection limit.",
                                       "https://api.twitter.com/2/problems/streaming-connection", 429),
                std::nullopt};
    SandboxRules* rules = &_rules;
    const std::string appKey = *app;
    SandboxStream::Filter filter;
    filter.hold = std::shared_ptr<void>(nullptr, [rules, appKey](void*) { rules->releaseConnection(appKey); });
    filter.v2 = [this, appKey, fields](std::uint64_t id, long long ms, std::uint64_t n) {
        return render(appKey, fields, id, ms, n);
    };
    reply.stream = std::move(filter);
    return reply;
}

std::string SandboxStreamV2::render(const std::string& app, const Fields& fields, std::uint64_t id,
                                    long long epochMillis, std::uint64_t n) const
{
    auto list = _rules.rules(app);
    if (list->empty()) return {};
    const TweetPool generic = _data.searchPool("");
    const std::size_t count = list->size();
    // Rules in turn; a rule no tweet can match (say `a -a`) is skipped.
    for (std::size_t attempt = 0; attempt < count * 3; ++attempt)
    {
        const std::size_t which = static_cast<std::size_t>((n + attempt) % count);
        const SandboxRules::Rule& target = (*list)[which];
        RuleTweet t = SandboxRules::example(*target.root, n / count + attempt);
        SandboxTweet filler = _data.tweet(
            generic, static_cast<int>((n * 7919 + attempt) % static_cast<std::uint64_t>(std::max(1, generic.depth))));
        std::string author = t.author;
        if (author.empty() && t.authorId)
        {
            auto name = _data.populationName(t.authorId);
            author = name ? *name : "user" + std::to_string(t.authorId % 100000000000ULL);
        }
        if (author.empty()) author = filler.author;
        SandboxUser user = _data.user(author);
        if (t.authorId) user.id = t.authorId;
        t.author = user.screenName;
        t.authorId = user.id;
        t.text = (t.retweet ? "RT @" + filler.author + ": " : std::string()) + t.text + (t.text.empty() ? "" : " ") +
                 filler.text;
        if (!SandboxRules::matches(*target.root, t)) continue;

        std::string out = "{\"data\":{\"id\":\"" + std::to_string(id) + "\",\"text\":";
        jsonQuoteTo(out, t.text);
        out += ",\"edit_history_tweet_ids\":[\"" + std::to_string(id) + "\"]";
        if (has(fields.tweet, "author_id") || fields.expandAuthor)
            out += ",\"author_id\":\"" + std::to_string(user.id) + "\"";
        if (has(fields.tweet, "created_at")) out += ",\"created_at\":\"" + sandboxv2::isoTime(epochMillis) + "\"";
        if (has(fields.tweet, "conversation_id")) out += ",\"conversation_id\":\"" + std::to_string(id) + "\"";
        if (has(fields.tweet, "lang")) out += ",\"lang\":\"" + t.lang + "\"";
        if (has(fields.tweet, "possibly_sensitive")) out += ",\"possibly_sensitive\":false";
        if (has(fields.tweet, "public_metrics"))
            out += ",\"public_metrics\":{\"retweet_count\":" + std::to_string(filler.retweetCount) +
                   ",\"reply_count\":0,\"like_count\":" + std::to_string(filler.favoriteCount) +
                   ",\"quote_count\":0,\"impression_count\":0}";
        if (has(fields.tweet, "geo") && t.hasGeo)
            out += ",\"geo\":{\"coordinates\":{\"type\":\"Point\",\"coordinates\":[" + number(t.lng) + "," +
                   number(t.lat) + "]}}";
        out += "}";
        if (fields.expandAuthor)
        {
            out += ",\"includes\":{\"users\":[{\"id\":\"" + std::to_string(user.id) + "\",\"name\":";
            jsonQuoteTo(out, user.name);
            out += ",\"username\":";
            jsonQuoteTo(out, user.screenName);
            if (has(fields.user, "created_at"))
                out += ",\"created_at\":\"" + sandboxv2::isoTime(user.createdAt * 1000) + "\"";
            if (has(fields.user, "description"))
            {
                out += ",\"description\":";
                jsonQuoteTo(out, user.description);
            }
            if (has(fields.user, "location"))
            {
                out += ",\"location\":";
                jsonQuoteTo(out, user.location);
            }
            if (has(fields.user, "protected")) out += ",\"protected\":false";
            if (has(fields.user, "verified")) out += std::string(",\"verified\":") + (user.verified ? "true" : "false");
            if (has(fields.user, "public_metrics"))
                out += ",\"public_metrics\":{\"followers_count\":" + std::to_string(user.followersCount) +
                       ",\"following_count\":" + std::to_string(user.friendsCount) +
                       ",\"tweet_count\":" + std::to_string(user.statusesCount) +
                       ",\"listed_count\":" + std::to_string(user.listedCount) + "}";
            out += "}]}";
        }
        out += ",\"matching_rules\":[";
        bool first = true;
        for (const auto& r : *list)
        {
            if (!SandboxRules::matches(*r.root, t)) continue;
            out += first ? "{\"id\":\"" : ",{\"id\":\"";
            first = false;
            out += r.id + "\",\"tag\":";
            jsonQuoteTo(out, r.tag);
            out += "}";
        }
        out += "]}\r\n";
        return out;
    }
    return {};
}

} // namespace birdgate
