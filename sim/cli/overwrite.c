/* overwrite: dessa run never silently replaces the results of a different run.
 *
 * A run may write into a directory that holds no results, or results of the same run: the same
 * scenario file name and the same parameter values (the seed, the replications and the jobs may
 * differ: a re-run with more replications refines the same experiment). run.json says which run
 * wrote a directory, in two lines written for this comparison (cli_json_identity). Anything else
 * — other parameters, another scenario, results without a run.json, a run.json of an older
 * version — is refused before the run starts, naming what differs; --force replaces it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "out/results.h"

/* The first HEAD_MAX bytes of run.json: the identity is at its top. */
#define HEAD_MAX (1 << 20)

static const char *const result_files[] = { "flows.csv", "services.csv", "timeseries.csv",
                                            "latency.csv" };

static int exists(const char *dir, const char *name)
{
    char path[4096];
    struct stat st;
    if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path)
        return 0;
    return lstat(path, &st) == 0;
}

/* The rest of the line that starts with `key` in text, in buf ("" if there is none). */
static void line_of(const char *text, const char *key, char *buf, size_t n)
{
    const char *at = strstr(text, key);
    buf[0] = 0;
    if (!at)
        return;
    at += strlen(key);
    size_t len = strcspn(at, "\n");
    if (len > 0 && at[len - 1] == ',')
        len--;
    if (len > 300)
        snprintf(buf, n, "%.290s ...", at);
    else
        snprintf(buf, n, "%.*s", (int)len, at);
}

/* Reads one JSON token of a flat object written by json.c (a string with its escapes, or a
 * scalar) at s into buf, as it is written; returns the text after it. */
static const char *token(const char *s, char *buf, size_t n)
{
    const char *start = s;
    if (*s == '"') {
        for (s++; *s && *s != '"'; s++)
            if (*s == '\\' && s[1])
                s++;
        if (*s)
            s++;
    } else {
        while (*s && *s != ',' && *s != ' ' && *s != '}')
            s++;
    }
    snprintf(buf, n, "%.*s", (int)(s - start), start);
    return s;
}

/* The value of key in a params line ({ "a": 1, "b": "x" }) in buf; 0 if the key is not there. */
static int param_of(const char *line, const char *key, char *buf, size_t n)
{
    const char *s = line;
    char k[300];
    while ((s = strchr(s, '"'))) {
        s = token(s, k, sizeof k);
        if (strncmp(s, ": ", 2))
            return 0;
        s = token(s + 2, buf, n);
        if (!strcmp(k, key))
            return 1;
        if (strncmp(s, ", ", 2))
            return 0;
    }
    return 0;
}

/* "rate = 0.9 there, 0.5 here; ..." for the parameters whose values differ. */
static void param_diff(const char *was, const char *now, char *why, size_t n)
{
    size_t used = 0;
    why[0] = 0;
    for (int pass = 0; pass < 2; pass++) {
        const char *line = pass ? was : now, *other = pass ? now : was;
        const char *s = line;
        char k[300], v[300], w[300];
        while (used + 1 < n && (s = strchr(s, '"'))) {
            s = token(s, k, sizeof k);
            if (strncmp(s, ": ", 2))
                break;
            const char *name = k + 1;   /* the key without its quotes */
            int nlen = (int)strlen(k) - 2;
            s = token(s + 2, v, sizeof v);
            int there = param_of(other, k, w, sizeof w);
            if (pass == 0 && there && strcmp(v, w))
                used += (size_t)snprintf(why + used, n - used, "%s%.*s = %s there, %s here",
                                         used ? "; " : "", nlen, name, w, v);
            else if (!there)
                used += (size_t)snprintf(why + used, n - used, "%s%.*s only %s",
                                         used ? "; " : "", nlen, name, pass ? "there" : "here");
            if (strncmp(s, ", ", 2))
                break;
        }
    }
    if (!why[0])
        snprintf(why, n, "params %s there, %s here", was, now);
}

static int refuse(const char *dir, const char *why)
{
    fprintf(stderr,
            "dessa: '%s' holds the results of a different run (%s); give -o DIR to keep both, "
            "or --force to replace them\n",
            dir, why);
    return EXIT_USAGE;
}

int cli_check_overwrite(const options *o, const char *dir, const dessa_scenario *sc)
{
    if (o->force)
        return 0;
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return 0;   /* nothing there yet, or not a directory (the writer says so) */
    char path[4096];
    if (snprintf(path, sizeof path, "%s/%s", dir, SIM_OUT_RUN_JSON) >= (int)sizeof path)
        return 0;   /* the writer reports the long path */
    FILE *f = fopen(path, "rb");
    if (!f) {
        for (size_t i = 0; i < sizeof result_files / sizeof *result_files; i++)
            if (exists(dir, result_files[i]))
                return refuse(dir, "result files without a run.json");
        return 0;
    }
    char *head = malloc(HEAD_MAX + 1);
    size_t n = head ? fread(head, 1, HEAD_MAX, f) : 0;
    fclose(f);
    char *id = cli_json_identity(o->scenario, sc);
    if (!head || !id) {
        free(head);
        free(id);
        fprintf(stderr, "dessa: out of memory\n");
        return EXIT_MODEL;
    }
    head[n] = 0;
    int same = strstr(head, id) != NULL;
    int rc = 0;
    if (!same) {
        char was[400], now[400], why[1000];
        line_of(head, "\"scenario_file\": ", was, sizeof was);
        line_of(id, "\"scenario_file\": ", now, sizeof now);
        if (!was[0]) {
            snprintf(why, sizeof why, "its run.json does not say which");
        } else if (strcmp(was, now)) {
            snprintf(why, sizeof why, "scenario %s there, %s here", was, now);
        } else {
            line_of(head, "\"params\": ", was, sizeof was);
            line_of(id, "\"params\": ", now, sizeof now);
            param_diff(was, now, why, sizeof why);
        }
        rc = refuse(dir, why);
    }
    free(head);
    free(id);
    return rc;
}
