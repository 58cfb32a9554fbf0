// The settings of one `schedule:` entry with `function: TwitterStream`,
// read from its kwargs table once at start-up and immutable afterwards (the
// follow names are resolved into ids by FollowResolver before an api: 1.1
// stream connects). `api: 2` (the default) is X API v2's filtered stream:
// app-only bearer, rules (configured, plus Gramex's track/follow/language/
// locations translated by StreamRules), the *.fields query; `api: 1.1` is
// statuses/filter.json signed with OAuth 1.0a. Parsing lives here, apart from the connection loop, so the
// rules a config must meet (Twitter's limits, the sink) are read in one place.
#pragma once

#include "birdgate/config/Config.h"
#include "birdgate/config/Kwargs.h"
#include "birdgate/twitter/OAuth1.h"
#include "stream/ReconnectBackoff.h"
#include "stream/StreamRules.h"

#include <chrono>
#include <cstddef>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace birdgate
{

/// Resolving follow names failed for a reason that may pass (network, 5xx,
/// 429): the stream thread tries again later.
class StreamTransientError : public std::runtime_error
{
  public:
    using std::runtime_error::runtime_error;
};

struct StreamSettings
{
    static constexpr std::size_t MAX_TRACK = 400; // Twitter's limits on one connection
    static constexpr std::size_t MAX_FOLLOW = 5000;
    static constexpr std::size_t MAX_LOCATION_BOXES = 25;
    static constexpr std::size_t MAX_TRACK_BYTES = 60; // one track phrase

    enum class Api
    {
        V2, // X API v2 filtered stream (the default)
        V1  // v1.1 statuses/filter.json
    };
    static constexpr std::size_t DEFAULT_RULE_MAX_LENGTH = 512;

    std::string name; // the schedule entry's name
    std::string file; // where it was configured, for ConfigErrors
    int line = 0;
    bool startup = true;

    Api api = Api::V2;
    std::string streamUrl;           // {stream_root}/2/tweets/search/stream, or /1.1/statuses/filter.json
    std::string apiRoot;             // v2: {api_root}/oauth2/token; v1.1: {api_root}/1.1/users/lookup.json
    oauth1::Credentials credentials; // v2: consumerKey/Secret for client credentials (when no bearer)

    // ---- api: 2
    std::string rulesUrl;            // {stream_root}/2/tweets/search/stream/rules
    std::string bearerToken;         // `bearer: <token>` as written; "" for client credentials
    std::vector<StreamRule> rules;   // tagged birdgate:<schedule>:<tag>, configured first, as sent
    std::size_t configuredRules = 0; // how many of `rules` came from `rules:` (the rest: Gramex keys)
    oauth1::Params v2Query;          // tweet.fields ... backfill_minutes, in that order
    std::size_t ruleMaxLength = DEFAULT_RULE_MAX_LENGTH;

    std::vector<std::string> track;
    std::vector<std::string> followIds;   // numeric ids (resolved names are added here)
    std::vector<std::string> followNames; // screen names still to resolve
    std::vector<std::string> locations;
    std::vector<std::string> language;
    std::string filterLevel;
    std::string stallWarnings; // "true" / "false" / "" (not sent)
    bool delimitedLength = false;

    std::chrono::milliseconds stallTimeout{90'000};
    std::chrono::milliseconds connectTimeout{10'000};
    std::chrono::milliseconds lookupTimeout{20'000};
    ReconnectBackoff::Policy backoff; // Twitter's by default; tests shrink it
    std::chrono::milliseconds sinkRetryWait{100};
    std::chrono::milliseconds sinkStopGrace{1'000};
    std::chrono::milliseconds flushTick{1'000}; // how often flush(false) nudges a `flush: N` sink

    std::string sinkFunction; // "jsonl_sink.write" for path:, or sink:
    std::string sinkConfig;   // the sink's config JSON

    /// The form body of statuses/filter.json (followIds joined, lists
    /// joined with commas), in Twitter's documented order.
    oauth1::Params params() const;
    bool v2() const { return api == Api::V2; }
    /// "stream NAME", the prefix of every log line.
    std::string logPrefix() const { return "stream " + name; }

    /// The kwargs table: name, type, default, description of every key.
    static std::span<const KwargSpec> kwargSpec();

    /// Reads a schedule entry's kwargs; throws ConfigError naming file, line
    /// and key. Unknown keys are appended to `warnings`.
    static StreamSettings parse(const ScheduleEntry& entry, const AppConfig& app, std::vector<std::string>* warnings);
};
} // namespace birdgate
