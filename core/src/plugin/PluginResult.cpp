// Names of plugin statuses, for messages and logs.
#include "birdgate/plugin/PluginResult.h"

namespace birdgate
{

const char* pluginStatusName(PluginStatus status)
{
    switch (status)
    {
    case PluginStatus::Ok:
        return "OK";
    case PluginStatus::Retry:
        return "RETRY";
    case PluginStatus::Error:
        return "ERROR";
    }
    return "?";
}

} // namespace birdgate
