/* tests/unit/scenario/test_extends.c -- scenario files that extend another (extends.c): maps
 * merge key by key, regions merge by name and sectors by id, a region's policies are replaced
 * when given, chains of files work, cycles and missing files are errors, and an error in an
 * inherited value points into the file it came from. */
#include <criterion/criterion.h>
#include <string.h>

#include "lm_test.h"

#define DIR_X LM_TEST_DATA "/extends"

static lm_scenario *load_ok(const char *path)
{
    lm_scenario *sc = NULL;
    lm_error err;
    char buf[1024];
    const lm_status st = lm_scenario_load(path, &sc, &err);
    cr_assert_eq(st, LM_OK, "%s", lm_error_format(&err, buf, sizeof buf));
    return sc;
}

static int region(const lm_params *p, const char *name)
{
    for (int r = 0; r < p->n_regions; ++r)
        if (strcmp(p->regions[r].name, name) == 0)
            return r;
    return -1;
}

Test(extends, child_changes_only_what_it_names)
{
    lm_scenario *base = load_ok(LM_TEST_DATA "/tiny.yaml");
    lm_scenario *sc = load_ok(DIR_X "/child.yaml");
    const lm_params *b = lm__scenario_params(base), *p = lm__scenario_params(sc);
    cr_assert_str_eq(p->name, "tiny-child");
    cr_assert_str_eq(p->description, b->description); /* inherited */
    cr_assert_eq(p->n_sectors, b->n_sectors);
    cr_assert_eq(p->n_regions, 3);
    const int jia = region(p, "甲市"), yi = region(p, "乙市"), bing = region(p, "丙市");
    cr_assert_eq(jia, 0);
    cr_assert_eq(yi, 1);
    cr_assert_eq(bing, 2); /* a new name is appended */
    /* one skill of the talent map changed, the others kept */
    cr_assert_eq(p->regions[jia].talent[LM_SKILL_SOFTWARE], 150000.0);
    cr_assert_eq(p->regions[jia].talent[LM_SKILL_HARDWARE], 40000.0);
    cr_assert_eq(p->regions[jia].amenity, 0.8);
    /* policies replaced whole: the fund is gone, the rule is there */
    cr_assert_eq(p->regions[jia].n_policies, 1);
    cr_assert_eq(p->regions[jia].policies[0].kind, LM_POLICY_TALENT_RULE);
    cr_assert_eq(p->regions[jia].policies[0].attraction, 0.4);
    /* the other region is untouched, its lab included */
    cr_assert_eq(p->regions[yi].n_policies, 1);
    cr_assert_eq(p->regions[yi].policies[0].kind, LM_POLICY_LAB);
    cr_assert_eq(memcmp(&p->regions[yi], &b->regions[yi], sizeof p->regions[yi]), 0);
    /* params merge key by key, down to one field of a block */
    cr_assert_eq(p->costs.grace_months, 6);
    cr_assert_eq(p->entry.outside_rate, 30.0);
    cr_assert_eq(p->entry.base_rate, b->entry.base_rate);
    cr_assert_eq(p->entry.quality_mu[LM_SOURCE_PLATFORM], 0.35);
    cr_assert_eq(p->rnd.spillover, 0.003);
    /* the integration of the listed pair is the parent's; the new region gets the default */
    cr_assert_eq(p->integration[0 * 3 + 1], 0.6);
    cr_assert_eq(p->integration[1 * 3 + 0], 0.4);
    cr_assert_eq(p->integration[2 * 3 + 0], 0.1);
    /* the results keep the parent's text too, commented out */
    const char *text = lm_scenario_text(sc);
    cr_assert_not_null(strstr(text, "extends: ../tiny.yaml"));
    cr_assert_not_null(strstr(text, "# ---- extends: "));
    cr_assert_not_null(strstr(text, "# name: tiny\n"));
    lm_scenario_free(sc);
    lm_scenario_free(base);
}

Test(extends, chains_of_files_merge_in_order)
{
    lm_scenario *sc = load_ok(DIR_X "/grandchild.yaml");
    const lm_params *p = lm__scenario_params(sc);
    cr_assert_str_eq(p->name, "tiny-grandchild");
    cr_assert_eq(p->n_regions, 3);
    const int jia = region(p, "甲市"), yi = region(p, "乙市");
    cr_assert_eq(p->regions[yi].amenity, 0.65);
    cr_assert_eq(p->regions[jia].talent[LM_SKILL_SOFTWARE], 150000.0); /* child */
    cr_assert_eq(p->regions[jia].talent[LM_SKILL_DESIGN], 25000.0);    /* grandchild */
    cr_assert_eq(p->regions[jia].talent[LM_SKILL_HARDWARE], 40000.0);  /* tiny */
    cr_assert_eq(p->regions[jia].n_policies, 1);
    cr_assert_eq(p->costs.grace_months, 6);
    lm_scenario_free(sc);
}

static void expect_error(const char *file, const char *err_file, int line, int column,
                         const char *fragment)
{
    lm_scenario *sc = (lm_scenario *)1;
    lm_error err;
    char buf[1024];
    cr_assert_eq(lm_scenario_load(file, &sc, &err), LM_EINVAL, "%s loaded", file);
    cr_assert_null(sc);
    lm_error_format(&err, buf, sizeof buf);
    cr_assert_str_eq(err.file, err_file, "%s", buf);
    cr_assert_eq(err.line, line, "%s", buf);
    cr_assert_eq(err.column, column, "%s", buf);
    cr_assert_not_null(strstr(err.message, fragment), "%s", buf);
}

Test(extends, a_cycle_is_an_error)
{
    expect_error(DIR_X "/cycle_a.yaml", DIR_X "/cycle_b.yaml", 2, 10,
                 "extends cycle: " DIR_X "/cycle_a.yaml -> " DIR_X "/cycle_b.yaml -> " DIR_X
                 "/cycle_a.yaml");
}

Test(extends, a_missing_parent_is_an_error)
{
    expect_error(DIR_X "/missing_parent.yaml", DIR_X "/missing_parent.yaml", 2, 10,
                 "cannot open \"" DIR_X "/no_such_parent.yaml\" to extend");
}

Test(extends, an_inherited_error_points_into_the_parent)
{
    expect_error(DIR_X "/child_of_bad.yaml", DIR_X "/parent_bad.yaml", 11, 14,
                 "expected a number in [0, 1], got 1.5");
}

Test(extends, the_childs_own_error_points_into_the_child)
{
    expect_error(DIR_X "/child_bad_value.yaml", DIR_X "/child_bad_value.yaml", 6, 14,
                 "expected a number in [0, 1], got 2.385");
}

/* The shipped counterfactual: three-capitals with Hefei's policies replaced, nothing else. */
Test(extends, shipped_counterfactual_changes_only_hefei)
{
    lm_scenario *base = load_ok(LM_SOURCE_DIR "/scenarios/three-capitals.yaml");
    lm_scenario *cf = load_ok(LM_SOURCE_DIR "/scenarios/examples/hefei-adopts-hangzhou-funds.yaml");
    const lm_params *b = lm__scenario_params(base), *p = lm__scenario_params(cf);
    cr_assert_eq(p->n_regions, b->n_regions);
    const int hefei = region(p, "合肥");
    cr_assert_geq(hefei, 0);
    for (int r = 0; r < p->n_regions; ++r)
        if (r != hefei)
            cr_assert_eq(memcmp(&p->regions[r], &b->regions[r], sizeof p->regions[r]), 0,
                         "region %s changed", p->regions[r].name);
    cr_assert_neq(p->regions[hefei].n_policies, b->regions[hefei].n_policies);
    bool separate_tolerant_fund = false;
    for (int k = 0; k < p->regions[hefei].n_policies; ++k) {
        const lm_policy *pol = &p->regions[hefei].policies[k];
        if (pol->kind == LM_POLICY_ST_FUND && pol->separate_budget_line &&
            pol->loss_tolerance >= 0.3)
            separate_tolerant_fund = true;
    }
    cr_assert(separate_tolerant_fund);
    cr_assert_eq(memcmp(&p->tiers, &b->tiers, sizeof p->tiers), 0);
    cr_assert_eq(memcmp(b->integration, p->integration,
                        sizeof(double) * (size_t)(p->n_regions * p->n_regions)),
                 0);
    lm_scenario_free(cf);
    lm_scenario_free(base);
}
