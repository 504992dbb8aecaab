/* binding: the Lua scenario loader and the specification-to-engine builder (see binding.h).
 *
 * The Lua state lives as long as the scenario; the prelude's module table and the finished
 * specification are kept as registry references. Every call into Lua is protected through
 * pcall_traced, which adds a traceback for unexpected errors. */
#include "binding.h"

#include <errno.h>
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/rng.h"

extern const unsigned char dessa_prelude[];
extern const size_t dessa_prelude_len;

/* A runaway scenario (an endless loop at load time) is stopped after this many instructions. */
#define SCENARIO_BUDGET 2000000000LL
#define HOOK_EVERY 1000000

struct dessa_scenario {
    lua_State *L;
    int spec;                 /* registry reference of the specification */
    sim_rng rng;              /* math.random of the scenario */
    long long budget;
    uint64_t seed;            /* --seed */
    int has_seed;
    char path[1024];
};

/* ---- protected calls ---------------------------------------------------------------- */

static int msgh(lua_State *L)
{
    const char *msg = lua_tostring(L, 1);
    if (!msg)
        msg = luaL_tolstring(L, 1, NULL);
    lua_pushstring(L, msg);   /* the first line is what users see; the trace is for us */
    return 1;
}

/* Calls the function below nargs arguments with a message handler; on error copies the first
 * line of the message into err and returns SIM_ELUA. */
static int pcall_traced(lua_State *L, int nargs, int nres, char *err, size_t errlen)
{
    int base = lua_gettop(L) - nargs;
    lua_pushcfunction(L, msgh);
    lua_insert(L, base);
    int rc = lua_pcall(L, nargs, nres, base);
    lua_remove(L, base);
    if (rc == LUA_OK)
        return SIM_OK;
    const char *m = lua_tostring(L, -1);
    snprintf(err, errlen, "%s", m ? m : "error object is not a string");
    lua_pop(L, 1);
    return rc == LUA_ERRMEM ? SIM_ENOMEM : SIM_ELUA;
}

static void budget_hook(lua_State *L, lua_Debug *ar)
{
    (void)ar;
    dessa_scenario *sc = *(dessa_scenario **)lua_getextraspace(L);
    sc->budget -= HOOK_EVERY;
    if (sc->budget < 0)
        luaL_error(L, "the scenario ran for too long (more than %lld instructions)",
                   (long long)SCENARIO_BUDGET);
}

/* math.random for scenarios, from a named stream so it is reproducible from the seed. */
static int l_random(lua_State *L)
{
    dessa_scenario *sc = lua_touserdata(L, lua_upvalueindex(1));
    int n = lua_gettop(L);
    if (n == 0) {
        lua_pushnumber(L, sim_rng_uniform(&sc->rng));
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
    uint64_t x = span ? sim_rng_below(&sc->rng, span) : sim_rng_next(&sc->rng);
    lua_pushinteger(L, (lua_Integer)((uint64_t)lo + x));
    return 1;
}

static int read_file(const char *path, char **buf, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    size_t cap = 1 << 16, n = 0;
    char *b = sim_malloc(cap);
    while (b) {
        n += fread(b + n, 1, cap - n, f);
        if (n < cap)
            break;
        char *nb = sim_realloc(b, cap *= 2);
        if (!nb)
            sim_free(b);
        b = nb;
    }
    int bad = ferror(f);
    fclose(f);
    if (!b || bad) {
        sim_free(b);
        return -1;
    }
    *buf = b;
    *len = n;
    return 0;
}

/* ---- loading ------------------------------------------------------------------------ */

void dessa_scenario_free(dessa_scenario *sc)
{
    if (!sc)
        return;
    if (sc->L)
        lua_close(sc->L);
    sim_free(sc);
}

/* Calls M[name] with the value on top of the stack (or none); leaves nres results. */
static int call_module(dessa_scenario *sc, int mod, const char *name, int nargs, int nres,
                       char *err, size_t errlen)
{
    lua_State *L = sc->L;
    lua_getfield(L, mod, name);
    lua_insert(L, -1 - nargs);
    return pcall_traced(L, nargs, nres, err, errlen);
}

dessa_scenario *dessa_scenario_load(const char *path, const dessa_load_opts *opts, char *err,
                                    size_t errlen)
{
    err[0] = 0;
    dessa_scenario *sc = sim_calloc(1, sizeof *sc);
    if (!sc) {
        snprintf(err, errlen, "error: out of memory");
        return NULL;
    }
    snprintf(sc->path, sizeof sc->path, "%s", path);
    sc->budget = SCENARIO_BUDGET;
    sc->seed = opts->seed;
    sc->has_seed = opts->has_seed;
    sim_rng_init(&sc->rng, opts->seed, 0, "lua/math.random");
    lua_State *L = sc->L = lua_newstate(sim_lua_alloc, NULL);
    if (!L) {
        snprintf(err, errlen, "error: out of memory");
        sim_free(sc);
        return NULL;
    }
    *(dessa_scenario **)lua_getextraspace(L) = sc;
    luaL_openlibs(L);

    char *src = NULL;
    size_t srclen = 0;
    int rc = luaL_loadbufferx(L, (const char *)dessa_prelude, dessa_prelude_len, "=prelude", "t");
    if (rc != LUA_OK) {
        snprintf(err, errlen, "error: the prelude does not load: %s", lua_tostring(L, -1));
        goto fail;
    }
    if (pcall_traced(L, 0, 1, err, errlen) != SIM_OK)
        goto fail;
    int mod = lua_gettop(L);

    /* M.setup { overrides = {...}, random = fn, unsafe = bool } */
    lua_createtable(L, 0, 4);
    lua_createtable(L, 0, (int)opts->noverrides);
    for (size_t i = 0; i < opts->noverrides; i++) {
        lua_pushstring(L, opts->overrides[i].value);
        lua_setfield(L, -2, opts->overrides[i].name);
    }
    lua_setfield(L, -2, "overrides");
    lua_pushlightuserdata(L, sc);
    lua_pushcclosure(L, l_random, 1);
    lua_setfield(L, -2, "random");
    lua_pushboolean(L, opts->unsafe);
    lua_setfield(L, -2, "unsafe");
    lua_pushstring(L, path);
    lua_setfield(L, -2, "path");
    if (call_module(sc, mod, "setup", 1, 0, err, errlen) != SIM_OK)
        goto fail;

    if (read_file(path, &src, &srclen) != 0) {
        snprintf(err, errlen, "error: cannot read scenario '%s': %s", path, strerror(errno));
        goto fail;
    }
    char chunk[1100];
    snprintf(chunk, sizeof chunk, "@%s", path);
    if (luaL_loadbufferx(L, src, srclen, chunk, "t") != LUA_OK) {
        snprintf(err, errlen, "%s", lua_tostring(L, -1));
        goto fail;
    }
    sim_free(src);
    src = NULL;
    if (call_module(sc, mod, "env", 0, 1, err, errlen) != SIM_OK)
        goto fail;
    if (!lua_setupvalue(L, -2, 1))   /* the chunk's _ENV */
        lua_pop(L, 1);
    lua_sethook(L, budget_hook, LUA_MASKCOUNT, HOOK_EVERY);
    rc = pcall_traced(L, 0, 0, err, errlen);
    lua_sethook(L, NULL, 0, 0);
    if (rc != SIM_OK)
        goto fail;
    if (call_module(sc, mod, "finish", 0, 1, err, errlen) != SIM_OK)
        goto fail;
    if (!lua_istable(L, -1)) {
        snprintf(err, errlen, "error: the prelude returned no specification");
        goto fail;
    }
    sc->spec = luaL_ref(L, LUA_REGISTRYINDEX);
    lua_settop(L, 0);
    return sc;
fail:
    sim_free(src);
    dessa_scenario_free(sc);
    return NULL;
}

/* ---- reading the specification ------------------------------------------------------ */

typedef struct build_ctx {
    lua_State *L;
    sim_engine *e;
    char *err;
    size_t errlen;
    int names;     /* stack index: service name -> { index, endpoints = { name -> index } } */
} build_ctx;

/* Records an error located at the `where` field of the table at idx. */
static int fail_at(build_ctx *b, int idx, int code, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    lua_getfield(b->L, idx, "where");
    const char *where = lua_tostring(b->L, -1);
    snprintf(b->err, b->errlen, "%s: %s", where ? where : "error", msg);
    lua_pop(b->L, 1);
    return code ? code : SIM_EINVAL;
}

static double get_num(lua_State *L, int idx, const char *key, double dflt)
{
    lua_getfield(L, idx, key);
    double v = lua_isnumber(L, -1) ? lua_tonumber(L, -1) : dflt;
    lua_pop(L, 1);
    return v;
}

static const char *get_str(lua_State *L, int idx, const char *key)
{
    lua_getfield(L, idx, key);
    const char *s = lua_tostring(L, -1);   /* kept alive by the specification table */
    lua_pop(L, 1);
    return s;
}

static int get_bool(lua_State *L, int idx, const char *key, int dflt)
{
    lua_getfield(L, idx, key);
    int v = lua_isnil(L, -1) ? dflt : lua_toboolean(L, -1);
    lua_pop(L, 1);
    return v;
}

/* Reads t[key] (a list of numbers) into a new array; *n gets its length. */
static double *get_numbers(lua_State *L, int idx, const char *key, size_t *n)
{
    lua_getfield(L, idx, key);
    size_t len = lua_istable(L, -1) ? lua_rawlen(L, -1) : 0;
    double *v = sim_calloc(len ? len : 1, sizeof *v);
    for (size_t i = 0; v && i < len; i++) {
        lua_rawgeti(L, -1, (lua_Integer)i + 1);
        v[i] = lua_tonumber(L, -1);
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    *n = len;
    return v;
}

/* Builds the distribution described by the table at idx. */
static int build_dist(build_ctx *b, int idx, sim_dist **out)
{
    lua_State *L = b->L;
    idx = lua_absindex(L, idx);
    *out = NULL;
    if (!lua_istable(L, idx)) {
        if (lua_isnumber(L, idx))
            return sim_dist_const(out, lua_tonumber(L, idx));
        snprintf(b->err, b->errlen, "error: a distribution was expected");
        return SIM_EINVAL;
    }
    const char *kind = get_str(L, idx, "kind");
    kind = kind ? kind : "";
    int rc = SIM_EINVAL;
    if (!strcmp(kind, "const"))
        rc = sim_dist_const(out, get_num(L, idx, "value", NAN));
    else if (!strcmp(kind, "exp"))
        rc = sim_dist_exp(out, get_num(L, idx, "mean", NAN));
    else if (!strcmp(kind, "uniform"))
        rc = sim_dist_uniform(out, get_num(L, idx, "lo", NAN), get_num(L, idx, "hi", NAN));
    else if (!strcmp(kind, "normal"))
        rc = sim_dist_normal(out, get_num(L, idx, "mean", NAN), get_num(L, idx, "sd", NAN));
    else if (!strcmp(kind, "lognormal"))
        rc = sim_dist_lognormal(out, get_num(L, idx, "mu", NAN), get_num(L, idx, "sigma", NAN));
    else if (!strcmp(kind, "gamma"))
        rc = sim_dist_gamma(out, get_num(L, idx, "shape", NAN), get_num(L, idx, "mean", NAN));
    else if (!strcmp(kind, "erlang"))
        rc = sim_dist_erlang(out, (unsigned)get_num(L, idx, "k", 0), get_num(L, idx, "mean", NAN));
    else if (!strcmp(kind, "weibull"))
        rc = sim_dist_weibull(out, get_num(L, idx, "shape", NAN), get_num(L, idx, "mean", NAN));
    else if (!strcmp(kind, "pareto"))
        rc = sim_dist_pareto(out, get_num(L, idx, "alpha", NAN), get_num(L, idx, "min", NAN));
    else if (!strcmp(kind, "hyperexp") || !strcmp(kind, "empirical")) {
        size_t n, m;
        double *p = get_numbers(L, idx, kind[0] == 'h' ? "probs" : "values", &n);
        double *v = kind[0] == 'h' ? get_numbers(L, idx, "means", &m) : NULL;
        if (!p || (kind[0] == 'h' && !v))
            rc = SIM_ENOMEM;
        else if (kind[0] == 'h')
            rc = n == m ? sim_dist_hyperexp(out, n, p, v) : SIM_EINVAL;
        else
            rc = sim_dist_empirical(out, p, n);
        sim_free(p);
        sim_free(v);
    } else if (!strcmp(kind, "mixture")) {
        size_t n;
        double *w = get_numbers(L, idx, "weights", &n);
        sim_dist **parts = sim_calloc(n ? n : 1, sizeof *parts);
        rc = w && parts ? SIM_OK : SIM_ENOMEM;
        lua_getfield(L, idx, "parts");
        for (size_t i = 0; rc == SIM_OK && i < n; i++) {
            lua_rawgeti(L, -1, (lua_Integer)i + 1);
            rc = build_dist(b, -1, &parts[i]);
            lua_pop(L, 1);
        }
        lua_pop(L, 1);
        if (rc == SIM_OK)
            rc = sim_dist_mixture(out, n, w, parts);
        if (rc != SIM_OK)
            for (size_t i = 0; parts && i < n; i++)
                sim_dist_free(parts[i]);
        sim_free(w);
        sim_free(parts);
    }
    if (rc == SIM_EINVAL && !b->err[0])
        return fail_at(b, idx, rc, "invalid parameters for distribution '%s'", kind);
    if (rc == SIM_ENOMEM)
        snprintf(b->err, b->errlen, "error: out of memory");
    return rc;
}

/* Builds the optional distribution t[key]; NULL when absent. */
static int build_field_dist(build_ctx *b, int idx, const char *key, sim_dist **out)
{
    lua_getfield(b->L, idx, key);
    int rc = lua_isnil(b->L, -1) ? (*out = NULL, SIM_OK) : build_dist(b, -1, out);
    lua_pop(b->L, 1);
    return rc;
}

/* Looks up service `name` (and endpoint `ep`, NULL for the first) in the names table. */
static int resolve(build_ctx *b, int where, const char *name, const char *ep, uint32_t *si,
                   uint32_t *ei)
{
    lua_State *L = b->L;
    lua_getfield(L, b->names, name ? name : "");
    if (!lua_istable(L, -1)) {
        lua_pop(L, 1);
        return fail_at(b, where, SIM_EINVAL, "unknown service '%s'", name ? name : "?");
    }
    lua_rawgeti(L, -1, 1);
    *si = (uint32_t)lua_tointeger(L, -1);
    lua_pop(L, 1);
    *ei = 0;
    if (ep) {
        lua_getfield(L, -1, "endpoints");
        lua_getfield(L, -1, ep);
        if (!lua_isinteger(L, -1)) {
            lua_pop(L, 3);
            return fail_at(b, where, SIM_EINVAL, "service '%s' has no endpoint '%s'", name, ep);
        }
        *ei = (uint32_t)lua_tointeger(L, -1);
        lua_pop(L, 2);
    }
    lua_pop(L, 1);
    return SIM_OK;
}

static int compile_steps(build_ctx *b, uint32_t s, uint32_t ep, int steps);

/* Compiles the sub-sequence t[i] of the list at idx. */
static int compile_sub(build_ctx *b, uint32_t s, uint32_t ep, int list, lua_Integer i)
{
    lua_rawgeti(b->L, list, i);
    int rc = compile_steps(b, s, ep, lua_gettop(b->L));
    lua_pop(b->L, 1);
    return rc;
}

static int compile_step(build_ctx *b, uint32_t s, uint32_t ep, int st)
{
    lua_State *L = b->L;
    sim_engine *e = b->e;
    const char *op = get_str(L, st, "op");
    op = op ? op : "";
    int rc;
    if (!strcmp(op, "work") || !strcmp(op, "sleep")) {
        sim_dist *d;
        if ((rc = build_field_dist(b, st, "dist", &d)) != SIM_OK)
            return rc;
        rc = op[0] == 'w' ? sim_op_work(e, s, ep, d) : sim_op_sleep(e, s, ep, d);
        return rc == SIM_OK ? rc : fail_at(b, st, rc, "cannot add step '%s'", op);
    }
    if (!strcmp(op, "call")) {
        uint32_t ts, te;
        if ((rc = resolve(b, st, get_str(L, st, "service"), get_str(L, st, "endpoint"), &ts,
                          &te)) != SIM_OK)
            return rc;
        rc = sim_op_call(e, s, ep, ts, te, get_bool(L, st, "blocking", 1));
        return rc == SIM_OK ? rc : fail_at(b, st, rc, "cannot add the call");
    }
    if (!strcmp(op, "parallel")) {
        lua_getfield(L, st, "branches");
        int br = lua_gettop(L);
        uint32_t n = (uint32_t)lua_rawlen(L, br), pc;
        const char *join = get_str(L, st, "join");
        sim_join j = !join || !strcmp(join, "all") ? SIM_JOIN_ALL
                     : !strcmp(join, "any")        ? SIM_JOIN_ANY
                                                   : SIM_JOIN_QUORUM;
        rc = sim_op_fork(e, s, ep, n, j, (uint32_t)get_num(L, st, "quorum", n),
                         get_bool(L, st, "blocking", 1), &pc);
        for (uint32_t i = 0; rc == SIM_OK && i < n; i++) {
            rc = sim_op_set_target(e, s, ep, pc, i, sim_op_next_pc(e, s, ep));
            if (rc == SIM_OK)
                rc = compile_sub(b, s, ep, br, i + 1);
            if (rc == SIM_OK)
                rc = sim_op_branch_end(e, s, ep);
        }
        if (rc == SIM_OK)
            rc = sim_op_set_target(e, s, ep, pc, n, sim_op_next_pc(e, s, ep));
        lua_pop(L, 1);
        return rc == SIM_OK || b->err[0] ? rc : fail_at(b, st, rc, "invalid parallel step");
    }
    if (!strcmp(op, "branch")) {
        size_t n;
        double *probs = get_numbers(L, st, "probs", &n);
        uint32_t *jumps = sim_calloc(n ? n : 1, sizeof *jumps), pc;
        if (!probs || !jumps) {
            sim_free(probs);
            sim_free(jumps);
            return fail_at(b, st, SIM_ENOMEM, "out of memory");
        }
        lua_getfield(L, st, "arms");
        int arms = lua_gettop(L);
        rc = sim_op_choose(e, s, ep, (uint32_t)n, probs, &pc);
        for (uint32_t i = 0; rc == SIM_OK && i < n; i++) {
            rc = sim_op_set_target(e, s, ep, pc, i, sim_op_next_pc(e, s, ep));
            if (rc == SIM_OK)
                rc = compile_sub(b, s, ep, arms, i + 1);
            if (rc == SIM_OK)
                rc = sim_op_jump(e, s, ep, &jumps[i]);
        }
        for (uint32_t i = 0; rc == SIM_OK && i < n; i++)
            rc = sim_op_set_target(e, s, ep, jumps[i], 0, sim_op_next_pc(e, s, ep));
        lua_pop(L, 1);
        sim_free(probs);
        sim_free(jumps);
        return rc == SIM_OK || b->err[0] ? rc : fail_at(b, st, rc, "invalid branch step");
    }
    return fail_at(b, st, SIM_EINVAL, "unknown step '%s'", op);
}

static int compile_steps(build_ctx *b, uint32_t s, uint32_t ep, int steps)
{
    lua_State *L = b->L;
    lua_Integer n = (lua_Integer)lua_rawlen(L, steps);
    for (lua_Integer i = 1; i <= n; i++) {
        lua_rawgeti(L, steps, i);
        int rc = compile_step(b, s, ep, lua_gettop(L));
        lua_pop(L, 1);
        if (rc != SIM_OK)
            return rc;
    }
    return SIM_OK;
}

static int parse_enum(const char *s, const char *const *names, int dflt)
{
    for (int i = 0; s && names[i]; i++)
        if (!strcmp(s, names[i]))
            return i;
    return dflt;
}

static int build_services(build_ctx *b, int spec)
{
    static const char *const disc[] = { "fifo", "lifo", "priority", NULL };
    static const char *const lb[] = { "round_robin", "random", "least_outstanding",
                                      "power_of_two", NULL };
    lua_State *L = b->L;
    lua_getfield(L, spec, "services");
    int list = lua_gettop(L);
    lua_Integer n = (lua_Integer)lua_rawlen(L, list);
    int rc = SIM_OK;
    /* Pass 1: services and endpoints, so calls can name any of them. */
    for (lua_Integer i = 1; rc == SIM_OK && i <= n; i++) {
        lua_rawgeti(L, list, i);
        int sv = lua_gettop(L);
        sim_service_config cfg = {
            .workers = (uint32_t)get_num(L, sv, "workers", 1),
            .queue = (int64_t)get_num(L, sv, "queue", -1),
            .discipline = (sim_discipline)parse_enum(get_str(L, sv, "discipline"), disc, 0),
            .replicas = (uint32_t)get_num(L, sv, "replicas", 1),
            .balancer = (sim_balancer)parse_enum(get_str(L, sv, "balancer"), lb, 0),
        };
        const char *name = get_str(L, sv, "name");
        uint32_t si;
        rc = sim_service_add(b->e, name, &cfg, &si);
        if (rc != SIM_OK) {
            rc = fail_at(b, sv, rc, "service '%s': invalid configuration", name);
            break;
        }
        lua_createtable(L, 1, 1);
        lua_pushinteger(L, si);
        lua_rawseti(L, -2, 1);
        lua_newtable(L);
        lua_getfield(L, sv, "endpoints");
        lua_Integer ne = (lua_Integer)lua_rawlen(L, -1);
        for (lua_Integer k = 1; rc == SIM_OK && k <= ne; k++) {
            lua_rawgeti(L, -1, k);
            const char *epn = get_str(L, -1, "name");
            uint32_t ei;
            rc = sim_endpoint_add(b->e, si, epn, &ei);
            lua_pop(L, 1);
            lua_pushinteger(L, ei);
            lua_setfield(L, -3, epn);
        }
        lua_pop(L, 1);
        lua_setfield(L, -2, "endpoints");
        lua_setfield(L, b->names, name);
        lua_pop(L, 1);
    }
    /* Pass 2: the programs. */
    for (lua_Integer i = 1; rc == SIM_OK && i <= n; i++) {
        lua_rawgeti(L, list, i);
        lua_getfield(L, -1, "endpoints");
        int eps = lua_gettop(L);
        lua_Integer ne = (lua_Integer)lua_rawlen(L, eps);
        for (lua_Integer k = 1; rc == SIM_OK && k <= ne; k++) {
            lua_rawgeti(L, eps, k);
            lua_getfield(L, -1, "steps");
            rc = compile_steps(b, (uint32_t)i - 1, (uint32_t)k - 1, lua_gettop(L));
            if (rc == SIM_OK)
                rc = sim_op_return(b->e, (uint32_t)i - 1, (uint32_t)k - 1);
            lua_pop(L, 2);
        }
        lua_pop(L, 2);
    }
    lua_pop(L, 1);
    if (rc == SIM_ENOMEM && !b->err[0])
        snprintf(b->err, b->errlen, "error: out of memory");
    return rc;
}

static int build_clients(build_ctx *b, int spec)
{
    static const char *const arr[] = { "poisson", "constant", "schedule", "bursty", NULL };
    lua_State *L = b->L;
    lua_getfield(L, spec, "clients");
    int list = lua_gettop(L);
    lua_Integer n = (lua_Integer)lua_rawlen(L, list);
    int rc = SIM_OK;
    for (lua_Integer i = 1; rc == SIM_OK && i <= n; i++) {
        lua_rawgeti(L, list, i);
        int cl = lua_gettop(L);
        sim_client_config cfg = { 0 };
        double *times = NULL, *rates = NULL;
        const char *kind = get_str(L, cl, "kind");
        rc = resolve(b, cl, get_str(L, cl, "target"), get_str(L, cl, "endpoint"), &cfg.service,
                     &cfg.endpoint);
        cfg.closed = kind && !strcmp(kind, "closed");
        cfg.timeout = get_num(L, cl, "timeout", 0);
        cfg.limit = (uint64_t)get_num(L, cl, "limit", 0);
        cfg.priority = (int32_t)get_num(L, cl, "priority", 0);
        cfg.start = get_num(L, cl, "start", 0);
        if (rc == SIM_OK && cfg.closed) {
            cfg.users = (uint32_t)get_num(L, cl, "users", 0);
            rc = build_field_dist(b, cl, "think", &cfg.think);
        } else if (rc == SIM_OK) {
            lua_getfield(L, cl, "arrivals");
            int a = lua_gettop(L);
            cfg.arrivals = (sim_arrivals)parse_enum(get_str(L, a, "kind"), arr, 0);
            cfg.rate = get_num(L, a, "rate", 0);
            if (cfg.arrivals == SIM_ARR_SCHEDULE) {
                size_t nt, nr;
                times = get_numbers(L, a, "times", &nt);
                rates = get_numbers(L, a, "rates", &nr);
                cfg.times = times;
                cfg.rates = rates;
                cfg.npoints = (uint32_t)(nt == nr ? nt : 0);
            } else if (cfg.arrivals == SIM_ARR_BURSTY) {
                rc = build_field_dist(b, a, "on", &cfg.on);
                if (rc == SIM_OK)
                    rc = build_field_dist(b, a, "off", &cfg.off);
            }
            lua_pop(L, 1);
        }
        const char *name = get_str(L, cl, "name");
        if (rc == SIM_OK) {
            rc = sim_client_add(b->e, name, &cfg);
            if (rc != SIM_OK)
                rc = fail_at(b, cl, rc, "client '%s': invalid configuration", name);
        } else {
            sim_dist_free(cfg.think);
            sim_dist_free(cfg.on);
            sim_dist_free(cfg.off);
        }
        sim_free(times);
        sim_free(rates);
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    return rc;
}

static int build_links(build_ctx *b, int spec)
{
    lua_State *L = b->L;
    int rc = SIM_OK;
    lua_getfield(L, spec, "link");
    if (lua_istable(L, -1)) {
        sim_dist *d;
        rc = build_field_dist(b, lua_gettop(L), "latency", &d);
        if (rc == SIM_OK)
            rc = sim_link_default(b->e, d);
    }
    lua_pop(L, 1);
    lua_getfield(L, spec, "links");
    int list = lua_gettop(L);
    lua_Integer n = lua_istable(L, list) ? (lua_Integer)lua_rawlen(L, list) : 0;
    for (lua_Integer i = 1; rc == SIM_OK && i <= n; i++) {
        lua_rawgeti(L, list, i);
        sim_dist *d;
        rc = build_field_dist(b, lua_gettop(L), "latency", &d);
        if (rc == SIM_OK)
            rc = sim_link_pair(b->e, get_str(L, -1, "from"), get_str(L, -1, "to"), d);
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    return rc;
}

uint64_t dessa_scenario_seed(const dessa_scenario *sc)
{
    sim_config cfg;
    int has_seed;
    dessa_scenario_run_config(sc, &cfg, &has_seed);
    return sc->has_seed ? sc->seed : has_seed ? cfg.seed : 1;
}

void dessa_scenario_run_config(const dessa_scenario *sc, sim_config *cfg, int *has_seed)
{
    lua_State *L = sc->L;
    lua_rawgeti(L, LUA_REGISTRYINDEX, sc->spec);
    lua_getfield(L, -1, "run");
    int run = lua_gettop(L);
    cfg->duration = get_num(L, run, "duration", 0);
    cfg->warmup = get_num(L, run, "warmup", 0);
    cfg->sample = get_num(L, run, "sample", cfg->duration / 60);
    lua_getfield(L, run, "seed");
    *has_seed = lua_isinteger(L, -1);
    if (*has_seed)
        cfg->seed = (uint64_t)lua_tointeger(L, -1);
    lua_settop(L, 0);
}

int dessa_scenario_build(dessa_scenario *sc, uint64_t seed, uint64_t rep, sim_engine **out,
                         char *err, size_t errlen)
{
    lua_State *L = sc->L;
    err[0] = 0;
    *out = NULL;
    sim_config cfg;
    int has_seed;
    dessa_scenario_run_config(sc, &cfg, &has_seed);
    cfg.seed = seed;
    cfg.rep = rep;
    sim_engine *e = sim_engine_new(&cfg);
    if (!e) {
        snprintf(err, errlen, "error: cannot create the engine (out of memory or a bad run block)");
        return SIM_ENOMEM;
    }
    if (!lua_checkstack(L, 64)) {
        sim_engine_free(e);
        snprintf(err, errlen, "error: out of memory");
        return SIM_ENOMEM;
    }
    lua_rawgeti(L, LUA_REGISTRYINDEX, sc->spec);
    int spec = lua_gettop(L);
    lua_newtable(L);
    build_ctx b = { L, e, err, errlen, lua_gettop(L) };
    int rc = build_services(&b, spec);
    if (rc == SIM_OK)
        rc = build_clients(&b, spec);
    if (rc == SIM_OK)
        rc = build_links(&b, spec);
    lua_settop(L, 0);
    if (rc != SIM_OK) {
        if (!err[0])
            snprintf(err, errlen, "error: %s", sim_strerror(rc));
        sim_engine_free(e);
        return rc;
    }
    *out = e;
    return SIM_OK;
}

size_t dessa_scenario_nparams(const dessa_scenario *sc)
{
    lua_State *L = sc->L;
    lua_rawgeti(L, LUA_REGISTRYINDEX, sc->spec);
    lua_getfield(L, -1, "params");
    size_t n = lua_istable(L, -1) ? lua_rawlen(L, -1) : 0;
    lua_settop(L, 0);
    return n;
}

void dessa_scenario_param(const dessa_scenario *sc, size_t i, char *name, size_t nlen,
                          char *value, size_t vlen)
{
    lua_State *L = sc->L;
    lua_rawgeti(L, LUA_REGISTRYINDEX, sc->spec);
    lua_getfield(L, -1, "params");
    lua_rawgeti(L, -1, (lua_Integer)i + 1);
    const char *n = get_str(L, -1, "name");
    lua_getfield(L, -1, "value");
    const char *v = luaL_tolstring(L, -1, NULL);
    snprintf(name, nlen, "%s", n ? n : "");
    snprintf(value, vlen, "%s", v ? v : "");
    lua_settop(L, 0);
}
