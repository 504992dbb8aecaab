/* spec: the scenario's specification in C, and the engine builder that reads it.
 *
 * The prelude leaves a plain Lua table (the SPEC, see docs/lua-api.md). spec_read walks it once,
 * at load time, through one descriptor table per record kind (field, type, range, required) and
 * copies it into the C structures below; unknown or missing fields and out-of-range values are
 * errors located at the record's `where`. Every number is range-checked as a double (or as a Lua
 * integer) before it is converted to a C integer. After spec_read the Lua state is no longer
 * needed: spec_build turns the structures into a fresh engine for each replication, touching
 * no Lua at all, so builds may run on any thread.
 *
 * Everything a spec holds lives in its arena and is freed at once by spec_free. */
#ifndef DESSA_SPEC_H
#define DESSA_SPEC_H

#include <lua.h>
#include <stddef.h>
#include <stdint.h>

#include "model/model.h"

/* Deepest nesting of steps (parallel, branch) and of mixtures the reader accepts; the prelude
 * refuses deeper models first, with a located message. */
#define SPEC_MAX_DEPTH 100

typedef struct spec_block spec_block;

typedef enum {
    SD_CONST, SD_EXP, SD_UNIFORM, SD_NORMAL, SD_LOGNORMAL, SD_GAMMA, SD_ERLANG, SD_WEIBULL,
    SD_PARETO, SD_HYPEREXP, SD_EMPIRICAL, SD_MIXTURE
} spec_dist_kind;

typedef struct spec_dist {
    spec_dist_kind kind;
    double p1, p2;                 /* the two scalar parameters, in the builder's order */
    uint32_t k;                    /* erlang */
    size_t n;                      /* entries of a, b, parts */
    double *a, *b;                 /* hyperexp probs/means, empirical values, mixture weights */
    struct spec_dist **parts;      /* mixture */
    const char *where;
} spec_dist;

typedef enum { SS_WORK, SS_SLEEP, SS_CALL, SS_PARALLEL, SS_BRANCH, SS_IO, SS_PUBLISH,
               SS_REPLY, SS_REQUEST } spec_step_op;

typedef struct spec_seq {
    size_t n;
    struct spec_step *steps;
} spec_seq;

typedef struct spec_step {
    spec_step_op op;
    spec_dist *dist;               /* work, sleep, io */
    uint32_t service, endpoint;    /* call: resolved indices; publish: service = broker;
                                    * request: service = broker, endpoint = reply queue or
                                    * UINT32_MAX; its timeout in retry.timeout (0: none) */
    int blocking;                  /* call, parallel; publish: ack */
    sim_join join;                 /* parallel */
    uint32_t quorum;
    uint32_t n;                    /* parallel branches, branch arms */
    double *probs;                 /* branch */
    spec_seq *subs;                /* n sub-sequences */
    const char *where;
    int has_retry;                 /* call: a timeout or retries */
    sim_breaker_config breaker;    /* call: its circuit breaker (has_breaker) */
    int has_breaker;
    sim_bulkhead_config bulkhead;  /* call: its bulkhead (has_bulkhead) */
    int has_bulkhead;
    sim_retry_config retry;
    int has_key;                   /* publish: a key (key) */
    sim_key_config key;
} spec_step;

typedef struct spec_endpoint {
    const char *name, *where;
    spec_seq steps;
    double error_rate;             /* 0: none */
} spec_endpoint;

typedef struct spec_host {
    const char *name, *where;
    double cores;
    sim_cpu_sched cpu;
} spec_host;

typedef struct spec_service {
    const char *name, *where;
    sim_service_config cfg;        /* cfg.host: index + 1 into the spec's hosts, 0 = none */
    size_t neps;
    spec_endpoint *eps;
} spec_service;

typedef struct spec_client {
    const char *name, *where;
    sim_client_config cfg;         /* laws and schedule pointers unset: see below */
    spec_dist *think, *on, *off;
    double *times, *rates;
} spec_client;

typedef struct spec_fault {
    const char *where;
    sim_fault_config cfg;          /* cfg.mttf, cfg.mttr unset: see below */
    spec_dist *mttf, *mttr;
} spec_fault;

/* A service's guards (rate limit, load shedding, deadlines). */
typedef struct spec_guard {
    const char *where;
    uint32_t service;
    sim_guard_config cfg;
} spec_guard;

typedef struct spec_link {
    const char *from, *to, *where;
    spec_dist *latency;            /* NULL: the default link's */
    double loss;
} spec_link;

typedef struct spec_partition {
    const char *label, *where;
    const char **names;            /* 2 * npairs: the pairs it cuts */
    spec_dist *extra;              /* a latency spike's added latency; NULL: a partition */
    uint32_t npairs;
    double at, duration;
} spec_partition;

typedef struct spec_sub {
    const char *where;
    sim_subscription cfg;          /* cfg.group NULL: the service's name (a queue: its own) */
} spec_sub;

typedef struct spec_broker {
    const char *name, *where;
    sim_broker_config cfg;         /* cfg.cost, cfg.rebalance unset: see cost, rebalance */
    spec_dist *cost, *rebalance;
    size_t nsubs;
    spec_sub *subs;
} spec_broker;

typedef struct spec_param {
    const char *name, *value;      /* value as text */
    const char *type;              /* "number", "string" or "boolean" (the default's type) */
    const char *default_text;      /* the default as text */
    double num, default_num;       /* numbers: the value and the default */
} spec_param;

/* The points of a sweep (dessa sweep only): npoints rows of nnames values, as --set text. */
typedef struct spec_sweep {
    size_t nnames, npoints;
    const char **names;
    const char **values;           /* point p, name j: values[p * nnames + j] */
    uint64_t reps;                 /* sweep { reps }, 0 when not given */
} spec_sweep;

typedef struct spec {
    spec_block *arena;
    int oom;                       /* spec_read stopped for want of memory */
    sim_config run;                /* duration, warmup, sample (seed and rep set per build) */
    int has_seed;
    uint64_t seed;                 /* run { seed } when has_seed */
    const char *run_where;
    size_t nhosts, nservices, nclients, nlinks, nparams, nbrokers;
    spec_broker *brokers;
    spec_host *hosts;
    spec_service *services;
    spec_client *clients;
    size_t nfaults;
    spec_fault *faults;
    size_t npartitions;
    spec_partition *partitions;
    size_t nguards;
    spec_guard *guards;
    spec_dist *link_default;       /* NULL: zero latency */
    spec_link *links;
    spec_param *params;
    spec_sweep sweep;              /* npoints = 0 unless loaded to expand the sweep */
} spec;

/* Reads the SPEC table at stack index idx into *s (zeroed by the caller). Must run inside a
 * protected call: on any error it raises a Lua error whose message is "where: message" (and
 * whatever it allocated stays in s->arena for spec_free). Stack: balanced. */
void spec_read(lua_State *L, int idx, spec *s);

/* Frees everything spec_read allocated; the spec may be partly read. */
void spec_free(spec *s);

/* Builds an engine for (seed, rep) from s. SIM_OK, or an error code with "where: message" (or
 * "error: message") in err. Pure C: no Lua, no global state. */
int spec_build(const spec *s, uint64_t seed, uint64_t rep, sim_engine **out, char *err,
               size_t errlen);

#endif
