/* Coverage of the replication method: over many independent M/M/1 experiments of 10
 * replications each, the 95% Student t interval for the mean response time must contain the
 * exact value 1 / (mu - lambda) between 93% and 97% of the time.
 *
 * Why 1000 experiments: the number of intervals that hold the true value is binomial; at the
 * nominal 95% its standard deviation is sqrt(0.95 * 0.05 / 1000) = 0.69 points, so the band
 * [93%, 97%] is +-2.9 standard deviations (a correct method passes 99.6% of the time), while a
 * normal interval in place of the t (about 91.8% coverage with 9 degrees of freedom) falls
 * below 93% nine times out of ten. What the band also catches: replications that are not
 * independent (shared streams), and a warm-up or run length that biases each replication's
 * mean (the interval would centre on the wrong value); the mean of all 10 000 replications
 * must also hold the exact value in its own 99% interval.
 *
 * The coverage found, 93.9%, is below the nominal 95% and that is the method, not a defect:
 * the t interval assumes normal replication means, and M/M/1 means over ~1900 customers are
 * skewed (about 0.3) and heavy-tailed (busy periods); with 10 replications that costs about
 * one point of coverage (docs/validation.md).
 *
 * Each replication: lambda = 0.5, mu = 1 (rho = 0.5, exact mean 2 s), 4000 s after a 200 s
 * warm-up (about 1900 customers). Replication r of experiment x is replication 10 x + r of one
 * seed: distinct streams, as `dessa run --reps` uses them. The sanitizer build runs 50
 * experiments (memory errors, not statistics, are its point) and checks only that they run. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/dist.h"
#include "core/error.h"
#include "model/internal.h"
#include "model/model.h"
#include "stats/ci.h"

#define OK(x) assert_int_equal((x), SIM_OK)
#define REPS 10
#if defined(__SANITIZE_ADDRESS__)
#define EXPERIMENTS 50
#define CHECK_BAND 0
#else
#define EXPERIMENTS 1000
#define CHECK_BAND 1
#endif

static double replication(uint64_t rep)
{
    sim_config cfg = { .seed = 2026, .rep = rep, .duration = 4200, .warmup = 200,
                       .sample = 4200 };
    sim_engine *e = sim_engine_new(&cfg);
    assert_non_null(e);
    sim_service_config sc = { .workers = 1, .queue = -1, .replicas = 1 };
    uint32_t s, ep;
    OK(sim_service_add(e, "s", &sc, &s));
    OK(sim_endpoint_add(e, s, "e", &ep));
    sim_dist *d;
    OK(sim_dist_exp(&d, 1));
    OK(sim_op_work(e, s, ep, d));
    OK(sim_op_return(e, s, ep));
    sim_client_config c = { .service = s, .arrivals = SIM_ARR_POISSON, .rate = 0.5 };
    OK(sim_client_add(e, "c", &c));
    OK(sim_engine_run(e));
    const sim_client *cl = &e->clients[0];
    double mean = cl->lat_hist.sum / (double)cl->lat_hist.count;
    sim_engine_free(e);
    return mean;
}

static void test_t_interval_coverage(void **state)
{
    (void)state;
    const double exact = 1.0 / (1.0 - 0.5);
    int held = 0;
    sim_tally all;   /* every replication: the method's bias, apart from its intervals */
    sim_tally_reset(&all);
    for (int x = 0; x < EXPERIMENTS; x++) {
        sim_tally t;
        sim_tally_reset(&t);
        for (int r = 0; r < REPS; r++)
        {
            double v = replication((uint64_t)x * REPS + (uint64_t)r);
            sim_tally_add(&t, v);
            sim_tally_add(&all, v);
        }
        double half = sim_ci_t_halfwidth(&t, 0.95);
        held += fabs(sim_tally_mean(&t) - exact) <= half;
    }
    double coverage = (double)held / EXPERIMENTS;
    double grand = sim_tally_mean(&all), grand_half = sim_ci_t_halfwidth(&all, 0.99);
    print_message("mean of all %zu replications: %.5f ± %.5f (99%%; exact %.1f)\n",
                  (size_t)all.n, grand, grand_half, exact);
    print_message("95%% intervals holding the exact M/M/1 mean: %d of %d (%.1f%%)\n", held,
                  EXPERIMENTS, 100 * coverage);
    if (CHECK_BAND && !(coverage >= 0.93 && coverage <= 0.97))
        fail_msg("coverage %.3f outside [0.93, 0.97]", coverage);
    if (CHECK_BAND && fabs(grand - exact) > grand_half)
        fail_msg("the replications' means are biased: %.5f ± %.5f", grand, grand_half);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_t_interval_coverage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
