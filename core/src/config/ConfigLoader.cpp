// Reads the main YAML file and its imports into a Config; see ConfigLoader.h.
//
// Errors are thrown as soon as they are seen (the first one stops start-up);
// unknown keys, duplicate keys, replaced entries and unset variables are
// collected in Config::warnings, each prefixed with file:line.
#include "config/ConfigLoader.h"

#include "birdgate/config/YamlScalars.h"
#include "config/VariableExpander.h"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/mark.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
// GCC 12 reports -Wmaybe-uninitialized inside <regex> when sanitizers are on
// (a known false positive); keep the sanitizer build warning-free.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <regex>
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
#include <sstream>
#include <type_traits>

namespace birdgate
{

namespace fs = std::filesystem;
using yamlscalars::describe;
using yamlscalars::lastChild;
using yamlscalars::lineOf;

namespace
{

/// Absolute, lexically normal folder of `file`, without a trailing '/'.
std::string folderOf(const fs::path& file)
{
    return fs::absolute(file).lexically_normal().parent_path().string();
}

/// Keeps the text short and stable across standard libraries (their own
/// messages differ and are long), in Python's words where it has some.
std::string describeRegexError(const std::regex_error& error, const std::string& pattern)
{
    namespace rc = std::regex_constants;
    // Gramex patterns are Python regexes; their named groups are the usual casualty.
    if (pattern.find("(?P<") != std::string::npos || pattern.find("(?<") != std::string::npos)
        return "ECMAScript syntax: named groups (?P<name>...) are not supported, use (...)";
    switch (error.code())
    {
    case rc::error_paren: {
        // libstdc++ also says "mismatched parentheses" for a leading quantifier.
        if (!pattern.empty() && (pattern[0] == '*' || pattern[0] == '+' || pattern[0] == '?'))
            return "nothing to repeat before *, +, ? or {";
        const auto opens = std::count(pattern.begin(), pattern.end(), '(');
        const auto closes = std::count(pattern.begin(), pattern.end(), ')');
        if (opens > closes) return "missing ')'";
        if (closes > opens) return "unbalanced ')'";
        std::string text = error.what();
        if (text.ends_with(" in regular expression"))
            text.resize(text.size() - std::string(" in regular expression").size());
        return text;
    }
    case rc::error_brack:
        return "missing ']'";
    case rc::error_brace:
        return "unbalanced '{' and '}'";
    case rc::error_badbrace:
        return "an invalid {n,m} repeat count";
    case rc::error_range:
        return "an invalid character range";
    case rc::error_escape:
        return "an invalid escape";
    case rc::error_backref:
        return "an invalid back reference";
    case rc::error_badrepeat:
        return "nothing to repeat before *, +, ? or {";
    case rc::error_collate:
        return "an invalid collating element";
    case rc::error_ctype:
        return "an invalid character class";
    case rc::error_space:
    case rc::error_complexity:
    case rc::error_stack:
        return "a simpler expression";
    default:
        return error.what();
    }
}

bool isOneOf(const std::string& value, std::initializer_list<const char*> names)
{
    return std::any_of(names.begin(), names.end(), [&](const char* name) { return value == name; });
}

/// Sees a YAML stream's documents go by without building them (see parse()).
class DocumentCounter : public YAML::EventHandler
{
  public:
    std::vector<YAML::Mark> starts;

    void OnDocumentStart(const YAML::Mark& mark) override { starts.push_back(mark); }
    void OnDocumentEnd() override {}
    void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
    void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
    void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override {}
    void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
    void OnSequenceEnd() override {}
    void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
    void OnMapEnd() override {}
};

/// Assigning a struct holding YAML::Node members would assign through the
/// nodes (yaml-cpp's operator= rewrites the node every alias shares), so an
/// entry is replaced by destroying it and constructing the new one in place.
template <typename Entry> void replace(Entry& earlier, Entry&& later)
{
    std::destroy_at(&earlier);
    std::construct_at(&earlier, std::move(later));
}

/// Deep merge of two `app:` maps; `overlay` (the importing file) wins.
YAML::Node mergeMaps(const YAML::Node& base, const YAML::Node& overlay)
{
    if (!base.IsDefined() || base.IsNull()) return overlay;
    if (!overlay.IsDefined() || overlay.IsNull()) return base;
    if (!base.IsMap() || !overlay.IsMap()) return overlay;
    YAML::Node out(YAML::NodeType::Map);
    for (const auto& pair : base) out[pair.first.Scalar()] = pair.second;
    for (const auto& pair : overlay)
    {
        const std::string key = pair.first.Scalar();
        YAML::Node existing = lastChild(out, key);
        out[key] = existing.IsDefined() ? mergeMaps(existing, pair.second) : pair.second;
    }
    return out;
}

} // namespace

ConfigLoader::ConfigLoader(Config& config, HandlerNames handlers) : _config(config), _handlers(handlers) {}

void ConfigLoader::start(const std::string& path)
{
    _config.mainFile = path;
    _main.file = path;
    _main.yamlPath = folderOf(path);
    _main.yamlUrl = "";
    std::error_code ec;
    fs::path canonical = fs::weakly_canonical(fs::absolute(path), ec);
    _stack.push_back(ec ? fs::absolute(path).lexically_normal().string() : canonical.string());
    _stackNames.push_back(path);
}

void ConfigLoader::loadFile(const std::string& path)
{
    start(path);
    std::error_code ec;
    if (fs::is_directory(path, ec)) throw ConfigError(path, 0, "(file)", "a readable YAML file (found a directory)");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw ConfigError(path, 0, "(file)", std::string("a readable YAML file (") + std::strerror(errno) + ")");
    std::ostringstream text;
    text << in.rdbuf();
    loadDocument(text.str(), _main);
    finish();
}

void ConfigLoader::loadText(const std::string& yaml, const std::string& virtualPath)
{
    start(virtualPath);
    loadDocument(yaml, _main);
    finish();
}

YAML::Node ConfigLoader::parse(const std::string& text, const std::string& file) const
{
    try
    {
        // yaml-cpp 0.7 never consumes a ',' outside a flow collection at the
        // top level: LoadAll then yields empty documents until memory runs
        // out. So documents are first counted with a handler that only keeps
        // their start marks, stopping when one starts where the last did.
        DocumentCounter counter;
        std::istringstream in(text);
        YAML::Parser parser(in);
        while (counter.starts.size() < 100 && parser.HandleNextDocument(counter))
        {
            const auto& starts = counter.starts;
            if (starts.size() >= 2 && starts[starts.size() - 1].pos == starts[starts.size() - 2].pos)
            {
                const YAML::Mark& stuck = starts.back();
                const size_t pos = static_cast<size_t>(stuck.pos);
                const char c = pos < text.size() ? text[pos] : ' ';
                throw ConfigError(file, stuck.line + 1, "(syntax)",
                                  std::string("valid YAML (unexpected ") +
                                      (c > ' ' && c < 127 ? std::string("'") + c + "'" : "character") +
                                      " outside [ ] or { })");
            }
        }
        if (counter.starts.size() > 1)
        {
            throw ConfigError(file, counter.starts[1].line + 1, "(document)",
                              "one YAML document per file (found " + std::to_string(counter.starts.size()) +
                                  "; use import: to combine files)");
        }
        return YAML::Load(text);
    }
    catch (const YAML::DeepRecursion& e)
    {
        throw ConfigError(file, e.mark.is_null() ? 0 : e.mark.line + 1, "(syntax)",
                          "YAML nested less deeply (yaml-cpp stops at a few hundred levels)");
    }
    catch (const YAML::Exception& e)
    {
        throw ConfigError(file, e.mark.is_null() ? 0 : e.mark.line + 1, "(syntax)", "valid YAML (" + e.msg + ")");
    }
}

void ConfigLoader::loadDocument(const std::string& text, const Origin& origin)
{
    // UTF-16 and UTF-32 files (with a BOM) are YAML too; anything else with a
    // NUL byte is binary data, which yaml-cpp may otherwise read as nothing.
    const bool wide = text.starts_with("\xff\xfe") || text.starts_with("\xfe\xff") ||
                      text.starts_with(std::string_view("\0\0\xfe\xff", 4));
    const size_t nul = text.find('\0');
    if (!wide && nul != std::string::npos)
    {
        const auto line = std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(nul), '\n') + 1;
        throw ConfigError(origin.file, static_cast<int>(line), "(syntax)",
                          "a YAML text file (found a NUL byte: binary data?)");
    }
    YAML::Node root = parse(text, origin.file);
    // Marks count characters; the quote check needs them to be byte offsets.
    VariableExpander(origin, _config.warnings, wide ? std::string_view() : std::string_view(text)).expandTree(root);
    if (!root.IsDefined() || root.IsNull()) return; // an empty file is a valid, empty configuration
    if (!root.IsMap())
    {
        throw ConfigError(origin.file, lineOf(root), "(document)",
                          "a map with app, url, schedule or import keys (found " + describe(root) + ")");
    }
    for (const auto& pair : root)
    {
        if (!pair.first.IsScalar())
            throw ConfigError(origin.file, lineOf(pair.first), "(document)",
                              "a string key (found " + describe(pair.first) + ")");
        const std::string& key = pair.first.Scalar();
        if (!isOneOf(key, {"app", "url", "schedule", "import"}))
            warn(origin.file, lineOf(pair.first), "unknown key '" + key + "' (ignored)");
    }
    for (const Import& import : readImports(lastChild(root, "import"), origin)) importFile(import, origin);
    readApp(lastChild(root, "app"), origin);
    readUrls(lastChild(root, "url"), origin);
    readSchedules(lastChild(root, "schedule"), origin);
}

// ---- import: ----------------------------------------------------------------

std::vector<ConfigLoader::Import> ConfigLoader::readImports(const YAML::Node& node, const Origin& origin)
{
    std::vector<Import> imports;
    if (!node.IsDefined() || node.IsNull()) return imports;
    const auto pathOf = [&](const YAML::Node& value, const std::string& key) {
        if (!value.IsScalar() || value.Scalar().empty())
        {
            throw ConfigError(origin.file, lineOf(value), key,
                              "the path of a YAML file to import (found " + describe(value) + ")");
        }
        return Import{value.Scalar(), std::nullopt, key, lineOf(value)};
    };
    if (node.IsScalar())
    {
        imports.push_back(pathOf(node, "import"));
    }
    else if (node.IsSequence())
    {
        size_t index = 0;
        for (const auto& item : node) imports.push_back(pathOf(item, "import[" + std::to_string(index++) + "]"));
    }
    else
    {
        // Gramex's form: {anyname: path} or {anyname: {path: p, YAMLURL: /prefix}}
        for (const auto& pair : node)
        {
            const std::string key = "import." + pair.first.Scalar();
            if (!pair.second.IsMap())
            {
                imports.push_back(pathOf(pair.second, key));
                continue;
            }
            for (const auto& option : pair.second)
            {
                if (!isOneOf(option.first.Scalar(), {"path", "YAMLURL"}))
                    warn(origin.file, lineOf(option.first),
                         "unknown key '" + option.first.Scalar() + "' in " + key + " (ignored)");
            }
            YAML::Node path = lastChild(pair.second, "path");
            if (!path.IsDefined())
                throw ConfigError(origin.file, lineOf(pair.first), key + ".path",
                                  "the path of a YAML file to import (missing)");
            Import import = pathOf(path, key + ".path");
            import.key = key;
            YAML::Node url = lastChild(pair.second, "YAMLURL");
            if (url.IsDefined() && !url.IsNull())
            {
                if (!url.IsScalar())
                    throw ConfigError(origin.file, lineOf(url), key + ".YAMLURL",
                                      "a URL path such as /apps/x (found " + describe(url) + ")");
                std::string prefix = url.Scalar();
                while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
                import.yamlUrl = prefix;
            }
            imports.push_back(std::move(import));
        }
    }
    return imports;
}

std::string ConfigLoader::yamlUrlOf(const std::string& folder) const
{
    const fs::path relative = fs::path(folder).lexically_relative(_main.yamlPath);
    const std::string text = relative.generic_string();
    if (text.empty() || text == ".") return "";
    return "/" + text;
}

void ConfigLoader::importFile(const Import& import, const Origin& from)
{
    const fs::path given(import.path);
    const fs::path absolute = given.is_absolute() ? given : fs::path(from.yamlPath) / given;
    const std::string shown = given.is_absolute()
                                  ? given.lexically_normal().string()
                                  : (fs::path(from.file).parent_path() / given).lexically_normal().string();
    std::error_code ec;
    fs::path canonical = fs::weakly_canonical(absolute, ec);
    const std::string id = ec ? absolute.lexically_normal().string() : canonical.string();

    const auto seen = std::find(_stack.begin(), _stack.end(), id);
    if (seen != _stack.end())
    {
        std::string chain;
        for (size_t i = static_cast<size_t>(seen - _stack.begin()); i < _stackNames.size(); ++i)
            chain += _stackNames[i] + " -> ";
        throw ConfigError(from.file, import.line, import.key, "no import cycle (found " + chain + shown + ")");
    }
    if (fs::is_directory(absolute, ec))
        throw ConfigError(from.file, import.line, import.key, "a readable YAML file (" + shown + " is a directory)");
    std::ifstream in(absolute, std::ios::binary);
    if (!in)
        throw ConfigError(from.file, import.line, import.key,
                          "a readable YAML file (" + shown + ": " + std::strerror(errno) + ")");
    std::ostringstream text;
    text << in.rdbuf();

    Origin origin;
    origin.file = shown;
    origin.yamlPath = folderOf(absolute);
    origin.yamlUrl = import.yamlUrl ? *import.yamlUrl : yamlUrlOf(origin.yamlPath);
    _stack.push_back(id);
    _stackNames.push_back(shown);
    loadDocument(text.str(), origin);
    _stack.pop_back();
    _stackNames.pop_back();
}

// ---- app: -------------------------------------------------------------------

void ConfigLoader::store(const AppSetting& setting, const YAML::Node& node, const Origin& origin)
{
    if (auto value = readSetting(setting, node, origin)) _app[setting.name] = std::move(*value);
}

void ConfigLoader::readApp(const YAML::Node& node, const Origin& origin)
{
    if (!node.IsDefined() || node.IsNull()) return;
    if (!node.IsMap())
        throw ConfigError(origin.file, lineOf(node), "app", "a map of settings (found " + describe(node) + ")");
    const auto find = [](const std::string& name) -> const AppSetting* {
        for (const AppSetting& setting : appSettings())
            if (name == setting.name) return &setting;
        return nullptr;
    };
    const auto isGroup = [](const std::string& name) {
        const std::string prefix = name + ".";
        for (const AppSetting& setting : appSettings())
            if (std::string_view(setting.name).starts_with(prefix)) return true;
        return false;
    };
    for (const auto& pair : node)
    {
        const std::string key = pair.first.Scalar();
        if (isGroup(key))
        {
            if (pair.second.IsNull()) continue;
            if (!pair.second.IsMap())
                throw ConfigError(origin.file, lineOf(pair.second), "app." + key,
                                  "a map (found " + describe(pair.second) + ")");
            // Groups nest (listen.tls.cert): read them recursively.
            std::function<void(const std::string&, const YAML::Node&)> readGroup = [&](const std::string& group,
                                                                                       const YAML::Node& map) {
                for (const auto& sub : map)
                {
                    const std::string name = group + "." + sub.first.Scalar();
                    if (const AppSetting* setting = find(name))
                        store(*setting, sub.second, origin);
                    else if (isGroup(name) && (sub.second.IsMap() || sub.second.IsNull()))
                    {
                        if (sub.second.IsMap()) readGroup(name, sub.second);
                    }
                    else if (isGroup(name))
                        throw ConfigError(origin.file, lineOf(sub.second), "app." + name,
                                          "a map (found " + describe(sub.second) + ")");
                    else
                        warn(origin.file, lineOf(sub.first),
                             "unknown key '" + sub.first.Scalar() + "' in app." + group + " (ignored)");
                }
            };
            readGroup(key, pair.second);
        }
        else if (const AppSetting* setting = find(key))
        {
            store(*setting, pair.second, origin);
        }
        else
        {
            warn(origin.file, lineOf(pair.first), "unknown key '" + key + "' in app (ignored)");
        }
    }
    _appRaw.reset(mergeMaps(_appRaw, node));
}

std::optional<ConfigLoader::AppValue> ConfigLoader::readSetting(const AppSetting& setting, const YAML::Node& node,
                                                                const Origin& origin) const
{
    const std::string key = std::string("app.") + setting.name;
    const auto fail = [&](const std::string& expected) {
        throw ConfigError(origin.file, lineOf(node), key, expected + " (found " + describe(node) + ")");
    };
    if (node.IsNull())
        return std::nullopt; // `key:` with no value sets nothing: an earlier file's value or the default stays
    AppValue value;
    if (setting.type == AppSettingType::StringList)
    {
        std::vector<std::string> items;
        if (node.IsScalar())
            items.push_back(node.Scalar());
        else if (node.IsSequence())
        {
            for (const auto& item : node)
            {
                if (!item.IsScalar())
                    throw ConfigError(origin.file, lineOf(item), key,
                                      "a list of strings (found " + describe(item) + " in it)");
                if (!item.Scalar().empty()) items.push_back(item.Scalar());
            }
        }
        else
            fail("a list of strings or one string");
        value = std::move(items);
    }
    else
    {
        if (!node.IsScalar()) fail("a single value");
        const std::string& text = node.Scalar();
        const std::string range = std::to_string(setting.min) + " to " + std::to_string(setting.max);
        switch (setting.type)
        {
        case AppSettingType::String:
            value = text;
            break;
        case AppSettingType::Int: {
            auto number = yamlscalars::parseInteger(text);
            if (!number || *number < setting.min || *number > setting.max) fail("an integer from " + range);
            value = *number;
            break;
        }
        case AppSettingType::Bytes: {
            auto bytes = yamlscalars::parseBytes(text);
            if (!bytes || *bytes < setting.min || *bytes > setting.max)
                fail("a size in bytes from " + range + ", or with a unit: 64KB, 5MB, 1GB");
            value = *bytes;
            break;
        }
        case AppSettingType::Url: {
            std::string url = text;
            while (url.ends_with("/")) url.pop_back();
            const bool http = url.starts_with("http://") && url.size() > 7;
            const bool https = url.starts_with("https://") && url.size() > 8;
            if (!http && !https) fail("an http:// or https:// URL");
            value = url;
            break;
        }
        case AppSettingType::Store: {
            const bool sqlite = text.starts_with("sqlite:") && text.size() > 7;
            const bool redis = text.starts_with("redis://") && text.size() > 8;
            if (!sqlite && !redis) fail("sqlite:<path> or redis://host:port/db");
            value = text;
            break;
        }
        case AppSettingType::LogLevel: {
            static const char* const LEVELS[] = {"fatal",  "critical",    "error", "warning",
                                                 "notice", "information", "debug", "trace"};
            if (std::none_of(std::begin(LEVELS), std::end(LEVELS), [&](const char* l) { return text == l; }))
                fail("one of fatal, critical, error, warning, notice, information, debug, trace");
            value = text;
            break;
        }
        case AppSettingType::StringList:
            break; // handled above
        }
    }
    return value;
}

void ConfigLoader::finish()
{
    AppConfig& app = _config.app;
    for (const AppSetting& setting : appSettings())
    {
        auto found = _app.find(setting.name);
        AppValue value;
        if (found != _app.end())
            value = found->second;
        else
        {
            // Defaults are YAML text too, read in the main file's context, so
            // "sqlite:$YAMLPATH/birdgate.db" lands next to the main config.
            std::vector<std::string> ignored;
            VariableExpander expander(_main, ignored);
            Origin table{"(app defaults)", _main.yamlPath, _main.yamlUrl};
            value = *readSetting(setting, YAML::Node(expander.expand(setting.defaultValue, 0, setting.name)), table);
        }
        std::visit(
            [&](auto member) {
                using Member = std::remove_reference_t<decltype(app.*member)>;
                if constexpr (std::is_same_v<Member, int>)
                    app.*member = static_cast<int>(std::get<long long>(value));
                else if constexpr (std::is_same_v<Member, long long>)
                    app.*member = std::get<long long>(value);
                else if constexpr (std::is_same_v<Member, std::string>)
                    app.*member = std::get<std::string>(value);
                else
                    app.*member = std::get<std::vector<std::string>>(value);
            },
            setting.field);
    }
    app.raw.reset(_appRaw.IsDefined() ? _appRaw : YAML::Node());
    for (size_t i = 0; i < _config.urls.size(); ++i) _config.urls[i].order = i;
}

// ---- url: -------------------------------------------------------------------

void ConfigLoader::readUrls(const YAML::Node& node, const Origin& origin)
{
    if (!node.IsDefined() || node.IsNull()) return;
    if (!node.IsMap())
        throw ConfigError(origin.file, lineOf(node), "url",
                          "a map of named entries, each with pattern and handler (found " + describe(node) + ")");
    for (const auto& pair : node)
    {
        UrlEntry entry;
        entry.name = pair.first.Scalar();
        entry.origin = origin;
        entry.line = lineOf(pair.first);
        const std::string key = "url." + entry.name;
        const YAML::Node& body = pair.second;
        if (!body.IsMap())
            throw ConfigError(origin.file, entry.line, key,
                              "a map with pattern and handler (found " + describe(body) + ")");
        for (const auto& option : body)
        {
            if (!isOneOf(option.first.Scalar(), {"pattern", "handler", "priority", "kwargs", "cache"}))
                warn(origin.file, lineOf(option.first),
                     "unknown key '" + option.first.Scalar() + "' in " + key + " (ignored)");
        }
        const auto lineOr = [&](const YAML::Node& value) { return value.IsDefined() ? lineOf(value) : entry.line; };

        YAML::Node pattern = lastChild(body, "pattern");
        if (!pattern.IsDefined() || !pattern.IsScalar() || pattern.Scalar().empty())
            throw ConfigError(origin.file, lineOr(pattern), key + ".pattern",
                              "a URL pattern, a regular expression such as /twitter/(.*) (found " + describe(pattern) +
                                  ")");
        entry.pattern = normalisePattern(pattern.Scalar());
        try
        {
            std::regex check(entry.pattern, std::regex::ECMAScript);
        }
        catch (const std::regex_error& e)
        {
            throw ConfigError(origin.file, lineOf(pattern), key + ".pattern",
                              "a valid regular expression (" + describeRegexError(e, entry.pattern) + ")");
        }

        YAML::Node handler = lastChild(body, "handler");
        if (!handler.IsDefined() || !handler.IsScalar() ||
            (!_handlers.empty() && std::find(_handlers.begin(), _handlers.end(), handler.Scalar()) == _handlers.end()))
            throw ConfigError(origin.file, lineOr(handler), key + ".handler", expectedHandler(_handlers, handler));
        entry.handler = handler.Scalar();
        entry.handlerLine = lineOf(handler);

        YAML::Node priority = lastChild(body, "priority");
        if (priority.IsDefined() && !priority.IsNull())
        {
            auto number = priority.IsScalar() ? yamlscalars::parseInteger(priority.Scalar()) : std::nullopt;
            if (!number || *number < -1000000000LL || *number > 1000000000LL)
                throw ConfigError(origin.file, lineOf(priority), key + ".priority",
                                  "an integer; higher wins (found " + describe(priority) + ")");
            entry.priority = static_cast<int>(*number);
        }

        for (const char* name : {"kwargs", "cache"})
        {
            YAML::Node value = lastChild(body, name);
            if (!value.IsDefined() || value.IsNull()) continue;
            if (!value.IsMap())
                throw ConfigError(origin.file, lineOf(value), key + "." + name,
                                  "a map (found " + describe(value) + ")");
            (std::string(name) == "kwargs" ? entry.kwargs : entry.cache).reset(value);
        }

        auto [it, added] = _urlIndex.emplace(entry.name, _config.urls.size());
        if (added)
            _config.urls.push_back(std::move(entry));
        else
        {
            UrlEntry& earlier = _config.urls[it->second];
            warn(origin.file, entry.line,
                 "url '" + entry.name + "' replaces the one from " + earlier.origin.file + ":" +
                     std::to_string(earlier.line));
            replace(earlier, std::move(entry));
        }
    }
}

// ---- schedule: --------------------------------------------------------------

void ConfigLoader::readSchedules(const YAML::Node& node, const Origin& origin)
{
    if (!node.IsDefined() || node.IsNull()) return;
    if (!node.IsMap())
        throw ConfigError(origin.file, lineOf(node), "schedule",
                          "a map of named entries, each with a function (found " + describe(node) + ")");
    for (const auto& pair : node)
    {
        ScheduleEntry entry;
        entry.name = pair.first.Scalar();
        entry.origin = origin;
        entry.line = lineOf(pair.first);
        const std::string key = "schedule." + entry.name;
        const YAML::Node& body = pair.second;
        if (!body.IsMap())
            throw ConfigError(origin.file, entry.line, key,
                              "a map with function, kwargs, startup and thread (found " + describe(body) + ")");
        for (const auto& option : body)
        {
            if (!isOneOf(option.first.Scalar(), {"function", "kwargs", "startup", "thread"}))
                warn(origin.file, lineOf(option.first),
                     "unknown key '" + option.first.Scalar() + "' in " + key + " (ignored)");
        }

        YAML::Node function = lastChild(body, "function");
        if (!function.IsDefined() || !function.IsScalar() || function.Scalar().empty())
            throw ConfigError(origin.file, function.IsDefined() ? lineOf(function) : entry.line, key + ".function",
                              "a function name such as TwitterStream (found " + describe(function) + ")");
        entry.function = function.Scalar();

        YAML::Node kwargs = lastChild(body, "kwargs");
        if (kwargs.IsDefined() && !kwargs.IsNull())
        {
            if (!kwargs.IsMap())
                throw ConfigError(origin.file, lineOf(kwargs), key + ".kwargs",
                                  "a map (found " + describe(kwargs) + ")");
            entry.kwargs.reset(kwargs);
        }

        for (const char* name : {"startup", "thread"})
        {
            YAML::Node value = lastChild(body, name);
            if (!value.IsDefined() || value.IsNull()) continue;
            auto flag = value.IsScalar() ? yamlscalars::parseBool(value.Scalar()) : std::nullopt;
            if (!flag)
                throw ConfigError(origin.file, lineOf(value), key + "." + name,
                                  "true or false (found " + describe(value) + ")");
            (std::string(name) == "startup" ? entry.startup : entry.thread) = *flag;
        }

        if (entry.function == "TwitterStream" && !entry.thread)
        {
            YAML::Node thread = lastChild(body, "thread");
            throw ConfigError(origin.file, thread.IsDefined() ? lineOf(thread) : entry.line, key + ".thread",
                              "thread: true (a TwitterStream runs on its own thread)");
        }

        auto [it, added] = _scheduleIndex.emplace(entry.name, _config.schedules.size());
        if (added)
            _config.schedules.push_back(std::move(entry));
        else
        {
            ScheduleEntry& earlier = _config.schedules[it->second];
            warn(origin.file, entry.line,
                 "schedule '" + entry.name + "' replaces the one from " + earlier.origin.file + ":" +
                     std::to_string(earlier.line));
            replace(earlier, std::move(entry));
        }
    }
}

void ConfigLoader::warn(const std::string& file, int line, const std::string& text)
{
    _config.warnings.push_back(file + ":" + std::to_string(line) + ": " + text);
}

} // namespace birdgate
