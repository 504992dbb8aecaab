/* client: the workload — open arrival processes (Poisson, constant, a piecewise-constant rate
 * schedule, bursty on/off) and closed populations of users with think times; client-side
 * timeouts; per-flow response and completion statistics.
 *
 * Flow statistics follow cohorts: a request counts in the window if it was created after the
 * warm-up, so sent = ok + errors by cause + in flight holds for every row. */
#include "model/client.h"

#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/check.h"
#include "core/error.h"
#include "model/engine.h"

/* Consecutive empty on periods after which a bursty source is declared silent for good. */
#define BURSTY_EMPTY_LIMIT 1000000

static void on_arrival(sim_engine *e, sim_event *ev);
static void on_think_done(sim_engine *e, sim_event *ev);
static void on_timeout(sim_engine *e, sim_event *ev);
static void on_retry(sim_engine *e, sim_event *ev);

int sim_client_add(sim_engine *e, const char *name, const sim_client_config *cfg)
{
    int bad = e->ran || !name || cfg->service >= e->nsvcs ||
              cfg->endpoint >= e->svcs[cfg->service].neps || !(cfg->timeout >= 0) ||
              !(cfg->start >= 0) || cfg->start == INFINITY ||
              sim_retry_check(&cfg->retry) != SIM_OK;
    if (cfg->closed)
        bad = bad || cfg->users < 1 || cfg->users > SIM_USERS_MAX;
    else if (cfg->arrivals == SIM_ARR_SCHEDULE) {
        bad = bad || cfg->npoints < 1 || !cfg->times || !cfg->rates;
        for (uint32_t i = 0; !bad && i < cfg->npoints; i++)
            bad = !(cfg->times[i] >= 0) || !(cfg->rates[i] >= 0) ||
                  !(cfg->rates[i] <= SIM_RATE_MAX) ||
                  (i > 0 && !(cfg->times[i] > cfg->times[i - 1]));
    } else {
        bad = bad || !(cfg->rate > 0) || !(cfg->rate <= SIM_RATE_MAX) ||
              (unsigned)cfg->arrivals > SIM_ARR_BURSTY;
        /* An on period of mean zero would make a source that never sends. */
        if (cfg->arrivals == SIM_ARR_BURSTY)
            bad = bad || !cfg->on || !cfg->off || !(sim_dist_mean(cfg->on) > 0);
    }
    int rc = bad ? (e->ran ? SIM_ESTATE : SIM_EINVAL) : SIM_OK;
    if (rc == SIM_OK &&
        sim_grow_cap((void **)&e->clients, e->nclients, &e->capclients, sizeof *e->clients) != 0)
        rc = SIM_ENOMEM;
    if (rc != SIM_OK) {
        /* The engine owns the laws passed in, on failure too. */
        sim_dist_free(cfg->on);
        sim_dist_free(cfg->off);
        sim_dist_free(cfg->think);
        return rc;
    }
    sim_client *c = &e->clients[e->nclients];
    memset(c, 0, sizeof *c);
    c->cfg = *cfg;
    c->name = sim_strdup(name);
    if (!cfg->closed && cfg->arrivals == SIM_ARR_SCHEDULE) {
        c->times = sim_calloc(cfg->npoints, sizeof(double));
        c->rates = sim_calloc(cfg->npoints, sizeof(double));
        if (c->times && c->rates) {
            memcpy(c->times, cfg->times, cfg->npoints * sizeof(double));
            memcpy(c->rates, cfg->rates, cfg->npoints * sizeof(double));
        }
    } else {
        c->cfg.npoints = 0;
    }
    c->cfg.times = c->times;
    c->gap_mean = cfg->closed || cfg->arrivals == SIM_ARR_SCHEDULE ? 0 : 1.0 / cfg->rate;
    c->cfg.rates = c->rates;
    /* The histograms hold no memory until their first value (so they cannot fail here). */
    sim_hist_init(&c->lat_hist);
    sim_hist_init(&c->compl_hist);
    sim_hist_init(&c->tick_hist);
    sim_hist_init(&c->tick_early);
    if (!c->name || (c->cfg.npoints && (!c->times || !c->rates))) {
        sim_free(c->times);
        sim_free(c->rates);
        sim_dist_free(cfg->on);
        sim_dist_free(cfg->off);
        sim_dist_free(cfg->think);
        sim_free(c->name);
        return SIM_ENOMEM;
    }
    c->index = e->nclients;
    sim_engine_stream(e, &c->rng_arrival, "client", name, "arrivals");
    sim_engine_stream(e, &c->rng_think, "client", name, "think");
    c->retry.cfg = cfg->retry;
    sim_engine_stream(e, &c->retry.rng, "client", name, "retry");
    e->nclients++;
    return SIM_OK;
}

void sim_client_fini(sim_client *c)
{
    sim_hist_fini(&c->lat_hist);
    sim_hist_fini(&c->compl_hist);
    sim_hist_fini(&c->tick_hist);
    sim_hist_fini(&c->tick_early);
    sim_free(c->times);
    sim_free(c->rates);
    sim_dist_free(c->cfg.on);
    sim_dist_free(c->cfg.off);
    sim_dist_free(c->cfg.think);
}

/* ---- arrival processes -------------------------------------------------------------- */

/* An exponential gap of the given mean: a multiplication, not a division by the rate, which
 * would sit on the critical path of every arrival. */
static inline double exp_sample(sim_rng *r, double mean) { return sim_rng_exp1(r) * mean; }

/* The next arrival time of a non-homogeneous Poisson process whose rate is rates[i] from
 * times[i] on: the integral of the rate from now to the arrival is an Exp(1) draw. The segment
 * cursor only moves forward, so a long schedule costs O(1) per arrival on average. */
static sim_time schedule_next(sim_client *c, sim_time now)
{
    double need = sim_rng_exp1(&c->rng_arrival);
    const double *t = c->times, *r = c->rates;
    uint32_t n = c->cfg.npoints, i = c->sched_i;
    while (i + 1 < n && t[i + 1] <= now)
        i++;
    c->sched_i = i;
    for (sim_time at = now;; i++) {
        if (i == 0 && at < t[0])
            at = t[0];   /* silent before the schedule starts */
        sim_time end = i + 1 < n ? t[i + 1] : SIM_TIME_NEVER;
        double rate = r[i];
        if (rate > 0 && need <= rate * (end - at))
            return at + need / rate;
        if (end == SIM_TIME_NEVER)
            return SIM_TIME_NEVER;
        need -= rate * (end - at);
        at = end;
    }
}

/* now + gap, or a failed run when a positive gap no longer moves the clock there. */
static sim_time after_gap(sim_engine *e, const sim_client *c, sim_time now, double gap)
{
    sim_time t = now + gap;
    if (t == now && gap > 0) {
        sim_engine_fail(e, SIM_ESTALL,
                        "time no longer advances: client '%s' at t = %.17g draws gaps of %.3g s, "
                        "below the clock's resolution there (see 'Time' in docs/model.md)",
                        c->name, now, gap);
        return SIM_TIME_NEVER;
    }
    return t;
}

static sim_time next_arrival(sim_engine *e, sim_client *c, sim_time now)
{
    switch (c->cfg.arrivals) {
    case SIM_ARR_POISSON:
        return after_gap(e, c, now, exp_sample(&c->rng_arrival, c->gap_mean));
    case SIM_ARR_CONSTANT:
        return after_gap(e, c, now, c->gap_mean);
    case SIM_ARR_SCHEDULE:
        return schedule_next(c, now);
    case SIM_ARR_BURSTY: {
        /* Memoryless within an on period, so an arrival past its end restarts the clock at
         * the next on period. */
        sim_time t = now + exp_sample(&c->rng_arrival, c->gap_mean);
        for (uint32_t k = 0; t > c->on_until; k++) {
            if (k == BURSTY_EMPTY_LIMIT || c->on_until > e->cfg.duration)
                return SIM_TIME_NEVER;   /* on periods too short to hold an arrival, or done */
            sim_time on = c->on_until + sim_dist_sample(c->cfg.off, &c->rng_arrival);
            c->on_until = on + sim_dist_sample(c->cfg.on, &c->rng_arrival);
            t = on + exp_sample(&c->rng_arrival, c->gap_mean);
        }
        return t;
    }
    }
    return SIM_TIME_NEVER;
}

/* ---- requests ----------------------------------------------------------------------- */

/* One attempt of a client request: the call and its timeout. (Always inline: a call fewer for
 * every client request.) */
static inline __attribute__((always_inline)) void attempt(sim_engine *e, sim_req *root)
{
    sim_client *c = root->client;
    c->all.attempts++;
    if (root->counted)
        c->win.attempts++;
    if (c->cfg.timeout > 0) {
        root->timer = sim_engine_after(e, c->cfg.timeout, on_timeout, root, 0);
        root->deadline = e->now + c->cfg.timeout;   /* carried down its calls */
    }
    sim_req_new_wait(e, root);
    sim_interp_call(e, root, &e->svcs[c->cfg.service], c->cfg.endpoint);
}

static void send_request(sim_engine *e, sim_client *c, uint32_t user)
{
    sim_req *root = sim_req_new(e, SIM_REQ_ROOT, NULL, NULL);
    if (!root)
        return;
    root->client = c;
    root->user = user;
    root->priority = c->cfg.priority;
    root->state = SIM_REQ_ROOT_WAIT;
    root->counted = e->now >= e->cfg.warmup;
    c->created++;
    c->in_flight++;
    c->all.sent++;
    if (root->counted)
        c->win.sent++;
    if (SIM_UNLIKELY(c->cfg.retry.retries))
        sim_retry_first(&c->retry);
    attempt(e, root);
}

static int may_send(const sim_client *c) { return !c->cfg.limit || c->created < c->cfg.limit; }

/* A closed user thinks, then sends again. */
static void user_next(sim_engine *e, sim_client *c, uint32_t user)
{
    double think = c->cfg.think ? sim_dist_sample(c->cfg.think, &c->rng_think) : 0.0;
    sim_engine_after(e, think, on_think_done, c, user);
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
    /* Poisson arrivals, the common case, without the call and the switch (the same draw). */
    sim_time t = SIM_LIKELY(c->cfg.arrivals == SIM_ARR_POISSON)
                     ? after_gap(e, c, e->now, exp_sample(&c->rng_arrival, c->gap_mean))
                     : next_arrival(e, c, e->now);
    if (t < SIM_TIME_NEVER && t <= e->cfg.duration)
        sim_engine_rearm(e, ev, t);
}

int sim_client_start(sim_engine *e, sim_client *c)
{
    sim_time t0 = c->cfg.start;
    if (t0 > e->cfg.duration)
        return SIM_OK;   /* starts after the end: sends nothing */
    if (c->cfg.closed) {
        for (uint32_t u = 0; u < c->cfg.users; u++) {
            double think = c->cfg.think ? sim_dist_sample(c->cfg.think, &c->rng_think) : 0.0;
            if (!sim_engine_at(e, t0 + think, on_think_done, c, u))
                return e->err;
        }
        return SIM_OK;
    }
    if (c->cfg.arrivals == SIM_ARR_BURSTY)
        c->on_until = t0 + sim_dist_sample(c->cfg.on, &c->rng_arrival);
    sim_time t = c->cfg.arrivals == SIM_ARR_CONSTANT ? t0   /* a constant stream starts at once */
                                                     : next_arrival(e, c, t0);
    if (t < SIM_TIME_NEVER && t <= e->cfg.duration && may_send(c) &&
        !sim_engine_at(e, t, on_arrival, c, 0))
        return e->err;
    return SIM_OK;
}

/* ---- outcomes ----------------------------------------------------------------------- */

/* The request's outcome is known (response, error, drop or timeout). */
static void resolve(sim_engine *e, sim_req *root, sim_cause out)
{
    sim_client *c = root->client;
    root->state = SIM_REQ_ROOT_DONE;
    root->outcome = (uint8_t)out;
    sim_req_new_wait(e, root);   /* nothing it waited for counts any more */
    if (ALWAYS(c->in_flight > 0))
        c->in_flight--;
    double lat = e->now - root->t_created;
    c->all.by[out]++;
    if (root->counted)
        c->win.by[out]++;
    if (out == SIM_CAUSE_OK) {
        c->tick_sum += lat;
        if (SIM_LIKELY(root->counted)) {
            sim_hist_add(&c->tick_hist, lat);
            c->lat_sum += lat;
        } else {
            sim_hist_add(&c->tick_early, lat);
        }
    }
    if (c->cfg.closed)
        user_next(e, c, root->user);
    sim_req_unref(e, root);   /* its own life; the tree below may live on */
}

/* The attempt failed with `out`: another after the backoff if the client retries, else the
 * request ends with `out`. */
static void attempt_failed(sim_engine *e, sim_req *root, sim_cause out)
{
    sim_client *c = root->client;
    if (root->attempt < c->cfg.retry.retries && sim_retry_allowed(&c->retry)) {
        uint32_t token = sim_req_new_wait(e, root);   /* the attempt's reply is ignored */
        root->attempt++;
        double d = sim_retry_delay(&c->retry, root->attempt, &root->backoff);
        root->ev = sim_engine_after(e, d, on_retry, root, token);
        return;
    }
    resolve(e, root, out);
}

static void on_retry(sim_engine *e, sim_event *ev)
{
    sim_req *root = ev->a;
    if (ev->u32 != root->gen || root->ev != ev || root->state != SIM_REQ_ROOT_WAIT)
        return;
    root->ev = NULL;
    attempt(e, root);
}

void sim_client_reply(sim_engine *e, sim_req *root, sim_req *child)
{
    if (root->state != SIM_REQ_ROOT_WAIT || child->pgen != root->gen)
        return;   /* a late reply after a timeout */
    if (root->timer) {
        sim_engine_cancel(e, root->timer);
        root->timer = NULL;
    }
    if (child->outcome != SIM_CAUSE_OK)
        attempt_failed(e, root, (sim_cause)child->outcome);
    else
        resolve(e, root, SIM_CAUSE_OK);
}

static void on_timeout(sim_engine *e, sim_event *ev)
{
    sim_req *root = ev->a;
    root->timer = NULL;
    if (root->state != SIM_REQ_ROOT_WAIT)
        return;
    if (!sim_req_never_arrived(root))
        sim_service_abandoned(e, &e->svcs[root->client->cfg.service], root->client->cfg.endpoint);
    attempt_failed(e, root, SIM_CAUSE_TIMEOUT);
}

/* A client request freed before its timeout fired: cannot happen, but never leak the event. */
void sim_client_release_timer_(sim_engine *e, sim_req *root)
{
    sim_engine_cancel(e, root->timer);
    root->timer = NULL;
}

/* ---- component hooks ---------------------------------------------------------------- */

static uint32_t client_count(const sim_engine *e) { return e->nclients; }
static const char *client_name(const sim_engine *e, uint32_t i) { return e->clients[i].name; }

/* The cohort's responses of this interval join the run's (tick_hist is left as it was). */
static void flush_cohort(sim_client *c)
{
    sim_hist_merge(&c->lat_hist, &c->tick_hist);
    c->lat_hist.sum = c->lat_sum;
}

static void client_sample(sim_engine *e, uint32_t i, double span, sim_series_row *row)
{
    sim_client *c = &e->clients[i];
    row->throughput = (double)(c->all.by[SIM_CAUSE_OK] - c->at_tick.by[SIM_CAUSE_OK]) / span;
    flush_cohort(c);
    const sim_hist *h = &c->tick_hist;
    if (c->tick_early.count) {   /* an interval before or across the warm-up */
        sim_hist_merge(&c->tick_early, &c->tick_hist);
        h = &c->tick_early;
    }
    row->latency_mean = h->count ? c->tick_sum / (double)h->count : NAN;
    row->latency_p50 = sim_hist_quantile(h, 0.50);
    row->latency_p99 = sim_hist_quantile(h, 0.99);
    row->queue = row->utilization = NAN;
    row->threads_working = row->threads_blocked = row->cores_busy = NAN;
    uint64_t errors = 0;
    for (int k = 1; k < SIM_NCAUSES; k++)
        errors += c->all.by[k] - c->at_tick.by[k];
    row->errors = errors;
    c->at_tick = c->all;
    sim_hist_reset(&c->tick_hist);
    sim_hist_reset(&c->tick_early);
    c->tick_sum = 0;
}

static void client_finish(sim_engine *e, uint32_t i) { flush_cohort(&e->clients[i]); }

static void client_reset_window(sim_engine *e, uint32_t i)
{
    (void)e, (void)i;   /* flows follow cohorts: nothing to reset */
}

static int client_ledger(sim_engine *e, uint32_t i, uint64_t live)
{
    const sim_client *c = &e->clients[i];
    const sim_flow_counts *a = &c->all;
    uint64_t ended = 0;
    for (int k = 0; k < SIM_NCAUSES; k++)
        ended += a->by[k];
    if (c->lat_hist.lost || c->compl_hist.lost || c->tick_hist.lost || c->tick_early.lost) {
        sim_engine_fail(e, SIM_ENOMEM, "out of memory for the statistics of client '%s'",
                        c->name);
        return SIM_ENOMEM;
    }
    if (live == c->in_flight && a->sent == ended + live)
        return SIM_OK;
    sim_engine_fail(e, SIM_ELEDGER,
                    "client '%s': sent %llu != ended %llu + in flight %llu (counter says %llu)",
                    c->name, (unsigned long long)a->sent, (unsigned long long)ended,
                    (unsigned long long)live, (unsigned long long)c->in_flight);
    return SIM_ELEDGER;
}

const sim_kind_ops sim_client_kind = {
    .name = "flow",
    .count = client_count,
    .name_of = client_name,
    .sample = client_sample,
    .reset_window = client_reset_window,
    .ledger = client_ledger,
    .finish = client_finish,
};

/* For the stall message. */
void sim_client_describe(const sim_engine *e, const sim_event *ev, char *buf, size_t n);
void sim_client_describe(const sim_engine *e, const sim_event *ev, char *buf, size_t n)
{
    (void)e;
    const sim_client *c = ev->a;
    if (ev->fn == on_think_done)
        snprintf(buf, n, "closed client '%s' sends again at once: its requests end without "
                 "taking time (dropped, failed or zero work) and its think time is 0", c->name);
    else if (ev->fn == on_arrival)
        snprintf(buf, n, "client '%s' keeps sending at the same instant", c->name);
}
