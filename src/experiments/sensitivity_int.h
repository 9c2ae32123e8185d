/* src/experiments/sensitivity_int.h -- what sensitivity.c hands its figure
 * (sensitivity_svg.c). Private to the library. */
#ifndef LM_EXPERIMENTS_SENSITIVITY_INT_H
#define LM_EXPERIMENTS_SENSITIVITY_INT_H

#include "longmen/sensitivity.h"

/* Everything borrowed. idx and order: n_outputs x n_params, row-major; order[o][r] is the
 * parameter of rank r for output o. */
typedef struct lm__sens_figure {
    const char *title;
    int n_outputs, n_params;
    const char *const *outputs; /* labels, "dragons, total" */
    const char *const *params;
    const lm_sens_index *idx;
    const int *order;
    bool intervals; /* draw the bootstrap whiskers */
    int n, runs;    /* for the subtitle */
} lm__sens_figure;

/* sensitivity.svg: one panel per output, a pair of horizontal bars (S1, ST) per parameter in
 * rank order, with the 90% intervals as whiskers. */
lm_status lm__sens_svg_write(const char *path, const lm__sens_figure *fig, lm_error *err);

#endif
