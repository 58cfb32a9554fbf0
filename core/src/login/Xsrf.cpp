// Xsrf; see Xsrf.h.
#include "birdgate/login/Xsrf.h"

#include "birdgate/common/Random.h"
#include "birdgate/twitter/OAuth1.h"

namespace birdgate
{
namespace
{
std::string_view trim(std::string_view s)
{
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}
} // namespace

bool Xsrf::unsafeMethod(const std::string& method)
{
    return method == "POST" || method == "PUT" || method == "PATCH" || method == "DELETE";
}

std::string Xsrf::cookieValue(const HeaderFields& headers, std::string_view name)
{
    // A proxy may split cookies over several Cookie headers (HTTP/2 does);
    // the first pair of that name wins, as with Poco's getCookies().
    for (const HeaderField& field : headers)
    {
        if (!iequals(field.name, "Cookie")) continue;
        std::string_view rest = field.value;
        while (!rest.empty())
        {
            const auto semicolon = rest.find(';');
            const std::string_view pair = rest.substr(0, semicolon);
            rest = semicolon == std::string_view::npos ? std::string_view() : rest.substr(semicolon + 1);
            const auto equals = pair.find('=');
            if (equals == std::string_view::npos || trim(pair.substr(0, equals)) != name) continue;
            std::string_view value = trim(pair.substr(equals + 1));
            if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
                value = value.substr(1, value.size() - 2);
            return std::string(value);
        }
    }
    return {};
}

std::string Xsrf::cookie(const Request& request)
{
    std::string value = cookieValue(request.headers, COOKIE);
    // Ours are 32 hex characters; an implausible length is not worth comparing.
    if (value.size() < 16 || value.size() > 128) return {};
    return value;
}

bool Xsrf::passesByHeaders(const Request& request)
{
    if (iequals(request.header("X-Requested-With"), "XMLHttpRequest")) return true;
    if (iequals(request.header("Sec-Fetch-Site"), "same-origin")) return true;
    std::string expected = cookie(request);
    if (expected.empty()) return false;
    for (const char* name : {"X-Xsrftoken", "X-Csrftoken"})
    {
        const std::string& given = request.header(name);
        if (!given.empty() && oauth1::constantTimeEquals(given, expected)) return true;
    }
    return false;
}

bool Xsrf::passesByForm(const Request& request, const std::string& formToken)
{
    std::string expected = cookie(request);
    return !expected.empty() && !formToken.empty() && oauth1::constantTimeEquals(formToken, expected);
}

void Xsrf::issue(Answer& answer, bool secure)
{
    unsigned char raw[16];
    randomBytes(raw, sizeof raw);
    static const char hex[] = "0123456789abcdef";
    std::string token;
    for (unsigned char c : raw)
    {
        token.push_back(hex[c >> 4]);
        token.push_back(hex[c & 15]);
    }
    std::string header = std::string(COOKIE) + "=" + token + "; Path=/; SameSite=Lax";
    if (secure) header += "; Secure";
    answer.add("Set-Cookie", header);
}

} // namespace birdgate
