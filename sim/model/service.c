/* service: service instances — admission (arrival, waiting room, drop), workers and dispatch,
 * the admitted lists a crash will walk, and the service's statistics and component hooks.
 * What a request does once it holds a worker is interp.c's. */
#include "model/service.h"

#include <string.h>

#include "core/alloc.h"
#include "core/check.h"
#include "core/error.h"
#include "model/engine.h"
#include "model/broker.h"
#include "model/host.h"

static sim_waitq_order order_of(sim_discipline d)
{
    return d == SIM_DISC_LIFO ? SIM_WAITQ_LIFO
           : d == SIM_DISC_PRIORITY ? SIM_WAITQ_PRIORITY : SIM_WAITQ_FIFO;
}

int sim_service_add(sim_engine *e, const char *name, const sim_service_config *cfg,
                    uint32_t *index)
{
    if (e->ran)
        return SIM_ESTATE;
    if (!name || cfg->workers < 1 || cfg->replicas < 1 || cfg->queue < -1 ||
        (unsigned)cfg->discipline > SIM_DISC_PS ||
        (unsigned)cfg->balancer > SIM_LB_POWER_OF_TWO || !(cfg->cores >= 0) ||
        cfg->cores == INFINITY || (unsigned)cfg->cpu > SIM_CPU_FCFS ||
        (cfg->cpu == SIM_CPU_FCFS && cfg->cores != floor(cfg->cores)) ||
        (cfg->host && (cfg->host > e->nhosts || cfg->cores > 0)))
        return SIM_EINVAL;
    if (sim_grow_cap((void **)&e->svcs, e->nsvcs, &e->capsvcs, sizeof *e->svcs) != 0)
        return SIM_ENOMEM;
    sim_service *s = &e->svcs[e->nsvcs];
    memset(s, 0, sizeof *s);
    s->cfg = *cfg;
    s->threads = cfg->workers;
    if (cfg->discipline == SIM_DISC_PS) {
        /* Processor sharing: a thread for every request, the work shares the cores. */
        s->threads = SIM_WORKERS_INF;
        if (!(s->cfg.cores > 0) && !cfg->host)
            s->cfg.cores = cfg->workers == SIM_WORKERS_INF ? 0 : cfg->workers;
        s->cfg.cpu = SIM_CPU_PS;
    }
    s->name = sim_strdup(name);
    s->inst = sim_calloc(cfg->replicas, sizeof *s->inst);
    sim_tw_init(&s->tw_busy, 0, 0);
    sim_tw_init(&s->tw_queue, 0, 0);
    sim_tw_init(&s->tw_working, 0, 0);
    sim_tw_init(&s->tw_overlap, 0, 0);
    sim_tw_init(&s->tw_cpu, 0, 0);
    sim_tw_init(&s->tw_down, 0, 0);
    sim_hist_init(&s->wait_hist);   /* no memory until its first value */
    if (!s->name || !s->inst) {
        sim_service_fini(s);
        sim_free(s->name);
        return SIM_ENOMEM;
    }
    s->index = e->nsvcs;
    for (uint32_t i = 0; i < cfg->replicas; i++) {
        s->inst[i].index = i;   /* .svc and .node are set when the run starts (node.c) */
        s->inst[i].slow = 1.0;
        sim_waitq_init(&s->inst[i].q, order_of(cfg->discipline));
    }
    sim_engine_stream(e, &s->rng_lb, "service", name, "balancer");
    if (index)
        *index = e->nsvcs;
    e->nsvcs++;
    return SIM_OK;
}

void sim_service_fini(sim_service *s)
{
    if (s->inst)
        for (uint32_t i = 0; i < s->cfg.replicas; i++) {
            sim_waitq_fini(&s->inst[i].q);
            if (s->inst[i].own_host) {
                sim_host_fini(s->inst[i].own_host);
                sim_free(s->inst[i].own_host);
            }
        }
    sim_free(s->inst);
    s->inst = NULL;
    sim_hist_fini(&s->wait_hist);
    if (s->ep_stats)
        for (uint32_t j = 0; j < s->neps; j++)
            sim_hist_fini(&s->ep_stats[j].resid);
    sim_free(s->ep_stats);
    s->ep_stats = NULL;
    sim_free(s->inst_stats);
    s->inst_stats = NULL;
    sim_free(s->guard);
    s->guard = NULL;
}

/* ---- counters ----------------------------------------------------------------------- */

/* How r ended at its instance. The statistics window follows cohorts, as flows do: r counts
 * there (service, replica, endpoint) when it arrived in the window (docs/outputs.md). */
static inline void count(sim_service *s, sim_req *r, sim_cause c)
{
    s->all.by[c]++;
    if (SIM_LIKELY(r->counted)) {
        sim_service_ep_stats(r)->win.by[c]++;
        if (SIM_UNLIKELY(r->inst->st))
            r->inst->st->win.by[c]++;
    }
}

static inline void set_busy(sim_engine *e, sim_instance *in, int delta)
{
    sim_service *s = in->svc;
    s->busy = (uint32_t)((int)s->busy + delta);
    sim_tw_set_nomax(&s->tw_busy, e->now, s->busy);   /* the maximum is not an output */
    if (SIM_UNLIKELY(in->st))
        sim_tw_set_nomax(&in->st->tw_busy, e->now, in->busy);
}

static inline void set_queued(sim_engine *e, sim_instance *in, int delta)
{
    sim_service *s = in->svc;
    s->queued = (uint32_t)((int)s->queued + delta);
    sim_tw_set(&s->tw_queue, e->now, s->queued);
    if (SIM_UNLIKELY(in->st)) {
        in->st->queued = (uint32_t)((int)in->st->queued + delta);
        sim_tw_set(&in->st->tw_queue, e->now, in->st->queued);
    }
}

/* ---- the admitted list -------------------------------------------------------------- */

void sim_service_admit(sim_instance *in, sim_req *r)
{
    if (NEVER(r->admitted))
        return;
    r->admitted = 1;
    r->iprev = NULL;
    r->inext = in->admitted;
    if (in->admitted)
        in->admitted->iprev = r;
    in->admitted = r;
    in->nadmitted++;
}

void sim_service_unadmit(sim_instance *in, sim_req *r)
{
    if (NEVER(!r->admitted))
        return;
    r->admitted = 0;
    if (r->iprev)
        r->iprev->inext = r->inext;
    else
        in->admitted = r->inext;
    if (r->inext)
        r->inext->iprev = r->iprev;
    r->inext = r->iprev = NULL;
    in->nadmitted--;
}

/* ---- workers ------------------------------------------------------------------------ */

/* r takes a worker: a free one (delta 1), or (delta 0) the one a finishing request hands over
 * at this instant. A hand-over leaves the count of threads held as it was and brings its
 * integral up to now: the same sums, bit for bit, as going down and up again at one instant,
 * with one update instead of two. */
static void take_worker(sim_engine *e, sim_req *r, int delta)
{
    sim_instance *in = r->inst;
    in->busy += (uint32_t)delta;
    SIM_INVARIANT(in->busy <= in->svc->threads && !r->holds_worker);
    r->holds_worker = 1;
    set_busy(e, in, delta);
}

/* A new request gets a worker: its waiting time ends (zero when it arrives now: `at_once`) and
 * its program starts. */
static inline void start(sim_engine *e, sim_req *r, int delta, int at_once)
{
    sim_service *s = r->inst->svc;
    take_worker(e, r, delta);
    if (at_once)
        sim_hist_add_zero(&s->wait_hist);   /* e->now - r->t_arrived is +0 */
    else
        sim_hist_add(&s->wait_hist, e->now - r->t_arrived);
    r->state = SIM_REQ_RUNNING;
    r->pc = 0;
    sim_interp_exec(e, r);
}

/* Hands free workers to waiting requests, in the waiting room's order; with `hand`, the first
 * waiting request takes the worker a finishing request gives up (sim_service_release_worker).
 * A request that finishes at once gives its worker back inside this loop; the nested call
 * returns at once and this loop goes on, so the stack stays flat. */
static void dispatch(sim_engine *e, sim_instance *in, int hand)
{
    if (in->dispatching)
        return;
    in->dispatching = 1;
    while ((hand || in->busy < in->svc->threads) && sim_waitq_len(&in->q) > 0) {
        sim_req *r = (sim_req *)sim_waitq_pop(&in->q);
        set_queued(e, in, -1);
        if (r->resume) {
            r->resume = 0;
            r->state = SIM_REQ_RUNNING;
            take_worker(e, r, !hand);
            sim_interp_exec(e, r);
        } else if (SIM_UNLIKELY(in->svc->guard != NULL) && in->svc->guard->cfg.shed_expired &&
                   e->now >= r->deadline) {
            SIM_INVARIANT(!hand);
            sim_service_finish(e, r, SIM_CAUSE_EXPIRED);   /* nobody waits for it: unserved */
        } else {
            start(e, r, !hand, 0);
        }
        hand = 0;
    }
    in->dispatching = 0;
    SIM_INVARIANT(in->busy == in->svc->threads || sim_waitq_len(&in->q) == 0);
#ifndef NDEBUG
    uint64_t queued = 0;   /* the service's count matches its waiting rooms */
    for (uint32_t i = 0; i < in->svc->cfg.replicas; i++)
        queued += sim_waitq_len(&in->svc->inst[i].q);
    SIM_INVARIANT(queued == in->svc->queued);
#endif
}

void sim_service_release_worker(sim_engine *e, sim_req *r)
{
    if (!r->holds_worker)
        return;
    r->holds_worker = 0;
    sim_instance *in = r->inst;
    /* A request waits and no dispatch is running (nor may one shed the request): the worker
     * passes to it. */
    if (SIM_LIKELY(sim_waitq_len(&in->q) > 0 && !in->dispatching && in->svc->guard == NULL)) {
        dispatch(e, in, 1);
        return;
    }
    if (ALWAYS(in->busy > 0))
        in->busy--;
    set_busy(e, in, -1);
    dispatch(e, in, 0);
}

/* A request that gave its worker up (non-blocking call, sleep) wants it back to go on. It is
 * already admitted, so the queue's capacity does not apply; it waits behind requests already
 * waiting, so a resume never overtakes them. */
void sim_service_reacquire(sim_engine *e, sim_req *r)
{
    sim_instance *in = r->inst;
    if (in->busy < in->svc->threads && sim_waitq_len(&in->q) == 0) {
        take_worker(e, r, 1);
        sim_interp_exec(e, r);
        return;
    }
    r->resume = 1;
    r->state = SIM_REQ_QUEUED;
    if (sim_waitq_push(&in->q, &r->wait, r->priority) != SIM_OK) {
        sim_engine_fail(e, SIM_ENOMEM, "out of memory for a waiting room");
        return;
    }
    set_queued(e, in, +1);
    dispatch(e, in, 0);
}

/* ---- where the time goes: working threads and cores ------------------------------- */

/* The request whose thread r runs on: r itself, or for a parallel branch the call above it. */
static sim_req *thread_owner(sim_req *r)
{
    while (r->kind == SIM_REQ_FIBER && r->parent)
        r = r->parent;
    return r;
}

void sim_service_work_change_(sim_time now, sim_req *r, int delta)
{
    sim_req *o = thread_owner(r);
    sim_service *s = r->inst->svc;
    if (delta > 0 ? o->nwork++ == 0 : (ALWAYS(o->nwork > 0) && --o->nwork == 0)) {
        s->working = (uint32_t)((int)s->working + delta);
        sim_tw_set_nomax(&s->tw_working, now, s->working);
        if (SIM_UNLIKELY(r->inst->st))
            sim_service_inst_working(now, r->inst, delta);
    } else if (!r->inst->host) {   /* another branch working on the same thread: one more core */
        s->overlap = (uint32_t)((int)s->overlap + delta);
        sim_tw_set(&s->tw_overlap, now, s->overlap);
        sim_inst_stats *st = r->inst->st;
        if (SIM_UNLIKELY(st)) {
            st->overlap = (uint32_t)((int)st->overlap + delta);
            sim_tw_set(&st->tw_overlap, now, st->overlap);
        }
    }
}

double sim_service_cpu_area(const sim_service *s, sim_time now)
{
    /* Without hosts every working thread has a core, and each extra branch working on a thread
     * takes another: the cores' integral follows from the threads', with no update of its own
     * on the hot path. */
    if (!s->cfg.host && !(s->cfg.cores > 0))
        return sim_tw_area(&s->tw_working, now) + sim_tw_area(&s->tw_overlap, now);
    return sim_tw_area(&s->tw_cpu, now);
}

double sim_service_inst_cpu_area(const sim_instance *in, sim_time now)
{
    const sim_service *s = in->svc;
    const sim_inst_stats *st = in->st;
    if (!st)
        return sim_service_cpu_area(s, now);
    if (!s->cfg.host && !(s->cfg.cores > 0))
        return sim_tw_area(&st->tw_working, now) + sim_tw_area(&st->tw_overlap, now);
    return sim_tw_area(&st->tw_cpu, now);
}

double sim_service_cpu_mean(const sim_service *s, sim_time now)
{
    if (!s->cfg.host && !(s->cfg.cores > 0))
        return sim_tw_mean(&s->tw_working, now) + sim_tw_mean(&s->tw_overlap, now);
    return sim_tw_mean(&s->tw_cpu, now);
}

void sim_service_cpu_changed(sim_engine *e, sim_instance *in)
{
    const sim_host *h = in->host;
    double use = (double)in->cpu_jobs * (h && h->sched == SIM_CPU_PS ? h->rate : 1.0);
    sim_service *s = in->svc;
    s->cpu_now += use - in->cpu_use;
    if (s->cpu_now < 0 || in->cpu_jobs == 0)
        s->cpu_now = s->cpu_now < 1e-9 ? 0 : s->cpu_now;   /* rounding of the sums */
    in->cpu_use = use;
    sim_tw_set(&s->tw_cpu, e->now, s->cpu_now);
    if (in->st)
        sim_tw_set(&in->st->tw_cpu, e->now, use);
}

/* The statistics of each endpoint, and of each replica when there are several. */
static int stats_make(sim_service *s)
{
    s->ep_stats = sim_calloc((size_t)s->neps + 1, sizeof *s->ep_stats);
    if (!s->ep_stats)
        return SIM_ENOMEM;
    for (uint32_t j = 0; j < s->neps; j++) {
        sim_hist_init(&s->ep_stats[j].resid);   /* no memory until its first value */
        s->eps[j].stats = &s->ep_stats[j];
    }
    if (s->cfg.replicas < 2)
        return SIM_OK;
    s->inst_stats = sim_calloc(s->cfg.replicas, sizeof *s->inst_stats);
    if (!s->inst_stats)
        return SIM_ENOMEM;
    for (uint32_t j = 0; j < s->cfg.replicas; j++) {
        sim_inst_stats *st = &s->inst_stats[j];
        sim_tw_init(&st->tw_busy, 0, 0);
        sim_tw_init(&st->tw_queue, 0, 0);
        sim_tw_init(&st->tw_working, 0, 0);
        sim_tw_init(&st->tw_overlap, 0, 0);
        sim_tw_init(&st->tw_cpu, 0, 0);
        sim_tw_init(&st->tw_down, 0, 0);
        s->inst[j].st = st;
    }
    return SIM_OK;
}

int sim_services_place(sim_engine *e)
{
    for (uint32_t i = 0; i < e->nsvcs; i++) {
        sim_service *s = &e->svcs[i];
        if (stats_make(s) != SIM_OK) {
            sim_engine_fail(e, SIM_ENOMEM, "out of memory for the statistics of service '%s'",
                            s->name);
            return SIM_ENOMEM;
        }
        for (uint32_t j = 0; j < s->cfg.replicas; j++) {
            sim_instance *in = &s->inst[j];
            sim_host *h = NULL;
            if (s->cfg.host) {
                h = e->hosts[s->cfg.host - 1];
            } else if (s->cfg.cores > 0) {
                h = in->own_host = sim_calloc(1, sizeof *h);
                if (h && sim_host_init(h, s->name, s->cfg.cores, s->cfg.cpu, 0) != SIM_OK) {
                    sim_free(h);
                    h = in->own_host = NULL;
                }
                if (!h) {
                    sim_engine_fail(e, SIM_ENOMEM, "out of memory for the hosts");
                    return SIM_ENOMEM;
                }
            }
            if (h && sim_host_place(h, in) != SIM_OK) {
                sim_engine_fail(e, SIM_ENOMEM, "out of memory for the hosts");
                return SIM_ENOMEM;
            }
        }
    }
    return SIM_OK;
}

/* ---- arrival and the end of a request ----------------------------------------------- */

static void send_reply(sim_engine *e, sim_req *r);
static void count_retry(sim_service *s, sim_req *r);
static void count_late(sim_service *s, sim_req *r);
static void refuse(sim_engine *e, sim_req *r);

/* A message one of the service's own consumers took from its broker. It is admitted whatever
 * its waiting room holds and past the guards: the subscription's `consumers` bound how many
 * wait, and a consumer takes no message it would turn away (turned away, it would be
 * redelivered at once into the same full room, at the same instant, for ever). */
static inline int is_delivery(const sim_req *r)
{
    return r->kind != SIM_REQ_ROOT && r->msg != NULL;
}

/* An arrival that is a retry, at an instance that is down, or at a service with guards: 1 when
 * it was turned away (refused, or by a guard). Out of line, so the usual arrival keeps a small
 * frame. */
static __attribute__((noinline)) int arrive_checks(sim_engine *e, sim_req *r)
{
    sim_instance *in = r->inst;
    sim_service *s = in->svc;
    if (r->retry)
        count_retry(s, r);
    if (in->down) {
        refuse(e, r);
        return 1;
    }
    sim_cause c = s->guard && !is_delivery(r) ? sim_guard_arrival(e, s->guard, in, r)
                                               : SIM_CAUSE_OK;
    if (c != SIM_CAUSE_OK) {   /* turned away at once, like a drop */
        count(s, r, c);
        r->outcome = (uint8_t)c;
        send_reply(e, r);
        return 1;
    }
    return 0;
}

void sim_service_arrive(sim_engine *e, sim_event *ev)
{
    sim_req *r = ev->a;
    r->ev = NULL;
    sim_instance *in = r->inst;
    sim_service *s = in->svc;
    s->all.arrivals++;
    r->t_arrived = e->now;
    r->counted = e->now >= e->cfg.warmup;
    if (SIM_LIKELY(r->counted)) {
        sim_service_ep_stats(r)->win.arrivals++;
        if (SIM_UNLIKELY(in->st))
            in->st->win.arrivals++;
    }
    if (SIM_UNLIKELY(r->retry | in->down) || SIM_UNLIKELY(s->guard != NULL))
        if (arrive_checks(e, r))
            return;
    if (in->busy < s->threads && sim_waitq_len(&in->q) == 0) {
        s->in_flight++;
        sim_service_admit(in, r);
        start(e, r, 1, 1);
        return;
    }
    if (s->cfg.queue < 0 || sim_waitq_len(&in->q) < (uint64_t)s->cfg.queue || is_delivery(r)) {
        if (sim_waitq_push(&in->q, &r->wait, r->priority) != SIM_OK) {
            sim_engine_fail(e, SIM_ENOMEM, "out of memory for a waiting room");
            return;
        }
        s->in_flight++;
        sim_service_admit(in, r);
        r->state = SIM_REQ_QUEUED;
        set_queued(e, in, +1);
        return;
    }
    count(s, r, SIM_CAUSE_DROPPED);
    r->outcome = SIM_CAUSE_DROPPED;
    send_reply(e, r);
}

/* A request completed at or after its deadline: work nobody waited for. */
static void count_late(sim_service *s, sim_req *r)
{
    s->all.late++;
    if (r->counted) {
        sim_service_ep_stats(r)->win.late++;
        if (r->inst->st)
            r->inst->st->win.late++;
    }
}

/* An arrival that is a retry. */
static void count_retry(sim_service *s, sim_req *r)
{
    s->all.retries++;
    if (r->counted) {
        sim_service_ep_stats(r)->win.retries++;
        if (r->inst->st)
            r->inst->st->win.retries++;
    }
}

/* r gets no answer (a silent failure): it ends here, and only its caller's timeout will
 * notice. A request with nobody to reply to (a message's consumer) still ends through its
 * broker. */
static void swallow(sim_engine *e, sim_req *r)
{
    if (!r->parent) {
        send_reply(e, r);
        return;
    }
    r->state = SIM_REQ_REPLYING;
    if (ALWAYS(r->inst->outstanding > 0))
        r->inst->outstanding--;
    sim_req_release(e, r);   /* its own life; its caller waits on */
}

/* An arrival at an instance that is down: refused at once, or no answer at all. */
static void refuse(sim_engine *e, sim_req *r)
{
    sim_instance *in = r->inst;
    sim_cause c = in->silent ? SIM_CAUSE_LOST : SIM_CAUSE_REFUSED;
    count(in->svc, r, c);
    r->outcome = (uint8_t)c;
    if (in->silent)
        swallow(e, r);
    else
        send_reply(e, r);
}

/* send_reply without a caller in reach at once: a message's consumer, or a link to cross. */
static __attribute__((noinline)) void send_reply_far(sim_engine *e, sim_req *r)
{
    const sim_req *p = r->parent;
    if (!p) {   /* nobody waits for a reply: a message's consumer, or it replied early */
        sim_broker_request_end(e, r);
        return;
    }
    uint32_t to = p->kind == SIM_REQ_ROOT ? p->client->node : p->inst->node;
    r->ev = sim_engine_hop(e, r->inst->node, to, sim_interp_reply_arrived, r, 0);
}

static void send_reply(sim_engine *e, sim_req *r)
{
    r->state = SIM_REQ_REPLYING;
    if (ALWAYS(r->inst->outstanding > 0))
        r->inst->outstanding--;
    if (SIM_LIKELY(r->parent != NULL && !e->has_latency)) {   /* the usual hop, immediate */
        r->ev = NULL;
        sim_engine_soon(e, sim_interp_reply_arrived, r, 0);
        return;
    }
    send_reply_far(e, r);
}

void sim_service_finish(sim_engine *e, sim_req *r, sim_cause out)
{
    sim_instance *in = r->inst;
    sim_service *s = in->svc;
    r->outcome = (uint8_t)out;
    if (ALWAYS(s->in_flight > 0))
        s->in_flight--;
    count(s, r, out);
    if (out == SIM_CAUSE_OK && SIM_LIKELY(r->counted))
        sim_hist_add(&sim_service_ep_stats(r)->resid, e->now - r->t_arrived);
    if (SIM_UNLIKELY(e->now >= r->deadline) && out == SIM_CAUSE_OK)
        count_late(s, r);
    sim_service_unadmit(in, r);
    /* The worker goes back first, so a request waiting for it starts now. */
    sim_service_release_worker(e, r);
    send_reply(e, r);
}

void sim_service_abandoned(sim_engine *e, sim_service *s, uint32_t ep)
{
    s->all.abandoned++;
    if (e->now >= e->cfg.warmup && s->ep_stats)
        s->ep_stats[ep].win.abandoned++;
}

/* ---- failures ----------------------------------------------------------------------- */

/* r, held by instance in, is lost in its crash: its wait is abandoned (its event cancelled,
 * its core given up, its place in the waiting room left), its worker freed without handing it
 * on, and it ends with cause "crashed": a call's caller gets the error at once, or nothing
 * (silent); a parallel branch just ends (its call is lost with it). */
static void crash_one(sim_engine *e, sim_instance *in, sim_req *r, int silent)
{
    sim_req_new_wait(e, r);
    if (SIM_UNLIKELY(r->bulk))   /* its call's permit, or its place in the bulkhead's queue */
        sim_interp_bulkhead_leave(e, r);
    if (sim_waitq_parked(&r->wait)) {
        sim_waitq_remove(&in->q, &r->wait);
        set_queued(e, in, -1);
        r->resume = 0;
    }
    sim_service_unadmit(in, r);
    if (r->holds_worker) {
        r->holds_worker = 0;
        if (ALWAYS(in->busy > 0))
            in->busy--;
        set_busy(e, in, -1);
    }
    r->outcome = SIM_CAUSE_CRASHED;
    if (r->kind != SIM_REQ_CALL) {
        r->state = SIM_REQ_REPLYING;
        sim_req_release(e, r);
        return;
    }
    sim_service *s = in->svc;
    if (ALWAYS(s->in_flight > 0))
        s->in_flight--;
    count(s, r, SIM_CAUSE_CRASHED);
    if (silent)
        swallow(e, r);
    else
        send_reply(e, r);
}

void sim_service_down(sim_engine *e, sim_instance *in, int delta, int silent)
{
    sim_service *s = in->svc;
    if (delta > 0) {
        in->silent = (uint8_t)(silent != 0);
        if (in->down++ == 0) {
            s->ndown++;
            sim_tw_set(&s->tw_down, e->now, s->ndown);
            if (in->st)
                sim_tw_set(&in->st->tw_down, e->now, 1);
        }
        /* Each lost request leaves the list: the walk costs what the crash loses. Releasing
         * one never frees another still on the list (an admitted request holds its own life). */
        while (in->admitted && !e->err)
            crash_one(e, in, in->admitted, silent);
        return;
    }
    if (ALWAYS(in->down > 0) && --in->down == 0) {
        s->ndown--;
        sim_tw_set(&s->tw_down, e->now, s->ndown);
        if (in->st)
            sim_tw_set(&in->st->tw_down, e->now, 0);
    }
}

void sim_service_win(const sim_service *s, sim_svc_counts *w)
{
    memset(w, 0, sizeof *w);
    for (uint32_t j = 0; s->ep_stats && j < s->neps; j++) {
        const sim_svc_counts *x = &s->ep_stats[j].win;
        w->arrivals += x->arrivals;
        w->retries += x->retries;
        w->abandoned += x->abandoned;
        w->late += x->late;
        w->link_lost += x->link_lost;
        for (int c = 0; c < SIM_NCAUSES; c++)
            w->by[c] += x->by[c];
    }
}

/* ---- component hooks ---------------------------------------------------------------- */

static uint32_t service_count(const sim_engine *e) { return e->nsvcs; }
static const char *service_name(const sim_engine *e, uint32_t i) { return e->svcs[i].name; }

static void service_sample(sim_engine *e, uint32_t i, double span, sim_series_row *row)
{
    sim_service *v = &e->svcs[i];
    row->throughput = (double)(v->all.by[SIM_CAUSE_OK] - v->at_tick.by[SIM_CAUSE_OK]) / span;
    row->latency_mean = row->latency_p50 = row->latency_p99 = NAN;
    double busy = sim_tw_area(&v->tw_busy, e->now), queue = sim_tw_area(&v->tw_queue, e->now);
    double working = sim_tw_area(&v->tw_working, e->now), cpu = sim_service_cpu_area(v, e->now);
    row->queue = (queue - v->tick_queue) / span;
    row->utilization = v->threads == SIM_WORKERS_INF
                           ? NAN
                           : (busy - v->tick_busy) / span / ((double)v->threads * v->cfg.replicas);
    row->threads_working = (working - v->tick_working) / span;
    row->threads_blocked = (busy - v->tick_busy) / span - row->threads_working;
    row->cores_busy = (cpu - v->tick_cpu) / span;
    v->tick_working = working;
    v->tick_cpu = cpu;
    uint64_t errors = 0;
    for (int c = 1; c < SIM_NCAUSES; c++)
        errors += v->all.by[c] - v->at_tick.by[c];
    row->errors = errors;
    double down = sim_tw_area(&v->tw_down, e->now);
    row->down = (down - v->tick_down) / span;
    v->tick_down = down;
    v->at_tick = v->all;
    v->tick_busy = busy;
    v->tick_queue = queue;
}

static void service_reset_window(sim_engine *e, uint32_t i)
{
    sim_service *s = &e->svcs[i];
    /* Counts follow cohorts (nothing to reset); the time averages restart here. The sampling integrals are relative to the window's: shift them with it. */
    s->tick_busy -= sim_tw_area(&s->tw_busy, e->now);
    s->tick_queue -= sim_tw_area(&s->tw_queue, e->now);
    s->tick_working -= sim_tw_area(&s->tw_working, e->now);
    s->tick_cpu -= sim_service_cpu_area(s, e->now);
    s->tick_down -= sim_tw_area(&s->tw_down, e->now);
    sim_tw_reset(&s->tw_busy, e->now);
    sim_tw_reset(&s->tw_queue, e->now);
    sim_tw_reset(&s->tw_working, e->now);
    sim_tw_reset(&s->tw_overlap, e->now);
    sim_tw_reset(&s->tw_cpu, e->now);
    sim_tw_reset(&s->tw_down, e->now);
    sim_hist_reset(&s->wait_hist);
    for (uint32_t j = 0; s->inst_stats && j < s->cfg.replicas; j++) {
        sim_inst_stats *st = &s->inst_stats[j];
        sim_tw_reset(&st->tw_busy, e->now);
        sim_tw_reset(&st->tw_queue, e->now);
        sim_tw_reset(&st->tw_working, e->now);
        sim_tw_reset(&st->tw_overlap, e->now);
        sim_tw_reset(&st->tw_cpu, e->now);
        sim_tw_reset(&st->tw_down, e->now);
    }
}

static int service_ledger(sim_engine *e, uint32_t i, uint64_t live)
{
    const sim_service *s = &e->svcs[i];
    const sim_svc_counts *a = &s->all;
    uint64_t ended = 0, admitted = 0;
    for (int c = 0; c < SIM_NCAUSES; c++)
        ended += a->by[c];
    for (uint32_t j = 0; j < s->cfg.replicas; j++)
        for (const sim_req *r = s->inst[j].admitted; r; r = r->inext)
            admitted += r->kind == SIM_REQ_CALL;
    int lost = s->wait_hist.lost;
    for (uint32_t j = 0; s->ep_stats && j < s->neps; j++)
        lost |= s->ep_stats[j].resid.lost;
    if (lost) {
        sim_engine_fail(e, SIM_ENOMEM, "out of memory for the statistics of service '%s'",
                        s->name);
        return SIM_ENOMEM;
    }
    if (live == s->in_flight && admitted == live && a->arrivals == ended + live)
        return SIM_OK;
    sim_engine_fail(e, SIM_ELEDGER,
                    "service '%s': arrivals %llu != ended %llu + in flight %llu (counter says "
                    "%llu, admitted lists %llu)",
                    s->name, (unsigned long long)a->arrivals, (unsigned long long)ended,
                    (unsigned long long)live, (unsigned long long)s->in_flight,
                    (unsigned long long)admitted);
    return SIM_ELEDGER;
}

const sim_kind_ops sim_service_kind = {
    .name = "service",
    .count = service_count,
    .name_of = service_name,
    .sample = service_sample,
    .reset_window = service_reset_window,
    .ledger = service_ledger,
};
