// RulesSync; see RulesSync.h.
#include "stream/RulesSync.h"

#include <set>

namespace birdgate
{

namespace
{
std::string joinedMessages(const std::vector<std::string>& messages)
{
    std::string out = "X rejected the stream rules: ";
    for (std::size_t i = 0; i < messages.size(); ++i) out += (i ? "; " : "") + messages[i];
    return out;
}
} // namespace

RulesRejected::RulesRejected(std::vector<std::string> messages)
    : std::runtime_error(joinedMessages(messages)), _messages(std::move(messages))
{
}

RulesPlan RulesSync::plan(const std::vector<StreamRule>& desired, const std::vector<ExistingRule>& existing,
                          const std::string& scheduleName)
{
    const std::string prefix = streamrules::tagPrefix(scheduleName);
    RulesPlan p;
    std::set<std::string> foreignValues, ownValues;
    std::vector<ExistingRule> own;
    for (const auto& rule : existing)
    {
        if (rule.tag.rfind(prefix, 0) == 0)
        {
            own.push_back(rule);
            ownValues.insert(rule.value);
        }
        else
        {
            p.foreign.push_back(rule);
            foreignValues.insert(rule.value);
        }
    }
    std::set<std::string> seen;
    std::set<std::size_t> keptIndexes;
    for (const auto& rule : desired)
    {
        if (!seen.insert(rule.value).second) continue;
        if (foreignValues.count(rule.value))
        {
            p.heldByForeign.push_back(rule);
            continue;
        }
        bool found = false;
        for (std::size_t i = 0; i < own.size() && !found; ++i)
            if (!keptIndexes.count(i) && own[i].value == rule.value && own[i].tag == rule.tag)
            {
                keptIndexes.insert(i);
                p.kept.push_back(own[i]);
                found = true;
            }
        if (found) continue;
        p.add.push_back(rule);
        if (!ownValues.count(rule.value)) p.validate.push_back(rule);
    }
    for (std::size_t i = 0; i < own.size(); ++i)
        if (!keptIndexes.count(i)) p.remove.push_back(own[i]);
    return p;
}

void RulesSync::apply(RulesApi& api, const RulesPlan& plan)
{
    if (!plan.validate.empty())
    {
        RulesAddResult check = api.add(plan.validate, true);
        if (!check.errors.empty()) throw RulesRejected(check.errors);
    }
    if (!plan.remove.empty())
    {
        std::vector<std::string> ids;
        for (const auto& rule : plan.remove) ids.push_back(rule.id);
        api.remove(ids);
    }
    if (!plan.add.empty())
    {
        RulesAddResult added = api.add(plan.add, false);
        if (!added.errors.empty()) throw RulesRejected(added.errors);
    }
}

} // namespace birdgate
