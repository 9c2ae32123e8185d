/* src/model/costs/costs.c -- phase 7 (MODEL.md 5.6): firms pay staff, compute and office,
 * receive R&D subsidies while a budget lasts, pay profit tax (15% instead of 25% for
 * certified high-tech enterprises), and die after `grace_months` months of negative cash.
 * Their founders join the pool of failed founders who may found again (how many do depends
 * on the region's tolerance of failure, in the entry phase).
 * Then each firm sets next month's headcount from its runway: it hires toward the staff
 * that revenue plus cash spread over runway_target_months can pay, and cuts staff when
 * runway falls under runway_cut_months. Hires come out of the region's talent pool of the
 * sector's skill (MODEL.md 4: firms compete for talent): when the firms of a region want
 * more than hire_share of the pool's free people, every firm gets the same share of its
 * openings (lm_talent_fill), rounded to whole people with its own random draw.
 *
 * Subsidies are rationed without order effects: if requests exceed the budget, every
 * request is scaled by the same factor budget / requests. */
#include <math.h>
#include <stdlib.h>

#include "core/minmax.h"
#include "model/costs/costs.h"
#include "model/costs/unit_costs.h"
#include "model/talent/talent.h"

/* Per block: per region [payroll, compute, rent, tax, subsidy, deaths, cash before, cash
 * after, tax expenditures: personal (option offset), corporate (high-tech rate), other
 * (rent relief)], then subsidy paid per region x policy, then per region x skill
 * [staff after cuts, openings]. */
enum {
    C_PAYROLL, C_COMPUTE, C_RENT, C_TAX, C_SUBSIDY, C_DEATHS, C_CASH0, C_CASH1,
    C_TAX_PERSONAL, C_TAX_CORPORATE, C_TAX_OTHER,
    C_UNPAID_STAFF, C_UNPAID_COMPUTE, C_UNPAID_LANDLORDS, C_CONTRACT, C_N
};
enum { H_STAFF, H_OPENINGS, H_N };

static size_t hire_base(const lm_world *w)
{
    return (size_t)w->R * C_N + (size_t)w->R * LM_MAX_POLICIES;
}

static size_t width_of(const lm_world *w)
{
    return hire_base(w) + (size_t)w->R * LM_SKILL_COUNT * H_N;
}

static double subsidy_request(const lm_world *w, const lm_firms *f, size_t i, double rd)
{
    const int rs = f->region[i] * w->S + f->sector[i];
    return w->rd_subsidy_policy[rs] >= 0 ? w->rd_subsidy_rate[rs] * rd : 0.0;
}

/* Pass 1: requests per region and policy. */
static lm_status request_subsidies(lm_world *w, lm_month m, double *ration, lm_error *err)
{
    const int R = w->R;
    const size_t width = (size_t)R * LM_MAX_POLICIES;
    const lm_blocks b = lm_blocks_of(w->firms.n);
    double *req = lm_world_scratch(w, sizeof(double) * width);
    if (!req)
        LM_FAIL(err, LM_ENOMEM, "costs scratch");
    const lm_firms *f = &w->firms;
    if (w->burn_month == m && w->burn_n == f->n) {
        /* the R&D phase summed them this month, block by block as below */
        for (size_t j = 0; j < width; ++j)
            req[j] = w->subsidy_requests[j];
    } else {
        double *partial = lm_world_scratch(w, sizeof(double) * width * b.count);
        if (!partial)
            LM_FAIL(err, LM_ENOMEM, "costs scratch");
#pragma omp parallel for schedule(static) num_threads(w->threads)
        for (size_t k = 0; k < b.count; ++k) {
            double *acc = partial + k * width;
            const size_t end = lm_block_end(&b, k);
            for (size_t i = lm_block_begin(&b, k); i < end; ++i) {
                if (f->status[i] != LM_FIRM_ALIVE)
                    continue;
                const int rs = f->region[i] * w->S + f->sector[i];
                const int pol = w->rd_subsidy_policy[rs];
                if (pol >= 0)
                    acc[(size_t)f->region[i] * LM_MAX_POLICIES + (size_t)pol] +=
                        subsidy_request(w, f, i, f->rd_spend_cny[i]);
            }
        }
        lm_blocks_reduce(&b, partial, width, req);
    }
    for (size_t j = 0; j < width; ++j) {
        const double budget = w->policy_budget[j];
        ration[j] = req[j] <= 0.0 ? 0.0 : (req[j] <= budget ? 1.0 : lm_fmax(budget, 0.0) / req[j]);
    }
    return LM_OK;
}

/* Next month's staff (MODEL.md 5.6, docs/model.md): a firm short of runway cuts, never its
 * unpaid founders, who cost it no pay; otherwise it grows toward the staff it needs (the
 * sector's team before launch; after launch, the staff its revenue keeps busy at
 * revenue_per_head), as far as revenue plus cash spread over runway_target_months can pay a
 * team whose paid members cost per_head and whose unpaid founders cost per_head less pay_head
 * each, by at most hire_rate of its size a month (plus one). */
static int32_t next_headcount(const lm_cost_params *c, double team, int32_t h, double unpaid,
                              double cash, double revenue, double burn, double per_head,
                              double pay_head)
{
    if (!(burn >= 0.0) || !(cash == cash) || !(revenue >= 0.0) || h <= 0)
        return h; /* nothing sensible to decide on: keep the team */
    const double net_burn = burn - revenue;
    if (net_burn > 0.0 && cash / net_burn < c->runway_cut_months) {
        const int32_t floor_h = unpaid >= 1.0 ? (int32_t)unpaid : 1;
        const int32_t cut = (int32_t)lm_fmax(1.0, floor(c->cut_rate * h));
        return h - cut < floor_h ? (h < floor_h ? h : floor_h) : h - cut;
    }
    if (per_head <= 0.0 || cash <= 0.0)
        return h;
    const double need = lm_staff_needed(c, team, revenue);
    const double affordable =
        (revenue + cash / c->runway_target_months + unpaid * pay_head) / per_head;
    const double target = lm_fmin(lm_fmin(need, affordable), c->max_headcount);
    if (target <= h)
        return h;
    const double next = lm_fmin(target, floor(h * (1.0 + c->hire_rate)) + 1.0);
    return next > h ? (int32_t)next : h;
}

/* A dead firm's negative cash is bills it never paid: its staff, compute providers and
 * landlords write them off, shared as its last month's bills were (tax is paid only on
 * profit, so the state is no creditor), and its cash returns to 0. */
static void write_off(const lm_firms *f, size_t i, const lm_unit_costs *c, double *a)
{
    const double debt = -f->cash_cny[i];
    if (!(debt > 0.0))
        return;
    const double bills = c->payroll + c->compute + c->rent;
    const double staff = bills > 0.0 ? debt * c->payroll / bills : debt;
    const double compute = bills > 0.0 ? debt * c->compute / bills : 0.0;
    a[C_UNPAID_STAFF] += staff;
    a[C_UNPAID_COMPUTE] += compute;
    a[C_UNPAID_LANDLORDS] += debt - staff - compute;
    f->cash_cny[i] = 0.0;
}

/* What the firms of a (region, sector) share this month, looked up once. */
typedef struct cell {
    lm_unit_factors u;
    double per_head, pay_head; /* what one more paid employee costs a month, and its pay */
    double subsidy_rate;       /* of the pair's R&D subsidy policy */
    double ration;             /* budget / requests of that policy, at most 1 */
    double team;               /* the sector's founding team */
    int pol;                   /* the policy, -1 none */
    size_t pool;               /* region x skill of the sector's staff */
} cell;

/* What every firm shares this month. Copied into the block's locals, so that the loop's
 * stores of bytes (status, flags) do not make the compiler read each one again per firm. */
typedef struct month_ctx {
    lm_cost_params costs;
    double founders;        /* floor(entry.founders) */
    double contract_factor; /* contract_share (1 + contract_margin) */
    double rate[2];         /* profit tax: standard, high-tech */
    double forgone[2];      /* lm_fmax(0, profit_tax - rate) of each */
    bool contract;          /* contract_share > 0 */
    lm_month month;         /* w->month: whose founders are unpaid */
    size_t R, S;
} month_ctx;

/* One firm's month; returns whether it has openings. acc: the block's sums. */
static inline bool firm_costs(const month_ctx *x, const lm_firms *f, size_t i, lm_month m,
                              const cell *cells, double *acc)
{
    const int r = f->region[i];
    double *a = acc + (size_t)r * C_N;
    const cell *ce = &cells[(size_t)r * x->S + f->sector[i]];
    const double h0 = (double)f->headcount[i];
    const double unpaid = lm_unpaid_founders_of(x->month, f->unpaid_until[i], x->founders, h0);
    const lm_unit_costs c = lm_unit_costs_of(&ce->u, h0, unpaid);
    const int pol = ce->pol;
    const double subsidy = pol >= 0 ? ce->subsidy_rate * c.rd * ce->ration : 0.0;
    const double burn = c.payroll + c.compute + c.rent;
    /* contract work a firm before launch took on: its clients pay the staff time sold at the
       going pay (founders' included) plus the margin, in the month the work is done */
    if (f->contract_work[i]) {
        const double contract = x->contract_factor * (c.payroll + c.option_offset + c.unpaid);
        f->revenue_cny[i] += contract;
        f->revenue_ytd_cny[i] += contract;
        a[C_CONTRACT] += contract;
    }
    const double revenue = f->revenue_cny[i];
    const double profit = revenue + subsidy - burn;
    /* A certified high-tech enterprise (tiers phase, last December) pays the reduced rate. */
    const int ht = (f->tier[i] & LM_TIER_HIGH_TECH) != 0;
    const double rate = x->rate[ht];
    const double tax = profit > 0.0 ? profit * rate : 0.0;
    /* the reduced rate is a tax the region forgoes, as the option offset and rent relief are */
    a[C_TAX_CORPORATE] += profit > 0.0 ? profit * x->forgone[ht] : 0.0;
    a[C_TAX_PERSONAL] += c.option_offset;
    a[C_TAX_OTHER] += c.rent_relief;
    const double cash0 = f->cash_cny[i];
    a[C_CASH0] += cash0;
    const double cash = cash0 + (revenue + subsidy - burn - tax);
    f->cash_cny[i] = cash;
    a[C_PAYROLL] += c.payroll;
    a[C_COMPUTE] += c.compute;
    a[C_RENT] += c.rent;
    a[C_TAX] += tax;
    a[C_SUBSIDY] += subsidy;
    if (subsidy > 0.0)
        acc[x->R * C_N + (size_t)r * LM_MAX_POLICIES + (size_t)pol] += subsidy;

    if (cash < 0.0) {
        if (f->insolvent_months[i] < 255)
            f->insolvent_months[i]++;
        if (f->insolvent_months[i] > x->costs.grace_months) {
            f->status[i] = LM_FIRM_DEAD;
            f->ended[i] = m;
            a[C_DEATHS] += 1.0;
            write_off(f, i, &c, a);
            a[C_CASH1] += f->cash_cny[i];
            return false;
        }
    } else {
        f->insolvent_months[i] = 0;
    }
    a[C_CASH1] += cash;
    /* Before launch, a firm short of runway sells part of its staff's time next month
       rather than only cutting: founders who consult to keep the product alive. */
    {
        const double net_burn = burn - revenue;
        f->contract_work[i] = f->launched[i] < 0 && x->contract && net_burn > 0.0 &&
                              cash < x->costs.runway_cut_months * net_burn;
    }
    const int32_t h = f->headcount[i];
    const int32_t next = next_headcount(&x->costs, ce->team, h, unpaid, cash, revenue, burn,
                                        ce->per_head, ce->pay_head);
    /* Cuts happen now; hires are wanted now and made against the pool in hire() below. */
    const int32_t openings = next > h ? next - h : 0;
    f->openings[i] = openings;
    const int32_t staff = next < h ? next : h;
    f->headcount[i] = staff;
    double *hp = acc + x->R * C_N + x->R * LM_MAX_POLICIES + ce->pool * H_N;
    hp[H_STAFF] += staff;
    hp[H_OPENINGS] += openings;
    return openings > 0;
}

/* The costs pass over the slots of one block: firm_costs for each live firm, and the list of
 * those with openings (appended always, kept only when it hires: no branch on the outcome).
 * Returns how many hire. */
static size_t costs_block(const month_ctx *xp, const lm_firms *fp, size_t begin, size_t end,
                          lm_month m, const cell *cells, double *acc, uint32_t *list)
{
    const month_ctx x = *xp;
    const lm_firms f = *fp;
    size_t n = 0;
    for (size_t i = begin; i < end; ++i)
        if (f.status[i] == LM_FIRM_ALIVE) {
            list[n] = (uint32_t)i;
            n += firm_costs(&x, &f, i, m, cells, acc);
        }
    return n;
}

/* Hires of firm i, which has openings: its openings times the fill rate of its pool, rounded
 * to whole people by a draw of its own when the product is not whole (so the expected hires
 * are exact). Adds them to the pool's hires. */
static void hire(lm_world *w, size_t i, lm_month m, const double *fill, double *acc)
{
    lm_firms *f = &w->firms;
    const int idx = f->region[i] * LM_SKILL_COUNT + w->p->sectors[f->sector[i]].skill;
    int32_t hires = f->openings[i];
    const double share = fill[idx];
    if (hires > 0 && share < 1.0) {
        const double want = hires * share;
        hires = (int32_t)floor(want);
        const double frac = want - hires;
        if (frac > 0.0) {
            lm_rng g;
            lm_rng_init(&g, w->key, f->stream[i], LM_PURPOSE_HIRE, m);
            if (lm_rng_u01(&g) < frac)
                ++hires;
        }
    }
    f->headcount[i] += hires;
    if (f->headcount[i] > f->peak_headcount[i])
        f->peak_headcount[i] = f->headcount[i];
    acc[idx] += hires;
}

/* Pass 3: fill rates per pool, hires, and the staff and hires per pool for the talent phase.
 * Only firms with openings hire (about one in twelve): the costs pass listed them, block by
 * block from the block's first slot (n_hiring[k] of them). A firm without openings keeps its
 * staff, and its peak was set when it last grew, so the pool's staff after hiring is its
 * staff after cuts plus its hires; both are sums of whole numbers, exact in any order. */
static lm_status hire_all(lm_world *w, lm_month m, const double *sums, const size_t *n_hiring,
                          lm_error *err)
{
    const size_t RK = (size_t)w->R * LM_SKILL_COUNT;
    const lm_blocks b = lm_blocks_of(w->firms.n);
    double *fill = lm_world_scratch(w, sizeof(double) * RK);
    double *partial = lm_world_scratch(w, sizeof(double) * RK * b.count);
    double *tot = lm_world_scratch(w, sizeof(double) * RK);
    if (!fill || !partial || !tot)
        LM_FAIL(err, LM_ENOMEM, "costs scratch");
    const double *h = sums + hire_base(w);
    for (size_t idx = 0; idx < RK; ++idx) {
        const int r = (int)(idx / LM_SKILL_COUNT), k = (int)(idx % LM_SKILL_COUNT);
        fill[idx] = lm_talent_fill(w, r, k, h[idx * H_N + H_STAFF], h[idx * H_N + H_OPENINGS]);
        w->openings[idx] = h[idx * H_N + H_OPENINGS];
    }
    const uint32_t *hiring = w->hiring;
#pragma omp parallel for schedule(static) num_threads(w->threads)
    for (size_t k = 0; k < b.count; ++k) {
        double *acc = partial + k * RK;
        const uint32_t *list = hiring + lm_block_begin(&b, k);
        for (size_t j = 0; j < n_hiring[k]; ++j)
            hire(w, list[j], m, fill, acc);
    }
    lm_blocks_reduce(&b, partial, RK, tot);
    for (size_t idx = 0; idx < RK; ++idx) {
        w->employed[idx] = h[idx * H_N + H_STAFF] + tot[idx];
        w->hired[idx] = tot[idx];
    }
    return LM_OK;
}

lm_status lm_phase_costs(lm_world *w, lm_month m, lm_error *err)
{
    const int R = w->R;
    const size_t rp_width = (size_t)R * LM_MAX_POLICIES;
    double *ration = lm_world_scratch(w, sizeof(double) * rp_width);
    if (!ration)
        LM_FAIL(err, LM_ENOMEM, "costs scratch");
    lm_status st = request_subsidies(w, m, ration, err);
    if (st != LM_OK)
        return st;

    const size_t width = width_of(w);
    const lm_blocks b = lm_blocks_of(w->firms.n);
    double *partial = lm_world_scratch(w, sizeof(double) * width * b.count);
    double *sums = lm_world_scratch(w, sizeof(double) * width);
    cell *cells = lm_world_scratch(w, sizeof(cell) * (size_t)R * (size_t)w->S);
    if (!partial || !sums || !cells)
        LM_FAIL(err, LM_ENOMEM, "costs scratch");
    /* a hire is a paid employee: what one more costs, and what of it is pay */
    const lm_params *p = w->p;
    for (int r = 0; r < R; ++r)
        for (int s = 0; s < w->S; ++s) {
            const lm_unit_costs one = lm_unit_costs_at(w, r, s, 1.0, 0.0);
            const int rs = r * w->S + s;
            cell *ce = &cells[rs];
            ce->per_head = one.payroll + one.compute + one.rent;
            ce->pay_head = one.payroll;
            ce->u = lm_unit_factors_at(w, r, s);
            ce->pol = w->rd_subsidy_policy[rs];
            ce->subsidy_rate = w->rd_subsidy_rate[rs];
            ce->ration = ce->pol >= 0 ? ration[(size_t)r * LM_MAX_POLICIES + (size_t)ce->pol] : 0.0;
            ce->team = p->sectors[s].team_size;
            ce->pool = (size_t)r * LM_SKILL_COUNT + p->sectors[s].skill;
        }
    month_ctx x;
    x.costs = p->costs;
    x.founders = floor(p->entry.founders);
    x.contract_factor = p->costs.contract_share * (1.0 + p->costs.contract_margin);
    x.rate[0] = p->costs.profit_tax;
    x.rate[1] = p->costs.hightech_tax;
    x.forgone[0] = lm_fmax(0.0, p->costs.profit_tax - x.rate[0]);
    x.forgone[1] = lm_fmax(0.0, p->costs.profit_tax - x.rate[1]);
    x.contract = p->costs.contract_share > 0.0;
    x.month = w->month;
    x.R = (size_t)R;
    x.S = (size_t)w->S;
    lm_firms *f = &w->firms;
    uint32_t *list = lm_world_slot_array(w, w->hiring, &w->hiring_cap, sizeof *list);
    if (!list)
        LM_FAIL(err, LM_ENOMEM, "cannot grow the list of hiring firms to %zu slots", f->cap);
    w->hiring = list;
    size_t *n_hiring = lm_world_scratch(w, sizeof(size_t) * b.count);
    if (!n_hiring)
        LM_FAIL(err, LM_ENOMEM, "costs scratch");
    uint32_t *hiring = w->hiring;
#pragma omp parallel for schedule(static) num_threads(w->threads)
    for (size_t k = 0; k < b.count; ++k) {
        const size_t begin = lm_block_begin(&b, k);
        n_hiring[k] = costs_block(&x, f, begin, lm_block_end(&b, k), m, cells,
                                  partial + k * width, hiring + begin);
    }
    lm_blocks_reduce(&b, partial, width, sums);

    double cash0 = 0.0, cash1 = 0.0;
    for (int r = 0; r < R; ++r) {
        const double *a = sums + (size_t)r * C_N;
        lm_money *mo = &w->money[r];
        mo->firms_paid_payroll += a[C_PAYROLL];
        mo->households_received += a[C_PAYROLL];
        mo->firms_paid_compute += a[C_COMPUTE];
        mo->compute_received += a[C_COMPUTE];
        mo->firms_paid_rent += a[C_RENT];
        mo->landlords_received += a[C_RENT];
        mo->firms_paid_tax += a[C_TAX];
        mo->state_received_tax += a[C_TAX];
        mo->firms_received_subsidy += a[C_SUBSIDY];
        mo->state_paid_subsidy += a[C_SUBSIDY];
        mo->tax_forgone_personal += a[C_TAX_PERSONAL];
        mo->tax_forgone_corporate += a[C_TAX_CORPORATE];
        mo->tax_forgone_other += a[C_TAX_OTHER];
        mo->customers_paid += a[C_CONTRACT];
        mo->firms_received_revenue += a[C_CONTRACT];
        mo->unpaid_staff += a[C_UNPAID_STAFF];
        mo->unpaid_compute += a[C_UNPAID_COMPUTE];
        mo->unpaid_landlords += a[C_UNPAID_LANDLORDS];
        mo->creditors_wrote_off +=
            a[C_UNPAID_STAFF] + a[C_UNPAID_COMPUTE] + a[C_UNPAID_LANDLORDS];
        w->events[r].deaths += (int64_t)a[C_DEATHS];
        /* every founder of a dead firm becomes a failed founder who may try again */
        w->recent_failed[r] += a[C_DEATHS];
        cash0 += a[C_CASH0];
        cash1 += a[C_CASH1];
        for (int k = 0; k < LM_MAX_POLICIES; ++k) {
            const double paid = sums[(size_t)R * C_N + (size_t)r * LM_MAX_POLICIES + (size_t)k];
            double *budget = &w->policy_budget[r * LM_MAX_POLICIES + k];
            *budget = lm_fmax(0.0, *budget - paid);
        }
    }
    w->firm_cash_before += cash0;
    w->firm_cash_after += cash1;
    return hire_all(w, m, sums, n_hiring, err);
}
