/* tests/unit/core/test_detmath.c -- the machine-independent exp, log, pow, log1p, expm1
 * (src/core/detmath.h): close to the C library's over the ranges the model uses and beyond,
 * right at the special values, and bit-for-bit what they were when written (the pinned
 * values below were computed by these functions; any machine, compiler or flag that changes
 * one bit of them fails here). */
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include <criterion/criterion.h>

#include "core/detmath.h"

/* Distance in units in the last place between two finite doubles of the same sign. */
static double ulps(double got, double want)
{
    if (got == want)
        return 0;
    const double scale = ldexp(1.0, ilogb(want) - 52);
    return fabs(got - want) / scale;
}

/* A fixed, portable stream of uniforms (splitmix64), independent of the project's RNG. */
static uint64_t sm_state;
static double uniform(double lo, double hi)
{
    uint64_t z = (sm_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    return lo + (hi - lo) * ((double)(z >> 11) * 0x1p-53);
}

Test(detmath, exp_is_within_one_ulp_of_the_c_library)
{
    sm_state = 1;
    double worst = 0;
    for (int i = 0; i < 400000; ++i) {
        const double x = i % 2 ? uniform(-745, 709.7) : uniform(-40, 40);
        const double e = ulps(lm_exp(x), exp(x));
        if (exp(x) >= 0x1p-1022 && e > worst)
            worst = e;
    }
    cr_assert_leq(worst, 1.0, "exp: %.3f ulp", worst);
}

Test(detmath, log_is_within_one_ulp_of_the_c_library)
{
    sm_state = 2;
    double worst = 0;
    for (int i = 0; i < 400000; ++i) {
        const double x = i % 3 == 0   ? uniform(0.5, 2)
                         : i % 3 == 1 ? exp(uniform(-700, 700))
                                      : uniform(1e-3, 1e12);
        const double e = ulps(lm_log(x), log(x));
        if (e > worst)
            worst = e;
    }
    cr_assert_leq(worst, 1.0, "log: %.3f ulp", worst);
}

Test(detmath, log1p_and_expm1_are_within_a_few_ulp)
{
    sm_state = 3;
    double w1 = 0, w2 = 0;
    for (int i = 0; i < 200000; ++i) {
        const double x = i % 2 ? uniform(-0.999, 1e6) : uniform(-1e-6, 1e-6);
        const double e1 = ulps(lm_log1p(x), log1p(x));
        if (e1 > w1)
            w1 = e1;
        const double y = i % 2 ? uniform(-40, 700) : uniform(-1e-6, 1e-6);
        const double e2 = ulps(lm_expm1(y), expm1(y));
        if (e2 > w2)
            w2 = e2;
    }
    cr_assert_leq(w1, 4.0, "log1p: %.3f ulp", w1);
    cr_assert_leq(w2, 4.0, "expm1: %.3f ulp", w2);
}

Test(detmath, pow_error_grows_only_with_y_log_x)
{
    sm_state = 4;
    for (int i = 0; i < 200000; ++i) {
        const double x = i % 2 ? uniform(1e-6, 50) : uniform(0.9, 1.1);
        const double y = uniform(-40, 40);
        const double want = pow(x, y);
        if (!(want > 0x1p-1022 && want < 0x1p1023))
            continue;
        const double bound = 2 + fabs(y * log(x)) * 3;
        cr_assert_leq(ulps(lm_pow(x, y), want), bound, "pow(%.17g, %.17g)", x, y);
    }
}

Test(detmath, small_integral_powers_are_exact_where_representable)
{
    cr_assert_eq(lm_pow(2, 3), 8.0);
    cr_assert_eq(lm_pow(10, 15), 1e15);
    cr_assert_eq(lm_pow(1.5, 4), 5.0625);
    cr_assert_eq(lm_pow(3, -2), 1.0 / 9.0);
    cr_assert_eq(lm_pow(0.5, 16), 0x1p-16);
    sm_state = 5;
    for (int i = 0; i < 20000; ++i) { /* and within 2|y| + 2 ulp where it is not */
        const double x = uniform(0.5, 1.5), y = (double)(i % 33 - 16);
        cr_assert_leq(ulps(lm_pow(x, y), pow(x, y)), 2 * fabs(y) + 2, "pow(%.17g, %g)", x, y);
    }
}

Test(detmath, special_values_are_those_of_c)
{
    cr_assert_eq(lm_exp(0), 1.0);
    cr_assert(isinf(lm_exp(710)) && lm_exp(710) > 0);
    cr_assert_eq(lm_exp(-746), 0.0);
    cr_assert_eq(lm_exp(-INFINITY), 0.0);
    cr_assert(isnan(lm_exp(NAN)));
    cr_assert_eq(lm_exp(1e-300), 1.0);
    cr_assert_eq(lm_log(1), 0.0);
    cr_assert(isinf(lm_log(0)) && lm_log(0) < 0);
    cr_assert(isnan(lm_log(-1)));
    cr_assert(isinf(lm_log(INFINITY)));
    cr_assert_eq(ulps(lm_log(0x1p-1070), log(0x1p-1070)), 0.0, "a subnormal");
    cr_assert_eq(lm_log1p(0), 0.0);
    cr_assert_eq(lm_log1p(1e-300), 1e-300);
    cr_assert(isinf(lm_log1p(-1)) && lm_log1p(-1) < 0);
    cr_assert(isnan(lm_log1p(-2)));
    cr_assert_eq(lm_expm1(0), 0.0);
    cr_assert_eq(lm_expm1(-800), -1.0);
    cr_assert_eq(lm_pow(0, 2), 0.0);
    cr_assert(isinf(lm_pow(0, -1)));
    cr_assert_eq(lm_pow(-2, 3), -8.0);
    cr_assert_eq(lm_pow(-2, 2), 4.0);
    cr_assert(isnan(lm_pow(-2, 0.5)));
    cr_assert_eq(lm_pow(7.3, 0), 1.0);
    cr_assert_eq(lm_pow(1, NAN), 1.0);
    cr_assert_eq(lm_pow(4, 0.5), 2.0);
    cr_assert_eq(lm_pow(INFINITY, -1), 0.0);
    cr_assert_eq(lm_pow(0.5, INFINITY), 0.0);
}

/* Bits pinned when the functions were written: the point of the module is that these hold on
 * every machine and build. A change of the algorithms must update them on purpose. */
Test(detmath, the_same_bits_on_every_machine)
{
    static const struct {
        char fn;
        double x, y;
        uint64_t bits;
    } pinned[] = {
#include "detmath_pinned.inc"
    };
    const size_t n = sizeof pinned / sizeof pinned[0];
    cr_assert_geq(n, 20);
    for (size_t i = 0; i < n; ++i) {
        const double x = pinned[i].x, y = pinned[i].y;
        const double got = pinned[i].fn == 'e'   ? lm_exp(x)
                           : pinned[i].fn == 'l' ? lm_log(x)
                           : pinned[i].fn == 'p' ? lm_pow(x, y)
                           : pinned[i].fn == 'L' ? lm_log1p(x)
                                                 : lm_expm1(x);
        cr_expect_eq(lm__dbits(got), pinned[i].bits, "%c(%.17g, %.17g) = %a, pinned %a",
                     pinned[i].fn, x, y, got, lm__dfrom(pinned[i].bits));
    }
}

/* ---- arrays: lm_exp_n, lm_log_n and lm_pow_n (AVX2 where the CPU has it) give the scalar's bits ---- */

static uint64_t mix64(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static double dbl_of(uint64_t u)
{
    double d;
    memcpy(&d, &u, sizeof d);
    return d;
}

static uint64_t bits_of(double d)
{
    uint64_t u;
    memcpy(&u, &d, sizeof u);
    return u;
}

/* A mix of the arguments a model passes (qualities, elasticities, shocks) and of the edges:
 * zero, one, subnormals, negatives, infinities, NaN, integral exponents, huge and tiny. */
static double argument(uint64_t *s, int kind)
{
    static const double edges[] = {0.0, -0.0, 1.0, -1.0, 2.0, 0.5, 16.0, 17.0, -16.0, 1e-310,
                                   -1e-310, 1e-300, 1e300, 709.78, 709.79, -745.1, -745.2,
                                   511.9, 512.0, -512.0, 0x1p-54, 0x1p-55, -0x1p-54, INFINITY,
                                   -INFINITY, NAN, 1.6, 1.2, 3.0, 0.25, 1e-9, 1e9};
    const uint64_t r = mix64(s);
    switch (kind) {
    case 0:
        return edges[r % (sizeof edges / sizeof edges[0])];
    case 1: /* any bit pattern */
        return dbl_of(r);
    case 2: /* uniform on (-40, 40) */
        return ((double)(r >> 11) * 0x1p-53 - 0.5) * 80.0;
    default: /* positive, log-uniform over 2^-60 .. 2^60 */
        return exp2(((double)(r >> 11) * 0x1p-53 - 0.5) * 120.0);
    }
}

Test(detmath, array_versions_give_the_scalar_bits)
{
    enum { N = 4099 }; /* not a multiple of four: the tail too */
    static double x[N], y[N], vec[N], sca[N];
    uint64_t s = 12345;
    for (int round = 0; round < 200; ++round) {
        for (int i = 0; i < N; ++i) {
            /* mostly plain arguments, a fifth of anything, so that most groups of four mix */
            const int kx = (int)(mix64(&s) % 5), ky = (int)(mix64(&s) % 5);
            x[i] = argument(&s, kx == 4 ? 3 : kx);
            y[i] = argument(&s, ky == 4 ? 2 : ky);
            if (ky == 3)
                y[i] = ((double)(mix64(&s) >> 11) * 0x1p-53 - 0.5) * 6.0;
        }
        const size_t n = (size_t)N - (size_t)round % 7; /* several lengths */
        lm_exp_n(y, vec, n);
        lm__exp_n_scalar(y, sca, n);
        for (size_t i = 0; i < n; ++i)
            cr_assert_eq(bits_of(vec[i]), bits_of(sca[i]), "exp(%a): %a, scalar %a", y[i],
                         vec[i], sca[i]);
        lm_log_n(x, vec, n);
        lm__log_n_scalar(x, sca, n);
        for (size_t i = 0; i < n; ++i)
            cr_assert_eq(bits_of(vec[i]), bits_of(sca[i]), "log(%a): %a, scalar %a", x[i],
                         vec[i], sca[i]);
        lm_pow_n(x, y, vec, n);
        lm__pow_n_scalar(x, y, sca, n);
        for (size_t i = 0; i < n; ++i)
            cr_assert_eq(bits_of(vec[i]), bits_of(sca[i]), "pow(%a, %a): %a, scalar %a", x[i],
                         y[i], vec[i], sca[i]);
    }
}
