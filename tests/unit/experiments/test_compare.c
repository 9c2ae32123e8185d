/* tests/unit/experiments/test_compare.c -- `longmen compare` (src/experiments/compare.c) and
 * the counterfactual edits (src/scenario/edits.c): a scenario compared with itself (no edit,
 * or an edit that sets a value to the value it has) gives exactly the same runs in both arms,
 * replication by replication, and zero differences; an edit does change the counterfactual;
 * adoption copies a policy; bad edits are reported at file:line:col. */
#include <criterion/criterion.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "io/store.h"
#include "longmen/experiments.h"
#include "lm_test.h"
#include "lm_test_db.h"
#include "scenario/scenario_int.h"

#define TINY LM_TEST_DATA "/tiny.yaml"
#define RUNS 3

static char tmp_root[64];

static void setup(void)
{
    snprintf(tmp_root, sizeof tmp_root, "/tmp/lm_cmp_XXXXXX");
    cr_assert_not_null(mkdtemp(tmp_root), "mkdtemp: %s", strerror(errno));
}

static void teardown(void) { lm__outdir_abort(tmp_root); }

static const char *const tables[] = {
    "SELECT * FROM region_year WHERE run_id = ?1 ORDER BY region_id, year",
    "SELECT * FROM firm WHERE run_id = ?1 ORDER BY firm_id",
    "SELECT * FROM fund WHERE run_id = ?1 ORDER BY fund_id",
    "SELECT * FROM deal WHERE run_id = ?1 ORDER BY deal_id",
};

/* Runs compare into tmp_root/name; returns the database path in db. */
static void compare(const char *name, const lm_scenario_edits *edits, char *db, size_t size)
{
    char out[128];
    snprintf(out, sizeof out, "%s/%s", tmp_root, name);
    lm_experiment_config cfg;
    lm_experiment_config_init(&cfg);
    cfg.job.scenario_path = TINY;
    cfg.job.out_dir = out;
    cfg.job.threads = 2;
    cfg.runs = RUNS;
    lm_experiment_result res;
    lm_error err;
    cr_assert_eq(lm_experiment_compare(&cfg, edits, &res, &err), LM_OK, "%s", err.message);
    cr_assert_eq(res.n_arms, 2);
    cr_assert_not_null(strstr(res.summary, "counterfactual - baseline"));
    lm_experiment_result_fini(&res);
    snprintf(db, size, "%s/results.sqlite", out);
}

static void assert_arms_identical(const char *db_path, bool expect_same)
{
    sqlite3 *db = NULL;
    cr_assert_eq(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    bool all_same = true;
    for (int i = 1; i <= RUNS; ++i)
        for (size_t t = 0; t < sizeof tables / sizeof tables[0]; ++t) {
            char *a = lm_test_dump_run(db, tables[t], i), *b = lm_test_dump_run(db, tables[t], RUNS + i);
            if (expect_same)
                cr_assert_str_eq(a, b, "replication %d differs between the arms: %s", i,
                                 tables[t]);
            all_same = all_same && strcmp(a, b) == 0;
            free(a);
            free(b);
        }
    if (!expect_same)
        cr_assert_not(all_same, "the edit changed nothing");
    /* The arms and the run indices (common random numbers). */
    char *arms = lm_test_dump_run(db, "SELECT run_id, arm, run FROM run WHERE ?1 > 0 ORDER BY run_id", 1);
    cr_assert_str_eq(arms, "baseline|0|\nbaseline|1|\nbaseline|2|\n"
                           "counterfactual|0|\ncounterfactual|1|\ncounterfactual|2|\n");
    free(arms);
    sqlite3_close(db);
}

/* Every diff_mean of compare.csv is exactly zero. */
static void assert_csv_zero(const char *db_path)
{
    char csv[200];
    snprintf(csv, sizeof csv, "%s", db_path);
    strcpy(strrchr(csv, '/'), "/compare.csv");
    FILE *f = fopen(csv, "r");
    cr_assert_not_null(f, "no %s", csv);
    char line[512];
    int rows = 0;
    cr_assert_not_null(fgets(line, sizeof line, f));
    while (fgets(line, sizeof line, f)) {
        /* region,metric,runs,baseline,counterfactual,diff_mean,lo,hi */
        char *p = line;
        for (int k = 0; k < 5; ++k)
            p = strchr(p, ',') + 1;
        const double d = strtod(p, NULL);
        const bool nan_ok = strncmp(p, "nan", 3) == 0 || strncmp(p, "-nan", 4) == 0;
        cr_assert(d == 0.0 || nan_ok, "non-zero difference: %s", line);
        ++rows;
    }
    fclose(f);
    cr_assert_eq(rows, 3 * 5, "2 regions + total, 5 metrics");
}

Test(compare, itself_gives_zero_in_every_replication, .init = setup, .fini = teardown)
{
    char db[200];
    compare("self", NULL, db, sizeof db);
    assert_arms_identical(db, true);
    assert_csv_zero(db);
}

Test(compare, a_no_op_edit_gives_zero_in_every_replication, .init = setup, .fini = teardown)
{
    /* 甲市's st_fund has loss_tolerance 0.3 in the file. */
    const char *set[] = {"Jiashi.st_fund.loss_tolerance=0.3"};
    const lm_scenario_edits e = {.set = set, .n_set = 1};
    char db[200];
    compare("noop", &e, db, sizeof db);
    assert_arms_identical(db, true);
    assert_csv_zero(db);
}

Test(compare, adopting_a_fund_changes_the_counterfactual, .init = setup, .fini = teardown)
{
    const char *adopt[] = {"Yishi:Jiashi.st_fund"};
    const lm_scenario_edits e = {.adopt = adopt, .n_adopt = 1};
    char db[200];
    compare("adopt", &e, db, sizeof db);
    assert_arms_identical(db, false);
}

Test(edits, set_and_adopt_reach_the_parameters)
{
    const char *set[] = {"甲市.st_fund.loss_tolerance=0.55", "Yishi.amenity=0.25",
                         "params.entry.base_rate=0.0001", "Yishi.st_fund.budget_cny_year=2e9"};
    const char *adopt[] = {"Yishi:Jiashi.st_fund"};
    const lm_scenario_edits e = {.set = set, .n_set = 4, .adopt = adopt, .n_adopt = 1};
    lm_scenario *sc = NULL;
    lm_error err;
    cr_assert_eq(lm_scenario_load_edited(TINY, &e, &sc, &err), LM_OK, "%s", err.message);
    const lm_params *p = lm__scenario_params(sc);
    cr_assert_float_eq(p->regions[0].policies[0].loss_tolerance, 0.55, 1e-12);
    cr_assert_float_eq(p->regions[1].amenity, 0.25, 1e-12);
    cr_assert_float_eq(p->entry.base_rate, 0.0001, 1e-15);
    /* 乙市 keeps its lab and gains 甲市's fund (with its tolerance from the file, 0.3, not
     * the 0.55 set on 甲市's: the copy is independent), then its budget is set. */
    cr_assert_eq(p->regions[1].n_policies, 2);
    cr_assert_float_eq(p->regions[1].policies[1].loss_tolerance, 0.3, 1e-12);
    cr_assert_float_eq(p->regions[1].policies[1].budget_cny_year, 2e9, 1);
    cr_assert_float_eq(p->regions[0].policies[0].budget_cny_year, 1e9, 1);
    cr_assert_not_null(strstr(lm_scenario_text(sc), "--adopt Yishi:Jiashi.st_fund"));
    lm_scenario_free(sc);
}

/* The issue's own form: a lower-case English region name and "guidance_fund" for whichever
 * government guidance fund the region has. */
Test(edits, english_names_ignore_case_and_guidance_fund_finds_the_fund)
{
    const char *set[] = {"jiashi.guidance_fund.loss_tolerance=0.45"};
    const char *adopt[] = {"yishi:JIASHI.guidance_fund"};
    const lm_scenario_edits e = {.set = set, .n_set = 1, .adopt = adopt, .n_adopt = 1};
    lm_scenario *sc = NULL;
    lm_error err;
    cr_assert_eq(lm_scenario_load_edited(TINY, &e, &sc, &err), LM_OK, "%s", err.message);
    const lm_params *p = lm__scenario_params(sc);
    cr_assert_eq(p->regions[0].policies[0].kind, LM_POLICY_ST_FUND);
    cr_assert_float_eq(p->regions[0].policies[0].loss_tolerance, 0.45, 1e-12);
    cr_assert_eq(p->regions[1].n_policies, 2); /* the adopted st_fund joins 乙市's lab */
    cr_assert_eq(p->regions[1].policies[1].kind, LM_POLICY_ST_FUND);
    lm_scenario_free(sc);
}

/* "guidance_fund" prefers the early-stage funds: with an industry fund first in the file,
 * guidance_fund is still the first st_fund, #2 the next st_fund, #3 the industry fund. */
Test(edits, guidance_fund_means_the_early_stage_fund_first)
{
    FILE *in = fopen(TINY, "r");
    cr_assert_not_null(in);
    char text[16384];
    const size_t len = fread(text, 1, sizeof text - 1, in);
    fclose(in);
    text[len] = '\0';
    const char *at = strstr(text, "    policies:\n      - kind: st_fund\n");
    cr_assert_not_null(at);
    char path[] = "/tmp/lm_guidance_XXXXXX.yaml";
    const int fd = mkstemps(path, 5);
    cr_assert(fd >= 0);
    FILE *out = fdopen(fd, "w");
    fprintf(out,
            "%.*s    policies:\n"
            "      - kind: innovation_fund\n        name: industry\n        start: 2015-01\n"
            "        budget_cny_year: 2.0e9\n        loss_tolerance: 0.02\n"
            "        sectors: [robotics]\n"
            "      - kind: st_fund\n        name: angel\n        start: 2015-01\n"
            "        budget_cny_year: 5.0e8\n        loss_tolerance: 0.1\n"
            "        sectors: [ai_models]\n"
            "%s",
            (int)(at - text), text, at + strlen("    policies:\n"));
    fclose(out);
    static const struct {
        const char *kind;
        int index; /* of the policy edited, -1: no such fund */
    } cases[] = {{"guidance_fund", 1}, {"guidance_fund#2", 2}, {"guidance_fund#3", 0},
                 {"guidance_fund#4", -1}, {"innovation_fund", 0}, {"st_fund#2", 2}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; ++c) {
        char edit[96];
        snprintf(edit, sizeof edit, "Jiashi.%s.loss_tolerance=0.45", cases[c].kind);
        const char *set[] = {edit};
        const lm_scenario_edits e = {.set = set, .n_set = 1};
        lm_scenario *sc = NULL;
        lm_error err;
        const lm_status st = lm_scenario_load_edited(path, &e, &sc, &err);
        if (cases[c].index < 0) {
            cr_assert_eq(st, LM_EINVAL, "%s", edit);
            continue;
        }
        cr_assert_eq(st, LM_OK, "%s: %s", edit, err.message);
        const lm_params *p = lm__scenario_params(sc);
        cr_assert_eq(p->regions[0].n_policies, 3);
        for (int k = 0; k < 3; ++k)
            cr_assert_eq(p->regions[0].policies[k].loss_tolerance == 0.45, k == cases[c].index,
                         "%s: policy %d", edit, k);
        lm_scenario_free(sc);
    }
    unlink(path);
}

Test(edits, bad_edits_name_file_line_and_field)
{
    static const struct {
        const char *set, *file_line, *field;
    } cases[] = {
        {"Jiashi.st_fund.loss_tolerance=abc", "tiny.yaml", "regions[0].policies[0].loss_tolerance"},
        {"Jiashi.st_fund.loss_tolerence=0.3", "tiny.yaml", "regions[0].policies[0].loss_tolerence"},
        {"Nowhere.st_fund.loss_tolerance=0.3", "tiny.yaml", "--policy"},
        {"Yishi.st_fund.loss_tolerance=0.3", "tiny.yaml", "--policy"},
        {"no_equals_sign", "tiny.yaml", "--policy"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
        const char *set[] = {cases[i].set};
        const lm_scenario_edits e = {.set = set, .n_set = 1};
        lm_scenario *sc = NULL;
        lm_error err;
        cr_assert_eq(lm_scenario_load_edited(TINY, &e, &sc, &err), LM_EINVAL, "%s", cases[i].set);
        cr_assert_null(sc);
        cr_assert_not_null(strstr(err.file, cases[i].file_line), "%s: file %s", cases[i].set,
                           err.file);
        cr_assert_str_eq(err.field, cases[i].field, "%s", cases[i].set);
    }
    const char *adopt[] = {"Yishi:Jiashi.talent_rule"};
    const lm_scenario_edits e = {.adopt = adopt, .n_adopt = 1};
    lm_scenario *sc = NULL;
    lm_error err;
    cr_assert_eq(lm_scenario_load_edited(TINY, &e, &sc, &err), LM_EINVAL);
    cr_assert_gt(err.line, 0);
}

/* @YYYY-MM: the copy starts that month and drops the source's end (乙市's lab ends 2016-07);
 * --adopt replaces the region's own policy of the kind, --add keeps it and appends. */
Test(edits, adopt_from_a_date_replaces_and_add_keeps_the_own_policy)
{
    int32_t m2016_03, m2015_06;
    cr_assert(lm_month_parse("2016-03", &m2016_03));
    cr_assert(lm_month_parse("2015-06", &m2015_06));
    const char *adopt[] = {"Jiashi:Jiashi.st_fund@2016-03", "Jiashi:Yishi.lab@2015-06"};
    const lm_scenario_edits a = {.adopt = adopt, .n_adopt = 2};
    lm_scenario *sc = NULL;
    lm_error err;
    cr_assert_eq(lm_scenario_load_edited(TINY, &a, &sc, &err), LM_OK, "%s", err.message);
    const lm_params *p = lm__scenario_params(sc);
    cr_assert_eq(p->regions[0].n_policies, 2, "the own st_fund replaced, the lab appended");
    cr_assert_eq(p->regions[0].policies[0].kind, LM_POLICY_ST_FUND);
    cr_assert_eq(p->regions[0].policies[0].start, m2016_03);
    cr_assert_eq(p->regions[0].policies[1].kind, LM_POLICY_LAB);
    cr_assert_eq(p->regions[0].policies[1].start, m2015_06);
    cr_assert_eq(p->regions[0].policies[1].end, LM_MONTH_NEVER, "Yishi's end is not copied");
    cr_assert_neq(p->regions[1].policies[0].end, LM_MONTH_NEVER, "the source keeps its end");
    lm_scenario_free(sc);

    const char *add[] = {"Jiashi:Jiashi.st_fund@2016-03"};
    const lm_scenario_edits b = {.add = add, .n_add = 1};
    cr_assert_eq(lm_scenario_load_edited(TINY, &b, &sc, &err), LM_OK, "%s", err.message);
    p = lm__scenario_params(sc);
    cr_assert_eq(p->regions[0].n_policies, 2, "the own st_fund kept, the copy beside it");
    cr_assert_eq(p->regions[0].policies[0].kind, LM_POLICY_ST_FUND);
    cr_assert_neq(p->regions[0].policies[0].start, m2016_03);
    cr_assert_eq(p->regions[0].policies[1].kind, LM_POLICY_ST_FUND);
    cr_assert_eq(p->regions[0].policies[1].start, m2016_03);
    cr_assert_not_null(strstr(lm_scenario_text(sc), "--add Jiashi:Jiashi.st_fund@2016-03"));
    lm_scenario_free(sc);
}

/* Unknown names say the closest valid one and list the valid ones. */
Test(edits, unknown_names_suggest_and_list_the_choices)
{
    static const struct {
        const char *adopt, *set, *want[3];
    } cases[] = {
        {"jiashl:Yishi.lab", NULL,
         {"no region named 'jiashl'", "did you mean \"Jiashi\"?", "Valid: 甲市, Jiashi, 乙市, Yishi"}},
        {"Jiashi:Yishi.lba", NULL,
         {"'lba' is no policy kind", "did you mean \"lab\"?", "talent_rule"}},
        {"Jiashi:Yishi.st_fund", NULL, {"region 'Yishi' has no st_fund policy", "it has lab", ""}},
        {"Jiashi:Yishi.lab@2016-13", NULL, {"expected a month YYYY-MM after @", "", ""}},
        {NULL, "Yishl.amenity=0.3", {"did you mean \"Yishi\"?", "", ""}},
        {NULL, "Jiashi.st_fund.budget_cny_year=10bln",
         {"unknown unit \"bln\"; did you mean \"bn\"?", "亿", ""}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
        const char *one[] = {cases[i].adopt ? cases[i].adopt : cases[i].set};
        const lm_scenario_edits e = cases[i].adopt ? (lm_scenario_edits){.adopt = one, .n_adopt = 1}
                                                   : (lm_scenario_edits){.set = one, .n_set = 1};
        lm_scenario *sc = NULL;
        lm_error err;
        cr_assert_eq(lm_scenario_load_edited(TINY, &e, &sc, &err), LM_EINVAL, "%s", one[0]);
        for (int k = 0; k < 3; ++k)
            cr_assert_not_null(strstr(err.message, cases[i].want[k]), "%s: \"%s\" lacks \"%s\"",
                               one[0], err.message, cases[i].want[k]);
    }
}

/* Money fields take the units --budget takes. */
Test(edits, money_fields_take_units)
{
    static const struct {
        const char *value;
        double cny;
    } cases[] = {{"10bn", 1e10}, {"1e10", 1e10}, {"100亿", 1e10}, {"5000万", 5e7},
                 {"2.5 billion CNY", 2.5e9}, {"300m", 3e8}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
        char edit[128];
        snprintf(edit, sizeof edit, "Jiashi.st_fund.budget_cny_year=%s", cases[i].value);
        const char *set[] = {edit};
        const lm_scenario_edits e = {.set = set, .n_set = 1};
        lm_scenario *sc = NULL;
        lm_error err;
        cr_assert_eq(lm_scenario_load_edited(TINY, &e, &sc, &err), LM_OK, "%s: %s", edit,
                     err.message);
        cr_assert_float_eq(lm__scenario_params(sc)->regions[0].policies[0].budget_cny_year,
                           cases[i].cny, 1e-3, "%s", edit);
        lm_scenario_free(sc);
    }
}

/* Raises the stop flag once `after` months have been simulated. */
typedef struct stopper {
    volatile sig_atomic_t flag;
    int after;
} stopper;

static void stop_after(const lm_progress *p, void *user)
{
    stopper *s = user;
    if (p->months_done >= s->after)
        s->flag = 1;
}

Test(compare, resume_only_with_the_same_edits, .init = setup, .fini = teardown)
{
    char out[128];
    snprintf(out, sizeof out, "%s/resume", tmp_root);
    const char *adopt[] = {"Yishi:Jiashi.st_fund"};
    const char *other[] = {"Jiashi.st_fund.loss_tolerance=0.5"};
    const lm_scenario_edits e = {.adopt = adopt, .n_adopt = 1};
    const lm_scenario_edits f = {.set = other, .n_set = 1};
    lm_experiment_config cfg;
    lm_experiment_config_init(&cfg);
    cfg.job.scenario_path = TINY;
    cfg.job.out_dir = out;
    cfg.job.threads = 1;
    cfg.runs = 2;
    stopper s = {0, 80}; /* baseline 1, 2 (48 months) and counterfactual 1 complete */
    cfg.job.progress = stop_after;
    cfg.job.progress_user = &s;
    cfg.job.stop_flag = &s.flag;
    lm_experiment_result res;
    lm_error err;
    cr_assert_eq(lm_experiment_compare(&cfg, &e, &res, &err), LM_EINTR, "%s", err.message);
    cfg.job.progress = NULL;
    cfg.job.stop_flag = NULL;
    cfg.resume = true;
    /* Other edits: the counterfactual kept is not theirs. */
    cr_assert_eq(lm_experiment_compare(&cfg, &f, &res, &err), LM_EINVAL, "%s", err.message);
    cr_assert_eq(lm_experiment_compare(&cfg, &e, &res, &err), LM_OK, "%s", err.message);
    cr_assert_eq(res.runs_resumed, 3);
    lm_experiment_result_fini(&res);
}

/* Every policy is a switch: `enabled: false` (here by an edit) drops it after it was checked;
 * KIND#N names the N-th policy of a kind. */
Test(edits, enabled_false_drops_a_policy_and_kind_n_names_the_nth)
{
    const char *set[] = {"Jiashi.st_fund#1.enabled=false", "Yishi.lab.enabled=true"};
    const lm_scenario_edits e = {.set = set, .n_set = 2};
    lm_scenario *sc = NULL;
    lm_error err;
    cr_assert_eq(lm_scenario_load_edited(TINY, &e, &sc, &err), LM_OK, "%s", err.message);
    const lm_params *p = lm__scenario_params(sc);
    cr_assert_eq(p->regions[0].n_policies, 0);
    cr_assert_eq(p->regions[1].n_policies, 1);
    cr_assert_eq(p->regions[1].policies[0].kind, LM_POLICY_LAB);
    lm_scenario_free(sc);
    /* a disabled policy is still checked: a bad value in it is an error */
    const char *bad_value[] = {"Jiashi.st_fund.enabled=false", "Jiashi.st_fund.loss_tolerance=2"};
    const lm_scenario_edits e2 = {.set = bad_value, .n_set = 2};
    cr_assert_eq(lm_scenario_load_edited(TINY, &e2, &sc, &err), LM_EINVAL);
    cr_assert_str_eq(err.field, "regions[0].policies[0].loss_tolerance");
    /* no second lab; #0 and #x are no kinds */
    const char *bad_n[] = {"Yishi.lab#2.enabled=false", "Yishi.lab#0.enabled=false",
                           "Yishi.lab#x.enabled=false", "Yishi.lab.enabled=maybe"};
    for (size_t i = 0; i < sizeof bad_n / sizeof bad_n[0]; ++i) {
        const lm_scenario_edits e3 = {.set = &bad_n[i], .n_set = 1};
        cr_assert_eq(lm_scenario_load_edited(TINY, &e3, &sc, &err), LM_EINVAL, "%s", bad_n[i]);
        cr_assert_null(sc);
    }
}
