/* sample: the statistics window and the time series. At the warm-up every component kind resets
 * its window; every `sample` seconds each component fills one row, which goes to the sink set
 * with sim_engine_set_series (or, without one, into memory). One sampling event is in the
 * calendar at a time, and its times are multiples of the interval, so they do not drift. */
#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "model/engine.h"

extern const sim_kind_ops *const sim_kinds[];
extern const uint32_t sim_nkinds;

static void on_warmup(sim_engine *e, sim_event *ev)
{
    (void)ev;
    for (uint32_t k = 0; k < sim_nkinds; k++)
        for (uint32_t i = 0; i < sim_kinds[k]->count(e); i++)
            sim_kinds[k]->reset_window(e, i);
}

static int keep_row(sim_engine *e, const sim_series_row *row)
{
    if (e->nsamples == e->samples_cap) {
        size_t cap = e->samples_cap ? e->samples_cap * 2 : 64;
        sim_series_row *p = sim_realloc(e->samples, cap * sizeof *p);
        if (!p)
            return SIM_ENOMEM;
        e->samples = p;
        e->samples_cap = cap;
    }
    e->samples[e->nsamples++] = *row;
    return SIM_OK;
}

static void on_sample(sim_engine *e, sim_event *ev)
{
    double span = e->now - e->last_tick;
    for (uint32_t k = 0; k < sim_nkinds && span > 0; k++) {
        const sim_kind_ops *ops = sim_kinds[k];
        for (uint32_t i = 0; i < ops->count(e); i++) {
            sim_series_row row;
            memset(&row, 0, sizeof row);
            row.time = e->now;
            row.entity = ops->name_of(e, i);
            row.kind = ops->name;
            row.lag = NAN;
            row.lag_seconds = NAN;
            row.down = NAN;
            ops->sample(e, i, span, &row);
            int rc = e->series ? e->series(e->series_ud, &row) : keep_row(e, &row);
            if (rc != SIM_OK) {
                sim_engine_fail(e, rc, "the time series could not be written (%s)",
                                sim_strerror(rc));
                return;
            }
        }
    }
    e->last_tick = e->now;
    double next = e->cfg.sample * (double)++e->ticks;
    if (next <= e->cfg.duration * (1 + 1e-12))
        sim_engine_rearm(e, ev, next);
}

int sim_sample_start(sim_engine *e)
{
    if (e->cfg.warmup > 0 && !sim_engine_at(e, e->cfg.warmup, on_warmup, NULL, 0))
        return e->err;
    e->ticks = 1;
    if (!sim_engine_at(e, e->cfg.sample, on_sample, NULL, 0))
        return e->err;
    return SIM_OK;
}
