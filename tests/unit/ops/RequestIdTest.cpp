// X-Request-Id as a client sends it is outside input: a sane id is kept so a
// request can be followed across proxies; anything that could split a header
// or a log line, forge a JSON field, or bloat every line is replaced by a
// fresh random id (garbage in, a safe id out, always).
#include "TestSupport.h"

#include "ops/RequestId.h"

#include <random>
#include <set>

using birdgate::RequestId;

namespace
{
bool isHex32(const std::string& id)
{
    if (id.size() != 32) return false;
    for (char c : id)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    return true;
}
} // namespace

class RequestIdTest : public CppUnit::TestFixture
{
    CPPUNIT_TEST_SUITE(RequestIdTest);
    CPPUNIT_TEST(testSaneIdsKept);
    CPPUNIT_TEST(testGarbageReplaced);
    CPPUNIT_TEST(testGenerated);
    CPPUNIT_TEST(testRandomGarbage);
    CPPUNIT_TEST_SUITE_END();

  public:
    void testSaneIdsKept()
    {
        for (const char* id : {"a", "abc-123", "4f0c2b6e-9d1a-4c3e-8f7a-0123456789ab", "req_1.2:3",
                               "dGVzdA+/==", "svc@host", "0123456789abcdef0123456789abcdef"})
        {
            CPPUNIT_ASSERT_MESSAGE(id, RequestId::sane(id));
            CPPUNIT_ASSERT_EQUAL(std::string(id), RequestId::accept(id));
        }
        const std::string longest(RequestId::MAX_LENGTH, 'x');
        CPPUNIT_ASSERT_EQUAL(longest, RequestId::accept(longest));
    }

    void testGarbageReplaced()
    {
        const std::string tooLong(RequestId::MAX_LENGTH + 1, 'x');
        const std::string withNul("ab\0cd", 5);
        for (const std::string& bad :
             {std::string(), tooLong, std::string("a b"), std::string("a\r\nX-Evil: 1"), std::string("a\nb"),
              std::string("\"},\"status\":200"), std::string("a\\b"), std::string("<script>"), std::string("a\tb"),
              std::string("caf\xc3\xa9"), std::string("\xff\xfe"), withNul, std::string("a,b"), std::string("a;b"),
              std::string("%0d%0a"), std::string("a'b")})
        {
            CPPUNIT_ASSERT_MESSAGE(bad, !RequestId::sane(bad));
            const std::string id = RequestId::accept(bad);
            CPPUNIT_ASSERT_MESSAGE(bad, isHex32(id));
            CPPUNIT_ASSERT(id != bad);
        }
    }

    void testGenerated()
    {
        std::set<std::string> seen;
        for (int i = 0; i < 1000; ++i)
        {
            const std::string id = RequestId::generate();
            CPPUNIT_ASSERT_MESSAGE(id, isHex32(id));
            CPPUNIT_ASSERT_MESSAGE(id, RequestId::sane(id));
            CPPUNIT_ASSERT_MESSAGE("repeated " + id, seen.insert(id).second);
        }
    }

    void testRandomGarbage()
    {
        // Whatever arrives, what comes out is sane.
        std::mt19937 rng(20261129);
        for (int i = 0; i < 20000; ++i)
        {
            std::string in(rng() % 200, '\0');
            for (char& c : in) c = static_cast<char>(rng() & 0xff);
            const std::string out = RequestId::accept(in);
            CPPUNIT_ASSERT(RequestId::sane(out));
            if (RequestId::sane(in))
                CPPUNIT_ASSERT(out == in);
            else
                CPPUNIT_ASSERT(isHex32(out));
        }
    }
};

BIRDGATE_TEST_SUITE(RequestIdTest);
