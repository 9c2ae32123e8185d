/* tests/support/lm_test.h -- building small worlds in code for the engine's unit tests, so a
 * phase can be tested against a hand-computed case without a YAML file. */
#ifndef LM_TEST_SUPPORT_H
#define LM_TEST_SUPPORT_H

#include "core/sim_int.h"
#include "core/world.h"
#include "scenario/scenario_int.h"

/* A new scenario (release: lm_test_scenario_free) with n_regions regions named R0.., two
 * sectors (0: To C software with compute layer, 1: To B hardware), layers "chip_design",
 * "compute", period 2015-01..2016-12, every parameter at its default and founder rates
 * scaled so that about `founders_per_month` founders arrive in total. */
lm_scenario *lm_test_scenario(int n_regions, double founders_per_month);
void lm_test_scenario_free(lm_scenario *sc);
/* The scenario's params, writable (tests edit them before creating a world). */
lm_params *lm_test_params(lm_scenario *sc);

/* A world on sc's params with seed 7, 1 thread (release: lm_world_fini + free). */
lm_world *lm_test_world(const lm_scenario *sc);
void lm_test_world_free(lm_world *w);
/* Appends a firm (alive, founded at w->month) and returns its slot. */
size_t lm_test_add_firm(lm_world *w, int region, int sector, int model, int headcount,
                        double cash_cny, double theta);

#endif
