/* binding: the Lua scenario loader (see binding.h).
 *
 * One load = one Lua state, created, used and closed inside dessa_scenario_load: the scenario
 * runs once in the sandbox the prelude (the modules in lua/dessa, embedded) builds, and the SPEC it
 * leaves is copied into C structures by spec_read (spec.h). Nothing here is process-wide, so
 * several threads may load and build at once.
 *
 * Every Lua API call runs inside one lua_pcall (load_main), with a message handler (msgh) that
 * turns odd error objects into located text and appends a traceback to internal errors; a panic
 * function is set for the impossible case. The scenario's resources are bounded: instructions
 * and wall-clock time by a count hook that, once exhausted, fails every later instruction (so
 * pcall cannot swallow it), set by a watchdog once the load has run half a CPU second; memory
 * by the allocator wrapper (lua_alloc). The watchdog's signal handler (SIGRTMIN) is
 * process-wide. */
#define _XOPEN_SOURCE 700   /* realpath */
#define _DEFAULT_SOURCE     /* syscall(SYS_gettid), for a timer signalling one thread */
#include "binding.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <lauxlib.h>
#include <limits.h>
#include <lua.h>
#include <lualib.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/rng.h"
#include "spec.h"

/* The prelude modules, embedded by lua/embed.cmake. */
typedef struct dessa_module {
    const char *name;
    const unsigned char *src;
    size_t len;
} dessa_module;
extern const dessa_module dessa_modules[];
extern const size_t dessa_nmodules;

/* The prelude modules compiled once per process (Lua bytecode, debug information kept, so
 * messages still name lua/dessa/<name>.lua and its lines): every scenario load, one per sweep
 * point, used to compile some 4 000 lines of Lua again. Built under pthread_once; a module
 * whose compilation failed (out of memory) is loaded from its text as before. */
typedef struct compiled_module {
    char *code;
    size_t len, cap;
} compiled_module;
static compiled_module *compiled;
static pthread_once_t compiled_once = PTHREAD_ONCE_INIT;

static int dump_writer(lua_State *L, const void *p, size_t n, void *ud)
{
    (void)L;
    compiled_module *c = ud;
    if (c->len + n > c->cap) {
        size_t cap = (c->len + n) * 2;
        char *code = realloc(c->code, cap);
        if (!code)
            return 1;
        c->code = code;
        c->cap = cap;
    }
    memcpy(c->code + c->len, p, n);
    c->len += n;
    return 0;
}

/* Compiles, in a Lua state of its own, the modules not taken yet (*next: the first of them),
 * until none is left. */
static void *compile_some(void *arg)
{
    atomic_size_t *next = arg;
    lua_State *L = luaL_newstate();
    for (size_t i; L && (i = atomic_fetch_add(next, 1)) < dessa_nmodules;) {
        const dessa_module *m = &dessa_modules[i];
        char name[96];
        snprintf(name, sizeof name, "@lua/dessa/%s.lua", m->name);
        if (luaL_loadbufferx(L, (const char *)m->src, m->len, name, "t") != LUA_OK ||
            lua_dump(L, dump_writer, &compiled[i], 0) != 0) {
            free(compiled[i].code);
            compiled[i] = (compiled_module){ 0 };
        }
        lua_settop(L, 0);
    }
    if (L)
        lua_close(L);
    return NULL;
}

/* Two threads share the modules: the first load of a process waits for them all, and in a
 * sweep that load (the one that expands the points) is serial. */
static void compile_modules(void)
{
    compiled = calloc(dessa_nmodules, sizeof *compiled);
    if (!compiled)
        return;
    atomic_size_t next;
    atomic_init(&next, 0);
    pthread_t th;
    int helper = pthread_create(&th, NULL, compile_some, &next) == 0;
    compile_some(&next);
    if (helper)
        pthread_join(th, NULL);
}

/* Limits of one scenario load (docs/lua-api.md, "Limits"). */
#define SCENARIO_INSTRUCTIONS 200000000LL   /* Lua instructions, prelude work included */
#define SCENARIO_SECONDS 10.0               /* wall-clock seconds, unless DESSA_LOAD_SECONDS says */
#define SCENARIO_SECONDS_MAX 86400.0
#define SCENARIO_MEMORY ((size_t)2 << 30)   /* bytes held by the Lua state */
#define SCENARIO_FILE_MAX ((size_t)64 << 20)   /* bytes of a scenario or data file */
#define PRINT_BUFFER_MAX ((size_t)1 << 20)  /* print output held back while the seed is open */
#define HOOK_EVERY 10000
#define GUARD_ARM_MS 500          /* a load's CPU milliseconds before the guard's hook is set */

enum { PRINT_DIRECT, PRINT_BUFFER, PRINT_DROP };

struct dessa_scenario {
    spec spec;
    uint64_t seed;            /* the seed math.random was seeded with */
    int has_seed;             /* --seed given */
};

/* Lua's small blocks (at most SMALL_MAX bytes: the strings, tables, closures and upvalues a
 * scenario's constructors make by the hundred per component) come from slabs of SLAB_BYTES,
 * carved in classes of SMALL_STEP bytes, each class with a free list; the slabs go back to the
 * engine's allocator when the load ends. No header per block (Lua gives a block's size when it
 * frees it), no search: a load of 10^4 components makes millions of them. */
#define SMALL_MAX 256
#define SMALL_STEP 16
#define SMALL_CLASSES (SMALL_MAX / SMALL_STEP)
#define SLAB_BYTES (((size_t)64 << 10) - 256)   /* under the mmap threshold of main.c */

typedef struct small_heap {
    void *free[SMALL_CLASSES];   /* each free block's first word links the next */
    char *cur, *end;             /* what is left of the newest slab */
    void *slabs;                 /* the slabs, linked through their first word */
} small_heap;

/* The state of one load; the Lua state's extra space points to it. */
typedef struct loader {
    lua_State *L;
    const char *path;
    const dessa_load_opts *opts;
    spec *spec;
    sim_rng rng;              /* math.random */
    char *src;                /* the scenario's text */
    size_t srclen;
    char chunk[PATH_MAX + 2]; /* "@path" */
    char dir[PATH_MAX];       /* the scenario's directory, resolved */
    int data_fd;              /* a data file being read (closed on any exit) */
    /* limits */
    int watched;              /* the watchdog timer below exists */
    timer_t watchdog;         /* sets the guard's hook after GUARD_ARM_MS of the thread's CPU */
    long long budget;
    double seconds;           /* the wall-clock limit of the load */
    double deadline;
    int running, stopped;
    char stop_msg[PATH_MAX + 128];
    size_t mem;
    small_heap heap;          /* Lua's small blocks */
    int mem_capped;           /* an allocation was refused by the cap */
    char oom_where[PATH_MAX + 32];
    /* print output */
    int print_mode;
    char *out;
    size_t outlen, outcap;
    jmp_buf *panic;
    int frame_source;         /* registry reference: the source frame() returned last */
} loader;

static loader *get_loader(lua_State *L) { return *(loader **)lua_getextraspace(L); }

/* The runaway guard's clock, read at every function call of the scenario and the prelude: the
 * coarse monotonic clock (a few milliseconds of resolution against a limit of seconds) is read
 * from memory, where the precise one may cost a hypervisor's clock read each time. */
static double now(void)
{
    struct timespec ts;
#ifdef CLOCK_MONOTONIC_COARSE
    if (clock_gettime(CLOCK_MONOTONIC_COARSE, &ts) != 0)
#endif
        clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* ---- locations ---------------------------------------------------------------------- */

static int is_prelude_source(const char *source)
{
    return !strncmp(source, "@lua/dessa/", 11);
}

/* "file:line" of the innermost Lua frame outside the prelude, from level on; 0 if none. Reads
 * the call chain only (no allocation), so it may run inside the allocator. */
static int scenario_where(lua_State *L, int level, char *buf, size_t len)
{
    lua_Debug ar;
    for (; lua_getstack(L, level, &ar); level++) {
        if (!lua_getinfo(L, "Sl", &ar))
            continue;
        if (ar.currentline > 0 && !is_prelude_source(ar.source)) {
            snprintf(buf, len, "%s:%d", ar.short_src, ar.currentline);
            return 1;
        }
    }
    return 0;
}

/* ---- memory -------------------------------------------------------------------------- */

static void note_oom(loader *ld, int capped)
{
    ld->mem_capped |= capped;
    if (ld->running && !scenario_where(ld->L, 0, ld->oom_where, sizeof ld->oom_where))
        ld->oom_where[0] = 0;
}

static size_t small_class(size_t n) { return (n - 1) / SMALL_STEP; }

/* A block of class c, or NULL when out of memory. */
static void *small_get(small_heap *h, size_t c)
{
    void *p = h->free[c];
    if (p) {
        h->free[c] = *(void **)p;
        return p;
    }
    size_t n = (c + 1) * SMALL_STEP;
    if ((size_t)(h->end - h->cur) < n) {
        char *slab = sim_malloc(SLAB_BYTES);
        if (!slab)
            return NULL;
        *(void **)slab = h->slabs;
        h->slabs = slab;
        h->cur = slab + SMALL_STEP;   /* the link, and the blocks' alignment */
        h->end = slab + SLAB_BYTES;
    }
    p = h->cur;
    h->cur += n;
    return p;
}

static void small_put(small_heap *h, void *p, size_t size)
{
    size_t c = small_class(size);
    *(void **)p = h->free[c];
    h->free[c] = p;
}

/* Gives the slabs back (after lua_close: no block is in use any more). */
static void small_fini(small_heap *h)
{
    while (h->slabs) {
        void *next = *(void **)h->slabs;
        sim_free(h->slabs);
        h->slabs = next;
    }
    memset(h, 0, sizeof *h);
}

/* A block of nsize bytes holding the first bytes of ptr (a block of osize, or NULL): small
 * blocks from the slabs, larger ones from the engine's seam. NULL when out of memory (ptr is
 * then untouched). */
static void *heap_realloc(small_heap *h, void *ptr, size_t osize, size_t nsize)
{
    size_t old = ptr ? osize : 0;
    if (nsize == 0) {
        if (ptr && old <= SMALL_MAX)
            small_put(h, ptr, old);
        else if (ptr)
            sim_lua_alloc(NULL, ptr, osize, 0);
        return NULL;
    }
    if (ptr && old > SMALL_MAX && nsize > SMALL_MAX)
        return sim_lua_alloc(NULL, ptr, osize, nsize);
    if (ptr && old <= SMALL_MAX && nsize <= SMALL_MAX && small_class(old) == small_class(nsize))
        return ptr;   /* the same class: the block already fits */
    void *p = nsize <= SMALL_MAX ? small_get(h, small_class(nsize))
                                 : sim_lua_alloc(NULL, NULL, 0, nsize);
    if (p && ptr) {
        memcpy(p, ptr, old < nsize ? old : nsize);
        heap_realloc(h, ptr, osize, 0);
    }
    return p;
}

/* The Lua allocator: the engine's seam (through the slabs of small blocks), with the scenario's
 * memory cap. */
static void *lua_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    loader *ld = ud;
    size_t old = ptr ? osize : 0;
    if (nsize == 0) {
        heap_realloc(&ld->heap, ptr, osize, 0);
        ld->mem -= old;
        return NULL;
    }
    if (nsize > old && nsize - old > SCENARIO_MEMORY - ld->mem) {
        note_oom(ld, 1);
        return NULL;
    }
    void *p = heap_realloc(&ld->heap, ptr, osize, nsize);
    if (!p) {
        note_oom(ld, 0);
        return NULL;
    }
    ld->mem = ld->mem - old + nsize;
    return p;
}

/* ---- the runaway guard ------------------------------------------------------------------ */

/* Runs every HOOK_EVERY instructions and at every function call: the count bounds the Lua
 * instructions, the call event bounds the time spent in a loop of slow C calls (each C call is
 * bounded by the sandbox, so the clock is overrun by one call at most). */
static void budget_hook(lua_State *L, lua_Debug *ar)
{
    loader *ld = get_loader(L);
    if (!ld->stopped) {
        if (ar->event == LUA_HOOKCOUNT)
            ld->budget -= HOOK_EVERY;
        int out_of_time = now() > ld->deadline;
        if (ld->budget > 0 && !out_of_time)
            return;
        char where[PATH_MAX + 32];
        if (!scenario_where(L, 0, where, sizeof where))
            snprintf(where, sizeof where, "%s", ld->path);
        char limit[64];
        if (out_of_time)
            snprintf(limit, sizeof limit, "%g seconds", ld->seconds);
        else
            snprintf(limit, sizeof limit, "200 million Lua instructions");
        snprintf(ld->stop_msg, sizeof ld->stop_msg,
                 "%s: scenario ran too long (more than %s; an endless loop?)", where, limit);
        ld->stopped = 1;
        /* From now on every instruction and call fails, so no pcall can carry on. */
        lua_sethook(L, budget_hook, LUA_MASKCOUNT | LUA_MASKCALL, 1);
    }
    lua_pushstring(L, ld->stop_msg);
    lua_error(L);
}

/* ---- the watchdog ------------------------------------------------------------------------ */

/* The guard's hook costs the load a fifth of its time however rarely it runs: with a count hook
 * set, Lua 5.4 traps every instruction. So a load starts without it, and a timer on the loading
 * thread's CPU clock sets it once the load has run GUARD_ARM_MS; from then on the budget of
 * SCENARIO_INSTRUCTIONS is counted and the wall clock checked at every call, as before. A load
 * that ends sooner never pays for the guard; a runaway one stops GUARD_ARM_MS later than it
 * would with the hook set from the start, with the same message. lua_sethook may be called from
 * a signal handler (lua.c stops a script on Ctrl-C so): the timer's signal goes to the thread
 * that loads (SIGEV_THREAD_ID), whose load in progress is a thread-local pointer, so loads on
 * several threads each have their own timer. Where no such timer can be made, the hook is set
 * at once. */
#if defined(__linux__) && defined(SIGEV_THREAD_ID)
#ifndef sigev_notify_thread_id
#define sigev_notify_thread_id _sigev_un._tid
#endif
static _Thread_local loader *volatile watched_load;   /* the load in progress on this thread */
static pthread_once_t watchdog_once = PTHREAD_ONCE_INIT;
static int watchdog_ok;

static void arm_guard(loader *ld)
{
    lua_sethook(ld->L, budget_hook, LUA_MASKCOUNT | LUA_MASKCALL, HOOK_EVERY);
}

static void on_watchdog(int sig)
{
    (void)sig;
    loader *ld = watched_load;
    if (ld && ld->running && !ld->stopped)
        arm_guard(ld);
}

static void watchdog_init(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_watchdog;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    watchdog_ok = sigaction(SIGRTMIN, &sa, NULL) == 0;
}

/* Starts the watchdog of ld's load on this thread; when it cannot, sets the hook at once. */
static void watchdog_start(loader *ld)
{
    pthread_once(&watchdog_once, watchdog_init);
    struct sigevent ev;
    memset(&ev, 0, sizeof ev);
    ev.sigev_notify = SIGEV_THREAD_ID;
    ev.sigev_signo = SIGRTMIN;
    ev.sigev_notify_thread_id = (pid_t)syscall(SYS_gettid);
    struct itimerspec when = { .it_value = { .tv_nsec = GUARD_ARM_MS * 1000000L } };
    watched_load = ld;
    if (watchdog_ok && timer_create(CLOCK_THREAD_CPUTIME_ID, &ev, &ld->watchdog) == 0) {
        ld->watched = 1;
        if (timer_settime(ld->watchdog, 0, &when, NULL) == 0)
            return;
    }
    arm_guard(ld);
}

/* Stops the watchdog (a no-op when none runs); a signal already sent finds no load. */
static void watchdog_stop(loader *ld)
{
    watched_load = NULL;
    if (ld->watched)
        timer_delete(ld->watchdog);
    ld->watched = 0;
}
#else
static void watchdog_start(loader *ld)
{
    lua_sethook(ld->L, budget_hook, LUA_MASKCOUNT | LUA_MASKCALL, HOOK_EVERY);
}
static void watchdog_stop(loader *ld) { (void)ld; }
#endif

/* ---- errors ---------------------------------------------------------------------------- */

/* True when text starts with a position "file:line:" (the file part without ": "), as Lua and
 * the prelude write them. */
static int has_position(const char *text)
{
    for (const char *p = text; *p; p++) {
        if (p[0] == ':' && p[1] == ' ')
            return 0;
        if (p[0] == ':' && p > text && isdigit((unsigned char)p[1])) {
            const char *q = p + 1;
            while (isdigit((unsigned char)*q))
                q++;
            if (*q == ':')
                return 1;
        }
    }
    return 0;
}

/* Escapes control characters the way the prelude's fail() does: \n, \t, else \<decimal>. */
static size_t escape_into(const char *s, size_t len, char *out, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        char tmp[8];
        if (c == '\n')
            snprintf(tmp, sizeof tmp, "\\n");
        else if (c == '\t')
            snprintf(tmp, sizeof tmp, "\\t");
        else if (c < 32 || c == 127)
            snprintf(tmp, sizeof tmp, "\\%d", c);
        else {
            tmp[0] = (char)c;
            tmp[1] = 0;
        }
        for (const char *t = tmp; *t; t++) {
            if (out && n + 1 < cap)
                out[n] = *t;
            n++;
        }
    }
    if (out && cap)
        out[n < cap ? n : cap - 1] = 0;
    return n;
}

/* Pushes the string at idx with control characters escaped. */
static void push_escaped(lua_State *L, int idx)
{
    size_t len;
    const char *s = lua_tolstring(L, idx, &len);
    if (len > 65536)   /* only the start of a huge message is ever shown */
        len = 65536;
    luaL_Buffer b;
    size_t n = escape_into(s, len, NULL, 0);
    char *out = luaL_buffinitsize(L, &b, n + 1);
    escape_into(s, len, out, n + 1);
    luaL_pushresultsize(&b, n);
}

/* Escapes control characters of the message in buf (len bytes of room), in place. */
static void escape_message(char *buf, size_t len)
{
    char tmp[1024];
    size_t n = strlen(buf);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)buf[i];
        if (c < 32 || c == 127) {
            escape_into(buf, n, tmp, sizeof tmp < len ? sizeof tmp : len);
            memcpy(buf, tmp, strlen(tmp) + 1);
            return;
        }
    }
}

/* The message handler: a located one-line message for any error object; internal errors (raised
 * in the prelude other than through its fail()) get a traceback after the first line. */
static int msgh(lua_State *L)
{
    loader *ld = get_loader(L);
    if (ld->stopped) {
        lua_pushstring(L, ld->stop_msg);
        push_escaped(L, -1);
        return 1;
    }
    /* The innermost Lua frame: prelude code through fail() (a finished message), other prelude
     * code (an internal error: traceback), or scenario code. */
    lua_Debug ar;
    int internal = 0, from_fail = 0;
    for (int level = 1; lua_getstack(L, level, &ar); level++) {
        lua_getinfo(L, "Sf", &ar);
        if (!strcmp(ar.what, "C")) {
            lua_pop(L, 1);
            continue;
        }
        lua_getfield(L, LUA_REGISTRYINDEX, "dessa.fail");
        from_fail = lua_rawequal(L, -1, -2);
        internal = is_prelude_source(ar.source) && !from_fail;
        lua_pop(L, 2);
        break;
    }
    char where[PATH_MAX + 32];
    int located = scenario_where(L, 1, where, sizeof where);
    int t = lua_type(L, 1);
    if (t == LUA_TNIL)
        lua_pushfstring(L, "%s: error object is nil", located ? where : ld->path);
    else if (t == LUA_TNUMBER || t == LUA_TBOOLEAN)
        lua_pushfstring(L, "%s: %s", located ? where : ld->path, luaL_tolstring(L, 1, NULL));
    else if (t != LUA_TSTRING)
        lua_pushfstring(L, "%s: error object is a %s", located ? where : ld->path,
                        luaL_typename(L, 1));
    else if (!from_fail && !internal && !has_position(lua_tostring(L, 1)))
        lua_pushfstring(L, "%s: %s", located ? where : ld->path, lua_tostring(L, 1));
    else
        lua_pushvalue(L, 1);
    /* Every message stays one line: control characters (newlines, terminal escapes) escaped. */
    push_escaped(L, -1);
    lua_remove(L, -2);
    if (internal)
        luaL_traceback(L, L, lua_tostring(L, -1), 1);
    return 1;
}

static int panic(lua_State *L)
{
    loader *ld = get_loader(L);
    if (ld && ld->panic)
        longjmp(*ld->panic, 1);
    fprintf(stderr, "error: unprotected Lua error: %s\n", lua_tostring(L, -1));
    abort();
}

/* ---- functions given to the prelude --------------------------------------------------- */

/* math.random for scenarios, from a named stream seeded with the effective seed. */
static int l_random(lua_State *L)
{
    loader *ld = get_loader(L);
    int n = lua_gettop(L);
    if (n == 0) {
        lua_pushnumber(L, sim_rng_uniform(&ld->rng));
        return 1;
    }
    lua_Integer lo = 1, hi;
    if (n == 1) {
        hi = luaL_checkinteger(L, 1);
    } else {
        lo = luaL_checkinteger(L, 1);
        hi = luaL_checkinteger(L, 2);
    }
    luaL_argcheck(L, lo <= hi, n, "interval is empty");
    uint64_t span = (uint64_t)hi - (uint64_t)lo + 1;
    uint64_t x = span ? sim_rng_below(&ld->rng, span) : sim_rng_next(&ld->rng);
    lua_pushinteger(L, (lua_Integer)((uint64_t)lo + x));
    return 1;
}

static void out_write(loader *ld, const char *s, size_t len)
{
    if (ld->print_mode == PRINT_BUFFER && ld->outlen + len <= PRINT_BUFFER_MAX) {
        if (ld->outlen + len > ld->outcap) {
            size_t cap = ld->outcap ? ld->outcap : 4096;
            while (cap < ld->outlen + len)
                cap *= 2;
            char *p = sim_realloc(ld->out, cap);
            if (!p)
                goto direct;
            ld->out = p;
            ld->outcap = cap;
        }
        memcpy(ld->out + ld->outlen, s, len);
        ld->outlen += len;
        return;
    }
direct:
    if (ld->print_mode != PRINT_DROP)
        fwrite(s, 1, len, stderr);
}

/* emit(text): the scenario's print output and the prelude's warnings. */
static int l_emit(lua_State *L)
{
    size_t len;
    const char *s = luaL_checklstring(L, 1, &len);
    out_write(get_loader(L), s, len);
    return 0;
}

/* stopped(): true once the scenario ran out of time or instructions. The message handler of
 * xpcall runs with hooks off when the error came from the hook, so the sandbox's xpcall asks
 * this first and skips the scenario's handler. */
static int l_stopped(lua_State *L)
{
    lua_pushboolean(L, get_loader(L)->stopped);
    return 1;
}

/* table_new(narr, nrec): an empty table with room for narr list entries and nrec fields, so a
 * record whose size the prelude knows is not grown (and rehashed) field by field. */
static int l_table_new(lua_State *L)
{
    lua_Integer a = luaL_checkinteger(L, 1), h = luaL_checkinteger(L, 2);
    luaL_argcheck(L, a >= 0 && a <= 1024, 1, "out of range");
    luaL_argcheck(L, h >= 0 && h <= 1024, 2, "out of range");
    lua_createtable(L, (int)a, (int)h);
    return 1;
}

/* frame(): the first stack frame that is Lua code outside the prelude, as the prelude's
 * scenario_frame finds it with debug.getinfo, but without building a table per frame (a
 * constructor asks for its location several times, so a model of 10 000 services asked it
 * some 60 000 times): returns "short_src:line", short_src and source, or nothing. Level 0 is
 * this function; the frames above it are the prelude's, skipped like any other. */
static int l_frame(lua_State *L)
{
    lua_Debug ar;
    for (int level = 1; lua_getstack(L, level, &ar); level++) {
        if (!lua_getinfo(L, "Sl", &ar) || !strcmp(ar.what, "C") || is_prelude_source(ar.source))
            continue;
        /* "short_src:line" without a format (this runs several times per constructor). */
        char where[LUA_IDSIZE + 24], digits[24];
        size_t n = strlen(ar.short_src), k = 0;
        memcpy(where, ar.short_src, n);
        where[n++] = ':';
        long line = ar.currentline;
        if (line < 0) {
            where[n++] = '-';
            line = -line;
        }
        do
            digits[k++] = (char)('0' + line % 10);
        while ((line /= 10) > 0);
        while (k > 0)
            where[n++] = digits[--k];
        lua_pushlstring(L, where, n);
        lua_pushstring(L, ar.short_src);
        /* The source as the same string as the last call's when it is the same text, so the
         * prelude's table of frames finds it without hashing a new long string. */
        loader *ld = get_loader(L);
        size_t len = 0;
        const char *last = NULL;
        if (ld->frame_source != LUA_NOREF) {
            lua_rawgeti(L, LUA_REGISTRYINDEX, ld->frame_source);
            last = lua_tolstring(L, -1, &len);
            if (last && len == ar.srclen && !memcmp(last, ar.source, len))
                return 3;
            lua_pop(L, 1);
            luaL_unref(L, LUA_REGISTRYINDEX, ld->frame_source);
            ld->frame_source = LUA_NOREF;
        }
        lua_pushlstring(L, ar.source, ar.srclen);
        lua_pushvalue(L, -1);
        ld->frame_source = luaL_ref(L, LUA_REGISTRYINDEX);
        return 3;
    }
    return 0;
}

/* Opens path for reading: a regular file of at most SCENARIO_FILE_MAX bytes (FIFOs and devices
 * are refused without blocking). Returns the descriptor and its size, or -1 with errno set
 * (EINVAL: not a regular file, EFBIG: too large). */
static int open_regular(const char *path, size_t *size)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    struct stat st;
    int err = 0;
    if (fstat(fd, &st) != 0)
        err = errno;
    else if (!S_ISREG(st.st_mode))
        err = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
    else if ((unsigned long long)st.st_size > SCENARIO_FILE_MAX)
        err = EFBIG;
    if (err) {
        close(fd);
        errno = err;
        return -1;
    }
    *size = (size_t)st.st_size;
    return fd;
}

/* Reads up to size bytes of fd into buf; returns the count, or -1 on error. */
static long read_all(int fd, char *buf, size_t size)
{
    size_t n = 0;
    while (n < size) {
        ssize_t k = read(fd, buf + n, size - n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0)
            return -1;
        if (k == 0)
            break;
        n += (size_t)k;
    }
    return (long)n;
}

static const char *why(int err, char *buf, size_t len)
{
    if (err == EINVAL)
        return "not a regular file";
    if (err == EFBIG)
        return "larger than 64 MiB";
    if (strerror_r(err, buf, len) != 0)
        snprintf(buf, len, "error %d", err);
    return buf;
}

/* read_data(file): the text of a data file named by the scenario (empirical { file = }), or
 * nil and a reason. The name is relative to the scenario's directory and, unless --unsafe, must
 * stay inside that directory tree once symbolic links are resolved. No file content ever goes
 * into a message. */
static int l_read_data(lua_State *L)
{
    loader *ld = get_loader(L);
    const char *file = luaL_checkstring(L, 1);
    char full[PATH_MAX], real[PATH_MAX], ebuf[128];
    int unsafe = ld->opts->unsafe;
    if (file[0] == '/' && !unsafe) {
        lua_pushnil(L);
        lua_pushfstring(L, "'%s' is an absolute path (data files must be inside the scenario's "
                           "directory; --unsafe lifts this)", file);
        return 2;
    }
    if (file[0] == '/')
        snprintf(full, sizeof full, "%s", file);
    else if ((size_t)snprintf(full, sizeof full, "%s/%s", ld->dir, file) >= sizeof full)
        return luaL_error(L, "file name too long");
    const char *open_path = full;
    if (!unsafe) {
        if (!realpath(full, real)) {
            lua_pushnil(L);
            lua_pushfstring(L, "cannot open '%s' (%s)", file, why(errno, ebuf, sizeof ebuf));
            return 2;
        }
        size_t n = strlen(ld->dir);
        if (strncmp(real, ld->dir, n) || (real[n] != '/' && real[n] != 0 && strcmp(ld->dir, "/"))) {
            lua_pushnil(L);
            lua_pushfstring(L, "'%s' is outside the scenario's directory (--unsafe lifts this)",
                            file);
            return 2;
        }
        open_path = real;
    }
    size_t size;
    int fd = open_regular(open_path, &size);
    if (fd < 0) {
        lua_pushnil(L);
        lua_pushfstring(L, "cannot open '%s' (%s)", file, why(errno, ebuf, sizeof ebuf));
        return 2;
    }
    ld->data_fd = fd;   /* closed by the loader should the buffer below raise */
    luaL_Buffer b;
    char *p = luaL_buffinitsize(L, &b, size);
    long n = read_all(fd, p, size);
    ld->data_fd = -1;
    close(fd);
    if (n < 0) {
        lua_pushnil(L);
        lua_pushfstring(L, "cannot read '%s'", file);
        return 2;
    }
    luaL_pushresultsize(&b, (size_t)n);
    return 1;
}

/* need(name): the value returned by prelude module `name`, loaded once. Upvalues: the table of
 * module chunks and the table of loaded modules (which also holds need itself as "_need"). */
static int l_need(lua_State *L)
{
    const char *name = luaL_checkstring(L, 1);
    lua_settop(L, 1);
    if (lua_getfield(L, lua_upvalueindex(2), name) != LUA_TNIL)   /* [name, loaded?] */
        return 1;
    lua_pop(L, 1);
    if (lua_getfield(L, lua_upvalueindex(1), name) != LUA_TFUNCTION)   /* [name, chunk] */
        return luaL_error(L, "no prelude module '%s'", name);
    lua_getfield(L, lua_upvalueindex(2), "_need");                    /* [name, chunk, need] */
    lua_call(L, 1, 1);                                                /* [name, module] */
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        lua_pushboolean(L, 1);
    }
    lua_pushvalue(L, -1);
    lua_setfield(L, lua_upvalueindex(2), name);
    return 1;
}

/* ---- loading ------------------------------------------------------------------------------ */

static void set_fn(lua_State *L, const char *name, lua_CFunction fn)
{
    lua_pushcfunction(L, fn);
    lua_setfield(L, -2, name);
}

/* Calls M[name] with nargs arguments below it on the stack. [-nargs, +nres] */
static void call_module(lua_State *L, int mod, const char *name, int nargs, int nres)
{
    lua_getfield(L, mod, name);
    lua_insert(L, -1 - nargs);
    lua_call(L, nargs, nres);
}

/* The whole load, run by lua_pcall: libraries, prelude, setup, scenario, finish, spec_read. */
static int load_main(lua_State *L)
{
    loader *ld = get_loader(L);
    luaL_openlibs(L);

    /* Prelude modules: chunks named "@lua/dessa/<name>.lua", loaded on demand by need. */
    pthread_once(&compiled_once, compile_modules);
    lua_createtable(L, 0, (int)dessa_nmodules);                       /* [chunks] */
    for (size_t i = 0; i < dessa_nmodules; i++) {
        const dessa_module *m = &dessa_modules[i];
        lua_pushfstring(L, "@lua/dessa/%s.lua", m->name);
        const compiled_module *c = compiled ? &compiled[i] : NULL;
        int st = c && c->code
                     ? luaL_loadbufferx(L, c->code, c->len, lua_tostring(L, -1), "b")
                     : luaL_loadbufferx(L, (const char *)m->src, m->len, lua_tostring(L, -1), "t");
        if (st != LUA_OK)
            return lua_error(L);
        lua_setfield(L, -3, m->name);
        lua_pop(L, 1);
    }
    lua_newtable(L);                                                  /* [chunks, loaded] */
    lua_pushcclosure(L, l_need, 2);                                   /* [need] */
    lua_getupvalue(L, -1, 2);                                         /* [need, loaded] */
    lua_pushvalue(L, -2);
    lua_setfield(L, -2, "_need");
    lua_pop(L, 1);
    lua_pushliteral(L, "init");
    lua_call(L, 1, 1);                                                /* [M] */
    int mod = lua_gettop(L);
    lua_getfield(L, mod, "fail");                 /* msgh tells fail() errors from internal ones */
    lua_setfield(L, LUA_REGISTRYINDEX, "dessa.fail");

    /* M.setup { overrides, random, emit, read_data, unsafe, path } */
    const dessa_load_opts *o = ld->opts;
    lua_createtable(L, 0, 8);
    lua_createtable(L, 0, (int)o->noverrides);
    for (size_t i = 0; i < o->noverrides; i++) {
        lua_pushstring(L, o->overrides[i].value);
        lua_setfield(L, -2, o->overrides[i].name);
    }
    lua_setfield(L, -2, "overrides");
    set_fn(L, "random", l_random);
    set_fn(L, "emit", l_emit);
    set_fn(L, "read_data", l_read_data);
    set_fn(L, "stopped", l_stopped);
    set_fn(L, "table_new", l_table_new);
    set_fn(L, "frame", l_frame);
    lua_pushboolean(L, o->unsafe);
    lua_setfield(L, -2, "unsafe");
    lua_pushboolean(L, o->expand_sweep);
    lua_setfield(L, -2, "expand_sweep");
    lua_createtable(L, (int)o->nsweep_params, 0);
    for (size_t i = 0; i < o->nsweep_params; i++) {
        lua_createtable(L, 0, 2);
        lua_pushstring(L, o->sweep_params[i].name);
        lua_setfield(L, -2, "name");
        lua_pushstring(L, o->sweep_params[i].value);
        lua_setfield(L, -2, "values");
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    lua_setfield(L, -2, "sweep_params");
    lua_pushstring(L, ld->path);
    lua_setfield(L, -2, "path");
    call_module(L, mod, "setup", 1, 0);

    /* The scenario, in the sandbox, under the limits; then the whole-model checks. */
    /* A UTF-8 byte-order mark at the very start is skipped (the line count is unchanged). */
    const char *src = ld->src;
    size_t srclen = ld->srclen;
    if (srclen >= 3 && !memcmp(src, "\xEF\xBB\xBF", 3)) {
        src += 3;
        srclen -= 3;
    }
    if (luaL_loadbufferx(L, src, srclen, ld->chunk, "t") != LUA_OK)
        return lua_error(L);                                          /* [M, chunk] */
    call_module(L, mod, "env", 0, 1);                                 /* [M, chunk, env] */
    if (!lua_setupvalue(L, -2, 1))
        lua_pop(L, 1);
    ld->budget = SCENARIO_INSTRUCTIONS;
    ld->deadline = now() + ld->seconds;
    ld->running = 1;
    watchdog_start(ld);
    lua_call(L, 0, 0);                                                /* [M] */
    call_module(L, mod, "finish", 0, 1);                              /* [M, SPEC] */
    watchdog_stop(ld);
    lua_sethook(L, NULL, 0, 0);
    ld->running = 0;
    spec_read(L, -1, ld->spec);
    return 0;
}

/* Reads the scenario file (a regular file of at most 64 MiB). */
static int read_scenario(loader *ld, char *err, size_t errlen)
{
    char ebuf[128];
    size_t size;
    int fd = open_regular(ld->path, &size);
    if (fd >= 0) {
        ld->src = sim_malloc(size + 1);
        if (!ld->src) {
            close(fd);
            snprintf(err, errlen, "error: out of memory (loading the scenario)");
            return -1;
        }
        long n = read_all(fd, ld->src, size);
        int e = errno;
        close(fd);
        if (n >= 0) {
            ld->srclen = (size_t)n;
            return 0;
        }
        errno = e;
    }
    snprintf(err, errlen, "error: cannot read scenario '%s': %s", ld->path,
             why(errno, ebuf, sizeof ebuf));
    escape_message(err, errlen);   /* the path may hold control characters */
    return -1;
}

/* The scenario's directory, resolved, for data files. */
static void scenario_dir(loader *ld)
{
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", ld->path);
    char *slash = strrchr(dir, '/');
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else if (slash == dir)
        dir[1] = 0;
    else
        *slash = 0;
    if (!realpath(dir, ld->dir))
        snprintf(ld->dir, sizeof ld->dir, "%s", dir);
}

/* The wall-clock limit of a load: SCENARIO_SECONDS, or DESSA_LOAD_SECONDS when set (a model
 * generated by the hundred thousand components may need more; a test of the guard, less).
 * 0, or -1 with the message in err. */
static int load_seconds(double *seconds, char *err, size_t errlen)
{
    *seconds = SCENARIO_SECONDS;
    const char *v = getenv("DESSA_LOAD_SECONDS");
    if (!v || !*v)
        return 0;
    char *end;
    errno = 0;
    double x = strtod(v, &end);
    if (errno || end == v || *end || !(x > 0 && x <= SCENARIO_SECONDS_MAX)) {
        snprintf(err, errlen,
                 "dessa: DESSA_LOAD_SECONDS must be a number of seconds above 0 and at most %g, "
                 "got '%.40s'", SCENARIO_SECONDS_MAX, v);
        return -1;
    }
    *seconds = x;
    return 0;
}

/* One load with the given math.random seed into s. 0, or -1 with the message in err. */
static int load_once(const char *path, const dessa_load_opts *opts, uint64_t seed, int print_mode,
                     spec *s, char **out, size_t *outlen, char *err, size_t errlen)
{
    *out = NULL;
    *outlen = 0;
    loader *ld = sim_calloc(1, sizeof *ld);
    if (!ld) {
        snprintf(err, errlen, "error: out of memory (loading the scenario)");
        return -1;
    }
    ld->path = path;
    ld->opts = opts;
    ld->spec = s;
    ld->data_fd = -1;
    ld->print_mode = print_mode;
    ld->frame_source = LUA_NOREF;
    sim_rng_init(&ld->rng, seed, 0, "lua/math.random");
    snprintf(ld->chunk, sizeof ld->chunk, "@%s", path);
    scenario_dir(ld);
    volatile int rc = -1;
    if (load_seconds(&ld->seconds, err, errlen) != 0 || read_scenario(ld, err, errlen) != 0)
        goto done;
    ld->L = lua_newstate(lua_alloc, ld);
    if (!ld->L) {
        snprintf(err, errlen, "error: out of memory (loading the scenario)");
        goto done;
    }
    lua_State *L = ld->L;
    *(loader **)lua_getextraspace(L) = ld;
    jmp_buf jb;
    ld->panic = &jb;
    lua_atpanic(L, panic);
    if (setjmp(jb) != 0) {   /* a Lua error outside any protected call: should not happen */
        snprintf(err, errlen, "error: internal error in the Lua state (loading the scenario)");
        goto done;
    }
    lua_pushcfunction(L, msgh);
    lua_pushcfunction(L, load_main);
    int status = lua_pcall(L, 0, 0, 1);
    if (status == LUA_OK) {
        rc = 0;
    } else if (ld->stopped) {
        snprintf(err, errlen, "%s", ld->stop_msg);
        escape_message(err, errlen);
    } else if (status == LUA_ERRMEM || s->oom) {
        const char *cap = ld->mem_capped ? " (the scenario may use at most 2 GiB)" : "";
        if (ld->oom_where[0])
            snprintf(err, errlen, "%s: out of memory%s", ld->oom_where, cap);
        if (ld->oom_where[0])
            escape_message(err, errlen);
        else
            snprintf(err, errlen, "error: out of memory (loading the scenario)%s", cap);
    } else {
        const char *m = lua_tostring(L, -1);
        snprintf(err, errlen, "%s", m ? m : "error: the scenario failed");
    }
done:
    if (ld->data_fd >= 0)
        close(ld->data_fd);
    watchdog_stop(ld);
    if (ld->L) {
        lua_sethook(ld->L, NULL, 0, 0);
        lua_close(ld->L);
    }
    small_fini(&ld->heap);
    sim_free(ld->src);
    *out = ld->out;
    *outlen = ld->outlen;
    sim_free(ld);
    return rc;
}

static void flush_output(char *out, size_t len)
{
    if (len)
        fwrite(out, 1, len, stderr);
    sim_free(out);
}

dessa_scenario *dessa_scenario_load(const char *path, const dessa_load_opts *opts, char *err,
                                    size_t errlen)
{
    err[0] = 0;
    dessa_scenario *sc = sim_calloc(1, sizeof *sc);
    if (!sc) {
        snprintf(err, errlen, "error: out of memory (loading the scenario)");
        return NULL;
    }
    sc->has_seed = opts->has_seed;
    sc->seed = opts->has_seed ? opts->seed : 1;
    /* Without --seed the effective seed may come from run { seed }, known only once the
     * scenario ran: the output is held back until the seed is settled. */
    int mode = opts->quiet ? PRINT_DROP : opts->has_seed ? PRINT_DIRECT : PRINT_BUFFER;
    char *out = NULL;
    size_t outlen = 0;
    int rc = load_once(path, opts, sc->seed, mode, &sc->spec, &out, &outlen, err, errlen);
    if (rc == 0 && !opts->has_seed && sc->spec.has_seed && sc->spec.seed != sc->seed) {
        /* Run it again with math.random seeded from run { seed }; the first output is dropped. */
        uint64_t want = sc->spec.seed;
        sim_free(out);
        spec_free(&sc->spec);
        memset(&sc->spec, 0, sizeof sc->spec);
        sc->seed = want;
        rc = load_once(path, opts, want, mode, &sc->spec, &out, &outlen, err, errlen);
        if (rc == 0 && (!sc->spec.has_seed || sc->spec.seed != want)) {
            snprintf(err, errlen, "%s: run: the seed must not depend on math.random",
                     sc->spec.run_where ? sc->spec.run_where : path);
            rc = -1;
        }
    }
    flush_output(out, outlen);
    if (rc != 0) {
        dessa_scenario_free(sc);
        return NULL;
    }
    return sc;
}

void dessa_scenario_free(dessa_scenario *sc)
{
    if (!sc)
        return;
    spec_free(&sc->spec);
    sim_free(sc);
}

uint64_t dessa_scenario_seed(const dessa_scenario *sc)
{
    return sc->has_seed ? sc->seed : sc->spec.has_seed ? sc->spec.seed : 1;
}

void dessa_scenario_run_config(const dessa_scenario *sc, sim_config *cfg, int *has_seed)
{
    *cfg = sc->spec.run;
    cfg->seed = sc->spec.has_seed ? sc->spec.seed : 0;
    cfg->rep = 0;
    *has_seed = sc->spec.has_seed;
}

int dessa_scenario_build(dessa_scenario *sc, uint64_t seed, uint64_t rep, sim_engine **out,
                         char *err, size_t errlen)
{
    return spec_build(&sc->spec, seed, rep, out, err, errlen);
}

size_t dessa_scenario_nparams(const dessa_scenario *sc) { return sc->spec.nparams; }

void dessa_scenario_set_sample(dessa_scenario *sc, double sample) { sc->spec.run.sample = sample; }

void dessa_scenario_sweep(const dessa_scenario *sc, dessa_sweep *out)
{
    const spec_sweep *w = &sc->spec.sweep;
    *out = (dessa_sweep){ w->nnames, w->npoints, w->names, w->values, w->reps };
}

int dessa_scenario_param_info(const dessa_scenario *sc, size_t i, dessa_param *out)
{
    if (i >= sc->spec.nparams)
        return -1;
    const spec_param *p = &sc->spec.params[i];
    *out = (dessa_param){ p->name, p->type, p->value, p->default_text, p->num, p->default_num };
    return 0;
}

void dessa_scenario_param(const dessa_scenario *sc, size_t i, char *name, size_t nlen,
                          char *value, size_t vlen)
{
    const spec_param *p = i < sc->spec.nparams ? &sc->spec.params[i] : NULL;
    snprintf(name, nlen, "%s", p ? p->name : "");
    snprintf(value, vlen, "%s", p ? p->value : "");
}
