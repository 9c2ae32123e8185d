/* src/model/finance/finance.c -- phase 6 of the month (MODEL.md 3.6, 5.4, 5.5): the order of
 * the finance steps. In turn: the deal-market effects of matchmaking and corridors; the
 * year's fund raising (January, a guidance policy's first month, the run's first month);
 * management fees and the end of funds' lives; and the deal market (deals.c), which also
 * keeps the record of first rounds next month's founders read (docs/model.md 7.2). Writes
 * only finance state, the cash and valuation of funded firms, regional private capital,
 * guidance and direct-injection budgets (spent), the first-round record and the month's
 * ledger. */
#include "model/finance/finance.h"
#include "model/finance/finance_int.h"

lm_status lm_finance_start(lm_world *w, lm_error *err)
{
    if (!w->p->finance.enabled)
        return LM_OK;
    lm_status st = lm__finance_ensure(w, err);
    if (st == LM_OK)
        st = lm__funds_market_year(w, w->p->start, err);
    return st;
}

lm_status lm_phase_finance(lm_world *w, lm_month m, lm_error *err)
{
    if (!w->p->finance.enabled)
        return LM_OK;
    lm_status st = lm__finance_ensure(w, err);
    if (st == LM_OK)
        st = lm__finance_grow_firms(w, err);
    if (st != LM_OK)
        return st;
    lm__finance_region_effects(w, m);
    if ((st = lm__funds_raise(w, m, err)) != LM_OK)
        return st;
    if ((st = lm__funds_fees_and_ends(w, m, err)) != LM_OK)
        return st;
    return lm__deals_run(w, m, err);
}
