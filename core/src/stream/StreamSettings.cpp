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
    {"key", KwargType::String, nullptr, "consumer key of the Twitter app (required)"},
    {"secret", KwargType::String, nullptr, "consumer secret (required)"},
    {"access_key", KwargType::String, nullptr, "access token of the user the stream runs as (required)"},
    {"access_secret", KwargType::String, nullptr, "access token secret (required)"},
    {"track", KwargType::StringList, nullptr, "phrases to track: a list or a comma-separated string (<= 400)"},
    {"follow", KwargType::StringList, nullptr,
     "users to follow: numeric ids or screen names (looked up once at start-up), list or comma-separated (<= 5000)"},
    {"locations", KwargType::StringList, nullptr,
     "bounding boxes: south-west longitude,latitude then north-east longitude,latitude (<= 25 boxes)"},
    {"language", KwargType::StringList, nullptr, "BCP 47 language codes, e.g. en,fr"},
    {"filter_level", KwargType::String, nullptr, "none, low or medium"},
    {"stall_warnings", KwargType::Bool, nullptr, "ask Twitter for FALLING_BEHIND warnings"},
    {"delimited", KwargType::String, nullptr, "length: each message is preceded by its byte count"},
    {"stream_root", KwargType::String, nullptr, "streaming API root (default app.twitter.stream_root)"},
    {"api_root", KwargType::String, nullptr, "REST API root for users/lookup (default app.twitter.api_root)"},
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

StreamSettings StreamSettings::parse(const ScheduleEntry& entry, const AppConfig& app,
                                     std::vector<std::string>* warnings)
{
    Kwargs kw(entry.kwargs, entry.origin, entry.line, "schedule." + entry.name + ".kwargs", SPEC, warnings);
    StreamSettings s;
    s.name = entry.name;
    s.file = entry.origin.file;
    s.line = entry.line;
    s.startup = entry.startup;

    for (const char* required : {"key", "secret", "access_key", "access_secret"})
        if (kw.str(required).empty()) kw.fail(required, "a non-empty string (a stream always runs as one user)");
    s.credentials.consumerKey = kw.str("key");
    s.credentials.consumerSecret = kw.str("secret");
    s.credentials.token = kw.str("access_key");
    s.credentials.tokenSecret = kw.str("access_secret");

    auto root = [&](const char* key, const std::string& fallback) {
        std::string url = kw.has(key) ? kw.str(key) : fallback;
        while (!url.empty() && url.back() == '/') url.pop_back();
        std::string path;
        if (!parseUpstreamUrl(url, path))
            kw.fail(key, "an http:// or https:// URL without a query (found '" + url + "')");
        return url;
    };
    s.streamUrl = root("stream_root", app.streamRoot) + "/1.1/statuses/filter.json";
    s.apiRoot = root("api_root", app.apiRoot);

    s.track = kw.list("track");
    if (s.track.size() > MAX_TRACK)
        kw.fail("track", "at most " + std::to_string(MAX_TRACK) + " phrases, Twitter's limit (found " +
                             std::to_string(s.track.size()) + ")");
    for (const auto& t : s.track)
        if (t.size() > MAX_TRACK_BYTES)
            kw.fail("track", "phrases of at most 60 bytes, Twitter's limit (found '" + preview(t) + "')");

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
    if (s.followIds.size() + s.followNames.size() > MAX_FOLLOW)
        kw.fail("follow", "at most " + std::to_string(MAX_FOLLOW) + " users, Twitter's limit (found " +
                              std::to_string(s.followIds.size() + s.followNames.size()) + ")");

    s.locations = kw.list("locations");
    for (const auto& v : s.locations)
        if (!yamlscalars::parseNumber(v)) kw.fail("locations", "numbers (found '" + preview(v) + "')");
    if (s.locations.size() % 4 != 0)
        kw.fail("locations", "groups of 4 numbers: sw longitude, sw latitude, ne longitude, ne latitude (found " +
                                 std::to_string(s.locations.size()) + " numbers)");
    if (s.locations.size() > MAX_LOCATION_BOXES * 4) kw.fail("locations", "at most 25 boxes, Twitter's limit");

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

    double stall = kw.number("stall_timeout");
    if (!(stall >= 0.05 && stall <= 3600)) kw.fail("stall_timeout", "seconds from 0.05 to 3600");
    s.stallTimeout = std::chrono::milliseconds(static_cast<long long>(stall * 1000));
    double timeout = kw.number("timeout");
    if (!(timeout >= 0.05 && timeout <= 600)) kw.fail("timeout", "seconds from 0.05 to 600");
    s.connectTimeout = std::chrono::milliseconds(static_cast<long long>(timeout * 1000));
    s.lookupTimeout = std::max(s.connectTimeout, std::chrono::milliseconds(20'000));

    // The sink.
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
    return s;
}

} // namespace birdgate
