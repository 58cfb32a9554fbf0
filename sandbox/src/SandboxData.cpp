// Deterministic synthetic users and tweets for the sandbox; see SandboxData.h.
//
// Every value is a pure function of (seed, a key, a salt): FNV-1a over the
// key's bytes, folded with the seed and salt through splitmix64. Changing a
// word list changes the data, so the lists below are part of the contract of
// "same seed, same answer" and should only grow at their ends.
#include "birdgate/sandbox/SandboxData.h"

#include "birdgate/common/HttpErrors.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <ctime>

namespace birdgate
{
namespace
{
const std::array<const char*, 32> ADJECTIVES = {
    "Brave", "Calm",  "Eager", "Fancy", "Jolly", "Kind",  "Lucky", "Proud", "Quick", "Witty", "Zesty",
    "Bold",  "Cool",  "Dandy", "Early", "Fair",  "Grand", "Happy", "Ideal", "Jazzy", "Keen",  "Lively",
    "Merry", "Noble", "Odd",   "Plush", "Rapid", "Sunny", "Tidy",  "Vivid", "Warm",  "Young"};
const std::array<const char*, 32> NOUNS = {"Otter", "Panda",  "Falcon", "Tiger",  "Koala", "Lemur", "Heron",  "Bison",
                                           "Crane", "Dingo",  "Eagle",  "Gecko",  "Hyena", "Ibis",  "Jaguar", "Kiwi",
                                           "Llama", "Moose",  "Newt",   "Okapi",  "Puma",  "Quail", "Raven",  "Sloth",
                                           "Tapir", "Urchin", "Viper",  "Walrus", "Yak",   "Zebra", "Robin",  "Finch"};
const std::array<const char*, 24> FIRST_NAMES = {"Asha",  "Ben",   "Chen",  "Dara", "Eli", "Fatima", "Gita", "Hugo",
                                                 "Ines",  "Jamal", "Kavya", "Liam", "Mei", "Nora",   "Omar", "Priya",
                                                 "Quinn", "Rosa",  "Sami",  "Tara", "Uma", "Vik",    "Wen",  "Zoe"};
const std::array<const char*, 16> LAST_NAMES = {"Anand",    "Brown",  "Costa", "Diaz",  "Evans", "Fischer",
                                                "Garcia",   "Iyer",   "Jones", "Kumar", "Lopez", "Moreau",
                                                "Nakamura", "Okafor", "Patel", "Smith"};
const std::array<const char*, 12> LOCATIONS = {"",        "Bangalore, India", "London", "New York, NY",
                                               "Lagos",   "São Paulo",        "Tokyo",  "Berlin",
                                               "Nairobi", "Sydney",           "",       "Toronto, Ontario"};
const std::array<const char*, 64> WORDS = {
    "data",   "coffee",  "morning",  "city",   "music", "today",   "really", "great",   "new",    "weekend", "team",
    "love",   "just",    "reading",  "about",  "chart", "story",   "rain",   "friends", "launch", "think",   "better",
    "code",   "design",  "train",    "market", "game",  "travel",  "sunset", "learn",   "open",   "source",  "health",
    "growth", "simple",  "build",    "ideas",  "share", "watch",   "live",   "night",   "first",  "week",    "world",
    "people", "tiny",    "big",      "happy",  "work",  "release", "notes",  "plan",    "update", "policy",  "science",
    "book",   "cricket", "football", "tea",    "cloud", "quiet",   "bright", "fresh",   "home"};
const std::array<const char*, 12> TAGS = {"data",   "dataviz", "python", "AI",      "design",  "travel",
                                          "coffee", "music",   "news",   "science", "weekend", "opensource"};
const std::array<const char*, 4> SOURCES_URL = {"https://mobile.twitter.com", "http://twitter.com/download/iphone",
                                                "http://twitter.com/download/android", "https://github.com"};
const std::array<const char*, 4> SOURCES_NAME = {"Twitter Web App", "Twitter for iPhone", "Twitter for Android",
                                                 "birdgate sandbox"};
const std::array<const char*, 7> WEEKDAYS = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
const std::array<const char*, 12> MONTHS = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

constexpr long long TWEPOCH_MS = 1288834974657LL;
constexpr std::uint64_t SALT_TWEET = 0x7477656574ULL;

std::uint64_t splitmix(std::uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

bool isWordChar(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

std::string lowered(std::string_view s)
{
    std::string out(s);
    for (char& c : out) c = lower(c);
    return out;
}

// Code-point index of byte offset `pos` (entity indices count characters).
int codePoints(std::string_view text, size_t pos)
{
    int n = 0;
    for (size_t i = 0; i < pos && i < text.size(); ++i)
        if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++n;
    return n;
}

template <size_t N> const char* pick(const std::array<const char*, N>& list, std::uint64_t h)
{
    return list[h % N];
}

int gapOf(TweetPool::Kind kind)
{
    switch (kind)
    {
    case TweetPool::Kind::Search:
        return 300;
    case TweetPool::Kind::UserTimeline:
        return 7 * 3600;
    case TweetPool::Kind::HomeTimeline:
        return 120;
    }
    return 300;
}

void appendIndices(std::string& out, int from, int to)
{
    out += "\"indices\":[";
    out += std::to_string(from);
    out.push_back(',');
    out += std::to_string(to);
    out += "]";
}

void appendId(std::string& out, const char* name, std::uint64_t id)
{
    out.push_back('"');
    out += name;
    out += "\":";
    out += std::to_string(id);
    out += ",\"";
    out += name;
    out += "_str\":\"";
    out += std::to_string(id);
    out.push_back('"');
}
} // namespace

SandboxData::SandboxData(long long seed, int searchDepth) : _seed(seed), _searchDepth(searchDepth)
{
    _populationById.reserve(POPULATION);
    for (int i = 0; i < POPULATION; ++i) _populationById.emplace(userId(populationNameAt(i)), i);
}

bool SandboxData::validScreenName(std::string_view name)
{
    if (name.empty() || name.size() > 15) return false;
    return std::all_of(name.begin(), name.end(), [](char c) { return isWordChar(static_cast<unsigned char>(c)); });
}

std::uint64_t SandboxData::hash(std::string_view text, std::uint64_t salt) const
{
    std::uint64_t h = 0xcbf29ce484222325ULL;
    for (unsigned char c : text)
    {
        h ^= c;
        h *= 0x100000001b3ULL;
    }
    return splitmix(h ^ splitmix(static_cast<std::uint64_t>(_seed) ^ splitmix(salt)));
}

std::uint64_t SandboxData::hashLower(std::string_view text, std::uint64_t salt) const
{
    return hash(lowered(text), salt);
}

std::uint64_t SandboxData::userId(std::string_view screenName) const
{
    std::uint64_t h = hashLower(screenName, 1);
    // A quarter are "old" accounts with small ids; the rest are snowflake-sized
    // (above 2^53, so clients that parse ids as doubles get caught).
    if (h % 4 == 0) return 12 + (h >> 8) % 3000000000ULL;
    return 700000000000000000ULL + (h >> 4) % 900000000000000000ULL;
}

SandboxUser SandboxData::user(std::string_view screenName) const
{
    SandboxUser u;
    u.screenName = std::string(screenName);
    u.id = userId(screenName);
    auto h = [&](std::uint64_t salt) { return hashLower(screenName, salt); };
    u.name = std::string(pick(FIRST_NAMES, h(2))) + " " + pick(LAST_NAMES, h(3));
    u.location = pick(LOCATIONS, h(4));
    u.description = fillerText(h(5), 4 + static_cast<int>(h(6) % 8));
    u.createdAt = 1167609600LL + static_cast<long long>(h(7) % (1640995200ULL - 1167609600ULL));
    std::uint64_t r = h(8) % 100;
    if (r < 60)
        u.followersCount = static_cast<long long>(h(9) % 500);
    else if (r < 90)
        u.followersCount = 500 + static_cast<long long>(h(9) % 4500);
    else
        u.followersCount = 5000 + static_cast<long long>(h(9) % 2000000);
    u.friendsCount = static_cast<long long>(h(10) % 1200);
    u.listedCount = u.followersCount / 50 + static_cast<long long>(h(11) % 10);
    u.favouritesCount = static_cast<long long>(h(12) % 20000);
    u.statusesCount = h(13) % 100 < 5 ? 0 : 1 + static_cast<long long>(h(14) % 40000);
    u.verified = u.followersCount > 1000000;
    return u;
}

std::optional<std::string> SandboxData::populationName(std::uint64_t id) const
{
    auto it = _populationById.find(id);
    if (it == _populationById.end()) return std::nullopt;
    return populationNameAt(it->second);
}

std::string SandboxData::populationNameAt(int index) const
{
    std::string name = ADJECTIVES[static_cast<size_t>(index) % 32];
    name += NOUNS[(static_cast<size_t>(index) / 32) % 32];
    if (index >= 1024) name += std::to_string(index / 1024);
    return name;
}

int SandboxData::permuted(const SandboxUser& user, std::uint64_t salt, int position) const
{
    std::string key = std::to_string(user.id);
    std::uint64_t offset = hash(key, salt) % POPULATION;
    std::uint64_t step = 1 + hash(key, salt + 1) % (POPULATION - 1);
    return static_cast<int>((offset + static_cast<std::uint64_t>(position) * step) % POPULATION);
}

int SandboxData::followerListSize(const SandboxUser& user) const
{
    return static_cast<int>(std::min<long long>(user.followersCount, MAX_LIST));
}

std::string SandboxData::followerAt(const SandboxUser& user, int position) const
{
    return populationNameAt(permuted(user, 21, position));
}

int SandboxData::friendListSize(const SandboxUser& user) const
{
    return static_cast<int>(std::min<long long>(user.friendsCount, MAX_LIST));
}

std::string SandboxData::friendAt(const SandboxUser& user, int position) const
{
    return populationNameAt(permuted(user, 31, position));
}

// ------------------------------------------------------------------- pools

std::vector<std::string> SandboxData::queryWords(std::string_view query)
{
    std::vector<std::string> words;
    size_t i = 0;
    while (i < query.size())
    {
        while (i < query.size() && (query[i] == ' ' || query[i] == '\t' || query[i] == '\n' || query[i] == '\r')) ++i;
        size_t start = i;
        while (i < query.size() && query[i] != ' ' && query[i] != '\t' && query[i] != '\n' && query[i] != '\r') ++i;
        if (i > start) words.emplace_back(query.substr(start, i - start));
    }
    return words;
}

bool SandboxData::matchesAll(std::string_view text, const std::vector<std::string>& words)
{
    std::string lt = lowered(text);
    return std::all_of(words.begin(), words.end(),
                       [&](const std::string& w) { return lt.find(lowered(w)) != std::string::npos; });
}

TweetPool SandboxData::searchPool(std::string_view query) const
{
    TweetPool pool;
    pool.kind = TweetPool::Kind::Search;
    pool.words = queryWords(query);
    for (const auto& w : pool.words)
    {
        if (!pool.key.empty()) pool.key.push_back(' ');
        pool.key += lowered(w);
    }
    pool.depth = _searchDepth;
    return pool;
}

TweetPool SandboxData::userTimelinePool(const SandboxUser& user) const
{
    TweetPool pool;
    pool.kind = TweetPool::Kind::UserTimeline;
    pool.key = lowered(user.screenName);
    pool.user = user;
    pool.depth = static_cast<int>(std::min<long long>(user.statusesCount, USER_TIMELINE_DEPTH));
    return pool;
}

TweetPool SandboxData::homeTimelinePool(const SandboxUser& user) const
{
    TweetPool pool;
    pool.kind = TweetPool::Kind::HomeTimeline;
    pool.key = lowered(user.screenName);
    pool.user = user;
    pool.depth = HOME_TIMELINE_DEPTH;
    return pool;
}

std::uint64_t SandboxData::snowflake(long long epochMillis, std::uint64_t low22)
{
    return (static_cast<std::uint64_t>(epochMillis - TWEPOCH_MS) << 22) | (low22 & 0x3FFFFF);
}

std::uint64_t SandboxData::tweetId(const TweetPool& pool, int k) const
{
    auto kind = static_cast<std::uint64_t>(pool.kind);
    std::uint64_t h = hash(pool.key, SALT_TWEET + kind * 1000003ULL + static_cast<std::uint64_t>(k));
    long long gap = gapOf(pool.kind);
    // Tweet k lies in (ANCHOR - (k+1)*gap, ANCHOR - k*gap]: strictly older as k grows.
    long long seconds = ANCHOR - static_cast<long long>(k) * gap - static_cast<long long>(h % gap);
    long long millis = seconds * 1000 + static_cast<long long>((h >> 20) % 1000);
    return snowflake(millis, h >> 32);
}

int SandboxData::firstAtOrBelow(const TweetPool& pool, std::uint64_t maxId) const
{
    int lo = 0, hi = pool.depth;
    while (lo < hi)
    {
        int mid = lo + (hi - lo) / 2;
        if (tweetId(pool, mid) <= maxId)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

std::string SandboxData::fillerText(std::uint64_t h, int words) const
{
    std::string out;
    for (int i = 0; i < words; ++i)
    {
        if (i) out.push_back(' ');
        out += WORDS[splitmix(h + static_cast<std::uint64_t>(i)) % WORDS.size()];
    }
    return out;
}

SandboxTweet SandboxData::tweet(const TweetPool& pool, int k) const
{
    SandboxTweet t;
    t.id = tweetId(pool, k);
    t.createdAt = static_cast<long long>((t.id >> 22) + TWEPOCH_MS) / 1000;
    auto kind = static_cast<std::uint64_t>(pool.kind);
    std::uint64_t base = SALT_TWEET * 7 + kind * 1000003ULL + static_cast<std::uint64_t>(k);
    auto h = [&](std::uint64_t salt) { return hash(pool.key, base + salt * 0x10000000ULL); };

    switch (pool.kind)
    {
    case TweetPool::Kind::Search:
        t.author = populationNameAt(static_cast<int>(h(1) % POPULATION));
        break;
    case TweetPool::Kind::UserTimeline:
        t.author = pool.user.screenName;
        break;
    case TweetPool::Kind::HomeTimeline: {
        int m = std::min(friendListSize(pool.user), 50);
        int j = static_cast<int>(h(1) % static_cast<std::uint64_t>(m + 1));
        t.author = j == m ? pool.user.screenName : friendAt(pool.user, j);
        break;
    }
    }

    // Filler words, the query words spliced in at hashed places, then the
    // decorations that give entities something to find.
    std::vector<std::string> tokens;
    int n = 3 + static_cast<int>(h(2) % 8);
    for (int i = 0; i < n; ++i)
        tokens.emplace_back(WORDS[splitmix(h(3) + static_cast<std::uint64_t>(i)) % WORDS.size()]);
    for (size_t i = 0; i < pool.words.size(); ++i)
    {
        size_t at = splitmix(h(4) + i) % (tokens.size() + 1);
        tokens.insert(tokens.begin() + static_cast<std::ptrdiff_t>(at), pool.words[i]);
    }
    if (h(5) % 4 == 0) tokens.insert(tokens.begin(), "@" + populationNameAt(static_cast<int>(h(6) % POPULATION)));
    if (h(7) % 3 == 0) tokens.push_back(std::string("#") + pick(TAGS, h(8)));
    if (h(9) % 5 == 0)
    {
        static const char ALNUM[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        std::string url = "https://t.co/";
        std::uint64_t x = h(10);
        for (int i = 0; i < 10; ++i)
        {
            url.push_back(ALNUM[x % 62]);
            x = splitmix(x);
        }
        tokens.push_back(url);
    }
    for (size_t i = 0; i < tokens.size(); ++i)
    {
        if (i) t.text.push_back(' ');
        t.text += tokens[i];
    }
    std::uint64_t pop = h(11) % 100;
    t.retweetCount = pop < 70 ? static_cast<long long>(h(12) % 5) : static_cast<long long>(h(12) % 2000);
    t.favoriteCount = pop < 70 ? static_cast<long long>(h(13) % 20) : static_cast<long long>(h(13) % 9000);
    t.source = static_cast<int>(h(14) % 3);
    return t;
}

// -------------------------------------------------------------------- JSON

std::string SandboxData::twitterTime(long long epochSeconds)
{
    std::time_t t = static_cast<std::time_t>(epochSeconds);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[40];
    std::snprintf(buf, sizeof buf, "%s %s %02d %02d:%02d:%02d +0000 %04d",
                  WEEKDAYS[static_cast<size_t>(tm.tm_wday) % 7], MONTHS[static_cast<size_t>(tm.tm_mon) % 12],
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, tm.tm_year + 1900);
    return buf;
}

void SandboxData::appendUserJson(std::string& out, const SandboxUser& u) const
{
    out.push_back('{');
    appendId(out, "id", u.id);
    out += ",\"name\":";
    jsonQuoteTo(out, u.name);
    out += ",\"screen_name\":";
    jsonQuoteTo(out, u.screenName);
    out += ",\"location\":";
    jsonQuoteTo(out, u.location);
    out += ",\"description\":";
    jsonQuoteTo(out, u.description);
    out += ",\"url\":null,\"entities\":{\"description\":{\"urls\":[]}},\"protected\":false";
    out += ",\"followers_count\":" + std::to_string(u.followersCount);
    out += ",\"friends_count\":" + std::to_string(u.friendsCount);
    out += ",\"listed_count\":" + std::to_string(u.listedCount);
    out += ",\"created_at\":\"" + twitterTime(u.createdAt) + "\"";
    out += ",\"favourites_count\":" + std::to_string(u.favouritesCount);
    out += ",\"utc_offset\":null,\"time_zone\":null,\"geo_enabled\":false,\"verified\":";
    out += u.verified ? "true" : "false";
    out += ",\"statuses_count\":" + std::to_string(u.statusesCount);
    out += ",\"lang\":null,\"contributors_enabled\":false,\"is_translator\":false,"
           "\"is_translation_enabled\":false,\"profile_background_color\":\"F5F8FA\","
           "\"profile_image_url\":\"http://abs.twimg.com/sticky/default_profile_images/default_profile_normal.png\","
           "\"profile_image_url_https\":\"https://abs.twimg.com/sticky/default_profile_images/"
           "default_profile_normal.png\","
           "\"profile_link_color\":\"1DA1F2\",\"default_profile\":true,\"default_profile_image\":false,"
           "\"following\":false,\"follow_request_sent\":false,\"notifications\":false,"
           "\"translator_type\":\"none\",\"withheld_in_countries\":[]}";
}

void SandboxData::appendEntitiesJson(std::string& out, std::string_view text) const
{
    std::string hashtags, symbols, mentions, urls;
    auto sep = [](std::string& list) {
        if (!list.empty()) list.push_back(',');
    };
    size_t i = 0;
    while (i < text.size())
    {
        unsigned char c = static_cast<unsigned char>(text[i]);
        bool boundary = i == 0 || !isWordChar(static_cast<unsigned char>(text[i - 1]));
        bool spaceBefore = i == 0 || text[i - 1] == ' ' || text[i - 1] == '\n' || text[i - 1] == '\t';
        if (spaceBefore && (text.substr(i, 7) == "http://" || text.substr(i, 8) == "https://"))
        {
            size_t end = text.find_first_of(" \t\n", i);
            if (end == std::string_view::npos) end = text.size();
            std::string_view url = text.substr(i, end - i);
            std::string_view display = url.substr(url[4] == 's' ? 8 : 7);
            sep(urls);
            urls += "{\"url\":";
            jsonQuoteTo(urls, url);
            urls += ",\"expanded_url\":";
            jsonQuoteTo(urls, url);
            urls += ",\"display_url\":";
            jsonQuoteTo(urls, display);
            urls.push_back(',');
            appendIndices(urls, codePoints(text, i), codePoints(text, end));
            urls.push_back('}');
            i = end;
            continue;
        }
        if (boundary && (c == '#' || c == '@' || c == '$'))
        {
            size_t end = i + 1;
            while (end < text.size() && isWordChar(static_cast<unsigned char>(text[end]))) ++end;
            std::string_view word = text.substr(i + 1, end - i - 1);
            bool allDigits = std::all_of(word.begin(), word.end(), [](char d) { return d >= '0' && d <= '9'; });
            bool allAlpha = std::all_of(word.begin(), word.end(),
                                        [](char d) { return (d >= 'a' && d <= 'z') || (d >= 'A' && d <= 'Z'); });
            if (c == '#' && !word.empty() && !allDigits)
            {
                sep(hashtags);
                hashtags += "{\"text\":";
                jsonQuoteTo(hashtags, word);
                hashtags.push_back(',');
                appendIndices(hashtags, codePoints(text, i), codePoints(text, end));
                hashtags.push_back('}');
            }
            else if (c == '$' && !word.empty() && word.size() <= 6 && allAlpha)
            {
                sep(symbols);
                symbols += "{\"text\":";
                jsonQuoteTo(symbols, word);
                symbols.push_back(',');
                appendIndices(symbols, codePoints(text, i), codePoints(text, end));
                symbols.push_back('}');
            }
            else if (c == '@' && validScreenName(word))
            {
                SandboxUser m = user(word);
                sep(mentions);
                mentions += "{\"screen_name\":";
                jsonQuoteTo(mentions, m.screenName);
                mentions += ",\"name\":";
                jsonQuoteTo(mentions, m.name);
                mentions.push_back(',');
                appendId(mentions, "id", m.id);
                mentions.push_back(',');
                appendIndices(mentions, codePoints(text, i), codePoints(text, end));
                mentions.push_back('}');
            }
            i = std::max(end, i + 1);
            continue;
        }
        ++i;
    }
    out += "{\"hashtags\":[" + hashtags + "],\"symbols\":[" + symbols + "],\"user_mentions\":[" + mentions +
           "],\"urls\":[" + urls + "]}";
}

void SandboxData::appendTweetJson(std::string& out, const SandboxTweet& t, const SandboxUser& author,
                                  TweetStyle style) const
{
    out += "{\"created_at\":\"" + twitterTime(t.createdAt) + "\",";
    appendId(out, "id", t.id);
    out += style.extended ? ",\"full_text\":" : ",\"text\":";
    jsonQuoteTo(out, t.text);
    if (style.extended) out += ",\"display_text_range\":[0," + std::to_string(codePoints(t.text, t.text.size())) + "]";
    out += ",\"truncated\":false,\"entities\":";
    appendEntitiesJson(out, t.text);
    if (style.searchMetadata) out += ",\"metadata\":{\"iso_language_code\":\"en\",\"result_type\":\"recent\"}";
    std::string source = "<a href=\"";
    source += SOURCES_URL[static_cast<size_t>(t.source) % SOURCES_URL.size()];
    source += "\" rel=\"nofollow\">";
    source += SOURCES_NAME[static_cast<size_t>(t.source) % SOURCES_NAME.size()];
    source += "</a>";
    out += ",\"source\":";
    jsonQuoteTo(out, source);
    out += ",\"in_reply_to_status_id\":null,\"in_reply_to_status_id_str\":null,\"in_reply_to_user_id\":null,"
           "\"in_reply_to_user_id_str\":null,\"in_reply_to_screen_name\":null,\"user\":";
    if (style.trimUser)
    {
        out.push_back('{');
        appendId(out, "id", author.id);
        out.push_back('}');
    }
    else
    {
        appendUserJson(out, author);
    }
    out += ",\"geo\":null,\"coordinates\":null,\"place\":null,\"contributors\":null,\"is_quote_status\":false";
    out += ",\"retweet_count\":" + std::to_string(t.retweetCount);
    out += ",\"favorite_count\":" + std::to_string(t.favoriteCount);
    out += ",\"favorited\":false,\"retweeted\":false,\"lang\":\"en\"}";
}

} // namespace birdgate
