/* program: endpoint programs — flat instruction lists that requests execute (interp.c).
 *
 * Builders (sim_op_* in model.h) append instructions; structured steps become jumps: a fork is
 * followed by its branches, each ending in BRANCH_END, then the join address; a choose by its
 * arms, each ending in a JUMP to the common continuation. sim_program_verify checks a finished
 * program before the run (addresses in range, branches laid out in order, no backward jump, no
 * `work` where no worker is held) so the interpreter can trust it. */
#ifndef SIM_PROGRAM_H
#define SIM_PROGRAM_H

#include <stdint.h>

#include "core/dist.h"
#include "core/rng.h"
#include "model/retry.h"

typedef enum {
    SIM_OP_WORK,        /* hold the worker and need a core for dist (CPU demand) */
    SIM_OP_SLEEP,       /* wait for dist without a worker */
    SIM_OP_CALL,        /* call (target, endpoint); on failure go to fail_pc, or fail */
    SIM_OP_FORK,        /* start n fibers at targets[0..n), join, continue at targets[n] */
    SIM_OP_CHOOSE,      /* jump to targets[i] with probability cum[i] - cum[i-1] */
    SIM_OP_JUMP,        /* continue at target */
    SIM_OP_BRANCH_END,  /* a fiber's end */
    SIM_OP_RETURN,      /* the endpoint is done: reply to the caller */
    SIM_OP_IO,          /* hold the worker, but no core, for dist (blocking I/O) */
    SIM_OP_PUBLISH,     /* send a message to broker `target`; blocking: wait for its ack */
    SIM_OP_REPLY,       /* answer the caller now and go on */
    SIM_OP_REQUEST,     /* a request message to queue `target`; wait for its reply (reply_to),
                         * at most `timeout`; on a timeout go to fail_pc, or fail */
} sim_opcode;

#define SIM_PC_NONE UINT32_MAX   /* no address: a failed call fails the request */

typedef struct sim_op {
    uint8_t code;           /* sim_opcode */
    uint8_t blocking;       /* call, fork: the worker stays held while waiting */
    uint8_t join;           /* sim_join, for a fork */
    uint32_t n;             /* fork/choose arity */
    uint32_t quorum;        /* successes a fork needs */
    uint32_t target;        /* call: service; jump: pc; publish, request: broker */
    uint32_t endpoint;      /* call: endpoint of the target */
    uint32_t fail_pc;       /* call, request: where a failed one continues (SIM_PC_NONE: fail) */
    uint32_t policy;        /* call: its retry policy, ep->retries[policy - 1]; 0: none */
    uint32_t reply_to;      /* request: the reply queue's index + 1; 0: straight back */
    double timeout;         /* request: how long the caller waits for the reply; 0: no limit */
    sim_dist *dist;         /* work, sleep */
    uint32_t *targets;      /* fork, choose: n (+1 for fork) addresses */
    double *cum;            /* choose: cumulative probabilities */
    struct sim_key *key;    /* publish, request: its key, or NULL */
} sim_op;

/* A publish's key (sim_key_config): the constant, or how to draw one of n keys. */
typedef struct sim_key {
    uint8_t kind;           /* sim_key_kind */
    uint32_t n;
    double s;
    uint64_t value;
    double *cum;            /* Zipf: cumulative probabilities of keys 0..n-1 */
    sim_rng rng;
} sim_key;

/* The key's hash for a publish: a constant's, or a fresh draw's. */
uint64_t sim_key_draw(sim_key *k);
/* Adds to share[0 .. P) the probability that a publish with key k (NULL: none, round robin)
 * goes to each of P partitions: the same hash as sim_key_draw, over every key (O(n)). */
void sim_key_shares(const sim_key *k, uint32_t P, double *share);

/* Each endpoint draws its durations and branch choices from streams of its own, keyed
 * "service/<service>/<endpoint>/work" and ".../branch": changing one endpoint's steps leaves the
 * draws of every other endpoint unchanged (common random numbers across variants). */
typedef struct sim_endpoint {
    char *name;
    sim_op *ops;
    uint32_t nops, cap;
    int closed;             /* the program ended with RETURN */
    double error_rate;      /* served requests that then fail (sim_endpoint_set_error_rate) */
    sim_rng rng_work, rng_choose;
    sim_rng rng_error;      /* ".../error", seeded only when error_rate is set */
    struct sim_ep_stats *stats;   /* its statistics (service.c), set when the run starts */
    sim_retry *retries;     /* the policies of its calls (timeouts, retries), op->policy - 1 */
    uint32_t nretries;
} sim_endpoint;

void sim_endpoint_fini(sim_endpoint *ep);

/* Checks a closed program; SIM_OK, or SIM_EMODEL with the reason in why (at most n bytes). */
int sim_program_verify(const sim_endpoint *ep, char *why, size_t n);

#endif
