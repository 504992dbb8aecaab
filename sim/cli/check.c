/* check: dessa check — load a scenario, build its model once without running it, and print the
 * model summary: the load the clients offer each endpoint and resource, the capacity, the
 * utilization that implies, and a warning for every resource at or above 100%
 * (model/capacity.h). Also the warnings list that run.c and json.c share.
 *
 * An overloaded model is still a valid one: check exits 0 and says `overloaded` (a sweep may
 * well visit overloaded points on purpose); scripts can grep for the word. */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "core/error.h"
#include "model/capacity.h"

/* The summary lists at most this many clients and services (the warnings cover them all). */
#define SUMMARY_ROWS 200

/* ---- the warnings list ---------------------------------------------------------------- */

void cli_warn(cli_warnings *l, const char *kind, const char *entity, double value,
              const char *fmt, ...)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 8;
        cli_warning *p = realloc(l->w, cap * sizeof *p);
        if (!p)
            return;
        l->w = p;
        l->cap = cap;
    }
    cli_warning *w = &l->w[l->n++];
    snprintf(w->kind, sizeof w->kind, "%s", kind);
    snprintf(w->entity, sizeof w->entity, "%s", entity);
    w->value = value;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(w->message, sizeof w->message, fmt, ap);
    va_end(ap);
}

void cli_warnings_print(const cli_warnings *l, size_t from, FILE *f)
{
    for (size_t i = from; i < l->n; i++)
        fprintf(f, "warning: %s\n", l->w[i].message);
}

void cli_warnings_free(cli_warnings *l)
{
    free(l->w);
    memset(l, 0, sizeof *l);
}

/* ---- the summary ---------------------------------------------------------------------- */

static const char *pct(double u, char *buf, size_t n)
{
    if (!isfinite(u))
        snprintf(buf, n, "-");
    else
        snprintf(buf, n, u >= 0.1 ? "%.1f%%" : "%.2g%%", 100 * u);
    return buf;
}

static const char *count(double v, char *buf, size_t n)
{
    if (v >= (double)SIM_WORKERS_INF || isinf(v))
        snprintf(buf, n, "unlimited");
    else
        snprintf(buf, n, "%.6g", v);
    return buf;
}

/* A duration for people: "54.04 ms", "12.5 s". */
static const char *dur(double s, char *buf, size_t n)
{
    if (!isfinite(s))
        snprintf(buf, n, "unbounded (no steady state)");
    else if (s >= 1)
        snprintf(buf, n, "%.4g s", s);
    else
        snprintf(buf, n, "%.4g ms", 1e3 * s);
    return buf;
}

/* The resource of kind k for service s (its threads or its private cores), or NULL. */
static const sim_cap_resource *resource_of(const sim_capacity *c, sim_res_kind k, uint32_t s)
{
    for (size_t r = 0; r < c->nresources; r++)
        if (c->res[r].kind == k && c->res[r].index == s)
            return &c->res[r];
    return NULL;
}

static const char *state_word(const sim_cap_resource *r)
{
    if (r->open_load >= r->capacity)
        return "  overloaded";
    if (r->load_peak >= r->capacity && r->load_peak > r->load)
        return "  overloaded at peak";
    if (r->load >= r->capacity * 0.999)
        return "  saturated (closed clients)";
    return "";
}

static void print_clients(const sim_capacity *c, FILE *f)
{
    double *v = calloc(c->nendpoints + 1, sizeof *v);
    fprintf(f, "clients (visits per request of every endpoint it reaches):\n");
    for (size_t k = 0; k < c->nclients; k++) {
        const sim_cap_client *cc = &c->clients[k];
        if (k == SUMMARY_ROWS) {
            fprintf(f, "  ... and %zu more clients\n", c->nclients - k);
            break;
        }
        char ep[512];
        sim_capacity_endpoint_name(c, cc->target, ep, sizeof ep);
        if (cc->closed) {
            fprintf(f, "  %s -> %s: closed, %u users, think %.4g s: about %.4g requests/s; "
                       "bounds: N / (Z + D) = %.4g with D = %.4g ms without queueing",
                    cc->name, ep, cc->users, cc->think, cc->throughput, cc->bound_think,
                    1e3 * cc->demand);
            if (cc->binding >= 0) {
                char rn[300];
                fprintf(f, ", %.4g from %s", cc->bound_resource, sim_capacity_resource_name(
                            c, &c->res[cc->binding], rn, sizeof rn));
                if (cc->bound_resource < cc->bound_think)
                    fprintf(f, " (the binding one)");
            }
        } else {
            fprintf(f, "  %s -> %s: open, %.6g requests/s", cc->name, ep, cc->rate);
            if (cc->peak > cc->rate * (1 + 1e-9))
                fprintf(f, " on average over the statistics window, %.6g at peak", cc->peak);
        }
        fprintf(f, "\n");
        if (!v)
            continue;
        sim_capacity_visits(c, cc->target, v);
        fprintf(f, "    visits:");
        size_t shown = 0;
        for (size_t j = c->pos[cc->target] + 1; j-- > 0;) {
            uint32_t i = c->order[j];
            if (v[i] == 0)
                continue;
            if (shown++ == 12) {
                fprintf(f, " ...");
                break;
            }
            fprintf(f, " %s %.4g", sim_capacity_endpoint_name(c, i, ep, sizeof ep), v[i]);
        }
        fprintf(f, "\n");
    }
    free(v);
}

static void print_summary(const sim_capacity *c, FILE *f)
{
    char a[64], b[64], u[64];
    fprintf(f, "\nmodel summary: open clients at their mean rate, closed clients at their "
               "estimated throughput;\nutilization = load / capacity (threads held, cores busy)"
               "\n\n");
    print_clients(c, f);
    fprintf(f, "\n%-24s %12s  %-28s %8s  %-30s %8s\n", "service / endpoint", "arrivals/s",
            "threads held / threads", "util", "cores busy / cores", "cpu util");
    for (uint32_t s = 0; s < c->nservices; s++) {
        const sim_cap_service *v = &c->svcs[s];
        if (s == SUMMARY_ROWS) {
            fprintf(f, "... and %zu more services\n", c->nservices - s);
            break;
        }
        const sim_cap_resource *th = resource_of(c, SIM_RES_THREADS, s);
        const sim_cap_resource *co = resource_of(c, SIM_RES_CORES, s);
        double arr = 0, held = 0, busy = 0;
        for (uint32_t i = c->first[s]; i < c->first[s + 1]; i++) {
            arr += c->eps[i].arrivals;
            held += c->eps[i].arrivals * c->eps[i].hold;
            busy += c->eps[i].arrivals * c->eps[i].cpu;
        }
        char held_s[96], cores_s[96];
        snprintf(held_s, sizeof held_s, "%.4g / %s", held,
                 count(th ? th->capacity : INFINITY, a, sizeof a));
        double cores = v->host ? c->hosts[v->host - 1].cores : v->cores * v->replicas;
        if (v->host)
            snprintf(cores_s, sizeof cores_s, "%.4g / %.6g (host %s)", busy, cores,
                     c->hosts[v->host - 1].name);
        else
            snprintf(cores_s, sizeof cores_s, "%.4g / %s", busy,
                     cores > 0 ? count(cores, b, sizeof b) : "unlimited");
        fprintf(f, "%-24s %12.6g  %-28s %8s  %-30s %8s%s%s\n", v->name, arr, held_s,
                th ? pct(held / th->capacity, u, sizeof u) : "-", cores_s,
                cores > 0 ? pct(busy / cores, b, sizeof b) : "-", th ? state_word(th) : "",
                co ? state_word(co) : "");
        for (uint32_t i = c->first[s]; i < c->first[s + 1]; i++) {
            const sim_cap_endpoint *p = &c->eps[i];
            char name[512];
            sim_capacity_endpoint_name(c, i, name, sizeof name);
            char hold[64], cpu[64], resp[64];
            fprintf(f, "  %-22s %12.6g  per visit: holds a thread %s, cpu %s, response %s\n",
                    name, p->arrivals, dur(p->hold, hold, sizeof hold),
                    dur(p->cpu, cpu, sizeof cpu), dur(p->response, resp, sizeof resp));
        }
    }
    for (size_t r = 0; r < c->nresources; r++) {
        const sim_cap_resource *h = &c->res[r];
        if (h->kind != SIM_RES_HOST)
            continue;
        char name[300], cs[96];
        snprintf(name, sizeof name, "host %s", c->hosts[h->index].name);
        snprintf(cs, sizeof cs, "%.4g / %.6g", h->load, h->capacity);
        fprintf(f, "%-24s %12s  %-28s %8s  %-30s %8s%s\n", name, "", "", "", cs,
                pct(h->load / h->capacity, u, sizeof u), state_word(h));
    }
    fprintf(f, "\n");
}

/* ---- the warnings --------------------------------------------------------------------- */

int cli_overload(const sim_engine *e, cli_warnings *out, FILE *f)
{
    sim_capacity c;
    int rc = sim_capacity_analyze(e, &c);
    if (rc != SIM_OK)
        return rc;
    if (f)
        print_summary(&c, f);
    for (size_t r = 0; r < c.nresources; r++) {
        const sim_cap_resource *res = &c.res[r];
        int over = res->open_load >= res->capacity;
        int peak = !over && res->load_peak >= res->capacity && res->load_peak > res->load;
        if (!over && !peak)
            continue;
        char rn[300], chain[1024], ep[512];
        sim_capacity_resource_name(&c, res, rn, sizeof rn);
        uint32_t top = peak ? res->top_peak : res->top;
        sim_capacity_chain(&c, top, peak, chain, sizeof chain);
        sim_capacity_endpoint_name(&c, top, ep, sizeof ep);
        const sim_cap_endpoint *p = &c.eps[top];
        double load = peak ? res->load_peak : res->load;
        double arr = peak ? p->arrivals_peak : p->arrivals;
        int threads = res->kind == SIM_RES_THREADS;
        double per = threads ? p->hold : p->cpu;
        char entity[300], per_s[64];
        if (res->kind == SIM_RES_HOST)
            snprintf(entity, sizeof entity, "host '%s'", c.hosts[res->index].name);
        else
            snprintf(entity, sizeof entity, "service '%s'", c.svcs[res->index].name);
        cli_warn(out, peak ? "overloaded_at_peak" : "overloaded", entity, load / res->capacity,
                 "%s %s: %.0f%% busy%s (%.4g %s of %.6g; %s: %.4g requests/s x %s %s each); "
                 "load from %s",
                 rn, peak ? "overloaded at peak rates" : "overloaded", 100 * load / res->capacity,
                 peak ? " at the clients' peak rates" : "", load,
                 threads ? "threads held" : "cores busy", res->capacity, ep, arr,
                 dur(per, per_s, sizeof per_s),
                 threads ? "held" : "of work", chain);
    }
    for (size_t k = 0; k < c.nhot; k++) {   /* a partitioned group's busiest consumer */
        const sim_cap_hot *h = &c.hot[k];
        if (!(h->util >= 1))
            continue;
        const char *gname = h->group;
        char entity[300], ep[512], per_s[64];
        snprintf(entity, sizeof entity, "topic '%s', group '%s'", h->topic, gname);
        sim_capacity_endpoint_name(&c, h->endpoint, ep, sizeof ep);
        cli_warn(out, "hot_partition", entity, h->util,
                 "consumer %u of %u of group '%s' of topic '%s' overloaded: %.0f%% busy; its "
                 "partitions get %.4g messages/s, %.1f%% of the group's %.4g (an even share "
                 "would be %.1f%%), x %s each (%s, its delivery and ack); the partitions it owns "
                 "fall behind whatever the other consumers do",
                 h->slot + 1, h->nslots, gname, h->topic, 100 * h->util, h->rate,
                 100 * h->rate / h->total, h->total, 100.0 / h->nslots,
                 dur(h->busy, per_s, sizeof per_s), ep);
    }
    sim_capacity_fini(&c);
    return SIM_OK;
}

int cli_check(const options *o)
{
    dessa_scenario *sc = cli_load(o);
    if (!sc)
        return EXIT_MODEL;
    char err[1024];
    sim_engine *e = NULL;
    int rc = dessa_scenario_build(sc, dessa_scenario_seed(sc), 0, &e, err, sizeof err);
    if (rc != SIM_OK) {
        cli_print_error(err);
    } else {
        printf("%s: ok\n", o->scenario);
        cli_warnings w = { 0 };
        if (cli_overload(e, &w, stdout) != SIM_OK)
            fprintf(stderr, "warning: out of memory: no model summary\n");
        for (size_t i = 0; i < w.n; i++)
            printf("warning: %s\n", w.w[i].message);
        cli_warnings_free(&w);
    }
    sim_engine_free(e);
    dessa_scenario_free(sc);
    return rc == SIM_OK ? 0 : EXIT_MODEL;
}
