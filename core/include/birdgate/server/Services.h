// The long-lived, shared services built once at start-up and handed to every
// Endpoint through its constructor (no globals): the upstream pool, the store
// of sessions and persisted tokens, the session manager, the plugin host, the
// response cache and the transform pool.
#pragma once

#include "birdgate/config/Config.h"
#include "birdgate/twitter/Upstream.h"

#include <memory>
#include <string>
#include <vector>

namespace birdgate
{

class Store;
class SessionManager;
class PluginHost;
class ResponseCache;
class TransformPool;
class WorkerPool;
class UpstreamPool;

struct Services
{
    const Config* config = nullptr;
    std::shared_ptr<UpstreamPool> upstreams; // Beast, awaited (TwitterClient's)
    std::shared_ptr<WorkerPool> workers;     // app.workers: store, plugins, files
    std::shared_ptr<Store> store;
    std::shared_ptr<SessionManager> sessions;
    std::shared_ptr<PluginHost> plugins;
    std::shared_ptr<ResponseCache> cache;         // in-process, bounded by app.cache.size
    std::shared_ptr<TransformPool> transforms;    // app.transform_threads workers
    std::vector<std::string>* warnings = nullptr; // start-up warnings, logged once
};

} // namespace birdgate
