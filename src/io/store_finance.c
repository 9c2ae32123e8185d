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
#include <string.h>

#include <sqlite3.h>

#include "io/rows.h"
#include "io/store.h"

#define RUN_ID lm__store_run_id(c->in) /* experiments issue: several runs */

static const char *const stage_names[LM_STAGE_COUNT] = {"seed", "a", "b", "c", "growth"};
static const char *const kind_names[LM_INVESTOR_KIND_COUNT] = {"gov_st", "gov_innovation", "vc",
                                                               "strategic", "angel"};

static const char finance_schema_sql[] =
    "CREATE TABLE deal(\n"
    "  run_id INTEGER NOT NULL, deal_id INTEGER NOT NULL, month TEXT NOT NULL,\n"
    "  firm_id INTEGER NOT NULL, investor_id INTEGER NOT NULL, investor_kind TEXT NOT NULL,\n"
    "  stage TEXT NOT NULL, amount_cny REAL, pre_money_cny REAL, post_money_cny REAL,\n"
    "  equity REAL, region TEXT NOT NULL, region_id INTEGER NOT NULL,\n"
    "  investor_region TEXT NOT NULL, investor_region_id INTEGER NOT NULL, lead INTEGER,\n"
    "  local INTEGER, expected_loss REAL, expected_multiple REAL,\n"
    "  PRIMARY KEY(run_id, deal_id));\n"
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
    "  PRIMARY KEY(run_id, fund_id));\n"
    "CREATE TABLE exit(\n"
    "  run_id INTEGER NOT NULL, firm_id INTEGER NOT NULL, month TEXT NOT NULL,\n"
    "  kind TEXT NOT NULL, valuation_cny REAL, region TEXT NOT NULL, region_id INTEGER NOT NULL,\n"
    "  buyer_id INTEGER, to_founders_cny REAL, to_employees_cny REAL, to_investors_cny REAL,\n"
    "  raised_cny REAL,\n"
    "  PRIMARY KEY(run_id, firm_id));\n"
    "CREATE TABLE finance_year(\n"
    "  run_id INTEGER NOT NULL, region TEXT NOT NULL, region_id INTEGER NOT NULL,\n"
    "  year INTEGER NOT NULL, months INTEGER NOT NULL, rounds INTEGER, rounds_failed INTEGER,\n"
    "  raised_cny REAL, deals INTEGER, funds_raised INTEGER, gov_committed_cny REAL,\n"
    "  social_committed_cny REAL, gov_invested_cny REAL, guidance_invested_cny REAL,\n"
    "  direct_cny REAL, leverage REAL, guidance_loss_ratio REAL, guidance_loss_tolerance REAL,\n"
    "  frozen_funds INTEGER, guidance_offers INTEGER, guidance_loss_bound INTEGER,\n"
    "  guidance_deal_flow_cny REAL, gov_uncommitted_cny REAL,\n"
    "  ipos INTEGER, acquisitions INTEGER, exit_value_cny REAL,\n"
    "  exit_wealth_cny REAL, private_capital_cny REAL, dry_powder_cny REAL,\n"
    "  PRIMARY KEY(run_id, region_id, year));\n"
    "CREATE TABLE investment_year(\n"
    "  run_id INTEGER NOT NULL, region TEXT NOT NULL, region_id INTEGER NOT NULL,\n"
    "  year INTEGER NOT NULL, investor_kind TEXT NOT NULL, stage TEXT NOT NULL,\n"
    "  deals INTEGER, amount_cny REAL,\n"
    "  PRIMARY KEY(run_id, region_id, year, investor_kind, stage));\n";

static const char finance_index_sql[] =
    "CREATE INDEX deal_firm ON deal(run_id, firm_id);\n"
    "CREATE INDEX deal_investor ON deal(run_id, investor_id);\n";

static const char deal_sql[] =
    "INSERT INTO deal(run_id, deal_id, month, firm_id, investor_id, investor_kind, stage,"
    " amount_cny, pre_money_cny, post_money_cny, equity, region, region_id, investor_region,"
    " investor_region_id, lead, local, expected_loss, expected_multiple)"
    " VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
static const char fund_sql[] =
    "INSERT INTO fund(run_id, fund_id, kind, region, region_id, policy, policy_index, direct,"
    " vintage, invest_end, life_end, stages, size_cny, gov_share, committed_gov_cny,"
    " committed_private_cny, committed_strategic_cny, committed_national_cny, paid_in,"
    " invested_cny, fees_cny, proceeds_cny, distributed, carry_cny, nav, tvpi, dpi, irr,"
    " loss_ratio, loss_tolerance, expected_loss_ratio, reinvest_required_cny,"
    " local_invested_cny, reinvest_shortfall_cny, deals, frozen_months, signal_noise, hurdle)"
    " VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
static const char exit_sql[] =
    "INSERT INTO exit(run_id, firm_id, month, kind, valuation_cny, region, region_id, buyer_id,"
    " to_founders_cny, to_employees_cny, to_investors_cny, raised_cny)"
    " VALUES(?,?,?,?,?,?,?,?,?,?,?,?)";
static const char year_sql[] =
    "INSERT INTO finance_year(run_id, region, region_id, year, months, rounds, rounds_failed,"
    " raised_cny, deals, funds_raised, gov_committed_cny, social_committed_cny,"
    " gov_invested_cny, guidance_invested_cny, direct_cny, leverage, guidance_loss_ratio,"
    " guidance_loss_tolerance, frozen_funds, guidance_offers, guidance_loss_bound,"
    " guidance_deal_flow_cny, gov_uncommitted_cny, ipos,"
    " acquisitions, exit_value_cny, exit_wealth_cny, private_capital_cny, dry_powder_cny)"
    " VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
static const char investment_sql[] =
    "INSERT INTO investment_year(run_id, region, region_id, year, investor_kind, stage, deals,"
    " amount_cny) VALUES(?,?,?,?,?,?,?,?)";


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

static lm_status deals(const ctx *c, sqlite3_stmt *st)
{
    const lm_store_input *in = c->in;
    if (in->info->brief)
        return LM_OK; /* a brief run keeps no deal rows (run.detail = 0) */
    for (size_t i = 0; i < in->n_deals; ++i) {
        const lm_deal_record *d = &in->deals[i];
        char mb[8];
        const char *month;
        if (!month_text(d->month, mb, &month) || !month)
            return bad(c, "deal", i, "month", d->month);
        if (!region_ok(c, d->region) || !region_ok(c, d->investor_region))
            return bad(c, "deal", i, "region", d->region);
        if (d->stage < 0 || d->stage >= LM_STAGE_COUNT || d->investor_kind < 0 ||
            d->investor_kind >= LM_INVESTOR_KIND_COUNT)
            return bad(c, "deal", i, "stage or kind", d->stage);
        row b = {st, 0, SQLITE_OK};
        i64(&b, RUN_ID);
        i64(&b, (int64_t)i);
        text(&b, month);
        i64(&b, d->firm_id);
        i64(&b, d->investor_id);
        text(&b, kind_names[d->investor_kind]);
        text(&b, stage_names[d->stage]);
        f64(&b, d->amount_cny);
        f64(&b, d->pre_money_cny);
        f64(&b, d->post_money_cny);
        f64(&b, d->equity);
        text(&b, in->region_names[d->region]);
        i64(&b, d->region);
        text(&b, in->region_names[d->investor_region]);
        i64(&b, d->investor_region);
        i64(&b, d->lead);
        i64(&b, d->local);
        f64(&b, d->expected_loss);
        f64(&b, d->expected_multiple);
        lm_status rc = step(c, &b, "writing deal rows");
        if (rc != LM_OK)
            return rc;
    }
    return LM_OK;
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

static lm_status exits(const ctx *c, sqlite3_stmt *st)
{
    const lm_store_input *in = c->in;
    for (size_t i = 0; i < in->n_exits; ++i) {
        const lm_exit_record *x = &in->exits[i];
        char mb[8];
        const char *month;
        if (!month_text(x->month, mb, &month) || !month)
            return bad(c, "exit", i, "month", x->month);
        if (!region_ok(c, x->region) || (x->kind != 2 && x->kind != 3))
            return bad(c, "exit", i, "region or kind", x->kind);
        row b = {st, 0, SQLITE_OK};
        i64(&b, RUN_ID);
        i64(&b, x->firm_id);
        text(&b, month);
        text(&b, x->kind == 2 ? "ipo" : "acquired");
        f64(&b, x->valuation_cny);
        text(&b, in->region_names[x->region]);
        i64(&b, x->region);
        if (x->buyer_id >= 0)
            i64(&b, x->buyer_id);
        else
            text(&b, NULL);
        f64(&b, x->to_founders_cny);
        f64(&b, x->to_employees_cny);
        f64(&b, x->to_investors_cny);
        f64(&b, x->raised_cny);
        lm_status rc = step(c, &b, "writing exit rows");
        if (rc != LM_OK)
            return rc;
    }
    return LM_OK;
}

static lm_status years(const ctx *c, sqlite3_stmt *yst, sqlite3_stmt *ist)
{
    const lm_store_input *in = c->in;
    for (size_t i = 0; i < in->n_finance_years; ++i) {
        const lm_finance_year *y = &in->finance_years[i];
        if (!region_ok(c, y->region))
            return bad(c, "finance_year", i, "region", y->region);
        int64_t deals = 0;
        double invested = 0.0;
        for (int k = 0; k < LM_INVESTOR_KIND_COUNT; ++k)
            for (int s = 0; s < LM_STAGE_COUNT; ++s) {
                deals += y->deals[k][s];
                invested += y->invested_cny[k][s];
            }
        (void)invested;
        row b = {yst, 0, SQLITE_OK};
        i64(&b, RUN_ID);
        text(&b, in->region_names[y->region]);
        i64(&b, y->region);
        i64(&b, y->year);
        i64(&b, y->months);
        i64(&b, y->rounds);
        i64(&b, y->rounds_failed);
        f64(&b, y->raised_cny);
        i64(&b, deals);
        i64(&b, y->funds_raised);
        f64(&b, y->gov_committed_cny);
        f64(&b, y->social_committed_cny);
        f64(&b, y->gov_invested_cny);
        f64(&b, y->guidance_invested_cny);
        f64(&b, y->direct_cny);
        f64(&b, y->leverage);
        f64(&b, y->guidance_loss_ratio);
        f64(&b, y->guidance_loss_tolerance);
        i64(&b, y->frozen_funds);
        i64(&b, y->guidance_offers);
        i64(&b, y->guidance_loss_bound);
        f64(&b, y->guidance_deal_flow_cny);
        f64(&b, y->gov_uncommitted_cny);
        i64(&b, y->ipos);
        i64(&b, y->acquisitions);
        f64(&b, y->exit_value_cny);
        f64(&b, y->exit_wealth_cny);
        f64(&b, y->private_capital_cny);
        f64(&b, y->dry_powder_cny);
        lm_status rc = step(c, &b, "writing finance_year rows");
        for (int k = 0; rc == LM_OK && k < LM_INVESTOR_KIND_COUNT; ++k)
            for (int s = 0; rc == LM_OK && s < LM_STAGE_COUNT; ++s) {
                row r = {ist, 0, SQLITE_OK};
                i64(&r, RUN_ID);
                text(&r, in->region_names[y->region]);
                i64(&r, y->region);
                i64(&r, y->year);
                text(&r, kind_names[k]);
                text(&r, stage_names[s]);
                i64(&r, y->deals[k][s]);
                f64(&r, y->invested_cny[k][s]);
                rc = step(c, &r, "writing investment_year rows");
            }
        if (rc != LM_OK)
            return rc;
    }
    return LM_OK;
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
    if (!in->existing && sqlite3_exec(db, finance_schema_sql, NULL, NULL, NULL) != SQLITE_OK)
        return fail(&c, "creating the finance tables");
    if (!in->existing) {
        const lm_status made = lm__rows_create(db, path, &lm__rows_public_year, false, err);
        if (made != LM_OK)
            return made;
    }
    const char *sql[] = {deal_sql, fund_sql, exit_sql, year_sql, investment_sql};
    enum { N_SQL = sizeof sql / sizeof *sql };
    sqlite3_stmt *st[N_SQL] = {NULL};
    lm_status rc = LM_OK;
    for (int k = 0; k < N_SQL && rc == LM_OK; ++k)
        if (sqlite3_prepare_v3(db, sql[k], -1, SQLITE_PREPARE_PERSISTENT, &st[k], NULL) !=
            SQLITE_OK)
            rc = fail(&c, "preparing the finance rows");
    if (rc == LM_OK)
        rc = deals(&c, st[0]);
    if (rc == LM_OK)
        rc = funds(&c, st[1]);
    if (rc == LM_OK)
        rc = exits(&c, st[2]);
    if (rc == LM_OK)
        rc = years(&c, st[3], st[4]);
    if (rc == LM_OK)
        rc = public_years(&c);
    for (int k = 0; k < N_SQL; ++k)
        sqlite3_finalize(st[k]);
    if (rc == LM_OK && !in->existing &&
        sqlite3_exec(db, finance_index_sql, NULL, NULL, NULL) != SQLITE_OK)
        rc = fail(&c, "creating the finance indices");
    return rc;
}
