/* tests/unit/scenario/test_extends.c -- scenario files that extend another (extends.c): maps
 * merge key by key, regions merge by name and sectors by id, a region's policies are replaced
 * when given, chains of files work, cycles and missing files are errors, and an error in an
 * inherited value points into the file it came from. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lm_test.h"
#include "scenario/confine.h"

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
    cr_assert_eq(p->regions[jia].policies[0].tax_offset, 0.4);
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

/* ---- a confined loader (`longmen serve`, confine.c) ---- */

static char conf_root[64];

static void put(const char *rel, const char *text)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", conf_root, rel);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f, "%s: %s", path, strerror(errno));
    fputs(text, f);
    fclose(f);
}

static void conf_setup(void)
{
    snprintf(conf_root, sizeof conf_root, "/tmp/lm_confine_XXXXXX");
    cr_assert_not_null(mkdtemp(conf_root));
    char d[256];
    static const char *const dirs[] = {"scen", "runs", "runs/.longmen-serve", "outside"};
    for (int i = 0; i < 4; ++i) {
        snprintf(d, sizeof d, "%s/%s", conf_root, dirs[i]);
        cr_assert_eq(mkdir(d, 0777), 0);
    }
    FILE *f = fopen(LM_TEST_DATA "/tiny.yaml", "r");
    cr_assert_not_null(f);
    static char tiny[1 << 16];
    tiny[fread(tiny, 1, sizeof tiny - 1, f)] = '\0';
    fclose(f);
    put("scen/tiny.yaml", tiny);
    put("scen/child.yaml", "extends: tiny.yaml\nname: tiny-child\n");
    /* A mapping whose keys fill.c would quote in an "unknown key" error. */
    put("outside/secret.yaml", "hunter2_key: hunter2_value\n");
    put("scen/notes.txt", "hunter2_key: hunter2_value\n");
    snprintf(d, sizeof d, "%s/scen/fifo.yaml", conf_root);
    cr_assert_eq(mkfifo(d, 0600), 0);
    snprintf(d, sizeof d, "%s/scen/link.yaml", conf_root);
    cr_assert_eq(symlink("../outside/secret.yaml", d), 0);
    char scen[128], runs[128], copies[160];
    snprintf(scen, sizeof scen, "%s/scen", conf_root);
    snprintf(runs, sizeof runs, "%s/runs", conf_root);
    snprintf(copies, sizeof copies, "%s/runs/.longmen-serve", conf_root);
    lm_error err;
    cr_assert_eq(lm__scenario_confine(scen, runs, copies, &err), LM_OK, "%s", err.message);
}

static void conf_teardown(void)
{
    lm__scenario_unconfine();
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", conf_root);
    cr_assert_eq(system(cmd), 0);
}

/* Loads a child of scen/ extending target; the error must be the confinement's and quote
 * nothing of the file. */
static void refused(const char *target)
{
    char text[256], path[256], buf[1200];
    snprintf(text, sizeof text, "extends: %s\nname: probe\n", target);
    put("scen/probe.yaml", text);
    snprintf(path, sizeof path, "%s/scen/probe.yaml", conf_root);
    lm_scenario *sc = NULL;
    lm_error err;
    cr_assert_eq(lm_scenario_load(path, &sc, &err), LM_EINVAL, "%s was read", target);
    lm_error_format(&err, buf, sizeof buf);
    cr_assert_not_null(strstr(buf, "not a scenario file of the served folders"), "%s", buf);
    cr_assert_null(strstr(buf, "hunter2"), "%s", buf);
    cr_assert_str_eq(err.file, path, "located at the extends node");
    cr_assert_eq(err.line, 1);
}

Test(confine, only_regular_scenarios_of_the_served_folders, .init = conf_setup,
     .fini = conf_teardown, .timeout = 20)
{
    char path[256];
    snprintf(path, sizeof path, "%s/scen/child.yaml", conf_root);
    lm_scenario_free(load_ok(path));
    refused("../outside/secret.yaml");
    refused("/etc/passwd");
    refused("/etc/no-such-file.yaml");
    refused("link.yaml");  /* a link out of the folder */
    refused("notes.txt");  /* inside, but no scenario */
    refused("fifo.yaml");  /* a FIFO would block the caller */
    refused("../runs");    /* a folder */
    /* The top-level file is confined too. */
    snprintf(path, sizeof path, "%s/outside/secret.yaml", conf_root);
    lm_scenario *sc = NULL;
    lm_error err;
    cr_assert_neq(lm_scenario_load(path, &sc, &err), LM_OK);
    cr_assert_null(strstr(err.message, "hunter2"), "%s", err.message);
}

/* The server's edited copy of child.yaml lives in runs/.longmen-serve/ but resolves its
 * relative extends from scen/, the folder of the file it was made from. */
Test(confine, an_edited_copy_extends_from_the_original_folder, .init = conf_setup,
     .fini = conf_teardown, .timeout = 20)
{
    put("runs/.longmen-serve/child-edited-1.yaml", "extends: tiny.yaml\nname: tiny-edited\n");
    char path[256];
    snprintf(path, sizeof path, "%s/runs/.longmen-serve/child-edited-1.yaml", conf_root);
    lm_scenario *sc = load_ok(path);
    cr_assert_str_eq(lm_scenario_name(sc), "tiny-edited");
    cr_assert_eq(lm_scenario_region_count(sc), 2);
    lm_scenario_free(sc);
}

/* Not confined (`longmen run`): a FIFO nobody writes to is an error at once, not a hang. */
Test(confine, a_fifo_without_writer_does_not_block, .init = conf_setup, .fini = conf_teardown,
     .timeout = 20)
{
    lm__scenario_unconfine();
    char path[256];
    snprintf(path, sizeof path, "%s/scen/fifo.yaml", conf_root);
    lm_scenario *sc = NULL;
    lm_error err;
    cr_assert_eq(lm_scenario_load(path, &sc, &err), LM_EINVAL);
    cr_assert_not_null(strstr(err.message, "FIFO or pipe with nothing written to it"), "%s",
                       err.message);
    /* Through extends too. */
    snprintf(path, sizeof path, "%s/scen/probe.yaml", conf_root);
    put("scen/probe.yaml", "extends: fifo.yaml\nname: probe\n");
    cr_assert_neq(lm_scenario_load(path, &sc, &err), LM_OK);
}
