// Loading one plugin library and checking it against the ABI rules of
// plugin.h, in the order that keeps every read safe: the entry symbol, the
// descriptor's head (struct_size, versions), the major, the minor, then the
// full 1.0 layout, each export's layout and required callbacks. A refusal is
// a PluginError that names the file and both ABI versions.
//
// The host callbacks (emit, set_error, log) live here too: they are what the
// birdgate_host table handed to the plugin points at.
#include "birdgate/plugin/PluginLibrary.h"

#include "birdgate/plugin/PluginError.h"
#include "plugin/PluginCallContext.h"

#include <Poco/Logger.h>
#include <Poco/Message.h>

#include <boost/dll/shared_library.hpp>

#include <cstddef>
#include <set>
#include <type_traits>

namespace birdgate
{

// ==========================================================================
// Host callbacks
// ==========================================================================

std::int32_t pluginHostEmit(birdgate_ctx* ctx, const char* bytes, std::size_t len, std::int32_t kind) noexcept
{
    if (!ctx || !ctx->output || (len > 0 && !bytes)) return BIRDGATE_ERROR;
    if (kind != BIRDGATE_EMIT_JSON && kind != BIRDGATE_EMIT_STRING) return BIRDGATE_ERROR;
    if (ctx->emitted && kind != ctx->kind) return BIRDGATE_ERROR;
    try
    {
        ctx->output->append(bytes, len);
    }
    catch (...)
    {
        return BIRDGATE_ERROR;
    }
    ctx->kind = kind;
    ctx->emitted = true;
    return BIRDGATE_OK;
}

void pluginHostSetError(birdgate_ctx* ctx, const char* message) noexcept
{
    if (!ctx) return;
    try
    {
        ctx->error = message ? message : "";
        ctx->hasError = !ctx->error.empty();
    }
    catch (...)
    {
        ctx->error.clear();
        ctx->hasError = false;
    }
}

/// The table a plugin receives, followed by what the host's log needs. The
/// table is the first member so that the `const birdgate_host*` the plugin
/// passes back to log can be turned into the HostTable.
struct PluginLibrary::HostTable
{
    birdgate_host table{};
    Poco::Logger* logger = nullptr;
};

static_assert(std::is_standard_layout_v<PluginLibrary::HostTable>, "HostTable must start with its birdgate_host");

namespace
{

void hostLog(const birdgate_host* host, std::int32_t level, const char* message) noexcept
{
    if (!host || !message) return;
    try
    {
        const auto* table = reinterpret_cast<const PluginLibrary::HostTable*>(host);
        Poco::Message::Priority priority = Poco::Message::PRIO_INFORMATION;
        if (level <= BIRDGATE_LOG_TRACE)
            priority = Poco::Message::PRIO_TRACE;
        else if (level == BIRDGATE_LOG_DEBUG)
            priority = Poco::Message::PRIO_DEBUG;
        else if (level == BIRDGATE_LOG_INFO)
            priority = Poco::Message::PRIO_INFORMATION;
        else if (level == BIRDGATE_LOG_WARNING)
            priority = Poco::Message::PRIO_WARNING;
        else
            priority = Poco::Message::PRIO_ERROR;
        if (table->logger && table->logger->is(priority))
            table->logger->log(Poco::Message(table->logger->name(), message, priority));
    }
    catch (...)
    {
        // A log line is not worth failing a plugin call for.
    }
}

std::string versionText(std::uint32_t major, std::uint32_t minor)
{
    return std::to_string(major) + "." + std::to_string(minor);
}

} // namespace

// ==========================================================================
// Plugin
// ==========================================================================

struct PluginLibrary::Library
{
    boost::dll::shared_library library;
};

std::string PluginLibrary::hostAbi()
{
    return versionText(BIRDGATE_ABI_MAJOR, BIRDGATE_ABI_MINOR);
}

void PluginLibrary::checkAbi(const std::string& path, std::uint32_t pluginMajor, std::uint32_t pluginMinor,
                             std::uint32_t hostMajor, std::uint32_t hostMinor)
{
    const std::string plugin = versionText(pluginMajor, pluginMinor);
    const std::string host = versionText(hostMajor, hostMinor);
    const std::string head = "cannot load plugin " + path + " (plugin ABI " + plugin + ", host ABI " + host + "): ";
    if (pluginMajor != hostMajor)
        throw PluginError(head + "it was built for birdgate plugin ABI " + plugin + " but this host speaks ABI " +
                          host +
                          "; a different major version is incompatible: rebuild the plugin against this "
                          "birdgate's SDK");
    if (pluginMinor > hostMinor)
        throw PluginError(head + "it needs birdgate plugin ABI " + plugin + " but this host speaks only ABI " + host +
                          "; upgrade birdgate or rebuild the plugin against this birdgate's SDK");
}

void PluginLibrary::refuse(const std::string& pluginAbi, const std::string& reason) const
{
    throw PluginError("cannot load plugin " + _path + " (plugin ABI " + pluginAbi + ", host ABI " + hostAbi() +
                      "): " + reason);
}

PluginLibrary::PluginLibrary(const std::string& path, const std::string& name)
    : _path(path), _name(name), _hostTable(std::make_unique<HostTable>())
{
    _hostTable->table.struct_size = sizeof(birdgate_host);
    _hostTable->table.abi_major = BIRDGATE_ABI_MAJOR;
    _hostTable->table.abi_minor = BIRDGATE_ABI_MINOR;
    _hostTable->table.emit = &pluginHostEmit;
    _hostTable->table.set_error = &pluginHostSetError;
    _hostTable->table.log = &hostLog;
    _hostTable->logger = &Poco::Logger::get("birdgate.plugin." + name);

    _library = std::make_unique<Library>();
    try
    {
        // rtld_now: an unresolved symbol is a load error now, not a crash later;
        // rtld_local: one plugin's symbols never resolve another's.
        _library->library.load(path, boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local);
    }
    catch (const std::exception& e)
    {
        refuse("unknown", std::string("not a loadable shared library: ") + e.what());
    }
    if (!_library->library.has(BIRDGATE_PLUGIN_ENTRY_SYMBOL))
        refuse("unknown", "it does not export the symbol " BIRDGATE_PLUGIN_ENTRY_SYMBOL
                          "; is it a birdgate plugin? (C++ plugins: use BIRDGATE_PLUGIN from "
                          "<birdgate/plugin.hpp>; C plugins: define it with BIRDGATE_EXPORT)");
    auto entry = _library->library.get<const birdgate_plugin*(const birdgate_host*)>(BIRDGATE_PLUGIN_ENTRY_SYMBOL);
    const birdgate_plugin* descriptor = entry(&_hostTable->table);
    checkDescriptor(descriptor);
}

PluginLibrary::~PluginLibrary()
{
    // Unload first: the plugin may log from its static destructors.
    _library.reset();
    _hostTable.reset();
}

void PluginLibrary::checkDescriptor(const birdgate_plugin* d)
{
    if (!d) refuse("unknown", BIRDGATE_PLUGIN_ENTRY_SYMBOL " returned no descriptor (NULL)");
    constexpr std::size_t headSize = offsetof(birdgate_plugin, abi_minor) + sizeof(std::uint32_t);
    if (d->struct_size < headSize)
        refuse("unknown", "its descriptor is " + std::to_string(d->struct_size) +
                              " bytes, too small to hold even the ABI version (" + std::to_string(headSize) +
                              " bytes)");
    const std::string pluginAbi = versionText(d->abi_major, d->abi_minor);
    checkAbi(_path, d->abi_major, d->abi_minor);
    _abiMajor = d->abi_major;
    _abiMinor = d->abi_minor;
    if (d->struct_size < BIRDGATE_PLUGIN_SIZE_1_0)
        refuse(pluginAbi, "its descriptor (struct_size) is " + std::to_string(d->struct_size) +
                              " bytes, smaller than the " + std::to_string(BIRDGATE_PLUGIN_SIZE_1_0) +
                              " bytes of an ABI 1.0 birdgate_plugin");
    _declaredName = d->name ? d->name : "";
    _version = d->version ? d->version : "";
    if (d->transform_count > 0 && !d->transforms)
        refuse(pluginAbi, "transform_count is " + std::to_string(d->transform_count) + " but transforms is NULL");
    if (d->sink_count > 0 && !d->sinks)
        refuse(pluginAbi, "sink_count is " + std::to_string(d->sink_count) + " but sinks is NULL");

    std::set<std::string> seen;
    auto checkName = [&](const char* kind, std::size_t index, const char* exportName) {
        if (!exportName || !*exportName)
            refuse(pluginAbi, std::string(kind) + " #" + std::to_string(index) + " has no name");
        if (!seen.insert(std::string(kind) + ":" + exportName).second)
            refuse(pluginAbi, std::string("two ") + kind + "s are named '" + exportName + "'");
    };
    for (std::size_t i = 0; i < d->transform_count; ++i)
    {
        const birdgate_transform* t = d->transforms[i];
        if (!t) refuse(pluginAbi, "transform #" + std::to_string(i) + " is NULL");
        if (t->struct_size < BIRDGATE_TRANSFORM_SIZE_1_0)
            refuse(pluginAbi, "transform #" + std::to_string(i) + " is " + std::to_string(t->struct_size) +
                                  " bytes, smaller than the " + std::to_string(BIRDGATE_TRANSFORM_SIZE_1_0) +
                                  " bytes of an ABI 1.0 birdgate_transform");
        checkName("transform", i, t->name);
        const char* missing = !t->create ? "create" : !t->call ? "call" : !t->destroy ? "destroy" : nullptr;
        if (missing)
            refuse(pluginAbi, std::string("transform '") + t->name + "' lacks the required callback " + missing);
        _transforms.push_back(t);
    }
    for (std::size_t i = 0; i < d->sink_count; ++i)
    {
        const birdgate_sink* s = d->sinks[i];
        if (!s) refuse(pluginAbi, "sink #" + std::to_string(i) + " is NULL");
        if (s->struct_size < BIRDGATE_SINK_SIZE_1_0)
            refuse(pluginAbi, "sink #" + std::to_string(i) + " is " + std::to_string(s->struct_size) +
                                  " bytes, smaller than the " + std::to_string(BIRDGATE_SINK_SIZE_1_0) +
                                  " bytes of an ABI 1.0 birdgate_sink");
        checkName("sink", i, s->name);
        const char* missing = !s->create ? "create" : !s->write ? "write" : !s->destroy ? "destroy" : nullptr;
        if (missing) refuse(pluginAbi, std::string("sink '") + s->name + "' lacks the required callback " + missing);
        _sinks.push_back(s);
    }
}

const birdgate_host* PluginLibrary::host() const
{
    return &_hostTable->table;
}

std::vector<std::string> PluginLibrary::transformNames() const
{
    std::vector<std::string> names;
    for (const auto* t : _transforms) names.emplace_back(t->name);
    return names;
}

std::vector<std::string> PluginLibrary::sinkNames() const
{
    std::vector<std::string> names;
    for (const auto* s : _sinks) names.emplace_back(s->name);
    return names;
}

const birdgate_transform* PluginLibrary::findTransform(std::string_view exportName) const
{
    for (const auto* t : _transforms)
        if (exportName == t->name) return t;
    return nullptr;
}

const birdgate_sink* PluginLibrary::findSink(std::string_view exportName) const
{
    for (const auto* s : _sinks)
        if (exportName == s->name) return s;
    return nullptr;
}

std::string PluginLibrary::describeExports() const
{
    auto join = [](const std::vector<std::string>& names) {
        std::string text;
        for (const auto& n : names) text += (text.empty() ? "" : ", ") + n;
        return text.empty() ? std::string("(none)") : text;
    };
    return "transforms: " + join(transformNames()) + "; sinks: " + join(sinkNames());
}

} // namespace birdgate
