/* tests/unit/model/test_talent.c -- the talent phase (MODEL.md 3.2, 5.6): pools are conserved
 * under migration, migration follows wages and integration, wages follow tightness, hiring is
 * limited by the pools, and the option-tax rule changes payroll and attrition only when on. */
#include <criterion/criterion.h>
#include <math.h>

#include "lm_test.h"
#include "model/costs/costs.h"
#include "model/costs/unit_costs.h"
#include "model/policy/policy.h"
#include "model/rnd/rnd.h"
#include "model/talent/talent.h"

#define M(y, mo) lm_month_of((y), (mo))

static void run_talent(lm_world *w, lm_month m)
{
    lm_error err;
    w->month = m;
    lm_arena_reset(&w->scratch);
    cr_assert_eq(lm_phase_policy(w, m, &err), LM_OK);
    cr_assert_eq(lm_phase_talent(w, m, &err), LM_OK);
}

static double pools_total(const lm_world *w)
{
    double t = 0.0;
    for (int i = 0; i < w->R * LM_SKILL_COUNT; ++i)
        t += w->talent[i];
    return t;
}

/* Three regions with different wages and partial integration; people move every month. What
 * leaves a region arrives in another or in the rest of the country, and the pools change by
 * exactly graduates + trained - exits + outside_in - outside_out. */
Test(talent, pools_are_conserved_under_migration)
{
    lm_scenario *sc = lm_test_scenario(3, 10);
    lm_params *p = lm_test_params(sc);
    p->regions[1].wage_cny_month[LM_SKILL_SOFTWARE] = 31000.0;
    p->regions[2].amenity = 0.9;
    p->regions[0].platform_staff = 25000.0;
    p->talent.mobility_year = 0.3;
    lm_world *w = lm_test_world(sc);
    w->employed[0] = 4.0e4;
    w->openings[1 * LM_SKILL_COUNT] = 2.5e3;
    for (lm_month m = M(2015, 1); m <= M(2016, 12); ++m) {
        const double before = pools_total(w);
        double r_before[3 * LM_SKILL_COUNT];
        for (int i = 0; i < 3 * LM_SKILL_COUNT; ++i)
            r_before[i] = w->talent[i];
        run_talent(w, m);
        double net = 0.0, in = 0.0, out = 0.0;
        for (int i = 0; i < 3 * LM_SKILL_COUNT; ++i) {
            const lm_talent_flows *fl = &w->talent_flows[i];
            const double own = fl->graduates + fl->trained - fl->exits + fl->migrants_in -
                               fl->migrants_out + fl->outside_in - fl->outside_out;
            cr_assert_float_eq(w->talent[i] - r_before[i], own, 1e-6 * r_before[i]);
            net += fl->graduates + fl->trained - fl->exits + fl->outside_in - fl->outside_out;
            in += fl->migrants_in;
            out += fl->migrants_out;
        }
        cr_assert_gt(out, 0.0, "nobody moved between regions");
        cr_assert_float_eq(in, out, 1e-9 * out, "arrivals %.6f != departures %.6f", in, out);
        cr_assert_float_eq(pools_total(w) - before, net, 1e-9 * before);
    }
    /* the better-paid region gains software people from the others */
    const lm_talent_flows *r1 = &w->talent_flows[1 * LM_SKILL_COUNT + LM_SKILL_SOFTWARE];
    cr_assert_gt(r1->migrants_in, r1->migrants_out);
    cr_assert_gt(w->talent_flows[LM_SKILL_SOFTWARE].trained, 0.0); /* platform training */
    lm_test_world_free(w);
    lm_test_scenario_free(sc);
}

/* Without graduates, training, exits and the rest of the country, migration alone leaves the
 * sum of every skill's pools exactly where it was. */
Test(talent, migration_alone_keeps_each_skill_total)
{
    lm_scenario *sc = lm_test_scenario(3, 10);
    lm_params *p = lm_test_params(sc);
    p->talent.graduate_rate_year = 0.0;
    p->talent.exit_rate_year = 0.0;
    p->talent.mobility_year = 0.5;
    p->talent.outside_amenity = 0.0;
    p->talent.beta_amenity = 0.0;
    p->talent.move_cost = 50.0; /* nobody leaves for, or comes from, the rest of the country */
    p->talent.distance_cost = 0.0;
    for (int k = 0; k < LM_SKILL_COUNT; ++k)
        p->talent.outside_movers_month[k] = 0.0;
    p->regions[2].wage_cny_month[LM_SKILL_HARDWARE] = 40000.0;
    lm_world *w = lm_test_world(sc);
    for (int k = 0; k < LM_SKILL_COUNT; ++k) {
        double before = 0.0;
        for (int r = 0; r < 3; ++r)
            before += w->talent[r * LM_SKILL_COUNT + k];
        run_talent(w, M(2015, 1 + k));
        double after = 0.0;
        for (int r = 0; r < 3; ++r)
            after += w->talent[r * LM_SKILL_COUNT + k];
        cr_assert_float_eq(after, before, 1e-9 * before);
    }
    lm_test_world_free(w);
    lm_test_scenario_free(sc);
}

/* Integration lowers the cost of moving: more people move between integrated regions. */
Test(talent, integration_lowers_the_cost_of_moving)
{
    double moved[2];
    for (int v = 0; v < 2; ++v) {
        lm_scenario *sc = lm_test_scenario(2, 10);
        lm_params *p = lm_test_params(sc);
        p->integration[1] = p->integration[2] = v == 0 ? 0.0 : 0.9;
        lm_world *w = lm_test_world(sc);
        run_talent(w, M(2015, 1));
        moved[v] = w->talent_flows[0].migrants_out;
        lm_test_world_free(w);
        lm_test_scenario_free(sc);
    }
    cr_assert_gt(moved[0], 0.0);
    cr_assert_gt(moved[1], 2.0 * moved[0]);
}

/* Wages close wage_speed of the gap to wage0 (1 + elasticity x tightness) each month. */
Test(talent, wages_follow_tightness)
{
    lm_scenario *sc = lm_test_scenario(1, 10);
    lm_params *p = lm_test_params(sc);
    lm_world *w = lm_test_world(sc);
    const double w0 = p->regions[0].wage_cny_month[LM_SKILL_DESIGN];
    const int idx = LM_SKILL_DESIGN;
    w->employed[idx] = 30000.0;
    w->openings[idx] = 2385.0;
    run_talent(w, M(2015, 1));
    const double pool = w->talent[idx]; /* after this month's flows */
    const double tight = (30000.0 + 2385.0) / pool;
    const double target = w0 * (1.0 + p->talent.wage_elasticity * tight);
    const double expect = w0 + p->talent.wage_speed * (target - w0);
    cr_assert_float_eq(w->wage[idx], expect, 1e-9);
    cr_assert_float_eq(w->wage[LM_SKILL_SOFTWARE], p->regions[0].wage_cny_month[0], 1e-9,
                       "no tightness, no change");
    lm_test_world_free(w);
    lm_test_scenario_free(sc);
}

Test(talent, fill_rate_rations_openings_by_the_free_pool)
{
    lm_scenario *sc = lm_test_scenario(1, 10);
    lm_test_params(sc)->talent.hire_share = 0.03;
    lm_world *w = lm_test_world(sc);
    w->talent[LM_SKILL_HARDWARE] = 1000.0;
    /* 3% of the 800 free people = 24 hires for 48 openings */
    cr_assert_float_eq(lm_talent_fill(w, 0, LM_SKILL_HARDWARE, 200.0, 48.0), 0.5, 1e-12);
    cr_assert_float_eq(lm_talent_fill(w, 0, LM_SKILL_HARDWARE, 200.0, 20.0), 1.0, 1e-12);
    cr_assert_float_eq(lm_talent_fill(w, 0, LM_SKILL_HARDWARE, 1200.0, 20.0), 0.0, 1e-12);
    cr_assert_float_eq(lm_talent_fill(w, 0, LM_SKILL_HARDWARE, 200.0, 0.0), 1.0, 1e-12);
    lm_test_world_free(w);
    lm_test_scenario_free(sc);
}

/* Firms that want to grow in a small pool get no more people than it can give. */
Test(talent, firms_cannot_hire_people_who_are_not_in_the_pool)
{
    lm_scenario *sc = lm_test_scenario(1, 10);
    lm_params *p = lm_test_params(sc);
    p->talent.hire_share = 0.05;
    lm_world *w = lm_test_world(sc);
    w->talent[LM_SKILL_HARDWARE] = 400.0; /* robots (sector 1) hire hardware people */
    for (int j = 0; j < 8; ++j) {
        const size_t i = lm_test_add_firm(w, 0, 1, LM_MODEL_TO_B, 20, 5.0e8, 2.0);
        w->firms.launched[i] = w->month - 30;
        w->firms.revenue_cny[i] = 2.0e7; /* wants 200 staff, may add 15% + 1 a month */
    }
    lm_error err;
    lm_arena_reset(&w->scratch);
    cr_assert_eq(lm_phase_costs(w, w->month, &err), LM_OK);
    /* each firm wants floor(20 x 1.15) + 1 - 20 = 4 more: 32 openings for 0.05 x 240 = 12 */
    cr_assert_float_eq(w->openings[LM_SKILL_HARDWARE], 32.0, 1e-12);
    int32_t staff = 0;
    for (size_t i = 0; i < w->firms.n; ++i)
        staff += w->firms.headcount[i];
    cr_assert_geq(staff - 160, 8, "rounded hires: 12 expected, each firm at most one off");
    cr_assert_leq(staff - 160, 16);
    cr_assert_float_eq(w->hired[LM_SKILL_HARDWARE], (double)(staff - 160), 1e-12);
    cr_assert_float_eq(w->employed[LM_SKILL_HARDWARE], (double)staff, 1e-12);
    /* a full pool gives nobody */
    w->talent[LM_SKILL_HARDWARE] = (double)staff;
    const int32_t before = staff;
    lm_arena_reset(&w->scratch);
    cr_assert_eq(lm_phase_costs(w, w->month + 1, &err), LM_OK);
    staff = 0;
    for (size_t i = 0; i < w->firms.n; ++i)
        staff += w->firms.headcount[i];
    cr_assert_eq(staff, before);
    lm_test_world_free(w);
    lm_test_scenario_free(sc);
}

/* The option-tax rule (West Lake talent plan 2020): off, payroll and attrition are exactly the
 * base values; on, payroll falls by option_share x tax_offset and attrition by
 * attrition_reduction, in the sectors it names. */
Test(talent, option_rule_off_leaves_payroll_and_attrition_at_base)
{
    lm_scenario *sc = lm_test_scenario(1, 10);
    lm_params *p = lm_test_params(sc);
    lm_region_params *rp = &p->regions[0];
    lm_policy *rule = &rp->policies[rp->n_policies++];
    lm__policy_defaults(rule, LM_POLICY_TALENT_RULE);
    rule->start = M(2020, 1);
    rule->sectors = 1u; /* sector 0 */
    rule->option_share = 0.25;
    rule->tax_offset = 0.4;
    rule->attrition_reduction = 0.3;
    lm_world *w = lm_test_world(sc);
    const size_t i = lm_test_add_firm(w, 0, 0, LM_MODEL_TO_C, 12, 1.0e7, 1.0);
    const size_t j = lm_test_add_firm(w, 0, 1, LM_MODEL_TO_B, 12, 1.0e7, 1.0);
    const double base_att = p->talent.key_attrition;
    const double overhead = 1.0 + p->costs.payroll_overhead;

    run_talent(w, M(2019, 12)); /* before the rule: exactly the base values */
    cr_assert_eq(lm_firm_unit_costs(w, i).payroll, 12.0 * w->wage[0] * overhead);
    cr_assert_eq(w->attrition[0], base_att, "attrition %.17g", w->attrition[0]);
    cr_assert_eq(w->attrition[1], base_att);
    cr_assert_eq(w->option_effect[0], 0.0);

    run_talent(w, M(2020, 1)); /* in force for sector 0 only */
    const double payroll = 12.0 * w->wage[0] * overhead;
    cr_assert_float_eq(lm_firm_unit_costs(w, i).payroll, payroll * (1.0 - 0.25 * 0.4), 1e-6);
    cr_assert_float_eq(w->attrition[0], base_att * 0.7, 1e-15);
    cr_assert_eq(w->attrition[1], base_att); /* robots: not named by the rule */
    cr_assert_eq(lm_firm_unit_costs(w, j).payroll, 12.0 * w->wage[LM_SKILL_HARDWARE] * overhead);
    lm_test_world_free(w);
    lm_test_scenario_free(sc);
}

/* Attrition slows progress by attrition_drag x attrition. */
Test(talent, attrition_slows_product_progress)
{
    lm_scenario *sc = lm_test_scenario(1, 10);
    lm_params *p = lm_test_params(sc);
    lm_world *w = lm_test_world(sc);
    const size_t i = lm_test_add_firm(w, 0, 0, LM_MODEL_TO_C, 8, 1.0e7, 1.0);
    const size_t j = lm_test_add_firm(w, 0, 1, LM_MODEL_TO_B, 8, 1.0e7, 1.0);
    lm_error err;
    run_talent(w, M(2015, 1));
    w->attrition[0] = 0.02;
    w->attrition[1] = 0.0;
    cr_assert_eq(lm_phase_rnd(w, M(2015, 1), &err), LM_OK);
    const double full0 = lm_rnd_progress(w, 0, 0, 8.0), full1 = lm_rnd_progress(w, 0, 1, 8.0);
    cr_assert_float_eq(w->firms.progress[i], full0 * (1.0 - p->talent.attrition_drag * 0.02),
                       1e-12);
    cr_assert_float_eq(w->firms.progress[j], full1, 1e-15);
    lm_test_world_free(w);
    lm_test_scenario_free(sc);
}
