// The /metrics registry and its Prometheus text exposition (format 0.0.4):
// exact sample lines, every family declared before any request, label
// escaping, cumulative histogram buckets with +Inf, _sum and _count, the
// fixed url="-" label, upstream error kinds, and counts that stay exact when
// many threads bump them at once.
#include "TestSupport.h"

#include "birdgate/ops/Metrics.h"
#include "birdgate/twitter/UpstreamPool.h"

#include <regex>
#include <set>
#include <sstream>
#include <thread>

using namespace birdgate;
using namespace std::chrono_literals;
using Specs = std::vector<Metrics::UrlSpec>;

namespace
{
bool contains(const std::string& text, const std::string& part)
{
    return text.find(part) != std::string::npos;
}

std::vector<std::string> lines(const std::string& text)
{
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}

/// The family a sample line belongs to (histogram suffixes removed).
std::string familyOf(const std::string& sampleName, const std::set<std::string>& histograms)
{
    for (const char* suffix : {"_bucket", "_sum", "_count"})
    {
        const std::string s(suffix);
        if (sampleName.size() > s.size() && sampleName.ends_with(s))
        {
            std::string base = sampleName.substr(0, sampleName.size() - s.size());
            if (histograms.count(base)) return base;
        }
    }
    return sampleName;
}
} // namespace

class MetricsTest : public CppUnit::TestFixture
{
    CPPUNIT_TEST_SUITE(MetricsTest);
    CPPUNIT_TEST(testEveryFamilyDeclaredFromStart);
    CPPUNIT_TEST(testWellFormedLines);
    CPPUNIT_TEST(testRequestsExact);
    CPPUNIT_TEST(testHistogramCumulative);
    CPPUNIT_TEST(testHistogramBoundIsInclusive);
    CPPUNIT_TEST(testLabelEscaping);
    CPPUNIT_TEST(testUnroutedAndOddStatus);
    CPPUNIT_TEST(testUpstreamAndCache);
    CPPUNIT_TEST(testUpstreamErrorKinds);
    CPPUNIT_TEST(testTransformErrors);
    CPPUNIT_TEST(testSampleGaugesAndStreams);
    CPPUNIT_TEST(testConfigReloads);
    CPPUNIT_TEST(testConcurrentCounts);
    CPPUNIT_TEST_SUITE_END();

  public:
    void testEveryFamilyDeclaredFromStart()
    {
        Metrics metrics(Specs{{"twitter", {}}, {"x", {"sentiment"}}}, "1.2.3");
        const std::string text = metrics.render({});
        const std::vector<std::string> families = Metrics::familyNames();
        CPPUNIT_ASSERT_EQUAL(std::size_t(13), families.size());
        std::size_t last = 0;
        for (const auto& name : families)
        {
            const std::size_t help = text.find("# HELP " + name + " ");
            const std::size_t type = text.find("# TYPE " + name + " ");
            CPPUNIT_ASSERT_MESSAGE(name, help != std::string::npos && type != std::string::npos);
            CPPUNIT_ASSERT_MESSAGE(name, help < type && help >= last); // in order, HELP then TYPE
            last = type;
        }
        CPPUNIT_ASSERT(contains(text, "# TYPE birdgate_requests_total counter\n"));
        CPPUNIT_ASSERT(contains(text, "# TYPE birdgate_request_duration_seconds histogram\n"));
        CPPUNIT_ASSERT(contains(text, "# TYPE birdgate_connections gauge\n"));
        CPPUNIT_ASSERT(contains(text, "# TYPE birdgate_cache_bytes gauge\n"));
        CPPUNIT_ASSERT(contains(text, "# TYPE birdgate_stream_connected gauge\n"));
        CPPUNIT_ASSERT(contains(text, "\nbirdgate_build_info{version=\"1.2.3\"} 1\n"));
        // No request yet: no requests_total sample, zero-valued fixed series.
        CPPUNIT_ASSERT(!contains(text, "\nbirdgate_requests_total{"));
        CPPUNIT_ASSERT(contains(text, "\nbirdgate_upstream_errors_total{url=\"twitter\",kind=\"connect\"} 0\n"));
        CPPUNIT_ASSERT(contains(text, "\nbirdgate_cache_requests_total{url=\"x\",result=\"miss\"} 0\n"));
        CPPUNIT_ASSERT(contains(text, "\nbirdgate_transform_errors_total{url=\"x\",transform=\"sentiment\"} 0\n"));
        CPPUNIT_ASSERT(contains(text, "\nbirdgate_config_reloads_total{result=\"error\"} 0\n"));
        CPPUNIT_ASSERT(text.ends_with("\n"));
    }

    void testWellFormedLines()
    {
        Metrics metrics(Specs{{"a", {"t1"}}, {"b\"q", {}}}, "v");
        metrics.url("a")->request(200, 1ms);
        metrics.url("a")->upstream(503);
        metrics.unrouted().request(404, 2ms);
        Metrics::Sample sample;
        sample.streams.push_back({"s", true, {{"tweet", 3}}, 1});
        const std::string text = metrics.render(sample);
        // name{label="value",...} number -- values escaped, numbers plain.
        const std::regex sampleLine(
            R"(^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\[\\"n])*"(,[a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\[\\"n])*")*\})? (-?[0-9.e+-]+|\+Inf|NaN)$)");
        const std::regex commentLine(R"(^# (HELP [a-z_]+ [^\n]+|TYPE [a-z_]+ (counter|gauge|histogram))$)");
        std::set<std::string> declared, histograms;
        std::string current;
        for (const std::string& line : lines(text))
        {
            std::smatch m;
            if (line.starts_with("#"))
            {
                CPPUNIT_ASSERT_MESSAGE(line, std::regex_match(line, commentLine));
                if (line.starts_with("# TYPE "))
                {
                    std::string rest = line.substr(7);
                    current = rest.substr(0, rest.find(' '));
                    CPPUNIT_ASSERT_MESSAGE("declared twice: " + current, declared.insert(current).second);
                    if (rest.ends_with(" histogram")) histograms.insert(current);
                }
                continue;
            }
            CPPUNIT_ASSERT_MESSAGE(line, std::regex_match(line, m, sampleLine));
            // Each sample follows its own family's declaration.
            CPPUNIT_ASSERT_EQUAL_MESSAGE(line, current, familyOf(m[1].str(), histograms));
        }
        CPPUNIT_ASSERT_EQUAL(std::size_t(13), declared.size());
    }

    void testRequestsExact()
    {
        Metrics metrics(Specs{{"twitter", {}}, {"other", {}}});
        UrlMetrics* twitter = metrics.url("twitter");
        CPPUNIT_ASSERT(twitter != nullptr);
        CPPUNIT_ASSERT(metrics.url("nope") == nullptr);
        twitter->request(200, 1ms);
        twitter->request(200, 1ms);
        twitter->request(404, 1ms);
        const std::string text = metrics.render({});
        CPPUNIT_ASSERT(contains(text, "\nbirdgate_requests_total{url=\"twitter\",code=\"200\"} 2\n"));
        CPPUNIT_ASSERT(contains(text, "\nbirdgate_requests_total{url=\"twitter\",code=\"404\"} 1\n"));
        CPPUNIT_ASSERT(!contains(text, "birdgate_requests_total{url=\"other\""));
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(2), twitter->requests(200));
        // Codes in ascending order, url entries in config order.
        CPPUNIT_ASSERT(text.find("code=\"200\"} 2") < text.find("code=\"404\"} 1"));
    }

    void testHistogramCumulative()
    {
        Metrics metrics(Specs{{"u", {}}});
        UrlMetrics& u = *metrics.url("u");
        u.request(200, 3ms);  // le 0.005
        u.request(200, 40ms); // le 0.05
        u.request(200, 20s);  // above every bound: +Inf only
        const std::string text = metrics.render({});
        const std::string b = "\nbirdgate_request_duration_seconds_bucket{url=\"u\",le=\"";
        CPPUNIT_ASSERT(contains(text, b + "0.0005\"} 0\n"));
        CPPUNIT_ASSERT(contains(text, b + "0.0025\"} 0\n"));
        CPPUNIT_ASSERT(contains(text, b + "0.005\"} 1\n"));
        CPPUNIT_ASSERT(contains(text, b + "0.025\"} 1\n"));
        CPPUNIT_ASSERT(contains(text, b + "0.05\"} 2\n"));
        CPPUNIT_ASSERT(contains(text, b + "1\"} 2\n"));
        CPPUNIT_ASSERT(contains(text, b + "10\"} 2\n"));
        CPPUNIT_ASSERT(contains(text, b + "+Inf\"} 3\n"));
        CPPUNIT_ASSERT(contains(text, "\nbirdgate_request_duration_seconds_sum{url=\"u\"} 20.043\n"));
        CPPUNIT_ASSERT(contains(text, "\nbirdgate_request_duration_seconds_count{url=\"u\"} 3\n"));
        // Buckets ascend, +Inf after the last bound, then _sum, then _count.
        const std::size_t inf = text.find(b + "+Inf");
        CPPUNIT_ASSERT(text.find(b + "10\"") < inf);
        CPPUNIT_ASSERT(inf < text.find("birdgate_request_duration_seconds_sum{url=\"u\"}"));
        CPPUNIT_ASSERT(text.find("_sum{url=\"u\"}") < text.find("_count{url=\"u\"}"));
        // url="-" has its zero histogram too.
        CPPUNIT_ASSERT(contains(text, "\nbirdgate_request_duration_seconds_bucket{url=\"-\",le=\"+Inf\"} 0\n"));
        CPPUNIT_ASSERT(contains(text, "\nbirdgate_request_duration_seconds_sum{url=\"-\"} 0\n"));
    }

    void testHistogramBoundIsInclusive()
    {
        DurationHistogram h;
        h.observe(5ms);                          // exactly le="0.005"
        h.observe(5ms + 1ns);                    // just above: le="0.01"
        h.observe(std::chrono::nanoseconds(-5)); // a clock going back counts as 0
        DurationHistogram::Snapshot s = h.snapshot();
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(1), s.buckets[0]); // the negative one
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(1), s.buckets[3]); // 0.005
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(1), s.buckets[4]); // 0.01
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(3), s.count);
    }

    void testLabelEscaping()
    {
        CPPUNIT_ASSERT_EQUAL(std::string("a\\\\b\\\"c\\nd"), Metrics::escapeLabel("a\\b\"c\nd"));
        CPPUNIT_ASSERT_EQUAL(std::string("plain-name_1"), Metrics::escapeLabel("plain-name_1"));
        Metrics metrics(Specs{{"we\"ird\\url\nname", {"t\"x"}}});
        metrics.url("we\"ird\\url\nname")->request(200, 1ms);
        metrics.url("we\"ird\\url\nname")->transformError("t\"x");
        const std::string text = metrics.render({});
        CPPUNIT_ASSERT(contains(text, "birdgate_requests_total{url=\"we\\\"ird\\\\url\\nname\",code=\"200\"} 1\n"));
        CPPUNIT_ASSERT(contains(
            text, "birdgate_transform_errors_total{url=\"we\\\"ird\\\\url\\nname\",transform=\"t\\\"x\"} 1\n"));
        // The raw newline never reaches the text: every line is whole.
        for (const std::string& line : lines(text)) CPPUNIT_ASSERT_MESSAGE(line, !line.starts_with("name"));
    }

    void testUnroutedAndOddStatus()
    {
        Metrics metrics(Specs{{"u", {}}});
        metrics.unrouted().request(404, 1ms);
        metrics.unrouted().request(404, 1ms);
        metrics.url("u")->request(42, 1ms);   // not an HTTP status: code="0"
        metrics.url("u")->request(1000, 1ms); // nor this
        const std::string text = metrics.render({});
        CPPUNIT_ASSERT(contains(text, "\nbirdgate_requests_total{url=\"-\",code=\"404\"} 2\n"));
        CPPUNIT_ASSERT(contains(text, "\nbirdgate_requests_total{url=\"u\",code=\"0\"} 2\n"));
        CPPUNIT_ASSERT_EQUAL(std::string("-"), metrics.unrouted().name());
    }

    void testUpstreamAndCache()
    {
        Metrics metrics(Specs{{"u", {}}});
        UrlMetrics& u = *metrics.url("u");
        u.upstream(200);
        u.upstream(200);
        u.upstream(429);
        u.cache(true);
        u.cache(false);
        u.cache(false);
        u.upstreamError(UpstreamErrorKind::Connect);
        u.upstreamError(UpstreamErrorKind::Timeout);
        u.upstreamError(UpstreamErrorKind::Timeout);
        const std::string text = metrics.render({});
        CPPUNIT_ASSERT(contains(text, "\nbirdgate_upstream_requests_total{url=\"u\",code=\"200\"} 2\n"));
        CPPUNIT_ASSERT(contains(text, "\nbirdgate_upstream_requests_total{url=\"u\",code=\"429\"} 1\n"));
        CPPUNIT_ASSERT(contains(text, "\nbirdgate_cache_requests_total{url=\"u\",result=\"hit\"} 1\n"));
        CPPUNIT_ASSERT(contains(text, "\nbirdgate_cache_requests_total{url=\"u\",result=\"miss\"} 2\n"));
        CPPUNIT_ASSERT(contains(text, "\nbirdgate_upstream_errors_total{url=\"u\",kind=\"connect\"} 1\n"));
        CPPUNIT_ASSERT(contains(text, "\nbirdgate_upstream_errors_total{url=\"u\",kind=\"timeout\"} 2\n"));
        CPPUNIT_ASSERT(contains(text, "\nbirdgate_upstream_errors_total{url=\"u\",kind=\"tls\"} 0\n"));
        CPPUNIT_ASSERT(contains(text, "\nbirdgate_upstream_errors_total{url=\"u\",kind=\"broken\"} 0\n"));
    }

    void testUpstreamErrorKinds()
    {
        CPPUNIT_ASSERT(upstreamErrorKind(UpstreamTimeout("t")) == UpstreamErrorKind::Timeout);
        CPPUNIT_ASSERT(upstreamErrorKind(UpstreamTlsError("t")) == UpstreamErrorKind::Tls);
        CPPUNIT_ASSERT(upstreamErrorKind(UpstreamConnectError("t")) == UpstreamErrorKind::Connect);
        CPPUNIT_ASSERT(upstreamErrorKind(UpstreamUnreachable("t")) == UpstreamErrorKind::Broken);
        CPPUNIT_ASSERT(upstreamErrorKind(UpstreamTooLarge("t")) == UpstreamErrorKind::Broken);
        CPPUNIT_ASSERT(upstreamErrorKind(std::runtime_error("t")) == UpstreamErrorKind::Broken);
        CPPUNIT_ASSERT_EQUAL(std::string("tls"), std::string(upstreamErrorKindName(UpstreamErrorKind::Tls)));
    }

    void testTransformErrors()
    {
        Metrics metrics(Specs{{"u", {"first", "second"}}});
        UrlMetrics& u = *metrics.url("u");
        u.transformError("second");
        u.transformError("second");
        u.transformError("not-in-config"); // never its name: "-"
        const std::string text = metrics.render({});
        CPPUNIT_ASSERT(contains(text, "\nbirdgate_transform_errors_total{url=\"u\",transform=\"first\"} 0\n"));
        CPPUNIT_ASSERT(contains(text, "\nbirdgate_transform_errors_total{url=\"u\",transform=\"second\"} 2\n"));
        CPPUNIT_ASSERT(contains(text, "\nbirdgate_transform_errors_total{url=\"u\",transform=\"-\"} 1\n"));
        CPPUNIT_ASSERT(!contains(text, "not-in-config"));
    }

    void testSampleGaugesAndStreams()
    {
        Metrics metrics(Specs{});
        Metrics::Sample sample;
        sample.connections = 7;
        sample.cacheBytes = 4096;
        sample.streams.push_back({"beer", true, {{"tweet", 12}, {"keepalive", 3}}, 2});
        sample.streams.push_back({"dead", false, {{"tweet", 0}}, 9});
        const std::string text = metrics.render(sample);
        CPPUNIT_ASSERT(contains(text, "\nbirdgate_connections 7\n"));
        CPPUNIT_ASSERT(contains(text, "\nbirdgate_cache_bytes 4096\n"));
        CPPUNIT_ASSERT(contains(text, "\nbirdgate_stream_connected{stream=\"beer\"} 1\n"));
        CPPUNIT_ASSERT(contains(text, "\nbirdgate_stream_connected{stream=\"dead\"} 0\n"));
        CPPUNIT_ASSERT(contains(text, "\nbirdgate_stream_messages_total{stream=\"beer\",kind=\"tweet\"} 12\n"));
        CPPUNIT_ASSERT(contains(text, "\nbirdgate_stream_messages_total{stream=\"beer\",kind=\"keepalive\"} 3\n"));
        CPPUNIT_ASSERT(contains(text, "\nbirdgate_stream_reconnects_total{stream=\"dead\"} 9\n"));
    }

    void testConfigReloads()
    {
        Metrics metrics(Specs{});
        metrics.configReload(true);
        metrics.configReload(false);
        metrics.configReload(false);
        const std::string text = metrics.render({});
        CPPUNIT_ASSERT(contains(text, "\nbirdgate_config_reloads_total{result=\"ok\"} 1\n"));
        CPPUNIT_ASSERT(contains(text, "\nbirdgate_config_reloads_total{result=\"error\"} 2\n"));
    }

    void testConcurrentCounts()
    {
        Metrics metrics(Specs{{"u", {}}});
        UrlMetrics* u = metrics.url("u");
        constexpr int THREADS = 4, EACH = 50000;
        std::vector<std::thread> threads;
        for (int t = 0; t < THREADS; ++t)
            threads.emplace_back([u] {
                for (int i = 0; i < EACH; ++i)
                {
                    u->request(200, std::chrono::microseconds(i % 3000));
                    u->cache(i % 2 == 0);
                }
            });
        for (auto& t : threads) t.join();
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(THREADS * EACH), u->requests(200));
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(THREADS * EACH), u->duration().count);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(THREADS * EACH / 2), u->cacheHits());
        CPPUNIT_ASSERT(contains(metrics.render({}), "birdgate_request_duration_seconds_count{url=\"u\"} 200000\n"));
    }
};

BIRDGATE_TEST_SUITE(MetricsTest);
