// LoginFlow; see LoginFlow.h. The parts of TwitterLogin that OAuth2Login
// shares, moved here unchanged in behaviour.
#include "birdgate/login/LoginFlow.h"

#include "birdgate/common/HttpErrors.h"
#include "birdgate/common/WorkerPool.h"

#include <Poco/Logger.h>

#include <algorithm>
#include <cctype>
#include <chrono>

namespace birdgate
{
namespace
{
std::string firstValue(const std::string& header)
{
    // "a, b" after two proxies: the first is what the browser used.
    std::string first = header.substr(0, header.find(','));
    first.erase(0, first.find_first_not_of(" \t"));
    first.erase(first.find_last_not_of(" \t") + 1);
    return first;
}

bool hostCharacters(const std::string& host)
{
    if (host.empty()) return false;
    for (char c : host)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == ':' || c == '[' || c == ']'))
            return false;
    return true;
}
} // namespace

LoginFlow::LoginFlow(Settings settings, std::shared_ptr<SessionManager> sessions, std::shared_ptr<WorkerPool> workers)
    : _settings(std::move(settings)), _sessions(std::move(sessions)), _workers(std::move(workers))
{
}

bool LoginFlow::fromTrustedProxy(const Request& request) const
{
    return std::find(_settings.trustedProxies.begin(), _settings.trustedProxies.end(), request.clientAddress) !=
           _settings.trustedProxies.end();
}

std::string LoginFlow::originOf(const Request& request) const
{
    if (!_settings.publicUrl.empty()) return _settings.publicUrl;
    const bool trusted = fromTrustedProxy(request);
    std::string host = request.header("Host");
    if (trusted && !request.header("X-Forwarded-Host").empty()) host = firstValue(request.header("X-Forwarded-Host"));
    // A Host header with anything but host[:port] characters is not used.
    if (!hostCharacters(host)) return {};
    bool secure = request.tls;
    if (!secure && trusted) secure = SessionManager::isSecure(request);
    return std::string(secure ? "https://" : "http://") + host;
}

std::string LoginFlow::callbackUrl(const Request& request, const RouteMatch& match) const
{
    std::string origin = originOf(request);
    return origin.empty() ? origin : origin + match.path;
}

std::string LoginFlow::nextTarget(const Request& request, const oauth1::Params& query) const
{
    // Same-origin is judged on scheme://host[:port], without public_url's path.
    std::string origin = originOf(request);
    if (auto slash = origin.find('/', origin.find("//") == std::string::npos ? 0 : origin.find("//") + 2);
        slash != std::string::npos)
        origin.resize(slash);
    return _settings.redirect.target([&](const std::string& name) { return param(query, name); },
                                     [&](const std::string& name) { return request.header(name); }, origin);
}

std::string LoginFlow::param(const oauth1::Params& query, const std::string& name)
{
    for (const auto& [k, v] : query)
        if (k == name) return v;
    return {};
}

bool LoginFlow::hasParam(const oauth1::Params& query, const std::string& name)
{
    return std::any_of(query.begin(), query.end(), [&](const auto& kv) { return kv.first == name; });
}

std::string LoginFlow::stateKey(const char* what) const
{
    return std::string("login:") + _settings.urlName + ":" + what;
}

std::string LoginFlow::pending(const std::optional<Session>& session, const char* what) const
{
    if (!session) return {};
    auto it = session->data.find(stateKey(what));
    return it == session->data.end() ? std::string() : it->second;
}

Task<void> LoginFlow::keepPending(const Request& request, Answer& answer, std::optional<Session>& session,
                                  const std::vector<std::pair<std::string, std::string>>& state) const
{
    // A browser without a session gets one that lives only as long as the
    // login may take: anonymous visits to the login URL must not fill the store.
    bool fresh = !session;
    if (fresh) session = _sessions->create();
    for (const auto& [what, value] : state) session->data[stateKey(what.c_str())] = value;
    co_await _workers->run([&] {
        if (fresh)
            _sessions->save(*session, std::chrono::seconds(PENDING_LOGIN_SECONDS));
        else
            _sessions->save(*session);
    });
    _sessions->setCookie(answer, *session, SessionManager::isSecure(request));
}

Task<void> LoginFlow::dropPending(std::optional<Session>& session, const std::vector<const char*>& whats) const
{
    if (!session) co_return;
    for (const char* what : whats) session->data.erase(stateKey(what));
    // A session that holds no login yet keeps its short lifetime.
    const bool keepsLogin = loggedIn(*session);
    co_await _workers->run([&] {
        if (keepsLogin)
            _sessions->save(*session);
        else
            _sessions->save(*session, std::chrono::seconds(PENDING_LOGIN_SECONDS));
    });
}

Task<void> LoginFlow::finish(const Request& request, Answer& answer, const std::optional<Session>& old,
                             const Keep& keep, const std::string& next, const std::string& who) const
{
    // A new, empty session for the logged-in browser: no fixation, and
    // nothing an attacker may have planted in the old one (say, their own
    // token for another url) is carried into the victim's login.
    Session fresh = _sessions->create();
    co_await _workers->run([&] {
        keep(fresh);
        _sessions->save(fresh);
        if (old) _sessions->destroy(old->id);
    });
    _sessions->setCookie(answer, fresh, SessionManager::isSecure(request));
    Poco::Logger::get("birdgate.login").information("url %s: @%s logged in", _settings.urlName, who);
    redirectTo(answer, next.empty() ? "/" : next);
}

Task<void> LoginFlow::cancelled(Answer& answer, const RouteMatch& match, std::optional<Session>& session,
                                const std::vector<const char*>& whats, const std::string& provider) const
{
    if (session)
    {
        for (const char* what : whats) session->data.erase(stateKey(what));
        co_await _workers->run([&] { _sessions->save(*session); });
    }
    page(answer, 403, "Login cancelled",
         "You cancelled the login with " + provider + ", so this site cannot use your " + provider + " account.",
         match.path);
}

void LoginFlow::page(Answer& answer, int status, const std::string& title, const std::string& message,
                     const std::string& retryUrl) const
{
    std::string html = "<!doctype html><html><head><meta charset=\"utf-8\"><title>" + htmlEscape(title) +
                       "</title></head><body><h1>" + htmlEscape(title) + "</h1><p>" + htmlEscape(message) +
                       "</p><p><a id=\"retry\" href=\"" + htmlEscape(retryUrl) +
                       "\">Log in with Twitter again</a> &middot; <a id=\"home\" href=\"/\">Back to the site</a></p>"
                       "</body></html>";
    answer.set("Cache-Control", "no-store");
    addConfiguredHeaders(answer);
    answer.send(status, "text/html; charset=utf-8", std::move(html));
}

void LoginFlow::sendError(Answer& answer, int status, const std::string& message) const
{
    addConfiguredHeaders(answer);
    fillJsonError(answer, status, message);
}

void LoginFlow::redirectTo(Answer& answer, const std::string& location) const
{
    answer.set("Cache-Control", "no-store");
    addConfiguredHeaders(answer);
    answer.setStatus(302);
    answer.set("Location", location);
    answer.body.clear();
}

void LoginFlow::addConfiguredHeaders(Answer& answer) const
{
    for (const auto& [k, v] : _settings.headers) answer.set(k, v);
}

bool LoginFlow::loggedIn(const Session& session)
{
    return std::any_of(session.data.begin(), session.data.end(),
                       [](const auto& kv) { return kv.first.rfind("token:", 0) == 0 && !kv.second.empty(); });
}

} // namespace birdgate
