// AccessLog; see AccessLog.h.
#include "birdgate/ops/AccessLog.h"

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

AccessLog::AccessLog(const std::string& target) : _out(&std::cerr)
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

void AccessLog::write(std::string_view client, std::string_view method, std::string_view uri, int status,
                      long long bytes, double milliseconds)
{
    std::string line = Poco::DateTimeFormatter::format(Poco::DateTime(), Poco::DateTimeFormat::ISO8601_FRAC_FORMAT);
    line.push_back(' ');
    escapeTo(line, client);
    line += " \"";
    escapeTo(line, method);
    line.push_back(' ');
    line += redact(uri);
    line += "\" ";
    line += std::to_string(status);
    line.push_back(' ');
    line += std::to_string(bytes);
    char ms[32];
    std::snprintf(ms, sizeof ms, " %.1fms\n", milliseconds);
    line += ms;
    std::lock_guard<std::mutex> lock(_mutex);
    _out->write(line.data(), static_cast<std::streamsize>(line.size()));
    _out->flush();
}

} // namespace birdgate
