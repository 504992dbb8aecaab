/* host: CPU cores shared by the threads of one or more services.
 *
 * A `work` step is CPU demand: it needs a core. Without a host (the default) every thread in
 * `work` has a core of its own, as if cores were unlimited. A host has `cores` cores (possibly
 * fractional under processor sharing) and schedules the work steps of every thread on it:
 *  - processor sharing (the default): the n jobs present each progress at rate min(1, cores/n).
 *    The host keeps a virtual clock V that advances at that rate and a heap of jobs ordered by
 *    the virtual time at which each will have received its demand; only the earliest has an
 *    event in the calendar, so an arrival or a departure costs O(log n).
 *  - first come, first served: at most `cores` jobs run at full speed, the others wait in a
 *    FIFO wait list for a core.
 * A service with `cores = N` gets a private host per replica; a shared host serves every
 * replica of every service placed on it. Threads blocked on a call or on I/O use no core. */
#ifndef SIM_HOST_H
#define SIM_HOST_H

#include <stddef.h>
#include <stdint.h>

#include "core/calendar.h"
#include "core/time.h"
#include "model/model.h"
#include "model/request.h"
#include "model/waitq.h"
#include "stats/tally.h"

struct sim_engine;
struct sim_instance;

typedef struct sim_host {
    char *name;
    double cores;
    uint8_t sched;              /* sim_cpu_sched */
    uint32_t index;
    /* processor sharing */
    sim_req **heap;             /* jobs by virtual finish time */
    size_t n, cap;
    double vtime;               /* virtual time at vlast */
    sim_time vlast;
    double rate;                /* progress rate of each job now: min(1, cores / n) */
    sim_event *ev;              /* the earliest completion */
    /* first come, first served */
    sim_waitq wait;
    uint32_t running;
    /* the instances placed here (their CPU use follows the rate) */
    struct sim_instance **members;
    uint32_t nmembers, members_cap;
    /* statistics */
    sim_tw tw_busy;             /* cores in use */
    double tick_busy;
} sim_host;

/* Makes a host; SIM_OK or SIM_ENOMEM. */
int sim_host_init(sim_host *h, const char *name, double cores, sim_cpu_sched sched,
                  uint32_t index);
void sim_host_fini(sim_host *h);
int sim_host_place(sim_host *h, struct sim_instance *in);   /* SIM_OK or SIM_ENOMEM */

/* r needs `demand` seconds of one core: it is scheduled on h and resumes its program (pc + 1)
 * when served. SIM_OK or an error after failing the engine. */
int sim_host_run(struct sim_engine *e, sim_host *h, sim_req *r, double demand);
/* Takes r off the host (its wait was abandoned): its remaining demand is dropped. */
void sim_host_remove(struct sim_engine *e, sim_host *h, sim_req *r);

#endif
