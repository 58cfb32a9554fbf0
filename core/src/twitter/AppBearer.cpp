// BearerAuthorizer, BasicAuthorizer and AppBearer; see AppBearer.h.
//
// AppBearer's state is the current token and at most one flight (a fetch in
// progress, a SharedResult). token() and renew() join the flight or start
// it; whoever starts it fetches and lands the result for everyone. A failed
// fetch leaves no token and no flight behind, so the next caller tries anew.
#include "birdgate/twitter/AppBearer.h"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

namespace birdgate
{

BearerAuthorizer::BearerAuthorizer(std::string token) : _token(std::move(token)) {}

void BearerAuthorizer::authorize(UpstreamRequest& request, const std::string&, const oauth1::Params&) const
{
    setHeader(request.headers, "Authorization", "Bearer " + _token);
}

BasicAuthorizer::BasicAuthorizer(const std::string& id, const std::string& secret)
    : _value("Basic " + oauth1::base64(oauth1::percentEncode(id) + ":" + oauth1::percentEncode(secret)))
{
}

void BasicAuthorizer::authorize(UpstreamRequest& request, const std::string&, const oauth1::Params&) const
{
    setHeader(request.headers, "Authorization", _value);
}

AppBearer::AppBearer(bool renewable) : _renewable(renewable) {}

std::shared_ptr<AppBearer> AppBearer::literal(std::string token)
{
    std::shared_ptr<AppBearer> bearer(new AppBearer(false));
    std::lock_guard<std::mutex> lock(bearer->_mutex);
    bearer->_token = std::move(token);
    return bearer;
}

std::shared_ptr<AppBearer> AppBearer::clientCredentials(std::shared_ptr<TwitterClient> apiRoot, std::string key,
                                                        std::string secret, UpstreamLimits limits, std::string basePath)
{
    std::shared_ptr<AppBearer> bearer(new AppBearer(true));
    bearer->_client = std::move(apiRoot);
    bearer->_key = std::move(key);
    bearer->_secret = std::move(secret);
    bearer->_limits = limits;
    while (!basePath.empty() && basePath.back() == '/') basePath.pop_back();
    bearer->_basePath = std::move(basePath);
    return bearer;
}

std::shared_ptr<AppBearer> AppBearer::withFetch(AsyncFetch fetch, BlockingFetch fetchBlocking)
{
    std::shared_ptr<AppBearer> bearer(new AppBearer(true));
    bearer->_fetch = std::move(fetch);
    bearer->_fetchBlocking = std::move(fetchBlocking);
    return bearer;
}

std::size_t AppBearer::fetches() const
{
    std::lock_guard<std::mutex> lock(_mutex);
    return _fetches;
}

std::size_t AppBearer::waiting() const
{
    std::lock_guard<std::mutex> lock(_mutex);
    return _flight ? _flight->parked() : 0;
}

std::shared_ptr<SharedResult> AppBearer::joinLocked(bool clear, bool& leader)
{
    leader = false;
    if (clear) _token.clear();
    if (!_flight)
    {
        _flight = std::make_shared<SharedResult>();
        ++_fetches;
        leader = true;
    }
    return _flight;
}

void AppBearer::landed(const std::shared_ptr<SharedResult>& flight, const std::string* token, std::exception_ptr error)
{
    {
        std::lock_guard<std::mutex> lock(_mutex);
        if (_flight == flight) _flight.reset();
        if (token) _token = *token;
    }
    if (error)
        flight->fail(error);
    else
        flight->succeed(*token);
}

Task<std::string> AppBearer::token()
{
    std::shared_ptr<SharedResult> flight;
    bool leader = false;
    {
        std::lock_guard<std::mutex> lock(_mutex);
        if (!_token.empty() || !_renewable)
        {
            std::string current = _token;
            co_return current;
        }
        flight = joinLocked(false, leader);
    }
    if (leader) co_return co_await lead(flight);
    co_return co_await flight->wait();
}

Task<std::string> AppBearer::renew(std::string rejected)
{
    std::shared_ptr<SharedResult> flight;
    bool leader = false;
    {
        std::lock_guard<std::mutex> lock(_mutex);
        // Renewed already since `rejected` was handed out: use that one.
        if (!_renewable || (!_token.empty() && _token != rejected))
        {
            std::string current = _token;
            co_return current;
        }
        flight = joinLocked(true, leader);
    }
    if (leader) co_return co_await lead(flight);
    co_return co_await flight->wait();
}

std::string AppBearer::tokenBlocking()
{
    std::shared_ptr<SharedResult> flight;
    bool leader = false;
    {
        std::lock_guard<std::mutex> lock(_mutex);
        if (!_token.empty() || !_renewable) return _token;
        flight = joinLocked(false, leader);
    }
    return leader ? leadBlocking(flight) : flight->waitBlocking();
}

std::string AppBearer::renewBlocking(const std::string& rejected)
{
    std::shared_ptr<SharedResult> flight;
    bool leader = false;
    {
        std::lock_guard<std::mutex> lock(_mutex);
        if (!_renewable || (!_token.empty() && _token != rejected)) return _token;
        flight = joinLocked(true, leader);
    }
    return leader ? leadBlocking(flight) : flight->waitBlocking();
}

Task<std::string> AppBearer::lead(std::shared_ptr<SharedResult> flight)
{
    // Whatever happens the flight lands, so no waiter waits on a flight
    // nobody will finish.
    std::string fresh;
    std::exception_ptr error;
    try
    {
        fresh = co_await fetchOnce();
    }
    catch (...)
    {
        error = std::current_exception();
    }
    landed(flight, error ? nullptr : &fresh, error);
    if (error) std::rethrow_exception(error);
    co_return fresh;
}

std::string AppBearer::leadBlocking(const std::shared_ptr<SharedResult>& flight)
{
    std::string fresh;
    try
    {
        fresh = fetchOnceBlocking();
    }
    catch (...)
    {
        landed(flight, nullptr, std::current_exception());
        throw;
    }
    landed(flight, &fresh, nullptr);
    return fresh;
}

TwitterCall AppBearer::tokenCall() const
{
    TwitterCall call;
    call.method = "POST";
    call.path = _basePath + "/oauth2/token";
    call.form = {{"grant_type", "client_credentials"}};
    call.headers.push_back({"Accept", "application/json"});
    return call;
}

Task<std::string> AppBearer::fetchOnce()
{
    if (_fetch) co_return co_await _fetch();
    const TwitterCall call = tokenCall();
    const BasicAuthorizer auth(_key, _secret);
    UpstreamResponse answer = co_await _client->send(call, auth, _limits);
    co_return parseTokenAnswer(answer);
}

std::string AppBearer::fetchOnceBlocking()
{
    if (_fetchBlocking) return _fetchBlocking();
    return parseTokenAnswer(_client->sendBlocking(tokenCall(), BasicAuthorizer(_key, _secret), _limits));
}

std::string AppBearer::parseTokenAnswer(const UpstreamResponse& answer)
{
    if (answer.status != 200)
        throw BearerError("X refused the app's client credentials (HTTP " + std::to_string(answer.status) + ")");
    try
    {
        Poco::JSON::Parser parser;
        Poco::Dynamic::Var parsed = parser.parse(answer.body);
        auto object = parsed.extract<Poco::JSON::Object::Ptr>();
        if (object && object->has("access_token") && object->get("access_token").isString() &&
            object->has("token_type") && object->get("token_type").isString())
        {
            std::string type = object->getValue<std::string>("token_type");
            std::string token = object->getValue<std::string>("access_token");
            if (iequals(type, "bearer") && !token.empty()) return token;
        }
    }
    catch (const std::exception&) // Poco's parse and cast errors included
    {
    }
    throw BearerError("X's client-credentials answer holds no bearer token");
}

} // namespace birdgate
