// forEachTweet: one validating pass over the answer; see TweetLocator.h.
#include "TweetLocator.h"

#include <vector>

namespace birdgate::plugins
{

namespace
{

class Walk
{
  public:
    Walk(std::string_view answer, const std::function<void(const Tweet&)>& onTweet) : _r(answer), _onTweet(onTweet) {}

    void answer()
    {
        const char c = _r.peek();
        if (c == '[')
            tweetArray(1);
        else if (c == '{')
            answerObject();
        else
            _r.skipValue(1);
        _r.skipSpace();
        if (!_r.atEnd()) _r.fail("unexpected data after the JSON value");
    }

  private:
    /// The array at the cursor, at `depth`: its object elements are tweets.
    void tweetArray(int depth)
    {
        _r.checkDepth(depth);
        _r.expect('[');
        if (_r.peek() == ']')
        {
            _r.expect(']');
            return;
        }
        do
        {
            if (_r.peek() == '{')
                tweet(depth + 1);
            else
                _r.skipValue(depth + 1);
        } while (_r.separator(']'));
    }

    void tweet(int depth)
    {
        const std::size_t open = _r.pos();
        const std::size_t close = readMembers(_r, depth, _members);
        _onTweet(Tweet{open, close, _members, false});
    }

    // {"statuses":[...]} / {"data":[...]} / {"data":{...}} / maybe a tweet.
    void answerObject()
    {
        const std::size_t open = _r.pos();
        bool container = false;
        const std::size_t close = readMembers(_r, 1, _top, [&](const JsonMember& m) {
            const char first = _r.peek();
            if ((m.key == "statuses" || m.key == "data") && first == '[')
                tweetArray(2);
            else if (m.key == "data" && first == '{')
                tweet(2);
            else
                return false;
            container = true;
            return true;
        });
        if (!container) _onTweet(Tweet{open, close, _top, true});
    }

    JsonScanner _r;
    const std::function<void(const Tweet&)>& _onTweet;
    std::vector<JsonMember> _top;     // the answer object's members
    std::vector<JsonMember> _members; // the current tweet's, reused
};

} // namespace

void forEachTweet(std::string_view answer, const std::function<void(const Tweet&)>& onTweet)
{
    Walk(answer, onTweet).answer();
}

} // namespace birdgate::plugins
