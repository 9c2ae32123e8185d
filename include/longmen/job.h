/* include/longmen/job.h -- one complete run, as `longmen run` does it: load a scenario,
 * narrow its period, simulate it month by month, write the results folder crash-safely.
 * The orchestration lives in the library, not the CLI, so the server and the experiment
 * drivers of later issues run exactly the same job. src/experiments/job.c.
 *
 * The results folder holds results.sqlite (docs/output.md) and summary.txt (the table
 * lm_job_result.summary holds). It appears complete or not at all: it is written into a
 * temporary sibling and renamed into place at the end (src/io/outdir.c). */
#ifndef LONGMEN_JOB_H
#define LONGMEN_JOB_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "longmen/error.h"
#include "longmen/progress.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Called once before the first month and after every month. Must be quick: it runs on the
 * simulation's thread between months. */
typedef void (*lm_job_progress_fn)(const lm_progress *p, void *user);

typedef struct lm_job_config {
    const char *scenario_path; /* NULL: lm_default_scenario_path() */
    uint64_t seed;             /* used when has_seed; else the scenario's seed */
    bool has_seed;
    int threads;         /* OpenMP threads; 0 = OpenMP's default. Results don't vary. */
    const char *out_dir; /* NULL: runs/<scenario name>-seed<N> (relative to the cwd) */
    int32_t from, to;    /* months (year*12 + month-1), used when has_from / has_to */
    bool has_from, has_to;
    bool force;                  /* replace an existing out_dir */
    bool quiet;                  /* no progress callbacks */
    lm_job_progress_fn progress; /* may be NULL */
    void *progress_user;
    /* Polled between months; when it holds a non-zero value the run stops after the current
     * month, removes its temporary folder and fails with LM_EINTR. Set it from a signal
     * handler. May be NULL. */
    volatile sig_atomic_t *stop_flag;
} lm_job_config;

typedef struct lm_job_result {
    char out_dir[4096];             /* the results folder, as given or defaulted */
    char scenario[64];              /* the scenario's name */
    uint64_t seed;                  /* the seed used */
    int months;                     /* months simulated */
    size_t firms_alive, firms_ever; /* at the end */
    double elapsed_s;               /* wall time of the whole job */
    char *summary;                  /* new: the summary table, exactly as in summary.txt */
} lm_job_result;

/* Fills cfg with the defaults (everything off or NULL, threads 0). */
LM_API void lm_job_config_init(lm_job_config *cfg);

/* Runs the job. On LM_OK res is filled (release: lm_job_result_fini) and the results
 * folder exists. On failure res is zeroed, err says why, and no results folder and no
 * temporary folder is left behind: a scenario that does not load creates nothing at all.
 * Errors: whatever loading, narrowing (LM_EINVAL), simulating or writing reports; LM_EEXIST
 * when out_dir exists and !force; LM_EINTR when *stop_flag was raised. */
LM_API lm_status lm_job_run(const lm_job_config *cfg, lm_job_result *res, lm_error *err);

/* Frees what res owns and zeroes it. NULL is a no-op. */
LM_API void lm_job_result_fini(lm_job_result *res);

/* The default scenario: "scenarios/three-capitals.yaml" when it exists under the current
 * directory, else the copy in the source tree longmen was built from. Borrowed, static. */
LM_API const char *lm_default_scenario_path(void);

#ifdef __cplusplus
}
#endif
#endif
