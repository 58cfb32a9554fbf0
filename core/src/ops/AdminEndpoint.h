// The admin listener's three paths (DESIGN.md 7, `app.admin`), served by a
// second HttpServer that shares nothing with the public one but the code:
//
//   GET /healthz   200 "ok" while the process serves
//   GET /readyz    200 [] when the public listener is up, the store answers and
//                  every start-up stream is connected; else 503 and a JSON list
//                  naming each listener, store or stream that is not ready:
//                  [{"kind":"stream","name":"tweets","why":"connecting"}]
//   GET /metrics   Prometheus text format 0.0.4 (Metrics::render)
//
// It knows nothing of the Gateway: what it reports comes through Probes,
// callbacks the Gateway fills. The store probe is the only one that blocks,
// so it runs on the worker pool with a short time limit; while one probe is
// still out (a hung store) the next /readyz does not queue another one behind
// it but reports the store as not ready.
#pragma once

#include "birdgate/ops/Metrics.h"
#include "birdgate/server/Endpoint.h"

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace birdgate
{

class Store;
class WorkerPool;

class AdminEndpoint : public Endpoint
{
  public:
    /// One thing that is not ready.
    struct NotReady
    {
        std::string kind; // listener | store | stream
        std::string name; // "public", the store URL's scheme, the schedule entry's name
        std::string why;
    };

    struct Probes
    {
        std::function<Metrics::Sample()> sample;      // gauges read at scrape time
        std::function<std::vector<NotReady>()> check; // listener and streams (cheap, non-blocking)
        std::shared_ptr<Store> store;                 // null: not probed
        std::shared_ptr<WorkerPool> workers;          // runs the store probe
        std::string storeName = "store";              // NotReady::name for the store
        std::chrono::milliseconds storeTimeout{2000};
    };

    AdminEndpoint(std::shared_ptr<Metrics> metrics, Probes probes);

    Task<void> serve(Request& request, Answer& answer, const RouteMatch& match) override;

    /// The paths it serves ("/healthz", "/readyz", "/metrics").
    static const std::vector<std::string>& paths();

    /// The /readyz body for `notReady` (a JSON list, "[]" when empty).
    static std::string readyJson(const std::vector<NotReady>& notReady);

  private:
    /// "" when the store answered in time, else why not.
    Task<std::string> probeStore();

    std::shared_ptr<Metrics> _metrics;
    Probes _probes;
    std::shared_ptr<std::atomic<bool>> _probing = std::make_shared<std::atomic<bool>>(false);
};

} // namespace birdgate
