// OAuth2Client; see OAuth2Client.h.
#include "birdgate/twitter/OAuth2Client.h"

#include "birdgate/twitter/AppBearer.h" // BasicAuthorizer, BearerAuthorizer

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <cmath>

namespace birdgate
{
namespace
{
Poco::JSON::Object::Ptr parseObject(const std::string& body)
{
    try
    {
        Poco::JSON::Parser parser;
        Poco::Dynamic::Var parsed = parser.parse(body);
        if (parsed.type() != typeid(Poco::JSON::Object::Ptr)) return nullptr;
        return parsed.extract<Poco::JSON::Object::Ptr>();
    }
    catch (const std::exception&) // Poco's parse errors included
    {
        return nullptr;
    }
}

std::string stringField(const Poco::JSON::Object::Ptr& object, const char* name)
{
    if (!object || !object->has(name)) return {};
    Poco::Dynamic::Var value = object->get(name);
    return value.isString() ? value.extract<std::string>() : std::string();
}

/// A token value goes into a header and a store value split on '\n': only
/// printable ASCII without spaces is accepted.
bool plausibleToken(const std::string& token)
{
    if (token.empty() || token.size() > 4096) return false;
    for (char c : token)
        if (c <= ' ' || c > '~') return false;
    return true;
}
/// A public client sends no Authorization header at all.
class NoAuthorizer : public Authorizer
{
  public:
    void authorize(UpstreamRequest&, const std::string&, const oauth1::Params&) const override {}
};
} // namespace

OAuth2Client::OAuth2Client(Settings settings, std::shared_ptr<TwitterClient> apiRoot)
    : _settings(std::move(settings)), _client(std::move(apiRoot))
{
}

TwitterCall OAuth2Client::tokenCall(const oauth1::Params& grant) const
{
    TwitterCall call;
    call.method = "POST";
    call.path = _settings.apiRootPath + "/2/oauth2/token";
    call.form = grant;
    // A public client names itself in the body; a confidential one in Basic.
    if (_settings.clientSecret.empty()) call.form.emplace_back("client_id", _settings.clientId);
    call.headers.push_back({"Accept", "application/json"});
    return call;
}

Task<OAuth2Tokens> OAuth2Client::postToken(const oauth1::Params& grant) const
{
    const TwitterCall call = tokenCall(grant);
    const UpstreamLimits limits = _settings.limits;
    UpstreamResponse answer;
    if (_settings.clientSecret.empty())
    {
        const NoAuthorizer none;
        answer = co_await _client->send(call, none, limits);
    }
    else
    {
        const BasicAuthorizer basic(_settings.clientId, _settings.clientSecret);
        answer = co_await _client->send(call, basic, limits);
    }
    co_return parseTokenAnswer(answer);
}

Task<OAuth2Tokens> OAuth2Client::exchangeCode(const std::string& code, const std::string& redirectUri,
                                              const std::string& verifier) const
{
    const oauth1::Params grant{{"grant_type", "authorization_code"},
                               {"code", code},
                               {"redirect_uri", redirectUri},
                               {"code_verifier", verifier}};
    co_return co_await postToken(grant);
}

Task<OAuth2Tokens> OAuth2Client::refresh(const std::string& refreshToken) const
{
    const oauth1::Params grant{{"grant_type", "refresh_token"}, {"refresh_token", refreshToken}};
    co_return co_await postToken(grant);
}

Task<OAuth2User> OAuth2Client::me(const std::string& accessToken) const
{
    TwitterCall call;
    call.path = _settings.apiRootPath + "/2/users/me";
    const BearerAuthorizer auth(accessToken);
    const UpstreamLimits limits = _settings.limits;
    UpstreamResponse answer = co_await _client->send(call, auth, limits);
    co_return parseMe(answer);
}

OAuth2Tokens OAuth2Client::parseTokenAnswer(const UpstreamResponse& answer)
{
    if (answer.status >= 400 && answer.status < 500)
    {
        // RFC 6749 5.2: {"error":"invalid_grant",...}; the error code is
        // safe to name, the description may echo what was sent: not kept.
        std::string error = stringField(parseObject(answer.body), "error");
        bool word = !error.empty() && error.size() < 64 &&
                    error.find_first_not_of("abcdefghijklmnopqrstuvwxyz_") == std::string::npos;
        throw OAuth2Refused("X refused the token request (HTTP " + std::to_string(answer.status) +
                            (word ? ", " + error : std::string()) + ")");
    }
    if (answer.status != 200) throw OAuth2Error("X's token endpoint answered HTTP " + std::to_string(answer.status));
    Poco::JSON::Object::Ptr object = parseObject(answer.body);
    OAuth2Tokens tokens;
    tokens.access = stringField(object, "access_token");
    tokens.refresh = stringField(object, "refresh_token");
    const std::string type = stringField(object, "token_type");
    if (!plausibleToken(tokens.access) || !iequals(type, "bearer") ||
        (!tokens.refresh.empty() && !plausibleToken(tokens.refresh)))
        throw OAuth2Error("X's token answer holds no usable bearer token");
    if (object->has("expires_in"))
    {
        Poco::Dynamic::Var value = object->get("expires_in");
        double seconds = -1;
        try
        {
            if (value.isNumeric()) seconds = value.convert<double>();
        }
        catch (const std::exception&)
        {
            seconds = -1;
        }
        if (!std::isfinite(seconds) || seconds < 1 || seconds > 10.0 * 365 * 24 * 3600)
            throw OAuth2Error("X's token answer has an unusable expires_in");
        tokens.expiresIn = static_cast<long long>(seconds);
    }
    return tokens;
}

OAuth2User OAuth2Client::parseMe(const UpstreamResponse& answer)
{
    if (answer.status != 200) throw OAuth2Error("X answered 2/users/me with HTTP " + std::to_string(answer.status));
    Poco::JSON::Object::Ptr object = parseObject(answer.body);
    Poco::JSON::Object::Ptr data;
    if (object && object->has("data") && object->get("data").type() == typeid(Poco::JSON::Object::Ptr))
        data = object->getObject("data");
    OAuth2User user{stringField(data, "id"), stringField(data, "username"), stringField(data, "name")};
    const bool digits =
        !user.id.empty() && user.id.size() <= 20 && user.id.find_first_not_of("0123456789") == std::string::npos;
    if (!digits || user.username.find_first_of("\n\r") != std::string::npos ||
        user.name.find_first_of("\n\r") != std::string::npos)
        throw OAuth2Error("X's 2/users/me answer names no user");
    return user;
}

} // namespace birdgate
