/* src/io/rows.h -- the record types of the results database as data, made from their column
 * lists (longmen/columns.h), and what every table needs done with its rows: its CREATE TABLE,
 * one checked prepared insert, reading rows back, CSV, and the reduction over a period. One
 * implementation for every declared table, so a column added to a list reaches the table,
 * the writer, the reader, the CSV and the docs check (tests/unit/io/test_rows.c) at once. */
#ifndef LM_IO_ROWS_H
#define LM_IO_ROWS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <sqlite3.h>

#include "longmen/longmen.h"

typedef enum lm_row_kind {
    LM_ROW_KIND_INTEGER,
    LM_ROW_KIND_REAL,
    LM_ROW_KIND_REGION, /* int32 index: columns `region` (name) and `region_id` */
    LM_ROW_KIND_SKILL,  /* int32 index: its word (LM_SKILL_WORDS) */
    LM_ROW_KIND_LAYER,  /* int32 index: the scenario's layer id */
    LM_ROW_KIND_TEXT,   /* const char *, NULL stored as NULL */
    LM_ROW_KIND_STAGE,    /* int32 index: its word (LM_STAGE_WORDS) */
    LM_ROW_KIND_INVESTOR, /* int32 index: its word (LM_INVESTOR_KIND_WORDS) */
    LM_ROW_KIND_STATUS,   /* int32 index: its word (LM_STATUS_WORDS) */
    LM_ROW_KIND_MONTH     /* int32 month index: 'YYYY-MM', -1 stored as NULL */
} lm_row_kind;

typedef enum lm_row_role {
    LM_ROW_ROLE_KEY,
    LM_ROW_ROLE_SPAN,
    LM_ROW_ROLE_FLOW,
    LM_ROW_ROLE_STOCK,
    LM_ROW_ROLE_SHARE,
    LM_ROW_ROLE_ATTR, /* a NOT NULL property of the row's key (reduced as the last row's) */
    LM_ROW_ROLE_ID,   /* an integer of the primary key, not NOT NULL: alone, the row's id
                       * (SQLite's rowid); several, a job's key (calibration_moment) */
    LM_ROW_ROLE_VALUE, /* neither flow nor stock, may be NULL (reduced as the last row's) */
    LM_ROW_ROLE_UNIQUE, /* an ATTR; the UNIQUE columns together are unique within the run */
    LM_ROW_ROLE_FLAG    /* a NOT NULL 0/1 ATTR, 1 in rows that do not say (DEFAULT 1) */
} lm_row_role;

/* An INTEGER field holding this is stored as NULL (a REAL holding NaN or an infinity always
 * is, and reads back as NaN). */
#define LM_ROW_NULL_INT64 INT64_MIN
#define LM_ROW_NULL_INT32 INT32_MIN

/* One field of a record (a REGION field is two columns of its table: name and id_name). */
typedef struct lm_row_column {
    const char *name, *id_name;
    lm_row_kind kind;
    lm_row_role role;
    size_t offset, size; /* of the field in the struct; size 4 or 8 */
    const char *doc;
} lm_row_column;

typedef struct lm_row_table {
    const char *name;
    const lm_row_column *cols;
    int n_cols;
    size_t row_size;
    bool region_fk; /* FOREIGN KEY(run_id, region_id) REFERENCES region */
    bool no_run_id; /* a table of the whole job (sweep_*), not of one run */
    bool run_fk;    /* FOREIGN KEY(run_id) REFERENCES run */
    const char *refs; /* another table clause, e.g. a FOREIGN KEY; NULL for none */
    const char *indices; /* "name(col, ...); ...": its indices (lm__rows_index); NULL: none */
    bool replace; /* a row replaces the one with its key (INSERT OR REPLACE) */
    bool scratch; /* dropped before its job ends: in no database a job leaves */
} lm_row_table;

/* A table in one statement, after `#define LM_ROW_T row_type` (where offsetof finds the
 * fields):
 *   LM_ROW_DECLARE(const, lm__rows_x, "x", LM_X_COLUMNS, .no_run_id = true);
 * declares the row type LM_ROW_T from the column list, its columns' descriptors and the table
 * (storage `const` or `static const`, then lm_row_table's other fields, at least one).
 * LM_ROW_DESCRIBED does the same for a row type declared elsewhere. Either also lists the
 * table in the linker section lm_row_tables (lm__rows_declared), so that what walks every
 * table (the docs check) cannot miss one that nobody added to a list by hand. */
#define LM_ROW_DECLARE(storage, table, name_, columns, ...)                                    \
    LM_ROW_TYPEDEF(LM_ROW_T, columns);                                                          \
    LM_ROW_DESCRIBED(storage, table, name_, columns, __VA_ARGS__)
#define LM_ROW_DESCRIBED(storage, table, name_, columns, ...)                                  \
    static const lm_row_column table##_cols_[] = {                                              \
        columns(LM_ROW_DESCRIBE_, LM_ROW_DESCRIBE_ARRAY_)};                                      \
    storage lm_row_table table = {                                                              \
        .name = name_, .cols = table##_cols_,                                                   \
        .n_cols = (int)(sizeof table##_cols_ / sizeof table##_cols_[0]),                        \
        .row_size = sizeof(LM_ROW_T), __VA_ARGS__};                                            \
    static const lm_row_table *const table##_listed_                                            \
        __attribute__((used, section("lm_row_tables"))) = &table
#define LM_ROW_UNPACK_(...) __VA_ARGS__
#define LM_ROW_DESCRIBE_(ctype, field, kind, role, doc)                                          \
    {#field,       #field "_id",  LM_ROW_KIND_##kind, LM_ROW_ROLE_##role,                       \
     offsetof(LM_ROW_T, field), sizeof(ctype), doc},
#define LM_ROW_ELEMENT__(i, word, ctype, field, prefix, kind, role, doc)                       \
    {#prefix "_" #word, NULL, LM_ROW_KIND_##kind, LM_ROW_ROLE_##role,                            \
     offsetof(LM_ROW_T, field) + (size_t)(i) * sizeof(ctype), sizeof(ctype), doc},
#define LM_ROW_ELEMENT_(...) LM_ROW_ELEMENT__(__VA_ARGS__)
#define LM_ROW_ELEMENT(i, word, a) LM_ROW_ELEMENT_(i, word, LM_ROW_UNPACK_ a)
#define LM_ROW_DESCRIBE_ARRAY_(ctype, field, prefix, words, kind, role, doc)                       \
    words(LM_ROW_ELEMENT, (ctype, field, prefix, kind, role, doc))

/* The declared tables. */
extern const lm_row_table lm__rows_region_year, lm__rows_region_skill_year,
    lm__rows_region_layer_year, lm__rows_public_year;
/* The finance tables (io/store_rows.h). */
/* The run's index tables (io/store_rows.h). */
/* The run table: its own key, so not among lm__row_tables (whose rows are of one run). */
extern const lm_row_table lm__rows_run;
extern const lm_row_table lm__rows_region, lm__rows_sector, lm__rows_firm, lm__rows_dragon;
extern const lm_row_table lm__rows_deal, lm__rows_fund, lm__rows_exit,
    lm__rows_finance_year, lm__rows_investment_year;
/* The one-row table of the layout version, in every results database. */
extern const lm_row_table lm__rows_schema;
/* The tables of one run's rows (the unit tests walk them). */
extern const lm_row_table *const lm__row_tables[];
extern const int lm__n_row_tables;
/* Every table declared in the program, experiments' included: *n of them, in link order. A
 * test that links only part of the library sees only that part's tables. */
const lm_row_table *const *lm__rows_declared(size_t *n);

/* The column of t named name, NULL when none; a numeric field of row as a double, a stored
 * NULL (NaN, LM_ROW_NULL_INT32/64) as null. */
const lm_row_column *lm__rows_column(const lm_row_table *t, const char *name);
double lm__rows_number(const void *row, const lm_row_column *c, double null);

/* What index columns are stored as: the scenario's region names and layer ids. */
typedef struct lm_row_names {
    const char *const *regions;
    int n_regions;
    const char *const *layers;
    int n_layers;
} lm_row_names;

/* The table's columns as stored, left to right, run_id first: f(name, sql_type, user) for
 * each. */
void lm__rows_each_column(const lm_row_table *t, void (*f)(const char *name, const char *type,
                                                           void *user),
                          void *user);
/* Creates the table (CREATE TABLE, keys and foreign key as declared; IF NOT EXISTS when
 * if_absent). */
lm_status lm__rows_create(sqlite3 *db, const char *path, const lm_row_table *t, bool if_absent,
                          lm_error *err);
/* Creates the table's declared indices (built after the rows are in: one sort per index
 * instead of a B-tree update per row). */
lm_status lm__rows_index(sqlite3 *db, const char *path, const lm_row_table *t, lm_error *err);
/* The databases of the experiments, the same way everywhere. lm__db_open opens path (flags
 * of sqlite3_open_v2), a reader waiting up to 10 s for a writer; durable: a rollback journal
 * and every commit synced, for a folder --resume reads after a kill. *db is NULL unless
 * LM_OK. lm__db_exec runs statements without rows. lm__db_end ends a transaction: COMMIT
 * when st is LM_OK, else (or when the commit fails) ROLLBACK; returns the status. Failures
 * are LM_EDB "path: SQLite's message" (lm__db_fail). */
lm_status lm__db_open(const char *path, int flags, bool durable, sqlite3 **db, lm_error *err);
lm_status lm__db_exec(sqlite3 *db, const char *path, const char *sql, lm_error *err);
lm_status lm__db_end(sqlite3 *db, const char *path, lm_status st, lm_error *err);
lm_status lm__db_fail(sqlite3 *db, const char *path, lm_error *err);
/* The first column of sql's first row (0 when none); a `?` in sql is bound to run_id. *ok
 * says whether it ran. */
int64_t lm__rows_scalar(sqlite3 *db, const char *sql, int64_t run_id, bool *ok);
/* Records LM_SCHEMA_VERSION: PRAGMA user_version and the one row of table schema (a
 * declared table of one column `version`, created before). */
lm_status lm__rows_version(sqlite3 *db, const char *path, const lm_row_table *schema,
                           lm_error *err);
/* Inserts n rows with run_id (ignored by a table without it) through one prepared statement;
 * every bind and step is checked, and an index out of range of names is an error naming the
 * row. */
lm_status lm__rows_insert(sqlite3 *db, const char *path, const lm_row_table *t, int64_t run_id,
                          const lm_row_names *names, const void *rows, size_t n, lm_error *err);
/* Reads back the rows of run_id (every row of a table without run_id) in the order written:
 * *rows (release: lm__rows_free) holds *n rows. */
lm_status lm__rows_read(sqlite3 *db, const char *path, const lm_row_table *t, int64_t run_id,
                        const lm_row_names *names, void **rows, size_t *n, lm_error *err);
/* Rows for one table. */
typedef struct lm_row_set {
    const lm_row_table *t;
    const void *rows;
    size_t n;
} lm_row_set;
/* Replaces the whole content of tables of a job (created when absent) in the database at
 * path, in one transaction, so that a resumed job ends with the rows an uninterrupted one
 * writes. The tables take no run_id and no index names. */
lm_status lm__rows_replace(const char *path, const lm_row_set *sets, int n_sets, lm_error *err);
/* Frees what lm__rows_read returned (its text fields too). */
void lm__rows_free(const lm_row_table *t, void *rows, size_t n);
/* Writes a header line and the rows as CSV (doubles round-trip, %.17g); false when f fails. */
bool lm__rows_csv(FILE *f, const lm_row_table *t, int64_t run_id, const lm_row_names *names,
                  const void *rows, size_t n);
/* Reduces n rows of one key (in time order) to one over their whole period into out: keys of
 * the last row, spans and flows summed, stocks the last row's, shares averaged weighted by
 * the rows' spans. */
void lm__rows_reduce(const lm_row_table *t, const void *rows, size_t n, void *out);

#endif
