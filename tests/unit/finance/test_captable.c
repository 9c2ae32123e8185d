/* tests/unit/finance/test_captable.c -- cap tables (MODEL.md 5.4, docs/model.md 7.9): the
 * first round carves the option pool from the founders, every round dilutes pro rata, shares
 * always sum to 1 and none is negative; follow-ons add to a holder's line. */
#include <criterion/criterion.h>
#include <math.h>

#include "lm_test.h"
#include "model/finance/finance_int.h"

Test(captable, first_round_carves_the_pool_and_dilutes_by_hand)
{
    lm_fin_firm ff = {0};
    lm_error err;
    /* seed: pre 12M, investor 7 pays 3M; pool 10% */
    const int32_t h1[] = {7};
    const double a1[] = {3.0e6}, l1[] = {0.6};
    cr_assert_eq(lm__captable_round(&ff, 12.0e6, h1, a1, l1, 1, 0.1, &err), LM_OK);
    cr_assert_float_eq(lm__captable_share(&ff, LM_HOLDER_FOUNDERS), 0.9 * 0.8, 1e-15);
    cr_assert_float_eq(lm__captable_share(&ff, LM_HOLDER_POOL), 0.1 * 0.8, 1e-15);
    cr_assert_float_eq(lm__captable_share(&ff, 7), 0.2, 1e-15);
    cr_assert_float_eq(lm__captable_sum(&ff), 1.0, 1e-15);
    /* A: pre 80M, investor 3 leads with 20M, investor 7 follows on with 5M: post 105M */
    const int32_t h2[] = {3, 7};
    const double a2[] = {20.0e6, 5.0e6}, l2[] = {0.5, 0.3};
    cr_assert_eq(lm__captable_round(&ff, 80.0e6, h2, a2, l2, 2, 0.1, &err), LM_OK);
    const double keep = 80.0 / 105.0;
    cr_assert_float_eq(lm__captable_share(&ff, LM_HOLDER_FOUNDERS), 0.72 * keep, 1e-15);
    cr_assert_float_eq(lm__captable_share(&ff, LM_HOLDER_POOL), 0.08 * keep, 1e-15);
    cr_assert_float_eq(lm__captable_share(&ff, 3), 20.0 / 105.0, 1e-15);
    cr_assert_float_eq(lm__captable_share(&ff, 7), 0.2 * keep + 5.0 / 105.0, 1e-15);
    cr_assert_eq(ff.n, 4, "a follow-on adds to the holder's line");
    cr_assert_float_eq(lm__captable_sum(&ff), 1.0, 1e-15);
    /* investor 7's line: cost 8M, loss estimate cost-weighted (3M at 0.6, 5M at 0.3) */
    for (int k = 0; k < ff.n; ++k)
        if (ff.stakes[k].holder == 7) {
            cr_assert_float_eq(ff.stakes[k].cost_cny, 8.0e6, 1e-6);
            cr_assert_float_eq(ff.stakes[k].p_loss, (3.0 * 0.6 + 5.0 * 0.3) / 8.0, 1e-15);
        }
    lm__captable_free(&ff);
    cr_assert_null(ff.stakes);
    cr_assert_float_eq(lm__captable_share(&ff, LM_HOLDER_FOUNDERS), 1.0, 0.0);
}

Test(captable, shares_sum_to_one_and_stay_non_negative_over_many_rounds)
{
    lm_fin_firm ff = {0};
    lm_error err;
    lm_rng g;
    lm_rng_init(&g, lm_rng_key_make(3, 0), 1, LM_PURPOSE_TEST, 0);
    double pre = 1.0e7;
    for (int round = 0; round < 200; ++round) {
        int32_t h[5];
        double a[5], l[5];
        const int n = 1 + (int)(lm_rng_u32(&g) % 5u);
        for (int k = 0; k < n; ++k) {
            h[k] = (int32_t)(lm_rng_u32(&g) % 40u);
            for (int q = 0; q < k; ++q)
                if (h[q] == h[k])
                    h[k] = 40 + k; /* distinct in one round */
            a[k] = pre * 0.05 * lm_rng_u01(&g) + 1.0;
            l[k] = lm_rng_u01(&g);
        }
        cr_assert_eq(lm__captable_round(&ff, pre, h, a, l, n, 0.1, &err), LM_OK);
        cr_assert_float_eq(lm__captable_sum(&ff), 1.0, 1e-12, "round %d: %.17g", round,
                           lm__captable_sum(&ff));
        for (int k = 0; k < ff.n; ++k)
            cr_assert_geq(ff.stakes[k].share, 0.0);
        pre *= 1.0 + lm_rng_u01(&g);
    }
    lm__captable_free(&ff);
}

Test(captable, rejects_rounds_that_are_not_rounds)
{
    lm_fin_firm ff = {0};
    lm_error err;
    const int32_t h[] = {1};
    const double zero[] = {0.0}, l[] = {0.5}, a[] = {1.0e6};
    cr_assert_eq(lm__captable_round(&ff, 1.0e7, h, zero, l, 1, 0.1, &err), LM_EINVAL);
    cr_assert_eq(lm__captable_round(&ff, 0.0, h, a, l, 1, 0.1, &err), LM_EINVAL);
    cr_assert_null(ff.stakes);
}
