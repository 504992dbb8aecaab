/* waitq: FIFO/LIFO lists and a priority heap behind one interface; see waitq.h. */
#include "model/waitq.h"

#include "core/alloc.h"
#include "core/check.h"
#include "core/error.h"

void sim_waitq_init(sim_waitq *q, sim_waitq_order order)
{
    q->head.prev = q->head.next = &q->head;
    q->heap = NULL;
    q->n = q->cap = 0;
    q->seq = 0;
    q->order = (uint8_t)order;
}

void sim_waitq_fini(sim_waitq *q)
{
    sim_free(q->heap);
    q->heap = NULL;
    q->n = q->cap = 0;
}

/* ---- the priority heap -------------------------------------------------------------- */

static inline int before(const sim_wnode *x, const sim_wnode *y)
{
    return x->prio > y->prio || (x->prio == y->prio && x->seq < y->seq);
}

static inline void place(sim_waitq *q, size_t i, sim_wnode *x)
{
    q->heap[i] = x;
    x->slot = (uint32_t)i + 1;
}

static void sift_up(sim_waitq *q, size_t i, sim_wnode *x)
{
    while (i > 0 && before(x, q->heap[(i - 1) / 2])) {
        place(q, i, q->heap[(i - 1) / 2]);
        i = (i - 1) / 2;
    }
    place(q, i, x);
}

static void sift_down(sim_waitq *q, size_t i, sim_wnode *x)
{
    for (;;) {
        size_t l = 2 * i + 1;
        if (l >= q->n)
            break;
        size_t m = l + 1 < q->n && before(q->heap[l + 1], q->heap[l]) ? l + 1 : l;
        if (!before(q->heap[m], x))
            break;
        place(q, i, q->heap[m]);
        i = m;
    }
    place(q, i, x);
}

static void heap_remove_at(sim_waitq *q, size_t i)
{
    q->heap[i]->slot = 0;
    sim_wnode *last = q->heap[--q->n];
    if (i == q->n)
        return;
    if (i > 0 && before(last, q->heap[(i - 1) / 2]))
        sift_up(q, i, last);
    else
        sift_down(q, i, last);
}

/* ---- the interface ------------------------------------------------------------------ */

/* The priority order's push, and the check the inline push leaves to it: x parked already. */
int sim_waitq_push_heap_(sim_waitq *q, sim_wnode *x, int32_t prio)
{
    if (NEVER(sim_waitq_parked(x)))
        return SIM_EINVAL;
    x->seq = q->seq++;
    x->prio = prio;
    if (q->n == q->cap) {
        size_t cap = q->cap ? q->cap * 2 : 16;
        sim_wnode **h = sim_realloc(q->heap, cap * sizeof *h);
        if (!h)
            return SIM_ENOMEM;
        q->heap = h;
        q->cap = cap;
    }
    sift_up(q, q->n++, x);
    return SIM_OK;
}

sim_wnode *sim_waitq_pop_heap_(sim_waitq *q)
{
    sim_wnode *x = q->heap[0];
    heap_remove_at(q, 0);
    return x;
}

void sim_waitq_remove(sim_waitq *q, sim_wnode *x)
{
    if (q->order == SIM_WAITQ_PRIORITY) {
        if (NEVER(x->slot == 0 || x->slot > q->n || q->heap[x->slot - 1] != x))
            return;
        heap_remove_at(q, x->slot - 1);
        return;
    }
    if (NEVER(x->next == NULL))
        return;
    x->prev->next = x->next;
    x->next->prev = x->prev;
    x->prev = x->next = NULL;
    q->n--;
}
