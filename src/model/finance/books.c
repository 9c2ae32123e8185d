/* src/model/finance/books.c -- fund accounting (MODEL.md 5.7, 6) and the public accessors of
 * the finance observations (include/longmen/finance.h): NAV from the cap tables at the
 * firms' last post-money, TVPI, DPI, IRR from each investor's monthly LP cash flows with the
 * NAV as a terminal value, realised and expected loss ratios, 返投 shortfalls. */
#include <gsl/gsl_errno.h>
#include <gsl/gsl_roots.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/sim_int.h"
#include "model/finance/finance_int.h"
#include "core/detmath.h"

/* ---- IRR ---- */

typedef struct npv_ctx {
    const int32_t *month;
    const double *flow;
    size_t n;
    int32_t t0;
} npv_ctx;

/* NPV at monthly rate r, discounted to the first month. */
static double npv(double r, void *arg)
{
    const npv_ctx *c = arg;
    const double lg = lm_log1p(r);
    double v = 0.0;
    for (size_t j = 0; j < c->n; ++j)
        v += c->flow[j] * lm_exp(-lg * (double)(c->month[j] - c->t0));
    return v;
}

double lm_irr_annual(const int32_t *month, const double *flow, size_t n)
{
    if (n < 2)
        return NAN;
    bool neg = false, pos = false;
    int32_t t0 = month[0];
    for (size_t j = 0; j < n; ++j) {
        neg |= flow[j] < 0.0;
        pos |= flow[j] > 0.0;
        if (month[j] < t0)
            t0 = month[j];
    }
    if (!neg || !pos)
        return NAN;
    npv_ctx c = {month, flow, n, t0};
    /* a grid of monthly rates from -99.99% to +1000%: the first sign change brackets the
       root (conventional flows, calls then distributions, have exactly one) */
    static const double grid[] = {-0.9999, -0.99, -0.95, -0.9, -0.8, -0.6, -0.4, -0.25,
                                  -0.15,   -0.1,  -0.06, -0.04, -0.02, -0.01, -0.005, 0.0,
                                  0.005,   0.01,  0.02,  0.04,  0.06,  0.1,   0.15,   0.25,
                                  0.4,     0.6,   1.0,   2.0,   4.0,   10.0};
    const size_t ng = sizeof grid / sizeof grid[0];
    double lo = NAN, hi = NAN, flo = npv(grid[0], &c);
    for (size_t k = 1; k < ng; ++k) {
        const double fk = npv(grid[k], &c);
        if (flo == 0.0)
            return lm_pow(1.0 + grid[k - 1], 12.0) - 1.0;
        if ((flo < 0.0) != (fk < 0.0)) {
            lo = grid[k - 1];
            hi = grid[k];
            break;
        }
        flo = fk;
    }
    if (isnan(lo))
        return NAN;
    gsl_function fn = {npv, &c};
    gsl_root_fsolver *s = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
    if (!s)
        return NAN;
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    double root = NAN;
    if (gsl_root_fsolver_set(s, &fn, lo, hi) == GSL_SUCCESS) {
        for (int it = 0; it < 200; ++it) {
            if (gsl_root_fsolver_iterate(s) != GSL_SUCCESS)
                break;
            const double a = gsl_root_fsolver_x_lower(s), b = gsl_root_fsolver_x_upper(s);
            root = gsl_root_fsolver_root(s);
            if (gsl_root_test_interval(a, b, 1e-15, 1e-13) == GSL_SUCCESS)
                break;
        }
    }
    gsl_set_error_handler(old);
    gsl_root_fsolver_free(s);
    return isnan(root) ? NAN : lm_expm1(12.0 * lm_log1p(root));
}

/* ---- fund records ---- */

static lm_world *world_of(const lm_sim *sim) { return lm__sim_world((lm_sim *)sim); }

/* NAV of every investor: open stakes at the last post-money of their (live) firms. */
static void navs(const lm_world *w, double *nav)
{
    const struct lm_finance *fin = w->finance;
    const lm_firms *fm = &w->firms;
    for (size_t i = 0; i < fm->n; ++i) {
        if (fm->status[i] != LM_FIRM_ALIVE || fm->id[i] >= fin->n_firm)
            continue;
        const lm_fin_firm *ff = &fin->firm[fm->id[i]];
        for (int k = 0; k < ff->n; ++k)
            if (ff->stakes[k].holder >= 0)
                nav[ff->stakes[k].holder] += ff->stakes[k].share * fm->valuation_cny[i];
    }
}

static double irr_of(const lm_investor *inv, double nav, int32_t now)
{
    const size_t n = inv->n_flows + 1;
    int32_t *month = malloc(n * sizeof *month);
    double *flow = malloc(n * sizeof *flow);
    double r = NAN;
    if (month && flow) {
        for (size_t j = 0; j < inv->n_flows; ++j) {
            month[j] = inv->flows[j].month;
            flow[j] = inv->flows[j].amount;
        }
        month[n - 1] = now;
        flow[n - 1] = nav;
        r = lm_irr_annual(month, flow, n);
    }
    free(month);
    free(flow);
    return r;
}

static void record(const lm_world *w, const lm_investor *inv, double nav, lm_month now,
                   lm_fund_record *out)
{
    memset(out, 0, sizeof *out);
    out->fund_id = inv->id;
    out->kind = inv->kind;
    out->region = inv->region;
    out->policy = inv->policy;
    out->direct = inv->direct;
    out->vintage = inv->vintage;
    out->invest_end = inv->invest_end == INT32_MAX ? -1 : inv->invest_end;
    out->life_end = inv->life_end == INT32_MAX ? -1 : inv->life_end;
    out->stages = inv->stages;
    out->size_cny = inv->size;
    out->gov_share =
        inv->direct ? 1.0 : (inv->size > 0.0 ? inv->commit[LM_LP_GOV] / inv->size : 0.0);
    out->committed_gov_cny = inv->commit[LM_LP_GOV];
    out->committed_private_cny = inv->commit[LM_LP_PRIVATE];
    out->committed_strategic_cny = inv->commit[LM_LP_STRATEGIC];
    out->committed_national_cny = inv->commit[LM_LP_NATIONAL];
    out->paid_in_cny = inv->called;
    out->invested_cny = inv->invested;
    out->fees_cny = inv->fees;
    out->proceeds_cny = inv->proceeds;
    out->distributed_cny = inv->distributed;
    out->carry_cny = inv->carry_paid;
    out->nav_cny = nav;
    out->tvpi = inv->called > 0.0 ? (inv->distributed + nav) / inv->called : 0.0;
    out->dpi = inv->called > 0.0 ? inv->distributed / inv->called : 0.0;
    out->irr = irr_of(inv, nav, now);
    out->loss_ratio = inv->invested > 0.0 ? inv->realised_loss / inv->invested : 0.0;
    out->loss_tolerance = inv->loss_tolerance;
    out->expected_loss_ratio =
        inv->invested > 0.0 ? (inv->realised_loss + inv->el_open) / inv->invested : 0.0;
    out->reinvest_required_cny = inv->reinvest_required;
    out->local_invested_cny = inv->local_invested;
    out->reinvest_shortfall_cny = fmax(0.0, inv->reinvest_required - inv->local_invested);
    out->deals = inv->deals;
    out->frozen_months = inv->frozen_months;
    out->signal_noise = inv->sigma;
    out->hurdle = inv->hurdle;
    (void)w;
}

const lm_fund_record *lm_sim_funds(const lm_sim *sim, size_t *count)
{
    return lm__finance_funds(world_of(sim), count);
}

const lm_fund_record *lm__finance_funds(lm_world *w, size_t *count)
{
    *count = 0;
    struct lm_finance *fin = w->finance;
    if (!fin || fin->n_inv == 0)
        return NULL;
    if (fin->cap_fund_out < fin->n_inv) {
        lm_fund_record *a = realloc(fin->fund_out, fin->n_inv * sizeof *a);
        if (!a)
            return NULL;
        fin->fund_out = a;
        fin->cap_fund_out = fin->n_inv;
    }
    double *nav = calloc(fin->n_inv, sizeof *nav);
    if (!nav)
        return NULL;
    navs(w, nav);
    const lm_month now = w->month - 1; /* the last simulated month */
    for (size_t i = 0; i < fin->n_inv; ++i)
        record(w, &fin->inv[i], nav[i], now, &fin->fund_out[i]);
    free(nav);
    *count = fin->n_inv;
    return fin->fund_out;
}

const lm_deal_record *lm_sim_deals(const lm_sim *sim, size_t *count)
{
    const struct lm_finance *fin = world_of(sim)->finance;
    *count = fin ? fin->n_deals : 0;
    return fin ? fin->deals : NULL;
}

const lm_exit_record *lm_sim_exits(const lm_sim *sim, size_t *count)
{
    const struct lm_finance *fin = world_of(sim)->finance;
    *count = fin ? fin->n_exits : 0;
    return fin ? fin->exits : NULL;
}

const lm_finance_year *lm_sim_finance_years(const lm_sim *sim, size_t *count)
{
    lm_world *w = world_of(sim);
    const struct lm_finance *fin = w->finance;
    *count = 0;
    if (!fin)
        return NULL;
    size_t years = 0;
    for (int y = 0; y < w->n_years; ++y)
        if (fin->years[(size_t)y * (size_t)w->R].months > 0)
            years = (size_t)y + 1;
    *count = years * (size_t)w->R;
    return fin->years;
}
