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
    sim_series_sink *series;     /* where the rows go on to */
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
    uint64_t events;
    cli_warnings warnings;   /* before the run (overload), then after it (watch) */
    watch_total *totals;     /* per entity of the results, in their order */
    size_t ntotals;
} runner;

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
    if (!p->failed)
        fprintf(stderr, "%s\n", msg);
    p->failed = 1;
    pthread_cond_broadcast(&p->turn);
}

static void fail_output(runner *p)
{
    char msg[1024];
    size_t n = strlen(p->dir);
    snprintf(msg, sizeof msg, "error: cannot write the results in '%.*s%s': %s",
             n > 200 ? 96 : (int)n, p->dir, n > 200 ? "..." : "", sim_results_error(&p->out));
    fail(p, msg);
}

/* ---- warnings: overload before the run, unsteady queues and stuck requests after it ----
 * Warnings are not progress: -q does not silence them. They go to stderr and to run.json. */

/* The static check (model/capacity.h) on one built model, before anything runs. */
static void warn_before_run(runner *p)
{
    sim_engine *e = NULL;
    char err[256];
    if (dessa_scenario_build(p->sc, p->seed, 0, &e, err, sizeof err) != SIM_OK)
        return;   /* the run reports it */
    if (cli_overload(e, &p->warnings, NULL) != SIM_OK)
        fprintf(stderr, "warning: out of memory: the model's load was not checked\n");
    sim_engine_free(e);
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
    return sim_series_write(w->series, row);
}

static void watch_start(runner *p, sim_engine *e, rep_done *d)
{
    sim_config cfg;
    int has_seed;
    dessa_scenario_run_config(p->sc, &cfg, &has_seed);
    run_watch *w = &d->watch;
    *w = (run_watch){ &d->series, cfg.warmup, cfg.duration, cfg.sample, NAN, 0,
                      sim_results_nservices(e), NULL };
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
static void run_one(runner *p, dessa_scenario *sc, uint64_t rep, rep_done *d)
{
    sim_engine *e = NULL;
    memset(d, 0, sizeof *d);
    d->rc = dessa_scenario_build(sc, p->seed, rep, &e, d->err, sizeof d->err);
    if (d->rc != SIM_OK)
        return;
    sim_context ctx = { rep };
    pthread_mutex_lock(&p->lock);
    d->rc = atomic_load(&p->stopping) ? SIM_EIO : sim_series_open(&p->out, &ctx, &d->series);
    if (d->rc != SIM_OK)
        snprintf(d->err, sizeof d->err, "error: cannot write the results: %s",
                 sim_results_error(&p->out));
    pthread_mutex_unlock(&p->lock);
    if (d->rc == SIM_OK) {
        watch_start(p, e, d);
        double t0 = wall_clock();
        d->rc = sim_engine_run(e);
        double wall = wall_clock() - t0;
        if (d->rc != SIM_OK && d->series.f.err)
            snprintf(d->err, sizeof d->err, "error: cannot write the time series: '%s': %s",
                     d->series.f.path, strerror(d->series.f.err));
        else if (d->rc != SIM_OK)
            snprintf(d->err, sizeof d->err, "error: replication %" PRIu64 ": %s%s%s", rep,
                     sim_strerror(d->rc), sim_engine_error(e)[0] ? ": " : "",
                     sim_engine_error(e));
        else if ((d->rc = sim_engine_result(e, &d->res)) != SIM_OK)
            snprintf(d->err, sizeof d->err, "error: replication %" PRIu64 ": %s", rep,
                     sim_strerror(d->rc));
        d->res.wall_seconds = wall;
    }
    sim_engine_free(e);
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
    if (rc != SIM_OK || !line) {
        if (rc == SIM_OK)
            fail(p, "error: out of memory");
        else
            fail_output(p);
        return -1;
    }
    if (cli_table_add(p->table, &d->res) != SIM_OK) {
        fail(p, "error: out of memory");
        return -1;
    }
    p->events += d->res.events;
    watch_judge(p, d);
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
        if (!w->ready || p->failed)
            break;
        int rc = write_one(p, w);
        sim_series_discard(&w->series);
        watch_fini(w);
        sim_rep_result_fini(&w->res);
        w->ready = 0;
        if (rc != 0)
            break;
        p->written++;
    }
    pthread_cond_broadcast(&p->turn);
}

static void work(runner *p, dessa_scenario *sc)
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
        run_one(p, sc, rep, &d);
        pthread_mutex_lock(&p->lock);
        if (p->failed) {   /* an earlier replication failed: this one is not written */
            sim_series_discard(&d.series);
            watch_fini(&d);
            sim_rep_result_fini(&d.res);
            break;
        }
        finish_one(p, rep, &d);
    }
    pthread_mutex_unlock(&p->lock);
}

static void *worker(void *arg)
{
    runner *p = arg;
    char err[1024];
    dessa_load_opts lo = cli_load_opts(p->o, 1);
    dessa_scenario *sc = dessa_scenario_load(p->o->scenario, &lo, err, sizeof err);
    if (!sc) {
        pthread_mutex_lock(&p->lock);
        fail(p, err);
        pthread_mutex_unlock(&p->lock);
        return NULL;
    }
    work(p, sc);
    dessa_scenario_free(sc);
    return NULL;
}

/* ---- signals ------------------------------------------------------------------------ */

static void *signal_thread(void *arg)
{
    runner *p = arg;
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    int sig;
    if (sigwait(&set, &sig) != 0)
        return NULL;
    atomic_store(&p->stopping, 1);     /* a long copy of a time series gives up */
    pthread_mutex_lock(&p->lock);      /* no file is being created or committed */
    sim_file_fini(&p->reps_file, 1);
    sim_results_abort(&p->out);
    /* End the way the signal would have ended us, without unlocking: nothing else runs. */
    signal(sig, SIG_DFL);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
    raise(sig);
    return NULL;
}

/* ---- the command -------------------------------------------------------------------- */

static void default_out(const char *scenario, char *dir, size_t n)
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
                        cfg->sample, p->sc, p->events, wall, &p->warnings };
    char *head = cli_json_head(&jr);
    if (!head) {
        fail(p, "error: out of memory (run.json)");
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
        fprintf(stderr, "warning: the time series will have %.3g rows (about %.0f GB on disk); "
                        "a larger run.sample writes fewer\n", rows, rows * 40 / 1e9);
}

int cli_run(const options *o)
{
    double t0 = wall_clock();
    char err[1024];
    dessa_load_opts lo = cli_load_opts(o, 0);
    dessa_scenario *sc = dessa_scenario_load(o->scenario, &lo, err, sizeof err);
    if (!sc) {
        fprintf(stderr, "%s\n", err);
        return EXIT_MODEL;
    }
    sim_config cfg;
    int scenario_seed;
    dessa_scenario_run_config(sc, &cfg, &scenario_seed);
    warn_series_size(sc, &cfg, o->reps);
    char defdir[4096];
    const char *dir = o->out;   /* used as given: never shortened */
    if (!dir) {
        default_out(o->scenario, defdir, sizeof defdir);
        dir = defdir;
    }

    runner p = { .o = o, .dir = dir, .sc = sc, .seed = dessa_scenario_seed(sc), .reps = o->reps,
                 .jobs = o->jobs };
    if (p.jobs > p.reps)
        p.jobs = (unsigned)p.reps;
    p.window = 2 * (uint64_t)p.jobs + 2;
    if (p.window > p.reps)
        p.window = p.reps;
    pthread_mutex_init(&p.lock, NULL);
    pthread_cond_init(&p.turn, NULL);
    atomic_init(&p.stopping, 0);
    p.pending = calloc(p.window, sizeof *p.pending);
    p.table = cli_table_new();
    int status = EXIT_MODEL;
    if (!p.pending || !p.table) {
        fprintf(stderr, "error: out of memory\n");
        goto done;
    }

    warn_before_run(&p);

    /* Signals go to the signal thread only: every other thread inherits the mask. */
    sigset_t set, old;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, &old);
    pthread_t sigth;
    int have_sigth = pthread_create(&sigth, NULL, signal_thread, &p) == 0;

    pthread_mutex_lock(&p.lock);
    int rc = sim_results_open(&p.out, dir);
    if (rc == SIM_OK)
        rc = sim_results_file(&p.out, ".replications", &p.reps_file);
    if (rc == SIM_ENOMEM)
        fail(&p, "error: out of memory");
    else if (rc != SIM_OK)
        fail_output(&p);
    pthread_mutex_unlock(&p.lock);

    pthread_t th[MAX_JOBS];
    unsigned started = 0;
    for (unsigned i = 1; !p.failed && i < p.jobs; i++)
        if (pthread_create(&th[started], NULL, worker, &p) == 0)
            started++;
    if (!p.failed)
        work(&p, sc);
    for (unsigned i = 0; i < started; i++)
        pthread_join(th[i], NULL);

    pthread_mutex_lock(&p.lock);
    if (!p.failed && p.written == p.reps)
        warn_after_run(&p);
    if (!p.failed && p.written == p.reps && write_run_json(&p, &cfg, wall_clock() - t0) == 0) {
        sim_file_fini(&p.reps_file, 1);
        if (sim_results_commit(&p.out) != SIM_OK)
            fail(&p, "");   /* placeholder replaced below */
        else
            status = 0;
    }
    if (status != 0 && p.out.dir.err[0] && !p.failed)
        fprintf(stderr, "error: cannot write the results in '%s': %s\n", dir,
                sim_results_error(&p.out));
    sim_file_fini(&p.reps_file, 1);
    sim_results_abort(&p.out);
    pthread_mutex_unlock(&p.lock);

    if (have_sigth) {
        pthread_cancel(sigth);
        pthread_join(sigth, NULL);
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (status == 0 && !o->quiet)
        cli_table_print(p.table, stdout, o->scenario, p.seed, dir);
done:
    for (uint64_t i = 0; p.pending && i < p.window; i++) {
        sim_series_discard(&p.pending[i].series);
        sim_rep_result_fini(&p.pending[i].res);
        watch_fini(&p.pending[i]);
    }
    warnings_fini(&p);
    free(p.pending);
    cli_table_free(p.table);
    pthread_cond_destroy(&p.turn);
    pthread_mutex_destroy(&p.lock);
    dessa_scenario_free(sc);
    return status;
}
