// The sandbox's X API v2 endpoints (DESIGN.md 6): users, tweets, recent
// search, posting and deleting, answered X-shaped from the same synthetic
// data as v1.1 (SandboxData), so a v1.1 search and a v2 recent search for
// "beer" list the same tweets.
//
// Every `2/...` path that TwitterSandbox::ROUTES does not hold (the OAuth 2.0
// endpoints are there) comes to dispatchV2(), which walks V2_ROUTES: method,
// path template (":id" segments captured), access (app-only bearer allowed
// or a user context required), the OAuth 2.0 scopes a user token needs, and
// the handler. The template is also the rate-limit key, as X counts limits
// per endpoint. authorizeV2() is the one authentication step: an app-only
// bearer from oauth2/token, an OAuth 2.0 user token from 2/oauth2/token, or
// an OAuth 1.0a user signature (X still accepts those on v2).
//
// Shapes follow X: {"data", "includes", "meta"} with result_count /
// newest_id / oldest_id / next_token; ids as strings; errors as problem JSON
// {"title","detail","type","status"} (400 invalid-request carries X's
// "errors" list naming the parameter); a lookup of an unknown id is 200 with
// a resource-not-found entry in "errors", as X answers. Pagination tokens
// are opaque strings bound to their query (a token of another query or a
// garbage one is 400); a page boundary is an id, so tweets posted between
// two pages never shift or repeat what the next page lists.
//
// Decisions where X is silent or unknowable here: unknown query parameters
// are ignored; `tweet.fields`, `user.fields` and `expansions` are checked
// against X's lists (400 for a name X does not know) and the sandbox renders
// author_id, created_at, public_metrics, lang, conversation_id, source,
// possibly_sensitive, reply_settings (tweets) and created_at, description,
// location, protected, public_metrics, verified, profile_image_url, url
// (users); other valid names are accepted and left out. A search query's
// operators (words with ':', leading '-', OR, parentheses) are dropped and
// the remaining words searched as v1.1 does.
#include "birdgate/sandbox/TwitterSandbox.h"

#include "SandboxCall.h"
#include "SandboxV2Json.h"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <cstdio>
#include <ctime>
#include <set>

namespace birdgate
{
namespace
{
const char* V2_JSON = "application/json; charset=utf-8";
const char* PROBLEM_JSON = "application/problem+json";
const char* INVALID_REQUEST = "https://api.twitter.com/2/problems/invalid-request";
const char* NOT_FOUND_TYPE = "https://api.twitter.com/2/problems/resource-not-found";

const char* SOURCE_NAMES[] = {"Twitter Web App", "Twitter for iPhone", "Twitter for Android", "birdgate sandbox"};

std::string joined(const std::set<std::string>& names)
{
    std::string out;
    for (const auto& n : names)
    {
        if (!out.empty()) out.push_back(',');
        out += n;
    }
    return out;
}

void quotedId(std::string& out, std::uint64_t id)
{
    out += "\"" + std::to_string(id) + "\"";
}

// ----------------------------------------------------- pagination tokens

std::uint64_t fnv(std::string_view text)
{
    std::uint64_t h = 0xcbf29ce484222325ULL;
    for (unsigned char c : text)
    {
        h ^= c;
        h *= 0x100000001b3ULL;
    }
    return h;
}

std::string base36(std::uint64_t v)
{
    static const char DIGITS[] = "0123456789abcdefghijklmnopqrstuvwxyz";
    std::string out;
    do
    {
        out.insert(out.begin(), DIGITS[v % 36]);
        v /= 36;
    } while (v);
    return out;
}

constexpr std::size_t CHECK_LENGTH = 6;

std::string checkOf(std::uint64_t value, std::string_view scope)
{
    std::string c = base36(fnv(std::string(scope) + "\n" + std::to_string(value)) % 2176782336ULL); // 36^6
    return std::string(CHECK_LENGTH - c.size(), '0') + c;
}

/// An opaque token for `value` (an id or a position) valid for `scope` only.
std::string pageToken(std::uint64_t value, std::string_view scope)
{
    return base36(value) + checkOf(value, scope);
}

std::optional<std::uint64_t> readPageToken(const std::string& token, std::string_view scope)
{
    if (token.size() <= CHECK_LENGTH || token.size() > 13 + CHECK_LENGTH) return std::nullopt;
    std::uint64_t v = 0;
    for (size_t i = 0; i + CHECK_LENGTH < token.size(); ++i)
    {
        char c = token[i];
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'z' ? c - 'a' + 10 : -1;
        if (d < 0 || v > (UINT64_MAX - static_cast<std::uint64_t>(d)) / 36) return std::nullopt;
        v = v * 36 + static_cast<std::uint64_t>(d);
    }
    if (!oauth1::constantTimeEquals(token.substr(token.size() - CHECK_LENGTH), checkOf(v, scope))) return std::nullopt;
    return v;
}

bool isSearchOperator(const std::string& word)
{
    return word == "OR" || word == "AND" || word.find(':') != std::string::npos || word[0] == '-' || word[0] == '(' ||
           word[0] == ')' || word.back() == ')';
}

// What a request asked to see (tweet.fields, user.fields, expansions).
struct V2Fields
{
    std::set<std::string> tweet;
    std::set<std::string> user;
    std::set<std::string> expansions;
};

void appendV2User(std::string& out, const SandboxUser& u, const std::set<std::string>& fields)
{
    out += "{\"id\":";
    quotedId(out, u.id);
    out += ",\"name\":";
    jsonQuoteTo(out, u.name);
    out += ",\"username\":";
    jsonQuoteTo(out, u.screenName);
    if (fields.count("created_at")) out += ",\"created_at\":\"" + sandboxv2::isoTime(u.createdAt * 1000) + "\"";
    if (fields.count("description"))
    {
        out += ",\"description\":";
        jsonQuoteTo(out, u.description);
    }
    if (fields.count("location") && !u.location.empty())
    {
        out += ",\"location\":";
        jsonQuoteTo(out, u.location);
    }
    if (fields.count("protected")) out += ",\"protected\":false";
    if (fields.count("verified")) out += std::string(",\"verified\":") + (u.verified ? "true" : "false");
    if (fields.count("verified_type"))
        out += std::string(",\"verified_type\":\"") + (u.verified ? "blue" : "none") + "\"";
    if (fields.count("profile_image_url"))
        out += ",\"profile_image_url\":\"https://abs.twimg.com/sticky/default_profile_images/"
               "default_profile_normal.png\"";
    if (fields.count("url")) out += ",\"url\":\"\"";
    if (fields.count("public_metrics"))
        out += ",\"public_metrics\":{\"followers_count\":" + std::to_string(u.followersCount) +
               ",\"following_count\":" + std::to_string(u.friendsCount) +
               ",\"tweet_count\":" + std::to_string(u.statusesCount) +
               ",\"listed_count\":" + std::to_string(u.listedCount) +
               ",\"like_count\":" + std::to_string(u.favouritesCount) + "}";
    out += "}";
}

void appendV2Tweet(std::string& out, const SandboxTweet& t, const SandboxUser& author, const std::set<std::string>& f)
{
    out += "{\"id\":";
    quotedId(out, t.id);
    out += ",\"text\":";
    jsonQuoteTo(out, t.text);
    out += ",\"edit_history_tweet_ids\":[";
    quotedId(out, t.id);
    out += "]";
    if (f.count("author_id"))
    {
        out += ",\"author_id\":";
        quotedId(out, author.id);
    }
    if (f.count("created_at")) out += ",\"created_at\":\"" + sandboxv2::isoTime(t.createdAt * 1000) + "\"";
    if (f.count("conversation_id"))
    {
        out += ",\"conversation_id\":";
        quotedId(out, t.id);
    }
    if (f.count("lang")) out += ",\"lang\":\"en\"";
    if (f.count("possibly_sensitive")) out += ",\"possibly_sensitive\":false";
    if (f.count("reply_settings")) out += ",\"reply_settings\":\"everyone\"";
    if (f.count("source"))
        out += std::string(",\"source\":\"") + SOURCE_NAMES[static_cast<size_t>(t.source) % 4] + "\"";
    if (f.count("public_metrics"))
    {
        long long likes = t.favoriteCount, retweets = t.retweetCount;
        out += ",\"public_metrics\":{\"retweet_count\":" + std::to_string(retweets) +
               ",\"reply_count\":" + std::to_string(likes / 7) + ",\"like_count\":" + std::to_string(likes) +
               ",\"quote_count\":" + std::to_string(retweets / 5) +
               ",\"bookmark_count\":" + std::to_string(likes / 10) +
               ",\"impression_count\":" + std::to_string(100 + 37 * (likes + retweets)) + "}";
    }
    out += "}";
}
} // namespace

// ---------------------------------------------------------------- routes

const TwitterSandbox::V2Route TwitterSandbox::V2_ROUTES[] = {
    // 2/users/me before 2/users/:id: the first match wins.
    {"GET", "2/users/me", V2Access::User, "tweet.read users.read", &TwitterSandbox::v2UsersMe},
    {"GET", "2/users/by/username/:username", V2Access::AppOrUser, "tweet.read users.read",
     &TwitterSandbox::v2UserByUsername},
    {"GET", "2/users/:id", V2Access::AppOrUser, "tweet.read users.read", &TwitterSandbox::v2User},
    {"GET", "2/users/:id/tweets", V2Access::AppOrUser, "tweet.read users.read", &TwitterSandbox::v2UserTweets},
    {"GET", "2/users/:id/followers", V2Access::AppOrUser, "follows.read tweet.read users.read",
     &TwitterSandbox::v2UserFollowers},
    {"GET", "2/tweets/search/recent", V2Access::AppOrUser, "tweet.read users.read", &TwitterSandbox::v2SearchRecent},
    {"GET", "2/tweets/:id", V2Access::AppOrUser, "tweet.read users.read", &TwitterSandbox::v2Tweet},
    {"POST", "2/tweets", V2Access::User, "tweet.read tweet.write users.read", &TwitterSandbox::v2PostTweet},
    {"DELETE", "2/tweets/:id", V2Access::User, "tweet.read tweet.write users.read", &TwitterSandbox::v2DeleteTweet},
};

namespace
{
std::vector<std::string_view> segments(std::string_view path)
{
    std::vector<std::string_view> out;
    size_t pos = 0;
    while (true)
    {
        size_t slash = path.find('/', pos);
        out.push_back(path.substr(pos, slash == std::string_view::npos ? std::string_view::npos : slash - pos));
        if (slash == std::string_view::npos) return out;
        pos = slash + 1;
    }
}

// True when `path` fits `pattern`; the ":name" segments' raw values go to `captured`.
bool matchTemplate(std::string_view pattern, std::string_view path, std::vector<std::string>& captured)
{
    auto p = segments(pattern), s = segments(path);
    if (p.size() != s.size()) return false;
    std::vector<std::string> values;
    for (size_t i = 0; i < p.size(); ++i)
    {
        if (!p[i].empty() && p[i][0] == ':')
        {
            if (s[i].empty()) return false;
            values.emplace_back(s[i]);
        }
        else if (p[i] != s[i])
            return false;
    }
    captured = std::move(values);
    return true;
}
} // namespace

void TwitterSandbox::problem(Call& call, int status, const std::string& title, const std::string& detail,
                             const std::string& type, const std::string& errors)
{
    call.send(status, PROBLEM_JSON, sandboxv2::problemJson(title, detail, type, status, errors));
}

std::optional<std::uint64_t> TwitterSandbox::pathId(Call& call)
{
    const std::string& text = call.pathParams[0];
    auto id = text.size() <= 19 ? parseUnsigned(text) : std::nullopt;
    if (!id)
        invalidParameter(call, "id", text,
                         "The `id` query parameter value [" + text + "] does not match ^[0-9]{1,19}$");
    return id;
}

void TwitterSandbox::invalidParameter(Call& call, const std::string& name, const std::string& value,
                                      const std::string& message)
{
    call.send(400, PROBLEM_JSON, sandboxv2::invalidParameterJson(name, value, message));
}

void TwitterSandbox::dispatchV2(Call& call, const std::string& path, bool tooLarge)
{
    const std::string& method = call.request.method;
    for (const V2Route& r : V2_ROUTES)
    {
        std::vector<std::string> captured;
        if ((method == r.method || (method == "HEAD" && std::string_view(r.method) == "GET")) &&
            matchTemplate(r.path, path, captured))
        {
            call.v2 = &r;
            for (const auto& raw : captured)
            {
                std::string value;
                if (!oauth1::percentDecode(raw, value, false))
                    return invalidParameter(call, "path", raw, "Malformed percent-encoding in the path.");
                call.pathParams.push_back(std::move(value));
            }
            break;
        }
    }
    // X's router is keyed by method and path: a wrong method is not found.
    if (!call.v2) return problem(call, 404, "Not Found Error", "Sorry, that page does not exist.", NOT_FOUND_TYPE);
    if (tooLarge) return problem(call, 413, "Payload Too Large", "Request body too large.");
    const Request& request = call.request;
    if (request.target.find('?') != std::string::npos && !oauth1::parseForm(request.query(), call.query))
        return problem(call, 400, "Invalid Request", "Malformed percent-encoding in the query string.",
                       INVALID_REQUEST);
    if (startsWithNoCase(request.contentType(), "application/x-www-form-urlencoded") &&
        !oauth1::parseForm(request.body(), call.form))
        return problem(call, 400, "Invalid Request", "Malformed percent-encoding in the form body.", INVALID_REQUEST);
    if (!authorizeV2(call, call.v2->access, call.v2->scopes)) return;
    if (_limiter.enabled())
    {
        call.rate = _limiter.hit(call.token + " " + call.v2->path, call.now);
        if (!call.rate->allowed) return problem(call, 429, "Too Many Requests", "Too Many Requests");
    }
    (this->*(call.v2->handler))(call);
}

bool TwitterSandbox::authorizeV2(Call& call, V2Access access, std::string_view scopes)
{
    auto unauthorized = [&](const std::string& detail) {
        call.answer.set("WWW-Authenticate", "Bearer realm=\"api\"");
        problem(call, 401, "Unauthorized", detail);
        return false;
    };
    std::string authorization = trimmed(call.request.header("Authorization"));
    if (startsWithNoCase(authorization, "bearer "))
    {
        std::string bearer = trimmed(std::string_view(authorization).substr(7));
        if (bearer.empty()) return unauthorized("Unauthorized");
        if (_oauth.bearerApp(bearer))
        {
            if (access == V2Access::User)
            {
                problem(call, 403, "Unsupported Authentication",
                        "Authenticating with OAuth 2.0 Application-Only is forbidden for this endpoint.  Supported "
                        "authentication types are [OAuth 1.0a User Context, OAuth 2.0 User Context].",
                        "https://api.twitter.com/2/problems/unsupported-authentication");
                return false;
            }
            call.token = bearer;
            return true;
        }
        SandboxOAuth2::AccessInfo info = _oauth2.accessToken(bearer);
        using Status = SandboxOAuth2::AccessInfo::Status;
        if (info.status == Status::Expired) return unauthorized("Unauthorized: the access token has expired.");
        if (info.status != Status::Valid) return unauthorized("Unauthorized");
        std::string missing;
        for (const auto& s : SandboxData::queryWords(scopes))
            if (!info.scopes.count(s)) missing += (missing.empty() ? "" : " ") + s;
        if (!missing.empty())
        {
            problem(call, 403, "Forbidden",
                    "The access token lacks the scopes this endpoint needs: " + missing + " (it has " +
                        SandboxOAuth2::joinScopes(info.scopes) + ").",
                    "https://api.twitter.com/2/problems/client-forbidden");
            return false;
        }
        call.token = bearer;
        call.user = userFor(info.screenName);
        call.oauth2User = true;
        call.scopes = info.scopes;
        return true;
    }
    if (startsWithNoCase(authorization, "oauth "))
    {
        int code = oauth1User(call); // a user context has every scope
        if (code == 135) return unauthorized("Unauthorized: the oauth_timestamp is out of bounds.");
        if (code) return unauthorized("Unauthorized");
        return true;
    }
    return unauthorized("Unauthorized");
}

// ------------------------------------------------------------ parameters

namespace
{
// Reads tweet.fields, user.fields and expansions; false after a 400.
template <typename Fail> bool readFields(const oauth1::Params& query, V2Fields& out, bool tweets, Fail fail)
{
    for (const auto& [name, value] : query)
    {
        const std::set<std::string>* allowed = nullptr;
        std::set<std::string>* target = nullptr;
        if (name == "tweet.fields")
        {
            allowed = &sandboxv2::tweetFields();
            target = &out.tweet;
        }
        else if (name == "user.fields")
        {
            allowed = &sandboxv2::userFields();
            target = &out.user;
        }
        else if (name == "expansions")
        {
            allowed = tweets ? &sandboxv2::tweetExpansions() : &sandboxv2::userExpansions();
            target = &out.expansions;
        }
        else
            continue;
        for (const auto& item : splitCommas(value))
        {
            if (!allowed->count(item))
            {
                fail(name, item,
                     "The `" + name + "` query parameter value [" + item + "] is not one of [" + joined(*allowed) +
                         "]");
                return false;
            }
            target->insert(item);
        }
    }
    return true;
}
} // namespace

// ------------------------------------------------------------------ users

void TwitterSandbox::v2UsersMe(Call& call)
{
    V2Fields f;
    if (!readFields(call.query, f, false, parameterError(call))) return;
    std::string out = "{\"data\":";
    appendV2User(out, *call.user, f.user);
    out += "}";
    call.send(200, V2_JSON, out);
}

void TwitterSandbox::v2UserByUsername(Call& call)
{
    V2Fields f;
    if (!readFields(call.query, f, false, parameterError(call))) return;
    const std::string& name = call.pathParams[0];
    if (!SandboxData::validScreenName(name))
        return invalidParameter(call, "username", name,
                                "The `username` query parameter value [" + name +
                                    "] does not match ^[A-Za-z0-9_]{1,15}$");
    rememberName(name);
    std::string out = "{\"data\":";
    appendV2User(out, userFor(name), f.user);
    out += "}";
    call.send(200, V2_JSON, out);
}

namespace
{
std::string notFound(const char* resource, const char* parameter, const std::string& value)
{
    std::string out = "{\"errors\":[{\"value\":";
    jsonQuoteTo(out, value);
    out += ",\"detail\":";
    jsonQuoteTo(out, std::string("Could not find ") + resource + " with " + parameter + ": [" + value + "].");
    out += ",\"title\":\"Not Found Error\",\"resource_type\":\"" + std::string(resource) + "\",\"parameter\":\"" +
           parameter + "\",\"resource_id\":";
    jsonQuoteTo(out, value);
    out += ",\"type\":\"" + std::string(NOT_FOUND_TYPE) + "\"}]}";
    return out;
}
} // namespace

void TwitterSandbox::v2User(Call& call)
{
    V2Fields f;
    if (!readFields(call.query, f, false, parameterError(call))) return;
    const std::string& idText = call.pathParams[0];
    const std::optional<std::uint64_t> id = pathId(call);
    if (!id) return;
    auto user = userById(*id);
    if (!user) return call.send(200, V2_JSON, notFound("user", "id", idText));
    std::string out = "{\"data\":";
    appendV2User(out, *user, f.user);
    out += "}";
    call.send(200, V2_JSON, out);
}

void TwitterSandbox::v2UserFollowers(Call& call)
{
    V2Fields f;
    if (!readFields(call.query, f, false, parameterError(call))) return;
    const std::string& idText = call.pathParams[0];
    const std::optional<std::uint64_t> id = pathId(call);
    if (!id) return;
    long long count = 100;
    if (auto m = call.param("max_results"))
    {
        auto n = parseSigned(*m);
        if (!n || *n < 1 || *n > 1000)
            return invalidParameter(call, "max_results", *m,
                                    "The `max_results` query parameter value [" + *m + "] is not between 1 and 1000");
        count = *n;
    }
    auto user = userById(*id);
    if (!user) return call.send(200, V2_JSON, notFound("user", "id", idText));
    const std::string scope = "followers " + idText;
    long long position = 0;
    if (auto t = call.param("pagination_token"))
    {
        auto p = readPageToken(*t, scope);
        if (!p) return invalidParameter(call, "pagination_token", *t, "The `pagination_token` is not valid.");
        position = static_cast<long long>(*p);
    }
    long long size = _data.followerListSize(*user);
    long long end = std::min(size, position + count);
    std::string out = "{";
    if (position < end)
    {
        out += "\"data\":[";
        for (long long p = position; p < end; ++p)
        {
            if (p > position) out.push_back(',');
            appendV2User(out, userFor(_data.followerAt(*user, static_cast<int>(p))), f.user);
        }
        out += "],";
    }
    out += "\"meta\":{\"result_count\":" + std::to_string(std::max(0LL, end - position));
    if (end < size) out += ",\"next_token\":\"" + pageToken(static_cast<std::uint64_t>(end), scope) + "\"";
    if (position > 0)
        out += ",\"previous_token\":\"" +
               pageToken(static_cast<std::uint64_t>(std::max(0LL, position - count)), scope) + "\"";
    out += "}}";
    call.send(200, V2_JSON, out);
}

// ----------------------------------------------------------------- tweets

namespace
{
struct TweetPage
{
    std::vector<SandboxTweet> tweets;
    bool more = false;
};

/// `"meta":{newest_id, oldest_id, result_count[, next_token]}}`: the end of
/// a page of tweets (search, a user's tweets), newest first.
void appendPageMeta(std::string& out, const TweetPage& page, std::string_view scope)
{
    out += "\"meta\":{";
    if (!page.tweets.empty())
    {
        out += "\"newest_id\":";
        quotedId(out, page.tweets.front().id);
        out += ",\"oldest_id\":";
        quotedId(out, page.tweets.back().id);
        out += ",";
    }
    out += "\"result_count\":" + std::to_string(page.tweets.size());
    if (page.more && !page.tweets.empty())
        out += ",\"next_token\":\"" + pageToken(page.tweets.back().id - 1, scope) + "\"";
    out += "}}";
}
} // namespace

void TwitterSandbox::v2SearchRecent(Call& call)
{
    V2Fields f;
    if (!readFields(call.query, f, true, parameterError(call))) return;
    std::string query = call.param("query").value_or("");
    if (trimmed(query).empty())
        return invalidParameter(call, "query", query, "The `query` query parameter can not be empty");
    if (query.size() > 512)
        return invalidParameter(call, "query", query,
                                "The `query` query parameter value is longer than 512 characters");
    int count = 10;
    if (auto m = call.param("max_results"))
    {
        auto n = parseSigned(*m);
        if (!n || *n < 10 || *n > 100)
            return invalidParameter(call, "max_results", *m,
                                    "The `max_results` query parameter value [" + *m + "] is not between 10 and 100");
        count = static_cast<int>(*n);
    }
    std::optional<std::uint64_t> maxId, sinceId;
    for (const char* name : {"since_id", "until_id"})
        if (auto v = call.param(name))
        {
            auto id = parseUnsigned(*v);
            if (!id || *id == 0)
                return invalidParameter(call, name, *v,
                                        "The `" + std::string(name) + "` query parameter value [" + *v +
                                            "] is not a valid id");
            if (std::string_view(name) == "since_id")
                sinceId = id;
            else
                maxId = *id - 1;
        }
    TweetPool pool = _data.searchPool(query);
    std::erase_if(pool.words, isSearchOperator);
    const std::string scope = "search " + pool.key;
    std::optional<std::string> token = call.param("next_token");
    if (!token) token = call.param("pagination_token");
    if (token)
    {
        auto p = readPageToken(*token, scope);
        if (!p) return invalidParameter(call, "next_token", *token, "The `next_token` is not valid for this query.");
        maxId = maxId ? std::min(*maxId, *p) : *p;
    }
    std::vector<SandboxTweet> posted;
    {
        std::shared_lock lock(_stateMutex);
        for (const auto& t : _allPosts)
            if (SandboxData::matchesAll(t.text, pool.words)) posted.push_back(t);
    }
    TweetPage page;
    page.tweets = collect(pool, posted, count, maxId, sinceId, page.more);
    rememberTweets(page.tweets);

    std::string out = "{";
    std::vector<SandboxUser> authors;
    if (!page.tweets.empty())
    {
        out += "\"data\":[";
        for (size_t i = 0; i < page.tweets.size(); ++i)
        {
            if (i) out.push_back(',');
            SandboxUser author = userFor(page.tweets[i].author);
            appendV2Tweet(out, page.tweets[i], author, f.tweet);
            if (std::none_of(authors.begin(), authors.end(), [&](const SandboxUser& a) { return a.id == author.id; }))
                authors.push_back(std::move(author));
        }
        out += "],";
        if (f.expansions.count("author_id"))
        {
            out += "\"includes\":{\"users\":[";
            for (size_t i = 0; i < authors.size(); ++i)
            {
                if (i) out.push_back(',');
                appendV2User(out, authors[i], f.user);
            }
            out += "]},";
        }
    }
    appendPageMeta(out, page, scope);
    call.send(200, V2_JSON, out);
}

void TwitterSandbox::v2UserTweets(Call& call)
{
    V2Fields f;
    if (!readFields(call.query, f, true, parameterError(call))) return;
    const std::string& idText = call.pathParams[0];
    const std::optional<std::uint64_t> id = pathId(call);
    if (!id) return;
    int count = 10;
    if (auto m = call.param("max_results"))
    {
        auto n = parseSigned(*m);
        if (!n || *n < 5 || *n > 100)
            return invalidParameter(call, "max_results", *m,
                                    "The `max_results` query parameter value [" + *m + "] is not between 5 and 100");
        count = static_cast<int>(*n);
    }
    auto user = userById(*id);
    if (!user) return call.send(200, V2_JSON, notFound("user", "id", idText));
    const std::string scope = "tweets " + idText;
    std::optional<std::uint64_t> maxId;
    if (auto t = call.param("pagination_token"))
    {
        auto p = readPageToken(*t, scope);
        if (!p) return invalidParameter(call, "pagination_token", *t, "The `pagination_token` is not valid.");
        maxId = *p;
    }
    TweetPage page;
    page.tweets =
        collect(_data.userTimelinePool(*user), postsOf(user->screenName), count, maxId, std::nullopt, page.more);
    rememberTweets(page.tweets);
    std::string out = "{";
    if (!page.tweets.empty())
    {
        out += "\"data\":[";
        for (size_t i = 0; i < page.tweets.size(); ++i)
        {
            if (i) out.push_back(',');
            appendV2Tweet(out, page.tweets[i], *user, f.tweet);
        }
        out += "],";
        if (f.expansions.count("author_id"))
        {
            out += "\"includes\":{\"users\":[";
            appendV2User(out, *user, f.user);
            out += "]},";
        }
    }
    appendPageMeta(out, page, scope);
    call.send(200, V2_JSON, out);
}

void TwitterSandbox::v2Tweet(Call& call)
{
    V2Fields f;
    if (!readFields(call.query, f, true, parameterError(call))) return;
    const std::string& idText = call.pathParams[0];
    const std::optional<std::uint64_t> id = pathId(call);
    if (!id) return;
    auto tweet = findTweet(*id);
    if (!tweet) return call.send(200, V2_JSON, notFound("tweet", "id", idText));
    SandboxUser author = userFor(tweet->author);
    std::string out = "{\"data\":";
    appendV2Tweet(out, *tweet, author, f.tweet);
    if (f.expansions.count("author_id"))
    {
        out += ",\"includes\":{\"users\":[";
        appendV2User(out, author, f.user);
        out += "]}";
    }
    out += "}";
    call.send(200, V2_JSON, out);
}

void TwitterSandbox::v2PostTweet(Call& call)
{
    if (!startsWithNoCase(call.request.contentType(), "application/json"))
        return problem(call, 400, "Invalid Request", "The body must be JSON (Content-Type: application/json).",
                       INVALID_REQUEST);
    std::string text;
    try
    {
        Poco::JSON::Parser parser;
        auto object = parser.parse(call.request.body()).extract<Poco::JSON::Object::Ptr>();
        if (!object || !object->has("text") || !object->get("text").isString())
            return invalidParameter(call, "text", "", "The `text` field is required and must be a string.");
        text = object->getValue<std::string>("text");
    }
    catch (const Poco::Exception&)
    {
        return problem(call, 400, "Invalid Request", "The body is not a JSON object.", INVALID_REQUEST);
    }
    catch (const std::exception&)
    {
        return problem(call, 400, "Invalid Request", "The body is not a JSON object.", INVALID_REQUEST);
    }
    if (trimmed(text).empty()) return invalidParameter(call, "text", text, "The `text` field can not be empty.");
    if (codePointCount(text) > 280)
        return invalidParameter(call, "text", text, "Your Tweet text is too long: at most 280 characters.");
    SandboxTweet t = post(call.user->screenName, text);
    std::string out = "{\"data\":";
    appendV2Tweet(out, t, *call.user, {});
    out += "}";
    call.send(201, V2_JSON, out);
}

void TwitterSandbox::v2DeleteTweet(Call& call)
{
    const std::string& idText = call.pathParams[0];
    const std::optional<std::uint64_t> id = pathId(call);
    if (!id) return;
    int result = deletePost(*id, call.user->screenName);
    if (result == 0 && findTweet(*id)) result = -1; // a synthetic tweet: someone else's
    if (result < 0)
        return problem(call, 403, "Forbidden", "You are not allowed to delete a Tweet you did not post.",
                       "https://api.twitter.com/2/problems/client-forbidden");
    if (result == 0)
        return problem(call, 404, "Not Found Error", "Could not find tweet with id: [" + idText + "].", NOT_FOUND_TYPE);
    call.send(200, V2_JSON, "{\"data\":{\"deleted\":true}}");
}

} // namespace birdgate
