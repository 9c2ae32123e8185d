/* src/core/rng.c -- the gsl_rng type that wraps a Philox stream (rng.h), so GSL's samplers
 * draw from our counters. The type has no state of its own: `state` points at an lm_rng. */
#include <math.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_sf_gamma.h>

#include "core/rng.h"
#include "core/detmath.h"

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

unsigned lm_rng_poisson_inv(lm_rng *g, double mean)
{
    if (!(mean > 0.0))
        return 0;
    if (mean < 600.0) /* exp(-mean) is far from underflow: walk up from 0 */
        return lm_rng_poisson_small(g, mean);
    /* Start at the mode, where the cdf and the mass are known, and walk to the uniform: a
       few standard deviations at most. */
    const double u = lm_rng_u01(g);
    unsigned k = (unsigned)floor(mean);
    double cdf = gsl_cdf_poisson_P(k, mean);
    double p = lm_exp((double)k * lm_log(mean) - mean - gsl_sf_lngamma((double)k + 1.0));
    if (u <= cdf) {
        while (k > 0 && u <= cdf - p && p > 0.0) {
            cdf -= p;
            p *= (double)k / mean;
            --k;
        }
        return k;
    }
    while (u > cdf && p > 0.0) {
        ++k;
        p *= mean / (double)k;
        cdf += p;
    }
    return k;
}

double lm_rng_gaussian(lm_rng *g)
{
    gsl_rng r = lm_rng_gsl(g);
    return gsl_ran_gaussian_ziggurat(&r, 1.0);
}
