/* src/model/ecosystem/ecosystem.c -- phase 10 (MODEL.md 5.2, 5.9): the stocks that firms
 * build together.
 *
 *   K[r,s] <- (1 - delta) K[r,s] + rd_spend[r,s] / knowledge_unit + institutions[r,s]
 *             + chi * sum_{r' != r} integration[r,r'] K[r',s]
 *
 * All regions update from last month's stocks (Jacobi), so the order of regions does not
 * matter. A region's own stock enters through the first term; the spillover sum leaves it
 * out, and the loader requires chi * (largest off-diagonal row sum) < delta so the stocks
 * stay bounded. Failed founders stay "recent" for failed_memory_months on average.
 * Chain completeness and platforms follow (chain.c). */
#include "model/ecosystem/chain.h"
#include "model/ecosystem/ecosystem.h"

lm_status lm_phase_ecosystem(lm_world *w, lm_month m, lm_error *err)
{
    const lm_rnd_params *rp = &w->p->rnd;
    const int R = w->R, S = w->S;
    const double *integ = w->p->integration;
    for (int r = 0; r < R; ++r)
        for (int s = 0; s < S; ++s) {
            const int rs = r * S + s;
            double spill = 0.0;
            for (int q = 0; q < R; ++q)
                if (q != r)
                    spill += integ[r * R + q] * w->knowledge[q * S + s];
            w->knowledge_next[rs] = (1.0 - rp->knowledge_decay) * w->knowledge[rs] +
                                    w->rd_by_rs[rs] / rp->knowledge_unit_cny +
                                    w->institutions[rs] + rp->spillover * spill;
        }
    double *t = w->knowledge;
    w->knowledge = w->knowledge_next;
    w->knowledge_next = t;
    const double keep = 1.0 - 1.0 / (w->p->entry.failed_memory_months > 1.0
                                          ? w->p->entry.failed_memory_months
                                          : 1.0);
    for (int r = 0; r < R; ++r)
        w->recent_failed[r] *= keep;
    return lm_ecosystem_chains(w, m, err);
}
