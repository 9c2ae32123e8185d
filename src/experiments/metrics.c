/* src/experiments/metrics.c -- the metrics of longmen/metrics.h computed from the rows of
 * their tables: one function for the rows the simulation holds (optimise's replications)
 * and for the rows read back from a job's database (compare, sweep, sensitivity), so the
 * two cannot disagree about what, say, the public money of a run is. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "experiments/experiments_int.h"

typedef enum { SUM, LAST, FUNDS, TVPI } reduction;

typedef struct metric_info {
    const char *name, *word, *alias;
    const lm_row_table *table;
    const char *column;
    reduction reduce;
} metric_info;

#define INFO_(id, name, word, alias, table, column, reduce, unit, title, doc)                    \
    [LM_METRIC_##id] = {#name, word, alias, &lm__rows_##table, #column, reduce},
static const metric_info info[LM_METRIC_COUNT] = {LM_METRICS(INFO_)};
#undef INFO_

#define TEXT_(id, name, word, alias, table, column, reduce, unit, title, doc)                    \
    [LM_METRIC_##id] = {#table "." #column, #reduce, unit, title, doc},
static const char *const text[LM_METRIC_COUNT][5] = {LM_METRICS(TEXT_)};
#undef TEXT_

const char *lm_metric_name(lm_metric m)
{
    return (int)m >= 0 && m < LM_METRIC_COUNT ? info[m].name : NULL;
}

const char *lm_metric_word(lm_metric m)
{
    return (int)m >= 0 && m < LM_METRIC_COUNT ? info[m].word : NULL;
}

int lm_metric_find(const char *s)
{
    for (int k = 0; s && k < LM_METRIC_COUNT; ++k)
        if (strcmp(s, info[k].name) == 0 || strcmp(s, info[k].word) == 0 ||
            (info[k].alias && strcmp(s, info[k].alias) == 0))
            return k;
    return -1;
}

int lm__metric_pick(const char *s, const lm_metric *ids, int n, char *list, size_t size,
                    const char *last)
{
    const int m = lm_metric_find(s);
    size_t len = 0;
    for (int k = 0; k < n; ++k) {
        if ((int)ids[k] == m)
            return k;
        const char *sep = k == 0 ? "" : k == n - 1 ? last : ", ";
        len += (size_t)snprintf(list + (len < size ? len : size), len < size ? size - len : 0,
                                "%s%s", sep, info[ids[k]].name);
    }
    return -1;
}

const char *lm__metric_source(lm_metric m) { return text[m][0]; }
const char *lm__metric_reduction(lm_metric m) { return text[m][1]; }
const char *lm__metric_unit(lm_metric m) { return text[m][2]; }
const char *lm__metric_title(lm_metric m) { return text[m][3]; }
const char *lm__metric_doc(lm_metric m) { return text[m][4]; }
const char *lm__metric_alias(lm_metric m) { return info[m].alias; }

const lm_row_column *lm__metric_column(lm_metric m)
{
    return lm__rows_column(info[m].table, info[m].column);
}

/* A policy fund: raised by a policy (policy_index >= 0), not a direct-injection vehicle. A
 * stored NULL counts as 0, as SQLite reads it, throughout. */
static bool policy_fund(const lm_row_table *t, const void *row)
{
    const lm_row_column *pi = lm__rows_column(t, "policy_index"),
                        *direct = lm__rows_column(t, "direct");
    return pi && direct && lm__rows_number(row, pi, -1) >= 0 &&
           lm__rows_number(row, direct, 0) == 0;
}

void lm__metrics_add(double *m, const lm_row_table *t, const void *rows, size_t n, int region)
{
    const lm_row_column *reg = lm__rows_column(t, "region");
    for (int k = 0; k < LM_METRIC_COUNT; ++k) {
        if (info[k].table != t || info[k].reduce == TVPI)
            continue;
        const lm_row_column *c = lm__metric_column((lm_metric)k);
        for (size_t i = 0; c && i < n; ++i) {
            const void *row = (const char *)rows + i * t->row_size;
            if (reg && lm__rows_number(row, reg, -1) != region)
                continue;
            if (info[k].reduce == FUNDS && !policy_fund(t, row))
                continue;
            const double v = lm__rows_number(row, c, 0);
            m[k] = info[k].reduce == LAST ? v : m[k] + v;
        }
    }
}

static double tvpi(double value, double paid) { return paid > 0 ? value / paid : NAN; }

void lm__metrics_finish(double *m)
{
    m[LM_METRIC_POOL_TVPI] = tvpi(m[LM_METRIC_FUND_DISTRIBUTED] + m[LM_METRIC_FUND_NAV],
                                  m[LM_METRIC_FUND_PAID]);
}

void lm__metrics_of_sim(const lm_sim *sim, int region, double *m)
{
    memset(m, 0, LM_METRIC_COUNT * sizeof *m);
    size_t n = 0;
    const lm_region_year *ry = lm_sim_region_years(sim, &n);
    lm__metrics_add(m, &lm__rows_region_year, ry, n, region);
    const lm_public_year *py = lm_sim_public_years(sim, &n);
    lm__metrics_add(m, &lm__rows_public_year, py, n, region);
    lm__metrics_finish(m);
}

lm_status lm__metrics_read(sqlite3 *db, const char *path, int64_t run_id, int n_regions,
                           double *m, lm_error *err)
{
    memset(m, 0, (size_t)(n_regions + 1) * LM_METRIC_COUNT * sizeof *m);
    static const lm_row_table *const tables[] = {&lm__rows_region_year, &lm__rows_public_year,
                                                 &lm__rows_fund};
    for (size_t t = 0; t < sizeof tables / sizeof tables[0]; ++t) {
        void *rows = NULL;
        size_t n = 0;
        const lm_status rc = lm__rows_read(db, path, tables[t], run_id, NULL, &rows, &n, err);
        if (rc != LM_OK)
            return rc;
        for (int r = 0; r < n_regions; ++r)
            lm__metrics_add(m + (size_t)r * LM_METRIC_COUNT, tables[t], rows, n, r);
        lm__rows_free(tables[t], rows, n);
    }
    /* The total over regions; its TVPI of the regions' summed parts, each region's value
     * (distributed + NAV) added as one. */
    double *total = m + (size_t)n_regions * LM_METRIC_COUNT, value = 0;
    for (int r = 0; r < n_regions; ++r) {
        double *mr = m + (size_t)r * LM_METRIC_COUNT;
        lm__metrics_finish(mr);
        for (int k = 0; k < LM_METRIC_COUNT; ++k)
            total[k] += mr[k];
        value += mr[LM_METRIC_FUND_DISTRIBUTED] + mr[LM_METRIC_FUND_NAV];
    }
    total[LM_METRIC_POOL_TVPI] = tvpi(value, total[LM_METRIC_FUND_PAID]);
    return LM_OK;
}
