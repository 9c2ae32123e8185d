/* tests/unit/scenario/test_levers.c -- the levers file of `longmen optimise`
 * (src/scenario/levers.c): a valid file in all three lever forms, and malformed files, each
 * reported as file:line:col: field: message at the offending node; {region} expansion;
 * lm_parse_money. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "longmen/optimise.h"
#include "scenario/levers.h"

static const char good[] = "region: Hefei\n"
                           "levers:\n"
                           "  - name: fund\n"
                           "    set: \"{region}.st_fund.budget_cny_year\"\n"
                           "    min: 1.0e8\n"
                           "    max: 2.0e9\n"
                           "    step: 1.0e7\n"
                           "    cost_per_unit: 1\n"
                           "  - name: match\n"
                           "    set: \"{region}.matchmaking.deals_seen_multiplier\"\n"
                           "    values: [1, 1.5, 2]\n"
                           "  - name: talent\n"
                           "    options:\n"
                           "      - label: none\n"
                           "      - label: adopt\n"
                           "        adopt: \"{region}:Hangzhou.talent_rule\"\n"
                           "        set: [\"{region}.talent_rule.start=2018-01\"]\n"
                           "        cost: 2.0e7\n";

Test(levers, valid_file)
{
    lm__levers *lv = NULL;
    lm_error err;
    cr_assert_eq(lm__levers_parse(good, strlen(good), "l.yaml", &lv, &err), LM_OK, "%s",
                 err.message);
    cr_assert_str_eq(lv->region, "Hefei");
    cr_assert_eq(lv->n, 3);
    const lm__lever *a = &lv->lever[0], *b = &lv->lever[1], *c = &lv->lever[2];
    cr_assert_eq(a->kind, LM_LEVER_CONTINUOUS);
    cr_assert_float_eq(a->lo, 1e8, 0);
    cr_assert_float_eq(a->hi, 2e9, 0);
    cr_assert(isnan(a->start));
    cr_assert_float_eq(a->step, 1e7, 0);
    cr_assert_float_eq(a->cost_per_unit, 1, 0);
    cr_assert_eq(a->line, 3);
    cr_assert_eq(b->kind, LM_LEVER_VALUES);
    cr_assert_eq(b->n_options, 3);
    cr_assert_float_eq(b->value[1], 1.5, 0);
    cr_assert_eq(c->kind, LM_LEVER_OPTIONS);
    cr_assert_eq(c->n_options, 2);
    cr_assert_eq(c->option[0].n_edits, 0);
    cr_assert_eq(c->option[1].n_edits, 2);
    cr_assert_float_eq(c->option[1].cost, 2e7, 0);
    const int e = c->option[1].first_edit;
    cr_assert(lv->edit_is_adopt[e], "adoptions come first");
    cr_assert_str_eq(lv->edit[e], "{region}:Hangzhou.talent_rule");
    cr_assert(!lv->edit_is_adopt[e + 1]);
    char out[128];
    cr_assert(lm__levers_expand(lv->edit[e], "Hefei", out, sizeof out));
    cr_assert_str_eq(out, "Hefei:Hangzhou.talent_rule");
    cr_assert(!lm__levers_expand("{region}.x", "Hefei", out, 7), "too long for the buffer");
    lm__levers_free(lv);
}

/* Each case: the text, and the start of the formatted error. */
static void expect_error(const char *text, const char *want)
{
    lm__levers *lv = NULL;
    lm_error err;
    const lm_status st = lm__levers_parse(text, strlen(text), "l.yaml", &lv, &err);
    cr_assert_neq(st, LM_OK, "accepted: %s", text);
    cr_assert_null(lv);
    char line[1024];
    lm_error_format(&err, line, sizeof line);
    cr_assert(strncmp(line, want, strlen(want)) == 0, "got   %s\nwant  %s...", line, want);
}

Test(levers, errors_point_at_the_node)
{
    expect_error("levers: []\n", "l.yaml:1:9: levers: expected 1 to 16 levers, got 0");
    expect_error("region: x\n", "l.yaml:1:1: levers: required key \"levers\" is missing");
    expect_error("levers:\n  - name: a\n    set: x.y.z\n    min: 1\n    maxx: 2\n",
                 "l.yaml:5:5: levers[0].maxx: unknown key; did you mean \"max\"?");
    expect_error("levers:\n  - name: a\n    set: x.y.z\n    min: 1\n    max: zero\n",
                 "l.yaml:5:10: levers[0].max: expected a number, got \"zero\"");
    expect_error("levers:\n  - name: a\n    set: x.y.z\n    min: 2\n    max: 1\n",
                 "l.yaml:5:10: levers[0].max: expected a number > min (2), got 1");
    expect_error("levers:\n  - name: a\n    set: x.y.z=3\n    min: 1\n    max: 2\n",
                 "l.yaml:3:10: levers[0].set: \"x.y.z=3\": expected the left side");
    expect_error("levers:\n  - name: a\n    set: x.y.z\n    min: 1\n",
                 "l.yaml:2:5: levers[0]: required key \"max\" is missing");
    expect_error("levers:\n  - name: A b\n    set: x.y.z\n    values: [1]\n",
                 "l.yaml:2:11: levers[0].name: expected a name of a-z, 0-9 and _");
    expect_error("levers:\n  - name: a\n    set: x.y.z\n    values: [1, 1]\n",
                 "l.yaml:4:17: levers[0].values[1]: value 1 is given twice");
    expect_error("levers:\n  - name: a\n    set: x.y.z\n    values: [1]\n  - name: a\n"
                 "    set: x.y.w\n    values: [2]\n",
                 "l.yaml:5:11: levers[1].name: lever \"a\" is given twice");
    expect_error("levers:\n  - name: a\n    options:\n      - label: x\n",
                 "l.yaml:4:7: levers[0].options: expected 2 to 16 options, got 1");
    expect_error("levers:\n  - name: a\n    options:\n      - label: x\n      - label: y\n"
                 "        adopt: nocolon\n",
                 "l.yaml:6:16: levers[0].options[1].adopt: \"nocolon\": expected TO:FROM.KIND");
    expect_error("levers:\n  - name: a\n    options:\n      - label: x\n      - label: y\n"
                 "        set: [a.b]\n",
                 "l.yaml:6:15: levers[0].options[1].set[0]: \"a.b\": expected NAME=VALUE");
    expect_error("levers:\n  - name: a\n    options:\n      - label: x\n      - label: y\n"
                 "        cost: -1\n",
                 "l.yaml:6:15: levers[0].options[1].cost: expected a number >= 0, got -1");
    expect_error("levers:\n  - name: a\n    set: x.y\n    options:\n      - label: x\n"
                 "      - label: y\n",
                 "l.yaml:3:5: levers[0].set: a lever with options takes no set");
    expect_error("levers:\n  - name: a\n    min: 1\n    max: 2\n",
                 "l.yaml:2:5: levers[0]: expected \"set\" with min and max or with values");
    expect_error("levers: [\n", "l.yaml:");
    expect_error("", "l.yaml: levers: the file holds no YAML");
    expect_error("levers:\n  - name: a\n    set: x.y.z\n    min: 1\n    max: 2\n    start: 3\n",
                 "l.yaml:6:12: levers[0].start: expected a number in [1, 2], got 3");
}

Test(levers, combinations_are_bounded)
{
    char text[4096] = "levers:\n";
    for (int i = 0; i < 9; ++i) {
        char one[128];
        snprintf(one, sizeof one, "  - name: l%d\n    set: x.y.z%d\n    values: [0, 1]\n", i, i);
        strcat(text, one);
    }
    expect_error(text, "l.yaml:26:5: levers[8]: the discrete levers have more than 256");
}

Test(levers, money)
{
    double v;
    cr_assert(lm_parse_money("2e9", &v) && v == 2e9);
    cr_assert(lm_parse_money("2bn", &v) && v == 2e9);
    cr_assert(lm_parse_money("2.5BN", &v) && v == 2.5e9);
    cr_assert(lm_parse_money("500m", &v) && v == 5e8);
    cr_assert(lm_parse_money("750k", &v) && v == 7.5e5);
    cr_assert(lm_parse_money("1.2b CNY", &v) && fabs(v - 1.2e9) < 1);
    cr_assert(lm_parse_money("1500000000", &v) && v == 1.5e9);
    cr_assert(!lm_parse_money("", &v));
    cr_assert(!lm_parse_money("bn", &v));
    cr_assert(!lm_parse_money("-2bn", &v));
    cr_assert(!lm_parse_money("2 zillion", &v));
    cr_assert(!lm_parse_money("inf", &v));
    cr_assert(!lm_parse_money("nan", &v));
}
