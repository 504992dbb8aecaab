/* capacity: the static load of a model (visits, demands, utilization); see capacity.h. */
#include "model/capacity.h"
#include "model/broker.h"

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/check.h"
#include "core/error.h"
#include "model/host.h"
#include "model/internal.h"

#define PASSES 60            /* fixed-point passes at most (queueing estimates, closed bounds) */
#define FORK_EXACT_MAX 32    /* forks wider than this take the largest mean as their duration */
#define WORK_BUDGET 2e8      /* elementary steps of the passes: more, and they stop converging */
#define BD_LOOP_MAX 2000000  /* birth-death sums longer than this are treated as no wait */

typedef sim_cap_call edge;

typedef struct ctx {
    const sim_engine *e;
    sim_capacity *c;
    size_t neps;
    uint32_t *ep_service;    /* the service of each endpoint */
    /* call edges, CSR: edges[estart[i] .. estart[i + 1]) leave endpoint i */
    edge *edges;
    size_t nedges;
    size_t *estart;
    uint32_t *order;         /* callee-first (every endpoint after the ones it calls) */
    uint32_t *pos;           /* pos[i]: i's place in order */
    /* per endpoint: the current response estimate (mean, variance), and R without queueing */
    double *rmean, *rvar, *r0;
    double *ext, *ext_peak;  /* external arrivals per second (open mean, open peak + closed) */
    double *rvar_scratch;    /* propagate's second scratch (the largest contributor at peak) */
    double *scratch;         /* a closed client's visits */
    /* per service: wait for a thread per acquisition (mean, variance), stretch of work */
    double *wq, *wqvar, *stretch, *host_stretch;
    uint8_t *saturated;      /* per service: its threads are busy all the time (no estimate) */
    /* per resource: the closed clients' load divided by their populations. A request of a
     * closed client finds the system as its N - 1 fellows leave it (the arrival theorem), so
     * the queue it meets is that much shorter than an open arrival's (Bard-Schweitzer). */
    double *closed_disc, *demand;
    double *rl;              /* scratch of 4 x (resources + hosts) */
    uint32_t *rtop;          /* scratch of 2 x resources */
    int64_t *res_threads, *res_cores, *res_host;   /* resource index of each, or -1 */
    int nominal;             /* a pass without queueing (for D and R0) */
    double work;             /* elementary steps done so far (against WORK_BUDGET) */
    /* links sorted by their pair of names */
    struct link_key *links;
    uint32_t cur;            /* graph_build: the endpoint being walked */
    struct pub_site {        /* publishes to partitioned topics: per visit of endpoint from */
        uint32_t from, broker;
        double w;
        const sim_key *key;
    } *pubs;
    size_t npubs;
} ctx;

typedef struct seq_stat {
    double t, v;             /* elapsed time: mean and variance */
    double hold, seg, cpu;
} seq_stat;

/* ---- links -------------------------------------------------------------------------- */

typedef struct link_key {
    const char *lo, *hi;     /* the pair's names, in order */
    uint32_t index;
} link_key;

static int pair_cmp(const char *a1, const char *b1, const char *a2, const char *b2)
{
    int c = strcmp(a1, a2);
    return c ? c : strcmp(b1, b2);
}

static int link_order(const void *x, const void *y)
{
    const link_key *a = x, *b = y;
    int c = pair_cmp(a->lo, a->hi, b->lo, b->hi);
    return c ? c : a->index < b->index ? -1 : a->index > b->index;
}

static int links_sort(ctx *x)
{
    const sim_engine *e = x->e;
    if (e->nlinks == 0)
        return SIM_OK;
    x->links = sim_calloc(e->nlinks, sizeof *x->links);
    if (!x->links)
        return SIM_ENOMEM;
    for (uint32_t i = 0; i < e->nlinks; i++) {
        const sim_link *l = &e->links[i];
        int c = strcmp(l->a, l->b) <= 0;
        x->links[i] = (link_key){ c ? l->a : l->b, c ? l->b : l->a, i };
    }
    qsort(x->links, e->nlinks, sizeof *x->links, link_order);
    return SIM_OK;
}

/* The latency law of a hop between the entities named a and b (the last link for the pair, else
 * the default); NULL for none. */
static const sim_dist *link_between(const ctx *x, const char *a, const char *b)
{
    const sim_engine *e = x->e;
    const char *lo = strcmp(a, b) <= 0 ? a : b, *hi = lo == a ? b : a;
    size_t l = 0, h = e->nlinks;   /* the first link whose pair is > (lo, hi) */
    while (l < h) {
        size_t m = (l + h) / 2;
        if (pair_cmp(x->links[m].lo, x->links[m].hi, lo, hi) <= 0)
            l = m + 1;
        else
            h = m;
    }
    if (l > 0 && !pair_cmp(x->links[l - 1].lo, x->links[l - 1].hi, lo, hi))
        return e->links[x->links[l - 1].index].latency;
    return e->default_link.latency;
}

static double dmean(const sim_dist *d) { return d ? sim_dist_mean(d) : 0.0; }
static double dvar(const sim_dist *d)
{
    double v = d ? sim_dist_var(d) : 0.0;
    return isfinite(v) ? v : 0.0;
}

/* ---- queueing estimates -------------------------------------------------------------- */

/* The mean number in a birth-death queue with offered load a (arrival rate x mean service) and
 * c servers (c may be fractional: with n present, the service rate is min(n, c) / mean): the
 * M/M/c queue for threads, and processor sharing on c cores, whose number present follows the
 * same chain. INFINITY when a >= c. */
static double bd_mean(double a, double c)
{
    if (!(a > 0))
        return 0.0;
    if (!(a < c))
        return INFINITY;
    if (c >= (double)SIM_WORKERS_INF || (c > BD_LOOP_MAX && a < c / 2))
        return a;
    double rho = a / c;
    double term = 1.0, sum = 1.0, nsum = 0.0;
    double n0 = ceil(c);
    if (n0 > BD_LOOP_MAX)
        return a;
    for (double n = 1; n < n0; n++) {
        term *= a / n;
        sum += term;
        nsum += n * term;
        if (term > 1e200) {
            term *= 1e-200;
            sum *= 1e-200;
            nsum *= 1e-200;
        }
        if (n > a + 50 * sqrt(a) + 50 && term < 1e-300 * sum)
            return nsum / sum;   /* the rest is negligible */
    }
    term *= a / c;   /* n0: the first state with every server busy (rate c) */
    sum += term / (1 - rho);
    nsum += term * (n0 / (1 - rho) + rho / ((1 - rho) * (1 - rho)));
    return nsum / sum;
}

/* Order statistics of independent durations given by mean and variance (each taken as a gamma
 * law, or a constant when its variance is nil): the k-th smallest of n, mean and variance. */
static double os_cdf(double m, double v, double t)
{
    if (!(m > 0))
        return 1.0;
    if (!(v > 1e-12 * m * m))
        return t >= m ? 1.0 : 0.0;
    return gsl_cdf_gamma_P(t, m * m / v, v / m);
}

static void order_stat(const double *m, const double *v, uint32_t n, uint32_t k, double *om,
                       double *ov)
{
    if (n == 1) {
        *om = m[0];
        *ov = v[0];
        return;
    }
    double hi = 0, maxm = 0;
    int random = 0;
    for (uint32_t i = 0; i < n; i++) {
        double h = m[i] + 20 * sqrt(v[i]);
        hi = h > hi ? h : hi;
        maxm = m[i] > maxm ? m[i] : maxm;
        random |= v[i] > 1e-12 * m[i] * m[i];
    }
    if (n > FORK_EXACT_MAX || !(hi > 0)) {
        *om = maxm;
        *ov = 0;
        return;
    }
    if (!random) {   /* constants: the k-th smallest value */
        double *s = malloc(n * sizeof *s);
        if (!s) {
            *om = maxm;
            *ov = 0;
            return;
        }
        memcpy(s, m, n * sizeof *s);
        for (uint32_t i = 1; i < n; i++)
            for (uint32_t j = i; j > 0 && s[j - 1] > s[j]; j--) {
                double t = s[j];
                s[j] = s[j - 1];
                s[j - 1] = t;
            }
        *om = s[k - 1];
        *ov = 0;
        free(s);
        return;
    }
    /* E[X] = int P(X > t) dt, E[X^2] = int 2t P(X > t) dt; P(X_(k) > t) = P(fewer than k of
     * the n are done by t), a Poisson-binomial sum. */
    enum { STEPS = 500 };
    double p[FORK_EXACT_MAX + 1];
    double dt = hi / STEPS, e1 = 0, e2 = 0;
    for (int s = 0; s <= STEPS; s++) {
        double t = s * dt;
        for (uint32_t j = 0; j <= n; j++)
            p[j] = j == 0;
        for (uint32_t i = 0; i < n; i++) {
            double f = os_cdf(m[i], v[i], t);
            for (uint32_t j = i + 1; j > 0; j--)
                p[j] = p[j] * (1 - f) + p[j - 1] * f;
            p[0] *= 1 - f;
        }
        double surv = 0;
        for (uint32_t j = 0; j < k; j++)
            surv += p[j];
        double w = s == 0 || s == STEPS ? 0.5 : 1.0;
        e1 += w * surv * dt;
        e2 += w * 2 * t * surv * dt;
    }
    *om = e1;
    *ov = e2 - e1 * e1 > 0 ? e2 - e1 * e1 : 0;
}

/* ---- the programs ------------------------------------------------------------------- */

static int edge_add(ctx *x, uint32_t to, double count)
{
    if (x->nedges >= UINT32_MAX ||
        sim_grow((void **)&x->edges, (uint32_t)x->nedges, sizeof *x->edges) != 0)
        return SIM_ENOMEM;
    x->edges[x->nedges++] = (edge){ to, count };
    return SIM_OK;
}

/* Collects the calls of the sequence at pc with weight w; returns where it ended (the target of
 * an arm's closing jump, or the address of its end), or SIM_PC_NONE on ENOMEM. */
/* w messages a second published to broker `broker`. Every group of the broker gets every
 * message; in a group, the members (the subscribed services) take turns. A message is a visit
 * to the consumer's endpoint that no thread of the publisher waits for (docs/model.md,
 * "Overload"); at least once, a consumer endpoint failing with its error_rate q is visited
 * (1 - q^n) / (1 - q) times a message (n = max_deliveries; 1 / (1 - q) without), and the
 * fraction q^n goes on to the dead-letter broker. Redeliveries after visibility timeouts and
 * failures from further down are not known before the run. */
static int publish_load(ctx *x, uint32_t broker, double w, uint32_t depth)
{
    const struct sim_broker *b = &x->e->brokers[broker];
    for (uint32_t g = 0; g < b->ngroups; g++) {
        const sim_group *gr = &b->groups[g];
        for (uint32_t m = 0; m < gr->nmembers; m++) {
            const sim_member *mb = &gr->members[m];
            double v = w / gr->nmembers, q = x->e->svcs[mb->service].eps[mb->endpoint].error_rate;
            double visits = 1, rest = 0;   /* deliveries a message; fraction dead-lettered */
            if (!mb->at_most_once && q > 0) {
                uint32_t n = mb->max_deliveries;
                rest = n ? pow(q, n) : 0;
                visits = n ? (q < 1 ? (1 - rest) / (1 - q) : n) : (q < 1 ? 1 / (1 - q) : INFINITY);
            }
            if (edge_add(x, x->c->first[mb->service] + mb->endpoint, v * visits) != SIM_OK)
                return SIM_ENOMEM;
            /* a cycle of dead-letter brokers thins out by q^n a turn: stop when negligible */
            if (mb->dead_letter && v * rest > 1e-12 * w && depth < 64 &&
                publish_load(x, mb->dead_letter - 1, v * rest, depth + 1) != SIM_OK)
                return SIM_ENOMEM;
        }
    }
    return SIM_OK;
}

/* Where a call at pc goes on when it succeeds: past the jump over its fallback, if it has one
 * (a fallback runs only when the call fails; the static load counts calls that succeed). */
static uint32_t after_call(const sim_endpoint *ep, uint32_t pc)
{
    const sim_op *op = &ep->ops[pc];
    if (op->fail_pc == pc + 2 && ep->ops[pc + 1].code == SIM_OP_JUMP)
        return ep->ops[pc + 1].target;
    return pc + 1;
}

static uint32_t walk_calls(ctx *x, const sim_endpoint *ep, uint32_t pc, double w)
{
    for (;;) {
        const sim_op *op = &ep->ops[pc];
        switch ((sim_opcode)op->code) {
        case SIM_OP_WORK:
        case SIM_OP_IO:
        case SIM_OP_SLEEP:
            pc++;
            break;
        case SIM_OP_CALL:
            if (w > 0 && edge_add(x, x->c->first[op->target] + op->endpoint, w) != SIM_OK)
                return SIM_PC_NONE;
            pc = after_call(ep, pc);
            break;
        case SIM_OP_PUBLISH:
            if (w > 0 && publish_load(x, op->target, w, 0) != SIM_OK)
                return SIM_PC_NONE;
            if (w > 0 && x->e->brokers[op->target].cfg.partitions) {
                if (sim_grow((void **)&x->pubs, x->npubs, sizeof *x->pubs) != 0)
                    return SIM_PC_NONE;
                x->pubs[x->npubs++] = (struct pub_site){ x->cur, op->target, w, op->key };
            }
            pc++;
            break;
        case SIM_OP_REQUEST:
            if (w > 0 && publish_load(x, op->target, w, 0) != SIM_OK)
                return SIM_PC_NONE;
            pc = after_call(ep, pc);
            break;
        case SIM_OP_REPLY:
            pc++;
            break;
        case SIM_OP_FORK:
            for (uint32_t i = 0; i < op->n; i++)
                if (walk_calls(x, ep, op->targets[i], w) == SIM_PC_NONE)
                    return SIM_PC_NONE;
            pc = op->targets[op->n];
            break;
        case SIM_OP_CHOOSE: {
            uint32_t next = pc + 1;
            for (uint32_t i = 0; i < op->n; i++) {
                double p = op->cum[i] - (i ? op->cum[i - 1] : 0.0);
                next = walk_calls(x, ep, op->targets[i], w * p);
                if (next == SIM_PC_NONE)
                    return SIM_PC_NONE;
            }
            pc = next;
            break;
        }
        case SIM_OP_JUMP:
            return op->target;
        case SIM_OP_BRANCH_END:
        case SIM_OP_RETURN:
        default:
            return pc;
        }
    }
}

/* The mean and variance of a call's whole wait, seen by its caller in service s: the link
 * there, the callee's response, the link back. */
static void call_time(const ctx *x, uint32_t s, const sim_op *op, double *m, double *v)
{
    const sim_engine *e = x->e;
    const sim_dist *l = link_between(x, e->svcs[s].name, e->svcs[op->target].name);
    uint32_t to = x->c->first[op->target] + op->endpoint;
    *m = 2 * dmean(l) + (x->nominal ? x->r0[to] : x->rmean[to]);
    *v = 2 * dvar(l) + (x->nominal ? 0.0 : x->rvar[to]);
}

/* The same for a request to a queue, as far as the static model can see it: the links to the
 * queue, to its first consumer and back (through the reply queue, if any), that consumer's
 * response (its wait in the queue is not counted), at most the timeout. */
static void request_time(const ctx *x, uint32_t s, const sim_op *op, double *m, double *v)
{
    const sim_engine *e = x->e;
    const sim_broker *b = &e->brokers[op->target];
    const char *me = e->svcs[s].name;
    const sim_dist *to = link_between(x, me, b->name);
    *m = dmean(to);
    *v = dvar(to);
    const char *back_from = me;
    if (b->ngroups && b->groups[0].nmembers) {
        const sim_member *mb = &b->groups[0].members[0];
        const char *cn = e->svcs[mb->service].name;
        uint32_t c = x->c->first[mb->service] + mb->endpoint;
        const sim_dist *in = link_between(x, b->name, cn);
        *m += dmean(in) + (x->nominal ? x->r0[c] : x->rmean[c]);
        *v += dvar(in) + (x->nominal ? 0.0 : x->rvar[c]);
        back_from = cn;
    }
    const sim_dist *back;
    if (op->reply_to) {
        const char *q = e->brokers[op->reply_to - 1].name;
        const sim_dist *l = link_between(x, back_from, q);
        *m += dmean(l);
        *v += dvar(l);
        back = link_between(x, q, me);
    } else {
        back = link_between(x, back_from, me);
    }
    *m += dmean(back);
    *v += dvar(back);
    if (op->timeout > 0 && *m > op->timeout)
        *m = op->timeout;
}

/* The statistics of the sequence at pc of endpoint ep of service s. top: the request itself runs
 * it (a sleep or a non-blocking wait lets its thread go); else a branch of a parallel, on a
 * thread its parent holds. Returns where it ended, as walk_calls. */
static uint32_t walk_times(ctx *x, uint32_t s, const sim_endpoint *ep, uint32_t pc,
                           int top, seq_stat *st)
{
    memset(st, 0, sizeof *st);
    double stretch = x->nominal ? 1.0 : x->stretch[s];
    for (;;) {
        const sim_op *op = &ep->ops[pc];
        x->work++;
        switch ((sim_opcode)op->code) {
        case SIM_OP_WORK: {
            double m = dmean(op->dist);
            st->t += m * stretch;
            st->v += dvar(op->dist) * stretch * stretch;
            st->hold += m * stretch;
            st->cpu += m;
            pc++;
            break;
        }
        case SIM_OP_IO:
            st->t += dmean(op->dist);
            st->v += dvar(op->dist);
            st->hold += dmean(op->dist);
            pc++;
            break;
        case SIM_OP_SLEEP:
            st->t += dmean(op->dist);
            st->v += dvar(op->dist);
            st->seg += top;   /* the thread goes, and is waited for again */
            pc++;
            break;
        case SIM_OP_CALL:
        case SIM_OP_REQUEST: {   /* a call, or a request to a queue: waits for its answer */
            double m, v;
            if (op->code == SIM_OP_CALL)
                call_time(x, s, op, &m, &v);
            else
                request_time(x, s, op, &m, &v);
            st->t += m;
            st->v += v;
            if (op->blocking)
                st->hold += m;
            else
                st->seg += top;
            pc = after_call(ep, pc);
            break;
        }
        case SIM_OP_PUBLISH:
            if (op->blocking) {   /* the thread waits for the broker's acknowledgement */
                const sim_dist *l = link_between(x, x->e->svcs[s].name,
                                                 x->e->brokers[op->target].name);
                st->t += 2 * dmean(l);
                st->v += 2 * dvar(l);
                st->hold += 2 * dmean(l);
            }
            pc++;
            break;
        case SIM_OP_REPLY:   /* the caller stops waiting; the thread goes on */
            pc++;
            break;
        case SIM_OP_FORK: {
            double bm[FORK_EXACT_MAX], bv[FORK_EXACT_MAX], maxm = 0;
            for (uint32_t i = 0; i < op->n; i++) {
                seq_stat b;
                walk_times(x, s, ep, op->targets[i], 0, &b);
                st->cpu += b.cpu;
                if (i < FORK_EXACT_MAX) {
                    bm[i] = b.t;
                    bv[i] = b.v;
                }
                maxm = b.t > maxm ? b.t : maxm;
            }
            double m = maxm, v = 0;
            if (op->n <= FORK_EXACT_MAX) {
                order_stat(bm, bv, op->n, op->quorum ? op->quorum : op->n, &m, &v);
                x->work += 500.0 * op->n * op->n;
            }
            st->t += m;
            st->v += v;
            if (op->blocking)
                st->hold += m;
            else
                st->seg += top;
            pc = op->targets[op->n];
            break;
        }
        case SIM_OP_CHOOSE: {
            uint32_t next = pc + 1;
            double m2 = 0;
            seq_stat sum = { 0 };
            for (uint32_t i = 0; i < op->n; i++) {
                double p = op->cum[i] - (i ? op->cum[i - 1] : 0.0);
                seq_stat b;
                next = walk_times(x, s, ep, op->targets[i], top, &b);
                sum.t += p * b.t;
                m2 += p * (b.v + b.t * b.t);
                sum.hold += p * b.hold;
                sum.seg += p * b.seg;
                sum.cpu += p * b.cpu;
            }
            st->t += sum.t;
            st->v += m2 - sum.t * sum.t > 0 ? m2 - sum.t * sum.t : 0;
            st->hold += sum.hold;
            st->seg += sum.seg;
            st->cpu += sum.cpu;
            pc = next;
            break;
        }
        case SIM_OP_JUMP:
            return op->target;
        case SIM_OP_BRANCH_END:
        case SIM_OP_RETURN:
        default:
            return pc;
        }
    }
}

/* ---- the graph ---------------------------------------------------------------------- */

/* Callee-first order of the endpoints by an explicit depth-first search (no recursion: a long
 * chain of services must not exhaust the stack). */
static int topo_order(ctx *x)
{
    size_t n = x->neps, done = 0;
    uint8_t *mark = sim_calloc(n + 1, 1);
    size_t *stack = sim_calloc(n + 1, sizeof *stack), *next = sim_calloc(n + 1, sizeof *next);
    int rc = mark && stack && next ? SIM_OK : SIM_ENOMEM;
    for (size_t root = 0; rc == SIM_OK && root < n; root++) {
        if (mark[root])
            continue;
        size_t sp = 0;
        stack[sp++] = root;
        mark[root] = 1;
        next[root] = x->estart[root];
        while (sp) {
            size_t u = stack[sp - 1];
            if (next[u] < x->estart[u + 1]) {
                uint32_t v = x->edges[next[u]++].to;
                if (!mark[v]) {   /* a back edge (a cycle the prelude refuses) is ignored */
                    mark[v] = 1;
                    next[v] = x->estart[v];
                    stack[sp++] = v;
                }
            } else {
                sp--;
                x->pos[u] = (uint32_t)done;
                x->order[done++] = (uint32_t)u;
            }
        }
    }
    sim_free(mark);
    sim_free(stack);
    sim_free(next);
    return rc;
}

static int edge_cmp(const void *a, const void *b)
{
    const edge *x = a, *y = b;
    return x->to < y->to ? -1 : x->to > y->to;
}

/* Merges the calls from one endpoint to the same callee (a parallel's branches, a call in two
 * arms): the chain then follows the caller that brings the most load, all its calls together. */
static void edges_merge(ctx *x, size_t from)
{
    size_t n = x->nedges - from, k = 0;
    if (n < 2)
        return;
    edge *g = &x->edges[from];
    qsort(g, n, sizeof *g, edge_cmp);
    for (size_t i = 1; i < n; i++) {
        if (g[i].to == g[k].to)
            g[k].count += g[i].count;
        else
            g[++k] = g[i];
    }
    x->nedges = from + k + 1;
}

static int graph_build(ctx *x)
{
    const sim_engine *e = x->e;
    x->estart = sim_calloc(x->neps + 1, sizeof *x->estart);
    if (!x->estart)
        return SIM_ENOMEM;
    /* Edges of each endpoint, in endpoint order, so the CSR needs no sort. */
    for (uint32_t s = 0; s < e->nsvcs; s++)
        for (uint32_t k = 0; k < e->svcs[s].neps; k++) {
            uint32_t i = x->c->first[s] + k;
            x->estart[i] = x->nedges;
            const sim_endpoint *ep = &e->svcs[s].eps[k];
            x->cur = i;
            if (ep->nops && walk_calls(x, ep, 0, 1.0) == SIM_PC_NONE)
                return SIM_ENOMEM;
            edges_merge(x, x->estart[i]);
        }
    x->estart[x->neps] = x->nedges;
    return topo_order(x);
}

/* ---- clients ------------------------------------------------------------------------ */

/* Requests sent by time t: the integral of the rate from the client's start (open clients). */
static double sent_by(const sim_client_config *cfg, double t)
{
    double t0 = cfg->start;
    if (t <= t0)
        return 0.0;
    switch (cfg->arrivals) {
    case SIM_ARR_SCHEDULE: {
        double n = 0;
        for (uint32_t i = 0; i < cfg->npoints; i++) {
            double a = cfg->times[i] > t0 ? cfg->times[i] : t0;
            double b = i + 1 < cfg->npoints ? cfg->times[i + 1] : INFINITY;
            b = b < t ? b : t;
            if (b > a)
                n += cfg->rates[i] * (b - a);
        }
        return n;
    }
    case SIM_ARR_BURSTY: {
        double on = dmean(cfg->on), off = dmean(cfg->off);
        return cfg->rate * on / (on + off) * (t - t0);
    }
    default:
        return cfg->rate * (t - t0);
    }
}

static double peak_rate(const sim_client_config *cfg, double end)
{
    if (cfg->arrivals != SIM_ARR_SCHEDULE)
        return cfg->rate;
    double peak = 0;
    for (uint32_t i = 0; i < cfg->npoints; i++) {
        double b = i + 1 < cfg->npoints ? cfg->times[i + 1] : INFINITY;
        if (cfg->times[i] < end && b > cfg->start && cfg->rates[i] > peak)
            peak = cfg->rates[i];
    }
    return peak;
}

static void open_rates(ctx *x)
{
    const sim_engine *e = x->e;
    double w0 = e->cfg.warmup, w1 = e->cfg.duration;
    for (uint32_t i = 0; i < e->nclients; i++) {
        const sim_client_config *cfg = &e->clients[i].cfg;
        sim_cap_client *cc = &x->c->clients[i];
        cc->name = e->clients[i].name;
        cc->users = cfg->closed ? cfg->users : 0;
        cc->think = cfg->closed ? dmean(cfg->think) : 0.0;
        cc->target = x->c->first[cfg->service] + cfg->endpoint;
        cc->binding = -1;
        cc->closed = cfg->closed;
        if (cfg->closed)
            continue;
        double a = sent_by(cfg, w0), b = sent_by(cfg, w1);
        if (cfg->limit) {
            a = a < (double)cfg->limit ? a : (double)cfg->limit;
            b = b < (double)cfg->limit ? b : (double)cfg->limit;
        }
        cc->rate = w1 > w0 ? (b - a) / (w1 - w0) : 0.0;
        cc->peak = peak_rate(cfg, w1);
        if (cc->peak < cc->rate)
            cc->peak = cc->rate;
        cc->throughput = cc->rate;
    }
}

static void set_external(ctx *x);

/* ---- loads -------------------------------------------------------------------------- */

/* Arrivals of every endpoint from the external ones: callers before callees. Also records each
 * endpoint's largest contributor (for the chain). */
static void propagate(ctx *x)
{
    sim_capacity *c = x->c;
    double *best = x->scratch, *bestp = x->rvar_scratch;
    for (size_t i = 0; i < x->neps; i++) {
        c->eps[i].arrivals = x->ext[i];
        c->eps[i].arrivals_peak = x->ext_peak[i];
        c->eps[i].from = c->eps[i].from_peak = INT64_MIN;
        best[i] = bestp[i] = 0;
    }
    for (uint32_t k = 0; k < x->e->nclients; k++) {
        const sim_cap_client *cc = &c->clients[k];
        double r = cc->closed ? cc->throughput : cc->rate;
        double rp = cc->closed ? cc->throughput : cc->peak;
        if (r > best[cc->target]) {
            best[cc->target] = r;
            c->eps[cc->target].from = -1 - (int64_t)k;
        }
        if (rp > bestp[cc->target]) {
            bestp[cc->target] = rp;
            c->eps[cc->target].from_peak = -1 - (int64_t)k;
        }
    }
    /* Brokers: a consumer's endpoint gets its messages per second through the publish edges
     * of walk_calls, like a call that nobody waits for. */
    for (size_t j = x->neps; j-- > 0;) {
        uint32_t u = x->order[j];
        for (size_t k = x->estart[u]; k < x->estart[u + 1]; k++) {
            const edge *g = &x->edges[k];
            double add = c->eps[u].arrivals * g->count;
            double addp = c->eps[u].arrivals_peak * g->count;
            c->eps[g->to].arrivals += add;
            c->eps[g->to].arrivals_peak += addp;
            if (add > best[g->to]) {
                best[g->to] = add;
                c->eps[g->to].from = u;
            }
            if (addp > bestp[g->to]) {
                bestp[g->to] = addp;
                c->eps[g->to].from_peak = u;
            }
        }
    }
}

/* Adds, for every resource, what service s's endpoints bring it: thread-seconds or core-seconds
 * per second, at the mean and the peak rates (w: visits per second, or NULL for the arrivals). */
static void service_loads(const ctx *x, uint32_t s, int64_t r, int threads, double *load,
                          double *peak, uint32_t *top, uint32_t *top_peak, double *best,
                          double *bestp)
{
    const sim_capacity *c = x->c;
    if (r < 0)
        return;
    for (uint32_t i = c->first[s]; i < c->first[s + 1]; i++) {
        const sim_cap_endpoint *p = &c->eps[i];
        double d = threads ? p->hold : p->cpu;
        load[r] += p->arrivals * d;
        peak[r] += p->arrivals_peak * d;
        if (top && p->arrivals * d > best[r]) {
            best[r] = p->arrivals * d;
            top[r] = i;
        }
        if (top_peak && p->arrivals_peak * d > bestp[r]) {
            bestp[r] = p->arrivals_peak * d;
            top_peak[r] = i;
        }
    }
}

static void resource_loads(ctx *x)
{
    const sim_engine *e = x->e;
    sim_capacity *c = x->c;
    size_t n = c->nresources;
    double *load = x->rl, *peak = x->rl + n, *best = x->rl + 2 * n, *bestp = x->rl + 3 * n;
    uint32_t *top = x->rtop, *top_peak = x->rtop + n;
    for (size_t r = 0; r < n; r++) {
        load[r] = peak[r] = 0;
        best[r] = bestp[r] = -1;
        top[r] = top_peak[r] = 0;
    }
    for (uint32_t s = 0; s < e->nsvcs; s++) {
        uint32_t h = e->svcs[s].cfg.host;
        service_loads(x, s, x->res_threads[s], 1, load, peak, top, top_peak, best, bestp);
        service_loads(x, s, x->res_cores[s], 0, load, peak, top, top_peak, best, bestp);
        if (h)
            service_loads(x, s, x->res_host[h - 1], 0, load, peak, top, top_peak, best, bestp);
    }
    for (size_t r = 0; r < n; r++) {
        c->res[r].load = load[r];
        c->res[r].load_peak = peak[r];
        c->res[r].top = top[r];
        c->res[r].top_peak = top_peak[r];
    }
}

/* The open part of each resource's load: the loads again with the closed clients left out. */
static void open_loads(ctx *x)
{
    sim_capacity *c = x->c;
    const sim_engine *e = x->e;
    double *keep = sim_calloc((size_t)e->nclients + 1, sizeof *keep);
    if (!keep) {   /* without memory, the whole load stands in for the open part */
        for (size_t r = 0; r < c->nresources; r++)
            c->res[r].open_load = c->res[r].load;
        return;
    }
    for (uint32_t k = 0; k < e->nclients; k++) {
        keep[k] = c->clients[k].throughput;
        if (c->clients[k].closed)
            c->clients[k].throughput = 0;
    }
    set_external(x);
    propagate(x);
    resource_loads(x);
    for (size_t r = 0; r < c->nresources; r++)
        c->res[r].open_load = c->res[r].load;
    for (uint32_t k = 0; k < e->nclients; k++)
        c->clients[k].throughput = keep[k];
    sim_free(keep);
    set_external(x);
    propagate(x);
    resource_loads(x);
}

/* ---- one pass of the estimates ------------------------------------------------------- */

/* The share of the queueing an arrival at resource r meets (1 for open clients alone). */
static double seen(const ctx *x, int64_t r)
{
    if (r < 0)
        return 1.0;
    double load = x->c->res[r].load, f = load > 0 ? 1 - x->closed_disc[r] / load : 1.0;
    return f < 0 ? 0 : f > 1 ? 1 : f;
}

/* The factor by which waiting for a core stretches the work of each service (1 when its cores
 * are unlimited or overloaded: an overload is reported where it is). */
static void stretches(ctx *x)
{
    const sim_engine *e = x->e;
    /* Per host: its load and the threads that can run work on it, in one walk. */
    double *ha = x->rl, *threads = x->rl + e->nhosts;
    for (uint32_t h = 0; h < e->nhosts; h++)
        ha[h] = threads[h] = 0;
    for (uint32_t s = 0; s < e->nsvcs; s++) {
        uint32_t h = e->svcs[s].cfg.host;
        if (!h)
            continue;
        threads[h - 1] += (double)e->svcs[s].threads * e->svcs[s].cfg.replicas;
        for (uint32_t i = x->c->first[s]; i < x->c->first[s + 1]; i++)
            ha[h - 1] += x->c->eps[i].arrivals * x->c->eps[i].cpu;
    }
    for (uint32_t h = 0; h < e->nhosts; h++) {
        /* Threads are what run work: no more of them than cores, no wait for a core. */
        double n = threads[h] <= e->hosts[h]->cores ? ha[h] : bd_mean(ha[h], e->hosts[h]->cores);
        x->host_stretch[h] = ha[h] > 0 && isfinite(n)
                                 ? 1 + (n / ha[h] - 1) * seen(x, x->res_host[h])
                                 : 1.0;
    }
    for (uint32_t s = 0; s < e->nsvcs; s++) {
        const sim_service *v = &e->svcs[s];
        double f = 1.0;
        if (v->cfg.host) {
            f = x->host_stretch[v->cfg.host - 1];
        } else if (v->cfg.cores > 0) {
            double a = 0;
            for (uint32_t i = x->c->first[s]; i < x->c->first[s + 1]; i++)
                a += x->c->eps[i].arrivals * x->c->eps[i].cpu;
            a /= v->cfg.replicas;
            double n = v->threads <= v->cfg.cores ? a : bd_mean(a, v->cfg.cores);
            f = a > 0 && isfinite(n) ? 1 + (n / a - 1) * seen(x, x->res_cores[s]) : 1.0;
        }
        x->stretch[s] = f;
    }
}

/* The wait for a thread of service s per acquisition, from the current holding times. */
static void thread_wait(ctx *x, uint32_t s)
{
    const sim_service *v = &x->e->svcs[s];
    x->wq[s] = x->wqvar[s] = 0;
    x->saturated[s] = 0;
    if (v->threads == SIM_WORKERS_INF)
        return;
    double a = 0, acq = 0;
    for (uint32_t i = x->c->first[s]; i < x->c->first[s + 1]; i++) {
        a += x->c->eps[i].arrivals * x->c->eps[i].hold;
        acq += x->c->eps[i].arrivals * x->c->eps[i].segments;
    }
    a /= v->cfg.replicas;
    acq /= v->cfg.replicas;
    if (a >= v->threads * (1 - 1e-9)) {   /* overloaded, or held at capacity by closed users */
        x->saturated[s] = 1;
        return;
    }
    double n = bd_mean(a, (double)v->threads);
    if (!(acq > 0) || !isfinite(n) || n - a <= 0)
        return;
    double wq = (n - a) / acq * seen(x, x->res_threads[s]), rho = a / v->threads;
    double pw = (n - a) * (1 - rho) / rho;   /* the chance to wait, as in M/M/c */
    pw = pw > 1 ? 1 : pw < 1e-9 ? 1e-9 : pw;
    x->wq[s] = wq;
    x->wqvar[s] = wq * wq * (2 - pw) / pw;
}

/* Holding times and responses of every endpoint, callees first. Returns the largest relative
 * change of a response. */
static double pass(ctx *x)
{
    const sim_engine *e = x->e;
    sim_capacity *c = x->c;
    double change = 0;
    if (!x->nominal)
        stretches(x);
    for (size_t j = 0; j < x->neps; j++) {
        uint32_t i = x->order[j], s = x->ep_service[i];
        const sim_endpoint *ep = &e->svcs[s].eps[i - c->first[s]];
        seq_stat st = { 0 };
        if (ep->nops)
            walk_times(x, s, ep, 0, 1, &st);
        sim_cap_endpoint *p = &c->eps[i];
        p->segments = 1 + st.seg;
        if (x->nominal) {
            x->r0[i] = st.t;
            continue;
        }
        p->hold = st.hold;
        p->cpu = st.cpu;
        double r = st.t + p->segments * x->wq[s];
        double v = st.v + p->segments * x->wqvar[s];
        double d = fabs(r - x->rmean[i]) / (r > 0 ? r : 1);
        change = d > change ? d : change;
        x->rmean[i] = r;
        x->rvar[i] = v;
        p->response = x->saturated[s] ? INFINITY : r;
    }
    if (!x->nominal)
        for (uint32_t s = 0; s < e->nsvcs; s++)
            thread_wait(x, s);
    return change;
}

/* ---- closed clients ------------------------------------------------------------------ */

/* Updates the throughput bound of every closed client from the current demands; returns the
 * largest relative change. */
static double closed_bounds(ctx *x)
{
    const sim_engine *e = x->e;
    sim_capacity *c = x->c;
    double change = 0;
    memset(x->closed_disc, 0, (c->nresources + 1) * sizeof *x->closed_disc);
    for (uint32_t k = 0; k < e->nclients; k++) {
        sim_cap_client *cc = &c->clients[k];
        if (!cc->closed)
            continue;
        sim_capacity visits = { .nendpoints = x->neps, .calls = x->edges,
                                .call_start = x->estart, .order = x->order, .pos = x->pos };
        sim_capacity_visits(&visits, cc->target, x->scratch);
        x->work += (double)(x->neps + x->nedges + e->nsvcs + c->nresources);
        double best = INFINITY;
        int64_t binding = -1;
        for (size_t r = 0; r < c->nresources; r++)
            x->demand[r] = 0;
        for (uint32_t s = 0; s < e->nsvcs; s++) {
            double th = 0, cpu = 0;
            for (uint32_t i = c->first[s]; i < c->first[s + 1]; i++) {
                th += x->scratch[i] * c->eps[i].hold;
                cpu += x->scratch[i] * c->eps[i].cpu;
            }
            if (x->res_threads[s] >= 0)
                x->demand[x->res_threads[s]] += th;
            if (x->res_cores[s] >= 0)
                x->demand[x->res_cores[s]] += cpu;
            if (e->svcs[s].cfg.host)
                x->demand[x->res_host[e->svcs[s].cfg.host - 1]] += cpu;
        }
        for (size_t r = 0; r < c->nresources; r++) {
            const sim_cap_resource *res = &c->res[r];
            double d = x->demand[r];
            if (!(d > 0))
                continue;
            double others = res->load - cc->throughput * d;
            double room = res->capacity - (others > 0 ? others : 0);
            double b = (room > 0 ? room : 0) / d;
            if (b < best) {
                best = b;
                binding = (int64_t)r;
            }
        }
        cc->bound_resource = best;
        cc->binding = binding;
        /* The estimate: N / (Z + R) with R the response including the queueing estimated
         * below (no more than the bound N / (Z + D)), unless a resource bounds it first. The
         * update is damped: X and R pull each other back. */
        const sim_client *cl = &e->clients[k];
        double resp = cc->demand - x->r0[cc->target] + x->rmean[cc->target];
        double z = dmean(cl->cfg.think), est = cc->bound_think;
        if (isfinite(resp) && resp > cc->demand && z + resp > 0)
            est = cl->cfg.users / (z + resp);
        double x_new = est < best ? est : best;
        x_new = 0.5 * (x_new + (cc->throughput < INFINITY ? cc->throughput : x_new));
        double d = fabs(x_new - cc->throughput) / (x_new > 0 ? x_new : 1);
        change = d > change ? d : change;
        cc->throughput = x_new;
        for (size_t r = 0; r < c->nresources; r++)
            x->closed_disc[r] += x_new * x->demand[r] / cc->users;
    }
    return change;
}

static void closed_demands(ctx *x)
{
    const sim_engine *e = x->e;
    for (uint32_t k = 0; k < e->nclients; k++) {
        sim_cap_client *cc = &x->c->clients[k];
        if (!cc->closed)
            continue;
        const sim_client *cl = &e->clients[k];
        const sim_dist *l =
            link_between(x, cl->name, e->svcs[cl->cfg.service].name);
        cc->demand = 2 * dmean(l) + x->r0[cc->target];
        double z = dmean(cl->cfg.think);
        cc->bound_think = z + cc->demand > 0 ? cl->cfg.users / (z + cc->demand) : INFINITY;
        cc->throughput = cc->bound_think;
        cc->binding = -1;
    }
}

/* ---- the analysis -------------------------------------------------------------------- */

static void set_external(ctx *x)
{
    memset(x->ext, 0, x->neps * sizeof *x->ext);
    memset(x->ext_peak, 0, x->neps * sizeof *x->ext_peak);
    for (uint32_t k = 0; k < x->e->nclients; k++) {
        const sim_cap_client *cc = &x->c->clients[k];
        x->ext[cc->target] += cc->closed ? cc->throughput : cc->rate;
        x->ext_peak[cc->target] += cc->closed ? cc->throughput : cc->peak;
    }
}

static int resources_list(ctx *x)
{
    const sim_engine *e = x->e;
    sim_capacity *c = x->c;
    size_t n = e->nhosts;
    for (uint32_t s = 0; s < e->nsvcs; s++)
        n += (e->svcs[s].threads != SIM_WORKERS_INF) +
             (e->svcs[s].cfg.cores > 0 && !e->svcs[s].cfg.host);
    c->res = sim_calloc(n + 1, sizeof *c->res);
    if (!c->res)
        return SIM_ENOMEM;
    for (uint32_t s = 0; s < e->nsvcs; s++) {
        const sim_service *v = &e->svcs[s];
        if (v->threads != SIM_WORKERS_INF)
            c->res[c->nresources++] = (sim_cap_resource){
                .kind = SIM_RES_THREADS, .index = s,
                .capacity = (double)v->threads * v->cfg.replicas };
        if (v->cfg.cores > 0 && !v->cfg.host)
            c->res[c->nresources++] = (sim_cap_resource){
                .kind = SIM_RES_CORES, .index = s, .capacity = v->cfg.cores * v->cfg.replicas };
    }
    for (uint32_t h = 0; h < e->nhosts; h++)
        c->res[c->nresources++] =
            (sim_cap_resource){ .kind = SIM_RES_HOST, .index = h, .capacity = e->hosts[h]->cores };
    return SIM_OK;
}

static void ctx_free(ctx *x)
{
    sim_free(x->pubs);
    sim_free(x->ep_service);
    sim_free(x->edges);
    sim_free(x->estart);
    sim_free(x->order);
    sim_free(x->pos);
    sim_free(x->rmean);
    sim_free(x->rvar);
    sim_free(x->r0);
    sim_free(x->ext);
    sim_free(x->ext_peak);
    sim_free(x->scratch);
    sim_free(x->rvar_scratch);
    sim_free(x->wq);
    sim_free(x->wqvar);
    sim_free(x->stretch);
    sim_free(x->host_stretch);
    sim_free(x->saturated);
    sim_free(x->closed_disc);
    sim_free(x->demand);
    sim_free(x->res_threads);
    sim_free(x->res_cores);
    sim_free(x->res_host);
    sim_free(x->rl);
    sim_free(x->rtop);
    sim_free(x->links);
}

/* ---- partitioned groups: the busiest consumer ----------------------------------------- */

/* The partitions of each partitioned topic get their publishers' rates split by the key's
 * shares; each group's consumers own partitions as `assign` (broker.c) gives them out when
 * every consumer is up (contiguous ranges, the first P mod C one more, or in turn); the consumer
 * whose partitions get the most is the hot one. */
static int hot_consumers(ctx *x)
{
    const sim_engine *e = x->e;
    sim_capacity *c = x->c;
    for (uint32_t bi = 0; bi < e->nbrokers; bi++) {
        const sim_broker *b = &e->brokers[bi];
        uint32_t P = b->cfg.partitions;
        if (!P || !b->ngroups)
            continue;
        double *rate = sim_calloc(P, sizeof *rate), *share = sim_calloc(P, sizeof *share);
        if (!rate || !share) {
            sim_free(rate);
            sim_free(share);
            return SIM_ENOMEM;
        }
        double total = 0;
        for (size_t k = 0; k < x->npubs; k++) {
            const struct pub_site *ps = &x->pubs[k];
            if (ps->broker != bi)
                continue;
            double r = c->eps[ps->from].arrivals * ps->w;
            memset(share, 0, P * sizeof *share);
            sim_key_shares(ps->key, P, share);
            for (uint32_t p = 0; p < P; p++)
                rate[p] += r * share[p];
            total += r;
        }
        for (uint32_t gi = 0; gi < b->ngroups && total > 0; gi++) {
            const sim_group *g = &b->groups[gi];
            uint32_t C = 0;
            for (uint32_t j = 0; j < g->nmembers; j++)
                C += g->members[j].consumers;
            if (C == 0)
                continue;
            /* slot k's rate, its member found by walking the members' consumers */
            double best = -1;
            uint32_t bslot = 0;
            for (uint32_t k = 0, next = 0; k < C; k++) {
                double r = 0;
                if (b->cfg.assignment == SIM_ASSIGN_ROUND_ROBIN) {
                    for (uint32_t p = k; p < P; p += C)
                        r += rate[p];
                } else {
                    uint32_t n = P / C + (k < P % C);
                    for (uint32_t p = next; p < next + n; p++)
                        r += rate[p];
                    next += n;
                }
                if (r > best) {
                    best = r;
                    bslot = k;
                }
            }
            uint32_t j = 0, first = 0;
            while (j + 1 < g->nmembers && bslot >= first + g->members[j].consumers)
                first += g->members[j++].consumers;
            const sim_member *mb = &g->members[j];
            uint32_t ep = c->first[mb->service] + mb->endpoint;
            const sim_dist *l = link_between(x, b->name, e->svcs[mb->service].name);
            double busy = 2 * dmean(l) + x->r0[ep];   /* its own work, no queueing */
            if (sim_grow((void **)&c->hot, c->nhot, sizeof *c->hot) != 0) {
                sim_free(rate);
                sim_free(share);
                return SIM_ENOMEM;
            }
            c->hot[c->nhot++] = (sim_cap_hot){ b->name, g->name, bslot, C, ep, best, total,
                                               busy, best * busy };
        }
        sim_free(rate);
        sim_free(share);
    }
    return SIM_OK;
}

int sim_capacity_analyze(const sim_engine *e, sim_capacity *out)
{
    memset(out, 0, sizeof *out);
    ctx x = { .e = e, .c = out };
    size_t n = 0;
    for (uint32_t s = 0; s < e->nsvcs; s++)
        n += e->svcs[s].neps;
    x.neps = n;
    out->nendpoints = n;
    out->nclients = e->nclients;
    out->window = e->cfg.duration - e->cfg.warmup;
    size_t m = n + 1, ns = (size_t)e->nsvcs + 1;
    out->nservices = e->nsvcs;
    out->nhosts = e->nhosts;
    out->svcs = sim_calloc(ns, sizeof *out->svcs);
    out->hosts = sim_calloc((size_t)e->nhosts + 1, sizeof *out->hosts);
    out->eps = sim_calloc(m, sizeof *out->eps);
    out->first = sim_calloc(ns, sizeof *out->first);
    out->clients = sim_calloc((size_t)e->nclients + 1, sizeof *out->clients);
    x.ep_service = sim_calloc(m, sizeof *x.ep_service);
    x.order = sim_calloc(m, sizeof *x.order);
    x.pos = sim_calloc(m, sizeof *x.pos);
    x.rmean = sim_calloc(m, sizeof(double));
    x.rvar = sim_calloc(m, sizeof(double));
    x.r0 = sim_calloc(m, sizeof(double));
    x.ext = sim_calloc(m, sizeof(double));
    x.ext_peak = sim_calloc(m, sizeof(double));
    x.scratch = sim_calloc(m, sizeof(double));
    x.rvar_scratch = sim_calloc(m, sizeof(double));
    x.wq = sim_calloc(ns, sizeof(double));
    x.wqvar = sim_calloc(ns, sizeof(double));
    x.stretch = sim_calloc(ns, sizeof(double));
    x.host_stretch = sim_calloc((size_t)e->nhosts + 1, sizeof(double));
    x.saturated = sim_calloc(ns, 1);
    int rc = out->svcs && out->hosts && out->eps && out->first && out->clients &&
                     x.ep_service && x.order && x.pos && x.rmean && x.rvar && x.r0 && x.ext &&
                     x.ext_peak && x.scratch && x.rvar_scratch && x.wq && x.wqvar &&
                     x.stretch && x.host_stretch && x.saturated
                 ? SIM_OK
                 : SIM_ENOMEM;
    if (rc == SIM_OK) {
        uint32_t i = 0;
        for (uint32_t h = 0; h < e->nhosts; h++)
            out->hosts[h] = (sim_cap_host){ e->hosts[h]->name, e->hosts[h]->cores };
        for (uint32_t s = 0; s < e->nsvcs; s++) {
            const sim_service *v = &e->svcs[s];
            out->svcs[s] = (sim_cap_service){
                v->name, v->threads == SIM_WORKERS_INF ? INFINITY : (double)v->threads,
                v->cfg.replicas, v->cfg.host ? 0.0 : v->cfg.cores, v->cfg.host };
            out->first[s] = i;
            for (uint32_t k = 0; k < e->svcs[s].neps; k++, i++) {
                out->eps[i].name = v->eps[k].name;
                out->eps[i].service = s;
                out->eps[i].endpoint = k;
                x.ep_service[i] = s;
            }
        }
        out->first[e->nsvcs] = i;
        for (uint32_t s = 0; s < e->nsvcs; s++)
            x.stretch[s] = 1.0;
        rc = links_sort(&x);
    }
    if (rc == SIM_OK)
        rc = graph_build(&x);
    if (rc == SIM_OK)
        rc = resources_list(&x);
    if (rc == SIM_OK) {
        x.closed_disc = sim_calloc(out->nresources + 1, sizeof(double));
        x.demand = sim_calloc(out->nresources + 1, sizeof(double));
        x.res_threads = sim_calloc(ns, sizeof(int64_t));
        x.res_cores = sim_calloc(ns, sizeof(int64_t));
        x.res_host = sim_calloc((size_t)e->nhosts + 1, sizeof(int64_t));
        x.rl = sim_calloc(4 * (out->nresources + e->nhosts) + 1, sizeof(double));
        x.rtop = sim_calloc(2 * out->nresources + 1, sizeof(uint32_t));
        rc = x.rl && x.rtop && x.closed_disc && x.demand && x.res_threads && x.res_cores &&
                     x.res_host
                 ? SIM_OK : SIM_ENOMEM;
        for (uint32_t s = 0; rc == SIM_OK && s < e->nsvcs; s++)
            x.res_threads[s] = x.res_cores[s] = -1;
        for (uint32_t h = 0; rc == SIM_OK && h < e->nhosts; h++)
            x.res_host[h] = -1;
        for (size_t r = 0; rc == SIM_OK && r < out->nresources; r++) {
            const sim_cap_resource *res = &out->res[r];
            int64_t *slot = res->kind == SIM_RES_THREADS ? &x.res_threads[res->index]
                            : res->kind == SIM_RES_CORES ? &x.res_cores[res->index]
                                                         : &x.res_host[res->index];
            *slot = (int64_t)r;
        }
    }
    if (rc == SIM_OK) {
        open_rates(&x);
        x.nominal = 1;   /* responses without any queueing: D of the closed clients */
        pass(&x);
        x.nominal = 0;
        closed_demands(&x);
        for (int k = 0; k < PASSES; k++) {
            set_external(&x);
            propagate(&x);
            double change = pass(&x);
            resource_loads(&x);
            change += closed_bounds(&x);
            if ((k > 0 && change < 1e-10) || x.work > WORK_BUDGET)
                break;   /* converged, or too large a model to refine further */
        }
        set_external(&x);
        propagate(&x);
        pass(&x);
        open_loads(&x);
        rc = hot_consumers(&x);
    }
    if (rc == SIM_OK) {   /* the graph stays with the result (sim_capacity_visits) */
        out->calls = x.edges;
        out->call_start = x.estart;
        out->order = x.order;
        out->pos = x.pos;
        x.edges = NULL;
        x.estart = NULL;
        x.order = x.pos = NULL;
    }
    ctx_free(&x);
    if (rc != SIM_OK)
        sim_capacity_fini(out);
    return rc;
}

void sim_capacity_fini(sim_capacity *c)
{
    sim_free(c->svcs);
    sim_free(c->hosts);
    sim_free(c->eps);
    sim_free(c->first);
    sim_free(c->res);
    sim_free(c->clients);
    sim_free(c->calls);
    sim_free(c->call_start);
    sim_free(c->order);
    sim_free(c->pos);
    sim_free(c->hot);
    memset(c, 0, sizeof *c);
}

void sim_capacity_visits(const sim_capacity *c, uint32_t from, double *out)
{
    memset(out, 0, c->nendpoints * sizeof *out);
    out[from] = 1;
    for (size_t j = (size_t)c->pos[from] + 1; j-- > 0;) {
        uint32_t u = c->order[j];
        if (out[u] == 0)
            continue;
        for (size_t k = c->call_start[u]; k < c->call_start[u + 1]; k++)
            out[c->calls[k].to] += out[u] * c->calls[k].count;
    }
}

double sim_capacity_util(const sim_cap_resource *r, int peak)
{
    return (peak ? r->load_peak : r->load) / r->capacity;
}

/* ---- names -------------------------------------------------------------------------- */

const char *sim_capacity_endpoint_name(const sim_capacity *c, uint32_t i, char *buf, size_t n)
{
    const sim_cap_endpoint *p = &c->eps[i];
    const sim_cap_service *s = &c->svcs[p->service];
    size_t neps = c->first[p->service + 1] - c->first[p->service];
    if (neps == 1 && !strcmp(p->name, "default"))
        snprintf(buf, n, "%s", s->name);
    else
        snprintf(buf, n, "%s.%s", s->name, p->name);
    return buf;
}

const char *sim_capacity_chain(const sim_capacity *c, uint32_t i, int peak, char *buf, size_t n)
{
    /* Walk back to the source, then print from it. */
    uint32_t path[64];
    size_t len = 0;
    int64_t at = i, client = -1;
    while (at >= 0 && len < 64) {
        path[len++] = (uint32_t)at;
        int64_t f = peak ? c->eps[at].from_peak : c->eps[at].from;
        if (f == INT64_MIN)
            break;
        if (f < 0) {
            client = -1 - f;
            break;
        }
        at = f;
    }
    size_t used = 0;
    buf[0] = 0;
    if (client >= 0)
        used += (size_t)snprintf(buf, n, "%s", c->clients[client].name);
    else if (len == 64)
        used += (size_t)snprintf(buf, n, "...");
    for (size_t k = len; k-- > 0 && used < n;) {
        char name[512];
        used += (size_t)snprintf(buf + used, n - used, "%s%s", used ? " -> " : "",
                                 sim_capacity_endpoint_name(c, path[k], name, sizeof name));
    }
    return buf;
}

const char *sim_capacity_resource_name(const sim_capacity *c, const sim_cap_resource *r,
                                       char *buf, size_t n)
{
    if (r->kind == SIM_RES_HOST)
        snprintf(buf, n, "host '%s'", c->hosts[r->index].name);
    else
        snprintf(buf, n, "%s of service '%s'", r->kind == SIM_RES_THREADS ? "threads" : "cores",
                 c->svcs[r->index].name);
    return buf;
}
