// The Beast upstream pool; see UpstreamPool.h for its rules.
//
// Shape: every exchange is open(): take or open a connection, write the
// request, read the head into a BeastAnswer; send() drains that answer into
// a string. So retry, framing and closing rules live in one place.
//
// Idle connections are keyed by (the caller's execution context, scheme,
// host, port): a socket belongs to the io_context it was made on, and the
// server runs one io_context per I/O thread. A small Asio service in each
// such context drops that context's idle connections when it shuts down, so
// no socket outlives its io_context (sendBlocking's private one included).
#include "birdgate/twitter/UpstreamPool.h"

#include "twitter/UpstreamConnection.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/execution_context.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <limits>
#include <map>
#include <mutex>
#include <vector>

namespace birdgate
{
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using upstream::Connection;

namespace
{
/// Largest piece next() hands over.
constexpr std::size_t PIECE = 64 * 1024;

std::string keyOf(const UpstreamTarget& target)
{
    return target.scheme + "://" + target.host + ":" + std::to_string(target.port);
}

[[noreturn]] void fail(const beast::error_code& ec, const std::string& key, const char* what)
{
    if (ec == beast::error::timeout) throw UpstreamTimeout("upstream " + key + " did not answer in time");
    throw UpstreamUnreachable("upstream " + key + " unreachable (" + what + "): " + ec.message());
}

bool repeatable(const std::string& method)
{
    // A POST or PATCH may have been acted on (statuses/update would tweet
    // twice): never sent again.
    return method == "GET" || method == "HEAD" || method == "PUT" || method == "DELETE" || method == "OPTIONS";
}

struct PoolState;

/// Lives in each execution context the pool has parked a connection for;
/// when the context shuts down, its idle connections are closed.
class ContextWatch : public asio::execution_context::service
{
  public:
    static inline asio::execution_context::id id;

    explicit ContextWatch(asio::execution_context& context) : service(context) {}

    void watch(const std::shared_ptr<PoolState>& state);

  private:
    void shutdown() override;

    std::mutex _mutex;
    std::vector<std::weak_ptr<PoolState>> _pools; // guarded by _mutex
};

struct PoolState : std::enable_shared_from_this<PoolState>
{
    using Key = std::pair<asio::execution_context*, std::string>;

    explicit PoolState(std::size_t maxIdle) : maxIdle(maxIdle) {}

    const std::size_t maxIdle;
    mutable std::mutex mutex;
    std::map<Key, std::vector<std::unique_ptr<Connection>>> idle; // guarded by mutex

    /// An idle connection that is still quiet, or nullptr.
    std::unique_ptr<Connection> take(asio::execution_context& context, const std::string& key)
    {
        std::vector<std::unique_ptr<Connection>> stale; // closed outside the lock
        std::unique_ptr<Connection> found;
        {
            std::lock_guard<std::mutex> lock(mutex);
            auto it = idle.find({&context, key});
            while (it != idle.end() && !it->second.empty())
            {
                std::unique_ptr<Connection> c = std::move(it->second.back());
                it->second.pop_back();
                if (c->quiet())
                {
                    found = std::move(c);
                    break;
                }
                stale.push_back(std::move(c));
            }
            if (it != idle.end() && it->second.empty()) idle.erase(it);
        }
        return found;
    }

    /// Parks a connection whose answer was read to its end.
    void give(asio::execution_context& context, const std::string& key, std::unique_ptr<Connection> conn)
    {
        // Bytes past the answer already read: never reused. The socket itself
        // is asked once, when the connection is taken again (take()): bytes
        // or a close arriving in between are caught there, so asking here too
        // would cost every request a second poll(2) for nothing.
        if (!conn->quiet(false)) return;
        conn->tcp().expires_never();
        asio::use_service<ContextWatch>(context).watch(shared_from_this());
        std::lock_guard<std::mutex> lock(mutex);
        auto& list = idle[{&context, key}];
        if (list.size() < maxIdle)
            list.push_back(std::move(conn));
        else
        {
            // Over the bound: close it (after the lock is released would be
            // nicer, but closing an idle socket does not block).
            conn.reset();
        }
    }

    /// Closes every idle connection of a context that is going away.
    void forget(asio::execution_context& context)
    {
        std::vector<std::unique_ptr<Connection>> closing;
        std::lock_guard<std::mutex> lock(mutex);
        for (auto it = idle.begin(); it != idle.end();)
        {
            if (it->first.first == &context)
            {
                for (auto& c : it->second) closing.push_back(std::move(c));
                it = idle.erase(it);
            }
            else
                ++it;
        }
    }

    std::size_t count() const
    {
        std::lock_guard<std::mutex> lock(mutex);
        std::size_t n = 0;
        for (const auto& [k, v] : idle) n += v.size();
        return n;
    }
};

void ContextWatch::watch(const std::shared_ptr<PoolState>& state)
{
    std::lock_guard<std::mutex> lock(_mutex);
    std::erase_if(_pools, [](const std::weak_ptr<PoolState>& p) { return p.expired(); });
    for (const auto& p : _pools)
        if (p.lock() == state) return;
    _pools.push_back(state);
}

void ContextWatch::shutdown()
{
    std::vector<std::weak_ptr<PoolState>> pools;
    {
        std::lock_guard<std::mutex> lock(_mutex);
        pools.swap(_pools);
    }
    for (const auto& p : pools)
        if (auto state = p.lock()) state->forget(context());
}

/// An answer being read on a connection it owns. Reaching the end of the
/// body gives the connection back to the pool (when the upstream keeps it
/// and nothing follows the answer); any error or an early destruction
/// closes it.
class BeastAnswer final : public UpstreamAnswer
{
  public:
    BeastAnswer(std::shared_ptr<PoolState> state, asio::execution_context& context, std::string key,
                std::unique_ptr<Connection> conn, UpstreamLimits limits, bool head)
        : _state(std::move(state)), _context(context), _key(std::move(key)), _conn(std::move(conn)), _limits(limits),
          _head(head)
    {
    }

    Task<beast::error_code> write(const http::request<http::string_body>& request)
    {
        beast::error_code ec;
        _conn->tcp().expires_after(_limits.timeout);
        co_await _conn->visit([&](auto& stream) {
            return http::async_write(stream, request, asio::redirect_error(asio::use_awaitable, ec));
        });
        co_return ec;
    }

    /// Reads the status line and headers (skipping 1xx interim answers).
    /// `gotSome`: whether any byte of an answer arrived.
    Task<beast::error_code> readHead(bool& gotSome)
    {
        beast::error_code ec;
        for (;;)
        {
            _parser.emplace();
            // 64-bit lengths; send() applies max_answer itself. Not
            // boost::none: Boost 1.74 compares `len > none` as true (body_limit).
            _parser->body_limit(std::numeric_limits<std::uint64_t>::max());
            _parser->header_limit(64 * 1024);
            if (_head) _parser->skip(true);
            _conn->tcp().expires_after(_limits.timeout);
            co_await _conn->visit([&](auto& stream) {
                return http::async_read_header(stream, _conn->buffer, *_parser,
                                               asio::redirect_error(asio::use_awaitable, ec));
            });
            gotSome = gotSome || _parser->got_some();
            if (ec) co_return ec;
            int code = _parser->get().result_int();
            if (code < 100 || code >= 200 || code == 101) break;
        }
        const auto& message = _parser->get();
        status = message.result_int();
        reason = std::string(message.reason());
        for (const auto& field : message)
            headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
        if (auto n = _parser->content_length()) contentLength = *n;
        if (_parser->is_done()) finish();
        co_return ec;
    }

    Task<std::optional<std::string>> next() override
    {
        if (!_conn) co_return std::nullopt; // read to its end
        // No bigger than what is left of a known length: most API answers
        // are a few KB, and a zero-filled 64 KB buffer per answer showed up
        // in the profile of every proxied request.
        std::size_t size = PIECE;
        if (auto left = _parser->content_length_remaining(); left && *left > 0 && *left < size)
            size = static_cast<std::size_t>(*left);
        std::string piece(size, '\0');
        for (;;)
        {
            auto& body = _parser->get().body();
            body.data = piece.data();
            body.size = piece.size();
            beast::error_code ec;
            _conn->tcp().expires_after(_limits.timeout);
            co_await _conn->visit([&](auto& stream) {
                return http::async_read_some(stream, _conn->buffer, *_parser,
                                             asio::redirect_error(asio::use_awaitable, ec));
            });
            if (ec == http::error::need_buffer) ec = {};
            if (ec)
            {
                // Truncated (partial_message), a bad chunk, a reset or a
                // timeout: the connection is closed, never reused.
                _conn.reset();
                fail(ec, _key, "reading the answer");
            }
            std::size_t got = piece.size() - body.size;
            body.data = nullptr;
            body.size = 0;
            bool done = _parser->is_done();
            if (done) finish();
            if (got > 0)
            {
                piece.resize(got);
                co_return piece;
            }
            if (done) co_return std::nullopt;
        }
    }

  private:
    void finish()
    {
        std::unique_ptr<Connection> conn = std::move(_conn);
        if (_parser->keep_alive()) _state->give(_context, _key, std::move(conn));
    }

    std::shared_ptr<PoolState> _state;
    asio::execution_context& _context;
    std::string _key;
    std::unique_ptr<Connection> _conn; // null once the answer was read to its end
    UpstreamLimits _limits;
    bool _head;
    std::optional<http::response_parser<http::buffer_body>> _parser;
};

http::request<http::string_body> wireRequest(const UpstreamTarget& target, UpstreamRequest& request)
{
    http::request<http::string_body> wire;
    wire.version(11);
    wire.method_string(request.method);
    wire.target(request.target);
    bool defaultPort = target.port <= 0 || (target.scheme == "https" && target.port == 443) ||
                       (target.scheme == "http" && target.port == 80);
    wire.set(http::field::host, defaultPort ? target.host : target.host + ":" + std::to_string(target.port));
    for (const auto& h : request.headers)
    {
        // Framing is the pool's: the caller's Host, length or encoding would contradict it.
        if (iequals(h.name, "Host") || iequals(h.name, "Content-Length") || iequals(h.name, "Transfer-Encoding") ||
            iequals(h.name, "Connection"))
            continue;
        wire.insert(h.name, h.value);
    }
    wire.body() = std::move(request.body);
    wire.keep_alive(true);
    wire.prepare_payload();
    return wire;
}
} // namespace

struct UpstreamPool::Impl
{
    std::shared_ptr<PoolState> state;

    /// Connection, request, head: retried once on a fresh connection when a
    /// reused one fails before any byte of the answer and the method may be
    /// repeated.
    Task<std::unique_ptr<BeastAnswer>> exchange(UpstreamTarget target, UpstreamRequest request, UpstreamLimits limits)
    {
        auto executor = co_await asio::this_coro::executor;
        asio::execution_context& context = asio::query(executor, asio::execution::context);
        const std::string key = keyOf(target);
        const bool retry = repeatable(request.method);
        const bool head = request.method == "HEAD";
        const http::request<http::string_body> wire = wireRequest(target, request);
        for (int attempt = 0;; ++attempt)
        {
            std::unique_ptr<Connection> conn = state->take(context, key);
            const bool reused = conn != nullptr;
            if (!conn) conn = co_await Connection::open(target, limits.timeout);
            auto answer = std::make_unique<BeastAnswer>(state, context, key, std::move(conn), limits, head);
            bool gotSome = false;
            beast::error_code ec = co_await answer->write(wire);
            const char* step = "sending the request";
            if (!ec)
            {
                step = "reading the answer";
                ec = co_await answer->readHead(gotSome);
            }
            if (!ec) co_return answer;
            answer.reset(); // closes the connection
            if (reused && !gotSome && retry && attempt == 0 && ec != beast::error::timeout) continue;
            fail(ec, key, step);
        }
    }
};

UpstreamPool::UpstreamPool(std::size_t maxIdlePerTarget)
    : _impl(std::make_unique<Impl>(Impl{std::make_shared<PoolState>(maxIdlePerTarget)}))
{
}

UpstreamPool::~UpstreamPool() = default;

Task<std::unique_ptr<UpstreamAnswer>> UpstreamPool::open(const UpstreamTarget& target, UpstreamRequest request,
                                                         UpstreamLimits limits)
{
    co_return co_await _impl->exchange(target, std::move(request), limits);
}

Task<UpstreamResponse> UpstreamPool::send(const UpstreamTarget& target, UpstreamRequest request, UpstreamLimits limits)
{
    std::unique_ptr<BeastAnswer> answer = co_await _impl->exchange(target, std::move(request), limits);
    const std::string key = keyOf(target);
    if (answer->contentLength && *answer->contentLength > limits.maxAnswer)
        throw UpstreamTooLarge("upstream " + key + ": answer of " + std::to_string(*answer->contentLength) +
                               " bytes is over the limit");
    UpstreamResponse response;
    response.status = answer->status;
    response.reason = std::move(answer->reason);
    response.headers = std::move(answer->headers);
    while (std::optional<std::string> piece = co_await answer->next())
    {
        if (response.body.size() + piece->size() > limits.maxAnswer)
            throw UpstreamTooLarge("upstream " + key + ": answer over " + std::to_string(limits.maxAnswer) +
                                   " bytes"); // `answer` goes: the connection is closed
        if (response.body.empty())
            response.body = std::move(*piece); // the usual one-piece answer: no copy
        else
            response.body += *piece;
    }
    co_return response;
}

UpstreamResponse UpstreamPool::sendBlocking(const UpstreamTarget& target, UpstreamRequest request,
                                            UpstreamLimits limits)
{
    // Connections made here are parked under this io_context and closed
    // with it (ContextWatch): a blocking caller gets no keep-alive.
    asio::io_context context;
    std::exception_ptr error;
    std::optional<UpstreamResponse> result;
    asio::co_spawn(context, send(target, std::move(request), limits), [&](std::exception_ptr e, UpstreamResponse r) {
        if (e)
            error = e;
        else
            result = std::move(r);
    });
    context.run();
    if (error) std::rethrow_exception(error);
    return std::move(*result);
}

std::size_t UpstreamPool::idleCount() const
{
    return _impl->state->count();
}

} // namespace birdgate
