// SecretBox: sealing round-trips any bytes; every kind of damage to a sealed
// value (each byte flipped, each truncation, another key, another context,
// garbage) reads as nullopt without throwing; signatures verify only for the
// same data and key.
#include "TestSupport.h"

#include "session/SecretBox.h"

#include <set>
#include <stdexcept>
#include <string>

using birdgate::SecretBox;

class SecretBoxTest : public CppUnit::TestFixture
{
    CPPUNIT_TEST_SUITE(SecretBoxTest);
    CPPUNIT_TEST(testRoundTrip);
    CPPUNIT_TEST(testFormat);
    CPPUNIT_TEST(testNonceFresh);
    CPPUNIT_TEST(testTamperEveryByte);
    CPPUNIT_TEST(testTruncated);
    CPPUNIT_TEST(testWrongKey);
    CPPUNIT_TEST(testContextBound);
    CPPUNIT_TEST(testGarbage);
    CPPUNIT_TEST(testEmptySecretRefused);
    CPPUNIT_TEST(testSignVerify);
    CPPUNIT_TEST(testKeysIndependent);
    CPPUNIT_TEST_SUITE_END();

  public:
    void testRoundTrip()
    {
        const SecretBox box("correct horse battery staple");
        const std::string binary("a\0b\xff\x80\r\n", 7);
        const std::string big(100000, 'x');
        for (const std::string& plain : {std::string(), std::string("oauth_token=abc&secret=xyz"), binary, big})
        {
            const auto opened = box.open(box.seal(plain));
            CPPUNIT_ASSERT(opened.has_value());
            CPPUNIT_ASSERT(*opened == plain);
        }
        // A second box from the same secret (a restarted server) opens it too.
        const SecretBox again("correct horse battery staple");
        CPPUNIT_ASSERT_EQUAL(std::string("persist me"), again.open(box.seal("persist me")).value());
    }

    void testFormat()
    {
        const SecretBox box("s");
        const std::string sealed = box.seal("hello");
        CPPUNIT_ASSERT_EQUAL(SecretBox::OVERHEAD + 5, sealed.size());
        CPPUNIT_ASSERT_EQUAL(static_cast<int>(SecretBox::VERSION),
                             static_cast<int>(static_cast<unsigned char>(sealed[0])));
        CPPUNIT_ASSERT(sealed.find("hello") == std::string::npos);
    }

    void testNonceFresh()
    {
        const SecretBox box("s");
        std::set<std::string> seen;
        for (int i = 0; i < 100; ++i) seen.insert(box.seal("same text"));
        CPPUNIT_ASSERT_EQUAL(std::size_t(100), seen.size());
    }

    void testTamperEveryByte()
    {
        const SecretBox box("tamper");
        const std::string context("token\0default", 13);
        const std::string sealed = box.seal("access_token_secret=0123456789", context);
        for (std::size_t i = 0; i < sealed.size(); ++i)
        {
            for (const unsigned char mask : {0x01, 0x80, 0xff})
            {
                std::string bad = sealed;
                bad[i] = static_cast<char>(static_cast<unsigned char>(bad[i]) ^ mask);
                CPPUNIT_ASSERT_MESSAGE("byte " + std::to_string(i), !box.open(bad, context).has_value());
            }
        }
        // Appending bytes is tampering too.
        CPPUNIT_ASSERT(!box.open(sealed + "x", context).has_value());
        CPPUNIT_ASSERT(box.open(sealed, context).has_value());
    }

    void testTruncated()
    {
        const SecretBox box("trunc");
        const std::string sealed = box.seal("some value worth keeping");
        for (std::size_t n = 0; n < sealed.size(); ++n)
            CPPUNIT_ASSERT_MESSAGE("length " + std::to_string(n), !box.open(sealed.substr(0, n)).has_value());
        // Empty plaintext: the shortest valid value, and each prefix of it fails.
        const std::string empty = box.seal("");
        CPPUNIT_ASSERT_EQUAL(SecretBox::OVERHEAD, empty.size());
        CPPUNIT_ASSERT(box.open(empty).value().empty());
        CPPUNIT_ASSERT(!box.open(empty.substr(0, SecretBox::OVERHEAD - 1)).has_value());
    }

    void testWrongKey()
    {
        const SecretBox a("secret-a");
        const SecretBox b("secret-b");
        const SecretBox aa("secret-aa");
        const std::string sealed = a.seal("value");
        CPPUNIT_ASSERT(!b.open(sealed).has_value());
        CPPUNIT_ASSERT(!aa.open(sealed).has_value());
        CPPUNIT_ASSERT(a.open(sealed).has_value());
    }

    void testContextBound()
    {
        const SecretBox box("ctx");
        const std::string sealed = box.seal("value", std::string("session\0id1", 11));
        CPPUNIT_ASSERT(box.open(sealed, std::string("session\0id1", 11)).has_value());
        CPPUNIT_ASSERT(!box.open(sealed, std::string("session\0id2", 11)).has_value());
        CPPUNIT_ASSERT(!box.open(sealed).has_value());
        CPPUNIT_ASSERT(!box.open(box.seal("value"), "session").has_value());
    }

    void testGarbage()
    {
        const SecretBox box("garbage");
        CPPUNIT_ASSERT(!box.open("").has_value());
        CPPUNIT_ASSERT(!box.open("x").has_value());
        CPPUNIT_ASSERT(!box.open(std::string(SecretBox::OVERHEAD, '\0')).has_value());
        CPPUNIT_ASSERT(!box.open(std::string(SecretBox::OVERHEAD + 10, '\x01')).has_value());
        CPPUNIT_ASSERT(!box.open(std::string(4096, '\xff')).has_value());
        // Right length and version byte, random rest.
        std::string forged = box.seal("0123456789");
        for (std::size_t i = 1; i < forged.size(); ++i) forged[i] = static_cast<char>(i * 37);
        CPPUNIT_ASSERT(!box.open(forged).has_value());
        // Wrong version byte on an otherwise valid value.
        std::string versioned = box.seal("v");
        versioned[0] = 0x02;
        CPPUNIT_ASSERT(!box.open(versioned).has_value());
    }

    void testEmptySecretRefused() { CPPUNIT_ASSERT_THROW(SecretBox(""), std::invalid_argument); }

    void testSignVerify()
    {
        const SecretBox box("signing");
        const std::string sig = box.sign("session-id-123");
        CPPUNIT_ASSERT_EQUAL(std::size_t(43), sig.size());
        CPPUNIT_ASSERT(sig.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
                       std::string::npos);
        CPPUNIT_ASSERT_EQUAL(sig, box.sign("session-id-123"));
        CPPUNIT_ASSERT(box.verify("session-id-123", sig));
        CPPUNIT_ASSERT(!box.verify("session-id-124", sig));
        CPPUNIT_ASSERT(!box.verify("session-id-123", sig.substr(0, 42)));
        CPPUNIT_ASSERT(!box.verify("session-id-123", ""));
        CPPUNIT_ASSERT(!box.verify("session-id-123", sig + "A"));
        std::string bad = sig;
        bad[10] = bad[10] == 'A' ? 'B' : 'A';
        CPPUNIT_ASSERT(!box.verify("session-id-123", bad));
        CPPUNIT_ASSERT(!SecretBox("other").verify("session-id-123", sig));
        CPPUNIT_ASSERT(box.verify("", box.sign("")));
    }

    void testKeysIndependent()
    {
        // Known answer computed independently (Python hmac/hashlib):
        // HMAC-SHA256(HKDF-SHA256(ikm "k", salt "birdgate", info "birdgate sign v1"), "x").
        // A change here would invalidate every signature already handed out.
        const SecretBox box("k");
        CPPUNIT_ASSERT_EQUAL(std::string("G1cmeUX-nY0XYzD07RrvIhNP81jj7ivbdHg-gDxHxCs"), box.sign("x"));
        CPPUNIT_ASSERT(box.sign("x") != SecretBox("K").sign("x"));
    }
};

BIRDGATE_TEST_SUITE(SecretBoxTest);
