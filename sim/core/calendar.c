/* calendar: a 4-ary heap of the near events over one rung of buckets and a far list; see
 * calendar.h.
 *
 * A heap alone is fast while it fits in the caches; past that, each pop sinks through about
 * log4(n) levels, and each level moved writes the slot of an event scattered in memory: at a
 * million pending events two thirds of a run went to those cache misses. So only the near events
 * are in the heap, and the rest wait in lists of nodes (a node holds the time, the insertion
 * number and the event, 32 bytes, in one array):
 *
 *   heap  <  buckets cur .. nb-1  <  far list
 *
 * Bucket b of the rung holds the events with floor((t - start) * inv_w) == b. That index never
 * decreases as t grows (a subtraction, a product by a positive number and a floor are each
 * monotone), so an event whose index is below another's is earlier, whatever the rounding, and
 * events at equal times share a bucket. A push computes the index: below cur (the buckets
 * already moved), into the heap; below nb, onto its bucket; past the last bucket, onto the far
 * list. When the heap runs empty, the next nonempty bucket moves into it; when the buckets are
 * used up, the far list is spread over a new rung of as many buckets as it has nodes, from its
 * least to its greatest finite time (a ladder queue, Tang, Goh and Thng 2005, with one rung and
 * the heap for its sorted bottom). The heap orders exactly by (time, insertion number), so the
 * buckets need no order inside; a bucket that receives many events (many equal times, a
 * skewed spread) makes a large heap, never a wrong order.
 *
 * A calendar of fewer than SIM_CAL_SMALL events has no buckets: pushes go to the heap. When the
 * heap is full, bound becomes its latest time: a push at or after bound goes onto the far list,
 * after which the heap takes only times before bound; a push before bound into a full heap moves
 * the heap's events onto the far list, to be spread at the next pop. lim sums that up for the
 * push's fast path: +infinity with nothing far, bound with something far, -infinity with buckets.
 *
 * An event's slot says where it is: a heap slot + 1, or SIM_CAL_IN_LIST and its node. A listed
 * event is cancelled by clearing its node's event; the node is freed when its list is walked,
 * and when cancelled nodes outnumber the live ones (and the buckets left) the lists are swept.
 * So a listed event is written at its push, when it is in the cache anyway, and at its move
 * into the heap, shortly before it runs; moves between lists read only nodes. */
#include "core/calendar.h"

#include "core/alloc.h"
#include "core/check.h"
#include "core/error.h"

#define ARITY SIM_CAL_ARITY
#define NONE SIM_CAL_NONE
#define SWEEP_SLACK 4096   /* cancelled nodes tolerated beyond the live ones and the buckets */
#ifndef MAX_SPREAD
#define MAX_SPREAD 2   /* buckets per far event at most (docs/performance.md: 2, not 8) */
#endif

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

/* ---- the heap ----------------------------------------------------------------------- */

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
    size_t n = c->hn;
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

/* Into the heap, whose room is never less than the calendar's size (see push). */
static inline void heap_add(sim_calendar *c, sim_event *ev, double t, uint64_t seq)
{
    sim_cal_entry e = { sim_cal_time_key(t), seq, ev };
    sift_up(c, c->hn++, &e);
}

/* ---- lists -------------------------------------------------------------------------- */

static inline void node_free(sim_calendar *c, uint32_t i)
{
    c->nodes[i].next = c->free;
    c->free = i;
}

static void far_reset(sim_calendar *c)
{
    c->far = NONE;
    c->nfar = 0;
    c->far_lo = INFINITY;
    c->far_hi = -INFINITY;
    c->far_sum = 0;
}

static inline void far_note(sim_calendar *c, double t)
{
    c->nfar++;
    if (isfinite(t)) {
        c->far_sum += t;
        if (t < c->far_lo)
            c->far_lo = t;
        if (t > c->far_hi)
            c->far_hi = t;
    }
}

/* Moves list h into the heap, freeing its nodes. */
static void drain(sim_calendar *c, uint32_t h)
{
    while (h != NONE) {
        sim_cal_node *x = &c->nodes[h];
        uint32_t next = x->next;
        if (x->ev) {
            heap_add(c, x->ev, x->t, x->seq);
            c->nlive_nodes--;
        } else {
            c->ndead--;
        }
        node_free(c, h);
        h = next;
    }
}

/* Spreads the far list over a new rung of buckets (the heap is empty, the buckets used up). */
static void spread(sim_calendar *c)
{
    uint32_t h = c->far;
    size_t cnt = c->nfar;
    double lo = c->far_lo, hi = c->far_hi, sum = c->far_sum;
    far_reset(c);
    /* As many buckets as events, or more: each far event will likely be pushed again about
     * once per its distance from lo, so about cnt * (hi - lo) / mean(t - lo) events will pass
     * through the span (with exponential delays, 14 times cnt for a million). Up to MAX_SPREAD
     * times cnt buckets: more buckets make shorter chains to walk, but their heads are memory
     * reserved for every far event and a miss at every push once the array outgrows the
     * caches; two per event were as fast as eight at a million pending, a quarter of the
     * heads (docs/performance.md, "Two buckets per far event"). */
    size_t nb = cnt;
    double ahead = sum / (double)cnt - lo, want = (double)cnt * ((hi - lo) / ahead);
    if (want > (double)cnt)
        nb = want < MAX_SPREAD * (double)cnt ? (size_t)want : MAX_SPREAD * cnt;
    if (nb > c->bcap)   /* never: the room grows with the far list (push_far) */
        nb = c->bcap;
    double inv = (double)(nb - 1) / (hi - lo);
    int buckets = cnt > SIM_CAL_SMALL && hi > lo && isfinite(hi - lo) && inv > 0 && isfinite(inv);
    if (!buckets) {
        c->nb = c->cur = 0;
        c->lim = INFINITY;
        drain(c, h);
        return;
    }
    c->nb = nb;
    c->cur = 0;
    c->lim = -INFINITY;   /* every push computes its bucket */
    c->start = lo;
    c->inv_w = inv;
    memset(c->bucket, 0xff, nb * sizeof *c->bucket);   /* NONE */
    while (h != NONE) {
        sim_cal_node *x = &c->nodes[h];
        uint32_t next = x->next;
        if (!x->ev) {
            c->ndead--;
            node_free(c, h);
        } else {
            double d = (x->t - lo) * inv;
            if (d < (double)nb) {
                if (d < 0) {   /* only -infinity: before every bucket */
                    heap_add(c, x->ev, x->t, x->seq);
                    c->nlive_nodes--;
                    node_free(c, h);
                } else {
                    size_t b = (size_t)d;
                    x->next = c->bucket[b];
                    c->bucket[b] = h;
                }
            } else {             /* +infinity: stays far */
                x->next = c->far;
                c->far = h;
                far_note(c, x->t);
            }
        }
        h = next;
    }
}

/* The heap is empty and events are listed: moves the next bucket into the heap, spreading the
 * far list first if the buckets are used up, until the heap has an event. */
static void refill(sim_calendar *c)
{
    while (c->hn == 0 && c->nlive_nodes > 0) {
        size_t b = c->cur;
        while (b < c->nb && c->bucket[b] == NONE)
            b++;
        if (b < c->nb) {
            uint32_t h = c->bucket[b];
            c->bucket[b] = NONE;
            c->cur = b + 1;
            drain(c, h);
        } else {
            c->cur = c->nb;
            spread(c);
        }
    }
}

/* Frees the cancelled nodes of list *h; returns how many. */
static size_t sweep_list(sim_calendar *c, uint32_t *h)
{
    size_t freed = 0;
    while (*h != NONE) {
        sim_cal_node *x = &c->nodes[*h];
        if (x->ev) {
            h = &x->next;
        } else {
            uint32_t i = *h;
            *h = x->next;
            c->ndead--;
            node_free(c, i);
            freed++;
        }
    }
    return freed;
}

__attribute__((noinline, cold)) static void sweep(sim_calendar *c)
{
    for (size_t b = c->cur; b < c->nb; b++)
        sweep_list(c, &c->bucket[b]);
    c->nfar -= sweep_list(c, &c->far);
}

/* ---- the calendar ------------------------------------------------------------------- */

int sim_calendar_init(sim_calendar *c)
{
    memset(c, 0, sizeof *c);
    c->free = NONE;
    c->bound = -INFINITY;
    c->lim = INFINITY;
    far_reset(c);
    c->hcap = 256;
    c->heap = sim_malloc(c->hcap * sizeof *c->heap);
    return c->heap ? SIM_OK : SIM_ENOMEM;
}

void sim_calendar_fini(sim_calendar *c)
{
    sim_free(c->heap);
    sim_free(c->nodes);
    sim_free(c->bucket);
    c->heap = NULL;
    c->nodes = NULL;
    c->bucket = NULL;
    c->n = c->hn = c->hcap = c->nb = c->bcap = 0;
    c->ncap = 0;
}

/* Doubles the heap's room; out of line, so the push's fast path keeps its registers. */
__attribute__((noinline, cold)) static int heap_grow(sim_calendar *c)
{
    size_t cap = c->hcap * 2;
    if (cap >= SIM_CAL_IN_LIST)
        return SIM_ENOMEM;
    sim_cal_entry *h = sim_realloc(c->heap, cap * sizeof *h);
    if (!h)
        return SIM_ENOMEM;
    c->heap = h;
    c->hcap = cap;
    return SIM_OK;
}

__attribute__((noinline, cold)) static int nodes_grow(sim_calendar *c)
{
    size_t cap = c->ncap ? (size_t)c->ncap * 2 : 1024;
    if (cap > SIM_CAL_IN_LIST)
        return SIM_ENOMEM;
    sim_cal_node *x = sim_realloc(c->nodes, cap * sizeof *x);
    if (!x)
        return SIM_ENOMEM;
    for (size_t i = c->ncap; i < cap; i++)
        x[i].next = i + 1 < cap ? (uint32_t)(i + 1) : c->free;
    c->free = c->ncap;
    c->nodes = x;
    c->ncap = (uint32_t)cap;
    return SIM_OK;
}

/* The time of a key (sim_cal_time_key undone). */
static inline double key_time(uint64_t k)
{
    uint64_t b = k >> 63 ? k ^ (UINT64_C(1) << 63) : ~k;
    double t;
    memcpy(&t, &b, sizeof t);
    return t;
}

/* The heap's latest time, or -infinity. */
static double heap_latest(const sim_calendar *c)
{
    uint64_t k = 0;
    for (size_t i = 0; i < c->hn; i++)
        k = c->heap[i].key > k ? c->heap[i].key : k;
    return c->hn ? key_time(k) : -INFINITY;
}

/* With no buckets, the heap has grown to SIM_CAL_SMALL: every event in it moves
 * onto the far list, to be spread over buckets at the next pop (the events the heap took were
 * those before bound, of which there is no limit). */
__attribute__((noinline, cold)) static int demote(sim_calendar *c)
{
    while (c->ncap - c->nlive_nodes - c->ndead < c->hn + 1)
        if (nodes_grow(c) != SIM_OK)
            return SIM_ENOMEM;   /* the heap keeps them */
    for (size_t k = 0; k < c->hn; k++) {
        const sim_cal_entry *e = &c->heap[k];
        uint32_t i = c->free;
        sim_cal_node *x = &c->nodes[i];
        c->free = x->next;
        x->t = e->ev->time;
        x->seq = e->seq;
        x->ev = e->ev;
        x->next = c->far;
        c->far = i;
        e->ev->slot = SIM_CAL_IN_LIST | i;
        far_note(c, x->t);
    }
    c->nlive_nodes += (uint32_t)c->hn;
    c->hn = 0;
    c->bound = -INFINITY;   /* the far list is no longer after it: every push goes there */
    return SIM_OK;
}

__attribute__((noinline, cold)) static int buckets_grow(sim_calendar *c)
{
    size_t cap = c->bcap ? 2 * c->bcap : 1024;
    if (cap < (c->nfar + 1) * MAX_SPREAD)
        cap = (c->nfar + 1) * MAX_SPREAD;
    uint32_t *b = sim_realloc(c->bucket, cap * sizeof *b);
    if (!b)
        return SIM_ENOMEM;
    c->bucket = b;
    c->bcap = cap;
    return SIM_OK;
}

/* A push that does not go straight into the heap of a calendar without buckets: into the heap
 * before cur, onto a bucket, onto the far list (or, demoting the heap, onto the far list). Out of
 * line, so the small calendar's push stays short. */
__attribute__((noinline)) static int push_far(sim_calendar *c, sim_event *ev, double t)
{
    uint32_t *list;
    if (c->nb) {
        double d = (t - c->start) * c->inv_w;
        list = d < (double)c->cur ? NULL : d < (double)c->nb ? &c->bucket[(size_t)d] : &c->far;
    } else {
        /* The heap is full (or t is at or after bound): from the first push onto the far list,
         * bound is the heap's latest time, and the heap takes only times before it. A push at
         * or after bound goes onto the far list; one before it into a full heap moves the
         * heap's events onto the far list. */
        if (c->lim == INFINITY)
            c->bound = heap_latest(c);
        if (t < c->bound && demote(c) != SIM_OK)
            return SIM_ENOMEM;
        list = &c->far;
        c->lim = c->bound;
    }
    /* The buckets' room follows the far list, so that spreading it never allocates. */
    if (list == &c->far && SIM_UNLIKELY((c->nfar + 1) * MAX_SPREAD > c->bcap) &&
        buckets_grow(c) != SIM_OK)
        return SIM_ENOMEM;
    uint64_t seq = c->seq++;
    ev->time = t;
    if (!list) {
        heap_add(c, ev, t, seq);
        c->n++;
        return SIM_OK;
    }
    if (SIM_UNLIKELY(c->free == NONE) && nodes_grow(c) != SIM_OK) {
        c->seq--;
        return SIM_ENOMEM;
    }
    uint32_t i = c->free;
    sim_cal_node *x = &c->nodes[i];
    c->free = x->next;
    x->t = t;
    x->seq = seq;
    x->ev = ev;
    x->next = *list;
    *list = i;
    ev->slot = SIM_CAL_IN_LIST | i;
    if (list == &c->far)
        far_note(c, t);
    c->nlive_nodes++;
    c->n++;
    return SIM_OK;
}

/* Not inlined into the engine's scheduling functions, which are then small enough to be inlined
 * into their callers (measured: 30 instructions per M/M/1 customer fewer). */
__attribute__((noinline)) int sim_calendar_push(sim_calendar *c, sim_event *ev, double t)
{
    /* The heap always has room for every scheduled event, so moving listed events into it
     * cannot fail. */
    if (SIM_UNLIKELY(c->n == c->hcap) && heap_grow(c) != SIM_OK)
        return SIM_ENOMEM;
    t += 0.0;   /* -0 becomes +0, so that equal times are equal keys */
    /* No buckets, and nothing far or t before bound (lim says which): into the heap. */
    if (SIM_LIKELY(t < c->lim && c->hn < SIM_CAL_SMALL)) {
        uint64_t seq = c->seq++;
        ev->time = t;
        heap_add(c, ev, t, seq);
        c->n++;
        return SIM_OK;
    }
    return push_far(c, ev, t);
}

sim_event *sim_calendar_pop(sim_calendar *c)
{
    if (SIM_UNLIKELY(c->hn == 0)) {
        if (c->n == 0)
            return NULL;
        refill(c);
    }
    sim_event *ev = c->heap[0].ev;
    ev->slot = 0;
    c->n--;
    if (--c->hn > 0) {
        sim_cal_entry last = c->heap[c->hn];
        sift_down(c, 0, &last);
    }
    return ev;
}

double sim_calendar_next_time_slow_(sim_calendar *c)
{
    if (c->n == 0)
        return (double)INFINITY;
    refill(c);
    return c->heap[0].ev->time;
}

void sim_calendar_cancel(sim_calendar *c, sim_event *ev)
{
    uint32_t s = ev->slot;
    if (s == 0)
        return;
    ev->slot = 0;
    c->n--;
    if (s & SIM_CAL_IN_LIST) {
        c->nodes[s & ~SIM_CAL_IN_LIST].ev = NULL;
        c->nlive_nodes--;
        c->ndead++;
        if (SIM_UNLIKELY(c->ndead > c->nlive_nodes + (c->nb - c->cur) + SWEEP_SLACK))
            sweep(c);
        return;
    }
    size_t i = s - 1;
    if (i == --c->hn)
        return;
    sim_cal_entry last = c->heap[c->hn];
    if (i > 0 && entry_less(&last, &c->heap[(i - 1) / ARITY]))
        sift_up(c, i, &last);
    else
        sift_down(c, i, &last);
}
