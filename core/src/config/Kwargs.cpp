// Kwargs: a handler's `kwargs:` read through its declarative table. Every key
// is type-checked in the constructor, so a wrong value stops the server at
// start-up with file:line instead of surfacing on the first request; the
// accessors then only convert. Asking for a name that is not in the table is
// a programming error (std::logic_error), not a config error.
#include "birdgate/config/Kwargs.h"

#include "birdgate/config/YamlScalars.h"

#include <stdexcept>

namespace birdgate
{

using yamlscalars::describe;
using yamlscalars::lastChild;
using yamlscalars::lineOf;

namespace
{
const char* expectedFor(KwargType type)
{
    switch (type)
    {
    case KwargType::String:
        return "a string";
    case KwargType::Int:
        return "an integer";
    case KwargType::Number:
        return "a number";
    case KwargType::Bool:
        return "true or false";
    case KwargType::StringList:
        return "a list of strings or a comma-separated string";
    case KwargType::Map:
        return "a map";
    case KwargType::Any:
        return "a value";
    }
    return "a value";
}

bool present(const YAML::Node& node)
{
    return node.IsDefined() && !node.IsNull();
}
} // namespace

Kwargs::Kwargs(const YAML::Node& node, const Origin& origin, int line, std::string context,
               std::span<const KwargSpec> spec, std::vector<std::string>* warnings)
    : _node(node), _origin(origin), _line(line), _context(std::move(context)), _spec(spec)
{
    if (!present(node))
    {
        _node.reset(YAML::Node(YAML::NodeType::Map)); // reset: assigning would write through to the caller's node
        return;
    }
    // A key missing from a kwargs map is reported at the map itself.
    if (lineOf(node) > 0) _line = lineOf(node);
    if (!node.IsMap())
        throw ConfigError(_origin.file, _line, _context, "a map of keyword arguments (found " + describe(node) + ")");
    for (const auto& pair : node)
    {
        if (!pair.first.IsScalar())
            throw ConfigError(_origin.file, lineOf(pair.first), _context,
                              "a string key (found " + describe(pair.first) + ")");
        const std::string& name = pair.first.Scalar();
        const KwargSpec* kwarg = find(name);
        if (!kwarg)
        {
            if (warnings)
                warnings->push_back(_origin.file + ":" + std::to_string(lineOf(pair.first)) + ": unknown key '" + name +
                                    "' in " + _context + " (ignored)");
            continue;
        }
        const YAML::Node& value = pair.second;
        if (!present(value)) continue; // `key:` alone means "not given": the default applies
        bool ok = true;
        switch (kwarg->type)
        {
        case KwargType::String:
            ok = value.IsScalar();
            break;
        case KwargType::Int:
            ok = value.IsScalar() && yamlscalars::parseInteger(value.Scalar()).has_value();
            break;
        case KwargType::Number:
            ok = value.IsScalar() && yamlscalars::parseNumber(value.Scalar()).has_value();
            break;
        case KwargType::Bool:
            ok = value.IsScalar() && yamlscalars::parseBool(value.Scalar()).has_value();
            break;
        case KwargType::StringList:
            ok = value.IsScalar() || value.IsSequence();
            if (value.IsSequence())
            {
                for (const auto& item : value)
                {
                    if (!item.IsScalar() && !item.IsNull())
                        throw ConfigError(_origin.file, lineOf(item), _context + "." + name,
                                          std::string(expectedFor(kwarg->type)) + " (found " + describe(item) +
                                              " in the list)");
                }
            }
            break;
        case KwargType::Map:
            ok = value.IsMap();
            break;
        case KwargType::Any:
            break;
        }
        if (!ok)
            throw ConfigError(_origin.file, lineOf(value), _context + "." + name,
                              std::string(expectedFor(kwarg->type)) + " (found " + describe(value) + ")");
    }
}

const KwargSpec* Kwargs::find(const std::string& name) const
{
    for (const KwargSpec& kwarg : _spec)
        if (name == kwarg.name) return &kwarg;
    return nullptr;
}

namespace
{
[[noreturn]] void notInTable(const std::string& name, const std::string& context)
{
    throw std::logic_error("Kwargs: '" + name + "' is not in the table of " + context);
}
} // namespace

bool Kwargs::has(const std::string& name) const
{
    const KwargSpec* kwarg = find(name);
    if (!kwarg) notInTable(name, _context);
    return present(lastChild(_node, name)) || kwarg->defaultValue != nullptr;
}

std::optional<std::string> Kwargs::optStr(const std::string& name) const
{
    const KwargSpec* kwarg = find(name);
    if (!kwarg) notInTable(name, _context);
    YAML::Node value = lastChild(_node, name);
    if (present(value))
    {
        if (!value.IsScalar()) fail(name, "a string (found " + describe(value) + ")");
        return value.Scalar();
    }
    if (kwarg->defaultValue) return std::string(kwarg->defaultValue);
    return std::nullopt;
}

std::string Kwargs::str(const std::string& name) const
{
    return optStr(name).value_or(std::string());
}

long long Kwargs::integer(const std::string& name) const
{
    auto text = optStr(name);
    if (!text) return 0;
    auto value = yamlscalars::parseInteger(*text);
    if (!value) fail(name, "an integer (found '" + *text + "')");
    return *value;
}

double Kwargs::number(const std::string& name) const
{
    auto text = optStr(name);
    if (!text) return 0;
    auto value = yamlscalars::parseNumber(*text);
    if (!value) fail(name, "a number (found '" + *text + "')");
    return *value;
}

bool Kwargs::boolean(const std::string& name) const
{
    auto text = optStr(name);
    if (!text) return false;
    auto value = yamlscalars::parseBool(*text);
    if (!value) fail(name, "true or false (found '" + *text + "')");
    return *value;
}

std::vector<std::string> Kwargs::list(const std::string& name) const
{
    const KwargSpec* kwarg = find(name);
    if (!kwarg) notInTable(name, _context);
    YAML::Node value = lastChild(_node, name);
    if (!present(value))
        return kwarg->defaultValue ? yamlscalars::splitList(kwarg->defaultValue) : std::vector<std::string>();
    if (value.IsScalar()) return yamlscalars::splitList(value.Scalar());
    if (!value.IsSequence())
        fail(name, std::string(expectedFor(KwargType::StringList)) + " (found " + describe(value) + ")");
    std::vector<std::string> items;
    for (const auto& item : value)
    {
        if (!item.IsScalar()) continue; // nulls; anything else was refused by the constructor
        std::string text = yamlscalars::trim(item.Scalar());
        if (!text.empty()) items.push_back(std::move(text));
    }
    return items;
}

YAML::Node Kwargs::node(const std::string& name) const
{
    if (!find(name)) notInTable(name, _context);
    return lastChild(_node, name);
}

std::vector<std::pair<std::string, std::string>> Kwargs::stringPairs(const std::string& name) const
{
    std::vector<std::pair<std::string, std::string>> out;
    YAML::Node map = node(name);
    if (!map.IsDefined() || !map.IsMap()) return out;
    for (const auto& kv : map)
    {
        if (!kv.second.IsScalar()) fail(name, "a map of names to strings");
        out.emplace_back(kv.first.Scalar(), kv.second.Scalar());
    }
    return out;
}

void Kwargs::fail(const std::string& name, const std::string& expected) const
{
    YAML::Node value = lastChild(_node, name);
    const int line = value.IsDefined() && lineOf(value) > 0 ? lineOf(value) : _line;
    throw ConfigError(_origin.file, line, _context + "." + name, expected);
}

} // namespace birdgate
