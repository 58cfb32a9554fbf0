// Twitter's reconnect schedule; see ReconnectBackoff.h.
#include "stream/ReconnectBackoff.h"

#include <algorithm>

namespace birdgate
{

namespace
{
std::size_t index(ReconnectBackoff::Kind kind)
{
    return static_cast<std::size_t>(kind);
}
} // namespace

ReconnectBackoff::ReconnectBackoff() : ReconnectBackoff(Policy{}) {}

ReconnectBackoff::ReconnectBackoff(const Policy& policy) : _policy(policy)
{
    onHealthy();
}

std::chrono::milliseconds ReconnectBackoff::nextWait(Kind kind)
{
    const auto i = index(kind);
    const auto wait = _next[i];
    ++_attempts[i];
    switch (kind)
    {
    case Kind::Network:
        // Linear: network trouble usually clears quickly.
        _next[i] = std::min(_next[i] + _policy.networkStep, _policy.networkMax);
        break;
    case Kind::Http:
        _next[i] = std::min(_next[i] * 2, _policy.httpMax);
        break;
    case Kind::RateLimit:
        // Every 420 lengthens Twitter's penalty, so keep doubling, but a wait
        // longer than a rate-limit window only delays recovery.
        _next[i] = std::min(_next[i] * 2, _policy.rateLimitMax);
        break;
    }
    return wait;
}

ReconnectBackoff::Decision ReconnectBackoff::onNetworkError()
{
    return {Action::Retry, nextWait(Kind::Network)};
}

ReconnectBackoff::Decision ReconnectBackoff::onHttpStatus(int status)
{
    if (isFatal(status)) return {Action::Stop, std::chrono::milliseconds::zero()};
    return {Action::Retry, nextWait(kindOf(status))};
}

void ReconnectBackoff::onHealthy()
{
    std::fill(std::begin(_attempts), std::end(_attempts), 0);
    _next[index(Kind::Network)] = std::min(_policy.networkStep, _policy.networkMax);
    _next[index(Kind::Http)] = std::min(_policy.httpStart, _policy.httpMax);
    _next[index(Kind::RateLimit)] = std::min(_policy.rateLimitStart, _policy.rateLimitMax);
}

int ReconnectBackoff::attempts(Kind kind) const
{
    return _attempts[index(kind)];
}

bool ReconnectBackoff::isFatal(int status)
{
    switch (status)
    {
    case 401:
    case 403:
    case 404:
    case 406:
    case 413:
    case 416:
        return true;
    default:
        return false;
    }
}

ReconnectBackoff::Kind ReconnectBackoff::kindOf(int status)
{
    return (status == 420 || status == 429) ? Kind::RateLimit : Kind::Http;
}

std::string_view ReconnectBackoff::fatalReason(int status)
{
    // Meanings from Twitter's streaming status code table.
    switch (status)
    {
    case 401:
        return "401 Unauthorized: the keys or tokens are wrong, or the clock is skewed";
    case 403:
        return "403 Forbidden: these credentials may not use this stream";
    case 404:
        return "404 Unknown: the stream URL does not exist";
    case 406:
        return "406 Not Acceptable: a parameter is invalid (track, follow, locations ...)";
    case 413:
        return "413 Too Long: too many track keywords, follow ids or locations";
    case 416:
        return "416 Range Unacceptable: the count parameter is out of range";
    default:
        return {};
    }
}

ReconnectBackoff::V2Action ReconnectBackoff::classifyV2(int status, bool permanentProblem, bool canRenew)
{
    if (permanentProblem) return V2Action::Stop;
    if (status == 401) return canRenew ? V2Action::Renew : V2Action::Stop;
    if (status == 400 || isFatal(status)) return V2Action::Stop;
    return V2Action::Retry;
}

std::string_view ReconnectBackoff::kindName(Kind kind)
{
    switch (kind)
    {
    case Kind::Network:
        return "network";
    case Kind::Http:
        return "http";
    case Kind::RateLimit:
        return "rate-limit";
    }
    return "unknown";
}

} // namespace birdgate
