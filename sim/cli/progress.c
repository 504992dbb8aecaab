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
 * short runs stay quiet. */
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
} slot;

struct cli_progress {
    int tty;                    /* rewrite in place (a terminal) or append lines */
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

/* The line as it stands now (at most about 70 characters). */
static void compose(cli_progress *pr, char *buf, size_t n)
{
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
        if (!pr->stop && !pr->paused && now_s() >= first)
            show(pr);
    }
    pthread_mutex_unlock(&pr->lock);
    return NULL;
}

cli_progress *cli_progress_start(int mode, uint64_t reps, unsigned jobs, double duration)
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
    pr->reps = reps;
    pr->duration = duration;
    pr->nslots = jobs;
    for (unsigned i = 0; i < jobs; i++) {
        atomic_init(&pr->slots[i].now, -1.0);
        atomic_init(&pr->slots[i].events, 0);
    }
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
        free(pr->slots);
        free(pr);
        return NULL;
    }
    return pr;
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
    if (!pr || i >= pr->nslots)
        return;
    atomic_store_explicit(&pr->slots[i].events, 0, memory_order_relaxed);
    atomic_store_explicit(&pr->slots[i].now, 0.0, memory_order_relaxed);
    sim_engine_set_progress(e, on_progress, &pr->slots[i]);
}

void cli_progress_rep_done(cli_progress *pr, unsigned i, uint64_t events)
{
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
    pthread_mutex_lock(&pr->lock);
    if (pr->shown && pr->tty)
        fputs("\r\033[K", stderr);
    pr->paused = 1;
    pthread_mutex_unlock(&pr->lock);
}

void cli_progress_stop(cli_progress *pr, int ok)
{
    if (!pr)
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
    free(pr->slots);
    free(pr);
}
