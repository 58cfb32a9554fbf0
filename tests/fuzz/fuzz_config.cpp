// Fuzzes Config::loadString: yaml-cpp, the document counter that guards
// against yaml-cpp's top-level ',' loop, the $VARIABLE expander, imports and
// the app:/url:/schedule: checks. Contract: any text either loads or throws
// ConfigError; no other exception, crash or hang. Inputs above 64 KB are
// skipped (configs are small; bigger inputs only slow the fuzzer down).
//
// Determinism and safety, set up once in LLVMFuzzerInitialize:
//   - the environment is emptied except a few variables the examples use
//     (and what the sanitizers and the symbolizer need), so $NAME expansion
//     gives the same result on every machine;
//   - the virtual path puts $YAMLPATH in tests/data/config, so relative
//     `import:`s find real fixture files;
//   - `import:` may name any absolute path, and /dev/zero or a FIFO would
//     make the loader read forever or block. This file defines fopen/fopen64
//     (which libstdc++'s ifstream calls, and which win over the weak ASan
//     interceptors), refusing to open for reading anything that is not a
//     regular file of at most 1 MB. Nothing else in the process opens files
//     for reading that are not regular files.
#include "FuzzCheck.h"

#include "birdgate/config/Config.h"
#include "birdgate/server/HandlerTable.h"

#include <dlfcn.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <string>
#include <string_view>
#include <typeinfo>
#include <vector>

extern char** environ;

namespace
{
using FopenFn = FILE* (*)(const char*, const char*);

bool refusedForReading(const char* path, const char* mode)
{
    if (!path || !mode || mode[0] != 'r') return false;
    struct stat st;
    if (::stat(path, &st) != 0) return false; // let the real fopen report it
    return !S_ISREG(st.st_mode) || st.st_size > 1024 * 1024;
}

FILE* guardedOpen(const char* name, const char* path, const char* mode)
{
    if (refusedForReading(path, mode))
    {
        errno = EACCES;
        return nullptr;
    }
    static FopenFn realFopen = reinterpret_cast<FopenFn>(::dlsym(RTLD_NEXT, "fopen64"));
    static FopenFn realFopenPlain = reinterpret_cast<FopenFn>(::dlsym(RTLD_NEXT, "fopen"));
    FopenFn real = std::strcmp(name, "fopen64") == 0 ? realFopen : realFopenPlain;
    if (!real) real = realFopen ? realFopen : realFopenPlain;
    return real(path, mode);
}

const std::string& virtualPath()
{
    static const std::string path = BIRDGATE_TEST_DATA "/config/fuzz.yaml";
    return path;
}
} // namespace

extern "C" FILE* fopen64(const char* path, const char* mode)
{
    return guardedOpen("fopen64", path, mode);
}

extern "C" FILE* fopen(const char* path, const char* mode)
{
    return guardedOpen("fopen", path, mode);
}

extern "C" int LLVMFuzzerInitialize(int*, char***)
{
    static const char* const KEEP_PREFIXES[] = {"PATH=", "ASAN_", "UBSAN_", "LSAN_", "LLVM_SYMBOLIZER", "TMPDIR="};
    std::vector<std::string> drop;
    for (char** e = environ; e && *e; ++e)
    {
        const std::string_view entry(*e);
        bool keep = false;
        for (const char* prefix : KEEP_PREFIXES) keep = keep || entry.starts_with(prefix);
        if (!keep) drop.emplace_back(entry.substr(0, entry.find('=')));
    }
    for (const auto& name : drop) ::unsetenv(name.c_str());
    // What the example configs refer to, with stable values.
    ::setenv("BIRDGATE_SECRET", "fuzz-secret-0123456789abcdef", 1);
    ::setenv("TWITTER_KEY", "fuzz-consumer-key", 1);
    ::setenv("TWITTER_SECRET", "fuzz-consumer-secret", 1);
    ::setenv("TWITTER_ACCESS_KEY", "fuzz-access-key", 1);
    ::setenv("TWITTER_ACCESS_SECRET", "fuzz-access-secret", 1);
    ::setenv("PORT", "9988", 1);
    ::setenv("EMPTY", "", 1);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size > 64 * 1024) return -1;
    const std::string yaml(reinterpret_cast<const char*>(data), size);
    try
    {
        const auto handlers = birdgate::handlerNames();
        const birdgate::Config config = birdgate::Config::loadString(yaml, virtualPath(), handlers);
        // Whatever loaded passed the checks: every url names a known
        // handler, and the app: table kept its numbers within their bounds.
        for (const auto& url : config.urls)
        {
            bool known = false;
            for (const std::string_view handler : handlers) known = known || url.handler == handler;
            FUZZ_CHECK(known, "url '" + birdgate::fuzz::printable(url.name) + "' with handler '" +
                                  birdgate::fuzz::printable(url.handler) + "'");
        }
        FUZZ_CHECK(config.app.port >= 0 && config.app.port <= 65535, "port " + std::to_string(config.app.port));
        FUZZ_CHECK(config.app.threads >= 0 && config.app.threads <= 10000, // 0: one per core
                   "threads " + std::to_string(config.app.threads));
    }
    catch (const birdgate::ConfigError& e)
    {
        FUZZ_CHECK(!e.file().empty(), std::string("a ConfigError without a file: ") + e.what());
    }
    catch (const std::exception& e)
    {
        birdgate::fuzz::fail(__FILE__, __LINE__, "only ConfigError is thrown",
                             std::string(typeid(e).name()) + ": " + e.what());
    }
    catch (...)
    {
        birdgate::fuzz::fail(__FILE__, __LINE__, "only ConfigError is thrown", "a non-std exception");
    }
    return 0;
}
