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
/* Parks x with priority prio (used by the priority order only). SIM_OK or SIM_ENOMEM (the
 * heap could not grow; x is then not parked). */
int sim_waitq_push(sim_waitq *q, sim_wnode *x, int32_t prio);
/* Takes out the node that comes next, or NULL when the list is empty. */
sim_wnode *sim_waitq_pop(sim_waitq *q);
/* Takes x out of the list it is parked in (x must be parked in q). */
void sim_waitq_remove(sim_waitq *q, sim_wnode *x);
/* Whether x is parked in some list. */
int sim_waitq_parked(const sim_wnode *x);
static inline size_t sim_waitq_len(const sim_waitq *q) { return q->n; }

#endif
