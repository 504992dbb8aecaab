/* outdir: all-or-nothing result directories; see outdir.h. */
#define _GNU_SOURCE   /* renameat2 */
#include "out/outdir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/error.h"

int sim_outdir_fail(sim_outdir *d, const char *path, int err, const char *what)
{
    /* A very long path is shortened in the middle, so the reason always fits. */
    char shown[200];
    size_t n = strlen(path);
    if (n < sizeof shown)
        snprintf(shown, sizeof shown, "%s", path);
    else
        snprintf(shown, sizeof shown, "%.96s...%s", path, path + n - 96);
    if (what)
        snprintf(d->err, sizeof d->err, "'%s' %s", shown, what);
    else
        snprintf(d->err, sizeof d->err, "'%s': %s", shown, strerror(err ? err : EIO));
    return SIM_EIO;
}

const char *sim_outdir_error(const sim_outdir *d) { return d->err; }

static char *concat(const char *a, const char *b, const char *c)
{
    size_t n = strlen(a) + strlen(b) + strlen(c) + 1;
    char *p = sim_malloc(n);
    if (p)
        snprintf(p, n, "%s%s%s", a, b, c);
    return p;
}

/* mkdir -p of the parents of path (not path itself). */
static int make_parents(sim_outdir *d, const char *path)
{
    char buf[PATH_MAX];
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf)
        return sim_outdir_fail(d, path, ENAMETOOLONG, NULL);
    char *end = strrchr(buf, '/');
    if (!end || end == buf)
        return SIM_OK;
    *end = 0;
    struct stat up;
    if (stat(buf, &up) == 0 && S_ISDIR(up.st_mode))   /* the usual case: nothing to make */
        return SIM_OK;
    for (char *p = buf + 1;; p++) {
        if (*p && *p != '/')
            continue;
        char c = *p;
        *p = 0;
        struct stat st;
        if (mkdir(buf, 0777) != 0 && errno != EEXIST)
            return sim_outdir_fail(d, buf, errno, NULL);
        if (stat(buf, &st) != 0)
            return sim_outdir_fail(d, buf, errno, NULL);
        if (!S_ISDIR(st.st_mode))
            return sim_outdir_fail(d, buf, 0, "exists and is not a directory");
        if (!c)
            return SIM_OK;
        *p = c;
    }
}

static int is_set_name(const sim_outdir *d, const char *name)
{
    for (size_t i = 0; i < d->nnames; i++)
        if (!strcmp(d->names[i], name))
            return 1;
    return 0;
}

/* Checks that no entry of the target called like a file of the set is anything but a regular
 * file. */
static int check_target(sim_outdir *d)
{
    for (size_t i = 0; i < d->nnames; i++) {
        char *p = concat(d->target, "/", d->names[i]);
        if (!p)
            return SIM_ENOMEM;
        struct stat st;
        int rc = SIM_OK;
        if (lstat(p, &st) == 0 && !S_ISREG(st.st_mode))
            rc = sim_outdir_fail(d, p, 0, "exists and is not a regular file");
        else if (lstat(p, &st) != 0 && errno != ENOENT)
            rc = sim_outdir_fail(d, p, errno, NULL);
        sim_free(p);
        if (rc != SIM_OK)
            return rc;
    }
    return SIM_OK;
}

/* Whether dir exists and is the root of a file system mounted there (a volume): it cannot be
 * renamed, and nothing beside it is on the same file system. */
static int is_mount_point(const char *dir)
{
    struct stat st, up;
    char *parent = concat(dir, "/..", "");
    int yes = parent && stat(dir, &st) == 0 && stat(parent, &up) == 0 &&
              (st.st_dev != up.st_dev || st.st_ino == up.st_ino);
    sim_free(parent);
    return yes;
}

int sim_outdir_open(sim_outdir *d, const char *target, const char *const *names, size_t nnames)
{
    memset(d, 0, sizeof *d);
    d->names = names;
    d->nnames = nnames;
    if (!*target)
        return sim_outdir_fail(d, target, ENOENT, NULL);
    struct stat st;
    int exists = stat(target, &st) == 0;
    if (exists) {
        if (!S_ISDIR(st.st_mode))
            return sim_outdir_fail(d, target, 0, "exists and is not a directory");
        char *real = realpath(target, NULL);   /* follows links; "." becomes a full path */
        if (!real)
            return sim_outdir_fail(d, target, errno, NULL);
        d->target = sim_strdup(real);
        free(real);
    } else if (errno != ENOENT && errno != ENOTDIR) {   /* ENOTDIR: make_parents says where */
        return sim_outdir_fail(d, target, errno, NULL);
    } else if (lstat(target, &st) == 0) {
        return sim_outdir_fail(d, target, 0, "is a symbolic link to nothing");
    } else {
        size_t n = strlen(target);
        while (n > 1 && target[n - 1] == '/')
            n--;
        d->target = sim_malloc(n + 1);
        if (d->target) {
            memcpy(d->target, target, n);
            d->target[n] = 0;
        }
    }
    if (!d->target)
        return SIM_ENOMEM;
    int rc = make_parents(d, d->target);
    if (rc == SIM_OK && exists)   /* (a new target has no entries to check) */
        rc = check_target(d);
    if (rc != SIM_OK) {
        sim_outdir_abort(d);
        return rc;
    }
    char suffix[32];
    snprintf(suffix, sizeof suffix, ".tmp-%ld", (long)getpid());
    d->inside = is_mount_point(d->target);
    d->staging = d->inside ? concat(d->target, "/", suffix) : concat(d->target, suffix, "");
    if (!d->staging) {
        sim_outdir_abort(d);
        return SIM_ENOMEM;
    }
    if (mkdir(d->staging, 0777) != 0) {
        rc = sim_outdir_fail(d, d->staging, errno, NULL);
        sim_free(d->staging);   /* not ours to remove */
        d->staging = NULL;
        sim_outdir_abort(d);
        return rc;
    }
    return SIM_OK;
}

int sim_outdir_path(const sim_outdir *d, const char *name, char *buf, size_t n)
{
    if (!d->staging || snprintf(buf, n, "%s/%s", d->staging, name) >= (int)n)
        return SIM_ENOMEM;
    return SIM_OK;
}

/* Removes every entry of a directory (files only: the set has no subdirectories), then the
 * directory. Entries other than files stay, and so does the directory then. */
static void remove_dir(const char *dir)
{
    DIR *dh = opendir(dir);
    if (dh) {
        for (struct dirent *de; (de = readdir(dh));)
            if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
                unlinkat(dirfd(dh), de->d_name, 0);
        closedir(dh);
    }
    rmdir(dir);
}

void sim_outdir_abort(sim_outdir *d)
{
    if (d->staging)
        remove_dir(d->staging);
    sim_free(d->staging);
    sim_free(d->target);
    d->staging = d->target = NULL;
}

/* Moves the entries of `from` that are not files of the set into `to` (and back again after a
 * failed exchange). Returns SIM_OK or SIM_EIO. */
static int move_foreign(sim_outdir *d, const char *from, const char *to)
{
    DIR *dh = opendir(from);
    if (!dh)
        return sim_outdir_fail(d, from, errno, NULL);
    int rc = SIM_OK, dfd = dirfd(dh);
    int tfd = open(to, O_RDONLY | O_DIRECTORY);
    if (tfd < 0) {
        closedir(dh);
        return sim_outdir_fail(d, to, errno, NULL);
    }
    for (struct dirent *de; rc == SIM_OK && (de = readdir(dh));) {
        const char *n = de->d_name;
        if (!strcmp(n, ".") || !strcmp(n, "..") || is_set_name(d, n))
            continue;
        if (renameat(dfd, n, tfd, n) != 0) {
            int err = errno;
            char path[PATH_MAX];
            snprintf(path, sizeof path, "%s/%s", from, n);
            rc = sim_outdir_fail(d, path, err, NULL);
        }
    }
    close(tfd);
    closedir(dh);
    return rc;
}

/* Makes the renames in the parent of path durable (best effort). */
static void sync_parent(const char *path)
{
    char buf[PATH_MAX];
    snprintf(buf, sizeof buf, "%s", path);
    char *slash = strrchr(buf, '/');
    if (slash == buf)
        slash[1] = 0;
    else if (slash)
        *slash = 0;
    else
        strcpy(buf, ".");
    int fd = open(buf, O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

int sim_outdir_sync(sim_outdir *d)
{
    if (!d->staging)
        return sim_outdir_fail(d, "", EINVAL, NULL);
    for (size_t i = 0; i <= d->nnames; i++) {
        char *p = i < d->nnames ? concat(d->staging, "/", d->names[i]) : sim_strdup(d->staging);
        if (!p)
            return SIM_ENOMEM;
        int fd = open(p, O_RDONLY | (i < d->nnames ? 0 : O_DIRECTORY));
        int rc = SIM_OK;
        if (fd < 0 && errno != ENOENT)
            rc = sim_outdir_fail(d, p, errno, NULL);
        else if (fd >= 0 && fsync(fd) != 0)
            rc = sim_outdir_fail(d, p, errno, NULL);
        if (fd >= 0)
            close(fd);
        sim_free(p);
        if (rc != SIM_OK)
            return rc;
    }
    return SIM_OK;
}

/* Swaps two directories: atomically where the system can. */
static int exchange(const char *a, const char *b, const char *spare)
{
#ifdef RENAME_EXCHANGE
    if (renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE) == 0)
        return 0;
    if (errno != EINVAL && errno != ENOSYS && errno != ENOTSUP)
        return -1;
#endif
    if (rename(b, spare) != 0)
        return -1;
    if (rename(a, b) != 0) {
        int err = errno;
        rename(spare, b);
        errno = err;
        return -1;
    }
    return rename(spare, a);
}

/* For a mount point: the files are renamed from the staging directory inside it one by one. */
static int commit_inside(sim_outdir *d)
{
    int rc = check_target(d);
    for (size_t i = 0; rc == SIM_OK && i < d->nnames; i++) {
        char from[PATH_MAX], to[PATH_MAX];
        snprintf(from, sizeof from, "%s/%s", d->staging, d->names[i]);
        snprintf(to, sizeof to, "%s/%s", d->target, d->names[i]);
        if (rename(from, to) != 0 && errno != ENOENT)
            rc = sim_outdir_fail(d, to, errno, NULL);
    }
    sim_outdir_abort(d);
    return rc;
}

int sim_outdir_commit(sim_outdir *d)
{
    if (!d->staging)
        return sim_outdir_fail(d, "", EINVAL, NULL);
    if (d->inside)
        return commit_inside(d);
    if (rename(d->staging, d->target) == 0) {   /* there was no target */
        sim_free(d->staging);
        d->staging = NULL;
        goto done;
    }
    if (errno != EEXIST && errno != ENOTEMPTY && errno != EISDIR) {
        int rc = sim_outdir_fail(d, d->target, errno, NULL);
        sim_outdir_abort(d);
        return rc;
    }
    int rc = check_target(d);
    if (rc == SIM_OK)
        rc = move_foreign(d, d->target, d->staging);
    if (rc == SIM_OK) {
        char *spare = concat(d->staging, ".old", "");
        if (!spare || exchange(d->staging, d->target, spare) != 0)
            rc = spare ? sim_outdir_fail(d, d->target, errno, NULL) : SIM_ENOMEM;
        sim_free(spare);
        if (rc != SIM_OK) {
            char keep[sizeof d->err];
            memcpy(keep, d->err, sizeof keep);
            move_foreign(d, d->staging, d->target);   /* give the foreign files back */
            memcpy(d->err, keep, sizeof keep);
        }
    }
    if (rc != SIM_OK) {
        sim_outdir_abort(d);
        return rc;
    }
    /* The staging path now holds the old set. */
done:
    if (!d->no_parent_sync)
        sync_parent(d->target);
    sim_outdir_abort(d);
    return SIM_OK;
}
