// Fuzzes the plugins' shared JSON scanner and tweet locator (plugins/common):
// every transform plugin runs it over upstream answers. Property: it either
// throws JsonError or reports tweets whose braces lie inside the input, in
// order, each starting with '{' and ending with '}'.
#include "FuzzCheck.h"

#include "JsonScanner.h"
#include "TweetLocator.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    std::string_view answer(reinterpret_cast<const char*>(data), size);
    size_t last = 0;
    try
    {
        birdgate::plugins::forEachTweet(answer, [&](const birdgate::plugins::Tweet& t) {
            FUZZ_CHECK(t.open < t.close && t.close < answer.size(), "tweet braces outside the answer");
            FUZZ_CHECK(answer[t.open] == '{' && answer[t.close] == '}', "a tweet is not an object");
            FUZZ_CHECK(t.open >= last, "tweets out of order");
            last = t.close;
        });
    }
    catch (const birdgate::plugins::JsonError&)
    {
    }
    return 0;
}
