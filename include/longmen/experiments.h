/* include/longmen/experiments.h -- experiments over many runs (issue 7): R replications of a
 * scenario (`longmen run --runs R`) and, built on the same engine, a baseline against a
 * counterfactual with common random numbers (`longmen compare`), and a design of points over
 * parameters (`longmen sweep`). src/experiments/replicate.c, compare.c and sweep.c; how
 * replications, seeds and intervals work: docs/experiments.md.
 *
 * Replication i (0 .. R-1) of an arm simulates with the base seed and run index i
 * (lm_sim_config.run keys every random stream), so replications are independent streams,
 * replication 0 is exactly what a single `longmen run` simulates, and a replication's result
 * depends neither on R nor on the number of threads. Replications run in parallel (OpenMP
 * over replications, each simulation single-threaded); every finished replication is added
 * to DIR.partial/results.sqlite in its own durable transaction (run_id = arm * R + i + 1), so
 * an interrupted job keeps complete replications only, and `resume` carries on from them.
 * When all are done, summary.txt, report.html and headline.svg are written and DIR.partial
 * is renamed to DIR. */
#ifndef LONGMEN_EXPERIMENTS_H
#define LONGMEN_EXPERIMENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "longmen/error.h"
#include "longmen/job.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The highest --runs accepted. */
#define LM_MAX_RUNS 10000
/* Replications per arm that keep every firm and deal row by default (--detail): one for
 * `run --runs` (firm tables and survival curves of the report), none for compare, whose
 * question is answered by the summaries. A whole replication of the default scenario is
 * about 140 MB to 2030 and a brief one 5 MB, so a 10-replication compare to 2030 writes about
 * 110 MB brief and 370 MB with one whole replication per arm. */
#define LM_DETAIL_DEFAULT 1
#define LM_DETAIL_COMPARE_DEFAULT 0
#define LM_DETAIL_ALL LM_MAX_RUNS

/* Counterfactual edits of a scenario; see lm_scenario_load_edited below. */
typedef struct lm_scenario_edits {
    const char *const *set;
    int n_set;
    const char *const *adopt;
    int n_adopt;
    const char *const *add; /* "X:Y.KIND[@YYYY-MM]": Y's policy added beside X's own */
    int n_add;
} lm_scenario_edits;

/* A target on one cell of the compare table: metric "REGION.METRIC" (REGION a region's name
 * or name_en, or "total"; METRIC dragons, high_tech, jobs, pool_tvpi or public_cny) and the
 * half-width of the 90% interval of its mean paired difference, in the metric's units
 * (public_cny in CNY). For sample sizes (lm_experiment_config.halfwidth) "METRIC" alone
 * names the metric in every region. */
typedef struct lm_precision_target {
    const char *metric;
    double halfwidth;
} lm_precision_target;

typedef struct lm_experiment_config {
    /* scenario_path, seed, threads, out_dir, from/to, force, quiet, progress (months over all
     * replications; firms alive of the replication that reported), stop_flag, max_memory
     * (per replication; fewer replications run at once when several would not fit). */
    lm_job_config job;
    int runs;    /* replications per arm, 1 .. LM_MAX_RUNS */
    bool resume; /* keep the replications DIR.partial holds and run only the others */
    /* Replications per arm (run index 0 .. detail-1) that keep every firm and deal row; the
     * others are brief (lm_run_info.brief): per-firm rows are most of a replication's cost
     * and disk (docs/performance.md), and no table of the summaries needs them. 0 .. LM_MAX_RUNS
     * (LM_DETAIL_ALL: every one); default LM_DETAIL_DEFAULT. */
    int detail;
    /* compare, sweep (per point), optimise (per mix, include/longmen/optimise.h). Precision
     * targets (NULL/0: none): runs is the first batch and the step;
     * after each batch the job stops when every target's 90% half-width is at most its
     * value, or at max_runs (runs .. LM_MAX_RUNS). The result is the one of runs = the final
     * count: the same replications, run ids and tables. One process only (no MPI). */
    const lm_precision_target *precision;
    int n_precision;
    int max_runs;
    /* compare only: half-widths for which the summary reports the pairs needed (the
     * precision targets count too); metrics not named get a default (docs/experiments.md). */
    const lm_precision_target *halfwidth;
    int n_halfwidth;
} lm_experiment_config;

typedef struct lm_experiment_result {
    char out_dir[4096];
    char scenario[64];
    uint64_t seed;
    int runs;         /* replications per arm */
    int n_arms;       /* 1 for run, 2 for compare */
    int runs_resumed; /* replications found complete in DIR.partial and not run again */
    double elapsed_s;
    char *summary;    /* new: the table printed, exactly as in summary.txt */
} lm_experiment_result;

/* Fills cfg with the defaults of lm_job_config_init and runs = 1. */
LM_API void lm_experiment_config_init(lm_experiment_config *cfg);

/* `longmen run --runs R`. On LM_OK the folder DIR holds results.sqlite with run_id 1..R,
 * summary.txt (per region: mean and 90% t-interval of the mean of firms alive, births,
 * dragons, high-tech enterprises and revenue), report.html and headline.svg. On LM_EINTR
 * (stop_flag) DIR.partial keeps the finished replications and err says how to resume.
 * LM_EEXIST when DIR exists and !force, or when DIR.partial exists and neither resume nor
 * force; LM_EINVAL when resume finds replications of another scenario, seed or period. */
LM_API lm_status lm_experiment_replicate(const lm_experiment_config *cfg,
                                         lm_experiment_result *res, lm_error *err);

/* `longmen compare`: arm "baseline" (the scenario as it is) and arm "counterfactual" (with
 * edits), R replications each with the same seed and run indices (common random numbers):
 * run_id 1..R are the baseline, R+1..2R the counterfactual (run.arm says which). The table
 * (summary.txt, also compare.csv) gives per region the mean paired difference
 * counterfactual - baseline with its 90% t-interval for dragons, high-tech enterprises, jobs,
 * the TVPI of policy funds and public money spent, and the public money per extra dragon;
 * marks the differences that stay distinguishable from zero after Holm's correction over all
 * cells (paired t-tests, family-wise 10%); and per cell the correlation of the arms, the
 * paired and one-arm SDs and the pairs a half-width needs. With cfg->precision, replications
 * are added in batches until the targets are met (lm_experiment_config).
 * Edits are checked before anything runs (errors as lm_scenario_load_edited's). Folder,
 * resume and interruption as lm_experiment_replicate; default folder
 * runs/<name>-seed<N>-compare. */
LM_API lm_status lm_experiment_compare(const lm_experiment_config *cfg,
                                       const lm_scenario_edits *edits,
                                       lm_experiment_result *res, lm_error *err);

/* Frees what res owns and zeroes it. NULL is a no-op. */
LM_API void lm_experiment_result_fini(lm_experiment_result *res);

/* ---- counterfactual edits (src/scenario/edits.c) ---- */

/* Edits of a scenario, applied to its parsed YAML after extends: is merged and before the
 * loader reads it, so an edited value is checked like a value in the file and a bad one is
 * reported as file:line:col: field: message at the node it replaces (or, for a new key, at
 * its mapping). Adoptions apply first, then sets.
 *   set[i]   "REGION.KIND.FIELD=VALUE": the first policy of that kind in the region
 *                                        (region by name or name_en, kind e.g. st_fund);
 *            "REGION.FIELD=VALUE":       a region key (REGION.a.b=V for nested mappings);
 *            "params.GROUP.FIELD=VALUE": a global parameter.
 *   adopt[i] "X:Y.KIND": region Y's first policy of that kind, all its keys and dates,
 *            copied into X, replacing X's first policy of that kind or appended.
 *            "X:Y.KIND@YYYY-MM": the copy starts that month and has no end.
 *   add[i]   "X:Y.KIND[@YYYY-MM]": as adopt, but appended beside X's own policies (X keeps
 *            its policy of that kind). Adoptions apply first, then additions, then sets. */
/* lm_scenario_edits: declared above lm_experiment_config. */
/* lm_scenario_load with edits (NULL: none). With edits, lm_scenario_text() ends with a YAML
 * comment listing them, so run.scenario_yaml tells the arms apart. */
LM_API lm_status lm_scenario_load_edited(const char *path, const lm_scenario_edits *edits,
                                         lm_scenario **out, lm_error *err);

/* ---- parameter sweeps (src/experiments/sweep.c; `longmen sweep`) ---- */

#define LM_SWEEP_MAX_PARAMS 16     /* parameters of one sweep */
#define LM_SWEEP_MAX_POINTS 10000  /* points of one sweep */
#define LM_SWEEP_MAX_TOTAL 100000  /* points x replications */

typedef enum lm_sweep_design { LM_SWEEP_GRID, LM_SWEEP_SOBOL } lm_sweep_design;

/* One swept parameter: NAME as a --policy edit's left side (REGION.KIND.FIELD, REGION.FIELD,
 * params.GROUP.FIELD), values in [lo, hi]; steps (grid only, >= 1) evenly spaced values,
 * endpoints included (steps 1: lo). */
typedef struct lm_sweep_param {
    const char *name;
    double lo, hi;
    int steps;
} lm_sweep_param;

typedef struct lm_sweep_config {
    const lm_sweep_param *params;
    int n_params;           /* 1 .. LM_SWEEP_MAX_PARAMS */
    lm_sweep_design design;
    int points;             /* Sobol: number of points */
} lm_sweep_config;

/* The design: *values (malloc'd, n_points x n_params, row-major; free it) holds every point's
 * values. Grid: all combinations, the last parameter varying fastest. Sobol: the first
 * `points` points of GSL's gsl_qrng_sobol sequence in n_params dimensions, each coordinate q
 * scaled to lo + q (hi - lo). A value is rounded to 15 significant digits, the text the
 * simulation reads (so the stored value is the simulated one). */
LM_API lm_status lm_sweep_design_points(const lm_sweep_config *sw, double **values,
                                        int *n_points, lm_error *err);

/* `longmen sweep`: every point of the design is an arm ("point K", K = 1..n) with the edits
 * NAME=VALUE, R replications each with the same seed and run indices (common random numbers
 * across points): point K's replication i is run_id (K-1) R + i + 1. results.sqlite also
 * holds sweep_point and sweep_value (docs/output.md); sweep.csv one row per point (parameter
 * values, per region and in total mean and 90% interval of dragons, high-tech, firms alive,
 * jobs, public money); summary.txt the headline table. Folder, resume and interruption as
 * lm_experiment_replicate; default folder runs/<name>-seed<N>-sweep. With cfg->precision
 * (REGION.METRIC, METRIC dragons, high_tech, firms_alive, jobs or public_cny), batches of
 * runs are added until every point's 90% interval of the mean meets every target. */
LM_API lm_status lm_experiment_sweep(const lm_experiment_config *cfg, const lm_sweep_config *sw,
                                     lm_experiment_result *res, lm_error *err);

/* ---- statistics (replicate.c) ---- */

/* Mean of x[0..n-1] and the two-sided 90% t-interval of the mean, mean -+ t(0.95, n-1) s/sqrt(n)
 * (s the sample standard deviation). NaN entries are skipped; *used receives the count used
 * (may be NULL). With fewer than two values lo = hi = mean (NaN for none). */
LM_API double lm_stats_mean_ci90(const double *x, size_t n, double *lo, double *hi,
                                 size_t *used);

#ifdef __cplusplus
}
#endif
#endif
