// LoginRequired; see LoginRequired.h.
#include "login/LoginRequired.h"

#include "birdgate/common/HttpErrors.h"
#include "birdgate/common/WorkerPool.h"
#include "birdgate/login/LoginFlow.h"
#include "birdgate/session/SessionManager.h"
#include "birdgate/twitter/OAuth1.h"

namespace birdgate
{

LoginRequired::LoginRequired(std::shared_ptr<Endpoint> inner, std::string loginUrl,
                             std::shared_ptr<SessionManager> sessions, std::shared_ptr<WorkerPool> workers)
    : _inner(std::move(inner)), _loginUrl(std::move(loginUrl)), _sessions(std::move(sessions)),
      _workers(std::move(workers))
{
}

Task<void> LoginRequired::serve(Request& request, Answer& answer, const RouteMatch& match)
{
    bool admitted = _inner->isLoginRequest(request, match);
    if (!admitted)
    {
        std::optional<Session> session = co_await _workers->run([&] { return _sessions->load(request); });
        admitted = session && LoginFlow::loggedIn(*session);
    }
    if (admitted)
    {
        co_await _inner->serve(request, answer, match);
        co_return;
    }
    if (_loginUrl.empty())
    {
        fillJsonError(answer, 401, "login required", "login required");
        co_return;
    }
    answer.setStatus(302);
    answer.set("Cache-Control", "no-store");
    answer.set("Location", _loginUrl + (_loginUrl.find('?') == std::string::npos ? "?" : "&") +
                               "next=" + oauth1::percentEncode(request.target));
    answer.body.clear();
}

} // namespace birdgate
