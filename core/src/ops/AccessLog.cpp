// AccessLog; see AccessLog.h.
#include "birdgate/ops/AccessLog.h"

#include "birdgate/common/HttpErrors.h"
#include "birdgate/twitter/OAuth1.h"

#include <Poco/DateTime.h>
#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <stdexcept>

namespace birdgate
{
namespace
{
bool secretKey(std::string_view key)
{
    // Judge the key as the server will read it: decoded ('%6Fauth_token' is
    // oauth_token). A key that does not decode is treated as secret.
    std::string decoded;
    if (!oauth1::percentDecode(key, decoded, true)) return true;
    std::string k;
    for (char c : decoded) k.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    return k.rfind("oauth_", 0) == 0 || k == "_xsrf" || k.find("token") != std::string::npos ||
           k.find("secret") != std::string::npos || k.find("password") != std::string::npos || k == "denied" ||
           k == "code" || k == "state" || k.find("verifier") != std::string::npos; // OAuth 2.0 callbacks
}

void escapeTo(std::string& out, std::string_view text)
{
    static const char hex[] = "0123456789ABCDEF";
    for (unsigned char c : text)
    {
        if (c < 0x20 || c == 0x7f || c == '"' || c == '\\')
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
}
} // namespace

AccessLog::AccessLog(const std::string& target, Format format) : _format(format), _out(&std::cerr)
{
    if (target == "-") return;
    _path = target;
    int fd = ::open(target.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    if (fd < 0) throw std::runtime_error("cannot open the access log " + target);
    ::close(fd);
    _file = std::make_unique<std::ofstream>(target, std::ios::app);
    if (!*_file) throw std::runtime_error("cannot open the access log " + target);
    _out = _file.get();
}

bool AccessLog::parseFormat(std::string_view name, Format& format)
{
    if (name == "text")
        format = Format::Text;
    else if (name == "json")
        format = Format::Json;
    else
        return false;
    return true;
}

void AccessLog::reopen()
{
    if (_path.empty()) return;
    int fd = ::open(_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    if (fd < 0) return;
    ::close(fd);
    auto file = std::make_unique<std::ofstream>(_path, std::ios::app);
    if (!*file) return;
    std::lock_guard<std::mutex> lock(_mutex);
    _file = std::move(file);
    _out = _file.get();
}

std::string AccessLog::redact(std::string_view uri)
{
    std::string out;
    size_t q = uri.find('?');
    escapeTo(out, uri.substr(0, q));
    if (q == std::string_view::npos) return out;
    out.push_back('?');
    std::string_view query = uri.substr(q + 1);
    size_t pos = 0;
    bool first = true;
    while (pos <= query.size())
    {
        size_t amp = query.find('&', pos);
        if (amp == std::string_view::npos) amp = query.size();
        std::string_view pair = query.substr(pos, amp - pos);
        size_t eq = pair.find('=');
        std::string_view key = pair.substr(0, eq);
        if (!first) out.push_back('&');
        first = false;
        escapeTo(out, key);
        if (eq != std::string_view::npos)
        {
            out.push_back('=');
            if (secretKey(key))
                out += "[redacted]";
            else
                escapeTo(out, pair.substr(eq + 1));
        }
        pos = amp + 1;
    }
    return out;
}

std::string AccessLog::line(const AccessRecord& r) const
{
    std::string line;
    line.reserve(160 + r.uri.size());
    const std::string time =
        Poco::DateTimeFormatter::format(Poco::DateTime(), Poco::DateTimeFormat::ISO8601_FRAC_FORMAT);
    char number[32];
    const auto milliseconds = [&](double ms) {
        std::snprintf(number, sizeof number, "%.1f", ms);
        return std::string_view(number);
    };
    if (_format == Format::Json)
    {
        // Every value passes through escapeTo first (as in text), so the
        // JSON holds the same characters as the text line would.
        const auto field = [&](const char* name, std::string_view value, bool escape = true) {
            line += name;
            if (value.empty())
            {
                line += "null";
                return;
            }
            if (!escape)
            {
                jsonQuoteTo(line, value);
                return;
            }
            std::string escaped;
            escapeTo(escaped, value);
            jsonQuoteTo(line, escaped);
        };
        field("{\"time\":", time, false);
        field(",\"client\":", r.client);
        field(",\"method\":", r.method);
        field(",\"path\":", redact(r.uri), false);
        line += ",\"status\":" + std::to_string(r.status);
        line += ",\"bytes\":";
        line += r.bytes < 0 ? std::string("null") : std::to_string(r.bytes);
        line += ",\"duration_ms\":";
        line += milliseconds(r.milliseconds);
        line += ",\"upstream_ms\":";
        line += r.upstreamMilliseconds < 0 ? std::string_view("null") : milliseconds(r.upstreamMilliseconds);
        field(",\"url\":", r.url);
        field(",\"request_id\":", r.requestId);
        line += "}\n";
        return line;
    }
    line += time;
    line.push_back(' ');
    escapeTo(line, r.client);
    line += " \"";
    escapeTo(line, r.method);
    line.push_back(' ');
    line += redact(r.uri);
    line += "\" ";
    line += std::to_string(r.status);
    line.push_back(' ');
    line += std::to_string(r.bytes);
    line.push_back(' ');
    line += milliseconds(r.milliseconds);
    line += "ms upstream=";
    if (r.upstreamMilliseconds < 0)
        line.push_back('-');
    else
    {
        line += milliseconds(r.upstreamMilliseconds);
        line += "ms";
    }
    line += " url=";
    if (r.url.empty())
        line.push_back('-');
    else
        escapeTo(line, r.url);
    line += " id=";
    if (r.requestId.empty())
        line.push_back('-');
    else
        escapeTo(line, r.requestId);
    line.push_back('\n');
    return line;
}

void AccessLog::write(const AccessRecord& record)
{
    const std::string text = line(record);
    std::lock_guard<std::mutex> lock(_mutex);
    _out->write(text.data(), static_cast<std::streamsize>(text.size()));
    _out->flush();
}

} // namespace birdgate
