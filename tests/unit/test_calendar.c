/* test_calendar: unit tests of the future event list (core/calendar): ordering by (time,
 * insertion number) with ties first in, first out; both zeros, negative times, subnormals and
 * infinities; cancelling the head, a middle event, the last slot and unscheduled events; and,
 * for the buckets and far list of a large calendar, randomized runs against a sorted reference
 * in three patterns of times (growing past the buckets and emptying again, with cancels), the
 * hold model with a constant increment, many ties beyond the heap, and the sweep of cancelled
 * nodes. check_heap checks the whole structure after steps. */
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

/* A time and an insertion number: the order of the calendar. */
typedef struct key {
    double t;
    uint64_t seq;
} key;

static int key_less(key x, key y) { return x.t < y.t || (x.t == y.t && x.seq < y.seq); }

/* The insertion number the calendar keeps for a scheduled event (in its heap entry or node). */
static uint64_t seq_of(const sim_calendar *c, const sim_event *ev)
{
    assert_int_not_equal(ev->slot, 0);
    if (ev->slot & SIM_CAL_IN_LIST)
        return c->nodes[ev->slot & ~SIM_CAL_IN_LIST].seq;
    return c->heap[ev->slot - 1].seq;
}

/* The stress run numbers its pushes itself, in the event's payload pointer (which the calendar
 * never reads), so its reference orders by (time, its own push number). */
static key ref_key(const sim_event *ev) { return (key){ ev->time, (uint64_t)(uintptr_t)ev->a }; }

/* Walks list h, checking every node (its event, its bucket: floor((t - start) * inv_w) == b,
 * or for the far list (b == SIZE_MAX) past the buckets or at or after bound); counts live and
 * cancelled nodes and keeps the earliest listed event in *first. */
static void check_list(const sim_calendar *c, uint32_t h, size_t b, size_t *live, size_t *dead,
                       const key **first, key *first_buf)
{
    size_t steps = 0;
    while (h != SIM_CAL_NONE) {
        assert_true(h < c->ncap);
        assert_true(++steps <= c->ncap);   /* no cycle */
        const sim_cal_node *x = &c->nodes[h];
        if (!x->ev) {
            (*dead)++;
        } else {
            (*live)++;
            assert_int_equal(x->ev->slot, SIM_CAL_IN_LIST | h);
            assert_true(x->ev->time == x->t);
            if (c->nb) {
                double d = (x->t - c->start) * c->inv_w;
                if (b == SIZE_MAX)
                    assert_false(d < (double)c->nb);
                else
                    assert_true(d >= (double)b && d < (double)(b + 1));
            } else {
                assert_int_equal(b, SIZE_MAX);
                assert_false(x->t < c->bound);
            }
            key k = { x->t, x->seq };
            if (!*first || key_less(k, **first)) {
                *first_buf = k;
                *first = first_buf;
            }
        }
        h = x->next;
    }
}

/* Checks the whole calendar: the heap property and that every heap entry agrees with its event
 * (time, slot); every listed node where its time says; the heap's events before every
 * listed one; the counts; the free list. */
static void check_heap(const sim_calendar *c)
{
    key last_buf, *last = NULL;   /* the heap's latest */
    for (size_t i = 0; i < c->hn; i++) {
        const sim_cal_entry *x = &c->heap[i];
        assert_non_null(x->ev);
        assert_int_equal(x->ev->slot, i + 1);
        assert_true(x->key == sim_cal_time_key(x->ev->time));
        key k = { x->ev->time, x->seq };
        if (!last || key_less(*last, k)) {
            last_buf = k;
            last = &last_buf;
        }
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
    size_t live = 0, dead = 0;
    key first_buf;
    const key *first = NULL;   /* the earliest listed */
    for (size_t b = 0; b < c->nb; b++) {
        if (b < c->cur)
            assert_int_equal(c->bucket[b], SIM_CAL_NONE);
        else
            check_list(c, c->bucket[b], b, &live, &dead, &first, &first_buf);
    }
    size_t far_live = 0, far_dead = 0;
    check_list(c, c->far, SIZE_MAX, &far_live, &far_dead, &first, &first_buf);
    assert_int_equal(far_live + far_dead, c->nfar);
    live += far_live;
    dead += far_dead;
    if (last && first)
        assert_true(key_less(*last, *first));
    assert_int_equal(live, c->nlive_nodes);
    assert_int_equal(dead, c->ndead);
    assert_int_equal(c->hn + live, c->n);
    assert_true(c->hcap >= c->n);
    size_t nfree = 0;
    for (uint32_t h = c->free; h != SIM_CAL_NONE; h = c->nodes[h].next) {
        assert_true(h < c->ncap);
        assert_true(++nfree <= c->ncap);
    }
    assert_int_equal(nfree + live + dead, c->ncap);
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
    assert_true(seq_of(&c, &ev[0]) < seq_of(&c, &ev[1]) && seq_of(&c, &ev[1]) < seq_of(&c, &ev[2]));
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
        if (key_less(ref_key(r->v[mid]), ref_key(ev)))
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

/* How the stress run draws a time to push, now being the latest popped. */
enum { TIMES_COARSE, TIMES_SPREAD, TIMES_WILD };

static double stress_time(int kind, double now)
{
    switch (kind) {
    case TIMES_COARSE:   /* coarse steps: many equal keys; sometimes a time in the past */
        return mix_below(20) == 0 ? now - 1.0 : now + (double)mix_below(64) * 0.25;
    case TIMES_SPREAD: { /* spread out like think times, a few ties, a few in the past */
        uint64_t k = mix_below(100);
        if (k < 3)
            return now;
        if (k < 5)
            return now - 0.5;
        return now + (double)(mix_next() >> 11) * 0x1p-53 * 10.0;
    }
    default: {           /* both zeros, negatives, subnormals, infinities, huge, equal times */
        static const double odd[] = { 0.0, -0.0, -1.0, 1e-310, -1e-310, INFINITY, -INFINITY,
                                      1e300, -1e300, 5.0, 5.0, 5.0 };
        if (mix_below(4) == 0)
            return odd[mix_below(sizeof odd / sizeof odd[0])];
        return now + (double)(mix_next() >> 11) * 0x1p-53 * 100.0 - 1.0;
    }
    }
}

/* Random pushes, pops and cancels (of scheduled and unscheduled events) against a sorted array,
 * in phases that grow the calendar to about grow_to events and shrink it back to a few, so it
 * passes between the heap alone and the buckets several times. After every step the size and
 * the next time agree with the reference, every pop is the reference's first, and the whole
 * structure is checked every few hundred steps. */
static void stress(int kind, size_t nev, int ops, uint64_t seed)
{
    sim_event *ev = calloc(nev, sizeof *ev);
    ref r = { calloc(nev, sizeof(sim_event *)), 0 };
    assert_non_null(ev);
    assert_non_null(r.v);
    init_events(ev, nev);
    sim_calendar c;
    assert_int_equal(sim_calendar_init(&c), SIM_OK);
    mix_state = seed;
    double now = 0;
    size_t pushes = 0, pops = 0, cancels = 0, noop_cancels = 0, max_size = 0;
    size_t listed_cancels = 0, with_buckets = 0, empty_again = 0;
    int growing = 1;
    uint64_t push_no = 0;
    for (int op = 0; op < ops; op++) {
        uint64_t kind_op = mix_next() % 100;
        if (growing && r.n >= nev / 2)
            growing = 0;
        else if (!growing && r.n <= 2) {
            growing = 1;
            empty_again++;
        }
        uint64_t push_share = growing ? 70 : 15, pop_share = growing ? 20 : 60;
        sim_event *x = &ev[mix_below(nev)];
        if (kind_op < push_share) {
            if (x->slot != 0)
                continue;   /* already scheduled: try another op */
            double t = stress_time(kind, now);
            assert_int_equal(sim_calendar_push(&c, x, t), SIM_OK);
            assert_true(x->time == t);
            x->a = (void *)(uintptr_t)++push_no;
            ref_insert(&r, x);
            pushes++;
        } else if (kind_op < push_share + pop_share) {
            sim_event *y = sim_calendar_pop(&c);
            if (r.n == 0) {
                assert_null(y);
            } else {
                assert_ptr_equal(y, r.v[0]);
                assert_int_equal(y->slot, 0);
                memmove(&r.v[0], &r.v[1], (r.n - 1) * sizeof *r.v);
                r.n--;
                if (y->time > now && isfinite(y->time))
                    now = y->time;
                pops++;
            }
        } else {
            if (x->slot != 0) {
                ref_remove(&r, x);
                cancels++;
                listed_cancels += (x->slot & SIM_CAL_IN_LIST) != 0;
            } else {
                noop_cancels++;
            }
            sim_calendar_cancel(&c, x);
            assert_int_equal(x->slot, 0);
        }
        assert_int_equal(sim_calendar_size(&c), r.n);
        if (r.n > max_size)
            max_size = r.n;
        with_buckets += c.nlive_nodes > 0;
        if (r.n) {
            double t = sim_calendar_next_time(&c);
            assert_true(t == r.v[0]->time || (isnan(t) && isnan(r.v[0]->time)));
        } else {
            assert_true(isinf(sim_calendar_next_time(&c)));
        }
        if (op % 397 == 0)
            check_heap(&c);
    }
    check_heap(&c);
    print_message("stress %d: %zu pushes, %zu pops, %zu cancels (%zu listed), %zu no-ops, "
                  "max size %zu, %zu steps with listed events, emptied %zu times\n", kind,
                  pushes, pops, cancels, listed_cancels, noop_cancels, max_size, with_buckets,
                  empty_again);
    /* Every kind of operation must have happened a lot, in both layouts, and the calendar must
     * have grown large and emptied again. */
    assert_true(pushes > (size_t)ops / 5);
    assert_true(pops > (size_t)ops / 10);
    assert_true(cancels > (size_t)ops / 40);
    assert_true(listed_cancels > (size_t)ops / 1000);
    assert_true(noop_cancels > (size_t)ops / 100);
    assert_true(with_buckets > (size_t)ops / 4);
    assert_true(with_buckets < (size_t)ops);
    assert_true(max_size >= nev / 2);
    assert_true(empty_again >= 2);
    /* Drain: strictly increasing (time, seq). */
    sim_event *prev = NULL;
    while (r.n) {
        sim_event *y = sim_calendar_pop(&c);
        assert_ptr_equal(y, r.v[0]);
        if (prev)
            assert_true(key_less(ref_key(prev), ref_key(y)));
        prev = y;
        memmove(&r.v[0], &r.v[1], (r.n - 1) * sizeof *r.v);
        r.n--;
    }
    assert_int_equal(sim_calendar_size(&c), 0);
    assert_null(sim_calendar_pop(&c));
    for (size_t i = 0; i < nev; i++)
        assert_int_equal(ev[i].slot, 0);
    check_heap(&c);
    sim_calendar_fini(&c);
    free(ev);
    free(r.v);
}

static void test_stress_vs_reference(void **state)
{
    (void)state;
    stress(TIMES_COARSE, 4000, 150000, 12345);
}

static void test_stress_spread(void **state)
{
    (void)state;
    stress(TIMES_SPREAD, 3000, 150000, 777);
}

static void test_stress_extremes(void **state)
{
    (void)state;
    stress(TIMES_WILD, 3000, 150000, 4242);
}

/* The hold model with a constant increment (the hard case for bucket queues: every push lands
 * past every pending event): n events at i/n, each popped and pushed again 1 later, must come
 * out in turn, round after round. */
static void test_hold_constant(void **state)
{
    (void)state;
    enum { N = 5000, ROUNDS = 6 };
    sim_event *ev = calloc(N, sizeof *ev);
    assert_non_null(ev);
    init_events(ev, N);
    sim_calendar c;
    assert_int_equal(sim_calendar_init(&c), SIM_OK);
    for (int i = 0; i < N; i++)
        assert_int_equal(sim_calendar_push(&c, &ev[i], (double)i / N), SIM_OK);
    size_t listed = 0;
    for (int k = 0; k < N * ROUNDS; k++) {
        sim_event *x = sim_calendar_pop(&c);
        assert_non_null(x);
        assert_int_equal(x->u32, k % N);
        assert_int_equal(sim_calendar_push(&c, x, x->time + 1.0), SIM_OK);
        listed += (x->slot & SIM_CAL_IN_LIST) != 0;
        if (k % 4999 == 0)
            check_heap(&c);
    }
    assert_true(listed > (size_t)N);   /* the buckets were used */
    assert_int_equal(sim_calendar_size(&c), N);
    check_heap(&c);
    sim_calendar_fini(&c);
    free(ev);
}

/* Many events at one time, more than the heap alone holds: first in, first out, also for those
 * pushed at that time while it is being served; and +infinity after every finite time. */
static void test_many_ties_and_infinity(void **state)
{
    (void)state;
    enum { N = 3000 };
    sim_event *ev = calloc(N, sizeof *ev);
    assert_non_null(ev);
    init_events(ev, N);
    sim_calendar c;
    assert_int_equal(sim_calendar_init(&c), SIM_OK);
    /* ev[i]: 7 for i < 1000; +inf for 1000 <= i < 1500; then 3 + i / 1000 (distinct) */
    for (int i = 0; i < N; i++) {
        double t = i < 1000 ? 7.0 : i < 1500 ? INFINITY : 3.0 + i / 1000.0;
        if (i == 2500)
            check_heap(&c);
        assert_int_equal(sim_calendar_push(&c, &ev[i], t), SIM_OK);
    }
    check_heap(&c);
    /* 1500..2999 (times 4.5 .. 5.999), then the first 500 at 7 */
    for (int i = 1500; i < N; i++)
        assert_int_equal(sim_calendar_pop(&c)->u32, i);
    for (int i = 0; i < 500; i++)
        assert_int_equal(sim_calendar_pop(&c)->u32, i);
    check_heap(&c);
    /* Pushed now at 7: behind the 500 left at 7. */
    for (int i = 1500; i < 1600; i++)
        assert_int_equal(sim_calendar_push(&c, &ev[i], 7.0), SIM_OK);
    for (int i = 500; i < 1000; i++)
        assert_int_equal(sim_calendar_pop(&c)->u32, i);
    for (int i = 1500; i < 1600; i++)
        assert_int_equal(sim_calendar_pop(&c)->u32, i);
    for (int i = 1000; i < 1500; i++) {
        sim_event *x = sim_calendar_pop(&c);
        assert_int_equal(x->u32, i);
        assert_true(isinf(x->time));
    }
    assert_null(sim_calendar_pop(&c));
    check_heap(&c);
    sim_calendar_fini(&c);
    free(ev);
}

/* Cancelled listed events are freed by a sweep before they pile up: however many timers are set
 * and cancelled, the cancelled nodes stay below the live ones plus the buckets plus the slack,
 * and the node array stops growing. */
static void test_cancel_sweep(void **state)
{
    (void)state;
    enum { N = 20000, ROUNDS = 8 };
    sim_event *ev = calloc(N + 1, sizeof *ev);
    assert_non_null(ev);
    init_events(ev, N + 1);
    sim_calendar c;
    assert_int_equal(sim_calendar_init(&c), SIM_OK);
    /* One early event to pop, so later pushes find buckets. */
    assert_int_equal(sim_calendar_push(&c, &ev[N], 0.0), SIM_OK);
    size_t swept = 0, listed = 0;
    uint32_t cap_after_first = 0;
    for (int k = 0; k < ROUNDS; k++) {
        for (int i = 0; i < N; i++)
            assert_int_equal(sim_calendar_push(&c, &ev[i], 1.0 + k + (double)i / N), SIM_OK);
        if (k == 0) {
            assert_ptr_equal(sim_calendar_pop(&c), &ev[N]);   /* spreads the far list */
            assert_int_equal(sim_calendar_push(&c, &ev[N], 1e9), SIM_OK);
        }
        for (int i = 0; i < N; i++) {
            size_t before = c.ndead;
            listed += (ev[i].slot & SIM_CAL_IN_LIST) != 0;
            sim_calendar_cancel(&c, &ev[i]);
            swept += c.ndead < before;
            assert_true(c.ndead <= c.nlive_nodes + (c.nb - c.cur) + 4096 + 1);
        }
        check_heap(&c);
        if (k == 1)
            cap_after_first = c.ncap;
    }
    assert_true(listed > (size_t)N * ROUNDS / 2);
    assert_true(swept >= 2);
    assert_int_equal(c.ncap, cap_after_first);
    assert_int_equal(sim_calendar_size(&c), 1);
    assert_ptr_equal(sim_calendar_pop(&c), &ev[N]);
    assert_null(sim_calendar_pop(&c));
    check_heap(&c);
    sim_calendar_fini(&c);
    free(ev);
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
        cmocka_unit_test(test_stress_spread),
        cmocka_unit_test(test_stress_extremes),
        cmocka_unit_test(test_hold_constant),
        cmocka_unit_test(test_many_ties_and_infinity),
        cmocka_unit_test(test_cancel_sweep),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
