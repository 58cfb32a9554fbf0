// Strict scalar readers; see YamlScalars.h for why they exist.
#include "birdgate/config/YamlScalars.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>

namespace birdgate::yamlscalars
{

int lineOf(const YAML::Node& node)
{
    if (!node.IsDefined()) return 0;
    const YAML::Mark mark = node.Mark();
    return mark.is_null() ? 0 : mark.line + 1;
}

std::string describe(const YAML::Node& node)
{
    if (!node.IsDefined() || node.IsNull()) return "nothing";
    if (node.IsMap()) return "a map";
    if (node.IsSequence()) return "a list";
    std::string text = node.Scalar();
    if (text.size() > 60) text = text.substr(0, 57) + "...";
    return "'" + text + "'";
}

std::string trim(std::string_view text)
{
    const auto isSpace = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
    while (!text.empty() && isSpace(text.front())) text.remove_prefix(1);
    while (!text.empty() && isSpace(text.back())) text.remove_suffix(1);
    return std::string(text);
}

std::optional<long long> parseInteger(std::string_view text)
{
    if (!text.empty() && text.front() == '+')
    {
        text.remove_prefix(1);
        if (text.empty() || !std::isdigit(static_cast<unsigned char>(text.front()))) return std::nullopt;
    }
    long long value = 0;
    const char* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (ec != std::errc() || ptr != end) return std::nullopt;
    return value;
}

std::optional<double> parseNumber(std::string_view text)
{
    // from_chars for double accepts "inf" and "nan"; a config number never means those.
    if (text.empty() || text.find_first_not_of("+-.0123456789eE") != std::string_view::npos) return std::nullopt;
    if (text.front() == '+') text.remove_prefix(1);
    double value = 0;
    const char* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (ec != std::errc() || ptr != end || !std::isfinite(value)) return std::nullopt;
    return value;
}

std::optional<bool> parseBool(std::string_view text)
{
    std::string lower(text);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (lower == "true" || lower == "yes" || lower == "on" || lower == "1") return true;
    if (lower == "false" || lower == "no" || lower == "off" || lower == "0") return false;
    return std::nullopt;
}

std::optional<long long> parseBytes(std::string_view text)
{
    const std::string trimmed = trim(text);
    size_t digits = 0;
    while (digits < trimmed.size() && std::isdigit(static_cast<unsigned char>(trimmed[digits]))) ++digits;
    if (digits == 0) return std::nullopt;
    auto number = parseInteger(std::string_view(trimmed).substr(0, digits));
    if (!number) return std::nullopt;
    std::string unit = trim(std::string_view(trimmed).substr(digits));
    std::transform(unit.begin(), unit.end(), unit.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    long long multiplier = 0;
    if (unit.empty() || unit == "B")
        multiplier = 1;
    else if (unit == "K" || unit == "KB" || unit == "KIB")
        multiplier = 1024LL;
    else if (unit == "M" || unit == "MB" || unit == "MIB")
        multiplier = 1024LL * 1024;
    else if (unit == "G" || unit == "GB" || unit == "GIB")
        multiplier = 1024LL * 1024 * 1024;
    else if (unit == "T" || unit == "TB" || unit == "TIB")
        multiplier = 1024LL * 1024 * 1024 * 1024;
    else
        return std::nullopt;
    if (*number > std::numeric_limits<long long>::max() / multiplier) return std::nullopt;
    return *number * multiplier;
}

std::vector<std::string> splitList(std::string_view text)
{
    std::vector<std::string> items;
    size_t start = 0;
    while (start <= text.size())
    {
        size_t comma = text.find(',', start);
        if (comma == std::string_view::npos) comma = text.size();
        std::string item = trim(text.substr(start, comma - start));
        if (!item.empty()) items.push_back(std::move(item));
        start = comma + 1;
    }
    return items;
}

YAML::Node lastChild(const YAML::Node& map, const std::string& key)
{
    YAML::Node found = undefinedNode();
    if (!map.IsDefined() || !map.IsMap()) return found;
    for (auto it = map.begin(); it != map.end(); ++it)
    {
        if (it->first.IsScalar() && it->first.Scalar() == key)
            found.reset(it->second); // rebind the handle; never assign through it
    }
    return found;
}

YAML::Node undefinedNode()
{
    return YAML::Node(YAML::NodeType::Undefined);
}

} // namespace birdgate::yamlscalars
