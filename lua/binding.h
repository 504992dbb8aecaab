/* binding: loads a Lua scenario in a sandbox and builds engine models from it.
 *
 * The scenario runs once, at load time, through the embedded prelude (lua/dessa/prelude.lua),
 * which validates it and leaves a normalised specification in the Lua state. Each replication
 * then builds a fresh sim_engine from that specification; Lua never runs during a simulation.
 * Every error message reads "file:line: message" (or "error: message" where no line applies). */
#ifndef DESSA_BINDING_H
#define DESSA_BINDING_H

#include <stddef.h>
#include <stdint.h>

#include "model/model.h"

typedef struct dessa_scenario dessa_scenario;

typedef struct dessa_override {
    const char *name, *value;   /* --set NAME=VALUE */
} dessa_override;

typedef struct dessa_load_opts {
    const dessa_override *overrides;
    size_t noverrides;
    uint64_t seed;              /* --seed, when has_seed */
    int has_seed;
    int unsafe;                 /* lift the sandbox */
    int quiet;                  /* drop the scenario's print output (copies loaded per thread) */
    int expand_sweep;           /* dessa sweep: expand sweep { } and --param into points */
    const dessa_override *sweep_params;   /* --param NAME=V1,V2,...: value is "V1,V2,..." */
    size_t nsweep_params;
} dessa_load_opts;

/* The contract for threads: a scenario may be loaded several times, once per worker thread, each
 * load with its own Lua state; distinct states share nothing, so builds run in parallel. */

/* Loads and validates a scenario. NULL on failure with the message in err. */
dessa_scenario *dessa_scenario_load(const char *path, const dessa_load_opts *opts, char *err,
                                    size_t errlen);
void dessa_scenario_free(dessa_scenario *sc);

/* The effective seed: --seed when given, else run { seed }, else 1. The scenario's math.random
 * was seeded with it (see docs/lua-api.md). */
uint64_t dessa_scenario_seed(const dessa_scenario *sc);

/* The run block: duration, warm-up, sample interval; *seed is set when the scenario gives one. */
void dessa_scenario_run_config(const dessa_scenario *sc, sim_config *cfg, int *has_seed);

/* Changes the time-series interval of the run block (dessa run --batches); sample > 0. */
void dessa_scenario_set_sample(dessa_scenario *sc, double sample);

/* Builds a model for (seed, rep). SIM_OK, or an error with "file:line: message" in err. */
int dessa_scenario_build(dessa_scenario *sc, uint64_t seed, uint64_t rep, sim_engine **out,
                         char *err, size_t errlen);

/* The parameters the scenario asked for, in call order: name and value as text. */
size_t dessa_scenario_nparams(const dessa_scenario *sc);
void dessa_scenario_param(const dessa_scenario *sc, size_t i, char *name, size_t nlen,
                          char *value, size_t vlen);

/* Parameter i with its type; the strings live as long as sc. */
typedef struct dessa_param {
    const char *name, *type;       /* type: "number", "string" or "boolean" */
    const char *value, *default_value;   /* as text */
    double num, default_num;       /* numbers: the value and the default */
} dessa_param;
int dessa_scenario_param_info(const dessa_scenario *sc, size_t i, dessa_param *out);

/* The points of the sweep, when loaded with expand_sweep: npoints rows of nnames values (the
 * text a --set would give), value j of point p at values[p * nnames + j]; reps is the sweep's
 * own reps (0 when it gives none). Valid while the scenario is. */
typedef struct dessa_sweep {
    size_t nnames, npoints;
    const char *const *names;
    const char *const *values;
    uint64_t reps;
} dessa_sweep;
void dessa_scenario_sweep(const dessa_scenario *sc, dessa_sweep *out);

#endif
