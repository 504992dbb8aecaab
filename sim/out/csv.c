/* csv: output files and CSV fields; see csv.h. */
#include "out/csv.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/decimal.h"
#include "core/error.h"

static void failed(sim_file *sf)
{
    if (!sf->err)
        sf->err = errno ? errno : EIO;
}

static void put_raw(sim_file *sf, const char *s, size_t n)
{
    if (sf->err || !sf->f || !n)
        return;
    errno = 0;
    if (fwrite(s, 1, n, sf->f) != n)
        failed(sf);
}

/* Writes out the row kept so far. */
static void row_flush(sim_file *sf)
{
    size_t n = sf->rown;
    sf->rown = 0;
    put_raw(sf, sf->row, n);
}

/* Appends to the current row (written out when full; a piece larger than the buffer goes on
 * its own). */
static void put_n(sim_file *sf, const char *s, size_t n)
{
    if (n > sizeof sf->row - sf->rown) {
        row_flush(sf);
        if (n > sizeof sf->row) {
            put_raw(sf, s, n);
            return;
        }
    }
    memcpy(sf->row + sf->rown, s, n);
    sf->rown += (unsigned)n;
}

int sim_file_open(sim_file *sf, const char *path)
{
    memset(sf, 0, sizeof *sf);
    sf->path = sim_strdup(path);
    if (!sf->path)
        return SIM_ENOMEM;
    errno = 0;
    sf->f = fopen(path, "w+");   /* read back: a time series is appended elsewhere */
    if (!sf->f) {
        failed(sf);
        return SIM_EIO;
    }
    /* Writes of 64 kB instead of the file system's block (4 kB): a sweep of short points
     * writes some 15 MB, and each write is a system call. (Without a buffer of its own the
     * stream keeps its default.) */
    sf->buf = sim_malloc(SIM_FILE_BUF);
    if (sf->buf)
        setvbuf(sf->f, sf->buf, _IOFBF, SIM_FILE_BUF);
    return SIM_OK;
}

int sim_file_close(sim_file *sf) { return sim_file_close_sync(sf, 1); }

int sim_file_close_sync(sim_file *sf, int sync)
{
    if (sf->f) {
        row_flush(sf);
        errno = 0;
        if (fflush(sf->f) != 0 || ferror(sf->f))
            failed(sf);
        errno = 0;
        if (sync && !sf->err && fsync(fileno(sf->f)) != 0)
            failed(sf);
        errno = 0;
        if (fclose(sf->f) != 0)
            failed(sf);
        sf->f = NULL;
    }
    sim_free(sf->buf);
    sf->buf = NULL;
    return sf->err ? SIM_EIO : SIM_OK;
}

void sim_file_fini(sim_file *sf, int remove)
{
    if (sf->f)
        fclose(sf->f);
    sf->f = NULL;
    sim_free(sf->buf);
    sf->buf = NULL;
    if (remove && sf->path)
        unlink(sf->path);
    sim_free(sf->path);
    sf->path = NULL;
}

void sim_file_puts(sim_file *sf, const char *s)
{
    row_flush(sf);
    if (sf->err || !sf->f)
        return;
    errno = 0;
    if (fputs(s, sf->f) == EOF)
        failed(sf);
}

int sim_file_append(sim_file *sf, FILE *src, const atomic_int *stop)
{
    char buf[1 << 16];
    size_t n;
    row_flush(sf);
    while (!sf->err && !(stop && atomic_load(stop)) && (n = fread(buf, 1, sizeof buf, src)) > 0) {
        errno = 0;
        if (fwrite(buf, 1, n, sf->f) != n)
            failed(sf);
    }
    if (!sf->err && ferror(src)) {
        errno = EIO;
        failed(sf);
    }
    if (!sf->err && stop && atomic_load(stop)) {
        errno = EINTR;
        failed(sf);
    }
    return sf->err ? SIM_EIO : SIM_OK;
}

static void sep(sim_file *sf)
{
    if (sf->col++)
        put_n(sf, ",", 1);
}

void sim_csv_raw(sim_file *sf, const char *s, size_t n)
{
    sep(sf);
    put_n(sf, s, n);
}

void sim_csv_str(sim_file *sf, const char *s)
{
    sep(sf);
    const char *e = s;   /* one pass finds the end or a character that needs quotes */
    while (*e && *e != ',' && *e != '"' && *e != '\r' && *e != '\n')
        e++;
    if (!*e) {
        put_n(sf, s, (size_t)(e - s));
        return;
    }
    put_n(sf, "\"", 1);
    for (const char *q; (q = strchr(s, '"')); s = q + 1) {
        put_n(sf, s, (size_t)(q - s) + 1);   /* up to and including the quote */
        put_n(sf, "\"", 1);                  /* which is doubled */
    }
    put_n(sf, s, strlen(s));
    put_n(sf, "\"", 1);
}

/* The value of the decimal m x 10^k: exactly from two doubles when both are exact (Clinger's
 * fast path: one correctly rounded product or quotient is then the correctly rounded value),
 * otherwise by strtod on text, its spelling. */
static double decimal_value(uint64_t m, int k, const char *text)
{
    double x;
    if (sim_dec_exact(m, k, &x))
        return x;
    x = strtod(text, NULL);
    return x < 0 ? -x : x;
}

/* Spells the significant digits d[0..p) of a value d.ddd x 10^x as printf's "%.<p>g" does:
 * fixed notation when -4 <= x < p, else d.ddde+XX (two exponent digits at least); trailing
 * zeros dropped, and the point when nothing follows it. */
static void put_g(char *buf, int neg, const char *d, int p, int x)
{
    int n = p;
    while (n > 1 && d[n - 1] == '0')
        n--;
    char *o = buf;
    if (neg)
        *o++ = '-';
    if (x >= -4 && x < p) {
        if (x < 0) {   /* 0.00ddd */
            *o++ = '0';
            *o++ = '.';
            for (int i = -1; i > x; i--)
                *o++ = '0';
            memcpy(o, d, (size_t)n);
            o += n;
        } else {
            for (int i = 0; i <= x; i++)
                *o++ = i < n ? d[i] : '0';
            if (n > x + 1) {
                *o++ = '.';
                memcpy(o, d + x + 1, (size_t)(n - x - 1));
                o += n - x - 1;
            }
        }
    } else {
        *o++ = d[0];
        if (n > 1) {
            *o++ = '.';
            memcpy(o, d + 1, (size_t)(n - 1));
            o += n - 1;
        }
        *o++ = 'e';
        *o++ = x < 0 ? '-' : '+';
        int a = x < 0 ? -x : x;
        if (a >= 100)
            *o++ = (char)('0' + a / 100);
        *o++ = (char)('0' + a / 10 % 10);
        *o++ = (char)('0' + a % 10);
    }
    *o = '\0';
}

/* The 17 significant digits of v > 0, correctly rounded, and its decimal exponent x (v is about
 * d.dddddddddddddddd x 10^x), from one multiplication or division in long double: 1. Or 0 when
 * that cannot be sure, and snprintf gives them. With a 64-bit significand and 10^k exact
 * (k <= 27), the scaled value y in [10^16, 10^17) is within a quarter of 2^-7 of v x 10^k, so
 * its rounding to an integer is the exact one unless its fraction is within 0.01 of a half. */
static int digits17(double v, char *d, int *x, double *frac)
{
    if (!(v >= 1e-11 && v < 1e43))
        return 0;
    long double y;
    int k;
    if (!sim_dec_scale(v, 17, &y, &k))
        return 0;
    int e = 16 - k;
    long double r = floorl(y), f = y - r;
    if (fabsl(f - 0.5L) < 0.01L)
        return 0;
    uint64_t n = (uint64_t)r + (f > 0.5L);
    *frac = (double)(f > 0.5L ? f - 1 : f);   /* y - n: in (-0.49, 0.49) */
    if (n == UINT64_C(100000000000000000)) {   /* rounded up to 10^17 */
        n /= 10;
        e++;
    }
    for (int i = 16; i >= 0; i--, n /= 10)
        d[i] = (char)('0' + n % 10);
    *x = e;
    return 1;
}

/* The shortest of "%.15g", "%.16g" and "%.17g" that reads back as v, without snprintf for almost
 * every value: the 17 correctly rounded digits of v (digits17, or "%.16e") are rounded again to
 * 16 and 15, which gives
 * the correctly rounded digits unless the dropped digits are a half ("5" or "50") and what
 * follows them (digits17's fraction) is too small to say on which side of it the exact value
 * lies: snprintf decides then; and a candidate is read back
 * exactly by decimal_value, without strtod for almost every value. Identical, byte for byte, to
 * trying snprintf and strtod at 15, 16 and 17 digits (test_csv compares them). */
void sim_format_real(char *buf, double v)
{
    if (isnan(v)) {
        buf[0] = 0;
        return;
    }
    if (isinf(v)) {
        strcpy(buf, v > 0 ? "inf" : "-inf");
        return;
    }
    if (v == 0) {   /* no "-0" */
        strcpy(buf, "0");
        return;
    }
    int neg = v < 0, x;
    double mag = neg ? -v : v;
    char d[17];
    /* frac: what follows the 17th digit, y - n of digits17, which tells a dropped "5" or "50"
     * from an exact half when it is well away from 0 (the product is within 2^-9 of the exact
     * one); 0 (ask snprintf) when the digits came from snprintf. */
    double frac = 0;
    if (!digits17(mag, d, &x, &frac)) {
        frac = 0;
        char e[40];
        snprintf(e, sizeof e, "%.16e", mag);   /* d.dddddddddddddddde[+-]xx[x] */
        d[0] = e[0];
        memcpy(d + 1, e + 2, 16);
        x = atoi(e + 19);
    }
    for (int p = 15; p <= 16; p++) {
        /* the dropped digits d[p..17) against a half: "5", "50", and then what follows */
        int cmp = d[p] != '5'                ? d[p] - '5'
                  : p == 15 && d[16] != '0' ? d[16] - '0'
                  : frac > 0.01             ? 1
                  : frac < -0.01            ? -1
                                            : 0;
        if (cmp == 0) {   /* a half as far as the digits tell: ask snprintf */
            snprintf(buf, SIM_REAL_LEN, "%.*g", p, v);
            if (strtod(buf, NULL) == v)
                return;
            continue;
        }
        char r[17];
        memcpy(r, d, (size_t)p);
        int rx = x;
        if (cmp > 0) {   /* round up, carrying */
            int i = p - 1;
            while (i >= 0 && r[i] == '9')
                r[i--] = '0';
            if (i >= 0) {
                r[i]++;
            } else {
                r[0] = '1';
                rx++;
            }
        }
        put_g(buf, neg, r, p, rx);
        int n = p;
        while (n > 1 && r[n - 1] == '0')
            n--;
        uint64_t m = 0;
        for (int i = 0; i < n; i++)
            m = m * 10 + (uint64_t)(r[i] - '0');
        if (decimal_value(m, rx - (n - 1), buf) == mag)
            return;
    }
    put_g(buf, neg, d, 17, x);
}

void sim_csv_real(sim_file *sf, double v)
{
    char buf[SIM_REAL_LEN];
    sim_format_real(buf, v);
    sep(sf);
    put_n(sf, buf, strlen(buf));
}

void sim_csv_u64(sim_file *sf, uint64_t v)
{
    char buf[24], *o = buf + sizeof buf;
    do
        *--o = (char)('0' + v % 10);
    while (v /= 10);
    sep(sf);
    put_n(sf, o, (size_t)(buf + sizeof buf - o));
}

void sim_csv_end(sim_file *sf)
{
    put_n(sf, "\n", 1);
    row_flush(sf);
    sf->col = 0;
}

void sim_csv_header(sim_file *sf, const char *const *names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        sim_csv_str(sf, names[i]);
    sim_csv_end(sf);
}
