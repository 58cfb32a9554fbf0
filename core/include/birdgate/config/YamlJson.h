// YAML -> JSON for the configs handed to plugins (a transform's own keys, a
// stream's sink_config): the way PyYAML would read them in Gramex. Quoted
// scalars stay strings; plain ones become true/false (also yes/no/on/off),
// null, or a number when they are a JSON number; everything else a string.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>

namespace birdgate
{

/// Compact JSON of `node` (an undefined or null node is `null`).
std::string yamlToJson(const YAML::Node& node);

} // namespace birdgate
