// StreamSettings; see StreamSettings.h.
#include "birdgate/stream/StreamSettings.h"

#include "birdgate/common/HttpErrors.h"
#include "birdgate/config/YamlJson.h"
#include "birdgate/config/YamlScalars.h"
#include "birdgate/plugin/PluginError.h"
#include "birdgate/plugin/PluginHost.h"
#include "birdgate/twitter/Upstream.h"
#include "stream/StreamText.h"

#include <set>

namespace birdgate
{
namespace
{
using namespace streamtext;
const KwargSpec SPEC[] = {
    {"api", KwargType::String, "2",
     "2: X API v2 filtered stream (rules, app-only bearer); 1.1: statuses/filter.json with OAuth 1.0a"},
    {"key", KwargType::String, nullptr,
     "consumer key of the app (api 1.1: required; api 2: client credentials for the bearer, unless bearer: is a "
     "token)"},
    {"secret", KwargType::String, nullptr, "consumer secret (with key)"},
    {"access_key", KwargType::String, nullptr, "api 1.1: access token of the user the stream runs as (required)"},
    {"access_secret", KwargType::String, nullptr, "api 1.1: access token secret (required)"},
    {"bearer", KwargType::String, nullptr,
     "api 2: an app-only bearer token used as written, or app (default): obtained from key/secret"},
    {"rules", KwargType::Any, nullptr,
     "api 2: list of {value, tag} (or plain values): X filtered-stream rules, tagged birdgate:<schedule>:<tag>"},
    {"track", KwargType::StringList, nullptr,
     "phrases to track: a list or a comma-separated string (api 1.1: <= 400; api 2: becomes rules)"},
    {"follow", KwargType::StringList, nullptr,
     "users to follow: numeric ids or screen names, list or comma-separated (api 1.1: <= 5000, names looked up "
     "at start-up; api 2: from: rules)"},
    {"locations", KwargType::StringList, nullptr,
     "bounding boxes: south-west longitude,latitude then north-east longitude,latitude (<= 25 boxes; api 2: "
     "bounding_box: rules)"},
    {"language", KwargType::StringList, nullptr, "BCP 47 language codes, e.g. en,fr (api 2: lang: on every rule)"},
    {"rule_max_length", KwargType::Int, "512",
     "api 2: longest rule X accepts (512 on most tiers); longer track/follow/locations rules are split"},
    {"tweet.fields", KwargType::StringList, nullptr, "api 2: tweet fields, e.g. created_at,author_id,lang"},
    {"user.fields", KwargType::StringList, nullptr, "api 2: user fields (with expansions: author_id)"},
    {"expansions", KwargType::StringList, nullptr, "api 2: expansions, e.g. author_id"},
    {"media.fields", KwargType::StringList, nullptr, "api 2: media fields"},
    {"place.fields", KwargType::StringList, nullptr, "api 2: place fields"},
    {"poll.fields", KwargType::StringList, nullptr, "api 2: poll fields"},
    {"backfill_minutes", KwargType::Int, nullptr, "api 2: minutes of missed tweets to recover on reconnect (0-5)"},
    {"filter_level", KwargType::String, nullptr, "api 1.1: none, low or medium"},
    {"stall_warnings", KwargType::Bool, nullptr, "api 1.1: ask Twitter for FALLING_BEHIND warnings"},
    {"delimited", KwargType::String, nullptr, "api 1.1: length: each message is preceded by its byte count"},
    {"stream_root", KwargType::String, nullptr, "streaming API root (default app.twitter.stream_root)"},
    {"api_root", KwargType::String, nullptr,
     "REST API root: api 2 oauth2/token, api 1.1 users/lookup (default app.twitter.api_root)"},
    {"path", KwargType::String, nullptr,
     "JSON Lines file, formatted from the UTC time with {:%Y-%m-%d}-style fields; relative to the YAML's folder"},
    {"flush", KwargType::Any, nullptr, "path: sync every N seconds, true (every line) or false (leave it to the OS)"},
    {"sink", KwargType::String, nullptr, "another sink plugin, plugin.export (instead of path:)"},
    {"sink_config", KwargType::Map, nullptr, "the config of the sink: plugin, as a map (becomes its config JSON)"},
    {"stall_timeout", KwargType::Number, "90", "seconds without a byte (keep-alives count) before reconnecting"},
    {"timeout", KwargType::Number, "10", "seconds to connect and send the request"},
};
} // namespace

oauth1::Params StreamSettings::params() const
{
    oauth1::Params p;
    if (!track.empty()) p.emplace_back("track", joined(track));
    if (!followIds.empty()) p.emplace_back("follow", joined(followIds));
    if (!locations.empty()) p.emplace_back("locations", joined(locations));
    if (!language.empty()) p.emplace_back("language", joined(language));
    if (!filterLevel.empty()) p.emplace_back("filter_level", filterLevel);
    if (!stallWarnings.empty()) p.emplace_back("stall_warnings", stallWarnings);
    if (delimitedLength) p.emplace_back("delimited", "length");
    return p;
}

std::span<const KwargSpec> StreamSettings::kwargSpec()
{
    return SPEC;
}

namespace
{
bool given(const Kwargs& kw, const char* key)
{
    YAML::Node node = kw.node(key);
    return node.IsDefined() && !node.IsNull();
}

// `path:` (the bundled jsonl_sink) or `sink:` with `sink_config:`.
void parseSink(StreamSettings& s, const Kwargs& kw, const ScheduleEntry& entry, std::vector<std::string>* warnings)
{
    std::string path = kw.str("path");
    std::string sink = kw.str("sink");
    if (!sink.empty())
    {
        try
        {
            PluginHost::splitFunction(sink);
        }
        catch (const PluginError& e)
        {
            kw.fail("sink", std::string("plugin.export (") + e.what() + ")");
        }
        s.sinkFunction = sink;
        YAML::Node config = kw.node("sink_config");
        if (config.IsDefined() && !config.IsNull())
        {
            s.sinkConfig = yamlToJson(config);
        }
        else
            s.sinkConfig = "{}";
        if (!path.empty() && warnings)
            warnings->push_back(entry.origin.file + ":" + std::to_string(entry.line) + ": schedule." + entry.name +
                                ": both sink and path given; path is ignored (put it in sink_config)");
    }
    else
    {
        if (path.empty()) kw.fail("path", "a file name such as tweets.{:%Y-%m-%d}.jsonl (or a sink: plugin.export)");
        s.sinkFunction = "jsonl_sink.write";
        std::string config = "{\"path\":";
        jsonQuoteTo(config, path);
        config += ",\"base\":";
        jsonQuoteTo(config, entry.origin.yamlPath.empty() ? std::string(".") : entry.origin.yamlPath);
        YAML::Node flush = kw.node("flush");
        if (flush.IsDefined() && !flush.IsNull())
        {
            if (!flush.IsScalar()) kw.fail("flush", "seconds, true or false");
            const std::string& v = flush.Scalar();
            config += ",\"flush\":";
            if (auto b = yamlscalars::parseBool(v); b && !yamlscalars::parseNumber(v))
                config += *b ? "true" : "false";
            else if (auto n = yamlscalars::parseNumber(v); n && *n >= 0)
                config += v;
            else
                kw.fail("flush", "seconds (>= 0), true or false (found '" + preview(v) + "')");
        }
        config += "}";
        s.sinkConfig = config;
    }
}

// The follow list as given: ids and screen names, '@' dropped, duplicates
// (names case-insensitively) dropped.
void parseFollow(StreamSettings& s, const Kwargs& kw)
{
    std::set<std::string> seenIds, seenNames;
    for (std::string f : kw.list("follow"))
    {
        if (!f.empty() && f[0] == '@') f.erase(0, 1);
        if (allDigits(f))
        {
            if (seenIds.insert(f).second) s.followIds.push_back(f);
        }
        else if (validScreenName(f))
        {
            if (seenNames.insert(lowered(f)).second) s.followNames.push_back(f);
        }
        else
            kw.fail("follow",
                    "numeric user ids or screen names of 1-15 letters, digits or _ (found '" + preview(f) + "')");
    }
}

void parseLocations(StreamSettings& s, const Kwargs& kw)
{
    s.locations = kw.list("locations");
    for (const auto& v : s.locations)
        if (!yamlscalars::parseNumber(v)) kw.fail("locations", "numbers (found '" + preview(v) + "')");
    if (s.locations.size() % 4 != 0)
        kw.fail("locations", "groups of 4 numbers: sw longitude, sw latitude, ne longitude, ne latitude (found " +
                                 std::to_string(s.locations.size()) + " numbers)");
    if (s.locations.size() > StreamSettings::MAX_LOCATION_BOXES * 4)
        kw.fail("locations", "at most 25 boxes, Twitter's limit");
}

// api: 2 -- credentials, rules and the query of the filtered stream.
void parseV2(StreamSettings& s, const Kwargs& kw, const ScheduleEntry& entry, std::vector<std::string>* warnings)
{
    for (const char* only : {"filter_level", "stall_warnings", "delimited"})
        if (given(kw, only)) kw.fail(only, "no such key on api: 2 (add api: 1.1 for statuses/filter.json)");

    // Credentials: a literal bearer, or key/secret for client credentials.
    std::string bearer = kw.str("bearer");
    const bool haveKey = !kw.str("key").empty() || !kw.str("secret").empty();
    if (!bearer.empty() && bearer != "app")
    {
        if (haveKey)
            kw.fail("bearer", "either bearer: <token> or key/secret (bearer: app), not both: they are two ways to "
                              "authenticate the app");
        s.bearerToken = bearer;
    }
    else
    {
        for (const char* required : {"key", "secret"})
            if (kw.str(required).empty())
                kw.fail(required, "a non-empty string: api 2 streams authenticate as the app, with bearer: <token> "
                                  "or key and secret (client credentials)");
        s.credentials.consumerKey = kw.str("key");
        s.credentials.consumerSecret = kw.str("secret");
    }
    if (warnings && (given(kw, "access_key") || given(kw, "access_secret")))
        warnings->push_back(entry.origin.file + ":" + std::to_string(entry.line) + ": schedule." + entry.name +
                            ": access_key and access_secret are not used by an api: 2 stream (it authenticates as "
                            "the app); add api: 1.1 for statuses/filter.json");

    // Configured rules.
    std::vector<StreamRule> configured;
    YAML::Node rules = kw.node("rules");
    if (rules.IsDefined() && !rules.IsNull())
    {
        if (!rules.IsSequence()) kw.fail("rules", "a list of {value, tag} (or plain rule values)");
        for (std::size_t i = 0; i < rules.size(); ++i)
        {
            YAML::Node item = rules[i];
            StreamRule rule;
            if (item.IsScalar())
                rule.value = item.Scalar();
            else if (item.IsMap() && item["value"].IsScalar())
            {
                rule.value = item["value"].Scalar();
                if (item["tag"].IsDefined() && !item["tag"].IsNull())
                {
                    if (!item["tag"].IsScalar())
                        kw.fail("rules", "tags that are strings (rules[" + std::to_string(i) + "])");
                    rule.tag = item["tag"].Scalar();
                }
                for (const auto& kv : item)
                {
                    std::string k = kv.first.as<std::string>("");
                    if (k != "value" && k != "tag")
                        kw.fail("rules",
                                "entries {value, tag} (rules[" + std::to_string(i) + "] has '" + preview(k) + "')");
                }
            }
            else
                kw.fail("rules", "entries {value, tag} or plain rule values (rules[" + std::to_string(i) + "])");
            if (rule.value.find_first_not_of(" \t\r\n") == std::string::npos)
                kw.fail("rules", "non-empty rule values (rules[" + std::to_string(i) + "])");
            configured.push_back(std::move(rule));
        }
    }

    long long maxLength = kw.integer("rule_max_length");
    if (maxLength < 16 || maxLength > 4096) kw.fail("rule_max_length", "characters from 16 to 4096 (X: 512 or 1024)");
    s.ruleMaxLength = static_cast<std::size_t>(maxLength);

    // Gramex keys, as rules.
    s.track = kw.list("track");
    parseFollow(s, kw);
    parseLocations(s, kw);
    s.language = kw.list("language");
    for (const auto& l : s.language)
        if (l.empty() || l.size() > 7 || !std::all_of(l.begin(), l.end(), [](char c) {
                return std::isalpha(static_cast<unsigned char>(c)) || c == '-';
            }))
            kw.fail("language", "BCP 47 language codes such as en (found '" + preview(l) + "')");
    std::vector<std::string> follow = s.followIds;
    follow.insert(follow.end(), s.followNames.begin(), s.followNames.end());
    std::vector<std::string> generated;
    try
    {
        generated = streamrules::fromGramex(s.track, follow, s.locations, s.language, s.ruleMaxLength);
    }
    catch (const RuleTooLong& e)
    {
        kw.fail(s.track.empty() ? "follow" : "track", std::string("terms that fit in one rule: ") + e.what());
    }
    if (configured.empty() && generated.empty())
        kw.fail("rules", "at least one rule: rules, track, follow or locations (X streams what rules match)");
    s.rules = streamrules::tagged(s.name, configured, generated);
    s.configuredRules = configured.size();
    std::set<std::string> tags;
    for (const auto& r : s.rules)
        if (!tags.insert(r.tag).second) kw.fail("rules", "distinct tags (" + preview(r.tag) + " is used twice)");

    for (const char* key : {"tweet.fields", "user.fields", "expansions", "media.fields", "place.fields", "poll.fields"})
    {
        auto items = kw.list(key);
        if (!items.empty()) s.v2Query.emplace_back(key, joined(items));
    }
    if (given(kw, "backfill_minutes"))
    {
        long long minutes = kw.integer("backfill_minutes");
        if (minutes < 0 || minutes > 5) kw.fail("backfill_minutes", "minutes from 0 to 5 (X's limit)");
        s.v2Query.emplace_back("backfill_minutes", std::to_string(minutes));
    }
}
} // namespace

StreamSettings StreamSettings::parse(const ScheduleEntry& entry, const AppConfig& app,
                                     std::vector<std::string>* warnings)
{
    Kwargs kw(entry.kwargs, entry.origin, entry.line, "schedule." + entry.name + ".kwargs", SPEC, warnings);
    StreamSettings s;
    s.name = entry.name;
    s.file = entry.origin.file;
    s.line = entry.line;
    s.startup = entry.startup;

    const std::string api = kw.str("api");
    if (api == "1.1")
        s.api = Api::V1;
    else if (api != "2" && api != "2.0")
        kw.fail("api", "2 (X API v2 filtered stream) or 1.1 (statuses/filter.json) (found '" + preview(api) + "')");

    auto root = [&](const char* key, const std::string& fallback) {
        std::string url = kw.has(key) ? kw.str(key) : fallback;
        while (!url.empty() && url.back() == '/') url.pop_back();
        std::string path;
        if (!parseUpstreamUrl(url, path))
            kw.fail(key, "an http:// or https:// URL without a query (found '" + url + "')");
        return url;
    };
    const std::string streamRoot = root("stream_root", app.streamRoot);
    s.apiRoot = root("api_root", app.apiRoot);

    double stall = kw.number("stall_timeout");
    if (!(stall >= 0.05 && stall <= 3600)) kw.fail("stall_timeout", "seconds from 0.05 to 3600");
    s.stallTimeout = std::chrono::milliseconds(static_cast<long long>(stall * 1000));
    double timeout = kw.number("timeout");
    if (!(timeout >= 0.05 && timeout <= 600)) kw.fail("timeout", "seconds from 0.05 to 600");
    s.connectTimeout = std::chrono::milliseconds(static_cast<long long>(timeout * 1000));
    s.lookupTimeout = std::max(s.connectTimeout, std::chrono::milliseconds(20'000));
    parseSink(s, kw, entry, warnings);

    if (s.v2())
    {
        s.streamUrl = streamRoot + "/2/tweets/search/stream";
        s.rulesUrl = streamRoot + "/2/tweets/search/stream/rules";
        parseV2(s, kw, entry, warnings);
        return s;
    }
    for (const char* only : {"bearer", "rules", "rule_max_length", "tweet.fields", "user.fields", "expansions",
                             "media.fields", "place.fields", "poll.fields", "backfill_minutes"})
        if (given(kw, only)) kw.fail(only, "no such key on api: 1.1 (it is an api: 2 key)");
    for (const char* required : {"key", "secret", "access_key", "access_secret"})
        if (kw.str(required).empty()) kw.fail(required, "a non-empty string (a v1.1 stream always runs as one user)");
    s.credentials.consumerKey = kw.str("key");
    s.credentials.consumerSecret = kw.str("secret");
    s.credentials.token = kw.str("access_key");
    s.credentials.tokenSecret = kw.str("access_secret");
    s.streamUrl = streamRoot + "/1.1/statuses/filter.json";

    s.track = kw.list("track");
    if (s.track.size() > MAX_TRACK)
        kw.fail("track", "at most " + std::to_string(MAX_TRACK) + " phrases, Twitter's limit (found " +
                             std::to_string(s.track.size()) + ")");
    for (const auto& t : s.track)
        if (t.size() > MAX_TRACK_BYTES)
            kw.fail("track", "phrases of at most 60 bytes, Twitter's limit (found '" + preview(t) + "')");

    parseFollow(s, kw);
    if (s.followIds.size() + s.followNames.size() > MAX_FOLLOW)
        kw.fail("follow", "at most " + std::to_string(MAX_FOLLOW) + " users, Twitter's limit (found " +
                              std::to_string(s.followIds.size() + s.followNames.size()) + ")");

    parseLocations(s, kw);

    if (s.track.empty() && s.followIds.empty() && s.followNames.empty() && s.locations.empty())
        kw.fail("track", "at least one of track, follow or locations (Twitter needs a predicate)");

    s.language = kw.list("language");
    s.filterLevel = kw.str("filter_level");
    if (!s.filterLevel.empty() && s.filterLevel != "none" && s.filterLevel != "low" && s.filterLevel != "medium")
        kw.fail("filter_level", "none, low or medium (found '" + s.filterLevel + "')");
    if (kw.has("stall_warnings")) s.stallWarnings = kw.boolean("stall_warnings") ? "true" : "false";
    std::string delimited = kw.str("delimited");
    if (!delimited.empty() && delimited != "length") kw.fail("delimited", "length (found '" + delimited + "')");
    s.delimitedLength = delimited == "length";

    return s;
}

} // namespace birdgate
