// Workers, queue and time limits of the transform pool; see TransformPool.h.
//
// One mutex guards the queue, every task's state and the counters: a
// transform takes far longer than the few lines run under it. Each task has
// its own condition variable so a finishing job wakes only its own caller.
#include "birdgate/plugin/TransformPool.h"

#include "birdgate/common/ThreadAnnotations.h"

#include <Poco/Logger.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <utility>

namespace birdgate
{

struct TransformPool::Task
{
    Job job;
    bool started = false;   // a worker took it from the queue
    bool finished = false;  // outcome, result and error are final
    bool abandoned = false; // the caller timed out while it ran
    Outcome outcome = Outcome::Ok;
    std::string result;
    std::string error;
    std::condition_variable done;
};

struct TransformPool::State
{
    std::mutex mutex;
    std::condition_variable work;   // workers: a task was queued, or stop
    std::condition_variable exited; // stop(): a worker left its loop
    std::deque<std::shared_ptr<Task>> queue BIRDGATE_GUARDED_BY(mutex);
    std::size_t capacity = 0; // fixed after construction
    unsigned threads = 0;     // fixed after construction
    bool stopping BIRDGATE_GUARDED_BY(mutex) = false;
    std::vector<bool> workerExited BIRDGATE_GUARDED_BY(mutex);
    Stats stats BIRDGATE_GUARDED_BY(mutex);
};

TransformPool::TransformPool(unsigned threads, std::size_t queueCapacity)
    : _threads(threads ? threads : std::max(1u, std::thread::hardware_concurrency())), _state(std::make_shared<State>())
{
    _state->threads = _threads;
    _state->capacity = queueCapacity ? queueCapacity : 64 * static_cast<std::size_t>(_threads);
    _state->stats.threads = _threads;
    _state->workerExited.assign(_threads, false);
    try
    {
        for (unsigned i = 0; i < _threads; ++i) _workers.emplace_back(&TransformPool::work, _state, i);
    }
    catch (...)
    {
        // The destructor will not run: take down the workers already started.
        for (unsigned i = static_cast<unsigned>(_workers.size()); i < _threads; ++i) _state->workerExited[i] = true;
        stop();
        throw;
    }
}

TransformPool::~TransformPool()
{
    stop();
}

TransformPool::Outcome TransformPool::run(Job job, std::chrono::milliseconds timeout, std::string& result,
                                          std::string& error)
{
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    auto task = std::make_shared<Task>();
    task->job = std::move(job);

    State& state = *_state;
    std::unique_lock<std::mutex> lock(state.mutex);
    if (state.stopping || state.stats.stuck >= state.threads || state.queue.size() >= state.capacity)
    {
        ++state.stats.overloaded;
        if (state.stopping)
            error = "the transform pool is stopped";
        else if (state.stats.stuck >= state.threads)
            error = "all " + std::to_string(state.threads) + " transform threads are stuck in jobs that timed out";
        else
            error = "the transform queue is full (" + std::to_string(state.capacity) + " jobs waiting)";
        return Outcome::Overloaded;
    }
    state.queue.push_back(task);
    state.stats.queued = state.queue.size();
    state.work.notify_one();

    if (!task->done.wait_until(lock, deadline, [&] { return task->finished; }))
    {
        if (!task->started)
        {
            // Nobody picked it up in time: drop it so it never runs for nobody.
            state.queue.erase(std::find(state.queue.begin(), state.queue.end(), task));
            state.stats.queued = state.queue.size();
        }
        else
        {
            // Its worker cannot be interrupted; it is stuck until the job returns.
            task->abandoned = true;
            ++state.stats.stuck;
        }
        ++state.stats.timedOut;
        error = "timed out after " + std::to_string(timeout.count()) + " ms";
        return Outcome::TimedOut;
    }

    switch (task->outcome)
    {
    case Outcome::Ok:
        ++state.stats.completed;
        result = std::move(task->result);
        break;
    case Outcome::Failed:
        ++state.stats.failed;
        error = std::move(task->error);
        break;
    case Outcome::TimedOut:
        ++state.stats.timedOut;
        error = std::move(task->error);
        break;
    case Outcome::Overloaded:
        ++state.stats.overloaded;
        error = std::move(task->error);
        break;
    }
    return task->outcome;
}

void TransformPool::work(std::shared_ptr<State> statePtr, unsigned index)
{
    State& state = *statePtr;
    std::unique_lock<std::mutex> lock(state.mutex);
    for (;;)
    {
        state.work.wait(lock, [&] { return state.stopping || !state.queue.empty(); });
        if (state.stopping) break;

        std::shared_ptr<Task> task = std::move(state.queue.front());
        state.queue.pop_front();
        state.stats.queued = state.queue.size();
        task->started = true;
        ++state.stats.busy;
        lock.unlock();

        Outcome outcome = Outcome::Ok;
        std::string result;
        std::string error;
        try
        {
            result = task->job();
        }
        catch (const std::exception& e)
        {
            outcome = Outcome::Failed;
            error = e.what();
        }
        catch (...)
        {
            outcome = Outcome::Failed;
            error = "unknown exception";
        }
        // Release what the job captured now, not when the caller lets go.
        task->job = nullptr;

        lock.lock();
        --state.stats.busy;
        task->finished = true;
        if (task->abandoned)
        {
            --state.stats.stuck; // its caller is long gone: the result goes nowhere
        }
        else
        {
            task->outcome = outcome;
            task->result = std::move(result);
            task->error = std::move(error);
            task->done.notify_one();
        }
    }
    state.workerExited[index] = true;
    state.exited.notify_all();
}

void TransformPool::stop(std::chrono::milliseconds grace)
{
    if (_workers.empty()) return;
    State& state = *_state;
    std::vector<bool> exited;
    {
        std::unique_lock<std::mutex> lock(state.mutex);
        state.stopping = true;
        for (auto& task : state.queue)
        {
            task->finished = true;
            task->outcome = Outcome::Overloaded;
            task->error = "the transform pool stopped before the job ran";
            task->done.notify_one();
        }
        state.queue.clear();
        state.stats.queued = 0;
        state.work.notify_all();
        state.exited.wait_for(lock, grace, [&] {
            return std::all_of(state.workerExited.begin(), state.workerExited.end(), [](bool e) { return e; });
        });
        exited = state.workerExited;
    }
    for (std::size_t i = 0; i < _workers.size(); ++i)
    {
        if (!_workers[i].joinable()) continue;
        if (exited[i])
        {
            _workers[i].join();
        }
        else
        {
            // Joining would wait for a job that may never return; the thread
            // keeps the shared state alive by itself.
            Poco::Logger::get("birdgate.transform")
                .warning("transform worker " + std::to_string(i) + " still runs a job " +
                         std::to_string(grace.count()) + " ms after shutdown began; detaching it");
            _workers[i].detach();
        }
    }
    _workers.clear();
}

TransformPool::Stats TransformPool::stats() const
{
    std::lock_guard<std::mutex> lock(_state->mutex);
    return _state->stats;
}

} // namespace birdgate
