// Shared by the unit suites. Each suite is its own executable (see
// tests/CMakeLists.txt), so registering in the default registry is enough.
#pragma once

#include <cppunit/extensions/HelperMacros.h>

#include <string>

#define BIRDGATE_TEST_SUITE(Suite) CPPUNIT_TEST_SUITE_REGISTRATION(Suite)

namespace birdgate::test
{
inline std::string dataPath(const std::string& name)
{
    return std::string(BIRDGATE_TEST_DATA) + "/" + name;
}
} // namespace birdgate::test
