/* src/model/finance/finance.h -- phase 6 (MODEL.md 3.6, 5.4, 5.5): firms that need money meet
 * investors who see noisy signals of their potential; guidance funds apply loss tolerance,
 * local reinvestment and sanctions. Exits and fund returns: src/model/exits/. */
#ifndef LM_MODEL_FINANCE_H
#define LM_MODEL_FINANCE_H

#include "core/world.h"

lm_status lm_phase_finance(lm_world *w, lm_month m, lm_error *err);

/* Creates the finance state at the start of a run (lm_sim_create): angel groups and
 * strategic investors draw their first year's money and early capital counts it, so the
 * founders of the first month see them; funds are raised by the first finance phase. A
 * phase that finds no state creates it itself (tests that build worlds by hand). No-op when
 * params.finance.enabled is false. */
lm_status lm_finance_start(lm_world *w, lm_error *err);

#endif
