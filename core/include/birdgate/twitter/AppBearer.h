// App-only authentication for X API v2 (DESIGN.md 3.8): the Authorizers that
// put a token in the Authorization header (Bearer for app-only and OAuth 2.0
// user tokens, Basic for the token endpoints), and AppBearer, the one bearer
// token an app holds.
//
// AppBearer is shared by every user of one app's bearer (the REST handler's
// requests, a stream's thread): a literal token is used as written; a
// client-credentials token is fetched once for all callers waiting on it,
// and after X answers 401 to a token, renew(rejected) fetches a new one once
// (a caller whose 401 arrives after that renewal gets the new token without a
// second fetch). No secret or token ever goes into an exception message.
#pragma once

#include "birdgate/common/SharedResult.h"
#include "birdgate/common/Task.h"
#include "birdgate/common/ThreadAnnotations.h"
#include "birdgate/twitter/TwitterClient.h"

#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>

namespace birdgate
{

/// Authorization: Bearer <token> (an app-only bearer or an OAuth 2.0 user access token).
class BearerAuthorizer : public Authorizer
{
  public:
    explicit BearerAuthorizer(std::string token);
    void authorize(UpstreamRequest& request, const std::string& signUrl,
                   const oauth1::Params& signedParams) const override;

  private:
    std::string _token;
};

/// Authorization: Basic base64(enc(id):enc(secret)), enc the RFC 3986
/// percent-encoding (RFC 6749 2.3.1): the client-credentials grant and a
/// confidential OAuth 2.0 client at the token endpoint.
class BasicAuthorizer : public Authorizer
{
  public:
    BasicAuthorizer(const std::string& id, const std::string& secret);
    void authorize(UpstreamRequest& request, const std::string& signUrl,
                   const oauth1::Params& signedParams) const override;

  private:
    std::string _value;
};

/// X refused to hand out a token, or answered something that is not one.
/// The message names the HTTP status, never a secret or a token.
class BearerError : public std::runtime_error
{
  public:
    using std::runtime_error::runtime_error;
};

/// The app-only bearer of one app (DESIGN 3.8): a literal token, or one obtained with client
/// credentials from {api_root}/oauth2/token; one fetch for all callers waiting on it; after a 401,
/// renew(rejected) fetches a new one once (callers whose 401 arrives after a renewal get the new token, no second
/// fetch).
class AppBearer
{
  public:
    using AsyncFetch = std::function<Task<std::string>()>;
    using BlockingFetch = std::function<std::string()>;

    static std::shared_ptr<AppBearer> literal(std::string token);
    /// `basePath`: the path part of api_root, if any (the token endpoint is
    /// {api_root}/oauth2/token).
    static std::shared_ptr<AppBearer> clientCredentials(std::shared_ptr<TwitterClient> apiRoot, std::string key,
                                                        std::string secret, UpstreamLimits limits,
                                                        std::string basePath = "");
    /// Tests: the fetches are given (each returns a token or throws).
    static std::shared_ptr<AppBearer> withFetch(AsyncFetch fetch, BlockingFetch fetchBlocking);

    /// The current token; fetches one when there is none (one fetch for all
    /// callers). Throws BearerError when X refuses, UpstreamUnreachable or
    /// UpstreamTimeout when it cannot be reached.
    Task<std::string> token() BIRDGATE_EXCLUDES(_mutex);
    /// After X answered 401 to `rejected`: a new token (fetched once, whoever
    /// asks meanwhile waits for it), or the current one when it already
    /// differs from `rejected`. A literal token is returned unchanged: the
    /// caller then passes X's 401 on.
    Task<std::string> renew(std::string rejected) BIRDGATE_EXCLUDES(_mutex);
    /// From a thread outside the event loop (the stream's own thread).
    std::string tokenBlocking() BIRDGATE_EXCLUDES(_mutex);
    std::string renewBlocking(const std::string& rejected) BIRDGATE_EXCLUDES(_mutex);

    /// False for a literal token.
    bool renewable() const { return _renewable; }
    /// Fetches started so far (tests, metrics).
    std::size_t fetches() const BIRDGATE_EXCLUDES(_mutex);
    /// Coroutines parked on the fetch in progress (tests).
    std::size_t waiting() const BIRDGATE_EXCLUDES(_mutex);

    /// The token of a client-credentials answer: 200 with JSON
    /// {"token_type":"bearer","access_token":"..."}; BearerError otherwise.
    static std::string parseTokenAnswer(const UpstreamResponse& answer);

  private:
    explicit AppBearer(bool renewable);
    /// Under the lock: the flight to wait for, and whether this caller leads
    /// it (starts the fetch). `clear`: the current token is rejected.
    std::shared_ptr<SharedResult> joinLocked(bool clear, bool& leader) BIRDGATE_REQUIRES(_mutex);
    void landed(const std::shared_ptr<SharedResult>& flight, const std::string* token, std::exception_ptr error)
        BIRDGATE_EXCLUDES(_mutex);
    Task<std::string> lead(std::shared_ptr<SharedResult> flight);
    std::string leadBlocking(const std::shared_ptr<SharedResult>& flight);
    Task<std::string> fetchOnce();
    std::string fetchOnceBlocking();
    TwitterCall tokenCall() const;

    const bool _renewable;
    std::shared_ptr<TwitterClient> _client;
    std::string _key;
    std::string _secret;
    UpstreamLimits _limits;
    std::string _basePath;
    AsyncFetch _fetch;
    BlockingFetch _fetchBlocking;

    mutable std::mutex _mutex;
    std::string _token BIRDGATE_GUARDED_BY(_mutex);
    std::shared_ptr<SharedResult> _flight BIRDGATE_GUARDED_BY(_mutex);
    std::size_t _fetches BIRDGATE_GUARDED_BY(_mutex) = 0;
};

} // namespace birdgate
