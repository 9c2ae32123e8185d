/* src/model/finance/captable.c -- cap tables (MODEL.md 2, 5.4): who owns a firm. A firm that
 * never raised belongs to its founders (no table is stored). At the first round an employee
 * option pool is carved from the founders' shares; every round then dilutes all holders
 * pro rata by pre / post and gives each new investor amount / post, so the shares always sum
 * to 1 (up to rounding, which tests bound) and none is negative. Investors that follow on
 * add to their line, keeping the cost-weighted average of their loss estimates, so the
 * expected loss the investor books on the firm is exactly the sum over its rounds. */
#include <stdlib.h>

#include "model/finance/finance_int.h"

static lm_status reserve(lm_fin_firm *ff, int extra, lm_error *err)
{
    const int need = ff->n + extra;
    if (need <= ff->cap)
        return LM_OK;
    if (need > UINT16_MAX)
        LM_FAIL(err, LM_ENOMEM, "a cap table with more than %d holders", UINT16_MAX);
    int cap = ff->cap ? ff->cap : 4;
    while (cap < need)
        cap *= 2;
    if (cap > UINT16_MAX)
        cap = UINT16_MAX;
    lm_stake *a = realloc(ff->stakes, (size_t)cap * sizeof *a);
    if (!a)
        LM_FAIL(err, LM_ENOMEM, "cap table");
    ff->stakes = a;
    ff->cap = (uint16_t)cap;
    return LM_OK;
}

static int find(const lm_fin_firm *ff, int32_t holder)
{
    for (int k = 0; k < ff->n; ++k)
        if (ff->stakes[k].holder == holder)
            return k;
    return -1;
}

lm_status lm__captable_round(lm_fin_firm *ff, double pre, const int32_t *holder,
                             const double *amount, const double *p_loss, int n,
                             double option_pool, lm_error *err)
{
    if (!(pre > 0.0))
        LM_FAIL(err, LM_EINVAL, "a round at pre-money %g", pre);
    double raised = 0.0;
    for (int k = 0; k < n; ++k) {
        if (!(amount[k] > 0.0))
            LM_FAIL(err, LM_EINVAL, "a round with an investment of %g", amount[k]);
        raised += amount[k];
    }
    lm_status st = reserve(ff, ff->n == 0 ? n + 2 : n, err);
    if (st != LM_OK)
        return st;
    if (ff->n == 0) {
        ff->stakes[ff->n++] = (lm_stake){LM_HOLDER_FOUNDERS, 1.0 - option_pool, 0.0, 0.0};
        if (option_pool > 0.0)
            ff->stakes[ff->n++] = (lm_stake){LM_HOLDER_POOL, option_pool, 0.0, 0.0};
    }
    const double post = pre + raised;
    const double keep = pre / post;
    for (int k = 0; k < ff->n; ++k)
        ff->stakes[k].share *= keep;
    for (int k = 0; k < n; ++k) {
        int at = find(ff, holder[k]);
        if (at < 0) {
            at = ff->n++;
            ff->stakes[at] = (lm_stake){holder[k], 0.0, 0.0, 0.0};
        }
        lm_stake *s = &ff->stakes[at];
        const double cost = s->cost_cny + amount[k];
        s->p_loss = (s->p_loss * s->cost_cny + p_loss[k] * amount[k]) / cost;
        s->cost_cny = cost;
        s->share += amount[k] / post;
    }
    return LM_OK;
}

double lm__captable_sum(const lm_fin_firm *ff)
{
    if (!ff->stakes)
        return 1.0;
    double sum = 0.0;
    for (int k = 0; k < ff->n; ++k)
        sum += ff->stakes[k].share;
    return sum;
}

double lm__captable_share(const lm_fin_firm *ff, int32_t holder)
{
    if (!ff->stakes)
        return holder == LM_HOLDER_FOUNDERS ? 1.0 : 0.0;
    const int at = find(ff, holder);
    return at < 0 ? 0.0 : ff->stakes[at].share;
}

void lm__captable_free(lm_fin_firm *ff)
{
    free(ff->stakes);
    ff->stakes = NULL;
    ff->n = ff->cap = 0;
}
