// TokenSource; see TokenSource.h. The layouts: a persisted token is one store
// value "key\nsecret\nscreen_name\nuser_id" under ("persist", url:consumer);
// a session token is the session fields token:<consumer>,
// token:<consumer>:secret, user.screen_name and user.id.
#include "rest/TokenSource.h"

#include "birdgate/common/WorkerPool.h"
#include "birdgate/session/Store.h"

#include <chrono>
#include <vector>

namespace birdgate
{

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
        parts.resize(4);
        return Token{parts[0], parts[1], parts[2], parts[3]};
    }
    case Mode::Session: {
        if (!session) return std::nullopt;
        auto key = session->data.find(sessionTokenKey());
        auto secret = session->data.find(sessionTokenKey() + ":secret");
        if (key == session->data.end() || secret == session->data.end() || key->second.empty()) return std::nullopt;
        auto name = session->data.find("user.screen_name");
        auto id = session->data.find("user.id");
        return Token{key->second, secret->second, name == session->data.end() ? "" : name->second,
                     id == session->data.end() ? "" : id->second};
    }
    }
    return std::nullopt;
}

void TokenSource::keep(Session& session, const Token& token) const
{
    session.data[sessionTokenKey()] = token.key;
    session.data[sessionTokenKey() + ":secret"] = token.secret;
    session.data["user.screen_name"] = token.screenName;
    session.data["user.id"] = token.userId;
    if (_mode == Mode::Persist)
        _store->put("persist", persistKey(),
                    token.key + "\n" + token.secret + "\n" + token.screenName + "\n" + token.userId,
                    std::chrono::system_clock::time_point::max());
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
        now->data.erase(sessionTokenKey());
        now->data.erase(sessionTokenKey() + ":secret");
        _sessions->save(*now);
    }
}

} // namespace birdgate
