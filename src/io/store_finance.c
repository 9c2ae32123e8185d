/* src/io/store_finance.c -- the finance tables of the results database (MODEL.md 6,
 * include/longmen/finance.h): deal, fund, exit, finance_year, investment_year and the
 * public purse's ledger public_year. Written by lm__store_write inside its transaction,
 * after the other tables; columns: docs/output.md. Every table is declared once
 * (io/store_rows.h, longmen/results.h) and written by rows.c's checked insert; this file
 * only fills each table's rows from the model's records. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "io/rows.h"
#include "io/store.h"
#include "io/store_rows.h"

#define RUN_ID lm__store_run_id(c->in) /* several runs */

static const char *const stage_names[] = {LM_STAGE_WORDS(LM_WORD_STRING, ~)};
enum { N_STAGE_NAMES = LM_STAGE_WORDS(LM_WORD_COUNT, ~) };

typedef struct ctx {
    sqlite3 *db;
    const char *path;
    lm_error *err;
    const lm_store_input *in;
} ctx;

static lm_status bad(const ctx *c, const char *what, size_t i, const char *field, long long v)
{
    return lm_error_set_at(c->err, LM_EINVAL, c->path, 0, 0, NULL,
                           "%s: %s %zu: %s %lld out of range", c->path, what, i, field, v);
}

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

/* The stages of a mask as words, 'seed,a,b'. */
static void stage_list(uint32_t mask, char *buf, size_t size)
{
    buf[0] = '\0';
    for (int s = 0; s < N_STAGE_NAMES; ++s)
        if (mask & (1u << s)) {
            const size_t n = strlen(buf);
            snprintf(buf + n, size - n, "%s%s", n ? "," : "", stage_names[s]);
        }
}

/* A fund's row; its stage words go into `stages`, which must outlive the row. */
static void fund_row(lm_fund_row *r, const lm_fund_record *x, const char *policy_name,
                     char stages[64])
{
    stage_list(x->stages, stages, 64);
    *r = (lm_fund_row){
        .fund_id = x->fund_id, .kind = x->kind, .region = x->region,
        .policy = x->policy >= 0 ? policy_name : NULL,
        .policy_index = x->policy >= 0 ? x->policy : LM_ROW_NULL_INT64, .direct = x->direct,
        .vintage = x->vintage, .invest_end = x->invest_end, .life_end = x->life_end,
        .stages = stages, .size_cny = x->size_cny, .gov_share = x->gov_share,
        .committed_gov_cny = x->committed_gov_cny,
        .committed_private_cny = x->committed_private_cny,
        .committed_strategic_cny = x->committed_strategic_cny,
        .committed_national_cny = x->committed_national_cny, .paid_in = x->paid_in_cny,
        .invested_cny = x->invested_cny, .fees_cny = x->fees_cny,
        .proceeds_cny = x->proceeds_cny, .distributed = x->distributed_cny,
        .carry_cny = x->carry_cny, .nav = x->nav_cny, .tvpi = x->tvpi, .dpi = x->dpi,
        .irr = x->irr, .loss_ratio = x->loss_ratio, .loss_tolerance = x->loss_tolerance,
        .expected_loss_ratio = x->expected_loss_ratio,
        .reinvest_required_cny = x->reinvest_required_cny,
        .local_invested_cny = x->local_invested_cny,
        .reinvest_shortfall_cny = x->reinvest_shortfall_cny, .deals = x->deals,
        .frozen_months = x->frozen_months, .signal_noise = x->signal_noise,
        .hurdle = x->hurdle};
}

static lm_status funds(const ctx *c)
{
    const lm_store_input *in = c->in;
    const size_t n = in->n_funds;
    lm_fund_row *rows = calloc(n ? n : 1, sizeof *rows);
    char(*stages)[64] = calloc(n ? n : 1, sizeof *stages);
    for (size_t i = 0; rows && stages && i < n; ++i)
        fund_row(&rows[i], &in->funds[i],
                 in->fund_policy_names ? in->fund_policy_names[i] : NULL, stages[i]);
    if (!stages) {
        free(rows);
        rows = NULL;
    }
    const lm_status rc = insert_rows(c, &lm__rows_fund, rows, n);
    free(stages);
    return rc;
}

/* An exit's row: the record's fields by the same names, no buyer NULL. */
static void exit_row(lm_exit_row *r, const lm_exit_record *x)
{
    LM_EXIT_COLUMNS(COPY_FIELD_, ~)
    r->buyer_id = x->buyer_id >= 0 ? x->buyer_id : LM_ROW_NULL_INT64;
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
    const lm_row_table *const declared[] = {&lm__rows_deal,         &lm__rows_fund,
                                            &lm__rows_exit,         &lm__rows_finance_year,
                                            &lm__rows_investment_year, &lm__rows_public_year};
    lm_status rc = LM_OK;
    for (size_t k = 0; !in->existing && rc == LM_OK && k < sizeof declared / sizeof *declared;
         ++k)
        rc = lm__rows_create(db, path, declared[k], false, err);
    if (rc == LM_OK)
        rc = deals(&c);
    if (rc == LM_OK)
        rc = funds(&c);
    if (rc == LM_OK)
        rc = exits(&c);
    if (rc == LM_OK)
        rc = years(&c);
    if (rc == LM_OK)
        rc = public_years(&c);
    if (rc == LM_OK && !in->existing)
        rc = lm__rows_index(db, path, &lm__rows_deal, err);
    return rc;
}
