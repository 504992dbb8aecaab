/* client: the workload — open arrival processes (Poisson, constant, a piecewise-constant rate
 * schedule, bursty on/off) and closed populations of users with think times; client-side
 * timeouts; per-flow response and completion statistics.
 *
 * Flow statistics follow cohorts: a request counts in the window if it was created after the
 * warm-up, so sent = ok + failed + timeouts + dropped + in flight holds for every row. */
#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "model/internal.h"

static void on_arrival(sim_engine *e, sim_event *ev);
static void on_think_done(sim_engine *e, sim_event *ev);

static inline double exp_sample(sim_rng *r, double rate) { return -log(sim_rng_uniform(r)) / rate; }

/* The next arrival time of a non-homogeneous Poisson process whose rate is rates[i] from
 * times[i] on: the integral of the rate from now to the arrival is an Exp(1) draw. */
static double schedule_next(sim_client *c, double now)
{
    double need = -log(sim_rng_uniform(&c->rng_arrival));
    const double *t = c->times, *r = c->rates;
    uint32_t n = c->cfg.npoints, i = 0;
    while (i + 1 < n && t[i + 1] <= now)
        i++;
    for (double at = now; ; i++) {
        double end = i + 1 < n ? t[i + 1] : INFINITY;
        double rate = now < t[0] && i == 0 ? 0 : r[i];
        if (rate > 0 && need <= rate * (end - at))
            return at + need / rate;
        if (end == INFINITY)
            return INFINITY;
        need -= rate * (end - at);
        at = end;
    }
}

static double next_arrival(sim_client *c, double now)
{
    switch (c->cfg.arrivals) {
    case SIM_ARR_POISSON:
        return now + exp_sample(&c->rng_arrival, c->cfg.rate);
    case SIM_ARR_CONSTANT:
        return now + 1.0 / c->cfg.rate;
    case SIM_ARR_SCHEDULE:
        return schedule_next(c, now);
    case SIM_ARR_BURSTY: {
        /* Memoryless within an on period, so an arrival past its end restarts the clock at
         * the next on period. */
        double t = now + exp_sample(&c->rng_arrival, c->cfg.rate);
        while (t > c->on_until) {
            double on = c->on_until + sim_dist_sample(c->cfg.off, &c->rng_arrival);
            c->on_until = on + sim_dist_sample(c->cfg.on, &c->rng_arrival);
            t = on + exp_sample(&c->rng_arrival, c->cfg.rate);
        }
        return t;
    }
    }
    return INFINITY;
}

static void on_timeout(sim_engine *e, sim_event *ev);

/* Creates a client request and sends it to the target. */
static void send_request(sim_engine *e, sim_client *c, uint32_t user)
{
    sim_req *root = sim_req_new(e, KIND_ROOT, NULL);
    if (!root)
        return;
    root->root = root;
    root->root_id = root->id;
    root->client = c;
    root->user = user;
    root->priority = c->cfg.priority;
    root->state = REQ_ROOT_WAIT;
    root->counted = e->now >= e->cfg.warmup;
    c->created++;
    c->in_flight++;
    c->all.sent++;
    c->tick.sent++;
    if (root->counted)
        c->win.sent++;
    if (c->cfg.timeout > 0)
        root->timer = sim_engine_event(e, on_timeout, root, NULL, e->now + c->cfg.timeout);
    sim_service_call(e, root, &e->svcs[c->cfg.service], c->cfg.endpoint);
}

static int may_send(const sim_client *c) { return !c->cfg.limit || c->created < c->cfg.limit; }

/* A closed user thinks, then sends again. */
static void user_next(sim_engine *e, sim_client *c, uint32_t user)
{
    double think = c->cfg.think ? sim_dist_sample(c->cfg.think, &c->rng_think) : 0.0;
    sim_event *ev = sim_engine_event(e, on_think_done, c, NULL, e->now + think);
    if (ev)
        ev->u32 = user;
}

static void on_think_done(sim_engine *e, sim_event *ev)
{
    sim_client *c = ev->a;
    if (may_send(c))
        send_request(e, c, ev->u32);
}

static void on_arrival(sim_engine *e, sim_event *ev)
{
    sim_client *c = ev->a;
    send_request(e, c, 0);
    if (!may_send(c))
        return;
    double t = next_arrival(c, e->now);
    if (t < INFINITY)
        sim_engine_rearm(e, ev, t);
}

int sim_client_start(sim_engine *e, sim_client *c)
{
    double t0 = c->cfg.start;
    if (c->cfg.closed) {
        for (uint32_t u = 0; u < c->cfg.users; u++) {
            double think = c->cfg.think ? sim_dist_sample(c->cfg.think, &c->rng_think) : 0.0;
            sim_event *ev = sim_engine_event(e, on_think_done, c, NULL, t0 + think);
            if (!ev)
                return SIM_ENOMEM;
            ev->u32 = u;
        }
        return SIM_OK;
    }
    if (c->cfg.arrivals == SIM_ARR_BURSTY)
        c->on_until = t0 + sim_dist_sample(c->cfg.on, &c->rng_arrival);
    double t = next_arrival(c, t0);
    if (c->cfg.arrivals == SIM_ARR_CONSTANT)
        t = t0;   /* a constant stream starts at once */
    if (t < INFINITY && may_send(c) && !sim_engine_event(e, on_arrival, c, NULL, t))
        return SIM_ENOMEM;
    return SIM_OK;
}

/* The request's outcome is known (response, error, drop or timeout). */
static void resolve(sim_engine *e, sim_req *root, sim_outcome out)
{
    sim_client *c = root->client;
    root->state = REQ_ROOT_DONE;
    root->outcome = (uint8_t)out;
    c->in_flight--;
    sim_flow_counts *w = root->counted ? &c->win : NULL;
    double lat = e->now - root->t_created;
    switch (out) {
    case OUT_OK:
        c->all.ok++;
        c->tick.ok++;
        sim_hist_add(&c->tick_hist, lat);
        if (w) {
            w->ok++;
            sim_hist_add(&c->lat_hist, lat);
        }
        break;
    case OUT_DROPPED:
        c->all.dropped++;
        c->tick.dropped++;
        if (w)
            w->dropped++;
        break;
    case OUT_TIMEOUT:
        c->all.timeouts++;
        c->tick.timeouts++;
        if (w)
            w->timeouts++;
        break;
    default:
        c->all.failed++;
        c->tick.failed++;
        if (w)
            w->failed++;
        break;
    }
    if (c->cfg.closed)
        user_next(e, c, root->user);
    sim_req_release(e, root);   /* its own life; the tree below may live on */
}

void sim_client_reply(sim_engine *e, sim_req *root, sim_req *child)
{
    if (root->state != REQ_ROOT_WAIT)
        return;   /* a late reply after a timeout */
    if (root->timer) {
        sim_calendar_cancel(&e->cal, root->timer);
        sim_pool_put(&e->events, root->timer);
        root->timer = NULL;
    }
    resolve(e, root, child->outcome == OUT_OK        ? OUT_OK
                     : child->outcome == OUT_DROPPED ? OUT_DROPPED
                                                     : OUT_FAILED);
}

static void on_timeout(sim_engine *e, sim_event *ev)
{
    sim_req *root = ev->a;
    root->timer = NULL;
    if (root->state == REQ_ROOT_WAIT)
        resolve(e, root, OUT_TIMEOUT);
}

/* The whole tree of a client request has finished: its completion time is now. */
void sim_client_release(sim_engine *e, sim_req *root)
{
    sim_client *c = root->client;
    if (root->counted && root->outcome == OUT_OK) {
        double t = e->now - root->t_created;
        sim_hist_add(&c->compl_hist, t);
    }
}

int sim_client_init_stats(sim_client *c)
{
    int rc = sim_hist_init(&c->lat_hist);
    if (rc == SIM_OK)
        rc = sim_hist_init(&c->compl_hist);
    if (rc == SIM_OK)
        rc = sim_hist_init(&c->tick_hist);
    return rc;
}

void sim_client_fini(sim_client *c)
{
    sim_hist_fini(&c->lat_hist);
    sim_hist_fini(&c->compl_hist);
    sim_hist_fini(&c->tick_hist);
    sim_free(c->times);
    sim_free(c->rates);
    sim_dist_free(c->cfg.on);
    sim_dist_free(c->cfg.off);
    sim_dist_free(c->cfg.think);
}
