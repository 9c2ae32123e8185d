/* tests/unit/model/test_channels.c -- policies move founders' location choice only through
 * what founders can observe (docs/model.md 7.2). For each policy kind: with the policy in
 * force and every observable of the founders' utility held at its value without the policy,
 * the utility is exactly the one without the policy (no constant of the policy reaches it);
 * and for each kind that moves an observable at once, the policy does move the utility, and
 * holding that one observable fixed removes the whole effect. The funds' channel, the deal
 * flow, is tested with the deal market in tests/unit/finance/test_deals.c. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "lm_test.h"
#include "model/ecosystem/ecosystem.h"
#include "model/entry/entry.h"
#include "model/policy/policy.h"

#define M(y, mo) lm_month_of((y), (mo))

static lm_policy *add_policy(lm_params *p, int r, lm_policy_kind kind)
{
    lm_region_params *rp = &p->regions[r];
    lm_policy *pol = &rp->policies[rp->n_policies++];
    lm__policy_defaults(pol, kind);
    pol->start = M(2015, 1);
    pol->end = LM_MONTH_NEVER;
    pol->budget_cny_year = pol->budget_cny_year > 0.0 ? pol->budget_cny_year : 1.0e9;
    return pol;
}

static void policy_month(lm_world *w, lm_month m)
{
    lm_error err;
    w->month = m;
    lm_arena_reset(&w->scratch);
    cr_assert_eq(lm_phase_policy(w, m, &err), LM_OK);
}

/* A record of the recent past both worlds share: some first rounds and restarts, so that
 * every term of the utility is live. */
static void some_history(lm_world *w)
{
    for (int k = 0; k < w->R * w->S; ++k) {
        w->first_sought[k] = 40.0 + k;
        w->first_closed[k] = 3.0 + 0.5 * k;
        w->first_raised[k] = w->first_closed[k] * 2.5e6;
    }
    for (int r = 0; r < w->R; ++r) {
        w->restarts[r] = 0.5 + r;
        w->failed_seen[r] = 300.0;
    }
}

/* Every world array founders' utility reads, copied from src. */
static void hold_observables(lm_world *dst, const lm_world *src)
{
    const size_t R = (size_t)src->R, S = (size_t)src->S, L = (size_t)src->L;
    const size_t RK = R * LM_SKILL_COUNT, d = sizeof(double);
    memcpy(dst->talent, src->talent, RK * d);
    memcpy(dst->wage, src->wage, RK * d);
    memcpy(dst->chain, src->chain, R * L * d);
    memcpy(dst->knowledge, src->knowledge, R * S * d);
    memcpy(dst->option_effect, src->option_effect, R * S * d);
    memcpy(dst->rent_discount, src->rent_discount, R * S * d);
    memcpy(dst->compute_index, src->compute_index, R * d);
    memcpy(dst->first_sought, src->first_sought, R * S * d);
    memcpy(dst->first_closed, src->first_closed, R * S * d);
    memcpy(dst->first_raised, src->first_raised, R * S * d);
    memcpy(dst->restarts, src->restarts, R * d);
    memcpy(dst->failed_seen, src->failed_seen, R * d);
}

typedef struct pair {
    lm_scenario *with_sc, *without_sc;
    lm_world *with, *without;
} pair;

/* Two worlds of two regions alike but for one policy of `kind` in region 0. */
static pair make_pair(lm_policy_kind kind)
{
    pair p;
    p.with_sc = lm_test_scenario(2, 10);
    p.without_sc = lm_test_scenario(2, 10);
    add_policy(lm_test_params(p.with_sc), 0, kind);
    p.with = lm_test_world(p.with_sc);
    p.without = lm_test_world(p.without_sc);
    some_history(p.with);
    some_history(p.without);
    policy_month(p.with, M(2015, 6));
    policy_month(p.without, M(2015, 6));
    return p;
}

static void free_pair(pair *p)
{
    lm_test_world_free(p->with);
    lm_test_world_free(p->without);
    lm_test_scenario_free(p->with_sc);
    lm_test_scenario_free(p->without_sc);
}

static double utility_gap(const pair *p)
{
    double gap = 0.0;
    for (int r = 0; r < p->with->R; ++r)
        for (int s = 0; s < p->with->S; ++s)
            gap = fmax(gap, fabs(lm_entry_utility(p->with, r, s) -
                                 lm_entry_utility(p->without, r, s)));
    return gap;
}

/* No kind has a constant that reaches founders: with what they observe held, the policy in
 * force changes nothing of their utility, in any region or sector. */
Test(channels, no_policy_kind_moves_location_but_through_what_founders_observe)
{
    for (int k = 0; k < LM_POLICY_KIND_COUNT; ++k) {
        pair p = make_pair((lm_policy_kind)k);
        hold_observables(p.with, p.without);
        cr_assert_eq(utility_gap(&p), 0.0, "kind %d moves founders' utility by itself", k);
        free_pair(&p);
    }
}

/* The talent rule: key staff keep more of their pay (options whose income tax is offset),
 * so the founding team costs the firm less here; held at the pay without the rule, nothing. */
Test(channels, the_talent_rule_acts_through_after_tax_pay)
{
    pair p = make_pair(LM_POLICY_TALENT_RULE);
    cr_assert_gt(lm_entry_utility(p.with, 0, 0), lm_entry_utility(p.without, 0, 0) + 1e-3);
    cr_assert_lt(lm_entry_burn_ratio(p.with, 0, 0), lm_entry_burn_ratio(p.without, 0, 0));
    /* the other region is untouched */
    cr_assert_eq(lm_entry_utility(p.with, 1, 0), lm_entry_utility(p.without, 1, 0));
    memcpy(p.with->option_effect, p.without->option_effect,
           sizeof(double) * (size_t)(p.with->R * p.with->S));
    cr_assert_eq(utility_gap(&p), 0.0);
    free_pair(&p);
}

/* A park: cheaper office and compute for the sectors it serves; held at the rent and the
 * compute price without it, nothing (its chain investment acts through the chain, which the
 * ecosystem phase grows over months). */
Test(channels, a_park_acts_through_rent_and_compute)
{
    pair p = make_pair(LM_POLICY_INDUSTRIAL_PARK);
    cr_assert_gt(lm_entry_utility(p.with, 0, 0), lm_entry_utility(p.without, 0, 0) + 1e-3);
    const double gap = lm_entry_utility(p.with, 0, 0) - lm_entry_utility(p.without, 0, 0);
    /* rent alone moves it, compute alone moves it */
    memcpy(p.with->rent_discount, p.without->rent_discount,
           sizeof(double) * (size_t)(p.with->R * p.with->S));
    const double compute_only = lm_entry_utility(p.with, 0, 0) - lm_entry_utility(p.without, 0, 0);
    cr_assert_gt(compute_only, 1e-4);
    cr_assert_lt(compute_only, gap);
    memcpy(p.with->compute_index, p.without->compute_index, sizeof(double) * (size_t)p.with->R);
    cr_assert_eq(utility_gap(&p), 0.0);
    free_pair(&p);
}

/* A lab: knowledge per month in its sectors; founders see it once the stock has grown. */
Test(channels, a_lab_acts_through_knowledge)
{
    pair p = make_pair(LM_POLICY_LAB);
    cr_assert_eq(utility_gap(&p), 0.0, "a lab that has produced nothing yet draws no founder");
    lm_error err;
    for (lm_month m = M(2015, 6); m < M(2016, 6); ++m) {
        policy_month(p.with, m);
        policy_month(p.without, m);
        cr_assert_eq(lm_phase_ecosystem(p.with, m, &err), LM_OK);
        cr_assert_eq(lm_phase_ecosystem(p.without, m, &err), LM_OK);
    }
    cr_assert_gt(lm_entry_utility(p.with, 0, 0), lm_entry_utility(p.without, 0, 0) + 1e-3);
    memcpy(p.with->knowledge, p.without->knowledge,
           sizeof(double) * (size_t)(p.with->R * p.with->S));
    memcpy(p.with->chain, p.without->chain, sizeof(double) * (size_t)(p.with->R * p.with->L));
    cr_assert_eq(utility_gap(&p), 0.0);
    free_pair(&p);
}

/* Failure tolerance: more failed founders start again, and founders see it in the region's
 * record of restarts, not in the policy. Same arrivals' random numbers in both worlds. */
Test(channels, failure_tolerance_acts_through_the_record_of_restarts)
{
    pair p = make_pair(LM_POLICY_FAILURE_TOLERANCE);
    lm_world *ws[2] = {p.with, p.without};
    lm_error err;
    for (int k = 0; k < 2; ++k) {
        lm_world *w = ws[k];
        w->restarts[0] = w->restarts[1] = 0.0;
        w->failed_seen[0] = w->failed_seen[1] = 0.0;
        for (lm_month m = M(2015, 6); m < M(2017, 6); ++m) {
            policy_month(w, m);
            w->recent_failed[0] = w->recent_failed[1] = 2000.0;
            memset(w->events, 0, sizeof(lm_month_events) * (size_t)w->R);
            cr_assert_eq(lm_phase_entry(w, m, &err), LM_OK);
        }
    }
    /* 0.6 against the default region's 0.3 at restart_rate 0.01 a month: the hazards' ratio
       is 2 up to Poisson noise */
    const double a = lm_entry_restart_chance(p.with, 0), b = lm_entry_restart_chance(p.without, 0);
    cr_assert_gt(b, 0.0);
    cr_assert_gt(a, 1.5 * b, "restart chance %.4f with, %.4f without", a, b);
    cr_assert_gt(lm_entry_utility(p.with, 0, 0), lm_entry_utility(p.without, 0, 0) + 1e-3);
    p.with->restarts[0] = p.without->restarts[0];
    p.with->failed_seen[0] = p.without->failed_seen[0];
    for (int s = 0; s < p.with->S; ++s)
        cr_assert_eq(lm_entry_utility(p.with, 0, s), lm_entry_utility(p.without, 0, s));
    free_pair(&p);
}

/* The first-round prospect: the chance a sought round closes within the runway at which
 * firms seek, times the typical amount, from the record; a sector's thin record leans on the
 * region's. */
Test(channels, the_first_round_prospect_matches_the_formula)
{
    lm_scenario *sc = lm_test_scenario(1, 10);
    lm_world *w = lm_test_world(sc);
    const lm_params *p = w->p;
    cr_assert_eq(lm_entry_prospect(w, 0, 0), 0.0, "no deal yet: nothing to observe");
    w->first_sought[0] = 10.0; /* a month, averaged */
    w->first_closed[0] = 1.0;
    w->first_raised[0] = 3.0e6;
    w->first_sought[1] = 0.0;
    const double n = p->entry.prospect_months, n0 = p->entry.prospect_prior;
    const double T = p->finance.seek_runway_months;
    /* the region's record against n0 attempts that found nothing */
    const double h_r = n * 1.0 / (n * 10.0 + n0);
    const double h0 = (n * 1.0 + n0 * h_r) / (n * 10.0 + n0);
    const double a0 = (n * 3.0e6 + n0 * 3.0e6) / (n * 1.0 + n0);
    cr_assert_float_eq(lm_entry_prospect(w, 0, 0), (1.0 - pow(1.0 - h0, T)) * a0, 1e-6);
    /* sector 1 has sought nothing: the region's record, just under 0.1 a month, and 3M */
    cr_assert_float_eq(lm_entry_prospect(w, 0, 1), (1.0 - pow(1.0 - h_r, T)) * 3.0e6, 1e-6);
    /* one lucky round in a thin record promises little: 1 of 1 is weighed against n0 */
    w->first_sought[0] = w->first_closed[0] = 1.0 / n;
    w->first_raised[0] = 3.0e6 / n;
    w->first_sought[1] = w->first_closed[1] = w->first_raised[1] = 0.0;
    const double h1 = 1.0 / (1.0 + n0);
    const double hs = (1.0 + n0 * h1) / (1.0 + n0);
    cr_assert_float_eq(lm_entry_prospect(w, 0, 0), (1.0 - pow(1.0 - hs, T)) * 3.0e6, 1e-6);
    w->first_sought[0] = 10.0;
    w->first_closed[0] = 1.0;
    w->first_raised[0] = 3.0e6;
    /* and it enters the utility against the founders' seed money */
    const double u0 = lm_entry_utility(w, 0, 0);
    const double x = lm_entry_prospect(w, 0, 0);
    w->first_closed[0] = 0.0;
    w->first_raised[0] = 0.0;
    cr_assert_float_eq(u0 - lm_entry_utility(w, 0, 0),
                       p->entry.w_round * log1p(x / p->entry.seed_capital_cny), 1e-12);
    lm_test_world_free(w);
    lm_test_scenario_free(sc);
}
