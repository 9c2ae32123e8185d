/* src/model/finance/state.c -- creating, growing and releasing the finance state shared by
 * the finance and exits phases (finance_int.h): per-firm records by id, investors by id, the
 * run's deal and exit ledgers and the region-year rows. Everything here grows only at phase
 * boundaries or in the serial booking code, never inside a parallel firm loop. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model/finance/finance_int.h"

static void finance_free(struct lm_finance *fin)
{
    if (!fin)
        return;
    for (size_t id = 0; id < fin->n_firm; ++id)
        free(fin->firm[id].stakes);
    for (size_t i = 0; i < fin->n_inv; ++i)
        free(fin->inv[i].flows);
    void *arrays[] = {fin->policy_raised, fin->round_flow, fin->round_flow_month, fin->recycled, fin->firm,      fin->inv,        fin->strategic,  fin->direct,
                      fin->provincial, fin->deal_mult, fin->noise_factor, fin->deals,
                      fin->exits,     fin->fund_out,   fin->years,      fin->cum_gov,
                      fin->cum_social, fin->pool,      fin->cum,        fin->pool_by_stage,
                      fin->offers,    fin->insider,    fin->insider_begin, fin->offer_count,
                      fin->offer_begin, fin->inv_avail, fin->inv_looks, fin->inv_seen, fin->inv_screened,
                      fin->seen_buf,   fin->seek,       fin->offers_sorted};
    for (size_t i = 0; i < sizeof arrays / sizeof arrays[0]; ++i)
        free(arrays[i]);
    free(fin);
}

/* The region that stands for a province (its first region), so provincial funds of funds
 * count every region of their province as local; -1 for a region without a province. */
static void provinces(const lm_params *p, int32_t *canon)
{
    for (int r = 0; r < p->n_regions; ++r) {
        canon[r] = -1;
        if (!p->regions[r].province[0])
            continue;
        canon[r] = r;
        for (int q = 0; q < r; ++q)
            if (strcmp(p->regions[q].province, p->regions[r].province) == 0) {
                canon[r] = q;
                break;
            }
    }
}

lm_status lm__finance_ensure(lm_world *w, lm_error *err)
{
    if (w->finance)
        return LM_OK;
    struct lm_finance *fin = calloc(1, sizeof *fin);
    if (!fin)
        LM_FAIL(err, LM_ENOMEM, "finance state");
    const size_t R = (size_t)w->R;
    fin->strategic = malloc(R * sizeof *fin->strategic);
    fin->direct = malloc(R * LM_MAX_POLICIES * sizeof *fin->direct);
    fin->provincial = malloc(R * sizeof *fin->provincial);
    fin->deal_mult = calloc(R, sizeof *fin->deal_mult);
    fin->noise_factor = calloc(R, sizeof *fin->noise_factor);
    fin->years = calloc((size_t)w->n_years * R, sizeof *fin->years);
    fin->cum_gov = calloc(R, sizeof *fin->cum_gov);
    fin->cum_social = calloc(R, sizeof *fin->cum_social);
    fin->recycled = calloc(R * LM_MAX_POLICIES, sizeof *fin->recycled);
    fin->n_flow_months = (int)fmax(1.0, floor(w->p->finance.deal_flow_months + 0.5));
    fin->round_flow = calloc((size_t)fin->n_flow_months * R * LM_STAGE_COUNT * (size_t)w->S,
                             sizeof *fin->round_flow);
    fin->round_flow_month = malloc((size_t)fin->n_flow_months * sizeof *fin->round_flow_month);
    fin->policy_raised = calloc(R * LM_MAX_POLICIES, sizeof *fin->policy_raised);
    fin->flow_first = INT32_MAX;
    if (!fin->policy_raised || !fin->round_flow || !fin->round_flow_month || !fin->recycled || !fin->strategic || !fin->direct || !fin->provincial || !fin->deal_mult ||
        !fin->noise_factor || !fin->years || !fin->cum_gov || !fin->cum_social) {
        finance_free(fin);
        LM_FAIL(err, LM_ENOMEM, "finance state");
    }
    for (size_t r = 0; r < R; ++r)
        fin->strategic[r] = -1;
    for (int k = 0; k < fin->n_flow_months; ++k)
        fin->round_flow_month[k] = INT32_MIN;
    for (size_t k = 0; k < R * LM_MAX_POLICIES; ++k)
        fin->direct[k] = -1;
    provinces(w->p, fin->provincial);
    fin->market_year = -1;
    fin->national_year = -1;
    for (int r = 0; r < w->R; ++r)
        fin->totals.x0 += w->private_capital[r];
    for (int y = 0; y < w->n_years; ++y)
        for (int r = 0; r < w->R; ++r) {
            lm_finance_year *row = &fin->years[(size_t)y * R + (size_t)r];
            row->region = r;
            row->year = w->first_year + y;
        }
    w->finance = fin;
    w->finance_free = finance_free;
    return lm__finance_grow_firms(w, err);
}

lm_status lm__finance_grow_firms(lm_world *w, lm_error *err)
{
    struct lm_finance *fin = w->finance;
    const size_t need = w->next_id;
    if (need <= fin->n_firm)
        return LM_OK;
    size_t cap = fin->n_firm ? fin->n_firm : 1024;
    while (cap < need)
        cap *= 2;
    lm_fin_firm *a = realloc(fin->firm, cap * sizeof *a);
    if (!a)
        LM_FAIL(err, LM_ENOMEM, "cannot grow the finance records to %zu firms", cap);
    memset(a + fin->n_firm, 0, (cap - fin->n_firm) * sizeof *a);
    fin->firm = a;
    fin->n_firm = cap;
    return LM_OK;
}

lm_status lm__finance_add_investor(lm_world *w, lm_investor_kind kind, int region, int policy,
                                   lm_month m, lm_investor **out, lm_error *err)
{
    struct lm_finance *fin = w->finance;
    *out = NULL;
    if (fin->n_inv == fin->cap_inv) {
        const size_t cap = fin->cap_inv ? 2 * fin->cap_inv : 256;
        lm_investor *a = realloc(fin->inv, cap * sizeof *a);
        if (!a)
            LM_FAIL(err, LM_ENOMEM, "cannot grow the investors to %zu", cap);
        fin->inv = a;
        fin->cap_inv = cap;
    }
    /* Its stream key counts the investors of the same kind, region and policy created this
       month before it (they sit at the end of the array): unlike its id, that does not move
       when another region raises one fund more or less. */
    uint32_t ordinal = 0;
    for (size_t k = fin->n_inv; k > 0 && fin->inv[k - 1].vintage == m; --k) {
        const lm_investor *o = &fin->inv[k - 1];
        ordinal += o->kind == (uint8_t)kind && o->region == region && o->policy == policy;
    }
    lm_investor *inv = &fin->inv[fin->n_inv];
    memset(inv, 0, sizeof *inv);
    inv->id = (uint32_t)fin->n_inv++;
    inv->stream = lm_stream_investor((int)kind, region, policy, m, ordinal);
    inv->kind = (uint8_t)kind;
    inv->region = (int16_t)region;
    inv->policy = (int16_t)policy;
    inv->vintage = m;
    inv->invest_end = INT32_MAX;
    inv->life_end = INT32_MAX;
    inv->frozen_until = -1;
    inv->sectors = UINT32_MAX;
    inv->stages = (1u << LM_STAGE_COUNT) - 1u;
    inv->loss_tolerance = 1.0;
    inv->max_loss = 1.0;
    *out = inv;
    return LM_OK;
}

lm_status lm__finance_flow(lm_investor *inv, lm_month m, double amount, lm_error *err)
{
    if (amount == 0.0)
        return LM_OK;
    if (inv->n_flows > 0 && inv->flows[inv->n_flows - 1].month == m) {
        inv->flows[inv->n_flows - 1].amount += amount;
        return LM_OK;
    }
    if (inv->n_flows == inv->cap_flows) {
        const size_t cap = inv->cap_flows ? 2 * inv->cap_flows : 16;
        lm_flow *a = realloc(inv->flows, cap * sizeof *a);
        if (!a)
            LM_FAIL(err, LM_ENOMEM, "cannot grow the cash flows of investor %u", inv->id);
        inv->flows = a;
        inv->cap_flows = cap;
    }
    inv->flows[inv->n_flows].month = m;
    inv->flows[inv->n_flows].amount = amount;
    inv->n_flows++;
    return LM_OK;
}

lm_status lm__finance_push_deal(struct lm_finance *fin, const lm_deal_record *d, lm_error *err)
{
    if (fin->n_deals == fin->cap_deals) {
        const size_t cap = fin->cap_deals ? 2 * fin->cap_deals : 4096;
        lm_deal_record *a = realloc(fin->deals, cap * sizeof *a);
        if (!a)
            LM_FAIL(err, LM_ENOMEM, "cannot grow the deal ledger to %zu", cap);
        fin->deals = a;
        fin->cap_deals = cap;
    }
    fin->deals[fin->n_deals++] = *d;
    return LM_OK;
}

lm_status lm__finance_push_exit(struct lm_finance *fin, const lm_exit_record *x, lm_error *err)
{
    if (fin->n_exits == fin->cap_exits) {
        const size_t cap = fin->cap_exits ? 2 * fin->cap_exits : 256;
        lm_exit_record *a = realloc(fin->exits, cap * sizeof *a);
        if (!a)
            LM_FAIL(err, LM_ENOMEM, "cannot grow the exit ledger to %zu", cap);
        fin->exits = a;
        fin->cap_exits = cap;
    }
    fin->exits[fin->n_exits++] = *x;
    return LM_OK;
}

lm_finance_year *lm__finance_year(lm_world *w, int r, lm_month m)
{
    int yi = lm_month_year(m) - w->first_year;
    if (yi < 0)
        yi = 0;
    if (yi >= w->n_years)
        yi = w->n_years - 1;
    return &w->finance->years[(size_t)yi * (size_t)w->R + (size_t)r];
}
