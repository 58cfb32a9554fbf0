// What the fuzz targets share: FUZZ_CHECK, an assertion that stays on in every
// build type and aborts with a message, so a broken property is a crash
// libFuzzer saves (like an ASan finding) instead of a silent pass; and small
// helpers to print bytes in that message.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace birdgate::fuzz
{

/// `text` with control and non-ASCII bytes as \xHH, cut at 200 bytes.
inline std::string printable(std::string_view text)
{
    static const char hex[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : text.substr(0, 200))
    {
        if (c < 0x20 || c >= 0x7f || c == '\\')
        {
            out += "\\x";
            out.push_back(hex[c >> 4]);
            out.push_back(hex[c & 15]);
        }
        else
        {
            out.push_back(static_cast<char>(c));
        }
    }
    if (text.size() > 200) out += "...";
    return out;
}

[[noreturn]] inline void fail(const char* file, int line, const char* condition, const std::string& detail)
{
    std::fprintf(stderr, "%s:%d: FUZZ_CHECK(%s) failed", file, line, condition);
    if (!detail.empty()) std::fprintf(stderr, ": %s", detail.c_str());
    std::fputc('\n', stderr);
    std::abort();
}

inline std::string_view bytes(const uint8_t* data, size_t size)
{
    return {reinterpret_cast<const char*>(data), size};
}

} // namespace birdgate::fuzz

/// FUZZ_CHECK(condition, detail): `detail` (a std::string expression) is only
/// built when the condition is false.
#define FUZZ_CHECK(condition, detail)                                                                                  \
    do                                                                                                                 \
    {                                                                                                                  \
        if (!(condition)) ::birdgate::fuzz::fail(__FILE__, __LINE__, #condition, (detail));                            \
    } while (false)
