// The long-lived, shared services built once at start-up and handed to every
// Endpoint through its constructor (no globals): the upstream pool today; the
// store, plugin host, transform pool and cache as they arrive.
#pragma once

#include "birdgate/Config.h"
#include "birdgate/UpstreamPool.h"

#include <memory>
#include <string>
#include <vector>

namespace birdgate
{

struct Services
{
    const Config* config = nullptr;
    std::shared_ptr<UpstreamPool> upstreams;
    std::vector<std::string>* warnings = nullptr; // start-up warnings, logged once
};

} // namespace birdgate
