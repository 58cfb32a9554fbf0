// Pure rules of the REST handler; see RestRequest.h.
#include "rest/RestRequest.h"

#include <Poco/String.h>

#include <cstring>
#include <stdexcept>
#include <strings.h>

namespace birdgate
{

bool RestRequest::isWriteEndpoint(std::string_view apiPath)
{
    if (apiPath.substr(0, 2) == "2/") return true;
    static const std::set<std::string_view> verbs = {"create",     "destroy",       "update",       "new",
                                                     "add",        "remove",        "retweet",      "unretweet",
                                                     "upload",     "request_token", "access_token", "invalidate_token",
                                                     "report_spam"};
    static const std::string_view prefixes[] = {"create_", "destroy_", "update_", "add_", "remove_"};
    size_t start = 0;
    while (start < apiPath.size())
    {
        size_t slash = apiPath.find('/', start);
        if (slash == std::string_view::npos) slash = apiPath.size();
        std::string_view seg = apiPath.substr(start, slash - start);
        if (seg.size() > 5 && seg.substr(seg.size() - 5) == ".json") seg.remove_suffix(5);
        if (verbs.count(seg)) return true;
        for (auto p : prefixes)
            if (seg.substr(0, p.size()) == p) return true;
        start = slash + 1;
    }
    return false;
}

std::string RestRequest::upstreamMethod(UpstreamMethodMode mode, const std::string& method, std::string_view apiPath,
                                        BodyKind body)
{
    switch (mode)
    {
    case UpstreamMethodMode::Get:
        return "GET";
    case UpstreamMethodMode::Post:
        return "POST";
    case UpstreamMethodMode::Same:
        return method == "HEAD" ? "GET" : method;
    case UpstreamMethodMode::Auto:
        break;
    }
    if (method == "GET" || method == "HEAD") return "GET";
    if (method != "POST") return method;
    if (body == BodyKind::Json || body == BodyKind::Multipart || body == BodyKind::Other) return "POST";
    return isWriteEndpoint(apiPath) ? "POST" : "GET";
}

BodyKind RestRequest::bodyKind(std::string_view contentType)
{
    std::string ct = Poco::toLower(std::string(contentType.substr(0, contentType.find(';'))));
    ct = Poco::trim(ct);
    if (ct.empty()) return BodyKind::None;
    if (ct == "application/x-www-form-urlencoded") return BodyKind::Form;
    if (ct == "application/json" || (ct.size() > 5 && ct.substr(ct.size() - 5) == "+json")) return BodyKind::Json;
    if (ct.rfind("multipart/", 0) == 0) return BodyKind::Multipart;
    return BodyKind::Other;
}

UpstreamMethodMode RestRequest::parseMode(const std::string& text)
{
    std::string t = Poco::toLower(Poco::trim(text));
    if (t == "auto" || t.empty()) return UpstreamMethodMode::Auto;
    if (t == "get") return UpstreamMethodMode::Get;
    if (t == "post") return UpstreamMethodMode::Post;
    if (t == "same") return UpstreamMethodMode::Same;
    throw std::invalid_argument("one of auto, GET, POST, same");
}

std::set<std::string> RestRequest::parseMethods(const std::vector<std::string>& items)
{
    static const std::set<std::string> known = {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"};
    std::set<std::string> out;
    for (const auto& item : items)
    {
        // Gramex also writes "GET, POST" as one string.
        std::string rest = item;
        size_t pos = 0;
        while (pos <= rest.size())
        {
            size_t comma = rest.find(',', pos);
            if (comma == std::string::npos) comma = rest.size();
            std::string m = Poco::toUpper(Poco::trim(rest.substr(pos, comma - pos)));
            if (!m.empty())
            {
                if (!known.count(m)) throw std::invalid_argument("HTTP methods (GET, POST, PUT, DELETE, PATCH, HEAD)");
                out.insert(m);
            }
            pos = comma + 1;
        }
    }
    return out;
}

bool RestRequest::passHeader(std::string_view name)
{
    auto startsWith = [&](const char* prefix) {
        size_t n = strlen(prefix);
        return name.size() >= n && strncasecmp(name.data(), prefix, n) == 0;
    };
    if (startsWith("x-"))
    {
        // Not the ones a front proxy acts on (nginx's X-Accel-Redirect would
        // serve one of its internal files) or trusts as the client's address.
        return !startsWith("x-accel-") && !startsWith("x-sendfile") && !startsWith("x-lighttpd-") &&
               !startsWith("x-forwarded-") && !startsWith("x-real-ip");
    }
    auto eq = [&](const char* s) { return name.size() == strlen(s) && strncasecmp(name.data(), s, name.size()) == 0; };
    return eq("Content-Type") || eq("Last-Modified") || eq("ETag");
}

} // namespace birdgate
