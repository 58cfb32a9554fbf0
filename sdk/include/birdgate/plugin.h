/*
 * birdgate/plugin.h -- the birdgate plugin ABI (pure C).
 *
 * A plugin is a shared library `<name>.so` that birdgate finds in one of the
 * folders of `app.plugins`. It exports one symbol, birdgate_plugin_entry, which
 * returns a descriptor naming the plugin's transforms (run over REST answers)
 * and sinks (receive stream lines). Only plain C types cross the boundary: no
 * C++ types, no exceptions, and no memory allocated on one side and freed on
 * the other. C++ authors should use the wrapper <birdgate/plugin.hpp>.
 *
 * This header only ever grows at the end of its structs, like SQLite's
 * extension API table, so a plugin built against an older header keeps loading.
 *
 * ==========================================================================
 * ABI CHANGELOG (newest last; a bump is one line here and one in the macros)
 * ==========================================================================
 *   1.0  first version: birdgate_host {emit, set_error, log};
 *        birdgate_plugin {name, version, transforms, sinks};
 *        birdgate_transform {create, call, destroy};
 *        birdgate_sink {create, write, flush, destroy}.
 *
 * ==========================================================================
 * VERSIONING RULES
 * ==========================================================================
 *  - BIRDGATE_ABI_MAJOR changes only when an existing field changes meaning,
 *    type or place. The host refuses any plugin whose major differs from its own.
 *  - BIRDGATE_ABI_MINOR changes when fields are appended at the END of a struct
 *    (or new constants are added). The host accepts a plugin of its own or an
 *    older minor and refuses a newer one (the plugin may rely on host fields
 *    that this host does not have).
 *  - Every struct starts with `struct_size` = sizeof(the struct) as the writer
 *    compiled it. A reader never touches a field that lies beyond struct_size
 *    (see BIRDGATE_HAS_FIELD); missing fields read as "absent" (NULL / 0).
 *  - Fields are never removed or reordered within a major. A field that is no
 *    longer used stays, documented as ignored.
 *  - New host functions are appended to birdgate_host; a plugin that wants to
 *    use one while still loading on older hosts tests BIRDGATE_HAS_FIELD first.
 *
 * ==========================================================================
 * RESULTS AND ERRORS
 * ==========================================================================
 * Callbacks that can fail return BIRDGATE_OK, BIRDGATE_RETRY (a transient
 * failure, e.g. a disk full or a busy backend: the host may try again later)
 * or BIRDGATE_ERROR. An explanation is handed to the host with
 * host->set_error(ctx, "message"), which COPIES it into a host-owned buffer.
 * The plugin never returns a pointer the host would have to free.
 *
 * ==========================================================================
 * THREADING (summary; each callback says it again)
 * ==========================================================================
 *  - birdgate_plugin_entry: once per load of the library, any thread.
 *  - create / destroy: any thread; possibly concurrently with callbacks on
 *    OTHER instances of the same plugin (protect shared plugin state).
 *  - transform call: CONCURRENTLY on one instance from the host's transform
 *    pool. The instance must be thread-safe, unless the transform sets
 *    BIRDGATE_TRANSFORM_SERIAL in its flags: then the host calls it on one
 *    thread at a time per instance.
 *  - sink write / flush: never concurrently on one instance (the host
 *    serialises them), but possibly from different threads over time.
 *  - host->log: any thread, any time between entry and unload.
 */
#ifndef BIRDGATE_PLUGIN_H
#define BIRDGATE_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C"
{
#endif

    /* ======================================================================== */
    /* Versions, symbols and constants                                          */
    /* ======================================================================== */

#define BIRDGATE_ABI_MAJOR 1
#define BIRDGATE_ABI_MINOR 0

/* The one symbol a plugin exports, as a string (for dlsym and friends). */
#define BIRDGATE_PLUGIN_ENTRY_SYMBOL "birdgate_plugin_entry"

/* Marks the entry point as exported even under -fvisibility=hidden. */
#if defined(_WIN32)
#define BIRDGATE_EXPORT __declspec(dllexport)
#elif defined(__GNUC__) || defined(__clang__)
#define BIRDGATE_EXPORT __attribute__((visibility("default")))
#else
#define BIRDGATE_EXPORT
#endif

/* True when `ptr` (a pointer to a struct that starts with struct_size)
 * contains `field`, i.e. the writer of the struct knew about the field. */
#define BIRDGATE_HAS_FIELD(type, ptr, field) ((ptr)->struct_size >= offsetof(type, field) + sizeof(((type*)0)->field))

    /* Results of a callback (an int32_t on the wire: enum sizes are not portable). */
    enum birdgate_status_code
    {
        BIRDGATE_OK = 0,
        BIRDGATE_RETRY = 1,
        BIRDGATE_ERROR = 2
    };

    /* What a transform's output is (the `kind` of host->emit). */
    enum birdgate_emit_kind
    {
        BIRDGATE_EMIT_JSON = 1,  /* a JSON document: the host parses it */
        BIRDGATE_EMIT_STRING = 2 /* text sent to the client as is */
    };

    /* Levels of host->log, in increasing severity. */
    enum birdgate_log_level
    {
        BIRDGATE_LOG_TRACE = 0,
        BIRDGATE_LOG_DEBUG = 1,
        BIRDGATE_LOG_INFO = 2,
        BIRDGATE_LOG_WARNING = 3,
        BIRDGATE_LOG_ERROR = 4
    };

/* Flags of a birdgate_transform. */
#define BIRDGATE_TRANSFORM_SERIAL 0x1u /* host never runs `call` concurrently on one instance */

    /* ======================================================================== */
    /* The host side                                                            */
    /* ======================================================================== */

    /* Per-callback context.
     * OWNERSHIP: host. Opaque. Valid only during the callback it is passed to;
     * the plugin must not keep it, nor use it after the callback returned, nor
     * from two threads at once. */
    typedef struct birdgate_ctx birdgate_ctx;

    /* The host's function table, passed to birdgate_plugin_entry and to create.
     * OWNERSHIP: host. Valid (and unchanged) from the entry call until the library
     * is unloaded; the plugin may keep the pointer, e.g. for logging.
     * Grows only at its end (see VERSIONING RULES). */
    typedef struct birdgate_host
    {
        uint32_t struct_size; /* sizeof(birdgate_host) as the host compiled it */
        uint32_t abi_major;   /* the host's BIRDGATE_ABI_MAJOR */
        uint32_t abi_minor;   /* the host's BIRDGATE_ABI_MINOR */

        /* ---- ABI 1.0 ---- */

        /* Hands (part of) a transform's output to the host, which COPIES `len`
         * bytes from `bytes` (borrowed; need not be NUL-terminated).
         * Only valid with the ctx of a transform `call`. May be called several
         * times: the pieces are appended. `kind` is a birdgate_emit_kind and must
         * be the same for every piece of one call.
         * A call that returns BIRDGATE_OK without emitting leaves the input
         * unchanged (the input is the output).
         * Returns BIRDGATE_OK, or BIRDGATE_ERROR when the ctx takes no output,
         * the kind is unknown or differs from an earlier piece, or memory ran out.
         * THREADING: on the thread running the callback that received `ctx`. */
        int32_t (*emit)(birdgate_ctx* ctx, const char* bytes, size_t len, int32_t kind);

        /* Explains why the current callback fails. The host COPIES the
         * NUL-terminated `message` (borrowed). The last call wins. Valid with the
         * ctx of create, call, write and flush; ignored when the callback then
         * returns success.
         * THREADING: on the thread running the callback that received `ctx`. */
        void (*set_error)(birdgate_ctx* ctx, const char* message);

        /* Writes `message` (NUL-terminated, borrowed, copied) to birdgate's log
         * under the plugin's name. `level` is a birdgate_log_level.
         * `host` is the pointer the plugin received.
         * THREADING: any thread, any time until unload. */
        void (*log)(const struct birdgate_host* host, int32_t level, const char* message);

        /* ---- new host functions are appended here, with the ABI version ---- */
    } birdgate_host;

    /* ======================================================================== */
    /* The plugin side                                                          */
    /* ======================================================================== */

    /* A transform: rewrites the JSON answer of a REST call.
     * OWNERSHIP: plugin. Must stay valid and unchanged until the library is
     * unloaded (a `static const` object is the usual way). */
    typedef struct birdgate_transform
    {
        uint32_t struct_size; /* sizeof(birdgate_transform) */
        uint32_t flags;       /* BIRDGATE_TRANSFORM_* */
        const char* name;     /* export name: `function: <plugin>.<name>` */

        /* REQUIRED. Makes an instance from the transform's configuration: a JSON
         * object (the keys of the YAML transform entry other than `function`).
         * `config_json` is borrowed, valid during the call, and NUL-terminated
         * (config_json[config_len] == 0).
         * Returns the instance (OWNERSHIP: plugin; opaque to the host, may be any
         * non-NULL pointer), or NULL after host->set_error(ctx, why).
         * THREADING: any thread. */
        void* (*create)(const birdgate_host* host, const char* config_json, size_t config_len, birdgate_ctx* ctx);

        /* REQUIRED. Transforms one answer. `input` is the upstream answer body
         * (JSON); `context_json` a JSON object describing the request:
         *   {"url": <url entry name>, "path": <API path>, "method": "GET",
         *    "args": {<name>: [<values>...]}, "user": <user object or null>}
         * (more keys may appear). Both are borrowed, valid during the call only.
         * Output goes through host->emit(ctx, ...).
         * Returns a birdgate_status_code; on RETRY/ERROR call host->set_error.
         * THREADING: CONCURRENTLY on one instance, from the transform pool,
         * unless flags has BIRDGATE_TRANSFORM_SERIAL. */
        int32_t (*call)(void* instance, const char* input, size_t input_len, const char* context_json,
                        size_t context_len, birdgate_ctx* ctx);

        /* REQUIRED. Frees the instance. Called exactly once, after every call on
         * it has returned. THREADING: any thread. */
        void (*destroy)(void* instance);

        /* ---- new fields are appended here, with the ABI version ---- */
    } birdgate_transform;

    /* A sink: receives the lines of a stream, e.g. to append them to a file.
     * OWNERSHIP: plugin, as for birdgate_transform. */
    typedef struct birdgate_sink
    {
        uint32_t struct_size; /* sizeof(birdgate_sink) */
        uint32_t flags;       /* none defined yet: 0 */
        const char* name;     /* export name: `sink: <plugin>.<name>` */

        /* REQUIRED. As birdgate_transform.create; the config JSON holds the
         * stream's sink keys (e.g. {"path": "tweets.{:%Y-%m-%d}.jsonl"}). */
        void* (*create)(const birdgate_host* host, const char* config_json, size_t config_len, birdgate_ctx* ctx);

        /* REQUIRED. Receives one whole record (one JSON line, without the
         * newline). `bytes` is borrowed, valid during the call only, and NOT
         * necessarily NUL-terminated. Returns a birdgate_status_code.
         * THREADING: never concurrently on one instance. */
        int32_t (*write)(void* instance, const char* bytes, size_t len, birdgate_ctx* ctx);

        /* OPTIONAL (NULL: nothing to flush). Pushes buffered records out; with
         * `sync` non-zero they must also be durable (fsync) on return: the host
         * asks for that on rotation and shutdown. Returns a birdgate_status_code.
         * THREADING: never concurrently with write or flush on one instance. */
        int32_t (*flush)(void* instance, int32_t sync, birdgate_ctx* ctx);

        /* REQUIRED. Frees the instance; the host flushes (sync) before.
         * Called exactly once, after every write/flush on it has returned. */
        void (*destroy)(void* instance);

        /* ---- new fields are appended here, with the ABI version ---- */
    } birdgate_sink;

    /* The descriptor returned by birdgate_plugin_entry.
     * OWNERSHIP: plugin, including every string and array it points to; valid
     * and unchanged until the library is unloaded. */
    typedef struct birdgate_plugin
    {
        uint32_t struct_size; /* sizeof(birdgate_plugin) as the plugin compiled it */
        uint32_t abi_major;   /* BIRDGATE_ABI_MAJOR the plugin was built for */
        uint32_t abi_minor;   /* the oldest minor whose host this plugin works with:
                                 normally BIRDGATE_ABI_MINOR */
        const char* name;     /* the plugin's name, normally its file name without .so */
        const char* version;  /* the plugin's own version, free text (e.g. "1.2.0") */
        /* The five fields above start the descriptor in EVERY major version, so
         * that any host can read which ABI a plugin was built for. */

        /* Arrays of POINTERS (so each element may have its own struct_size). */
        const birdgate_transform* const* transforms;
        size_t transform_count;
        const birdgate_sink* const* sinks;
        size_t sink_count;

        /* ---- new fields are appended here, with the ABI version ---- */
    } birdgate_plugin;

/* The smallest struct_size a host accepts for ABI 1.0 structs. */
#define BIRDGATE_PLUGIN_SIZE_1_0 (offsetof(birdgate_plugin, sink_count) + sizeof(size_t))
#define BIRDGATE_TRANSFORM_SIZE_1_0 (offsetof(birdgate_transform, destroy) + sizeof(void (*)(void*)))
#define BIRDGATE_SINK_SIZE_1_0 (offsetof(birdgate_sink, destroy) + sizeof(void (*)(void*)))

    /* The entry point every plugin defines (with BIRDGATE_EXPORT).
     * `host` OWNERSHIP: host, valid until unload. Returns the plugin's descriptor,
     * or NULL if the plugin cannot work with this host (it may host->log why).
     * THREADING: called once per load of the library, on any thread. */
    typedef const birdgate_plugin* (*birdgate_plugin_entry_fn)(const birdgate_host* host);
    BIRDGATE_EXPORT const birdgate_plugin* birdgate_plugin_entry(const birdgate_host* host);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* BIRDGATE_PLUGIN_H */
