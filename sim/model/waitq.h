/* waitq: wait lists — things parked until something wakes them, in FIFO, LIFO or priority
 * order, any of which can be taken out early (cancel).
 *
 * The list is intrusive: a waiting object embeds a sim_wnode (a request embeds one, so it can
 * wait in at most one list at a time) and the list links those nodes, so parking never
 * allocates except when a priority heap grows. FIFO and LIFO are a circular doubly linked list
 * with a sentinel (O(1) push, pop and remove); priority is a binary heap ordered by (higher
 * priority first, then arrival order), each node remembering its heap slot for O(log n) remove.
 * A service's waiting room is one; broker consumers, bulkheads and request-reply waits use the
 * same type. */
#ifndef SIM_WAITQ_H
#define SIM_WAITQ_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

typedef enum { SIM_WAITQ_FIFO, SIM_WAITQ_LIFO, SIM_WAITQ_PRIORITY } sim_waitq_order;

typedef struct sim_wnode {
    struct sim_wnode *prev, *next;   /* list orders; NULL when not in a list */
    uint64_t seq;                    /* arrival order (priority ties) */
    int32_t prio;                    /* higher first (priority order) */
    uint32_t slot;                   /* heap slot + 1 (priority order); 0 when not in a heap */
} sim_wnode;

typedef struct sim_waitq {
    sim_wnode head;                  /* sentinel of the list orders */
    sim_wnode **heap;                /* priority order */
    size_t n, cap;
    uint64_t seq;
    uint8_t order;                   /* sim_waitq_order */
} sim_waitq;

void sim_waitq_init(sim_waitq *q, sim_waitq_order order);
void sim_waitq_fini(sim_waitq *q);
/* Whether x is parked in some list. */
static inline int sim_waitq_parked(const sim_wnode *x) { return x->next != NULL || x->slot != 0; }
static inline size_t sim_waitq_len(const sim_waitq *q) { return q->n; }
/* Takes x out of the list it is parked in (x must be parked in q). */
void sim_waitq_remove(sim_waitq *q, sim_wnode *x);

/* The priority order's push and pop (waitq.c); the list orders' are inline below. */
int sim_waitq_push_heap_(sim_waitq *q, sim_wnode *x, int32_t prio);
sim_wnode *sim_waitq_pop_heap_(sim_waitq *q);

/* Parks x with priority prio (used by the priority order only). SIM_OK or SIM_ENOMEM (the
 * heap could not grow; x is then not parked); SIM_EINVAL (a bug) if x is parked already.
 * Inline: every request that waits for a worker comes through here. */
static inline int sim_waitq_push(sim_waitq *q, sim_wnode *x, int32_t prio)
{
    if (q->order == SIM_WAITQ_PRIORITY || sim_waitq_parked(x))
        return sim_waitq_push_heap_(q, x, prio);
    x->seq = q->seq++;
    x->prio = prio;
    if (q->order == SIM_WAITQ_FIFO) {   /* at the tail */
        x->next = &q->head;
        x->prev = q->head.prev;
        q->head.prev->next = x;
        q->head.prev = x;
    } else {                            /* LIFO: at the head */
        x->prev = &q->head;
        x->next = q->head.next;
        q->head.next->prev = x;
        q->head.next = x;
    }
    q->n++;
    return SIM_OK;
}

/* Takes out the node that comes next, or NULL when the list is empty. */
static inline sim_wnode *sim_waitq_pop(sim_waitq *q)
{
    if (q->n == 0)
        return NULL;
    if (q->order == SIM_WAITQ_PRIORITY)
        return sim_waitq_pop_heap_(q);
    sim_wnode *x = q->head.next;
    x->prev->next = x->next;
    x->next->prev = x->prev;
    x->prev = x->next = NULL;
    q->n--;
    return x;
}

#endif
