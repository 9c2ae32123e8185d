/* src/model/ecosystem/chain.h -- chain completeness and platforms, the part of phase 10 that
 * came with the ecosystem issue (MODEL.md 5.9). Called by lm_phase_ecosystem. */
#ifndef LM_MODEL_CHAIN_H
#define LM_MODEL_CHAIN_H
#include "core/world.h"
/* Giants become platforms, platform staff makes alumni, own chains move with the firms'
 * mass, park investments and decay, then effective chains are sourced from neighbours. */
lm_status lm_ecosystem_chains(lm_world *w, lm_month m, lm_error *err);
#endif
