/* src/core/rng.h -- counter-based random numbers (Random123 Philox 4x32-10, MODEL.md 4).
 * A draw is a pure function of (seed, run, entity, purpose, month, draw index): no generator
 * state is shared between firms, threads or processes, so a run is bit-identical for a seed
 * whatever the thread count. Common random numbers across counterfactual runs need every
 * stream keyed by an identity that does not move when another agent's fate changes (ids
 * handed out in order of birth would: one extra firm shifts every later firm's numbers). So
 * the entity of a stream is a stable key: a founder's is (origin, source, month, arrival
 * index within them), a firm keeps its founder's key for life (lm_firms.stream), an investor
 * has (kind, region, policy, vintage, ordinal), and an investor's signal of a firm's round is
 * keyed by the pair (lm_stream_pair).
 *
 * Key   = 64-bit hash of (seed, run).
 * Counter = {entity low 32 bits, entity high 32 bits, purpose << 16 | month mod 2^16,
 *            draw index}.
 * Distributions come from GSL through a gsl_rng whose "state" is one of these streams
 * (lm_rng_gsl), so GSL's tested samplers run on our counters without any allocation. */
#ifndef LM_CORE_RNG_H
#define LM_CORE_RNG_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include <Random123/philox.h>
#include <gsl/gsl_rng.h>

#include "core/detmath.h"

/* What a draw is for: part of the counter, so two purposes never share numbers. */
typedef enum lm_purpose {
    LM_PURPOSE_POLICY = 1,     /* fiscal cuts of budgets */
    LM_PURPOSE_ENTRY_COUNT,    /* number of founders from an origin */
    LM_PURPOSE_FOUNDER,        /* one founder: source, sector, model, quality, location */
    LM_PURPOSE_FIRM_BIRTH,     /* a new firm's theta and seed money */
    LM_PURPOSE_RND,            /* breakthroughs */
    LM_PURPOSE_MARKET,         /* revenue shocks */
    LM_PURPOSE_COSTS,
    LM_PURPOSE_HIRE,           /* rounding of a firm's rationed hires (ecosystem issue) */
    LM_PURPOSE_FUND,           /* a new investor's manager: noise, focus (finance issue) */
    LM_PURPOSE_SCREEN,         /* an investor's deals seen and signals in a month */
    LM_PURPOSE_EXIT,           /* a firm's IPO and acquisition draws */
    LM_PURPOSE_BOOTSTRAP,      /* sensitivity: rows of a bootstrap resample (experiments) */
    LM_PURPOSE_TIERS,          /* whether an eligible firm applies for a certificate (take-up) */
    LM_PURPOSE_SIGNAL,         /* an investor's noisy view of one firm's round */
    LM_PURPOSE_TEST = 0x7fff
} lm_purpose;

typedef struct lm_rng_key {
    uint32_t k[2];
} lm_rng_key;

typedef struct lm_rng {
    philox4x32_key_t key;
    philox4x32_ctr_t ctr; /* ctr.v[3] counts blocks drawn */
    philox4x32_ctr_t buf; /* the current block */
    int used;             /* words of buf consumed, 4 = empty */
} lm_rng;

/* splitmix64 finaliser: a bijective mix, used to derive keys. */
static inline uint64_t lm_mix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

static inline lm_rng_key lm_rng_key_make(uint64_t seed, uint32_t run)
{
    const uint64_t h = lm_mix64(seed ^ lm_mix64(0x6c6f6e676d656eULL + run));
    lm_rng_key key = {{(uint32_t)h, (uint32_t)(h >> 32)}};
    return key;
}

/* A stream for one (entity, purpose, month). entity may use all 64 bits; months are taken
 * modulo 2^16 (5461 years), so any run's months stay distinct. */
static inline void lm_rng_init(lm_rng *g, lm_rng_key key, uint64_t entity, lm_purpose purpose,
                               int32_t month)
{
    g->key.v[0] = key.k[0];
    g->key.v[1] = key.k[1];
    g->ctr.v[0] = (uint32_t)entity;
    g->ctr.v[1] = (uint32_t)(entity >> 32);
    g->ctr.v[2] = ((uint32_t)purpose << 16) | ((uint32_t)month & 0xffffu);
    g->ctr.v[3] = 0;
    g->used = 4;
}

/* ---- stable stream keys (entities) ----
 * Tags in the top 4 bits keep the kinds of key apart; fields are packed, not hashed, so two
 * identities never share a key. */
#define LM_STREAM_FOUNDER 0x1ULL
#define LM_STREAM_INVESTOR 0x2ULL
#define LM_STREAM_PLACED 0x3ULL /* firms placed by hand (tests, fixtures): by their id */

/* A founder, and the firm she starts: origin region (R for the rest of the country), source
 * of the founder, month of arrival and her index among the arrivals of that origin, source
 * and month. Bits: tag 4 | origin 10 | source 4 | month 16 | index 30. */
static inline uint64_t lm_stream_founder(int origin, int source, int32_t month, uint32_t index)
{
    return (LM_STREAM_FOUNDER << 60) | ((uint64_t)((uint32_t)origin & 0x3ffu) << 50) |
           ((uint64_t)((uint32_t)source & 0xfu) << 46) |
           ((uint64_t)((uint32_t)month & 0xffffu) << 30) | (uint64_t)(index & 0x3fffffffu);
}

/* An investor: kind, home region, policy slot (-1 none), month of creation and its ordinal
 * among investors of the same kind, region, policy and month. Bits: tag 4 | kind 4 |
 * region 10 | policy + 1 6 | month 16 | ordinal 24. */
static inline uint64_t lm_stream_investor(int kind, int region, int policy, int32_t month,
                                          uint32_t ordinal)
{
    return (LM_STREAM_INVESTOR << 60) | ((uint64_t)((uint32_t)kind & 0xfu) << 56) |
           ((uint64_t)((uint32_t)region & 0x3ffu) << 46) |
           ((uint64_t)((uint32_t)(policy + 1) & 0x3fu) << 40) |
           ((uint64_t)((uint32_t)month & 0xffffu) << 24) | (uint64_t)(ordinal & 0xffffffu);
}

/* A firm placed without a founder (tests, fixtures), keyed by its id. */
static inline uint64_t lm_stream_placed(uint32_t id) { return (LM_STREAM_PLACED << 60) | id; }

/* A pair of stable keys (an investor looking at a firm): hashed, since the two keys fill 128
 * bits; a collision would only make two signals share numbers, at odds of about 2^-64. */
static inline uint64_t lm_stream_pair(uint64_t a, uint64_t b)
{
    return lm_mix64(a ^ lm_mix64(b));
}

/* Computes the stream's next Philox block and returns its first word: out of line, so that
 * the inlined draw below stays a test and a load. */
uint32_t lm__rng_refill(lm_rng *g);

static inline uint32_t lm_rng_u32(lm_rng *g)
{
    if (__builtin_expect(g->used < 4, 1))
        return g->buf.v[g->used++];
    return lm__rng_refill(g);
}

/* ---- first blocks of many streams at once ----
 * A firm loop that draws from one stream per firm (same key, purpose and month, entity =
 * the firm's stable key) computes the first Philox block of a run of firms together:
 * with AVX2, eight blocks at a time, chosen at run time by the processor (no build flag,
 * so the binary still runs on CPUs without AVX2). Philox is integer arithmetic, so the
 * blocks are the very bits the one-stream code computes, whatever the path. */
typedef struct lm_rng_block {
    uint32_t v[4];
} lm_rng_block;

/* out[j] = block 0 of the stream (key, entity[j], purpose, month), j < n. */
void lm_rng_first_blocks(lm_rng_key key, const uint64_t *entity, lm_purpose purpose,
                         int32_t month, size_t n, lm_rng_block *out);
/* The same without the vector path (tests compare the two). */
void lm__rng_first_blocks_scalar(lm_rng_key key, const uint64_t *entity, lm_purpose purpose,
                                 int32_t month, size_t n, lm_rng_block *out);

/* lm_rng_init with block 0 already computed (lm_rng_first_blocks): the same draws. */
static inline void lm_rng_init_block(lm_rng *g, lm_rng_key key, uint64_t entity,
                                     lm_purpose purpose, int32_t month, const lm_rng_block *b)
{
    lm_rng_init(g, key, entity, purpose, month);
    g->buf.v[0] = b->v[0];
    g->buf.v[1] = b->v[1];
    g->buf.v[2] = b->v[2];
    g->buf.v[3] = b->v[3];
    g->ctr.v[3] = 1;
    g->used = 0;
}

/* Uniform on the open interval (0, 1) with 53 random bits: never 0, so log() is safe. */
static inline double lm_rng_u01(lm_rng *g)
{
    const uint64_t a = lm_rng_u32(g) >> 5, b = lm_rng_u32(g) >> 6;
    return ((double)(a * 67108864u + b) + 0.5) * (1.0 / 9007199254740992.0);
}

/* A gsl_rng view of a stream, for GSL's samplers (gsl_ran_*). No allocation: the returned
 * struct lives on the caller's stack and points at g. */
extern const gsl_rng_type *const lm_gsl_philox_type;
static inline gsl_rng lm_rng_gsl(lm_rng *g)
{
    gsl_rng r;
    r.type = lm_gsl_philox_type;
    r.state = g;
    return r;
}

/* Samplers written here rather than taken from GSL, where a closed form is one line and
 * uses exactly one uniform (so a firm's draws stay aligned across counterfactuals). */

/* Pareto with tail index alpha and minimum xm: xm * U^(-1/alpha). */
static inline double lm_rng_pareto(lm_rng *g, double alpha, double xm)
{
    return xm * lm_pow(lm_rng_u01(g), -1.0 / alpha);
}

/* Poisson count by inversion from one uniform; exact for any mean below ~700, which is all
 * the per-firm rates (breakthroughs) need. Larger means use GSL (lm_rng_poisson_gsl). */
static inline unsigned lm_rng_poisson_small(lm_rng *g, double mean)
{
    const double u = lm_rng_u01(g);
    /* Fast exact test for the common "no event": exp(-x) lies in [1 - x, 1 - x + x^2/2], so
       below 1 - x the count is surely 0 and no exp() is needed (most firms, most months). */
    if (u <= 1.0 - mean)
        return 0;
    double p = lm_exp(-mean), cdf = p;
    unsigned k = 0;
    while (u > cdf && k < 10000u) {
        ++k;
        p *= mean / k;
        cdf += p;
        if (p == 0.0)
            break;
    }
    return k;
}

/* Poisson count by inversion of one uniform, for any mean: a count whose mean changes a little
 * between counterfactual runs changes by little (common random numbers), unlike a rejection
 * sampler. Used for counts of arrivals; costs O(sqrt(mean)) steps. */
unsigned lm_rng_poisson_inv(lm_rng *g, double mean);

/* Any mean: GSL's sampler on this stream. */
unsigned lm_rng_poisson(lm_rng *g, double mean);

/* Standard normal by a ziggurat of our own (rng.c). The rectangle test that decides about
 * 99% of draws is inline; the wedge and the tail are not. lm__zig_x and lm__zig_r are the
 * layers' edges and their ratios (rng.c). */
extern const double lm__zig_x[129], lm__zig_r[128];
double lm__rng_gaussian_rest(lm_rng *g, int layer, double u);
static inline double lm_rng_gaussian(lm_rng *g)
{
    /* one 64-bit draw: 7 bits choose the layer, 53 others a uniform on (-1, 1) */
    const uint32_t a = lm_rng_u32(g), b = lm_rng_u32(g);
    const int i = (int)(b & 0x7f);
    const uint64_t bits = ((uint64_t)a << 21) | (b >> 11);
    const double u = ((double)bits + 0.5) * 0x1p-52 - 1.0;
    if (__builtin_expect(fabs(u) < lm__zig_r[i], 1)) /* inside the layer's rectangle */
        return u * lm__zig_x[i];
    return lm__rng_gaussian_rest(g, i, u);
}

#endif
