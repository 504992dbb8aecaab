/* broker (internal): message brokers — queues (competing consumers) and topics (every group
 * gets every message) — their buffers, consumer groups, deliveries and acknowledgements.
 *
 * A broker is a node. A publish is a message (sim_msg, from the engine's message pool) that
 * travels the link from the producer to the broker, may wait for a broker worker and pay the
 * publish cost, and is then accepted: it gets a sequence number and one copy per group. A queue
 * has exactly one group (named after the queue); a topic has one per distinct `group` of its
 * subscriptions. Subscriptions naming the same group are its members and compete for its
 * messages. A group's buffer is a FIFO list threaded through the messages (O(1) push, pop and
 * drop of the oldest); nothing ever walks it.
 *
 * Delivery: a member takes messages while it has fewer than `prefetch` delivered and not yet
 * acknowledged; each travels the link to a replica of the subscribing service and waits there
 * for one of the member's `consumers`, which runs the subscription's endpoint as a request of
 * that service (queueing, threads, calls and further publishes as for any request). The
 * request's end (ok, failed or dropped by the service) acknowledges the message back over the
 * link.
 *
 * Delivery semantics, per subscription. at_least_once (the default): a failed processing's
 * negative acknowledgement puts the message back at the head of its group's buffer
 * (redelivered); a visibility timeout (a calendar event per delivery, cancelled by the ack)
 * does the same with a copy while the first delivery goes on as a ghost, whose later successful
 * ack is a duplicate; after max_deliveries the message goes to the dead-letter broker (a publish
 * from the broker, keeping its pin on the client request) or, without one, is lost.
 * at_most_once: the message is acknowledged when its processing starts; a failure loses it.
 * Idempotent members remember what their group processed (sim_dedupe) and skip, or do not
 * apply, a message processed already (duplicates suppressed).
 *
 * Completion: every copy pins its client request (root->tree, see request.h) until its
 * consumer's request exists; that request pins the root in turn until it ends, so a client
 * request completes only when all the work its messages caused has finished.
 *
 * Producer acknowledgement: publish(b, { ack = true }) holds the producer (and its thread) until
 * the broker's acknowledgement comes back over the link; on_full = "block" implies it, and the
 * acknowledgement of a blocked message waits until there is room (backpressure).
 *
 * Partitioned topics (a log): each group's buffer is one FIFO per partition (sim_part) and the
 * group's consumers are slots (sim_slot: one per consumer of each subscription), each owning
 * some partitions. A slot has at most one message out and so has a partition: order is kept per
 * partition, whatever the links do. A slot's partitions with a message to deliver wait in its
 * ready list (threaded through the partitions, round robin), so a delivery never looks at a
 * partition that has nothing for it. Retention removes unread messages from the heads of the
 * partitions: by size when a message enters a partition, by time from a ring of acceptance
 * times (one entry per message, expiring from its head). A subscription whose service goes
 * down or comes back pauses its group (a rebalance) and reassigns the partitions. */
#ifndef SIM_BROKER_H
#define SIM_BROKER_H

#include <stdint.h>

#include "core/dist.h"
#include "core/rng.h"
#include "core/time.h"
#include "model/model.h"
#include "model/request.h"
#include "stats/hist.h"
#include "stats/tally.h"

struct sim_engine;
struct sim_instance;
struct sim_broker;
struct sim_key;

typedef enum {
    SIM_MSG_FREE = 0,
    SIM_MSG_TO_BROKER,     /* travelling from the producer */
    SIM_MSG_WAITING,       /* waiting for a broker worker */
    SIM_MSG_PUBLISHING,    /* paying the publish cost */
    SIM_MSG_BLOCKED,       /* waiting for room (on_full = "block") */
    SIM_MSG_BUFFERED,      /* in a group's buffer */
    SIM_MSG_TO_CONSUMER,   /* delivered, travelling to the consumer */
    SIM_MSG_PREFETCHED,    /* at the consumer, waiting for one of its consumers */
    SIM_MSG_PROCESSING,    /* its consumer's request runs */
    SIM_MSG_ACKING,        /* processed; the acknowledgement travels back */
    SIM_MSG_REPLYING,      /* a reply travelling straight back to its caller (no reply queue) */
} sim_msg_state;

typedef struct sim_msg sim_msg;
struct sim_msg {
    sim_msg *next;              /* first: the FIFO it is in (the pool's link when free) */
    uint32_t part, slot;        /* partitioned: its partition, and the slot it went to */
    uint64_t off;               /* partitioned: its offset in its group's partition, from 1 */
    uint8_t state;              /* sim_msg_state */
    uint8_t outcome;            /* of its processing (sim_cause) */
    uint8_t pinned;             /* holds a pin on root (sim_req_pin) */
    uint8_t ghost;              /* a delivery whose visibility timeout expired: its group's
                                   message is a copy, this is only the processing going on */
    uint8_t released;           /* at_most_once: acknowledged when its processing started */
    uint8_t suppressed;         /* an idempotent consumer recognised it as a duplicate */
    uint8_t counted;            /* published in the statistics window: its cohort's counts,
                                   ages and sojourns are the window's (copies and dead letters
                                   keep it) */
    uint32_t deliveries;        /* times delivered (redeliveries included) */
    sim_event *vt;              /* its visibility timeout, or NULL */
    uint32_t group, member;     /* its copy's group, and the member it was delivered to */
    uint32_t pgen;              /* the producer's wait token */
    /* Request-reply: a request (request step) and its reply both carry the caller waiting for
     * the reply (one reference on it per record) and its wait token: the correlation id. */
    sim_req *caller;            /* or NULL: a plain message */
    uint32_t cgen;
    uint32_t reply_to;          /* a request: its reply queue's index + 1; 0: straight back */
    uint8_t replied;            /* a request: its reply has been sent */
    uint8_t reply;              /* a reply: delivered to its caller, not to a subscription */
    struct sim_broker *ob;      /* a reply: the broker of its request (counts its fate) */
    uint32_t og;                /* a reply: its request's group there */
    uint32_t epoch;             /* its broker's failures when it was delivered or went to pay
                                   its publish cost: an older epoch means a failure since */
    uint8_t applied;            /* processed successfully before, but the acknowledgement was
                                   lost in a failure of its (durable) broker: a later successful
                                   processing is a duplicate */
    struct sim_broker *b;
    sim_req *root;              /* the client request it belongs to */
    sim_req *producer;          /* waits for the broker's acknowledgement, or NULL */
    struct sim_instance *inst;  /* the consumer's replica */
    uint64_t seq;               /* acceptance order in the broker, from 1 */
    sim_time t_acc;             /* accepted */
};

typedef struct sim_mlist {
    sim_msg *head, *tail;
    uint64_t n;
} sim_mlist;

/* Counters of one window (the whole run for the ledger, the statistics window, one sample). */
typedef struct sim_bcounts {
    uint64_t sent;          /* broker: publishes made by producers */
    uint64_t arrived;       /* broker: publishes that reached it */
    uint64_t accepted;      /* broker: given a sequence number (and a copy per group) */
    uint64_t published;     /* copies offered to groups (a group: to it) */
    uint64_t delivered, acked, lost, dropped, out_of_order;
    uint64_t redelivered;   /* put back at the head of the buffer (failure or timeout) */
    uint64_t duplicates;    /* successful processings acknowledged after their visibility
                               timeout had redelivered the message */
    uint64_t suppressed;    /* duplicates an idempotent consumer recognised */
    uint64_t dead_lettered; /* sent to the dead-letter broker after max_deliveries */
    uint64_t expired;       /* visibility timeouts (each leaves a ghost delivery) */
    uint64_t late;          /* ghost deliveries whose acknowledgement came back */
    uint64_t aged;          /* removed by retention before the group read them */
    uint64_t rebalances;    /* a group's pauses to reassign its partitions */
    /* request-reply, on the rows of the request's queue */
    uint64_t replies;       /* replies its consumers sent */
    uint64_t answered;      /* replies that reached their caller still waiting */
    uint64_t late_replies;  /* replies that reached a caller no longer waiting: discarded */
    uint64_t reply_dropped; /* replies a full reply queue dropped (its row: dropped) */
    uint64_t timeouts;      /* callers that stopped waiting for a reply */
    uint64_t refused;       /* broker: publishes not accepted because it was down (arrived
                               while down, or waiting, paying or blocked when it failed) */
    uint64_t link_lost;     /* broker: publishes lost on the link to it (a loss, a partition) */
} sim_bcounts;

/* An idempotent group's memory of the messages it has processed: a hash set of sequence
 * numbers (open addressing, linear probing, deletion by backward shift) and a ring of the same
 * keys in order of insertion, which is their order of expiry (one window per group): expiring
 * pops from the ring's head, so nothing is ever scanned. */
typedef struct sim_dedupe {
    uint64_t *keys;             /* 0: an empty slot (sequence numbers start at 1) */
    uint32_t cap, n, shift;     /* cap a power of two; shift = 64 - log2(cap) */
    struct sim_dd_entry {
        uint64_t key;
        sim_time expires;
    } *ring;
    uint32_t rcap, rhead, rn;   /* rcap a power of two */
    double window;
} sim_dedupe;

typedef struct sim_member {
    uint32_t service, endpoint;
    uint32_t consumers;     /* concurrent deliveries being processed */
    uint32_t prefetch;      /* delivered and not acknowledged, at most */
    uint32_t busy;          /* consumers processing now */
    uint32_t outstanding;   /* delivered, not acknowledged */
    sim_mlist local;        /* arrived at the consumer, waiting for a consumer */
    /* delivery semantics (sim_subscription) */
    uint8_t at_most_once, idempotent;
    uint32_t max_deliveries;    /* 0: unlimited */
    uint32_t dead_letter;       /* broker index + 1; 0: none */
    double visibility;          /* visibility timeout; 0: none */
    uint8_t live;               /* its service is up (not every replica down) and it has not
                                   left (away): only a live member is delivered to */
    uint8_t away;               /* left its group (leave_at), not yet back */
    double leave_at, leave_for;
    uint32_t slot0;             /* partitioned: its first slot */
} sim_member;

#define SIM_NONE UINT32_MAX

/* One partition of a partitioned group. */
typedef struct sim_part {
    sim_mlist buf;
    sim_msg *out;           /* its message delivered and not yet settled, or NULL */
    uint32_t owner;         /* the slot it is assigned to, or SIM_NONE */
    uint32_t next_ready;    /* the next in its owner's ready list */
    uint8_t queued;         /* in its owner's ready list */
    uint64_t max_started;   /* order within the partition (out_of_order) */
    uint64_t end;           /* offsets given: messages that entered it */
    uint64_t lag;           /* buffered + out */
    sim_tw tw_lag;
    double tick_lag;
} sim_part;

/* One consumer of a partitioned group: a consumer of one of its subscriptions. */
typedef struct sim_slot {
    uint32_t member;
    sim_msg *out;           /* its message delivered and not yet settled, or NULL */
    uint32_t rhead, rtail;  /* its ready partitions */
} sim_slot;

/* What both a group and its broker keep: counts and their statistics. */
typedef struct sim_bstats {
    sim_bcounts all, win, tick;
    sim_tw tw_depth, tw_lag, tw_busy;
    double tick_depth, tick_lag, tick_busy;
    uint64_t depth, lag;    /* buffered; buffered + delivered and not acknowledged */
    uint32_t busy, consumers;
    sim_hist age, sojourn, lag_seen;
} sim_bstats;

typedef struct sim_group {
    char *name;             /* the group's name (a queue's: the queue's) */
    char *label;            /* "broker/group", the time series' entity */
    sim_member *members;
    uint32_t nmembers, rr;
    sim_mlist buf;
    uint64_t max_started;   /* highest sequence number whose processing started */
    sim_dedupe *dd;         /* with an idempotent member: what the group has processed */
    sim_bstats st;
    struct sim_broker *b;   /* its broker (set when the run starts) */
    /* partitioned topics */
    sim_part *parts;
    uint32_t nparts, nslots;
    sim_slot *slots;
    uint8_t paused;         /* rebalancing: nothing is delivered */
    uint32_t rb_gen;        /* the current rebalance (an older one's end is ignored) */
    /* a group that joins later (start > 0) */
    uint8_t started, earliest;
    double start;
    uint64_t skipped;       /* accepted before a `latest` group started: never its messages */
    /* lag in seconds: the age of the oldest buffered message, integrated exactly */
    double ls_old;          /* acceptance time of the oldest buffered message; inf: none */
    uint32_t ls_part;       /* the partition whose head it is */
    double ls_last, ls_area, ls_max, ls_wstart, ls_tick;
    sim_hist ls_seen;       /* as each message of the window found it */
} sim_group;

typedef struct sim_broker {
    char *name;
    uint32_t index, node;
    sim_broker_config cfg;
    sim_group *groups;
    uint32_t ngroups;
    sim_rng rng_cost;
    uint32_t busy;          /* workers paying a publish cost */
    sim_mlist waiting;      /* arrived, waiting for a worker */
    sim_mlist blocked;      /* waiting for room */
    uint64_t seq;
    int pumping;
    uint64_t rr;            /* partitioned: the round robin of unkeyed publishes */
    uint8_t replies;        /* a reply queue: hands each reply to its caller */
    struct sim_ret {        /* partitioned with a time retention: acceptances, oldest first */
        sim_time t;
        uint32_t part;
    } *ret;
    uint32_t rcap, rhead, rn;
    sim_event *ret_ev;      /* the next retention pass, or NULL */
    sim_rng rng_rebalance;
    sim_bstats st;          /* the broker's whole: sums over its groups */
    /* failures (fault.c -> sim_broker_down) */
    uint8_t fails;          /* a fault targets it (sim_fault_add) */
    uint32_t down;          /* failures in force: 0 when up */
    uint8_t silent;         /* while down, a publish gets no answer (else a refusal) */
    uint32_t epoch;         /* failures so far */
    sim_tw tw_down;         /* 1 while down */
    double tick_down;
} sim_broker;

/* One row of the broker kind: a broker (g NULL) or one of its groups. */
typedef struct sim_brow {
    sim_broker *b;
    sim_group *g;
} sim_brow;

/* Run start: pools, pointers, rows. SIM_OK or an error after failing the engine. */
int sim_brokers_start(struct sim_engine *e);
void sim_brokers_fini(struct sim_engine *e);
/* A publish by r (interp.c): 1 when r now waits for the broker's acknowledgement. */
int sim_broker_publish(struct sim_engine *e, sim_req *r, uint32_t broker, int ack,
                       struct sim_key *key);
/* A request by r (interp.c) to queue `broker` for the wait of token `token`; its reply goes
 * to broker reply_to - 1 (0: straight back). */
void sim_broker_request(struct sim_engine *e, sim_req *r, uint32_t broker, uint32_t reply_to,
                        uint32_t token);
/* The consumer r of a request message answers it now (its reply() step). */
void sim_broker_answer(struct sim_engine *e, sim_req *r);
/* A caller stopped waiting for the reply to its request to `broker` (counted there, in the
 * statistics window when `counted`: the request was sent in it). */
void sim_broker_request_timeout(struct sim_engine *e, uint32_t broker, int counted);
/* A failure of a service started or ended (fault.c): the groups it consumes for rebalance when
 * it left (every replica down) or came back. */
void sim_brokers_service_changed(struct sim_engine *e, uint32_t service);
/* A failure of broker `broker` starts (delta +1) or ends (-1), answering nothing (silent) or
 * refusing while down. Going down costs what it loses (the publishes not yet accepted, and the
 * buffers of a broker that is not durable), nothing more. */
void sim_broker_down(struct sim_engine *e, uint32_t broker, int delta, int silent);
/* Links (node.c): the hop of handler fn is a publish on its way to a broker (1) or a broker's
 * answer on its way to the producer (2), which a lossy link may lose; 0 for any other hop
 * (deliveries and acknowledgements cross). */
int sim_broker_hop_lossy(sim_event_fn fn);
/* The handler of such a hop lost on its link (ev->a: the message or the producer; ev->u32: the
 * kind): the publish is gone in silence, or the answer never comes; only the producer's
 * timeout notices. */
void sim_broker_hop_lost(struct sim_engine *e, sim_event *ev);
/* The fraction of the statistics window, up to end, that broker b was up. */
double sim_broker_uptime(const sim_broker *b, sim_time end);
/* A group's lag in seconds over the statistics window up to end: its time average and its
 * largest value (NaN for an empty window). */
double sim_group_lag_seconds_mean(const sim_group *g, sim_time end);
double sim_group_lag_seconds_max(const sim_group *g, sim_time end);
/* A request with nobody to reply to ended (service.c): a delivered message is processed, or a
 * request that replied early has finished its second phase. Releases r. */
void sim_broker_request_end(struct sim_engine *e, sim_req *r);

#endif
