/* tests/unit/scenario/test_load.c -- the YAML scenario loader (src/scenario/load.c and
 * friends). Two halves: tiny.yaml loads with the right numbers (defaults, masks, normalised
 * weights, derived market shares, the integration matrix, Chinese names byte for byte); and
 * every malformed file in tests/data/bad/ fails with the exact line, column and field and a
 * recognisable message. Cases too large to commit (a 50 MB file, 257 regions) are made here. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <criterion/redirect.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "longmen/longmen.h"
#include "scenario/load_int.h"

#define TINY LM_TEST_DATA "/tiny.yaml"
#define BAD_DIR LM_TEST_DATA "/bad"

static lm_scenario *load_tiny(void)
{
    lm_scenario *sc = NULL;
    lm_error err;
    const lm_status st = lm_scenario_load(TINY, &sc, &err);
    char buf[1024];
    cr_assert_eq(st, LM_OK, "%s", lm_error_format(&err, buf, sizeof buf));
    cr_assert_not_null(sc);
    return sc;
}

/* Reads a whole file (test helper; the loader has its own bounded reader). */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    const long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return buf;
}

/* ---- tiny.yaml: values ---- */

Test(scenario_tiny, names_and_period)
{
    lm_scenario *sc = load_tiny();
    cr_assert_str_eq(lm_scenario_name(sc), "tiny");
    cr_assert_str_eq(lm_scenario_path(sc), TINY);
    cr_assert_eq(lm_scenario_region_count(sc), 2);
    cr_assert_eq(memcmp(lm_scenario_region_name(sc, 0), "\xe7\x94\xb2\xe5\xb8\x82", 7), 0);
    cr_assert_str_eq(lm_scenario_region_name(sc, 1), "乙市");
    cr_assert_null(lm_scenario_region_name(sc, 2));
    cr_assert_null(lm_scenario_region_name(sc, -1));
    cr_assert_eq(lm_scenario_sector_count(sc), 2);
    cr_assert_str_eq(lm_scenario_sector_id(sc, 0), "ai_models");
    cr_assert_str_eq(lm_scenario_sector_id(sc, 1), "robotics");
    cr_assert_null(lm_scenario_sector_id(sc, 2));
    cr_assert_eq(lm_scenario_seed(sc), 42u);
    int32_t start, end;
    lm_scenario_period(sc, &start, &end);
    cr_assert_eq(start, 2015 * 12);
    cr_assert_eq(end, 2016 * 12 + 11);
    const lm_params *p = lm__scenario_params(sc);
    cr_assert_str_eq(p->sectors[0].name, "AI 大模型");
    cr_assert_str_eq(p->regions[0].province, "浙江省");
    cr_assert_str_eq(p->regions[1].province, "");
    cr_assert_str_eq(p->regions[0].policies[0].name, "甲市科创基金");
    lm_scenario_free(sc);
}

Test(scenario_tiny, text_is_kept_byte_for_byte)
{
    size_t len;
    char *want = slurp(TINY, &len);
    lm_scenario *sc = load_tiny();
    cr_assert_eq(strlen(lm_scenario_text(sc)), len);
    cr_assert_eq(memcmp(lm_scenario_text(sc), want, len + 1), 0);
    lm_scenario_free(sc);
    free(want);
}

Test(scenario_tiny, layers_and_masks)
{
    lm_scenario *sc = load_tiny();
    const lm_params *p = lm__scenario_params(sc);
    cr_assert_eq(p->n_layers, 2);
    cr_assert_str_eq(p->layer_id[0], "chip_design");
    cr_assert_str_eq(p->layer_id[1], "compute");
    cr_assert_eq(p->costs.compute_layer, 1, "derived from the layer named compute");
    cr_assert_eq(p->sectors[0].layers, 0x3u);
    cr_assert_eq(p->sectors[1].layers, 0x1u);
    cr_assert_eq(p->regions[0].platform_sectors, 0x1u);
    cr_assert_eq(p->regions[1].platform_sectors, 0x0u, "default: none");
    cr_assert_eq(p->regions[0].policies[0].sectors, 0x3u);
    cr_assert_eq(p->regions[0].policies[0].layers, UINT32_MAX, "default: all layers");
    cr_assert_eq(p->regions[1].policies[0].sectors, 0x2u);
    lm_scenario_free(sc);
}

Test(scenario_tiny, sectors_weights_and_defaults)
{
    lm_scenario *sc = load_tiny();
    const lm_params *p = lm__scenario_params(sc);
    const lm_sector_params *ai = &p->sectors[0], *rob = &p->sectors[1];
    cr_assert_eq(ai->skill, LM_SKILL_SOFTWARE);
    cr_assert_eq(rob->skill, LM_SKILL_HARDWARE);
    cr_assert_float_eq(ai->model_weight[LM_MODEL_TO_C], 0.5, 1e-12);
    cr_assert_float_eq(ai->model_weight[LM_MODEL_TO_B], 0.25, 1e-12);
    cr_assert_float_eq(ai->model_weight[LM_MODEL_TO_G], 0.25, 1e-12);
    cr_assert_float_eq(rob->model_weight[LM_MODEL_TO_C], 0.0, 1e-12, "omitted model is 0");
    cr_assert_float_eq(rob->model_weight[LM_MODEL_TO_B], 0.75, 1e-12);
    cr_assert_float_eq(rob->model_weight[LM_MODEL_TO_G], 0.25, 1e-12);
    cr_assert_float_eq(ai->rd_months, 15.5, 1e-12);
    cr_assert_float_eq(ai->team_size, 6.0, 1e-12);
    cr_assert_float_eq(ai->compute_share, 0.35, 1e-12);
    cr_assert_float_eq(ai->pareto_alpha, 1.35, 1e-12);
    cr_assert_float_eq(ai->market_cny_year[LM_MODEL_TO_C], 2.385e10, 1.0);
    cr_assert(ai->strategic);
    cr_assert_not(rob->strategic);
    /* robotics leaves these out: defaults of defaults.c */
    cr_assert_float_eq(rob->team_size, 5.0, 1e-12);
    cr_assert_float_eq(rob->pareto_alpha, 1.5, 1e-12);
    cr_assert_float_eq(rob->market_cny_year[LM_MODEL_TO_B], 1.0e10, 1.0);
    cr_assert_float_eq(rob->incumbents, 120.0, 1e-12);
    lm_scenario_free(sc);
}

Test(scenario_tiny, regions_values_and_defaults)
{
    lm_scenario *sc = load_tiny();
    const lm_params *p = lm__scenario_params(sc);
    const lm_region_params *a = &p->regions[0], *b = &p->regions[1];
    cr_assert_float_eq(a->population_10k, 1252.2, 1e-9);
    cr_assert_float_eq(a->wage_cny_month[LM_SKILL_DESIGN], 14000.0, 1e-9);
    cr_assert_float_eq(a->talent[LM_SKILL_MANUFACTURING], 150000.0, 1e-9);
    cr_assert_float_eq(a->amenity, 0.8, 1e-12);
    cr_assert_float_eq(b->amenity, 0.5, 1e-12, "default");
    cr_assert_float_eq(b->rent_cny_head_month, 2500.0, 1e-9, "default");
    cr_assert_float_eq(a->sector_strength[0], 2.0, 1e-12);
    cr_assert_float_eq(a->sector_strength[1], 1.0, 1e-12, "absent sectors keep 1");
    cr_assert_float_eq(a->knowledge[1], 1200.0, 1e-9);
    cr_assert_float_eq(a->institutions[1], 0.0, 1e-12);
    cr_assert_float_eq(b->chain[0], 0.5, 1e-12);
    cr_assert_float_eq(b->chain[1], 0.0, 1e-12);
    lm_scenario_free(sc);
}

Test(scenario_tiny, local_market_share_derived_from_gdp)
{
    lm_scenario *sc = load_tiny();
    const lm_params *p = lm__scenario_params(sc);
    const double nat = 1260582.0;
    cr_assert_float_eq(p->market.national_gdp_100m_cny, nat, 1e-6);
    const double *a = p->regions[0].local_market_share, *b = p->regions[1].local_market_share;
    cr_assert_float_eq(a[LM_MODEL_TO_C], 20059.0 / nat, 1e-15);
    cr_assert_float_eq(a[LM_MODEL_TO_B], 20059.0 / nat, 1e-15);
    cr_assert_float_eq(a[LM_MODEL_TO_G], 0.03, 1e-15, "given in the YAML");
    for (int m = 0; m < LM_MODEL_COUNT; ++m)
        cr_assert_float_eq(b[m], 12085.0 / nat, 1e-15);
    lm_scenario_free(sc);
}

Test(scenario_tiny, integration_matrix_row_major)
{
    lm_scenario *sc = load_tiny();
    const lm_params *p = lm__scenario_params(sc);
    cr_assert_float_eq(p->integration[0], 1.0, 0.0);
    cr_assert_float_eq(p->integration[1], 0.6, 1e-15, "甲市 -> 乙市, row 0");
    cr_assert_float_eq(p->integration[2], 0.4, 1e-15, "乙市 -> 甲市, row 1");
    cr_assert_float_eq(p->integration[3], 1.0, 0.0);
    lm_scenario_free(sc);
}

Test(scenario_tiny, policies)
{
    lm_scenario *sc = load_tiny();
    const lm_params *p = lm__scenario_params(sc);
    cr_assert_eq(p->regions[0].n_policies, 1);
    const lm_policy *fund = &p->regions[0].policies[0];
    cr_assert_eq(fund->kind, LM_POLICY_ST_FUND);
    cr_assert_eq(fund->start, lm_month_of(2015, 1));
    cr_assert_eq(fund->end, LM_MONTH_NEVER);
    cr_assert_float_eq(fund->budget_cny_year, 1.0e9, 1e-3);
    cr_assert(fund->separate_budget_line);
    cr_assert_float_eq(fund->loss_tolerance, 0.3, 1e-12);
    cr_assert_float_eq(fund->gov_share, 0.25, 1e-12, "default");
    const lm_policy *lab = &p->regions[1].policies[0];
    cr_assert_eq(lab->kind, LM_POLICY_LAB);
    cr_assert_eq(lab->start, lm_month_of(2016, 1));
    cr_assert_eq(lab->end, lm_month_of(2016, 7));
    cr_assert_float_eq(lab->spinout_strength, 5.0, 1e-12);
    cr_assert_float_eq(lab->knowledge_per_month, 50.0, 1e-12, "default for a lab");
    lm_scenario_free(sc);
}

Test(scenario_tiny, global_params)
{
    lm_scenario *sc = load_tiny();
    const lm_params *p = lm__scenario_params(sc);
    cr_assert_float_eq(p->entry.base_rate, 5.0e-5, 1e-18);
    cr_assert_float_eq(p->entry.outside_rate, 20.0, 1e-12);
    cr_assert_float_eq(p->entry.alumni_rate, 4.0e-4, 1e-18, "default");
    cr_assert_float_eq(p->entry.quality_mu[LM_SOURCE_PLATFORM], 0.35, 1e-12);
    cr_assert_float_eq(p->entry.quality_mu[LM_SOURCE_SERIAL], 0.2, 1e-12, "default kept");
    cr_assert_float_eq(p->rnd.spillover, 0.003, 1e-15);
    cr_assert_float_eq(p->rnd.knowledge_decay, 0.02, 1e-15);
    cr_assert_float_eq(p->market.gamma[LM_MODEL_TO_C], 1.8, 1e-12);
    cr_assert_float_eq(p->market.gamma[LM_MODEL_TO_B], 1.2, 1e-12, "default kept");
    cr_assert_eq(p->costs.grace_months, 4);
    cr_assert_float_eq(p->costs.profit_tax, 0.25, 1e-12);
    lm_scenario_free(sc);
}

/* The engine tests rely on tiny.yaml staying small: ~100 founders a month at most. */
Test(scenario_tiny, founder_rate_is_small)
{
    lm_scenario *sc = load_tiny();
    const lm_params *p = lm__scenario_params(sc);
    double rate = p->entry.outside_rate;
    for (int r = 0; r < p->n_regions; ++r) {
        const lm_region_params *rp = &p->regions[r];
        for (int k = 0; k < LM_SKILL_COUNT; ++k)
            rate += p->entry.base_rate * rp->talent[k];
        rate += p->entry.alumni_rate * rp->platform_alumni;
        rate += p->entry.spinout_rate * rp->institution_strength;
    }
    cr_assert_lt(rate, 100.0);
    lm_scenario_free(sc);
}

Test(scenario_tiny, load_string_names_errors_and_has_no_path)
{
    size_t len;
    char *text = slurp(TINY, &len);
    lm_scenario *sc = NULL;
    lm_error err;
    cr_assert_eq(lm_scenario_load_string(text, len, "inline", &sc, &err), LM_OK);
    cr_assert_str_eq(lm_scenario_path(sc), "");
    cr_assert_str_eq(lm_scenario_name(sc), "tiny");
    lm_scenario_free(sc);
    free(text);

    const char bad[] = "name: x\nsectors: [{id: a}]\nregions: 3\n";
    cr_assert_eq(lm_scenario_load_string(bad, sizeof bad - 1, "inline", &sc, &err), LM_EINVAL);
    cr_assert_null(sc);
    cr_assert_str_eq(err.file, "inline");
    cr_assert_eq(err.line, 3);
    cr_assert_eq(err.column, 10);
    cr_assert_str_eq(err.field, "regions");
    cr_assert_str_eq(err.message, "expected a list, got 3");
}

Test(scenario_tiny, market_base_defaults_to_2015_01_and_is_read)
{
    size_t len;
    char *text = slurp(TINY, &len);
    lm_scenario *sc = NULL;
    lm_error err;
    cr_assert_eq(lm_scenario_load_string(text, len, "inline", &sc, &err), LM_OK);
    cr_assert_eq(lm__scenario_params(sc)->market_base, lm_month_of(2015, 1));
    lm_scenario_free(sc);
    const char key[] = "\nmarket_base: 2012-06\n";
    char *more = malloc(len + sizeof key);
    memcpy(more, text, len);
    memcpy(more + len, key, sizeof key);
    cr_assert_eq(lm_scenario_load_string(more, len + sizeof key - 1, "inline", &sc, &err), LM_OK);
    cr_assert_eq(lm__scenario_params(sc)->market_base, lm_month_of(2012, 6));
    lm_scenario_free(sc);
    free(more);
    free(text);
}

/* ---- set_period ---- */

Test(scenario_period, narrows_and_refuses)
{
    lm_scenario *sc = load_tiny();
    lm_error err;
    int32_t s, e;
    cr_assert_eq(lm_scenario_set_period(sc, lm_month_of(2014, 12), lm_month_of(2016, 1), &err),
                 LM_EINVAL);
    cr_assert_str_eq(err.field, "period");
    cr_assert(strstr(err.message, "2014-12..2016-01 is outside the scenario's period "
                                  "2015-01..2016-12"));
    cr_assert_eq(lm_scenario_set_period(sc, lm_month_of(2015, 6), lm_month_of(2017, 1), &err),
                 LM_EINVAL);
    cr_assert_eq(lm_scenario_set_period(sc, lm_month_of(2016, 3), lm_month_of(2015, 3), &err),
                 LM_EINVAL);
    cr_assert(strstr(err.message, "from 2016-03 is after to 2015-03"));
    lm_scenario_period(sc, &s, &e);
    cr_assert_eq(s, lm_month_of(2015, 1), "unchanged after a failure");
    cr_assert_eq(e, lm_month_of(2016, 12));

    cr_assert_eq(lm_scenario_set_period(sc, lm_month_of(2015, 6), lm_month_of(2015, 6), &err),
                 LM_OK);
    lm_scenario_period(sc, &s, &e);
    cr_assert_eq(s, lm_month_of(2015, 6));
    cr_assert_eq(e, lm_month_of(2015, 6));
    cr_assert_eq(err.code, LM_OK);
    lm_scenario_free(sc);
}

/* ---- malformed files ---- */

/* Arrays, not pointers: Criterion copies parameters into a fresh process. */
typedef struct bad_case {
    char file[48];
    int line, column;
    char field[64];
    char fragment[160]; /* must occur in the message */
} bad_case;

/* One row per file of tests/data/bad/ (bad.every_file_is_in_the_table keeps them in step). */
static const bad_case bad_cases[] = {
    {"attrition_drag_too_large.yaml", 11, 49, "params.talent.attrition_drag",
     "attrition_drag 30 times key_attrition 0.05 is above 1"},
    {"bad_policy_kind.yaml", 12, 15, "regions[0].policies[0].kind",
     "unknown policy kind \"st_fnd\"; did you mean \"st_fund\"?"},
    {"bad_scenario_name.yaml", 2, 7, "name", "got \"三 capitals/2\""},
    {"bad_sector_id.yaml", 4, 9, "sectors[0].id",
     "expected an id of lowercase letters, digits and \"_\", got \"AI Models\""},
    {"base_rate_above_one.yaml", 13, 16, "params.entry.base_rate",
     "expected a number in [0, 1], got 2.385"},
    {"bool_yes.yaml", 5, 16, "sectors[0].strategic", "expected true or false, got \"yes\""},
    {"comments_only.yaml", 1, 1, "", "the file is empty"},
    {"date_before_1900.yaml", 4, 10, "period.start", "date out of range"},
    {"duplicate_key.yaml", 12, 5, "regions[0].amenity",
     "duplicate key \"amenity\" (first at line 11)"},
    {"duplicate_layer.yaml", 3, 32, "layers[2]",
     "duplicate layer \"chip_design\" (first at line 3)"},
    {"duplicate_region.yaml", 15, 11, "regions[2].name",
     "duplicate region \"杭州\" (first at line 7)"},
    {"duplicate_sector.yaml", 6, 9, "sectors[2].id",
     "duplicate sector \"games\" (first at line 4)"},
    {"empty.yaml", 1, 1, "", "the file is empty"},
    {"empty_value.yaml", 11, 5, "regions[0].cost_index", "expected a positive number, got nothing"},
    {"end_before_start.yaml", 5, 8, "period.end", "end 2014-12 is before start 2015-01"},
    {"extends.yaml", 2, 10, "extends", "extends cycle: "},
    {"finance_min_loss_above_base.yaml", 12, 15, "params.finance.min_loss.seed",
     "min_loss 0.8 of stage seed must be below its base_loss 0.75"},
    {"finance_stage_unknown.yaml", 11, 56, "regions[0].policies[0].stages[1]",
     "unknown stage \"series_a\""},
    {"founder_rate_1e12.yaml", 13, 19, "params.entry.outside_rate",
     "expected a number in [0, 1e+06], got 1e12"},
    {"gamma_zero.yaml", 13, 30, "params.market.gamma.to_b", "expected a positive number, got 0"},
    {"gdp_above_national.yaml", 9, 19, "regions[0].gdp_100m_cny",
     "GDP 20059 is larger than the national GDP 10000"},
    {"grace_months_fraction.yaml", 12, 25, "params.costs.grace_months",
     "expected a whole number in [0, 120], got 2.5"},
    {"grace_months_large.yaml", 12, 25, "params.costs.grace_months",
     "expected a whole number in [0, 120], got 240"},
    {"horizon_10000_years.yaml", 5, 8, "period.end",
     "date out of range: 12015-01 is not between 1900-01 and 2200-12"},
    {"horizon_301_years.yaml", 5, 8, "period.end",
     "301 years and 0 months long, longer than the "
     "200-year limit"},
    {"key_wrong_kind.yaml", 14, 9, "regions[0].policies[0].loss_tolerance",
     "key \"loss_tolerance\" is not valid for a policy of kind \"lab\"; it applies to kinds "
     "st_fund, innovation_fund, provincial_fof"},
    {"key_wrong_kind_budget.yaml", 14, 9, "regions[0].policies[0].budget_cny_year",
     "not valid for a policy of kind \"talent_rule\""},
    {"knowledge_decay_one.yaml", 12, 26, "params.rnd.knowledge_decay",
     "expected a number in (0, 1), got 1"},
    {"list_for_map.yaml", 11, 13, "regions[0].talent", "expected a mapping, got a list"},
    {"mapping_for_number.yaml", 11, 14, "regions[0].amenity",
     "expected a number in [0, 1], got a mapping"},
    {"matrix_diagonal.yaml", 19, 13, "integration.matrix[1][1]",
     "the diagonal of the matrix must be 1"},
    {"matrix_row_short.yaml", 23, 7, "integration.matrix[1]",
     "matrix row 1 has 2 numbers, expected 3"},
    {"matrix_rows.yaml", 22, 5, "integration.matrix", "matrix has 2 rows, expected 3"},
    {"matrix_value.yaml", 19, 8, "integration.matrix[1][0]",
     "expected a number in [0, 1], got 1.5"},
    {"matrix_without_regions.yaml", 16, 3, "integration.regions",
     "required key \"regions\" is missing"},
    {"missing_name.yaml", 2, 1, "name", "required key \"name\" is missing"},
    {"missing_policy_kind.yaml", 12, 9, "regions[0].policies[0].kind",
     "required key \"kind\" is missing"},
    {"missing_policy_start.yaml", 12, 9, "regions[0].policies[0].start",
     "required key \"start\" is missing"},
    {"missing_region_gdp.yaml", 7, 5, "regions[0].gdp_100m_cny",
     "required key \"gdp_100m_cny\" is missing"},
    {"missing_wage_skill.yaml", 10, 21, "regions[0].wage_cny_month.design",
     "required key \"design\" is missing"},
    {"model_weight_zero.yaml", 5, 19, "sectors[0].model_weight", "the weights sum to 0"},
    {"month_13.yaml", 3, 17, "period.start", "expected \"YYYY-MM\", got \"2015-13\""},
    {"name_too_long.yaml", 7, 11, "regions[0].name",
     "is 93 bytes long in UTF-8, longer than the limit of 63 bytes"},
    {"nan_value.yaml", 11, 14, "regions[0].amenity", "expected a finite number, got .nan"},
    {"negative_population.yaml", 8, 21, "regions[0].population_10k",
     "expected a positive number, got -3"},
    {"not_utf8.yaml", 7, 12, "", "invalid UTF-8 byte 0xff"},
    {"pareto_alpha_one.yaml", 5, 19, "sectors[0].pareto_alpha", "expected a number > 1, got 1"},
    {"policy_end_before_start.yaml", 14, 14, "regions[0].policies[0].end",
     "end 2019-06 is before start 2020-01"},
    {"quoted_number.yaml", 11, 15, "regions[0].amenity",
     "expected a number in [0, 1], got the string \"0.5\""},
    {"rd_months_zero.yaml", 5, 16, "sectors[0].rd_months", "expected a positive number, got 0"},
    {"regions_missing.yaml", 2, 1, "regions", "required key \"regions\" is missing"},
    {"removed_attraction.yaml", 14, 9, "regions[0].policies[0].attraction",
     "key \"attraction\" was removed: policies no longer add a constant to founders' utility"},
    {"runway_cut_above_target.yaml", 12, 55, "params.costs.runway_cut_months",
     "runway_cut_months 9 is above runway_target_months 6"},
    {"sector_strength_zero.yaml", 11, 22, "regions[0].sector_strength",
     "every sector has strength 0"},
    {"sectors_empty.yaml", 3, 10, "sectors", "at least 1 entry is required"},
    {"seed_negative.yaml", 3, 7, "seed", "got -1"},
    {"share_above_one.yaml", 16, 25, "regions[0].policies[1].loss_tolerance",
     "expected a number in [0, 1], got 1.4"},
    {"spillover_too_large.yaml", 24, 16, "params.rnd.spillover",
     "spillover 0.015 times the largest integration row sum 1.8"},
    {"syntax_unclosed_flow.yaml", 5, 3, "", "YAML syntax error: "},
    {"tab_indent.yaml", 4, 1, "",
     "YAML syntax error: tab character may not be used as indentation"},
    {"team_size_zero.yaml", 5, 16, "sectors[0].team_size", "expected a number in [1, 100], got 0.5"},
    {"tier_bands_reversed.yaml", 12, 33, "params.tiers.high_tech.band_small_cny",
     "band_small_cny 3e+08 is above band_large_cny 2e+08"},
    {"tier_key_wrong_tier.yaml", 12, 37, "params.tiers.high_tech.niche_share",
     "key \"niche_share\" is not read for tier \"high_tech\""},
    {"too_many_founders.yaml", 7, 5, "regions[0]", "founders a month would arise in \"杭州\""},
    {"too_many_layers.yaml", 3, 9, "layers", "17 layers, more than the limit of 16"},
    {"too_many_policies.yaml", 12, 7, "regions[0].policies",
     "33 policies, more than the limit of 32"},
    {"too_many_sectors.yaml", 4, 3, "sectors", "33 sectors, more than the limit of 32"},
    {"top_level_list.yaml", 2, 1, "", "at the top level, got a list"},
    {"two_documents.yaml", 11, 1, "", "a scenario is one YAML document"},
    {"undefined_alias.yaml", 10, 22, "", "alias \"*wages\" refers to no anchor"},
    {"unknown_compute_layer.yaml", 14, 20, "params.costs.compute_layer", "unknown layer \"gpu\""},
    {"unknown_layer.yaml", 6, 14, "sectors[0].layers[0]",
     "unknown layer \"comptue\"; did you mean \"compute\"?"},
    {"unknown_policy_key.yaml", 14, 9, "regions[0].policies[0].loss_tolerence",
     "unknown key \"loss_tolerence\"; did you mean \"loss_tolerance\"?"},
    {"unknown_region_matrix.yaml", 16, 17, "integration.regions[1]",
     "unknown region \"苏洲\" in integration.regions; did you mean \"苏州\"?"},
    {"unknown_sector_map.yaml", 11, 33, "regions[0].sector_strength.robotcs",
     "unknown sector \"robotcs\"; did you mean \"robotics\"?"},
    {"unknown_sector_policy.yaml", 14, 29, "regions[0].policies[0].sectors[1]",
     "unknown sector \"gmaes\"; did you mean \"games\"?"},
    {"unknown_skill.yaml", 5, 12, "sectors[0].skill",
     "unknown skill \"sofware\"; did you mean \"software\"?"},
    {"unknown_skill_key.yaml", 10, 93, "regions[0].wage_cny_month.desing",
     "unknown skill \"desing\"; did you mean \"design\"?"},
    {"unknown_top_key.yaml", 5, 1, "regoins", "unknown key \"regoins\"; did you mean \"regions\"?"},
    {"word_for_number.yaml", 9, 19, "regions[0].gdp_100m_cny",
     "expected a positive number, got \"lots\""},
};

#define N_BAD (sizeof bad_cases / sizeof *bad_cases)

ParameterizedTestParameters(bad, fails_at_the_right_place)
{
    return cr_make_param_array(bad_case, bad_cases, N_BAD);
}

ParameterizedTest(const bad_case *bc, bad, fails_at_the_right_place)
{
    char path[512], buf[1024];
    snprintf(path, sizeof path, "%s/%s", BAD_DIR, bc->file);
    lm_scenario *sc = (lm_scenario *)1;
    lm_error err;
    const lm_status st = lm_scenario_load(path, &sc, &err);
    cr_assert_eq(st, LM_EINVAL, "%s: status %d", bc->file, st);
    cr_assert_null(sc);
    cr_assert_eq(err.code, LM_EINVAL);
    cr_assert_str_eq(err.file, path);
    cr_assert_eq(err.line, bc->line, "%s", lm_error_format(&err, buf, sizeof buf));
    cr_assert_eq(err.column, bc->column, "%s", lm_error_format(&err, buf, sizeof buf));
    cr_assert_str_eq(err.field, bc->field, "%s", lm_error_format(&err, buf, sizeof buf));
    cr_assert(strstr(err.message, bc->fragment), "%s: message \"%s\" lacks \"%s\"", bc->file,
              err.message, bc->fragment);
}

Test(bad, every_file_is_in_the_table)
{
    DIR *d = opendir(BAD_DIR);
    cr_assert_not_null(d);
    size_t files = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        const size_t len = strlen(e->d_name);
        if (len < 5 || strcmp(e->d_name + len - 5, ".yaml") != 0)
            continue;
        ++files;
        bool found = false;
        for (size_t i = 0; i < N_BAD && !found; ++i)
            found = strcmp(bad_cases[i].file, e->d_name) == 0;
        cr_expect(found, "%s has no row in bad_cases", e->d_name);
    }
    closedir(d);
    cr_assert_eq(files, N_BAD);
    cr_assert_geq(files, 30);
}

/* The library never prints: libfyaml's diagnostics are collected, not written. */
Test(bad, nothing_is_printed, .init = cr_redirect_stderr)
{
    const char *files[] = {"tab_indent.yaml", "syntax_unclosed_flow.yaml", "two_documents.yaml",
                           "not_utf8.yaml"};
    for (size_t i = 0; i < sizeof files / sizeof *files; ++i) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", BAD_DIR, files[i]);
        lm_scenario *sc;
        lm_error err;
        cr_assert_eq(lm_scenario_load(path, &sc, &err), LM_EINVAL);
    }
    fflush(stderr);
    cr_assert_stderr_eq_str("");
}

Test(bad, error_formats_as_file_line_column_field)
{
    lm_scenario *sc;
    lm_error err;
    char buf[1024], want[1024];
    cr_assert_eq(lm_scenario_load(BAD_DIR "/share_above_one.yaml", &sc, &err), LM_EINVAL);
    snprintf(want, sizeof want,
             "%s/share_above_one.yaml:16:25: regions[0].policies[1].loss_tolerance: expected a "
             "number in [0, 1], got 1.4",
             BAD_DIR);
    cr_assert_str_eq(lm_error_format(&err, buf, sizeof buf), want);
}

/* ---- files: missing, a directory, too large ---- */

Test(files, missing_file_is_an_io_error)
{
    lm_scenario *sc;
    lm_error err;
    cr_assert_eq(lm_scenario_load(LM_TEST_DATA "/no-such-file.yaml", &sc, &err), LM_EIO);
    cr_assert_null(sc);
    cr_assert_str_eq(err.file, LM_TEST_DATA "/no-such-file.yaml");
    cr_assert_eq(err.line, 0);
    cr_assert_str_eq(err.message, "cannot open: No such file or directory");
}

Test(files, directory_is_an_io_error)
{
    lm_scenario *sc;
    lm_error err;
    cr_assert_eq(lm_scenario_load(LM_TEST_DATA, &sc, &err), LM_EIO);
    cr_assert(strstr(err.message, "Is a directory"), "%s", err.message);
}

Test(files, fifty_megabytes_refused_before_reading)
{
    char path[] = "/tmp/longmen-big-XXXXXX";
    const int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    /* a sparse file: 50 MiB long without writing (or committing) 50 MiB */
    cr_assert_eq(ftruncate(fd, (off_t)50 << 20), 0);
    close(fd);
    lm_scenario *sc;
    lm_error err;
    const lm_status st = lm_scenario_load(path, &sc, &err);
    unlink(path);
    cr_assert_eq(st, LM_EINVAL);
    cr_assert_null(sc);
    cr_assert_str_eq(err.file, path);
    cr_assert_eq(err.line, 0);
    cr_assert_str_eq(err.message, "file is 50.0 MB, larger than the 16 MB limit for scenarios");
}

Test(files, large_string_refused)
{
    const size_t len = ((size_t)16 << 20) + 1;
    char *text = calloc(len, 1); /* never read: the length alone is refused */
    lm_scenario *sc;
    lm_error err;
    cr_assert_eq(lm_scenario_load_string(text, len, "big", &sc, &err), LM_EINVAL);
    cr_assert(strstr(err.message, "larger than the 16 MB limit"), "%s", err.message);
    free(text);
}

/* ---- cases built here ---- */

/* A minimal valid scenario with n regions r0..r(n-1), in YAML flow style. */
static char *regions_yaml(int n)
{
    const size_t cap = 256 + (size_t)n * 200;
    char *s = malloc(cap);
    size_t k = (size_t)snprintf(s, cap, "name: many\nsectors: [{id: games}]\nregions:\n");
    for (int r = 0; r < n; ++r)
        k += (size_t)snprintf(s + k, cap - k,
                              "  - {name: r%d, population_10k: 100, gdp_100m_cny: 1000, "
                              "wage_cny_month: {software: 1, hardware: 1, science: 1, "
                              "manufacturing: 1, design: 1}}\n",
                              r);
    return s;
}

Test(built, two_hundred_fifty_six_regions_load)
{
    char *text = regions_yaml(256);
    lm_scenario *sc;
    lm_error err;
    cr_assert_eq(lm_scenario_load_string(text, strlen(text), "many", &sc, &err), LM_OK, "%s",
                 err.message);
    cr_assert_eq(lm_scenario_region_count(sc), 256);
    cr_assert_str_eq(lm_scenario_region_name(sc, 255), "r255");
    const lm_params *p = lm__scenario_params(sc);
    cr_assert_float_eq(p->integration[255 * 256 + 255], 1.0, 0.0);
    cr_assert_float_eq(p->integration[255 * 256 + 254], 0.0, 0.0, "default off-diagonal");
    lm_scenario_free(sc);
    free(text);
}

Test(built, too_many_regions)
{
    char *text = regions_yaml(257);
    lm_scenario *sc;
    lm_error err;
    cr_assert_eq(lm_scenario_load_string(text, strlen(text), "many", &sc, &err), LM_EINVAL);
    cr_assert_eq(err.line, 4);
    cr_assert_eq(err.column, 3);
    cr_assert_str_eq(err.field, "regions");
    cr_assert_str_eq(err.message, "257 regions, more than the limit of 256");
    free(text);
}

static lm_error load_text_err(const char *text, size_t len)
{
    lm_scenario *sc;
    lm_error err;
    cr_assert_neq(lm_scenario_load_string(text, len, "t", &sc, &err), LM_OK);
    return err;
}

Test(built, bytes_nul_control_truncated_utf8)
{
    const char nul[] = "name: a\0b\n";
    lm_error err = load_text_err(nul, sizeof nul - 1);
    cr_assert_eq(err.line, 1);
    cr_assert_eq(err.column, 8);
    cr_assert(strstr(err.message, "NUL byte"));

    const char ctl[] = "name: x\nsectors: \x01\n";
    err = load_text_err(ctl, sizeof ctl - 1);
    cr_assert_eq(err.line, 2);
    cr_assert_eq(err.column, 10);
    cr_assert(strstr(err.message, "control character 0x01"));

    const char cut[] = "name: \xe7\x94\xb2\xe5\xb8"; /* 甲市 with its last byte cut off */
    err = load_text_err(cut, sizeof cut - 1);
    cr_assert_eq(err.line, 1);
    cr_assert_eq(err.column, 8);
    cr_assert_str_eq(err.message, "invalid UTF-8 byte 0xe5");

    const char overlong[] = "name: \xc0\xaf\n"; /* '/' in two bytes */
    err = load_text_err(overlong, sizeof overlong - 1);
    cr_assert_eq(err.column, 7);
    cr_assert_str_eq(err.message, "invalid UTF-8 byte 0xc0");
}

/* Replaces the first occurrence of from in tiny.yaml by to and loads the result. */
static lm_status load_tiny_edited(const char *from, const char *to, lm_scenario **sc, lm_error *err)
{
    size_t len;
    char *text = slurp(TINY, &len);
    char *at = strstr(text, from);
    cr_assert_not_null(at, "tiny.yaml lacks \"%s\"", from);
    const size_t flen = strlen(from), tlen = strlen(to);
    char *edited = malloc(len - flen + tlen + 1);
    const size_t head = (size_t)(at - text);
    memcpy(edited, text, head);
    memcpy(edited + head, to, tlen);
    memcpy(edited + head + tlen, at + flen, len - head - flen + 1);
    const lm_status st = lm_scenario_load_string(edited, strlen(edited), "tiny-edited", sc, err);
    free(edited);
    free(text);
    return st;
}

/* Policy end months are inclusive, like the period's: a one-month policy is valid. */
Test(built, policy_end_equal_to_start_is_one_month)
{
    lm_scenario *sc;
    lm_error err;
    cr_assert_eq(load_tiny_edited("end: 2016-07", "end: 2016-01", &sc, &err), LM_OK, "%s",
                 err.message);
    const lm_policy *pol = &lm__scenario_params(sc)->regions[1].policies[0];
    cr_assert_eq(pol->start, pol->end);
    lm_scenario_free(sc);
}

Test(built, compute_layer_given_and_absent)
{
    lm_scenario *sc;
    lm_error err;
    cr_assert_eq(load_tiny_edited("costs: {grace_months: 4}",
                                  "costs: {grace_months: 4, compute_layer: chip_design}", &sc,
                                  &err),
                 LM_OK, "%s", err.message);
    cr_assert_eq(lm__scenario_params(sc)->costs.compute_layer, 0);
    lm_scenario_free(sc);
    cr_assert_eq(
        load_tiny_edited("layers: [chip_design, compute]", "layers: [chip_design, gpu]", &sc, &err),
        LM_EINVAL, "the sector still names compute");
    cr_assert_str_eq(err.field, "sectors[0].layers[1]");
}

Test(built, no_compute_layer_gives_minus_one)
{
    const char *text = "name: x\nlayers: [a]\nsectors: [{id: s}]\nregions:\n"
                       "  - {name: r, population_10k: 1, gdp_100m_cny: 1, wage_cny_month: "
                       "{software: 1, hardware: 1, science: 1, manufacturing: 1, design: 1}}\n";
    lm_scenario *sc;
    lm_error err;
    cr_assert_eq(lm_scenario_load_string(text, strlen(text), "x", &sc, &err), LM_OK, "%s",
                 err.message);
    const lm_params *p = lm__scenario_params(sc);
    cr_assert_eq(p->costs.compute_layer, -1);
    cr_assert_eq(p->start, lm_month_of(2015, 1), "default period");
    cr_assert_eq(p->end, lm_month_of(2034, 12));
    cr_assert_eq(p->seed, 20150101u, "default seed");
    cr_assert_float_eq(p->sectors[0].model_weight[0], 1.0 / 3.0, 1e-15, "default weights");
    lm_scenario_free(sc);
}

Test(built, anchors_and_aliases_work)
{
    const char *text =
        "name: x\nsectors: [{id: s}]\nregions:\n"
        "  - name: a\n    population_10k: 1\n    gdp_100m_cny: 1\n"
        "    wage_cny_month: &w {software: 9, hardware: 8, science: 7, manufacturing: 6, "
        "design: 5}\n"
        "  - name: b\n    population_10k: 1\n    gdp_100m_cny: 1\n    wage_cny_month: *w\n";
    lm_scenario *sc;
    lm_error err;
    cr_assert_eq(lm_scenario_load_string(text, strlen(text), "x", &sc, &err), LM_OK, "%s",
                 err.message);
    cr_assert_float_eq(lm__scenario_params(sc)->regions[1].wage_cny_month[LM_SKILL_DESIGN], 5.0,
                       0.0);
    lm_scenario_free(sc);
}

Test(built, number_forms)
{
    static const struct {
        const char *text;
        double value;
    } ok[] = {{"0.5", 0.5},  {".25", 0.25},    {"1.", 1.0}, {"+0.75", 0.75},
              {"5e-1", 0.5}, {"2.5E-1", 0.25}, {"1", 1.0}};
    for (size_t i = 0; i < sizeof ok / sizeof *ok; ++i) {
        char to[64];
        snprintf(to, sizeof to, "amenity: %s", ok[i].text);
        lm_scenario *sc;
        lm_error err;
        cr_assert_eq(load_tiny_edited("amenity: 0.8", to, &sc, &err), LM_OK, "%s: %s", ok[i].text,
                     err.message);
        cr_assert_float_eq(lm__scenario_params(sc)->regions[0].amenity, ok[i].value, 1e-15);
        lm_scenario_free(sc);
    }
    static const char *const bad[] = {"0x1",  "1_0",   "0.5.5", "e5", "1e",   "1-2",
                                      ".inf", "1e999", "true",  "~",  "[0.5]"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; ++i) {
        char to[64];
        snprintf(to, sizeof to, "amenity: %s", bad[i]);
        lm_scenario *sc;
        lm_error err;
        cr_assert_eq(load_tiny_edited("amenity: 0.8", to, &sc, &err), LM_EINVAL, "%s", bad[i]);
        cr_assert_str_eq(err.field, "regions[0].amenity", "%s", bad[i]);
    }
}

Test(built, free_null_and_accessors_on_null)
{
    lm_scenario_free(NULL);
    cr_assert_eq(lm_scenario_region_count(NULL), 0);
    cr_assert_null(lm_scenario_name(NULL));
    lm_scenario *sc = (lm_scenario *)1;
    lm_error err;
    cr_assert_eq(lm_scenario_load(NULL, &sc, &err), LM_EINVAL);
    cr_assert_null(sc);
}

/* ---- did you mean ---- */

Test(suggest, distances_count_characters)
{
    cr_assert_eq(lm__edit_distance("苏洲", "苏州"), 1);
    cr_assert_eq(lm__edit_distance("gmaes", "games"), 1, "a swap is one edit");
    cr_assert_eq(lm__edit_distance("loss_tolerence", "loss_tolerance"), 1);
    cr_assert_eq(lm__edit_distance("", "abc"), 3);
    cr_assert_eq(lm__edit_distance("same", "same"), 0);
}

Test(suggest, only_likely_typos)
{
    const char *keys[] = {"name", "start", "end", "rate", "loss_tolerance"};
    cr_assert_str_eq(lm__suggest("strat", keys, 5), "start");
    cr_assert_str_eq(lm__suggest("loss_tollerance", keys, 5), "loss_tolerance");
    cr_assert_null(lm__suggest("nmea", keys, 5), "two edits in four letters is no typo");
    cr_assert_null(lm__suggest("budget_cny_year", keys, 5));
    char buf[128] = "unknown key \"strat\"";
    cr_assert_str_eq(lm__did_you_mean(buf, sizeof buf, "strat", keys, 5),
                     "unknown key \"strat\"; did you mean \"start\"? Valid: name, start, end, "
                     "rate, loss_tolerance");
    char none[128] = "unknown key \"zzz\"";
    cr_assert_str_eq(lm__did_you_mean(none, sizeof none, "zzz", keys, 5),
                     "unknown key \"zzz\"; valid: name, start, end, rate, loss_tolerance");
    cr_assert_str_eq(lm__suggest("HEFEI", (const char *[]){"Hefei", "Nanjing"}, 2), "Hefei",
                     "ASCII case is not counted");
    /* a list too long for the buffer ends with how many were left out */
    char small[64] = "unknown key \"zzz\"";
    cr_assert_str_eq(lm__did_you_mean(small, sizeof small, "zzz", keys, 5),
                     "unknown key \"zzz\"; valid: name, start, end and 2 more");
}

/* ---- the format follows params.h ---- */

/* Member names of `typedef struct tag { ... } tag;` in src/core/params.h, comments removed:
 * "double w_cap, w_tal;" gives w_cap and w_tal; "double chain[LM_MAX_LAYERS];" gives chain. */
static int struct_members(const char *tag, char names[][LM_NAME_MAX], int max)
{
    size_t len;
    char *text = slurp(LM_SOURCE_DIR "/src/core/params.h", &len);
    for (char *c = strstr(text, "/*"); c; c = strstr(c, "/*")) { /* blank out comments */
        char *e = strstr(c + 2, "*/");
        cr_assert_not_null(e);
        memset(c, ' ', (size_t)(e + 2 - c));
    }
    char open[128];
    snprintf(open, sizeof open, "typedef struct %s {", tag);
    char *body = strstr(text, open);
    cr_assert_not_null(body, "no struct %s in params.h", tag);
    body += strlen(open);
    *strchr(body, '}') = '\0';
    int n = 0;
    for (char *stmt = strtok(body, ";"); stmt; stmt = strtok(NULL, ";")) {
        stmt += strspn(stmt, " \n\t");
        if (!*stmt)
            continue;
        char *decl = stmt + strcspn(stmt, " \t"); /* after the type word */
        for (char *d = strtok_r(decl, ",", &decl); d; d = strtok_r(NULL, ",", &decl)) {
            d += strspn(d, " \t\n*");
            const size_t k = strspn(d, "abcdefghijklmnopqrstuvwxyz0123456789_");
            cr_assert_lt(n, max);
            snprintf(names[n++], LM_NAME_MAX, "%.*s", (int)k, d);
        }
    }
    free(text);
    return n;
}

static const char *const base_yaml =
    "name: x\nsectors:\n  - id: s\n%s"
    "regions:\n  - name: r\n    population_10k: 1\n    gdp_100m_cny: 1\n"
    "    wage_cny_month: {software: 1, hardware: 1, science: 1, manufacturing: 1, design: 1}\n"
    "%s%s";

static void expect_known(const char *tag, const char *key, const char *sector, const char *region,
                         const char *tail)
{
    char text[2048];
    snprintf(text, sizeof text, base_yaml, sector, region, tail);
    lm_scenario *sc = NULL;
    lm_error err;
    if (lm_scenario_load_string(text, strlen(text), "drift", &sc, &err) == LM_OK) {
        lm_scenario_free(sc);
        return;
    }
    cr_expect_null(strstr(err.message, "unknown key"),
                   "params.h has %s.%s but the loader does not know it: %s", tag, key, err.message);
}

Test(format, every_params_h_field_is_a_key)
{
    static const struct {
        const char *tag, *where; /* where: the YAML block holding the key */
    } parts[] = {{"lm_entry_params", "params:\n  entry:\n    %s: ~\n"},
                 {"lm_rnd_params", "params:\n  rnd:\n    %s: ~\n"},
                 {"lm_market_params", "params:\n  market:\n    %s: ~\n"},
                 {"lm_cost_params", "params:\n  costs:\n    %s: ~\n"},
                 {"lm_talent_params", "params:\n  talent:\n    %s: ~\n"}, /* ecosystem */
                 {"lm_chain_params", "params:\n  chain:\n    %s: ~\n"},
                 {"lm_platform_params", "params:\n  platforms:\n    %s: ~\n"},
                 {"lm_tier_params", "params:\n  tiers:\n    %s: ~\n"},
                 {"lm_tier_rule", "params:\n  tiers:\n    high_tech:\n      %s: ~\n"},
                 {"lm_finance_params", "params:\n  finance:\n    %s: ~\n"}, /* finance */
                 {"lm_exit_params", "params:\n  exits:\n    %s: ~\n"},
                 {"lm_sector_params", "    %s: ~\n"},
                 {"lm_region_params", "    %s: ~\n"},
                 {"lm_policy", "    policies:\n      - {kind: lab, start: 2015-01, %s: ~}\n"}};
    char names[64][LM_NAME_MAX];
    for (size_t i = 0; i < sizeof parts / sizeof *parts; ++i) {
        const int n = struct_members(parts[i].tag, names, 64);
        cr_assert_gt(n, 3, "%s", parts[i].tag);
        for (int k = 0; k < n; ++k) {
            if (strcmp(names[k], "n_policies") == 0) /* a count, not a key */
                continue;
            char block[256];
            snprintf(block, sizeof block, parts[i].where, names[k]);
            const bool sector = strcmp(parts[i].tag, "lm_sector_params") == 0;
            const bool region = !sector && strncmp(parts[i].where, "    ", 4) == 0;
            expect_known(parts[i].tag, names[k], sector ? block : "", region ? block : "",
                         sector || region ? "" : block);
        }
    }
}

/* ---- reading stays linear in the input ---- */

/* Text of a "billion laughs": level i maps two keys to the alias of level i - 1, so the
 * tree written in under 1 KB expands to 2^levels values. */
static char *laughs(int levels, const char *head)
{
    size_t cap = 8192, n = 0;
    char *s = malloc(cap);
    n += (size_t)snprintf(s + n, cap - n, "%sx0: &a0 {k0: 1, k1: 2}\n", head);
    for (int i = 1; i < levels; ++i)
        n += (size_t)snprintf(s + n, cap - n, "x%d: &a%d {k0: *a%d, k1: *a%d}\n", i, i, i - 1,
                              i - 1);
    return s;
}

Test(linear, aliases_may_not_expand_without_bound, .timeout = 10)
{
    char *text = laughs(40, "name: laughs\n");
    lm_scenario *sc = NULL;
    lm_error err;
    cr_assert_eq(lm_scenario_load_string(text, strlen(text), "laughs.yaml", &sc, &err),
                 LM_EINVAL);
    cr_assert(strstr(err.message, "aliases expand the document to more than"), "%s",
              err.message);
    cr_assert_gt(err.line, 10, "at the alias that crosses the bound");
    free(text);
    /* A few aliases, as a scenario uses them, are fine (the error is fill's, later). */
    text = laughs(4, "name: laughs\n");
    cr_assert_eq(lm_scenario_load_string(text, strlen(text), "laughs.yaml", &sc, &err),
                 LM_EINVAL);
    cr_assert(strstr(err.message, "unknown key \"x0\""), "%s", err.message);
    free(text);
}

/* A child and its parent, each with its own laughs, merged by extends: refused while each
 * is read, before the merge could walk them. */
Test(linear, aliases_through_extends, .timeout = 10)
{
    char dir[] = "/tmp/lm_laughs_XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char parent[64], child[64];
    snprintf(parent, sizeof parent, "%s/parent.yaml", dir);
    snprintf(child, sizeof child, "%s/child.yaml", dir);
    char *p = laughs(40, "name: p\n"), *c = laughs(40, "extends: parent.yaml\n");
    FILE *f = fopen(parent, "w");
    fputs(p, f);
    fclose(f);
    f = fopen(child, "w");
    fputs(c, f);
    fclose(f);
    lm_scenario *sc = NULL;
    lm_error err;
    cr_assert_eq(lm_scenario_load(child, &sc, &err), LM_EINVAL);
    cr_assert(strstr(err.message, "aliases expand the document"), "%s", err.message);
    unlink(parent);
    unlink(child);
    rmdir(dir);
    free(p);
    free(c);
}

Test(linear, nesting_is_bounded, .timeout = 10)
{
    /* 4 MB of '[': refused at the 65th before libfyaml reads ahead. */
    const size_t deep = (size_t)2 << 20;
    char *text = malloc(2 * deep + 16);
    size_t n = (size_t)sprintf(text, "name: ");
    memset(text + n, '[', deep);
    memset(text + n + deep, ']', deep);
    n += 2 * deep;
    text[n] = '\0';
    lm_scenario *sc = NULL;
    lm_error err;
    cr_assert_eq(lm_scenario_load_string(text, n, "deep.yaml", &sc, &err), LM_EINVAL);
    cr_assert_str_eq(err.message, "lists and mappings nest deeper than 64 levels here");
    cr_assert_eq(err.line, 1);
    cr_assert_eq(err.column, 7 + 64);
    /* Indented block mappings, one level a line. */
    n = (size_t)sprintf(text, "name: x\n");
    for (int i = 0; i < 200; ++i)
        n += (size_t)sprintf(text + n, "%*sk%d:\n", i, "", i);
    cr_assert_eq(lm_scenario_load_string(text, n, "deep.yaml", &sc, &err), LM_EINVAL);
    cr_assert_str_eq(err.message, "lists and mappings nest deeper than 64 levels here");
    /* Brackets inside quoted and plain scalars are no nesting. */
    n = (size_t)sprintf(text, "note0: 'it''s [[[[");
    for (int i = 0; i < 100; ++i)
        text[n++] = '[';
    n += (size_t)sprintf(text + n, "'\nnote: a[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
                                   "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\n");
    cr_assert_eq(lm_scenario_load_string(text, n, "deep.yaml", &sc, &err), LM_EINVAL);
    cr_assert(strstr(err.message, "unknown key \"note0\""), "%s", err.message);
    free(text);
}

/* A raised stop flag ends loading between YAML events (a 16 MB file takes seconds to parse)
 * and between the steps after, with LM_EINTR; a lowered one, or none, changes nothing. */
Test(linear, a_stop_flag_ends_loading, .timeout = 10)
{
    volatile sig_atomic_t stop = 1;
    lm_scenario *sc = NULL;
    lm_error err;
    cr_assert_null(lm__scenario_watch_stop(&stop));
    cr_assert_eq(lm_scenario_load(TINY, &sc, &err), LM_EINTR);
    cr_assert_str_eq(err.message, "interrupted while loading");
    const size_t items = (size_t)2 << 20;
    char *text = malloc(items * 6 + 64);
    size_t n = (size_t)sprintf(text, "name: x\nx_pad:\n");
    for (size_t i = 0; i < items; ++i, n += 6)
        memcpy(text + n, "  - 1\n", 6);
    text[n] = '\0';
    cr_assert_eq(lm_scenario_load_string(text, n, "big.yaml", &sc, &err), LM_EINTR);
    cr_assert_str_eq(err.message, "interrupted while loading");
    /* within the first few thousand events, not after two million lines */
    cr_assert(err.line > 0 && err.line < 10000, "stopped at line %d", err.line);
    stop = 0;
    cr_assert_eq(lm_scenario_load_string(text, n, "big.yaml", &sc, &err), LM_EINVAL);
    cr_assert(strstr(err.message, "unknown key \"x_pad\""), "%s", err.message);
    cr_assert_eq(lm__scenario_watch_stop(NULL), &stop);
    sc = load_tiny();
    lm_scenario_free(sc);
    free(text);
}

/* ---- bounds ---- */

static void refused_value(const char *from, const char *to, const char *field, const char *msg)
{
    size_t len = 0;
    char *text = slurp(TINY, &len);
    char *at = strstr(text, from);
    cr_assert_not_null(at, "tiny.yaml has no \"%s\"", from);
    char *edited = malloc(len + strlen(to) + 1);
    const size_t head = (size_t)(at - text);
    memcpy(edited, text, head);
    strcpy(edited + head, to);
    strcat(edited, at + strlen(from));
    lm_scenario *sc = NULL;
    lm_error err;
    cr_assert_eq(lm_scenario_load_string(edited, strlen(edited), "t.yaml", &sc, &err), LM_EINVAL,
                 "%s was accepted", to);
    cr_assert_str_eq(err.field, field);
    cr_assert(strstr(err.message, msg), "%s", err.message);
    free(edited);
    free(text);
}

/* A founding team of 10^6 made every firm a platform whose alumni found more: 2.4 GB past
 * --max-memory 200M. Such fields have bounds of their own; every number has one. */
Test(bounds, fields_that_scale_the_run_are_bounded)
{
    refused_value("team_size: 6", "team_size: 1e6", "sectors[0].team_size",
                  "expected a number in [1, 100], got 1e6");
    refused_value("team_size: 6", "team_size: 101", "sectors[0].team_size", "[1, 100]");
}

Test(bounds, every_number_is_at_most_1e15)
{
    refused_value("team_size: 6\n", "team_size: 6\n    rd_scale_cny: 2e15\n",
                  "sectors[0].rd_scale_cny", "of at most 1e+15 in size");
}

/* libfyaml 0.7.12 crashes freeing its parser after a tab before an indicator in a document
 * with an explicit key (found by the fuzz harnesses): such text is refused before libfyaml
 * sees it, at the tab; in a document without explicit keys a tab is no concern of the
 * check. */
Test(yaml, a_tab_before_a_block_entry_is_refused_before_libfyaml)
{
    static const char *const crashing[] = {"? a: \t?\t\n", "x:\n  ? a:\t?\n",
                                           "? a: 1\n  b:\t-\n", "- ? a:\t-\n",
                                           "?  lo: \t?m\t\n", "? lo: \t:m\n",
                                           "? lo: \t|\n x\n", "? a: 1\n  b#:\t-\n",
                                           /* a lone \r breaks the line, as \r\n does */
                                           " \r  ? bound''dl/: \t?\t\n", "x: 1\r\n? a: \t?\n"};
    static const int where[][2] = {{1, 6}, {2, 7}, {2, 5}, {1, 7}, {1, 8}, {1, 7},
                                   {1, 7}, {2, 6}, {2, 17}, {2, 6}};
    for (size_t i = 0; i < sizeof crashing / sizeof crashing[0]; ++i) {
        lm_scenario *sc = NULL;
        lm_error err;
        cr_assert_eq(lm_scenario_load_string(crashing[i], strlen(crashing[i]), "t.yaml", &sc,
                                             &err),
                     LM_EINVAL, "case %zu", i);
        cr_assert(strstr(err.message, "a tab before a block entry"), "case %zu: %s", i,
                  err.message);
        cr_assert_eq(err.line, where[i][0], "case %zu", i);
        cr_assert_eq(err.column, where[i][1], "case %zu", i);
    }
    static const char *const fine[] = {"a:\t-5\n", "a: \"x\t- y\"\n", "a:\t- b\n"};
    for (size_t i = 0; i < sizeof fine / sizeof fine[0]; ++i) {
        lm_scenario *sc = NULL;
        lm_error err;
        lm_scenario_load_string(fine[i], strlen(fine[i]), "t.yaml", &sc, &err);
        cr_assert_null(strstr(err.message, "a tab before a block entry"), "fine %zu: %s", i,
                       err.message);
        lm_scenario_free(sc);
    }
}
