/* calendar: binary heap keyed by (time, insertion number); see calendar.h. */
#include "core/calendar.h"

#include "core/alloc.h"
#include "core/error.h"

static inline int entry_less(const sim_cal_entry *x, const sim_cal_entry *y)
{
    return x->time < y->time || (x->time == y->time && x->seq < y->seq);
}

static inline void place(sim_calendar *c, size_t i, sim_cal_entry e)
{
    c->heap[i] = e;
    e.ev->slot = (uint32_t)i + 1;
}

static void sift_up(sim_calendar *c, size_t i, sim_cal_entry e)
{
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!entry_less(&e, &c->heap[p]))
            break;
        place(c, i, c->heap[p]);
        i = p;
    }
    place(c, i, e);
}

static void sift_down(sim_calendar *c, size_t i, sim_cal_entry e)
{
    size_t n = c->n;
    for (;;) {
        size_t l = 2 * i + 1;
        if (l >= n)
            break;
        size_t m = l;
        if (l + 1 < n && entry_less(&c->heap[l + 1], &c->heap[l]))
            m = l + 1;
        if (!entry_less(&c->heap[m], &e))
            break;
        place(c, i, c->heap[m]);
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

int sim_calendar_push(sim_calendar *c, sim_event *ev, double t)
{
    if (c->n == c->cap) {
        size_t cap = c->cap * 2;
        sim_cal_entry *h = sim_realloc(c->heap, cap * sizeof *h);
        if (!h)
            return SIM_ENOMEM;
        c->heap = h;
        c->cap = cap;
    }
    ev->time = t;
    ev->seq = c->seq++;
    sim_cal_entry e = { t, ev->seq, ev };
    sift_up(c, c->n++, e);
    return SIM_OK;
}

sim_event *sim_calendar_pop(sim_calendar *c)
{
    if (c->n == 0)
        return NULL;
    sim_event *ev = c->heap[0].ev;
    ev->slot = 0;
    if (--c->n > 0)
        sift_down(c, 0, c->heap[c->n]);
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
    if (i > 0 && entry_less(&last, &c->heap[(i - 1) / 2]))
        sift_up(c, i, last);
    else
        sift_down(c, i, last);
}
