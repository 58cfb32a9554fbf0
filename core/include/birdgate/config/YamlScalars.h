// Strict readers for YAML scalars, shared by the config loader and Kwargs so
// that "an integer" or "a boolean" means the same thing in every section.
// yaml-cpp's as<int>() accepts "0x10" and silently truncates; these do not.
// Private to birdgate_core.
#pragma once

#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace birdgate::yamlscalars
{

/// 1-based line of a parsed node; 0 for nodes built in code.
int lineOf(const YAML::Node& node);

/// "a map", "a list", "nothing", or the scalar quoted ('abc', shortened).
std::string describe(const YAML::Node& node);

std::string trim(std::string_view text);

/// Decimal integer with an optional sign; nothing else (no spaces, no 0x).
std::optional<long long> parseInteger(std::string_view text);

/// A finite decimal number.
std::optional<double> parseNumber(std::string_view text);

/// true/false/yes/no/on/off/1/0, any case.
std::optional<bool> parseBool(std::string_view text);

/// A byte count: 1048576, 64KB, 5MB, 1GB, 2 MiB, 10K (powers of 1024).
std::optional<long long> parseBytes(std::string_view text);

/// Splits on commas, trims the items and drops empty ones.
std::vector<std::string> splitList(std::string_view text);

/// The value of the last `key` in a map (YAML allows duplicates; like PyYAML,
/// the later one wins). Undefined when absent or when `map` is not a map.
YAML::Node lastChild(const YAML::Node& map, const std::string& key);

/// A node that IsDefined() reports false for.
YAML::Node undefinedNode();

} // namespace birdgate::yamlscalars
