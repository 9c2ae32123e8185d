/* tests/unit/finance/test_public.c -- the public purse's ledger (public_year, docs/model.md
 * 7.13): public money is what the purse gives up (outlays and tax expenditures less
 * returns), never what it promises. A guidance fund that makes no deal costs nothing; money
 * a fund released and the policy committed again is a recommitment, not new public money. */
#include <criterion/criterion.h>
#include <math.h>

#include "lm_test.h"
#include "model/finance/finance_int.h"

#define M(y, mo) lm_month_of((y), (mo))

/* One region, an S&T fund that sees the seed rounds angels and VC funds close but may not
 * back them (L = 0: only stages whose min_loss is within the floor), so it commits to
 * sub-funds sized from that deal flow and makes no deal; a separate budget line, sub-funds
 * living life_months. */
static lm_scenario *idle_fund_scenario(double life_months)
{
    lm_scenario *sc = lm_test_scenario(1, 30.0);
    lm_params *p = lm_test_params(sc);
    p->end = M(2018, 12);
    p->regions[0].private_capital_cny = 1.0e12;
    p->finance.fund_life_months = life_months;
    p->finance.invest_months = fmin(60.0, life_months);
    lm_region_params *rp = &p->regions[0];
    lm_policy *st = &rp->policies[rp->n_policies++];
    lm__policy_defaults(st, LM_POLICY_ST_FUND);
    st->start = M(2015, 1);
    st->budget_cny_year = 2.385e9;
    st->separate_budget_line = true;
    st->loss_tolerance = 0.0;
    st->stages = 1u << LM_STAGE_SEED;
    return sc;
}

typedef struct purse {
    double called, net, committed, recommitted, released, finance_committed, uncommitted_2018;
    double taxes, outlays, returned, subsidies;
    int64_t gov_deals;
} purse;

static purse run(lm_scenario *sc)
{
    lm_sim_config cfg = {.seed = 3, .run = 0, .threads = 1};
    lm_sim *sim = NULL;
    lm_error err;
    cr_assert_eq(lm_sim_create(sc, &cfg, &sim, &err), LM_OK);
    while (!lm_sim_done(sim))
        cr_assert_eq(lm_sim_step(sim, &err), LM_OK, "%s", err.message);
    purse s = {0};
    size_t n;
    const lm_public_year *py = lm_sim_public_years(sim, &n);
    cr_assert_eq(n, 4);
    for (size_t k = 0; k < n; ++k) {
        s.called += py[k].gov_called_cny;
        s.net += py[k].net_cny;
        s.committed += py[k].gov_committed_cny;
        s.recommitted += py[k].gov_recommitted_cny;
        s.released += py[k].gov_released_cny;
        s.taxes += py[k].tax_personal_cny + py[k].tax_corporate_cny + py[k].tax_other_cny;
        s.outlays += py[k].gov_called_cny + py[k].direct_cny; /* out of funds' budgets */
        s.returned += py[k].gov_returned_cny;
        s.subsidies += py[k].subsidies_cny;
    }
    const lm_finance_year *fy = lm_sim_finance_years(sim, &n);
    for (size_t k = 0; k < n; ++k) {
        s.finance_committed += fy[k].gov_committed_cny;
        if (fy[k].year == 2018)
            s.uncommitted_2018 = fy[k].gov_uncommitted_cny;
        for (int st = 0; st < LM_STAGE_COUNT; ++st)
            s.gov_deals += fy[k].deals[LM_INVESTOR_GOV_ST][st];
    }
    lm_sim_destroy(sim);
    return s;
}

Test(public_money, a_fund_that_makes_no_deal_costs_no_outlay)
{
    lm_scenario *sc = idle_fund_scenario(120.0);
    const purse s = run(sc);
    cr_assert_eq(s.gov_deals, 0);
    /* commitments sized from the seed flow, nothing paid: no deal, no fee on idle money */
    cr_assert_gt(s.committed, 1.0e6);
    cr_assert_eq(s.called, 0.0);
    cr_assert_eq(s.outlays, 0.0);
    cr_assert_eq(s.returned, 0.0);
    /* the purse paid certification awards and forwent taxes, nothing for the fund */
    cr_assert_float_eq(s.net, s.subsidies + s.taxes, 1e-9 * s.committed);
    lm_test_scenario_free(sc);
}

Test(public_money, recycling_a_commitment_does_not_raise_public_money)
{
    /* sub-funds live a year: each December releases its commitment back into the separate
       line, which commits it again in January alongside the year's new budget */
    lm_scenario *sc = idle_fund_scenario(12.0);
    const purse s = run(sc);
    cr_assert_eq(s.gov_deals, 0);
    cr_assert_gt(s.released, 1.0e6);
    cr_assert_gt(s.recommitted, 1.0e6);
    /* new commitments are out of fresh budget only; the finance rows count every one */
    cr_assert_leq(s.committed, 4 * 2.385e9);
    cr_assert_float_eq(s.finance_committed, s.committed + s.recommitted, 1e-6 * s.committed);
    cr_assert_eq(s.outlays, 0.0);
    /* the purse paid certification awards and forwent taxes, nothing for the fund */
    cr_assert_float_eq(s.net, s.subsidies + s.taxes, 1e-9 * s.committed);
    lm_test_scenario_free(sc);
}

/* A fund that may back only growth rounds, in a world too young to close any: no deal flow
 * it could join, so it commits nothing; the budget is reported uncommitted, not spent and
 * not public money. */
Test(public_money, a_fund_with_no_deal_flow_commits_nothing)
{
    lm_scenario *sc = idle_fund_scenario(120.0);
    lm_params *p = lm_test_params(sc);
    lm_policy *st = &p->regions[0].policies[p->regions[0].n_policies - 1];
    st->stages = 1u << LM_STAGE_GROWTH;
    st->loss_tolerance = 0.3;
    const purse s = run(sc);
    cr_assert_eq(s.gov_deals, 0);
    cr_assert_eq(s.committed, 0.0);
    cr_assert_eq(s.finance_committed, 0.0);
    /* the separate line kept four years of budget, all of it uncommitted in 2018 */
    cr_assert_float_eq(s.uncommitted_2018, 4 * 2.385e9, 1.0);
    cr_assert_eq(s.outlays, 0.0);
    cr_assert_float_eq(s.net, s.subsidies + s.taxes, 1e-9 * (s.net + 1.0));
    lm_test_scenario_free(sc);
}
