/* Fixture: an export lacks a required callback: transform "half" has no
 * `call` or, built with -DMISSING_SINK_WRITE, sink "half" has no `write`.
 * The host must refuse the plugin at load, naming the export and callback. */
#include "fixture_common.h"

static const birdgate_transform fx_echo = {sizeof(birdgate_transform), 0, "echo", fx_create, fx_call, fx_destroy};
#ifdef MISSING_SINK_WRITE
#define FX_NAME "missing_sink_write"
static const birdgate_transform* const fx_transforms[] = {&fx_echo};
static const birdgate_sink fx_half = {sizeof(birdgate_sink), 0, "half", fx_create, NULL, NULL, fx_destroy};
static const birdgate_sink* const fx_sinks[] = {&fx_half};
#define FX_SINKS fx_sinks, 1
#else
#define FX_NAME "missing_callback"
static const birdgate_transform fx_half = {sizeof(birdgate_transform), 0, "half", fx_create, NULL, fx_destroy};
static const birdgate_transform* const fx_transforms[] = {&fx_echo, &fx_half};
#define FX_SINKS NULL, 0
#endif

static const birdgate_plugin fx_plugin = {sizeof(birdgate_plugin),
                                          BIRDGATE_ABI_MAJOR,
                                          BIRDGATE_ABI_MINOR,
                                          FX_NAME,
                                          "0.0.1",
                                          fx_transforms,
                                          sizeof(fx_transforms) / sizeof(fx_transforms[0]),
                                          FX_SINKS};

BIRDGATE_EXPORT const birdgate_plugin* birdgate_plugin_entry(const birdgate_host* host)
{
    (void)host;
    return &fx_plugin;
}
