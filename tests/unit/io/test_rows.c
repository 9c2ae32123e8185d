/* tests/unit/io/test_rows.c -- the declared record types (src/io/rows.c): a table made from a
 * column list has the columns of its struct, rows written through the checked insert read
 * back bit for bit, a bad index is refused naming the row, CSV has one column per stored
 * column, and the reduction over a period sums flows and keeps the last stocks. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <sqlite3.h>

#include "experiments/experiments_int.h"
#include "io/rows.h"

static const char *const regions[] = {"杭州", "合肥"};
static const char *const layers[] = {"chips", "models", "apps"};
static const lm_row_names names = {regions, 2, layers, 3};

static sqlite3 *open_memory(void)
{
    sqlite3 *db = NULL;
    cr_assert_eq(sqlite3_open(":memory:", &db), SQLITE_OK);
    return db;
}

/* Every field of a row set to a value of its own, so a column mixed up with another shows. */
static void fill(const lm_row_table *t, void *row, int seed)
{
    memset(row, 0, t->row_size);
    for (int k = 0; k < t->n_cols; ++k) {
        const lm_row_column *c = &t->cols[k];
        char *p = (char *)row + c->offset;
        if (c->kind == LM_ROW_KIND_REAL) {
            const double v = seed * 1000.0 + k + 0.1 / (k + 1);
            memcpy(p, &v, sizeof v);
        } else if (c->kind == LM_ROW_KIND_TEXT) {
            static const char *const texts[] = {"a", "b,\"c\"", "杭州"};
            memcpy(p, &texts[(seed + k) % 3], sizeof(const char *));
        } else if (c->size == 4) {
            const int32_t v = c->kind == LM_ROW_KIND_INTEGER ? seed * 100 + k : (seed + k) % 2;
            memcpy(p, &v, sizeof v);
        } else {
            const int64_t v = (int64_t)seed * 100000 + k;
            memcpy(p, &v, sizeof v);
        }
    }
}

static void count_column(const char *name, const char *type, void *user)
{
    (void)name;
    (void)type;
    ++*(int *)user;
}

Test(rows, every_table_round_trips)
{
    for (int k = 0; k < lm__n_row_tables; ++k) {
        const lm_row_table *t = lm__row_tables[k];
        sqlite3 *db = open_memory();
        lm_error err;
        cr_assert_eq(lm__rows_create(db, ":memory:", t, false, &err), LM_OK, "%s", err.message);
        char rows[3][512];
        cr_assert(t->row_size <= sizeof rows[0]);
        for (int i = 0; i < 3; ++i)
            fill(t, rows[i], i + 1);
        char packed[3 * 512];
        for (int i = 0; i < 3; ++i)
            memcpy(packed + (size_t)i * t->row_size, rows[i], t->row_size);
        /* rows of another run first: reading picks its own run_id only */
        cr_assert_eq(lm__rows_insert(db, ":memory:", t, 7, &names, packed, 1, &err), LM_OK,
                     "%s", err.message);
        for (int i = 0; i < 3; ++i)
            ((int32_t *)(void *)(packed + (size_t)i * t->row_size))[1] += 1; /* new year */
        cr_assert_eq(lm__rows_insert(db, ":memory:", t, 2, &names, packed, 3, &err), LM_OK,
                     "%s", err.message);
        void *back = NULL;
        size_t n = 0;
        cr_assert_eq(lm__rows_read(db, ":memory:", t, 2, &names, &back, &n, &err), LM_OK, "%s",
                     err.message);
        cr_assert_eq(n, 3, "%s", t->name);
        for (int i = 0; i < 3; ++i)
            for (int k2 = 0; k2 < t->n_cols; ++k2) {
                const lm_row_column *c = &t->cols[k2];
                const char *a = (const char *)back + (size_t)i * t->row_size + c->offset;
                const char *b = packed + (size_t)i * t->row_size + c->offset;
                if (c->kind == LM_ROW_KIND_TEXT) { /* strings read back as copies */
                    const char *sa, *sb;
                    memcpy(&sa, a, sizeof sa);
                    memcpy(&sb, b, sizeof sb);
                    cr_assert_str_eq(sa, sb, "%s.%s", t->name, c->name);
                } else {
                    cr_assert(memcmp(a, b, c->size) == 0, "%s.%s reads back other bits",
                              t->name, c->name);
                }
            }
        lm__rows_free(t, back, n);

        int stored = 0, in_db = 0;
        lm__rows_each_column(t, count_column, &stored);
        char sql[128];
        snprintf(sql, sizeof sql, "SELECT count(*) FROM pragma_table_info('%s')", t->name);
        sqlite3_stmt *st = NULL;
        cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
        cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
        in_db = sqlite3_column_int(st, 0);
        sqlite3_finalize(st);
        cr_assert_eq(in_db, stored, "%s", t->name);
        sqlite3_close(db);
    }
}

Test(rows, region_year_has_every_field_as_a_column)
{
    /* run_id, the region name and id, year, months, births, 5 by source and 31 more */
    int stored = 0;
    lm__rows_each_column(&lm__rows_region_year, count_column, &stored);
    cr_assert_eq(stored, 42);
    cr_assert_str_eq(lm__rows_region_year.cols[4].name, "births_platform");
    cr_assert_str_eq(lm__rows_region_year.cols[8].name, "births_other");
    cr_assert_eq(lm__rows_region_year.cols[8].offset,
                 offsetof(lm_region_year, births_by_source) + 4 * sizeof(int64_t));
}

Test(rows, an_index_out_of_range_names_the_row)
{
    sqlite3 *db = open_memory();
    lm_error err;
    const lm_row_table *t = &lm__rows_region_layer_year;
    cr_assert_eq(lm__rows_create(db, ":memory:", t, false, &err), LM_OK, "%s", err.message);
    lm_region_layer_year y[2] = {{.region = 1, .year = 2020, .layer = 2, .months = 12},
                                 {.region = 1, .year = 2021, .layer = 3, .months = 12}};
    cr_assert_eq(lm__rows_insert(db, "x.sqlite", t, 1, &names, y, 2, &err), LM_EINVAL);
    cr_assert(strstr(err.message, "region_layer_year row 1: layer 3 out of range") != NULL, "%s",
              err.message);
    sqlite3_close(db);
}

Test(rows, a_failed_step_is_an_error)
{
    sqlite3 *db = open_memory();
    lm_error err;
    const lm_row_table *t = &lm__rows_region_year;
    cr_assert_eq(lm__rows_create(db, ":memory:", t, false, &err), LM_OK, "%s", err.message);
    lm_region_year y[2] = {{.region = 0, .year = 2020, .months = 12},
                           {.region = 0, .year = 2020, .months = 12}};
    cr_assert_eq(lm__rows_insert(db, "x.sqlite", t, 1, &names, y, 2, &err), LM_EDB);
    cr_assert(strstr(err.message, "UNIQUE") != NULL, "%s", err.message);
    sqlite3_close(db);
}

Test(rows, csv_has_a_header_and_a_line_per_row)
{
    lm_region_skill_year y = {.region = 1, .year = 2021, .skill = 3, .months = 6, .talent = 0.1};
    char *text = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&text, &size);
    cr_assert(lm__rows_csv(f, &lm__rows_region_skill_year, 1, &names, &y, 1));
    fclose(f);
    cr_assert(strncmp(text, "run_id,region,region_id,year,skill,months,talent,", 49) == 0, "%s",
              text);
    cr_assert(strstr(text, "\n1,合肥,1,2021,manufacturing,6,0.10000000000000001,") != NULL,
              "%s", text);
    free(text);
}

Test(rows, a_period_sums_flows_and_keeps_the_last_stocks)
{
    lm_region_year y[2] = {{.region = 1, .year = 2020, .months = 6, .births = 3, .alive = 10,
                            .births_by_source = {1, 0, 0, 0, 2}, .revenue_cny = 1.5,
                            .talent = 100, .founders_nonlocal_share = 0.5},
                           {.region = 1, .year = 2021, .months = 12, .births = 4, .alive = 12,
                            .births_by_source = {0, 1, 0, 0, 3}, .revenue_cny = 2.5,
                            .talent = 90, .founders_nonlocal_share = 0.25}};
    lm_region_year sum;
    lm__rows_reduce(&lm__rows_region_year, y, 2, &sum);
    cr_assert_eq(sum.region, 1);
    cr_assert_eq(sum.year, 2021);
    cr_assert_eq(sum.months, 18);
    cr_assert_eq(sum.births, 7);
    cr_assert_eq(sum.births_by_source[0], 1);
    cr_assert_eq(sum.births_by_source[4], 5);
    cr_assert_eq(sum.alive, 12);
    cr_assert_eq(sum.revenue_cny, 4.0);
    cr_assert_eq(sum.talent, 90.0);
    cr_assert(fabs(sum.founders_nonlocal_share - (6 * 0.5 + 12 * 0.25) / 18) < 1e-15);
}

Test(rows, a_job_table_without_run_id_round_trips_its_text)
{
    sqlite3 *db = open_memory();
    lm_error err;
    const lm_row_table *t = &lm__rows_sweep_value;
    for (int k = 0; k < 2; ++k) /* IF NOT EXISTS: a resumed job creates it again */
        cr_assert_eq(lm__rows_create(db, ":memory:", t, true, &err), LM_OK, "%s", err.message);
    struct {
        int64_t point_id, param;
        const char *name;
        double value;
    } rows[2] = {{1, 0, "Hefei.st_fund.loss_tolerance", 0.1}, {1, 1, "params.rnd.spillover", 3}};
    cr_assert_eq(t->row_size, sizeof rows[0]);
    cr_assert_eq(lm__rows_insert(db, ":memory:", t, 0, NULL, rows, 2, &err), LM_OK, "%s",
                 err.message);
    void *back = NULL;
    size_t n = 0;
    cr_assert_eq(lm__rows_read(db, ":memory:", t, 0, NULL, &back, &n, &err), LM_OK, "%s",
                 err.message);
    cr_assert_eq(n, 2);
    char *b = back;
    const char *name;
    memcpy(&name, b + t->row_size + t->cols[2].offset, sizeof name);
    cr_assert_str_eq(name, "params.rnd.spillover");
    lm__rows_free(t, back, n);
    sqlite3_close(db);
}

/* What adding a region_year column takes: one line in its column list. The table, insert,
 * reader, CSV and reduction follow (the code that fills the field is the model's). */
#define GROWN_COLUMNS(X, V)                                                                    \
    LM_REGION_YEAR_COLUMNS(X, V)                                                                \
    X(int64_t, exits_ipo, INTEGER, FLOW, "firms that went public")
#define LM_ROW_T grown_year
LM_ROW_DECLARE(static const, grown, "region_year", GROWN_COLUMNS, .region_fk = true);
#undef LM_ROW_T

Test(rows, a_new_column_is_one_line_of_the_list)
{
    sqlite3 *db = open_memory();
    lm_error err;
    cr_assert_eq(lm__rows_create(db, ":memory:", &grown, false, &err), LM_OK, "%s",
                 err.message);
    grown_year y[2] = {{.region = 1, .year = 2020, .months = 12, .births = 3, .exits_ipo = 2},
                       {.region = 1, .year = 2021, .months = 12, .births = 4, .exits_ipo = 5}};
    cr_assert_eq(lm__rows_insert(db, ":memory:", &grown, 1, &names, y, 2, &err), LM_OK, "%s",
                 err.message);
    void *back = NULL;
    size_t n = 0;
    cr_assert_eq(lm__rows_read(db, ":memory:", &grown, 1, &names, &back, &n, &err), LM_OK, "%s",
                 err.message);
    cr_assert_eq(n, 2);
    cr_assert_eq(((grown_year *)back)[1].exits_ipo, 5);
    lm__rows_free(&grown, back, n);
    grown_year sum;
    lm__rows_reduce(&grown, y, 2, &sum);
    cr_assert_eq(sum.exits_ipo, 7);
    char *text = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&text, &size);
    cr_assert(lm__rows_csv(f, &grown, 1, &names, y, 1));
    fclose(f);
    cr_assert(strstr(text, ",migrants_out,exits_ipo\n1,合肥,1,2020,12,3,") != NULL, "%s", text);
    cr_assert(strstr(text, ",2\n") == text + strlen(text) - 3, "%s", text);
    free(text);
    sqlite3_close(db);
}

static int64_t scalar(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK, "%s", sql);
    cr_assert_eq(sqlite3_step(st), SQLITE_ROW, "%s", sql);
    const int64_t v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

Test(rows, declared_indices_version_and_replacing_rows)
{
    sqlite3 *db = open_memory();
    lm_error err = {0};
    cr_assert_eq(lm__rows_create(db, ":memory:", &lm__rows_firm, false, &err), LM_OK, "%s",
                 err.message);
    cr_assert_eq(lm__rows_index(db, ":memory:", &lm__rows_firm, &err), LM_OK, "%s", err.message);
    cr_assert_eq(scalar(db, "SELECT count(*) FROM pragma_index_list('firm')"
                            " WHERE name IN ('firm_region', 'firm_status')"),
                 2);
    cr_assert_eq(scalar(db, "SELECT count(*) FROM pragma_index_info('firm_region')"
                            " WHERE (seqno, name) IN (VALUES (0, 'run_id'), (1, 'region_id'))"),
                 2);
    cr_assert_eq(scalar(db, "SELECT count(*) FROM pragma_index_info('firm_status')"), 1);
    /* The version twice: still one row, and the header's. */
    cr_assert_eq(lm__rows_create(db, ":memory:", &lm__rows_schema, false, &err), LM_OK);
    for (int k = 0; k < 2; ++k)
        cr_assert_eq(lm__rows_version(db, ":memory:", &lm__rows_schema, &err), LM_OK, "%s",
                     err.message);
    cr_assert_eq(scalar(db, "SELECT count(*) FROM schema"), 1);
    cr_assert_eq(scalar(db, "SELECT version FROM schema"), LM_SCHEMA_VERSION);
    cr_assert_eq(scalar(db, "PRAGMA user_version"), LM_SCHEMA_VERSION);
    /* optimise_config: a row replaces the one with its key. */
    const lm_row_table *t = &lm__rows_optimise_config;
    cr_assert_eq(lm__rows_create(db, ":memory:", t, false, &err), LM_OK);
    const struct {
        const char *key, *value;
    } a[] = {{"seed", "1"}, {"runs", "2"}}, b[] = {{"seed", "3"}};
    cr_assert_eq(lm__rows_insert(db, ":memory:", t, 0, NULL, a, 2, &err), LM_OK, "%s",
                 err.message);
    cr_assert_eq(lm__rows_insert(db, ":memory:", t, 0, NULL, b, 1, &err), LM_OK, "%s",
                 err.message);
    cr_assert_eq(scalar(db, "SELECT count(*) FROM optimise_config"), 2);
    cr_assert_eq(scalar(db, "SELECT value FROM optimise_config WHERE key = 'seed'"), 3);
    sqlite3_close(db);
}
