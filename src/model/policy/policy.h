/* src/model/policy/policy.h -- phase 1: policies switch on and off by date; budgets refill
 * in January (MODEL.md 3, 5.5, 7). */
#ifndef LM_MODEL_POLICY_H
#define LM_MODEL_POLICY_H
#include "core/world.h"
lm_status lm_phase_policy(lm_world *w, lm_month m, lm_error *err);
#endif
