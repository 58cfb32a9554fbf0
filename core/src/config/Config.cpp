// Config's entry points. The reading itself lives in ConfigLoader (files,
// imports, sections), VariableExpander ($VARIABLES) and AppSettings (the
// app: table); this file keeps what callers see.
#include "birdgate/config/Config.h"

#include "birdgate/config/YamlScalars.h"
#include "config/ConfigLoader.h"

namespace birdgate
{

Config Config::load(const std::string& path, HandlerNames handlers)
{
    Config config;
    ConfigLoader(config, handlers).loadFile(path);
    return config;
}

Config Config::loadString(const std::string& yaml, const std::string& virtualPath, HandlerNames handlers)
{
    Config config;
    ConfigLoader(config, handlers).loadText(yaml, virtualPath);
    return config;
}

std::string expectedHandler(HandlerNames names, const YAML::Node& found)
{
    std::string text;
    for (const std::string_view name : names) text += (text.empty() ? "one of " : ", ") + std::string(name);
    if (text.empty()) text = "a handler name";
    return text + " (found " + yamlscalars::describe(found) + ")";
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
