// TwitterRESTHandler: the Endpoint of a `handler: TwitterRESTHandler` url
// entry (DESIGN.md 3). Built once from its kwargs; serves every request of its
// pattern by checking it (method, XSRF, body size, API path, token), signing
// it with OAuth 1.0a and sending it through the shared UpstreamPool. A GET on
// the empty API path runs the OAuth 1.0a login (TwitterLogin).
#pragma once

#include "birdgate/server/LegacyEndpoint.h"
#include "birdgate/config/Kwargs.h"
#include "birdgate/twitter/OAuth1.h"
#include "birdgate/login/RedirectPolicy.h"
#include "rest/RestRequest.h"
#include "birdgate/server/Services.h"

#include <Poco/Timespan.h>

#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace birdgate
{

struct Session;
class TransformChain;

class TwitterRESTHandler : public LegacyEndpoint
{
public:
    TwitterRESTHandler(const UrlEntry& entry, const Services& services);
    ~TwitterRESTHandler() override;

    void handle(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response,
                const RouteMatch& match) override;

    /// The kwargs table (also the source of etc/birdgate.yaml's comments).
    static std::span<const KwargSpec> kwargSpec();

    const std::string& endpointUrl() const { return _endpoint; }

    /// Where a user token comes from.
    enum class TokenMode
    {
        Literal, // access_key/access_secret in the kwargs
        Persist, // `persist`: the last login at this url, for everyone
        Session  // absent: the visitor's own login
    };

    /// A token and where it came from (so a token Twitter rejects can be forgotten).
    struct Token
    {
        std::string key;
        std::string secret;
        std::string screenName;
        std::string userId;
    };

private:
    friend class TwitterLogin;

    void sendError(Poco::Net::HTTPServerResponse& response, int status, const std::string& message,
                   const std::string& reason = {}) const;
    void sendTokenMissing(Poco::Net::HTTPServerResponse& response) const;
    void addConfiguredHeaders(Poco::Net::HTTPServerResponse& response) const;
    /// False (and the answer sent) when the body is too large or fails XSRF.
    bool readBody(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response, bool xsrfOk,
                  std::string& body) const;
    std::optional<Token> findToken(const std::optional<Session>& session) const;
    /// Forgets `rejected` (Twitter answered 89) if it is still the stored token.
    void forgetToken(const std::optional<Session>& session, const std::string& rejected) const;
    void storeToken(Session& session, const Token& token) const;
    std::string persistKey() const;
    std::string sessionTokenKey() const;
    static bool isInvalidTokenAnswer(int status, const std::string& body);
    /// The request as transforms see it (Gramex's `handler`): url name, API
    /// path, method, query arguments, the logged-in user.
    std::string contextJson(const std::string& method, const std::string& apiPath, const oauth1::Params& args,
                            const Token& token) const;
    void sendAnswer(Poco::Net::HTTPServerResponse& response, const UpstreamResponse& answer, bool head,
                    const char* xcache) const;

    std::string _name;
    Services _services;
    std::string _consumerKey;
    std::string _consumerSecret;
    TokenMode _tokenMode = TokenMode::Session;
    Token _literal;
    oauth1::SignatureMethod _signatureMethod = oauth1::SignatureMethod::HmacSha1;
    std::string _fixedPath;    // kwargs.path, already confined
    bool _hasFixedPath = false;
    std::set<std::string> _methods;
    std::string _allowHeader;
    UpstreamMethodMode _mode = UpstreamMethodMode::Auto;
    std::string _endpoint;     // e.g. https://api.twitter.com/1.1/ (always ends in /)
    UpstreamTarget _target;
    std::string _endpointPath; // path part of _endpoint, e.g. /1.1/
    std::string _apiRoot;      // e.g. https://api.twitter.com (login URLs derive from it)
    UpstreamTarget _apiRootTarget;
    std::string _apiRootPath;  // path part of _apiRoot without trailing '/', e.g. "" or "/sandbox"
    bool _authenticate = false; // login: authenticate
    RedirectPolicy _redirect;
    bool _xsrf = true;
    std::vector<std::pair<std::string, std::string>> _headers;
    Poco::Timespan _timeout;
    long long _maxBody = 0;
    std::unique_ptr<TransformChain> _transforms;
    long long _cacheSeconds = 0; // 0: not cached
};

} // namespace birdgate
