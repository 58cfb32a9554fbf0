// The `transform:` list of a url entry (DESIGN.md 3.6, Gramex syntax):
//
//   transform:
//     sentiment: {function: sentiment.add_sentiment, subjectivity: true, timeout: 2}
//
// Built once at start-up: each entry's plugin is loaded and its instance
// created (a refused plugin stops start-up with the host's message). At
// request time the transforms run in order over a 200 answer, each on the
// shared TransformPool with its own time limit (`timeout:`, default 5 s).
// A JSON result is checked to be JSON and sent as the plugin wrote it (no
// re-serialisation, so 64-bit ids stay exact); a string result is sent as is.
#pragma once

#include "birdgate/config/Config.h"

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace birdgate
{

class PluginHost;
class TransformInstance;
class TransformPool;

class TransformChain
{
  public:
    /// Reads `node` (a map of name -> {function, ...}); throws ConfigError.
    TransformChain(const YAML::Node& node, const Origin& origin, const std::string& context, PluginHost& plugins,
                   std::shared_ptr<TransformPool> pool);

    bool empty() const { return _steps.empty(); }

    struct Outcome
    {
        bool ok = true;
        bool isJson = true;     // the final body is JSON
        std::string failedStep; // the transform's name when !ok
        std::string error;
    };

    /// Runs every transform over `body` (replaced by the result).
    Outcome run(std::string& body, const std::string& contextJson) const;

  private:
    struct Step
    {
        std::string name;
        std::shared_ptr<TransformInstance> instance;
        std::chrono::milliseconds timeout;
    };
    std::vector<Step> _steps;
    std::shared_ptr<TransformPool> _pool;
};

} // namespace birdgate
