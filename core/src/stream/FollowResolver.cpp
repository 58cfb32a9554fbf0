// FollowResolver; see FollowResolver.h.
#include "stream/FollowResolver.h"

#include "stream/StreamText.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/URI.h>

#include <algorithm>

namespace birdgate
{
using namespace streamtext;

FollowResolver::FollowResolver(const StreamSettings& settings, std::shared_ptr<UpstreamPool> upstreams)
    : _settings(settings), _upstreams(std::move(upstreams))
{
}

std::map<std::string, std::string> FollowResolver::lookup(const std::vector<std::string>& names) const
{
    const std::string key = "schedule." + _settings.name + ".kwargs.follow";
    Poco::URI api(_settings.apiRoot + "/1.1/users/lookup.json");
    UpstreamTarget target{api.getScheme(), api.getHost(), api.getPort()};
    std::map<std::string, std::string> found; // lower-cased name -> id
    for (std::size_t at = 0; at < names.size(); at += LOOKUP_BATCH)
    {
        std::vector<std::string> batch(names.begin() + static_cast<std::ptrdiff_t>(at),
                                       names.begin() +
                                           static_cast<std::ptrdiff_t>(std::min(names.size(), at + LOOKUP_BATCH)));
        oauth1::Params params{{"screen_name", joined(batch)}};
        TwitterCall call;
        call.path = api.getPath();
        call.query = std::move(params);
        UpstreamLimits limits;
        limits.timeout = _settings.lookupTimeout;
        UpstreamResponse response;
        try
        {
            response =
                TwitterClient(target, _upstreams).sendBlocking(call, OAuth1Authorizer(_settings.credentials), limits);
        }
        catch (const std::exception& e)
        {
            throw StreamTransientError("users/lookup unreachable: " + std::string(e.what()));
        }
        if (response.status == 404) continue; // code 17: none of this batch exists
        if (response.status == 401 || response.status == 403)
            throw ConfigError(_settings.file, _settings.line, key,
                              "names Twitter can look up with these credentials (users/lookup answered " +
                                  std::to_string(response.status) + ": check key, secret, access_key, access_secret)");
        if (response.status != 200)
            throw StreamTransientError("users/lookup answered " + std::to_string(response.status));
        try
        {
            Poco::JSON::Parser parser;
            auto users = parser.parse(response.body).extract<Poco::JSON::Array::Ptr>();
            for (std::size_t i = 0; i < users->size(); ++i)
            {
                auto user = users->getObject(static_cast<unsigned>(i));
                if (!user) continue;
                std::string name = user->optValue<std::string>("screen_name", "");
                std::string id = user->optValue<std::string>("id_str", "");
                if (!name.empty() && allDigits(id)) found[lowered(name)] = id;
            }
        }
        catch (const Poco::Exception& e)
        {
            throw StreamTransientError("users/lookup answered something that is not a list of users: " +
                                       e.displayText());
        }
    }
    return found;
}

} // namespace birdgate
