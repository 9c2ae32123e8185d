/* src/scenario/validate.c -- what a scenario may leave out is derived here, and rules that
 * involve more than one field are checked here, after fill.c has range-checked every value.
 * Errors point at the node the user should change (or, when it was left out, at the section
 * that would hold it). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "scenario/load_int.h"

#define HORIZON_MAX_MONTHS (200 * 12)
#define FOUNDERS_MAX 1.0e6 /* founders a month one region may produce, see fill.c RATE_MAX */

/* The first of a, b, c that exists: the node itself, else where it would have been. */
static const lm__ynode *first_of(const lm__ynode *a, const lm__ynode *b, const lm__ynode *c)
{
    return a ? a : b ? b : c;
}

static const lm__ynode *region_node(const lm__lctx *c, int r)
{
    return lm__yseq_item(lm__ymap_get(c->root, "regions"), (size_t)r);
}

static lm_status check_dates(const lm__lctx *c, const lm__ynode *start, const lm__ynode *end,
                             const char *path, lm_month s, lm_month e, bool exclusive)
{
    char a[16], b[16];
    if (e < s || (exclusive && e == s))
        return lm__fail(c, first_of(end, start, c->root), path,
                        e < s ? "end %s is before start %s"
                              : "end %s is the same month as start %s",
                        lm_month_format(e, a), lm_month_format(s, b));
    return LM_OK;
}

static lm_status check_period(const lm__lctx *c)
{
    const lm_params *p = c->p;
    const lm__ynode *period = lm__ymap_get(c->root, "period");
    const lm__ynode *start = lm__ymap_get(period, "start"), *end = lm__ymap_get(period, "end");
    lm_status st = check_dates(c, start, end, "period.end", p->start, p->end, false);
    const int months = p->end - p->start + 1;
    if (st == LM_OK && months > HORIZON_MAX_MONTHS) {
        char a[16], b[16];
        st = lm__fail(c, first_of(end, period, c->root), "period.end",
                      "the period %s..%s is %d years and %d months long, longer than the "
                      "200-year limit",
                      lm_month_format(p->start, a), lm_month_format(p->end, b), months / 12,
                      months % 12);
    }
    return st;
}

static lm_status check_policy_dates(const lm__lctx *c)
{
    const lm_params *p = c->p;
    for (int r = 0; r < p->n_regions; ++r) {
        const lm__ynode *pols = lm__ymap_get(region_node(c, r), "policies");
        for (int i = 0; i < p->regions[r].n_policies; ++i) {
            const lm_policy *pol = &p->regions[r].policies[i];
            if (pol->end == LM_MONTH_NEVER)
                continue;
            const lm__ynode *node = lm__yseq_item(pols, (size_t)i);
            char path[LM_PATH_MAX];
            snprintf(path, sizeof path, "regions[%d].policies[%d].end", r, i);
            lm_status st = check_dates(c, lm__ymap_get(node, "start"), lm__ymap_get(node, "end"),
                                       path, pol->start, pol->end, false);
            if (st != LM_OK)
                return st;
        }
    }
    return LM_OK;
}

/* Founders choose a business model in proportion to these weights (MODEL.md 5.3). */
static lm_status normalise_model_weights(const lm__lctx *c)
{
    for (int s = 0; s < c->p->n_sectors; ++s) {
        double *w = c->p->sectors[s].model_weight, sum = 0.0;
        for (int b = 0; b < LM_MODEL_COUNT; ++b)
            sum += w[b];
        if (!(sum > 0.0)) {
            const lm__ynode *node = lm__yseq_item(lm__ymap_get(c->root, "sectors"), (size_t)s);
            char path[LM_PATH_MAX];
            snprintf(path, sizeof path, "sectors[%d].model_weight", s);
            return lm__fail(c, first_of(lm__ymap_get(node, "model_weight"), node, c->root), path,
                            "the weights sum to 0; at least one must be positive");
        }
        for (int b = 0; b < LM_MODEL_COUNT; ++b)
            w[b] /= sum;
    }
    return LM_OK;
}

/* Local founders draw their sector from these strengths (MODEL.md 5.1). */
static lm_status check_sector_strength(const lm__lctx *c, int r)
{
    const lm_region_params *rp = &c->p->regions[r];
    double sum = 0.0;
    for (int s = 0; s < c->p->n_sectors; ++s)
        sum += rp->sector_strength[s];
    if (sum > 0.0)
        return LM_OK;
    const lm__ynode *node = region_node(c, r);
    char path[LM_PATH_MAX];
    snprintf(path, sizeof path, "regions[%d].sector_strength", r);
    return lm__fail(c, first_of(lm__ymap_get(node, "sector_strength"), node, c->root), path,
                    "every sector has strength 0; at least one must be positive");
}

/* Demand located in the region follows its economy when not given (params.h). */
static lm_status derive_market_share(const lm__lctx *c, int r)
{
    lm_region_params *rp = &c->p->regions[r];
    const double share = rp->gdp_100m_cny / c->p->market.national_gdp_100m_cny;
    bool derived = false;
    for (int b = 0; b < LM_MODEL_COUNT; ++b)
        if (rp->local_market_share[b] < 0.0) {
            rp->local_market_share[b] = share;
            derived = true;
        }
    if (!derived || share <= 1.0)
        return LM_OK;
    const lm__ynode *node = region_node(c, r);
    char path[LM_PATH_MAX];
    snprintf(path, sizeof path, "regions[%d].gdp_100m_cny", r);
    return lm__fail(c, first_of(lm__ymap_get(node, "gdp_100m_cny"), node, c->root), path,
                    "GDP %g is larger than the national GDP %g "
                    "(params.market.national_gdp_100m_cny), so its market share would exceed 1",
                    rp->gdp_100m_cny, c->p->market.national_gdp_100m_cny);
}

/* Expected founders a month from the region's own sources at the start (MODEL.md 5.1,
 * without policies): each of them becomes a firm in memory, so a typo must not ask for
 * billions. */
static lm_status check_founder_rate(const lm__lctx *c, int r)
{
    const lm_region_params *rp = &c->p->regions[r];
    const lm_entry_params *e = &c->p->entry;
    double talent = 0.0;
    for (int k = 0; k < LM_SKILL_COUNT; ++k)
        talent += rp->talent[k];
    const double rate = e->base_rate * talent + e->alumni_rate * rp->platform_alumni +
                        e->spinout_rate * rp->institution_strength;
    if (rate <= FOUNDERS_MAX)
        return LM_OK;
    char path[LM_PATH_MAX];
    snprintf(path, sizeof path, "regions[%d]", r);
    return lm__fail(c, first_of(region_node(c, r), c->root, NULL), path,
                    "about %.3g founders a month would arise in \"%s\" (base_rate x talent + "
                    "alumni_rate x platform_alumni + spinout_rate x institution_strength), more "
                    "than the limit of %g",
                    rate, rp->name, FOUNDERS_MAX);
}

static lm_status check_regions(const lm__lctx *c)
{
    lm_status st = LM_OK;
    for (int r = 0; st == LM_OK && r < c->p->n_regions; ++r) {
        st = check_sector_strength(c, r);
        if (st == LM_OK)
            st = derive_market_share(c, r);
        if (st == LM_OK)
            st = check_founder_rate(c, r);
    }
    return st;
}

/* K <- (1-delta) K + ... + chi * sum_r' integration[r,r'] K[r'] (MODEL.md 5.2) is a linear
 * recursion whose stocks stay bounded only if the spillover gain chi * (largest row sum of
 * the other regions) stays below the decay delta. */
static lm_status check_spillover(const lm__lctx *c)
{
    const lm_params *p = c->p;
    const size_t n = (size_t)p->n_regions;
    double worst = 0.0;
    size_t worst_r = 0;
    for (size_t r = 0; r < n; ++r) {
        double row = 0.0;
        for (size_t q = 0; q < n; ++q)
            row += q == r ? 0.0 : p->integration[r * n + q];
        if (row > worst) {
            worst = row;
            worst_r = r;
        }
    }
    const double gain = p->rnd.spillover * worst;
    if (gain < p->rnd.knowledge_decay)
        return LM_OK;
    const lm__ynode *rnd = lm__ymap_get(lm__ymap_get(c->root, "params"), "rnd");
    const lm__ynode *at =
        first_of(lm__ymap_get(rnd, "spillover"), lm__ymap_get(c->root, "integration"), c->root);
    return lm__fail(c, at, "params.rnd.spillover",
                    "spillover %g times the largest integration row sum %g (region \"%s\", "
                    "diagonal excluded) is %g, not below knowledge_decay %g: knowledge stocks "
                    "would grow without bound",
                    p->rnd.spillover, worst, p->regions[worst_r].name, gain,
                    p->rnd.knowledge_decay);
}

static lm_status check_costs(const lm__lctx *c)
{
    lm_cost_params *k = &c->p->costs;
    if (k->compute_layer < 0)
        k->compute_layer = lm__layer_index(c->p, "compute");
    if (k->runway_cut_months <= k->runway_target_months)
        return LM_OK;
    const lm__ynode *costs = lm__ymap_get(lm__ymap_get(c->root, "params"), "costs");
    return lm__fail(c, first_of(lm__ymap_get(costs, "runway_cut_months"), costs, c->root),
                    "params.costs.runway_cut_months",
                    "runway_cut_months %g is above runway_target_months %g: firms would cut "
                    "staff while they still want to hire",
                    k->runway_cut_months, k->runway_target_months);
}

/* ---- finance issue ---- */

/* The loss curve of a stage runs from 1 down to min_loss and passes base_loss at the
 * reference signal, so min_loss < base_loss; an investment period longer than the fund's life
 * would never end (docs/model.md 7.9). */
static lm_status check_finance(const lm__lctx *c)
{
    const lm_finance_params *f = &c->p->finance;
    const lm__ynode *fin = lm__ymap_get(lm__ymap_get(c->root, "params"), "finance");
    for (int s = 0; s < LM_STAGE_COUNT; ++s)
        if (!(f->min_loss[s] < f->base_loss[s])) {
            char path[LM_PATH_MAX];
            snprintf(path, sizeof path, "params.finance.min_loss.%s", lm__stage_name(s));
            return lm__fail(c, first_of(lm__ymap_get(fin, "min_loss"), fin, c->root), path,
                            "min_loss %g of stage %s must be below its base_loss %g",
                            f->min_loss[s], lm__stage_name(s), f->base_loss[s]);
        }
    if (f->invest_months > f->fund_life_months)
        return lm__fail(c, first_of(lm__ymap_get(fin, "invest_months"), fin, c->root),
                        "params.finance.invest_months",
                        "invest_months %g is longer than fund_life_months %g", f->invest_months,
                        f->fund_life_months);
    return LM_OK;
}

/* ---- ecosystem issue ---- */

/* Progress is multiplied by 1 - attrition_drag x attrition (docs/model.md 7.11); attrition is
 * at most key_attrition, so their product must not exceed 1 or products would regress. */
static lm_status check_talent(const lm__lctx *c)
{
    const lm_talent_params *t = &c->p->talent;
    if (t->attrition_drag * t->key_attrition <= 1.0)
        return LM_OK;
    const lm__ynode *tal = lm__ymap_get(lm__ymap_get(c->root, "params"), "talent");
    return lm__fail(c, first_of(lm__ymap_get(tal, "attrition_drag"), tal, c->root),
                    "params.talent.attrition_drag",
                    "attrition_drag %g times key_attrition %g is above 1: progress would run "
                    "backward",
                    t->attrition_drag, t->key_attrition);
}

/* A policy with `enabled: false` is checked like any other, then dropped, so that no phase
 * sees it: every mechanism can be switched off in the file (or with --policy
 * "REGION.KIND.enabled=false"). Last, since the checks above pair policies with their YAML
 * nodes by index. */
static void drop_disabled_policies(const lm__lctx *c)
{
    for (int r = 0; r < c->p->n_regions; ++r) {
        lm_region_params *rp = &c->p->regions[r];
        int n = 0;
        for (int i = 0; i < rp->n_policies; ++i)
            if (rp->policies[i].enabled)
                rp->policies[n++] = rp->policies[i];
        rp->n_policies = n;
    }
}

lm_status lm__validate_params(const lm__lctx *c)
{
    lm_status st = check_period(c);
    if (st == LM_OK)
        st = check_policy_dates(c);
    if (st == LM_OK)
        st = normalise_model_weights(c);
    if (st == LM_OK)
        st = check_regions(c);
    if (st == LM_OK)
        st = check_spillover(c);
    if (st == LM_OK)
        st = check_costs(c);
    if (st == LM_OK)
        st = check_finance(c); /* finance issue */
    if (st == LM_OK)
        st = check_talent(c); /* ecosystem issue */
    if (st == LM_OK)
        drop_disabled_policies(c);
    return st;
}
