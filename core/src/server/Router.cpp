// Router; see Router.h.
#include "server/Router.h"

#include <algorithm>

namespace birdgate
{

void Router::add(const std::string& name, const std::string& pattern, int priority, size_t order,
                 std::shared_ptr<Endpoint> endpoint)
{
    _routes.push_back(Route{name, std::regex(pattern, std::regex::ECMAScript | std::regex::optimize), priority, order,
                            std::move(endpoint)});
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
        if (std::regex_match(path, m, r.regex))
        {
            match.urlName = r.name;
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
