// TwitterClient: every request birdgate sends to X goes through one of these
// (DESIGN.md 1): it builds the URL, authorises the request (Authorizer:
// OAuth 1.0a today; app-only bearer and OAuth 2.0 user tokens plug in the
// same way), sets User-Agent: birdgate/<version>, and sends it through the
// upstream pool. The REST handler, both login steps, the stream and its name
// lookups use it, so a signing rule lives in one place.
#pragma once

#include "birdgate/common/Task.h"
#include "birdgate/server/HeaderField.h"
#include "birdgate/twitter/OAuth1.h"
#include "birdgate/twitter/UpstreamPool.h"

#include <memory>
#include <string>

namespace birdgate
{

/// One request to X, before it is authorised.
struct TwitterCall
{
    std::string method = "GET";
    std::string path;        // upstream path, e.g. "/1.1/search/tweets.json" (percent-encoded)
    oauth1::Params query;    // signed, sent in the query string
    oauth1::Params form;     // signed; in the query for GET/HEAD/DELETE, else an x-www-form-urlencoded body
    std::string body;        // unsigned raw body (JSON, multipart) when `form` is empty
    std::string contentType; // of `body`
    HeaderFields headers;    // extra headers (Accept-Encoding, ...)
};

/// How a request is authorised: adds its Authorization header.
class Authorizer
{
  public:
    virtual ~Authorizer() = default;
    /// `signUrl`: scheme://host[:port]/path as OAuth 1.0a signs it;
    /// `signedParams`: the query and form parameters, in order.
    virtual void authorize(UpstreamRequest& request, const std::string& signUrl,
                           const oauth1::Params& signedParams) const = 0;
};

/// OAuth 1.0a (HMAC-SHA1 or -SHA256): consumer key/secret plus a user token
/// (empty token for the request-token step; `extra` oauth_* parameters such
/// as oauth_callback or oauth_verifier are signed and sent in the header).
class OAuth1Authorizer : public Authorizer
{
  public:
    explicit OAuth1Authorizer(oauth1::Credentials credentials, oauth1::Params extra = {});
    void authorize(UpstreamRequest& request, const std::string& signUrl,
                   const oauth1::Params& signedParams) const override;

  private:
    oauth1::Credentials _credentials;
    oauth1::Params _extra;
};

class TwitterClient
{
  public:
    TwitterClient(UpstreamTarget target, std::shared_ptr<UpstreamPool> pool);

    const UpstreamTarget& target() const { return _target; }

    /// The request as it goes on the wire: target with query, body, Content-Type,
    /// Authorization, User-Agent, Accept-Encoding: identity.
    UpstreamRequest build(const TwitterCall& call, const Authorizer& auth) const;

    Task<UpstreamResponse> send(const TwitterCall& call, const Authorizer& auth, UpstreamLimits limits) const;
    Task<std::unique_ptr<UpstreamAnswer>> open(const TwitterCall& call, const Authorizer& auth,
                                               UpstreamLimits limits) const;
    /// From a thread outside the event loop (the stream's own thread).
    UpstreamResponse sendBlocking(const TwitterCall& call, const Authorizer& auth, UpstreamLimits limits) const;

  private:
    UpstreamTarget _target;
    std::shared_ptr<UpstreamPool> _pool;
};

} // namespace birdgate
