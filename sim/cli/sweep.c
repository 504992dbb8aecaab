/* sweep: dessa sweep — every point of a scenario's sweep { } (or of --param lists), each run
 * like `dessa run --set ...` into DIR/points/<k>/, then DIR/sweep.csv and DIR/sweep_summary.csv
 * assembled from the points' rows.
 *
 * A point is committed whole (its directory appears at once, out/outdir.h) with point.csv, its
 * rows of sweep.csv; sweep.json names the experiment. --resume runs only the points that have no
 * directory yet, and the assembly reads every point's rows back from disk (while the last
 * points run: "the early assembly"), so an interrupted and resumed sweep writes the same bytes
 * as one that ran straight through. The numbers read
 * back are the numbers computed: reals are written in the shortest form that reads back
 * exactly (out/csv.h).
 *
 * Parallelism: the points run on the threads, each point's replications one after the other;
 * a sweep of fewer points than threads also spreads each point's replications. The files do not
 * depend on -j either way. The random streams depend on the seed,
 * the replication and the component's name, not on the point: the points of a sweep see common
 * random numbers.
 *
 * Durability: a point's files are closed without a sync each and handed to the committer, a
 * thread that makes every point handed so far durable at once (one syncfs on Linux) and only
 * then renames their staging directories to points/<k> (see "the committer" below). */
#ifdef __linux__
#define _GNU_SOURCE   /* syncfs */
#endif
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "plot.h"
#include "core/error.h"
#include "stats/ci.h"
#include "stats/tally.h"

#define SWEEP_JSON "sweep.json"
#define SWEEP_CSV "sweep.csv"
#define SUMMARY_CSV "sweep_summary.csv"

struct cli_point {
    size_t index;
    const dessa_sweep *sw;
};

/* ---- a point's rows --------------------------------------------------------------------- */

int cli_point_row(sim_file *f, const cli_point *pt, uint64_t rep, const sim_rep_result *res)
{
    const dessa_sweep *sw = pt->sw;
    const char *const *values = sw->values + pt->index * sw->nnames;
    if (rep == 0) {
        sim_csv_str(f, "point");
        for (size_t j = 0; j < sw->nnames; j++)
            sim_csv_str(f, sw->names[j]);
        sim_csv_str(f, "rep");
        for (size_t i = 0; i < res->nentities; i++) {
            const sim_entity_result *x = &res->entities[i];
            for (size_t m = 0; m < x->kind->nmetrics; m++) {
                char col[512];
                /* a service's replica: s[0].metric; an endpoint or a broker's group:
                 * s/e.metric (the time series names groups the same way) */
                const char *mn = x->kind->metrics[m].name;
                if (x->kind == sim_result_kind_replica())
                    snprintf(col, sizeof col, "%s[%s].%s", x->name, x->part, mn);
                else if (x->part && x->part[0])
                    snprintf(col, sizeof col, "%s/%s.%s", x->name, x->part, mn);
                else
                    snprintf(col, sizeof col, "%s.%s", x->name, mn);
                sim_csv_str(f, col);
            }
        }
        sim_csv_end(f);
    }
    sim_csv_u64(f, pt->index);
    for (size_t j = 0; j < sw->nnames; j++)
        sim_csv_str(f, values[j]);
    sim_csv_u64(f, rep);
    for (size_t i = 0; i < res->nentities; i++) {
        const sim_entity_result *x = &res->entities[i];
        for (size_t m = 0; m < x->kind->nmetrics; m++) {
            if (x->kind->metrics[m].type == SIM_METRIC_COUNT)
                sim_csv_u64(f, x->m[m].count);
            else
                sim_csv_real(f, x->m[m].real);
        }
    }
    sim_csv_end(f);
    return f->err ? -1 : 0;
}

/* ---- files in progress (for the signal thread) --------------------------------------------- */

static pthread_mutex_t tmp_lock = PTHREAD_MUTEX_INITIALIZER;
/* The progress line, for the signal thread (erased before "interrupted"); under tmp_lock. */
static cli_progress *sweep_progress;
/* The committer, whose points not yet in place the signal thread removes; under tmp_lock. */
static cli_committer *sweep_committer;
static void committer_abort(cli_committer *c);
static char tmp_paths[2][4200];

static void tmp_set(int i, const char *path)
{
    pthread_mutex_lock(&tmp_lock);
    snprintf(tmp_paths[i], sizeof tmp_paths[i], "%s", path ? path : "");
    pthread_mutex_unlock(&tmp_lock);
}

void cli_sweep_abort(void)
{
    pthread_mutex_lock(&tmp_lock);   /* kept: the process is ending */
    cli_progress_pause(sweep_progress);   /* the terminal's line is left clean */
    if (sweep_committer)
        committer_abort(sweep_committer);
    for (int i = 0; i < 2; i++)
        if (tmp_paths[i][0])
            unlink(tmp_paths[i]);
}

/* ---- reading our own CSV back ---------------------------------------------------------------- */

/* Splits an RFC 4180 line (no line break inside fields: dessa never writes one in these files)
 * in place; returns the number of fields, at most max. */
size_t cli_split_csv(char *line, char **fields, size_t max)
{
    size_t n = 0;
    char *p = line;
    for (;;) {
        if (n == max)
            return n;
        if (*p == '"') {
            char *out = ++p;
            fields[n++] = out;
            for (;;) {
                if (*p == '"' && p[1] == '"') {
                    *out++ = '"';
                    p += 2;
                } else if (*p == '"' || !*p) {
                    if (*p)
                        p++;
                    break;
                } else {
                    *out++ = *p++;
                }
            }
            *out = 0;
            if (*p == ',')
                p++;
            else
                return n;
        } else {
            fields[n++] = p;
            char *c = strchr(p, ',');
            if (!c)
                return n;
            *c = 0;
            p = c + 1;
        }
    }
}

void cli_chomp(char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
        s[--n] = 0;
}

/* ---- the sweep --------------------------------------------------------------------------- */

typedef struct sweep {
    const options *o;
    const char *dir;
    dessa_sweep sw;
    uint64_t reps;
    unsigned point_jobs;         /* threads per point */
    size_t *todo;                /* the points to run, in order */
    size_t ntodo;
    atomic_size_t next;
    atomic_size_t done;
    int *failed;                 /* per point */
    pthread_mutex_t print;       /* then the progress line's hold, around writes to stderr */
    cli_progress *progress;      /* the progress line, or NULL */
    int point_lines;             /* a line per finished point */
    cli_committer *committer;    /* puts the points in place, or NULL: each point itself */
    unsigned char *ready;        /* per point: run (handed to the committer, or failed), or
                                    done before --resume; under the committer's lock */
} sweep;

/* The thread running points and its index (its view of the progress line). */
typedef struct point_thread {
    sweep *s;
    unsigned t;
} point_thread;


static void say_begin(sweep *s)
{
    pthread_mutex_lock(&s->print);
    cli_progress_hold(s->progress);
}

static void say_end(sweep *s)
{
    cli_progress_release(s->progress);
    pthread_mutex_unlock(&s->print);
}

static void point_dir(const sweep *s, size_t k, char *buf, size_t n)
{
    snprintf(buf, n, "%s/points/%zu", s->dir, k);
}

static void describe_point(const sweep *s, size_t k, char *buf, size_t n)
{
    size_t used = 0;
    buf[0] = 0;
    for (size_t j = 0; j < s->sw.nnames && used < n; j++)
        used += (size_t)snprintf(buf + used, n - used, "%s%s=%s", j ? " " : "", s->sw.names[j],
                                 s->sw.values[k * s->sw.nnames + j]);
}

/* ---- the committer ---------------------------------------------------------------------------
 * A point is done for --resume when points/<k>/point.csv exists, so a point that is in place
 * after a crash (of the program or of the machine) must have every file whole on disk. Syncing
 * each file as it is closed did that, but the point's thread waited for the disk eleven times
 * per point. Instead a point's files are closed unsynced in its staging directory
 * (points/<k>.tmp-PID) and handed here; a thread of its own takes every point handed so far,
 * makes them all durable with one syncfs of the file system (Linux; elsewhere the point's
 * thread fsyncs its files before handing them over), and only then renames each staging
 * directory to points/<k>. The renames are made durable by the next sync: the next round's,
 * and after the last round the assembly's (or committer_stop's fsync of points/); a rename
 * lost in a crash only runs its point again. The order is the guarantee: nothing is renamed
 * before its files are on disk, so a crash leaves each point either in place and whole, or
 * absent (its staging directory, if any, is never read). A failure of the sync or of a rename
 * fails the points of that batch: each is reported and --resume runs it again. The sweep
 * waits for the committer before it puts sweep.csv in place. */

#define COMMIT_QUEUE 64   /* points handed and not yet in place; a full queue makes them wait */

typedef struct staged {
    size_t k;
    sim_outdir dir;
    int err;                 /* the sync failed: errno */
    int failed;              /* not put in place (dir.err says why) */
} staged;

struct cli_committer {
    sweep *s;
    pthread_mutex_t lock;
    pthread_cond_t more;     /* a point was handed, or the sweep is over */
    pthread_cond_t room;     /* the queue has room */
    staged q[COMMIT_QUEUE];  /* handed in order: q[head % N] .. q[(tail - 1) % N] */
    size_t head, tail;
    int closing;
    size_t nfailed;          /* points it failed (their failed[] set under lock) */
    pthread_cond_t ready;    /* a point was run (sweep.ready), for the assembly */
    int fd;                  /* DIR/points: for syncfs and the renames' sync */
    pthread_t th;
};

/* Says that point k was not put in place, and why. */
static void sweep_say_failed(sweep *s, size_t k, const char *why)
{
    char what[1024], dir[4200];
    describe_point(s, k, what, sizeof what);
    point_dir(s, k, dir, sizeof dir);
    say_begin(s);
    fprintf(stderr, "dessa: point %zu (%s) failed: cannot write the results in '%s': %s\n", k,
            what, dir, why);
    say_end(s);
}

void cli_commit_point(cli_committer *c, const cli_point *pt, sim_outdir *d)
{
#ifndef __linux__
    if (sim_outdir_sync(d) != SIM_OK) {   /* no syncfs: each file, by the point's thread */
        sweep_say_failed(c->s, pt->index, sim_outdir_error(d));
        sim_outdir_abort(d);
        c->s->failed[pt->index] = 1;
        return;
    }
#endif
    d->no_parent_sync = 1;   /* one sync of points/ per batch */
    pthread_mutex_lock(&c->lock);
    while (c->tail - c->head == COMMIT_QUEUE)
        pthread_cond_wait(&c->room, &c->lock);
    staged *e = &c->q[c->tail++ % COMMIT_QUEUE];
    *e = (staged){ .k = pt->index, .dir = *d };
    memset(d, 0, sizeof *d);
    pthread_cond_signal(&c->more);
    pthread_mutex_unlock(&c->lock);
}

/* Makes everything written so far durable: 0 or an errno. */
static int commit_sync(cli_committer *c)
{
#ifdef __linux__
    if (syncfs(c->fd) != 0)   /* also reports a write-back error since c->fd was opened */
        return errno ? errno : EIO;
#else
    (void)c;   /* the points' threads synced their files */
#endif
    return 0;
}

static void *commit_thread(void *arg)
{
    cli_committer *c = arg;
    pthread_mutex_lock(&c->lock);
    for (;;) {
        while (c->head == c->tail && !c->closing)
            pthread_cond_wait(&c->more, &c->lock);
        if (c->head == c->tail)
            break;
        size_t from = c->head, to = c->tail;
        pthread_mutex_unlock(&c->lock);
        int err = commit_sync(c);
        pthread_mutex_lock(&c->lock);   /* (the signal thread removes what is not in place) */
        for (size_t i = from; i < to; i++) {
            staged *e = &c->q[i % COMMIT_QUEUE];
            if (err)
                sim_outdir_fail(&e->dir, e->dir.target ? e->dir.target : "", err, NULL);
            e->failed = err || sim_outdir_commit(&e->dir) != SIM_OK;
            sim_outdir_abort(&e->dir);   /* removes the staging directory of a failed one */
            if (e->failed) {
                c->s->failed[e->k] = 1;
                c->nfailed++;
            }
        }
        pthread_mutex_unlock(&c->lock);
        /* The renames are made durable by the next round's syncfs, and the last round's by
         * the sync that follows it (committer_stop, or the assembly's): a point whose rename
         * is lost in a crash is only run again. */
        for (size_t i = from; i < to; i++) {   /* q[from, to) is no one else's until head moves */
            staged *e = &c->q[i % COMMIT_QUEUE];
            if (e->failed)
                sweep_say_failed(c->s, e->k, sim_outdir_error(&e->dir));
        }
        pthread_mutex_lock(&c->lock);
        c->head = to;
        pthread_cond_broadcast(&c->room);
    }
    pthread_mutex_unlock(&c->lock);
    return NULL;
}

/* Starts the committer for the points of dir: 0, or -1 (then points are committed by their
 * own threads, each file synced). */
static int committer_start(cli_committer *c, sweep *s)
{
    memset(c, 0, sizeof *c);
    c->s = s;
    char path[4300];
    snprintf(path, sizeof path, "%s/points", s->dir);
    c->fd = open(path, O_RDONLY | O_DIRECTORY);
    if (c->fd < 0)
        return -1;
    pthread_mutex_init(&c->lock, NULL);
    pthread_cond_init(&c->more, NULL);
    pthread_cond_init(&c->room, NULL);
    pthread_cond_init(&c->ready, NULL);
    if (pthread_create(&c->th, NULL, commit_thread, c) != 0) {
        pthread_cond_destroy(&c->ready);
        pthread_cond_destroy(&c->room);
        pthread_cond_destroy(&c->more);
        pthread_mutex_destroy(&c->lock);
        close(c->fd);
        return -1;
    }
    return 0;
}

/* For the signal thread: removes the staging directories of the points not yet in place, and
 * keeps the lock (the process is ending). */
static void committer_abort(cli_committer *c)
{
    pthread_mutex_lock(&c->lock);
    for (size_t i = c->head; i < c->tail; i++)
        sim_outdir_abort(&c->q[i % COMMIT_QUEUE].dir);
}

/* Waits until every point handed is in place (or failed), and ends the thread; sync_renames:
 * makes the last renames durable (else the caller's next syncfs does). */
static void committer_stop(cli_committer *c, int sync_renames)
{
    pthread_mutex_lock(&c->lock);
    c->closing = 1;
    pthread_cond_signal(&c->more);
    pthread_mutex_unlock(&c->lock);
    pthread_join(c->th, NULL);
    if (sync_renames)
        fsync(c->fd);   /* best effort: a point lost here is only run again */
    pthread_cond_destroy(&c->ready);
    pthread_cond_destroy(&c->room);
    pthread_cond_destroy(&c->more);
    pthread_mutex_destroy(&c->lock);
    close(c->fd);
}

static int run_point(sweep *s, size_t k, unsigned t)
{
    const options *o = s->o;
    dessa_override sets[2 * MAX_SETS];
    size_t nsets = 0;
    for (size_t i = 0; i < o->nsets; i++)
        sets[nsets++] = o->sets[i];
    for (size_t j = 0; j < s->sw.nnames && nsets < 2 * MAX_SETS; j++)
        sets[nsets++] = (dessa_override){ s->sw.names[j], s->sw.values[k * s->sw.nnames + j] };
    char err[1024], what[1024], dir[4200];
    describe_point(s, k, what, sizeof what);
    point_dir(s, k, dir, sizeof dir);
    dessa_load_opts lo = cli_load_opts(o, 1);
    lo.overrides = sets;
    lo.noverrides = nsets;
    dessa_scenario *sc = dessa_scenario_load(o->scenario, &lo, err, sizeof err);
    int status = EXIT_MODEL;
    uint64_t reps_done = 0;
    cli_progress *view = NULL;
    if (!sc) {
        say_begin(s);
        cli_print_error(err);
        say_end(s);
    } else {
        sim_config cfg;
        int has_seed;
        dessa_scenario_run_config(sc, &cfg, &has_seed);
        view = cli_progress_point(s->progress, t, cfg.duration);
        cli_point pt = { k, &s->sw };
        cli_job job = { .o = o, .sc = sc, .sets = sets, .nsets = nsets, .dir = dir,
                        .reps = s->reps, .jobs = s->point_jobs, .point = &pt,
                        .progress_view = view, .quiet_warnings = 1,
                        .committer = s->committer };
        status = cli_run_job(&job);
        reps_done = job.reps_done;
        if (status == 0 && o->precision > 0 && job.reps_done == s->reps) {
            say_begin(s);
            fprintf(stderr, "warning: point %zu (%s): --precision %g not met after the maximum "
                            "of %" PRIu64 " replications\n", k, what, o->precision, s->reps);
            say_end(s);
        }
        dessa_scenario_free(sc);
    }
    size_t done = atomic_fetch_add(&s->done, 1) + 1;
    if (status != 0 || s->point_lines) {
        say_begin(s);
        if (status != 0)
            fprintf(stderr, "dessa: point %zu (%s) failed; the other points go on\n", k, what);
        else
            fprintf(stderr, "point %zu (%s) done, %zu/%zu\n", k, what, done, s->ntodo);
        say_end(s);
    }
    /* (a point that did not load counts through a view of its own) */
    cli_progress_point_done(view ? view : cli_progress_point(s->progress, t, 0), s->reps,
                            reps_done);
    return status;
}

static void *point_worker(void *arg)
{
    sweep *s = ((point_thread *)arg)->s;
    unsigned t = ((point_thread *)arg)->t;
    for (;;) {
        size_t i = atomic_fetch_add(&s->next, 1);
        if (i >= s->ntodo)
            return NULL;
        size_t k = s->todo[i];
        int failed = run_point(s, k, t) != 0;   /* (the committer marks the points it fails) */
        cli_committer *c = s->committer;
        if (c)
            pthread_mutex_lock(&c->lock);
        if (failed)
            s->failed[k] = 1;
        if (c) {
            s->ready[k] = 1;
            pthread_cond_broadcast(&c->ready);
            pthread_mutex_unlock(&c->lock);
        }
    }
}

/* sweep.json: what the directory's points are. Deterministic text (no times), so a resumed
 * sweep can check it continues the same experiment. */
static char *sweep_json(const sweep *s, uint64_t seed)
{
    size_t cap = 4096, len = 0;
    char *b = malloc(cap);
    if (!b)
        return NULL;
#define PUT(...)                                                                              \
    do {                                                                                      \
        for (;;) {                                                                            \
            int w = snprintf(b + len, cap - len, __VA_ARGS__);                                \
            if (w < 0) {                                                                      \
                free(b);                                                                      \
                return NULL;                                                                  \
            }                                                                                 \
            if ((size_t)w < cap - len) {                                                      \
                len += (size_t)w;                                                             \
                break;                                                                        \
            }                                                                                 \
            char *nb = cap > SIZE_MAX / 2 ? NULL : realloc(b, cap * 2);                      \
            if (!nb) {                                                                        \
                free(b);                                                                      \
                return NULL;                                                                  \
            }                                                                                 \
            b = nb;                                                                           \
            cap *= 2;                                                                         \
        }                                                                                     \
    } while (0)
    PUT("{\n  \"scenario\": ");
    PUT("\"%s\",\n", s->o->scenario);   /* checked below: printable, no quotes */
    PUT("  \"seed\": %" PRIu64 ",\n  \"reps\": %" PRIu64 ",\n  \"npoints\": %zu,\n", seed,
        s->reps, s->sw.npoints);
    if (s->o->precision > 0) {
        PUT("  \"precision\": %.17g,\n  \"targets\": [", s->o->precision);
        for (size_t i = 0; i < s->o->ntargets; i++)
            PUT("%s\"%s\"", i ? ", " : "", s->o->targets[i]);
        PUT("],\n");
    }
    PUT("  \"sets\": {");
    for (size_t i = 0; i < s->o->nsets; i++)
        PUT("%s \"%s\": \"%s\"", i ? "," : "", s->o->sets[i].name, s->o->sets[i].value);
    PUT(" },\n  \"params\": [");
    for (size_t j = 0; j < s->sw.nnames; j++)
        PUT("%s\"%s\"", j ? ", " : "", s->sw.names[j]);
    PUT("],\n  \"points\": [\n");
    for (size_t k = 0; k < s->sw.npoints; k++) {
        PUT("    [");
        for (size_t j = 0; j < s->sw.nnames; j++) {
            PUT("%s\"", j ? ", " : "");
            for (const char *c = s->sw.values[k * s->sw.nnames + j]; *c; c++) {
                if (*c == '"' || *c == '\\')
                    PUT("\\%c", *c);
                else if ((unsigned char)*c < 0x20)
                    PUT("\\u%04x", (unsigned char)*c);
                else
                    PUT("%c", *c);
            }
            PUT("\"");
        }
        PUT("]%s\n", k + 1 < s->sw.npoints ? "," : "");
    }
    PUT("  ]\n}\n");
#undef PUT
    return b;
}

/* Closes n files of directory dir and makes them durable: with one syncfs of the file system
 * (Linux: one flush of the disk's cache instead of one per file), else an fsync each. SIM_OK or
 * SIM_EIO with the errno in the failing file's err. */
static int close_durable(const char *dir, sim_file *const *f, size_t n)
{
#ifdef __linux__
    int fd = open(dir, O_RDONLY | O_DIRECTORY);   /* before the writes are flushed */
    int rc = SIM_OK;
    for (size_t i = 0; i < n; i++)
        if (sim_file_close_sync(f[i], 0) != SIM_OK && rc == SIM_OK)
            rc = SIM_EIO;
    if (rc == SIM_OK && (fd < 0 || syncfs(fd) != 0)) {
        f[0]->err = errno ? errno : EIO;
        rc = SIM_EIO;
    }
    if (fd >= 0)
        close(fd);
    return rc;
#else
    (void)dir;
    int rc = SIM_OK;
    for (size_t i = 0; i < n; i++)
        if (sim_file_close(f[i]) != SIM_OK)
            rc = SIM_EIO;
    return rc;
#endif
}

/* Writes text to DIR/name through a temporary file and a rename. 0, or -1 after printing why.
 * Unless sync is set the file is not synced: the caller makes it durable later. */
static int write_whole(const char *dir, const char *name, const char *text, int sync)
{
    char path[4200], tmp[4200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    snprintf(tmp, sizeof tmp, "%s/.%s.tmp-%ld", dir, name, (long)getpid());   /* shards race */
    sim_file f;
    int rc = sim_file_open(&f, tmp);
    if (rc == SIM_OK) {
        sim_file_puts(&f, text);
        rc = sim_file_close_sync(&f, sync);
    }
    if (rc == SIM_OK && rename(tmp, path) != 0) {
        f.err = errno;
        rc = SIM_EIO;
    }
    if (rc != SIM_OK) {
        fprintf(stderr, "dessa: cannot write '%s': %s\n", path, strerror(f.err ? f.err : EIO));
        unlink(tmp);
        sim_file_fini(&f, 1);
        return -1;
    }
    sim_file_fini(&f, 0);
    return 0;
}

static int make_dir(const char *path)
{
    if (mkdir(path, 0777) == 0 || errno == EEXIST) {
        struct stat st;
        if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
            return 0;
        errno = ENOTDIR;
    }
    fprintf(stderr, "dessa: cannot make the directory '%s': %s\n", path, strerror(errno));
    return -1;
}

/* Makes dir and its parents. */
static int make_dirs(const char *dir)
{
    char buf[4200];
    snprintf(buf, sizeof buf, "%s", dir);
    for (char *p = buf + 1; *p; p++)
        if (*p == '/') {
            *p = 0;
            if (mkdir(buf, 0777) != 0 && errno != EEXIST) {
                fprintf(stderr, "dessa: cannot make the directory '%s': %s\n", buf,
                        strerror(errno));
                return -1;
            }
            *p = '/';
        }
    return make_dir(buf);
}

/* Is the directory absent or empty? */
static int dir_empty(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return errno == ENOENT;
    int empty = 1;
    for (struct dirent *e; empty && (e = readdir(d));)
        empty = !strcmp(e->d_name, ".") || !strcmp(e->d_name, "..");
    closedir(d);
    return empty;
}

/* Has point k been committed (a whole point directory)? */
static int point_done(const sweep *s, size_t k)
{
    char path[4300];
    point_dir(s, k, path, sizeof path - 16);
    strcat(path, "/" CLI_POINT_CSV);
    return access(path, R_OK) == 0;
}

/* ---- assembly: sweep.csv and sweep_summary.csv ------------------------------------------------ */

/* What the assembly reads: point k's rows in pdirs[k]/point.csv (NULL: a point that failed,
 * left out); nnames params named names[]; sweep.csv and sweep_summary.csv go to dir.
 *
 * early: the assembly of a sweep whose last points are still running (assemble_early): each
 * point is waited for (wait) and its files opened where they are (open: in place, or in the
 * staging directory the committer has not renamed yet); the columns are the first point's
 * header, and anything else (another header, a point that cannot be read) gives up, silently,
 * for the assembly from disk after the sweep. The files are closed unsynced and not renamed:
 * the caller makes them durable with the points and puts them in place. */
typedef struct sources {
    const char *dir;
    char **pdirs;
    size_t npoints, nnames;
    const char *const *names;
    int early;
    int (*wait)(const struct sources *s, size_t k);   /* early: 1 when point k has results */
    FILE *(*open)(const struct sources *s, size_t k, const char *name);   /* early */
    void *ud;
} sources;

/* Says why the assembly stopped (not in an early one, which gives up for the full one). */
#define ASM_SAY(s, ...)                                                                       \
    do {                                                                                      \
        if (!(s)->early)                                                                      \
            fprintf(stderr, __VA_ARGS__);                                                     \
    } while (0)

static int point_present(const sources *s, size_t k)
{
    return s->early ? s->wait(s, k) : s->pdirs[k] != NULL;
}

/* Opens point k's file name for reading; NULL with errno. */
static FILE *point_open(const sources *s, size_t k, const char *name)
{
    if (s->early)
        return s->open(s, k, name);
    char path[4300];
    snprintf(path, sizeof path, "%s/%s", s->pdirs[k], name);
    return fopen(path, "r");
}

/* The kinds of the warnings in point k's run.json (overloaded, not_steady, ...), each once,
 * joined by spaces into buf ("" when the point ran without one). */
static void point_warnings(const sources *s, size_t k, char *buf, size_t n)
{
    char err[128];
    buf[0] = 0;
    char *text = rundir_slurp_file(point_open(s, k, "run.json"), NULL);
    json_val *run = text ? json_parse(text, err, sizeof err) : NULL;
    const json_val *w = json_get(run, "warnings");
    size_t used = 0;
    for (size_t i = 0; w && w->type == JSON_ARR && i < w->n; i++) {
        const char *kind = json_str(&w->items[i], "kind");
        if (!kind)
            continue;
        size_t len = strlen(kind);
        int seen = 0;
        for (const char *p = buf; !seen && (p = strstr(p, kind)); p += len)
            seen = (p == buf || p[-1] == ' ') && (p[len] == ' ' || !p[len]);
        if (!seen && used + len + 2 < n)
            used += (size_t)snprintf(buf + used, n - used, "%s%s", used ? " " : "", kind);
    }
    json_free(run);
    free(text);
}

typedef struct columns {
    char **names;
    size_t n, cap;
} columns;

static long column_find(const columns *c, const char *name)
{
    for (size_t i = 0; i < c->n; i++)
        if (!strcmp(c->names[i], name))
            return (long)i;
    return -1;
}

static long column_add(columns *c, const char *name)
{
    long i = column_find(c, name);
    if (i >= 0)
        return i;
    if (c->n == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 64;
        char **nn = realloc(c->names, cap * sizeof *nn);
        if (!nn)
            return -1;
        c->names = nn;
        c->cap = cap;
    }
    if (!(c->names[c->n] = strdup(name)))
        return -1;
    return (long)c->n++;
}

#define MAX_FIELDS 65536

/* Reads point k's header: the metric columns (after point, params, rep) into map[], their
 * indexes in the union, adding new ones. Returns the number of fields, 0 on failure. */
static size_t point_header(const char *line0, size_t nparams, columns *u, long *map)
{
    char *line = strdup(line0);
    if (!line)
        return 0;
    char **f = malloc(MAX_FIELDS * sizeof *f);
    size_t n = f ? cli_split_csv(line, f, MAX_FIELDS) : 0;
    for (size_t i = nparams + 2; i < n; i++)
        if ((map[i] = column_add(u, f[i])) < 0)
            n = 0;
    free(f);
    free(line);
    return n;
}

/* n fields copied into one block, each ended by a NUL; NULL on ENOMEM. */
static char *join_fields(char *const *f, size_t n)
{
    size_t len = 1;
    for (size_t i = 0; i < n; i++)
        len += strlen(f[i]) + 1;
    char *b = malloc(len), *p = b;
    for (size_t i = 0; b && i < n; i++) {
        size_t l = strlen(f[i]) + 1;
        memcpy(p, f[i], l);
        p += l;
    }
    return b;
}

static const char *nth_value(const char *b, size_t j)
{
    while (j--)
        b += strlen(b) + 1;
    return b;
}

/* The header line of point k's point.csv into *line (getline's buffer), without its line end;
 * 0, or -1 after saying why. */
static int read_header_line(const sources *s, size_t k, char **line, size_t *cap)
{
    FILE *in = point_open(s, k, CLI_POINT_CSV);
    errno = 0;
    if (!in || getline(line, cap, in) < 0) {
        ASM_SAY(s, "dessa: cannot read '%s/%s': %s\n", s->pdirs[k], CLI_POINT_CSV,
                strerror(errno ? errno : EIO));
        if (in)
            fclose(in);
        return -1;
    }
    fclose(in);
    cli_chomp(*line);
    return 0;
}

typedef struct assembly {
    const sources *s;
    columns u;
    long *map;                   /* field of a point's row -> union column */
    sim_tally *tally;            /* per union column, for the point being read */
    char **cells;                /* per union column, the text of the current row */
} assembly;

#define SWEEP_CSV_TMP "." SWEEP_CSV ".tmp"
#define SUMMARY_CSV_TMP "." SUMMARY_CSV ".tmp"

/* Removes the assembly's files from dir (an early assembly given up). */
static void assembly_drop(const char *dir)
{
    char tmp[4300];
    snprintf(tmp, sizeof tmp, "%s/%s", dir, SWEEP_CSV_TMP);
    unlink(tmp);
    snprintf(tmp, sizeof tmp, "%s/%s", dir, SUMMARY_CSV_TMP);
    unlink(tmp);
    tmp_set(0, NULL);
    tmp_set(1, NULL);
}

/* Renames the assembly's files in dir into place: 0, or -1 after saying why. */
static int assembly_in_place(const char *dir)
{
    static const char *const names[][2] = { { SWEEP_CSV_TMP, SWEEP_CSV },
                                            { SUMMARY_CSV_TMP, SUMMARY_CSV } };
    for (size_t i = 0; i < 2; i++) {
        char from[4300], to[4300];
        snprintf(from, sizeof from, "%s/%s", dir, names[i][0]);
        snprintf(to, sizeof to, "%s/%s", dir, names[i][1]);
        if (rename(from, to) != 0) {
            fprintf(stderr, "dessa: cannot write '%s': %s\n", to, strerror(errno));
            return -1;
        }
    }
    tmp_set(0, NULL);
    tmp_set(1, NULL);
    return 0;
}

static int assemble(const sources *s)
{
    int rc = -1;
    assembly a = { s, { 0 }, NULL, NULL, NULL };
    char *line = NULL, *header = NULL, *values = NULL;
    size_t cap = 0;
    char **f = malloc(MAX_FIELDS * sizeof *f);
    a.map = calloc(MAX_FIELDS, sizeof *a.map);
    char path[4300];
    sim_file out = { 0 }, sum = { 0 };
    if (!f || !a.map)
        goto oom;
    /* Pass 1: the union of the points' columns, in order of first appearance (early: the
     * first point's, which every point must have). */
    for (size_t k = 0; k < s->npoints; k++) {
        if (!point_present(s, k))
            continue;
        if (read_header_line(s, k, &line, &cap) != 0)
            goto done;
        if (header && !strcmp(header, line))
            continue;
        free(header);
        if (!(header = strdup(line)) || !point_header(line, s->nnames, &a.u, a.map))
            goto oom;
        if (s->early)
            break;
    }
    a.tally = calloc(a.u.n ? a.u.n : 1, sizeof *a.tally);
    a.cells = calloc(a.u.n ? a.u.n : 1, sizeof *a.cells);
    if (!a.tally || !a.cells)
        goto oom;
    char *first = NULL;   /* early: the header every point must have */
    if (s->early)
        first = header;
    else
        free(header);
    header = NULL;

    char tmp_out[4300], tmp_sum[4300];
    snprintf(tmp_out, sizeof tmp_out, "%s/%s", s->dir, SWEEP_CSV_TMP);
    snprintf(tmp_sum, sizeof tmp_sum, "%s/%s", s->dir, SUMMARY_CSV_TMP);
    tmp_set(0, tmp_out);
    tmp_set(1, tmp_sum);
    if (sim_file_open(&out, tmp_out) != SIM_OK || sim_file_open(&sum, tmp_sum) != SIM_OK) {
        ASM_SAY(s, "dessa: cannot write in '%s': %s\n", s->dir,
                strerror(out.err ? out.err : sum.err));
        free(first);
        goto done;
    }
    sim_csv_str(&out, "point");
    sim_csv_str(&sum, "point");
    for (size_t j = 0; j < s->nnames; j++) {
        sim_csv_str(&out, s->names[j]);
        sim_csv_str(&sum, s->names[j]);
    }
    sim_csv_str(&out, "rep");
    for (size_t i = 0; i < a.u.n; i++)
        sim_csv_str(&out, a.u.names[i]);
    sim_csv_end(&out);
    static const char *const sum_cols[] = { "metric", "n", "mean", "sd", "half_width",
                                            "warnings" };
    for (size_t i = 0; i < 6; i++)
        sim_csv_str(&sum, sum_cols[i]);
    sim_csv_end(&sum);

    /* Pass 2: the rows, and per point the summary of every column. */
    size_t width = 0;   /* fields of the rows under the current header */
    for (size_t k = 0; k < s->npoints; k++) {
        if (!point_present(s, k))
            continue;
        FILE *in = point_open(s, k, CLI_POINT_CSV);
        if (!in) {
            ASM_SAY(s, "dessa: cannot read '%s/%s': %s\n", s->pdirs[k], CLI_POINT_CSV,
                    strerror(errno));
            free(first);
            goto done;
        }
        snprintf(path, sizeof path, "%s/%s", s->pdirs[k], CLI_POINT_CSV);
        for (size_t i = 0; i < a.u.n; i++)
            sim_tally_reset(&a.tally[i]);
        for (uint64_t row = 0; getline(&line, &cap, in) >= 0; row++) {
            cli_chomp(line);
            if (row == 0) {
                if (first && strcmp(first, line)) {   /* early: another header, give up */
                    fclose(in);
                    free(first);
                    goto done;
                }
                if (!header || strcmp(header, line)) {
                    free(header);
                    if (!(header = strdup(line)) ||
                        !(width = point_header(line, s->nnames, &a.u, a.map))) {
                        fclose(in);
                        free(first);
                        goto oom;
                    }
                }
                continue;
            }
            size_t n = cli_split_csv(line, f, MAX_FIELDS);
            if (n != width) {
                ASM_SAY(s, "dessa: '%s': row %" PRIu64 " has %zu fields, expected %zu\n",
                        path, row, n, width);
                fclose(in);
                free(first);
                goto done;
            }
            for (size_t i = 0; i < a.u.n; i++)
                a.cells[i] = NULL;
            for (size_t i = s->nnames + 2; i < n; i++)
                a.cells[a.map[i]] = f[i];
            for (size_t i = 0; i < s->nnames + 2; i++)
                sim_csv_str(&out, f[i]);
            if (row == 1) {   /* the point's values, for its summary rows */
                free(values);
                if (!(values = join_fields(f + 1, s->nnames))) {
                    fclose(in);
                    free(first);
                    goto oom;
                }
            }
            for (size_t i = 0; i < a.u.n; i++) {
                const char *c = a.cells[i] ? a.cells[i] : "";
                sim_csv_str(&out, c);
                char *end;
                double v = strtod(c, &end);
                if (*c && !*end && !isnan(v))
                    sim_tally_add(&a.tally[i], v);
            }
            sim_csv_end(&out);
        }
        int read_err = ferror(in);
        fclose(in);
        if (read_err && s->early) {
            free(first);
            goto done;
        }
        char warnings[256];
        point_warnings(s, k, warnings, sizeof warnings);
        for (size_t i = 0; i < a.u.n; i++) {
            const sim_tally *t = &a.tally[i];
            sim_csv_u64(&sum, k);
            for (size_t j = 0; j < s->nnames; j++)
                sim_csv_str(&sum, nth_value(values, j));
            sim_csv_str(&sum, a.u.names[i]);
            sim_csv_u64(&sum, t->n);
            sim_csv_real(&sum, t->n ? sim_tally_mean(t) : NAN);
            sim_csv_real(&sum, t->n > 1 ? sim_tally_sd(t) : NAN);
            sim_csv_real(&sum, t->n > 1 ? sim_ci_t_halfwidth(t, 0.95) : NAN);
            sim_csv_str(&sum, warnings);
            sim_csv_end(&sum);
        }
    }
    free(first);
    if (s->early) {   /* made durable and put in place by the caller */
        int ok = sim_file_close_sync(&out, 0) == SIM_OK;
        ok &= sim_file_close_sync(&sum, 0) == SIM_OK;
        if (ok)
            rc = 0;
        goto done;
    }
    sim_file *both[] = { &out, &sum };
    if (close_durable(s->dir, both, 2) != SIM_OK) {
        fprintf(stderr, "dessa: cannot write in '%s': %s\n", s->dir,
                strerror(out.err ? out.err : sum.err));
        goto done;
    }
    if (assembly_in_place(s->dir) != 0)
        goto done;
    rc = 0;
    goto done;
oom:
    ASM_SAY(s, "dessa: out of memory (assembling %s)\n", SWEEP_CSV);
done:
    sim_file_fini(&out, rc != 0);
    sim_file_fini(&sum, rc != 0);
    if (rc != 0 || !s->early) {   /* (an early assembly's files stay the caller's) */
        tmp_set(0, NULL);
        tmp_set(1, NULL);
    }
    for (size_t i = 0; i < a.u.n; i++)
        free(a.u.names[i]);
    free(a.u.names);
    free(a.map);
    free(a.tally);
    free(a.cells);
    free(f);
    free(line);
    free(header);
    free(values);
    return rc;
}

/* A summary cell as "mean ± half-width" (or the mean alone, or — when there is no value). */
static void cell(char *buf, size_t n, const char *mean, const char *hw, double scale)
{
    if (!*mean)
        snprintf(buf, n, "—");
    else if (*hw)
        snprintf(buf, n, "%.4g ± %.2g", strtod(mean, NULL) * scale, strtod(hw, NULL) * scale);
    else
        snprintf(buf, n, "%.4g", strtod(mean, NULL) * scale);
}

/* The table of the points: per point and flow, throughput and latency (mean ± half-width). */
static void print_points(const sources *s, const char *scenario, uint64_t reps)
{
    char path[4300];
    snprintf(path, sizeof path, "%s/%s", s->dir, SUMMARY_CSV);
    FILE *in = fopen(path, "r");
    if (!in)
        return;
    char *line = NULL, *f[MAX_SETS + 8];
    size_t cap = 0, np = s->nnames;
    printf("%s: %zu point%s, %" PRIu64 " replication%s each%s\n\n", scenario,
           s->npoints, s->npoints > 1 ? "s" : "", reps, reps > 1 ? "s" : "",
           reps > 1 ? " (mean ±95% CI half-width)" : "");
    printf("%5s", "point");
    for (size_t j = 0; j < np; j++)
        printf(" %10.10s", s->names[j]);
    printf("  %-12s %20s %20s %20s\n", "flow", "throughput /s", "latency_mean ms",
           "latency_p99 ms");
    char thr[64] = "", mean[64] = "", p99[64] = "";
    int marked = 0;
    for (int first = 1; getline(&line, &cap, in) >= 0; first = 0) {
        cli_chomp(line);
        size_t n = cli_split_csv(line, f, np + 7);
        if (first || n != np + 7)
            continue;
        if (*f[np + 6])
            marked = 1;
        const char *metric = f[np + 1], *dot = strrchr(metric, '.');
        if (!dot)
            continue;
        /* A flow's columns come together, throughput before latency_mean and latency_p99. */
        if (!strcmp(dot, ".throughput")) {
            cell(thr, sizeof thr, f[np + 3], f[np + 5], 1);
            mean[0] = 0;
        } else if (!strcmp(dot, ".latency_mean")) {
            cell(mean, sizeof mean, f[np + 3], f[np + 5], 1e3);
        } else if (!strcmp(dot, ".latency_p99") && mean[0]) {
            cell(p99, sizeof p99, f[np + 3], f[np + 5], 1e3);
            printf("%5s", f[0]);
            for (size_t j = 0; j < np; j++)
                printf(" %10.10s", f[1 + j]);
            printf("  %-12.*s %20s %20s %20s%s%s\n", (int)(dot - metric), metric, thr, mean, p99,
                   *f[np + 6] ? "  ! " : "", f[np + 6]);
            mean[0] = 0;
        }
    }
    free(line);
    fclose(in);
    if (marked)
        printf("\n! a point whose run warned (its kinds; the messages are in points/N/run.json):\n"
               "  its means are of a model that did not reach a steady state, or is overloaded\n");
    printf("\nresults in %s/ (sweep.csv sweep_summary.csv; each point in points/N/)\n", s->dir);
}

/* ---- the early assembly --------------------------------------------------------------------
 * A sweep of one process assembles sweep.csv while its last points run: the main thread, once
 * there is no point left to start, reads the points in order, each as soon as its thread has
 * handed it to the committer, from wherever it is (the committer's lock held while a file is
 * opened, so a staging directory is not renamed under it). The committer's last sync then
 * covers the last points and the assembly's files (assemble_finish): the end of a sweep waits
 * for the disk once less, and the assembly's work overlaps the last points. */

/* early's wait: point k has been run; 1 if it has results. */
static int early_wait(const sources *src, size_t k)
{
    sweep *s = src->ud;
    cli_committer *c = s->committer;
    pthread_mutex_lock(&c->lock);
    while (!s->ready[k])
        pthread_cond_wait(&c->ready, &c->lock);
    int present = !s->failed[k];
    pthread_mutex_unlock(&c->lock);
    return present;
}

/* early's open: point k's file where it is now, staged or in place. */
static FILE *early_open(const sources *src, size_t k, const char *name)
{
    sweep *s = src->ud;
    cli_committer *c = s->committer;
    char path[4300];
    pthread_mutex_lock(&c->lock);
    const char *dir = src->pdirs[k];
    for (size_t i = c->head; i < c->tail; i++) {
        const staged *e = &c->q[i % COMMIT_QUEUE];
        if (e->k == k && e->dir.staging)
            dir = e->dir.staging;
    }
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "r");
    int err = errno;
    pthread_mutex_unlock(&c->lock);
    errno = err;
    return f;
}

/* Assembles the points of a sweep in dir whose points are all in dir/points/ (failed[k]: left
 * out) into sweep.csv and sweep_summary.csv, and prints the table unless quiet. early, a
 * sweep of this process whose points may still run: its early assembly (above), the files
 * left for assemble_finish, nothing printed. */
static int assemble_dir(const char *dir, size_t npoints, const int *failed, const char *scenario,
                        uint64_t reps, int quiet, sweep *early)
{
    sources src = { .dir = dir, .pdirs = calloc(npoints ? npoints : 1, sizeof(char *)),
                    .npoints = npoints };
    if (early) {
        src.early = 1;
        src.wait = early_wait;
        src.open = early_open;
        src.ud = early;
    }
    char **names = NULL;
    char *line = NULL, *hdr = NULL;
    size_t cap = 0;
    int rc = -1;
    if (!src.pdirs)
        goto oom;
    for (size_t k = 0; k < npoints; k++) {
        if (!early && failed && failed[k])
            continue;
        char buf[4200];
        snprintf(buf, sizeof buf, "%s/points/%zu", dir, k);
        if (!(src.pdirs[k] = strdup(buf)))
            goto oom;
    }
    for (size_t k = 0; k < npoints && !hdr; k++) {
        if (!point_present(&src, k))
            continue;
        /* The params' names: the first point's header, between point and rep. */
        if (read_header_line(&src, k, &line, &cap) != 0)
            goto done;
        if (!(hdr = strdup(line)))
            goto oom;
        char *f[MAX_SETS + 2];
        size_t n = cli_split_csv(hdr, f, MAX_SETS + 2), r = 1;
        while (r < n && strcmp(f[r], "rep"))
            r++;
        if (r == n) {
            ASM_SAY(&src, "dessa: '%s/%s': no rep column\n", src.pdirs[k], CLI_POINT_CSV);
            goto done;
        }
        if (!(names = calloc(r, sizeof *names)))
            goto oom;
        for (size_t j = 1; j < r; j++)
            names[j - 1] = f[j];
        src.nnames = r - 1;
        src.names = (const char *const *)names;
    }
    if (!hdr) {
        ASM_SAY(&src, "dessa: '%s': no point has results\n", dir);
        goto done;
    }
    rc = assemble(&src);
    if (rc == 0 && !quiet && !early)
        print_points(&src, scenario, reps);
    goto done;
oom:
    ASM_SAY(&src, "dessa: out of memory\n");
done:
    for (size_t k = 0; src.pdirs && k < npoints; k++)
        free(src.pdirs[k]);
    free(src.pdirs);
    free(names);
    free(hdr);
    free(line);
    return rc;
}

#ifdef __linux__
/* After an early assembly and the committer's end: one syncfs makes the assembly's files and
 * the last points' renames durable; then the files are put in place and the table printed. If
 * a point failed after the early assembly read it (the committer's sync or rename), or the
 * sync failed, the files are dropped and the sweep is assembled again from disk. 0 or -1. */
static int assemble_finish(sweep *s, size_t nfailed_before)
{
    int fd = open(s->dir, O_RDONLY | O_DIRECTORY);
    int synced = fd >= 0 && syncfs(fd) == 0;
    if (fd >= 0)
        close(fd);
    if (synced && s->committer->nfailed == nfailed_before && assembly_in_place(s->dir) == 0) {
        if (!s->o->quiet) {
            sources src = { .dir = s->dir, .npoints = s->sw.npoints, .nnames = s->sw.nnames,
                            .names = (const char *const *)s->sw.names };
            print_points(&src, s->o->scenario, s->reps);
        }
        return 0;
    }
    assembly_drop(s->dir);
    return assemble_dir(s->dir, s->sw.npoints, s->failed, s->o->scenario, s->reps, s->o->quiet,
                        NULL);
}
#endif

/* ---- paired comparisons (--compare NAME=A,B) ------------------------------------------------
 * Replication r of two points sees the same random numbers, so the difference B_r - A_r of a
 * metric removes most of the noise the two share: its interval is the interval of the
 * difference, far narrower than two separate intervals would suggest. */

/* A point's rows: reps x columns of text, with the column names. */
typedef struct rows {
    char *header, **cols;
    size_t ncols;
    char **lines;
    char ***cells;
    size_t nrows;
} rows;

static void rows_free(rows *r)
{
    for (size_t i = 0; i < r->nrows; i++) {
        free(r->lines[i]);
        free(r->cells[i]);
    }
    free(r->lines);
    free(r->cells);
    free(r->cols);
    free(r->header);
    memset(r, 0, sizeof *r);
}

static int rows_read(const char *dir, rows *r)
{
    char path[4300];
    snprintf(path, sizeof path, "%s/%s", dir, CLI_POINT_CSV);
    memset(r, 0, sizeof *r);
    FILE *in = fopen(path, "r");
    if (!in)
        return -1;
    char *line = NULL;
    size_t cap = 0;
    int rc = 0;
    while (rc == 0 && getline(&line, &cap, in) >= 0) {
        cli_chomp(line);
        char **f = malloc(MAX_FIELDS * sizeof *f);
        char *copy = strdup(line);
        if (!f || !copy) {
            free(f);
            free(copy);
            rc = -1;
            break;
        }
        size_t n = cli_split_csv(copy, f, MAX_FIELDS);
        if (!r->header) {
            r->header = copy;
            r->cols = f;
            r->ncols = n;
            continue;
        }
        char **nl = realloc(r->lines, (r->nrows + 1) * sizeof *nl);
        char ***nc = nl ? realloc(r->cells, (r->nrows + 1) * sizeof *nc) : NULL;
        if (nl)
            r->lines = nl;
        if (nc)
            r->cells = nc;
        if (!nl || !nc || n != r->ncols) {
            free(f);
            free(copy);
            rc = -1;
            break;
        }
        r->lines[r->nrows] = copy;
        r->cells[r->nrows++] = f;
    }
    free(line);
    fclose(in);
    return rc;
}

static int compare_points(const sweep *s, sim_file *out, size_t a, size_t b, size_t skip)
{
    char da[4200], db[4200];
    point_dir(s, a, da, sizeof da);
    point_dir(s, b, db, sizeof db);
    rows ra, rb;
    int rc = rows_read(da, &ra) | rows_read(db, &rb);
    size_t first = s->sw.nnames + 2;   /* point, params, rep */
    for (size_t i = first; rc == 0 && i < ra.ncols; i++) {
        size_t j = first;
        while (j < rb.ncols && strcmp(rb.cols[j], ra.cols[i]))
            j++;
        if (j == rb.ncols)
            continue;
        sim_tally ta, tb, td;
        sim_tally_reset(&ta);
        sim_tally_reset(&tb);
        sim_tally_reset(&td);
        for (size_t r = 0; r < ra.nrows && r < rb.nrows; r++) {
            char *ea, *eb;
            double x = strtod(ra.cells[r][i], &ea), y = strtod(rb.cells[r][j], &eb);
            int hx = *ra.cells[r][i] && !*ea, hy = *rb.cells[r][j] && !*eb;
            if (hx)
                sim_tally_add(&ta, x);
            if (hy)
                sim_tally_add(&tb, y);
            if (hx && hy)
                sim_tally_add(&td, y - x);
        }
        for (size_t j2 = 0; j2 < s->sw.nnames; j2++)
            if (j2 != skip)
                sim_csv_str(out, s->sw.values[a * s->sw.nnames + j2]);
        sim_csv_str(out, ra.cols[i]);
        sim_csv_u64(out, a);
        sim_csv_u64(out, b);
        sim_csv_u64(out, td.n);
        sim_csv_real(out, ta.n ? sim_tally_mean(&ta) : NAN);
        sim_csv_real(out, tb.n ? sim_tally_mean(&tb) : NAN);
        sim_csv_real(out, td.n ? sim_tally_mean(&td) : NAN);
        sim_csv_real(out, td.n > 1 ? sim_tally_sd(&td) : NAN);
        sim_csv_real(out, td.n > 1 ? sim_ci_t_halfwidth(&td, 0.95) : NAN);
        sim_csv_end(out);
    }
    rows_free(&ra);
    rows_free(&rb);
    return rc;
}

/* sweep_compare.csv: for each pair of points equal but for NAME = A vs B, per metric the mean
 * of A, of B, and the paired difference B - A with its sd and 95% half-width. */
static int compare(const sweep *s)
{
    const options *o = s->o;
    char name[256];
    const char *eq = strchr(o->compare, '='), *comma = eq ? strchr(eq + 1, ',') : NULL;
    if (!eq || !comma || eq == o->compare || (size_t)(eq - o->compare) >= sizeof name ||
        strchr(comma + 1, ',')) {
        fprintf(stderr, "dessa: --compare needs NAME=A,B, got '%s'\n", o->compare);
        return -1;
    }
    memcpy(name, o->compare, (size_t)(eq - o->compare));
    name[eq - o->compare] = 0;
    char va[256], vb[256];
    snprintf(va, sizeof va, "%.*s", (int)(comma - eq - 1), eq + 1);
    snprintf(vb, sizeof vb, "%s", comma + 1);
    size_t w = 0, nn = s->sw.nnames;
    while (w < nn && strcmp(s->sw.names[w], name))
        w++;
    if (w == nn) {
        fprintf(stderr, "dessa: --compare %s: %s is not swept\n", o->compare, name);
        return -1;
    }
    char path[4300], tmp[4300];
    snprintf(path, sizeof path, "%s/sweep_compare.csv", s->dir);
    snprintf(tmp, sizeof tmp, "%s/.sweep_compare.csv.tmp", s->dir);
    sim_file out;
    if (sim_file_open(&out, tmp) != SIM_OK) {
        fprintf(stderr, "dessa: cannot write '%s': %s\n", tmp, strerror(out.err));
        return -1;
    }
    for (size_t j = 0; j < nn; j++)
        if (j != w)
            sim_csv_str(&out, s->sw.names[j]);
    static const char *const cols[] = { "metric", "point_a", "point_b", "n", "mean_a",
                                        "mean_b", "diff_mean", "diff_sd", "diff_half_width" };
    for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++)
        sim_csv_str(&out, cols[i]);
    sim_csv_end(&out);
    size_t pairs = 0;
    int rc = 0;
    for (size_t a = 0; rc == 0 && a < s->sw.npoints; a++) {
        if (s->failed[a] || strcmp(s->sw.values[a * nn + w], va))
            continue;
        for (size_t b = 0; rc == 0 && b < s->sw.npoints; b++) {
            if (s->failed[b] || strcmp(s->sw.values[b * nn + w], vb))
                continue;
            size_t j = 0;
            while (j < nn && (j == w || !strcmp(s->sw.values[a * nn + j], s->sw.values[b * nn + j])))
                j++;
            if (j < nn)
                continue;
            rc = compare_points(s, &out, a, b, w);
            pairs++;
        }
    }
    if (rc == 0 && !pairs) {
        fprintf(stderr, "dessa: --compare %s: no pair of points differs only in %s = %s vs %s\n",
                o->compare, name, va, vb);
        rc = -1;
    }
    if (rc == 0 && (sim_file_close(&out) != SIM_OK || rename(tmp, path) != 0)) {
        fprintf(stderr, "dessa: cannot write '%s': %s\n", path, strerror(out.err ? out.err : errno));
        rc = -1;
    }
    sim_file_fini(&out, rc != 0);
    if (rc == 0 && !o->quiet)
        printf("paired differences (%s = %s minus %s = %s, same random numbers) in %s\n", name,
               vb, name, va, path);
    return rc;
}

/* sweep.json must be on disk before the first point is put in place (--resume needs it). A
 * sweep of one process on Linux leaves that to the committer's first syncfs, which comes
 * before its first rename (or to an fsync when the committer does not start); shards and MPI
 * ranks, whose points another process may commit, sync it at once. */
#ifdef __linux__
#define SWEEP_JSON_LATER(shard) (!(shard) && cli_mpi_size() == 1)
#else
#define SWEEP_JSON_LATER(shard) 0
#endif

/* Checks the output directory and writes sweep.json: 0, or -1 after printing why. */
static int prepare(sweep *s, const char *json, int shard)
{
    const options *o = s->o;
    char path[4300];
    snprintf(path, sizeof path, "%s/%s", s->dir, SWEEP_JSON);
    char *old = rundir_slurp(path, NULL);
    int rc = -1;
    if (o->resume && !old)
        fprintf(stderr, "dessa: --resume: '%s' holds no sweep to resume\n", s->dir);
    else if (old && !o->resume && !shard)
        fprintf(stderr, "dessa: '%s' holds a sweep already: --resume finishes it; to start "
                        "afresh, remove it or choose another -o\n", s->dir);
    else if (old && strcmp(old, json))
        fprintf(stderr, "dessa: '%s' holds another sweep (its sweep.json differs: scenario, "
                        "seed, reps, --set or points); remove it or choose another -o\n",
                s->dir);
    else if (!old && !shard && !dir_empty(s->dir))
        fprintf(stderr, "dessa: '%s' exists and holds other files; a sweep needs a new or "
                        "empty directory (choose another -o)\n", s->dir);
    else if (make_dirs(s->dir) == 0 &&
             (old || write_whole(s->dir, SWEEP_JSON, json, !SWEEP_JSON_LATER(shard)) == 0)) {
        snprintf(path, sizeof path, "%s/points", s->dir);
        rc = make_dir(path);
    }
    free(old);
    return rc;
}

int cli_sweep(const options *o)
{
    char err[1024];
    dessa_load_opts lo = cli_load_opts(o, 0);
    lo.expand_sweep = 1;
    lo.sweep_params = o->params;
    lo.nsweep_params = o->nparams;
    dessa_scenario *sc = dessa_scenario_load(o->scenario, &lo, err, sizeof err);
    if (!sc) {
        cli_print_error(err);
        return EXIT_MODEL;
    }
    sweep s = { .o = o };
    dessa_scenario_sweep(sc, &s.sw);
    s.reps = o->has_reps ? o->reps : s.sw.reps ? s.sw.reps
                                    : o->precision > 0 ? CLI_PRECISION_MAX_REPS : 1;
    pthread_mutex_init(&s.print, NULL);
    char defdir[4096];
    s.dir = o->out;
    if (!s.dir) {
        cli_default_out(o->scenario, defdir, sizeof defdir - 8);
        strcat(defdir, "-sweep");
        s.dir = defdir;
    }
    int status = EXIT_MODEL;
    char *json = sweep_json(&s, dessa_scenario_seed(sc));
    s.todo = calloc(s.sw.npoints, sizeof *s.todo);
    s.failed = calloc(s.sw.npoints, sizeof *s.failed);
    s.ready = calloc(s.sw.npoints, sizeof *s.ready);
    if (!json || !s.todo || !s.failed || !s.ready) {
        fprintf(stderr, "dessa: out of memory\n");
        goto done;
    }
    for (const char *c = o->scenario; *c; c++)
        if (*c == '"' || *c == '\\' || (unsigned char)*c < 0x20) {
            fprintf(stderr, "dessa: the scenario's path must not hold quotes, backslashes or "
                            "control characters for a sweep: '%s'\n", o->scenario);
            goto done;
        }
    /* Shards share the directory: each runs its points, whoever comes first writes sweep.json.
     * Under MPI, rank 0 checks and prepares the directory, then every rank runs its slice. */
    int shard = o->shard_n > 0;
    int rank = cli_mpi_rank(), ranks = cli_mpi_size();
    if (shard && ranks > 1) {
        if (rank == 0)
            fprintf(stderr, "dessa: --shard and an MPI job do not mix: the ranks are the shards\n");
        goto done;
    }
    int ready = rank == 0 ? prepare(&s, json, shard) : 0;
    if (cli_mpi_bcast(ready) != 0)
        goto done;
    unsigned slices = shard ? o->shard_n : (unsigned)ranks;
    unsigned slice = shard ? o->shard_i - 1 : (unsigned)rank;
    for (size_t k = 0; k < s.sw.npoints; k++) {
        if (k % slices != slice)
            continue;
        if (!(o->resume || shard) || !point_done(&s, k))
            s.todo[s.ntodo++] = k;
        else
            s.ready[k] = 1;   /* in place from before */
    }

    unsigned jobs = o->jobs;
    /* Points in parallel first: a point on one thread loads its scenario once, while spreading a
     * point's replications over threads loads a copy per thread per point (a few ms each, more
     * than a short replication). Only a sweep of fewer points than threads spreads them. */
    unsigned threads = jobs;
    if (threads > s.ntodo)
        threads = s.ntodo ? (unsigned)s.ntodo : 1;
    s.point_jobs = jobs / threads ? jobs / threads : 1;
    atomic_init(&s.next, 0);
    atomic_init(&s.done, 0);
    cli_signals_take(": the finished points are kept (dessa sweep --resume goes on)");
    /* The progress line (after the signals were taken: its printer inherits the mask). -q
     * and --progress=never silence it and the lines per point; on a terminal the line
     * replaces them; elsewhere (--progress=always into a log) both are written. */
    int mode = o->quiet && !o->progress_given ? CLI_PROGRESS_NEVER : o->progress;
    s.progress = cli_progress_sweep(mode, s.ntodo, s.reps, threads, s.point_jobs);
    s.point_lines = !o->quiet && o->progress != CLI_PROGRESS_NEVER &&
                    !cli_progress_tty(s.progress);
    cli_committer committer;
    s.committer = committer_start(&committer, &s) == 0 ? &committer : NULL;
    if (!s.committer && rank == 0 && SWEEP_JSON_LATER(shard)) {   /* sync sweep.json now */
        char path[4300];
        snprintf(path, sizeof path, "%s/%s", s.dir, SWEEP_JSON);
        int fd = open(path, O_RDONLY);
        if (fd >= 0) {
            fsync(fd);
            close(fd);
        }
    }
    pthread_mutex_lock(&tmp_lock);
    sweep_progress = s.progress;
    sweep_committer = s.committer;
    pthread_mutex_unlock(&tmp_lock);
    pthread_t th[1024];
    point_thread pts[1024];
    unsigned started = 0;
    for (unsigned i = 1; i < threads && i < 1024; i++) {
        pts[started] = (point_thread){ &s, started + 1 };
        if (pthread_create(&th[started], NULL, point_worker, &pts[started]) == 0)
            started++;
    }
    point_thread first = { &s, 0 };
    point_worker(&first);
    /* No point left to start: a sweep of this process assembles sweep.csv while its last
     * points end (see "the early assembly"). */
    int early = 0;
    size_t nfailed_before = 0;
#ifdef __linux__
    if (s.committer && !shard && ranks == 1) {
        pthread_mutex_lock(&s.committer->lock);
        nfailed_before = s.committer->nfailed;
        pthread_mutex_unlock(&s.committer->lock);
        early = assemble_dir(s.dir, s.sw.npoints, s.failed, o->scenario, s.reps, 1, &s) == 0;
    }
#endif
    for (unsigned i = 0; i < started; i++)
        pthread_join(th[i], NULL);
    if (s.committer)   /* every point in place before the assembly */
        committer_stop(s.committer, !early);
    pthread_mutex_lock(&tmp_lock);
    sweep_progress = NULL;
    sweep_committer = NULL;
    pthread_mutex_unlock(&tmp_lock);
    cli_progress_stop(s.progress, 1);   /* erased before the table */
    s.progress = NULL;
    cli_mpi_max(s.failed, s.sw.npoints);   /* every rank's failures, on every rank */
    size_t nfailed = 0;
    for (size_t k = 0; k < s.sw.npoints; k++)
        nfailed += (size_t)s.failed[k];
    if (rank != 0) {
        status = 0;
    } else if (shard) {
        status = nfailed ? EXIT_MODEL : 0;
        if (!o->quiet)
            printf("shard %u/%u: %zu point%s run in %s/points/; when every shard is done: "
                   "dessa merge %s\n", o->shard_i, o->shard_n, s.ntodo - nfailed,
                   s.ntodo - nfailed == 1 ? "" : "s", s.dir, s.dir);
    } else if (nfailed < s.sw.npoints &&
#ifdef __linux__
               (early ? assemble_finish(&s, nfailed_before)
                      : assemble_dir(s.dir, s.sw.npoints, s.failed, o->scenario, s.reps,
                                     o->quiet, NULL)) == 0 &&
#else
               assemble_dir(s.dir, s.sw.npoints, s.failed, o->scenario, s.reps, o->quiet,
                            NULL) == 0 &&
#endif
               (!o->compare || compare(&s) == 0)) {
        status = nfailed ? EXIT_MODEL : 0;
    }
#ifdef __linux__
    if (early && nfailed == s.sw.npoints)   /* every point failed after the early assembly */
        assembly_drop(s.dir);
#endif
    if (nfailed && rank == 0)
        fprintf(stderr, "dessa: %zu of %zu points failed (above)%s\n", nfailed, s.sw.npoints,
                shard ? "" : "; sweep.csv holds the others");
    cli_signals_release();
done:
    status = cli_mpi_bcast(status);
    free(json);
    free(s.todo);
    free(s.failed);
    free(s.ready);
    pthread_mutex_destroy(&s.print);
    dessa_scenario_free(sc);
    return status;
}

/* ---- dessa merge ------------------------------------------------------------------------- */

/* Copies the regular files of directory from into directory to (made). 0 or -1 with errno. */
static int copy_dir(const char *from, const char *to)
{
    if (mkdir(to, 0777) != 0)
        return -1;
    DIR *d = opendir(from);
    if (!d)
        return -1;
    int rc = 0;
    for (struct dirent *e; rc == 0 && (e = readdir(d));) {
        if (e->d_name[0] == '.')
            continue;
        char a[4300], b[4300];
        snprintf(a, sizeof a, "%s/%s", from, e->d_name);
        snprintf(b, sizeof b, "%s/%s", to, e->d_name);
        FILE *in = fopen(a, "rb"), *out = in ? fopen(b, "wb") : NULL;
        char buf[65536];
        size_t n;
        while (out && (n = fread(buf, 1, sizeof buf, in)) > 0)
            if (fwrite(buf, 1, n, out) != n)
                rc = -1;
        if (!in || !out || ferror(in))
            rc = -1;
        if (in)
            fclose(in);
        if (out && fclose(out) != 0)
            rc = -1;
    }
    closedir(d);
    return rc;
}

int cli_merge(int argc, char **argv)
{
    const char *out = NULL, *dirs[1024];
    size_t ndirs = 0;
    int quiet = 0;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-o") || !strcmp(a, "--out")) {
            if (i + 1 >= argc || !*argv[i + 1])
                return cli_usage_error("%s needs a directory", a);
            out = argv[++i];
        } else if (!strncmp(a, "--out=", 6) || (!strncmp(a, "-o", 2) && a[2])) {
            out = a + (a[1] == 'o' ? 2 : 6);
        } else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
            quiet = 1;
        } else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            printf("usage: dessa merge DIR... [-o OUT] [-q]\n"
                   "Joins the points of a sweep run in shards (dessa sweep --shard I/N) into\n"
                   "OUT (default: the first DIR): sweep.csv and sweep_summary.csv as one sweep\n"
                   "would write them. Every DIR must hold the same sweep (sweep.json).\n");
            return 0;
        } else if (a[0] == '-' && a[1]) {
            return cli_usage_error("unknown option '%s'", a);
        } else if (ndirs < sizeof dirs / sizeof dirs[0]) {
            dirs[ndirs++] = a;
        }
    }
    if (!ndirs)
        return cli_usage_error("%s", "merge needs the directories of the shards");
    if (!out)
        out = dirs[0];
    char path[4300];
    char *json = NULL;
    int status = EXIT_MODEL;
    for (size_t i = 0; i < ndirs; i++) {
        snprintf(path, sizeof path, "%s/%s", dirs[i], SWEEP_JSON);
        char *j = rundir_slurp(path, NULL);
        if (!j) {
            fprintf(stderr, "dessa: merge: '%s' holds no sweep (no readable %s)\n", dirs[i],
                    SWEEP_JSON);
            free(json);
            return EXIT_MODEL;
        }
        if (json && strcmp(json, j)) {
            fprintf(stderr, "dessa: merge: '%s' holds another sweep than '%s' (their sweep.json "
                            "differ)\n", dirs[i], dirs[0]);
            free(j);
            free(json);
            return EXIT_MODEL;
        }
        if (json)
            free(j);
        else
            json = j;
    }
    char err[128];
    json_val *desc = json_parse(json, err, sizeof err);
    const json_val *np = json_get(desc, "npoints"), *nr = json_get(desc, "reps");
    long long npoints = np && np->type == JSON_NUM ? (long long)np->num : -1;
    long long reps = nr && nr->type == JSON_NUM ? (long long)nr->num : -1;
    if (npoints < 1 || reps < 1) {
        json_free(desc);
        fprintf(stderr, "dessa: merge: '%s/%s' is not a sweep description\n", dirs[0],
                SWEEP_JSON);
        free(json);
        return EXIT_MODEL;
    }
    /* Every point from the first directory that has it, moved into OUT/points/. */
    int same = 0;
    for (size_t i = 0; i < ndirs; i++)
        same |= !strcmp(dirs[i], out);
    if (!same && !dir_empty(out)) {
        fprintf(stderr, "dessa: merge: '%s' exists and holds other files; choose a new or empty "
                        "-o\n", out);
        goto done;
    }
    snprintf(path, sizeof path, "%s/points", out);
    if (make_dirs(path) != 0 || (!same && write_whole(out, SWEEP_JSON, json, 1) != 0))
        goto done;
    for (long long k = 0; k < npoints; k++) {
        char dst[4300], src[4300];
        snprintf(dst, sizeof dst, "%s/points/%lld", out, k);
        snprintf(path, sizeof path, "%s/%s", dst, CLI_POINT_CSV);
        if (access(path, R_OK) == 0)
            continue;
        size_t i = 0;
        for (; i < ndirs; i++) {
            snprintf(src, sizeof src, "%s/points/%lld/%s", dirs[i], k, CLI_POINT_CSV);
            if (access(src, R_OK) == 0)
                break;
        }
        if (i == ndirs) {
            fprintf(stderr, "dessa: merge: point %lld is in none of the directories: run its "
                            "shard (or dessa sweep --resume)\n", k);
            goto done;
        }
        snprintf(src, sizeof src, "%s/points/%lld", dirs[i], k);
        if (rename(src, dst) != 0 && (errno != EXDEV || copy_dir(src, dst) != 0)) {
            fprintf(stderr, "dessa: cannot move '%s' to '%s': %s\n", src, dst, strerror(errno));
            goto done;
        }
    }
    const char *scenario = json_str(desc, "scenario");
    if (assemble_dir(out, (size_t)npoints, NULL, scenario ? scenario : "", (uint64_t)reps,
                     quiet, NULL) == 0)
        status = 0;
done:
    json_free(desc);
    free(json);
    return status;
}
