// Fuzzes SessionManager::loadFromCookieHeader, which reads the Cookie header
// of every request, and the session codec behind it (a JSON object of strings
// in the store).
//
// Input: the Cookie header up to the first '\n'; the rest, when present, is
// what the store answers for any session id not saved by this target (a
// stored value that is garbage: a damaged row, a foreign writer). The store
// is an in-memory map, written here.
//
// Properties: never a crash; a loaded session has a well-formed id that the
// header names; the session saved under KNOWN_ID loads back exactly; data
// made of the fuzz bytes survives save() and loadFromCookieHeader() unchanged
// (the codec is byte-exact).
#include "FuzzCheck.h"

#include "birdgate/session/SessionManager.h"
#include "birdgate/session/Store.h"

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

using namespace birdgate;

namespace
{
class MemoryStore : public Store
{
  public:
    std::optional<std::string> get(const std::string& ns, const std::string& key) override
    {
        std::lock_guard lock(_mutex);
        auto it = _rows.find({ns, key});
        if (it != _rows.end()) return it->second;
        return fallback;
    }

    void put(const std::string& ns, const std::string& key, const std::string& value, TimePoint) override
    {
        std::lock_guard lock(_mutex);
        _rows[{ns, key}] = value;
    }

    void erase(const std::string& ns, const std::string& key) override
    {
        std::lock_guard lock(_mutex);
        _rows.erase({ns, key});
    }

    std::size_t purgeExpired() override { return 0; }

    std::optional<std::string> fallback; // what unknown keys answer

  private:
    std::mutex _mutex;
    std::map<std::pair<std::string, std::string>, std::string> _rows;
};

// 43 base64url characters, the last with its two spare bits zero.
const std::string KNOWN_ID = "KnownSessionId0123456789abcdefghijklmnopqrA";
const std::string ROUND_TRIP_ID = "RoundTripSessionId_0123456789-abcdefghijklE";

struct Fixture
{
    std::shared_ptr<MemoryStore> store = std::make_shared<MemoryStore>();
    SessionManager sessions{store, 3600};
    std::map<std::string, std::string> known{{"user", "gramener"},
                                             {"token:demo-consumer-key", "{\"key\":\"k\",\"secret\":\"s\"}"},
                                             {"weird \"\\\x01\x7f\xff", "\xc3\xa9\n\t"}};

    Fixture()
    {
        FUZZ_CHECK(SessionManager::isWellFormedId(KNOWN_ID), KNOWN_ID);
        FUZZ_CHECK(SessionManager::isWellFormedId(ROUND_TRIP_ID), ROUND_TRIP_ID);
        sessions.save(Session{KNOWN_ID, known});
    }
};
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    static Fixture fixture;
    const std::string_view input = fuzz::bytes(data, size);
    const size_t newline = input.find('\n');
    const std::string header(input.substr(0, newline));
    if (newline == std::string_view::npos)
        fixture.store->fallback.reset();
    else
        fixture.store->fallback = std::string(input.substr(newline + 1));

    const auto session = fixture.sessions.loadFromCookieHeader(header);
    if (session)
    {
        FUZZ_CHECK(SessionManager::isWellFormedId(session->id), "loaded id " + fuzz::printable(session->id));
        FUZZ_CHECK(header.find(session->id) != std::string::npos,
                   "id " + session->id + " not in " + fuzz::printable(header));
        if (session->id == KNOWN_ID) FUZZ_CHECK(session->data == fixture.known, "the known session changed");
    }

    // The codec round trip, on data made of the input's bytes.
    const std::string rest(newline == std::string_view::npos ? input : input.substr(newline + 1));
    Session saved{ROUND_TRIP_ID, {{header, rest}, {"rest", rest}, {rest, ""}}};
    fixture.sessions.save(saved);
    const auto loaded = fixture.sessions.loadFromCookieHeader("a=b; sid=" + ROUND_TRIP_ID + "; c=d");
    FUZZ_CHECK(loaded && loaded->id == ROUND_TRIP_ID, "the saved session did not load");
    FUZZ_CHECK(loaded->data == saved.data, "session data changed through the store: " + fuzz::printable(rest));
    fixture.sessions.destroy(ROUND_TRIP_ID);
    return 0;
}
