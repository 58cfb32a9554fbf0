// Variable substitution in YAML scalars; see VariableExpander.h.
#include "config/VariableExpander.h"

#include "birdgate/config/YamlScalars.h"

#include <cstdlib>

namespace birdgate
{

using yamlscalars::lineOf;

namespace
{
// yaml-cpp does not expose node identity, but each node's data owns its tag
// string, so the tag's address is unique per node and shared by its aliases.
const void* identity(const YAML::Node& node)
{
    return &node.Tag();
}

std::string childKey(const std::string& parent, const std::string& child)
{
    return parent.empty() ? child : parent + "." + child;
}

const char* const SYNTAX = "$NAME, ${NAME}, ${NAME:-default} or $$ for a literal $";
} // namespace

VariableExpander::VariableExpander(const Origin& origin, std::vector<std::string>& warnings, std::string_view text)
    : _origin(origin), _warnings(warnings), _text(text)
{
}

bool VariableExpander::isNameStart(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

bool VariableExpander::isNameChar(char c)
{
    return isNameStart(c) || (c >= '0' && c <= '9');
}

void VariableExpander::expandTree(YAML::Node root, const std::string& key)
{
    if (root.IsDefined()) walk(root, key);
}

void VariableExpander::walk(YAML::Node node, const std::string& key)
{
    const void* id = identity(node);
    if (_onPath.count(id))
        throw ConfigError(_origin.file, lineOf(node), key.empty() ? "(document)" : key,
                          "a YAML alias that does not contain itself");
    if (!_done.insert(id).second) return;
    if (node.IsScalar())
    {
        expandScalar(node, key);
        return;
    }
    if (!node.IsMap() && !node.IsSequence()) return;
    _onPath.insert(id);
    if (node.IsMap())
    {
        std::unordered_set<std::string> seen;
        for (auto it = node.begin(); it != node.end(); ++it)
        {
            YAML::Node name = it->first;
            walk(name, childKey(key, name.IsScalar() ? name.Scalar() : "(key)"));
            const std::string label = name.IsScalar() ? name.Scalar() : "(key)";
            if (name.IsScalar() && !seen.insert(label).second)
            {
                // PyYAML (so Gramex) keeps the later value silently; say so instead.
                _warnings.push_back(_origin.file + ":" + std::to_string(lineOf(name)) + ": duplicate key '" + label +
                                    "'" + (key.empty() ? "" : " in " + key) + " (the later one wins)");
            }
            walk(it->second, childKey(key, label));
        }
    }
    else
    {
        size_t index = 0;
        for (auto it = node.begin(); it != node.end(); ++it, ++index)
            walk(*it, key + "[" + std::to_string(index) + "]");
    }
    _onPath.erase(id);
}

void VariableExpander::expandScalar(YAML::Node node, const std::string& key)
{
    checkClosingQuote(node, key);
    const std::string& text = node.Scalar();
    if (text.find('$') == std::string::npos) return;
    std::string expanded = expand(text, lineOf(node), key);
    if (expanded != text) node = expanded; // set_scalar: the node keeps its mark
}

void VariableExpander::checkClosingQuote(const YAML::Node& node, const std::string& key) const
{
    const YAML::Mark mark = node.Mark();
    if (_text.empty() || mark.is_null() || mark.pos < 0 || static_cast<size_t>(mark.pos) >= _text.size()) return;
    const char quote = _text[static_cast<size_t>(mark.pos)];
    if (quote != '"' && quote != '\'') return;
    for (size_t i = static_cast<size_t>(mark.pos) + 1; i < _text.size(); ++i)
    {
        const char c = _text[i];
        if (quote == '"' && c == '\\')
            ++i; // an escaped character, maybe \"
        else if (c == quote)
        {
            if (quote == '\'' && i + 1 < _text.size() && _text[i + 1] == '\'')
                ++i; // '' is a quote inside a single-quoted string
            else
                return;
        }
    }
    throw ConfigError(_origin.file, lineOf(node), key.empty() ? "(document)" : key,
                      std::string("a closing ") + quote + " for the string that starts on this line");
}

std::string VariableExpander::expand(std::string_view text, int line, const std::string& key)
{
    std::string out;
    out.reserve(text.size());
    size_t i = 0;
    while (i < text.size())
    {
        const char c = text[i];
        if (c != '$' || i + 1 == text.size())
        {
            out += c; // includes a trailing $, the regex end anchor
            ++i;
            continue;
        }
        const char next = text[i + 1];
        if (next == '$')
        {
            out += '$';
            i += 2;
        }
        else if (isNameStart(next))
        {
            size_t end = i + 1;
            while (end < text.size() && isNameChar(text[end])) ++end; // longest name, like a shell
            out += lookup(std::string(text.substr(i + 1, end - i - 1)), line, true);
            i = end;
        }
        else if (next == '{')
        {
            size_t end = i + 2;
            while (end < text.size() && isNameChar(text[end])) ++end;
            const std::string name(text.substr(i + 2, end - i - 2));
            const std::string found(text.substr(i, std::min<size_t>(text.size() - i, 40)));
            if (name.empty() || !isNameStart(name[0]) || end >= text.size())
                throw ConfigError(_origin.file, line, key, std::string(SYNTAX) + " (found '" + found + "')");
            if (text[end] == '}')
            {
                out += lookup(name, line, true);
                i = end + 1;
            }
            else if (text.substr(end, 2) == ":-")
            {
                // The default runs to the matching brace; it may hold ${...} itself.
                size_t close = end + 2;
                int depth = 1;
                for (; close < text.size(); ++close)
                {
                    if (text[close] == '$' && close + 1 < text.size() && text[close + 1] == '$')
                        ++close;
                    else if (text[close] == '$' && close + 1 < text.size() && text[close + 1] == '{')
                    {
                        ++depth;
                        ++close;
                    }
                    else if (text[close] == '}' && --depth == 0)
                        break;
                }
                if (close >= text.size())
                    throw ConfigError(_origin.file, line, key,
                                      std::string(SYNTAX) + " (found '" + found + "' with no closing })");
                const std::string value = lookup(name, line, false);
                out += value.empty() ? expand(text.substr(end + 2, close - end - 2), line, key) : value;
                i = close + 1;
            }
            else
            {
                throw ConfigError(_origin.file, line, key, std::string(SYNTAX) + " (found '" + found + "')");
            }
        }
        else
        {
            out += '$'; // "$)", "$|", "$/": regex anchors, not variables
            ++i;
        }
    }
    return out;
}

std::string VariableExpander::lookup(const std::string& name, int line, bool warnIfUnset)
{
    if (name == "YAMLPATH") return _origin.yamlPath;
    if (name == "YAMLURL") return _origin.yamlUrl;
    if (const char* value = std::getenv(name.c_str())) return value;
    if (warnIfUnset)
    {
        _warnings.push_back(_origin.file + ":" + std::to_string(line) + ": variable $" + name +
                            " is not set (replaced by an empty string)");
    }
    return {};
}

} // namespace birdgate
