/* cause: names and meanings of the outcomes; see cause.h. */
#include "model/cause.h"

static const char *const columns[SIM_NCAUSES] = {
#define SIM_CAUSE_COLUMN(e, f, c, m) c,
    SIM_CAUSES(SIM_CAUSE_COLUMN)
#undef SIM_CAUSE_COLUMN
};

static const char *const meanings[SIM_NCAUSES] = {
#define SIM_CAUSE_MEANING(e, f, c, m) m,
    SIM_CAUSES(SIM_CAUSE_MEANING)
#undef SIM_CAUSE_MEANING
};

const char *sim_cause_column(sim_cause c)
{
    return (unsigned)c < SIM_NCAUSES ? columns[c] : "?";
}

const char *sim_cause_meaning(sim_cause c)
{
    return (unsigned)c < SIM_NCAUSES ? meanings[c] : "?";
}
