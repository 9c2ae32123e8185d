/* tests/unit/report/test_report.c -- the report's data layer and writers (src/report/):
 * quantiles against hand-computed values; a real run of tests/data/tiny.yaml whose report data
 * must hold the database's numbers; hand-made databases for what the engine cannot produce
 * yet (three replications with known values -> median and 90% band; arms named by an `arm`
 * column; an unknown large table -> summed by year and category; missing tables -> sections
 * marked absent, never an error); hostile names ("</script>", "<&>") that must not break
 * the page or the SVG; and the refusals (no file, not a database, an empty run table). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <float.h>
#include <sqlite3.h>

#include "io/store.h"
#include "longmen/experiments.h"
#include "longmen/job.h"
#include "longmen/report.h"
#include "report/report_int.h"

static char tmp_root[64];

static void setup(void)
{
    snprintf(tmp_root, sizeof tmp_root, "/tmp/lm_report_XXXXXX");
    cr_assert_not_null(mkdtemp(tmp_root), "mkdtemp: %s", strerror(errno));
}

static void teardown(void) { lm__outdir_abort(tmp_root); }

TestSuite(report, .init = setup, .fini = teardown);

static void path_in(char *buf, size_t size, const char *name)
{
    snprintf(buf, size, "%s/%s", tmp_root, name);
}

static void exec_sql(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    cr_assert_eq(sqlite3_exec(db, sql, NULL, NULL, &msg), SQLITE_OK, "%s: %s", sql,
                 msg ? msg : "");
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "%s: %s", path, strerror(errno));
    fseek(f, 0, SEEK_END);
    const long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static cJSON *report_of(const char *db)
{
    char *text = NULL;
    lm_error err;
    const lm_status st = lm_report_json(db, &text, &err);
    cr_assert_eq(st, LM_OK, "lm_report_json: %s", err.message);
    cJSON *data = cJSON_Parse(text);
    cr_assert_not_null(data, "the report data is not JSON");
    free(text);
    return data;
}

static const cJSON *at(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    cr_assert_not_null(v, "no member %s", key);
    return v;
}

/* values/lo/hi [col][region][year] of arm a. */
static double cell(const cJSON *data, int arm, const char *stat, const char *col, int region,
                   int year)
{
    const cJSON *arms = at(at(data, "region_year"), "arms");
    const cJSON *v = cJSON_GetArrayItem(
        cJSON_GetArrayItem(at(at(cJSON_GetArrayItem(arms, arm), stat), col), region), year);
    cr_assert(cJSON_IsNumber(v), "%s.%s[%d][%d] of arm %d is not a number", stat, col, region,
              year, arm);
    return v->valuedouble;
}

/* ---- quantiles ---- */

Test(report, quantile_type7_by_hand)
{
    const double v[] = {1, 2, 3, 4};
    cr_assert_float_eq(lm__quantile_sorted(v, 4, 0.5), 2.5, 1e-12);
    cr_assert_float_eq(lm__quantile_sorted(v, 4, 0.05), 1.15, 1e-12); /* h = 0.15 */
    cr_assert_float_eq(lm__quantile_sorted(v, 4, 0.95), 3.85, 1e-12); /* h = 2.85 */
    cr_assert_float_eq(lm__quantile_sorted(v, 4, 0.0), 1.0, 1e-12);
    cr_assert_float_eq(lm__quantile_sorted(v, 4, 1.0), 4.0, 1e-12);
    const double one = 2.385;
    cr_assert_float_eq(lm__quantile_sorted(&one, 1, 0.05), 2.385, 1e-12);
}

/* ---- a real run ---- */

static void run_tiny(const char *out)
{
    lm_job_config cfg;
    lm_job_config_init(&cfg);
    cfg.scenario_path = LM_TEST_DATA "/tiny.yaml";
    cfg.out_dir = out;
    cfg.threads = 1;
    cfg.quiet = true;
    lm_job_result res;
    lm_error err;
    cr_assert_eq(lm_job_run(&cfg, &res, &err), LM_OK, "tiny run: %s", err.message);
    lm_job_result_fini(&res);
}

Test(report, data_of_a_run_holds_the_database_numbers)
{
    char out[128], db[160];
    path_in(out, sizeof out, "run");
    run_tiny(out);
    snprintf(db, sizeof db, "%s/results.sqlite", out);
    cJSON *data = report_of(db);
    cr_assert_str_eq(at(data, "mode")->valuestring, "single");
    cr_assert_eq(cJSON_GetArraySize(at(data, "regions")), 2);
    cr_assert_str_eq(at(cJSON_GetArrayItem(at(data, "regions"), 0), "name")->valuestring, "甲市");
    const cJSON *arm = cJSON_GetArrayItem(at(at(data, "region_year"), "arms"), 0);
    cr_assert_null(cJSON_GetObjectItemCaseSensitive(arm, "lo"), "one run has no band");
    const int first_year = cJSON_GetArrayItem(at(data, "years"), 0)->valueint;
    cr_assert_eq(first_year, 2015);

    sqlite3 *s = NULL;
    cr_assert_eq(sqlite3_open_v2(db, &s, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *q = NULL;
    cr_assert_eq(sqlite3_prepare_v2(s, "SELECT region_id, year, alive, births, revenue_cny "
                                       "FROM region_year", -1, &q, NULL), SQLITE_OK);
    int rows = 0;
    while (sqlite3_step(q) == SQLITE_ROW) {
        const int g = sqlite3_column_int(q, 0), y = sqlite3_column_int(q, 1) - first_year;
        cr_assert_eq(cell(data, 0, "values", "alive", g, y), sqlite3_column_double(q, 2));
        cr_assert_eq(cell(data, 0, "values", "births", g, y), sqlite3_column_double(q, 3));
        /* cJSON prints a number with 15 significant digits when that reads back within
           DBL_EPSILON of it (relative), so a revenue can come back one ulp off; counts are
           exact */
        const double rev = sqlite3_column_double(q, 4);
        cr_assert_leq(fabs(cell(data, 0, "values", "revenue_cny", g, y) - rev),
                      2.0 * DBL_EPSILON * fabs(rev), "revenue of region %d, year %d", g, y);
        ++rows;
    }
    sqlite3_finalize(q);
    cr_assert_eq(rows, 4, "tiny: 2 regions x 2 years");
    /* Firm sizes: every firm is counted once at its peak. */
    const cJSON *size = at(at(data, "sections"), "firm_size");
    cr_assert(cJSON_IsTrue(at(size, "present")));
    double total = 0;
    const cJSON *row = NULL;
    cJSON_ArrayForEach(row, at(size, "rows")) total += cJSON_GetArrayItem(row, 2)->valuedouble;
    cr_assert_eq(sqlite3_prepare_v2(s, "SELECT count(*) FROM firm", -1, &q, NULL), SQLITE_OK);
    cr_assert_eq(sqlite3_step(q), SQLITE_ROW);
    cr_assert_eq(total, sqlite3_column_double(q, 0));
    sqlite3_finalize(q);
    sqlite3_close(s);
    cJSON_Delete(data);

    /* The run wrote both files, and writing again gives the same bytes. */
    char html[200], svg[200];
    snprintf(html, sizeof html, "%s/report.html", out);
    snprintf(svg, sizeof svg, "%s/headline.svg", out);
    char *a = read_file(html), *b = read_file(svg);
    lm_error err;
    cr_assert_eq(lm_report_write_dir(out, &err), LM_OK, "%s", err.message);
    char *a2 = read_file(html), *b2 = read_file(svg);
    cr_assert_str_eq(a, a2);
    cr_assert_str_eq(b, b2);
    free(a);
    free(b);
    free(a2);
    free(b2);
}

/* ---- hand-made databases ---- */

/* run/region/region_year with n runs; alive of region 0 in 2020 is alive[k] for run k+1. */
static void make_db(const char *path, int n, const double *alive, const char *arm_column,
                    const char *const *arms, const char *region0)
{
    sqlite3 *s = NULL;
    cr_assert_eq(sqlite3_open(path, &s), SQLITE_OK);
    char sql[1024];
    snprintf(sql, sizeof sql,
             "CREATE TABLE run(run_id INTEGER PRIMARY KEY, scenario TEXT, seed INTEGER, run "
             "INTEGER, start_month TEXT, end_month TEXT, months INTEGER%s%s);"
             "CREATE TABLE region(run_id INTEGER, region_id INTEGER, name TEXT, name_en TEXT, "
             "province TEXT);"
             "CREATE TABLE region_year(run_id INTEGER, region TEXT, region_id INTEGER, year "
             "INTEGER, months INTEGER, alive INTEGER, births INTEGER, founders_nonlocal_share "
             "REAL);",
             arm_column ? ", " : "", arm_column ? arm_column : "");
    exec_sql(s, sql);
    for (int k = 1; k <= n; ++k) {
        snprintf(sql, sizeof sql,
                 "INSERT INTO run VALUES(%d, 'hand', %d, %d, '2020-01', '2021-12', 24%s%s%s%s);"
                 "INSERT INTO region VALUES(%d, 0, '%s', 'Zero', NULL), (%d, 1, 'B', NULL, NULL);"
                 "INSERT INTO region_year VALUES(%d, 'A', 0, 2020, 12, %g, 5, 0.25),"
                 "(%d, 'A', 0, 2021, 12, %g, 6, 0.5), (%d, 'B', 1, 2020, 12, 1, 1, 0),"
                 "(%d, 'B', 1, 2021, 12, 2, NULL, 0);",
                 k, 100 + k, k - 1, arm_column ? ", '" : "", arm_column ? arms[k - 1] : "",
                 arm_column ? "'" : "", "", k, region0, k, k, alive[k - 1], k, alive[k - 1] * 2, k,
                 k);
        exec_sql(s, sql);
    }
    sqlite3_close(s);
}

Test(report, replications_give_median_and_90_percent_band)
{
    char db[128];
    path_in(db, sizeof db, "reps.sqlite");
    const double alive[] = {40, 10, 20};
    make_db(db, 3, alive, NULL, NULL, "A");
    cJSON *data = report_of(db);
    cr_assert_str_eq(at(data, "mode")->valuestring, "replications");
    cr_assert_eq(cJSON_GetArraySize(at(data, "arms")), 1);
    /* sorted 10, 20, 40: median 20; q05: h = 0.1 -> 11; q95: h = 1.9 -> 38 */
    cr_assert_float_eq(cell(data, 0, "values", "alive", 0, 0), 20.0, 1e-12);
    cr_assert_float_eq(cell(data, 0, "lo", "alive", 0, 0), 11.0, 1e-12);
    cr_assert_float_eq(cell(data, 0, "hi", "alive", 0, 0), 38.0, 1e-12);
    cr_assert_float_eq(cell(data, 0, "hi", "alive", 0, 1), 76.0, 1e-12);
    cr_assert_float_eq(cell(data, 0, "values", "founders_nonlocal_share", 0, 1), 0.5, 1e-12);
    /* A NULL in every run stays missing (null), not zero. */
    const cJSON *births = at(at(cJSON_GetArrayItem(at(at(data, "region_year"), "arms"), 0),
                                "values"), "births");
    cr_assert(cJSON_IsNull(cJSON_GetArrayItem(cJSON_GetArrayItem(births, 1), 1)));
    /* Missing sections are noted, not errors. */
    const cJSON *dragons = at(at(data, "sections"), "dragons");
    cr_assert(cJSON_IsFalse(at(dragons, "present")));
    cr_assert_str_eq(at(dragons, "note")->valuestring, "not in this run's database yet");
    cr_assert(cJSON_IsFalse(at(at(at(data, "sections"), "firm_status"), "present")));
    cJSON_Delete(data);

    /* The figure draws the band. */
    char svg[160];
    path_in(svg, sizeof svg, "reps.svg");
    lm_error err;
    cr_assert_eq(lm_report_write_svg(db, svg, &err), LM_OK, "%s", err.message);
    char *text = read_file(svg);
    cr_assert_not_null(strstr(text, "<polygon class=\"band\""));
    cr_assert_not_null(strstr(text, "3 runs (replications"));
    free(text);
}

Test(report, an_arm_column_makes_a_comparison_baseline_first)
{
    char db[128];
    path_in(db, sizeof db, "arms.sqlite");
    const double alive[] = {10, 30, 50, 70};
    const char *const arms[] = {"no-fund", "baseline", "no-fund", "baseline"};
    make_db(db, 4, alive, "arm TEXT", arms, "A");
    cJSON *data = report_of(db);
    cr_assert_str_eq(at(data, "mode")->valuestring, "compare");
    const cJSON *a = at(data, "arms");
    cr_assert_eq(cJSON_GetArraySize(a), 2);
    /* In order of first appearance: run 1's arm first. */
    cr_assert_str_eq(at(cJSON_GetArrayItem(a, 0), "name")->valuestring, "no-fund");
    cr_assert_float_eq(cell(data, 0, "values", "alive", 0, 0), 30.0, 1e-12); /* 10, 50 */
    cr_assert_float_eq(cell(data, 1, "values", "alive", 0, 0), 50.0, 1e-12); /* 30, 70 */
    cJSON_Delete(data);
}

Test(report, an_unknown_large_table_is_summed_by_year_and_category)
{
    char db[128];
    path_in(db, sizeof db, "deal.sqlite");
    const double alive[] = {5};
    make_db(db, 1, alive, NULL, NULL, "A");
    sqlite3 *s = NULL;
    cr_assert_eq(sqlite3_open(db, &s), SQLITE_OK);
    exec_sql(s, "CREATE TABLE deal(run_id INTEGER, deal_id INTEGER, month TEXT, "
                "investor_kind TEXT, stage TEXT, amount_cny REAL, note TEXT);"
                "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 4999) "
                "INSERT INTO deal SELECT 1, i, printf('%04d-%02d', 2020 + i % 2, 1 + i % 12), "
                "CASE i % 3 WHEN 0 THEN 'vc' WHEN 1 THEN 'angel' ELSE 'guidance_fund' END, "
                "CASE i % 2 WHEN 0 THEN 'seed' ELSE 'a' END, 1000.0, 'deal ' || i FROM n;");
    sqlite3_close(s);
    cJSON *data = report_of(db);
    const cJSON *deal = at(at(data, "tables"), "deal");
    cr_assert_str_eq(at(deal, "mode")->valuestring, "summary");
    cr_assert_eq(at(deal, "rows_total")->valuedouble, 5000);
    /* note has 5000 values: no category; kind and stage are. */
    cr_assert_eq(cJSON_GetArraySize(at(deal, "group_by")), 2);
    cr_assert_str_eq(cJSON_GetArrayItem(at(deal, "sums"), 0)->valuestring, "amount_cny");
    /* Rows: run_id, year, investor_kind, stage, n, amount_cny; all sum to 5000 deals. */
    double n = 0, money = 0;
    const cJSON *row = NULL;
    cJSON_ArrayForEach(row, at(deal, "rows"))
    {
        n += cJSON_GetArrayItem(row, 4)->valuedouble;
        money += cJSON_GetArrayItem(row, 5)->valuedouble;
    }
    cr_assert_eq(n, 5000);
    cr_assert_eq(money, 5000 * 1000.0);
    /* i % 2 decides both year and stage: 2020 is all seed. */
    cJSON_ArrayForEach(row, at(deal, "rows"))
    {
        if (cJSON_GetArrayItem(row, 1)->valueint == 2020)
            cr_assert_str_eq(cJSON_GetArrayItem(row, 3)->valuestring, "seed");
    }
    cJSON_Delete(data);
}

Test(report, hostile_names_cannot_break_the_page_or_the_figure)
{
    char db[128], html[160], svg[160];
    path_in(db, sizeof db, "names.sqlite");
    const double alive[] = {3};
    make_db(db, 1, alive, NULL, NULL, "</script><&>\"x");
    path_in(html, sizeof html, "names.html");
    path_in(svg, sizeof svg, "names.svg");
    lm_error err;
    cr_assert_eq(lm_report_write_html(db, html, &err), LM_OK, "%s", err.message);
    cr_assert_eq(lm_report_write_svg(db, svg, &err), LM_OK, "%s", err.message);
    char *page = read_file(html);
    /* The name's "</script>" is written "<\/script>" inside the data: only the page's own
     * four scripts close (three without ECharts). */
    int closes = 0;
    for (const char *p = page; (p = strstr(p, "</script>")) != NULL; p += 9)
        ++closes;
    cr_assert_eq(closes, lm_report_has_charts() ? 4 : 3);
    cr_assert_not_null(strstr(page, "<\\/script><&>\\\"x"));
    free(page);
    char *fig = read_file(svg);
    cr_assert_not_null(strstr(fig, "&lt;/script&gt;&lt;&amp;&gt;&quot;x</text>"));
    cr_assert_null(strstr(fig, "</script>"));
    free(fig);
}

Test(report, refusals)
{
    char *text = (char *)1;
    lm_error err;
    cr_assert_eq(lm_report_json("/nonexistent/results.sqlite", &text, &err), LM_EIO);
    cr_assert_null(text);
    char path[128];
    path_in(path, sizeof path, "garbage.sqlite");
    FILE *f = fopen(path, "w");
    fputs("this is not a database, it is a sentence long enough to be read", f);
    fclose(f);
    cr_assert_neq(lm_report_json(path, &text, &err), LM_OK);
    cr_assert_null(text);
    /* A database without the core tables. */
    path_in(path, sizeof path, "empty.sqlite");
    sqlite3 *s = NULL;
    cr_assert_eq(sqlite3_open(path, &s), SQLITE_OK);
    exec_sql(s, "CREATE TABLE other(x INTEGER);");
    sqlite3_close(s);
    cr_assert_eq(lm_report_json(path, &text, &err), LM_EINVAL);
    cr_assert_not_null(strstr(err.message, "not a longmen results database"), "%s", err.message);
    /* An empty run table. */
    const double alive[] = {1};
    path_in(path, sizeof path, "norun.sqlite");
    make_db(path, 1, alive, NULL, NULL, "A");
    cr_assert_eq(sqlite3_open(path, &s), SQLITE_OK);
    exec_sql(s, "DELETE FROM run;");
    sqlite3_close(s);
    cr_assert_eq(lm_report_json(path, &text, &err), LM_EINVAL);
    /* A folder that is no results folder; nothing is written. */
    cr_assert_eq(lm_report_write_dir(tmp_root, &err), LM_EIO);
    char html[160];
    path_in(html, sizeof html, "report.html");
    cr_assert_neq(access(html, F_OK), 0);
}

/* ---- a compare: the answer section's numbers, and the figure's labels ---- */

/* The paired data of a compare of tiny.yaml (a more attractive Jiashi: more founders, other
 * jobs; 3 pairs) against
 * the database: each mean is the mean over the pairs of counterfactual - baseline, read with
 * SQL; the region the edit names (甲市) is the touched one; end labels of the figure at least 19 px
 * apart, even where regions end on the same value. */
Test(report, a_compare_carries_its_paired_differences)
{
    char out[128], db[160];
    path_in(out, sizeof out, "cmp");
    const char *set[] = {"甲市.amenity=0.9"};
    const lm_scenario_edits e = {.set = set, .n_set = 1};
    lm_experiment_config cfg;
    lm_experiment_config_init(&cfg);
    cfg.job.scenario_path = LM_TEST_DATA "/tiny.yaml";
    cfg.job.out_dir = out;
    cfg.job.quiet = true;
    cfg.runs = 3;
    lm_experiment_result res;
    lm_error err;
    cr_assert_eq(lm_experiment_compare(&cfg, &e, &res, &err), LM_OK, "%s", err.message);
    lm_experiment_result_fini(&res);
    snprintf(db, sizeof db, "%s/results.sqlite", out);
    cJSON *data = report_of(db);
    const cJSON *p = at(data, "paired");
    cr_assert_eq(at(p, "pairs")->valueint, 3);
    cr_assert_eq(cJSON_GetArraySize(at(p, "touched")), 1);
    cr_assert_eq(cJSON_GetArrayItem(at(p, "touched"), 0)->valueint, 0, "甲市 is region 0");
    sqlite3 *s = NULL;
    cr_assert_eq(sqlite3_open_v2(db, &s, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *q = NULL;
    cr_assert_eq(sqlite3_prepare_v2(s,
                                    "SELECT y.year, avg(c.headcount - y.headcount) FROM region_year y"
                                    " JOIN run rb ON rb.run_id = y.run_id AND rb.arm = 'baseline'"
                                    " JOIN run rc ON rc.run = rb.run AND rc.arm = 'counterfactual'"
                                    " JOIN region_year c ON c.run_id = rc.run_id AND c.region_id ="
                                    " y.region_id AND c.year = y.year WHERE y.region_id = 0"
                                    " GROUP BY y.year ORDER BY y.year",
                                    -1, &q, NULL),
                 SQLITE_OK);
    const cJSON *jobs = NULL, *m = NULL;
    cJSON_ArrayForEach(m, at(p, "metrics"))
    {
        if (strcmp(at(m, "id")->valuestring, "jobs") == 0)
            jobs = m;
    }
    cr_assert_not_null(jobs);
    int t = 0;
    double any = 0;
    for (; sqlite3_step(q) == SQLITE_ROW; ++t) {
        const double want = sqlite3_column_double(q, 1);
        const cJSON *got = cJSON_GetArrayItem(cJSON_GetArrayItem(at(jobs, "mean"), 0), t);
        cr_assert(cJSON_IsNumber(got), "year %d", t);
        cr_assert_float_eq(got->valuedouble, want, 1e-9, "year %d", t);
        const double lo = cJSON_GetArrayItem(cJSON_GetArrayItem(at(jobs, "lo"), 0), t)->valuedouble;
        const double hi = cJSON_GetArrayItem(cJSON_GetArrayItem(at(jobs, "hi"), 0), t)->valuedouble;
        cr_assert(lo <= want && want <= hi, "year %d: %g not in [%g, %g]", t, want, lo, hi);
        any += fabs(want);
    }
    cr_assert_eq(t, 2, "2015 and 2016");
    cr_assert_gt(any, 0, "the edit changes Jiashi's jobs");
    sqlite3_finalize(q);
    sqlite3_close(s);
    /* funds per arm: both arms, each with Jiashi's st_fund */
    int arms_seen = 0;
    cJSON_ArrayForEach(m, at(data, "fund_by_arm"))
    {
        arms_seen += strcmp(at(m, "arm")->valuestring, "counterfactual") == 0 ? 10 : 1;
        /* a fund policy commits only to deal flow it sees: a run may raise no sub-fund */
        cr_assert(at(m, "runs")->valueint >= 1 && at(m, "runs")->valueint <= 3);
    }
    cr_assert_geq(arms_seen, 11, "funds of both arms");
    cJSON_Delete(data);

    char svg[200];
    snprintf(svg, sizeof svg, "%s/headline.svg", out);
    char *text = read_file(svg);
    /* <text x="X" y="Y" class="label" ...>: labels of one panel share X */
    double xs[16], ys[16];
    int n = 0;
    for (const char *c = text; (c = strstr(c, "class=\"label\"")) != NULL && n < 16; ++c) {
        const char *t = c;
        while (t > text && strncmp(t, "<text", 5) != 0)
            --t;
        const char *x = strstr(t, " x=\""), *y = strstr(t, " y=\"");
        cr_assert(x && y && x < c && y < c);
        xs[n] = strtod(x + 4, NULL);
        ys[n++] = strtod(y + 4, NULL);
    }
    cr_assert_geq(n, 2);
    int pairs_checked = 0;
    for (int i = 0; i < n; ++i)
        for (int j = i + 1; j < n; ++j)
            if (xs[i] == xs[j]) {
                cr_assert_geq(fabs(ys[i] - ys[j]), 19, "labels %d and %d are %g px apart", i, j,
                              fabs(ys[i] - ys[j]));
                ++pairs_checked;
            }
    cr_assert_geq(pairs_checked, 1);
    free(text);
}

Test(report, dragons_have_one_definition_the_tables_running_sum)
{
    char db[128];
    path_in(db, sizeof db, "dragons.sqlite");
    sqlite3 *s = NULL;
    cr_assert_eq(sqlite3_open(db, &s), SQLITE_OK);
    /* two replications; `dragon` holds the title at the year's end, dragons_new are first
       certified in the year: the tables count the latter over the run */
    exec_sql(s, "CREATE TABLE run(run_id INTEGER PRIMARY KEY, scenario TEXT, seed INTEGER, run "
                "INTEGER, start_month TEXT, end_month TEXT, months INTEGER);"
                "CREATE TABLE region(run_id INTEGER, region_id INTEGER, name TEXT, name_en TEXT, "
                "province TEXT);"
                "CREATE TABLE region_year(run_id INTEGER, region_id INTEGER, year INTEGER, "
                "alive INTEGER, dragon INTEGER, dragons_new INTEGER);"
                "INSERT INTO run VALUES(1, 'hand', 1, 0, '2020-01', '2021-12', 24),"
                "(2, 'hand', 1, 1, '2020-01', '2021-12', 24);"
                "INSERT INTO region VALUES(1, 0, '甲', 'A', NULL), (2, 0, '甲', 'A', NULL);"
                "INSERT INTO region_year VALUES(1, 0, 2020, 10, 1, 2), (1, 0, 2021, 12, 0, 1),"
                "(2, 0, 2020, 10, 0, 0), (2, 0, 2021, 12, 1, 3);");
    sqlite3_close(s);
    cJSON *data = report_of(db);
    /* running sums: run 1 2, 3; run 2 0, 3: medians 1 and 3, whatever the titles held */
    cr_assert_float_eq(cell(data, 0, "values", "dragons_certified", 0, 0), 1.0, 1e-12);
    cr_assert_float_eq(cell(data, 0, "values", "dragons_certified", 0, 1), 3.0, 1e-12);
    cr_assert_float_eq(cell(data, 0, "hi", "dragons_certified", 0, 1), 3.0, 1e-12);
    cJSON_Delete(data);
    char svg[160];
    path_in(svg, sizeof svg, "dragons.svg");
    lm_error err;
    cr_assert_eq(lm_report_write_svg(db, svg, &err), LM_OK, "%s", err.message);
    char *text = read_file(svg);
    cr_assert_not_null(strstr(text, "dragons: first certified up to the year"),
                       "the figure's dragons are not the tables'");
    cr_assert_null(strstr(text, "holding the title"));
    free(text);
}

/* The rows of a query as JSON text, in the shape of a section's "rows". */
static char *query_rows(sqlite3 *s, const char *sql)
{
    sqlite3_stmt *q = NULL;
    cr_assert_eq(sqlite3_prepare_v2(s, sql, -1, &q, NULL), SQLITE_OK, "%s", sqlite3_errmsg(s));
    sqlite3_bind_int64(q, 1, 1);
    cJSON *rows = cJSON_CreateArray();
    while (sqlite3_step(q) == SQLITE_ROW) {
        cJSON *row = cJSON_CreateArray();
        for (int i = 0; i < sqlite3_column_count(q); ++i)
            cJSON_AddItemToArray(row, sqlite3_column_type(q, i) == SQLITE_TEXT
                                          ? cJSON_CreateString((const char *)sqlite3_column_text(q, i))
                                          : cJSON_CreateNumber(sqlite3_column_double(q, i)));
        cJSON_AddItemToArray(rows, row);
    }
    sqlite3_finalize(q);
    char *text = cJSON_PrintUnformatted(rows);
    cJSON_Delete(rows);
    return text;
}

/* firm_status and firm_size are counted in one scan of the firm rows rather than by two
 * GROUP BY queries: the rows must be the queries' rows, in their order, for the values a
 * hand-made database can hold (NULL, real and text head counts, statuses out of order,
 * another run's firms, a gap in the region ids). */
static void check_firm_sections(int runs)
{
    char db[128], name[32];
    snprintf(name, sizeof name, "firms%d.sqlite", runs);
    path_in(db, sizeof db, name);
    const double alive[] = {3, 4};
    make_db(db, runs, alive, NULL, NULL, "A");
    sqlite3 *s = NULL;
    cr_assert_eq(sqlite3_open(db, &s), SQLITE_OK);
    exec_sql(s, "CREATE TABLE firm(run_id INTEGER, firm_id INTEGER, region_id INTEGER, "
                "status TEXT, headcount INTEGER, peak_headcount INTEGER);"
                "INSERT INTO firm VALUES(1, 0, 2, 'alive', 0, 3), (1, 1, 0, 'failed', 1, 1),"
                "(1, 2, 0, 'alive', 1000, 1000), (1, 3, 2, 'acquired', NULL, 7.5),"
                "(1, 4, 0, 'alive', 4.99, 'many'), (1, 5, 2, 'alive', 249, 250),"
                "(1, 6, 0, 'Alive', 19, 20), (1, 7, 0, 'alive', -3, 999),"
                "(2, 0, 1, 'alive', 5, 5), (2, 1, 1, 'ipo', 5, 5);");
    cJSON *data = report_of(db);
    const cJSON *sections = at(data, "sections");
    const struct {
        const char *section, *sql;
    } cases[] = {
        {"firm_status", "SELECT region_id, status, count(*) FROM firm WHERE run_id = ?1 "
                        "GROUP BY region_id, status ORDER BY region_id, status"},
        {"firm_size",
         "SELECT class, sum(now), sum(peak) FROM (SELECT CASE WHEN headcount < 1 THEN 0 WHEN "
         "headcount < 2 THEN 1 WHEN headcount < 5 THEN 2 WHEN headcount < 10 THEN 3 WHEN "
         "headcount < 20 THEN 4 WHEN headcount < 50 THEN 5 WHEN headcount < 100 THEN 6 WHEN "
         "headcount < 250 THEN 7 WHEN headcount < 1000 THEN 8 ELSE 9 END AS class, 1 AS now, "
         "0 AS peak FROM firm WHERE run_id = ?1 AND status = 'alive' UNION ALL SELECT CASE "
         "WHEN peak_headcount < 1 THEN 0 WHEN peak_headcount < 2 THEN 1 WHEN peak_headcount < "
         "5 THEN 2 WHEN peak_headcount < 10 THEN 3 WHEN peak_headcount < 20 THEN 4 WHEN "
         "peak_headcount < 50 THEN 5 WHEN peak_headcount < 100 THEN 6 WHEN peak_headcount < "
         "250 THEN 7 WHEN peak_headcount < 1000 THEN 8 ELSE 9 END, 0, 1 FROM firm WHERE "
         "run_id = ?1) GROUP BY class ORDER BY class"}};
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; ++k) {
        const cJSON *sec = at(sections, cases[k].section);
        cr_assert(cJSON_IsTrue(at(sec, "present")), "%s", cases[k].section);
        char *got = cJSON_PrintUnformatted(at(sec, "rows"));
        char *want = query_rows(s, cases[k].sql);
        cr_assert_str_eq(got, want, "%s", cases[k].section);
        free(got);
        free(want);
    }
    cJSON_Delete(data);
    sqlite3_close(s);
}

/* One run: the firm table is read straight through; two: by run_id. */
Test(report, firm_sections_are_the_rows_of_their_queries)
{
    check_firm_sections(1);
    check_firm_sections(2);
}
