// PKCE and state (RFC 7636, DESIGN.md 3.8): the S256 challenge against the
// RFC's own Appendix B vector, the verifier's length and alphabet, the state
// check (constant-time, never true for no pending login, never for a
// prefix, a longer value or another case).
#include "login/Pkce.h"

#include "TestSupport.h"

#include <cppunit/TestFixture.h>
#include <cppunit/extensions/HelperMacros.h>

#include <set>

using namespace birdgate;

class PkceTest : public CppUnit::TestFixture
{
    CPPUNIT_TEST_SUITE(PkceTest);
    CPPUNIT_TEST(testRfc7636AppendixB);
    CPPUNIT_TEST(testVerifierShape);
    CPPUNIT_TEST(testStateCheck);
    CPPUNIT_TEST_SUITE_END();

  public:
    void testRfc7636AppendixB()
    {
        // The 32 octets of RFC 7636 Appendix B, their verifier and challenge.
        const unsigned char octets[32] = {116, 24,  223, 180, 151, 153, 224, 37,  79, 250, 96, 125, 216, 173, 187, 186,
                                          22,  212, 37,  77,  105, 214, 191, 240, 91, 88,  5,  88,  83,  132, 141, 121};
        const std::string verifier = pkce::base64Url(std::string(reinterpret_cast<const char*>(octets), 32));
        CPPUNIT_ASSERT_EQUAL(std::string("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"), verifier);
        CPPUNIT_ASSERT_EQUAL(std::string("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"), pkce::challengeS256(verifier));
    }

    void testVerifierShape()
    {
        std::set<std::string> seen;
        for (int i = 0; i < 50; ++i)
        {
            const std::string v = pkce::makeVerifier();
            CPPUNIT_ASSERT(v.size() >= 43 && v.size() <= 128);
            CPPUNIT_ASSERT(v.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~") ==
                           std::string::npos);
            CPPUNIT_ASSERT_EQUAL(std::size_t(43), pkce::challengeS256(v).size());
            seen.insert(v);
            seen.insert(pkce::makeState());
        }
        CPPUNIT_ASSERT_EQUAL(std::size_t(100), seen.size()); // no repeats: random, not a counter
    }

    void testStateCheck()
    {
        const std::string kept = pkce::makeState();
        CPPUNIT_ASSERT(pkce::stateMatches(kept, kept));
        CPPUNIT_ASSERT(!pkce::stateMatches("", "")); // no login pending: nothing matches
        CPPUNIT_ASSERT(!pkce::stateMatches("", "anything"));
        CPPUNIT_ASSERT(!pkce::stateMatches(kept, ""));
        CPPUNIT_ASSERT(!pkce::stateMatches(kept, kept.substr(0, kept.size() - 1)));
        CPPUNIT_ASSERT(!pkce::stateMatches(kept, kept + "x"));
        std::string flipped = kept;
        flipped[5] = flipped[5] == 'A' ? 'B' : 'A';
        CPPUNIT_ASSERT(!pkce::stateMatches(kept, flipped));
        CPPUNIT_ASSERT(!pkce::stateMatches("abc", "ABC"));
        CPPUNIT_ASSERT(!pkce::stateMatches(kept, std::string(kept.size(), '\0')));
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(PkceTest);
