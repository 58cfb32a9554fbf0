// TokenRefresher; see TokenRefresher.h.
#include "rest/TokenRefresher.h"

#include <Poco/Logger.h>

#include <algorithm>

namespace birdgate
{

TokenRefresher::TokenRefresher(const TokenSource& tokens, Refresh refresh, Clock& clock)
    : _tokens(tokens), _refresh(std::move(refresh)), _clock(clock)
{
}

bool TokenRefresher::dueAt(const TokenSource::Token& token, std::chrono::system_clock::time_point now)
{
    if (token.expiresAt <= 0) return false; // life unknown: refreshed after a 401 only
    const long long life = std::max(0LL, token.expiresAt - token.obtainedAt);
    const long long margin = std::min(60LL, life / 10);
    const long long nowSeconds = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
    return nowSeconds >= token.expiresAt - margin;
}

std::size_t TokenRefresher::refreshes() const
{
    std::lock_guard<std::mutex> lock(_mutex);
    return _refreshes;
}

void TokenRefresher::forgetOldEntriesLocked(std::chrono::steady_clock::time_point now)
{
    std::erase_if(_byStale, [&](const auto& kv) { return now - kv.second.started > REMEMBER; });
}

std::string TokenRefresher::encode(const TokenSource::Token& t)
{
    // Tokens hold no '\n' (OAuth2Client accepts printable ASCII only).
    return t.key + "\n" + t.refresh + "\n" + t.screenName + "\n" + t.userId + "\n" + std::to_string(t.obtainedAt) +
           "\n" + std::to_string(t.expiresAt);
}

TokenSource::Token TokenRefresher::decode(const std::string& text)
{
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (start <= text.size())
    {
        std::size_t nl = text.find('\n', start);
        if (nl == std::string::npos) nl = text.size();
        parts.push_back(text.substr(start, nl - start));
        start = nl + 1;
    }
    parts.resize(6);
    TokenSource::Token t;
    t.key = parts[0];
    t.refresh = parts[1];
    t.screenName = parts[2];
    t.userId = parts[3];
    t.obtainedAt = std::atoll(parts[4].c_str());
    t.expiresAt = std::atoll(parts[5].c_str());
    return t;
}

Task<std::optional<TokenSource::Token>> TokenRefresher::refresh(std::optional<Session> session,
                                                                TokenSource::Token stale)
{
    std::shared_ptr<SharedResult> flight;
    bool leader = false;
    {
        std::lock_guard<std::mutex> lock(_mutex);
        const auto now = std::chrono::steady_clock::now();
        forgetOldEntriesLocked(now);
        auto it = _byStale.find(stale.key);
        if (it == _byStale.end())
        {
            flight = std::make_shared<SharedResult>();
            _byStale.emplace(stale.key, Entry{flight, now});
            ++_refreshes;
            leader = true;
        }
        else
        {
            flight = it->second.flight;
        }
    }
    std::string encoded;
    try
    {
        if (leader)
            encoded = co_await lead(flight, session, stale);
        else
            encoded = co_await flight->wait();
    }
    catch (const RefreshRefused&)
    {
        co_return std::nullopt;
    }
    co_return decode(encoded);
}

Task<std::string> TokenRefresher::lead(std::shared_ptr<SharedResult> flight, std::optional<Session> session,
                                       TokenSource::Token stale)
{
    // Whatever happens the flight lands, so no waiter waits forever.
    std::exception_ptr error;
    std::optional<OAuth2Tokens> answer;
    bool refused = stale.refresh.empty(); // nothing to refresh with
    if (!refused)
    {
        try
        {
            OAuth2Tokens got = co_await _refresh(stale.refresh);
            answer = std::move(got);
        }
        catch (const OAuth2Error& e)
        {
            // X answered, and not with a token: this one is done for.
            Poco::Logger::get("birdgate").warning("OAuth 2.0 refresh failed: %s", std::string(e.what()));
            refused = true;
        }
        catch (...)
        {
            error = std::current_exception(); // unreachable, timeout: not the token's fault
        }
    }
    if (error)
    {
        {
            // Not remembered: the next request tries again.
            std::lock_guard<std::mutex> lock(_mutex);
            auto it = _byStale.find(stale.key);
            if (it != _byStale.end() && it->second.flight == flight) _byStale.erase(it);
        }
        flight->fail(error);
        std::rethrow_exception(error);
    }
    if (refused)
    {
        co_await _tokens.forget(session, stale.key);
        auto gone = std::make_exception_ptr(RefreshRefused("refresh refused"));
        flight->fail(gone);
        std::rethrow_exception(gone);
    }
    TokenSource::Token fresh = stale;
    fresh.key = answer->access;
    // X rotates refresh tokens; one that did not send a new one keeps the old.
    if (!answer->refresh.empty()) fresh.refresh = answer->refresh;
    // A token's life starts when birdgate receives the answer.
    const long long now = std::chrono::duration_cast<std::chrono::seconds>(_clock.now().time_since_epoch()).count();
    fresh.obtainedAt = now;
    fresh.expiresAt = answer->expiresIn > 0 ? now + answer->expiresIn : 0;
    co_await _tokens.replace(session, stale.key, fresh);
    std::string encoded = encode(fresh);
    flight->succeed(encoded);
    co_return encoded;
}

} // namespace birdgate
