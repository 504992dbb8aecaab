/* node: the node table, link resolution and hops; see node.h. */
#include "model/node.h"

#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "model/broker.h"
#include "model/engine.h"

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
    int rc = e->nlinks ? pairs_build(e, has_pair) : SIM_OK;
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
    pair_table *p = e->pairs;
    if (p) {
        sim_free(p->keys);
        sim_free(p->link);
        sim_free(p);
    }
    sim_free(e->nodes);
}

static const sim_dist *link_of(const sim_engine *e, const sim_node *a, const sim_node *b)
{
    const sim_dist *d = e->default_link.latency;
    if (a->has_pair && b->has_pair) {
        const pair_table *p = e->pairs;
        uint64_t key = pair_key(a->entity, b->entity);
        for (size_t i = mix(key) & p->mask; p->keys[i]; i = (i + 1) & p->mask)
            if (p->keys[i] == key) {
                d = e->links[p->link[i]].latency;
                break;
            }
    }
    return d && d->kind == SIM_DIST_CONST && d->a == 0 ? NULL : d;
}

sim_event *sim_link_hop(sim_engine *e, uint32_t from, uint32_t to, sim_event_fn fn, void *obj,
                        uint32_t token)
{
    sim_node *a = &e->nodes[from];
    const sim_dist *d = link_of(e, a, &e->nodes[to]);
    if (!d) {
        sim_engine_soon(e, fn, obj, token);
        return NULL;
    }
    return sim_engine_after(e, sim_dist_sample(d, &a->rng), fn, obj, token);
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
    if (e->ran || !a || !b) {
        sim_dist_free(latency);
        return e->ran ? SIM_ESTATE : SIM_EINVAL;
    }
    if (sim_grow((void **)&e->links, e->nlinks, sizeof *e->links) != 0) {
        sim_dist_free(latency);
        return SIM_ENOMEM;
    }
    sim_link *l = &e->links[e->nlinks];
    l->a = sim_strdup(a);
    l->b = sim_strdup(b);
    l->latency = latency;
    e->nlinks++;   /* counted even on ENOMEM so sim_engine_free releases the parts */
    return l->a && l->b ? SIM_OK : SIM_ENOMEM;
}
