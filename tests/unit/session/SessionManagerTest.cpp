// SessionManager: ids of the promised shape from a CSPRNG, sessions found
// through the Cookie header however messy it is, forged / malformed / expired
// ids refused (malformed ones without touching the store), rotation dropping
// the old id, the Set-Cookie attributes, the HTTPS decision, and the
// once-a-minute purge.
#include "TestAnswer.h"
#include "TestSupport.h"
#include "birdgate/server/Request.h"

#include "birdgate/session/SessionManager.h"
#include "session/EncryptedStore.h"
#include "session/SecretBox.h"
#include "session/SqliteStore.h"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPRequest.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>

#include <unistd.h>

using birdgate::Session;
using birdgate::SessionManager;
using birdgate::Store;
namespace fs = std::filesystem;
using Clock = std::chrono::system_clock;

namespace
{

// Counts what reaches the backend, so tests can show a lookup did not happen.
class CountingStore : public Store
{
  public:
    explicit CountingStore(std::shared_ptr<Store> inner) : _inner(std::move(inner)) {}

    std::optional<std::string> get(const std::string& ns, const std::string& key) override
    {
        ++gets;
        return _inner->get(ns, key);
    }
    void put(const std::string& ns, const std::string& key, const std::string& value, TimePoint expires) override
    {
        lastExpires = expires;
        _inner->put(ns, key, value, expires);
    }
    void erase(const std::string& ns, const std::string& key) override { _inner->erase(ns, key); }
    std::size_t purgeExpired() override
    {
        ++purges;
        return _inner->purgeExpired();
    }

    int gets = 0;
    int purges = 0;
    TimePoint lastExpires{};

  private:
    std::shared_ptr<Store> _inner;
};

} // namespace

class SessionManagerTest : public CppUnit::TestFixture
{
    CPPUNIT_TEST_SUITE(SessionManagerTest);
    CPPUNIT_TEST(testCreate);
    CPPUNIT_TEST(testSaveLoadThroughRequest);
    CPPUNIT_TEST(testDataRoundTrip);
    CPPUNIT_TEST(testSaveExpiry);
    CPPUNIT_TEST(testForgedId);
    CPPUNIT_TEST(testMalformedNoLookup);
    CPPUNIT_TEST(testGarbageAroundValidCookie);
    CPPUNIT_TEST(testDuplicatedCookie);
    CPPUNIT_TEST(testExpired);
    CPPUNIT_TEST(testCorruptStoredData);
    CPPUNIT_TEST(testRotate);
    CPPUNIT_TEST(testDestroy);
    CPPUNIT_TEST(testCookieHeader);
    CPPUNIT_TEST(testCustomCookieName);
    CPPUNIT_TEST(testIsSecure);
    CPPUNIT_TEST(testPurgeAtMostOncePerInterval);
    CPPUNIT_TEST(testConstructorChecks);
    CPPUNIT_TEST(testSaveRejectsForeignId);
    CPPUNIT_TEST(testWellFormedId);
    CPPUNIT_TEST_SUITE_END();

  public:
    void setUp() override
    {
        _dir = fs::temp_directory_path() / ("birdgate-session-" + std::to_string(::getpid()) + "-" +
                                            std::to_string(Clock::now().time_since_epoch().count()));
        // The usual production shape: SQLite under encryption.
        auto sqlite = std::make_shared<birdgate::SqliteStore>((_dir / "store.db").string());
        _backend = sqlite;
        _counting = std::make_shared<CountingStore>(
            std::make_shared<birdgate::EncryptedStore>(sqlite, birdgate::SecretBox("session test secret")));
        _manager = std::make_unique<SessionManager>(_counting, 3600);
    }

    void tearDown() override
    {
        _manager.reset();
        _counting.reset();
        _backend.reset();
        std::error_code ec;
        fs::remove_all(_dir, ec);
    }

    void testCreate()
    {
        std::set<std::string> ids;
        for (int i = 0; i < 1000; ++i)
        {
            const Session session = _manager->create();
            CPPUNIT_ASSERT_EQUAL(std::size_t(43), session.id.size());
            CPPUNIT_ASSERT(SessionManager::isWellFormedId(session.id));
            CPPUNIT_ASSERT(session.data.empty());
            ids.insert(session.id);
        }
        CPPUNIT_ASSERT_EQUAL(std::size_t(1000), ids.size());
        // Not stored until saved.
        const Session session = _manager->create();
        CPPUNIT_ASSERT(!_manager->loadFromCookieHeader("sid=" + session.id).has_value());
    }

    void testSaveLoadThroughRequest()
    {
        Session session = _manager->create();
        session.data["user"] = "jack";
        session.data["access_key"] = "123-abc";
        _manager->save(session);

        birdgate::Request request;
        request.method = "GET";
        request.target = "/twitter/x";
        CPPUNIT_ASSERT(!_manager->load(request).has_value());
        request.headers.push_back({"Cookie", "_xsrf=2|abc; sid=" + session.id + "; theme=dark"});
        auto loaded = _manager->load(request);
        CPPUNIT_ASSERT(loaded.has_value());
        CPPUNIT_ASSERT_EQUAL(session.id, loaded->id);
        CPPUNIT_ASSERT(session.data == loaded->data);

        // Cookies split over several Cookie headers (as HTTP/2 proxies send them).
        birdgate::Request split;
        split.headers.push_back({"Cookie", "a=b"});
        split.headers.push_back({"cookie", "sid=" + session.id});
        CPPUNIT_ASSERT_EQUAL(std::string("jack"), _manager->load(split).value().data.at("user"));

        // Poco's own cookie writer produces something we read.
        Poco::Net::HTTPRequest viaPoco(Poco::Net::HTTPRequest::HTTP_GET, "/", Poco::Net::HTTPMessage::HTTP_1_1);
        Poco::Net::NameValueCollection cookies;
        cookies.add("x", "1");
        cookies.add("sid", session.id);
        viaPoco.setCookies(cookies);
        birdgate::Request written;
        written.headers.push_back({"Cookie", viaPoco.get("Cookie")});
        CPPUNIT_ASSERT(_manager->load(written).has_value());
    }

    void testDataRoundTrip()
    {
        Session session = _manager->create();
        session.data["quotes"] = "say \"hi\" \\ back\\slash";
        session.data["controls"] = std::string("tab\tnl\ncr\r\x01 end");
        session.data["utf8"] = "caf\xc3\xa9 \xf0\x9f\x90\xa6";
        session.data["json"] = "{\"id\":1234567890123456789,\"a\":[1,2]}";
        session.data["empty"] = "";
        session.data[""] = "empty name";
        session.data["del"] = "\x7f";
        _manager->save(session);

        // What is stored is JSON any other tool reads (here Poco's parser).
        const std::string stored = _counting->get(SessionManager::NAMESPACE, session.id).value();
        Poco::JSON::Parser parser;
        const auto object = parser.parse(stored).extract<Poco::JSON::Object::Ptr>();
        CPPUNIT_ASSERT_EQUAL(session.data.at("utf8"), object->getValue<std::string>("utf8"));
        CPPUNIT_ASSERT_EQUAL(session.data.at("quotes"), object->getValue<std::string>("quotes"));
        CPPUNIT_ASSERT_EQUAL(session.data.at("controls"), object->getValue<std::string>("controls"));

        // Bytes that are not UTF-8 still come back exactly (Poco::JSON would lose the session).
        session.data["bytes"] = std::string("\xff\xc3(\x80\0z", 6);
        _manager->save(session);
        const auto loaded = _manager->loadFromCookieHeader("sid=" + session.id);
        CPPUNIT_ASSERT(loaded.has_value());
        for (const auto& [name, value] : session.data) CPPUNIT_ASSERT_EQUAL_MESSAGE(name, value, loaded->data.at(name));
        CPPUNIT_ASSERT_EQUAL(session.data.size(), loaded->data.size());

        // JSON escapes another writer may use are understood.
        const Session other = _manager->create();
        _counting->put(SessionManager::NAMESPACE, other.id,
                       " { \"a\" : \"\\u00e9\\ud83d\\udc26\\n\\/\\t\\\"\" ,\"b\":\"\"}\n", Store::NEVER);
        const auto escaped = _manager->loadFromCookieHeader("sid=" + other.id);
        CPPUNIT_ASSERT(escaped.has_value());
        CPPUNIT_ASSERT_EQUAL(std::string("\xc3\xa9\xf0\x9f\x90\xa6\n/\t\""), escaped->data.at("a"));
        CPPUNIT_ASSERT_EQUAL(std::string(), escaped->data.at("b"));
    }

    void testSaveExpiry()
    {
        const auto before = Clock::now();
        const Session session = _manager->create();
        _manager->save(session);
        const auto after = Clock::now();
        CPPUNIT_ASSERT(_counting->lastExpires >= before + std::chrono::seconds(3600));
        CPPUNIT_ASSERT(_counting->lastExpires <= after + std::chrono::seconds(3600));
    }

    void testForgedId()
    {
        Session real = _manager->create();
        _manager->save(real);
        // Right shape, never issued.
        const std::string forged(42, 'A');
        CPPUNIT_ASSERT(!_manager->loadFromCookieHeader("sid=" + forged + "A").has_value());
        CPPUNIT_ASSERT(!_manager->loadFromCookieHeader("sid=" + _manager->create().id).has_value());
        // The real id with one character changed.
        std::string near = real.id;
        near[5] = near[5] == 'a' ? 'b' : 'a';
        CPPUNIT_ASSERT(!_manager->loadFromCookieHeader("sid=" + near).has_value());
        CPPUNIT_ASSERT(_manager->loadFromCookieHeader("sid=" + real.id).has_value());
    }

    void testMalformedNoLookup()
    {
        Session real = _manager->create();
        _manager->save(real);
        const std::string id = real.id;
        const std::string garbage[] = {
            "",
            ";",
            ";;;;",
            "sid",
            "sid=",
            "=",
            "==",
            "=" + id,
            "sid" + id,
            "sid=short",
            "sid=" + id + "x",
            "sid=" + id.substr(1),
            "sid=" + id.substr(0, 42) + "B", // spare bits set: not a 256-bit id
            "sid=" + id.substr(0, 20) + "+" + id.substr(21),
            "sid=" + id.substr(0, 20) + "/" + id.substr(21),
            "sid=" + id.substr(0, 20) + "=" + id.substr(21),
            "sid=" + id.substr(0, 20) + " " + id.substr(21),
            "sid=" + id.substr(0, 20) + "\xff" + id.substr(21),
            "sid=\"" + id,
            "sid=" + id + "\"",
            "sid=\"\"",
            "sid=\"",
            "SID=" + id,
            "sid_=" + id,
            "xsid=" + id,
            "s id=" + id,
            std::string("sid=\0", 5) + id,
            "sid=" + id.substr(0, 10) + std::string("\0", 1) + id.substr(11),
            "\x80\x81\xfe\xff=\xc3\x28; \xe2\x82=\xa1",
            std::string(100000, 'x'),
            std::string(100000, ';'),
            std::string(50000, '='),
            "sid=" + std::string(100000, 'A'),
        };
        for (const auto& header : garbage)
        {
            const int before = _counting->gets;
            std::optional<Session> loaded;
            CPPUNIT_ASSERT_NO_THROW(loaded = _manager->loadFromCookieHeader(header));
            CPPUNIT_ASSERT_MESSAGE(header.substr(0, 60), !loaded.has_value());
            CPPUNIT_ASSERT_EQUAL_MESSAGE("store looked up for " + header.substr(0, 60), before, _counting->gets);
        }
        // Destroying a malformed id touches nothing either.
        _manager->destroy("../../etc");
        CPPUNIT_ASSERT(_manager->loadFromCookieHeader("sid=" + id).has_value());
    }

    void testGarbageAroundValidCookie()
    {
        Session real = _manager->create();
        real.data["k"] = "v";
        _manager->save(real);
        const std::string id = real.id;
        const std::string headers[] = {
            "sid=" + id,
            "sid=\"" + id + "\"",
            "  sid = " + id + "  ",
            "\tsid=" + id + "\t",
            "a; b=; =c; sid=" + id + "; ;; d",
            "\xff\xfe=\x80; sid=" + id + "; z=\xc3",
            std::string(100000, 'x') + "; sid=" + id,
            "sid=short; sid=; sid=" + id,
            "sid=" + id + ";",
        };
        for (const auto& header : headers)
        {
            const auto loaded = _manager->loadFromCookieHeader(header);
            CPPUNIT_ASSERT_MESSAGE(header.substr(0, 60), loaded.has_value());
            CPPUNIT_ASSERT_EQUAL(id, loaded->id);
            CPPUNIT_ASSERT_EQUAL(std::string("v"), loaded->data.at("k"));
        }
    }

    void testDuplicatedCookie()
    {
        Session first = _manager->create();
        first.data["who"] = "first";
        _manager->save(first);
        Session second = _manager->create();
        second.data["who"] = "second";
        _manager->save(second);
        const std::string forged = _manager->create().id;

        // A stale or forged one ahead of the real one: the real one is used.
        auto loaded = _manager->loadFromCookieHeader("sid=" + forged + "; sid=" + second.id);
        CPPUNIT_ASSERT_EQUAL(std::string("second"), loaded.value().data.at("who"));
        // Two live ones: the first (browsers send the most specific first).
        loaded = _manager->loadFromCookieHeader("sid=" + first.id + "; sid=" + second.id);
        CPPUNIT_ASSERT_EQUAL(std::string("first"), loaded.value().data.at("who"));

        // Hundreds of well-formed duplicates cost a bounded number of lookups.
        std::string flood;
        for (int i = 0; i < 300; ++i) flood += "sid=" + _manager->create().id + "; ";
        const int before = _counting->gets;
        CPPUNIT_ASSERT(!_manager->loadFromCookieHeader(flood + "sid=" + first.id).has_value());
        CPPUNIT_ASSERT(_counting->gets - before <= 4);
        CPPUNIT_ASSERT(_counting->gets - before >= 1);
    }

    void testExpired()
    {
        Session session = _manager->create();
        _manager->save(session);
        CPPUNIT_ASSERT(_manager->loadFromCookieHeader("sid=" + session.id).has_value());
        // The same row, now in the past.
        _counting->put(SessionManager::NAMESPACE, session.id, "{\"a\":\"b\"}", Clock::now() - std::chrono::seconds(1));
        CPPUNIT_ASSERT(!_manager->loadFromCookieHeader("sid=" + session.id).has_value());
    }

    void testCorruptStoredData()
    {
        // Anything but an object of strings is not a session we wrote.
        const std::string values[] = {"",
                                      "not json",
                                      "[1,2]",
                                      "\"str\"",
                                      "null",
                                      "{",
                                      "{\"a\":",
                                      "{\"a\":\"b\"",
                                      "{\"a\":\"b\",}",
                                      "{\"a\":\"b\"} x",
                                      "{\"a\":1}",
                                      "{\"a\":\"\\q\"}",
                                      "{\"a\":\"\\u12\"}",
                                      "{\"a\":\"\\ud83d\"}",
                                      "{\"a\":\"\\udc26\"}",
                                      "{\"a\":\"\\",
                                      "{a:\"b\"}"};
        for (const auto& value : values)
        {
            const Session session = _manager->create();
            _counting->put(SessionManager::NAMESPACE, session.id, value, Store::NEVER);
            std::optional<Session> loaded;
            CPPUNIT_ASSERT_NO_THROW(loaded = _manager->loadFromCookieHeader("sid=" + session.id));
            CPPUNIT_ASSERT_MESSAGE(value, !loaded.has_value());
        }
        // The empty object is a session with no data.
        const Session empty = _manager->create();
        _counting->put(SessionManager::NAMESPACE, empty.id, " {} ", Store::NEVER);
        CPPUNIT_ASSERT(_manager->loadFromCookieHeader("sid=" + empty.id).value().data.empty());
        // A row sealed under another secret (the secret changed) reads as no session.
        const Session other = _manager->create();
        _backend->put(SessionManager::NAMESPACE, other.id, birdgate::SecretBox("old").seal("{}"), Store::NEVER);
        CPPUNIT_ASSERT(!_manager->loadFromCookieHeader("sid=" + other.id).has_value());
    }

    void testRotate()
    {
        Session anonymous = _manager->create();
        anonymous.data["oauth_token"] = "request-token";
        _manager->save(anonymous);

        Session loggedIn = _manager->rotate(anonymous);
        CPPUNIT_ASSERT(loggedIn.id != anonymous.id);
        CPPUNIT_ASSERT(SessionManager::isWellFormedId(loggedIn.id));
        CPPUNIT_ASSERT(loggedIn.data == anonymous.data);
        CPPUNIT_ASSERT(!_manager->loadFromCookieHeader("sid=" + anonymous.id).has_value());
        const auto loaded = _manager->loadFromCookieHeader("sid=" + loggedIn.id);
        CPPUNIT_ASSERT(loaded.has_value());
        CPPUNIT_ASSERT_EQUAL(std::string("request-token"), loaded->data.at("oauth_token"));

        // Rotating a session that was never stored (no cookie yet) works too.
        Session fresh = _manager->create();
        fresh.data["x"] = "y";
        const Session rotated = _manager->rotate(fresh);
        CPPUNIT_ASSERT_EQUAL(std::string("y"),
                             _manager->loadFromCookieHeader("sid=" + rotated.id).value().data.at("x"));
    }

    void testDestroy()
    {
        Session session = _manager->create();
        _manager->save(session);
        _manager->destroy(session.id);
        CPPUNIT_ASSERT(!_manager->loadFromCookieHeader("sid=" + session.id).has_value());
        _manager->destroy(session.id); // twice is fine
        _manager->destroy("");
    }

    void testCookieHeader()
    {
        Session session = _manager->create();
        CPPUNIT_ASSERT_EQUAL("sid=" + session.id + "; Path=/; HttpOnly; SameSite=Lax; Max-Age=3600",
                             _manager->cookieHeader(session, false));
        CPPUNIT_ASSERT_EQUAL("sid=" + session.id + "; Path=/; HttpOnly; SameSite=Lax; Max-Age=3600; Secure",
                             _manager->cookieHeader(session, true));

        birdgate::test::TestAnswer answer;
        _manager->setCookie(answer, session, true);
        CPPUNIT_ASSERT_EQUAL(_manager->cookieHeader(session, true), *answer.find("Set-Cookie"));

        birdgate::test::TestAnswer logout;
        _manager->clearCookie(logout, false);
        CPPUNIT_ASSERT_EQUAL(std::string("sid=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0"),
                             *logout.find("Set-Cookie"));

        // Both can go out on one answer (logout + new anonymous session).
        birdgate::test::TestAnswer both;
        _manager->clearCookie(both, true);
        _manager->setCookie(both, session, true);
        CPPUNIT_ASSERT_EQUAL(std::size_t(2), both.all("Set-Cookie").size());
    }

    void testCustomCookieName()
    {
        SessionManager manager(_counting, 60, "bg_session");
        Session session = manager.create();
        session.data["a"] = "b";
        manager.save(session);
        CPPUNIT_ASSERT(!manager.loadFromCookieHeader("sid=" + session.id).has_value());
        CPPUNIT_ASSERT(manager.loadFromCookieHeader("sid=x; bg_session=" + session.id).has_value());
        CPPUNIT_ASSERT_EQUAL("bg_session=" + session.id + "; Path=/; HttpOnly; SameSite=Lax; Max-Age=60",
                             manager.cookieHeader(session, false));
    }

    void testIsSecure()
    {
        CPPUNIT_ASSERT(SessionManager::isSecure("", true));
        CPPUNIT_ASSERT(SessionManager::isSecure("http", true));
        CPPUNIT_ASSERT(SessionManager::isSecure("https", false));
        CPPUNIT_ASSERT(SessionManager::isSecure("HTTPS", false));
        CPPUNIT_ASSERT(SessionManager::isSecure(" https ", false));
        CPPUNIT_ASSERT(SessionManager::isSecure("https, http", false));
        CPPUNIT_ASSERT(!SessionManager::isSecure("http, https", false));
        CPPUNIT_ASSERT(!SessionManager::isSecure("", false));
        CPPUNIT_ASSERT(!SessionManager::isSecure("http", false));
        CPPUNIT_ASSERT(!SessionManager::isSecure("httpsx", false));
        CPPUNIT_ASSERT(!SessionManager::isSecure("wss", false));
        // From a Request: its own TLS flag, or the proxy's X-Forwarded-Proto.
        birdgate::Request direct;
        CPPUNIT_ASSERT(!SessionManager::isSecure(direct));
        direct.tls = true;
        CPPUNIT_ASSERT(SessionManager::isSecure(direct));
        birdgate::Request proxied;
        proxied.headers.push_back({"x-forwarded-proto", "https"});
        CPPUNIT_ASSERT(SessionManager::isSecure(proxied));
    }

    void testPurgeAtMostOncePerInterval()
    {
        // An expired row from an earlier run is purged by the first save.
        _backend->put(SessionManager::NAMESPACE, "expired-row", "x", Clock::now() - std::chrono::hours(1));
        for (int i = 0; i < 20; ++i) _manager->save(_manager->create());
        CPPUNIT_ASSERT_EQUAL(1, _counting->purges);
        CPPUNIT_ASSERT_EQUAL(std::size_t(0), _backend->purgeExpired());
        // The explicit call (for a timer) always runs.
        _manager->purgeExpired();
        CPPUNIT_ASSERT_EQUAL(2, _counting->purges);
    }

    void testConstructorChecks()
    {
        CPPUNIT_ASSERT_THROW(SessionManager(nullptr, 60), std::invalid_argument);
        CPPUNIT_ASSERT_THROW(SessionManager(_counting, 0), std::invalid_argument);
        CPPUNIT_ASSERT_THROW(SessionManager(_counting, -5), std::invalid_argument);
        CPPUNIT_ASSERT_THROW(SessionManager(_counting, 60, ""), std::invalid_argument);
        CPPUNIT_ASSERT_THROW(SessionManager(_counting, 60, "s id"), std::invalid_argument);
        CPPUNIT_ASSERT_THROW(SessionManager(_counting, 60, "sid;"), std::invalid_argument);
        CPPUNIT_ASSERT_THROW(SessionManager(_counting, 60, "sid="), std::invalid_argument);
        CPPUNIT_ASSERT_THROW(SessionManager(_counting, 60, "s\xc3\xa9"), std::invalid_argument);
        CPPUNIT_ASSERT_NO_THROW(SessionManager(_counting, 60, "__Host-sid"));
    }

    void testSaveRejectsForeignId()
    {
        CPPUNIT_ASSERT_THROW(_manager->save(Session{"chosen-by-the-client", {}}), std::invalid_argument);
        CPPUNIT_ASSERT_THROW(_manager->save(Session{"", {}}), std::invalid_argument);
    }

    void testWellFormedId()
    {
        const std::string ok = _manager->create().id;
        CPPUNIT_ASSERT(SessionManager::isWellFormedId(ok));
        CPPUNIT_ASSERT(SessionManager::isWellFormedId(std::string(42, '-') + "w"));
        CPPUNIT_ASSERT(!SessionManager::isWellFormedId(std::string(42, '-') + "x"));
        CPPUNIT_ASSERT(!SessionManager::isWellFormedId(std::string(44, 'A')));
        CPPUNIT_ASSERT(!SessionManager::isWellFormedId(std::string(64, 'a')));
        CPPUNIT_ASSERT(!SessionManager::isWellFormedId(""));
    }

  private:
    fs::path _dir;
    std::shared_ptr<Store> _backend;
    std::shared_ptr<CountingStore> _counting;
    std::unique_ptr<SessionManager> _manager;
};

BIRDGATE_TEST_SUITE(SessionManagerTest);
