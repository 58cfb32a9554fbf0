// A Plugin is one loaded `<name>.so`: the shared library, the host function
// table handed to it, and its checked descriptor. Loading does every check
// the ABI asks for (entry symbol, major/minor, struct sizes, required
// callbacks, export names) so that a plugin that loads is safe to call.
//
// Instances (TransformInstance, SinkInstance) hold a shared_ptr<Plugin>: the
// library is unloaded only when the last instance and the PluginHost's cache
// are gone, never under a running call.
#pragma once

#include <birdgate/plugin.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace birdgate
{

class PluginLibrary
{
  public:
    /// Loads and checks the library at `path`; `name` (the file name without
    /// its suffix) names the plugin's logger. Throws PluginError.
    PluginLibrary(const std::string& path, const std::string& name);
    ~PluginLibrary();

    PluginLibrary(const PluginLibrary&) = delete;
    PluginLibrary& operator=(const PluginLibrary&) = delete;

    const std::string& path() const { return _path; }
    const std::string& name() const { return _name; }
    const std::string& version() const { return _version; }           // the plugin's own version
    const std::string& declaredName() const { return _declaredName; } // the descriptor's name
    std::uint32_t abiMajor() const { return _abiMajor; }
    std::uint32_t abiMinor() const { return _abiMinor; }

    std::vector<std::string> transformNames() const;
    std::vector<std::string> sinkNames() const;

    /// The export called `name`, or nullptr.
    const birdgate_transform* findTransform(std::string_view name) const;
    const birdgate_sink* findSink(std::string_view name) const;

    /// The host table this plugin received (passed again to create).
    const birdgate_host* host() const;

    /// "transforms: a, b; sinks: c" (or "no exports"), for messages.
    std::string describeExports() const;

    /// The ABI check alone: throws PluginError (naming `path` and both
    /// versions) unless a plugin built for pluginMajor.pluginMinor may run on
    /// a host speaking hostMajor.hostMinor.
    static void checkAbi(const std::string& path, std::uint32_t pluginMajor, std::uint32_t pluginMinor,
                         std::uint32_t hostMajor = BIRDGATE_ABI_MAJOR, std::uint32_t hostMinor = BIRDGATE_ABI_MINOR);

    /// "1.0": the ABI this host speaks.
    static std::string hostAbi();

    struct HostTable; // birdgate_host + what the host callbacks need (PluginLibrary.cpp)
    struct Library;   // the Boost.DLL library (PluginLibrary.cpp), keeps Boost out of this header

  private:
    void checkDescriptor(const birdgate_plugin* descriptor);
    [[noreturn]] void refuse(const std::string& pluginAbi, const std::string& reason) const;

    std::string _path;
    std::string _name;
    std::string _declaredName;
    std::string _version;
    std::uint32_t _abiMajor = 0;
    std::uint32_t _abiMinor = 0;
    std::unique_ptr<HostTable> _hostTable; // must outlive _library: the plugin may log until unloaded
    std::unique_ptr<Library> _library;
    std::vector<const birdgate_transform*> _transforms;
    std::vector<const birdgate_sink*> _sinks;
};

} // namespace birdgate
