/* pool: slab allocator with a free list; see pool.h. */
#include "core/pool.h"

#include <string.h>

#include "core/alloc.h"
#include "core/check.h"

void sim_pool_init(sim_pool *p, size_t size, size_t per_slab)
{
    memset(p, 0, sizeof *p);
    size = (size + sizeof(void *) - 1) / sizeof(void *) * sizeof(void *);
    p->size = size < sizeof(void *) ? sizeof(void *) : size;
    p->per_slab = per_slab ? per_slab : 1024;
}

void sim_pool_fini(sim_pool *p)
{
    for (size_t i = 0; i < p->nslabs; i++)
        sim_free(p->slabs[i]);
    sim_free(p->slabs);
    memset(p, 0, sizeof *p);
}

void *sim_pool_grow_get(sim_pool *p)
{
    if (p->bump == p->end) {
        if (p->nslabs == p->slab_cap) {
            size_t cap = p->slab_cap ? p->slab_cap * 2 : 8;
            void **s = sim_realloc(p->slabs, cap * sizeof *s);
            if (!s)
                return NULL;
            p->slabs = s;
            p->slab_cap = cap;
        }
        char *slab = sim_malloc(p->per_slab * p->size);
        if (!slab)
            return NULL;
        p->slabs[p->nslabs++] = slab;
        p->bump = slab;
        p->end = slab + p->per_slab * p->size;
    }
    void *o = p->bump;
    p->bump += p->size;
    p->live++;
    sim_pool_mark_(p, o, 0);
    return o;
}

void sim_pool_each(const sim_pool *p, sim_pool_fn fn, void *ud)
{
    for (size_t i = 0; i < p->nslabs; i++) {
        char *slab = p->slabs[i];
        char *end = i + 1 == p->nslabs ? p->bump : slab + p->per_slab * p->size;
        for (char *o = slab; o < end; o += p->size)
            fn(o, ud);
    }
}
