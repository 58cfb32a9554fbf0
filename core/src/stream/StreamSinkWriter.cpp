// StreamSinkWriter; see StreamSinkWriter.h.
#include "stream/StreamSinkWriter.h"

#include "birdgate/plugin/SinkInstance.h"

#include <Poco/Logger.h>

namespace birdgate
{

StreamSinkWriter::StreamSinkWriter(std::string name, WriteFn write, FlushFn flush, std::shared_ptr<void> owner)
    : _name(std::move(name)), _write(std::move(write)), _flush(std::move(flush)), _owner(std::move(owner))
{
}

std::unique_ptr<StreamSinkWriter> StreamSinkWriter::fromInstance(std::shared_ptr<SinkInstance> sink)
{
    SinkInstance* raw = sink.get();
    return std::make_unique<StreamSinkWriter>(
        raw->name(), [raw](std::string_view message) { return raw->write(message); },
        [raw](bool sync) { return raw->flush(sync); }, std::move(sink));
}

StreamSinkWriter::Outcome StreamSinkWriter::write(std::string_view message, Clock& clock, std::stop_token stop,
                                                  StreamCounters& counters, const std::string& logPrefix)
{
    Poco::Logger& log = Poco::Logger::get("birdgate.stream");
    bool stopping = false;
    std::chrono::steady_clock::time_point giveUpAt{};
    for (std::uint64_t attempt = 0;; ++attempt)
    {
        SinkResult r = _write(message);
        if (r.ok())
        {
            if (attempt > 0) log.information("%s: sink %s accepted the message again", logPrefix, _name);
            return Outcome::Written;
        }
        if (r.status == PluginStatus::Error)
        {
            StreamCounters::bump(counters.sinkErrors);
            log.error("%s: sink %s refused a message of %z bytes (dropped): %s", logPrefix, _name, message.size(),
                      r.error);
            return Outcome::Refused;
        }
        StreamCounters::bump(counters.sinkRetries);
        // The first refusal and then one line a minute or so: a full disk
        // must not also fill the log.
        if (attempt == 0 || attempt % 600 == 0)
            log.warning("%s: sink %s asks to retry (%s); keeping the message and retrying every %s ms", logPrefix,
                        _name, r.error, std::to_string(retryWait.count()));
        if (!stopping && stop.stop_requested())
        {
            stopping = true;
            giveUpAt = clock.steadyNow() + stopGrace;
        }
        if (stopping)
        {
            if (clock.steadyNow() >= giveUpAt)
            {
                StreamCounters::bump(counters.sinkLost);
                log.error("%s: sink %s still refuses a message of %z bytes at shutdown: lost", logPrefix, _name,
                          message.size());
                return Outcome::Lost;
            }
            // An unstoppable token: this wait is the grace period itself.
            clock.sleepFor(std::min(retryWait, std::chrono::milliseconds(50)), std::stop_token{});
        }
        else
        {
            clock.sleepFor(retryWait, stop);
        }
    }
}

bool StreamSinkWriter::flush(bool sync, const std::string& logPrefix)
{
    SinkResult r = _flush(sync);
    if (!r.ok())
        Poco::Logger::get("birdgate.stream")
            .warning("%s: sink %s: flush%s failed: %s", logPrefix, _name, std::string(sync ? " with sync" : ""),
                     r.error);
    return r.ok();
}

} // namespace birdgate
