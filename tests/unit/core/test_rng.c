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

Test(rng, poisson_by_inversion_has_the_moments_and_moves_little_with_the_mean)
{
    const double means[3] = {3.7, 238.5, 2385.0}; /* the last walks from the mode */
    for (int k = 0; k < 3; ++k) {
        const int n = 20000;
        double s = 0.0, s2 = 0.0;
        for (int i = 0; i < n; ++i) {
            lm_rng g;
            lm_rng_init(&g, lm_rng_key_make(7, 0), (uint64_t)i, LM_PURPOSE_TEST, k);
            const double x = lm_rng_poisson_inv(&g, means[k]);
            s += x;
            s2 += x * x;
        }
        const double mean = s / n, var = s2 / n - mean * mean;
        cr_assert(fabs(mean - means[k]) < 5.0 * sqrt(means[k] / n), "mean %g: %g", means[k], mean);
        cr_assert(fabs(var / means[k] - 1.0) < 0.05, "variance %g: %g", means[k], var);
    }
    /* common random numbers: the same uniform and a mean larger by 1 give a count never
       smaller and larger by about 1 (by 2 only where F(k + 1; mean + 1) < u <= F(k; mean), a
       sliver), where two independent draws would differ by about 69 */
    double moved = 0.0;
    for (int i = 0; i < 2000; ++i) {
        lm_rng a, b;
        lm_rng_init(&a, lm_rng_key_make(7, 1), (uint64_t)i, LM_PURPOSE_TEST, 0);
        b = a;
        const unsigned x = lm_rng_poisson_inv(&a, 2385.0), y = lm_rng_poisson_inv(&b, 2386.0);
        cr_assert_geq(y, x);
        cr_assert_leq(y - x, 2u, "%u %u", x, y);
        moved += y - x;
    }
    cr_assert(fabs(moved / 2000.0 - 1.0) < 0.05, "mean shift %g", moved / 2000.0);
}

/* The ziggurat Gaussian: the normal's distribution function at every point of a fine grid
 * (Kolmogorov-Smirnov distance over a million draws), its fourth moment, and the share of the
 * tail beyond the base layer (|z| > 3.4426), which only gaussian_tail() can produce. */
Test(rng, gaussian_is_standard_normal_into_its_tails)
{
    lm_rng g;
    lm_rng_init(&g, lm_rng_key_make(7, 1), 3, LM_PURPOSE_TEST, 0);
    enum { N = 1000000, BINS = 1200 };
    static unsigned count[BINS];
    double s4 = 0.0;
    unsigned tail = 0, beyond5 = 0, tail_pos = 0;
    double tail_sum = 0.0;
    for (int i = 0; i < N; ++i) {
        const double z = lm_rng_gaussian(&g);
        cr_assert(isfinite(z));
        s4 += z * z * z * z;
        if (fabs(z) > 3.442619855899) {
            ++tail;
            tail_pos += z > 0;
            tail_sum += fabs(z);
        }
        beyond5 += fabs(z) > 5.0;
        const int b = (int)floor((z + 6.0) * (BINS / 12.0));
        if (b >= 0 && b < BINS)
            ++count[b];
    }
    double cum = 0.0, ks = 0.0;
    for (int b = 0; b < BINS; ++b) {
        cum += count[b];
        const double x = -6.0 + (b + 1) * (12.0 / BINS);
        const double d = fabs(cum / N - 0.5 * erfc(-x / sqrt(2.0)));
        if (d > ks)
            ks = d;
    }
    cr_assert_lt(ks, 1.63 / sqrt((double)N), "KS distance %g (1%% level)", ks); /* 0.00163 */
    cr_assert(fabs(s4 / N - 3.0) < 0.05, "fourth moment %g", s4 / N);
    /* P(|z| > 3.4426) = 5.76e-4: 576 expected, sd 24 */
    cr_assert(tail > 576 - 5 * 24 && tail < 576 + 5 * 24, "%u beyond R", tail);
    cr_assert_lt(beyond5, 10u, "%u beyond 5", beyond5); /* 0.57 expected */
    /* E[|z| | |z| > R] = phi(R) / (1 - Phi(R)) = 3.6973; the tail draws' sd is about 0.25 */
    cr_assert(fabs(tail_sum / tail - 3.6973) < 0.06, "mean of the tail %g", tail_sum / tail);
    cr_assert(tail_pos > tail / 2 - 60 && tail_pos < tail / 2 + 60, "%u of %u positive", tail_pos,
              tail);
}

/* The first blocks of many streams at once (AVX2 where the processor has it) are the blocks
 * the one-stream code computes, for any count (the vector path's tail included). */
Test(rng, first_blocks_match_one_stream_draws)
{
    const lm_rng_key k = lm_rng_key_make(77, 2);
    uint64_t ent[37];
    for (size_t j = 0; j < 37; ++j)
        ent[j] = lm_mix64(j) ^ (j << 60);
    for (size_t n = 0; n <= 37; ++n) {
        lm_rng_block fast[37], slow[37];
        lm_rng_first_blocks(k, ent, LM_PURPOSE_MARKET, 300 + (int32_t)n, n, fast);
        lm__rng_first_blocks_scalar(k, ent, LM_PURPOSE_MARKET, 300 + (int32_t)n, n, slow);
        for (size_t j = 0; j < n; ++j) {
            lm_rng g, h;
            lm_rng_init(&g, k, ent[j], LM_PURPOSE_MARKET, 300 + (int32_t)n);
            lm_rng_init_block(&h, k, ent[j], LM_PURPOSE_MARKET, 300 + (int32_t)n, &fast[j]);
            for (int w = 0; w < 4; ++w)
                cr_assert_eq(fast[j].v[w], slow[j].v[w], "n %zu firm %zu word %d", n, j, w);
            for (int d = 0; d < 11; ++d) /* past the first block too */
                cr_assert_eq(lm_rng_u32(&g), lm_rng_u32(&h), "n %zu firm %zu draw %d", n, j, d);
        }
    }
}
