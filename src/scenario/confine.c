/* src/scenario/confine.c -- the loader's file policy (confine.h): opening without blocking,
 * and, under `longmen serve`, only regular scenario files inside the served folders. The
 * folders are fixed before the server's threads start and only read afterwards, so a plain
 * static needs no lock. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "scenario/confine.h"

static struct {
    bool on;
    char roots[2][PATH_MAX];
    char copies[PATH_MAX]; /* realpath of the edited copies' folder, "" when none */
    char origin[PATH_MAX]; /* the scenarios folder as given, for their extends */
} policy;

static bool real_dir(const char *dir, char out[PATH_MAX], lm_error *err)
{
    if (realpath(dir, out))
        return true;
    lm_error_set_at(err, LM_EIO, dir, 0, 0, "", "cannot resolve the folder: %s",
                    strerror(errno));
    return false;
}

lm_status lm__scenario_confine(const char *scenarios_dir, const char *runs_dir,
                               const char *copies_dir, lm_error *err)
{
    memset(&policy, 0, sizeof policy);
    /* A scenarios folder that does not exist serves nothing; the runs folder must exist. */
    if (!realpath(scenarios_dir, policy.roots[0]))
        policy.roots[0][0] = '\0';
    if (!real_dir(runs_dir, policy.roots[1], err))
        return err->code;
    if (copies_dir) {
        /* The copies folder may not exist yet: resolve its parent, then append its name. */
        const char *slash = strrchr(copies_dir, '/');
        char parent[PATH_MAX];
        snprintf(parent, sizeof parent, "%.*s", slash ? (int)(slash - copies_dir) : 1,
                 slash ? copies_dir : ".");
        char rp[PATH_MAX];
        if (!real_dir(slash == copies_dir ? "/" : parent, rp, err))
            return err->code;
        if (snprintf(policy.copies, sizeof policy.copies, "%s/%s", strcmp(rp, "/") ? rp : "",
                     slash ? slash + 1 : copies_dir) >= (int)sizeof policy.copies)
            LM_FAIL(err, LM_EINVAL, "%s: path too long", copies_dir);
    }
    if (snprintf(policy.origin, sizeof policy.origin, "%s", scenarios_dir) >=
        (int)sizeof policy.origin - 1)
        LM_FAIL(err, LM_EINVAL, "%s: path too long", scenarios_dir);
    policy.on = true;
    lm_error_clear(err);
    return LM_OK;
}

void lm__scenario_unconfine(void) { memset(&policy, 0, sizeof policy); }

bool lm__scenario_confined(void) { return policy.on; }

static bool inside(const char *rp, const char *root)
{
    const size_t n = strlen(root);
    if (n == 0)
        return false;
    if (strncmp(rp, root, n) != 0)
        return false;
    return rp[n] == '/' || (n == 1 && root[0] == '/');
}

static bool scenario_name(const char *rp)
{
    const size_t n = strlen(rp);
    return (n > 5 && strcmp(rp + n - 5, ".yaml") == 0) ||
           (n > 4 && strcmp(rp + n - 4, ".yml") == 0);
}

int lm__scenario_open(const char *path, int *errnum)
{
    const int flags = O_RDONLY | O_NONBLOCK | O_CLOEXEC;
    if (!policy.on) {
        const int fd = open(path, flags);
        *errnum = fd < 0 ? errno : 0;
        return fd;
    }
    /* Whatever goes wrong, the answer is the same: it must not tell which files exist. */
    *errnum = LM__NOT_SERVED;
    char rp[PATH_MAX];
    if (!realpath(path, rp) || !scenario_name(rp) ||
        !(inside(rp, policy.roots[0]) || inside(rp, policy.roots[1])))
        return -1;
    /* rp has no links left; O_NOFOLLOW refuses one swapped in since. */
    const int fd = open(rp, flags | O_NOFOLLOW);
    struct stat sb;
    if (fd < 0 || fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    *errnum = 0;
    return fd;
}

bool lm__scenario_extends_dir(const char *file, char *out, size_t size)
{
    const char *slash = strrchr(file, '/');
    const size_t dir = slash ? (size_t)(slash - file) + 1 : 0;
    if (policy.on && policy.copies[0] && dir > 0) {
        char d[PATH_MAX], rp[PATH_MAX];
        snprintf(d, sizeof d, "%.*s", (int)dir, file);
        if (realpath(d, rp) && strcmp(rp, policy.copies) == 0)
            return snprintf(out, size, "%s/", policy.origin) < (int)size;
    }
    return snprintf(out, size, "%.*s", (int)dir, file) < (int)size;
}
