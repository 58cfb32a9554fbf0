// LoginRequired: Gramex's `auth: true` on a url entry (DESIGN.md 3.8). It
// stands in front of the url's own Endpoint and lets through only browsers
// whose session has logged in (at any login url of this app: a token:*
// field); others get 401 with reason phrase and JSON error `login
// required`, or a 302 to `auth: {login_url: ...}` with ?next=<the original
// URL>. The url's own login start and callback are never behind it
// (Endpoint::isLoginRequest), or nobody could log in. The Gateway wraps an
// endpoint in it when the entry says so; the endpoint knows nothing of it.
#pragma once

#include "birdgate/server/Endpoint.h"

#include <memory>
#include <string>

namespace birdgate
{

class SessionManager;
class WorkerPool;

class LoginRequired : public Endpoint
{
  public:
    /// `loginUrl`: "" answers 401, else where to send visitors to log in.
    LoginRequired(std::shared_ptr<Endpoint> inner, std::string loginUrl, std::shared_ptr<SessionManager> sessions,
                  std::shared_ptr<WorkerPool> workers);

    Task<void> serve(Request& request, Answer& answer, const RouteMatch& match) override;
    void shutdown() override { _inner->shutdown(); }
    bool isLoginRequest(const Request& request, const RouteMatch& match) const override
    {
        return _inner->isLoginRequest(request, match);
    }

  private:
    const std::shared_ptr<Endpoint> _inner;
    const std::string _loginUrl;
    const std::shared_ptr<SessionManager> _sessions;
    const std::shared_ptr<WorkerPool> _workers;
};

} // namespace birdgate
