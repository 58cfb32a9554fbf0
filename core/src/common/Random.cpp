// randomBytes; see Random.h.
#include "birdgate/common/Random.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace birdgate
{

void randomBytes(unsigned char* out, std::size_t size)
{
    constexpr std::size_t POOL = 4096;
    thread_local unsigned char pool[POOL];
    thread_local std::size_t used = POOL;
    while (size > 0)
    {
        if (used == POOL)
        {
            if (RAND_bytes(pool, static_cast<int>(POOL)) != 1) throw std::runtime_error("RAND_bytes failed");
            used = 0;
        }
        std::size_t n = std::min(size, POOL - used);
        std::memcpy(out, pool + used, n);
        OPENSSL_cleanse(pool + used, n);
        used += n;
        out += n;
        size -= n;
    }
}

} // namespace birdgate
