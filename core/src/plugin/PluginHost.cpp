// Finding, loading and caching plugins, and turning `function:` strings into
// instances. Loading happens under one mutex: it is rare (start-up, config
// reload) and plugin entry points need not be re-entrant.
#include "birdgate/plugin/PluginHost.h"

#include "birdgate/plugin/PluginError.h"

#include <cctype>
#include <filesystem>

namespace birdgate
{

namespace
{

bool validPluginName(const std::string& name)
{
    if (name.empty()) return false;
    for (unsigned char c : name)
        if (!(std::isalnum(c) || c == '_' || c == '-')) return false;
    return true;
}

} // namespace

PluginHost::PluginHost(std::vector<std::string> folders) : _folders(std::move(folders)) {}

std::string PluginHost::fileName(const std::string& name)
{
#if defined(_WIN32)
    return name + ".dll";
#else
    return name + ".so";
#endif
}

std::pair<std::string, std::string> PluginHost::splitFunction(const std::string& function)
{
    const auto dot = function.find('.');
    if (dot == std::string::npos || dot == 0 || dot + 1 == function.size())
        throw PluginError("'" + function +
                          "' is not a plugin function: expected <plugin>.<export>, "
                          "e.g. sentiment.add_sentiment");
    std::pair<std::string, std::string> parts(function.substr(0, dot), function.substr(dot + 1));
    if (!validPluginName(parts.first))
        throw PluginError("'" + function + "': plugin name '" + parts.first +
                          "' may only use letters, digits, '_' and '-'");
    return parts;
}

std::string PluginHost::find(const std::string& name) const
{
    if (!validPluginName(name))
        throw PluginError("invalid plugin name '" + name + "': only letters, digits, '_' and '-' are allowed");
    const std::string file = fileName(name);
    std::string searched;
    for (const auto& folder : _folders)
    {
        const std::filesystem::path candidate = std::filesystem::path(folder) / file;
        std::error_code ec;
        if (std::filesystem::is_regular_file(candidate, ec))
        {
            // Absolute, so that every later message names the file unambiguously.
            const std::filesystem::path absolute = std::filesystem::absolute(candidate, ec);
            return (ec ? candidate : absolute.lexically_normal()).string();
        }
        searched += (searched.empty() ? "" : ", ") + folder;
    }
    throw PluginError("plugin '" + name + "' not found: no " + file + " in the plugin folders (" +
                      (searched.empty() ? std::string("none configured: set app.plugins") : searched) + ")");
}

std::shared_ptr<PluginLibrary> PluginHost::load(const std::string& name)
{
    std::lock_guard<std::mutex> lock(_mutex);
    auto it = _plugins.find(name);
    if (it != _plugins.end()) return it->second;
    auto plugin = std::make_shared<PluginLibrary>(find(name), name);
    _plugins.emplace(name, plugin);
    return plugin;
}

std::shared_ptr<TransformInstance> PluginHost::createTransform(const std::string& function,
                                                               const std::string& configJson)
{
    const auto [pluginName, exportName] = splitFunction(function);
    auto plugin = load(pluginName);
    const birdgate_transform* transform = plugin->findTransform(exportName);
    if (!transform)
        throw PluginError("plugin '" + pluginName + "' (" + plugin->path() + ") has no transform '" + exportName +
                          "'; it has " + plugin->describeExports());
    return std::make_shared<TransformInstance>(plugin, transform, configJson);
}

std::shared_ptr<SinkInstance> PluginHost::createSink(const std::string& function, const std::string& configJson)
{
    const auto [pluginName, exportName] = splitFunction(function);
    auto plugin = load(pluginName);
    const birdgate_sink* sink = plugin->findSink(exportName);
    if (!sink)
        throw PluginError("plugin '" + pluginName + "' (" + plugin->path() + ") has no sink '" + exportName +
                          "'; it has " + plugin->describeExports());
    return std::make_shared<SinkInstance>(plugin, sink, configJson);
}

} // namespace birdgate
