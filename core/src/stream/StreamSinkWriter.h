// Hands each tweet of a stream to its sink (DESIGN.md 5) so that nothing
// received is lost or written twice.
//
// A sink answers OK, RETRY (transient: disk full, file size limit; nothing of
// the message was written) or ERROR (the sink refuses this message for good).
// RETRY keeps the same message and tries again after a short wait, for as
// long as the stream runs: a full disk stalls the stream (Twitter will
// eventually disconnect a consumer that falls behind) rather than dropping
// tweets. Once stop is requested the message gets a last grace period, then
// is counted as lost, so SIGTERM still ends within its budget. ERROR is
// logged and counted and the message dropped.
//
// The sink is two functions rather than a SinkInstance so the unit tests can
// stand in a sink that answers RETRY or ERROR on demand; fromInstance() binds
// a plugin's sink.
#pragma once

#include "birdgate/common/Clock.h"
#include "birdgate/plugin/PluginResult.h"
#include "stream/StreamCounters.h"

#include <chrono>
#include <functional>
#include <memory>
#include <stop_token>
#include <string>
#include <string_view>

namespace birdgate
{

class SinkInstance;

class StreamSinkWriter
{
  public:
    using WriteFn = std::function<SinkResult(std::string_view message)>;
    using FlushFn = std::function<SinkResult(bool sync)>;

    enum class Outcome
    {
        Written,
        Refused, // ERROR: dropped, counted in sinkErrors
        Lost     // still RETRY when the stop grace period ran out: counted in sinkLost
    };

    /// `name` is the sink's "plugin.export" (for the log); `owner` keeps
    /// whatever the functions point into alive (e.g. the SinkInstance).
    StreamSinkWriter(std::string name, WriteFn write, FlushFn flush, std::shared_ptr<void> owner = {});

    /// Binds a plugin sink; destroying the writer releases it (SinkInstance's
    /// destructor flushes with sync, then destroys the plugin's instance).
    static std::unique_ptr<StreamSinkWriter> fromInstance(std::shared_ptr<SinkInstance> sink);

    /// Writes one whole message, retrying RETRY answers every `retryWait`
    /// (through `clock`, interrupted by `stop`), updating `counters`.
    /// `logPrefix` starts each log line ("stream NAME").
    Outcome write(std::string_view message, Clock& clock, std::stop_token stop, StreamCounters& counters,
                  const std::string& logPrefix);

    /// flush(sync) of the sink; a failure is logged, not thrown.
    bool flush(bool sync, const std::string& logPrefix);

    const std::string& name() const { return _name; }

    std::chrono::milliseconds retryWait{100};
    /// After stop was requested, how long a RETRY-ing message is still tried.
    std::chrono::milliseconds stopGrace{1000};

  private:
    std::string _name;
    WriteFn _write;
    FlushFn _flush;
    std::shared_ptr<void> _owner;
};

} // namespace birdgate
