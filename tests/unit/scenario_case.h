/* scenario_case: what the unit tests that run small scenarios share — a scenario written to a
 * file and loaded, replications run into result values, the rows of a result looked up, the
 * broker ledger, and a measured mean compared with an expected value through its 99% Student t
 * interval. Header-only; include after cmocka.h. */
#ifndef TEST_SCENARIO_CASE_H
#define TEST_SCENARIO_CASE_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "binding.h"
#include "core/error.h"
#include "model/model.h"
#include "model/result.h"
#include "stats/ci.h"
#include "stats/tally.h"

#define CASE_LEVEL 0.99

/* Writes text to a fresh file and loads it as a scenario with the given overrides and seed. */
static dessa_scenario *case_load(const char *text, const dessa_override *ov, size_t nov,
                                 uint64_t seed)
{
    char path[] = "/tmp/dessa_case_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    char err[1024];
    dessa_load_opts lo = { .overrides = ov, .noverrides = nov, .seed = seed, .has_seed = 1,
                           .quiet = 1 };
    dessa_scenario *sc = dessa_scenario_load(path, &lo, err, sizeof err);
    unlink(path);
    if (!sc)
        fail_msg("%s", err);
    return sc;
}

/* Runs replication rep of sc (time-series rows to fn when not NULL) into res. */
static void case_run(dessa_scenario *sc, uint64_t seed, uint64_t rep, sim_rep_result *res,
                     sim_series_fn fn, void *ud)
{
    char err[1024];
    sim_engine *e = NULL;
    if (dessa_scenario_build(sc, seed, rep, &e, err, sizeof err) != SIM_OK)
        fail_msg("%s", err);
    if (fn)
        sim_engine_set_series(e, fn, ud);
    if (sim_engine_run(e) != SIM_OK)
        fail_msg("replication %llu: %s", (unsigned long long)rep, sim_engine_error(e));
    assert_int_equal(sim_engine_result(e, res), SIM_OK);
    sim_engine_free(e);
}

/* The row of kind k named name (and part sub, e.g. a broker's group, when sub is not NULL). */
static const sim_entity_result *case_find(const sim_rep_result *r, const sim_result_kind *k,
                                          const char *name, const char *sub)
{
    for (size_t i = 0; i < r->nentities; i++) {
        const sim_entity_result *x = &r->entities[i];
        if (x->kind == k && !strcmp(x->name, name) && (!sub || !strcmp(x->part, sub)))
            return x;
    }
    fail_msg("no row '%s%s%s'", name, sub ? "/" : "", sub ? sub : "");
    return NULL;
}

/* The figure m of a broker's group (or of the broker, group ""). */
static double bval(const sim_rep_result *r, const char *broker, const char *group, const char *m)
{
    return sim_entity_value(case_find(r, sim_result_kind_broker(), broker, group), m);
}

/* The figure m of a flow (a client) and of a service. */
static inline double fval(const sim_rep_result *r, const char *flow, const char *m)
{
    return sim_entity_value(case_find(r, sim_result_kind_flow(), flow, NULL), m);
}

static inline double sval(const sim_rep_result *r, const char *svc, const char *m)
{
    return sim_entity_value(case_find(r, sim_result_kind_service(), svc, NULL), m);
}

/* Every message of the group accounted for (the cases' runs have no warm-up, so the window is
 * the whole run): published = acked + lost + dead-lettered + dropped + expired + buffered + in
 * flight. */
static void expect_balance(const sim_rep_result *r, const char *broker, const char *group)
{
    double pub = bval(r, broker, group, "published");
    double sum = bval(r, broker, group, "acked") + bval(r, broker, group, "lost") +
                 bval(r, broker, group, "dead_lettered") + bval(r, broker, group, "dropped") +
                 bval(r, broker, group, "expired") + bval(r, broker, group, "buffered") +
                 bval(r, broker, group, "in_flight");
    if (pub != sum)
        fail_msg("%s/%s: published %g != %g", broker, group, pub, sum);
}

/* The mean of t within its 99% t half-width (plus rel_tol of the expected value) of expected. */
static void expect_in(const char *what, const sim_tally *t, double expected, double rel_tol)
{
    double mean = sim_tally_mean(t), half = sim_ci_t_halfwidth(t, CASE_LEVEL);
    double slack = half + rel_tol * fabs(expected);
    printf("  %-40s expected %10.5f  measured %10.5f ± %.5f\n", what, expected, mean, half);
    if (!(fabs(mean - expected) <= slack))
        fail_msg("%s: %g is outside %g ± %g", what, expected, mean, slack);
}

/* The same seed gives target the same failure times in a and in b (a model with more in it):
 * every failure and recovery of a's, in order, is one of b's rows for target; at least min. */
static inline void expect_same_faults(const sim_rep_result *a, const sim_rep_result *b,
                                      const char *target, size_t min)
{
    size_t j = 0, n = 0;
    for (size_t i = 0; i < a->nfaults; i++, j++) {
        while (j < b->nfaults && strcmp(b->faults[j].target, target))
            j++;
        assert_true(j < b->nfaults);
        assert_true(a->faults[i].time == b->faults[j].time);
        assert_true(a->faults[i].start == b->faults[j].start);
        n++;
    }
    assert_true(n > min);
}

#endif
