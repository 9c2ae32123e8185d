/* src/model/observe/ecosystem_rows.c -- the ecosystem part of phase 11 (MODEL.md 6): talent
 * flows, hires and chain investments are added every month to the rows of the year (per
 * region and skill, per region and layer, and summed in region_year); tier counts, dragons,
 * platforms, alumni, pools, wages and chains are taken as stocks in December and in the last
 * simulated month, like the other stocks of observe.c. */
#include "model/observe/observe.h"

enum { Q_SME, Q_HT, Q_LG, Q_UNI, Q_DRAGON, Q_NEW, Q_N };

static lm_status count_tiers(lm_world *w, lm_month m, lm_region_year *row, lm_error *err)
{
    const int R = w->R;
    const size_t width = (size_t)R * Q_N;
    const lm_blocks b = lm_blocks_of(w->firms.n);
    double *partial = lm_world_scratch(w, sizeof(double) * width * b.count);
    double *sums = lm_world_scratch(w, sizeof(double) * width);
    if (!partial || !sums)
        LM_FAIL(err, LM_ENOMEM, "observe scratch");
    const lm_firms *f = &w->firms;
    static const unsigned bits[Q_NEW] = {LM_TIER_TECH_SME, LM_TIER_HIGH_TECH,
                                         LM_TIER_LITTLE_GIANT, LM_TIER_UNICORN, LM_TIER_DRAGON};
#pragma omp parallel for schedule(static) num_threads(w->threads)
    for (size_t k = 0; k < b.count; ++k) {
        double *acc = partial + k * width;
        const size_t end = lm_block_end(&b, k);
        for (size_t i = lm_block_begin(&b, k); i < end; ++i) {
            double *a = acc + (size_t)f->region[i] * Q_N;
            /* counted before the status test: a firm certified a dragon in December may
               list or be acquired in the exits phase of the same month */
            if (f->dragon_month[i] == m)
                a[Q_NEW] += 1.0;
            if (f->status[i] != LM_FIRM_ALIVE)
                continue;
            for (int q = 0; q < Q_NEW; ++q)
                if (f->tier[i] & bits[q])
                    a[q] += 1.0;
        }
    }
    lm_blocks_reduce(&b, partial, width, sums);
    for (int r = 0; r < R; ++r) {
        const double *a = sums + (size_t)r * Q_N;
        lm_region_year *y = &row[r];
        y->tech_sme = (int64_t)a[Q_SME];
        y->high_tech = (int64_t)a[Q_HT];
        y->little_giant = (int64_t)a[Q_LG];
        y->unicorn = (int64_t)a[Q_UNI];
        y->dragon = (int64_t)a[Q_DRAGON];
        /* certification runs only in December, so the year's new dragons are counted once */
        y->dragons_new = (int64_t)a[Q_NEW];
    }
    return LM_OK;
}

static void stocks(lm_world *w, lm_region_year *row, lm_region_skill_year *sk,
                   lm_region_layer_year *ly)
{
    const int R = w->R, K = LM_SKILL_COUNT, L = w->L;
    for (int r = 0; r < R; ++r) {
        double talent = 0.0;
        for (int k = 0; k < K; ++k) {
            const int idx = r * K + k;
            sk[idx].talent = w->talent[idx];
            sk[idx].employed = w->employed[idx];
            sk[idx].wage_cny_month = w->wage[idx];
            talent += w->talent[idx];
        }
        row[r].talent = talent;
        row[r].platforms = w->platforms[r];
        row[r].platform_alumni = w->platform_alumni[r];
        for (int l = 0; l < L; ++l) {
            ly[r * L + l].chain = w->chain[r * L + l];
            ly[r * L + l].chain_own = w->chain_own[r * L + l];
            ly[r * L + l].mass = w->chain_mass[r * L + l];
        }
    }
}

lm_status lm_observe_ecosystem(lm_world *w, lm_month m, int yi, lm_error *err)
{
    const int R = w->R, K = LM_SKILL_COUNT, L = w->L;
    lm_region_year *row = &w->region_years[(size_t)yi * (size_t)R];
    lm_region_skill_year *sk = &w->skill_years[(size_t)yi * (size_t)R * K];
    lm_region_layer_year *ly = &w->layer_years[(size_t)yi * (size_t)R * (size_t)L];
    for (int r = 0; r < R; ++r) {
        for (int k = 0; k < K; ++k) {
            const int idx = r * K + k;
            const lm_talent_flows *fl = &w->talent_flows[idx];
            lm_region_skill_year *y = &sk[idx];
            y->months++;
            y->graduates += fl->graduates;
            y->trained += fl->trained;
            y->exits += fl->exits;
            y->migrants_in += fl->migrants_in;
            y->migrants_out += fl->migrants_out;
            y->outside_in += fl->outside_in;
            y->outside_out += fl->outside_out;
            y->openings += w->openings[idx];
            y->hired += w->hired[idx];
            row[r].migrants_in += fl->migrants_in + fl->outside_in;
            row[r].migrants_out += fl->migrants_out + fl->outside_out;
        }
        for (int l = 0; l < L; ++l) {
            ly[r * L + l].months++;
            ly[r * L + l].investment += w->chain_invest[r * L + l];
        }
    }
    if (lm_month_moy(m) != 12 && m != w->p->end)
        return LM_OK;
    stocks(w, row, sk, ly);
    return count_tiers(w, m, row, err);
}
