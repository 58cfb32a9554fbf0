// The one test driver, linked into every suite's executable: runs the suites
// registered in the default registry, or only the tests named on the command
// line (e.g. `OAuth1Test OAuth1Test::testSignatureVectors`).
#include <cppunit/BriefTestProgressListener.h>
#include <cppunit/CompilerOutputter.h>
#include <cppunit/TestResult.h>
#include <cppunit/TestResultCollector.h>
#include <cppunit/TestRunner.h>
#include <cppunit/extensions/TestFactoryRegistry.h>

#include <iostream>

int main(int argc, char** argv)
{
    CppUnit::TestRunner runner;
    runner.addTest(CppUnit::TestFactoryRegistry::getRegistry().makeTest());
    CppUnit::TestResult controller;
    CppUnit::TestResultCollector result;
    controller.addListener(&result);
    CppUnit::BriefTestProgressListener progress;
    controller.addListener(&progress);
    runner.run(controller, argc > 1 ? argv[1] : "");
    CppUnit::CompilerOutputter outputter(&result, std::cerr);
    outputter.write();
    if (result.runTests() == 0)
    {
        std::cerr << "no test ran: unknown suite name?\n";
        return 1;
    }
    return result.wasSuccessful() ? 0 : 1;
}
