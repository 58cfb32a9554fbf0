// Answer; see Answer.h.
#include "birdgate/server/Answer.h"

#include <algorithm>

namespace birdgate
{

void Answer::setStatus(int status, std::string reason)
{
    _status = status;
    _reason = reason.empty() ? std::string(standardReason(status)) : std::move(reason);
}

void Answer::set(std::string name, std::string value)
{
    erase(name);
    _headers.push_back({std::move(name), std::move(value)});
}

void Answer::add(std::string name, std::string value)
{
    _headers.push_back({std::move(name), std::move(value)});
}

void Answer::erase(std::string_view name)
{
    std::erase_if(_headers, [&](const HeaderField& f) { return iequals(f.name, name); });
}

void Answer::send(int status, std::string contentType, std::string content, std::string reason)
{
    setStatus(status, std::move(reason));
    set("Content-Type", std::move(contentType));
    body = std::move(content);
}

std::string_view Answer::standardReason(int status)
{
    switch (status)
    {
    case 100:
        return "Continue";
    case 101:
        return "Switching Protocols";
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 202:
        return "Accepted";
    case 204:
        return "No Content";
    case 206:
        return "Partial Content";
    case 301:
        return "Moved Permanently";
    case 302:
        return "Found";
    case 303:
        return "See Other";
    case 304:
        return "Not Modified";
    case 307:
        return "Temporary Redirect";
    case 308:
        return "Permanent Redirect";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 406:
        return "Not Acceptable";
    case 408:
        return "Request Timeout";
    case 409:
        return "Conflict";
    case 410:
        return "Gone";
    case 411:
        return "Length Required";
    case 412:
        return "Precondition Failed";
    case 413:
        return "Payload Too Large";
    case 414:
        return "URI Too Long";
    case 415:
        return "Unsupported Media Type";
    case 416:
        return "Range Not Satisfiable";
    case 417:
        return "Expectation Failed";
    case 420:
        return "Enhance Your Calm";
    case 422:
        return "Unprocessable Entity";
    case 429:
        return "Too Many Requests";
    case 431:
        return "Request Header Fields Too Large";
    case 500:
        return "Internal Server Error";
    case 501:
        return "Not Implemented";
    case 502:
        return "Bad Gateway";
    case 503:
        return "Service Unavailable";
    case 504:
        return "Gateway Timeout";
    case 505:
        return "HTTP Version Not Supported";
    default:
        return "";
    }
}

} // namespace birdgate
