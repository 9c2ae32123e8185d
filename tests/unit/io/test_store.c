/* tests/unit/io/test_store.c -- the results database (src/io/store.c) and the crash-safe out
 * folder (src/io/outdir.c). Writes synthetic rows (two regions with Chinese names, three
 * sectors, four region-years, 1000 firms from a callback), reopens the file with sqlite3 and
 * checks values exactly; provokes every refusal: existing file, unwritable path, a failing
 * firm callback, bad codes, a seed beyond int64, duplicate keys. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <sqlite3.h>

#include "io/store.h"

static char tmp_root[64];

static void setup(void)
{
    snprintf(tmp_root, sizeof tmp_root, "/tmp/lm_store_XXXXXX");
    cr_assert_not_null(mkdtemp(tmp_root), "mkdtemp: %s", strerror(errno));
}

static void teardown(void)
{
    lm__outdir_abort(tmp_root);
}

static void path_in(char *buf, size_t size, const char *name)
{
    snprintf(buf, size, "%s/%s", tmp_root, name);
}

static bool file_exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f, "fopen %s: %s", path, strerror(errno));
    fputs(text, f);
    fclose(f);
}

static bool file_has(const char *path, const char *text)
{
    char buf[256] = {0};
    FILE *f = fopen(path, "r");
    if (!f)
        return false;
    const size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    return n == strlen(text) && memcmp(buf, text, n) == 0;
}

/* ---- synthetic input ---- */

static const char *const region_names[] = {"杭州", "合肥"};
static const char *const region_names_en[] = {"Hangzhou", ""};
static const char *const region_provinces[] = {"浙江", "安徽"};
static const char *const sector_ids[] = {"ai_models", "robotics", "biotech"};
static const char *const sector_names[] = {"大模型", "机器人", "生物医药"};

#define START (2020 * 12)      /* 2020-01 */
#define END (2021 * 12 + 11)   /* 2021-12 */

typedef struct firm_src {
    uint32_t fail_at; /* firm id whose read fails; UINT32_MAX = none */
    int32_t bad_region_at;
} firm_src;

/* A deterministic firm from its id, so every field can be checked after the round trip. */
static void make_firm(uint32_t id, lm_firm_record *f)
{
    memset(f, 0, sizeof *f);
    f->firm_id = id;
    f->region = (int32_t)(id % 2);
    f->origin = id % 3 == 0 ? -1 : (int32_t)((id + 1) % 2);
    f->sector = (int32_t)(id % 3);
    f->business_model = (int32_t)((id / 3) % 3);
    f->founder_source = (int32_t)(id % 5);
    f->status = (int32_t)(id % 4);
    f->founded_month = START + (int32_t)(id % 24);
    f->launched_month = id % 7 == 0 ? -1 : f->founded_month + 6;
    f->ended_month = f->status == 0 ? -1 : f->founded_month + 12;
    f->headcount = (int32_t)(id % 50);
    f->peak_headcount = (int32_t)(id % 50) + 3;
    f->breakthroughs = (int32_t)(id % 4);
    f->founder_quality = 0.5 + 0.001 * id;
    f->theta = 2.385 * (1 + id);
    f->quality = 0.731 + id * 1e-4;
    f->cash_cny = -1.25e6 + 1e3 * id;
    f->revenue_cny_month = 3.5e4 * id;
    f->peak_revenue_cny_month = 4.25e4 * id;
    f->cum_rd_cny = 7.77e5 + id;
    f->visibility = 0.0625 * (id % 16);
    /* ecosystem: every fifth firm became a dragon two years after founding */
    f->dragon_month = id % 5 == 0 ? f->founded_month + 24 : -1;
    f->tier = id % 5 == 0 ? (LM_TIER_HIGH_TECH | LM_TIER_DRAGON)
                          : (id % 2 ? LM_TIER_TECH_SME : 0);
    f->platform = id % 9 == 0;
}

static lm_status firm_at(const void *ctx, uint32_t id, lm_firm_record *rec)
{
    const firm_src *src = ctx;
    if (id == src->fail_at)
        return LM_ENOMEM;
    make_firm(id, rec);
    if ((int32_t)id == src->bad_region_at)
        rec->region = 7;
    return LM_OK;
}

static lm_region_year make_year(int32_t region, int32_t year)
{
    lm_region_year y;
    memset(&y, 0, sizeof y);
    y.region = region;
    y.year = year;
    y.months = 12;
    y.births = 137 + region * 10 + (year - 2020);
    for (int k = 0; k < 5; ++k)
        y.births_by_source[k] = 20 + k + region;
    y.births_nonlocal = 41;
    y.deaths = 23;
    y.alive = 512 + year - 2020;
    y.launched = 17;
    y.with_product = 203;
    y.breakthroughs = 5;
    y.headcount = 9876;
    y.revenue_cny = 1.2345e9 + region;
    y.rd_spend_cny = 2.385e8;
    y.payroll_cny = 6.1e8;
    y.compute_cny = 1.3e7;
    y.rent_cny = 4.4e7;
    y.subsidies_cny = 3.0e6;
    y.taxes_cny = 1.1e8;
    y.policy_budget_cny = 5.5e8;
    y.knowledge = 42.125;
    y.compute_index = 0.8125;
    y.founders_nonlocal_share = 41.0 / 137.0;
    y.mean_visibility = 0.3;
    y.max_revenue_cny_month = 9.9e6;
    return y;
}

typedef struct fixture {
    lm_run_info info;
    lm_region_year years[4];
    firm_src src;
    lm_store_input in;
    lm_region_skill_year skills[4]; /* ecosystem */
    lm_region_layer_year layers[4];
} fixture;

static void fixture_init(fixture *fx, size_t n_firms)
{
    memset(fx, 0, sizeof *fx);
    fx->info = (lm_run_info){.scenario = "长三角 baseline",
                             .scenario_path = "scenarios/yrd.yaml",
                             .seed = 20240917u,
                             .run = 3,
                             .threads = 4,
                             .started_at = "2024-09-17T08:30:00Z"};
    fx->years[0] = make_year(0, 2020);
    fx->years[1] = make_year(0, 2021);
    fx->years[2] = make_year(1, 2020);
    fx->years[3] = make_year(1, 2021);
    fx->src = (firm_src){.fail_at = UINT32_MAX, .bad_region_at = -1};
    fx->in = (lm_store_input){.info = &fx->info,
                              .scenario_text = "name: 长三角 baseline\n",
                              .start_month = START,
                              .end_month = END,
                              .months = 24,
                              .n_regions = 2,
                              .region_names = region_names,
                              .region_names_en = region_names_en,
                              .region_provinces = region_provinces,
                              .n_sectors = 3,
                              .sector_ids = sector_ids,
                              .sector_names = sector_names,
                              .region_years = fx->years,
                              .n_region_years = 4,
                              .n_firms = n_firms,
                              .firm_at = firm_at,
                              .firm_ctx = &fx->src};
    /* ecosystem: two skills' and one layer's rows per region and year */
    static const char *const layer_ids[] = {"compute"};
    fx->in.n_layers = 1;
    fx->in.layer_ids = layer_ids;
    for (int k = 0; k < 4; ++k) {
        lm_region_skill_year *y = &fx->skills[k];
        memset(y, 0, sizeof *y);
        y->region = k / 2;
        y->year = 2020;
        y->skill = k % 2 ? 4 : 0; /* design, software */
        y->months = 12;
        y->talent = 2.385e5 + k;
        y->migrants_in = 100.0 * k;
        y->wage_cny_month = 21000.0;
        lm_region_layer_year *l = &fx->layers[k];
        memset(l, 0, sizeof *l);
        l->region = k % 2;
        l->year = 2020 + k / 2;
        l->months = 12;
        l->chain = 0.6;
        l->chain_own = 0.5;
    }
    fx->in.skill_years = fx->skills;
    fx->in.n_skill_years = 4;
    fx->in.layer_years = fx->layers;
    fx->in.n_layer_years = 4;
}

/* ---- reading back ---- */

static sqlite3 *open_ro(const char *path)
{
    sqlite3 *db = NULL;
    const int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL);
    cr_assert_eq(rc, SQLITE_OK, "open %s: %s", path, db ? sqlite3_errmsg(db) : "?");
    return db;
}

static sqlite3_stmt *query(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK, "%s: %s", sql,
                 sqlite3_errmsg(db));
    cr_assert_eq(sqlite3_step(st), SQLITE_ROW, "%s: no row", sql);
    return st;
}

static int64_t scalar(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = query(db, sql);
    const int64_t v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static void assert_text(sqlite3_stmt *st, int col, const char *want)
{
    cr_assert_eq(sqlite3_column_type(st, col), SQLITE_TEXT, "column %s is not text",
                 sqlite3_column_name(st, col));
    const unsigned char *got = sqlite3_column_text(st, col);
    const int n = sqlite3_column_bytes(st, col);
    cr_assert_eq((size_t)n, strlen(want), "column %s: %d bytes, want %zu",
                 sqlite3_column_name(st, col), n, strlen(want));
    cr_assert(memcmp(got, want, (size_t)n) == 0, "column %s: got %s, want %s",
              sqlite3_column_name(st, col), got, want);
}

static void assert_null(sqlite3_stmt *st, int col)
{
    cr_assert_eq(sqlite3_column_type(st, col), SQLITE_NULL, "column %s is not NULL",
                 sqlite3_column_name(st, col));
}

/* ---- the database ---- */

TestSuite(store, .init = setup, .fini = teardown);

Test(store, writes_every_table)
{
    fixture fx;
    fixture_init(&fx, 1000);
    char db_path[128];
    path_in(db_path, sizeof db_path, "results.sqlite");
    lm_error err;
    lm_error_clear(&err);
    cr_assert_eq(lm__store_write(db_path, &fx.in, &err), LM_OK, "%s", err.message);

    sqlite3 *db = open_ro(db_path);
    cr_assert_eq(scalar(db, "PRAGMA user_version"), LM_SCHEMA_VERSION);
    cr_assert_eq(scalar(db, "SELECT count(*) FROM schema"), 1);
    cr_assert_eq(scalar(db, "SELECT version FROM schema"), LM_SCHEMA_VERSION);
    cr_assert_eq(scalar(db, "SELECT count(*) FROM run"), 1);
    cr_assert_eq(scalar(db, "SELECT count(*) FROM region"), 2);
    cr_assert_eq(scalar(db, "SELECT count(*) FROM sector"), 3);
    cr_assert_eq(scalar(db, "SELECT count(*) FROM region_year"), 4);
    cr_assert_eq(scalar(db, "SELECT count(*) FROM firm"), 1000);
    cr_assert_eq(scalar(db, "SELECT count(DISTINCT firm_id) FROM firm"), 1000);
    cr_assert_eq(scalar(db, "SELECT max(firm_id) FROM firm"), 999);
    cr_assert_eq(scalar(db, "SELECT count(*) FROM firm WHERE run_id <> 1"), 0);
    cr_assert_eq(scalar(db, "SELECT count(*) FROM sqlite_master WHERE type = 'index'"
                            " AND name IN ('firm_region', 'firm_status')"),
                 2);
    sqlite3_stmt *st = query(db, "PRAGMA integrity_check");
    assert_text(st, 0, "ok");
    sqlite3_finalize(st);
    sqlite3_close(db);
    /* No journal or other side file is left next to the database. */
    char side[160];
    snprintf(side, sizeof side, "%s-journal", db_path);
    cr_assert(!file_exists(side));
}

/* The ecosystem tables: dragons from the firms that became one, tier words, talent pools per
 * skill and chain layers per region and year. */
Test(store, dragons_tiers_skills_and_layers)
{
    fixture fx;
    fixture_init(&fx, 100);
    char db_path[128];
    path_in(db_path, sizeof db_path, "eco.sqlite");
    lm_error err;
    cr_assert_eq(lm__store_write(db_path, &fx.in, &err), LM_OK, "%s", err.message);
    sqlite3 *db = open_ro(db_path);
    cr_assert_eq(scalar(db, "SELECT count(*) FROM dragon"), 20);
    cr_assert_eq(scalar(db, "SELECT count(*) FROM firm WHERE dragon_month IS NOT NULL"), 20);
    /* firm 15: founded 2020-04 (START + 15 % 24), dragon 24 months later, from 合肥 origin */
    lm_firm_record f;
    make_firm(15, &f);
    sqlite3_stmt *st = query(db, "SELECT region, sector, business_model, founded_year,"
                                 " founder_origin, dragon_year FROM dragon WHERE firm_id = 15");
    assert_text(st, 0, f.region ? "合肥" : "杭州");
    cr_assert_eq(sqlite3_column_int(st, 3), f.founded_month / 12);
    cr_assert_eq(sqlite3_column_int(st, 5), f.founded_month / 12 + 2);
    sqlite3_finalize(st);
    st = query(db, "SELECT tiers, dragon_month, platform FROM firm WHERE firm_id = 45");
    assert_text(st, 0, "high_tech,dragon");
    cr_assert_eq(sqlite3_column_int(st, 2), 1);
    sqlite3_finalize(st);
    st = query(db, "SELECT tiers FROM firm WHERE firm_id = 2");
    assert_null(st, 0);
    sqlite3_finalize(st);
    cr_assert_eq(scalar(db, "SELECT count(*) FROM region_skill_year"), 4);
    cr_assert_eq(scalar(db, "SELECT count(*) FROM region_skill_year WHERE skill = 'design'"), 2);
    cr_assert_eq(scalar(db, "SELECT round(sum(migrants_in)) FROM region_skill_year"), 600);
    cr_assert_eq(scalar(db, "SELECT count(*) FROM region_layer_year WHERE layer = 'compute'"
                            " AND chain = 0.6 AND chain_own = 0.5"),
                 4);
    sqlite3_close(db);
}

Test(store, run_row)
{
    fixture fx;
    fixture_init(&fx, 10);
    char db_path[128];
    path_in(db_path, sizeof db_path, "run.sqlite");
    lm_error err;
    cr_assert_eq(lm__store_write(db_path, &fx.in, &err), LM_OK, "%s", err.message);

    sqlite3 *db = open_ro(db_path);
    sqlite3_stmt *st = query(db, "SELECT run_id, scenario, scenario_path, seed, run, threads,"
                                 " started_at, longmen_version, schema_version, months,"
                                 " start_month, end_month, scenario_yaml FROM run");
    cr_assert_eq(sqlite3_column_int64(st, 0), 1);
    assert_text(st, 1, "长三角 baseline");
    assert_text(st, 2, "scenarios/yrd.yaml");
    cr_assert_eq(sqlite3_column_int64(st, 3), 20240917);
    cr_assert_eq(sqlite3_column_int64(st, 4), 3);
    cr_assert_eq(sqlite3_column_int64(st, 5), 4);
    assert_text(st, 6, "2024-09-17T08:30:00Z");
    assert_text(st, 7, LM_VERSION);
    cr_assert_eq(sqlite3_column_int64(st, 8), LM_SCHEMA_VERSION);
    cr_assert_eq(sqlite3_column_int64(st, 9), 24);
    assert_text(st, 10, "2020-01");
    assert_text(st, 11, "2021-12");
    assert_text(st, 12, "name: 长三角 baseline\n");
    sqlite3_finalize(st);
    sqlite3_close(db);
}

Test(store, regions_and_sectors_keep_utf8_names)
{
    fixture fx;
    fixture_init(&fx, 0);
    char db_path[128];
    path_in(db_path, sizeof db_path, "names.sqlite");
    lm_error err;
    cr_assert_eq(lm__store_write(db_path, &fx.in, &err), LM_OK, "%s", err.message);

    sqlite3 *db = open_ro(db_path);
    sqlite3_stmt *st =
        query(db, "SELECT region_id, name, name_en, province FROM region ORDER BY region_id");
    cr_assert_eq(sqlite3_column_int(st, 0), 0);
    assert_text(st, 1, "杭州");
    assert_text(st, 2, "Hangzhou");
    assert_text(st, 3, "浙江");
    cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
    cr_assert_eq(sqlite3_column_int(st, 0), 1);
    assert_text(st, 1, "合肥");
    assert_null(st, 2); /* "" in the scenario */
    assert_text(st, 3, "安徽");
    cr_assert_eq(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);

    st = query(db, "SELECT sector_id, id, name FROM sector WHERE sector_id = 2");
    assert_text(st, 1, "biotech");
    assert_text(st, 2, "生物医药");
    sqlite3_finalize(st);
    /* The Chinese name works as a key in a WHERE clause. */
    cr_assert_eq(scalar(db, "SELECT region_id FROM region WHERE name = '合肥'"), 1);
    cr_assert_eq(scalar(db, "SELECT count(*) FROM firm"), 0);
    sqlite3_close(db);
}

Test(store, region_year_row_exact)
{
    fixture fx;
    fixture_init(&fx, 0);
    char db_path[128];
    path_in(db_path, sizeof db_path, "ry.sqlite");
    lm_error err;
    cr_assert_eq(lm__store_write(db_path, &fx.in, &err), LM_OK, "%s", err.message);

    const lm_region_year *y = &fx.years[3]; /* 合肥, 2021 */
    sqlite3 *db = open_ro(db_path);
    sqlite3_stmt *st = query(
        db, "SELECT run_id, region, region_id, year, months, births, births_platform,"
            " births_spinout, births_serial, births_returnee, births_other, births_nonlocal,"
            " deaths, alive, launched, with_product, breakthroughs, headcount, revenue_cny,"
            " rd_spend_cny, payroll_cny, compute_cny, rent_cny, subsidies_cny, taxes_cny,"
            " policy_budget_cny, knowledge, compute_index, founders_nonlocal_share,"
            " mean_visibility, max_revenue_cny_month"
            " FROM region_year WHERE region_id = 1 AND year = 2021");
    int c = 0;
    cr_assert_eq(sqlite3_column_int64(st, c++), 1);
    assert_text(st, c++, "合肥");
    cr_assert_eq(sqlite3_column_int64(st, c++), 1);
    cr_assert_eq(sqlite3_column_int64(st, c++), 2021);
    cr_assert_eq(sqlite3_column_int64(st, c++), 12);
    cr_assert_eq(sqlite3_column_int64(st, c++), y->births);
    cr_assert_eq(y->births, 148);
    for (int k = 0; k < 5; ++k)
        cr_assert_eq(sqlite3_column_int64(st, c++), y->births_by_source[k], "source %d", k);
    const int64_t ints[] = {y->births_nonlocal, y->deaths,        y->alive,        y->launched,
                            y->with_product,    y->breakthroughs, y->headcount};
    for (size_t k = 0; k < sizeof ints / sizeof ints[0]; ++k, ++c)
        cr_assert_eq(sqlite3_column_int64(st, c), ints[k], "%s", sqlite3_column_name(st, c));
    const double reals[] = {y->revenue_cny,       y->rd_spend_cny,
                            y->payroll_cny,       y->compute_cny,
                            y->rent_cny,          y->subsidies_cny,
                            y->taxes_cny,         y->policy_budget_cny,
                            y->knowledge,         y->compute_index,
                            y->founders_nonlocal_share, y->mean_visibility,
                            y->max_revenue_cny_month};
    /* REAL columns hold the IEEE double itself: the round trip is exact. */
    for (size_t k = 0; k < sizeof reals / sizeof reals[0]; ++k, ++c)
        cr_assert(sqlite3_column_double(st, c) == reals[k], "%s: %.17g != %.17g",
                  sqlite3_column_name(st, c), sqlite3_column_double(st, c), reals[k]);
    cr_assert_eq(c, sqlite3_column_count(st));
    sqlite3_finalize(st);
    sqlite3_close(db);
}

Test(store, firm_rows_exact)
{
    fixture fx;
    fixture_init(&fx, 1000);
    char db_path[128];
    path_in(db_path, sizeof db_path, "firms.sqlite");
    lm_error err;
    cr_assert_eq(lm__store_write(db_path, &fx.in, &err), LM_OK, "%s", err.message);
    sqlite3 *db = open_ro(db_path);
    const char *cols = "SELECT firm_id, region, region_id, sector, business_model, founded_month,"
                       " founder_origin, founder_source, founder_quality, status,"
                       " launched_month, ended_month, headcount, peak_headcount, breakthroughs,"
                       " theta, quality, cash_cny, revenue_cny_month, peak_revenue_cny_month,"
                       " cum_rd_cny, visibility FROM firm WHERE firm_id = ";

    /* Firm 0: from outside, never launched, alive (no end). */
    char sql[1024];
    snprintf(sql, sizeof sql, "%s0", cols);
    sqlite3_stmt *st = query(db, sql);
    assert_text(st, 1, "杭州");
    cr_assert_eq(sqlite3_column_int(st, 2), 0);
    assert_text(st, 3, "ai_models");
    assert_text(st, 4, "to_c");
    assert_text(st, 5, "2020-01");
    assert_text(st, 6, "outside");
    assert_text(st, 7, "platform");
    assert_text(st, 9, "alive");
    assert_null(st, 10);
    assert_null(st, 11);
    sqlite3_finalize(st);

    /* Firm 13: 合肥, origin 杭州, founded 13 months after 2020-01, dead. */
    lm_firm_record f;
    make_firm(13, &f);
    snprintf(sql, sizeof sql, "%s13", cols);
    st = query(db, sql);
    cr_assert_eq(sqlite3_column_int(st, 0), 13);
    assert_text(st, 1, "合肥");
    cr_assert_eq(sqlite3_column_int(st, 2), 1);
    assert_text(st, 3, "robotics");
    assert_text(st, 4, "to_b");
    assert_text(st, 5, "2021-02");
    assert_text(st, 6, "杭州");
    assert_text(st, 7, "returnee");
    cr_assert(sqlite3_column_double(st, 8) == f.founder_quality);
    assert_text(st, 9, "dead");
    assert_text(st, 10, "2021-08");
    assert_text(st, 11, "2022-02");
    cr_assert_eq(sqlite3_column_int(st, 12), f.headcount);
    cr_assert_eq(sqlite3_column_int(st, 13), f.peak_headcount);
    cr_assert_eq(sqlite3_column_int(st, 14), f.breakthroughs);
    const double reals[] = {f.theta,
                            f.quality,
                            f.cash_cny,
                            f.revenue_cny_month,
                            f.peak_revenue_cny_month,
                            f.cum_rd_cny,
                            f.visibility};
    for (int k = 0; k < 7; ++k)
        cr_assert(sqlite3_column_double(st, 15 + k) == reals[k], "%s",
                  sqlite3_column_name(st, 15 + k));
    sqlite3_finalize(st);

    /* Every status, model and source word, and the codes agree with make_firm(). */
    cr_assert_eq(scalar(db, "SELECT count(*) FROM firm WHERE status = 'ipo'"), 250);
    cr_assert_eq(scalar(db, "SELECT count(*) FROM firm WHERE status = 'acquired'"), 250);
    cr_assert_eq(scalar(db, "SELECT count(*) FROM firm WHERE business_model = 'to_g'"), 333);
    cr_assert_eq(scalar(db, "SELECT count(*) FROM firm WHERE founder_source = 'other'"), 200);
    cr_assert_eq(scalar(db, "SELECT count(*) FROM firm WHERE founder_origin = 'outside'"), 334);
    cr_assert_eq(scalar(db, "SELECT count(*) FROM firm WHERE launched_month IS NULL"), 143);
    cr_assert_eq(scalar(db, "SELECT count(*) FROM firm WHERE ended_month IS NULL"), 250);
    cr_assert_eq(scalar(db, "SELECT count(*) FROM firm WHERE region = '合肥'"), 500);
    cr_assert_eq(scalar(db, "SELECT count(*) FROM firm WHERE region_id = 1 AND region <> '合肥'"),
                 0);
    cr_assert_eq(scalar(db, "SELECT count(*) FROM firm WHERE founded_month NOT GLOB"
                            " '[0-9][0-9][0-9][0-9]-[0-1][0-9]'"),
                 0);
    sqlite3_close(db);
}

/* A brief run (lm_run_info.brief, experiments' --detail) keeps the firm rows of exactly the
 * notable firms: dragons, unicorns, platforms, firms that exited by IPO or acquisition. */
Test(store, brief_run_keeps_notable_firms_only)
{
    fixture fx;
    fixture_init(&fx, 1000);
    fx.info.brief = true;
    char db_path[128];
    path_in(db_path, sizeof db_path, "brief.sqlite");
    lm_error err;
    cr_assert_eq(lm__store_write(db_path, &fx.in, &err), LM_OK, "%s", err.message);
    int64_t notable = 0;
    for (uint32_t id = 0; id < 1000; ++id) {
        lm_firm_record f;
        make_firm(id, &f);
        notable += f.dragon_month >= 0 || f.platform || f.status == LM_FIRM_IPO ||
                   f.status == LM_FIRM_ACQUIRED || (f.tier & LM_TIER_UNICORN);
    }
    cr_assert(notable > 0 && notable < 1000);
    sqlite3 *db = open_ro(db_path);
    cr_assert_eq(scalar(db, "SELECT count(*) FROM firm"), notable);
    cr_assert_eq(scalar(db, "SELECT detail FROM run"), 0);
    cr_assert_eq(scalar(db, "SELECT count(*) FROM firm WHERE firm_id = 1"), 0, "alive, plain");
    cr_assert_eq(scalar(db, "SELECT count(*) FROM firm WHERE firm_id IN (2, 3, 5, 9)"), 4);
    cr_assert_eq(scalar(db, "SELECT count(*) FROM dragon"), 200, "every dragon row kept");
    cr_assert_eq(scalar(db, "SELECT count(*) FROM region_year"), 4);
    sqlite3_close(db);

    fx.info.brief = false;
    path_in(db_path, sizeof db_path, "full.sqlite");
    cr_assert_eq(lm__store_write(db_path, &fx.in, &err), LM_OK, "%s", err.message);
    db = open_ro(db_path);
    cr_assert_eq(scalar(db, "SELECT count(*) FROM firm"), 1000);
    cr_assert_eq(scalar(db, "SELECT detail FROM run"), 1);
    sqlite3_close(db);
}

Test(store, primary_keys_are_unique)
{
    fixture fx;
    fixture_init(&fx, 5);
    char db_path[128];
    path_in(db_path, sizeof db_path, "pk.sqlite");
    lm_error err;
    cr_assert_eq(lm__store_write(db_path, &fx.in, &err), LM_OK, "%s", err.message);

    sqlite3 *db = NULL;
    cr_assert_eq(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    const char *dups[] = {
        "INSERT INTO run(run_id, seed, run, threads, longmen_version, schema_version, months)"
        " VALUES(1, 1, 0, 1, 'x', 1, 1)",
        "INSERT INTO region(run_id, region_id, name) VALUES(1, 1, 'x')",
        "INSERT INTO sector(run_id, sector_id, id) VALUES(1, 0, 'x')",
        "INSERT INTO sector(run_id, sector_id, id) VALUES(1, 9, 'robotics')",
        "INSERT INTO region_year(run_id, region, region_id, year, months)"
        " VALUES(1, '合肥', 1, 2020, 12)",
        "INSERT INTO firm(run_id, firm_id, region, region_id, sector, business_model,"
        " founded_month, founder_origin, founder_source, status)"
        " VALUES(1, 4, '杭州', 0, 'biotech', 'to_c', '2020-01', 'outside', 'other', 'alive')",
    };
    for (size_t k = 0; k < sizeof dups / sizeof dups[0]; ++k) {
        const int rc = sqlite3_exec(db, dups[k], NULL, NULL, NULL);
        cr_assert_eq(rc & 0xff, SQLITE_CONSTRAINT, "%s: %s", dups[k], sqlite3_errmsg(db));
    }
    sqlite3_close(db);
}

Test(store, duplicate_region_year_fails_and_leaves_no_file)
{
    fixture fx;
    fixture_init(&fx, 5);
    fx.years[2] = fx.years[1]; /* 杭州 2021 twice */
    char db_path[128];
    path_in(db_path, sizeof db_path, "dup.sqlite");
    lm_error err;
    cr_assert_eq(lm__store_write(db_path, &fx.in, &err), LM_EDB);
    cr_assert_str_eq(err.file, db_path);
    cr_assert(strstr(err.message, "UNIQUE") != NULL, "%s", err.message);
    cr_assert(strstr(err.message, db_path) != NULL, "%s", err.message);
    cr_assert(!file_exists(db_path));
}

Test(store, refuses_existing_file)
{
    fixture fx;
    fixture_init(&fx, 5);
    char db_path[128];
    path_in(db_path, sizeof db_path, "exists.sqlite");
    write_text(db_path, "precious");
    lm_error err;
    cr_assert_eq(lm__store_write(db_path, &fx.in, &err), LM_EEXIST);
    cr_assert_eq(err.code, LM_EEXIST);
    cr_assert_str_eq(err.file, db_path);
    cr_assert(strstr(err.message, "already exists") != NULL, "%s", err.message);
    cr_assert(file_has(db_path, "precious"), "an existing file must stay untouched");

    /* A second write over a database it wrote itself is refused too. */
    path_in(db_path, sizeof db_path, "twice.sqlite");
    cr_assert_eq(lm__store_write(db_path, &fx.in, &err), LM_OK, "%s", err.message);
    cr_assert_eq(lm__store_write(db_path, &fx.in, &err), LM_EEXIST);
    sqlite3 *db = open_ro(db_path);
    cr_assert_eq(scalar(db, "SELECT count(*) FROM firm"), 5);
    sqlite3_close(db);
}

Test(store, unwritable_path_names_the_path)
{
    fixture fx;
    fixture_init(&fx, 5);
    char file[128], db_path[160];
    path_in(file, sizeof file, "somefile");
    write_text(file, "x");
    snprintf(db_path, sizeof db_path, "%s/x.sqlite", file); /* under a regular file */
    lm_error err;
    const lm_status rc = lm__store_write(db_path, &fx.in, &err);
    cr_assert(rc == LM_EIO || rc == LM_EDB, "status %d", rc);
    cr_assert_eq(err.code, rc);
    cr_assert_str_eq(err.file, db_path);
    cr_assert(strstr(err.message, db_path) != NULL, "%s", err.message);
    cr_assert(file_has(file, "x"));
}

Test(store, failing_firm_callback_propagates_and_leaves_no_file)
{
    fixture fx;
    fixture_init(&fx, 1000);
    fx.src.fail_at = 500;
    char db_path[128];
    path_in(db_path, sizeof db_path, "cb.sqlite");
    lm_error err;
    cr_assert_eq(lm__store_write(db_path, &fx.in, &err), LM_ENOMEM);
    cr_assert_eq(err.code, LM_ENOMEM);
    cr_assert(strstr(err.message, "firm 500") != NULL, "%s", err.message);
    cr_assert(!file_exists(db_path));
}

Test(store, bad_firm_code_is_an_error)
{
    fixture fx;
    fixture_init(&fx, 100);
    fx.src.bad_region_at = 42;
    char db_path[128];
    path_in(db_path, sizeof db_path, "bad.sqlite");
    lm_error err;
    cr_assert_eq(lm__store_write(db_path, &fx.in, &err), LM_EINVAL);
    cr_assert(strstr(err.message, "firm 42: region 7") != NULL, "%s", err.message);
    cr_assert(!file_exists(db_path));
}

Test(store, seed_beyond_int64_is_refused)
{
    fixture fx;
    fixture_init(&fx, 5);
    char db_path[128];
    path_in(db_path, sizeof db_path, "seed.sqlite");
    lm_error err;

    fx.info.seed = (uint64_t)INT64_MAX; /* the largest storable seed */
    cr_assert_eq(lm__store_write(db_path, &fx.in, &err), LM_OK, "%s", err.message);
    sqlite3 *db = open_ro(db_path);
    cr_assert_eq(scalar(db, "SELECT seed FROM run"), INT64_MAX);
    sqlite3_close(db);

    path_in(db_path, sizeof db_path, "seed2.sqlite");
    fx.info.seed = (uint64_t)INT64_MAX + 1u;
    cr_assert_eq(lm__store_write(db_path, &fx.in, &err), LM_EINVAL);
    cr_assert(strstr(err.message, "9223372036854775808") != NULL, "%s", err.message);
    cr_assert(!file_exists(db_path));
}

Test(store, optional_fields_may_be_null)
{
    fixture fx;
    fixture_init(&fx, 0);
    fx.info.started_at = NULL;
    fx.info.scenario_path = "";
    fx.in.region_names_en = NULL;
    fx.in.region_provinces = NULL;
    fx.in.sector_names = NULL;
    fx.in.scenario_text = NULL;
    char db_path[128];
    path_in(db_path, sizeof db_path, "opt.sqlite");
    lm_error err;
    cr_assert_eq(lm__store_write(db_path, &fx.in, &err), LM_OK, "%s", err.message);
    sqlite3 *db = open_ro(db_path);
    cr_assert_eq(scalar(db, "SELECT count(*) FROM region WHERE name_en IS NULL"
                            " AND province IS NULL"),
                 2);
    cr_assert_eq(scalar(db, "SELECT count(*) FROM run WHERE started_at IS NULL"
                            " AND scenario_yaml IS NULL AND scenario_path = ''"),
                 1);
    sqlite3_close(db);
}

/* ---- the out folder ---- */

TestSuite(outdir, .init = setup, .fini = teardown);

Test(outdir, prepare_then_commit)
{
    char final[128], tmp[4096], file[4200], want[160];
    path_in(final, sizeof final, "runs/x"); /* runs/ does not exist yet: created */
    lm_error err;
    cr_assert_eq(lm__outdir_prepare(final, false, tmp, sizeof tmp, &err), LM_OK, "%s",
                 err.message);
    snprintf(want, sizeof want, "%s.tmp-%ld", final, (long)getpid());
    cr_assert_str_eq(tmp, want);
    cr_assert(!file_exists(final));
    snprintf(file, sizeof file, "%s/results.sqlite", tmp);
    write_text(file, "done");

    cr_assert_eq(lm__outdir_commit(tmp, final, false, &err), LM_OK, "%s", err.message);
    cr_assert(!file_exists(tmp));
    snprintf(file, sizeof file, "%s/results.sqlite", final);
    cr_assert(file_has(file, "done"));
}

Test(outdir, trailing_slash_gives_a_sibling)
{
    char final[128], tmp[4096], want[160];
    path_in(final, sizeof final, "y//");
    lm_error err;
    cr_assert_eq(lm__outdir_prepare(final, false, tmp, sizeof tmp, &err), LM_OK, "%s",
                 err.message);
    snprintf(want, sizeof want, "%s/y.tmp-%ld", tmp_root, (long)getpid());
    cr_assert_str_eq(tmp, want);
    cr_assert_eq(lm__outdir_commit(tmp, final, false, &err), LM_OK, "%s", err.message);
    path_in(want, sizeof want, "y");
    struct stat st;
    cr_assert(stat(want, &st) == 0 && S_ISDIR(st.st_mode));
}

Test(outdir, existing_final_without_force)
{
    char final[128], tmp[4096], file[4200];
    path_in(final, sizeof final, "x");
    cr_assert_eq(mkdir(final, 0755), 0);
    snprintf(file, sizeof file, "%s/old.txt", final);
    write_text(file, "old");
    lm_error err;
    cr_assert_eq(lm__outdir_prepare(final, false, tmp, sizeof tmp, &err), LM_EEXIST);
    cr_assert_str_eq(tmp, "");
    cr_assert_str_eq(err.file, final);
    char want[512];
    snprintf(want, sizeof want, "output folder %s already exists (use --force to replace it)",
             final);
    cr_assert_str_eq(err.message, want);
    cr_assert(file_has(file, "old"));

    /* Appearing between prepare and commit: commit refuses too. */
    path_in(final, sizeof final, "late");
    cr_assert_eq(lm__outdir_prepare(final, false, tmp, sizeof tmp, &err), LM_OK, "%s",
                 err.message);
    cr_assert_eq(mkdir(final, 0755), 0);
    snprintf(file, sizeof file, "%s/theirs.txt", final);
    write_text(file, "theirs");
    cr_assert_eq(lm__outdir_commit(tmp, final, false, &err), LM_EEXIST);
    cr_assert(file_has(file, "theirs"));
    lm__outdir_abort(tmp);
    cr_assert(!file_exists(tmp));
}

Test(outdir, force_replaces_final)
{
    char final[128], tmp[4096], file[4200], old_dir[200];
    path_in(final, sizeof final, "x");
    cr_assert_eq(mkdir(final, 0755), 0);
    snprintf(file, sizeof file, "%s/.longmen-results", final); /* longmen wrote it */
    write_text(file, "");
    snprintf(file, sizeof file, "%s/old.txt", final);
    write_text(file, "old");
    lm_error err;
    cr_assert_eq(lm__outdir_prepare(final, true, tmp, sizeof tmp, &err), LM_OK, "%s",
                 err.message);
    cr_assert(file_has(file, "old"), "prepare leaves the old result alone");
    snprintf(file, sizeof file, "%s/new.txt", tmp);
    write_text(file, "new");
    cr_assert_eq(lm__outdir_commit(tmp, final, true, &err), LM_OK, "%s", err.message);

    snprintf(file, sizeof file, "%s/new.txt", final);
    cr_assert(file_has(file, "new"));
    snprintf(file, sizeof file, "%s/old.txt", final);
    cr_assert(!file_exists(file));
    snprintf(old_dir, sizeof old_dir, "%s.old-%ld", final, (long)getpid());
    cr_assert(!file_exists(old_dir));
    cr_assert(!file_exists(tmp));
}

/* --force replaces what longmen wrote (its marker; a results.sqlite from before it; an
 * empty folder), never a folder of a user's files. */
Test(outdir, force_replaces_only_longmen_folders)
{
    char final[128], tmp[4096], file[4400], sub[4200];
    path_in(final, sizeof final, "d");
    cr_assert_eq(mkdir(final, 0755), 0);
    snprintf(sub, sizeof sub, "%s/sub", final);
    cr_assert_eq(mkdir(sub, 0755), 0);
    snprintf(file, sizeof file, "%s/important.doc", sub);
    write_text(file, "x");
    lm_error err;
    cr_assert_eq(lm__outdir_prepare(final, true, tmp, sizeof tmp, &err), LM_EEXIST);
    cr_assert(strstr(err.message, "is not a results folder of longmen"), "%s", err.message);
    cr_assert_str_eq(tmp, "");
    cr_assert(file_has(file, "x"));
    /* Nor through the experiments' folder, nor a results.sqlite that is no database. */
    char partial[160];
    snprintf(partial, sizeof partial, "%s.partial", final);
    int fd = -1;
    cr_assert_eq(lm__outdir_open_partial(final, partial, false, true, "job", &fd, NULL, &err),
                 LM_EEXIST);
    cr_assert(strstr(err.message, "is not a results folder of longmen"), "%s", err.message);
    cr_assert(!file_exists(partial));
    snprintf(file, sizeof file, "%s/results.sqlite", final);
    write_text(file, "not SQLite");
    cr_assert_eq(lm__outdir_prepare(final, true, tmp, sizeof tmp, &err), LM_EEXIST);
    /* A folder longmen made: prepare marks it from the start. */
    path_in(final, sizeof final, "ours");
    cr_assert_eq(lm__outdir_prepare(final, false, tmp, sizeof tmp, &err), LM_OK, "%s",
                 err.message);
    cr_assert_eq(lm__outdir_commit(tmp, final, false, &err), LM_OK, "%s", err.message);
    snprintf(file, sizeof file, "%s/.longmen-results", final);
    cr_assert(file_exists(file));
    cr_assert_eq(lm__outdir_prepare(final, true, tmp, sizeof tmp, &err), LM_OK, "%s",
                 err.message);
    cr_assert_eq(lm__outdir_commit(tmp, final, true, &err), LM_OK, "%s", err.message);
    /* An empty folder holds nothing to lose. */
    path_in(final, sizeof final, "empty");
    cr_assert_eq(mkdir(final, 0755), 0);
    cr_assert_eq(lm__outdir_prepare(final, true, tmp, sizeof tmp, &err), LM_OK, "%s",
                 err.message);
    lm__outdir_abort(tmp);
}

Test(outdir, force_does_not_replace_a_file)
{
    char final[128], tmp[4096];
    path_in(final, sizeof final, "plain");
    write_text(final, "not a folder");
    lm_error err;
    cr_assert_eq(lm__outdir_prepare(final, true, tmp, sizeof tmp, &err), LM_EEXIST);
    cr_assert(file_has(final, "not a folder"));
}

Test(outdir, abort_removes_tmp)
{
    char final[128], tmp[4096], sub[4200], file[4300], outside[128], link[4300];
    path_in(final, sizeof final, "x");
    lm_error err;
    cr_assert_eq(lm__outdir_prepare(final, false, tmp, sizeof tmp, &err), LM_OK, "%s",
                 err.message);
    snprintf(sub, sizeof sub, "%s/a", tmp);
    cr_assert_eq(mkdir(sub, 0755), 0);
    snprintf(file, sizeof file, "%s/b.txt", sub);
    write_text(file, "b");
    /* A link to a file outside: removed, its target kept. */
    path_in(outside, sizeof outside, "keep.txt");
    write_text(outside, "keep");
    snprintf(link, sizeof link, "%s/link", sub);
    cr_assert_eq(symlink(outside, link), 0);

    lm__outdir_abort(tmp);
    cr_assert(!file_exists(tmp));
    cr_assert(!file_exists(final));
    cr_assert(file_has(outside, "keep"));
    lm__outdir_abort(tmp); /* already gone: harmless */
    lm__outdir_abort(NULL);
    lm__outdir_abort("");
}

Test(outdir, parent_not_a_folder)
{
    char file[128], final[160], tmp[4096];
    path_in(file, sizeof file, "somefile");
    write_text(file, "x");
    snprintf(final, sizeof final, "%s/runs/x", file);
    lm_error err;
    cr_assert_eq(lm__outdir_prepare(final, false, tmp, sizeof tmp, &err), LM_EIO);
    cr_assert_str_eq(err.file, final);
    char want[512];
    snprintf(want, sizeof want, "cannot create output folder %s: %s", final, strerror(ENOTDIR));
    cr_assert_str_eq(err.message, want);
    cr_assert(file_has(file, "x"));
}
