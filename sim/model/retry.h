/* retry: the policy of a call or a client — a timeout per attempt, retries after a backoff with
 * jitter, and a retry budget — and the delay before each retry.
 *
 * Backoff before retry k (k = 1, 2, ...): constant: base; exponential: base * 2^(k-1), at most
 * cap. Jitter (as the well-known AWS article names them): none: the backoff b; full: uniform in
 * [0, b]; equal: b/2 + uniform in [0, b/2]; decorrelated: uniform in [base, 3 * the previous
 * delay] (the first previous delay is base), at most cap. Draws come from the policy's own
 * stream, so they do not disturb any other component's.
 *
 * The budget is a token bucket per caller: each first attempt adds `budget` tokens (at most
 * 10 + budget: a short burst of retries is allowed), each retry takes one; a retry that finds
 * less than one token is not made (the failure stands). */
#ifndef SIM_RETRY_H
#define SIM_RETRY_H

#include <stdint.h>

#include "core/rng.h"
#include "model/model.h"

typedef struct sim_retry {
    sim_retry_config cfg;
    sim_rng rng;            /* jitter draws */
    double tokens;          /* the budget's bucket */
    uint64_t refused;       /* retries the budget did not allow */
} sim_retry;

/* SIM_OK when cfg is in range (timeouts, delays and budget finite and non-negative, retries at
 * most SIM_RETRIES_MAX, known kinds), else SIM_EINVAL. */
int sim_retry_check(const sim_retry_config *cfg);
/* The delay before retry k (>= 1); *prev is the previous delay (decorrelated jitter), updated. */
double sim_retry_delay(sim_retry *p, uint32_t k, double *prev);
/* A first attempt: fills the budget. */
static inline void sim_retry_first(sim_retry *p)
{
    if (p->cfg.budget > 0 && p->tokens < 10 + p->cfg.budget)
        p->tokens += p->cfg.budget;
}
/* Whether a retry may be made now (takes a token from the budget when there is one). */
int sim_retry_allowed(sim_retry *p);

#endif
