/* request: the execution context of one piece of work — a client request (ROOT), a call to a
 * service (CALL), or a branch of a fork (FIBER) — and its lifetime.
 *
 * Lifetimes. A request holds one reference for its own life plus one per child that will reply
 * to it (its reply parent), so a caller outlives its callees and a late reply always finds its
 * caller's memory. Separately, every request below a root counts in root->tree: the root is
 * freed only when its own life, its replying children and its whole tree are done; that instant
 * is its completion time. The two are kept apart so that work with no one to reply to (a
 * message in a broker, later) pins only the root, not a chain of callers.
 *
 * Waits. A request waits for one thing at a time: its own event (a step's end, a hop), its
 * children (a call's reply, a fork's fibers), or a place in a wait list. `gen` is the token of
 * the current wait: whoever wakes the request carries the token it was given, and a wake whose
 * token is stale (the wait was abandoned: timeout, retry, crash) is ignored. `ev` is the handle
 * of the request's pending own event, so abandoning a wait can cancel it. Every request that
 * executes at an instance is on that instance's admitted list, so a crash can find them all. */
#ifndef SIM_REQUEST_H
#define SIM_REQUEST_H

#include <stdint.h>

#include "core/calendar.h"
#include "core/time.h"
#include "model/cause.h"
#include "model/waitq.h"

typedef enum {
    SIM_REQ_FREE = 0,    /* in the pool */
    SIM_REQ_TRANSIT,     /* travelling the link to inst: not yet an arrival there */
    SIM_REQ_QUEUED,      /* waiting for a worker at inst (new, or resuming when `resume`) */
    SIM_REQ_RUNNING,     /* executing at inst: working, sleeping or waiting for children */
    SIM_REQ_REPLYING,    /* finished; its reply travels back to its parent */
    SIM_REQ_ROOT_WAIT,   /* a client request waiting for its response */
    SIM_REQ_ROOT_DONE,   /* a client request resolved, waiting for its tree to finish */
} sim_req_state;

typedef enum { SIM_REQ_ROOT, SIM_REQ_CALL, SIM_REQ_FIBER } sim_req_kind;

struct sim_instance;
struct sim_client;
struct sim_endpoint;
struct sim_engine;

typedef struct sim_req sim_req;
/* 184 bytes with 64-bit pointers, no padding (asserted below). Fields one kind of request never
 * uses share their room with fields only another kind uses: a client request (ROOT) never
 * executes at an instance, so it has no arrival time, no host job and no message; a request
 * below a root keeps no tree count. Flags are bits, but for the two the M/M/1 path writes most
 * (bytes in what would be padding); what is read at every event (the wait node, state, kind,
 * token, pending event, flags, program counter, references) is in the first 64 bytes. */
struct sim_req {
    /* From `wait` to `id`: fields that start at zero, cleared in one block by sim_req_new. */
    sim_wnode wait;             /* first: its place in a wait list (the pool's link when free) */
    uint8_t state;              /* sim_req_state */
    uint8_t kind;               /* sim_req_kind */
    uint8_t outcome;            /* sim_cause, once known */
    uint8_t lost;               /* 0x80 | (gen & 0x7f): its wait of token gen is for a request
                                 * or reply lost on a link (see node.h) */
    uint32_t gen;               /* token of the current wait */
    sim_event *ev;              /* its pending own event, or NULL */
    unsigned resume : 1;        /* queued to get a worker back (not a new arrival) */
    unsigned join_done : 1;     /* the current fork's join has been decided */
    unsigned admitted : 1;      /* on the admitted list of inst */
    unsigned mark : 1;          /* scratch for the end-of-run ledger */
    unsigned working : 1;       /* in a work step (CPU demand) */
    unsigned retry : 1;         /* a call: this attempt is a retry */
    unsigned waits_msg : 2;     /* waits for a broker's acknowledgement of its publish (1), or
                                 * for a request message's reply or timeout (2) */
    unsigned bulk : 2;          /* a caller: its current attempt holds a permit of the call's
                                 * bulkhead (2: it waits in the bulkhead's queue) */
    unsigned lost_request : 1;  /* with `lost`: the request was lost, not its reply, so the
                                 * callee never saw it (see sim_req_never_arrived) */
    uint16_t attempt;           /* the current call's (a root: its own) attempts so far - 1 */
    uint16_t nwork;             /* a call: its work steps running (its own and its fibers') */
    uint8_t holds_worker;       /* a worker of inst is held */
    uint8_t counted;            /* root: sent, call: arrived, in the statistics window */
    uint32_t pc;                /* next instruction */
    uint32_t refs;              /* own life + children that reply here */
    union {
        uint32_t tree;          /* root: live requests below it */
        uint32_t pgen;          /* below a root: the parent's token when this child was made */
    };
    uint32_t fork_ok, fork_fail;
    union {
        uint32_t user;          /* root of a closed client: its user */
        uint32_t brk;           /* a call's caller: the breaker ticket of its current attempt
                                 * (sim_breaker_admit), 0 when no breaker let it through */
    };
    int32_t priority;
    uint32_t cpu_slot;          /* on a PS host: heap slot + 1 */
    sim_req *inext, *iprev;     /* the admitted list of inst */
    union {
        sim_event *timer;       /* root: the timeout event, or NULL */
        struct sim_msg *msg;    /* a consumer's request: the message it processes */
    };
    union {
        struct sim_client *client;  /* root: its flow */
        sim_req *cpu_next;      /* below a root: a host's list of jobs done at one instant */
    };
    /* Set by sim_req_new, or before they are read. */
    uint64_t id;                /* unique in the run (its client request's: root->id) */
    union {
        sim_time t_created;     /* root: when it was sent */
        sim_time t_arrived;     /* below a root: arrival at inst (waiting time) */
    };
    sim_time deadline;          /* nobody waits for its answer from then on (its client's
                                 * timeout, shortened by its calls'); infinity when none */
    sim_req *parent;            /* who gets the reply: the caller, or the fork owner; or NULL */
    sim_req *root;              /* the client request whose work this is */
    struct sim_instance *inst;  /* where it executes */
    struct sim_endpoint *ep;
    union {
        double vfin;            /* in a work step on a host: virtual finish (PS) or demand (FCFS) */
        double backoff;         /* between the attempts of a call (no work step then): the last
                                 * retry's delay, for decorrelated jitter */
    };
};

/* A request in flight is at least two of these (its client request and a call): their size is
 * most of a large model's memory (docs/performance.md). */
_Static_assert(sizeof(void *) != 8 || sizeof(sim_req) == 184, "sim_req grew: check its layout");

/* sim_req_new (a new request) is inline in engine.h, which has the engine's pool. */
/* Drops one reference; frees the request, and then what it held, when none is left. */
void sim_req_release(struct sim_engine *e, sim_req *r);
/* The same, inline when another reference remains (nothing to free: the usual case where a
 * caller still holds its own reference to a request that replied). */
static inline void sim_req_unref(struct sim_engine *e, sim_req *r)
{
    if (__builtin_expect(r->refs > 1, 1))
        r->refs--;
    else
        sim_req_release(e, r);
}
/* A message pins its client request (root->tree) while nothing else of it may live; unpin frees
 * the root when that was the last thing it waited for (its completion). */
static inline void sim_req_pin(sim_req *root) { root->tree++; }

/* Whether r's current wait is for a request a link lost on its way: the callee never saw it, so
 * a timeout of that wait is not a call the callee had (not `abandoned` there). */
static inline int sim_req_never_arrived(const sim_req *r)
{
    return r->lost && r->lost == (0x80 | (r->gen & 0x7f)) && r->lost_request;
}
void sim_req_unpin(struct sim_engine *e, sim_req *root);
/* Starts a new wait: abandons the current one (its wakes become stale, its own event is
 * cancelled, a work step gives its core up) and returns the new token. */
uint32_t sim_req_abandon_(struct sim_engine *e, sim_req *r);
static inline uint32_t sim_req_new_wait(struct sim_engine *e, sim_req *r)
{
    if (r->ev || r->working)
        return sim_req_abandon_(e, r);
    return ++r->gen;
}

#endif
