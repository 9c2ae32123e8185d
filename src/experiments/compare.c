/* src/experiments/compare.c -- `longmen compare` (include/longmen/experiments.h): a baseline
 * and a counterfactual with common random numbers, and the paired comparison table.
 *
 * Common random numbers: replication i of both arms simulates with the same seed and run
 * index i, so every random stream (keyed by seed, run, entity, purpose, month) is the same in
 * both arms as far as the arms' entities are the same; the difference of a paired run is the
 * policy's effect plus the divergence the policy sets off, not two independent draws. Hence
 * the paired interval: the t-interval of the mean of the R differences. A scenario compared
 * with itself gives identical runs and exactly zero in every replication. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "experiments/experiments_int.h"
#include "io/table.h"

enum { CMP_DRAGONS, CMP_HIGH_TECH, CMP_JOBS, CMP_TVPI, CMP_PUBLIC, CMP_COUNT };

static const char *const cmp_names[CMP_COUNT] = {"dragons", "high_tech", "jobs", "fund_tvpi",
                                                 "public_cny"};

/* The value of comparison metric c in arm a, replication i, region r. */
static double cmp_value(const lm__experiment *x, int a, int i, int r, int c)
{
    switch (c) {
    case CMP_DRAGONS:
        return lm__xm(x, a, i, r, LM_XM_DRAGONS);
    case CMP_HIGH_TECH:
        return lm__xm(x, a, i, r, LM_XM_HIGH_TECH);
    case CMP_JOBS:
        return lm__xm(x, a, i, r, LM_XM_HEADCOUNT);
    case CMP_TVPI: {
        const double paid = lm__xm(x, a, i, r, LM_XM_FUND_PAID);
        return paid > 0 ? lm__xm(x, a, i, r, LM_XM_FUND_VALUE) / paid : NAN;
    }
    default:
        return lm__xm(x, a, i, r, LM_XM_PUBLIC);
    }
}

static lm_status write_csv(const lm__experiment *x, const char *dir, lm_error *err)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/compare.csv", dir);
    FILE *f = fopen(path, "w");
    if (!f)
        LM_FAIL(err, LM_EIO, "%s: cannot create", path);
    fprintf(f, "region,metric,runs,baseline_mean,counterfactual_mean,diff_mean,diff_lo90,"
               "diff_hi90\n");
    double *b = calloc((size_t)x->runs, sizeof *b), *c = calloc((size_t)x->runs, sizeof *c),
           *d = calloc((size_t)x->runs, sizeof *d);
    for (int r = 0; b && c && d && r <= x->n_regions; ++r)
        for (int k = 0; k < CMP_COUNT; ++k) {
            for (int i = 0; i < x->runs; ++i) {
                b[i] = cmp_value(x, 0, i, r, k);
                c[i] = cmp_value(x, 1, i, r, k);
                d[i] = c[i] - b[i];
            }
            double lo, hi;
            size_t used;
            const double mb = lm_stats_mean_ci90(b, (size_t)x->runs, NULL, NULL, NULL);
            const double mc = lm_stats_mean_ci90(c, (size_t)x->runs, NULL, NULL, NULL);
            const double md = lm_stats_mean_ci90(d, (size_t)x->runs, &lo, &hi, &used);
            const char *name = r < x->n_regions ? lm_scenario_region_name(x->arms[0].sc, r)
                                                : "total";
            fprintf(f, "\"%s\",%s,%zu,%.17g,%.17g,%.17g,%.17g,%.17g\n", name, cmp_names[k], used,
                    mb, mc, md, lo, hi);
        }
    const bool ok = b && c && d;
    free(b);
    free(c);
    free(d);
    if (fclose(f) != 0 || !ok)
        LM_FAIL(err, LM_EIO, "%s: cannot write", path);
    return LM_OK;
}

/* Share of the new government commitments to guidance sub-funds that reached firms (the
 * government's part of the sub-funds' deals over the commitments), mean over replications,
 * per arm: a fund that commits and never invests shows here, not in public money. */
static void invested_share_lines(FILE *f, const lm__experiment *x)
{
    fprintf(f, "public capital invested, %% of new government commitments to guidance funds "
               "(baseline -> counterfactual):");
    for (int r = 0; r <= x->n_regions; ++r) {
        double share[2];
        for (int a = 0; a < 2; ++a) {
            double committed = 0.0, invested = 0.0;
            for (int i = 0; i < x->runs; ++i) {
                committed += lm__xm(x, a, i, r, LM_XM_GOV_COMMITTED);
                invested += lm__xm(x, a, i, r, LM_XM_GOV_INVESTED);
            }
            share[a] = committed > 0.0 ? 100.0 * invested / committed : NAN;
        }
        const char *name = r < x->n_regions ? lm_scenario_region_name(x->arms[0].sc, r) : "total";
        char b[32], c[32];
        snprintf(b, sizeof b, isfinite(share[0]) ? "%.1f%%" : "n/a", share[0]);
        snprintf(c, sizeof c, isfinite(share[1]) ? "%.1f%%" : "n/a", share[1]);
        fprintf(f, "%s %s %s -> %s", r == 0 ? "" : ";", name, b, c);
    }
    fprintf(f, "\n");
}

static lm_status compare_table(FILE *f, const lm__experiment *x, const char *dir, lm_error *err)
{
    enum { COLS = 7, CELL = 128 };
    const int n = x->n_regions;
    const int rows = n + 2;
    char *text = calloc((size_t)rows * COLS, CELL);
    const char **cells = calloc((size_t)rows * COLS, sizeof *cells);
    double *d = calloc((size_t)x->runs, sizeof *d);
    if (!text || !cells || !d) {
        free(text);
        free(cells);
        free(d);
        LM_FAIL(err, LM_ENOMEM, "comparison table");
    }
    for (int k = 0; k < rows * COLS; ++k)
        cells[k] = text + (size_t)k * CELL;
    static const char *const titles[COLS] = {"region", "dragons", "high-tech", "jobs",
                                             "fund TVPI", "public money, CNY bn",
                                             "CNY bn per extra dragon"};
    for (int c = 0; c < COLS; ++c)
        snprintf(text + (size_t)c * CELL, CELL, "%s", titles[c]);
    for (int r = 0; r <= n; ++r) {
        char *row = text + (size_t)(r + 1) * COLS * CELL;
        snprintf(row, CELL, "%s", r < n ? lm_scenario_region_name(x->arms[0].sc, r) : "total");
        double mean_d[CMP_COUNT];
        for (int k = 0; k < CMP_COUNT; ++k) {
            for (int i = 0; i < x->runs; ++i)
                d[i] = cmp_value(x, 1, i, r, k) - cmp_value(x, 0, i, r, k);
            mean_d[k] = lm_stats_mean_ci90(d, (size_t)x->runs, NULL, NULL, NULL);
            lm__cell_mean_ci(row + (size_t)(k + 1) * CELL, CELL, d, (size_t)x->runs,
                             k == CMP_PUBLIC ? 1e9 : 1.0);
        }
        char *cost = row + (size_t)6 * CELL;
        /* a mean of whole differences is a multiple of 1/R: anything below 1e-9 is zero up
           to rounding (a sum of +4 -3 +1 -2 +3 -3 is not always exactly 0 in floating point) */
        if (mean_d[CMP_DRAGONS] > 1e-9)
            snprintf(cost, CELL, "%.3g", mean_d[CMP_PUBLIC] / mean_d[CMP_DRAGONS] / 1e9);
        else
            snprintf(cost, CELL, "n/a");
    }
    char from[16], to[16];
    lm_month_format(x->start, from);
    lm_month_format(x->end, to);
    fprintf(f, "%s  seed %llu  %d runs per arm  %s to %s (%d months)\n",
            lm_scenario_name(x->arms[0].sc), (unsigned long long)x->seed, x->runs, from, to,
            (int)(x->end - x->start + 1));
    fprintf(f, "counterfactual - baseline, common random numbers\n\n");
    lm__table_write(f, cells, rows, COLS, "lrrrrrr", true);
    fprintf(f,
            "\nmean paired difference over %d replications [90%% t-interval]; dragons over the "
            "run, high-tech and jobs (employees) at %s; fund TVPI of policy funds (distributed "
            "+ NAV over paid-in); public money = what the purse gave up over the run, net: "
            "subsidies + government capital called by guidance funds + direct injections + "
            "tax expenditures - returns to government LPs (commitments not counted); per "
            "extra dragon: mean extra public money / mean extra dragons, n/a without extra "
            "dragons.\n",
            x->runs, to);
    invested_share_lines(f, x);
    if (x->out_dir)
        fprintf(f, "results: %s (compare.csv: both arms' means and the differences)\n",
                x->out_dir);
    free(text);
    free(cells);
    free(d);
    if (ferror(f))
        LM_FAIL(err, LM_EIO, "could not write the comparison table");
    return write_csv(x, dir, err);
}

lm_status lm__experiment_narrow(lm_scenario *sc, const lm_job_config *job, lm_error *err)
{
    if (!job->has_from && !job->has_to)
        return LM_OK;
    int32_t start, end;
    lm_scenario_period(sc, &start, &end);
    return lm_scenario_set_period(sc, job->has_from ? job->from : start,
                                  job->has_to ? job->to : end, err);
}

lm_status lm_experiment_compare(const lm_experiment_config *cfg, const lm_scenario_edits *edits,
                                lm_experiment_result *res, lm_error *err)
{
    return lm__experiment_compare_files(cfg, NULL, edits, res, err);
}

/* experiments_int.h: the counterfactual read from cf_path (NULL: the baseline's file). */
lm_status lm__experiment_compare_files(const lm_experiment_config *cfg, const char *cf_path,
                                       const lm_scenario_edits *edits,
                                       lm_experiment_result *res, lm_error *err)
{
    memset(res, 0, sizeof *res);
    lm_error_clear(err);
    const lm_job_config *job = &cfg->job;
    const char *path = job->scenario_path ? job->scenario_path : lm_default_scenario_path();
    lm_scenario *base = NULL, *cf = NULL;
    lm_status st = lm_scenario_load(path, &base, err);
    if (st == LM_OK)
        st = lm_scenario_load_edited(cf_path ? cf_path : path, edits, &cf, err);
    if (st == LM_OK)
        st = lm__experiment_narrow(base, job, err);
    if (st == LM_OK)
        st = lm__experiment_narrow(cf, job, err);
    if (st == LM_OK && lm_scenario_region_count(base) != lm_scenario_region_count(cf))
        st = lm_error_set(err, LM_EINVAL, __FILE__, __LINE__,
                          "the edits changed the number of regions");
    const lm__arm arms[2] = {{.name = "baseline", .sc = base}, {.name = "counterfactual", .sc = cf}};
    if (st == LM_OK)
        st = lm__experiment_execute(cfg, arms, 2, "-compare", compare_table, NULL, res,
                                   err);
    lm_scenario_free(base);
    lm_scenario_free(cf);
    if (st != LM_OK) {
        const lm_error keep = *err;
        lm_experiment_result_fini(res);
        *err = keep;
    }
    return st;
}
