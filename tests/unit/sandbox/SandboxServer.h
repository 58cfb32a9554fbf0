// For the OAuth 2.0 and v2 sandbox suites: one TwitterSandbox behind a Poco
// HTTPServer on 127.0.0.1 port 0 (through tests/unit/PocoBridge.h, as in
// TwitterSandboxTest), a FakeClock it runs on (set to the wall clock, so
// OAuth 1.0a timestamps still pass, and advanced by the tests to expire
// codes and tokens), raw requests and small JSON helpers, plus the steps of
// an OAuth 2.0 login a test repeats: authorize (auto_approve or the page's
// Authorize button), then the token endpoint.
#pragma once

#include "PocoBridge.h"
#include "birdgate/common/Clock.h"
#include "birdgate/config/Config.h"
#include "birdgate/sandbox/SandboxOAuth2.h"
#include "birdgate/sandbox/TwitterSandbox.h"
#include "birdgate/twitter/OAuth1.h"

#include <Poco/Base64Encoder.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

#include <yaml-cpp/yaml.h>

#include <memory>
#include <regex>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace birdgate::test
{
// Two OAuth 2.0 clients (confidential and public), a v1.1-only app and users.
inline const char* OAUTH2_KWARGS = R"(
seed: 7
apps:
  - key: ck
    secret: cs
    name: Confidential App
    client_id: conf-id
    client_secret: conf-secret
    callbacks: [http://127.0.0.1:9988/x-user/, http://localhost:9988/x-user/]
    scopes: tweet.read tweet.write users.read follows.read offline.access
  - key: ck2
    secret: cs2
    name: Public App
    client_id: pub-id
    callbacks: http://app.example/cb
    scopes: [tweet.read, users.read, offline.access]
  - {key: ck3, secret: cs3}
users:
  - {screen_name: alice, access_key: alice-token, access_secret: alice-secret}
rate_limit: 1000
statuses: 300
token_lifetime: 600
)";

inline const char* CONF_CALLBACK = "http://127.0.0.1:9988/x-user/";
inline const char* PUB_CALLBACK = "http://app.example/cb";

struct SandboxReply
{
    int status = 0;
    std::string body;
    Poco::Net::HTTPResponse response;

    std::string header(const std::string& name) const { return response.get(name, ""); }
    Poco::JSON::Object::Ptr object() const
    {
        return Poco::JSON::Parser().parse(body).extract<Poco::JSON::Object::Ptr>();
    }
    std::string str(const std::string& key) const
    {
        auto o = object();
        return o->has(key) ? o->getValue<std::string>(key) : std::string();
    }
    /// The query parameters of the Location header.
    std::map<std::string, std::string> location() const
    {
        std::map<std::string, std::string> out;
        Poco::URI uri(header("Location"));
        for (const auto& [k, v] : uri.getQueryParameters()) out[k] = v;
        return out;
    }
    std::string locationBase() const
    {
        std::string l = header("Location");
        return l.substr(0, l.find('?'));
    }
};

inline std::string basicAuth(const std::string& text)
{
    std::ostringstream out;
    Poco::Base64Encoder enc(out);
    enc.rdbuf()->setLineLength(0);
    enc << text;
    enc.close();
    return "Basic " + out.str();
}

class SandboxServer
{
  public:
    using Headers = std::vector<std::pair<std::string, std::string>>;

    explicit SandboxServer(const std::string& kwargs = OAUTH2_KWARGS) : clock(std::chrono::system_clock::now())
    {
        UrlEntry entry;
        entry.name = "sandbox";
        entry.pattern = "/sandbox/(.*)";
        entry.handler = "TwitterSandbox";
        entry.kwargs = YAML::Load(kwargs);
        entry.origin.file = "test.yaml";
        AppConfig app;
        endpoint = std::make_unique<TwitterSandbox>(entry, app, &warnings);
        endpoint->setClock(clock);
        Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0));
        port = socket.address().port();
        auto* params = new Poco::Net::HTTPServerParams;
        params->setMaxThreads(8);
        server = std::make_unique<Poco::Net::HTTPServer>(new Factory(*endpoint), socket, params);
        server->start();
    }

    ~SandboxServer() { server->stopAll(true); }

    SandboxReply raw(const std::string& method, const std::string& target, const std::string& body = {},
                     const Headers& headers = {}, const std::string& contentType = "application/x-www-form-urlencoded")
    {
        Poco::Net::HTTPClientSession session("127.0.0.1", port);
        Poco::Net::HTTPRequest request(method, target, Poco::Net::HTTPMessage::HTTP_1_1);
        for (const auto& [k, v] : headers) request.set(k, v);
        if (!body.empty() || method == "POST")
        {
            request.setContentType(contentType);
            request.setContentLength(static_cast<std::streamsize>(body.size()));
        }
        session.sendRequest(request) << body;
        SandboxReply reply;
        std::istream& in = session.receiveResponse(reply.response);
        Poco::StreamCopier::copyToString(in, reply.body);
        reply.status = reply.response.getStatus();
        return reply;
    }

    /// GET /sandbox/<path> with `Authorization: Bearer <token>`.
    SandboxReply bearer(const std::string& token, const std::string& pathAndQuery, const std::string& method = "GET",
                        const std::string& body = {}, const std::string& contentType = "application/json")
    {
        return raw(method, "/sandbox/" + pathAndQuery, body, {{"Authorization", "Bearer " + token}}, contentType);
    }

    /// The authorize URL's query for a client, S256 challenge of `verifier`.
    static oauth1::Params authorizeParams(const std::string& clientId, const std::string& redirectUri,
                                          const std::string& scope, const std::string& verifier,
                                          const std::string& state = "st4te")
    {
        return {{"response_type", "code"},
                {"client_id", clientId},
                {"redirect_uri", redirectUri},
                {"scope", scope},
                {"state", state},
                {"code_challenge", SandboxOAuth2::s256(verifier)},
                {"code_challenge_method", "S256"}};
    }

    SandboxReply authorizeGet(const oauth1::Params& params)
    {
        return raw("GET", "/sandbox/i/oauth2/authorize?" + oauth1::encodeForm(params));
    }

    /// Presses a button of the authorize page (the page's hidden fields are the params).
    SandboxReply authorizePost(const oauth1::Params& params, const std::string& action,
                               const std::string& screenName = "alice")
    {
        oauth1::Params form = params;
        form.emplace_back("screen_name", screenName);
        form.emplace_back("action", action);
        return raw("POST", "/sandbox/i/oauth2/authorize", oauth1::encodeForm(form));
    }

    /// A code for the confidential client, through the Authorize button.
    std::string code(const std::string& verifier, const std::string& scope = "tweet.read users.read offline.access",
                     const std::string& clientId = "conf-id", const std::string& redirect = CONF_CALLBACK)
    {
        SandboxReply r = authorizePost(authorizeParams(clientId, redirect, scope, verifier), "authorize");
        return r.location()["code"];
    }

    SandboxReply token(const oauth1::Params& form, const std::string& authorization = basicAuth("conf-id:conf-secret"))
    {
        Headers h;
        if (!authorization.empty()) h.emplace_back("Authorization", authorization);
        return raw("POST", "/sandbox/2/oauth2/token", oauth1::encodeForm(form), h);
    }

    SandboxReply exchange(const std::string& code, const std::string& verifier,
                          const std::string& redirect = CONF_CALLBACK)
    {
        return token({{"grant_type", "authorization_code"},
                      {"code", code},
                      {"redirect_uri", redirect},
                      {"code_verifier", verifier}});
    }

    /// A full login of alice with the confidential client: the token answer.
    SandboxReply login(const std::string& scope = "tweet.read users.read offline.access")
    {
        const std::string verifier = "v3rifier-" + std::string(50, 'x');
        return exchange(code(verifier, scope), verifier);
    }

    std::vector<std::string> warnings;
    FakeClock clock;
    std::unique_ptr<TwitterSandbox> endpoint;
    std::unique_ptr<Poco::Net::HTTPServer> server;
    int port = 0;

  private:
    class Handler : public Poco::Net::HTTPRequestHandler
    {
      public:
        explicit Handler(Endpoint& endpoint) : _endpoint(endpoint) {}
        void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override
        {
            std::string path = request.getURI().substr(0, request.getURI().find('?'));
            static const std::regex pattern("/sandbox/(.*)");
            std::smatch m;
            if (!std::regex_match(path, m, pattern))
            {
                response.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_NOT_FOUND);
                response.send();
                return;
            }
            RouteMatch match{"sandbox", path, {m[0].str(), m[1].str()}};
            serveBridged(_endpoint, request, response, match);
        }

      private:
        Endpoint& _endpoint;
    };
    class Factory : public Poco::Net::HTTPRequestHandlerFactory
    {
      public:
        explicit Factory(Endpoint& endpoint) : _endpoint(endpoint) {}
        Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override
        {
            return new Handler(_endpoint);
        }

      private:
        Endpoint& _endpoint;
    };
};
} // namespace birdgate::test
