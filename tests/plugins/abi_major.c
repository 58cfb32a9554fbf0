/* Fixture: built for the next ABI major. The host must refuse it, naming the
 * file, the plugin's ABI (2.0) and its own (1.0). */
#include "fixture_common.h"

FIXTURE_PLUGIN("abi_major", BIRDGATE_ABI_MAJOR + 1, 0, sizeof(birdgate_plugin))
