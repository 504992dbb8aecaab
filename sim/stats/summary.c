/* summary: per-cell statistics across replications; see summary.h. */
#include "stats/summary.h"

#include <math.h>

#include "core/alloc.h"
#include "core/error.h"
#include "stats/ci.h"

int sim_summary_init(sim_summary *s, size_t nrows, size_t ncols)
{
    s->nrows = nrows;
    s->ncols = ncols;
    s->cells = sim_calloc(nrows * ncols + 1, sizeof *s->cells);
    if (!s->cells) {
        s->nrows = s->ncols = 0;
        return SIM_ENOMEM;
    }
    for (size_t i = 0; i < nrows * ncols; i++)
        sim_tally_reset(&s->cells[i]);
    return SIM_OK;
}

void sim_summary_fini(sim_summary *s)
{
    sim_free(s->cells);
    s->cells = NULL;
    s->nrows = s->ncols = 0;
}

void sim_summary_add(sim_summary *s, size_t row, size_t col, double x)
{
    if (row < s->nrows && col < s->ncols && !isnan(x))
        sim_tally_add(&s->cells[row * s->ncols + col], x);
}

int sim_summary_merge(sim_summary *dst, const sim_summary *src)
{
    if (dst->nrows != src->nrows || dst->ncols != src->ncols)
        return SIM_EINVAL;
    for (size_t i = 0; i < src->nrows * src->ncols; i++)
        sim_tally_merge(&dst->cells[i], &src->cells[i]);
    return SIM_OK;
}

sim_summary_stat sim_summary_get(const sim_summary *s, size_t row, size_t col, double level)
{
    sim_summary_stat st = { 0, NAN, NAN, NAN };
    if (row >= s->nrows || col >= s->ncols)
        return st;
    const sim_tally *t = &s->cells[row * s->ncols + col];
    st.n = t->n;
    st.mean = sim_tally_mean(t);
    st.sd = sim_tally_sd(t);
    st.half = t->n > 1 ? sim_ci_t_halfwidth(t, level) : NAN;
    return st;
}
