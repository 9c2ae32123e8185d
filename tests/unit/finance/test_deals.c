/* tests/unit/finance/test_deals.c -- guidance funds in the deal market (MODEL.md 5.5,
 * docs/model.md 7.9): loss tolerance decides which stages a fund can back, a realised loss
 * above tolerance freezes its managers for exactly freeze_months, and the local
 * reinvestment requirement is met or its shortfall reported. Small worlds built by hand:
 * one guidance fund, no other investors, firms held at chosen stages and kept short of cash
 * so that they seek money every month. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "lm_test.h"
#include "model/exits/exits.h"
#include "model/finance/finance.h"
#include "model/finance/finance_int.h"
#include "model/entry/entry.h"
#include "model/policy/policy.h"

#define M(y, mo) lm_month_of((y), (mo))

/* A scenario with no founders, no VCs, angels or strategic arms: only the fund added. */
static lm_scenario *quiet_scenario(int regions)
{
    lm_scenario *sc = lm_test_scenario(regions, 0.0);
    lm_params *p = lm_test_params(sc);
    p->end = M(2020, 12);
    p->finance.vc_capital_share = 0.0;
    p->finance.angel_groups = 0.0;
    p->finance.subfund_gov_cny = 1.0e10; /* one sub-fund a vintage */
    p->finance.signal_noise[LM_INVESTOR_GOV_ST] = 0.3; /* sharp enough to find the few */
    p->finance.noise_dispersion = 0.0;
    p->finance.min_close = 0.1; /* a lone fund can close a round */
    p->exits.ipo_hazard = 0.0;
    p->exits.acq_hazard = 0.0;
    return sc;
}

static lm_policy *add_fund(lm_params *p, int r, double L, uint32_t stages)
{
    lm_region_params *rp = &p->regions[r];
    lm_policy *pol = &rp->policies[rp->n_policies++];
    lm__policy_defaults(pol, LM_POLICY_ST_FUND);
    pol->start = M(2015, 1);
    pol->budget_cny_year = 2.0e9;
    pol->separate_budget_line = true;
    pol->loss_tolerance = L;
    pol->gov_share = 0.5;
    pol->reinvest_ratio = 0.0;
    pol->stages = stages;
    return pol;
}

typedef struct held {
    size_t slot;
    int stage;
    double revenue;
} held;

/* n firms per stage in region r, thetas spread over the prior of log theta. */
static size_t add_firms(lm_world *w, int r, int n, held *out)
{
    const lm_finance_params *f = &w->p->finance;
    size_t k = 0;
    for (int s = 0; s < LM_STAGE_COUNT; ++s)
        for (int j = 0; j < n; ++j) {
            const double z = -2.0 + 6.0 * (j + 0.5) / n;
            const double revenue = 1.5 * f->stage_min_revenue_cny_year[s] / 12.0;
            const int head = 10 + (int)(2.0 * revenue / 3.0e4);
            const size_t i = lm_test_add_firm(w, r, 0, LM_MODEL_TO_B, head, 0.0,
                                              exp(f->signal_mean + f->signal_sd * z));
            w->firms.launched[i] = w->month - 12;
            w->firms.founded[i] = w->month - 24;
            out[k++] = (held){i, s, revenue};
        }
    return k;
}

/* Every month the firms are put back: at their stage, short of cash, with their revenue. */
static void hold(lm_world *w, const held *h, size_t n)
{
    lm_error err;
    cr_assert_eq(lm__finance_grow_firms(w, &err), LM_OK);
    for (size_t k = 0; k < n; ++k) {
        const size_t i = h[k].slot;
        if (w->firms.status[i] != LM_FIRM_ALIVE)
            continue;
        w->firms.round_stage[i] = (uint8_t)h[k].stage; /* last round: the stage before */
        w->firms.last_round[i] = 0;
        w->firms.revenue_ema_cny[i] = h[k].revenue;
        w->firms.revenue_cny[i] = h[k].revenue;
        w->firms.cash_cny[i] = 0.0;
    }
}

static void month(lm_world *w, lm_month m, const held *h, size_t n, bool exits)
{
    lm_error err;
    w->month = m;
    lm_arena_reset(&w->scratch);
    cr_assert_eq(lm_phase_policy(w, m, &err), LM_OK);
    if (!w->finance)
        cr_assert_eq(lm_finance_start(w, &err), LM_OK);
    hold(w, h, n);
    cr_assert_eq(lm_phase_finance(w, m, &err), LM_OK, "%s", err.message);
    if (exits)
        cr_assert_eq(lm_phase_exits(w, m, &err), LM_OK, "%s", err.message);
}

static int deals_by(const lm_world *w, uint32_t investor, lm_month m, int *by_stage)
{
    int n = 0;
    for (size_t k = 0; k < w->finance->n_deals; ++k) {
        const lm_deal_record *d = &w->finance->deals[k];
        if (d->investor_id != investor || (m >= 0 && d->month != m))
            continue;
        ++n;
        if (by_stage)
            by_stage[d->stage]++;
    }
    return n;
}

/* The rounds that closed in every region, stage and sector over the two years before the
 * world starts, per month: the deal flow a guidance policy sizes its sub-funds from (the
 * world's own investors are absent). At 1e9 a stage and sector a month it asks for its
 * whole budget. */
static void market_history(lm_world *w, double per_month)
{
    lm_error err;
    if (!w->finance)
        cr_assert_eq(lm_finance_start(w, &err), LM_OK);
    for (lm_month m = w->p->start - 24; m < w->p->start; ++m)
        for (int r = 0; r < w->R; ++r)
            for (int s = 0; s < LM_STAGE_COUNT; ++s)
                for (int q = 0; q < w->S; ++q)
                    lm__finance_note_round(w, r, s, q, m, per_month);
}

static lm_world *funded_world(const lm_scenario *sc)
{
    lm_world *w = lm_test_world(sc);
    market_history(w, 1.0e9);
    return w;
}

static uint32_t the_fund(const lm_world *w)
{
    for (size_t i = 0; i < w->finance->n_inv; ++i)
        if (w->finance->inv[i].guidance)
            return (uint32_t)i;
    cr_assert_fail("no guidance sub-fund was raised");
    return 0;
}

static void run_tolerance(double L, int *by_stage)
{
    lm_scenario *sc = quiet_scenario(1);
    add_fund(lm_test_params(sc), 0, L, (1u << LM_STAGE_COUNT) - 1u);
    lm_world *w = funded_world(sc);
    held h[5 * 60];
    const size_t n = add_firms(w, 0, 60, h);
    for (lm_month m = M(2015, 1); m <= M(2016, 12); ++m)
        month(w, m, h, n, false);
    const uint32_t fund = the_fund(w);
    deals_by(w, fund, -1, by_stage);
    const lm_finance_params *f = &w->p->finance;
    for (size_t k = 0; k < w->finance->n_deals; ++k) {
        const lm_deal_record *d = &w->finance->deals[k];
        if (L == 0.0) /* only stages where a firm can be as safe as the floor */
            cr_assert_leq(f->min_loss[d->stage], f->zero_loss_floor);
    }
    if (L == 0.0) { /* and the portfolio's expected loss within the floor of its capital */
        const lm_investor *inv = &w->finance->inv[fund];
        const double capital = inv->cost_open + lm__investor_available_follow(w, inv, M(2017, 1));
        cr_assert_gt(inv->cost_open, 0.0);
        cr_assert_leq(inv->el_open, f->zero_loss_floor * capital * (1.0 + 1e-9));
    }
    lm_test_world_free(w);
    lm_test_scenario_free(sc);
}

Test(deals, zero_tolerance_admits_only_late_low_risk_deals)
{
    int by[LM_STAGE_COUNT] = {0};
    run_tolerance(0.0, by);
    cr_assert_eq(by[LM_STAGE_SEED] + by[LM_STAGE_A] + by[LM_STAGE_B], 0,
                 "seed %d, a %d, b %d deals at L = 0", by[0], by[1], by[2]);
    cr_assert_gt(by[LM_STAGE_C] + by[LM_STAGE_GROWTH], 0, "the fund made no deal at all");
}

Test(deals, thirty_percent_tolerance_lets_seed_deals_in)
{
    int by[LM_STAGE_COUNT] = {0};
    run_tolerance(0.3, by);
    cr_assert_gt(by[LM_STAGE_SEED], 0, "no seed deal at L = 0.3");
}

Test(deals, a_realised_loss_above_tolerance_freezes_for_exactly_freeze_months)
{
    lm_scenario *sc = quiet_scenario(1);
    lm_policy *pol = add_fund(lm_test_params(sc), 0, 0.0, 1u << LM_STAGE_GROWTH);
    pol->freeze_months = 5.0;
    /* money enough that the fund still has some when the freeze ends, whichever deals its
       signals led it to before */
    pol->budget_cny_year = 8.0e9;
    lm_world *w = funded_world(sc);
    held h[5 * 40];
    const size_t n = add_firms(w, 0, 40, h);
    const lm_month m0 = M(2015, 1), kill = M(2015, 3);
    for (lm_month m = m0; m < kill; ++m)
        month(w, m, h, n, true);
    const uint32_t fund = the_fund(w);
    cr_assert_gt(deals_by(w, fund, -1, NULL), 0);
    /* month `kill`: the finance phase runs, then every firm the fund holds dies */
    lm_error err;
    w->month = kill;
    lm_arena_reset(&w->scratch);
    cr_assert_eq(lm_phase_policy(w, kill, &err), LM_OK);
    hold(w, h, n);
    cr_assert_eq(lm_phase_finance(w, kill, &err), LM_OK);
    for (size_t k = 0; k < n; ++k) {
        const size_t i = h[k].slot;
        if (lm__captable_share(&w->finance->firm[w->firms.id[i]], (int32_t)fund) > 0.0) {
            w->firms.status[i] = LM_FIRM_DEAD;
            w->firms.ended[i] = kill;
        }
    }
    cr_assert_eq(lm_phase_exits(w, kill, &err), LM_OK);
    const lm_investor *inv = &w->finance->inv[fund];
    cr_assert_gt(inv->realised_loss, 0.0);
    cr_assert_eq(inv->frozen_until, kill + 5);
    cr_assert_gt(lm__investor_available(w, inv, kill + 6), 0.0);
    for (int k = 1; k <= 5; ++k) {
        month(w, kill + k, h, n, true);
        cr_assert_eq(deals_by(w, fund, kill + k, NULL), 0, "a deal %d months into the freeze", k);
    }
    month(w, kill + 6, h, n, true);
    cr_assert_gt(deals_by(w, fund, kill + 6, NULL), 0, "still frozen after freeze_months");
    cr_assert_eq(w->finance->inv[fund].frozen_months, 5);
    lm_test_world_free(w);
    lm_test_scenario_free(sc);
}

/* A fund of region 0 with 返投 k; deals in region 1 only (and in region 0 when local). */
static void run_reinvest(bool local_deals, double *required, double *local, double *invested,
                         double *size, double *shortfall)
{
    lm_scenario *sc = quiet_scenario(2);
    lm_params *p = lm_test_params(sc);
    p->finance.invest_months = 12;
    p->finance.fund_life_months = 24;
    lm_policy *pol = add_fund(p, 0, 0.3, (1u << LM_STAGE_C) | (1u << LM_STAGE_GROWTH));
    pol->reinvest_ratio = 1.0;
    pol->end = M(2015, 12); /* one vintage */
    lm_world *w = funded_world(sc);
    held h[2 * 5 * 40];
    size_t n = add_firms(w, 1, 40, h);
    if (local_deals)
        n += add_firms(w, 0, 40, h + n);
    for (lm_month m = M(2015, 1); m <= M(2015, 12); ++m) {
        month(w, m, h, n, true);
        const lm_investor *inv = &w->finance->inv[the_fund(w)];
        /* never so much invested elsewhere that the requirement became unreachable */
        cr_assert_geq(inv->local_invested + inv->uncalled + 1e-3, inv->reinvest_required);
    }
    size_t count;
    const lm_fund_record *rec = lm__finance_funds(w, &count);
    const lm_fund_record *fr = &rec[the_fund(w)];
    *required = fr->reinvest_required_cny;
    *local = fr->local_invested_cny;
    *invested = fr->invested_cny;
    *size = fr->size_cny;
    *shortfall = fr->reinvest_shortfall_cny;
    lm_test_world_free(w);
    lm_test_scenario_free(sc);
}

Test(deals, reinvestment_is_met_or_the_shortfall_reported)
{
    double required, local, invested, size, shortfall;
    run_reinvest(true, &required, &local, &invested, &size, &shortfall);
    cr_assert_gt(required, 0.0);
    cr_assert_geq(local, required, "local %g of required %g with local deals at hand", local,
                  required);
    cr_assert_float_eq(shortfall, 0.0, 1e-9);

    run_reinvest(false, &required, &local, &invested, &size, &shortfall);
    cr_assert_float_eq(local, 0.0, 1e-9);
    cr_assert_float_eq(shortfall, required, 1e-6, "the shortfall is reported");
    cr_assert_gt(invested, 0.0, "non-local deals within what the requirement leaves");
    cr_assert_leq(invested, size - required + 1e-3);
}

/* A young fund is judged on the capital it is to invest, not on the cost of deals it has not
 * made yet: a 30%-tolerant seed fund backs seed deals riskier than 30% in its first month,
 * its open expected loss never exceeds L x (cost + money it may still invest), and with a
 * small fund the tolerance binds. */
Test(deals, a_thirty_percent_seed_fund_invests_from_its_first_month_within_its_loss_room)
{
    lm_scenario *sc = quiet_scenario(1);
    lm_params *p = lm_test_params(sc);
    p->finance.subfund_gov_cny = 2.0e7;
    lm_policy *pol = add_fund(p, 0, 0.3, 1u << LM_STAGE_SEED);
    pol->budget_cny_year = 2.0e7; /* one small sub-fund: its loss room runs out */
    lm_world *w = funded_world(sc);
    held h[5 * 60];
    const size_t n = add_firms(w, 0, 60, h);
    month(w, M(2015, 1), h, n, false);
    const uint32_t fund = the_fund(w);
    int risky = 0;
    for (size_t k = 0; k < w->finance->n_deals; ++k) {
        const lm_deal_record *d = &w->finance->deals[k];
        cr_assert_eq(d->stage, LM_STAGE_SEED);
        risky += d->investor_id == fund && d->expected_loss > 0.3;
    }
    cr_assert_gt(risky, 0, "no seed deal riskier than L in the first month");
    for (lm_month m = M(2015, 2); m <= M(2016, 12); ++m) {
        month(w, m, h, n, false);
        const lm_investor *inv = &w->finance->inv[fund];
        const double capital = inv->cost_open + lm__investor_available_follow(w, inv, m + 1);
        cr_assert_leq(inv->el_open, 0.3 * capital * (1.0 + 1e-9) + 1e-6);
    }
    const lm_finance_year *y = lm__finance_year(w, 0, M(2016, 1));
    cr_assert_gt(y->guidance_loss_bound, 0, "the loss tolerance never bound");
    cr_assert_gt(w->finance->totals.loss_bound, 0);
    lm_test_world_free(w);
    lm_test_scenario_free(sc);
}

/* Follow-on reserve: new firms see the fund's money less the reserve and only in the
 * investment period; firms it holds see the reserve too, until the fund's life ends. */
Test(deals, the_follow_on_reserve_is_kept_from_new_firms_and_outlives_the_investment_period)
{
    lm_scenario *sc = quiet_scenario(1);
    lm_params *p = lm_test_params(sc);
    p->finance.follow_on_reserve = 0.35;
    add_fund(p, 0, 0.3, 1u << LM_STAGE_GROWTH);
    lm_world *w = funded_world(sc);
    month(w, M(2015, 1), NULL, 0, false);
    const lm_investor *inv = &w->finance->inv[the_fund(w)];
    const double gap = lm__investor_available_follow(w, inv, M(2015, 2)) -
                       lm__investor_available(w, inv, M(2015, 2));
    cr_assert_float_eq(gap, 0.35 * inv->size, 1e-6 * inv->size);
    const lm_month after = inv->invest_end + 1;
    cr_assert_eq(lm__investor_available(w, inv, after), 0.0);
    cr_assert_gt(lm__investor_available_follow(w, inv, after), 0.3 * inv->size);
    cr_assert_eq(lm__investor_available_follow(w, inv, inv->life_end + 1), 0.0);
    lm_test_world_free(w);
    lm_test_scenario_free(sc);
}

/* Founders see a fund only through the first rounds it closes (docs/model.md 7.2): a seed
 * fund at L = 0.04, under zero_loss_floor (its deals must be safer than the floor, and seed
 * deals are not), closes no first round and moves no founder although its L is not 0; one at
 * L = 0.3 does; and either moves nothing before it has dealt. */
Test(deals, founders_see_a_fund_only_through_the_first_rounds_it_closes)
{
    double prospect[2], before[2];
    const double L[2] = {0.04, 0.3};
    for (int k = 0; k < 2; ++k) {
        lm_scenario *sc = quiet_scenario(1);
        add_fund(lm_test_params(sc), 0, L[k], (1u << LM_STAGE_SEED) | (1u << LM_STAGE_A));
        lm_world *w = funded_world(sc);
        month(w, M(2015, 1), NULL, 0, false); /* raised, no firm: no deal */
        before[k] = lm_entry_prospect(w, 0, 0) + lm_entry_prospect(w, 0, 1);
        held h[5 * LM_STAGE_COUNT * 40];
        const size_t n = add_firms(w, 0, 40, h);
        for (lm_month m = M(2015, 2); m <= M(2015, 4); ++m)
            month(w, m, h, n, false);
        prospect[k] = lm_entry_prospect(w, 0, 0) + lm_entry_prospect(w, 0, 1);
        /* the record is the seed rounds' alone */
        cr_assert_gt(w->first_sought[0], 0.0);
        lm_test_world_free(w);
        lm_test_scenario_free(sc);
    }
    cr_assert_eq(before[0], 0.0);
    cr_assert_eq(before[1], 0.0, "a fund that has not dealt moves no founder");
    cr_assert_eq(prospect[0], 0.0);
    cr_assert_gt(prospect[1], 1.0e5);
}

/* Matchmaking and corridors reach founders through the deal flow only: the same fund (in
 * the other region), the same firms in both regions, and with region 0's deals seen more
 * and judged with less noise more of its first rounds close, so its founders' prospect
 * rises. With the record held (test_channels.c), nothing. */
Test(deals, matchmaking_reaches_founders_through_the_first_rounds_that_close)
{
    double closed[2], prospect[2];
    for (int k = 0; k < 2; ++k) {
        lm_scenario *sc = quiet_scenario(2);
        lm_params *p = lm_test_params(sc);
        add_fund(p, 1, 0.3, (1u << LM_STAGE_SEED) | (1u << LM_STAGE_A));
        if (k == 1) {
            lm_region_params *rp = &p->regions[0];
            lm_policy *mm = &rp->policies[rp->n_policies++];
            lm__policy_defaults(mm, LM_POLICY_MATCHMAKING);
            mm->start = M(2015, 1);
        }
        lm_world *w = funded_world(sc);
        month(w, M(2015, 1), NULL, 0, false);
        held h[2 * LM_STAGE_COUNT * 60];
        size_t n = add_firms(w, 0, 60, h);
        n += add_firms(w, 1, 60, h + n);
        for (lm_month m = M(2015, 2); m <= M(2015, 7); ++m)
            month(w, m, h, n, false);
        closed[k] = w->first_closed[0] + w->first_closed[1];
        prospect[k] = lm_entry_prospect(w, 0, 0);
        lm_test_world_free(w);
        lm_test_scenario_free(sc);
    }
    cr_assert_gt(closed[1], closed[0], "first rounds closed %.3f with, %.3f without", closed[1],
                 closed[0]);
    cr_assert_gt(prospect[1], prospect[0]);
}

/* Government commitment of the sub-funds a seed fund (budget 2e9 a year, g = 0.5) raised
 * in 2015 and in 2016, with history_per_month closed at `stage` in every sector before
 * 2015 and no firm in the world (no deal of its own). */
typedef struct sized {
    double committed[2], uncommitted[2], flow;
    int funds[2];
} sized;

static sized size_from_history(int stage, double history_per_month)
{
    lm_scenario *sc = quiet_scenario(1);
    add_fund(lm_test_params(sc), 0, 0.3, 1u << LM_STAGE_SEED);
    lm_world *w = lm_test_world(sc);
    lm_error err;
    cr_assert_eq(lm_finance_start(w, &err), LM_OK);
    for (lm_month m = w->p->start - 24; m < w->p->start; ++m)
        for (int q = 0; q < w->S; ++q)
            lm__finance_note_round(w, 0, stage, q, m, history_per_month);
    sized out = {0};
    out.flow = lm__guidance_visible_flow(w, 0, 1u << LM_STAGE_SEED, UINT32_MAX, M(2015, 1));
    for (lm_month m = M(2015, 1); m <= M(2016, 12); ++m)
        month(w, m, NULL, 0, false);
    for (int y = 0; y < 2; ++y) {
        const lm_finance_year *fy = &w->finance->years[(size_t)(2015 + y - w->first_year)];
        out.committed[y] = fy->gov_committed_cny;
        out.uncommitted[y] = fy->gov_uncommitted_cny;
        out.funds[y] = (int)fy->funds_raised;
    }
    lm_test_world_free(w);
    lm_test_scenario_free(sc);
    return out;
}

/* Rounds a seed fund may not back (growth) are no deal flow for it: it commits nothing and
 * its budget stays uncommitted, reported, not spent. */
Test(deals, a_region_with_no_eligible_deal_flow_commits_nothing)
{
    const sized s = size_from_history(LM_STAGE_GROWTH, 1.0e9);
    cr_assert_eq(s.flow, 0.0);
    for (int y = 0; y < 2; ++y) {
        cr_assert_eq(s.funds[y], 0);
        cr_assert_eq(s.committed[y], 0.0);
        /* a separate budget line keeps what was not needed: 2e9 a year accumulates */
        cr_assert_float_eq(s.uncommitted[y], 2.0e9 * (y + 1), 1.0);
    }
}

/* The commitment is the government's share of what the visible flow can absorb over an
 * investment period: g x ticket_share x flow a year x invest_months / 12, so doubling the
 * flow doubles it; the next January the first vintage's dry powder covers the (halved:
 * the window holds one year of history) flow, and nothing new is committed. */
Test(deals, doubling_visible_deal_flow_doubles_the_commitment)
{
    const sized one = size_from_history(LM_STAGE_SEED, 1.0e6);
    const sized two = size_from_history(LM_STAGE_SEED, 2.0e6);
    lm_scenario *sc = quiet_scenario(1);
    const lm_finance_params *f = &lm_test_params(sc)->finance;
    const double S = (double)lm_test_params(sc)->n_sectors;
    cr_assert_float_eq(one.flow, 12.0 * 1.0e6 * S, 1e-6 * one.flow);
    const double want = 0.5 * f->ticket_share[LM_INVESTOR_GOV_ST] * one.flow *
                        f->invest_months / 12.0;
    cr_assert_gt(want, 1.0e6);
    cr_assert_lt(2.0 * want, 2.0e9, "the budget must not bind here");
    cr_assert_float_eq(one.committed[0], want, 1e-9 * want);
    cr_assert_float_eq(two.committed[0], 2.0 * want, 1e-9 * want);
    cr_assert_float_eq(one.uncommitted[0], 2.0e9 - want, 1e-6 * want);
    cr_assert_eq(one.committed[1], 0.0);
    cr_assert_eq(two.committed[1], 0.0);
    lm_test_scenario_free(sc);
}

/* A fund's team looks at more deals when its own record says a standard month of looks
 * cannot put its money to work before its investment period ends. */
Test(deals, a_fund_behind_its_pace_looks_at_more_deals_up_to_the_cap)
{
    lm_finance_params f;
    memset(&f, 0, sizeof f);
    f.deals_seen_month[LM_INVESTOR_GOV_ST] = 10.0;
    f.max_team_scale = 10.0;
    lm_investor inv;
    memset(&inv, 0, sizeof inv);
    inv.kind = LM_INVESTOR_GOV_ST;
    inv.fund = 1;
    inv.invest_end = 100 + 9; /* ten months left at month 100 */
    /* no month of record yet: the standard team */
    inv.looks = 5.0;
    inv.new_invested = 1.0e6;
    cr_assert_eq(lm__team_pace(&f, &inv, 1.0e9, 100), 1.0);
    /* 100 looks yielded 1e7 (1e5 a look): 2e6 a month is needed, a standard month yields 1e6 */
    inv.looks = 100.0;
    inv.new_invested = 1.0e7;
    cr_assert_float_eq(lm__team_pace(&f, &inv, 2.0e7, 100), 2.0, 1e-12);
    cr_assert_eq(lm__team_pace(&f, &inv, 1.0e10, 100), 10.0, "capped at max_team_scale");
    cr_assert_eq(lm__team_pace(&f, &inv, 5.0e6, 100), 1.0, "ahead of pace: standard");
    inv.new_invested = 0.0; /* looked and found nothing: searches as hard as it may */
    cr_assert_eq(lm__team_pace(&f, &inv, 2.0e8, 100), 10.0);
    cr_assert_eq(lm__team_pace(&f, &inv, 2.0e8, 110), 1.0, "after its investment period");
    inv.fund = 0; /* an angel or strategic arm: no deadline */
    cr_assert_eq(lm__team_pace(&f, &inv, 2.0e8, 100), 1.0);
}

static double seed_fund_invested(double max_team_scale)
{
    lm_scenario *sc = quiet_scenario(1);
    lm_params *p = lm_test_params(sc);
    p->finance.pool_share = 1.0;
    p->finance.max_team_scale = max_team_scale;
    lm_policy *pol = add_fund(p, 0, 0.5, 1u << LM_STAGE_SEED);
    pol->budget_cny_year = 2.0e10; /* far more than a standard team can place */
    lm_world *w = funded_world(sc);
    static held h[5 * 400];
    const size_t n = add_firms(w, 0, 400, h);
    for (lm_month m = M(2015, 1); m <= M(2015, 6); ++m)
        month(w, m, h, n, false);
    const lm_investor *inv = &w->finance->inv[the_fund(w)];
    const double invested = inv->new_invested;
    cr_assert_gt(inv->looks, 0.0);
    lm_test_world_free(w);
    lm_test_scenario_free(sc);
    return invested;
}

/* Removing the pacing (a standard team whatever the money) leaves a big seed fund's money
 * idle: the mechanism is what lets guidance money reach firms. */
Test(deals, pacing_puts_more_of_a_big_seed_funds_money_to_work)
{
    const double standard = seed_fund_invested(1.0), paced = seed_fund_invested(10.0);
    cr_assert_gt(paced, 1.5 * standard, "paced %.3g, standard team %.3g", paced, standard);
}
