// The rules of an X API v2 filtered stream (DESIGN.md 5): what a schedule
// asks X for, as {value, tag} pairs, built from its `rules:` list and from
// Gramex's v1.1 keys (track, follow, language, locations), so a pasted
// Gramex schedule keeps its meaning on v2.
//
// Translation keeps v1.1's semantics: the comma-separated track phrases are
// ORed and the words of one phrase ANDed in any order (`a,b c` becomes
// `a OR (b c)`); follow adds `from:<name or id>`, locations
// `bounding_box:[w s e n]`, all ORed together, as v1.1 delivered a tweet
// matching any of them; `language` ANDs `lang:xx` (several ORed) to every
// generated rule. A value longer than the rule length limit is cut between
// terms into several rules, never inside a phrase or operator; a term that
// alone exceeds the limit is a ConfigError (the caller's). Pure functions:
// the rules are logged and sent exactly as returned here.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

namespace birdgate
{

/// One rule as configured or generated: `tag` is the configured tag (may be
/// empty) before tagging, the full `birdgate:<schedule>:<tag>` after.
struct StreamRule
{
    std::string value;
    std::string tag;
    bool operator==(const StreamRule& other) const = default;
};

/// A single term of a generated rule does not fit in the length limit.
class RuleTooLong : public std::invalid_argument
{
  public:
    using std::invalid_argument::invalid_argument;
};

namespace streamrules
{

/// The prefix of every tag birdgate writes for schedule `name`.
std::string tagPrefix(const std::string& scheduleName);

/// One track phrase as a rule term: `beer` or `(craft beer)`; words holding
/// characters X's rule syntax reserves are quoted.
std::string trackTerm(const std::string& phrase);

/// The language clause: `lang:en`, or `(lang:en OR lang:fr)`; "" for none.
std::string languageClause(const std::vector<std::string>& languages);

/// Gramex keys to rule values (untagged), each at most `maxLength`
/// characters (code points); `locations` in groups of four numbers
/// (sw lng, sw lat, ne lng, ne lat). Throws RuleTooLong.
std::vector<std::string> fromGramex(const std::vector<std::string>& track, const std::vector<std::string>& follow,
                                    const std::vector<std::string>& locations,
                                    const std::vector<std::string>& languages, std::size_t maxLength);

/// The rules as sent: `configured` (value, tag) first, then `generated`
/// values; each tagged `birdgate:<schedule>:<tag>`, the tag being the
/// configured one or the rule's 1-based position in the whole list.
std::vector<StreamRule> tagged(const std::string& scheduleName, const std::vector<StreamRule>& configured,
                               const std::vector<std::string>& generated);

/// Length in code points, as X counts a rule.
std::size_t ruleLength(const std::string& value);

} // namespace streamrules
} // namespace birdgate
