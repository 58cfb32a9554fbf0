// PluginError: every way loading or instantiating a plugin can fail. The
// message is meant for the operator reading the start-up log, so it always
// names the file and, where they are known, the ABI versions of host and plugin.
#pragma once

#include <stdexcept>
#include <string>

namespace birdgate
{

class PluginError : public std::runtime_error
{
  public:
    explicit PluginError(const std::string& message) : std::runtime_error(message) {}
};

} // namespace birdgate
