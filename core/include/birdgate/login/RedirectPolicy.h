// Where to send the browser after a login (DESIGN.md 3.3): `redirect:` lists
// sources tried in YAML order (`query: next`, `header: Referer`, `url: /`);
// the first non-empty one wins. Only same-origin targets are followed unless
// `external: true`: anything else (other hosts, `//host`, `/\host`, schemes
// such as javascript:, control bytes) falls back to the default `/`. This is
// pure logic so the open-redirect cases are unit-tested without a server.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace birdgate
{

class RedirectPolicy
{
  public:
    enum class Source
    {
        Query,
        Header,
        Url
    };

    /// The default when `redirect:` is absent: ?next=, then Referer, then "/".
    RedirectPolicy();

    void add(Source source, std::string value) { _sources.emplace_back(source, std::move(value)); }
    void clearSources() { _sources.clear(); }
    void setExternal(bool external) { _external = external; }

    /// Picks the target. `queryValue(name)` / `headerValue(name)` look the
    /// request up; `origin` is "http://host:port" of this request.
    template <typename Query, typename Header>
    std::string target(Query queryValue, Header headerValue, const std::string& origin) const
    {
        for (const auto& [source, value] : _sources)
        {
            std::string candidate;
            switch (source)
            {
            case Source::Query:
                candidate = queryValue(value);
                break;
            case Source::Header:
                candidate = headerValue(value);
                break;
            case Source::Url:
                candidate = value;
                break;
            }
            if (candidate.empty()) continue;
            return sanitise(candidate, origin, _external);
        }
        return "/";
    }

    /// `candidate` if it is safe to redirect to (as a path when same-origin),
    /// else "/". Absolute URLs of `origin` become their path and query.
    static std::string sanitise(const std::string& candidate, const std::string& origin, bool external);

  private:
    std::vector<std::pair<Source, std::string>> _sources;
    bool _external = false;
};

} // namespace birdgate
