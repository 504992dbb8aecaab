/* csv: atomic files and CSV fields; see csv.h. */
#include "out/csv.h"

#include <errno.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/error.h"

static char *join_path(const char *dir, const char *name, const char *suffix)
{
    size_t n = strlen(dir) + strlen(name) + strlen(suffix) + 2;
    char *p = sim_malloc(n);
    if (p)
        snprintf(p, n, "%s/%s%s", dir, name, suffix);
    return p;
}

int sim_file_open(sim_file *sf, const char *dir, const char *name)
{
    memset(sf, 0, sizeof *sf);
    char suffix[48];
    snprintf(suffix, sizeof suffix, ".tmp.%ld", (long)getpid());
    sf->path = join_path(dir, name, "");
    sf->tmp = join_path(dir, name, suffix);
    if (!sf->path || !sf->tmp) {
        sim_file_abort(sf);
        return SIM_ENOMEM;
    }
    sf->f = fopen(sf->tmp, "w");
    if (!sf->f) {
        sim_file_abort(sf);
        return SIM_EIO;
    }
    return SIM_OK;
}

int sim_file_commit(sim_file *sf)
{
    int bad = sf->failed || !sf->f;
    if (sf->f) {
        bad |= fflush(sf->f) != 0 || ferror(sf->f) || fsync(fileno(sf->f)) != 0;
        bad |= fclose(sf->f) != 0;
        sf->f = NULL;
    }
    if (!bad)
        bad = rename(sf->tmp, sf->path) != 0;
    if (bad) {
        sim_file_abort(sf);
        return SIM_EIO;
    }
    sim_free(sf->tmp);
    sim_free(sf->path);
    sf->tmp = sf->path = NULL;
    return SIM_OK;
}

void sim_file_abort(sim_file *sf)
{
    if (sf->f)
        fclose(sf->f);
    if (sf->tmp)
        unlink(sf->tmp);
    sim_free(sf->tmp);
    sim_free(sf->path);
    memset(sf, 0, sizeof *sf);
}

static void sep(sim_file *sf)
{
    if (sf->col++)
        fputc(',', sf->f);
}

void sim_csv_str(sim_file *sf, const char *s)
{
    sep(sf);
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, sf->f);
        return;
    }
    fputc('"', sf->f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', sf->f);
        fputc(*s, sf->f);
    }
    fputc('"', sf->f);
}

void sim_csv_num(sim_file *sf, double v)
{
    sep(sf);
    if (isfinite(v))
        fprintf(sf->f, "%.10g", v == 0 ? 0.0 : v);   /* no "-0" */
    else if (isinf(v))
        fputs(v > 0 ? "inf" : "-inf", sf->f);
}

void sim_csv_u64(sim_file *sf, uint64_t v)
{
    sep(sf);
    fprintf(sf->f, "%llu", (unsigned long long)v);
}

void sim_csv_end(sim_file *sf)
{
    if (fputc('\n', sf->f) == EOF)
        sf->failed = 1;
    sf->col = 0;
}

void sim_csv_header(sim_file *sf, const char *names)
{
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", names);
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save))
        sim_csv_str(sf, t);
    sim_csv_end(sf);
}

int sim_mkdirs(const char *dir)
{
    char buf[4096];
    if (snprintf(buf, sizeof buf, "%s", dir) >= (int)sizeof buf)
        return SIM_EIO;
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = 0;
        if (mkdir(buf, 0777) != 0 && errno != EEXIST)
            return SIM_EIO;
        *p = '/';
    }
    if (mkdir(buf, 0777) != 0 && errno != EEXIST)
        return SIM_EIO;
    struct stat st;
    return stat(buf, &st) == 0 && S_ISDIR(st.st_mode) ? SIM_OK : SIM_EIO;
}
