/* engine (internal): the simulation object and its event discipline.
 *
 * The event contract:
 *  - Events come from the engine's pool. sim_engine_at/after schedule one in the calendar and
 *    return its handle. sim_engine_soon puts a handler on the immediate list, which the run
 *    loop drains, first in first out, before it takes the next event from the calendar; a hop
 *    without latency goes there, so no handler ever runs inside another. Immediate entries are
 *    events of the list's own ring (no pool, no handle, no time of their own: the clock is
 *    e->now; the handler gets its entry in place): they cannot be cancelled, so a handler whose
 *    wait can be abandoned checks the wait token it carries in ev->u32.
 *  - Every scheduled time is checked: not NaN, not before now, and a positive delay must move
 *    the clock (otherwise the run fails with SIM_ESTALL: time no longer advances in floating
 *    point). Failing to schedule fails the engine and returns NULL; callers just return.
 *  - sim_engine_cancel is safe for any live handle, including the event whose handler is
 *    running; the engine returns cancelled and fired events to the pool. A handle must not be
 *    used after its event fired or was cancelled: holders clear their copy in the handler.
 *  - A handler may re-arm its own event (periodic events) with sim_engine_rearm.
 *  - The loop stops with SIM_ESTALL when too many events happen without the clock moving,
 *    naming what loops, and calls the progress hook every SIM_PROGRESS_EVERY events.
 *
 * Component kinds (clients, services, brokers) register their hooks in one table
 * (engine.c): time-series rows, the warm-up reset and the end-of-run ledger iterate over it. */
#ifndef SIM_ENGINE_H
#define SIM_ENGINE_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/calendar.h"
#include "core/check.h"
#include "core/pool.h"
#include "core/time.h"
#include "model/client.h"
#include "model/model.h"
#include "model/node.h"
#include "model/service.h"

#define SIM_PROGRESS_EVERY 65536u

/* The hooks of one component kind; i is the component's index in its kind. */
typedef struct sim_kind_ops {
    const char *name;                                   /* "flow", "service" */
    uint32_t (*count)(const struct sim_engine *e);
    const char *(*name_of)(const struct sim_engine *e, uint32_t i);
    /* Fills the time-series row for the interval of length span ending now. */
    void (*sample)(struct sim_engine *e, uint32_t i, double span, sim_series_row *row);
    void (*reset_window)(struct sim_engine *e, uint32_t i);
    /* Checks the whole-run balance given the live requests the pool scan found; SIM_OK or
     * SIM_ELEDGER after sim_engine_fail. */
    int (*ledger)(struct sim_engine *e, uint32_t i, uint64_t live);
    /* The run reached its end: completes what the statistics left pending (optional). */
    void (*finish)(struct sim_engine *e, uint32_t i);
} sim_kind_ops;

extern const sim_kind_ops sim_client_kind, sim_service_kind, sim_broker_kind;

struct sim_engine {
    sim_config cfg;
    sim_time now;
    sim_calendar cal;
    sim_pool events, reqs;
    /* The immediate list: a ring of events (handler, object, token) that run in place, the
     * entries [imm_head, imm_tail) (free-running indices, taken & imm_mask). One slot always
     * stays free, so the entry whose handler runs is never written over; a grown ring keeps
     * the old one (imm_retired, chained through their first entries) until the engine is freed,
     * since a handler may be running from it. */
    sim_event *imm;
    uint32_t imm_head, imm_tail, imm_mask;
    sim_event *imm_retired;
    sim_event *running;         /* the calendar event whose handler is running, or NULL */
    uint64_t nevents;
    uint64_t instant_start;     /* the event count when the clock last moved */
    uint64_t check_at;          /* the event count at which the loop next looks (0: failed) */
    uint64_t next_check;        /* the event count of the next progress call */
    uint64_t stall_limit;
    char stall_what[2][200];    /* what a stall's events are: a client's, an endpoint's */
    uint64_t next_id;
    int ran;
    int err;                    /* first error raised inside the run */
    char errmsg[512];
    sim_progress_fn progress;
    void *progress_ud;
    sim_series_fn series;
    void *series_ud;

    sim_service *svcs;
    uint32_t nsvcs, capsvcs;
    sim_client *clients;
    uint32_t nclients, capclients;
    struct sim_host **hosts;    /* shared hosts (sim_host_add) */
    uint32_t nhosts;
    sim_link *links;
    uint32_t nlinks;
    sim_link default_link;
    sim_node *nodes;
    uint32_t nnodes;
    void *pairs;                /* node.c: entity pairs -> link */
    int has_latency;            /* some link has a latency, a loss or a partition (else every
                                 * hop is immediate) */
    struct sim_partition *partitions;   /* node.c */
    uint32_t npartitions;

    /* brokers (broker.c) */
    struct sim_broker *brokers;
    uint32_t nbrokers;
    struct sim_brow *brows;     /* the broker kind's rows: each broker, then its groups */
    uint32_t nbrows;
    sim_pool msgs;              /* messages (sized on the first broker) */

    /* failures (fault.c) */
    struct sim_fault *faults;
    uint32_t nfaults;
    struct sim_fault_event *flog;   /* every start and end of a failure, in time order */
    size_t nflog, flog_cap;

    /* time series (sample.c) */
    sim_series_row *samples;    /* kept only when no sink is set */
    size_t nsamples, samples_cap;
    sim_time last_tick;
    uint64_t ticks;
};

/* Schedules fn at time t (or after delay d); the handle, or NULL when the engine failed. */
sim_event *sim_engine_at(struct sim_engine *e, sim_time t, sim_event_fn fn, void *a,
                         uint32_t u32);
sim_event *sim_engine_after(struct sim_engine *e, sim_time d, sim_event_fn fn, void *a,
                            uint32_t u32);
/* Runs fn(e, ev) with ev->a = a and ev->u32 = u32 from the immediate list, after the running
 * handler returns, at the current time. SIM_OK, or an error after failing the engine. Inline:
 * every hop without latency comes through here. */
int sim_engine_soon_grow_(struct sim_engine *e);
static inline int sim_engine_soon(struct sim_engine *e, sim_event_fn fn, void *a, uint32_t u32)
{
    if (__builtin_expect(e->imm_tail - e->imm_head >= e->imm_mask, 0)) {
        int rc = sim_engine_soon_grow_(e);
        if (rc)
            return rc;
    }
    sim_event *it = &e->imm[e->imm_tail++ & e->imm_mask];
    it->fn = fn;
    it->a = a;
    it->u32 = u32;
    return 0;
}

/* A hop between nodes (node.h): inline when no link has a latency, the common case. */
static inline sim_event *sim_engine_hop(struct sim_engine *e, uint32_t from, uint32_t to,
                                        sim_event_fn fn, void *obj, uint32_t token)
{
    if (!e->has_latency) {
        sim_engine_soon(e, fn, obj, token);
        return NULL;
    }
    return sim_link_hop(e, from, to, fn, obj, token);
}
void sim_engine_cancel(struct sim_engine *e, sim_event *ev);
/* Schedules again, at t, the event whose handler is running. */
void sim_engine_rearm(struct sim_engine *e, sim_event *ev, sim_time t);
/* Records the first error of the run (later ones are ignored); the run loop stops. */
void sim_engine_fail(struct sim_engine *e, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Seeds a stream keyed "<prefix>/<name>/<suffix>" of any length. */
void sim_engine_stream(const struct sim_engine *e, sim_rng *r, const char *prefix,
                       const char *name, const char *suffix);

/* A new request of kind `kind` replying to `parent` (NULL: nobody) in the tree of `root` (NULL:
 * it is a root). NULL on out of memory (the engine has failed). Inline: every client request
 * and call makes one. */
void sim_req_nomem_(struct sim_engine *e);
static inline sim_req *sim_req_new(sim_engine *e, sim_req_kind kind, sim_req *parent,
                                   sim_req *root)
{
    sim_req *r = sim_pool_get(&e->reqs);
    if (!r) {
        sim_req_nomem_(e);
        return NULL;
    }
    /* The fields that start at zero are one block, cleared with a few wide stores (in pieces
     * the compiler expands inline rather than with a string instruction). */
    enum { ZERO = offsetof(sim_req, id), HALF = ZERO / 2 };
    memset(r, 0, HALF);
    memset((char *)r + HALF, 0, ZERO - HALF);
    r->state = SIM_REQ_RUNNING;
    r->kind = (uint8_t)kind;
    r->refs = 1;
    r->id = e->next_id++;
    r->t_created = e->now;
    r->parent = parent;
    if (parent) {
        parent->refs++;
        r->pgen = parent->gen;
        r->priority = parent->priority;
        r->inst = parent->inst;
        r->ep = parent->ep;
        r->deadline = parent->deadline;
    } else {
        r->inst = NULL;
        r->ep = NULL;
        r->deadline = INFINITY;
    }
    if (root) {
        SIM_INVARIANT(root->kind == SIM_REQ_ROOT && root->state != SIM_REQ_FREE);
        root->tree++;
        r->root = root;
    } else {
        r->root = r;
    }
    return r;
}

/* sample.c */
int sim_sample_start(struct sim_engine *e);
/* ledger.c */
int sim_ledger_check(struct sim_engine *e);
/* program.c: checks every endpoint's program before the run */
int sim_programs_verify(struct sim_engine *e);

#endif
