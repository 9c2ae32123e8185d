/* src/core/rng.c -- the gsl_rng type that wraps a Philox stream (rng.h), so GSL's samplers
 * draw from our counters. The type has no state of its own: `state` points at an lm_rng. */
#include <math.h>

#include <gsl/gsl_randist.h>

#include "core/rng.h"

static void philox_set(void *state, unsigned long seed)
{
    /* Streams are keyed at lm_rng_init; gsl_rng_set has nothing to add. */
    (void)state;
    (void)seed;
}

static unsigned long philox_get(void *state) { return lm_rng_u32((lm_rng *)state); }

static double philox_get_double(void *state) { return lm_rng_u01((lm_rng *)state); }

static const gsl_rng_type philox_type = {
    "lm_philox4x32", 0xffffffffUL, 0, sizeof(lm_rng), philox_set, philox_get, philox_get_double};

const gsl_rng_type *const lm_gsl_philox_type = &philox_type;

unsigned lm_rng_poisson(lm_rng *g, double mean)
{
    if (!(mean > 0.0))
        return 0;
    if (mean < 30.0)
        return lm_rng_poisson_small(g, mean);
    gsl_rng r = lm_rng_gsl(g);
    return gsl_ran_poisson(&r, mean);
}

double lm_rng_gaussian(lm_rng *g)
{
    gsl_rng r = lm_rng_gsl(g);
    return gsl_ran_gaussian_ziggurat(&r, 1.0);
}
