/* Fixture: exports whose create fails, with and without a message. The host
 * must turn that into a PluginError naming plugin, export and message. */
#include "fixture_common.h"

static void* fails_create(const birdgate_host* host, const char* config, size_t len, birdgate_ctx* ctx)
{
    (void)config;
    (void)len;
    host->set_error(ctx, "model file not found: /nonexistent/model.bin");
    return NULL;
}

static void* silent_create(const birdgate_host* host, const char* config, size_t len, birdgate_ctx* ctx)
{
    (void)host;
    (void)config;
    (void)len;
    (void)ctx;
    return NULL;
}

static void* sink_fails_create(const birdgate_host* host, const char* config, size_t len, birdgate_ctx* ctx)
{
    (void)config;
    (void)len;
    host->set_error(ctx, "cannot open /nonexistent/tweets.jsonl");
    return NULL;
}

static int32_t never_write(void* instance, const char* bytes, size_t len, birdgate_ctx* ctx)
{
    (void)instance;
    (void)bytes;
    (void)len;
    (void)ctx;
    return BIRDGATE_ERROR;
}

static const birdgate_transform fails = {sizeof(birdgate_transform), 0, "fails", fails_create, fx_call, fx_destroy};
static const birdgate_transform silent = {
    sizeof(birdgate_transform), 0, "fails_silently", silent_create, fx_call, fx_destroy};
static const birdgate_transform* const transforms[] = {&fails, &silent};
static const birdgate_sink sink_fails = {sizeof(birdgate_sink), 0,    "fails",   sink_fails_create,
                                         never_write,           NULL, fx_destroy};
static const birdgate_sink* const sinks[] = {&sink_fails};
static const birdgate_plugin plugin = {
    sizeof(birdgate_plugin), BIRDGATE_ABI_MAJOR, BIRDGATE_ABI_MINOR, "create_fails", "0.0.1", transforms, 2, sinks, 1};

BIRDGATE_EXPORT const birdgate_plugin* birdgate_plugin_entry(const birdgate_host* host)
{
    (void)host;
    return &plugin;
}
