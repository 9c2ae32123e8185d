/* tests/unit/experiments/test_compare_paths.c -- compare's pairs.csv, paths.csv and costs.csv
 * (src/experiments/compare_paths.c) agree with compare.csv: the pairs average to its mean
 * differences, the last year of a path is its end value, and a cost is the mean extra public
 * money over the mean extra outcome. */
#include <criterion/criterion.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "experiments/experiments_int.h"
#include "io/store.h"
#include "longmen/experiments.h"
#include "lm_test.h"

#define TINY LM_TEST_DATA "/tiny.yaml"
#define RUNS 3

static char tmp_root[64], out[128];

static void setup(void)
{
    snprintf(tmp_root, sizeof tmp_root, "/tmp/lm_cmpp_XXXXXX");
    cr_assert_not_null(mkdtemp(tmp_root), "mkdtemp: %s", strerror(errno));
    snprintf(out, sizeof out, "%s/compare", tmp_root);
    /* Jiashi with three times the platform alumni and a fund in which the government takes
       a larger share: many more founders, so more jobs, and more public money (subsidies,
       the government's part of the fund's calls) from the first year; what the
       counterfactual is does not matter here, only that it moves the outcomes whose files
       are checked. (A higher amenity alone, the edit before founders followed the deal flow,
       adds too few founders for the fund's 2015 outlays, a handful of deals, to rise in the
       mean of 3 replications.) */
    const char *set[] = {"甲市.platform_alumni=60000", "甲市.st_fund.gov_share=0.6"};
    const lm_scenario_edits e = {.set = set, .n_set = 2};
    lm_experiment_config cfg;
    lm_experiment_config_init(&cfg);
    cfg.job.scenario_path = TINY;
    cfg.job.out_dir = out;
    cfg.job.threads = 2;
    cfg.runs = RUNS;
    lm_experiment_result res;
    lm_error err;
    cr_assert_eq(lm_experiment_compare(&cfg, &e, &res, &err), LM_OK, "%s", err.message);
    cr_assert_not_null(strstr(res.summary, "public money per extra outcome"));
    lm_experiment_result_fini(&res);
}

static void teardown(void) { lm__outdir_abort(tmp_root); }

/* Field col (0-based) of the line of file name whose first fields are key ("甲市",jobs), or
 * NAN; *lines receives the line count. */
static double field(const char *name, const char *key, int col, int *lines)
{
    char path[256], line[2048];
    snprintf(path, sizeof path, "%s/%s", out, name);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "no %s", path);
    double v = NAN;
    int n = 0;
    while (fgets(line, sizeof line, f)) {
        ++n;
        if (strncmp(line, key, strlen(key)) != 0 || !isnan(v))
            continue;
        const char *p = line;
        for (int k = 0; k < col && p; ++k)
            p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL;
        cr_assert_not_null(p, "%s: %s has no column %d", name, line, col);
        v = *p == ',' || *p == '\n' ? NAN : strtod(p, NULL);
    }
    fclose(f);
    if (lines)
        *lines = n;
    return v;
}

Test(compare_paths, pairs_average_to_the_mean_difference, .init = setup, .fini = teardown)
{
    int lines;
    field("pairs.csv", "run,", 0, &lines);
    cr_assert_eq(lines, 1 + RUNS * 3, "a header, then per replication 2 regions and the total");
    /* jobs_diff is column 10: run,region, then 3 per metric (dragons, high_tech, jobs) */
    double sum = 0;
    for (int i = 0; i < RUNS; ++i) {
        char key[32];
        snprintf(key, sizeof key, "%d,\"甲市\",", i);
        const double b = field("pairs.csv", key, 8, NULL), c = field("pairs.csv", key, 9, NULL);
        const double d = field("pairs.csv", key, 10, NULL);
        cr_assert_float_eq(d, c - b, 0, "replication %d", i);
        sum += d;
    }
    const double mean = field("compare.csv", "\"甲市\",jobs,", 5, NULL);
    cr_assert_float_eq(sum / RUNS, mean, 1e-9);
    cr_assert_gt(fabs(mean), 0, "a Jiashi with more founders has other jobs in tiny.yaml");
}

Test(compare_paths, the_last_year_of_a_path_is_the_end_value, .init = setup, .fini = teardown)
{
    int lines;
    field("paths.csv", "region,", 0, &lines);
    cr_assert_eq(lines, 1 + 3 * 4 * 2, "3 regions x 4 metrics x 2 years");
    static const char *const metrics[] = {"jobs", "public_cny", "dragons", "high_tech"};
    for (size_t k = 0; k < sizeof metrics / sizeof metrics[0]; ++k)
        for (int r = 0; r < 3; ++r) {
            static const char *const regions[] = {"\"甲市\"", "\"乙市\"", "\"total\""};
            char path_key[64], end_key[64];
            snprintf(path_key, sizeof path_key, "%s,%s,2016,", regions[r], metrics[k]);
            snprintf(end_key, sizeof end_key, "%s,%s,", regions[r], metrics[k]);
            for (int col = 5; col <= 7; ++col) /* diff mean and interval */
                cr_assert_float_eq(field("paths.csv", path_key, col + 1, NULL),
                                   field("compare.csv", end_key, col, NULL), 1e-6, "%s col %d",
                                   path_key, col);
        }
    /* public money is cumulative: the 2015 difference is part of the 2016 one (in tiny.yaml
       the fund sizes itself on its first year's rounds and calls from 2016, so the 2015
       difference may be nothing, never negative) */
    const double y15 = field("paths.csv", "\"甲市\",public_cny,2015,", 6, NULL);
    const double y16 = field("paths.csv", "\"甲市\",public_cny,2016,", 6, NULL);
    cr_assert_geq(y15, 0);
    cr_assert_gt(y16, y15);
}

Test(compare_paths, cost_is_extra_money_over_extra_outcome, .init = setup, .fini = teardown)
{
    const double money = field("compare.csv", "\"甲市\",public_cny,", 5, NULL);
    const double jobs = field("compare.csv", "\"甲市\",jobs,", 5, NULL);
    const double dragons = field("compare.csv", "\"甲市\",dragons,", 5, NULL);
    cr_assert_float_eq(field("costs.csv", "\"甲市\",", 1, NULL), money, 1e-3);
    if (jobs > 0)
        cr_assert_float_eq(field("costs.csv", "\"甲市\",", 4, NULL), money / jobs, 1e-3);
    else
        cr_assert(isnan(field("costs.csv", "\"甲市\",", 4, NULL)), "no gain, no price");
    if (dragons > 0)
        cr_assert_float_eq(field("costs.csv", "\"甲市\",", 2, NULL), money / dragons, 1e-3);
    else
        cr_assert(isnan(field("costs.csv", "\"甲市\",", 2, NULL)), "no extra dragon, no price");
}

Test(compare_paths, cost_intervals_follow_the_money, .init = setup, .fini = teardown)
{
    /* extra public money: the same interval as compare.csv's; the jobs' cost interval holds
       the cost, or is empty when the extra jobs' own interval includes 0 */
    cr_assert_float_eq(field("costs.csv", "\"甲市\",", 5, NULL),
                       field("compare.csv", "\"甲市\",public_cny,", 6, NULL), 1e-3);
    cr_assert_float_eq(field("costs.csv", "\"甲市\",", 6, NULL),
                       field("compare.csv", "\"甲市\",public_cny,", 7, NULL), 1e-3);
    const double cost = field("costs.csv", "\"甲市\",", 4, NULL);
    const double lo = field("costs.csv", "\"甲市\",", 11, NULL);
    const double hi = field("costs.csv", "\"甲市\",", 12, NULL);
    const double jobs_lo = field("compare.csv", "\"甲市\",jobs,", 6, NULL);
    if (!isnan(cost) && jobs_lo > 0)
        cr_assert(lo <= cost && cost <= hi, "%g in [%g, %g]", cost, lo, hi);
    else
        cr_assert(isnan(lo) && isnan(hi), "no interval of a price without a clear gain");
    cr_assert(isnan(field("costs.csv", "\"甲市\",", 7, NULL)), "no extra dragon, no interval");
}

Test(compare_paths, fieller_with_a_fixed_denominator_is_the_t_interval)
{
    /* den constant: the ratio's interval is the numerator's t-interval over den */
    const double num[] = {1, 2, 3, 4}, den[] = {2, 2, 2, 2};
    double lo, hi, tlo, thi;
    cr_assert(lm__fieller_ci90(num, den, 4, &lo, &hi));
    lm_stats_mean_ci90(num, 4, &tlo, &thi, NULL);
    cr_assert_float_eq(lo, tlo / 2, 1e-12);
    cr_assert_float_eq(hi, thi / 2, 1e-12);
}

Test(compare_paths, fieller_is_wider_than_the_point_and_undefined_near_zero)
{
    /* money and outcome move together: the interval holds the ratio of the means */
    const double num[] = {10, 14, 9, 13, 11}, den[] = {2, 3, 1.5, 2.5, 2};
    double lo, hi;
    cr_assert(lm__fieller_ci90(num, den, 5, &lo, &hi));
    const double ratio = (57.0 / 5) / (11.0 / 5);
    cr_assert(lo < ratio && ratio < hi, "%g in [%g, %g]", ratio, lo, hi);
    /* an outcome whose mean is not clearly non-zero: no bounded interval */
    const double den0[] = {1, -1, 2, -2, 0.5};
    cr_assert_not(lm__fieller_ci90(num, den0, 5, &lo, &hi));
    cr_assert(isnan(lo) && isnan(hi));
    /* a NaN pair is left out; one pair alone has no interval */
    const double n1[] = {1, NAN}, d1[] = {1, 1};
    cr_assert_not(lm__fieller_ci90(n1, d1, 2, &lo, &hi));
}
