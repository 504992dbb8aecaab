/* progress: the progress line of dessa run, on stderr.
 *
 * Each worker thread owns a slot; the engine's progress hook (every SIM_PROGRESS_EVERY events,
 * far from the hot path) stores the replication's simulated time and event count there with
 * relaxed atomic stores. One printer thread reads the slots a few times per second and rewrites
 * one line:
 *
 *   reps 3/10 | t 1234/3600 s | 12.3M events/s | ETA 0:42
 *
 * t is the simulated time of the slowest replication running; the ETA assumes the simulated
 * time still to run goes at the speed seen so far. On a terminal the line is rewritten in place
 * (carriage return, erase to the end of the line) at most 4 times per second and erased at the
 * end; on anything else (--progress=always into a file) a line is appended once per second and
 * a last one at the end, so logs stay readable. Nothing is printed in the first half second:
 * short runs stay quiet.
 *
 * A sweep has one line for all its points (cli_progress_sweep):
 *
 *   points 3/12 | reps 34/120 | 12.3M events/s | ETA 0:42
 *
 * Each thread running points holds a view (cli_progress_point): a cli_progress that forwards
 * to the sweep's line, with its own range of slots (one per replication thread of the point)
 * and the point's duration. dessa run's code takes a view like a line of its own; the ETA
 * counts the replications finished plus the fraction of simulated time of those running. */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

typedef struct slot {
    _Atomic double now;         /* simulated time of the replication running, or -1 */
    _Atomic uint64_t events;    /* its events so far */
    _Atomic double duration;    /* its run's duration (a sweep's points may differ) */
} slot;

struct cli_progress {
    cli_progress *parent;       /* a view: the sweep's line; only base and duration are used */
    unsigned base;              /* a view: its first slot in the parent */
    int tty;                    /* rewrite in place (a terminal) or append lines */
    int points;                 /* a sweep's line */
    uint64_t npoints;           /* a sweep: points to run */
    atomic_uint_fast64_t points_done;
    atomic_uint_fast64_t reps_total;   /* a sweep: lowered when a point stops early */
    double hold_until;          /* a sweep: no redraw before (after an error message) */
    unsigned nviews;
    cli_progress *views;
    uint64_t reps;
    double duration;
    unsigned nslots;
    slot *slots;
    atomic_uint_fast64_t done, done_events;
    double t0;
    pthread_t printer;
    pthread_mutex_t lock;       /* stop, shown, paused and every write to stderr */
    pthread_cond_t wake;
    int stop, shown, paused;
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* "1:02:03", "2:03" or "42 s". */
static void fmt_duration(char *buf, size_t n, double s)
{
    if (!(s >= 0) || s > 1e8) {
        snprintf(buf, n, "?");
        return;
    }
    unsigned long t = (unsigned long)(s + 0.5);
    if (t >= 3600)
        snprintf(buf, n, "%lu:%02lu:%02lu", t / 3600, t / 60 % 60, t % 60);
    else if (t >= 60)
        snprintf(buf, n, "%lu:%02lu", t / 60, t % 60);
    else
        snprintf(buf, n, "%lu s", t);
}

static void fmt_rate(char *buf, size_t n, double r)
{
    if (r >= 1e9)
        snprintf(buf, n, "%.1fG", r / 1e9);
    else if (r >= 1e6)
        snprintf(buf, n, "%.1fM", r / 1e6);
    else if (r >= 1e3)
        snprintf(buf, n, "%.1fk", r / 1e3);
    else
        snprintf(buf, n, "%.0f", r);
}

static void compose_points(cli_progress *pr, char *buf, size_t n)
{
    uint64_t done = atomic_load_explicit(&pr->done, memory_order_relaxed);
    uint64_t total = atomic_load_explicit(&pr->reps_total, memory_order_relaxed);
    uint64_t pdone = atomic_load_explicit(&pr->points_done, memory_order_relaxed);
    double events = (double)atomic_load_explicit(&pr->done_events, memory_order_relaxed);
    double partial = 0;
    for (unsigned i = 0; i < pr->nslots; i++) {
        double t = atomic_load_explicit(&pr->slots[i].now, memory_order_relaxed);
        double d = atomic_load_explicit(&pr->slots[i].duration, memory_order_relaxed);
        if (t < 0)
            continue;
        events += (double)atomic_load_explicit(&pr->slots[i].events, memory_order_relaxed);
        if (d > 0)
            partial += fmin(t / d, 1.0);
    }
    int finished = pdone >= pr->npoints;
    if (finished || done > total)
        done = total;   /* a failed point's replications count as done */
    double elapsed = now_s() - pr->t0;
    double frac = total ? ((double)done + partial) / (double)total : 1.0;
    if (frac > 1)
        frac = 1;
    char rate[32], eta[32];
    fmt_rate(rate, sizeof rate, elapsed > 0 ? events / elapsed : 0);
    snprintf(eta, sizeof eta, finished ? "done in " : "ETA ");
    size_t k = strlen(eta);
    fmt_duration(eta + k, sizeof eta - k,
                 finished ? elapsed : frac > 0 ? elapsed * (1 - frac) / frac : -1);
    snprintf(buf, n, "points %llu/%llu | reps %llu/%llu | %s events/s | %s",
             (unsigned long long)pdone, (unsigned long long)pr->npoints, (unsigned long long)done,
             (unsigned long long)total, rate, eta);
}

/* The line as it stands now (at most about 70 characters). */
static void compose(cli_progress *pr, char *buf, size_t n)
{
    if (pr->points) {
        compose_points(pr, buf, n);
        return;
    }
    uint64_t done = atomic_load_explicit(&pr->done, memory_order_relaxed);
    double events = (double)atomic_load_explicit(&pr->done_events, memory_order_relaxed);
    double slowest = -1, partial = 0;
    for (unsigned i = 0; i < pr->nslots; i++) {
        double t = atomic_load_explicit(&pr->slots[i].now, memory_order_relaxed);
        if (t < 0)
            continue;
        events += (double)atomic_load_explicit(&pr->slots[i].events, memory_order_relaxed);
        if (slowest < 0 || t < slowest)
            slowest = t;
        partial += fmin(t / pr->duration, 1.0);
    }
    if (done > pr->reps)
        done = pr->reps;
    double elapsed = now_s() - pr->t0;
    double frac = ((double)done + partial) / (double)pr->reps;
    char rate[32], eta[32], t[32];
    fmt_rate(rate, sizeof rate, elapsed > 0 ? events / elapsed : 0);
    if (done == pr->reps)
        snprintf(eta, sizeof eta, "done in ");
    else
        snprintf(eta, sizeof eta, "ETA ");
    size_t k = strlen(eta);
    fmt_duration(eta + k, sizeof eta - k,
                 done == pr->reps ? elapsed : frac > 0 ? elapsed * (1 - frac) / frac : -1);
    if (slowest < 0)
        slowest = done == pr->reps ? pr->duration : 0.0;
    /* Whole seconds for long runs; three digits for short ones. */
    snprintf(t, sizeof t, pr->duration >= 100 ? "%.0f/%.0f" : "%.3g/%.3g", slowest, pr->duration);
    snprintf(buf, n, "reps %llu/%llu | t %s s | %s events/s | %s", (unsigned long long)done,
             (unsigned long long)pr->reps, t, rate, eta);
}

/* Writes the line (lock held). */
static void show(cli_progress *pr)
{
    char line[256];
    compose(pr, line, sizeof line);
    if (pr->tty)
        fprintf(stderr, "\r%s\033[K", line);
    else
        fprintf(stderr, "%s\n", line);
    fflush(stderr);
    pr->shown = 1;
}

static void *printer(void *arg)
{
    cli_progress *pr = arg;
    double period = pr->tty ? 0.25 : 1.0, first = pr->t0 + 0.5;
    pthread_mutex_lock(&pr->lock);
    while (!pr->stop) {
        double t = now_s(), next = t < first ? first : t + period;
        struct timespec ts;
        ts.tv_sec = (time_t)next;
        ts.tv_nsec = (long)((next - (double)ts.tv_sec) * 1e9);
        pthread_cond_timedwait(&pr->wake, &pr->lock, &ts);
        double now = now_s();
        if (!pr->stop && !pr->paused && now >= first && now >= pr->hold_until)
            show(pr);
    }
    pthread_mutex_unlock(&pr->lock);
    return NULL;
}

/* A line with jobs slots, its printer not started yet; NULL when mode and stderr say none. */
static cli_progress *make(int mode, unsigned jobs, double duration)
{
    int tty = isatty(STDERR_FILENO);
    if (mode == CLI_PROGRESS_NEVER || (mode == CLI_PROGRESS_AUTO && !tty))
        return NULL;
    cli_progress *pr = calloc(1, sizeof *pr);
    if (!pr)
        return NULL;   /* no progress line: not worth failing the run */
    pr->slots = calloc(jobs, sizeof *pr->slots);
    if (!pr->slots) {
        free(pr);
        return NULL;
    }
    pr->tty = tty;
    pr->duration = duration;
    pr->nslots = jobs;
    for (unsigned i = 0; i < jobs; i++) {
        atomic_init(&pr->slots[i].now, -1.0);
        atomic_init(&pr->slots[i].events, 0);
        atomic_init(&pr->slots[i].duration, duration);
    }
    return pr;
}

/* Starts pr's printer; pr, or NULL after freeing it. */
static cli_progress *launch(cli_progress *pr)
{
    atomic_init(&pr->done, 0);
    atomic_init(&pr->done_events, 0);
    pr->t0 = now_s();
    pthread_mutex_init(&pr->lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&pr->wake, &ca);
    pthread_condattr_destroy(&ca);
    if (pthread_create(&pr->printer, NULL, printer, pr) != 0) {
        pthread_cond_destroy(&pr->wake);
        pthread_mutex_destroy(&pr->lock);
        free(pr->views);
        free(pr->slots);
        free(pr);
        return NULL;
    }
    return pr;
}

cli_progress *cli_progress_start(int mode, uint64_t reps, unsigned jobs, double duration)
{
    cli_progress *pr = make(mode, jobs, duration);
    if (!pr)
        return NULL;
    pr->reps = reps;
    return launch(pr);
}

cli_progress *cli_progress_sweep(int mode, uint64_t points, uint64_t reps, unsigned threads,
                                 unsigned point_jobs)
{
    cli_progress *pr = make(mode, threads * point_jobs, 0);
    if (!pr)
        return NULL;
    pr->views = calloc(threads, sizeof *pr->views);
    if (!pr->views) {
        free(pr->slots);
        free(pr);
        return NULL;
    }
    pr->points = 1;
    pr->npoints = points;
    pr->nviews = threads;
    for (unsigned t = 0; t < threads; t++) {
        pr->views[t].parent = pr;
        pr->views[t].base = t * point_jobs;
        pr->views[t].nslots = point_jobs;
    }
    atomic_init(&pr->points_done, 0);
    atomic_init(&pr->reps_total, points * reps);
    return launch(pr);
}

cli_progress *cli_progress_point(cli_progress *pr, unsigned t, double duration)
{
    if (!pr || t >= pr->nviews)
        return NULL;
    pr->views[t].duration = duration;
    return &pr->views[t];
}

void cli_progress_point_done(cli_progress *view, uint64_t reps, uint64_t reps_done)
{
    if (!view || !view->parent)
        return;
    cli_progress *pr = view->parent;
    if (reps_done < reps)
        atomic_fetch_sub_explicit(&pr->reps_total, reps - reps_done, memory_order_relaxed);
    atomic_fetch_add_explicit(&pr->points_done, 1, memory_order_relaxed);
}

int cli_progress_tty(const cli_progress *pr)
{
    return pr && pr->tty;
}

void cli_progress_hold(cli_progress *pr)
{
    if (!pr)
        return;
    pthread_mutex_lock(&pr->lock);
    if (pr->shown && pr->tty && !pr->paused) {
        fputs("\r\033[K", stderr);
        pr->shown = 0;
    }
}

void cli_progress_release(cli_progress *pr)
{
    if (!pr)
        return;
    fflush(stderr);
    pthread_mutex_unlock(&pr->lock);
}

/* The engine's hook: two relaxed stores every SIM_PROGRESS_EVERY events. */
static int on_progress(void *ud, double now, uint64_t events)
{
    slot *s = ud;
    atomic_store_explicit(&s->now, now, memory_order_relaxed);
    atomic_store_explicit(&s->events, events, memory_order_relaxed);
    return 0;
}

void cli_progress_attach(cli_progress *pr, sim_engine *e, unsigned i)
{
    if (pr && pr->parent) {
        if (i >= pr->nslots)
            return;
        atomic_store_explicit(&pr->parent->slots[pr->base + i].duration, pr->duration,
                              memory_order_relaxed);
        i += pr->base;
        pr = pr->parent;
    }
    if (!pr || i >= pr->nslots)
        return;
    atomic_store_explicit(&pr->slots[i].events, 0, memory_order_relaxed);
    atomic_store_explicit(&pr->slots[i].now, 0.0, memory_order_relaxed);
    sim_engine_set_progress(e, on_progress, &pr->slots[i]);
}

void cli_progress_rep_done(cli_progress *pr, unsigned i, uint64_t events)
{
    if (pr && pr->parent) {
        if (i >= pr->nslots)
            return;
        i += pr->base;
        pr = pr->parent;
    }
    if (!pr || i >= pr->nslots)
        return;
    atomic_fetch_add_explicit(&pr->done_events, events, memory_order_relaxed);
    atomic_fetch_add_explicit(&pr->done, 1, memory_order_relaxed);
    atomic_store_explicit(&pr->slots[i].now, -1.0, memory_order_relaxed);
    atomic_store_explicit(&pr->slots[i].events, 0, memory_order_relaxed);
}

void cli_progress_pause(cli_progress *pr)
{
    if (!pr)
        return;
    if (pr->parent) {   /* a point's error: the sweep's line goes on after it */
        pr = pr->parent;
        pthread_mutex_lock(&pr->lock);
        if (pr->shown && pr->tty && !pr->paused)
            fputs("\r\033[K", stderr);
        pr->shown = 0;
        pr->hold_until = now_s() + 0.5;   /* the message is written without our lock */
        pthread_mutex_unlock(&pr->lock);
        return;
    }
    pthread_mutex_lock(&pr->lock);
    if (pr->shown && pr->tty)
        fputs("\r\033[K", stderr);
    pr->paused = 1;
    pthread_mutex_unlock(&pr->lock);
}

void cli_progress_stop(cli_progress *pr, int ok)
{
    if (!pr || pr->parent)   /* a view belongs to its sweep's line */
        return;
    pthread_mutex_lock(&pr->lock);
    pr->stop = 1;
    pthread_cond_signal(&pr->wake);
    pthread_mutex_unlock(&pr->lock);
    pthread_join(pr->printer, NULL);
    if (pr->tty && pr->shown && !pr->paused)
        fputs("\r\033[K", stderr);     /* the terminal is left as it was */
    else if (!pr->tty && ok && !pr->paused)
        show(pr);                      /* a log ends with the final figures */
    fflush(stderr);
    pthread_cond_destroy(&pr->wake);
    pthread_mutex_destroy(&pr->lock);
    free(pr->views);
    free(pr->slots);
    free(pr);
}
