// File names from the current UTC time, in the syntax Gramex users already
// write: Python's str.format applied to a datetime, e.g.
//
//   tweets.{:%Y-%m-%d}.jsonl     -> tweets.2024-02-29.jsonl
//   {:%Y}/{:%b}/t-{:%H-%M}.jsonl -> 2024/Feb/t-13-05.jsonl
//
// Each `{:...}` (or `{0:...}`) replacement field holds strftime conversions
// (any that glibc knows, with flags, width and E/O modifiers, plus Python's
// %f for microseconds); text outside braces is literal; `{{` and `}}` are
// literal braces. A pattern without replacement fields is a fixed path.
// Conversions run in the C locale whatever the process locale is, so month
// and day names are English, as Python's strftime gives in the C locale.
//
// The pattern is parsed once, in the constructor: a malformed one (an
// unclosed `{`, a lone `}`, `{}` without a format, an unknown conversion)
// throws std::invalid_argument naming the problem and where it is, so a bad
// `path:` stops the server at start-up rather than at the first tweet.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace birdgate::jsonl
{

class DatedPath
{
  public:
    explicit DatedPath(std::string pattern);

    /// The path for UTC time `t`.
    std::string format(std::chrono::system_clock::time_point t) const;

    const std::string& pattern() const { return _pattern; }

    /// True when the pattern has no replacement field: format() ignores time.
    bool isFixed() const { return _fixed; }

    /// True when the result can change within one second (%f): callers that
    /// cache the last name per second must not.
    bool subSecond() const { return _subSecond; }

  private:
    struct Part
    {
        bool time; // true: strftime format; false: literal text
        std::string text;
    };

    std::vector<Part> _parts;
    std::string _pattern;
    bool _fixed = true;
    bool _subSecond = false;
};

} // namespace birdgate::jsonl
