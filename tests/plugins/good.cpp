// Fixture: a well-behaved plugin written with the C++ wrapper. Its exports
// let PluginHostTest observe every normal behaviour of the host: output
// kinds, pieces, pass-through, the request context, logging, instance
// lifetimes, serialised calls, and a memory sink whose contents a transform
// (memory_dump) reports back.
#include <birdgate/plugin.hpp>

#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

using birdgate::sdk::Host;
using birdgate::sdk::Output;
using birdgate::sdk::Status;

namespace
{

std::atomic<int> liveTransforms{0};

/// The string value of "key" in a flat JSON object (enough for fixtures).
std::string configValue(std::string_view config, const std::string& key)
{
    const std::string needle = "\"" + key + "\":\"";
    const auto start = config.find(needle);
    if (start == std::string_view::npos) return {};
    const auto from = start + needle.size();
    const auto end = config.find('"', from);
    return std::string(config.substr(from, end - from));
}

std::string quote(std::string_view text)
{
    std::string out = "\"";
    for (char c : text)
    {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + "\"";
}

/// Counts live instances, so the test can see destroy run exactly once.
struct Counted
{
    Counted() { ++liveTransforms; }
    ~Counted() { --liveTransforms; }
    Counted(const Counted&) = delete;
    Counted& operator=(const Counted&) = delete;
};

struct Echo : Counted
{
    void call(std::string_view input, std::string_view, Output& out) { out.json(input); }
};

struct Upper : Counted
{
    explicit Upper(std::string_view config) : asString(configValue(config, "as") == "string") {}
    void call(std::string_view input, std::string_view, Output& out)
    {
        std::string text(input);
        for (char& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        if (asString)
            out.string(text);
        else
            out.json(text);
    }
    bool asString;
};

struct Context
{
    void call(std::string_view, std::string_view context, Output& out) { out.json(context); }
};

/// Sleeps `ms` milliseconds, then echoes: a transform that overruns its time limit.
struct Sleeps
{
    explicit Sleeps(std::string_view config) : ms(std::atoi(configValue(config, "ms").c_str())) {}
    void call(std::string_view input, std::string_view, Output& out)
    {
        std::this_thread::sleep_for(std::chrono::milliseconds(ms));
        out.json(input);
    }
    int ms;
};

struct Passthrough
{
    Status call(std::string_view, std::string_view, Output&) { return Status::Ok; }
};

struct Pieces
{
    void call(std::string_view, std::string_view, Output& out)
    {
        out.json("[1,");
        out.json("2,");
        out.json("3]");
    }
};

struct Logs
{
    Logs(std::string_view, Host h) : host(h) { host.debug("logs created"); }
    void call(std::string_view input, std::string_view, Output&)
    {
        host.info("info: " + std::string(input));
        host.warning("warning: careful");
        host.error("error: oops");
    }
    Host host;
};

struct Live
{
    void call(std::string_view, std::string_view, Output& out) { out.json(std::to_string(liveTransforms.load())); }
};

/// Registered with Serial: records whether two calls ever ran at once.
struct SerialProbe
{
    void call(std::string_view, std::string_view, Output& out)
    {
        if (inside.fetch_add(1) != 0) overlaps.fetch_add(1);
        std::this_thread::sleep_for(std::chrono::microseconds(200));
        inside.fetch_sub(1);
        out.json(std::to_string(overlaps.load()));
    }
    std::atomic<int> inside{0};
    std::atomic<int> overlaps{0};
};

// ---- the memory sink and its inspector ------------------------------------

struct Record
{
    std::vector<std::string> lines;
    int flushes = 0;
    int syncs = 0;
    bool destroyed = false;
};
std::mutex storeMutex;
std::map<std::string, Record> store;

struct Memory
{
    explicit Memory(std::string_view config) : key(configValue(config, "key"))
    {
        if (key.empty()) throw std::invalid_argument("memory sink needs a \"key\"");
        std::lock_guard<std::mutex> lock(storeMutex);
        store[key] = Record();
    }
    ~Memory()
    {
        std::lock_guard<std::mutex> lock(storeMutex);
        store[key].destroyed = true;
    }
    void write(std::string_view line)
    {
        std::lock_guard<std::mutex> lock(storeMutex);
        store[key].lines.emplace_back(line);
    }
    void flush(bool sync)
    {
        std::lock_guard<std::mutex> lock(storeMutex);
        ++store[key].flushes;
        if (sync) ++store[key].syncs;
    }
    std::string key;
};

/// Reports the memory sink `key`: {"lines":[...],"flushes":n,"syncs":n,"destroyed":b}
struct MemoryDump
{
    explicit MemoryDump(std::string_view config) : key(configValue(config, "key")) {}
    void call(std::string_view, std::string_view, Output& out)
    {
        std::lock_guard<std::mutex> lock(storeMutex);
        const Record& r = store[key];
        std::string json = "{\"lines\":[";
        for (std::size_t i = 0; i < r.lines.size(); ++i) json += (i ? "," : "") + quote(r.lines[i]);
        json += "],\"flushes\":" + std::to_string(r.flushes) + ",\"syncs\":" + std::to_string(r.syncs) +
                ",\"destroyed\":" + (r.destroyed ? "true" : "false") + "}";
        out.json(json);
    }
    std::string key;
};

} // namespace

BIRDGATE_PLUGIN("good", "2.3.4", birdgate::sdk::transform<Echo>("echo"), birdgate::sdk::transform<Upper>("upper"),
                birdgate::sdk::transform<Context>("context"), birdgate::sdk::transform<Passthrough>("passthrough"),
                birdgate::sdk::transform<Sleeps>("sleeps"), birdgate::sdk::transform<Pieces>("pieces"),
                birdgate::sdk::transform<Logs>("logs"), birdgate::sdk::transform<Live>("live"),
                birdgate::sdk::transform<SerialProbe>("serial_probe", birdgate::sdk::Serial),
                birdgate::sdk::transform<MemoryDump>("memory_dump"), birdgate::sdk::sink<Memory>("memory"));
