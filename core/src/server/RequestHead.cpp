// RequestHead; see RequestHead.h. One pass over the bytes for the framing
// checks (NUL, bare CR, bare LF), then one pass per line; every refusal is a
// static message.
#include "server/RequestHead.h"

namespace birdgate
{
namespace
{
bool isTchar(unsigned char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
    switch (c)
    {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
        return true;
    default:
        return false;
    }
}

bool isToken(std::string_view s)
{
    if (s.empty()) return false;
    for (unsigned char c : s)
        if (!isTchar(c)) return false;
    return true;
}

std::string_view trimOws(std::string_view s)
{
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

HeadError bad(std::string_view message)
{
    return {400, message};
}
} // namespace

std::size_t RequestHead::findEnd(std::string_view data, std::size_t from)
{
    std::size_t i = from;
    while ((i = data.find('\n', i)) != std::string_view::npos)
    {
        // The line that this LF ends is empty ("" or "\r"): the head ends here.
        if (i == 0 || data[i - 1] == '\n' || (data[i - 1] == '\r' && (i == 1 || data[i - 2] == '\n'))) return i + 1;
        ++i;
    }
    return 0;
}

void RequestHead::clear()
{
    method.clear();
    target.clear();
    version = 11;
    headers.clear();
    framing = BodyFraming::None;
    contentLength = 0;
    keepAlive = true;
    expectContinue = false;
}

HeadError RequestHead::parse(std::string_view head)
{
    clear();
    const std::size_t n = head.size();
    for (std::size_t i = 0; i < n; ++i)
    {
        const char c = head[i];
        if (c == '\0') return bad("NUL byte in request head");
        if (c == '\r' && (i + 1 == n || head[i + 1] != '\n')) return bad("bare CR in request head");
        if (c == '\n' && (i == 0 || head[i - 1] != '\r')) return bad("bare LF in request head");
    }
    if (n < 4 || head.substr(n - 4) != "\r\n\r\n") return bad("incomplete request head");

    // ---------------------------------------------------------- request line
    std::size_t eol = head.find("\r\n");
    const std::string_view line = head.substr(0, eol);
    const std::size_t sp1 = line.find(' ');
    const std::size_t sp2 = line.rfind(' ');
    if (sp1 == std::string_view::npos || sp2 == sp1) return bad("malformed request line");
    const std::string_view methodText = line.substr(0, sp1);
    const std::string_view targetText = line.substr(sp1 + 1, sp2 - sp1 - 1);
    const std::string_view versionText = line.substr(sp2 + 1);
    if (!isToken(methodText)) return bad("malformed request method");
    if (targetText.empty()) return bad("empty request target");
    for (unsigned char c : targetText)
        if (c <= 0x20 || c >= 0x7f) return bad("space or control byte in request target");
    if (versionText.size() == 8 && versionText.substr(0, 5) == "HTTP/" && versionText[5] >= '0' &&
        versionText[5] <= '9' && versionText[6] == '.' && versionText[7] >= '0' && versionText[7] <= '9')
    {
        if (versionText == "HTTP/1.1")
            version = 11;
        else if (versionText == "HTTP/1.0")
            version = 10;
        else
            return {505, "only HTTP/1.0 and HTTP/1.1 are supported"};
    }
    else
    {
        return bad("malformed HTTP version");
    }
    if (methodText == "CONNECT") return bad("CONNECT is not supported");
    if (targetText.front() != '/') return bad("request target must be a path");
    method.assign(methodText);
    target.assign(targetText);

    // --------------------------------------------------------- header fields
    bool hasHost = false, hasLength = false, hasChunked = false, closeToken = false, keepAliveToken = false,
         expect = false;
    std::size_t pos = eol + 2;
    while (true)
    {
        eol = head.find("\r\n", pos);
        if (eol == pos) break; // the empty line
        const std::string_view field = head.substr(pos, eol - pos);
        pos = eol + 2;
        if (field.front() == ' ' || field.front() == '\t') return bad("obs-fold (a line starting with whitespace)");
        const std::size_t colon = field.find(':');
        if (colon == std::string_view::npos) return bad("header field without a colon");
        const std::string_view name = field.substr(0, colon);
        if (name.back() == ' ' || name.back() == '\t') return bad("whitespace before the colon of a header field");
        if (!isToken(name)) return bad("malformed header field name");
        const std::string_view value = trimOws(field.substr(colon + 1));
        for (unsigned char c : value)
            if ((c < 0x20 && c != '\t') || c == 0x7f) return bad("control byte in a header value");

        if (iequals(name, "Content-Length"))
        {
            if (hasLength) return bad("more than one Content-Length");
            hasLength = true;
            if (value.empty() || value.size() > 19) return bad("malformed Content-Length");
            std::uint64_t length = 0;
            for (char c : value)
            {
                if (c < '0' || c > '9') return bad("malformed Content-Length");
                length = length * 10 + static_cast<std::uint64_t>(c - '0');
            }
            contentLength = length;
        }
        else if (iequals(name, "Transfer-Encoding"))
        {
            if (hasChunked) return bad("more than one Transfer-Encoding");
            if (!iequals(value, "chunked")) return bad("Transfer-Encoding other than chunked");
            hasChunked = true;
        }
        else if (iequals(name, "Host"))
        {
            if (hasHost) return bad("more than one Host");
            hasHost = true;
        }
        else if (iequals(name, "Connection"))
        {
            std::string_view rest = value;
            while (!rest.empty())
            {
                const std::size_t comma = rest.find(',');
                const std::string_view token = trimOws(rest.substr(0, comma));
                if (iequals(token, "close")) closeToken = true;
                if (iequals(token, "keep-alive")) keepAliveToken = true;
                if (comma == std::string_view::npos) break;
                rest.remove_prefix(comma + 1);
            }
        }
        else if (iequals(name, "Expect"))
        {
            expect = iequals(value, "100-continue");
        }
        headers.push_back({std::string(name), std::string(value)});
    }

    if (hasChunked && hasLength) return bad("Content-Length together with Transfer-Encoding");
    if (hasChunked && version == 10) return bad("Transfer-Encoding in an HTTP/1.0 request");
    if (version == 11 && !hasHost) return bad("missing Host header");
    framing = hasChunked ? BodyFraming::Chunked : hasLength ? BodyFraming::ContentLength : BodyFraming::None;
    keepAlive = version == 11 ? !closeToken : (keepAliveToken && !closeToken);
    expectContinue = version == 11 && expect && framing != BodyFraming::None;
    return {};
}

} // namespace birdgate
