/* fault (internal): failure injection — outages, recurring crashes and slowdowns of services,
 * single replicas or shared hosts (every instance placed on the host at once), outages and
 * crashes of brokers (broker.c, sim_broker_down) — and the log of every failure and recovery
 * (faults.csv).
 *
 * Each fault is one calendar event at a time (its next start or end), re-armed by its handler;
 * nothing touches the hot path but the instance's `down` test at arrival and its `slow` factor
 * in work steps. Times are drawn from the fault's own stream, keyed by its target and its rank
 * among the faults of that target ("fault/<service, host or broker>/<replica or *>/<rank>"), so two
 * models that differ elsewhere see the same failure times. */
#ifndef SIM_FAULT_H
#define SIM_FAULT_H

#include <stdint.h>

#include "core/rng.h"
#include "core/time.h"
#include "model/model.h"

struct sim_engine;

typedef struct sim_fault {
    sim_fault_config cfg;
    sim_rng rng;
    int on;                 /* in force now */
} sim_fault;

/* One line of faults.csv: a failure starts or ends, or a circuit breaker changes state. */
#define SIM_FLOG_BREAKER 0xff   /* kind of a breaker's row */
#define SIM_FLOG_PARTITION 0xfe /* kind of a partition's row (fault: its index) */
typedef struct sim_fault_event {
    double time;
    uint32_t fault;         /* its index, in order of declaration; a breaker: its call's
                             * policy (ep->retries[fault - 1]) */
    uint32_t service;       /* a breaker: the calling service */
    int64_t replica;        /* -1: every replica; a breaker: its caller's endpoint */
    uint8_t kind;           /* sim_fault_kind, or SIM_FLOG_BREAKER */
    uint8_t start;          /* 1: starts, 0: ends; a breaker: its new sim_breaker_state */
} sim_fault_event;

/* Schedules every fault's first event (run start). SIM_OK or an error after failing. */
int sim_faults_start(struct sim_engine *e);
void sim_faults_fini(struct sim_engine *e);
const char *sim_fault_kind_name(sim_fault_kind k);
/* Logs a state change of the breaker of policy `policy` (1-based) of endpoint ep of service
 * svc, now. */
/* Logs the start (1) or end (0) of partition `partition`, now. */
void sim_fault_log_partition(struct sim_engine *e, uint32_t partition, int start);
void sim_fault_log_breaker(struct sim_engine *e, uint32_t svc, uint32_t ep, uint32_t policy,
                           int state);

#endif
