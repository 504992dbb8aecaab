/* run: dessa run — replications on worker threads, results written as they come, in order.
 *
 * Each worker thread loads its own copy of the scenario (its own Lua state; copies are quiet, so
 * the scenario's print output appears once, from the first load) and, for each replication it
 * takes: builds an engine, streams its time series to a file of its own, runs it, extracts the
 * result value and frees the engine. Results are written in replication order by whichever
 * worker completes the next one, so the files do not depend on -j; a worker does not start a
 * replication more than `window` ahead of the last one written, so memory stays flat in --reps.
 *
 * Every file goes to a staging directory that is put in place at the end (out/outdir.h).
 * SIGINT and SIGTERM are taken by a thread of their own, which removes the staging directory
 * and then ends the process with the signal. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "core/error.h"
#include "out/results.h"
#include "stats/ci.h"
#include "stats/tally.h"

#define MAX_JOBS 1024
#define SERIES_WARN_ROWS 5e7   /* about 2 GB of timeseries.csv */

/* What the time series of one replication says about its services, for the warnings after the
 * run: per service, the sums of the sampled queue and threads held over each third of the
 * statistics window (a few additions per row, outside the event loop). */
typedef struct watch_svc {
    double queue[3], held[3];
    uint32_t n[3];
} watch_svc;

typedef struct run_watch {
    sim_series_fn out;           /* where the rows go on to */
    void *out_ud;
    double warmup, duration, sample;
    double last_time;            /* the rows of one sample share their time */
    uint32_t next;               /* the service the next service row is about */
    uint32_t nsvcs;
    watch_svc *svc;
} run_watch;

/* A replication between its run and its turn to be written. */
typedef struct rep_done {
    int ready;
    int rc;                  /* SIM_OK, or the error in err */
    sim_rep_result res;
    sim_series_sink series;
    cli_batches batches;     /* --batches: in front of the series sink */
    run_watch watch;
    char err[1024];
} rep_done;

/* Across replications: how often each entity looked unsteady, and the first numbers seen. */
typedef struct watch_total {
    uint64_t growing, stuck;     /* replications where it grew / was mostly in flight */
    double a, b, c;              /* growing: the means of the thirds (first time seen) */
    const char *what;            /* "its queue" or "its threads held" */
    char *name;                  /* the entity's name */
    uint64_t sent, in_flight;    /* stuck: the numbers (first time seen) */
} watch_total;

typedef struct runner {
    const options *o;
    cli_job *job;            /* overrides, sweep point */
    const char *dir;         /* the output directory as given */
    dessa_scenario *sc;      /* the main thread's copy */
    uint64_t seed, reps;
    unsigned jobs;
    pthread_mutex_t lock;    /* everything below, and every file operation */
    pthread_cond_t turn;
    uint64_t next, written, window;
    rep_done *pending;       /* window slots, replication r in slot r % window */
    int failed;              /* an error was reported: start nothing more */
    atomic_int stopping;     /* a signal came: the staging directory is going away */
    sim_results out;
    sim_file reps_file;      /* run.json's lines of the replications, staged */
    cli_table *table;
    sim_file point_file;     /* point.csv: the point's rows of sweep.csv (sweeps only) */
    sim_file batches_file;   /* batches.csv (--batches only) */
    double warmup, sample;
    uint64_t events;
    /* --precision: the targets (entity, metric) and their tallies over the replications */
    size_t ntargets;
    size_t target_entity[64];
    long target_metric[64];
    sim_tally target_tally[64];
    cli_progress *progress;  /* NULL: no progress line */
    int committed;           /* the results are in place */
    cli_warnings warnings;   /* before the run (overload), then after it (watch) */
    watch_total *totals;     /* per entity of the results, in their order */
    size_t ntotals;
    sim_engine *first;       /* replication 0's engine, built for the overload check and not
                                yet run: the first run_one of replication 0 takes it */
} runner;

/* What a worker thread needs: the runner and its slot of the progress line. */
typedef struct worker_arg {
    runner *p;
    unsigned slot;
} worker_arg;

static double wall_clock(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Reports an error once (the first in replication order wins, since results are written in
 * order) and stops the other workers. Called with the lock held. */
static void fail(runner *p, const char *msg)
{
    if (!p->failed && !atomic_load(&p->stopping)) {   /* a signal ends the run: no noise */
        cli_progress_pause(p->progress);
        cli_print_error(msg);
    }
    p->failed = 1;
    pthread_cond_broadcast(&p->turn);
}

static void fail_output(runner *p)
{
    char msg[1024];
    size_t n = strlen(p->dir);
    snprintf(msg, sizeof msg, "dessa: cannot write the results in '%.*s%s': %s",
             n > 200 ? 96 : (int)n, p->dir, n > 200 ? "..." : "", sim_results_error(&p->out));
    fail(p, msg);
}

/* ---- warnings: overload before the run, unsteady queues and stuck requests after it ----
 * Warnings are not progress: -q does not silence them. They go to stderr and to run.json. */

/* The static check (model/capacity.h) on one built model, before anything runs. The check
 * only reads the model, so the engine is kept for replication 0 (built with the same seed and
 * replication number): a wide model is built once, not twice. */
static void warn_before_run(runner *p)
{
    sim_engine *e = NULL;
    char err[256];
    if (dessa_scenario_build(p->sc, p->seed, 0, &e, err, sizeof err) != SIM_OK)
        return;   /* the run reports it */
    if (cli_overload(e, &p->warnings, NULL) != SIM_OK)
        fprintf(stderr, "warning: out of memory: the model's load was not checked\n");
    p->first = e;
    if (!p->job->quiet_warnings)
        cli_warnings_print(&p->warnings, 0, stderr);
}

/* The series sink of a replication: notes each service row, then writes it. */
static int watch_row(void *ud, const sim_series_row *row)
{
    run_watch *w = ud;
    if (row->time != w->last_time) {
        w->last_time = row->time;
        w->next = 0;
    }
    if (w->svc && !strcmp(row->kind, "service") && w->next < w->nsvcs) {
        watch_svc *v = &w->svc[w->next++];
        double mid = row->time - w->sample / 2, span = w->duration - w->warmup;
        if (mid >= w->warmup && span > 0) {
            int k = (int)(3 * (mid - w->warmup) / span);
            k = k < 0 ? 0 : k > 2 ? 2 : k;
            double held = row->threads_working + row->threads_blocked;
            v->queue[k] += isfinite(row->queue) ? row->queue : 0;
            v->held[k] += isfinite(held) ? held : 0;
            v->n[k]++;
        }
    }
    return w->out(w->out_ud, row);
}

static void watch_start(runner *p, sim_engine *e, rep_done *d)
{
    sim_config cfg;
    int has_seed;
    dessa_scenario_run_config(p->sc, &cfg, &has_seed);
    run_watch *w = &d->watch;
    *w = (run_watch){ sim_series_write, &d->series, cfg.warmup, cfg.duration, cfg.sample, NAN, 0,
                      sim_results_nservices(e), NULL };
    if (p->o->batches) {   /* --batches sits between the watch and the file */
        cli_batches_init(&d->batches, p->warmup, p->sample, sim_series_write, &d->series);
        w->out = cli_batches_write;
        w->out_ud = &d->batches;
    }
    w->svc = calloc(w->nsvcs + 1, sizeof *w->svc);   /* without it, no watch: the run goes on */
    sim_engine_set_series(e, watch_row, w);
}

/* Grew through the whole run: the thirds' means rise, the last is half as large again as the
 * first and at least 2 more. A steady queue's thirds differ by noise, well inside that. */
static int grew(const double *sum, const uint32_t *n, double *a, double *b, double *c)
{
    if (n[0] < 2 || n[1] < 2 || n[2] < 2)
        return 0;   /* too few samples to tell */
    *a = sum[0] / n[0];
    *b = sum[1] / n[1];
    *c = sum[2] / n[2];
    return *a < *b && *b < *c && *c >= 1.5 * *a + 2;
}

/* Judges replication d as it is written (lock held, replications in order). */
static void watch_judge(runner *p, const rep_done *d)
{
    const sim_rep_result *res = &d->res;
    if (!p->totals) {
        p->totals = calloc(res->nentities + 1, sizeof *p->totals);
        p->ntotals = p->totals ? res->nentities : 0;
        for (size_t i = 0; i < p->ntotals; i++)
            p->totals[i].name = strdup(res->entities[i].name);
    }
    uint32_t svc = 0;
    for (size_t i = 0; i < res->nentities && i < p->ntotals; i++) {
        const sim_entity_result *x = &res->entities[i];
        watch_total *t = &p->totals[i];
        if (x->kind == sim_result_kind_flow()) {
            double sent = sim_entity_value(x, "sent"), fl = sim_entity_value(x, "in_flight");
            if (sent >= 10 && fl > 0.5 * sent && !t->stuck++) {
                t->sent = (uint64_t)sent;
                t->in_flight = (uint64_t)fl;
            }
        } else if (x->kind == sim_result_kind_service()) {
            const watch_svc *v = d->watch.svc && svc < d->watch.nsvcs ? &d->watch.svc[svc] : NULL;
            svc++;
            double a, b, c;
            if (!v)
                continue;
            if (grew(v->queue, v->n, &a, &b, &c)) {
                if (!t->growing++)
                    t->a = a, t->b = b, t->c = c, t->what = "its queue";
            } else if (grew(v->held, v->n, &a, &b, &c)) {
                if (!t->growing++)
                    t->a = a, t->b = b, t->c = c, t->what = "its threads held";
            }
        }
    }
}

/* The warnings after the run, from the totals; printed and kept for run.json. */
static void warn_after_run(runner *p)
{
    size_t from = p->warnings.n;
    char reps[64] = "";
    for (size_t i = 0; i < p->ntotals; i++) {
        const watch_total *t = &p->totals[i];
        const char *name = t->name ? t->name : "?";
        char entity[300];
        reps[0] = 0;
        if (t->growing) {
            if (p->reps > 1)
                snprintf(reps, sizeof reps, " in %" PRIu64 " of %" PRIu64 " replications",
                         t->growing, p->reps);
            snprintf(entity, sizeof entity, "service '%s'", name);
            cli_warn(&p->warnings, "not_steady", entity, t->c / (t->a > 0 ? t->a : 1),
                     "%s was not steady%s: %s grew through the whole run (mean %.4g in the "
                     "first third of the statistics window, %.4g in the second, %.4g in the "
                     "last): it is overloaded, or the run is too short to settle",
                     entity, reps, t->what, t->a, t->b, t->c);
        }
        if (t->stuck) {
            if (p->reps > 1)
                snprintf(reps, sizeof reps, " in %" PRIu64 " of %" PRIu64 " replications",
                         t->stuck, p->reps);
            snprintf(entity, sizeof entity, "flow '%s'", name);
            cli_warn(&p->warnings, "in_flight_at_end", entity,
                     (double)t->in_flight / (double)t->sent,
                     "%s: most requests were still in flight at the end%s (%" PRIu64 " of %"
                     PRIu64 " sent after the warm-up): the load never drained, or the run is "
                     "shorter than their response time", entity, reps, t->in_flight, t->sent);
        }
    }
    if (!p->job->quiet_warnings)
        cli_warnings_print(&p->warnings, from, stderr);
}

static void warnings_fini(runner *p)
{
    for (size_t i = 0; i < p->ntotals; i++)
        free(p->totals[i].name);
    free(p->totals);
    cli_warnings_free(&p->warnings);
}

/* Runs replication rep with scenario sc into d (outside the lock, but for the file's creation). */
static void run_one(runner *p, dessa_scenario *sc, uint64_t rep, rep_done *d, unsigned slot)
{
    sim_engine *e = NULL;
    memset(d, 0, sizeof *d);
    if (rep == 0 && p->first) {   /* only one worker takes replication 0: no race */
        e = p->first;
        p->first = NULL;
    } else {
        d->rc = dessa_scenario_build(sc, p->seed, rep, &e, d->err, sizeof d->err);
        if (d->rc != SIM_OK)
            return;
    }
    sim_context ctx = { rep };
    pthread_mutex_lock(&p->lock);
    /* One worker writes each replication as soon as it ends: its rows can go straight to
     * timeseries.csv (no file of its own to create, copy and remove). */
    d->rc = atomic_load(&p->stopping) ? SIM_EIO
            : p->jobs == 1           ? sim_series_open_direct(&p->out, &ctx, &d->series)
                                     : sim_series_open(&p->out, &ctx, &d->series);
    if (d->rc != SIM_OK)
        snprintf(d->err, sizeof d->err, "dessa: cannot write the results: %s",
                 sim_results_error(&p->out));
    pthread_mutex_unlock(&p->lock);
    if (d->rc == SIM_OK) {
        watch_start(p, e, d);
        cli_progress_attach(p->progress, e, slot);
        double t0 = wall_clock();
        d->rc = sim_engine_run(e);
        double wall = wall_clock() - t0;
        const sim_file *sf = d->series.direct ? d->series.direct : &d->series.f;
        if (d->rc != SIM_OK && sf->err)
            snprintf(d->err, sizeof d->err, "dessa: cannot write the time series: '%s': %s",
                     sf->path, strerror(sf->err));
        else if (d->rc != SIM_OK)
            snprintf(d->err, sizeof d->err, "dessa: replication %" PRIu64 ": %s%s%s", rep,
                     sim_strerror(d->rc), sim_engine_error(e)[0] ? ": " : "",
                     sim_engine_error(e));
        else if ((d->rc = sim_engine_result(e, &d->res)) != SIM_OK)
            snprintf(d->err, sizeof d->err, "dessa: replication %" PRIu64 ": %s", rep,
                     sim_strerror(d->rc));
        d->res.wall_seconds = wall;
        cli_progress_rep_done(p->progress, slot, d->rc == SIM_OK ? d->res.events : 0);
    }
    sim_engine_free(e);
}

/* --precision: finds the targets in the first replication's result. 0, or -1 after failing. */
static int resolve_targets(runner *p, const sim_rep_result *res)
{
    const options *o = p->o;
    if (!o->ntargets) {   /* every flow's latency_mean */
        for (size_t i = 0; i < res->nentities && p->ntargets < 64; i++)
            if (res->entities[i].kind == sim_result_kind_flow()) {
                p->target_entity[p->ntargets] = i;
                p->target_metric[p->ntargets++] =
                    sim_result_kind_metric(sim_result_kind_flow(), "latency_mean");
            }
        return 0;
    }
    for (size_t t = 0; t < o->ntargets; t++) {
        const char *name = o->targets[t], *dot = strrchr(name, '.');
        size_t i = 0;
        long m = -1;
        for (; dot && i < res->nentities; i++) {
            const sim_entity_result *x = &res->entities[i];
            if (strlen(x->name) == (size_t)(dot - name) && !strncmp(x->name, name, (size_t)(dot - name)) &&
                (m = sim_result_kind_metric(x->kind, dot + 1)) >= 0)
                break;
        }
        if (m < 0) {
            char msg[600];
            snprintf(msg, sizeof msg, "dessa: --target %.200s: no such metric; write ENTITY.METRIC "
                     "with a column of flows.csv or services.csv, e.g. %.200s.latency_mean",
                     name, res->nentities ? res->entities[0].name : "client");
            fail(p, msg);
            return -1;
        }
        p->target_entity[t] = i;
        p->target_metric[t] = m;
    }
    p->ntargets = o->ntargets;
    return 0;
}

/* --precision: adds replication res to the targets' tallies; true when every target's 95%
 * half-width is within the precision of its mean (after the minimum of replications). */
static int precise_enough(runner *p, const sim_rep_result *res)
{
    int ok = p->written + 1 >= CLI_PRECISION_MIN_REPS;
    for (size_t t = 0; t < p->ntargets; t++) {
        const sim_entity_result *x = &res->entities[p->target_entity[t]];
        long m = p->target_metric[t];
        double v = x->kind->metrics[m].type == SIM_METRIC_COUNT ? (double)x->m[m].count
                                                                : x->m[m].real;
        if (isnan(v)) {
            ok = 0;
            continue;
        }
        sim_tally_add(&p->target_tally[t], v);
        double mean = sim_tally_mean(&p->target_tally[t]);
        double hw = sim_ci_t_halfwidth(&p->target_tally[t], 0.95);
        if (!(hw <= p->o->precision * fabs(mean)))
            ok = 0;
    }
    return ok;
}

static void watch_fini(rep_done *d)
{
    free(d->watch.svc);
    d->watch.svc = NULL;
}

/* Writes replication d (the next in order). Called with the lock held. */
static int write_one(runner *p, rep_done *d)
{
    if (d->rc != SIM_OK) {
        fail(p, d->err);
        return -1;
    }
    sim_context ctx = { p->written };
    char *line = cli_json_rep(&d->res);
    int rc = sim_results_add(&p->out, &ctx, &d->res);
    if (rc == SIM_OK)
        rc = sim_results_add_series(&p->out, &d->series, &p->stopping);
    if (rc == SIM_OK && line) {
        sim_file_puts(&p->reps_file, p->written ? ",\n" : "");
        sim_file_puts(&p->reps_file, line);
        if (p->reps_file.err)
            rc = sim_outdir_fail(&p->out.dir, p->reps_file.path, p->reps_file.err, NULL);
    }
    free(line);
    if (rc == SIM_OK && p->job->point)
        rc = cli_point_row(&p->point_file, p->job->point, p->written, &d->res)
                 ? sim_outdir_fail(&p->out.dir, p->point_file.path, p->point_file.err, NULL)
                 : SIM_OK;
    if (rc == SIM_OK && p->o->batches &&
        cli_batches_rows(&p->batches_file, &d->batches, p->written) != 0)
        rc = sim_outdir_fail(&p->out.dir, p->batches_file.path, p->batches_file.err, NULL);
    if (rc != SIM_OK || !line) {
        if (rc == SIM_OK)
            fail(p, "dessa: out of memory");
        else
            fail_output(p);
        return -1;
    }
    if (p->table && cli_table_add(p->table, &d->res) != SIM_OK) {
        fail(p, "dessa: out of memory");
        return -1;
    }
    p->events += d->res.events;
    watch_judge(p, d);
    if (p->o->precision > 0) {
        if (p->written == 0 && resolve_targets(p, &d->res) != 0)
            return -1;
        if (precise_enough(p, &d->res))
            p->reps = p->written + 1;   /* no more: later ones already running are dropped */
    }
    return 0;
}

/* Stores a finished replication and writes every one whose turn has come. Lock held. */
static void finish_one(runner *p, uint64_t rep, rep_done *d)
{
    rep_done *slot = &p->pending[rep % p->window];
    *slot = *d;
    slot->ready = 1;
    for (;;) {
        rep_done *w = &p->pending[p->written % p->window];
        if (!w->ready || p->failed || p->written >= p->reps)
            break;
        int rc = write_one(p, w);
        sim_series_discard(&w->series);
        watch_fini(w);
        sim_rep_result_fini(&w->res);
        cli_batches_fini(&w->batches);
        w->ready = 0;
        if (rc != 0)
            break;
        p->written++;
    }
    pthread_cond_broadcast(&p->turn);
}

static void work(runner *p, dessa_scenario *sc, unsigned slot)
{
    pthread_mutex_lock(&p->lock);
    for (;;) {
        while (!p->failed && p->next < p->reps && p->next >= p->written + p->window)
            pthread_cond_wait(&p->turn, &p->lock);
        if (p->failed || p->next >= p->reps)
            break;
        uint64_t rep = p->next++;
        pthread_mutex_unlock(&p->lock);
        rep_done d;
        run_one(p, sc, rep, &d, slot);
        pthread_mutex_lock(&p->lock);
        if (p->failed || rep >= p->reps) {   /* an earlier one failed, or --precision was met:
                                                this one is not written */
            sim_series_discard(&d.series);
            watch_fini(&d);
            sim_rep_result_fini(&d.res);
            cli_batches_fini(&d.batches);
            break;
        }
        finish_one(p, rep, &d);
    }
    pthread_mutex_unlock(&p->lock);
}

static void *worker(void *arg)
{
    runner *p = ((worker_arg *)arg)->p;
    char err[1024];
    dessa_load_opts lo = cli_load_opts(p->o, 1);
    lo.overrides = p->job->sets;
    lo.noverrides = p->job->nsets;
    dessa_scenario *sc = dessa_scenario_load(p->o->scenario, &lo, err, sizeof err);
    if (!sc) {
        pthread_mutex_lock(&p->lock);
        fail(p, err);
        pthread_mutex_unlock(&p->lock);
        return NULL;
    }
    if (p->o->batches)
        dessa_scenario_set_sample(sc, p->sample);
    work(p, sc, ((worker_arg *)arg)->slot);
    dessa_scenario_free(sc);
    return NULL;
}

/* ---- signals ------------------------------------------------------------------------
 * The runs in progress register here; a signal removes their staging directories (a sweep's
 * finished points stay, for --resume) and ends the process the way the signal would have. */

#define MAX_ACTIVE 1024
static pthread_mutex_t active_lock = PTHREAD_MUTEX_INITIALIZER;
static runner *active[MAX_ACTIVE];

static void activate(runner *p, int on)
{
    pthread_mutex_lock(&active_lock);
    for (size_t i = 0; i < MAX_ACTIVE; i++)
        if (on ? !active[i] : active[i] == p) {
            active[i] = on ? p : NULL;
            break;
        }
    pthread_mutex_unlock(&active_lock);
}

static const char *signal_note;
static atomic_int signal_quit;     /* set before the thread is woken to end (no cancellation:
                                      a thread cancelled inside sigwait leaves its frame to the
                                      sanitizers' stack checks) */   /* what an interruption keeps, said after "interrupted" */

static void *signal_thread(void *arg)
{
    const sigset_t *set = arg;
    int sig;
    if (sigwait(set, &sig) != 0 || atomic_load(&signal_quit))
        return NULL;   /* cli_signals_release woke it up to end */
    pthread_mutex_lock(&active_lock);   /* no run starts or ends from here on */
    int uncommitted = 0;
    for (size_t i = 0; i < MAX_ACTIVE; i++) {
        runner *p = active[i];
        if (!p)
            continue;
        atomic_store(&p->stopping, 1);     /* a long copy of a time series gives up */
        cli_progress_pause(p->progress);   /* the terminal's line is left clean */
        pthread_mutex_lock(&p->lock);      /* no file is being created or committed */
        uncommitted |= !p->committed;
        sim_file_fini(&p->reps_file, 1);
        sim_file_fini(&p->point_file, 1);
        sim_file_fini(&p->batches_file, 1);
        /* the staging directory only: a worker may be writing a time series straight into
           timeseries.csv (sim_series_open_direct), so the tables stay open until the end */
        sim_outdir_abort(&p->out.dir);
    }
    cli_sweep_abort();
    fprintf(stderr, "dessa: %s%s\n", sig == SIGINT ? "interrupted" : "terminated",
            signal_note ? signal_note
            : uncommitted ? ": no results written (any earlier ones are unchanged)" : "");
    /* End the way the signal would have ended us, without unlocking: nothing else runs. */
    signal(sig, SIG_DFL);
    pthread_sigmask(SIG_UNBLOCK, set, NULL);
    raise(sig);
    return NULL;
}

static sigset_t signal_set;
static sigset_t signal_old;
static pthread_t signal_th;
static int have_signal_th;

void cli_signals_take(const char *note)
{
    signal_note = note;
    sigemptyset(&signal_set);
    sigaddset(&signal_set, SIGINT);
    sigaddset(&signal_set, SIGTERM);
    /* Signals go to the signal thread only: every other thread inherits the mask. */
    pthread_sigmask(SIG_BLOCK, &signal_set, &signal_old);
    have_signal_th = pthread_create(&signal_th, NULL, signal_thread, &signal_set) == 0;
}

void cli_signals_release(void)
{
    if (have_signal_th) {
        atomic_store(&signal_quit, 1);
        pthread_kill(signal_th, SIGTERM);   /* blocked everywhere: its sigwait takes it */
        pthread_join(signal_th, NULL);
        have_signal_th = 0;
        atomic_store(&signal_quit, 0);
    }
    pthread_sigmask(SIG_SETMASK, &signal_old, NULL);
}

/* ---- the progress line (progress.c) ------------------------------------------------- */

/* -q silences the line unless --progress was given explicitly. */
static cli_progress *start_progress(const options *o, const sim_config *cfg, uint64_t reps,
                                    unsigned jobs)
{
    int mode = o->progress;
    if (o->quiet && !o->progress_given)
        mode = CLI_PROGRESS_NEVER;
    return cli_progress_start(mode, reps, jobs, cfg->duration);
}

/* ---- the command -------------------------------------------------------------------- */

void cli_default_out(const char *scenario, char *dir, size_t n)
{
    const char *base = strrchr(scenario, '/');
    base = base ? base + 1 : scenario;
    size_t len = strlen(base);
    if (len > 4 && !strcmp(base + len - 4, ".lua"))
        len -= 4;
    snprintf(dir, n, "out/%.*s", (int)len, base);
}

/* Writes run.json: its head, the replications' lines staged so far, its tail. */
static int write_run_json(runner *p, const sim_config *cfg, double wall)
{
    cli_json_run jr = { p->o->scenario, p->seed, p->reps, p->jobs, cfg->duration, cfg->warmup,
                        cfg->sample, p->sc, p->job->sets, p->job->nsets, p->events, wall,
                        &p->warnings };
    char *head = cli_json_head(&jr);
    if (!head) {
        fail(p, "dessa: out of memory (run.json)");
        return -1;
    }
    sim_file json;
    int rc = sim_results_file(&p->out, SIM_OUT_RUN_JSON, &json);
    if (rc == SIM_OK) {
        sim_file_puts(&json, head);
        errno = 0;
        if (fflush(p->reps_file.f) != 0) {
            p->reps_file.err = errno ? errno : EIO;
            rc = sim_outdir_fail(&p->out.dir, p->reps_file.path, p->reps_file.err, NULL);
        } else {
            rewind(p->reps_file.f);
            sim_file_append(&json, p->reps_file.f, &p->stopping);
            sim_file_puts(&json, cli_json_tail());
            rc = sim_results_close(&p->out, &json);
        }
    }
    sim_file_fini(&json, rc != SIM_OK);
    free(head);
    if (rc != SIM_OK) {
        fail_output(p);
        return -1;
    }
    return 0;
}

/* The time series costs disk, not memory, but a tiny `sample` can still fill a disk: say so
 * before running when it will be large. The number of entities comes from one built model. */
static void warn_series_size(dessa_scenario *sc, const sim_config *cfg, uint64_t reps)
{
    double per_entity = floor(cfg->duration / cfg->sample);
    if (!(per_entity * (double)reps > 1e6))
        return;
    sim_engine *e = NULL;
    char err[256];
    if (dessa_scenario_build(sc, dessa_scenario_seed(sc), 0, &e, err, sizeof err) != SIM_OK)
        return;   /* the run reports it */
    double rows = per_entity * (double)reps *
                  (double)(sim_results_nflows(e) + sim_results_nservices(e));
    sim_engine_free(e);
    if (rows > SERIES_WARN_ROWS)
        fprintf(stderr, "dessa: warning: the time series will have %.3g rows (about %.0f GB on "
                        "disk); a larger run.sample writes fewer\n", rows, rows * 40 / 1e9);
}

int cli_run_job(cli_job *job)
{
    const options *o = job->o;
    double t0 = wall_clock();
    dessa_scenario *sc = job->sc;
    sim_config cfg;
    int scenario_seed;
    dessa_scenario_run_config(sc, &cfg, &scenario_seed);

    runner p = { .o = o, .job = job, .dir = job->dir, .sc = sc, .seed = dessa_scenario_seed(sc),
                 .reps = job->reps, .jobs = job->jobs, .table = job->table,
                 .warmup = cfg.warmup, .sample = cfg.sample };
    if (p.jobs > p.reps)
        p.jobs = (unsigned)p.reps;
    p.window = 2 * (uint64_t)p.jobs + 2;
    if (p.window > p.reps)
        p.window = p.reps;
    pthread_mutex_init(&p.lock, NULL);
    pthread_cond_init(&p.turn, NULL);
    atomic_init(&p.stopping, 0);
    p.pending = calloc(p.window, sizeof *p.pending);
    int status = EXIT_MODEL;
    if (!p.pending) {
        fprintf(stderr, "dessa: out of memory\n");
        goto done;
    }
    activate(&p, 1);
    warn_before_run(&p);   /* before the progress line starts */
    if (job->progress)   /* after the signals were taken: its printer inherits the mask */
        p.progress = start_progress(o, &cfg, p.reps, p.jobs);
    else
        p.progress = job->progress_view;   /* a sweep's line (its point's part of it) */

    pthread_mutex_lock(&p.lock);
    int rc = sim_results_open(&p.out, p.dir);
    p.out.nosync = job->committer != NULL;   /* made durable by the committer, all at once */
    if (rc == SIM_OK)
        rc = sim_results_file(&p.out, ".replications", &p.reps_file);
    if (rc == SIM_OK && job->point)
        rc = sim_results_file(&p.out, CLI_POINT_CSV, &p.point_file);
    if (rc == SIM_OK && o->batches) {
        rc = sim_results_file(&p.out, CLI_BATCHES_CSV, &p.batches_file);
        size_t n;
        const char *const *cols = cli_batches_columns(&n);
        if (rc == SIM_OK)
            sim_csv_header(&p.batches_file, cols, n);
    }
    if (rc == SIM_ENOMEM)
        fail(&p, "dessa: out of memory");
    else if (rc != SIM_OK)
        fail_output(&p);
    pthread_mutex_unlock(&p.lock);

    pthread_t th[MAX_JOBS];
    worker_arg args[MAX_JOBS];
    unsigned started = 0;
    for (unsigned i = 1; !p.failed && i < p.jobs; i++) {
        args[started] = (worker_arg){ &p, i };
        if (pthread_create(&th[started], NULL, worker, &args[started]) == 0)
            started++;
    }
    if (!p.failed)
        work(&p, sc, 0);
    for (unsigned i = 0; i < started; i++)
        pthread_join(th[i], NULL);

    pthread_mutex_lock(&p.lock);
    if (!p.failed && p.written == p.reps)
        warn_after_run(&p);
    if (!p.failed && job->point && sim_results_close(&p.out, &p.point_file) != SIM_OK)
        fail_output(&p);
    if (!p.failed && o->batches && sim_results_close(&p.out, &p.batches_file) != SIM_OK)
        fail_output(&p);
    if (!p.failed && p.written == p.reps && write_run_json(&p, &cfg, wall_clock() - t0) == 0) {
        sim_file_fini(&p.reps_file, 1);
        sim_outdir staged;
        rc = job->committer ? sim_results_stage(&p.out, &staged) : sim_results_commit(&p.out);
        if (rc == SIM_OK && job->committer)
            cli_commit_point(job->committer, job->point, &staged);
        if (rc != SIM_OK) {
            fail_output(&p);
        } else {
            status = 0;
            p.committed = 1;
        }
    }
    if (status != 0 && p.out.dir.err[0] && !p.failed)
        fprintf(stderr, "dessa: cannot write the results in '%s': %s\n", p.dir,
                sim_results_error(&p.out));
    sim_file_fini(&p.reps_file, 1);
    sim_file_fini(&p.point_file, status != 0);
    sim_file_fini(&p.batches_file, status != 0);
    sim_results_abort(&p.out);
    job->reps_done = p.written;
    pthread_mutex_unlock(&p.lock);
    activate(&p, 0);
    cli_progress_stop(p.progress, status == 0);
done:
    for (uint64_t i = 0; p.pending && i < p.window; i++) {
        sim_series_discard(&p.pending[i].series);
        sim_rep_result_fini(&p.pending[i].res);
        cli_batches_fini(&p.pending[i].batches);
        watch_fini(&p.pending[i]);
    }
    warnings_fini(&p);
    sim_engine_free(p.first);   /* not taken: the run failed or stopped before it */
    free(p.pending);
    pthread_cond_destroy(&p.turn);
    pthread_mutex_destroy(&p.lock);
    return status;
}

/* --batches: the flows' latency_mean and throughput from batches.csv, replication 0. */
static void print_batches(const char *dir, unsigned batches, double len, double from)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, CLI_BATCHES_CSV);
    FILE *in = fopen(path, "r");
    if (!in)
        return;
    printf("\nbatch means, replication 0: %u batches of %.6g s from t = %.6g s (mean ±95%% CI "
           "half-width; r1: lag-1 autocorrelation of the batch means)\n", batches, len, from);
    char line[2048];
    while (fgets(line, sizeof line, in)) {
        char rep[32], entity[512], kind[32], metric[64], n[32], mean[64], half[64], r1[64];
        if (sscanf(line, "%31[^,],%511[^,],%31[^,],%63[^,],%31[^,],%63[^,],%63[^,],%63[^\n]",
                   rep, entity, kind, metric, n, mean, half, r1) != 8 ||
            strcmp(rep, "0") || strcmp(kind, "flow") ||
            (strcmp(metric, "latency_mean") && strcmp(metric, "throughput")))
            continue;
        printf("  %-16s %-14s %12.6g ± %-10.3g r1 = %.2f%s\n", entity, metric,
               strtod(mean, NULL), strtod(half, NULL), strtod(r1, NULL),
               strtod(r1, NULL) > 0.2 ? "  (correlated: use fewer, longer batches)" : "");
    }
    fclose(in);
}

/* Says how --precision ended: met after n replications, or not met at the maximum. */
void cli_precision_note(const options *o, uint64_t done, uint64_t max)
{
    if (done < max)
        fprintf(stderr, "--precision %g: met after %" PRIu64 " replications\n", o->precision,
                done);
    else
        fprintf(stderr, "warning: --precision %g not met after the maximum of %" PRIu64
                        " replications (raise --reps)\n", o->precision, max);
}

int cli_run(const options *o)
{
    dessa_scenario *sc = cli_load(o);
    if (!sc)
        return EXIT_MODEL;
    sim_config cfg;
    int scenario_seed;
    dessa_scenario_run_config(sc, &cfg, &scenario_seed);
    if (o->batches) {
        /* One time-series row per batch. Rows fall on multiples of the interval from 0, so
         * the B batches are the last B intervals of duration / (m + B), with m the fewest
         * intervals that cover the warm-up: m = ceil(warmup * B / (duration - warmup)). */
        double m = ceil(cfg.warmup * o->batches / (cfg.duration - cfg.warmup));
        cfg.sample = cfg.duration / (m + o->batches);
        dessa_scenario_set_sample(sc, cfg.sample);
    }
    warn_series_size(sc, &cfg, o->reps);
    char defdir[4096];
    const char *dir = o->out;   /* used as given: never shortened */
    if (!dir) {
        cli_default_out(o->scenario, defdir, sizeof defdir);
        dir = defdir;
    }
    int refused = cli_check_overwrite(o, dir, sc);
    if (refused) {
        dessa_scenario_free(sc);
        return refused;
    }
    uint64_t reps = o->precision > 0 && !o->has_reps ? CLI_PRECISION_MAX_REPS : o->reps;
    /* The summary table only when it is printed: a wide model's has a row per entity. */
    cli_job job = { .o = o, .sc = sc, .sets = o->sets, .nsets = o->nsets, .dir = dir,
                    .reps = reps, .jobs = o->jobs, .table = o->quiet ? NULL : cli_table_new(),
                    .progress = 1 };
    int status = EXIT_MODEL;
    if (!job.table && !o->quiet) {
        fprintf(stderr, "dessa: out of memory\n");
    } else {
        if (!o->quiet)   /* the header before the run */
            cli_table_print_header(stdout, o->scenario, reps, dessa_scenario_seed(sc));
        cli_signals_take(NULL);
        status = cli_run_job(&job);
        cli_signals_release();
    }
    if (status == 0 && o->precision > 0)
        cli_precision_note(o, job.reps_done, reps);
    if (status == 0 && !o->quiet) {
        cli_table_print(job.table, stdout, o->scenario, dessa_scenario_seed(sc), dir, o->rows);
        if (o->batches)
            print_batches(dir, o->batches, cfg.sample, cfg.duration - o->batches * cfg.sample);
    }
    cli_table_free(job.table);
    dessa_scenario_free(sc);
    return status;
}
