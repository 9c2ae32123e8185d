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
static double team_factor(const lm_world *w, int s, double headcount)
{
    const size_t h = (size_t)headcount;
    if (w->team_factor && (double)h == headcount && h < LM_TEAM_TABLE)
        return w->team_factor[(size_t)s * LM_TEAM_TABLE + h];
    return lm_pow(headcount / w->p->sectors[s].team_size, w->p->rnd.eta);
}

double lm_rnd_progress(const lm_world *w, int r, int s, double headcount)
{
    const lm_rnd_params *rp = &w->p->rnd;
    const lm_sector_params *sec = &w->p->sectors[s];
    const double k = w->knowledge[r * w->S + s];
    return team_factor(w, s, headcount) * (1.0 + rp->kappa * k / rp->knowledge_ref) *
           compute_access(w, r, s) / sec->rd_months;
}

/* One firm's month. Returns the breakthroughs it made; sets *launched. */
static int firm_rnd(lm_world *w, size_t i, lm_month m, int *launched)
{
    const lm_params *p = w->p;
    const lm_rnd_params *rp = &p->rnd;
    lm_firms *f = &w->firms;
    const int r = f->region[i], s = f->sector[i];
    const lm_sector_params *sec = &p->sectors[s];
    const double k = w->knowledge[r * w->S + s];

    const lm_unit_costs c = lm_firm_unit_costs(w, i);
    f->rd_spend_cny[i] = c.rd;
    f->rd_ytd_cny[i] += c.rd;
    f->cum_rd_cny[i] += c.rd;
    /* Key engineers who leave take part of the month's progress with them (talent phase;
       the option-tax rule keeps more of them). */
    f->progress[i] += lm_rnd_progress(w, r, s, (double)f->headcount[i]) *
                      lm_talent_retention(w, r, s);
    *launched = 0;
    if (f->launched[i] < 0 && f->progress[i] >= 1.0) {
        f->launched[i] = m;
        *launched = 1;
    }

    const double rd_ratio = c.rd / rp->breakthrough_ref_cny;
    const double rd_term = rp->rd_elasticity == 1.0 ? rd_ratio
                           : rp->rd_elasticity == 0.5 ? sqrt(rd_ratio)
                                                      : lm_pow(rd_ratio, rp->rd_elasticity);
    /* Fishing out: the nearer a product is to the frontier, the fewer ideas are left to
       find, so potential grows logistically toward theta_max instead of compounding. */
    const double room = 1.0 - f->theta[i] / rp->theta_max;
    const double rate = room <= 0.0 ? 0.0
                                    : rp->breakthrough_rate * rd_term * room *
                                          (1.0 + rp->breakthrough_kappa * k / rp->knowledge_ref);
    int n = 0;
    if (rate > 0.0) {
        lm_rng g;
        lm_rng_init(&g, w->key, f->stream[i], LM_PURPOSE_RND, m);
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
    f->quality[i] = f->theta[i] * (1.0 - lm_exp(-f->cum_rd_cny[i] / sec->rd_scale_cny));
    return n;
}

lm_status lm_phase_rnd(lm_world *w, lm_month m, lm_error *err)
{
    const int R = w->R, S = w->S;
    const size_t width = (size_t)R * (size_t)S + 2u * (size_t)R; /* rd, launches, breakthroughs */
    const lm_blocks b = lm_blocks_of(w->firms.n);
    double *partial = lm_world_scratch(w, sizeof(double) * width * b.count);
    double *sums = lm_world_scratch(w, sizeof(double) * width);
    if (!partial || !sums)
        LM_FAIL(err, LM_ENOMEM, "rnd scratch");
    lm_firms *f = &w->firms;
#pragma omp parallel for schedule(static) num_threads(w->threads)
    for (size_t k = 0; k < b.count; ++k) {
        double *acc = partial + k * width;
        const size_t end = lm_block_end(&b, k);
        for (size_t i = lm_block_begin(&b, k); i < end; ++i) {
            if (f->status[i] != LM_FIRM_ALIVE)
                continue;
            int launched = 0;
            const int n = firm_rnd(w, i, m, &launched);
            const int r = f->region[i];
            acc[r * S + f->sector[i]] += f->rd_spend_cny[i];
            acc[(size_t)R * S + (size_t)r] += launched;
            acc[(size_t)R * S + (size_t)R + (size_t)r] += n;
        }
    }
    lm_blocks_reduce(&b, partial, width, sums);
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
