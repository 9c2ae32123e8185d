/* src/scenario/defaults.c -- every default of the scenario format, in one place, and the YAML
 * names of the model's enums. docs/scenarios.md lists the same values for users and says why
 * each was chosen; docs/model.md gives the equations they enter. Defaults are starting points
 * for calibration (MODEL.md 5), chosen to give plausible magnitudes for a Chinese provincial
 * capital measured in CNY per month. */
#include <string.h>

#include "scenario/scenario_int.h"

static const char *const skill_names[LM_SKILL_COUNT] = {"software", "hardware", "science",
                                                        "manufacturing", "design"};
static const char *const model_names[LM_MODEL_COUNT] = {"to_c", "to_b", "to_g"};
static const char *const source_names[LM_SOURCE_COUNT] = {"platform", "spinout", "serial",
                                                          "returnee", "other"};
static const char *const policy_kind_names[LM_POLICY_KIND_COUNT] = {
    "st_fund",         "innovation_fund", "direct_injection", "matchmaking",
    "corridor",        "provincial_fof",  "talent_rule",      "talent_program",
    "lab",             "industrial_park", "rd_subsidy",       "failure_tolerance"};

static const char *name_of(const char *const *names, int n, int i)
{
    return (i >= 0 && i < n) ? names[i] : NULL;
}

static int index_of(const char *const *names, int n, const char *name)
{
    for (int i = 0; name && i < n; ++i)
        if (strcmp(names[i], name) == 0)
            return i;
    return -1;
}

const char *lm__skill_name(int i) { return name_of(skill_names, LM_SKILL_COUNT, i); }
const char *lm__model_name(int i) { return name_of(model_names, LM_MODEL_COUNT, i); }
const char *lm__source_name(int i) { return name_of(source_names, LM_SOURCE_COUNT, i); }
const char *lm__policy_kind_name(int i)
{
    return name_of(policy_kind_names, LM_POLICY_KIND_COUNT, i);
}
int lm__skill_from_name(const char *s) { return index_of(skill_names, LM_SKILL_COUNT, s); }
int lm__model_from_name(const char *s) { return index_of(model_names, LM_MODEL_COUNT, s); }
int lm__source_from_name(const char *s) { return index_of(source_names, LM_SOURCE_COUNT, s); }
int lm__policy_kind_from_name(const char *s)
{
    return index_of(policy_kind_names, LM_POLICY_KIND_COUNT, s);
}

void lm__params_defaults(lm_params *p)
{
    memset(p, 0, sizeof *p);
    p->start = lm_month_of(2015, 1);
    p->end = lm_month_of(2034, 12);
    p->seed = 20150101;

    lm_entry_params *e = &p->entry;
    e->base_rate = 1.0e-4;     /* ~150 founders a month from 1.5M skilled people */
    e->alumni_rate = 4.0e-4;   /* 100k platform alumni -> ~40 founders a month */
    e->spinout_rate = 0.3;     /* institution strength 60 -> ~18 spin-outs a month */
    e->restart_rate = 0.01;
    e->returnee_rate = 10.0;
    e->failed_memory_months = 24.0;
    e->outside_rate = 300.0;
    e->outside_utility = 7.0;
    e->outside_integration = 0.3;
    e->quality_mu[LM_SOURCE_PLATFORM] = 0.3;
    e->quality_mu[LM_SOURCE_SPINOUT] = 0.3;
    e->quality_mu[LM_SOURCE_SERIAL] = 0.2;
    e->quality_mu[LM_SOURCE_RETURNEE] = 0.25;
    e->quality_mu[LM_SOURCE_OTHER] = 0.0;
    e->quality_sigma = 0.5;
    e->beta = 1.0;
    e->moving_cost = 1.0;
    e->distance_cost = 2.0;
    e->w_cap = 0.3;
    e->w_tal = 0.2;
    e->w_chain = 1.0;
    e->w_pol = 0.5;
    e->w_amen = 1.0;
    e->w_cost = 1.0;
    e->w_know = 0.1;
    e->angel_share = 0.002;
    e->angel_loss_tolerance = 0.5;
    e->seed_capital_cny = 1.5e6;
    e->seed_capital_sigma = 0.8;

    lm_rnd_params *r = &p->rnd;
    r->eta = 0.6;
    r->kappa = 0.5;
    r->knowledge_ref = 1.0e4;
    r->breakthrough_rate = 0.01;
    r->breakthrough_ref_cny = 1.0e6;
    r->breakthrough_kappa = 0.5;
    r->jump_min = 0.25;
    r->rd_elasticity = 0.5;
    r->theta_max = 200.0;
    r->knowledge_decay = 0.02;
    r->spillover = 0.002;
    r->knowledge_unit_cny = 1.0e7;
    r->compute_penalty = 0.5;

    lm_market_params *m = &p->market;
    const double gamma[LM_MODEL_COUNT] = {1.6, 1.2, 1.0};
    const double bias[LM_MODEL_COUNT] = {0.05, 0.3, 0.8};
    const double vol[LM_MODEL_COUNT] = {0.25, 0.10, 0.05};
    const double vis[LM_MODEL_COUNT] = {1.0, 0.2, 0.05};
    for (int b = 0; b < LM_MODEL_COUNT; ++b) {
        m->gamma[b] = gamma[b];
        m->home_bias[b] = bias[b];
        m->volatility[b] = vol[b];
        m->visibility_gain[b] = vis[b];
    }
    m->visibility_ref_cny_month = 5.0e7;
    m->visibility_rate = 0.1;
    m->breakthrough_visibility = 0.2;
    m->adoption_months = 12.0;
    m->national_gdp_100m_cny = 1260582.0; /* China 2023, NBS */
    m->incumbent_revenue_cny_year = 1.0e7; /* an established SME */

    lm_cost_params *c = &p->costs;
    c->payroll_overhead = 0.35;
    c->tech_share = 0.6;
    c->compute_discount_max = 0.5;
    c->compute_weight_infra = 0.5;
    c->compute_layer = -1;
    c->profit_tax = 0.25;
    c->hightech_tax = 0.15;
    c->grace_months = 3;
    c->runway_target_months = 18.0;
    c->runway_cut_months = 6.0;
    c->hire_rate = 0.15;
    c->cut_rate = 0.15;
    c->revenue_per_head_cny_month = 1.0e5; /* ~CNY 1.2M a year per employee */
    c->max_headcount = 2.0e5;
}

void lm__sector_defaults(lm_sector_params *s)
{
    memset(s, 0, sizeof *s);
    s->skill = LM_SKILL_SOFTWARE;
    for (int b = 0; b < LM_MODEL_COUNT; ++b) {
        s->model_weight[b] = 1.0 / 3.0;
        s->market_cny_year[b] = 1.0e10;
    }
    s->rd_months = 18.0;
    s->team_size = 5.0;
    s->compute_share = 0.1;
    s->pareto_alpha = 1.5;
    s->breakthrough_alpha = 2.0;
    s->rd_scale_cny = 2.0e7;
    s->market_growth = 0.10;
    s->incumbents = 0.0; /* derived from the market */
}

void lm__region_defaults(lm_region_params *r)
{
    memset(r, 0, sizeof *r);
    r->amenity = 0.5;
    r->cost_index = 1.0;
    r->rent_cny_head_month = 2500.0;
    r->compute_infrastructure = 0.3;
    r->failure_tolerance = 0.3;
    r->fiscal_pressure = 0.2;
    for (int s = 0; s < LM_MAX_SECTORS; ++s)
        r->sector_strength[s] = 1.0;
    for (int b = 0; b < LM_MODEL_COUNT; ++b)
        r->local_market_share[b] = -1.0; /* derived from GDP unless given */
}

void lm__policy_defaults(lm_policy *pol, lm_policy_kind kind)
{
    memset(pol, 0, sizeof *pol);
    pol->kind = kind;
    pol->start = 0;
    pol->end = LM_MONTH_NEVER;
    pol->sectors = UINT32_MAX;
    pol->layers = UINT32_MAX;
    pol->gov_share = 0.25;
    pol->reinvest_ratio = 1.5;
    pol->freeze_months = 24.0;
    pol->deals_seen_multiplier = 1.0;
    switch (kind) {
    case LM_POLICY_ST_FUND:
        pol->loss_tolerance = 0.0;
        break;
    case LM_POLICY_INNOVATION_FUND:
        pol->loss_tolerance = 0.05;
        break;
    case LM_POLICY_DIRECT_INJECTION:
        pol->amount_cny = 2.0e7;
        pol->budget_cny_year = 1.0e8;
        break;
    case LM_POLICY_MATCHMAKING:
        pol->deals_seen_multiplier = 2.0;
        pol->noise_reduction = 0.3;
        pol->attraction = 0.2;
        break;
    case LM_POLICY_CORRIDOR:
        pol->deals_seen_multiplier = 1.5;
        pol->noise_reduction = 0.2;
        pol->attraction = 0.3;
        break;
    case LM_POLICY_PROVINCIAL_FOF:
        pol->gov_share = 0.3;
        pol->reinvest_ratio = 1.0;
        pol->loss_tolerance = 0.2;
        break;
    case LM_POLICY_TALENT_RULE:
        pol->option_share = 0.2;
        pol->tax_offset = 0.5;
        pol->attrition_reduction = 0.3;
        pol->attraction = 0.2;
        break;
    case LM_POLICY_TALENT_PROGRAM:
        pol->talent_level = 1.0;
        pol->attraction = 0.3;
        break;
    case LM_POLICY_LAB:
        pol->knowledge_per_month = 50.0;
        pol->spinout_strength = 10.0;
        break;
    case LM_POLICY_INDUSTRIAL_PARK:
        pol->rent_discount = 0.3;
        pol->compute_boost = 0.2;
        pol->chain_investment = 0.05;
        break;
    case LM_POLICY_RD_SUBSIDY:
        pol->rate = 0.1;
        pol->budget_cny_year = 1.0e9;
        break;
    case LM_POLICY_FAILURE_TOLERANCE:
        pol->value = 0.6;
        break;
    case LM_POLICY_KIND_COUNT:
        break;
    }
}
