// birdgate_plugin_check: loads a plugin with the real PluginHost and runs one
// transform once, printing its output. Used by the SDK's out-of-tree test
// (a plugin built against the installed SDK must load in this host) and handy
// for plugin authors:
//   birdgate_plugin_check <folder> <plugin.export> [config-json] [input-json] [context-json]
// Exit status: 0 OK, 1 the transform failed, 2 the plugin was refused, 64 usage.
#include "birdgate/plugin/PluginError.h"
#include "birdgate/plugin/PluginHost.h"

#include <iostream>

int main(int argc, char** argv)
{
    if (argc < 3 || argc > 6)
    {
        std::cerr << "usage: " << argv[0]
                  << " <plugin-folder> <plugin.export> [config-json] [input-json] [context-json]\n";
        return 64;
    }
    const std::string config = argc > 3 ? argv[3] : "{}";
    const std::string input = argc > 4 ? argv[4] : "{}";
    const std::string context =
        argc > 5 ? argv[5] : R"({"url":"check","path":"","method":"GET","args":{},"user":null})";
    try
    {
        birdgate::PluginHost host({argv[1]});
        auto transform = host.createTransform(argv[2], config);
        const auto& plugin = transform->plugin();
        std::cerr << "loaded " << plugin.path() << ": plugin '" << plugin.declaredName() << "' version "
                  << plugin.version() << ", ABI " << plugin.abiMajor() << "." << plugin.abiMinor() << "; "
                  << plugin.describeExports() << "\n";
        const birdgate::TransformResult result = transform->call(input, context);
        if (!result.ok())
        {
            std::cerr << transform->name() << ": " << birdgate::pluginStatusName(result.status) << ": " << result.error
                      << "\n";
            return 1;
        }
        std::cout << result.output << "\n";
        return 0;
    }
    catch (const birdgate::PluginError& e)
    {
        std::cerr << e.what() << "\n";
        return 2;
    }
}
