/* tests/unit/experiments/test_msm.c -- standard errors and identification of a method-of-
 * simulated-moments fit (src/experiments/msm.c) on Jacobians whose answers are known by hand:
 * one moment, a diagonal system with and without simulation noise, a parameter no target
 * moves, and two parameters that move the same targets the same way. */
#include <criterion/criterion.h>
#include <math.h>

#include "experiments/msm.h"

typedef struct fit {
    double se[4], shift[16];
    bool identified[4];
    lm__msm_result r;
} fit;

static void solve(const lm__msm *in, fit *f)
{
    f->r = (lm__msm_result){f->se, f->shift, f->identified, 0.0};
    lm_error err;
    cr_assert_eq(lm__msm_standard_errors(in, &f->r, &err), LM_OK);
}

Test(msm, one_moment_gives_its_sd_over_the_slope)
{
    const double G[1] = {4.0}, sd[1] = {2.0}, w[1] = {1.0}, step[1] = {0.1};
    const lm__msm in = {1, 1, G, sd, w, NULL, 4, step};
    fit f;
    solve(&in, &f);
    cr_assert(f.identified[0]);
    cr_assert_float_eq(f.se[0], 0.5, 1e-12); /* sd / |slope| */
    cr_assert_float_eq(f.shift[0], 0.2, 1e-12); /* 4 x 0.1 / 2 */
    cr_assert_float_eq(f.r.condition, 1.0, 1e-12);
}

Test(msm, a_diagonal_system_with_and_without_simulation_noise)
{
    /* moments 1 and 2 each move with one parameter; moment 3 with none */
    const double G[6] = {1.0, 0.0, 0.0, 2.0, 0.0, 0.0};
    const double sd[3] = {1.0, 1.0, 1.0}, w[3] = {1.0, 1.0, 1.0}, step[2] = {1.0, 1.0};
    lm__msm in = {2, 3, G, sd, w, NULL, 4, step};
    fit f;
    solve(&in, &f);
    cr_assert_float_eq(f.se[0], 1.0, 1e-12);
    cr_assert_float_eq(f.se[1], 0.5, 1e-12);
    cr_assert_float_eq(f.r.condition, 4.0, 1e-9);
    /* one replication's covariance I over 4 runs adds 1/4 to every target's variance */
    const double cov[9] = {1, 0, 0, 0, 1, 0, 0, 0, 1};
    in.sim_cov = cov;
    solve(&in, &f);
    cr_assert_float_eq(f.se[0], sqrt(1.25), 1e-12);
    cr_assert_float_eq(f.se[1], sqrt(1.25) / 2.0, 1e-12);
    /* weights matter only through which targets count: a target of weight 4 and sd 2 is the
       same as weight 1 and sd 1 for the gap's scale, but its error is sd 2 */
    const double sd2[3] = {2.0, 1.0, 1.0}, w2[3] = {4.0, 1.0, 1.0};
    in.sim_cov = NULL;
    in.sd = sd2;
    in.weight = w2;
    solve(&in, &f);
    cr_assert_float_eq(f.se[0], 2.0, 1e-12);
}

Test(msm, a_parameter_no_target_moves_is_not_identified)
{
    /* parameter 1 moves moment 0 by 0.01 sd over its step: below LM_MSM_MIN_SHIFT */
    const double G[4] = {3.0, 0.01, 0.0, 0.0};
    const double sd[2] = {1.0, 1.0}, w[2] = {1.0, 1.0}, step[2] = {1.0, 1.0};
    const lm__msm in = {2, 2, G, sd, w, NULL, 4, step};
    fit f;
    solve(&in, &f);
    cr_assert(f.identified[0]);
    cr_assert_not(f.identified[1]);
    cr_assert(isnan(f.se[1]));
    cr_assert_float_eq(f.se[0], 1.0 / 3.0, 1e-12, "the others are unaffected");
}

Test(msm, two_parameters_with_the_same_effect_have_no_standard_error)
{
    const double G[4] = {1.0, 1.0, 2.0, 2.0};
    const double sd[2] = {1.0, 1.0}, w[2] = {1.0, 1.0}, step[2] = {1.0, 1.0};
    const lm__msm in = {2, 2, G, sd, w, NULL, 4, step};
    fit f;
    solve(&in, &f);
    cr_assert(f.identified[0] && f.identified[1], "each moves the targets on its own");
    cr_assert(isinf(f.r.condition) || f.r.condition > 1e12);
    cr_assert(isnan(f.se[0]) && isnan(f.se[1]), "but not apart: no standard error");
}

/* The parameters' units do not decide whether they are told apart: the same system with one
 * parameter in units 10^8 times smaller (its slope and step scaled to match) has the same
 * condition number, and that parameter's standard error in its own units. */
Test(msm, the_units_of_a_parameter_do_not_matter)
{
    const double G[4] = {1.0, 0.5, 0.5, 2.0};
    const double sd[2] = {1.0, 1.0}, w[2] = {1.0, 1.0}, step[2] = {1.0, 1.0};
    const lm__msm in = {2, 2, G, sd, w, NULL, 4, step};
    fit f;
    solve(&in, &f);
    const double c = 1e8;
    const double Gc[4] = {1.0 * c, 0.5, 0.5 * c, 2.0}, stepc[2] = {1.0 / c, 1.0};
    const lm__msm inc = {2, 2, Gc, sd, w, NULL, 4, stepc};
    fit g;
    solve(&inc, &g);
    cr_assert(isfinite(f.r.condition) && f.r.condition < 10.0);
    cr_assert_float_eq(g.r.condition, f.r.condition, 1e-6 * f.r.condition);
    cr_assert_float_eq(g.se[0], f.se[0] / c, 1e-9 * f.se[0] / c);
    cr_assert_float_eq(g.se[1], f.se[1], 1e-9 * f.se[1]);
}
