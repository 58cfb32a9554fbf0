// SentimentPluginTest: the built sentiment.so loaded through the PluginHost,
// the way birdgate runs it. Beyond the scores (the analyzer's own, hence
// TextBlob's), the point of the plugin is what it does NOT change: every
// byte of the answer outside the added keys must survive, 64-bit ids first,
// and no input, however broken, may crash it.
#include "TestSupport.h"

#include "SentimentAnalyzer.h"
#include "birdgate/plugin/PluginError.h"
#include "birdgate/plugin/PluginHost.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>

#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

using namespace birdgate;
using birdgate::sentiment::SentimentAnalyzer;

namespace
{

const std::string context = R"({"url":"twitter","path":"search/tweets.json","method":"GET","args":{},"user":null})";

const SentimentAnalyzer& analyzer()
{
    static const SentimentAnalyzer instance(BIRDGATE_SOURCE_DIR "/plugins/sentiment/data/en-sentiment.xml");
    return instance;
}

/// The numbers that follow each occurrence of `key` (e.g. "\"sentiment\":"), in order.
std::vector<double> numbersAfter(const std::string& text, const std::string& key)
{
    std::vector<double> values;
    for (auto pos = text.find(key); pos != std::string::npos; pos = text.find(key, pos + 1))
        values.push_back(std::strtod(text.c_str() + pos + key.size(), nullptr));
    return values;
}

std::size_t count(const std::string& text, const std::string& part)
{
    std::size_t n = 0;
    for (auto pos = text.find(part); pos != std::string::npos; pos = text.find(part, pos + 1)) ++n;
    return n;
}

/// `"text":` value as a JSON string literal.
std::string quoted(const std::string& text)
{
    std::ostringstream out;
    Poco::JSON::Stringifier::formatString(text, out);
    return out.str();
}

#define ASSERT_CONTAINS(text, part)                                                                                    \
    CPPUNIT_ASSERT_MESSAGE("expected to find [" + std::string(part) + "] in [" + std::string(text) + "]",              \
                           std::string(text).find(part) != std::string::npos)

} // namespace

class SentimentPluginTest : public CppUnit::TestFixture
{
    CPPUNIT_TEST_SUITE(SentimentPluginTest);
    CPPUNIT_TEST(testStatuses);
    CPPUNIT_TEST(testTopLevelArray);
    CPPUNIT_TEST(testV2Data);
    CPPUNIT_TEST(testSingleTweet);
    CPPUNIT_TEST(testSubjectivityOnlyWhenAsked);
    CPPUNIT_TEST(testField);
    CPPUNIT_TEST(testTextBlobCases);
    CPPUNIT_TEST(testBytesSurvive);
    CPPUNIT_TEST(testUnicodeEscapes);
    CPPUNIT_TEST(testExistingSentimentReplaced);
    CPPUNIT_TEST(testNoTweetsUnchanged);
    CPPUNIT_TEST(testGarbage);
    CPPUNIT_TEST(testMutations);
    CPPUNIT_TEST(testHugeString);
    CPPUNIT_TEST(testBadConfig);
    CPPUNIT_TEST(testConcurrentCalls);
    CPPUNIT_TEST(testThroughput);
    CPPUNIT_TEST_SUITE_END();

  public:
    void setUp() override { _host = std::make_unique<PluginHost>(std::vector<std::string>{BIRDGATE_PLUGIN_DIR}); }
    void tearDown() override { _host.reset(); }

    void testStatuses()
    {
        const std::string out = run("{}", R"({"statuses":[{"id":1,"text":"I feel great this morning."},)"
                                          R"({"id":2,"text":"This is a terrible car."},)"
                                          R"({"id":3,"text":"No words of note here."}],)"
                                          R"("search_metadata":{"count":3}})");
        const auto values = numbersAfter(out, R"("sentiment":)");
        CPPUNIT_ASSERT_EQUAL(std::size_t(3), values.size());
        CPPUNIT_ASSERT_EQUAL(analyzer().analyze("I feel great this morning.").polarity, values[0]);
        CPPUNIT_ASSERT_EQUAL(analyzer().analyze("This is a terrible car.").polarity, values[1]);
        CPPUNIT_ASSERT_EQUAL(0.0, values[2]);
        CPPUNIT_ASSERT_EQUAL(0.8, values[0]);
        CPPUNIT_ASSERT_EQUAL(-1.0, values[1]);
        // search_metadata is not a tweet container
        ASSERT_CONTAINS(out, R"("search_metadata":{"count":3}})");
    }

    void testTopLevelArray()
    {
        const std::string out = run("{}", R"([{"id":1,"text":"What great fun!"},{"id":2,"text":"bad"}, 7, "x"])");
        const auto values = numbersAfter(out, R"("sentiment":)");
        CPPUNIT_ASSERT_EQUAL(std::size_t(2), values.size());
        CPPUNIT_ASSERT_EQUAL(analyzer().analyze("What great fun!").polarity, values[0]);
        CPPUNIT_ASSERT_EQUAL(analyzer().analyze("bad").polarity, values[1]);
        ASSERT_CONTAINS(out, R"(, 7, "x"])"); // non-objects untouched
    }

    void testV2Data()
    {
        std::string out = run("{}", R"({"data":[{"id":"1","text":"great"},{"id":"2","text":"awful"}],)"
                                    R"("includes":{"tweets":[{"id":"3","text":"good"}]},"meta":{"result_count":2}})");
        CPPUNIT_ASSERT_EQUAL(std::size_t(2), count(out, R"("sentiment":)"));
        ASSERT_CONTAINS(out, R"({"id":"1","text":"great","sentiment":0.8})");
        ASSERT_CONTAINS(out, R"("includes":{"tweets":[{"id":"3","text":"good"}]})");

        // GET /2/tweets/:id answers one object under data.
        out = run("{}", R"({"data":{"id":"1","text":"great"}})");
        CPPUNIT_ASSERT_EQUAL(std::string(R"({"data":{"id":"1","text":"great","sentiment":0.8}})"), out);
    }

    void testSingleTweet()
    {
        // statuses/show.json answers the tweet itself.
        const std::string out = run("{}", R"({"id":5,"text":"great"})");
        CPPUNIT_ASSERT_EQUAL(std::string(R"({"id":5,"text":"great","sentiment":0.8})"), out);
    }

    void testSubjectivityOnlyWhenAsked()
    {
        const std::string in = R"({"statuses":[{"text":"I feel great this morning."}]})";
        std::string out = run("{}", in);
        CPPUNIT_ASSERT_EQUAL(std::size_t(0), count(out, "subjectivity"));
        out = run(R"({"subjectivity":false})", in);
        CPPUNIT_ASSERT_EQUAL(std::size_t(0), count(out, "subjectivity"));
        out = run(R"({"subjectivity":true})", in);
        CPPUNIT_ASSERT_EQUAL(
            std::string(R"({"statuses":[{"text":"I feel great this morning.","sentiment":0.8,"subjectivity":0.75}]})"),
            out);
    }

    void testField()
    {
        // Extended tweets carry full_text only: the default falls back to it.
        std::string out = run("{}", R"([{"full_text":"great"},{"text":"awful","full_text":"great"}])");
        const auto values = numbersAfter(out, R"("sentiment":)");
        CPPUNIT_ASSERT_EQUAL(std::size_t(2), values.size());
        CPPUNIT_ASSERT_EQUAL(0.8, values[0]);
        CPPUNIT_ASSERT_EQUAL(analyzer().analyze("awful").polarity, values[1]); // text wins over full_text

        out = run(R"({"field":"full_text"})", R"([{"text":"awful","full_text":"great"}])");
        CPPUNIT_ASSERT_EQUAL(0.8, numbersAfter(out, R"("sentiment":)").at(0));

        // Another field; a tweet without it falls back to full_text, then is skipped.
        out = run(R"({"field":"description"})",
                  R"([{"description":"great","text":"awful"},{"full_text":"awful"},{"text":"great"}])");
        const auto custom = numbersAfter(out, R"("sentiment":)");
        CPPUNIT_ASSERT_EQUAL(std::size_t(2), custom.size());
        CPPUNIT_ASSERT_EQUAL(0.8, custom[0]);
        CPPUNIT_ASSERT_EQUAL(analyzer().analyze("awful").polarity, custom[1]);
        ASSERT_CONTAINS(out, R"({"text":"great"}])");

        // A text that is not a string is not scored.
        out = run("{}", R"([{"text":null},{"text":3}])");
        CPPUNIT_ASSERT_EQUAL(std::string(R"([{"text":null},{"text":3}])"), out);
    }

    void testTextBlobCases()
    {
        // TextBlob's recorded values, through the plugin and back through a parser.
        std::ifstream file(test::dataPath("sentiment_cases.json"), std::ios::binary);
        std::stringstream buffer;
        buffer << file.rdbuf();
        Poco::JSON::Parser parser;
        const auto cases = parser.parse(buffer.str()).extract<Poco::JSON::Object::Ptr>()->getArray("cases");
        std::string in = R"({"statuses":[)";
        for (std::size_t i = 0; i < cases->size(); ++i)
            in += std::string(i ? "," : "") + R"({"text":)" +
                  quoted(cases->getObject(static_cast<unsigned>(i))->getValue<std::string>("text")) + "}";
        in += "]}";
        const std::string out = run(R"({"subjectivity":true})", in);

        Poco::JSON::Parser outParser;
        const auto statuses = outParser.parse(out).extract<Poco::JSON::Object::Ptr>()->getArray("statuses");
        CPPUNIT_ASSERT_EQUAL(cases->size(), statuses->size());
        for (std::size_t i = 0; i < cases->size(); ++i)
        {
            const auto expected = cases->getObject(static_cast<unsigned>(i));
            const auto actual = statuses->getObject(static_cast<unsigned>(i));
            const std::string text = expected->getValue<std::string>("text");
            CPPUNIT_ASSERT_EQUAL(text, actual->getValue<std::string>("text"));
            CPPUNIT_ASSERT_DOUBLES_EQUAL_MESSAGE(text, expected->getValue<double>("polarity"),
                                                 actual->getValue<double>("sentiment"), 1e-9);
            CPPUNIT_ASSERT_DOUBLES_EQUAL_MESSAGE(text, expected->getValue<double>("subjectivity"),
                                                 actual->getValue<double>("subjectivity"), 1e-9);
            // And bit for bit the analyzer's: the printed form round-trips.
            const auto own = analyzer().analyze(text);
            CPPUNIT_ASSERT_EQUAL(own.polarity, actual->getValue<double>("sentiment"));
            CPPUNIT_ASSERT_EQUAL(own.subjectivity, actual->getValue<double>("subjectivity"));
        }
    }

    void testBytesSurvive()
    {
        // Everything a DOM round trip would disturb: 64-bit ids, the extremes
        // of int64/uint64, exponents, trailing zeros, key order, white space,
        // escapes, nested objects inside the tweet.
        const std::string head =
            "{ \"statuses\" : [\n  {\"id\":1234567890123456789, \"id_str\":\"1234567890123456789\",\n"
            "   \"text\":\"great \\\"beer\\\" \\/ \\u00e9\",\n"
            "   \"z\":-9223372036854775808, \"a\":18446744073709551615, \"f\":1e300,"
            " \"g\":-1.50E-007, \"h\":0.10, \"i\":1.0, \"n\":null, \"t\":true,\n"
            "   \"user\":{\"id\":9007199254740993,\"text\":\"awful\",\"entities\":{\"urls\":[]}},"
            " \"quoted_status\":{\"text\":\"bad\",\"id\":9223372036854775807}\n  }";
        const std::string tail = "\n] , \"search_metadata\":{\"max_id\":1234567890123456789,\"next\":\"?a=1\"} }\n";
        const std::string out = run("{}", head + tail);
        // Exactly the input with one member spliced in before the tweet's brace.
        const std::string expected = head.substr(0, head.size() - 1) + ",\"sentiment\":" +
                                     numberText(analyzer().analyze("great \"beer\" / \xc3\xa9").polarity) + "}" + tail;
        CPPUNIT_ASSERT_EQUAL(expected, out);
        ASSERT_CONTAINS(out, "\"id\":1234567890123456789,");
        ASSERT_CONTAINS(out, "\"id_str\":\"1234567890123456789\"");
        // Nested objects with their own text are not tweets of the answer.
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), count(out, "sentiment"));
    }

    void testUnicodeEscapes()
    {
        // \u0067 is 'g': the text is decoded before scoring.
        std::string out = run("{}", R"([{"text":"I feel \u0067reat this morning."}])");
        CPPUNIT_ASSERT_EQUAL(0.8, numbersAfter(out, R"("sentiment":)").at(0));
        ASSERT_CONTAINS(out, R"(\u0067reat)"); // while the bytes stay escaped

        // A surrogate pair (U+1F600) and a smiley: same as the analyzer on the UTF-8.
        out = run("{}", R"([{"text":"\ud83d\ude00 so happy :) \u00e9t\u00E9"}])");
        CPPUNIT_ASSERT_EQUAL(analyzer().analyze("\xf0\x9f\x98\x80 so happy :) \xc3\xa9t\xc3\xa9").polarity,
                             numbersAfter(out, R"("sentiment":)").at(0));
        ASSERT_CONTAINS(out, R"(\ud83d\ude00)");

        // Lone surrogates are valid JSON: scored as U+FFFD, not refused.
        out = run("{}", R"([{"text":"\ud83d great \ude00 \ud83d\u0041"}])");
        CPPUNIT_ASSERT_EQUAL(analyzer()
                                 .analyze("\xef\xbf\xbd great \xef\xbf\xbd \xef\xbf\xbd"
                                          "A")
                                 .polarity,
                             numbersAfter(out, R"("sentiment":)").at(0));
    }

    void testExistingSentimentReplaced()
    {
        const std::string out = run(R"({"subjectivity":true})",
                                    R"([{"sentiment":5,"id":1,"text":"great","subjectivity":"x","extra":[1,2]}])");
        CPPUNIT_ASSERT_EQUAL(
            std::string(R"([{"id":1,"text":"great","extra":[1,2],"sentiment":0.8,"subjectivity":0.75}])"), out);
        // Without subjectivity: true, a subjectivity key is the user's and stays.
        const std::string kept = run("{}", R"([{"text":"great","subjectivity":"x","sentiment":1}])");
        CPPUNIT_ASSERT_EQUAL(std::string(R"([{"text":"great","subjectivity":"x","sentiment":0.8}])"), kept);
    }

    void testNoTweetsUnchanged()
    {
        for (const std::string& in :
             {std::string(R"({"search_metadata":{"count":0},"statuses":[]})"), std::string("[]"),
              std::string(" {\"ids\": [1, 2]} "), std::string("42"), std::string("\"text\""), std::string("null")})
        {
            const TransformResult r = transform("{}")->call(in, context);
            CPPUNIT_ASSERT_MESSAGE(in + ": " + r.error, r.ok());
            CPPUNIT_ASSERT_EQUAL(in, r.output);
        }
    }

    void testGarbage()
    {
        auto t = transform("{}");
        const std::vector<std::string> bad = {
            "",
            "   ",
            R"({"statuses":[{"text":"great")",
            R"({"statuses":[{"text":"great"}])",
            R"({"statuses":[{"text":"great"}]}})",
            R"({"statuses":[{"text":"great"}]} trailing)",
            "not json at all",
            "<html>502 Bad Gateway</html>",
            R"({"statuses":[{"text":"unterminated}]})",
            R"([{"text":"bad \x escape"}])",
            R"([{"text":"bad \u12G4 escape"}])",
            R"([{"text":"short \u12"}])",
            "[{\"text\":\"raw\ttab\"}]",
            "[{\"text\":\"raw\nnewline\"}]",
            R"([{"id":01}])",
            R"([{"id":-}])",
            R"([{"id":1.}])",
            R"([{"id":1e}])",
            R"([{"id":+1}])",
            R"([{"id":NaN}])",
            R"([{"id":tru}])",
            R"([{"text":"a",}])",
            R"([{"text":"a"},])",
            R"([{text:"a"}])",
            R"([{"text" "a"}])",
            R"({"statuses":[{"text":"a"}],"x":{1:2}})",
            std::string("[{\"text\":\"a\"}]\0", 15),
            std::string(100000, '['),
            std::string(100000, '[') + std::string(100000, ']'),
            "[" + std::string(50000, '{'),
            R"({"data":)" + std::string(600, '[') + std::string(600, ']') + "}",
        };
        for (const std::string& in : bad)
        {
            const TransformResult r = t->call(in, context);
            CPPUNIT_ASSERT_MESSAGE("accepted: " + in.substr(0, 80), r.status == PluginStatus::Error);
            ASSERT_CONTAINS(r.error, "invalid JSON at byte ");
        }
        const TransformResult deep = t->call(std::string(100000, '['), context);
        ASSERT_CONTAINS(deep.error, "nested deeper than 512 levels");
        // Deep but within the limit is fine.
        const std::string ok = std::string(500, '[') + std::string(500, ']');
        CPPUNIT_ASSERT(t->call(ok, context).ok());
    }

    void testMutations()
    {
        // Random ASCII damage to a real answer: never a crash, and whatever
        // the plugin accepts an independent parser accepts too.
        auto t = transform("{}");
        const std::string original = searchAnswer(3);
        const std::string alphabet = "{}[]\",:0123456789-+.eE tfnlrua\\/x";
        unsigned seed = 12345;
        auto random = [&seed](std::size_t n) {
            seed = seed * 1103515245u + 12345u;
            return static_cast<std::size_t>((seed >> 8) % n);
        };
        int accepted = 0;
        for (int round = 0; round < 3000; ++round)
        {
            std::string in = original;
            const std::size_t edits = 1 + random(3);
            for (std::size_t e = 0; e < edits; ++e)
            {
                const std::size_t at = random(in.size());
                switch (random(4))
                {
                case 0:
                    in[at] = alphabet[random(alphabet.size())];
                    break;
                case 1:
                    in.erase(at, 1 + random(8));
                    break;
                case 2:
                    in.insert(at, 1, alphabet[random(alphabet.size())]);
                    break;
                default:
                    in.resize(at);
                    break;
                }
            }
            const TransformResult r = t->call(in, context);
            if (!r.ok())
            {
                CPPUNIT_ASSERT(r.status == PluginStatus::Error);
                continue;
            }
            ++accepted;
            try
            {
                Poco::JSON::Parser parser;
                parser.parse(r.output);
            }
            catch (const Poco::Exception& e)
            {
                // RFC 8259 allows numbers beyond the range of a double or
                // uint64 (1e999, 10^20); Poco refuses them ("Not a valid ...
                // integer / floating-point number"). Only the grammar is the
                // plugin's to check.
                if (e.displayText().find("Not a valid") != std::string::npos) continue;
                CPPUNIT_FAIL("accepted what Poco refuses (" + e.displayText() + "): " + in);
            }
        }
        CPPUNIT_ASSERT(accepted > 0); // some damage stays valid (inside strings)
    }

    void testHugeString()
    {
        // 4 MB of text in one tweet, and a 4 MB string elsewhere in it.
        std::string text;
        while (text.size() < 4 * 1024 * 1024) text += "great beer and \\u00e9 \\\" ";
        const std::string in = R"({"statuses":[{"text":")" + text + R"(","blob":")" + text + R"("}]})";
        const TransformResult r = transform("{}")->call(in, context);
        CPPUNIT_ASSERT_MESSAGE(r.error, r.ok());
        CPPUNIT_ASSERT_EQUAL(in.size() - 3, r.output.find(R"(,"sentiment":)")); // before "}]}"
        // The same, unterminated.
        const TransformResult cut = transform("{}")->call(in.substr(0, in.size() / 2), context);
        CPPUNIT_ASSERT(cut.status == PluginStatus::Error);
    }

    void testBadConfig()
    {
        for (const std::string& config : {std::string(R"({"subjectivity":"yes"})"), std::string(R"({"field":3})"),
                                          std::string(R"({"field":""})"), std::string("[1]"), std::string("{oops")})
        {
            try
            {
                _host->createTransform("sentiment.add_sentiment", config);
                CPPUNIT_FAIL("accepted config " + config);
            }
            catch (const PluginError& e)
            {
                ASSERT_CONTAINS(e.what(), "sentiment.add_sentiment");
            }
        }
        try
        {
            _host->createTransform("sentiment.add_sentiment", R"({"lexicon":"/nonexistent/lexicon.xml"})");
            CPPUNIT_FAIL("accepted a missing lexicon");
        }
        catch (const PluginError& e)
        {
            ASSERT_CONTAINS(e.what(), "/nonexistent/lexicon.xml");
        }
        // A relative lexicon is found next to the plugin; an absolute one anywhere.
        CPPUNIT_ASSERT(
            _host->createTransform("sentiment.add_sentiment", R"({"lexicon":"sentiment/en-sentiment.xml"})"));
        CPPUNIT_ASSERT(_host->createTransform("sentiment.add_sentiment",
                                              R"({"lexicon":")" BIRDGATE_SOURCE_DIR
                                              R"(/plugins/sentiment/data/en-sentiment.xml"})"));
        // Unknown keys are logged, not refused (Gramex entries carry extra keys).
        CPPUNIT_ASSERT(_host->createTransform("sentiment.add_sentiment", R"({"comment":"x"})"));
    }

    void testConcurrentCalls()
    {
        auto t = transform(R"({"subjectivity":true})");
        const std::string in = searchAnswer(100);
        const std::string expected = t->call(in, context).output;
        std::vector<std::thread> threads;
        std::vector<int> mismatches(8, 0);
        for (int i = 0; i < 8; ++i)
            threads.emplace_back([&, i] {
                for (int n = 0; n < 20; ++n)
                {
                    const TransformResult r = t->call(in, context);
                    if (!r.ok() || r.output != expected) ++mismatches[static_cast<std::size_t>(i)];
                }
            });
        for (auto& thread : threads) thread.join();
        for (int m : mismatches) CPPUNIT_ASSERT_EQUAL(0, m);
        CPPUNIT_ASSERT_EQUAL(std::size_t(100), count(expected, R"("sentiment":)"));
    }

    void testThroughput()
    {
        // Measured, not asserted: machines differ.
        auto t = transform(R"({"subjectivity":true})");
        const std::string in = searchAnswer(100);
        const int rounds = 50;
        const auto start = std::chrono::steady_clock::now();
        for (int i = 0; i < rounds; ++i) CPPUNIT_ASSERT(t->call(in, context).ok());
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        std::cout << "\n  sentiment.add_sentiment: " << static_cast<long>(rounds * 100 / seconds)
                  << " tweets/s (100-tweet answer of " << in.size() / 1024 << " KiB, "
                  << static_cast<long>(seconds * 1000 / rounds) << " ms per answer)" << std::flush;
    }

  private:
    std::shared_ptr<TransformInstance> transform(const std::string& config)
    {
        return _host->createTransform("sentiment.add_sentiment", config);
    }

    std::string run(const std::string& config, const std::string& input)
    {
        const TransformResult r = transform(config)->call(input, context);
        CPPUNIT_ASSERT_MESSAGE(r.error, r.ok());
        CPPUNIT_ASSERT(r.isJson);
        return r.output;
    }

    // The plugin prints the shortest form that reads back as the same double.
    static std::string numberText(double value)
    {
        char buffer[32];
        return std::string(buffer, std::to_chars(buffer, buffer + sizeof(buffer), value).ptr);
    }

    /// A v1.1 search answer with `n` tweets of realistic size and shape.
    static std::string searchAnswer(int n)
    {
        static const char* texts[] = {
            "RT @someone: This new cafe is absolutely wonderful, the coffee is great! https://t.co/abc #coffee",
            "Worst commute ever. Trains late again and it's raining :( #monday",
            "Not bad at all, the update fixed most of the annoying bugs I reported last week.",
            "Just landed in Berlin \xf0\x9f\x98\x80 the weather is surprisingly nice today",
            "I don't think this is a good idea, honestly it seems very risky and quite expensive.",
        };
        std::string out = R"({"statuses":[)";
        for (int i = 0; i < n; ++i)
        {
            const std::string id = std::to_string(1234567890123456789LL + i);
            out += std::string(i ? "," : "") + R"({"created_at":"Mon Feb 26 10:00:00 +0000 2024","id":)" + id +
                   R"(,"id_str":")" + id + R"(","text":)" + quoted(texts[i % 5]) +
                   R"(,"truncated":false,"entities":{"hashtags":[{"text":"coffee","indices":[80,87]}],"symbols":[],)"
                   R"("user_mentions":[{"screen_name":"someone","name":"Some One","id":12345678,"id_str":"12345678",)"
                   R"("indices":[3,11]}],"urls":[{"url":"https://t.co/abc","expanded_url":"https://example.com/a",)"
                   R"("indices":[60,83]}]},"metadata":{"iso_language_code":"en","result_type":"recent"},)"
                   R"("source":"<a href=\"https://mobile.twitter.com\" rel=\"nofollow\">Twitter Web App<\/a>",)"
                   R"("in_reply_to_status_id":null,"user":{"id":987654321,"id_str":"987654321","name":"A User",)"
                   R"("screen_name":"auser","location":"Earth","description":"Coffee, trains and code.",)"
                   R"("followers_count":1234,"friends_count":567,"created_at":"Tue Jan 01 00:00:00 +0000 2013",)"
                   R"("verified":false,"statuses_count":4321,"lang":null},"geo":null,"coordinates":null,)"
                   R"("retweet_count":12,"favorite_count":34,"favorited":false,"retweeted":false,"lang":"en"})";
        }
        out += R"(],"search_metadata":{"completed_in":0.035,"max_id":1234567890123456889,)"
               R"("max_id_str":"1234567890123456889","count":100}})";
        return out;
    }

    std::unique_ptr<PluginHost> _host;
};

BIRDGATE_TEST_SUITE(SentimentPluginTest);
