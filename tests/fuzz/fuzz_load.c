/* fuzz_load: a libFuzzer harness for the scenario loader (make fuzz, docs/testing.md).
 *
 * Each input is written to a scenario file, loaded with dessa_scenario_load, built for
 * replication 0 and, when it builds, run for at most FUZZ_SIM_SECONDS of simulated time. Every
 * object is freed, so LeakSanitizer sees a leak as a finding. Inputs that make dessa hang or
 * exhaust memory are reported by libFuzzer's -timeout and -rss_limit_mb. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "binding.h"
#include "model/internal.h"   /* only to shorten the run: cfg.duration */

#ifndef FUZZ_SIM_SECONDS
#define FUZZ_SIM_SECONDS 2.0
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
const char *__asan_default_options(void);

/* dessa reports a failed allocation as "out of memory"; let the sanitizer's allocator fail the
 * way malloc does (NULL) instead of aborting, and treat a single request above 4 GiB as one that
 * fails, so the out-of-memory paths are fuzzed rather than reported. */
const char *__asan_default_options(void)
{
    return "allocator_may_return_null=1:max_allocation_size_mb=4096";
}

static char scenario[256];

static void remove_scenario(void)
{
    unlink(scenario);
    char *slash = strrchr(scenario, '/');
    if (slash) {
        *slash = 0;
        rmdir(scenario);
    }
}

/* One directory per process, so relative CSV names resolve to nothing unless the input made it.
 * Under $TMPDIR when set (make fuzz points it into build-fuzz/: a process that libFuzzer kills
 * does not remove its directory). */
static int scenario_path(void)
{
    if (scenario[0])
        return 0;
    const char *tmpdir = getenv("TMPDIR");
    char dir[200];
    snprintf(dir, sizeof dir, "%s/dessa-fuzz-XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
    if (!mkdtemp(dir))
        return -1;
    snprintf(scenario, sizeof scenario, "%s/input.lua", dir);
    atexit(remove_scenario);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (scenario_path() != 0)
        abort();
    FILE *f = fopen(scenario, "wb");
    if (!f)
        abort();
    if (size && fwrite(data, 1, size, f) != size)
        abort();
    if (fclose(f) != 0)
        abort();

    char err[2048];
    dessa_load_opts opts = { .seed = 1, .has_seed = 1, .quiet = 1 };
    dessa_scenario *sc = dessa_scenario_load(scenario, &opts, err, sizeof err);
    if (!sc)
        return 0;
    sim_engine *e = NULL;
    if (dessa_scenario_build(sc, dessa_scenario_seed(sc), 0, &e, err, sizeof err) == 0 && e) {
        if (e->cfg.duration > FUZZ_SIM_SECONDS)
            e->cfg.duration = FUZZ_SIM_SECONDS;
        (void)sim_engine_run(e);
        (void)sim_engine_events(e);
    }
    sim_engine_free(e);
    dessa_scenario_free(sc);
    return 0;
}
