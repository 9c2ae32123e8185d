/* src/model/rnd/rnd.c -- phase 4 (MODEL.md 5.2): R&D moves products toward launch, raises
 * quality, and now and then yields a breakthrough.
 *
 *   dp = (h / team_s)^eta * (1 + kappa*K[r,s]/K_ref) * compute_access[r,s] / rd_months_s
 *   launch when p >= 1
 *   breakthroughs ~ Poisson(rate * (rd_spend/ref)^zeta * (1 - theta/theta_max)
 *                           * (1 + kappa_b*K[r,s]/K_ref)),
 *   each multiplies theta by 1 + J, J ~ Pareto(alpha_J_s, jump_min), up to theta_max
 * zeta = 1 is MODEL.md's "proportional to R&D spend"; with it a large firm's R&D buys
 * breakthroughs so fast that theta compounds without bound, so the default is 0.5
 * (diminishing returns), and ideas get fished out near a frontier theta_max.
 *   q = theta * (1 - exp(-cum_rd / R_s))
 *
 * The team size is measured against the sector's founding team, so rd_months reads as
 * "months a founding team needs". compute_access = 1 - compute_penalty * compute_share *
 * (1 - compute_index): compute-hungry sectors progress slower where compute is scarce.
 * The month's progress is then multiplied by the retention of key engineers,
 * 1 - attrition_drag * attrition[r,s] (talent phase; higher under the option-tax rule).
 * A breakthrough also makes the firm visible (出圈), whatever its business model: a viral
 * product, a model that tops the benchmarks, a robot on the Spring Festival Gala.
 * Each firm writes only its own slot; sums per region and sector go through fixed blocks. */
#include <math.h>
#include <stdlib.h>

#include "model/costs/unit_costs.h"
#include "model/rnd/rnd.h"
#include "model/talent/talent.h"
#include "core/detmath.h"

static double compute_access(const lm_world *w, int r, int s)
{
    return 1.0 - w->p->rnd.compute_penalty * w->p->sectors[s].compute_share *
                     (1.0 - w->compute_index[r]);
}

/* (h / team_s)^eta: looked up for teams up to LM_TEAM_TABLE people (nearly all firms), so
 * the hot loop pays no pow(); the table is built once per run from the same expression. */
static double team_factor_pow(const lm_world *w, int s, double headcount)
{
    return lm_pow(headcount / w->p->sectors[s].team_size, w->p->rnd.eta);
}

static inline double team_factor(const lm_world *w, int s, double headcount)
{
    const size_t h = (size_t)headcount;
    if (__builtin_expect(w->team_factor && (double)h == headcount && h < LM_TEAM_TABLE, 1))
        return w->team_factor[(size_t)s * LM_TEAM_TABLE + h];
    return team_factor_pow(w, s, headcount);
}

double lm_rnd_progress(const lm_world *w, int r, int s, double headcount)
{
    const lm_rnd_params *rp = &w->p->rnd;
    const lm_sector_params *sec = &w->p->sectors[s];
    const double k = w->knowledge[r * w->S + s];
    return team_factor(w, s, headcount) * (1.0 + rp->kappa * k / rp->knowledge_ref) *
           compute_access(w, r, s) / sec->rd_months;
}

/* Per (region, sector) factors of the month, the same for every firm of a pair: hoisted out
 * of the firm loop. Each is one factor of the products below, kept as its own number and
 * multiplied in the same order as in lm_rnd_progress, so the results keep their bits. */
typedef struct rs_factors {
    double knowledge;   /* 1 + kappa K / K_ref */
    double access;      /* compute_access */
    double retention;   /* lm_talent_retention */
    double spillover;   /* 1 + kappa_b K / K_ref */
} rs_factors;

/* Firms of a run whose first random block is computed together (rng.h). */
#define RND_RUN 64

/* One firm's month. Returns the breakthroughs it made; sets *launched. blk is block 0 of its
 * breakthrough stream. */
static int firm_rnd(lm_world *w, size_t i, lm_month m, const rs_factors *fac,
                    const lm_unit_factors *uf, const lm_rng_block *blk, int *launched)
{
    const lm_params *p = w->p;
    const lm_rnd_params *rp = &p->rnd;
    lm_firms *f = &w->firms;
    const int r = f->region[i], s = f->sector[i];
    const lm_sector_params *sec = &p->sectors[s];
    const rs_factors *x = &fac[r * w->S + s];

    const double h = (double)f->headcount[i];
    const lm_unit_costs c = lm_unit_costs_of(
        &uf[r * w->S + s], h,
        lm_unpaid_founders_of(w->month, f->unpaid_until[i], floor(p->entry.founders), h));
    w->burn[i] = c.payroll + c.compute + c.rent;
    /* staff time sold as contract work (costs) is time not spent on the product */
    const double on_product = f->contract_work[i] ? 1.0 - p->costs.contract_share : 1.0;
    const double rd = c.rd * on_product;
    f->rd_spend_cny[i] = rd;
    f->rd_ytd_cny[i] += rd;
    f->cum_rd_cny[i] += rd;
    /* Key engineers who leave take part of the month's progress with them (talent phase;
       the option-tax rule keeps more of them). As lm_rnd_progress, factor by factor. */
    f->progress[i] += team_factor(w, s, (double)f->headcount[i]) * x->knowledge * x->access /
                      sec->rd_months * x->retention * on_product;
    *launched = 0;
    if (f->launched[i] < 0 && f->progress[i] >= 1.0) {
        f->launched[i] = m;
        *launched = 1;
    }

    const double rd_ratio = rd / rp->breakthrough_ref_cny;
    const double rd_term = rp->rd_elasticity == 1.0 ? rd_ratio
                           : rp->rd_elasticity == 0.5 ? sqrt(rd_ratio)
                                                      : lm_pow(rd_ratio, rp->rd_elasticity);
    /* Fishing out: the nearer a product is to the frontier, the fewer ideas are left to
       find, so potential grows logistically toward theta_max instead of compounding. */
    const double room = 1.0 - f->theta[i] / rp->theta_max;
    const double rate = room <= 0.0 ? 0.0
                                    : rp->breakthrough_rate * rd_term * room * x->spillover;
    int n = 0;
    if (rate > 0.0) {
        lm_rng g;
        lm_rng_init_block(&g, w->key, f->stream[i], LM_PURPOSE_RND, m, blk);
        n = (int)lm_rng_poisson_small(&g, rate);
        for (int j = 0; j < n; ++j) {
            const double jump = lm_rng_pareto(&g, sec->breakthrough_alpha, rp->jump_min);
            f->theta[i] = fmin(f->theta[i] * (1.0 + jump), rp->theta_max);
            /* the news scales with the leap: a small step is noticed by the trade, a large
               one (the Pareto tail) by the whole country */
            f->visibility[i] = 1.0 - (1.0 - f->visibility[i]) *
                                         lm_exp(-p->market.breakthrough_visibility * jump /
                                                rp->jump_min);
        }
        f->breakthroughs[i] += n;
    }
    /* Only the market reads q, of launched firms (records compute it for the others,
       lm_world_firm_record): the caller sets it for the run's launched firms at once. */
    return n;
}

lm_status lm_phase_rnd(lm_world *w, lm_month m, lm_error *err)
{
    const int R = w->R, S = w->S;
    const size_t width = (size_t)R * (size_t)S + 2u * (size_t)R; /* rd, launches, breakthroughs */
    const lm_blocks b = lm_blocks_of(w->firms.n);
    double *partial = lm_world_scratch(w, sizeof(double) * width * b.count);
    double *sums = lm_world_scratch(w, sizeof(double) * width);
    rs_factors *fac = lm_world_scratch(w, sizeof(rs_factors) * (size_t)R * (size_t)S);
    lm_unit_factors *uf = lm_world_scratch(w, sizeof(lm_unit_factors) * (size_t)R * (size_t)S);
    if (!partial || !sums || !fac || !uf)
        LM_FAIL(err, LM_ENOMEM, "rnd scratch");
    const lm_rnd_params *rp = &w->p->rnd;
    for (int r = 0; r < R; ++r)
        for (int s = 0; s < S; ++s) {
            const double k = w->knowledge[r * S + s];
            rs_factors *x = &fac[r * S + s];
            x->knowledge = 1.0 + rp->kappa * k / rp->knowledge_ref;
            x->access = compute_access(w, r, s);
            x->retention = lm_talent_retention(w, r, s);
            x->spillover = 1.0 + rp->breakthrough_kappa * k / rp->knowledge_ref;
            uf[r * S + s] = lm_unit_factors_at(w, r, s);
        }
    lm_firms *f = &w->firms;
    if (f->n > w->burn_cap) {
        double *burn = realloc(w->burn, f->cap * sizeof *burn);
        if (!burn)
            LM_FAIL(err, LM_ENOMEM, "cannot grow the month's bills to %zu slots", f->cap);
        w->burn = burn;
        w->burn_cap = f->cap;
    }
#pragma omp parallel for schedule(static) num_threads(w->threads)
    for (size_t k = 0; k < b.count; ++k) {
        double *acc = partial + k * width;
        const size_t end = lm_block_end(&b, k);
        lm_rng_block blk[RND_RUN];
        double x[RND_RUN], e[RND_RUN];
        size_t who[RND_RUN];
        for (size_t i0 = lm_block_begin(&b, k); i0 < end; i0 += RND_RUN) {
            const size_t n_run = end - i0 < RND_RUN ? end - i0 : RND_RUN;
            lm_rng_first_blocks(w->key, f->stream + i0, LM_PURPOSE_RND, m, n_run, blk);
            size_t c = 0;
            for (size_t i = i0; i < i0 + n_run; ++i) {
                if (f->status[i] != LM_FIRM_ALIVE)
                    continue;
                int launched = 0;
                const int n = firm_rnd(w, i, m, fac, uf, &blk[i - i0], &launched);
                const int r = f->region[i];
                acc[r * S + f->sector[i]] += f->rd_spend_cny[i];
                acc[(size_t)R * S + (size_t)r] += launched;
                acc[(size_t)R * S + (size_t)R + (size_t)r] += n;
                if (f->launched[i] >= 0) {
                    who[c] = i;
                    x[c++] = -f->cum_rd_cny[i] / w->p->sectors[f->sector[i]].rd_scale_cny;
                }
            }
            /* q = theta (1 - exp(-cum_rd / R_s)), as lm_rnd_quality, with lm_exp_n */
            lm_exp_n(x, e, c);
            for (size_t t = 0; t < c; ++t)
                f->quality[who[t]] = f->theta[who[t]] * (1.0 - e[t]);
        }
    }
    lm_blocks_reduce(&b, partial, width, sums);
    w->burn_month = m;
    w->burn_n = f->n;
    for (int r = 0; r < R; ++r) {
        double rd = 0.0;
        for (int s = 0; s < S; ++s) {
            w->rd_by_rs[r * S + s] = sums[r * S + s];
            rd += sums[r * S + s];
        }
        w->money[r].rd_spend = rd;
        w->events[r].launches += (int64_t)sums[(size_t)R * S + (size_t)r];
        w->events[r].breakthroughs += (int64_t)sums[(size_t)R * S + (size_t)R + (size_t)r];
    }
    return LM_OK;
}
