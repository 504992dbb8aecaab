/* rundir: reading a results directory for charts and the report — run.json through a small JSON
 * reader (the whole grammar, depth-limited, no numbers beyond double), and CSV files through an
 * RFC 4180 reader. Both read what dessa wrote but never trust it: any malformed input is an error
 * with a message, never a crash. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plot.h"
#include "out/csv.h"

#define JSON_MAX_DEPTH 64

char *rundir_slurp(const char *path, size_t *len)
{
    return rundir_slurp_file(fopen(path, "rb"), len);
}

char *rundir_slurp_file(FILE *f, size_t *len)
{
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *s = malloc(cap);
    while (s) {
        size_t k = fread(s + n, 1, cap - n - 1, f);
        n += k;
        if (n + 1 < cap) {
            if (ferror(f)) {
                free(s);
                s = NULL;
                errno = EIO;
            }
            break;
        }
        char *ns = realloc(s, cap * 2);
        if (!ns) {
            free(s);
            s = NULL;
            errno = ENOMEM;
            break;
        }
        s = ns;
        cap *= 2;
    }
    fclose(f);
    if (s) {
        s[n] = 0;
        if (len)
            *len = n;
    }
    return s;
}

/* --- JSON ---------------------------------------------------------------------------------- */

typedef struct jparser {
    const char *s, *start;
    char *err;
    size_t errlen;
    int failed;
} jparser;

static void jfail(jparser *p, const char *what)
{
    if (!p->failed)
        snprintf(p->err, p->errlen, "%s at byte %zu", what, (size_t)(p->s - p->start));
    p->failed = 1;
}

static void jspace(jparser *p)
{
    while (*p->s == ' ' || *p->s == '\t' || *p->s == '\n' || *p->s == '\r')
        p->s++;
}

static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
         : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

static void put_utf8(char *o, size_t *k, unsigned cp)
{
    if (cp < 0x80) {
        o[(*k)++] = (char)cp;
    } else if (cp < 0x800) {
        o[(*k)++] = (char)(0xc0 | cp >> 6);
        o[(*k)++] = (char)(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
        o[(*k)++] = (char)(0xe0 | cp >> 12);
        o[(*k)++] = (char)(0x80 | (cp >> 6 & 0x3f));
        o[(*k)++] = (char)(0x80 | (cp & 0x3f));
    } else {
        o[(*k)++] = (char)(0xf0 | cp >> 18);
        o[(*k)++] = (char)(0x80 | (cp >> 12 & 0x3f));
        o[(*k)++] = (char)(0x80 | (cp >> 6 & 0x3f));
        o[(*k)++] = (char)(0x80 | (cp & 0x3f));
    }
}

/* A string at p->s (after its opening quote); malloc'd, or NULL. */
static char *jstring(jparser *p)
{
    const char *q = p->s;
    size_t cap = 0;
    while (*q && *q != '"') {   /* an upper bound: escapes never grow */
        if (*q == '\\' && q[1])
            q++, cap++;
        q++, cap++;
    }
    if (*q != '"') {
        jfail(p, "unterminated string");
        return NULL;
    }
    char *o = malloc(cap + 1);
    if (!o) {
        jfail(p, "out of memory");
        return NULL;
    }
    size_t k = 0;
    while (*p->s != '"') {
        unsigned char c = (unsigned char)*p->s++;
        if (c < 0x20) {
            jfail(p, "control character in a string");
            free(o);
            return NULL;
        }
        if (c != '\\') {
            o[k++] = (char)c;
            continue;
        }
        c = (unsigned char)*p->s++;
        switch (c) {
        case '"': case '\\': case '/': o[k++] = (char)c; break;
        case 'b': o[k++] = '\b'; break;
        case 'f': o[k++] = '\f'; break;
        case 'n': o[k++] = '\n'; break;
        case 'r': o[k++] = '\r'; break;
        case 't': o[k++] = '\t'; break;
        case 'u': {
            unsigned cp = 0;
            for (int i = 0; i < 4; i++) {
                int h = hexval(p->s[i]);
                if (h < 0) {
                    jfail(p, "bad \\u escape");
                    free(o);
                    return NULL;
                }
                cp = cp << 4 | (unsigned)h;
            }
            p->s += 4;
            if (cp >= 0xd800 && cp <= 0xdfff)
                cp = 0xfffd;    /* surrogates (dessa never writes them) */
            /* the escape took 6 bytes, its UTF-8 at most 3: within the bound */
            put_utf8(o, &k, cp);
            break;
        }
        default:
            jfail(p, "bad escape in a string");
            free(o);
            return NULL;
        }
    }
    p->s++;
    o[k] = 0;
    return o;
}

static void jvalue(jparser *p, json_val *v, int depth);

static void jpush(jparser *p, json_val *v, char *key, int depth)
{
    json_val *items = realloc(v->items, (v->n + 1) * sizeof *items);
    if (!items) {
        free(key);
        jfail(p, "out of memory");
        return;
    }
    v->items = items;
    if (v->type == JSON_OBJ) {
        char **keys = realloc(v->keys, (v->n + 1) * sizeof *keys);
        if (!keys) {
            free(key);
            jfail(p, "out of memory");
            return;
        }
        v->keys = keys;
        keys[v->n] = key;
    }
    memset(&items[v->n], 0, sizeof items[v->n]);
    v->n++;
    jvalue(p, &items[v->n - 1], depth + 1);
}

static void jvalue(jparser *p, json_val *v, int depth)
{
    jspace(p);
    if (depth > JSON_MAX_DEPTH) {
        jfail(p, "nested too deep");
        return;
    }
    char c = *p->s;
    if (c == '{' || c == '[') {
        v->type = c == '{' ? JSON_OBJ : JSON_ARR;
        char close = c == '{' ? '}' : ']';
        p->s++;
        jspace(p);
        if (*p->s == close) {
            p->s++;
            return;
        }
        for (;;) {
            char *key = NULL;
            if (v->type == JSON_OBJ) {
                jspace(p);
                if (*p->s != '"') {
                    jfail(p, "expected a key");
                    return;
                }
                p->s++;
                key = jstring(p);
                if (!key)
                    return;
                jspace(p);
                if (*p->s != ':') {
                    free(key);
                    jfail(p, "expected ':'");
                    return;
                }
                p->s++;
            }
            jpush(p, v, key, depth);
            if (p->failed)
                return;
            jspace(p);
            if (*p->s == ',') {
                p->s++;
                continue;
            }
            if (*p->s == close) {
                p->s++;
                return;
            }
            jfail(p, "expected ',' or the end of a list");
            return;
        }
    }
    if (c == '"') {
        p->s++;
        v->type = JSON_STR;
        v->str = jstring(p);
        return;
    }
    if (!strncmp(p->s, "true", 4) || !strncmp(p->s, "false", 5)) {
        v->type = JSON_BOOL;
        v->num = c == 't';
        p->s += c == 't' ? 4 : 5;
        return;
    }
    if (!strncmp(p->s, "null", 4)) {
        v->type = JSON_NULL;
        p->s += 4;
        return;
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
        char *end;
        v->type = JSON_NUM;
        v->num = strtod(p->s, &end);
        p->s = end;
        return;
    }
    jfail(p, "expected a value");
}

static void jfree_in(json_val *v)
{
    for (size_t i = 0; i < v->n; i++) {
        jfree_in(&v->items[i]);
        if (v->keys)
            free(v->keys[i]);
    }
    free(v->items);
    free(v->keys);
    free(v->str);
}

void json_free(json_val *v)
{
    if (!v)
        return;
    jfree_in(v);
    free(v);
}

json_val *json_parse(const char *text, char *err, size_t errlen)
{
    jparser p = { text, text, err, errlen, 0 };
    json_val *v = calloc(1, sizeof *v);
    if (!v) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    jvalue(&p, v, 0);
    jspace(&p);
    if (!p.failed && *p.s)
        jfail(&p, "text after the value");
    if (p.failed) {
        json_free(v);
        return NULL;
    }
    return v;
}

const json_val *json_get(const json_val *v, const char *key)
{
    if (!v || v->type != JSON_OBJ)
        return NULL;
    for (size_t i = 0; i < v->n; i++)
        if (!strcmp(v->keys[i], key))
            return &v->items[i];
    return NULL;
}

const char *json_str(const json_val *v, const char *key)
{
    const json_val *s = json_get(v, key);
    return s && s->type == JSON_STR ? s->str : NULL;
}

/* --- the caption ------------------------------------------------------------------------- */

typedef struct text {
    char *s;
    size_t n, cap;
    int failed;
} text;

static void tprintf(text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void tprintf(text *t, const char *fmt, ...)
{
    if (t->failed)
        return;
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (k < 0 || (t->n + (size_t)k + 1 > t->cap && !(t->s = realloc(t->s, t->cap = 2 * (t->n + (size_t)k + 1))))) {
        t->failed = 1;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(t->s + t->n, t->cap - t->n, fmt, ap);
    va_end(ap);
    t->n += (size_t)k;
}

char *rundir_caption(const json_val *run, long rep)
{
    text t = { 0 };
    const char *sc = json_str(run, "scenario");
    tprintf(&t, "%s", sc ? sc : "(scenario not recorded)");
    const json_val *params = json_get(run, "params");
    if (params && params->type == JSON_OBJ && params->n) {
        tprintf(&t, "  |  ");
        for (size_t i = 0; i < params->n; i++) {
            const json_val *v = &params->items[i];
            if (v->type == JSON_STR)
                tprintf(&t, "%s%s=%s", i ? " " : "", params->keys[i], v->str);
            else if (v->type == JSON_NUM) {   /* 0.004, not 0.0040000000000000001 */
                char num[SIM_REAL_LEN];
                sim_format_real(num, v->num);
                tprintf(&t, "%s%s=%s", i ? " " : "", params->keys[i], num);
            }
        }
    }
    const json_val *seed = json_get(run, "seed"), *reps = json_get(run, "reps");
    if (seed && seed->type == JSON_NUM)
        tprintf(&t, "  |  seed %.0f", seed->num);
    if (rep >= 0)
        tprintf(&t, "  |  replication %ld", rep);
    else if (reps && reps->type == JSON_NUM)
        tprintf(&t, reps->num == 1 ? "  |  1 replication" : "  |  %.0f replications", reps->num);
    const char *version = json_str(run, "version");
    if (version)
        tprintf(&t, "  |  dessa %s", version);
    if (t.failed) {
        free(t.s);
        return NULL;
    }
    return t.s ? t.s : calloc(1, 1);
}

/* --- CSV ----------------------------------------------------------------------------------- */

void csv_free(csv_table *t)
{
    for (size_t i = 0; i < t->ncols; i++)
        free(t->head[i]);
    for (size_t i = 0; i < t->nrows * t->ncols; i++)
        free(t->cells[i]);
    free(t->head);
    free(t->cells);
    memset(t, 0, sizeof *t);
}

/* One field at *s (quoted or not); malloc'd. *s is left on the comma, line end or NUL. */
static char *csv_field(const char **s, int *bad)
{
    const char *p = *s;
    size_t cap = strcspn(p, p[0] == '"' ? "" : ",\r\n");
    if (p[0] == '"') {
        const char *q = p + 1;
        for (;;) {
            if (!*q) {
                *bad = 1;
                return NULL;
            }
            if (*q == '"' && q[1] == '"')
                q += 2;
            else if (*q == '"')
                break;
            else
                q++;
        }
        cap = (size_t)(q - p);
    }
    char *o = malloc(cap + 1);
    if (!o)
        return NULL;
    size_t k = 0;
    if (p[0] == '"') {
        p++;
        while (!(*p == '"' && p[1] != '"')) {
            if (*p == '"')
                p++;
            o[k++] = *p++;
        }
        p++;
    } else {
        memcpy(o, p, cap);
        k = cap;
        p += cap;
    }
    o[k] = 0;
    *s = p;
    return o;
}

int csv_read(const char *path, csv_table *t, char *err, size_t errlen)
{
    memset(t, 0, sizeof *t);
    char *buf = rundir_slurp(path, NULL);
    if (!buf) {
        snprintf(err, errlen, "'%s': %s", path, strerror(errno));
        return -1;
    }
    const char *s = buf;
    size_t cap = 0, line = 1;
    char **row = NULL;
    size_t nrow = 0, rowcap = 0;
    int bad = 0, nomem = 0;
    while (*s && !bad && !nomem) {
        nrow = 0;
        for (;;) {
            char *fld = csv_field(&s, &bad);
            if (!fld) {
                nomem = !bad;
                break;
            }
            if (nrow == rowcap) {
                char **nr = realloc(row, (rowcap = rowcap * 2 + 8) * sizeof *nr);
                if (!nr) {
                    free(fld);
                    nomem = 1;
                    break;
                }
                row = nr;
            }
            row[nrow++] = fld;
            if (*s != ',')
                break;
            s++;
        }
        if (bad || nomem)
            break;
        if (*s == '\r')
            s++;
        if (*s == '\n')
            s++;
        else if (*s)
            bad = 1;
        if (!t->head) {
            t->head = row;
            t->ncols = nrow;
            row = NULL;
            rowcap = 0;
            nrow = 0;
        } else if (nrow > t->ncols) {
            bad = 1;
        } else {
            if ((t->nrows + 1) * t->ncols > cap) {
                cap = cap * 2 + t->ncols * 16;
                char **nc = realloc(t->cells, cap * sizeof *nc);
                if (!nc) {
                    nomem = 1;
                    break;
                }
                t->cells = nc;
            }
            for (size_t i = 0; i < t->ncols; i++)
                t->cells[t->nrows * t->ncols + i] = i < nrow ? row[i] : calloc(1, 1);
            nrow = 0;
            t->nrows++;
        }
        line++;
    }
    for (size_t i = 0; i < nrow; i++)
        free(row[i]);
    free(row);
    free(buf);
    if (bad || nomem) {
        if (bad)
            snprintf(err, errlen, "%s:%zu: not a CSV row of %zu fields", path, line, t->ncols);
        else
            snprintf(err, errlen, "'%s': out of memory", path);
        csv_free(t);
        return -1;
    }
    for (size_t i = 0; i < t->nrows * t->ncols; i++)
        if (!t->cells[i]) {
            snprintf(err, errlen, "'%s': out of memory", path);
            csv_free(t);
            return -1;
        }
    return 0;
}

int csv_col(const csv_table *t, const char *name)
{
    for (size_t i = 0; i < t->ncols; i++)
        if (!strcmp(t->head[i], name))
            return (int)i;
    return -1;
}

const char *csv_cell(const csv_table *t, size_t row, int col)
{
    if (col < 0 || (size_t)col >= t->ncols || row >= t->nrows)
        return "";
    return t->cells[row * t->ncols + (size_t)col];
}
