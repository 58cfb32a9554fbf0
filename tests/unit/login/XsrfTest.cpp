// XSRF check on a library-free Request (DESIGN.md 3.4): which headers let an
// unsafe request through, the form-field path, how the cookie is read from
// (possibly split, possibly quoted) Cookie headers, and the cookie issued.
#include "TestAnswer.h"
#include "TestSupport.h"

#include "birdgate/login/Xsrf.h"
#include "birdgate/server/Request.h"

#include <string>

using birdgate::Request;
using birdgate::Xsrf;

namespace
{
const std::string TOKEN = "0123456789abcdef0123456789abcdef";

Request withCookie(const std::string& cookieHeader)
{
    Request r;
    r.method = "POST";
    r.target = "/twitter/statuses/update.json";
    if (!cookieHeader.empty()) r.headers.push_back({"Cookie", cookieHeader});
    return r;
}
} // namespace

class XsrfTest : public CppUnit::TestFixture
{
    CPPUNIT_TEST_SUITE(XsrfTest);
    CPPUNIT_TEST(testUnsafeMethods);
    CPPUNIT_TEST(testCookie);
    CPPUNIT_TEST(testHeaders);
    CPPUNIT_TEST(testForm);
    CPPUNIT_TEST(testIssue);
    CPPUNIT_TEST_SUITE_END();

  public:
    void testUnsafeMethods()
    {
        for (const char* m : {"POST", "PUT", "PATCH", "DELETE"}) CPPUNIT_ASSERT(Xsrf::unsafeMethod(m));
        for (const char* m : {"GET", "HEAD", "OPTIONS"}) CPPUNIT_ASSERT(!Xsrf::unsafeMethod(m));
    }

    void testCookie()
    {
        CPPUNIT_ASSERT_EQUAL(TOKEN, Xsrf::cookie(withCookie("a=1; _xsrf=" + TOKEN + "; b=2")));
        CPPUNIT_ASSERT_EQUAL(TOKEN, Xsrf::cookie(withCookie("_xsrf=\"" + TOKEN + "\"")));
        // The first of two wins; split Cookie headers are all read.
        CPPUNIT_ASSERT_EQUAL(TOKEN, Xsrf::cookie(withCookie("_xsrf=" + TOKEN + "; _xsrf=ffffffffffffffffffff")));
        Request split = withCookie("a=1");
        split.headers.push_back({"cookie", "_xsrf=" + TOKEN});
        CPPUNIT_ASSERT_EQUAL(TOKEN, Xsrf::cookie(split));
        // Absent, too short, too long: none.
        CPPUNIT_ASSERT_EQUAL(std::string(), Xsrf::cookie(withCookie("")));
        CPPUNIT_ASSERT_EQUAL(std::string(), Xsrf::cookie(withCookie("x_xsrf=" + TOKEN)));
        CPPUNIT_ASSERT_EQUAL(std::string(), Xsrf::cookie(withCookie("_xsrf=short")));
        CPPUNIT_ASSERT_EQUAL(std::string(), Xsrf::cookie(withCookie("_xsrf=" + std::string(129, 'a'))));
    }

    void testHeaders()
    {
        Request r = withCookie("_xsrf=" + TOKEN);
        CPPUNIT_ASSERT(!Xsrf::passesByHeaders(r));
        Request xhr = r;
        xhr.headers.push_back({"x-requested-with", "xmlhttprequest"});
        CPPUNIT_ASSERT(Xsrf::passesByHeaders(xhr));
        Request same = withCookie("");
        same.headers.push_back({"Sec-Fetch-Site", "same-origin"});
        CPPUNIT_ASSERT(Xsrf::passesByHeaders(same));
        Request cross = withCookie("_xsrf=" + TOKEN);
        cross.headers.push_back({"Sec-Fetch-Site", "cross-site"});
        CPPUNIT_ASSERT(!Xsrf::passesByHeaders(cross));
        for (const char* name : {"X-Xsrftoken", "X-Csrftoken"})
        {
            Request echoed = withCookie("_xsrf=" + TOKEN);
            echoed.headers.push_back({name, TOKEN});
            CPPUNIT_ASSERT(Xsrf::passesByHeaders(echoed));
            Request wrong = withCookie("_xsrf=" + TOKEN);
            wrong.headers.push_back({name, "ffffffffffffffffffffffffffffffff"});
            CPPUNIT_ASSERT(!Xsrf::passesByHeaders(wrong));
            // A header token without the cookie proves nothing.
            Request noCookie = withCookie("");
            noCookie.headers.push_back({name, TOKEN});
            CPPUNIT_ASSERT(!Xsrf::passesByHeaders(noCookie));
        }
    }

    void testForm()
    {
        CPPUNIT_ASSERT(Xsrf::passesByForm(withCookie("_xsrf=" + TOKEN), TOKEN));
        CPPUNIT_ASSERT(!Xsrf::passesByForm(withCookie("_xsrf=" + TOKEN), ""));
        CPPUNIT_ASSERT(!Xsrf::passesByForm(withCookie("_xsrf=" + TOKEN), TOKEN + "0"));
        CPPUNIT_ASSERT(!Xsrf::passesByForm(withCookie(""), TOKEN));
    }

    void testIssue()
    {
        birdgate::test::TestAnswer plain;
        Xsrf::issue(plain, false);
        auto cookies = plain.all("Set-Cookie");
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), cookies.size());
        const std::string& c = cookies[0];
        CPPUNIT_ASSERT_EQUAL(std::string("_xsrf="), c.substr(0, 6));
        CPPUNIT_ASSERT_EQUAL(std::string("; Path=/; SameSite=Lax"), c.substr(6 + 32));
        // What was issued is what the check reads back.
        Request back = withCookie(c.substr(0, 6 + 32));
        CPPUNIT_ASSERT_EQUAL(c.substr(6, 32), Xsrf::cookie(back));

        birdgate::test::TestAnswer secure;
        Xsrf::issue(secure, true);
        const std::string s = secure.all("Set-Cookie").at(0);
        CPPUNIT_ASSERT(s.size() > 8 && s.substr(s.size() - 8) == "; Secure");
    }
};

BIRDGATE_TEST_SUITE(XsrfTest);
