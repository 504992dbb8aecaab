/* service (internal): instances, workers, admission and the interpreter's entry points.
 *
 * Who writes what: service.c owns admission (arrival, queue, drop), workers and dispatch, the
 * admitted lists and the service's statistics; interp.c owns what a request does once it runs
 * (steps, calls, replies, forks); balancer.c picks a replica. */
#ifndef SIM_SERVICE_H
#define SIM_SERVICE_H

#include <stdint.h>

#include "core/check.h"
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
struct sim_host;

typedef struct sim_instance {
    struct sim_service *svc;
    uint32_t index;             /* replica number */
    uint32_t node;              /* its node (model/node.h) */
    uint32_t busy;              /* workers held */
    uint32_t down;              /* failures holding it down now: arrivals get no service */
    double slow;                /* work steps take this many times as long (1 normally) */
    uint32_t outstanding;       /* picked by a balancer and not yet replied */
    int dispatching;            /* dispatch() is running for this instance */
    sim_waitq q;                /* the waiting room */
    sim_req *admitted;          /* every request executing here (queued, running, fibers) */
    uint64_t nadmitted;
    struct sim_host *host;      /* where its work steps get cores; NULL: a core each */
    struct sim_host *own_host;  /* its private host (cores = N), owned */
    uint32_t cpu_jobs;          /* its work steps using a core now (or sharing them) */
    double cpu_use;             /* cores those jobs use now */
    struct sim_inst_stats *st;  /* its own statistics; NULL with one replica (the service's) */
    /* failures (fault.c; `down` and `slow` above, with what the hot path reads) */
    uint8_t silent;             /* while down, arrivals get no answer (else a refusal) */
    uint32_t slowdowns;         /* slowdowns in force */
} sim_instance;

/* Counters of one window: the whole run (ledger), the statistics window, or one sample. */
typedef struct sim_svc_counts {
    uint64_t arrivals;
    uint64_t by[SIM_NCAUSES];   /* how admitted or refused requests ended; [OK] = completed */
    uint64_t retries;           /* arrivals that were retries */
    uint64_t abandoned;         /* calls here whose caller stopped waiting (a call's timeout) */
    uint64_t late;              /* completed at or after their deadline: nobody waited */
    uint64_t link_lost;         /* calls to it and their replies lost on a link (node.h) */
} sim_svc_counts;

/* A service's guards (guard.c): its rate limit's bucket and its load shedding. */
typedef struct sim_guard {
    sim_guard_config cfg;
    double tokens;              /* the bucket (rate limit) */
    double last;                /* when it was last filled */
} sim_guard;

/* One replica's statistics window, kept only when a service has more than one replica (with
 * one, the service's figures are its replica's, and the hot path pays a predictable branch). */
typedef struct sim_inst_stats {
    sim_svc_counts win;         /* the cohort of requests that arrived in the window */
    uint32_t queued, working, overlap;
    sim_tw tw_busy, tw_queue, tw_working, tw_overlap, tw_cpu;   /* since warm-up; max: tw_queue */
    sim_tw tw_down;             /* 1 while down */
} sim_inst_stats;

/* One endpoint's statistics window (the cohort of calls that arrived in the window). */
typedef struct sim_ep_stats {
    sim_svc_counts win;
    sim_hist resid;             /* residence times of its completed calls */
} sim_ep_stats;

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
    /* Counts since the start and at the last sample (a sample's counts are the difference); the
     * statistics window's are the sum of its endpoints' (sim_service_win), kept once. */
    sim_svc_counts all, at_tick;
    uint64_t in_flight;         /* admitted and not finished */
    uint32_t threads;           /* threads per replica (SIM_WORKERS_INF: one per request) */
    uint32_t busy, queued;      /* over all replicas */
    uint32_t working;           /* threads in a work step (the rest of busy are blocked) */
    uint32_t overlap;           /* without hosts: extra branches working on a working thread */
    double cpu_now;             /* on hosts: cores in use by its work steps */
    sim_tw tw_busy, tw_queue, tw_working, tw_overlap, tw_cpu;   /* since warm-up; max: tw_queue */
    uint32_t ndown;             /* replicas down now */
    sim_tw tw_down;             /* replicas down, over time (uptime) */
    double tick_busy, tick_queue, tick_working, tick_cpu, tick_down;  /* at the last sample */
    sim_hist wait_hist;
    sim_ep_stats *ep_stats;     /* per endpoint (made when the run starts), in eps' order */
    sim_inst_stats *inst_stats; /* per replica when replicas > 1, else NULL */
    sim_guard *guard;           /* rate limit, shedding, deadlines; NULL: none (owned) */
} sim_service;

/* The statistics of the endpoint r runs. */
static inline sim_ep_stats *sim_service_ep_stats(const sim_req *r) { return r->ep->stats; }

/* service.c */
/* The service's counts in the statistics window: the sum of its endpoints'. */
void sim_service_win(const sim_service *s, sim_svc_counts *w);
void sim_service_arrive(struct sim_engine *e, sim_event *ev);   /* a hop's handler */
void sim_service_finish(struct sim_engine *e, sim_req *r, sim_cause out);
void sim_service_reacquire(struct sim_engine *e, sim_req *r);
void sim_service_release_worker(struct sim_engine *e, sim_req *r);
void sim_service_admit(sim_instance *in, sim_req *r);
/* A work step of r begins or ends: the thread r runs on is working while any of its steps (its
 * own, or its parallel branches') is. Inline: every work step comes through here. */
void sim_service_work_change_(sim_time now, sim_req *r, int delta);
static inline void sim_service_inst_working(sim_time now, sim_instance *in, int delta)
{
    sim_inst_stats *st = in->st;
    st->working = (uint32_t)((int)st->working + delta);
    sim_tw_set_nomax(&st->tw_working, now, st->working);
}
static inline void sim_service_work_begin(sim_time now, sim_req *r)
{
    r->working = 1;
    if (r->kind == SIM_REQ_CALL && r->nwork == 0) {   /* the thread's owner, idle until now */
        sim_service *s = r->inst->svc;
        r->nwork = 1;
        s->working++;
        sim_tw_set_nomax(&s->tw_working, now, s->working);
        if (SIM_UNLIKELY(r->inst->st))
            sim_service_inst_working(now, r->inst, +1);
        return;
    }
    sim_service_work_change_(now, r, +1);
}
static inline void sim_service_work_end(sim_time now, sim_req *r)
{
    r->working = 0;
    if (r->kind == SIM_REQ_CALL && r->nwork == 1) {
        sim_service *s = r->inst->svc;
        r->nwork = 0;
        s->working--;
        sim_tw_set_nomax(&s->tw_working, now, s->working);
        if (SIM_UNLIKELY(r->inst->st))
            sim_service_inst_working(now, r->inst, -1);
        return;
    }
    sim_service_work_change_(now, r, -1);
}
/* Cores in use: their integral since the window's start, and their mean. */
double sim_service_cpu_area(const sim_service *s, sim_time now);
double sim_service_cpu_mean(const sim_service *s, sim_time now);
/* The same for one replica (its own statistics when replicas > 1, else the service's). */
double sim_service_inst_cpu_area(const sim_instance *in, sim_time now);
/* in's jobs on cores changed (or the rate of its host did). */
void sim_service_cpu_changed(struct sim_engine *e, sim_instance *in);
/* Places every instance on its host (run start). SIM_OK or an error after failing. */
int sim_services_place(struct sim_engine *e);
void sim_service_unadmit(sim_instance *in, sim_req *r);
void sim_service_fini(sim_service *s);
/* The instance goes down (+1) or comes back (-1); going down loses every request it holds
 * (cause "crashed"), at a cost proportional to their number. `silent`: while down, and for
 * the requests lost, callers get no answer (else an error at once). */
void sim_service_down(struct sim_engine *e, sim_instance *in, int delta, int silent);
/* A caller gave up waiting for call c to endpoint ep of s (its timeout). */
void sim_service_abandoned(struct sim_engine *e, sim_service *s, uint32_t ep);

/* guard.c */
/* Whether r, arriving at instance in (up) of a service with guards, is turned away: rate
 * limited, shed (it would wait behind shed_queue others) or expired (its deadline passed). The
 * cause, or SIM_CAUSE_OK to admit it. */
sim_cause sim_guard_arrival(struct sim_engine *e, sim_guard *g, sim_instance *in,
                            const sim_req *r);

/* interp.c */
/* r's current call attempt leaves its bulkhead (r->bulk != 0): a permit it holds is handed on
 * or given back, a place in the bulkhead's queue is left. */
void sim_interp_bulkhead_leave(struct sim_engine *e, sim_req *r);
/* Runs r's program from r->pc until it waits or ends. */
void sim_interp_exec(struct sim_engine *e, sim_req *r);
/* A step with a duration ended for r (a host's completion): go on with the next step. */
void sim_interp_step_done(struct sim_engine *e, sim_req *r);
/* The handler of a reply's hop back to the caller. */
void sim_interp_reply_arrived(struct sim_engine *e, sim_event *ev);
/* r's wait for a broker's acknowledgement ended: the next step. */
void sim_interp_resume(struct sim_engine *e, sim_req *r);
/* r's publish failed (the broker refused it, failed with it, or its ack did not come in time):
 * its step fails with cause c, as a failed call without a fallback (broker.c). */
void sim_interp_publish_failed(struct sim_engine *e, sim_req *r, sim_cause c);
/* r's request to a queue was refused by the queue, or lost in its failure (broker.c): the
 * request step fails with cause c now, its timeout cancelled (its fallback, if any, runs). */
void sim_interp_request_failed(struct sim_engine *e, sim_req *r, sim_cause c);
/* Sends a new call from `from` to endpoint ep of s (a retry when from->attempt > 0). SIM_OK or
 * SIM_ENOMEM. */
int sim_interp_call(struct sim_engine *e, sim_req *from, sim_service *s, uint32_t ep);

/* balancer.c: the replica a new call goes to (one that is up, if any is), by the service's
 * balancer. Inline for the common single replica. */
sim_instance *sim_balancer_pick_among_(sim_service *s);
static inline sim_instance *sim_balancer_pick(sim_service *s)
{
    return s->cfg.replicas == 1 ? &s->inst[0] : sim_balancer_pick_among_(s);
}

#endif
