/* src/core/detmath_n.c -- detmath's exp and pow over arrays, four values at a time with AVX2
 * where the processor has it (chosen at run time, as lm_rng_first_blocks does; the binary
 * stays plain x86-64).
 *
 * The vector code performs, lane by lane, the operations of lm_exp and lm_log (detmath.h) in
 * their order: IEEE-754 multiplications, additions, a division and exact integer steps, with
 * no fused multiply-add (-ffp-contract=off, and the avx2 target has no FMA). So each lane
 * gives the bits the scalar function gives. Lanes outside the functions' plain path (zero,
 * subnormal, negative, huge or tiny arguments, NaN, an integral exponent that pow takes by
 * squaring) are recomputed by the scalar function. tests/unit/core/test_detmath.c compares
 * both bit for bit. */
#include <stddef.h>

#include "core/detmath.h"

void lm__exp_n_scalar(const double *x, double *out, size_t n)
{
    for (size_t i = 0; i < n; ++i)
        out[i] = lm_exp(x[i]);
}

void lm__log_n_scalar(const double *x, double *out, size_t n)
{
    for (size_t i = 0; i < n; ++i)
        out[i] = lm_log(x[i]);
}

void lm__pow_n_scalar(const double *x, const double *y, double *out, size_t n)
{
    for (size_t i = 0; i < n; ++i)
        out[i] = lm_pow(x[i], y[i]);
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define LM_DETMATH_AVX2 1

#define AVX2 __attribute__((target("avx2")))

/* lm_exp's plain path (|x| in [2^-54, 512)) on four lanes; *plain: the lanes it was. */
AVX2 static inline __m256d exp4(__m256d x, __m256i *plain)
{
    const __m256i e = _mm256_and_si256(_mm256_srli_epi64(_mm256_castpd_si256(x), 52),
                                       _mm256_set1_epi64x(0x7ff));
    *plain = _mm256_andnot_si256(_mm256_cmpgt_epi64(_mm256_set1_epi64x(0x3c9), e),
                                 _mm256_cmpgt_epi64(_mm256_set1_epi64x(0x408), e));
    const __m256d shift = _mm256_set1_pd(0x1.8p52);
    __m256d kd = _mm256_add_pd(_mm256_mul_pd(x, _mm256_set1_pd(0x1.71547652b82fep+6)), shift);
    const __m256i n = _mm256_sub_epi64(_mm256_castpd_si256(kd), _mm256_castpd_si256(shift));
    kd = _mm256_sub_pd(kd, shift);
    const __m256d r =
        _mm256_sub_pd(_mm256_sub_pd(x, _mm256_mul_pd(kd, _mm256_set1_pd(0x1.62e42fee00000p-7))),
                      _mm256_mul_pd(kd, _mm256_set1_pd(0x1.a39ef35793c76p-39)));
    const __m256i j = _mm256_and_si256(n, _mm256_set1_epi64x(63));
    const __m256i j2 = _mm256_slli_epi64(j, 1); /* index of {hi, lo} in the flat table */
    const __m256d r2 = _mm256_mul_pd(r, r);
    /* r + r2 (1/2 + r/6) + r2^2 (1/24 + r/120), left to right as in lm_exp */
    const __m256d a = _mm256_mul_pd(
        r2, _mm256_add_pd(_mm256_set1_pd(0.5), _mm256_mul_pd(r, _mm256_set1_pd(1.0 / 6))));
    const __m256d b = _mm256_mul_pd(
        _mm256_mul_pd(r2, r2),
        _mm256_add_pd(_mm256_set1_pd(1.0 / 24), _mm256_mul_pd(r, _mm256_set1_pd(1.0 / 120))));
    const __m256d p = _mm256_add_pd(_mm256_add_pd(r, a), b);
    const double *table = &lm__exp2_64[0][0];
    const __m256d t = _mm256_i64gather_pd(table, j2, 8);
    const __m256d tlo = _mm256_i64gather_pd(table + 1, j2, 8);
    const __m256d tmp = _mm256_add_pd(tlo, p);
    /* bits(t) + (k << 52) with k = (n - j) / 64, exact: (n - j) << 46 */
    const __m256d scale = _mm256_castsi256_pd(_mm256_add_epi64(
        _mm256_castpd_si256(t), _mm256_slli_epi64(_mm256_sub_epi64(n, j), 46)));
    return _mm256_add_pd(scale, _mm256_mul_pd(scale, tmp));
}

/* lm_log's plain path (x a positive normal finite double other than 1) on four lanes. */
AVX2 static inline __m256d log4(__m256d x, __m256i *plain)
{
    const __m256i u = _mm256_castpd_si256(x);
    __m256i hx = _mm256_srli_epi64(u, 32);
    const __m256i one = _mm256_set1_epi64x(0x3ff0000000000000);
    /* 0x00100000 <= hx < 0x7ff00000 (positive, normal, finite), x != 1 */
    *plain = _mm256_andnot_si256(
        _mm256_or_si256(_mm256_cmpgt_epi64(_mm256_set1_epi64x(0x00100000), hx),
                        _mm256_cmpeq_epi64(u, one)),
        _mm256_cmpgt_epi64(_mm256_set1_epi64x(0x7ff00000), hx));
    hx = _mm256_add_epi64(hx, _mm256_set1_epi64x(0x3ff00000 - 0x3fe6a09e));
    const __m256i k = _mm256_sub_epi64(_mm256_srli_epi64(hx, 20), _mm256_set1_epi64x(0x3ff));
    hx = _mm256_add_epi64(_mm256_and_si256(hx, _mm256_set1_epi64x(0x000fffff)),
                          _mm256_set1_epi64x(0x3fe6a09e));
    const __m256d xr = _mm256_castsi256_pd(
        _mm256_or_si256(_mm256_slli_epi64(hx, 32),
                        _mm256_and_si256(u, _mm256_set1_epi64x(0xffffffff))));
    const __m256d f = _mm256_sub_pd(xr, _mm256_set1_pd(1.0));
    const __m256d hfsq = _mm256_mul_pd(_mm256_mul_pd(_mm256_set1_pd(0.5), f), f);
    const __m256d s = _mm256_div_pd(f, _mm256_add_pd(_mm256_set1_pd(2.0), f));
    const __m256d z = _mm256_mul_pd(s, s);
    const __m256d w = _mm256_mul_pd(z, z);
#define SET(v) _mm256_set1_pd(v)
    const __m256d t1 = _mm256_mul_pd(
        w, _mm256_add_pd(SET(3.999999999940941908e-01),
                         _mm256_mul_pd(w, _mm256_add_pd(SET(2.222219843214978396e-01),
                                                        _mm256_mul_pd(w, SET(1.531383769920937332e-01))))));
    const __m256d t2 = _mm256_mul_pd(
        z, _mm256_add_pd(
               SET(6.666666666666735130e-01),
               _mm256_mul_pd(
                   w, _mm256_add_pd(
                          SET(2.857142874366239149e-01),
                          _mm256_mul_pd(w, _mm256_add_pd(SET(1.818357216161805012e-01),
                                                         _mm256_mul_pd(w, SET(1.479819860511658591e-01))))))));
    const __m256d R = _mm256_add_pd(t2, t1);
    /* k fits in 32 bits: its low words to the lower half, then to doubles */
    const __m256d dk = _mm256_cvtepi32_pd(_mm256_castsi256_si128(
        _mm256_permutevar8x32_epi32(k, _mm256_setr_epi32(0, 2, 4, 6, 1, 3, 5, 7))));
    /* s (hfsq + R) + dk ln2_lo - hfsq + f + dk ln2_hi, left to right */
    __m256d v = _mm256_add_pd(_mm256_mul_pd(s, _mm256_add_pd(hfsq, R)),
                              _mm256_mul_pd(dk, SET(1.90821492927058770002e-10)));
    v = _mm256_sub_pd(v, hfsq);
    v = _mm256_add_pd(v, f);
    v = _mm256_add_pd(v, _mm256_mul_pd(dk, SET(6.93147180369123816490e-01)));
#undef SET
    return v;
}

AVX2 static void exp_n_avx2(const double *x, double *out, size_t n)
{
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        __m256i plain;
        _mm256_storeu_pd(out + i, exp4(_mm256_loadu_pd(x + i), &plain));
        const int m = _mm256_movemask_pd(_mm256_castsi256_pd(plain));
        for (int l = 0; m != 0xf && l < 4; ++l)
            if (!(m & (1 << l)))
                out[i + (size_t)l] = lm_exp(x[i + (size_t)l]);
    }
    for (; i < n; ++i)
        out[i] = lm_exp(x[i]);
}

AVX2 static void log_n_avx2(const double *x, double *out, size_t n)
{
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        __m256i plain;
        _mm256_storeu_pd(out + i, log4(_mm256_loadu_pd(x + i), &plain));
        const int m = _mm256_movemask_pd(_mm256_castsi256_pd(plain));
        for (int l = 0; m != 0xf && l < 4; ++l)
            if (!(m & (1 << l)))
                out[i + (size_t)l] = lm_log(x[i + (size_t)l]);
    }
    for (; i < n; ++i)
        out[i] = lm_log(x[i]);
}

AVX2 static void pow_n_avx2(const double *x, const double *y, double *out, size_t n)
{
    const __m256d abs_mask = _mm256_castsi256_pd(_mm256_set1_epi64x(0x7fffffffffffffff));
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        const __m256d xv = _mm256_loadu_pd(x + i), yv = _mm256_loadu_pd(y + i);
        /* lm_pow reaches exp(y log x) for x > 0 (x != 1, finite: log4's plain lanes) and y
           finite, non-zero and not an integer of at most 16 in magnitude (squared instead) */
        const __m256d ya = _mm256_and_pd(yv, abs_mask);
        const __m256d integral_small = _mm256_and_pd(
            _mm256_cmp_pd(_mm256_round_pd(yv, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC), yv,
                          _CMP_EQ_OQ),
            _mm256_cmp_pd(ya, _mm256_set1_pd(16.0), _CMP_LE_OQ));
        const __m256d y_plain = _mm256_andnot_pd(
            integral_small, _mm256_and_pd(_mm256_cmp_pd(ya, _mm256_set1_pd(0.0), _CMP_NEQ_OQ),
                                          _mm256_cmp_pd(ya, _mm256_set1_pd(INFINITY),
                                                        _CMP_LT_OQ)));
        __m256i log_plain, exp_plain;
        const __m256d lg = log4(xv, &log_plain);
        _mm256_storeu_pd(out + i, exp4(_mm256_mul_pd(yv, lg), &exp_plain));
        const int m = _mm256_movemask_pd(_mm256_and_pd(
            y_plain, _mm256_castsi256_pd(_mm256_and_si256(log_plain, exp_plain))));
        for (int l = 0; m != 0xf && l < 4; ++l)
            if (!(m & (1 << l)))
                out[i + (size_t)l] = lm_pow(x[i + (size_t)l], y[i + (size_t)l]);
    }
    for (; i < n; ++i)
        out[i] = lm_pow(x[i], y[i]);
}
#endif

void lm_exp_n(const double *x, double *out, size_t n)
{
#ifdef LM_DETMATH_AVX2
    if (n >= 4 && __builtin_cpu_supports("avx2")) {
        exp_n_avx2(x, out, n);
        return;
    }
#endif
    lm__exp_n_scalar(x, out, n);
}

void lm_log_n(const double *x, double *out, size_t n)
{
#ifdef LM_DETMATH_AVX2
    if (n >= 4 && __builtin_cpu_supports("avx2")) {
        log_n_avx2(x, out, n);
        return;
    }
#endif
    lm__log_n_scalar(x, out, n);
}

void lm_pow_n(const double *x, const double *y, double *out, size_t n)
{
#ifdef LM_DETMATH_AVX2
    if (n >= 4 && __builtin_cpu_supports("avx2")) {
        pow_n_avx2(x, y, out, n);
        return;
    }
#endif
    lm__pow_n_scalar(x, y, out, n);
}
