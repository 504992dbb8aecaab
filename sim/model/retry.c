/* retry: backoff, jitter and the retry budget; see retry.h. */
#include "model/retry.h"

#include <math.h>
#include <string.h>

#include "core/alloc.h"
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
    int ok = c->probes >= 1 && c->probes <= SIM_BREAKER_MAX && c->open_for > 0 &&
             c->open_for < INFINITY;
    if (c->rate > 0) {   /* failure-rate mode */
        int count = c->window >= 1 && c->window <= SIM_BREAKER_MAX && c->window_time == 0;
        int timed = c->window == 0 && c->window_time >= SIM_BREAKER_WINDOW_MIN &&
                    c->window_time < INFINITY;
        ok = ok && c->failures == 0 && c->rate <= 1 && (count || timed) && c->min_calls >= 1 &&
             c->min_calls <= SIM_BREAKER_MAX && (!count || c->min_calls <= c->window);
    } else {
        ok = ok && c->rate == 0 && c->failures >= 1 && c->failures <= SIM_BREAKER_MAX;
    }
    return ok ? SIM_OK : SIM_EINVAL;
}

int sim_breaker_init(sim_breaker *b, const sim_breaker_config *cfg)
{
    b->cfg = *cfg;
    b->on = 1;
    memset(&b->w, 0, sizeof b->w);
    for (int i = 0; i < SIM_BREAKER_SLICES; i++)
        b->w.slice[i] = -1;
    if (cfg->rate > 0 && cfg->window > 0) {
        b->w.ring = sim_calloc(cfg->window, 1);
        if (!b->w.ring)
            return SIM_ENOMEM;
    }
    return SIM_OK;
}

void sim_breaker_fini(sim_breaker *b)
{
    sim_free(b->w.ring);
    b->w.ring = NULL;
}

int sim_bulkhead_check(const sim_bulkhead_config *c)
{
    int ok = c->max >= 1 && c->max <= SIM_BREAKER_MAX && c->queue <= SIM_BREAKER_MAX &&
             c->max_wait >= 0 && c->max_wait < INFINITY;
    return ok ? SIM_OK : SIM_EINVAL;
}

/* Empties the failure-rate window (the breaker closes). */
static void window_clear(sim_breaker_window *w, uint32_t n)
{
    if (w->ring)
        memset(w->ring, 0, n);
    w->at = w->calls = w->fails = 0;
    for (int i = 0; i < SIM_BREAKER_SLICES; i++) {
        w->slice[i] = -1;
        w->scalls[i] = w->sfails[i] = 0;
    }
}

/* Adds an attempt's outcome to the window at time now; whether the breaker must open. */
static int window_add(sim_breaker *b, int failed, double now)
{
    sim_breaker_window *w = &b->w;
    const sim_breaker_config *c = &b->cfg;
    if (w->ring) {
        if (w->calls == c->window)
            w->fails -= w->ring[w->at];   /* the oldest leaves */
        else
            w->calls++;
        w->ring[w->at] = (uint8_t)failed;
        w->fails += (uint32_t)failed;
        w->at = w->at + 1 == c->window ? 0 : w->at + 1;
    } else {
        double width = c->window_time / SIM_BREAKER_SLICES;
        int64_t cur = (int64_t)floor(now / width);
        for (int i = 0; i < SIM_BREAKER_SLICES; i++)
            if (w->slice[i] >= 0 && w->slice[i] <= cur - SIM_BREAKER_SLICES) {
                w->calls -= w->scalls[i];   /* slid out of the window */
                w->fails -= w->sfails[i];
                w->slice[i] = -1;
                w->scalls[i] = w->sfails[i] = 0;
            }
        int k = (int)(cur % SIM_BREAKER_SLICES);
        if (w->slice[k] != cur) {
            w->calls -= w->scalls[k];
            w->fails -= w->sfails[k];
            w->slice[k] = cur;
            w->scalls[k] = w->sfails[k] = 0;
        }
        w->scalls[k]++;
        w->sfails[k] += (uint32_t)failed;
        w->calls++;
        w->fails += (uint32_t)failed;
    }
    return w->calls >= c->min_calls && (double)w->fails >= c->rate * (double)w->calls;
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
    } else if (st == SIM_BREAKER_CLOSED && b->cfg.rate > 0) {
        window_clear(&b->w, b->cfg.window);
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
        if (b->cfg.rate > 0) {
            if (window_add(b, !ok, now))
                breaker_enter(b, SIM_BREAKER_OPEN, now, warmup);
        } else if (ok) {
            b->fails = 0;
        } else if (++b->fails >= b->cfg.failures) {
            breaker_enter(b, SIM_BREAKER_OPEN, now, warmup);
        }
    }
}
