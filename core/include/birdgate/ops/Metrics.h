// The counters behind the admin listener's /metrics (DESIGN.md 7), and their
// Prometheus text exposition (format 0.0.4).
//
// birdgate is benchmarked against nginx, so counting must cost next to
// nothing on the request path: every url entry gets one UrlMetrics, built at
// start-up from the config and never moved, and the Router hands its address
// to each request in RouteMatch::metrics. A request then bumps relaxed atomics
// in fixed arrays (one slot per status code, one per histogram bucket): no
// lock, no map lookup, no allocation. Label values are only names from the
// config (url and schedule names, transform names) or fixed words, never
// request data: a request no url matches counts under url="-".
//
// What is not a request counter (open connections, cache bytes, streams) is
// read when /metrics is scraped and handed to render() as a Sample, so this
// class stays free of the subsystems it reports on and render() can be tested
// with made-up numbers.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <exception>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace birdgate
{

/// How an upstream request failed (birdgate_upstream_errors_total{kind}).
enum class UpstreamErrorKind
{
    Connect, // name lookup or TCP connect failed
    Timeout, // no answer (or no connection) in time
    Tls,     // TLS handshake or certificate refused
    Broken,  // connection lost mid-answer, bad framing, answer too large
};

/// The kind of an upstream exception (UpstreamTimeout, UpstreamTlsError,
/// UpstreamConnectError, any other: Broken).
UpstreamErrorKind upstreamErrorKind(const std::exception& error);
/// "connect", "timeout", "tls", "broken".
const char* upstreamErrorKindName(UpstreamErrorKind kind);

/// The histogram of birdgate_request_duration_seconds: fixed buckets, each a
/// relaxed atomic; the cumulative counts Prometheus wants are summed at
/// exposition.
class DurationHistogram
{
  public:
    /// Upper bounds in seconds (the +Inf bucket is implicit).
    static constexpr std::array<double, 14> BOUNDS{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                   0.1,    0.25,  0.5,    1,     2.5,  5,     10};

    void observe(std::chrono::nanoseconds duration);

    struct Snapshot
    {
        std::array<std::uint64_t, BOUNDS.size() + 1> buckets{}; // not cumulative; last: above every bound
        std::uint64_t count = 0;                                // the buckets' total
        double sumSeconds = 0;
    };
    Snapshot snapshot() const;

  private:
    std::array<std::atomic<std::uint64_t>, BOUNDS.size() + 1> _buckets{};
    std::atomic<std::uint64_t> _sumNanos{0};
};

/// The counters of one url entry (or of url="-").
class UrlMetrics
{
  public:
    /// `transforms`: the names of the entry's transforms (label values).
    UrlMetrics(std::string name, std::vector<std::string> transforms);
    UrlMetrics(const UrlMetrics&) = delete;
    UrlMetrics& operator=(const UrlMetrics&) = delete;

    const std::string& name() const { return _name; }

    /// One answered request (status 100..999; anything else counts as 0).
    void request(int status, std::chrono::nanoseconds duration)
    {
        _requests[slot(status)].fetch_add(1, std::memory_order_relaxed);
        _duration.observe(duration);
    }
    /// One upstream answer, whatever its status.
    void upstream(int status) { _upstream[slot(status)].fetch_add(1, std::memory_order_relaxed); }
    /// One upstream request that got no answer.
    void upstreamError(UpstreamErrorKind kind)
    {
        _upstreamErrors[static_cast<std::size_t>(kind)].fetch_add(1, std::memory_order_relaxed);
    }
    /// One answer looked up in the cache.
    void cache(bool hit) { (hit ? _cacheHits : _cacheMisses).fetch_add(1, std::memory_order_relaxed); }
    /// A transform failed (a name not given at start-up counts as "-").
    void transformError(std::string_view transform);

    // Readers (exposition, tests).
    std::uint64_t requests(int status) const { return _requests[slot(status)].load(std::memory_order_relaxed); }
    std::uint64_t upstreamAnswers(int status) const { return _upstream[slot(status)].load(std::memory_order_relaxed); }
    std::uint64_t upstreamErrors(UpstreamErrorKind kind) const
    {
        return _upstreamErrors[static_cast<std::size_t>(kind)].load(std::memory_order_relaxed);
    }
    std::uint64_t cacheHits() const { return _cacheHits.load(std::memory_order_relaxed); }
    std::uint64_t cacheMisses() const { return _cacheMisses.load(std::memory_order_relaxed); }
    /// (transform name, failures), in config order, "-" last.
    std::vector<std::pair<std::string, std::uint64_t>> transformErrors() const;
    DurationHistogram::Snapshot duration() const { return _duration.snapshot(); }

    static constexpr int MAX_STATUS = 999;

  private:
    static std::size_t slot(int status)
    {
        return status >= 100 && status <= MAX_STATUS ? static_cast<std::size_t>(status) : 0;
    }

    const std::string _name;
    std::array<std::atomic<std::uint64_t>, MAX_STATUS + 1> _requests{};
    std::array<std::atomic<std::uint64_t>, MAX_STATUS + 1> _upstream{};
    std::array<std::atomic<std::uint64_t>, 4> _upstreamErrors{};
    std::atomic<std::uint64_t> _cacheHits{0};
    std::atomic<std::uint64_t> _cacheMisses{0};
    DurationHistogram _duration;
    std::vector<std::string> _transformNames;                       // fixed at construction; "-" last
    std::unique_ptr<std::atomic<std::uint64_t>[]> _transformErrors; // one per name
};

class Metrics
{
  public:
    struct UrlSpec
    {
        std::string name;
        std::vector<std::string> transforms;
    };

    /// One UrlMetrics per entry (same order), plus url="-".
    explicit Metrics(const std::vector<UrlSpec>& urls, std::string version = {});
    Metrics(const Metrics&) = delete;
    Metrics& operator=(const Metrics&) = delete;

    /// The counters of url entry `name`, or nullptr (at start-up only: not
    /// for the request path, which gets the pointer from its RouteMatch).
    UrlMetrics* url(std::string_view name);
    /// Requests no url entry matched (and heads refused before routing).
    UrlMetrics& unrouted() { return *_unrouted; }

    /// A config reload ended (SIGHUP): ok or error.
    void configReload(bool ok) { (ok ? _reloadsOk : _reloadsError).fetch_add(1, std::memory_order_relaxed); }

    /// What is read when /metrics is scraped.
    struct StreamSample
    {
        std::string name; // the schedule entry's name
        bool connected = false;
        std::vector<std::pair<std::string, std::uint64_t>> messages; // (kind, count)
        std::uint64_t reconnects = 0;
    };
    struct Sample
    {
        std::uint64_t connections = 0; // open client connections (public listener)
        std::uint64_t cacheBytes = 0;
        std::vector<StreamSample> streams;
    };

    /// The whole exposition: every family with # HELP and # TYPE, even with
    /// no sample yet.
    std::string render(const Sample& sample) const;

    /// The family names render() declares, in order (for tests and docs).
    static std::vector<std::string> familyNames();

    /// The content type of render()'s text.
    static constexpr const char* CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    /// A label value escaped for the text format (\\, \", \n).
    static std::string escapeLabel(std::string_view value);

  private:
    std::string _version;
    std::deque<UrlMetrics> _urls; // never moved: requests hold pointers into it
    std::unique_ptr<UrlMetrics> _unrouted;
    std::atomic<std::uint64_t> _reloadsOk{0};
    std::atomic<std::uint64_t> _reloadsError{0};
};

} // namespace birdgate
