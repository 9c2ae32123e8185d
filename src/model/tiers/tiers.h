/* src/model/tiers/tiers.h -- phase 8 (MODEL.md 5.8): each December firms are certified into
 * the tiers of the "梯次培育" system by the scenario's criteria (params.tiers), receive the
 * tiers' benefits, and may lose a tier whose certificate ran out. */
#ifndef LM_MODEL_TIERS_H
#define LM_MODEL_TIERS_H

#include "core/world.h"

/* In December: certification on the calendar year's revenue and R&D, awards, then the
 * year-to-date figures roll into last year's. Other months: nothing. */
lm_status lm_phase_tiers(lm_world *w, lm_month m, lm_error *err);

/* The tiers (bits of lm_tier) whose criteria firm i meets in December month m, on its
 * year-to-date revenue and R&D. market_year[s * 3 + b] is the national market of sector s and
 * business model b over the year's simulated months (lm_tiers_market_year). Pure. */
unsigned lm_tiers_qualify(const lm_world *w, size_t i, lm_month m, const double *market_year);
/* Each founding cohort's valuation and revenue thresholds of the dragon rule (the top
 * cohort_share of its births), from the live firms; run before lm_tiers_qualify (the tiers
 * phase does, each December). */
lm_status lm_tiers_rank_cohorts(lm_world *w, lm_error *err);

/* The probability that an eligible firm without a valid certificate of tier t applies in year
 * (0 before the programme's start_year; take_up_first .. take_up_last, linear between their
 * years). */
double lm_tiers_take_up(const lm_tier_rule *t, int year);

/* Fills market_year[S * 3] for the calendar year of month m (months simulated so far). */
void lm_tiers_market_year(const lm_world *w, lm_month m, double *market_year);

/* Investor visibility of firm i: the largest investor_visibility of the tiers it holds, 1
 * when none (the finance phase may scale how many investors see its deals by it). */
double lm_tiers_visibility(const lm_world *w, size_t i);

#endif
