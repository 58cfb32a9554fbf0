// The tweet ids an X API v2 stream connection has delivered lately, so a tweet
// X sends twice on one connection (it may, e.g. around backfill) is written
// once (DESIGN.md 5: exactly-once by data.id within a connection).
//
// Bounded: the last CAPACITY ids (a ring plus a hash set of 64-bit keys, a
// few MB), since a connection can run for weeks at thousands of tweets a
// second and X's duplicates arrive close together. Ids are decimal strings;
// anything else is keyed by a 64-bit FNV-1a hash of its bytes. One stream
// thread owns it: not thread-safe.
#pragma once

#include <cstdint>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace birdgate
{

class RecentIds
{
  public:
    static constexpr std::size_t CAPACITY = 1 << 18;

    explicit RecentIds(std::size_t capacity = CAPACITY);

    /// True the first time `id` is seen (within the window); false for a repeat.
    bool insert(std::string_view id);

    /// A new connection: forget everything.
    void clear();

    std::size_t size() const { return _set.size(); }

  private:
    static std::uint64_t key(std::string_view id);

    std::size_t _capacity;
    std::unordered_set<std::uint64_t> _set;
    std::vector<std::uint64_t> _ring;
    std::size_t _next = 0;
};

} // namespace birdgate
