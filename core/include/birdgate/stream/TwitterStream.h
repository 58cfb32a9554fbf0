// TwitterStream: one `schedule:` entry with `function: TwitterStream`
// (DESIGN.md 5), the C++ successor of Gramex's TwitterStream. It keeps one
// streaming connection open on its own thread and writes every tweet, as one
// line, to a sink plugin (jsonl_sink for `path:`): by default X API v2's
// filtered stream (GET 2/tweets/search/stream, app-only bearer, rules synced
// at start-up), or with `api: 1.1` statuses/filter.json signed with OAuth 1.0a.
//
//   schedule:
//     twitter-stream:
//       function: TwitterStream
//       kwargs: {track: beer,wine, follow: Starbucks, path: tweets.{:%Y-%m-%d}.jsonl,
//                key: ..., secret: ..., access_key: ..., access_secret: ...}
//       startup: true
//       thread: true
//
// Life cycle, driven by Gateway:
//   create()         reads the kwargs (ConfigError with file:line on anything
//                    wrong: no predicate, > 400 track terms, > 5000 follows,
//                    bad locations ...) and creates the sink instance, so a
//                    missing plugin stops the server at start-up.
//   prepare()        api 2: syncs the rules (RulesSync over XRulesApi: list,
//                    dry run, delete stale own rules, add; a rule X rejects
//                    is a ConfigError quoting X); api 1.1: resolveFollow().
//                    A transient failure is retried by the thread.
//   resolveFollow()  turns follow screen names into ids through users/lookup
//                    (100 a call, signed GET). A name Twitter does not know is
//                    a ConfigError naming the schedule and the names; a
//                    transient failure (network, 5xx, 429) is retried by the
//                    stream thread before it connects.
//   start()          the thread: connect, frame (StreamFramer), classify
//                    (StreamMessage), write tweets (StreamSinkWriter), count
//                    (StreamCounters), reconnect per ReconnectBackoff; a fatal
//                    status (401 403 404 406 413 416; on v2 also 400 and a
//                    problem type that cannot heal, after one bearer renewal
//                    for a 401) ends the thread with one clear log line. On
//                    v2 only objects with `data` are written, once per data.id
//                    per connection (RecentIds); {"errors":[...]} objects are
//                    counted and logged.
//   stop()           interrupts the connection (StreamConnection) and any
//                    backoff wait, joins, flushes the sink with sync and
//                    releases it. Every complete message already read has
//                    been written by then; a partial one is dropped.
//
// Waits go through the injected Clock, and the backoff limits, stall and
// retry times are plain Settings fields, so the tests run in milliseconds.
#pragma once

#include "birdgate/common/Clock.h"
#include "birdgate/common/ThreadAnnotations.h"
#include "birdgate/config/Config.h"
#include "birdgate/config/Kwargs.h"
#include "birdgate/stream/StreamSettings.h"
#include "birdgate/twitter/AppBearer.h"
#include "birdgate/twitter/OAuth1.h"
#include "birdgate/twitter/TwitterClient.h"
#include "stream/RecentIds.h"
#include "stream/ReconnectBackoff.h"
#include "stream/StreamCounters.h"
#include "stream/StreamFramer.h"
#include "stream/StreamSinkWriter.h"

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <span>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

namespace birdgate
{

struct Services;
class StreamConnection;

class TwitterStream
{
  public:
    static constexpr std::size_t MAX_TRACK = StreamSettings::MAX_TRACK;
    static constexpr std::size_t MAX_FOLLOW = StreamSettings::MAX_FOLLOW;
    static constexpr std::size_t MAX_LOCATION_BOXES = StreamSettings::MAX_LOCATION_BOXES;
    static constexpr std::size_t MAX_TRACK_BYTES = StreamSettings::MAX_TRACK_BYTES;

    using Settings = StreamSettings;

    /// The kwargs table (StreamSettings::kwargSpec).
    static std::span<const KwargSpec> kwargSpec() { return StreamSettings::kwargSpec(); }

    /// StreamSettings::parse.
    static Settings parse(const ScheduleEntry& entry, const AppConfig& app, std::vector<std::string>* warnings)
    {
        return StreamSettings::parse(entry, app, warnings);
    }

    /// The server's way: parse(), then the sink from services.plugins (the
    /// bundled jsonl_sink is also looked for next to the executable).
    /// Throws ConfigError.
    static std::unique_ptr<TwitterStream> create(const ScheduleEntry& entry, const Services& services);

    TwitterStream(Settings settings, std::shared_ptr<UpstreamPool> upstreams, std::unique_ptr<StreamSinkWriter> sink,
                  Clock& clock = SystemClock::instance());
    ~TwitterStream();

    TwitterStream(const TwitterStream&) = delete;
    TwitterStream& operator=(const TwitterStream&) = delete;

    /// What must happen before the first connection: api 2 syncs the rules,
    /// api 1.1 resolves follow names. Throws ConfigError (exit 78 at
    /// start-up) or StreamTransientError (the thread retries).
    void prepare();

    /// api 2: reads X's rules, validates the new ones (dry run), deletes
    /// this schedule's stale rules and adds the missing ones.
    void syncRules();

    /// Looks the follow screen names up (nothing to do without names).
    /// Throws ConfigError for names Twitter does not know or refused
    /// credentials, StreamTransientError for failures worth retrying.
    void resolveFollow();

    /// Starts the stream thread (once).
    void start();

    /// Stops the thread, flushes with sync and releases the sink. Idempotent;
    /// also run by the destructor.
    void stop();

    bool started() const { return _started; }
    const Settings& settings() const { return _settings; }
    const StreamCounters& counters() const { return _counters; }
    /// The follow ids the stream sends (after resolution).
    std::vector<std::string> followIds() const;
    /// api 2: the app's bearer (a literal token or client credentials).
    const std::shared_ptr<AppBearer>& bearer() const { return _bearer; }

  private:
    enum class End
    {
        Stopped, // stop() asked
        Network, // could not connect, connection lost or closed
        Stall,   // no byte for stall_timeout
        Http,    // a status other than 200
        Fatal    // v2: X refused to give the app a bearer token
    };
    struct Attempt
    {
        End end = End::Network;
        int status = 0;
        std::string detail;
        std::string body; // the start of an error answer's body (v2 problem JSON)
    };

    void run(std::stop_token stop);
    bool resolveInThread(std::stop_token stop);
    Attempt connectOnce(std::stop_token stop);
    void onMessage(std::string_view message);
    void onErrors(std::string_view message);
    /// v2: what an HTTP error means; true to go on (`d` and `kind` set).
    bool decideV2(const Attempt& a, ReconnectBackoff::Decision& d, std::string& kind);
    void finish();

    Settings _settings; // followIds and followNames guarded by _mutex; the rest immutable after construction
    std::string _prefix;
    std::shared_ptr<UpstreamPool> _upstreams;
    std::unique_ptr<StreamSinkWriter> _sink;
    Clock& _clock;
    StreamCounters _counters;
    ReconnectBackoff _backoff;
    StreamFramer _framer;
    UpstreamTarget _target;
    std::string _path;          // request path of statuses/filter.json
    std::stop_token _stopToken; // the thread's, for sink retries inside the framer callback
    std::uint64_t _connectionLimitTrack = 0;
    std::uint64_t _notJsonLogged = 0;
    std::uint64_t _otherLogged = 0;
    std::shared_ptr<AppBearer> _bearer;    // api 2
    std::string _token;                    // api 2: the bearer token of the current connection
    bool _renewed = false;                 // api 2: a 401 renewed the bearer since the last healthy connection
    std::atomic<bool> _rulesSynced{false}; // api 2: prepare() done (the thread retries otherwise)
    RecentIds _recentIds;                  // api 2: data.id of this connection
    std::chrono::steady_clock::time_point _nextFlushTick{};

    mutable std::mutex _mutex; // guards _connection, the follow lists, _started and _stopped
    std::shared_ptr<StreamConnection> _connection BIRDGATE_GUARDED_BY(_mutex);
    std::jthread _thread; // started under _mutex (start()); joined by stop() once _stopped is set
    bool _started BIRDGATE_GUARDED_BY(_mutex) = false; // finish() reads it unlocked: fixed once _stopped is set
    bool _stopped BIRDGATE_GUARDED_BY(_mutex) = false;
};

} // namespace birdgate
