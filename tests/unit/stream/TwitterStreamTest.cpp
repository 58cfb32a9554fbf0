// TwitterStream against a scripted streaming server in this process: each
// connection the stream opens runs one script that writes exact bytes (HTTP
// chunks split mid-message, keep-alives, control messages, a status, a
// silence, a dropped connection), so the tests can assert what reached the
// sink, every counter and every backoff wait (FakeClock: the waits are
// recorded, not slept). Also the kwargs rules (Twitter's limits, the sink
// config) and follow-name resolution through users/lookup.
#include "TestSupport.h"

#include "birdgate/common/Clock.h"
#include "birdgate/config/Config.h"
#include "birdgate/stream/TwitterStream.h"
#include "birdgate/twitter/OAuth1.h"
#include "stream/StreamSinkWriter.h"
#include "stream/XRulesApi.h"

#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

using namespace birdgate;
using std::chrono::milliseconds;

namespace
{

// ---- a scripted server ------------------------------------------------------

struct Received
{
    std::string head; // request line and headers
    std::string body;
};

class ScriptedServer
{
  public:
    /// Runs `script(socket, index)` for the index-th connection (0-based).
    using Script = std::function<void(ScriptedServer& server, Poco::Net::StreamSocket& socket, int index)>;

    explicit ScriptedServer(Script script)
        : _script(std::move(script)), _listen(Poco::Net::SocketAddress("127.0.0.1", 0))
    {
        _thread = std::thread([this] { acceptLoop(); });
    }

    ~ScriptedServer()
    {
        _stop = true;
        _thread.join();
        for (auto& t : _connections) t.join();
    }

    int port() const { return _listen.address().port(); }
    std::string url(const std::string& path = "/1.1/statuses/filter.json") const
    {
        return "http://127.0.0.1:" + std::to_string(port()) + path;
    }

    std::vector<Received> requests()
    {
        std::lock_guard lock(_mutex);
        return _requests;
    }
    int connections() { return static_cast<int>(requests().size()); }
    bool stopping() const { return _stop; }

    // Helpers for scripts.
    static void send(Poco::Net::StreamSocket& s, const std::string& bytes)
    {
        s.sendBytes(bytes.data(), static_cast<int>(bytes.size()));
    }
    static void ok(Poco::Net::StreamSocket& s)
    {
        send(s, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n");
    }
    static void chunk(Poco::Net::StreamSocket& s, const std::string& bytes)
    {
        char size[20];
        std::snprintf(size, sizeof size, "%zx\r\n", bytes.size());
        send(s, size + bytes + "\r\n");
    }
    static void status(Poco::Net::StreamSocket& s, int code, const std::string& reason, const std::string& body = "")
    {
        send(s, "HTTP/1.1 " + std::to_string(code) + " " + reason + "\r\nContent-Type: application/json\r\n" +
                    "Content-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body);
    }
    /// Keeps the connection open and silent until the client closes it or the server stops.
    void holdOpen(Poco::Net::StreamSocket& s)
    {
        char c;
        while (!_stop)
        {
            if (s.poll(Poco::Timespan(0, 20000), Poco::Net::Socket::SELECT_READ))
            {
                try
                {
                    if (s.receiveBytes(&c, 1) <= 0) return;
                }
                catch (...)
                {
                    return;
                }
            }
        }
    }

  private:
    void acceptLoop()
    {
        int index = 0;
        while (!_stop)
        {
            if (!_listen.poll(Poco::Timespan(0, 20000), Poco::Net::Socket::SELECT_READ)) continue;
            Poco::Net::StreamSocket s = _listen.acceptConnection();
            Received r = readRequest(s);
            {
                std::lock_guard lock(_mutex);
                _requests.push_back(r);
            }
            int i = index++;
            _connections.emplace_back([this, s, i]() mutable {
                try
                {
                    _script(*this, s, i);
                }
                catch (...)
                {
                }
                try
                {
                    s.shutdown();
                    s.close();
                }
                catch (...)
                {
                }
            });
        }
    }

    static Received readRequest(Poco::Net::StreamSocket& s)
    {
        Received r;
        std::string data;
        char buf[4096];
        s.setReceiveTimeout(Poco::Timespan(5, 0));
        while (data.find("\r\n\r\n") == std::string::npos)
        {
            int n = s.receiveBytes(buf, sizeof buf);
            if (n <= 0) return r;
            data.append(buf, static_cast<std::size_t>(n));
        }
        std::size_t end = data.find("\r\n\r\n");
        r.head = data.substr(0, end);
        r.body = data.substr(end + 4);
        std::size_t length = 0;
        std::string lower = r.head;
        for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        std::size_t at = lower.find("content-length:");
        if (at != std::string::npos) length = std::stoul(lower.substr(at + 15));
        while (r.body.size() < length)
        {
            int n = s.receiveBytes(buf, sizeof buf);
            if (n <= 0) break;
            r.body.append(buf, static_cast<std::size_t>(n));
        }
        return r;
    }

    Script _script;
    Poco::Net::ServerSocket _listen;
    std::atomic<bool> _stop{false};
    std::thread _thread;
    std::vector<std::thread> _connections;
    std::mutex _mutex;
    std::vector<Received> _requests;
};

// ---- a sink in memory -------------------------------------------------------

struct MemorySink
{
    std::mutex mutex;
    std::vector<std::string> lines;
    int retriesLeft = 0; // answer RETRY this many times before accepting
    bool refuseAll = false;
    int flushes = 0;
    int syncs = 0;

    static std::unique_ptr<StreamSinkWriter> writer(const std::shared_ptr<MemorySink>& sink)
    {
        return std::make_unique<StreamSinkWriter>(
            "test.memory",
            [sink](std::string_view m) {
                std::lock_guard lock(sink->mutex);
                if (sink->refuseAll) return SinkResult{PluginStatus::Error, "refused"};
                if (sink->retriesLeft > 0)
                {
                    --sink->retriesLeft;
                    return SinkResult{PluginStatus::Retry, "disk full"};
                }
                sink->lines.emplace_back(m);
                return SinkResult{};
            },
            [sink](bool sync) {
                std::lock_guard lock(sink->mutex);
                ++sink->flushes;
                if (sync) ++sink->syncs;
                return SinkResult{};
            },
            sink);
    }
    std::vector<std::string> snapshot()
    {
        std::lock_guard lock(mutex);
        return lines;
    }
};

bool waitFor(const std::function<bool()>& condition, milliseconds limit = milliseconds(10000))
{
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline)
    {
        if (condition()) return true;
        std::this_thread::sleep_for(milliseconds(5));
    }
    return condition();
}

TwitterStream::Settings settingsFor(const ScriptedServer& server)
{
    TwitterStream::Settings s;
    s.name = "test";
    s.file = "test.yaml";
    s.line = 1;
    s.streamUrl = server.url();
    s.apiRoot = "http://127.0.0.1:" + std::to_string(server.port());
    s.api = TwitterStream::Settings::Api::V1;
    s.credentials = {"ck", "cs", "at", "as", oauth1::SignatureMethod::HmacSha1};
    s.track = {"beer", "wine"};
    s.stallTimeout = milliseconds(5000);
    s.connectTimeout = milliseconds(2000);
    s.sinkRetryWait = milliseconds(1);
    return s;
}

const std::string T1 = R"({"id":1,"id_str":"1","text":"first beer"})";
const std::string T2 = R"({"id":2,"id_str":"2","text":"second wine"})";
const std::string T3 = R"({"id":3,"id_str":"3","text":"third beer"})";
const std::string T4 = R"({"id":4,"id_str":"4","text":"fourth wine \u00e9"})";

std::vector<long> sleepsOf(const FakeClock& clock)
{
    std::vector<long> out;
    for (auto d : clock.sleeps()) out.push_back(static_cast<long>(d.count()));
    return out;
}

Config configOf(const std::string& kwargs)
{
    return Config::loadString("schedule:\n  s:\n    function: TwitterStream\n    startup: true\n    thread: true\n"
                              "    kwargs:\n" +
                                  kwargs,
                              "/etc/bg/test.yaml");
}

std::string manyItems(const std::string& prefix, int n)
{
    std::string out;
    for (int i = 0; i < n; ++i) out += (i ? "," : "") + prefix + std::to_string(i + 1);
    return out;
}

// `api: 1.1`: these configs test the v1.1 client (api: 2 is the default).
const std::string CREDS =
    "      api: 1.1\n      key: k\n      secret: s\n      access_key: a\n      access_secret: b\n";
const std::string V2 = "      key: k\n      secret: s\n";

} // namespace

class TwitterStreamTest : public CppUnit::TestFixture
{
    CPPUNIT_TEST_SUITE(TwitterStreamTest);
    CPPUNIT_TEST(testKwargs);
    CPPUNIT_TEST(testKwargLimits);
    CPPUNIT_TEST(testSignedRequest);
    CPPUNIT_TEST(testMessagesCountersAndReconnects);
    CPPUNIT_TEST(testDelimitedLength);
    CPPUNIT_TEST(testRateLimitWaits);
    CPPUNIT_TEST(testFatalStatusStops);
    CPPUNIT_TEST(testStallReconnects);
    CPPUNIT_TEST(testSinkRetryKeepsMessage);
    CPPUNIT_TEST(testSinkErrorDrops);
    CPPUNIT_TEST(testStopInterruptsRead);
    CPPUNIT_TEST(testFollowResolution);
    CPPUNIT_TEST(testFollowUnknownName);
    CPPUNIT_TEST(testV2Kwargs);
    CPPUNIT_TEST(testV2KwargErrors);
    CPPUNIT_TEST(testV2RequestAndMessages);
    CPPUNIT_TEST(testV2ClientForbiddenStops);
    CPPUNIT_TEST(testV2RenewsBearerOnceOn401);
    CPPUNIT_TEST(testV2RateLimitWaits);
    CPPUNIT_TEST(testV2RulesBodies);
    CPPUNIT_TEST_SUITE_END();

  public:
    void testKwargs()
    {
        Config c = configOf(CREDS + "      track: [beer, wine]\n      follow: '@Starbucks, 12345, Microsoft'\n"
                                    "      locations: -122.75,36.8,-121.75,37.8\n      language: [en, fr]\n"
                                    "      stall_warnings: true\n      delimited: length\n"
                                    "      path: tweets.{:%Y-%m-%d}.jsonl\n      flush: 60\n"
                                    "      stall_timeout: 30\n");
        AppConfig app;
        app.streamRoot = "https://stream.example.com/";
        TwitterStream::Settings s = TwitterStream::parse(c.schedules.at(0), app, nullptr);
        CPPUNIT_ASSERT_EQUAL(std::string("https://stream.example.com/1.1/statuses/filter.json"), s.streamUrl);
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), s.followIds.size());
        CPPUNIT_ASSERT_EQUAL(std::string("12345"), s.followIds[0]);
        CPPUNIT_ASSERT_EQUAL(std::size_t(2), s.followNames.size());
        CPPUNIT_ASSERT_EQUAL(std::string("Starbucks"), s.followNames[0]);
        CPPUNIT_ASSERT(s.delimitedLength);
        CPPUNIT_ASSERT_EQUAL(30000L, static_cast<long>(s.stallTimeout.count()));
        oauth1::Params p = s.params();
        auto value = [&](const std::string& k) {
            for (auto& [n, v] : p)
                if (n == k) return v;
            return std::string("<absent>");
        };
        CPPUNIT_ASSERT_EQUAL(std::string("beer,wine"), value("track"));
        CPPUNIT_ASSERT_EQUAL(std::string("12345"), value("follow"));
        CPPUNIT_ASSERT_EQUAL(std::string("-122.75,36.8,-121.75,37.8"), value("locations"));
        CPPUNIT_ASSERT_EQUAL(std::string("en,fr"), value("language"));
        CPPUNIT_ASSERT_EQUAL(std::string("true"), value("stall_warnings"));
        CPPUNIT_ASSERT_EQUAL(std::string("length"), value("delimited"));
        CPPUNIT_ASSERT_EQUAL(std::string("jsonl_sink.write"), s.sinkFunction);
        CPPUNIT_ASSERT_EQUAL(std::string(R"({"path":"tweets.{:%Y-%m-%d}.jsonl","base":"/etc/bg","flush":60})"),
                             s.sinkConfig);

        Config other = configOf(CREDS + "      track: beer\n      sink: memory.sink\n"
                                        "      sink_config: {key: abc, n: 3, on: true, quoted: '5'}\n");
        TwitterStream::Settings o = TwitterStream::parse(other.schedules.at(0), AppConfig(), nullptr);
        CPPUNIT_ASSERT_EQUAL(std::string("memory.sink"), o.sinkFunction);
        CPPUNIT_ASSERT_EQUAL(std::string(R"({"key":"abc","n":3,"on":true,"quoted":"5"})"), o.sinkConfig);
        CPPUNIT_ASSERT_EQUAL(std::string("https://api.x.com/1.1/statuses/filter.json"), o.streamUrl);

        std::vector<std::string> warnings;
        Config unknown = configOf(CREDS + "      track: beer\n      path: t.jsonl\n      colour: red\n");
        TwitterStream::parse(unknown.schedules.at(0), AppConfig(), &warnings);
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), warnings.size());
        CPPUNIT_ASSERT(warnings[0].find("colour") != std::string::npos);
    }

    static std::string errorOf(const std::string& kwargs)
    {
        try
        {
            Config c = configOf(kwargs);
            TwitterStream::parse(c.schedules.at(0), AppConfig(), nullptr);
        }
        catch (const ConfigError& e)
        {
            return e.key() + ": " + e.expected();
        }
        return "";
    }

    void testKwargLimits()
    {
        auto has = [](const std::string& text, const std::string& part) {
            if (text.find(part) == std::string::npos) CPPUNIT_FAIL("'" + part + "' not in '" + text + "'");
        };
        has(errorOf(CREDS + "      path: t.jsonl\n"), "at least one of track, follow or locations");
        has(errorOf(CREDS + "      track: " + manyItems("w", 401) + "\n      path: t.jsonl\n"), "at most 400");
        CPPUNIT_ASSERT_EQUAL(std::string(),
                             errorOf(CREDS + "      track: " + manyItems("w", 400) + "\n      path: t.jsonl\n"));
        has(errorOf(CREDS + "      follow: " + manyItems("", 5001) + "\n      path: t.jsonl\n"), "at most 5000");
        has(errorOf(CREDS + "      follow: [bad name!]\n      path: t.jsonl\n"), "kwargs.follow");
        has(errorOf(CREDS + "      locations: 1,2,3\n      path: t.jsonl\n"), "groups of 4 numbers");
        has(errorOf(CREDS + "      track: beer\n"), "kwargs.path");
        has(errorOf("      api: 1.1\n      key: k\n      secret: s\n      track: beer\n      path: t.jsonl\n"),
            "access_key");
        has(errorOf(CREDS + "      track: beer\n      path: t.jsonl\n      delimited: comma\n"), "delimited");
        has(errorOf(CREDS + "      track: beer\n      path: t.jsonl\n      flush: often\n"), "flush");
        has(errorOf(CREDS + "      track: beer\n      path: t.jsonl\n      filter_level: high\n"), "filter_level");
        has(errorOf(CREDS + "      track: beer\n      sink: nodot\n"), "kwargs.sink");
    }

    void testSignedRequest()
    {
        ScriptedServer server([](ScriptedServer& s, Poco::Net::StreamSocket& socket, int) {
            ScriptedServer::ok(socket);
            s.holdOpen(socket);
        });
        auto sink = std::make_shared<MemorySink>();
        FakeClock clock;
        auto settings = settingsFor(server);
        settings.followIds = {"783214"};
        TwitterStream stream(settings, nullptr, MemorySink::writer(sink), clock);
        stream.start();
        CPPUNIT_ASSERT(waitFor([&] { return stream.counters().snapshot().connections == 1; }));
        stream.stop();
        Received r = server.requests().at(0);
        CPPUNIT_ASSERT(r.head.rfind("POST /1.1/statuses/filter.json HTTP/1.1", 0) == 0);
        CPPUNIT_ASSERT(r.head.find("User-Agent: birdgate/" BIRDGATE_VERSION) != std::string::npos);
        CPPUNIT_ASSERT(r.head.find("application/x-www-form-urlencoded") != std::string::npos);
        CPPUNIT_ASSERT_EQUAL(std::string("track=beer%2Cwine&follow=783214"), r.body);

        // The signature covers the form body: recompute it from the header's own nonce and timestamp.
        std::size_t at = r.head.find("Authorization: ");
        CPPUNIT_ASSERT(at != std::string::npos);
        std::string header = r.head.substr(at + 15, r.head.find("\r\n", at) - at - 15);
        oauth1::Params oauth;
        CPPUNIT_ASSERT(oauth1::parseAuthorizationHeader(header, oauth));
        oauth1::Params params;
        CPPUNIT_ASSERT(oauth1::parseForm(r.body, params));
        std::string signature;
        for (auto& [k, v] : oauth)
        {
            if (k == "oauth_signature")
                signature = v;
            else
                params.emplace_back(k, v);
        }
        std::string base = oauth1::signatureBaseString(
            "POST", oauth1::baseUrl("http", "127.0.0.1", server.port(), "/1.1/statuses/filter.json"), params);
        CPPUNIT_ASSERT_EQUAL(oauth1::sign(oauth1::SignatureMethod::HmacSha1, base, "cs", "as"), signature);
    }

    void testMessagesCountersAndReconnects()
    {
        // 0: messages split across chunks, keep-alives, control messages, a
        //    line that is not JSON, then the connection drops mid-message;
        // 1: 503; 2: two more tweets, then silence until stop.
        ScriptedServer server([](ScriptedServer& s, Poco::Net::StreamSocket& socket, int index) {
            if (index == 0)
            {
                ScriptedServer::ok(socket);
                std::string all = T1 + "\r\n\r\n" + R"({"delete":{"status":{"id":9,"id_str":"9"}}})" + "\r\n" +
                                  R"({"limit":{"track":5}})" + "\r\n" + R"({"limit":{"track":8}})" + "\r\n" +
                                  R"({"warning":{"code":"FALLING_BEHIND","percent_full":60}})" + "\r\n" +
                                  "not json at all\r\n" + R"({"disconnect":{"code":7,"reason":"admin"}})" + "\r\n" +
                                  T2.substr(0, 10);
                for (std::size_t at = 0; at < all.size(); at += 7) ScriptedServer::chunk(socket, all.substr(at, 7));
                return; // closed without the final chunk
            }
            if (index == 1) return ScriptedServer::status(socket, 503, "Service Unavailable");
            ScriptedServer::ok(socket);
            ScriptedServer::chunk(socket, T3 + "\r\n" + T4.substr(0, 5));
            ScriptedServer::chunk(socket, T4.substr(5) + "\r\n\r\n");
            s.holdOpen(socket);
        });
        auto sink = std::make_shared<MemorySink>();
        FakeClock clock;
        TwitterStream stream(settingsFor(server), nullptr, MemorySink::writer(sink), clock);
        stream.start();
        CPPUNIT_ASSERT(waitFor([&] { return sink->snapshot().size() == 3; }));
        stream.stop();

        std::vector<std::string> lines = sink->snapshot();
        CPPUNIT_ASSERT_EQUAL(T1, lines[0]);
        CPPUNIT_ASSERT_EQUAL(T3, lines[1]);
        CPPUNIT_ASSERT_EQUAL(T4, lines[2]);
        auto c = stream.counters().snapshot();
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(3), c.tweets);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(1), c.deletes);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(2), c.limits);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(8), c.limitDropped); // cumulative per connection: 8, not 5 + 8
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(1), c.warnings);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(1), c.disconnects);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(1), c.notJson);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(2), c.keepAlives);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(2), c.connections);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(1), c.reconnectsNetwork);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(1), c.reconnectsHttp);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(0), c.reconnectsRateLimit);
        CPPUNIT_ASSERT_EQUAL(200, c.lastStatus);
        CPPUNIT_ASSERT(c.bytes > T1.size() + T3.size() + T4.size());
        CPPUNIT_ASSERT(StreamCounters::State::Stopped == c.state);
        // 250 ms after the dropped connection (it had delivered data), then 5 s after the 503.
        CPPUNIT_ASSERT((std::vector<long>{250, 5000}) == sleepsOf(clock));
        CPPUNIT_ASSERT(sink->syncs >= 1); // stop() flushed with sync
    }

    void testDelimitedLength()
    {
        ScriptedServer server([](ScriptedServer& s, Poco::Net::StreamSocket& socket, int) {
            ScriptedServer::ok(socket);
            std::string all = "\r\n" + std::to_string(T1.size() + 2) + "\r\n" + T1 + "\r\n" +
                              std::to_string(T2.size() + 2) + "\r\n" + T2 + "\r\n";
            for (std::size_t at = 0; at < all.size(); at += 3) ScriptedServer::chunk(socket, all.substr(at, 3));
            s.holdOpen(socket);
        });
        auto sink = std::make_shared<MemorySink>();
        FakeClock clock;
        auto settings = settingsFor(server);
        settings.delimitedLength = true;
        TwitterStream stream(settings, nullptr, MemorySink::writer(sink), clock);
        stream.start();
        CPPUNIT_ASSERT(waitFor([&] { return sink->snapshot().size() == 2; }));
        stream.stop();
        CPPUNIT_ASSERT(server.requests().at(0).body.find("delimited=length") != std::string::npos);
        CPPUNIT_ASSERT_EQUAL(T2, sink->snapshot().at(1));
    }

    void testRateLimitWaits()
    {
        ScriptedServer server([](ScriptedServer& s, Poco::Net::StreamSocket& socket, int index) {
            if (index == 0 || index == 1) return ScriptedServer::status(socket, 420, "Enhance Your Calm");
            if (index == 2) return ScriptedServer::status(socket, 429, "Too Many Requests");
            ScriptedServer::ok(socket);
            ScriptedServer::chunk(socket, T1 + "\r\n");
            s.holdOpen(socket);
        });
        auto sink = std::make_shared<MemorySink>();
        FakeClock clock;
        TwitterStream stream(settingsFor(server), nullptr, MemorySink::writer(sink), clock);
        stream.start();
        CPPUNIT_ASSERT(waitFor([&] { return sink->snapshot().size() == 1; }));
        stream.stop();
        CPPUNIT_ASSERT((std::vector<long>{60000, 120000, 240000}) == sleepsOf(clock));
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(3), stream.counters().snapshot().reconnectsRateLimit);
    }

    void testFatalStatusStops()
    {
        for (int status : {401, 403, 404, 406, 413, 416})
        {
            ScriptedServer server([status](ScriptedServer&, Poco::Net::StreamSocket& socket, int) {
                ScriptedServer::status(socket, status, "No", R"({"errors":[{"code":32}]})");
            });
            auto sink = std::make_shared<MemorySink>();
            FakeClock clock;
            TwitterStream stream(settingsFor(server), nullptr, MemorySink::writer(sink), clock);
            stream.start();
            CPPUNIT_ASSERT(
                waitFor([&] { return stream.counters().snapshot().state == StreamCounters::State::Failed; }));
            std::this_thread::sleep_for(milliseconds(50));
            CPPUNIT_ASSERT_EQUAL(1, server.connections());
            CPPUNIT_ASSERT(clock.sleeps().empty());
            CPPUNIT_ASSERT_EQUAL(status, stream.counters().snapshot().lastStatus);
            stream.stop();
            CPPUNIT_ASSERT(StreamCounters::State::Failed == stream.counters().snapshot().state);
        }
    }

    void testStallReconnects()
    {
        ScriptedServer server([](ScriptedServer& s, Poco::Net::StreamSocket& socket, int index) {
            ScriptedServer::ok(socket);
            ScriptedServer::chunk(socket, (index == 0 ? T1 : T2) + "\r\n" + (index == 0 ? T3.substr(0, 4) : ""));
            s.holdOpen(socket); // silent: the client must give up after stall_timeout
        });
        auto sink = std::make_shared<MemorySink>();
        FakeClock clock;
        auto settings = settingsFor(server);
        settings.stallTimeout = milliseconds(200);
        TwitterStream stream(settings, nullptr, MemorySink::writer(sink), clock);
        stream.start();
        CPPUNIT_ASSERT(waitFor([&] { return sink->snapshot().size() == 2; }));
        stream.stop();
        auto c = stream.counters().snapshot();
        CPPUNIT_ASSERT(c.reconnectsStall >= 1);
        CPPUNIT_ASSERT_EQUAL(c.reconnectsStall, c.reconnectsNetwork);
        CPPUNIT_ASSERT_EQUAL(T1, sink->snapshot()[0]);
        CPPUNIT_ASSERT_EQUAL(T2, sink->snapshot()[1]);
        CPPUNIT_ASSERT_EQUAL(250L, sleepsOf(clock).at(0));
    }

    void testSinkRetryKeepsMessage()
    {
        ScriptedServer server([](ScriptedServer& s, Poco::Net::StreamSocket& socket, int) {
            ScriptedServer::ok(socket);
            ScriptedServer::chunk(socket, T1 + "\r\n" + T2 + "\r\n");
            s.holdOpen(socket);
        });
        auto sink = std::make_shared<MemorySink>();
        sink->retriesLeft = 3;
        FakeClock clock;
        TwitterStream stream(settingsFor(server), nullptr, MemorySink::writer(sink), clock);
        stream.start();
        CPPUNIT_ASSERT(waitFor([&] { return sink->snapshot().size() == 2; }));
        stream.stop();
        CPPUNIT_ASSERT((std::vector<std::string>{T1, T2}) == sink->snapshot());
        auto c = stream.counters().snapshot();
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(3), c.sinkRetries);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(2), c.tweets);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(0), c.sinkLost);
    }

    void testSinkErrorDrops()
    {
        ScriptedServer server([](ScriptedServer& s, Poco::Net::StreamSocket& socket, int) {
            ScriptedServer::ok(socket);
            ScriptedServer::chunk(socket, T1 + "\r\n" + T2 + "\r\n");
            s.holdOpen(socket);
        });
        auto sink = std::make_shared<MemorySink>();
        sink->refuseAll = true;
        FakeClock clock;
        TwitterStream stream(settingsFor(server), nullptr, MemorySink::writer(sink), clock);
        stream.start();
        CPPUNIT_ASSERT(waitFor([&] { return stream.counters().snapshot().sinkErrors == 2; }));
        stream.stop();
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(0), stream.counters().snapshot().tweets);
        CPPUNIT_ASSERT(sink->snapshot().empty());
    }

    void testStopInterruptsRead()
    {
        // A silent connection with Twitter's 90 s stall timeout, and a long
        // backoff: stop() must not wait for either.
        ScriptedServer server([](ScriptedServer& s, Poco::Net::StreamSocket& socket, int) {
            ScriptedServer::ok(socket);
            s.holdOpen(socket);
        });
        auto sink = std::make_shared<MemorySink>();
        auto settings = settingsFor(server);
        settings.stallTimeout = milliseconds(90000);
        TwitterStream stream(settings, nullptr, MemorySink::writer(sink)); // the real clock
        stream.start();
        CPPUNIT_ASSERT(waitFor([&] { return stream.counters().snapshot().state == StreamCounters::State::Streaming; }));
        auto t0 = std::chrono::steady_clock::now();
        stream.stop();
        CPPUNIT_ASSERT(std::chrono::steady_clock::now() - t0 < milliseconds(1000));

        // And in a 60 s rate-limit wait.
        ScriptedServer limited([](ScriptedServer&, Poco::Net::StreamSocket& socket, int) {
            ScriptedServer::status(socket, 420, "Enhance Your Calm");
        });
        TwitterStream waiting(settingsFor(limited), nullptr, MemorySink::writer(sink));
        waiting.start();
        CPPUNIT_ASSERT(waitFor([&] { return waiting.counters().snapshot().currentWaitMs == 60000; }));
        t0 = std::chrono::steady_clock::now();
        waiting.stop();
        CPPUNIT_ASSERT(std::chrono::steady_clock::now() - t0 < milliseconds(1000));
        CPPUNIT_ASSERT_EQUAL(std::int64_t(0), waiting.counters().snapshot().currentWaitMs);
    }

    void testFollowResolution()
    {
        // users/lookup: 100 names per call, ids taken from id_str.
        ScriptedServer server([](ScriptedServer& s, Poco::Net::StreamSocket& socket, int) {
            (void)s;
            std::string body = "[";
            for (int i = 0; i < 100; ++i)
                body += std::string(i ? "," : "") + R"({"id":1,"id_str":")" + std::to_string(900000 + i) +
                        R"(","screen_name":"Name)" + std::to_string(i) + "\"}";
            body += "]";
            ScriptedServer::status(socket, 200, "OK", body);
        });
        auto settings = settingsFor(server);
        for (int i = 0; i < 100; ++i) settings.followNames.push_back("name" + std::to_string(i)); // case differs
        settings.followIds = {"7"};
        auto sink = std::make_shared<MemorySink>();
        TwitterStream stream(settings, nullptr, MemorySink::writer(sink));
        stream.resolveFollow();
        std::vector<std::string> ids = stream.followIds();
        CPPUNIT_ASSERT_EQUAL(std::size_t(101), ids.size());
        CPPUNIT_ASSERT_EQUAL(std::string("7"), ids[0]);
        CPPUNIT_ASSERT_EQUAL(std::string("900000"), ids[1]);
        Received r = server.requests().at(0);
        CPPUNIT_ASSERT(r.head.rfind("GET /1.1/users/lookup.json?screen_name=name0%2Cname1%2C", 0) == 0);
        CPPUNIT_ASSERT(r.head.find("Authorization: OAuth ") != std::string::npos);
    }

    void testFollowUnknownName()
    {
        ScriptedServer server([](ScriptedServer&, Poco::Net::StreamSocket& socket, int) {
            ScriptedServer::status(socket, 200, "OK", R"([{"id_str":"11","screen_name":"Starbucks"}])");
        });
        auto settings = settingsFor(server);
        settings.followNames = {"Starbucks", "NoSuchUser"};
        auto sink = std::make_shared<MemorySink>();
        TwitterStream stream(settings, nullptr, MemorySink::writer(sink));
        try
        {
            stream.resolveFollow();
            CPPUNIT_FAIL("an unknown screen name must be a ConfigError");
        }
        catch (const ConfigError& e)
        {
            CPPUNIT_ASSERT_EQUAL(std::string("schedule.test.kwargs.follow"), e.key());
            CPPUNIT_ASSERT(e.expected().find("NoSuchUser") != std::string::npos);
            CPPUNIT_ASSERT(e.expected().find("Starbucks") == std::string::npos);
        }

        // A server error is transient: the stream thread retries it.
        ScriptedServer failing([](ScriptedServer&, Poco::Net::StreamSocket& socket, int) {
            ScriptedServer::status(socket, 503, "Service Unavailable");
        });
        auto again = settingsFor(failing);
        again.followNames = {"Starbucks"};
        TwitterStream retrying(again, nullptr, MemorySink::writer(sink));
        CPPUNIT_ASSERT_THROW(retrying.resolveFollow(), StreamTransientError);
    }

    // ---- api: 2 -----------------------------------------------------------

    static TwitterStream::Settings v2SettingsFor(const ScriptedServer& server)
    {
        TwitterStream::Settings s = settingsFor(server);
        s.api = TwitterStream::Settings::Api::V2;
        s.streamUrl = server.url("/2/tweets/search/stream");
        s.rulesUrl = server.url("/2/tweets/search/stream/rules");
        s.bearerToken = "literal-bearer";
        s.track.clear();
        s.rules = {{"beer", "birdgate:test:1"}};
        s.v2Query = {{"tweet.fields", "created_at,lang"}, {"expansions", "author_id"}};
        return s;
    }

    static bool startsWith(const std::string& text, const std::string& prefix) { return text.rfind(prefix, 0) == 0; }

    /// The v2 rules endpoint as X answers it when the schedule's one rule is
    /// already there (nothing to add or delete); false for other requests.
    static bool answerRules(ScriptedServer& s, Poco::Net::StreamSocket& socket, int index)
    {
        if (s.requests().at(static_cast<std::size_t>(index)).head.find(" /2/tweets/search/stream/rules") ==
            std::string::npos)
            return false;
        ScriptedServer::status(socket, 200, "OK",
                               R"({"data":[{"id":"1","value":"beer","tag":"birdgate:test:1"}],)"
                               R"("meta":{"result_count":1}})");
        return true;
    }

    /// How many stream requests came before request `index` (rules and token requests not counted).
    static int streamIndex(ScriptedServer& s, int index)
    {
        auto all = s.requests();
        int n = 0;
        for (int i = 0; i < index; ++i)
            if (startsWith(all[static_cast<std::size_t>(i)].head, "GET /2/tweets/search/stream?") ||
                startsWith(all[static_cast<std::size_t>(i)].head, "GET /2/tweets/search/stream "))
                ++n;
        return n;
    }

    void testV2Kwargs()
    {
        std::vector<std::string> warnings;
        Config c = configOf(V2 + "      access_key: a\n      access_secret: b\n"
                                 "      rules: [{value: 'cats has:images', tag: cats}, dogs]\n"
                                 "      track: beer,craft ale\n      follow: '@Starbucks, 12345'\n"
                                 "      language: en\n      locations: 1,2,3,4\n"
                                 "      tweet.fields: [created_at, lang]\n      expansions: author_id\n"
                                 "      user.fields: username\n      backfill_minutes: 2\n      path: t.jsonl\n");
        AppConfig app;
        app.streamRoot = "https://stream.example.com/";
        app.apiRoot = "https://api.example.com";
        TwitterStream::Settings s = TwitterStream::parse(c.schedules.at(0), app, &warnings);
        CPPUNIT_ASSERT(s.v2());
        CPPUNIT_ASSERT_EQUAL(std::string("https://stream.example.com/2/tweets/search/stream"), s.streamUrl);
        CPPUNIT_ASSERT_EQUAL(std::string("https://stream.example.com/2/tweets/search/stream/rules"), s.rulesUrl);
        CPPUNIT_ASSERT_EQUAL(std::string("https://api.example.com"), s.apiRoot);
        CPPUNIT_ASSERT_EQUAL(std::string("k"), s.credentials.consumerKey);
        CPPUNIT_ASSERT(s.bearerToken.empty());
        CPPUNIT_ASSERT_EQUAL(std::size_t(3), s.rules.size());
        CPPUNIT_ASSERT_EQUAL(std::size_t(2), s.configuredRules);
        CPPUNIT_ASSERT(s.rules[0] == (StreamRule{"cats has:images", "birdgate:s:cats"}));
        CPPUNIT_ASSERT(s.rules[1] == (StreamRule{"dogs", "birdgate:s:2"}));
        CPPUNIT_ASSERT(s.rules[2] ==
                       (StreamRule{"(beer OR (craft ale) OR from:12345 OR from:Starbucks OR bounding_box:[1 2 3 4]) "
                                   "lang:en",
                                   "birdgate:s:3"}));
        CPPUNIT_ASSERT(s.v2Query == (oauth1::Params{{"tweet.fields", "created_at,lang"},
                                                    {"user.fields", "username"},
                                                    {"expansions", "author_id"},
                                                    {"backfill_minutes", "2"}}) ||
                       s.v2Query == (oauth1::Params{{"tweet.fields", "created_at,lang"},
                                                    {"expansions", "author_id"},
                                                    {"user.fields", "username"},
                                                    {"backfill_minutes", "2"}}));
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), warnings.size()); // access_key/secret are not used on v2
        CPPUNIT_ASSERT(warnings[0].find("access_key and access_secret are not used") != std::string::npos);
        CPPUNIT_ASSERT(s.followNames.size() == 1); // no users/lookup on v2: from: takes names

        Config literal = configOf("      bearer: AAAA%2Ftoken\n      track: beer\n      path: t.jsonl\n"
                                  "      rule_max_length: 1024\n");
        TwitterStream::Settings l = TwitterStream::parse(literal.schedules.at(0), AppConfig(), nullptr);
        CPPUNIT_ASSERT_EQUAL(std::string("AAAA%2Ftoken"), l.bearerToken);
        CPPUNIT_ASSERT_EQUAL(std::size_t(1024), l.ruleMaxLength);
        CPPUNIT_ASSERT_EQUAL(std::string("https://api.x.com/2/tweets/search/stream"), l.streamUrl);
        CPPUNIT_ASSERT(l.rules == (std::vector<StreamRule>{{"beer", "birdgate:s:1"}}));

        Config app2 = configOf(V2 + "      bearer: app\n      track: beer\n      path: t.jsonl\n      api: 2\n");
        CPPUNIT_ASSERT(TwitterStream::parse(app2.schedules.at(0), AppConfig(), nullptr).bearerToken.empty());
    }

    void testV2KwargErrors()
    {
        auto has = [](const std::string& text, const std::string& part) {
            if (text.find(part) == std::string::npos) CPPUNIT_FAIL("'" + part + "' not in '" + text + "'");
        };
        const std::string P = "      path: t.jsonl\n";
        has(errorOf(P + "      track: beer\n"),
            "kwargs.key: a non-empty string: api 2 streams authenticate as the app");
        has(errorOf(P + V2), "kwargs.rules: at least one rule");
        has(errorOf(P + V2 + "      track: beer\n      api: 3\n"), "kwargs.api");
        has(errorOf(P + V2 + "      bearer: tok\n      track: beer\n"), "kwargs.bearer: either bearer");
        has(errorOf(P + V2 + "      track: beer\n      delimited: length\n"),
            "kwargs.delimited: no such key on api: 2");
        has(errorOf(P + V2 + "      track: beer\n      filter_level: low\n"), "kwargs.filter_level");
        has(errorOf(P + V2 + "      rules: beer\n"), "kwargs.rules: a list");
        has(errorOf(P + V2 + "      rules: [{tag: x}]\n"), "kwargs.rules");
        has(errorOf(P + V2 + "      rules: [{value: a, colour: red}]\n"), "'colour'");
        has(errorOf(P + V2 + "      rules: ['  ']\n"), "non-empty rule values");
        has(errorOf(P + V2 + "      rules: [{value: a, tag: x}, {value: b, tag: x}]\n"), "distinct tags");
        has(errorOf(P + V2 + "      track: a very long phrase indeed\n      rule_max_length: 16\n"),
            "kwargs.track: terms that fit in one rule");
        has(errorOf(P + V2 + "      track: beer\n      rule_max_length: 5\n"), "kwargs.rule_max_length");
        has(errorOf(P + V2 + "      track: beer\n      backfill_minutes: 6\n"), "kwargs.backfill_minutes");
        has(errorOf(P + V2 + "      track: beer\n      language: 'e n'\n"), "kwargs.language");
        has(errorOf(P + CREDS + "      track: beer\n      rules: [x]\n"), "kwargs.rules: no such key on api: 1.1");
        has(errorOf(P + CREDS + "      track: beer\n      tweet.fields: lang\n"), "kwargs.tweet.fields");
        // v2 has no 400-phrase cap: the rules are split instead.
        CPPUNIT_ASSERT_EQUAL(std::string(), errorOf(P + V2 + "      track: " + manyItems("w", 401) + "\n"));
    }

    void testV2RequestAndMessages()
    {
        const std::string D1 = R"({"data":{"id":"101","text":"beer one"},"matching_rules":[{"id":"9","tag":"t"}]})";
        const std::string D2 = R"({"data":{"id":"102","text":"beer two"},"includes":{"users":[{"id":"7"}]}})";
        const std::string ERR = R"({"errors":[{"title":"operational-disconnect","detail":"Gone.",)"
                                R"("type":"https://api.twitter.com/2/problems/operational-disconnect"}]})";
        ScriptedServer server([&](ScriptedServer& s, Poco::Net::StreamSocket& socket, int index) {
            if (answerRules(s, socket, index)) return;
            ScriptedServer::ok(socket);
            ScriptedServer::chunk(socket, D1.substr(0, 10));
            ScriptedServer::chunk(socket, D1.substr(10) + "\r\n\r\n");
            ScriptedServer::chunk(socket, D1 + "\r\n" + ERR + "\r\n{\"hello\":1}\r\nnot json\r\n" + D2 + "\r\n");
            s.holdOpen(socket);
        });
        auto sink = std::make_shared<MemorySink>();
        FakeClock clock;
        TwitterStream stream(v2SettingsFor(server), nullptr, MemorySink::writer(sink), clock);
        stream.start();
        CPPUNIT_ASSERT(waitFor([&] { return sink->snapshot().size() == 2; }));
        CPPUNIT_ASSERT(waitFor([&] { return stream.counters().snapshot().notJson == 1; }));
        stream.stop();
        CPPUNIT_ASSERT(sink->snapshot() == (std::vector<std::string>{D1, D2}));
        auto c = stream.counters().snapshot();
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(2), c.tweets);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(1), c.duplicates);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(1), c.errors);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(1), c.controls);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(1), c.notJson);
        CPPUNIT_ASSERT(c.keepAlives >= 1);
        CPPUNIT_ASSERT(c.summary().find("errors=1 duplicates=1 keep_alives=") != std::string::npos);
        std::vector<Received> all = server.requests();
        CPPUNIT_ASSERT_EQUAL(std::size_t(2), all.size()); // the rules (all there already), then the stream
        CPPUNIT_ASSERT(startsWith(all[0].head, "GET /2/tweets/search/stream/rules?max_results=1000 HTTP/1.1"));
        Received r = all[1];
        CPPUNIT_ASSERT_MESSAGE(r.head, startsWith(r.head, "GET /2/tweets/search/stream?tweet.fields=created_at%2Clang&"
                                                          "expansions=author_id HTTP/1.1"));
        CPPUNIT_ASSERT(r.head.find("Authorization: Bearer literal-bearer\r\n") != std::string::npos);
        CPPUNIT_ASSERT(r.body.empty());
    }

    void testV2ClientForbiddenStops()
    {
        ScriptedServer server([](ScriptedServer& s, Poco::Net::StreamSocket& socket, int index) {
            if (answerRules(s, socket, index)) return;
            ScriptedServer::status(socket, 403, "Forbidden",
                                   R"({"title":"Client Forbidden","detail":"Attach the App to a Project.",)"
                                   R"("type":"https://api.twitter.com/2/problems/client-forbidden"})");
        });
        auto sink = std::make_shared<MemorySink>();
        FakeClock clock;
        TwitterStream stream(v2SettingsFor(server), nullptr, MemorySink::writer(sink), clock);
        stream.start();
        CPPUNIT_ASSERT(waitFor([&] { return stream.counters().snapshot().state == StreamCounters::State::Failed; }));
        stream.stop();
        CPPUNIT_ASSERT_EQUAL(2, server.connections()); // the rules, one stream attempt
        CPPUNIT_ASSERT(clock.sleeps().empty());
        CPPUNIT_ASSERT_EQUAL(403, stream.counters().snapshot().lastStatus);
    }

    void testV2RenewsBearerOnceOn401()
    {
        // Client credentials: token requests answer a new token each time;
        // the stream answers 401 always. One renewal, then a stop.
        ScriptedServer server([](ScriptedServer& s, Poco::Net::StreamSocket& socket, int index) {
            const std::string head = s.requests().at(static_cast<std::size_t>(index)).head;
            if (answerRules(s, socket, index)) return;
            if (head.rfind("POST /oauth2/token", 0) == 0)
                ScriptedServer::status(socket, 200, "OK",
                                       R"({"token_type":"bearer","access_token":"tok)" + std::to_string(index) + "\"}");
            else
                ScriptedServer::status(socket, 401, "Unauthorized",
                                       R"({"title":"Unauthorized","type":"about:blank","status":401,)"
                                       R"("detail":"Unauthorized"})");
        });
        auto settings = v2SettingsFor(server);
        settings.bearerToken.clear();
        settings.credentials = {"ck", "cs", "", "", oauth1::SignatureMethod::HmacSha1};
        auto sink = std::make_shared<MemorySink>();
        FakeClock clock;
        TwitterStream stream(settings, nullptr, MemorySink::writer(sink), clock);
        CPPUNIT_ASSERT(stream.bearer()->renewable());
        stream.start();
        CPPUNIT_ASSERT(waitFor([&] { return stream.counters().snapshot().state == StreamCounters::State::Failed; }));
        stream.stop();
        std::vector<Received> r = server.requests();
        CPPUNIT_ASSERT_EQUAL(std::size_t(5), r.size());
        CPPUNIT_ASSERT(startsWith(r[0].head, "POST /oauth2/token"));
        CPPUNIT_ASSERT(r[0].head.find("Authorization: Basic Y2s6Y3M=") != std::string::npos);
        CPPUNIT_ASSERT_MESSAGE(r[1].head, startsWith(r[1].head, "GET /2/tweets/search/stream/rules"));
        CPPUNIT_ASSERT_MESSAGE(r[1].head,
                               (r[1].head + "\r\n").find("Authorization: Bearer tok0\r\n") != std::string::npos);
        CPPUNIT_ASSERT((r[2].head + "\r\n").find("Authorization: Bearer tok0\r\n") != std::string::npos);
        CPPUNIT_ASSERT(startsWith(r[3].head, "POST /oauth2/token"));
        CPPUNIT_ASSERT(startsWith(r[4].head, "GET /2/tweets/search/stream?"));
        CPPUNIT_ASSERT((r[4].head + "\r\n").find("Authorization: Bearer tok3\r\n") != std::string::npos);
    }

    void testV2RateLimitWaits()
    {
        // 429 (one connection per app): 60 s, doubling; a 503: 5 s.
        ScriptedServer server([](ScriptedServer& s, Poco::Net::StreamSocket& socket, int index) {
            if (answerRules(s, socket, index)) return;
            const int n = streamIndex(s, index);
            if (n < 2)
                ScriptedServer::status(socket, 429, "Too Many Requests",
                                       R"({"title":"ConnectionException","connection_issue":"TooManyConnections",)"
                                       R"("type":"https://api.twitter.com/2/problems/streaming-connection"})");
            else if (n == 2)
                ScriptedServer::status(socket, 503, "Service Unavailable");
            else
            {
                ScriptedServer::ok(socket);
                s.holdOpen(socket);
            }
        });
        auto sink = std::make_shared<MemorySink>();
        FakeClock clock;
        TwitterStream stream(v2SettingsFor(server), nullptr, MemorySink::writer(sink), clock);
        stream.start();
        CPPUNIT_ASSERT(waitFor([&] { return stream.counters().snapshot().connections == 1; }));
        stream.stop();
        CPPUNIT_ASSERT(sleepsOf(clock) == (std::vector<long>{60000, 120000, 5000}));
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(2), stream.counters().snapshot().reconnectsRateLimit);
    }

    void testV2RulesBodies()
    {
        CPPUNIT_ASSERT_EQUAL(std::string(R"({"add":[{"value":"cats \"big\"","tag":"birdgate:s:1"}]})"),
                             XRulesApi::addBody({{"cats \"big\"", "birdgate:s:1"}}));
        CPPUNIT_ASSERT_EQUAL(std::string(R"({"delete":{"ids":["1","2"]}})"), XRulesApi::deleteBody({"1", "2"}));
        auto errors = XRulesApi::addErrors(
            R"J({"meta":{"summary":{"created":0,"not_created":2}},"errors":[{"value":"(a","details":["Unmatched )J"
            R"J(parenthesis (at position 1)"],"title":"UnprocessableEntity"},{"value":"b","id":"5","title":)J"
            R"J("DuplicateRule"},{"title":"RulesCapExceeded","details":["Rule cap exceeded"]}]})J");
        CPPUNIT_ASSERT(errors == (std::vector<std::string>{"'(a': Unmatched parenthesis (at position 1)",
                                                           "'b': DuplicateRule", "Rule cap exceeded"}));
        CPPUNIT_ASSERT(XRulesApi::addErrors(R"({"data":[{"id":"1","value":"a"}]})").empty());
        for (const char* garbage : {"", "nope", "[]", R"({"errors":5})", R"({"errors":[5,"x"]})"})
            CPPUNIT_ASSERT(XRulesApi::addErrors(garbage).empty());
    }
};

BIRDGATE_TEST_SUITE(TwitterStreamTest);
