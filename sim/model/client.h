/* client (internal): workloads and flows; see client.c. */
#ifndef SIM_CLIENT_H
#define SIM_CLIENT_H

#include <stdint.h>

#include "core/check.h"
#include "core/rng.h"
#include "core/time.h"
#include "model/cause.h"
#include "model/model.h"
#include "model/request.h"
#include "model/retry.h"
#include "stats/hist.h"

struct sim_engine;

/* Counters of one window: the whole run (ledger), the statistics window (by cohort), or one
 * sample interval. */
typedef struct sim_flow_counts {
    uint64_t sent;
    uint64_t attempts;          /* the client's attempts: sent + its retries */
    uint64_t by[SIM_NCAUSES];   /* how the requests ended, by cause */
} sim_flow_counts;

typedef struct sim_client {
    char *name;
    uint32_t index;
    sim_client_config cfg;
    double *times, *rates;      /* owned copies for schedules */
    uint32_t sched_i;           /* schedule: the segment of the last arrival */
    uint32_t node;
    sim_rng rng_arrival, rng_think;
    sim_retry retry;            /* its retries (cfg.retry), with their own stream */
    uint64_t created;           /* requests made so far (limit) */
    sim_time on_until;          /* bursty: end of the current on period */
    double gap_mean;            /* Poisson, constant, bursty: 1 / rate, the mean gap */
    sim_flow_counts all, win, at_tick;   /* since the start, its cohort, at the last sample */
    uint64_t in_flight;
    /* Responses: lat_hist holds the cohort's up to the last sample (or the end of the run);
     * this interval's are in tick_hist (the cohort's, merged into lat_hist at each sample) and
     * tick_early (requests sent before the warm-up), so each response is added once. The sums
     * are kept apart so that means are the plain running sums they always were. */
    sim_hist lat_hist, tick_hist, tick_early, compl_hist;
    double lat_sum, tick_sum;
} sim_client;

int sim_client_start(struct sim_engine *e, sim_client *c);
/* The reply of the root's call arrived. */
void sim_client_reply(struct sim_engine *e, sim_req *root, sim_req *child);
/* The root's whole tree is done at `now` (called as it is freed): its completion time. Inline,
 * since every client request ends here; a timeout still armed goes out of line. */
void sim_client_release_timer_(struct sim_engine *e, sim_req *root);
static inline void sim_client_release(struct sim_engine *e, sim_time now, sim_req *root)
{
    if (SIM_UNLIKELY(root->timer != NULL))
        sim_client_release_timer_(e, root);
    if (root->counted && root->outcome == SIM_CAUSE_OK)
        sim_hist_add(&root->client->compl_hist, now - root->t_created);
}
void sim_client_fini(sim_client *c);

#endif
