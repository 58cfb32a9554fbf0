// RequestDispatcher; see RequestDispatcher.h.
#include "server/RequestDispatcher.h"

#include "birdgate/common/HttpErrors.h"
#include "birdgate/server/LegacyEndpoint.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <Poco/Logger.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include <chrono>
#include <exception>
#include <istream>
#include <ostream>

namespace birdgate
{
namespace
{
// TRANSITIONAL bridge: runs a coroutine Endpoint on Poco's server thread.
// The body comes from Poco's request stream, the answer goes to Poco's
// response; the coroutine runs on this thread's own io_context until done.
class PocoBody : public BodySource
{
public:
    explicit PocoBody(Poco::Net::HTTPServerRequest& request) : _request(request) {}

    Task<BodyStatus> read(std::string& out, std::uint64_t limit) override
    {
        std::istream& in = _request.stream();
        char buf[8192];
        while (in)
        {
            in.read(buf, sizeof buf);
            out.append(buf, static_cast<std::size_t>(in.gcount()));
            if (out.size() > limit) co_return BodyStatus::TooLarge;
        }
        if (_request.hasContentLength() && _request.getContentLength64() >= 0 &&
            out.size() != static_cast<std::uint64_t>(_request.getContentLength64()))
            co_return BodyStatus::Broken;
        co_return BodyStatus::Ok;
    }

private:
    Poco::Net::HTTPServerRequest& _request;
};

class PocoAnswer : public Answer
{
public:
    PocoAnswer(Poco::Net::HTTPServerResponse& response, bool head) : _response(response) { _head = head; }

    void prepare()
    {
        _response.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(_status), _reason);
        for (const auto& f : _headers) _response.add(f.name, f.value);
        if (_close) _response.setKeepAlive(false);
    }

    Task<bool> begin(std::optional<std::uint64_t> length) override
    {
        _begun = true;
        prepare();
        if (length)
            _response.setContentLength64(static_cast<Poco::Int64>(*length));
        else
            _response.setChunkedTransferEncoding(true);
        _out = &_response.send();
        co_return _out->good();
    }

    Task<bool> write(std::string_view bytes) override
    {
        if (!_out) co_return false;
        if (_head) co_return true;
        _out->write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        _out->flush();
        co_return _out->good();
    }

    Task<bool> finish() override
    {
        if (_out) _out->flush();
        co_return _out && _out->good();
    }

    void abort() override { _response.setKeepAlive(false); }

    void sendBuffered()
    {
        prepare();
        if (_head)
        {
            _response.setContentLength64(static_cast<Poco::Int64>(body.size()));
            _response.send();
            return;
        }
        _response.sendBuffer(body.data(), body.size());
    }

private:
    Poco::Net::HTTPServerResponse& _response;
    std::ostream* _out = nullptr;
};

void serveBridged(Endpoint& endpoint, Poco::Net::HTTPServerRequest& pocoRequest,
                  Poco::Net::HTTPServerResponse& response, const RouteMatch& match)
{
    Request request;
    request.method = pocoRequest.getMethod();
    request.target = pocoRequest.getURI();
    request.version = pocoRequest.getVersion() == Poco::Net::HTTPMessage::HTTP_1_0 ? 10 : 11;
    for (const auto& [k, v] : pocoRequest) request.headers.push_back({k, v});
    request.clientAddress = pocoRequest.clientAddress().host().toString();
    request.clientLoopback = pocoRequest.clientAddress().host().isLoopback();
    request.tls = pocoRequest.secure();
    PocoBody body(pocoRequest);
    if (pocoRequest.hasContentLength() || pocoRequest.getChunkedTransferEncoding()) request.bodySource = &body;
    PocoAnswer answer(response, request.method == "HEAD");

    thread_local boost::asio::io_context ioc;
    std::exception_ptr error;
    boost::asio::co_spawn(ioc, endpoint.serve(request, answer, match),
                          [&error](std::exception_ptr e) { error = e; });
    ioc.restart();
    ioc.run();
    if (error) std::rethrow_exception(error);
    if (!answer.begun()) answer.sendBuffered();
}

class Adapter : public Poco::Net::HTTPRequestHandler
{
public:
    Adapter(const Router& router, std::atomic<unsigned long long>& served, AccessLog* accessLog)
        : _router(router), _served(served), _accessLog(accessLog)
    {
    }

    void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override
    {
        ++_served;
        auto started = std::chrono::steady_clock::now();
        serve(request, response);
        if (_accessLog)
        {
            double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
            _accessLog->write(request.clientAddress().host().toString(), request.getMethod(), request.getURI(),
                              static_cast<int>(response.getStatus()),
                              response.hasContentLength() ? response.getContentLength64() : -1, ms);
        }
    }

private:
    void serve(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response)
    {
        const std::string& uri = request.getURI();
        std::string path = uri.substr(0, uri.find('?'));
        // An absolute-form target ("GET http://host/x") is not ours to proxy.
        if (path.empty() || path[0] != '/')
        {
            sendJsonError(response, 400, "request target must be a path");
            return;
        }
        RouteMatch match;
        Endpoint* endpoint = _router.route(path, match);
        if (!endpoint)
        {
            sendJsonError(response, 404, "no url matches " + path);
            return;
        }
        try
        {
            if (auto* legacy = dynamic_cast<LegacyEndpoint*>(endpoint))
                legacy->handle(request, response, match);
            else
                serveBridged(*endpoint, request, response, match);
        }
        catch (const std::exception& e)
        {
            Poco::Logger::get("birdgate").error("url %s: %s", match.urlName, std::string(e.what()));
            if (!response.sent()) sendJsonError(response, 500, "internal error in url " + match.urlName);
        }
    }

    const Router& _router;
    std::atomic<unsigned long long>& _served;
    AccessLog* _accessLog;
};
} // namespace

RequestDispatcher::RequestDispatcher(std::shared_ptr<const Router> router, std::shared_ptr<AccessLog> accessLog)
    : _router(std::move(router)), _accessLog(std::move(accessLog))
{
}

Poco::Net::HTTPRequestHandler* RequestDispatcher::createRequestHandler(const Poco::Net::HTTPServerRequest&)
{
    return new Adapter(*_router, _served, _accessLog.get());
}

} // namespace birdgate
