/* internal: the engine's data structures, shared by the model's .c files; result.c copies the
 * results out of them, so nothing else outside sim/model includes this header.
 *
 * Not for scenario bindings: they go through model.h. Everything here is owned by one
 * sim_engine. */
#ifndef SIM_MODEL_INTERNAL_H
#define SIM_MODEL_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "core/calendar.h"
#include "core/dist.h"
#include "core/pool.h"
#include "core/rng.h"
#include "model/model.h"
#include "stats/hist.h"
#include "stats/tally.h"

/* ---- endpoint programs ---------------------------------------------------------------- */

typedef enum {
    OP_WORK,        /* hold the worker for dist */
    OP_SLEEP,       /* wait for dist without a worker */
    OP_CALL,        /* synchronous call of (target, endpoint) */
    OP_FORK,        /* start n fibers at targets[0..n), join, continue at targets[n] */
    OP_CHOOSE,      /* jump to targets[i] with probability cum[i] - cum[i-1] */
    OP_JUMP,        /* continue at target */
    OP_BRANCH_END,  /* a fiber's end */
    OP_RETURN,      /* the endpoint is done: reply to the caller */
} sim_opcode;

typedef struct sim_op {
    uint8_t code;
    uint8_t blocking;
    uint8_t join;           /* sim_join for OP_FORK */
    uint32_t n;             /* fork/choose arity */
    uint32_t quorum;        /* successes needed by a fork */
    uint32_t target;        /* call: service; jump: pc */
    uint32_t endpoint;      /* call: endpoint of the target */
    sim_dist *dist;         /* work, sleep */
    uint32_t *targets;      /* fork, choose: n (+1 for fork) pcs */
    double *cum;            /* choose: cumulative probabilities */
} sim_op;

typedef struct sim_endpoint {
    char *name;
    sim_op *ops;
    uint32_t nops, cap;
    int closed;             /* the program ended with OP_RETURN */
} sim_endpoint;

/* ---- requests ----------------------------------------------------------------------- */

typedef enum {
    REQ_FREE = 0,    /* in the pool */
    REQ_TRANSIT,     /* travelling the link to inst: not yet an arrival there */
    REQ_QUEUED,      /* waiting for a worker at inst */
    REQ_RUNNING,     /* executing at inst (holds a worker, or sleeping / waiting) */
    REQ_REPLYING,    /* finished; its reply travels back to the parent */
    REQ_ROOT_WAIT,   /* a client request waiting for its response */
    REQ_ROOT_DONE,   /* a client request resolved, waiting for its tree to finish */
} sim_req_state;

typedef enum { KIND_ROOT, KIND_CALL, KIND_FIBER } sim_req_kind;

typedef enum {
    OUT_NONE = 0, OUT_OK, OUT_FAILED, OUT_DROPPED, OUT_TIMEOUT,
} sim_outcome;

struct sim_instance;
struct sim_client;

typedef struct sim_req sim_req;
struct sim_req {
    sim_req *qnext;             /* first word: pool free list, then the FIFO/LIFO link */
    uint8_t state;              /* sim_req_state; REQ_FREE marks a pooled slot */
    uint8_t kind;               /* sim_req_kind */
    uint8_t outcome;            /* sim_outcome of this request */
    uint8_t holds_worker;       /* a worker of inst is held */
    uint8_t resume;             /* queued to resume (not a new arrival) */
    uint8_t join_done;          /* a fork's join has been decided */
    uint8_t counted;            /* root: created after warm-up */
    uint32_t pc;                /* next instruction */
    uint32_t refs;              /* own life + children pointing here */
    uint32_t fork_live;         /* fibers of the current fork not yet ended */
    uint32_t fork_ok, fork_fail;
    int32_t priority;
    uint32_t user;              /* root of a closed client: its user; else the fork generation */
    uint64_t id;                /* unique in the run */
    uint64_t root_id;           /* id of the client request at the root */
    uint64_t qseq;              /* queue order for the priority heap */
    double t_created;
    double t_arrived;           /* arrival at inst (waiting time) */
    sim_req *parent;            /* caller, or the fork owner of a fiber */
    sim_req *root;              /* the client request */
    struct sim_instance *inst;  /* where it executes */
    const sim_endpoint *ep;
    struct sim_client *client;  /* root: its flow */
    sim_event *timer;           /* root: the timeout event */
};

/* ---- services ----------------------------------------------------------------------- */

typedef struct sim_queue {
    sim_req *head, *tail;       /* FIFO / LIFO */
    sim_req **heap;             /* priority */
    size_t n, cap;
} sim_queue;

typedef struct sim_instance {
    struct sim_service *svc;
    uint32_t index;
    uint32_t busy;              /* workers held */
    uint32_t outstanding;       /* picked by a balancer and not yet replied */
    uint32_t node;              /* link node id */
    int dispatching;            /* dispatch() is on the stack */
    sim_queue q;
} sim_instance;

/* Counters of one window: the whole run (ledger) or the statistics window. */
typedef struct sim_svc_counts {
    uint64_t arrivals, completed, failed, dropped;
} sim_svc_counts;

typedef struct sim_service {
    char *name;
    uint32_t index;
    sim_service_config cfg;
    sim_endpoint *eps;
    uint32_t neps;
    sim_instance *inst;
    uint32_t rr;                /* round-robin cursor */
    sim_rng rng_work, rng_choose, rng_lb;
    /* accounting and statistics */
    sim_svc_counts all, win, tick;  /* whole run, after warm-up, this sample interval */
    uint64_t in_flight;         /* accepted and not finished */
    uint32_t busy, queued;      /* over all replicas */
    sim_tw tw_busy, tw_queue;   /* since the warm-up */
    double tick_busy, tick_queue;  /* their integrals at the last sample (see on_sample) */
    double resid_sum;           /* residence times of completed requests */
    uint64_t resid_n;
    sim_hist wait_hist;         /* its count, sum and max are exact */
} sim_service;

/* ---- clients ------------------------------------------------------------------------ */

typedef struct sim_flow_counts {
    uint64_t sent, ok, failed, timeouts, dropped;
} sim_flow_counts;

typedef struct sim_client {
    char *name;
    uint32_t index;
    sim_client_config cfg;
    double *times, *rates;      /* owned copies for schedules */
    uint32_t node;
    sim_rng rng_arrival, rng_think;
    uint64_t created;           /* requests made so far (limit) */
    double on_until;            /* bursty: end of the current on period */
    sim_flow_counts all, win, tick;
    uint64_t in_flight;
    sim_hist lat_hist, compl_hist, tick_hist;   /* exact count, sum, min and max */
} sim_client;

/* ---- links -------------------------------------------------------------------------- */

typedef struct sim_link {
    char *a, *b;                /* NULL for the default link */
    sim_dist *latency;          /* NULL = zero */
} sim_link;

/* ---- the engine --------------------------------------------------------------------- */

struct sim_engine {
    sim_config cfg;
    double now;
    sim_calendar cal;
    sim_pool events, reqs;
    uint64_t nevents;
    uint64_t next_id;
    uint64_t qseq;
    int ran;
    int err;                    /* first error raised inside the run */
    char errmsg[512];

    sim_service *svcs;
    uint32_t nsvcs;
    sim_client *clients;
    uint32_t nclients;
    sim_link *links;
    uint32_t nlinks;
    sim_link default_link;
    uint32_t nnodes;
    uint16_t *linkmap;          /* nnodes*nnodes: 0 = default, i+1 = links[i] */
    sim_rng *node_rng;          /* per sending node, for link latencies */

    sim_series_fn series;       /* time-series sink (NULL: rows dropped) */
    void *series_ud;
    double last_tick;
    uint64_t ticks;             /* sampling events so far */
};

/* engine.c */
sim_event *sim_engine_event(sim_engine *e, sim_event_fn fn, void *a, void *b, double at);
/* Schedules again, at `at`, the event whose handler is running (periodic events); the run loop
 * then does not return it to the pool. */
void sim_engine_rearm(sim_engine *e, sim_event *ev, double at);
void sim_engine_fail(sim_engine *e, int code, const char *fmt, ...);
/* Moves obj from node `from` to node `to` over their link: fn runs after the link's latency, at
 * once (re-entrantly) when the link has none. */
void sim_engine_hop(sim_engine *e, uint32_t from, uint32_t to, sim_event_fn fn, void *obj);

/* service.c */
/* Sends a new request from `from` to endpoint ep of s; SIM_OK or SIM_ENOMEM. The reply may
 * arrive before this returns (zero-latency links), so `from` may have moved on. */
int sim_service_call(sim_engine *e, sim_req *from, sim_service *s, uint32_t ep);
void sim_service_reset_window(sim_engine *e, sim_service *svc);
void sim_service_fini(sim_service *svc);
int sim_service_init_stats(sim_service *svc);
sim_req *sim_req_new(sim_engine *e, sim_req_kind kind, sim_req *parent);
void sim_req_release(sim_engine *e, sim_req *r);

/* client.c */
int sim_client_start(sim_engine *e, sim_client *c);
void sim_client_reply(sim_engine *e, sim_req *root, sim_req *child);
void sim_client_release(sim_engine *e, sim_req *root);
void sim_client_fini(sim_client *c);
int sim_client_init_stats(sim_client *c);

#endif
