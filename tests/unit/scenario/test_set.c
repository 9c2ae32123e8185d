/* tests/unit/scenario/test_set.c -- the `set:` key of a scenario file (src/scenario/set.c,
 * calibration issue): its edits ("NAME=VALUE" as --policy) apply after extends: is merged,
 * a policy field included; in a chain every file's edits apply, the child's last; a bad edit
 * or a bad `set` is reported at its own line. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io/store.h"
#include "longmen/longmen.h"
#include "scenario/scenario_int.h"

#define TINY LM_TEST_DATA "/tiny.yaml"

static char dir[64];

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/lm_set_XXXXXX");
    cr_assert_not_null(mkdtemp(dir), "mkdtemp: %s", strerror(errno));
}

static void teardown(void) { lm__outdir_abort(dir); }

static const char *put_file(const char *name, const char *text)
{
    static char path[8][128];
    static int k;
    char *p = path[k++ % 8];
    snprintf(p, 128, "%s/%s", dir, name);
    FILE *f = fopen(p, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
    return p;
}

static const lm_policy *first(const lm_params *p, int r, lm_policy_kind kind)
{
    for (int i = 0; i < p->regions[r].n_policies; ++i)
        if (p->regions[r].policies[i].kind == kind)
            return &p->regions[r].policies[i];
    return NULL;
}

TestSuite(scenario_set, .init = setup, .fini = teardown);

Test(scenario_set, edits_apply_to_the_merged_tree)
{
    put_file("a.yaml", "extends: " TINY "\n"
                    "set:\n"
                    "  - \"Jiashi.st_fund.loss_tolerance=0.45\"\n"
                    "  - \"params.entry.base_rate=6e-05\"\n"
                    "  - \"乙市.amenity=0.7\"\n");
    lm_scenario *sc = NULL;
    lm_error err;
    char path[128];
    snprintf(path, sizeof path, "%s/a.yaml", dir);
    cr_assert_eq(lm_scenario_load(path, &sc, &err), LM_OK, "%s:%d: %s", err.file, err.line,
                 err.message);
    const lm_params *p = lm__scenario_params(sc);
    cr_assert_eq(first(p, 0, LM_POLICY_ST_FUND)->loss_tolerance, 0.45);
    cr_assert_eq(first(p, 0, LM_POLICY_ST_FUND)->budget_cny_year, 1.0e9, "the rest is kept");
    cr_assert_eq(p->entry.base_rate, 6e-05);
    cr_assert_eq(p->regions[1].amenity, 0.7);
    lm_scenario_free(sc);
}

Test(scenario_set, every_file_of_a_chain_applies_the_child_last)
{
    put_file("parent.yaml", "extends: " TINY "\n"
                         "set: [\"params.entry.base_rate=6e-05\", \"Jiashi.amenity=0.5\"]\n");
    put_file("child.yaml", "extends: parent.yaml\n"
                        "set: [\"Jiashi.amenity=0.6\"]\n");
    lm_scenario *sc = NULL;
    lm_error err;
    char path[128];
    snprintf(path, sizeof path, "%s/child.yaml", dir);
    cr_assert_eq(lm_scenario_load(path, &sc, &err), LM_OK, "%s", err.message);
    const lm_params *p = lm__scenario_params(sc);
    cr_assert_eq(p->entry.base_rate, 6e-05);
    cr_assert_eq(p->regions[0].amenity, 0.6);
    lm_scenario_free(sc);
}

Test(scenario_set, bad_edits_are_reported_at_their_line)
{
    static const struct {
        const char *text;
        int line, column;
        const char *field, *message;
    } cases[] = {
        {"extends: " TINY "\nset:\n  - \"Nowhere.amenity=1\"\n", 3, 6, "set[0]",
         "no region named 'Nowhere'"},
        {"extends: " TINY "\nset:\n  - \"params.entry.base_rate=1e-5\"\n  - amenity\n", 4, 5,
         "set[1]", "expected an edit"},
        {"extends: " TINY "\nset: {a: 1}\n", 2, 6, "set", "expected a list of edits"},
        {"extends: " TINY "\nset:\n  - \"Yishi.st_fund.loss_tolerance=0.3\"\n", 3, 6, "set[0]",
         "has no st_fund policy"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
        char name[32];
        snprintf(name, sizeof name, "bad%zu.yaml", i);
        const char *path = put_file(name, cases[i].text);
        lm_scenario *sc = NULL;
        lm_error err;
        cr_assert_eq(lm_scenario_load(path, &sc, &err), LM_EINVAL, "case %zu", i);
        cr_expect_str_eq(err.file, path, "case %zu", i);
        cr_expect_eq(err.line, cases[i].line, "case %zu: %s", i, err.message);
        cr_expect_eq(err.column, cases[i].column, "case %zu: %s", i, err.message);
        cr_expect_str_eq(err.field, cases[i].field, "case %zu: %s", i, err.message);
        cr_expect_not_null(strstr(err.message, cases[i].message), "case %zu: %s", i,
                           err.message);
    }
}
