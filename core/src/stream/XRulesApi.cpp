// XRulesApi; see XRulesApi.h.
#include "stream/XRulesApi.h"

#include "birdgate/common/HttpErrors.h"
#include "stream/StreamText.h"
#include "stream/V2Problem.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/URI.h>

namespace birdgate
{

namespace
{
std::string stringOf(const Poco::JSON::Object::Ptr& object, const char* key)
{
    if (!object) return {};
    Poco::Dynamic::Var v = object->get(key);
    return v.isString() ? v.extract<std::string>() : std::string();
}

Poco::JSON::Object::Ptr parseObject(const std::string& body)
{
    Poco::JSON::Parser parser;
    return parser.parse(body).extract<Poco::JSON::Object::Ptr>();
}
} // namespace

XRulesApi::XRulesApi(const StreamSettings& settings, std::shared_ptr<UpstreamPool> upstreams,
                     std::shared_ptr<AppBearer> bearer)
    : _settings(settings), _upstreams(std::move(upstreams)), _bearer(std::move(bearer))
{
    Poco::URI uri(_settings.rulesUrl);
    _target = {uri.getScheme(), uri.getHost(), uri.getPort()};
    _path = uri.getPath();
}

UpstreamResponse XRulesApi::send(TwitterCall call, const char* what)
{
    UpstreamLimits limits;
    limits.timeout = _settings.lookupTimeout;
    limits.maxAnswer = 16ull << 20;
    TwitterClient client(_target, _upstreams);
    UpstreamResponse response;
    try
    {
        std::string token = _bearer->tokenBlocking();
        response = client.sendBlocking(call, BearerAuthorizer(token), limits);
        if (response.status == 401 && _bearer->renewable())
        {
            std::string renewed = _bearer->renewBlocking(token);
            if (renewed != token) response = client.sendBlocking(call, BearerAuthorizer(renewed), limits);
        }
    }
    catch (const BearerError& e)
    {
        throw ConfigError(_settings.file, _settings.line, "schedule." + _settings.name + ".kwargs.key",
                          std::string("an app X gives a bearer token to (") + e.what() + ")");
    }
    catch (const std::exception& e)
    {
        throw StreamTransientError(std::string(what) + ": X unreachable: " + e.what());
    }
    if (response.status >= 500 || response.status == 429)
        throw StreamTransientError(std::string(what) + ": X answered " + std::to_string(response.status) + " (" +
                                   V2Problem::parse(response.body).describe() + ")");
    if (response.status == 401 || response.status == 403 || response.status == 404)
        throw ConfigError(_settings.file, _settings.line,
                          "schedule." + _settings.name +
                              (_settings.bearerToken.empty() ? ".kwargs.key" : ".kwargs.bearer"),
                          "credentials X accepts for the filtered stream (" + std::string(what) + " answered " +
                              std::to_string(response.status) + " " + V2Problem::parse(response.body).describe() + ")");
    return response;
}

std::vector<ExistingRule> XRulesApi::list()
{
    std::vector<ExistingRule> out;
    std::string next;
    for (int page = 0; page < 100; ++page)
    {
        TwitterCall call;
        call.path = _path;
        call.query.emplace_back("max_results", "1000");
        if (!next.empty()) call.query.emplace_back("pagination_token", next);
        UpstreamResponse r = send(call, "listing the stream rules");
        if (r.status != 200)
            throw ConfigError(_settings.file, _settings.line, "schedule." + _settings.name + ".kwargs.rules",
                              "rules X lists (X answered " + std::to_string(r.status) + " " +
                                  V2Problem::parse(r.body).describe() + ")");
        next.clear();
        try
        {
            auto root = parseObject(r.body);
            if (auto data = root->getArray("data"))
                for (std::size_t i = 0; i < data->size(); ++i)
                {
                    auto rule = data->getObject(static_cast<unsigned>(i));
                    if (!rule) continue;
                    out.push_back({stringOf(rule, "id"), stringOf(rule, "value"), stringOf(rule, "tag")});
                }
            if (auto meta = root->getObject("meta")) next = stringOf(meta, "next_token");
        }
        catch (const std::exception&)
        {
            throw StreamTransientError("listing the stream rules: X answered something that is not a rule list");
        }
        if (next.empty()) break;
    }
    return out;
}

std::string XRulesApi::addBody(const std::vector<StreamRule>& rules)
{
    std::string out = "{\"add\":[";
    for (std::size_t i = 0; i < rules.size(); ++i)
    {
        out += i ? ",{\"value\":" : "{\"value\":";
        jsonQuoteTo(out, rules[i].value);
        out += ",\"tag\":";
        jsonQuoteTo(out, rules[i].tag);
        out += "}";
    }
    return out + "]}";
}

std::string XRulesApi::deleteBody(const std::vector<std::string>& ids)
{
    std::string out = "{\"delete\":{\"ids\":[";
    for (std::size_t i = 0; i < ids.size(); ++i)
    {
        if (i) out += ",";
        jsonQuoteTo(out, ids[i]);
    }
    return out + "]}}";
}

std::vector<std::string> XRulesApi::addErrors(const std::string& body)
{
    std::vector<std::string> out;
    try
    {
        auto root = parseObject(body);
        auto errors = root->getArray("errors");
        if (!errors) return out;
        for (std::size_t i = 0; i < errors->size(); ++i)
        {
            auto e = errors->getObject(static_cast<unsigned>(i));
            if (!e) continue;
            std::string message;
            if (auto details = e->getArray("details"))
                for (std::size_t d = 0; d < details->size(); ++d)
                {
                    Poco::Dynamic::Var v = details->get(static_cast<unsigned>(d));
                    if (v.isString()) message += (message.empty() ? "" : "; ") + v.extract<std::string>();
                }
            if (message.empty()) message = stringOf(e, "title");
            if (message.empty()) message = stringOf(e, "detail");
            std::string value = stringOf(e, "value");
            out.push_back(value.empty() ? message : "'" + value + "': " + message);
        }
    }
    catch (const std::exception&)
    {
    }
    return out;
}

RulesAddResult XRulesApi::add(const std::vector<StreamRule>& rules, bool dryRun)
{
    TwitterCall call;
    call.method = "POST";
    call.path = _path;
    if (dryRun) call.query.emplace_back("dry_run", "true");
    call.body = addBody(rules);
    call.contentType = "application/json";
    UpstreamResponse r = send(call, dryRun ? "validating the stream rules" : "adding the stream rules");
    RulesAddResult result;
    result.errors = addErrors(r.body);
    if (result.errors.empty() && r.status != 200 && r.status != 201)
        result.errors.push_back("X answered " + std::to_string(r.status) + " " + V2Problem::parse(r.body).describe());
    if (!result.errors.empty()) return result;
    try
    {
        auto root = parseObject(r.body);
        if (auto data = root->getArray("data"))
            for (std::size_t i = 0; i < data->size(); ++i)
            {
                auto rule = data->getObject(static_cast<unsigned>(i));
                if (rule)
                    result.created.push_back({stringOf(rule, "id"), stringOf(rule, "value"), stringOf(rule, "tag")});
            }
    }
    catch (const std::exception&)
    {
        throw StreamTransientError("adding the stream rules: X answered something that is not JSON");
    }
    return result;
}

void XRulesApi::remove(const std::vector<std::string>& ids)
{
    TwitterCall call;
    call.method = "POST";
    call.path = _path;
    call.body = deleteBody(ids);
    call.contentType = "application/json";
    UpstreamResponse r = send(call, "deleting stale stream rules");
    if (r.status != 200)
        throw StreamTransientError("deleting stale stream rules: X answered " + std::to_string(r.status) + " " +
                                   V2Problem::parse(r.body).describe());
}

} // namespace birdgate
