/* broker: queues and topics — publish, acceptance, buffers, delivery to consumer groups,
 * acknowledgements, the broker kind's hooks and its ledger. See broker.h. */
#include "model/broker.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/check.h"
#include "core/error.h"
#include "model/engine.h"

/* ---- lists and counters ----------------------------------------------------------------- */

static inline void push(sim_mlist *l, sim_msg *m)
{
    m->next = NULL;
    if (l->tail)
        l->tail->next = m;
    else
        l->head = m;
    l->tail = m;
    l->n++;
}

static inline sim_msg *pop(sim_mlist *l)
{
    sim_msg *m = l->head;
    l->head = m->next;
    if (!l->head)
        l->tail = NULL;
    l->n--;
    m->next = NULL;
    return m;
}

static inline void push_front(sim_mlist *l, sim_msg *m)
{
    m->next = l->head;
    l->head = m;
    if (!l->tail)
        l->tail = m;
    l->n++;
}

/* Counts of the whole run, of the sample, and of the window, which follows cohorts as flows and
 * services do: a message counts there when it was published in the window (docs/outputs.md). */
#define COUNT(st, m, f) ((st)->all.f++, (st)->tick.f++, (st)->win.f += (m)->counted)
/* A count of a group that its broker's row sums. */
#define COUNT2(b, g, m, f) (COUNT(&(g)->st, m, f), COUNT(&(b)->st, m, f))

/* A change of a group's buffer, lag or busy consumers, mirrored in its broker's sums. */
static inline void set_depth(sim_engine *e, sim_broker *b, sim_group *g, int d)
{
    g->st.depth += (uint64_t)(int64_t)d;
    b->st.depth += (uint64_t)(int64_t)d;
    sim_tw_set(&g->st.tw_depth, e->now, (double)g->st.depth);
    sim_tw_set(&b->st.tw_depth, e->now, (double)b->st.depth);
}

static inline void set_lag(sim_engine *e, sim_broker *b, sim_group *g, uint32_t p, int d)
{
    if (g->nparts) {
        sim_part *q = &g->parts[p];
        q->lag += (uint64_t)(int64_t)d;
        sim_tw_set(&q->tw_lag, e->now, (double)q->lag);
    }
    g->st.lag += (uint64_t)(int64_t)d;
    b->st.lag += (uint64_t)(int64_t)d;
    sim_tw_set(&g->st.tw_lag, e->now, (double)g->st.lag);
    sim_tw_set(&b->st.tw_lag, e->now, (double)b->st.lag);
}

static inline void set_busy(sim_engine *e, sim_broker *b, sim_group *g, int d)
{
    g->st.busy = (uint32_t)((int)g->st.busy + d);
    b->st.busy = (uint32_t)((int)b->st.busy + d);
    sim_tw_set(&g->st.tw_busy, e->now, g->st.busy);
    sim_tw_set(&b->st.tw_busy, e->now, b->st.busy);
}

/* ---- a group's buffers and its lag in seconds --------------------------------------------- */

/* The buffer of partition p of g (of the group itself when it has no partitions). */
static inline sim_mlist *gbuf(sim_group *g, uint32_t p)
{
    return g->nparts ? &g->parts[p].buf : &g->buf;
}

/* The age of g's oldest buffered message at now (0 when nothing is buffered). */
static inline double ls_value(const sim_group *g, sim_time now)
{
    return g->ls_old < INFINITY ? now - g->ls_old : 0;
}

/* The integral of that age from the window's start to now: between two changes of the oldest
 * message the age grows linearly, so each piece is a trapezoid. */
static inline double ls_area_at(const sim_group *g, sim_time now)
{
    if (!(g->ls_old < INFINITY))
        return g->ls_area;
    return g->ls_area + (now - g->ls_last) * ((now + g->ls_last) / 2 - g->ls_old);
}

static void ls_advance(sim_group *g, sim_time now)
{
    double v = ls_value(g, now);
    if (v > g->ls_max)
        g->ls_max = v;
    g->ls_area = ls_area_at(g, now);
    g->ls_last = now;
}

/* The head of partition p's buffer changed. The group's oldest message is the oldest of the
 * partitions' heads; it is looked for again only when the partition that held it loses its
 * head (each delivery has about one chance in P of that), never in the buffers. */
static void head_changed(sim_engine *e, sim_group *g, uint32_t p)
{
    const sim_mlist *l = gbuf(g, p);
    double t = l->head ? l->head->t_acc : INFINITY;
    if (t < g->ls_old) {
        ls_advance(g, e->now);
        g->ls_old = t;
        g->ls_part = p;
        return;
    }
    if (p != g->ls_part || t == g->ls_old)
        return;
    ls_advance(g, e->now);
    g->ls_old = t;
    for (uint32_t k = 0; k < g->nparts; k++) {
        const sim_msg *h = g->parts[k].buf.head;
        if (h && h->t_acc < g->ls_old) {
            g->ls_old = h->t_acc;
            g->ls_part = k;
        }
    }
}

static void gpush(sim_engine *e, sim_group *g, sim_msg *m)
{
    sim_mlist *l = gbuf(g, m->part);
    push(l, m);
    if (l->head == m)
        head_changed(e, g, m->part);
}

static void gpush_front(sim_engine *e, sim_group *g, sim_msg *m)
{
    push_front(gbuf(g, m->part), m);
    head_changed(e, g, m->part);
}

static sim_msg *gpop(sim_engine *e, sim_group *g, uint32_t p)
{
    sim_msg *m = pop(gbuf(g, p));
    head_changed(e, g, p);
    return m;
}

/* Frees m, and its reference on the caller of a request-reply (last: that may free requests). */
static void msg_free(sim_engine *e, sim_msg *m)
{
    sim_req *caller = m->caller;
    m->state = SIM_MSG_FREE;
    m->caller = NULL;
    sim_pool_put(&e->msgs, m);
    if (caller)
        sim_req_release(e, caller);
}

static inline void msg_pin(sim_msg *m)
{
    if (!m->pinned) {
        m->pinned = 1;
        sim_req_pin(m->root);
    }
}

static inline void msg_unpin(sim_engine *e, sim_msg *m)
{
    if (m->pinned) {
        m->pinned = 0;
        sim_req_unpin(e, m->root);
    }
}

/* ---- the dedupe set of an idempotent group ------------------------------------------------ */

static inline uint32_t dd_slot(const sim_dedupe *d, uint64_t key)
{
    return (uint32_t)((key * 0x9E3779B97F4A7C15u) >> d->shift);
}

static int dd_has(const sim_dedupe *d, uint64_t key)
{
    if (d->n == 0)
        return 0;
    for (uint32_t i = dd_slot(d, key);; i = (i + 1) & (d->cap - 1)) {
        if (d->keys[i] == key)
            return 1;
        if (d->keys[i] == 0)
            return 0;
    }
}

/* Removes key (present) and shifts back the entries of its probe run behind it. */
static void dd_del(sim_dedupe *d, uint64_t key)
{
    uint32_t mask = d->cap - 1, i = dd_slot(d, key);
    while (d->keys[i] != key)
        i = (i + 1) & mask;
    for (uint32_t j = i;;) {
        d->keys[i] = 0;
        for (;;) {
            j = (j + 1) & mask;
            if (d->keys[j] == 0) {
                d->n--;
                return;
            }
            uint32_t h = dd_slot(d, d->keys[j]);
            /* the entry at j may move to i when its home h is not in (i, j] (cyclically) */
            if (i <= j ? (h <= i || h > j) : (h <= i && h > j))
                break;
        }
        d->keys[i] = d->keys[j];
        i = j;
    }
}

static void dd_expire(sim_dedupe *d, sim_time now)
{
    while (d->rn > 0 && d->ring[d->rhead].expires <= now) {
        dd_del(d, d->ring[d->rhead].key);
        d->rhead = (d->rhead + 1) & (d->rcap - 1);
        d->rn--;
    }
}

static void dd_put(sim_dedupe *d, uint64_t key)
{
    uint32_t i = dd_slot(d, key);
    while (d->keys[i] != 0)
        i = (i + 1) & (d->cap - 1);
    d->keys[i] = key;
    d->n++;
}

/* Remembers key until now + window. SIM_OK or SIM_ENOMEM (the set is unchanged). */
static int dd_add(sim_dedupe *d, uint64_t key, sim_time now)
{
    if (d->rn == d->rcap) {   /* the ring doubles, its entries in order from 0 */
        uint32_t cap = d->rcap ? d->rcap * 2 : 64;
        struct sim_dd_entry *r = cap > d->rcap ? sim_malloc((size_t)cap * sizeof *r) : NULL;
        if (!r)
            return SIM_ENOMEM;
        for (uint32_t k = 0; k < d->rn; k++)
            r[k] = d->ring[(d->rhead + k) & (d->rcap - 1)];
        sim_free(d->ring);
        d->ring = r;
        d->rcap = cap;
        d->rhead = 0;
    }
    if ((uint64_t)(d->n + 1) * 4 > (uint64_t)d->cap * 3) {   /* the table doubles: rehash */
        uint32_t cap = d->cap ? d->cap * 2 : 128, shift = d->cap ? d->shift - 1 : 64 - 7;
        uint64_t *old = d->keys, *keys = cap > d->cap ? sim_calloc(cap, sizeof *keys) : NULL;
        if (!keys)
            return SIM_ENOMEM;
        uint32_t oldcap = d->cap;
        d->keys = keys;
        d->cap = cap;
        d->shift = shift;
        d->n = 0;
        for (uint32_t k = 0; k < oldcap; k++)
            if (old[k])
                dd_put(d, old[k]);
        sim_free(old);
    }
    dd_put(d, key);
    d->ring[(d->rhead + d->rn++) & (d->rcap - 1)] = (struct sim_dd_entry){ key, now + d->window };
    return SIM_OK;
}

static void dd_free(sim_dedupe *d)
{
    if (!d)
        return;
    sim_free(d->keys);
    sim_free(d->ring);
    sim_free(d);
}

/* ---- builders (model.h) ----------------------------------------------------------------- */

static void stats_init(sim_bstats *st)
{
    memset(st, 0, sizeof *st);
    sim_hist_init(&st->age);
    sim_hist_init(&st->sojourn);
    sim_hist_init(&st->lag_seen);
}

static void stats_fini(sim_bstats *st)
{
    sim_hist_fini(&st->age);
    sim_hist_fini(&st->sojourn);
    sim_hist_fini(&st->lag_seen);
}

static int group_add(sim_broker *b, const char *name)
{
    if (sim_grow((void **)&b->groups, b->ngroups, sizeof *b->groups) != 0)
        return SIM_ENOMEM;
    sim_group *g = &b->groups[b->ngroups];
    memset(g, 0, sizeof *g);
    stats_init(&g->st);
    sim_hist_init(&g->ls_seen);
    size_t n = strlen(b->name) + strlen(name) + 2;
    g->name = sim_strdup(name);
    g->label = sim_malloc(n);
    b->ngroups++;   /* counted even on ENOMEM so that the broker's fini frees the parts */
    if (!g->name || !g->label)
        return SIM_ENOMEM;
    snprintf(g->label, n, "%s/%s", b->name, name);
    g->started = 1;
    g->ls_old = INFINITY;
    return SIM_OK;
}

int sim_broker_add(sim_engine *e, const char *name, const sim_broker_config *cfg,
                   uint32_t *index)
{
    if (e->ran) {
        sim_dist_free(cfg->cost);
        sim_dist_free(cfg->rebalance);
        return SIM_ESTATE;
    }
    if (!name || (unsigned)cfg->type > SIM_BROKER_TOPIC || cfg->capacity < -1 ||
        cfg->capacity == 0 || (unsigned)cfg->on_full > SIM_FULL_BLOCK || cfg->workers < 1 ||
        (unsigned)cfg->assignment > SIM_ASSIGN_ROUND_ROBIN || !(cfg->retention >= 0) ||
        (cfg->partitions == 0 && (cfg->retention > 0 || cfg->retention_size || cfg->rebalance)) ||
        (cfg->partitions > 0 && (cfg->type != SIM_BROKER_TOPIC || cfg->capacity != -1))) {
        sim_dist_free(cfg->cost);
        sim_dist_free(cfg->rebalance);
        return SIM_EINVAL;
    }
    if (sim_grow((void **)&e->brokers, e->nbrokers, sizeof *e->brokers) != 0) {
        sim_dist_free(cfg->cost);
        sim_dist_free(cfg->rebalance);
        return SIM_ENOMEM;
    }
    if (e->nbrokers == 0)
        sim_pool_init(&e->msgs, sizeof(sim_msg), 1024);
    sim_broker *b = &e->brokers[e->nbrokers];
    memset(b, 0, sizeof *b);
    b->cfg = *cfg;
    b->index = e->nbrokers;
    stats_init(&b->st);
    b->name = sim_strdup(name);
    e->nbrokers++;   /* counted at once: sim_brokers_fini frees what it holds */
    if (!b->name)
        return SIM_ENOMEM;
    sim_engine_stream(e, &b->rng_cost, "broker", name, "cost");
    sim_engine_stream(e, &b->rng_rebalance, "broker", name, "rebalance");
    if (cfg->type == SIM_BROKER_QUEUE && group_add(b, name) != SIM_OK)
        return SIM_ENOMEM;
    if (index)
        *index = b->index;
    return SIM_OK;
}

int sim_subscribe(sim_engine *e, uint32_t broker, const sim_subscription *sub)
{
    if (e->ran)
        return SIM_ESTATE;
    if (broker >= e->nbrokers || sub->service >= e->nsvcs ||
        sub->endpoint >= e->svcs[sub->service].neps || sub->consumers < 1 ||
        sub->prefetch < sub->consumers || (unsigned)sub->delivery > SIM_AT_MOST_ONCE ||
        !(sub->visibility_timeout >= 0) || sub->visibility_timeout == INFINITY ||
        sub->dead_letter > e->nbrokers || sub->dead_letter == broker + 1 ||
        (sub->dead_letter && !sub->max_deliveries) ||
        (sub->idempotent && !(sub->dedupe_window > 0)) ||
        (sub->delivery == SIM_AT_MOST_ONCE &&
         (sub->visibility_timeout > 0 || sub->max_deliveries || sub->idempotent)) ||
        !(sub->start >= 0 && sub->start < INFINITY) ||
        !(sub->leave_at >= 0 && sub->leave_at < INFINITY) || !(sub->leave_for >= 0))
        return SIM_EINVAL;
    sim_broker *b = &e->brokers[broker];
    const char *group = sub->group ? sub->group : e->svcs[sub->service].name;
    uint32_t gi = 0;
    if (b->cfg.type == SIM_BROKER_TOPIC) {
        while (gi < b->ngroups && strcmp(b->groups[gi].name, group))
            gi++;
        if (gi == b->ngroups && group_add(b, group) != SIM_OK)
            return SIM_ENOMEM;
    }
    sim_group *g = &b->groups[gi];
    if (g->nmembers == 0) {   /* the first subscription of a group says when it starts */
        g->start = sub->start;
        g->earliest = sub->earliest;
        g->started = !(sub->start > 0);
    }
    if (sub->idempotent && !g->dd && !(g->dd = sim_calloc(1, sizeof *g->dd)))
        return SIM_ENOMEM;
    if (sim_grow((void **)&g->members, g->nmembers, sizeof *g->members) != 0)
        return SIM_ENOMEM;
    sim_member *mb = &g->members[g->nmembers++];
    memset(mb, 0, sizeof *mb);
    mb->service = sub->service;
    mb->endpoint = sub->endpoint;
    mb->consumers = sub->consumers;
    mb->prefetch = sub->prefetch;
    mb->at_most_once = sub->delivery == SIM_AT_MOST_ONCE;
    mb->idempotent = sub->idempotent;
    mb->max_deliveries = sub->max_deliveries;
    mb->dead_letter = sub->dead_letter;
    mb->visibility = sub->visibility_timeout;
    mb->leave_at = sub->leave_at;
    mb->leave_for = sub->leave_for;
    mb->live = 1;
    /* the group remembers for the longest window of its idempotent members */
    if (sub->idempotent && sub->dedupe_window > g->dd->window)
        g->dd->window = sub->dedupe_window;
    g->st.consumers += sub->consumers;
    b->st.consumers += sub->consumers;
    return SIM_OK;
}

void sim_brokers_fini(sim_engine *e)
{
    for (uint32_t i = 0; i < e->nbrokers; i++) {
        sim_broker *b = &e->brokers[i];
        for (uint32_t k = 0; k < b->ngroups; k++) {
            sim_group *g = &b->groups[k];
            sim_free(g->name);
            sim_free(g->label);
            sim_free(g->members);
            dd_free(g->dd);
            stats_fini(&g->st);
            sim_hist_fini(&g->ls_seen);
            sim_free(g->parts);
            sim_free(g->slots);
        }
        sim_free(b->groups);
        sim_free(b->ret);
        sim_dist_free(b->cfg.cost);
        sim_dist_free(b->cfg.rebalance);
        stats_fini(&b->st);
        sim_free(b->name);
    }
    if (e->nbrokers)
        sim_pool_fini(&e->msgs);
    sim_free(e->brokers);
    sim_free(e->brows);
}

static void on_group_start(sim_engine *e, sim_event *ev);
static void on_leave(sim_engine *e, sim_event *ev);
static void assign(sim_group *g);

/* A partitioned group's partitions and slots (one per consumer of each subscription), every
 * subscription live; the partitions are assigned when the group starts. */
static int parts_start(sim_engine *e, sim_broker *b, sim_group *g)
{
    uint64_t nslots = 0;
    for (uint32_t j = 0; j < g->nmembers; j++) {
        g->members[j].slot0 = (uint32_t)nslots;
        g->members[j].live = 1;
        nslots += g->members[j].consumers;
    }
    if (nslots >= UINT32_MAX)
        return SIM_ENOMEM;
    g->nparts = b->cfg.partitions;
    g->parts = sim_calloc(g->nparts, sizeof *g->parts);
    g->slots = nslots ? sim_calloc((size_t)nslots, sizeof *g->slots) : NULL;
    if (!g->parts || (nslots && !g->slots))
        return SIM_ENOMEM;
    g->nslots = (uint32_t)nslots;
    for (uint32_t j = 0, k = 0; j < g->nmembers; j++)
        for (uint32_t c = 0; c < g->members[j].consumers; c++, k++)
            g->slots[k] = (sim_slot){ j, NULL, SIM_NONE, SIM_NONE };
    for (uint32_t p = 0; p < g->nparts; p++) {
        g->parts[p].owner = g->parts[p].next_ready = SIM_NONE;
        sim_tw_init(&g->parts[p].tw_lag, e->now, 0);
    }
    return SIM_OK;
}

int sim_brokers_start(sim_engine *e)
{
    if (e->nbrokers == 0)
        return SIM_OK;
    for (uint32_t i = 0; i < e->nbrokers; i++) {
        sim_broker *b = &e->brokers[i];
        for (uint32_t k = 0; k < b->ngroups; k++)
            for (uint32_t j = 0; j < b->groups[k].nmembers; j++) {
                uint32_t d = b->groups[k].members[j].dead_letter;
                const char *bad = b->replies ? b->name : d && e->brokers[d - 1].replies
                                                             ? e->brokers[d - 1].name
                                                             : NULL;
                if (bad) {   /* only replies may enter a reply queue, and only callers read it */
                    sim_engine_fail(e, SIM_EMODEL, "queue '%s' is a reply queue: it cannot be "
                                    "subscribed to or take dead letters", bad);
                    return SIM_EMODEL;
                }
            }
        for (uint32_t k = 0; k < b->ngroups; k++) {
            sim_group *g = &b->groups[k];
            g->b = b;
            if (b->cfg.partitions && parts_start(e, b, g) != SIM_OK) {
                sim_engine_fail(e, SIM_ENOMEM, "out of memory for the partitions of '%s'",
                                g->label);
                return SIM_ENOMEM;
            }
            if (g->started)
                assign(g);
            else if (!sim_engine_at(e, g->start, on_group_start, g, 0))
                return e->err ? e->err : SIM_ENOMEM;
            for (uint32_t j = 0; b->cfg.partitions && j < g->nmembers; j++)
                if (g->members[j].leave_for > 0 &&
                    !sim_engine_at(e, g->members[j].leave_at, on_leave, g, j))
                    return e->err ? e->err : SIM_ENOMEM;
        }
    }
    uint64_t n = e->nbrokers;
    for (uint32_t i = 0; i < e->nbrokers; i++)
        n += e->brokers[i].ngroups;
    e->brows = n < UINT32_MAX ? sim_calloc(n, sizeof *e->brows) : NULL;
    if (!e->brows) {
        sim_engine_fail(e, SIM_ENOMEM, "out of memory for the brokers");
        return SIM_ENOMEM;
    }
    for (uint32_t i = 0; i < e->nbrokers; i++) {
        sim_broker *b = &e->brokers[i];
        e->brows[e->nbrows++] = (sim_brow){ b, NULL };
        for (uint32_t k = 0; k < b->ngroups; k++)
            e->brows[e->nbrows++] = (sim_brow){ b, &b->groups[k] };
    }
    return SIM_OK;
}

/* ---- publish and acceptance ------------------------------------------------------------- */

static void on_arrive(sim_engine *e, sim_event *ev);
static void on_published(sim_engine *e, sim_event *ev);
static void on_at_consumer(sim_engine *e, sim_event *ev);
static void on_ack(sim_engine *e, sim_event *ev);
static void on_pub_ack(sim_engine *e, sim_event *ev);
static void pump(sim_engine *e, sim_broker *b);
static void publish_fail(sim_engine *e, sim_broker *b, sim_msg *m, sim_cause c);
static void publish_timer(sim_engine *e, sim_req *r, uint32_t token);

/* A message's partition in b: its key's, or the next in turn; 0 without partitions. */
static inline uint32_t pick_part(sim_broker *b, sim_key *key)
{
    uint32_t n = b->cfg.partitions;
    if (n == 0)
        return 0;
    return (uint32_t)((key ? sim_key_draw(key) : b->rr++) % n);
}

int sim_broker_publish(sim_engine *e, sim_req *r, uint32_t broker, int ack, sim_key *key)
{
    sim_broker *b = &e->brokers[broker];
    sim_msg *m = sim_pool_get(&e->msgs);
    if (!m) {
        sim_engine_fail(e, SIM_ENOMEM, "out of memory for messages");
        return 0;
    }
    m->next = NULL;
    m->state = SIM_MSG_TO_BROKER;
    m->outcome = SIM_CAUSE_OK;
    m->group = m->member = 0;
    m->part = pick_part(b, key);
    m->slot = SIM_NONE;
    m->off = 0;
    m->b = b;
    m->root = r->root;
    m->producer = NULL;
    m->inst = NULL;
    m->seq = 0;
    m->pinned = 0;
    m->ghost = m->released = m->suppressed = 0;
    m->deliveries = 0;
    m->vt = NULL;
    m->caller = NULL;
    m->reply_to = 0;
    m->replied = m->reply = 0;
    m->ob = NULL;
    m->epoch = 0;
    m->applied = 0;
    m->counted = e->now >= e->cfg.warmup;
    msg_pin(m);
    COUNT(&b->st, m, sent);
    int wait = ack || b->cfg.on_full == SIM_FULL_BLOCK;
    if (wait) {   /* the producer's life is kept until the acknowledgement is back */
        m->producer = r;
        r->refs++;
        m->pgen = sim_req_new_wait(e, r);
        r->waits_msg = 1;
        publish_timer(e, r, m->pgen);
    }
    sim_engine_hop(e, r->inst->node, b->node, on_arrive, m, 0);
    return wait;
}

/* A new record with m's contents, in no list, with a pin of its own on m's client request;
 * NULL (the run failed) when the pool is exhausted. */
static sim_msg *msg_copy(sim_engine *e, const sim_msg *m)
{
    sim_msg *c = sim_pool_get(&e->msgs);
    if (!c) {
        sim_engine_fail(e, SIM_ENOMEM, "out of memory for messages");
        return NULL;
    }
    *c = *m;
    c->next = NULL;
    c->pinned = 0;
    msg_pin(c);
    if (c->caller)   /* a request's copy may answer too: it holds the caller as well */
        c->caller->refs++;
    return c;
}

static void start_cost(sim_engine *e, sim_broker *b, sim_msg *m)
{
    b->busy++;
    m->epoch = b->epoch;
    m->state = SIM_MSG_PUBLISHING;
    sim_engine_after(e, sim_dist_sample(b->cfg.cost, &b->rng_cost), on_published, m, 0);
}

static int full(const sim_broker *b)
{
    if (b->cfg.capacity < 0)
        return 0;
    for (uint32_t k = 0; k < b->ngroups; k++)
        if (b->groups[k].buf.n >= (uint64_t)b->cfg.capacity)
            return 1;
    return 0;
}

/* A reply m that will never reach its caller (its reply queue was full, down, or lost it, or
 * the link to it did): counted on its request's queue (the caller will time out). */
static inline void reply_gone(sim_msg *m)
{
    if (SIM_UNLIKELY(m->reply))
        COUNT2(m->ob, &m->ob->groups[m->og], m, reply_dropped);
}

static void drop(sim_engine *e, sim_broker *b, sim_group *g, sim_msg *m)
{
    COUNT(&g->st, m, dropped);
    COUNT(&b->st, m, dropped);
    reply_gone(m);
    msg_unpin(e, m);
    msg_free(e, m);
}

static void ready_push(sim_group *g, uint32_t p);
static void slot_run(sim_engine *e, sim_broker *b, sim_group *g, uint32_t si);

/* The unread message at the head of partition p of g leaves by retention (counted `expired`). */
static void retire(sim_engine *e, sim_broker *b, sim_group *g, uint32_t p)
{
    sim_msg *m = gpop(e, g, p);
    set_depth(e, b, g, -1);
    set_lag(e, b, g, p, -1);
    COUNT2(b, g, m, aged);
    msg_unpin(e, m);
    msg_free(e, m);
}

/* Offers copy c to group g: its buffer, or a drop when it is full. */
static void offer(sim_engine *e, sim_broker *b, sim_group *g, sim_msg *c)
{
    COUNT(&g->st, c, published);
    COUNT(&b->st, c, published);
    c->state = SIM_MSG_BUFFERED;
    if (c->counted) {
        sim_hist_add(&g->st.lag_seen, (double)g->st.lag);
        sim_hist_add(&g->ls_seen, ls_value(g, e->now));
    }
    if (g->nparts) {   /* a log: no capacity, a retention */
        sim_part *q = &g->parts[c->part];
        c->off = ++q->end;
        gpush(e, g, c);
        set_depth(e, b, g, +1);
        set_lag(e, b, g, c->part, +1);
        uint64_t keep = b->cfg.retention_size;
        while (keep && q->buf.head && q->buf.head->off + keep <= q->end)
            retire(e, b, g, c->part);
        ready_push(g, c->part);
        if (q->owner != SIM_NONE)
            slot_run(e, b, g, q->owner);
        return;
    }
    if (b->cfg.capacity >= 0 && g->buf.n >= (uint64_t)b->cfg.capacity) {
        if (b->cfg.on_full != SIM_FULL_DROP_OLDEST) {
            drop(e, b, g, c);   /* drop_new (block never offers to a full group) */
            return;
        }
        sim_msg *old = gpop(e, g, 0);
        set_depth(e, b, g, -1);
        set_lag(e, b, g, 0, -1);
        drop(e, b, g, old);
    }
    gpush(e, g, c);
    set_depth(e, b, g, +1);
    set_lag(e, b, g, 0, +1);
}

static void on_retention(sim_engine *e, sim_event *ev);

/* Remembers the acceptance of m for b's time retention, and arms its pass. */
static void retain(sim_engine *e, sim_broker *b, const sim_msg *m)
{
    if (b->rn == b->rcap) {   /* the ring doubles, its entries in order from 0 */
        uint32_t cap = b->rcap ? b->rcap * 2 : 256;
        struct sim_ret *r = cap > b->rcap ? sim_malloc((size_t)cap * sizeof *r) : NULL;
        if (!r) {
            sim_engine_fail(e, SIM_ENOMEM, "out of memory for the retention of '%s'", b->name);
            return;
        }
        for (uint32_t k = 0; k < b->rn; k++)
            r[k] = b->ret[(b->rhead + k) & (b->rcap - 1)];
        sim_free(b->ret);
        b->ret = r;
        b->rcap = cap;
        b->rhead = 0;
    }
    b->ret[(b->rhead + b->rn) & (b->rcap - 1)] = (struct sim_ret){ m->t_acc, m->part };
    b->rn++;
    if (!b->ret_ev)
        b->ret_ev = sim_engine_at(e, m->t_acc + b->cfg.retention, on_retention, b, 0);
}

/* The messages accepted a retention ago leave every group that has not read them yet: each is
 * at the head of its partition there, or gone already (read, or retired). */
static void on_retention(sim_engine *e, sim_event *ev)
{
    sim_broker *b = ev->a;
    const double keep = b->cfg.retention;
    b->ret_ev = NULL;
    while (b->rn > 0 && b->ret[b->rhead].t + keep <= e->now) {
        uint32_t p = b->ret[b->rhead].part;
        b->rhead = (b->rhead + 1) & (b->rcap - 1);
        b->rn--;
        for (uint32_t k = 0; k < b->ngroups; k++) {
            sim_group *g = &b->groups[k];
            while (g->parts[p].buf.head && g->parts[p].buf.head->t_acc + keep <= e->now)
                retire(e, b, g, p);
        }
    }
    if (b->rn > 0)
        b->ret_ev = sim_engine_at(e, b->ret[b->rhead].t + keep, on_retention, b, 0);
}

/* Whether g takes a message accepted now: a group that starts later takes the messages before
 * its start only when it will replay from the earliest offset. */
static inline int takes(const sim_group *g)
{
    return g->started || g->earliest;
}

static void accept(sim_engine *e, sim_broker *b, sim_msg *m)
{
    sim_req *producer = m->producer;
    uint32_t pgen = m->pgen;
    m->producer = NULL;
    m->seq = ++b->seq;
    m->t_acc = e->now;
    COUNT(&b->st, m, accepted);
    if (m->counted)
        sim_hist_add(&b->st.lag_seen, (double)b->st.lag);
    if (b->cfg.retention > 0)
        retain(e, b, m);
    uint32_t first = 0;
    while (first < b->ngroups && !takes(&b->groups[first]))
        b->groups[first++].skipped++;
    if (first == b->ngroups) {   /* a topic nobody subscribes to (yet): it goes nowhere */
        COUNT(&b->st, m, dropped);
        msg_unpin(e, m);
        msg_free(e, m);
    }
    /* The copies for the other groups first: offering m may drop it. */
    for (uint32_t k = b->ngroups; k-- > first + 1;) {
        if (!takes(&b->groups[k])) {
            b->groups[k].skipped++;
            continue;
        }
        sim_msg *c = msg_copy(e, m);
        if (!c)
            return;
        c->group = k;
        offer(e, b, &b->groups[k], c);
    }
    if (first < b->ngroups) {
        m->group = first;
        offer(e, b, &b->groups[first], m);
    }
    if (producer)
        sim_engine_hop(e, b->node, producer->inst->node, on_pub_ack, producer, pgen);
}

/* A publish arrived (or paid its cost): accepted, or parked behind earlier blocked ones. */
static void admit(sim_engine *e, sim_broker *b, sim_msg *m)
{
    if (b->blocked.n > 0 || (b->cfg.on_full == SIM_FULL_BLOCK && full(b))) {
        m->state = SIM_MSG_BLOCKED;
        push(&b->blocked, m);
        return;
    }
    accept(e, b, m);
}

static void on_arrive(sim_engine *e, sim_event *ev)
{
    sim_msg *m = ev->a;
    sim_broker *b = m->b;
    COUNT(&b->st, m, arrived);
    if (SIM_UNLIKELY(b->down)) {
        publish_fail(e, b, m, SIM_CAUSE_REFUSED);
        return;
    }
    if (!b->cfg.cost) {
        admit(e, b, m);
    } else if (b->cfg.workers == SIM_WORKERS_INF || b->busy < b->cfg.workers) {
        start_cost(e, b, m);
        return;
    } else {
        m->state = SIM_MSG_WAITING;
        push(&b->waiting, m);
        return;
    }
    pump(e, b);
}

static void on_published(sim_engine *e, sim_event *ev)
{
    sim_msg *m = ev->a;
    sim_broker *b = m->b;
    if (SIM_UNLIKELY(m->epoch != b->epoch)) {   /* the broker failed meanwhile (its worker
                                                   was given back then) */
        publish_fail(e, b, m, SIM_CAUSE_CRASHED);
        return;
    }
    if (ALWAYS(b->busy > 0))
        b->busy--;
    admit(e, b, m);
    if (b->waiting.n > 0)
        start_cost(e, b, pop(&b->waiting));
    pump(e, b);
}

static void on_pub_ack(sim_engine *e, sim_event *ev)
{
    sim_req *r = ev->a;
    if (r->waits_msg && ev->u32 == r->gen && r->state == SIM_REQ_RUNNING) {
        r->waits_msg = 0;
        if (r->ev) {   /* its timeout */
            sim_engine_cancel(e, r->ev);
            r->ev = NULL;
        }
        sim_interp_resume(e, r);
    }
    sim_req_release(e, r);   /* the reference the publish took */
}

/* ---- delivery --------------------------------------------------------------------------- */

static void on_visible(sim_engine *e, sim_event *ev);
static void stale_ack(sim_engine *e, sim_broker *b, sim_group *g, sim_member *mb, sim_msg *m);

/* Sends m, just taken from its group's buffer, to member j: over the link to a replica. */
static void hand(sim_engine *e, sim_broker *b, sim_group *g, uint32_t j, sim_msg *m)
{
    sim_member *mb = &g->members[j];
    set_depth(e, b, g, -1);
    mb->outstanding++;
    m->member = j;
    m->epoch = b->epoch;
    m->deliveries++;
    COUNT2(b, g, m, delivered);
    if (mb->visibility > 0)
        m->vt = sim_engine_after(e, mb->visibility, on_visible, m, 0);
    sim_service *s = &e->svcs[mb->service];
    m->inst = sim_balancer_pick(s);
    m->inst->outstanding++;
    m->state = SIM_MSG_TO_CONSUMER;
    sim_engine_hop(e, b->node, m->inst->node, on_at_consumer, m, 0);
}

/* Hands buffered messages to members with room, round robin over the members. A partitioned
 * group delivers slot by slot instead (slot_run). */
static void reply_hand(sim_engine *e, sim_broker *b, sim_group *g, sim_msg *m);

static void deliver(sim_engine *e, sim_broker *b, sim_group *g)
{
    uint32_t n = g->nmembers;
    if (g->nparts || !g->started || b->down)
        return;
    if (SIM_UNLIKELY(b->replies)) {   /* a reply queue: each reply goes to its caller */
        while (g->buf.n > 0 && !e->err)
            reply_hand(e, b, g, gpop(e, g, 0));
        return;
    }
    while (g->buf.n > 0 && n > 0) {
        uint32_t j = g->rr, k = 0;
        /* a member whose service is down (every replica) gets nothing: the queue keeps its
         * messages until the service is back, rather than handing them over to be refused */
        while (k < n && (g->members[j].outstanding >= g->members[j].prefetch ||
                         !g->members[j].live)) {
            j = j + 1 == n ? 0 : j + 1;
            k++;
        }
        if (k == n)
            return;   /* every member has its prefetch out, or is down */
        g->rr = j + 1 == n ? 0 : j + 1;
        hand(e, b, g, j, gpop(e, g, 0));
        if (e->err)
            return;
    }
}

/* ---- partitions: ready lists, assignment, rebalancing ---------------------------------------- */

/* Partition p joins its owner's ready list if it has a message to deliver and none out. */
static void ready_push(sim_group *g, uint32_t p)
{
    sim_part *q = &g->parts[p];
    if (q->queued || q->owner == SIM_NONE || q->out || q->buf.n == 0)
        return;
    sim_slot *s = &g->slots[q->owner];
    q->queued = 1;
    q->next_ready = SIM_NONE;
    if (s->rtail == SIM_NONE)
        s->rhead = p;
    else
        g->parts[s->rtail].next_ready = p;
    s->rtail = p;
}

/* Slot si, if free, takes the head of its next ready partition. A partition that stopped being
 * ready while it waited in the list (retired empty) is passed over once. */
static void slot_run(sim_engine *e, sim_broker *b, sim_group *g, uint32_t si)
{
    sim_slot *s = &g->slots[si];
    if (g->paused || !g->started || s->out || !g->members[s->member].live || b->down)
        return;
    while (s->rhead != SIM_NONE) {
        uint32_t p = s->rhead;
        sim_part *q = &g->parts[p];
        s->rhead = q->next_ready;
        if (s->rhead == SIM_NONE)
            s->rtail = SIM_NONE;
        q->queued = 0;
        if (q->owner != si || q->out || q->buf.n == 0)
            continue;
        sim_msg *m = gpop(e, g, p);
        q->out = s->out = m;
        m->slot = si;
        hand(e, b, g, s->member, m);
        return;
    }
}

/* m's delivery from partition p by slot si is over (settled, failed, or timed out): both may
 * deliver again. */
static void settle(sim_engine *e, sim_broker *b, sim_group *g, uint32_t p, uint32_t si)
{
    if (!g->nparts)
        return;
    sim_part *q = &g->parts[p];
    q->out = NULL;
    if (si < g->nslots)
        g->slots[si].out = NULL;
    ready_push(g, p);
    if (si < g->nslots)
        slot_run(e, b, g, si);
    if (q->owner != SIM_NONE && q->owner != si)
        slot_run(e, b, g, q->owner);
}

/* Gives every partition of g to one live slot: contiguous ranges (the first P mod C slots get
 * one more) or in turn; none when no consumer is live. O(P + C), once per rebalance. */
static void assign(sim_group *g)
{
    if (!g->nparts)
        return;
    uint32_t live = 0;
    for (uint32_t k = 0; k < g->nslots; k++) {
        g->slots[k].rhead = g->slots[k].rtail = SIM_NONE;
        live += g->members[g->slots[k].member].live;
    }
    for (uint32_t p = 0; p < g->nparts; p++) {
        g->parts[p].owner = SIM_NONE;
        g->parts[p].queued = 0;
    }
    const sim_broker *b = g->b;
    uint32_t P = g->nparts, i = 0, next = 0;
    for (uint32_t k = 0; live && k < g->nslots; k++) {
        if (!g->members[g->slots[k].member].live)
            continue;
        if (b->cfg.assignment == SIM_ASSIGN_ROUND_ROBIN) {
            for (uint32_t p = i; p < P; p += live)
                g->parts[p].owner = k;
        } else {
            uint32_t n = P / live + (i < P % live);
            for (uint32_t p = next; p < next + n; p++)
                g->parts[p].owner = k;
            next += n;
        }
        i++;
    }
    for (uint32_t p = 0; p < P; p++)
        ready_push(g, p);
}

/* Every slot of g that can deliver does. */
static void run_all(sim_engine *e, sim_broker *b, sim_group *g)
{
    if (!g->nparts) {
        deliver(e, b, g);
        return;
    }
    for (uint32_t k = 0; k < g->nslots && !e->err; k++)
        slot_run(e, b, g, k);
}

static void on_group_start(sim_engine *e, sim_event *ev)
{
    sim_group *g = ev->a;
    g->started = 1;
    assign(g);
    run_all(e, g->b, g);
    pump(e, g->b);
}

static void on_rebalanced(sim_engine *e, sim_event *ev)
{
    sim_group *g = ev->a;
    if (ev->u32 != g->rb_gen)
        return;   /* another member left or came back meanwhile: that rebalance decides */
    g->paused = 0;
    assign(g);
    run_all(e, g->b, g);
}

/* Whether member j takes part in its group: its service is up and it has not left. 1 when
 * that changed. */
static int member_update(const sim_engine *e, sim_group *g, uint32_t j)
{
    sim_member *mb = &g->members[j];
    const sim_service *sv = &e->svcs[mb->service];
    uint8_t live = sv->ndown < sv->cfg.replicas && !mb->away;
    if (live == mb->live)
        return 0;
    mb->live = live;
    return 1;
}

/* A consumer of g left or came back: the group pauses, then assigns its partitions again. */
static void rebalance(sim_engine *e, sim_broker *b, sim_group *g)
{
    if (!g->started)
        return;   /* it assigns when it starts */
    g->paused = 1;
    g->rb_gen++;
    int counted = e->now >= e->cfg.warmup;
    g->st.all.rebalances++, g->st.tick.rebalances++, g->st.win.rebalances += counted;
    b->st.all.rebalances++, b->st.tick.rebalances++, b->st.win.rebalances += counted;
    double pause = b->cfg.rebalance ? sim_dist_sample(b->cfg.rebalance, &b->rng_rebalance) : 0;
    sim_engine_after(e, pause > 0 ? pause : 0, on_rebalanced, g, g->rb_gen);
}

/* Member ev->u32 of group ev->a leaves (and its return is scheduled) or comes back. */
static void on_leave(sim_engine *e, sim_event *ev)
{
    sim_group *g = ev->a;
    sim_member *mb = &g->members[ev->u32];
    mb->away = !mb->away;
    if (mb->away && mb->leave_for < INFINITY)
        sim_engine_after(e, mb->leave_for, on_leave, g, ev->u32);
    if (!e->err && member_update(e, g, ev->u32))
        rebalance(e, g->b, g);
}

void sim_brokers_service_changed(sim_engine *e, uint32_t service)
{
    for (uint32_t i = 0; i < e->nbrokers && !e->err; i++) {
        sim_broker *b = &e->brokers[i];
        int wake = 0;
        for (uint32_t k = 0; k < b->ngroups && !e->err; k++) {
            sim_group *g = &b->groups[k];
            int changed = 0;
            for (uint32_t j = 0; j < g->nmembers; j++)
                if (g->members[j].service == service)
                    changed |= member_update(e, g, j);
            if (changed && b->cfg.partitions)
                rebalance(e, b, g);   /* a partitioned group pauses and assigns again */
            else if (changed)
                wake = 1;             /* a queue's consumer is back: deliver to it */
        }
        if (wake && !e->err)
            pump(e, b);
    }
}

/* Delivers what it can and lets blocked publishes in while there is room. */
static void pump(sim_engine *e, sim_broker *b)
{
    if (b->pumping)
        return;
    b->pumping = 1;
    for (;;) {
        for (uint32_t k = 0; k < b->ngroups && !e->err; k++)
            deliver(e, b, &b->groups[k]);
        if (e->err || b->blocked.n == 0 || full(b))
            break;
        accept(e, b, pop(&b->blocked));
    }
    b->pumping = 0;
}

/* m, its group's message (in the lag, neither buffered nor delivered any more), failed a
 * delivery: back to the head of the buffer, or after max_deliveries to the dead-letter broker
 * (a publish from this broker; the message keeps its pin on the client request) or lost. */
static void redeliver(sim_engine *e, sim_broker *b, sim_group *g, const sim_member *mb,
                      sim_msg *m)
{
    if (mb->max_deliveries && m->deliveries >= mb->max_deliveries) {
        set_lag(e, b, g, m->part, -1);
        if (!mb->dead_letter) {
            COUNT2(b, g, m, lost);
            msg_unpin(e, m);
            msg_free(e, m);
            return;
        }
        COUNT2(b, g, m, dead_lettered);
        if (m->caller) {   /* a dead-lettered request is answered by nobody */
            sim_req *caller = m->caller;
            m->caller = NULL;
            m->reply_to = 0;
            sim_req_release(e, caller);
        }
        sim_broker *d = &e->brokers[mb->dead_letter - 1];
        m->state = SIM_MSG_TO_BROKER;
        m->b = d;
        m->outcome = SIM_CAUSE_OK;
        m->group = m->member = 0;
        m->part = pick_part(d, NULL);
        m->slot = SIM_NONE;
        m->off = 0;
        m->producer = NULL;
        m->inst = NULL;
        m->seq = 0;
        m->ghost = m->released = m->suppressed = m->applied = 0;
        m->deliveries = 0;
        COUNT(&d->st, m, sent);
        sim_engine_hop(e, b->node, d->node, on_arrive, m, 0);
        return;
    }
    COUNT2(b, g, m, redelivered);
    m->state = SIM_MSG_BUFFERED;
    gpush_front(e, g, m);   /* even past the capacity: it was accepted already */
    set_depth(e, b, g, +1);
}

/* A delivery's visibility timeout: the broker redelivers a copy of the message; the delivery
 * goes on as a ghost, no longer the group's message (its acknowledgement will be late). */
static void on_visible(sim_engine *e, sim_event *ev)
{
    sim_msg *m = ev->a;
    m->vt = NULL;
    sim_broker *b = m->b;
    if (m->epoch != b->epoch && !b->cfg.durable)
        return;   /* the broker forgot the delivery when it failed: its ack settles it */
    sim_group *g = &b->groups[m->group];
    sim_member *mb = &g->members[m->member];
    sim_msg *c = msg_copy(e, m);   /* the root is alive: m or its processing pins it */
    if (!c)
        return;
    c->inst = NULL;
    c->outcome = SIM_CAUSE_OK;
    c->suppressed = 0;
    m->ghost = 1;
    COUNT2(b, g, m, expired);
    if (ALWAYS(mb->outstanding > 0))
        mb->outstanding--;
    uint32_t p = m->part, si = m->slot;
    redeliver(e, b, g, mb, c);
    settle(e, b, g, p, si);
    pump(e, b);
}

/* An idempotent member: has the group processed this message (within its window)? */
static int seen(sim_engine *e, sim_group *g, const sim_msg *m)
{
    dd_expire(g->dd, e->now);
    return dd_has(g->dd, m->seq);
}

/* The consumer is done with m (processed, failed, or skipped as a duplicate): at_most_once
 * settles it here; otherwise its acknowledgement travels back from node. The message keeps its
 * client request alive while it may come back (a failure, or a timeout that may fire). */
static void consumer_done(sim_engine *e, sim_broker *b, sim_group *g, sim_member *mb,
                          sim_msg *m, uint32_t node)
{
    if (mb->at_most_once) {   /* acknowledged already */
        if (m->outcome == SIM_CAUSE_OK)
            COUNT2(b, g, m, acked);
        else
            COUNT2(b, g, m, lost);
        uint32_t p = m->part, si = m->slot;
        msg_unpin(e, m);
        msg_free(e, m);
        settle(e, b, g, p, si);   /* the consumer was busy with it until now */
        return;
    }
    if (m->outcome == SIM_CAUSE_OK && mb->idempotent && !m->suppressed) {
        if (seen(e, g, m)) {   /* another delivery applied it first: not applied again */
            m->suppressed = 1;
            COUNT2(b, g, m, suppressed);
        } else if (dd_add(g->dd, m->seq, e->now) != SIM_OK) {
            sim_engine_fail(e, SIM_ENOMEM, "out of memory for the dedupe window of '%s'",
                            g->label);
            return;
        }
    }
    /* A durable broker that can fail redelivers a delivery whose acknowledgement a failure
     * catches: such a message may come back too. */
    if (!m->ghost && (m->outcome != SIM_CAUSE_OK || m->vt || (b->fails && b->cfg.durable)))
        msg_pin(m);
    else
        msg_unpin(e, m);
    m->state = SIM_MSG_ACKING;
    sim_engine_hop(e, node, b->node, on_ack, m, 0);
}

/* One of the member's consumers takes m: a request of the subscribing service; or an idempotent
 * member skips a message its group has processed. 1 when a consumer is now busy with it. */
static int process(sim_engine *e, sim_broker *b, sim_group *g, sim_member *mb, sim_msg *m)
{
    uint64_t *max = g->nparts ? &g->parts[m->part].max_started : &g->max_started;
    if (m->seq < *max)
        COUNT2(b, g, m, out_of_order);
    else
        *max = m->seq;
    if (m->counted) {
        sim_hist_add(&g->st.age, e->now - m->t_acc);
        sim_hist_add(&b->st.age, e->now - m->t_acc);
    }
    if (mb->idempotent && seen(e, g, m)) {
        m->outcome = SIM_CAUSE_OK;
        m->suppressed = 1;
        COUNT2(b, g, m, suppressed);
        if (ALWAYS(m->inst->outstanding > 0))
            m->inst->outstanding--;
        consumer_done(e, b, g, mb, m, m->inst->node);
        return 0;
    }
    mb->busy++;
    set_busy(e, b, g, +1);
    if (mb->at_most_once) {   /* acknowledged on receipt */
        m->released = 1;
        if (ALWAYS(mb->outstanding > 0))
            mb->outstanding--;
        set_lag(e, b, g, m->part, -1);
    }
    sim_service *s = &e->svcs[mb->service];
    sim_req *r = sim_req_new(e, SIM_REQ_CALL, NULL, m->root);
    if (!r)
        return 1;
    r->ep = &s->eps[mb->endpoint];
    r->inst = m->inst;
    r->msg = m;
    r->state = SIM_REQ_TRANSIT;
    msg_unpin(e, m);   /* the request pins the root from here on */
    m->state = SIM_MSG_PROCESSING;
    sim_engine_soon(e, sim_service_arrive, r, r->gen);
    return 1;
}

/* The member's free consumers take what has arrived at it, in order. */
static void consume(sim_engine *e, sim_broker *b, sim_group *g, sim_member *mb)
{
    while (mb->busy < mb->consumers && mb->local.n > 0 && !e->err)
        process(e, b, g, mb, pop(&mb->local));
    if (mb->at_most_once)
        pump(e, b);   /* receipts freed prefetch room */
}

static void on_at_consumer(sim_engine *e, sim_event *ev)
{
    sim_msg *m = ev->a;
    sim_broker *b = m->b;
    sim_group *g = &b->groups[m->group];
    sim_member *mb = &g->members[m->member];
    m->state = SIM_MSG_PREFETCHED;
    push(&mb->local, m);
    consume(e, b, g, mb);
}

static void answer(sim_engine *e, sim_msg *m, uint32_t node);

void sim_broker_request_end(sim_engine *e, sim_req *r)
{
    sim_msg *m = r->msg;
    if (m) {
        r->msg = NULL;
        sim_broker *b = m->b;
        sim_group *g = &b->groups[m->group];
        sim_member *mb = &g->members[m->member];
        m->outcome = r->outcome;
        if (ALWAYS(mb->busy > 0))
            mb->busy--;
        set_busy(e, b, g, -1);
        if (r->outcome == SIM_CAUSE_OK && !m->ghost && m->counted) {
            sim_hist_add(&g->st.sojourn, e->now - m->t_acc);
            sim_hist_add(&b->st.sojourn, e->now - m->t_acc);
        }
        if (SIM_UNLIKELY(m->caller != NULL) && r->outcome == SIM_CAUSE_OK)
            answer(e, m, r->inst->node);   /* a request without a reply() step */
        consumer_done(e, b, g, mb, m, r->inst->node);
        if (!e->err)
            consume(e, b, g, mb);
    }
    sim_req_release(e, r);   /* its own life: nobody holds a reply reference */
}

static void on_ack(sim_engine *e, sim_event *ev)
{
    sim_msg *m = ev->a;
    sim_broker *b = m->b;
    sim_group *g = &b->groups[m->group];
    sim_member *mb = &g->members[m->member];
    if (m->ghost) {   /* late: the message was redelivered meanwhile */
        COUNT2(b, g, m, late);
        if (m->outcome == SIM_CAUSE_OK && !m->suppressed && !mb->idempotent)
            COUNT2(b, g, m, duplicates);
        msg_unpin(e, m);
        msg_free(e, m);
        return;
    }
    if (m->vt) {
        sim_engine_cancel(e, m->vt);
        m->vt = NULL;
    }
    if (ALWAYS(mb->outstanding > 0))
        mb->outstanding--;
    uint32_t p = m->part, si = m->slot;
    if (SIM_UNLIKELY(m->epoch != b->epoch)) {
        stale_ack(e, b, g, mb, m);
    } else if (m->outcome == SIM_CAUSE_OK) {
        if (SIM_UNLIKELY(m->applied) && !m->suppressed && !mb->idempotent)
            COUNT2(b, g, m, duplicates);
        set_lag(e, b, g, p, -1);
        COUNT2(b, g, m, acked);
        msg_unpin(e, m);
        msg_free(e, m);
    } else {
        redeliver(e, b, g, mb, m);
    }
    if (!e->err)
        settle(e, b, g, p, si);
    pump(e, b);
}

/* ---- request-reply ---------------------------------------------------------------------- */

/* The correlation id of a request is its caller and the caller's wait token (cgen): every
 * record of the request (its copies after a visibility timeout, its redeliveries) and its
 * reply hold a reference on the caller, so a reply always finds the caller's memory and tells
 * by the token whether the caller still waits for it. */

static void on_reply(sim_engine *e, sim_event *ev);

void sim_broker_request(sim_engine *e, sim_req *r, uint32_t broker, uint32_t reply_to,
                        uint32_t token)
{
    sim_broker *b = &e->brokers[broker];
    sim_msg *m = sim_pool_get(&e->msgs);
    if (!m) {
        sim_engine_fail(e, SIM_ENOMEM, "out of memory for messages");
        return;
    }
    memset(m, 0, sizeof *m);
    m->state = SIM_MSG_TO_BROKER;
    m->outcome = SIM_CAUSE_OK;
    m->slot = SIM_NONE;
    m->b = b;
    m->root = r->root;
    m->counted = e->now >= e->cfg.warmup;
    msg_pin(m);
    m->caller = r;
    r->refs++;
    m->cgen = token;
    m->reply_to = reply_to;
    r->waits_msg = 2;   /* for the ledger: its reply is on its way, or its timeout will fire */
    COUNT(&b->st, m, sent);
    sim_engine_hop(e, r->inst->node, b->node, on_arrive, m, 0);
}

/* A new reply record for request m, pinning its client request and holding its caller. */
static sim_msg *reply_new(sim_engine *e, const sim_msg *m)
{
    sim_msg *rp = sim_pool_get(&e->msgs);
    if (!rp) {
        sim_engine_fail(e, SIM_ENOMEM, "out of memory for messages");
        return NULL;
    }
    memset(rp, 0, sizeof *rp);
    rp->outcome = SIM_CAUSE_OK;
    rp->slot = SIM_NONE;
    rp->reply = 1;
    rp->caller = m->caller;
    rp->caller->refs++;
    rp->cgen = m->cgen;
    rp->root = m->root;
    rp->ob = m->b;
    rp->og = m->group;
    rp->counted = m->counted;
    msg_pin(rp);
    return rp;
}

/* Request m is answered by its consumer at node: the reply goes to its reply queue, or straight
 * back over the link to the caller. Once per record (reply() then the end answer once). */
static void answer(sim_engine *e, sim_msg *m, uint32_t node)
{
    if (!m->caller || m->replied)
        return;
    m->replied = 1;
    sim_msg *rp = reply_new(e, m);
    if (!rp)
        return;
    COUNT2(m->b, &m->b->groups[m->group], rp, replies);
    if (m->reply_to) {
        sim_broker *q = &e->brokers[m->reply_to - 1];
        rp->b = q;
        rp->state = SIM_MSG_TO_BROKER;
        COUNT(&q->st, rp, sent);
        sim_engine_hop(e, node, q->node, on_arrive, rp, 0);
        return;
    }
    rp->b = m->b;
    rp->state = SIM_MSG_REPLYING;
    sim_engine_hop(e, node, rp->caller->inst->node, on_reply, rp, 0);
}

void sim_broker_answer(sim_engine *e, sim_req *r)
{
    answer(e, r->msg, r->inst->node);
}

/* A reply queue hands m, just taken from its buffer, to its caller over the link. */
static void reply_hand(sim_engine *e, sim_broker *b, sim_group *g, sim_msg *m)
{
    set_depth(e, b, g, -1);
    COUNT2(b, g, m, delivered);
    if (NEVER(!m->reply)) {   /* the verifier lets no other message into a reply queue */
        set_lag(e, b, g, 0, -1);
        COUNT2(b, g, m, lost);
        msg_unpin(e, m);
        msg_free(e, m);
        return;
    }
    m->state = SIM_MSG_TO_CONSUMER;
    sim_engine_hop(e, b->node, m->caller->inst->node, on_reply, m, 0);
}

/* A reply reached its caller: the caller goes on if it still waits for it (same token), else
 * the reply is late (a timeout, a crash, or a second reply) and is discarded, counted. */
static void on_reply(sim_engine *e, sim_event *ev)
{
    sim_msg *m = ev->a;
    if (m->state == SIM_MSG_TO_CONSUMER) {   /* through a reply queue: taken from it */
        sim_broker *q = m->b;
        set_lag(e, q, &q->groups[0], 0, -1);
        COUNT2(q, &q->groups[0], m, acked);
    }
    sim_broker *ob = m->ob;
    sim_group *og = &ob->groups[m->og];
    sim_req *c = m->caller;
    int waiting = c->state == SIM_REQ_RUNNING && c->waits_msg == 2 && m->cgen == c->gen;
    if (waiting)
        COUNT2(ob, og, m, answered);
    else
        COUNT2(ob, og, m, late_replies);
    m->caller = NULL;   /* its reference passes to this handler */
    msg_unpin(e, m);
    msg_free(e, m);
    if (waiting) {
        c->waits_msg = 0;
        if (c->ev) {   /* the request's timeout */
            sim_engine_cancel(e, c->ev);
            c->ev = NULL;
        }
        sim_interp_resume(e, c);
    }
    sim_req_release(e, c);
}

void sim_broker_request_timeout(sim_engine *e, uint32_t broker, int counted)
{
    sim_broker *b = &e->brokers[broker];
    sim_group *g = &b->groups[0];
    g->st.all.timeouts++, g->st.tick.timeouts++, g->st.win.timeouts += counted != 0;
    b->st.all.timeouts++, b->st.tick.timeouts++, b->st.win.timeouts += counted != 0;
}

/* ---- failures of the broker ---------------------------------------------------------------- */

/* The producer waiting for the broker's acknowledgement of a publish gets an error instead. */
static void pub_failed(sim_engine *e, sim_event *ev, sim_cause c)
{
    sim_req *r = ev->a;
    if (r->waits_msg && ev->u32 == r->gen && r->state == SIM_REQ_RUNNING) {
        r->waits_msg = 0;
        sim_interp_publish_failed(e, r, c);
    }
    sim_req_release(e, r);   /* the reference the publish took */
}

static void on_pub_refused(sim_engine *e, sim_event *ev) { pub_failed(e, ev, SIM_CAUSE_REFUSED); }
static void on_pub_crashed(sim_engine *e, sim_event *ev) { pub_failed(e, ev, SIM_CAUSE_CRASHED); }

/* The caller of a request the queue refused, or failed with, hears it back over the link: its
 * request step fails with that cause at once (its fallback runs), as a call to a service that
 * refuses does, instead of waiting for its timeout. */
static void req_failed(sim_engine *e, sim_event *ev, sim_cause c)
{
    sim_req *r = ev->a;
    if (r->waits_msg == 2 && ev->u32 == r->gen && r->state == SIM_REQ_RUNNING) {
        r->waits_msg = 0;
        sim_interp_request_failed(e, r, c);
    }
    sim_req_release(e, r);   /* the request message's reference on its caller */
}

static void on_req_refused(sim_engine *e, sim_event *ev) { req_failed(e, ev, SIM_CAUSE_REFUSED); }
static void on_req_crashed(sim_engine *e, sim_event *ev) { req_failed(e, ev, SIM_CAUSE_CRASHED); }

static void on_pub_timeout(sim_engine *e, sim_event *ev)
{
    sim_req *r = ev->a;
    if (ev->u32 != r->gen || r->ev != ev || !r->waits_msg)
        return;
    r->ev = NULL;
    r->waits_msg = 0;
    sim_interp_publish_failed(e, r, SIM_CAUSE_TIMEOUT);
}

/* A publish with ack whose step has a timeout: the producer's own pending event (r->ev), so a
 * crash of the producer cancels it with everything else. */
static void publish_timer(sim_engine *e, sim_req *r, uint32_t token)
{
    const sim_op *op = &r->ep->ops[r->pc];
    if (!op->policy || op->code != SIM_OP_PUBLISH)
        return;
    double t = r->ep->retries[op->policy - 1].cfg.timeout;
    if (t > 0)
        r->ev = sim_engine_after(e, t, on_pub_timeout, r, token);
}

/* A publish the broker did not accept because it is, or went, down (counted `refused`): its
 * producer, if it waits, gets the error c back over the link, or nothing when the failure is
 * silent. The message is gone. */
static void publish_fail(sim_engine *e, sim_broker *b, sim_msg *m, sim_cause c)
{
    COUNT(&b->st, m, refused);
    reply_gone(m);
    sim_req *r = m->producer;
    if (r) {
        m->producer = NULL;
        if (b->silent)
            sim_req_release(e, r);   /* only the producer's timeout will notice */
        else
            sim_engine_hop(e, b->node, r->inst->node,
                           c == SIM_CAUSE_REFUSED ? on_pub_refused : on_pub_crashed, r, m->pgen);
    }
    if (m->caller && !m->reply && !b->silent) {   /* a request: its caller hears it at once */
        sim_req *w = m->caller;
        m->caller = NULL;   /* the message's reference on it passes to the answer */
        sim_engine_hop(e, b->node, w->inst->node,
                       c == SIM_CAUSE_REFUSED ? on_req_refused : on_req_crashed, w, m->cgen);
    }
    msg_unpin(e, m);
    msg_free(e, m);
}

/* The acknowledgement of a delivery made before the broker's last failure (m's group message,
 * its delivery over). A durable broker requeued the deliveries it had not seen acknowledged when
 * it failed, so this one is redelivered whatever its outcome (processed twice if it succeeded: a
 * duplicate then). One that is not durable forgot the delivery: a successful processing stands
 * (acked), a failed one cannot be redelivered (lost). */
static void stale_ack(sim_engine *e, sim_broker *b, sim_group *g, sim_member *mb, sim_msg *m)
{
    if (b->cfg.durable) {
        if (m->outcome == SIM_CAUSE_OK && !m->suppressed)
            m->applied = 1;
        m->outcome = SIM_CAUSE_OK;
        m->suppressed = 0;
        redeliver(e, b, g, mb, m);
        return;
    }
    set_lag(e, b, g, m->part, -1);
    if (m->outcome == SIM_CAUSE_OK)
        COUNT2(b, g, m, acked);
    else
        COUNT2(b, g, m, lost);
    msg_unpin(e, m);
    msg_free(e, m);
}

/* A broker that is not durable loses what partition p of g (the group's buffer without
 * partitions) holds: each message counted lost; the group's oldest message looked for once. */
static void lose_buffer(sim_engine *e, sim_broker *b, sim_group *g, uint32_t p)
{
    sim_mlist *l = gbuf(g, p);
    if (l->n == 0)
        return;
    while (l->n > 0) {
        sim_msg *m = pop(l);
        set_depth(e, b, g, -1);
        set_lag(e, b, g, p, -1);
        COUNT2(b, g, m, lost);
        reply_gone(m);
        msg_unpin(e, m);
        msg_free(e, m);
    }
    head_changed(e, g, p);
}

void sim_broker_down(sim_engine *e, uint32_t broker, int delta, int silent)
{
    sim_broker *b = &e->brokers[broker];
    if (delta < 0) {
        if (!ALWAYS(b->down > 0) || --b->down > 0)
            return;
        sim_tw_set(&b->tw_down, e->now, 0);
        for (uint32_t k = 0; k < b->ngroups && !e->err; k++)
            run_all(e, b, &b->groups[k]);
        if (!e->err)
            pump(e, b);
        return;
    }
    b->silent = (uint8_t)(silent != 0);
    if (b->down++ > 0)
        return;
    sim_tw_set(&b->tw_down, e->now, 1);
    b->epoch++;   /* deliveries and publish costs under way belong to the past now */
    b->busy = 0;
    while (b->waiting.n > 0 && !e->err)
        publish_fail(e, b, pop(&b->waiting), SIM_CAUSE_CRASHED);
    while (b->blocked.n > 0 && !e->err)   /* producers held by backpressure: released */
        publish_fail(e, b, pop(&b->blocked), SIM_CAUSE_CRASHED);
    if (b->cfg.durable)
        return;
    for (uint32_t k = 0; k < b->ngroups && !e->err; k++) {
        sim_group *g = &b->groups[k];
        if (!g->nparts)
            lose_buffer(e, b, g, 0);
        for (uint32_t p = 0; p < g->nparts && !e->err; p++)
            lose_buffer(e, b, g, p);
    }
}

double sim_broker_uptime(const sim_broker *b, sim_time end)
{
    return 1 - sim_tw_mean(&b->tw_down, end);
}

/* ---- publishes lost on a link ---------------------------------------------------------------- */

int sim_broker_hop_lossy(sim_event_fn fn)
{
    if (fn == on_arrive)
        return 1;
    return fn == on_pub_ack || fn == on_pub_refused || fn == on_pub_crashed ||
                   fn == on_req_refused || fn == on_req_crashed
               ? 2
               : 0;
}

void sim_broker_hop_lost(sim_engine *e, sim_event *ev)
{
    if (ev->u32 == 2) {   /* an answer to a producer: it waits on, for its timeout */
        sim_req_release(e, ev->a);   /* the reference the publish took */
        return;
    }
    sim_msg *m = ev->a;
    sim_broker *b = m->b;
    COUNT(&b->st, m, link_lost);
    reply_gone(m);
    if (m->producer) {
        sim_req_release(e, m->producer);
        m->producer = NULL;
    }
    msg_unpin(e, m);
    msg_free(e, m);
}

/* ---- the broker kind ------------------------------------------------------------------- */

static uint32_t broker_count(const sim_engine *e) { return e->nbrows; }

static const char *broker_name(const sim_engine *e, uint32_t i)
{
    const sim_brow *w = &e->brows[i];
    return w->g ? w->g->label : w->b->name;
}

static sim_bstats *row_stats(const sim_engine *e, uint32_t i)
{
    const sim_brow *w = &e->brows[i];
    return w->g ? &w->g->st : &w->b->st;
}

static void broker_sample(sim_engine *e, uint32_t i, double span, sim_series_row *row)
{
    sim_bstats *st = row_stats(e, i);
    double depth = sim_tw_area(&st->tw_depth, e->now), lag = sim_tw_area(&st->tw_lag, e->now);
    double busy = sim_tw_area(&st->tw_busy, e->now);
    row->throughput = (double)st->tick.acked / span;
    row->latency_mean = row->latency_p50 = row->latency_p99 = NAN;
    row->queue = (depth - st->tick_depth) / span;
    row->lag = (lag - st->tick_lag) / span;
    row->utilization = st->consumers ? (busy - st->tick_busy) / span / st->consumers : NAN;
    row->threads_working = row->threads_blocked = row->cores_busy = NAN;
    row->errors = st->tick.dropped + st->tick.lost + st->tick.dead_lettered + st->tick.aged +
                  st->tick.refused + st->tick.link_lost;
    sim_group *g = e->brows[i].g;
    if (!g) {   /* the fraction of the interval the broker was down */
        sim_broker *b = e->brows[i].b;
        double down = sim_tw_area(&b->tw_down, e->now);
        row->down = (down - b->tick_down) / span;
        b->tick_down = down;
    }
    if (g) {
        double a = ls_area_at(g, e->now);
        row->lag_seconds = (a - g->ls_tick) / span;
        g->ls_tick = a;
    }
    st->tick_depth = depth;
    st->tick_lag = lag;
    st->tick_busy = busy;
    memset(&st->tick, 0, sizeof st->tick);
}

static void broker_reset_window(sim_engine *e, uint32_t i)
{
    sim_bstats *st = row_stats(e, i);
    /* Counts, ages, sojourns and the lags seen follow cohorts (nothing to reset); the time
     * averages restart here, and their sampling integrals shift with them. */
    st->tick_depth -= sim_tw_area(&st->tw_depth, e->now);
    st->tick_lag -= sim_tw_area(&st->tw_lag, e->now);
    st->tick_busy -= sim_tw_area(&st->tw_busy, e->now);
    sim_tw_reset(&st->tw_depth, e->now);
    sim_tw_reset(&st->tw_lag, e->now);
    sim_tw_reset(&st->tw_busy, e->now);
    sim_group *g = e->brows[i].g;
    if (!g) {
        sim_broker *b = e->brows[i].b;
        b->tick_down -= sim_tw_area(&b->tw_down, e->now);
        sim_tw_reset(&b->tw_down, e->now);
    }
    if (g) {
        ls_advance(g, e->now);
        g->ls_tick -= g->ls_area;
        g->ls_area = 0;
        g->ls_wstart = e->now;
        g->ls_max = ls_value(g, e->now);
        for (uint32_t p = 0; p < g->nparts; p++)
            sim_tw_reset(&g->parts[p].tw_lag, e->now);
    }
}

double sim_group_lag_seconds_mean(const sim_group *g, sim_time end)
{
    return end > g->ls_wstart ? ls_area_at(g, end) / (end - g->ls_wstart) : NAN;
}

double sim_group_lag_seconds_max(const sim_group *g, sim_time end)
{
    double v = ls_value(g, end);
    return v > g->ls_max ? v : g->ls_max;
}

/* Live messages of one broker by state, and of one of its groups, from the pool's slots: a
 * count independent of the counters. */
typedef struct msg_scan {
    const sim_broker *b;
    uint32_t group;
    uint64_t broker[SIM_MSG_ACKING + 1], in_group[SIM_MSG_ACKING + 1];
    uint64_t ghosts, released;   /* of the group: late deliveries; at_most_once receipts */
    uint64_t replies, group_replies;   /* replies to its requests (its group's), travelling */
} msg_scan;

static void scan_msg(void *obj, void *ud)
{
    const sim_msg *m = obj;
    msg_scan *sc = ud;
    if (m->state == SIM_MSG_FREE)
        return;
    if (m->reply && m->ob == sc->b) {
        sc->replies++;
        sc->group_replies += m->og == sc->group;
    }
    if (m->b != sc->b || m->state > SIM_MSG_ACKING)
        return;
    sc->broker[m->state]++;
    if (m->state < SIM_MSG_BUFFERED || m->group != sc->group)
        return;
    if (m->ghost) {
        sc->ghosts++;
        return;
    }
    sc->in_group[m->state]++;
    sc->released += m->released;
}

static int broker_ledger(sim_engine *e, uint32_t i, uint64_t unused)
{
    (void)unused;
    const sim_brow *w = &e->brows[i];
    const sim_broker *b = w->b;
    const sim_group *g = w->g;
    const sim_bstats *st = g ? &g->st : &b->st;
    if (st->age.lost || st->sojourn.lost || st->lag_seen.lost) {
        sim_engine_fail(e, SIM_ENOMEM, "out of memory for the statistics of broker '%s'",
                        b->name);
        return SIM_ENOMEM;
    }
    msg_scan sc;
    memset(&sc, 0, sizeof sc);
    sc.b = b;
    sc.group = g ? (uint32_t)(g - b->groups) : UINT32_MAX;
    sim_pool_each(&e->msgs, scan_msg, &sc);
    const sim_bcounts *a = &st->all;
    uint64_t travelling = g ? sc.group_replies : sc.replies;
    if (a->replies != a->answered + a->late_replies + a->reply_dropped + travelling) {
        sim_engine_fail(e, SIM_ELEDGER,
                        "broker '%s'%s%s: replies %llu != answered %llu + late %llu + lost by "
                        "the reply queue or on its link %llu + travelling %llu",
                        b->name, g ? ", group " : "", g ? g->name : "",
                        (unsigned long long)a->replies, (unsigned long long)a->answered,
                        (unsigned long long)a->late_replies,
                        (unsigned long long)a->reply_dropped, (unsigned long long)travelling);
        return SIM_ELEDGER;
    }
    if (!g) {
        uint64_t to = sc.broker[SIM_MSG_TO_BROKER], held = sc.broker[SIM_MSG_WAITING] +
                                                          sc.broker[SIM_MSG_PUBLISHING] +
                                                          sc.broker[SIM_MSG_BLOCKED];
        if (a->sent == a->arrived + to + a->link_lost &&
            a->arrived == a->accepted + held + a->refused &&
            sc.broker[SIM_MSG_WAITING] == b->waiting.n &&
            sc.broker[SIM_MSG_BLOCKED] == b->blocked.n)
            return SIM_OK;
        sim_engine_fail(e, SIM_ELEDGER,
                        "broker '%s': published %llu != arrived %llu + travelling %llu + lost on "
                        "the link %llu, or arrived != accepted %llu + waiting or blocked %llu + "
                        "refused %llu",
                        b->name, (unsigned long long)a->sent, (unsigned long long)a->arrived,
                        (unsigned long long)to, (unsigned long long)a->link_lost,
                        (unsigned long long)a->accepted,
                        (unsigned long long)held, (unsigned long long)a->refused);
        return SIM_ELEDGER;
    }
    const uint64_t *n = sc.in_group;
    uint64_t buffered = n[SIM_MSG_BUFFERED];
    uint64_t delivering = n[SIM_MSG_TO_CONSUMER] + n[SIM_MSG_PREFETCHED] +
                          n[SIM_MSG_PROCESSING] + n[SIM_MSG_ACKING];
    uint64_t held = g->buf.n;
    for (uint32_t p = 0; p < g->nparts; p++)
        held += g->parts[p].buf.n;
    if (a->published + g->skipped == b->st.all.accepted &&
        a->published == a->acked + a->lost + a->dead_lettered + a->dropped + a->aged +
                            buffered + delivering &&
        buffered == held && buffered == st->depth &&
        buffered + delivering - sc.released == st->lag && sc.ghosts == a->expired - a->late)
        return SIM_OK;
    sim_engine_fail(e, SIM_ELEDGER,
                    "broker '%s', group '%s': published %llu (broker accepted %llu, before the "
                    "group started %llu) != acked %llu + lost %llu + dead-lettered %llu + "
                    "dropped %llu + expired %llu + buffered %llu + in delivery %llu, or late "
                    "deliveries %llu != timed out %llu - acknowledged %llu",
                    b->name, g->name, (unsigned long long)a->published,
                    (unsigned long long)b->st.all.accepted, (unsigned long long)g->skipped,
                    (unsigned long long)a->acked, (unsigned long long)a->lost,
                    (unsigned long long)a->dead_lettered, (unsigned long long)a->dropped,
                    (unsigned long long)a->aged, (unsigned long long)buffered,
                    (unsigned long long)delivering, (unsigned long long)sc.ghosts,
                    (unsigned long long)a->expired, (unsigned long long)a->late);
    return SIM_ELEDGER;
}

const sim_kind_ops sim_broker_kind = {
    .name = "broker",
    .count = broker_count,
    .name_of = broker_name,
    .sample = broker_sample,
    .reset_window = broker_reset_window,
    .ledger = broker_ledger,
};
