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
#include <sqlite3.h>

#include "core/rng.h"
#include "experiments/experiments_int.h"
#include "experiments/sensitivity_int.h"
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

/* The q-quantile of the non-NaN values of x[0..n-1] (sorted in place). */
static double quantile(double *x, int n, double q)
{
    int k = 0;
    for (int i = 0; i < n; ++i)
        if (!isnan(x[i]))
            x[k++] = x[i];
    if (k == 0)
        return NAN;
    gsl_sort(x, 1, (size_t)k);
    return gsl_stats_quantile_from_sorted_data(x, 1, (size_t)k, q);
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
    if (!valid || !rows || !b1 || !bt || !col) {
        free(valid);
        free(rows);
        free(b1);
        free(bt);
        free(col);
        LM_FAIL(err, LM_ENOMEM, "sensitivity estimates");
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
        for (int b = 0; b < n_boot; ++b)
            col[b] = b1[(size_t)b * d + i];
        o->s1_lo = quantile(col, n_boot, 0.05);
        for (int b = 0; b < n_boot; ++b)
            col[b] = b1[(size_t)b * d + i];
        o->s1_hi = quantile(col, n_boot, 0.95);
        for (int b = 0; b < n_boot; ++b)
            col[b] = bt[(size_t)b * d + i];
        o->st_lo = quantile(col, n_boot, 0.05);
        for (int b = 0; b < n_boot; ++b)
            col[b] = bt[(size_t)b * d + i];
        o->st_hi = quantile(col, n_boot, 0.95);
    }
    free(valid);
    free(rows);
    free(b1);
    free(bt);
    free(col);
    return LM_OK;
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
    static const int metric[LM_SENS_METRIC_COUNT] = {
        LM_XM_DRAGONS,   LM_XM_HIGH_TECH, LM_XM_ALIVE,   LM_XM_BIRTHS,
        LM_XM_HEADCOUNT, LM_XM_PUBLIC,    LM_XM_REVENUE, LM_XM_FUND_VALUE};
    double sum = 0;
    int used = 0;
    for (int i = 0; i < x->runs; ++i) {
        double v = lm__xm(x, a, i, r, metric[out->metric]);
        if (out->metric == LM_SENS_FUND_TVPI) {
            const double paid = lm__xm(x, a, i, r, LM_XM_FUND_PAID);
            v = paid > 0 ? v / paid : NAN;
        }
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
             out->region[0] ? "." : "total.", lm_sens_metric_name(out->metric));
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

static lm_status db_fail(sqlite3 *db, const char *path, lm_error *err)
{
    const lm_status st = lm_error_set_at(err, LM_EDB, path, 0, 0, NULL, "%s: %s", path,
                                         db ? sqlite3_errmsg(db) : "cannot open");
    sqlite3_close(db);
    return st;
}

static void bind_num(sqlite3_stmt *s, int k, double v)
{
    if (isnan(v))
        sqlite3_bind_null(s, k);
    else
        sqlite3_bind_double(s, k, v);
}

/* The design, the outputs and the indices in results.sqlite (rewritten whole, so a resumed
 * job ends with the tables an uninterrupted one writes). */
static lm_status write_tables(const lm__experiment *x, const sens_ctx *C, const double *y,
                              const lm_sens_index *idx, const lm_sens_estimate *est,
                              const int *order, const char *dir, lm_error *err)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/results.sqlite", dir);
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
        return db_fail(db, path, err);
    static const char *const ddl =
        "BEGIN;"
        "CREATE TABLE IF NOT EXISTS sensitivity (n INTEGER NOT NULL, params INTEGER NOT NULL,"
        " points INTEGER NOT NULL, runs INTEGER NOT NULL, bootstrap INTEGER NOT NULL,"
        " level REAL NOT NULL, params_file TEXT);"
        "CREATE TABLE IF NOT EXISTS sensitivity_point (point_id INTEGER PRIMARY KEY,"
        " arm TEXT NOT NULL, matrix TEXT NOT NULL, sample INTEGER NOT NULL, param INTEGER,"
        " first_run_id INTEGER NOT NULL, runs INTEGER NOT NULL);"
        "CREATE TABLE IF NOT EXISTS sensitivity_value (point_id INTEGER NOT NULL,"
        " param INTEGER NOT NULL, name TEXT NOT NULL, value REAL NOT NULL,"
        " PRIMARY KEY (point_id, param));"
        "CREATE TABLE IF NOT EXISTS sensitivity_output (output_id INTEGER PRIMARY KEY,"
        " metric TEXT NOT NULL, region TEXT, mean REAL, variance REAL, rows INTEGER NOT NULL);"
        "CREATE TABLE IF NOT EXISTS sensitivity_y (point_id INTEGER NOT NULL,"
        " output_id INTEGER NOT NULL, y REAL, PRIMARY KEY (point_id, output_id));"
        "CREATE TABLE IF NOT EXISTS sensitivity_index (output_id INTEGER NOT NULL,"
        " param INTEGER NOT NULL, name TEXT NOT NULL, rank INTEGER NOT NULL, s1 REAL,"
        " s1_lo REAL, s1_hi REAL, st REAL, st_lo REAL, st_hi REAL,"
        " PRIMARY KEY (output_id, param));"
        "DELETE FROM sensitivity; DELETE FROM sensitivity_point; DELETE FROM sensitivity_value;"
        "DELETE FROM sensitivity_output; DELETE FROM sensitivity_y;"
        "DELETE FROM sensitivity_index;";
    if (sqlite3_exec(db, ddl, NULL, NULL, NULL) != SQLITE_OK)
        return db_fail(db, path, err);
    enum { S_RUN, S_POINT, S_VALUE, S_OUTPUT, S_Y, S_INDEX, S_COUNT };
    static const char *const sql[S_COUNT] = {
        "INSERT INTO sensitivity VALUES (?1, ?2, ?3, ?4, ?5, 0.9, ?6)",
        "INSERT INTO sensitivity_point VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        "INSERT INTO sensitivity_value VALUES (?1, ?2, ?3, ?4)",
        "INSERT INTO sensitivity_output VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        "INSERT INTO sensitivity_y VALUES (?1, ?2, ?3)",
        "INSERT INTO sensitivity_index VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"};
    sqlite3_stmt *s[S_COUNT] = {0};
    bool ok = true;
    for (int k = 0; ok && k < S_COUNT; ++k)
        ok = sqlite3_prepare_v2(db, sql[k], -1, &s[k], NULL) == SQLITE_OK;
#define STEP(k) (ok = ok && sqlite3_step(s[k]) == SQLITE_DONE && sqlite3_reset(s[k]) == SQLITE_OK)
    const int n = C->n, d = C->d, no = C->spec->n_outputs;
    if (ok) {
        sqlite3_bind_int(s[S_RUN], 1, n);
        sqlite3_bind_int(s[S_RUN], 2, d);
        sqlite3_bind_int(s[S_RUN], 3, C->n_points);
        sqlite3_bind_int(s[S_RUN], 4, x->runs);
        sqlite3_bind_int(s[S_RUN], 5, C->cfg->bootstrap);
        sqlite3_bind_text(s[S_RUN], 6, C->spec->file, -1, SQLITE_STATIC);
        STEP(S_RUN);
    }
    for (int a = 0; ok && a < C->n_points; ++a) {
        const int block = a / n;
        sqlite3_stmt *p = s[S_POINT];
        sqlite3_bind_int(p, 1, a + 1);
        sqlite3_bind_text(p, 2, x->arms[a].name, -1, SQLITE_STATIC);
        sqlite3_bind_text(p, 3, block == 0 ? "A" : block == 1 ? "B" : "AB", -1, SQLITE_STATIC);
        sqlite3_bind_int(p, 4, a % n + 1);
        if (block >= 2)
            sqlite3_bind_int(p, 5, block - 2);
        else
            sqlite3_bind_null(p, 5);
        sqlite3_bind_int64(p, 6, (int64_t)a * x->runs + 1);
        sqlite3_bind_int(p, 7, x->runs);
        STEP(S_POINT);
        for (int i = 0; ok && i < d; ++i) {
            sqlite3_bind_int(s[S_VALUE], 1, a + 1);
            sqlite3_bind_int(s[S_VALUE], 2, i);
            sqlite3_bind_text(s[S_VALUE], 3, C->spec->params[i].name, -1, SQLITE_STATIC);
            sqlite3_bind_double(s[S_VALUE], 4, C->values[(size_t)a * d + i]);
            STEP(S_VALUE);
        }
        for (int o = 0; ok && o < no; ++o) {
            sqlite3_bind_int(s[S_Y], 1, a + 1);
            sqlite3_bind_int(s[S_Y], 2, o + 1);
            bind_num(s[S_Y], 3, y[(size_t)o * C->n_points + a]);
            STEP(S_Y);
        }
    }
    for (int o = 0; ok && o < no; ++o) {
        const lm_sens_output *out = &C->spec->outputs[o];
        sqlite3_stmt *p = s[S_OUTPUT];
        sqlite3_bind_int(p, 1, o + 1);
        sqlite3_bind_text(p, 2, lm_sens_metric_name(out->metric), -1, SQLITE_STATIC);
        if (C->region[o] >= 0)
            sqlite3_bind_text(p, 3, lm_scenario_region_name(x->arms[0].sc, C->region[o]), -1,
                              SQLITE_STATIC);
        else
            sqlite3_bind_null(p, 3);
        bind_num(p, 4, est[o].mean);
        bind_num(p, 5, est[o].variance);
        sqlite3_bind_int(p, 6, est[o].rows);
        STEP(S_OUTPUT);
        for (int r = 0; ok && r < d; ++r) {
            const int i = order[(size_t)o * d + r];
            const lm_sens_index *v = &idx[(size_t)o * d + i];
            sqlite3_stmt *q = s[S_INDEX];
            sqlite3_bind_int(q, 1, o + 1);
            sqlite3_bind_int(q, 2, i);
            sqlite3_bind_text(q, 3, C->spec->params[i].name, -1, SQLITE_STATIC);
            sqlite3_bind_int(q, 4, r + 1);
            bind_num(q, 5, v->s1);
            bind_num(q, 6, v->s1_lo);
            bind_num(q, 7, v->s1_hi);
            bind_num(q, 8, v->st);
            bind_num(q, 9, v->st_lo);
            bind_num(q, 10, v->st_hi);
            STEP(S_INDEX);
        }
    }
#undef STEP
    for (int k = 0; k < S_COUNT; ++k)
        sqlite3_finalize(s[k]);
    if (!ok || sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        return db_fail(db, path, err);
    sqlite3_close(db);
    return LM_OK;
}

static void csv_num(FILE *f, double v)
{
    if (isnan(v))
        fputs(",", f);
    else
        fprintf(f, ",%.17g", v);
}

/* sensitivity.csv: one row per output and parameter, ranked. */
static lm_status write_csv(const lm__experiment *x, const sens_ctx *C, const lm_sens_index *idx,
                           const lm_sens_estimate *est, const int *order, const char *dir,
                           lm_error *err)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/sensitivity.csv", dir);
    FILE *f = fopen(path, "w");
    if (!f)
        LM_FAIL(err, LM_EIO, "%s: cannot create", path);
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
            lm__csv_text(f, lm_sens_metric_name(C->spec->outputs[o].metric));
            fputc(',', f);
            lm__csv_text(f, C->region[o] >= 0
                            ? lm_scenario_region_name(x->arms[0].sc, C->region[o])
                            : "total");
            fprintf(f, ",%d,", r + 1);
            lm__csv_text(f, C->spec->params[i].name);
            csv_num(f, v->s1);
            csv_num(f, v->s1_lo);
            csv_num(f, v->s1_hi);
            csv_num(f, v->st);
            csv_num(f, v->st_lo);
            csv_num(f, v->st_hi);
            csv_num(f, est[o].mean);
            csv_num(f, est[o].variance);
            fprintf(f, ",%d\n", est[o].rows);
        }
    }
    if (fclose(f) != 0)
        LM_FAIL(err, LM_EIO, "%s: cannot write", path);
    return LM_OK;
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
    char *text = calloc((size_t)rows * COLS, CELL);
    const char **cells = calloc((size_t)rows * COLS, sizeof *cells);
    if (!text || !cells) {
        free(text);
        free(cells);
        LM_FAIL(err, LM_ENOMEM, "sensitivity table");
    }
    for (int k = 0; k < rows * COLS; ++k)
        cells[k] = text + (size_t)k * CELL;
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
                lm_sens_metric_name(C->spec->outputs[o].metric), region, est[o].mean,
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
    free(text);
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
                         lm_sens_metric_name(C->spec->outputs[o].metric),
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
            lm_status st = lm_scenario_load_edited(path, &edits, &sc, &inner);
            if (st == LM_OK)
                st = lm__experiment_narrow(sc, job, &inner);
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
    const volatile sig_atomic_t *watched = lm__scenario_watch_stop(job->stop_flag);
    lm_status st = lm_scenario_load(path, &base, err);
    lm__scenario_watch_stop(watched);
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
    if (st == LM_OK) { /* each parameter's bounds loaded once: a signal stops these too */
        watched = lm__scenario_watch_stop(job->stop_flag);
        st = check_params(path, spec, job, err);
        lm__scenario_watch_stop(watched);
    }
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
    if (st == LM_OK) {
        watched = lm__scenario_watch_stop(job->stop_flag);
        st = lm__point_arms_make(path, names, d, values, n_points, job, &pa, err);
        lm__scenario_watch_stop(watched);
    }
    if (st == LM_OK) {
        const sens_ctx ctx = {.cfg = sens,
                              .spec = spec,
                              .n = n,
                              .d = d,
                              .n_points = n_points,
                              .values = values,
                              .region = region};
        st = lm__experiment_execute(cfg, pa.arm, n_points, "-sensitivity", sens_table, &ctx, res,
                                    err);
    }
    lm__point_arms_free(&pa);
    free(values);
    free(u);
    if (st != LM_OK) {
        const lm_error keep = *err;
        lm_experiment_result_fini(res);
        *err = keep;
    }
    return st;
}
