/* src/model/ecosystem/chain.c -- the rest of phase 10 (MODEL.md 5.9): industrial-chain
 * completeness and platforms. Called by lm_phase_ecosystem after the knowledge update.
 *
 * Platforms. A live firm with at least giant_headcount staff, or giant_revenue_cny_year of
 * revenue in the last calendar year, becomes a platform of its region for good (the Alibaba
 * effect): its sector joins the region's platform sectors (where platform alumni found
 * firms) and its staff joins the platform staff, whose turnover makes alumni:
 *   alumni[r] <- alumni[r] + turnover x staff[r] - alumni_decay x alumni[r]
 * staff[r] = the scenario's platform_staff + the staff of the region's live platform firms.
 * (Platform staff also train people into the pools: the talent phase reads it.)
 *
 * Chains. Each layer l of region r moves, from last month's own completeness c,
 *   c <- c + growth x mass/(mass + mass_ref) x (1 - c) + invest - decay x max(0, c - c_base)
 * mass = staff of the region's live firms in sectors that use l; invest = the chain_investment
 * of active industrial parks naming l, a year's amount spread over twelve months; c_base =
 * base_share x the scenario's chain (the industry outside the model), toward which chains
 * built by firms and parks decay slowly; c in [0, 1]. The effective chain that founders,
 * costs and the compute index see may be sourced from integrated neighbours at a discount
 * (lm_world_source_chains). Firm sums go through fixed blocks. */
#include <math.h>

#include "model/ecosystem/chain.h"

enum { E_MASS, E_PLATFORM, E_N }; /* per region x sector */

static bool is_giant(const lm_platform_params *pp, const lm_firms *f, size_t i)
{
    return f->headcount[i] >= pp->giant_headcount ||
           f->revenue_last_year_cny[i] >= pp->giant_revenue_cny_year;
}

/* Staff per region and sector of all live firms and of the platforms among them. */
static lm_status firm_mass(lm_world *w, double *sums, lm_error *err)
{
    const int S = w->S;
    const size_t width = (size_t)w->R * (size_t)S * E_N + (size_t)w->R;
    const lm_blocks b = lm_blocks_of(w->firms.n);
    double *partial = lm_world_scratch(w, sizeof(double) * width * b.count);
    if (!partial)
        LM_FAIL(err, LM_ENOMEM, "ecosystem scratch");
    lm_firms *fw = &w->firms;
    const lm_platform_params *pw = &w->p->platforms;
    const size_t RSE = (size_t)w->R * S * E_N;
#pragma omp parallel for schedule(static) num_threads(w->threads)
    for (size_t k = 0; k < b.count; ++k) {
        /* locals: the loop's byte stores would otherwise make every array's address and
           the thresholds be read again per firm */
        const lm_firms fl = *fw, *f = &fl;
        const lm_platform_params pl = *pw, *pp = &pl;
        double *acc = partial + k * width;
        const size_t end = lm_block_end(&b, k);
        for (size_t i = lm_block_begin(&b, k); i < end; ++i) {
            if (f->status[i] != LM_FIRM_ALIVE)
                continue;
            if (!f->platform[i] && is_giant(pp, f, i))
                f->platform[i] = 1;
            double *a = acc + ((size_t)f->region[i] * S + f->sector[i]) * E_N;
            a[E_MASS] += f->headcount[i];
            if (f->platform[i]) {
                a[E_PLATFORM] += f->headcount[i];
                acc[RSE + f->region[i]] += 1.0;
            }
        }
    }
    lm_blocks_reduce(&b, partial, width, sums);
    return LM_OK;
}

static void update_platforms(lm_world *w, const double *sums)
{
    const int S = w->S, K = LM_SKILL_COUNT;
    const lm_platform_params *pp = &w->p->platforms;
    for (int r = 0; r < w->R; ++r) {
        double *staff = &w->platform_staff[r * K];
        for (int k = 0; k < K; ++k)
            staff[k] = 0.0;
        staff[LM_SKILL_SOFTWARE] = w->p->regions[r].platform_staff;
        for (int s = 0; s < S; ++s) {
            const double st = sums[((size_t)r * S + s) * E_N + E_PLATFORM];
            if (st > 0.0) {
                staff[w->p->sectors[s].skill] += st;
                w->platform_sectors[r] |= 1u << s;
            }
        }
        double total = 0.0;
        for (int k = 0; k < K; ++k)
            total += staff[k];
        w->platform_alumni[r] += pp->turnover * total - pp->alumni_decay * w->platform_alumni[r];
        w->platforms[r] = (int32_t)sums[(size_t)w->R * S * E_N + r];
    }
}

/* Completeness added this month to layer l of region r by active industrial parks. */
static double park_investment(const lm_world *w, int r, int l)
{
    const lm_region_params *rp = &w->p->regions[r];
    double inv = 0.0;
    for (int k = 0; k < rp->n_policies; ++k) {
        const lm_policy *pol = &rp->policies[k];
        if (pol->kind == LM_POLICY_INDUSTRIAL_PARK && w->policy_active[r * LM_MAX_POLICIES + k] &&
            (pol->layers & (1u << l)))
            inv += pol->chain_investment / 12.0;
    }
    return inv;
}

static void update_chains(lm_world *w, const double *sums)
{
    const int S = w->S, L = w->L;
    const lm_chain_params *cp = &w->p->chain;
    for (int r = 0; r < w->R; ++r)
        for (int l = 0; l < L; ++l) {
            double mass = 0.0;
            for (int s = 0; s < S; ++s)
                if (w->p->sectors[s].layers & (1u << l))
                    mass += sums[((size_t)r * S + s) * E_N + E_MASS];
            const int rl = r * L + l;
            const double c = w->chain_own[rl];
            const double base = cp->base_share * w->p->regions[r].chain[l];
            const double inv = park_investment(w, r, l);
            const double next = c + cp->growth * mass / (mass + cp->mass_ref) * (1.0 - c) + inv -
                                cp->decay * fmax(0.0, c - base);
            w->chain_own[rl] = next < 0.0 ? 0.0 : (next > 1.0 ? 1.0 : next);
            w->chain_mass[rl] = mass;
            w->chain_invest[rl] = inv;
        }
    lm_world_source_chains(w);
}

lm_status lm_ecosystem_chains(lm_world *w, lm_month m, lm_error *err)
{
    (void)m;
    const size_t width = (size_t)w->R * (size_t)w->S * E_N + (size_t)w->R;
    double *sums = lm_world_scratch(w, sizeof(double) * width);
    if (!sums)
        LM_FAIL(err, LM_ENOMEM, "ecosystem scratch");
    lm_status st = firm_mass(w, sums, err);
    if (st != LM_OK)
        return st;
    update_platforms(w, sums);
    update_chains(w, sums);
    return LM_OK;
}
