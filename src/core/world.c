/* src/core/world.c -- creating and releasing a world, and the helpers phases share
 * (world.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/world.h"
#include "core/detmath.h"

void lm_blocks_reduce(const lm_blocks *b, const double *partial, size_t width, double *out)
{
    for (size_t j = 0; j < width; ++j)
        out[j] = 0.0;
    for (size_t k = 0; k < b->count; ++k) {
        const double *row = partial + k * width;
        for (size_t j = 0; j < width; ++j)
            out[j] += row[j];
    }
}

double lm_world_sector_chain(const lm_world *w, int r, int s)
{
    const uint32_t layers = w->p->sectors[s].layers;
    double sum = 0.0;
    int n = 0;
    for (int l = 0; l < w->L; ++l)
        if (layers & (1u << l)) {
            sum += w->chain[r * w->L + l];
            ++n;
        }
    return n ? sum / n : 1.0;
}

void lm_world_source_chains(lm_world *w)
{
    const int R = w->R, L = w->L;
    const double discount = w->p->chain.source_discount;
    const double *integ = w->p->integration;
    for (int r = 0; r < R; ++r)
        for (int l = 0; l < L; ++l) {
            double best = w->chain_own[r * L + l];
            for (int q = 0; q < R; ++q) {
                if (q == r)
                    continue;
                const double sourced = discount * integ[r * R + q] * w->chain_own[q * L + l];
                if (sourced > best)
                    best = sourced;
            }
            w->chain[r * L + l] = best;
        }
}

void *lm_world_scratch(lm_world *w, size_t bytes) { return lm_arena_alloc(&w->scratch, bytes); }

void *lm_world_slot_array(const lm_world *w, void *slots, size_t *cap, size_t size)
{
    if (slots && w->firms.n <= *cap)
        return slots;
    const size_t want = w->firms.cap > 0 ? w->firms.cap : 1;
    void *grown = realloc(slots, want * size);
    if (grown)
        *cap = want;
    return grown;
}

/* Scratch a month can need at most: the widest block-partial table (market: S*3*(R+1) per
 * block) a few times over, plus per-region tables and the entry's location weights of every
 * (origin, sector) pair. Sized once, from the scenario. */
size_t lm_world_scratch_bytes(const lm_params *p)
{
    const size_t R = (size_t)p->n_regions, S = (size_t)p->n_sectors;
    const size_t widest = S * LM_MODEL_COUNT * (R + 1) + R * LM_MAX_POLICIES + R * (S + 16);
    const size_t per_month = 4 * widest * (LM_BLOCK_MAX_COUNT + 2) * sizeof(double);
    const size_t entry = (R + 1) * (R + 1) * S * sizeof(double);
    return per_month + entry + 64 * 1024;
}

#define ALLOC(ptr, count)                                                                        \
    do {                                                                                         \
        const size_t n_ = (size_t)(count);                                                       \
        (ptr) = calloc(n_ > 0 ? n_ : 1u, sizeof *(ptr));                                         \
        if (!(ptr))                                                                              \
            LM_FAIL(err, LM_ENOMEM, "cannot allocate the run's region state");                  \
    } while (0)

lm_status lm_world_init(lm_world *w, const lm_params *p, uint64_t seed, uint32_t run,
                        int threads, size_t firm_capacity, lm_error *err)
{
    memset(w, 0, sizeof *w);
    w->p = p;
    w->seed = seed;
    w->run = run;
    w->key = lm_rng_key_make(seed, run);
    w->burn_month = INT32_MIN;
    w->weights_month = INT32_MIN;
    w->threads = threads > 0 ? threads : 1;
    w->month = p->start;
    w->R = p->n_regions;
    w->S = p->n_sectors;
    w->L = p->n_layers;
    const size_t R = (size_t)w->R, S = (size_t)w->S, L = (size_t)w->L;
    const size_t RK = R * LM_SKILL_COUNT, RP = R * LM_MAX_POLICIES;

    lm_status st = lm_firms_init(&w->firms, firm_capacity, err);
    if (st != LM_OK)
        return st;
    if ((st = lm_arena_init(&w->scratch, lm_world_scratch_bytes(p), err)) != LM_OK)
        return st;
    ALLOC(w->talent, RK);
    ALLOC(w->wage, RK);
    ALLOC(w->subsidy_requests, R * LM_MAX_POLICIES);
    ALLOC(w->weights, S * LM_MODEL_COUNT + R * S * LM_MODEL_COUNT); /* lm_market_weights_width */
    ALLOC(w->knowledge, R * S);
    ALLOC(w->knowledge_next, R * S);
    ALLOC(w->chain, R * L);
    ALLOC(w->recent_failed, R);
    ALLOC(w->private_capital, R);
    ALLOC(w->platform_alumni, R);
    ALLOC(w->platform_sectors, R);
    ALLOC(w->policy_active, RP);
    ALLOC(w->policy_budget, RP);
    w->cohort_year0 = lm_month_year(p->start);
    w->n_cohorts = lm_month_year(p->end) - w->cohort_year0 + 1;
    ALLOC(w->cohort_births, w->n_cohorts);
    ALLOC(w->cohort_value_min, w->n_cohorts);
    ALLOC(w->cohort_revenue_min, w->n_cohorts);
    ALLOC(w->rank_pos, w->n_cohorts + 1);
    ALLOC(w->rank_fill, w->n_cohorts);
    ALLOC(w->talent_policy, R);
    ALLOC(w->failure_tolerance, R);
    ALLOC(w->tolerance_set, R);
    ALLOC(w->institution_strength, R);
    ALLOC(w->compute_index, R);
    ALLOC(w->institutions, R * S);
    ALLOC(w->rent_discount, R * S);
    ALLOC(w->option_effect, R * S);
    ALLOC(w->rd_subsidy_rate, R * S);
    ALLOC(w->rd_subsidy_policy, R * S);
    ALLOC(w->first_sought, R * S);
    ALLOC(w->first_closed, R * S);
    ALLOC(w->first_raised, R * S);
    ALLOC(w->restarts, R);
    ALLOC(w->failed_seen, R);
    ALLOC(w->rd_by_rs, R * S);
    ALLOC(w->events, R);
    ALLOC(w->money, R);
    ALLOC(w->employed, RK); /* ecosystem issue */
    ALLOC(w->openings, RK);
    ALLOC(w->hired, RK);
    ALLOC(w->attrition, R * S);
    ALLOC(w->attrition_cut, R * S);
    ALLOC(w->talent_flows, RK);
    ALLOC(w->chain_own, R * L);
    ALLOC(w->chain_mass, R * L);
    ALLOC(w->chain_invest, R * L);
    ALLOC(w->platform_staff, RK);
    ALLOC(w->platforms, R);

    for (int r = 0; r < w->R; ++r) {
        const lm_region_params *rp = &p->regions[r];
        for (int k = 0; k < LM_SKILL_COUNT; ++k) {
            w->talent[r * LM_SKILL_COUNT + k] = rp->talent[k];
            w->wage[r * LM_SKILL_COUNT + k] = rp->wage_cny_month[k];
        }
        for (int s = 0; s < w->S; ++s)
            w->knowledge[r * w->S + s] = rp->knowledge[s];
        w->private_capital[r] = rp->private_capital_cny;
        w->platform_alumni[r] = rp->platform_alumni;
        w->platform_sectors[r] = rp->platform_sectors;
        for (int l = 0; l < w->L; ++l)
            w->chain_own[r * w->L + l] = rp->chain[l];
        w->platform_staff[r * LM_SKILL_COUNT + LM_SKILL_SOFTWARE] = rp->platform_staff;
    }
    lm_world_source_chains(w);

    ALLOC(w->team_factor, S * LM_TEAM_TABLE);
    for (int s = 0; s < w->S; ++s)
        for (size_t h = 0; h < LM_TEAM_TABLE; ++h)
            w->team_factor[(size_t)s * LM_TEAM_TABLE + h] =
                lm_pow((double)h / p->sectors[s].team_size, p->rnd.eta);

    w->first_year = lm_month_year(p->start);
    w->n_years = lm_month_year(p->end) - w->first_year + 1;
    ALLOC(w->region_years, (size_t)w->n_years * R);
    ALLOC(w->skill_years, (size_t)w->n_years * RK);
    ALLOC(w->public_years, (size_t)w->n_years * R);
    ALLOC(w->layer_years, (size_t)w->n_years * R * L);
    for (int y = 0; y < w->n_years; ++y)
        for (int r = 0; r < w->R; ++r) {
            for (int k = 0; k < LM_SKILL_COUNT; ++k) {
                lm_region_skill_year *row =
                    &w->skill_years[((size_t)y * R + (size_t)r) * LM_SKILL_COUNT + (size_t)k];
                row->region = r;
                row->year = w->first_year + y;
                row->skill = k;
            }
            for (int l = 0; l < w->L; ++l) {
                lm_region_layer_year *row =
                    &w->layer_years[((size_t)y * R + (size_t)r) * L + (size_t)l];
                row->region = r;
                row->year = w->first_year + y;
                row->layer = l;
            }
        }
    for (int y = 0; y < w->n_years; ++y)
        for (int r = 0; r < w->R; ++r) {
            lm_region_year *row = &w->region_years[(size_t)y * R + (size_t)r];
            row->region = r;
            row->year = w->first_year + y;
            lm_public_year *pub = &w->public_years[(size_t)y * R + (size_t)r];
            pub->region = r;
            pub->year = w->first_year + y;
        }
    return LM_OK;
}

void lm_world_fini(lm_world *w)
{
    if (!w)
        return;
    if (w->finance && w->finance_free) /* finance issue */
        w->finance_free(w->finance);
    lm_firms_fini(&w->firms);
    lm_arena_fini(&w->scratch);
    void *arrays[] = {w->where,          w->archive,           w->kept_slots, w->hiring, w->burn, w->subsidy_requests, w->weights,       w->talent,
                      w->wage,           w->knowledge,         w->knowledge_next,
                      w->chain,          w->recent_failed,     w->private_capital,
                      w->platform_alumni, w->platform_sectors,     w->policy_active,
                      w->policy_budget,  w->talent_policy,
                      w->cohort_births, w->cohort_value_min, w->cohort_revenue_min,
                      w->rank_buf, w->rank_pos, w->rank_fill,
                      w->failure_tolerance, w->tolerance_set, w->institution_strength, w->compute_index,
                      w->institutions,   w->rent_discount,     w->option_effect,
                      w->rd_subsidy_rate, w->rd_subsidy_policy, w->first_sought, w->first_closed, w->first_raised,
                      w->restarts, w->failed_seen,
                      w->rd_by_rs,       w->team_factor,      w->events,            w->money,
                      w->region_years,
                      /* ecosystem issue */
                      w->employed, w->openings, w->hired, w->attrition, w->attrition_cut,
                      w->talent_flows, w->chain_own, w->chain_mass, w->chain_invest,
                      w->platform_staff, w->platforms, w->skill_years, w->layer_years,
                      w->public_years};
    for (size_t i = 0; i < sizeof arrays / sizeof arrays[0]; ++i)
        free(arrays[i]);
    memset(w, 0, sizeof *w);
}

void lm_world_firm_record(const lm_world *w, size_t i, lm_firm_record *rec)
{
    const lm_firms *f = &w->firms;
    lm_firms_record(f, i, rec);
    if (f->launched[i] < 0)
        rec->quality = lm_rnd_quality(f->theta[i], f->cum_rd_cny[i],
                                      w->p->sectors[f->sector[i]].rd_scale_cny);
}

lm_status lm_world_compact(lm_world *w, lm_error *err)
{
    lm_firms *f = &w->firms;
    if (w->ended_in_slots == 0)
        return LM_OK;
    if (w->n_archive + w->ended_in_slots > w->archive_cap) {
        size_t cap = w->archive_cap ? w->archive_cap : 1024;
        while (cap < w->n_archive + w->ended_in_slots)
            cap *= 2;
        lm_firm_record *a = realloc(w->archive, cap * sizeof *a);
        if (!a)
            LM_FAIL(err, LM_ENOMEM, "cannot grow the archive of ended firms");
        w->archive = a;
        w->archive_cap = cap;
    }
    uint32_t *kept = lm_world_slot_array(w, w->kept_slots, &w->kept_cap, sizeof *kept);
    if (!kept)
        LM_FAIL(err, LM_ENOMEM, "cannot grow the compaction list to %zu slots", f->cap);
    w->kept_slots = kept;
    /* First the ended firms go to the archive and the survivors after the first ended slot
     * are listed as runs of consecutive slots (start, length): each run follows an ended
     * slot, so there are at most half as many pairs as slots. Then every field array is
     * closed up on its own, run by run (lm_firms_compact): a streaming pass per array instead
     * of a scattered move of all fields per firm, and a block copy per run instead of a copy
     * per slot. Slots before the first ended one stay. */
    size_t keep = 0, first_gap = f->n, n_runs = 0;
    bool in_run = false;
    uint32_t *runs = w->kept_slots;
    for (size_t i = 0; i < f->n; ++i) {
        if (f->status[i] != LM_FIRM_ALIVE) {
            lm_world_firm_record(w, i, &w->archive[w->n_archive]);
            w->where[f->id[i]] = -(int64_t)w->n_archive - 1;
            w->n_archive++;
            if (first_gap == f->n)
                first_gap = i;
            in_run = false;
            continue;
        }
        if (keep != i) {
            w->where[f->id[i]] = (int64_t)keep;
            if (!in_run) {
                runs[2 * n_runs] = (uint32_t)i;
                runs[2 * n_runs + 1] = 0;
                ++n_runs;
                in_run = true;
            }
            runs[2 * n_runs - 1]++;
        }
        ++keep;
    }
    lm_firms_compact(f, runs, n_runs, first_gap);
    f->n = keep;
    w->ended_in_slots = 0;
    return LM_OK;
}
