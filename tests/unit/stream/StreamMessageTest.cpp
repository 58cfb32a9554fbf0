// StreamMessage on X API v2 messages: a tweet is {"data": ...} (with
// includes and matching_rules), data.id is found wherever it sits in data,
// {"errors": [...]} without data is Errors, garbage is NotJson; and
// RecentIds, the exactly-once window by data.id.
#include "TestSupport.h"

#include "birdgate/stream/StreamMessage.h"
#include "stream/RecentIds.h"

#include <string>

using namespace birdgate;

class StreamMessageTest : public CppUnit::TestFixture
{
    CPPUNIT_TEST_SUITE(StreamMessageTest);
    CPPUNIT_TEST(testV2Tweet);
    CPPUNIT_TEST(testV2Errors);
    CPPUNIT_TEST(testV2Garbage);
    CPPUNIT_TEST(testRecentIds);
    CPPUNIT_TEST(testRecentIdsWindow);
    CPPUNIT_TEST_SUITE_END();

  public:
    void testV2Tweet()
    {
        const std::string tweet =
            R"({"data":{"edit_history_tweet_ids":["1"],"text":"beer","id":"1790000000000000001",)"
            R"("entities":{"mentions":[{"id":"9"}]}},"includes":{"users":[{"id":"7","username":"x"}]},)"
            R"("matching_rules":[{"id":"1600000000000000001","tag":"birdgate:s:1"}]})";
        MessageInfo info = StreamMessage::inspect(tweet);
        CPPUNIT_ASSERT(info.kind == MessageKind::Tweet);
        CPPUNIT_ASSERT(info.hasData);
        CPPUNIT_ASSERT_EQUAL(std::string("1790000000000000001"), std::string(info.dataId));

        // Partial errors beside data: still a tweet.
        info = StreamMessage::inspect(R"({"data":{"id":"5","text":"x"},"errors":[{"title":"Not Found Error"}]})");
        CPPUNIT_ASSERT(info.kind == MessageKind::Tweet);
        CPPUNIT_ASSERT_EQUAL(std::string("5"), std::string(info.dataId));

        // Ids of nested objects are not data.id.
        info = StreamMessage::inspect(R"({"data":{"text":"x","author":{"id":"9"}}})");
        CPPUNIT_ASSERT(info.hasData);
        CPPUNIT_ASSERT(info.dataId.empty());
        CPPUNIT_ASSERT_EQUAL(std::string("errors"), std::string(StreamMessage::kindName(MessageKind::Errors)));
    }

    void testV2Errors()
    {
        MessageInfo info = StreamMessage::inspect(
            R"({"errors":[{"title":"operational-disconnect","disconnect_type":"UpstreamOperationalDisconnect",)"
            R"("detail":"This stream has been disconnected upstream for operational reasons.",)"
            R"("type":"https://api.twitter.com/2/problems/operational-disconnect"}]})");
        CPPUNIT_ASSERT(info.kind == MessageKind::Errors);
        CPPUNIT_ASSERT(!info.hasData);
        CPPUNIT_ASSERT(StreamMessage::inspect(R"({"errors":[]})").kind == MessageKind::Errors);
    }

    void testV2Garbage()
    {
        for (const char* bad : {"{\"data\":{\"id\":\"1\"", "{\"errors\":[", "\x80\x81{}", "\r", "data", "{\"data\":}",
                                "{\"data\":{\"id\":\"1\"}}}", "{\"errors\":[{\"title\":\"\xff\"}]}"})
            CPPUNIT_ASSERT_MESSAGE(bad, StreamMessage::inspect(bad).kind == MessageKind::NotJson);
        CPPUNIT_ASSERT(StreamMessage::inspect("[{\"data\":{}}]").kind == MessageKind::NotJson);
        // An object that is neither tweet nor errors stays Tweet for v1.1;
        // TwitterStream writes only objects with data on v2.
        MessageInfo info = StreamMessage::inspect("{\"hello\":1}");
        CPPUNIT_ASSERT(info.kind == MessageKind::Tweet);
        CPPUNIT_ASSERT(!info.hasData);
    }

    void testRecentIds()
    {
        RecentIds ids;
        CPPUNIT_ASSERT(ids.insert("1790000000000000001"));
        CPPUNIT_ASSERT(!ids.insert("1790000000000000001"));
        CPPUNIT_ASSERT(ids.insert("1790000000000000002"));
        CPPUNIT_ASSERT(ids.insert("not-a-number"));
        CPPUNIT_ASSERT(!ids.insert("not-a-number"));
        CPPUNIT_ASSERT(ids.insert("99999999999999999999999")); // too long for 64 bits: hashed
        CPPUNIT_ASSERT(!ids.insert("99999999999999999999999"));
        ids.clear(); // a new connection
        CPPUNIT_ASSERT(ids.insert("1790000000000000001"));
    }

    void testRecentIdsWindow()
    {
        RecentIds ids(3);
        for (const char* id : {"1", "2", "3"}) CPPUNIT_ASSERT(ids.insert(id));
        CPPUNIT_ASSERT(!ids.insert("1"));
        CPPUNIT_ASSERT(ids.insert("4")); // "1" leaves the window
        CPPUNIT_ASSERT(ids.insert("1"));
        CPPUNIT_ASSERT_EQUAL(std::size_t(3), ids.size());
    }
};

BIRDGATE_TEST_SUITE(StreamMessageTest);
