/* fault: outages, crashes and slowdowns (of services, replicas, hosts and brokers); see
 * fault.h. */
#include "model/fault.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/check.h"
#include "core/error.h"
#include "model/broker.h"
#include "model/engine.h"
#include "model/host.h"
#include "model/node.h"

static const char *const kind_names[] = { "outage", "crash", "slowdown" };

const char *sim_fault_kind_name(sim_fault_kind k)
{
    return (unsigned)k <= SIM_FAULT_SLOWDOWN ? kind_names[k] : "?";
}

int sim_fault_add(sim_engine *e, const sim_fault_config *cfg)
{
    int bad = e->ran || (unsigned)cfg->kind > SIM_FAULT_SLOWDOWN;
    if (cfg->broker)   /* a broker fails as a whole, and is not slowed down */
        bad = bad || cfg->broker > e->nbrokers || cfg->kind == SIM_FAULT_SLOWDOWN || cfg->host;
    else if (cfg->host)   /* a host fails as a whole: every replica of every service on it */
        bad = bad || cfg->host > e->nhosts || cfg->replica != -1;
    else
        bad = bad || cfg->service >= e->nsvcs || cfg->replica < -1 ||
              (cfg->replica >= 0 &&
               (uint64_t)cfg->replica >= e->svcs[cfg->service].cfg.replicas);
    if (cfg->kind == SIM_FAULT_CRASH)
        bad = bad || !cfg->mttf || !cfg->mttr || !(sim_dist_mean(cfg->mttf) > 0);
    else
        bad = bad || !(cfg->at >= 0) || !(cfg->duration > 0) || cfg->at == INFINITY ||
              cfg->duration == INFINITY;
    if (cfg->kind == SIM_FAULT_SLOWDOWN)
        bad = bad || !(cfg->factor > 0) || cfg->factor == INFINITY;
    int rc = bad ? (e->ran ? SIM_ESTATE : SIM_EINVAL) : SIM_OK;
    if (rc == SIM_OK && sim_grow((void **)&e->faults, e->nfaults, sizeof *e->faults) != 0)
        rc = SIM_ENOMEM;
    if (rc != SIM_OK) {
        sim_dist_free(cfg->mttf);
        sim_dist_free(cfg->mttr);
        return rc;
    }
    sim_fault *f = &e->faults[e->nfaults];
    memset(f, 0, sizeof *f);
    f->cfg = *cfg;
    if (cfg->kind != SIM_FAULT_CRASH)
        f->cfg.mttf = f->cfg.mttr = NULL;
    if (cfg->broker)
        e->brokers[cfg->broker - 1].fails = 1;
    if (cfg->broker || cfg->host) {
        f->cfg.service = 0;
        f->cfg.replica = -1;
    }
    /* Its rank among the earlier faults of the same target names its stream. */
    uint32_t rank = 0;
    for (uint32_t i = 0; i < e->nfaults; i++)
        rank += e->faults[i].cfg.broker == f->cfg.broker &&
                e->faults[i].cfg.host == f->cfg.host &&
                e->faults[i].cfg.service == f->cfg.service &&
                e->faults[i].cfg.replica == f->cfg.replica;
    char key[64];
    if (f->cfg.replica < 0)
        snprintf(key, sizeof key, "*/%u", rank);
    else
        snprintf(key, sizeof key, "%lld/%u", (long long)f->cfg.replica, rank);
    const char *target = cfg->broker ? e->brokers[cfg->broker - 1].name
                         : cfg->host ? e->hosts[cfg->host - 1]->name
                                     : e->svcs[cfg->service].name;
    sim_engine_stream(e, &f->rng, "fault", target, key);
    e->nfaults++;
    return SIM_OK;
}

void sim_faults_fini(sim_engine *e)
{
    for (uint32_t i = 0; i < e->nfaults; i++) {
        sim_dist_free(e->faults[i].cfg.mttf);
        sim_dist_free(e->faults[i].cfg.mttr);
    }
    sim_free(e->faults);
    e->faults = NULL;
    sim_free(e->flog);
    e->flog = NULL;
}

/* Room for one more row of the log; 0 after failing the run. */
static int log_room(sim_engine *e)
{
    if (e->nflog == e->flog_cap) {
        size_t cap = e->flog_cap ? e->flog_cap * 2 : 16;
        sim_fault_event *p = sim_realloc(e->flog, cap * sizeof *p);
        if (!p) {
            sim_engine_fail(e, SIM_ENOMEM, "out of memory for the log of failures");
            return 0;
        }
        e->flog = p;
        e->flog_cap = cap;
    }
    return 1;
}

void sim_fault_log_partition(sim_engine *e, uint32_t partition, int start)
{
    if (!log_room(e))
        return;
    e->flog[e->nflog++] = (sim_fault_event){ e->now, partition, 0, -1, SIM_FLOG_PARTITION,
                                             (uint8_t)start };
}

static void log_event(sim_engine *e, uint32_t i, int start)
{
    const sim_fault *f = &e->faults[i];
    if (!log_room(e))
        return;
    e->flog[e->nflog++] = (sim_fault_event){ e->now, i, f->cfg.service, f->cfg.replica,
                                             (uint8_t)f->cfg.kind, (uint8_t)start };
}

void sim_fault_log_breaker(sim_engine *e, uint32_t svc, uint32_t ep, uint32_t policy, int state)
{
    if (!log_room(e))
        return;
    e->flog[e->nflog++] = (sim_fault_event){ e->now, policy, svc, (int64_t)ep,
                                             SIM_FLOG_BREAKER, (uint8_t)state };
}

/* The fault starts (+1) or ends (-1) on instance in. */
static void apply_one(sim_engine *e, const sim_fault *f, sim_instance *in, int delta)
{
    if (f->cfg.kind != SIM_FAULT_SLOWDOWN) {
        sim_service_down(e, in, delta, f->cfg.silent);
    } else if (delta > 0) {
        in->slowdowns++;
        in->slow *= f->cfg.factor;
    } else if (ALWAYS(in->slowdowns > 0) && --in->slowdowns == 0) {
        in->slow = 1.0;   /* exactly: no rounding of the products left behind */
    } else {
        in->slow /= f->cfg.factor;
    }
}

/* The fault starts (+1) or ends (-1) on every instance it targets. A host's: every instance
 * placed on it, all at this instant, before any consumer group hears of it (a request one of
 * them sends to another is caught by the other's crash, as when two services fail at once);
 * the walk costs the host's instances plus what they lose. */
static void apply(sim_engine *e, sim_fault *f, int delta)
{
    if (f->cfg.broker) {
        sim_broker_down(e, f->cfg.broker - 1, delta, f->cfg.silent);
        return;
    }
    if (f->cfg.host) {
        const sim_host *h = e->hosts[f->cfg.host - 1];
        for (uint32_t j = 0; j < h->nmembers && !e->err; j++)
            apply_one(e, f, h->members[j], delta);
        if (f->cfg.kind == SIM_FAULT_SLOWDOWN || !e->nbrokers)
            return;
        for (uint32_t j = 0; j < h->nmembers && !e->err; j++)   /* once per service */
            if (j == 0 || h->members[j]->svc != h->members[j - 1]->svc)
                sim_brokers_service_changed(e, (uint32_t)(h->members[j]->svc - e->svcs));
        return;
    }
    sim_service *s = &e->svcs[f->cfg.service];
    uint32_t lo = f->cfg.replica < 0 ? 0 : (uint32_t)f->cfg.replica;
    uint32_t hi = f->cfg.replica < 0 ? s->cfg.replicas : lo + 1;
    for (uint32_t j = lo; j < hi && !e->err; j++)
        apply_one(e, f, &s->inst[j], delta);
    if (f->cfg.kind != SIM_FAULT_SLOWDOWN && e->nbrokers && !e->err)
        sim_brokers_service_changed(e, f->cfg.service);   /* consumer groups rebalance */
}

/* A positive draw of d from the fault's stream: a draw of 0 would fail and recover at one
 * instant forever, so it is taken as the clock's resolution (the next representable time). */
static sim_time next_time(sim_engine *e, sim_fault *f, const sim_dist *d)
{
    double x = sim_dist_sample(d, &f->rng);
    sim_time t = e->now + x;
    if (!(t > e->now))
        t = nextafter(e->now, INFINITY);
    return t;
}

static void on_fault(sim_engine *e, sim_event *ev)
{
    sim_fault *f = ev->a;
    uint32_t i = (uint32_t)(f - e->faults);
    f->on = !f->on;
    log_event(e, i, f->on);
    apply(e, f, f->on ? +1 : -1);
    if (e->err)
        return;
    sim_time next;
    if (f->cfg.kind == SIM_FAULT_CRASH)
        next = next_time(e, f, f->on ? f->cfg.mttr : f->cfg.mttf);
    else if (f->on)
        next = f->cfg.at + f->cfg.duration;
    else
        return;   /* a one-off fault is over */
    if (next <= e->cfg.duration)
        sim_engine_rearm(e, ev, next);
}

int sim_faults_start(sim_engine *e)
{
    for (uint32_t i = 0; i < e->nfaults; i++) {
        sim_fault *f = &e->faults[i];
        sim_time t = f->cfg.kind == SIM_FAULT_CRASH ? next_time(e, f, f->cfg.mttf) : f->cfg.at;
        if (t <= e->cfg.duration && !sim_engine_at(e, t, on_fault, f, 0))
            return e->err;
    }
    return sim_partitions_start(e);
}
