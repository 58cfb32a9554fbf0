// Brings X's rule list for the app in line with one schedule's rules at
// start-up (DESIGN.md 5), without touching anything it did not create.
//
// plan() is the pure diff: the rules X holds are split into this schedule's
// own (tag `birdgate:<schedule>:...`), which are kept when still configured
// with the same value and tag and deleted otherwise, and foreign ones (any
// other tag, or none), which are never deleted and only listed in the log.
// A configured value a foreign rule already holds is not added (X refuses
// duplicate values; that rule already brings its tweets).
//
// apply() then talks to X through a RulesApi: it validates the rules that are
// new to X with dry_run=true first, so a rule X rejects stops start-up
// before anything changed; deletes the stale own rules; and adds the new
// ones (re-tagged values were accepted before, so they skip the dry run:
// X would call them duplicates of the rules about to be deleted).
#pragma once

#include "stream/StreamRules.h"

#include <stdexcept>
#include <string>
#include <vector>

namespace birdgate
{

/// A rule as X lists it.
struct ExistingRule
{
    std::string id;
    std::string value;
    std::string tag;
};

/// X refused rules: `messages` are X's errors[].details (or title) verbatim,
/// each prefixed with the rule's value.
class RulesRejected : public std::runtime_error
{
  public:
    explicit RulesRejected(std::vector<std::string> messages);
    const std::vector<std::string>& messages() const { return _messages; }

  private:
    std::vector<std::string> _messages;
};

/// What X answered to an add (or its dry run).
struct RulesAddResult
{
    std::vector<ExistingRule> created; // with the ids X gave them (not for a dry run)
    std::vector<std::string> errors;   // "<value>: <details or title>", empty when all were accepted
};

/// The rules endpoints, so the sync logic is tested without a network.
/// Implementations throw StreamTransientError for failures worth retrying
/// and ConfigError / RulesRejected for those that are not.
class RulesApi
{
  public:
    virtual ~RulesApi() = default;
    virtual std::vector<ExistingRule> list() = 0;
    virtual RulesAddResult add(const std::vector<StreamRule>& rules, bool dryRun) = 0;
    virtual void remove(const std::vector<std::string>& ids) = 0;
};

struct RulesPlan
{
    std::vector<StreamRule> add;           // to add, in configured order
    std::vector<StreamRule> validate;      // the part of `add` whose values X has not seen: dry run first
    std::vector<ExistingRule> remove;      // own rules no longer configured (or re-tagged)
    std::vector<ExistingRule> kept;        // own rules still configured
    std::vector<ExistingRule> foreign;     // rules birdgate did not create for this schedule: left alone
    std::vector<StreamRule> heldByForeign; // configured values a foreign rule already holds: not added
};

class RulesSync
{
  public:
    /// `desired` are tagged (streamrules::tagged); duplicates of a value
    /// keep the first.
    static RulesPlan plan(const std::vector<StreamRule>& desired, const std::vector<ExistingRule>& existing,
                          const std::string& scheduleName);

    /// Dry run, delete, add (see the file comment). Throws RulesRejected.
    static void apply(RulesApi& api, const RulesPlan& plan);
};

} // namespace birdgate
