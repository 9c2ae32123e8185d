/* src/io/rows.c -- the declared record types (longmen/columns.h) as tables: descriptors made
 * from the column lists by the preprocessor, and one writer, reader, CSV printer and period
 * reduction for all of them (rows.h). The descriptors are the only place that knows a
 * record's fields from its columns; store.c and store_finance.c only say which rows go into
 * which table. */
#include <assert.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "io/rows.h"
#include "io/store_rows.h"

/* ---- descriptors from the column lists ---- */

#define D LM_ROW_DESCRIBED
#define LM_ROW_T lm_region_year
D(const, lm__rows_region_year, "region_year", LM_REGION_YEAR_COLUMNS, .region_fk = true);
#undef LM_ROW_T
#define LM_ROW_T lm_region_skill_year
D(const, lm__rows_region_skill_year, "region_skill_year", LM_REGION_SKILL_YEAR_COLUMNS,
  .region_fk = true);
#undef LM_ROW_T
#define LM_ROW_T lm_region_layer_year
D(const, lm__rows_region_layer_year, "region_layer_year", LM_REGION_LAYER_YEAR_COLUMNS,
  .region_fk = true);
#undef LM_ROW_T
#define LM_ROW_T lm_public_year
D(const, lm__rows_public_year, "public_year", LM_PUBLIC_YEAR_COLUMNS, .region_fk = false);
#undef LM_ROW_T
/* The run: its own key, so not among lm__row_tables (whose rows are of one run). */
#define LM_ROW_T lm_run_row
D(const, lm__rows_run, "run", LM_RUN_COLUMNS, .no_run_id = true);
#undef LM_ROW_T
/* Tables of the run's indices, each row of them a row of run. */
#define LM_ROW_T lm_region_row
D(const, lm__rows_region, "region", LM_REGION_COLUMNS, .run_fk = true);
#undef LM_ROW_T
#define LM_ROW_T lm_sector_row
D(const, lm__rows_sector, "sector", LM_SECTOR_COLUMNS, .run_fk = true);
#undef LM_ROW_T
#define LM_ROW_T lm_firm_row
D(const, lm__rows_firm, "firm", LM_FIRM_COLUMNS, .region_fk = true,
  .indices = "firm_region(run_id, region_id); firm_status(status)");
#undef LM_ROW_T
#define LM_ROW_T lm_dragon_row
D(const, lm__rows_dragon, "dragon", LM_DRAGON_COLUMNS,
  .refs = "FOREIGN KEY(run_id, firm_id) REFERENCES firm(run_id, firm_id)",
  .indices = "dragon_region(run_id, region)");
#undef LM_ROW_T
#define LM_ROW_T lm_deal_row
D(const, lm__rows_deal, "deal", LM_DEAL_COLUMNS,
  .indices = "deal_firm(run_id, firm_id); deal_investor(run_id, investor_id)");
#undef LM_ROW_T
#define LM_ROW_T lm_fund_row
D(const, lm__rows_fund, "fund", LM_FUND_COLUMNS, .region_fk = false);
#undef LM_ROW_T
#define LM_ROW_T lm_exit_row
D(const, lm__rows_exit, "exit", LM_EXIT_COLUMNS, .region_fk = false);
#undef LM_ROW_T
#define LM_ROW_T lm_finance_year_row
D(const, lm__rows_finance_year, "finance_year", LM_FINANCE_YEAR_COLUMNS, .region_fk = false);
#undef LM_ROW_T
#define LM_ROW_T lm_investment_year_row
D(const, lm__rows_investment_year, "investment_year", LM_INVESTMENT_YEAR_COLUMNS,
  .region_fk = false);
#undef LM_ROW_T
#undef D
/* The layout version (docs/output.md); no key: one row. */
#define LM_SCHEMA_COLUMNS(X, V)                                                                 \
    X(int64_t, version, INTEGER, ATTR, "layout version, equal to `PRAGMA user_version`")
#define LM_ROW_T schema_row
LM_ROW_DECLARE(const, lm__rows_schema, "schema", LM_SCHEMA_COLUMNS, .no_run_id = true);
#undef LM_ROW_T

const lm_row_table *const lm__row_tables[] = {
    &lm__rows_region,      &lm__rows_sector,            &lm__rows_firm,
    &lm__rows_dragon,
    &lm__rows_region_year, &lm__rows_region_skill_year, &lm__rows_region_layer_year,
    &lm__rows_public_year, &lm__rows_deal,              &lm__rows_fund,
    &lm__rows_exit,        &lm__rows_finance_year,      &lm__rows_investment_year};
const int lm__n_row_tables = (int)(sizeof lm__row_tables / sizeof lm__row_tables[0]);

/* The linker's bounds of the section every declaration adds its table to. */
extern const lm_row_table *const __start_lm_row_tables[], *const __stop_lm_row_tables[];

const lm_row_table *const *lm__rows_declared(size_t *n)
{
    *n = (size_t)(__stop_lm_row_tables - __start_lm_row_tables);
    return __start_lm_row_tables;
}

static const char *const skill_words[] = {LM_SKILL_WORDS(LM_WORD_STRING, ~)};
static const char *const stage_words[] = {LM_STAGE_WORDS(LM_WORD_STRING, ~)};
static const char *const investor_words[] = {LM_INVESTOR_KIND_WORDS(LM_WORD_STRING, ~)};
static const char *const status_words[] = {LM_STATUS_WORDS(LM_WORD_STRING, ~)};
#define COUNT_OF(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* An index stored as a word: of the scenario (REGION, LAYER) or of a fixed list. */
static bool is_word(lm_row_kind k)
{
    return k == LM_ROW_KIND_REGION || k == LM_ROW_KIND_SKILL || k == LM_ROW_KIND_LAYER ||
           k == LM_ROW_KIND_STAGE || k == LM_ROW_KIND_INVESTOR || k == LM_ROW_KIND_STATUS;
}

/* The words of an index column and their count. */
static const char *const *words_of(const lm_row_column *c, const lm_row_names *names, int *n)
{
    switch (c->kind) {
    case LM_ROW_KIND_REGION:
        *n = names ? names->n_regions : 0;
        return names ? names->regions : NULL;
    case LM_ROW_KIND_LAYER:
        *n = names ? names->n_layers : 0;
        return names ? names->layers : NULL;
    case LM_ROW_KIND_SKILL:
        *n = COUNT_OF(skill_words);
        return skill_words;
    case LM_ROW_KIND_STAGE:
        *n = COUNT_OF(stage_words);
        return stage_words;
    case LM_ROW_KIND_INVESTOR:
        *n = COUNT_OF(investor_words);
        return investor_words;
    case LM_ROW_KIND_STATUS:
        *n = COUNT_OF(status_words);
        return status_words;
    default:
        *n = 0;
        return NULL;
    }
}

/* ---- fields ---- */

static int64_t get_int(const void *row, const lm_row_column *c)
{
    const char *p = (const char *)row + c->offset;
    if (c->size == sizeof(int32_t)) {
        int32_t v;
        memcpy(&v, p, sizeof v);
        return v;
    }
    int64_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

static void set_int(void *row, const lm_row_column *c, int64_t v)
{
    char *p = (char *)row + c->offset;
    if (c->size == sizeof(int32_t)) {
        const int32_t w = (int32_t)v;
        memcpy(p, &w, sizeof w);
    } else {
        memcpy(p, &v, sizeof v);
    }
}

static double get_real(const void *row, const lm_row_column *c)
{
    double v;
    memcpy(&v, (const char *)row + c->offset, sizeof v);
    return v;
}

static void set_real(void *row, const lm_row_column *c, double v)
{
    memcpy((char *)row + c->offset, &v, sizeof v);
}

double lm__rows_number(const void *row, const lm_row_column *c, double null)
{
    if (c->kind == LM_ROW_KIND_REAL)
        return isnan(get_real(row, c)) ? null : get_real(row, c);
    const int64_t v = get_int(row, c);
    return v == (c->size == sizeof(int32_t) ? LM_ROW_NULL_INT32 : LM_ROW_NULL_INT64) ? null
                                                                                     : (double)v;
}

const lm_row_column *lm__rows_column(const lm_row_table *t, const char *name)
{
    for (int k = 0; k < t->n_cols; ++k)
        if (strcmp(t->cols[k].name, name) == 0)
            return &t->cols[k];
    return NULL;
}

static const char *get_text(const void *row, const lm_row_column *c)
{
    const char *v;
    memcpy(&v, (const char *)row + c->offset, sizeof v);
    return v;
}

static void set_text(void *row, const lm_row_column *c, const char *v)
{
    memcpy((char *)row + c->offset, &v, sizeof v);
}

/* The word an index column stores, NULL when the index is out of range. */
static const char *word_of(const lm_row_column *c, const lm_row_names *names, int64_t i)
{
    int n;
    const char *const *w = words_of(c, names, &n);
    return w && i >= 0 && i < n ? w[i] : NULL;
}

/* 'YYYY-MM' of a month index into buf, NULL for -1 (never) and for a month out of range
 * (*ok false). By hand rather than snprintf: a firm row has four. */
static const char *month_text(int64_t m, char buf[8], bool *ok)
{
    *ok = m == -1 || (m >= 0 && m / 12 <= 9999);
    if (m < 0 || !*ok)
        return NULL;
    const int year = (int)(m / 12), month = (int)(m % 12 + 1);
    buf[0] = (char)('0' + year / 1000);
    buf[1] = (char)('0' + year / 100 % 10);
    buf[2] = (char)('0' + year / 10 % 10);
    buf[3] = (char)('0' + year % 10);
    buf[4] = '-';
    buf[5] = (char)('0' + month / 10);
    buf[6] = (char)('0' + month % 10);
    buf[7] = '\0';
    return buf;
}

/* The month index of 'YYYY-MM' (NULL: -1); false when the text is no month. */
static bool month_index(const char *w, int64_t *m)
{
    int y, mo;
    char end;
    if (!w) {
        *m = -1;
        return true;
    }
    if (sscanf(w, "%4d-%2d%c", &y, &mo, &end) != 2 || y < 0 || mo < 1 || mo > 12)
        return false;
    *m = (int64_t)y * 12 + mo - 1;
    return true;
}

/* ---- columns as stored ---- */

void lm__rows_each_column(const lm_row_table *t,
                          void (*f)(const char *name, const char *type, void *user), void *user)
{
    if (!t->no_run_id)
        f("run_id", "INTEGER", user);
    for (int k = 0; k < t->n_cols; ++k) {
        const lm_row_column *c = &t->cols[k];
        switch (c->kind) {
        case LM_ROW_KIND_REGION:
            f(c->name, "TEXT", user);
            f(c->id_name, "INTEGER", user);
            break;
        case LM_ROW_KIND_SKILL:
        case LM_ROW_KIND_LAYER:
        case LM_ROW_KIND_TEXT:
        case LM_ROW_KIND_STAGE:
        case LM_ROW_KIND_INVESTOR:
        case LM_ROW_KIND_STATUS:
        case LM_ROW_KIND_MONTH:
            f(c->name, "TEXT", user);
            break;
        case LM_ROW_KIND_INTEGER:
            f(c->name, "INTEGER", user);
            break;
        case LM_ROW_KIND_REAL:
            f(c->name, "REAL", user);
            break;
        }
    }
}

/* SQL text built in a fixed buffer: the longest statement is a few kilobytes. */
typedef struct sql_text {
    char buf[8192];
    size_t len;
    bool overflow;
} sql_text;

static void append(sql_text *s, const char *a, const char *b)
{
    const int n = snprintf(s->buf + s->len, sizeof s->buf - s->len, "%s%s", a, b);
    if (n < 0 || (size_t)n >= sizeof s->buf - s->len)
        s->overflow = true;
    else
        s->len += (size_t)n;
}

static lm_status db_fail(sqlite3 *db, const char *path, const char *table, const char *what,
                         lm_error *err)
{
    return lm_error_set_at(err, LM_EDB, path, 0, 0, NULL, "%s: %s %s rows: %s", path, what,
                           table, sqlite3_errmsg(db));
}

static lm_status too_long(const char *path, const lm_row_table *t, lm_error *err)
{
    return lm_error_set_at(err, LM_EDB, path, 0, 0, NULL,
                           "%s: the SQL of table %s is too long (internal error)", path, t->name);
}

typedef struct create_ctx {
    sql_text *s;
    const lm_row_table *t;
    int k; /* next stored column */
} create_ctx;

/* NOT NULL: run_id, keys, spans and attributes. A REGION key's two columns both. */
static bool not_null(const lm_row_table *t, const char *name)
{
    if (!t->no_run_id && strcmp(name, "run_id") == 0)
        return true;
    for (int k = 0; k < t->n_cols; ++k) {
        const lm_row_column *c = &t->cols[k];
        const bool named = strcmp(name, c->name) == 0 ||
                           (c->kind == LM_ROW_KIND_REGION && strcmp(name, c->id_name) == 0);
        if (named)
            return c->role == LM_ROW_ROLE_KEY || c->role == LM_ROW_ROLE_SPAN ||
                   c->role == LM_ROW_ROLE_ATTR || c->role == LM_ROW_ROLE_UNIQUE ||
                   c->role == LM_ROW_ROLE_FLAG;
    }
    return false;
}

static void create_column(const char *name, const char *type, void *user)
{
    create_ctx *x = user;
    append(x->s, x->k++ ? ", " : "", name);
    append(x->s, " ", type);
    if (not_null(x->t, name))
        append(x->s, " NOT NULL", "");
    for (int k = 0; k < x->t->n_cols; ++k)
        if (x->t->cols[k].role == LM_ROW_ROLE_FLAG && strcmp(x->t->cols[k].name, name) == 0)
            append(x->s, " DEFAULT 1", "");
}

lm_status lm__rows_create(sqlite3 *db, const char *path, const lm_row_table *t, bool if_absent,
                          lm_error *err)
{
    sql_text s = {.len = 0, .overflow = false};
    append(&s, if_absent ? "CREATE TABLE IF NOT EXISTS " : "CREATE TABLE ", t->name);
    append(&s, "(", "");
    create_ctx x = {&s, t, 0};
    lm__rows_each_column(t, create_column, &x);
    int n_keys = t->no_run_id ? 0 : 1;
    for (int k = 0; k < t->n_cols; ++k)
        n_keys += t->cols[k].role == LM_ROW_ROLE_KEY || t->cols[k].role == LM_ROW_ROLE_ID;
    if (n_keys > 0) { /* a table of one row (sensitivity) has none */
        append(&s, ", PRIMARY KEY(", t->no_run_id ? "" : "run_id");
        for (int k = 0, n = t->no_run_id ? 0 : 1; k < t->n_cols; ++k)
            if (t->cols[k].role == LM_ROW_ROLE_KEY || t->cols[k].role == LM_ROW_ROLE_ID)
                append(&s, n++ ? ", " : "",
                       t->cols[k].kind == LM_ROW_KIND_REGION ? t->cols[k].id_name
                                                             : t->cols[k].name);
        append(&s, ")", "");
    }
    for (int k = 0, n = 0; k < t->n_cols; ++k) /* the UNIQUE columns together */
        if (t->cols[k].role == LM_ROW_ROLE_UNIQUE)
            append(&s, n++ ? ", " : t->no_run_id ? ", UNIQUE(" : ", UNIQUE(run_id, ",
                   t->cols[k].name);
    for (int k = 0; k < t->n_cols; ++k)
        if (t->cols[k].role == LM_ROW_ROLE_UNIQUE) {
            append(&s, ")", "");
            break;
        }
    if (t->run_fk)
        append(&s, ", FOREIGN KEY(run_id) REFERENCES run(run_id)", "");
    if (t->region_fk)
        append(&s, ", FOREIGN KEY(run_id, region_id) REFERENCES region(run_id, region_id)", "");
    if (t->refs)
        append(&s, ", ", t->refs);
    append(&s, ")", "");
    if (s.overflow)
        return too_long(path, t, err);
    if (sqlite3_exec(db, s.buf, NULL, NULL, NULL) != SQLITE_OK)
        return db_fail(db, path, t->name, "creating the table of", err);
    return LM_OK;
}

lm_status lm__rows_index(sqlite3 *db, const char *path, const lm_row_table *t, lm_error *err)
{
    for (const char *p = t->indices; p && *p;) {
        const size_t len = strcspn(p, ";"), name = strcspn(p, "(");
        char *sql = sqlite3_mprintf("CREATE INDEX %.*s ON %s%.*s", (int)name, p, t->name,
                                    (int)(len - name), p + name);
        const int rc = sql ? sqlite3_exec(db, sql, NULL, NULL, NULL) : SQLITE_NOMEM;
        sqlite3_free(sql);
        if (rc != SQLITE_OK)
            return db_fail(db, path, t->name, "creating the indices of", err);
        p += len + strspn(p + len, "; ");
    }
    return LM_OK;
}

int64_t lm__rows_scalar(sqlite3 *db, const char *sql, int64_t run_id, bool *ok)
{
    sqlite3_stmt *st = NULL;
    int64_t v = 0;
    *ok = false;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return 0;
    if (sqlite3_bind_parameter_count(st) > 0)
        sqlite3_bind_int64(st, 1, run_id);
    const int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    *ok = rc == SQLITE_ROW || rc == SQLITE_DONE;
    sqlite3_finalize(st);
    return v;
}

lm_status lm__rows_version(sqlite3 *db, const char *path, const lm_row_table *schema,
                           lm_error *err)
{
    char sql[96];
    snprintf(sql, sizeof sql, "PRAGMA user_version = %d; DELETE FROM %s;", LM_SCHEMA_VERSION,
             schema->name);
    if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return db_fail(db, path, schema->name, "recording the version in", err);
    const int64_t version = LM_SCHEMA_VERSION;
    return lm__rows_insert(db, path, schema, 0, NULL, &version, 1, err);
}

typedef struct list_ctx {
    sql_text *s;
    int k;
} list_ctx;

static void list_column(const char *name, const char *type, void *user)
{
    (void)type;
    list_ctx *x = user;
    append(x->s, x->k++ ? ", " : "", name);
}

/* "INSERT INTO t(c1, ...) VALUES(?, ...)" or "SELECT c1, ... FROM t WHERE run_id = ?1" (a
 * table without run_id: "WHERE ?1 = ?1"). */
static int statement_sql(sql_text *s, const lm_row_table *t, bool insert)
{
    list_ctx x = {s, 0};
    if (insert) {
        append(s, t->replace ? "INSERT OR REPLACE INTO " : "INSERT INTO ", t->name);
        append(s, "(", "");
    } else {
        append(s, "SELECT ", "");
    }
    lm__rows_each_column(t, list_column, &x);
    if (insert) {
        append(s, ") VALUES(?", "");
        for (int k = 1; k < x.k; ++k)
            append(s, ", ?", "");
        append(s, ")", "");
    } else {
        append(s, " FROM ", t->name);
        append(s, t->no_run_id ? " WHERE ?1 = ?1" : " WHERE run_id = ?1", " ORDER BY rowid");
    }
    return x.k;
}

static lm_status bad_index(const char *path, const lm_row_table *t, size_t row,
                           const lm_row_column *c, int64_t v, lm_error *err)
{
    return lm_error_set_at(err, LM_EINVAL, path, 0, 0, NULL, "%s: %s row %zu: %s %" PRId64
                           " out of range", path, t->name, row, c->name, v);
}

static bool is_null_int(const void *row, const lm_row_column *c)
{
    return get_int(row, c) == (c->size == sizeof(int32_t) ? LM_ROW_NULL_INT32 : LM_ROW_NULL_INT64);
}

/* Binds one row's columns left to right to the parameters after the first `col`; the first
 * failure is returned. A month's text is written into months (one slot per MONTH column of
 * the table), which must hold it until the statement has stepped: SQLite reads it then
 * without a copy of its own. */
static int bind_row(sqlite3_stmt *st, const lm_row_table *t, int64_t run_id,
                    const lm_row_names *names, const void *row, int col, char (*months)[8])
{
    int m = 0;
    int rc = t->no_run_id ? SQLITE_OK : sqlite3_bind_int64(st, ++col, run_id);
    for (int k = 0; rc == SQLITE_OK && k < t->n_cols; ++k) {
        const lm_row_column *c = &t->cols[k];
        switch (c->kind) {
        case LM_ROW_KIND_REGION:
            /* SQLITE_STATIC: the names outlive the step that reads them. */
            rc = sqlite3_bind_text(st, ++col, word_of(c, names, get_int(row, c)), -1,
                                   SQLITE_STATIC);
            if (rc == SQLITE_OK)
                rc = sqlite3_bind_int64(st, ++col, get_int(row, c));
            break;
        case LM_ROW_KIND_SKILL:
        case LM_ROW_KIND_LAYER:
        case LM_ROW_KIND_STAGE:
        case LM_ROW_KIND_INVESTOR:
        case LM_ROW_KIND_STATUS:
            rc = sqlite3_bind_text(st, ++col, word_of(c, names, get_int(row, c)), -1,
                                   SQLITE_STATIC);
            break;
        case LM_ROW_KIND_TEXT:
            rc = sqlite3_bind_text(st, ++col, get_text(row, c), -1, SQLITE_STATIC);
            break;
        case LM_ROW_KIND_MONTH: {
            bool ok;
            const char *text = month_text(get_int(row, c), months[m++], &ok);
            rc = sqlite3_bind_text(st, ++col, text, text ? 7 : -1, SQLITE_STATIC);
            break;
        }
        case LM_ROW_KIND_INTEGER:
            rc = is_null_int(row, c) ? sqlite3_bind_null(st, ++col)
                                     : sqlite3_bind_int64(st, ++col, get_int(row, c));
            break;
        case LM_ROW_KIND_REAL:
            rc = isfinite(get_real(row, c)) ? sqlite3_bind_double(st, ++col, get_real(row, c))
                                            : sqlite3_bind_null(st, ++col);
            break;
        }
    }
    return rc;
}

/* Rows of one INSERT at most: a statement of many rows does its per-statement work (step's
 * start, halt and reset, the table's cursors) once for all of them, which in a firm row of
 * 27 columns was a fifth of its cost. The rows go in in the same order, so they get the same
 * rowids as one statement per row. */
enum { ROWS_PER_STATEMENT = 32 };

/* Prepares the insert of one row (`one`, from statement_sql) repeated for k rows:
 * "INSERT INTO t(...) VALUES(?, ...), (?, ...), ...". */
static int prepare_rows(sqlite3 *db, const sql_text *one, size_t k, sqlite3_stmt **st)
{
    const char *values = strstr(one->buf, ") VALUES(");
    if (!values)
        return SQLITE_ERROR;
    const char *tuple = values + strlen(") VALUES");
    const size_t tuple_len = one->len - (size_t)(tuple - one->buf);
    const size_t cap = one->len + (k - 1) * (tuple_len + 2) + 1;
    char *sql = malloc(cap);
    if (!sql)
        return SQLITE_NOMEM;
    memcpy(sql, one->buf, one->len);
    size_t len = one->len;
    for (size_t j = 1; j < k; ++j) {
        memcpy(sql + len, ", ", 2);
        memcpy(sql + len + 2, tuple, tuple_len);
        len += tuple_len + 2;
    }
    sql[len] = '\0';
    assert(len + 1 == cap);
    const int rc = sqlite3_prepare_v3(db, sql, (int)cap, SQLITE_PREPARE_PERSISTENT, st, NULL);
    free(sql);
    return rc;
}

lm_status lm__rows_insert(sqlite3 *db, const char *path, const lm_row_table *t, int64_t run_id,
                          const lm_row_names *names, const void *rows, size_t n, lm_error *err)
{
    /* Indices and months first, so that a bad one is named before any row of the table is
     * written; a month of a NOT NULL column must be one. */
    for (size_t i = 0; i < n; ++i)
        for (int k = 0; k < t->n_cols; ++k) {
            const lm_row_column *c = &t->cols[k];
            const void *row = (const char *)rows + i * t->row_size;
            char buf[8];
            bool ok = true;
            if (c->kind == LM_ROW_KIND_MONTH && !month_text(get_int(row, c), buf, &ok))
                ok = ok && c->role != LM_ROW_ROLE_KEY && c->role != LM_ROW_ROLE_ATTR &&
                     c->role != LM_ROW_ROLE_SPAN && c->role != LM_ROW_ROLE_UNIQUE &&
                     c->role != LM_ROW_ROLE_FLAG; /* -1: NULL, where NULL may be */
            else if (is_word(c->kind))
                ok = word_of(c, names, get_int(row, c)) != NULL;
            if (!ok)
                return bad_index(path, t, i, c, get_int(row, c), err);
        }
    sql_text s = {.len = 0, .overflow = false};
    const int n_params = statement_sql(&s, t, true);
    if (s.overflow)
        return too_long(path, t, err);
    const int limit = sqlite3_limit(db, SQLITE_LIMIT_VARIABLE_NUMBER, -1);
    size_t per = n_params > 0 && limit / n_params > 0 ? (size_t)(limit / n_params) : 1;
    if (per > ROWS_PER_STATEMENT)
        per = ROWS_PER_STATEMENT;
    int n_months = 0;
    for (int k = 0; k < t->n_cols; ++k)
        n_months += t->cols[k].kind == LM_ROW_KIND_MONTH;
    char(*months)[8] = malloc((per * (size_t)n_months + 1) * sizeof *months);
    if (!months)
        return lm_error_set_at(err, LM_ENOMEM, path, 0, 0, NULL, "%s: no memory for %s rows",
                               path, t->name);
    sqlite3_stmt *st = NULL;
    size_t st_rows = 0; /* rows of st's VALUES */
    lm_status rc = LM_OK;
    /* No rows: the statement is still prepared, so a table that is not there is an error. */
    for (size_t i = 0; rc == LM_OK && (i < n || (n == 0 && st_rows == 0));) {
        const size_t k = n == 0 ? 1 : n - i < per ? n - i : per;
        if (k != st_rows) {
            sqlite3_finalize(st);
            st = NULL;
            st_rows = k;
            if (prepare_rows(db, &s, k, &st) != SQLITE_OK) {
                rc = db_fail(db, path, t->name, "preparing", err);
                break;
            }
            if (sqlite3_bind_parameter_count(st) != (int)k * n_params) {
                rc = lm_error_set_at(err, LM_EDB, path, 0, 0, NULL,
                                     "%s: %s: %d parameters for %d columns (internal error)",
                                     path, t->name, sqlite3_bind_parameter_count(st),
                                     (int)k * n_params);
                break;
            }
        }
        if (n == 0)
            break;
        int bound = SQLITE_OK;
        for (size_t j = 0; bound == SQLITE_OK && j < k; ++j)
            bound = bind_row(st, t, run_id, names, (const char *)rows + (i + j) * t->row_size,
                             (int)j * n_params, months + j * (size_t)n_months);
        const int stepped = bound == SQLITE_OK ? sqlite3_step(st) : bound;
        if (stepped != SQLITE_DONE)
            rc = db_fail(db, path, t->name, "writing", err);
        sqlite3_reset(st);
        i += k;
    }
    sqlite3_finalize(st); /* before the months it may point to are freed */
    free(months);
    return rc;
}

/* The index of a stored word, -1 when it is none of them. */
static int64_t index_of(const lm_row_column *c, const lm_row_names *names, const char *w)
{
    int n;
    (void)words_of(c, names, &n);
    for (int i = 0; w && i < n; ++i) {
        const char *v = word_of(c, names, i);
        if (v && strcmp(v, w) == 0)
            return i;
    }
    return -1;
}

lm_status lm__rows_read(sqlite3 *db, const char *path, const lm_row_table *t, int64_t run_id,
                        const lm_row_names *names, void **rows, size_t *n, lm_error *err)
{
    *rows = NULL;
    *n = 0;
    sql_text s = {.len = 0, .overflow = false};
    statement_sql(&s, t, false);
    if (s.overflow)
        return too_long(path, t, err);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, s.buf, -1, &st, NULL) != SQLITE_OK)
        return db_fail(db, path, t->name, "preparing to read", err);
    lm_status rc = LM_OK;
    size_t cap = 0;
    char *out = NULL;
    int step = sqlite3_bind_int64(st, 1, run_id);
    if (step == SQLITE_OK)
        step = sqlite3_step(st);
    for (; step == SQLITE_ROW; step = sqlite3_step(st)) {
        if (*n == cap) {
            cap = cap ? 2 * cap : 64;
            char *grown = realloc(out, cap * t->row_size);
            if (!grown) {
                rc = lm_error_set_at(err, LM_ENOMEM, path, 0, 0, NULL,
                                     "%s: no memory to read %s", path, t->name);
                break;
            }
            out = grown;
        }
        void *row = out + *n * t->row_size;
        memset(row, 0, t->row_size);
        int col = t->no_run_id ? 0 : 1; /* 0 is run_id */
        for (int k = 0; k < t->n_cols; ++k) {
            const lm_row_column *c = &t->cols[k];
            if (c->kind == LM_ROW_KIND_TEXT) {
                const char *w = (const char *)sqlite3_column_text(st, col++);
                char *copy = w ? strdup(w) : NULL;
                set_text(row, c, copy);
                if (w && !copy) {
                    ++*n; /* so that lm__rows_free frees this row's texts too */
                    rc = lm_error_set_at(err, LM_ENOMEM, path, 0, 0, NULL,
                                         "%s: no memory to read %s", path, t->name);
                    break;
                }
            } else if (c->kind == LM_ROW_KIND_REGION) {
                ++col; /* the name; region_id is the index */
                set_int(row, c, sqlite3_column_int64(st, col++));
            } else if (is_word(c->kind) || c->kind == LM_ROW_KIND_MONTH) {
                const char *w = (const char *)sqlite3_column_text(st, col++);
                int64_t v = -1;
                if (c->kind == LM_ROW_KIND_MONTH ? !month_index(w, &v)
                                                 : (v = index_of(c, names, w)) < 0) {
                    rc = lm_error_set_at(err, LM_EDB, path, 0, 0, NULL,
                                         "%s: %s row %zu: unknown %s '%s'", path, t->name, *n,
                                         c->name, w ? w : "NULL");
                    break;
                }
                set_int(row, c, v);
            } else if (c->kind == LM_ROW_KIND_INTEGER) {
                const bool null = sqlite3_column_type(st, col) == SQLITE_NULL;
                set_int(row, c, !null ? sqlite3_column_int64(st, col)
                                : c->size == sizeof(int32_t) ? LM_ROW_NULL_INT32
                                                             : LM_ROW_NULL_INT64);
                ++col;
            } else {
                const bool null = sqlite3_column_type(st, col) == SQLITE_NULL;
                set_real(row, c, null ? NAN : sqlite3_column_double(st, col));
                ++col;
            }
        }
        if (rc != LM_OK)
            break;
        ++*n;
    }
    if (rc == LM_OK && step != SQLITE_DONE)
        rc = db_fail(db, path, t->name, "reading", err);
    sqlite3_finalize(st);
    if (rc != LM_OK) {
        lm__rows_free(t, out, *n);
        *n = 0;
        return rc;
    }
    *rows = out;
    return LM_OK;
}

lm_status lm__db_fail(sqlite3 *db, const char *path, lm_error *err)
{
    return lm_error_set_at(err, LM_EDB, path, 0, 0, NULL, "%s: %s", path,
                           db ? sqlite3_errmsg(db) : "cannot open");
}

lm_status lm__db_exec(sqlite3 *db, const char *path, const char *sql, lm_error *err)
{
    return sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK ? LM_OK
                                                                : lm__db_fail(db, path, err);
}

lm_status lm__db_end(sqlite3 *db, const char *path, lm_status st, lm_error *err)
{
    if (st == LM_OK)
        st = lm__db_exec(db, path, "COMMIT", err);
    if (st != LM_OK)
        (void)sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    return st;
}

lm_status lm__db_open(const char *path, int flags, bool durable, sqlite3 **db, lm_error *err)
{
    lm_status st = LM_OK;
    if (sqlite3_open_v2(path, db, flags, NULL) != SQLITE_OK ||
        sqlite3_busy_timeout(*db, 10000) != SQLITE_OK)
        st = lm__db_fail(*db, path, err);
    if (st == LM_OK && durable)
        st = lm__db_exec(*db, path, "PRAGMA journal_mode=DELETE; PRAGMA synchronous=FULL;", err);
    if (st != LM_OK) {
        sqlite3_close(*db);
        *db = NULL;
    }
    return st;
}

lm_status lm__rows_replace(const char *path, const lm_row_set *sets, int n_sets, lm_error *err)
{
    sqlite3 *db = NULL;
    lm_status rc = lm__db_open(path, SQLITE_OPEN_READWRITE, false, &db, err);
    if (rc == LM_OK)
        rc = lm__db_exec(db, path, "BEGIN", err);
    for (int k = 0; rc == LM_OK && k < n_sets; ++k) {
        const lm_row_table *t = sets[k].t;
        char sql[128];
        snprintf(sql, sizeof sql, "DELETE FROM %s", t->name);
        if ((rc = lm__rows_create(db, path, t, true, err)) != LM_OK)
            break;
        if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
            rc = db_fail(db, path, t->name, "deleting the old", err);
        else
            rc = lm__rows_insert(db, path, t, 0, NULL, sets[k].rows, sets[k].n, err);
    }
    if (db)
        rc = lm__db_end(db, path, rc, err);
    sqlite3_close(db);
    return rc;
}

void lm__rows_free(const lm_row_table *t, void *rows, size_t n)
{
    for (size_t i = 0; rows && i < n; ++i)
        for (int k = 0; k < t->n_cols; ++k)
            if (t->cols[k].kind == LM_ROW_KIND_TEXT)
                free((char *)(uintptr_t)get_text((char *)rows + i * t->row_size, &t->cols[k]));
    free(rows);
}

/* ---- CSV ---- */

typedef struct csv_ctx {
    FILE *f;
    int k;
} csv_ctx;

static void csv_header(const char *name, const char *type, void *user)
{
    (void)type;
    csv_ctx *x = user;
    fprintf(x->f, "%s%s", x->k++ ? "," : "", name);
}

/* A text field, quoted when it holds a comma, a quote or a line break (RFC 4180). */
static void csv_text(FILE *f, const char *s)
{
    if (!s || !strpbrk(s, ",\"\r\n")) {
        fputs(s ? s : "", f);
        return;
    }
    fputc('"', f);
    for (; *s; ++s) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

bool lm__rows_csv(FILE *f, const lm_row_table *t, int64_t run_id, const lm_row_names *names,
                  const void *rows, size_t n)
{
    csv_ctx x = {f, 0};
    lm__rows_each_column(t, csv_header, &x);
    fputc('\n', f);
    for (size_t i = 0; i < n; ++i) {
        const void *row = (const char *)rows + i * t->row_size;
        if (!t->no_run_id)
            fprintf(f, "%" PRId64, run_id);
        for (int k = 0; k < t->n_cols; ++k) {
            const lm_row_column *c = &t->cols[k];
            if (k > 0 || !t->no_run_id)
                fputc(',', f);
            switch (c->kind) {
            case LM_ROW_KIND_REGION:
                csv_text(f, word_of(c, names, get_int(row, c)));
                fprintf(f, ",%" PRId64, get_int(row, c));
                break;
            case LM_ROW_KIND_SKILL:
            case LM_ROW_KIND_LAYER:
            case LM_ROW_KIND_STAGE:
            case LM_ROW_KIND_INVESTOR:
            case LM_ROW_KIND_STATUS:
                csv_text(f, word_of(c, names, get_int(row, c)));
                break;
            case LM_ROW_KIND_MONTH: {
                char buf[8];
                bool ok;
                csv_text(f, month_text(get_int(row, c), buf, &ok));
                break;
            }
            case LM_ROW_KIND_TEXT:
                csv_text(f, get_text(row, c));
                break;
            case LM_ROW_KIND_INTEGER:
                fprintf(f, "%" PRId64, get_int(row, c));
                break;
            case LM_ROW_KIND_REAL:
                fprintf(f, "%.17g", get_real(row, c));
                break;
            }
        }
        fputc('\n', f);
    }
    return !ferror(f);
}

/* ---- reduction over a period ---- */

void lm__rows_reduce(const lm_row_table *t, const void *rows, size_t n, void *out)
{
    memset(out, 0, t->row_size);
    if (n == 0)
        return;
    const void *last = (const char *)rows + (n - 1) * t->row_size;
    const lm_row_column *span = NULL;
    for (int k = 0; k < t->n_cols; ++k)
        if (t->cols[k].role == LM_ROW_ROLE_SPAN)
            span = &t->cols[k];
    for (int k = 0; k < t->n_cols; ++k) {
        const lm_row_column *c = &t->cols[k];
        const bool real = c->kind == LM_ROW_KIND_REAL;
        if (c->kind == LM_ROW_KIND_TEXT) {
            set_text(out, c, get_text(last, c));
            continue;
        }
        if (c->role == LM_ROW_ROLE_KEY || c->role == LM_ROW_ROLE_STOCK ||
            c->role == LM_ROW_ROLE_ATTR || c->role == LM_ROW_ROLE_ID ||
            c->role == LM_ROW_ROLE_VALUE || c->role == LM_ROW_ROLE_UNIQUE ||
            c->role == LM_ROW_ROLE_FLAG) {
            if (real)
                set_real(out, c, get_real(last, c));
            else
                set_int(out, c, get_int(last, c));
            continue;
        }
        double sum = 0, weight = 0;
        int64_t isum = 0;
        for (size_t i = 0; i < n; ++i) {
            const void *row = (const char *)rows + i * t->row_size;
            const double w = span ? (double)get_int(row, span) : 1.0;
            if (c->role == LM_ROW_ROLE_SHARE) {
                sum += w * (real ? get_real(row, c) : (double)get_int(row, c));
                weight += w;
            } else if (real) {
                sum += get_real(row, c);
            } else {
                isum += get_int(row, c);
            }
        }
        if (c->role == LM_ROW_ROLE_SHARE)
            sum = weight > 0 ? sum / weight : 0;
        if (real)
            set_real(out, c, sum);
        else
            set_int(out, c, c->role == LM_ROW_ROLE_SHARE ? (int64_t)sum : isum);
    }
}
