/* src/model/market/market.h -- phase 5: revenue from national sector markets shared by
 * quality, with To C / To B / To G segments and home bias (MODEL.md 5.3). */
#ifndef LM_MODEL_MARKET_H
#define LM_MODEL_MARKET_H
#include "core/world.h"
lm_status lm_phase_market(lm_world *w, lm_month m, lm_error *err);

/* The market's weights per part (open [s*NB+b], then local [S*NB + (r*S+s)*NB + b]): how
 * many numbers a block's sums hold. */
size_t lm_market_weights_width(const lm_world *w);
/* Weighs the c live launched firms who[0..c-1] (ascending slots) whose quality is set for
 * the month: sets their share_weight and adds the weights to a block's sums acc, in slot
 * order. The R&D pass calls it right after quality, so the market needs no pass of its own
 * for the weights (lm_world's weights_month). */
void lm_market_weigh_run(lm_world *w, lm_month m, const size_t *who, size_t c, double *acc);
/* National market of sector s, model b in month m, CNY per month. */
double lm_market_size_month(const lm_world *w, int s, int b, lm_month m);
/* Competitors outside the scenario in sector s, month m (quality-1 firm equivalents). */
double lm_market_outside_mass(const lm_world *w, int s, lm_month m);
/* Shares of month m's weights, for the invariant test: out[(s*3+b)] = sum of firm shares +
 * outside competitors' share of the open national part (must be 1); same for the local
 * part of each region in out[S*3 + (r*S+s)*3+b]. Returns LM_OK. */
lm_status lm_market_share_check(lm_world *w, lm_month m, double *out);
#endif
