/* alloc: the allocation seam (see alloc.h). Blocks carry no header: sizes come from callers only
 * through the Lua path, so the hook receives osize = 0 when the engine frees. */
#include "core/alloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void *default_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    (void)ud;
    (void)osize;
    if (nsize == 0) {
        free(ptr);
        return NULL;
    }
    return realloc(ptr, nsize);
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
    if (g_alloc == default_alloc)
        return calloc(count ? count : 1, size ? size : 1);
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
