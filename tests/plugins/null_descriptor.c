/* Fixture: the entry point returns NULL (a plugin that cannot work with this
 * host). The host must refuse it with a clear message. */
#include <birdgate/plugin.h>

BIRDGATE_EXPORT const birdgate_plugin* birdgate_plugin_entry(const birdgate_host* host)
{
    (void)host;
    return NULL;
}
