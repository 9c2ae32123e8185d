/* src/io/store_finance.c -- the finance tables of the results database (MODEL.md 6,
 * include/longmen/finance.h): deal, fund, exit, finance_year, investment_year and the
 * public purse's ledger public_year. Written by
 * lm__store_write inside its transaction, after the other tables; columns: docs/output.md.
 * Kept apart from store.c so the money's layout reads in one place. Like store.c, this file
 * knows rows, not the model; the words for codes (stages, investor kinds) are part of the
 * layout. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "io/rows.h"
#include "io/store.h"
#include "io/store_rows.h"

#define RUN_ID lm__store_run_id(c->in) /* experiments issue: several runs */

static const char *const stage_names[LM_STAGE_COUNT] = {"seed", "a", "b", "c", "growth"};
static const char *const kind_names[LM_INVESTOR_KIND_COUNT] = {"gov_st", "gov_innovation", "vc",
                                                               "strategic", "angel"};

static const char finance_schema_sql[] =
    "CREATE TABLE fund(\n"
    "  run_id INTEGER NOT NULL, fund_id INTEGER NOT NULL, kind TEXT NOT NULL,\n"
    "  region TEXT NOT NULL, region_id INTEGER NOT NULL, policy TEXT, policy_index INTEGER,\n"
    "  direct INTEGER, vintage TEXT NOT NULL, invest_end TEXT, life_end TEXT, stages TEXT,\n"
    "  size_cny REAL, gov_share REAL, committed_gov_cny REAL, committed_private_cny REAL,\n"
    "  committed_strategic_cny REAL, committed_national_cny REAL, paid_in REAL,\n"
    "  invested_cny REAL, fees_cny REAL, proceeds_cny REAL, distributed REAL, carry_cny REAL,\n"
    "  nav REAL, tvpi REAL, dpi REAL, irr REAL, loss_ratio REAL, loss_tolerance REAL,\n"
    "  expected_loss_ratio REAL, reinvest_required_cny REAL, local_invested_cny REAL,\n"
    "  reinvest_shortfall_cny REAL, deals INTEGER, frozen_months INTEGER,\n"
    "  signal_noise REAL, hurdle REAL,\n"
    "  PRIMARY KEY(run_id, fund_id));\n";
static const char finance_index_sql[] =
    "CREATE INDEX deal_firm ON deal(run_id, firm_id);\n"
    "CREATE INDEX deal_investor ON deal(run_id, investor_id);\n";

static const char fund_sql[] =
    "INSERT INTO fund(run_id, fund_id, kind, region, region_id, policy, policy_index, direct,"
    " vintage, invest_end, life_end, stages, size_cny, gov_share, committed_gov_cny,"
    " committed_private_cny, committed_strategic_cny, committed_national_cny, paid_in,"
    " invested_cny, fees_cny, proceeds_cny, distributed, carry_cny, nav, tvpi, dpi, irr,"
    " loss_ratio, loss_tolerance, expected_loss_ratio, reinvest_required_cny,"
    " local_invested_cny, reinvest_shortfall_cny, deals, frozen_months, signal_noise, hurdle)"
    " VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
typedef struct ctx {
    sqlite3 *db;
    const char *path;
    lm_error *err;
    const lm_store_input *in;
} ctx;

typedef struct row {
    sqlite3_stmt *st;
    int col, rc;
} row;

static void i64(row *b, int64_t v)
{
    if (b->rc == SQLITE_OK)
        b->rc = sqlite3_bind_int64(b->st, ++b->col, v);
}

/* NaN and infinities are stored as NULL (an IRR that does not exist). */
static void f64(row *b, double v)
{
    if (b->rc != SQLITE_OK)
        return;
    ++b->col;
    b->rc = isfinite(v) ? sqlite3_bind_double(b->st, b->col, v) : sqlite3_bind_null(b->st, b->col);
}

static void text(row *b, const char *s)
{
    if (b->rc != SQLITE_OK)
        return;
    ++b->col;
    b->rc = s ? sqlite3_bind_text(b->st, b->col, s, -1, SQLITE_TRANSIENT)
              : sqlite3_bind_null(b->st, b->col);
}

static lm_status fail(const ctx *c, const char *what)
{
    return lm_error_set_at(c->err, LM_EDB, c->path, 0, 0, NULL, "%s: %s: %s", c->path, what,
                           sqlite3_errmsg(c->db));
}

static lm_status bad(const ctx *c, const char *what, size_t i, const char *field, long long v)
{
    return lm_error_set_at(c->err, LM_EINVAL, c->path, 0, 0, NULL,
                           "%s: %s %zu: %s %lld out of range", c->path, what, i, field, v);
}

static lm_status step(const ctx *c, row *b, const char *what)
{
    if (b->rc == SQLITE_OK && b->col != sqlite3_bind_parameter_count(b->st))
        return lm_error_set_at(c->err, LM_EDB, c->path, 0, 0, NULL,
                               "%s: %s: bound %d of %d columns (internal error)", c->path, what,
                               b->col, sqlite3_bind_parameter_count(b->st));
    if (b->rc != SQLITE_OK)
        return fail(c, what);
    const int rc = sqlite3_step(b->st);
    sqlite3_reset(b->st);
    return rc == SQLITE_DONE ? LM_OK : fail(c, what);
}

/* "YYYY-MM"; false for a month that does not fit four digits (-1 gives NULL). */
static bool month_text(int32_t m, char buf[8], const char **out)
{
    if (m == -1) {
        *out = NULL;
        return true;
    }
    if (m < 0 || m / 12 > 9999)
        return false;
    snprintf(buf, 8, "%04d-%02d", (int)(m / 12), (int)(m % 12 + 1));
    *out = buf;
    return true;
}

static bool region_ok(const ctx *c, int32_t r) { return r >= 0 && r < c->in->n_regions; }

/* Writes a declared table's rows (rows.c) and frees them; NULL rows: out of memory. */
static lm_status insert_rows(const ctx *c, const lm_row_table *t, void *rows, size_t n)
{
    const lm_row_names names = {c->in->region_names, c->in->n_regions, NULL, 0};
    lm_status rc = rows || n == 0 ? lm__rows_insert(c->db, c->path, t, RUN_ID, &names, rows, n,
                                                    c->err)
                                  : lm_error_set_at(c->err, LM_ENOMEM, c->path, 0, 0, NULL,
                                                    "%s: no memory for %s rows", c->path,
                                                    t->name);
    free(rows);
    return rc;
}

/* A copy of a field the row and the model's record name alike. */
#define COPY_FIELD_(ctype, field, kind, role, doc) r->field = (ctype)x->field;

static void deal_row(lm_deal_row *r, const lm_deal_record *x, size_t i)
{
    r->deal_id = (int64_t)i;
    LM_DEAL_RECORD_COLUMNS_(COPY_FIELD_)
}

static lm_status deals(const ctx *c)
{
    const lm_store_input *in = c->in;
    if (in->info->brief)
        return LM_OK; /* a brief run keeps no deal rows (run.detail = 0) */
    lm_deal_row *rows = calloc(in->n_deals ? in->n_deals : 1, sizeof *rows);
    for (size_t i = 0; rows && i < in->n_deals; ++i)
        deal_row(&rows[i], &in->deals[i], i);
    return insert_rows(c, &lm__rows_deal, rows, in->n_deals);
}

static void stage_list(uint32_t mask, char *buf, size_t size)
{
    buf[0] = '\0';
    for (int s = 0; s < LM_STAGE_COUNT; ++s)
        if (mask & (1u << s)) {
            const size_t n = strlen(buf);
            snprintf(buf + n, size - n, "%s%s", n ? "," : "", stage_names[s]);
        }
}

static lm_status funds(const ctx *c, sqlite3_stmt *st)
{
    const lm_store_input *in = c->in;
    for (size_t i = 0; i < in->n_funds; ++i) {
        const lm_fund_record *f = &in->funds[i];
        char vb[8], ib[8], lb[8], stages[64];
        const char *vintage, *invest_end, *life_end;
        if (!month_text(f->vintage, vb, &vintage) || !vintage)
            return bad(c, "fund", i, "vintage", f->vintage);
        if (!month_text(f->invest_end, ib, &invest_end) || !month_text(f->life_end, lb, &life_end))
            return bad(c, "fund", i, "invest_end", f->invest_end);
        if (!region_ok(c, f->region) || f->kind < 0 || f->kind >= LM_INVESTOR_KIND_COUNT)
            return bad(c, "fund", i, "region or kind", f->region);
        stage_list(f->stages, stages, sizeof stages);
        row b = {st, 0, SQLITE_OK};
        i64(&b, RUN_ID);
        i64(&b, f->fund_id);
        text(&b, kind_names[f->kind]);
        text(&b, in->region_names[f->region]);
        i64(&b, f->region);
        text(&b, in->fund_policy_names && f->policy >= 0 ? in->fund_policy_names[i] : NULL);
        if (f->policy >= 0)
            i64(&b, f->policy);
        else
            text(&b, NULL);
        i64(&b, f->direct);
        text(&b, vintage);
        text(&b, invest_end);
        text(&b, life_end);
        text(&b, stages);
        f64(&b, f->size_cny);
        f64(&b, f->gov_share);
        f64(&b, f->committed_gov_cny);
        f64(&b, f->committed_private_cny);
        f64(&b, f->committed_strategic_cny);
        f64(&b, f->committed_national_cny);
        f64(&b, f->paid_in_cny);
        f64(&b, f->invested_cny);
        f64(&b, f->fees_cny);
        f64(&b, f->proceeds_cny);
        f64(&b, f->distributed_cny);
        f64(&b, f->carry_cny);
        f64(&b, f->nav_cny);
        f64(&b, f->tvpi);
        f64(&b, f->dpi);
        f64(&b, f->irr);
        f64(&b, f->loss_ratio);
        f64(&b, f->loss_tolerance);
        f64(&b, f->expected_loss_ratio);
        f64(&b, f->reinvest_required_cny);
        f64(&b, f->local_invested_cny);
        f64(&b, f->reinvest_shortfall_cny);
        i64(&b, f->deals);
        i64(&b, f->frozen_months);
        f64(&b, f->signal_noise);
        f64(&b, f->hurdle);
        lm_status rc = step(c, &b, "writing fund rows");
        if (rc != LM_OK)
            return rc;
    }
    return LM_OK;
}

static void exit_row(lm_exit_row *r, const lm_exit_record *x)
{
    *r = (lm_exit_row){.firm_id = x->firm_id, .month = x->month, .kind = x->kind,
                       .valuation_cny = x->valuation_cny, .region = x->region,
                       .buyer_id = x->buyer_id >= 0 ? x->buyer_id : LM_ROW_NULL_INT64,
                       .to_founders_cny = x->to_founders_cny,
                       .to_employees_cny = x->to_employees_cny,
                       .to_investors_cny = x->to_investors_cny, .raised_cny = x->raised_cny};
}

static lm_status exits(const ctx *c)
{
    const lm_store_input *in = c->in;
    for (size_t i = 0; i < in->n_exits; ++i)
        if (in->exits[i].kind != LM_FIRM_IPO && in->exits[i].kind != LM_FIRM_ACQUIRED)
            return bad(c, "exit", i, "kind", in->exits[i].kind);
    lm_exit_row *rows = calloc(in->n_exits ? in->n_exits : 1, sizeof *rows);
    for (size_t i = 0; rows && i < in->n_exits; ++i)
        exit_row(&rows[i], &in->exits[i]);
    return insert_rows(c, &lm__rows_exit, rows, in->n_exits);
}

/* A region's year: its finance_year row and its investment_year rows, one per kind and
 * stage. */
static void year_rows(lm_finance_year_row *r, lm_investment_year_row *cells,
                      const lm_finance_year *x)
{
    LM_FINANCE_YEAR_HEAD_(COPY_FIELD_)
    LM_FINANCE_YEAR_TAIL_(COPY_FIELD_)
    r->deals = 0;
    for (int k = 0; k < LM_INVESTOR_KIND_COUNT; ++k)
        for (int s = 0; s < LM_STAGE_COUNT; ++s) {
            r->deals += x->deals[k][s];
            cells[k * LM_STAGE_COUNT + s] = (lm_investment_year_row){
                .region = x->region, .year = x->year, .investor_kind = k, .stage = s,
                .deals = x->deals[k][s], .amount_cny = x->invested_cny[k][s]};
        }
}

static lm_status years(const ctx *c)
{
    const lm_store_input *in = c->in;
    enum { CELLS = LM_INVESTOR_KIND_COUNT * LM_STAGE_COUNT };
    const size_t n = in->n_finance_years;
    lm_finance_year_row *rows = calloc(n ? n : 1, sizeof *rows);
    lm_investment_year_row *cells = calloc(n ? n * CELLS : 1, sizeof *cells);
    for (size_t i = 0; rows && cells && i < n; ++i)
        year_rows(&rows[i], &cells[i * CELLS], &in->finance_years[i]);
    if (!cells) {
        free(rows);
        rows = NULL;
    }
    const lm_status rc = insert_rows(c, &lm__rows_finance_year, rows, n);
    if (rc != LM_OK) {
        free(cells);
        return rc;
    }
    return insert_rows(c, &lm__rows_investment_year, cells, n * CELLS);
}

/* The public purse: a declared table (rows.c). */
static lm_status public_years(const ctx *c)
{
    const lm_row_names names = {c->in->region_names, c->in->n_regions, NULL, 0};
    return lm__rows_insert(c->db, c->path, &lm__rows_public_year, RUN_ID, &names,
                           c->in->public_years, c->in->n_public_years, c->err);
}

lm_status lm__store_finance(sqlite3 *db, const char *path, const lm_store_input *in,
                            lm_error *err)
{
    const ctx c = {db, path, err, in};
    /* In the order of the tables before they were declared: deal, fund, exit, the years. */
    const lm_row_table *const declared[] = {&lm__rows_deal, NULL, &lm__rows_exit,
                                            &lm__rows_finance_year, &lm__rows_investment_year,
                                            &lm__rows_public_year};
    lm_status rc = LM_OK;
    for (size_t k = 0; !in->existing && rc == LM_OK && k < sizeof declared / sizeof *declared;
         ++k)
        if (declared[k])
            rc = lm__rows_create(db, path, declared[k], false, err);
        else if (sqlite3_exec(db, finance_schema_sql, NULL, NULL, NULL) != SQLITE_OK)
            rc = fail(&c, "creating the fund table");
    sqlite3_stmt *st = NULL;
    if (rc == LM_OK &&
        sqlite3_prepare_v3(db, fund_sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK)
        rc = fail(&c, "preparing the fund rows");
    if (rc == LM_OK)
        rc = deals(&c);
    if (rc == LM_OK)
        rc = funds(&c, st);
    if (rc == LM_OK)
        rc = exits(&c);
    if (rc == LM_OK)
        rc = years(&c);
    if (rc == LM_OK)
        rc = public_years(&c);
    sqlite3_finalize(st);
    if (rc == LM_OK && !in->existing &&
        sqlite3_exec(db, finance_index_sql, NULL, NULL, NULL) != SQLITE_OK)
        rc = fail(&c, "creating the finance indices");
    return rc;
}
