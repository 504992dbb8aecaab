/* test_result: a replication's result as a value (model/result), the time-series sink, and the
 * statistics across replications (stats/summary). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/dist.h"
#include "core/error.h"
#include "core/rng.h"
#include "model/cause.h"
#include "model/model.h"
#include "model/result.h"
#include "stats/summary.h"

#include "counting_alloc.h"

#define OK(x) assert_int_equal((x), SIM_OK)

static sim_dist *dconst(double v)
{
    sim_dist *d = NULL;
    OK(sim_dist_const(&d, v));
    return d;
}

static sim_engine *engine(double duration, double sample)
{
    sim_config cfg = { .seed = 1, .duration = duration, .sample = sample };
    sim_engine *e = sim_engine_new(&cfg);
    assert_non_null(e);
    return e;
}

/* Service "s": either work(1) (fork = 0) or a fork of work(1) and work(50) joined on "any". */
static void model(sim_engine *e, int fork)
{
    sim_service_config sc = { .workers = 1000, .queue = -1, .replicas = 1 };
    uint32_t s, ep, pc;
    OK(sim_service_add(e, "s", &sc, &s));
    OK(sim_endpoint_add(e, s, "ep", &ep));
    if (fork) {
        OK(sim_op_fork(e, s, ep, 2, SIM_JOIN_ANY, 0, true, &pc));
        const double d[2] = { 1, 50 };
        for (uint32_t i = 0; i < 2; i++) {
            OK(sim_op_set_target(e, s, ep, pc, i, sim_op_next_pc(e, s, ep)));
            OK(sim_op_work(e, s, ep, dconst(d[i])));
            OK(sim_op_branch_end(e, s, ep));
        }
        OK(sim_op_set_target(e, s, ep, pc, 2, sim_op_next_pc(e, s, ep)));
    } else {
        OK(sim_op_work(e, s, ep, dconst(1)));
    }
    OK(sim_op_return(e, s, ep));
    sim_client_config c;
    memset(&c, 0, sizeof c);
    c.service = s;
    c.arrivals = SIM_ARR_CONSTANT;
    c.rate = 1;
    OK(sim_client_add(e, "c", &c));
}

static void test_kinds(void **state)
{
    (void)state;
    const sim_result_kind *f = sim_result_kind_flow(), *s = sim_result_kind_service();
    const char *first[] = { "sent", "ok", "failed", "timeouts", "dropped", "in_flight" };
    for (size_t i = 0; i < 6; i++)
        assert_string_equal(f->metrics[i].name, first[i]);
    assert_string_equal(s->metrics[0].name, "arrivals");
    assert_string_equal(s->metrics[1].name, "completed");
    assert_true(sim_result_kind_metric(f, "incomplete") >= 0);
    /* Every cause has exactly one count column (services count OK as "completed"). */
    for (int c = 0; c < SIM_NCAUSES; c++) {
        const char *col = sim_cause_column((sim_cause)c);
        long i = sim_result_kind_metric(f, col);
        assert_true(i >= 0);
        assert_int_equal(f->metrics[i].type, SIM_METRIC_COUNT);
        if (c != SIM_CAUSE_OK)
            assert_true(sim_result_kind_metric(s, col) >= 0);
    }
    assert_int_equal(sim_result_kind_metric(s, "ok"), -1);
    for (size_t i = 0; i < f->nmetrics; i++)
        for (size_t j = i + 1; j < f->nmetrics; j++)
            assert_string_not_equal(f->metrics[i].name, f->metrics[j].name);
}

static void test_result_and_incomplete(void **state)
{
    (void)state;
    for (int fork = 0; fork < 2; fork++) {
        sim_engine *e = engine(100, 10);
        model(e, fork);
        sim_rep_result r;
        assert_int_equal(sim_engine_result(e, &r), SIM_ESTATE);   /* not run yet */
        OK(sim_engine_run(e));
        OK(sim_engine_result(e, &r));
        sim_engine_free(e);   /* the result stands alone */
        assert_int_equal(r.nentities, 4);   /* the flow, the service, its replica, its endpoint */
        assert_ptr_equal(r.entities[2].kind, sim_result_kind_replica());
        assert_string_equal(r.entities[2].name, "s");
        assert_string_equal(r.entities[2].part, "0");
        assert_ptr_equal(r.entities[3].kind, sim_result_kind_endpoint());
        assert_string_equal(r.entities[3].name, "s");
        assert_string_equal(r.entities[3].part, "ep");
        /* With one replica and one endpoint, both repeat the service's counts. */
        for (int k = 2; k < 4; k++)
            for (const char *const *m = (const char *const[]){ "arrivals", "completed",
                                                                "in_flight", NULL }; *m; m++)
                assert_true(sim_entity_value(&r.entities[k], *m) ==
                            sim_entity_value(&r.entities[1], *m));
        assert_true(sim_entity_value(&r.entities[2], "utilization") ==
                    sim_entity_value(&r.entities[1], "utilization"));
        assert_true(sim_entity_value(&r.entities[3], "residence_mean") ==
                    sim_entity_value(&r.entities[1], "residence_mean"));
        assert_string_equal(r.entities[0].name, "c");
        assert_ptr_equal(r.entities[0].kind, sim_result_kind_flow());
        assert_string_equal(r.entities[1].name, "s");
        assert_ptr_equal(r.entities[1].kind, sim_result_kind_service());
        assert_int_equal(r.ledger, SIM_OK);
        assert_true(r.events > 0);
        const sim_entity_result *c = &r.entities[0];
        double ok = sim_entity_value(c, "ok"), inc = sim_entity_value(c, "incomplete");
        assert_true(ok >= 98);
        assert_true(sim_entity_value(c, "latency_mean") == 1.0);
        /* The buckets hold every ok response. */
        uint64_t n = 0;
        for (size_t b = 0; b < c->nbuckets; b++)
            n += c->buckets[b].count;
        assert_true((double)n == ok);
        if (!fork) {
            assert_true(inc == 0);
        } else {
            /* Answered after 1 s, finished after 50 s: those sent after t = 50 are censored. */
            assert_true(inc >= 45 && inc <= 52);
            assert_true(sim_entity_value(c, "completion_mean") == 50.0);
        }
        assert_true(sim_entity_value(c, "refused") == 0);
        assert_true(isnan(sim_entity_value(c, "no_such_metric")));
        sim_rep_result_fini(&r);
        sim_rep_result_fini(&r);   /* twice is fine */
    }
}

/* Every allocation of the extraction failing in turn: SIM_ENOMEM, nothing held, no leak. */
static void test_result_out_of_memory(void **state)
{
    (void)state;
    sim_engine *e = engine(100, 10);
    model(e, 1);
    OK(sim_engine_run(e));
    counter c = { 0 };
    sim_alloc_set(counting_alloc, &c);
    sim_rep_result r;
    OK(sim_engine_result(e, &r));
    long needed = c.calls;
    sim_rep_result_fini(&r);
    assert_int_equal(c.live, 0);
    assert_true(needed > 3);
    for (long n = 1; n <= needed; n++) {
        c = (counter){ .fail_at = n };
        assert_int_equal(sim_engine_result(e, &r), SIM_ENOMEM);
        assert_int_equal(r.nentities, 0);
        assert_null(r.entities);
        assert_int_equal(c.live, 0);
    }
    sim_alloc_set(NULL, NULL);
    sim_engine_free(e);
}

typedef struct rows {
    size_t n, flows, services;
    int fail_at;
} rows;

static int count_row(void *ud, const sim_series_row *row)
{
    rows *r = ud;
    r->n++;
    r->flows += !strcmp(row->kind, "flow");
    r->services += !strcmp(row->kind, "service");
    return r->fail_at && (int)r->n == r->fail_at ? SIM_EIO : SIM_OK;
}

static void test_series_sink(void **state)
{
    (void)state;
    sim_engine *e = engine(100, 10);
    model(e, 0);
    rows r = { 0 };
    sim_engine_set_series(e, count_row, &r);
    OK(sim_engine_run(e));
    assert_int_equal(r.flows, 10);
    assert_int_equal(r.services, 10);
    sim_engine_free(e);

    e = engine(100, 10);
    model(e, 0);
    rows bad = { .fail_at = 5 };
    sim_engine_set_series(e, count_row, &bad);
    assert_int_equal(sim_engine_run(e), SIM_EIO);   /* a sink error stops the run */
    assert_int_equal(bad.n, 5);
    sim_engine_free(e);

    e = engine(100, 10);   /* no sink: rows are dropped */
    model(e, 0);
    OK(sim_engine_run(e));
    sim_engine_free(e);
}

static void test_summary(void **state)
{
    (void)state;
    sim_summary a, b, all;
    OK(sim_summary_init(&a, 2, 3));
    OK(sim_summary_init(&b, 2, 3));
    OK(sim_summary_init(&all, 2, 3));
    for (int i = 0; i < 10; i++) {
        double x = 10 + i;
        sim_summary_add(i < 4 ? &a : &b, 1, 2, x);
        sim_summary_add(&all, 1, 2, x);
        sim_summary_add(&all, 0, 0, NAN);   /* no value: not counted */
    }
    OK(sim_summary_merge(&a, &b));
    sim_summary_stat m = sim_summary_get(&a, 1, 2, 0.95), w = sim_summary_get(&all, 1, 2, 0.95);
    assert_int_equal(m.n, 10);
    assert_true(fabs(m.mean - 14.5) < 1e-12 && fabs(w.mean - 14.5) < 1e-12);
    assert_true(fabs(m.sd - w.sd) < 1e-12);
    assert_true(fabs(m.sd - sqrt(110.0 / 12)) < 1e-12);
    /* t_{9, 0.975} = 2.2621571628 */
    assert_true(fabs(m.half - 2.2621571628 * m.sd / sqrt(10)) < 1e-8);
    sim_summary_stat z = sim_summary_get(&all, 0, 0, 0.95);
    assert_int_equal(z.n, 0);
    assert_true(isnan(z.mean) && isnan(z.half));
    sim_summary c;
    OK(sim_summary_init(&c, 1, 3));
    assert_int_equal(sim_summary_merge(&a, &c), SIM_EINVAL);
    sim_summary_fini(&a);
    sim_summary_fini(&b);
    sim_summary_fini(&c);
    sim_summary_fini(&all);
}

/* The quantile as written is what snprintf("%.4g") and strtod give, on random values, short
 * decimals, ties of the fourth digit (exact in binary: 1.0625, 10.125...) and their neighbours. */
static void same_quantile(double q)
{
    char buf[48];
    snprintf(buf, sizeof buf, "%.*g", SIM_QUANTILE_DIGITS, q);
    double want = strtod(buf, NULL), got = sim_result_quantile(q);
    if (memcmp(&want, &got, sizeof want) != 0)
        fail_msg("quantile of %.17g: %.17g, snprintf gives %.17g", q, got, want);
}

static void test_quantile_rounding(void **state)
{
    (void)state;
    sim_rng r;
    sim_rng_init(&r, 11, 0, "test/result/quantile");
    assert_true(sim_result_quantile(0) == 0);
    assert_true(isnan(sim_result_quantile(NAN)));
    assert_true(sim_result_quantile(INFINITY) == INFINITY);
    for (int i = 0; i < 300000; i++) {
        double u = sim_rng_uniform(&r);
        same_quantile(u * pow(10, (double)(i % 40) - 20));
        same_quantile(-u * pow(10, (double)(i % 12) - 6));
        uint64_t bits = sim_rng_next(&r);
        double v;
        memcpy(&v, &bits, sizeof v);
        if (isfinite(v))
            same_quantile(v);
        double k = (double)(sim_rng_next(&r) % 20000);
        double tie = (2 * k + 1) / ldexp(1, i % 16), dec = k / pow(10, (double)(i % 10));
        same_quantile(tie);
        same_quantile(nextafter(tie, 0));
        same_quantile(nextafter(tie, INFINITY));
        same_quantile(dec);
        same_quantile(nextafter(dec, 0));
        same_quantile(nextafter(dec, INFINITY));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kinds),
        cmocka_unit_test(test_result_and_incomplete),
        cmocka_unit_test(test_result_out_of_memory),
        cmocka_unit_test(test_series_sink),
        cmocka_unit_test(test_summary),
        cmocka_unit_test(test_quantile_rounding),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
