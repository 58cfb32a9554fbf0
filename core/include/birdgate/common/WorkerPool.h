// The pool for anything that blocks (DESIGN.md 1: SQLite, Redis, plugins,
// file writes): `co_await workers.run(fn)` runs fn on one of `app.workers`
// threads and resumes the awaiting coroutine on its own executor with fn's
// result, or fn's exception rethrown. I/O threads never block on such work;
// the coroutine's frame holds the request meanwhile, no thread does.
#pragma once

#include "birdgate/common/Task.h"

#include <boost/asio/async_result.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <exception>
#include <optional>
#include <type_traits>

namespace birdgate
{

class WorkerPool
{
  public:
    explicit WorkerPool(unsigned threads);
    ~WorkerPool();

    WorkerPool(const WorkerPool&) = delete;
    WorkerPool& operator=(const WorkerPool&) = delete;

    unsigned size() const { return _threads; }

    /// Runs `fn()` on a worker; the result (or exception) comes back on the
    /// awaiting coroutine's executor.
    template <class F, class R = std::invoke_result_t<F>> Task<R> run(F fn)
    {
        if constexpr (std::is_void_v<R>)
        {
            co_await runImpl<Empty>([fn = std::move(fn)]() mutable {
                fn();
                return Empty{};
            });
        }
        else
        {
            co_return co_await runImpl<R>(std::move(fn));
        }
    }

    /// Waits for queued work to finish and joins the threads.
    void stop();

  private:
    struct Empty
    {
    };

    template <class R, class F> Task<R> runImpl(F fn)
    {
        std::optional<R> result = co_await boost::asio::async_initiate<const boost::asio::use_awaitable_t<>&,
                                                                       void(std::exception_ptr, std::optional<R>)>(
            [this](auto handler, F work) {
                auto guard = boost::asio::make_work_guard(handler);
                boost::asio::post(_pool, [work = std::move(work), handler = std::move(handler),
                                          guard = std::move(guard)]() mutable {
                    std::exception_ptr error;
                    std::optional<R> value;
                    try
                    {
                        value.emplace(work());
                    }
                    catch (...)
                    {
                        error = std::current_exception();
                    }
                    auto executor = guard.get_executor();
                    boost::asio::dispatch(executor,
                                          [handler = std::move(handler), error, value = std::move(value)]() mutable {
                                              handler(error, std::move(value));
                                          });
                });
            },
            boost::asio::use_awaitable, std::move(fn));
        co_return std::move(*result);
    }

    unsigned _threads;
    boost::asio::thread_pool _pool;
};

} // namespace birdgate
