/* tests/unit/experiments/test_sensitivity.c -- `longmen sensitivity`
 * (src/experiments/sensitivity.c, src/scenario/sens_params.c): Saltelli's design (N (d + 2)
 * points; AB_i is A with column i from B), the estimators on functions with known indices
 * (Ishigami, a linear function) without any simulation, bootstrap intervals that contain the
 * truth and are reproducible, the params file and its errors, and a small experiment on
 * tests/data/tiny.yaml (tables, csv, svg, errors pointing into the params file). */
#include <criterion/criterion.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "io/store.h"
#include "longmen/sensitivity.h"
#include "lm_test.h"

#define TINY LM_TEST_DATA "/tiny.yaml"

/* ---- the design ---- */

Test(sensitivity_design, has_n_times_d_plus_2_points_and_ab_i_differs_from_a_in_column_i)
{
    const int d = 4, n = 64;
    double *u = NULL;
    lm_error err;
    cr_assert_eq(lm_sens_design(d, n, &u, &err), LM_OK, "%s", err.message);
    const double *A = u, *B = u + (size_t)n * d;
    for (size_t k = 0; k < (size_t)n * (d + 2) * d; ++k)
        cr_assert(u[k] >= 0 && u[k] < 1, "coordinate %zu = %g outside [0, 1)", k, u[k]);
    int a_equals_b = 0;
    for (int j = 0; j < n; ++j)
        for (int c = 0; c < d; ++c)
            a_equals_b += A[j * d + c] == B[j * d + c];
    cr_assert_lt(a_equals_b, n, "A and B should be different samples");
    for (int i = 0; i < d; ++i)
        for (int j = 0; j < n; ++j) {
            const double *ab = u + ((size_t)(2 + i) * n + j) * d;
            for (int c = 0; c < d; ++c)
                cr_assert_eq(ab[c], c == i ? B[j * d + c] : A[j * d + c],
                             "AB_%d row %d column %d", i + 1, j, c);
        }
    free(u);
    /* The size: N (d + 2) rows; the limits. */
    cr_assert_eq(lm_sens_design(0, n, &u, &err), LM_EINVAL);
    cr_assert_null(u);
    cr_assert_eq(lm_sens_design(LM_SENS_MAX_PARAMS + 1, n, &u, &err), LM_EINVAL);
    cr_assert_eq(lm_sens_design(LM_SENS_MAX_PARAMS, 2, &u, &err), LM_OK, "%s", err.message);
    free(u);
}

Test(sensitivity_design, skips_the_centre_of_the_sobol_sequence)
{
    /* GSL's 2-d Sobol sequence: (0.5, 0.5), (0.75, 0.25), (0.25, 0.75), ...: with d = 1 the
     * first row is A = 0.75, B = 0.25 (the centre, where A = B, is skipped). */
    double *u = NULL;
    lm_error err;
    cr_assert_eq(lm_sens_design(1, 2, &u, &err), LM_OK);
    cr_assert_eq(u[0], 0.75);
    cr_assert_eq(u[1], 0.25);
    cr_assert_eq(u[2], 0.25); /* B */
    cr_assert_eq(u[3], 0.75);
    cr_assert_eq(u[4], 0.25); /* AB_1 = B with d = 1 */
    free(u);
}

/* ---- the estimators on known functions ---- */

static double ishigami(const double *x)
{
    return sin(x[0]) + 7.0 * sin(x[1]) * sin(x[1]) + 0.1 * pow(x[2], 4) * sin(x[0]);
}

/* f over the design, inputs scaled from [0, 1) to [lo, hi). */
static double *evaluate(int d, int n, double lo, double hi, double (*f)(const double *))
{
    double *u = NULL;
    lm_error err;
    cr_assert_eq(lm_sens_design(d, n, &u, &err), LM_OK, "%s", err.message);
    const size_t rows = (size_t)n * (d + 2);
    double *y = malloc(rows * sizeof *y);
    for (size_t r = 0; r < rows; ++r) {
        double x[LM_SENS_MAX_PARAMS];
        for (int c = 0; c < d; ++c)
            x[c] = lo + (hi - lo) * u[r * d + c];
        y[r] = f(x);
    }
    free(u);
    return y;
}

static const double ishigami_s1[3] = {0.3139, 0.4424, 0.0};
static const double ishigami_st[3] = {0.5576, 0.4424, 0.2437};

Test(sensitivity_estimator, recovers_the_ishigami_indices)
{
    const int n = 8192;
    double *y = evaluate(3, n, -M_PI, M_PI, ishigami);
    lm_sens_index idx[3];
    lm_sens_estimate info;
    lm_error err;
    cr_assert_eq(lm_sens_indices(y, n, 3, 0, 1, idx, &info, &err), LM_OK, "%s", err.message);
    cr_assert_eq(info.rows, n);
    /* Analytic: mean a/2 = 3.5, variance a^2/8 + b pi^4/5 + b^2 pi^8/18 + 1/2 = 13.845. */
    cr_assert(fabs(info.mean - 3.5) < 0.05, "mean %g", info.mean);
    cr_assert(fabs(info.variance - 13.845) < 0.3, "variance %g", info.variance);
    for (int i = 0; i < 3; ++i) {
        cr_assert(fabs(idx[i].s1 - ishigami_s1[i]) < 0.05, "S1 of x%d: %.4f, analytic %.4f",
                  i + 1, idx[i].s1, ishigami_s1[i]);
        cr_assert(fabs(idx[i].st - ishigami_st[i]) < 0.05, "ST of x%d: %.4f, analytic %.4f",
                  i + 1, idx[i].st, ishigami_st[i]);
        cr_assert_eq(idx[i].s1_lo, idx[i].s1, "no bootstrap: lo = estimate");
        cr_assert_eq(idx[i].st_hi, idx[i].st);
    }
    free(y);
}

Test(sensitivity_estimator, bootstrap_intervals_contain_the_ishigami_truth_and_are_reproducible)
{
    const int n = 2048;
    double *y = evaluate(3, n, -M_PI, M_PI, ishigami);
    lm_sens_index a[3], b[3], c[3];
    lm_error err;
    cr_assert_eq(lm_sens_indices(y, n, 3, 1000, 7, a, NULL, &err), LM_OK, "%s", err.message);
    cr_assert_eq(lm_sens_indices(y, n, 3, 1000, 7, b, NULL, &err), LM_OK);
    cr_assert_eq(lm_sens_indices(y, n, 3, 1000, 8, c, NULL, &err), LM_OK);
    bool any_differs = false;
    for (int i = 0; i < 3; ++i) {
        cr_assert(a[i].s1_lo <= ishigami_s1[i] && ishigami_s1[i] <= a[i].s1_hi,
                  "S1 of x%d: %.4f not in [%.4f, %.4f]", i + 1, ishigami_s1[i], a[i].s1_lo,
                  a[i].s1_hi);
        cr_assert(a[i].st_lo <= ishigami_st[i] && ishigami_st[i] <= a[i].st_hi,
                  "ST of x%d: %.4f not in [%.4f, %.4f]", i + 1, ishigami_st[i], a[i].st_lo,
                  a[i].st_hi);
        cr_assert(a[i].s1_lo <= a[i].s1 && a[i].s1 <= a[i].s1_hi);
        cr_assert(a[i].st_hi - a[i].st_lo < 0.2, "ST interval of x%d too wide", i + 1);
        /* the same seed, the same intervals, bit for bit */
        cr_assert_eq(memcmp(&a[i], &b[i], sizeof a[i]), 0, "x%d: seed 7 twice differs", i + 1);
        any_differs = any_differs || a[i].s1_lo != c[i].s1_lo || a[i].st_hi != c[i].st_hi;
        cr_assert_eq(a[i].s1, c[i].s1, "the estimate does not depend on the seed");
    }
    cr_assert(any_differs, "another seed should resample other rows");
    free(y);
}

/* f = x1 + 2 x2 + 0 x3 + 3 x4 on [0, 1)^4: additive, so S1 = ST = a_i^2 / sum a^2. */
static double linear(const double *x) { return x[0] + 2 * x[1] + 0 * x[2] + 3 * x[3]; }

Test(sensitivity_estimator, a_linear_function_has_its_known_indices)
{
    const int n = 1024;
    double *y = evaluate(4, n, 0, 1, linear);
    lm_sens_index idx[4];
    lm_sens_estimate info;
    lm_error err;
    cr_assert_eq(lm_sens_indices(y, n, 4, 200, 1, idx, &info, &err), LM_OK, "%s", err.message);
    static const double want[4] = {1.0 / 14, 4.0 / 14, 0, 9.0 / 14};
    for (int i = 0; i < 4; ++i) {
        cr_assert(fabs(idx[i].s1 - want[i]) < 0.02, "S1 of x%d: %.4f, want %.4f", i + 1,
                  idx[i].s1, want[i]);
        cr_assert(fabs(idx[i].st - want[i]) < 0.02, "ST of x%d: %.4f, want %.4f", i + 1,
                  idx[i].st, want[i]);
    }
    /* x3 does not enter f: f(AB_3) = f(A) row by row, so its indices are exactly 0. */
    cr_assert_eq(idx[2].s1, 0.0);
    cr_assert_eq(idx[2].st, 0.0);
    cr_assert_eq(idx[2].st_lo, 0.0);
    cr_assert_eq(idx[2].st_hi, 0.0);
    cr_assert(fabs(info.variance - 14.0 / 12) < 0.02, "variance %g, want 14/12", info.variance);
    free(y);
}

Test(sensitivity_estimator, hand_computed_two_rows)
{
    /* d = 1, N = 2: f(A) = {1, 3}, f(B) = {2, 6}, f(AB_1) = {2, 6} (f depends on x1 only).
     * mean 3, V = ((1-3)^2 + (3-3)^2 + (2-3)^2 + (6-3)^2) / 4 = 14/4 = 3.5.
     * S1 = mean((fB - 3)(fAB - fA)) / V = ((-1)(1) + (3)(3)) / 2 / 3.5 = 4 / 3.5.
     * ST = mean((fA - fAB)^2) / 2 / V = (1 + 9) / 2 / 2 / 3.5 = 2.5 / 3.5. */
    const double y[6] = {1, 3, 2, 6, 2, 6};
    lm_sens_index idx;
    lm_sens_estimate info;
    lm_error err;
    cr_assert_eq(lm_sens_indices(y, 2, 1, 0, 1, &idx, &info, &err), LM_OK);
    cr_assert_float_eq(info.variance, 3.5, 1e-12);
    cr_assert_float_eq(idx.s1, 4 / 3.5, 1e-12);
    cr_assert_float_eq(idx.st, 2.5 / 3.5, 1e-12);
}

Test(sensitivity_estimator, nan_rows_are_left_out_and_a_constant_output_has_no_indices)
{
    const int n = 256;
    double *y = evaluate(4, n, 0, 1, linear);
    lm_sens_index ref[4], idx[4];
    lm_sens_estimate info;
    lm_error err;
    /* A NaN in AB_2 of row 5 drops row 5 everywhere. */
    y[(size_t)(2 + 1) * n + 5] = NAN;
    cr_assert_eq(lm_sens_indices(y, n, 4, 50, 1, idx, &info, &err), LM_OK);
    cr_assert_eq(info.rows, n - 1);
    for (int i = 0; i < 4; ++i)
        cr_assert(isfinite(idx[i].s1) && isfinite(idx[i].st_hi));
    (void)ref;
    for (size_t k = 0; k < (size_t)n * 6; ++k)
        y[k] = 2.385;
    cr_assert_eq(lm_sens_indices(y, n, 4, 50, 1, idx, &info, &err), LM_OK);
    cr_assert_eq(info.variance, 0.0);
    for (int i = 0; i < 4; ++i)
        cr_assert(isnan(idx[i].s1) && isnan(idx[i].st) && isnan(idx[i].st_lo));
    free(y);
}

/* ---- the params file ---- */

static lm_status parse(const char *text, lm_sens_spec *s, lm_error *err)
{
    return lm_sens_spec_parse(text, strlen(text), "p.yaml", s, err);
}

Test(sensitivity_params, reads_parameters_and_outputs_in_all_forms)
{
    static lm_sens_spec s;
    lm_error err;
    const char *text = "description: a test\n"
                       "parameters:\n"
                       "  - {name: Jiashi.st_fund.loss_tolerance, lo: 0.1, hi: 0.5}\n"
                       "  - name: params.rnd.spillover\n"
                       "    lo: 0.001\n"
                       "    hi: 0.005\n"
                       "outputs:\n"
                       "  - {metric: dragons, region: Jiashi}\n"
                       "  - high_tech\n"
                       "  - 甲市.pool_tvpi\n"
                       "  - {metric: jobs}\n";
    cr_assert_eq(parse(text, &s, &err), LM_OK, "%s:%d:%d: %s: %s", err.file, err.line,
                 err.column, err.field, err.message);
    cr_assert_eq(s.n_params, 2);
    cr_assert_str_eq(s.params[0].name, "Jiashi.st_fund.loss_tolerance");
    cr_assert_eq(s.params[0].lo, 0.1);
    cr_assert_eq(s.params[1].hi, 0.005);
    cr_assert_eq(s.params[1].line, 4);
    cr_assert_eq(s.n_outputs, 4);
    cr_assert_eq(s.outputs[0].metric, LM_METRIC_DRAGONS);
    cr_assert_str_eq(s.outputs[0].region, "Jiashi");
    cr_assert_eq(s.outputs[1].metric, LM_METRIC_HIGH_TECH);
    cr_assert_str_eq(s.outputs[1].region, "");
    cr_assert_eq(s.outputs[2].metric, LM_METRIC_POOL_TVPI);
    cr_assert_str_eq(s.outputs[2].region, "甲市");
    cr_assert_eq(s.outputs[3].metric, LM_METRIC_JOBS);
    cr_assert_str_eq(lm_metric_word(LM_METRIC_PUBLIC), "public");
}

typedef struct bad_case {
    const char *text;
    int line, column;
    const char *field, *says;
} bad_case;

Test(sensitivity_params, errors_point_at_file_line_column_and_field)
{
    static const bad_case cases[] = {
        {"parameters:\n  - {name: a.b, lo: 1, hi: 2}\n", 1, 1, "", "\"outputs\" missing"},
        {"parameters:\n  - {name: a.b, lo: 1, hi: 2}\noutput: [dragons]\n", 3, 1, "output",
         "did you mean \"outputs\""},
        {"parameters:\n  - {name: a.b, lo: 2, hi: 1}\noutputs: [dragons]\n", 2, 28,
         "parameters[0].hi", "above lo"},
        {"parameters:\n  - {name: a.b, lo: x, hi: 1}\noutputs: [dragons]\n", 2, 21,
         "parameters[0].lo", "expected a number"},
        {"parameters:\n  - {name: a.b, lo: 0, hi: 1, step: 3}\noutputs: [dragons]\n", 2, 31,
         "parameters[0].step", "unknown key"},
        {"parameters:\n  - {name: ab, lo: 0, hi: 1}\noutputs: [dragons]\n", 2, 12,
         "parameters[0].name", "REGION.KIND.FIELD"},
        {"parameters:\n  - {name: a.b, lo: 0}\noutputs: [dragons]\n", 2, 5, "parameters[0]",
         "\"hi\" missing"},
        {"parameters:\n  - {name: a.b, lo: 0, hi: 1}\n  - {name: a.b, lo: 0, hi: 1}\n"
         "outputs: [dragons]\n",
         3, 5, "parameters[1]", "given twice"},
        {"parameters:\n  - {name: a.b, lo: 0, hi: 1}\noutputs: [dragon]\n", 3, 11, "outputs[0]",
         "did you mean \"dragons\""},
        {"parameters:\n  - {name: a.b, lo: 0, hi: 1}\noutputs:\n  - {metric: jobs, regoin: X}\n",
         4, 20, "outputs[0].regoin", "did you mean \"region\""},
        {"parameters:\n  - {name: a.b, lo: 0, hi: 1}\noutputs: [jobs, jobs]\n", 3, 17,
         "outputs[1]", "given twice"},
        {"parameters: []\noutputs: [jobs]\n", 1, 13, "parameters", "expected 1 to 20"},
        {"parameters: {name: a.b}\noutputs: [jobs]\n", 1, 13, "parameters", "expected a list"},
        {"- a\n- b\n", 1, 1, "", "expected a mapping"},
        {"parameters: [\n", 2, 1, "", ""},
        {"", 0, 0, "", "no YAML content"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; ++k) {
        static lm_sens_spec s;
        lm_error err;
        const bad_case *c = &cases[k];
        cr_assert_eq(parse(c->text, &s, &err), LM_EINVAL, "case %zu accepted", k);
        char line[1024];
        lm_error_format(&err, line, sizeof line);
        cr_assert_str_eq(err.file, "p.yaml", "case %zu: %s", k, line);
        if (c->line) {
            cr_assert_eq(err.line, c->line, "case %zu: %s", k, line);
            cr_assert_eq(err.column, c->column, "case %zu: %s", k, line);
        }
        if (c->field[0])
            cr_assert_str_eq(err.field, c->field, "case %zu: %s", k, line);
        cr_assert(strstr(err.message, c->says), "case %zu: %s", k, line);
        if (getenv("LM_TEST_VERBOSE"))
            fprintf(stderr, "case %zu: %s\n", k, line);
        cr_assert_eq(s.n_params, 0, "case %zu: a failed parse leaves no parameters", k);
    }
    /* 21 parameters */
    char text[4096] = "parameters:\n";
    for (int i = 0; i < 21; ++i)
        snprintf(text + strlen(text), sizeof text - strlen(text),
                 "  - {name: a.p%d, lo: 0, hi: 1}\n", i);
    strcat(text, "outputs: [jobs]\n");
    static lm_sens_spec s;
    lm_error err;
    cr_assert_eq(parse(text, &s, &err), LM_EINVAL);
    cr_assert(strstr(err.message, "expected 1 to 20 parameters"), "%s", err.message);
}

Test(sensitivity_params, a_missing_file_names_it)
{
    static lm_sens_spec s;
    lm_error err;
    cr_assert_neq(lm_sens_spec_load("/nonexistent/params.yaml", &s, &err), LM_OK);
    cr_assert(strstr(err.file, "params.yaml") || strstr(err.message, "params.yaml"), "%s",
              err.message);
}

/* ---- a small experiment on tiny.yaml ---- */

static char tmp_root[64];

static void setup(void)
{
    snprintf(tmp_root, sizeof tmp_root, "/tmp/lm_sens_XXXXXX");
    cr_assert_not_null(mkdtemp(tmp_root), "mkdtemp: %s", strerror(errno));
}

static void teardown(void) { lm__outdir_abort(tmp_root); }

static double scalar(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK, "%s: %s", sql,
                 sqlite3_errmsg(db));
    cr_assert_eq(sqlite3_step(st), SQLITE_ROW, "%s", sql);
    const double v = sqlite3_column_double(st, 0);
    sqlite3_finalize(st);
    return v;
}

static const char *const small_spec =
    "parameters:\n"
    "  - {name: Jiashi.st_fund.loss_tolerance, lo: 0.1, hi: 0.9}\n"
    "  - {name: params.entry.base_rate, lo: 2.0e-5, hi: 1.0e-4}\n"
    "outputs:\n"
    "  - births\n"
    "  - {metric: alive, region: Jiashi}\n";

Test(sensitivity_run, writes_tables_csv_svg_and_a_ranked_table, .init = setup, .fini = teardown)
{
    static lm_sens_spec spec;
    lm_error err;
    cr_assert_eq(parse(small_spec, &spec, &err), LM_OK, "%s", err.message);
    lm_experiment_config cfg;
    lm_experiment_config_init(&cfg);
    char out[128];
    snprintf(out, sizeof out, "%s/sens", tmp_root);
    cfg.job.scenario_path = TINY;
    cfg.job.out_dir = out;
    cfg.job.quiet = true;
    cfg.job.threads = 2;
    cfg.job.has_to = true;
    cr_assert(lm_month_parse("2015-06", &cfg.job.to)); /* six months */
    cfg.runs = 1;
    const lm_sens_config sc = {.spec = &spec, .points = 4, .bootstrap = 100};
    lm_experiment_result res;
    cr_assert_eq(lm_experiment_sensitivity(&cfg, &sc, &res, &err), LM_OK, "%s: %s", err.field,
                 err.message);
    cr_assert_eq(res.n_arms, 4 * (2 + 2));
    cr_assert(strstr(res.summary, "params.entry.base_rate"), "%s", res.summary);
    cr_assert(strstr(res.summary, "births, total"), "%s", res.summary);
    char path[256];
    snprintf(path, sizeof path, "%s/results.sqlite", out);
    sqlite3 *db = NULL;
    cr_assert_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    cr_assert_eq(scalar(db, "SELECT count(*) FROM run"), 16);
    cr_assert_eq(scalar(db, "SELECT count(*) FROM sensitivity_point"), 16);
    cr_assert_eq(scalar(db, "SELECT count(*) FROM sensitivity_point WHERE matrix = 'AB'"), 8);
    cr_assert_eq(scalar(db, "SELECT count(*) FROM sensitivity_value"), 32);
    cr_assert_eq(scalar(db, "SELECT count(*) FROM sensitivity_y"), 32);
    cr_assert_eq(scalar(db, "SELECT count(*) FROM sensitivity_index"), 4);
    /* AB_1 (point 9..12) takes parameter 0 from B (points 5..8), parameter 1 from A. */
    cr_assert_eq(scalar(db, "SELECT count(*) FROM sensitivity_value ab JOIN sensitivity_value b"
                            " ON b.point_id = ab.point_id - 4 AND b.param = ab.param"
                            " WHERE ab.point_id BETWEEN 9 AND 12 AND ab.param = 0"
                            " AND ab.value = b.value"),
                 4);
    cr_assert_eq(scalar(db, "SELECT count(*) FROM sensitivity_value ab JOIN sensitivity_value a"
                            " ON a.point_id = ab.point_id - 8 AND a.param = ab.param"
                            " WHERE ab.point_id BETWEEN 9 AND 12 AND ab.param = 1"
                            " AND ab.value = a.value"),
                 4);
    /* The base rate drives births: it ranks first for births. */
    cr_assert_eq(scalar(db, "SELECT param FROM sensitivity_index WHERE output_id = 1 AND rank = 1"),
                 1);
    sqlite3_close(db);
    snprintf(path, sizeof path, "%s/sensitivity.svg", out);
    cr_assert_eq(access(path, R_OK), 0);
    snprintf(path, sizeof path, "%s/sensitivity.csv", out);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f);
    int lines = 0;
    char line[1024];
    while (fgets(line, sizeof line, f))
        ++lines;
    fclose(f);
    cr_assert_eq(lines, 1 + 2 * 2);
    lm_experiment_result_fini(&res);
}

Test(sensitivity_run, an_unknown_region_or_bad_range_points_into_the_params_file, .init = setup,
     .fini = teardown)
{
    static lm_sens_spec spec;
    lm_error err;
    lm_experiment_config cfg;
    lm_experiment_config_init(&cfg);
    char out[128];
    snprintf(out, sizeof out, "%s/bad", tmp_root);
    cfg.job.scenario_path = TINY;
    cfg.job.out_dir = out;
    cfg.job.quiet = true;
    lm_experiment_result res;
    const lm_sens_config sc = {.spec = &spec, .points = 4, .bootstrap = 10};

    cr_assert_eq(parse("parameters:\n  - {name: Jiashi.st_fund.loss_tolerance, lo: 0, hi: 1}\n"
                       "outputs:\n  - Nowhere.jobs\n",
                       &spec, &err),
                 LM_OK);
    cr_assert_eq(lm_experiment_sensitivity(&cfg, &sc, &res, &err), LM_EINVAL);
    cr_assert_str_eq(err.file, "p.yaml");
    cr_assert_eq(err.line, 4);
    cr_assert_eq(err.column, 5);
    cr_assert(strstr(err.message, "no region \"Nowhere\""), "%s", err.message);

    /* loss_tolerance is in [0, 1]: hi = 1.5 is refused, at the parameter's entry. */
    cr_assert_eq(parse("parameters:\n  - {name: a.b, lo: 0, hi: 1}\n"
                       "  - {name: Jiashi.st_fund.loss_tolerance, lo: 0, hi: 1.5}\n"
                       "outputs: [jobs]\n",
                       &spec, &err),
                 LM_OK);
    cr_assert_eq(lm_experiment_sensitivity(&cfg, &sc, &res, &err), LM_EINVAL);
    cr_assert_eq(err.line, 2, "the first bad entry (a.b: no region a) %d", err.line);
    cr_assert_str_eq(err.field, "parameters[0]");
    cr_assert_eq(parse("parameters:\n"
                       "  - {name: Jiashi.st_fund.loss_tolerance, lo: 0, hi: 1.5}\n"
                       "outputs: [jobs]\n",
                       &spec, &err),
                 LM_OK);
    cr_assert_eq(lm_experiment_sensitivity(&cfg, &sc, &res, &err), LM_EINVAL);
    cr_assert_eq(err.line, 2);
    cr_assert(strstr(err.message, "at hi = 1.5"), "%s", err.message);
    cr_assert_eq(access(out, F_OK), -1, "nothing written");
    char partial[160];
    snprintf(partial, sizeof partial, "%s.partial", out);
    cr_assert_eq(access(partial, F_OK), -1, "nothing written");
}
