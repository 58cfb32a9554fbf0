// Internal to the sandbox library: the per-request Call of TwitterSandbox
// and the small string helpers its handlers share, so the v1.1 handlers
// (TwitterSandbox.cpp), the OAuth 2.0 pages (SandboxOAuth2Pages.cpp) and the
// v2 endpoints (SandboxV2.cpp) can live in separate files.
#pragma once

#include "birdgate/common/HttpErrors.h"
#include "birdgate/sandbox/TwitterSandbox.h"
#include "birdgate/server/Answer.h"
#include "birdgate/server/Request.h"
#include "birdgate/twitter/OAuth1.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace birdgate
{
namespace sandboxutil
{
inline const char* JSON_TYPE = "application/json;charset=utf-8";

// Twitter's error codes and messages.
struct TwitterError
{
    int status;
    int code;
    const char* message;
};

inline std::string lowered(std::string_view s)
{
    std::string out(s);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

inline std::string trimmed(std::string_view s)
{
    size_t b = s.find_first_not_of(" \t\r\n");
    if (b == std::string_view::npos) return {};
    size_t e = s.find_last_not_of(" \t\r\n");
    return std::string(s.substr(b, e - b + 1));
}

inline bool startsWithNoCase(std::string_view s, std::string_view prefix)
{
    return s.size() >= prefix.size() && lowered(s.substr(0, prefix.size())) == prefix;
}

inline std::optional<std::uint64_t> parseUnsigned(std::string_view s)
{
    if (s.empty() || s.size() > 20) return std::nullopt;
    std::uint64_t v = 0;
    for (char c : s)
    {
        if (c < '0' || c > '9') return std::nullopt;
        std::uint64_t d = static_cast<std::uint64_t>(c - '0');
        if (v > (UINT64_MAX - d) / 10) return std::nullopt;
        v = v * 10 + d;
    }
    return v;
}

inline std::optional<long long> parseSigned(std::string_view s)
{
    bool negative = !s.empty() && s[0] == '-';
    auto v = parseUnsigned(negative ? s.substr(1) : s);
    if (!v || *v > static_cast<std::uint64_t>(INT64_MAX)) return std::nullopt;
    return negative ? -static_cast<long long>(*v) : static_cast<long long>(*v);
}

inline std::vector<std::string> splitCommas(const std::string& s)
{
    std::vector<std::string> out;
    size_t pos = 0;
    while (pos <= s.size())
    {
        size_t comma = s.find(',', pos);
        if (comma == std::string::npos) comma = s.size();
        std::string item = trimmed(std::string_view(s).substr(pos, comma - pos));
        if (!item.empty()) out.push_back(item);
        pos = comma + 1;
    }
    return out;
}

inline int codePointCount(std::string_view s)
{
    int n = 0;
    for (unsigned char c : s)
        if ((c & 0xC0) != 0x80) ++n;
    return n;
}

// callback + ?|& + params, keeping any #fragment last.
inline std::string withQuery(const std::string& url, const std::string& params)
{
    size_t hash = url.find('#');
    std::string base = url.substr(0, hash);
    std::string fragment = hash == std::string::npos ? "" : url.substr(hash);
    base += base.find('?') == std::string::npos ? '?' : '&';
    return base + params + fragment;
}

inline std::string pageShell(const std::string& title, const std::string& body)
{
    return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + htmlEscape(title) +
           "</title>\n<style>body{font-family:sans-serif;max-width:34em;margin:3em auto;padding:0 1em;color:#14171a}"
           "fieldset{margin:1em 0;border:1px solid #ccd6dd}label{display:block;margin:.3em 0}"
           "button{margin-right:1em;padding:.4em 1.2em}.error{color:#e0245e}</style></head>\n<body>\n" +
           body + "\n</body></html>\n";
}
} // namespace sandboxutil

using namespace sandboxutil;

// ------------------------------------------------------------ per request

struct TwitterSandbox::Call
{
    Request& request;
    Answer& answer;
    const Route* route = nullptr;
    long long now = 0;
    oauth1::Params query;
    oauth1::Params form;
    // Identity after authenticate(): the token that counts against the rate
    // limit, and the user (absent for an app-only bearer).
    std::string token;
    std::optional<SandboxUser> user;
    std::optional<RateLimiter::Result> rate;
    // Set by statusesFilter once the filter is valid: serve() then streams.
    std::optional<SandboxStream::Filter> stream;
    // v2: the route matched, the values of its ":name" segments in order,
    // and the scopes of an OAuth 2.0 user token (oauth2User: scopes apply).
    const V2Route* v2 = nullptr;
    std::vector<std::string> pathParams;
    bool oauth2User = false;
    std::set<std::string> scopes;

    Call(Request& req, Answer& ans) : request(req), answer(ans) {}

    std::optional<std::string> param(const std::string& name) const
    {
        for (const auto* list : {&query, &form})
            for (const auto& [k, v] : *list)
                if (k == name) return v;
        return std::nullopt;
    }

    /// Every value of `name`, joined by commas (users/lookup lists).
    std::string joined(const std::string& name) const
    {
        std::string out;
        for (const auto* list : {&query, &form})
            for (const auto& [k, v] : *list)
                if (k == name)
                {
                    if (!out.empty()) out.push_back(',');
                    out += v;
                }
        return out;
    }

    int count(int defaultValue, int maxValue) const
    {
        auto v = param("count");
        auto n = v ? parseSigned(*v) : std::nullopt;
        if (!n) return defaultValue;
        return static_cast<int>(std::clamp<long long>(*n, 1, maxValue));
    }

    std::optional<std::uint64_t> id(const std::string& name) const
    {
        auto v = param(name);
        return v ? parseUnsigned(*v) : std::nullopt;
    }

    void rateHeaders()
    {
        if (!rate) return;
        answer.set("x-rate-limit-limit", std::to_string(rate->limit));
        answer.set("x-rate-limit-remaining", std::to_string(rate->remaining));
        answer.set("x-rate-limit-reset", std::to_string(rate->reset));
    }

    void send(int status, const std::string& contentType, const std::string& body)
    {
        // The phrase Poco's server sent for 413 before the conversion.
        answer.send(status, contentType, body, status == 413 ? "Request Entity Too Large" : "");
        rateHeaders();
    }

    void json(const std::string& body) { send(200, JSON_TYPE, body); }

    void error(const TwitterError& e) { send(e.status, JSON_TYPE, errorBody(e.code, e.message)); }

    void error(int status, int code, const std::string& message) { send(status, JSON_TYPE, errorBody(code, message)); }
};

} // namespace birdgate
