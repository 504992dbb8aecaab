/* alloc: the allocation seam (see alloc.h). Blocks carry no header: sizes come from callers only
 * through the Lua path, so the hook receives osize = 0 when the engine frees. */
#if defined(__GLIBC__) || defined(__linux__)
#define _DEFAULT_SOURCE 1   /* sbrk, madvise */
#endif
#include "core/alloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#if defined(__linux__) && defined(__GLIBC__)
#include <stdatomic.h>
#include <sys/mman.h>
#include <unistd.h>
#endif

#if defined(__linux__) && defined(__GLIBC__) && defined(MADV_HUGEPAGE)
/* Large pages for the heap. A model of 10^4 services touches some 90 MB of small blocks (the
 * Lua load's tables, then the engine's records and histograms), 4 kB at a time: 22 000 page
 * faults, a sixth of the load's time on this machine. Where transparent huge pages are given
 * on request ("madvise", the usual setting), the heap's new room is asked for 2 MB pages as
 * the C library grows it (the heap is grown in steps of at least HEAP_STEP, main.c, so the
 * room is advised before it is touched); a fault then maps 2 MB at once. A small run keeps
 * 4 kB pages (the heap's first SMALL_HEAP bytes), so that its memory is not rounded up to
 * 2 MB pieces. Only the main heap
 * (the C library serves other threads from their own mappings), and only in a program that
 * asks (sim_alloc_large_pages). */
#define SMALL_HEAP ((uintptr_t)16 << 20)
static _Atomic uintptr_t advised;   /* the heap's top when last advised; 0: not asked for */
static uintptr_t large_from;        /* the heap's first SMALL_HEAP bytes keep 4 kB pages */

static void advise_heap(void)
{
    uintptr_t was = atomic_load_explicit(&advised, memory_order_relaxed);
    if (!was)
        return;
    uintptr_t top = (uintptr_t)sbrk(0);   /* the C library's cached break: no system call */
    if (top == was || top == (uintptr_t)-1 ||
        !atomic_compare_exchange_strong(&advised, &was, top) || top < was)
        return;   /* unchanged, or trimmed: the room grown back from there is advised then */
    if (was < large_from)
        was = large_from;
    uintptr_t from = (was + 4095) & ~(uintptr_t)4095;   /* madvise takes whole pages */
    if (from < top)
        madvise((void *)from, top - from, MADV_HUGEPAGE);
}

void sim_alloc_large_pages(void)
{
    uintptr_t top = (uintptr_t)sbrk(0);
    if (top != (uintptr_t)-1) {
        large_from = top + SMALL_HEAP;
        atomic_store(&advised, top);
    }
}
#else
static void advise_heap(void) {}
void sim_alloc_large_pages(void) {}
#endif

static void *default_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    (void)ud;
    (void)osize;
    if (nsize == 0) {
        free(ptr);
        return NULL;
    }
    void *p = realloc(ptr, nsize);
    advise_heap();
    return p;
}

static sim_alloc_fn g_alloc = default_alloc;
static void *g_ud;

void sim_alloc_set(sim_alloc_fn fn, void *ud)
{
    g_alloc = fn ? fn : default_alloc;
    g_ud = fn ? ud : NULL;
}

void *sim_malloc(size_t n) { return g_alloc(g_ud, NULL, 0, n ? n : 1); }

void *sim_calloc(size_t count, size_t size)
{
    if (size && count > SIZE_MAX / size)
        return NULL;
    /* The C library's calloc knows when its memory is already zero (fresh pages from the
     * kernel): a large zeroed array, such as a histogram's 6 402 buckets, then costs only the
     * pages actually written, not a memset of the whole. */
    if (g_alloc == default_alloc) {
        void *p = calloc(count ? count : 1, size ? size : 1);
        advise_heap();
        return p;
    }
    void *p = sim_malloc(count * size);
    if (p)
        memset(p, 0, count * size);
    return p;
}

void *sim_realloc(void *p, size_t n) { return g_alloc(g_ud, p, 0, n ? n : 1); }

void sim_free(void *p)
{
    if (p)
        g_alloc(g_ud, p, 0, 0);
}

char *sim_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = sim_malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

void *sim_lua_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    (void)ud;
    if (nsize == 0) {
        sim_free(ptr);
        return NULL;
    }
    return g_alloc(g_ud, ptr, ptr ? osize : 0, nsize);
}

int sim_reserve(void **arr, uint32_t *cap, uint32_t want, size_t elem)
{
    if (want <= *cap)
        return 0;
    void *p = sim_realloc(*arr, (size_t)want * elem);
    if (!p)
        return -1;
    *arr = p;
    *cap = want;
    return 0;
}

int sim_grow_cap(void **arr, uint32_t n, uint32_t *cap, size_t elem)
{
    if (n < *cap)
        return 0;
    if (n > UINT32_MAX / 2)
        return -1;
    return sim_reserve(arr, cap, n ? n * 2 : 4, elem);
}

int sim_grow(void **arr, uint32_t n, size_t elem)
{
    if (n & (n - 1))
        return 0;
    if (n > UINT32_MAX / 2)
        return -1;
    size_t cap = n ? (size_t)n * 2 : 4;
    void *p = sim_realloc(*arr, cap * elem);
    if (!p)
        return -1;
    *arr = p;
    return 0;
}
