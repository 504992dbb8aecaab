/* plot: charts and the report of a results directory, drawn by gnuplot from the CSV files.
 *
 *   plot.c     dessa plot DIR: which charts fit DIR, gnuplot as a child process, files in place
 *              only when whole
 *   report.c   dessa report DIR: one self-contained report.html
 *   rundir.c   reading a results directory: run.json (a small JSON reader) and CSV tables
 *
 * The gnuplot scripts are the files in plots/, embedded in the program at build time
 * (plots/embed.cmake), so an installed dessa draws from anywhere. */
#ifndef DESSA_PLOT_H
#define DESSA_PLOT_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

/* The commands: argv[1] is "plot" or "report". Exit status 0, 1 (nothing to draw, gnuplot
 * missing or failing, a file that cannot be written) or 2 (usage). */
int cli_plot(int argc, char **argv);
int cli_report(int argc, char **argv);
/* Their help texts (dessa help plot, dessa plot --help; the man page). */
extern const char cli_plot_help[];
extern const char cli_report_help[];

/* --- rundir.c ---------------------------------------------------------------------------- */

typedef enum { JSON_NULL, JSON_BOOL, JSON_NUM, JSON_STR, JSON_ARR, JSON_OBJ } json_type;

/* A parsed JSON value. Arrays and objects hold n items (objects also n keys). */
typedef struct json_val {
    json_type type;
    double num;                 /* JSON_NUM, JSON_BOOL (0 or 1) */
    char *str;                  /* JSON_STR, NUL-terminated (a \u0000 ends it early) */
    size_t n;
    struct json_val *items;
    char **keys;
} json_val;

/* Parses text; a value to free with json_free, or NULL with a message in err. */
json_val *json_parse(const char *text, char *err, size_t errlen);
void json_free(json_val *v);
/* The member key of an object, or NULL (also when v is NULL or not an object). */
const json_val *json_get(const json_val *v, const char *key);
/* The text of a string member, or NULL. */
const char *json_str(const json_val *v, const char *key);

/* A CSV file in memory: a header and rows of fields (RFC 4180). */
typedef struct csv_table {
    size_t ncols, nrows;
    char **head;                /* ncols names */
    char **cells;               /* nrows * ncols fields; a short row is padded with "" */
} csv_table;

/* Reads path; 0, or -1 with a message in err (the table is then empty). */
int csv_read(const char *path, csv_table *t, char *err, size_t errlen);
void csv_free(csv_table *t);
/* The index of a column, or -1. */
int csv_col(const csv_table *t, const char *name);
const char *csv_cell(const csv_table *t, size_t row, int col);

/* A whole file in a malloc'd NUL-terminated string (NULL with errno set). */
char *rundir_slurp(const char *path, size_t *len);
/* The same from an open stream f, which it closes (f NULL: NULL, errno left as fopen set it). */
char *rundir_slurp_file(FILE *f, size_t *len);

/* The run's caption: "scenario | params | seed N | R replications | dessa V", in a malloc'd
 * string; rep >= 0 names the one replication drawn instead (each chart's title says whether it
 * shows means or pooled histograms). NULL on ENOMEM. */
char *rundir_caption(const json_val *run, long rep);

/* --- plot.c, for report.c ------------------------------------------------------------------ */

/* The run charts, in the order a report shows them. */
typedef struct plot_chart {
    const char *name;           /* the script plots/NAME.gp and the file NAME.png / NAME.svg */
    const char *needs;          /* the CSV file it reads */
    const char *title;          /* a heading for the report */
    const char *what;           /* one sentence under it */
} plot_chart;
extern const plot_chart plot_run_charts[];
extern const size_t plot_nrun_charts;

/* The charts of a sweep (a directory with sweep_summary.csv): latency_load and metric. */
extern const plot_chart plot_sweep_charts[];
extern const size_t plot_nsweep_charts;

/* What the sweep charts need to know about a sweep directory. */
typedef struct plot_sweep {
    csv_table summary;          /* sweep_summary.csv */
    size_t nparams;             /* the swept params: columns 1..nparams of the summary */
    int metric, mean, hw;       /* columns of the summary */
    char **cols;                /* the metric columns of sweep.csv (after rep), ncols */
    size_t ncols;
    json_val *json;             /* sweep.json, or NULL */
    char *caption;              /* "scenario | sweep of ... | seed | replications | dessa V" */
} plot_sweep;
/* Whether dir holds a sweep (sweep_summary.csv). */
int plot_is_sweep(const char *dir);
/* Reads the sweep in dir; 0, or 1 after printing why. */
int plot_sweep_read(const char *dir, plot_sweep *s);
void plot_sweep_free(plot_sweep *s);
/* Whether swept param i (0-based) has numbers only. */
int plot_sweep_numeric(const plot_sweep *s, size_t i);
/* One sweep chart to draw: its script, the file name (without .fmt) and the variables. */
typedef struct plot_spec {
    const plot_chart *c;
    char name[256];
    char vars[2048];
} plot_spec;
#define PLOT_MAX_SPECS 8
/* The charts for x, y, by (each NULL for the default): latency_load and the default metrics, or
 * the metric y alone. Returns how many (0 after printing why), or -2 after printing a usage
 * error (a name that is not a column). */
int plot_sweep_specs(const plot_sweep *s, const char *x, const char *y, const char *by,
                     plot_spec *out);

/* Checks that gnuplot is there, recent enough, and (png) has pngcairo; prints why not and
 * returns 1, else 0. */
int plot_check_gnuplot(int need_png);
/* Whether chart c can be drawn from dir: 1 yes, 0 no (*why says why, a static text). */
int plot_fits(const char *dir, const plot_chart *c, const char **why);
/* A chart being drawn: gnuplot runs while the caller starts others. */
#define PLOT_MAX_JOBS 16
typedef struct plot_job {
    const struct plot_chart *c;
    char dest[4096], dir[4096];
    int slot, failed, err;
    pid_t pid;
    FILE *errf;                 /* gnuplot's messages */
} plot_job;
/* Starts drawing chart c of dir into dest (fmt svg or png); caption and warmup come from
 * run.json, rep is a replication or -1 (the mean). At most PLOT_MAX_JOBS at once. Returns 0, or
 * 1 after printing why (plot_finish then returns 1 too). */
int plot_start(plot_job *j, const char *dir, const plot_chart *c, const char *fmt,
               const char *dest, const char *caption, double warmup, long rep);
/* The same with more gnuplot variables (text of assignments, lines ending in \n), set before
 * the scripts. */
int plot_start_vars(plot_job *j, const char *dir, const plot_chart *c, const char *fmt,
                    const char *dest, const char *caption, double warmup, long rep,
                    const char *vars);
/* The gnuplot assignment of `shade` for the failures of replication rep in DIR/faults.csv, each
 * start paired with its end (or `end`, the run's end); for rep < 0 (a chart of the mean across
 * replications) those of replication 0 when every replication had the same (scheduled outages),
 * none when they differ (random crashes). NULL when there are none. The caller frees it. */
char *plot_fault_shade(const char *dir, long rep, double end);
/* Waits for j; the file is put in place only when gnuplot succeeded. 0, or 1 after printing
 * why (and nothing left behind). */
int plot_finish(plot_job *j);

#endif
