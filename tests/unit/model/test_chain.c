/* tests/unit/model/test_chain.c -- the ecosystem feedback of MODEL.md 5.9 and 5.1: chain
 * completeness (firm mass, park investments, decay, sourcing from integrated neighbours),
 * giants becoming platforms whose staff makes alumni, labs and spin-outs, and what zero
 * integration means (no knowledge spillover, no cross-region deals, no chain sourcing). */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "lm_test.h"
#include "longmen/finance.h"
#include "model/ecosystem/ecosystem.h"
#include "model/entry/entry.h"
#include "model/policy/policy.h"

#define M(y, mo) lm_month_of((y), (mo))

static void eco(lm_world *w, lm_month m)
{
    lm_error err;
    w->month = m;
    lm_arena_reset(&w->scratch);
    cr_assert_eq(lm_phase_policy(w, m, &err), LM_OK);
    cr_assert_eq(lm_phase_ecosystem(w, m, &err), LM_OK);
}

/* Own chain: c + growth * mass / (mass + ref) * (1 - c) + park / 12 - decay * max(0, c - base). */
Test(chain, rises_with_firm_mass_and_park_investment)
{
    lm_scenario *sc = lm_test_scenario(1, 10);
    lm_params *p = lm_test_params(sc);
    lm_region_params *rp = &p->regions[0];
    lm_policy *park = &rp->policies[rp->n_policies++];
    lm__policy_defaults(park, LM_POLICY_INDUSTRIAL_PARK);
    park->start = M(2015, 1);
    park->layers = 1u; /* chip_design only */
    park->chain_investment = 0.06;
    lm_world *w = lm_test_world(sc);
    /* sector 0 (ai) uses both layers, sector 1 (robots) none */
    lm_test_add_firm(w, 0, 0, LM_MODEL_TO_C, 3000, 1.0e7, 1.0);
    lm_test_add_firm(w, 0, 0, LM_MODEL_TO_C, 2385, 1.0e7, 1.0);
    lm_test_add_firm(w, 0, 1, LM_MODEL_TO_B, 9000, 1.0e7, 1.0);
    const lm_chain_params *cp = &p->chain;
    const double mass = 5385.0, x = mass / (mass + cp->mass_ref);
    eco(w, M(2015, 1));
    const double c0 = 0.4 + cp->growth * x * 0.6 + 0.06 / 12.0;
    const double c1 = 0.6 + cp->growth * x * 0.4;
    cr_assert_float_eq(w->chain_own[0], c0, 1e-12);
    cr_assert_float_eq(w->chain_own[1], c1, 1e-12);
    cr_assert_float_eq(w->chain_mass[0], mass, 1e-12);
    cr_assert_float_eq(w->chain_invest[0], 0.005, 1e-15);
    cr_assert_float_eq(w->chain[0], c0, 1e-12, "one region: nothing to source");
    /* without firms and parks it decays slowly back toward the scenario's chain */
    for (size_t i = 0; i < w->firms.n; ++i)
        w->firms.status[i] = LM_FIRM_DEAD;
    rp->policies[0].end = M(2015, 1);
    eco(w, M(2015, 2));
    cr_assert_float_eq(w->chain_own[0], c0 - cp->decay * (c0 - 0.4), 1e-12);
    lm_test_world_free(w);
    lm_test_scenario_free(sc);
}

/* A layer missing in a region can be sourced from an integrated neighbour at a discount. */
Test(chain, sourced_from_integrated_neighbours_at_a_discount)
{
    lm_scenario *sc = lm_test_scenario(3, 10);
    lm_params *p = lm_test_params(sc);
    p->regions[0].chain[0] = 0.1;
    p->regions[1].chain[0] = 0.9;
    p->regions[2].chain[0] = 0.7;
    p->integration[0 * 3 + 1] = 0.6;
    p->integration[0 * 3 + 2] = 0.9;
    lm_world *w = lm_test_world(sc);
    const double d = p->chain.source_discount;
    /* max(0.1, d * 0.6 * 0.9, d * 0.9 * 0.7) */
    cr_assert_float_eq(w->chain[0], fmax(d * 0.6 * 0.9, d * 0.9 * 0.7), 1e-12);
    cr_assert_float_eq(w->chain_own[0], 0.1, 1e-15);
    cr_assert_float_eq(w->chain[1 * 2 + 0], 0.9, 1e-15); /* its own is better */
    lm_test_world_free(w);
    lm_test_scenario_free(sc);
}

/* Zero integration: no chain sourcing and no knowledge spillover. */
Test(chain, zero_integration_means_no_sourcing_and_no_spillover)
{
    lm_scenario *sc = lm_test_scenario(2, 10);
    lm_params *p = lm_test_params(sc);
    p->integration[1] = p->integration[2] = 0.0;
    p->regions[0].chain[0] = 0.05;
    p->regions[1].chain[0] = 1.0;
    p->regions[1].knowledge[0] = 9.0e5;
    p->regions[0].knowledge[0] = 100.0;
    lm_world *w = lm_test_world(sc);
    cr_assert_eq(w->chain[0], 0.05);
    eco(w, M(2015, 1));
    cr_assert_eq(w->chain[0], w->chain_own[0]);
    /* region 0's knowledge only decays (no R&D, no institutions) */
    cr_assert_float_eq(w->knowledge[0], 100.0 * (1.0 - p->rnd.knowledge_decay), 1e-12);
    /* with integration the neighbour's stock flows in */
    p->integration[1] = 0.5;
    eco(w, M(2015, 2));
    cr_assert_gt(w->knowledge[0], 100.0 * pow(1.0 - p->rnd.knowledge_decay, 2) + 1.0);
    cr_assert_gt(w->chain[0], w->chain_own[0]);
    lm_test_world_free(w);
    lm_test_scenario_free(sc);
}

/* A firm that becomes a giant becomes a platform: its sector joins the platform sectors and
 * its staff's turnover makes alumni. */
Test(platforms, giants_become_platforms_and_make_alumni)
{
    lm_scenario *sc = lm_test_scenario(1, 10);
    lm_params *p = lm_test_params(sc);
    p->regions[0].platform_alumni = 1000.0;
    p->regions[0].platform_staff = 2000.0;
    lm_world *w = lm_test_world(sc);
    p->platforms.giant_headcount = 5000.0;
    p->platforms.giant_revenue_cny_year = 5.0e9;
    const size_t small = lm_test_add_firm(w, 0, 0, LM_MODEL_TO_C, 4999, 1.0e7, 1.0);
    const size_t big = lm_test_add_firm(w, 0, 1, LM_MODEL_TO_B, 5000, 1.0e7, 1.0);
    const size_t rich = lm_test_add_firm(w, 0, 0, LM_MODEL_TO_C, 30, 1.0e7, 1.0);
    w->firms.revenue_last_year_cny[rich] = 5.0e9;
    w->firms.revenue_last_year_cny[small] = 4.99e9;
    w->platform_sectors[0] = 0u;
    eco(w, M(2015, 1));
    cr_assert_eq(w->firms.platform[small], 0);
    cr_assert_eq(w->firms.platform[big], 1);
    cr_assert_eq(w->firms.platform[rich], 1);
    cr_assert_eq(w->platforms[0], 2);
    cr_assert_eq(w->platform_sectors[0], 3u, "robots (big) and ai (rich)");
    const lm_platform_params *pp = &p->platforms;
    const double staff = 2000.0 + 5000.0 + 30.0;
    const double alumni = 1000.0 + pp->turnover * staff - pp->alumni_decay * 1000.0;
    cr_assert_float_eq(w->platform_alumni[0], alumni, 1e-9);
    cr_assert_float_eq(w->platform_staff[LM_SKILL_HARDWARE], 5000.0, 1e-12);
    cr_assert_float_eq(w->platform_staff[LM_SKILL_SOFTWARE], 2030.0, 1e-12);
    /* once a platform, always a platform (while alive) */
    w->firms.headcount[big] = 10;
    eco(w, M(2015, 2));
    cr_assert_eq(w->firms.platform[big], 1);
    lm_test_world_free(w);
    lm_test_scenario_free(sc);
}

/* Labs raise institution strength (spin-out founders) and knowledge. */
Test(labs, a_lab_feeds_spinout_founders_and_knowledge)
{
    int64_t spinouts[2];
    double knowledge[2];
    for (int v = 0; v < 2; ++v) {
        lm_scenario *sc = lm_test_scenario(1, 5);
        lm_params *p = lm_test_params(sc);
        p->regions[0].institution_strength = 5.0;
        p->regions[0].institutions[0] = 1.0;
        if (v) {
            lm_region_params *rp = &p->regions[0];
            lm_policy *lab = &rp->policies[rp->n_policies++];
            lm__policy_defaults(lab, LM_POLICY_LAB);
            lab->start = M(2015, 1);
            lab->sectors = 1u;
            lab->spinout_strength = 40.0;
            lab->knowledge_per_month = 30.0;
        }
        lm_world *w = lm_test_world(sc);
        spinouts[v] = 0;
        lm_error err;
        for (lm_month m = M(2015, 1); m < M(2015, 7); ++m) {
            eco(w, m); /* policy, then knowledge */
            lm_arena_reset(&w->scratch);
            memset(w->events, 0, sizeof *w->events);
            cr_assert_eq(lm_phase_entry(w, m, &err), LM_OK);
            spinouts[v] += w->events[0].births_by_source[LM_SOURCE_SPINOUT];
        }
        knowledge[v] = w->knowledge[0];
        lm_test_world_free(w);
        lm_test_scenario_free(sc);
    }
    /* rates 0.3 * 5 and 0.3 * 45 a month over six months: about 9 and 81 */
    cr_assert_lt(spinouts[0], 25);
    cr_assert_gt(spinouts[1], 50);
    cr_assert_gt(knowledge[1], knowledge[0] + 100.0);
}

/* A whole run with no integration between three regions: no investor backs a firm of another
 * region, and chains are never sourced; with integration, both happen (so the test can fail). */
static size_t cross_region_deals(double integ, bool *sourced)
{
    lm_scenario *sc = lm_test_scenario(3, 150);
    lm_params *p = lm_test_params(sc);
    p->end = lm_month_of(2017, 12);
    for (int r = 0; r < 3; ++r) {
        p->regions[r].private_capital_cny = 2.0e12;
        p->regions[r].chain[0] = 0.1 + 0.4 * r;
        for (int q = 0; q < 3; ++q)
            p->integration[r * 3 + q] = r == q ? 1.0 : integ;
    }
    lm_sim_config cfg = {.seed = 11, .run = 0, .threads = 1};
    lm_sim *sim = NULL;
    lm_error err;
    cr_assert_eq(lm_sim_create(sc, &cfg, &sim, &err), LM_OK, "%s", err.message);
    *sourced = false;
    while (!lm_sim_done(sim)) {
        cr_assert_eq(lm_sim_step(sim, &err), LM_OK, "%s", err.message);
        const lm_world *w = lm__sim_world(sim);
        for (int rl = 0; rl < 3 * w->L; ++rl)
            if (w->chain[rl] != w->chain_own[rl])
                *sourced = true;
    }
    size_t n = 0, cross = 0;
    const lm_deal_record *d = lm_sim_deals(sim, &n);
    cr_assert_gt(n, 20, "too few deals to tell (%zu)", n);
    for (size_t k = 0; k < n; ++k)
        cross += d[k].investor_region != d[k].region;
    lm_sim_destroy(sim);
    lm_test_scenario_free(sc);
    return cross;
}

Test(integration, zero_integration_means_no_cross_region_deals_and_no_sourcing)
{
    bool sourced = true;
    cr_assert_eq(cross_region_deals(0.0, &sourced), 0);
    cr_assert_not(sourced);
    cr_assert_gt(cross_region_deals(0.6, &sourced), 0);
    cr_assert(sourced);
}
