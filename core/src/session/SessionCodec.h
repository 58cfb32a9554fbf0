// The format of a session's data in the store: a JSON object of strings
// ({"user":"...","token:<key>":"..."}), kept apart from SessionManager's
// cookie and id logic so each can be read (and fuzzed) on its own.
//
// Written and read here rather than through Poco::JSON: Poco rejects (or
// mangles) bytes that are not UTF-8, and a session that cannot be read back
// is a silent logout. The codec is byte-exact: encode() escapes only '"',
// '\\' and control characters and passes every other byte through (so valid
// UTF-8 yields valid JSON), and decode(encode(x)) == x for any bytes.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace birdgate
{

class SessionCodec
{
  public:
    /// {"name":"value",...} in the map's (sorted) order.
    static std::string encode(const std::map<std::string, std::string>& data);

    /// The object encode() writes, or any JSON object of strings (escapes
    /// such as \u00e9 and surrogate pairs decoded to UTF-8); nullopt for
    /// anything else, so a damaged or foreign row reads as no session.
    static std::optional<std::map<std::string, std::string>> decode(std::string_view json);
};

} // namespace birdgate
