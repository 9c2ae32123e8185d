/* include/longmen/optimise.h -- `longmen optimise` (issue 7): the policy mix of one region
 * that maximises an expected outcome (little dragons by default) under the region's annual
 * public budget. The levers (which scenario edits may change, over which range or set, at
 * what a-priori cost) come from a YAML levers file; every candidate mix is simulated R times
 * in memory with common random numbers (the same seed and run indices 0..R-1 for every mix),
 * the search is NLopt's COBYLA with the budget as an inequality constraint on the simulated
 * mean annual public money of the region, and the best mix and the runner-ups are simulated
 * again on fresh run indices to say how often the best stays best. src/experiments/optimise.c
 * and optimise_core.c; method, levers format and outputs: docs/experiments.md ("optimise"),
 * tables: docs/output.md. */
#ifndef LONGMEN_OPTIMISE_H
#define LONGMEN_OPTIMISE_H

#include <stdbool.h>

#include "longmen/error.h"
#include "longmen/experiments.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LM_OPTIMISE_MAX_EVALS 100000
#define LM_OPTIMISE_MAX_REDRAWS 1000

/* Where a search stands, after each evaluation (a mix simulated R times). */
typedef struct lm_optimise_progress {
    int evals_done;    /* evaluations so far (resumed ones included) */
    int evals_planned; /* an estimate: search + robustness */
    int resumed;       /* of them, replayed from the cache */
    bool robustness;   /* in the robustness phase */
    double best;       /* best feasible objective so far; NaN when none */
    double elapsed_s;
} lm_optimise_progress;

typedef struct lm_optimise_config {
    /* job: scenario_path, seed, threads, out_dir, from/to, force, quiet, stop_flag,
     * max_memory; runs: replications per evaluation (R); resume: continue from DIR.partial;
     * precision (at most one target, on the objective: metric NULL, "METRIC" or
     * "REGION.METRIC") and max_runs (0: max(R, 200)): every mix gets batches of R until the
     * 90% half-width of its mean objective is at most the target, or max_runs */
    lm_experiment_config x;
    const char *levers_path; /* required */
    const char *region;      /* name or name_en; NULL: the levers file's `region` */
    double budget_cny_year;  /* > 0, unless budget_cny_total is given */
    double budget_cny_total; /* > 0: the budget over the policy era of the period (the
                                years public money a year is averaged over) instead, made a
                                yearly one by dividing by them; 0: budget_cny_year */
    const char *objective;   /* dragons (default), high_tech, jobs, firms_alive, births,
                                revenue */
    int evals;               /* search evaluations (default 40) */
    int robustness;          /* fresh draws of the robustness check (default 5; 0 = none) */
    int runner_ups;          /* mixes reported after the best (default 3) */
    void (*progress)(const lm_optimise_progress *p, void *user); /* may be NULL */
    void *progress_user;
} lm_optimise_config;

/* Defaults: lm_experiment_config_init with runs 10, objective dragons, evals 40,
 * robustness 5, runner_ups 3. */
LM_API void lm_optimise_config_init(lm_optimise_config *cfg);

/* The metric (longmen/metrics.h) an --objective names, -1 unless it is one the search may
 * maximise: an outcome of a run (LM_METRIC_OUTCOMES) but the public money, its constraint.
 * list (may be NULL) receives their names, "dragons, ... or revenue_cny". */
LM_API int lm_optimise_objective(const char *name, char *list, size_t size);

/* Runs the search. On LM_OK the folder (default runs/<name>-seed<N>-optimise) holds
 * results.sqlite (tables optimise_config, optimise_lever, optimise_evaluation,
 * optimise_value, optimise_replication, optimise_mix), optimise.csv and summary.txt; res->summary is
 * the table printed. Every evaluation is committed to DIR.partial/results.sqlite as it ends,
 * so on LM_EINTR (stop_flag) the finished ones stay and `resume` replays them and continues
 * the same search. Errors: a levers file error as file:line:col: field: message; a lever
 * whose edit does not fit the scenario at the lever; LM_EEXIST for the folder as
 * lm_experiment_replicate. */
LM_API lm_status lm_experiment_optimise(const lm_optimise_config *cfg, lm_experiment_result *res,
                                        lm_error *err);

/* Parses an amount of money in CNY (src/scenario/money.c): a plain number (2e9, 1500000000)
 * optionally followed by a unit, k/thousand, 万 (1e4), m/mn/million, 亿 (1e8), bn/b/billion,
 * 万亿/tn/trillion (case-insensitive, a space allowed before it), and optionally CNY, RMB,
 * yuan or 元: "2bn", "500m", "1.5e9", "100亿", "5000万". The same syntax works in every
 * money field of a scenario. False when malformed, negative or not finite. */
LM_API bool lm_parse_money(const char *text, double *out);
/* As lm_parse_money; on failure why (size bytes) says what is wrong in one phrase, naming
 * the valid units and the closest one for an unknown unit. */
LM_API bool lm_parse_money_why(const char *text, double *out, char *why, size_t size);

#ifdef __cplusplus
}
#endif
#endif
