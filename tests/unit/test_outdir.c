/* test_outdir: a set of files put in place all together or not at all (out/outdir). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/error.h"
#include "out/outdir.h"

static const char *const names[] = { "a.csv", "b.csv" };
static char root[64];

static int setup(void **state)
{
    (void)state;
    snprintf(root, sizeof root, "/tmp/test_outdir_XXXXXX");
    return mkdtemp(root) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    return system(cmd) == 0 ? 0 : -1;
}

static void put(const char *dir, const char *name, const char *text)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int holds(const char *dir, const char *name, const char *text)
{
    char p[512], buf[256] = "";
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "r");
    if (!f)
        return 0;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = 0;
    fclose(f);
    return !strcmp(buf, text);
}

/* Entries of root whose name has "tmp-" in it: staging directories left behind. */
static int leftovers(void)
{
    DIR *d = opendir(root);
    int n = 0;
    for (struct dirent *e; d && (e = readdir(d));)
        n += strstr(e->d_name, "tmp-") != NULL;
    if (d)
        closedir(d);
    return n;
}

/* Writes a set whose files hold `text` into target. */
static int write_set(const char *target, const char *text, sim_outdir *d)
{
    int rc = sim_outdir_open(d, target, names, 2);
    if (rc != SIM_OK)
        return rc;
    for (size_t i = 0; i < 2; i++) {
        char p[512];
        assert_int_equal(sim_outdir_path(d, names[i], p, sizeof p), SIM_OK);
        FILE *f = fopen(p, "w");
        assert_non_null(f);
        fputs(text, f);
        fclose(f);
    }
    return sim_outdir_commit(d);
}

static void test_new_then_replaced(void **state)
{
    (void)state;
    char target[128];
    snprintf(target, sizeof target, "%s/deep/out", root);   /* parents are made */
    sim_outdir d;
    assert_int_equal(write_set(target, "one", &d), SIM_OK);
    assert_true(holds(target, "a.csv", "one") && holds(target, "b.csv", "one"));
    put(target, "notes.txt", "mine");
    char sub[160];
    snprintf(sub, sizeof sub, "%s/charts", target);
    assert_int_equal(mkdir(sub, 0777), 0);
    assert_int_equal(write_set(target, "two", &d), SIM_OK);
    assert_true(holds(target, "a.csv", "two") && holds(target, "b.csv", "two"));
    assert_true(holds(target, "notes.txt", "mine"));   /* foreign entries stay */
    struct stat st;
    assert_int_equal(stat(sub, &st), 0);
    assert_int_equal(leftovers(), 0);
}

static void test_entry_in_the_way(void **state)
{
    (void)state;
    char target[128], in_way[160];
    snprintf(target, sizeof target, "%s/out2", root);
    sim_outdir d;
    assert_int_equal(write_set(target, "old", &d), SIM_OK);
    snprintf(in_way, sizeof in_way, "%s/b.csv", target);
    assert_int_equal(unlink(in_way), 0);
    assert_int_equal(mkdir(in_way, 0777), 0);
    assert_int_equal(write_set(target, "new", &d), SIM_EIO);
    assert_non_null(strstr(sim_outdir_error(&d), "b.csv' exists and is not a regular file"));
    assert_true(holds(target, "a.csv", "old"));   /* the old set is as it was */
    assert_int_equal(leftovers(), 0);
    sim_outdir_abort(&d);
}

static void test_abort_and_bad_targets(void **state)
{
    (void)state;
    char target[128];
    snprintf(target, sizeof target, "%s/out3", root);
    sim_outdir d;
    assert_int_equal(sim_outdir_open(&d, target, names, 2), SIM_OK);
    char p[512];
    assert_int_equal(sim_outdir_path(&d, "a.csv", p, sizeof p), SIM_OK);
    FILE *f = fopen(p, "w");   /* a file half written when the run is given up */
    assert_non_null(f);
    fputs("partial", f);
    fclose(f);
    assert_int_equal(leftovers(), 1);
    sim_outdir_abort(&d);
    sim_outdir_abort(&d);   /* twice is fine */
    assert_int_equal(leftovers(), 0);
    struct stat st;
    assert_true(stat(target, &st) != 0);   /* nothing appeared */

    snprintf(target, sizeof target, "%s/file", root);
    put(root, "file", "x");
    assert_int_equal(sim_outdir_open(&d, target, names, 2), SIM_EIO);
    assert_non_null(strstr(sim_outdir_error(&d), "file' exists and is not a directory"));
    snprintf(target, sizeof target, "%s/file/below", root);
    assert_int_equal(sim_outdir_open(&d, target, names, 2), SIM_EIO);
    assert_non_null(strstr(sim_outdir_error(&d), "file' exists and is not a directory"));
    assert_int_equal(sim_outdir_open(&d, "", names, 2), SIM_EIO);
    assert_non_null(strstr(sim_outdir_error(&d), "No such file or directory"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_new_then_replaced),
        cmocka_unit_test(test_entry_in_the_way),
        cmocka_unit_test(test_abort_and_bad_targets),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
