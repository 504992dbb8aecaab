/* spec: the table-driven SPEC reader and the engine builder (see spec.h).
 *
 * Reading: each record kind has a descriptor array (fdesc) naming its fields, their type, the
 * accepted range and whether they are required; read_record checks a Lua table against one
 * (unknown keys included) and fills an array of fval. Lua stack effects are noted as
 * [-pop, +push] after the style of the Lua manual. All allocations go to the spec's arena, so a
 * Lua error (out of memory included) raised half-way through leaks nothing.
 *
 * Building: plain C over the structures; builder failures become located messages (out of
 * memory is said as such, with the size that was asked for when it is the likely cause). */
#include "spec.h"

#include <lauxlib.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"

/* ---- arena -------------------------------------------------------------------------- */

struct spec_block {
    spec_block *next;
};
/* Blocks are a header followed by the data, aligned for any type. */
#define ALIGN _Alignof(max_align_t)
#define HEADER ((sizeof(spec_block) + ALIGN - 1) / ALIGN * ALIGN)

typedef struct reader {
    lua_State *L;
    spec *s;
    int names;        /* stack index: service name -> { index, endpoints = { name -> index } } */
    int bnames;       /* stack index: broker name -> index */
} reader;

/* A zeroed block of count * size bytes from the arena; raises "out of memory" on failure. */
static void *arena_alloc(reader *r, size_t count, size_t size)
{
    if (count == 0)
        count = 1;
    spec_block *b = NULL;
    if (!size || count <= (SIZE_MAX - HEADER) / size)
        b = sim_malloc(HEADER + count * size);
    if (!b) {
        r->s->oom = 1;
        luaL_error(r->L, "out of memory");
        return NULL;   /* not reached: luaL_error does not return */
    }
    char *data = (char *)b + HEADER;
    memset(data, 0, count * size);
    b->next = r->s->arena;
    r->s->arena = b;
    return data;
}

static const char *arena_strdup(reader *r, const char *str, size_t len)
{
    char *d = arena_alloc(r, len + 1, 1);
    memcpy(d, str, len);
    d[len] = 0;
    return d;
}

void spec_free(spec *s)
{
    if (!s)
        return;
    for (spec_block *b = s->arena, *next; b; b = next) {
        next = b->next;
        sim_free(b);
    }
    s->arena = NULL;
}

/* ---- descriptors ---------------------------------------------------------------------- */

typedef enum { F_NUM, F_INT, F_STR, F_BOOL, F_TAB, F_ANY } ftype;

/* A field rule. Numbers must be finite and in [lo, hi] (lo excluded when lo_open); integers
 * must be whole numbers in [lo, hi], checked before any conversion. rule is the wording of the
 * range for messages. */
typedef struct fdesc {
    const char *name;
    ftype type;
    int required;
    double lo, hi;
    int lo_open;
    const char *rule;
} fdesc;

typedef struct fval {
    int set;
    double num;
    int64_t i;
    const char *str;
    int b;
} fval;

#define INF HUGE_VAL
#define I64 9223372036854775807.0   /* rounds to 2^63: the float path also checks < 2^63 */
#define U32 4294967295.0
#define NDESC(a) (sizeof(a) / sizeof((a)[0]))

#define WHERE { "where", F_STR, 0, 0, 0, 0, NULL }
#define KIND { "kind", F_STR, 1, 0, 0, 0, NULL }
#define POS(n) { n, F_NUM, 1, 0, INF, 1, "a positive number" }
#define NONNEG(n) { n, F_NUM, 1, 0, INF, 0, "a non-negative number" }
#define TAB(n) { n, F_TAB, 1, 0, 0, 0, NULL }

/* Raises "where: what: message". [-0, +0, error] */
static int fail(reader *r, const char *where, const char *what, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return luaL_error(r->L, "%s: %s: %s", where ? where : "error", what, msg);
}

/* The record's location (its `where` field), or NULL. [-0, +0] */
static const char *record_where(lua_State *L, int t)
{
    lua_pushliteral(L, "where");
    lua_rawget(L, t);
    const char *w = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
    lua_pop(L, 1);   /* the string stays alive: the record holds it */
    return w;
}

/* Whether the value on top of the stack fits rule d; fills *v (set, and the value). */
static int take_value(lua_State *L, const fdesc *d, fval *v)
{
    int ty = lua_type(L, -1);
    v->set = 1;
    switch (d->type) {
    case F_NUM: {
        if (ty != LUA_TNUMBER)
            return 0;
        double x = lua_tonumber(L, -1);
        v->num = x;
        return isfinite(x) && x >= d->lo && x <= d->hi && !(d->lo_open && x == d->lo);
    }
    case F_INT:
        if (lua_isinteger(L, -1)) {
            lua_Integer x = lua_tointeger(L, -1);
            v->i = (int64_t)x;
            v->num = (double)v->i;
            return (double)x >= d->lo && (double)x <= d->hi;
        }
        if (ty == LUA_TNUMBER) {
            double x = lua_tonumber(L, -1);
            if (x == floor(x) && x >= d->lo && x <= d->hi && x >= -I64 && x < I64) {
                v->i = (int64_t)x;
                v->num = (double)v->i;
                return 1;
            }
        }
        return 0;
    case F_STR:
        v->str = ty == LUA_TSTRING ? lua_tostring(L, -1) : NULL;   /* alive while the SPEC is */
        return ty == LUA_TSTRING;
    case F_BOOL:
        v->b = lua_toboolean(L, -1);
        return ty == LUA_TBOOLEAN;
    case F_TAB:
        return ty == LUA_TTABLE;
    case F_ANY:
        return 1;
    }
    return 0;
}

/* Raises the message for rule d refused by the value on top of the stack. [-0, +0, error] */
static void refuse_value(reader *r, const char *where, const char *what, const fdesc *d)
{
    lua_State *L = r->L;
    switch (d->type) {
    case F_NUM:
        if (lua_type(L, -1) != LUA_TNUMBER)
            fail(r, where, what, "field '%s' must be a number", d->name);
        fail(r, where, what, "field '%s' must be %s, got %.17g", d->name, d->rule,
             lua_tonumber(L, -1));
        break;
    case F_INT:
        fail(r, where, what, "field '%s' must be %s, got %s", d->name, d->rule,
             luaL_tolstring(L, -1, NULL));
        break;
    case F_STR:
        fail(r, where, what, "field '%s' must be a string", d->name);
        break;
    case F_BOOL:
        fail(r, where, what, "field '%s' must be true or false", d->name);
        break;
    case F_TAB:
        fail(r, where, what, "field '%s' must be a table", d->name);
        break;
    case F_ANY:
        break;
    }
}

/* Checks the table at t against d[0..nd-1] and fills v[]. One pass over the table reads each
 * field it has (a model reads a record per component, and most rules name fields a record
 * leaves out); the refusals are then raised in the rules' order, an unknown field first, as a
 * field-by-field reading would. [-0, +0, error] */
static const char *read_record(reader *r, int t, const char *what, const fdesc *d, size_t nd,
                               fval *v)
{
    lua_State *L = r->L;
    t = lua_absindex(L, t);
    luaL_checkstack(L, 4, "nesting");
    if (!lua_istable(L, t))
        fail(r, NULL, what, "the specification holds %s instead of a table",
             luaL_typename(L, t));
    const char *where = record_where(L, t);
    memset(v, 0, nd * sizeof *v);
    unsigned char okbuf[64], *ok = nd <= sizeof okbuf ? okbuf : lua_newuserdatauv(L, nd, 0);
    int scratch = ok != okbuf;
    lua_pushnil(L);
    while (lua_next(L, t)) {
        size_t i = nd;
        if (lua_type(L, -2) == LUA_TSTRING) {
            const char *k = lua_tostring(L, -2);
            for (i = 0; i < nd && (k[0] != d[i].name[0] || strcmp(k, d[i].name)); i++)
                ;
        }
        if (i == nd)
            fail(r, where, what, "unknown field %s%s%s in the specification",
                 lua_type(L, -2) == LUA_TSTRING ? "'" : "",
                 lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : luaL_typename(L, -2),
                 lua_type(L, -2) == LUA_TSTRING ? "'" : "");
        if (lua_type(L, -1) != LUA_TNIL)
            ok[i] = (unsigned char)take_value(L, &d[i], &v[i]);
        lua_pop(L, 1);
    }
    for (size_t i = 0; i < nd; i++) {
        if (!v[i].set) {
            if (d[i].required)
                fail(r, where, what, "field '%s' is missing from the specification", d[i].name);
        } else if (!ok[i]) {
            lua_pushstring(L, d[i].name);
            lua_rawget(L, t);
            refuse_value(r, where, what, &d[i]);
        }
    }
    if (scratch)
        lua_pop(L, 1);
    return where;
}

/* Pushes t[name] (a field that read_record has checked). [-0, +1] */
static int push_field(lua_State *L, int t, const char *name)
{
    t = lua_absindex(L, t);
    lua_pushstring(L, name);
    return lua_rawget(L, t);
}

/* The index of s in the NULL-terminated list, or raises. */
static int pick(reader *r, const char *where, const char *what, const char *field,
                const char *s, const char *const *names)
{
    for (int i = 0; s && names[i]; i++)
        if (!strcmp(s, names[i]))
            return i;
    return fail(r, where, what, "field '%s' has an unknown value '%s'", field, s ? s : "");
}

/* Reads the list t[field] of numbers in [lo, hi] (lo excluded when lo_open) into the arena;
 * *n gets its length, which must be at least 1. [-0, +0, error] */
static double *read_numbers(reader *r, int t, const char *where, const char *what,
                            const char *field, double lo, double hi, int lo_open, size_t *n)
{
    lua_State *L = r->L;
    t = lua_absindex(L, t);
    *n = 0;
    if (push_field(L, t, field) != LUA_TTABLE)
        fail(r, where, what, "field '%s' must be a list of numbers", field);
    size_t len = lua_rawlen(L, -1);
    if (len == 0 || len > UINT32_MAX)
        fail(r, where, what, "field '%s' must hold between 1 and 4294967295 numbers", field);
    double *v = arena_alloc(r, len, sizeof *v);
    for (size_t i = 0; i < len; i++) {
        lua_rawgeti(L, -1, (lua_Integer)i + 1);
        double x = lua_tonumber(L, -1);
        if (lua_type(L, -1) != LUA_TNUMBER || !isfinite(x) || x < lo || x > hi ||
            (lo_open && x == lo))
            fail(r, where, what, "entry %zu of field '%s' is out of range", i + 1, field);
        v[i] = x;
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    *n = len;
    return v;
}

/* ---- distributions -------------------------------------------------------------------- */

static const fdesc D_CONST[] = { KIND, WHERE, NONNEG("value") };
static const fdesc D_EXP[] = { KIND, WHERE, POS("mean") };
static const fdesc D_UNIFORM[] = { KIND, WHERE, NONNEG("lo"), NONNEG("hi") };
static const fdesc D_NORMAL[] = { KIND, WHERE, { "mean", F_NUM, 1, -INF, INF, 0, "a number" },
                                  NONNEG("sd") };
static const fdesc D_LOGNORMAL[] = {
    KIND, WHERE, { "mu", F_NUM, 1, -700, 700, 0, "between -700 and 700" }, NONNEG("sigma")
};
static const fdesc D_SHAPE_MEAN[] = { KIND, WHERE, POS("shape"), POS("mean") };
static const fdesc D_ERLANG[] = {
    KIND, WHERE, { "k", F_INT, 1, 1, U32, 0, "an integer between 1 and 4294967295" }, POS("mean")
};
static const fdesc D_PARETO[] = { KIND, WHERE, POS("alpha"), POS("min") };
static const fdesc D_HYPEREXP[] = { KIND, WHERE, TAB("probs"), TAB("means") };
static const fdesc D_EMPIRICAL[] = { KIND, WHERE, TAB("values") };
static const fdesc D_MIXTURE[] = { KIND, WHERE, TAB("weights"), TAB("parts") };

static const struct {
    const char *name;
    spec_dist_kind kind;
    const fdesc *d;
    size_t nd;
} DIST_KINDS[] = {
    { "const", SD_CONST, D_CONST, NDESC(D_CONST) },
    { "exp", SD_EXP, D_EXP, NDESC(D_EXP) },
    { "uniform", SD_UNIFORM, D_UNIFORM, NDESC(D_UNIFORM) },
    { "normal", SD_NORMAL, D_NORMAL, NDESC(D_NORMAL) },
    { "lognormal", SD_LOGNORMAL, D_LOGNORMAL, NDESC(D_LOGNORMAL) },
    { "gamma", SD_GAMMA, D_SHAPE_MEAN, NDESC(D_SHAPE_MEAN) },
    { "erlang", SD_ERLANG, D_ERLANG, NDESC(D_ERLANG) },
    { "weibull", SD_WEIBULL, D_SHAPE_MEAN, NDESC(D_SHAPE_MEAN) },
    { "pareto", SD_PARETO, D_PARETO, NDESC(D_PARETO) },
    { "hyperexp", SD_HYPEREXP, D_HYPEREXP, NDESC(D_HYPEREXP) },
    { "empirical", SD_EMPIRICAL, D_EMPIRICAL, NDESC(D_EMPIRICAL) },
    { "mixture", SD_MIXTURE, D_MIXTURE, NDESC(D_MIXTURE) },
};

/* Reads the distribution at stack index t. [-0, +0, error] */
static spec_dist *read_dist(reader *r, int t, const char *what, int depth)
{
    lua_State *L = r->L;
    t = lua_absindex(L, t);
    if (!lua_istable(L, t))
        fail(r, NULL, what, "a distribution was expected in the specification");
    if (push_field(L, t, "kind") != LUA_TSTRING)
        fail(r, record_where(L, t), what, "distribution without a kind");
    const char *kind = lua_tostring(L, -1);
    lua_pop(L, 1);
    size_t k = 0;
    while (k < NDESC(DIST_KINDS) && strcmp(kind, DIST_KINDS[k].name))
        k++;
    if (k == NDESC(DIST_KINDS))
        fail(r, record_where(L, t), what, "unknown distribution '%s'", kind);
    fval v[5];
    const char *where = read_record(r, t, DIST_KINDS[k].name, DIST_KINDS[k].d, DIST_KINDS[k].nd, v);
    spec_dist *d = arena_alloc(r, 1, sizeof *d);
    d->kind = DIST_KINDS[k].kind;
    d->where = where ? arena_strdup(r, where, strlen(where)) : NULL;
    d->p1 = v[2].num;
    d->p2 = DIST_KINDS[k].nd > 3 ? v[3].num : 0;
    const char *dn = DIST_KINDS[k].name;
    switch (d->kind) {
    case SD_ERLANG:
        d->k = (uint32_t)v[2].i;
        break;
    case SD_HYPEREXP: {
        size_t m;
        d->a = read_numbers(r, t, where, dn, "probs", 0, 1, 0, &d->n);
        d->b = read_numbers(r, t, where, dn, "means", 0, INF, 1, &m);
        if (m != d->n)
            fail(r, where, dn, "probs and means differ in length");
        break;
    }
    case SD_EMPIRICAL:
        d->a = read_numbers(r, t, where, dn, "values", 0, INF, 0, &d->n);
        break;
    case SD_MIXTURE:
        if (depth >= SPEC_MAX_DEPTH)
            fail(r, where, dn, "distributions nested too deeply (more than %d levels)",
                 SPEC_MAX_DEPTH);
        d->a = read_numbers(r, t, where, dn, "weights", 0, INF, 1, &d->n);
        d->parts = arena_alloc(r, d->n, sizeof *d->parts);
        push_field(L, t, "parts");
        if (lua_rawlen(L, -1) != d->n)
            fail(r, where, dn, "weights and parts differ in length");
        for (size_t i = 0; i < d->n; i++) {
            lua_rawgeti(L, -1, (lua_Integer)i + 1);
            d->parts[i] = read_dist(r, -1, dn, depth + 1);
            lua_pop(L, 1);
        }
        lua_pop(L, 1);
        break;
    default:
        break;
    }
    return d;
}

/* t[field] as a distribution; NULL when absent. [-0, +0, error] */
static spec_dist *read_field_dist(reader *r, int t, const char *what, const char *field)
{
    spec_dist *d = NULL;
    if (push_field(r->L, t, field) != LUA_TNIL)
        d = read_dist(r, -1, what, 0);
    lua_pop(r->L, 1);
    return d;
}

/* ---- steps ---------------------------------------------------------------------------- */

#define OP { "op", F_STR, 1, 0, 0, 0, NULL }
#define BLOCKING { "blocking", F_BOOL, 0, 0, 0, 0, NULL }
static const fdesc S_DIST[] = { OP, WHERE, TAB("dist") };
/* Retries of a call or a client (the same fields in both, at the end of their records). */
#define RETRY_FIELDS                                                                         \
    { "retries", F_INT, 0, 0, SIM_RETRIES_MAX, 0, "an integer between 0 and 1000" },         \
    { "backoff", F_TAB, 0, 0, 0, 0, NULL }, { "jitter", F_STR, 0, 0, 0, 0, NULL },            \
    { "retry_budget", F_NUM, 0, 0, 1e9, 0, "a non-negative number" }
#define NRETRY_FIELDS 4
static const fdesc S_CALL[] = { OP, WHERE, { "service", F_STR, 1, 0, 0, 0, NULL },
                                { "endpoint", F_STR, 1, 0, 0, 0, NULL }, BLOCKING,
                                { "timeout", F_NUM, 0, 0, 1e10, 1, "a positive number" },
                                RETRY_FIELDS, { "breaker", F_TAB, 0, 0, 0, 0, NULL },
                                { "fallback", F_TAB, 0, 0, 0, 0, NULL },
                                { "bulkhead", F_TAB, 0, 0, 0, 0, NULL } };
#define BREAKER_INT(n, req) { n, F_INT, req, 1, SIM_BREAKER_MAX, 0, "an integer between 1 and 1000000" }
static const fdesc R_BREAKER[] = {
    WHERE, BREAKER_INT("failures", 0),
    { "open_for", F_NUM, 1, 0, 1e10, 1, "a positive number" }, BREAKER_INT("probes", 1),
    { "failure_rate", F_NUM, 0, 0, 1, 1, "a number above 0 and at most 1" },
    BREAKER_INT("window", 0), { "window_time", F_NUM, 0, 0, 1e10, 1, "a positive number" },
    BREAKER_INT("min_calls", 0)
};
static const fdesc R_BULKHEAD[] = {
    WHERE, BREAKER_INT("max_concurrent", 1),
    { "queue", F_INT, 1, 0, SIM_BREAKER_MAX, 0, "an integer between 0 and 1000000" },
    { "max_wait", F_NUM, 0, 0, 1e10, 1, "a positive number" }
};
static const fdesc R_BACKOFF[] = { KIND, WHERE, NONNEG("base"),
                                   { "cap", F_NUM, 0, 0, INF, 0, "a non-negative number" } };
static const fdesc S_PARALLEL[] = {
    OP, WHERE, TAB("branches"), { "join", F_STR, 1, 0, 0, 0, NULL },
    { "quorum", F_INT, 1, 1, U32, 0, "an integer between 1 and 4294967295" }, BLOCKING
};
static const fdesc S_BRANCH[] = { OP, WHERE, TAB("probs"), TAB("arms") };
static const fdesc S_PUBLISH[] = { OP, WHERE, { "broker", F_STR, 1, 0, 0, 0, NULL },
                                   { "ack", F_BOOL, 0, 0, 0, 0, NULL },
                                   { "key", F_TAB, 0, 0, 0, 0, NULL },
                                   { "timeout", F_NUM, 0, 0, 1e10, 1, "a positive number" } };
static const fdesc R_KEY[] = {
    KIND, WHERE, { "value", F_INT, 0, -I64, I64, 0, "a 64-bit integer" },
    { "n", F_INT, 0, 1, 1e7, 0, "an integer between 1 and 10000000" },
    { "s", F_NUM, 0, 0, 1e3, 0, "a number between 0 and 1000" }
};
static const fdesc S_REPLY[] = { OP, WHERE };
static const fdesc S_REQUEST[] = { OP, WHERE, { "broker", F_STR, 1, 0, 0, 0, NULL },
                                   { "reply_to", F_STR, 0, 0, 0, 0, NULL }, BLOCKING,
                                   { "timeout", F_NUM, 0, 0, 1e10, 1, "a positive number" },
                                   { "fallback", F_TAB, 0, 0, 0, 0, NULL } };

static void read_seq(reader *r, int t, spec_seq *seq, int depth);

/* Reads the step's t.fallback (a call's or a request's) as its one sub-sequence. [-0, +0,
 * error] */
static void read_fallback(reader *r, int t, spec_step *st, int depth)
{
    lua_State *L = r->L;
    st->subs = arena_alloc(r, 1, sizeof *st->subs);
    push_field(L, t, "fallback");
    read_seq(r, -1, &st->subs[0], depth + 1);
    lua_pop(L, 1);
    st->n = 1;
}

/* Reads the n sub-sequences of the list t[field]. [-0, +0, error] */
static spec_seq *read_subs(reader *r, int t, const char *field, uint32_t n, int depth)
{
    lua_State *L = r->L;
    spec_seq *subs = arena_alloc(r, n, sizeof *subs);
    push_field(L, t, field);
    for (uint32_t i = 0; i < n; i++) {
        lua_rawgeti(L, -1, (lua_Integer)i + 1);
        read_seq(r, -1, &subs[i], depth + 1);
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    return subs;
}

/* Resolves (service, endpoint) names to indices. [-0, +0, error] */
static void resolve(reader *r, const char *where, const char *what, const char *svc,
                    const char *ep, uint32_t *si, uint32_t *ei)
{
    lua_State *L = r->L;
    lua_getfield(L, r->names, svc);
    if (!lua_istable(L, -1))
        fail(r, where, what, "unknown service '%s'", svc);
    lua_rawgeti(L, -1, 1);
    *si = (uint32_t)lua_tointeger(L, -1);
    lua_getfield(L, -2, ep);
    if (!lua_isinteger(L, -1))
        fail(r, where, what, "service '%s' has no endpoint '%s'", svc, ep);
    *ei = (uint32_t)lua_tointeger(L, -1);
    lua_pop(L, 3);
}

/* The retry fields of the record at t, read by read_record into v[0..NRETRY_FIELDS). */
static void read_retry(reader *r, int t, const char *where, const char *what, const fval *v,
                       sim_retry_config *c)
{
    static const char *const jitters[] = { "none", "full", "equal", "decorrelated", NULL };
    static const char *const kinds[] = { "none", "constant", "exponential", NULL };
    c->retries = v[0].set ? (uint32_t)v[0].i : 0;
    c->jitter = v[2].set ? (sim_jitter)pick(r, where, what, "jitter", v[2].str, jitters)
                         : SIM_JITTER_NONE;
    c->budget = v[3].set ? v[3].num : 0;
    if (v[1].set) {
        push_field(r->L, t, "backoff");
        fval b[4];
        const char *bw = read_record(r, -1, "backoff", R_BACKOFF, NDESC(R_BACKOFF), b);
        c->backoff = (sim_backoff)pick(r, bw ? bw : where, "backoff", "kind", b[0].str, kinds);
        c->base = b[2].num;
        c->cap = b[3].set ? b[3].num : 0;
        lua_pop(r->L, 1);
    }
}

static void read_step(reader *r, int t, spec_step *st, int depth)
{
    static const char *const ops[] = { "work", "sleep", "call", "parallel", "branch", "io",
                                       "publish", "reply", "request", NULL };
    static const char *const joins[] = { "all", "any", "quorum", NULL };
    lua_State *L = r->L;
    t = lua_absindex(L, t);
    if (!lua_istable(L, t) || push_field(L, t, "op") != LUA_TSTRING)
        fail(r, lua_istable(L, t) ? record_where(L, t) : NULL, "step", "a step has no op");
    const char *opname = lua_tostring(L, -1);
    lua_pop(L, 1);
    const char *where = record_where(L, t);
    st->op = (spec_step_op)pick(r, where, "step", "op", opname, ops);
    st->where = where ? arena_strdup(r, where, strlen(where)) : NULL;
    if (depth > SPEC_MAX_DEPTH)
        fail(r, where, opname, "steps nested too deeply (more than %d levels)", SPEC_MAX_DEPTH);
    fval v[13];
    switch (st->op) {
    case SS_WORK:
    case SS_SLEEP:
    case SS_IO:
        read_record(r, t, opname, S_DIST, NDESC(S_DIST), v);
        st->dist = read_field_dist(r, t, opname, "dist");
        break;
    case SS_CALL:
        read_record(r, t, opname, S_CALL, NDESC(S_CALL), v);
        resolve(r, where, opname, v[2].str, v[3].str, &st->service, &st->endpoint);
        st->blocking = v[4].set ? v[4].b : 1;
        st->retry.timeout = v[5].set ? v[5].num : 0;
        read_retry(r, t, where, opname, &v[6], &st->retry);
        st->has_retry = st->retry.timeout > 0 || st->retry.retries > 0;
        if (v[10].set) {
            push_field(L, t, "breaker");
            fval b[NDESC(R_BREAKER)];
            read_record(r, -1, "breaker", R_BREAKER, NDESC(R_BREAKER), b);
            st->breaker.failures = b[1].set ? (uint32_t)b[1].i : 0;
            st->breaker.open_for = b[2].num;
            st->breaker.probes = (uint32_t)b[3].i;
            st->breaker.rate = b[4].set ? b[4].num : 0;
            st->breaker.window = b[5].set ? (uint32_t)b[5].i : 0;
            st->breaker.window_time = b[6].set ? b[6].num : 0;
            st->breaker.min_calls = b[7].set ? (uint32_t)b[7].i : 0;
            st->has_breaker = 1;
            lua_pop(L, 1);
        }
        if (v[12].set) {
            push_field(L, t, "bulkhead");
            fval b[NDESC(R_BULKHEAD)];
            read_record(r, -1, "bulkhead", R_BULKHEAD, NDESC(R_BULKHEAD), b);
            st->bulkhead.max = (uint32_t)b[1].i;
            st->bulkhead.queue = (uint32_t)b[2].i;
            st->bulkhead.max_wait = b[3].set ? b[3].num : 0;
            st->has_bulkhead = 1;
            lua_pop(L, 1);
        }
        if (v[11].set)
            read_fallback(r, t, st, depth);
        break;
    case SS_PARALLEL: {
        read_record(r, t, opname, S_PARALLEL, NDESC(S_PARALLEL), v);
        push_field(L, t, "branches");
        size_t n = lua_rawlen(L, -1);
        lua_pop(L, 1);
        if (n < 1 || n > UINT32_MAX)
            fail(r, where, opname, "a parallel step needs 1 to 4294967295 branches");
        st->n = (uint32_t)n;
        st->join = (sim_join)pick(r, where, opname, "join", v[3].str, joins);
        st->quorum = (uint32_t)v[4].i;
        if (st->quorum > st->n)
            fail(r, where, opname, "quorum %u is above the number of branches", st->quorum);
        st->blocking = v[5].set ? v[5].b : 1;
        st->subs = read_subs(r, t, "branches", st->n, depth);
        break;
    }
    case SS_PUBLISH:
        read_record(r, t, opname, S_PUBLISH, NDESC(S_PUBLISH), v);
        lua_getfield(L, r->bnames, v[2].str);
        if (!lua_isinteger(L, -1))
            fail(r, where, opname, "unknown broker '%s'", v[2].str);
        st->service = (uint32_t)lua_tointeger(L, -1);
        lua_pop(L, 1);
        st->blocking = v[3].set && v[3].b;
        if (v[4].set) {
            static const char *const kinds[] = { "const", "uniform", "zipf", "hot", NULL };
            fval k[5];
            push_field(L, t, "key");
            const char *kw = read_record(r, -1, "key", R_KEY, NDESC(R_KEY), k);
            st->has_key = 1;
            st->key.kind = (sim_key_kind)pick(r, kw, "key", "kind", k[0].str, kinds);
            st->key.value = (uint64_t)k[2].i;
            st->key.n = k[3].set ? (uint32_t)k[3].i : 0;
            st->key.s = k[4].set ? k[4].num : 0;
            if (st->key.kind != SIM_KEY_CONST && !k[3].set)
                fail(r, kw, "key", "a drawn key needs n");
            lua_pop(L, 1);
        }
        st->has_retry = v[5].set;
        st->retry.timeout = v[5].set ? v[5].num : 0;
        break;
    case SS_REPLY:
        read_record(r, t, opname, S_REPLY, NDESC(S_REPLY), v);
        break;
    case SS_REQUEST:
        read_record(r, t, opname, S_REQUEST, NDESC(S_REQUEST), v);
        for (int k = 2; k <= 3; k++) {   /* the queue, and the reply queue if any */
            if (!v[k].set) {
                st->endpoint = UINT32_MAX;
                continue;
            }
            lua_getfield(L, r->bnames, v[k].str);
            if (!lua_isinteger(L, -1))
                fail(r, where, opname, "unknown broker '%s'", v[k].str);
            *(k == 2 ? &st->service : &st->endpoint) = (uint32_t)lua_tointeger(L, -1);
            lua_pop(L, 1);
        }
        st->blocking = v[4].set ? v[4].b : 1;
        st->retry.timeout = v[5].set ? v[5].num : 0;
        if (v[6].set)
            read_fallback(r, t, st, depth);
        break;
    case SS_BRANCH: {
        read_record(r, t, opname, S_BRANCH, NDESC(S_BRANCH), v);
        size_t n;
        st->probs = read_numbers(r, t, where, opname, "probs", 0, 1, 1, &n);
        push_field(L, t, "arms");
        size_t na = lua_rawlen(L, -1);
        lua_pop(L, 1);
        if (na != n)
            fail(r, where, opname, "probs and arms differ in length");
        st->n = (uint32_t)n;
        st->subs = read_subs(r, t, "arms", st->n, depth);
        break;
    }
    }
}

/* Reads the list of steps at t. [-0, +0, error] */
static void read_seq(reader *r, int t, spec_seq *seq, int depth)
{
    lua_State *L = r->L;
    t = lua_absindex(L, t);
    luaL_checkstack(L, 8, "nesting");
    if (!lua_istable(L, t))
        fail(r, NULL, "steps", "a list of steps was expected in the specification");
    seq->n = lua_rawlen(L, t);
    seq->steps = arena_alloc(r, seq->n, sizeof *seq->steps);
    for (size_t i = 0; i < seq->n; i++) {
        lua_rawgeti(L, t, (lua_Integer)i + 1);
        read_step(r, -1, &seq->steps[i], depth);
        lua_pop(L, 1);
    }
}

/* ---- services, clients, links, run, params ------------------------------------------------ */

#define NAME { "name", F_STR, 1, 0, 0, 0, NULL }
#define COUNT(n, req) { n, F_INT, req, 1, U32, 0, "an integer between 1 and 4294967295" }
static const fdesc R_SERVICE[] = {
    NAME, WHERE, { "workers", F_ANY, 1, 0, 0, 0, NULL },
    { "queue", F_INT, 1, -1, I64, 0, "-1 (unbounded) or a non-negative integer" },
    { "discipline", F_STR, 1, 0, 0, 0, NULL }, COUNT("replicas", 1),
    { "balancer", F_STR, 1, 0, 0, 0, NULL }, TAB("endpoints"),
    { "cores", F_NUM, 0, 0, 1e9, 0, "a non-negative number (0: a core per working thread)" },
    { "cpu", F_STR, 0, 0, 0, 0, NULL }, { "host", F_STR, 0, 0, 0, 0, NULL }
};
static const fdesc R_HOST[] = {
    NAME, WHERE, { "cores", F_NUM, 1, 0, 1e9, 1, "a positive number" },
    { "cpu", F_STR, 1, 0, 0, 0, NULL }
};
static const fdesc R_ENDPOINT[] = {
    NAME, WHERE, TAB("steps"),
    { "error_rate", F_NUM, 0, 0, 1, 0, "a number between 0 and 1" }
};
static const fdesc R_CLIENT[] = {
    NAME, WHERE, { "target", F_STR, 1, 0, 0, 0, NULL }, { "endpoint", F_STR, 1, 0, 0, 0, NULL },
    { "kind", F_STR, 1, 0, 0, 0, NULL }, { "arrivals", F_TAB, 0, 0, 0, 0, NULL },
    COUNT("users", 0), { "think", F_TAB, 0, 0, 0, 0, NULL },
    { "timeout", F_NUM, 0, 0, INF, 1, "a positive number" },
    { "limit", F_INT, 0, 1, I64, 0, "a positive integer" },
    { "priority", F_INT, 1, -2147483648.0, 2147483647.0, 0, "a 32-bit integer" },
    NONNEG("start"), RETRY_FIELDS
};
static const fdesc R_RATE[] = { KIND, WHERE, POS("rate") };
static const fdesc R_SCHEDULE[] = { KIND, WHERE, TAB("times"), TAB("rates") };
static const fdesc R_BURSTY[] = { KIND, WHERE, POS("rate"), TAB("on"), TAB("off") };
static const fdesc R_LINK_DEFAULT[] = { WHERE, { "latency", F_TAB, 0, 0, 0, 0, NULL } };
static const fdesc R_LINK[] = { WHERE, { "from", F_STR, 1, 0, 0, 0, NULL },
                                { "to", F_STR, 1, 0, 0, 0, NULL },
                                { "latency", F_TAB, 0, 0, 0, 0, NULL },
                                { "loss", F_NUM, 0, 0, 1, 0, "a number between 0 and 1" } };
static const fdesc R_PARTITION[] = { WHERE, { "label", F_STR, 1, 0, 0, 0, NULL },
                                     { "names", F_TAB, 1, 0, 0, 0, NULL },
                                     { "at", F_NUM, 1, 0, 1e10, 0, "a non-negative number" },
                                     { "duration", F_NUM, 1, 0, 1e10, 1,
                                       "a positive number" },
                                     { "extra", F_TAB, 0, 0, 0, 0, NULL } };
static const fdesc R_RUN[] = {
    WHERE, { "duration", F_NUM, 1, 0, 1e10, 1, "a positive number of at most 1e10 s" },
    NONNEG("warmup"), POS("sample"),
    { "seed", F_INT, 0, 0, I64, 0, "a non-negative integer" }
};
static const fdesc R_PARAM[] = { NAME, { "default", F_ANY, 1, 0, 0, 0, NULL },
                                 { "value", F_ANY, 1, 0, 0, 0, NULL } };
static const fdesc R_TOP[] = { TAB("params"), TAB("run"), TAB("link"), TAB("links"),
                               TAB("services"), TAB("clients"),
                               { "hosts", F_TAB, 0, 0, 0, 0, NULL },
                               { "sweep", F_TAB, 0, 0, 0, 0, NULL },
                               { "faults", F_TAB, 0, 0, 0, 0, NULL },
                               { "partitions", F_TAB, 0, 0, 0, 0, NULL },
                               { "guards", F_TAB, 0, 0, 0, 0, NULL },

                               { "brokers", F_TAB, 0, 0, 0, 0, NULL } };
static const fdesc R_BROKER[] = {
    NAME, WHERE, { "kind", F_STR, 1, 0, 0, 0, NULL },
    { "capacity", F_INT, 1, -1, I64, 0, "-1 (unbounded) or a positive integer" },
    { "on_full", F_STR, 1, 0, 0, 0, NULL }, { "workers", F_ANY, 1, 0, 0, 0, NULL },
    { "publish_cost", F_TAB, 0, 0, 0, 0, NULL }, TAB("subs"),
    { "partitions", F_INT, 0, 1, 1e6, 0, "an integer between 1 and 1000000" },
    { "retention", F_NUM, 0, 0, 1e10, 1, "a positive number of at most 1e10 s" },
    { "retention_size", F_INT, 0, 1, I64, 0, "a positive integer" },
    { "rebalance_pause", F_TAB, 0, 0, 0, 0, NULL }, { "assignment", F_STR, 0, 0, 0, 0, NULL },
    { "durable", F_BOOL, 0, 0, 0, 0, NULL }
};
static const fdesc R_SUB[] = {
    WHERE, { "service", F_STR, 1, 0, 0, 0, NULL }, { "endpoint", F_STR, 1, 0, 0, 0, NULL },
    { "group", F_STR, 0, 0, 0, 0, NULL }, COUNT("consumers", 1), COUNT("prefetch", 1),
    { "delivery", F_STR, 1, 0, 0, 0, NULL },
    { "visibility_timeout", F_NUM, 0, 0, 1e10, 1, "a positive number of at most 1e10 s" },
    COUNT("max_deliveries", 0), { "dead_letter", F_STR, 0, 0, 0, 0, NULL },
    { "idempotent", F_BOOL, 1, 0, 0, 0, NULL },
    { "dedupe_window", F_NUM, 1, 0, 1e10, 1, "a positive number of at most 1e10 s" },
    { "start", F_NUM, 0, 0, 1e10, 0, "a non-negative number of at most 1e10 s" },
    { "offset", F_STR, 0, 0, 0, 0, NULL },
    { "leave_at", F_NUM, 0, 0, 1e10, 0, "a non-negative number of at most 1e10 s" },
    { "leave_for", F_NUM, 0, 0, INF, 1, "a positive number" }
};

/* Most rows of time series one entity may produce (duration / sample). */
#define MAX_SAMPLES 1e8

static const char *dup_where(reader *r, const char *w)
{
    return w ? arena_strdup(r, w, strlen(w)) : NULL;
}

static const char *const CPU_NAMES[] = { "ps", "fcfs", NULL };
static const char *const DELIVERY_NAMES[] = { "at_least_once", "at_most_once", NULL };

/* The optional list of hosts; names are unique. [-0, +0, error] */
static void read_hosts(reader *r, int top)
{
    lua_State *L = r->L;
    spec *s = r->s;
    if (push_field(L, top, "hosts") == LUA_TNIL) {
        lua_pop(L, 1);
        return;
    }
    int list = lua_gettop(L);
    size_t n = lua_rawlen(L, list);
    if (n > UINT32_MAX - 1)
        fail(r, NULL, "hosts", "too many hosts");
    s->hosts = arena_alloc(r, n, sizeof *s->hosts);
    s->nhosts = n;
    for (size_t i = 0; i < n; i++) {
        spec_host *h = &s->hosts[i];
        lua_rawgeti(L, list, (lua_Integer)i + 1);
        fval v[4];
        const char *where = read_record(r, -1, "host", R_HOST, NDESC(R_HOST), v);
        h->name = arena_strdup(r, v[0].str, strlen(v[0].str));
        h->where = dup_where(r, where);
        h->cores = v[2].num;
        h->cpu = (sim_cpu_sched)pick(r, where, "host", "cpu", v[3].str, CPU_NAMES);
        if (h->cpu == SIM_CPU_FCFS && h->cores != floor(h->cores))
            fail(r, where, "host", "FCFS needs a whole number of cores");
        for (size_t k = 0; k < i; k++)
            if (!strcmp(s->hosts[k].name, h->name))
                fail(r, where, "host", "duplicate host '%s'", h->name);
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
}

/* The host named name: its index + 1 in the specification's hosts (read before). */
static uint32_t host_number(reader *r, const char *where, const char *what, const char *name)
{
    const spec *s = r->s;
    size_t k = 0;
    while (k < s->nhosts && strcmp(s->hosts[k].name, name))
        k++;
    if (k == s->nhosts)
        fail(r, where, what, "unknown host '%s'", name);
    return (uint32_t)k + 1;
}

static void read_services(reader *r, int top)
{
    static const char *const disc[] = { "fifo", "lifo", "priority", "ps", NULL };
    static const char *const lb[] = { "round_robin", "random", "least_outstanding",
                                      "power_of_two", NULL };
    lua_State *L = r->L;
    push_field(L, top, "services");
    int list = lua_gettop(L);
    size_t n = lua_rawlen(L, list);
    if (n > UINT32_MAX)
        fail(r, NULL, "services", "too many services");
    spec *s = r->s;
    s->services = arena_alloc(r, n, sizeof *s->services);
    s->nservices = n;
    /* Pass 1: names and configurations, so that calls can name any endpoint. */
    for (size_t i = 0; i < n; i++) {
        spec_service *sv = &s->services[i];
        lua_rawgeti(L, list, (lua_Integer)i + 1);
        int t = lua_gettop(L);
        fval v[11];
        const char *where = read_record(r, t, "service", R_SERVICE, NDESC(R_SERVICE), v);
        sv->name = arena_strdup(r, v[0].str, strlen(v[0].str));
        sv->where = dup_where(r, where);
        push_field(L, t, "workers");
        if (lua_type(L, -1) == LUA_TSTRING && !strcmp(lua_tostring(L, -1), "inf")) {
            sv->cfg.workers = SIM_WORKERS_INF;
        } else {
            lua_Integer w = lua_isinteger(L, -1) ? lua_tointeger(L, -1) : 0;
            if (w < 1 || w > (lua_Integer)UINT32_MAX)
                fail(r, where, "service", "field 'workers' must be an integer between 1 and "
                     "4294967295, or \"inf\"");
            sv->cfg.workers = (uint32_t)w;
        }
        lua_pop(L, 1);
        sv->cfg.cores = v[8].set ? v[8].num : 0;
        sv->cfg.cpu = v[9].set ? (sim_cpu_sched)pick(r, where, "service", "cpu", v[9].str,
                                                     CPU_NAMES)
                               : SIM_CPU_PS;
        if (sv->cfg.cpu == SIM_CPU_FCFS && sv->cfg.cores != floor(sv->cfg.cores))
            fail(r, where, "service", "FCFS needs a whole number of cores");
        sv->cfg.host = 0;
        if (v[10].set) {
            sv->cfg.host = host_number(r, where, "service", v[10].str);
            if (sv->cfg.cores > 0)
                fail(r, where, "service", "a service on a host has no cores of its own");
        }
        sv->cfg.queue = v[3].i;
        sv->cfg.discipline = (sim_discipline)pick(r, where, "service", "discipline", v[4].str, disc);
        sv->cfg.replicas = (uint32_t)v[5].i;
        sv->cfg.balancer = (sim_balancer)pick(r, where, "service", "balancer", v[6].str, lb);
        lua_getfield(L, r->names, sv->name);
        if (!lua_isnil(L, -1))
            fail(r, where, "service", "duplicate service '%s'", sv->name);
        lua_pop(L, 1);
        lua_createtable(L, 1, 4);                 /* names entry */
        lua_pushinteger(L, (lua_Integer)i);
        lua_rawseti(L, -2, 1);
        push_field(L, t, "endpoints");
        size_t ne = lua_rawlen(L, -1);
        if (ne < 1 || ne > UINT32_MAX)
            fail(r, where, "service", "a service needs at least one endpoint");
        sv->eps = arena_alloc(r, ne, sizeof *sv->eps);
        sv->neps = ne;
        for (size_t k = 0; k < ne; k++) {
            lua_rawgeti(L, -1, (lua_Integer)k + 1);
            fval e[4];
            const char *ew = read_record(r, -1, "endpoint", R_ENDPOINT, NDESC(R_ENDPOINT), e);
            sv->eps[k].name = arena_strdup(r, e[0].str, strlen(e[0].str));
            sv->eps[k].error_rate = e[3].set ? e[3].num : 0;
            sv->eps[k].where = dup_where(r, ew);
            lua_pop(L, 1);
            lua_pushinteger(L, (lua_Integer)k);   /* names entry [ep] = k */
            lua_setfield(L, -3, sv->eps[k].name);
        }
        lua_pop(L, 1);                            /* endpoints */
        lua_setfield(L, r->names, sv->name);
        lua_pop(L, 1);                            /* the service record */
    }
    /* Pass 2: the endpoint programs. */
    for (size_t i = 0; i < n; i++) {
        lua_rawgeti(L, list, (lua_Integer)i + 1);
        push_field(L, -1, "endpoints");
        for (size_t k = 0; k < s->services[i].neps; k++) {
            lua_rawgeti(L, -1, (lua_Integer)k + 1);
            push_field(L, -1, "steps");
            read_seq(r, -1, &s->services[i].eps[k].steps, 0);
            lua_pop(L, 2);
        }
        lua_pop(L, 2);
    }
    lua_pop(L, 1);
}

/* Pass 1, before the services: names and configurations, so that publishes can name any
 * broker. [-0, +0, error] */
static void read_brokers(reader *r, int top)
{
    static const char *const kinds[] = { "queue", "topic", NULL };
    static const char *const full[] = { "drop_new", "drop_oldest", "block", NULL };
    lua_State *L = r->L;
    spec *s = r->s;
    if (push_field(L, top, "brokers") == LUA_TNIL) {
        lua_pop(L, 1);
        return;
    }
    int list = lua_gettop(L);
    size_t n = lua_rawlen(L, list);
    if (n > UINT32_MAX - 1)
        fail(r, NULL, "brokers", "too many brokers");
    s->brokers = arena_alloc(r, n, sizeof *s->brokers);
    s->nbrokers = n;
    for (size_t i = 0; i < n; i++) {
        spec_broker *b = &s->brokers[i];
        lua_rawgeti(L, list, (lua_Integer)i + 1);
        int t = lua_gettop(L);
        fval v[14];
        const char *where = read_record(r, t, "broker", R_BROKER, NDESC(R_BROKER), v);
        b->name = arena_strdup(r, v[0].str, strlen(v[0].str));
        b->where = dup_where(r, where);
        b->cfg.type = (sim_broker_type)pick(r, where, "broker", "kind", v[2].str, kinds);
        if (v[3].i == 0)
            fail(r, where, "broker", "field 'capacity' must be -1 (unbounded) or a positive "
                 "integer, got 0");
        b->cfg.capacity = v[3].i;
        b->cfg.on_full = (sim_on_full)pick(r, where, "broker", "on_full", v[4].str, full);
        push_field(L, t, "workers");
        if (lua_type(L, -1) == LUA_TSTRING && !strcmp(lua_tostring(L, -1), "inf")) {
            b->cfg.workers = SIM_WORKERS_INF;
        } else {
            lua_Integer w = lua_isinteger(L, -1) ? lua_tointeger(L, -1) : 0;
            if (w < 1 || w > (lua_Integer)UINT32_MAX - 1)
                fail(r, where, "broker", "field 'workers' must be an integer between 1 and "
                     "4294967294, or \"inf\"");
            b->cfg.workers = (uint32_t)w;
        }
        lua_pop(L, 1);
        b->cost = read_field_dist(r, t, "broker", "publish_cost");
        static const char *const assignments[] = { "range", "round_robin", NULL };
        b->cfg.partitions = v[8].set ? (uint32_t)v[8].i : 0;
        b->cfg.retention = v[9].set ? v[9].num : 0;
        b->cfg.retention_size = v[10].set ? (uint64_t)v[10].i : 0;
        b->cfg.durable = !v[13].set || v[13].b;
        b->rebalance = v[11].set ? read_field_dist(r, t, "broker", "rebalance_pause") : NULL;
        b->cfg.assignment = v[12].set ? (sim_assignment)pick(r, where, "broker", "assignment",
                                                             v[12].str, assignments)
                                      : SIM_ASSIGN_RANGE;
        if (!b->cfg.partitions && (v[9].set || v[10].set || v[11].set || v[12].set))
            fail(r, where, "broker", "retention, retention_size, rebalance_pause and assignment "
                 "need partitions");
        if (b->cfg.partitions && (b->cfg.type != SIM_BROKER_TOPIC || b->cfg.capacity != -1))
            fail(r, where, "broker", "partitions are for a topic without a capacity");
        lua_getfield(L, r->bnames, b->name);
        if (!lua_isnil(L, -1))
            fail(r, where, "broker", "duplicate broker '%s'", b->name);
        lua_pop(L, 1);
        lua_pushinteger(L, (lua_Integer)i);
        lua_setfield(L, r->bnames, b->name);
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
}

/* Pass 2, after the services: the subscriptions. [-0, +0, error] */
static void read_subscriptions(reader *r, int top)
{
    lua_State *L = r->L;
    spec *s = r->s;
    if (s->nbrokers == 0)
        return;
    push_field(L, top, "brokers");
    int list = lua_gettop(L);
    for (size_t i = 0; i < s->nbrokers; i++) {
        spec_broker *b = &s->brokers[i];
        lua_rawgeti(L, list, (lua_Integer)i + 1);
        push_field(L, -1, "subs");
        int subs = lua_gettop(L);
        size_t n = lua_rawlen(L, subs);
        if (n > UINT32_MAX)
            fail(r, b->where, "broker", "too many subscriptions");
        b->subs = arena_alloc(r, n, sizeof *b->subs);
        b->nsubs = n;
        for (size_t k = 0; k < n; k++) {
            spec_sub *u = &b->subs[k];
            lua_rawgeti(L, subs, (lua_Integer)k + 1);
            fval v[16];
            const char *where = read_record(r, -1, "subscribe", R_SUB, NDESC(R_SUB), v);
            sim_subscription *c = &u->cfg;
            u->where = dup_where(r, where);
            resolve(r, where, "subscribe", v[1].str, v[2].str, &c->service, &c->endpoint);
            c->group = v[3].set ? arena_strdup(r, v[3].str, strlen(v[3].str)) : NULL;
            c->consumers = (uint32_t)v[4].i;
            c->prefetch = (uint32_t)v[5].i;
            if (c->prefetch < c->consumers)
                fail(r, where, "subscribe", "prefetch must be at least consumers");
            c->delivery = (sim_delivery)pick(r, where, "subscribe", "delivery", v[6].str,
                                             DELIVERY_NAMES);
            c->visibility_timeout = v[7].set ? v[7].num : 0;
            c->max_deliveries = v[8].set ? (uint32_t)v[8].i : 0;
            c->dead_letter = 0;
            if (v[9].set) {
                lua_getfield(L, r->bnames, v[9].str);
                if (!lua_isinteger(L, -1))
                    fail(r, where, "subscribe", "dead_letter: unknown broker '%s'", v[9].str);
                c->dead_letter = (uint32_t)lua_tointeger(L, -1) + 1;
                lua_pop(L, 1);
                if (c->dead_letter == i + 1)
                    fail(r, where, "subscribe", "dead_letter must be another broker");
                if (!c->max_deliveries)
                    fail(r, where, "subscribe", "dead_letter needs max_deliveries");
            }
            c->idempotent = v[10].b;
            c->dedupe_window = v[11].num;
            static const char *const offsets[] = { "latest", "earliest", NULL };
            c->start = v[12].set ? v[12].num : 0;
            c->earliest = v[13].set && pick(r, where, "subscribe", "offset", v[13].str, offsets);
            c->leave_at = v[14].set ? v[14].num : 0;
            c->leave_for = v[15].set ? v[15].num : 0;
            if (v[14].set != v[15].set)
                fail(r, where, "subscribe", "leave_at and leave_for go together");
            if (c->delivery == SIM_AT_MOST_ONCE &&
                (c->visibility_timeout > 0 || c->max_deliveries || c->idempotent))
                fail(r, where, "subscribe", "at_most_once never redelivers: visibility_timeout, "
                     "max_deliveries and idempotent do not apply");
            lua_pop(L, 1);
        }
        lua_pop(L, 2);
    }
    lua_pop(L, 1);
}

static void read_clients(reader *r, int top)
{
    static const char *const kinds[] = { "open", "closed", NULL };
    static const char *const arr[] = { "poisson", "constant", "schedule", "bursty", NULL };
    lua_State *L = r->L;
    spec *s = r->s;
    push_field(L, top, "clients");
    int list = lua_gettop(L);
    s->nclients = lua_rawlen(L, list);
    s->clients = arena_alloc(r, s->nclients, sizeof *s->clients);
    for (size_t i = 0; i < s->nclients; i++) {
        spec_client *c = &s->clients[i];
        lua_rawgeti(L, list, (lua_Integer)i + 1);
        int t = lua_gettop(L);
        fval v[16];
        const char *where = read_record(r, t, "client", R_CLIENT, NDESC(R_CLIENT), v);
        read_retry(r, t, where, "client", &v[12], &c->cfg.retry);
        c->name = arena_strdup(r, v[0].str, strlen(v[0].str));
        c->where = dup_where(r, where);
        resolve(r, where, "client", v[2].str, v[3].str, &c->cfg.service, &c->cfg.endpoint);
        c->cfg.closed = pick(r, where, "client", "kind", v[4].str, kinds) == 1;
        c->cfg.timeout = v[8].set ? v[8].num : 0;
        c->cfg.limit = v[9].set ? (uint64_t)v[9].i : 0;
        c->cfg.priority = (int32_t)v[10].i;
        c->cfg.start = v[11].set ? v[11].num : 0;
        if (c->cfg.closed) {
            if (!v[6].set)
                fail(r, where, "client", "a closed client needs users");
            c->cfg.users = (uint32_t)v[6].i;
            c->think = read_field_dist(r, t, "client", "think");
        } else {
            if (push_field(L, t, "arrivals") != LUA_TTABLE)
                fail(r, where, "client", "an open client needs arrivals");
            int a = lua_gettop(L);
            if (push_field(L, a, "kind") != LUA_TSTRING)
                fail(r, where, "client", "arrivals without a kind");
            c->cfg.arrivals = (sim_arrivals)pick(r, where, "arrivals", "kind", lua_tostring(L, -1),
                                                 arr);
            lua_pop(L, 1);
            fval av[5];
            const char *aw = where;
            if (c->cfg.arrivals == SIM_ARR_SCHEDULE) {
                aw = read_record(r, a, "schedule", R_SCHEDULE, NDESC(R_SCHEDULE), av);
                size_t nt, nr;
                c->times = read_numbers(r, a, aw, "schedule", "times", 0, INF, 0, &nt);
                c->rates = read_numbers(r, a, aw, "schedule", "rates", 0, INF, 0, &nr);
                if (nt != nr)
                    fail(r, aw, "schedule", "times and rates differ in length");
                for (size_t k = 1; k < nt; k++)
                    if (!(c->times[k] > c->times[k - 1]))
                        fail(r, aw, "schedule", "times must increase");
                c->cfg.npoints = (uint32_t)nt;
            } else if (c->cfg.arrivals == SIM_ARR_BURSTY) {
                aw = read_record(r, a, "bursty", R_BURSTY, NDESC(R_BURSTY), av);
                c->cfg.rate = av[2].num;
                c->on = read_field_dist(r, a, "bursty", "on");
                c->off = read_field_dist(r, a, "bursty", "off");
            } else {
                read_record(r, a, arr[c->cfg.arrivals], R_RATE, NDESC(R_RATE), av);
                c->cfg.rate = av[2].num;
            }
            lua_pop(L, 1);
        }
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
}

static const fdesc R_FAULT[] = {
    KIND, WHERE, { "service", F_STR, 0, 0, 0, 0, NULL },
    { "replica", F_INT, 0, 0, U32, 0, "a non-negative integer" },
    { "at", F_NUM, 0, 0, 1e10, 0, "a non-negative number" },
    { "duration", F_NUM, 0, 0, 1e10, 1, "a positive number" },
    { "mttf", F_TAB, 0, 0, 0, 0, NULL }, { "mttr", F_TAB, 0, 0, 0, 0, NULL },
    { "factor", F_NUM, 0, 0, 1e9, 1, "a positive number" },
    { "on_down", F_STR, 0, 0, 0, 0, NULL }, { "broker", F_STR, 0, 0, 0, 0, NULL },
    { "host", F_STR, 0, 0, 0, 0, NULL }
};

/* The optional list of faults (after the services, which they name). [-0, +0, error] */
static void read_faults(reader *r, int top)
{
    static const char *const kinds[] = { "outage", "crash", "slowdown", NULL };
    static const char *const modes[] = { "refuse", "silence", NULL };
    lua_State *L = r->L;
    spec *s = r->s;
    if (push_field(L, top, "faults") == LUA_TNIL) {
        lua_pop(L, 1);
        return;
    }
    int list = lua_gettop(L);
    size_t n = lua_rawlen(L, list);
    if (n > UINT32_MAX)
        fail(r, NULL, "faults", "too many faults");
    s->faults = arena_alloc(r, n, sizeof *s->faults);
    s->nfaults = n;
    for (size_t i = 0; i < n; i++) {
        spec_fault *f = &s->faults[i];
        lua_rawgeti(L, list, (lua_Integer)i + 1);
        int t = lua_gettop(L);
        fval v[12];
        const char *where = read_record(r, t, "fault", R_FAULT, NDESC(R_FAULT), v);
        f->where = dup_where(r, where);
        const char *kind = v[0].str;
        f->cfg.kind = (sim_fault_kind)pick(r, where, "fault", "kind", kind, kinds);
        if (v[2].set + v[10].set + v[11].set != 1)
            fail(r, where, kind, "needs a service, a host or a broker (one of them)");
        if (v[11].set) {   /* a host: every replica of every service on it */
            f->cfg.host = host_number(r, where, kind, v[11].str);
            if (v[3].set)
                fail(r, where, kind, "a host has no replicas");
        } else if (v[10].set) {   /* a broker: the whole of it, never slowed down */
            lua_getfield(L, r->bnames, v[10].str);
            if (!lua_isinteger(L, -1))
                fail(r, where, kind, "unknown broker '%s'", v[10].str);
            f->cfg.broker = (uint32_t)lua_tointeger(L, -1) + 1;
            lua_pop(L, 1);
            if (v[3].set || f->cfg.kind == SIM_FAULT_SLOWDOWN)
                fail(r, where, kind, "a broker has no replicas and is not slowed down");
        } else {
            lua_getfield(L, r->names, v[2].str);
            if (!lua_istable(L, -1))
                fail(r, where, kind, "unknown service '%s'", v[2].str);
            lua_rawgeti(L, -1, 1);
            f->cfg.service = (uint32_t)lua_tointeger(L, -1);
            lua_pop(L, 2);
        }
        f->cfg.replica = v[3].set ? v[3].i : -1;
        if (f->cfg.replica >= 0 && !f->cfg.host &&
            (uint64_t)f->cfg.replica >= s->services[f->cfg.service].cfg.replicas)
            fail(r, where, kind, "service '%s' has no replica %lld", v[2].str,
                 (long long)f->cfg.replica);
        f->cfg.silent = v[9].set && pick(r, where, kind, "on_down", v[9].str, modes) == 1;
        if (f->cfg.kind == SIM_FAULT_CRASH) {
            f->mttf = read_field_dist(r, t, kind, "mttf");
            f->mttr = read_field_dist(r, t, kind, "mttr");
            if (!f->mttf || !f->mttr)
                fail(r, where, kind, "a crash needs mttf and mttr");
        } else {
            if (!v[4].set || !v[5].set)
                fail(r, where, kind, "needs at and duration");
            f->cfg.at = v[4].num;
            f->cfg.duration = v[5].num;
        }
        if (f->cfg.kind == SIM_FAULT_SLOWDOWN) {
            if (!v[8].set)
                fail(r, where, kind, "a slowdown needs a factor");
            f->cfg.factor = v[8].num;
        }
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
}

static const fdesc R_GUARD[] = {
    WHERE, { "service", F_STR, 1, 0, 0, 0, NULL },
    { "rate", F_NUM, 0, 0, 1e9, 1, "a positive number of at most 1e9" },
    { "burst", F_NUM, 0, 1, 1e15, 0, "a number of at least 1" },
    { "shed_queue", F_INT, 0, 0, I64, 0, "a non-negative integer" },
    { "shed_expired", F_BOOL, 1, 0, 0, 0, NULL }
};

/* The optional list of the services' guards (after the services). [-0, +0, error] */
static void read_guards(reader *r, int top)
{
    lua_State *L = r->L;
    spec *s = r->s;
    if (push_field(L, top, "guards") == LUA_TNIL) {
        lua_pop(L, 1);
        return;
    }
    int list = lua_gettop(L);
    size_t n = lua_rawlen(L, list);
    if (n > s->nservices)
        fail(r, NULL, "guards", "more guards than services");
    s->guards = arena_alloc(r, n, sizeof *s->guards);
    s->nguards = n;
    for (size_t i = 0; i < n; i++) {
        spec_guard *g = &s->guards[i];
        lua_rawgeti(L, list, (lua_Integer)i + 1);
        fval v[NDESC(R_GUARD)];
        const char *where = read_record(r, -1, "service", R_GUARD, NDESC(R_GUARD), v);
        g->where = dup_where(r, where);
        lua_getfield(L, r->names, v[1].str);
        if (!lua_istable(L, -1))
            fail(r, where, "service", "unknown service '%s'", v[1].str);
        lua_rawgeti(L, -1, 1);
        g->service = (uint32_t)lua_tointeger(L, -1);
        lua_pop(L, 2);
        g->cfg.rate = v[2].set ? v[2].num : 0;
        g->cfg.burst = v[3].set ? v[3].num : 1;
        g->cfg.shed_queue = v[4].set ? v[4].i : -1;
        g->cfg.shed_expired = v[5].b != 0;
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
}

static void read_links(reader *r, int top)
{
    lua_State *L = r->L;
    spec *s = r->s;
    fval v[5];
    push_field(L, top, "link");
    read_record(r, -1, "link", R_LINK_DEFAULT, NDESC(R_LINK_DEFAULT), v);
    s->link_default = read_field_dist(r, -1, "link", "latency");
    lua_pop(L, 1);
    push_field(L, top, "links");
    s->nlinks = lua_rawlen(L, -1);
    s->links = arena_alloc(r, s->nlinks, sizeof *s->links);
    for (size_t i = 0; i < s->nlinks; i++) {
        lua_rawgeti(L, -1, (lua_Integer)i + 1);
        const char *where = read_record(r, -1, "link", R_LINK, NDESC(R_LINK), v);
        s->links[i].where = dup_where(r, where);
        s->links[i].from = arena_strdup(r, v[1].str, strlen(v[1].str));
        s->links[i].to = arena_strdup(r, v[2].str, strlen(v[2].str));
        s->links[i].latency = read_field_dist(r, -1, "link", "latency");
        s->links[i].loss = v[4].set ? v[4].num : 0;
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
}

/* The optional list of partitions: each a label, a flat list of names (pairs), at, duration. */
static void read_partitions(reader *r, int top)
{
    lua_State *L = r->L;
    spec *s = r->s;
    if (push_field(L, top, "partitions") == LUA_TNIL) {
        lua_pop(L, 1);
        return;
    }
    s->npartitions = lua_rawlen(L, -1);
    if (s->npartitions > UINT32_MAX)
        fail(r, NULL, "partition", "too many partitions");
    s->partitions = arena_alloc(r, s->npartitions, sizeof *s->partitions);
    for (size_t i = 0; i < s->npartitions; i++) {
        spec_partition *p = &s->partitions[i];
        fval v[6];
        lua_rawgeti(L, -1, (lua_Integer)i + 1);
        const char *where = read_record(r, -1, "partition", R_PARTITION, NDESC(R_PARTITION), v);
        p->where = dup_where(r, where);
        p->label = arena_strdup(r, v[1].str, strlen(v[1].str));
        p->at = v[3].num;
        p->duration = v[4].num;
        p->extra = read_field_dist(r, -1, "spike", "extra");
        push_field(L, -1, "names");
        size_t n = lua_rawlen(L, -1);
        if (n == 0 || n % 2 || n / 2 > UINT32_MAX)
            fail(r, where, "partition", "names must hold pairs of names");
        p->npairs = (uint32_t)(n / 2);
        p->names = arena_alloc(r, n, sizeof *p->names);
        for (size_t k = 0; k < n; k++) {
            lua_rawgeti(L, -1, (lua_Integer)k + 1);
            if (lua_type(L, -1) != LUA_TSTRING)
                fail(r, where, "partition", "names must be strings");
            size_t len;
            const char *str = lua_tolstring(L, -1, &len);
            p->names[k] = arena_strdup(r, str, len);
            lua_pop(L, 1);
        }
        lua_pop(L, 2);
    }
    lua_pop(L, 1);
}

static void read_run(reader *r, int top)
{
    lua_State *L = r->L;
    spec *s = r->s;
    fval v[5];
    push_field(L, top, "run");
    const char *where = read_record(r, -1, "run", R_RUN, NDESC(R_RUN), v);
    s->run_where = dup_where(r, where);
    s->run.duration = v[1].num;
    s->run.warmup = v[2].set ? v[2].num : 0;
    s->run.sample = v[3].set ? v[3].num : s->run.duration / 60;
    s->has_seed = v[4].set;
    s->seed = v[4].set ? (uint64_t)v[4].i : 0;
    if (!(s->run.warmup < s->run.duration))
        fail(r, where, "run", "warmup must be less than duration");
    if (!(s->run.sample > 0) || s->run.sample > s->run.duration)
        fail(r, where, "run", "sample must be positive and at most duration");
    if (s->run.duration / s->run.sample > MAX_SAMPLES)
        fail(r, where, "run", "duration / sample must be at most %.0e rows", MAX_SAMPLES);
    lua_pop(L, 1);
}

static void read_params(reader *r, int top)
{
    lua_State *L = r->L;
    spec *s = r->s;
    push_field(L, top, "params");
    s->nparams = lua_rawlen(L, -1);
    s->params = arena_alloc(r, s->nparams, sizeof *s->params);
    for (size_t i = 0; i < s->nparams; i++) {
        fval v[3];
        lua_rawgeti(L, -1, (lua_Integer)i + 1);
        read_record(r, -1, "param", R_PARAM, NDESC(R_PARAM), v);
        spec_param *p = &s->params[i];
        p->name = arena_strdup(r, v[0].str, strlen(v[0].str));
        /* The value, then the default: as text, with the type and the numbers kept whole. */
        for (int k = 0; k < 2; k++) {
            push_field(L, -1 - k * 2, k ? "default" : "value");
            int t = lua_type(L, -1);
            size_t len;
            const char *text = t == LUA_TSTRING || t == LUA_TNUMBER || t == LUA_TBOOLEAN
                                   ? luaL_tolstring(L, -1, &len)
                                   : (lua_pushliteral(L, "?"), lua_tolstring(L, -1, &len));
            double num = t == LUA_TNUMBER ? lua_tonumber(L, -2) : 0;
            if (k == 0) {
                p->value = arena_strdup(r, text, len);
                p->num = num;
                p->type = t == LUA_TNUMBER ? "number" : t == LUA_TBOOLEAN ? "boolean" : "string";
            } else {
                p->default_text = arena_strdup(r, text, len);
                p->default_num = num;
            }
        }
        lua_pop(L, 5);
    }
    lua_pop(L, 1);
}

/* The sweep's points: { names = { ... }, points = { { text, ... }, ... }, reps = n }. */
static void read_sweep(reader *r, int top)
{
    lua_State *L = r->L;
    spec_sweep *w = &r->s->sweep;
    push_field(L, top, "sweep");
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        return;
    }
    int t = lua_gettop(L);
    push_field(L, t, "names");
    w->nnames = lua_rawlen(L, -1);
    w->names = arena_alloc(r, w->nnames, sizeof *w->names);
    for (size_t j = 0; j < w->nnames; j++) {
        lua_rawgeti(L, -1, (lua_Integer)j + 1);
        size_t len;
        const char *name = lua_tolstring(L, -1, &len);
        if (!name)
            fail(r, NULL, "sweep", "a parameter name is not a string");
        w->names[j] = arena_strdup(r, name, len);
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    push_field(L, t, "points");
    w->npoints = lua_rawlen(L, -1);
    if (w->nnames && w->npoints > SIZE_MAX / sizeof *w->values / w->nnames)
        fail(r, NULL, "sweep", "too many points");
    w->values = arena_alloc(r, w->npoints * w->nnames, sizeof *w->values);
    for (size_t p = 0; p < w->npoints; p++) {
        lua_rawgeti(L, -1, (lua_Integer)p + 1);
        for (size_t j = 0; j < w->nnames; j++) {
            lua_rawgeti(L, -1, (lua_Integer)j + 1);
            size_t len;
            const char *v = lua_type(L, -1) == LUA_TSTRING ? lua_tolstring(L, -1, &len) : NULL;
            if (!v)
                fail(r, NULL, "sweep", "a value of point %zu is not text", p + 1);
            w->values[p * w->nnames + j] = arena_strdup(r, v, len);
            lua_pop(L, 1);
        }
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    push_field(L, t, "reps");
    w->reps = lua_isinteger(L, -1) ? (uint64_t)lua_tointeger(L, -1) : 0;
    lua_pop(L, 2);
}

void spec_read(lua_State *L, int idx, spec *s)
{
    idx = lua_absindex(L, idx);
    reader r = { L, s, 0, 0 };
    fval v[NDESC(R_TOP)];
    read_record(&r, idx, "specification", R_TOP, NDESC(R_TOP), v);
    lua_newtable(L);                       /* the names table */
    r.names = lua_gettop(L);
    lua_newtable(L);                       /* the broker names table */
    r.bnames = lua_gettop(L);
    read_params(&r, idx);
    read_run(&r, idx);
    read_hosts(&r, idx);
    read_brokers(&r, idx);
    read_services(&r, idx);
    read_subscriptions(&r, idx);
    read_clients(&r, idx);
    read_faults(&r, idx);
    read_guards(&r, idx);
    read_links(&r, idx);
    read_partitions(&r, idx);
    read_sweep(&r, idx);
    lua_pop(L, 2);
}

/* ---- building --------------------------------------------------------------------------- */

typedef struct builder {
    sim_engine *e;
    char *err;
    size_t errlen;
} builder;

/* Writes "where: message" into err (unless already set) and returns code. */
static int say(builder *b, const char *where, int code, const char *fmt, ...)
{
    if (b->err[0])
        return code;
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(b->err, b->errlen, "%s: %s", where ? where : "error", msg);
    return code;
}

static const char *const DIST_NAMES[] = { "const", "exp", "uniform", "normal", "lognormal",
                                          "gamma", "erlang", "weibull", "pareto", "hyperexp",
                                          "empirical", "mixture" };

static int build_dist(builder *b, const spec_dist *d, sim_dist **out)
{
    *out = NULL;
    if (!d)
        return SIM_OK;
    int rc = SIM_EINVAL;
    switch (d->kind) {
    case SD_CONST: rc = sim_dist_const(out, d->p1); break;
    case SD_EXP: rc = sim_dist_exp(out, d->p1); break;
    case SD_UNIFORM: rc = sim_dist_uniform(out, d->p1, d->p2); break;
    case SD_NORMAL: rc = sim_dist_normal(out, d->p1, d->p2); break;
    case SD_LOGNORMAL: rc = sim_dist_lognormal(out, d->p1, d->p2); break;
    case SD_GAMMA: rc = sim_dist_gamma(out, d->p1, d->p2); break;
    case SD_ERLANG: rc = sim_dist_erlang(out, d->k, d->p2); break;
    case SD_WEIBULL: rc = sim_dist_weibull(out, d->p1, d->p2); break;
    case SD_PARETO: rc = sim_dist_pareto(out, d->p1, d->p2); break;
    case SD_HYPEREXP: rc = sim_dist_hyperexp(out, d->n, d->a, d->b); break;
    case SD_EMPIRICAL: rc = sim_dist_empirical(out, d->a, d->n); break;
    case SD_MIXTURE: {
        sim_dist **parts = sim_calloc(d->n, sizeof *parts);
        rc = parts ? SIM_OK : SIM_ENOMEM;
        for (size_t i = 0; rc == SIM_OK && i < d->n; i++)
            rc = build_dist(b, d->parts[i], &parts[i]);
        if (rc == SIM_OK)
            rc = sim_dist_mixture(out, d->n, d->a, parts);
        if (rc != SIM_OK)
            for (size_t i = 0; parts && i < d->n; i++)
                sim_dist_free(parts[i]);
        sim_free(parts);
        break;
    }
    }
    if (rc == SIM_ENOMEM)
        return say(b, d->where, rc, "out of memory");
    if (rc != SIM_OK)
        return say(b, d->where, rc, "invalid parameters for distribution '%s'",
                   DIST_NAMES[d->kind]);
    return rc;
}

/* The message for a builder failure: out of memory said as such. */
static int step_fail(builder *b, const spec_step *st, int rc, const char *what)
{
    if (rc == SIM_ENOMEM)
        return say(b, st->where, rc, "out of memory");
    return say(b, st->where, rc, "%s", what);
}

static int compile_seq(builder *b, uint32_t s, uint32_t ep, const spec_seq *seq);

/* After a call or a request just added: a jump over its fallback, then the fallback (its
 * failure continuation). */
static int fallback(builder *b, uint32_t s, uint32_t ep, const spec_step *st)
{
    sim_engine *e = b->e;
    uint32_t at = sim_op_next_pc(e, s, ep) - 1, jump;
    int rc = sim_op_jump(e, s, ep, &jump);
    if (rc == SIM_OK)
        rc = sim_op_set_target(e, s, ep, at, 0, sim_op_next_pc(e, s, ep));
    if (rc == SIM_OK)
        rc = compile_seq(b, s, ep, &st->subs[0]);
    if (rc == SIM_OK)
        rc = sim_op_set_target(e, s, ep, jump, 0, sim_op_next_pc(e, s, ep));
    return rc;
}

static int compile_step(builder *b, uint32_t s, uint32_t ep, const spec_step *st)
{
    sim_engine *e = b->e;
    int rc;
    uint32_t pc;
    switch (st->op) {
    case SS_WORK:
    case SS_SLEEP:
    case SS_IO: {
        sim_dist *d;
        if ((rc = build_dist(b, st->dist, &d)) != SIM_OK)
            return rc;
        rc = st->op == SS_WORK  ? sim_op_work(e, s, ep, d)
             : st->op == SS_IO ? sim_op_io(e, s, ep, d)
                               : sim_op_sleep(e, s, ep, d);
        return rc == SIM_OK ? rc : step_fail(b, st, rc, "cannot add the step");
    }
    case SS_CALL:
        rc = sim_op_call(e, s, ep, st->service, st->endpoint, st->blocking);
        if (rc == SIM_OK && (st->has_retry || st->has_breaker || st->has_bulkhead))
            rc = sim_op_call_retry(e, s, ep, &st->retry);
        if (rc == SIM_OK && st->has_breaker)
            rc = sim_op_call_breaker(e, s, ep, &st->breaker);
        if (rc == SIM_OK && st->has_bulkhead)
            rc = sim_op_call_bulkhead(e, s, ep, &st->bulkhead);
        if (rc == SIM_OK && st->n == 1)
            rc = fallback(b, s, ep, st);
        return rc == SIM_OK ? rc : step_fail(b, st, rc, "cannot add the call");
    case SS_PARALLEL:
        rc = sim_op_fork(e, s, ep, st->n, st->join, st->quorum, st->blocking, &pc);
        for (uint32_t i = 0; rc == SIM_OK && i < st->n; i++) {
            rc = sim_op_set_target(e, s, ep, pc, i, sim_op_next_pc(e, s, ep));
            if (rc == SIM_OK)
                rc = compile_seq(b, s, ep, &st->subs[i]);
            if (rc == SIM_OK)
                rc = sim_op_branch_end(e, s, ep);
        }
        if (rc == SIM_OK)
            rc = sim_op_set_target(e, s, ep, pc, st->n, sim_op_next_pc(e, s, ep));
        return rc == SIM_OK ? rc : step_fail(b, st, rc, "invalid parallel step");
    case SS_PUBLISH:
        rc = sim_op_publish_keyed(e, s, ep, st->service, st->blocking,
                                  st->has_key ? &st->key : NULL);
        if (rc == SIM_OK && st->has_retry)
            rc = sim_op_publish_timeout(e, s, ep, st->retry.timeout);
        return rc == SIM_OK ? rc : step_fail(b, st, rc, "cannot add the publish");
    case SS_REPLY:
        rc = sim_op_reply(e, s, ep);
        return rc == SIM_OK ? rc : step_fail(b, st, rc, "cannot add the reply");
    case SS_REQUEST:
        rc = sim_op_request(e, s, ep, st->service, st->endpoint, st->retry.timeout,
                            st->blocking);
        if (rc == SIM_OK && st->n == 1)
            rc = fallback(b, s, ep, st);
        return rc == SIM_OK ? rc : step_fail(b, st, rc, "cannot add the request");
    case SS_BRANCH: {
        uint32_t *jumps = sim_calloc(st->n ? st->n : 1, sizeof *jumps);
        if (!jumps)
            return step_fail(b, st, SIM_ENOMEM, "");
        rc = sim_op_choose(e, s, ep, st->n, st->probs, &pc);
        for (uint32_t i = 0; rc == SIM_OK && i < st->n; i++) {
            rc = sim_op_set_target(e, s, ep, pc, i, sim_op_next_pc(e, s, ep));
            if (rc == SIM_OK)
                rc = compile_seq(b, s, ep, &st->subs[i]);
            if (rc == SIM_OK)
                rc = sim_op_jump(e, s, ep, &jumps[i]);
        }
        for (uint32_t i = 0; rc == SIM_OK && i < st->n; i++)
            rc = sim_op_set_target(e, s, ep, jumps[i], 0, sim_op_next_pc(e, s, ep));
        sim_free(jumps);
        return rc == SIM_OK ? rc : step_fail(b, st, rc, "invalid branch step");
    }
    }
    return say(b, st->where, SIM_EINVAL, "unknown step");
}

static int compile_seq(builder *b, uint32_t s, uint32_t ep, const spec_seq *seq)
{
    for (size_t i = 0; i < seq->n; i++) {
        int rc = compile_step(b, s, ep, &seq->steps[i]);
        if (rc != SIM_OK)
            return rc;
    }
    return SIM_OK;
}

static int build_hosts(builder *b, const spec *sp)
{
    for (size_t i = 0; i < sp->nhosts; i++) {
        const spec_host *h = &sp->hosts[i];
        uint32_t index;
        int rc = sim_host_add(b->e, h->name, h->cores, h->cpu, &index);
        if (rc != SIM_OK)
            return say(b, h->where, rc, "host '%s': %s", h->name,
                       rc == SIM_ENOMEM ? "out of memory" : "invalid configuration");
    }
    return SIM_OK;
}

static int build_services(builder *b, const spec *sp)
{
    for (size_t i = 0; i < sp->nservices; i++) {
        const spec_service *sv = &sp->services[i];
        uint32_t si, ei;
        int rc = sim_service_add(b->e, sv->name, &sv->cfg, &si);
        if (rc == SIM_ENOMEM && sv->cfg.replicas > 1)
            return say(b, sv->where, rc, "service '%s': out of memory (%" PRIu32 " replicas)",
                       sv->name, sv->cfg.replicas);
        if (rc == SIM_ENOMEM)
            return say(b, sv->where, rc, "service '%s': out of memory", sv->name);
        if (rc != SIM_OK)
            return say(b, sv->where, rc, "service '%s': invalid configuration", sv->name);
        for (size_t k = 0; k < sv->neps; k++) {
            rc = sim_endpoint_add(b->e, si, sv->eps[k].name, &ei);
            if (rc == SIM_OK && sv->eps[k].error_rate > 0)
                rc = sim_endpoint_set_error_rate(b->e, si, ei, sv->eps[k].error_rate);
            if (rc != SIM_OK)
                return say(b, sv->eps[k].where, rc, "endpoint '%s': %s", sv->eps[k].name,
                           rc == SIM_ENOMEM ? "out of memory" : "invalid endpoint");
        }
    }
    for (size_t i = 0; i < sp->nservices; i++)
        for (size_t k = 0; k < sp->services[i].neps; k++) {
            int rc = compile_seq(b, (uint32_t)i, (uint32_t)k, &sp->services[i].eps[k].steps);
            if (rc == SIM_OK)
                rc = sim_op_return(b->e, (uint32_t)i, (uint32_t)k);
            if (rc != SIM_OK)
                return say(b, sp->services[i].eps[k].where, rc, "%s",
                           rc == SIM_ENOMEM ? "out of memory" : "invalid endpoint program");
        }
    return SIM_OK;
}

static int build_brokers(builder *b, const spec *sp)
{
    for (size_t i = 0; i < sp->nbrokers; i++) {
        const spec_broker *k = &sp->brokers[i];
        sim_broker_config cfg = k->cfg;
        int rc = build_dist(b, k->cost, &cfg.cost);
        if (rc != SIM_OK)
            return rc;
        rc = build_dist(b, k->rebalance, &cfg.rebalance);
        if (rc != SIM_OK) {
            sim_dist_free(cfg.cost);
            return rc;
        }
        rc = sim_broker_add(b->e, k->name, &cfg, NULL);   /* owns the cost from here on */
        if (rc != SIM_OK)
            return say(b, k->where, rc, "broker '%s': %s", k->name,
                       rc == SIM_ENOMEM ? "out of memory" : "invalid configuration");
    }
    return SIM_OK;
}

static int build_subscriptions(builder *b, const spec *sp)
{
    for (size_t i = 0; i < sp->nbrokers; i++)
        for (size_t k = 0; k < sp->brokers[i].nsubs; k++) {
            const spec_sub *u = &sp->brokers[i].subs[k];
            int rc = sim_subscribe(b->e, (uint32_t)i, &u->cfg);
            if (rc != SIM_OK)
                return say(b, u->where, rc, "subscribe: %s",
                           rc == SIM_ENOMEM ? "out of memory" : "invalid subscription");
        }
    return SIM_OK;
}

static int build_clients(builder *b, const spec *sp)
{
    for (size_t i = 0; i < sp->nclients; i++) {
        const spec_client *c = &sp->clients[i];
        sim_client_config cfg = c->cfg;
        cfg.times = c->times;
        cfg.rates = c->rates;
        int rc = build_dist(b, c->think, &cfg.think);
        if (rc == SIM_OK)
            rc = build_dist(b, c->on, &cfg.on);
        if (rc == SIM_OK)
            rc = build_dist(b, c->off, &cfg.off);
        if (rc != SIM_OK) {
            sim_dist_free(cfg.think);
            sim_dist_free(cfg.on);
            return rc;
        }
        rc = sim_client_add(b->e, c->name, &cfg);   /* owns the laws from here on */
        if (rc == SIM_ENOMEM)
            return say(b, c->where, rc, "client '%s': out of memory", c->name);
        if (rc != SIM_OK)
            return say(b, c->where, rc, "client '%s': invalid configuration", c->name);
    }
    return SIM_OK;
}

static int build_faults(builder *b, const spec *sp)
{
    for (size_t i = 0; i < sp->nfaults; i++) {
        const spec_fault *f = &sp->faults[i];
        sim_fault_config cfg = f->cfg;
        int rc = build_dist(b, f->mttf, &cfg.mttf);
        if (rc == SIM_OK)
            rc = build_dist(b, f->mttr, &cfg.mttr);
        if (rc != SIM_OK) {
            sim_dist_free(cfg.mttf);
            return rc;
        }
        static const char *const kinds[] = { "outage", "crash", "slowdown" };
        rc = sim_fault_add(b->e, &cfg);   /* owns the laws from here on */
        if (rc != SIM_OK)
            return say(b, f->where, rc, "%s: %s", kinds[cfg.kind],
                       rc == SIM_ENOMEM ? "out of memory" : "invalid configuration");
    }
    return SIM_OK;
}

static int build_guards(builder *b, const spec *sp)
{
    for (size_t i = 0; i < sp->nguards; i++) {
        const spec_guard *g = &sp->guards[i];
        int rc = sim_service_set_guard(b->e, g->service, &g->cfg);
        if (rc != SIM_OK)
            return say(b, g->where, rc, "service: %s",
                       rc == SIM_ENOMEM ? "out of memory" : "invalid rate limit or shedding");
    }
    return SIM_OK;
}

static int build_links(builder *b, const spec *sp)
{
    sim_dist *d;
    int rc = SIM_OK;
    if (sp->link_default) {
        rc = build_dist(b, sp->link_default, &d);
        if (rc == SIM_OK && (rc = sim_link_default(b->e, d)) != SIM_OK)
            return say(b, sp->link_default->where, rc, "link: %s", sim_strerror(rc));
    }
    for (size_t i = 0; rc == SIM_OK && i < sp->nlinks; i++) {
        const spec_link *l = &sp->links[i];
        d = NULL;
        rc = l->latency ? build_dist(b, l->latency, &d) : SIM_OK;
        if (rc == SIM_OK && (rc = sim_link_pair_lossy(b->e, l->from, l->to, d, !l->latency,
                                                      l->loss)) != SIM_OK)
            return say(b, l->where, rc, "link: %s", sim_strerror(rc));
    }
    for (size_t i = 0; rc == SIM_OK && i < sp->npartitions; i++) {
        const spec_partition *p = &sp->partitions[i];
        d = NULL;
        rc = p->extra ? build_dist(b, p->extra, &d) : SIM_OK;
        if (rc == SIM_OK)
            rc = sim_spike_add(b->e, p->label, p->names, p->npairs, p->at, p->duration, d);
        if (rc != SIM_OK)
            return say(b, p->where, rc, "%s: %s", p->extra ? "spike" : "partition",
                       sim_strerror(rc));
    }
    return rc;
}

int spec_build(const spec *sp, uint64_t seed, uint64_t rep, sim_engine **out, char *err,
               size_t errlen)
{
    err[0] = 0;
    *out = NULL;
    sim_config cfg = sp->run;
    cfg.seed = seed;
    cfg.rep = rep;
    builder b = { sim_engine_new(&cfg), err, errlen };
    if (!b.e) {
        /* The reader checked the run block, so only memory can be missing. */
        snprintf(err, errlen, "error: out of memory (creating the engine)");
        return SIM_ENOMEM;
    }
    int rc = sp->nservices > UINT32_MAX || sp->nclients > UINT32_MAX
                 ? SIM_ENOMEM
                 : sim_engine_reserve(b.e, (uint32_t)sp->nservices, (uint32_t)sp->nclients);
    if (rc != SIM_OK)
        snprintf(err, errlen, "error: out of memory (a model of %zu services and %zu clients)",
                 sp->nservices, sp->nclients);
    if (rc == SIM_OK)
        rc = build_hosts(&b, sp);
    if (rc == SIM_OK)
        rc = build_brokers(&b, sp);
    if (rc == SIM_OK)
        rc = build_services(&b, sp);
    if (rc == SIM_OK)
        rc = build_subscriptions(&b, sp);
    if (rc == SIM_OK)
        rc = build_clients(&b, sp);
    if (rc == SIM_OK)
        rc = build_faults(&b, sp);
    if (rc == SIM_OK)
        rc = build_guards(&b, sp);
    if (rc == SIM_OK)
        rc = build_links(&b, sp);
    if (rc != SIM_OK) {
        if (!err[0])
            snprintf(err, errlen, "error: %s", sim_strerror(rc));
        sim_engine_free(b.e);
        return rc;
    }
    *out = b.e;
    return SIM_OK;
}
