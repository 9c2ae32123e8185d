/* src/core/sim_int.h -- the world behind a simulation handle, for tests and benchmarks that
 * inspect or set state directly. Not part of the public API. */
#ifndef LM_CORE_SIM_INT_H
#define LM_CORE_SIM_INT_H
#include "core/world.h"
#include "longmen/longmen.h"
lm_world *lm__sim_world(lm_sim *sim);
#endif
