/* src/model/observe/observe.c -- phase 11 (MODEL.md 6): the month's events and money are added
 * to the region-year rows; stocks (firms alive, staff, knowledge, ...) are taken in December
 * and in the last simulated month, the only months where a year's row is read. */
#include "model/observe/observe.h"

enum { O_ALIVE, O_PRODUCT, O_HEAD, O_VIS, O_MAXREV, O_N };

static lm_status take_stocks(lm_world *w, lm_region_year *row, lm_error *err)
{
    const int R = w->R;
    const size_t width = (size_t)R * O_N;
    const lm_blocks b = lm_blocks_of(w->firms.n);
    double *partial = lm_world_scratch(w, sizeof(double) * width * b.count);
    double *sums = lm_world_scratch(w, sizeof(double) * width);
    if (!partial || !sums)
        LM_FAIL(err, LM_ENOMEM, "observe scratch");
    const lm_firms *f = &w->firms;
#pragma omp parallel for schedule(static) num_threads(w->threads)
    for (size_t k = 0; k < b.count; ++k) {
        double *acc = partial + k * width;
        const size_t end = lm_block_end(&b, k);
        for (size_t i = lm_block_begin(&b, k); i < end; ++i) {
            if (f->status[i] != LM_FIRM_ALIVE)
                continue;
            double *a = acc + (size_t)f->region[i] * O_N;
            a[O_ALIVE] += 1.0;
            a[O_HEAD] += f->headcount[i];
            if (f->launched[i] >= 0) {
                a[O_PRODUCT] += 1.0;
                a[O_VIS] += f->visibility[i];
            }
            if (f->revenue_cny[i] > a[O_MAXREV])
                a[O_MAXREV] = f->revenue_cny[i];
        }
    }
    /* sums for counts; the maximum is taken across blocks separately */
    lm_blocks_reduce(&b, partial, width, sums);
    for (int r = 0; r < R; ++r) {
        double mx = 0.0;
        for (size_t k = 0; k < b.count; ++k)
            if (partial[k * width + (size_t)r * O_N + O_MAXREV] > mx)
                mx = partial[k * width + (size_t)r * O_N + O_MAXREV];
        const double *a = sums + (size_t)r * O_N;
        lm_region_year *y = &row[r];
        y->alive = (int64_t)a[O_ALIVE];
        y->with_product = (int64_t)a[O_PRODUCT];
        y->headcount = (int64_t)a[O_HEAD];
        y->mean_visibility = a[O_PRODUCT] > 0.0 ? a[O_VIS] / a[O_PRODUCT] : 0.0;
        y->max_revenue_cny_month = mx;
        double knowledge = 0.0, budget = 0.0;
        for (int s = 0; s < w->S; ++s)
            knowledge += w->knowledge[r * w->S + s];
        for (int k = 0; k < LM_MAX_POLICIES; ++k)
            budget += w->policy_budget[r * LM_MAX_POLICIES + k];
        y->knowledge = knowledge;
        y->policy_budget_cny = budget;
        y->compute_index = w->compute_index[r];
    }
    return LM_OK;
}

/* The month's public money (docs/model.md 7.14): outlays and tax expenditures less returns;
 * commitments apart. */
static void public_month(lm_public_year *y, const lm_money *mo)
{
    y->months++;
    y->subsidies_cny += mo->state_paid_subsidy;
    y->gov_called_cny += mo->gov_called;
    y->gov_invested_cny += mo->gov_invested;
    y->direct_cny += mo->state_paid_direct;
    y->tax_personal_cny += mo->tax_forgone_personal;
    y->tax_corporate_cny += mo->tax_forgone_corporate;
    y->tax_other_cny += mo->tax_forgone_other;
    y->gov_returned_cny += mo->gov_returned;
    y->net_cny = y->subsidies_cny + y->gov_called_cny + y->direct_cny + y->tax_personal_cny +
                 y->tax_corporate_cny + y->tax_other_cny - y->gov_returned_cny;
    y->gov_committed_cny += mo->gov_committed_new;
    y->gov_recommitted_cny += mo->gov_recommitted;
    y->gov_released_cny += mo->gov_released;
}

lm_status lm_phase_observe(lm_world *w, lm_month m, lm_error *err)
{
    const int year = lm_month_year(m);
    const int yi = year - w->first_year;
    if (yi < 0 || yi >= w->n_years)
        LM_FAIL(err, LM_ESTATE, "month outside the observed years");
    lm_region_year *row = &w->region_years[(size_t)yi * (size_t)w->R];
    for (int r = 0; r < w->R; ++r) {
        const lm_month_events *ev = &w->events[r];
        const lm_money *mo = &w->money[r];
        lm_region_year *y = &row[r];
        y->months++;
        y->births += ev->births;
        for (int k = 0; k < LM_SOURCE_COUNT; ++k)
            y->births_by_source[k] += ev->births_by_source[k];
        y->births_nonlocal += ev->births_nonlocal;
        y->deaths += ev->deaths;
        y->launched += ev->launches;
        y->breakthroughs += ev->breakthroughs;
        y->revenue_cny += mo->firms_received_revenue;
        y->rd_spend_cny += mo->rd_spend;
        y->payroll_cny += mo->firms_paid_payroll;
        y->compute_cny += mo->firms_paid_compute;
        y->rent_cny += mo->firms_paid_rent;
        y->subsidies_cny += mo->firms_received_subsidy;
        y->taxes_cny += mo->firms_paid_tax;
        public_month(&w->public_years[(size_t)yi * (size_t)w->R + (size_t)r], mo);
        y->founders_nonlocal_share =
            y->births > 0 ? (double)y->births_nonlocal / (double)y->births : 0.0;
    }
    lm_status st = lm_observe_ecosystem(w, m, yi, err);
    if (st == LM_OK && (lm_month_moy(m) == 12 || m == w->p->end))
        st = take_stocks(w, row, err);
    return st;
}
