// Where the tweets of a Twitter answer are, for the plugins that work on
// each tweet (sentiment scores them, jsonl_sink saves them).
//
// Twitter's answers hold their tweets in a few shapes: the elements of
// `statuses[]` (v1.1 search), of a top-level array (timelines) or of
// `data[]` (v2 lists), the object `data{}` (a v2 lookup), or the answer is
// itself one tweet (statuses/show). Only object elements are tweets. When a
// top-level object has no `statuses[]`, `data[]` or `data{}`, it is offered
// as a possible tweet (wholeAnswer) and each plugin decides from its members
// whether it is one: an `{"ids":[...]}` answer is not.
//
// The walk validates the whole answer in the same pass (JsonScanner), so an
// invalid answer throws JsonError; tweets already reported before the error
// must then be discarded by the caller.
#pragma once

#include "JsonScanner.h"

#include <cstddef>
#include <functional>
#include <string_view>
#include <vector>

namespace birdgate::plugins
{

struct Tweet
{
    std::size_t open;                       // the tweet's '{'
    std::size_t close;                      // its '}'
    const std::vector<JsonMember>& members; // valid during the callback only
    bool wholeAnswer;                       // the answer itself, not an element of a container
};

/// Validates `answer` and calls `onTweet` for each tweet in it, in the order
/// they appear. Throws JsonError for invalid JSON.
void forEachTweet(std::string_view answer, const std::function<void(const Tweet&)>& onTweet);

} // namespace birdgate::plugins
