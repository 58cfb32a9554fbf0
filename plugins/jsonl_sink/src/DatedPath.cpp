// Parsing and formatting of dated path patterns; see DatedPath.h.
#include "DatedPath.h"

#include <cstdio>
#include <cstring>
#include <ctime>
#include <locale.h>
#include <stdexcept>

namespace birdgate::jsonl
{

namespace
{

[[noreturn]] void malformed(const std::string& pattern, std::size_t at, const std::string& what)
{
    throw std::invalid_argument("path pattern '" + pattern + "': " + what + " at character " + std::to_string(at + 1));
}

// Conversion letters glibc's strftime documents, plus Python's %f.
bool isConversion(char c)
{
    return c != '\0' && std::strchr("aAbBcCdDeFfgGhHIjklmMnpPrRsStTuUVwWxXyYzZ%", c) != nullptr;
}

// Checks one `{:...}` format: every '%' starts [flags][width][E|O]conversion.
void checkFormat(const std::string& pattern, std::size_t at, const std::string& format)
{
    for (std::size_t i = 0; i < format.size(); ++i)
    {
        if (format[i] != '%') continue;
        std::size_t j = i + 1;
        while (j < format.size() && format[j] != '\0' && std::strchr("_-0^#", format[j])) ++j;
        while (j < format.size() && format[j] >= '0' && format[j] <= '9') ++j;
        if (j < format.size() && (format[j] == 'E' || format[j] == 'O')) ++j;
        if (j >= format.size()) malformed(pattern, at, "'%' at the end of '{:" + format + "}'");
        if (!isConversion(format[j]))
            malformed(pattern, at, std::string("unknown conversion '%") + format[j] + "' in '{:" + format + "}'");
        if (format[j] == 'f' && j != i + 1)
            malformed(pattern, at, "'%f' takes no flags or width in '{:" + format + "}'");
        i = j;
    }
}

// The C locale as an object, so strftime_l ignores setlocale() elsewhere.
locale_t cLocale()
{
    static const locale_t locale = newlocale(LC_ALL_MASK, "C", static_cast<locale_t>(0));
    return locale;
}

// Replaces each %f (not %%f) by the 6-digit microseconds, as Python does;
// C's strftime has no such conversion.
std::string withMicroseconds(const std::string& format, long micros)
{
    std::string out;
    char digits[24];
    std::snprintf(digits, sizeof digits, "%06ld", micros);
    for (std::size_t i = 0; i < format.size(); ++i)
    {
        if (format[i] == '%' && i + 1 < format.size())
        {
            if (format[i + 1] == 'f')
            {
                out += digits;
                ++i;
                continue;
            }
            out += format[i];
            out += format[++i];
            continue;
        }
        out += format[i];
    }
    return out;
}

void appendTime(std::string& out, const std::string& format, const std::tm& tm)
{
    // strftime returns 0 both for "buffer too small" and for an empty result
    // (e.g. "%p" in some locales): a leading sentinel character tells them apart.
    const std::string withSentinel = "\x01" + format;
    std::string buffer(format.size() * 4 + 64, '\0');
    for (int attempt = 0; attempt < 8; ++attempt)
    {
        const std::size_t n = strftime_l(buffer.data(), buffer.size(), withSentinel.c_str(), &tm, cLocale());
        if (n > 0)
        {
            out.append(buffer.data() + 1, n - 1);
            return;
        }
        buffer.resize(buffer.size() * 4);
    }
    throw std::runtime_error("strftime result too long for '{:" + format + "}'");
}

} // namespace

DatedPath::DatedPath(std::string pattern) : _pattern(std::move(pattern))
{
    const std::string& p = _pattern;
    std::string literal;
    for (std::size_t i = 0; i < p.size(); ++i)
    {
        const char c = p[i];
        if (c == '}')
        {
            if (i + 1 < p.size() && p[i + 1] == '}')
            {
                literal += '}';
                ++i;
                continue;
            }
            malformed(p, i, "single '}' (write '}}' for a literal brace)");
        }
        if (c != '{')
        {
            literal += c;
            continue;
        }
        if (i + 1 < p.size() && p[i + 1] == '{')
        {
            literal += '{';
            ++i;
            continue;
        }
        const std::size_t open = i;
        const std::size_t close = p.find('}', i + 1);
        if (close == std::string::npos) malformed(p, open, "unclosed '{'");
        const std::string field = p.substr(open + 1, close - open - 1);
        if (field.find('{') != std::string::npos) malformed(p, open, "nested '{' in a replacement field");
        const std::size_t colon = field.find(':');
        if (colon == std::string::npos)
            malformed(p, open, "'{" + field + "}' has no ':' and format (write e.g. '{:%Y-%m-%d}')");
        const std::string index = field.substr(0, colon);
        if (!index.empty() && index != "0")
            malformed(p, open, "'{" + field + "}': only the time itself ('{:...}' or '{0:...}') can be formatted");
        const std::string format = field.substr(colon + 1);
        if (format.empty()) malformed(p, open, "'{" + field + "}' has an empty format");
        checkFormat(p, open, format);
        if (!literal.empty())
        {
            _parts.push_back({false, literal});
            literal.clear();
        }
        _parts.push_back({true, format});
        _fixed = false;
        if (withMicroseconds(format, 0) != format) _subSecond = true;
        i = close;
    }
    if (!literal.empty()) _parts.push_back({false, literal});
}

std::string DatedPath::format(std::chrono::system_clock::time_point t) const
{
    using namespace std::chrono;
    // floor, not truncation: times before 1970 still land in the right second.
    const auto seconds = floor<std::chrono::seconds>(t);
    const auto micros = duration_cast<microseconds>(t - seconds).count();
    const std::time_t tt = system_clock::to_time_t(seconds);
    std::tm tm{};
    if (!_fixed && gmtime_r(&tt, &tm) == nullptr)
        throw std::runtime_error("time out of range for path '" + _pattern + "'");

    std::string out;
    for (const auto& part : _parts)
    {
        if (!part.time)
            out += part.text;
        else if (_subSecond)
            appendTime(out, withMicroseconds(part.text, static_cast<long>(micros)), tm);
        else
            appendTime(out, part.text, tm);
    }
    return out;
}

} // namespace birdgate::jsonl
