/* plot: dessa plot DIR — the charts that fit what DIR holds, drawn by gnuplot.
 *
 * Each chart is one gnuplot process fed on its standard input: a few variables (the directory,
 * the format, the output file, the caption, the warm-up), then plots/dessa.gp and the chart's
 * script, both embedded in the program. gnuplot writes to a hidden temporary file beside the
 * target, which is renamed into place only when gnuplot exited with status 0: a chart is whole
 * or absent. CSV files never depend on any of this. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "plot.h"

extern char **environ;

/* From the build (plots/embed.cmake): every plots/NAME.gp. */
typedef struct dessa_plot_script { const char *name; const unsigned char *src; size_t len; }
    dessa_plot_script;
extern const dessa_plot_script dessa_plot_scripts[];
extern const size_t dessa_nplot_scripts;

#define GNUPLOT_MAJOR 5
#define GNUPLOT_MINOR 2

/* The charts of a run. A sweep (sweep.csv, sweep_summary.csv) has its own list below, chosen
 * when the directory holds sweep_summary.csv (docs/design.md, "Charts"). */
const plot_chart plot_run_charts[] = {
    { "timeseries", "timeseries.csv", "Over time",
      "Answers per second and p99 response time of each flow, requests waiting and threads "
      "working and blocked at each service, errors per second; the warm-up is shaded." },
    { "latency_cdf", "latency.csv", "Response-time distribution",
      "The fraction of responses at or below each time, on a scale where 50%, 90%, 99%, 99.9% "
      "are evenly spaced, so the tail reads as easily as the body." },
    { "flows", "flows.csv", "Response and completion time",
      "What the client waits for (response) against when the last piece of work the request "
      "caused has finished (completion): equal in a purely synchronous design." },
    { "services", "services.csv", "Where the time goes",
      "Each thread pool split into threads working, blocked (holding a thread while waiting) "
      "and idle, and the cores each service keeps busy." },
};
const size_t plot_nrun_charts = sizeof plot_run_charts / sizeof plot_run_charts[0];

static const char install_hint[] =
    "  install it: apt-get install gnuplot-nox (Debian, Ubuntu), dnf install gnuplot (Fedora),\n"
    "  brew install gnuplot (macOS); or point DESSA_GNUPLOT at the program.\n"
    "  The CSV files do not need gnuplot: only dessa plot and dessa report do.\n";

static const char *gnuplot_program(void)
{
    const char *g = getenv("DESSA_GNUPLOT");
    return g && *g ? g : "gnuplot";
}

/* The temporary files being written, removed if dessa is interrupted. */
static char pending[PLOT_MAX_JOBS][4200];

static void on_signal(int sig)
{
    for (int i = 0; i < PLOT_MAX_JOBS; i++)
        if (pending[i][0])
            unlink(pending[i]);
    signal(sig, SIG_DFL);
    raise(sig);
}

static void watch_signals(void)
{
    signal(SIGPIPE, SIG_IGN);   /* a gnuplot that dies early must not kill dessa */
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    signal(SIGHUP, on_signal);
}

/* Starts gnuplot with script on its standard input (written whole, then closed); its standard
 * error goes to errf. The child's pid, or -1 if it could not start (errno set). */
static pid_t start_gnuplot(const char *script, size_t len, FILE *errf)
{
    int in[2];
    if (pipe(in))
        return -1;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in[0], 0);
    posix_spawn_file_actions_addclose(&fa, in[1]);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, fileno(errf), 2);
    char *argv[] = { (char *)gnuplot_program(), NULL };
    pid_t pid;
    int rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(in[0]);
    if (rc) {
        close(in[1]);
        errno = rc;
        return -1;
    }
    size_t off = 0;
    while (off < len) {
        ssize_t k = write(in[1], script + off, len - off);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            break;      /* gnuplot stopped reading: its status says why */
        off += (size_t)k;
    }
    close(in[1]);
    return pid;
}

/* Waits for a gnuplot: its exit status (0..255), 256 + signal, or -1 (errno set). */
static int wait_gnuplot(pid_t pid)
{
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 256 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
}

static int run_gnuplot(const char *script, size_t len, FILE *errf)
{
    pid_t pid = start_gnuplot(script, len, errf);
    return pid < 0 ? -1 : wait_gnuplot(pid);
}

/* The text gnuplot wrote on errf, at most n bytes, NUL-terminated in buf. */
static void read_back(FILE *errf, char *buf, size_t n)
{
    rewind(errf);
    size_t k = fread(buf, 1, n - 1, errf);
    buf[k] = 0;
}

/* Prints the last lines of gnuplot's messages, indented. */
static void print_tail(const char *msg)
{
    size_t len = strlen(msg);
    while (len && (msg[len - 1] == '\n' || msg[len - 1] == ' '))
        len--;
    const char *start = msg + len;
    int lines = 0;
    while (start > msg && lines < 6)
        if (*--start == '\n')
            lines++;
    if (*start == '\n')
        start++;
    fprintf(stderr, "  gnuplot said:\n");
    for (const char *p = start; p < msg + len;) {
        const char *e = memchr(p, '\n', (size_t)(msg + len - p));
        if (!e)
            e = msg + len;
        fprintf(stderr, "    %.*s\n", (int)(e - p), p);
        p = e + 1;
    }
}

int plot_check_gnuplot(int need_png)
{
    static const char probe[] =
        "print sprintf('version %d.%d', int(GPVAL_VERSION), "
        "int(GPVAL_VERSION * 10 + 0.5) % 10)\n"
        "print strstrt(GPVAL_TERMINALS, 'pngcairo') > 0 ? 'pngcairo yes' : 'pngcairo no'\n";
    FILE *errf = tmpfile();
    if (!errf) {
        fprintf(stderr, "dessa: cannot make a temporary file: %s\n", strerror(errno));
        return 1;
    }
    int rc = run_gnuplot(probe, sizeof probe - 1, errf);
    char out[2048];
    read_back(errf, out, sizeof out);
    fclose(errf);
    if (rc < 0 || rc == 127) {
        fprintf(stderr, "dessa: cannot run gnuplot ('%s': %s); charts are drawn with gnuplot %d.%d "
                "or newer.\n%s", gnuplot_program(), rc < 0 ? strerror(errno) : "not found",
                GNUPLOT_MAJOR, GNUPLOT_MINOR, install_hint);
        return 1;
    }
    int major = 0, minor = 0;
    const char *v = strstr(out, "version ");
    if (rc != 0 || !v || sscanf(v, "version %d.%d", &major, &minor) != 2) {
        fprintf(stderr, "dessa: '%s' did not answer like gnuplot (exit status %d).\n%s",
                gnuplot_program(), rc, install_hint);
        if (out[0])
            print_tail(out);
        return 1;
    }
    if (major < GNUPLOT_MAJOR || (major == GNUPLOT_MAJOR && minor < GNUPLOT_MINOR)) {
        fprintf(stderr, "dessa: gnuplot %d.%d is too old: charts need gnuplot %d.%d or newer.\n%s",
                major, minor, GNUPLOT_MAJOR, GNUPLOT_MINOR, install_hint);
        return 1;
    }
    if (need_png && !strstr(out, "pngcairo yes")) {
        fprintf(stderr, "dessa: this gnuplot has no pngcairo terminal (built without cairo): use "
                "--format svg, or install a build with it (Debian: gnuplot-nox).\n");
        return 1;
    }
    return 0;
}

static const dessa_plot_script *script_named(const char *name)
{
    for (size_t i = 0; i < dessa_nplot_scripts; i++)
        if (!strcmp(dessa_plot_scripts[i].name, name))
            return &dessa_plot_scripts[i];
    return NULL;
}

/* Appends s to b as a gnuplot single-quoted string ('' stands for a quote). */
static int put_quoted(char **b, size_t *n, size_t *cap, const char *s)
{
    size_t need = *n + 2 * strlen(s) + 3;
    if (need > *cap) {
        char *nb = realloc(*b, *cap = need * 2);
        if (!nb)
            return -1;
        *b = nb;
    }
    (*b)[(*n)++] = '\'';
    for (; *s; s++) {
        char c = *s == '\n' || *s == '\r' ? ' ' : *s;
        if (c == '\'')
            (*b)[(*n)++] = '\'';
        (*b)[(*n)++] = c;
    }
    (*b)[(*n)++] = '\'';
    return 0;
}

static int put_text(char **b, size_t *n, size_t *cap, const char *s, size_t len)
{
    if (*n + len + 1 > *cap) {
        char *nb = realloc(*b, *cap = (*n + len + 1) * 2);
        if (!nb)
            return -1;
        *b = nb;
    }
    memcpy(*b + *n, s, len);
    *n += len;
    return 0;
}

int plot_fits(const char *dir, const plot_chart *c, const char **why)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, c->needs);
    FILE *f = fopen(path, "r");
    if (!f) {
        *why = "no such file";
        return 0;
    }
    /* A header and at least one row. */
    int lines = 0, ch, last = '\n';
    while (lines < 2 && (ch = getc(f)) != EOF) {
        if (ch == '\n')
            lines++;
        last = ch;
    }
    if (lines == 1 && last != '\n')
        lines = 2;
    fclose(f);
    if (lines < 2) {
        *why = !strcmp(c->needs, "latency.csv") ? "no request was answered" : "the file has no rows";
        return 0;
    }
    return 1;
}

/* The failures of replication rep (rep 0 when the chart averages them) from DIR/faults.csv, as
 * gnuplot's `shade` variable: "shade = 'start end label;...'\n", each start paired with the next
 * end of the same target, replica and kind (or the run's end). Labelled ("db crash", "db/1
 * outage") only when there are at most PLOT_LABEL_SHADE (more would overlap); at most
 * PLOT_MAX_SHADE in all. NULL when there are none or on out of memory. */
#define PLOT_MAX_SHADE 400
#define PLOT_LABEL_SHADE 6
/* Whether the row [line, eol) of faults.csv is a circuit breaker's (its kind column; names
 * hold no comma). */
static int is_breaker_row(const char *line, const char *eol)
{
    static const char key[] = ",breaker,";
    size_t n = sizeof key - 1;
    for (const char *p = line; p + n <= eol; p++)
        if (!memcmp(p, key, n))
            return 1;
    return 0;
}

/* p, or the first row at or after it that is not a breaker's. */
static const char *skip_breakers(const char *p)
{
    while (*p) {
        const char *eol = strchr(p, '\n');
        eol = eol ? eol : p + strlen(p);
        if (!is_breaker_row(p, eol))
            break;
        p = *eol ? eol + 1 : eol;
    }
    return p;
}

/* Whether every one of nreps replications has the same failures as replication 0 in the rows
 * of faults.csv (text): the same times, targets, kinds and events, in the same order (the rows
 * of circuit breakers left out). */
static int same_failures(const char *text, long nreps)
{
    const char *line = strchr(text, '\n');
    if (!line || nreps < 1)
        return 0;
    line++;
    const char *first0 = NULL, *end0 = NULL;   /* replication 0's rows */
    const char *twin = NULL;   /* the row of replication 0 the current row must repeat */
    long reps = 0, cur = -1;
    while (*line) {
        const char *eol = strchr(line, '\n');
        eol = eol ? eol : line + strlen(line);
        const char *comma = memchr(line, ',', (size_t)(eol - line));
        if (!comma)
            return 0;
        if (is_breaker_row(line, eol)) {   /* states of breakers are not shaded */
            line = *eol ? eol + 1 : eol;
            continue;
        }
        long r = strtol(line, NULL, 10);
        if (r != cur) {   /* a new replication's rows start here */
            if (cur == 0)
                end0 = line;
            else if (cur > 0 && twin != end0)
                return 0;   /* fewer rows than replication 0 */
            if (r == 0)
                first0 = line;
            cur = r;
            reps++;
            twin = first0;
        }
        if (cur > 0) {   /* the same row as replication 0's, but for its number */
            if (!first0 || !end0 || twin >= end0)
                return 0;
            const char *teol = strchr(twin, '\n');
            teol = teol ? teol : twin + strlen(twin);
            const char *tc = memchr(twin, ',', (size_t)(teol - twin));
            if (!tc || teol - tc != eol - comma || memcmp(tc, comma, (size_t)(eol - comma)))
                return 0;
            twin = skip_breakers(*teol ? teol + 1 : teol);
        }
        line = *eol ? eol + 1 : eol;
    }
    if (cur > 0 && twin != end0)
        return 0;
    return first0 && reps == nreps;
}

char *plot_fault_shade(const char *dir, long rep, double end)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/faults.csv", dir);
    char *text = rundir_slurp(path, NULL);
    if (!text)
        return NULL;
    if (rep < 0) {   /* the mean of the replications: only failures they all had */
        snprintf(path, sizeof path, "%s/run.json", dir);
        char *rj = rundir_slurp(path, NULL), err[64];
        json_val *run = rj ? json_parse(rj, err, sizeof err) : NULL;
        const json_val *reps = json_get(run, "reps");
        int same = reps && reps->type == JSON_NUM && same_failures(text, (long)reps->num);
        json_free(run);
        free(rj);
        if (!same) {
            free(text);
            return NULL;
        }
    }
    enum { MAXROWS = 4096 };
    struct { double t; char who[232]; int start; } *rows = calloc(MAXROWS, sizeof *rows);
    size_t n = 0;
    char want[32];
    snprintf(want, sizeof want, "%ld", rep < 0 ? 0 : rep);
    for (char *line = strchr(text, '\n'); rows && line && n < MAXROWS; line = strchr(line, '\n')) {
        line++;
        char *f[6];
        int k = 0;
        for (char *p = line; k < 6; k++) {
            f[k] = p;
            size_t len = strcspn(p, ",\n");
            if (p[len] != ',' && k < 5)
                break;
            p += len + (p[len] == ',');
        }
        if (k < 6 || strncmp(f[0], want, strlen(want)) || f[0][strlen(want)] != ',' ||
            !strncmp(f[4], "breaker,", 8))
            continue;
        rows[n].t = strtod(f[1], NULL);
        int lt = (int)strcspn(f[2], ","), lr = (int)strcspn(f[3], ","), lk = (int)strcspn(f[4], ",");
        if (lr)
            snprintf(rows[n].who, sizeof rows[n].who, "%.*s/%.*s %.*s", lt, f[2], lr, f[3], lk,
                     f[4]);
        else
            snprintf(rows[n].who, sizeof rows[n].who, "%.*s %.*s", lt, f[2], lk, f[4]);
        rows[n].start = !strncmp(f[5], "start", 5);
        n++;
    }
    size_t starts = 0;
    for (size_t i = 0; rows && i < n; i++)
        starts += rows[i].start;
    int labels = starts <= PLOT_LABEL_SHADE;
    size_t cap = 64 + (size_t)PLOT_MAX_SHADE * 300, len = 0, shown = 0;
    char *out = rows ? malloc(cap) : NULL;
    if (out)
        len = (size_t)snprintf(out, cap, "shade = '");
    for (size_t i = 0; out && i < n && shown < PLOT_MAX_SHADE; i++) {
        if (!rows[i].start)
            continue;
        double stop = end;
        for (size_t j = i + 1; j < n; j++)
            if (!rows[j].start && !strcmp(rows[j].who, rows[i].who)) {
                stop = rows[j].t;
                break;
            }
        len += (size_t)snprintf(out + len, cap - len, "%s%.17g %.17g %s", shown ? ";" : "",
                                rows[i].t, stop, labels ? rows[i].who : "");
        shown++;
    }
    if (out && shown)
        snprintf(out + len, cap - len, "'\n");
    free(rows);
    free(text);
    if (out && !shown) {
        free(out);
        out = NULL;
    }
    return out;
}

int plot_start(plot_job *j, const char *dir, const plot_chart *c, const char *fmt,
               const char *dest, const char *caption, double warmup, long rep)
{
    return plot_start_vars(j, dir, c, fmt, dest, caption, warmup, rep, NULL);
}

int plot_start_vars(plot_job *j, const char *dir, const plot_chart *c, const char *fmt,
                    const char *dest, const char *caption, double warmup, long rep,
                    const char *vars)
{
    memset(j, 0, sizeof *j);
    j->c = c;
    j->pid = -1;
    snprintf(j->dest, sizeof j->dest, "%s", dest);
    snprintf(j->dir, sizeof j->dir, "%s", dir);
    int slot = -1;
    for (int i = 0; i < PLOT_MAX_JOBS && slot < 0; i++)
        if (!pending[i][0])
            slot = i;
    const dessa_plot_script *common = script_named("dessa"), *chart = script_named(c->name);
    if (!common || !chart || slot < 0) {
        fprintf(stderr, "dessa: the chart script %s.gp is not built in\n", c->name);
        return j->failed = 1;
    }
    j->slot = slot;
    snprintf(pending[slot], sizeof pending[slot], "%s.tmp-%ld", dest, (long)getpid());
    char *b = NULL;
    size_t n = 0, cap = 0;
    char num[64];
    int bad = put_text(&b, &n, &cap, "dir = ", 6) || put_quoted(&b, &n, &cap, dir) ||
              put_text(&b, &n, &cap, "\nfmt = ", 7) || put_quoted(&b, &n, &cap, fmt) ||
              put_text(&b, &n, &cap, "\nout = ", 7) || put_quoted(&b, &n, &cap, pending[slot]) ||
              put_text(&b, &n, &cap, "\ncaption = ", 11) || put_quoted(&b, &n, &cap, caption);
    snprintf(num, sizeof num, "\nwarmup = %.17g\nrep = %ld\n", warmup, rep);
    bad = bad || put_text(&b, &n, &cap, num, strlen(num)) ||
          (vars && put_text(&b, &n, &cap, vars, strlen(vars))) ||
          put_text(&b, &n, &cap, (const char *)common->src, common->len) ||
          put_text(&b, &n, &cap, (const char *)chart->src, chart->len);
    j->errf = bad ? NULL : tmpfile();
    if (!j->errf) {
        fprintf(stderr, "dessa: %s: %s\n", c->name, bad ? "out of memory" : strerror(errno));
        free(b);
        pending[slot][0] = 0;
        return j->failed = 1;
    }
    j->pid = start_gnuplot(b, n, j->errf);
    j->err = errno;
    free(b);
    return 0;
}

int plot_finish(plot_job *j)
{
    if (j->failed)
        return 1;
    char *tmp = pending[j->slot];
    int rc = j->pid < 0 ? -1 : wait_gnuplot(j->pid);
    int err = j->pid < 0 ? j->err : errno;
    struct stat st;
    if (rc == 0 && (stat(tmp, &st) || st.st_size == 0))
        rc = 255;   /* exit 0 but no file: count it a failure */
    if (rc == 0 && rename(tmp, j->dest) == 0) {
        fclose(j->errf);
        tmp[0] = 0;
        return 0;
    }
    if (rc == 0)
        err = errno;
    unlink(tmp);
    tmp[0] = 0;
    char msg[8192];
    read_back(j->errf, msg, sizeof msg);
    fclose(j->errf);
    if (rc < 0)
        fprintf(stderr, "dessa: cannot run gnuplot ('%s'): %s\n%s", gnuplot_program(),
                strerror(err), install_hint);
    else if (rc == 0)
        fprintf(stderr, "dessa: cannot write '%s': %s\n", j->dest, strerror(err));
    else {
        fprintf(stderr, "dessa: gnuplot failed to draw %s from '%s' (%s %d)\n", j->c->name,
                j->dir, rc > 255 ? "signal" : "exit status", rc > 255 ? rc - 256 : rc);
        if (msg[0])
            print_tail(msg);
    }
    return 1;
}

/* --- sweeps ------------------------------------------------------------------------------ */

const plot_chart plot_sweep_charts[] = {
    { "latency_load", "sweep_summary.csv", "Response time against load",
      "The p99, p50 and mean response time of each flow against the first swept parameter, one "
      "colour per value of the second, with 95% error bars: where a design saturates, its p99 "
      "turns up sharply. A point where nothing was answered has no latency and is absent." },
    { "metric", "sweep_summary.csv", "A metric against a parameter",
      "The mean across replications with its 95% error bars, one panel per entity." },
};
const size_t plot_nsweep_charts = sizeof plot_sweep_charts / sizeof plot_sweep_charts[0];

int plot_is_sweep(const char *dir)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/sweep_summary.csv", dir);
    return access(path, F_OK) == 0;
}

void plot_sweep_free(plot_sweep *s)
{
    csv_free(&s->summary);
    for (size_t i = 0; i < s->ncols; i++)
        free(s->cols[i]);
    free(s->cols);
    json_free(s->json);
    free(s->caption);
    memset(s, 0, sizeof *s);
}

/* The caption of a sweep: scenario, the swept params and how many points, seed, replications,
 * and the version from point 0's run.json. */
static char *sweep_caption(const char *dir, const plot_sweep *s)
{
    char buf[2048], ver[128] = "";
    const char *sc = json_str(s->json, "scenario");
    int k = snprintf(buf, sizeof buf, "%s  |  sweep of", sc ? sc : dir);
    for (size_t i = 0; i < s->nparams && k > 0 && (size_t)k < sizeof buf; i++)
        k += snprintf(buf + k, sizeof buf - (size_t)k, "%s%s", i ? " x " : " ",
                      s->summary.head[1 + i]);
    const json_val *np = json_get(s->json, "npoints"), *seed = json_get(s->json, "seed"),
                   *reps = json_get(s->json, "reps");
    if (np && np->type == JSON_NUM && k > 0 && (size_t)k < sizeof buf)
        k += snprintf(buf + k, sizeof buf - (size_t)k, " (%.0f points)", np->num);
    if (seed && seed->type == JSON_NUM && k > 0 && (size_t)k < sizeof buf)
        k += snprintf(buf + k, sizeof buf - (size_t)k, "  |  seed %.0f", seed->num);
    if (reps && reps->type == JSON_NUM && k > 0 && (size_t)k < sizeof buf)
        k += snprintf(buf + k, sizeof buf - (size_t)k, "  |  %.0f replication%s per point",
                      reps->num, reps->num == 1 ? "" : "s");
    char path[4096], err[256];
    snprintf(path, sizeof path, "%s/points/0/run.json", dir);
    char *text = rundir_slurp(path, NULL);
    json_val *run = text ? json_parse(text, err, sizeof err) : NULL;
    const char *v = json_str(run, "version");
    if (v)
        snprintf(ver, sizeof ver, "  |  dessa %s", v);
    json_free(run);
    free(text);
    if (k > 0 && (size_t)k < sizeof buf)
        snprintf(buf + k, sizeof buf - (size_t)k, "%s", ver);
    return strdup(buf);
}

int plot_sweep_read(const char *dir, plot_sweep *s)
{
    memset(s, 0, sizeof *s);
    char path[4096], err[512];
    snprintf(path, sizeof path, "%s/sweep_summary.csv", dir);
    if (csv_read(path, &s->summary, err, sizeof err)) {
        fprintf(stderr, "dessa: %s\n", err);
        return 1;
    }
    s->metric = csv_col(&s->summary, "metric");
    s->mean = csv_col(&s->summary, "mean");
    s->hw = csv_col(&s->summary, "half_width");
    if (csv_col(&s->summary, "point") != 0 || s->metric < 1 || s->mean < 0 || s->hw < 0) {
        fprintf(stderr, "dessa: '%s' is not a sweep summary (expected the columns point, the "
                "swept params, metric, n, mean, sd, half_width)\n", path);
        plot_sweep_free(s);
        return 1;
    }
    s->nparams = (size_t)s->metric - 1;
    /* The metric columns of sweep.csv: the header after rep. */
    snprintf(path, sizeof path, "%s/sweep.csv", dir);
    FILE *f = fopen(path, "r");
    char line[65536];
    if (!f || !fgets(line, sizeof line, f)) {
        fprintf(stderr, "dessa: '%s': %s\n", path, f ? "empty" : strerror(errno));
        if (f)
            fclose(f);
        plot_sweep_free(s);
        return 1;
    }
    fclose(f);
    line[strcspn(line, "\r\n")] = 0;
    int after_rep = 0;
    for (char *tok = strtok(line, ","); tok; tok = strtok(NULL, ",")) {
        if (after_rep) {
            char **nc = realloc(s->cols, (s->ncols + 1) * sizeof *nc);
            if (!nc || !(nc[s->ncols] = strdup(tok))) {
                s->cols = nc ? nc : s->cols;
                fprintf(stderr, "dessa: out of memory\n");
                plot_sweep_free(s);
                return 1;
            }
            s->cols = nc;
            s->ncols++;
        }
        after_rep |= !strcmp(tok, "rep");
    }
    snprintf(path, sizeof path, "%s/sweep.json", dir);
    char *text = rundir_slurp(path, NULL);
    if (text)
        s->json = json_parse(text, err, sizeof err);
    free(text);
    if (!(s->caption = sweep_caption(dir, s))) {
        fprintf(stderr, "dessa: out of memory\n");
        plot_sweep_free(s);
        return 1;
    }
    return 0;
}

int plot_sweep_numeric(const plot_sweep *s, size_t i)
{
    int any = 0;
    for (size_t r = 0; r < s->summary.nrows; r++) {
        const char *v = csv_cell(&s->summary, r, (int)i + 1);
        char *end;
        if (!*v)
            continue;
        strtod(v, &end);
        if (*end)
            return 0;
        any = 1;
    }
    return any;
}

/* The index of swept param name, or -1. */
static int param_index(const plot_sweep *s, const char *name)
{
    for (size_t i = 0; i < s->nparams; i++)
        if (!strcmp(s->summary.head[1 + i], name))
            return (int)i;
    return -1;
}

/* The swept params as "a, b, c" (numeric only when numeric is set). */
static void list_params(const plot_sweep *s, int numeric, char *buf, size_t n)
{
    size_t k = 0;
    buf[0] = 0;
    for (size_t i = 0; i < s->nparams && k < n; i++)
        if (!numeric || plot_sweep_numeric(s, i))
            k += (size_t)snprintf(buf + k, n - k, "%s%s", k ? ", " : "", s->summary.head[1 + i]);
    if (!buf[0])
        snprintf(buf, n, "none");
}

/* Whether metric y is a column of sweep.csv (ENTITY.METRIC) or the METRIC of one. */
static int has_metric(const plot_sweep *s, const char *y)
{
    size_t ly = strlen(y);
    for (size_t i = 0; i < s->ncols; i++) {
        size_t lc = strlen(s->cols[i]);
        if (!strcmp(s->cols[i], y) ||
            (lc > ly + 1 && s->cols[i][lc - ly - 1] == '.' && !strcmp(s->cols[i] + lc - ly, y)))
            return 1;
    }
    return 0;
}

/* Prints the metrics of the sweep (the distinct METRIC parts) and its entities. */
static void list_metrics(const plot_sweep *s)
{
    fprintf(stderr, "  metrics (give METRIC for every entity, or ENTITY.METRIC):");
    for (size_t i = 0; i < s->ncols; i++) {
        const char *m = strrchr(s->cols[i], '.');
        m = m ? m + 1 : s->cols[i];
        size_t j = 0;
        for (; j < i; j++) {
            const char *o = strrchr(s->cols[j], '.');
            if (!strcmp(o ? o + 1 : s->cols[j], m))
                break;
        }
        if (j == i)
            fprintf(stderr, " %s", m);
    }
    fprintf(stderr, "\n  entities:");
    for (size_t i = 0; i < s->ncols; i++) {
        const char *d = strrchr(s->cols[i], '.');
        int len = d ? (int)(d - s->cols[i]) : 0;
        size_t j = 0;
        for (; j < i; j++) {
            const char *o = strrchr(s->cols[j], '.');
            if (o && (int)(o - s->cols[j]) == len && !strncmp(s->cols[j], s->cols[i], (size_t)len))
                break;
        }
        if (d && j == i)
            fprintf(stderr, " %.*s", len, s->cols[i]);
    }
    fprintf(stderr, "\n");
}

/* Whether some metric of the summary ends in .name. */
static int entity_has(const plot_sweep *s, const char *name)
{
    char suffix[128];
    snprintf(suffix, sizeof suffix, ".%s", name);
    size_t ls = strlen(suffix);
    for (size_t i = 0; i < s->ncols; i++) {
        size_t lc = strlen(s->cols[i]);
        if (lc > ls && !strcmp(s->cols[i] + lc - ls, suffix))
            return 1;
    }
    return 0;
}

/* Appends name = 'value' (quoted for gnuplot) to vars. */
static void add_var(char *vars, size_t n, const char *name, const char *value)
{
    size_t k = strlen(vars);
    k += (size_t)snprintf(vars + k, k < n ? n - k : 0, "%s = '", name);
    for (const char *p = value; *p && k + 3 < n; p++) {
        if (*p == '\'')
            vars[k++] = '\'';
        vars[k++] = *p == '\n' ? ' ' : *p;
    }
    if (k + 2 < n) {
        vars[k++] = '\'';
        vars[k++] = '\n';
        vars[k] = 0;
    }
}

int plot_sweep_specs(const plot_sweep *s, const char *x, const char *y, const char *by,
                     plot_spec *out)
{
    char names[1024];
    int xi = -1;
    if (x) {
        if ((xi = param_index(s, x)) < 0) {
            list_params(s, 0, names, sizeof names);
            fprintf(stderr, "dessa: --x '%s' is not a swept parameter of this sweep; the swept "
                    "parameters are: %s\n", x, names);
            return -2;
        }
        if (!plot_sweep_numeric(s, (size_t)xi)) {
            list_params(s, 1, names, sizeof names);
            fprintf(stderr, "dessa: --x '%s': its values are not numbers, so it cannot be an "
                    "axis; numeric swept parameters: %s (use it as --by instead)\n", x, names);
            return -2;
        }
    } else {
        for (size_t i = 0; i < s->nparams && xi < 0; i++)
            if (plot_sweep_numeric(s, i))
                xi = (int)i;
        if (xi < 0) {
            list_params(s, 0, names, sizeof names);
            fprintf(stderr, "dessa: no sweep chart: no swept parameter has numbers to put on the "
                    "x axis (swept: %s)\n", names);
            return 0;
        }
        x = s->summary.head[1 + xi];
    }
    if (by) {
        int bi = param_index(s, by);
        if (bi < 0 || bi == xi) {
            list_params(s, 0, names, sizeof names);
            fprintf(stderr, "dessa: --by '%s' %s; the swept parameters are: %s\n", by,
                    bi < 0 ? "is not a swept parameter of this sweep" : "is already the x axis",
                    names);
            return -2;
        }
    } else {
        by = "";
        for (size_t i = 0; i < s->nparams && !*by; i++)
            if ((int)i != xi)
                by = s->summary.head[1 + i];
    }
    if (y && !has_metric(s, y)) {
        fprintf(stderr, "dessa: --y '%s' is not a column of sweep.csv, nor the metric of one\n", y);
        list_metrics(s);
        return -2;
    }
    char common[1024] = "", params[1024] = "";
    for (size_t i = 0; i < s->nparams; i++) {
        size_t k = strlen(params);
        snprintf(params + k, sizeof params - k, "%s%s", i ? " " : "", s->summary.head[1 + i]);
    }
    add_var(common, sizeof common, "params", params);
    add_var(common, sizeof common, "x", x);
    add_var(common, sizeof common, "by", by);
    int n = 0;
    const char *metrics[] = { "throughput", "threads_working", "threads_blocked" };
    if (!y && entity_has(s, "latency_p99")) {
        out[n].c = &plot_sweep_charts[0];
        snprintf(out[n].name, sizeof out[n].name, "latency_load");
        snprintf(out[n].vars, sizeof out[n].vars, "%s", common);
        n++;
    }
    for (size_t i = 0; i < (y ? 1 : sizeof metrics / sizeof metrics[0]); i++) {
        const char *m = y ? y : metrics[i];
        if (!y && !entity_has(s, m))
            continue;
        out[n].c = &plot_sweep_charts[1];
        snprintf(out[n].name, sizeof out[n].name, "metric-%s", m);
        snprintf(out[n].vars, sizeof out[n].vars, "%s", common);
        add_var(out[n].vars, sizeof out[n].vars, "y", m);
        n++;
    }
    if (!n)
        fprintf(stderr, "dessa: no sweep chart: the sweep has no flow latency nor throughput\n");
    return n;
}

/* dessa plot SWEEPDIR: the sweep charts. */
static int plot_sweep_dir(const char *dir, const char *x, const char *y, const char *by,
                          int png, int svg, int quiet)
{
    plot_sweep s;
    if (plot_sweep_read(dir, &s))
        return 1;
    plot_spec specs[PLOT_MAX_SPECS];
    int n = plot_sweep_specs(&s, x, y, by, specs);
    if (n <= 0) {
        plot_sweep_free(&s);
        return n == -2 ? 2 : 1;
    }
    if (plot_check_gnuplot(png)) {
        plot_sweep_free(&s);
        return 1;
    }
    watch_signals();
    plot_job jobs[PLOT_MAX_JOBS];
    size_t njobs = 0;
    for (int i = 0; i < n; i++)
        for (int k = 0; k < 2 && njobs < PLOT_MAX_JOBS; k++) {
            if (!(k == 0 ? png : svg))
                continue;
            const char *fmt = k == 0 ? "png" : "svg";
            char dest[4096];
            snprintf(dest, sizeof dest, "%s/%s.%s", dir, specs[i].name, fmt);
            plot_start_vars(&jobs[njobs++], dir, specs[i].c, fmt, dest, s.caption, 0, -1,
                            specs[i].vars);
        }
    int failed = 0;
    if (!quiet)
        printf("charts in %s/:", dir);
    for (size_t i = 0; i < njobs; i++) {
        if (plot_finish(&jobs[i]))
            failed = 1;
        else if (!quiet)
            printf(" %s", strrchr(jobs[i].dest, '/') + 1);
        fflush(stdout);
    }
    if (!quiet)
        printf("\n");
    plot_sweep_free(&s);
    return failed;
}

/* --- dessa plot ---------------------------------------------------------------------------- */

const char cli_plot_help[] =
    "usage: dessa plot DIR [--format png|svg|png,svg] [--rep N] [-q]\n"
    "       dessa plot SWEEPDIR [--x PARAM] [--y METRIC] [--by PARAM] [--format F] [-q]\n"
    "\n"
    "Draws the charts that fit the results in DIR (from dessa run) with gnuplot 5.2 or newer,\n"
    "next to the CSV files: DIR/timeseries.png, latency_cdf.png, flows.png, services.png.\n"
    "For a sweep (dessa sweep: DIR holds sweep_summary.csv): latency_load.png, p50, p99 and mean\n"
    "response time of each flow against a swept parameter, and metric-throughput.png,\n"
    "metric-threads_working.png, metric-threads_blocked.png, with 95% error bars.\n"
    "  --format F   png (default), svg, or both: png,svg\n"
    "  --rep N      draw replication N only (default: the mean across replications; latency\n"
    "               histograms are pooled)\n"
    "  --x PARAM    sweep: the parameter on the x axis (default: the first numeric one)\n"
    "  --y METRIC   sweep: draw only metric-METRIC.png, a column of sweep.csv (web.throughput)\n"
    "               or a metric of every entity that has it (throughput)\n"
    "  --by PARAM   sweep: one line per value of PARAM (default: the next swept parameter)\n"
    "  -q, --quiet  print nothing but errors\n"
    "The scripts also run on their own: gnuplot -e \"dir='DIR'\" plots/timeseries.gp\n"
    "(docs/charts.md).\n";

static int usage_error(const char *what, const char *arg)
{
    fprintf(stderr, "dessa: ");
    fprintf(stderr, what, arg);
    fprintf(stderr, "\n(dessa plot --help for help)\n");
    return 2;
}

/* A value for option name: --name=V, or the next argument. */
static const char *opt_value(int argc, char **argv, int *i, const char *name)
{
    size_t k = strlen(name);
    if (!strncmp(argv[*i], name, k) && argv[*i][k] == '=')
        return argv[*i] + k + 1;
    if (!strcmp(argv[*i], name))
        return *i + 1 < argc ? argv[++*i] : NULL;
    return NULL;
}

static int is_opt(const char *arg, const char *name)
{
    size_t k = strlen(name);
    return !strncmp(arg, name, k) && (arg[k] == 0 || arg[k] == '=');
}

/* run.json of dir, or NULL after printing why. */
static json_val *read_run_json(const char *dir)
{
    char path[4096], err[256];
    snprintf(path, sizeof path, "%s/run.json", dir);
    char *text = rundir_slurp(path, NULL);
    if (!text) {
        fprintf(stderr, "dessa: '%s': %s (is '%s' a results directory of dessa run?)\n", path,
                strerror(errno), dir);
        return NULL;
    }
    json_val *v = json_parse(text, err, sizeof err);
    free(text);
    if (!v)
        fprintf(stderr, "dessa: '%s': not valid JSON: %s\n", path, err);
    return v;
}

/* Parses the rep option: a replication of the run, or -1. */
static int parse_rep(const char *s, const json_val *run, long *rep)
{
    char *end;
    errno = 0;
    long r = strtol(s, &end, 10);
    if (!*s || *end || errno || r < 0 || s[0] == '+' || s[0] == ' ')
        return usage_error("--rep: expected a replication number (0, 1, ...), got '%s'", s);
    const json_val *reps = json_get(run, "reps");
    if (reps && reps->type == JSON_NUM && (double)r >= reps->num) {
        fprintf(stderr, "dessa: --rep %ld: the run has %.0f replication%s (0 to %.0f)\n", r,
                reps->num, reps->num == 1 ? "" : "s", reps->num - 1);
        return 1;
    }
    *rep = r;
    return 0;
}

int cli_plot(int argc, char **argv)
{
    const char *dir = NULL, *format = "png", *rep_arg = NULL, *x = NULL, *y = NULL, *by = NULL;
    int quiet = 0;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(cli_plot_help, stdout);
            return 0;
        } else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
            quiet = 1;
        } else if (is_opt(a, "--format")) {
            if (!(format = opt_value(argc, argv, &i, "--format")))
                return usage_error("%s needs a value: png, svg or png,svg", "--format");
        } else if (is_opt(a, "--rep")) {
            if (!(rep_arg = opt_value(argc, argv, &i, "--rep")))
                return usage_error("%s needs a replication number", "--rep");
        } else if (is_opt(a, "--x") || is_opt(a, "--y") || is_opt(a, "--by")) {
            const char *name = a[2] == 'b' ? "--by" : a[2] == 'x' ? "--x" : "--y";
            const char *v = opt_value(argc, argv, &i, name);
            if (!v || !*v)
                return usage_error("%s needs a value: a swept parameter (--x, --by) or a metric "
                                   "(--y)", name);
            *(name[2] == 'x' ? &x : name[2] == 'y' ? &y : &by) = v;
        } else if (a[0] == '-' && a[1]) {
            return usage_error("unknown option '%s' for plot", a);
        } else if (dir) {
            return usage_error("one directory at a time: '%s' is one too many", a);
        } else {
            dir = a;
        }
    }
    if (!dir)
        return usage_error("%s", "plot needs a results directory: dessa plot DIR");
    int png = 0, svg = 0;
    if (!strcmp(format, "png"))
        png = 1;
    else if (!strcmp(format, "svg"))
        svg = 1;
    else if (!strcmp(format, "png,svg") || !strcmp(format, "svg,png") || !strcmp(format, "both"))
        png = svg = 1;
    else
        return usage_error("--format: expected png, svg or png,svg, got '%s'", format);

    struct stat st;
    if (strpbrk(dir, "\n\r")) {
        fprintf(stderr, "dessa: cannot plot a directory whose name holds a line break "
                "(gnuplot cannot take it): rename it\n");
        return 1;
    }
    if (stat(dir, &st) || !S_ISDIR(st.st_mode)) {
        fprintf(stderr, "dessa: '%s': %s\n", dir, stat(dir, &st) ? strerror(errno) : "not a directory");
        return 1;
    }
    if (plot_is_sweep(dir)) {
        if (rep_arg)
            return usage_error("--rep applies to a run; '%s' holds a sweep (plot one point with "
                               "dessa plot DIR/points/N --rep R)", dir);
        return plot_sweep_dir(dir, x, y, by, png, svg, quiet);
    }
    if (x || y || by)
        return usage_error("--x, --y and --by apply to a sweep (a directory of dessa sweep); '%s' "
                           "holds no sweep_summary.csv", dir);
    json_val *run = read_run_json(dir);
    if (!run)
        return 1;
    long rep = -1;
    if (rep_arg) {
        int rc = parse_rep(rep_arg, run, &rep);
        if (rc) {
            json_free(run);
            return rc;
        }
    }
    int fits[sizeof plot_run_charts / sizeof plot_run_charts[0]], nfit = 0;
    const char *why[sizeof fits / sizeof fits[0]];
    for (size_t i = 0; i < plot_nrun_charts; i++)
        nfit += fits[i] = plot_fits(dir, &plot_run_charts[i], &why[i]);
    if (!nfit) {
        fprintf(stderr, "dessa: nothing to plot in '%s': it holds none of flows.csv, services.csv, "
                "timeseries.csv, latency.csv with rows (the files of dessa run)\n", dir);
        json_free(run);
        return 1;
    }
    if (plot_check_gnuplot(png)) {
        json_free(run);
        return 1;
    }
    char *caption = rundir_caption(run, rep);
    const json_val *rj = json_get(run, "run"), *wj = json_get(rj, "warmup"),
                   *dj = json_get(rj, "duration");
    double warmup = wj && wj->type == JSON_NUM ? wj->num : 0;
    char *shade = plot_fault_shade(dir, rep, dj && dj->type == JSON_NUM ? dj->num : 0);
    json_free(run);
    if (!caption) {
        fprintf(stderr, "dessa: out of memory\n");
        return 1;
    }
    watch_signals();
    int failed = 0;
    plot_job jobs[PLOT_MAX_JOBS];
    size_t njobs = 0;
    for (size_t i = 0; i < plot_nrun_charts; i++) {
        if (!fits[i])
            continue;
        for (int k = 0; k < 2 && njobs < PLOT_MAX_JOBS; k++) {
            if (!(k == 0 ? png : svg))
                continue;
            const char *fmt = k == 0 ? "png" : "svg";
            char dest[4096];
            snprintf(dest, sizeof dest, "%s/%s.%s", dir, plot_run_charts[i].name, fmt);
            plot_start_vars(&jobs[njobs++], dir, &plot_run_charts[i], fmt, dest, caption,
                            warmup, rep, shade);
        }
    }
    if (!quiet)
        printf("charts in %s/:", dir);
    for (size_t i = 0; i < njobs; i++) {
        if (plot_finish(&jobs[i]))
            failed = 1;
        else if (!quiet)
            printf(" %s", strrchr(jobs[i].dest, '/') + 1);
        fflush(stdout);
    }
    if (!quiet) {
        printf("\n");
        for (size_t i = 0; i < plot_nrun_charts; i++)
            if (!fits[i] && strcmp(why[i], "no such file"))
                printf("no %s chart: %s (%s)\n", plot_run_charts[i].name, why[i],
                       plot_run_charts[i].needs);
    }
    free(caption);
    free(shade);
    return failed;
}
