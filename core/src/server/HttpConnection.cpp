// HttpConnection; see HttpConnection.h. One class, templated on the stream
// (tcp::socket or ssl::stream<tcp::socket>), that is at once the request
// body's BodySource and the Answer the Endpoint writes: a connection serves
// one request at a time, so one object (and its buffers) serves them all.
//
// Buffers: `_in` holds raw bytes read from the client (heads, chunked
// bodies, pipelined requests); a Content-Length body is read straight into
// the endpoint's string. `_out` holds the answer head, written together with
// the body in one gather write. Both keep their capacity across requests.
//
// Timeouts: each phase sets `_deadline`; the I/O thread's ticker calls
// checkDeadline(), which cancels the pending read or write. A request thus
// arms no timer of its own, and the head deadline covers the whole head, so
// a client trickling bytes is cut when it passes.
#include "server/HttpConnection.h"

#include "birdgate/common/HttpErrors.h"
#include "birdgate/ops/AccessLog.h"
#include "birdgate/ops/Metrics.h"
#include "birdgate/server/Endpoint.h"
#include "ops/RequestId.h"
#include "server/ChunkedDecoder.h"
#include "server/RequestHead.h"
#include "server/Router.h"

#include <boost/asio/buffer.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <Poco/Logger.h>

#include <array>
#include <charconv>
#include <cstring>
#include <exception>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace birdgate
{

void IoWorker::add(ConnectionBase* c)
{
    c->prev = nullptr;
    c->next = first;
    if (first) first->prev = c;
    first = c;
}

void IoWorker::remove(ConnectionBase* c)
{
    if (c->prev)
        c->prev->next = c->next;
    else if (first == c)
        first = c->next;
    if (c->next) c->next->prev = c->prev;
    c->prev = c->next = nullptr;
}

namespace
{
namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using SslStream = asio::ssl::stream<tcp::socket>;
using Clock = std::chrono::steady_clock;

constexpr std::size_t INITIAL_BUFFER = 4096;
constexpr std::uint64_t DISCARD_LIMIT = 4u << 20; // an unread body beyond this closes the connection
constexpr std::chrono::milliseconds LINGER{2000}; // reading what a client still sends before closing

enum class Phase
{
    Idle,    // waiting for the first byte of a request
    Head,    // a request head is arriving
    Body,    // reading or discarding a body
    Serving, // the endpoint runs (no deadline: it bounds its own waits)
    Writing,
    Closed
};

enum class StreamMode
{
    None,
    Length,
    Chunked,
    UntilClose
};

enum class HeadOutcome
{
    Got,
    Closed,
    Refused
};

tcp::socket& lowest(tcp::socket& s)
{
    return s;
}
tcp::socket& lowest(SslStream& s)
{
    return s.next_layer();
}

bool safeHeaderText(std::string_view s)
{
    for (unsigned char c : s)
        if (c == '\r' || c == '\n' || c == '\0') return false;
    return true;
}

void appendNumber(std::string& out, std::uint64_t n)
{
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof buf, n);
    out.append(buf, r.ptr);
}

template <class Stream> class HttpConnection final : public ConnectionBase, public BodySource, public Answer
{
  public:
    static constexpr bool TLS = std::is_same_v<Stream, SslStream>;

    HttpConnection(ServerShared& shared, IoWorker& worker, tcp::socket socket)
        : _shared(shared), _worker(worker), _stream(makeStream(std::move(socket), shared))
    {
        boost::system::error_code ec;
        auto peer = lowest(_stream).remote_endpoint(ec);
        if (!ec)
        {
            auto address = peer.address();
            if (address.is_v6() && address.to_v6().is_v4_mapped())
                address = asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6());
            _clientAddress = address.to_string();
            _clientLoopback = address.is_loopback();
        }
        _accepted = Clock::now();
    }

    ~HttpConnection() override
    {
        _worker.remove(this);
        --_shared.connections;
        if (_shared.onClosed) _shared.onClosed();
    }

    Task<void> run()
    {
        _worker.add(this);
        co_await serveAll();
        closeSocket();
    }

    // ------------------------------------------------------ ConnectionBase
    void checkDeadline(Clock::time_point now) override
    {
        if (now < _deadline) return;
        _timedOut = true;
        boost::system::error_code ec;
        lowest(_stream).cancel(ec);
    }

    void closeIfIdle() override
    {
        if (_phase == Phase::Idle && _served > 0 && _inBegin == _inEnd) closeSocket();
    }

    void closeNow() override { closeSocket(); }

    // ---------------------------------------------------------- BodySource
    Task<BodyStatus> read(std::string& out, std::uint64_t limit) override
    {
        if (_bodyTouched) co_return BodyStatus::Broken; // Request caches the first outcome
        _bodyTouched = true;
        if (_reqHead.framing == BodyFraming::ContentLength)
        {
            const std::uint64_t length = _reqHead.contentLength;
            if (length > limit)
            {
                _closeAfter = true;
                co_return BodyStatus::TooLarge;
            }
            if (!co_await sendContinue()) co_return broken();
            const std::size_t buffered = _inEnd - _inBegin;
            const std::size_t fromBuffer = static_cast<std::size_t>(std::min<std::uint64_t>(length, buffered));
            const std::size_t start = out.size();
            out.resize(start + static_cast<std::size_t>(length));
            std::memcpy(out.data() + start, _in.data() + _inBegin, fromBuffer);
            _inBegin += fromBuffer;
            std::size_t have = fromBuffer;
            while (have < length)
            {
                arm(_shared.options.headerTimeout, Phase::Body);
                boost::system::error_code ec;
                std::size_t n = co_await _stream.async_read_some(
                    asio::buffer(out.data() + start + have, static_cast<std::size_t>(length) - have),
                    asio::redirect_error(asio::use_awaitable, ec));
                disarm(Phase::Serving);
                if (ec || n == 0) co_return broken();
                have += n;
            }
            co_return BodyStatus::Ok;
        }
        // chunked
        if (!co_await sendContinue()) co_return broken();
        while (true)
        {
            std::size_t consumed = 0;
            auto result = _decoder.feed(std::string_view(_in.data() + _inBegin, _inEnd - _inBegin), consumed, &out);
            _inBegin += consumed;
            if (result == ChunkedDecoder::Result::Error)
            {
                _badChunk = true; // answered 400 by the server, whatever the endpoint does
                co_return BodyStatus::Broken;
            }
            if (out.size() > limit)
            {
                _closeAfter = true; // the rest of the body is still on the wire
                co_return BodyStatus::TooLarge;
            }
            if (result == ChunkedDecoder::Result::Done) co_return BodyStatus::Ok;
            arm(_shared.options.headerTimeout, Phase::Body);
            std::size_t n = co_await readSome();
            disarm(Phase::Serving);
            if (n == 0) co_return broken();
        }
    }

    // -------------------------------------------------------------- Answer
    Task<bool> begin(std::optional<std::uint64_t> length) override
    {
        if (_begun || _dead) co_return false;
        checkAnswerHeaders(); // throws before anything is sent
        _begun = true;
        if (length)
        {
            _mode = StreamMode::Length;
            _streamLeft = *length;
            _logBytes = static_cast<long long>(*length);
        }
        else if (_reqHead.version == 11)
        {
            _mode = StreamMode::Chunked;
        }
        else
        {
            _mode = StreamMode::UntilClose;
            _closeAfter = true;
        }
        decideClose();
        buildHead(length, _mode == StreamMode::Chunked);
        if (_head) _finished = true;
        co_return co_await writeBuffers(asio::buffer(_out));
    }

    Task<bool> write(std::string_view bytes) override
    {
        if (!_begun || _dead) co_return false;
        if (_head || bytes.empty()) co_return true;
        if (_finished) co_return false;
        if (_mode == StreamMode::Chunked)
        {
            char line[20];
            auto r = std::to_chars(line, line + 16, bytes.size(), 16);
            *r.ptr++ = '\r';
            *r.ptr++ = '\n';
            std::array<asio::const_buffer, 3> buffers{asio::buffer(line, static_cast<std::size_t>(r.ptr - line)),
                                                      asio::buffer(bytes.data(), bytes.size()),
                                                      asio::buffer("\r\n", 2)};
            co_return co_await writeBuffers(buffers);
        }
        if (_mode == StreamMode::Length)
        {
            if (bytes.size() > _streamLeft)
            {
                // More than the announced Content-Length: the framing would break.
                Poco::Logger::get("birdgate").error("answer body longer than its Content-Length; connection closed");
                abort();
                co_return false;
            }
            _streamLeft -= bytes.size();
        }
        co_return co_await writeBuffers(asio::buffer(bytes.data(), bytes.size()));
    }

    Task<bool> finish() override
    {
        if (!_begun || _dead) co_return false;
        if (_finished) co_return true;
        _finished = true;
        if (_mode == StreamMode::Chunked) co_return co_await writeBuffers(asio::buffer("0\r\n\r\n", 5));
        if (_mode == StreamMode::Length && _streamLeft != 0)
        {
            abort(); // shorter than announced: the client must see a broken answer
            co_return false;
        }
        co_return true;
    }

    void abort() override
    {
        _dead = true;
        closeSocket();
    }

  private:
    static Stream makeStream(tcp::socket socket, ServerShared& shared)
    {
        if constexpr (TLS)
            return Stream(std::move(socket), *shared.tls);
        else
            return socket;
    }

    // ------------------------------------------------------------ the loop
    Task<void> serveAll()
    {
        if constexpr (TLS)
        {
            arm(_shared.options.headerTimeout, Phase::Head);
            boost::system::error_code ec;
            co_await _stream.async_handshake(asio::ssl::stream_base::server,
                                             asio::redirect_error(asio::use_awaitable, ec));
            disarm(Phase::Idle);
            if (ec) co_return;
        }
        while (_phase != Phase::Closed)
        {
            HeadError refusal;
            HeadOutcome outcome = co_await readHead(refusal);
            if (outcome == HeadOutcome::Closed) co_return;
            if (outcome == HeadOutcome::Refused)
            {
                co_await refuse(refusal.status, refusal.message);
                co_return;
            }
            if (!co_await serveRequest()) co_return;
        }
    }

    Task<HeadOutcome> readHead(HeadError& refusal)
    {
        const bool first = _served == 0;
        const auto& options = _shared.options;
        if (!first && _shared.draining.load(std::memory_order_relaxed)) co_return HeadOutcome::Closed;
        // A new connection has headerTimeout from accept for its first head;
        // a kept-alive one keepaliveTimeout for its first byte, then headerTimeout.
        if (first)
        {
            _deadline = _accepted + options.headerTimeout;
            _timedOut = false;
            _phase = Phase::Idle;
        }
        else
        {
            arm(options.keepaliveTimeout, Phase::Idle);
        }
        std::size_t scanned = 0;
        while (true)
        {
            if (_phase == Phase::Idle)
            {
                // Empty lines before a request line are ignored (RFC 9112 2.2).
                while (_inEnd - _inBegin >= 2 && _in[_inBegin] == '\r' && _in[_inBegin + 1] == '\n') _inBegin += 2;
                if (_inEnd > _inBegin && !(_inEnd - _inBegin == 1 && _in[_inBegin] == '\r'))
                {
                    _phase = Phase::Head;
                    if (!first) _deadline = Clock::now() + options.headerTimeout;
                }
            }
            if (_phase == Phase::Head)
            {
                const std::string_view data(_in.data() + _inBegin, _inEnd - _inBegin);
                const std::size_t end = RequestHead::findEnd(data, scanned);
                scanned = data.size();
                if (end > options.maxHeaderBytes || (end == 0 && data.size() > options.maxHeaderBytes))
                {
                    refusal = {431, "request head larger than the limit"};
                    co_return HeadOutcome::Refused;
                }
                if (end)
                {
                    disarm(Phase::Serving);
                    refusal = _reqHead.parse(data.substr(0, end));
                    _inBegin += end;
                    co_return refusal ? HeadOutcome::Refused : HeadOutcome::Got;
                }
            }
            if (co_await readSome() == 0)
            {
                if (_timedOut && _phase == Phase::Head && !_dead)
                {
                    refusal = {408, "request head not received in time"};
                    co_return HeadOutcome::Refused;
                }
                co_return HeadOutcome::Closed;
            }
        }
    }

    /// Reads what the client sent into `_in`; 0 when it closed, failed or timed out.
    Task<std::size_t> readSome()
    {
        if (_timedOut || _phase == Phase::Closed) co_return 0;
        if (_inBegin == _inEnd) _inBegin = _inEnd = 0;
        if constexpr (!TLS)
        {
            if (_inEnd == 0 && _phase == Phase::Idle)
            {
                // Between requests a connection holds no buffers: most of ten
                // thousand kept-alive clients are idle, and 4 KB each adds up.
                // It waits for the socket to become readable, then reads into
                // a fresh buffer. (Over TLS, OpenSSL may hold decrypted bytes
                // the socket does not show: those connections read directly.)
                if (_in.capacity()) std::vector<char>().swap(_in);
                if (_out.capacity() > 1024) std::string().swap(_out);
                boost::system::error_code ec;
                co_await _stream.async_wait(tcp::socket::wait_read, asio::redirect_error(asio::use_awaitable, ec));
                if (ec || _timedOut || _phase == Phase::Closed) co_return 0;
            }
        }
        if (_in.empty()) _in.resize(INITIAL_BUFFER);
        if (_in.size() - _inEnd < 1024)
        {
            if (_inBegin > 0)
            {
                std::memmove(_in.data(), _in.data() + _inBegin, _inEnd - _inBegin);
                _inEnd -= _inBegin;
                _inBegin = 0;
            }
            if (_in.size() - _inEnd < 1024) _in.resize(_in.size() * 2);
        }
        boost::system::error_code ec;
        std::size_t n = co_await _stream.async_read_some(asio::buffer(_in.data() + _inEnd, _in.size() - _inEnd),
                                                         asio::redirect_error(asio::use_awaitable, ec));
        if (ec) co_return 0;
        _inEnd += n;
        co_return n;
    }

    Task<bool> serveRequest()
    {
        const auto started = Clock::now();
        ++_served;
        resetAnswer();
        resetBodyState();
        _head = _reqHead.method == "HEAD";

        Request request;
        request.method = std::move(_reqHead.method);
        request.target = std::move(_reqHead.target);
        request.version = _reqHead.version;
        request.headers = std::move(_reqHead.headers);
        request.clientAddress = _clientAddress;
        request.clientLoopback = _clientLoopback;
        request.tls = TLS;
        request.requestId = RequestId::accept(request.header("X-Request-Id"));
        // buildHead() reads it from there (no copy); cleared when this frame ends.
        _requestId = &request.requestId;
        struct ForgetId
        {
            const std::string*& id;
            ~ForgetId() { id = nullptr; }
        } forgetId{_requestId};
        const bool hasBody = _reqHead.framing == BodyFraming::Chunked ||
                             (_reqHead.framing == BodyFraming::ContentLength && _reqHead.contentLength > 0);
        if (hasBody) request.bodySource = this;
        _decoder.reset();
        _closeAfter = !_reqHead.keepAlive;

        const std::string_view path = request.path();
        RouteMatch match;
        Endpoint* endpoint = nullptr;
        const std::shared_ptr<const Router> router = _shared.router.load(std::memory_order_acquire);
        if (path.empty() || path.front() != '/')
            errorAnswer(400, "request target must be a path");
        else if (!(endpoint = router->route(std::string(path), match)))
            errorAnswer(404, "no url matches " + std::string(path));

        if (endpoint)
        {
            bool failed = false;
            try
            {
                co_await endpoint->serve(request, *this, match);
                if (!_begun) checkAnswerHeaders();
            }
            catch (const std::exception& e)
            {
                Poco::Logger::get("birdgate").error("url %s: %s", match.urlName, std::string(e.what()));
                failed = true;
            }
            catch (...)
            {
                Poco::Logger::get("birdgate").error("url %s: unknown exception", match.urlName);
                failed = true;
            }
            if (failed)
            {
                if (_begun) abort();
                resetAnswer();
                errorAnswer(500, "internal error in url " + match.urlName);
            }
        }

        if (_badChunk && !_dead)
        {
            if (_begun)
                abort();
            else
            {
                resetAnswer();
                _closeAfter = true;
                errorAnswer(400, "malformed chunked body");
            }
        }
        if (_dead)
        {
            // Aborted, broken body or client gone: nothing (more) to send.
            countRequest(request, endpoint ? &match : nullptr, started);
            co_return false;
        }
        const bool unreadBody = hasBody && !_bodyTouched;
        if (unreadBody && ((_reqHead.expectContinue && !_sent100) ||
                           (_reqHead.framing == BodyFraming::ContentLength && _reqHead.contentLength > DISCARD_LIMIT)))
            _closeAfter = true; // the body cannot be skipped cheaply (or was never sent)

        bool ok = true;
        if (!_begun)
        {
            decideClose();
            ok = co_await sendBuffered();
        }
        else if (!_finished && !(_mode == StreamMode::Length && _streamLeft == 0))
        {
            ok = false; // the endpoint left a streamed answer unfinished
        }
        countRequest(request, endpoint ? &match : nullptr, started);
        if (!ok || _dead) co_return false;
        if (_closing)
        {
            co_await lingerClose();
            co_return false;
        }
        if (unreadBody && !co_await discardBody()) co_return false;
        co_return true;
    }

    // ------------------------------------------------------------- bodies
    BodyStatus broken()
    {
        _dead = true;
        closeSocket();
        return BodyStatus::Broken;
    }

    Task<bool> sendContinue()
    {
        if (!_reqHead.expectContinue || _sent100) co_return true;
        _sent100 = true;
        if (_inEnd != _inBegin) co_return true; // the client sent the body anyway
        co_return co_await writeBuffers(asio::buffer("HTTP/1.1 100 Continue\r\n\r\n", 25));
    }

    /// Skips a body the endpoint did not read, so the next request is in sync.
    Task<bool> discardBody()
    {
        _bodyTouched = true;
        if (_reqHead.framing == BodyFraming::ContentLength)
        {
            std::uint64_t left = _reqHead.contentLength;
            while (true)
            {
                const std::size_t take = static_cast<std::size_t>(std::min<std::uint64_t>(left, _inEnd - _inBegin));
                _inBegin += take;
                left -= take;
                if (left == 0) co_return true;
                arm(_shared.options.headerTimeout, Phase::Body);
                std::size_t n = co_await readSome();
                disarm(Phase::Serving);
                if (n == 0) co_return false;
            }
        }
        while (true)
        {
            std::size_t consumed = 0;
            auto result = _decoder.feed(std::string_view(_in.data() + _inBegin, _inEnd - _inBegin), consumed, nullptr);
            _inBegin += consumed;
            if (result == ChunkedDecoder::Result::Error || _decoder.bodyBytes() > DISCARD_LIMIT) co_return false;
            if (result == ChunkedDecoder::Result::Done) co_return true;
            arm(_shared.options.headerTimeout, Phase::Body);
            std::size_t n = co_await readSome();
            disarm(Phase::Serving);
            if (n == 0) co_return false;
        }
    }

    // ------------------------------------------------------------ answers
    void resetAnswer()
    {
        _status = 200;
        _reason = "OK";
        _headers.clear();
        body.clear();
        _close = false;
        _head = false;
        _begun = false;
        _finished = false;
        _mode = StreamMode::None;
        _streamLeft = 0;
        _logBytes = -1;
    }

    void resetBodyState()
    {
        _bodyTouched = false;
        _sent100 = false;
        _badChunk = false;
    }

    void errorAnswer(int status, std::string_view message)
    {
        setStatus(status);
        set("Content-Type", "application/json; charset=utf-8");
        body = errorBody(status, message);
    }

    /// A header an endpoint set with CR, LF or NUL would split the answer.
    void checkAnswerHeaders()
    {
        if (_status < 100 || _status > 999) throw std::invalid_argument("answer status out of range");
        if (!safeHeaderText(_reason)) throw std::invalid_argument("control byte in the answer's reason phrase");
        for (const auto& f : _headers)
            if (f.name.empty() || !safeHeaderText(f.name) || !safeHeaderText(f.value) ||
                f.name.find(':') != std::string::npos)
                throw std::invalid_argument("control byte in answer header " + f.name);
    }

    void decideClose()
    {
        _closing = _closeAfter || _close || _shared.draining.load(std::memory_order_relaxed);
        if (const std::string* c = find("Connection"))
            for (std::size_t i = 0; i + 5 <= c->size(); ++i)
                if (iequals(std::string_view(*c).substr(i, 5), "close")) _closing = true;
    }

    static bool bodyless(int status) { return status == 204 || status == 304 || status < 200; }

    void buildHead(std::optional<std::uint64_t> length, bool chunked)
    {
        _out.clear();
        _out += "HTTP/1.1 ";
        appendNumber(_out, static_cast<std::uint64_t>(_status));
        _out += ' ';
        _out += _reason;
        _out += "\r\n";
        for (const auto& f : _headers)
        {
            if (iequals(f.name, "Content-Length") || iequals(f.name, "Transfer-Encoding") ||
                iequals(f.name, "Connection") || iequals(f.name, "X-Request-Id"))
                continue;
            _out += f.name;
            _out += ": ";
            _out += f.value;
            _out += "\r\n";
        }
        if (_requestId && !_requestId->empty())
        {
            _out += "X-Request-Id: ";
            _out += *_requestId;
            _out += "\r\n";
        }
        if (!bodyless(_status))
        {
            if (length)
            {
                _out += "Content-Length: ";
                appendNumber(_out, *length);
                _out += "\r\n";
            }
            else if (chunked)
            {
                _out += "Transfer-Encoding: chunked\r\n";
            }
        }
        if (_closing)
            _out += "Connection: close\r\n";
        else if (_reqHead.version == 10)
            _out += "Connection: keep-alive\r\n";
        _out += "\r\n";
    }

    Task<bool> sendBuffered()
    {
        _begun = true;
        _finished = true;
        buildHead(body.size(), false);
        _logBytes = static_cast<long long>(body.size());
        if (_head || bodyless(_status) || body.empty()) co_return co_await writeBuffers(asio::buffer(_out));
        std::array<asio::const_buffer, 2> buffers{asio::buffer(_out), asio::buffer(body)};
        co_return co_await writeBuffers(buffers);
    }

    template <class Buffers> Task<bool> writeBuffers(const Buffers& buffers)
    {
        if (_dead || _phase == Phase::Closed) co_return false;
        const Phase before = _phase;
        arm(_shared.options.sendTimeout, Phase::Writing);
        boost::system::error_code ec;
        co_await asio::async_write(_stream, buffers, asio::redirect_error(asio::use_awaitable, ec));
        disarm(before);
        if (ec)
        {
            _dead = true;
            closeSocket();
            co_return false;
        }
        co_return true;
    }

    /// Refuses a request whose head was bad: error answer, then close.
    Task<void> refuse(int status, std::string_view message)
    {
        const auto started = Clock::now();
        resetAnswer();
        _closeAfter = true;
        _refusedId = RequestId::generate(); // the head was not read: no client id to trust
        _requestId = &_refusedId;
        errorAnswer(status, message);
        decideClose();
        if (co_await sendBuffered()) co_await lingerClose();
        const auto elapsed = Clock::now() - started;
        if (_shared.metrics) _shared.metrics->unrouted().request(status, elapsed);
        if (_shared.accessLog)
        {
            AccessRecord record;
            record.client = _clientAddress;
            // string_views on both arms: `cond ? "-" : std::string` would make a
            // temporary string and leave the view dangling.
            record.method = _reqHead.method.empty() ? std::string_view("-") : std::string_view(_reqHead.method);
            record.uri = _reqHead.target.empty() ? std::string_view("-") : std::string_view(_reqHead.target);
            record.status = status;
            record.bytes = _logBytes;
            record.milliseconds = std::chrono::duration<double, std::milli>(elapsed).count();
            record.requestId = _refusedId;
            _shared.accessLog->write(record);
        }
    }

    /// Half-closes, then reads (and drops) what the client still sends for a
    /// moment: closing with unread bytes would reset the connection and could
    /// destroy the answer before the client reads it.
    Task<void> lingerClose()
    {
        if constexpr (TLS)
        {
            closeSocket(); // a TCP half-close under TLS would only truncate the record stream
            co_return;
        }
        boost::system::error_code ec;
        lowest(_stream).shutdown(tcp::socket::shutdown_send, ec);
        arm(std::min<std::chrono::milliseconds>(LINGER, _shared.options.headerTimeout), Phase::Body);
        _inBegin = _inEnd = 0;
        while (co_await readSome() > 0) _inBegin = _inEnd;
        closeSocket();
    }

    /// /metrics and the access log, once per request. `match`: null when
    /// no url entry matched (counted under url="-").
    void countRequest(const Request& request, const RouteMatch* match, Clock::time_point started)
    {
        const auto elapsed = Clock::now() - started;
        UrlMetrics* metrics = match ? match->metrics : _shared.metrics ? &_shared.metrics->unrouted() : nullptr;
        if (metrics) metrics->request(_status, elapsed);
        if (!_shared.accessLog) return;
        AccessRecord record;
        record.client = _clientAddress;
        record.method = request.method;
        record.uri = request.target;
        record.status = _status;
        record.bytes = _logBytes;
        record.milliseconds = std::chrono::duration<double, std::milli>(elapsed).count();
        if (request.upstreamTime)
            record.upstreamMilliseconds = std::chrono::duration<double, std::milli>(*request.upstreamTime).count();
        if (match) record.url = match->urlName;
        record.requestId = request.requestId;
        _shared.accessLog->write(record);
    }

    // ---------------------------------------------------------- deadlines
    void arm(std::chrono::milliseconds timeout, Phase phase)
    {
        _phase = phase;
        _deadline = Clock::now() + timeout;
        _timedOut = false;
    }

    void disarm(Phase phase)
    {
        if (_phase != Phase::Closed) _phase = phase;
        _deadline = Clock::time_point::max();
        _timedOut = false;
    }

    void closeSocket()
    {
        _phase = Phase::Closed;
        _deadline = Clock::time_point::max();
        boost::system::error_code ec;
        lowest(_stream).close(ec);
    }

    ServerShared& _shared;
    IoWorker& _worker;
    Stream _stream;
    std::string _clientAddress;
    bool _clientLoopback = false;
    Clock::time_point _accepted;

    Phase _phase = Phase::Idle;
    Clock::time_point _deadline = Clock::time_point::max();
    bool _timedOut = false;
    std::uint64_t _served = 0;

    std::vector<char> _in; // raw bytes; [_inBegin, _inEnd) not consumed yet
    std::size_t _inBegin = 0, _inEnd = 0;
    std::string _out;                        // the answer head
    const std::string* _requestId = nullptr; // X-Request-Id of the request being answered
    std::string _refusedId;                  // ... of a refused head
    RequestHead _reqHead;
    ChunkedDecoder _decoder;

    bool _bodyTouched = false; // the endpoint read (or we discarded) the body
    bool _sent100 = false;
    bool _badChunk = false;
    bool _closeAfter = false; // close after this answer (request, body state)
    bool _closing = false;    // decided for the answer being sent
    bool _dead = false;       // the connection is gone: send nothing more
    bool _finished = false;
    StreamMode _mode = StreamMode::None;
    std::uint64_t _streamLeft = 0;
    long long _logBytes = -1;
};

template <class Stream> Task<void> runWith(ServerShared& shared, IoWorker& worker, tcp::socket socket)
{
    std::unique_ptr<HttpConnection<Stream>> connection;
    try
    {
        connection = std::make_unique<HttpConnection<Stream>>(shared, worker, std::move(socket));
    }
    catch (const std::exception& e)
    {
        Poco::Logger::get("birdgate").error("connection not started: %s", std::string(e.what()));
        --shared.connections;
        if (shared.onClosed) shared.onClosed();
        co_return;
    }
    co_await connection->run();
}
} // namespace

Task<void> runHttpConnection(ServerShared& shared, IoWorker& worker, tcp::socket socket)
{
    if (shared.tls) return runWith<SslStream>(shared, worker, std::move(socket));
    return runWith<tcp::socket>(shared, worker, std::move(socket));
}

} // namespace birdgate
