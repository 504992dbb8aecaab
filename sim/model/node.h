/* node: the network's nodes and links.
 *
 * Every client, every service replica and every broker is a node with a kind, an index (of the client or
 * service), a replica number and a name; the table is built once when the run starts. Links
 * carry latencies between nodes: a default for every hop, and overrides for unordered pairs of
 * names, resolved to pairs of entities (a client, or a service with all its replicas) once,
 * through a hash table, so setup is linear in nodes and links. Each node draws its hops'
 * latencies from its own stream, keyed "link/<name>/<replica>", so adding a replica to one
 * service leaves every other node's draws unchanged (common random numbers). */
#ifndef SIM_NODE_H
#define SIM_NODE_H

#include <stdint.h>

#include "core/calendar.h"
#include "core/dist.h"
#include "core/rng.h"

struct sim_engine;

typedef enum { SIM_NODE_CLIENT, SIM_NODE_SERVICE, SIM_NODE_BROKER } sim_node_kind;

typedef struct sim_node {
    uint8_t kind;           /* sim_node_kind */
    uint8_t has_pair;       /* its entity is named by some pair link */
    uint32_t index;         /* client, service or broker index */
    uint32_t replica;       /* 0 for clients */
    uint32_t entity;        /* clients 0..nclients-1, then services, then brokers */
    const char *name;       /* owned by the client, service or broker */
    sim_rng rng;            /* latencies of hops from this node */
} sim_node;

typedef struct sim_link {
    char *a, *b;            /* node names; NULL for the default link */
    sim_dist *latency;      /* NULL = zero */
} sim_link;

/* Builds the node table and resolves the links (run start). SIM_OK, SIM_ENOMEM, or SIM_EINVAL
 * with the reason given to sim_engine_fail (a link naming no node). */
int sim_nodes_build(struct sim_engine *e);
void sim_nodes_fini(struct sim_engine *e);

/* Moves obj from node `from` to node `to`: fn(e, ev) runs with ev->a = obj and ev->u32 = token
 * after the link's latency, or from the immediate list when the link has none (never inside
 * this call). Returns the event's handle when the hop goes through the calendar, NULL for an
 * immediate hop or when the engine has failed (see e->err). */
sim_event *sim_link_hop(struct sim_engine *e, uint32_t from, uint32_t to, sim_event_fn fn,
                        void *obj, uint32_t token);

#endif
