// The Store on both backends: put/get/erase, expiry that get() never crosses,
// purging, restarts, 16 threads at once; SQLite's file mode; Redis's key
// layout, database selection and reconnecting after the server drops us; the
// factory's url handling and warning; and encryption at rest (the raw rows
// hold no plaintext, a tampered or moved value reads as absent).
//
// The Redis cases start their own redis-server on a free loopback port.
#include "TestSupport.h"

#include "birdgate/session/Store.h"
#include "session/EncryptedStore.h"
#include "session/RedisStore.h"
#include "session/SqliteStore.h"

#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <sys/stat.h>
#include <unistd.h>

using birdgate::EncryptedStore;
using birdgate::RedisStore;
using birdgate::SqliteStore;
using birdgate::Store;
using Clock = std::chrono::system_clock;
namespace fs = std::filesystem;

namespace
{

const Store::TimePoint NEVER = Store::NEVER;

Store::TimePoint inAnHour()
{
    return Clock::now() + std::chrono::hours(1);
}

Store::TimePoint anHourAgo()
{
    return Clock::now() - std::chrono::hours(1);
}

class TempDir
{
  public:
    TempDir()
    {
        std::string pattern = (fs::temp_directory_path() / "birdgate-store-XXXXXX").string();
        if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
        _path = pattern;
    }
    ~TempDir()
    {
        std::error_code ec;
        fs::remove_all(_path, ec);
    }
    std::string file(const std::string& name) const { return (_path / name).string(); }

  private:
    fs::path _path;
};

unsigned modeOf(const std::string& path)
{
    struct stat st
    {
    };
    CPPUNIT_ASSERT_EQUAL_MESSAGE("stat " + path, 0, ::stat(path.c_str(), &st));
    return st.st_mode & 0777;
}

std::string readFile(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Output of a shell command, or "" if it could not run.
std::string capture(const std::string& command)
{
    std::string out;
    FILE* pipe = ::popen(command.c_str(), "r");
    if (!pipe) return out;
    char buffer[256];
    while (std::fgets(buffer, sizeof buffer, pipe)) out += buffer;
    ::pclose(pipe);
    return out;
}

int freePort()
{
    Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0));
    const int port = socket.address().port();
    socket.close();
    return port;
}

// A throw-away redis-server for one test: no persistence, loopback only.
class RedisServer
{
  public:
    RedisServer()
    {
        if (std::system("command -v redis-server >/dev/null 2>&1") != 0 ||
            std::system("command -v redis-cli >/dev/null 2>&1") != 0)
            CPPUNIT_FAIL("redis-server and redis-cli are needed by the Redis store tests: "
                         "apt-get install redis-server redis-tools");
        _port = freePort();
        const std::string command = "redis-server --port " + std::to_string(_port) +
                                    " --bind 127.0.0.1 --save '' --appendonly no --daemonize yes --pidfile " +
                                    _dir.file("redis.pid") + " --dir " + _dir.file("") + " --logfile " +
                                    _dir.file("redis.log");
        if (std::system(command.c_str()) != 0) CPPUNIT_FAIL("could not start: " + command);
        // --daemonize returns before the server listens.
        for (int i = 0; i < 100; ++i)
        {
            if (cli("ping").rfind("PONG", 0) == 0)
            {
                _started = true;
                return;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        CPPUNIT_FAIL("redis-server on port " + std::to_string(_port) + " did not answer PING within 10 s");
    }
    ~RedisServer()
    {
        if (_started) cli("shutdown nosave");
    }
    RedisServer(const RedisServer&) = delete;
    RedisServer& operator=(const RedisServer&) = delete;

    std::string cli(const std::string& args) const
    {
        return capture("redis-cli -p " + std::to_string(_port) + " " + args + " 2>/dev/null");
    }
    std::string url(int db = 0) const
    {
        return "redis://127.0.0.1:" + std::to_string(_port) + "/" + std::to_string(db);
    }
    int port() const { return _port; }

  private:
    TempDir _dir;
    int _port = 0;
    bool _started = false;
};

// The behaviours every backend must have.
void checkBasics(Store& store)
{
    CPPUNIT_ASSERT(!store.get("session", "missing").has_value());

    store.put("session", "a", "one", inAnHour());
    CPPUNIT_ASSERT_EQUAL(std::string("one"), store.get("session", "a").value());
    store.put("session", "a", "two", inAnHour());
    CPPUNIT_ASSERT_EQUAL(std::string("two"), store.get("session", "a").value());

    // Namespaces do not collide, also when a key contains the separator.
    store.put("token", "a", "other", NEVER);
    store.put("session", "x:y", "colon", NEVER);
    store.put("session:x", "y", "prefixed", NEVER);
    CPPUNIT_ASSERT_EQUAL(std::string("two"), store.get("session", "a").value());
    CPPUNIT_ASSERT_EQUAL(std::string("other"), store.get("token", "a").value());

    // Values are bytes.
    // NUL, high bytes and the protocol's own CRLF.
    const std::string binary("\0\x01\xff\x80\r\n$-1\r\n tail", 16);
    store.put("bin", "k", binary, NEVER);
    CPPUNIT_ASSERT(store.get("bin", "k").value() == binary);
    store.put("bin", "empty", "", NEVER);
    CPPUNIT_ASSERT_EQUAL(std::string(), store.get("bin", "empty").value());
    const std::string big(200000, 'z');
    store.put("bin", "big", big, inAnHour());
    CPPUNIT_ASSERT(store.get("bin", "big").value() == big);

    store.erase("session", "a");
    CPPUNIT_ASSERT(!store.get("session", "a").has_value());
    CPPUNIT_ASSERT_EQUAL(std::string("other"), store.get("token", "a").value());
    store.erase("session", "never-there"); // fine

    // Expired entries are never returned, and a put can expire a live one.
    store.put("session", "old", "stale", anHourAgo());
    CPPUNIT_ASSERT(!store.get("session", "old").has_value());
    store.put("session", "live", "v", inAnHour());
    store.put("session", "live", "v", anHourAgo());
    CPPUNIT_ASSERT(!store.get("session", "live").has_value());
    store.put("session", "forever", "v", NEVER);
    CPPUNIT_ASSERT_EQUAL(std::string("v"), store.get("session", "forever").value());
}

void checkConcurrent(Store& store)
{
    constexpr int THREADS = 16;
    constexpr int ROUNDS = 150;
    std::atomic<int> failures{0};
    std::vector<std::string> errors(THREADS);
    std::vector<std::thread> threads;
    for (int t = 0; t < THREADS; ++t)
    {
        threads.emplace_back([&, t] {
            try
            {
                for (int i = 0; i < ROUNDS; ++i)
                {
                    const std::string key = "t" + std::to_string(t) + "-" + std::to_string(i);
                    const std::string value = "value-" + key;
                    store.put("conc", key, value, inAnHour());
                    const auto got = store.get("conc", key);
                    if (!got || *got != value) ++failures;
                    // A shared key every thread writes: any of them may win,
                    // but a read never sees a torn value.
                    store.put("conc", "shared", value, inAnHour());
                    const auto shared = store.get("conc", "shared");
                    if (!shared || shared->rfind("value-t", 0) != 0) ++failures;
                    if (i % 2 == 0) store.erase("conc", key);
                }
            }
            catch (const std::exception& e)
            {
                errors[static_cast<std::size_t>(t)] = e.what();
                ++failures;
            }
        });
    }
    for (auto& thread : threads) thread.join();
    for (const auto& error : errors) CPPUNIT_ASSERT_EQUAL_MESSAGE("a thread threw", std::string(), error);
    CPPUNIT_ASSERT_EQUAL(0, failures.load());
    for (int t = 0; t < THREADS; ++t)
    {
        for (int i = 0; i < ROUNDS; ++i)
        {
            const std::string key = "t" + std::to_string(t) + "-" + std::to_string(i);
            CPPUNIT_ASSERT_EQUAL(i % 2 != 0, store.get("conc", key).has_value());
        }
    }
}

// Encryption at rest, seen through the backend under an EncryptedStore.
void checkEncrypted(EncryptedStore& store)
{
    const std::string plain = "access-token-PLAINTEXT-4242";
    store.put("token", "default", plain, NEVER);
    store.put("token", "other", "second value", NEVER);
    CPPUNIT_ASSERT_EQUAL(plain, store.get("token", "default").value());

    Store& inner = *store.inner();
    const std::string sealed = inner.get("token", "default").value();
    CPPUNIT_ASSERT(sealed.find(plain) == std::string::npos);
    CPPUNIT_ASSERT(sealed.find("PLAINTEXT") == std::string::npos);
    CPPUNIT_ASSERT(sealed.size() > plain.size());

    // One flipped byte anywhere: absent, not an exception.
    for (std::size_t i = 0; i < sealed.size(); i += 7)
    {
        std::string bad = sealed;
        bad[i] = static_cast<char>(bad[i] ^ 0x20);
        inner.put("token", "default", bad, NEVER);
        CPPUNIT_ASSERT(!store.get("token", "default").has_value());
    }
    // A sealed value moved under another key does not open there.
    inner.put("token", "default", inner.get("token", "other").value(), NEVER);
    CPPUNIT_ASSERT(!store.get("token", "default").has_value());
    // Garbage written by someone else.
    inner.put("token", "default", "not sealed at all", NEVER);
    CPPUNIT_ASSERT(!store.get("token", "default").has_value());
    // Expiry and erase pass through.
    store.put("token", "gone", plain, anHourAgo());
    CPPUNIT_ASSERT(!store.get("token", "gone").has_value());
    store.erase("token", "other");
    CPPUNIT_ASSERT(!inner.get("token", "other").has_value());
}

} // namespace

class StoreTest : public CppUnit::TestFixture
{
    CPPUNIT_TEST_SUITE(StoreTest);
    CPPUNIT_TEST(testSqliteBasics);
    CPPUNIT_TEST(testSqlitePurge);
    CPPUNIT_TEST(testSqliteFileMode);
    CPPUNIT_TEST(testSqliteTightensExistingFile);
    CPPUNIT_TEST(testSqliteRestart);
    CPPUNIT_TEST(testSqliteConcurrent);
    CPPUNIT_TEST(testSqliteEncrypted);
    CPPUNIT_TEST(testSqliteEncryptedFileBytes);
    CPPUNIT_TEST(testSqliteWrongSecretAfterRestart);
    CPPUNIT_TEST(testFactoryUrls);
    CPPUNIT_TEST(testFactoryWarning);
    CPPUNIT_TEST(testRedisBasics);
    CPPUNIT_TEST(testRedisKeysAndExpiry);
    CPPUNIT_TEST(testRedisDatabase);
    CPPUNIT_TEST(testRedisReconnect);
    CPPUNIT_TEST(testRedisDownIsAnError);
    CPPUNIT_TEST(testRedisConcurrent);
    CPPUNIT_TEST(testRedisEncrypted);
    CPPUNIT_TEST(testRedisUnreachable);
    CPPUNIT_TEST_SUITE_END();

  public:
    // ---------------------------------------------------------------- SQLite

    void testSqliteBasics()
    {
        TempDir dir;
        SqliteStore store(dir.file("store.db"));
        checkBasics(store);
    }

    void testSqlitePurge()
    {
        TempDir dir;
        SqliteStore store(dir.file("store.db"));
        store.put("session", "e1", "x", anHourAgo());
        store.put("session", "e2", "x", Clock::now() - std::chrono::milliseconds(5));
        store.put("token", "e3", "x", anHourAgo());
        store.put("session", "live", "x", inAnHour());
        store.put("token", "forever", "x", NEVER);
        CPPUNIT_ASSERT_EQUAL(std::size_t(3), store.purgeExpired());
        CPPUNIT_ASSERT_EQUAL(std::size_t(0), store.purgeExpired());
        CPPUNIT_ASSERT(store.get("session", "live").has_value());
        CPPUNIT_ASSERT(store.get("token", "forever").has_value());
    }

    void testSqliteFileMode()
    {
        TempDir dir;
        const std::string path = dir.file("nested/folder/store.db");
        {
            SqliteStore store(path);
            store.put("token", "k", "v", NEVER);
            CPPUNIT_ASSERT_EQUAL(0600u, modeOf(path));
            // SQLite gives its WAL the database's mode.
            if (fs::exists(path + "-wal")) CPPUNIT_ASSERT_EQUAL(0600u, modeOf(path + "-wal"));
            // Bytes 18 and 19 of the header are 2 in WAL mode (1 for a rollback journal).
            const std::string header = readFile(path).substr(0, 20);
            CPPUNIT_ASSERT_EQUAL(std::size_t(20), header.size());
            CPPUNIT_ASSERT_EQUAL(2, static_cast<int>(header[18]));
            CPPUNIT_ASSERT_EQUAL(2, static_cast<int>(header[19]));
        }
        CPPUNIT_ASSERT_EQUAL(0600u, modeOf(path));
    }

    void testSqliteTightensExistingFile()
    {
        TempDir dir;
        const std::string path = dir.file("store.db");
        {
            std::ofstream touch(path);
        }
        ::chmod(path.c_str(), 0644);
        CPPUNIT_ASSERT_EQUAL(0644u, modeOf(path));
        SqliteStore store(path);
        CPPUNIT_ASSERT_EQUAL(0600u, modeOf(path));
        store.put("token", "k", "v", NEVER);
        CPPUNIT_ASSERT_EQUAL(std::string("v"), store.get("token", "k").value());
    }

    void testSqliteRestart()
    {
        TempDir dir;
        const std::string path = dir.file("store.db");
        {
            SqliteStore store(path);
            store.put("token", "persisted", "forever", NEVER);
            store.put("session", "s", "for an hour", inAnHour());
            store.put("session", "old", "expired", anHourAgo());
        }
        SqliteStore again(path);
        CPPUNIT_ASSERT_EQUAL(std::string("forever"), again.get("token", "persisted").value());
        CPPUNIT_ASSERT_EQUAL(std::string("for an hour"), again.get("session", "s").value());
        CPPUNIT_ASSERT(!again.get("session", "old").has_value());
    }

    void testSqliteConcurrent()
    {
        TempDir dir;
        SqliteStore store(dir.file("store.db"));
        checkConcurrent(store);
    }

    void testSqliteEncrypted()
    {
        TempDir dir;
        auto store = Store::open("sqlite:" + dir.file("store.db"), "a long random secret", nullptr);
        auto* encrypted = dynamic_cast<EncryptedStore*>(store.get());
        CPPUNIT_ASSERT(encrypted);
        CPPUNIT_ASSERT(dynamic_cast<SqliteStore*>(encrypted->inner().get()));
        checkBasics(*store);
        checkEncrypted(*encrypted);
    }

    void testSqliteEncryptedFileBytes()
    {
        TempDir dir;
        const std::string path = dir.file("store.db");
        const std::string plain = "oauth-secret-IN-CLEAR-9876";
        {
            auto store = Store::open("sqlite:" + path, "a long random secret", nullptr);
            store->put("token", "keyname-visible", plain, NEVER);
        }
        const std::string bytes = readFile(path) + readFile(path + "-wal");
        // The key is in clear (so this reads the right bytes) but the value is not.
        CPPUNIT_ASSERT(bytes.find("keyname-visible") != std::string::npos);
        CPPUNIT_ASSERT(bytes.find(plain) == std::string::npos);
        CPPUNIT_ASSERT(bytes.find("IN-CLEAR") == std::string::npos);

        // Without a secret the same value lands in clear: the check above can fail.
        {
            auto clear = Store::open("sqlite:" + dir.file("clear.db"), "", nullptr);
            clear->put("token", "k", plain, NEVER);
        }
        const std::string clearBytes = readFile(dir.file("clear.db")) + readFile(dir.file("clear.db") + "-wal");
        CPPUNIT_ASSERT(clearBytes.find(plain) != std::string::npos);
    }

    void testSqliteWrongSecretAfterRestart()
    {
        TempDir dir;
        const std::string url = "sqlite:" + dir.file("store.db");
        Store::open(url, "first secret", nullptr)->put("token", "k", "v", NEVER);
        CPPUNIT_ASSERT_EQUAL(std::string("v"), Store::open(url, "first secret", nullptr)->get("token", "k").value());
        // A changed secret makes old values unreadable, not an error: users log in again.
        CPPUNIT_ASSERT(!Store::open(url, "second secret", nullptr)->get("token", "k").has_value());
    }

    // --------------------------------------------------------------- factory

    void testFactoryUrls()
    {
        TempDir dir;
        CPPUNIT_ASSERT(dynamic_cast<SqliteStore*>(Store::open("sqlite:" + dir.file("a.db"), "", nullptr).get()));
        auto tripleSlash = Store::open("sqlite://" + dir.file("b.db"), "", nullptr);
        CPPUNIT_ASSERT_EQUAL(dir.file("b.db"), dynamic_cast<SqliteStore&>(*tripleSlash).path());
        CPPUNIT_ASSERT(fs::exists(dir.file("b.db")));

        CPPUNIT_ASSERT_THROW(Store::open("", "", nullptr), std::invalid_argument);
        CPPUNIT_ASSERT_THROW(Store::open("sqlite:", "", nullptr), std::invalid_argument);
        CPPUNIT_ASSERT_THROW(Store::open("mysql://localhost/db", "", nullptr), std::invalid_argument);
        CPPUNIT_ASSERT_THROW(Store::open("/tmp/file.db", "", nullptr), std::invalid_argument);
        CPPUNIT_ASSERT_THROW(Store::open("redis://", "", nullptr), std::invalid_argument);
        CPPUNIT_ASSERT_THROW(Store::open("redis://127.0.0.1:6379/zero", "", nullptr), std::invalid_argument);
        try
        {
            Store::open("memcached://:hunter2@host", "", nullptr);
            CPPUNIT_FAIL("no exception");
        }
        catch (const std::invalid_argument& e)
        {
            const std::string message = e.what();
            CPPUNIT_ASSERT(message.find("sqlite:") != std::string::npos);
            CPPUNIT_ASSERT(message.find("redis://") != std::string::npos);
            CPPUNIT_ASSERT_MESSAGE("a password must not reach the message",
                                   message.find("hunter2") == std::string::npos);
        }
        // A folder the store cannot create is a clear runtime error.
        CPPUNIT_ASSERT_THROW(Store::open("sqlite:/proc/birdgate/no/store.db", "", nullptr), std::runtime_error);
    }

    void testFactoryWarning()
    {
        TempDir dir;
        std::vector<std::string> warnings;
        auto plain = Store::open("sqlite:" + dir.file("a.db"), "", &warnings);
        CPPUNIT_ASSERT(dynamic_cast<SqliteStore*>(plain.get()));
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), warnings.size());
        CPPUNIT_ASSERT_EQUAL(std::string("app.secret is not set: sessions and persisted tokens are stored unencrypted"),
                             warnings[0]);

        warnings.clear();
        auto sealed = Store::open("sqlite:" + dir.file("b.db"), "secret", &warnings);
        CPPUNIT_ASSERT(dynamic_cast<EncryptedStore*>(sealed.get()));
        CPPUNIT_ASSERT(warnings.empty());
    }

    // ----------------------------------------------------------------- Redis

    void testRedisBasics()
    {
        RedisServer server;
        auto store = Store::open(server.url(), "", nullptr);
        CPPUNIT_ASSERT(dynamic_cast<RedisStore*>(store.get()));
        checkBasics(*store);
        CPPUNIT_ASSERT_EQUAL(std::size_t(0), store->purgeExpired());
    }

    void testRedisKeysAndExpiry()
    {
        RedisServer server;
        RedisStore store(server.url());
        store.put("session", "abc", "hello", inAnHour());
        store.put("token", "default", "kept", NEVER);
        CPPUNIT_ASSERT_EQUAL(std::string("hello\n"), server.cli("get birdgate:session:abc"));
        // Redis expires the entry itself: a TTL close to an hour, none for NEVER.
        const long ttl = std::stol(server.cli("pttl birdgate:session:abc"));
        CPPUNIT_ASSERT(ttl > 3500 * 1000L && ttl <= 3600 * 1000L);
        CPPUNIT_ASSERT_EQUAL(std::string("-1\n"), server.cli("pttl birdgate:token:default"));
        // Already expired: not written (and a live one is removed).
        store.put("session", "abc", "stale", anHourAgo());
        CPPUNIT_ASSERT_EQUAL(std::string("0\n"), server.cli("exists birdgate:session:abc"));
        // A short expiry really ends.
        store.put("session", "short", "v", Clock::now() + std::chrono::milliseconds(200));
        CPPUNIT_ASSERT(store.get("session", "short").has_value());
        std::this_thread::sleep_for(std::chrono::milliseconds(400));
        CPPUNIT_ASSERT(!store.get("session", "short").has_value());
        CPPUNIT_ASSERT_EQUAL(std::string("birdgate:a:b"), RedisStore::redisKey("a", "b"));
    }

    void testRedisDatabase()
    {
        RedisServer server;
        RedisStore db3(server.url(3));
        RedisStore db0(server.url(0));
        db3.put("token", "k", "in three", NEVER);
        CPPUNIT_ASSERT_EQUAL(std::string("in three"), db3.get("token", "k").value());
        CPPUNIT_ASSERT(!db0.get("token", "k").has_value());
        CPPUNIT_ASSERT_EQUAL(std::string("in three\n"), server.cli("-n 3 get birdgate:token:k"));
    }

    void testRedisReconnect()
    {
        RedisServer server;
        RedisStore store(server.url(2));
        store.put("token", "k", "v", NEVER);
        // Redis drops every client connection (as after a timeout or failover).
        server.cli("client kill type normal");
        CPPUNIT_ASSERT_EQUAL(std::string("v"), store.get("token", "k").value());
        server.cli("client kill type normal");
        store.put("token", "k2", "v2", NEVER);
        server.cli("client kill type normal");
        store.erase("token", "k");
        CPPUNIT_ASSERT(!store.get("token", "k").has_value());
        // The reconnect selected database 2 again.
        CPPUNIT_ASSERT_EQUAL(std::string("v2\n"), server.cli("-n 2 get birdgate:token:k2"));
    }

    void testRedisDownIsAnError()
    {
        auto server = std::make_unique<RedisServer>();
        RedisStore store(server->url());
        store.put("token", "k", "v", NEVER);
        server.reset();
        // Nothing listens: a clear error, not a hang or a crash.
        CPPUNIT_ASSERT_THROW(store.get("token", "k"), std::runtime_error);
        CPPUNIT_ASSERT_THROW(store.put("token", "k", "v", NEVER), std::runtime_error);
    }

    void testRedisConcurrent()
    {
        RedisServer server;
        RedisStore store(server.url());
        checkConcurrent(store);
    }

    void testRedisEncrypted()
    {
        RedisServer server;
        auto store = Store::open(server.url(), "redis secret", nullptr);
        auto* encrypted = dynamic_cast<EncryptedStore*>(store.get());
        CPPUNIT_ASSERT(encrypted);
        checkBasics(*store);
        checkEncrypted(*encrypted);
        store->put("token", "clear?", "PLAINTEXT-IN-REDIS", NEVER);
        CPPUNIT_ASSERT(server.cli("get birdgate:token:clear?").find("PLAINTEXT") == std::string::npos);
        CPPUNIT_ASSERT(!server.cli("exists birdgate:token:clear?").empty());
    }

    void testRedisUnreachable()
    {
        const int port = freePort(); // nothing listens there now
        CPPUNIT_ASSERT_THROW(Store::open("redis://127.0.0.1:" + std::to_string(port) + "/0", "", nullptr),
                             std::runtime_error);
    }
};

BIRDGATE_TEST_SUITE(StoreTest);
