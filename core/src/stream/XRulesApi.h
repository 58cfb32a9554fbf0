// RulesApi over HTTP: X's /2/tweets/search/stream/rules (list with
// pagination, add with or without dry_run, delete by ids), every request
// built and sent by TwitterClient with the app's bearer (AppBearer: renewed
// once when X answers 401 to it). Runs on the calling thread (start-up, or
// the stream's own thread when X was unreachable at start-up).
//
// How answers map to RulesSync's contract:
//   network failure, timeout, 5xx, 429   StreamTransientError (retried later)
//   401 (after a renewal), 403, 404      ConfigError naming X's title and detail
//   add: errors[] in the answer          RulesAddResult::errors, verbatim
//   anything else unreadable             StreamTransientError
#pragma once

#include "birdgate/stream/StreamSettings.h"
#include "birdgate/twitter/AppBearer.h"
#include "birdgate/twitter/UpstreamPool.h"
#include "stream/RulesSync.h"

#include <memory>
#include <string>

namespace birdgate
{

class XRulesApi : public RulesApi
{
  public:
    XRulesApi(const StreamSettings& settings, std::shared_ptr<UpstreamPool> upstreams,
              std::shared_ptr<AppBearer> bearer);

    std::vector<ExistingRule> list() override;
    RulesAddResult add(const std::vector<StreamRule>& rules, bool dryRun) override;
    void remove(const std::vector<std::string>& ids) override;

    /// The JSON bodies sent, for tests: {"add":[{"value":..,"tag":..}]} and
    /// {"delete":{"ids":[..]}}.
    static std::string addBody(const std::vector<StreamRule>& rules);
    static std::string deleteBody(const std::vector<std::string>& ids);
    /// errors[] of an add answer as "<value>: <details or title>".
    static std::vector<std::string> addErrors(const std::string& body);

  private:
    UpstreamResponse send(TwitterCall call, const char* what);

    const StreamSettings& _settings;
    std::shared_ptr<UpstreamPool> _upstreams;
    std::shared_ptr<AppBearer> _bearer;
    UpstreamTarget _target;
    std::string _path; // {stream_root path}/2/tweets/search/stream/rules
};

} // namespace birdgate
