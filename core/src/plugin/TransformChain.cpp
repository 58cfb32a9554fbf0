// TransformChain; see TransformChain.h.
#include "birdgate/plugin/TransformChain.h"

#include "birdgate/common/HttpErrors.h"
#include "birdgate/config/YamlJson.h"
#include "birdgate/plugin/PluginError.h"
#include "birdgate/plugin/PluginHost.h"
#include "birdgate/plugin/TransformInstance.h"
#include "birdgate/plugin/TransformPool.h"
#include "birdgate/stream/StreamMessage.h"

#include <cstdlib>

namespace birdgate
{
namespace
{
int lineOf(const YAML::Node& n)
{
    return n.Mark().line >= 0 ? n.Mark().line + 1 : 0;
}

} // namespace

TransformChain::TransformChain(const YAML::Node& node, const Origin& origin, const std::string& context,
                               PluginHost& plugins, std::shared_ptr<TransformPool> pool)
    : _pool(std::move(pool))
{
    if (!node || node.IsNull()) return;
    if (!node.IsMap())
        throw ConfigError(origin.file, lineOf(node), context, "a map of name: {function: plugin.export}");
    for (const auto& kv : node)
    {
        std::string name = kv.first.Scalar();
        const YAML::Node& spec = kv.second;
        std::string key = context + "." + name;
        if (!spec.IsMap() || !spec["function"] || !spec["function"].IsScalar())
            throw ConfigError(origin.file, lineOf(spec), key, "{function: plugin.export, ...its own keys}");
        std::string function = spec["function"].Scalar();
        double timeout = 5;
        YAML::Node config(YAML::NodeType::Map);
        for (const auto& item : spec)
        {
            std::string k = item.first.Scalar();
            if (k == "function") continue;
            if (k == "timeout")
            {
                char* end = nullptr;
                timeout = std::strtod(item.second.Scalar().c_str(), &end);
                if (!item.second.IsScalar() || *end || timeout <= 0 || timeout > 600)
                    throw ConfigError(origin.file, lineOf(item.second), key + ".timeout",
                                      "seconds, more than 0 and at most 600");
                continue;
            }
            config[k] = item.second;
        }
        std::shared_ptr<TransformInstance> instance;
        try
        {
            instance = plugins.createTransform(function, yamlToJson(config));
        }
        catch (const PluginError& e)
        {
            throw ConfigError(origin.file, lineOf(spec["function"]), key + ".function",
                              std::string("a loadable transform plugin: ") + e.what());
        }
        _steps.push_back(Step{name, instance, std::chrono::milliseconds(static_cast<long long>(timeout * 1000))});
    }
}

TransformChain::Outcome TransformChain::run(std::string& body, const std::string& contextJson) const
{
    Outcome outcome;
    for (const auto& step : _steps)
    {
        // The job may outlive this call when it times out: it owns copies.
        auto instance = step.instance;
        auto input = std::make_shared<std::string>(body);
        auto context = std::make_shared<std::string>(contextJson);
        auto isJson = std::make_shared<bool>(true);
        std::string result, error;
        TransformPool::Outcome ran = _pool->run(
            [instance, input, context, isJson]() -> std::string {
                TransformResult r = instance->call(*input, *context);
                if (!r.ok()) throw std::runtime_error(r.error.empty() ? "the transform reported an error" : r.error);
                *isJson = r.isJson;
                return std::move(r.output);
            },
            step.timeout, result, error);
        if (ran != TransformPool::Outcome::Ok)
        {
            outcome.ok = false;
            outcome.failedStep = step.name;
            switch (ran)
            {
            case TransformPool::Outcome::TimedOut:
                outcome.error = "took longer than " + std::to_string(step.timeout.count()) + " ms";
                break;
            case TransformPool::Outcome::Overloaded:
                outcome.error = "transform pool overloaded: " + error;
                break;
            default:
                outcome.error = error;
            }
            return outcome;
        }
        if (*isJson && !StreamMessage::isJson(result))
        {
            outcome.ok = false;
            outcome.failedStep = step.name;
            outcome.error = "returned invalid JSON";
            return outcome;
        }
        outcome.isJson = *isJson;
        body = std::move(result);
    }
    return outcome;
}

} // namespace birdgate
