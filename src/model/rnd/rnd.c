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
#include "model/market/market.h"
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

/* What every firm shares this month, copied into the block's locals so that the loop's
 * stores do not make the compiler read each number again per firm. */
typedef struct rnd_ctx {
    const double *team_factor; /* w->team_factor */
    double founders;           /* floor(entry.founders) */
    double off_contract;       /* 1 - contract_share: the staff time left for the product */
    double ref, elasticity, theta_max, rate;
    lm_month month;            /* w->month: whose founders are unpaid */
    size_t S;
} rnd_ctx;

/* The per (region, sector) numbers of a firm's month. */
typedef struct rnd_cell {
    rs_factors x;
    lm_unit_factors u;
    double rd_months;
    double subsidy_rate; /* of the pair's R&D subsidy policy */
    int pol;             /* that policy, -1 none */
} rnd_cell;

static inline double team_factor_of(const lm_world *w, const double *table, int s, double headcount)
{
    const size_t h = (size_t)headcount;
    if (__builtin_expect(table && (double)h == headcount && h < LM_TEAM_TABLE, 1))
        return table[(size_t)s * LM_TEAM_TABLE + h];
    return team_factor_pow(w, s, headcount);
}

/* One firm's month. Returns the breakthroughs it made; sets *launched. blk is block 0 of its
 * breakthrough stream. */
static inline int firm_rnd(lm_world *w, const rnd_ctx *cx, const lm_firms *f, size_t i, lm_month m,
                           const rnd_cell *cells, const lm_rng_block *blk, int *launched)
{
    const int r = f->region[i], s = f->sector[i];
    const rnd_cell *ce = &cells[(size_t)r * cx->S + (size_t)s];
    const rs_factors *x = &ce->x;

    const double h = (double)f->headcount[i];
    const lm_unit_costs c =
        lm_unit_costs_of(&ce->u, h, lm_unpaid_founders_of(cx->month, f->unpaid_until[i], cx->founders, h));
    w->burn[i] = c.payroll + c.compute + c.rent;
    /* staff time sold as contract work (costs) is time not spent on the product */
    const double on_product = f->contract_work[i] ? cx->off_contract : 1.0;
    const double rd = c.rd * on_product;
    f->rd_spend_cny[i] = rd;
    f->rd_ytd_cny[i] += rd;
    f->cum_rd_cny[i] += rd;
    /* Key engineers who leave take part of the month's progress with them (talent phase;
       the option-tax rule keeps more of them). As lm_rnd_progress, factor by factor. */
    const double progress = f->progress[i] + team_factor_of(w, cx->team_factor, s, h) *
                                                 x->knowledge * x->access / ce->rd_months *
                                                 x->retention * on_product;
    f->progress[i] = progress;
    *launched = 0;
    if (f->launched[i] < 0 && progress >= 1.0) {
        f->launched[i] = m;
        *launched = 1;
    }

    const double rd_ratio = rd / cx->ref;
    const double rd_term = cx->elasticity == 1.0 ? rd_ratio
                           : cx->elasticity == 0.5 ? sqrt(rd_ratio)
                                                   : lm_pow(rd_ratio, cx->elasticity);
    /* Fishing out: the nearer a product is to the frontier, the fewer ideas are left to
       find, so potential grows logistically toward theta_max instead of compounding. */
    const double room = 1.0 - f->theta[i] / cx->theta_max;
    const double rate = room <= 0.0 ? 0.0 : cx->rate * rd_term * room * x->spillover;
    int n = 0;
    if (rate > 0.0) {
        const lm_params *p = w->p;
        const lm_rnd_params *rp = &p->rnd;
        const lm_sector_params *sec = &p->sectors[s];
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

/* The firms of slots begin..end-1 (one block): their month, and the block's sums. */
static void rnd_block(lm_world *w, const rnd_ctx *cxp, size_t begin, size_t end, lm_month m,
                      const rnd_cell *cells, const double *rd_scale, double *acc,
                      double *weights)
{
    const rnd_ctx cx = *cxp;
    const lm_firms f = w->firms;
    const size_t S = cx.S, R = (size_t)w->R;
    lm_rng_block blk[RND_RUN];
    double x[RND_RUN], e[RND_RUN];
    size_t who[RND_RUN];
    for (size_t i0 = begin; i0 < end; i0 += RND_RUN) {
        const size_t n_run = end - i0 < RND_RUN ? end - i0 : RND_RUN;
        lm_rng_first_blocks(w->key, f.stream + i0, LM_PURPOSE_RND, m, n_run, blk);
        size_t c = 0;
        for (size_t i = i0; i < i0 + n_run; ++i) {
            if (f.status[i] != LM_FIRM_ALIVE) {
                f.share_weight[i] = 0.0;
                continue;
            }
            int launched = 0;
            const int n = firm_rnd(w, &cx, &f, i, m, cells, &blk[i - i0], &launched);
            const size_t r = f.region[i];
            acc[r * S + f.sector[i]] += f.rd_spend_cny[i];
            /* the costs phase's subsidy request, summed here where the spending is known */
            const rnd_cell *ce = &cells[r * S + f.sector[i]];
            if (ce->pol >= 0)
                acc[R * S + 2 * R + r * LM_MAX_POLICIES + (size_t)ce->pol] +=
                    ce->subsidy_rate * f.rd_spend_cny[i];
            /* whole numbers, mostly 0: adding 0 leaves a sum as it is */
            if (launched)
                acc[R * S + r] += launched;
            if (n)
                acc[R * S + R + r] += n;
            if (f.launched[i] >= 0) {
                who[c] = i;
                x[c++] = -f.cum_rd_cny[i] / rd_scale[f.sector[i]];
            } else {
                f.share_weight[i] = 0.0;
            }
        }
        /* q = theta (1 - exp(-cum_rd / R_s)), as lm_rnd_quality, with lm_exp_n */
        lm_exp_n(x, e, c);
        for (size_t t = 0; t < c; ++t)
            f.quality[who[t]] = f.theta[who[t]] * (1.0 - e[t]);
        /* the market's weights need only the firm's quality after R&D (coupling 2) */
        lm_market_weigh_run(w, m, who, c, weights);
    }
}

lm_status lm_phase_rnd(lm_world *w, lm_month m, lm_error *err)
{
    const int R = w->R, S = w->S;
    /* rd, launches, breakthroughs, subsidy requests */
    const size_t width = (size_t)R * (size_t)S + 2u * (size_t)R + (size_t)R * LM_MAX_POLICIES;
    const lm_blocks b = lm_blocks_of(w->firms.n);
    double *partial = lm_world_scratch(w, sizeof(double) * width * b.count);
    double *sums = lm_world_scratch(w, sizeof(double) * width);
    const size_t ww = lm_market_weights_width(w);
    double *wpartial = lm_world_scratch(w, sizeof(double) * ww * b.count);
    if (!wpartial)
        LM_FAIL(err, LM_ENOMEM, "rnd scratch");
    rnd_cell *cells = lm_world_scratch(w, sizeof(rnd_cell) * (size_t)R * (size_t)S);
    double *rd_scale = lm_world_scratch(w, sizeof(double) * (size_t)S);
    if (!partial || !sums || !cells || !rd_scale)
        LM_FAIL(err, LM_ENOMEM, "rnd scratch");
    const lm_params *p = w->p;
    const lm_rnd_params *rp = &p->rnd;
    for (int r = 0; r < R; ++r)
        for (int s = 0; s < S; ++s) {
            const double k = w->knowledge[r * S + s];
            rnd_cell *ce = &cells[r * S + s];
            ce->x.knowledge = 1.0 + rp->kappa * k / rp->knowledge_ref;
            ce->x.access = compute_access(w, r, s);
            ce->x.retention = lm_talent_retention(w, r, s);
            ce->x.spillover = 1.0 + rp->breakthrough_kappa * k / rp->knowledge_ref;
            ce->u = lm_unit_factors_at(w, r, s);
            ce->rd_months = p->sectors[s].rd_months;
            ce->pol = w->rd_subsidy_policy[r * S + s];
            ce->subsidy_rate = w->rd_subsidy_rate[r * S + s];
        }
    for (int s = 0; s < S; ++s)
        rd_scale[s] = p->sectors[s].rd_scale_cny;
    rnd_ctx cx;
    cx.team_factor = w->team_factor;
    cx.founders = floor(p->entry.founders);
    cx.off_contract = 1.0 - p->costs.contract_share;
    cx.ref = rp->breakthrough_ref_cny;
    cx.elasticity = rp->rd_elasticity;
    cx.theta_max = rp->theta_max;
    cx.rate = rp->breakthrough_rate;
    cx.month = w->month;
    cx.S = (size_t)S;
    lm_firms *f = &w->firms;
    double *burn = lm_world_slot_array(w, w->burn, &w->burn_cap, sizeof *burn);
    if (!burn)
        LM_FAIL(err, LM_ENOMEM, "cannot grow the month's bills to %zu slots", f->cap);
    w->burn = burn;
#pragma omp parallel for schedule(static) num_threads(w->threads)
    for (size_t k = 0; k < b.count; ++k)
        rnd_block(w, &cx, lm_block_begin(&b, k), lm_block_end(&b, k), m, cells, rd_scale,
                  partial + k * width, wpartial + k * ww);
    lm_blocks_reduce(&b, partial, width, sums);
    w->burn_month = m;
    w->burn_n = f->n;
    lm_blocks_reduce(&b, wpartial, ww, w->weights);
    w->weights_month = m;
    w->weights_n = f->n;
    for (size_t j = 0; j < (size_t)R * LM_MAX_POLICIES; ++j)
        w->subsidy_requests[j] = sums[(size_t)R * S + 2u * (size_t)R + j];
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
