// Routes a request path to the Endpoint of the first matching url entry:
// anchored regex patterns, higher `priority` first, ties in file order.
// Built once at start-up, read-only afterwards (safe from every thread).
#pragma once

#include "birdgate/server/Endpoint.h"

#include <memory>
#include <regex>
#include <string>
#include <vector>

namespace birdgate
{

class Router
{
  public:
    /// Adds a route; `pattern` is anchored (matched against the whole path).
    /// Throws std::regex_error for a bad pattern.
    /// `metrics`: the entry's counters, handed to each request in
    /// RouteMatch::metrics (null: not counted).
    void add(const std::string& name, const std::string& pattern, int priority, size_t order,
             std::shared_ptr<Endpoint> endpoint, UrlMetrics* metrics = nullptr);

    /// Sorts by priority (descending), then order. Call once after the adds.
    void finish();

    /// The endpoint for `path` (percent-encoded, without query) or nullptr.
    Endpoint* route(const std::string& path, RouteMatch& match) const;

    /// Every endpoint, for shutdown.
    std::vector<std::shared_ptr<Endpoint>> endpoints() const;

    size_t size() const { return _routes.size(); }

  private:
    struct Route
    {
        std::string name;
        std::regex regex;
        // The literal text every match starts with (empty: unknown), so most
        // routes that cannot match are passed over without running the regex;
        // `prefixThenAll`: the pattern is that text then `(.*)`, the usual
        // shape, which is matched without the regex at all.
        std::string prefix;
        bool prefixThenAll = false;
        int priority;
        size_t order;
        std::shared_ptr<Endpoint> endpoint;
        UrlMetrics* metrics;
    };
    std::vector<Route> _routes;
};

} // namespace birdgate
