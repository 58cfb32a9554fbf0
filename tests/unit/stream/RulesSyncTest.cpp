// RulesSync: which rules are kept, added (and dry-run first) and deleted
// when X already holds some; foreign rules (another tag, another schedule,
// no tag) are never deleted; a rejection stops before anything changed.
#include "TestSupport.h"

#include "stream/RulesSync.h"

#include <string>
#include <vector>

using namespace birdgate;

namespace
{
struct FakeApi : RulesApi
{
    std::vector<ExistingRule> existing;
    std::vector<std::string> calls; // "dry:<values>" "add:<values>" "delete:<ids>"
    std::vector<std::string> rejectDry;
    std::vector<std::string> rejectAdd;

    std::vector<ExistingRule> list() override { return existing; }
    RulesAddResult add(const std::vector<StreamRule>& rules, bool dryRun) override
    {
        std::string call = dryRun ? "dry:" : "add:";
        for (const auto& r : rules) call += r.value + "|";
        calls.push_back(call);
        RulesAddResult result;
        result.errors = dryRun ? rejectDry : rejectAdd;
        return result;
    }
    void remove(const std::vector<std::string>& ids) override
    {
        std::string call = "delete:";
        for (const auto& id : ids) call += id + "|";
        calls.push_back(call);
    }
};

std::vector<std::string> values(const std::vector<StreamRule>& rules)
{
    std::vector<std::string> out;
    for (const auto& r : rules) out.push_back(r.value);
    return out;
}

std::vector<std::string> ids(const std::vector<ExistingRule>& rules)
{
    std::vector<std::string> out;
    for (const auto& r : rules) out.push_back(r.id);
    return out;
}

using Strings = std::vector<std::string>;
} // namespace

class RulesSyncTest : public CppUnit::TestFixture
{
    CPPUNIT_TEST_SUITE(RulesSyncTest);
    CPPUNIT_TEST(testEmptyAddsAll);
    CPPUNIT_TEST(testKeepDeleteAdd);
    CPPUNIT_TEST(testForeignLeftAlone);
    CPPUNIT_TEST(testRetaggedSkipsDryRun);
    CPPUNIT_TEST(testDuplicateValuesOnce);
    CPPUNIT_TEST(testApplyOrder);
    CPPUNIT_TEST(testDryRunRejectionChangesNothing);
    CPPUNIT_TEST(testNothingToDo);
    CPPUNIT_TEST_SUITE_END();

  public:
    void testEmptyAddsAll()
    {
        auto desired = streamrules::tagged("s", {{"cats", "c"}}, {"beer OR wine"});
        RulesPlan p = RulesSync::plan(desired, {}, "s");
        CPPUNIT_ASSERT(values(p.add) == (Strings{"cats", "beer OR wine"}));
        CPPUNIT_ASSERT(values(p.validate) == (Strings{"cats", "beer OR wine"}));
        CPPUNIT_ASSERT(p.remove.empty() && p.kept.empty() && p.foreign.empty());
    }

    void testKeepDeleteAdd()
    {
        auto desired = streamrules::tagged("s", {{"cats", "c"}, {"dogs", "d"}}, {});
        std::vector<ExistingRule> existing = {
            {"1", "cats", "birdgate:s:c"},  // still configured: kept
            {"2", "birds", "birdgate:s:b"}, // no longer configured: deleted
        };
        RulesPlan p = RulesSync::plan(desired, existing, "s");
        CPPUNIT_ASSERT(ids(p.kept) == Strings{"1"});
        CPPUNIT_ASSERT(ids(p.remove) == Strings{"2"});
        CPPUNIT_ASSERT(values(p.add) == Strings{"dogs"});
        CPPUNIT_ASSERT(values(p.validate) == Strings{"dogs"});
    }

    void testForeignLeftAlone()
    {
        auto desired = streamrules::tagged("s", {{"cats", ""}}, {});
        std::vector<ExistingRule> existing = {
            {"1", "foreign", "someone else"},      {"2", "untagged", ""}, {"3", "other schedule", "birdgate:other:1"},
            {"4", "prefix trap", "birdgate:s2:1"}, // "birdgate:s2:" is not "birdgate:s:"
            {"5", "cats", "their cats"},           // the same value under a foreign tag
        };
        RulesPlan p = RulesSync::plan(desired, existing, "s");
        CPPUNIT_ASSERT(p.remove.empty());
        CPPUNIT_ASSERT(ids(p.foreign) == (Strings{"1", "2", "3", "4", "5"}));
        CPPUNIT_ASSERT(p.add.empty()); // X would refuse the duplicate value
        CPPUNIT_ASSERT(values(p.heldByForeign) == Strings{"cats"});
    }

    void testRetaggedSkipsDryRun()
    {
        // A rule inserted first shifts the positional tags: the old rule is
        // deleted and re-added under its new tag, without a dry run (X would
        // call the value a duplicate of the rule about to go).
        auto desired = streamrules::tagged("s", {{"new", ""}, {"old", ""}}, {});
        std::vector<ExistingRule> existing = {{"7", "old", "birdgate:s:1"}};
        RulesPlan p = RulesSync::plan(desired, existing, "s");
        CPPUNIT_ASSERT(ids(p.remove) == Strings{"7"});
        CPPUNIT_ASSERT(values(p.add) == (Strings{"new", "old"}));
        CPPUNIT_ASSERT(values(p.validate) == Strings{"new"});
        CPPUNIT_ASSERT_EQUAL(std::string("birdgate:s:2"), p.add[1].tag);
    }

    void testDuplicateValuesOnce()
    {
        auto desired = streamrules::tagged("s", {{"cats", "a"}, {"cats", "b"}}, {});
        RulesPlan p = RulesSync::plan(desired, {}, "s");
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), p.add.size());
        CPPUNIT_ASSERT_EQUAL(std::string("birdgate:s:a"), p.add[0].tag);
    }

    void testApplyOrder()
    {
        FakeApi api;
        api.existing = {{"9", "stale", "birdgate:s:1"}};
        auto desired = streamrules::tagged("s", {{"fresh", "f"}}, {});
        RulesSync::apply(api, RulesSync::plan(desired, api.list(), "s"));
        CPPUNIT_ASSERT(api.calls == (Strings{"dry:fresh|", "delete:9|", "add:fresh|"}));
    }

    void testDryRunRejectionChangesNothing()
    {
        FakeApi api;
        api.existing = {{"9", "stale", "birdgate:s:1"}};
        api.rejectDry = {"'(bad': Unmatched parenthesis (at position 1)"};
        auto desired = streamrules::tagged("s", {{"(bad", ""}}, {});
        try
        {
            RulesSync::apply(api, RulesSync::plan(desired, api.list(), "s"));
            CPPUNIT_FAIL("a rejected rule must throw");
        }
        catch (const RulesRejected& e)
        {
            CPPUNIT_ASSERT_EQUAL(std::size_t(1), e.messages().size());
            CPPUNIT_ASSERT(std::string(e.what()).find("Unmatched parenthesis (at position 1)") != std::string::npos);
        }
        CPPUNIT_ASSERT(api.calls == Strings{"dry:(bad|"}); // nothing deleted or added

        FakeApi late; // accepted by the dry run, refused by the add
        late.rejectAdd = {"'x': RulesCapExceeded"};
        CPPUNIT_ASSERT_THROW(
            RulesSync::apply(late, RulesSync::plan(streamrules::tagged("s", {{"x", ""}}, {}), {}, "s")), RulesRejected);
    }

    void testNothingToDo()
    {
        FakeApi api;
        api.existing = {{"1", "cats", "birdgate:s:1"}};
        RulesSync::apply(api, RulesSync::plan(streamrules::tagged("s", {{"cats", ""}}, {}), api.list(), "s"));
        CPPUNIT_ASSERT(api.calls.empty());
    }
};

BIRDGATE_TEST_SUITE(RulesSyncTest);
