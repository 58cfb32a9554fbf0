// For TwitterSandboxTest only: runs a coroutine Endpoint (serve() over
// Request and Answer) behind a Poco HTTPServer in the test process, so the
// test's Poco client sees exactly what the endpoint sends. birdgate itself
// serves on its Beast server (core/src/server/HttpServer); this bridge was
// the transition's way to run converted endpoints on Poco's server.
//
// serveBridged() builds a Request from Poco's, runs endpoint.serve() to
// completion on this thread's own io_context (timers and worker-pool results
// resume on it) and sends the Answer: buffered after serve() returns, or
// streamed as written. An exception from serve() propagates.
#pragma once

#include "birdgate/server/Endpoint.h"

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/StreamSocket.h>

#include <exception>
#include <istream>
#include <ostream>

namespace birdgate
{
namespace
{
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
    PocoAnswer(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response, bool head)
        : _request(request), _response(response)
    {
        _head = head;
    }

    void prepare()
    {
        _response.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(_status), _reason);
        for (const auto& f : _headers) _response.add(f.name, f.value);
        if (_close) _response.setKeepAlive(false);
    }

    Task<bool> begin(std::optional<std::uint64_t> length) override
    {
        _begun = true;
        if (_aborted) co_return false;
        prepare();
        if (length)
            _response.setContentLength64(static_cast<Poco::Int64>(*length));
        else
            _response.setChunkedTransferEncoding(true);
        try
        {
            _out = &_response.send();
            _out->flush();
        }
        catch (const std::exception&)
        {
            co_return false;
        }
        co_return _out->good();
    }

    Task<bool> write(std::string_view bytes) override
    {
        if (!_out || _aborted) co_return false;
        if (_head) co_return true;
        try
        {
            _out->write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
            _out->flush();
        }
        catch (const std::exception&)
        {
            co_return false;
        }
        co_return _out->good();
    }

    Task<bool> finish() override
    {
        if (!_out || _aborted) co_return false;
        try
        {
            _out->flush();
        }
        catch (const std::exception&)
        {
            co_return false;
        }
        co_return _out->good(); // Poco writes the last chunk when the response ends
    }

    void abort() override
    {
        _aborted = true;
        _response.setKeepAlive(false);
        try
        {
            static_cast<Poco::Net::HTTPServerRequestImpl&>(_request).socket().shutdown();
        }
        catch (const std::exception&)
        {
        }
    }

    bool aborted() const { return _aborted; }

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
    Poco::Net::HTTPServerRequest& _request;
    Poco::Net::HTTPServerResponse& _response;
    std::ostream* _out = nullptr;
    bool _aborted = false;
};
} // namespace

inline void serveBridged(Endpoint& endpoint, Poco::Net::HTTPServerRequest& pocoRequest,
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
    PocoAnswer answer(pocoRequest, response, request.method == "HEAD");

    thread_local boost::asio::io_context ioc;
    std::exception_ptr error;
    // Held until serve() ends: a result another thread (the worker pool)
    // posts back would otherwise find run() already returned, and serve()
    // resume after `request` and `answer` are gone.
    auto busy = boost::asio::make_work_guard(ioc);
    boost::asio::co_spawn(ioc, endpoint.serve(request, answer, match), [&error, &busy](std::exception_ptr e) {
        error = e;
        busy.reset();
    });
    ioc.restart();
    ioc.run();
    if (error) std::rethrow_exception(error);
    if (!answer.begun() && !answer.aborted()) answer.sendBuffered();
}

} // namespace birdgate
