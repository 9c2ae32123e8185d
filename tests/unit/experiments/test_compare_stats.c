/* tests/unit/experiments/test_compare_stats.c -- the statistics of `compare`
 * (src/experiments/compare_stats.c) on hand-computed cases: paired SD, correlation and the
 * paired t-test, Holm's step-down adjustment, the pairs a half-width needs, and where the
 * --precision rule stops on a synthetic sequence of pairs. */
#include <criterion/criterion.h>
#include <math.h>

#include "experiments/compare_stats.h"

Test(compare_stats, paired_sd_correlation_and_t_test)
{
    const double b[5] = {1.0, 2.0, 3.0, 4.0, 5.0};
    const double c[5] = {1.1, 1.9, 3.2, 3.8, 5.0};
    lm__paired q;
    lm__paired_stats(b, c, 5, &q);
    cr_assert_eq(q.n, 5);
    cr_assert_float_eq(q.mean_d, 0.0, 1e-12);
    /* d = .1 -.1 .2 -.2 0: variance (0.01 + 0.01 + 0.04 + 0.04) / 4 */
    cr_assert_float_eq(q.sd_d, sqrt(0.025), 1e-12);
    cr_assert_float_eq(q.sd_b, sqrt(2.5), 1e-12);
    cr_assert_gt(q.corr, 0.99);
    cr_assert_lt(q.sd_d / q.sd_single, 0.11, "pairing removes most of the spread");
    cr_assert_float_eq(q.p, 1.0, 1e-12);

    /* c - b = 1 2 3 4 5: t = 3 / (sqrt(2.5) / sqrt(5)) = 4.2426 on 4 df, p = 0.013236 */
    const double z[5] = {0};
    lm__paired_stats(z, b, 5, &q);
    cr_assert_float_eq(q.p, 0.0132356, 2e-6);
    cr_assert(isnan(q.corr), "an arm without spread has no correlation");
    cr_assert_float_eq(q.half, 2.131846786 * sqrt(2.5) / sqrt(5.0), 1e-8);
    cr_assert_float_eq(q.lo, 3.0 - q.half, 1e-12);

    /* every pair differs by the same amount: certain */
    const double e[3] = {2.0, 3.0, 5.0}, f[3] = {2.5, 3.5, 5.5};
    lm__paired_stats(e, f, 3, &q);
    cr_assert_float_eq(q.sd_d, 0.0, 1e-15);
    cr_assert_eq(q.p, 0.0);
}

Test(compare_stats, nan_pairs_are_skipped)
{
    const double b[4] = {1.0, NAN, 3.0, 6.0}, c[4] = {2.0, 5.0, NAN, 8.0};
    lm__paired q;
    lm__paired_stats(b, c, 4, &q);
    cr_assert_eq(q.n, 2);
    cr_assert_float_eq(q.mean_d, 1.5, 1e-12);
    lm__paired_stats(b, c, 1, &q);
    cr_assert_eq(q.n, 1);
    cr_assert(isnan(q.p));
    cr_assert(isinf(q.half));
}

Test(compare_stats, holm_adjusts_step_down_and_skips_nan)
{
    const double p[5] = {0.01, 0.04, 0.03, 0.005, NAN};
    double adj[5];
    cr_assert_eq(lm__holm(p, 5, adj), 4);
    /* ranked 0.005 x4 = 0.02, 0.01 x3 = 0.03, 0.03 x2 = 0.06, 0.04 x1 = 0.04 -> 0.06 */
    cr_assert_float_eq(adj[3], 0.02, 1e-12);
    cr_assert_float_eq(adj[0], 0.03, 1e-12);
    cr_assert_float_eq(adj[2], 0.06, 1e-12);
    cr_assert_float_eq(adj[1], 0.06, 1e-12, "adjusted p-values never fall down the ranks");
    cr_assert(isnan(adj[4]));
    const double big[3] = {0.5, 0.6, 0.7};
    lm__holm(big, 3, adj);
    cr_assert_float_eq(adj[0], 1.0, 1e-12, "capped at 1");
}

Test(compare_stats, pairs_needed_for_a_half_width)
{
    /* t(0.95, 30) / sqrt(31) = 0.3048 > 0.3 >= t(0.95, 31) / sqrt(32) = 0.2997 */
    cr_assert_eq(lm__pairs_needed(1.0, 0.3, 10000), 32);
    cr_assert_gt(lm__halfwidth90(1.0, 31), 0.3);
    cr_assert_leq(lm__halfwidth90(1.0, 32), 0.3);
    /* the case: paired SD 3.4, +-0.5 dragons */
    const size_t n = lm__pairs_needed(3.4, 0.5, 10000);
    cr_assert_leq(lm__halfwidth90(3.4, n), 0.5);
    cr_assert_gt(lm__halfwidth90(3.4, n - 1), 0.5);
    cr_assert(n > 120 && n < 130, "n = %zu", n);
    cr_assert_eq(lm__pairs_needed(0.0, 0.5, 10000), 2);
    cr_assert_eq(lm__pairs_needed(1.0, 0.0, 10000), 0);
    cr_assert_eq(lm__pairs_needed(100.0, 0.01, 500), 500);
}

/* The job's loop over batches, as lm__experiment_execute_until runs it. */
static int stops_at(const double *b, const double *c, int first, int max_runs, double half)
{
    int runs = first;
    while (!lm__precision_reached(b, c, (size_t)runs, half) && runs < max_runs)
        runs = lm__precision_next_runs(runs, first, max_runs);
    return runs;
}

Test(compare_stats, precision_rule_stops_at_the_first_batch_that_is_narrow_enough)
{
    /* differences +1 -1 +1 ...: SD sqrt(n / (n - 1)); half-width 0.3155 at 30 pairs, 0.2698 at
       40, so with batches of 10 the rule stops at 40 */
    double b[200], c[200];
    for (int i = 0; i < 200; ++i) {
        b[i] = 10.0 + 0.37 * i;
        c[i] = b[i] + (i % 2 ? -1.0 : 1.0);
    }
    cr_assert_gt(lm__halfwidth90(sqrt(30.0 / 29.0), 30), 0.3);
    cr_assert_eq(stops_at(b, c, 10, 200, 0.3), 40);
    cr_assert_eq(stops_at(b, c, 10, 35, 0.3), 35, "max-runs caps the last batch");
    cr_assert_eq(stops_at(b, c, 10, 200, 2.0), 10, "met at once: one batch");
    /* batches of 12: 0.3132 at 24 pairs, 0.2856 at 36 */
    cr_assert_eq(stops_at(b, c, 12, 200, 0.3), 36, "batches of 12: 12, 24, 36");
    cr_assert_eq(lm__precision_next_runs(190, 20, 200), 200);
}
