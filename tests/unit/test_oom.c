/* test_oom: out-of-memory behaviour of the engine.
 *
 * A counting allocator installed with sim_alloc_set fails the Nth allocation request (malloc or
 * realloc); for N = 1, 2, ... a small but varied model is built and run until an attempt runs to
 * the end with no failure injected. Every attempt that met a failure must report it (NULL from
 * sim_engine_new, or SIM_ENOMEM from a builder or from sim_engine_run) without crashing, and
 * after sim_engine_free the count of live blocks must be back to zero. A second pass makes every
 * allocation from the Nth on fail, which exercises the clean-up paths with no memory at all. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/alloc.h"
#include "core/dist.h"
#include "core/error.h"
#include "model/model.h"

#include "counting_alloc.h"

/* ---- the model ---------------------------------------------------------------------- */

/* Stops at the first error; *rc keeps it. */
#define TRY(call)                                                                            \
    do {                                                                                     \
        if (*rc == SIM_OK)                                                                   \
            *rc = (call);                                                                    \
    } while (0)

static sim_dist *mk_exp(int *rc, double mean)
{
    sim_dist *d = NULL;
    TRY(sim_dist_exp(&d, mean));
    return d;
}

/* Builds into e: front (priority queue, 2 replicas, least outstanding) works, chooses between
 * a non-blocking call of mid and a sleep, forks two branches (one calls back, one works) joined
 * by quorum 1, and returns; mid works and calls back (queue 4, so some drops). Clients: Poisson
 * with a timeout and a priority, a closed population, and a flood towards a slow service.
 * Links: an exponential default and one pair override. Returns the first error, SIM_OK when the
 * whole model was built. */
static int build(sim_engine *e)
{
    int rcv = SIM_OK, *rc = &rcv;
    uint32_t front = 0, mid = 0, back = 0, ef = 0, em = 0, eb = 0, pc = 0, j0 = 0, j1 = 0;
    sim_service_config cfg = { .workers = 1, .queue = -1, .discipline = SIM_DISC_FIFO,
                               .replicas = 1, .balancer = SIM_LB_ROUND_ROBIN };
    TRY(sim_service_add(e, "back", &cfg, &back));
    TRY(sim_endpoint_add(e, back, "get", &eb));
    if (rcv == SIM_OK) {
        sim_dist *d = mk_exp(rc, 0.05);
        TRY(sim_op_work(e, back, eb, d));
    }
    TRY(sim_op_return(e, back, eb));

    cfg.workers = 2;
    cfg.queue = 4;
    TRY(sim_service_add(e, "mid", &cfg, &mid));
    TRY(sim_endpoint_add(e, mid, "do", &em));
    if (rcv == SIM_OK) {
        sim_dist *d = mk_exp(rc, 0.1);
        TRY(sim_op_work(e, mid, em, d));
    }
    TRY(sim_op_call(e, mid, em, back, eb, true));
    TRY(sim_op_return(e, mid, em));

    cfg.workers = 2;
    cfg.queue = -1;
    cfg.discipline = SIM_DISC_PRIORITY;
    cfg.replicas = 2;
    cfg.balancer = SIM_LB_LEAST_OUTSTANDING;
    TRY(sim_service_add(e, "front", &cfg, &front));
    TRY(sim_endpoint_add(e, front, "api", &ef));
    if (rcv == SIM_OK) {
        sim_dist *d = mk_exp(rc, 0.02);
        TRY(sim_op_work(e, front, ef, d));
    }
    static const double probs[2] = { 0.7, 0.3 };
    TRY(sim_op_choose(e, front, ef, 2, probs, &pc));
    TRY(sim_op_set_target(e, front, ef, pc, 0, sim_op_next_pc(e, front, ef)));
    TRY(sim_op_call(e, front, ef, mid, em, false));
    TRY(sim_op_jump(e, front, ef, &j0));
    TRY(sim_op_set_target(e, front, ef, pc, 1, sim_op_next_pc(e, front, ef)));
    if (rcv == SIM_OK) {
        sim_dist *d = mk_exp(rc, 0.03);
        TRY(sim_op_sleep(e, front, ef, d));
    }
    TRY(sim_op_jump(e, front, ef, &j1));
    TRY(sim_op_set_target(e, front, ef, j0, 0, sim_op_next_pc(e, front, ef)));
    TRY(sim_op_set_target(e, front, ef, j1, 0, sim_op_next_pc(e, front, ef)));
    TRY(sim_op_fork(e, front, ef, 2, SIM_JOIN_QUORUM, 1, true, &pc));
    TRY(sim_op_set_target(e, front, ef, pc, 0, sim_op_next_pc(e, front, ef)));
    TRY(sim_op_call(e, front, ef, back, eb, true));
    TRY(sim_op_branch_end(e, front, ef));
    TRY(sim_op_set_target(e, front, ef, pc, 1, sim_op_next_pc(e, front, ef)));
    if (rcv == SIM_OK) {
        sim_dist *d = mk_exp(rc, 0.04);
        TRY(sim_op_work(e, front, ef, d));
    }
    TRY(sim_op_branch_end(e, front, ef));
    TRY(sim_op_set_target(e, front, ef, pc, 2, sim_op_next_pc(e, front, ef)));
    TRY(sim_op_return(e, front, ef));

    if (rcv == SIM_OK) {
        sim_dist *d = mk_exp(rc, 0.002);
        TRY(sim_link_default(e, d));
    }
    if (rcv == SIM_OK) {
        sim_dist *d = mk_exp(rc, 0.01);
        TRY(sim_link_pair(e, "front", "web", d));
    }

    sim_client_config c;
    memset(&c, 0, sizeof c);
    c.service = front;
    c.endpoint = ef;
    c.arrivals = SIM_ARR_POISSON;
    c.rate = 20;
    c.timeout = 0.5;
    c.priority = 2;
    TRY(sim_client_add(e, "web", &c));
    memset(&c, 0, sizeof c);
    c.service = front;
    c.endpoint = ef;
    c.closed = true;
    c.users = 5;
    if (rcv == SIM_OK)
        TRY(sim_dist_exp(&c.think, 0.5));
    TRY(sim_client_add(e, "users", &c));
    /* A flood that piles up behind one slow worker, every request holding a timeout event:
     * thousands of live requests and events, so the calendar, both pools and the priority
     * queue have to grow during the run. */
    uint32_t slow = 0, es = 0;
    sim_service_config sc = { .workers = 1, .queue = -1, .discipline = SIM_DISC_PRIORITY,
                              .replicas = 1, .balancer = SIM_LB_ROUND_ROBIN };
    TRY(sim_service_add(e, "slow", &sc, &slow));
    TRY(sim_endpoint_add(e, slow, "wait", &es));
    if (rcv == SIM_OK) {
        sim_dist *d = NULL;
        TRY(sim_dist_const(&d, 1));
        TRY(sim_op_work(e, slow, es, d));
    }
    TRY(sim_op_return(e, slow, es));
    memset(&c, 0, sizeof c);
    c.service = slow;
    c.endpoint = es;
    c.arrivals = SIM_ARR_POISSON;
    c.rate = 200;
    c.timeout = 1000;
    TRY(sim_client_add(e, "flood", &c));
    return rcv;
}

/* One attempt under the given failure plan: returns the result (SIM_OK, or the error that was
 * reported) and in *leaked the blocks left after sim_engine_free. */
static int attempt(counter *cnt, int *stage, long *leaked)
{
    sim_config cfg = { .seed = 11, .rep = 0, .duration = 30, .warmup = 3, .sample = 0.25 };
    sim_alloc_set(counting_alloc, cnt);
    int rc = SIM_OK;
    *stage = 0;
    sim_engine *e = sim_engine_new(&cfg);
    if (!e) {
        rc = SIM_ENOMEM;
    } else {
        *stage = 1;
        rc = build(e);
        if (rc == SIM_OK) {
            *stage = 2;
            rc = sim_engine_run(e);
        }
        sim_engine_free(e);
    }
    *leaked = cnt->live;
    sim_alloc_set(NULL, NULL);
    return rc;
}

/* Tries N = 1, 2, ... until a clean run; every problem is listed before the test fails, so one
 * run shows them all. */
static void sweep(bool sticky)
{
    static const char *const stages[3] = { "sim_engine_new", "building", "sim_engine_run" };
    long n, problems = 0;
    long failed_build = 0, failed_run = 0, failed_new = 0;
    for (n = 1; n < 100000; n++) {
        counter cnt = { 0, 0, n, sticky, 0 };
        int stage;
        long leaked;
        int rc = attempt(&cnt, &stage, &leaked);
        if (leaked != 0) {
            problems++;
            print_error("allocation %ld failed%s (during %s, rc %d): %ld block(s) leaked\n", n,
                        sticky ? " (and all after)" : "", stages[stage], rc, leaked);
        }
        if (cnt.injected == 0) {
            /* The whole attempt needed fewer than n allocations: it must have succeeded. */
            if (rc != SIM_OK) {
                problems++;
                print_error("no failure injected (%ld allocations) but rc %d\n", cnt.calls, rc);
            }
            break;
        }
        if (rc != SIM_ENOMEM) {
            problems++;
            print_error("allocation %ld failed%s (during %s): expected SIM_ENOMEM (-1), got %d\n",
                        n, sticky ? " (and all after)" : "", stages[stage], rc);
        }
        failed_new += stage == 0;
        failed_build += stage == 1;
        failed_run += stage == 2;
    }
    print_message("%s: %ld attempts (%ld failed in new, %ld while building, %ld in the run)\n",
                  sticky ? "fail from N on" : "fail the Nth", n, failed_new, failed_build,
                  failed_run);
    assert_int_equal(problems, 0);
    /* The sweep reached a clean run, and failures hit every stage. */
    assert_true(n < 100000);
    assert_true(failed_new >= 1);
    assert_true(failed_build >= 10);
    assert_true(failed_run >= 5);
}

static void test_fail_nth_allocation(void **state)
{
    (void)state;
    sweep(false);
}

static void test_fail_from_nth_allocation(void **state)
{
    (void)state;
    sweep(true);
}

/* The unperturbed model runs, and a run under the counting allocator gives the same events as one
 * under the default allocator (the hook changes nothing but the accounting). */
static void test_counting_allocator_transparent(void **state)
{
    (void)state;
    sim_config cfg = { .seed = 11, .rep = 0, .duration = 30, .warmup = 3, .sample = 0.25 };
    sim_engine *e = sim_engine_new(&cfg);
    assert_non_null(e);
    assert_int_equal(build(e), SIM_OK);
    assert_int_equal(sim_engine_run(e), SIM_OK);
    uint64_t ev_default = sim_engine_events(e);
    sim_engine_free(e);
    assert_true(ev_default > 1000);

    counter cnt = { 0, 0, 0, false, 0 };
    sim_alloc_set(counting_alloc, &cnt);
    e = sim_engine_new(&cfg);
    assert_non_null(e);
    assert_int_equal(build(e), SIM_OK);
    assert_int_equal(sim_engine_run(e), SIM_OK);
    uint64_t ev_counted = sim_engine_events(e);
    assert_true(cnt.live > 0);
    sim_engine_free(e);
    long live = cnt.live;
    sim_alloc_set(NULL, NULL);
    assert_int_equal(live, 0);
    assert_true(ev_counted == ev_default);
}

/* model.h: "Distributions passed in are owned by the engine from then on, on success and on
 * failure alike" — including when sim_client_add cannot grow its client array. Model: one
 * service, then a closed client with think = exp(0.5) (and a bursty client with on/off laws)
 * whose first allocation is made to fail. Expected: SIM_ENOMEM and no block left after
 * sim_engine_free. */
static long client_add_leak(bool bursty)
{
    counter cnt = { 0, 0, 0, false, 0 };
    sim_alloc_set(counting_alloc, &cnt);
    sim_config cfg = { .seed = 1, .duration = 10, .sample = 1 };
    sim_engine *e = sim_engine_new(&cfg);
    assert_non_null(e);
    sim_service_config sc = { .workers = 1, .queue = -1, .replicas = 1 };
    uint32_t s, ep;
    assert_int_equal(sim_service_add(e, "srv", &sc, &s), SIM_OK);
    assert_int_equal(sim_endpoint_add(e, s, "ep", &ep), SIM_OK);
    assert_int_equal(sim_op_return(e, s, ep), SIM_OK);
    sim_client_config c;
    memset(&c, 0, sizeof c);
    c.service = s;
    c.endpoint = ep;
    if (bursty) {
        c.arrivals = SIM_ARR_BURSTY;
        c.rate = 1;
        assert_int_equal(sim_dist_exp(&c.on, 1), SIM_OK);
        assert_int_equal(sim_dist_exp(&c.off, 1), SIM_OK);
    } else {
        c.closed = true;
        c.users = 1;
        assert_int_equal(sim_dist_exp(&c.think, 0.5), SIM_OK);
    }
    cnt.fail_at = cnt.calls + 1;   /* the client's first allocation: the client array */
    int rc = sim_client_add(e, "cli", &c);
    cnt.fail_at = 0;
    sim_engine_free(e);
    long live = cnt.live;
    sim_alloc_set(NULL, NULL);
    assert_int_equal(rc, SIM_ENOMEM);
    return live;
}

static void test_client_add_enomem_frees_laws(void **state)
{
    (void)state;
    long closed = client_add_leak(false), bursty = client_add_leak(true);
    if (closed || bursty)
        fail_msg("sim_client_add leaked %ld block(s) (closed, think law) and %ld "
                 "(bursty, on/off laws) when its first allocation failed",
                 closed, bursty);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counting_allocator_transparent),
        cmocka_unit_test(test_fail_nth_allocation),
        cmocka_unit_test(test_fail_from_nth_allocation),
        cmocka_unit_test(test_client_add_enomem_frees_laws),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
