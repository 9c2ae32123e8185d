/* src/model/policy/policy.c -- phase 1 of the month (MODEL.md 3.1, 5.5, 7): which policies of
 * each region are in force, their budgets, and the region-level effects other phases read.
 *
 * Budgets refill in January (and in a policy's first month, pro rata). A budget that is a
 * separate line of its own (the essay's 2015 plan) carries unspent money over and is always refilled;
 * one inside the fiscal budget loses what was not spent by December and, in a year of fiscal
 * pressure (probability fiscal_pressure), is refilled at half. Effects are recomputed every
 * month from the active set, so switching a policy off removes its effect at once. No policy
 * writes founders' utility: each changes what founders observe (rents, compute prices, pay
 * net of the option-tax offset, knowledge, chain, the deal flow, restarts), docs/model.md 7.2. */
#include <math.h>
#include <string.h>

#include "model/policy/policy.h"

static bool is_active(const lm_policy *pol, lm_month m) { return pol->start <= m && m <= pol->end; }

static bool has_budget(lm_policy_kind kind)
{
    return kind == LM_POLICY_ST_FUND || kind == LM_POLICY_INNOVATION_FUND ||
           kind == LM_POLICY_DIRECT_INJECTION || kind == LM_POLICY_PROVINCIAL_FOF ||
           kind == LM_POLICY_RD_SUBSIDY;
}

static void refill_budget(lm_world *w, int r, int k, const lm_policy *pol, lm_month m)
{
    double *budget = &w->policy_budget[r * LM_MAX_POLICIES + k];
    const bool first_month = (m == pol->start) || (m == w->p->start && pol->start < m);
    const bool january = lm_month_moy(m) == 1;
    if (!january && !first_month)
        return;
    /* A policy starting mid-year gets the rest of the year's share. */
    const double months_left = 13.0 - (double)lm_month_moy(m);
    const double refill = pol->budget_cny_year * months_left / 12.0;
    if (pol->separate_budget_line) {
        *budget += refill;
        return;
    }
    lm_rng g;
    lm_rng_init(&g, w->key, (uint64_t)(r * LM_MAX_POLICIES + k), LM_PURPOSE_POLICY, m);
    const bool squeezed = lm_rng_u01(&g) < w->p->regions[r].fiscal_pressure;
    *budget = refill * (squeezed ? 0.5 : 1.0); /* unspent money went back to the treasury */
}

static void clear_effects(lm_world *w, int r)
{
    const int S = w->S;
    const lm_region_params *rp = &w->p->regions[r];
    w->talent_policy[r] = 0.0;
    w->failure_tolerance[r] = rp->failure_tolerance;
    w->tolerance_set[r] = 0;
    w->institution_strength[r] = rp->institution_strength;
    w->compute_index[r] = 0.0;
    for (int s = 0; s < S; ++s) {
        const int rs = r * S + s;
        w->institutions[rs] = rp->institutions[s];
        w->rent_discount[rs] = 0.0;
        w->option_effect[rs] = 0.0;
        w->attrition_cut[rs] = 0.0;
        w->rd_subsidy_rate[rs] = 0.0;
        w->rd_subsidy_policy[rs] = -1;
    }
}

/* A park helps a sector it names whose chain layers it covers (or that needs no layer). */
static bool park_serves(const lm_policy *pol, const lm_sector_params *sec, int s)
{
    if (!(pol->sectors & (1u << s)))
        return false;
    return sec->layers == 0 || (sec->layers & pol->layers) != 0;
}

static void apply_effects(lm_world *w, int r, int k, const lm_policy *pol)
{
    const int S = w->S;
    double compute_boost = 0.0;
    switch (pol->kind) {
    case LM_POLICY_TALENT_PROGRAM:
        w->talent_policy[r] += pol->talent_level;
        break;
    case LM_POLICY_FAILURE_TOLERANCE:
        /* replaces the region's own tolerance (several such policies: the most tolerant) */
        w->failure_tolerance[r] = w->tolerance_set[r] ? fmax(w->failure_tolerance[r], pol->value)
                                                       : pol->value;
        w->tolerance_set[r] = 1;
        break;
    case LM_POLICY_LAB:
        w->institution_strength[r] += pol->spinout_strength;
        break;
    case LM_POLICY_INDUSTRIAL_PARK:
        compute_boost = pol->compute_boost;
        break;
    default:
        break;
    }
    w->compute_index[r] += compute_boost; /* summed here, combined and clamped by the caller */
    for (int s = 0; s < S; ++s) {
        if (!(pol->sectors & (1u << s)))
            continue;
        const int rs = r * S + s;
        switch (pol->kind) {
        case LM_POLICY_LAB:
            w->institutions[rs] += pol->knowledge_per_month;
            break;
        case LM_POLICY_INDUSTRIAL_PARK:
            if (park_serves(pol, &w->p->sectors[s], s))
                w->rent_discount[rs] = fmax(w->rent_discount[rs], pol->rent_discount);
            break;
        case LM_POLICY_TALENT_RULE:
            w->option_effect[rs] =
                fmax(w->option_effect[rs], pol->option_share * pol->tax_offset);
            /* options vest over years: key engineers stay (the talent phase reads it) */
            w->attrition_cut[rs] = fmax(w->attrition_cut[rs], pol->attrition_reduction);
            break;
        case LM_POLICY_RD_SUBSIDY:
            if (pol->rate > w->rd_subsidy_rate[rs]) {
                w->rd_subsidy_rate[rs] = pol->rate;
                w->rd_subsidy_policy[rs] = (int16_t)k;
            }
            break;
        default:
            break;
        }
    }
}

/* compute index = w * infrastructure + (1 - w) * chain(compute layer) + park boosts, in
 * [0, 1]; without a compute layer, infrastructure alone. */
static void finish_compute_index(lm_world *w, int r)
{
    const lm_cost_params *c = &w->p->costs;
    const double infra = w->p->regions[r].compute_infrastructure;
    double base = infra;
    if (c->compute_layer >= 0 && c->compute_layer < w->L)
        base = c->compute_weight_infra * infra +
               (1.0 - c->compute_weight_infra) * w->chain[r * w->L + c->compute_layer];
    const double v = base + w->compute_index[r];
    w->compute_index[r] = v < 0.0 ? 0.0 : (v > 1.0 ? 1.0 : v);
}

lm_status lm_phase_policy(lm_world *w, lm_month m, lm_error *err)
{
    (void)err;
    for (int r = 0; r < w->R; ++r) {
        const lm_region_params *rp = &w->p->regions[r];
        clear_effects(w, r);
        for (int k = 0; k < rp->n_policies; ++k) {
            const lm_policy *pol = &rp->policies[k];
            const bool active = is_active(pol, m);
            w->policy_active[r * LM_MAX_POLICIES + k] = active;
            if (!active) {
                /* money of a policy that ended goes back unless it is a separate line */
                if (!pol->separate_budget_line)
                    w->policy_budget[r * LM_MAX_POLICIES + k] = 0.0;
                continue;
            }
            if (has_budget(pol->kind))
                refill_budget(w, r, k, pol, m);
            apply_effects(w, r, k, pol);
        }
        finish_compute_index(w, r);
    }
    return LM_OK;
}
