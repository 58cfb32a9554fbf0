/* Fixture: the descriptor claims ABI 1.0 but its struct_size only covers the
 * head (versions, name, version), not the export arrays. The host must refuse
 * it rather than read past the plugin's struct. */
#include "fixture_common.h"

FIXTURE_PLUGIN("small_descriptor", BIRDGATE_ABI_MAJOR, 0, offsetof(birdgate_plugin, transforms))
