/* check: dessa check — load a scenario and build its model once, without running it. */
#include <stdio.h>

#include "cli.h"
#include "core/error.h"

int cli_check(const options *o)
{
    char err[1024];
    dessa_load_opts lo = cli_load_opts(o, 0);
    dessa_scenario *sc = dessa_scenario_load(o->scenario, &lo, err, sizeof err);
    if (!sc) {
        cli_print_error(err);
        return EXIT_MODEL;
    }
    sim_engine *e = NULL;
    int rc = dessa_scenario_build(sc, dessa_scenario_seed(sc), 0, &e, err, sizeof err);
    if (rc != SIM_OK)
        cli_print_error(err);
    else
        printf("%s: ok\n", o->scenario);
    sim_engine_free(e);
    dessa_scenario_free(sc);
    return rc == SIM_OK ? 0 : EXIT_MODEL;
}
