// The vocabulary of X API v2 answers the sandbox shares between its REST
// endpoints (SandboxV2.cpp) and its filtered stream (SandboxStreamV2.cpp):
// the field and expansion names X accepts, its timestamps and its problem
// JSON, so both sides refuse and answer alike.
#pragma once

#include <set>
#include <string>

namespace birdgate::sandboxv2
{

const std::set<std::string>& tweetFields();     // tweet.fields
const std::set<std::string>& userFields();      // user.fields
const std::set<std::string>& tweetExpansions(); // expansions on tweet endpoints and the stream
const std::set<std::string>& userExpansions();  // expansions on user endpoints

/// 2024-01-02T03:04:05.678Z (UTC).
std::string isoTime(long long epochMillis);

/// {"errors":..., "title", "detail", "type", "status"} (errors only when given:
/// a JSON array).
std::string problemJson(const std::string& title, const std::string& detail, const std::string& type, int status,
                        const std::string& errors = {});

/// X's 400 for one bad parameter: `name` had `value`, `message` says why.
std::string invalidParameterJson(const std::string& name, const std::string& value, const std::string& message);

} // namespace birdgate::sandboxv2
