// The sentiment analyzer must give TextBlob's numbers: every case recorded
// from TextBlob in tests/data/sentiment_cases.json must match within 1e-9.
// Since it scores arbitrary tweets, it must also survive anything a tweet can
// hold (emoji, invalid UTF-8, huge texts) and still return values in range.
#include "TestSupport.h"

#include "SentimentAnalyzer.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <chrono>
#include <cmath>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

using birdgate::sentiment::SentimentAnalyzer;

namespace
{

const std::string lexiconPath = BIRDGATE_SOURCE_DIR "/plugins/sentiment/data/en-sentiment.xml";

// Loaded once: the suite only reads it, which is also the thread-safety claim.
const SentimentAnalyzer& analyzer()
{
    static const SentimentAnalyzer instance(lexiconPath);
    return instance;
}

struct Case
{
    std::string text;
    double polarity;
    double subjectivity;
};

std::vector<Case> loadCases()
{
    std::ifstream in(birdgate::test::dataPath("sentiment_cases.json"), std::ios::binary);
    std::stringstream buffer;
    buffer << in.rdbuf();
    Poco::JSON::Parser parser;
    auto root = parser.parse(buffer.str()).extract<Poco::JSON::Object::Ptr>();
    auto cases = root->getArray("cases");
    std::vector<Case> out;
    for (std::size_t i = 0; i < cases->size(); ++i)
    {
        auto c = cases->getObject(static_cast<unsigned>(i));
        out.push_back(
            {c->getValue<std::string>("text"), c->getValue<double>("polarity"), c->getValue<double>("subjectivity")});
    }
    return out;
}

bool sane(const SentimentAnalyzer::Result& r)
{
    return std::isfinite(r.polarity) && std::isfinite(r.subjectivity) && r.polarity >= -1.0 && r.polarity <= 1.0 &&
           r.subjectivity >= 0.0 && r.subjectivity <= 1.0;
}

bool same(const SentimentAnalyzer::Result& a, const SentimentAnalyzer::Result& b)
{
    return std::fabs(a.polarity - b.polarity) <= 1e-9 && std::fabs(a.subjectivity - b.subjectivity) <= 1e-9;
}

std::string show(const SentimentAnalyzer::Result& r)
{
    std::ostringstream out;
    out.precision(17);
    out << "(" << r.polarity << ", " << r.subjectivity << ")";
    return out.str();
}

} // namespace

class SentimentTest : public CppUnit::TestFixture
{
    CPPUNIT_TEST_SUITE(SentimentTest);
    CPPUNIT_TEST(testTextBlobCases);
    CPPUNIT_TEST(testEmpty);
    CPPUNIT_TEST(testOnlyPunctuation);
    CPPUNIT_TEST(testEmoji);
    CPPUNIT_TEST(testInvalidUtf8);
    CPPUNIT_TEST(testCurlyQuotes);
    CPPUNIT_TEST(testUnicodeLowercaseAndLengths);
    CPPUNIT_TEST(testOneMegabyte);
    CPPUNIT_TEST(testConcurrentUse);
    CPPUNIT_TEST(testMissingLexicon);
    CPPUNIT_TEST(testThroughput);
    CPPUNIT_TEST_SUITE_END();

  public:
    void testTextBlobCases()
    {
        const std::vector<Case> cases = loadCases();
        CPPUNIT_ASSERT_EQUAL(std::size_t(226), cases.size());
        std::ostringstream failures;
        failures.precision(17);
        int failed = 0;
        for (const Case& c : cases)
        {
            const auto got = analyzer().analyze(c.text);
            if (same(got, {c.polarity, c.subjectivity})) continue;
            ++failed;
            failures << "\n  \"" << c.text << "\": expected (" << c.polarity << ", " << c.subjectivity << ") got "
                     << show(got);
        }
        CPPUNIT_ASSERT_MESSAGE(std::to_string(failed) + " of " + std::to_string(cases.size()) +
                                   " cases differ from TextBlob:" + failures.str(),
                               failed == 0);
    }

    void testEmpty()
    {
        const auto r = analyzer().analyze("");
        CPPUNIT_ASSERT_EQUAL(0.0, r.polarity);
        CPPUNIT_ASSERT_EQUAL(0.0, r.subjectivity);
        CPPUNIT_ASSERT(same(analyzer().analyze(" \t\r\n\r\n \xC2\xA0\xE3\x80\x80 "), {0.0, 0.0}));
    }

    void testOnlyPunctuation()
    {
        for (const char* text : {".", "...", "!!!", "?!?!", "(!)", "( ! )", ",;:!?()[]{}`'\"@#$^&*+-|=~_", "''''",
                                 "\"\"", "- - -", ". . . . .", "..........", "'d 'm n't"})
        {
            const auto r = analyzer().analyze(text);
            CPPUNIT_ASSERT_MESSAGE(std::string(text) + " -> " + show(r), sane(r));
        }
        // "(!)" alone is irony: one assessment with polarity 0, subjectivity 1.
        CPPUNIT_ASSERT(same(analyzer().analyze("(!)"), {0.0, 1.0}));
        CPPUNIT_ASSERT(same(analyzer().analyze("!!!"), {0.0, 0.0}));
    }

    void testEmoji()
    {
        const std::string party = "great \xF0\x9F\x8E\x89\xF0\x9F\x94\xA5 \xF0\x9F\x98\x82";
        const auto r = analyzer().analyze(party);
        CPPUNIT_ASSERT(sane(r));
        // Emoji are not in the lexicon: they neither score nor break "great".
        CPPUNIT_ASSERT(same(r, analyzer().analyze("great")));
        // U+2665 is pattern's "love" emoticon: it must survive UTF-8 decoding whole.
        CPPUNIT_ASSERT(same(analyzer().analyze("I \xE2\x99\xA5 this"), {1.0, 1.0}));
        // Emoji glued to words, ZWJ sequences and flags.
        for (const char* text :
             {"good\xF0\x9F\x98\x80", "\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x91\xA7",
              "\xF0\x9F\x87\xAB\xF0\x9F\x87\xB7 :) \xF0\x9F\x87\xAB\xF0\x9F\x87\xB7"})
        {
            CPPUNIT_ASSERT(sane(analyzer().analyze(text)));
        }
    }

    void testInvalidUtf8()
    {
        const std::string broken[] = {"\xFF\xFE\xFD",
                                      "good \xC3\x28 bad",
                                      "\xE2\x82",
                                      "nice\x80",
                                      "\xED\xA0\x80 surrogate",
                                      "\xF4\x90\x80\x80 too big",
                                      "\xC0\xAF overlong",
                                      std::string("nul\0byte good", 13),
                                      "\xF0\x9F\x98"};
        for (const std::string& text : broken)
        {
            const auto r = analyzer().analyze(text);
            CPPUNIT_ASSERT_MESSAGE(show(r), sane(r));
        }
        // A stray byte is one unknown character (U+FFFD), not a new word split.
        CPPUNIT_ASSERT(same(analyzer().analyze("\xFF good"), analyzer().analyze("good")));
        CPPUNIT_ASSERT(same(analyzer().analyze("good \xC3"), analyzer().analyze("good")));
    }

    void testCurlyQuotes()
    {
        CPPUNIT_ASSERT(same(analyzer().analyze("it\xE2\x80\x99s not great"), analyzer().analyze("it's not great")));
        CPPUNIT_ASSERT(same(analyzer().analyze("\xE2\x80\x9Cgreat\xE2\x80\x9D she said"), {0.8, 0.75}));
        CPPUNIT_ASSERT(sane(analyzer().analyze("\xE2\x80\x98\xE2\x80\x99\xE2\x80\x9C\xE2\x80\x9D.\xE2\x80\x9D!")));
    }

    void testUnicodeLowercaseAndLengths()
    {
        // Lowercasing reaches beyond ASCII without changing ASCII results.
        CPPUNIT_ASSERT(same(analyzer().analyze("NICE"), analyzer().analyze("nice")));
        CPPUNIT_ASSERT(sane(analyzer().analyze("\xD0\x9F\xD0\xA0\xD0\x98\xD0\x92\xD0\x95\xD0\xA2 "
                                               "\xCE\xA3\xCE\x9F\xCE\xA6\xCE\x99\xCE\x91 \xC3\x89T\xC3\x89")));
        // "not a good": one-character words keep a negation pending; lengths
        // count code points, so "é" (two bytes) is one character...
        CPPUNIT_ASSERT(same(analyzer().analyze("not \xC3\xA9 good"), analyzer().analyze("not a good")));
        // ...while "İ" lowercases to two code points in Python and clears it.
        CPPUNIT_ASSERT(same(analyzer().analyze("not \xC4\xB0 good"), analyzer().analyze("good")));
        // Words of letters are never emoticons (pattern skips them): "xD" is not a grin.
        CPPUNIT_ASSERT(same(analyzer().analyze("xD"), {0.0, 0.0}));
        CPPUNIT_ASSERT(same(analyzer().analyze("8-D"), {1.0, 1.0}));
        CPPUNIT_ASSERT(same(analyzer().analyze("caf\xC3\xA9:)"), {0.5, 1.0}));
    }

    void testOneMegabyte()
    {
        const std::string chunk =
            "Great day!! \xF0\x9F\x98\x80 not bad :) \xFF isn\xE2\x80\x99t it? \xE2\x80\x9Cterrible\xE2\x80\x9D...\n\n";
        std::string text;
        while (text.size() < (1u << 20)) text += chunk;
        const auto r = analyzer().analyze(text);
        CPPUNIT_ASSERT_MESSAGE(show(r), sane(r));
        // One word of a megabyte, too.
        CPPUNIT_ASSERT(sane(analyzer().analyze(std::string(1u << 20, 'a'))));
        CPPUNIT_ASSERT(sane(analyzer().analyze(std::string(1u << 20, '.'))));
    }

    void testConcurrentUse()
    {
        const std::vector<Case> cases = loadCases();
        std::vector<int> mismatches(4, 0);
        std::vector<std::thread> threads;
        for (std::size_t t = 0; t < mismatches.size(); ++t)
        {
            threads.emplace_back([&cases, &mismatches, t]() {
                for (int round = 0; round < 5; ++round)
                    for (const Case& c : cases)
                        if (!same(analyzer().analyze(c.text), {c.polarity, c.subjectivity})) ++mismatches[t];
            });
        }
        for (auto& thread : threads) thread.join();
        for (int m : mismatches) CPPUNIT_ASSERT_EQUAL(0, m);
    }

    void testMissingLexicon()
    {
        CPPUNIT_ASSERT_THROW(SentimentAnalyzer("/nonexistent/en-sentiment.xml"), Poco::FileNotFoundException);
    }

    void testThroughput()
    {
        // Informational only (build type and machine load vary): prints the rate.
        const std::vector<Case> cases = loadCases();
        const auto start = std::chrono::steady_clock::now();
        std::size_t n = 0;
        double sink = 0.0;
        for (int round = 0; round < 20; ++round)
            for (const Case& c : cases)
            {
                sink += analyzer().analyze(c.text).polarity;
                ++n;
            }
        const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
        std::cerr << "\n  sentiment: " << static_cast<long>(static_cast<double>(n) / elapsed.count())
                  << " texts/s on one thread (checksum " << sink << ")\n";
        CPPUNIT_ASSERT(std::isfinite(sink));
    }
};

BIRDGATE_TEST_SUITE(SentimentTest);
