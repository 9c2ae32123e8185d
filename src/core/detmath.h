/* src/core/detmath.h -- exp, log, pow, log1p and expm1 that give the same bits on every
 * machine.
 *
 * glibc chooses its exp, log and pow at load time by the processor (an FMA version where the
 * CPU has FMA, a generic one elsewhere), and the two differ in the last bit for some
 * arguments. A simulation whose firms' fates hang on those values then gives other results
 * for the same seed on another x86-64 machine. These functions use only IEEE-754 additions,
 * multiplications, divisions and conversions, which every conforming machine rounds alike;
 * the build's -ffp-contract=off keeps the compiler from fusing them. They are inline so the
 * per-firm loops pay no call.
 *
 * exp reduces by a table of 2^(j/64) and a short polynomial; log is the FreeBSD/musl port of
 * Sun's fdlibm (e_log.c: "Developed at SunPro, a Sun Microsystems, Inc. business. Permission
 * to use, copy, modify, and distribute this software is freely granted, provided that this
 * notice is preserved."). Both are within 1 ulp. pow is exp(y log x), within (2 + 3 |y log x|) ulp, which is ample for a
 * model's elasticities and growth factors (a small integral y is done by squaring: exact
 * where the result is representable); log1p and expm1 use Kahan's corrections on top of
 * log and exp (a few ulp). tests/unit/core/test_detmath.c checks the errors against the C
 * library and pins the bits of a set of arguments. */
#ifndef LM_CORE_DETMATH_H
#define LM_CORE_DETMATH_H

#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline uint64_t lm__dbits(double x)
{
    uint64_t u;
    memcpy(&u, &x, sizeof u);
    return u;
}

static inline double lm__dfrom(uint64_t u)
{
    double x;
    memcpy(&x, &u, sizeof x);
    return x;
}

/* y * 2^n by multiplications with exact powers of two (musl's scalbn). */
static inline double lm__scalbn(double y, int n)
{
    if (n > 1023) {
        y *= 0x1p1023;
        n -= 1023;
        if (n > 1023) {
            y *= 0x1p1023;
            n -= 1023;
            if (n > 1023)
                n = 1023;
        }
    } else if (n < -1022) {
        /* 0x1p-1022 * 0x1p53: scaled twice so that the rounding into subnormals happens once */
        y *= 0x1p-1022 * 0x1p53;
        n += 1022 - 53;
        if (n < -1022) {
            y *= 0x1p-1022 * 0x1p53;
            n += 1022 - 53;
            if (n < -1022)
                n = -1022;
        }
    }
    return y * lm__dfrom((uint64_t)(0x3ff + n) << 52);
}

/* 2^(j/64) for j = 0..63, rounded to a double, and the relative error of that rounding:
 * {hi, (2^(j/64) - hi) / hi}, computed to 80 digits (Python's decimal) when written. */
static const double lm__exp2_64[64][2] = {
    {0x1.0000000000000p+0, 0x0.0p+0},
    {0x1.02c9a3e778061p+0, -0x1.160139cd8dc5dp-56},
    {0x1.059b0d3158574p+0, 0x1.cd2523567f613p-55},
    {0x1.0874518759bc8p+0, 0x1.0f74e61e6c861p-57},
    {0x1.0b5586cf9890fp+0, 0x1.79aa65d837b6dp-54},
    {0x1.0e3ec32d3d1a2p+0, 0x1.ebe3d702f9cd1p-60},
    {0x1.11301d0125b51p+0, -0x1.556522a2fbd0ep-54},
    {0x1.1429aaea92de0p+0, -0x1.1c923b9d5f416p-54},
    {0x1.172b83c7d517bp+0, -0x1.01b15eaa59348p-55},
    {0x1.1a35beb6fcb75p+0, 0x1.b898c3f1353bfp-55},
    {0x1.1d4873168b9aap+0, 0x1.aecf73e3a2f60p-54},
    {0x1.2063b88628cd6p+0, 0x1.a6f4144a6c38dp-55},
    {0x1.2387a6e756238p+0, 0x1.68efde3a8a894p-54},
    {0x1.26b4565e27cddp+0, 0x1.0472b981fe7f2p-55},
    {0x1.29e9df51fdee1p+0, 0x1.2f7e16d09ab31p-55},
    {0x1.2d285a6e4030bp+0, 0x1.b3782720c0ab4p-55},
    {0x1.306fe0a31b715p+0, 0x1.34d754db0abb6p-55},
    {0x1.33c08b26416ffp+0, 0x1.fdd395dd3f84ap-55},
    {0x1.371a7373aa9cbp+0, -0x1.24aedcc4b5068p-54},
    {0x1.3a7db34e59ff7p+0, -0x1.1d1e83e9436d2p-56},
    {0x1.3dea64c123422p+0, 0x1.59f48a72a4c6dp-55},
    {0x1.4160a21f72e2ap+0, -0x1.8a78f4817895bp-58},
    {0x1.44e086061892dp+0, 0x1.363ed60c2ac11p-59},
    {0x1.486a2b5c13cd0p+0, 0x1.ecce1daa10379p-57},
    {0x1.4bfdad5362a27p+0, 0x1.690cebb7aafb0p-56},
    {0x1.4f9b2769d2ca7p+0, -0x1.f94340071a38ep-55},
    {0x1.5342b569d4f82p+0, -0x1.8dec6bd0f385fp-56},
    {0x1.56f4736b527dap+0, 0x1.3350518fdd78ep-54},
    {0x1.5ab07dd485429p+0, 0x1.063e1e21c5409p-54},
    {0x1.5e76f15ad2148p+0, 0x1.432e62b64c035p-54},
    {0x1.6247eb03a5585p+0, -0x1.c33c53bef4da8p-55},
    {0x1.6623882552225p+0, -0x1.3cedd78565858p-54},
    {0x1.6a09e667f3bcdp+0, -0x1.3b3efbf5e2228p-54},
    {0x1.6dfb23c651a2fp+0, -0x1.367efb86da9eep-57},
    {0x1.71f75e8ec5f74p+0, -0x1.81f647e5a3ecfp-56},
    {0x1.75feb564267c9p+0, -0x1.619321e55e68ap-55},
    {0x1.7a11473eb0187p+0, -0x1.b32dcb94da51dp-56},
    {0x1.7e2f336cf4e62p+0, 0x1.5ebe1abd66c55p-57},
    {0x1.82589994cce13p+0, -0x1.369b6f13b3734p-54},
    {0x1.868d99b4492edp+0, -0x1.4d450d872576ep-54},
    {0x1.8ace5422aa0dbp+0, 0x1.db72fc1f0eab4p-55},
    {0x1.8f1ae99157736p+0, 0x1.bf68359f35f44p-56},
    {0x1.93737b0cdc5e5p+0, -0x1.da9b88b6c1e29p-58},
    {0x1.97d829fde4e50p+0, -0x1.2434322f4f9aap-54},
    {0x1.9c49182a3f090p+0, 0x1.1affc2b91ce27p-56},
    {0x1.a0c667b5de565p+0, -0x1.7c50422622263p-55},
    {0x1.a5503b23e255dp+0, -0x1.1bbd1d3bcbb15p-54},
    {0x1.a9e6b5579fdbfp+0, 0x1.469846e735ab3p-55},
    {0x1.ae89f995ad3adp+0, 0x1.c1a7792cb3387p-55},
    {0x1.b33a2b84f15fbp+0, -0x1.5c3d956dcaebap-58},
    {0x1.b7f76f2fb5e47p+0, -0x1.8d6f438ad9334p-57},
    {0x1.bcc1e904bc1d2p+0, 0x1.4ffd70a5fddcdp-56},
    {0x1.c199bdd85529cp+0, 0x1.36eae30af0cb3p-56},
    {0x1.c67f12e57d14bp+0, 0x1.4e08fd10959acp-55},
    {0x1.cb720dcef9069p+0, 0x1.76b2c6c921968p-57},
    {0x1.d072d4a07897cp+0, -0x1.fad5d3ffffa6fp-55},
    {0x1.d5818dcfba487p+0, 0x1.4a385a63d07a7p-56},
    {0x1.da9e603db3285p+0, 0x1.e5a50d5c192acp-55},
    {0x1.dfc97337b9b5fp+0, -0x1.2d52107b43e1fp-55},
    {0x1.e502ee78b3ff6p+0, 0x1.4b604603a88d3p-56},
    {0x1.ea4afa2a490dap+0, -0x1.ff7128fd391f0p-55},
    {0x1.efa1bee615a27p+0, 0x1.ec3bc41aa2008p-55},
    {0x1.f50765b6e4540p+0, 0x1.a64a931d185eep-55},
    {0x1.fa7c1819e90d8p+0, 0x1.7893b4d91cd9dp-56},
};

/* exp(x) = 2^k 2^(j/64) exp(r) with x = (64 k + j) ln2/64 + r, |r| <= ln2/128: a table for
 * 2^(j/64) and a degree-5 Taylor polynomial for exp(r) - 1 (its truncation error, r^6/720, is
 * under 0.2 ulp). No division, and no branch but for |x| >= 512 or tiny. */
static inline double lm_exp(double x)
{
    static const double inv_ln2_64 = 0x1.71547652b82fep+6;   /* 64 / ln 2 */
    static const double ln2_64_hi = 0x1.62e42fee00000p-7;    /* ln2/64, 33 bits: k*hi exact */
    static const double ln2_64_lo = 0x1.a39ef35793c76p-39;   /* ln2/64 - hi */
    static const double shift = 0x1.8p52; /* adding it rounds to an integer in the low bits */

    const uint32_t e = (uint32_t)(lm__dbits(x) >> 52) & 0x7ff;
    const bool wide = e >= 0x408; /* |x| >= 512, inf or NaN */
    if (e < 0x3c9)                /* |x| < 2^-54: exp(x) rounds to 1 + x */
        return 1.0 + x;
    if (wide) {
        if (isnan(x))
            return x;
        if (x > 709.782712893383973096)
            return x * 0x1p1023; /* overflow: +inf */
        if (x < -745.13321910194110842)
            return 0;
    }
    double kd = x * inv_ln2_64 + shift;
    const int64_t n = (int64_t)(lm__dbits(kd) - lm__dbits(shift)); /* round(x * 64/ln2) */
    kd -= shift;
    const double r = (x - kd * ln2_64_hi) - kd * ln2_64_lo;
    const int j = (int)(n & 63);
    const int64_t k = (n - j) / 64;
    const double r2 = r * r;
    const double p = r + r2 * (0.5 + r * (1.0 / 6)) + (r2 * r2) * (1.0 / 24 + r * (1.0 / 120));
    const double t = lm__exp2_64[j][0];
    const double tmp = lm__exp2_64[j][1] + p;
    if (wide) /* 2^k may leave the range of normal doubles: scale in steps */
        return lm__scalbn(t + t * tmp, (int)k);
    const double scale = lm__dfrom(lm__dbits(t) + ((uint64_t)k << 52));
    return scale + scale * tmp;
}

static inline double lm_log(double x)
{
    static const double ln2_hi = 6.93147180369123816490e-01;
    static const double ln2_lo = 1.90821492927058770002e-10;
    static const double Lg1 = 6.666666666666735130e-01;
    static const double Lg2 = 3.999999999940941908e-01;
    static const double Lg3 = 2.857142874366239149e-01;
    static const double Lg4 = 2.222219843214978396e-01;
    static const double Lg5 = 1.818357216161805012e-01;
    static const double Lg6 = 1.531383769920937332e-01;
    static const double Lg7 = 1.479819860511658591e-01;

    uint64_t u = lm__dbits(x);
    uint32_t hx = (uint32_t)(u >> 32);
    int k = 0;
    if (hx < 0x00100000 || hx >> 31) { /* x < 2^-1022: zero, subnormal or negative */
        if (u << 1 == 0)
            return -1 / (x * x); /* log(+-0) = -inf */
        if (hx >> 31)
            return (x - x) / 0.0; /* log(x < 0) = NaN */
        k -= 54; /* a subnormal: scale it up */
        x *= 0x1p54;
        u = lm__dbits(x);
        hx = (uint32_t)(u >> 32);
    } else if (hx >= 0x7ff00000) {
        return x; /* inf or NaN */
    } else if (hx == 0x3ff00000 && u << 32 == 0) {
        return 0;
    }
    /* x = 2^k (1 + f), 1 + f in [sqrt(2)/2, sqrt(2)) */
    hx += 0x3ff00000 - 0x3fe6a09e;
    k += (int)(hx >> 20) - 0x3ff;
    hx = (hx & 0x000fffff) + 0x3fe6a09e;
    u = (uint64_t)hx << 32 | (u & 0xffffffff);
    x = lm__dfrom(u);
    const double f = x - 1.0;
    const double hfsq = 0.5 * f * f;
    const double s = f / (2.0 + f);
    const double z = s * s;
    const double w = z * z;
    const double t1 = w * (Lg2 + w * (Lg4 + w * Lg6));
    const double t2 = z * (Lg1 + w * (Lg3 + w * (Lg5 + w * Lg7)));
    const double R = t2 + t1;
    const double dk = k;
    return s * (hfsq + R) + dk * ln2_lo - hfsq + f + dk * ln2_hi;
}

/* log(1 + x), accurate where 1 + x rounds: log(u) * x / (u - 1) with u = 1 + x corrects
 * the rounding of u (Goldberg, "What every computer scientist should know...", thm 4). */
static inline double lm_log1p(double x)
{
    const double u = 1.0 + x;
    if (u == 1.0)
        return x;
    if (isinf(u) || u <= 0)
        return lm_log(u);
    return lm_log(u) * (x / (u - 1.0));
}

/* exp(x) - 1, accurate near 0: (u - 1) * x / log(u) with u = exp(x) (Kahan). */
static inline double lm_expm1(double x)
{
    const double u = lm_exp(x);
    if (u == 1.0)
        return x;
    const double um1 = u - 1.0;
    if (um1 == -1.0)
        return -1.0;
    if (isinf(u))
        return u;
    return um1 * x / lm_log(u);
}

/* x^y, for the cases C's pow() defines (negative x with an integral y included). */
static inline double lm_pow(double x, double y)
{
    if (y == 0 || x == 1)
        return 1;
    if (isnan(x) || isnan(y))
        return x + y;
    double sign = 1;
    if (x < 0 || (x == 0 && signbit(x))) {
        if (y != floor(y))
            return x == 0 ? (y > 0 ? 0.0 : INFINITY) : (x - x) / 0.0;
        /* an odd integral y keeps the sign (|y| >= 2^53 is always even) */
        if (fabs(y) < 0x1p53 && fmod(y, 2.0) != 0)
            sign = -1;
        x = -x;
    }
    if (x == 0)
        return y > 0 ? sign * 0.0 : sign * INFINITY;
    if (isinf(x))
        return y > 0 ? sign * INFINITY : sign * 0.0;
    if (isinf(y))
        return (x > 1) == (y > 0) ? INFINITY : 0.0;
    if (y == floor(y) && fabs(y) <= 16) {
        /* A small integral power by squaring: exact wherever the result is representable
         * (pow(10, 3) is 1000, not a neighbour of it), a few ulp elsewhere. */
        unsigned n = (unsigned)fabs(y);
        double r = 1, b = x;
        for (; n; n >>= 1, b *= b)
            if (n & 1)
                r *= b;
        return sign * (y < 0 ? 1 / r : r);
    }
    return sign * lm_exp(y * lm_log(x));
}

/* out[i] = lm_exp(x[i]), lm_log(x[i]) and lm_pow(x[i], y[i]) for i < n, the same bits, four
 * at a time with AVX2 where the processor has it (detmath_n.c). */
void lm_exp_n(const double *x, double *out, size_t n);
void lm_log_n(const double *x, double *out, size_t n);
void lm_pow_n(const double *x, const double *y, double *out, size_t n);
/* The scalar loops, for the tests. */
void lm__exp_n_scalar(const double *x, double *out, size_t n);
void lm__log_n_scalar(const double *x, double *out, size_t n);
void lm__pow_n_scalar(const double *x, const double *y, double *out, size_t n);

#endif
