/* src/experiments/compare_paths.c -- the files of `longmen compare` for analysis outside
 * longmen, in the shape BehaviorSpace users expect: pairs.csv, one row per replication and
 * region with both arms and their difference (what the summary's means and intervals are
 * made of, so a reader can redo them or use another test); paths.csv, per region, metric and
 * year, the mean paired difference with its 90% t-interval (when the effect shows, not only
 * how big it is at the end); costs.csv, the public money per extra dragon, high-tech
 * enterprise and job. The summary gets the cost table too. compare.c writes the headline
 * table and compare.csv; the definitions of the metrics are the same (docs/experiments.md). */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <sqlite3.h>

#include "experiments/experiments_int.h"
#include "io/table.h"

static const char *region_name(const lm__experiment *x, int r)
{
    return r < x->n_regions ? lm_scenario_region_name(x->arms[0].sc, r) : "total";
}

static lm_status write_pairs(const lm__experiment *x, const char *dir, lm_error *err)
{
    lm__out o;
    if (lm__out_open(&o, dir, "pairs.csv", err) != LM_OK)
        return LM_ENOMEM;
    FILE *f = o.f;
    fputs("run,region", f);
    for (int k = 0; k < LM_CMP_COUNT; ++k)
        fprintf(f, ",%s_baseline,%s_counterfactual,%s_diff", lm__cmp_name(k), lm__cmp_name(k),
                lm__cmp_name(k));
    fputs("\n", f);
    for (int i = 0; i < x->runs; ++i)
        for (int r = 0; r <= x->n_regions; ++r) {
            fprintf(f, "%d,", i);
            lm__csv_text(f, region_name(x, r));
            for (int k = 0; k < LM_CMP_COUNT; ++k) {
                const double b = lm__cmp_value(x, 0, i, r, k), c = lm__cmp_value(x, 1, i, r, k);
                lm__csv_num(f, b);
                lm__csv_num(f, c);
                lm__csv_num(f, c - b);
            }
            fputs("\n", f);
        }
    return lm__out_close(&o, LM_OK, NULL, err);
}

/* ---- year by year, read from the database ---- */

/* Yearly metrics: each metric over the run up to that year (metrics.c's reductions over a
 * shorter period): cumulative dragons (first certified up to that year, the terminal's
 * definition), high-tech enterprises and jobs at the year's end, public money up to then. */
enum { Y_COUNT = 4 };
static const lm_metric y_metric[Y_COUNT] = {LM_METRIC_DRAGONS, LM_METRIC_HIGH_TECH,
                                            LM_METRIC_JOBS, LM_METRIC_PUBLIC};

typedef struct years {
    int first, n;  /* calendar years first .. first + n - 1 */
    int runs, nr;  /* replications per arm, regions (plus the total) */
    double *v;     /* [arm][run][region + total][year][Y_COUNT] */
} years;

static double *ycell(const years *y, int a, int i, int r, int t)
{
    return y->v + ((((size_t)a * (size_t)y->runs + (size_t)i) * (size_t)(y->nr + 1) +
                    (size_t)r) * (size_t)y->n + (size_t)t) * Y_COUNT;
}

/* Folds the rows of t (in time order, year at offset year_at) up to year into m. */
static size_t add_until(double *m, const lm_row_table *t, const char *rows, size_t n, size_t i,
                        size_t year_at, int year, int r)
{
    for (; i < n; ++i) {
        int32_t y;
        memcpy(&y, rows + i * t->row_size + year_at, sizeof y);
        if (y > year)
            break;
        lm__metrics_add(m, t, rows + i * t->row_size, 1, r);
    }
    return i;
}

static lm_status read_years(const lm__experiment *x, const char *db_path, years *y,
                            lm_error *err)
{
    const int64_t n_runs = 2 * (int64_t)x->runs;
    y->first = x->start / 12;
    y->n = x->end / 12 - x->start / 12 + 1;
    y->runs = x->runs;
    y->nr = x->n_regions;
    y->v = calloc((size_t)2 * (size_t)x->runs * (size_t)(x->n_regions + 1) * (size_t)y->n *
                      Y_COUNT,
                  sizeof *y->v);
    if (!y->v)
        LM_FAIL(err, LM_ENOMEM, "paths by year");
    sqlite3 *db = NULL;
    lm_status rc = lm__db_open(db_path, SQLITE_OPEN_READONLY, false, &db, err);
    for (int64_t id = 1; rc == LM_OK && id <= n_runs; ++id) {
        const int a = (int)((id - 1) / x->runs), i = (int)((id - 1) % x->runs);
        void *ry = NULL, *py = NULL;
        size_t n_ry = 0, n_py = 0;
        rc = lm__rows_read(db, db_path, &lm__rows_region_year, id, NULL, &ry, &n_ry, err);
        if (rc == LM_OK)
            rc = lm__rows_read(db, db_path, &lm__rows_public_year, id, NULL, &py, &n_py, err);
        for (int r = 0; rc == LM_OK && r < y->nr; ++r) {
            double m[LM_METRIC_COUNT] = {0};
            size_t j = 0, k = 0;
            for (int t = 0; t < y->n; ++t) {
                j = add_until(m, &lm__rows_region_year, ry, n_ry, j,
                              offsetof(lm_region_year, year), y->first + t, r);
                k = add_until(m, &lm__rows_public_year, py, n_py, k,
                              offsetof(lm_public_year, year), y->first + t, r);
                for (int q = 0; q < Y_COUNT; ++q) {
                    ycell(y, a, i, r, t)[q] = m[y_metric[q]];
                    ycell(y, a, i, y->nr, t)[q] += m[y_metric[q]];
                }
            }
        }
        lm__rows_free(&lm__rows_region_year, ry, n_ry);
        lm__rows_free(&lm__rows_public_year, py, n_py);
    }
    sqlite3_close(db);
    return rc;
}

static lm_status write_paths(const lm__experiment *x, const years *y, const char *dir,
                             lm_error *err)
{
    lm__out o;
    double *b = calloc((size_t)x->runs, sizeof *b), *c = calloc((size_t)x->runs, sizeof *c),
           *d = calloc((size_t)x->runs, sizeof *d);
    if (!b || !c || !d || lm__out_open(&o, dir, "paths.csv", err) != LM_OK) {
        free(b);
        free(c);
        free(d);
        LM_FAIL(err, LM_ENOMEM, "paths.csv");
    }
    FILE *f = o.f;
    fputs("region,metric,year,runs,baseline_mean,counterfactual_mean,diff_mean,diff_lo90,"
          "diff_hi90\n",
          f);
    for (int r = 0; r <= y->nr; ++r)
        for (int k = 0; k < Y_COUNT; ++k)
            for (int t = 0; t < y->n; ++t) {
                for (int i = 0; i < x->runs; ++i) {
                    b[i] = ycell(y, 0, i, r, t)[k];
                    c[i] = ycell(y, 1, i, r, t)[k];
                    d[i] = c[i] - b[i];
                }
                double lo, hi;
                size_t used;
                const double mb = lm_stats_mean_ci90(b, (size_t)x->runs, NULL, NULL, NULL);
                const double mc = lm_stats_mean_ci90(c, (size_t)x->runs, NULL, NULL, NULL);
                const double md = lm_stats_mean_ci90(d, (size_t)x->runs, &lo, &hi, &used);
                lm__csv_text(f, region_name(x, r));
                fprintf(f, ",%s,%d,%zu,%.17g,%.17g,%.17g,%.17g,%.17g\n",
                        lm_metric_name(y_metric[k]),
                        y->first + t, used, mb, mc, md, lo, hi);
            }
    free(b);
    free(c);
    free(d);
    return lm__out_close(&o, LM_OK, NULL, err);
    return LM_OK;
}

/* ---- cost per extra outcome ---- */

/* Public money per extra unit: mean extra public money / mean extra units. NaN when the
 * mean extra units is not positive (a policy that adds nothing has no price per unit; a
 * mean of whole differences is a multiple of 1/R, so below 1e-9 it is zero up to rounding). */
static double cost_per(double extra_public, double extra_units)
{
    return extra_units > 1e-9 ? extra_public / extra_units : NAN;
}

/* Fieller's 90% interval of mean(num) / mean(den) from n paired replications (Fieller 1954,
 * "Some problems in interval estimation", JRSS B 16:175-185; in the form of Franz 2007,
 * "Ratios: a short guide to confidence limits and proper use", arXiv:0710.2024). The pairs
 * matter: extra money and extra outcomes of one replication move together, and the ratio's
 * interval uses their covariance. The set {rho : |mean(num) - rho mean(den)| <= t se} is an
 * interval only when mean(den) is significantly non-zero at the same level (b^2 > t^2 v22,
 * the denominator's own 90% interval excludes 0); otherwise it is unbounded or two
 * half-lines, and *lo = *hi = NaN ("not defined"). Pairs with a NaN are left out. Returns
 * whether the interval is defined. */
bool lm__fieller_ci90(const double *num, const double *den, size_t n, double *lo, double *hi)
{
    *lo = *hi = NAN;
    double sa = 0, sb = 0;
    size_t k = 0;
    for (size_t i = 0; i < n; ++i)
        if (!isnan(num[i]) && !isnan(den[i])) {
            sa += num[i];
            sb += den[i];
            ++k;
        }
    if (k < 2)
        return false;
    const double a = sa / (double)k, b = sb / (double)k;
    double v11 = 0, v22 = 0, v12 = 0;
    for (size_t i = 0; i < n; ++i)
        if (!isnan(num[i]) && !isnan(den[i])) {
            v11 += (num[i] - a) * (num[i] - a);
            v22 += (den[i] - b) * (den[i] - b);
            v12 += (num[i] - a) * (den[i] - b);
        }
    /* variances and covariance of the two means */
    const double scale = 1.0 / ((double)(k - 1) * (double)k);
    v11 *= scale;
    v22 *= scale;
    v12 *= scale;
    const double t = gsl_cdf_tdist_Pinv(0.95, (double)(k - 1)), t2 = t * t;
    const double qa = b * b - t2 * v22, qb = a * b - t2 * v12, qc = a * a - t2 * v11;
    if (!(qa > 0))
        return false;
    const double disc = qb * qb - qa * qc;
    const double root = sqrt(disc > 0 ? disc : 0);
    *lo = (qb - root) / qa;
    *hi = (qb + root) / qa;
    return true;
}

/* CNY m with three significant digits, whole numbers from 1,000 up (no exponents). */
static void cost_number(char *buf, size_t size, double v, double scale)
{
    if (fabs(v / scale) >= 1000)
        snprintf(buf, size, "%.0f", v / scale);
    else
        snprintf(buf, size, "%.3g", v / scale);
}

/* "12.3 [8.1, 20.5]", "12.3 [not defined]" when the interval is not, "n/a" without a price. */
static void cost_cell(char *buf, size_t size, double v, double lo, double hi, bool with_ci,
                      double scale)
{
    if (isnan(v)) {
        snprintf(buf, size, "n/a");
        return;
    }
    char a[32], b[32], c[32];
    cost_number(a, sizeof a, v, scale);
    if (!with_ci) {
        snprintf(buf, size, "%s", a);
        return;
    }
    if (isnan(lo) || isnan(hi)) {
        snprintf(buf, size, "%s [not defined]", a);
        return;
    }
    cost_number(b, sizeof b, lo, scale);
    cost_number(c, sizeof c, hi, scale);
    snprintf(buf, size, "%s [%s, %s]", a, b, c);
}

static lm_status write_costs(FILE *summary, const lm__experiment *x, const char *dir,
                             lm_error *err)
{
    enum { COLS = 5, CELL = 128 };
    static const int per[3] = {LM_CMP_DRAGONS, LM_CMP_HIGH_TECH, LM_CMP_JOBS};
    static const char *const per_name[3] = {"dragons", "high-tech enterprises", "jobs"};
    const int rows = x->n_regions + 2;
    char *text;
    const char **cells = lm__table_cells((size_t)rows * COLS, CELL, &text);
    double *d = calloc((size_t)x->runs * LM_CMP_COUNT, sizeof *d);
    lm__out o;
    if (!cells || !d || lm__out_open(&o, dir, "costs.csv", err) != LM_OK) {
        free(cells);
        free(d);
        LM_FAIL(err, LM_ENOMEM, "costs.csv");
    }
    FILE *f = o.f;
    static const char *const titles[COLS] = {"region", "extra public money, CNY bn",
                                             "CNY m per extra dragon",
                                             "CNY m per extra high-tech", "CNY m per extra job"};
    for (int c = 0; c < COLS; ++c)
        snprintf(text + (size_t)c * CELL, CELL, "%s", titles[c]);
    /* the intervals come after the columns of earlier versions, which keep their places */
    fputs("region,extra_public_cny,cny_per_extra_dragon,cny_per_extra_high_tech,"
          "cny_per_extra_job,extra_public_cny_lo90,extra_public_cny_hi90,"
          "cny_per_extra_dragon_lo90,cny_per_extra_dragon_hi90,"
          "cny_per_extra_high_tech_lo90,cny_per_extra_high_tech_hi90,"
          "cny_per_extra_job_lo90,cny_per_extra_job_hi90\n",
          f);
    const bool with_ci = x->runs >= 2;
    int undefined[3] = {0, 0, 0};
    for (int r = 0; r <= x->n_regions; ++r) {
        double mean[LM_CMP_COUNT], mlo = NAN, mhi = NAN;
        for (int k = 0; k < LM_CMP_COUNT; ++k) {
            double *dk = d + (size_t)k * (size_t)x->runs;
            for (int i = 0; i < x->runs; ++i)
                dk[i] = lm__cmp_value(x, 1, i, r, k) - lm__cmp_value(x, 0, i, r, k);
            mean[k] = lm_stats_mean_ci90(dk, (size_t)x->runs, k == LM_CMP_PUBLIC ? &mlo : NULL,
                                         k == LM_CMP_PUBLIC ? &mhi : NULL, NULL);
        }
        char *row = text + (size_t)(r + 1) * COLS * CELL;
        snprintf(row, CELL, "%s", region_name(x, r));
        cost_cell(row + CELL, CELL, mean[LM_CMP_PUBLIC], mlo, mhi, with_ci, 1e9);
        lm__csv_text(f, region_name(x, r));
        lm__csv_num(f, mean[LM_CMP_PUBLIC]);
        double lo[3], hi[3], v[3];
        for (int j = 0; j < 3; ++j) {
            v[j] = cost_per(mean[LM_CMP_PUBLIC], mean[per[j]]);
            lm__fieller_ci90(d + (size_t)LM_CMP_PUBLIC * (size_t)x->runs,
                             d + (size_t)per[j] * (size_t)x->runs, (size_t)x->runs, &lo[j],
                             &hi[j]);
            if (isnan(v[j]))
                lo[j] = hi[j] = NAN;
            else if (with_ci && isnan(lo[j]))
                ++undefined[j];
            cost_cell(row + (size_t)(j + 2) * CELL, CELL, v[j], lo[j], hi[j], with_ci, 1e6);
            lm__csv_num(f, v[j]);
        }
        lm__csv_num(f, with_ci ? mlo : NAN);
        lm__csv_num(f, with_ci ? mhi : NAN);
        for (int j = 0; j < 3; ++j) {
            lm__csv_num(f, lo[j]);
            lm__csv_num(f, hi[j]);
        }
        fputs("\n", f);
    }
    fprintf(summary, "\npublic money per extra outcome (mean extra public money / mean extra "
                     "outcome over the %d pairs; n/a without a positive mean gain)%s:\n\n",
            x->runs,
            with_ci ? ", with Fieller's 90% interval of the ratio from the paired replications"
                    : "");
    lm__table_write(summary, cells, rows, COLS, "lrrrr", true);
    if (undefined[0] + undefined[1] + undefined[2] > 0) {
        fputs("\nnot defined: the 90% interval of the mean extra ", summary);
        bool first = true;
        for (int j = 0; j < 3; ++j)
            if (undefined[j]) {
                fprintf(summary, "%s%s", first ? "" : " or ", per_name[j]);
                first = false;
            }
        fputs(" includes 0, so the cost per unit is unbounded at 90%; more replications "
              "(--runs, --precision) may narrow it\n",
              summary);
    }
    fprintf(summary, "\nper replication: pairs.csv; mean difference by year with its 90%% "
                     "interval: paths.csv; these costs: costs.csv\n");
    free(cells);
    free(d);
    return lm__out_close(&o, LM_OK, NULL, err);
}

lm_status lm__compare_write_paths(FILE *summary, const lm__experiment *x, const char *dir,
                                  lm_error *err)
{
    if (x->n_arms != 2)
        return LM_OK;
    lm_status st = write_pairs(x, dir, err);
    if (st == LM_OK)
        st = write_costs(summary, x, dir, err);
    if (st != LM_OK)
        return st;
    char db[4200];
    snprintf(db, sizeof db, "%s/results.sqlite", dir);
    years y = {0};
    st = read_years(x, db, &y, err);
    if (st == LM_OK)
        st = write_paths(x, &y, dir, err);
    free(y.v);
    return st;
}
