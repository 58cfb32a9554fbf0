// TokenSource; see TokenSource.h. The layouts: a persisted token is one store
// value "key\nsecret\nscreen_name\nuser_id[\nrefresh\nobtained\nexpires]"
// under ("persist", url:consumer); a session token is the session fields
// token:<consumer>, token:<consumer>:secret, user.screen_name and user.id,
// and for OAuth 2.0 token:<consumer>:refresh, :obtained and :expires (the
// consumer being the client_id). One value or one session: a refresh
// replaces access and refresh token in a single write.
#include "rest/TokenSource.h"

#include "birdgate/common/WorkerPool.h"
#include "birdgate/session/Store.h"

#include <chrono>
#include <vector>

namespace birdgate
{
namespace
{
long long toSeconds(const std::string& text)
{
    try
    {
        std::size_t used = 0;
        long long value = std::stoll(text, &used);
        return used == text.size() && value > 0 ? value : 0;
    }
    catch (const std::exception&)
    {
        return 0;
    }
}
} // namespace

TokenSource::TokenSource(Mode mode, Token literal, std::string urlName, std::string consumerKey,
                         std::shared_ptr<Store> store, std::shared_ptr<SessionManager> sessions,
                         std::shared_ptr<WorkerPool> workers)
    : _mode(mode), _literal(std::move(literal)), _urlName(std::move(urlName)), _consumerKey(std::move(consumerKey)),
      _store(std::move(store)), _sessions(std::move(sessions)), _workers(std::move(workers))
{
}

std::string TokenSource::persistKey() const
{
    return _urlName + ":" + _consumerKey;
}

std::string TokenSource::sessionTokenKey() const
{
    // A session may hold tokens of several Twitter apps (url entries with
    // different consumer keys); a token only works with its own app.
    return "token:" + _consumerKey;
}

Task<std::optional<TokenSource::Token>> TokenSource::find(const std::optional<Session>& session) const
{
    // Only the persisted token needs the store; the others are at hand.
    if (_mode == Mode::Persist) co_return co_await _workers->run([&] { return findBlocking(session); });
    co_return findBlocking(session);
}

std::optional<TokenSource::Token> TokenSource::findBlocking(const std::optional<Session>& session) const
{
    switch (_mode)
    {
    case Mode::Literal:
        return _literal;
    case Mode::Persist: {
        auto value = _store->get("persist", persistKey());
        if (!value) return std::nullopt;
        std::vector<std::string> parts;
        size_t start = 0;
        while (start <= value->size())
        {
            size_t nl = value->find('\n', start);
            if (nl == std::string::npos) nl = value->size();
            parts.push_back(value->substr(start, nl - start));
            start = nl + 1;
        }
        if (parts.size() < 2 || parts[0].empty()) return std::nullopt;
        parts.resize(7);
        return Token{parts[0], parts[1], parts[2], parts[3], parts[4], toSeconds(parts[5]), toSeconds(parts[6])};
    }
    case Mode::Session: {
        if (!session) return std::nullopt;
        auto key = session->data.find(sessionTokenKey());
        auto secret = session->data.find(sessionTokenKey() + ":secret");
        if (key == session->data.end() || secret == session->data.end() || key->second.empty()) return std::nullopt;
        auto field = [&](const std::string& name) {
            auto it = session->data.find(name);
            return it == session->data.end() ? std::string() : it->second;
        };
        return Token{key->second,
                     secret->second,
                     field("user.screen_name"),
                     field("user.id"),
                     field(sessionTokenKey() + ":refresh"),
                     toSeconds(field(sessionTokenKey() + ":obtained")),
                     toSeconds(field(sessionTokenKey() + ":expires"))};
    }
    }
    return std::nullopt;
}

void TokenSource::putInto(Session& session, const Token& token) const
{
    session.data[sessionTokenKey()] = token.key;
    session.data[sessionTokenKey() + ":secret"] = token.secret;
    session.data["user.screen_name"] = token.screenName;
    session.data["user.id"] = token.userId;
    if (!token.refresh.empty() || token.expiresAt)
    {
        session.data[sessionTokenKey() + ":refresh"] = token.refresh;
        session.data[sessionTokenKey() + ":obtained"] = std::to_string(token.obtainedAt);
        session.data[sessionTokenKey() + ":expires"] = std::to_string(token.expiresAt);
    }
}

void TokenSource::eraseFrom(Session& session) const
{
    for (const char* part : {"", ":secret", ":refresh", ":obtained", ":expires"})
        session.data.erase(sessionTokenKey() + part);
}

std::string TokenSource::persistValue(const Token& token) const
{
    std::string value = token.key + "\n" + token.secret + "\n" + token.screenName + "\n" + token.userId;
    if (!token.refresh.empty() || token.expiresAt)
        value +=
            "\n" + token.refresh + "\n" + std::to_string(token.obtainedAt) + "\n" + std::to_string(token.expiresAt);
    return value;
}

void TokenSource::keep(Session& session, const Token& token) const
{
    putInto(session, token);
    if (_mode == Mode::Persist)
        _store->put("persist", persistKey(), persistValue(token), std::chrono::system_clock::time_point::max());
}

Task<bool> TokenSource::replace(const std::optional<Session>& session, const std::string& stale,
                                const Token& fresh) const
{
    if (_mode == Mode::Literal) co_return false;
    co_return co_await _workers->run([&] { return replaceBlocking(session, stale, fresh); });
}

bool TokenSource::replaceBlocking(const std::optional<Session>& session, const std::string& stale,
                                  const Token& fresh) const
{
    // Re-read, compare, write once: a newer login stored meanwhile wins, and
    // the old refresh token (spent: X rotates them) is never left beside a
    // new access token.
    if (_mode == Mode::Persist)
    {
        auto current = findBlocking(std::nullopt);
        if (!current || current->key != stale) return false;
        _store->put("persist", persistKey(), persistValue(fresh), std::chrono::system_clock::time_point::max());
        return true;
    }
    if (!session) return false;
    std::optional<Session> now = _sessions->reload(session->id);
    if (!now) return false;
    auto key = now->data.find(sessionTokenKey());
    if (key == now->data.end() || key->second != stale) return false;
    putInto(*now, fresh);
    _sessions->save(*now);
    return true;
}

Task<void> TokenSource::forget(const std::optional<Session>& session, const std::string& rejected) const
{
    if (_mode == Mode::Literal) co_return;
    co_await _workers->run([&] { forgetBlocking(session, rejected); });
}

void TokenSource::forgetBlocking(const std::optional<Session>& session, const std::string& rejected) const
{
    // Forget only the token Twitter rejected: another request may have
    // stored a newer one (a login in another tab, a new persisted login)
    // since this request read it. Re-read, compare, then erase.
    if (_mode == Mode::Persist)
    {
        auto current = findBlocking(std::nullopt);
        if (current && current->key == rejected) _store->erase("persist", persistKey());
    }
    else if (_mode == Mode::Session && session)
    {
        std::optional<Session> now = _sessions->reload(session->id);
        if (!now) return; // rotated or expired meanwhile: nothing of ours to forget
        auto key = now->data.find(sessionTokenKey());
        if (key == now->data.end() || key->second != rejected) return;
        eraseFrom(*now);
        _sessions->save(*now);
    }
}

} // namespace birdgate
