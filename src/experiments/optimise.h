/* src/experiments/optimise.h -- the search of `longmen optimise` over a callback objective,
 * so that it can be tested without a simulation (tests/unit/experiments/test_optimise.c).
 * src/experiments/optimise_core.c; the method is documented in docs/experiments.md
 * ("optimise").
 *
 * A mix is a vector with one number per lever: a continuous lever's value, or a discrete
 * lever's option index (0 .. n_options-1). The caller's function evaluates a mix on a draw of
 * replications (draw 0: the search's common random numbers; draw d >= 1: fresh replications
 * for the robustness check) and returns the mean objective (to maximise) and the mean annual
 * public cost, each with its 90% interval. A mix is feasible when its mean cost is at most the
 * budget.
 *
 * Search: every combination of the discrete levers whose a-priori cost can fit the budget is
 * evaluated at the continuous levers' start values (screening); the rest of the evaluations
 * go to NLopt's COBYLA (maximising the objective under the inequality constraint mean cost <=
 * budget, and the a-priori cost <= budget when levers declare costs) over the continuous
 * levers of the best screened combinations, in the unit cube. Every evaluation is kept; the
 * best mix is the feasible evaluated mix with the highest objective, the runner-ups the next
 * ones that differ from every mix reported before them (another combination, or a continuous
 * lever further apart than `distinct` of its range). Robustness: the best mix and the
 * runner-ups are evaluated again on draws 1..redraws; a draw counts for the best mix when its
 * objective is the highest of them (ties go to the better-ranked mix). */
#ifndef LM_EXPERIMENTS_OPTIMISE_H
#define LM_EXPERIMENTS_OPTIMISE_H

#include <stdbool.h>
#include <stdint.h>

#include "longmen/error.h"

typedef struct lm__opt_lever {
    int n_options;        /* 0: continuous; else a discrete lever with options 0..n-1 */
    double lo, hi;        /* continuous: bounds, lo < hi */
    double start;         /* continuous: first value tried; NaN = the middle */
    double step;          /* continuous: values rounded to lo + k step; 0 = not rounded */
    double cost_per_unit; /* continuous: a-priori CNY a year per unit of the value */
    const double *option_cost; /* discrete: a-priori CNY a year per option; NULL = 0 */
} lm__opt_lever;

typedef struct lm__opt_outcome {
    double objective, objective_lo, objective_hi; /* mean and 90% interval */
    double cost, cost_lo, cost_hi;                /* mean annual public money, 90% interval */
    int runs;                                     /* replications behind the means */
} lm__opt_outcome;

/* How many replications a mix gets (`optimise --precision`): a first batch of `first`, then
 * `first` more at a time, in run-index order, while the 90% interval of the mean objective
 * is wider than 2 half and fewer than max_runs are done. half 0: one batch of `first`. */
typedef struct lm__opt_rule {
    double half;
    int first;    /* >= 1 */
    int max_runs; /* >= first */
} lm__opt_rule;

/* Simulates replications first .. first+n-1 of the mix being evaluated and writes their
 * objective values to objective[first .. first+n-1]. */
typedef lm_status (*lm__opt_batch_fn)(int first, int n, double *objective, void *user,
                                      lm_error *err);

/* Replicates one mix under rule: batch is called for runs 0.., each batch starting where the
 * last ended, so the values are those of one call for the final count; objective holds
 * rule->max_runs values. *runs: the count reached (also on error: the values kept). The
 * stopping rule is compare's (lm__precision_reached, against a baseline of zeros: the
 * interval of a mean is that of its difference from 0). */
lm_status lm__opt_replicate(const lm__opt_rule *rule, lm__opt_batch_fn batch, void *user,
                            double *objective, int *runs, lm_error *err);

/* Evaluates mix on draw. LM_EINTR (or any error) stops the search; the error is returned. */
typedef lm_status (*lm__opt_eval_fn)(const double *mix, int draw, lm__opt_outcome *out,
                                     void *user, lm_error *err);

typedef struct lm__opt_problem {
    const lm__opt_lever *levers;
    int n_levers;        /* 1 .. 16 */
    double budget;       /* CNY a year, > 0 */
    int evals;           /* search evaluations to spend (at least one per combination) */
    int runner_ups;      /* mixes reported after the best */
    int redraws;         /* robustness draws; 0 = none */
    double distinct;     /* share of a continuous range that makes two mixes distinct */
    uint64_t seed;       /* nlopt_srand */
    lm__opt_eval_fn eval;
    void *user;
} lm__opt_problem;

typedef struct lm__opt_eval {
    double *mix;         /* n_levers numbers (into lm__opt_result.mixes) */
    int combo;           /* index of the discrete combination */
    int draw;
    double apriori;      /* a-priori cost of the mix, CNY a year */
    bool feasible;       /* outcome.cost <= budget */
    lm__opt_outcome out;
} lm__opt_eval;

typedef struct lm__opt_result {
    lm__opt_eval *evals; /* every evaluation, in the order made */
    double *mixes;
    int n_evals, cap;
    int n_search;        /* evaluations of draw 0 */
    int n_combos;        /* combinations of the discrete levers */
    int n_pruned;        /* of them left out because their a-priori cost exceeds the budget */
    int n_local;         /* combinations refined by COBYLA */
    int ranked[32];      /* best, then runner-ups: indices into evals (draw 0) */
    int n_ranked;        /* 0 when no evaluated mix is feasible */
    /* robustness: rob[d * n_ranked + j] = index into evals of ranked[j] on draw d + 1 */
    int *rob;
    int n_draws;
    int best_stays;      /* draws where the best mix has the highest objective */
    int best_feasible;   /* draws where it stays within the budget */
    double fresh_mean, fresh_lo, fresh_hi; /* the best mix's objective over the fresh draws:
                                              mean of the draw means, 90% t-interval */
} lm__opt_result;

/* Runs the search and the robustness check. res is filled also on failure (the evaluations
 * made so far); release with lm__opt_result_fini. */
lm_status lm__opt_run(const lm__opt_problem *p, lm__opt_result *res, lm_error *err);
/* Does ranked mix j win fresh draw d of res: the best objective of the draw, held alone (a tie
 * is a win for no mix)? */
bool lm__opt_wins_draw(const lm__opt_result *res, int d, int j);
void lm__opt_result_fini(lm__opt_result *res);

/* The value a continuous lever takes for u in [0, 1]: lo + u (hi - lo), rounded to step,
 * then to 15 significant digits (the text the scenario reads). */
double lm__opt_value(const lm__opt_lever *L, double u);

#endif
