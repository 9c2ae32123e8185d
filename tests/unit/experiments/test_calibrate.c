/* tests/unit/experiments/test_calibrate.c -- `longmen calibrate` (src/experiments/calibrate.c,
 * targets.c, moments.c): the targets file and its errors (file:line:col), the named statistics
 * on hand-built records, the objective and the tolerance verdict on fixed moments (computed
 * by hand), and whole calibrations of tests/data/tiny.yaml with calibration/smoke.yaml: the
 * objective falls within a handful of evaluations, 1 and 2 threads give the same files, the
 * overlay calibrated.yaml loads to exactly the fitted scenario, and an interrupted calibration
 * resumed ends with the files of an uninterrupted one. */
#include <criterion/criterion.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "experiments/calibrate_int.h"
#include "io/store.h"
#include "longmen/calibrate.h"
#include "longmen/experiments.h"
#include "scenario/scenario_int.h"

#define TINY LM_TEST_DATA "/tiny.yaml"
#define SMOKE LM_SOURCE_DIR "/calibration/smoke.yaml"
#define M(y, m) ((int32_t)((y) * 12 + (m) - 1))

static lm_targets *parse(const char *text)
{
    lm_targets *t = NULL;
    lm_error err;
    cr_assert_eq(lm_targets_load_string(text, strlen(text), "t.yaml", &t, &err), LM_OK,
                 "%s (line %d, field %s)", err.message, err.line, err.field);
    return t;
}

/* ---- the targets file ---- */

Test(targets_file, smoke_yaml_reads_as_written)
{
    lm_targets *t = NULL;
    lm_error err;
    cr_assert_eq(lm_targets_load(SMOKE, &t, &err), LM_OK, "%s", err.message);
    cr_assert_eq(lm_targets_param_count(t), 2);
    cr_assert_eq(lm_targets_target_count(t), 4);
    cr_assert_str_eq(t->params[0].name, "params.entry.base_rate");
    cr_assert(t->params[0].log);
    cr_assert_eq(t->params[0].start, 1.5e-5);
    cr_assert(!t->params[1].log);
    cr_assert_float_eq(t->params[1].start, 0.35, 1e-15); /* the midpoint when not given */
    cr_assert_eq(t->targets[0].stat, LM_STAT_BIRTHS);
    cr_assert_str_eq(t->targets[0].region_name, "Jiashi");
    cr_assert_eq(t->targets[0].from, 2015);
    cr_assert(t->targets[0].has_sd);
    cr_assert(t->targets[1].tol_absolute);
    cr_assert_eq(t->targets[1].tolerance, 20);
    cr_assert_eq(t->targets[2].bound, LM_BOUND_UPPER);
    cr_assert_not_null(t->targets[3].sql);
    cr_assert_eq(t->targets[3].weight, 0.5);
    cr_assert(t->has_sql);
    cr_assert_eq(t->global_share, 0.6);
    lm_targets_free(t);
}

typedef struct bad_case {
    const char *text;
    int line, column;
    const char *field;   /* exact */
    const char *message; /* a part of it */
} bad_case;

#define P1 "parameters:\n  - {name: params.rnd.spillover, lo: 0.001, hi: 0.01}\n"
#define T1 "targets:\n  - {name: a, statistic: births, from: 2015, to: 2016, value: 10}\n"

static const bad_case bad[] = {
    {"", 1, 1, "", "empty"},
    {"- a\n", 1, 1, "", "expected a mapping"},
    {P1, 1, 1, "", "needs targets"},
    {T1, 1, 1, "", "needs parameters"},
    {P1 T1 "optimiser: {}\n", 5, 1, "optimiser", "did you mean \"optimizer\""},
    {"parameters: []\n" T1, 1, 13, "parameters", "expected 1 to 32 parameters"},
    {"parameters:\n  - {name: params.rnd.spillover, lo: 1, hi: 0.5}\n" T1, 2, 45,
     "parameters[0].hi", "must be above lo"},
    {"parameters:\n  - {name: spillover, lo: 0, hi: 1}\n" T1, 2, 12, "parameters[0].name",
     "expected REGION.KIND.FIELD"},
    {"parameters:\n  - {name: a.b, lo: 0, hi: 1, scale: log}\n" T1, 2, 38,
     "parameters[0].scale", "log scale needs lo > 0"},
    {"parameters:\n  - {name: a.b, lo: 0, hi: 1, start: 2}\n" T1, 2, 38,
     "parameters[0].start", "expected a number in [0, 1]"},
    {"parameters:\n  - {name: a.b, lo: 0, hi: x}\n" T1, 2, 28, "parameters[0].hi",
     "expected a number"},
    {"parameters:\n  - {name: a.b, lo: 0, hi: 1}\n  - {name: a.b, lo: 0, hi: 1}\n" T1, 3, 5,
     "parameters[1]", "given twice"},
    {P1 "targets:\n  - {name: a, statistic: birth, from: 2015, to: 2016, value: 1}\n", 4, 26,
     "targets[0].statistic", "did you mean \"births\""},
    {P1 "targets:\n  - {name: a, statistic: births, from: 2015, value: 1}\n", 4, 5, "targets[0]",
     "needs \"to\""},
    {P1 "targets:\n  - {name: a, statistic: births, from: 2015, to: 2016, tier: x, value: 1}\n",
     4, 56, "targets[0].tier", "takes no \"tier\""},
    {P1 "targets:\n  - {name: a, statistic: births, from: 2016, to: 2015, value: 1}\n", 4, 50,
     "targets[0].to", "before from"},
    {P1 "targets:\n  - {name: a, statistic: births, from: 2015, to: 2016}\n", 4, 5, "targets[0]",
     "needs a value"},
    {P1 "targets:\n  - {name: a, value: 1}\n", 4, 5, "targets[0]", "exactly one of"},
    {P1 "targets:\n  - {name: a, sql: 'SELECT 1', statistic: births, value: 1}\n", 4, 5,
     "targets[0]", "exactly one of"},
    {P1 "targets:\n  - {name: a, sql: 'SELECT 1', region: x, value: 1}\n", 4, 32,
     "targets[0].region", "not of an sql moment"},
    {P1 "targets:\n  - {name: a, statistic: tier_count, year: 2020, tier: big, value: 1}\n", 4,
     56, "targets[0].tier", "unknown tier"},
    {P1 "targets:\n  - {name: a, statistic: births, from: 2015, to: 2016, value: 1, sd: 0}\n", 4,
     70, "targets[0].sd", "positive number"},
    {P1 "targets:\n  - {name: a, statistic: births, from: 2015, to: 2016, value: 1,"
        " tolerance: {percent: 5}}\n",
     4, 78, "targets[0].tolerance.percent", "unknown key"},
    {P1 "targets:\n  - {name: a, statistic: deal_multiple_share, value: 1}\n", 4, 5,
     "targets[0]", "exactly one of \"below\" and \"at_least\""},
    {P1 "targets:\n  - {name: 'a,b', statistic: survival, years: 1, value: 1}\n", 4, 13,
     "targets[0].name", "without commas"},
    {P1 T1 "  - {name: a, statistic: births, from: 2015, to: 2016, value: 1}\n", 5, 5,
     "targets[1]", "given twice"},
    {P1 T1 "optimizer: {global: none, local: none}\n", 5, 12, "optimizer", "both be none"},
    {P1 "targets:\n  - {name: a, statistic: births, from: 2015, to: 2016, value: 1, bound: up}\n",
     4, 73, "targets[0].bound", "unknown bound"},
    {P1 "targets:\n  - {name: a, statistic: births, from: 2015, to: 2016, value: 1, use: fitted}\n",
     4, 71, "targets[0].use", "unknown use"},
    {"parameters: [\n", 2, 1, "", ""},
};

Test(targets_file, bad_files_give_file_line_col_field)
{
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; ++i) {
        lm_targets *t = NULL;
        lm_error err;
        const lm_status st = lm_targets_load_string(bad[i].text, strlen(bad[i].text), "t.yaml",
                                                    &t, &err);
        cr_assert_eq(st, LM_EINVAL, "case %zu accepted", i);
        cr_assert_null(t);
        cr_assert_str_eq(err.file, "t.yaml", "case %zu", i);
        cr_expect_eq(err.line, bad[i].line, "case %zu: line %d (%s)", i, err.line, err.message);
        cr_expect_eq(err.column, bad[i].column, "case %zu: column %d (%s)", i, err.column,
                     err.message);
        cr_expect_str_eq(err.field, bad[i].field, "case %zu: %s", i, err.message);
        cr_expect_not_null(strstr(err.message, bad[i].message), "case %zu: %s", i, err.message);
    }
}

Test(targets_file, a_missing_file_and_a_missing_region_are_errors)
{
    lm_targets *t = NULL;
    lm_error err;
    cr_assert_eq(lm_targets_load("/nonexistent/t.yaml", &t, &err), LM_EIO);
    t = parse(P1 "targets:\n  - {name: a, statistic: births, region: Nowhere, from: 2015,"
                 " to: 2016, value: 1}\n");
    lm_scenario *sc = NULL;
    cr_assert_eq(lm_scenario_load(TINY, &sc, &err), LM_OK);
    cr_assert_eq(lm__cal_bind(t, sc, &err), LM_EINVAL);
    cr_assert_eq(err.line, 4);
    cr_assert_eq(err.column, 42);
    cr_assert_str_eq(err.field, "targets[0].region");
    cr_assert_not_null(strstr(err.message, "Jiashi, Yishi"), "%s", err.message);
    lm_targets_free(t);
    /* both names of a region work */
    t = parse(P1 "targets:\n  - {name: a, statistic: births, region: 乙市, from: 2015,"
                 " to: 2016, value: 1}\n  - {name: b, statistic: births, region: Yishi,"
                 " from: 2015, to: 2016, value: 1}\n");
    cr_assert_eq(lm__cal_bind(t, sc, &err), LM_OK, "%s", err.message);
    cr_assert_eq(t->targets[0].region, 1);
    cr_assert_eq(t->targets[1].region, 1);
    lm_targets_free(t);
    lm_scenario_free(sc);
}

/* ---- statistics ---- */

Test(statistics, hill_and_rank_size_on_hand_data)
{
    double x[] = {1, 8, 2, 4};
    /* k = 2: threshold 2, sum ln(8/2) + ln(4/2) = 3 ln 2 */
    cr_assert_float_eq(lm__stat_hill(x, 4, 2), 2.0 / (3.0 * log(2.0)), 1e-12);
    double y[] = {1, 8};
    cr_assert(isnan(lm__stat_hill(y, 2, 2)), "n <= k is undefined");
    /* exact Pareto with alpha 1 in rank-size form: size = 100 / (rank - 1/2) */
    double z[6];
    for (int i = 0; i < 6; ++i)
        z[5 - i] = 100.0 / (i + 0.5);
    cr_assert_float_eq(lm__stat_rank_size(z, 6, 6), 1.0, 1e-12);
    double q[] = {4, 1, 3, 2};
    cr_assert_float_eq(lm__stat_quantile(q, 4, 0.25), 1.75, 1e-12);
    cr_assert_float_eq(lm__stat_quantile(q, 4, 0.5), 2.5, 1e-12);
    cr_assert(isnan(lm__stat_quantile(q, 0, 0.5)));
}

static const lm_firm_record firms[] = {
    {.firm_id = 0, .region = 0, .origin = 0, .business_model = 0, .founded_month = M(2015, 3),
     .dragon_month = M(2019, 12), .status = LM_FIRM_IPO, .ended_month = M(2020, 6),
     .headcount = 100, .launched_month = -1},
    {.firm_id = 1, .region = 0, .origin = 1, .business_model = 1, .founded_month = M(2016, 5),
     .dragon_month = M(2020, 12), .status = LM_FIRM_ALIVE, .ended_month = -1, .headcount = 50},
    {.firm_id = 2, .region = 0, .origin = -1, .founded_month = M(2014, 1),
     .dragon_month = M(2018, 12), .status = LM_FIRM_ALIVE, .ended_month = -1, .headcount = 20},
    {.firm_id = 3, .region = 1, .origin = 1, .founded_month = M(2015, 1),
     .dragon_month = M(2017, 12), .status = LM_FIRM_ALIVE, .ended_month = -1, .headcount = 40},
    {.firm_id = 4, .region = 0, .origin = 0, .founded_month = M(2015, 1), .dragon_month = -1,
     .status = LM_FIRM_DEAD, .ended_month = M(2015, 8)},
    {.firm_id = 5, .region = 0, .origin = 0, .founded_month = M(2015, 6), .dragon_month = -1,
     .status = LM_FIRM_DEAD, .ended_month = M(2017, 1)},
    {.firm_id = 6, .region = 0, .origin = 0, .founded_month = M(2020, 1), .dragon_month = -1,
     .status = LM_FIRM_ALIVE, .ended_month = -1, .headcount = 10},
};

static lm_status firm_at(const void *ctx, uint32_t id, lm_firm_record *rec)
{
    (void)ctx;
    if (id >= sizeof firms / sizeof firms[0])
        return LM_EINVAL;
    *rec = firms[id];
    return LM_OK;
}

static double stat_of(const char *target_yaml)
{
    static lm_region_year ry[2];
    memset(ry, 0, sizeof ry);
    ry[0] = (lm_region_year){.region = 0, .year = 2017, .high_tech = 100, .births = 10,
                             .births_nonlocal = 2};
    ry[1] = (lm_region_year){.region = 0, .year = 2020, .high_tech = 250, .births = 20,
                             .births_nonlocal = 4};
    static lm_finance_year fy[2];
    memset(fy, 0, sizeof fy);
    fy[0] = (lm_finance_year){.region = 0, .year = 2015, .gov_committed_cny = 10,
                              .social_committed_cny = 20, .guidance_invested_cny = 5};
    fy[1] = (lm_finance_year){.region = 0, .year = 2016, .gov_committed_cny = 1,
                              .social_committed_cny = 2, .guidance_invested_cny = 3};
    static const lm_deal_record deals[] = {
        {.month = M(2015, 2), .firm_id = 4, .lead = 1, .post_money_cny = 10},
        {.month = M(2016, 1), .firm_id = 0, .lead = 1, .post_money_cny = 10},
        {.month = M(2018, 1), .firm_id = 0, .lead = 1, .post_money_cny = 50},
        {.month = M(2019, 5), .firm_id = 1, .lead = 1, .post_money_cny = 150},
        {.month = M(2016, 1), .firm_id = 5, .lead = 0, .post_money_cny = 10},
    };
    static const lm_exit_record exits[] = {
        {.month = M(2020, 6), .firm_id = 0, .region = 0, .kind = LM_FIRM_IPO,
         .valuation_cny = 200}};
    static const lm_fund_record funds[] = {
        {.kind = LM_INVESTOR_VC, .paid_in_cny = 1, .tvpi = 3},
        {.kind = LM_INVESTOR_VC, .paid_in_cny = 1, .tvpi = 1},
        {.kind = LM_INVESTOR_VC, .paid_in_cny = 1, .tvpi = 4},
        {.kind = LM_INVESTOR_VC, .paid_in_cny = 1, .tvpi = 2},
        {.kind = LM_INVESTOR_VC, .paid_in_cny = 0, .tvpi = 0},
        {.kind = LM_INVESTOR_ANGEL, .paid_in_cny = 1, .tvpi = 10},
    };
    const lm__cal_data d = {.ry = ry, .n_ry = 2, .fy = fy, .n_fy = 2, .deals = deals,
                            .n_deals = 5, .exits = exits, .n_exits = 1, .funds = funds,
                            .n_funds = 6, .n_firms = 7, .firm = firm_at,
                            .last_month = M(2020, 12)};
    char text[1024];
    snprintf(text, sizeof text, P1 "targets:\n  - {name: s, value: 1, %s}\n", target_yaml);
    lm_targets *t = parse(text);
    lm__cal_target *g = &t->targets[0];
    g->region = strcmp(g->region_name, "R0") == 0 ? 0 : strcmp(g->region_name, "R1") == 0 ? 1 : -1;
    double v = -1;
    lm_error err;
    cr_assert_eq(lm__cal_statistic(g, &d, &v, &err), LM_OK, "%s", err.message);
    lm_targets_free(t);
    return v;
}

Test(statistics, named_statistics_on_hand_built_records)
{
    cr_assert_eq(stat_of("statistic: dragons_founded, region: R0, from: 2015, to: 2024"), 2);
    cr_assert_eq(stat_of("statistic: dragons_founded, from: 2015, to: 2024"), 3);
    cr_assert_eq(stat_of("statistic: dragons_founded, region: R0, from: 2015, to: 2024,"
                         " model: to_c"),
                 1);
    cr_assert_eq(stat_of("statistic: dragons_founded, region: R0, from: 2015, to: 2024, by: 2019"),
                 1);
    cr_assert_eq(stat_of("statistic: dragons_nonlocal_share, region: R0, from: 2015, to: 2024"),
                 0.5);
    cr_assert(isnan(stat_of("statistic: dragons_nonlocal_share, region: R0, from: 2021, to: 2024")));
    /* founded 2015-2019 and observed a year: 0, 1, 2, 3, 4, 5; 4 died within its first year */
    cr_assert_float_eq(stat_of("statistic: survival, years: 1"), 5.0 / 6.0, 1e-15);
    cr_assert_float_eq(stat_of("statistic: survival, region: R0, years: 1"), 0.8, 1e-15);
    cr_assert(isnan(stat_of("statistic: survival, years: 10")));
    /* alive with staff: 50, 20, 40, 10 (firm 0 went public); k = 2: threshold 20 */
    cr_assert_float_eq(stat_of("statistic: zipf_exponent, k: 2"), 2.0 / log(2.5 * 2.0), 1e-12);
    cr_assert_eq(stat_of("statistic: tier_count, region: R0, year: 2020, tier: high_tech"), 250);
    cr_assert_eq(stat_of("statistic: tier_growth, region: R0, year: 2020, years: 3,"
                         " tier: high_tech"),
                 2.5);
    cr_assert(isnan(stat_of("statistic: tier_count, year: 2030, tier: high_tech")));
    cr_assert_eq(stat_of("statistic: births, from: 2015, to: 2020"), 30);
    cr_assert_float_eq(stat_of("statistic: founders_nonlocal_share, from: 2015, to: 2020"), 0.2,
                       1e-15);
    cr_assert_eq(stat_of("statistic: guidance_cny, to: 2016, measure: approved"), 33);
    cr_assert_eq(stat_of("statistic: guidance_cny, region: R0, to: 2016, measure: invested"), 8);
    cr_assert_eq(stat_of("statistic: guidance_cny, from: 2016, to: 2016, measure: social"), 2);
    cr_assert_eq(stat_of("statistic: guidance_cny, to: 2015, measure: government"), 10);
    /* resolved lead rounds: firm 4 (dead: 0x), firm 0 at 10 (20x) and at 50 (4x) */
    cr_assert_float_eq(stat_of("statistic: deal_multiple_share, below: 1"), 1.0 / 3, 1e-15);
    cr_assert_float_eq(stat_of("statistic: deal_multiple_share, at_least: 10"), 1.0 / 3, 1e-15);
    cr_assert_eq(stat_of("statistic: fund_tvpi"), 1.5); /* IQR of 1, 2, 3, 4 */
    cr_assert_eq(stat_of("statistic: fund_tvpi, measure: median"), 2.5);
    cr_assert_eq(stat_of("statistic: fund_tvpi, kind: angel, measure: median"), 10);
    /* threshold 100: firm 0 by its IPO (63 months), firm 1 by a round (36 months) */
    cr_assert_float_eq(stat_of("statistic: years_to_unicorn, threshold_cny: 100"), 4.125, 1e-15);
    cr_assert(isnan(stat_of("statistic: years_to_unicorn")));
}

/* ---- the objective ---- */

Test(objective, hand_computed_on_fixed_moments)
{
    lm_targets *t = parse(P1 "targets:\n"
                             "  - {name: a, statistic: survival, years: 1, value: 10, sd: 2}\n"
                             "  - {name: b, statistic: survival, years: 1, value: 0.5,"
                             " weight: 2, tolerance: {absolute: 0.3}}\n"
                             "  - {name: c, statistic: survival, years: 1, value: 100, sd: 10,"
                             " bound: lower}\n"
                             "  - {name: d, statistic: survival, years: 1, value: 5, sd: 1,"
                             " bound: lower}\n"
                             "  - {name: e, statistic: survival, years: 1, value: 0}\n");
    const double rows[2 * 5] = {12, 0.25, 130, NAN, -1, /* replication 0 */
                                14, NAN, 110, NAN, -3}; /* replication 1 */
    double mean[5];
    /* a: (13-10)/2 = 1.5 -> 2.25; b: (0.25-0.5)/0.5 = -0.5, weight 2 -> 0.5; c: above a
     * lower bound -> 0; d: undefined -> 10^2; e: value 0 so s = 1: -2 -> 4 */
    cr_assert_float_eq(lm__cal_objective(t, rows, 2, mean), 106.75, 1e-12);
    cr_assert_eq(mean[0], 13);
    cr_assert_eq(mean[1], 0.25);
    cr_assert_eq(mean[2], 120);
    cr_assert(isnan(mean[3]));
    cr_assert_eq(mean[4], -2);
    cr_assert(!lm__cal_within(&t->targets[0], 13), "|13 - 10| > 20%% of 10");
    cr_assert(lm__cal_within(&t->targets[0], 11.9));
    cr_assert(lm__cal_within(&t->targets[1], 0.25), "absolute 0.3");
    cr_assert(lm__cal_within(&t->targets[2], 120), "above a lower bound");
    cr_assert(lm__cal_within(&t->targets[2], 85), "within 20%% below a lower bound");
    cr_assert(!lm__cal_within(&t->targets[2], 79));
    cr_assert(!lm__cal_within(&t->targets[3], NAN));
    cr_assert(!lm__cal_within(&t->targets[4], -2));
    lm_targets_free(t);
}

/* ---- whole calibrations of tiny ---- */

static char tmp_root[64];

static void setup(void)
{
    snprintf(tmp_root, sizeof tmp_root, "/tmp/lm_calib_XXXXXX");
    cr_assert_not_null(mkdtemp(tmp_root), "mkdtemp: %s", strerror(errno));
}

static void teardown(void) { lm__outdir_abort(tmp_root); }

static void config(lm_calibrate_config *c, const char *out, int budget, int threads)
{
    lm_calibrate_config_init(c);
    c->x.job.scenario_path = TINY;
    c->x.job.out_dir = out;
    c->x.job.threads = threads;
    c->x.job.quiet = true;
    c->x.runs = 2;
    c->targets_path = SMOKE;
    c->budget = budget;
}

static char *slurp(const char *dir, const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "%s: %s", path, strerror(errno));
    fseek(f, 0, SEEK_END);
    const long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = calloc((size_t)n + 1, 1);
    cr_assert_eq(fread(s, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    return s;
}

static void run(const lm_calibrate_config *c, lm_calibrate_result *res)
{
    lm_error err;
    cr_assert_eq(lm_calibrate(c, res, &err), LM_OK, "%s:%d:%d: %s: %s", err.file, err.line,
                 err.column, err.field, err.message);
}

Test(calibrate, the_objective_falls_within_a_handful_of_evaluations, .init = setup,
     .fini = teardown)
{
    char out[128];
    snprintf(out, sizeof out, "%s/a", tmp_root);
    lm_calibrate_config c;
    config(&c, out, 6, 2);
    lm_calibrate_result res;
    run(&c, &res);
    cr_assert_eq(res.evaluations, 6 + 2 * 2, "the budget, then two per parameter (Jacobian)");
    cr_assert_lt(res.best_objective, res.first_objective, "best %g, first %g",
                 res.best_objective, res.first_objective);
    cr_assert_eq(res.n_params, 2);
    cr_assert_not_null(strstr(res.summary, "births_jiashi"));
    for (const char *f = "results.sqlite\0trace.csv\0moments.csv\0summary.txt\0calibrated.yaml\0"
                         "parameters.csv\0jacobian.csv\0";
         *f; f += strlen(f) + 1) {
        char path[256];
        snprintf(path, sizeof path, "%s/%s", out, f);
        cr_assert_eq(access(path, R_OK), 0, "%s missing", path);
    }
    char partial[160];
    snprintf(partial, sizeof partial, "%s.partial", out);
    cr_assert_neq(access(partial, F_OK), 0, "the .partial folder is left");
    /* trace.csv: a header and 10 rows, the last four of the Jacobian */
    char *trace = slurp(out, "trace.csv");
    int lines = 0;
    for (const char *p = trace; *p; ++p)
        lines += *p == '\n';
    cr_assert_eq(lines, 11, "%s", trace);
    cr_assert_not_null(strstr(trace, "\n10,jacobian,"), "%s", trace);
    free(trace);
    /* tiny's targets are births and deaths: the founder rate moves them, the fund's loss
       tolerance does not (no standard error, said so) */
    char *pars = slurp(out, "parameters.csv");
    cr_assert_not_null(strstr(pars, "params.entry.base_rate,"), "%s", pars);
    cr_assert_not_null(strstr(pars, ",log,yes,births_"), "%s", pars);
    cr_assert_not_null(strstr(pars, "Jiashi.st_fund.loss_tolerance,"), "%s", pars);
    cr_assert_not_null(strstr(pars, ",,0.1,0.6,linear,no,"), "%s", pars);
    free(pars);
    cr_assert_not_null(strstr(res.summary, "no target: fix it"), "%s", res.summary);
    lm_calibrate_result_fini(&res);
}

Test(calibrate, one_and_two_threads_give_the_same_files, .init = setup, .fini = teardown)
{
    char a[128], b[128];
    snprintf(a, sizeof a, "%s/t1", tmp_root);
    snprintf(b, sizeof b, "%s/t2", tmp_root);
    lm_calibrate_config c;
    lm_calibrate_result r1, r2;
    config(&c, a, 5, 1);
    run(&c, &r1);
    config(&c, b, 5, 2);
    run(&c, &r2);
    for (const char *f = "trace.csv\0moments.csv\0"; *f; f += strlen(f) + 1) {
        char *x = slurp(a, f), *y = slurp(b, f);
        cr_assert_str_eq(x, y, "%s differs", f);
        free(x);
        free(y);
    }
    cr_assert_eq(r1.best_objective, r2.best_objective);
    lm_calibrate_result_fini(&r1);
    lm_calibrate_result_fini(&r2);
}

static lm_policy *first_policy(lm_params *p, int region, lm_policy_kind kind)
{
    for (int i = 0; i < p->regions[region].n_policies; ++i)
        if (p->regions[region].policies[i].kind == kind)
            return &p->regions[region].policies[i];
    return NULL;
}

Test(calibrate, the_overlay_loads_to_the_fitted_scenario, .init = setup, .fini = teardown)
{
    char out[128];
    snprintf(out, sizeof out, "%s/o", tmp_root);
    lm_calibrate_config c;
    config(&c, out, 4, 0);
    lm_calibrate_result res;
    run(&c, &res);
    char path[256];
    snprintf(path, sizeof path, "%s/calibrated.yaml", out);
    lm_scenario *fit = NULL, *edited = NULL;
    lm_error err;
    cr_assert_eq(lm_scenario_load(path, &fit, &err), LM_OK, "%s:%d: %s", err.file, err.line,
                 err.message);
    lm_params *p = (lm_params *)lm__scenario_params(fit);
    cr_assert_eq(p->entry.base_rate, res.best[0], "%.17g vs %.17g", p->entry.base_rate,
                 res.best[0]);
    const lm_policy *pol = first_policy(p, 0, LM_POLICY_ST_FUND);
    cr_assert_not_null(pol);
    cr_assert_eq(pol->loss_tolerance, res.best[1]);
    /* and it simulates exactly like the scenario with the edits */
    char e0[96], e1[96];
    snprintf(e0, sizeof e0, "params.entry.base_rate=%.10g", res.best[0]);
    snprintf(e1, sizeof e1, "Jiashi.st_fund.loss_tolerance=%.10g", res.best[1]);
    const char *set[] = {e0, e1};
    const lm_scenario_edits ed = {.set = set, .n_set = 2};
    cr_assert_eq(lm_scenario_load_edited(TINY, &ed, &edited, &err), LM_OK, "%s", err.message);
    lm_sim *s1 = NULL, *s2 = NULL;
    const lm_sim_config sc = {.seed = 42, .run = 1, .threads = 1};
    cr_assert_eq(lm_sim_create(fit, &sc, &s1, &err), LM_OK);
    cr_assert_eq(lm_sim_create(edited, &sc, &s2, &err), LM_OK);
    while (!lm_sim_done(s1)) {
        cr_assert_eq(lm_sim_step(s1, &err), LM_OK);
        cr_assert_eq(lm_sim_step(s2, &err), LM_OK);
    }
    size_t n1, n2;
    const lm_region_year *y1 = lm_sim_region_years(s1, &n1), *y2 = lm_sim_region_years(s2, &n2);
    cr_assert_eq(n1, n2);
    cr_assert_eq(memcmp(y1, y2, n1 * sizeof *y1), 0, "the overlay simulates differently");
    lm_sim_destroy(s1);
    lm_sim_destroy(s2);
    lm_scenario_free(fit);
    lm_scenario_free(edited);
    lm_calibrate_result_fini(&res);
}

static volatile sig_atomic_t stop_flag;

static void stop_after_3(const lm_calibrate_progress *p, void *user)
{
    (void)user;
    if (p->evaluations >= 3)
        stop_flag = 1;
}

Test(calibrate, a_resumed_calibration_ends_like_an_uninterrupted_one, .init = setup,
     .fini = teardown)
{
    char out[128];
    snprintf(out, sizeof out, "%s/r", tmp_root);
    lm_calibrate_config c;
    lm_calibrate_result res;
    config(&c, out, 7, 2);
    run(&c, &res);
    static const char *const files[] = {"trace.csv", "moments.csv", "summary.txt",
                                        "calibrated.yaml"};
    char *want[4];
    for (int i = 0; i < 4; ++i)
        want[i] = slurp(out, files[i]);
    lm_calibrate_result_fini(&res);
    lm__outdir_abort(out);

    /* interrupted after 3 evaluations */
    config(&c, out, 7, 2);
    c.x.job.quiet = false;
    c.progress = stop_after_3;
    c.x.job.stop_flag = &stop_flag;
    stop_flag = 0;
    lm_error err;
    cr_assert_eq(lm_calibrate(&c, &res, &err), LM_EINTR, "%s", err.message);
    char partial[160];
    snprintf(partial, sizeof partial, "%s.partial", out);
    cr_assert_eq(access(partial, F_OK), 0);
    cr_assert_neq(access(out, F_OK), 0);
    /* without --resume: refused */
    config(&c, out, 7, 2);
    cr_assert_eq(lm_calibrate(&c, &res, &err), LM_EEXIST);
    cr_assert_not_null(strstr(err.message, "--resume"), "%s", err.message);
    /* another budget: refused */
    config(&c, out, 8, 2);
    c.x.resume = true;
    cr_assert_eq(lm_calibrate(&c, &res, &err), LM_EINVAL);
    /* resumed */
    config(&c, out, 7, 1);
    c.x.resume = true;
    stop_flag = 0;
    run(&c, &res);
    cr_assert_eq(res.resumed, 3);
    for (int i = 0; i < 4; ++i) {
        char *got = slurp(out, files[i]);
        cr_assert_str_eq(got, want[i], "%s differs after --resume", files[i]);
        free(got);
        free(want[i]);
    }
    lm_calibrate_result_fini(&res);
}

Test(calibrate, bad_parameters_and_sql_point_into_the_targets_file, .init = setup,
     .fini = teardown)
{
    static const struct {
        const char *text;
        int line;
        const char *field, *message;
    } cases[] = {
        {"parameters:\n  - {name: Nowhere.amenity, lo: 0, hi: 1}\n" T1, 2, "parameters[0]",
         "no region named 'Nowhere'"},
        {"parameters:\n  - {name: params.rnd.spillover, lo: -1, hi: 1}\n" T1, 2, "parameters[0]",
         "does not apply"},
        {P1 "targets:\n  - {name: a, sql: 'SELECT count(*) FROM no_table', value: 1}\n", 4,
         "targets[0].sql", "no such table"},
        {P1 "targets:\n  - {name: a, sql: 'DELETE FROM firm', value: 1}\n", 4, "targets[0].sql",
         "only read"},
        {P1 "targets:\n  - {name: a, sql: 'SELECT 1, 2', value: 1}\n", 4, "targets[0].sql",
         "one column"},
        {P1 "targets:\n  - {name: a, sql: 'SELECT 1; SELECT 2', value: 1}\n", 4,
         "targets[0].sql", "one statement"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
        char tpath[128], out[128];
        snprintf(tpath, sizeof tpath, "%s/t%zu.yaml", tmp_root, i);
        snprintf(out, sizeof out, "%s/out%zu", tmp_root, i);
        FILE *f = fopen(tpath, "w");
        fputs(cases[i].text, f);
        fclose(f);
        lm_calibrate_config c;
        config(&c, out, 2, 1);
        c.targets_path = tpath;
        lm_calibrate_result res;
        lm_error err;
        cr_assert_eq(lm_calibrate(&c, &res, &err), LM_EINVAL, "case %zu", i);
        cr_expect_str_eq(err.file, tpath, "case %zu: %s", i, err.message);
        cr_expect_eq(err.line, cases[i].line, "case %zu: %s", i, err.message);
        cr_expect_str_eq(err.field, cases[i].field, "case %zu: %s", i, err.message);
        cr_expect_not_null(strstr(err.message, cases[i].message), "case %zu: %s", i,
                           err.message);
        char partial[160];
        snprintf(partial, sizeof partial, "%s.partial", out);
        cr_expect_neq(access(partial, F_OK), 0, "case %zu left %s", i, partial);
    }
}

/* A check target is reported with the others but never enters the objective. */
Test(objective, check_targets_are_reported_not_fitted)
{
    lm_targets *t = parse(P1 "targets:\n"
                             "  - {name: a, statistic: survival, years: 1, value: 10, sd: 2,"
                             " use: fit}\n"
                             "  - {name: b, statistic: survival, years: 1, value: 0, sd: 1,"
                             " use: check}\n");
    const double rows[2] = {12, 50};
    double mean[2];
    cr_assert_float_eq(lm__cal_objective(t, rows, 1, mean), 1.0, 1e-12);
    cr_assert_eq(mean[1], 50, "the check target's moment is still computed");
    lm_targets_free(t);
}

/* An SQL moment that is infinite in a replication counts as undefined there, as the database
 * keeps it (NULL), so a calibration and its resumed twin use the same moments. */
Test(calibrate, an_infinite_sql_moment_is_undefined, .init = setup, .fini = teardown)
{
    char tpath[128], out[128];
    snprintf(tpath, sizeof tpath, "%s/inf.yaml", tmp_root);
    snprintf(out, sizeof out, "%s/inf", tmp_root);
    FILE *f = fopen(tpath, "w");
    fputs(P1 "targets:\n  - {name: huge, sql: 'SELECT 9e999', value: 1}\n"
             "  - {name: one, sql: 'SELECT 1.0', value: 1}\n", f);
    fclose(f);
    lm_calibrate_config c;
    config(&c, out, 1, 1);
    c.targets_path = tpath;
    c.no_standard_errors = true;
    lm_calibrate_result res;
    run(&c, &res);
    /* the infinite moment is undefined everywhere (d = 10), the other exact: f = 100 */
    cr_assert_float_eq(res.best_objective, 100.0, 1e-9);
    char *m = slurp(out, "moments.csv");
    cr_assert_not_null(strstr(m, "\n0,huge,\"sql: SELECT 9e999\",1,,1,nan,"), "%s", m);
    cr_assert_null(strstr(m, "inf"), "an infinity reached moments.csv: %s", m);
    free(m);
    lm_calibrate_result_fini(&res);
}
