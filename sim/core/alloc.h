/* alloc: the one allocation seam of the engine and the Lua state.
 *
 * Every heap block the engine takes goes through sim_malloc/sim_realloc/sim_free, so tests can
 * count live blocks and make the Nth allocation fail. The hook is process-wide (it is a seam for
 * tests, not engine state); the default is the C library allocator. */
#ifndef SIM_ALLOC_H
#define SIM_ALLOC_H

#include <stddef.h>
#include <stdint.h>

/* Same contract as the Lua allocator: nsize == 0 frees and returns NULL; otherwise returns a block
 * of nsize bytes holding the first min(osize, nsize) bytes of ptr, or NULL on failure. */
typedef void *(*sim_alloc_fn)(void *ud, void *ptr, size_t osize, size_t nsize);

void sim_alloc_set(sim_alloc_fn fn, void *ud);   /* NULL restores the default */
void *sim_malloc(size_t n);                      /* NULL on failure */
void *sim_calloc(size_t count, size_t size);     /* zeroed; NULL on failure or overflow */
void *sim_realloc(void *p, size_t n);            /* like realloc */
void sim_free(void *p);                          /* sim_free(NULL) is a no-op */
char *sim_strdup(const char *s);                 /* NULL on failure */
/* Makes room for one more item in *arr, an array of elem-sized items of which n are in use and
 * whose capacity follows from n (4, then powers of two): reallocates when n is 0 or a power of
 * two. 0, or -1 when out of memory (the array is then unchanged). For the model's growable
 * arrays, whose counts are 32-bit. */
int sim_grow(void **arr, uint32_t n, size_t elem);
/* The same for an array that keeps its capacity in *cap: room for one more item when n reaches
 * it (the capacity doubles, from 4). And room for want items at once (sim_reserve), for a count
 * known in advance: a large array is then allocated once, at its size, rather than doubled from
 * 4 (up to twice the room it needs, and both copies at once while it moves). 0, or -1 when out
 * of memory (the array is then unchanged). */
int sim_grow_cap(void **arr, uint32_t n, uint32_t *cap, size_t elem);
int sim_reserve(void **arr, uint32_t *cap, uint32_t want, size_t elem);

/* Asks for large pages (where the system gives them on request) for the heap's room from now on,
 * as the default allocator grows it. Called once, first thing in a program. */
void sim_alloc_large_pages(void);

/* The allocator as a lua_Alloc-compatible function, so the Lua state uses the same seam. */
void *sim_lua_alloc(void *ud, void *ptr, size_t osize, size_t nsize);

#endif
