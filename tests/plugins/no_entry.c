/* Fixture: a shared library that is not a birdgate plugin (its entry point is
 * misspelt). The host must refuse it and say which symbol it looked for. */
#include <birdgate/plugin.h>

BIRDGATE_EXPORT int birdgate_plugin_entri(void);

BIRDGATE_EXPORT int birdgate_plugin_entri(void)
{
    return 42;
}
