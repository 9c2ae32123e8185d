/* src/report/report_int.h -- shared by the report's data layer (data.c), its writers
 * (html.c, svg.c) and the server (src/server/), which serves the same data for any run.
 * Private to the library. */
#ifndef LM_REPORT_REPORT_INT_H
#define LM_REPORT_REPORT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#include "longmen/report.h"

/* The report's data (docs/report.md) read from db_path. New on LM_OK (release:
 * cJSON_Delete). */
lm_status lm__report_build(const char *db_path, cJSON **out, lm_error *err);
/* Parts of the report data, so that a client can ask for them one by one (the dashboard
 * draws the core while the firm-level sections and the other tables, the slow parts of a
 * big database, are read): the core (runs, arms, regions, years, region_year, the paired
 * differences, funds by arm), the sections made from the firm table, the other tables.
 * Every part carries format, generator and schema_version. */
enum {
    LM_REPORT_PART_CORE = 1u,
    LM_REPORT_PART_SECTIONS = 2u,
    LM_REPORT_PART_TABLES = 4u,
    LM_REPORT_PART_ALL = 7u
};
lm_status lm__report_build_parts(const char *db_path, unsigned parts, cJSON **out,
                                 lm_error *err);
/* The parts' JSON text, safe inside a <script> element (as lm_report_json). */
lm_status lm__report_json_parts(const char *db_path, unsigned parts, char **out, lm_error *err);

/* JSON text safe inside an HTML <script> element: "</" becomes "<\/" (the same string to a
 * JSON parser). New (release: free()); NULL when out of memory. */
char *lm__report_json_text(const cJSON *data);

/* Writes len bytes to path through path.tmp-<pid>-<n> and a rename. */
lm_status lm__report_write_atomic(const char *path, const char *text, size_t len, lm_error *err);

/* The headline figure of data as SVG text. New (release: free()); NULL when out of memory. */
char *lm__report_svg_text(const cJSON *data);

/* The report page for data: HTML text. New (release: free()). */
lm_status lm__report_html_text(const cJSON *data, char **out, size_t *len, lm_error *err);

/* The answer of a compare (paired.c): root.paired = {pairs, baseline_run_ids,
 * counterfactual_run_ids, years, touched: [region_id...], metrics: [{id, title, mean, lo, hi}]}
 * where mean[r][t] is the mean paired difference of region r (r = number of regions: the
 * total) in year t and lo/hi its 90% t-interval. Nothing is added when the database holds no
 * baseline and counterfactual arms. */
struct sqlite3;
lm_status lm__report_paired(struct sqlite3 *db, cJSON *root, lm_error *err);
/* root.fund_by_arm = [{arm, kind, funds, runs, paid_in, tvpi, dpi, loss_ratio,
 * loss_tolerance}]: the funds of each arm and kind pooled over its replications (paired.c). */
lm_status lm__report_fund_arms(struct sqlite3 *db, cJSON *root, lm_error *err);

/* ---- optimise (optimise_html.c) ---- */

/* Replications per mix below which optimise warns that its 90% intervals cannot be trusted
 * (t-intervals on R - 1 degrees of freedom: with 2, t = 6.3 and two equal values give a
 * zero-width interval). */
#define LM_OPTIMISE_RUNS_FOR_INTERVALS 5

/* Whether the database at db_path holds an optimise search (optimise_* tables, no run
 * table): its report is optimise_html.c's, not the run report's. */
bool lm__report_is_optimise(const char *db_path);

/* Writes dir/report.html (the frontier of public outlay against the objective with
 * intervals, the best mix and the runners-up, robustness) and dir/headline.svg (the
 * frontier) from dir/results.sqlite of an optimise search. */
lm_status lm__optimise_report_write(const char *dir, lm_error *err);

/* Quantile q in [0,1] of the n sorted values v (linear between order statistics, the
 * "type 7" of R and numpy's default). n >= 1. */
double lm__quantile_sorted(const double *v, size_t n, double q);

/* s as HTML or SVG text: <, >, & and " escaped (svg.c). */
void lm__report_escaped(FILE *f, const char *s);

#endif
