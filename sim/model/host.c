/* host: processor sharing and FCFS scheduling of work steps on cores; see host.h. */
#include "model/host.h"

#include <string.h>

#include "core/alloc.h"
#include "core/check.h"
#include "core/error.h"
#include "model/engine.h"

int sim_host_init(sim_host *h, const char *name, double cores, sim_cpu_sched sched,
                  uint32_t index)
{
    memset(h, 0, sizeof *h);
    h->cores = cores;
    h->sched = (uint8_t)sched;
    h->index = index;
    h->rate = 1;
    sim_waitq_init(&h->wait, SIM_WAITQ_FIFO);
    sim_tw_init(&h->tw_busy, 0, 0);
    h->name = sim_strdup(name);
    return h->name ? SIM_OK : SIM_ENOMEM;
}

void sim_host_fini(sim_host *h)
{
    sim_free(h->name);
    sim_free(h->heap);
    sim_free(h->members);
    sim_waitq_fini(&h->wait);
    memset(h, 0, sizeof *h);
}

int sim_host_place(sim_host *h, sim_instance *in)
{
    if (h->nmembers == h->members_cap) {
        uint32_t cap = h->members_cap ? h->members_cap * 2 : 4;
        sim_instance **m = sim_realloc(h->members, cap * sizeof *m);
        if (!m)
            return SIM_ENOMEM;
        h->members = m;
        h->members_cap = cap;
    }
    h->members[h->nmembers++] = in;
    in->host = h;
    return SIM_OK;
}

/* Every member's CPU use follows the host's rate: each of its jobs uses `rate` of a core. */
static void update_members(sim_engine *e, sim_host *h)
{
    for (uint32_t i = 0; i < h->nmembers; i++)
        if (h->members[i]->cpu_jobs || h->members[i]->cpu_use != 0)
            sim_service_cpu_changed(e, h->members[i]);
}

/* ---- processor sharing ------------------------------------------------------------- */

static inline int earlier(const sim_req *a, const sim_req *b) { return a->vfin < b->vfin; }

static void place(sim_host *h, size_t i, sim_req *r)
{
    h->heap[i] = r;
    r->cpu_slot = (uint32_t)i + 1;
}

static void sift_up(sim_host *h, size_t i, sim_req *r)
{
    while (i > 0 && earlier(r, h->heap[(i - 1) / 2])) {
        place(h, i, h->heap[(i - 1) / 2]);
        i = (i - 1) / 2;
    }
    place(h, i, r);
}

static void sift_down(sim_host *h, size_t i, sim_req *r)
{
    for (;;) {
        size_t l = 2 * i + 1;
        if (l >= h->n)
            break;
        size_t m = l + 1 < h->n && earlier(h->heap[l + 1], h->heap[l]) ? l + 1 : l;
        if (!earlier(h->heap[m], r))
            break;
        place(h, i, h->heap[m]);
        i = m;
    }
    place(h, i, r);
}

static void heap_remove(sim_host *h, sim_req *r)
{
    size_t i = r->cpu_slot - 1;
    r->cpu_slot = 0;
    sim_req *last = h->heap[--h->n];
    if (i == h->n)
        return;
    if (i > 0 && earlier(last, h->heap[(i - 1) / 2]))
        sift_up(h, i, last);
    else
        sift_down(h, i, last);
}

/* Brings the virtual clock up to now at the rate that held since the last change. */
static void advance(sim_engine *e, sim_host *h)
{
    h->vtime += (e->now - h->vlast) * h->rate;
    h->vlast = e->now;
}

static void on_ps_done(sim_engine *e, sim_event *ev);

/* After the set of jobs changed: the new rate, the statistics, the next completion. */
static void reschedule(sim_engine *e, sim_host *h)
{
    double n = (double)h->n;
    h->rate = n > h->cores ? h->cores / n : 1.0;
    sim_tw_set(&h->tw_busy, e->now, n < h->cores ? n : h->cores);
    update_members(e, h);
    if (h->ev) {
        sim_engine_cancel(e, h->ev);
        h->ev = NULL;
    }
    if (h->n == 0)
        return;
    double left = h->heap[0]->vfin - h->vtime;
    sim_time dt = left > 0 ? left / h->rate : 0;
    if (e->now + dt == e->now)
        dt = 0;   /* a remainder below the clock's resolution: done now */
    h->ev = sim_engine_after(e, dt, on_ps_done, h, 0);
}

static void on_ps_done(sim_engine *e, sim_event *ev)
{
    sim_host *h = ev->a;
    h->ev = NULL;
    advance(e, h);
    /* The event was set for the earliest job; it and every job whose demand is met within
     * rounding leave now, earliest first. */
    sim_req *done = NULL, **tail = &done;
    while (h->n && (!done || h->heap[0]->vfin <= h->vtime * (1 + 1e-12))) {
        sim_req *r = h->heap[0];
        heap_remove(h, r);
        r->inst->cpu_jobs--;
        sim_service_cpu_changed(e, r->inst);
        r->cpu_next = NULL;
        *tail = r;
        tail = &r->cpu_next;
    }
    reschedule(e, h);
    while (done) {
        sim_req *r = done;
        done = r->cpu_next;
        r->cpu_next = NULL;
        sim_interp_step_done(e, r);
    }
}

/* ---- first come, first served ------------------------------------------------------- */

static void on_fcfs_done(sim_engine *e, sim_event *ev);

static void fcfs_start(sim_engine *e, sim_host *h, sim_req *r)
{
    r->inst->cpu_jobs++;
    sim_service_cpu_changed(e, r->inst);
    h->running++;
    sim_tw_set(&h->tw_busy, e->now, h->running);
    r->ev = sim_engine_after(e, r->vfin, on_fcfs_done, r, r->gen);
}

static void fcfs_next(sim_engine *e, sim_host *h)
{
    while ((double)h->running + 1 <= h->cores && sim_waitq_len(&h->wait) > 0) {
        fcfs_start(e, h, (sim_req *)sim_waitq_pop(&h->wait));
    }
}

static void on_fcfs_done(sim_engine *e, sim_event *ev)
{
    sim_req *r = ev->a;
    if (ev->u32 != r->gen || r->ev != ev)
        return;
    r->ev = NULL;
    sim_host *h = r->inst->host;
    r->inst->cpu_jobs--;
    sim_service_cpu_changed(e, r->inst);
    h->running--;
    sim_tw_set(&h->tw_busy, e->now, h->running);
    fcfs_next(e, h);
    sim_interp_step_done(e, r);
}

/* ---- the interface ------------------------------------------------------------------ */

int sim_host_run(sim_engine *e, sim_host *h, sim_req *r, double demand)
{
    if (h->sched == SIM_CPU_FCFS) {
        r->vfin = demand;   /* FCFS keeps the demand here until the job gets a core */
        if ((double)h->running + 1 <= h->cores) {
            fcfs_start(e, h, r);
            return e->err;
        }
        if (sim_waitq_push(&h->wait, &r->wait, 0) != SIM_OK) {
            sim_engine_fail(e, SIM_ENOMEM, "out of memory for a host's run queue");
            return SIM_ENOMEM;
        }
        return SIM_OK;
    }
    if (h->n == h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 16;
        sim_req **p = sim_realloc(h->heap, cap * sizeof *p);
        if (!p) {
            sim_engine_fail(e, SIM_ENOMEM, "out of memory for a host's jobs");
            return SIM_ENOMEM;
        }
        h->heap = p;
        h->cap = cap;
    }
    advance(e, h);
    r->vfin = h->vtime + demand;
    sift_up(h, h->n++, r);
    r->inst->cpu_jobs++;
    reschedule(e, h);   /* the rate changes: every member's CPU use with it */
    sim_service_cpu_changed(e, r->inst);
    return e->err;
}

void sim_host_remove(sim_engine *e, sim_host *h, sim_req *r)
{
    if (h->sched == SIM_CPU_FCFS) {
        if (sim_waitq_parked(&r->wait)) {
            sim_waitq_remove(&h->wait, &r->wait);
        } else if (r->ev) {   /* running: its core is free again */
            sim_engine_cancel(e, r->ev);
            r->ev = NULL;
            r->inst->cpu_jobs--;
            sim_service_cpu_changed(e, r->inst);
            h->running--;
            sim_tw_set(&h->tw_busy, e->now, h->running);
            fcfs_next(e, h);
        }
        return;
    }
    if (NEVER(r->cpu_slot == 0))
        return;
    advance(e, h);
    heap_remove(h, r);
    r->inst->cpu_jobs--;
    reschedule(e, h);
    sim_service_cpu_changed(e, r->inst);
}
