// OAuth 1.0a signer: every public vector of tests/data/oauth1.json (RFC 5849,
// Twitter's docs, oauthlib), percent-encoding, form parsing and the
// Authorization header round trip used by the sandbox to verify signatures.
#include "TestSupport.h"

#include "birdgate/twitter/OAuth1.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <fstream>
#include <sstream>

using namespace birdgate::oauth1;

namespace
{
Poco::JSON::Object::Ptr loadVectors()
{
    std::ifstream in(birdgate::test::dataPath("oauth1.json"));
    CPPUNIT_ASSERT_MESSAGE("tests/data/oauth1.json missing", in.good());
    std::stringstream ss;
    ss << in.rdbuf();
    Poco::JSON::Parser parser;
    return parser.parse(ss.str()).extract<Poco::JSON::Object::Ptr>();
}
} // namespace

class OAuth1Test : public CppUnit::TestFixture
{
    CPPUNIT_TEST_SUITE(OAuth1Test);
    CPPUNIT_TEST(testPercentEncodingVectors);
    CPPUNIT_TEST(testBaseUrlVectors);
    CPPUNIT_TEST(testSignatureVectors);
    CPPUNIT_TEST(testRepeatedKeysSortByValue);
    CPPUNIT_TEST(testPercentDecode);
    CPPUNIT_TEST(testParseForm);
    CPPUNIT_TEST(testEncodeFormRoundTrip);
    CPPUNIT_TEST(testAuthorizationHeaderRoundTrip);
    CPPUNIT_TEST(testParseAuthorizationGarbage);
    CPPUNIT_TEST(testNonce);
    CPPUNIT_TEST(testSignatureMethodNames);
    CPPUNIT_TEST_SUITE_END();

  public:
    void testPercentEncodingVectors()
    {
        auto root = loadVectors();
        auto cases = root->getArray("percent_encoding");
        CPPUNIT_ASSERT(cases->size() >= 10);
        for (size_t i = 0; i < cases->size(); ++i)
        {
            auto pair = cases->getArray(static_cast<unsigned>(i));
            std::string in = pair->getElement<std::string>(0);
            std::string want = pair->getElement<std::string>(1);
            CPPUNIT_ASSERT_EQUAL_MESSAGE(in, want, percentEncode(in));
            std::string back;
            CPPUNIT_ASSERT(percentDecode(want, back, false));
            CPPUNIT_ASSERT_EQUAL(in, back);
        }
        // Every byte outside the unreserved set is escaped, upper-case hex.
        CPPUNIT_ASSERT_EQUAL(std::string("%00%0A%0D%25%2F%3F%23%5B%5D%40"),
                             percentEncode(std::string("\0\n\r%/?#[]@", 10)));
    }

    void testBaseUrlVectors()
    {
        auto cases = loadVectors()->getArray("base_url");
        CPPUNIT_ASSERT(cases->size() >= 3);
        for (size_t i = 0; i < cases->size(); ++i)
        {
            auto c = cases->getArray(static_cast<unsigned>(i));
            CPPUNIT_ASSERT_EQUAL(c->getElement<std::string>(4),
                                 baseUrl(c->getElement<std::string>(0), c->getElement<std::string>(1),
                                         c->getElement<int>(2), c->getElement<std::string>(3)));
        }
    }

    void testSignatureVectors()
    {
        auto vectors = loadVectors()->getArray("vectors");
        CPPUNIT_ASSERT(vectors->size() >= 8);
        for (size_t i = 0; i < vectors->size(); ++i)
        {
            auto v = vectors->getObject(static_cast<unsigned>(i));
            std::string name = v->getValue<std::string>("name");
            Params params;
            auto ps = v->getArray("params");
            for (size_t j = 0; j < ps->size(); ++j)
            {
                auto p = ps->getArray(static_cast<unsigned>(j));
                params.emplace_back(p->getElement<std::string>(0), p->getElement<std::string>(1));
            }
            std::string base =
                signatureBaseString(v->getValue<std::string>("method"), v->getValue<std::string>("url"), params);
            CPPUNIT_ASSERT_EQUAL_MESSAGE(name + " base string", v->getValue<std::string>("base_string"), base);
            auto method = parseSignatureMethod(v->getValue<std::string>("signature_method"));
            std::string sig = sign(method, base, v->getValue<std::string>("consumer_secret"),
                                   v->getValue<std::string>("token_secret"));
            CPPUNIT_ASSERT_EQUAL_MESSAGE(name + " signature", v->getValue<std::string>("signature"), sig);
        }
    }

    void testRepeatedKeysSortByValue()
    {
        Params p{{"b", "2"}, {"a", "z"}, {"a", "a"}, {"a", "m"}, {"c", ""}};
        CPPUNIT_ASSERT_EQUAL(std::string("a=a&a=m&a=z&b=2&c="), normalizeParams(p));
        // Sorting is on the encoded form (RFC 5849 3.4.1.3.2).
        Params q{{"k", "~"}, {"k", "%"}, {"k", "A"}};
        CPPUNIT_ASSERT_EQUAL(std::string("k=%25&k=A&k=~"), normalizeParams(q));
    }

    void testPercentDecode()
    {
        std::string out;
        CPPUNIT_ASSERT(percentDecode("a+b%20c", out, true));
        CPPUNIT_ASSERT_EQUAL(std::string("a b c"), out);
        CPPUNIT_ASSERT(percentDecode("a+b", out, false));
        CPPUNIT_ASSERT_EQUAL(std::string("a+b"), out);
        CPPUNIT_ASSERT(percentDecode("%e2%98%83", out, false));
        CPPUNIT_ASSERT_EQUAL(std::string("\xE2\x98\x83"), out);
        CPPUNIT_ASSERT(!percentDecode("%", out, false));
        CPPUNIT_ASSERT(!percentDecode("%4", out, false));
        CPPUNIT_ASSERT(!percentDecode("%G0", out, false));
        CPPUNIT_ASSERT(!percentDecode("ab%", out, false));
        CPPUNIT_ASSERT(percentDecode("%00", out, false));
        CPPUNIT_ASSERT_EQUAL(size_t(1), out.size());
    }

    void testParseForm()
    {
        Params p;
        CPPUNIT_ASSERT(parseForm("q=beer+wine&count=1&q=x%26y&flag&=v&&", p));
        CPPUNIT_ASSERT_EQUAL(size_t(5), p.size());
        CPPUNIT_ASSERT_EQUAL(std::string("beer wine"), p[0].second);
        CPPUNIT_ASSERT_EQUAL(std::string("x&y"), p[2].second);
        CPPUNIT_ASSERT_EQUAL(std::string("flag"), p[3].first);
        CPPUNIT_ASSERT_EQUAL(std::string(""), p[3].second);
        CPPUNIT_ASSERT_EQUAL(std::string(""), p[4].first);
        Params bad;
        CPPUNIT_ASSERT(!parseForm("a=%zz", bad));
        Params empty;
        CPPUNIT_ASSERT(parseForm("", empty));
        CPPUNIT_ASSERT(empty.empty());
    }

    void testEncodeFormRoundTrip()
    {
        Params p{{"status", "Café ☕ 😀 !*'()~+&=%"}, {"q", "a b"}, {"q", "c"}};
        std::string enc = encodeForm(p);
        CPPUNIT_ASSERT(enc.find(' ') == std::string::npos);
        CPPUNIT_ASSERT(enc.find('+') == std::string::npos);
        Params back;
        CPPUNIT_ASSERT(parseForm(enc, back));
        CPPUNIT_ASSERT(back == p);
    }

    void testAuthorizationHeaderRoundTrip()
    {
        Credentials c{"ckey", "csecret", "tok", "tsecret", SignatureMethod::HmacSha1};
        Params params{{"q", "beer"}, {"count", "1"}};
        std::string url = "http://127.0.0.1:9988/sandbox/1.1/search/tweets.json";
        std::string header =
            authorizationHeader("GET", url, params, c, {{"oauth_callback", "http://x/cb?a=1"}}, "nonce1", 1318622958);
        CPPUNIT_ASSERT(header.rfind("OAuth ", 0) == 0);
        Params oauth;
        CPPUNIT_ASSERT(parseAuthorizationHeader(header, oauth));
        std::string sig;
        Params signedParams = params;
        for (auto& [k, v] : oauth)
        {
            if (k == "oauth_signature")
                sig = v;
            else
                signedParams.emplace_back(k, v);
        }
        CPPUNIT_ASSERT(!sig.empty());
        CPPUNIT_ASSERT_EQUAL(
            sign(SignatureMethod::HmacSha1, signatureBaseString("GET", url, signedParams), "csecret", "tsecret"), sig);
        bool sawCallback = false;
        for (auto& [k, v] : oauth)
            if (k == "oauth_callback") sawCallback = (v == "http://x/cb?a=1");
        CPPUNIT_ASSERT(sawCallback);
        // A changed parameter no longer verifies.
        signedParams[0].second = "wine";
        CPPUNIT_ASSERT(sign(SignatureMethod::HmacSha1, signatureBaseString("GET", url, signedParams), "csecret",
                            "tsecret") != sig);
        // Without a token there is no oauth_token.
        Credentials app{"ckey", "csecret", "", "", SignatureMethod::HmacSha256};
        std::string h2 = authorizationHeader("POST", url, {}, app);
        CPPUNIT_ASSERT(h2.find("oauth_token=") == std::string::npos);
        CPPUNIT_ASSERT(h2.find("HMAC-SHA256") != std::string::npos);
    }

    void testParseAuthorizationGarbage()
    {
        Params out;
        CPPUNIT_ASSERT(!parseAuthorizationHeader("", out));
        CPPUNIT_ASSERT(!parseAuthorizationHeader("Bearer abc", out));
        CPPUNIT_ASSERT(!parseAuthorizationHeader("OAuth", out));
        CPPUNIT_ASSERT(!parseAuthorizationHeader("OAuth a=\"unterminated", out));
        CPPUNIT_ASSERT(!parseAuthorizationHeader("OAuth a=\"%zz\"", out));
        CPPUNIT_ASSERT(!parseAuthorizationHeader("OAuth noequals", out));
        CPPUNIT_ASSERT(!parseAuthorizationHeader(std::string("OAuth \0\1\2", 9), out));
        CPPUNIT_ASSERT(parseAuthorizationHeader("oauth a=\"1\",b=2 , c=\"%20\"", out));
        CPPUNIT_ASSERT_EQUAL(size_t(3), out.size());
        CPPUNIT_ASSERT_EQUAL(std::string("2"), out[1].second);
        CPPUNIT_ASSERT_EQUAL(std::string(" "), out[2].second);
    }

    void testNonce()
    {
        std::string a = makeNonce(), b = makeNonce();
        CPPUNIT_ASSERT_EQUAL(size_t(32), a.size());
        CPPUNIT_ASSERT(a != b);
        CPPUNIT_ASSERT_EQUAL(a, percentEncode(a));
    }

    void testSignatureMethodNames()
    {
        CPPUNIT_ASSERT(parseSignatureMethod("HMAC-SHA256") == SignatureMethod::HmacSha256);
        CPPUNIT_ASSERT_THROW(parseSignatureMethod("PLAINTEXT"), std::invalid_argument);
        CPPUNIT_ASSERT_THROW(parseSignatureMethod("RSA-SHA1"), std::invalid_argument);
    }
};

BIRDGATE_TEST_SUITE(OAuth1Test);
