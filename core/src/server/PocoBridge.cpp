// PocoBridge; see PocoBridge.h. TRANSITIONAL, like the Poco server.
//
// The body comes from Poco's request stream, the answer goes to Poco's
// response: begin() sends the headers, each write() is flushed (one HTTP
// chunk when chunked), abort() shuts the socket down so the client sees the
// connection break without the final chunk Poco would otherwise add.
#include "server/PocoBridge.h"

#include <boost/asio/co_spawn.hpp>
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

void serveBridged(Endpoint& endpoint, Poco::Net::HTTPServerRequest& pocoRequest, Poco::Net::HTTPServerResponse& response,
                  const RouteMatch& match)
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
    boost::asio::co_spawn(ioc, endpoint.serve(request, answer, match),
                          [&error](std::exception_ptr e) { error = e; });
    ioc.restart();
    ioc.run();
    if (error) std::rethrow_exception(error);
    if (!answer.begun() && !answer.aborted()) answer.sendBuffered();
}

} // namespace birdgate
