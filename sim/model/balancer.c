/* balancer: which replica of a service gets the next call — round robin, random, least
 * outstanding (fewest calls picked and not yet answered, over all callers; ties go round robin)
 * or power of two choices. A balancer knows which replicas are down (a health check): a pick
 * that falls on one moves on to the next replica that is up, in replica order; with every
 * replica down the call goes to the one picked (and is refused or unanswered there). */
#include "model/service.h"

static sim_instance *pick(sim_service *s, uint32_t n);

sim_instance *sim_balancer_pick_among_(sim_service *s)
{
    uint32_t n = s->cfg.replicas;
    sim_instance *in = pick(s, n);
    if (SIM_UNLIKELY(in->down) && s->ndown < n) {
        uint32_t i = in->index;
        do
            i = i + 1 == n ? 0 : i + 1;
        while (s->inst[i].down);
        in = &s->inst[i];
    }
    return in;
}

static sim_instance *pick(sim_service *s, uint32_t n)
{
    switch (s->cfg.balancer) {
    case SIM_LB_ROUND_ROBIN:
        return &s->inst[s->rr++ % n];
    case SIM_LB_RANDOM:
        return &s->inst[sim_rng_below(&s->rng_lb, n)];
    case SIM_LB_LEAST_OUTSTANDING: {
        uint32_t start = s->rr++ % n, best = start;
        for (uint32_t k = 1; k < n; k++) {
            uint32_t i = (start + k) % n;
            if (s->inst[i].outstanding < s->inst[best].outstanding)
                best = i;
        }
        return &s->inst[best];
    }
    case SIM_LB_POWER_OF_TWO: {
        uint32_t a = (uint32_t)sim_rng_below(&s->rng_lb, n);
        uint32_t b = (uint32_t)sim_rng_below(&s->rng_lb, n - 1);
        if (b >= a)
            b++;
        return s->inst[b].outstanding < s->inst[a].outstanding ? &s->inst[b] : &s->inst[a];
    }
    }
    return &s->inst[0];
}
