/* tests/unit/experiments/test_sweep.c -- `longmen sweep` (src/experiments/sweep.c): the grid
 * holds every combination with the endpoints, the Sobol design is GSL's sequence scaled, a
 * point's value reaches its runs (the edit is in run.scenario_yaml, and a different value
 * gives different runs), common random numbers (two points with the same values give the
 * same runs, replication by replication), the sweep tables and sweep.csv. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "io/store.h"
#include "longmen/experiments.h"
#include "lm_test.h"
#include "lm_test_db.h"

#define TINY LM_TEST_DATA "/tiny.yaml"
#define RUNS 2

static char tmp_root[64];

static void setup(void)
{
    snprintf(tmp_root, sizeof tmp_root, "/tmp/lm_sweep_XXXXXX");
    cr_assert_not_null(mkdtemp(tmp_root), "mkdtemp: %s", strerror(errno));
}

static void teardown(void) { lm__outdir_abort(tmp_root); }

Test(sweep_design, a_2x3_grid_gives_the_6_combinations_with_endpoints)
{
    const lm_sweep_param p[] = {{.name = "a.b", .lo = 1, .hi = 2, .steps = 2},
                                {.name = "params.x.y", .lo = 0.1, .hi = 0.5, .steps = 3}};
    const lm_sweep_config sw = {.params = p, .n_params = 2, .design = LM_SWEEP_GRID};
    double *v = NULL;
    int n = 0;
    lm_error err;
    cr_assert_eq(lm_sweep_design_points(&sw, &v, &n, &err), LM_OK, "%s", err.message);
    cr_assert_eq(n, 6);
    static const double want[6][2] = {{1, 0.1}, {1, 0.3}, {1, 0.5},
                                      {2, 0.1}, {2, 0.3}, {2, 0.5}};
    for (int k = 0; k < 6; ++k)
        for (int j = 0; j < 2; ++j)
            cr_assert_eq(v[k * 2 + j], want[k][j], "point %d, parameter %d: %.17g", k + 1, j,
                         v[k * 2 + j]); /* exactly: the values are rounded to 15 digits */
    free(v);
}

Test(sweep_design, sobol_is_gsl_sequence_scaled)
{
    /* GSL's 2-d Sobol sequence starts (0.5, 0.5), (0.75, 0.25), (0.25, 0.75),
     * (0.375, 0.375). */
    const lm_sweep_param p[] = {{.name = "a.b", .lo = 0, .hi = 1},
                                {.name = "c.d", .lo = 10, .hi = 20}};
    const lm_sweep_config sw = {.params = p, .n_params = 2, .design = LM_SWEEP_SOBOL,
                                .points = 4};
    double *v = NULL;
    int n = 0;
    lm_error err;
    cr_assert_eq(lm_sweep_design_points(&sw, &v, &n, &err), LM_OK, "%s", err.message);
    cr_assert_eq(n, 4);
    static const double want[4][2] = {{0.5, 15}, {0.75, 12.5}, {0.25, 17.5}, {0.375, 13.75}};
    for (int k = 0; k < 4; ++k)
        for (int j = 0; j < 2; ++j)
            cr_assert_float_eq(v[k * 2 + j], want[k][j], 1e-12, "point %d, parameter %d: %g",
                               k + 1, j, v[k * 2 + j]);
    free(v);
}

Test(sweep_design, bad_designs_are_refused)
{
    lm_sweep_param p[] = {{.name = "a.b", .lo = 0, .hi = 1, .steps = 0}};
    lm_sweep_config sw = {.params = p, .n_params = 1, .design = LM_SWEEP_GRID};
    double *v = NULL;
    int n = 0;
    lm_error err;
    cr_assert_eq(lm_sweep_design_points(&sw, &v, &n, &err), LM_EINVAL, "steps 0");
    p[0].steps = 2;
    p[0].name = "a.b=3";
    cr_assert_eq(lm_sweep_design_points(&sw, &v, &n, &err), LM_EINVAL, "a name with '='");
    p[0].name = "a.b";
    sw.design = LM_SWEEP_SOBOL;
    cr_assert_eq(lm_sweep_design_points(&sw, &v, &n, &err), LM_EINVAL, "no --points");
    sw.n_params = 0;
    cr_assert_eq(lm_sweep_design_points(&sw, &v, &n, &err), LM_EINVAL, "no parameter");
    cr_assert_null(v);
}

static const char *const tables[] = {
    "SELECT * FROM region_year WHERE run_id = ?1 ORDER BY region_id, year",
    "SELECT * FROM firm WHERE run_id = ?1 ORDER BY firm_id",
    "SELECT * FROM fund WHERE run_id = ?1 ORDER BY fund_id",
};

/* Whether replication i of points a and b (1-based) are identical in every table. */
static bool same_runs(sqlite3 *db, int a, int b, int i)
{
    bool same = true;
    for (size_t t = 0; t < sizeof tables / sizeof tables[0]; ++t) {
        char *x = lm_test_dump_run(db, tables[t], (a - 1) * RUNS + i), *y = lm_test_dump_run(db, tables[t], (b - 1) * RUNS + i);
        same = same && strcmp(x, y) == 0;
        free(x);
        free(y);
    }
    return same;
}

Test(sweep, points_reach_the_runs_with_common_random_numbers, .init = setup, .fini = teardown)
{
    /* Points: tolerance 0.05 twice (the same point twice), then 0.95 twice. */
    const lm_sweep_param p[] = {
        {.name = "Jiashi.st_fund.loss_tolerance", .lo = 0.05, .hi = 0.95, .steps = 2},
        {.name = "params.costs.grace_months", .lo = 4, .hi = 4, .steps = 2}};
    const lm_sweep_config sw = {.params = p, .n_params = 2, .design = LM_SWEEP_GRID};
    char out[128];
    snprintf(out, sizeof out, "%s/sw", tmp_root);
    lm_experiment_config cfg;
    lm_experiment_config_init(&cfg);
    cfg.job.scenario_path = TINY;
    cfg.job.out_dir = out;
    cfg.job.threads = 2;
    cfg.runs = RUNS;
    lm_experiment_result res;
    lm_error err;
    cr_assert_eq(lm_experiment_sweep(&cfg, &sw, &res, &err), LM_OK, "%s", err.message);
    cr_assert_eq(res.n_arms, 4);
    cr_assert_not_null(strstr(res.summary, "4 points x 2 runs"), "%s", res.summary);
    lm_experiment_result_fini(&res);

    char path[200];
    snprintf(path, sizeof path, "%s/results.sqlite", out);
    sqlite3 *db = NULL;
    cr_assert_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    /* Runs: point K's replication i is run_id (K-1) R + i + 1, run index i. */
    char *runs = lm_test_dump_run(db, "SELECT run_id, arm, run FROM run WHERE ?1 > 0 ORDER BY run_id", 1);
    cr_assert_str_eq(runs, "point 1|0|\npoint 1|1|\npoint 2|0|\npoint 2|1|\n"
                           "point 3|0|\npoint 3|1|\npoint 4|0|\npoint 4|1|\n");
    free(runs);
    char *pts = lm_test_dump_run(db, "SELECT ?1, * FROM sweep_point ORDER BY point_id", 0);
    cr_assert_str_eq(pts, "1|point 1|1|2|\n2|point 2|3|2|\n3|point 3|5|2|\n4|point 4|7|2|\n");
    free(pts);
    char *vals = lm_test_dump_run(db, "SELECT ?1, point_id, name, value FROM sweep_value"
                          " ORDER BY point_id, param", 0);
    cr_assert_str_eq(vals, "1|Jiashi.st_fund.loss_tolerance|0.05|\n1|params.costs.grace_months|4.0|\n"
                           "2|Jiashi.st_fund.loss_tolerance|0.05|\n2|params.costs.grace_months|4.0|\n"
                           "3|Jiashi.st_fund.loss_tolerance|0.95|\n3|params.costs.grace_months|4.0|\n"
                           "4|Jiashi.st_fund.loss_tolerance|0.95|\n4|params.costs.grace_months|4.0|\n");
    free(vals);
    /* The point's edits are in the scenario text kept with its runs. */
    char *yaml = lm_test_dump_run(db, "SELECT run_id, scenario_yaml FROM run WHERE run_id = ?1", 5);
    cr_assert_not_null(strstr(yaml, "--policy Jiashi.st_fund.loss_tolerance=0.95"), "%s", yaml);
    cr_assert_not_null(strstr(yaml, "--policy params.costs.grace_months=4"));
    free(yaml);
    /* CRN: the same values give the same runs; another tolerance changes them. */
    bool differ = false;
    for (int i = 1; i <= RUNS; ++i) {
        cr_assert(same_runs(db, 1, 2, i), "replication %d differs between points 1 and 2", i);
        cr_assert(same_runs(db, 3, 4, i), "replication %d differs between points 3 and 4", i);
        differ = differ || !same_runs(db, 1, 3, i);
    }
    cr_assert(differ, "the loss tolerance changed nothing: it does not reach the simulation");
    sqlite3_close(db);

    /* sweep.csv: a header and one row per point, starting with the values. */
    snprintf(path, sizeof path, "%s/sweep.csv", out);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "no sweep.csv");
    char line[8192];
    cr_assert_not_null(fgets(line, sizeof line, f));
    cr_assert_not_null(strstr(line, "point_id,\"Jiashi.st_fund.loss_tolerance\","
                                    "\"params.costs.grace_months\",\""), "%s", line);
    cr_assert_not_null(strstr(line, "\"total.dragons_mean\",\"total.dragons_lo90\""));
    cr_assert_not_null(strstr(line, "\"total.public_cny_hi90\"\n"));
    int rows = 0;
    while (fgets(line, sizeof line, f)) {
        char want[64];
        snprintf(want, sizeof want, "%d,%s,4,", rows + 1, rows < 2 ? "0.05" : "0.95");
        cr_assert_eq(strncmp(line, want, strlen(want)), 0, "row %d: %s", rows + 1, line);
        ++rows;
    }
    fclose(f);
    cr_assert_eq(rows, 4);
}
