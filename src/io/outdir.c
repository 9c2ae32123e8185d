/* src/io/outdir.c -- the crash-safe output folder of a run (store.h).
 * A run writes into a fresh sibling `<final>.tmp-<pid>` and renames it to `<final>` only when
 * everything is written and synced, so a reader never sees half a result: `<final>` is either
 * absent, the previous complete result, or the new complete one. rename() within one parent
 * folder is atomic on POSIX file systems; that rename is the commit point the store relies on
 * when it skips SQLite's own journal and syncs (store.c).
 *
 * Replacing (--force) swaps the two folders in one step where the system can
 * (renameat2 RENAME_EXCHANGE on Linux), then removes the old one. Elsewhere it keeps the
 * promise as far as POSIX allows: the old folder is renamed aside to `<final>.old-<pid>`,
 * the new one renamed in, then the old one removed; between the two renames `<final>` is
 * briefly absent, never partial.
 *
 * Leftovers of a killed run (kill -9, a power cut): its `<final>.tmp-<pid>` (never a result)
 * and, from the two-rename replace, a `<final>.old-<pid>` (the previous complete result). The
 * next prepare of the same `<final>` tidies them: a leftover is removed only when its owner
 * is gone, which two tests establish: no process with that pid exists here (kill(pid, 0)),
 * and nobody holds the flock that a live run keeps on its temporary folder (the kernel drops
 * it when the process dies, whatever killed it, also across pid namespaces). An `.old-<pid>`
 * whose `<final>` is missing is renamed back into place instead: the replace that moved it
 * aside never finished, so it is still the latest complete result. docs/reliability.md. */
#ifdef __linux__
#define _GNU_SOURCE /* renameat2 */
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io/store.h"

/* Paths are at most PATH_MAX (4096 on Linux) plus our suffixes. */
#define PATH_BUF 4096
/* Deeper than any results folder; bounds the open descriptors of remove_at(). */
#define MAX_DEPTH 64

/* Removes name (relative to parent_fd) and, for a folder, everything in it. Symbolic links
 * are removed, never followed, so a link inside the folder cannot lead outside it. */
static int remove_at(int parent_fd, const char *name, int depth)
{
    struct stat st;
    if (fstatat(parent_fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
        return errno == ENOENT ? 0 : -1;
    if (!S_ISDIR(st.st_mode))
        return unlinkat(parent_fd, name, 0);
    if (depth >= MAX_DEPTH) {
        errno = ELOOP;
        return -1;
    }
    const int fd = openat(parent_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return -1;
    DIR *dir = fdopendir(fd);
    if (!dir) {
        close(fd);
        return -1;
    }
    int rc = 0;
    const struct dirent *e;
    while ((e = readdir(dir)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (remove_at(fd, e->d_name, depth + 1) != 0)
            rc = -1;
    }
    closedir(dir); /* closes fd */
    if (unlinkat(parent_fd, name, AT_REMOVEDIR) != 0)
        rc = -1;
    return rc;
}

static int remove_tree(const char *path)
{
    return remove_at(AT_FDCWD, path, 0);
}

/* Copies path without trailing slashes: "runs/x/" must give the sibling "runs/x.tmp-1", not
 * the child "runs/x/.tmp-1". Refuses "" and "/", which cannot be replaced by a rename. */
static lm_status normalise(const char *path, char *out, lm_error *err)
{
    if (!path || !path[0])
        LM_FAIL(err, LM_EINVAL, "output folder path is empty");
    size_t n = strlen(path);
    while (n > 1 && path[n - 1] == '/')
        --n;
    if (n >= PATH_BUF - 64)
        return lm_error_set_at(err, LM_EINVAL, path, 0, 0, NULL, "output folder path %s is too long",
                               path);
    if (n == 1 && path[0] == '/')
        return lm_error_set_at(err, LM_EINVAL, path, 0, 0, NULL,
                               "output folder cannot be the root folder");
    memcpy(out, path, n);
    out[n] = '\0';
    return LM_OK;
}

/* The folder that holds path (a normalised path): "." when there is no slash. */
static void parent_of(const char *path, char out[PATH_BUF])
{
    const char *slash = strrchr(path, '/');
    if (!slash) {
        snprintf(out, PATH_BUF, ".");
        return;
    }
    size_t n = (size_t)(slash - path);
    while (n > 0 && path[n - 1] == '/')
        --n;
    if (n == 0) {
        snprintf(out, PATH_BUF, "/");
        return;
    }
    memcpy(out, path, n);
    out[n] = '\0';
}

static bool is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* mkdir -p. Returns 0 or -1 with errno; ENOTDIR when a component is a file. */
static int make_dirs(const char *path)
{
    char buf[PATH_BUF];
    const size_t n = strlen(path);
    if (n >= sizeof buf) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(buf, path, n + 1);
    for (size_t i = 1; i <= n; ++i) {
        if (buf[i] != '/' && buf[i] != '\0')
            continue;
        if (buf[i - 1] == '/')
            continue; /* "a//b": the empty component between the slashes */
        const char saved = buf[i];
        buf[i] = '\0';
        if (mkdir(buf, 0755) != 0) {
            const int e = errno;
            if (!is_dir(buf)) {
                /* An existing file says more than "File exists". */
                errno = e == EEXIST ? ENOTDIR : e;
                return -1;
            }
        }
        buf[i] = saved;
    }
    return 0;
}

/* Makes renames and new entries of a folder durable. Best effort: some file systems refuse
 * fsync on folders, and by then the result is complete; only surviving a power cut is at
 * stake, not what a reader sees. */
static void sync_dir(const char *path)
{
    const int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return;
    (void)fsync(fd);
    close(fd);
}

/* ---- locks on our temporary folders, and leftovers of dead runs ---- */

/* The temporary folders this process is writing, each with the descriptor that holds its
 * flock. A job's folder is locked from prepare to commit or abort; several jobs (server
 * workers) may run at once. */
#define MAX_HELD 256
static struct {
    char *path;
    int fd;
} held[MAX_HELD];
static pthread_mutex_t held_mutex = PTHREAD_MUTEX_INITIALIZER;

/* Locks the new folder tmp and remembers the lock. Returns 0, or -1 with errno. */
static int hold(const char *tmp)
{
    const int fd = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        const int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    char *copy = strdup(tmp);
    int rc = -1;
    pthread_mutex_lock(&held_mutex);
    for (size_t i = 0; copy && i < MAX_HELD; ++i)
        if (!held[i].path) {
            held[i].path = copy;
            held[i].fd = fd;
            rc = 0;
            break;
        }
    pthread_mutex_unlock(&held_mutex);
    if (rc != 0) {
        free(copy);
        close(fd);
        errno = copy ? EMFILE : ENOMEM;
    }
    return rc;
}

/* Releases the lock of tmp (a path given to hold), if any. */
static void release(const char *tmp)
{
    pthread_mutex_lock(&held_mutex);
    for (size_t i = 0; i < MAX_HELD; ++i)
        if (held[i].path && strcmp(held[i].path, tmp) == 0) {
            close(held[i].fd);
            free(held[i].path);
            held[i].path = NULL;
            break;
        }
    pthread_mutex_unlock(&held_mutex);
}

/* The pid of a leftover name "<base><tag><digits>", or 0 when name is not one. */
static long leftover_pid(const char *name, const char *base, const char *tag)
{
    const size_t nb = strlen(base), nt = strlen(tag);
    if (strncmp(name, base, nb) != 0 || strncmp(name + nb, tag, nt) != 0)
        return 0;
    const char *digits = name + nb + nt;
    if (!*digits || strlen(digits) > 9)
        return 0;
    for (const char *d = digits; *d; ++d)
        if (*d < '0' || *d > '9')
            return 0;
    return strtol(digits, NULL, 10);
}

/* True when the run that made path (with pid) is certainly gone: no such process here, and
 * the folder's lock can be taken. The lock is dropped again at once. */
static bool owner_gone(const char *path, long pid)
{
    if (pid == (long)getpid() || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
        return false;
    const int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return false;
    const bool free_lock = flock(fd, LOCK_EX | LOCK_NB) == 0;
    close(fd); /* releases the lock taken */
    return free_lock;
}

/* Tidies the leftovers of dead runs beside final (in parent): see the file comment. */
static void tidy_leftovers(const char *final, const char *parent)
{
    const char *slash = strrchr(final, '/');
    const char *base = slash ? slash + 1 : final;
    DIR *dir = opendir(parent);
    if (!dir)
        return;
    const struct dirent *e;
    while ((e = readdir(dir)) != NULL) {
        const long tmp_pid = leftover_pid(e->d_name, base, ".tmp-");
        const long old_pid = tmp_pid ? 0 : leftover_pid(e->d_name, base, ".old-");
        if (!tmp_pid && !old_pid)
            continue;
        char path[PATH_BUF + 300];
        if (snprintf(path, sizeof path, "%s/%s", parent, e->d_name) >= (int)sizeof path)
            continue;
        if (!owner_gone(path, tmp_pid ? tmp_pid : old_pid))
            continue;
        struct stat st;
        if (old_pid && lstat(final, &st) != 0 && errno == ENOENT && rename(path, final) == 0)
            continue; /* the previous result, back in place */
        (void)remove_tree(path);
    }
    closedir(dir);
}

/* Every results folder holds this file from its creation on: what --force looks for
 * before it replaces a folder. */
#define MARKER ".longmen-results"

static void write_marker(const char *dir)
{
    char path[PATH_BUF + 32];
    if (snprintf(path, sizeof path, "%s/" MARKER, dir) >= (int)sizeof path)
        return;
    const int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0)
        return; /* the folder can still be replaced by its results.sqlite */
    static const char text[] = "A results folder of longmen: `--force` may replace it.\n";
    ssize_t w = write(fd, text, sizeof text - 1);
    (void)w;
    close(fd);
}

/* A folder that --force may replace: one longmen wrote (its marker, or, from before the
 * marker, a results.sqlite that is an SQLite database), or an empty one. Anything else may
 * be a user's files, which a mistyped --out must never delete. */
static bool replaceable(const char *dir)
{
    const int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dfd < 0)
        return false;
    struct stat st;
    if (fstatat(dfd, MARKER, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode)) {
        close(dfd);
        return true;
    }
    bool ours = false;
    const int db = openat(dfd, "results.sqlite", O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (db >= 0) {
        char magic[16];
        ours = fstat(db, &st) == 0 && S_ISREG(st.st_mode) &&
               read(db, magic, sizeof magic) == (ssize_t)sizeof magic &&
               memcmp(magic, "SQLite format 3", 16) == 0;
        close(db);
    }
    if (!ours) {
        DIR *d = fdopendir(dfd);
        if (!d) {
            close(dfd);
            return false;
        }
        const struct dirent *e;
        ours = true; /* empty */
        while (ours && (e = readdir(d)) != NULL)
            ours = strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0;
        closedir(d); /* closes dfd */
        return ours;
    }
    close(dfd);
    return ours;
}

static lm_status not_ours_error(const char *final, lm_error *err)
{
    return lm_error_set_at(err, LM_EEXIST, final, 0, 0, NULL,
                           "%s is not a results folder of longmen (it has no " MARKER
                           " and no results.sqlite); --force replaces only folders longmen "
                           "wrote, so move it away or choose another --out",
                           final);
}

static lm_status exists_error(const char *final, lm_error *err)
{
    return lm_error_set_at(err, LM_EEXIST, final, 0, 0, NULL,
                           "output folder %s already exists (use --force to replace it)", final);
}

static lm_status create_error(const char *final, int e, lm_error *err)
{
    return lm_error_set_at(err, LM_EIO, final, 0, 0, NULL, "cannot create output folder %s: %s",
                           final, strerror(e));
}

lm_status lm__outdir_prepare(const char *final_dir, bool force, char *tmp, size_t tmp_size,
                             lm_error *err)
{
    if (!tmp || tmp_size == 0)
        LM_FAIL(err, LM_EINVAL, "no buffer for the temporary output folder");
    tmp[0] = '\0';
    char final[PATH_BUF], parent[PATH_BUF];
    lm_status rc = normalise(final_dir, final, err);
    if (rc != LM_OK)
        return rc;
    parent_of(final, parent);
    tidy_leftovers(final, parent);

    struct stat st;
    if (lstat(final, &st) == 0) {
        if (!force)
            return exists_error(final, err);
        /* --force replaces a result, not whatever file happens to bear the name. */
        if (!S_ISDIR(st.st_mode))
            return lm_error_set_at(err, LM_EEXIST, final, 0, 0, NULL,
                                   "%s exists and is not a folder; --force replaces only folders",
                                   final);
        if (!replaceable(final))
            return not_ours_error(final, err);
    } else if (errno != ENOENT && errno != ENOTDIR) {
        return create_error(final, errno, err); /* ENOTDIR is reported by make_dirs below */
    }

    if (make_dirs(parent) != 0)
        return create_error(final, errno, err);

    const int n = snprintf(tmp, tmp_size, "%s.tmp-%ld", final, (long)getpid());
    if (n < 0 || (size_t)n >= tmp_size) {
        tmp[0] = '\0';
        return lm_error_set_at(err, LM_EINVAL, final, 0, 0, NULL,
                               "output folder path %s is too long", final);
    }
    /* A leftover of a crashed run that had our pid; it was never a result. */
    (void)remove_tree(tmp);
    if (mkdir(tmp, 0755) != 0) {
        const int e = errno;
        tmp[0] = '\0';
        return create_error(final, e, err);
    }
    if (hold(tmp) != 0) {
        const int e = errno;
        (void)remove_tree(tmp);
        tmp[0] = '\0';
        return create_error(final, e, err);
    }
    write_marker(tmp);
    return LM_OK;
}

/* --force with an existing final: swapped in one step, or old aside, new in, old removed. */
static lm_status replace(const char *tmp, const char *final, const char *parent, lm_error *err)
{
#ifdef RENAME_EXCHANGE
    if (renameat2(AT_FDCWD, tmp, AT_FDCWD, final, RENAME_EXCHANGE) == 0) {
        sync_dir(parent);
        release(tmp);
        (void)remove_tree(tmp); /* now the old result */
        return LM_OK;
    }
    if (errno != EINVAL && errno != ENOSYS && errno != ENOTSUP)
        return lm_error_set_at(err, LM_EIO, final, 0, 0, NULL,
                               "cannot move the results into %s: %s", final, strerror(errno));
#endif
    char old[PATH_BUF + 32];
    snprintf(old, sizeof old, "%s.old-%ld", final, (long)getpid());
    (void)remove_tree(old);
    if (rename(final, old) != 0)
        return lm_error_set_at(err, LM_EIO, final, 0, 0, NULL,
                               "cannot move the old output folder %s aside: %s", final,
                               strerror(errno));
    if (rename(tmp, final) != 0) {
        const int e = errno;
        (void)rename(old, final); /* put the previous result back rather than lose both */
        return lm_error_set_at(err, LM_EIO, final, 0, 0, NULL,
                               "cannot move the results into %s: %s", final, strerror(e));
    }
    sync_dir(parent);
    release(tmp);
    /* The new result is in place; an old folder that will not go away is only clutter. */
    (void)remove_tree(old);
    return LM_OK;
}

lm_status lm__outdir_commit(const char *tmp, const char *final_dir, bool force, lm_error *err)
{
    if (!tmp || !tmp[0])
        LM_FAIL(err, LM_EINVAL, "no temporary output folder to commit");
    char final[PATH_BUF], parent[PATH_BUF];
    lm_status rc = normalise(final_dir, final, err);
    if (rc != LM_OK)
        return rc;
    parent_of(final, parent);
    sync_dir(tmp); /* the folder's entries reach the disk before it becomes visible */

    struct stat st;
    if (lstat(final, &st) == 0) {
        if (!force)
            return exists_error(final, err);
        if (!S_ISDIR(st.st_mode) || !replaceable(final)) /* appeared since prepare */
            return not_ours_error(final, err);
        return replace(tmp, final, parent, err);
    }
    /* Between the lstat and the rename another process could create an empty `final`, which
     * rename() would silently replace; POSIX has no portable no-replace rename, Linux has
     * RENAME_NOREPLACE. A non-empty one makes rename fail, reported as "already exists". */
    int moved = -1;
#ifdef RENAME_NOREPLACE
    moved = renameat2(AT_FDCWD, tmp, AT_FDCWD, final, RENAME_NOREPLACE);
    if (moved != 0 && (errno == EINVAL || errno == ENOSYS || errno == ENOTSUP))
        moved = rename(tmp, final);
#else
    moved = rename(tmp, final);
#endif
    if (moved != 0) {
        const int e = errno;
        if (e == EEXIST || e == ENOTEMPTY)
            return exists_error(final, err);
        return lm_error_set_at(err, LM_EIO, final, 0, 0, NULL,
                               "cannot move the results into %s: %s", final, strerror(e));
    }
    sync_dir(parent);
    release(tmp);
    return LM_OK;
}

void lm__outdir_abort(const char *tmp)
{
    if (!tmp || !tmp[0])
        return;
    (void)remove_tree(tmp);
    release(tmp);
}

/* ---- the resumable folder of experiments (store.h) ---- */

static bool path_exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

static lm_status in_use(const char *partial, lm_error *err)
{
    return lm_error_set_at(err, LM_EEXIST, partial, 0, 0, NULL,
                           "%s is in use by another longmen job", partial);
}

lm_status lm__outdir_open_partial(const char *final, const char *partial, bool resume,
                                  bool force, const char *what, int *fd, bool *created,
                                  lm_error *err)
{
    *fd = -1;
    if (created)
        *created = false;
    if (path_exists(final) && !force)
        return lm_error_set_at(err, LM_EEXIST, final, 0, 0, NULL,
                               "output folder %s already exists (use --force to replace it)",
                               final);
    if (path_exists(final) && !replaceable(final))
        return not_ours_error(final, err);
    if (path_exists(partial) && !resume) {
        if (!force)
            return lm_error_set_at(err, LM_EEXIST, partial, 0, 0, NULL,
                                   "%s holds an interrupted %s: --resume continues it, "
                                   "--force starts over",
                                   partial, what);
        if (!replaceable(partial))
            return not_ours_error(partial, err);
        const int busy = open(partial, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        const bool locked = busy >= 0 && flock(busy, LOCK_EX | LOCK_NB) != 0;
        if (busy >= 0)
            close(busy);
        if (locked)
            return in_use(partial, err);
        char db[PATH_BUF + 64];
        if (snprintf(db, sizeof db, "%s/results.sqlite", partial) < (int)sizeof db)
            (void)unlink(db);
        lm__outdir_abort(partial);
    }
    if (!path_exists(partial)) {
        if (make_dirs(partial) != 0)
            return lm_error_set_at(err, LM_EIO, partial, 0, 0, NULL, "cannot create folder %s: %s",
                                   partial, strerror(errno));
        write_marker(partial);
        if (created)
            *created = true;
    }
    *fd = open(partial, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (*fd < 0)
        return lm_error_set_at(err, LM_EIO, partial, 0, 0, NULL, "cannot open %s: %s", partial,
                               strerror(errno));
    if (flock(*fd, LOCK_EX | LOCK_NB) != 0) {
        close(*fd);
        *fd = -1;
        return in_use(partial, err);
    }
    return LM_OK;
}
