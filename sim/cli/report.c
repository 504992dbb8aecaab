/* report: dessa report DIR — one self-contained DIR/report.html to attach to a design review or
 * print: what was run (scenario, parameters, seed, version), the warnings, summary tables of the
 * flows and services (mean and 95% half-width across replications), the charts as inline SVG,
 * and the scenario's text. No external file, font, script or style: one file, readable offline.
 * The page is built in memory and put in place in one rename; a failure leaves no report. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "plot.h"
#include "stats/ci.h"
#include "stats/tally.h"

typedef struct html {
    char *s;
    size_t n, cap;
    int failed;
} html;

static void hput(html *h, const char *s, size_t len)
{
    if (h->failed)
        return;
    if (h->n + len + 1 > h->cap) {
        size_t cap = (h->n + len + 1) * 2;
        char *ns = realloc(h->s, cap);
        if (!ns) {
            h->failed = 1;
            return;
        }
        h->s = ns;
        h->cap = cap;
    }
    memcpy(h->s + h->n, s, len);
    h->n += len;
    h->s[h->n] = 0;
}

static void hprintf(html *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void hprintf(html *h, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (k < 0)
        h->failed = 1;
    else
        hput(h, buf, (size_t)k < sizeof buf ? (size_t)k : sizeof buf - 1);
}

/* Text with <, >, &, " escaped. */
static void hesc(html *h, const char *s)
{
    for (; *s; s++) {
        size_t k = strcspn(s, "<>&\"");
        hput(h, s, k);
        s += k;
        if (!*s)
            break;
        hprintf(h, "%s", *s == '<' ? "&lt;" : *s == '>' ? "&gt;" : *s == '&' ? "&amp;" : "&quot;");
    }
}

static const char style[] =
    "<style>\n"
    "body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;"
    "color:#222;max-width:980px;margin:24px auto;padding:0 16px}\n"
    "h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ccc}"
    "h3{font-size:15px;margin:18px 0 6px}\n"
    ".sub{color:#555;margin:0 0 16px}\n"
    "table{border-collapse:collapse;margin:6px 0 14px;font-size:13px}\n"
    "th,td{padding:3px 8px;border-bottom:1px solid #e2e2e2;text-align:right;white-space:nowrap}\n"
    "th{background:#f4f4f4;font-weight:600}th:first-child,td:first-child{text-align:left}\n"
    "table.facts td,table.facts th{text-align:left}\n"
    ".hw{color:#888;font-size:11px}\n"
    ".warn{background:#fff4e0;border:1px solid #e0a040;padding:8px 12px;margin:10px 0}\n"
    ".warn li{margin:2px 0}\n"
    "figure{margin:12px 0 22px}figcaption{color:#444;font-size:13px;margin-top:2px}\n"
    "figure svg{width:100%;height:auto;display:block}\n"
    "pre{background:#f7f7f7;border:1px solid #e2e2e2;padding:10px;font-size:12px;"
    "white-space:pre-wrap;word-break:break-word}\n"
    ".note{color:#666;font-size:12px}\n"
    "@page{size:A4;margin:14mm}\n"
    "@media print{body{max-width:none;margin:0;font-size:11px}figure,table,.warn{break-inside:avoid}"
    "h2{break-after:avoid}h2.charts{break-before:page}pre{font-size:9px}}\n"
    "</style>\n";

/* --- summary tables ------------------------------------------------------------------------- */

/* A column: the CSV name, the heading, a scale, decimals, and whether it is shown only when it
 * is nonzero somewhere (counts of events most runs never have). */
typedef struct col {
    const char *name, *head;
    double scale;
    int prec;
    int if_nonzero;
} col;

static const col flow_counts[] = {
    { "sent", "sent", 1, 0, 0 }, { "ok", "ok", 1, 0, 0 }, { "failed", "failed", 1, 0, 0 },
    { "timeouts", "timeouts", 1, 0, 0 }, { "dropped", "dropped", 1, 0, 0 },
    { "in_flight", "in flight", 1, 0, 0 }, { "throughput", "answers/s", 1, 2, 0 },
    { "incomplete", "incomplete", 1, 0, 1 },
};
static const col flow_times[] = {
    { "latency_mean", "mean", 1e3, 2, 0 }, { "latency_p50", "p50", 1e3, 2, 0 },
    { "latency_p90", "p90", 1e3, 2, 0 }, { "latency_p99", "p99", 1e3, 2, 0 },
    { "latency_p999", "p99.9", 1e3, 2, 0 }, { "latency_max", "max", 1e3, 2, 0 },
};
static const col flow_completion[] = {
    { "completion_mean", "completion mean", 1e3, 2, 0 },
    { "completion_p50", "completion p50", 1e3, 2, 0 },
    { "completion_p99", "completion p99", 1e3, 2, 0 },
};
static const col service_counts[] = {
    { "arrivals", "arrivals", 1, 0, 0 }, { "completed", "completed", 1, 0, 0 },
    { "failed", "failed", 1, 0, 0 }, { "dropped", "dropped", 1, 0, 0 },
    { "in_flight", "in flight", 1, 0, 0 }, { "throughput", "completed/s", 1, 2, 0 },
};
static const col service_queues[] = {
    { "queue_mean", "queue mean", 1, 2, 0 }, { "queue_max", "queue max", 1, 0, 0 },
    { "wait_mean", "wait mean ms", 1e3, 2, 0 }, { "wait_p99", "wait p99 ms", 1e3, 2, 0 },
    { "residence_mean", "residence mean ms", 1e3, 2, 0 },
};
static const col service_threads[] = {
    { "utilization", "threads held (share)", 1, 3, 0 },
    { "threads_working", "working", 1, 2, 0 }, { "threads_blocked", "blocked", 1, 2, 0 },
    { "cores_busy", "cores busy", 1, 2, 0 }, { "cpu_utilization", "CPU utilization", 1, 3, 0 },
};
static const col broker_counts[] = {
    { "published", "published", 1, 0, 0 }, { "delivered", "delivered", 1, 0, 0 },
    { "acked", "acked", 1, 0, 0 }, { "redelivered", "redelivered", 1, 0, 1 },
    { "duplicates", "duplicates", 1, 0, 1 },
    { "duplicates_suppressed", "duplicates suppressed", 1, 0, 1 },
    { "dead_lettered", "dead-lettered", 1, 0, 1 },
    { "lost", "lost", 1, 0, 0 }, { "dropped", "dropped", 1, 0, 0 },
    { "buffered", "buffered", 1, 0, 0 }, { "in_flight", "in flight", 1, 0, 0 },
    { "out_of_order", "out of order", 1, 0, 1 }, { "expired", "expired", 1, 0, 1 },
    { "rebalances", "rebalances", 1, 0, 1 },
};
static const col broker_depths[] = {
    { "depth_mean", "depth mean", 1, 2, 0 }, { "depth_max", "depth max", 1, 0, 0 },
    { "lag_mean", "lag mean", 1, 2, 0 }, { "lag_p99", "lag p99", 1, 2, 0 },
    { "consumer_utilization", "consumers busy (share)", 1, 3, 0 },
};
static const col broker_times[] = {
    { "age_mean", "age mean", 1e3, 2, 0 }, { "age_p99", "age p99", 1e3, 2, 0 },
    { "sojourn_mean", "sojourn mean", 1e3, 2, 0 }, { "sojourn_p99", "sojourn p99", 1e3, 2, 0 },
};
static const col broker_logs[] = {
    { "lag_seconds_mean", "lag s mean", 1, 3, 1 }, { "lag_seconds_p99", "lag s p99", 1, 3, 1 },
    { "lag_seconds_max", "lag s max", 1, 3, 1 },
    { "hot_partition_lag_mean", "hottest partition's lag mean", 1, 2, 1 },
};
#define N(a) (sizeof(a) / sizeof((a)[0]))

/* The distinct entities of a table (column 1 after the context columns: the one named key), in
 * order of first appearance; returns how many, indexes in *first (malloc'd). */
static size_t entities(const csv_table *t, int key, size_t **first)
{
    size_t n = 0;
    *first = malloc((t->nrows + 1) * sizeof **first);
    if (!*first)
        return 0;
    for (size_t r = 0; r < t->nrows; r++) {
        size_t i = 0;
        while (i < n && strcmp(csv_cell(t, (*first)[i], key), csv_cell(t, r, key)))
            i++;
        if (i == n)
            (*first)[n++] = r;
    }
    return n;
}

/* Mean and 95% half-width of column c over the rows of entity name; n = 0 when no row has a
 * value there. */
static sim_tally stat_of(const csv_table *t, int key, const char *name, int c)
{
    sim_tally s;
    sim_tally_reset(&s);
    for (size_t r = 0; r < t->nrows; r++) {
        if (strcmp(csv_cell(t, r, key), name))
            continue;
        const char *v = csv_cell(t, r, c);
        char *end;
        double x = strtod(v, &end);
        if (*v && !*end && isfinite(x))
            sim_tally_add(&s, x);
    }
    return s;
}

/* Whether column c is nonzero in some row. */
static int nonzero(const csv_table *t, int c)
{
    for (size_t r = 0; r < t->nrows; r++) {
        const char *v = csv_cell(t, r, c);
        if (*v && strtod(v, NULL) != 0)
            return 1;
    }
    return 0;
}

static void cell(html *h, const sim_tally *s, double scale, int prec)
{
    if (s->n == 0) {
        hprintf(h, "<td>&mdash;</td>");
        return;
    }
    hprintf(h, "<td>%.*f", prec, sim_tally_mean(s) * scale);
    double hw = sim_ci_t_halfwidth(s, 0.95);
    if (s->n >= 2 && isfinite(hw))
        hprintf(h, " <span class=\"hw\">&plusmn;%.*f</span>", prec, hw * scale);
    hprintf(h, "</td>");
}

/* One table of entities: the columns of cols present in t, then (extras) every other numeric
 * column not in skip that is nonzero somewhere. */
static void table(html *h, const csv_table *t, const char *key_name, const char *caption,
                  const col *cols, size_t ncols, int extras, const char *const *skip)
{
    int key = csv_col(t, key_name), rep = csv_col(t, "rep");
    if (key < 0)
        return;
    int use[256];
    size_t nuse = 0;
    for (size_t i = 0; i < ncols && nuse < N(use); i++) {
        int c = csv_col(t, cols[i].name);
        if (c >= 0 && (!cols[i].if_nonzero || nonzero(t, c)))
            use[nuse++] = (int)i;
    }
    int more[256];
    size_t nmore = 0;
    for (size_t c = 0; extras && c < t->ncols && nmore < N(more); c++) {
        if ((int)c == key || (int)c == rep)
            continue;
        int known = 0;
        for (size_t k = 0; skip[k]; k++)
            known |= !strcmp(skip[k], t->head[c]);
        if (!known && nonzero(t, (int)c))
            more[nmore++] = (int)c;
    }
    if (!nuse && !nmore)
        return;
    size_t *first;
    size_t ne = entities(t, key, &first);
    hprintf(h, "<table><caption style=\"text-align:left;font-weight:600\">");
    hesc(h, caption);
    hprintf(h, "</caption>\n<tr><th>");
    hesc(h, key_name);
    hprintf(h, "</th>");
    for (size_t i = 0; i < nuse; i++) {
        hprintf(h, "<th>");
        hesc(h, cols[use[i]].head);
        hprintf(h, "</th>");
    }
    for (size_t i = 0; i < nmore; i++) {
        hprintf(h, "<th>");
        hesc(h, t->head[more[i]]);
        hprintf(h, "</th>");
    }
    hprintf(h, "</tr>\n");
    for (size_t e = 0; e < ne; e++) {
        const char *name = csv_cell(t, first[e], key);
        hprintf(h, "<tr><td>");
        hesc(h, name);
        hprintf(h, "</td>");
        for (size_t i = 0; i < nuse; i++) {
            const col *c = &cols[use[i]];
            sim_tally s = stat_of(t, key, name, csv_col(t, c->name));
            cell(h, &s, c->scale, c->prec);
        }
        for (size_t i = 0; i < nmore; i++) {
            sim_tally s = stat_of(t, key, name, more[i]);
            cell(h, &s, 1, 4);
        }
        hprintf(h, "</tr>\n");
    }
    hprintf(h, "</table>\n");
    free(first);
}

/* Names each group row of brokers.csv broker/group in its broker column; 0, or -1 out of
 * memory. */
static int broker_names(csv_table *t)
{
    int b = csv_col(t, "broker"), g = csv_col(t, "group");
    if (b < 0 || g < 0)
        return 0;
    for (size_t r = 0; r < t->nrows; r++) {
        const char *broker = csv_cell(t, r, b), *group = csv_cell(t, r, g);
        if (!*group)
            continue;
        size_t n = strlen(broker) + strlen(group) + 2;
        char *name = malloc(n);
        if (!name)
            return -1;
        snprintf(name, n, "%s/%s", broker, group);
        free(t->cells[r * t->ncols + (size_t)b]);
        t->cells[r * t->ncols + (size_t)b] = name;
    }
    return 0;
}

/* --- the parts of the page ------------------------------------------------------------------- */

static void json_inline(html *h, const json_val *v)
{
    switch (v->type) {
    case JSON_STR: hesc(h, v->str); break;
    case JSON_NUM: hprintf(h, "%.15g", v->num); break;
    case JSON_BOOL: hprintf(h, "%s", v->num ? "true" : "false"); break;
    case JSON_NULL: hprintf(h, "null"); break;
    case JSON_ARR:
        for (size_t i = 0; i < v->n; i++) {
            hprintf(h, "%s", i ? ", " : "");
            json_inline(h, &v->items[i]);
        }
        break;
    case JSON_OBJ:
        for (size_t i = 0; i < v->n; i++) {
            hprintf(h, "%s", i ? "; " : "");
            hesc(h, v->keys[i]);
            hprintf(h, ": ");
            json_inline(h, &v->items[i]);
        }
        break;
    }
}

static void facts(html *h, const json_val *run)
{
    hprintf(h, "<table class=\"facts\">\n");
    const char *keys[] = { "scenario", "version", "seed", "reps" };
    const char *heads[] = { "scenario", "dessa version", "seed", "replications" };
    for (size_t i = 0; i < N(keys); i++) {
        const json_val *v = json_get(run, keys[i]);
        if (!v)
            continue;
        hprintf(h, "<tr><th>%s</th><td>", heads[i]);
        json_inline(h, v);
        hprintf(h, "</td></tr>\n");
    }
    const json_val *r = json_get(run, "run");
    if (r && r->type == JSON_OBJ) {
        hprintf(h, "<tr><th>run</th><td>");
        for (size_t i = 0; i < r->n; i++) {
            hprintf(h, "%s", i ? ", " : "");
            hesc(h, r->keys[i]);
            hprintf(h, " ");
            json_inline(h, &r->items[i]);
            hprintf(h, " s");
        }
        hprintf(h, "</td></tr>\n");
    }
    const json_val *p = json_get(run, "params");
    hprintf(h, "<tr><th>parameters</th><td>");
    if (!p || p->type != JSON_OBJ || !p->n)
        hprintf(h, "none");
    for (size_t i = 0; p && p->type == JSON_OBJ && i < p->n; i++) {
        hprintf(h, "%s<code>", i ? ", " : "");
        hesc(h, p->keys[i]);
        hprintf(h, " = ");
        json_inline(h, &p->items[i]);
        hprintf(h, "</code>");
    }
    hprintf(h, "</td></tr>\n");
    const json_val *ev = json_get(run, "events"), *wall = json_get(run, "wall_seconds");
    if (ev && wall && ev->type == JSON_NUM && wall->type == JSON_NUM)
        hprintf(h, "<tr><th>simulation</th><td>%.0f events in %.2f s</td></tr>\n", ev->num,
                wall->num);
    const json_val *reps = json_get(run, "replications");
    size_t unbalanced = 0;
    for (size_t i = 0; reps && reps->type == JSON_ARR && i < reps->n; i++) {
        const char *l = json_str(&reps->items[i], "ledger");
        unbalanced += l && strcmp(l, "balanced");
    }
    if (reps && reps->type == JSON_ARR)
        hprintf(h, "<tr><th>accounting</th><td>%s</td></tr>\n",
                unbalanced ? "UNBALANCED in some replication" :
                "every request accounted for in every replication");
    hprintf(h, "</table>\n");
}

static void warnings(html *h, const json_val *run)
{
    const json_val *w = json_get(run, "warnings");
    if (!w || (w->type == JSON_ARR && w->n == 0))
        return;
    hprintf(h, "<div class=\"warn\"><strong>Warnings</strong><ul>\n");
    if (w->type == JSON_ARR) {
        for (size_t i = 0; i < w->n; i++) {
            hprintf(h, "<li>");
            json_inline(h, &w->items[i]);
            hprintf(h, "</li>\n");
        }
    } else {
        hprintf(h, "<li>");
        json_inline(h, w);
        hprintf(h, "</li>\n");
    }
    hprintf(h, "</ul></div>\n");
}

/* Appends an SVG file as inline SVG: no XML prolog, no namespace URLs (an HTML page does not
 * need them), ids prefixed so the charts of one page do not share any. */
static int inline_svg(html *h, const char *path, const char *prefix)
{
    char *svg = rundir_slurp(path, NULL);
    if (!svg)
        return -1;
    char *s = strstr(svg, "<svg");
    if (!s) {
        free(svg);
        return -1;
    }
    static const char *const drop[] = { " xmlns=\"http://www.w3.org/2000/svg\"",
                                        " xmlns:xlink=\"http://www.w3.org/1999/xlink\"" };
    static const char *const ids[] = { "id=\"", "id='", "href='#", "href=\"#", "url(#" };
    while (*s) {
        size_t k = strcspn(s, " iuh");
        hput(h, s, k);
        s += k;
        if (!*s)
            break;
        int done = 0;
        for (size_t i = 0; i < N(drop) && !done; i++)
            if (!strncmp(s, drop[i], strlen(drop[i]))) {
                s += strlen(drop[i]);
                done = 1;
            }
        for (size_t i = 0; i < N(ids) && !done; i++)
            if (!strncmp(s, ids[i], strlen(ids[i]))) {
                hput(h, s, strlen(ids[i]));
                hprintf(h, "%s_", prefix);
                s += strlen(ids[i]);
                done = 1;
            }
        if (!done)
            hput(h, s++, 1);
    }
    free(svg);
    return 0;
}

static void scenario_text(html *h, const json_val *run, const char *dir)
{
    hprintf(h, "<h2>Scenario</h2>\n");
    const char *text = json_str(run, "scenario_text");
    const char *path = json_str(run, "scenario");
    char *read = NULL;
    if (!text && path && (read = rundir_slurp(path, NULL)) != NULL) {
        hprintf(h, "<p class=\"note\">run.json does not hold the scenario's text: this is ");
        hesc(h, path);
        hprintf(h, " as it is now, which may differ from what ran.</p>\n");
        text = read;
    }
    if (!text) {
        hprintf(h, "<p class=\"note\">The scenario's text is not recorded in %s/run.json.</p>\n",
                "the results directory");
        return;
    }
    hprintf(h, "<pre>");
    hesc(h, text);
    hprintf(h, "</pre>\n");
    free(read);
    (void)dir;
}

/* Puts the page in DIR/report.html in one rename; frees it. */
static int write_report(const char *dir, html *hp, int quiet)
{
    html h = *hp;
    if (h.failed) {
        fprintf(stderr, "dessa: out of memory writing the report\n");
        free(h.s);
        return 1;
    }
    char dest[4096], tmp[4200];
    snprintf(dest, sizeof dest, "%s/report.html", dir);
    snprintf(tmp, sizeof tmp, "%s.tmp-%ld", dest, (long)getpid());
    FILE *f = fopen(tmp, "wb");
    int ok = f && fwrite(h.s, 1, h.n, f) == h.n;
    ok = f && fclose(f) == 0 && ok;
    if (!ok || rename(tmp, dest)) {
        fprintf(stderr, "dessa: cannot write '%s': %s\n", f ? dest : tmp, strerror(errno));
        unlink(tmp);
        free(h.s);
        return 1;
    }
    free(h.s);
    if (!quiet)
        printf("report in %s\n", dest);
    return 0;
}

/* --- a sweep ------------------------------------------------------------------------------ */

/* The row of the summary for point p (its text) and metric m, or -1. */
static long summary_row(const plot_sweep *s, const char *point, const char *metric)
{
    for (size_t r = 0; r < s->summary.nrows; r++)
        if (!strcmp(csv_cell(&s->summary, r, 0), point) &&
            !strcmp(csv_cell(&s->summary, r, s->metric), metric))
            return (long)r;
    return -1;
}

/* A cell of the points table: mean ± half-width of metric m at a point, scaled. */
static void summary_cell(html *h, const plot_sweep *s, const char *point, const char *m,
                         double scale, int prec)
{
    long r = summary_row(s, point, m);
    const char *mean = r < 0 ? "" : csv_cell(&s->summary, (size_t)r, s->mean);
    const char *hw = r < 0 ? "" : csv_cell(&s->summary, (size_t)r, s->hw);
    if (!*mean) {
        hprintf(h, "<td>&mdash;</td>");
        return;
    }
    hprintf(h, "<td>%.*f", prec, strtod(mean, NULL) * scale);
    if (*hw)
        hprintf(h, " <span class=\"hw\">&plusmn;%.*f</span>", prec, strtod(hw, NULL) * scale);
    hprintf(h, "</td>");
}

/* The points table of one flow: point, the params, throughput, latency mean and p99. */
static void sweep_flow_table(html *h, const plot_sweep *s, const char *flow)
{
    static const col cols[] = { { "throughput", "answers/s", 1, 2, 0 },
                                { "latency_mean", "mean ms", 1e3, 2, 0 },
                                { "latency_p99", "p99 ms", 1e3, 2, 0 } };
    hprintf(h, "<table><caption style=\"text-align:left;font-weight:600\">Flow ");
    hesc(h, flow);
    hprintf(h, "</caption>\n<tr><th>point</th>");
    for (size_t i = 0; i < s->nparams; i++) {
        hprintf(h, "<th>");
        hesc(h, s->summary.head[1 + i]);
        hprintf(h, "</th>");
    }
    for (size_t i = 0; i < N(cols); i++)
        hprintf(h, "<th>%s</th>", cols[i].head);
    hprintf(h, "</tr>\n");
    const char *last = NULL;
    for (size_t r = 0; r < s->summary.nrows; r++) {
        const char *point = csv_cell(&s->summary, r, 0);
        if (last && !strcmp(last, point))
            continue;
        last = point;
        hprintf(h, "<tr><td>");
        hesc(h, point);
        hprintf(h, "</td>");
        for (size_t i = 0; i < s->nparams; i++) {
            hprintf(h, "<td>");
            hesc(h, csv_cell(&s->summary, r, 1 + (int)i));
            hprintf(h, "</td>");
        }
        for (size_t i = 0; i < N(cols); i++) {
            char m[512];
            snprintf(m, sizeof m, "%s.%s", flow, cols[i].name);
            summary_cell(h, s, point, m, cols[i].scale, cols[i].prec);
        }
        hprintf(h, "</tr>\n");
    }
    hprintf(h, "</table>\n");
}

/* dessa report SWEEPDIR: what was swept, the points table of each flow, the sweep charts. */
static int report_sweep(const char *dir, int charts, int quiet)
{
    plot_sweep s;
    if (plot_sweep_read(dir, &s))
        return 1;
    plot_spec specs[PLOT_MAX_SPECS];
    int nspec = 0;
    if (charts) {
        if (strpbrk(dir, "\n\r")) {
            fprintf(stderr, "dessa: cannot chart a directory whose name holds a line break "
                    "(gnuplot cannot take it): rename it, or use --no-charts\n");
            plot_sweep_free(&s);
            return 1;
        }
        if (plot_check_gnuplot(0)) {
            fprintf(stderr, "  (dessa report --no-charts writes the report without charts)\n");
            plot_sweep_free(&s);
            return 1;
        }
        nspec = plot_sweep_specs(&s, NULL, NULL, NULL, specs);
        if (nspec < 0)
            nspec = 0;
    }
    html h = { 0 };
    int rc = 0;
    const char *sc = json_str(s.json, "scenario");
    hprintf(&h, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>");
    hesc(&h, sc ? sc : dir);
    hprintf(&h, " &mdash; dessa sweep report</title>\n");
    hput(&h, style, sizeof style - 1);
    hprintf(&h, "</head>\n<body>\n<h1>");
    hesc(&h, sc ? sc : dir);
    hprintf(&h, " (sweep)</h1>\n<p class=\"sub\">");
    hesc(&h, s.caption);
    hprintf(&h, "</p>\n<h2>What was swept</h2>\n<table class=\"facts\">\n");
    static const char *const keys[] = { "scenario", "seed", "reps", "npoints", "sets" };
    static const char *const heads[] = { "scenario", "seed", "replications per point", "points",
                                         "--set" };
    for (size_t i = 0; i < N(keys); i++) {
        const json_val *v = json_get(s.json, keys[i]);
        if (!v || (v->type == JSON_OBJ && !v->n))
            continue;
        hprintf(&h, "<tr><th>%s</th><td>", heads[i]);
        json_inline(&h, v);
        hprintf(&h, "</td></tr>\n");
    }
    /* Each swept param with its values, in order of first appearance. */
    for (size_t i = 0; i < s.nparams; i++) {
        hprintf(&h, "<tr><th>parameter <code>");
        hesc(&h, s.summary.head[1 + i]);
        hprintf(&h, "</code></th><td>");
        for (size_t r = 0; r < s.summary.nrows; r++) {
            const char *v = csv_cell(&s.summary, r, 1 + (int)i);
            size_t q = 0;
            while (q < r && strcmp(csv_cell(&s.summary, q, 1 + (int)i), v))
                q++;
            if (q < r)
                continue;
            hprintf(&h, "%s", r ? ", " : "");
            hesc(&h, v);
        }
        hprintf(&h, "</td></tr>\n");
    }
    hprintf(&h, "</table>\n");

    hprintf(&h, "<h2>Points</h2>\n<p class=\"note\">Each cell is the mean across the "
                "replications of the point with its 95%% confidence half-width (&plusmn;); "
                "&mdash;: no replication had a value (nothing was answered). Every metric of "
                "every point is in sweep_summary.csv.</p>\n");
    /* The flows: entities with a latency_p99 column, in the order of sweep.csv. */
    for (size_t i = 0; i < s.ncols; i++) {
        size_t lc = strlen(s.cols[i]);
        if (lc > 12 && !strcmp(s.cols[i] + lc - 12, ".latency_p99")) {
            char flow[256];
            snprintf(flow, sizeof flow, "%.*s", (int)(lc - 12), s.cols[i]);
            sweep_flow_table(&h, &s, flow);
        }
    }

    if (nspec > 0) {
        hprintf(&h, "<h2 class=\"charts\">Charts</h2>\n");
        plot_job jobs[PLOT_MAX_SPECS];
        char tmps[PLOT_MAX_SPECS][4200];
        for (int i = 0; i < nspec; i++) {
            snprintf(tmps[i], sizeof tmps[i], "%s/.%s.svg.report-%ld", dir, specs[i].name,
                     (long)getpid());
            plot_start_vars(&jobs[i], dir, specs[i].c, "svg", tmps[i], s.caption, 0, -1,
                            specs[i].vars);
        }
        for (int i = 0; i < nspec; i++) {
            hprintf(&h, "<figure>\n<h3>");
            hesc(&h, specs[i].c == &plot_sweep_charts[0] ? specs[i].c->title : specs[i].name + 7);
            hprintf(&h, "</h3>\n");
            if (plot_finish(&jobs[i]) || inline_svg(&h, tmps[i], specs[i].name))
                rc = 1;
            unlink(tmps[i]);
            hprintf(&h, "<figcaption>");
            hesc(&h, specs[i].c->what);
            hprintf(&h, "</figcaption>\n</figure>\n");
        }
    }
    /* The scenario's text, from the first point's run.json. */
    char path[4096], err[256];
    snprintf(path, sizeof path, "%s/points/0/run.json", dir);
    char *text = rundir_slurp(path, NULL);
    json_val *run = text ? json_parse(text, err, sizeof err) : NULL;
    free(text);
    if (run)
        scenario_text(&h, run, dir);
    json_free(run);
    hprintf(&h, "<p class=\"note\">Written by dessa report from the files in ");
    hesc(&h, dir);
    hprintf(&h, " (sweep.json, sweep.csv, sweep_summary.csv).</p>\n</body>\n</html>\n");
    plot_sweep_free(&s);
    return rc ? (free(h.s), 1) : write_report(dir, &h, quiet);
}

const char cli_report_help[] =
    "usage: dessa report DIR [--no-charts] [-q]\n"
    "\n"
    "Writes DIR/report.html, one self-contained page for a design review or for print: what was\n"
    "run, warnings, summary tables of flows and services (mean and 95% half-width across\n"
    "replications), the charts of dessa plot as inline SVG (gnuplot 5.2 or newer), and the\n"
    "scenario's text. For a sweep (DIR from dessa sweep, with sweep_summary.csv): what was swept,\n"
    "the points table of each flow (throughput, mean and p99 response time with half-widths) and\n"
    "the sweep charts of dessa plot.\n"
    "  --no-charts  tables and text only (no gnuplot needed)\n"
    "  -q, --quiet  print nothing but errors\n";

int cli_report(int argc, char **argv)
{
    const char *dir = NULL;
    int quiet = 0, charts = 1;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(cli_report_help, stdout);
            return 0;
        } else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
            quiet = 1;
        } else if (!strcmp(a, "--no-charts")) {
            charts = 0;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "dessa: unknown option '%s' for report\n(dessa report --help for help)\n", a);
            return 2;
        } else if (dir) {
            fprintf(stderr, "dessa: one directory at a time: '%s' is one too many\n"
                    "(dessa report --help for help)\n", a);
            return 2;
        } else {
            dir = a;
        }
    }
    if (!dir) {
        fprintf(stderr, "dessa: report needs a results directory: dessa report DIR\n"
                "(dessa report --help for help)\n");
        return 2;
    }
    struct stat st;
    if (stat(dir, &st) || !S_ISDIR(st.st_mode)) {
        fprintf(stderr, "dessa: '%s': %s\n", dir, stat(dir, &st) ? strerror(errno) : "not a directory");
        return 1;
    }
    if (plot_is_sweep(dir))
        return report_sweep(dir, charts, quiet);
    char path[4096], err[512];
    snprintf(path, sizeof path, "%s/run.json", dir);
    char *jtext = rundir_slurp(path, NULL);
    if (!jtext) {
        fprintf(stderr, "dessa: '%s': %s (is '%s' a results directory of dessa run?)\n", path,
                strerror(errno), dir);
        return 1;
    }
    json_val *run = json_parse(jtext, err, sizeof err);
    free(jtext);
    if (!run) {
        fprintf(stderr, "dessa: '%s': not valid JSON: %s\n", path, err);
        return 1;
    }
    if (charts && strpbrk(dir, "\n\r")) {
        fprintf(stderr, "dessa: cannot chart a directory whose name holds a line break "
                "(gnuplot cannot take it): rename it, or use --no-charts\n");
        json_free(run);
        return 1;
    }
    if (charts && plot_check_gnuplot(0)) {
        fprintf(stderr, "  (dessa report --no-charts writes the report without charts)\n");
        json_free(run);
        return 1;
    }
    csv_table flows = { 0 }, services = { 0 };
    int rc = 0;
    snprintf(path, sizeof path, "%s/flows.csv", dir);
    if (csv_read(path, &flows, err, sizeof err) == 0) {
        snprintf(path, sizeof path, "%s/services.csv", dir);
        if (csv_read(path, &services, err, sizeof err))
            rc = 1;
    } else {
        rc = 1;
    }
    if (rc) {
        fprintf(stderr, "dessa: %s\n", err);
        csv_free(&flows);
        json_free(run);
        return 1;
    }

    html h = { 0 };
    const char *sc = json_str(run, "scenario");
    hprintf(&h, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>");
    hesc(&h, sc ? sc : dir);
    hprintf(&h, " &mdash; dessa report</title>\n");
    hput(&h, style, sizeof style - 1);
    hprintf(&h, "</head>\n<body>\n<h1>");
    hesc(&h, sc ? sc : dir);
    hprintf(&h, "</h1>\n<p class=\"sub\">");
    char *cap = rundir_caption(run, -1);
    if (cap)
        hesc(&h, cap);
    free(cap);
    hprintf(&h, "</p>\n");
    warnings(&h, run);
    hprintf(&h, "<h2>What was run</h2>\n");
    facts(&h, run);

    hprintf(&h, "<h2>Summary</h2>\n<p class=\"note\">Each cell is the mean across replications "
                "with its 95%% confidence half-width (&plusmn;); times in milliseconds.</p>\n");
    static const char *const flow_known[] = {
        "sent", "ok", "failed", "timeouts", "dropped", "in_flight", "throughput", "latency_mean",
        "latency_p50", "latency_p90", "latency_p99", "latency_p999", "latency_max",
        "completion_mean", "completion_p50", "completion_p99", "incomplete", NULL };
    static const char *const service_known[] = {
        "arrivals", "completed", "failed", "dropped", "in_flight", "throughput", "utilization",
        "queue_mean", "queue_max", "wait_mean", "wait_p99", "residence_mean", "threads_working",
        "threads_blocked", "cores_busy", "cpu_utilization", NULL };
    table(&h, &flows, "flow", "Flows: requests (other outcomes appear when nonzero)", flow_counts,
          N(flow_counts), 1, flow_known);
    table(&h, &flows, "flow", "Flows: response time (ms)", flow_times, N(flow_times), 0, NULL);
    table(&h, &flows, "flow", "Flows: completion time (ms)", flow_completion,
          N(flow_completion), 0, NULL);
    table(&h, &services, "service", "Services: requests (other outcomes appear when nonzero)",
          service_counts, N(service_counts), 1, service_known);
    table(&h, &services, "service", "Services: queues", service_queues, N(service_queues), 0,
          NULL);
    table(&h, &services, "service", "Services: threads and CPU (time-averages)", service_threads,
          N(service_threads), 0, NULL);
    /* Brokers: a row for each broker and one for each of its groups, named broker/group as in
     * timeseries.csv (the rows of one entity are its replications, never a broker and its groups
     * mixed). */
    snprintf(path, sizeof path, "%s/brokers.csv", dir);
    csv_table brokers = { 0 };
    if (access(path, R_OK) == 0 && csv_read(path, &brokers, err, sizeof err) == 0) {
        if (broker_names(&brokers) == 0) {
            static const char *const broker_known[] = {
                "group", "published", "delivered", "acked", "redelivered", "duplicates",
                "dead_lettered", "lost", "dropped", "buffered", "in_flight", "out_of_order",
                "depth_mean", "depth_max", "lag_mean", "lag_p99", "age_mean", "age_p99",
                "sojourn_mean", "sojourn_p99", "consumer_utilization", "expired",
                "rebalances", "lag_seconds_mean", "lag_seconds_p99", "lag_seconds_max",
                "hot_partition", "hot_partition_lag_mean", NULL };
            table(&h, &brokers, "broker",
                  "Brokers and their groups (broker/group): messages",
                  broker_counts, N(broker_counts), 1, broker_known);
            table(&h, &brokers, "broker", "Brokers and their groups: depth and lag (messages, "
                  "time-averages and p99)", broker_depths, N(broker_depths), 0, NULL);
            table(&h, &brokers, "broker", "Brokers and their groups: message age and sojourn (ms)",
                  broker_times, N(broker_times), 0, NULL);
            table(&h, &brokers, "broker", "Groups: lag in seconds (age of the oldest message "
                  "not yet delivered) and the most lagging partition (messages)", broker_logs,
                  N(broker_logs), 0, NULL);
        } else {
            h.failed = 1;
        }
        csv_free(&brokers);
    }

    if (charts) {
        hprintf(&h, "<h2 class=\"charts\">Charts</h2>\n");
        const json_val *rj = json_get(run, "run"), *wj = json_get(rj, "warmup"),
                       *dj = json_get(rj, "duration");
        double warmup = wj && wj->type == JSON_NUM ? wj->num : 0;
        char *caption = rundir_caption(run, -1);
        char *shade = plot_fault_shade(dir, -1, dj && dj->type == JSON_NUM ? dj->num : 0);
        plot_job jobs[PLOT_MAX_JOBS];
        char tmps[PLOT_MAX_JOBS][4200];
        int fit[PLOT_MAX_JOBS];
        const char *why[PLOT_MAX_JOBS];
        for (size_t i = 0; i < plot_nrun_charts && i < PLOT_MAX_JOBS && caption; i++) {
            const plot_chart *c = &plot_run_charts[i];
            fit[i] = plot_fits(dir, c, &why[i]);
            snprintf(tmps[i], sizeof tmps[i], "%s/.%s.svg.report-%ld", dir, c->name, (long)getpid());
            if (fit[i])
                plot_start_vars(&jobs[i], dir, c, "svg", tmps[i], caption, warmup, -1, shade);
        }
        for (size_t i = 0; i < plot_nrun_charts && i < PLOT_MAX_JOBS && caption; i++) {
            const plot_chart *c = &plot_run_charts[i];
            hprintf(&h, "<figure>\n<h3>%s</h3>\n", c->title);
            if (!fit[i])
                hprintf(&h, "<p class=\"note\">No chart: %s (%s).</p>\n", why[i], c->needs);
            else if (plot_finish(&jobs[i]) || inline_svg(&h, tmps[i], c->name))
                rc = 1;
            if (fit[i])
                unlink(tmps[i]);
            hprintf(&h, "<figcaption>");
            hesc(&h, c->what);
            hprintf(&h, "</figcaption>\n</figure>\n");
        }
        if (!caption)
            h.failed = 1;
        free(caption);
        free(shade);
    }
    scenario_text(&h, run, dir);
    hprintf(&h, "<p class=\"note\">Written by dessa report from the files in ");
    hesc(&h, dir);
    hprintf(&h, " (flows.csv, services.csv, timeseries.csv, latency.csv, run.json).</p>\n"
                "</body>\n</html>\n");
    csv_free(&flows);
    csv_free(&services);
    json_free(run);
    if (rc) {
        free(h.s);
        return 1;
    }
    return write_report(dir, &h, quiet);
}
