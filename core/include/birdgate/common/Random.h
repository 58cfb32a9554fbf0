// Random bytes for the per-request tokens (OAuth nonces, XSRF cookies):
// OpenSSL's generator, asked for 4 KB at a time per thread instead of once
// per request (RAND_bytes per call showed in the profile of every request).
// The bytes are the generator's own; each is handed out once and wiped from
// the pool. Long-lived secrets (session ids, keys) call RAND_bytes directly.
#pragma once

#include <cstddef>

namespace birdgate
{

/// Fills `out` with `size` random bytes; throws std::runtime_error when the
/// generator fails.
void randomBytes(unsigned char* out, std::size_t size);

} // namespace birdgate
