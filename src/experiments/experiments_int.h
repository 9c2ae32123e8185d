/* src/experiments/experiments_int.h -- the engine shared by `run --runs` (replicate.c) and
 * `compare` (compare.c): run every replication of every arm into DIR.partial/results.sqlite,
 * resumably, then read the headline metrics of every run back from the database and let the
 * caller write its table. Private to the library. */
#ifndef LM_EXPERIMENTS_INT_H
#define LM_EXPERIMENTS_INT_H

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>

#include "io/rows.h"
#include "longmen/experiments.h"
#include "longmen/longmen.h"
#include "longmen/metrics.h"

/* sweep.c: the sweep's own tables, declared once (io/rows.h). */
extern const lm_row_table lm__rows_sweep_point, lm__rows_sweep_value;
/* optimise.c: the levers and the ranked mixes of a search. */
extern const lm_row_table lm__rows_optimise_config, lm__rows_optimise_lever, lm__rows_optimise_mix,
    lm__rows_optimise_value, lm__rows_optimise_replication, lm__rows_optimise_evaluation;
/* calibrate.c: calibration and calibration_parameter, _target, _evaluation, _value, _moment,
 * _summary. */
extern const lm_row_table lm__rows_calibration, lm__rows_calibration_parameter,
    lm__rows_calibration_target, lm__rows_calibration_evaluation, lm__rows_calibration_value,
    lm__rows_calibration_moment, lm__rows_calibration_summary;
/* sensitivity.c: sensitivity, _point, _value, _output, _y, _index. */
extern const lm_row_table lm__rows_sensitivity, lm__rows_sensitivity_point,
    lm__rows_sensitivity_value, lm__rows_sensitivity_output, lm__rows_sensitivity_y,
    lm__rows_sensitivity_index;

/* metrics.c: the metrics of longmen/metrics.h (a vector m[LM_METRIC_COUNT] per run and
 * region). lm__metrics_add folds the rows of table t (in time order) of region into m, every
 * metric that reads t by its reduction; lm__metrics_finish derives the ratios. */
void lm__metrics_add(double *m, const lm_row_table *t, const void *rows, size_t n, int region);
void lm__metrics_finish(double *m);
/* m of region from the years the simulation holds (no fund metrics: those are 0, TVPI NaN). */
void lm__metrics_of_sim(const lm_sim *sim, int region, double *m);
/* m[(n_regions + 1) x LM_METRIC_COUNT] of run_id read back from db, the total last. */
lm_status lm__metrics_read(sqlite3 *db, const char *path, int64_t run_id, int n_regions,
                           double *m, lm_error *err);
/* The position in ids[0..n) of the metric text names (name, word or alias), -1 when none;
 * then list holds the names of ids, ", " between them and last before the last one (an
 * error's "expected ..."). */
int lm__metric_pick(const char *text, const lm_metric *ids, int n, char *list, size_t size,
                    const char *last);
/* The declared column a metric reads, and its words for the docs: "table.column", "SUM"
 * (the reduction's name), unit, title, one line, the other spelling (NULL: none). */
const lm_row_column *lm__metric_column(lm_metric m);
const char *lm__metric_source(lm_metric m);
const char *lm__metric_reduction(lm_metric m);
const char *lm__metric_alias(lm_metric m);
const char *lm__metric_unit(lm_metric m);
const char *lm__metric_title(lm_metric m);
const char *lm__metric_doc(lm_metric m);

/* memory.c: LM_ENOMEM when the run, with the firms sim has so far, passes max_memory (0: the
 * default limit, UINT64_MAX: none) by lm_job_estimate_memory's accounting. Checked after
 * every month by the job runners. */
lm_status lm__job_check_memory_now(const lm_scenario *sc, const lm_sim *sim, uint64_t max_memory,
                                   lm_error *err);

typedef struct lm__arm {
    const char *name; /* run.arm; NULL for plain replications */
    lm_scenario *sc;  /* borrowed */
} lm__arm;

/* What the engine hands the table writer. metric(a, i, r, k): arm a, replication i, region
 * r (n_regions = the total over regions), metric k. */
typedef struct lm__experiment {
    const lm_experiment_config *cfg;
    const lm__arm *arms;
    int n_arms, runs, n_regions;
    uint64_t seed;
    int32_t start, end;
    const char *out_dir;
    double *m; /* (n_arms * runs) x (n_regions + 1) x LM_METRIC_COUNT */
    const void *user; /* the caller's, for its table writer (sweep.c) */
} lm__experiment;

static inline double lm__xm(const lm__experiment *x, int a, int i, int r, int k)
{
    return x->m[(((size_t)a * (size_t)x->runs + (size_t)i) * (size_t)(x->n_regions + 1) +
                 (size_t)r) * LM_METRIC_COUNT + (size_t)k];
}

/* Writes the headline table (and any extra files into dir, e.g. compare.csv). */
typedef lm_status (*lm__table_fn)(FILE *f, const lm__experiment *x, const char *dir,
                                  lm_error *err);

/* A stopping rule: true when the replications x holds are enough (compare --precision). */
typedef bool (*lm__until_fn)(const lm__experiment *x);

/* Runs the experiment: out folder default "runs/<name>-seed<N><suffix>"; arms[0].sc gives
 * the name, period and seed. With until, in batches: cfg->runs replications per arm first,
 * then cfg->runs more at a time until until(x) or cfg->max_runs; each batch renumbers the
 * runs already in the database to the new size (run_id = arm * runs + i + 1), so the result
 * is the one of a job of the final size (one process only). until NULL: one batch of
 * cfg->runs. */
lm_status lm__experiment_execute_until(const lm_experiment_config *cfg, const lm__arm *arms,
                                       int n_arms, const char *suffix, lm__table_fn table,
                                       lm__until_fn until, const void *user,
                                       lm_experiment_result *res, lm_error *err);

/* lm_experiment_compare with the counterfactual arm read from cf_path (NULL: the baseline's
 * file), edits applied to it: `longmen serve` writes the page's in-place edits to a copy. */
lm_status lm__experiment_compare_files(const lm_experiment_config *cfg, const char *cf_path,
                                       const lm_scenario_edits *edits,
                                       lm_experiment_result *res, lm_error *err);

/* The arms "point 1" .. "point n" of a design (sweep.c, sensitivity.c): arm k is the scenario
 * at path with the edits names[j]=values[k d + j] (j < d, written with 15 significant digits,
 * the text the simulation reads), narrowed to job's --from/--to; an edit that changes the
 * number of regions is an error. On LM_OK the arms are the caller's (lm__point_arms_free,
 * also after a failure). */
typedef struct lm__point_arms {
    lm__arm *arm;
    char *names;
    int n;
} lm__point_arms;
lm_status lm__point_arms_make(const char *path, const char *const *names, int d,
                              const double *values, int n, const lm_job_config *job,
                              lm__point_arms *out, lm_error *err);
void lm__point_arms_free(lm__point_arms *pa);

/* Writes text (len bytes) to dir/name, flushed and fsynced (replicate.c): the summaries,
 * CSVs and overlays of the experiment commands. */
lm_status lm__write_text(const char *dir, const char *name, const char *text, size_t len,
                         lm_error *err);

/* A file of a job's folder (a CSV, summary.txt, calibrated.yaml), gathered in memory through
 * o->f and written whole and synced by lm__out_close (lm__write_text), so that every command
 * writes its files one way and their failures are one status. Only rank 0 writes: the other
 * MPI ranks hold the same. lm__out_open: LM_ENOMEM when no memory stream opens. */
typedef struct lm__out {
    FILE *f;
    char *text;
    size_t len;
    const char *dir, *name;
} lm__out;
lm_status lm__out_open(lm__out *o, const char *dir, const char *name, lm_error *err);
/* Closes o->f and, when st is LM_OK, writes the file; returns the status. The text goes to
 * *keep when keep is not NULL (a summary the command also prints), else is freed. */
lm_status lm__out_close(lm__out *o, lm_status st, char **keep, lm_error *err);

/* Holds the job after the count-th event of this process when LM_PAUSE_AT=event:count is
 * set, until *stop is set (pause_point.c): the test suite's way to interrupt a job at a
 * known point instead of after a fixed sleep. Events: "run" (a replication appended to the
 * job's database), "evaluation" (calibrate's and optimise's, committed to <DIR>.partial). */
void lm__pause_point(const char *event, long count, const volatile sig_atomic_t *stop);

/* The metrics of compare's table, pairs.csv, paths.csv and costs.csv, in their order
 * (compare.c), and the value of one in arm a, replication i, region r. */
enum { LM_CMP_DRAGONS, LM_CMP_HIGH_TECH, LM_CMP_JOBS, LM_CMP_TVPI, LM_CMP_PUBLIC, LM_CMP_COUNT };
extern const lm_metric lm__cmp_metrics[LM_CMP_COUNT];
#define lm__cmp_value(x, a, i, r, c) lm__xm(x, a, i, r, lm__cmp_metrics[c])
#define lm__cmp_name(c) lm_metric_name(lm__cmp_metrics[c])

/* s as a CSV field: in double quotes, a quote doubled; NULL as "" (replicate.c). */
void lm__csv_text(FILE *f, const char *s);
/* ",v" with v to 17 digits; "," alone for NaN (a replication without policy funds has no
 * TVPI). */
void lm__csv_num(FILE *f, double v);

/* A scenario name made safe as a folder name (no '/', '\\', ':', control characters or
 * spaces; "." and ".." and "" become fallback), for the default out folders (job.c). */
void lm__folder_safe(char *dst, size_t size, const char *name, const char *fallback);

/* compare's pairs.csv, paths.csv and costs.csv into dir, and the cost table onto summary
 * (compare_paths.c); dir holds results.sqlite with both arms. */
/* Fieller's 90% interval of mean(num) / mean(den) over n paired values (compare_paths.c);
 * false, with NaN bounds, when the denominator's own 90% interval includes 0. */
bool lm__fieller_ci90(const double *num, const double *den, size_t n, double *lo, double *hi);
lm_status lm__compare_write_paths(FILE *summary, const lm__experiment *x, const char *dir,
                                  lm_error *err);

/* Sets sc's period to --from/--to of job where given (compare.c; also sweep.c). */
lm_status lm__experiment_narrow(lm_scenario *sc, const lm_job_config *job, lm_error *err);

/* A cell "mean [lo, hi]" of x[0..n-1] (counts: no decimals from 100 up; scale divides). */
void lm__cell_mean_ci(char *buf, size_t size, const double *x, size_t n, double scale);

#endif
