// TestAnswer: an Answer that keeps everything in memory, for unit tests of
// code that writes answers (helpers, endpoints) without a server: buffered
// answers are read from status()/headers()/body, streamed ones collect in
// `streamed`.
#pragma once

#include "birdgate/server/Answer.h"

#include <string>
#include <string_view>
#include <vector>

namespace birdgate::test
{

class TestAnswer : public Answer
{
  public:
    std::string streamed;
    bool finished = false;
    bool aborted = false;

    Task<bool> begin(std::optional<std::uint64_t>) override
    {
        _begun = true;
        co_return true;
    }
    Task<bool> write(std::string_view bytes) override
    {
        streamed.append(bytes);
        co_return true;
    }
    Task<bool> finish() override
    {
        finished = true;
        co_return true;
    }
    void abort() override { aborted = true; }

    /// Every value of header `name` (case-insensitive), in order.
    std::vector<std::string> all(std::string_view name) const
    {
        std::vector<std::string> out;
        for (const auto& f : headers())
            if (iequals(f.name, name)) out.push_back(f.value);
        return out;
    }
};

} // namespace birdgate::test
