// The host's side of the opaque `birdgate_ctx` of plugin.h: one lives on the
// stack of every call into a plugin (create, call, write, flush) and collects
// what the plugin hands back through host->emit and host->set_error. Private
// to the plugin host (core/src), never seen by plugins.
#pragma once

#include <birdgate/plugin.h>

#include <cstdint>
#include <string>

struct birdgate_ctx
{
    std::string* output = nullptr; // where emit appends; nullptr: this callback takes no output
    std::int32_t kind = 0;         // BIRDGATE_EMIT_* of the first piece, 0 before any
    bool emitted = false;
    bool hasError = false;
    std::string error;
};

namespace birdgate
{

/// The host callbacks (PluginLibrary.cpp). They never throw.
std::int32_t pluginHostEmit(birdgate_ctx* ctx, const char* bytes, std::size_t len, std::int32_t kind) noexcept;
void pluginHostSetError(birdgate_ctx* ctx, const char* message) noexcept;

} // namespace birdgate

#include "birdgate/plugin/PluginResult.h"

namespace birdgate
{

/// Maps what a callback returned (and set_error'd) to a status + message;
/// `what` names the callback in a message the plugin did not give.
inline PluginStatus pluginStatus(std::int32_t code, const birdgate_ctx& ctx, const std::string& what,
                                 std::string& error)
{
    switch (code)
    {
    case BIRDGATE_OK:
        return PluginStatus::Ok;
    case BIRDGATE_RETRY:
        error = ctx.hasError ? ctx.error : what + " returned RETRY without a message";
        return PluginStatus::Retry;
    case BIRDGATE_ERROR:
        error = ctx.hasError ? ctx.error : what + " returned ERROR without a message";
        return PluginStatus::Error;
    default:
        error = what + " returned an unknown status " + std::to_string(code) +
                (ctx.hasError ? ": " + ctx.error : std::string());
        return PluginStatus::Error;
    }
}

} // namespace birdgate
