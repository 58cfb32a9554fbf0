// The settings of one `schedule:` entry with `function: TwitterStream`,
// read from its kwargs table once at start-up and immutable afterwards (the
// follow names are resolved into ids by FollowResolver before the stream
// connects). Parsing lives here, apart from the connection loop, so the
// rules a config must meet (Twitter's limits, the sink) are read in one place.
#pragma once

#include "birdgate/config/Config.h"
#include "birdgate/config/Kwargs.h"
#include "birdgate/twitter/OAuth1.h"
#include "stream/ReconnectBackoff.h"

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

    std::string name; // the schedule entry's name
    std::string file; // where it was configured, for ConfigErrors
    int line = 0;
    bool startup = true;

    std::string streamUrl; // {stream_root}/1.1/statuses/filter.json
    std::string apiRoot;   // users/lookup goes to {api_root}/1.1/users/lookup.json
    oauth1::Credentials credentials;

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
    /// "stream NAME", the prefix of every log line.
    std::string logPrefix() const { return "stream " + name; }

    /// The kwargs table: name, type, default, description of every key.
    static std::span<const KwargSpec> kwargSpec();

    /// Reads a schedule entry's kwargs; throws ConfigError naming file, line
    /// and key. Unknown keys are appended to `warnings`.
    static StreamSettings parse(const ScheduleEntry& entry, const AppConfig& app, std::vector<std::string>* warnings);
};
} // namespace birdgate
