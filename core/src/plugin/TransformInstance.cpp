// One configured transform: create at construction, call per answer,
// destroy at destruction. Each call gets its own birdgate_ctx on the stack,
// so concurrent calls share nothing on the host side.
#include "birdgate/plugin/TransformInstance.h"

#include "birdgate/plugin/PluginError.h"
#include "plugin/PluginCallContext.h"

namespace birdgate
{

TransformInstance::TransformInstance(std::shared_ptr<PluginLibrary> plugin, const birdgate_transform* transform,
                                     const std::string& configJson)
    : _plugin(std::move(plugin)), _transform(transform), _name(_plugin->name() + "." + transform->name),
      _serial((transform->flags & BIRDGATE_TRANSFORM_SERIAL) != 0)
{
    const std::string config = configJson.empty() ? std::string("{}") : configJson;
    birdgate_ctx ctx;
    try
    {
        _instance = _transform->create(_plugin->host(), config.c_str(), config.size(), &ctx);
    }
    catch (...)
    {
        // Only a plugin that bypasses the SDK wrapper can get here.
        pluginHostSetError(&ctx, "an exception escaped create (plugins must catch their exceptions)");
        _instance = nullptr;
    }
    if (!_instance)
        throw PluginError("cannot create transform " + _name + " (plugin " + _plugin->path() +
                          "): " + (ctx.hasError ? ctx.error : std::string("create returned NULL without a message")));
}

TransformInstance::~TransformInstance()
{
    if (_instance) _transform->destroy(_instance);
}

TransformResult TransformInstance::call(std::string_view input, std::string_view contextJson) const
{
    TransformResult result;
    birdgate_ctx ctx;
    ctx.output = &result.output;
    std::int32_t code = BIRDGATE_ERROR;
    {
        std::unique_lock<std::mutex> lock(_mutex, std::defer_lock);
        if (_serial) lock.lock();
        try
        {
            code =
                _transform->call(_instance, input.data(), input.size(), contextJson.data(), contextJson.size(), &ctx);
        }
        catch (...)
        {
            pluginHostSetError(&ctx, "an exception escaped call (plugins must catch their exceptions)");
            code = BIRDGATE_ERROR;
        }
    }
    result.status =
        code == BIRDGATE_OK ? PluginStatus::Ok : pluginStatus(code, ctx, "transform " + _name, result.error);
    if (result.status != PluginStatus::Ok)
    {
        result.output.clear();
        return result;
    }
    if (ctx.emitted)
        result.isJson = ctx.kind == BIRDGATE_EMIT_JSON;
    else
    {
        result.output.assign(input.data(), input.size());
        result.isJson = true;
    }
    return result;
}

} // namespace birdgate
