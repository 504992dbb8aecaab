/* test_pool: unit tests of the slab pool (core/pool): get/put reuse, growth across slabs (and
 * past the first slab-table capacity), the live and peak counters, size rounding, sim_pool_each
 * visiting every slot exactly once, and a failed growth leaving the pool usable; the model's
 * growable arrays (sim_grow_cap, sim_reserve). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/alloc.h"
#include "core/pool.h"

#include "counting_alloc.h"

/* ---- helpers ------------------------------------------------------------------------ */

typedef struct visit {
    void **seen;
    size_t n, cap;
} visit;

static void record(void *obj, void *ud)
{
    visit *v = ud;
    assert_true(v->n < v->cap);
    v->seen[v->n++] = obj;
}

static int ptr_cmp(const void *a, const void *b)
{
    uintptr_t x = (uintptr_t) * (void *const *)a, y = (uintptr_t) * (void *const *)b;
    return x < y ? -1 : x > y;
}

static int contains(void *const *sorted, size_t n, void *p)
{
    return bsearch(&p, sorted, n, sizeof *sorted, ptr_cmp) != NULL;
}

/* ---- tests -------------------------------------------------------------------------- */

static void test_init_rounding(void **state)
{
    (void)state;
    sim_pool p;
    sim_pool_init(&p, 1, 0);
    assert_int_equal(p.size, sizeof(void *));
    assert_int_equal(p.per_slab, 1024);   /* 0 means the default */
    assert_int_equal(p.live, 0);
    assert_int_equal(sim_pool_peak(&p), 0);
    assert_int_equal(p.nslabs, 0);
    assert_null(p.free);
    sim_pool_fini(&p);

    sim_pool_init(&p, sizeof(void *) + 1, 3);
    assert_int_equal(p.size, 2 * sizeof(void *));
    assert_int_equal(p.per_slab, 3);
    sim_pool_fini(&p);

    sim_pool_init(&p, 4 * sizeof(void *), 3);
    assert_int_equal(p.size, 4 * sizeof(void *));
    sim_pool_fini(&p);
}

static void test_get_put_reuse(void **state)
{
    (void)state;
    sim_pool p;
    sim_pool_init(&p, 40, 4);
    void *a = sim_pool_get(&p);
    void *b = sim_pool_get(&p);
    assert_non_null(a);
    assert_non_null(b);
    assert_ptr_not_equal(a, b);
    assert_int_equal(p.nslabs, 1);
    assert_int_equal(p.live, 2);
    assert_int_equal(sim_pool_peak(&p), 2);
    /* The free list is last in, first out: the object just put back comes out next. */
    sim_pool_put(&p, a);
    assert_int_equal(p.live, 1);
    assert_int_equal(sim_pool_peak(&p), 2);
    void *c = sim_pool_get(&p);
    assert_ptr_equal(c, a);
    sim_pool_put(&p, b);
    sim_pool_put(&p, c);
    assert_int_equal(p.live, 0);
    assert_int_equal(sim_pool_peak(&p), 2);
    void *d = sim_pool_get(&p);
    void *f = sim_pool_get(&p);
    assert_ptr_equal(d, c);
    assert_ptr_equal(f, b);
    /* Reuse never grew the pool. */
    assert_int_equal(p.nslabs, 1);
    sim_pool_fini(&p);
}

static void test_growth_across_slabs(void **state)
{
    (void)state;
    enum { PER = 5, N = 5 * 40 + 3 };   /* 41 slabs: past the first slab-table capacity (8) */
    const size_t size = 3 * sizeof(void *);
    sim_pool p;
    sim_pool_init(&p, size, PER);
    void **obj = calloc(N, sizeof *obj);
    assert_non_null(obj);
    for (size_t i = 0; i < N; i++) {
        obj[i] = sim_pool_get(&p);
        assert_non_null(obj[i]);
        assert_int_equal(p.live, i + 1);
        assert_int_equal(sim_pool_peak(&p), i + 1);
        assert_int_equal(p.nslabs, i / PER + 1);
        /* Fill the whole object with a pattern that the later checks verify. */
        memset(obj[i], (int)(i % 251) + 1, size);
    }
    /* Objects do not overlap: every pattern is intact. */
    for (size_t i = 0; i < N; i++) {
        const unsigned char *q = obj[i];
        for (size_t k = 0; k < size; k++)
            assert_int_equal(q[k], (i % 251) + 1);
    }
    /* Distinct addresses, each aligned for a pointer. */
    void **sorted = calloc(N, sizeof *sorted);
    assert_non_null(sorted);
    memcpy(sorted, obj, N * sizeof *obj);
    qsort(sorted, N, sizeof *sorted, ptr_cmp);
    for (size_t i = 0; i < N; i++) {
        assert_int_equal((uintptr_t)sorted[i] % sizeof(void *), 0);
        if (i)
            assert_true(sorted[i] != sorted[i - 1]);
    }
    /* Put back every other object: live drops, peak stays, remaining patterns survive. */
    for (size_t i = 0; i < N; i += 2)
        sim_pool_put(&p, obj[i]);
    size_t kept = N / 2;
    assert_int_equal(p.live, kept);
    assert_int_equal(sim_pool_peak(&p), N);
    for (size_t i = 1; i < N; i += 2) {
        const unsigned char *q = obj[i];
        for (size_t k = 0; k < size; k++)
            assert_int_equal(q[k], (i % 251) + 1);
    }
    /* Getting as many again reuses the freed ones: no new slab, peak unchanged. */
    size_t slabs = p.nslabs, again = N - kept;
    for (size_t i = 0; i < again; i++) {
        void *o = sim_pool_get(&p);
        assert_non_null(o);
        assert_true(contains(sorted, N, o));
    }
    assert_int_equal(p.nslabs, slabs);
    assert_int_equal(p.live, N);
    assert_int_equal(sim_pool_peak(&p), N);
    /* One more must grow by one slab and raise the peak. */
    void *extra = sim_pool_get(&p);
    assert_non_null(extra);
    assert_false(contains(sorted, N, extra));
    assert_int_equal(p.live, N + 1);
    assert_int_equal(sim_pool_peak(&p), N + 1);
    assert_int_equal(p.nslabs, slabs + (N % PER == 0 ? 1 : 0));
    sim_pool_fini(&p);
    free(sorted);
    free(obj);
}

static void test_each_visits_every_slot(void **state)
{
    (void)state;
    enum { PER = 7, N = 7 * 3 + 2 };   /* 4 slabs, the last partly handed out */
    sim_pool p;
    sim_pool_init(&p, 24, PER);
    /* An empty pool has no slots. */
    visit v = { calloc(64, sizeof(void *)), 0, 64 };
    assert_non_null(v.seen);
    sim_pool_each(&p, record, &v);
    assert_int_equal(v.n, 0);

    void *obj[N];
    for (int i = 0; i < N; i++)
        obj[i] = sim_pool_get(&p);
    sim_pool_put(&p, obj[3]);
    sim_pool_put(&p, obj[10]);
    assert_int_equal(p.nslabs, 4);

    sim_pool_each(&p, record, &v);
    /* Every slot ever handed out, once, whether live or put back; none of the last slab's
     * slots that were never handed out (new slabs are not cleared: nothing may read them). */
    assert_int_equal(v.n, N);
    qsort(v.seen, v.n, sizeof(void *), ptr_cmp);
    for (size_t i = 1; i < v.n; i++)
        assert_true(v.seen[i] != v.seen[i - 1]);
    for (int i = 0; i < N; i++)
        assert_true(contains(v.seen, v.n, obj[i]));
    /* Slots put back are handed out again before the slab's unused ones. */
    assert_ptr_equal(sim_pool_get(&p), obj[10]);
    assert_ptr_equal(sim_pool_get(&p), obj[3]);
    void *fresh = sim_pool_get(&p);
    for (int i = 0; i < N; i++)
        assert_true(fresh != obj[i]);
    v.n = 0;
    sim_pool_each(&p, record, &v);
    assert_int_equal(v.n, N + 1);
    free(v.seen);
    sim_pool_fini(&p);
    assert_int_equal(p.nslabs, 0);
    assert_null(p.slabs);
}

static void test_fini_releases_all(void **state)
{
    (void)state;
    counter c = { 0, 0, 0, true, 0 };
    sim_alloc_set(counting_alloc, &c);
    sim_pool p;
    sim_pool_init(&p, 16, 2);
    for (int i = 0; i < 50; i++)
        assert_non_null(sim_pool_get(&p));
    /* 25 slabs plus the slab table. */
    assert_int_equal(p.nslabs, 25);
    assert_int_equal(c.live, 26);
    sim_pool_fini(&p);
    assert_int_equal(c.live, 0);
    sim_alloc_set(NULL, NULL);
}

static void test_grow_failure_keeps_pool_usable(void **state)
{
    (void)state;
    counter c = { 0, 0, 0, true, 0 };
    sim_alloc_set(counting_alloc, &c);
    sim_pool p;
    sim_pool_init(&p, 16, 2);
    void *a = sim_pool_get(&p), *b = sim_pool_get(&p);
    assert_non_null(a);
    assert_non_null(b);
    /* The next growth fails, whichever allocation (slab table or slab) it needs. */
    c.fail_at = c.calls + 1;
    assert_null(sim_pool_get(&p));
    assert_int_equal(p.live, 2);
    assert_int_equal(sim_pool_peak(&p), 2);
    assert_int_equal(p.nslabs, 1);
    /* Objects put back can still be handed out. */
    sim_pool_put(&p, a);
    assert_ptr_equal(sim_pool_get(&p), a);
    /* Once memory is back, growth works again. */
    c.fail_at = 0;
    void *d = sim_pool_get(&p);
    assert_non_null(d);
    assert_ptr_not_equal(d, a);
    assert_ptr_not_equal(d, b);
    assert_int_equal(p.nslabs, 2);
    assert_int_equal(p.live, 3);
    sim_pool_fini(&p);
    assert_int_equal(c.live, 0);
    sim_alloc_set(NULL, NULL);
}

/* sim_grow_cap doubles the capacity from 4 only when the count reaches it; sim_reserve makes room
 * for a known count in one allocation and never shrinks; a failed request leaves the array and
 * its capacity as they were. */
static void test_grow_cap_and_reserve(void **state)
{
    (void)state;
    counter c = { 0, 0, 0, false, 0 };
    sim_alloc_set(counting_alloc, &c);
    uint64_t *a = NULL;
    uint32_t n = 0, cap = 0;
    long calls = c.calls;
    for (; n < 9; n++) {
        assert_int_equal(sim_grow_cap((void **)&a, n, &cap, sizeof *a), 0);
        a[n] = n;
    }
    assert_int_equal(cap, 16);                /* 4, 8, 16 */
    assert_int_equal(c.calls - calls, 3);     /* one request per doubling */
    calls = c.calls;
    assert_int_equal(sim_reserve((void **)&a, &cap, 10, sizeof *a), 0);
    assert_int_equal(cap, 16);                /* room enough already: nothing asked */
    assert_int_equal(c.calls, calls);
    assert_int_equal(sim_reserve((void **)&a, &cap, 1000, sizeof *a), 0);
    assert_int_equal(cap, 1000);              /* exactly the count, at once */
    assert_int_equal(c.calls - calls, 1);
    for (uint32_t i = 0; i < n; i++)
        assert_int_equal(a[i], i);            /* the items moved with the array */
    calls = c.calls;
    for (; n < 1000; n++) {
        assert_int_equal(sim_grow_cap((void **)&a, n, &cap, sizeof *a), 0);
        a[n] = n;
    }
    assert_int_equal(c.calls, calls);         /* the reserved room was enough */
    c.fail_at = c.calls + 1;                  /* the next growth fails */
    uint64_t *before = a;
    assert_int_equal(sim_grow_cap((void **)&a, n, &cap, sizeof *a), -1);
    assert_ptr_equal(a, before);
    assert_int_equal(cap, 1000);
    assert_int_equal(sim_reserve((void **)&a, &cap, 5000, sizeof *a), 0);   /* memory is back */
    assert_int_equal(cap, 5000);
    assert_int_equal(a[999], 999);
    sim_free(a);
    assert_int_equal(c.live, 0);
    sim_alloc_set(NULL, NULL);
}

/* The peak is the most objects live at once, across slabs and after reuse. */
static void test_peak_across_slabs(void **state)
{
    (void)state;
    sim_pool p;
    sim_pool_init(&p, 24, 4);
    void *o[9];
    for (int i = 0; i < 9; i++)
        o[i] = sim_pool_get(&p);
    assert_int_equal(sim_pool_peak(&p), 9);
    assert_int_equal(p.nslabs, 3);
    for (int i = 0; i < 9; i++)
        sim_pool_put(&p, o[i]);
    for (int i = 0; i < 5; i++)
        o[i] = sim_pool_get(&p);
    assert_int_equal(p.live, 5);
    assert_int_equal(sim_pool_peak(&p), 9);
    for (int i = 5; i < 9; i++)
        o[i] = sim_pool_get(&p);
    (void)sim_pool_get(&p);   /* the tenth: a new slot */
    assert_int_equal(sim_pool_peak(&p), 10);
    sim_pool_fini(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_rounding),
        cmocka_unit_test(test_get_put_reuse),
        cmocka_unit_test(test_growth_across_slabs),
        cmocka_unit_test(test_peak_across_slabs),
        cmocka_unit_test(test_each_visits_every_slot),
        cmocka_unit_test(test_fini_releases_all),
        cmocka_unit_test(test_grow_failure_keeps_pool_usable),
        cmocka_unit_test(test_grow_cap_and_reserve),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
