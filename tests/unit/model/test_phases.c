/* tests/unit/model/test_phases.c -- each phase's equations against hand-computed cases
 * (MODEL.md 5.1-5.3, 5.6, 5.2 knowledge; docs/model.md). */
#include <criterion/criterion.h>
#include <math.h>

#include "lm_test.h"
#include "model/costs/costs.h"
#include "model/costs/unit_costs.h"
#include "model/ecosystem/ecosystem.h"
#include "model/entry/entry.h"
#include "model/market/market.h"
#include "model/policy/policy.h"
#include "model/rnd/rnd.h"

#define M(y, mo) lm_month_of((y), (mo))

static lm_policy *add_policy(lm_params *p, int r, lm_policy_kind kind, lm_month start,
                             lm_month end)
{
    lm_region_params *rp = &p->regions[r];
    lm_policy *pol = &rp->policies[rp->n_policies++];
    lm__policy_defaults(pol, kind);
    pol->start = start;
    pol->end = end;
    return pol;
}

static void run_policy(lm_world *w, lm_month m)
{
    lm_error err;
    w->month = m;
    lm_arena_reset(&w->scratch);
    cr_assert_eq(lm_phase_policy(w, m, &err), LM_OK);
}

Test(policy, switches_by_date_and_refills_budgets)
{
    lm_scenario *sc = lm_test_scenario(1, 10);
    lm_params *p = lm_test_params(sc);
    p->regions[0].fiscal_pressure = 0.0;
    lm_policy *sub = add_policy(p, 0, LM_POLICY_RD_SUBSIDY, M(2015, 3), M(2015, 12));
    sub->budget_cny_year = 1.2e6;
    sub->separate_budget_line = false;
    lm_policy *fund = add_policy(p, 0, LM_POLICY_ST_FUND, M(2015, 1), LM_MONTH_NEVER);
    fund->budget_cny_year = 1.2e7;
    fund->separate_budget_line = true;
    lm_world *w = lm_test_world(sc);

    run_policy(w, M(2015, 1));
    cr_assert_eq(w->policy_active[0], 0);
    cr_assert_eq(w->policy_active[1], 1);
    cr_assert_float_eq(w->policy_budget[1], 1.2e7, 1e-3);
    cr_assert_float_eq(w->rd_subsidy_rate[0], 0.0, 1e-12);

    run_policy(w, M(2015, 3)); /* starts in March: 10 of 12 months of budget */
    cr_assert_eq(w->policy_active[0], 1);
    cr_assert_float_eq(w->policy_budget[0], 1.0e6, 1e-3);
    cr_assert_float_eq(w->rd_subsidy_rate[0], 0.1, 1e-12);
    cr_assert_eq(w->rd_subsidy_policy[0], 0);

    run_policy(w, M(2015, 12)); /* the end month is still in force */
    cr_assert_eq(w->policy_active[0], 1);
    run_policy(w, M(2016, 1));
    cr_assert_eq(w->policy_active[0], 0);
    cr_assert_float_eq(w->policy_budget[0], 0.0, 1e-12); /* fiscal money went back */
    cr_assert_float_eq(w->policy_budget[1], 2.4e7, 1e-3); /* separate line carried over */
    cr_assert_float_eq(w->rd_subsidy_rate[0], 0.0, 1e-12);
    lm_test_world_free(w);
    lm_test_scenario_free(sc);
}

Test(policy, fiscal_pressure_halves_a_budget_inside_the_fiscal_line)
{
    lm_scenario *sc = lm_test_scenario(1, 10);
    lm_params *p = lm_test_params(sc);
    p->regions[0].fiscal_pressure = 1.0; /* always squeezed */
    lm_policy *sub = add_policy(p, 0, LM_POLICY_RD_SUBSIDY, M(2015, 1), LM_MONTH_NEVER);
    sub->budget_cny_year = 3.5e6;
    lm_world *w = lm_test_world(sc);
    run_policy(w, M(2015, 1));
    cr_assert_float_eq(w->policy_budget[0], 1.75e6, 1e-3);
    lm_test_world_free(w);
    lm_test_scenario_free(sc);
}

Test(policy, effects_of_talent_rule_park_lab_and_tolerance)
{
    lm_scenario *sc = lm_test_scenario(1, 10);
    lm_params *p = lm_test_params(sc);
    p->regions[0].failure_tolerance = 0.2;
    p->regions[0].compute_infrastructure = 0.4;
    p->regions[0].institutions[0] = 3.0;
    lm_policy *rule = add_policy(p, 0, LM_POLICY_TALENT_RULE, M(2015, 1), LM_MONTH_NEVER);
    rule->sectors = 1u; /* sector 0 only */
    lm_policy *park = add_policy(p, 0, LM_POLICY_INDUSTRIAL_PARK, M(2015, 1), LM_MONTH_NEVER);
    park->layers = 2u; /* compute layer: sector 0 depends on it, sector 1 on none */
    lm_policy *lab = add_policy(p, 0, LM_POLICY_LAB, M(2015, 1), LM_MONTH_NEVER);
    lab->sectors = 1u;
    add_policy(p, 0, LM_POLICY_FAILURE_TOLERANCE, M(2015, 1), LM_MONTH_NEVER);
    lm_world *w = lm_test_world(sc);
    run_policy(w, M(2015, 6));
    cr_assert_float_eq(w->option_effect[0], 0.2 * 0.5, 1e-12);
    cr_assert_float_eq(w->option_effect[1], 0.0, 1e-12);
    cr_assert_float_eq(w->rent_discount[0], 0.3, 1e-12);
    cr_assert_float_eq(w->rent_discount[1], 0.3, 1e-12); /* needs no layer: served */
    cr_assert_float_eq(w->institutions[0], 3.0 + 50.0, 1e-12);
    cr_assert_float_eq(w->institutions[1], 0.0, 1e-12);
    cr_assert_float_eq(w->institution_strength[0], 10.0, 1e-12);
    cr_assert_float_eq(w->failure_tolerance[0], 0.6, 1e-12);
    /* 0.5 * 0.4 infrastructure + 0.5 * 0.6 compute chain + 0.2 park boost */
    cr_assert_float_eq(w->compute_index[0], 0.2 + 0.3 + 0.2, 1e-12);
    lm_test_world_free(w);
    lm_test_scenario_free(sc);
}

Test(entry, utility_matches_the_formula)
{
    lm_scenario *sc = lm_test_scenario(2, 10);
    lm_params *p = lm_test_params(sc);
    p->regions[1].amenity = 0.7;
    p->regions[1].cost_index = 1.3;
    p->regions[1].knowledge[0] = 800.0;
    p->regions[1].rent_cny_head_month = 2000.0;
    lm_world *w = lm_test_world(sc);
    run_policy(w, M(2015, 1));
    const lm_entry_params *e = &p->entry;
    /* the record of first rounds and restarts is the finance and entry phases'
       (tests/unit/model/test_channels.c, tests/unit/finance/test_deals.c) */
    const double restart = 0.2;
    w->first_sought[1 * 2 + 0] = 1.0; /* every round closes, one a month, of 4e5 */
    w->first_closed[1 * 2 + 0] = 1.0;
    w->first_raised[1 * 2 + 0] = 4.0e5;
    const double n = e->prospect_months, n0 = e->prospect_prior;
    const double h_r = n / (n + n0); /* against n0 attempts that found nothing */
    const double h = (n + n0 * h_r) / (n + n0);
    const double prospect = (1.0 - pow(1.0 - h, p->finance.seek_runway_months)) * 4.0e5;
    w->failed_seen[1] = 100.0;
    w->restarts[1] = -(100.0 + n0) * log1p(-restart) / e->failed_memory_months;
    const double chain = (0.4 + 0.6) / 2.0;
    /* the founding team's burn over the same team's pay and compute in the rest of the
       country */
    const lm_sector_params *sec = &p->sectors[0];
    const double pay = sec->team_size * w->wage[1 * LM_SKILL_COUNT + sec->skill] *
                       (1.0 + p->costs.payroll_overhead);
    const double compute = pay * sec->compute_share / (1.0 - sec->compute_share) *
                           (1.0 - p->costs.compute_discount_max * w->compute_index[1]);
    const double burn = pay + compute + sec->team_size * 2000.0;
    const double ref = sec->team_size * p->talent.outside_wage_cny_month[sec->skill] *
                       (1.0 + p->costs.payroll_overhead) / (1.0 - sec->compute_share);
    const double u = e->w_round * log1p(prospect / e->seed_capital_cny) +
                     e->w_tal * log1p(100000.0) + e->w_chain * chain -
                     e->w_burn * log(burn / ref) + e->w_restart * restart + e->w_amen * 0.7 -
                     e->w_cost * 1.3 + e->w_know * log1p(800.0);
    cr_assert_float_eq(lm_entry_utility(w, 1, 0), u, 1e-9);
    lm_test_world_free(w);
    lm_test_scenario_free(sc);
}

Test(entry, births_are_poisson_with_the_rate_and_ids_in_order)
{
    lm_scenario *sc = lm_test_scenario(2, 200.0);
    lm_params *p = lm_test_params(sc);
    p->regions[0].platform_alumni = 50000.0; /* + 20 a month of platform founders */
    p->regions[0].platform_sectors = 2u;     /* alumni found only robots */
    lm_world *w = lm_test_world(sc);
    lm_error err;
    int64_t births = 0, platform = 0, platform_robots = 0;
    const int months = 60;
    for (int k = 0; k < months; ++k) {
        const lm_month m = M(2015, 1) + k;
        run_policy(w, m);
        memset(w->events, 0, sizeof(lm_month_events) * 2);
        const size_t before = w->firms.n;
        cr_assert_eq(lm_phase_entry(w, m, &err), LM_OK);
        for (int r = 0; r < 2; ++r) {
            births += w->events[r].births;
            platform += w->events[r].births_by_source[LM_SOURCE_PLATFORM];
        }
        for (size_t i = before; i < w->firms.n; ++i) {
            cr_assert_eq(w->firms.id[i], i); /* ids in order of birth */
            if (w->firms.source[i] == LM_SOURCE_PLATFORM && w->firms.sector[i] == 1)
                ++platform_robots;
        }
    }
    /* every founder stays in the scenario or leaves; those who stay are births. With the
       outside option the births are fewer than arrivals: check arrivals through shares. */
    cr_assert_gt(births, 0);
    cr_assert_eq(platform_robots, platform, "platform alumni found only in platform sectors");
    const double expected_platform_share = 20.0 / 220.0;
    const double got = (double)platform / (double)births;
    cr_assert(fabs(got - expected_platform_share) < 0.04, "platform share %.3f", got);
    lm_test_world_free(w);
    lm_test_scenario_free(sc);
}

Test(rnd, progress_matches_the_formula_and_launches_at_one)
{
    lm_scenario *sc = lm_test_scenario(1, 10);
    lm_params *p = lm_test_params(sc);
    p->regions[0].knowledge[0] = 2000.0;
    p->rnd.breakthrough_rate = 0.0;
    lm_world *w = lm_test_world(sc);
    run_policy(w, M(2015, 1));
    const double ci = w->compute_index[0];
    const double dp = pow(10.0 / 5.0, 0.6) * (1.0 + 0.5 * 2000.0 / 1.0e4) *
                      (1.0 - 0.5 * 0.4 * (1.0 - ci)) / 18.0;
    cr_assert_float_eq(lm_rnd_progress(w, 0, 0, 10.0), dp, 1e-12);

    const size_t i = lm_test_add_firm(w, 0, 0, LM_MODEL_TO_C, 10, 1e7, 2.0);
    w->firms.progress[i] = 1.0 - 0.5 * dp;
    lm_error err;
    cr_assert_eq(lm_phase_rnd(w, M(2015, 1), &err), LM_OK);
    cr_assert_eq(w->firms.launched[i], M(2015, 1));
    cr_assert_eq(w->events[0].launches, 1);
    const lm_unit_costs c = lm_firm_unit_costs(w, i);
    cr_assert_float_eq(w->firms.rd_spend_cny[i], c.rd, 1e-6);
    cr_assert_float_eq(w->firms.quality[i], 2.0 * (1.0 - exp(-c.rd / 2.0e7)), 1e-12);
    cr_assert_float_eq(w->rd_by_rs[0], c.rd, 1e-6);
    lm_test_world_free(w);
    lm_test_scenario_free(sc);
}

Test(rnd, breakthroughs_follow_rd_spending)
{
    lm_scenario *sc = lm_test_scenario(1, 10);
    lm_params *p = lm_test_params(sc);
    p->rnd.breakthrough_rate = 0.05;
    lm_world *w = lm_test_world(sc);
    run_policy(w, M(2015, 1));
    for (int k = 0; k < 4000; ++k)
        lm_test_add_firm(w, 0, 0, LM_MODEL_TO_C, 5, 1e7, 1.0);
    lm_error err;
    cr_assert_eq(lm_phase_rnd(w, M(2015, 1), &err), LM_OK);
    const lm_unit_costs c = lm_firm_unit_costs(w, 0);
    const double rate = 0.05 * sqrt(c.rd / 1.0e6); /* K = 0, rd_elasticity 0.5 */
    const double expected = 4000.0 * rate;
    const double sd = sqrt(expected);
    cr_assert(fabs((double)w->events[0].breakthroughs - expected) < 4.0 * sd,
              "breakthroughs %lld expected %.1f", (long long)w->events[0].breakthroughs,
              expected);
    for (size_t i = 0; i < w->firms.n; ++i)
        if (w->firms.breakthroughs[i] > 0)
            cr_assert_geq(w->firms.theta[i], 1.0 + 0.25 - 1e-12); /* jumps >= jump_min */
    lm_test_world_free(w);
    lm_test_scenario_free(sc);
}

Test(market, revenue_of_a_single_firm_matches_the_share_formula)
{
    lm_scenario *sc = lm_test_scenario(1, 10);
    lm_params *p = lm_test_params(sc);
    for (int b = 0; b < 3; ++b)
        p->market.volatility[b] = 0.0;
    lm_world *w = lm_test_world(sc);
    run_policy(w, M(2016, 1));
    const size_t i = lm_test_add_firm(w, 0, 0, LM_MODEL_TO_C, 5, 1e7, 1.0);
    w->firms.launched[i] = M(2015, 1); /* fully adopted */
    w->firms.quality[i] = 3.0;
    lm_error err;
    cr_assert_eq(lm_phase_market(w, M(2016, 1), &err), LM_OK);
    const double size = 1.0e10 * pow(1.1, 1.0) / 12.0; /* one year after 2015-01 */
    cr_assert_float_eq(lm_market_size_month(w, 0, 0, M(2016, 1)), size, 1e-3);
    const double q_out = 3.0e10 / 1.0e7 * 1.1; /* derived incumbents, grown one year */
    cr_assert_float_eq(lm_market_outside_mass(w, 0, M(2016, 1)), q_out, 1e-6);
    const double wt = pow(3.0, 1.6);
    const double share = p->regions[0].local_market_share[0];
    const double expected = (1.0 - 0.05) * size * wt / (wt + q_out) +
                            0.05 * share * size * wt / (wt + q_out * share);
    cr_assert_float_eq(w->firms.revenue_cny[i], expected, 1e-6 * expected);
    cr_assert_float_eq(w->money[0].firms_received_revenue, expected, 1e-6 * expected);
    lm_test_world_free(w);
    lm_test_scenario_free(sc);
}

/* Sizes are stated at market_base: whatever month the run starts, the size at the base month
 * is the scenario's figure, and a spin-up before it sees the market discounted by growth. */
Test(market, size_at_the_base_month_is_the_scenario_figure_whatever_the_start)
{
    const lm_month starts[] = {M(2005, 1), M(2012, 7), M(2015, 1)};
    for (size_t k = 0; k < sizeof starts / sizeof *starts; ++k) {
        lm_scenario *sc = lm_test_scenario(1, 10);
        lm_params *p = lm_test_params(sc);
        p->start = starts[k];
        p->market_base = M(2015, 1);
        p->sectors[0].market_cny_year[0] = 2.385e10;
        p->sectors[0].market_growth = 0.25;
        lm_world *w = lm_test_world(sc);
        cr_assert_float_eq(lm_market_size_month(w, 0, 0, M(2015, 1)), 2.385e10 / 12.0, 1e-3);
        const double before = 2.385e10 / pow(1.25, 10.0) / 12.0; /* 2005-01 */
        cr_assert_float_eq(lm_market_size_month(w, 0, 0, M(2005, 1)), before, 1e-9 * before);
        const double after = 2.385e10 * pow(1.25, 1.5) / 12.0; /* 2016-07 */
        cr_assert_float_eq(lm_market_size_month(w, 0, 0, M(2016, 7)), after, 1e-9 * after);
        lm_test_world_free(w);
        lm_test_scenario_free(sc);
    }
}

Test(market, shares_of_every_segment_sum_to_one)
{
    lm_scenario *sc = lm_test_scenario(3, 10);
    lm_world *w = lm_test_world(sc);
    run_policy(w, M(2015, 6));
    for (int k = 0; k < 500; ++k) {
        const size_t i = lm_test_add_firm(w, k % 3, k % 2, (k / 2) % 3, 5, 1e6, 1.0 + k % 7);
        w->firms.launched[i] = (k % 5 == 0) ? -1 : M(2015, 1);
        w->firms.quality[i] = 0.1 + 0.01 * k;
    }
    lm_error err;
    cr_assert_eq(lm_phase_market(w, M(2015, 6), &err), LM_OK);
    const size_t width = (size_t)w->S * 3 * (1 + (size_t)w->R);
    double *out = calloc(width, sizeof *out);
    cr_assert_eq(lm_market_share_check(w, M(2015, 6), out), LM_OK);
    for (size_t j = 0; j < width; ++j)
        cr_assert_float_eq(out[j], 1.0, 1e-12, "segment %zu sums to %.15f", j, out[j]);
    free(out);
    lm_test_world_free(w);
    lm_test_scenario_free(sc);
}

Test(costs, payroll_with_the_option_rule_and_death_after_grace)
{
    lm_scenario *sc = lm_test_scenario(1, 10);
    lm_params *p = lm_test_params(sc);
    add_policy(p, 0, LM_POLICY_TALENT_RULE, M(2015, 1), LM_MONTH_NEVER);
    lm_world *w = lm_test_world(sc);
    run_policy(w, M(2015, 1));
    const size_t i = lm_test_add_firm(w, 0, 0, LM_MODEL_TO_C, 8, -2.385e6, 1.0);
    const lm_unit_costs c = lm_firm_unit_costs(w, i);
    cr_assert_float_eq(c.payroll, 8 * 20000.0 * 1.35 * (1.0 - 0.1), 1e-6);
    const double price = 1.0 - 0.5 * w->compute_index[0];
    cr_assert_float_eq(c.compute, 8 * 20000.0 * 1.35 * 0.4 / 0.6 * price, 1e-6);
    cr_assert_float_eq(c.rent, 8 * 2500.0, 1e-9);
    lm_error err;
    for (int k = 0; k < 3; ++k) { /* grace_months = 3: insolvent three months, still alive */
        cr_assert_eq(lm_phase_costs(w, M(2015, 1) + k, &err), LM_OK);
        cr_assert_eq(w->firms.status[i], LM_FIRM_ALIVE);
    }
    cr_assert_eq(lm_phase_costs(w, M(2015, 4), &err), LM_OK);
    cr_assert_eq(w->firms.status[i], LM_FIRM_DEAD);
    cr_assert_eq(w->firms.ended[i], M(2015, 4));
    cr_assert_float_eq(w->recent_failed[0], 1.0, 1e-12);
    lm_test_world_free(w);
    lm_test_scenario_free(sc);
}

/* Founders work unpaid until their savings run out (unpaid_until): their pay is no cash cost
 * then, but their work is R&D effort; a cut never sends them away. */
Test(costs, founders_work_unpaid_until_their_savings_run_out)
{
    lm_scenario *sc = lm_test_scenario(1, 10);
    lm_world *w = lm_test_world(sc);
    run_policy(w, M(2015, 1));
    const size_t i = lm_test_add_firm(w, 0, 0, LM_MODEL_TO_C, 2, 1.0e4, 1.0);
    w->firms.unpaid_until[i] = M(2015, 3);
    const lm_unit_costs c = lm_firm_unit_costs(w, i); /* founders = 2 (default) */
    const double pay = 2 * 20000.0 * 1.35;
    cr_assert_float_eq(c.payroll, 0.0, 1e-9);
    cr_assert_float_eq(c.unpaid, pay, 1e-6);
    cr_assert_float_eq(c.rd, 0.6 * pay + c.compute, 1e-6, "their work is R&D effort");
    cr_assert_gt(c.compute + c.rent, 0.0, "compute and office are paid for them");
    /* short of runway (1e4 against their compute and rent): cut, but never below them */
    lm_error err;
    cr_assert_eq(lm_phase_costs(w, M(2015, 1), &err), LM_OK);
    cr_assert_eq(w->firms.headcount[i], 2);
    cr_assert_float_eq(w->money[0].firms_paid_payroll, 0.0, 1e-9);
    w->month = M(2015, 3); /* their savings are spent: they draw pay */
    const lm_unit_costs d = lm_firm_unit_costs(w, i);
    cr_assert_float_eq(d.payroll, pay, 1e-6);
    cr_assert_float_eq(d.unpaid, 0.0, 1e-12);
    cr_assert_float_eq(d.rd, c.rd, 1e-6, "the same work, now paid");
    lm_test_world_free(w);
    lm_test_scenario_free(sc);
}

/* A firm before launch short of runway sells contract_share of its staff's time next month:
 * its clients pay that time at the going pay plus the margin (founders' included), and its
 * product advances by the rest. A launched firm does not. */
Test(costs, contract_work_before_launch)
{
    lm_scenario *sc = lm_test_scenario(1, 10);
    lm_params *p = lm_test_params(sc);
    p->rnd.breakthrough_rate = 0.0;
    lm_world *w = lm_test_world(sc);
    run_policy(w, M(2015, 1));
    const size_t i = lm_test_add_firm(w, 0, 0, LM_MODEL_TO_C, 4, 1.0e5, 1.0);
    const size_t j = lm_test_add_firm(w, 0, 0, LM_MODEL_TO_C, 4, 1.0e5, 1.0);
    w->firms.launched[j] = M(2014, 1);
    w->firms.unpaid_until[i] = w->firms.unpaid_until[j] = M(2016, 1);
    lm_error err;
    cr_assert_eq(lm_phase_costs(w, M(2015, 1), &err), LM_OK);
    cr_assert_eq(w->firms.contract_work[i], 1, "short of runway before launch");
    cr_assert_eq(w->firms.contract_work[j], 0, "a launched firm sells its product");
    /* next month: half the progress, half the R&D effort, and the clients' money */
    const int h = w->firms.headcount[i];
    run_policy(w, M(2015, 2));
    const double p0 = w->firms.progress[i];
    const lm_unit_costs c = lm_firm_unit_costs(w, i);
    cr_assert_eq(lm_phase_rnd(w, M(2015, 2), &err), LM_OK);
    cr_assert_float_eq(w->firms.progress[i] - p0, 0.5 * lm_rnd_progress(w, 0, 0, h), 1e-12);
    cr_assert_float_eq(w->firms.rd_spend_cny[i], 0.5 * c.rd, 1e-6);
    const double paid0 = w->money[0].customers_paid;
    const double cash0 = w->firms.cash_cny[i];
    w->firms.revenue_cny[i] = 0.0;
    cr_assert_eq(lm_phase_costs(w, M(2015, 2), &err), LM_OK);
    const double contract = 0.5 * 1.1 * h * 20000.0 * 1.35;
    cr_assert_float_eq(w->money[0].customers_paid - paid0, contract, 1e-6);
    cr_assert_float_eq(w->firms.revenue_cny[i], contract, 1e-6);
    const double tax = contract > c.payroll + c.compute + c.rent
                           ? 0.25 * (contract - c.payroll - c.compute - c.rent)
                           : 0.0;
    cr_assert_float_eq(w->firms.cash_cny[i] - cash0,
                       contract - c.payroll - c.compute - c.rent - tax, 1e-6);
    lm_test_world_free(w);
    lm_test_scenario_free(sc);
}

/* The talent rule's option offset is income tax the region forgoes, and the high-tech rate
 * a corporate tax it forgoes: both are tax expenditures of the public purse. */
Test(costs, talent_rule_and_high_tech_rate_are_tax_expenditures)
{
    for (int with_rule = 0; with_rule < 2; ++with_rule) {
        lm_scenario *sc = lm_test_scenario(1, 10);
        lm_params *p = lm_test_params(sc);
        if (with_rule)
            add_policy(p, 0, LM_POLICY_TALENT_RULE, M(2015, 1), LM_MONTH_NEVER);
        lm_world *w = lm_test_world(sc);
        run_policy(w, M(2015, 1));
        const size_t i = lm_test_add_firm(w, 0, 0, LM_MODEL_TO_C, 8, 5.0e6, 1.0);
        const size_t j = lm_test_add_firm(w, 0, 1, LM_MODEL_TO_B, 6, 5.0e6, 1.0);
        w->firms.tier[j] = LM_TIER_HIGH_TECH;
        w->firms.revenue_cny[j] = 2.385e6; /* profitable */
        const lm_unit_costs ci = lm_firm_unit_costs(w, i), cj = lm_firm_unit_costs(w, j);
        lm_error err;
        cr_assert_eq(lm_phase_costs(w, M(2015, 1), &err), LM_OK);
        const double pay = 1.35 * (8 * 20000.0 + 6 * w->wage[LM_SKILL_HARDWARE]);
        const double offset = with_rule ? 0.1 * pay : 0.0;
        cr_assert_float_eq(w->money[0].tax_forgone_personal, offset, 1e-6);
        cr_assert_float_eq(ci.option_offset + cj.option_offset, offset, 1e-6);
        const double profit = 2.385e6 - (cj.payroll + cj.compute + cj.rent);
        cr_assert_gt(profit, 0.0);
        cr_assert_float_eq(w->money[0].tax_forgone_corporate,
                           profit * (p->costs.profit_tax - p->costs.hightech_tax), 1e-6);
        lm_test_world_free(w);
        lm_test_scenario_free(sc);
    }
}

Test(costs, subsidies_are_rationed_to_the_budget)
{
    lm_scenario *sc = lm_test_scenario(1, 10);
    lm_params *p = lm_test_params(sc);
    p->regions[0].fiscal_pressure = 0.0;
    lm_policy *sub = add_policy(p, 0, LM_POLICY_RD_SUBSIDY, M(2015, 1), LM_MONTH_NEVER);
    sub->rate = 0.5;
    sub->budget_cny_year = 1.0e5; /* far less than half of 10 firms' R&D */
    lm_world *w = lm_test_world(sc);
    run_policy(w, M(2015, 1));
    for (int k = 0; k < 10; ++k)
        lm_test_add_firm(w, 0, k % 2, LM_MODEL_TO_B, 5 + k, 1e8, 1.0);
    lm_error err;
    cr_assert_eq(lm_phase_rnd(w, M(2015, 1), &err), LM_OK);
    cr_assert_eq(lm_phase_costs(w, M(2015, 1), &err), LM_OK);
    cr_assert_float_eq(w->money[0].firms_received_subsidy, 1.0e5, 1e-3);
    cr_assert_float_eq(w->money[0].state_paid_subsidy, 1.0e5, 1e-3);
    cr_assert_float_eq(w->policy_budget[0], 0.0, 1e-6);
    lm_test_world_free(w);
    lm_test_scenario_free(sc);
}

Test(ecosystem, knowledge_update_matches_the_formula)
{
    lm_scenario *sc = lm_test_scenario(2, 10);
    lm_params *p = lm_test_params(sc);
    p->regions[0].knowledge[0] = 1000.0;
    p->regions[1].knowledge[0] = 400.0;
    p->regions[0].institutions[0] = 7.0;
    lm_world *w = lm_test_world(sc);
    run_policy(w, M(2015, 1));
    w->rd_by_rs[0] = 3.0e7; /* region 0, sector 0 */
    lm_error err;
    cr_assert_eq(lm_phase_ecosystem(w, M(2015, 1), &err), LM_OK);
    const double k0 = 0.98 * 1000.0 + 3.0e7 / 1.0e7 + 7.0 + 0.002 * 0.5 * 400.0;
    const double k1 = 0.98 * 400.0 + 0.0 + 0.0 + 0.002 * 0.5 * 1000.0;
    cr_assert_float_eq(w->knowledge[0], k0, 1e-9);
    cr_assert_float_eq(w->knowledge[2], k1, 1e-9);
    lm_test_world_free(w);
    lm_test_scenario_free(sc);
}

Test(policy, a_failure_tolerance_policy_replaces_the_regions_stance)
{
    lm_scenario *sc = lm_test_scenario(1, 10);
    lm_params *p = lm_test_params(sc);
    p->regions[0].failure_tolerance = 0.45;
    lm_policy *pol = add_policy(p, 0, LM_POLICY_FAILURE_TOLERANCE, M(2016, 1), LM_MONTH_NEVER);
    pol->value = 0.15; /* a stricter stance */
    lm_world *w = lm_test_world(sc);
    run_policy(w, M(2015, 12));
    cr_assert_float_eq(w->failure_tolerance[0], 0.45, 1e-12);
    run_policy(w, M(2016, 1));
    cr_assert_float_eq(w->failure_tolerance[0], 0.15, 1e-12);
    lm_test_world_free(w);
    lm_test_scenario_free(sc);
}
