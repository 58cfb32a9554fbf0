// AdminEndpoint; see AdminEndpoint.h.
#include "ops/AdminEndpoint.h"

#include "birdgate/common/HttpErrors.h"
#include "birdgate/common/WorkerPool.h"
#include "birdgate/session/Store.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace birdgate
{
namespace asio = boost::asio;

namespace
{
/// What one store probe shares with the request that waits for it. The
/// admin listener runs one I/O thread, and both coroutines resume on it.
struct ProbeState
{
    explicit ProbeState(const asio::any_io_executor& executor) : timer(executor) {}
    asio::steady_timer timer; // cancelled when the probe ends
    bool done = false;
    std::string error;
};

// g++ 12: see the note in TwitterRESTHandler.cpp on -Wmismatched-new-delete.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
Task<void> runProbe(std::shared_ptr<ProbeState> state, std::shared_ptr<Store> store,
                    std::shared_ptr<WorkerPool> workers, std::shared_ptr<std::atomic<bool>> probing)
{
    try
    {
        // A read of a key nobody writes: the cheapest round trip the
        // interface offers (SQLite: one indexed SELECT; Redis: one GET).
        // Named: g++ 12 mishandles class temporaries in a co_await expression.
        const auto probe = [store] { return store->get("birdgate", "readyz-probe").has_value(); };
        co_await workers->run(probe);
    }
    catch (const std::exception& e)
    {
        state->error = e.what();
        if (state->error.empty()) state->error = "the store failed";
    }
    state->done = true;
    state->timer.cancel();
    probing->store(false);
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
} // namespace

AdminEndpoint::AdminEndpoint(std::shared_ptr<Metrics> metrics, Probes probes)
    : _metrics(std::move(metrics)), _probes(std::move(probes))
{
}

const std::vector<std::string>& AdminEndpoint::paths()
{
    static const std::vector<std::string> p{"/healthz", "/readyz", "/metrics"};
    return p;
}

std::string AdminEndpoint::readyJson(const std::vector<NotReady>& notReady)
{
    std::string out = "[";
    for (std::size_t i = 0; i < notReady.size(); ++i)
    {
        if (i) out.push_back(',');
        out += "{\"kind\":";
        jsonQuoteTo(out, notReady[i].kind);
        out += ",\"name\":";
        jsonQuoteTo(out, notReady[i].name);
        out += ",\"why\":";
        jsonQuoteTo(out, notReady[i].why);
        out.push_back('}');
    }
    out += "]\n";
    return out;
}

Task<std::string> AdminEndpoint::probeStore()
{
    if (!_probes.store || !_probes.workers) co_return std::string();
    bool idle = false;
    if (!_probing->compare_exchange_strong(idle, true)) co_return std::string("an earlier probe has not answered yet");
    auto executor = co_await asio::this_coro::executor;
    auto state = std::make_shared<ProbeState>(executor);
    state->timer.expires_after(_probes.storeTimeout);
    asio::co_spawn(executor, runProbe(state, _probes.store, _probes.workers, _probing), asio::detached);
    boost::system::error_code ec;
    co_await state->timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    if (!state->done) co_return "no answer within " + std::to_string(_probes.storeTimeout.count()) + " ms";
    co_return state->error;
}

Task<void> AdminEndpoint::serve(Request& request, Answer& answer, const RouteMatch& match)
{
    answer.set("Cache-Control", "no-store");
    if (request.method != "GET" && request.method != "HEAD")
    {
        answer.set("Allow", "GET, HEAD");
        fillJsonError(answer, 405, "method " + request.method + " not allowed here");
        co_return;
    }
    const std::string& path = match.path;
    if (path == "/healthz")
    {
        answer.send(200, "text/plain; charset=utf-8", "ok\n");
        co_return;
    }
    if (path == "/metrics")
    {
        answer.send(200, Metrics::CONTENT_TYPE,
                    _metrics->render(_probes.sample ? _probes.sample() : Metrics::Sample{}));
        co_return;
    }
    if (path == "/readyz")
    {
        std::vector<NotReady> notReady;
        if (_probes.check) notReady = _probes.check();
        std::string storeError = co_await probeStore();
        if (!storeError.empty()) notReady.push_back(NotReady{"store", _probes.storeName, std::move(storeError)});
        answer.send(notReady.empty() ? 200 : 503, "application/json; charset=utf-8", readyJson(notReady));
        co_return;
    }
    fillJsonError(answer, 404, "no admin path " + path);
}

} // namespace birdgate
