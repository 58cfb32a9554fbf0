// ConfigLoader does the work behind Config::load: it reads the main file and
// its imports depth-first, expands variables per file (each file has its own
// $YAMLPATH and $YAMLURL), and folds every file's `app:`, `url:` and
// `schedule:` into one Config. Imports come before the importing file's own
// entries, so "the importing file wins" is simply "later wins". One loader
// per load; private to birdgate_core.
#pragma once

#include "birdgate/config/Config.h"

#include <yaml-cpp/yaml.h>

#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

namespace birdgate
{

class ConfigLoader
{
  public:
    /// `handlers`: the names url.NAME.handler may take (empty: any name).
    ConfigLoader(Config& config, HandlerNames handlers);

    void loadFile(const std::string& path);
    void loadText(const std::string& yaml, const std::string& virtualPath);

  private:
    using AppValue = std::variant<std::string, long long, std::vector<std::string>>;

    struct Import
    {
        std::string path;
        std::optional<std::string> yamlUrl;
        std::string key; // "import", "import[1]", "import.name"
        int line = 0;
    };

    void start(const std::string& path);
    void loadDocument(const std::string& text, const Origin& origin);
    YAML::Node parse(const std::string& text, const std::string& file) const;
    std::vector<Import> readImports(const YAML::Node& node, const Origin& origin);
    void importFile(const Import& import, const Origin& from);
    void readApp(const YAML::Node& node, const Origin& origin);
    std::optional<AppValue> readSetting(const AppSetting& setting, const YAML::Node& node, const Origin& origin) const;
    void store(const AppSetting& setting, const YAML::Node& node, const Origin& origin);
    void readUrls(const YAML::Node& node, const Origin& origin);
    void readAuth(const YAML::Node& auth, int keyLine, const Origin& origin, const std::string& key, UrlEntry& entry);
    void readSchedules(const YAML::Node& node, const Origin& origin);
    void finish();
    void warn(const std::string& file, int line, const std::string& text);
    std::string yamlUrlOf(const std::string& folder) const;

    Config& _config;
    HandlerNames _handlers;
    Origin _main;
    std::vector<std::string> _stack;      // canonical paths being loaded (import cycles)
    std::vector<std::string> _stackNames; // the same as shown in messages
    std::map<std::string, AppValue> _app; // app setting name -> value; later files win
    YAML::Node _appRaw;
    std::unordered_map<std::string, size_t> _urlIndex;
    std::unordered_map<std::string, size_t> _scheduleIndex;
};

} // namespace birdgate
