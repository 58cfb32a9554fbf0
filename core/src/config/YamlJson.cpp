// yamlToJson; see YamlJson.h.
#include "birdgate/config/YamlJson.h"

#include "birdgate/common/HttpErrors.h"

#include <cctype>
#include <regex>

namespace birdgate
{
namespace
{
bool plainScalarIsTyped(const std::string& s)
{
    static const std::regex number(R"(-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?)");
    return s == "true" || s == "false" || s == "null" || std::regex_match(s, number);
}

void appendJson(std::string& out, const YAML::Node& node)
{
    switch (node.Type())
    {
    case YAML::NodeType::Map: {
        out.push_back('{');
        bool first = true;
        for (const auto& kv : node)
        {
            if (!first) out.push_back(',');
            first = false;
            jsonQuoteTo(out, kv.first.Scalar());
            out.push_back(':');
            appendJson(out, kv.second);
        }
        out.push_back('}');
        break;
    }
    case YAML::NodeType::Sequence: {
        out.push_back('[');
        for (size_t i = 0; i < node.size(); ++i)
        {
            if (i) out.push_back(',');
            appendJson(out, node[i]);
        }
        out.push_back(']');
        break;
    }
    case YAML::NodeType::Scalar: {
        const std::string& s = node.Scalar();
        std::string lower = s;
        for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (node.Tag() != "!" && (lower == "yes" || lower == "on"))
            out += "true";
        else if (node.Tag() != "!" && (lower == "no" || lower == "off"))
            out += "false";
        else if (node.Tag() != "!" && (lower == "true" || lower == "false"))
            out += lower;
        else if (node.Tag() != "!" && plainScalarIsTyped(s))
            out += s;
        else
            jsonQuoteTo(out, s);
        break;
    }
    default:
        out += "null";
    }
}
} // namespace

std::string yamlToJson(const YAML::Node& node)
{
    std::string out;
    appendJson(out, node);
    return out;
}

} // namespace birdgate
