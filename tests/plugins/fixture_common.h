/* Shared by the C fixture plugins: a minimal working transform ("echo": its
 * output is its input) and a macro for a descriptor whose head (versions,
 * struct_size) each fixture tweaks to exercise one refusal of the host. */
#ifndef BIRDGATE_FIXTURE_COMMON_H
#define BIRDGATE_FIXTURE_COMMON_H

#include <birdgate/plugin.h>

static const birdgate_host* fx_host;

static inline void* fx_create(const birdgate_host* host, const char* config, size_t len, birdgate_ctx* ctx)
{
    static int instance;
    (void)config;
    (void)len;
    (void)ctx;
    fx_host = host;
    return &instance;
}

static inline int32_t fx_call(void* instance, const char* input, size_t input_len, const char* context,
                              size_t context_len, birdgate_ctx* ctx)
{
    (void)instance;
    (void)context;
    (void)context_len;
    return fx_host->emit(ctx, input, input_len, BIRDGATE_EMIT_JSON);
}

static inline void fx_destroy(void* instance)
{
    (void)instance;
}

/* A plugin with one transform "echo", declaring ABI MAJOR.MINOR and a
 * descriptor struct_size of SIZE. */
#define FIXTURE_PLUGIN(NAME, MAJOR, MINOR, SIZE)                                                                       \
    static const birdgate_transform fx_echo = {sizeof(birdgate_transform), 0, "echo", fx_create, fx_call, fx_destroy}; \
    static const birdgate_transform* const fx_transforms[] = {&fx_echo};                                               \
    static const birdgate_plugin fx_plugin = {(SIZE), (MAJOR), (MINOR), NAME, "0.0.1", fx_transforms, 1, NULL, 0};     \
    BIRDGATE_EXPORT const birdgate_plugin* birdgate_plugin_entry(const birdgate_host* host)                            \
    {                                                                                                                  \
        (void)host;                                                                                                    \
        return &fx_plugin;                                                                                             \
    }

#endif
