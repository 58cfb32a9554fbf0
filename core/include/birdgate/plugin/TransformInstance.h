// A TransformInstance is one configured transform of a plugin (one
// `transform:` entry of a url): the plugin's opaque instance plus the
// shared_ptr that keeps its library loaded. Built once at start-up, then
// called from the transform pool: call() is thread-safe, and serialised per
// instance when the plugin asked for it (BIRDGATE_TRANSFORM_SERIAL).
#pragma once

#include "birdgate/plugin/PluginLibrary.h"
#include "birdgate/plugin/PluginResult.h"

#include <memory>
#include <mutex>
#include <string>
#include <string_view>

namespace birdgate
{

class TransformInstance
{
  public:
    /// Creates the plugin's instance from `configJson`; throws PluginError
    /// naming plugin, export and the plugin's message when create fails.
    TransformInstance(std::shared_ptr<PluginLibrary> plugin, const birdgate_transform* transform,
                      const std::string& configJson);
    ~TransformInstance(); // destroys the plugin's instance

    TransformInstance(const TransformInstance&) = delete;
    TransformInstance& operator=(const TransformInstance&) = delete;

    /// Runs the transform over `input` (the upstream JSON body) with the
    /// request described by `contextJson`. Never throws for plugin failures:
    /// they come back as status Retry/Error with `error` set.
    TransformResult call(std::string_view input, std::string_view contextJson) const;

    /// "plugin.export", as written in `function:`.
    const std::string& name() const { return _name; }
    bool serial() const { return _serial; }
    const PluginLibrary& plugin() const { return *_plugin; }

  private:
    std::shared_ptr<PluginLibrary> _plugin;
    const birdgate_transform* _transform;
    std::string _name;
    bool _serial;
    void* _instance = nullptr;
    mutable std::mutex _mutex; // only taken when _serial
};

} // namespace birdgate
