/* src/experiments/lifecycle.h -- what every job command (run, run --runs, compare, sweep,
 * sensitivity, calibrate, optimise) does around its simulations, in one place so they cannot
 * drift apart: the clock, loading the scenario, the thread and memory policy, the names of
 * the out folder (DIR, a run's DIR.tmp-<pid> or a resumable DIR.partial, its results.sqlite;
 * the lock: lm__outdir_open_partial, io/store.h) and the end of a failed job. Ctrl-C is the
 * caller's stop_flag (lm_job_config). */
#ifndef LM_EXPERIMENTS_LIFECYCLE_H
#define LM_EXPERIMENTS_LIFECYCLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "longmen/experiments.h"
#include "longmen/job.h"
#include "longmen/longmen.h"

/* Longest out folder the experiments take, in bytes. */
#define LM_XP_PATH 4096

/* Seconds on a monotonic clock: for elapsed times only. */
double lm__now_s(void);

/* The wall-clock time in UTC, "YYYY-MM-DDTHH:MM:SSZ", for the run table's started_at. */
void lm__utc_now(char *buf, size_t size);

/* Whether Ctrl-C (the job's stop_flag) asked the job to stop. */
static inline bool lm__stop_requested(const lm_job_config *cfg)
{
    return cfg->stop_flag && *cfg->stop_flag;
}

/* The threads of `threads` (--threads): itself when positive, else the cores this process
 * may use (MPI ranks sharing a machine share them; else OpenMP's default). */
int lm__xp_threads_of(int threads);

/* How many simulations run at once: --threads (lm__xp_threads_of), capped so that that many
 * fit the memory limit (--max-memory; 0: the default, UINT64_MAX: none), after checking that
 * one run fits at all (LM_ENOMEM, with the estimate). *limit_each (may be NULL) receives each
 * simulation's share of the limit, UINT64_MAX when there is none. */
lm_status lm__xp_threads(const lm_scenario *sc, const lm_job_config *job, int *threads,
                         uint64_t *limit_each, lm_error *err);

/* The out folder's names: final is --out without trailing slashes, or
 * runs/<scenario>-seed<seed><suffix> (the scenario's name made folder-safe, fallback when
 * empty); partial is final.partial and db partial/results.sqlite. LM_EINVAL when --out is
 * empty or too long. */
lm_status lm__xp_folder(const lm_job_config *job, const lm_scenario *sc, const char *fallback,
                        uint64_t seed, const char *suffix, char final[LM_XP_PATH],
                        char partial[LM_XP_PATH + 16], char db[LM_XP_PATH + 32], lm_error *err);

/* The out folder of a job: DIR, the DIR.partial it works in, DIR.partial/results.sqlite,
 * and rank 0's lock on DIR.partial. */
typedef struct lm__xp_dir {
    char final[LM_XP_PATH], partial[LM_XP_PATH + 16], db[LM_XP_PATH + 32];
    int lock;     /* -1: none */
    bool created; /* DIR.partial was made by this job */
    bool once;    /* lm__xp_dir_open_once's */
} lm__xp_dir;

/* Names the folder (lm__xp_folder) and on rank 0 opens DIR.partial (lm__outdir_open_partial:
 * resume, --force, `what` it holds for the messages). Not collective: the caller agrees on
 * the status. d->lock is -1 unless locked. */
lm_status lm__xp_dir_open(lm__xp_dir *d, const lm_job_config *job, const lm_scenario *sc,
                          const char *fallback, uint64_t seed, const char *suffix, bool resume,
                          const char *what, lm_error *err);

/* The folder of a job that cannot resume (run without --runs): the same names, but the job
 * works in a fresh DIR.tmp-<pid> (lm__outdir_prepare, which tidies what dead runs left
 * there), named in d->partial. Its close removes it on any failure, an interrupt included,
 * says DIR in an error that names it, and is not collective: rank 0 runs such a job alone. */
lm_status lm__xp_dir_open_once(lm__xp_dir *d, const lm_job_config *job, const lm_scenario *sc,
                               const char *fallback, uint64_t seed, lm_error *err);

/* The end of every job, collective: with st LM_OK rank 0 renames DIR.partial to DIR; the
 * lock is released; every rank returns the agreed status. A job that failed (not
 * interrupted) leaves no trace of a DIR.partial it made, unless kept (it holds results a
 * --resume would use). */
lm_status lm__xp_dir_close(lm__xp_dir *d, lm_status st, bool kept, const lm_job_config *job,
                           lm_error *err);

/* The scenario a job runs: path (NULL: --scenario, else lm_default_scenario_path()) with
 * edits (NULL: none), its period narrowed to --from/--to. Ctrl-C stops the loading too. *out
 * is NULL unless LM_OK. */
lm_status lm__xp_load(const lm_job_config *job, const char *path, const lm_scenario_edits *edits,
                      lm_scenario **out, lm_error *err);

/* The end of an experiment: on failure its result is freed (lm_experiment_result_fini) and
 * err, which the freeing keeps, says why. Returns st. */
lm_status lm__xp_end(lm_experiment_result *res, lm_status st, lm_error *err);

#endif
