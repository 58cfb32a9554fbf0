// The upstream types shared by the pool, the REST handler, the cache and the
// stream; see Upstream.h.
#include "birdgate/twitter/Upstream.h"

#include <Poco/Exception.h>
#include <Poco/URI.h>

#include <strings.h>

namespace birdgate
{

std::optional<UpstreamTarget> parseUpstreamUrl(const std::string& url, std::string& path)
{
    try
    {
        Poco::URI uri(url);
        if ((uri.getScheme() != "http" && uri.getScheme() != "https") || uri.getHost().empty() ||
            !uri.getQuery().empty() || !uri.getFragment().empty())
            return std::nullopt;
        path = uri.getPath();
        return UpstreamTarget{uri.getScheme(), uri.getHost(), uri.getPort()};
    }
    catch (const Poco::Exception&)
    {
        return std::nullopt;
    }
}

std::string UpstreamResponse::header(const std::string& name) const
{
    for (const auto& [k, v] : headers)
        if (strcasecmp(k.c_str(), name.c_str()) == 0) return v;
    return {};
}

} // namespace birdgate
