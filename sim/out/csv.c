/* csv: output files and CSV fields; see csv.h. */
#include "out/csv.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/error.h"

static void failed(sim_file *sf)
{
    if (!sf->err)
        sf->err = errno ? errno : EIO;
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
    return SIM_OK;
}

int sim_file_close(sim_file *sf)
{
    if (sf->f) {
        errno = 0;
        if (fflush(sf->f) != 0 || ferror(sf->f))
            failed(sf);
        errno = 0;
        if (!sf->err && fsync(fileno(sf->f)) != 0)
            failed(sf);
        errno = 0;
        if (fclose(sf->f) != 0)
            failed(sf);
        sf->f = NULL;
    }
    return sf->err ? SIM_EIO : SIM_OK;
}

void sim_file_fini(sim_file *sf, int remove)
{
    if (sf->f)
        fclose(sf->f);
    sf->f = NULL;
    if (remove && sf->path)
        unlink(sf->path);
    sim_free(sf->path);
    sf->path = NULL;
}

void sim_file_puts(sim_file *sf, const char *s)
{
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

static void put_n(sim_file *sf, const char *s, size_t n)
{
    if (sf->err || !sf->f || !n)
        return;
    errno = 0;
    if (fwrite(s, 1, n, sf->f) != n)
        failed(sf);
}

static void sep(sim_file *sf)
{
    if (sf->col++)
        sim_file_puts(sf, ",");
}

void sim_csv_str(sim_file *sf, const char *s)
{
    sep(sf);
    if (!strpbrk(s, ",\"\r\n")) {
        sim_file_puts(sf, s);
        return;
    }
    sim_file_puts(sf, "\"");
    for (const char *q; (q = strchr(s, '"')); s = q + 1) {
        put_n(sf, s, (size_t)(q - s) + 1);   /* up to and including the quote */
        put_n(sf, "\"", 1);                  /* which is doubled */
    }
    sim_file_puts(sf, s);
    sim_file_puts(sf, "\"");
}

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
    if (v == 0)
        v = 0.0;   /* no "-0" */
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, SIM_REAL_LEN, "%.*g", prec, v);
        if (prec == 17 || strtod(buf, NULL) == v)
            return;
    }
}

void sim_csv_real(sim_file *sf, double v)
{
    char buf[SIM_REAL_LEN];
    sim_format_real(buf, v);
    sep(sf);
    sim_file_puts(sf, buf);
}

void sim_csv_u64(sim_file *sf, uint64_t v)
{
    char buf[24];
    snprintf(buf, sizeof buf, "%llu", (unsigned long long)v);
    sep(sf);
    sim_file_puts(sf, buf);
}

void sim_csv_end(sim_file *sf)
{
    sim_file_puts(sf, "\n");
    sf->col = 0;
}

void sim_csv_header(sim_file *sf, const char *const *names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        sim_csv_str(sf, names[i]);
    sim_csv_end(sf);
}
