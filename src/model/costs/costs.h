/* src/model/costs/costs.h -- phase 7: payroll, compute, rent, subsidies, taxes; insolvent
 * firms die after a grace period; headcount adjusts to runway (MODEL.md 5.6). */
#ifndef LM_MODEL_COSTS_H
#define LM_MODEL_COSTS_H
#include "core/world.h"
lm_status lm_phase_costs(lm_world *w, lm_month m, lm_error *err);
#endif
