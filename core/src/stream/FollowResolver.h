// FollowResolver: turns a stream's follow screen names into user ids with
// users/lookup (Twitter's filter endpoint takes ids only), LOOKUP_BATCH names
// per call. It runs at start-up (so an unknown name stops birdgate with
// file:line) or on the stream's own thread when X was unreachable then.
#pragma once

#include "birdgate/stream/StreamSettings.h"
#include "birdgate/twitter/TwitterClient.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace birdgate
{

class FollowResolver
{
  public:
    static constexpr std::size_t LOOKUP_BATCH = 100; // users/lookup names per call

    FollowResolver(const StreamSettings& settings, std::shared_ptr<UpstreamPool> upstreams);

    /// Lower-cased screen name -> id for each of `names` X knows (absent
    /// names are simply missing). Throws ConfigError when X refuses the
    /// credentials, StreamTransientError for failures worth retrying.
    std::map<std::string, std::string> lookup(const std::vector<std::string>& names) const;

  private:
    const StreamSettings& _settings;
    std::shared_ptr<UpstreamPool> _upstreams;
};

} // namespace birdgate
