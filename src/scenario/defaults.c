/* src/scenario/defaults.c -- every default of the scenario format, in one place, and the YAML
 * names of the model's enums. docs/scenarios.md lists the same values for users and says why
 * each was chosen; docs/model.md gives the equations they enter. Defaults are starting points
 * for calibration (MODEL.md 5), chosen to give plausible magnitudes for a Chinese provincial
 * capital measured in CNY per month. */
#include <string.h>

#include "scenario/scenario_int.h"

static const char *const skill_names[LM_SKILL_COUNT] = {LM_SKILL_WORDS(LM_WORD_STRING, ~)};
static const char *const model_names[LM_MODEL_COUNT] = {LM_MODEL_WORDS(LM_WORD_STRING, ~)};
static const char *const source_names[LM_SOURCE_COUNT] = {LM_SOURCE_WORDS(LM_WORD_STRING, ~)};
static const char *const policy_kind_names[LM_POLICY_KIND_COUNT] = {
    "st_fund",         "innovation_fund", "direct_injection", "matchmaking",
    "corridor",        "provincial_fof",  "talent_rule",      "talent_program",
    "lab",             "industrial_park", "rd_subsidy",       "failure_tolerance"};

/* finance issue */
static const char *const stage_names[LM_STAGE_COUNT] = {LM_STAGE_WORDS(LM_WORD_STRING, ~)};
static const char *const investor_kind_names[LM_INVESTOR_KIND_COUNT] = {
    LM_INVESTOR_KIND_WORDS(LM_WORD_STRING, ~)};

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
const char *lm__stage_name(int i) { return name_of(stage_names, LM_STAGE_COUNT, i); }
const char *lm__investor_kind_name(int i)
{
    return name_of(investor_kind_names, LM_INVESTOR_KIND_COUNT, i);
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
    p->market_base = lm_month_of(2015, 1);
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
    e->w_round = 6.0;
    e->w_tal = 0.2;
    e->w_chain = 1.0;
    e->w_burn = 0.5;
    e->w_restart = 6.0;
    e->w_amen = 1.0;
    e->w_cost = 1.0;
    e->w_know = 0.1;
    e->prospect_months = 12.0;
    e->prospect_prior = 5.0;
    e->angel_share = 0.002;
    e->seed_capital_cny = 1.5e6;
    e->seed_capital_sigma = 0.8;
    e->founders = 2.0;

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
    for (int b = 0; b < LM_MODEL_COUNT; ++b) {
        m->gamma[b] = gamma[b];
        m->home_bias[b] = bias[b];
        m->volatility[b] = vol[b];
    }
    m->visibility_gain = 1.0;
    m->visibility_ref_cny_month = 5.0e7;
    m->visibility_rate = 0.1;
    m->visibility_decay = 0.01;
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
    c->founder_unpaid_months = 24.0;
    c->contract_share = 0.5;
    c->contract_margin = 0.1;

    lm__ecosystem_defaults(p);
    lm__finance_defaults(p);
}

/* ---- ecosystem issue: talent, chains, platforms, tiers (docs/scenarios.md 1.6) ---- */

static void tier_rule_defaults(lm_tier_rule *t)
{
    memset(t, 0, sizeof *t);
    t->max_headcount = 1.0e9;
    t->max_revenue_cny = 1.0e18;
    t->valid_years = 1.0;
    t->investor_visibility = 1.0;
    t->take_up_first = 1.0; /* every eligible firm applies: the criteria alone decide */
    t->take_up_last = 1.0;
    t->to_c_eligible = true;
}

void lm__ecosystem_defaults(lm_params *p)
{
    lm_talent_params *t = &p->talent;
    t->graduate_rate_year = 0.04;
    t->exit_rate_year = 0.03;
    t->mobility_year = 0.05;
    t->beta_wage = 2.0;
    t->beta_amenity = 1.0;
    t->beta_policy = 0.3;
    t->beta_openings = 20.0;
    t->move_cost = 2.0;
    t->distance_cost = 2.0;
    const double out_wage[LM_SKILL_COUNT] = {15000, 12000, 11000, 6000, 9000};
    const double movers[LM_SKILL_COUNT] = {8000, 5000, 1500, 20000, 2500};
    for (int k = 0; k < LM_SKILL_COUNT; ++k) {
        t->outside_wage_cny_month[k] = out_wage[k];
        t->outside_movers_month[k] = movers[k];
    }
    t->outside_amenity = 0.5;
    t->outside_integration = 0.3;
    t->hire_share = 0.03;
    t->wage_elasticity = 0.5;
    t->wage_speed = 1.0 / 12.0;
    t->key_attrition = 0.015;
    t->attrition_drag = 4.0;

    lm_chain_params *c = &p->chain;
    c->growth = 0.01;
    c->mass_ref = 20000.0;
    c->decay = 0.005;
    c->base_share = 1.0;
    c->source_discount = 0.5;

    lm_platform_params *pl = &p->platforms;
    pl->giant_headcount = 10000.0;
    pl->giant_revenue_cny_year = 1.0e10;
    pl->turnover = 0.01;
    pl->alumni_decay = 0.005;
    pl->training = 0.002;

    lm_tier_params *tr = &p->tiers;
    /* 科技型中小企业 (国科发政〔2017〕115号): <= 500 staff, revenue <= CNY 200M, R&D. */
    tier_rule_defaults(&tr->tech_sme);
    tr->tech_sme.max_headcount = 500.0;
    tr->tech_sme.max_revenue_cny = 2.0e8;
    tr->tech_sme.min_tech_share = 0.10;
    tr->tech_sme.min_rd_intensity = 0.03;
    /* 高新技术企业 (国科发火〔2016〕32号): age >= 1 year, R&D staff >= 10%, R&D >= 5% / 4% / 3%
       of revenue for revenue <= 50M / <= 200M / above; valid three years. */
    tier_rule_defaults(&tr->high_tech);
    tr->high_tech.min_age_months = 12.0;
    tr->high_tech.min_tech_share = 0.10;
    tr->high_tech.band_small_cny = 5.0e7;
    tr->high_tech.band_large_cny = 2.0e8;
    tr->high_tech.rd_intensity_small = 0.05;
    tr->high_tech.rd_intensity_mid = 0.04;
    tr->high_tech.min_rd_intensity = 0.03;
    tr->high_tech.valid_years = 3.0;
    tr->high_tech.award_cny = 2.0e5;
    tr->high_tech.investor_visibility = 1.2;
    /* 专精特新"小巨人" (MIIT 2022): age >= 3 years, revenue >= 100M with R&D >= 3%, or
       50-100M with R&D >= 6% (both years), a niche share; valid three years. */
    tier_rule_defaults(&tr->little_giant);
    tr->little_giant.min_age_months = 36.0;
    tr->little_giant.niche_share = 5.0e-5;
    tr->little_giant.revenue_a_cny = 1.0e8;
    tr->little_giant.rd_intensity_a = 0.03;
    tr->little_giant.revenue_b_cny = 5.0e7;
    tr->little_giant.rd_intensity_b = 0.06;
    /* path C: revenue below 50M with >= CNY 80M of new equity in two years, R&D >= 30M in
       two years and R&D staff >= 50% */
    tr->little_giant.equity_c_cny = 8.0e7;
    tr->little_giant.rd_c_cny = 3.0e7;
    tr->little_giant.tech_share_c = 0.5;
    tr->little_giant.valid_years = 3.0;
    tr->little_giant.award_cny = 1.0e6;
    tr->little_giant.investor_visibility = 1.5;
    /* unicorn: private, valuation >= USD 1bn (about CNY 7bn) */
    tier_rule_defaults(&tr->unicorn);
    tr->unicorn.min_valuation_cny = 7.0e9;
    tr->unicorn.investor_visibility = 2.0;
    /* little dragon: (unicorn scale or fast growth) and visible */
    tier_rule_defaults(&tr->dragon);
    tr->dragon.min_valuation_cny = 7.0e9;
    tr->dragon.cohort_share = 0.001;
    tr->dragon.min_visibility = 0.8;
    tr->dragon.max_age_months = 120.0;
    tr->dragon.investor_visibility = 3.0;
}

/* ---- finance issue: deals, funds, exits (docs/scenarios.md, params.finance and .exits;
 * why each value: docs/model.md 7.9 and 7.10) ---- */

static void stage_values(double *out, double seed, double a, double b, double c, double growth)
{
    out[LM_STAGE_SEED] = seed;
    out[LM_STAGE_A] = a;
    out[LM_STAGE_B] = b;
    out[LM_STAGE_C] = c;
    out[LM_STAGE_GROWTH] = growth;
}

static void kind_values(double *out, double gov_st, double gov_innovation, double vc,
                        double strategic, double angel)
{
    out[LM_INVESTOR_GOV_ST] = gov_st;
    out[LM_INVESTOR_GOV_INNOVATION] = gov_innovation;
    out[LM_INVESTOR_VC] = vc;
    out[LM_INVESTOR_STRATEGIC] = strategic;
    out[LM_INVESTOR_ANGEL] = angel;
}

void lm__finance_defaults(lm_params *p)
{
    lm_finance_params *f = &p->finance;
    f->enabled = true;
    f->seek_runway_months = 6.0;
    f->min_round_gap_months = 6.0;
    f->prototype_progress = 0.5;
    f->round_months = 18.0;
    stage_values(f->round_cny, 3.0e6, 2.0e7, 8.0e7, 2.5e8, 6.0e8);
    f->round_factor = 4.0;
    f->round_equity = 0.15;
    stage_values(f->pre_money_cny, 1.5e7, 1.0e8, 5.0e8, 2.0e9, 6.0e9);
    stage_values(f->stage_min_revenue_cny_year, 0.0, 0.0, 1.0e7, 5.0e7, 2.0e8);
    f->revenue_multiple = 8.0;
    f->price_slope = 0.5;
    f->min_close = 0.5;
    f->option_pool = 0.1;
    f->revenue_smoothing = 0.25;
    f->signal_mean = 0.6;
    f->signal_sd = 0.7;
    stage_values(f->base_loss, 0.75, 0.6, 0.45, 0.3, 0.15);
    stage_values(f->min_loss, 0.2, 0.12, 0.07, 0.04, 0.02);
    f->loss_slope = 1.5;
    stage_values(f->success_multiple, 8.0, 5.0, 3.6, 2.9, 2.4);
    f->multiple_slope = 1.0;
    f->zero_loss_floor = 0.05;
    f->pool_share = 0.1;
    f->nonlocal_visibility = 0.3;
    kind_values(f->deals_seen_month, 15.0, 10.0, 20.0, 15.0, 20.0);
    kind_values(f->signal_noise, 0.9, 0.8, 0.6, 0.5, 1.0);
    f->noise_dispersion = 0.25;
    kind_values(f->hurdle, 1.5, 1.3, 2.5, 1.5, 2.5);
    kind_values(f->max_deal_loss, 1.0, 1.0, 0.85, 0.7, 0.9);
    kind_values(f->ticket_share, 0.3, 0.3, 0.5, 0.3, 0.5);
    f->max_deal_share = 0.1;
    f->insider_noise = 0.5;
    f->fund_life_months = 120.0;
    f->invest_months = 60.0;
    f->follow_on_reserve = 0.3;
    f->max_team_scale = 10.0;
    f->deal_flow_months = 24.0;
    f->fee_rate = 0.02;
    f->carry = 0.2;
    f->subfund_gov_cny = 5.0e8;
    f->gov_share_cap = 0.7;
    f->lp_private_share = 0.004;
    f->national_lp_cny_year = 3.0e10;
    f->national_lp_max_share = 0.3;
    f->vc_capital_share = 0.002;
    f->vc_fund_cny = 1.0e9;
    f->vc_early_share = 0.5;
    f->strategic_cny_per_alumnus = 5.0e4;
    f->strategic_lp_share = 0.2;
    f->angel_groups = 2.0;
    f->angel_ticket_cny = 2.0e6;

    lm_exit_params *x = &p->exits;
    x->ipo_min_valuation_cny = 2.0e9;
    x->ipo_min_revenue_cny_year = 2.0e8;
    x->ipo_min_age_months = 36.0;
    x->ipo_hazard = 0.02;
    x->ipo_revenue_multiple = 6.0;
    x->acq_hazard = 0.005;
    x->acq_outside_factor = 0.3;
    x->acq_min_revenue_cny_year = 5.0e6;
    x->acq_min_age_months = 24.0;
    x->acq_revenue_multiple = 3.0;
    x->acq_valuation_share = 0.7;
    x->exit_wealth_share = 0.5;
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
    r->vc_capital_cny_year = -1.0;        /* derived from private capital (finance issue) */
    r->strategic_capital_cny_year = -1.0; /* derived from platform alumni (finance issue) */
    for (int k = 0; k < LM_SKILL_COUNT; ++k)
        r->graduates_year[k] = -1.0; /* derived from talent unless given (validate.c) */
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
    pol->enabled = true;
    pol->sectors = UINT32_MAX;
    pol->layers = UINT32_MAX;
    pol->gov_share = 0.25;
    pol->reinvest_ratio = 1.5;
    pol->freeze_months = 24.0;
    pol->deals_seen_multiplier = 1.0;
    /* stage focus (finance issue): early for S&T money, late for innovation funds */
    const uint32_t early = (1u << LM_STAGE_SEED) | (1u << LM_STAGE_A) | (1u << LM_STAGE_B);
    pol->stages = early;
    switch (kind) {
    case LM_POLICY_ST_FUND:
        pol->loss_tolerance = 0.0;
        break;
    case LM_POLICY_INNOVATION_FUND:
        pol->loss_tolerance = 0.05;
        pol->stages = (1u << LM_STAGE_B) | (1u << LM_STAGE_C) | (1u << LM_STAGE_GROWTH);
        break;
    case LM_POLICY_DIRECT_INJECTION:
        pol->amount_cny = 2.0e7;
        pol->budget_cny_year = 1.0e8;
        pol->stages = (1u << LM_STAGE_SEED) | (1u << LM_STAGE_A);
        break;
    case LM_POLICY_MATCHMAKING:
        pol->deals_seen_multiplier = 2.0;
        pol->noise_reduction = 0.3;
        break;
    case LM_POLICY_CORRIDOR:
        pol->deals_seen_multiplier = 1.5;
        pol->noise_reduction = 0.2;
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
        break;
    case LM_POLICY_TALENT_PROGRAM:
        pol->talent_level = 1.0;
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
