// One configured sink: create at construction, write per record, flush on
// demand, and a final synced flush before destroy so a clean shutdown loses
// nothing the sink had buffered.
#include "birdgate/plugin/SinkInstance.h"

#include "birdgate/plugin/PluginError.h"
#include "plugin/PluginCallContext.h"

#include <Poco/Logger.h>

namespace birdgate
{

SinkInstance::SinkInstance(std::shared_ptr<PluginLibrary> plugin, const birdgate_sink* sink,
                           const std::string& configJson)
    : _plugin(std::move(plugin)), _sink(sink), _name(_plugin->name() + "." + sink->name)
{
    const std::string config = configJson.empty() ? std::string("{}") : configJson;
    birdgate_ctx ctx;
    try
    {
        _instance = _sink->create(_plugin->host(), config.c_str(), config.size(), &ctx);
    }
    catch (...)
    {
        pluginHostSetError(&ctx, "an exception escaped create (plugins must catch their exceptions)");
        _instance = nullptr;
    }
    if (!_instance)
        throw PluginError("cannot create sink " + _name + " (plugin " + _plugin->path() +
                          "): " + (ctx.hasError ? ctx.error : std::string("create returned NULL without a message")));
}

SinkInstance::~SinkInstance()
{
    if (!_instance) return;
    try
    {
        std::lock_guard<std::mutex> lock(_mutex);
        const SinkResult flushed = flushLocked(true);
        if (!flushed.ok())
            Poco::Logger::get("birdgate.plugin")
                .error("final flush of sink " + _name + " failed (" + pluginStatusName(flushed.status) +
                       "): " + flushed.error);
    }
    catch (...)
    {
        // Destroying must go on: the instance would leak otherwise.
    }
    _sink->destroy(_instance);
}

SinkResult SinkInstance::write(std::string_view bytes)
{
    SinkResult result;
    birdgate_ctx ctx;
    std::int32_t code = BIRDGATE_ERROR;
    {
        std::lock_guard<std::mutex> lock(_mutex);
        try
        {
            code = _sink->write(_instance, bytes.data(), bytes.size(), &ctx);
        }
        catch (...)
        {
            pluginHostSetError(&ctx, "an exception escaped write (plugins must catch their exceptions)");
            code = BIRDGATE_ERROR;
        }
    }
    result.status =
        code == BIRDGATE_OK ? PluginStatus::Ok : pluginStatus(code, ctx, "sink " + _name + " write", result.error);
    return result;
}

SinkResult SinkInstance::flush(bool sync)
{
    std::lock_guard<std::mutex> lock(_mutex);
    return flushLocked(sync);
}

SinkResult SinkInstance::flushLocked(bool sync)
{
    SinkResult result;
    if (!_sink->flush) return result;
    birdgate_ctx ctx;
    std::int32_t code = BIRDGATE_ERROR;
    try
    {
        code = _sink->flush(_instance, sync ? 1 : 0, &ctx);
    }
    catch (...)
    {
        pluginHostSetError(&ctx, "an exception escaped flush (plugins must catch their exceptions)");
        code = BIRDGATE_ERROR;
    }
    result.status =
        code == BIRDGATE_OK ? PluginStatus::Ok : pluginStatus(code, ctx, "sink " + _name + " flush", result.error);
    return result;
}

} // namespace birdgate
