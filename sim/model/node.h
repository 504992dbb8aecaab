/* node: the network's nodes and links.
 *
 * Every client, every service replica and every broker is a node with a kind, an index (of the client or
 * service), a replica number and a name; the table is built once when the run starts. Links
 * carry latencies between nodes: a default for every hop, and overrides for unordered pairs of
 * names, resolved to pairs of entities (a client, or a service with all its replicas) once,
 * through a hash table, so setup is linear in nodes and links. Each node draws its hops'
 * latencies from its own stream, keyed "link/<name>/<replica>", so adding a replica to one
 * service leaves every other node's draws unchanged (common random numbers).
 *
 * Failures of links. A pair link may lose each request or reply that crosses it with
 * probability `loss`, drawn from the link's own stream ("loss/<a>/<b>", its names in the order
 * declared), and partitions cut sets of pairs for a while (a pair named by a partition and by no
 * link gets a link of its own with the default latency). A lost crossing is silence: the request
 * or reply ends at once (counted `link_lost` at the service called) and its caller learns of it
 * only by its timeout; a caller with none waits to the end of the run and is in flight there.
 * Hops of messages to and from brokers are never lost. With no loss and no partition declared
 * the hop costs what it always did. */
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
    double loss;            /* probability that a request or reply crossing is lost */
    uint8_t inherit;        /* no latency of its own: the default link's */
    uint8_t lossy;          /* loss > 0 or a partition names it: hops look closer */
    uint32_t cut;           /* partitions in force across it */
    uint32_t spiked;        /* latency spikes in force across it */
    sim_rng rng;            /* its losses */
} sim_link;

/* A partition: for [at, at + duration) every pair it names is cut; or, with `extra`, a latency
 * spike: every hop across those pairs takes a draw of `extra` more. */
typedef struct sim_partition {
    sim_dist *extra;        /* a spike's added latency; NULL: a partition */
    char *label;            /* faults.csv's target */
    char **names;           /* 2 * npairs names: the pairs */
    uint32_t npairs;
    uint32_t *links;        /* the link of each pair (resolved at run start) */
    double at, duration;
    int on;
} sim_partition;

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

/* The handler of a lost crossing (from the immediate list): ev->a is the request, ev->u32 1 for
 * a request on its way to a service, 0 for a reply. */
void sim_link_lost(struct sim_engine *e, sim_event *ev);
/* Schedules every partition's start (run start, after sim_nodes_build). */
int sim_partitions_start(struct sim_engine *e);

#endif
