// TwitterClient and OAuth1Authorizer; see TwitterClient.h.
//
// build() is the one place that decides how a call goes on the wire (the
// rules the REST handler applied inline, DESIGN.md 3.1): the query and any
// form are signed; GET/HEAD/DELETE carry the form in the query, other
// methods as an x-www-form-urlencoded body; a raw (JSON, multipart) body is
// sent as it is and not signed. It is pure, so tests check the signature
// without a network.
#include "birdgate/twitter/TwitterClient.h"

namespace birdgate
{
namespace
{
bool formInQuery(const std::string& method)
{
    return method == "GET" || method == "HEAD" || method == "DELETE";
}
} // namespace

OAuth1Authorizer::OAuth1Authorizer(oauth1::Credentials credentials, oauth1::Params extra)
    : _credentials(std::move(credentials)), _extra(std::move(extra))
{
}

void OAuth1Authorizer::authorize(UpstreamRequest& request, const std::string& signUrl,
                                 const oauth1::Params& signedParams) const
{
    setHeader(request.headers, "Authorization",
              oauth1::authorizationHeader(request.method, signUrl, signedParams, _credentials, _extra));
}

TwitterClient::TwitterClient(UpstreamTarget target, std::shared_ptr<UpstreamPool> pool)
    : _target(std::move(target)), _pool(std::move(pool))
{
}

UpstreamRequest TwitterClient::build(const TwitterCall& call, const Authorizer& auth) const
{
    UpstreamRequest request;
    request.method = call.method;

    oauth1::Params signedParams = call.query;
    signedParams.insert(signedParams.end(), call.form.begin(), call.form.end());

    std::string query;
    std::string contentType;
    if (formInQuery(call.method))
    {
        query = oauth1::encodeForm(signedParams);
    }
    else
    {
        query = oauth1::encodeForm(call.query);
        if (!call.form.empty() || call.body.empty())
        {
            request.body = oauth1::encodeForm(call.form);
            contentType = "application/x-www-form-urlencoded";
        }
        else
        {
            // JSON and multipart bodies go as they are, unsigned (Twitter's rule).
            request.body = call.body;
            contentType = call.contentType;
        }
    }
    request.target = query.empty() ? call.path : call.path + "?" + query;

    request.headers.push_back({"User-Agent", "birdgate/" BIRDGATE_VERSION});
    request.headers.push_back({"Accept-Encoding", "identity"});
    if (!contentType.empty()) request.headers.push_back({"Content-Type", contentType});
    for (const auto& h : call.headers) setHeader(request.headers, h.name, h.value);

    auth.authorize(request, oauth1::baseUrl(_target.scheme, _target.host, _target.port, call.path), signedParams);
    return request;
}

Task<UpstreamResponse> TwitterClient::send(const TwitterCall& call, const Authorizer& auth, UpstreamLimits limits) const
{
    co_return co_await _pool->send(_target, build(call, auth), limits);
}

Task<std::unique_ptr<UpstreamAnswer>> TwitterClient::open(const TwitterCall& call, const Authorizer& auth,
                                                          UpstreamLimits limits) const
{
    co_return co_await _pool->open(_target, build(call, auth), limits);
}

UpstreamResponse TwitterClient::sendBlocking(const TwitterCall& call, const Authorizer& auth,
                                             UpstreamLimits limits) const
{
    return _pool->sendBlocking(_target, build(call, auth), limits);
}

} // namespace birdgate
