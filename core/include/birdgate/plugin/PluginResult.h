// What a call into a plugin gives back to birdgate: the C ABI's OK / RETRY /
// ERROR status, the copied output of a transform, and the copied message.
// Plain values: nothing in them points into the plugin.
#pragma once

#include <string>

namespace birdgate
{

enum class PluginStatus
{
    Ok,
    Retry, // transient: the caller may try again later
    Error
};

/// Name of a status for messages: "OK", "RETRY", "ERROR".
const char* pluginStatusName(PluginStatus status);

struct TransformResult
{
    PluginStatus status = PluginStatus::Ok;
    std::string output; // what the transform emitted; the input when it emitted nothing
    bool isJson = true; // output is JSON (parse it) rather than a string sent as is
    std::string error;  // why, when status is not Ok

    bool ok() const { return status == PluginStatus::Ok; }
};

struct SinkResult
{
    PluginStatus status = PluginStatus::Ok;
    std::string error; // why, when status is not Ok

    bool ok() const { return status == PluginStatus::Ok; }
};

} // namespace birdgate
