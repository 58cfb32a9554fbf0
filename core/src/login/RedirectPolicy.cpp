// RedirectPolicy; see RedirectPolicy.h.
#include "birdgate/login/RedirectPolicy.h"

#include <Poco/String.h>

namespace birdgate
{
namespace
{
bool hasControlOrSpace(const std::string& s)
{
    for (unsigned char c : s)
        if (c <= 0x20 || c == 0x7f) return true;
    return false;
}

bool safeLocalPath(const std::string& p)
{
    // A local path starts with one '/', and the browser must not read it as
    // a network path: "//host", "/\host" and "\/host" all are, for some browser.
    if (p.empty() || p[0] != '/') return false;
    if (p.size() > 1 && (p[1] == '/' || p[1] == '\\')) return false;
    if (p.find('\\') != std::string::npos) return false;
    return true;
}
} // namespace

RedirectPolicy::RedirectPolicy()
{
    _sources.emplace_back(Source::Query, "next");
    _sources.emplace_back(Source::Header, "Referer");
    _sources.emplace_back(Source::Url, "/");
}

std::string RedirectPolicy::sanitise(const std::string& candidate, const std::string& origin, bool external)
{
    if (candidate.size() > 4096 || hasControlOrSpace(candidate)) return "/";
    if (safeLocalPath(candidate)) return candidate;
    std::string lower = Poco::toLower(candidate);
    bool http = lower.rfind("http://", 0) == 0 || lower.rfind("https://", 0) == 0;
    if (!http) return "/";
    std::string lowerOrigin = Poco::toLower(origin);
    if (lower.rfind(lowerOrigin, 0) == 0)
    {
        std::string rest = candidate.substr(origin.size());
        if (rest.empty()) return "/";
        if (rest[0] == '?' || rest[0] == '#') return "/" + rest;
        if (safeLocalPath(rest)) return rest;
        return "/"; // e.g. origin "http://a" and candidate "http://a.evil"
    }
    if (external && candidate.find('\\') == std::string::npos) return candidate;
    return "/";
}

} // namespace birdgate
