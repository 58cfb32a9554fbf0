// RecentIds; see RecentIds.h.
#include "stream/RecentIds.h"

namespace birdgate
{

RecentIds::RecentIds(std::size_t capacity) : _capacity(capacity == 0 ? 1 : capacity) {}

std::uint64_t RecentIds::key(std::string_view id)
{
    std::uint64_t n = 0;
    bool digits = !id.empty() && id.size() <= 19;
    for (char c : id)
    {
        if (c < '0' || c > '9')
        {
            digits = false;
            break;
        }
        n = n * 10 + static_cast<std::uint64_t>(c - '0');
    }
    if (digits) return n;
    std::uint64_t h = 0xcbf29ce484222325ULL;
    for (unsigned char c : id)
    {
        h ^= c;
        h *= 0x100000001b3ULL;
    }
    return h | (1ULL << 63); // apart from the ids of up to 19 digits
}

bool RecentIds::insert(std::string_view id)
{
    const std::uint64_t k = key(id);
    if (_set.count(k)) return false;
    if (_ring.size() < _capacity)
        _ring.push_back(k);
    else
    {
        _set.erase(_ring[_next]);
        _ring[_next] = k;
        _next = (_next + 1) % _capacity;
    }
    _set.insert(k);
    return true;
}

void RecentIds::clear()
{
    _set.clear();
    _ring.clear();
    _next = 0;
}

} // namespace birdgate
