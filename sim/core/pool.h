/* pool: fixed-size objects from slabs with a free list.
 *
 * The engine takes events and requests from pools, so the hot path never calls malloc once the
 * pool has grown to the model's high-water mark. Slabs are never returned before the pool is
 * freed; memory follows the peak number of live objects, not the run length. A new slab is not
 * cleared: its slots are handed out in order, so a small model touches (and the kernel maps)
 * only the memory it uses — a replication of a tiny model costs microseconds, not the time to
 * clear whole slabs. Every slot ever handed out can be visited (sim_pool_each) so end-of-run
 * accounting can count live objects independently of the counters the model keeps. */
#ifndef SIM_POOL_H
#define SIM_POOL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/check.h"

typedef struct sim_pool {
    size_t size;        /* object size, at least a pointer */
    size_t per_slab;    /* objects per slab */
    void **slabs;
    size_t nslabs, slab_cap;
    void *free;         /* singly linked through the first word of free objects */
    char *bump, *end;   /* the newest slab's slots never handed out: [bump, end) */
    size_t live;        /* objects handed out and not put back */
} sim_pool;

void sim_pool_init(sim_pool *p, size_t size, size_t per_slab);
void sim_pool_fini(sim_pool *p);
void *sim_pool_grow_get(sim_pool *p);     /* slow path of sim_pool_get; NULL on ENOMEM */

/* Debug builds mark a slot put back with a poison word in its last 8 bytes, so that putting the
 * same slot back twice is caught at once (release builds do not look). */
#define SIM_POOL_POISON UINT64_C(0x5ee0f1eef1eef1ee)

static inline void sim_pool_mark_(const sim_pool *p, void *o, uint64_t v)
{
#ifndef NDEBUG
    if (p->size >= 2 * sizeof(uint64_t))
        memcpy((char *)o + p->size - sizeof v, &v, sizeof v);
#else
    (void)p, (void)o, (void)v;
#endif
}

/* Returns an object with unspecified contents, or NULL when out of memory. */
static inline void *sim_pool_get(sim_pool *p)
{
    void *o = p->free;
    if (!o)
        return sim_pool_grow_get(p);
    p->free = *(void **)o;
    p->live++;
    sim_pool_mark_(p, o, 0);
    return o;
}

static inline void sim_pool_put(sim_pool *p, void *o)
{
#ifndef NDEBUG
    uint64_t tail = 0;
    if (p->size >= 2 * sizeof tail)
        memcpy(&tail, (char *)o + p->size - sizeof tail, sizeof tail);
    SIM_INVARIANT(tail != SIM_POOL_POISON);   /* the slot is already free */
#endif
    sim_pool_mark_(p, o, SIM_POOL_POISON);
    *(void **)o = p->free;
    p->free = o;
    p->live--;
}

/* The most objects ever live at once: a slot is carved only when none is free, so this is the
 * number of slots ever handed out (kept off the hot path). */
static inline size_t sim_pool_peak(const sim_pool *p)
{
    if (p->nslabs == 0)
        return 0;
    return (p->nslabs - 1) * p->per_slab +
           (size_t)(p->bump - (char *)p->slabs[p->nslabs - 1]) / p->size;
}

/* Calls fn on every slot ever handed out (live or back on the free list); the caller tells live
 * objects apart. Slots never handed out are not visited. */
typedef void (*sim_pool_fn)(void *obj, void *ud);
void sim_pool_each(const sim_pool *p, sim_pool_fn fn, void *ud);

#endif
