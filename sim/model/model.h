/* model: the public face of the engine — build a model, run it, read the results.
 *
 * A sim_engine owns everything in one simulation (clock, calendar, pools, services, clients,
 * links, statistics); two engines can live in one process. The builder functions return SIM_OK
 * or a negative SIM_E* code and never print. Distributions passed in are owned by the engine
 * from then on, on success and on failure alike.
 *
 * Life of an engine: sim_engine_new → sim_service_add / sim_endpoint_add / sim_op_* /
 * sim_client_add / sim_link_* → (sim_engine_set_series, sim_engine_set_progress) →
 * sim_engine_run → read results (model/result.h) → sim_engine_free. */
#ifndef SIM_MODEL_H
#define SIM_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#include "core/dist.h"

typedef struct sim_engine sim_engine;

typedef struct sim_config {
    uint64_t seed;       /* base seed of every named stream */
    uint64_t rep;        /* replication number (0-based), part of every stream's key */
    double duration;     /* simulated seconds, > 0 */
    double warmup;       /* statistics ignore [0, warmup); 0 <= warmup < duration */
    double sample;       /* time-series interval, > 0 */
} sim_config;

/* SIM_DISC_PS: processor sharing — no waiting room; every request gets a thread at once and the
 * service's work shares its cores (`cores`, default `workers`). */
typedef enum { SIM_DISC_FIFO, SIM_DISC_LIFO, SIM_DISC_PRIORITY, SIM_DISC_PS } sim_discipline;
/* How a host's cores serve the work steps of the threads on it. */
typedef enum { SIM_CPU_PS, SIM_CPU_FCFS } sim_cpu_sched;
#define SIM_WORKERS_INF UINT32_MAX   /* an infinite server: a thread for every request */
typedef enum { SIM_LB_ROUND_ROBIN, SIM_LB_RANDOM, SIM_LB_LEAST_OUTSTANDING,
               SIM_LB_POWER_OF_TWO } sim_balancer;
typedef enum { SIM_JOIN_ALL, SIM_JOIN_ANY, SIM_JOIN_QUORUM } sim_join;

typedef struct sim_service_config {
    uint32_t workers;       /* threads, >= 1, or SIM_WORKERS_INF */
    int64_t queue;          /* waiting-room capacity; -1 = unbounded */
    sim_discipline discipline;
    uint32_t replicas;      /* >= 1 */
    sim_balancer balancer;
    double cores;           /* cores of each replica's own host; 0 = a core per working thread */
    sim_cpu_sched cpu;      /* how those cores are shared */
    uint32_t host;          /* a shared host (sim_host_add's index + 1); 0 = none */
} sim_service_config;

typedef enum { SIM_ARR_POISSON, SIM_ARR_CONSTANT, SIM_ARR_SCHEDULE, SIM_ARR_BURSTY } sim_arrivals;
#define SIM_RATE_MAX 1e9   /* arrivals per second, at most (a faster source floods any model) */
#define SIM_USERS_MAX 10000000u   /* users of a closed client, at most */

/* Retries of a call or a client: each attempt may time out (timeout > 0); a failed or timed-out
 * attempt is retried up to `retries` times after a backoff, with jitter drawn from a named
 * stream. A timed-out attempt is abandoned: its reply is ignored, its work goes on. */
typedef enum { SIM_BACKOFF_NONE, SIM_BACKOFF_CONSTANT, SIM_BACKOFF_EXPONENTIAL } sim_backoff;
typedef enum { SIM_JITTER_NONE, SIM_JITTER_FULL, SIM_JITTER_EQUAL,
               SIM_JITTER_DECORRELATED } sim_jitter;
#define SIM_RETRIES_MAX 1000u
typedef struct sim_retry_config {
    double timeout;         /* each attempt's (calls only; a client's is its own `timeout`) */
    uint32_t retries;       /* attempts after the first, <= SIM_RETRIES_MAX */
    sim_backoff backoff;
    double base;            /* constant: the delay; exponential: the first delay */
    double cap;             /* exponential: the largest delay; 0 = none */
    sim_jitter jitter;
    double budget;          /* retry budget: retries at most this fraction of first attempts
                             * (a token bucket per caller); 0 = none */
} sim_retry_config;

/* A circuit breaker on a call (one per call site, shared by every replica of the caller):
 * closed, it opens after `failures` consecutive failed attempts (error answers and timeouts),
 * or — failure-rate mode, rate > 0 — when at least `min_calls` attempts ended in its sliding
 * window and a fraction of at least `rate` of them failed; the window is the last `window`
 * attempts (count-based) or the attempts that ended in the last `window_time` seconds
 * (time-based, in SIM_BREAKER_SLICES slices of window_time / SIM_BREAKER_SLICES: a slice leaves
 * the window whole). Open, attempts fail at once (cause breaker_open) for `open_for` seconds;
 * then half-open, up to `probes` attempts go through: the first success closes it (with an
 * empty window), a failure opens it again. */
#define SIM_BREAKER_MAX 1000000u
#define SIM_BREAKER_SLICES 10
#define SIM_BREAKER_WINDOW_MIN 1e-6   /* seconds: slices are numbered from 0 in 64 bits */
typedef struct sim_breaker_config {
    uint32_t failures;      /* consecutive mode: 1 .. SIM_BREAKER_MAX; 0 in failure-rate mode */
    double open_for;        /* > 0 */
    uint32_t probes;        /* 1 .. SIM_BREAKER_MAX */
    double rate;            /* failure-rate mode: 0 < rate <= 1; 0 = consecutive mode */
    uint32_t window;        /* count-based window: 1 .. SIM_BREAKER_MAX attempts; or 0 and */
    double window_time;     /* a time-based window, >= SIM_BREAKER_WINDOW_MIN seconds */
    uint32_t min_calls;     /* 1 .. SIM_BREAKER_MAX (count-based: at most window) */
} sim_breaker_config;

/* A bulkhead on a call (one per call site, shared by every replica of the caller): at most
 * `max` of its attempts in flight at once (sent and not yet answered, timed out or lost with
 * their caller). An attempt beyond them waits for a permit, first come first served, when
 * fewer than `queue` wait, for at most `max_wait` seconds (0: as long as it takes); else, or
 * when its wait runs out, it fails at once with cause bulkhead. */
typedef struct sim_bulkhead_config {
    uint32_t max;           /* 1 .. SIM_BREAKER_MAX */
    uint32_t queue;         /* 0 .. SIM_BREAKER_MAX */
    double max_wait;        /* >= 0, finite */
} sim_bulkhead_config;

/* A service's guards, checked at each arrival (after a refusal of an instance that is down):
 * a rate limit — a token bucket of `burst` tokens filled at `rate` per second, shared by the
 * replicas; an arrival that finds less than one token ends rate_limited —, load shedding by
 * queue length — an arrival that finds `shed_queue` or more requests waiting at its replica is
 * shed —, and deadlines: with `shed_expired`, a request whose deadline (its client's timeout,
 * carried down its calls and shortened by their timeouts) has passed when it arrives or when
 * it would get a worker ends expired, unserved. */
typedef struct sim_guard_config {
    double rate;            /* > 0, finite; 0 = no rate limit */
    double burst;           /* >= 1 with a rate limit */
    int64_t shed_queue;     /* >= 0; -1 = no shedding by queue length */
    bool shed_expired;
} sim_guard_config;

typedef struct sim_client_config {
    uint32_t service, endpoint;   /* target */
    bool closed;                  /* closed workload (users, think) or open (arrivals) */
    /* open */
    sim_arrivals arrivals;
    double rate;                  /* poisson, constant, bursty (during on periods) */
    const double *times, *rates;  /* schedule: piecewise-constant rate from times[i] */
    uint32_t npoints;
    sim_dist *on, *off;           /* bursty periods (owned by the engine) */
    /* closed */
    uint32_t users;
    sim_dist *think;              /* owned; NULL means no think time */
    /* both */
    double timeout;               /* client-side timeout; 0 = none */
    uint64_t limit;               /* stop after this many requests; 0 = no limit */
    int32_t priority;             /* higher is served first under SIM_DISC_PRIORITY */
    double start;                 /* first request not before this time */
    sim_retry_config retry;       /* retries (retry.timeout unused: `timeout` is per attempt) */
} sim_client_config;

/* One row of the time series, handed to the sink as it is sampled (nothing is kept). NaN marks
 * a value that does not apply to the kind. */
typedef struct sim_series_row {
    double time;
    const char *entity, *kind;
    double throughput, latency_mean, latency_p50, latency_p99, queue, utilization;
    double threads_working, threads_blocked, cores_busy;   /* services */
    double lag;                                            /* brokers */
    double lag_seconds;                                    /* brokers' groups */
    double down;                                           /* services: replicas down */
    uint64_t errors;
} sim_series_row;
/* SIM_OK, or an error code that stops the run. */
typedef int (*sim_series_fn)(void *ud, const sim_series_row *row);

/* Called every few tens of thousands of events with the simulated time and the events so far;
 * returning non-zero stops the run with SIM_ESTOPPED (interrupts, progress bars, time limits). */
typedef int (*sim_progress_fn)(void *ud, double now, uint64_t events);

sim_engine *sim_engine_new(const sim_config *cfg);   /* NULL on ENOMEM or a bad config */
void sim_engine_free(sim_engine *e);                 /* NULL is a no-op */

/* Services and their endpoint programs. Indices are dense, in order of addition. */
int sim_service_add(sim_engine *e, const char *name, const sim_service_config *cfg,
                    uint32_t *index);
int sim_endpoint_add(sim_engine *e, uint32_t service, const char *name, uint32_t *index);
/* A fraction p (0 <= p <= 1) of the requests the endpoint serves fail once served: they run
 * every step, then end with outcome FAILED instead of OK (their caller sees a failure, a
 * message's processing fails). Drawn from the endpoint's own stream ".../error", so setting it
 * moves no other draw. */
int sim_endpoint_set_error_rate(sim_engine *e, uint32_t service, uint32_t ep, double p);
/* The service's guards (sim_guard_config). SIM_EINVAL when out of range. */
int sim_service_set_guard(sim_engine *e, uint32_t service, const sim_guard_config *cfg);

/* Room for nservices services and nclients clients in all, made at once when the counts are
 * known before the model is built (a wide model's records are then allocated at their size).
 * SIM_ENOMEM, or SIM_OK. */
int sim_engine_reserve(sim_engine *e, uint32_t nservices, uint32_t nclients);

/* A host whose `cores` (> 0; whole under FCFS) the services placed on it share. */
int sim_host_add(sim_engine *e, const char *name, double cores, sim_cpu_sched sched,
                 uint32_t *index);

/* Endpoint programs are flat instruction lists with jumps; sim_op_* append to the endpoint
 * (service, endpoint) and, where they take one, store the new instruction's number in *pc.
 * Structured steps are emitted as: fork, then each branch's steps ending with
 * sim_op_branch_end, with sim_op_set_target(fork, i, pc) telling where branch i starts and
 * sim_op_set_target(fork, n, pc) where the join continues; a probabilistic branch likewise,
 * each arm ending with a jump whose target is set to the common continuation. A call's
 * failure continuation is sim_op_set_target(call, 0, pc): a failed call then goes on at pc
 * instead of failing the request. Programs are verified when the run starts. */
int sim_op_work(sim_engine *e, uint32_t s, uint32_t ep, sim_dist *d);
int sim_op_sleep(sim_engine *e, uint32_t s, uint32_t ep, sim_dist *d);
/* Blocking I/O: holds the thread but no core (a driver call, an external API). */
int sim_op_io(sim_engine *e, uint32_t s, uint32_t ep, sim_dist *d);
int sim_op_call(sim_engine *e, uint32_t s, uint32_t ep, uint32_t target, uint32_t target_ep,
                bool blocking);
/* Gives the last instruction of (s, ep), a call, a timeout and retries. SIM_EINVAL when it is
 * not a call or the configuration is out of range. */
int sim_op_call_retry(sim_engine *e, uint32_t s, uint32_t ep, const sim_retry_config *cfg);
/* Gives the last instruction of (s, ep), a call with a policy (sim_op_call_retry, possibly all
 * zero), a circuit breaker. SIM_EINVAL when it is not such a call, already has one, or cfg is
 * out of range. */
int sim_op_call_breaker(sim_engine *e, uint32_t s, uint32_t ep, const sim_breaker_config *cfg);
/* Gives the last instruction of (s, ep), a call with a policy, a bulkhead. SIM_EINVAL as for
 * the breaker. */
int sim_op_call_bulkhead(sim_engine *e, uint32_t s, uint32_t ep,
                         const sim_bulkhead_config *cfg);
int sim_op_fork(sim_engine *e, uint32_t s, uint32_t ep, uint32_t n, sim_join join,
                uint32_t quorum, bool blocking, uint32_t *pc);
int sim_op_choose(sim_engine *e, uint32_t s, uint32_t ep, uint32_t n, const double *probs,
                  uint32_t *pc);
int sim_op_jump(sim_engine *e, uint32_t s, uint32_t ep, uint32_t *pc);
int sim_op_branch_end(sim_engine *e, uint32_t s, uint32_t ep);
int sim_op_set_target(sim_engine *e, uint32_t s, uint32_t ep, uint32_t pc, uint32_t i,
                      uint32_t target);
/* The next instruction's number. */
uint32_t sim_op_next_pc(const sim_engine *e, uint32_t s, uint32_t ep);
/* Ends the endpoint's program (appends the return). */
int sim_op_return(sim_engine *e, uint32_t s, uint32_t ep);

int sim_client_add(sim_engine *e, const char *name, const sim_client_config *cfg);

/* Brokers (model/broker.h): a queue (one group of competing consumers) or a topic (every group
 * gets every message). capacity is per group, in buffered messages (-1: unbounded); a full
 * group drops the new message, drops its oldest, or blocks the producer until there is room.
 * A publish arriving at the broker waits for one of its `workers` (SIM_WORKERS_INF: none
 * waits) and holds it for `cost` (NULL: none; owned by the engine). */
typedef enum { SIM_BROKER_QUEUE, SIM_BROKER_TOPIC } sim_broker_type;
typedef enum { SIM_FULL_DROP_NEW, SIM_FULL_DROP_OLDEST, SIM_FULL_BLOCK } sim_on_full;
/* A partitioned topic (`partitions` > 0; 0: one buffer per group) is a log: a message goes to
 * one partition (its publish's key hashed, or round robin), each group gives each partition to
 * one consumer (`assignment`), which takes its partitions' messages one at a time, in order.
 * Unread messages leave a group's partition after `retention` seconds (0: never) or when
 * `retention_size` (0: no limit) newer messages have entered the partition; a consumer leaving
 * or returning pauses its group for a draw of `rebalance` (NULL: no pause; owned by the engine)
 * before the partitions are assigned again. */
typedef enum { SIM_ASSIGN_RANGE, SIM_ASSIGN_ROUND_ROBIN } sim_assignment;
typedef struct sim_broker_config {
    sim_broker_type type;
    int64_t capacity;
    sim_on_full on_full;
    uint32_t workers;
    sim_dist *cost;
    uint32_t partitions;
    double retention;
    uint64_t retention_size;
    sim_dist *rebalance;
    sim_assignment assignment;
    /* A failure (outage or crash, sim_fault_config.broker) keeps the buffered messages and the
     * record of the deliveries not yet acknowledged (durable), or loses both. */
    bool durable;
} sim_broker_config;
int sim_broker_add(sim_engine *e, const char *name, const sim_broker_config *cfg,
                   uint32_t *index);
/* Endpoint `endpoint` of `service` consumes the broker's messages in `group` (a queue's only
 * group whatever is given; NULL = the service's name), with `consumers` at once (>= 1) and at
 * most `prefetch` (>= consumers) delivered and not yet acknowledged.
 *
 * Delivery: at_least_once acknowledges after processing; a failed processing, or a delivery
 * not acknowledged within `visibility_timeout` (> 0; 0 = none), is redelivered from the head of
 * the group's buffer, and after `max_deliveries` deliveries (0 = unlimited) the message goes to
 * broker `dead_letter` - 1 (0 = none: it is lost). at_most_once acknowledges when processing
 * starts and never redelivers (the last three must be unset). `idempotent` consumers skip a
 * message their group processed successfully in the last `dedupe_window` seconds (> 0). */
typedef enum { SIM_AT_LEAST_ONCE, SIM_AT_MOST_ONCE } sim_delivery;
typedef struct sim_subscription {
    const char *group;
    uint32_t service, endpoint, consumers, prefetch;
    sim_delivery delivery;
    double visibility_timeout;
    uint32_t max_deliveries;
    uint32_t dead_letter;
    bool idempotent;
    double dedupe_window;
    /* The group starts consuming at `start` (seconds, >= 0): from the oldest message still
     * retained (`earliest`) or from the messages published from then on. The first subscription
     * of a group decides. */
    double start;
    bool earliest;
    /* Partitioned topics: the subscription's consumers leave their group at `leave_at` for
     * `leave_for` seconds (0: never leave), as its service failing would make them. */
    double leave_at, leave_for;
} sim_subscription;
int sim_subscribe(sim_engine *e, uint32_t broker, const sim_subscription *sub);
/* publish(broker): with ack the producer waits for the broker's acknowledgement. */
/* The publish just added (with ack, or to a broker that blocks) waits at most `timeout` (> 0)
 * seconds for the broker's acknowledgement; then its step fails with cause "timeout". */
int sim_op_publish_timeout(sim_engine *e, uint32_t s, uint32_t ep, double timeout);
int sim_op_publish(sim_engine *e, uint32_t s, uint32_t ep, uint32_t broker, bool ack);
/* The key of a publish to a partitioned topic: a constant (`value`, any 64-bit number: a
 * string's hash), or a draw among `n` keys, uniform, Zipf of exponent `s`, or one hot key drawn
 * with probability `s` and the others uniform; drawn from the endpoint's stream
 * ".../key/<broker>". The key's hash picks the partition. */
typedef enum { SIM_KEY_CONST, SIM_KEY_UNIFORM, SIM_KEY_ZIPF, SIM_KEY_HOT } sim_key_kind;
typedef struct sim_key_config {
    sim_key_kind kind;
    uint64_t value;
    uint32_t n;
    double s;
} sim_key_config;
int sim_op_publish_keyed(sim_engine *e, uint32_t s, uint32_t ep, uint32_t broker, bool ack,
                         const sim_key_config *key);
/* reply(): answers the caller now; the endpoint goes on with its next steps. */
int sim_op_reply(sim_engine *e, uint32_t s, uint32_t ep);
/* request(queue): a request message to `broker` (a queue) carrying the caller's correlation id;
 * the caller waits for the reply, holding its worker when `blocking`, for at most `timeout`
 * seconds (0: no limit). The consumer answers with its reply() step or, without one, when its
 * processing succeeds; the reply goes to the queue `reply_to` (a broker index; UINT32_MAX: none,
 * straight back over the link) and from there to the caller. A timed-out request fails the
 * caller with cause timeout, or continues at its failure continuation (sim_op_set_target). */
int sim_op_request(sim_engine *e, uint32_t s, uint32_t ep, uint32_t broker, uint32_t reply_to,
                   double timeout, bool blocking);

/* Failures (model/fault.h): an outage (down from `at` for `duration`), a recurring crash (up
 * for a draw of mttf, down for a draw of mttr, again and again; both owned by the engine) or a
 * slowdown (work steps take `factor` times as long from `at` for `duration`), of a whole
 * service (replica = -1), one replica, or a shared host (every service on it). Going down
 * loses the requests the instance holds (cause "crashed"); while down, arrivals are refused at
 * once, or get no answer at all when `silent` (only a caller's timeout notices). Each fault
 * draws from a stream of its own, keyed by its target and its rank among the faults of that
 * target. */
typedef enum { SIM_FAULT_OUTAGE, SIM_FAULT_CRASH, SIM_FAULT_SLOWDOWN } sim_fault_kind;
typedef struct sim_fault_config {
    sim_fault_kind kind;
    uint32_t service;
    int64_t replica;        /* -1: every replica */
    double at, duration;    /* outage, slowdown */
    sim_dist *mttf, *mttr;  /* crash (owned by the engine) */
    double factor;          /* slowdown, > 0 */
    bool silent;            /* while down: no answer instead of a refusal */
    /* An outage or crash of broker `broker` - 1 instead of a service (0: a service; service and
     * replica are then ignored). While down a broker refuses publishes (or, silent, answers
     * none) and delivers nothing; going down loses the publishes it had not accepted yet, and
     * a broker that is not durable loses its buffers and its record of deliveries. */
    uint32_t broker;
    /* A failure of shared host `host` - 1 (sim_host_add's index; 0: none): every replica of
     * every service placed on it goes down (outage, crash) or slows down (slowdown) at once,
     * as each would for a fault of its own, and comes back at once; service and replica are
     * then ignored, and `silent` applies to each. */
    uint32_t host;
} sim_fault_config;
int sim_fault_add(sim_engine *e, const sim_fault_config *cfg);

/* Links: a default latency for every hop, and overrides for unordered pairs of node names
 * (services or clients). NULL latency means zero. */
int sim_link_default(sim_engine *e, sim_dist *latency);
int sim_link_pair(sim_engine *e, const char *a, const char *b, sim_dist *latency);
/* A pair link that may lose requests and replies: each crossing is lost with probability loss
 * (in [0, 1]). latency NULL with inherit set: the default link's latency. */
int sim_link_pair_lossy(sim_engine *e, const char *a, const char *b, sim_dist *latency,
                        bool inherit, double loss);
/* A partition cutting the npairs pairs of names (names[2k], names[2k+1]) for [at, at +
 * duration); label names it in faults.csv. */
int sim_partition_add(sim_engine *e, const char *label, const char *const *names,
                      uint32_t npairs, double at, double duration);
/* The same pairs get `extra` (owned by the engine from here on) more latency on every hop for
 * [at, at + duration): a latency spike. */
int sim_spike_add(sim_engine *e, const char *label, const char *const *names, uint32_t npairs,
                  double at, double duration, sim_dist *extra);

/* Where the time series goes (before the run). Without a sink the rows are kept in memory. */
void sim_engine_set_series(sim_engine *e, sim_series_fn fn, void *ud);
void sim_engine_set_progress(sim_engine *e, sim_progress_fn fn, void *ud);

/* Runs the model from time 0 to the configured duration, then checks the ledger of every
 * client and service (SIM_ELEDGER on a mismatch, with a description in sim_engine_error). */
int sim_engine_run(sim_engine *e);
const char *sim_engine_error(const sim_engine *e);   /* the last error's detail, or "" */
uint64_t sim_engine_events(const sim_engine *e);     /* events processed by the run */

#endif
