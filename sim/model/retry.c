/* retry: backoff, jitter and the retry budget; see retry.h. */
#include "model/retry.h"

#include <math.h>

#include "core/error.h"

int sim_retry_check(const sim_retry_config *c)
{
    int ok = c->timeout >= 0 && c->timeout < INFINITY && c->retries <= SIM_RETRIES_MAX &&
             (unsigned)c->backoff <= SIM_BACKOFF_EXPONENTIAL &&
             (unsigned)c->jitter <= SIM_JITTER_DECORRELATED && c->base >= 0 &&
             c->base < INFINITY && c->cap >= 0 && c->cap < INFINITY && c->budget >= 0 &&
             c->budget < INFINITY;
    return ok ? SIM_OK : SIM_EINVAL;
}

double sim_retry_delay(sim_retry *p, uint32_t k, double *prev)
{
    const sim_retry_config *c = &p->cfg;
    double cap = c->cap > 0 ? c->cap : INFINITY;
    double b = 0;
    if (c->backoff == SIM_BACKOFF_CONSTANT)
        b = c->base;
    else if (c->backoff == SIM_BACKOFF_EXPONENTIAL)
        b = fmin(cap, ldexp(c->base, (int)(k > 1024 ? 1024 : k - 1)));
    double d;
    switch (c->jitter) {
    case SIM_JITTER_FULL:
        d = b * sim_rng_uniform(&p->rng);
        break;
    case SIM_JITTER_EQUAL:
        d = b / 2 + b / 2 * sim_rng_uniform(&p->rng);
        break;
    case SIM_JITTER_DECORRELATED: {
        double last = k == 1 || !(*prev > 0) ? c->base : *prev;
        double hi = 3 * last;
        d = fmin(cap, c->base + (hi - c->base) * sim_rng_uniform(&p->rng));
        break;
    }
    default:
        d = b;
        break;
    }
    if (!(d >= 0) || d == INFINITY)
        d = 0;
    *prev = d;
    return d;
}

int sim_retry_allowed(sim_retry *p)
{
    if (!(p->cfg.budget > 0))
        return 1;
    if (p->tokens >= 1) {
        p->tokens -= 1;
        return 1;
    }
    p->refused++;
    return 0;
}
