/* tests/unit/core/test_sim.c -- whole runs: determinism whatever the thread count, and the
 * invariants that must hold every month (money balances, counts never negative). */
#include <criterion/criterion.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "lm_test.h"
#include "longmen/finance.h"
#include "model/market/market.h"

static lm_sim *make_sim(const lm_scenario *sc, uint64_t seed, int threads)
{
    lm_sim_config cfg = {.seed = seed, .run = 0, .threads = threads};
    lm_sim *sim = NULL;
    lm_error err;
    cr_assert_eq(lm_sim_create(sc, &cfg, &sim, &err), LM_OK, "%s", err.message);
    return sim;
}

static void run_all(lm_sim *sim)
{
    lm_error err;
    while (!lm_sim_done(sim))
        cr_assert_eq(lm_sim_step(sim, &err), LM_OK, "%s", err.message);
}

static int fb_empty(const lm_sim *b)
{
    size_t n;
    lm_sim_funds(b, &n);
    return n == 0;
}

/* n bytes alike; an empty table may be a null pointer, which memcmp must not be given. */
static bool same_bytes(const void *a, const void *b, size_t n)
{
    return n == 0 || memcmp(a, b, n) == 0;
}

/* Firms and region-years of a run, compared byte for byte. */
static int same_results(const lm_sim *a, const lm_sim *b)
{
    if (lm_sim_firms_ever(a) != lm_sim_firms_ever(b))
        return 0;
    size_t na, nb;
    const lm_region_year *ya = lm_sim_region_years(a, &na);
    const lm_region_year *yb = lm_sim_region_years(b, &nb);
    if (na != nb || !same_bytes(ya, yb, na * sizeof *ya))
        return 0;
    for (uint32_t id = 0; id < lm_sim_firms_ever(a); ++id) {
        lm_firm_record ra, rb;
        lm_sim_firm(a, id, &ra);
        lm_sim_firm(b, id, &rb);
        if (memcmp(&ra, &rb, sizeof ra) != 0)
            return 0;
    }
    /* finance issue: the deal and exit ledgers, the funds' books and the finance rows */
    size_t da, db, xa, xb, fa, fb, ga, gb;
    const lm_deal_record *dla = lm_sim_deals(a, &da), *dlb = lm_sim_deals(b, &db);
    const lm_exit_record *xla = lm_sim_exits(a, &xa), *xlb = lm_sim_exits(b, &xb);
    const lm_finance_year *gla = lm_sim_finance_years(a, &ga), *glb = lm_sim_finance_years(b, &gb);
    if (da != db || xa != xb || ga != gb || !same_bytes(dla, dlb, da * sizeof *dla) ||
        !same_bytes(xla, xlb, xa * sizeof *xla) || !same_bytes(gla, glb, ga * sizeof *gla))
        return 0;
    const lm_fund_record *fla = lm_sim_funds(a, &fa);
    if (fa == 0)
        return fb_empty(b);
    lm_fund_record *copy = malloc(fa * sizeof *copy);
    memcpy(copy, fla, fa * sizeof *copy);
    const lm_fund_record *flb = lm_sim_funds(b, &fb);
    const int same = fa == fb && same_bytes(copy, flb, fa * sizeof *copy);
    free(copy);
    return same;
}

static lm_scenario *busy_scenario(void)
{
    lm_scenario *sc = lm_test_scenario(3, 300.0);
    lm_params *p = lm_test_params(sc);
    p->end = lm_month_of(2017, 12);
    p->entry.seed_capital_cny = 4.0e6;
    p->regions[1].platform_alumni = 30000.0;
    lm_region_params *rp = &p->regions[2];
    lm_policy *sub = &rp->policies[rp->n_policies++];
    lm__policy_defaults(sub, LM_POLICY_RD_SUBSIDY);
    sub->start = lm_month_of(2015, 6);
    sub->budget_cny_year = 2.0e7;
    /* finance issue: angels and VC funds from private capital, a guidance fund */
    for (int r = 0; r < 3; ++r)
        p->regions[r].private_capital_cny = 5.0e11;
    lm_policy *fund = &rp->policies[rp->n_policies++];
    lm__policy_defaults(fund, LM_POLICY_ST_FUND);
    fund->start = lm_month_of(2015, 1);
    fund->budget_cny_year = 1.0e9;
    fund->loss_tolerance = 0.3;
    return sc;
}

Test(sim, identical_results_with_one_and_two_threads)
{
    lm_scenario *sc = busy_scenario();
    lm_sim *a = make_sim(sc, 42, 1), *b = make_sim(sc, 42, 2), *c = make_sim(sc, 43, 2);
    run_all(a);
    run_all(b);
    run_all(c);
    cr_assert_gt(lm_sim_firms_ever(a), 1000);
    size_t deals;
    lm_sim_deals(a, &deals);
    cr_assert_gt(deals, 100, "finance is on");
    cr_assert(same_results(a, b), "threads changed the results");
    cr_assert_not(same_results(a, c), "a different seed gave the same results");
    lm_sim_destroy(a);
    lm_sim_destroy(b);
    lm_sim_destroy(c);
    lm_test_scenario_free(sc);
}

Test(sim, money_balances_and_counts_stay_non_negative_every_month)
{
    lm_scenario *sc = busy_scenario();
    lm_sim *sim = make_sim(sc, 9, 2);
    lm_error err;
    int64_t deaths = 0, births = 0;
    while (!lm_sim_done(sim)) {
        cr_assert_eq(lm_sim_step(sim, &err), LM_OK);
        const lm_ledger *l = lm_sim_ledger(sim);
        double in = 0.0, out = 0.0;
        for (int r = 0; r < l->n_regions; ++r) {
            /* every flow is received by someone */
            cr_assert_float_eq(l->firms_paid_payroll[r], l->households_received[r], 1e-6);
            cr_assert_float_eq(l->firms_paid_compute[r], l->compute_received[r], 1e-6);
            cr_assert_float_eq(l->firms_paid_rent[r], l->landlords_received[r], 1e-6);
            cr_assert_float_eq(l->firms_paid_tax[r], l->state_received_tax[r], 1e-6);
            cr_assert_float_eq(l->state_paid_subsidy[r], l->firms_received_subsidy[r], 1e-6);
            cr_assert_float_eq(l->customers_paid[r], l->firms_received_revenue[r], 1e-6);
            cr_assert_float_eq(l->investors_paid[r], l->firms_received_investment[r], 1e-6);
            cr_assert_float_eq(l->exit_buyers_paid[r], l->exit_holders_received[r],
                               1e-6 * (1.0 + l->exit_buyers_paid[r]));
            cr_assert_geq(l->firms_paid_payroll[r], 0.0);
            in += l->firms_received_revenue[r] + l->firms_received_subsidy[r] +
                  l->firms_received_investment[r] + l->creditors_wrote_off[r];
            out += l->firms_paid_payroll[r] + l->firms_paid_compute[r] + l->firms_paid_rent[r] +
                   l->firms_paid_tax[r];
        }
        /* the shares of every market part, outsiders included, sum to 1 */
        lm_world *w = lm__sim_world(sim);
        const size_t width = (size_t)w->S * LM_MODEL_COUNT * (1 + (size_t)w->R);
        double shares[64];
        cr_assert_leq(width, sizeof shares / sizeof shares[0]);
        cr_assert_eq(lm_market_share_check(w, lm_sim_month(sim) - 1, shares), LM_OK);
        for (size_t j = 0; j < width; ++j)
            cr_assert_float_eq(shares[j], 1.0, 1e-9, "part %zu sums to %.12f", j, shares[j]);
        /* what firms hold changed by exactly what they received minus what they paid */
        const double delta = l->firm_cash_after - l->firm_cash_before;
        cr_assert(fabs(delta - (in - out)) <= 1e-9 * (fabs(in) + fabs(out) + 1.0),
                  "cash moved %.6f, flows %.6f", delta, in - out);
    }
    size_t n;
    const lm_region_year *y = lm_sim_region_years(sim, &n);
    for (size_t k = 0; k < n; ++k) {
        cr_assert_geq(y[k].births, 0);
        cr_assert_geq(y[k].deaths, 0);
        cr_assert_geq(y[k].alive, 0);
        cr_assert_geq(y[k].with_product, 0);
        cr_assert_leq(y[k].with_product, y[k].alive);
        cr_assert_geq(y[k].founders_nonlocal_share, 0.0);
        cr_assert_leq(y[k].founders_nonlocal_share, 1.0);
        births += y[k].births;
        deaths += y[k].deaths;
    }
    /* stock-flow consistency: firms alive at the end = births - deaths - exits */
    size_t nf;
    const lm_finance_year *fy = lm_sim_finance_years(sim, &nf);
    int64_t exits = 0;
    for (size_t k = 0; k < nf; ++k)
        exits += fy[k].ipos + fy[k].acquisitions;
    int64_t alive_end = 0;
    for (size_t k = n - (size_t)3; k < n; ++k)
        alive_end += y[k].alive;
    cr_assert_eq(alive_end, births - deaths - exits);
    cr_assert_eq((int64_t)lm_sim_firms_ever(sim), births);
    cr_assert_eq((size_t)alive_end, lm_sim_firms_alive(sim));
    lm_sim_destroy(sim);
    lm_test_scenario_free(sc);
}

Test(sim, stepping_past_the_end_is_an_error)
{
    lm_scenario *sc = lm_test_scenario(1, 5.0);
    lm_test_params(sc)->end = lm_month_of(2015, 2);
    lm_sim *sim = make_sim(sc, 1, 1);
    run_all(sim);
    cr_assert_eq(lm_sim_months_done(sim), 2);
    lm_error err;
    cr_assert_eq(lm_sim_step(sim, &err), LM_ESTATE);
    lm_sim_destroy(sim);
    lm_test_scenario_free(sc);
}

/* A stop raised while a month runs (a signal, a cancelled job) ends it between two phases:
 * the month is not finished and the simulation cannot be stepped again. */
Test(sim, a_stop_flag_ends_the_month_between_phases)
{
    lm_scenario *sc = lm_test_scenario(1, 5.0);
    volatile sig_atomic_t stop = 0;
    lm_sim_config cfg = {.seed = 3, .run = 0, .threads = 1, .stop_flag = &stop};
    lm_sim *sim = NULL;
    lm_error err;
    cr_assert_eq(lm_sim_create(sc, &cfg, &sim, &err), LM_OK, "%s", err.message);
    cr_assert_eq(lm_sim_step(sim, &err), LM_OK, "%s", err.message);
    stop = 1;
    cr_assert_eq(lm_sim_step(sim, &err), LM_EINTR);
    cr_assert_str_eq(err.message, "interrupted");
    cr_assert_eq(lm_sim_months_done(sim), 1, "the stopped month does not count");
    stop = 0;
    cr_assert_eq(lm_sim_step(sim, &err), LM_ESTATE, "a half-run month cannot go on");
    lm_sim_destroy(sim);
    lm_test_scenario_free(sc);
}
