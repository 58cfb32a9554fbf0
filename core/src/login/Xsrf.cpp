// Xsrf; see Xsrf.h.
#include "birdgate/login/Xsrf.h"

#include "birdgate/twitter/OAuth1.h"

#include <Poco/Net/NameValueCollection.h>
#include <Poco/String.h>

#include <openssl/rand.h>

namespace birdgate
{

bool Xsrf::unsafeMethod(const std::string& method)
{
    return method == "POST" || method == "PUT" || method == "PATCH" || method == "DELETE";
}

std::string Xsrf::cookie(const Poco::Net::HTTPServerRequest& request)
{
    Poco::Net::NameValueCollection cookies;
    try
    {
        request.getCookies(cookies);
    }
    catch (const Poco::Exception&)
    {
        return {};
    }
    std::string value = cookies.get(COOKIE, "");
    // Ours are 32 hex characters; an implausible length is not worth comparing.
    if (value.size() < 16 || value.size() > 128) return {};
    return value;
}

bool Xsrf::passesByHeaders(const Poco::Net::HTTPServerRequest& request)
{
    if (Poco::icompare(request.get("X-Requested-With", ""), "XMLHttpRequest") == 0) return true;
    if (Poco::icompare(request.get("Sec-Fetch-Site", ""), "same-origin") == 0) return true;
    std::string expected = cookie(request);
    if (expected.empty()) return false;
    for (const char* name : {"X-Xsrftoken", "X-Csrftoken"})
    {
        std::string given = request.get(name, "");
        if (!given.empty() && oauth1::constantTimeEquals(given, expected)) return true;
    }
    return false;
}

bool Xsrf::passesByForm(const Poco::Net::HTTPServerRequest& request, const std::string& formToken)
{
    std::string expected = cookie(request);
    return !expected.empty() && !formToken.empty() && oauth1::constantTimeEquals(formToken, expected);
}

void Xsrf::issue(Poco::Net::HTTPServerResponse& response, bool secure)
{
    unsigned char raw[16];
    if (RAND_bytes(raw, sizeof raw) != 1) return;
    static const char hex[] = "0123456789abcdef";
    std::string token;
    for (unsigned char c : raw)
    {
        token.push_back(hex[c >> 4]);
        token.push_back(hex[c & 15]);
    }
    std::string header = std::string(COOKIE) + "=" + token + "; Path=/; SameSite=Lax";
    if (secure) header += "; Secure";
    response.add("Set-Cookie", header);
}

} // namespace birdgate
