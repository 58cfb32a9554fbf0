// WorkerPool; see WorkerPool.h.
#include "birdgate/common/WorkerPool.h"

#include <algorithm>

namespace birdgate
{

WorkerPool::WorkerPool(unsigned threads) : _threads(std::max(1u, threads)), _pool(_threads) {}

WorkerPool::~WorkerPool()
{
    stop();
}

void WorkerPool::stop()
{
    _pool.join();
}

} // namespace birdgate
