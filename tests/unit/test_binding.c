/* test_binding: the Lua boundary (lua/binding.h) seen from C.
 *
 * - Out-of-memory injection through the whole dessa_scenario_load + dessa_scenario_build path
 *   of a scenario that uses schedules, bursty, mixtures, empirical values (inline and from a
 *   file), links, parallel and branch: the Nth allocation fails (alone, then with every later
 *   one), for every N until a load and build need no more than N - 1 allocations. Each attempt
 *   must end without abort, with no block left, and either succeed (Lua may recover from a
 *   transient failure by collecting garbage) or report "out of memory".
 * - The effective seed, the run block and params read back through the C API.
 * - Messages: located when the error has no position, control characters escaped; a UTF-8
 *   byte-order mark at the start of the scenario skipped.
 * - quiet loads and several threads loading and building the same scenario at once. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <lauxlib.h>
#include <lualib.h>

#include "binding.h"
#include "spec.h"
#include "core/alloc.h"
#include "core/error.h"

#include "counting_alloc.h"

static const char SCENARIO[] =
    "local n = param(\"n\", 3)\n"
    "link { latency = exp(ms(1)) }\n"
    "local db = service \"db\" { workers = 2, queue = 10, work = mixture {\n"
    "  { 0.9, exp(ms(5)) }, { 0.1, lognormal { median = ms(20), p99 = ms(90) } } } }\n"
    "local cache = service \"cache\" { work = empirical { 0.001, 0.002, 0.004 } }\n"
    "local web = service \"web\" { workers = n, discipline = \"priority\", replicas = 2,\n"
    "  endpoint \"page\" {\n"
    "    work(empirical { file = \"lat.csv\", column = \"t\" }),\n"
    "    parallel { call(db), { call(cache), sleep(ms(1)) }, join = \"any\" },\n"
    "    branch { { 0.7, call(cache) }, { 0.3, work(erlang(2, ms(4))) } },\n"
    "  } }\n"
    "link { from = web, to = db, latency = uniform(ms(1), ms(2)) }\n"
    "client \"day\" { target = web, arrivals = schedule { { 0, 5 }, { 10, 20 }, { 20, 1 } } }\n"
    "client \"burst\" { target = web.page, arrivals = bursty { rate = 50, on = exp(1),\n"
    "  off = exp(4) }, timeout = 2, priority = 1 }\n"
    "client \"users\" { target = \"web\", users = 3, think = hyperexp { mean = 1, scv = 4 } }\n"
    "run { duration = 30, warmup = 3, sample = 1, seed = 5 }\n";

static char dir[64], path[128];

static void write_file(const char *name, const char *text)
{
    char p[192];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/test_binding.XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    write_file("lat.csv", "t,other\n0.001,x\n0.003,y\n0.002,z\n");
    write_file("scenario.lua", SCENARIO);
    write_file("print.lua", "print(\"hello\", math.random(1000))\n"
                            "service \"web\" { work = exp(0.01) }\n"
                            "client \"c\" { target = \"web\", arrivals = poisson(1) }\n"
                            "run { duration = 10, seed = 3 }\n");
    snprintf(path, sizeof path, "%s/scenario.lua", dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char p[192];
    snprintf(p, sizeof p, "%s/lat.csv", dir);
    unlink(p);
    snprintf(p, sizeof p, "%s/print.lua", dir);
    unlink(p);
    unlink(path);
    rmdir(dir);
    return 0;
}

static const dessa_load_opts QUIET = { .quiet = 1 };

/* One load + build; returns SIM_OK, or SIM_ENOMEM when the message says out of memory, or
 * another code (a wrong message) with the message in err. */
static int load_and_build(char *err, size_t errlen)
{
    dessa_scenario *sc = dessa_scenario_load(path, &QUIET, err, errlen);
    if (!sc)
        return strstr(err, "out of memory") ? SIM_ENOMEM : SIM_ELUA;
    sim_engine *e = NULL;
    int rc = dessa_scenario_build(sc, dessa_scenario_seed(sc), 0, &e, err, errlen);
    sim_engine_free(e);
    dessa_scenario_free(sc);
    if (rc != SIM_OK && !strstr(err, "out of memory"))
        return SIM_ELUA;
    return rc;
}

/* Every allocation of the last TAIL ones (the scenario, finish, the SPEC reader and the
 * build) is failed; before that (the Lua libraries and the prelude's compilation, the same
 * parser paths again and again) every STRIDE-th one, unless DESSA_OOM_STRIDE says otherwise
 * (DESSA_OOM_STRIDE=1: every allocation, a few minutes). */
#define TAIL 2000
#define STRIDE 10

static void sweep(bool sticky)
{
    long n, problems = 0, failed = 0, recovered = 0, tried = 0;
    const char *env = getenv("DESSA_OOM_STRIDE");
    long stride = env && atol(env) > 0 ? atol(env) : STRIDE;
    counter clean = { 0, 0, 0, false, 0 };
    char err0[1024];
    sim_alloc_set(counting_alloc, &clean);
    int rc0 = load_and_build(err0, sizeof err0);
    sim_alloc_set(NULL, NULL);
    if (rc0 != SIM_OK)
        fail_msg("%s", err0);
    long total = clean.calls;
    for (n = 1; n < 1000000; n++) {
        if (n <= total - TAIL && n % stride != (sticky ? 2 % stride : 0))
            continue;
        tried++;
        counter cnt = { 0, 0, n, sticky, 0 };
        char err[1024] = "";
        sim_alloc_set(counting_alloc, &cnt);
        int rc = load_and_build(err, sizeof err);
        sim_alloc_set(NULL, NULL);
        if (cnt.live != 0) {
            problems++;
            print_error("allocation %ld failed%s: %ld block(s) leaked (%s)\n", n,
                        sticky ? " (and all after)" : "", cnt.live, err);
        }
        if (cnt.injected == 0) {
            if (rc != SIM_OK) {
                problems++;
                print_error("no failure injected (%ld allocations) but: %s\n", cnt.calls, err);
            }
            break;
        }
        if (rc == SIM_ELUA) {
            problems++;
            print_error("allocation %ld failed%s: not an out-of-memory message: %s\n", n,
                        sticky ? " (and all after)" : "", err);
        }
        failed += rc == SIM_ENOMEM;
        recovered += rc == SIM_OK;
        if (problems > 20)
            break;
    }
    print_message("%s: %ld allocations, %ld attempts (every %ld-th, then all of the last %d), "
                  "%ld reported out of memory, %ld recovered\n",
                  sticky ? "fail from N on" : "fail the Nth", total, tried, stride, TAIL, failed,
                  recovered);
    assert_int_equal(problems, 0);
    assert_true(n < 1000000);
    assert_true(failed > 100);
}

static void test_oom_fail_nth(void **state)
{
    (void)state;
    sweep(false);
}

static void test_oom_fail_from_nth(void **state)
{
    (void)state;
    sweep(true);
}

static void test_seed_run_params(void **state)
{
    (void)state;
    char err[1024], name[64], value[64];
    dessa_override set = { "n", "4" };
    dessa_load_opts o = { .overrides = &set, .noverrides = 1, .quiet = 1 };
    dessa_scenario *sc = dessa_scenario_load(path, &o, err, sizeof err);
    if (!sc)
        fail_msg("%s", err);
    assert_int_equal(dessa_scenario_seed(sc), 5);   /* run { seed = 5 } */
    sim_config cfg;
    int has_seed;
    dessa_scenario_run_config(sc, &cfg, &has_seed);
    assert_true(has_seed);
    assert_int_equal(cfg.seed, 5);
    assert_true(cfg.duration == 30 && cfg.warmup == 3 && cfg.sample == 1);
    assert_int_equal(dessa_scenario_nparams(sc), 1);
    dessa_scenario_param(sc, 0, name, sizeof name, value, sizeof value);
    assert_string_equal(name, "n");
    assert_string_equal(value, "4");
    dessa_scenario_free(sc);

    o.seed = 9;
    o.has_seed = 1;
    sc = dessa_scenario_load(path, &o, err, sizeof err);
    assert_non_null(sc);
    assert_int_equal(dessa_scenario_seed(sc), 9);   /* --seed wins */
    dessa_scenario_free(sc);
}

/* The scenario's print output while loading print.lua with the given options (stderr is
 * redirected to a file for the call). */
static void captured_print(const dessa_load_opts *o, char *buf, size_t len)
{
    char p[192], err[1024];
    snprintf(p, sizeof p, "%s/print.lua", dir);
    FILE *tmp = tmpfile();
    assert_non_null(tmp);
    fflush(stderr);
    int saved = dup(2);
    dup2(fileno(tmp), 2);
    dessa_scenario *sc = dessa_scenario_load(p, o, err, sizeof err);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    assert_non_null(sc);
    dessa_scenario_free(sc);
    rewind(tmp);
    size_t n = fread(buf, 1, len - 1, tmp);
    buf[n] = 0;
    fclose(tmp);
}

/* quiet drops print output; without --seed the output of the first load (seed 1) is dropped
 * when run { seed = 3 } calls for a second one, so it appears once, drawn with seed 3. */
static void test_print_quiet_and_reload(void **state)
{
    (void)state;
    char quiet[256], plain[256], seeded[256];
    dessa_load_opts o = { .quiet = 1 };
    captured_print(&o, quiet, sizeof quiet);
    assert_string_equal(quiet, "");
    o.quiet = 0;
    captured_print(&o, plain, sizeof plain);
    o.seed = 3;
    o.has_seed = 1;
    captured_print(&o, seeded, sizeof seeded);
    assert_true(!strncmp(plain, "[scenario] hello\t", 17));
    assert_string_equal(plain, seeded);
}

/* Several threads, each with its own load of the scenario, build and run at once. */
typedef struct job {
    int rc;
    uint64_t events;
    char err[1024];
} job;

static void *worker(void *arg)
{
    job *j = arg;
    dessa_scenario *sc = dessa_scenario_load(path, &QUIET, j->err, sizeof j->err);
    if (!sc) {
        j->rc = SIM_ELUA;
        return NULL;
    }
    for (uint64_t rep = 0; rep < 3 && j->rc == SIM_OK; rep++) {
        sim_engine *e = NULL;
        j->rc = dessa_scenario_build(sc, 5, rep, &e, j->err, sizeof j->err);
        if (j->rc == SIM_OK)
            j->rc = sim_engine_run(e);
        if (j->rc == SIM_OK)
            j->events += sim_engine_events(e);
        sim_engine_free(e);
    }
    dessa_scenario_free(sc);
    return NULL;
}

static void test_threads(void **state)
{
    (void)state;
    enum { N = 4 };
    pthread_t th[N];
    job jobs[N];
    memset(jobs, 0, sizeof jobs);
    for (int i = 0; i < N; i++)
        assert_int_equal(pthread_create(&th[i], NULL, worker, &jobs[i]), 0);
    for (int i = 0; i < N; i++)
        pthread_join(th[i], NULL);
    for (int i = 0; i < N; i++) {
        if (jobs[i].rc != SIM_OK)
            fail_msg("thread %d: %s", i, jobs[i].err);
        assert_true(jobs[i].events > 0);
        assert_true(jobs[i].events == jobs[0].events);   /* same seed, same model */
    }
}

/* Loads a one-file scenario written from text; returns the message (empty on success). */
static void load_text(const char *name, const char *text, char *err, size_t errlen)
{
    char p[192];
    write_file(name, text);
    snprintf(p, sizeof p, "%s/%s", dir, name);
    err[0] = 0;
    dessa_scenario *sc = dessa_scenario_load(p, &QUIET, err, errlen);
    if (sc)
        err[0] = 0;
    dessa_scenario_free(sc);
    unlink(p);
}

/* Messages made by the binding: a message without a position gets the scenario's file and
 * line; control characters are escaped; a byte-order mark at the start is skipped. */
static void test_messages(void **state)
{
    (void)state;
    char err[1024], want[256];
    load_text("pos.lua", "local x = 1\nerror(\"boom\", 0)\n", err, sizeof err);
    snprintf(want, sizeof want, "%s/pos.lua:2: boom", dir);
    assert_string_equal(err, want);
    load_text("esc.lua", "error(\"\\27[31mred\\nnext\")\n", err, sizeof err);
    snprintf(want, sizeof want, "%s/esc.lua:1: \\27[31mred\\nnext", dir);
    assert_string_equal(err, want);
    load_text("bom.lua", "\xEF\xBB\xBFservice \"web\" { work = exp(0.01) }\n"
                         "client \"c\" { target = \"web\", arrivals = poisson(1) }\n"
                         "run { duration = 10 }\n", err, sizeof err);
    assert_string_equal(err, "");
    load_text("bom2.lua", "local x = 1 \xEF\xBB\xBF\n", err, sizeof err);
    assert_non_null(strstr(err, "bom2.lua:1:"));
    assert_null(strchr(err, '\n'));
}

/* spec_read on the SPEC that the Lua chunk `src` returns, in a protected call; the error's text
 * in err ("" when the SPEC was read). */
static int spec_read_protected(lua_State *L)
{
    spec *sp = lua_touserdata(L, 2);
    spec_read(L, 1, sp);
    return 0;
}

static void read_spec_text(const char *src, char *err, size_t errlen)
{
    lua_State *L = luaL_newstate();
    assert_non_null(L);
    spec sp;
    memset(&sp, 0, sizeof sp);
    lua_pushcfunction(L, spec_read_protected);
    assert_int_equal(luaL_loadstring(L, src), LUA_OK);
    assert_int_equal(lua_pcall(L, 0, 1, 0), LUA_OK);
    lua_pushlightuserdata(L, &sp);
    err[0] = 0;
    if (lua_pcall(L, 2, 0, 0) != LUA_OK)
        snprintf(err, errlen, "%s", lua_tostring(L, -1));
    spec_free(&sp);
    lua_close(L);
}

/* The SPEC reader (the contract between the prelude and C) refuses a record's fields in the
 * rules' order whatever the table's order: an unknown field first, then for each rule a missing
 * required field or a value of the wrong type or range. */
static void test_spec_refusals(void **state)
{
    (void)state;
    char err[512];
#define TOP(run) "return { params = {}, link = {}, links = {}, services = {}, clients = {}, " \
                 "run = " run " }"
    read_spec_text(TOP("{ where = 's.lua:9', duration = 'x', sample = 1 }"), err, sizeof err);
    assert_string_equal(err, "s.lua:9: run: field 'duration' must be a number");
    read_spec_text(TOP("{ where = 's.lua:9', duration = -1, sample = 0 }"), err, sizeof err);
    assert_string_equal(err, "s.lua:9: run: field 'duration' must be a positive number of at "
                             "most 1e10 s, got -1");
    read_spec_text(TOP("{ where = 's.lua:9', duration = 5, warmup = 1, sample = 0 }"), err,
                   sizeof err);
    assert_string_equal(err, "s.lua:9: run: field 'sample' must be a positive number, got 0");
    read_spec_text(TOP("{ where = 's.lua:9', sample = 'y', seed = 1.5 }"), err, sizeof err);
    assert_string_equal(err, "s.lua:9: run: field 'duration' is missing from the specification");
    read_spec_text(TOP("{ where = 's.lua:9', duration = 5, warmup = 0, sample = 1, seed = 1.5 }"),
                   err, sizeof err);
    assert_string_equal(err, "s.lua:9: run: field 'seed' must be a non-negative integer, got 1.5");
    read_spec_text(TOP("{ where = 's.lua:9', duration = 'x', colour = 1 }"), err, sizeof err);
    assert_string_equal(err, "s.lua:9: run: unknown field 'colour' in the specification");
    read_spec_text(TOP("{ where = 7 }"), err, sizeof err);
    assert_string_equal(err, "error: run: field 'where' must be a string");
#undef TOP
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seed_run_params),
        cmocka_unit_test(test_messages),
        cmocka_unit_test(test_threads),
        cmocka_unit_test(test_print_quiet_and_reload),
        cmocka_unit_test(test_oom_fail_nth),
        cmocka_unit_test(test_oom_fail_from_nth),
        cmocka_unit_test(test_spec_refusals),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
