/* src/report/data.c -- the report's data layer: reads a results database (docs/output.md)
 * and builds the JSON document that report.html embeds and `longmen serve` hands to the
 * dashboard (format: docs/report.md).
 *
 * It reads what is there and assumes little, because the database grows issue by issue
 * (finance, tiers, talent, chain...): every numeric column of region_year is carried, every
 * table it does not know is carried raw when small or summed by year and category when large,
 * and the page decides from names which sections it can draw. A missing table is never an
 * error; only a database without the core tables (run, region, region_year) is refused.
 *
 * Several runs in one database (issue 7) are grouped into arms: runs of the same arm (the
 * run table's `arm`, `variant` or `label` column when it has one, else the scenario name) are
 * replications, whose median and 5%/95% quantiles per region and year the page draws as a
 * band; several arms are a comparison, the first arm being the baseline. */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "longmen/longmen.h"
#include "report/report_int.h"

#define REPORT_FORMAT 1
/* Tables with at most this many rows are carried row by row; larger ones are summarised. */
#define RAW_ROWS_MAX 3000
/* A text column with at most this many distinct values is a category for the summaries. */
#define CATEGORY_MAX 16
/* Summary rows of one table at most (categories are dropped, largest first, to fit). */
#define SUMMARY_ROWS_MAX 20000
#define DRAGONS_MAX 500
/* Rows of a table per region and year (region_layer_year...) carried at most. */
#define PANEL_ROWS_MAX 60000
#define NAME_MAX_LEN 64

typedef struct ctx {
    sqlite3 *db;
    lm_error *err;
    bool oom;
} ctx;

/* ---- small helpers ---- */

static cJSON *add(ctx *c, cJSON *parent, const char *key, cJSON *item)
{
    if (!item) {
        c->oom = true;
        return NULL;
    }
    const cJSON_bool ok = key ? cJSON_AddItemToObject(parent, key, item)
                              : cJSON_AddItemToArray(parent, item);
    if (!ok) {
        cJSON_Delete(item);
        c->oom = true;
        return NULL;
    }
    return item;
}

static cJSON *num(double v) { return isfinite(v) ? cJSON_CreateNumber(v) : cJSON_CreateNull(); }
static cJSON *str(const char *s) { return s ? cJSON_CreateString(s) : cJSON_CreateNull(); }

static lm_status db_fail(ctx *c, const char *what)
{
    return lm_error_set(c->err, LM_EDB, __FILE__, __LINE__, "report: %s: %s", what,
                        sqlite3_errmsg(c->db));
}

static bool table_exists(ctx *c, const char *name)
{
    sqlite3_stmt *st = NULL;
    bool found = false;
    if (sqlite3_prepare_v2(c->db, "SELECT 1 FROM sqlite_master WHERE type IN ('table','view') "
                                  "AND name = ?1", -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
        found = sqlite3_step(st) == SQLITE_ROW;
    }
    sqlite3_finalize(st);
    return found;
}

/* Names are taken from the database and put into SQL: only plain identifiers are used. */
static bool plain_identifier(const char *s)
{
    if (!s || !*s || strlen(s) >= NAME_MAX_LEN)
        return false;
    for (const char *p = s; *p; ++p)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '_' ||
              (p != s && *p >= '0' && *p <= '9')))
            return false;
    return true;
}

typedef struct column {
    char name[NAME_MAX_LEN];
    char type[16]; /* INTEGER, REAL, TEXT, or what was declared */
} column;

/* The columns of table (plain identifiers only). New array in *cols (free()); count returned,
 * -1 on error. */
static int table_columns(ctx *c, const char *table, column **cols)
{
    *cols = NULL;
    if (!plain_identifier(table))
        return 0;
    char sql[128];
    snprintf(sql, sizeof sql, "PRAGMA table_info(%s)", table);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(c->db, sql, -1, &st, NULL) != SQLITE_OK)
        return -1;
    int n = 0, cap = 0;
    column *v = NULL;
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 1);
        const char *type = (const char *)sqlite3_column_text(st, 2);
        if (!plain_identifier(name))
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 32;
            column *grown = realloc(v, (size_t)cap * sizeof *grown);
            if (!grown) {
                free(v);
                sqlite3_finalize(st);
                c->oom = true;
                return -1;
            }
            v = grown;
        }
        snprintf(v[n].name, sizeof v[n].name, "%s", name);
        snprintf(v[n].type, sizeof v[n].type, "%s", type ? type : "");
        ++n;
    }
    sqlite3_finalize(st);
    *cols = v;
    return n;
}

static int find_column(const column *cols, int n, const char *name)
{
    for (int i = 0; i < n; ++i)
        if (strcmp(cols[i].name, name) == 0)
            return i;
    return -1;
}

static bool is_numeric_type(const char *t)
{
    return strstr(t, "INT") || strstr(t, "REAL") || strstr(t, "FLOA") || strstr(t, "DOUB") ||
           strstr(t, "NUM");
}

static bool ends_with(const char *s, const char *suffix)
{
    const size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* One result cell as JSON. */
static cJSON *cell(sqlite3_stmt *st, int i)
{
    switch (sqlite3_column_type(st, i)) {
    case SQLITE_INTEGER:
        return cJSON_CreateNumber((double)sqlite3_column_int64(st, i));
    case SQLITE_FLOAT:
        return num(sqlite3_column_double(st, i));
    case SQLITE_TEXT:
        return cJSON_CreateString((const char *)sqlite3_column_text(st, i));
    case SQLITE_BLOB:
        return cJSON_CreateString("(binary)");
    default:
        return cJSON_CreateNull();
    }
}

/* Runs sql (with run_id bound to ?1 when run_id > 0) and adds {"columns": [...], "rows":
 * [[...]...]} to obj. At most max_rows rows. */
static lm_status add_query(ctx *c, cJSON *obj, const char *sql, int64_t run_id, int max_rows)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(c->db, sql, -1, &st, NULL) != SQLITE_OK)
        return db_fail(c, "preparing a query");
    if (run_id > 0)
        sqlite3_bind_int64(st, 1, run_id);
    const int nc = sqlite3_column_count(st);
    cJSON *cols = add(c, obj, "columns", cJSON_CreateArray());
    for (int i = 0; cols && i < nc; ++i)
        add(c, cols, NULL, str(sqlite3_column_name(st, i)));
    cJSON *rows = add(c, obj, "rows", cJSON_CreateArray());
    int n = 0, rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && rows && n < max_rows) {
        cJSON *row = add(c, rows, NULL, cJSON_CreateArray());
        for (int i = 0; row && i < nc; ++i)
            add(c, row, NULL, cell(st, i));
        ++n;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return db_fail(c, "reading a query");
    return LM_OK;
}

static int64_t count_rows(ctx *c, const char *table)
{
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM %.63s", table);
    sqlite3_stmt *st = NULL;
    int64_t n = -1;
    if (sqlite3_prepare_v2(c->db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

/* ---- runs and arms ---- */

typedef struct runs {
    int n;
    int64_t *id;   /* run_id, in order */
    int *arm;      /* arm index of each run */
    int n_arms;
    int *arm_size; /* runs per arm */
    int *arm_first; /* index (into id) of each arm's first run */
} runs;

static void runs_free(runs *r)
{
    free(r->id);
    free(r->arm);
    free(r->arm_size);
    free(r->arm_first);
    memset(r, 0, sizeof *r);
}

static lm_status read_runs(ctx *c, cJSON *root, runs *r)
{
    column *cols = NULL;
    const int nc = table_columns(c, "run", &cols);
    if (nc < 0)
        return c->oom ? lm_error_set(c->err, LM_ENOMEM, __FILE__, __LINE__, "report: runs")
                      : db_fail(c, "reading the run table");
    /* Every column but the scenario text (long; it is in the database). */
    char sql[2048] = "SELECT ";
    size_t len = strlen(sql);
    const char *arm_col = NULL;
    static const char *const arm_names[] = {"arm", "variant", "label"};
    for (size_t k = 0; k < sizeof arm_names / sizeof arm_names[0] && !arm_col; ++k)
        if (find_column(cols, nc, arm_names[k]) >= 0)
            arm_col = arm_names[k];
    for (int i = 0; i < nc; ++i) {
        if (strcmp(cols[i].name, "scenario_yaml") == 0)
            continue;
        len += (size_t)snprintf(sql + len, sizeof sql - len, "%s%s", len > 7 ? ", " : "",
                                cols[i].name);
    }
    free(cols);
    if (len >= sizeof sql - 64)
        return lm_error_set(c->err, LM_EDB, __FILE__, __LINE__, "report: run table too wide");
    snprintf(sql + len, sizeof sql - len, ", coalesce(%s, scenario) AS arm_ FROM run ORDER BY run_id",
             arm_col ? arm_col : "NULL");

    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(c->db, sql, -1, &st, NULL) != SQLITE_OK)
        return db_fail(c, "reading the run table");
    cJSON *arr = add(c, root, "runs", cJSON_CreateArray());
    cJSON *arms = add(c, root, "arms", cJSON_CreateArray());
    const int ncol = sqlite3_column_count(st);
    int cap = 0, rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (r->n == cap) {
            cap = cap ? 2 * cap : 16;
            int64_t *id = realloc(r->id, (size_t)cap * sizeof *id);
            if (id)
                r->id = id;
            int *arm = realloc(r->arm, (size_t)cap * sizeof *arm);
            if (arm)
                r->arm = arm;
            int *size = realloc(r->arm_size, (size_t)cap * sizeof *size);
            if (size)
                r->arm_size = size;
            int *first = realloc(r->arm_first, (size_t)cap * sizeof *first);
            if (first)
                r->arm_first = first;
            if (!id || !arm || !size || !first) {
                sqlite3_finalize(st);
                return lm_error_set(c->err, LM_ENOMEM, __FILE__, __LINE__, "report: runs");
            }
        }
        cJSON *obj = add(c, arr, NULL, cJSON_CreateObject());
        for (int i = 0; obj && i < ncol - 1; ++i)
            add(c, obj, sqlite3_column_name(st, i), cell(st, i));
        const char *arm_name = (const char *)sqlite3_column_text(st, ncol - 1);
        if (!arm_name)
            arm_name = "";
        if (obj)
            add(c, obj, "arm", str(arm_name));
        r->id[r->n] = sqlite3_column_int64(st, 0);
        /* Arms in order of first appearance: the baseline is the first run's. */
        int a = 0;
        cJSON *it = NULL;
        cJSON_ArrayForEach(it, arms)
        {
            const cJSON *name = cJSON_GetObjectItemCaseSensitive(it, "name");
            if (cJSON_IsString(name) && strcmp(name->valuestring, arm_name) == 0)
                break;
            ++a;
        }
        if (a == r->n_arms) {
            cJSON *arm_obj = add(c, arms, NULL, cJSON_CreateObject());
            if (arm_obj) {
                add(c, arm_obj, "name", str(arm_name));
                add(c, arm_obj, "run_ids", cJSON_CreateArray());
            }
            r->arm_size[a] = 0;
            r->arm_first[a] = r->n;
            ++r->n_arms;
        }
        cJSON *ids = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(arms, a), "run_ids");
        if (ids)
            add(c, ids, NULL, cJSON_CreateNumber((double)r->id[r->n]));
        r->arm[r->n] = a;
        ++r->arm_size[a];
        ++r->n;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return db_fail(c, "reading the run table");
    if (r->n == 0)
        return lm_error_set(c->err, LM_EINVAL, __FILE__, __LINE__,
                            "report: the database holds no run (the run table is empty)");
    bool reps = false;
    for (int a = 0; a < r->n_arms; ++a)
        reps = reps || r->arm_size[a] > 1;
    add(c, root, "mode", str(r->n_arms > 1 ? "compare" : reps ? "replications" : "single"));
    return LM_OK;
}

/* ---- regions, sectors ---- */

static lm_status read_names(ctx *c, cJSON *root, const runs *r, int *n_regions)
{
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT region_id AS id, name, name_en, province FROM region WHERE run_id = ?1 "
             "ORDER BY region_id");
    cJSON *tmp = cJSON_CreateObject();
    if (!tmp)
        return lm_error_set(c->err, LM_ENOMEM, __FILE__, __LINE__, "report: regions");
    lm_status st = add_query(c, tmp, sql, r->id[0], 100000);
    /* As objects: {id, name, name_en, province}. */
    cJSON *regions = add(c, root, "regions", cJSON_CreateArray());
    const cJSON *row = NULL;
    *n_regions = 0;
    cJSON_ArrayForEach(row, cJSON_GetObjectItemCaseSensitive(tmp, "rows"))
    {
        cJSON *obj = add(c, regions, NULL, cJSON_CreateObject());
        static const char *const keys[] = {"id", "name", "name_en", "province"};
        for (int i = 0; obj && i < 4; ++i)
            add(c, obj, keys[i], cJSON_Duplicate(cJSON_GetArrayItem(row, i), 1));
        ++*n_regions;
    }
    cJSON_Delete(tmp);
    if (st != LM_OK)
        return st;

    if (table_exists(c, "sector")) {
        cJSON *sec = add(c, root, "sectors", cJSON_CreateObject());
        if (sec)
            st = add_query(c, sec,
                           "SELECT sector_id, id, name FROM sector WHERE run_id = ?1 "
                           "ORDER BY sector_id",
                           r->id[0], 100000);
    }
    return st;
}

/* ---- region_year: every numeric column, per arm, region and year ---- */

static int cmp_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double lm__quantile_sorted(const double *v, size_t n, double q)
{
    if (n == 1)
        return v[0];
    const double h = (double)(n - 1) * q;
    const size_t lo = (size_t)floor(h);
    if (lo + 1 >= n)
        return v[n - 1];
    return v[lo] + (h - (double)lo) * (v[lo + 1] - v[lo]);
}

/* Key columns and text columns are not series. */
static bool series_column(const column *col)
{
    static const char *const skip[] = {"run_id", "region_id", "year", "region", "months"};
    for (size_t i = 0; i < sizeof skip / sizeof skip[0]; ++i)
        if (strcmp(col->name, skip[i]) == 0)
            return false;
    return is_numeric_type(col->type);
}

typedef struct panel {
    int n_cols, n_regions, n_years, n_runs;
    int first_year;
    double *v; /* [col][region][year][run], NAN = missing */
} panel;

static double *cell_at(panel *p, int col, int region, int year, int run)
{
    return &p->v[(((size_t)col * (size_t)p->n_regions + (size_t)region) * (size_t)p->n_years +
                  (size_t)year) *
                     (size_t)p->n_runs +
                 (size_t)run];
}

/* values[col] = [[region 0's years], [region 1's years], ...] for one statistic. */
static cJSON *panel_stat(ctx *c, panel *p, const char *const *names, int arm, const runs *r,
                         double q, double *scratch)
{
    cJSON *out = cJSON_CreateObject();
    if (!out) {
        c->oom = true;
        return NULL;
    }
    for (int k = 0; k < p->n_cols; ++k) {
        cJSON *per_region = add(c, out, names[k], cJSON_CreateArray());
        for (int g = 0; per_region && g < p->n_regions; ++g) {
            cJSON *years = add(c, per_region, NULL, cJSON_CreateArray());
            for (int y = 0; years && y < p->n_years; ++y) {
                size_t m = 0;
                for (int i = 0; i < r->n; ++i)
                    if (r->arm[i] == arm) {
                        const double v = *cell_at(p, k, g, y, i);
                        if (!isnan(v))
                            scratch[m++] = v;
                    }
                if (m == 0) {
                    add(c, years, NULL, cJSON_CreateNull());
                    continue;
                }
                qsort(scratch, m, sizeof *scratch, cmp_double);
                add(c, years, NULL, num(lm__quantile_sorted(scratch, m, q)));
            }
        }
    }
    return out;
}

/* Label and unit of the columns longmen writes today; others are named by the page. */
static void describe(ctx *c, cJSON *obj, const char *name)
{
    static const struct {
        const char *name, *label, *unit;
    } known[] = {
        {"births", "births", "firms"},
        {"births_platform", "births by platform alumni", "firms"},
        {"births_spinout", "births by academic spin-outs", "firms"},
        {"births_serial", "births by serial founders", "firms"},
        {"births_returnee", "births by returnees", "firms"},
        {"births_other", "births by other founders", "firms"},
        {"births_nonlocal", "births by non-local founders", "firms"},
        {"deaths", "deaths", "firms"},
        {"dragons_new", "firms first certified a little dragon in the year", "firms"},
        {"dragons_certified", "dragons: firms first certified a little dragon up to the year",
         "firms"},
        {"alive", "firms alive", "firms"},
        {"launched", "products launched", "products"},
        {"with_product", "firms with a product", "firms"},
        {"breakthroughs", "R&D breakthroughs", "events"},
        {"headcount", "employees of alive firms", "people"},
        {"revenue_cny", "revenue", "CNY"},
        {"rd_spend_cny", "R&D spending", "CNY"},
        {"payroll_cny", "wages paid", "CNY"},
        {"compute_cny", "compute bought", "CNY"},
        {"rent_cny", "rent paid", "CNY"},
        {"subsidies_cny", "subsidies paid", "CNY"},
        {"taxes_cny", "taxes paid", "CNY"},
        {"policy_budget_cny", "policy budgets left", "CNY"},
        {"knowledge", "knowledge stock", "index"},
        {"compute_index", "compute availability", "0..1"},
        {"founders_nonlocal_share", "share of non-local founders", "share"},
        {"mean_visibility", "mean visibility", "index"},
        {"max_revenue_cny_month", "largest monthly revenue of a firm", "CNY/month"},
    };
    for (size_t i = 0; i < sizeof known / sizeof known[0]; ++i)
        if (strcmp(known[i].name, name) == 0) {
            add(c, obj, "label", str(known[i].label));
            add(c, obj, "unit", str(known[i].unit));
            return;
        }
    char label[NAME_MAX_LEN];
    snprintf(label, sizeof label, "%s", name);
    for (char *p = label; *p; ++p)
        if (*p == '_')
            *p = ' ';
    add(c, obj, "label", str(label));
    const char *unit = ends_with(name, "_cny")         ? "CNY"
                       : ends_with(name, "_cny_month") ? "CNY/month"
                       : ends_with(name, "_share") || strstr(name, "ratio") ? "share"
                                                                            : "";
    add(c, obj, "unit", str(unit));
}

static lm_status read_region_year(ctx *c, cJSON *root, const runs *r, int n_regions)
{
    column *cols = NULL;
    const int nc = table_columns(c, "region_year", &cols);
    if (nc <= 0) {
        free(cols);
        return nc < 0 ? db_fail(c, "reading region_year's columns")
                      : lm_error_set(c->err, LM_EINVAL, __FILE__, __LINE__,
                                     "report: the database has no region_year table");
    }
    /* one more than the table's: the dragons first certified up to each year (below) */
    int *series = malloc((size_t)(nc + 1) * sizeof *series);
    const char **names = malloc((size_t)(nc + 1) * sizeof *names);
    char *sql = malloc((size_t)nc * (NAME_MAX_LEN + 2) + 128);
    panel p = {.n_regions = n_regions > 0 ? n_regions : 1, .n_runs = r->n};
    lm_status st = LM_OK;
    sqlite3_stmt *q = NULL;
    double *scratch = NULL;
    if (!series || !sql || !names) {
        st = lm_error_set(c->err, LM_ENOMEM, __FILE__, __LINE__, "report: region_year");
        goto done;
    }
    size_t len = (size_t)sprintf(sql, "SELECT run_id, region_id, year");
    for (int i = 0; i < nc; ++i)
        if (series_column(&cols[i])) {
            series[p.n_cols++] = i;
            len += (size_t)sprintf(sql + len, ", %s", cols[i].name);
        }
    sprintf(sql + len, " FROM region_year ORDER BY run_id, region_id, year");
    int new_dragons = -1;
    for (int k = 0; k < p.n_cols; ++k) {
        names[k] = cols[series[k]].name;
        if (strcmp(names[k], "dragons_new") == 0)
            new_dragons = k;
    }
    /* Dragons have one definition in every table and figure: the firms first certified a
     * little dragon up to the year (run's and compare's tables count them over the run, the
     * last year of this series), not those holding the title at the year's end. */
    const int n_read = p.n_cols;
    if (new_dragons >= 0)
        names[p.n_cols++] = "dragons_certified";

    /* Years: the union over runs. */
    int last_year = 0;
    if (sqlite3_prepare_v2(c->db, "SELECT min(year), max(year) FROM region_year", -1, &q, NULL) !=
            SQLITE_OK ||
        sqlite3_step(q) != SQLITE_ROW) {
        st = db_fail(c, "reading region_year's years");
        goto done;
    }
    p.first_year = sqlite3_column_int(q, 0);
    last_year = sqlite3_column_int(q, 1);
    const bool empty = sqlite3_column_type(q, 0) == SQLITE_NULL;
    sqlite3_finalize(q);
    q = NULL;
    p.n_years = empty ? 0 : last_year - p.first_year + 1;
    if (p.n_years < 0 || p.n_years > 10000) {
        st = lm_error_set(c->err, LM_EINVAL, __FILE__, __LINE__, "report: region_year spans "
                                                                 "%d years", p.n_years);
        goto done;
    }
    const size_t cells = (size_t)(p.n_cols ? p.n_cols : 1) * (size_t)p.n_regions *
                         (size_t)(p.n_years ? p.n_years : 1) * (size_t)p.n_runs;
    p.v = malloc(cells * sizeof *p.v);
    scratch = malloc((size_t)p.n_runs * sizeof *scratch);
    if (!p.v || !scratch) {
        st = lm_error_set(c->err, LM_ENOMEM, __FILE__, __LINE__, "report: region_year");
        goto done;
    }
    for (size_t i = 0; i < cells; ++i)
        p.v[i] = NAN;

    if (sqlite3_prepare_v2(c->db, sql, -1, &q, NULL) != SQLITE_OK) {
        st = db_fail(c, "reading region_year");
        goto done;
    }
    int run_index = 0, rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        const int64_t run_id = sqlite3_column_int64(q, 0);
        while (run_index < r->n && r->id[run_index] != run_id)
            ++run_index; /* rows come ordered by run_id, as the runs do */
        if (run_index == r->n)
            break;
        const int g = sqlite3_column_int(q, 1), y = sqlite3_column_int(q, 2) - p.first_year;
        if (g < 0 || g >= p.n_regions || y < 0 || y >= p.n_years)
            continue;
        for (int k = 0; k < n_read; ++k)
            if (sqlite3_column_type(q, 3 + k) != SQLITE_NULL)
                *cell_at(&p, k, g, y, run_index) = sqlite3_column_double(q, 3 + k);
    }
    sqlite3_finalize(q);
    q = NULL;
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        st = db_fail(c, "reading region_year");
        goto done;
    }

    if (new_dragons >= 0) /* the running sum of each run and region (a missing year adds 0) */
        for (int i = 0; i < p.n_runs; ++i)
            for (int g = 0; g < p.n_regions; ++g) {
                double total = 0;
                for (int y = 0; y < p.n_years; ++y) {
                    const double v = *cell_at(&p, new_dragons, g, y, i);
                    total += isnan(v) ? 0 : v;
                    *cell_at(&p, p.n_cols - 1, g, y, i) = isnan(v) ? NAN : total;
                }
            }

    cJSON *years = add(c, root, "years", cJSON_CreateArray());
    for (int y = 0; years && y < p.n_years; ++y)
        add(c, years, NULL, cJSON_CreateNumber(p.first_year + y));
    cJSON *ry = add(c, root, "region_year", cJSON_CreateObject());
    cJSON *col_arr = ry ? add(c, ry, "columns", cJSON_CreateArray()) : NULL;
    for (int k = 0; col_arr && k < p.n_cols; ++k) {
        cJSON *obj = add(c, col_arr, NULL, cJSON_CreateObject());
        if (!obj)
            break;
        add(c, obj, "name", str(names[k]));
        describe(c, obj, names[k]);
    }
    cJSON *arms = ry ? add(c, ry, "arms", cJSON_CreateArray()) : NULL;
    for (int a = 0; arms && a < r->n_arms; ++a) {
        cJSON *arm = add(c, arms, NULL, cJSON_CreateObject());
        if (!arm)
            break;
        add(c, arm, "runs", cJSON_CreateNumber(r->arm_size[a]));
        /* One run: its values. Several: the median, and the 90% interval as lo/hi. */
        add(c, arm, "values", panel_stat(c, &p, names, a, r, 0.5, scratch));
        if (r->arm_size[a] > 1) {
            add(c, arm, "lo", panel_stat(c, &p, names, a, r, 0.05, scratch));
            add(c, arm, "hi", panel_stat(c, &p, names, a, r, 0.95, scratch));
        }
    }
done:
    sqlite3_finalize(q);
    free(scratch);
    free(p.v);
    free(sql);
    free(names);
    free(series);
    free(cols);
    return st;
}

/* ---- sections made from the firm table ---- */

static cJSON *section(ctx *c, cJSON *sections, const char *id)
{
    cJSON *s = add(c, sections, id, cJSON_CreateObject());
    if (s)
        add(c, s, "present", cJSON_CreateFalse());
    return s;
}

static void present(ctx *c, cJSON *s, const char *source)
{
    cJSON_ReplaceItemInObjectCaseSensitive(s, "present", cJSON_CreateTrue());
    add(c, s, "source", str(source));
}

static void missing(ctx *c, cJSON *s, const char *needs)
{
    add(c, s, "note", str("not in this run's database yet"));
    add(c, s, "needs", str(needs));
}

/* A brief run (run.detail = 0, longmen.h lm_run_info.brief) keeps the rows of notable firms
 * only, which would draw a false picture of all firms. Databases without the column have
 * every row. */
static bool run_is_brief(ctx *c, int64_t run_id)
{
    sqlite3_stmt *st = NULL;
    bool brief = false;
    if (sqlite3_prepare_v2(c->db, "SELECT detail FROM run WHERE run_id = ?1", -1, &st, NULL) ==
        SQLITE_OK) {
        sqlite3_bind_int64(st, 1, run_id);
        brief = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) == SQLITE_INTEGER &&
                sqlite3_column_int64(st, 0) == 0;
    }
    sqlite3_finalize(st);
    return brief;
}

/* Firms by (region, status) and by size class, counted in one scan of the run's firm rows:
 * the two GROUP BY queries below sort every firm row and cost more than all the rest of the
 * report. The counts give the rows those queries give, in their order (region_id, then
 * status by bytes, as SQLite's BINARY collation; size classes ascending), and a row they
 * cannot stand for (a region_id that is no small integer, a status that is no plain text,
 * too many statuses) or a failed step leaves tally.ok false, so the queries run instead. */
enum { TALLY_STATUSES = 16, TALLY_REGIONS = 4096, SIZE_CLASSES = 10 };

typedef struct firm_tally {
    bool ok;
    int n_regions; /* 1 + the largest region_id seen */
    int n_status;
    char *status[TALLY_STATUSES];
    int64_t *count; /* [region_id * TALLY_STATUSES + status index] */
    int64_t alive[SIZE_CLASSES], peak[SIZE_CLASSES];
} firm_tally;

static void tally_free(firm_tally *t)
{
    for (int k = 0; k < t->n_status; ++k)
        free(t->status[k]);
    free(t->count);
}

/* The class of SIZE_CLASS(x) below: a NULL, text or blob compares as no number under 1, so
 * it falls through every WHEN to class 9. */
static int size_class(sqlite3_stmt *st, int i)
{
    static const int bound[SIZE_CLASSES - 1] = {1, 2, 5, 10, 20, 50, 100, 250, 1000};
    const int type = sqlite3_column_type(st, i);
    int k = 0;
    if (type == SQLITE_INTEGER) {
        const sqlite3_int64 v = sqlite3_column_int64(st, i);
        while (k < SIZE_CLASSES - 1 && !(v < bound[k]))
            ++k;
        return k;
    }
    if (type == SQLITE_FLOAT) {
        const double v = sqlite3_column_double(st, i);
        while (k < SIZE_CLASSES - 1 && !(v < bound[k]))
            ++k;
        return k;
    }
    return SIZE_CLASSES - 1;
}

/* The index of status text s in t (added when new), -1 when there are too many. */
static int tally_status(firm_tally *t, const char *s)
{
    for (int k = 0; k < t->n_status; ++k)
        if (strcmp(t->status[k], s) == 0)
            return k;
    if (t->n_status == TALLY_STATUSES)
        return -1;
    const size_t n = strlen(s) + 1;
    char *copy = malloc(n);
    if (!copy)
        return -1;
    memcpy(copy, s, n);
    t->status[t->n_status] = copy;
    return t->n_status++;
}

/* The counts of run_id's firms. With one run in the database every firm row is the run's, and
 * reading the table straight through costs a third less than looking each row up from the
 * firm_region index, which SQLite would choose. */
static void tally_firms(ctx *c, int64_t run_id, bool one_run, bool sizes, firm_tally *t)
{
    memset(t, 0, sizeof *t);
    t->count = calloc((size_t)TALLY_REGIONS * TALLY_STATUSES, sizeof *t->count);
    sqlite3_stmt *st = NULL;
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT region_id, status%s FROM firm%s WHERE run_id = ?1",
             sizes ? ", headcount, peak_headcount" : "", one_run ? " NOT INDEXED" : "");
    if (!t->count || sqlite3_prepare_v2(c->db, sql, -1, &st, NULL) != SQLITE_OK) {
        sqlite3_finalize(st);
        return;
    }
    if (run_id > 0)
        sqlite3_bind_int64(st, 1, run_id);
    bool ok = true;
    int rc;
    while (ok && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        /* Types first: reading a value as another type converts it. */
        ok = sqlite3_column_type(st, 0) == SQLITE_INTEGER &&
             sqlite3_column_type(st, 1) == SQLITE_TEXT;
        const sqlite3_int64 region = ok ? sqlite3_column_int64(st, 0) : -1;
        const char *status = ok ? (const char *)sqlite3_column_text(st, 1) : NULL;
        ok = ok && region >= 0 && region < TALLY_REGIONS && status &&
             strlen(status) == (size_t)sqlite3_column_bytes(st, 1);
        const int k = ok ? tally_status(t, status) : -1;
        ok = k >= 0;
        if (!ok)
            break;
        if (region >= t->n_regions)
            t->n_regions = (int)region + 1;
        t->count[region * TALLY_STATUSES + k] += 1;
        if (sizes) {
            if (strcmp(status, "alive") == 0)
                t->alive[size_class(st, 2)] += 1;
            t->peak[size_class(st, 3)] += 1;
        }
    }
    t->ok = ok && rc == SQLITE_DONE;
    sqlite3_finalize(st);
}

static int by_text(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* {"columns": [...], "rows": [[...]...]} of the status query, from the counts. */
static void tally_status_rows(ctx *c, cJSON *obj, const firm_tally *t)
{
    static const char *const names[] = {"region_id", "status", "firms"};
    cJSON *cols = add(c, obj, "columns", cJSON_CreateArray());
    for (size_t i = 0; cols && i < sizeof names / sizeof names[0]; ++i)
        add(c, cols, NULL, str(names[i]));
    cJSON *rows = add(c, obj, "rows", cJSON_CreateArray());
    const char *sorted[TALLY_STATUSES];
    for (int k = 0; k < t->n_status; ++k)
        sorted[k] = t->status[k];
    qsort(sorted, (size_t)t->n_status, sizeof sorted[0], by_text);
    int n = 0;
    for (int r = 0; rows && r < t->n_regions; ++r)
        for (int j = 0; j < t->n_status && n < 100000; ++j) {
            int k = 0;
            while (t->status[k] != sorted[j])
                ++k;
            const int64_t v = t->count[r * TALLY_STATUSES + k];
            if (v == 0)
                continue;
            cJSON *row = add(c, rows, NULL, cJSON_CreateArray());
            if (row) {
                add(c, row, NULL, cJSON_CreateNumber((double)r));
                add(c, row, NULL, cJSON_CreateString(sorted[j]));
                add(c, row, NULL, cJSON_CreateNumber((double)v));
            }
            ++n;
        }
}

/* The same of the size query. */
static void tally_size_rows(ctx *c, cJSON *obj, const firm_tally *t)
{
    static const char *const names[] = {"class", "alive_now", "all_at_peak"};
    cJSON *cols = add(c, obj, "columns", cJSON_CreateArray());
    for (size_t i = 0; cols && i < sizeof names / sizeof names[0]; ++i)
        add(c, cols, NULL, str(names[i]));
    cJSON *rows = add(c, obj, "rows", cJSON_CreateArray());
    for (int k = 0; rows && k < SIZE_CLASSES; ++k) {
        if (t->alive[k] == 0 && t->peak[k] == 0)
            continue;
        cJSON *row = add(c, rows, NULL, cJSON_CreateArray());
        if (row) {
            add(c, row, NULL, cJSON_CreateNumber((double)k));
            add(c, row, NULL, cJSON_CreateNumber((double)t->alive[k]));
            add(c, row, NULL, cJSON_CreateNumber((double)t->peak[k]));
        }
    }
}

/* Firms by status and by size, per region, for each arm's first run. */
static lm_status firm_sections(ctx *c, cJSON *sections, const runs *r, const column *fc, int nf)
{
    cJSON *status = section(c, sections, "firm_status");
    cJSON *size = section(c, sections, "firm_size");
    if (!status || !size)
        return LM_OK;
    if (r->n > 0 && run_is_brief(c, r->id[0])) {
        missing(c, status, "a firm row for every firm (this run is brief: run.detail = 0)");
        missing(c, size, "a firm row for every firm (this run is brief: run.detail = 0)");
        return LM_OK;
    }
    if (nf <= 0 || find_column(fc, nf, "status") < 0 || find_column(fc, nf, "region_id") < 0) {
        missing(c, status, "firm.status");
        missing(c, size, "firm.headcount, firm.peak_headcount");
        return LM_OK;
    }
    const bool sizes =
        find_column(fc, nf, "peak_headcount") >= 0 && find_column(fc, nf, "headcount") >= 0;
    firm_tally tally;
    tally_firms(c, r->id[0], r->n == 1, sizes, &tally);
    present(c, status, "firm");
    lm_status st = LM_OK;
    if (tally.ok)
        tally_status_rows(c, status, &tally);
    else
        st = add_query(c, status,
                       "SELECT region_id, status, count(*) AS firms FROM firm "
                       "WHERE run_id = ?1 GROUP BY region_id, status ORDER BY region_id, status",
                       r->id[0], 100000);
    if (st != LM_OK || !sizes) {
        if (st == LM_OK)
            missing(c, size, "firm.headcount, firm.peak_headcount");
        tally_free(&tally);
        return st;
    }
    present(c, size, "firm");
    /* Size classes of employees: alive firms now, and every firm at its peak. */
    cJSON *labels = add(c, size, "labels", cJSON_CreateArray());
    static const char *const names[] = {"0", "1", "2-4", "5-9", "10-19", "20-49", "50-99",
                                        "100-249", "250-999", "1000+"};
    for (size_t i = 0; labels && i < sizeof names / sizeof names[0]; ++i)
        add(c, labels, NULL, str(names[i]));
#define SIZE_CLASS(x)                                                                          \
    "CASE WHEN " x " < 1 THEN 0 WHEN " x " < 2 THEN 1 WHEN " x " < 5 THEN 2 WHEN " x " < 10 "  \
    "THEN 3 WHEN " x " < 20 THEN 4 WHEN " x " < 50 THEN 5 WHEN " x " < 100 THEN 6 WHEN " x     \
    " < 250 THEN 7 WHEN " x " < 1000 THEN 8 ELSE 9 END"
    if (tally.ok)
        tally_size_rows(c, size, &tally);
    else
        st = add_query(c, size,
                       "SELECT class, sum(now) AS alive_now, sum(peak) AS all_at_peak FROM ("
                       "SELECT " SIZE_CLASS("headcount") " AS class, 1 AS now, 0 AS peak FROM firm "
                       "WHERE run_id = ?1 AND status = 'alive' UNION ALL "
                       "SELECT " SIZE_CLASS("peak_headcount") " AS class, 0, 1 FROM firm "
                       "WHERE run_id = ?1) GROUP BY class ORDER BY class",
                       r->id[0], 100);
#undef SIZE_CLASS
    tally_free(&tally);
    return st;
}

/* Dragons: a table of their own, a dragon column of firm, or the tier bits of firm. */
static lm_status dragons(ctx *c, cJSON *sections, const runs *r, const column *fc, int nf)
{
    cJSON *s = section(c, sections, "dragons");
    if (!s)
        return LM_OK;
    const char *firm_fields =
        "f.firm_id, f.region, coalesce(s.name, f.sector) AS sector, f.business_model, "
        "CAST(substr(f.founded_month, 1, 4) AS INTEGER) AS founded, f.founder_origin, "
        "f.founder_source, f.status, f.peak_revenue_cny_month";
    char sql[2048];
    const char *source = NULL;
    /* 1: a dragon table (any table whose name says so and that names firms). */
    sqlite3_stmt *q = NULL;
    char table[NAME_MAX_LEN] = "";
    if (sqlite3_prepare_v2(c->db, "SELECT name FROM sqlite_master WHERE type = 'table' AND "
                                  "name LIKE '%dragon%' ORDER BY length(name), name",
                           -1, &q, NULL) == SQLITE_OK &&
        sqlite3_step(q) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(q, 0);
        if (plain_identifier(name))
            snprintf(table, sizeof table, "%s", name);
    }
    sqlite3_finalize(q);
    column *dc = NULL;
    const int nd = table[0] ? table_columns(c, table, &dc) : 0;
    if (nd > 0 && nf > 0 && find_column(dc, nd, "firm_id") >= 0 &&
        find_column(dc, nd, "run_id") >= 0) {
        /* The dragon table's own columns after the firm's, without repeating the keys. */
        size_t len = (size_t)snprintf(sql, sizeof sql, "SELECT %s", firm_fields);
        for (int i = 0; i < nd; ++i) {
            if (strcmp(dc[i].name, "run_id") == 0 || strcmp(dc[i].name, "firm_id") == 0 ||
                find_column(fc, nf, dc[i].name) >= 0 || strcmp(dc[i].name, "founded") == 0 ||
                strcmp(dc[i].name, "founded_year") == 0)
                continue;
            len += (size_t)snprintf(sql + len, sizeof sql - len, ", d.%s", dc[i].name);
        }
        snprintf(sql + len, sizeof sql - len,
                 " FROM %s d JOIN firm f ON f.run_id = d.run_id AND f.firm_id = d.firm_id "
                 "LEFT JOIN sector s ON s.run_id = f.run_id AND s.id = f.sector "
                 "WHERE d.run_id = ?1 ORDER BY %sfounded, f.firm_id",
                 table, find_column(dc, nd, "dragon_year") >= 0 ? "d.dragon_year, " : "");
        source = table;
    } else if (nd > 0 && find_column(dc, nd, "run_id") >= 0) {
        snprintf(sql, sizeof sql, "SELECT * FROM %s WHERE run_id = ?1", table);
        source = table;
    }
    free(dc);
    /* 2: a column of firm that marks dragons (dragon, is_dragon, dragon_month...). */
    for (int i = 0; !source && i < nf; ++i)
        if (strstr(fc[i].name, "dragon")) {
            snprintf(sql, sizeof sql,
                     "SELECT %s, f.%s FROM firm f LEFT JOIN sector s ON s.run_id = f.run_id AND "
                     "s.id = f.sector WHERE f.run_id = ?1 AND f.%s IS NOT NULL AND f.%s NOT IN "
                     "(0, '', 'no', 'false') ORDER BY founded, f.firm_id",
                     firm_fields, fc[i].name, fc[i].name, fc[i].name);
            source = "firm";
        }
    /* 3: the firm's tier set as bits (results.h: LM_TIER_DRAGON) or as words. */
    for (int i = 0; !source && i < nf; ++i)
        if (strcmp(fc[i].name, "tiers") == 0 || strcmp(fc[i].name, "tier") == 0) {
            snprintf(sql, sizeof sql,
                     "SELECT %s, f.%s FROM firm f LEFT JOIN sector s ON s.run_id = f.run_id AND "
                     "s.id = f.sector WHERE f.run_id = ?1 AND (typeof(f.%s) = 'integer' AND "
                     "(f.%s & %d) != 0 OR typeof(f.%s) = 'text' AND f.%s LIKE '%%dragon%%') "
                     "ORDER BY founded, f.firm_id",
                     firm_fields, fc[i].name, fc[i].name, fc[i].name, (int)LM_TIER_DRAGON,
                     fc[i].name, fc[i].name);
            source = "firm";
        }
    if (!source) {
        missing(c, s, "a dragon table, or a firm column that marks dragons");
        return LM_OK;
    }
    present(c, s, source);
    return add_query(c, s, sql, r->id[0], DRAGONS_MAX);
}

/* ---- every other table: raw when small, summed by year and category when large ---- */

static bool core_table(const char *name)
{
    static const char *const core[] = {"schema", "run", "region", "sector", "region_year", "firm"};
    for (size_t i = 0; i < sizeof core / sizeof core[0]; ++i)
        if (strcmp(core[i], name) == 0)
            return true;
    return strncmp(name, "sqlite_", 7) == 0;
}

static int64_t distinct_count(ctx *c, const char *table, const char *col)
{
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM (SELECT DISTINCT %.63s FROM %.63s LIMIT %d)", col,
             table, CATEGORY_MAX + 1);
    sqlite3_stmt *q = NULL;
    int64_t n = -1;
    if (sqlite3_prepare_v2(c->db, sql, -1, &q, NULL) == SQLITE_OK && sqlite3_step(q) == SQLITE_ROW)
        n = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    return n;
}

static lm_status summarise_table(ctx *c, cJSON *obj, const char *table, const column *cols,
                                 int nc)
{
    /* The year: a year column, else the first month column ('YYYY-MM'). */
    char year_expr[NAME_MAX_LEN + 48] = "NULL";
    if (find_column(cols, nc, "year") >= 0)
        snprintf(year_expr, sizeof year_expr, "year");
    else
        for (int i = 0; i < nc; ++i)
            if (ends_with(cols[i].name, "month")) {
                snprintf(year_expr, sizeof year_expr, "CAST(substr(%s, 1, 4) AS INTEGER)",
                         cols[i].name);
                break;
            }
    int cat[32], n_cat = 0;
    int64_t distinct[32];
    for (int i = 0; i < nc && n_cat < 32; ++i) {
        if (is_numeric_type(cols[i].type) || ends_with(cols[i].name, "month") ||
            strcmp(cols[i].name, "run_id") == 0)
            continue;
        const int64_t d = distinct_count(c, table, cols[i].name);
        if (d > 0 && d <= CATEGORY_MAX) {
            distinct[n_cat] = d;
            cat[n_cat++] = i;
        }
    }
    /* Fit the groups: drop the category with the most values until they fit. */
    int64_t groups;
    for (;;) {
        groups = 64; /* years, at most */
        for (int k = 0; k < n_cat; ++k)
            groups *= distinct[k];
        if (groups <= SUMMARY_ROWS_MAX || n_cat == 0)
            break;
        int worst = 0;
        for (int k = 1; k < n_cat; ++k)
            if (distinct[k] > distinct[worst])
                worst = k;
        cat[worst] = cat[n_cat - 1];
        distinct[worst] = distinct[n_cat - 1];
        --n_cat;
    }
    char sql[4096];
    size_t len = (size_t)snprintf(sql, sizeof sql, "SELECT run_id, %s AS year", year_expr);
    char group[1024];
    size_t glen = (size_t)snprintf(group, sizeof group, "run_id, year");
    cJSON *by = add(c, obj, "group_by", cJSON_CreateArray());
    for (int k = 0; k < n_cat; ++k) {
        len += (size_t)snprintf(sql + len, sizeof sql - len, ", %s", cols[cat[k]].name);
        glen += (size_t)snprintf(group + glen, sizeof group - glen, ", %s", cols[cat[k]].name);
        if (by)
            add(c, by, NULL, str(cols[cat[k]].name));
    }
    len += (size_t)snprintf(sql + len, sizeof sql - len, ", count(*) AS n");
    cJSON *sums = add(c, obj, "sums", cJSON_CreateArray());
    for (int i = 0; i < nc && len < sizeof sql - 256; ++i)
        if (is_numeric_type(cols[i].type) && (ends_with(cols[i].name, "_cny") ||
                                              ends_with(cols[i].name, "_count"))) {
            len += (size_t)snprintf(sql + len, sizeof sql - len, ", sum(%s) AS %s", cols[i].name,
                                    cols[i].name);
            if (sums)
                add(c, sums, NULL, str(cols[i].name));
        }
    snprintf(sql + len, sizeof sql - len, " FROM %s GROUP BY %s ORDER BY %s", table, group, group);
    return add_query(c, obj, sql, 0, SUMMARY_ROWS_MAX);
}

/* The arm of a run as read_runs names it, as SQL over the run table aliased r_. */
static void arm_sql(ctx *c, char *buf, size_t size)
{
    column *cols = NULL;
    const int nc = table_columns(c, "run", &cols);
    const char *arm_col = NULL;
    static const char *const arm_names[] = {"arm", "variant", "label"};
    for (size_t k = 0; k < sizeof arm_names / sizeof arm_names[0] && !arm_col; ++k)
        if (nc > 0 && find_column(cols, nc, arm_names[k]) >= 0)
            arm_col = arm_names[k];
    snprintf(buf, size, "coalesce(%s%s, r_.scenario, '')", arm_col ? "r_." : "",
             arm_col ? arm_col : "NULL");
    free(cols);
}

/* A table per region and year over several runs: the mean of every numeric column per arm,
 * region, year (and text column), over the arm's replications, so that its charts split the
 * baseline from the counterfactual instead of showing one replication. {"columns": ["arm",
 * "runs", "region_id", "year", ...], "rows"} in obj.arm_means. */
static lm_status arm_means(ctx *c, cJSON *obj, const char *table, const column *cols, int nc)
{
    char arm[128];
    arm_sql(c, arm, sizeof arm);
    size_t cap = 512 + (size_t)nc * (2 * NAME_MAX_LEN + 32);
    char *sql = malloc(cap), *group = malloc(cap);
    if (!sql || !group) {
        free(sql);
        free(group);
        return lm_error_set(c->err, LM_ENOMEM, __FILE__, __LINE__, "report: arm means");
    }
    size_t len = (size_t)snprintf(sql, cap, "SELECT %s AS arm, count(*) AS runs, t_.region_id, "
                                            "t_.year", arm);
    size_t glen = (size_t)snprintf(group, cap, "1, t_.region_id, t_.year");
    for (int i = 0; i < nc; ++i) {
        const char *n = cols[i].name;
        if (strcmp(n, "run_id") == 0 || strcmp(n, "region_id") == 0 || strcmp(n, "year") == 0)
            continue;
        if (is_numeric_type(cols[i].type))
            len += (size_t)snprintf(sql + len, cap - len, ", avg(t_.%s) AS %s", n, n);
        else {
            len += (size_t)snprintf(sql + len, cap - len, ", t_.%s", n);
            glen += (size_t)snprintf(group + glen, cap - glen, ", t_.%s", n);
        }
    }
    snprintf(sql + len, cap - len,
             " FROM %s t_ JOIN run r_ ON r_.run_id = t_.run_id GROUP BY %s ORDER BY min(t_.run_id), "
             "t_.region_id, t_.year",
             table, group);
    cJSON *means = add(c, obj, "arm_means", cJSON_CreateObject());
    const lm_status st = means ? add_query(c, means, sql, 0, PANEL_ROWS_MAX) : LM_OK;
    free(sql);
    free(group);
    return st;
}

static lm_status other_tables(ctx *c, cJSON *root, const runs *r)
{
    /* "1, 7, 12": the first run of each arm, for the panel tables. */
    char first_runs[256] = "";
    size_t fl = 0;
    for (int a = 0; a < r->n_arms && fl < sizeof first_runs - 24; ++a)
        fl += (size_t)snprintf(first_runs + fl, sizeof first_runs - fl, "%s%lld", a ? ", " : "",
                               (long long)r->id[r->arm_first[a]]);
    cJSON *tables = add(c, root, "tables", cJSON_CreateObject());
    if (!tables)
        return LM_OK;
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(c->db, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name",
                           -1, &q, NULL) != SQLITE_OK)
        return db_fail(c, "listing tables");
    char names[256][NAME_MAX_LEN];
    int n = 0;
    while (n < 256 && sqlite3_step(q) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(q, 0);
        if (plain_identifier(name) && !core_table(name))
            snprintf(names[n++], NAME_MAX_LEN, "%s", name);
    }
    sqlite3_finalize(q);
    lm_status st = LM_OK;
    for (int t = 0; t < n && st == LM_OK; ++t) {
        column *cols = NULL;
        const int nc = table_columns(c, names[t], &cols);
        if (nc <= 0) {
            free(cols);
            continue;
        }
        cJSON *obj = add(c, tables, names[t], cJSON_CreateObject());
        const int64_t rows = count_rows(c, names[t]);
        if (obj) {
            add(c, obj, "rows_total", cJSON_CreateNumber((double)rows));
            cJSON *types = add(c, obj, "types", cJSON_CreateObject());
            for (int i = 0; types && i < nc; ++i)
                add(c, types, cols[i].name, str(cols[i].type));
            const bool panel_table = find_column(cols, nc, "region_id") >= 0 &&
                                     find_column(cols, nc, "year") >= 0 &&
                                     find_column(cols, nc, "run_id") >= 0;
            if (panel_table) {
                /* Per region and year (and a category): the first run of each arm, whole. */
                add(c, obj, "mode", str("rows"));
                add(c, obj, "panel", cJSON_CreateTrue());
                char sql[512];
                snprintf(sql, sizeof sql,
                         "SELECT * FROM %.63s WHERE run_id IN (%s) ORDER BY run_id, region_id, "
                         "year",
                         names[t], first_runs);
                st = add_query(c, obj, sql, 0, PANEL_ROWS_MAX);
                if (st == LM_OK && r->n > 1)
                    st = arm_means(c, obj, names[t], cols, nc);
            } else if (rows <= RAW_ROWS_MAX) {
                add(c, obj, "mode", str("rows"));
                char sql[256];
                snprintf(sql, sizeof sql, "SELECT * FROM %.63s", names[t]);
                st = add_query(c, obj, sql, 0, RAW_ROWS_MAX);
            } else {
                add(c, obj, "mode", str("summary"));
                st = summarise_table(c, obj, names[t], cols, nc);
            }
        }
        free(cols);
    }
    return st;
}

/* ---- the document ---- */

static lm_status build(ctx *c, cJSON *root, unsigned parts)
{
    add(c, root, "format", cJSON_CreateNumber(REPORT_FORMAT));
    char generator[64];
    snprintf(generator, sizeof generator, "longmen %s", lm_version());
    add(c, root, "generator", str(generator));
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(c->db, "PRAGMA user_version", -1, &q, NULL) == SQLITE_OK &&
        sqlite3_step(q) == SQLITE_ROW)
        add(c, root, "schema_version", cJSON_CreateNumber(sqlite3_column_int(q, 0)));
    sqlite3_finalize(q);
    static const char *const required[] = {"run", "region", "region_year"};
    for (size_t i = 0; i < sizeof required / sizeof required[0]; ++i)
        if (!table_exists(c, required[i]))
            return lm_error_set(c->err, LM_EINVAL, __FILE__, __LINE__,
                                "report: not a longmen results database (no %s table)",
                                required[i]);
    runs r = {0};
    int n_regions = 0;
    column *fc = NULL;
    int nf = 0;
    /* every part needs the runs and arms; only the core carries them */
    cJSON *scratch = (parts & LM_REPORT_PART_CORE) ? NULL : cJSON_CreateObject();
    if (!(parts & LM_REPORT_PART_CORE) && !scratch)
        return lm_error_set(c->err, LM_ENOMEM, __FILE__, __LINE__, "report: out of memory");
    lm_status st = read_runs(c, scratch ? scratch : root, &r);
    cJSON_Delete(scratch);
    if (parts & LM_REPORT_PART_CORE) {
        if (st == LM_OK)
            st = read_names(c, root, &r, &n_regions);
        if (st == LM_OK)
            st = read_region_year(c, root, &r, n_regions);
        if (st == LM_OK)
            st = lm__report_paired(c->db, root, c->err);
        if (st == LM_OK && table_exists(c, "fund"))
            st = lm__report_fund_arms(c->db, root, c->err);
    }
    cJSON *sections = st == LM_OK && (parts & LM_REPORT_PART_SECTIONS)
                          ? add(c, root, "sections", cJSON_CreateObject())
                          : NULL;
    if (sections) {
        nf = table_exists(c, "firm") ? table_columns(c, "firm", &fc) : 0;
        if (nf < 0)
            nf = 0;
        st = firm_sections(c, sections, &r, fc, nf);
        if (st == LM_OK)
            st = dragons(c, sections, &r, fc, nf);
    }
    if (st == LM_OK && (parts & LM_REPORT_PART_TABLES))
        st = other_tables(c, root, &r);
    free(fc);
    runs_free(&r);
    if (st == LM_OK && c->oom)
        st = lm_error_set(c->err, LM_ENOMEM, __FILE__, __LINE__, "report: out of memory");
    return st;
}

lm_status lm__report_build_parts(const char *db_path, unsigned parts, cJSON **out, lm_error *err)
{
    *out = NULL;
    lm_error_clear(err);
    if (!db_path)
        LM_FAIL(err, LM_EINVAL, "report: no database given");
    ctx c = {.err = err};
    /* Read-only, and never create: a missing file is an error, not an empty database. */
    if (sqlite3_open_v2(db_path, &c.db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) !=
        SQLITE_OK) {
        const lm_status st = lm_error_set(err, LM_EIO, __FILE__, __LINE__, "%s: cannot open: %s",
                                          db_path, c.db ? sqlite3_errmsg(c.db) : "out of memory");
        sqlite3_close(c.db);
        return st;
    }
    sqlite3_busy_timeout(c.db, 2000);
    cJSON *root = cJSON_CreateObject();
    lm_status st = root ? build(&c, root, parts)
                        : lm_error_set(err, LM_ENOMEM, __FILE__, __LINE__, "report: out of memory");
    sqlite3_close(c.db);
    if (st != LM_OK) {
        cJSON_Delete(root);
        return st;
    }
    *out = root;
    return LM_OK;
}

lm_status lm__report_build(const char *db_path, cJSON **out, lm_error *err)
{
    return lm__report_build_parts(db_path, LM_REPORT_PART_ALL, out, err);
}

char *lm__report_json_text(const cJSON *data)
{
    char *text = cJSON_PrintUnformatted(data);
    if (!text)
        return NULL;
    size_t n = 0;
    for (const char *p = text; (p = strstr(p, "</")) != NULL; p += 2)
        ++n;
    if (n == 0)
        return text;
    const size_t len = strlen(text);
    char *safe = malloc(len + n + 1);
    if (safe) {
        char *d = safe;
        for (const char *p = text; *p; ++p) {
            *d++ = *p;
            if (p[0] == '<' && p[1] == '/')
                *d++ = '\\';
        }
        *d = '\0';
    }
    free(text);
    return safe;
}

lm_status lm__report_json_parts(const char *db_path, unsigned parts, char **out, lm_error *err)
{
    if (!out)
        LM_FAIL(err, LM_EINVAL, "lm_report_json: out is NULL");
    *out = NULL;
    cJSON *data = NULL;
    const lm_status st = lm__report_build_parts(db_path, parts, &data, err);
    if (st != LM_OK)
        return st;
    *out = lm__report_json_text(data);
    cJSON_Delete(data);
    if (!*out)
        LM_FAIL(err, LM_ENOMEM, "report: out of memory for the JSON text");
    return LM_OK;
}

lm_status lm_report_json(const char *db_path, char **out, lm_error *err)
{
    return lm__report_json_parts(db_path, LM_REPORT_PART_ALL, out, err);
}
