/* outdir: a set of result files that appears in its directory all together or not at all.
 *
 * sim_outdir_open makes a fresh staging directory beside the target, TARGET.tmp-PID; the caller
 * writes every file of the set there; sim_outdir_commit puts the whole set in place at once:
 *   - no target yet: the staging directory is renamed to it;
 *   - a target directory: it is exchanged with the staging directory in one step (Linux
 *     renameat2 RENAME_EXCHANGE; elsewhere two renames, with a short moment without a target),
 *     and the old set is removed. Entries of the old directory that are not in the set's list of
 *     names (files dessa did not write) are moved into the new directory first, so they stay.
 *   - an entry of the target that has a name of the set but is not a regular file (a directory
 *     called timeseries.csv) is an error, found before anything moves.
 * sim_outdir_abort removes the staging directory and everything in it. A symbolic link to a
 * directory is followed: the directory it points to is the target.
 *
 * A target that is a mount point (a volume) cannot be renamed and has nothing beside it on its
 * file system: there the staging directory is TARGET/.tmp-PID and the files are renamed into
 * place one by one, each whole, but the set not at once (a failure part-way mixes sets).
 *
 * Errors carry the failing path and the system's reason, e.g. "'out' exists and is not a
 * directory", "'out/flows.csv': No space left on device"; see sim_outdir_error. */
#ifndef SIM_OUTDIR_H
#define SIM_OUTDIR_H

#include <stddef.h>

typedef struct sim_outdir {
    char *target;            /* as resolved (symbolic links followed) */
    char *staging;           /* NULL once committed or aborted */
    int inside;              /* the target is a mount point: staging inside it */
    int no_parent_sync;      /* set by the caller: commit leaves the rename's durability to it
                                (one sync of the parent for many sets) */
    const char *const *names;   /* the set's file names */
    size_t nnames;
    char err[768];
} sim_outdir;

/* Checks the target (creating its missing parents) and makes the staging directory. names lists
 * the file names of the set (kept by reference). SIM_OK, or SIM_EIO / SIM_ENOMEM with a message. */
int sim_outdir_open(sim_outdir *d, const char *target, const char *const *names, size_t nnames);
/* The path of file `name` in the staging directory, in buf; SIM_OK or SIM_ENOMEM (too long). */
int sim_outdir_path(const sim_outdir *d, const char *name, char *buf, size_t n);
/* Makes the staged files durable: an fsync of each file of the set in the staging directory,
 * then of the directory. For files closed without a sync (sim_file_close_sync), before the
 * commit, so that a set that is in place after a crash has its files whole. SIM_OK, or SIM_EIO
 * with a message. */
int sim_outdir_sync(sim_outdir *d);
/* Puts the staged set in place (see above). SIM_OK, or SIM_EIO with a message; on failure the
 * old set is as it was and the staging directory is removed. */
int sim_outdir_commit(sim_outdir *d);
/* Removes the staging directory with its contents and frees d. Safe to repeat; also frees a
 * committed d. */
void sim_outdir_abort(sim_outdir *d);
/* The message of the last failure ("" if none). */
const char *sim_outdir_error(const sim_outdir *d);

/* Records "'path': strerror(err)" (or a given text) as d's error; returns SIM_EIO. */
int sim_outdir_fail(sim_outdir *d, const char *path, int err, const char *what);

#endif
