// StreamCounters; see StreamCounters.h.
#include "stream/StreamCounters.h"

namespace birdgate
{

namespace
{
std::uint64_t load(const std::atomic<std::uint64_t>& counter)
{
    return counter.load(std::memory_order_relaxed);
}
} // namespace

StreamCounters::Snapshot StreamCounters::snapshot() const
{
    Snapshot s;
    s.tweets = load(tweets);
    s.deletes = load(deletes);
    s.limits = load(limits);
    s.limitDropped = load(limitDropped);
    s.warnings = load(warnings);
    s.disconnects = load(disconnects);
    s.controls = load(controls);
    s.notJson = load(notJson);
    s.errors = load(errors);
    s.duplicates = load(duplicates);
    s.framingErrors = load(framingErrors);
    s.keepAlives = load(keepAlives);
    s.bytes = load(bytes);
    s.sinkRetries = load(sinkRetries);
    s.sinkErrors = load(sinkErrors);
    s.sinkLost = load(sinkLost);
    s.connections = load(connections);
    s.reconnectsNetwork = load(reconnectsNetwork);
    s.reconnectsStall = load(reconnectsStall);
    s.reconnectsHttp = load(reconnectsHttp);
    s.reconnectsRateLimit = load(reconnectsRateLimit);
    s.currentWaitMs = currentWaitMs.load(std::memory_order_relaxed);
    s.lastStatus = lastStatus.load(std::memory_order_relaxed);
    s.state = state.load(std::memory_order_relaxed);
    return s;
}

std::string StreamCounters::Snapshot::summary() const
{
    auto n = [](std::uint64_t v) { return std::to_string(v); };
    std::string out = "tweets=" + n(tweets) + " deletes=" + n(deletes) + " limits=" + n(limits) +
                      " dropped_by_twitter=" + n(limitDropped) + " warnings=" + n(warnings) +
                      " disconnects=" + n(disconnects) + " not_json=" + n(notJson) + " bytes=" + n(bytes) +
                      " connections=" + n(connections) + " reconnects=network:" + n(reconnectsNetwork) +
                      "(stall:" + n(reconnectsStall) + "),http:" + n(reconnectsHttp) +
                      ",rate-limit:" + n(reconnectsRateLimit);
    if (sinkRetries || sinkErrors || sinkLost)
        out += " sink_retries=" + n(sinkRetries) + " sink_errors=" + n(sinkErrors) + " sink_lost=" + n(sinkLost);
    if (controls) out += " controls=" + n(controls);
    if (errors) out += " errors=" + n(errors);
    if (duplicates) out += " duplicates=" + n(duplicates);
    if (keepAlives) out += " keep_alives=" + n(keepAlives);
    if (framingErrors) out += " framing_errors=" + n(framingErrors);
    return out;
}

const char* StreamCounters::stateName(State state)
{
    switch (state)
    {
    case State::Idle:
        return "idle";
    case State::Resolving:
        return "resolving";
    case State::Connecting:
        return "connecting";
    case State::Streaming:
        return "streaming";
    case State::Waiting:
        return "waiting";
    case State::Stopped:
        return "stopped";
    case State::Failed:
        return "failed";
    }
    return "unknown";
}

} // namespace birdgate
