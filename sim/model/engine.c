/* engine: the simulation object — clock, calendar, immediate list, event pool, the run loop
 * with its progress hook and stall guard, and the table of component kinds. See engine.h for
 * the event contract. */
#include "model/engine.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/check.h"
#include "core/error.h"
#include "model/broker.h"
#include "model/fault.h"
#include "model/host.h"

/* Events at one instant before the run is declared stalled: a floor of ten million, raised to
 * 64 per pending event (checked every SIM_PROGRESS_EVERY events), so a million users starting
 * together pass while a zero-time loop stops within a second. */
#define STALL_MIN 10000000u

sim_engine *sim_engine_new(const sim_config *cfg)
{
    if (!(cfg->duration > 0) || !(cfg->duration <= SIM_DURATION_MAX) || !(cfg->warmup >= 0) ||
        !(cfg->warmup < cfg->duration) || !(cfg->sample > 0) ||
        !(cfg->duration / cfg->sample < 1e12))
        return NULL;
    sim_engine *e = sim_calloc(1, sizeof *e);
    if (!e)
        return NULL;
    e->cfg = *cfg;
    if (sim_calendar_init(&e->cal) != SIM_OK) {
        sim_free(e);
        return NULL;
    }
    sim_pool_init(&e->events, sizeof(sim_event), 4096);
    sim_pool_init(&e->reqs, sizeof(sim_req), 1024);
    e->next_id = 1;
    e->stall_limit = STALL_MIN;
    return e;
}

/* Frees the immediate rings replaced by larger ones (no handler may be running from them):
 * newest first, each half the size of the one after it, each linking to the older one in its
 * entry past the ring. */
static void free_retired(sim_engine *e)
{
    size_t cap = (size_t)e->imm_mask + 1;
    while (e->imm_retired) {
        cap /= 2;
        sim_event *older = e->imm_retired[cap].a;
        sim_free(e->imm_retired);
        e->imm_retired = older;
    }
}

void sim_engine_free(sim_engine *e)
{
    if (!e)
        return;
    for (uint32_t i = 0; i < e->nsvcs; i++) {
        sim_service *s = &e->svcs[i];
        for (uint32_t j = 0; j < s->neps; j++)
            sim_endpoint_fini(&s->eps[j]);
        sim_free(s->eps);
        sim_service_fini(s);
        sim_free(s->name);
    }
    sim_free(e->svcs);
    for (uint32_t i = 0; i < e->nclients; i++) {
        sim_client_fini(&e->clients[i]);
        sim_free(e->clients[i].name);
    }
    sim_free(e->clients);
    for (uint32_t i = 0; i < e->nhosts; i++) {
        sim_host_fini(e->hosts[i]);
        sim_free(e->hosts[i]);
    }
    sim_free(e->hosts);
    sim_brokers_fini(e);
    sim_faults_fini(e);
    sim_nodes_fini(e);
    sim_free(e->samples);
    free_retired(e);
    sim_free(e->imm);
    sim_calendar_fini(&e->cal);
    sim_pool_fini(&e->events);
    sim_pool_fini(&e->reqs);
    sim_free(e);
}

const char *sim_engine_error(const sim_engine *e) { return e->errmsg; }
uint64_t sim_engine_events(const sim_engine *e) { return e->nevents; }

void sim_engine_set_series(sim_engine *e, sim_series_fn fn, void *ud)
{
    e->series = fn;
    e->series_ud = ud;
}

void sim_engine_set_progress(sim_engine *e, sim_progress_fn fn, void *ud)
{
    e->progress = fn;
    e->progress_ud = ud;
}

void sim_engine_fail(sim_engine *e, int code, const char *fmt, ...)
{
    if (e->err)
        return;
    e->err = code;
    e->check_at = 0;   /* the run loop stops after the running handler */
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->errmsg, sizeof e->errmsg, fmt, ap);
    va_end(ap);
}

void sim_engine_stream(const sim_engine *e, sim_rng *r, const char *prefix, const char *name,
                       const char *suffix)
{
    char small[256];
    size_t np = strlen(prefix), nn = strlen(name), ns = strlen(suffix);
    size_t n = np + nn + ns + 3;
    char *key = n <= sizeof small ? small : sim_malloc(n);
    if (!key) {
        /* Out of memory for a long name: hash the name alone under the prefix's stream; the
         * engine is about to fail anyway, since the same allocation pressure hits the build. */
        sim_rng_init(r, e->cfg.seed, e->cfg.rep, name);
        return;
    }
    /* "prefix/name/suffix", without a format: a wide model names thousands of streams. */
    memcpy(key, prefix, np);
    key[np] = '/';
    memcpy(key + np + 1, name, nn);
    key[np + 1 + nn] = '/';
    memcpy(key + np + nn + 2, suffix, ns + 1);
    sim_rng_init(r, e->cfg.seed, e->cfg.rep, key);
    if (key != small)
        sim_free(key);
}

int sim_engine_reserve(sim_engine *e, uint32_t nservices, uint32_t nclients)
{
    if (sim_reserve((void **)&e->svcs, &e->capsvcs, nservices, sizeof *e->svcs) != 0 ||
        sim_reserve((void **)&e->clients, &e->capclients, nclients, sizeof *e->clients) != 0)
        return SIM_ENOMEM;
    return SIM_OK;
}

int sim_host_add(sim_engine *e, const char *name, double cores, sim_cpu_sched sched,
                 uint32_t *index)
{
    if (e->ran)
        return SIM_ESTATE;
    if (!name || !(cores > 0) || cores == INFINITY || (unsigned)sched > SIM_CPU_FCFS ||
        (sched == SIM_CPU_FCFS && cores != floor(cores)))
        return SIM_EINVAL;
    if (sim_grow((void **)&e->hosts, e->nhosts, sizeof *e->hosts) != 0)
        return SIM_ENOMEM;
    sim_host *h = sim_calloc(1, sizeof *h);
    if (!h)
        return SIM_ENOMEM;
    if (sim_host_init(h, name, cores, sched, e->nhosts) != SIM_OK) {
        sim_free(h);
        return SIM_ENOMEM;
    }
    e->hosts[e->nhosts] = h;
    if (index)
        *index = e->nhosts;
    e->nhosts++;
    return SIM_OK;
}

/* ---- events ------------------------------------------------------------------------- */

static sim_event *event_get(sim_engine *e, sim_event_fn fn, void *a, uint32_t u32)
{
    sim_event *ev = sim_pool_get(&e->events);
    if (!ev) {
        sim_engine_fail(e, SIM_ENOMEM, "out of memory for events");
        return NULL;
    }
    ev->fn = fn;
    ev->a = a;
    ev->u32 = u32;
    ev->slot = 0;
    return ev;
}

static void event_put(sim_engine *e, sim_event *ev)
{
    ev->state = SIM_EV_FREE;
    sim_pool_put(&e->events, ev);
}

/* sim_engine_at past its check of t. */
static inline sim_event *schedule(sim_engine *e, sim_time t, sim_event_fn fn, void *a,
                                  uint32_t u32)
{
    sim_event *ev = event_get(e, fn, a, u32);
    if (!ev)
        return NULL;
    if (sim_calendar_push(&e->cal, ev, t) != SIM_OK) {
        event_put(e, ev);
        sim_engine_fail(e, SIM_ENOMEM, "out of memory for the calendar");
        return NULL;
    }
    ev->state = SIM_EV_SCHEDULED;
    return ev;
}

sim_event *sim_engine_at(sim_engine *e, sim_time t, sim_event_fn fn, void *a, uint32_t u32)
{
    if (!(t >= e->now)) {   /* also NaN */
        sim_engine_fail(e, SIM_EMODEL, "an event was scheduled at t = %.17g, before now (%.17g)",
                        t, e->now);
        return NULL;
    }
    return schedule(e, t, fn, a, u32);
}

sim_event *sim_engine_after(sim_engine *e, sim_time d, sim_event_fn fn, void *a, uint32_t u32)
{
    sim_time t = e->now + d;
    if (SIM_LIKELY(t > e->now))   /* a delay that moves the clock: d > 0, no NaN */
        return schedule(e, t, fn, a, u32);
    if (d > 0 && t == e->now) {
        sim_engine_fail(e, SIM_ESTALL,
                        "time no longer advances: at t = %.17g a delay of %.3g s is below the "
                        "clock's resolution there (see 'Time' in docs/model.md)", e->now, d);
        return NULL;
    }
    if (!(d >= 0)) {
        sim_engine_fail(e, SIM_EMODEL, "a delay of %g s was drawn (negative or not a number)", d);
        return NULL;
    }
    return sim_engine_at(e, t, fn, a, u32);
}

int sim_engine_soon_grow_(sim_engine *e)
{
    uint32_t cap = e->imm ? (e->imm_mask + 1) * 2 : 64;
    /* one more entry past the ring: the link to the rings retired before it */
    sim_event *ring = cap ? sim_malloc(((size_t)cap + 1) * sizeof *ring) : NULL;
    if (!ring) {
        sim_engine_fail(e, SIM_ENOMEM, "out of memory for the immediate list");
        return SIM_ENOMEM;
    }
    uint32_t n = e->imm_tail - e->imm_head;
    for (uint32_t i = 0; i < n; i++)
        ring[i] = e->imm[(e->imm_head + i) & e->imm_mask];
    for (uint32_t i = n; i < cap; i++)   /* what a handler's view says, once for all */
        ring[i] = (sim_event){ .time = 0, .state = SIM_EV_IMMEDIATE };
    if (e->imm) {   /* retired, not freed: the running handler's event may be in it */
        e->imm[e->imm_mask + 1].a = e->imm_retired;
        e->imm_retired = e->imm;
    }
    e->imm = ring;
    e->imm_head = 0;
    e->imm_tail = n;
    e->imm_mask = cap - 1;
    return SIM_OK;
}

void sim_engine_cancel(sim_engine *e, sim_event *ev)
{
    switch ((sim_event_state)ev->state) {
    case SIM_EV_SCHEDULED:
        sim_calendar_cancel(&e->cal, ev);
        if (ev == e->running)
            ev->state = SIM_EV_RUNNING;   /* re-armed, then cancelled: the loop frees it */
        else
            event_put(e, ev);
        return;
    case SIM_EV_RUNNING:                  /* its handler is running: the loop frees it */
        return;
    case SIM_EV_IMMEDIATE:                /* an immediate handler's view: nothing to free */
        return;
    case SIM_EV_FREE:
        break;
    }
    (void)NEVER(1);   /* a stale handle: cancelled or fired already */
}

void sim_engine_rearm(sim_engine *e, sim_event *ev, sim_time t)
{
    if (NEVER(ev != e->running || ev->state != SIM_EV_RUNNING))
        return;   /* only a calendar event re-arms itself (not an immediate one) */
    if (!(t >= e->now)) {
        sim_engine_fail(e, SIM_EMODEL, "an event was re-armed at t = %.17g, before now (%.17g)",
                        t, e->now);
        return;
    }
    if (sim_calendar_push(&e->cal, ev, t) != SIM_OK) {
        sim_engine_fail(e, SIM_ENOMEM, "out of memory for the calendar");
        return;
    }
    ev->state = SIM_EV_SCHEDULED;
}

/* ---- component kinds ---------------------------------------------------------------- */

/* Every kind, in the order its rows appear in the outputs. */
const sim_kind_ops *const sim_kinds[] = { &sim_client_kind, &sim_service_kind,
                                           &sim_broker_kind };
const uint32_t sim_nkinds = sizeof sim_kinds / sizeof sim_kinds[0];

/* ---- the run ------------------------------------------------------------------------ */

/* Past the guard: watches the next events to say what keeps firing, then fails the run. */
static void stall_watch(sim_engine *e, const sim_event *ev, uint64_t same);

/* The loop's slow path, at event count n (check_at reached): stops on an error; every
 * SIM_PROGRESS_EVERY events raises the stall guard with the pending events and calls the
 * progress hook; watches and then fails a run whose clock stopped (more than stall_limit events
 * at one instant). Sets the next check_at. Nonzero: stop the loop. */
static int checkpoint(sim_engine *e, const sim_event *ev, uint64_t n)
{
    if (e->err)
        return 1;
    if (n >= e->next_check) {
        e->next_check += SIM_PROGRESS_EVERY;
        free_retired(e);   /* between events: nothing runs from them */
        /* Large models may legitimately do more at one instant: the guard scales with the
         * pending events (not with requests, which a zero-time loop can pile up), never below
         * its floor. */
        uint64_t pending = e->events.live;
        if (64 * pending > e->stall_limit)
            e->stall_limit = 64 * pending;
        if (e->progress && e->progress(e->progress_ud, e->now, n)) {
            sim_engine_fail(e, SIM_ESTOPPED, "stopped at t = %g", e->now);
            return 1;
        }
    }
    uint64_t same = n - e->instant_start;   /* events at this instant */
    uint64_t at = e->instant_start + e->stall_limit + 1;   /* the first count past the guard */
    if (same > e->stall_limit) {
        stall_watch(e, ev, same);
        if (e->err)
            return 1;
        at = n + 1;   /* watched event by event */
    }
    e->check_at = at < e->next_check ? at : e->next_check;
    return 0;
}

static void run_events(sim_engine *e);

int sim_engine_run(sim_engine *e)
{
    if (e->ran)
        return SIM_ESTATE;
    e->ran = 1;
    int rc = sim_programs_verify(e);
    if (rc == SIM_OK)
        rc = sim_nodes_build(e);
    if (rc == SIM_OK)
        rc = sim_services_place(e);
    if (rc == SIM_OK)
        rc = sim_brokers_start(e);
    if (rc == SIM_OK)
        rc = sim_sample_start(e);
    if (rc == SIM_OK)
        rc = sim_faults_start(e);
    for (uint32_t i = 0; rc == SIM_OK && i < e->nclients; i++)
        rc = sim_client_start(e, &e->clients[i]);
    if (rc != SIM_OK || e->err)
        return e->err ? e->err : rc;

    run_events(e);
    if (e->err)
        return e->err;
    e->now = e->cfg.duration;
    for (uint32_t k = 0; k < sim_nkinds; k++)
        if (sim_kinds[k]->finish)
            for (uint32_t i = 0; i < sim_kinds[k]->count(e); i++)
                sim_kinds[k]->finish(e, i);
    return sim_ledger_check(e);
}

/* The loop proper, a function of its own: its few variables stay in registers, away from the
 * set-up around it. */
static __attribute__((noinline)) void run_events(sim_engine *e)
{
    const sim_time end = e->cfg.duration;
    sim_calendar *cal = &e->cal;
    uint64_t n = 0;
    e->next_check = SIM_PROGRESS_EVERY;
    e->check_at = e->next_check;
    e->instant_start = 0;
    for (;;) {
        sim_event *ev;
        if (e->imm_head != e->imm_tail) {
            /* An immediate entry runs in place in the ring (its state is SIM_EV_IMMEDIATE from
             * the ring's making; e->running stays NULL: no calendar event is running). */
            ev = &e->imm[e->imm_head++ & e->imm_mask];
            ev->fn(e, ev);
        } else {
            if (sim_calendar_next_time(cal) > end)
                break;
            ev = sim_calendar_pop(cal);
            if (ev->time > e->now) {
                e->now = ev->time;
                e->instant_start = n;
            }
            ev->state = SIM_EV_RUNNING;
            e->running = ev;
            ev->fn(e, ev);
            e->running = NULL;
            if (ev->state == SIM_EV_RUNNING)   /* neither re-armed nor kept */
                event_put(e, ev);
        }
        /* One compare per event: check_at is the next event count at which anything needs a
         * look (an error, which sets it to 0; the progress hook; a possible stall). */
        if (SIM_UNLIKELY(++n >= e->check_at) && checkpoint(e, ev, n))
            break;
    }
    e->nevents = n;
}

/* ---- naming a stall ----------------------------------------------------------------- */

void sim_client_describe(const sim_engine *e, const sim_event *ev, char *buf, size_t n);
void sim_interp_describe(const sim_engine *e, const sim_event *ev, char *buf, size_t n);

/* The loop is seen over STALL_WATCH more events, so the message names every party to it (a
 * client that sends again at once, and the endpoint whose requests take no time). */
#define STALL_WATCH 4096u

static void stall_watch(sim_engine *e, const sim_event *ev, uint64_t same)
{
    static const size_t N = sizeof e->stall_what[0];
    for (int k = 0; k < 2; k++)
        if (!e->stall_what[k][0])
            (k ? sim_interp_describe : sim_client_describe)(e, ev, e->stall_what[k], N);
    if (same < e->stall_limit + STALL_WATCH)
        return;
    const char *a = e->stall_what[0], *b = e->stall_what[1];
    sim_engine_fail(e, SIM_ESTALL, "no simulated time passed in %llu events at t = %.17g: %s%s%s",
                    (unsigned long long)same, e->now, a, a[0] && b[0] ? "; " : "",
                    a[0] || b[0] ? b : "events keep firing at the same instant");
}
