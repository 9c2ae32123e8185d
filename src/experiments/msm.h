/* src/experiments/msm.h -- what a method-of-simulated-moments fit says about its parameters:
 * standard errors from the Jacobian of the moments (the sandwich of Duffie & Singleton 1993,
 * Econometrica 61:929; Gourieroux & Monfort 1996, ch. 2), and which targets identify which
 * parameter. Pure arithmetic on arrays, so that it is tested on hand-made Jacobians;
 * calibrate.c measures the Jacobian by central differences at the fitted point.
 * docs/calibration.md, "Standard errors and identification". */
#ifndef LM_EXPERIMENTS_MSM_H
#define LM_EXPERIMENTS_MSM_H

#include <stdbool.h>

#include "longmen/error.h"

typedef struct lm__msm {
    int n_par, n_mom;       /* parameters; fitted moments */
    const double *jac;      /* [n_mom x n_par], row-major: d mean moment / d parameter */
    const double *sd;       /* [n_mom] the target's standard error (its scale in the objective) */
    const double *weight;   /* [n_mom] its weight: the objective is sum w (m - t)^2 / sd^2 */
    const double *sim_cov;  /* [n_mom x n_mom] covariance of one replication's moments, or
                               NULL (simulation noise ignored) */
    int runs;               /* replications averaged per evaluation */
    const double *step;     /* [n_par] the change of each parameter the identification
                               measure refers to (calibrate.c: the difference step) */
} lm__msm;

typedef struct lm__msm_result {
    double *se;             /* [n_par] standard errors; NaN where not identified */
    double *shift;          /* [n_mom x n_par] |moment change| over a step of the parameter, in
                               target standard errors */
    bool *identified;       /* [n_par] some fitted target moves by at least min_shift sd */
    double condition;       /* condition number of G'WG, parameters in steps (inf when
                               singular) */
} lm__msm_result;

/* A parameter is identified when a step moves some fitted target by at least this many of
 * its standard errors. */
#define LM_MSM_MIN_SHIFT 0.05

/* Fills r (its arrays allocated by the caller). The covariance of the estimate is
 *   V = A^-1 B A^-1,  A = G'WG,  B = G'W (S + sim_cov / runs) W G,
 *   W = diag(weight / sd^2),  S = diag(sd^2)
 * over the identified parameters; the others are left out of A (NaN standard error). */
lm_status lm__msm_standard_errors(const lm__msm *in, lm__msm_result *r, lm_error *err);

#endif
