/* src/experiments/sweep.c -- `longmen sweep` (include/longmen/experiments.h): a design of
 * points over scenario parameters (a full grid, or a Sobol quasi-random design from GSL),
 * R replications per point with common random numbers across points, and the headline table
 * per point. docs/experiments.md.
 *
 * A point is an arm of the replication engine (replicate.c): its scenario is the file with
 * the edits NAME=VALUE of the point (src/scenario/edits.c, the same edits as `compare
 * --policy`), so a value is checked like a value in the file, and run.scenario_yaml ends
 * with a comment listing the edits. Every point simulates replication i with the same seed
 * and run index i, so the points differ by their parameters only, not by their draws. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_qrng.h>

#include "experiments/experiments_int.h"
#include "experiments/lifecycle.h"
#include "io/rows.h"
#include "io/table.h"
#include "scenario/scenario_int.h"

/* What the table writer needs beyond the engine's view. */
typedef struct sweep_target {
    int r, k; /* region (n_regions: total), SW_ metric */
    double half;
} sweep_target;

typedef struct sweep_ctx {
    const lm_sweep_config *sw;
    const double *values; /* n_points x n_params */
    int n_points;
    const sweep_target *targets; /* --precision, per point */
    int n_targets;
} sweep_ctx;

/* The value as the simulation reads it: 15 significant digits. */
static double as_text(double v, char *buf, size_t size)
{
    snprintf(buf, size, "%.15g", v);
    return strtod(buf, NULL);
}

lm_status lm_sweep_design_points(const lm_sweep_config *sw, double **values, int *n_points,
                                 lm_error *err)
{
    *values = NULL;
    *n_points = 0;
    const int np = sw->n_params;
    if (np < 1 || np > LM_SWEEP_MAX_PARAMS)
        LM_FAIL(err, LM_EINVAL, "sweep: expected 1 to %d parameters, got %d",
                LM_SWEEP_MAX_PARAMS, np);
    for (int j = 0; j < np; ++j) {
        const lm_sweep_param *p = &sw->params[j];
        if (!p->name || !*p->name || strchr(p->name, '='))
            LM_FAIL(err, LM_EINVAL, "sweep: parameter %d: expected a name without '='", j + 1);
        if (!isfinite(p->lo) || !isfinite(p->hi))
            LM_FAIL(err, LM_EINVAL, "sweep: %s: bounds must be finite numbers", p->name);
        for (int k = 0; k < j; ++k)
            if (strcmp(sw->params[k].name, p->name) == 0)
                LM_FAIL(err, LM_EINVAL, "sweep: %s is given twice", p->name);
    }
    long long n = 1;
    if (sw->design == LM_SWEEP_GRID) {
        for (int j = 0; j < np; ++j) {
            if (sw->params[j].steps < 1)
                LM_FAIL(err, LM_EINVAL, "sweep: %s: steps must be at least 1",
                        sw->params[j].name);
            n *= sw->params[j].steps;
            if (n > LM_SWEEP_MAX_POINTS)
                LM_FAIL(err, LM_EINVAL, "sweep: the grid has more than %d points",
                        LM_SWEEP_MAX_POINTS);
        }
    } else if (sw->design == LM_SWEEP_SOBOL) {
        if (sw->points < 1 || sw->points > LM_SWEEP_MAX_POINTS)
            LM_FAIL(err, LM_EINVAL, "sweep: --points %d: expected 1 to %d", sw->points,
                    LM_SWEEP_MAX_POINTS);
        n = sw->points;
    } else {
        LM_FAIL(err, LM_EINVAL, "sweep: unknown design");
    }
    double *v = malloc((size_t)n * (size_t)np * sizeof *v);
    if (!v)
        LM_FAIL(err, LM_ENOMEM, "sweep design");
    char buf[64];
    if (sw->design == LM_SWEEP_GRID) {
        for (long long k = 0; k < n; ++k) {
            long long rest = k; /* mixed radix, the last parameter fastest */
            for (int j = np - 1; j >= 0; --j) {
                const lm_sweep_param *p = &sw->params[j];
                const int s = (int)(rest % p->steps);
                rest /= p->steps;
                const double x = p->steps == 1      ? p->lo
                                 : s == p->steps - 1 ? p->hi
                                                     : p->lo + (p->hi - p->lo) * s / (p->steps - 1);
                v[k * np + j] = as_text(x, buf, sizeof buf);
            }
        }
    } else {
        gsl_qrng *q = gsl_qrng_alloc(gsl_qrng_sobol, (unsigned)np);
        if (!q) {
            free(v);
            LM_FAIL(err, LM_EINVAL, "sweep: GSL's Sobol sequence supports at most 40 dimensions");
        }
        double u[LM_SWEEP_MAX_PARAMS];
        for (long long k = 0; k < n; ++k) {
            gsl_qrng_get(q, u);
            for (int j = 0; j < np; ++j) {
                const lm_sweep_param *p = &sw->params[j];
                v[k * np + j] = as_text(p->lo + u[j] * (p->hi - p->lo), buf, sizeof buf);
            }
        }
        gsl_qrng_free(q);
    }
    *values = v;
    *n_points = (int)n;
    return LM_OK;
}

/* ---- the headline outputs ---- */

enum { SW_DRAGONS, SW_HIGH_TECH, SW_ALIVE, SW_JOBS, SW_PUBLIC, SW_COUNT };

static const lm_metric sw_metric[SW_COUNT] = {LM_METRIC_DRAGONS, LM_METRIC_HIGH_TECH,
                                              LM_METRIC_ALIVE, LM_METRIC_JOBS, LM_METRIC_PUBLIC};

/* The job's tables: sweep_point, one row per point of the design, and sweep_value, the
 * point's value of each parameter (docs/output.md). */
#define SWEEP_POINT_COLUMNS(X, V)                                                               \
    X(int64_t, point_id, INTEGER, ID, "K = 1, 2, ... in the design's order")                    \
    X(const char *, arm, TEXT, ATTR, "'point K', the run.arm of its runs")                      \
    X(int64_t, first_run_id, INTEGER, ATTR, "run_id of its first replication")                  \
    X(int64_t, runs, INTEGER, ATTR, "R, replications per point")
#define SWEEP_VALUE_COLUMNS(X, V)                                                               \
    X(int64_t, point_id, INTEGER, KEY, "the point")                                             \
    X(int64_t, param, INTEGER, KEY, "0-based index of the --param option")                      \
    X(const char *, name, TEXT, ATTR, "the parameter, as given")                                \
    X(double, value, REAL, ATTR, "the value the point's runs simulated")
#define LM_ROW_T sweep_point_row
LM_ROW_DECLARE(const, lm__rows_sweep_point, "sweep_point", SWEEP_POINT_COLUMNS, .no_run_id = true);
#undef LM_ROW_T
#define LM_ROW_T sweep_value_row
LM_ROW_DECLARE(const, lm__rows_sweep_value, "sweep_value", SWEEP_VALUE_COLUMNS, .no_run_id = true);
#undef LM_ROW_T

/* Both tables in results.sqlite, rewritten whole, so a resumed job ends with the tables an
 * uninterrupted one writes. */
static lm_status write_tables(const lm__experiment *x, const char *dir, lm_error *err)
{
    const sweep_ctx *C = x->user;
    char path[4200];
    snprintf(path, sizeof path, "%s/results.sqlite", dir);
    const int np = C->sw->n_params;
    sweep_point_row *points = calloc((size_t)x->n_arms, sizeof *points);
    sweep_value_row *values = calloc((size_t)x->n_arms * (size_t)(np > 0 ? np : 1), sizeof *values);
    if (!points || !values) {
        free(points);
        free(values);
        LM_FAIL(err, LM_ENOMEM, "sweep tables");
    }
    for (int k = 0; k < x->n_arms; ++k) {
        points[k] = (sweep_point_row){k + 1, x->arms[k].name, (int64_t)k * x->runs + 1, x->runs};
        for (int j = 0; j < np; ++j)
            values[(size_t)k * np + j] = (sweep_value_row){k + 1, j, C->sw->params[j].name,
                                                           C->values[(size_t)k * np + j]};
    }
    const lm_row_set sets[] = {{&lm__rows_sweep_point, points, (size_t)x->n_arms},
                               {&lm__rows_sweep_value, values, (size_t)x->n_arms * (size_t)np}};
    const lm_status st = lm__rows_replace(path, sets, 2, err);
    free(points);
    free(values);
    return st;
}

/* sweep.csv: one row per point. */
static lm_status write_csv(const lm__experiment *x, const char *dir, lm_error *err)
{
    const sweep_ctx *C = x->user;
    lm__out o;
    if (lm__out_open(&o, dir, "sweep.csv", err) != LM_OK)
        return LM_ENOMEM;
    FILE *f = o.f;
    const int np = C->sw->n_params, nr = x->n_regions;
    fprintf(f, "point_id");
    for (int j = 0; j < np; ++j) {
        fputc(',', f);
        lm__csv_text(f, C->sw->params[j].name);
    }
    for (int r = 0; r <= nr; ++r)
        for (int k = 0; k < SW_COUNT; ++k) {
            static const char *const sfx[] = {"mean", "lo90", "hi90"};
            for (int s = 0; s < 3; ++s) {
                char head[256];
                snprintf(head, sizeof head, "%s.%s_%s",
                         r < nr ? lm_scenario_region_name(x->arms[0].sc, r) : "total",
                         lm_metric_name(sw_metric[k]), sfx[s]);
                fputc(',', f);
                lm__csv_text(f, head);
            }
        }
    fputc('\n', f);
    double *v = calloc((size_t)x->runs, sizeof *v);
    for (int a = 0; v && a < x->n_arms; ++a) {
        fprintf(f, "%d", a + 1);
        for (int j = 0; j < np; ++j)
            fprintf(f, ",%.15g", C->values[(size_t)a * np + j]);
        for (int r = 0; r <= nr; ++r)
            for (int k = 0; k < SW_COUNT; ++k) {
                for (int i = 0; i < x->runs; ++i)
                    v[i] = lm__xm(x, a, i, r, sw_metric[k]);
                double lo, hi;
                const double m = lm_stats_mean_ci90(v, (size_t)x->runs, &lo, &hi, NULL);
                fprintf(f, ",%.17g,%.17g,%.17g", m, lo, hi);
            }
        fputc('\n', f);
    }
    const bool ok = v != NULL;
    free(v);
    return lm__out_close(
        &o, ok ? LM_OK : lm_error_set(err, LM_ENOMEM, __FILE__, __LINE__, "sweep.csv"), NULL,
        err);
}

/* The terminal table: one row per point, totals over regions. */
static lm_status sweep_table(FILE *f, const lm__experiment *x, const char *dir, lm_error *err)
{
    const sweep_ctx *C = x->user;
    enum { CELL = 128 };
    const int np = C->sw->n_params;
    const int cols = 1 + np + SW_COUNT, rows = x->n_arms + 1;
    char *text;
    const char **cells = lm__table_cells((size_t)rows * (size_t)cols, CELL, &text);
    char *align = calloc((size_t)cols + 1, 1);
    double *v = calloc((size_t)x->runs, sizeof *v);
    if (!cells || !align || !v) {
        free(cells);
        free(align);
        free(v);
        LM_FAIL(err, LM_ENOMEM, "sweep table");
    }
    memset(align, 'r', (size_t)cols);
    static const char *const titles[SW_COUNT] = {"dragons", "high-tech", "firms alive", "jobs",
                                                 "public money, CNY bn"};
    snprintf(text, CELL, "point");
    for (int j = 0; j < np; ++j)
        snprintf(text + (size_t)(1 + j) * CELL, CELL, "%s", C->sw->params[j].name);
    for (int k = 0; k < SW_COUNT; ++k)
        snprintf(text + (size_t)(1 + np + k) * CELL, CELL, "%s", titles[k]);
    for (int a = 0; a < x->n_arms; ++a) {
        char *row = text + (size_t)(a + 1) * (size_t)cols * CELL;
        snprintf(row, CELL, "%d", a + 1);
        for (int j = 0; j < np; ++j)
            snprintf(row + (size_t)(1 + j) * CELL, CELL, "%.6g",
                     C->values[(size_t)a * np + j]);
        for (int k = 0; k < SW_COUNT; ++k) {
            for (int i = 0; i < x->runs; ++i)
                v[i] = lm__xm(x, a, i, x->n_regions, sw_metric[k]);
            lm__cell_mean_ci(row + (size_t)(1 + np + k) * CELL, CELL, v, (size_t)x->runs,
                             k == SW_PUBLIC ? 1e9 : 1.0);
        }
    }
    char from[16], to[16];
    lm_month_format(x->start, from);
    lm_month_format(x->end, to);
    fprintf(f, "%s  seed %llu  %s design, %d points x %d runs  %s to %s (%d months)\n",
            lm_scenario_name(x->arms[0].sc), (unsigned long long)x->seed,
            C->sw->design == LM_SWEEP_SOBOL ? "Sobol" : "grid", x->n_arms, x->runs, from,
            to, (int)(x->end - x->start + 1));
    fprintf(f, "common random numbers across points; totals over regions\n\n");
    lm__table_write(f, cells, rows, cols, align, false);
    fprintf(f,
            "\nmean over %d replications [90%% t-interval of the mean]; dragons over the run, "
            "high-tech, firms alive and jobs (employees) at %s; public money = what the purse "
            "gave up over the run, net (outlays + tax expenditures - returns; commitments not "
            "counted).\n",
            x->runs, to);
    for (int t = 0; t < C->n_targets; ++t) { /* --precision: the widest point decides */
        double widest = 0.0;
        for (int a = 0; a < x->n_arms; ++a) {
            for (int i = 0; i < x->runs; ++i)
                v[i] = lm__xm(x, a, i, C->targets[t].r, sw_metric[C->targets[t].k]);
            double lo, hi;
            lm_stats_mean_ci90(v, (size_t)x->runs, &lo, &hi, NULL);
            widest = fmax(widest, (hi - lo) / 2.0);
        }
        fprintf(f, "precision %s: widest half-width over the points %.3g after %d runs, target "
                   "%.3g: %s\n",
                x->cfg->precision[t].metric, widest, x->runs, C->targets[t].half,
                widest <= C->targets[t].half ? "met" : "not met (--max-runs reached)");
    }
    if (x->out_dir)
        fprintf(f, "results: %s (sweep.csv: per region; results.sqlite: sweep_point, "
                   "sweep_value)\n",
                x->out_dir);
    free(cells);
    free(align);
    free(v);
    if (ferror(f))
        LM_FAIL(err, LM_EIO, "could not write the sweep table");
    lm_status st = write_tables(x, dir, err);
    return st == LM_OK ? write_csv(x, dir, err) : st;
}

lm_status lm__point_arms_make(const char *path, const char *const *names, int d,
                              const double *values, int n, const lm_job_config *job,
                              lm__point_arms *out, lm_error *err)
{
    memset(out, 0, sizeof *out);
    out->arm = calloc((size_t)n, sizeof *out->arm);
    out->names = calloc((size_t)n, 32);
    char *edit_text = calloc((size_t)d, 512);
    const char **set = calloc((size_t)d, sizeof *set);
    lm_status st = LM_OK;
    if (!out->arm || !out->names || !edit_text || !set)
        st = lm_error_set(err, LM_ENOMEM, __FILE__, __LINE__, "design points");
    else
        out->n = n;
    for (int k = 0; st == LM_OK && k < n; ++k) {
        for (int j = 0; j < d; ++j) {
            char *e = edit_text + (size_t)j * 512;
            snprintf(e, 512, "%s=%.15g", names[j], values[(size_t)k * d + j]);
            set[j] = e;
        }
        const lm_scenario_edits edits = {.set = set, .n_set = d};
        snprintf(out->names + (size_t)k * 32, 32, "point %d", k + 1);
        out->arm[k].name = out->names + (size_t)k * 32;
        st = lm__xp_load(job, path, &edits, &out->arm[k].sc, err);
        if (st == LM_OK && k > 0 &&
            lm_scenario_region_count(out->arm[k].sc) != lm_scenario_region_count(out->arm[0].sc))
            st = lm_error_set(err, LM_EINVAL, __FILE__, __LINE__,
                              "the edits changed the number of regions");
    }
    free(edit_text);
    free(set);
    return st;
}

void lm__point_arms_free(lm__point_arms *pa)
{
    for (int k = 0; pa->arm && k < pa->n; ++k)
        lm_scenario_free(pa->arm[k].sc);
    free(pa->arm);
    free(pa->names);
    memset(pa, 0, sizeof *pa);
}

/* ---- --precision per point: compare's batches, on each point's mean ---- */

/* "REGION.METRIC" (REGION a name, name_en or total) into a target. */
static lm_status sweep_target_make(const lm_scenario *sc, const lm_precision_target *g,
                                   sweep_target *t, lm_error *err)
{
    const char *dot = strrchr(g->metric, '.');
    char list[160];
    t->k = lm__metric_pick(dot ? dot + 1 : "", sw_metric, SW_COUNT, list, sizeof list, " or ");
    if (t->k < 0)
        LM_FAIL(err, LM_EINVAL, "--precision %s: expected REGION.METRIC, METRIC %s", g->metric,
                list);
    char region[128];
    const size_t len = (size_t)(dot - g->metric);
    if (len == 0 || len >= sizeof region)
        LM_FAIL(err, LM_EINVAL, "--precision %s: expected REGION.METRIC", g->metric);
    memcpy(region, g->metric, len);
    region[len] = '\0';
    t->r = strcmp(region, "total") == 0 ? lm_scenario_region_count(sc)
                                        : lm__region_named(lm__scenario_params(sc), region);
    if (t->r < 0)
        LM_FAIL(err, LM_EINVAL, "--precision %s: no region '%s' in %s", g->metric, region,
                lm_scenario_name(sc));
    t->half = g->halfwidth;
    return LM_OK;
}

/* Every point's 90% interval of the mean of every target at most its half-width. */
static bool sweep_precision_met(const lm__experiment *x)
{
    const sweep_ctx *C = x->user;
    double *v = calloc((size_t)x->runs, sizeof *v);
    bool met = v != NULL;
    for (int a = 0; met && a < x->n_arms; ++a)
        for (int t = 0; met && t < C->n_targets; ++t) {
            for (int i = 0; i < x->runs; ++i)
                v[i] = lm__xm(x, a, i, C->targets[t].r, sw_metric[C->targets[t].k]);
            double lo, hi;
            size_t used;
            lm_stats_mean_ci90(v, (size_t)x->runs, &lo, &hi, &used);
            met = used >= 2 && (hi - lo) / 2.0 <= C->targets[t].half;
        }
    free(v);
    return met;
}

lm_status lm_experiment_sweep(const lm_experiment_config *cfg, const lm_sweep_config *sw,
                              lm_experiment_result *res, lm_error *err)
{
    memset(res, 0, sizeof *res);
    lm_error_clear(err);
    double *values = NULL;
    int n = 0;
    lm_status st = lm_sweep_design_points(sw, &values, &n, err);
    if (st != LM_OK)
        return st;
    const int most = cfg->n_precision > 0 && cfg->max_runs > cfg->runs ? cfg->max_runs : cfg->runs;
    if ((long long)n * most > LM_SWEEP_MAX_TOTAL) {
        free(values);
        LM_FAIL(err, LM_EINVAL, "sweep: %d points x %d runs is more than %d simulations", n,
                most, LM_SWEEP_MAX_TOTAL);
    }
    const int np = sw->n_params;
    const lm_job_config *job = &cfg->job;
    const char *path = job->scenario_path ? job->scenario_path : lm_default_scenario_path();
    const char *names[LM_SWEEP_MAX_PARAMS];
    for (int j = 0; j < np; ++j)
        names[j] = sw->params[j].name;
    lm__point_arms pa = {0};
    sweep_target *targets = calloc((size_t)(cfg->n_precision > 0 ? cfg->n_precision : 1),
                                   sizeof *targets);
    st = targets ? lm__point_arms_make(path, names, np, values, n, job, &pa, err)
                 : lm_error_set(err, LM_ENOMEM, __FILE__, __LINE__, "sweep targets");
    for (int t = 0; st == LM_OK && t < cfg->n_precision; ++t)
        st = sweep_target_make(pa.arm[0].sc, &cfg->precision[t], &targets[t], err);
    if (st == LM_OK) {
        const sweep_ctx ctx = {.sw = sw, .values = values, .n_points = n, .targets = targets,
                               .n_targets = cfg->n_precision};
        st = lm__experiment_execute_until(cfg, pa.arm, n, "-sweep", sweep_table,
                                          cfg->n_precision > 0 ? sweep_precision_met : NULL,
                                          &ctx, res, err);
    }
    free(targets);
    lm__point_arms_free(&pa);
    free(values);
    return lm__xp_end(res, st, err);
}
