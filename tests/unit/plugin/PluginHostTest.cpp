// PluginHostTest: the plugin host against the fixture plugins of
// tests/plugins (one per refusal or behaviour). Every refusal must be a
// PluginError naming the file and both ABI versions; every plugin failure at
// call time must come back as a status + message, never as a crash.
#include "TestSupport.h"

#include "birdgate/plugin/PluginError.h"
#include "birdgate/plugin/PluginHost.h"
#include "birdgate/plugin/PluginLibrary.h"

#include <Poco/AutoPtr.h>
#include <Poco/Channel.h>
#include <Poco/Logger.h>
#include <Poco/Message.h>
#include <Poco/TemporaryFile.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>
#include <vector>

using namespace birdgate;

namespace
{

const std::string fixtureDir = BIRDGATE_BINARY_DIR "/tests/plugins";
const std::string hostAbi = std::to_string(BIRDGATE_ABI_MAJOR) + "." + std::to_string(BIRDGATE_ABI_MINOR);
const std::string context = R"({"url":"twitter","path":"search/tweets.json","method":"GET",)"
                            R"("args":{"q":["beer"]},"user":{"screen_name":"jack"}})";

std::string fixturePath(const std::string& name)
{
    return fixtureDir + "/" + name + ".so";
}

#define ASSERT_CONTAINS(text, part)                                                                                    \
    CPPUNIT_ASSERT_MESSAGE("expected to find [" + std::string(part) + "] in [" + std::string(text) + "]",              \
                           std::string(text).find(part) != std::string::npos)

/// The message of the PluginError that `f` throws; fails the test if none.
template <class F> std::string pluginError(F f)
{
    try
    {
        f();
    }
    catch (const PluginError& e)
    {
        return e.what();
    }
    CPPUNIT_FAIL("expected a PluginError");
    return {};
}

std::string refusal(const std::string& name)
{
    return pluginError([&] {
        PluginHost host({fixtureDir});
        host.load(name);
    });
}

/// Collects log messages (text + priority) sent to a Poco logger.
class CapturingChannel : public Poco::Channel
{
  public:
    void log(const Poco::Message& message) override
    {
        std::lock_guard<std::mutex> lock(_mutex);
        _messages.emplace_back(message.getPriority(), message.getText());
    }
    std::vector<std::pair<Poco::Message::Priority, std::string>> messages()
    {
        std::lock_guard<std::mutex> lock(_mutex);
        return _messages;
    }

  private:
    std::mutex _mutex;
    std::vector<std::pair<Poco::Message::Priority, std::string>> _messages;
};

} // namespace

class PluginHostTest : public CppUnit::TestFixture
{
    CPPUNIT_TEST_SUITE(PluginHostTest);
    CPPUNIT_TEST(testRefusesDifferentMajor);
    CPPUNIT_TEST(testRefusesNewerMinor);
    CPPUNIT_TEST(testAcceptsFrozenOlderPlugin);
    CPPUNIT_TEST(testAbiRules);
    CPPUNIT_TEST(testRefusesMissingEntry);
    CPPUNIT_TEST(testRefusesNullDescriptor);
    CPPUNIT_TEST(testRefusesSmallDescriptor);
    CPPUNIT_TEST(testRefusesMissingCallback);
    CPPUNIT_TEST(testRefusesMissingSinkWrite);
    CPPUNIT_TEST(testRefusesNonLibrary);
    CPPUNIT_TEST(testNotFoundNamesFolders);
    CPPUNIT_TEST(testRejectsBadNames);
    CPPUNIT_TEST(testCreateFails);
    CPPUNIT_TEST(testUnknownExportListsExports);
    CPPUNIT_TEST(testLoadsOnce);
    CPPUNIT_TEST(testConcurrentLoads);
    CPPUNIT_TEST(testJsonAndStringOutput);
    CPPUNIT_TEST(testPiecesAndPassthrough);
    CPPUNIT_TEST(testContextReachesPlugin);
    CPPUNIT_TEST(testPluginLogs);
    CPPUNIT_TEST(testInstanceLifetime);
    CPPUNIT_TEST(testConcurrentCalls);
    CPPUNIT_TEST(testSerialTransform);
    CPPUNIT_TEST(testMemorySink);
    CPPUNIT_TEST(testSinkConfigRefused);
    CPPUNIT_TEST(testErrorWithMessage);
    CPPUNIT_TEST(testRetryAndSilentError);
    CPPUNIT_TEST(testUnknownStatus);
    CPPUNIT_TEST(testEmitMisuseRefused);
    CPPUNIT_TEST(testSinkWithoutFlush);
    CPPUNIT_TEST(testThrowingTransforms);
    CPPUNIT_TEST(testThrowingConstructor);
    CPPUNIT_TEST(testThrowingSink);
    CPPUNIT_TEST_SUITE_END();

  public:
    // ---- refusals -------------------------------------------------------

    void testRefusesDifferentMajor()
    {
        const std::string message = refusal("abi_major");
        ASSERT_CONTAINS(message, fixturePath("abi_major"));
        ASSERT_CONTAINS(message, "plugin ABI " + std::to_string(BIRDGATE_ABI_MAJOR + 1) + ".0");
        ASSERT_CONTAINS(message, "host ABI " + hostAbi);
        ASSERT_CONTAINS(message, "major");
    }

    void testRefusesNewerMinor()
    {
        const std::string message = refusal("abi_newer_minor");
        const std::string pluginAbi = std::to_string(BIRDGATE_ABI_MAJOR) + "." + std::to_string(BIRDGATE_ABI_MINOR + 1);
        ASSERT_CONTAINS(message, fixturePath("abi_newer_minor"));
        ASSERT_CONTAINS(message, "plugin ABI " + pluginAbi);
        ASSERT_CONTAINS(message, "host ABI " + hostAbi);
    }

    void testAcceptsFrozenOlderPlugin()
    {
        PluginHost host({fixtureDir});
        auto plugin = host.load("abi_v1_0");
        CPPUNIT_ASSERT_EQUAL(1u, static_cast<unsigned>(plugin->abiMajor()));
        CPPUNIT_ASSERT_EQUAL(0u, static_cast<unsigned>(plugin->abiMinor()));
        CPPUNIT_ASSERT_EQUAL(std::string("1.0.0"), plugin->version());
        auto t = host.createTransform("abi_v1_0.version");
        const TransformResult r = t->call("{}", context);
        CPPUNIT_ASSERT(r.ok());
        CPPUNIT_ASSERT(r.isJson);
        CPPUNIT_ASSERT_EQUAL(std::string(R"({"built_for":"1.0"})"), r.output);
    }

    void testAbiRules()
    {
        // Older and equal minors load; newer minors and other majors do not.
        PluginLibrary::checkAbi("p.so", 1, 0, 1, 3);
        PluginLibrary::checkAbi("p.so", 1, 3, 1, 3);
        const std::string newer = pluginError([] { PluginLibrary::checkAbi("p.so", 1, 4, 1, 3); });
        ASSERT_CONTAINS(newer, "p.so");
        ASSERT_CONTAINS(newer, "plugin ABI 1.4");
        ASSERT_CONTAINS(newer, "host ABI 1.3");
        const std::string older = pluginError([] { PluginLibrary::checkAbi("p.so", 0, 9, 1, 0); });
        ASSERT_CONTAINS(older, "plugin ABI 0.9");
        ASSERT_CONTAINS(older, "host ABI 1.0");
        const std::string major = pluginError([] { PluginLibrary::checkAbi("p.so", 2, 0, 1, 5); });
        ASSERT_CONTAINS(major, "plugin ABI 2.0");
        ASSERT_CONTAINS(major, "host ABI 1.5");
    }

    void testRefusesMissingEntry()
    {
        const std::string message = refusal("no_entry");
        ASSERT_CONTAINS(message, fixturePath("no_entry"));
        ASSERT_CONTAINS(message, "birdgate_plugin_entry");
        ASSERT_CONTAINS(message, "plugin ABI unknown");
        ASSERT_CONTAINS(message, "host ABI " + hostAbi);
    }

    void testRefusesNullDescriptor()
    {
        const std::string message = refusal("null_descriptor");
        ASSERT_CONTAINS(message, fixturePath("null_descriptor"));
        ASSERT_CONTAINS(message, "NULL");
        ASSERT_CONTAINS(message, "host ABI " + hostAbi);
    }

    void testRefusesSmallDescriptor()
    {
        const std::string message = refusal("small_descriptor");
        ASSERT_CONTAINS(message, fixturePath("small_descriptor"));
        ASSERT_CONTAINS(message, "plugin ABI " + std::to_string(BIRDGATE_ABI_MAJOR) + ".0");
        ASSERT_CONTAINS(message, "host ABI " + hostAbi);
        ASSERT_CONTAINS(message, "struct_size");
        ASSERT_CONTAINS(message, std::to_string(offsetof(birdgate_plugin, transforms)) + " bytes");
    }

    void testRefusesMissingCallback()
    {
        const std::string message = refusal("missing_callback");
        ASSERT_CONTAINS(message, fixturePath("missing_callback"));
        ASSERT_CONTAINS(message, "plugin ABI " + hostAbi);
        ASSERT_CONTAINS(message, "host ABI " + hostAbi);
        ASSERT_CONTAINS(message, "transform 'half' lacks the required callback call");
    }

    void testRefusesMissingSinkWrite()
    {
        const std::string message = refusal("missing_sink_write");
        ASSERT_CONTAINS(message, fixturePath("missing_sink_write"));
        ASSERT_CONTAINS(message, "host ABI " + hostAbi);
        ASSERT_CONTAINS(message, "sink 'half' lacks the required callback write");
    }

    void testRefusesNonLibrary()
    {
        const std::filesystem::path dir = Poco::TemporaryFile::tempName();
        std::filesystem::create_directories(dir);
        std::ofstream(dir / "garbage.so") << "this is not an ELF file\n";
        const std::string message = pluginError([&] {
            PluginHost host({dir.string()});
            host.load("garbage");
        });
        std::filesystem::remove_all(dir);
        ASSERT_CONTAINS(message, (dir / "garbage.so").string());
        ASSERT_CONTAINS(message, "not a loadable shared library");
        ASSERT_CONTAINS(message, "host ABI " + hostAbi);
    }

    void testNotFoundNamesFolders()
    {
        PluginHost host({"/nonexistent/one", fixtureDir});
        const std::string message = pluginError([&] { host.createTransform("nope.echo"); });
        ASSERT_CONTAINS(message, "nope.so");
        ASSERT_CONTAINS(message, "/nonexistent/one");
        ASSERT_CONTAINS(message, fixtureDir);
        PluginHost none({});
        ASSERT_CONTAINS(pluginError([&] { none.load("good"); }), "app.plugins");
        // A later folder is searched when an earlier one lacks the plugin.
        CPPUNIT_ASSERT_EQUAL(fixturePath("good"), host.find("good"));
    }

    void testRejectsBadNames()
    {
        PluginHost host({fixtureDir});
        ASSERT_CONTAINS(pluginError([&] { host.load("../plugins/good"); }), "invalid plugin name");
        ASSERT_CONTAINS(pluginError([&] { host.createTransform("good"); }), "<plugin>.<export>");
        ASSERT_CONTAINS(pluginError([&] { host.createTransform(".echo"); }), "<plugin>.<export>");
        ASSERT_CONTAINS(pluginError([&] { host.createTransform("good."); }), "<plugin>.<export>");
        ASSERT_CONTAINS(pluginError([&] { host.createSink("a/b.echo"); }), "may only use");
        const auto parts = PluginHost::splitFunction("sentiment.add_sentiment");
        CPPUNIT_ASSERT_EQUAL(std::string("sentiment"), parts.first);
        CPPUNIT_ASSERT_EQUAL(std::string("add_sentiment"), parts.second);
    }

    void testCreateFails()
    {
        PluginHost host({fixtureDir});
        const std::string message = pluginError([&] { host.createTransform("create_fails.fails", "{}"); });
        ASSERT_CONTAINS(message, "create_fails.fails");
        ASSERT_CONTAINS(message, fixturePath("create_fails"));
        ASSERT_CONTAINS(message, "model file not found: /nonexistent/model.bin");
        const std::string silent = pluginError([&] { host.createTransform("create_fails.fails_silently"); });
        ASSERT_CONTAINS(silent, "create_fails.fails_silently");
        ASSERT_CONTAINS(silent, "without a message");
        const std::string sink = pluginError([&] { host.createSink("create_fails.fails"); });
        ASSERT_CONTAINS(sink, "sink create_fails.fails");
        ASSERT_CONTAINS(sink, "cannot open /nonexistent/tweets.jsonl");
    }

    void testUnknownExportListsExports()
    {
        PluginHost host({fixtureDir});
        const std::string message = pluginError([&] { host.createTransform("good.nope"); });
        ASSERT_CONTAINS(message, "has no transform 'nope'");
        ASSERT_CONTAINS(message, fixturePath("good"));
        ASSERT_CONTAINS(message, "echo, upper, context");
        ASSERT_CONTAINS(message, "sinks: memory");
        // A transform is not a sink.
        ASSERT_CONTAINS(pluginError([&] { host.createSink("good.echo"); }), "has no sink 'echo'");
    }

    // ---- loading ----------------------------------------------------------

    void testLoadsOnce()
    {
        PluginHost host({fixtureDir});
        auto first = host.load("good");
        auto second = host.load("good");
        CPPUNIT_ASSERT(first.get() == second.get());
        CPPUNIT_ASSERT_EQUAL(std::string("good"), first->declaredName());
        CPPUNIT_ASSERT_EQUAL(std::string("2.3.4"), first->version());
        CPPUNIT_ASSERT_EQUAL(fixturePath("good"), first->path());
        CPPUNIT_ASSERT_EQUAL(static_cast<unsigned>(BIRDGATE_ABI_MAJOR), static_cast<unsigned>(first->abiMajor()));
        CPPUNIT_ASSERT(first->findTransform("upper") != nullptr);
        CPPUNIT_ASSERT(first->findTransform("memory") == nullptr);
        CPPUNIT_ASSERT(first->findSink("memory") != nullptr);
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), first->sinkNames().size());
        // Instances made through the host share the cached plugin.
        auto t = host.createTransform("good.echo");
        CPPUNIT_ASSERT(&t->plugin() == first.get());
    }

    void testConcurrentLoads()
    {
        PluginHost host({fixtureDir});
        std::vector<std::shared_ptr<PluginLibrary>> loaded(8);
        std::vector<std::thread> threads;
        for (std::size_t i = 0; i < loaded.size(); ++i)
            threads.emplace_back([&, i] { loaded[i] = host.load("erroring"); });
        for (auto& thread : threads) thread.join();
        for (const auto& plugin : loaded) CPPUNIT_ASSERT(plugin.get() == loaded[0].get());
    }

    // ---- transforms that work -----------------------------------------------

    void testJsonAndStringOutput()
    {
        PluginHost host({fixtureDir});
        const std::string input = R"({"text":"good beer"})";
        auto echo = host.createTransform("good.echo");
        TransformResult r = echo->call(input, context);
        CPPUNIT_ASSERT(r.ok());
        CPPUNIT_ASSERT(r.isJson);
        CPPUNIT_ASSERT_EQUAL(input, r.output);
        CPPUNIT_ASSERT(r.error.empty());

        auto upper = host.createTransform("good.upper", "");
        r = upper->call(input, context);
        CPPUNIT_ASSERT(r.ok());
        CPPUNIT_ASSERT(r.isJson);
        CPPUNIT_ASSERT_EQUAL(std::string(R"({"TEXT":"GOOD BEER"})"), r.output);

        auto upperString = host.createTransform("good.upper", R"({"as":"string"})");
        r = upperString->call("abc", context);
        CPPUNIT_ASSERT(r.ok());
        CPPUNIT_ASSERT(!r.isJson);
        CPPUNIT_ASSERT_EQUAL(std::string("ABC"), r.output);

        r = host.createTransform("erroring.string")->call("{}", context);
        CPPUNIT_ASSERT(r.ok());
        CPPUNIT_ASSERT(!r.isJson);
        CPPUNIT_ASSERT_EQUAL(std::string("plain text, not JSON"), r.output);
    }

    void testPiecesAndPassthrough()
    {
        PluginHost host({fixtureDir});
        TransformResult r = host.createTransform("good.pieces")->call("{}", context);
        CPPUNIT_ASSERT(r.ok());
        CPPUNIT_ASSERT_EQUAL(std::string("[1,2,3]"), r.output);

        // OK without emitting: the answer is unchanged.
        const std::string input = R"({"statuses":[]})";
        r = host.createTransform("good.passthrough")->call(input, context);
        CPPUNIT_ASSERT(r.ok());
        CPPUNIT_ASSERT(r.isJson);
        CPPUNIT_ASSERT_EQUAL(input, r.output);
    }

    void testContextReachesPlugin()
    {
        PluginHost host({fixtureDir});
        const TransformResult r = host.createTransform("good.context")->call("{}", context);
        CPPUNIT_ASSERT(r.ok());
        CPPUNIT_ASSERT_EQUAL(context, r.output);
    }

    void testPluginLogs()
    {
        Poco::AutoPtr<CapturingChannel> channel(new CapturingChannel);
        Poco::Logger& logger = Poco::Logger::get("birdgate.plugin.good");
        logger.setChannel(channel);
        logger.setLevel(Poco::Message::PRIO_TRACE);
        PluginHost host({fixtureDir});
        auto t = host.createTransform("good.logs");
        CPPUNIT_ASSERT(t->call("hello", context).ok());
        logger.setChannel(nullptr);
        const auto messages = channel->messages();
        CPPUNIT_ASSERT_EQUAL(std::size_t(4), messages.size());
        CPPUNIT_ASSERT_EQUAL(std::string("logs created"), messages[0].second);
        CPPUNIT_ASSERT(messages[0].first == Poco::Message::PRIO_DEBUG);
        CPPUNIT_ASSERT_EQUAL(std::string("info: hello"), messages[1].second);
        CPPUNIT_ASSERT(messages[1].first == Poco::Message::PRIO_INFORMATION);
        CPPUNIT_ASSERT(messages[2].first == Poco::Message::PRIO_WARNING);
        CPPUNIT_ASSERT(messages[3].first == Poco::Message::PRIO_ERROR);
    }

    void testInstanceLifetime()
    {
        std::shared_ptr<TransformInstance> live;
        std::shared_ptr<TransformInstance> echo;
        {
            PluginHost host({fixtureDir});
            live = host.createTransform("good.live");
            const int before = std::stoi(live->call("{}", context).output);
            echo = host.createTransform("good.echo");
            auto upper = host.createTransform("good.upper");
            CPPUNIT_ASSERT_EQUAL(before + 2, std::stoi(live->call("{}", context).output));
            upper.reset(); // destroy runs exactly once, when the last reference goes
            CPPUNIT_ASSERT_EQUAL(before + 1, std::stoi(live->call("{}", context).output));
        }
        // The host (and its cache) is gone: the instances keep the library loaded.
        const TransformResult r = echo->call("[42]", context);
        CPPUNIT_ASSERT(r.ok());
        CPPUNIT_ASSERT_EQUAL(std::string("[42]"), r.output);
    }

    void testConcurrentCalls()
    {
        PluginHost host({fixtureDir});
        auto upper = host.createTransform("good.upper");
        CPPUNIT_ASSERT(!upper->serial());
        std::atomic<int> wrong{0};
        std::vector<std::thread> threads;
        for (int i = 0; i < 4; ++i)
            threads.emplace_back([&, i] {
                for (int n = 0; n < 200; ++n)
                {
                    const std::string tag = "\"t" + std::to_string(i) + "n" + std::to_string(n) + "\"";
                    std::string want = tag;
                    for (char& c : want) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
                    const TransformResult r = upper->call(tag, context);
                    if (!r.ok() || r.output != want) ++wrong;
                }
            });
        for (auto& thread : threads) thread.join();
        CPPUNIT_ASSERT_EQUAL(0, wrong.load());
    }

    void testSerialTransform()
    {
        PluginHost host({fixtureDir});
        auto probe = host.createTransform("good.serial_probe");
        CPPUNIT_ASSERT(probe->serial());
        std::atomic<int> calls{0};
        std::vector<std::thread> threads;
        for (int i = 0; i < 4; ++i)
            threads.emplace_back([&] {
                for (int n = 0; n < 20; ++n)
                    if (probe->call("{}", context).ok()) ++calls;
            });
        for (auto& thread : threads) thread.join();
        CPPUNIT_ASSERT_EQUAL(80, calls.load());
        // The probe reports how many times two calls overlapped.
        CPPUNIT_ASSERT_EQUAL(std::string("0"), probe->call("{}", context).output);
    }

    // ---- sinks --------------------------------------------------------------

    void testMemorySink()
    {
        PluginHost host({fixtureDir});
        auto dump = host.createTransform("good.memory_dump", R"({"key":"k1"})");
        auto sink = host.createSink("good.memory", R"({"key":"k1"})");
        CPPUNIT_ASSERT_EQUAL(std::string("good.memory"), sink->name());
        CPPUNIT_ASSERT(sink->write(R"({"id":1})").ok());
        // A record is its bytes: a slice of a larger buffer, not NUL-terminated.
        const std::string buffer = R"({"id":2}{"id":3})";
        CPPUNIT_ASSERT(sink->write(std::string_view(buffer).substr(0, 8)).ok());
        CPPUNIT_ASSERT(sink->flush(false).ok());
        CPPUNIT_ASSERT(sink->flush(true).ok());
        CPPUNIT_ASSERT_EQUAL(
            std::string(R"({"lines":["{\"id\":1}","{\"id\":2}"],"flushes":2,"syncs":1,"destroyed":false})"),
            dump->call("{}", context).output);
        sink.reset(); // a last synced flush, then destroy
        CPPUNIT_ASSERT_EQUAL(
            std::string(R"({"lines":["{\"id\":1}","{\"id\":2}"],"flushes":3,"syncs":2,"destroyed":true})"),
            dump->call("{}", context).output);
    }

    void testSinkConfigRefused()
    {
        PluginHost host({fixtureDir});
        const std::string message = pluginError([&] { host.createSink("good.memory", "{}"); });
        ASSERT_CONTAINS(message, "good.memory");
        ASSERT_CONTAINS(message, "memory sink needs a \"key\"");
    }

    // ---- failures reported through the ABI ------------------------------------

    void testErrorWithMessage()
    {
        PluginHost host({fixtureDir});
        const TransformResult r = host.createTransform("erroring.error")->call("{}", context);
        CPPUNIT_ASSERT(r.status == PluginStatus::Error);
        CPPUNIT_ASSERT(!r.ok());
        CPPUNIT_ASSERT_EQUAL(std::string("upstream answer has no 'statuses' array"), r.error);
        CPPUNIT_ASSERT(r.output.empty()); // what it emitted before failing is dropped
    }

    void testRetryAndSilentError()
    {
        PluginHost host({fixtureDir});
        TransformResult r = host.createTransform("erroring.retry")->call("{}", context);
        CPPUNIT_ASSERT(r.status == PluginStatus::Retry);
        CPPUNIT_ASSERT_EQUAL(std::string("scoring backend busy"), r.error);
        r = host.createTransform("erroring.silent_error")->call("{}", context);
        CPPUNIT_ASSERT(r.status == PluginStatus::Error);
        ASSERT_CONTAINS(r.error, "erroring.silent_error");
        ASSERT_CONTAINS(r.error, "without a message");
    }

    void testUnknownStatus()
    {
        PluginHost host({fixtureDir});
        const TransformResult r = host.createTransform("erroring.bogus_status")->call("{}", context);
        CPPUNIT_ASSERT(r.status == PluginStatus::Error);
        ASSERT_CONTAINS(r.error, "unknown status 99");
    }

    void testEmitMisuseRefused()
    {
        // emit from create, a string piece after a JSON one, an unknown kind:
        // the host answers ERROR to each and keeps only the valid pieces.
        PluginHost host({fixtureDir});
        const TransformResult r = host.createTransform("erroring.emit_probe")->call("{}", context);
        CPPUNIT_ASSERT(r.ok());
        CPPUNIT_ASSERT(r.isJson);
        CPPUNIT_ASSERT_EQUAL(std::string(R"({"emit_in_create":"refused","mixed":"refused","unknown_kind":"refused"})"),
                             r.output);
    }

    void testSinkWithoutFlush()
    {
        PluginHost host({fixtureDir});
        auto sink = host.createSink("erroring.full");
        const SinkResult w = sink->write("{}");
        CPPUNIT_ASSERT(w.status == PluginStatus::Retry);
        CPPUNIT_ASSERT_EQUAL(std::string("disk full"), w.error);
        CPPUNIT_ASSERT(sink->flush(true).ok()); // no flush callback: nothing to do
    }

    // ---- C++ plugins that throw (through the SDK wrapper) -------------------------

    void testThrowingTransforms()
    {
        PluginHost host({fixtureDir});
        TransformResult r = host.createTransform("throwing.throws")->call(R"({"a":1})", context);
        CPPUNIT_ASSERT(r.status == PluginStatus::Error);
        CPPUNIT_ASSERT_EQUAL(std::string(R"(boom while reading {"a":1})"), r.error);

        r = host.createTransform("throwing.throws_int")->call("{}", context);
        CPPUNIT_ASSERT(r.status == PluginStatus::Error);
        ASSERT_CONTAINS(r.error, "unknown exception");

        r = host.createTransform("throwing.retries")->call("{}", context);
        CPPUNIT_ASSERT(r.status == PluginStatus::Retry);
        CPPUNIT_ASSERT_EQUAL(std::string("rate limited, try again in 15 s"), r.error);

        r = host.createTransform("throwing.returns_error")->call("{}", context);
        CPPUNIT_ASSERT(r.status == PluginStatus::Error);
        ASSERT_CONTAINS(r.error, "throwing.returns_error returned ERROR without a message");

        r = host.createTransform("throwing.mixes_kinds")->call("{}", context);
        CPPUNIT_ASSERT(r.status == PluginStatus::Error);
        ASSERT_CONTAINS(r.error, "refused the output");
        CPPUNIT_ASSERT(r.output.empty());
    }

    void testThrowingConstructor()
    {
        PluginHost host({fixtureDir});
        const std::string message = pluginError([&] { host.createTransform("throwing.bad_config", "{}"); });
        ASSERT_CONTAINS(message, "throwing.bad_config");
        ASSERT_CONTAINS(message, fixturePath("throwing"));
        ASSERT_CONTAINS(message, "bad_config: missing key \"level\"");
        const TransformResult r = host.createTransform("throwing.bad_config", R"({"level":2})")->call("{}", context);
        CPPUNIT_ASSERT(r.ok());
        CPPUNIT_ASSERT_EQUAL(std::string("\"configured\""), r.output);
    }

    void testThrowingSink()
    {
        PluginHost host({fixtureDir});
        auto sink = host.createSink("throwing.sink");
        const SinkResult w = sink->write("{}");
        CPPUNIT_ASSERT(w.status == PluginStatus::Error);
        CPPUNIT_ASSERT_EQUAL(std::string("disk on fire"), w.error);
        const SinkResult f = sink->flush(true);
        CPPUNIT_ASSERT(f.status == PluginStatus::Retry);
        CPPUNIT_ASSERT_EQUAL(std::string("flush later"), f.error);
        sink.reset(); // the failing final flush is logged; destroy still runs
    }
};

BIRDGATE_TEST_SUITE(PluginHostTest);
