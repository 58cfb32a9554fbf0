// A handler's kwargs, read through a declarative table (name, type, default,
// description), the way redis.conf drives its parser. The table documents the
// keys, validates their types and reports unknown ones as warnings; errors
// throw ConfigError with the file and line of the offending node.
#pragma once

#include "birdgate/Config.h"

#include <yaml-cpp/yaml.h>

#include <optional>
#include <span>
#include <string>
#include <vector>

namespace birdgate
{

enum class KwargType
{
    String,
    Int,
    Number,
    Bool,
    StringList, // a YAML list of scalars or one comma-separated string
    Map,
    Any
};

struct KwargSpec
{
    const char* name;
    KwargType type;
    const char* defaultValue; // nullptr: no default (absent stays absent)
    const char* description;
};

class Kwargs
{
public:
    /// `context` names the section in messages, e.g. "url.twitter.kwargs".
    /// Unknown keys are appended to `warnings` (when given).
    Kwargs(const YAML::Node& node, const Origin& origin, int line, std::string context,
           std::span<const KwargSpec> spec, std::vector<std::string>* warnings = nullptr);

    bool has(const std::string& name) const;
    std::string str(const std::string& name) const;           // "" when absent without default
    std::optional<std::string> optStr(const std::string& name) const;
    long long integer(const std::string& name) const;
    double number(const std::string& name) const;
    bool boolean(const std::string& name) const;
    std::vector<std::string> list(const std::string& name) const;
    YAML::Node node(const std::string& name) const;           // the raw node (may be undefined)

    const Origin& origin() const { return _origin; }
    const std::string& context() const { return _context; }

    /// Throws ConfigError for key `name` (file and line of its node).
    [[noreturn]] void fail(const std::string& name, const std::string& expected) const;

private:
    const KwargSpec* find(const std::string& name) const;
    YAML::Node _node;
    Origin _origin;
    int _line;
    std::string _context;
    std::span<const KwargSpec> _spec;
};

} // namespace birdgate
