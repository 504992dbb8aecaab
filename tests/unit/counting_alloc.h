/* counting_alloc: a test allocator for sim_alloc_set that counts live blocks and fails chosen
 * allocation requests (out-of-memory injection). Header-only, for the unit tests. */
#ifndef TEST_COUNTING_ALLOC_H
#define TEST_COUNTING_ALLOC_H

#include <stdbool.h>
#include <stdlib.h>

typedef struct counter {
    long live;        /* blocks handed out and not freed */
    long calls;       /* allocation requests so far (malloc and realloc) */
    long fail_at;     /* the request number to fail (0: none) */
    bool sticky;      /* fail every request from fail_at on */
    long injected;    /* requests failed on purpose */
} counter;

static void *counting_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    counter *c = ud;
    (void)osize;
    if (nsize == 0) {
        if (ptr) {
            free(ptr);
            c->live--;
        }
        return NULL;
    }
    c->calls++;
    if (c->fail_at > 0 && (c->calls == c->fail_at || (c->sticky && c->calls > c->fail_at))) {
        c->injected++;
        return NULL;
    }
    void *p = realloc(ptr, nsize);
    if (p && !ptr)
        c->live++;
    return p;
}

#endif
