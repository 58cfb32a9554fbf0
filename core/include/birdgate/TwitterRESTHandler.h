// TwitterRESTHandler: the Endpoint of a `handler: TwitterRESTHandler` url
// entry (DESIGN.md 3). Built once from its kwargs; serves every request of its
// pattern by checking it (method, body size, API path, token), signing it with
// OAuth 1.0a and sending it through the shared UpstreamPool.
#pragma once

#include "birdgate/Endpoint.h"
#include "birdgate/Kwargs.h"
#include "birdgate/OAuth1.h"
#include "birdgate/RestRequest.h"
#include "birdgate/Services.h"

#include <Poco/Timespan.h>

#include <set>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace birdgate
{

class TwitterRESTHandler : public Endpoint
{
public:
    TwitterRESTHandler(const UrlEntry& entry, const Services& services);

    void handle(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response,
                const RouteMatch& match) override;

    /// The kwargs table (also the source of etc/birdgate.yaml's comments).
    static std::span<const KwargSpec> kwargSpec();

    const std::string& endpointUrl() const { return _endpoint; }

private:
    void sendError(Poco::Net::HTTPServerResponse& response, int status, const std::string& message,
                   const std::string& reason = {}) const;
    void addConfiguredHeaders(Poco::Net::HTTPServerResponse& response) const;

    std::string _name;
    Services _services;
    std::string _consumerKey;
    std::string _consumerSecret;
    std::string _accessKey;    // literal token, "persist", or "" (the session's)
    std::string _accessSecret;
    oauth1::SignatureMethod _signatureMethod = oauth1::SignatureMethod::HmacSha1;
    std::string _fixedPath;    // kwargs.path, already confined
    bool _hasFixedPath = false;
    std::set<std::string> _methods;
    std::string _allowHeader;
    UpstreamMethodMode _mode = UpstreamMethodMode::Auto;
    std::string _endpoint;     // e.g. https://api.twitter.com/1.1/ (always ends in /)
    UpstreamTarget _target;
    std::string _endpointPath; // path part of _endpoint, e.g. /1.1/
    std::vector<std::pair<std::string, std::string>> _headers;
    Poco::Timespan _timeout;
    long long _maxBody = 0;
};

} // namespace birdgate
