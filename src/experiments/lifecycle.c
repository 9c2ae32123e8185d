/* src/experiments/lifecycle.c -- the life cycle every experiment command shares (lifecycle.h):
 * clock, threads within the memory limit, the out folder's names. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "experiments/experiments_int.h"
#include "experiments/lifecycle.h"
#include "experiments/parallel.h"
#include "io/store.h"
#include "scenario/scenario_int.h"

double lm__now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void lm__utc_now(char *buf, size_t size)
{
    const time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int lm__xp_threads_of(int threads)
{
    if (threads <= 0 && lm__par_threads_default() > 0)
        return lm__par_threads_default(); /* ranks sharing a machine share its cores */
#ifdef _OPENMP
    if (threads <= 0)
        return omp_get_max_threads();
#endif
    return threads > 0 ? threads : 1;
}

lm_status lm__xp_threads(const lm_scenario *sc, const lm_job_config *job, int *threads,
                         uint64_t *limit_each, lm_error *err)
{
    *threads = lm__xp_threads_of(job->threads);
    if (limit_each)
        *limit_each = UINT64_MAX;
    if (job->max_memory == UINT64_MAX)
        return LM_OK;
    const uint64_t limit = job->max_memory ? job->max_memory : lm_job_default_max_memory();
    const lm_status st = lm_job_check_memory(sc, limit, err);
    if (st != LM_OK)
        return st;
    /* each simulation running at once needs its own memory */
    const uint64_t one = lm_job_estimate_memory(sc, NULL);
    if (one > 0 && (uint64_t)*threads * one > limit)
        *threads = (int)(limit / one) > 0 ? (int)(limit / one) : 1;
    if (limit_each)
        *limit_each = limit / (uint64_t)*threads;
    return LM_OK;
}

lm_status lm__xp_folder(const lm_job_config *job, const lm_scenario *sc, const char *fallback,
                        uint64_t seed, const char *suffix, char final[LM_XP_PATH],
                        char partial[LM_XP_PATH + 16], char db[LM_XP_PATH + 32], lm_error *err)
{
    if (job->out_dir) {
        size_t n = strlen(job->out_dir);
        while (n > 1 && job->out_dir[n - 1] == '/')
            --n;
        if (n == 0 || n >= LM_XP_PATH - 64)
            LM_FAIL(err, LM_EINVAL, "--out: path empty or too long");
        snprintf(final, LM_XP_PATH, "%.*s", (int)n, job->out_dir);
    } else {
        char name[128];
        lm__folder_safe(name, sizeof name, lm_scenario_name(sc), fallback);
        snprintf(final, LM_XP_PATH, "runs/%s-seed%llu%s", name, (unsigned long long)seed,
                 suffix);
    }
    snprintf(partial, LM_XP_PATH + 16, "%s.partial", final);
    snprintf(db, LM_XP_PATH + 32, "%s/results.sqlite", partial);
    return LM_OK;
}

lm_status lm__xp_dir_open(lm__xp_dir *d, const lm_job_config *job, const lm_scenario *sc,
                          const char *fallback, uint64_t seed, const char *suffix, bool resume,
                          const char *what, lm_error *err)
{
    *d = (lm__xp_dir){.lock = -1};
    lm_status st =
        lm__xp_folder(job, sc, fallback, seed, suffix, d->final, d->partial, d->db, err);
    if (st == LM_OK && lm__par_rank() == 0)
        st = lm__outdir_open_partial(d->final, d->partial, resume, job->force, what, &d->lock,
                                     &d->created, err);
    return st;
}

lm_status lm__xp_dir_open_once(lm__xp_dir *d, const lm_job_config *job, const lm_scenario *sc,
                               const char *fallback, uint64_t seed, lm_error *err)
{
    *d = (lm__xp_dir){.lock = -1, .once = true};
    lm_status st = lm__xp_folder(job, sc, fallback, seed, "", d->final, d->partial, d->db, err);
    if (st == LM_OK)
        st = lm__outdir_prepare(d->final, job->force, d->partial, sizeof d->partial, err);
    d->created = st == LM_OK;
    snprintf(d->db, sizeof d->db, "%s/results.sqlite", d->partial);
    return st;
}

/* An error raised while writing into a temporary folder names a path the user never typed
 * and that is about to vanish: say the results folder instead ("runs/x/results.sqlite:
 * database or disk is full"). */
static void name_final(lm_error *err, const char *tmp, const char *final)
{
    char *fields[] = {err->file, err->message};
    const size_t sizes[] = {sizeof err->file, sizeof err->message};
    const size_t n = strlen(tmp);
    for (size_t k = 0; k < 2; ++k) {
        char *at = n ? strstr(fields[k], tmp) : NULL;
        if (!at)
            continue;
        char rest[sizeof err->message];
        snprintf(rest, sizeof rest, "%s", at + n);
        snprintf(at, sizes[k] - (size_t)(at - fields[k]), "%s%s", final, rest);
    }
}

lm_status lm__xp_dir_close(lm__xp_dir *d, lm_status st, bool kept, const lm_job_config *job,
                           lm_error *err)
{
    if (st == LM_OK && lm__par_rank() == 0)
        st = lm__outdir_commit(d->partial, d->final, job->force, err);
    if (d->lock >= 0)
        close(d->lock);
    d->lock = -1;
    if (d->once) {
        if (st != LM_OK && d->created) {
            if (err)
                name_final(err, d->partial, d->final);
            lm__outdir_abort(d->partial);
        }
        return st;
    }
    st = lm__par_agree(st, err);
    if (st != LM_OK && st != LM_EINTR && d->created && !kept && lm__par_rank() == 0)
        lm__outdir_abort(d->partial);
    return st;
}

lm_status lm__xp_end(lm_experiment_result *res, lm_status st, lm_error *err)
{
    if (st != LM_OK) {
        const lm_error keep = *err;
        lm_experiment_result_fini(res);
        *err = keep;
    }
    return st;
}

lm_status lm__xp_load(const lm_job_config *job, const char *path, const lm_scenario_edits *edits,
                      lm_scenario **out, lm_error *err)
{
    if (!path)
        path = job->scenario_path ? job->scenario_path : lm_default_scenario_path();
    *out = NULL;
    const volatile sig_atomic_t *watched = lm__scenario_watch_stop(job->stop_flag);
    lm_status st = edits ? lm_scenario_load_edited(path, edits, out, err)
                         : lm_scenario_load(path, out, err);
    lm__scenario_watch_stop(watched);
    if (st == LM_OK)
        st = lm__experiment_narrow(*out, job, err);
    if (st != LM_OK) {
        lm_scenario_free(*out);
        *out = NULL;
    }
    return st;
}
