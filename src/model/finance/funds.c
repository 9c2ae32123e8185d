/* src/model/finance/funds.c -- the investors' money (MODEL.md 5.5): raising guidance
 * sub-funds and market VC funds each year, angels and strategic arms drawing their money,
 * management fees, capital calls, distributions with carry, the end of a fund's life, and
 * the early capital founders see (MODEL.md 5.1). Deals: deals.c; exits: src/model/exits/.
 *
 * Fund of funds (docs/model.md 7.9). Each January (and in a guidance policy's first month) a
 * guidance policy commits to new sub-funds of subfund_gov_cny each what the rounds it saw
 * close over the last deal_flow_months can absorb, less what its investing sub-funds still
 * hold, within its budget (lm__guidance_commitment); the rest stays uncommitted. A sub-fund
 * targets gov / g; the rest is social capital, raised, only where it exists, from three
 * sources in turn, each rationed pro rata over the month's demands so that no fund is served
 * first: the region's private capital (lp_private_share of it a year, shared with the market
 * VC funds raised the same month), the region's strategic arm (strategic_lp_share of its
 * money, for sub-funds of its sectors), and national LPs (national_lp_cny_year a year over
 * all regions, at most national_lp_max_share of a fund). A sub-fund short of social capital
 * closes smaller, with the government share rising to at most gov_share_cap; unspent
 * government money stays in the budget (a separate line keeps it, others lose it in
 * December). Leverage (social / government) is thus an outcome. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model/finance/finance_int.h"
#include "core/detmath.h"

static bool is_fund_policy(lm_policy_kind k)
{
    return k == LM_POLICY_ST_FUND || k == LM_POLICY_INNOVATION_FUND ||
           k == LM_POLICY_PROVINCIAL_FOF;
}

/* ---- region effects of matchmaking and corridors (MODEL.md 5.4) ---- */

void lm__finance_region_effects(lm_world *w, lm_month m)
{
    (void)m;
    struct lm_finance *fin = w->finance;
    for (int r = 0; r < w->R; ++r) {
        const lm_region_params *rp = &w->p->regions[r];
        double mult = 1.0, keep = 1.0;
        for (int k = 0; k < rp->n_policies; ++k) {
            const lm_policy *pol = &rp->policies[k];
            if (!w->policy_active[r * LM_MAX_POLICIES + k])
                continue;
            if (pol->kind == LM_POLICY_MATCHMAKING || pol->kind == LM_POLICY_CORRIDOR) {
                mult *= pol->deals_seen_multiplier;
                keep *= 1.0 - pol->noise_reduction;
            }
        }
        fin->deal_mult[r] = mult;
        fin->noise_factor[r] = keep;
    }
}

/* ---- investors' money ---- */

bool lm__investor_is_local(const lm_world *w, const lm_investor *inv, int r)
{
    if (r == inv->region)
        return true;
    if (inv->policy < 0)
        return false;
    const lm_policy *pol = &w->p->regions[inv->region].policies[inv->policy];
    const int32_t *canon = w->finance->provincial;
    return pol->kind == LM_POLICY_PROVINCIAL_FOF && canon[inv->region] >= 0 &&
           canon[r] == canon[inv->region];
}

/* Commitments kept back in the investment period for the fees still to come: on the
 * commitments until the period ends, then on about half of them (the open cost of a fund
 * past its investment period). */
static double fee_reserve(const lm_finance_params *f, const lm_investor *inv, lm_month m)
{
    if (m > inv->invest_end)
        return 0.0;
    const double left = (double)(inv->invest_end - m + 1);
    return f->fee_rate / 12.0 * inv->size *
           (left + 0.5 * (f->fund_life_months - f->invest_months));
}

/* The part of the follow-on reserve not yet spent on follow-ons. */
static double reserve_left(const lm_finance_params *f, const lm_investor *inv)
{
    return fmax(0.0, f->follow_on_reserve * inv->size - inv->follow_on);
}

double lm__investor_available(const lm_world *w, const lm_investor *inv, lm_month m)
{
    if (m > inv->invest_end || m <= inv->frozen_until)
        return 0.0;
    if (inv->direct) {
        const int k = inv->region * LM_MAX_POLICIES + inv->policy;
        return w->policy_active[k] ? fmax(0.0, w->policy_budget[k]) : 0.0;
    }
    if (inv->fund) {
        const lm_finance_params *f = &w->p->finance;
        return fmax(0.0, inv->uncalled - fee_reserve(f, inv, m) - reserve_left(f, inv));
    }
    return fmax(0.0, inv->cash);
}

double lm__investor_available_follow(const lm_world *w, const lm_investor *inv, lm_month m)
{
    if (!inv->fund)
        return lm__investor_available(w, inv, m);
    if (m > inv->life_end || m < inv->vintage || m <= inv->frozen_until)
        return 0.0;
    return fmax(0.0, inv->uncalled - fee_reserve(&w->p->finance, inv, m));
}

double lm__guidance_loss_room(const lm_world *w, const lm_investor *inv, lm_month m)
{
    const double L = fmax(inv->loss_tolerance, w->p->finance.zero_loss_floor);
    return L * (inv->cost_open + lm__investor_available_follow(w, inv, m)) - inv->el_open;
}

/* Government LPs' share of a fund's money (0 for a fund without government money). */
static double gov_share_of(const lm_investor *inv)
{
    return inv->fund && inv->size > 0.0 ? inv->commit[LM_LP_GOV] / inv->size : 0.0;
}

lm_status lm__investor_pay(lm_world *w, lm_investor *inv, lm_month m, double amount,
                           lm_error *err)
{
    struct lm_finance *fin = w->finance;
    lm_money *purse = &w->money[inv->region];
    if (inv->direct) {
        double *budget = &w->policy_budget[inv->region * LM_MAX_POLICIES + inv->policy];
        *budget = fmax(0.0, *budget - amount);
        fin->totals.direct_paid += amount;
        purse->state_paid_direct += amount;
    } else {
        if (inv->fund)
            inv->uncalled -= amount;
        else
            inv->cash -= amount;
        fin->totals.invested += amount;
        /* public money is the government LP's share of what is called, not what it promised */
        const double g = gov_share_of(inv) * amount;
        purse->gov_called += g;
        purse->gov_invested += g;
    }
    inv->called += amount;
    inv->invested += amount;
    return lm__finance_flow(inv, m, -amount, err);
}

/* Splits money to the LPs of a fund by their commitments; the private part becomes the
 * home region's private capital, the rest leaves the region's books (treasury, platforms,
 * national LPs). Returns what went to private capital. */
static double to_lps(lm_world *w, const lm_investor *inv, double amount)
{
    if (!(inv->size > 0.0))
        return 0.0;
    const double priv = amount * inv->commit[LM_LP_PRIVATE] / inv->size;
    w->private_capital[inv->region] += priv;
    w->finance->totals.to_private += priv;
    return priv;
}

lm_status lm__investor_receive(lm_world *w, lm_investor *inv, lm_month m, double amount,
                               lm_error *err)
{
    const lm_finance_params *f = &w->p->finance;
    struct lm_finance *fin = w->finance;
    inv->proceeds += amount;
    double to_lp = amount;
    if (inv->fund) {
        /* European waterfall without a hurdle: LPs first get their paid-in back, then
           profits are split carry : 1 - carry. */
        const double room = fmax(0.0, inv->called - inv->distributed);
        to_lp = fmin(amount, room) + (1.0 - f->carry) * fmax(0.0, amount - room);
        const double carry = amount - to_lp;
        inv->carry_paid += carry;
        fin->totals.carry += carry;
        const double priv = to_lps(w, inv, to_lp);
        lm_finance_year *y = lm__finance_year(w, inv->region, m);
        y->exit_wealth_cny += priv;
        w->money[inv->region].gov_returned += gov_share_of(inv) * to_lp;
    } else if (inv->kind == LM_INVESTOR_ANGEL) {
        w->private_capital[inv->region] += amount; /* angels' wealth, recycled */
        fin->totals.to_private += amount;
        lm__finance_year(w, inv->region, m)->exit_wealth_cny += amount;
    }
    /* strategic arms: back to the platform; direct vehicles: back to the treasury */
    if (inv->direct)
        w->money[inv->region].gov_returned += to_lp;
    inv->distributed += to_lp;
    return lm__finance_flow(inv, m, to_lp, err);
}

/* ---- creation ---- */

static void manager(lm_world *w, lm_investor *inv, lm_investor_kind kind)
{
    const lm_finance_params *f = &w->p->finance;
    lm_rng g;
    lm_rng_init(&g, w->key, inv->stream, LM_PURPOSE_FUND, inv->vintage);
    inv->sigma = f->signal_noise[kind] * lm_exp(f->noise_dispersion * lm_rng_gaussian(&g));
    inv->hurdle = f->hurdle[kind];
    inv->max_loss = f->max_deal_loss[kind];
    inv->ticket_share = f->ticket_share[kind];
    if (kind == LM_INVESTOR_VC) {
        const uint32_t early = (1u << LM_STAGE_SEED) | (1u << LM_STAGE_A) | (1u << LM_STAGE_B);
        const uint32_t late = (1u << LM_STAGE_B) | (1u << LM_STAGE_C) | (1u << LM_STAGE_GROWTH);
        inv->stages = lm_rng_u01(&g) < f->vc_early_share ? early : late;
    }
}

static double strategic_budget(const lm_world *w, int r)
{
    const double given = w->p->regions[r].strategic_capital_cny_year;
    return given >= 0.0 ? given : w->p->finance.strategic_cny_per_alumnus * w->platform_alumni[r];
}

/* Angel groups draw a share of the region's private capital each year; what they did not
 * invest goes back first. */
static lm_status angels_year(lm_world *w, int r, lm_month m, lm_error *err)
{
    struct lm_finance *fin = w->finance;
    const int groups = (int)w->p->finance.angel_groups;
    int seen = 0;
    for (size_t i = 0; i < fin->n_inv; ++i) {
        lm_investor *inv = &fin->inv[i];
        if (inv->kind != LM_INVESTOR_ANGEL || inv->region != r)
            continue;
        w->private_capital[r] += inv->cash; /* within X: no total moves */
        inv->cash = 0.0;
        ++seen;
    }
    for (; seen < groups; ++seen) {
        lm_investor *inv;
        lm_status st = lm__finance_add_investor(w, LM_INVESTOR_ANGEL, r, -1, m, &inv, err);
        if (st != LM_OK)
            return st;
        manager(w, inv, LM_INVESTOR_ANGEL);
        inv->stages = (1u << LM_STAGE_SEED) | (1u << LM_STAGE_A);
        inv->max_ticket = w->p->finance.angel_ticket_cny;
    }
    if (groups <= 0)
        return LM_OK;
    const double each = w->p->entry.angel_share * w->private_capital[r] / groups;
    for (size_t i = 0; i < fin->n_inv; ++i) {
        lm_investor *inv = &fin->inv[i];
        if (inv->kind != LM_INVESTOR_ANGEL || inv->region != r)
            continue;
        inv->cash = each;
        w->private_capital[r] -= each;
    }
    return LM_OK;
}

/* A platform region hosts a strategic investor (its platforms' investment arm); its money
 * comes from outside the scenario's books each year, what it holds beyond two years' worth
 * goes back. */
static lm_status strategic_year(lm_world *w, int r, lm_month m, lm_error *err)
{
    struct lm_finance *fin = w->finance;
    const lm_finance_params *f = &w->p->finance;
    const double budget = strategic_budget(w, r);
    if (!(budget > 0.0))
        return LM_OK;
    lm_investor *inv;
    if (fin->strategic[r] < 0) {
        lm_status st = lm__finance_add_investor(w, LM_INVESTOR_STRATEGIC, r, -1, m, &inv, err);
        if (st != LM_OK)
            return st;
        manager(w, inv, LM_INVESTOR_STRATEGIC);
        inv->stages = (1u << LM_STAGE_A) | (1u << LM_STAGE_B) | (1u << LM_STAGE_C) |
                      (1u << LM_STAGE_GROWTH);
        fin->strategic[r] = (int32_t)inv->id;
    }
    inv = &fin->inv[fin->strategic[r]];
    inv->sectors = w->platform_sectors[r] ? w->platform_sectors[r] : UINT32_MAX;
    inv->annual_budget = budget;
    inv->max_ticket = 0.5 * budget;
    const double in = (1.0 - f->strategic_lp_share) * budget;
    inv->cash += in;
    fin->totals.outside_in += in;
    if (inv->cash > 2.0 * budget) {
        fin->totals.outside_out += inv->cash - 2.0 * budget;
        inv->cash = 2.0 * budget;
    }
    return LM_OK;
}

lm_status lm__funds_market_year(lm_world *w, lm_month m, lm_error *err)
{
    struct lm_finance *fin = w->finance;
    const int year = lm_month_year(m);
    if (fin->market_year == year)
        return LM_OK;
    fin->market_year = year;
    for (int r = 0; r < w->R; ++r) {
        lm_status st = angels_year(w, r, m, err);
        if (st == LM_OK)
            st = strategic_year(w, r, m, err);
        if (st != LM_OK)
            return st;
    }
    return LM_OK;
}

/* ---- the deal flow guidance policies size their sub-funds from ---- */

/* January, a policy's first month, the run's first month; and every month until the
 * policy's first sub-fund closes: a new fund of funds launches sub-funds as soon as there is
 * a pipeline to show, not at the next January. */
static bool raises_now(const lm_world *w, int r, int k, lm_month m)
{
    const lm_policy *pol = &w->p->regions[r].policies[k];
    return lm_month_moy(m) == 1 || m == pol->start || m == w->p->start ||
           !w->finance->policy_raised[r * LM_MAX_POLICIES + k];
}


/* The sectors a policy's sub-funds back: an innovation fund's strategic sectors among its
 * own ("invest in industry"), if it has any; otherwise the policy's. */
static uint32_t subfund_sectors(const lm_world *w, const lm_policy *pol)
{
    if (pol->kind != LM_POLICY_INNOVATION_FUND)
        return pol->sectors;
    uint32_t strategic = 0;
    for (int s = 0; s < w->S; ++s)
        if (w->p->sectors[s].strategic)
            strategic |= 1u << s;
    return (pol->sectors & strategic) ? pol->sectors & strategic : pol->sectors;
}

void lm__finance_note_round(lm_world *w, int r, int stage, int sector, lm_month m,
                            double amount)
{
    struct lm_finance *fin = w->finance;
    const int W = fin->n_flow_months;
    const size_t block = (size_t)w->R * LM_STAGE_COUNT * (size_t)w->S;
    const int slot = (int)(((m % W) + W) % W);
    double *flow = fin->round_flow + (size_t)slot * block;
    if (fin->round_flow_month[slot] != m) {
        memset(flow, 0, block * sizeof *flow);
        fin->round_flow_month[slot] = m;
    }
    flow[((size_t)r * LM_STAGE_COUNT + (size_t)stage) * (size_t)w->S + (size_t)sector] += amount;
    if (m < fin->flow_first)
        fin->flow_first = m;
}

double lm__guidance_visible_flow(const lm_world *w, int h, uint32_t stages, uint32_t sectors,
                                 lm_month m)
{
    const struct lm_finance *fin = w->finance;
    const int W = fin->n_flow_months, R = w->R, S = w->S;
    const size_t block = (size_t)R * LM_STAGE_COUNT * (size_t)S;
    const double far = w->p->finance.nonlocal_visibility;
    const double *I = w->p->integration;
    /* months observed: the window, or the months since the run began (or since the first
       round booked, if earlier) when that is shorter */
    const lm_month since = fin->flow_first < w->p->start ? fin->flow_first : w->p->start;
    const lm_month from = m - W > since ? m - W : since;
    if (from >= m)
        return 0.0;
    double sum = 0.0;
    for (int slot = 0; slot < W; ++slot) {
        const int32_t mo = fin->round_flow_month[slot];
        if (mo == INT32_MIN || mo < from || mo >= m)
            continue;
        const double *flow = fin->round_flow + (size_t)slot * block;
        for (int r = 0; r < R; ++r) {
            const double reach = r == h ? 1.0 : far * I[h * R + r];
            if (!(reach > 0.0))
                continue;
            double seen = 0.0;
            for (int s = 0; s < LM_STAGE_COUNT; ++s)
                if (stages & (1u << s))
                    for (int q = 0; q < S; ++q)
                        if (sectors & (1u << q))
                            seen += flow[((size_t)r * LM_STAGE_COUNT + (size_t)s) * (size_t)S +
                                         (size_t)q];
            sum += reach * seen;
        }
    }
    return sum * 12.0 / (double)(m - from);
}

/* A guidance policy commits only what its sub-funds can deploy. Over an investment period
 * the visible deal flow can absorb at most ticket_share of every eligible round (the largest
 * part of a round one investor takes); the sub-funds it already has in their investment
 * period hold dry powder for part of that; the government's share of the rest is asked for,
 * within the budget. The budget it does not need is not committed. */
double lm__guidance_commitment(const lm_world *w, int r, int k, lm_month m)
{
    const lm_finance_params *f = &w->p->finance;
    const struct lm_finance *fin = w->finance;
    const lm_policy *pol = &w->p->regions[r].policies[k];
    const double budget = w->policy_budget[r * LM_MAX_POLICIES + k];
    if (!(budget > 0.0))
        return 0.0;
    const lm_investor_kind kind = pol->kind == LM_POLICY_INNOVATION_FUND
                                      ? LM_INVESTOR_GOV_INNOVATION
                                      : LM_INVESTOR_GOV_ST;
    const double flow = lm__guidance_visible_flow(w, r, pol->stages, subfund_sectors(w, pol), m);
    const double absorb = f->ticket_share[kind] * flow * f->invest_months / 12.0;
    double dry = 0.0;
    for (size_t i = 0; i < fin->n_inv; ++i) {
        const lm_investor *inv = &fin->inv[i];
        if (inv->guidance && inv->region == r && inv->policy == k && m <= inv->invest_end)
            dry += fmax(0.0, inv->uncalled - fee_reserve(f, inv, m));
    }
    const double g = pol->gov_share > 0.0 ? pol->gov_share : 1.0;
    return fmin(budget, g * fmax(0.0, absorb - dry));
}

/* What the region's fund policies that raised this month saw and left uncommitted. */
static void report_raising(lm_world *w, lm_month m)
{
    for (int r = 0; r < w->R; ++r) {
        const lm_region_params *rp = &w->p->regions[r];
        double seen = 0.0, left = 0.0;
        bool any = false;
        for (int q = 0; q < rp->n_policies; ++q) {
            const lm_policy *pol = &rp->policies[q];
            const int k = r * LM_MAX_POLICIES + q;
            if (!is_fund_policy(pol->kind) || !w->policy_active[k] || !raises_now(w, r, q, m))
                continue;
            any = true;
            seen += lm__guidance_visible_flow(w, r, pol->stages, subfund_sectors(w, pol), m);
            left += fmax(0.0, w->policy_budget[k]);
        }
        if (any) {
            lm_finance_year *y = lm__finance_year(w, r, m);
            y->guidance_deal_flow_cny = seen;
            y->gov_uncommitted_cny = left;
        }
    }
}

/* ---- raising funds ---- */

typedef struct plan {
    int region, policy;          /* policy -1: a market VC fund */
    lm_investor_kind kind;
    double gov, target, need;    /* government commitment asked, target size, social need */
    double take[LM_LP_COUNT];    /* social capital raised by source */
} plan;

static double social(const plan *p)
{
    return p->take[LM_LP_PRIVATE] + p->take[LM_LP_STRATEGIC] + p->take[LM_LP_NATIONAL];
}

static double remaining(const plan *p) { return fmax(0.0, p->need - social(p)); }

/* The month's plans: guidance sub-funds of every fund policy due to commit, then market VC
 * funds in January. Returns the count; *out is malloc'ed (NULL when none). */
static lm_status make_plans(lm_world *w, lm_month m, plan **out, size_t *n, lm_error *err)
{
    const lm_finance_params *f = &w->p->finance;
    const bool january = lm_month_moy(m) == 1 || m == w->p->start;
    size_t cap = 0, k = 0;
    plan *pl = NULL;
    for (int r = 0; r < w->R; ++r) {
        const lm_region_params *rp = &w->p->regions[r];
        for (int q = 0; q <= rp->n_policies; ++q) {
            size_t count;
            double gov = 0.0, target, size_each = 0.0;
            lm_investor_kind kind = LM_INVESTOR_VC;
            if (q < rp->n_policies) {
                const lm_policy *pol = &rp->policies[q];
                if (!is_fund_policy(pol->kind) || !w->policy_active[r * LM_MAX_POLICIES + q] ||
                    !raises_now(w, r, q, m))
                    continue;
                const double ask = lm__guidance_commitment(w, r, q, m);
                if (!(ask >= 1.0e6))
                    continue;
                count = (size_t)fmin(1000.0, fmax(1.0, floor(ask / f->subfund_gov_cny + 0.5)));
                gov = ask / (double)count;
                const double g = pol->gov_share > 0.0 ? pol->gov_share : 1.0;
                target = gov / g;
                kind = pol->kind == LM_POLICY_INNOVATION_FUND ? LM_INVESTOR_GOV_INNOVATION
                                                              : LM_INVESTOR_GOV_ST;
            } else {
                if (!january)
                    continue;
                const double given = rp->vc_capital_cny_year;
                const double demand =
                    given >= 0.0 ? given : f->vc_capital_share * w->private_capital[r];
                if (!(demand >= 1.0e6))
                    continue;
                count = (size_t)fmin(1000.0, fmax(1.0, floor(demand / f->vc_fund_cny + 0.5)));
                size_each = demand / (double)count;
                target = size_each;
            }
            if (k + count > cap) {
                cap = (k + count) * 2;
                plan *a = realloc(pl, cap * sizeof *a);
                if (!a) {
                    free(pl);
                    LM_FAIL(err, LM_ENOMEM, "fund raising plans");
                }
                pl = a;
            }
            for (size_t j = 0; j < count; ++j) {
                plan *p = &pl[k++];
                memset(p, 0, sizeof *p);
                p->region = r;
                p->policy = q < rp->n_policies ? q : -1;
                p->kind = kind;
                p->gov = gov;
                p->target = target;
                p->need = target - gov;
            }
        }
    }
    *out = pl;
    *n = k;
    return LM_OK;
}

/* Social capital, source by source, each rationed pro rata over what is still needed. */
static void ration(lm_world *w, lm_month m, plan *pl, size_t n)
{
    const lm_finance_params *f = &w->p->finance;
    struct lm_finance *fin = w->finance;
    const bool january = lm_month_moy(m) == 1 || m == w->p->start;
    for (int r = 0; r < w->R; ++r) {
        double demand = 0.0;
        for (size_t j = 0; j < n; ++j)
            if (pl[j].region == r)
                demand += remaining(&pl[j]);
        const double pool = f->lp_private_share * w->private_capital[r];
        if (!(demand > 0.0) || !(pool > 0.0))
            continue;
        const double share = fmin(1.0, pool / demand);
        for (size_t j = 0; j < n; ++j)
            if (pl[j].region == r) {
                const double t = remaining(&pl[j]) * share;
                pl[j].take[LM_LP_PRIVATE] += t;
                w->private_capital[r] -= t; /* into the fund's commitments: within X */
            }
    }
    for (int r = 0; january && r < w->R; ++r) {
        if (fin->strategic[r] < 0)
            continue;
        const lm_investor *arm = &fin->inv[fin->strategic[r]];
        const double pool = f->strategic_lp_share * arm->annual_budget;
        double demand = 0.0;
        for (size_t j = 0; j < n; ++j) {
            const plan *p = &pl[j];
            if (p->region == r && p->policy >= 0 &&
                (w->p->regions[r].policies[p->policy].sectors & arm->sectors))
                demand += remaining(p);
        }
        if (!(demand > 0.0) || !(pool > 0.0))
            continue;
        const double share = fmin(1.0, pool / demand);
        for (size_t j = 0; j < n; ++j) {
            plan *p = &pl[j];
            if (p->region == r && p->policy >= 0 &&
                (w->p->regions[r].policies[p->policy].sectors & arm->sectors)) {
                const double t = remaining(p) * share;
                p->take[LM_LP_STRATEGIC] += t;
                fin->totals.outside_in += t;
            }
        }
    }
    const int year = lm_month_year(m);
    if (fin->national_year != year) {
        fin->national_year = year;
        fin->national_left = f->national_lp_cny_year;
    }
    double demand = 0.0;
    for (size_t j = 0; j < n; ++j)
        demand += fmin(remaining(&pl[j]), f->national_lp_max_share * pl[j].target);
    if (demand > 0.0 && fin->national_left > 0.0) {
        const double share = fmin(1.0, fin->national_left / demand);
        for (size_t j = 0; j < n; ++j) {
            const double t =
                fmin(remaining(&pl[j]), f->national_lp_max_share * pl[j].target) * share;
            pl[j].take[LM_LP_NATIONAL] += t;
            fin->national_left -= t;
            fin->totals.outside_in += t;
        }
    }
}

/* Gives back what a plan raised when no fund comes of it. */
static void undo(lm_world *w, const plan *p)
{
    struct lm_finance *fin = w->finance;
    w->private_capital[p->region] += p->take[LM_LP_PRIVATE];
    fin->totals.outside_out += p->take[LM_LP_STRATEGIC] + p->take[LM_LP_NATIONAL];
}

static lm_status close_fund(lm_world *w, lm_month m, const plan *p, lm_error *err)
{
    const lm_finance_params *f = &w->p->finance;
    struct lm_finance *fin = w->finance;
    const double soc = social(p);
    double gov = p->gov;
    const lm_policy *pol = p->policy >= 0 ? &w->p->regions[p->region].policies[p->policy] : NULL;
    if (pol && soc < p->need) {
        /* short of social capital: the government keeps at most gov_share_cap of the fund */
        const double g = pol->gov_share > 0.0 ? pol->gov_share : 1.0;
        const double cap = fmax(g, f->gov_share_cap);
        if (cap < 1.0)
            gov = fmin(gov, soc * cap / (1.0 - cap));
    }
    const double size = gov + soc;
    if (!(size >= 1.0e6) || (!pol && size < 0.1 * p->target)) {
        undo(w, p);
        return LM_OK;
    }
    lm_investor *inv;
    lm_status st = lm__finance_add_investor(w, p->kind, p->region, p->policy, m, &inv, err);
    if (st != LM_OK)
        return st;
    manager(w, inv, p->kind);
    inv->fund = 1;
    inv->commit[LM_LP_GOV] = gov;
    for (int s = LM_LP_PRIVATE; s < LM_LP_COUNT; ++s)
        inv->commit[s] = p->take[s];
    inv->size = size;
    inv->uncalled = size;
    inv->invest_end = m + (int32_t)f->invest_months - 1;
    inv->life_end = m + (int32_t)f->fund_life_months - 1;
    inv->max_ticket = f->max_deal_share * size;
    lm_finance_year *y = lm__finance_year(w, p->region, m);
    y->funds_raised++;
    if (pol) {
        double *budget = &w->policy_budget[p->region * LM_MAX_POLICIES + p->policy];
        *budget = fmax(0.0, *budget - gov);
        fin->totals.gov_committed += gov;
        double *recycled = &fin->recycled[p->region * LM_MAX_POLICIES + p->policy];
        const double again = fmin(gov, *recycled);
        *recycled -= again;
        w->money[p->region].gov_recommitted += again;
        w->money[p->region].gov_committed_new += gov - again;
        inv->guidance = 1;
        fin->policy_raised[p->region * LM_MAX_POLICIES + p->policy] = 1;
        inv->stages = pol->stages;
        inv->sectors = subfund_sectors(w, pol);
        inv->loss_tolerance = pol->loss_tolerance;
        inv->reinvest_required = pol->reinvest_ratio * gov;
        y->gov_committed_cny += gov;
        y->social_committed_cny += soc;
        fin->cum_gov[p->region] += gov;
        fin->cum_social[p->region] += soc;
    }
    return LM_OK;
}

/* A direct-injection policy in force gets its vehicle (once). */
static lm_status direct_vehicles(lm_world *w, lm_month m, lm_error *err)
{
    struct lm_finance *fin = w->finance;
    for (int r = 0; r < w->R; ++r) {
        const lm_region_params *rp = &w->p->regions[r];
        for (int k = 0; k < rp->n_policies; ++k) {
            const lm_policy *pol = &rp->policies[k];
            const int rk = r * LM_MAX_POLICIES + k;
            if (pol->kind != LM_POLICY_DIRECT_INJECTION || !w->policy_active[rk] ||
                fin->direct[rk] >= 0)
                continue;
            lm_investor *inv;
            lm_status st = lm__finance_add_investor(w, LM_INVESTOR_GOV_ST, r, k, m, &inv, err);
            if (st != LM_OK)
                return st;
            manager(w, inv, LM_INVESTOR_GOV_ST);
            inv->direct = 1;
            inv->stages = pol->stages;
            inv->sectors = pol->sectors;
            inv->max_ticket = pol->amount_cny;
            inv->ticket_share = 1.0;
            fin->direct[rk] = (int32_t)inv->id;
        }
    }
    return LM_OK;
}

lm_status lm__funds_raise(lm_world *w, lm_month m, lm_error *err)
{
    lm_status st = LM_OK;
    if (lm_month_moy(m) == 1 || m == w->p->start)
        st = lm__funds_market_year(w, m, err);
    if (st == LM_OK)
        st = direct_vehicles(w, m, err);
    plan *pl = NULL;
    size_t n = 0;
    if (st == LM_OK)
        st = make_plans(w, m, &pl, &n, err);
    if (st == LM_OK && n > 0) {
        ration(w, m, pl, n);
        for (size_t j = 0; st == LM_OK && j < n; ++j)
            st = close_fund(w, m, &pl[j], err);
    }
    free(pl);
    if (st == LM_OK)
        report_raising(w, m);
    return st;
}

/* ---- fees, ends ---- */

static void release(lm_world *w, lm_investor *inv)
{
    struct lm_finance *fin = w->finance;
    const double u = inv->uncalled;
    if (!(u > 0.0) || !(inv->size > 0.0)) {
        inv->uncalled = 0.0;
        return;
    }
    const double gov = u * inv->commit[LM_LP_GOV] / inv->size;
    const double priv = u * inv->commit[LM_LP_PRIVATE] / inv->size;
    const double other = u - gov - priv;
    fin->totals.gov_released += gov;
    w->money[inv->region].gov_released += gov;
    if (inv->policy >= 0) {
        const lm_policy *pol = &w->p->regions[inv->region].policies[inv->policy];
        const int k = inv->region * LM_MAX_POLICIES + inv->policy;
        if (pol->separate_budget_line && w->policy_active[k]) {
            /* a separate line keeps what the fund did not use; committing it again is the
               same money promised twice, not new public money */
            w->policy_budget[k] += gov;
            fin->recycled[k] += gov;
        }
    }
    w->private_capital[inv->region] += priv; /* within X */
    fin->totals.outside_out += other;
    inv->released += u;
    inv->uncalled = 0.0;
}

lm_status lm__funds_fees_and_ends(lm_world *w, lm_month m, lm_error *err)
{
    const lm_finance_params *f = &w->p->finance;
    struct lm_finance *fin = w->finance;
    for (size_t i = 0; i < fin->n_inv; ++i) {
        lm_investor *inv = &fin->inv[i];
        if (m <= inv->frozen_until)
            inv->frozen_months++;
        if (!inv->fund || m > inv->life_end || m < inv->vintage)
            continue;
        /* A guidance sub-fund pays its managers on the capital it has put to work (how such
           funds are paid: on paid-in or invested capital), so a fund that invests nothing
           costs its government LP nothing; market funds pay on commitments. */
        const double committed = inv->guidance ? inv->invested : inv->size;
        const double base = m <= inv->invest_end ? committed : inv->cost_open;
        const double fee = fmin(f->fee_rate / 12.0 * base, fmax(0.0, inv->uncalled));
        if (fee > 0.0) {
            inv->uncalled -= fee;
            inv->called += fee;
            inv->fees += fee;
            fin->totals.fees += fee;
            w->money[inv->region].gov_called += gov_share_of(inv) * fee;
            lm_status st = lm__finance_flow(inv, m, -fee, err);
            if (st != LM_OK)
                return st;
        }
        if (m == inv->life_end)
            release(w, inv);
    }
    return LM_OK;
}
