/* src/model/exits/exits.c -- phase 9 of the month (MODEL.md 3.9, 5.7): exits and what they
 * return. Equations and defaults: docs/model.md 7.10.
 *
 *   - Firms that died this month (costs) return nothing: each investor writes its cost off as
 *     a realised loss.
 *   - A live firm may go public: eligible when its value max(last post-money, multiple x
 *     run-rate revenue) and its revenue pass thresholds and it is old enough; then a monthly
 *     hazard. A launched firm with revenue that cannot list may be bought: hazard
 *     acq_hazard x (integration with the nearest strategic arm of its sector, at least
 *     acq_outside_factor for buyers from elsewhere), at max(revenue multiple, a share of its
 *     last post-money): strategic investors and platforms buy the middle.
 *   - The exit value is paid out pro rata through the cap table, exactly (the shares sum to
 *     1): founders and employees keep theirs (exit_wealth_share of it becomes the region's
 *     private capital, the angels' money), investors receive theirs (funds pay their LPs,
 *     less carry). Realised loss = cost - proceeds where proceeds fall short.
 *   - A guidance sub-fund whose realised loss ratio exceeds its tolerance L after a new loss
 *     is frozen: no new deals for freeze_months (the "do the safe thing" sanction).
 *   - December (and the last month): the region's finance stocks.
 *
 * Serial over firm slots in order: one uniform draw per eligible firm, keyed by its id. */
#include <math.h>
#include <string.h>

#include "core/minmax.h"
#include "model/exits/exits.h"
#include "model/finance/finance_int.h"

/* A holder's cost leaves its open book; returns nothing. */
static void resolve(lm_investor *inv, const lm_stake *s, double proceeds)
{
    inv->cost_open = lm_fmax(0.0, inv->cost_open - s->cost_cny);
    inv->el_open = lm_fmax(0.0, inv->el_open - s->cost_cny * s->p_loss);
    const double loss = lm_fmax(0.0, s->cost_cny - proceeds);
    inv->realised_loss += loss;
    inv->realised_month += loss;
}

static void write_off(lm_world *w, uint32_t id)
{
    struct lm_finance *fin = w->finance;
    lm_fin_firm *ff = &fin->firm[id];
    for (int k = 0; k < ff->n; ++k)
        if (ff->stakes[k].holder >= 0)
            resolve(&fin->inv[ff->stakes[k].holder], &ff->stakes[k], 0.0);
    lm__captable_free(ff);
}

/* The strategic arm most integrated with region r that invests in sector s, and that
 * integration (0 when none). */
static int nearest_buyer(const lm_world *w, int r, int s, double *reach)
{
    const struct lm_finance *fin = w->finance;
    int best = -1;
    *reach = 0.0;
    for (int h = 0; h < w->R; ++h) {
        const int32_t id = fin->strategic[h];
        if (id < 0 || !(fin->inv[id].sectors & (1u << s)))
            continue;
        const double x = w->p->integration[h * w->R + r];
        if (x > *reach) {
            *reach = x;
            best = id;
        }
    }
    return best;
}

static lm_status pay_out(lm_world *w, size_t i, lm_month m, lm_firm_status kind, double value,
                         int buyer, lm_error *err)
{
    struct lm_finance *fin = w->finance;
    const lm_exit_params *x = &w->p->exits;
    lm_firms *fm = &w->firms;
    const uint32_t id = fm->id[i];
    const int r = fm->region[i];
    lm_fin_firm *ff = &fin->firm[id];
    lm_exit_record rec;
    memset(&rec, 0, sizeof rec); /* padding too: records are compared byte for byte */
    rec.month = m;
    rec.firm_id = id;
    rec.region = r;
    rec.kind = kind;
    rec.buyer_id = buyer;
    rec.valuation_cny = value;
    rec.raised_cny = ff->raised_cny;
    if (!ff->stakes) {
        rec.to_founders_cny = value;
    } else {
        for (int k = 0; k < ff->n; ++k) {
            const lm_stake *s = &ff->stakes[k];
            const double amt = value * s->share;
            if (s->holder == LM_HOLDER_FOUNDERS) {
                rec.to_founders_cny += amt;
            } else if (s->holder == LM_HOLDER_POOL) {
                rec.to_employees_cny += amt;
            } else {
                rec.to_investors_cny += amt;
                lm_investor *inv = &fin->inv[s->holder];
                resolve(inv, s, amt);
                lm_status st = lm__investor_receive(w, inv, m, amt, err);
                if (st != LM_OK)
                    return st;
            }
        }
    }
    const double paid = rec.to_founders_cny + rec.to_employees_cny + rec.to_investors_cny;
    const double wealth = x->exit_wealth_share * (rec.to_founders_cny + rec.to_employees_cny);
    w->private_capital[r] += wealth;
    fin->totals.to_private += wealth;
    fin->totals.exit_paid += value;
    fin->totals.exit_received += paid;
    w->money[r].exit_buyers_paid += value;
    w->money[r].exit_holders_received += paid;
    lm_finance_year *y = lm__finance_year(w, r, m);
    y->exit_value_cny += value;
    y->exit_wealth_cny += wealth;
    if (kind == LM_FIRM_IPO) {
        y->ipos++;
        w->events[r].ipos++;
    } else {
        y->acquisitions++;
        w->events[r].acquisitions++;
    }
    /* the firm leaves the scenario's private firms with its cash (the buyer's or the market's
       now): a documented outflow of the firms' books */
    w->money[r].exited_firm_cash += fm->cash_cny[i];
    fm->status[i] = (uint8_t)kind;
    fm->ended[i] = m;
    lm__captable_free(ff);
    return lm__finance_push_exit(fin, &rec, err);
}

static lm_status maybe_exit(lm_world *w, size_t i, lm_month m, lm_error *err)
{
    const lm_exit_params *x = &w->p->exits;
    const lm_firms *fm = &w->firms;
    const double run_rate = 12.0 * fm->revenue_ema_cny[i];
    const double age = (double)(m - fm->founded[i]);
    const double ipo_value = lm_fmax(fm->valuation_cny[i], x->ipo_revenue_multiple * run_rate);
    const bool ipo = ipo_value >= x->ipo_min_valuation_cny &&
                     run_rate >= x->ipo_min_revenue_cny_year && age >= x->ipo_min_age_months;
    const bool acq = !ipo && fm->launched[i] >= 0 && run_rate >= x->acq_min_revenue_cny_year &&
                     age >= x->acq_min_age_months;
    if (!ipo && !acq)
        return LM_OK;
    double reach = 0.0;
    int buyer = -1;
    double hazard = x->ipo_hazard;
    if (acq) {
        buyer = nearest_buyer(w, fm->region[i], fm->sector[i], &reach);
        if (reach < x->acq_outside_factor) {
            reach = x->acq_outside_factor;
            buyer = -1;
        }
        hazard = x->acq_hazard * reach;
    }
    lm_rng g;
    lm_rng_init(&g, w->key, fm->stream[i], LM_PURPOSE_EXIT, m);
    if (!(lm_rng_u01(&g) < hazard))
        return LM_OK;
    if (ipo)
        return pay_out(w, i, m, LM_FIRM_IPO, ipo_value, -1, err);
    const double price = lm_fmax(x->acq_revenue_multiple * run_rate,
                              x->acq_valuation_share * fm->valuation_cny[i]);
    if (!(price > 0.0))
        return LM_OK;
    return pay_out(w, i, m, LM_FIRM_ACQUIRED, price, buyer, err);
}

/* Sanctions: a guidance sub-fund that realised a loss this month and stands above its
 * tolerance is frozen for the next freeze_months months. */
static void sanctions(lm_world *w, lm_month m)
{
    struct lm_finance *fin = w->finance;
    for (size_t i = 0; i < fin->n_inv; ++i) {
        lm_investor *inv = &fin->inv[i];
        const double fresh = inv->realised_month;
        inv->realised_month = 0.0;
        if (!inv->guidance || !(fresh > 0.0) || !(inv->invested > 0.0))
            continue;
        if (inv->realised_loss > inv->loss_tolerance * inv->invested) {
            const lm_policy *pol = &w->p->regions[inv->region].policies[inv->policy];
            /* at most a century: a freeze beyond the run is a freeze for good */
            inv->frozen_until = m + (int32_t)lround(lm_fmin(pol->freeze_months, 1200.0));
        }
    }
}

static void stocks(lm_world *w, lm_month m)
{
    struct lm_finance *fin = w->finance;
    for (int r = 0; r < w->R; ++r) {
        lm_finance_year *y = lm__finance_year(w, r, m);
        double lost = 0.0, invested = 0.0, tol = 0.0, size = 0.0, dry = 0.0;
        int64_t frozen = 0;
        for (size_t i = 0; i < fin->n_inv; ++i) {
            const lm_investor *inv = &fin->inv[i];
            if (inv->region != r)
                continue;
            dry += lm__investor_available(w, inv, m + 1);
            if (!inv->guidance)
                continue;
            lost += inv->realised_loss;
            invested += inv->invested;
            tol += inv->loss_tolerance * inv->size;
            size += inv->size;
            frozen += inv->frozen_until > m && m <= inv->life_end;
        }
        y->leverage = fin->cum_gov[r] > 0.0 ? fin->cum_social[r] / fin->cum_gov[r] : 0.0;
        y->guidance_loss_ratio = invested > 0.0 ? lost / invested : 0.0;
        y->guidance_loss_tolerance = size > 0.0 ? tol / size : 0.0;
        y->frozen_funds = frozen;
        y->private_capital_cny = w->private_capital[r];
        y->dry_powder_cny = dry;
    }
}

lm_status lm_phase_exits(lm_world *w, lm_month m, lm_error *err)
{
    if (!w->p->finance.enabled)
        return LM_OK;
    lm_status st = lm__finance_ensure(w, err);
    if (st == LM_OK)
        st = lm__finance_grow_firms(w, err);
    if (st != LM_OK)
        return st;
    struct lm_finance *fin = w->finance;
    lm_firms *fm = &w->firms;
    /* Both exits need a run-rate revenue above a floor: most firms are below both, and are
       passed over on one comparison (maybe_exit would find the same). */
    const lm_exit_params *x = &w->p->exits;
    const double floor_rate = lm_fmin(x->ipo_min_revenue_cny_year, x->acq_min_revenue_cny_year);
    /* The arrays' addresses and the slot count do not change in this loop (an exit only
       writes through them): held in locals, not read again after every store. */
    const size_t n = fm->n;
    const uint8_t *status = fm->status;
    const double *ema = fm->revenue_ema_cny;
    const int32_t *ended = fm->ended;
    const uint32_t *ids = fm->id;
    for (size_t i = 0; i < n; ++i) {
        if (status[i] == LM_FIRM_ALIVE) {
            if (12.0 * ema[i] >= floor_rate && (st = maybe_exit(w, i, m, err)) != LM_OK)
                break;
        } else if (status[i] == LM_FIRM_DEAD) {
            if (ended[i] == m && fin->firm[ids[i]].stakes)
                write_off(w, ids[i]);
        }
    }
    if (st != LM_OK)
        return st;
    sanctions(w, m);
    for (int r = 0; r < w->R; ++r)
        lm__finance_year(w, r, m)->months++;
    if (lm_month_moy(m) == 12 || m == w->p->end)
        stocks(w, m);
    return LM_OK;
}
