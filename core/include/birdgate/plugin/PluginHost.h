// The PluginHost finds `<name>.so` in the configured plugin folders
// (`app.plugins`), loads each plugin once (thread-safe cache by name) and
// makes configured instances of its exports from `function: plugin.export`
// strings. Every failure is a PluginError meant for the start-up log.
//
//   PluginHost host({"/opt/birdgate/plugins"});
//   auto t = host.createTransform("sentiment.add_sentiment", R"({"field":"text"})");
//   TransformResult r = t->call(body, contextJson);
//   auto s = host.createSink("jsonl_sink.append", R"({"path":"tweets.jsonl"})");
//   s->write(line); s->flush(true);
#pragma once

#include "birdgate/common/ThreadAnnotations.h"
#include "birdgate/plugin/PluginLibrary.h"
#include "birdgate/plugin/SinkInstance.h"
#include "birdgate/plugin/TransformInstance.h"

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace birdgate
{

class PluginHost
{
  public:
    /// `folders` are searched in order for `<name>.so`.
    explicit PluginHost(std::vector<std::string> folders);

    PluginHost(const PluginHost&) = delete;
    PluginHost& operator=(const PluginHost&) = delete;

    /// The plugin called `name`, loaded on first use. Throws PluginError when
    /// it is not found or refused. Thread-safe.
    std::shared_ptr<PluginLibrary> load(const std::string& name);

    /// The path `load(name)` would open; throws PluginError listing the
    /// folders searched when no folder has it.
    std::string find(const std::string& name) const;

    /// A new instance of transform `function` ("plugin.export") configured
    /// with `configJson` (a JSON object; empty means {}). Throws PluginError.
    std::shared_ptr<TransformInstance> createTransform(const std::string& function,
                                                       const std::string& configJson = "{}");

    /// A new instance of sink `function` ("plugin.export"). Throws PluginError.
    std::shared_ptr<SinkInstance> createSink(const std::string& function, const std::string& configJson = "{}");

    const std::vector<std::string>& folders() const { return _folders; }

    /// File name of a plugin: "<name>.so" (".dll" on Windows).
    static std::string fileName(const std::string& name);

    /// Splits "plugin.export" at its first dot; throws PluginError when
    /// either part is empty or the plugin name is not [A-Za-z0-9_-]+.
    static std::pair<std::string, std::string> splitFunction(const std::string& function);

  private:
    std::vector<std::string> _folders;
    std::mutex _mutex;
    std::map<std::string, std::shared_ptr<PluginLibrary>> _plugins BIRDGATE_GUARDED_BY(_mutex);
};

} // namespace birdgate
