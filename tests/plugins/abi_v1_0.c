/* Fixture: a plugin frozen at ABI 1.0. It deliberately does NOT include
 * plugin.h: it carries its own copy of the 1.0 structs, exactly as a plugin
 * compiled years ago against the 1.0 header would. When the header grows
 * (1.1, 1.2, ...) this plugin must keep loading and working: it is the
 * "older minor is accepted" case. Do not edit these structs when bumping
 * the ABI. */
#include <stddef.h>
#include <stdint.h>

typedef struct v10_ctx v10_ctx;

typedef struct v10_host
{
    uint32_t struct_size;
    uint32_t abi_major;
    uint32_t abi_minor;
    int32_t (*emit)(v10_ctx* ctx, const char* bytes, size_t len, int32_t kind);
    void (*set_error)(v10_ctx* ctx, const char* message);
    void (*log)(const struct v10_host* host, int32_t level, const char* message);
} v10_host;

typedef struct v10_transform
{
    uint32_t struct_size;
    uint32_t flags;
    const char* name;
    void* (*create)(const v10_host* host, const char* config_json, size_t config_len, v10_ctx* ctx);
    int32_t (*call)(void* instance, const char* input, size_t input_len, const char* context_json, size_t context_len,
                    v10_ctx* ctx);
    void (*destroy)(void* instance);
} v10_transform;

typedef struct v10_plugin
{
    uint32_t struct_size;
    uint32_t abi_major;
    uint32_t abi_minor;
    const char* name;
    const char* version;
    const v10_transform* const* transforms;
    size_t transform_count;
    const void* const* sinks;
    size_t sink_count;
} v10_plugin;

static const v10_host* v10_the_host;

static void* v10_create(const v10_host* host, const char* config, size_t len, v10_ctx* ctx)
{
    static int instance;
    (void)config;
    (void)len;
    (void)ctx;
    v10_the_host = host;
    return &instance;
}

static int32_t v10_call(void* instance, const char* input, size_t input_len, const char* context, size_t context_len,
                        v10_ctx* ctx)
{
    static const char answer[] = "{\"built_for\":\"1.0\"}";
    (void)instance;
    (void)input;
    (void)input_len;
    (void)context;
    (void)context_len;
    return v10_the_host->emit(ctx, answer, sizeof(answer) - 1, 1 /* JSON */);
}

static void v10_destroy(void* instance)
{
    (void)instance;
}

static const v10_transform v10_version = {sizeof(v10_transform), 0, "version", v10_create, v10_call, v10_destroy};
static const v10_transform* const v10_transforms[] = {&v10_version};
static const v10_plugin v10_descriptor = {sizeof(v10_plugin), 1, 0, "abi_v1_0", "1.0.0", v10_transforms, 1, NULL, 0};

__attribute__((visibility("default"))) const v10_plugin* birdgate_plugin_entry(const v10_host* host);

const v10_plugin* birdgate_plugin_entry(const v10_host* host)
{
    (void)host;
    return &v10_descriptor;
}
