/* include/longmen/report.h -- what a run looks like: a self-contained report.html (ECharts
 * and the data inside the file, nothing fetched when it opens) and headline.svg (the headline
 * figure, for slides), both made from a results database (docs/output.md). Every
 * `longmen run` writes them into its results folder; `longmen report OUT_DIR` writes them
 * again; `longmen serve` shows the same report for any run. src/report/.
 *
 * The report shows every section whose data the database holds and notes the others as "not
 * in this run's database yet", so a database from an older or newer longmen still gives a
 * report. A database with several runs (run_id) gives bands (the 5% and 95% quantiles over
 * the replications of an arm) and, with several arms (scenarios), baseline against
 * counterfactual. The data format is documented in docs/report.md. */
#ifndef LONGMEN_REPORT_H
#define LONGMEN_REPORT_H

#include "longmen/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The report's data as JSON text (docs/report.md), read from the SQLite database at db_path
 * (opened read-only). New on LM_OK (release: free()); the same database gives the same text. */
LM_API lm_status lm_report_json(const char *db_path, char **out, lm_error *err);

/* Writes report.html at html_path from db_path: one file with the styles, ECharts, the
 * report's script and the data inside. Written to a temporary file and renamed, so the file
 * is complete or absent. */
LM_API lm_status lm_report_write_html(const char *db_path, const char *html_path, lm_error *err);

/* Writes the headline figure as SVG (firms alive per region over time, and dragons per region
 * when the database counts them), atomically like the HTML. */
LM_API lm_status lm_report_write_svg(const char *db_path, const char *svg_path, lm_error *err);

/* Both, in dir: dir/results.sqlite -> dir/report.html and dir/headline.svg. */
LM_API lm_status lm_report_write_dir(const char *dir, lm_error *err);

/* 1 when ECharts was found at build time (npm ci had run), 0 when reports carry no charts. */
LM_API int lm_report_has_charts(void);

#ifdef __cplusplus
}
#endif
#endif
