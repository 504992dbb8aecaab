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
#include "model/waitq.h"

/* A circuit breaker's state. Each state change starts a new epoch; an attempt that went
 * through carries the epoch it started in, and a result from an earlier epoch (a call let
 * through before the breaker opened, answering late) changes nothing. */
typedef enum { SIM_BREAKER_CLOSED, SIM_BREAKER_OPEN, SIM_BREAKER_HALF } sim_breaker_state;
/* The sliding window of a breaker in failure-rate mode: the outcomes of the last `window`
 * attempts in a ring (count-based), or per slice of window_time / SIM_BREAKER_SLICES the
 * attempts and failures that ended in it (time-based); `calls` and `fails` are their sums. */
typedef struct sim_breaker_window {
    uint8_t *ring;          /* count-based: 1 = failed, `window` entries (owned) */
    uint32_t at;            /* the next entry to write */
    uint32_t calls, fails;  /* in the window */
    int64_t slice[SIM_BREAKER_SLICES];   /* time-based: the slice each entry holds, -1 none */
    uint32_t scalls[SIM_BREAKER_SLICES], sfails[SIM_BREAKER_SLICES];
} sim_breaker_window;

typedef struct sim_breaker {
    sim_breaker_config cfg;
    uint8_t on;             /* the call has a breaker */
    uint8_t state;          /* sim_breaker_state */
    uint32_t epoch;         /* state changes so far */
    uint32_t fails;         /* closed: consecutive failed attempts */
    uint32_t probing;       /* half-open: probes let through in this epoch */
    double since;           /* when the current state began */
    uint64_t opens;         /* times it opened (whole run) */
    uint64_t opens_win;     /* ... in the statistics window */
    sim_breaker_window w;   /* failure-rate mode (cfg.rate > 0) */
} sim_breaker;

/* A call site's bulkhead: permits in use and the attempts waiting for one (their requests'
 * wait nodes, FIFO). Allocated on its own, so the list's sentinel never moves. */
typedef struct sim_bulkhead {
    sim_bulkhead_config cfg;
    uint32_t used;          /* permits held, at most cfg.max */
    uint32_t seen_used, seen_wait;   /* the ledger's recount of holders and waiters */
    sim_waitq q;            /* attempts waiting for a permit */
} sim_bulkhead;

typedef struct sim_retry {
    sim_retry_config cfg;
    sim_rng rng;            /* jitter draws */
    double tokens;          /* the budget's bucket */
    uint64_t refused;       /* retries the budget did not allow */
    sim_breaker brk;        /* its circuit breaker (brk.on) */
    sim_bulkhead *bh;       /* its bulkhead, or NULL (owned) */
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

/* SIM_OK when cfg is in range (failures and probes 1 .. SIM_BREAKER_MAX, open_for positive and
 * finite; or failures 0 and a failure-rate mode in range), else SIM_EINVAL. */
int sim_breaker_check(const sim_breaker_config *cfg);
/* Makes b's window (the ring of a count-based one). SIM_OK or SIM_ENOMEM. */
int sim_breaker_init(sim_breaker *b, const sim_breaker_config *cfg);
void sim_breaker_fini(sim_breaker *b);
/* SIM_OK when cfg is in range, else SIM_EINVAL. */
int sim_bulkhead_check(const sim_bulkhead_config *cfg);
/* An attempt at time now: 0 when the breaker refuses it, else its epoch + 1 (never 0), which
 * the attempt hands back to sim_breaker_result. Open past open_for becomes half-open; half-open
 * with every probe used for open_for seconds (their callers were lost in a crash, or wait
 * without a timeout) lets new probes through. */
uint32_t sim_breaker_admit(sim_breaker *b, double now, double warmup);
/* The result of an attempt admitted with `ticket`: ok or failed (an error answer, a timeout). */
void sim_breaker_result(sim_breaker *b, uint32_t ticket, int ok, double now, double warmup);

#endif
