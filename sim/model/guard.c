/* guard: a service's own defences, checked as each request arrives — a rate limit (a token
 * bucket shared by its replicas), load shedding by queue length, and the deadlines requests
 * carry from their clients' timeouts (also checked when a queued request would get a worker,
 * in service.c). A service without guards has none allocated and pays one test per arrival. */
#include <math.h>

#include "core/alloc.h"
#include "core/error.h"
#include "model/engine.h"

int sim_service_set_guard(sim_engine *e, uint32_t service, const sim_guard_config *cfg)
{
    if (e->ran)
        return SIM_ESTATE;
    int rate_ok = cfg->rate == 0 ||
                  (cfg->rate > 0 && cfg->rate < INFINITY && cfg->burst >= 1 &&
                   cfg->burst < INFINITY);
    if (service >= e->nsvcs || !rate_ok || cfg->shed_queue < -1)
        return SIM_EINVAL;
    sim_service *s = &e->svcs[service];
    if (!s->guard && !(s->guard = sim_calloc(1, sizeof *s->guard)))
        return SIM_ENOMEM;
    s->guard->cfg = *cfg;
    s->guard->tokens = cfg->burst;   /* the bucket starts full */
    s->guard->last = 0;
    return SIM_OK;
}

/* The token bucket: filled at `rate` up to `burst` since it was last looked at; an arrival
 * takes a token when there is a whole one. */
static int bucket_take(sim_guard *g, double now)
{
    g->tokens += (now - g->last) * g->cfg.rate;
    if (g->tokens > g->cfg.burst)
        g->tokens = g->cfg.burst;
    g->last = now;
    if (g->tokens >= 1) {
        g->tokens -= 1;
        return 1;
    }
    return 0;
}

sim_cause sim_guard_arrival(sim_engine *e, sim_guard *g, sim_instance *in, const sim_req *r)
{
    const sim_guard_config *c = &g->cfg;
    if (c->shed_expired && e->now >= r->deadline)
        return SIM_CAUSE_EXPIRED;   /* before the bucket: it would waste a token */
    if (c->rate > 0 && !bucket_take(g, e->now))
        return SIM_CAUSE_RATE_LIMITED;
    int waits = !(in->busy < in->svc->threads && sim_waitq_len(&in->q) == 0);
    if (c->shed_queue >= 0 && waits && sim_waitq_len(&in->q) >= (uint64_t)c->shed_queue)
        return SIM_CAUSE_SHED;
    return SIM_CAUSE_OK;
}
