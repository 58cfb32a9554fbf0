/* Fixture: needs a newer minor than the host speaks (it might call host
 * functions this host does not have). The host must refuse it. */
#include "fixture_common.h"

FIXTURE_PLUGIN("abi_newer_minor", BIRDGATE_ABI_MAJOR, BIRDGATE_ABI_MINOR + 1, sizeof(birdgate_plugin))
