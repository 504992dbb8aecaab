/* test_calendar: unit tests of the future event list (core/calendar): ordering by (time,
 * insertion number) with ties first in, first out; cancelling the head, a middle event, the last
 * slot and unscheduled events; and a randomized stress run against a sorted reference that checks
 * the heap order and every event's recorded slot after each step. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/calendar.h"
#include "core/error.h"

/* ---- helpers ------------------------------------------------------------------------ */

/* A small private generator so the stress run does not depend on the engine's streams. */
static uint64_t mix_state;

static uint64_t mix_next(void)
{
    uint64_t z = (mix_state += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

static size_t mix_below(size_t n) { return (size_t)(mix_next() % n); }

/* Checks the heap property and that every entry agrees with its event (time, seq, slot). */
static void check_heap(const sim_calendar *c)
{
    for (size_t i = 0; i < c->n; i++) {
        const sim_cal_entry *x = &c->heap[i];
        assert_non_null(x->ev);
        assert_int_equal(x->ev->slot, i + 1);
        assert_true(x->key == sim_cal_time_key(x->ev->time));
        assert_true(x->ev->seq == x->seq);
        if (i > 0) {
            const sim_cal_entry *p = &c->heap[(i - 1) / SIM_CAL_ARITY];
            double pt = p->ev->time, xt = x->ev->time;
            int ok = pt < xt || (pt == xt && p->seq < x->seq);
            if (!ok)
                fail_msg("heap order broken at slot %zu: parent (%g,%llu) child (%g,%llu)", i,
                         pt, (unsigned long long)p->seq, xt,
                         (unsigned long long)x->seq);
        }
    }
}

static void init_events(sim_event *ev, size_t n)
{
    memset(ev, 0, n * sizeof *ev);
    for (size_t i = 0; i < n; i++)
        ev[i].u32 = (uint32_t)i;
}

/* ---- ordering ----------------------------------------------------------------------- */

static void test_empty(void **state)
{
    (void)state;
    sim_calendar c;
    assert_int_equal(sim_calendar_init(&c), SIM_OK);
    assert_int_equal(sim_calendar_size(&c), 0);
    assert_null(sim_calendar_pop(&c));
    double t = sim_calendar_next_time(&c);
    assert_true(isinf(t) && t > 0);
    sim_calendar_fini(&c);
}

static void test_time_order(void **state)
{
    (void)state;
    static const double times[8] = { 5.0, 1.0, 7.5, 0.0, 3.25, 2.0, 6.0, 4.0 };
    static const uint32_t want[8] = { 3, 1, 5, 4, 7, 0, 6, 2 };
    sim_event ev[8];
    init_events(ev, 8);
    sim_calendar c;
    assert_int_equal(sim_calendar_init(&c), SIM_OK);
    for (int i = 0; i < 8; i++) {
        assert_int_equal(sim_calendar_push(&c, &ev[i], times[i]), SIM_OK);
        assert_true(ev[i].time == times[i]);
        assert_int_not_equal(ev[i].slot, 0);
    }
    assert_int_equal(sim_calendar_size(&c), 8);
    assert_true(sim_calendar_next_time(&c) == 0.0);
    check_heap(&c);
    for (int i = 0; i < 8; i++) {
        assert_true(sim_calendar_next_time(&c) == times[want[i]]);
        sim_event *x = sim_calendar_pop(&c);
        assert_ptr_equal(x, &ev[want[i]]);
        assert_int_equal(x->slot, 0);
        check_heap(&c);
    }
    assert_null(sim_calendar_pop(&c));
    sim_calendar_fini(&c);
}

static void test_ties_fifo(void **state)
{
    (void)state;
    /* Twenty events, all at time 1 except a few at time 0 and time 2, pushed in an interleaved
     * order: each time must come out in push order. */
    enum { N = 20 };
    sim_event ev[N];
    init_events(ev, N);
    sim_calendar c;
    assert_int_equal(sim_calendar_init(&c), SIM_OK);
    double t[N];
    for (int i = 0; i < N; i++) {
        t[i] = (i % 7 == 3) ? 0.0 : (i % 5 == 4) ? 2.0 : 1.0;
        assert_int_equal(sim_calendar_push(&c, &ev[i], t[i]), SIM_OK);
    }
    check_heap(&c);
    /* Expected: indices with time 0 ascending, then time 1 ascending, then time 2. */
    int want[N], k = 0;
    for (int pass = 0; pass < 3; pass++)
        for (int i = 0; i < N; i++)
            if (t[i] == (double)pass)
                want[k++] = i;
    assert_int_equal(k, N);
    for (int i = 0; i < N; i++) {
        sim_event *x = sim_calendar_pop(&c);
        assert_non_null(x);
        assert_int_equal(x->u32, want[i]);
        check_heap(&c);
    }
    /* A popped event pushed again at an equal time goes behind the ones already there. */
    assert_int_equal(sim_calendar_push(&c, &ev[0], 1.0), SIM_OK);
    assert_int_equal(sim_calendar_push(&c, &ev[1], 1.0), SIM_OK);
    assert_int_equal(sim_calendar_push(&c, &ev[2], 0.5), SIM_OK);
    assert_int_equal(sim_calendar_push(&c, &ev[3], 1.0), SIM_OK);
    assert_int_equal(sim_calendar_pop(&c)->u32, 2);
    assert_int_equal(sim_calendar_pop(&c)->u32, 0);
    assert_int_equal(sim_calendar_pop(&c)->u32, 1);
    assert_int_equal(sim_calendar_pop(&c)->u32, 3);
    assert_null(sim_calendar_pop(&c));
    sim_calendar_fini(&c);
}

/* The keys are the times' bits turned into unsigned order: negative times, both zeros,
 * subnormals and infinity come out in numeric order, and -0 ties with +0 in push order. */
static void test_signs_and_extremes(void **state)
{
    (void)state;
    static const double times[] = { 1e-310, -0.0, INFINITY, -2.5, 0.0, -1e-310, 1e300, -1e300, 3.0 };
    /* numeric order, -0 (pushed 2nd) before +0 (pushed 5th) as they are equal */
    static const int want[] = { 7, 3, 5, 1, 4, 0, 8, 6, 2 };
    enum { N = sizeof times / sizeof times[0] };
    sim_event ev[N];
    init_events(ev, N);
    sim_calendar c;
    assert_int_equal(sim_calendar_init(&c), SIM_OK);
    for (int i = 0; i < N; i++)
        assert_int_equal(sim_calendar_push(&c, &ev[i], times[i]), SIM_OK);
    check_heap(&c);
    assert_false(signbit(ev[1].time));   /* stored as +0 */
    for (int i = 0; i < N; i++) {
        sim_event *x = sim_calendar_pop(&c);
        assert_ptr_equal(x, &ev[want[i]]);
        check_heap(&c);
    }
    sim_calendar_fini(&c);
}

static void test_seq_increases(void **state)
{
    (void)state;
    sim_event ev[3];
    init_events(ev, 3);
    sim_calendar c;
    assert_int_equal(sim_calendar_init(&c), SIM_OK);
    assert_int_equal(sim_calendar_push(&c, &ev[0], 3.0), SIM_OK);
    assert_int_equal(sim_calendar_push(&c, &ev[1], 2.0), SIM_OK);
    assert_int_equal(sim_calendar_push(&c, &ev[2], 1.0), SIM_OK);
    assert_true(ev[0].seq < ev[1].seq && ev[1].seq < ev[2].seq);
    sim_calendar_fini(&c);
}

/* ---- cancel ------------------------------------------------------------------------- */

/* Pushes ev[0..n) at times 1..n (ev[i] at i+1) and returns the calendar. */
static void fill(sim_calendar *c, sim_event *ev, int n)
{
    assert_int_equal(sim_calendar_init(c), SIM_OK);
    for (int i = 0; i < n; i++)
        assert_int_equal(sim_calendar_push(c, &ev[i], (double)(i + 1)), SIM_OK);
    check_heap(c);
}

/* Pops everything and checks that the order equals want[0..n) (event indices). */
static void drain_expect(sim_calendar *c, const int *want, int n)
{
    for (int i = 0; i < n; i++) {
        sim_event *x = sim_calendar_pop(c);
        assert_non_null(x);
        assert_int_equal(x->u32, want[i]);
        check_heap(c);
    }
    assert_null(sim_calendar_pop(c));
}

static void test_cancel_head(void **state)
{
    (void)state;
    enum { N = 10 };
    sim_event ev[N];
    init_events(ev, N);
    sim_calendar c;
    fill(&c, ev, N);
    assert_int_equal(ev[0].slot, 1);   /* the earliest sits at the root */
    sim_calendar_cancel(&c, &ev[0]);
    assert_int_equal(ev[0].slot, 0);
    assert_int_equal(sim_calendar_size(&c), N - 1);
    assert_true(sim_calendar_next_time(&c) == 2.0);
    check_heap(&c);
    static const int want[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
    drain_expect(&c, want, N - 1);
    sim_calendar_fini(&c);
}

static void test_cancel_middle(void **state)
{
    (void)state;
    enum { N = 10 };
    sim_event ev[N];
    init_events(ev, N);
    sim_calendar c;
    fill(&c, ev, N);
    /* ev[4] (time 5) and ev[6] (time 7) sit somewhere inside the heap. */
    sim_calendar_cancel(&c, &ev[4]);
    check_heap(&c);
    sim_calendar_cancel(&c, &ev[6]);
    check_heap(&c);
    assert_int_equal(ev[4].slot, 0);
    assert_int_equal(ev[6].slot, 0);
    assert_int_equal(sim_calendar_size(&c), N - 2);
    static const int want[] = { 0, 1, 2, 3, 5, 7, 8, 9 };
    drain_expect(&c, want, N - 2);
    sim_calendar_fini(&c);
}

static void test_cancel_last_slot(void **state)
{
    (void)state;
    enum { N = 10 };
    sim_event ev[N];
    init_events(ev, N);
    sim_calendar c;
    fill(&c, ev, N);
    /* Pushed in increasing time order, so the last pushed sits in the last slot. */
    assert_int_equal(ev[N - 1].slot, N);
    sim_calendar_cancel(&c, &ev[N - 1]);
    assert_int_equal(ev[N - 1].slot, 0);
    assert_int_equal(sim_calendar_size(&c), N - 1);
    check_heap(&c);
    static const int want[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8 };
    drain_expect(&c, want, N - 1);
    sim_calendar_fini(&c);
}

static void test_cancel_needs_sift_up(void **state)
{
    (void)state;
    /* A heap where the last entry is smaller than the parent of the cancelled slot: the
     * replacement has to move up, not down. Layout after pushes (times):
     *   slot0 1, slot1 10, slot2 2, slot3 11, slot4 12, slot5 3, slot6 4,
     *   slot7 13, slot8 14, slot9 15, slot10 16, slot11 5
     * Cancelling slot 4 (time 12, child of slot 1 = 10) moves time 5 into slot 4, which must
     * rise above 10. */
    static const double times[] = { 1, 10, 2, 11, 12, 3, 4, 13, 14, 15, 16, 5 };
    enum { N = 12 };
    sim_event ev[N];
    init_events(ev, N);
    sim_calendar c;
    assert_int_equal(sim_calendar_init(&c), SIM_OK);
    for (int i = 0; i < N; i++)
        assert_int_equal(sim_calendar_push(&c, &ev[i], times[i]), SIM_OK);
    check_heap(&c);
    assert_int_equal(ev[4].slot, 5);    /* time 12 */
    assert_int_equal(ev[11].slot, 12);  /* time 5, the last slot */
    sim_calendar_cancel(&c, &ev[4]);
    check_heap(&c);
    assert_int_equal(ev[4].slot, 0);
    static const int want[] = { 0, 2, 5, 6, 11, 1, 3, 7, 8, 9, 10 };
    drain_expect(&c, want, N - 1);
    sim_calendar_fini(&c);
}

static void test_cancel_unscheduled(void **state)
{
    (void)state;
    enum { N = 5 };
    sim_event ev[N + 1];
    init_events(ev, N + 1);
    sim_calendar c;
    fill(&c, ev, N);
    /* Never pushed. */
    sim_calendar_cancel(&c, &ev[N]);
    assert_int_equal(sim_calendar_size(&c), N);
    check_heap(&c);
    /* Popped, then cancelled: a no-op. */
    sim_event *x = sim_calendar_pop(&c);
    assert_ptr_equal(x, &ev[0]);
    sim_calendar_cancel(&c, x);
    assert_int_equal(sim_calendar_size(&c), N - 1);
    check_heap(&c);
    /* Cancelled twice: the second is a no-op. */
    sim_calendar_cancel(&c, &ev[2]);
    sim_calendar_cancel(&c, &ev[2]);
    assert_int_equal(sim_calendar_size(&c), N - 2);
    check_heap(&c);
    /* A cancelled event may be scheduled again. */
    assert_int_equal(sim_calendar_push(&c, &ev[2], 0.5), SIM_OK);
    static const int want[] = { 2, 1, 3, 4 };
    drain_expect(&c, want, 4);
    /* Cancelling on an empty calendar. */
    sim_calendar_cancel(&c, &ev[1]);
    assert_int_equal(sim_calendar_size(&c), 0);
    sim_calendar_fini(&c);
}

static void test_cancel_only(void **state)
{
    (void)state;
    sim_event ev;
    init_events(&ev, 1);
    sim_calendar c;
    assert_int_equal(sim_calendar_init(&c), SIM_OK);
    assert_int_equal(sim_calendar_push(&c, &ev, 4.0), SIM_OK);
    sim_calendar_cancel(&c, &ev);
    assert_int_equal(sim_calendar_size(&c), 0);
    assert_int_equal(ev.slot, 0);
    assert_null(sim_calendar_pop(&c));
    sim_calendar_fini(&c);
}

/* ---- stress against a sorted reference ---------------------------------------------- */

static int key_less(const sim_event *x, const sim_event *y)
{
    return x->time < y->time || (x->time == y->time && x->seq < y->seq);
}

/* Sorted array of the scheduled events, earliest first. */
typedef struct ref {
    sim_event **v;
    size_t n;
} ref;

static size_t ref_lower(const ref *r, const sim_event *ev)
{
    size_t lo = 0, hi = r->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (key_less(r->v[mid], ev))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static void ref_insert(ref *r, sim_event *ev)
{
    size_t i = ref_lower(r, ev);
    memmove(&r->v[i + 1], &r->v[i], (r->n - i) * sizeof *r->v);
    r->v[i] = ev;
    r->n++;
}

static void ref_remove(ref *r, sim_event *ev)
{
    size_t i = ref_lower(r, ev);
    assert_true(i < r->n);
    assert_ptr_equal(r->v[i], ev);
    memmove(&r->v[i], &r->v[i + 1], (r->n - i - 1) * sizeof *r->v);
    r->n--;
}

static void test_stress_vs_reference(void **state)
{
    (void)state;
    enum { NEV = 4000, OPS = 100000 };
    sim_event *ev = calloc(NEV, sizeof *ev);
    ref r = { calloc(NEV, sizeof(sim_event *)), 0 };
    assert_non_null(ev);
    assert_non_null(r.v);
    init_events(ev, NEV);
    sim_calendar c;
    assert_int_equal(sim_calendar_init(&c), SIM_OK);
    mix_state = 12345;
    double now = 0;   /* the times drift upward like a simulation clock, with many ties */
    size_t pushes = 0, pops = 0, cancels = 0, noop_cancels = 0, max_size = 0;
    for (int op = 0; op < OPS; op++) {
        uint64_t kind = mix_next() % 100;
        /* Phases so the size swings up past the initial capacity (256) and back down. */
        int growing = (op / 20000) % 2 == 0;
        uint64_t push_share = growing ? 60 : 40;
        sim_event *x = &ev[mix_below(NEV)];
        if (kind < push_share) {
            if (x->slot != 0)
                continue;   /* already scheduled: try another op */
            /* Coarse times produce many equal keys; occasionally a time in the past. */
            double t = now + (double)mix_below(64) * 0.25;
            if (mix_below(20) == 0)
                t = now - 1.0;
            assert_int_equal(sim_calendar_push(&c, x, t), SIM_OK);
            ref_insert(&r, x);
            pushes++;
        } else if (kind < push_share + 25) {
            sim_event *y = sim_calendar_pop(&c);
            if (r.n == 0) {
                assert_null(y);
            } else {
                assert_ptr_equal(y, r.v[0]);
                assert_int_equal(y->slot, 0);
                memmove(&r.v[0], &r.v[1], (r.n - 1) * sizeof *r.v);
                r.n--;
                if (y->time > now)
                    now = y->time;
                pops++;
            }
        } else {
            if (x->slot != 0) {
                ref_remove(&r, x);
                cancels++;
            } else {
                noop_cancels++;
            }
            sim_calendar_cancel(&c, x);
            assert_int_equal(x->slot, 0);
        }
        assert_int_equal(sim_calendar_size(&c), r.n);
        if (r.n > max_size)
            max_size = r.n;
        if (r.n)
            assert_true(sim_calendar_next_time(&c) == r.v[0]->time);
        else
            assert_true(isinf(sim_calendar_next_time(&c)));
        if (op % 997 == 0)
            check_heap(&c);
    }
    check_heap(&c);
    /* Every kind of operation must have happened a lot, and the heap must have grown. */
    assert_true(pushes > 20000);
    assert_true(pops > 10000);
    assert_true(cancels > 5000);
    assert_true(noop_cancels > 1000);
    assert_true(max_size > 256);
    /* Drain: strictly increasing (time, seq). */
    sim_event *prev = NULL;
    while (r.n) {
        sim_event *y = sim_calendar_pop(&c);
        assert_ptr_equal(y, r.v[0]);
        if (prev)
            assert_true(key_less(prev, y));
        prev = y;
        memmove(&r.v[0], &r.v[1], (r.n - 1) * sizeof *r.v);
        r.n--;
    }
    assert_int_equal(sim_calendar_size(&c), 0);
    for (size_t i = 0; i < NEV; i++)
        assert_int_equal(ev[i].slot, 0);
    sim_calendar_fini(&c);
    free(ev);
    free(r.v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_time_order),
        cmocka_unit_test(test_ties_fifo),
        cmocka_unit_test(test_seq_increases),
        cmocka_unit_test(test_signs_and_extremes),
        cmocka_unit_test(test_cancel_head),
        cmocka_unit_test(test_cancel_middle),
        cmocka_unit_test(test_cancel_last_slot),
        cmocka_unit_test(test_cancel_needs_sift_up),
        cmocka_unit_test(test_cancel_unscheduled),
        cmocka_unit_test(test_cancel_only),
        cmocka_unit_test(test_stress_vs_reference),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
