/* node: the node table, link resolution and hops; see node.h. */
#include "model/node.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "model/broker.h"
#include "model/engine.h"
#include "model/fault.h"
#include "model/service.h"

/* Pair links by entity pair: open addressing over 64-bit keys (lo << 32 | hi). */
typedef struct pair_table {
    uint64_t *keys;   /* 0 = empty (entity ids are stored + 1) */
    uint32_t *link;   /* index into e->links */
    size_t mask;
} pair_table;

static uint64_t mix(uint64_t x)
{
    x ^= x >> 33;
    x *= UINT64_C(0xff51afd7ed558ccd);
    x ^= x >> 33;
    return x;
}

static uint64_t pair_key(uint32_t a, uint32_t b)
{
    uint64_t lo = a < b ? a : b, hi = a < b ? b : a;
    return (lo + 1) << 32 | (hi + 1);
}

static uint64_t name_hash(const char *s)
{
    uint64_t h = UINT64_C(0xcbf29ce484222325);   /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * UINT64_C(0x100000001b3);
    return h;
}

static size_t table_size(size_t n)
{
    size_t size = 16;
    while (size < 2 * n)
        size *= 2;
    return size;
}

/* Entity names -> entity ids, for resolving link names once. */
typedef struct name_table {
    const char **names;
    uint32_t *ids;
    size_t mask;
} name_table;

static int names_build(const sim_engine *e, name_table *t)
{
    size_t size = table_size((size_t)e->nclients + e->nsvcs + e->nbrokers);
    t->names = sim_calloc(size, sizeof *t->names);
    t->ids = sim_calloc(size, sizeof *t->ids);
    t->mask = size - 1;
    if (!t->names || !t->ids)
        return SIM_ENOMEM;
    for (uint32_t id = 0; id < e->nclients + e->nsvcs + e->nbrokers; id++) {
        const char *name = id < e->nclients             ? e->clients[id].name
                           : id < e->nclients + e->nsvcs ? e->svcs[id - e->nclients].name
                                                         : e->brokers[id - e->nclients -
                                                                      e->nsvcs].name;
        size_t i = name_hash(name) & t->mask;
        while (t->names[i] && strcmp(t->names[i], name))
            i = (i + 1) & t->mask;
        if (!t->names[i]) {   /* the first of equal names wins (names are unique anyway) */
            t->names[i] = name;
            t->ids[i] = id;
        }
    }
    return SIM_OK;
}

static int names_find(const name_table *t, const char *name, uint32_t *id)
{
    for (size_t i = name_hash(name) & t->mask; t->names[i]; i = (i + 1) & t->mask)
        if (!strcmp(t->names[i], name)) {
            *id = t->ids[i];
            return 1;
        }
    return 0;
}

static int pairs_build(sim_engine *e, uint8_t *has_pair)
{
    name_table names = { 0 };
    pair_table *p = sim_calloc(1, sizeof *p);
    int rc = p ? names_build(e, &names) : SIM_ENOMEM;
    size_t size = table_size(e->nlinks);
    if (rc == SIM_OK) {
        e->pairs = p;
        p->keys = sim_calloc(size, sizeof *p->keys);
        p->link = sim_calloc(size, sizeof *p->link);
        p->mask = size - 1;
        if (!p->keys || !p->link)
            rc = SIM_ENOMEM;
    } else {
        sim_free(p);
    }
    for (uint32_t k = 0; rc == SIM_OK && k < e->nlinks; k++) {
        uint32_t a, b;
        const sim_link *l = &e->links[k];
        if (!names_find(&names, l->a, &a) || !names_find(&names, l->b, &b)) {
            sim_engine_fail(e, SIM_EINVAL, "a link names '%s', which is no client, service or broker",
                            names_find(&names, l->a, &a) ? l->b : l->a);
            rc = SIM_EINVAL;
            break;
        }
        has_pair[a] = has_pair[b] = 1;
        uint64_t key = pair_key(a, b);
        size_t i = mix(key) & p->mask;
        while (p->keys[i] && p->keys[i] != key)
            i = (i + 1) & p->mask;
        p->keys[i] = key;   /* a later link for the same pair replaces an earlier one */
        p->link[i] = k;
    }
    sim_free(names.names);
    sim_free(names.ids);
    return rc;
}

static int link_append(sim_engine *e, const char *a, const char *b, sim_dist *latency,
                       bool inherit, double loss);

static int same_pair(const sim_link *l, const char *a, const char *b)
{
    return (!strcmp(l->a, a) && !strcmp(l->b, b)) || (!strcmp(l->a, b) && !strcmp(l->b, a));
}

/* Each pair a partition names gets its link (a new one, with the default latency, for a pair
 * no link names); the links that can lose get their streams. */
static int partitions_resolve(sim_engine *e)
{
    for (uint32_t i = 0; i < e->npartitions; i++) {
        sim_partition *p = &e->partitions[i];
        for (uint32_t k = 0; k < p->npairs; k++) {
            const char *a = p->names[2 * k], *b = p->names[2 * k + 1];
            uint32_t j = e->nlinks;
            while (j > 0 && !same_pair(&e->links[j - 1], a, b))
                j--;
            if (j == 0) {
                int rc = link_append(e, a, b, NULL, true, 0);
                if (rc != SIM_OK)
                    return rc;
                j = e->nlinks;
            }
            p->links[k] = j - 1;
            e->links[j - 1].lossy = 1;
        }
    }
    for (uint32_t i = 0; i < e->nlinks; i++) {
        sim_link *l = &e->links[i];
        l->cut = l->spiked = 0;
        if (l->lossy)
            sim_engine_stream(e, &l->rng, "loss", l->a, l->b);
    }
    return SIM_OK;
}

int sim_nodes_build(sim_engine *e)
{
    uint64_t n = (uint64_t)e->nclients + e->nbrokers;
    for (uint32_t i = 0; i < e->nsvcs; i++)
        n += e->svcs[i].cfg.replicas;
    if (n >= UINT32_MAX) {
        sim_engine_fail(e, SIM_EINVAL, "too many nodes (%llu)", (unsigned long long)n);
        return SIM_EINVAL;
    }
    uint32_t nentities = e->nclients + e->nsvcs + e->nbrokers;
    uint8_t *has_pair = sim_calloc(nentities + 1, 1);
    e->nodes = sim_calloc(n ? n : 1, sizeof *e->nodes);
    if (!has_pair || !e->nodes) {
        sim_free(has_pair);
        sim_engine_fail(e, SIM_ENOMEM, "out of memory for the node table");
        return SIM_ENOMEM;
    }
    int rc = partitions_resolve(e);
    if (rc == SIM_OK && e->nlinks)
        rc = pairs_build(e, has_pair);
    if (rc == SIM_ENOMEM)
        sim_engine_fail(e, rc, "out of memory for the link table");
    uint32_t k = 0;
    for (uint32_t i = 0; rc == SIM_OK && i < e->nclients; i++, k++) {
        sim_node *nd = &e->nodes[k];
        nd->kind = SIM_NODE_CLIENT;
        nd->index = i;
        nd->replica = 0;
        nd->entity = i;
        nd->name = e->clients[i].name;
        e->clients[i].node = k;
    }
    /* The services array may have moved while the model was built: point the instances at
     * their service now that it is final. */
    for (uint32_t i = 0; rc == SIM_OK && i < e->nsvcs; i++)
        for (uint32_t j = 0; j < e->svcs[i].cfg.replicas; j++, k++) {
            sim_node *nd = &e->nodes[k];
            nd->kind = SIM_NODE_SERVICE;
            nd->index = i;
            nd->replica = j;
            nd->entity = e->nclients + i;
            nd->name = e->svcs[i].name;
            e->svcs[i].inst[j].svc = &e->svcs[i];
            e->svcs[i].inst[j].node = k;
        }
    for (uint32_t i = 0; rc == SIM_OK && i < e->nbrokers; i++, k++) {
        sim_node *nd = &e->nodes[k];
        nd->kind = SIM_NODE_BROKER;
        nd->index = i;
        nd->replica = 0;
        nd->entity = e->nclients + e->nsvcs + i;
        nd->name = e->brokers[i].name;
        e->brokers[i].node = k;
    }
    for (uint32_t i = 0; rc == SIM_OK && i < n; i++) {
        char rep[16];
        snprintf(rep, sizeof rep, "%u", e->nodes[i].replica);
        sim_engine_stream(e, &e->nodes[i].rng, "link", e->nodes[i].name, rep);
        e->nodes[i].has_pair = has_pair[e->nodes[i].entity];
    }
    e->nnodes = (uint32_t)n;
    e->has_latency = e->default_link.latency != NULL || e->nlinks > 0;
    sim_free(has_pair);
    return rc;
}

void sim_nodes_fini(sim_engine *e)
{
    for (uint32_t i = 0; i < e->nlinks; i++) {
        sim_free(e->links[i].a);
        sim_free(e->links[i].b);
        sim_dist_free(e->links[i].latency);
    }
    sim_free(e->links);
    sim_dist_free(e->default_link.latency);
    for (uint32_t i = 0; i < e->npartitions; i++) {
        sim_partition *p = &e->partitions[i];
        for (uint32_t k = 0; k < 2 * p->npairs; k++)
            sim_free(p->names[k]);
        sim_free(p->names);
        sim_free(p->links);
        sim_free(p->label);
        sim_dist_free(p->extra);
    }
    sim_free(e->partitions);
    pair_table *p = e->pairs;
    if (p) {
        sim_free(p->keys);
        sim_free(p->link);
        sim_free(p);
    }
    sim_free(e->nodes);
}

static sim_link *link_of(const sim_engine *e, const sim_node *a, const sim_node *b)
{
    if (a->has_pair && b->has_pair) {
        const pair_table *p = e->pairs;
        uint64_t key = pair_key(a->entity, b->entity);
        for (size_t i = mix(key) & p->mask; p->keys[i]; i = (i + 1) & p->mask)
            if (p->keys[i] == key)
                return &e->links[p->link[i]];
    }
    return NULL;
}

/* Whether this crossing of l is lost: always while a partition cuts it, else with its loss
 * probability (a draw from its stream only when that is strictly between 0 and 1). */
static int crossing_lost(sim_link *l)
{
    if (l->cut)
        return 1;
    if (!(l->loss > 0))
        return 0;
    return l->loss >= 1 || sim_rng_uniform(&l->rng) < l->loss;
}

/* The latency the spikes in force on l add to a hop: a draw of each one's `extra`, from the
 * link's stream. */
static sim_time spike_extra(sim_engine *e, sim_link *l)
{
    sim_time x = 0;
    uint32_t li = (uint32_t)(l - e->links);
    for (uint32_t i = 0; i < e->npartitions; i++) {
        const sim_partition *p = &e->partitions[i];
        if (!p->extra || !p->on)
            continue;
        for (uint32_t k = 0; k < p->npairs; k++)
            if (p->links[k] == li)
                x += sim_dist_sample(p->extra, &l->rng);
    }
    return x;
}

sim_event *sim_link_hop(sim_engine *e, uint32_t from, uint32_t to, sim_event_fn fn, void *obj,
                        uint32_t token)
{
    sim_node *a = &e->nodes[from];
    const sim_dist *d = e->default_link.latency;
    sim_link *l = link_of(e, a, &e->nodes[to]);
    if (l) {
        /* Requests, replies, publishes and the broker's answers to them can be lost; deliveries
         * and their acknowledgements cross. */
        if (SIM_UNLIKELY(l->lossy)) {
            int req = fn == sim_service_arrive || fn == sim_interp_reply_arrived;
            int hop = req || !e->nbrokers ? 0 : sim_broker_hop_lossy(fn);
            if ((req || hop) && crossing_lost(l)) {
                if (req)
                    sim_engine_soon(e, sim_link_lost, obj, fn == sim_service_arrive);
                else
                    sim_engine_soon(e, sim_broker_hop_lost, obj, (uint32_t)hop);
                return NULL;
            }
        }
        if (!l->inherit)
            d = l->latency;
    }
    if (SIM_UNLIKELY(l && l->spiked)) {
        sim_time x = d ? sim_dist_sample(d, &a->rng) : 0;
        return sim_engine_after(e, x + spike_extra(e, l), fn, obj, token);
    }
    if (!d || (d->kind == SIM_DIST_CONST && d->a == 0)) {
        sim_engine_soon(e, fn, obj, token);
        return NULL;
    }
    return sim_engine_after(e, sim_dist_sample(d, &a->rng), fn, obj, token);
}

void sim_link_lost(sim_engine *e, sim_event *ev)
{
    sim_req *r = ev->a;
    sim_service *s = r->inst->svc;
    r->ev = NULL;
    if (ev->u32) {   /* a request that never arrives: its instance no longer expects it */
        if (ALWAYS(r->inst->outstanding > 0))
            r->inst->outstanding--;
    }
    r->state = SIM_REQ_REPLYING;
    s->all.link_lost++;
    if (e->now >= e->cfg.warmup && s->ep_stats)
        s->ep_stats[r->ep - s->eps].win.link_lost++;
    /* Its caller, if still waiting for it, waits for something that will never come: only a
     * timeout ends that wait. The mark (with the wait's token) lets the ledger tell such a
     * caller, in flight for good, from a stuck one. */
    sim_req *p = r->parent;
    if (p && r->pgen == p->gen) {
        p->lost = (uint8_t)(0x80 | (p->gen & 0x7f));
        p->lost_request = ev->u32 != 0;
    }
    sim_req_release(e, r);
}

/* ---- partitions --------------------------------------------------------------------- */

static void on_partition(sim_engine *e, sim_event *ev)
{
    sim_partition *p = ev->a;
    p->on = !p->on;
    for (uint32_t k = 0; k < p->npairs; k++) {
        sim_link *l = &e->links[p->links[k]];
        uint32_t *n = p->extra ? &l->spiked : &l->cut;
        if (p->on)
            (*n)++;
        else if (ALWAYS(*n > 0))
            (*n)--;
    }
    sim_fault_log_partition(e, (uint32_t)(p - e->partitions), p->on);
    sim_time end = p->at + p->duration;
    if (p->on && end <= e->cfg.duration)
        sim_engine_rearm(e, ev, end);
}

int sim_partitions_start(sim_engine *e)
{
    for (uint32_t i = 0; i < e->npartitions; i++) {
        sim_partition *p = &e->partitions[i];
        p->on = 0;
        if (p->at <= e->cfg.duration && !sim_engine_at(e, p->at, on_partition, p, 0))
            return e->err;
    }
    return SIM_OK;
}

/* ---- builders (model.h) ------------------------------------------------------------- */

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
    return sim_link_pair_lossy(e, a, b, latency, false, 0);
}

int sim_link_pair_lossy(sim_engine *e, const char *a, const char *b, sim_dist *latency,
                        bool inherit, double loss)
{
    if (e->ran || !a || !b || !(loss >= 0 && loss <= 1)) {
        sim_dist_free(latency);
        return e->ran ? SIM_ESTATE : SIM_EINVAL;
    }
    return link_append(e, a, b, latency, inherit, loss);
}

static int link_append(sim_engine *e, const char *a, const char *b, sim_dist *latency,
                       bool inherit, double loss)
{
    if (sim_grow((void **)&e->links, e->nlinks, sizeof *e->links) != 0) {
        sim_dist_free(latency);
        return SIM_ENOMEM;
    }
    sim_link *l = &e->links[e->nlinks];
    l->a = sim_strdup(a);
    l->b = sim_strdup(b);
    l->latency = latency;
    l->loss = loss;
    l->inherit = inherit && !latency;
    l->lossy = loss > 0;
    l->cut = 0;
    e->nlinks++;   /* counted even on ENOMEM so sim_engine_free releases the parts */
    return l->a && l->b ? SIM_OK : SIM_ENOMEM;
}

int sim_partition_add(sim_engine *e, const char *label, const char *const *names,
                      uint32_t npairs, double at, double duration)
{
    return sim_spike_add(e, label, names, npairs, at, duration, NULL);
}

int sim_spike_add(sim_engine *e, const char *label, const char *const *names, uint32_t npairs,
                  double at, double duration, sim_dist *extra)
{
    int bad = !label || !names || npairs == 0 || !(at >= 0) || !(duration > 0) ||
              at == INFINITY || duration == INFINITY;
    for (uint32_t k = 0; !bad && k < 2 * npairs; k++)
        bad = !names[k];
    int rc = e->ran ? SIM_ESTATE : bad ? SIM_EINVAL : SIM_OK;
    if (rc == SIM_OK &&
        sim_grow((void **)&e->partitions, e->npartitions, sizeof *e->partitions) != 0)
        rc = SIM_ENOMEM;
    if (rc != SIM_OK) {
        sim_dist_free(extra);
        return rc;
    }
    sim_partition *p = &e->partitions[e->npartitions];
    memset(p, 0, sizeof *p);
    p->extra = extra;
    p->at = at;
    p->duration = duration;
    p->label = sim_strdup(label);
    p->names = sim_calloc(2 * (size_t)npairs, sizeof *p->names);
    p->links = sim_calloc(npairs, sizeof *p->links);
    e->npartitions++;   /* counted even on ENOMEM so sim_engine_free releases the parts */
    if (!p->label || !p->names || !p->links)
        return SIM_ENOMEM;
    p->npairs = npairs;
    for (uint32_t k = 0; k < 2 * npairs; k++)
        if (!(p->names[k] = sim_strdup(names[k])))
            return SIM_ENOMEM;
    return SIM_OK;
}
