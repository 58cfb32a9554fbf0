/* Fixture: a well-formed C plugin whose exports report failures through the
 * ABI (no exceptions here): ERROR or RETRY with a message, ERROR without one,
 * an unknown status code, and misuses of emit the host must refuse. */
#include <birdgate/plugin.h>

#include <string.h>

typedef struct instance
{
    const birdgate_host* host;
    int32_t emit_in_create; /* what host->emit answered when tried from create */
} instance;

static instance* the(void* p)
{
    return (instance*)p;
}

static void* create(const birdgate_host* host, const char* config, size_t len, birdgate_ctx* ctx)
{
    static instance one;
    (void)config;
    (void)len;
    one.host = host;
    /* create's ctx takes no output: the host must answer ERROR. */
    one.emit_in_create = host->emit(ctx, "1", 1, BIRDGATE_EMIT_JSON);
    return &one;
}

static void destroy(void* p)
{
    (void)p;
}

static int32_t error_call(void* p, const char* in, size_t n, const char* c, size_t cn, birdgate_ctx* ctx)
{
    (void)in;
    (void)n;
    (void)c;
    (void)cn;
    the(p)->host->emit(ctx, "\"partial\"", 9, BIRDGATE_EMIT_JSON); /* discarded: the call fails */
    the(p)->host->set_error(ctx, "first message, replaced");
    the(p)->host->set_error(ctx, "upstream answer has no 'statuses' array");
    return BIRDGATE_ERROR;
}

static int32_t retry_call(void* p, const char* in, size_t n, const char* c, size_t cn, birdgate_ctx* ctx)
{
    (void)in;
    (void)n;
    (void)c;
    (void)cn;
    the(p)->host->set_error(ctx, "scoring backend busy");
    return BIRDGATE_RETRY;
}

static int32_t silent_call(void* p, const char* in, size_t n, const char* c, size_t cn, birdgate_ctx* ctx)
{
    (void)p;
    (void)in;
    (void)n;
    (void)c;
    (void)cn;
    (void)ctx;
    return BIRDGATE_ERROR;
}

static int32_t bogus_call(void* p, const char* in, size_t n, const char* c, size_t cn, birdgate_ctx* ctx)
{
    (void)p;
    (void)in;
    (void)n;
    (void)c;
    (void)cn;
    (void)ctx;
    return 99;
}

/* Emits JSON, then tries a string piece (must be refused), then an unknown
 * kind (must be refused); reports what the host answered. */
static int32_t probe_call(void* p, const char* in, size_t n, const char* c, size_t cn, birdgate_ctx* ctx)
{
    const birdgate_host* host = the(p)->host;
    char report[160];
    int32_t mixed;
    int32_t unknown;
    (void)in;
    (void)n;
    (void)c;
    (void)cn;
    if (host->emit(ctx, "{\"emit_in_create\":", 18, BIRDGATE_EMIT_JSON) != BIRDGATE_OK) return BIRDGATE_ERROR;
    mixed = host->emit(ctx, "x", 1, BIRDGATE_EMIT_STRING);
    unknown = host->emit(ctx, "x", 1, 7);
    strcpy(report, the(p)->emit_in_create == BIRDGATE_ERROR ? "\"refused\"" : "\"accepted\"");
    strcat(report, mixed == BIRDGATE_ERROR ? ",\"mixed\":\"refused\"" : ",\"mixed\":\"accepted\"");
    strcat(report, unknown == BIRDGATE_ERROR ? ",\"unknown_kind\":\"refused\"}" : ",\"unknown_kind\":\"accepted\"}");
    return host->emit(ctx, report, strlen(report), BIRDGATE_EMIT_JSON);
}

static int32_t string_call(void* p, const char* in, size_t n, const char* c, size_t cn, birdgate_ctx* ctx)
{
    (void)in;
    (void)n;
    (void)c;
    (void)cn;
    return the(p)->host->emit(ctx, "plain text, not JSON", 20, BIRDGATE_EMIT_STRING);
}

static int32_t sink_write(void* p, const char* bytes, size_t len, birdgate_ctx* ctx)
{
    (void)bytes;
    (void)len;
    the(p)->host->set_error(ctx, "disk full");
    return BIRDGATE_RETRY;
}

#define T(NAME, CALL)                                                                                                  \
    {                                                                                                                  \
        sizeof(birdgate_transform), 0, NAME, create, CALL, destroy                                                     \
    }
static const birdgate_transform t_error = T("error", error_call);
static const birdgate_transform t_retry = T("retry", retry_call);
static const birdgate_transform t_silent = T("silent_error", silent_call);
static const birdgate_transform t_bogus = T("bogus_status", bogus_call);
static const birdgate_transform t_probe = T("emit_probe", probe_call);
static const birdgate_transform t_string = T("string", string_call);
static const birdgate_transform* const transforms[] = {&t_error, &t_retry, &t_silent, &t_bogus, &t_probe, &t_string};
/* No flush: the optional callback is left NULL. */
static const birdgate_sink s_full = {sizeof(birdgate_sink), 0, "full", create, sink_write, NULL, destroy};
static const birdgate_sink* const sinks[] = {&s_full};
static const birdgate_plugin plugin = {sizeof(birdgate_plugin),
                                       BIRDGATE_ABI_MAJOR,
                                       BIRDGATE_ABI_MINOR,
                                       "erroring",
                                       "0.0.1",
                                       transforms,
                                       sizeof(transforms) / sizeof(transforms[0]),
                                       sinks,
                                       1};

BIRDGATE_EXPORT const birdgate_plugin* birdgate_plugin_entry(const birdgate_host* host)
{
    (void)host;
    return &plugin;
}
