/* src/core/minmax.h -- fmin and fmax that the compiler can inline.
 *
 * Without -ffinite-math-only (which would also fold away the model's NaN checks), gcc and
 * clang call libm's fmin and fmax: a call per use, 1-2% of a run in the per-firm phases. These
 * return what fmin and fmax return, a NaN argument included (the other one is returned); for
 * equal arguments (+0 and -0) they return the second. */
#ifndef LM_CORE_MINMAX_H
#define LM_CORE_MINMAX_H

static inline double lm_fmin(double a, double b) { return a < b || b != b ? a : b; }
static inline double lm_fmax(double a, double b) { return a > b || b != b ? a : b; }

#endif
