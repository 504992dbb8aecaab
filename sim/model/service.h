/* service (internal): instances, workers, admission and the interpreter's entry points.
 *
 * Who writes what: service.c owns admission (arrival, queue, drop), workers and dispatch, the
 * admitted lists and the service's statistics; interp.c owns what a request does once it runs
 * (steps, calls, replies, forks); balancer.c picks a replica. */
#ifndef SIM_SERVICE_H
#define SIM_SERVICE_H

#include <stdint.h>

#include "core/rng.h"
#include "core/time.h"
#include "model/cause.h"
#include "model/model.h"
#include "model/program.h"
#include "model/request.h"
#include "model/waitq.h"
#include "stats/hist.h"
#include "stats/tally.h"

struct sim_engine;
struct sim_service;

typedef struct sim_instance {
    struct sim_service *svc;
    uint32_t index;             /* replica number */
    uint32_t node;              /* its node (model/node.h) */
    uint32_t busy;              /* workers held */
    uint32_t outstanding;       /* picked by a balancer and not yet replied */
    int dispatching;            /* dispatch() is running for this instance */
    sim_waitq q;                /* the waiting room */
    sim_req *admitted;          /* every request executing here (queued, running, fibers) */
    uint64_t nadmitted;
} sim_instance;

/* Counters of one window: the whole run (ledger), the statistics window, or one sample. */
typedef struct sim_svc_counts {
    uint64_t arrivals;
    uint64_t by[SIM_NCAUSES];   /* how admitted or refused requests ended; [OK] = completed */
} sim_svc_counts;

typedef struct sim_service {
    char *name;
    uint32_t index;
    sim_service_config cfg;
    sim_endpoint *eps;
    uint32_t neps;
    sim_instance *inst;
    uint32_t rr;                /* round-robin cursor */
    sim_rng rng_lb;              /* balancer draws */
    /* accounting and statistics */
    sim_svc_counts all, win, tick;
    uint64_t in_flight;         /* admitted and not finished */
    uint32_t busy, queued;      /* over all replicas */
    sim_tw tw_busy, tw_queue;   /* since the warm-up */
    double tick_busy, tick_queue;  /* their integrals at the last sample */
    double resid_sum;           /* residence times of completed requests */
    uint64_t resid_n;
    sim_hist wait_hist;
} sim_service;

/* service.c */
void sim_service_arrive(struct sim_engine *e, sim_event *ev);   /* a hop's handler */
void sim_service_finish(struct sim_engine *e, sim_req *r, sim_cause out);
void sim_service_reacquire(struct sim_engine *e, sim_req *r);
void sim_service_release_worker(struct sim_engine *e, sim_req *r);
void sim_service_admit(sim_instance *in, sim_req *r);
void sim_service_unadmit(sim_instance *in, sim_req *r);
void sim_service_fini(sim_service *s);

/* interp.c */
/* Runs r's program from r->pc until it waits or ends. */
void sim_interp_exec(struct sim_engine *e, sim_req *r);
/* The handler of a reply's hop back to the caller. */
void sim_interp_reply_arrived(struct sim_engine *e, sim_event *ev);
/* Sends a new call from `from` to endpoint ep of s. SIM_OK or SIM_ENOMEM. */
int sim_interp_call(struct sim_engine *e, sim_req *from, sim_service *s, uint32_t ep);

/* balancer.c */
sim_instance *sim_balancer_pick(sim_service *s);

#endif
