/* src/experiments/compare.c -- `longmen compare` (include/longmen/experiments.h): a baseline
 * and a counterfactual with common random numbers, and the paired comparison table.
 *
 * Common random numbers: replication i of both arms simulates with the same seed and run
 * index i, so every random stream (keyed by seed, run, entity, purpose, month) is the same in
 * both arms as far as the arms' entities are the same; the difference of a paired run is the
 * policy's effect plus the divergence the policy sets off, not two independent draws. Hence
 * the paired interval: the t-interval of the mean of the R differences. A scenario compared
 * with itself gives identical runs and exactly zero in every replication.
 *
 * What the pairing is worth, the multiple-comparison correction, sample sizes and the
 * --precision stopping rule: compare_stats.c, used by the functions at the end of this file. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "experiments/compare_stats.h"
#include "experiments/experiments_int.h"
#include "experiments/lifecycle.h"
#include "io/table.h"
#include "scenario/scenario_int.h"

const lm_metric lm__cmp_metrics[LM_CMP_COUNT] = {LM_METRIC_DRAGONS, LM_METRIC_HIGH_TECH,
                                                LM_METRIC_JOBS, LM_METRIC_POOL_TVPI,
                                                LM_METRIC_PUBLIC};

/* Family-wise error rate of Holm's correction: that of the table's 90% intervals. */
#define HOLM_ALPHA 0.10

/* What compare's table writer and stopping rule need beyond the engine's lm__experiment. */
typedef struct cmp_target {
    int r, k; /* region (n_regions: total), metric */
    double half;
    const char *name;
} cmp_target;
typedef struct cmp_opts {
    cmp_target *precision;
    int n_precision;
    double *half; /* [(n_regions + 1) * LM_CMP_COUNT] half-width for the pairs needed */
} cmp_opts;

static void all_stats(const lm__experiment *x, lm__paired *st, double *adj, size_t *m);
static void pairing_table(FILE *f, const lm__experiment *x, const lm__paired *st,
                          const double *adj, size_t m);
static void write_csv_stats_header(FILE *f);
static void write_csv_stats(FILE *f, const lm__experiment *x, const lm__paired *st,
                            const double *adj, int r, int k);

static lm_status write_csv(const lm__experiment *x, const char *dir, lm_error *err)
{
    lm__out o;
    if (lm__out_open(&o, dir, "compare.csv", err) != LM_OK)
        return LM_ENOMEM;
    FILE *f = o.f;
    fprintf(f, "region,metric,runs,baseline_mean,counterfactual_mean,diff_mean,diff_lo90,"
               "diff_hi90");
    write_csv_stats_header(f);
    const size_t cells = (size_t)(x->n_regions + 1) * LM_CMP_COUNT;
    lm__paired *st = calloc(cells, sizeof *st);
    double *adj = calloc(cells, sizeof *adj);
    size_t m = 0;
    if (st && adj)
        all_stats(x, st, adj, &m);
    double *b = calloc((size_t)x->runs, sizeof *b), *c = calloc((size_t)x->runs, sizeof *c),
           *d = calloc((size_t)x->runs, sizeof *d);
    for (int r = 0; b && c && d && st && adj && r <= x->n_regions; ++r)
        for (int k = 0; k < LM_CMP_COUNT; ++k) {
            for (int i = 0; i < x->runs; ++i) {
                b[i] = lm__cmp_value(x, 0, i, r, k);
                c[i] = lm__cmp_value(x, 1, i, r, k);
                d[i] = c[i] - b[i];
            }
            double lo, hi;
            size_t used;
            const double mb = lm_stats_mean_ci90(b, (size_t)x->runs, NULL, NULL, NULL);
            const double mc = lm_stats_mean_ci90(c, (size_t)x->runs, NULL, NULL, NULL);
            const double md = lm_stats_mean_ci90(d, (size_t)x->runs, &lo, &hi, &used);
            const char *name = r < x->n_regions ? lm_scenario_region_name(x->arms[0].sc, r)
                                                : "total";
            fprintf(f, "\"%s\",%s,%zu,%.17g,%.17g,%.17g,%.17g,%.17g", name, lm__cmp_name(k), used,
                    mb, mc, md, lo, hi);
            write_csv_stats(f, x, st, adj, r, k);
        }
    const bool ok = b && c && d && st && adj;
    free(st);
    free(adj);
    free(b);
    free(c);
    free(d);
    return lm__out_close(&o, ok ? LM_OK : lm_error_set(err, LM_ENOMEM, __FILE__, __LINE__,
                                                         "compare.csv"),
                         NULL, err);
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
                committed += lm__xm(x, a, i, r, LM_METRIC_GOV_COMMITTED);
                invested += lm__xm(x, a, i, r, LM_METRIC_GOV_INVESTED);
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
    char *text;
    const char **cells = lm__table_cells((size_t)rows * COLS, CELL, &text);
    double *d = calloc((size_t)x->runs, sizeof *d);
    lm__paired *st = calloc((size_t)(n + 1) * LM_CMP_COUNT, sizeof *st);
    double *adj = calloc((size_t)(n + 1) * LM_CMP_COUNT, sizeof *adj);
    if (!cells || !d || !st || !adj) {
        free(cells);
        free(d);
        free(st);
        free(adj);
        LM_FAIL(err, LM_ENOMEM, "comparison table");
    }
    size_t n_tests = 0;
    all_stats(x, st, adj, &n_tests);
    static const char *const titles[COLS] = {"region", "dragons", "high-tech", "jobs",
                                             "fund TVPI", "public money, CNY bn",
                                             "CNY bn per extra dragon"};
    for (int c = 0; c < COLS; ++c)
        snprintf(text + (size_t)c * CELL, CELL, "%s", titles[c]);
    for (int r = 0; r <= n; ++r) {
        char *row = text + (size_t)(r + 1) * COLS * CELL;
        snprintf(row, CELL, "%s", r < n ? lm_scenario_region_name(x->arms[0].sc, r) : "total");
        double mean_d[LM_CMP_COUNT];
        for (int k = 0; k < LM_CMP_COUNT; ++k) {
            for (int i = 0; i < x->runs; ++i)
                d[i] = lm__cmp_value(x, 1, i, r, k) - lm__cmp_value(x, 0, i, r, k);
            mean_d[k] = lm_stats_mean_ci90(d, (size_t)x->runs, NULL, NULL, NULL);
            lm__cell_mean_ci(row + (size_t)(k + 1) * CELL, CELL, d, (size_t)x->runs,
                             k == LM_CMP_PUBLIC ? 1e9 : 1.0);
            if (adj[r * LM_CMP_COUNT + k] < HOLM_ALPHA) { /* survives Holm's correction */
                char *cell = row + (size_t)(k + 1) * CELL;
                const size_t len = strlen(cell);
                snprintf(cell + len, CELL - len, " *");
            }
        }
        char *cost = row + (size_t)6 * CELL;
        /* a mean of whole differences is a multiple of 1/R: anything below 1e-9 is zero up
           to rounding (a sum of +4 -3 +1 -2 +3 -3 is not always exactly 0 in floating point) */
        if (mean_d[LM_CMP_DRAGONS] > 1e-9)
            snprintf(cost, CELL, "%.3g", mean_d[LM_CMP_PUBLIC] / mean_d[LM_CMP_DRAGONS] / 1e9);
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
    fprintf(f,
            "* the difference stays distinguishable from zero after Holm's correction over all "
            "%zu comparisons of the table (paired t-tests, family-wise error %.0f%%); without a "
            "*, an interval that misses zero may do so by chance.\n",
            n_tests, 100.0 * HOLM_ALPHA);
    pairing_table(f, x, st, adj, n_tests);
    invested_share_lines(f, x);
    free(cells);
    free(d);
    free(st);
    free(adj);
    if (ferror(f))
        LM_FAIL(err, LM_EIO, "could not write the comparison table");
    lm_status written = write_csv(x, dir, err);
    if (written == LM_OK)
        written = lm__compare_write_paths(f, x, dir, err);
    /* the folder last: a resumed job's summary differs from an uninterrupted one's only in the
       line that names where it was written */
    if (written == LM_OK && x->out_dir)
        fprintf(f, "results: %s (compare.csv: both arms' means and the differences)\n",
                x->out_dir);
    return written;
}

static lm_status targets_make(const lm_experiment_config *cfg, const lm_scenario *sc,
                              cmp_opts *o, lm_error *err);
static void targets_free(cmp_opts *o);
static bool precision_met(const lm__experiment *x);

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
    lm_scenario *base = NULL, *cf = NULL;
    lm_status st = lm__xp_load(job, NULL, NULL, &base, err);
    if (st == LM_OK)
        st = lm__xp_load(job, cf_path, edits, &cf, err);
    if (st == LM_OK && lm_scenario_region_count(base) != lm_scenario_region_count(cf))
        st = lm_error_set(err, LM_EINVAL, __FILE__, __LINE__,
                          "the edits changed the number of regions");
    const lm__arm arms[2] = {{.name = "baseline", .sc = base}, {.name = "counterfactual", .sc = cf}};
    cmp_opts opts = {0};
    if (st == LM_OK)
        st = targets_make(cfg, base, &opts, err);
    if (st == LM_OK)
        st = lm__experiment_execute_until(cfg, arms, 2, "-compare", compare_table,
                                          cfg->n_precision > 0 ? precision_met : NULL, &opts,
                                          res, err);
    targets_free(&opts);
    lm_scenario_free(base);
    lm_scenario_free(cf);
    return lm__xp_end(res, st, err);
}

/* ---- what the pairs are worth: statistics per cell, Holm, sample sizes, --precision ---- */

static void cell_values(const lm__experiment *x, int r, int k, int runs, double *b, double *c)
{
    for (int i = 0; i < runs; ++i) {
        b[i] = lm__cmp_value(x, 0, i, r, k);
        c[i] = lm__cmp_value(x, 1, i, r, k);
    }
}

/* st and adj: [(n_regions + 1) * LM_CMP_COUNT], cell (r, k) at r * LM_CMP_COUNT + k; *m the number
 * of tests Holm's correction counted (cells with a p-value). */
static void all_stats(const lm__experiment *x, lm__paired *st, double *adj, size_t *m)
{
    const size_t cells = (size_t)(x->n_regions + 1) * LM_CMP_COUNT;
    double *b = calloc((size_t)x->runs, sizeof *b), *c = calloc((size_t)x->runs, sizeof *c);
    double *p = calloc(cells, sizeof *p);
    *m = 0;
    if (!b || !c || !p) {
        for (size_t j = 0; j < cells; ++j) {
            lm__paired_stats(NULL, NULL, 0, &st[j]);
            adj[j] = NAN;
        }
    } else {
        for (int r = 0; r <= x->n_regions; ++r)
            for (int k = 0; k < LM_CMP_COUNT; ++k) {
                cell_values(x, r, k, x->runs, b, c);
                lm__paired_stats(b, c, (size_t)x->runs, &st[r * LM_CMP_COUNT + k]);
                p[r * LM_CMP_COUNT + k] = st[r * LM_CMP_COUNT + k].p;
            }
        *m = lm__holm(p, cells, adj);
    }
    free(b);
    free(c);
    free(p);
}

static double half_for(const lm__experiment *x, int r, int k)
{
    const cmp_opts *o = x->user;
    return o && o->half ? o->half[r * LM_CMP_COUNT + k] : NAN;
}

static void fmt_num(char *buf, size_t size, double v)
{
    if (isnan(v))
        snprintf(buf, size, "n/a");
    else if (fabs(v) >= 1e3 && fabs(v) < 1e15) /* jobs: whole people, not 5.35e+04 */
        snprintf(buf, size, "%.0f", v);
    else
        snprintf(buf, size, "%.3g", v);
}

/* Per cell: the correlation of the arms, one arm's SD against the paired SD (what pairing
 * bought), Holm's adjusted p-value, and the pairs the half-width needs. */
static void pairing_table(FILE *f, const lm__experiment *x, const lm__paired *st,
                          const double *adj, size_t m)
{
    enum { COLS = 9, CELL = 64 };
    const int n = x->n_regions;
    const int rows = 1 + (n + 1) * LM_CMP_COUNT;
    char *text;
    const char **cells = lm__table_cells((size_t)rows * COLS, CELL, &text);
    if (!cells) {
        free(cells);
        return;
    }
    static const char *const titles[COLS] = {"region", "metric", "corr", "SD one arm",
                                             "SD paired", "paired/one", "p (Holm)", "+- h",
                                             "pairs for +- h"};
    for (int c = 0; c < COLS; ++c)
        snprintf(text + (size_t)c * CELL, CELL, "%s", titles[c]);
    int row = 1;
    for (int r = 0; r <= n; ++r)
        for (int k = 0; k < LM_CMP_COUNT; ++k, ++row) {
            const lm__paired *q = &st[r * LM_CMP_COUNT + k];
            char *cell = text + (size_t)row * COLS * CELL;
            const double scale = k == LM_CMP_PUBLIC ? 1e9 : 1.0;
            const double h = half_for(x, r, k);
            snprintf(cell, CELL, "%s", r < n ? lm_scenario_region_name(x->arms[0].sc, r) : "total");
            snprintf(cell + CELL, CELL, "%s%s", lm__cmp_name(k), k == LM_CMP_PUBLIC ? " (bn)" : "");
            fmt_num(cell + 2 * CELL, CELL, q->corr);
            fmt_num(cell + 3 * CELL, CELL, q->sd_single / scale);
            fmt_num(cell + 4 * CELL, CELL, q->sd_d / scale);
            fmt_num(cell + 5 * CELL, CELL, q->sd_single > 0.0 ? q->sd_d / q->sd_single : NAN);
            fmt_num(cell + 6 * CELL, CELL, adj[r * LM_CMP_COUNT + k]);
            fmt_num(cell + 7 * CELL, CELL, h / scale);
            const size_t need = lm__pairs_needed(q->sd_d, h, LM_MAX_RUNS);
            if (q->n < 2 || need == 0)
                snprintf(cell + 8 * CELL, CELL, "n/a");
            else
                snprintf(cell + 8 * CELL, CELL, "%s%zu", need >= LM_MAX_RUNS ? ">= " : "", need);
        }
    fprintf(f, "\nwhat the pairing is worth, and the pairs a half-width needs:\n\n");
    lm__table_write(f, cells, rows, COLS, "llrrrrrrr", false);
    fprintf(f,
            "\ncorr: correlation of the arms over the %d pairs; SD one arm: sqrt of the mean of "
            "the two arms' variances (two independent arms would give a difference SD of 1.41 "
            "times it); SD paired: SD of the paired differences; p (Holm): paired t-test, "
            "adjusted over %zu comparisons; pairs for +- h: pairs whose 90%% interval would "
            "have half-width h at the observed paired SD (h: --precision, else --halfwidth, "
            "else the default of docs/experiments.md).\n",
            x->runs, m);
    const cmp_opts *o = x->user;
    for (int t = 0; o && t < o->n_precision; ++t) {
        const cmp_target *g = &o->precision[t];
        const lm__paired *q = &st[g->r * LM_CMP_COUNT + g->k];
        const double scale = g->k == LM_CMP_PUBLIC ? 1e9 : 1.0;
        fprintf(f, "precision %s: half-width %.3g after %d pairs, target %.3g: %s\n", g->name,
                q->half / scale, x->runs, g->half / scale,
                q->half <= g->half ? "met" : "not met (--max-runs reached)");
    }
    free(cells);
}

static void write_csv_stats_header(FILE *f)
{
    fprintf(f, ",sd_baseline,sd_counterfactual,sd_one_arm,sd_paired,correlation,p_value,"
               "p_holm,holm_distinct,halfwidth90,halfwidth_target,pairs_needed\n");
}

static void write_csv_stats(FILE *f, const lm__experiment *x, const lm__paired *st,
                            const double *adj, int r, int k)
{
    const lm__paired *q = &st[r * LM_CMP_COUNT + k];
    const double a = adj[r * LM_CMP_COUNT + k], h = half_for(x, r, k);
    const size_t need = q->n >= 2 ? lm__pairs_needed(q->sd_d, h, LM_MAX_RUNS) : 0;
    fprintf(f, ",%.17g,%.17g,%.17g,%.17g,%.17g,%.17g,%.17g,%d,%.17g,%.17g,", q->sd_b, q->sd_c,
            q->sd_single, q->sd_d, q->corr, q->p, a, a < HOLM_ALPHA, q->half, h);
    if (need > 0)
        fprintf(f, "%zu\n", need);
    else
        fprintf(f, "\n");
}

/* Default half-widths of the sample sizes, in the metrics' units (docs/experiments.md). */
static const double cmp_default_half[LM_CMP_COUNT] = {0.5, 10.0, 1000.0, 0.05, 1.0e8};

/* "REGION.METRIC" (or "METRIC" when any_region) into region r (n: total, -1: every region)
 * and metric k. */
static lm_status target_named(const lm_scenario *sc, const char *option, const char *name,
                              bool any_region, int *r, int *k, lm_error *err)
{
    const int n = lm_scenario_region_count(sc);
    const char *dot = strrchr(name, '.');
    const char *metric = dot ? dot + 1 : name;
    char list[160];
    if ((*k = lm__metric_pick(metric, lm__cmp_metrics, LM_CMP_COUNT, list, sizeof list, ", ")) <
        0)
        LM_FAIL(err, LM_EINVAL, "%s %s: unknown metric '%s' (%s)", option, name, metric, list);
    if (!dot) {
        if (!any_region)
            LM_FAIL(err, LM_EINVAL, "%s %s: expected REGION.METRIC, e.g. total.dragons",
                    option, name);
        *r = -1;
        return LM_OK;
    }
    char region[128];
    const size_t len = (size_t)(dot - name);
    if (len == 0 || len >= sizeof region)
        LM_FAIL(err, LM_EINVAL, "%s %s: expected REGION.METRIC", option, name);
    memcpy(region, name, len);
    region[len] = '\0';
    if (strcmp(region, "total") == 0) {
        *r = n;
        return LM_OK;
    }
    *r = lm__region_named(lm__scenario_params(sc), region);
    if (*r < 0)
        LM_FAIL(err, LM_EINVAL, "%s %s: no region '%s' in %s", option, name, region,
                lm_scenario_name(sc));
    return LM_OK;
}

static lm_status targets_make(const lm_experiment_config *cfg, const lm_scenario *sc,
                              cmp_opts *o, lm_error *err)
{
    const int n = lm_scenario_region_count(sc);
    memset(o, 0, sizeof *o);
    o->half = calloc((size_t)(n + 1) * LM_CMP_COUNT, sizeof *o->half);
    o->precision = calloc((size_t)(cfg->n_precision > 0 ? cfg->n_precision : 1),
                          sizeof *o->precision);
    if (!o->half || !o->precision)
        LM_FAIL(err, LM_ENOMEM, "compare targets");
    for (int r = 0; r <= n; ++r)
        for (int k = 0; k < LM_CMP_COUNT; ++k)
            o->half[r * LM_CMP_COUNT + k] = cmp_default_half[k];
    int r, k;
    for (int t = 0; t < cfg->n_halfwidth; ++t) {
        const lm_precision_target *g = &cfg->halfwidth[t];
        lm_status st = target_named(sc, "--halfwidth", g->metric, true, &r, &k, err);
        if (st != LM_OK)
            return st;
        if (!(g->halfwidth > 0.0) || !isfinite(g->halfwidth))
            LM_FAIL(err, LM_EINVAL, "--halfwidth %s: expected a positive half-width", g->metric);
        for (int q = 0; q <= n; ++q)
            if (r < 0 || q == r)
                o->half[q * LM_CMP_COUNT + k] = g->halfwidth;
    }
    for (int t = 0; t < cfg->n_precision; ++t) {
        const lm_precision_target *g = &cfg->precision[t];
        lm_status st = target_named(sc, "--precision", g->metric, false, &r, &k, err);
        if (st != LM_OK)
            return st;
        if (!(g->halfwidth > 0.0) || !isfinite(g->halfwidth))
            LM_FAIL(err, LM_EINVAL, "--precision %s: expected a positive half-width", g->metric);
        o->precision[o->n_precision++] = (cmp_target){r, k, g->halfwidth, g->metric};
        o->half[r * LM_CMP_COUNT + k] = g->halfwidth;
    }
    return LM_OK;
}

static void targets_free(cmp_opts *o)
{
    free(o->precision);
    free(o->half);
    memset(o, 0, sizeof *o);
}

/* The stopping rule of --precision: every target's 90% half-width at most its value. */
static bool precision_met(const lm__experiment *x)
{
    const cmp_opts *o = x->user;
    double *b = calloc((size_t)x->runs, sizeof *b), *c = calloc((size_t)x->runs, sizeof *c);
    bool met = b && c;
    for (int t = 0; met && t < o->n_precision; ++t) {
        const cmp_target *g = &o->precision[t];
        cell_values(x, g->r, g->k, x->runs, b, c);
        met = lm__precision_reached(b, c, (size_t)x->runs, g->half);
    }
    free(b);
    free(c);
    return met;
}
