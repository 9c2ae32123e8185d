/* include/longmen/metrics.h -- the outputs the experiment commands report (compare, sweep,
 * sensitivity, optimise), each one declared column of a results table and a reduction over
 * the run, in one list, so that every command reads the same figure under the same name and
 * a metric is computed in one place (src/experiments/metrics.c).
 *
 * X(ID, name, word, alias, table, column, reduction, unit, title, doc):
 *   name    what compare, sweep and optimise report (their CSVs and tables, --precision), an
 *           identifier (optimise_replication's column);
 *   word    what a sensitivity params file names and its tables report;
 *   alias   one more spelling a command line may use (NULL: none);
 *   table, column: the declared column (longmen/results.h, io/store_rows.h) it reads;
 *   reduction: SUM, over the run's years; LAST, the last simulated year's row; FUNDS, summed
 *           over the run's policy funds (not direct vehicles); TVPI, the policy funds'
 *           (distributed + NAV) / paid-in, NaN without paid-in.
 * The total over regions is the sum of the regions' values (TVPI: of its parts). */
#ifndef LONGMEN_METRICS_H
#define LONGMEN_METRICS_H

#include "longmen/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The outcomes of a run and its public money: what optimise keeps of every replication
 * (optimise_replication's columns, in this order). */
#define LM_METRIC_OUTCOMES_(X, S)                                                               \
    S(X, DRAGONS, dragons, "dragons", "little_dragons", region_year, dragons_new, SUM, "firms", \
      "little dragons", "firms first certified a little dragon over the run")                   \
    S(X, HIGH_TECH, high_tech, "high_tech", "high-tech", region_year, high_tech, LAST, "firms", \
      "high-tech enterprises", "certified high-tech enterprises at the end")                    \
    S(X, JOBS, jobs, "jobs", "headcount", region_year, headcount, LAST, "employees", "jobs",    \
      "employees of alive firms at the end")                                                    \
    S(X, ALIVE, firms_alive, "alive", NULL, region_year, alive, LAST, "firms", "firms alive",   \
      "firms alive at the end")                                                                 \
    S(X, BIRTHS, births, "births", NULL, region_year, births, SUM, "firms", "births",           \
      "firms born over the run")                                                                \
    S(X, REVENUE, revenue_cny, "revenue", NULL, region_year, revenue_cny, LAST, "CNY",          \
      "revenue (CNY)", "revenue of the last simulated year")                                    \
    S(X, PUBLIC, public_cny, "public", NULL, public_year, net_cny, SUM, "CNY", "public money",  \
      "what the public purse gave up, net: outlays and tax expenditures less returns "          \
      "(commitments are no cost)")
/* The policy funds and the government's commitments. `pool_tvpi` is the funds' pooled TVPI;
 * calibration's statistic `fund_tvpi` is another figure (a quantile over single investors). */
#define LM_METRIC_FUNDS_(X, S)                                                                  \
    S(X, POOL_TVPI, pool_tvpi, "pool_tvpi", NULL, fund, tvpi, TVPI, "", "fund TVPI",            \
      "policy funds' pooled (distributed + NAV) / paid-in")                                     \
    S(X, FUND_DISTRIBUTED, fund_distributed_cny, "fund_distributed", NULL, fund, distributed,   \
      FUNDS, "CNY", "fund distributions", "policy funds' distributions to their LPs")           \
    S(X, FUND_NAV, fund_nav_cny, "fund_nav", NULL, fund, nav, FUNDS, "CNY", "fund NAV",         \
      "policy funds' open holdings at the end")                                                 \
    S(X, FUND_PAID, fund_paid_in_cny, "fund_paid_in", NULL, fund, paid_in, FUNDS, "CNY",        \
      "fund paid-in", "policy funds' paid-in capital")                                          \
    S(X, GOV_COMMITTED, gov_committed_cny, "gov_committed", NULL, public_year, gov_committed_cny, \
      SUM, "CNY", "government commitments",                                                     \
      "new government commitments to guidance sub-funds over the run")                          \
    S(X, GOV_INVESTED, gov_invested_cny, "gov_invested", NULL, public_year, gov_invested_cny,   \
      SUM, "CNY", "government investments",                                                     \
      "the government's share of what those sub-funds put into deals")
#define LM_METRIC_ENTRY_(X, ...) X(__VA_ARGS__)
#define LM_METRIC_OUTCOMES(X) LM_METRIC_OUTCOMES_(X, LM_METRIC_ENTRY_)
#define LM_METRICS(X) LM_METRIC_OUTCOMES(X) LM_METRIC_FUNDS_(X, LM_METRIC_ENTRY_)
/* The outcomes as the columns of a row (longmen/columns.h): REAL, under their names. */
#define LM_METRIC_COLUMN_(X, id, name, word, alias, table, column, reduce, unit, title, doc)  \
    X(double, name, REAL, VALUE, doc)
#define LM_METRIC_OUTCOME_COLUMNS(X) LM_METRIC_OUTCOMES_(X, LM_METRIC_COLUMN_)

#define LM_METRIC_ENUM_(id, ...) LM_METRIC_##id,
typedef enum lm_metric { LM_METRICS(LM_METRIC_ENUM_) LM_METRIC_COUNT } lm_metric;
#undef LM_METRIC_ENUM_

/* Borrowed, static; NULL when m is out of range. */
LM_API const char *lm_metric_name(lm_metric m);
LM_API const char *lm_metric_word(lm_metric m);
/* The metric named text (its name, word or alias); -1 when none. */
LM_API int lm_metric_find(const char *text);

#ifdef __cplusplus
}
#endif

#endif
