/* tests/unit/finance/test_irr.c -- the IRR of monthly cash flows (GSL Brent on the NPV)
 * against hand-computed cases, to 1e-9. */
#include <criterion/criterion.h>
#include <math.h>

#include "longmen/finance.h"

Test(irr, ten_percent_over_two_years)
{
    const int32_t month[] = {24000, 24024};
    const double flow[] = {-100.0, 121.0};
    cr_assert_float_eq(lm_irr_annual(month, flow, 2), 0.10, 1e-9);
}

Test(irr, two_annual_distributions_match_the_quadratic)
{
    /* -1000 + 600 x + 600 x^2 = 0 with x = 1 / (1 + R) */
    const int32_t month[] = {100, 112, 124};
    const double flow[] = {-1000.0, 600.0, 600.0};
    const double want = 1200.0 / (sqrt(2760000.0) - 600.0) - 1.0;
    cr_assert_float_eq(lm_irr_annual(month, flow, 3), want, 1e-9);
}

Test(irr, unsorted_calls_and_a_distribution)
{
    /* -50 - 50 x + 130 x^2 = 0, x = 1 / (1 + R), months 3, 15, 27 given out of order */
    const int32_t month[] = {27, 15, 3};
    const double flow[] = {130.0, -50.0, -50.0};
    const double x = (50.0 + sqrt(28500.0)) / 260.0;
    cr_assert_float_eq(lm_irr_annual(month, flow, 3), 1.0 / x - 1.0, 1e-9);
}

Test(irr, monthly_rate_compounds_to_the_annual_rate)
{
    /* 1% a month for 7 months: annual 1.01^12 - 1 */
    const int32_t month[] = {0, 7};
    const double flow[] = {-2.385e6, 2.385e6 * pow(1.01, 7.0)};
    cr_assert_float_eq(lm_irr_annual(month, flow, 2), pow(1.01, 12.0) - 1.0, 1e-9);
}

Test(irr, a_total_loss_and_no_sign_change)
{
    const int32_t month[] = {0, 12};
    const double lost[] = {-100.0, 0.0};
    cr_assert(isnan(lm_irr_annual(month, lost, 2)));
    const double gains[] = {100.0, 10.0};
    cr_assert(isnan(lm_irr_annual(month, gains, 2)));
    cr_assert(isnan(lm_irr_annual(month, lost, 1)));
    /* losing 99% over a year is a root inside the bracket */
    const double most[] = {-100.0, 1.0};
    cr_assert_float_eq(lm_irr_annual(month, most, 2), -0.99, 1e-9);
}
