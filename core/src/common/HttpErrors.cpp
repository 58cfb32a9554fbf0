// JSON errors made by birdgate itself; see HttpErrors.h.
#include "birdgate/common/HttpErrors.h"

#include "birdgate/server/Answer.h"

namespace birdgate
{

void jsonQuoteTo(std::string& out, std::string_view text)
{
    static const char hex[] = "0123456789abcdef";
    out.push_back('"');
    for (unsigned char c : text)
    {
        switch (c)
        {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        case '\t':
            out += "\\t";
            break;
        case '\b':
            out += "\\b";
            break;
        case '\f':
            out += "\\f";
            break;
        default:
            if (c < 0x20)
            {
                out += "\\u00";
                out.push_back(hex[c >> 4]);
                out.push_back(hex[c & 15]);
            }
            else
            {
                out.push_back(static_cast<char>(c));
            }
        }
    }
    out.push_back('"');
}

std::string jsonQuote(std::string_view text)
{
    std::string out;
    out.reserve(text.size() + 2);
    jsonQuoteTo(out, text);
    return out;
}

std::string htmlEscape(std::string_view text)
{
    std::string out;
    out.reserve(text.size());
    for (char c : text)
    {
        switch (c)
        {
        case '&':
            out += "&amp;";
            break;
        case '<':
            out += "&lt;";
            break;
        case '>':
            out += "&gt;";
            break;
        case '"':
            out += "&quot;";
            break;
        case '\'':
            out += "&#39;";
            break;
        default:
            out.push_back(c);
        }
    }
    return out;
}

std::string errorBody(int code, std::string_view message)
{
    std::string body = "{\"errors\":[{\"code\":";
    body += std::to_string(code);
    body += ",\"message\":";
    jsonQuoteTo(body, message);
    body += "}]}";
    return body;
}

void fillJsonError(Answer& answer, int status, std::string_view message, std::string_view reason)
{
    answer.send(status, "application/json; charset=utf-8", errorBody(status, message), std::string(reason));
}

} // namespace birdgate
