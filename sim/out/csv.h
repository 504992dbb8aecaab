/* csv: output files that remember why they failed, RFC 4180 fields, and numbers that read back.
 *
 * A sim_file wraps a stdio stream and keeps the errno of its first failure (writes, flush, sync,
 * close), so a caller can say "No space left on device" instead of a generic I/O error. Once a
 * file has failed, further writes do nothing.
 *
 * Numbers: counts are written as integers; reals in the shortest of %.15g, %.16g and %.17g that
 * reads back (strtod) to the same double, so a value written and read again is the value
 * computed; -0 is written as 0, infinities as inf / -inf, NaN (no value) as an empty field. Text
 * fields are quoted only when they hold a comma, a quote, a CR or a LF. */
#ifndef SIM_CSV_H
#define SIM_CSV_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define SIM_FILE_BUF ((size_t)1 << 16)   /* the stream's buffer */

typedef struct sim_file {
    FILE *f;
    char *buf;        /* f's buffer (SIM_FILE_BUF bytes), freed when f is closed */
    char *path;
    int col;          /* fields written on the current row */
    int err;          /* errno of the first failure, 0 while all is well */
    /* The current CSV row, written to f in one call when it ends (or when it outgrows this);
     * empty between rows, so f itself is always up to date there. */
    unsigned rown;
    char row[240];
} sim_file;

/* Creates (truncates) path for writing. SIM_OK, SIM_ENOMEM, or SIM_EIO with sf->err set. */
int sim_file_open(sim_file *sf, const char *path);
/* Flushes, syncs to disk and closes. SIM_OK, or SIM_EIO with the errno in sf->err (the file is
 * closed in every case; the path is kept until sim_file_fini). */
int sim_file_close(sim_file *sf);
/* The same, syncing only when sync is set: unsynced, the file is durable once its writer makes
 * it so (a sweep's point, out/outdir.h sim_outdir_sync or a sync of the whole file system). */
int sim_file_close_sync(sim_file *sf, int sync);
/* Closes if open, removes the file if remove is set, and frees the path. Safe to repeat. */
void sim_file_fini(sim_file *sf, int remove);

/* Raw text, and a whole file's contents appended (the time series of a replication). The copy
 * returns SIM_OK or SIM_EIO with the errno in sf->err (a read error of src counts too); when
 * stop is not NULL it is polled, and once set the copy fails with EINTR. */
void sim_file_puts(sim_file *sf, const char *s);
int sim_file_append(sim_file *sf, FILE *src, const atomic_int *stop);

void sim_csv_str(sim_file *sf, const char *s);
void sim_csv_real(sim_file *sf, double v);
void sim_csv_u64(sim_file *sf, uint64_t v);
void sim_csv_end(sim_file *sf);       /* ends the row */
void sim_csv_raw(sim_file *sf, const char *s, size_t n);   /* a field written as it is (no quotes) */
/* Writes a header row from n names (no length limit). */
void sim_csv_header(sim_file *sf, const char *const *names, size_t n);

/* Formats v as described above into buf (at least SIM_REAL_LEN bytes); NaN gives "". */
#define SIM_REAL_LEN 32
void sim_format_real(char *buf, double v);

#endif
