/* tests/unit/io/test_leftovers.c -- what a killed run leaves beside its results folder, and
 * how the next run tidies it (src/io/outdir.c, docs/reliability.md): a `<final>.tmp-<pid>`
 * of a dead process goes; one whose process lives, or whose lock is held, stays; a
 * `<final>.old-<pid>` (the previous result, set aside by a replace that never finished) is
 * put back when `<final>` is missing and removed when it is not; other names are left alone.
 * A live run holds a lock on its temporary folder that another process cannot take. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "io/store.h"

static char root[64];

static void setup(void)
{
    snprintf(root, sizeof root, "/tmp/lm_leftovers_XXXXXX");
    cr_assert_not_null(mkdtemp(root), "mkdtemp: %s", strerror(errno));
}

static void teardown(void) { lm__outdir_abort(root); }

TestSuite(leftovers, .init = setup, .fini = teardown);

/* The pid of a process that has just ended. */
static long dead_pid(void)
{
    const pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0)
        _exit(0);
    int status;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    return (long)pid;
}

static void path_in(char *buf, size_t size, const char *fmt, long pid)
{
    char name[128];
    snprintf(name, sizeof name, fmt, pid);
    snprintf(buf, size, "%s/%s", root, name);
}

/* A folder holding one file, as a killed run leaves it, and the marker that every results
 * folder carries from its creation (outdir.c). */
static void make_result(const char *dir, const char *text)
{
    cr_assert_eq(mkdir(dir, 0755), 0, "mkdir %s: %s", dir, strerror(errno));
    char file[512];
    snprintf(file, sizeof file, "%s/.longmen-results", dir);
    FILE *marker = fopen(file, "w");
    cr_assert_not_null(marker);
    fclose(marker);
    snprintf(file, sizeof file, "%s/results.sqlite", dir);
    FILE *f = fopen(file, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
}

static bool exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

static bool holds(const char *dir, const char *text)
{
    char file[512], buf[64] = "";
    snprintf(file, sizeof file, "%s/results.sqlite", dir);
    FILE *f = fopen(file, "r");
    if (!f)
        return false;
    const bool ok = fgets(buf, sizeof buf, f) && strcmp(buf, text) == 0;
    fclose(f);
    return ok;
}

/* prepare + abort of final: what the next run does before it writes anything. */
static void next_run(const char *final, bool force, lm_status want)
{
    char tmp[4096];
    lm_error err;
    cr_assert_eq(lm__outdir_prepare(final, force, tmp, sizeof tmp, &err), want, "%s",
                 err.message);
    lm__outdir_abort(tmp);
}

Test(leftovers, a_dead_runs_temporary_folder_goes)
{
    char final[256], left[256];
    path_in(final, sizeof final, "x", 0);
    path_in(left, sizeof left, "x.tmp-%ld", dead_pid());
    make_result(left, "half");
    next_run(final, false, LM_OK);
    cr_assert(!exists(left), "%s was left", left);
    cr_assert(!exists(final));
}

Test(leftovers, a_live_processs_folder_stays)
{
    char final[256], left[256];
    path_in(final, sizeof final, "x", 0);
    path_in(left, sizeof left, "x.tmp-%ld", (long)getppid());
    make_result(left, "theirs");
    next_run(final, false, LM_OK);
    cr_assert(holds(left, "theirs"), "a live process's folder was touched");
}

Test(leftovers, a_locked_folder_stays_whatever_its_pid)
{
    /* Another pid namespace: the pid looks dead here, the lock tells the truth. */
    char final[256], left[256];
    path_in(final, sizeof final, "x", 0);
    path_in(left, sizeof left, "x.tmp-%ld", dead_pid());
    make_result(left, "running");
    const int fd = open(left, O_RDONLY | O_DIRECTORY);
    cr_assert_geq(fd, 0);
    cr_assert_eq(flock(fd, LOCK_EX | LOCK_NB), 0);
    next_run(final, false, LM_OK);
    cr_assert(holds(left, "running"), "a locked folder was removed");
    close(fd);
    next_run(final, false, LM_OK);
    cr_assert(!exists(left), "once unlocked it goes");
}

Test(leftovers, an_unfinished_replace_puts_the_previous_result_back)
{
    char final[256], old[256], left[256];
    const long pid = dead_pid();
    path_in(final, sizeof final, "x", 0);
    path_in(old, sizeof old, "x.old-%ld", pid);
    path_in(left, sizeof left, "x.tmp-%ld", pid);
    make_result(old, "previous");
    make_result(left, "new, complete but never moved in");
    /* The folder is back, so a run without --force is refused as for any result. */
    next_run(final, false, LM_EEXIST);
    cr_assert(holds(final, "previous"));
    cr_assert(!exists(old));
    cr_assert(!exists(left));
}

Test(leftovers, a_finished_replaces_old_copy_goes)
{
    char final[256], old[256];
    path_in(final, sizeof final, "x", 0);
    path_in(old, sizeof old, "x.old-%ld", dead_pid());
    make_result(final, "current");
    make_result(old, "previous");
    next_run(final, true, LM_OK);
    cr_assert(holds(final, "current"));
    cr_assert(!exists(old));
}

Test(leftovers, other_names_are_left_alone)
{
    const long pid = dead_pid();
    const char *const names[] = {"x.tmp-", "x.tmp-12ab", "xy.tmp-%ld", "y.tmp-%ld",
                                 "x.tmp-%ld.keep", "x.bak-%ld", "x.tmp-1234567890123"};
    char final[256], path[256];
    path_in(final, sizeof final, "x", 0);
    for (size_t i = 0; i < sizeof names / sizeof names[0]; ++i) {
        path_in(path, sizeof path, names[i], pid);
        make_result(path, "keep");
    }
    next_run(final, false, LM_OK);
    for (size_t i = 0; i < sizeof names / sizeof names[0]; ++i) {
        path_in(path, sizeof path, names[i], pid);
        cr_assert(holds(path, "keep"), "%s was touched", path);
    }
}

Test(leftovers, a_live_run_holds_its_lock)
{
    char final[256], tmp[4096];
    path_in(final, sizeof final, "x", 0);
    lm_error err;
    cr_assert_eq(lm__outdir_prepare(final, false, tmp, sizeof tmp, &err), LM_OK, "%s",
                 err.message);
    const pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        const int fd = open(tmp, O_RDONLY | O_DIRECTORY);
        _exit(fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK ? 0 : 1);
    }
    int status;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0,
              "another process could take the lock of a live run's folder");
    cr_assert_eq(lm__outdir_commit(tmp, final, false, &err), LM_OK, "%s", err.message);
    cr_assert(exists(final));
}
