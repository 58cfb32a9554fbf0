// Router; see Router.h.
#include "server/Router.h"

#include <algorithm>

namespace birdgate
{

namespace
{
/// The literal start of an anchored ECMAScript pattern: the characters before
/// the first one with a meaning, less the last if a quantifier follows it.
/// An alternation anywhere makes the start unknowable: "".
std::string literalPrefix(const std::string& pattern, std::string& rest)
{
    rest.clear();
    if (pattern.find('|') != std::string::npos) return "";
    size_t i = pattern.starts_with('^') ? 1 : 0;
    std::string prefix;
    for (; i < pattern.size(); ++i)
    {
        char c = pattern[i];
        if (std::string_view("\\^$.|?*+()[]{}").find(c) != std::string_view::npos) break;
        prefix.push_back(c);
    }
    if (i < pattern.size() && std::string_view("?*{").find(pattern[i]) != std::string_view::npos)
    {
        if (!prefix.empty()) prefix.pop_back();
        return prefix;
    }
    rest = pattern.substr(i);
    return prefix;
}
} // namespace

void Router::add(const std::string& name, const std::string& pattern, int priority, size_t order,
                 std::shared_ptr<Endpoint> endpoint, UrlMetrics* metrics)
{
    std::string rest;
    std::string prefix = literalPrefix(pattern, rest);
    bool prefixThenAll = rest == "(.*)" || rest == "(.*)$";
    _routes.push_back(Route{name, std::regex(pattern, std::regex::ECMAScript | std::regex::optimize), std::move(prefix),
                            prefixThenAll, priority, order, std::move(endpoint), metrics});
}

void Router::finish()
{
    std::stable_sort(_routes.begin(), _routes.end(), [](const Route& a, const Route& b) {
        if (a.priority != b.priority) return a.priority > b.priority;
        return a.order < b.order;
    });
}

Endpoint* Router::route(const std::string& path, RouteMatch& match) const
{
    std::smatch m;
    for (const auto& r : _routes)
    {
        if (!path.starts_with(r.prefix)) continue;
        if (r.prefixThenAll && path.find_first_of("\r\n", r.prefix.size()) == std::string::npos)
        {
            // What the regex would give: `.` matches all but line ends.
            match.urlName = r.name;
            match.metrics = r.metrics;
            match.path = path;
            match.groups.assign({path, path.substr(r.prefix.size())});
            return r.endpoint.get();
        }
        if (std::regex_match(path, m, r.regex))
        {
            match.urlName = r.name;
            match.metrics = r.metrics;
            match.path = path;
            match.groups.clear();
            for (const auto& g : m) match.groups.push_back(g.str());
            return r.endpoint.get();
        }
    }
    return nullptr;
}

std::vector<std::shared_ptr<Endpoint>> Router::endpoints() const
{
    std::vector<std::shared_ptr<Endpoint>> out;
    for (const auto& r : _routes) out.push_back(r.endpoint);
    return out;
}

} // namespace birdgate
