/* src/report/report_int.h -- shared by the report's data layer (data.c), its writers
 * (html.c, svg.c) and the server (src/server/), which serves the same data for any run.
 * Private to the library. */
#ifndef LM_REPORT_REPORT_INT_H
#define LM_REPORT_REPORT_INT_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "longmen/report.h"

/* The report's data (docs/report.md) read from db_path. New on LM_OK (release:
 * cJSON_Delete). */
lm_status lm__report_build(const char *db_path, cJSON **out, lm_error *err);

/* JSON text safe inside an HTML <script> element: "</" becomes "<\/" (the same string to a
 * JSON parser). New (release: free()); NULL when out of memory. */
char *lm__report_json_text(const cJSON *data);

/* Writes len bytes to path through path.tmp-<pid>-<n> and a rename. */
lm_status lm__report_write_atomic(const char *path, const char *text, size_t len, lm_error *err);

/* The headline figure of data as SVG text. New (release: free()); NULL when out of memory. */
char *lm__report_svg_text(const cJSON *data);

/* The report page for data: HTML text. New (release: free()). */
lm_status lm__report_html_text(const cJSON *data, char **out, size_t *len, lm_error *err);

/* Quantile q in [0,1] of the n sorted values v (linear between order statistics, the
 * "type 7" of R and numpy's default). n >= 1. */
double lm__quantile_sorted(const double *v, size_t n, double q);

#endif
