// birdgate/plugin.hpp -- header-only C++ wrapper over the C plugin ABI.
//
// A plugin author writes ordinary C++ classes and lists them once:
//
//     struct Upper {
//         explicit Upper(std::string_view configJson);   // throw to refuse the config
//         void call(std::string_view input, std::string_view context,
//                   birdgate::sdk::Output& out);         // out.json(...) / out.string(...)
//     };
//     struct Memory {
//         explicit Memory(std::string_view configJson, birdgate::sdk::Host host);
//         void write(std::string_view line);
//         void flush(bool sync);                          // optional
//     };
//     BIRDGATE_PLUGIN("example", "1.0.0",
//                     birdgate::sdk::transform<Upper>("upper"),
//                     birdgate::sdk::sink<Memory>("memory"));
//
// The wrapper generates the C trampolines and the descriptor. Every exception
// is caught at the boundary: std::exception -> ERROR with what() as the
// message, birdgate::sdk::Retry -> RETRY, anything else -> ERROR. Nothing C++
// crosses into the host. Instances of a transform are called concurrently
// (see plugin.h) unless registered with birdgate::sdk::Serial.
//
// All state lives in the instances and in the one static table that
// BIRDGATE_PLUGIN defines in the plugin's own translation unit, so two plugins
// built from this header never share anything. Requires C++17.
#ifndef BIRDGATE_PLUGIN_HPP
#define BIRDGATE_PLUGIN_HPP

#include "plugin.h"

#if __cplusplus < 201703L && !(defined(_MSVC_LANG) && _MSVC_LANG >= 201703L)
#error "birdgate/plugin.hpp needs C++17 or later"
#endif

#include <cstdint>
#include <deque>
#include <exception>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace birdgate::sdk
{

// ==========================================================================
// Results, errors, logging
// ==========================================================================

/// What call / write / flush may return instead of void.
enum class Status : std::int32_t
{
    Ok = BIRDGATE_OK,
    Retry = BIRDGATE_RETRY,
    Error = BIRDGATE_ERROR
};

/// Throw to report a transient failure (the host may try again): RETRY + message.
class Retry : public std::runtime_error
{
  public:
    using std::runtime_error::runtime_error;
};

enum class LogLevel : std::int32_t
{
    Trace = BIRDGATE_LOG_TRACE,
    Debug = BIRDGATE_LOG_DEBUG,
    Info = BIRDGATE_LOG_INFO,
    Warning = BIRDGATE_LOG_WARNING,
    Error = BIRDGATE_LOG_ERROR
};

/// The host, as a plugin class sees it: a cheap copyable handle, valid until
/// the plugin is unloaded, usable from any thread. Pass it to your class by
/// giving the constructor a second parameter `birdgate::sdk::Host`.
class Host
{
  public:
    Host() noexcept = default;
    explicit Host(const birdgate_host* host) noexcept : _host(host) {}

    /// Writes to birdgate's log under the plugin's name. Never throws.
    void log(LogLevel level, std::string_view message) const noexcept
    {
        if (!_host || !_host->log) return;
        try
        {
            const std::string text(message); // the ABI wants NUL-terminated text
            _host->log(_host, static_cast<std::int32_t>(level), text.c_str());
        }
        catch (...)
        {
            // Out of memory while logging: drop the line rather than fail the call.
        }
    }
    void trace(std::string_view message) const noexcept { log(LogLevel::Trace, message); }
    void debug(std::string_view message) const noexcept { log(LogLevel::Debug, message); }
    void info(std::string_view message) const noexcept { log(LogLevel::Info, message); }
    void warning(std::string_view message) const noexcept { log(LogLevel::Warning, message); }
    void error(std::string_view message) const noexcept { log(LogLevel::Error, message); }

    std::uint32_t abiMajor() const noexcept { return _host ? _host->abi_major : 0; }
    std::uint32_t abiMinor() const noexcept { return _host ? _host->abi_minor : 0; }

    /// The C table, for host functions newer than this wrapper.
    const birdgate_host* raw() const noexcept { return _host; }

  private:
    const birdgate_host* _host = nullptr;
};

/// Where a transform puts its result. Either call json() or string(), once or
/// several times (the pieces are appended); not calling either leaves the
/// answer unchanged. Valid only during the call it was passed to.
class Output
{
  public:
    Output(const birdgate_host* host, birdgate_ctx* ctx) noexcept : _host(host), _ctx(ctx) {}
    Output(const Output&) = delete;
    Output& operator=(const Output&) = delete;

    /// A JSON document (or a piece of one): the host parses it.
    void json(std::string_view document) { emit(document, BIRDGATE_EMIT_JSON); }

    /// Text sent to the client as is.
    void string(std::string_view text) { emit(text, BIRDGATE_EMIT_STRING); }

    bool emitted() const noexcept { return _emitted; }

  private:
    void emit(std::string_view bytes, std::int32_t kind)
    {
        if (_host->emit(_ctx, bytes.data(), bytes.size(), kind) != BIRDGATE_OK)
            throw std::runtime_error("birdgate host refused the output (mixed JSON and string pieces, "
                                     "or out of memory)");
        _emitted = true;
    }

    const birdgate_host* _host;
    birdgate_ctx* _ctx;
    bool _emitted = false;
};

/// Flags for transform<T>(name, flags).
inline constexpr std::uint32_t Serial = BIRDGATE_TRANSFORM_SERIAL;

// ==========================================================================
// Implementation details: trampolines between the C ABI and the classes
// ==========================================================================

namespace detail
{

inline void setError(const birdgate_host* host, birdgate_ctx* ctx, const char* message) noexcept
{
    if (host && host->set_error && ctx) host->set_error(ctx, message);
}

/// Turns the exception being handled into a status + message. Call only from
/// inside a catch block.
inline std::int32_t reportCurrentException(const birdgate_host* host, birdgate_ctx* ctx) noexcept
{
    try
    {
        throw;
    }
    catch (const Retry& e)
    {
        setError(host, ctx, e.what());
        return BIRDGATE_RETRY;
    }
    catch (const std::exception& e)
    {
        setError(host, ctx, e.what());
        return BIRDGATE_ERROR;
    }
    catch (...)
    {
        setError(host, ctx, "unknown exception (not derived from std::exception)");
        return BIRDGATE_ERROR;
    }
}

template <class T> T construct(std::string_view config, Host host)
{
    if constexpr (std::is_constructible_v<T, std::string_view, Host>)
        return T(config, host);
    else if constexpr (std::is_constructible_v<T, std::string_view>)
        return T(config);
    else
    {
        static_assert(std::is_default_constructible_v<T>,
                      "a plugin class needs a constructor T(std::string_view config, Host), "
                      "T(std::string_view config) or T()");
        return T();
    }
}

/// What the host holds as the instance: the object and the host it came from.
template <class T> struct Box
{
    Box(const birdgate_host* h, std::string_view config) : host(h), object(construct<T>(config, host)) {}
    Host host;
    T object;
};

/// Runs `f` and maps void / Status to a status code.
template <class F> std::int32_t statusOf(F&& f)
{
    if constexpr (std::is_void_v<decltype(f())>)
    {
        f();
        return BIRDGATE_OK;
    }
    else
    {
        static_assert(std::is_same_v<std::decay_t<decltype(f())>, Status>,
                      "call / write / flush must return void or birdgate::sdk::Status");
        return static_cast<std::int32_t>(f());
    }
}

template <class T, class = void> struct HasFlush : std::false_type
{
};
template <class T> struct HasFlush<T, std::void_t<decltype(std::declval<T&>().flush(true))>> : std::true_type
{
};

template <class T>
void* create(const birdgate_host* host, const char* config, std::size_t length, birdgate_ctx* ctx) noexcept
{
    try
    {
        return new Box<T>(host, std::string_view(config, length));
    }
    catch (...)
    {
        reportCurrentException(host, ctx);
        return nullptr;
    }
}

template <class T> void destroy(void* instance) noexcept
{
    delete static_cast<Box<T>*>(instance);
}

template <class T>
std::int32_t call(void* instance, const char* input, std::size_t inputLength, const char* context,
                  std::size_t contextLength, birdgate_ctx* ctx) noexcept
{
    auto* box = static_cast<Box<T>*>(instance);
    try
    {
        Output out(box->host.raw(), ctx);
        return statusOf([&] {
            return box->object.call(std::string_view(input, inputLength), std::string_view(context, contextLength),
                                    out);
        });
    }
    catch (...)
    {
        return reportCurrentException(box->host.raw(), ctx);
    }
}

template <class T> std::int32_t write(void* instance, const char* bytes, std::size_t length, birdgate_ctx* ctx) noexcept
{
    auto* box = static_cast<Box<T>*>(instance);
    try
    {
        return statusOf([&] { return box->object.write(std::string_view(bytes, length)); });
    }
    catch (...)
    {
        return reportCurrentException(box->host.raw(), ctx);
    }
}

template <class T> std::int32_t flush(void* instance, std::int32_t sync, birdgate_ctx* ctx) noexcept
{
    auto* box = static_cast<Box<T>*>(instance);
    try
    {
        return statusOf([&] { return box->object.flush(sync != 0); });
    }
    catch (...)
    {
        return reportCurrentException(box->host.raw(), ctx);
    }
}

} // namespace detail

// ==========================================================================
// Registration
// ==========================================================================

/// One entry of BIRDGATE_PLUGIN: made by transform<T>() or sink<T>().
class Export
{
  public:
    enum class Kind
    {
        Transform,
        Sink
    };

    Export(Kind kind, std::string name, const birdgate_transform& transform, const birdgate_sink& sink)
        : _kind(kind), _name(std::move(name)), _transform(transform), _sink(sink)
    {
    }

    Kind kind() const noexcept { return _kind; }
    const std::string& name() const noexcept { return _name; }

  private:
    friend class PluginTable;
    Kind _kind;
    std::string _name;
    birdgate_transform _transform;
    birdgate_sink _sink;
};

/// A transform export named `name` backed by class T:
///   T(std::string_view config [, Host]) and
///   void|Status call(std::string_view input, std::string_view context, Output& out).
/// T::call must be thread-safe, or pass `birdgate::sdk::Serial` as flags.
template <class T> Export transform(std::string name, std::uint32_t flags = 0)
{
    birdgate_transform t{};
    t.struct_size = sizeof(birdgate_transform);
    t.flags = flags;
    t.create = &detail::create<T>;
    t.call = &detail::call<T>;
    t.destroy = &detail::destroy<T>;
    return Export(Export::Kind::Transform, std::move(name), t, birdgate_sink{});
}

/// A sink export named `name` backed by class T:
///   T(std::string_view config [, Host]), void|Status write(std::string_view record)
///   and optionally void|Status flush(bool sync).
template <class T> Export sink(std::string name)
{
    birdgate_sink s{};
    s.struct_size = sizeof(birdgate_sink);
    s.create = &detail::create<T>;
    s.write = &detail::write<T>;
    if constexpr (detail::HasFlush<T>::value) s.flush = &detail::flush<T>;
    s.destroy = &detail::destroy<T>;
    return Export(Export::Kind::Sink, std::move(name), birdgate_transform{}, s);
}

/// The descriptor and everything it points to; BIRDGATE_PLUGIN keeps one as a
/// function-local static of the plugin's entry point.
class PluginTable
{
  public:
    PluginTable(std::string name, std::string version, std::initializer_list<Export> exports)
        : _name(std::move(name)), _version(std::move(version)), _exports(exports.begin(), exports.end())
    {
        // The deque never moves its elements, so the name pointers stay valid.
        for (Export& e : _exports)
        {
            if (e._kind == Export::Kind::Transform)
            {
                e._transform.name = e._name.c_str();
                _transforms.push_back(&e._transform);
            }
            else
            {
                e._sink.name = e._name.c_str();
                _sinks.push_back(&e._sink);
            }
        }
        _plugin.struct_size = sizeof(birdgate_plugin);
        _plugin.abi_major = BIRDGATE_ABI_MAJOR;
        _plugin.abi_minor = BIRDGATE_ABI_MINOR;
        _plugin.name = _name.c_str();
        _plugin.version = _version.c_str();
        _plugin.transforms = _transforms.data();
        _plugin.transform_count = _transforms.size();
        _plugin.sinks = _sinks.data();
        _plugin.sink_count = _sinks.size();
    }
    PluginTable(const PluginTable&) = delete;
    PluginTable& operator=(const PluginTable&) = delete;

    const birdgate_plugin* descriptor() const noexcept { return &_plugin; }

  private:
    std::string _name;
    std::string _version;
    std::deque<Export> _exports;
    std::vector<const birdgate_transform*> _transforms;
    std::vector<const birdgate_sink*> _sinks;
    birdgate_plugin _plugin{};
};

} // namespace birdgate::sdk

/// Defines the plugin's entry point. Use once per plugin, in one .cpp:
///   BIRDGATE_PLUGIN("name", "version", birdgate::sdk::transform<T>("export"), ...);
#define BIRDGATE_PLUGIN(NAME, VERSION, ...)                                                                            \
    extern "C" BIRDGATE_EXPORT const birdgate_plugin* birdgate_plugin_entry(const birdgate_host*)                      \
    {                                                                                                                  \
        try                                                                                                            \
        {                                                                                                              \
            static const ::birdgate::sdk::PluginTable table(NAME, VERSION, {__VA_ARGS__});                             \
            return table.descriptor();                                                                                 \
        }                                                                                                              \
        catch (...)                                                                                                    \
        {                                                                                                              \
            return nullptr;                                                                                            \
        }                                                                                                              \
    }                                                                                                                  \
    static_assert(true, "BIRDGATE_PLUGIN(...) is used with a trailing semicolon")

#endif // BIRDGATE_PLUGIN_HPP
