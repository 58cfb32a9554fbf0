// One header line of a request or an answer, as received or to be sent.
// Names compare case-insensitively (iequals); order is kept.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace birdgate
{

struct HeaderField
{
    std::string name;
    std::string value;
};

using HeaderFields = std::vector<HeaderField>;

/// ASCII case-insensitive equality (header names, methods, tokens).
bool iequals(std::string_view a, std::string_view b);

/// The first field named `name` (case-insensitive), or nullptr.
const std::string* findHeader(const HeaderFields& fields, std::string_view name);

/// Replaces the first field named `name` (case-insensitive), or appends one.
void setHeader(HeaderFields& fields, std::string_view name, std::string value);

} // namespace birdgate
