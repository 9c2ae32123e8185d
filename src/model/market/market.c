/* src/model/market/market.c -- phase 5 (MODEL.md 5.3): launched firms share national markets.
 *
 * Each sector s has a national market per business model b (To C, To B, To G), growing at
 * market_growth a year. A share home_bias[b] of it is bought locally: region r's local part
 * is home_bias * local_market_share[r,b] of the market and only firms of r compete for it
 * (To G is mostly local). The rest is open to every firm. Within a part, a firm's share is
 *   w_i / (sum_j w_j + Q_out),   w_i = q_i^gamma[b] * adoption_i,
 * where Q_out stands for competitors outside the scenario (incumbents, counted as firms of
 * quality 1; in a local part, scaled by the region's share). Q_out grows with the market:
 * a growing market draws entrants elsewhere in the country too, so the scenario's firms
 * keep the share their quality earns rather than the whole growth. Shares of a part, with the
 * outside competitors', sum to 1: this is how many similar firms dilute each other's
 * revenue (homogeneous competition). A new product reaches its full weight over
 * adoption_months. Revenue then carries a log-normal shock of mean 1 (To C most volatile).
 * Public recognition (visibility) moves toward 1 - exp(-gain * revenue / visibility_ref): the
 * press follows size whatever the business model; breakthroughs add to it (rnd.c). */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>

#include "model/market/market.h"
#include "core/detmath.h"

#define NB LM_MODEL_COUNT
/* Firms of a run whose first random block is computed together (rng.h). */
#define MARKET_RUN 64

/* Market sizes are stated at market_base, not at the run's start: a spin-up before the base
 * month sees the smaller markets of its years, and moving the start leaves 2015 unchanged. */
static double growth(const lm_world *w, int s, lm_month m)
{
    const double years = (double)(m - w->p->market_base) / 12.0;
    return lm_pow(1.0 + w->p->sectors[s].market_growth, years);
}

double lm_market_size_month(const lm_world *w, int s, int b, lm_month m)
{
    return w->p->sectors[s].market_cny_year[b] * growth(w, s, m) / 12.0;
}

double lm_market_outside_mass(const lm_world *w, int s, lm_month m)
{
    const lm_sector_params *sec = &w->p->sectors[s];
    double n = sec->incumbents;
    if (n <= 0.0) {
        const double total = sec->market_cny_year[0] + sec->market_cny_year[1] +
                             sec->market_cny_year[2];
        n = total / w->p->market.incumbent_revenue_cny_year;
    }
    return n * growth(w, s, m);
}

static double adoption(const lm_world *w, const lm_firms *f, size_t i, lm_month m)
{
    const double months = (double)(m - f->launched[i] + 1);
    const double full = w->p->market.adoption_months;
    return (full <= 1.0 || months >= full) ? 1.0 : months / full;
}

size_t lm_market_weights_width(const lm_world *w)
{
    return (size_t)w->S * NB + (size_t)w->R * (size_t)w->S * NB;
}

void lm_market_weigh_run(lm_world *w, lm_month m, const size_t *who, size_t c, double *acc)
{
    /* q^gamma of the run in one lm_pow_n (the scalar's bits, several at a time), then the
       weights summed in slot order */
    double q[MARKET_RUN], g[MARKET_RUN], qg[MARKET_RUN];
    lm_firms *f = &w->firms;
    const double *gamma = w->p->market.gamma;
    const size_t S = (size_t)w->S;
    for (size_t t0 = 0; t0 < c; t0 += MARKET_RUN) {
        const size_t n = c - t0 < MARKET_RUN ? c - t0 : MARKET_RUN;
        for (size_t t = 0; t < n; ++t) {
            q[t] = f->quality[who[t0 + t]];
            g[t] = gamma[f->model[who[t0 + t]]];
        }
        lm_pow_n(q, g, qg, n);
        for (size_t t = 0; t < n; ++t) {
            const size_t i = who[t0 + t];
            const size_t s = f->sector[i], bm = f->model[i], r = f->region[i];
            const double wt = qg[t] * adoption(w, f, i, m);
            f->share_weight[i] = wt;
            acc[s * NB + bm] += wt;
            acc[S * NB + (r * S + s) * NB + bm] += wt;
        }
    }
}

/* Weights of every launched firm and their sums per part: open [s*NB+b], then local
 * [S*NB + (r*S+s)*NB + b]; the R&D pass's when it weighed them this month. */
static lm_status weigh(lm_world *w, lm_month m, double *sums, lm_error *err)
{
    const size_t width = lm_market_weights_width(w);
    if (w->weights_month == m && w->weights_n == w->firms.n) {
        for (size_t j = 0; j < width; ++j)
            sums[j] = w->weights[j];
        return LM_OK;
    }
    const lm_blocks b = lm_blocks_of(w->firms.n);
    double *partial = lm_world_scratch(w, sizeof(double) * width * b.count);
    if (!partial)
        LM_FAIL(err, LM_ENOMEM, "market scratch");
    lm_firms *f = &w->firms;
#pragma omp parallel for schedule(static) num_threads(w->threads)
    for (size_t k = 0; k < b.count; ++k) {
        double *acc = partial + k * width;
        const size_t end = lm_block_end(&b, k);
        size_t who[MARKET_RUN];
        for (size_t i0 = lm_block_begin(&b, k); i0 < end; i0 += MARKET_RUN) {
            const size_t n_run = end - i0 < MARKET_RUN ? end - i0 : MARKET_RUN;
            size_t c = 0;
            for (size_t i = i0; i < i0 + n_run; ++i) {
                if (f->status[i] != LM_FIRM_ALIVE || f->launched[i] < 0) {
                    f->share_weight[i] = 0.0;
                    continue;
                }
                who[c++] = i;
            }
            lm_market_weigh_run(w, m, who, c, acc);
        }
    }
    lm_blocks_reduce(&b, partial, width, sums);
    return LM_OK;
}

/* Revenue per unit of weight in each part: market money over (sum of weights + outsiders). */
static void prices(const lm_world *w, lm_month m, const double *sums, double *per_weight)
{
    const int S = w->S, R = w->R;
    const lm_market_params *mp = &w->p->market;
    for (int s = 0; s < S; ++s)
        for (int b = 0; b < NB; ++b) {
            const double size = lm_market_size_month(w, s, b, m);
            const double q_out = lm_market_outside_mass(w, s, m);
            const double open = (1.0 - mp->home_bias[b]) * size;
            const double den = sums[s * NB + b] + q_out;
            per_weight[s * NB + b] = den > 0.0 ? open / den : 0.0;
            for (int r = 0; r < R; ++r) {
                const double share = w->p->regions[r].local_market_share[b];
                const size_t j = (size_t)S * NB + ((size_t)r * S + s) * NB + b;
                const double local = mp->home_bias[b] * share * size;
                const double den_r = sums[j] + q_out * share;
                per_weight[j] = den_r > 0.0 ? local / den_r : 0.0;
            }
        }
}

lm_status lm_phase_market(lm_world *w, lm_month m, lm_error *err)
{
    const int S = w->S, R = w->R;
    const size_t width = (size_t)S * NB + (size_t)R * S * NB;
    double *sums = lm_world_scratch(w, sizeof(double) * width);
    double *per_weight = lm_world_scratch(w, sizeof(double) * width);
    if (!sums || !per_weight)
        LM_FAIL(err, LM_ENOMEM, "market scratch");
    lm_status st = weigh(w, m, sums, err);
    if (st != LM_OK)
        return st;
    prices(w, m, sums, per_weight);

    const lm_market_params *mp = &w->p->market;
    const lm_blocks b = lm_blocks_of(w->firms.n);
    double *revenue = lm_world_scratch(w, sizeof(double) * (size_t)R * b.count);
    double *rev_sum = lm_world_scratch(w, sizeof(double) * (size_t)R);
    if (!revenue || !rev_sum)
        LM_FAIL(err, LM_ENOMEM, "market scratch");
    lm_firms *f = &w->firms;
    double volatility[NB];
    for (int bm = 0; bm < NB; ++bm)
        volatility[bm] = mp->volatility[bm];
#pragma omp parallel for schedule(static) num_threads(w->threads)
    for (size_t k = 0; k < b.count; ++k) {
        double *acc = revenue + k * (size_t)R;
        const size_t end = lm_block_end(&b, k);
        /* The shocks' first random blocks, a run of firms at a time (rng.h); firms that
           draw nothing (no product, no volatility) waste a block computed eight at once. */
        lm_rng_block blk[MARKET_RUN];
        /* A run's selling firms in three steps around two lm_exp_n (the scalar's bits,
           several at a time): the shocks' exponents, then the revenues and the visibility
           targets' exponents, then the visibility and the region sums in slot order. */
        double base[MARKET_RUN], x[MARKET_RUN], e[MARKET_RUN];
        size_t who[MARKET_RUN], shock_at[MARKET_RUN];
        uint64_t streams[MARKET_RUN];
        bool shocked[MARKET_RUN];
        for (size_t i0 = lm_block_begin(&b, k); i0 < end; i0 += MARKET_RUN) {
            const size_t n_run = end - i0 < MARKET_RUN ? end - i0 : MARKET_RUN;
            size_t c = 0, n_shocked = 0;
            for (size_t i = i0; i < i0 + n_run; ++i) {
                if (f->status[i] != LM_FIRM_ALIVE)
                    continue;
                const double wt = f->share_weight[i];
                if (wt <= 0.0) {
                    f->revenue_cny[i] = 0.0;
                    continue;
                }
                const int s = f->sector[i], bm = f->model[i], r = f->region[i];
                base[c] = wt * (per_weight[s * NB + bm] +
                                per_weight[(size_t)S * NB + ((size_t)r * S + s) * NB + bm]);
                shocked[c] = volatility[bm] > 0.0;
                x[c] = 0.0; /* no shock: 1, below */
                streams[n_shocked] = f->stream[i];
                shock_at[n_shocked] = c;
                n_shocked += shocked[c];
                who[c++] = i;
            }
            /* the first random blocks of the firms that draw a shock only (firms without a
               product draw none), computed together (rng.h) */
            lm_rng_first_blocks(w->key, streams, LM_PURPOSE_MARKET, m, n_shocked, blk);
            for (size_t j = 0; j < n_shocked; ++j) {
                const size_t t = shock_at[j];
                const double sd = volatility[f->model[who[t]]];
                lm_rng g;
                lm_rng_init_block(&g, w->key, streams[j], LM_PURPOSE_MARKET, m, &blk[j]);
                x[t] = sd * lm_rng_gaussian(&g) - 0.5 * sd * sd;
            }
            lm_exp_n(x, e, c);
            for (size_t t = 0; t < c; ++t) {
                const size_t i = who[t];
                const double shock = shocked[t] ? e[t] : 1.0;
                const double rev = base[t] * shock;
                f->revenue_cny[i] = rev;
                f->revenue_ytd_cny[i] += rev;
                if (rev > f->peak_revenue_cny[i])
                    f->peak_revenue_cny[i] = rev;
                base[t] = rev;
                x[t] = -mp->visibility_gain * rev / mp->visibility_ref_cny_month;
            }
            lm_exp_n(x, e, c);
            for (size_t t = 0; t < c; ++t) {
                const size_t i = who[t];
                const double target = 1.0 - e[t];
                /* recognition rises with the audience, and fades slowly once won (出圈 is
                   remembered): a breakthrough's fame outlives the month it made the news */
                const double gap = target - f->visibility[i];
                f->visibility[i] += (gap > 0.0 ? mp->visibility_rate : mp->visibility_decay) * gap;
                acc[f->region[i]] += base[t];
            }
        }
    }
    lm_blocks_reduce(&b, revenue, (size_t)R, rev_sum);
    for (int r = 0; r < R; ++r) {
        w->money[r].customers_paid += rev_sum[r];
        w->money[r].firms_received_revenue += rev_sum[r];
    }
    return LM_OK;
}

lm_status lm_market_share_check(lm_world *w, lm_month m, double *out)
{
    const int S = w->S, R = w->R;
    const size_t width = (size_t)S * NB + (size_t)R * S * NB;
    const lm_firms *f = &w->firms;
    double *sums = calloc(width, sizeof *sums);
    if (!sums)
        return LM_ENOMEM;
    for (size_t i = 0; i < f->n; ++i) {
        if (f->status[i] != LM_FIRM_ALIVE || f->share_weight[i] <= 0.0)
            continue;
        const int s = f->sector[i], bm = f->model[i], r = f->region[i];
        sums[s * NB + bm] += f->share_weight[i];
        sums[(size_t)S * NB + ((size_t)r * S + s) * NB + bm] += f->share_weight[i];
    }
    /* outsiders' share of each part, then every firm's share added one by one */
    for (int s = 0; s < S; ++s)
        for (int bm = 0; bm < NB; ++bm) {
            const double q_out = lm_market_outside_mass(w, s, m);
            const size_t jo = (size_t)s * NB + bm;
            out[jo] = q_out / (sums[jo] + q_out);
            for (int r = 0; r < R; ++r) {
                const size_t jl = (size_t)S * NB + ((size_t)r * S + s) * NB + bm;
                const double qo = q_out * w->p->regions[r].local_market_share[bm];
                out[jl] = (sums[jl] + qo) > 0.0 ? qo / (sums[jl] + qo) : 1.0;
            }
        }
    for (size_t i = 0; i < f->n; ++i) {
        if (f->status[i] != LM_FIRM_ALIVE || f->share_weight[i] <= 0.0)
            continue;
        const int s = f->sector[i], bm = f->model[i], r = f->region[i];
        const double q_out = lm_market_outside_mass(w, s, m);
        const size_t jo = (size_t)s * NB + bm;
        const size_t jl = (size_t)S * NB + ((size_t)r * S + s) * NB + bm;
        out[jo] += f->share_weight[i] / (sums[jo] + q_out);
        out[jl] += f->share_weight[i] /
                   (sums[jl] + q_out * w->p->regions[r].local_market_share[bm]);
    }
    free(sums);
    return LM_OK;
}
