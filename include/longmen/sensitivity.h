/* include/longmen/sensitivity.h -- global sensitivity analysis (issue 7, `longmen
 * sensitivity`): Sobol first-order and total indices of chosen outputs to chosen scenario
 * parameters, by Saltelli's design and estimators (Saltelli et al. 2010), with bootstrap
 * intervals. A params file names the parameters (as `compare --policy` edits, each with a
 * range) and the outputs (headline metrics per region or in total). Every point of the
 * design is an arm of the replication engine (include/longmen/experiments.h), so folders,
 * --resume, Ctrl-C, parallelism and common random numbers work as for `sweep`.
 * src/scenario/sens_params.c (the file), src/experiments/sensitivity.c (design, estimators,
 * the experiment), src/experiments/sensitivity_svg.c (the figure); docs/experiments.md. */
#ifndef LONGMEN_SENSITIVITY_H
#define LONGMEN_SENSITIVITY_H

#include <stddef.h>
#include <stdint.h>

#include "longmen/error.h"
#include "longmen/experiments.h"
#include "longmen/metrics.h"

#ifdef __cplusplus
extern "C" {
#endif

/* GSL's Sobol sequence has at most 40 dimensions; the design needs 2d. */
#define LM_SENS_MAX_PARAMS 20
#define LM_SENS_MAX_OUTPUTS 32
#define LM_SENS_MAX_POINTS 20000 /* N (d + 2) */
#define LM_SENS_MAX_BOOTSTRAP 100000

/* The outputs a params file may name: the metrics of longmen/metrics.h, by their word (or
 * name, or alias); lm_metric_word gives the word its tables report. */
typedef lm_metric lm_sens_metric;

/* One parameter: NAME as a --policy edit's left side, values in [lo, hi] (lo < hi). line and
 * column: where the entry is in the params file (errors about it point there). */
typedef struct lm_sens_param {
    char name[256];
    double lo, hi;
    int line, column;
} lm_sens_param;

/* One output: a metric of a region (name or name_en as in the scenario) or of the total
 * over regions (region ""). */
typedef struct lm_sens_output {
    lm_sens_metric metric;
    char region[64];
    int line, column;
} lm_sens_output;

/* A params file, read. */
typedef struct lm_sens_spec {
    char file[256]; /* as named, for errors */
    lm_sens_param params[LM_SENS_MAX_PARAMS];
    int n_params;
    lm_sens_output outputs[LM_SENS_MAX_OUTPUTS];
    int n_outputs;
} lm_sens_spec;

/* Reads a params file (YAML):
 *   parameters:                       # 1 .. 20 entries
 *     - {name: Jiashi.st_fund.loss_tolerance, lo: 0.1, hi: 0.5}
 *   outputs:                          # 1 .. 32 entries
 *     - {metric: dragons, region: Jiashi}   # region optional: the total over regions
 *     - high_tech                           # short for {metric: high_tech}
 *     - Jiashi.jobs                         # short for {metric: jobs, region: Jiashi}
 * Errors as the scenario loader's: file:line:col: field: message (unknown keys with "did you
 * mean"). Regions and parameter names are checked against a scenario by
 * lm_experiment_sensitivity. */
LM_API lm_status lm_sens_spec_load(const char *path, lm_sens_spec *out, lm_error *err);
/* The same from a buffer of len bytes (need not be NUL-terminated); name is the file name
 * errors carry. */
LM_API lm_status lm_sens_spec_parse(const char *text, size_t len, const char *name,
                                    lm_sens_spec *out, lm_error *err);

/* ---- the design and the estimators (no simulation) ---- */

/* Saltelli's design in the unit cube: *u (new, malloc'd; free it) holds n (d + 2) rows of d
 * coordinates, row-major, in blocks of n rows: A (rows 0..n-1), B (n..2n-1), then AB_1 ..
 * AB_d (block 2 + i: A with column i taken from B). A and B are the first d and the last d
 * coordinates of the points 2 .. n+1 of GSL's Sobol sequence in 2d dimensions (the first,
 * the centre (0.5, ..., 0.5), is skipped: there A and B coincide and the row tells nothing).
 * 1 <= d <= LM_SENS_MAX_PARAMS, 1 <= n <= LM_SENS_MAX_POINTS. */
LM_API lm_status lm_sens_design(int d, int n, double **u, lm_error *err);

typedef struct lm_sens_index {
    double s1, s1_lo, s1_hi; /* first-order index and its 90% bootstrap interval */
    double st, st_lo, st_hi; /* total index and its interval */
} lm_sens_index;

typedef struct lm_sens_estimate {
    double mean, variance; /* of f over the rows of A and B (the V of the estimators) */
    int rows;              /* rows of the design used (rows with a NaN anywhere are left out) */
} lm_sens_estimate;

/* Indices of one output from its values y[0 .. n(d+2)-1] at the points of lm_sens_design's
 * layout. V = variance of the 2n values of f(A) and f(B) (divided by 2n);
 *   S_i  = mean_j f(B)_j (f(AB_i)_j - f(A)_j) / V          (Saltelli et al. 2010)
 *   ST_i = mean_j (f(A)_j - f(AB_i)_j)^2 / 2 / V           (Jansen 1999)
 * Intervals: n_boot resamples of the n rows with replacement (the same rows for A, B and
 * every AB_i), the 5% and 95% percentiles of the resampled indices; the draws come from
 * Philox streams keyed by seed, so the intervals are reproducible. n_boot 0: lo = hi = the
 * estimate. When V is 0 (a constant output) or fewer than 2 rows remain, the indices are NaN.
 * out[0 .. d-1] receives the indices; info (may be NULL) the mean, V and rows used. */
LM_API lm_status lm_sens_indices(const double *y, int n, int d, int n_boot, uint64_t seed,
                                 lm_sens_index *out, lm_sens_estimate *info, lm_error *err);

/* ---- the experiment ---- */

typedef struct lm_sens_config {
    const lm_sens_spec *spec;
    int points;    /* N, the rows of A and B: N (d + 2) points are simulated */
    int bootstrap; /* resamples for the intervals (default 1000); 0 = none */
} lm_sens_config;

/* `longmen sensitivity`: every point of the design is an arm ("point K", K = 1 .. N(d+2),
 * in the order of lm_sens_design) with the edits NAME=VALUE (values rounded to 15
 * significant digits, as the simulation reads them), R replications each with the same seed
 * and run indices (common random numbers across points). A point's output is the mean over
 * its replications. results.sqlite also holds sensitivity_point, sensitivity_value,
 * sensitivity_y and sensitivity_index (docs/output.md); sensitivity.csv the indices;
 * sensitivity.svg a bar chart of S1 and ST with their intervals; summary.txt the ranked
 * table per output. A bad parameter name or range, or an unknown region, is reported at
 * its entry of the params file before anything runs. Folder, resume and interruption as
 * lm_experiment_replicate; default folder runs/<name>-seed<N>-sensitivity. */
LM_API lm_status lm_experiment_sensitivity(const lm_experiment_config *cfg,
                                           const lm_sens_config *sens,
                                           lm_experiment_result *res, lm_error *err);

#ifdef __cplusplus
}
#endif
#endif
