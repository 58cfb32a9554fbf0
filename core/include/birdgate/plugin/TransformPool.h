// The bounded pool of threads that runs transforms (DESIGN §3.6).
//
// A server thread hands a job to run() and blocks until the job finishes or
// its time limit passes. Transforms run here rather than on the server
// thread so that a slow or hung plugin costs the request a 500 after the
// timeout instead of holding the server thread for ever, and so that CPU
// work is bounded by `app.transform_threads` whatever the request load.
//
// C++ cannot kill a thread: a job that times out keeps running on its worker
// and its result is thrown away. Such a worker is counted as "stuck" until
// its job returns. A plugin that never returns occupies its worker for the
// rest of the process; when every worker is stuck, run() answers Overloaded
// at once instead of queueing work that nothing will ever pick up.
//
// Because a timed-out job outlives its run() call, a job must own what it
// uses (capture by value or shared_ptr, never references to the caller's
// stack).
//
// The workers share their state through a shared_ptr, so stop() can detach
// a worker whose job will not return (with a log line) without the detached
// thread later touching a destroyed pool.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace birdgate
{

class TransformPool
{
  public:
    enum class Outcome
    {
        Ok,        // the job returned; `result` holds its value
        Failed,    // the job threw; `error` holds the message
        TimedOut,  // the time limit passed (queued or running); any later result is discarded
        Overloaded // queue full, every worker stuck, or pool stopped; the job never ran
    };

    using Job = std::function<std::string()>;

    /// A snapshot for /metrics.
    struct Stats
    {
        unsigned threads = 0;
        std::size_t queued = 0;       // waiting for a worker now
        std::size_t busy = 0;         // workers running a job now (stuck ones included)
        std::size_t stuck = 0;        // workers running a job whose caller gave up
        std::uint64_t completed = 0;  // Ok
        std::uint64_t failed = 0;     // Failed
        std::uint64_t timedOut = 0;   // TimedOut
        std::uint64_t overloaded = 0; // Overloaded
    };

    /// `threads` workers, 0 meaning std::thread::hardware_concurrency()
    /// (at least 1). At most `queueCapacity` jobs wait for a worker, 0
    /// meaning 64 per thread.
    explicit TransformPool(unsigned threads = 0, std::size_t queueCapacity = 0);

    /// stop() with its default grace.
    ~TransformPool();

    TransformPool(const TransformPool&) = delete;
    TransformPool& operator=(const TransformPool&) = delete;

    /// Runs `job` on a worker and waits at most `timeout`, counted from the
    /// call (time in the queue included). On Ok, `result` is the job's value;
    /// otherwise `error` says what happened (the exception's message for
    /// Failed). A job still queued when the time passes is dropped unrun.
    Outcome run(Job job, std::chrono::milliseconds timeout, std::string& result, std::string& error);

    /// Refuses new jobs, fails the queued ones (Overloaded) and joins the
    /// workers. Workers still running a job after `grace` are detached with
    /// a warning, so shutdown is bounded even with a plugin stuck for ever;
    /// a detached job that returns later finds only the shared state, but it
    /// may still use whatever its plugin uses: the process is expected to be
    /// on its way out. Idempotent; call it from one thread.
    void stop(std::chrono::milliseconds grace = std::chrono::seconds(2));

    unsigned threads() const { return _threads; }
    Stats stats() const;

  private:
    struct State;
    struct Task;

    static void work(std::shared_ptr<State> state, unsigned index);

    unsigned _threads;
    std::shared_ptr<State> _state;
    std::vector<std::thread> _workers;
};

} // namespace birdgate
