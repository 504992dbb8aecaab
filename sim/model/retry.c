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

/* ---- the circuit breaker ---------------------------------------------------------------- */

int sim_breaker_check(const sim_breaker_config *c)
{
    int ok = c->failures >= 1 && c->failures <= SIM_BREAKER_MAX && c->probes >= 1 &&
             c->probes <= SIM_BREAKER_MAX && c->open_for > 0 && c->open_for < INFINITY;
    return ok ? SIM_OK : SIM_EINVAL;
}

static void breaker_enter(sim_breaker *b, sim_breaker_state st, double now, double warmup)
{
    b->state = (uint8_t)st;
    b->epoch++;
    b->since = now;
    b->fails = 0;
    b->probing = 0;
    if (st == SIM_BREAKER_OPEN) {
        b->opens++;
        if (now >= warmup)
            b->opens_win++;
    }
}

uint32_t sim_breaker_admit(sim_breaker *b, double now, double warmup)
{
    switch ((sim_breaker_state)b->state) {
    case SIM_BREAKER_CLOSED:
        return b->epoch + 1;
    case SIM_BREAKER_OPEN:
        if (now < b->since + b->cfg.open_for)
            return 0;
        breaker_enter(b, SIM_BREAKER_HALF, now, warmup);
        break;
    case SIM_BREAKER_HALF:
        if (b->probing >= b->cfg.probes && now >= b->since + b->cfg.open_for)
            breaker_enter(b, SIM_BREAKER_HALF, now, warmup);
        break;
    }
    if (b->probing >= b->cfg.probes)
        return 0;
    b->probing++;
    return b->epoch + 1;
}

void sim_breaker_result(sim_breaker *b, uint32_t ticket, int ok, double now, double warmup)
{
    if (ticket != b->epoch + 1)
        return;   /* let through in an earlier state: its answer comes too late to count */
    if (b->state == SIM_BREAKER_HALF) {
        breaker_enter(b, ok ? SIM_BREAKER_CLOSED : SIM_BREAKER_OPEN, now, warmup);
    } else if (b->state == SIM_BREAKER_CLOSED) {
        if (ok)
            b->fails = 0;
        else if (++b->fails >= b->cfg.failures)
            breaker_enter(b, SIM_BREAKER_OPEN, now, warmup);
    }
}
