/* src/experiments/evaluate.h -- evaluation of one scenario variant in memory, for the commands
 * that search over scenarios (calibrate, optimise): R replications with common random numbers
 * (replication i simulates with the base seed and run index run0 + i, whatever the variant),
 * each reduced at once to a vector of numbers ("moments") by the caller's function, nothing
 * written to disk. Replications run in parallel (OpenMP over replications, each simulation
 * single-threaded) and across MPI ranks (parallel.h); the rows are gathered in replication
 * order, so the result is bit-identical whatever the thread or process count.
 * src/experiments/evaluate.c. Private to the library. */
#ifndef LM_EXPERIMENTS_EVALUATE_H
#define LM_EXPERIMENTS_EVALUATE_H

#include <signal.h>
#include <stdint.h>

#include "longmen/error.h"
#include "longmen/longmen.h"

/* Reduces a finished simulation of sc to n_moments numbers in out (NaN where a moment is
 * undefined, e.g. a share of zero firms). Called from several threads at once, each with its
 * own sim: it must not touch shared state without a lock. */
typedef lm_status (*lm__moments_fn)(const lm_scenario *sc, const lm_sim *sim, double *out,
                                    void *user, lm_error *err);

typedef struct lm__eval_config {
    uint64_t seed;
    int runs;       /* replications, >= 1 */
    uint32_t run0;  /* run index of replication 0 */
    int threads;    /* OpenMP threads over replications; 0 = OpenMP's default */
    int n_moments;  /* length of a row */
    lm__moments_fn moments;
    void *user;
    volatile sig_atomic_t *stop_flag; /* polled between months; LM_EINTR when raised */
} lm__eval_config;

/* Simulates sc cfg->runs times and fills out (runs x n_moments, row i = replication i).
 * Errors of any replication (the first in replication order) stop the evaluation. */
lm_status lm__evaluate(const lm_scenario *sc, const lm__eval_config *cfg, double *out,
                       lm_error *err);

#endif
