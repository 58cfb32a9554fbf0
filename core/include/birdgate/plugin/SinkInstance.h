// A SinkInstance is one configured sink of a plugin (e.g. the JSONL file of
// a stream): the plugin's opaque instance plus the shared_ptr that keeps its
// library loaded. The ABI promises the plugin that write/flush never run
// concurrently on one instance; SinkInstance keeps that promise with a mutex,
// so the stream thread and a flush timer may share it.
#pragma once

#include "birdgate/common/ThreadAnnotations.h"
#include "birdgate/plugin/PluginLibrary.h"
#include "birdgate/plugin/PluginResult.h"

#include <memory>
#include <mutex>
#include <string>
#include <string_view>

namespace birdgate
{

class SinkInstance
{
  public:
    /// Creates the plugin's instance from `configJson`; throws PluginError
    /// naming plugin, export and the plugin's message when create fails.
    SinkInstance(std::shared_ptr<PluginLibrary> plugin, const birdgate_sink* sink, const std::string& configJson);
    /// Flushes with sync (logging a failure), then destroys the instance.
    ~SinkInstance();

    SinkInstance(const SinkInstance&) = delete;
    SinkInstance& operator=(const SinkInstance&) = delete;

    /// Hands one whole record to the sink. Never throws for plugin failures.
    SinkResult write(std::string_view bytes);

    /// Pushes buffered records out; `sync`: make them durable. A sink without
    /// a flush callback always succeeds.
    SinkResult flush(bool sync);

    /// "plugin.export", as written in `sink:`.
    const std::string& name() const { return _name; }
    const PluginLibrary& plugin() const { return *_plugin; }

  private:
    SinkResult flushLocked(bool sync) BIRDGATE_REQUIRES(_mutex);

    std::shared_ptr<PluginLibrary> _plugin;
    const birdgate_sink* _sink;
    std::string _name;
    void* _instance = nullptr;
    std::mutex _mutex;
};

} // namespace birdgate
