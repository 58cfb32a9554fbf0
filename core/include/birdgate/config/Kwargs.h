// A handler's kwargs, read through a declarative table (name, type, default,
// description), the way redis.conf drives its parser. The table documents the
// keys, validates their types and reports unknown ones as warnings; errors
// throw ConfigError with the file and line of the offending node.
#pragma once

#include "birdgate/config/Config.h"

#include <yaml-cpp/yaml.h>

#include <optional>
#include <span>
#include <string>
#include <utility>
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
    /// Unknown keys are appended to `warnings` (when given). Every known key
    /// is type-checked here, so errors surface at start-up; `node` may be
    /// Null or undefined (no kwargs: only defaults). `line` is the entry's
    /// line, used for keys that are absent. A key given as `key:` with no
    /// value counts as absent, so its default applies.
    Kwargs(const YAML::Node& node, const Origin& origin, int line, std::string context, std::span<const KwargSpec> spec,
           std::vector<std::string>* warnings = nullptr);

    // Accessors. Asking for a name that is not in the table throws
    // std::logic_error (a programming error, not a config error).

    bool has(const std::string& name) const;                          // given in the YAML, or has a default
    std::string str(const std::string& name) const;                   // "" when absent without default
    std::optional<std::string> optStr(const std::string& name) const; // nullopt: absent without default
    long long integer(const std::string& name) const;                 // 0 when absent without default
    double number(const std::string& name) const;                     // 0 when absent without default
    bool boolean(const std::string& name) const;                      // false when absent without default
    std::vector<std::string> list(const std::string& name) const;     // items trimmed, empties dropped
    /// A Map kwarg of scalars as (key, value) pairs in YAML order, e.g.
    /// `headers: {Cache-Control: private}`; a non-scalar value is a ConfigError.
    std::vector<std::pair<std::string, std::string>> stringPairs(const std::string& name) const;
    YAML::Node node(const std::string& name) const; // the YAML as written; undefined when
                                                    // absent (defaults are not nodes)

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
