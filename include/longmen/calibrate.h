/* include/longmen/calibrate.h -- `longmen calibrate` (issue 6): the method of simulated
 * moments. A targets file (YAML) names the free parameters (as --policy edits, with bounds)
 * and the target moments (a named statistic or an SQL query over the results schema, the
 * target value, its sd or weight, a tolerance, a source and a year). The calibration
 * minimises the weighted sum of squared standardised distances between the mean simulated
 * moments and the targets with NLopt: a derivative-free global method on the bounds for most
 * of the budget, then a local polish. Every evaluation simulates R replications with the same
 * seed and run indices (common random numbers), so the objective is a deterministic function
 * of the parameters. src/experiments/calibrate.c, targets.c, moments.c;
 * docs/calibration.md. */
#ifndef LONGMEN_CALIBRATE_H
#define LONGMEN_CALIBRATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "longmen/error.h"
#include "longmen/experiments.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LM_CAL_MAX_PARAMS 32
#define LM_CAL_MAX_TARGETS 256
#define LM_CAL_MAX_BUDGET 100000

/* ---- the targets file (src/experiments/targets.c) ---- */

typedef struct lm_targets lm_targets;

/* Reads and checks a targets file. New on LM_OK (release: lm_targets_free); on failure err
 * names file, line, column and field. Region names are checked against the scenario later
 * (by lm_calibrate). */
LM_API lm_status lm_targets_load(const char *path, lm_targets **out, lm_error *err);
/* Same from a buffer; name stands for the file in error messages. */
LM_API lm_status lm_targets_load_string(const char *text, size_t len, const char *name,
                                        lm_targets **out, lm_error *err);
LM_API void lm_targets_free(lm_targets *t);
LM_API int lm_targets_param_count(const lm_targets *t);
LM_API int lm_targets_target_count(const lm_targets *t);

/* ---- the calibration ---- */

/* Where a calibration stands, after each evaluation (and once before the first). */
typedef struct lm_calibrate_progress {
    int evaluations;  /* done, cached ones included */
    int budget;
    int cached;       /* of which replayed from <DIR>.partial (--resume) */
    const char *stage; /* "global" or "local" */
    double last;      /* objective of the last evaluation (NaN before the first) */
    double best;      /* best so far (NaN before the first) */
    double elapsed_s;
    double eta_s;     /* estimated time left (NaN when unknown) */
} lm_calibrate_progress;

typedef void (*lm_calibrate_progress_fn)(const lm_calibrate_progress *p, void *user);

typedef struct lm_calibrate_config {
    /* job: scenario_path, seed, threads (over replications), out_dir, from/to, force, quiet,
     * stop_flag, max_memory; runs: replications per evaluation; resume. job.progress is not
     * used: see progress below. */
    lm_experiment_config x;
    const char *targets_path;
    int budget; /* evaluations in all, 1 .. LM_CAL_MAX_BUDGET */
    /* false (default): after the search, 2 evaluations per parameter measure the Jacobian at
     * the fitted point for standard errors and identification (beyond the budget) */
    bool no_standard_errors;
    lm_calibrate_progress_fn progress; /* may be NULL */
    void *progress_user;
} lm_calibrate_config;

typedef struct lm_calibrate_result {
    char out_dir[4096];
    int evaluations;   /* objective evaluations (cached ones included) */
    int resumed;       /* evaluations replayed from <DIR>.partial */
    int best_evaluation; /* 1-based */
    double first_objective, best_objective;
    int n_params;
    double best[LM_CAL_MAX_PARAMS]; /* the fitted values */
    double elapsed_s;
    char *summary; /* new: the table printed, as in summary.txt */
} lm_calibrate_result;

/* Fills cfg: lm_experiment_config_init, runs 4, budget 100. */
LM_API void lm_calibrate_config_init(lm_calibrate_config *cfg);

/* Runs the calibration. Folder DIR (default runs/<scenario>-seed<N>-calibrate) holds on
 * LM_OK: results.sqlite (tables calibration, calibration_parameter, calibration_target,
 * calibration_evaluation, calibration_value, calibration_moment, calibration_summary;
 * docs/output.md), trace.csv, moments.csv, summary.txt and calibrated.yaml (an overlay that
 * extends the scenario and sets the fitted values). Every evaluation is committed to
 * <DIR>.partial/results.sqlite as it finishes; on LM_EINTR (stop_flag) or a crash the folder
 * stays and the same call with resume replays them and carries on, ending with the results
 * of an uninterrupted calibration. Errors: the scenario's and the targets file's
 * (file:line:col), LM_EEXIST and LM_EINVAL as lm_experiment_replicate. */
LM_API lm_status lm_calibrate(const lm_calibrate_config *cfg, lm_calibrate_result *res,
                              lm_error *err);
LM_API void lm_calibrate_result_fini(lm_calibrate_result *res);

#ifdef __cplusplus
}
#endif
#endif
