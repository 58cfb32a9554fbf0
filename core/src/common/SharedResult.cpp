// SharedResult; see SharedResult.h.
#include "birdgate/common/SharedResult.h"

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace birdgate
{

void SharedResult::succeed(std::string value)
{
    finish(std::move(value), nullptr);
}

void SharedResult::fail(std::exception_ptr error)
{
    finish({}, error);
}

void SharedResult::finish(std::string value, std::exception_ptr error)
{
    std::vector<Wakeup> waiters;
    {
        std::lock_guard<std::mutex> lock(_mutex);
        if (_finished) return; // exactly once: a second finish is ignored
        _finished = true;
        _value = value;
        _error = error;
        waiters.swap(_waiters);
    }
    _done.notify_all();
    // Outside the lock: each wakeup only posts to its waiter's executor.
    for (auto& wakeup : waiters) wakeup(error, value);
}

Task<std::string> SharedResult::wait()
{
    // The initiation captures only `this` (the g++ 12 rule of WorkerPool and
    // ResponseCache: coroutine temporaries' captures may be destroyed twice).
    co_return co_await boost::asio::async_initiate<const boost::asio::use_awaitable_t<>&,
                                                   void(std::exception_ptr, std::string)>(
        [this](auto handler) {
            using Handler = decltype(handler);
            auto parked = std::make_shared<Handler>(std::move(handler));
            Wakeup wakeup = [parked](std::exception_ptr error, std::string value) mutable {
                auto executor = boost::asio::get_associated_executor(*parked);
                boost::asio::post(executor, [parked = std::move(parked), error, value = std::move(value)]() mutable {
                    (*parked)(error, std::move(value));
                });
            };
            std::unique_lock<std::mutex> lock(_mutex);
            if (_finished)
            {
                std::exception_ptr error = _error;
                std::string value = _value;
                lock.unlock();
                wakeup(error, std::move(value));
                return;
            }
            _waiters.push_back(std::move(wakeup));
        },
        boost::asio::use_awaitable);
}

std::string SharedResult::waitBlocking()
{
    std::unique_lock<std::mutex> lock(_mutex);
    _done.wait(lock, [&] { return _finished; });
    if (_error) std::rethrow_exception(_error);
    return _value;
}

std::size_t SharedResult::parked() const
{
    std::lock_guard<std::mutex> lock(_mutex);
    return _waiters.size();
}

} // namespace birdgate
