// ConfigError: the one exception every configuration problem becomes, so the
// server can print a single line that says where (file:line), what (the dotted
// key) and how to fix it (what was expected), and refuse to start.
#include "birdgate/config/Config.h"

namespace birdgate
{
namespace
{
std::string formatConfigError(const std::string& file, int line, const std::string& key, const std::string& expected)
{
    std::string text = file;
    if (line > 0) text += ":" + std::to_string(line);
    text += ": ";
    if (!key.empty()) text += key + ": ";
    text += "expected " + expected;
    return text;
}
} // namespace

ConfigError::ConfigError(const std::string& file, int line, const std::string& key, const std::string& expected)
    : std::runtime_error(formatConfigError(file, line, key, expected)), _file(file), _line(line), _key(key),
      _expected(expected)
{
}

} // namespace birdgate
