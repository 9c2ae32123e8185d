/* tests/unit/finance/test_rounds.c -- the round a firm seeks (docs/model.md 7.9, the deal
 * pool): its size follows the plan, the burn of the staff the round is raised for, not the
 * month's burn of its founders; before launch an A round needs a prototype and B a product.
 * One firm in a world with no investors, kept short of cash so that it seeks money. */
#include <criterion/criterion.h>
#include <math.h>

#include "lm_test.h"
#include "model/costs/unit_costs.h"
#include "model/finance/finance.h"
#include "model/finance/finance_int.h"

#define M(y, mo) lm_month_of((y), (mo))

static lm_scenario *no_investors(void)
{
    lm_scenario *sc = lm_test_scenario(1, 0.0);
    lm_params *p = lm_test_params(sc);
    p->end = M(2020, 12);
    p->finance.vc_capital_share = 0.0;
    p->finance.angel_groups = 0.0;
    return sc;
}

/* The round the firm in slot i seeks in one month of the finance phase. */
static double sought(lm_world *w, size_t i)
{
    lm_error err;
    if (!w->finance)
        cr_assert_eq(lm_finance_start(w, &err), LM_OK, "%s", err.message);
    cr_assert_eq(lm__finance_grow_firms(w, &err), LM_OK);
    w->firms.cash_cny[i] = 0.0; /* short of cash: it seeks money this month */
    lm_arena_reset(&w->scratch);
    cr_assert_eq(lm_phase_finance(w, w->month, &err), LM_OK, "%s", err.message);
    return w->finance->seek[i];
}

/* A founding pair before launch, in a sector whose team is `team`. */
static double pair_seeks(double team, lm_scenario **scp, lm_world **out, size_t *slot)
{
    lm_scenario *sc = no_investors();
    lm_test_params(sc)->sectors[0].team_size = team;
    lm_world *w = lm_test_world(sc);
    *scp = sc;
    w->month = M(2016, 3);
    const size_t i = lm_test_add_firm(w, 0, 0, LM_MODEL_TO_B, 2, 0.0, 2.0);
    w->firms.launched[i] = -1;
    w->firms.unpaid_until[i] = w->month + 12; /* both founders unpaid */
    const double s = sought(w, i);
    *out = w;
    *slot = i;
    return s;
}

static double clamp_round(const lm_finance_params *f, int stage, double plan)
{
    const double want = fmax(plan * f->round_months,
                             f->round_equity / (1.0 - f->round_equity) * f->pre_money_cny[stage]);
    return fmin(fmax(want, f->round_cny[stage] / f->round_factor),
                f->round_cny[stage] * f->round_factor);
}

Test(rounds, a_founding_pair_raises_for_the_team_its_sector_needs)
{
    lm_scenario *sc;
    lm_world *w;
    size_t i;
    const double twelve = pair_seeks(12.0, &sc, &w, &i);
    const lm_finance_params *f = &w->p->finance;
    const lm_unit_costs now = lm_firm_unit_costs(w, i);
    const lm_unit_costs one = lm_unit_costs_at(w, 0, 0, 1.0, 0.0);
    const double burn = now.payroll + now.compute + now.rent;
    const double plan = burn + 10.0 * (one.payroll + one.compute + one.rent);
    /* the pair's own burn (office and compute: they are unpaid) would ask for the floor */
    cr_assert_lt(burn * f->round_months, f->round_cny[LM_STAGE_SEED] / f->round_factor);
    cr_assert_float_eq(twelve, clamp_round(f, LM_STAGE_SEED, plan), 1e-6 * twelve);
    cr_assert_gt(twelve, f->round_cny[LM_STAGE_SEED] / f->round_factor);
    lm_test_world_free(w);
    lm_test_scenario_free(sc);

    /* a sector whose team is the pair itself raises only the floor */
    const double two = pair_seeks(2.0, &sc, &w, &i);
    cr_assert_float_eq(two, clamp_round(&w->p->finance, LM_STAGE_SEED, burn), 1e-6 * two);
    cr_assert_lt(two, twelve);
    lm_test_world_free(w);
    lm_test_scenario_free(sc);
}

/* A firm before launch whose last round was `last` (an lm_stage), at `progress`. */
static double next_round_before_launch(int last, double progress)
{
    lm_scenario *sc = no_investors();
    lm_world *w = lm_test_world(sc);
    w->month = M(2017, 6);
    const size_t i = lm_test_add_firm(w, 0, 0, LM_MODEL_TO_B, 8, 0.0, 2.0);
    w->firms.launched[i] = -1;
    w->firms.progress[i] = progress;
    w->firms.round_stage[i] = (uint8_t)(1 + last);
    w->firms.last_round[i] = w->month - 12;
    const double s = sought(w, i);
    lm_test_world_free(w);
    lm_test_scenario_free(sc);
    return s;
}

Test(rounds, before_launch_an_a_round_needs_a_prototype_and_b_a_product)
{
    const double half = 0.5; /* the default prototype_progress */
    cr_assert_eq(next_round_before_launch(LM_STAGE_SEED, half - 0.01), 0.0);
    cr_assert_gt(next_round_before_launch(LM_STAGE_SEED, half), 0.0);
    cr_assert_gt(next_round_before_launch(LM_STAGE_SEED, 0.9), 0.0);
    cr_assert_eq(next_round_before_launch(LM_STAGE_A, 0.99), 0.0);
}
