/* capacity: the static load of a model — how many times each endpoint is visited per second,
 * what each visit costs in threads and cores, and the utilization that implies, before any
 * event runs (`dessa check`, and the warning `dessa run` prints before it starts).
 *
 * It reads a built engine (not run): the endpoint programs, the services' threads, replicas and
 * cores, the hosts, the links and the clients. Nothing is sampled and nothing is changed.
 *
 * Visits. An endpoint's arrivals per second are its external arrivals (open clients at their
 * rate; closed clients at their throughput estimate) plus, for every endpoint that calls it, the
 * caller's arrivals times the expected number of calls one visit makes: a call counts 1, every
 * branch of a `parallel` counts (all, any and quorum alike: the losers still run), a `branch`
 * arm counts its probability. Call graphs are acyclic, so one pass in topological order solves
 * these equations.
 *
 * Demands per visit. CPU: the mean of every `work` step, wherever it is. Threads: the time the
 * visit holds a thread — `work` (stretched by the wait for a core when cores are shared), `io`,
 * and the whole wait of every blocking call (link there and back, the callee's queue and its
 * whole response) and of every blocking `parallel`; `sleep`, a non-blocking call and a
 * non-blocking `parallel` hold no thread (the request waits for one again afterwards). The mean
 * number of threads held is then arrivals × holding time (Little's law), so
 *     thread utilization = sum over endpoints of arrivals × holding time / (threads × replicas)
 *     CPU utilization    = sum of arrivals × CPU demand / cores (× replicas for private cores,
 *                          the host's cores for a shared host, summed over its services).
 * The holding time includes the queueing a caller meets below it; that part is an estimate
 * (each thread pool and each set of cores as a birth-death queue with exponential times, each
 * `parallel`'s duration from its branches' means and variances as independent gamma laws) and
 * is left out where the callee is itself overloaded, so an overload is reported where it is,
 * not in everything above it. Calls are assumed to succeed (no drops, timeouts or failure
 * continuations), replicas to share their load evenly.
 *
 * Closed clients get the asymptotic bound X <= min(N / (Z + D), capacity / demand at the
 * busiest resource), D the response time of one request without any queueing, Z the mean think
 * time; the estimate uses the bound, and says which term binds. */
#ifndef SIM_CAPACITY_H
#define SIM_CAPACITY_H

#include <stddef.h>
#include <stdint.h>

#include "model/model.h"

/* What a resource is: a service's thread pool, a service's private cores, or a shared host. */
typedef enum { SIM_RES_THREADS, SIM_RES_CORES, SIM_RES_HOST } sim_res_kind;

typedef struct sim_cap_service {
    const char *name;         /* names point into the engine: valid while it lives */
    double threads;           /* per replica; INFINITY for an infinite server */
    uint32_t replicas;
    double cores;             /* private cores per replica; 0 = none (unlimited, or a host) */
    uint32_t host;            /* shared host index + 1; 0 = none */
} sim_cap_service;

typedef struct sim_cap_host {
    const char *name;
    double cores;
} sim_cap_host;

typedef struct sim_cap_endpoint {
    const char *name;
    uint32_t service, endpoint;
    double arrivals;          /* per second: open clients at their mean rate, closed at X */
    double arrivals_peak;     /* open clients at their peak rate, closed at X */
    double hold;              /* seconds of a thread held per visit */
    double cpu;               /* seconds of a core per visit (work) */
    double response;          /* mean response per visit, estimate (s) */
    double segments;          /* thread acquisitions per visit (1 + releases) */
    int64_t from;             /* largest contributor of arrivals: >= 0 an endpoint index,
                               * -1 - c the client c, INT64_MIN none */
    int64_t from_peak;        /* the same at the peak rates */
} sim_cap_endpoint;

typedef struct sim_cap_resource {
    sim_res_kind kind;
    uint32_t index;           /* service (threads, cores) or host index */
    double capacity;          /* threads or cores in all */
    double load, load_peak;   /* threads held or cores busy, mean; at the peak rates */
    double open_load;         /* the part from open clients (mean rates) */
    uint32_t top, top_peak;   /* the endpoint contributing most load (mean, peak rates) */
} sim_cap_resource;

typedef struct sim_cap_client {
    const char *name;
    int closed;
    uint32_t users;           /* closed */
    double think;             /* closed: mean think time Z (s) */
    double rate, peak;        /* open: mean rate over the statistics window and peak rate */
    double throughput;        /* the estimate used (open: the mean rate) */
    double bound_think;       /* closed: N / (Z + D) */
    double bound_resource;    /* closed: capacity / demand at the binding resource */
    int64_t binding;          /* closed: the resource behind bound_resource, or -1 */
    double demand;            /* closed: D, the response time without queueing (s) */
    uint32_t target;          /* the endpoint it calls */
} sim_cap_client;

typedef struct sim_cap_call {
    uint32_t to;              /* the endpoint called */
    double count;             /* expected calls per visit of the caller */
} sim_cap_call;

/* A partitioned group's busiest consumer: each consumer of a group owns some partitions (as the
 * engine assigns them at the start, every consumer up) and takes one message at a time, so its
 * load is the rate of its partitions, which keys can make uneven (a hot key, Zipf). */
typedef struct sim_cap_hot {
    const char *topic, *group;   /* names, pointing into the engine */
    uint32_t slot, nslots;    /* the busiest consumer (from 0) and the group's consumers */
    uint32_t endpoint;        /* its endpoint (index in eps) */
    double rate, total;       /* messages per second to its partitions, to the whole group */
    double busy;              /* seconds it is busy per message: delivery, response, ack */
    double util;              /* rate x busy: at or above 1, its partitions fall behind */
} sim_cap_hot;

typedef struct sim_capacity {
    size_t nservices, nhosts, nendpoints, nresources, nclients;
    sim_cap_service *svcs;
    sim_cap_host *hosts;
    sim_cap_endpoint *eps;    /* every endpoint of every service, services in order */
    uint32_t *first;          /* first[s]: index in eps of service s's first endpoint */
    sim_cap_resource *res;    /* thread pools, private cores, hosts (finite ones only) */
    sim_cap_client *clients;
    double window;            /* the statistics window the mean rates are taken over (s) */
    /* the call graph: calls[call_start[i] .. call_start[i + 1]) leave endpoint i (a callee may
     * appear more than once); order: callees before callers; pos: each endpoint's place there */
    sim_cap_call *calls;
    size_t *call_start;
    uint32_t *order, *pos;
    sim_cap_hot *hot;         /* one per partitioned group with consumers */
    size_t nhot;
} sim_capacity;

/* Analyses the built (not yet run) engine e into *out. SIM_OK or SIM_ENOMEM (nothing held). */
int sim_capacity_analyze(const sim_engine *e, sim_capacity *out);
void sim_capacity_fini(sim_capacity *c);

/* Visits of every endpoint per visit of endpoint `from` (a client's request: its target) into
 * out[0 .. nendpoints). */
void sim_capacity_visits(const sim_capacity *c, uint32_t from, double *out);

/* The utilization of resource r (load / capacity), at the mean rates or at the peak rates. */
double sim_capacity_util(const sim_cap_resource *r, int peak);

/* Names for output: a resource ("threads of service 'web'", "host 'vm'"), an endpoint ("web" for
 * a service's only `default` endpoint, else "web.page"), and the chain of calls that brings the
 * most load to endpoint i ("users -> web.page -> db.query"), at the mean or the peak rates.
 * Each writes at most n bytes, always terminated, and returns buf. */
const char *sim_capacity_endpoint_name(const sim_capacity *c, uint32_t i, char *buf, size_t n);
const char *sim_capacity_chain(const sim_capacity *c, uint32_t i, int peak, char *buf, size_t n);
const char *sim_capacity_resource_name(const sim_capacity *c, const sim_cap_resource *r,
                                       char *buf, size_t n);

#endif
