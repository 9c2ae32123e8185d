/* tests/unit/finance/test_money.c -- money is conserved with finance on (MODEL.md 5.4-5.7):
 * every CNY that leaves an investor arrives in a firm, every exit distributes exactly its
 * value, the investors' money obeys its balance identity month by month, fund books add up,
 * and cap tables sum to 1 with no negative holding after every round and exit. A whole run
 * of a three-region world with angels, VC funds, a strategic arm, guidance funds and a
 * direct injection. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "lm_test.h"
#include "model/finance/finance_int.h"

#define M(y, mo) lm_month_of((y), (mo))

static lm_policy *add_policy(lm_params *p, int r, lm_policy_kind kind)
{
    lm_region_params *rp = &p->regions[r];
    lm_policy *pol = &rp->policies[rp->n_policies++];
    lm__policy_defaults(pol, kind);
    pol->start = M(2015, 1);
    return pol;
}

static lm_scenario *money_scenario(void)
{
    lm_scenario *sc = lm_test_scenario(3, 300.0);
    lm_params *p = lm_test_params(sc);
    p->end = M(2019, 12);
    p->entry.seed_capital_cny = 2.0e6;
    for (int r = 0; r < 3; ++r)
        p->regions[r].private_capital_cny = 1.0e12;
    p->regions[1].platform_alumni = 30000.0;
    lm_policy *st = add_policy(p, 0, LM_POLICY_ST_FUND);
    st->budget_cny_year = 2.0e9;
    st->loss_tolerance = 0.3;
    st->separate_budget_line = true;
    lm_policy *inn = add_policy(p, 2, LM_POLICY_INNOVATION_FUND);
    inn->budget_cny_year = 3.0e9;
    inn->gov_share = 0.5;
    inn->loss_tolerance = 0.2;
    inn->reinvest_ratio = 2.0;
    inn->freeze_months = 6.0;
    /* a five-year world closes few rounds at B and later: A rounds give the innovation fund
       deal flow to size its sub-funds from (docs/model.md 7.9) */
    inn->stages |= 1u << LM_STAGE_A;
    lm_policy *fof = add_policy(p, 1, LM_POLICY_PROVINCIAL_FOF);
    fof->budget_cny_year = 1.0e9;
    lm_policy *dir = add_policy(p, 1, LM_POLICY_DIRECT_INJECTION);
    dir->budget_cny_year = 1.0e8;
    add_policy(p, 0, LM_POLICY_MATCHMAKING);
    /* exits early enough to be seen in five years */
    p->exits.ipo_min_age_months = 18.0;
    p->exits.ipo_min_valuation_cny = 2.0e8;
    p->exits.ipo_min_revenue_cny_year = 1.0e7;
    p->exits.acq_min_age_months = 12.0;
    p->exits.acq_hazard = 0.05;
    p->exits.acq_min_revenue_cny_year = 1.0e6;
    return sc;
}

static double system_money(const lm_world *w)
{
    const struct lm_finance *fin = w->finance;
    double x = 0.0;
    for (size_t i = 0; fin && i < fin->n_inv; ++i)
        x += fin->inv[i].uncalled + fin->inv[i].cash;
    for (int r = 0; r < w->R; ++r)
        x += w->private_capital[r];
    return x;
}

/* Cash of the firms alive now (dead firms hold 0 after their creditors' write-off; exited
 * firms left with theirs). */
static double firm_cash(const lm_world *w)
{
    double c = 0.0;
    for (size_t i = 0; i < w->firms.n; ++i)
        if (w->firms.status[i] == LM_FIRM_ALIVE)
            c += w->firms.cash_cny[i];
    return c;
}

/* What crossed the books of the firms and investors this month (docs/model.md 7.5, 7.14):
 * customers, public budgets, founders' seed, bills and taxes, creditors' write-offs, exits,
 * managers' fees and outside LPs; *gross sums their sizes. Investment from investors to firms
 * is internal and cancels. dt: the month's change of the investor totals. */
static double exogenous(const lm_world *w, const lm_fin_totals *t0, const lm_fin_totals *t1,
                        double *gross)
{
    double net = 0.0, g = 0.0;
    for (int r = 0; r < w->R; ++r) {
        const lm_money *mo = &w->money[r];
        const double in = mo->firms_received_revenue + mo->firms_received_subsidy +
                          mo->firms_received_seed + mo->creditors_wrote_off;
        const double out = mo->firms_paid_payroll + mo->firms_paid_compute +
                           mo->firms_paid_rent + mo->firms_paid_tax + mo->exited_firm_cash;
        net += in - out;
        g += in + out;
    }
    const double x_in = (t1->gov_committed - t0->gov_committed) +
                        (t1->outside_in - t0->outside_in) + (t1->to_private - t0->to_private) +
                        (t1->direct_paid - t0->direct_paid);
    const double x_out = (t1->fees - t0->fees) + (t1->gov_released - t0->gov_released) +
                         (t1->outside_out - t0->outside_out);
    *gross = g + x_in + x_out;
    return net + x_in - x_out;
}

/* The books of one simulation: every month, the money of firms and investors changes by the
 * exogenous flows only, to 1e-9 of the month's gross flows and stocks. */
typedef struct books {
    lm_fin_totals t;
    double total;
    int months, deaths_with_debt;
} books;

static void books_open(books *b, const lm_world *w)
{
    memset(b, 0, sizeof *b);
    if (w->finance)
        b->t = w->finance->totals;
    b->total = firm_cash(w) + system_money(w);
}

static void books_check(books *b, const lm_world *w)
{
    lm_fin_totals t1 = {0};
    if (w->finance)
        t1 = w->finance->totals;
    double gross;
    const double flows = exogenous(w, &b->t, &t1, &gross);
    const double total = firm_cash(w) + system_money(w);
    const double scale = fmax(gross, fmax(fabs(total), fabs(b->total)));
    cr_assert_leq(fabs(total - b->total - flows), 1e-9 * scale,
                  "month %d: books moved %.6f, exogenous flows %.6f", b->months,
                  total - b->total, flows);
    for (int r = 0; r < w->R; ++r)
        b->deaths_with_debt += w->money[r].creditors_wrote_off > 0.0;
    b->t = t1;
    b->total = total;
    b->months++;
}

static double rel(double a, double b) { return fabs(a - b) / fmax(1.0, fmax(fabs(a), fabs(b))); }


Test(money, conserved_through_rounds_exits_and_funds)
{
    lm_scenario *sc = money_scenario();
    lm_sim_config cfg = {.seed = 11, .run = 0, .threads = 2};
    lm_sim *sim = NULL;
    lm_error err;
    cr_assert_eq(lm_sim_create(sc, &cfg, &sim, &err), LM_OK);
    lm_world *w = lm__sim_world(sim);
    size_t deals_seen = 0, exits_seen = 0;
    books bk;
    books_open(&bk, w);
    while (!lm_sim_done(sim)) {
        cr_assert_eq(lm_sim_step(sim, &err), LM_OK, "%s", err.message);
        books_check(&bk, w);
        const struct lm_finance *fin = w->finance;
        const lm_ledger *l = lm_sim_ledger(sim);
        double paid = 0.0, in = 0.0, out = 0.0, buyers = 0.0;
        for (int r = 0; r < l->n_regions; ++r) {
            cr_assert_eq(l->investors_paid[r], l->firms_received_investment[r]);
            cr_assert_leq(rel(l->exit_buyers_paid[r], l->exit_holders_received[r]), 1e-6);
            paid += l->investors_paid[r];
            buyers += l->exit_buyers_paid[r];
            in += l->firms_received_revenue[r] + l->firms_received_subsidy[r] +
                  l->firms_received_investment[r] + l->creditors_wrote_off[r];
            out += l->firms_paid_payroll[r] + l->firms_paid_compute[r] + l->firms_paid_rent[r] +
                   l->firms_paid_tax[r];
        }
        /* every CNY that left an investor this month is a deal of this month */
        double booked = 0.0;
        for (; deals_seen < fin->n_deals; ++deals_seen)
            booked += fin->deals[deals_seen].amount_cny;
        cr_assert_leq(rel(booked, paid), 1e-9, "deals %.6f, paid %.6f", booked, paid);
        /* firms' cash moved by what they received (investment included) minus what they paid */
        const double delta = l->firm_cash_after - l->firm_cash_before;
        cr_assert(fabs(delta - (in - out)) <= 1e-9 * (fabs(in) + fabs(out) + 1.0),
                  "cash moved %.6f, flows %.6f", delta, in - out);
        /* each exit pays out exactly its value */
        double valued = 0.0;
        for (; exits_seen < fin->n_exits; ++exits_seen) {
            const lm_exit_record *x = &fin->exits[exits_seen];
            const double got = x->to_founders_cny + x->to_employees_cny + x->to_investors_cny;
            cr_assert_leq(fabs(got - x->valuation_cny), 1e-6 * x->valuation_cny);
            valued += x->valuation_cny;
        }
        cr_assert_leq(rel(valued, buyers), 1e-9);
        /* the investors' money: X = X0 + in - out */
        const lm_fin_totals *t = &fin->totals;
        const double want = t->x0 + t->gov_committed + t->outside_in + t->to_private - t->invested -
                            t->fees - t->gov_released - t->outside_out;
        cr_assert_leq(fabs(system_money(w) - want), 1e-9 * t->x0, "X %.3f, flows %.3f",
                      system_money(w), want);
        /* cap tables */
        for (size_t i = 0; i < w->firms.n; ++i) {
            if (w->firms.status[i] != LM_FIRM_ALIVE)
                continue;
            const lm_fin_firm *ff = &fin->firm[w->firms.id[i]];
            cr_assert_float_eq(lm__captable_sum(ff), 1.0, 1e-12);
            for (int k = 0; k < ff->n; ++k)
                cr_assert_geq(ff->stakes[k].share, 0.0);
        }
    }
    const struct lm_finance *fin = w->finance;
    for (size_t i = 0; i < fin->n_inv; ++i) {
        const lm_investor *inv = &fin->inv[i];
        cr_assert_geq(inv->uncalled, -1e-6);
        if (inv->fund) {
            cr_assert_leq(rel(inv->called, inv->invested + inv->fees), 1e-9);
            cr_assert_leq(rel(inv->size, inv->uncalled + inv->called + inv->released), 1e-9);
            cr_assert_leq(rel(inv->proceeds, inv->distributed + inv->carry_paid), 1e-9);
        }
    }
    /* the run exercised what it checks */
    int kinds[LM_INVESTOR_KIND_COUNT] = {0}, direct = 0, ipo = 0, acq = 0;
    for (size_t k = 0; k < fin->n_deals; ++k) {
        kinds[fin->deals[k].investor_kind]++;
        direct += fin->inv[fin->deals[k].investor_id].direct;
    }
    for (size_t k = 0; k < fin->n_exits; ++k) {
        ipo += fin->exits[k].kind == LM_FIRM_IPO;
        acq += fin->exits[k].kind == LM_FIRM_ACQUIRED;
    }
    for (int k = 0; k < LM_INVESTOR_KIND_COUNT; ++k)
        cr_expect_gt(kinds[k], 0, "no deal by investor kind %d", k);
    cr_expect_gt(direct, 0, "no direct injection");
    cr_expect_gt(ipo, 0, "no IPO");
    cr_expect_gt(acq, 0, "no acquisition");
    lm_sim_destroy(sim);
    lm_test_scenario_free(sc);
}

/* Every yuan of tests/data/tiny.yaml, month by month: firms' and investors' money moves only by
 * the documented exogenous flows; dying firms' debts are written off by named creditors. */
Test(money, every_yuan_of_the_tiny_scenario_is_accounted_for)
{
    lm_scenario *sc = NULL;
    lm_error err;
    cr_assert_eq(lm_scenario_load(LM_TEST_DATA "/tiny.yaml", &sc, &err), LM_OK);
    lm_sim_config cfg = {.seed = 5, .run = 0, .threads = 2};
    lm_sim *sim = NULL;
    cr_assert_eq(lm_sim_create(sc, &cfg, &sim, &err), LM_OK);
    lm_world *w = lm__sim_world(sim);
    books bk;
    books_open(&bk, w);
    double staff = 0.0, written = 0.0;
    while (!lm_sim_done(sim)) {
        cr_assert_eq(lm_sim_step(sim, &err), LM_OK, "%s", err.message);
        books_check(&bk, w);
        for (int r = 0; r < w->R; ++r) {
            const lm_money *mo = &w->money[r];
            cr_assert_float_eq(mo->unpaid_staff + mo->unpaid_compute + mo->unpaid_landlords,
                               mo->creditors_wrote_off, 1e-9 * (1.0 + mo->creditors_wrote_off));
            staff += mo->unpaid_staff;
            written += mo->creditors_wrote_off;
        }
        for (size_t i = 0; i < w->firms.n; ++i)
            if (w->firms.status[i] == LM_FIRM_DEAD && w->firms.ended[i] == w->month - 1)
                cr_assert_eq(w->firms.cash_cny[i], 0.0, "a dead firm keeps debt");
    }
    cr_assert_eq(bk.months, 24);
    cr_assert_gt(bk.deaths_with_debt, 0, "no firm died in debt: the write-off is untested");
    cr_assert_gt(staff, 0.5 * written, "staff are the main creditors of a start-up");
    lm_sim_destroy(sim);
    lm_scenario_free(sc);
}

/* The default scenario through the first year of its policies (2005-01 to 2015-12: the
 * spin-up, then guidance funds, talent rule, direct injections and every other policy of
 * 2015 on): every month, the money of firms and investors changes by the exogenous flows
 * only, deaths included. */
Test(money, the_default_scenario_conserves_every_yuan_each_month, .timeout = 600)
{
    lm_scenario *sc = NULL;
    lm_error err;
    cr_assert_eq(lm_scenario_load(LM_SOURCE_DIR "/scenarios/three-capitals.yaml", &sc, &err),
                 LM_OK, "%s", err.message);
    lm_test_params(sc)->end = M(2015, 12);
    lm_sim_config cfg = {.seed = 5, .run = 0, .threads = 2};
    lm_sim *sim = NULL;
    cr_assert_eq(lm_sim_create(sc, &cfg, &sim, &err), LM_OK, "%s", err.message);
    lm_world *w = lm__sim_world(sim);
    books bk;
    books_open(&bk, w);
    while (!lm_sim_done(sim)) {
        cr_assert_eq(lm_sim_step(sim, &err), LM_OK, "%s", err.message);
        books_check(&bk, w);
    }
    cr_assert_eq(bk.months, 11 * 12);
    cr_assert_gt(bk.deaths_with_debt, 0);
    cr_assert_gt(w->finance->totals.gov_committed, 0.0, "no guidance money moved");
    lm_sim_destroy(sim);
    lm_scenario_free(sc);
}
