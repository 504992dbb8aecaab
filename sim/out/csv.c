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

/* A file's buffer: the C library's is a page (4 kB), so a 77 MB time series took 22 800
 * write calls; 64 kB takes 1 200. Larger saves little more and costs memory a replication's
 * files fill (only the part written is ever touched: tests/memory.sh). */
#define SIM_FILE_BUFFER ((size_t)64 << 10)

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
    sf->buf = sim_malloc(SIM_FILE_BUFFER);   /* without it, the C library's buffer */
    if (sf->buf && setvbuf(sf->f, sf->buf, _IOFBF, SIM_FILE_BUFFER) != 0) {
        sim_free(sf->buf);
        sf->buf = NULL;
    }
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

static const uint64_t pow10u[18] = {
    UINT64_C(1), UINT64_C(10), UINT64_C(100), UINT64_C(1000), UINT64_C(10000),
    UINT64_C(100000), UINT64_C(1000000), UINT64_C(10000000), UINT64_C(100000000),
    UINT64_C(1000000000), UINT64_C(10000000000), UINT64_C(100000000000),
    UINT64_C(1000000000000), UINT64_C(10000000000000), UINT64_C(100000000000000),
    UINT64_C(1000000000000000), UINT64_C(10000000000000000), UINT64_C(100000000000000000) };

/* The p digits of q < 10^p (p <= 17) into d, two at a time from a table, in two independent
 * halves (the last eight digits and the others), not one chain of 17 divisions by ten, each
 * waiting for the one before. */
static void spell_digits(char *d, uint64_t q, int p)
{
    static const char two[] = "00010203040506070809101112131415161718192021222324"
                              "25262728293031323334353637383940414243444546474849"
                              "50515253545556575859606162636465666768697071727374"
                              "75767778798081828384858687888990919293949596979899";
    if (p > 8) {
        uint32_t lo = (uint32_t)(q % 100000000u);
        q /= 100000000u;
        char *o = d + p;
        for (int i = 0; i < 4; i++, lo /= 100) {
            o -= 2;
            memcpy(o, two + 2 * (lo % 100), 2);
        }
        p -= 8;
    }
    uint32_t hi = (uint32_t)q;
    char *o = d + p;
    while (o - d >= 2) {
        o -= 2;
        memcpy(o, two + 2 * (hi % 100), 2);
        hi /= 100;
    }
    if (o > d)
        *--o = (char)('0' + hi);
}

/* The 17 significant digits of v > 0 as an integer *n in [10^16, 10^17), correctly rounded, and
 * its decimal exponent x (v is about n x 10^(x-16)), from one multiplication or division in long
 * double: 1. Or 0 when that cannot be sure, and snprintf gives them. With a 64-bit significand
 * and 10^k exact (k <= 27), the scaled value y in [10^16, 10^17) is within a quarter of 2^-7 of
 * v x 10^k, so its rounding to an integer is the exact one unless its fraction is within 0.01
 * of a half. */
static int digits17(double v, uint64_t *n, int *x, double *frac)
{
    if (!(v >= 1e-11 && v < 1e43))
        return 0;
    long double y;
    int k;
    if (!sim_dec_scale(v, 17, &y, &k))
        return 0;
    uint64_t r = (uint64_t)y;   /* y < 10^17 < 2^64: the cast is the floor */
    long double f = y - (long double)r;
    if (fabsl(f - 0.5L) < 0.01L)
        return 0;
    int e = 16 - k;
    *n = r + (f > 0.5L);
    *frac = (double)(f > 0.5L ? f - 1 : f);   /* y - n: in (-0.49, 0.49) */
    if (*n == pow10u[17]) {   /* rounded up to 10^17 */
        *n = pow10u[16];
        e++;
    }
    *x = e;
    return 1;
}

/* The shortest of "%.15g", "%.16g" and "%.17g" that reads back as v, without snprintf for almost
 * every value: the 17 correctly rounded digits of v (digits17, or "%.16e") are rounded again to
 * 16 and 15, in integers, which gives the correctly rounded digits unless the dropped digits are
 * a half ("5" or "50") and what follows them (digits17's fraction) is too small to say on which
 * side of it the exact value lies: snprintf decides then; and a candidate is read back exactly
 * by sim_dec_exact (Clinger's fast path: one correctly rounded product or quotient of two exact
 * doubles), strtod only when m or 10^k is not exact; only the one chosen is spelled.
 * Identical, byte for byte, to trying snprintf and strtod at 15, 16 and 17 digits (test_csv
 * compares them). */
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
    uint64_t n;
    /* frac: what follows the 17th digit, y - n of digits17, which tells a dropped "5" or "50"
     * from an exact half when it is well away from 0 (the product is within 2^-9 of the exact
     * one); 0 (ask snprintf) when the digits came from snprintf. */
    double frac = 0;
    if (!digits17(mag, &n, &x, &frac)) {
        frac = 0;
        char e[40];
        snprintf(e, sizeof e, "%.16e", mag);   /* d.dddddddddddddddde[+-]xx[x] */
        n = (uint64_t)(e[0] - '0');
        for (int i = 2; i < 18; i++)
            n = n * 10 + (uint64_t)(e[i] - '0');
        x = atoi(e + 19);
    }
    char d[17];
    for (int p = 15; p <= 16; p++) {
        /* the dropped digits against a half ("5" or "50"), and then what follows */
        uint64_t div = pow10u[17 - p], half = div / 2, q = n / div, rem = n % div;
        int cmp = rem != half ? (rem > half ? 1 : -1)
                  : frac > 0.01 ? 1
                  : frac < -0.01 ? -1
                                 : 0;
        if (cmp == 0) {   /* a half as far as the digits tell: ask snprintf */
            snprintf(buf, SIM_REAL_LEN, "%.*g", p, v);
            if (strtod(buf, NULL) == v)
                return;
            continue;
        }
        int rx = x;
        if (cmp > 0 && ++q == pow10u[p]) {   /* rounded up to the next decade */
            q = pow10u[p - 1];
            rx++;
        }
        uint64_t m = q;
        int t = 0;   /* trailing zeros: a short decimal has many */
        for (int z = 8; z; z /= 2)
            if (m % pow10u[z] == 0) {
                m /= pow10u[z];
                t += z;
            }
        /* Read back exactly almost always, so spelled only when chosen; otherwise strtod on
         * its spelling. */
        double back;
        int exact = sim_dec_exact(m, rx - (p - t - 1), &back);
        if (exact && back != mag)
            continue;
        spell_digits(d, q, p);
        put_g(buf, neg, d, p, rx);
        if (exact || strtod(buf, NULL) == v)
            return;
    }
    spell_digits(d, n, 17);
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
