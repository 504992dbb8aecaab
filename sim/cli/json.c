/* json: run.json — what was run. The text is built in memory piece by piece; a failed allocation
 * makes the whole text NULL, never a shorter one. Strings are escaped so the file is valid JSON
 * and valid UTF-8 whatever bytes a path or a --set value holds: bytes that are not part of a
 * well-formed UTF-8 sequence become U+FFFD (docs/outputs.md). */
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "cli.h"
#include "core/error.h"

typedef struct strbuf {
    char *s;
    size_t n, cap;
    int failed;
} strbuf;

static void sb_printf(strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(strbuf *b, const char *fmt, ...)
{
    while (!b->failed) {
        va_list ap;
        va_start(ap, fmt);
        int k = vsnprintf(b->s ? b->s + b->n : NULL, b->s ? b->cap - b->n : 0, fmt, ap);
        va_end(ap);
        if (k < 0) {
            b->failed = 1;
            return;
        }
        if (b->s && b->n + (size_t)k < b->cap) {
            b->n += (size_t)k;
            return;
        }
        size_t cap = (b->cap + (size_t)k + 64) * 2;
        char *ns = realloc(b->s, cap);
        if (!ns) {
            b->failed = 1;
            return;
        }
        b->s = ns;
        b->cap = cap;
    }
}

/* The text, or NULL (and nothing held) if any piece failed. */
static char *sb_done(strbuf *b)
{
    if (b->failed || !b->s) {
        free(b->s);
        return NULL;
    }
    return b->s;
}

/* Length of the well-formed UTF-8 sequence at s (1..4), or 0 if the bytes there are not one. */
static int utf8_len(const unsigned char *s)
{
    unsigned c = s[0];
    int n;
    unsigned min;
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf)
        n = 2, min = 0x80;
    else if (c >= 0xe0 && c <= 0xef)
        n = 3, min = 0x800;
    else if (c >= 0xf0 && c <= 0xf4)
        n = 4, min = 0x10000;
    else
        return 0;
    unsigned cp = c & (0x3f >> (n - 1));
    for (int i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;   /* overlong, out of range, or a surrogate */
    return n;
}

static void sb_json_str(strbuf *b, const char *str)
{
    const unsigned char *s = (const unsigned char *)str;
    sb_printf(b, "\"");
    while (*s) {
        int n = utf8_len(s);
        if (n == 0) {
            sb_printf(b, "\\ufffd");
            s++;
        } else if (*s == '"' || *s == '\\') {
            sb_printf(b, "\\%c", *s++);
        } else if (*s < 0x20 || *s == 0x7f) {
            sb_printf(b, "\\u%04x", *s++);
        } else {
            sb_printf(b, "%.*s", n, (const char *)s);
            s += n;
        }
    }
    sb_printf(b, "\"");
}

/* A real in JSON: the shortest text that reads back (csv.h), null for NaN or infinities. */
static void sb_json_real(strbuf *b, double v)
{
    char buf[SIM_REAL_LEN];
    sim_format_real(buf, v);
    sb_printf(b, "%s", buf[0] && strcmp(buf, "inf") && strcmp(buf, "-inf") ? buf : "null");
}

/* A parameter's value in its JSON type: a number (infinities as the strings "inf" and "-inf",
 * which JSON has no number for), true/false, or a string. */
static void sb_param_value(strbuf *b, const char *type, const char *text, double num)
{
    if (!strcmp(type, "number") && (isinf(num) || isnan(num)))
        sb_json_str(b, isnan(num) ? "nan" : num > 0 ? "inf" : "-inf");
    else if (!strcmp(type, "number"))
        sb_json_real(b, num);
    else if (!strcmp(type, "boolean"))
        sb_printf(b, "%s", !strcmp(text, "true") ? "true" : "false");
    else
        sb_json_str(b, text);
}

/* "params": { "name": value, ... }, on one line (the run's identity with the scenario). */
static void params_line(strbuf *b, const dessa_scenario *sc)
{
    sb_printf(b, "\"params\": {");
    dessa_param p;
    for (size_t i = 0; dessa_scenario_param_info(sc, i, &p) == 0; i++) {
        sb_printf(b, "%s ", i ? "," : "");
        sb_json_str(b, p.name);
        sb_printf(b, ": ");
        sb_param_value(b, p.type, p.value, p.num);
    }
    sb_printf(b, "%s},\n", dessa_scenario_nparams(sc) ? " " : "");
}

/* "param_info": { "name": { "type": ..., "default": ..., "set": bool }, ... } */
static void param_info_line(strbuf *b, const dessa_scenario *sc, const dessa_override *sets,
                            size_t nsets)
{
    sb_printf(b, "  \"param_info\": {");
    dessa_param p;
    for (size_t i = 0; dessa_scenario_param_info(sc, i, &p) == 0; i++) {
        int set = 0;
        for (size_t k = 0; k < nsets; k++)
            set |= !strcmp(sets[k].name, p.name);
        sb_printf(b, "%s\n    ", i ? "," : "");
        sb_json_str(b, p.name);
        sb_printf(b, ": { \"type\": \"%s\", \"default\": ", p.type);
        sb_param_value(b, p.type, p.default_value, p.default_num);
        sb_printf(b, ", \"set\": %s }", set ? "true" : "false");
    }
    sb_printf(b, "%s},\n", dessa_scenario_nparams(sc) ? "\n  " : "");
}

char *cli_json_identity(const char *scenario, const dessa_scenario *sc)
{
    strbuf b = { 0 };
    const char *base = strrchr(scenario, '/');
    sb_printf(&b, "\"scenario_file\": ");
    sb_json_str(&b, base ? base + 1 : scenario);
    sb_printf(&b, ",\n  ");
    params_line(&b, sc);
    return sb_done(&b);
}

char *cli_json_rep(const sim_rep_result *res)
{
    strbuf b = { 0 };
    sb_printf(&b, "    { \"rep\": %" PRIu64 ", \"events\": %" PRIu64 ", \"wall_seconds\": %.6f"
                  ", \"ledger\": \"%s\" }",
              res->rep, res->events, res->wall_seconds,
              res->ledger == SIM_OK ? "balanced" : "unbalanced");
    return sb_done(&b);
}

/* The scenario's text for run.json, so a report can show what ran; NULL when it cannot be read
 * or is larger than 1 MiB (then run.json has no scenario_text). */
static char *scenario_source(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    enum { MAX_SOURCE = 1 << 20 };
    char *s = malloc(MAX_SOURCE + 1);
    size_t n = s ? fread(s, 1, MAX_SOURCE + 1, f) : 0;
    int bad = !s || ferror(f) || n > MAX_SOURCE;
    fclose(f);
    if (bad) {
        free(s);
        return NULL;
    }
    s[n] = 0;
    return s;
}

/* "warnings": the model's and the run's (cli.h), each with its kind, entity, figure and text. */
static void sb_json_warnings(strbuf *b, const cli_warnings *w)
{
    sb_printf(b, "  \"warnings\": [");
    for (size_t i = 0; w && i < w->n; i++) {
        sb_printf(b, "%s\n    { \"kind\": ", i ? "," : "");
        sb_json_str(b, w->w[i].kind);
        sb_printf(b, ", \"entity\": ");
        sb_json_str(b, w->w[i].entity);
        sb_printf(b, ", \"value\": ");
        sb_json_real(b, w->w[i].value);
        sb_printf(b, ", \"message\": ");
        sb_json_str(b, w->w[i].message);
        sb_printf(b, " }");
    }
    sb_printf(b, "%s],\n", w && w->n ? "\n  " : "");
}

char *cli_json_head(const cli_json_run *r)
{
    strbuf b = { 0 };
    sb_printf(&b, "{\n  \"scenario\": ");
    sb_json_str(&b, r->scenario);
    sb_printf(&b, ",\n  ");
    char *id = cli_json_identity(r->scenario, r->sc);
    sb_printf(&b, "%s", id ? id : "");
    b.failed |= !id;
    free(id);
    sb_printf(&b, "  \"version\": \"%s\",\n  \"seed\": %" PRIu64 ",\n  \"reps\": %" PRIu64
                  ",\n  \"jobs\": %u,\n", DESSA_VERSION, r->seed, r->reps, r->jobs);
    sb_printf(&b, "  \"run\": { \"duration\": ");
    sb_json_real(&b, r->duration);
    sb_printf(&b, ", \"warmup\": ");
    sb_json_real(&b, r->warmup);
    sb_printf(&b, ", \"sample\": ");
    sb_json_real(&b, r->sample);
    sb_printf(&b, " },\n");
    param_info_line(&b, r->sc, r->sets, r->nsets);
    sb_printf(&b, "  \"events\": %" PRIu64 ",\n  \"wall_seconds\": %.6f,\n", r->events, r->wall);
    sb_printf(&b, "  \"events_per_second\": %.0f,\n",
              r->wall > 0 ? (double)r->events / r->wall : 0.0);
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) == 0)
        sb_printf(&b, "  \"peak_rss_kb\": %ld,\n", (long)ru.ru_maxrss);
    char *source = scenario_source(r->scenario);
    if (source) {
        sb_printf(&b, "  \"scenario_text\": ");
        sb_json_str(&b, source);
        sb_printf(&b, ",\n");
        free(source);
    }
    sb_json_warnings(&b, r->warnings);
    sb_printf(&b, "  \"replications\": [\n");
    return sb_done(&b);
}

const char *cli_json_tail(void) { return "\n  ]\n}\n"; }
