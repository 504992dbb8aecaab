/* cause: how a request or message ended — one list, from which the enum, the counter arrays,
 * the output columns and the documentation table are all generated.
 *
 * X(ENUM, field, column, meaning): ENUM names SIM_CAUSE_<ENUM>; `field` is the C identifier of
 * its counter; `column` is the CSV column that counts it (kept from earlier versions where one
 * existed: "timeouts"). SIM_CAUSE_OK comes first; every other cause is an error. */
#ifndef SIM_CAUSE_H
#define SIM_CAUSE_H

#include <stdint.h>

#define SIM_CAUSES(X)                                                                        \
    X(OK, ok, "ok", "answered successfully")                                                 \
    X(DROPPED, dropped, "dropped", "refused by a full queue")                                \
    X(FAILED, failed, "failed", "a step or a call below it failed")                          \
    X(TIMEOUT, timeout, "timeouts", "the caller stopped waiting (timeout)")                  \
    X(REFUSED, refused, "refused", "the target was down and refused the request")         \
    X(CRASHED, crashed, "crashed", "lost in a crash of the instance that held it")           \
    X(SHED, shed, "shed", "shed by load shedding (queue length or deadline)")                \
    X(BREAKER_OPEN, breaker_open, "breaker_open", "refused by an open circuit breaker")      \
    X(RATE_LIMITED, rate_limited, "rate_limited", "refused by a rate limit")                 \
    X(LOST, lost, "lost", "no answer came (a silent failure, a loss on a link)")            \
    X(BULKHEAD, bulkhead, "bulkhead", "refused by a full bulkhead (concurrent calls)")     \
    X(EXPIRED, expired, "expired", "dropped unserved: its deadline had passed")

typedef enum {
#define SIM_CAUSE_ENUM(e, f, c, m) SIM_CAUSE_##e,
    SIM_CAUSES(SIM_CAUSE_ENUM)
#undef SIM_CAUSE_ENUM
    SIM_NCAUSES
} sim_cause;

/* Counters, one per cause. */
typedef struct sim_cause_counts {
    uint64_t n[SIM_NCAUSES];
} sim_cause_counts;

const char *sim_cause_column(sim_cause c);    /* the CSV column, e.g. "timeouts" */
const char *sim_cause_meaning(sim_cause c);   /* one line for docs and messages */

#endif
