// Config's entry points. The reading itself lives in ConfigLoader (files,
// imports, sections), VariableExpander ($VARIABLES) and AppSettings (the
// app: table); this file keeps what callers see.
#include "birdgate/config/Config.h"

#include "config/ConfigLoader.h"

namespace birdgate
{

Config Config::load(const std::string& path)
{
    Config config;
    ConfigLoader(config).loadFile(path);
    return config;
}

Config Config::loadString(const std::string& yaml, const std::string& virtualPath)
{
    Config config;
    ConfigLoader(config).loadText(yaml, virtualPath);
    return config;
}

std::span<const char* const> knownHandlers()
{
    static const char* const HANDLERS[] = {"TwitterRESTHandler", "TwitterSandbox", "FileHandler"};
    return HANDLERS;
}

std::string normalisePattern(const std::string& pattern)
{
    // Gramex builds patterns by gluing $YAMLURL and a path, so "//" and "/./"
    // appear naturally; collapsing them while scanning handles runs such as
    // "///" and "/././" in one pass.
    std::string out;
    out.reserve(pattern.size());
    for (char c : pattern)
    {
        out += c;
        if (out.ends_with("//"))
            out.pop_back();
        else if (out.ends_with("/./"))
            out.resize(out.size() - 2);
    }
    return out;
}

} // namespace birdgate
