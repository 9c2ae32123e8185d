/* src/scenario/fill.c -- the scenario's YAML sections into lm_params (src/core/params.h,
 * format: docs/scenarios.md). Each struct is a table of its YAML keys with type and allowed
 * range; a range is the set of values for which the model of MODEL.md 5 stays meaningful
 * (shares in [0, 1], tail indices above 1 so means exist, rates bounded so that a typo such
 * as 1e12 founders a month is an error rather than an out-of-memory crash). Sections are read
 * in dependency order, whatever their order in the file: layers, then sectors (they name
 * layers), then params and regions (they name both), then integration (it names regions). */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario/load_int.h"

#define INF HUGE_VAL
#define MSIZE(type, member) sizeof(((type *)0)->member)
#define RATE_MAX 1.0e6   /* founders a month: beyond this a run cannot fit in memory */
#define PEOPLE_MAX 1.0e9 /* a talent pool larger than China's workforce is a typo */
/* Fields that scale the number of firms or the work per firm (docs/reliability.md, "Bounded
 * inputs"). A founding team as large as a platform makes every new firm a platform at once,
 * whose alumni found firms in turn: the firm count explodes beyond any estimate. */
#define TEAM_MAX 100.0        /* founders and first hires of a firm */
#define GIANT_MIN 1000.0      /* staff that makes a firm a platform: well above any team */
#define HEADCOUNT_MAX 1.0e7   /* staff of one firm */
#define DEALS_SEEN_MAX 100.0  /* a matchmaking policy multiplies the deals investors screen */

#define K(kind) (1u << LM_POLICY_##kind)
#define FUNDS (K(ST_FUND) | K(INNOVATION_FUND) | K(PROVINCIAL_FOF))
#define BUDGETS (FUNDS | K(DIRECT_INJECTION) | K(RD_SUBSIDY))
#define DEALS (K(MATCHMAKING) | K(CORRIDOR))

enum { REQ = LM_FL_REQUIRED, LOX = LM_FL_LO_OPEN, HIX = LM_FL_HI_OPEN };

/* Entry helpers: numbers, typed fields, skipped sections. */
/* clang-format off */
#define NUM(type, key, lo, hi, fl) {#key, LM_F_NUM, offsetof(type, key), 0, lo, hi, fl, 0}
#define TYP(type, key, t, lo, hi, fl) {#key, t, offsetof(type, key), 0, lo, hi, fl, 0}
#define STR(type, key, fl) {#key, LM_F_STR, offsetof(type, key), MSIZE(type, key), 0, 0, fl, 0}
#define SKIP(key, fl) {#key, LM_F_SKIP, 0, 0, 0, 0, fl, 0}
#define PNUM(key, lo, hi, fl, kinds)                                                               \
    {#key, LM_F_NUM, offsetof(lm_policy, key), 0, lo, hi, fl, kinds}
/* clang-format on */
#define COUNT(tab) (sizeof(tab) / sizeof *(tab))

static const lm__field top_fields[] = {
    TYP(lm_params, name, LM_F_FILENAME, 0, 0, REQ),
    STR(lm_params, description, 0),
    TYP(lm_params, seed, LM_F_U64, 0, 0, 0),
    SKIP(period, 0),
    TYP(lm_params, market_base, LM_F_MONTH, 0, 0, 0),
    SKIP(layers, 0),
    SKIP(sectors, REQ),
    SKIP(regions, REQ),
    SKIP(integration, 0),
    SKIP(params, 0),
};

static const lm__field period_fields[] = {
    TYP(lm_params, start, LM_F_MONTH, 0, 0, REQ),
    TYP(lm_params, end, LM_F_MONTH, 0, 0, REQ),
};

static const lm__field sector_fields[] = {
    TYP(lm_sector_params, id, LM_F_ID, 0, 0, REQ),
    STR(lm_sector_params, name, 0),
    TYP(lm_sector_params, skill, LM_F_SKILL, 0, 0, 0),
    TYP(lm_sector_params, layers, LM_F_LAYER_LIST, 0, 0, 0),
    TYP(lm_sector_params, model_weight, LM_F_MODEL_MAP, 0, INF, LM_FL_MAP_ZERO),
    NUM(lm_sector_params, rd_months, 0, INF, LOX),
    NUM(lm_sector_params, team_size, 1, TEAM_MAX, 0),
    NUM(lm_sector_params, compute_share, 0, 1, HIX),
    NUM(lm_sector_params, pareto_alpha, 1, INF, LOX),
    NUM(lm_sector_params, breakthrough_alpha, 1, INF, LOX),
    NUM(lm_sector_params, rd_scale_cny, 0, INF, LOX),
    TYP(lm_sector_params, market_cny_year, LM_F_MODEL_MAP, 0, INF, LM_FL_MAP_ZERO),
    NUM(lm_sector_params, market_growth, -1, INF, LOX),
    NUM(lm_sector_params, incumbents, 0, INF, 0),
    TYP(lm_sector_params, strategic, LM_F_BOOL, 0, 0, 0),
};

static const lm__field region_fields[] = {
    STR(lm_region_params, name, REQ),
    STR(lm_region_params, name_en, 0),
    STR(lm_region_params, province, 0),
    NUM(lm_region_params, population_10k, 0, INF, REQ | LOX),
    NUM(lm_region_params, gdp_100m_cny, 0, INF, REQ | LOX),
    TYP(lm_region_params, wage_cny_month, LM_F_SKILL_MAP, 0, INF, REQ | LOX | LM_FL_MAP_ALL),
    TYP(lm_region_params, talent, LM_F_SKILL_MAP, 0, PEOPLE_MAX, 0),
    NUM(lm_region_params, amenity, 0, 1, 0),
    NUM(lm_region_params, cost_index, 0, INF, LOX),
    NUM(lm_region_params, rent_cny_head_month, 0, INF, 0),
    NUM(lm_region_params, compute_infrastructure, 0, 1, 0),
    NUM(lm_region_params, private_capital_cny, 0, INF, 0),
    NUM(lm_region_params, platform_alumni, 0, PEOPLE_MAX, 0),
    TYP(lm_region_params, platform_sectors, LM_F_SECTOR_LIST, 0, 0, 0),
    NUM(lm_region_params, vc_capital_cny_year, 0, INF, 0),        /* finance issue */
    NUM(lm_region_params, strategic_capital_cny_year, 0, INF, 0), /* finance issue */
    NUM(lm_region_params, platform_staff, 0, PEOPLE_MAX, 0),
    TYP(lm_region_params, graduates_year, LM_F_SKILL_MAP, 0, PEOPLE_MAX, 0),
    NUM(lm_region_params, institution_strength, 0, RATE_MAX, 0),
    NUM(lm_region_params, failure_tolerance, 0, 1, 0),
    NUM(lm_region_params, fiscal_pressure, 0, 1, 0),
    TYP(lm_region_params, sector_strength, LM_F_SECTOR_MAP, 0, INF, 0),
    TYP(lm_region_params, knowledge, LM_F_SECTOR_MAP, 0, INF, 0),
    TYP(lm_region_params, institutions, LM_F_SECTOR_MAP, 0, INF, 0),
    TYP(lm_region_params, chain, LM_F_LAYER_MAP, 0, 1, 0),
    TYP(lm_region_params, local_market_share, LM_F_MODEL_MAP, 0, 1, 0),
    SKIP(policies, 0),
};

/* Which kinds read which keys: params.h, struct lm_policy. */
static const lm__field policy_fields[] = {
    SKIP(kind, REQ),
    STR(lm_policy, name, 0),
    TYP(lm_policy, start, LM_F_MONTH, 0, 0, REQ),
    TYP(lm_policy, end, LM_F_MONTH, 0, 0, 0),
    TYP(lm_policy, sectors, LM_F_SECTOR_LIST, 0, 0, 0),
    TYP(lm_policy, layers, LM_F_LAYER_LIST, 0, 0, 0),
    {"enabled", LM_F_BOOL, offsetof(lm_policy, enabled), 0, 0, 0, 0, 0},
    PNUM(budget_cny_year, 0, INF, 0, BUDGETS),
    {"separate_budget_line", LM_F_BOOL, offsetof(lm_policy, separate_budget_line), 0, 0, 0, 0,
     BUDGETS},
    PNUM(loss_tolerance, 0, 1, 0, FUNDS),
    PNUM(gov_share, 0, 1, 0, FUNDS),
    PNUM(reinvest_ratio, 0, INF, 0, FUNDS),
    PNUM(freeze_months, 0, INF, 0, FUNDS),
    {"stages", LM_F_STAGE_LIST, offsetof(lm_policy, stages), 0, 0, 0, 0,
     FUNDS | K(DIRECT_INJECTION)}, /* finance issue */
    PNUM(amount_cny, 0, INF, 0, K(DIRECT_INJECTION)),
    PNUM(deals_seen_multiplier, 1, DEALS_SEEN_MAX, 0, DEALS),
    PNUM(noise_reduction, 0, 1, 0, DEALS),
    PNUM(option_share, 0, 1, 0, K(TALENT_RULE)),
    PNUM(tax_offset, 0, 1, 0, K(TALENT_RULE)),
    PNUM(attrition_reduction, 0, 1, 0, K(TALENT_RULE)),
    PNUM(talent_level, 0, PEOPLE_MAX, 0, K(TALENT_PROGRAM)), /* returnees found firms */
    PNUM(knowledge_per_month, 0, INF, 0, K(LAB)),
    PNUM(spinout_strength, 0, RATE_MAX, 0, K(LAB)),
    PNUM(rent_discount, 0, 1, 0, K(INDUSTRIAL_PARK)),
    PNUM(compute_boost, 0, 1, 0, K(INDUSTRIAL_PARK)),
    PNUM(chain_investment, 0, 1, 0, K(INDUSTRIAL_PARK)),
    PNUM(rate, 0, 1, 0, K(RD_SUBSIDY)),
    PNUM(value, 0, 1, 0, K(FAILURE_TOLERANCE)),
};

static const lm__field params_fields[] = {SKIP(entry, 0),  SKIP(rnd, 0),       SKIP(market, 0),
                                          SKIP(costs, 0),  SKIP(talent, 0),    SKIP(chain, 0),
                                          SKIP(platforms, 0), SKIP(tiers, 0),
                                          SKIP(finance, 0), SKIP(exits, 0)};

static const lm__field entry_fields[] = {
    NUM(lm_entry_params, base_rate, 0, 1, 0),   /* per person a month: a probability */
    NUM(lm_entry_params, alumni_rate, 0, 1, 0), /* likewise */
    NUM(lm_entry_params, spinout_rate, 0, RATE_MAX, 0),
    NUM(lm_entry_params, restart_rate, 0, 1, 0),
    NUM(lm_entry_params, returnee_rate, 0, RATE_MAX, 0),
    NUM(lm_entry_params, failed_memory_months, 0, 1200, LOX),
    NUM(lm_entry_params, outside_rate, 0, RATE_MAX, 0),
    NUM(lm_entry_params, outside_utility, -INF, INF, 0),
    NUM(lm_entry_params, outside_integration, 0, 1, 0),
    TYP(lm_entry_params, quality_mu, LM_F_SOURCE_MAP, -10, 10, 0), /* exp(10): 22,000x */
    NUM(lm_entry_params, quality_sigma, 0, 10, 0),
    NUM(lm_entry_params, beta, 0, INF, 0),
    NUM(lm_entry_params, moving_cost, 0, INF, 0),
    NUM(lm_entry_params, distance_cost, 0, INF, 0),
    NUM(lm_entry_params, w_round, 0, INF, 0),
    NUM(lm_entry_params, w_tal, 0, INF, 0),
    NUM(lm_entry_params, w_chain, 0, INF, 0),
    NUM(lm_entry_params, w_burn, 0, INF, 0),
    NUM(lm_entry_params, w_restart, 0, INF, 0),
    NUM(lm_entry_params, w_amen, 0, INF, 0),
    NUM(lm_entry_params, w_cost, 0, INF, 0),
    NUM(lm_entry_params, w_know, 0, INF, 0),
    NUM(lm_entry_params, angel_share, 0, 1, 0),
    NUM(lm_entry_params, prospect_months, 1, 1200, 0),
    NUM(lm_entry_params, prospect_prior, 0, INF, 0),
    NUM(lm_entry_params, seed_capital_cny, 0, INF, 0),
    NUM(lm_entry_params, seed_capital_sigma, 0, 10, 0),
    NUM(lm_entry_params, founders, 1, 100, 0),
};

static const lm__field rnd_fields[] = {
    NUM(lm_rnd_params, eta, 0, INF, 0),
    NUM(lm_rnd_params, kappa, 0, INF, 0),
    NUM(lm_rnd_params, knowledge_ref, 0, INF, LOX),
    NUM(lm_rnd_params, breakthrough_rate, 0, RATE_MAX, 0),
    NUM(lm_rnd_params, breakthrough_ref_cny, 0, INF, LOX),
    NUM(lm_rnd_params, breakthrough_kappa, 0, INF, 0),
    NUM(lm_rnd_params, rd_elasticity, 0, 2, 0), /* above 2 one firm's R&D swamps the rest */
    NUM(lm_rnd_params, theta_max, 0, INF, LOX),
    NUM(lm_rnd_params, jump_min, 0, INF, 0),
    NUM(lm_rnd_params, knowledge_decay, 0, 1, LOX | HIX),
    NUM(lm_rnd_params, spillover, 0, INF, 0), /* bounded with integration: validate.c */
    NUM(lm_rnd_params, knowledge_unit_cny, 0, INF, LOX),
    NUM(lm_rnd_params, compute_penalty, 0, 1, 0),
};

static const lm__field market_fields[] = {
    TYP(lm_market_params, gamma, LM_F_MODEL_MAP, 0, INF, LOX),
    TYP(lm_market_params, home_bias, LM_F_MODEL_MAP, 0, 1, 0),
    TYP(lm_market_params, volatility, LM_F_MODEL_MAP, 0, INF, 0),
    NUM(lm_market_params, visibility_gain, 0, INF, 0),
    NUM(lm_market_params, visibility_ref_cny_month, 0, INF, LOX),
    NUM(lm_market_params, visibility_rate, 0, 1, 0),
    NUM(lm_market_params, visibility_decay, 0, 1, 0),
    NUM(lm_market_params, breakthrough_visibility, 0, INF, 0),
    NUM(lm_market_params, adoption_months, 0, INF, 0),
    NUM(lm_market_params, national_gdp_100m_cny, 0, INF, LOX),
    NUM(lm_market_params, incumbent_revenue_cny_year, 0, INF, LOX),
};

static const lm__field cost_fields[] = {
    NUM(lm_cost_params, payroll_overhead, 0, INF, 0),
    NUM(lm_cost_params, tech_share, 0, 1, 0),
    NUM(lm_cost_params, compute_discount_max, 0, 1, 0),
    NUM(lm_cost_params, compute_weight_infra, 0, 1, 0),
    TYP(lm_cost_params, compute_layer, LM_F_LAYER_REF, 0, 0, 0),
    NUM(lm_cost_params, profit_tax, 0, 1, 0),
    NUM(lm_cost_params, hightech_tax, 0, 1, 0),
    TYP(lm_cost_params, grace_months, LM_F_INT, 0, 120, 0),
    NUM(lm_cost_params, runway_target_months, 0, INF, 0),
    NUM(lm_cost_params, runway_cut_months, 0, INF, 0),
    NUM(lm_cost_params, hire_rate, 0, 1, 0),
    NUM(lm_cost_params, cut_rate, 0, 1, 0),
    NUM(lm_cost_params, revenue_per_head_cny_month, 0, INF, LOX),
    NUM(lm_cost_params, max_headcount, 1, HEADCOUNT_MAX, 0),
    NUM(lm_cost_params, founder_unpaid_months, 0, 1200, 0),
    NUM(lm_cost_params, contract_share, 0, 1, 0),
    NUM(lm_cost_params, contract_margin, 0, 10, 0),
};

/* ---- ecosystem issue: talent, chain, platforms, tiers (params.h, MODEL.md 2, 5.8, 5.9) ---- */

static const lm__field talent_fields[] = {
    NUM(lm_talent_params, graduate_rate_year, 0, 1, 0),
    NUM(lm_talent_params, exit_rate_year, 0, 1, 0),
    NUM(lm_talent_params, mobility_year, 0, 1, 0),
    NUM(lm_talent_params, beta_wage, 0, INF, 0),
    NUM(lm_talent_params, beta_amenity, 0, INF, 0),
    NUM(lm_talent_params, beta_policy, 0, INF, 0),
    NUM(lm_talent_params, beta_openings, 0, INF, 0),
    NUM(lm_talent_params, move_cost, 0, INF, 0),
    NUM(lm_talent_params, distance_cost, 0, INF, 0),
    TYP(lm_talent_params, outside_wage_cny_month, LM_F_SKILL_MAP, 0, INF, LOX),
    NUM(lm_talent_params, outside_amenity, 0, 1, 0),
    NUM(lm_talent_params, outside_integration, 0, 1, 0),
    TYP(lm_talent_params, outside_movers_month, LM_F_SKILL_MAP, 0, PEOPLE_MAX, 0),
    NUM(lm_talent_params, hire_share, 0, 1, 0),
    NUM(lm_talent_params, wage_elasticity, 0, 100, 0),
    NUM(lm_talent_params, wage_speed, 0, 1, 0),
    NUM(lm_talent_params, key_attrition, 0, 1, 0),
    NUM(lm_talent_params, attrition_drag, 0, INF, 0), /* product with attrition <= 1: validate.c */
};

static const lm__field chain_fields[] = {
    NUM(lm_chain_params, growth, 0, 1, 0),
    NUM(lm_chain_params, mass_ref, 0, INF, LOX),
    NUM(lm_chain_params, decay, 0, 1, 0),
    NUM(lm_chain_params, base_share, 0, 1, 0),
    NUM(lm_chain_params, source_discount, 0, 1, 0),
};

static const lm__field platform_fields[] = {
    NUM(lm_platform_params, giant_headcount, GIANT_MIN, HEADCOUNT_MAX, 0),
    NUM(lm_platform_params, giant_revenue_cny_year, 0, INF, LOX),
    NUM(lm_platform_params, turnover, 0, 1, 0),
    NUM(lm_platform_params, alumni_decay, 0, 1, 0),
    NUM(lm_platform_params, training, 0, 1, 0),
};

static const lm__field tiers_fields[] = {SKIP(tech_sme, 0), SKIP(high_tech, 0),
                                         SKIP(little_giant, 0), SKIP(unicorn, 0),
                                         SKIP(dragon, 0)};

/* Every key of a tier; tier_keys below says which tier reads which. */
static const lm__field tier_rule_fields[] = {
    NUM(lm_tier_rule, min_age_months, 0, INF, 0),
    NUM(lm_tier_rule, max_headcount, 0, INF, 0),
    NUM(lm_tier_rule, max_revenue_cny, 0, INF, 0),
    NUM(lm_tier_rule, min_revenue_cny, 0, INF, 0),
    NUM(lm_tier_rule, min_tech_share, 0, 1, 0),
    NUM(lm_tier_rule, min_rd_intensity, 0, INF, 0),
    NUM(lm_tier_rule, band_small_cny, 0, INF, 0),
    NUM(lm_tier_rule, band_large_cny, 0, INF, 0),
    NUM(lm_tier_rule, rd_intensity_small, 0, INF, 0),
    NUM(lm_tier_rule, rd_intensity_mid, 0, INF, 0),
    NUM(lm_tier_rule, niche_share, 0, 1, 0),
    NUM(lm_tier_rule, revenue_a_cny, 0, INF, 0),
    NUM(lm_tier_rule, rd_intensity_a, 0, INF, 0),
    NUM(lm_tier_rule, revenue_b_cny, 0, INF, 0),
    NUM(lm_tier_rule, rd_intensity_b, 0, INF, 0),
    NUM(lm_tier_rule, equity_c_cny, 0, INF, 0),
    NUM(lm_tier_rule, rd_c_cny, 0, INF, 0),
    NUM(lm_tier_rule, tech_share_c, 0, 1, 0),
    NUM(lm_tier_rule, min_valuation_cny, 0, INF, 0),
    NUM(lm_tier_rule, cohort_share, 0, 1, 0),
    NUM(lm_tier_rule, min_visibility, 0, 1, 0),
    NUM(lm_tier_rule, max_age_months, 0, INF, 0),
    NUM(lm_tier_rule, valid_years, 1, 100, 0),
    NUM(lm_tier_rule, award_cny, 0, INF, 0),
    NUM(lm_tier_rule, investor_visibility, 1, INF, 0),
    NUM(lm_tier_rule, start_year, 0, 9999, 0),
    NUM(lm_tier_rule, take_up_first, 0, 1, 0),
    NUM(lm_tier_rule, take_up_last, 0, 1, 0),
    NUM(lm_tier_rule, take_up_first_year, 0, 9999, 0),
    NUM(lm_tier_rule, take_up_last_year, 0, 9999, 0),
    TYP(lm_tier_rule, to_c_eligible, LM_F_BOOL, 0, 0, 0),
};

/* Keys each tier reads (the others would be silently ignored, so they are errors). */
static const struct {
    const char *tier;
    size_t off;
    const char *keys;
} tier_keys[] = {
    {"tech_sme", offsetof(lm_tier_params, tech_sme),
     " min_age_months max_headcount max_revenue_cny min_tech_share min_rd_intensity"
     " valid_years award_cny investor_visibility start_year take_up_first take_up_last take_up_first_year take_up_last_year "},
    {"high_tech", offsetof(lm_tier_params, high_tech),
     " min_age_months min_revenue_cny min_tech_share min_rd_intensity band_small_cny"
     " band_large_cny rd_intensity_small rd_intensity_mid valid_years award_cny"
     " investor_visibility start_year take_up_first take_up_last take_up_first_year take_up_last_year "},
    {"little_giant", offsetof(lm_tier_params, little_giant),
     " min_age_months niche_share revenue_a_cny rd_intensity_a revenue_b_cny rd_intensity_b"
     " equity_c_cny rd_c_cny tech_share_c to_c_eligible valid_years award_cny investor_visibility start_year take_up_first take_up_last take_up_first_year take_up_last_year "},
    {"unicorn", offsetof(lm_tier_params, unicorn),
     " min_valuation_cny award_cny investor_visibility "},
    {"dragon", offsetof(lm_tier_params, dragon),
     " cohort_share min_visibility max_age_months"
     " award_cny investor_visibility "},
};

static lm_status read_tier(const lm__lctx *c, const lm__ynode *map, const char *path, size_t t)
{
    lm_status st = lm__fill_fields(c, map, path, tier_rule_fields, COUNT(tier_rule_fields),
                                   (char *)&c->p->tiers + tier_keys[t].off, -1);
    for (size_t i = 0; st == LM_OK && i < map->n; ++i) {
        const lm__ynode *key = map->item[2 * i];
        char word[LM_NAME_MAX + 2], sub[LM_PATH_MAX];
        snprintf(word, sizeof word, " %s ", key->text);
        if (strstr(tier_keys[t].keys, word))
            continue;
        lm__path_key(sub, path, key->text);
        st = lm__fail(c, key, sub, "key \"%s\" is not read for tier \"%s\"; its keys are:%s",
                      key->text, tier_keys[t].tier, tier_keys[t].keys);
    }
    return st;
}

static lm_status read_tiers(const lm__lctx *c, const lm__ynode *map)
{
    lm_status st = lm__fill_fields(c, map, "params.tiers", tiers_fields, COUNT(tiers_fields),
                                   &c->p->tiers, -1);
    for (size_t t = 0; st == LM_OK && t < COUNT(tier_keys); ++t) {
        const lm__ynode *sub = lm__ymap_get(map, tier_keys[t].tier);
        char path[LM_PATH_MAX];
        lm__path_key(path, "params.tiers", tier_keys[t].tier);
        if (sub)
            st = read_tier(c, sub, path, t);
    }
    /* errors point at the value written, or at the tier, or at tiers */
    const lm__ynode *ht = lm__ymap_get(map, "high_tech");
    const lm__ynode *lg = lm__ymap_get(map, "little_giant");
    const lm__ynode *band = lm__ymap_get(ht, "band_small_cny");
    const lm__ynode *rev = lm__ymap_get(lg, "revenue_b_cny");
    const lm_tier_rule *h = &c->p->tiers.high_tech;
    if (st == LM_OK && h->band_small_cny > h->band_large_cny)
        st = lm__fail(c, band ? band : ht ? ht : map, "params.tiers.high_tech.band_small_cny",
                      "band_small_cny %g is above band_large_cny %g", h->band_small_cny,
                      h->band_large_cny);
    const lm_tier_rule *g = &c->p->tiers.little_giant;
    if (st == LM_OK && g->revenue_b_cny > g->revenue_a_cny)
        st = lm__fail(c, rev ? rev : lg ? lg : map, "params.tiers.little_giant.revenue_b_cny",
                      "revenue_b_cny %g is above revenue_a_cny %g", g->revenue_b_cny,
                      g->revenue_a_cny);
    return st;
}

/* ---- finance issue: deals, funds, exits (params.h, MODEL.md 5.4, 5.5, 5.7) ---- */

#define MONTHS_MAX 1200.0 /* a century: longer fund lives or gaps are typos */

static const lm__field finance_fields[] = {
    TYP(lm_finance_params, enabled, LM_F_BOOL, 0, 0, 0),
    NUM(lm_finance_params, seek_runway_months, 0, MONTHS_MAX, 0),
    NUM(lm_finance_params, min_round_gap_months, 0, MONTHS_MAX, 0),
    NUM(lm_finance_params, prototype_progress, 0, 1, 0),
    NUM(lm_finance_params, round_months, 0, MONTHS_MAX, 0),
    TYP(lm_finance_params, round_cny, LM_F_STAGE_MAP, 0, INF, LOX),
    NUM(lm_finance_params, round_factor, 1, INF, 0),
    NUM(lm_finance_params, round_equity, 0, 1, HIX),
    TYP(lm_finance_params, pre_money_cny, LM_F_STAGE_MAP, 0, INF, LOX),
    TYP(lm_finance_params, stage_min_revenue_cny_year, LM_F_STAGE_MAP, 0, INF, 0),
    NUM(lm_finance_params, revenue_multiple, 0, INF, 0),
    NUM(lm_finance_params, price_slope, 0, 10, 0),
    NUM(lm_finance_params, min_close, 0, 1, LOX),
    NUM(lm_finance_params, option_pool, 0, 1, HIX),
    NUM(lm_finance_params, revenue_smoothing, 0, 1, LOX),
    NUM(lm_finance_params, signal_mean, -10, 10, 0),
    NUM(lm_finance_params, signal_sd, 0, 10, LOX),
    TYP(lm_finance_params, base_loss, LM_F_STAGE_MAP, 0, 1, LOX | HIX),
    TYP(lm_finance_params, min_loss, LM_F_STAGE_MAP, 0, 1, HIX), /* < base_loss: validate.c */
    NUM(lm_finance_params, loss_slope, 0, 100, 0),
    TYP(lm_finance_params, success_multiple, LM_F_STAGE_MAP, 0, INF, LOX),
    NUM(lm_finance_params, multiple_slope, 0, 10, 0),
    NUM(lm_finance_params, zero_loss_floor, 0, 1, 0),
    NUM(lm_finance_params, pool_share, 0, 1, 0),
    NUM(lm_finance_params, nonlocal_visibility, 0, 1, 0),
    TYP(lm_finance_params, deals_seen_month, LM_F_KIND_MAP, 0, 10000, 0),
    TYP(lm_finance_params, signal_noise, LM_F_KIND_MAP, 0, 100, 0),
    NUM(lm_finance_params, noise_dispersion, 0, 5, 0),
    TYP(lm_finance_params, hurdle, LM_F_KIND_MAP, 0, INF, 0),
    TYP(lm_finance_params, max_deal_loss, LM_F_KIND_MAP, 0, 1, 0),
    TYP(lm_finance_params, ticket_share, LM_F_KIND_MAP, 0, 1, LOX),
    NUM(lm_finance_params, max_deal_share, 0, 1, LOX),
    NUM(lm_finance_params, insider_noise, 0, 10, 0),
    NUM(lm_finance_params, fund_life_months, 1, MONTHS_MAX, 0),
    NUM(lm_finance_params, invest_months, 1, MONTHS_MAX, 0), /* <= fund life: validate.c */
    NUM(lm_finance_params, follow_on_reserve, 0, 1, 0),
    NUM(lm_finance_params, max_team_scale, 1, 1000, 0),
    NUM(lm_finance_params, deal_flow_months, 1, 120, 0),
    NUM(lm_finance_params, fee_rate, 0, 1, 0),
    NUM(lm_finance_params, carry, 0, 1, 0),
    NUM(lm_finance_params, subfund_gov_cny, 0, INF, LOX),
    NUM(lm_finance_params, gov_share_cap, 0, 1, 0),
    NUM(lm_finance_params, lp_private_share, 0, 1, 0),
    NUM(lm_finance_params, national_lp_cny_year, 0, INF, 0),
    NUM(lm_finance_params, national_lp_max_share, 0, 1, 0),
    NUM(lm_finance_params, vc_capital_share, 0, 1, 0),
    NUM(lm_finance_params, vc_fund_cny, 0, INF, LOX),
    NUM(lm_finance_params, vc_early_share, 0, 1, 0),
    NUM(lm_finance_params, strategic_cny_per_alumnus, 0, INF, 0),
    NUM(lm_finance_params, strategic_lp_share, 0, 1, 0),
    NUM(lm_finance_params, angel_groups, 0, 100, 0),
    NUM(lm_finance_params, angel_ticket_cny, 0, INF, 0),
};

static const lm__field exit_fields[] = {
    NUM(lm_exit_params, ipo_min_valuation_cny, 0, INF, 0),
    NUM(lm_exit_params, ipo_min_revenue_cny_year, 0, INF, 0),
    NUM(lm_exit_params, ipo_min_age_months, 0, MONTHS_MAX, 0),
    NUM(lm_exit_params, ipo_hazard, 0, 1, 0),
    NUM(lm_exit_params, ipo_revenue_multiple, 0, INF, 0),
    NUM(lm_exit_params, acq_hazard, 0, 1, 0),
    NUM(lm_exit_params, acq_outside_factor, 0, 1, 0),
    NUM(lm_exit_params, acq_min_revenue_cny_year, 0, INF, 0),
    NUM(lm_exit_params, acq_min_age_months, 0, MONTHS_MAX, 0),
    NUM(lm_exit_params, acq_revenue_multiple, 0, INF, 0),
    NUM(lm_exit_params, acq_valuation_share, 0, INF, 0),
    NUM(lm_exit_params, exit_wealth_share, 0, 1, 0),
};

/* ---- lists of declared things ---- */

/* A list of 1..max (0..max when min is 0) items; *n its length. */
static lm_status read_list(const lm__lctx *c, const lm__ynode *seq, const char *path,
                           const char *what, int min, int max, int *n)
{
    lm_status st = lm__expect_kind(c, seq, path, LM_Y_SEQ);
    if (st != LM_OK)
        return st;
    if (seq->n < (size_t)min)
        return lm__fail(c, seq, path, "at least %d %s required, got none", min,
                        min == 1 ? "entry is" : "entries are");
    if (seq->n > (size_t)max)
        return lm__fail(c, seq, path, "%zu %s, more than the limit of %d", seq->n, what, max);
    *n = (int)seq->n;
    return LM_OK;
}

/* The line where the key field of item j of seq was first written. */
static int line_of(const lm__ynode *seq, size_t j, const char *key)
{
    const lm__ynode *item = lm__yseq_item(seq, j);
    const lm__ynode *k = key ? lm__ymap_get(item, key) : item;
    return k ? k->line : 0;
}

static lm_status read_layers(const lm__lctx *c, const lm__ynode *seq)
{
    lm_params *p = c->p;
    int n = 0;
    lm_status st = read_list(c, seq, "layers", "layers", 0, LM_MAX_LAYERS, &n);
    for (int l = 0; st == LM_OK && l < n; ++l) {
        char path[LM_PATH_MAX];
        lm__path_index(path, "layers", (size_t)l);
        st = lm__read_id(c, seq->item[l], path, p->layer_id[l]);
        p->n_layers = l; /* only earlier layers count when looking for a duplicate */
        const int first = st == LM_OK ? lm__layer_index(p, p->layer_id[l]) : -1;
        if (first >= 0)
            st = lm__fail(c, seq->item[l], path, "duplicate layer \"%s\" (first at line %d)",
                          p->layer_id[l], line_of(seq, (size_t)first, NULL));
    }
    p->n_layers = st == LM_OK ? n : 0;
    return st;
}

static lm_status read_sectors(const lm__lctx *c, const lm__ynode *seq)
{
    lm_params *p = c->p;
    int n = 0;
    lm_status st = read_list(c, seq, "sectors", "sectors", 1, LM_MAX_SECTORS, &n);
    for (int s = 0; st == LM_OK && s < n; ++s) {
        char path[LM_PATH_MAX];
        lm__path_index(path, "sectors", (size_t)s);
        lm_sector_params *sp = &p->sectors[s];
        lm__sector_defaults(sp);
        st = lm__fill_fields(c, seq->item[s], path, sector_fields, COUNT(sector_fields), sp, -1);
        p->n_sectors = s;
        const int first = st == LM_OK ? lm__sector_index(p, sp->id) : -1;
        if (first >= 0) {
            char sub[LM_PATH_MAX];
            lm__path_key(sub, path, "id");
            st = lm__fail(c, lm__ymap_get(seq->item[s], "id"), sub,
                          "duplicate sector \"%s\" (first at line %d)", sp->id,
                          line_of(seq, (size_t)first, "id"));
        }
    }
    p->n_sectors = st == LM_OK ? n : 0;
    return st;
}

/* ---- regions and their policies ---- */

static lm_status read_policy(const lm__lctx *c, const lm__ynode *map, const char *path,
                             lm_policy *pol)
{
    char sub[LM_PATH_MAX];
    lm__path_key(sub, path, "kind");
    lm_status st = lm__expect_kind(c, map, path, LM_Y_MAP);
    if (st != LM_OK)
        return st;
    const lm__ynode *kn = lm__ymap_get(map, "kind");
    if (!kn)
        return lm__fail(c, map, sub, "required key \"kind\" is missing");
    char name[LM_NAME_MAX];
    st = lm__read_string(c, kn, sub, name, sizeof name);
    if (st != LM_OK)
        return st;
    const int kind = lm__policy_kind_from_name(name);
    if (kind < 0) {
        const char *kinds[LM_POLICY_KIND_COUNT];
        for (int k = 0; k < LM_POLICY_KIND_COUNT; ++k)
            kinds[k] = lm__policy_kind_name(k);
        char msg[320];
        snprintf(msg, sizeof msg, "unknown policy kind \"%s\"", name);
        return lm__fail(c, kn, sub, "%s",
                        lm__did_you_mean(msg, sizeof msg, name, kinds, LM_POLICY_KIND_COUNT));
    }
    lm__policy_defaults(pol, (lm_policy_kind)kind);
    return lm__fill_fields(c, map, path, policy_fields, COUNT(policy_fields), pol, kind);
}

static lm_status read_policies(const lm__lctx *c, const lm__ynode *seq, const char *path,
                               lm_region_params *r)
{
    int n = 0;
    lm_status st = read_list(c, seq, path, "policies", 0, LM_MAX_POLICIES, &n);
    for (int i = 0; st == LM_OK && i < n; ++i) {
        char sub[LM_PATH_MAX];
        lm__path_index(sub, path, (size_t)i);
        st = read_policy(c, seq->item[i], sub, &r->policies[i]);
    }
    r->n_policies = st == LM_OK ? n : 0;
    return st;
}

static lm_status read_region(const lm__lctx *c, const lm__ynode *map, const char *path,
                             lm_region_params *r)
{
    lm__region_defaults(r);
    lm_status st = lm__fill_fields(c, map, path, region_fields, COUNT(region_fields), r, -1);
    if (st == LM_OK && r->name[0] == '\0') {
        char sub[LM_PATH_MAX];
        lm__path_key(sub, path, "name");
        st = lm__fail(c, lm__ymap_get(map, "name"), sub, "a region name must not be empty");
    }
    const lm__ynode *pol = lm__ymap_get(map, "policies");
    if (st == LM_OK && pol) {
        char sub[LM_PATH_MAX];
        lm__path_key(sub, path, "policies");
        st = read_policies(c, pol, sub, r);
    }
    return st;
}

static lm_status read_regions(const lm__lctx *c, const lm__ynode *seq)
{
    lm_params *p = c->p;
    int n = 0;
    lm_status st = read_list(c, seq, "regions", "regions", 1, LM_MAX_REGIONS, &n);
    if (st != LM_OK)
        return st;
    p->regions = calloc((size_t)n, sizeof *p->regions);
    if (!p->regions)
        return lm_error_set_at(c->err, LM_ENOMEM, c->file, seq->line, seq->column, "regions",
                               "out of memory for %d regions", n);
    for (int r = 0; st == LM_OK && r < n; ++r) {
        char path[LM_PATH_MAX];
        lm__path_index(path, "regions", (size_t)r);
        st = read_region(c, seq->item[r], path, &p->regions[r]);
        p->n_regions = r;
        const int first = st == LM_OK ? lm__region_index(p, p->regions[r].name) : -1;
        if (first >= 0) {
            char sub[LM_PATH_MAX];
            lm__path_key(sub, path, "name");
            st = lm__fail(c, lm__ymap_get(seq->item[r], "name"), sub,
                          "duplicate region \"%s\" (first at line %d)", p->regions[r].name,
                          line_of(seq, (size_t)first, "name"));
        }
    }
    p->n_regions = st == LM_OK ? n : 0;
    return st;
}

/* ---- integration ---- */

typedef struct integration_in {
    double def; /* off-diagonal value for pairs the matrix does not give */
} integration_in;

static const lm__field integration_fields[] = {
    {"default", LM_F_NUM, offsetof(integration_in, def), 0, 0, 1, 0, 0},
    SKIP(regions, 0),
    SKIP(matrix, 0),
};

/* integration.regions: indices of the named regions, each once. */
static lm_status read_matrix_regions(const lm__lctx *c, const lm__ynode *seq, int *idx, int *k)
{
    const char *path = "integration.regions";
    lm_status st = read_list(c, seq, path, "regions", 1, LM_MAX_REGIONS, k);
    for (int i = 0; st == LM_OK && i < *k; ++i) {
        char sub[LM_PATH_MAX], name[LM_NAME_MAX];
        lm__path_index(sub, path, (size_t)i);
        st = lm__read_string(c, seq->item[i], sub, name, sizeof name);
        if (st != LM_OK)
            break;
        idx[i] = lm__region_index(c->p, name);
        if (idx[i] < 0) {
            const char *names[LM_MAX_REGIONS];
            for (int r = 0; r < c->p->n_regions; ++r)
                names[r] = c->p->regions[r].name;
            char msg[320];
            snprintf(msg, sizeof msg, "unknown region \"%s\" in integration.regions", name);
            return lm__fail(
                c, seq->item[i], sub, "%s",
                lm__did_you_mean(msg, sizeof msg, name, names, (size_t)c->p->n_regions));
        }
        for (int j = 0; j < i; ++j)
            if (idx[j] == idx[i])
                return lm__fail(c, seq->item[i], sub, "duplicate region \"%s\" (first at line %d)",
                                name, seq->item[j]->line);
    }
    return st;
}

static lm_status read_matrix_row(const lm__lctx *c, const lm__ynode *row, size_t i, const int *idx,
                                 int k)
{
    char path[LM_PATH_MAX];
    lm__path_index(path, "integration.matrix", i);
    lm_status st = lm__expect_kind(c, row, path, LM_Y_SEQ);
    if (st == LM_OK && row->n != (size_t)k)
        st = lm__fail(c, row, path, "matrix row %zu has %zu numbers, expected %d", i, row->n, k);
    const int n = c->p->n_regions;
    for (size_t j = 0; st == LM_OK && j < row->n; ++j) {
        char sub[LM_PATH_MAX];
        lm__path_index(sub, path, j);
        double v;
        st = lm__read_number(c, row->item[j], sub, 0, 1, 0, &v);
        if (st == LM_OK && i == j && v != 1.0)
            st = lm__fail(c, row->item[j], sub,
                          "the diagonal of the matrix must be 1 (a region is fully integrated "
                          "with itself), got %s",
                          row->item[j]->text);
        if (st == LM_OK)
            c->p->integration[(size_t)idx[i] * (size_t)n + (size_t)idx[j]] = v;
    }
    return st;
}

static lm_status read_matrix(const lm__lctx *c, const lm__ynode *regions, const lm__ynode *matrix)
{
    int idx[LM_MAX_REGIONS], k = 0;
    lm_status st = read_matrix_regions(c, regions, idx, &k);
    if (st == LM_OK)
        st = lm__expect_kind(c, matrix, "integration.matrix", LM_Y_SEQ);
    if (st == LM_OK && matrix->n != (size_t)k)
        st = lm__fail(c, matrix, "integration.matrix",
                      "matrix has %zu rows, expected %d (one per entry of integration.regions)",
                      matrix->n, k);
    for (size_t i = 0; st == LM_OK && i < matrix->n; ++i)
        st = read_matrix_row(c, matrix->item[i], i, idx, k);
    return st;
}

static lm_status read_integration(const lm__lctx *c, const lm__ynode *map)
{
    lm_params *p = c->p;
    const size_t n = (size_t)p->n_regions;
    integration_in in = {0.0};
    lm_status st = LM_OK;
    if (map)
        st = lm__fill_fields(c, map, "integration", integration_fields, COUNT(integration_fields),
                             &in, -1);
    if (st != LM_OK)
        return st;
    p->integration = malloc(n * n * sizeof *p->integration);
    if (!p->integration)
        return lm_error_set_at(c->err, LM_ENOMEM, c->file, 0, 0, "integration",
                               "out of memory for the integration matrix");
    for (size_t i = 0; i < n; ++i)
        for (size_t j = 0; j < n; ++j)
            p->integration[i * n + j] = i == j ? 1.0 : in.def;
    const lm__ynode *regions = lm__ymap_get(map, "regions"), *matrix = lm__ymap_get(map, "matrix");
    if (!regions && !matrix)
        return LM_OK;
    if (!regions || !matrix)
        return lm__fail(c, map, regions ? "integration.matrix" : "integration.regions",
                        "required key \"%s\" is missing (regions and matrix go together)",
                        regions ? "matrix" : "regions");
    return read_matrix(c, regions, matrix);
}

/* ---- global parameters ---- */

static lm_status read_params(const lm__lctx *c, const lm__ynode *map)
{
    lm_params *p = c->p;
    lm_status st = lm__fill_fields(c, map, "params", params_fields, COUNT(params_fields), p, -1);
    const struct {
        const char *key;
        const lm__field *tab;
        size_t n;
        void *base;
    } parts[] = {
        {"entry", entry_fields, COUNT(entry_fields), &p->entry},
        {"rnd", rnd_fields, COUNT(rnd_fields), &p->rnd},
        {"market", market_fields, COUNT(market_fields), &p->market},
        {"costs", cost_fields, COUNT(cost_fields), &p->costs},
        {"talent", talent_fields, COUNT(talent_fields), &p->talent},
        {"chain", chain_fields, COUNT(chain_fields), &p->chain},
        {"platforms", platform_fields, COUNT(platform_fields), &p->platforms},
        {"finance", finance_fields, COUNT(finance_fields), &p->finance}, /* finance issue */
        {"exits", exit_fields, COUNT(exit_fields), &p->exits},
    };
    for (size_t i = 0; st == LM_OK && i < COUNT(parts); ++i) {
        const lm__ynode *sub = lm__ymap_get(map, parts[i].key);
        char path[LM_PATH_MAX];
        lm__path_key(path, "params", parts[i].key);
        if (sub)
            st = lm__fill_fields(c, sub, path, parts[i].tab, parts[i].n, parts[i].base, -1);
    }
    const lm__ynode *tiers = lm__ymap_get(map, "tiers");
    if (st == LM_OK && tiers)
        st = read_tiers(c, tiers);
    return st;
}

lm_status lm__fill_params(const lm__lctx *c)
{
    const lm__ynode *root = c->root;
    lm_status st = lm__fill_fields(c, root, "", top_fields, COUNT(top_fields), c->p, -1);
    const lm__ynode *node;
    if (st == LM_OK && (node = lm__ymap_get(root, "period")) != NULL)
        st = lm__fill_fields(c, node, "period", period_fields, COUNT(period_fields), c->p, -1);
    if (st == LM_OK && (node = lm__ymap_get(root, "layers")) != NULL)
        st = read_layers(c, node);
    if (st == LM_OK)
        st = read_sectors(c, lm__ymap_get(root, "sectors"));
    if (st == LM_OK && (node = lm__ymap_get(root, "params")) != NULL)
        st = read_params(c, node);
    if (st == LM_OK)
        st = read_regions(c, lm__ymap_get(root, "regions"));
    if (st == LM_OK)
        st = read_integration(c, lm__ymap_get(root, "integration"));
    return st;
}
