// Metrics; see Metrics.h. The exposition follows the Prometheus text format
// 0.0.4: each family opens with # HELP and # TYPE, its samples follow
// together, label values escape \\, \" and \n, histograms give cumulative
// _bucket counts ending with le="+Inf", then _sum and _count.
#include "birdgate/ops/Metrics.h"

#include "birdgate/twitter/Upstream.h"

#include <charconv>
#include <cmath>

namespace birdgate
{
namespace
{
const char* const FAMILY_NAMES[] = {
    "birdgate_build_info",
    "birdgate_requests_total",
    "birdgate_request_duration_seconds",
    "birdgate_upstream_requests_total",
    "birdgate_upstream_errors_total",
    "birdgate_cache_requests_total",
    "birdgate_cache_bytes",
    "birdgate_connections",
    "birdgate_stream_connected",
    "birdgate_stream_messages_total",
    "birdgate_stream_reconnects_total",
    "birdgate_transform_errors_total",
    "birdgate_config_reloads_total",
};

constexpr UpstreamErrorKind ERROR_KINDS[] = {UpstreamErrorKind::Connect, UpstreamErrorKind::Timeout,
                                             UpstreamErrorKind::Tls, UpstreamErrorKind::Broken};

void appendNumber(std::string& out, std::uint64_t n)
{
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof buf, n);
    out.append(buf, r.ptr);
}

/// A float as Prometheus reads it: shortest round-trip text without an
/// exponent (le="0.0005", not "5e-04"), +Inf/-Inf/NaN.
void appendFloat(std::string& out, double value)
{
    if (std::isnan(value))
    {
        out += "NaN";
        return;
    }
    if (std::isinf(value))
    {
        out += value > 0 ? "+Inf" : "-Inf";
        return;
    }
    char buf[400]; // fixed notation of the largest double
    auto r = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::fixed);
    out.append(buf, r.ptr);
}

/// Writes one family's samples as they come; declare() opens the family.
class Writer
{
  public:
    explicit Writer(std::string& out) : _out(out) {}

    void declare(const char* name, const char* type, const char* help)
    {
        _out += "# HELP ";
        _out += name;
        _out.push_back(' ');
        _out += help; // fixed text: no backslash, no newline
        _out += "\n# TYPE ";
        _out += name;
        _out.push_back(' ');
        _out += type;
        _out.push_back('\n');
    }

    /// name{l1="v1",l2="v2"} value
    void sample(std::string_view name, std::initializer_list<std::pair<const char*, std::string_view>> labels,
                std::uint64_t value)
    {
        head(name, labels);
        appendNumber(_out, value);
        _out.push_back('\n');
    }
    void sampleFloat(std::string_view name, std::initializer_list<std::pair<const char*, std::string_view>> labels,
                     double value)
    {
        head(name, labels);
        appendFloat(_out, value);
        _out.push_back('\n');
    }

  private:
    void head(std::string_view name, std::initializer_list<std::pair<const char*, std::string_view>> labels)
    {
        _out += name;
        if (labels.size() != 0)
        {
            _out.push_back('{');
            bool first = true;
            for (const auto& [label, value] : labels)
            {
                if (!first) _out.push_back(',');
                first = false;
                _out += label;
                _out += "=\"";
                _out += Metrics::escapeLabel(value);
                _out.push_back('"');
            }
            _out.push_back('}');
        }
        _out.push_back(' ');
    }

    std::string& _out;
};

std::string statusText(int status)
{
    std::string s;
    appendNumber(s, static_cast<std::uint64_t>(status));
    return s;
}
} // namespace

// ------------------------------------------------------------- errors

UpstreamErrorKind upstreamErrorKind(const std::exception& error)
{
    if (dynamic_cast<const UpstreamTimeout*>(&error)) return UpstreamErrorKind::Timeout;
    if (dynamic_cast<const UpstreamTlsError*>(&error)) return UpstreamErrorKind::Tls;
    if (dynamic_cast<const UpstreamConnectError*>(&error)) return UpstreamErrorKind::Connect;
    return UpstreamErrorKind::Broken;
}

const char* upstreamErrorKindName(UpstreamErrorKind kind)
{
    switch (kind)
    {
    case UpstreamErrorKind::Connect:
        return "connect";
    case UpstreamErrorKind::Timeout:
        return "timeout";
    case UpstreamErrorKind::Tls:
        return "tls";
    case UpstreamErrorKind::Broken:
        return "broken";
    }
    return "broken";
}

// ---------------------------------------------------------- histogram

void DurationHistogram::observe(std::chrono::nanoseconds duration)
{
    // Bounds as integer nanoseconds, computed once: the request path
    // compares integers.
    static const std::array<std::int64_t, BOUNDS.size()> nanos = [] {
        std::array<std::int64_t, BOUNDS.size()> n{};
        for (std::size_t i = 0; i < BOUNDS.size(); ++i) n[i] = std::llround(BOUNDS[i] * 1e9);
        return n;
    }();
    const std::int64_t ns = std::max<std::int64_t>(0, duration.count());
    std::size_t i = 0;
    while (i < nanos.size() && ns > nanos[i]) ++i; // le: a value equal to a bound is in its bucket
    _buckets[i].fetch_add(1, std::memory_order_relaxed);
    _sumNanos.fetch_add(static_cast<std::uint64_t>(ns), std::memory_order_relaxed);
}

DurationHistogram::Snapshot DurationHistogram::snapshot() const
{
    Snapshot s;
    for (std::size_t i = 0; i < _buckets.size(); ++i) s.buckets[i] = _buckets[i].load(std::memory_order_relaxed);
    // The count is the buckets' total, so _count always equals the +Inf
    // bucket (a separate counter could be a request apart from them).
    for (auto b : s.buckets) s.count += b;
    s.sumSeconds = static_cast<double>(_sumNanos.load(std::memory_order_relaxed)) / 1e9;
    return s;
}

// --------------------------------------------------------- UrlMetrics

UrlMetrics::UrlMetrics(std::string name, std::vector<std::string> transforms)
    : _name(std::move(name)), _transformNames(std::move(transforms))
{
    _transformNames.push_back("-");
    _transformErrors = std::make_unique<std::atomic<std::uint64_t>[]>(_transformNames.size());
    for (std::size_t i = 0; i < _transformNames.size(); ++i) _transformErrors[i].store(0);
}

void UrlMetrics::transformError(std::string_view transform)
{
    std::size_t i = 0;
    while (i + 1 < _transformNames.size() && _transformNames[i] != transform) ++i;
    _transformErrors[i].fetch_add(1, std::memory_order_relaxed);
}

std::vector<std::pair<std::string, std::uint64_t>> UrlMetrics::transformErrors() const
{
    std::vector<std::pair<std::string, std::uint64_t>> out;
    for (std::size_t i = 0; i < _transformNames.size(); ++i)
        out.emplace_back(_transformNames[i], _transformErrors[i].load(std::memory_order_relaxed));
    return out;
}

// ------------------------------------------------------------ Metrics

Metrics::Metrics(const std::vector<UrlSpec>& urls, std::string version)
    : _version(std::move(version)), _unrouted(std::make_unique<UrlMetrics>("-", std::vector<std::string>{}))
{
    for (const auto& spec : urls) _urls.emplace_back(spec.name, spec.transforms);
}

UrlMetrics* Metrics::url(std::string_view name)
{
    for (auto& u : _urls)
        if (u.name() == name) return &u;
    return nullptr;
}

std::vector<std::string> Metrics::familyNames()
{
    return {std::begin(FAMILY_NAMES), std::end(FAMILY_NAMES)};
}

std::string Metrics::escapeLabel(std::string_view value)
{
    std::string out;
    out.reserve(value.size());
    for (char c : value)
    {
        if (c == '\\')
            out += "\\\\";
        else if (c == '"')
            out += "\\\"";
        else if (c == '\n')
            out += "\\n";
        else
            out.push_back(c);
    }
    return out;
}

std::string Metrics::render(const Sample& sample) const
{
    std::string out;
    out.reserve(4096 + 2048 * (_urls.size() + 1));
    Writer w(out);
    // Every url entry, then url="-".
    std::vector<const UrlMetrics*> urls;
    for (const auto& u : _urls) urls.push_back(&u);
    urls.push_back(_unrouted.get());

    w.declare("birdgate_build_info", "gauge", "Always 1; the version label says which birdgate runs.");
    w.sample("birdgate_build_info", {{"version", _version}}, 1);

    w.declare("birdgate_requests_total", "counter", "Requests answered, by url entry and status code.");
    for (const UrlMetrics* u : urls)
        for (int code = 0; code <= UrlMetrics::MAX_STATUS; ++code)
            if (std::uint64_t n = u->requests(code); n && (code == 0 || code >= 100))
                w.sample("birdgate_requests_total", {{"url", u->name()}, {"code", statusText(code)}}, n);

    w.declare("birdgate_request_duration_seconds", "histogram",
              "Time from a request's first byte to the end of its answer, by url entry.");
    for (const UrlMetrics* u : urls)
    {
        const DurationHistogram::Snapshot h = u->duration();
        std::uint64_t cumulative = 0;
        for (std::size_t i = 0; i < DurationHistogram::BOUNDS.size(); ++i)
        {
            cumulative += h.buckets[i];
            std::string le;
            appendFloat(le, DurationHistogram::BOUNDS[i]);
            w.sample("birdgate_request_duration_seconds_bucket", {{"url", u->name()}, {"le", le}}, cumulative);
        }
        cumulative += h.buckets.back();
        w.sample("birdgate_request_duration_seconds_bucket", {{"url", u->name()}, {"le", "+Inf"}}, cumulative);
        w.sampleFloat("birdgate_request_duration_seconds_sum", {{"url", u->name()}}, h.sumSeconds);
        w.sample("birdgate_request_duration_seconds_count", {{"url", u->name()}}, cumulative);
    }

    w.declare("birdgate_upstream_requests_total", "counter",
              "Answers received from the upstream (X or the sandbox), by url entry and status code.");
    for (const UrlMetrics* u : urls)
        for (int code = 0; code <= UrlMetrics::MAX_STATUS; ++code)
            if (std::uint64_t n = u->upstreamAnswers(code); n && (code == 0 || code >= 100))
                w.sample("birdgate_upstream_requests_total", {{"url", u->name()}, {"code", statusText(code)}}, n);

    w.declare("birdgate_upstream_errors_total", "counter",
              "Upstream requests that got no answer, by url entry and kind (connect, timeout, tls, broken).");
    for (const UrlMetrics* u : urls)
        for (UpstreamErrorKind kind : ERROR_KINDS)
            w.sample("birdgate_upstream_errors_total", {{"url", u->name()}, {"kind", upstreamErrorKindName(kind)}},
                     u->upstreamErrors(kind));

    w.declare("birdgate_cache_requests_total", "counter",
              "Answers looked up in the response cache, by url entry and result (hit, miss).");
    for (const UrlMetrics* u : urls)
    {
        w.sample("birdgate_cache_requests_total", {{"url", u->name()}, {"result", "hit"}}, u->cacheHits());
        w.sample("birdgate_cache_requests_total", {{"url", u->name()}, {"result", "miss"}}, u->cacheMisses());
    }

    w.declare("birdgate_cache_bytes", "gauge", "Bytes the in-process response cache holds.");
    w.sample("birdgate_cache_bytes", {}, sample.cacheBytes);

    w.declare("birdgate_connections", "gauge", "Open client connections on the public listener.");
    w.sample("birdgate_connections", {}, sample.connections);

    w.declare("birdgate_stream_connected", "gauge", "1 while the stream reads from its connection, else 0.");
    for (const auto& s : sample.streams) w.sample("birdgate_stream_connected", {{"stream", s.name}}, s.connected);

    w.declare("birdgate_stream_messages_total", "counter", "Messages a stream received, by schedule entry and kind.");
    for (const auto& s : sample.streams)
        for (const auto& [kind, n] : s.messages)
            w.sample("birdgate_stream_messages_total", {{"stream", s.name}, {"kind", kind}}, n);

    w.declare("birdgate_stream_reconnects_total", "counter", "Times a stream connected again after losing it.");
    for (const auto& s : sample.streams)
        w.sample("birdgate_stream_reconnects_total", {{"stream", s.name}}, s.reconnects);

    w.declare("birdgate_transform_errors_total", "counter", "Transforms that failed, by url entry and transform.");
    for (const UrlMetrics* u : urls)
        for (const auto& [transform, n] : u->transformErrors())
            if (transform != "-" || n)
                w.sample("birdgate_transform_errors_total", {{"url", u->name()}, {"transform", transform}}, n);

    w.declare("birdgate_config_reloads_total", "counter", "Configuration reloads (SIGHUP), by result (ok, error).");
    w.sample("birdgate_config_reloads_total", {{"result", "ok"}}, _reloadsOk.load(std::memory_order_relaxed));
    w.sample("birdgate_config_reloads_total", {{"result", "error"}}, _reloadsError.load(std::memory_order_relaxed));
    return out;
}

} // namespace birdgate
