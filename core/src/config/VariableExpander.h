// Substitutes $YAMLPATH, $YAMLURL, $NAME, ${NAME}, ${NAME:-default} and $$ in
// the scalars of one YAML file, in place, so every node keeps the mark (line)
// the parser gave it and later errors still point at the right line.
//
// It also guards the rest of the loader against what YAML aliases can build:
// a node reached twice through `*alias` is expanded once (so `$$` is not
// turned into `$` and then read again as a variable), and an alias that
// contains itself is refused instead of recursing forever. Private to
// birdgate_core.
#pragma once

#include "birdgate/config/Config.h"

#include <yaml-cpp/yaml.h>

#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace birdgate
{

class VariableExpander
{
  public:
    /// `text` is the file's source, used to spot a quoted string that never
    /// closes (yaml-cpp quietly reads it to the end of the file); may be empty.
    VariableExpander(const Origin& origin, std::vector<std::string>& warnings, std::string_view text = {});

    /// Expands every scalar (keys too) under `root`; `key` names root in messages.
    void expandTree(YAML::Node root, const std::string& key = "");

    /// Expands one string; `line` and `key` are for messages only.
    std::string expand(std::string_view text, int line, const std::string& key);

    static bool isNameStart(char c);
    static bool isNameChar(char c);

  private:
    void walk(YAML::Node node, const std::string& key);
    void expandScalar(YAML::Node node, const std::string& key);
    void checkClosingQuote(const YAML::Node& node, const std::string& key) const;
    std::string lookup(const std::string& name, int line, bool warnIfUnset);

    const Origin& _origin;
    std::vector<std::string>& _warnings;
    std::string_view _text;
    std::unordered_set<const void*> _done;   // nodes already expanded
    std::unordered_set<const void*> _onPath; // nodes being walked (alias loops)
};

} // namespace birdgate
