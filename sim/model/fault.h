/* fault (internal): failure injection — outages, recurring crashes and slowdowns of services or
 * single replicas — and the log of every failure and recovery (faults.csv).
 *
 * Each fault is one calendar event at a time (its next start or end), re-armed by its handler;
 * nothing touches the hot path but the instance's `down` test at arrival and its `slow` factor
 * in work steps. Times are drawn from the fault's own stream, keyed by its target and its rank
 * among the faults of that target ("fault/<service>/<replica or *>/<rank>"), so two models that
 * differ elsewhere see the same failure times. */
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

/* One line of faults.csv: a failure starts or ends. */
typedef struct sim_fault_event {
    double time;
    uint32_t fault;         /* its index, in order of declaration */
    uint32_t service;
    int64_t replica;        /* -1: every replica */
    uint8_t kind;           /* sim_fault_kind */
    uint8_t start;          /* 1: starts, 0: ends */
} sim_fault_event;

/* Schedules every fault's first event (run start). SIM_OK or an error after failing. */
int sim_faults_start(struct sim_engine *e);
void sim_faults_fini(struct sim_engine *e);
const char *sim_fault_kind_name(sim_fault_kind k);

#endif
