// Request; see Request.h.
#include "birdgate/server/Request.h"

namespace birdgate
{

const std::string Request::EMPTY;

std::string_view Request::path() const
{
    std::string_view t = target;
    return t.substr(0, t.find('?'));
}

std::string_view Request::query() const
{
    std::string_view t = target;
    auto q = t.find('?');
    return q == std::string_view::npos ? std::string_view() : t.substr(q + 1);
}

const std::string& Request::header(std::string_view name, const std::string& fallback) const
{
    const std::string* v = findHeader(headers, name);
    return v ? *v : fallback;
}

bool Request::has(std::string_view name) const
{
    return findHeader(headers, name) != nullptr;
}

bool Request::declaresBody() const
{
    if (!bodySource) return false;
    if (const std::string* te = findHeader(headers, "Transfer-Encoding")) return !te->empty();
    const std::string* cl = findHeader(headers, "Content-Length");
    return cl && !cl->empty() && *cl != "0";
}

Task<BodyStatus> Request::readBody(std::uint64_t limit)
{
    if (!_bodyStatus)
    {
        if (!bodySource)
            _bodyStatus = BodyStatus::Ok;
        else
            _bodyStatus = co_await bodySource->read(_body, limit);
        if (*_bodyStatus != BodyStatus::Ok) _body.clear();
    }
    co_return *_bodyStatus;
}

void Request::setBody(std::string body)
{
    _body = std::move(body);
    _bodyStatus = BodyStatus::Ok;
}

} // namespace birdgate
