/* calendar: a 4-ary heap keyed by (time, insertion number); see calendar.h.
 *
 * Four children per node rather than two: half the levels, so a push climbs half as far and a
 * pop sinks through half as many levels, and the four children of a node are contiguous (96
 * bytes, within two cache lines), so the extra comparisons at each level are cheap. The
 * comparison is written without short-circuit branches, which mispredict on random keys, and on
 * integers (sim_cal_time_key), which need none of the floating-point compare's unordered
 * cases. */
#include "core/calendar.h"

#include "core/alloc.h"
#include "core/check.h"
#include "core/error.h"

#define ARITY SIM_CAL_ARITY

/* (key, seq) as one 128-bit number where the compiler has them: a compare and a subtract with
 * borrow, no branch. */
#ifdef __SIZEOF_INT128__
__extension__ typedef unsigned __int128 u128;
#endif

static inline int entry_less(const sim_cal_entry *x, const sim_cal_entry *y)
{
#ifdef __SIZEOF_INT128__
    return ((u128)x->key << 64 | x->seq) < ((u128)y->key << 64 | y->seq);
#else
    return (x->key < y->key) | ((x->key == y->key) & (x->seq < y->seq));
#endif
}

static inline void place(sim_calendar *c, size_t i, const sim_cal_entry *e)
{
    c->heap[i] = *e;
    e->ev->slot = (uint32_t)i + 1;
}

static inline void sift_up(sim_calendar *c, size_t i, const sim_cal_entry *e)
{
    while (i > 0) {
        size_t p = (i - 1) / ARITY;
        if (!entry_less(e, &c->heap[p]))
            break;
        place(c, i, &c->heap[p]);
        i = p;
    }
    place(c, i, e);
}

/* e (a copy, not a slot of the heap) sinks from slot i. */
static inline void sift_down(sim_calendar *c, size_t i, const sim_cal_entry *e)
{
    size_t n = c->n;
    for (;;) {
        size_t first = ARITY * i + 1;
        if (first >= n)
            break;
        size_t m = first;
        if (SIM_LIKELY(first + ARITY <= n)) {   /* a full set of children: a tournament */
            const sim_cal_entry *h = &c->heap[first];
            size_t x = entry_less(&h[1], &h[0]), y = 2 + entry_less(&h[3], &h[2]);
            m += entry_less(&h[y], &h[x]) ? y : x;
        } else {
            for (size_t k = first + 1; k < n; k++)
                if (entry_less(&c->heap[k], &c->heap[m]))
                    m = k;
        }
        if (!entry_less(&c->heap[m], e))
            break;
        place(c, i, &c->heap[m]);
        i = m;
    }
    place(c, i, e);
}

int sim_calendar_init(sim_calendar *c)
{
    c->n = 0;
    c->seq = 0;
    c->cap = 256;
    c->heap = sim_malloc(c->cap * sizeof *c->heap);
    return c->heap ? SIM_OK : SIM_ENOMEM;
}

void sim_calendar_fini(sim_calendar *c)
{
    sim_free(c->heap);
    c->heap = NULL;
    c->n = c->cap = 0;
}

/* Doubles the heap's room; out of line, so the push's fast path keeps its registers. */
__attribute__((noinline, cold)) static int grow(sim_calendar *c)
{
    size_t cap = c->cap * 2;
    sim_cal_entry *h = sim_realloc(c->heap, cap * sizeof *h);
    if (!h)
        return SIM_ENOMEM;
    c->heap = h;
    c->cap = cap;
    return SIM_OK;
}

int sim_calendar_push(sim_calendar *c, sim_event *ev, double t)
{
    if (SIM_UNLIKELY(c->n == c->cap) && grow(c) != SIM_OK)
        return SIM_ENOMEM;
    t += 0.0;   /* -0 becomes +0, so that equal times are equal keys */
    ev->time = t;
    ev->seq = c->seq++;
    sim_cal_entry e = { sim_cal_time_key(t), ev->seq, ev };
    sift_up(c, c->n++, &e);
    return SIM_OK;
}

sim_event *sim_calendar_pop(sim_calendar *c)
{
    if (c->n == 0)
        return NULL;
    sim_event *ev = c->heap[0].ev;
    ev->slot = 0;
    if (--c->n > 0) {
        sim_cal_entry last = c->heap[c->n];
        sift_down(c, 0, &last);
    }
    return ev;
}

void sim_calendar_cancel(sim_calendar *c, sim_event *ev)
{
    if (ev->slot == 0)
        return;
    size_t i = ev->slot - 1;
    ev->slot = 0;
    if (i == --c->n)
        return;
    sim_cal_entry last = c->heap[c->n];
    if (i > 0 && entry_less(&last, &c->heap[(i - 1) / ARITY]))
        sift_up(c, i, &last);
    else
        sift_down(c, i, &last);
}
