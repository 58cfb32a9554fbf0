// Fixture: a C++ plugin whose code throws. The SDK wrapper must catch every
// exception at the boundary and hand the host an ERROR (or, for
// birdgate::sdk::Retry, a RETRY) with the exception's message; the host must
// never see the exception.
#include <birdgate/plugin.hpp>

#include <stdexcept>
#include <string>

using birdgate::sdk::Output;
using birdgate::sdk::Status;

namespace
{

struct Throws
{
    void call(std::string_view input, std::string_view, Output&)
    {
        throw std::runtime_error("boom while reading " + std::string(input));
    }
};

struct ThrowsInt
{
    void call(std::string_view, std::string_view, Output&) { throw 42; }
};

struct Retries
{
    void call(std::string_view, std::string_view, Output&)
    {
        throw birdgate::sdk::Retry("rate limited, try again in 15 s");
    }
};

struct BadConfig
{
    explicit BadConfig(std::string_view config)
    {
        if (config.find("\"level\"") == std::string_view::npos)
            throw std::invalid_argument("bad_config: missing key \"level\"");
    }
    void call(std::string_view, std::string_view, Output& out) { out.json("\"configured\""); }
};

struct ReturnsError
{
    Status call(std::string_view, std::string_view, Output&) { return Status::Error; }
};

struct MixesKinds
{
    void call(std::string_view, std::string_view, Output& out)
    {
        out.json("{}");
        out.string("and some text"); // the host refuses: Output throws
    }
};

struct ThrowingSink
{
    void write(std::string_view) { throw std::runtime_error("disk on fire"); }
    void flush(bool) { throw birdgate::sdk::Retry("flush later"); }
};

} // namespace

BIRDGATE_PLUGIN("throwing", "0.1.0", birdgate::sdk::transform<Throws>("throws"),
                birdgate::sdk::transform<ThrowsInt>("throws_int"), birdgate::sdk::transform<Retries>("retries"),
                birdgate::sdk::transform<BadConfig>("bad_config"),
                birdgate::sdk::transform<ReturnsError>("returns_error"),
                birdgate::sdk::transform<MixesKinds>("mixes_kinds"), birdgate::sdk::sink<ThrowingSink>("sink"));
