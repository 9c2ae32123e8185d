/* tests/unit/core/test_rng.c -- the counter-based generator: pure function of its key and
 * counter, uniform on (0,1), and GSL's samplers running on it. */
#include <criterion/criterion.h>
#include <math.h>

#include "core/rng.h"

Test(rng, same_key_and_counter_same_numbers_and_purposes_differ)
{
    const lm_rng_key k = lm_rng_key_make(2385, 3);
    lm_rng a, b, c, d;
    lm_rng_init(&a, k, 17, LM_PURPOSE_RND, 240);
    lm_rng_init(&b, k, 17, LM_PURPOSE_RND, 240);
    lm_rng_init(&c, k, 17, LM_PURPOSE_MARKET, 240);
    lm_rng_init(&d, lm_rng_key_make(2385, 4), 17, LM_PURPOSE_RND, 240);
    int same_c = 0, same_d = 0;
    for (int i = 0; i < 100; ++i) {
        const uint32_t x = lm_rng_u32(&a);
        cr_assert_eq(x, lm_rng_u32(&b));
        same_c += x == lm_rng_u32(&c);
        same_d += x == lm_rng_u32(&d);
    }
    cr_assert_lt(same_c, 3);
    cr_assert_lt(same_d, 3);
}

Test(rng, uniform_moments_and_open_interval)
{
    lm_rng g;
    lm_rng_init(&g, lm_rng_key_make(1, 0), 5, LM_PURPOSE_TEST, 0);
    const int n = 200000;
    double sum = 0.0, sum2 = 0.0;
    for (int i = 0; i < n; ++i) {
        const double u = lm_rng_u01(&g);
        cr_assert(u > 0.0 && u < 1.0);
        sum += u;
        sum2 += u * u;
    }
    const double mean = sum / n, var = sum2 / n - mean * mean;
    cr_assert(fabs(mean - 0.5) < 0.005);
    cr_assert(fabs(var - 1.0 / 12.0) < 0.002);
}

Test(rng, poisson_gaussian_and_pareto_moments)
{
    lm_rng g;
    lm_rng_init(&g, lm_rng_key_make(99, 0), 1, LM_PURPOSE_TEST, 0);
    const int n = 100000;
    const double means[3] = {0.37, 12.5, 240.0};
    for (int k = 0; k < 3; ++k) {
        double s = 0.0;
        for (int i = 0; i < n; ++i)
            s += lm_rng_poisson(&g, means[k]);
        cr_assert(fabs(s / n - means[k]) < 5.0 * sqrt(means[k] / n), "poisson %g", means[k]);
    }
    double s = 0.0, s2 = 0.0;
    for (int i = 0; i < n; ++i) {
        const double z = lm_rng_gaussian(&g);
        s += z;
        s2 += z * z;
    }
    cr_assert(fabs(s / n) < 0.02);
    cr_assert(fabs(s2 / n - 1.0) < 0.03);
    /* Pareto(alpha=3, xm=2): mean alpha*xm/(alpha-1) = 3 */
    s = 0.0;
    for (int i = 0; i < n; ++i) {
        const double x = lm_rng_pareto(&g, 3.0, 2.0);
        cr_assert_geq(x, 2.0);
        s += x;
    }
    cr_assert(fabs(s / n - 3.0) < 0.05);
}
