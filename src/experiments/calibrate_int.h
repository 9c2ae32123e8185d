/* src/experiments/calibrate_int.h -- what the parts of `longmen calibrate` share: the parsed
 * targets file (targets.c), the moments of one simulation (moments.c,
 * named statistics and SQL), and the objective (calibrate.c). Private to the library; the
 * tests use it to check the statistics and the objective on hand-built data.
 * docs/calibration.md. */
#ifndef LM_EXPERIMENTS_CALIBRATE_INT_H
#define LM_EXPERIMENTS_CALIBRATE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "longmen/calibrate.h"
#include "longmen/finance.h"
#include "longmen/longmen.h"

#define LM_CAL_NAME_MAX 128
#define LM_CAL_EDIT_MAX 240 /* a parameter's name, as a --policy edit's left side */

/* Named statistics (docs/calibration.md, "Named statistics", which must list them in this
 * order): X(ID, name, required argument keys, optional ones), keys space-separated. */
#define LM_CAL_STATISTICS(X)                                                                    \
    X(DRAGONS_FOUNDED, "dragons_founded", "from to", "region model by")                         \
    X(DRAGONS_NONLOCAL, "dragons_nonlocal_share", "from to", "region by")                       \
    X(FOUNDERS_NONLOCAL, "founders_nonlocal_share", "from to", "region")                        \
    X(BIRTHS, "births", "from to", "region")                                                    \
    X(TIER_COUNT, "tier_count", "year tier", "region")                                          \
    X(TIER_GROWTH, "tier_growth", "year years tier", "region")                                  \
    X(GUIDANCE, "guidance_cny", "to measure", "region from")                                    \
    X(ZIPF, "zipf_exponent", "k", "region method")                                              \
    X(SURVIVAL, "survival", "years", "region from to")                                          \
    X(DEAL_MULTIPLE, "deal_multiple_share", "", "region below at_least")                        \
    X(FUND_TVPI, "fund_tvpi", "", "kind measure")                                               \
    X(YEARS_TO_UNICORN, "years_to_unicorn", "", "region threshold_cny")
#define LM_STAT_ENUM_(id, ...) LM_STAT_##id,
typedef enum lm__stat { LM_CAL_STATISTICS(LM_STAT_ENUM_) LM_STAT_COUNT } lm__stat;
#undef LM_STAT_ENUM_
/* Its name in a targets file (targets.c); NULL when out of range. */
const char *lm__stat_name(int stat);

enum { LM_BOUND_TWO_SIDED = 0, LM_BOUND_LOWER = 1, LM_BOUND_UPPER = -1 };
enum { LM_GUIDE_APPROVED, LM_GUIDE_GOVERNMENT, LM_GUIDE_SOCIAL, LM_GUIDE_INVESTED };
enum { LM_ZIPF_HILL, LM_ZIPF_RANK_SIZE };
enum { LM_TVPI_IQR, LM_TVPI_MEDIAN, LM_TVPI_P25, LM_TVPI_P75 };

/* A position in the targets file, for errors found after parsing (region names). */
typedef struct lm__cal_pos {
    int line, column;
} lm__cal_pos;

typedef struct lm__cal_param {
    char name[LM_CAL_EDIT_MAX];
    double lo, hi, start;
    bool log; /* searched on a log scale (lo > 0) */
    lm__cal_pos pos;
} lm__cal_param;

typedef struct lm__cal_target {
    char name[LM_CAL_NAME_MAX];
    lm__cal_pos pos;
    /* the moment: sql (malloc'd) or a named statistic with its arguments */
    char *sql;
    lm__cal_pos sql_pos;
    int stat; /* lm__stat; -1 with sql */
    char region_name[LM_CAL_NAME_MAX]; /* "" = every region */
    lm__cal_pos region_pos;
    int region;                /* resolved against the scenario (lm__cal_bind); -1 = all */
    int from, to, year, years, by; /* calendar years; 0 = not given */
    int k, tier, model, measure, method, kind;
    double threshold, multiple; /* years_to_unicorn threshold; deal multiple */
    int side;                   /* deal_multiple: -1 below, +1 at least */
    /* the target */
    double value, sd, weight, tolerance;
    bool has_sd, tol_absolute;
    int bound; /* LM_BOUND_* */
    bool check; /* use: check -- reported, never in the objective (marked before fitting) */
    char source[512];
    int source_year; /* 0 = not given */
} lm__cal_target;

struct lm_targets {
    char path[512];
    char *text; /* the file as read (stored with the calibration) */
    lm__cal_param *params;
    int n_params;
    lm__cal_target *targets;
    int n_targets;
    /* optimiser: NLopt algorithms and the share of the budget for the global stage */
    int global_alg, local_alg; /* nlopt_algorithm */
    double global_share;
    bool has_sql;
};

/* The moment of g in words: "sql: QUERY" or "statistic key=value ...". */
void lm__cal_describe(const lm__cal_target *g, char *buf, size_t size);

/* Binds region names (name or name_en) to sc's indices; errors at the target's region
 * (file:line:col). */
lm_status lm__cal_bind(lm_targets *t, const lm_scenario *sc, lm_error *err);

/* What the named statistics read of one simulation: its accessors' records (moments.c fills
 * it from an lm_sim; the tests build it by hand). */
typedef struct lm__cal_data {
    const lm_region_year *ry;
    size_t n_ry;
    const lm_finance_year *fy;
    size_t n_fy;
    const lm_deal_record *deals;
    size_t n_deals;
    const lm_exit_record *exits;
    size_t n_exits;
    const lm_fund_record *funds;
    size_t n_funds;
    size_t n_firms; /* firm ids 0 .. n_firms-1 */
    lm_status (*firm)(const void *ctx, uint32_t id, lm_firm_record *rec);
    const void *firm_ctx;
    int32_t last_month; /* the last simulated month */
} lm__cal_data;

/* Named statistic g (g->sql == NULL) of d into *out (NaN when undefined). */
lm_status lm__cal_statistic(const lm__cal_target *g, const lm__cal_data *d, double *out,
                            lm_error *err);

/* One simulation's moments: out[j] = target j's moment (NaN when undefined), computed from
 * sim's accessors; SQL moments from a results database written to a temporary file (removed
 * again). Thread-safe (each call uses its own temporary file). */
lm_status lm__cal_moments(const lm_targets *t, const lm_scenario *sc, const lm_sim *sim,
                          double *out, lm_error *err);

/* Checks every SQL moment against a results database of sc (a one-month run), errors at the
 * target's sql (file:line:col): a query that does not prepare, is not read-only, or holds
 * more than one statement. */
lm_status lm__cal_check_sql(const lm_targets *t, const lm_scenario *sc, lm_error *err);

/* The objective of rows (runs x n_targets, one row per replication): sum over targets of
 * weight * d^2 with d = (mean - value) / s, s = sd or |value| (1 when value is 0), mean over
 * the replications where the moment is defined; one-sided targets count only a shortfall
 * (lower) or an excess (upper); a moment undefined in every replication counts d = 10.
 * mean (may be NULL) receives the n_targets means. */
double lm__cal_objective(const lm_targets *t, const double *rows, int runs, double *mean);
/* Mean of column j of rows (runs x n) over the replications where it is defined (NaN when
 * none); *used (may be NULL) receives their count. */
double lm__cal_mean(const double *rows, int runs, int n, int j, int *used);
/* The scale of target g's distance: its sd, else |value|, else 1. */
double lm__cal_scale(const lm__cal_target *g);

/* Within tolerance: |mean - value| <= tolerance (absolute, or relative to |value|); a lower
 * bound also accepts any mean above value, an upper one any below. */
bool lm__cal_within(const lm__cal_target *g, double mean);

/* ---- standard errors and identification (calibrate_se.c) ---- */

/* Jacobian step of a calibration, in the unit scale of the search ([0, 1] over each
 * parameter's bounds, log where scale: log): central differences at u* +- this. */
#define LM_CAL_JACOBIAN_STEP 0.05

typedef struct lm__cal_se {
    double *jac;        /* [n_targets x n_params] d mean moment / d parameter */
    double *shift;      /* [n_targets x n_params] |moment change| over a half-step, in the
                           target's scale (its sd, else |value|) */
    double *se;         /* [n_params] NaN where not identified */
    bool *identified;   /* [n_params] */
    char (*moved_by)[256]; /* [n_params] the fitted targets that move it most */
    double condition;   /* of G'WG over the identified parameters */
    int n_fit;          /* fitted targets that entered the standard errors */
} lm__cal_se;

/* From the fitted point's rows (runs x n_targets) and, per parameter p, the points
 * x_pm[2p] (+ step) and x_pm[2p + 1] (- step) with their rows rows_pm[...]. On failure
 * out holds nothing to free. */
lm_status lm__cal_standard_errors(const lm_targets *t, int runs, const double *best_rows,
                                  const double *const *x_pm, const double *const *rows_pm,
                                  lm__cal_se *out, lm_error *err);
void lm__cal_se_free(lm__cal_se *s);

/* ---- statistics on plain arrays (moments.c), for the named statistics and the tests ---- */

/* Hill estimator of the tail exponent from the k largest of x[0..n-1] (> 0):
 * alpha = k / sum_{i<k} ln(x_(i) / x_(k)), x_(0) >= x_(1) >= ... (x_(k) the threshold).
 * NaN when n <= k, k < 2 or the threshold is not positive. x is reordered. */
double lm__stat_hill(double *x, size_t n, int k);
/* Rank-size regression over the k largest (Gabaix-Ibragimov): OLS slope b of
 * ln(rank - 1/2) on ln(size), alpha = -b. NaN when k < 3 or n < k. x is reordered. */
double lm__stat_rank_size(double *x, size_t n, int k);
/* Quantile q of x[0..n-1] (linear interpolation, GSL's definition); NaN when n = 0.
 * x is sorted. */
double lm__stat_quantile(double *x, size_t n, double q);

#endif
