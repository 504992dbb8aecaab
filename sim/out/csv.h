/* csv: atomic output files and RFC 4180 CSV fields.
 *
 * A sim_file is written under a temporary name beside its final path and renamed into place
 * only by sim_file_commit, so an interrupted run never leaves a truncated file that looks
 * complete; sim_file_abort removes the temporary. Numbers are written with %.10g, missing
 * values (NaN) as empty fields, text fields quoted when they hold a comma, quote or newline. */
#ifndef SIM_CSV_H
#define SIM_CSV_H

#include <stdint.h>
#include <stdio.h>

typedef struct sim_file {
    FILE *f;
    char *path, *tmp;
    int col;          /* fields written on the current row */
    int failed;
} sim_file;

/* Opens DIR/NAME for writing through a temporary file; SIM_OK or SIM_EIO / SIM_ENOMEM. */
int sim_file_open(sim_file *sf, const char *dir, const char *name);
int sim_file_commit(sim_file *sf);    /* flush, close, rename; SIM_OK or SIM_EIO */
void sim_file_abort(sim_file *sf);    /* close and remove the temporary; safe after commit */

void sim_csv_str(sim_file *sf, const char *s);
void sim_csv_num(sim_file *sf, double v);
void sim_csv_u64(sim_file *sf, uint64_t v);
void sim_csv_end(sim_file *sf);       /* ends the row */
/* Writes a header row from a comma-separated list of names. */
void sim_csv_header(sim_file *sf, const char *names);

/* Creates a directory and its parents (like mkdir -p); SIM_OK or SIM_EIO. */
int sim_mkdirs(const char *dir);

#endif
