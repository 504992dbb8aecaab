/* hold: the classic hold model for the calendar alone (sim/core/calendar.c, no engine). N events
 * are pending; each step pops the earliest and pushes it again at its time plus an increment, so
 * the calendar's size stays N. A share of the steps also cancels a random pending event and
 * pushes it again (a timer reset: a visibility timeout renewed, a retry re-armed).
 *
 * usage: hold N STEPS exp|const [CANCEL_SHARE (0..1, default 0)]
 *   exp:   increments exponential with mean 1 (the usual hold model);
 *   const: every increment 1, starting from N distinct times in [0, 1): the adversarial case of
 *          bucket queues (every push lands at the far end, in the order of the pops).
 * Prints one line: N, steps, CPU ns per step (user + system, the warm-up of N steps excluded)
 * and a checksum of the popped times (equal for two builds that order alike). */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/calendar.h"
#include "core/error.h"

#include "hold_rng.h"

static double cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int constant;
static double incr(void) { return constant ? 1.0 : -log(rng_u01()); }

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: hold N STEPS exp|const [CANCEL_SHARE]\n");
        return 2;
    }
    size_t n = strtoull(argv[1], NULL, 10), steps = strtoull(argv[2], NULL, 10);
    constant = strcmp(argv[3], "const") == 0;
    double share = argc > 4 ? strtod(argv[4], NULL) : 0.0;
    if (n == 0 || (!constant && strcmp(argv[3], "exp") != 0) || !(share >= 0 && share <= 1)) {
        fprintf(stderr, "hold: N > 0, exp or const, a cancel share in [0, 1]\n");
        return 2;
    }
    uint64_t cancel_below = (uint64_t)(share * 18446744073709551615.0);
    sim_event *ev = calloc(n, sizeof *ev);
    sim_calendar c;
    if (!ev || sim_calendar_init(&c) != SIM_OK)
        return 1;
    for (size_t i = 0; i < n; i++)
        if (sim_calendar_push(&c, &ev[i], constant ? (double)i / (double)n : incr()) != SIM_OK)
            return 1;
    double sum = 0, t0 = 0;
    for (size_t s = 0; s < n + steps; s++) {
        if (s == n)
            t0 = cpu_seconds();   /* after a warm-up of N steps: every event has moved once */
        sim_event *x = sim_calendar_pop(&c);
        double now = x->time;
        sum += now;
        if (sim_calendar_push(&c, x, now + incr()) != SIM_OK)
            return 1;
        if (share > 0 && rng_next() < cancel_below) {
            sim_event *y = &ev[rng_next() % n];
            sim_calendar_cancel(&c, y);
            if (sim_calendar_push(&c, y, now + incr()) != SIM_OK)
                return 1;
        }
    }
    double t = cpu_seconds() - t0;
    printf("hold n=%zu steps=%zu %s cancel=%.2f ns_per_step=%.1f checksum=%.17g\n", n, steps,
           constant ? "const" : "exp", share, t / (double)steps * 1e9, sum);
    sim_calendar_fini(&c);
    free(ev);
    return 0;
}
