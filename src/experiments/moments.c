/* src/experiments/moments.c -- the moments of one simulation for `longmen calibrate`
 * (calibrate_int.h): the named statistics, computed in C from the
 * simulation's accessors (region years, firm records, deals, exits, funds), and SQL moments,
 * run against a results database of the simulation written to a temporary file (removed
 * again; it costs a database write per replication, so calibrations that need speed use named
 * statistics). Definitions: docs/calibration.md, "Named statistics". */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <sqlite3.h>

#include "experiments/calibrate_int.h"
#include "io/rows.h"
#include "scenario/scenario_int.h"

/* ---- statistics on arrays ---- */

static int cmp_desc(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return x < y ? 1 : x > y ? -1 : 0;
}

double lm__stat_hill(double *x, size_t n, int k)
{
    if (k < 2 || n <= (size_t)k)
        return NAN;
    qsort(x, n, sizeof *x, cmp_desc);
    const double u = x[k];
    if (!(u > 0))
        return NAN;
    double s = 0;
    for (int i = 0; i < k; ++i)
        s += log(x[i] / u);
    return s > 0 ? (double)k / s : NAN;
}

double lm__stat_rank_size(double *x, size_t n, int k)
{
    if (k < 3 || n < (size_t)k)
        return NAN;
    qsort(x, n, sizeof *x, cmp_desc);
    if (!(x[k - 1] > 0))
        return NAN;
    double mx = 0, my = 0;
    for (int i = 0; i < k; ++i) {
        mx += log(x[i]);
        my += log(i + 0.5); /* ln(rank - 1/2), rank = i + 1 */
    }
    mx /= k;
    my /= k;
    double sxy = 0, sxx = 0;
    for (int i = 0; i < k; ++i) {
        const double dx = log(x[i]) - mx;
        sxy += dx * (log(i + 0.5) - my);
        sxx += dx * dx;
    }
    return sxx > 0 ? -sxy / sxx : NAN;
}

double lm__stat_quantile(double *x, size_t n, double q)
{
    if (n == 0)
        return NAN;
    gsl_sort(x, 1, n);
    return gsl_stats_quantile_from_sorted_data(x, 1, n, q);
}

/* ---- named statistics ---- */

static bool region_ok(const lm__cal_target *g, int region)
{
    return g->region < 0 || g->region == region;
}

static int year_of(int32_t month) { return month >= 0 ? month / 12 : -1; }

static lm_status oom(lm_error *err) { LM_FAIL(err, LM_ENOMEM, "calibration moments"); }

static double region_year_stat(const lm__cal_target *g, const lm__cal_data *d)
{
    const size_t n = d->n_ry;
    const lm_region_year *ry = d->ry;
    double a = 0, b = 0, base = 0;
    bool found = false, found_base = false;
    for (size_t i = 0; i < n; ++i) {
        const lm_region_year *y = &ry[i];
        if (!region_ok(g, y->region))
            continue;
        switch (g->stat) {
        case LM_STAT_FOUNDERS_NONLOCAL:
        case LM_STAT_BIRTHS:
            if (y->year >= g->from && y->year <= g->to) {
                a += (double)y->births_nonlocal;
                b += (double)y->births;
                found = true;
            }
            break;
        case LM_STAT_TIER_COUNT:
        case LM_STAT_TIER_GROWTH: {
            const int64_t v[] = {y->tech_sme, y->high_tech, y->little_giant, y->unicorn,
                                 y->dragon};
            if (y->year == g->year) {
                a += (double)v[g->tier];
                found = true;
            }
            if (g->stat == LM_STAT_TIER_GROWTH && y->year == g->year - g->years) {
                base += (double)v[g->tier];
                found_base = true;
            }
            break;
        }
        default:
            break;
        }
    }
    if (!found)
        return NAN;
    switch (g->stat) {
    case LM_STAT_FOUNDERS_NONLOCAL:
        return b > 0 ? a / b : NAN;
    case LM_STAT_BIRTHS:
        return b;
    case LM_STAT_TIER_COUNT:
        return a;
    case LM_STAT_TIER_GROWTH:
        return found_base && base > 0 ? a / base : NAN;
    default:
        return NAN;
    }
}

static double guidance_stat(const lm__cal_target *g, const lm__cal_data *d)
{
    const size_t n = d->n_fy;
    const lm_finance_year *fy = d->fy;
    double s = 0;
    bool found = false;
    for (size_t i = 0; i < n; ++i) {
        const lm_finance_year *y = &fy[i];
        if (!region_ok(g, y->region) || y->year > g->to || (g->from && y->year < g->from))
            continue;
        found = true;
        switch (g->measure) {
        case LM_GUIDE_APPROVED:
            s += y->gov_committed_cny + y->social_committed_cny;
            break;
        case LM_GUIDE_GOVERNMENT:
            s += y->gov_committed_cny;
            break;
        case LM_GUIDE_SOCIAL:
            s += y->social_committed_cny;
            break;
        default:
            s += y->guidance_invested_cny;
            break;
        }
    }
    return found ? s : NAN;
}

/* Statistics over firm records; out receives the value. */
static lm_status firm_stat(const lm__cal_target *g, const lm__cal_data *d, double *out,
                           lm_error *err)
{
    const size_t n = d->n_firms;
    const int32_t last = d->last_month;
    double num = 0, den = 0;
    double *x = NULL;
    size_t nx = 0;
    if (g->stat == LM_STAT_ZIPF) {
        x = malloc((n ? n : 1) * sizeof *x);
        if (!x)
            return oom(err);
    }
    for (size_t id = 0; id < n; ++id) {
        lm_firm_record f;
        lm_status st = d->firm(d->firm_ctx, (uint32_t)id, &f);
        if (st != LM_OK) {
            free(x);
            return lm_error_set(err, st, __FILE__, __LINE__, "firm %zu: no record", id);
        }
        if (!region_ok(g, f.region))
            continue;
        const int fy = year_of(f.founded_month);
        switch (g->stat) {
        case LM_STAT_DRAGONS_FOUNDED:
        case LM_STAT_DRAGONS_NONLOCAL:
            if (f.dragon_month < 0 || fy < g->from || fy > g->to ||
                (g->by && year_of(f.dragon_month) > g->by) ||
                (g->model >= 0 && f.business_model != g->model))
                break;
            den += 1;
            num += f.origin != f.region;
            break;
        case LM_STAT_ZIPF:
            if (f.status == LM_FIRM_ALIVE && f.headcount > 0)
                x[nx++] = (double)f.headcount;
            break;
        case LM_STAT_SURVIVAL: {
            const int32_t horizon = f.founded_month + 12 * g->years;
            if ((g->from && fy < g->from) || (g->to && fy > g->to) || horizon > last)
                break;
            den += 1;
            num += !(f.status == LM_FIRM_DEAD && f.ended_month < horizon);
            break;
        }
        default:
            break;
        }
    }
    switch (g->stat) {
    case LM_STAT_DRAGONS_FOUNDED:
        *out = den;
        break;
    case LM_STAT_DRAGONS_NONLOCAL:
    case LM_STAT_SURVIVAL:
        *out = den > 0 ? num / den : NAN;
        break;
    case LM_STAT_ZIPF:
        *out = g->method == LM_ZIPF_RANK_SIZE ? lm__stat_rank_size(x, nx, g->k)
                                              : lm__stat_hill(x, nx, g->k);
        break;
    default:
        *out = NAN;
    }
    free(x);
    return LM_OK;
}

/* Deals: the round-level multiple of resolved firms, and the time to a unicorn round. */
static lm_status deal_stat(const lm__cal_target *g, const lm__cal_data *D, double *out,
                           lm_error *err)
{
    const size_t n = D->n_firms;
    const size_t nd = D->n_deals, ne = D->n_exits;
    const lm_deal_record *d = D->deals;
    const lm_exit_record *e = D->exits;
    double *exit_value = malloc((n ? n : 1) * sizeof *exit_value);
    int32_t *first = malloc((n ? n : 1) * sizeof *first);
    if (!exit_value || !first) {
        free(exit_value);
        free(first);
        return oom(err);
    }
    for (size_t i = 0; i < n; ++i) {
        exit_value[i] = NAN;
        first[i] = INT32_MAX;
    }
    for (size_t i = 0; i < ne; ++i)
        if (e[i].firm_id < n) {
            exit_value[e[i].firm_id] = e[i].valuation_cny;
            if (e[i].valuation_cny >= g->threshold && e[i].month < first[e[i].firm_id])
                first[e[i].firm_id] = e[i].month;
        }
    lm_status st = LM_OK;
    *out = NAN;
    if (g->stat == LM_STAT_DEAL_MULTIPLE) {
        double num = 0, den = 0;
        for (size_t i = 0; i < nd && st == LM_OK; ++i) {
            const lm_deal_record *r = &d[i];
            if (!r->lead || !region_ok(g, r->region) || r->firm_id >= n ||
                !(r->post_money_cny > 0))
                continue;
            lm_firm_record f;
            if ((st = D->firm(D->firm_ctx, r->firm_id, &f)) != LM_OK)
                break;
            double value;
            if (f.status == LM_FIRM_DEAD)
                value = 0;
            else if (!isnan(exit_value[r->firm_id]))
                value = exit_value[r->firm_id];
            else
                continue; /* unresolved: still private and alive */
            const double mult = value / r->post_money_cny;
            den += 1;
            num += g->side < 0 ? mult < g->multiple : mult >= g->multiple;
        }
        if (den > 0)
            *out = num / den;
    } else { /* years to unicorn */
        for (size_t i = 0; i < nd; ++i)
            if (d[i].firm_id < n && d[i].post_money_cny >= g->threshold &&
                d[i].month < first[d[i].firm_id])
                first[d[i].firm_id] = d[i].month;
        double *years = malloc((n ? n : 1) * sizeof *years);
        size_t k = 0;
        if (!years)
            st = oom(err);
        for (size_t id = 0; st == LM_OK && id < n; ++id) {
            if (first[id] == INT32_MAX)
                continue;
            lm_firm_record f;
            if ((st = D->firm(D->firm_ctx, (uint32_t)id, &f)) != LM_OK)
                break;
            if (region_ok(g, f.region))
                years[k++] = (first[id] - f.founded_month) / 12.0;
        }
        if (st == LM_OK)
            *out = lm__stat_quantile(years, k, 0.5);
        free(years);
    }
    if (st != LM_OK && st != LM_ENOMEM)
        st = lm_error_set(err, st, __FILE__, __LINE__, "a deal's firm has no record");
    free(exit_value);
    free(first);
    return st;
}

static lm_status fund_stat(const lm__cal_target *g, const lm__cal_data *d, double *out,
                           lm_error *err)
{
    const size_t n = d->n_funds;
    const lm_fund_record *f = d->funds;
    double *x = malloc((n ? n : 1) * sizeof *x);
    if (!x)
        return oom(err);
    size_t k = 0;
    for (size_t i = 0; i < n; ++i)
        if (f[i].kind == g->kind && f[i].paid_in_cny > 0 && isfinite(f[i].tvpi))
            x[k++] = f[i].tvpi;
    switch (g->measure) {
    case LM_TVPI_MEDIAN:
        *out = lm__stat_quantile(x, k, 0.5);
        break;
    case LM_TVPI_P25:
        *out = lm__stat_quantile(x, k, 0.25);
        break;
    case LM_TVPI_P75:
        *out = lm__stat_quantile(x, k, 0.75);
        break;
    default:
        *out = k ? lm__stat_quantile(x, k, 0.75) - gsl_stats_quantile_from_sorted_data(x, 1, k, 0.25)
                 : NAN;
        break;
    }
    free(x);
    return LM_OK;
}

lm_status lm__cal_statistic(const lm__cal_target *g, const lm__cal_data *d, double *out,
                            lm_error *err)
{
    switch (g->stat) {
    case LM_STAT_FOUNDERS_NONLOCAL:
    case LM_STAT_BIRTHS:
    case LM_STAT_TIER_COUNT:
    case LM_STAT_TIER_GROWTH:
        *out = region_year_stat(g, d);
        return LM_OK;
    case LM_STAT_GUIDANCE:
        *out = guidance_stat(g, d);
        return LM_OK;
    case LM_STAT_DRAGONS_FOUNDED:
    case LM_STAT_DRAGONS_NONLOCAL:
    case LM_STAT_ZIPF:
    case LM_STAT_SURVIVAL:
        return firm_stat(g, d, out, err);
    case LM_STAT_DEAL_MULTIPLE:
    case LM_STAT_YEARS_TO_UNICORN:
        return deal_stat(g, d, out, err);
    case LM_STAT_FUND_TVPI:
        return fund_stat(g, d, out, err);
    default:
        LM_FAIL(err, LM_EINVAL, "unknown statistic %d", g->stat);
    }
}

/* ---- SQL moments ---- */

static lm_status sql_error(const lm_targets *t, const lm__cal_target *g, int i, lm_error *err,
                           const char *fmt, const char *detail)
{
    char field[64];
    snprintf(field, sizeof field, "targets[%d].sql", i);
    return lm_error_set_at(err, LM_EINVAL, t->path, g->sql_pos.line, g->sql_pos.column, field,
                           fmt, detail);
}

/* Prepares target i's query on db: one read-only statement returning one column. */
static lm_status prepare(const lm_targets *t, int i, sqlite3 *db, sqlite3_stmt **out,
                         lm_error *err)
{
    const lm__cal_target *g = &t->targets[i];
    const char *tail = NULL;
    *out = NULL;
    if (sqlite3_prepare_v2(db, g->sql, -1, out, &tail) != SQLITE_OK)
        return sql_error(t, g, i, err, "%s", sqlite3_errmsg(db));
    if (!*out)
        return sql_error(t, g, i, err, "%s", "the query is empty");
    while (tail && (*tail == ' ' || *tail == '\n' || *tail == '\t' || *tail == '\r' ||
                    *tail == ';'))
        ++tail;
    const char *why = NULL;
    if (tail && *tail)
        why = "expected one statement, got more";
    else if (!sqlite3_stmt_readonly(*out))
        why = "the query must only read (a SELECT)";
    else if (sqlite3_column_count(*out) != 1)
        why = "the query must return one column (one number)";
    if (why) {
        sqlite3_finalize(*out);
        *out = NULL;
        return sql_error(t, g, i, err, "%s", why);
    }
    return LM_OK;
}

/* A fresh temporary folder for a database (removed by the caller). */
static lm_status temp_db(char *dir, size_t dsize, char *path, size_t psize, lm_error *err)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, dsize, "%s/lm_calibrate_XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir))
        LM_FAIL(err, LM_EIO, "cannot create a temporary folder in %s: %s",
                tmp && *tmp ? tmp : "/tmp", strerror(errno));
    snprintf(path, psize, "%s/results.sqlite", dir);
    return LM_OK;
}

static lm_status run_sql(const lm_targets *t, const lm_scenario *sc, const lm_sim *sim,
                         double *out, bool check_only, lm_error *err)
{
    char dir[4096], path[4200];
    lm_status st = temp_db(dir, sizeof dir, path, sizeof path, err);
    if (st != LM_OK)
        return st;
    const lm_run_info info = {.scenario = lm_scenario_name(sc),
                              .scenario_path = lm_scenario_path(sc),
                              .seed = 0,
                              .run = 0,
                              .threads = 1};
    st = lm_results_write(path, sc, sim, &info, err);
    sqlite3 *db = NULL;
    if (st == LM_OK)
        st = lm__db_open(path, SQLITE_OPEN_READONLY, false, &db, err);
    for (int i = 0; st == LM_OK && i < t->n_targets; ++i) {
        const lm__cal_target *g = &t->targets[i];
        if (!g->sql)
            continue;
        sqlite3_stmt *q = NULL;
        if ((st = prepare(t, i, db, &q, err)) != LM_OK)
            break;
        if (!check_only) {
            int rc = sqlite3_step(q);
            if (rc == SQLITE_ROW) {
                const int type = sqlite3_column_type(q, 0);
                if (type == SQLITE_NULL)
                    out[i] = NAN;
                else if (type == SQLITE_INTEGER || type == SQLITE_FLOAT)
                    out[i] = sqlite3_column_double(q, 0);
                else
                    st = sql_error(t, g, i, err, "%s", "the query returned text, not a number");
                if (st == LM_OK && (rc = sqlite3_step(q)) == SQLITE_ROW)
                    st = sql_error(t, g, i, err, "%s",
                                   "the query returned more than one row (expected one number)");
            } else if (rc == SQLITE_DONE) {
                out[i] = NAN; /* no row: undefined in this replication */
            }
            if (st == LM_OK && rc != SQLITE_ROW && rc != SQLITE_DONE)
                st = sql_error(t, g, i, err, "%s", sqlite3_errmsg(db));
        }
        sqlite3_finalize(q);
    }
    sqlite3_close(db);
    unlink(path);
    char journal[4300];
    snprintf(journal, sizeof journal, "%s-journal", path);
    unlink(journal);
    rmdir(dir);
    return st;
}

static lm_status sim_firm(const void *ctx, uint32_t id, lm_firm_record *rec)
{
    return lm_sim_firm(ctx, id, rec);
}

lm_status lm__cal_moments(const lm_targets *t, const lm_scenario *sc, const lm_sim *sim,
                          double *out, lm_error *err)
{
    lm__cal_data d = {.n_firms = lm_sim_firms_ever(sim),
                      .firm = sim_firm,
                      .firm_ctx = sim,
                      .last_month = lm_sim_month(sim) - 1};
    d.ry = lm_sim_region_years(sim, &d.n_ry);
    d.fy = lm_sim_finance_years(sim, &d.n_fy);
    d.deals = lm_sim_deals(sim, &d.n_deals);
    d.exits = lm_sim_exits(sim, &d.n_exits);
    d.funds = lm_sim_funds(sim, &d.n_funds);
    lm_status st = LM_OK;
    for (int i = 0; st == LM_OK && i < t->n_targets; ++i) {
        out[i] = NAN;
        if (!t->targets[i].sql)
            st = lm__cal_statistic(&t->targets[i], &d, &out[i], err);
    }
    if (st == LM_OK && t->has_sql)
        st = run_sql(t, sc, sim, out, false, err);
    /* an infinite moment (an SQL ratio over nothing) is undefined in this replication, like
       NaN: the database keeps no infinity, so a resumed calibration reads back what an
       uninterrupted one used */
    for (int i = 0; st == LM_OK && i < t->n_targets; ++i)
        if (isinf(out[i]))
            out[i] = NAN;
    return st;
}

lm_status lm__cal_check_sql(const lm_targets *t, const lm_scenario *sc, lm_error *err)
{
    if (!t->has_sql)
        return LM_OK;
    /* One month of sc: every table exists, empty or not. */
    lm_status st;
    const lm_sim_config cfg = {.seed = lm_scenario_seed(sc), .run = 0, .threads = 1};
    lm_sim *sim = NULL;
    st = lm_sim_create(sc, &cfg, &sim, err);
    if (st == LM_OK)
        st = lm_sim_step(sim, err);
    if (st == LM_OK)
        st = run_sql(t, sc, sim, NULL, true, err);
    lm_sim_destroy(sim);
    return st;
}
