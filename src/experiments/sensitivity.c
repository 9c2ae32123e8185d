/* src/experiments/sensitivity.c -- `longmen sensitivity` (include/longmen/sensitivity.h):
 * Sobol indices of chosen outputs to chosen scenario parameters by Saltelli's design and
 * estimators (Saltelli, Annoni, Azzini, Campolongo, Ratto, Tarantola 2010, "Variance based
 * sensitivity analysis of model output", Computer Physics Communications 181, 259-270),
 * with bootstrap intervals. docs/experiments.md.
 *
 * Three layers, each usable alone: the design in the unit cube (lm_sens_design), the
 * estimators over a plain vector of outputs (lm_sens_indices: the unit tests check them on
 * the Ishigami function without simulating), and the experiment, which scales the design
 * into the parameter ranges, makes every point an arm of the replication engine
 * (replicate.c; as sweep.c does), and after the runs turns the engine's per-run metrics into
 * one output per point (the mean over its replications) and the indices. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_qrng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "core/rng.h"
#include "experiments/experiments_int.h"
#include "experiments/lifecycle.h"
#include "experiments/sensitivity_int.h"
#include "io/rows.h"
#include "io/table.h"
#include "longmen/sensitivity.h"
#include "scenario/scenario_int.h"

/* ---- the design ---- */

lm_status lm_sens_design(int d, int n, double **u, lm_error *err)
{
    *u = NULL;
    if (d < 1 || d > LM_SENS_MAX_PARAMS)
        LM_FAIL(err, LM_EINVAL, "sensitivity: expected 1 to %d parameters, got %d",
                LM_SENS_MAX_PARAMS, d);
    if (n < 1 || n > LM_SENS_MAX_POINTS)
        LM_FAIL(err, LM_EINVAL, "sensitivity: N = %d: expected 1 to %d", n, LM_SENS_MAX_POINTS);
    const size_t rows = (size_t)n * (size_t)(d + 2);
    double *v = malloc(rows * (size_t)d * sizeof *v);
    gsl_qrng *q = gsl_qrng_alloc(gsl_qrng_sobol, (unsigned)(2 * d));
    if (!v || !q) {
        free(v);
        gsl_qrng_free(q);
        LM_FAIL(err, LM_ENOMEM, "sensitivity design");
    }
    double x[2 * LM_SENS_MAX_PARAMS];
    gsl_qrng_get(q, x); /* the centre: A = B there */
    for (int j = 0; j < n; ++j) {
        gsl_qrng_get(q, x);
        memcpy(v + (size_t)j * d, x, (size_t)d * sizeof *x);
        memcpy(v + ((size_t)n + j) * d, x + d, (size_t)d * sizeof *x);
    }
    gsl_qrng_free(q);
    for (int i = 0; i < d; ++i)
        for (int j = 0; j < n; ++j) {
            double *ab = v + ((size_t)(2 + i) * n + j) * d;
            memcpy(ab, v + (size_t)j * d, (size_t)d * sizeof *ab);
            ab[i] = v[((size_t)n + j) * d + i];
        }
    *u = v;
    return LM_OK;
}

/* ---- the estimators ---- */

/* Indices from the rows rows[0..m-1] (repeats allowed: a bootstrap resample). Values are
 * centred on the mean of f(A) and f(B) first: the estimators' expectations do not change
 * (E[f(AB_i) - f(A)] = 0), but a large mean no longer multiplies the noise of S_i. */
static void estimate(const double *y, int n, int d, const int *rows, int m, double *s1,
                     double *st, double *mean_out, double *var_out)
{
    const double *fa = y, *fb = y + n;
    double mean = 0, lo = INFINITY, hi = -INFINITY;
    for (int k = 0; k < m; ++k) {
        const double a = fa[rows[k]], b = fb[rows[k]];
        mean += a + b;
        lo = fmin(lo, fmin(a, b));
        hi = fmax(hi, fmax(a, b));
    }
    mean /= 2.0 * m;
    double var = 0;
    for (int k = 0; k < m; ++k) {
        const double a = fa[rows[k]] - mean, b = fb[rows[k]] - mean;
        var += a * a + b * b;
    }
    /* A constant output has no variance to share, whatever the rounding of its mean. */
    var = lo == hi ? 0 : var / (2.0 * m);
    if (mean_out)
        *mean_out = mean;
    if (var_out)
        *var_out = var;
    for (int i = 0; i < d; ++i) {
        const double *fab = y + (size_t)(2 + i) * n;
        double num1 = 0, numt = 0;
        for (int k = 0; k < m; ++k) {
            const int j = rows[k];
            const double a = fa[j] - mean, b = fb[j] - mean, ab = fab[j] - mean;
            num1 += b * (ab - a);
            numt += (a - ab) * (a - ab);
        }
        /* no index from a constant output, too few rows, or sums that overflowed */
        const bool ok = var > 0 && isfinite(var) && m >= 2;
        const double a1 = ok ? num1 / m / var : NAN, at = ok ? numt / (2.0 * m) / var : NAN;
        s1[i] = isfinite(a1) ? a1 : NAN;
        st[i] = isfinite(at) ? at : NAN;
    }
}

/* The 5th and 95th percentiles of the non-NaN bootstrap estimates of parameter i (boot:
 * n_boot x d), sorted in col. */
static void interval(const double *boot, int n_boot, int d, int i, double *col, double *lo,
                     double *hi)
{
    size_t k = 0;
    for (int b = 0; b < n_boot; ++b)
        if (!isnan(boot[(size_t)b * d + i]))
            col[k++] = boot[(size_t)b * d + i];
    gsl_sort(col, 1, k);
    *lo = k ? gsl_stats_quantile_from_sorted_data(col, 1, k, 0.05) : NAN;
    *hi = k ? gsl_stats_quantile_from_sorted_data(col, 1, k, 0.95) : NAN;
}

lm_status lm_sens_indices(const double *y, int n, int d, int n_boot, uint64_t seed,
                          lm_sens_index *out, lm_sens_estimate *info, lm_error *err)
{
    if (d < 1 || d > LM_SENS_MAX_PARAMS || n < 1 || n_boot < 0 || n_boot > LM_SENS_MAX_BOOTSTRAP)
        LM_FAIL(err, LM_EINVAL, "sensitivity: bad arguments (d %d, N %d, bootstrap %d)", d, n,
                n_boot);
    /* Rows with a NaN anywhere (an undefined output, e.g. a TVPI without funds) go. */
    int *valid = malloc((size_t)n * sizeof *valid);
    int *rows = malloc((size_t)n * sizeof *rows);
    double *b1 = malloc(((size_t)n_boot + 1) * (size_t)d * sizeof *b1);
    double *bt = malloc(((size_t)n_boot + 1) * (size_t)d * sizeof *bt);
    double *col = malloc(((size_t)n_boot + 1) * sizeof *col);
    lm_status rc = LM_OK;
    if (!valid || !rows || !b1 || !bt || !col) {
        rc = lm_error_set(err, LM_ENOMEM, __FILE__, __LINE__, "sensitivity estimates");
        goto out;
    }
    int m = 0;
    for (int j = 0; j < n; ++j) {
        bool ok = true;
        for (int b = 0; b < d + 2 && ok; ++b)
            ok = isfinite(y[(size_t)b * n + j]);
        if (ok)
            valid[m++] = j;
    }
    double s1[LM_SENS_MAX_PARAMS], st[LM_SENS_MAX_PARAMS], mean = NAN, var = NAN;
    if (m > 0) {
        estimate(y, n, d, valid, m, s1, st, &mean, &var);
    } else {
        for (int i = 0; i < d; ++i)
            s1[i] = st[i] = NAN;
    }
    if (info) {
        info->mean = mean;
        info->variance = var;
        info->rows = m;
    }
    const lm_rng_key key = lm_rng_key_make(seed, 0);
    for (int b = 0; m >= 2 && b < n_boot; ++b) {
        lm_rng g;
        lm_rng_init(&g, key, (uint64_t)b, LM_PURPOSE_BOOTSTRAP, 0);
        for (int k = 0; k < m; ++k)
            rows[k] = valid[((uint64_t)lm_rng_u32(&g) * (uint64_t)m) >> 32];
        estimate(y, n, d, rows, m, b1 + (size_t)b * d, bt + (size_t)b * d, NULL, NULL);
    }
    for (int i = 0; i < d; ++i) {
        lm_sens_index *o = &out[i];
        o->s1 = o->s1_lo = o->s1_hi = s1[i];
        o->st = o->st_lo = o->st_hi = st[i];
        if (m < 2 || n_boot == 0 || isnan(s1[i]))
            continue;
        interval(b1, n_boot, d, i, col, &o->s1_lo, &o->s1_hi);
        interval(bt, n_boot, d, i, col, &o->st_lo, &o->st_hi);
    }
out:
    free(valid);
    free(rows);
    free(b1);
    free(bt);
    free(col);
    return rc;
}

/* ---- the experiment ---- */

typedef struct sens_ctx {
    const lm_sens_config *cfg;
    const lm_sens_spec *spec;
    int n, d, n_points;
    const double *values; /* n_points x d, as simulated */
    const int *region;    /* per output: region index, or -1 for the total */
} sens_ctx;

/* Output o of point a: the mean over its replications (NaN ones left out). */
static double point_output(const lm__experiment *x, const sens_ctx *C, int o, int a)
{
    const lm_sens_output *out = &C->spec->outputs[o];
    const int r = C->region[o] < 0 ? x->n_regions : C->region[o];
    double sum = 0;
    int used = 0;
    for (int i = 0; i < x->runs; ++i) {
        const double v = lm__xm(x, a, i, r, (int)out->metric);
        if (!isnan(v)) {
            sum += v;
            ++used;
        }
    }
    return used ? sum / used : NAN;
}

static void output_label(const lm_sens_spec *s, int o, char *buf, size_t size)
{
    const lm_sens_output *out = &s->outputs[o];
    snprintf(buf, size, "%s%s%s", out->region[0] ? out->region : "",
             out->region[0] ? "." : "total.", lm_metric_word(out->metric));
}

/* Parameters of output o by decreasing ST (NaN last), ties by S1, then by order. */
static void rank_params(const lm_sens_index *idx, int d, int *order)
{
    for (int i = 0; i < d; ++i)
        order[i] = i;
    for (int i = 1; i < d; ++i)
        for (int k = i; k > 0; --k) {
            const lm_sens_index *a = &idx[order[k - 1]], *b = &idx[order[k]];
            const double ta = isnan(a->st) ? -INFINITY : a->st;
            const double tb = isnan(b->st) ? -INFINITY : b->st;
            if (tb > ta || (tb == ta && b->s1 > a->s1)) {
                const int t = order[k];
                order[k] = order[k - 1];
                order[k - 1] = t;
            } else {
                break;
            }
        }
}

/* The job's tables (docs/output.md), declared once (io/rows.h). */
#define SENSITIVITY_COLUMNS(X, V)                                                               \
    X(int64_t, n, INTEGER, ATTR, "N, the base sample size")                                     \
    X(int64_t, params, INTEGER, ATTR, "d, parameters")                                          \
    X(int64_t, points, INTEGER, ATTR, "N (d + 2), points of the design")                        \
    X(int64_t, runs, INTEGER, ATTR, "R, replications per point")                                \
    X(int64_t, bootstrap, INTEGER, ATTR, "bootstrap resamples of the intervals")                \
    X(double, level, REAL, ATTR, "the intervals' level, 0.9")                                   \
    X(const char *, params_file, TEXT, VALUE, "the params file as given")
#define SENSITIVITY_POINT_COLUMNS(X, V)                                                         \
    X(int64_t, point_id, INTEGER, ID, "K = 1, 2, ...")                                          \
    X(const char *, arm, TEXT, ATTR, "'point K', the run.arm of its runs")                      \
    X(const char *, matrix, TEXT, ATTR, "'A', 'B' or 'AB'")                                     \
    X(int64_t, sample, INTEGER, ATTR, "its row of the matrix, 1-based")                         \
    X(int64_t, param, INTEGER, VALUE, "AB_i: i, the parameter taken from B; NULL for A and B")  \
    X(int64_t, first_run_id, INTEGER, ATTR, "run_id of its first replication")                  \
    X(int64_t, runs, INTEGER, ATTR, "R, replications per point")
#define SENSITIVITY_VALUE_COLUMNS(X, V)                                                         \
    X(int64_t, point_id, INTEGER, KEY, "the point")                                             \
    X(int64_t, param, INTEGER, KEY, "0-based, the order of the params file")                    \
    X(const char *, name, TEXT, ATTR, "the parameter, as written")                              \
    X(double, value, REAL, ATTR, "the value simulated")
#define SENSITIVITY_OUTPUT_COLUMNS(X, V)                                                        \
    X(int64_t, output_id, INTEGER, ID, "1-based, the order of the params file")                 \
    X(const char *, metric, TEXT, ATTR, "the output's metric")                                  \
    X(const char *, region, TEXT, VALUE, "the region's name; NULL for the total")               \
    X(double, mean, REAL, VALUE, "f, the estimators' mean")                                     \
    X(double, variance, REAL, VALUE, "V, the estimators' variance")                             \
    X(int64_t, rows, INTEGER, ATTR, "rows of the design used")
#define SENSITIVITY_Y_COLUMNS(X, V)                                                             \
    X(int64_t, point_id, INTEGER, KEY, "the point")                                             \
    X(int64_t, output_id, INTEGER, KEY, "the output")                                           \
    X(double, y, REAL, VALUE, "the point's output, mean over its replications; NULL undefined")
#define SENSITIVITY_INDEX_COLUMNS(X, V)                                                         \
    X(int64_t, output_id, INTEGER, KEY, "the output")                                           \
    X(int64_t, param, INTEGER, KEY, "the parameter")                                            \
    X(const char *, name, TEXT, ATTR, "the parameter, as written")                              \
    X(int64_t, rank, INTEGER, ATTR, "1 = largest total-order index")                            \
    X(double, s1, REAL, VALUE, "first-order index")                                             \
    X(double, s1_lo, REAL, VALUE, "its 90% interval")                                           \
    X(double, s1_hi, REAL, VALUE, "")                                                           \
    X(double, st, REAL, VALUE, "total-order index")                                             \
    X(double, st_lo, REAL, VALUE, "its 90% interval")                                           \
    X(double, st_hi, REAL, VALUE, "")

#define LM_ROW_T sens_row
LM_ROW_DECLARE(const, lm__rows_sensitivity, "sensitivity", SENSITIVITY_COLUMNS, .no_run_id = true);
#undef LM_ROW_T
#define LM_ROW_T sens_point_row
LM_ROW_DECLARE(const, lm__rows_sensitivity_point, "sensitivity_point", SENSITIVITY_POINT_COLUMNS,
               .no_run_id = true);
#undef LM_ROW_T
#define LM_ROW_T sens_value_row
LM_ROW_DECLARE(const, lm__rows_sensitivity_value, "sensitivity_value", SENSITIVITY_VALUE_COLUMNS,
               .no_run_id = true);
#undef LM_ROW_T
#define LM_ROW_T sens_output_row
LM_ROW_DECLARE(const, lm__rows_sensitivity_output, "sensitivity_output", SENSITIVITY_OUTPUT_COLUMNS,
               .no_run_id = true);
#undef LM_ROW_T
#define LM_ROW_T sens_y_row
LM_ROW_DECLARE(const, lm__rows_sensitivity_y, "sensitivity_y", SENSITIVITY_Y_COLUMNS,
               .no_run_id = true);
#undef LM_ROW_T
#define LM_ROW_T sens_index_row
LM_ROW_DECLARE(const, lm__rows_sensitivity_index, "sensitivity_index", SENSITIVITY_INDEX_COLUMNS,
               .no_run_id = true);
#undef LM_ROW_T

/* The design, the outputs and the indices in results.sqlite (rewritten whole, so a resumed
 * job ends with the tables an uninterrupted one writes). */
static lm_status write_tables(const lm__experiment *x, const sens_ctx *C, const double *y,
                              const lm_sens_index *idx, const lm_sens_estimate *est,
                              const int *order, const char *dir, lm_error *err)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/results.sqlite", dir);
    const int n = C->n, d = C->d, no = C->spec->n_outputs, np = C->n_points;
    const sens_row run = {n, d, np, x->runs, C->cfg->bootstrap, 0.9, C->spec->file};
    sens_point_row *points = calloc((size_t)np, sizeof *points);
    sens_value_row *values = calloc((size_t)np * (size_t)d + 1, sizeof *values);
    sens_y_row *ys = calloc((size_t)np * (size_t)no + 1, sizeof *ys);
    sens_output_row *outputs = calloc((size_t)no + 1, sizeof *outputs);
    sens_index_row *indices = calloc((size_t)no * (size_t)d + 1, sizeof *indices);
    lm_status st = LM_OK;
    if (!points || !values || !ys || !outputs || !indices)
        st = lm_error_set(err, LM_ENOMEM, __FILE__, __LINE__, "sensitivity tables");
    for (int a = 0; st == LM_OK && a < np; ++a) {
        const int block = a / n;
        points[a] = (sens_point_row){a + 1,
                                     x->arms[a].name,
                                     block == 0 ? "A" : block == 1 ? "B" : "AB",
                                     a % n + 1,
                                     block >= 2 ? block - 2 : LM_ROW_NULL_INT64,
                                     (int64_t)a * x->runs + 1,
                                     x->runs};
        for (int i = 0; i < d; ++i)
            values[(size_t)a * d + i] = (sens_value_row){a + 1, i, C->spec->params[i].name,
                                                         C->values[(size_t)a * d + i]};
        for (int o = 0; o < no; ++o)
            ys[(size_t)a * no + o] = (sens_y_row){a + 1, o + 1, y[(size_t)o * np + a]};
    }
    for (int o = 0; st == LM_OK && o < no; ++o) {
        outputs[o] = (sens_output_row){
            o + 1, lm_metric_word(C->spec->outputs[o].metric),
            C->region[o] >= 0 ? lm_scenario_region_name(x->arms[0].sc, C->region[o]) : NULL,
            est[o].mean, est[o].variance, est[o].rows};
        for (int r = 0; r < d; ++r) {
            const int i = order[(size_t)o * d + r];
            const lm_sens_index *v = &idx[(size_t)o * d + i];
            indices[(size_t)o * d + r] =
                (sens_index_row){o + 1,   i,        C->spec->params[i].name, r + 1, v->s1,
                                 v->s1_lo, v->s1_hi, v->st, v->st_lo, v->st_hi};
        }
    }
    const lm_row_set sets[] = {{&lm__rows_sensitivity, &run, 1},
                               {&lm__rows_sensitivity_point, points, (size_t)np},
                               {&lm__rows_sensitivity_value, values, (size_t)np * (size_t)d},
                               {&lm__rows_sensitivity_output, outputs, (size_t)no},
                               {&lm__rows_sensitivity_y, ys, (size_t)np * (size_t)no},
                               {&lm__rows_sensitivity_index, indices, (size_t)no * (size_t)d}};
    if (st == LM_OK)
        st = lm__rows_replace(path, sets, 6, err);
    free(points);
    free(values);
    free(ys);
    free(outputs);
    free(indices);
    return st;
}

/* sensitivity.csv: one row per output and parameter, ranked. */
static lm_status write_csv(const lm__experiment *x, const sens_ctx *C, const lm_sens_index *idx,
                           const lm_sens_estimate *est, const int *order, const char *dir,
                           lm_error *err)
{
    lm__out out;
    if (lm__out_open(&out, dir, "sensitivity.csv", err) != LM_OK)
        return LM_ENOMEM;
    FILE *f = out.f;
    fputs("output,metric,region,rank,param,s1,s1_lo90,s1_hi90,st,st_lo90,st_hi90,mean,variance,"
          "rows\n",
          f);
    const int d = C->d;
    for (int o = 0; o < C->spec->n_outputs; ++o) {
        char label[160];
        output_label(C->spec, o, label, sizeof label);
        for (int r = 0; r < d; ++r) {
            const int i = order[(size_t)o * d + r];
            const lm_sens_index *v = &idx[(size_t)o * d + i];
            lm__csv_text(f, label);
            fputc(',', f);
            lm__csv_text(f, lm_metric_word(C->spec->outputs[o].metric));
            fputc(',', f);
            lm__csv_text(f, C->region[o] >= 0
                            ? lm_scenario_region_name(x->arms[0].sc, C->region[o])
                            : "total");
            fprintf(f, ",%d,", r + 1);
            lm__csv_text(f, C->spec->params[i].name);
            lm__csv_num(f, v->s1);
            lm__csv_num(f, v->s1_lo);
            lm__csv_num(f, v->s1_hi);
            lm__csv_num(f, v->st);
            lm__csv_num(f, v->st_lo);
            lm__csv_num(f, v->st_hi);
            lm__csv_num(f, est[o].mean);
            lm__csv_num(f, est[o].variance);
            fprintf(f, ",%d\n", est[o].rows);
        }
    }
    return lm__out_close(&out, LM_OK, NULL, err);
}

/* Two decimals, and no "-0.00" from a value that rounds to zero. */
static double two_places(double v) { return fabs(v) < 0.005 ? 0.0 : v; }

static void index_cell(char *buf, size_t size, double v, double lo, double hi, bool interval)
{
    if (isnan(v))
        snprintf(buf, size, "-");
    else if (interval)
        snprintf(buf, size, "%.2f [%.2f, %.2f]", two_places(v), two_places(lo), two_places(hi));
    else
        snprintf(buf, size, "%.2f", two_places(v));
}

/* The ranked table of every output. */
static lm_status write_summary(FILE *f, const lm__experiment *x, const sens_ctx *C,
                               const lm_sens_index *idx, const lm_sens_estimate *est,
                               const int *order, lm_error *err)
{
    enum { COLS = 4, CELL = 320 };
    const int d = C->d, rows = d + 1;
    char *text;
    const char **cells = lm__table_cells((size_t)rows * COLS, CELL, &text);
    if (!cells) {
        free(cells);
        LM_FAIL(err, LM_ENOMEM, "sensitivity table");
    }
    char from[16], to[16];
    lm_month_format(x->start, from);
    lm_month_format(x->end, to);
    const bool iv = C->cfg->bootstrap > 0;
    fprintf(f,
            "%s  seed %llu  Sobol indices (Saltelli 2010): %d parameters, N = %d, %d points x "
            "%d runs  %s to %s (%d months)\n",
            lm_scenario_name(x->arms[0].sc), (unsigned long long)x->seed, d, C->n, C->n_points,
            x->runs, from, to, (int)(x->end - x->start + 1));
    fprintf(f, "common random numbers across points; an output is the mean over a point's "
               "runs\n");
    for (int o = 0; o < C->spec->n_outputs; ++o) {
        char label[160];
        output_label(C->spec, o, label, sizeof label);
        const char *region =
            C->region[o] >= 0 ? lm_scenario_region_name(x->arms[0].sc, C->region[o]) : "total";
        fprintf(f, "\n%s, %s  (mean %.6g, variance %.6g, %d of %d rows)\n",
                lm_metric_word(C->spec->outputs[o].metric), region, est[o].mean,
                est[o].variance, est[o].rows, C->n);
        snprintf(text, CELL, "rank");
        snprintf(text + CELL, CELL, "parameter");
        snprintf(text + 2 * CELL, CELL, iv ? "S1 [90%% interval]" : "S1");
        snprintf(text + 3 * CELL, CELL, iv ? "ST [90%% interval]" : "ST");
        for (int r = 0; r < d; ++r) {
            const int i = order[(size_t)o * d + r];
            const lm_sens_index *v = &idx[(size_t)o * d + i];
            char *row = text + (size_t)(r + 1) * COLS * CELL;
            snprintf(row, CELL, "%d", r + 1);
            snprintf(row + CELL, CELL, "%s", C->spec->params[i].name);
            index_cell(row + 2 * CELL, CELL, v->s1, v->s1_lo, v->s1_hi, iv);
            index_cell(row + 3 * CELL, CELL, v->st, v->st_lo, v->st_hi, iv);
        }
        lm__table_write(f, cells, rows, COLS, "rlrr", false);
        if (!(est[o].variance > 0))
            fprintf(f, "(the output does not vary over the design: no indices)\n");
    }
    fprintf(f,
            "\nS1: first-order index, the share of the output's variance due to the parameter "
            "alone; ST: total index, its share with all its interactions (ranked by ST).%s\n",
            iv ? " Intervals: 5% and 95% percentiles of bootstrap resamples of the N rows."
               : "");
    if (x->out_dir)
        fprintf(f, "results: %s (sensitivity.csv, sensitivity.svg; results.sqlite: "
                   "sensitivity_index, sensitivity_point, sensitivity_value, sensitivity_y)\n",
                x->out_dir);
    free(cells);
    if (ferror(f))
        LM_FAIL(err, LM_EIO, "could not write the sensitivity table");
    return LM_OK;
}

static lm_status sens_table(FILE *f, const lm__experiment *x, const char *dir, lm_error *err)
{
    const sens_ctx *C = x->user;
    const int no = C->spec->n_outputs, d = C->d, np = C->n_points;
    double *y = malloc((size_t)no * (size_t)np * sizeof *y);
    lm_sens_index *idx = calloc((size_t)no * (size_t)d, sizeof *idx);
    lm_sens_estimate *est = calloc((size_t)no, sizeof *est);
    int *order = calloc((size_t)no * (size_t)d, sizeof *order);
    lm_status st = LM_OK;
    if (!y || !idx || !est || !order)
        st = lm_error_set(err, LM_ENOMEM, __FILE__, __LINE__, "sensitivity outputs");
    for (int o = 0; st == LM_OK && o < no; ++o) {
        for (int a = 0; a < np; ++a)
            y[(size_t)o * np + a] = point_output(x, C, o, a);
        st = lm_sens_indices(y + (size_t)o * np, C->n, d, C->cfg->bootstrap, x->seed,
                             idx + (size_t)o * d, &est[o], err);
        rank_params(idx + (size_t)o * d, d, order + (size_t)o * d);
    }
    if (st == LM_OK)
        st = write_summary(f, x, C, idx, est, order, err);
    if (st == LM_OK)
        st = write_tables(x, C, y, idx, est, order, dir, err);
    if (st == LM_OK)
        st = write_csv(x, C, idx, est, order, dir, err);
    if (st == LM_OK) {
        const char *names[LM_SENS_MAX_PARAMS];
        for (int i = 0; i < d; ++i)
            names[i] = C->spec->params[i].name;
        char(*labels)[160] = calloc((size_t)no, sizeof *labels);
        const char **lp = calloc((size_t)no, sizeof *lp);
        if (!labels || !lp) {
            st = lm_error_set(err, LM_ENOMEM, __FILE__, __LINE__, "sensitivity figure");
        } else {
            for (int o = 0; o < no; ++o) {
                snprintf(labels[o], sizeof labels[o], "%s, %s",
                         lm_metric_word(C->spec->outputs[o].metric),
                         C->region[o] >= 0
                             ? lm_scenario_region_name(x->arms[0].sc, C->region[o])
                             : "total");
                lp[o] = labels[o];
            }
            const lm__sens_figure fig = {.title = lm_scenario_name(x->arms[0].sc),
                                         .n_outputs = no,
                                         .n_params = d,
                                         .outputs = lp,
                                         .params = names,
                                         .idx = idx,
                                         .order = order,
                                         .intervals = C->cfg->bootstrap > 0,
                                         .n = C->n,
                                         .runs = x->runs};
            char path[4200];
            snprintf(path, sizeof path, "%s/sensitivity.svg", dir);
            st = lm__sens_svg_write(path, &fig, err);
        }
        free(labels);
        free(lp);
    }
    free(y);
    free(idx);
    free(est);
    free(order);
    return st;
}

/* The region an output names (lm__region_named), -1 for the total (no name), -2 unknown. */
static int find_region(const lm_scenario *sc, const char *name)
{
    if (!name[0])
        return -1;
    const int r = lm__region_named(lm__scenario_params(sc), name);
    return r < 0 ? -2 : r;
}

/* Each parameter alone at lo and at hi on the scenario: a name the edits cannot apply, or a
 * range the scenario refuses, is reported at its entry of the params file. */
static lm_status check_params(const char *path, const lm_sens_spec *s, const lm_job_config *job,
                              lm_error *err)
{
    char buf[512];
    for (int i = 0; i < s->n_params; ++i)
        for (int e = 0; e < 2; ++e) {
            const lm_sens_param *p = &s->params[i];
            snprintf(buf, sizeof buf, "%s=%.15g", p->name, e ? p->hi : p->lo);
            const char *set[1] = {buf};
            const lm_scenario_edits edits = {.set = set, .n_set = 1};
            lm_scenario *sc = NULL;
            lm_error inner;
            lm_error_clear(&inner);
            lm_status st = lm__xp_load(job, path, &edits, &sc, &inner);
            lm_scenario_free(sc);
            if (st != LM_OK) {
                char field[160];
                snprintf(field, sizeof field, "parameters[%d]", i);
                char where[600] = "";
                if (inner.file[0] && inner.line > 0)
                    snprintf(where, sizeof where, " (%s:%d:%d%s%s)", inner.file, inner.line,
                             inner.column, inner.field[0] ? ": " : "", inner.field);
                return lm_error_set_at(err, st == LM_ENOMEM ? LM_ENOMEM : LM_EINVAL, s->file,
                                       p->line, p->column, field, "%s at %s = %.15g: %s%s",
                                       p->name, e ? "hi" : "lo", e ? p->hi : p->lo,
                                       inner.message, where);
            }
        }
    return LM_OK;
}

lm_status lm_experiment_sensitivity(const lm_experiment_config *cfg, const lm_sens_config *sens,
                                    lm_experiment_result *res, lm_error *err)
{
    memset(res, 0, sizeof *res);
    lm_error_clear(err);
    const lm_sens_spec *spec = sens->spec;
    const int d = spec ? spec->n_params : 0, n = sens->points;
    if (!spec || d < 1 || d > LM_SENS_MAX_PARAMS || spec->n_outputs < 1 ||
        spec->n_outputs > LM_SENS_MAX_OUTPUTS)
        LM_FAIL(err, LM_EINVAL, "sensitivity: no parameters or no outputs");
    if (n < 2 || (long long)n * (d + 2) > LM_SENS_MAX_POINTS)
        LM_FAIL(err, LM_EINVAL,
                "sensitivity: --points %d: expected N >= 2 with N (d + 2) = N x %d at most %d",
                n, d + 2, LM_SENS_MAX_POINTS);
    if (sens->bootstrap < 0 || sens->bootstrap > LM_SENS_MAX_BOOTSTRAP)
        LM_FAIL(err, LM_EINVAL, "sensitivity: --bootstrap %d: expected 0 to %d",
                sens->bootstrap, LM_SENS_MAX_BOOTSTRAP);
    const int n_points = n * (d + 2);
    if ((long long)n_points * cfg->runs > LM_SWEEP_MAX_TOTAL)
        LM_FAIL(err, LM_EINVAL, "sensitivity: %d points x %d runs is more than %d simulations",
                n_points, cfg->runs, LM_SWEEP_MAX_TOTAL);
    const lm_job_config *job = &cfg->job;
    const char *path = job->scenario_path ? job->scenario_path : lm_default_scenario_path();

    /* Outputs' regions and parameters, checked against the scenario before anything runs. */
    lm_scenario *base = NULL;
    lm_status st = lm__xp_load(job, path, NULL, &base, err);
    if (st != LM_OK)
        return st;
    int region[LM_SENS_MAX_OUTPUTS];
    for (int o = 0; st == LM_OK && o < spec->n_outputs; ++o) {
        region[o] = find_region(base, spec->outputs[o].region);
        if (region[o] == -2) {
            char field[64];
            snprintf(field, sizeof field, "outputs[%d]", o);
            st = lm_error_set_at(err, LM_EINVAL, spec->file, spec->outputs[o].line,
                                 spec->outputs[o].column, field,
                                 "no region \"%s\" in %s (a region's name or name_en)",
                                 spec->outputs[o].region, path);
        }
    }
    lm_scenario_free(base);
    if (st == LM_OK) /* each parameter's bounds loaded once */
        st = check_params(path, spec, job, err);
    if (st != LM_OK)
        return st;

    double *u = NULL;
    if ((st = lm_sens_design(d, n, &u, err)) != LM_OK)
        return st;
    double *values = malloc((size_t)n_points * (size_t)d * sizeof *values);
    if (!values)
        st = lm_error_set(err, LM_ENOMEM, __FILE__, __LINE__, "sensitivity points");
    char buf[64];
    for (size_t k = 0; st == LM_OK && k < (size_t)n_points * (size_t)d; ++k) {
        const lm_sens_param *p = &spec->params[k % (size_t)d];
        /* 15 significant digits: the text the simulation reads, so the stored value is the
         * simulated one (and AB_i's column i equals B's exactly). */
        snprintf(buf, sizeof buf, "%.15g", p->lo + u[k] * (p->hi - p->lo));
        values[k] = strtod(buf, NULL);
    }
    const char *names[LM_SENS_MAX_PARAMS];
    for (int j = 0; j < d; ++j)
        names[j] = spec->params[j].name;
    lm__point_arms pa = {0};
    if (st == LM_OK)
        st = lm__point_arms_make(path, names, d, values, n_points, job, &pa, err);
    if (st == LM_OK) {
        const sens_ctx ctx = {.cfg = sens,
                              .spec = spec,
                              .n = n,
                              .d = d,
                              .n_points = n_points,
                              .values = values,
                              .region = region};
        st = lm__experiment_execute_until(cfg, pa.arm, n_points, "-sensitivity", sens_table, NULL,
                                          &ctx, res, err);
    }
    lm__point_arms_free(&pa);
    free(values);
    free(u);
    return lm__xp_end(res, st, err);
}
