/* engine: the simulation object — clock, calendar, pools, the builders of model.h, links, the
 * run loop with warm-up and sampling, and the end-of-run ledger. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "model/internal.h"
#include "stats/hist.h"

/* ---- creation ----------------------------------------------------------------------- */

sim_engine *sim_engine_new(const sim_config *cfg)
{
    if (!(cfg->duration > 0) || !(cfg->warmup >= 0) || !(cfg->warmup < cfg->duration) ||
        !(cfg->sample > 0))
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
    return e;
}

static void endpoint_fini(sim_endpoint *ep)
{
    for (uint32_t i = 0; i < ep->nops; i++) {
        sim_dist_free(ep->ops[i].dist);
        sim_free(ep->ops[i].targets);
        sim_free(ep->ops[i].cum);
    }
    sim_free(ep->ops);
    sim_free(ep->name);
}

void sim_engine_free(sim_engine *e)
{
    if (!e)
        return;
    for (uint32_t i = 0; i < e->nsvcs; i++) {
        sim_service *s = &e->svcs[i];
        for (uint32_t j = 0; j < s->neps; j++)
            endpoint_fini(&s->eps[j]);
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
    for (uint32_t i = 0; i < e->nlinks; i++) {
        sim_free(e->links[i].a);
        sim_free(e->links[i].b);
        sim_dist_free(e->links[i].latency);
    }
    sim_free(e->links);
    sim_dist_free(e->default_link.latency);
    sim_free(e->linkmap);
    sim_free(e->node_rng);
    sim_calendar_fini(&e->cal);
    sim_pool_fini(&e->events);
    sim_pool_fini(&e->reqs);
    sim_free(e);
}

const char *sim_engine_error(const sim_engine *e) { return e->errmsg; }
uint64_t sim_engine_events(const sim_engine *e) { return e->nevents; }

void sim_engine_fail(sim_engine *e, int code, const char *fmt, ...)
{
    if (e->err)
        return;
    e->err = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->errmsg, sizeof e->errmsg, fmt, ap);
    va_end(ap);
}

/* Grows *arr (of elem-sized items) to hold n+1 items. */
static int grow(void **arr, uint32_t n, size_t elem)
{
    if (n & (n - 1))   /* capacities are powers of two (or zero) */
        return SIM_OK;
    size_t cap = n ? (size_t)n * 2 : 4;
    void *p = sim_realloc(*arr, cap * elem);
    if (!p)
        return SIM_ENOMEM;
    *arr = p;
    return SIM_OK;
}

/* ---- builders ----------------------------------------------------------------------- */

int sim_service_add(sim_engine *e, const char *name, const sim_service_config *cfg,
                    uint32_t *index)
{
    if (e->ran)
        return SIM_ESTATE;
    if (cfg->workers < 1 || cfg->replicas < 1 || cfg->queue < -1)
        return SIM_EINVAL;
    if (grow((void **)&e->svcs, e->nsvcs, sizeof *e->svcs) != SIM_OK)
        return SIM_ENOMEM;
    sim_service *s = &e->svcs[e->nsvcs];
    memset(s, 0, sizeof *s);
    s->name = sim_strdup(name);
    s->inst = sim_calloc(cfg->replicas, sizeof *s->inst);
    if (!s->name || !s->inst || sim_service_init_stats(s) != SIM_OK) {
        sim_service_fini(s);
        sim_free(s->name);
        return SIM_ENOMEM;
    }
    s->index = e->nsvcs;
    s->cfg = *cfg;
    char key[512];
    snprintf(key, sizeof key, "service/%s/work", name);
    sim_rng_init(&s->rng_work, e->cfg.seed, e->cfg.rep, key);
    snprintf(key, sizeof key, "service/%s/branch", name);
    sim_rng_init(&s->rng_choose, e->cfg.seed, e->cfg.rep, key);
    snprintf(key, sizeof key, "service/%s/balancer", name);
    sim_rng_init(&s->rng_lb, e->cfg.seed, e->cfg.rep, key);
    for (uint32_t i = 0; i < cfg->replicas; i++)
        s->inst[i].index = i;   /* .svc is set when the run starts (links_build) */
    if (index)
        *index = e->nsvcs;
    e->nsvcs++;
    return SIM_OK;
}

int sim_endpoint_add(sim_engine *e, uint32_t service, const char *name, uint32_t *index)
{
    if (e->ran)
        return SIM_ESTATE;
    if (service >= e->nsvcs)
        return SIM_EINVAL;
    sim_service *s = &e->svcs[service];
    if (grow((void **)&s->eps, s->neps, sizeof *s->eps) != SIM_OK)
        return SIM_ENOMEM;
    sim_endpoint *ep = &s->eps[s->neps];
    memset(ep, 0, sizeof *ep);
    if (!(ep->name = sim_strdup(name)))
        return SIM_ENOMEM;
    if (index)
        *index = s->neps;
    s->neps++;
    return SIM_OK;
}

static sim_endpoint *endpoint_of(sim_engine *e, uint32_t s, uint32_t ep)
{
    if (e->ran || s >= e->nsvcs || ep >= e->svcs[s].neps || e->svcs[s].eps[ep].closed)
        return NULL;
    return &e->svcs[s].eps[ep];
}

/* Appends a zeroed instruction; NULL on a bad endpoint or ENOMEM (*rc says which). */
static sim_op *op_append(sim_engine *e, uint32_t s, uint32_t ep, sim_opcode code, int *rc)
{
    sim_endpoint *p = endpoint_of(e, s, ep);
    if (!p) {
        *rc = e->ran ? SIM_ESTATE : SIM_EINVAL;
        return NULL;
    }
    if (grow((void **)&p->ops, p->nops, sizeof *p->ops) != SIM_OK) {
        *rc = SIM_ENOMEM;
        return NULL;
    }
    sim_op *op = &p->ops[p->nops++];
    memset(op, 0, sizeof *op);
    op->code = (uint8_t)code;
    *rc = SIM_OK;
    return op;
}

static int op_dist(sim_engine *e, uint32_t s, uint32_t ep, sim_opcode code, sim_dist *d)
{
    int rc;
    sim_op *op = d ? op_append(e, s, ep, code, &rc) : NULL;
    if (!op) {
        sim_dist_free(d);
        return d ? rc : SIM_EINVAL;
    }
    op->dist = d;
    return SIM_OK;
}

int sim_op_work(sim_engine *e, uint32_t s, uint32_t ep, sim_dist *d)
{
    return op_dist(e, s, ep, OP_WORK, d);
}

int sim_op_sleep(sim_engine *e, uint32_t s, uint32_t ep, sim_dist *d)
{
    return op_dist(e, s, ep, OP_SLEEP, d);
}

int sim_op_call(sim_engine *e, uint32_t s, uint32_t ep, uint32_t target, uint32_t target_ep,
                bool blocking)
{
    if (target >= e->nsvcs || target_ep >= e->svcs[target].neps)
        return SIM_EINVAL;
    int rc;
    sim_op *op = op_append(e, s, ep, OP_CALL, &rc);
    if (!op)
        return rc;
    op->target = target;
    op->endpoint = target_ep;
    op->blocking = blocking;
    return SIM_OK;
}

static sim_op *op_multi(sim_engine *e, uint32_t s, uint32_t ep, sim_opcode code, uint32_t n,
                        uint32_t ntargets, uint32_t *pc, int *rc)
{
    if (n < 1) {
        *rc = SIM_EINVAL;
        return NULL;
    }
    uint32_t *targets = sim_calloc(ntargets, sizeof *targets);
    if (!targets) {
        *rc = SIM_ENOMEM;
        return NULL;
    }
    sim_op *op = op_append(e, s, ep, code, rc);
    if (!op) {
        sim_free(targets);
        return NULL;
    }
    op->n = n;
    op->targets = targets;
    if (pc)
        *pc = e->svcs[s].eps[ep].nops - 1;
    return op;
}

int sim_op_fork(sim_engine *e, uint32_t s, uint32_t ep, uint32_t n, sim_join join,
                uint32_t quorum, bool blocking, uint32_t *pc)
{
    if (join == SIM_JOIN_ALL)
        quorum = n;
    else if (join == SIM_JOIN_ANY)
        quorum = 1;
    if (quorum < 1 || quorum > n)
        return SIM_EINVAL;
    int rc;
    sim_op *op = op_multi(e, s, ep, OP_FORK, n, n + 1, pc, &rc);
    if (!op)
        return rc;
    op->join = (uint8_t)join;
    op->quorum = quorum;
    op->blocking = blocking;
    return SIM_OK;
}

int sim_op_choose(sim_engine *e, uint32_t s, uint32_t ep, uint32_t n, const double *probs,
                  uint32_t *pc)
{
    double total = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (!(probs[i] >= 0))
            return SIM_EINVAL;
        total += probs[i];
    }
    if (!(total > 0))
        return SIM_EINVAL;
    double *cum = sim_calloc(n, sizeof *cum);
    if (!cum)
        return SIM_ENOMEM;
    int rc;
    sim_op *op = op_multi(e, s, ep, OP_CHOOSE, n, n, pc, &rc);
    if (!op) {
        sim_free(cum);
        return rc;
    }
    double acc = 0;
    for (uint32_t i = 0; i < n; i++) {
        acc += probs[i] / total;
        cum[i] = acc;
    }
    cum[n - 1] = 1.0;
    op->cum = cum;
    return SIM_OK;
}

int sim_op_jump(sim_engine *e, uint32_t s, uint32_t ep, uint32_t *pc)
{
    int rc;
    if (!op_append(e, s, ep, OP_JUMP, &rc))
        return rc;
    if (pc)
        *pc = e->svcs[s].eps[ep].nops - 1;
    return SIM_OK;
}

int sim_op_branch_end(sim_engine *e, uint32_t s, uint32_t ep)
{
    int rc;
    return op_append(e, s, ep, OP_BRANCH_END, &rc) ? SIM_OK : rc;
}

int sim_op_set_target(sim_engine *e, uint32_t s, uint32_t ep, uint32_t pc, uint32_t i,
                      uint32_t target)
{
    sim_endpoint *p = endpoint_of(e, s, ep);
    if (!p || pc >= p->nops)
        return SIM_EINVAL;
    sim_op *op = &p->ops[pc];
    switch (op->code) {
    case OP_JUMP:
        op->target = target;
        return SIM_OK;
    case OP_FORK:
        if (i > op->n)
            return SIM_EINVAL;
        op->targets[i] = target;
        return SIM_OK;
    case OP_CHOOSE:
        if (i >= op->n)
            return SIM_EINVAL;
        op->targets[i] = target;
        return SIM_OK;
    }
    return SIM_EINVAL;
}

uint32_t sim_op_next_pc(const sim_engine *e, uint32_t s, uint32_t ep)
{
    return e->svcs[s].eps[ep].nops;
}

int sim_op_return(sim_engine *e, uint32_t s, uint32_t ep)
{
    int rc;
    if (!op_append(e, s, ep, OP_RETURN, &rc))
        return rc;
    e->svcs[s].eps[ep].closed = 1;
    return SIM_OK;
}

int sim_client_add(sim_engine *e, const char *name, const sim_client_config *cfg)
{
    if (e->ran)
        return SIM_ESTATE;
    int bad = cfg->service >= e->nsvcs || cfg->endpoint >= e->svcs[cfg->service].neps;
    if (cfg->closed)
        bad = bad || cfg->users < 1;
    else if (cfg->arrivals == SIM_ARR_SCHEDULE)
        bad = bad || cfg->npoints < 1;
    else
        bad = bad || !(cfg->rate > 0) ||
              (cfg->arrivals == SIM_ARR_BURSTY && (!cfg->on || !cfg->off));
    int rc = bad || !(cfg->timeout >= 0) || !(cfg->start >= 0) ? SIM_EINVAL
             : grow((void **)&e->clients, e->nclients, sizeof *e->clients);
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
    if (cfg->npoints) {
        c->times = sim_calloc(cfg->npoints, sizeof(double));
        c->rates = sim_calloc(cfg->npoints, sizeof(double));
        if (c->times && c->rates) {
            memcpy(c->times, cfg->times, cfg->npoints * sizeof(double));
            memcpy(c->rates, cfg->rates, cfg->npoints * sizeof(double));
        }
    }
    c->cfg.times = c->times;
    c->cfg.rates = c->rates;
    if (!c->name || (cfg->npoints && (!c->times || !c->rates)) ||
        sim_client_init_stats(c) != SIM_OK) {
        sim_client_fini(c);
        sim_free(c->name);
        return SIM_ENOMEM;
    }
    c->index = e->nclients;
    char key[512];
    snprintf(key, sizeof key, "client/%s/arrivals", name);
    sim_rng_init(&c->rng_arrival, e->cfg.seed, e->cfg.rep, key);
    snprintf(key, sizeof key, "client/%s/think", name);
    sim_rng_init(&c->rng_think, e->cfg.seed, e->cfg.rep, key);
    e->nclients++;
    return SIM_OK;
}

int sim_link_default(sim_engine *e, sim_dist *latency)
{
    if (e->ran) {
        sim_dist_free(latency);
        return SIM_ESTATE;
    }
    sim_dist_free(e->default_link.latency);
    e->default_link.latency = latency;
    return SIM_OK;
}

int sim_link_pair(sim_engine *e, const char *a, const char *b, sim_dist *latency)
{
    if (e->ran || grow((void **)&e->links, e->nlinks, sizeof *e->links) != SIM_OK) {
        sim_dist_free(latency);
        return e->ran ? SIM_ESTATE : SIM_ENOMEM;
    }
    sim_link *l = &e->links[e->nlinks];
    l->a = sim_strdup(a);
    l->b = sim_strdup(b);
    l->latency = latency;
    e->nlinks++;   /* counted even on ENOMEM so sim_engine_free releases the parts */
    return l->a && l->b ? SIM_OK : SIM_ENOMEM;
}

/* ---- links -------------------------------------------------------------------------- */

/* Node ids: clients first, then every service replica. */
static const char *node_name(const sim_engine *e, uint32_t node)
{
    if (node < e->nclients)
        return e->clients[node].name;
    node -= e->nclients;
    for (uint32_t i = 0; i < e->nsvcs; i++) {
        if (node < e->svcs[i].cfg.replicas)
            return e->svcs[i].name;
        node -= e->svcs[i].cfg.replicas;
    }
    return "";
}

static int links_build(sim_engine *e)
{
    uint32_t n = e->nclients;
    for (uint32_t i = 0; i < e->nclients; i++)
        e->clients[i].node = i;
    /* The services array may have moved while the model was built: point the instances at
     * their service now that it is final. */
    for (uint32_t i = 0; i < e->nsvcs; i++)
        for (uint32_t j = 0; j < e->svcs[i].cfg.replicas; j++) {
            e->svcs[i].inst[j].svc = &e->svcs[i];
            e->svcs[i].inst[j].node = n++;
        }
    e->nnodes = n;
    e->node_rng = sim_calloc(n, sizeof *e->node_rng);
    if (!e->node_rng)
        return SIM_ENOMEM;
    char key[512];
    for (uint32_t i = 0; i < n; i++) {
        snprintf(key, sizeof key, "link/%s/%u", node_name(e, i),
                 i < e->nclients ? 0u : i - e->nclients);
        sim_rng_init(&e->node_rng[i], e->cfg.seed, e->cfg.rep, key);
    }
    if (e->nlinks == 0)
        return SIM_OK;
    if (e->nlinks >= UINT16_MAX)
        return SIM_EINVAL;
    e->linkmap = sim_calloc((size_t)n * n, sizeof *e->linkmap);
    if (!e->linkmap)
        return SIM_ENOMEM;
    for (uint32_t i = 0; i < n; i++)
        for (uint32_t j = 0; j < n; j++) {
            const char *x = node_name(e, i), *y = node_name(e, j);
            for (uint32_t k = 0; k < e->nlinks; k++) {
                const sim_link *l = &e->links[k];
                if ((!strcmp(l->a, x) && !strcmp(l->b, y)) ||
                    (!strcmp(l->a, y) && !strcmp(l->b, x)))
                    e->linkmap[(size_t)i * n + j] = (uint16_t)(k + 1);
            }
        }
    return SIM_OK;
}

static const sim_dist *link_of(const sim_engine *e, uint32_t from, uint32_t to)
{
    const sim_dist *d = e->default_link.latency;
    if (e->linkmap) {
        uint16_t k = e->linkmap[(size_t)from * e->nnodes + to];
        if (k)
            d = e->links[k - 1].latency;
    }
    return d && d->kind == SIM_DIST_CONST && d->a == 0 ? NULL : d;
}

void sim_engine_hop(sim_engine *e, uint32_t from, uint32_t to, sim_event_fn fn, void *obj)
{
    const sim_dist *d = link_of(e, from, to);
    if (!d) {
        /* A hop without latency is taken at once, without the calendar. Handlers never keep
         * the event they are given, so one on the stack will do. */
        sim_event ev = { .time = e->now, .fn = fn, .a = obj };
        fn(e, &ev);
        return;
    }
    sim_engine_event(e, fn, obj, NULL, e->now + sim_dist_sample(d, &e->node_rng[from]));
}

/* ---- events ------------------------------------------------------------------------- */

sim_event *sim_engine_event(sim_engine *e, sim_event_fn fn, void *a, void *b, double at)
{
    sim_event *ev = sim_pool_get(&e->events);
    if (!ev) {
        sim_engine_fail(e, SIM_ENOMEM, "out of memory for events");
        return NULL;
    }
    ev->fn = fn;
    ev->a = a;
    ev->b = b;
    ev->u32 = 0;
    ev->slot = 0;
    if (sim_calendar_push(&e->cal, ev, at) != SIM_OK) {
        sim_pool_put(&e->events, ev);
        sim_engine_fail(e, SIM_ENOMEM, "out of memory for the calendar");
        return NULL;
    }
    return ev;
}

void sim_engine_rearm(sim_engine *e, sim_event *ev, double at)
{
    if (sim_calendar_push(&e->cal, ev, at) != SIM_OK)
        sim_engine_fail(e, SIM_ENOMEM, "out of memory for the calendar");
}

/* ---- warm-up and sampling ----------------------------------------------------------- */

static void on_warmup(sim_engine *e, sim_event *ev)
{
    (void)ev;
    for (uint32_t i = 0; i < e->nsvcs; i++)
        sim_service_reset_window(e, &e->svcs[i]);
}

void sim_engine_set_series(sim_engine *e, sim_series_fn fn, void *ud)
{
    e->series = fn;
    e->series_ud = ud;
}

/* Hands one row to the sink; a sink error fails the run. */
static int emit(sim_engine *e, const sim_series_row *row)
{
    int rc = e->series ? e->series(e->series_ud, row) : SIM_OK;
    if (rc != SIM_OK)
        sim_engine_fail(e, rc, "cannot write the time series");
    return rc;
}

static void on_sample(sim_engine *e, sim_event *ev)
{
    double span = e->now - e->last_tick;
    for (uint32_t i = 0; i < e->nclients && span > 0; i++) {
        sim_client *c = &e->clients[i];
        sim_series_row row = { .time = e->now, .entity = c->name, .kind = "flow" }, *s = &row;
        s->throughput = (double)c->tick.ok / span;
        s->latency_mean = sim_hist_mean(&c->tick_hist);
        s->latency_p50 = sim_hist_quantile(&c->tick_hist, 0.50);
        s->latency_p99 = sim_hist_quantile(&c->tick_hist, 0.99);
        s->queue = NAN;
        s->utilization = NAN;
        s->errors = c->tick.failed + c->tick.timeouts + c->tick.dropped;
        memset(&c->tick, 0, sizeof c->tick);
        sim_hist_reset(&c->tick_hist);
        if (emit(e, s) != SIM_OK)
            return;
    }
    for (uint32_t i = 0; i < e->nsvcs && span > 0; i++) {
        sim_service *v = &e->svcs[i];
        sim_series_row row = { .time = e->now, .entity = v->name, .kind = "service" },
                       *s = &row;
        s->throughput = (double)v->tick.completed / span;
        s->latency_mean = NAN;
        s->latency_p50 = NAN;
        s->latency_p99 = NAN;
        double busy = sim_tw_area(&v->tw_busy, e->now), queue = sim_tw_area(&v->tw_queue, e->now);
        s->queue = (queue - v->tick_queue) / span;
        s->utilization = (busy - v->tick_busy) / span / ((double)v->cfg.workers * v->cfg.replicas);
        s->errors = v->tick.failed + v->tick.dropped;
        memset(&v->tick, 0, sizeof v->tick);
        v->tick_busy = busy;
        v->tick_queue = queue;
        if (emit(e, s) != SIM_OK)
            return;
    }
    e->last_tick = e->now;
    /* One sampling event at a time keeps the calendar small. Times are multiples of the
     * interval, not sums, so they do not drift. */
    double next = e->cfg.sample * (double)++e->ticks;
    if (next <= e->cfg.duration * (1 + 1e-12))
        sim_engine_rearm(e, ev, next);
}

/* ---- the ledger --------------------------------------------------------------------- */

typedef struct ledger_scan {
    sim_engine *e;
    uint64_t *svc_live;      /* per service: requests accepted and not finished */
    uint64_t *client_live;   /* per client: requests not yet resolved */
} ledger_scan;

static void scan_req(void *obj, void *ud)
{
    sim_req *r = obj;
    ledger_scan *ls = ud;
    if (r->state == REQ_FREE)
        return;
    if (r->kind == KIND_CALL && (r->state == REQ_QUEUED || r->state == REQ_RUNNING))
        ls->svc_live[r->inst->svc->index]++;
    else if (r->kind == KIND_ROOT && r->state == REQ_ROOT_WAIT)
        ls->client_live[r->client->index]++;
}

/* Counts live requests slot by slot and checks created = completed + failed + dropped + in
 * flight for every client and service, whole run. */
static int ledger_check(sim_engine *e)
{
    ledger_scan ls = { e, sim_calloc(e->nsvcs + 1, sizeof(uint64_t)),
                       sim_calloc(e->nclients + 1, sizeof(uint64_t)) };
    int rc = SIM_OK;
    if (!ls.svc_live || !ls.client_live) {
        rc = SIM_ENOMEM;
        goto done;
    }
    sim_pool_each(&e->reqs, scan_req, &ls);
    for (uint32_t i = 0; i < e->nsvcs && rc == SIM_OK; i++) {
        const sim_service *s = &e->svcs[i];
        const sim_svc_counts *a = &s->all;
        if (ls.svc_live[i] != s->in_flight ||
            a->arrivals != a->completed + a->failed + a->dropped + ls.svc_live[i]) {
            sim_engine_fail(e, SIM_ELEDGER,
                            "service '%s': arrivals %llu != completed %llu + failed %llu + "
                            "dropped %llu + in flight %llu (counter says %llu)",
                            s->name, (unsigned long long)a->arrivals,
                            (unsigned long long)a->completed, (unsigned long long)a->failed,
                            (unsigned long long)a->dropped,
                            (unsigned long long)ls.svc_live[i],
                            (unsigned long long)s->in_flight);
            rc = SIM_ELEDGER;
        }
    }
    for (uint32_t i = 0; i < e->nclients && rc == SIM_OK; i++) {
        const sim_client *c = &e->clients[i];
        const sim_flow_counts *a = &c->all;
        if (ls.client_live[i] != c->in_flight ||
            a->sent != a->ok + a->failed + a->timeouts + a->dropped + ls.client_live[i]) {
            sim_engine_fail(e, SIM_ELEDGER,
                            "client '%s': sent %llu != ok %llu + failed %llu + timeouts %llu "
                            "+ dropped %llu + in flight %llu (counter says %llu)",
                            c->name, (unsigned long long)a->sent, (unsigned long long)a->ok,
                            (unsigned long long)a->failed, (unsigned long long)a->timeouts,
                            (unsigned long long)a->dropped,
                            (unsigned long long)ls.client_live[i],
                            (unsigned long long)c->in_flight);
            rc = SIM_ELEDGER;
        }
    }
done:
    sim_free(ls.svc_live);
    sim_free(ls.client_live);
    return rc;
}

/* ---- the run ------------------------------------------------------------------------ */

int sim_engine_run(sim_engine *e)
{
    if (e->ran)
        return SIM_ESTATE;
    for (uint32_t i = 0; i < e->nsvcs; i++)
        for (uint32_t j = 0; j < e->svcs[i].neps; j++)
            if (!e->svcs[i].eps[j].closed)
                return SIM_EINVAL;
    e->ran = 1;
    int rc = links_build(e);
    if (rc != SIM_OK)
        return rc;
    const double end = e->cfg.duration;
    if (e->cfg.warmup > 0)
        sim_engine_event(e, on_warmup, NULL, NULL, e->cfg.warmup);
    e->ticks = 1;
    sim_engine_event(e, on_sample, NULL, NULL, e->cfg.sample);
    for (uint32_t i = 0; i < e->nclients && !e->err; i++)
        sim_client_start(e, &e->clients[i]);

    sim_calendar *cal = &e->cal;
    uint64_t n = 0;
    while (!e->err && cal->n && cal->heap[0].time <= end) {
        sim_event *ev = sim_calendar_pop(cal);
        e->now = ev->time;
        ev->fn(e, ev);
        /* The handler may have re-armed the event; otherwise it goes back to the pool. */
        if (ev->slot == 0)
            sim_pool_put(&e->events, ev);
        n++;
    }
    e->nevents = n;
    if (e->err)
        return e->err;
    e->now = end;
    return ledger_check(e);
}
