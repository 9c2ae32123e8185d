/* include/longmen/ecosystem.h -- what a run observes of its talent pools and industrial
 * chains (MODEL.md sections 2, 5.9 and 6): one record per region, skill and year, and one per
 * region, chain layer and year. They are the rows of the results tables region_skill_year
 * and region_layer_year (docs/output.md). Tier counts and the dragons are in the region_year
 * and firm records (longmen/results.h). */
#ifndef LONGMEN_ECOSYSTEM_H
#define LONGMEN_ECOSYSTEM_H

#include <stddef.h>
#include <stdint.h>

#include "longmen/columns.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One talent pool (region, skill) in one calendar year: a row of region_skill_year. Flows
 * are sums over the year's simulated months; stocks are taken at its last simulated month.
 * People are counted as real numbers: pools are aggregates, not individuals. Declared once
 * (longmen/columns.h). */
#define LM_REGION_SKILL_YEAR_COLUMNS(X, V)                                                      \
    X(int32_t, region, REGION, KEY, "region index into the scenario's regions")                 \
    X(int32_t, year, INTEGER, KEY, "calendar year")                                             \
    X(int32_t, skill, SKILL, KEY, "the pool's skill (LM_SKILL_WORDS)")                          \
    X(int32_t, months, INTEGER, SPAN, "simulated months of this year")                          \
    X(double, talent, REAL, STOCK, "people in the pool")                                        \
    X(double, employed, REAL, STOCK, "of whom staff of the scenario's firms")                   \
    X(double, wage_cny_month, REAL, STOCK, "the pool's wage")                                   \
    X(double, graduates, REAL, FLOW, "people into the pool: graduates")                          \
    X(double, trained, REAL, FLOW, "people into the pool: trained")                            \
    X(double, exits, REAL, FLOW, "people out of the pool")                                     \
    X(double, migrants_in, REAL, FLOW, "people from the scenario's other regions")              \
    X(double, migrants_out, REAL, FLOW, "people to the scenario's other regions")               \
    X(double, outside_in, REAL, FLOW, "people from the rest of the country")                    \
    X(double, outside_out, REAL, FLOW, "people to the rest of the country")                     \
    X(double, openings, REAL, FLOW, "hires firms wanted")                                       \
    X(double, hired, REAL, FLOW, "hires firms made")

typedef struct lm_region_skill_year {
    LM_ROW_STRUCT(LM_REGION_SKILL_YEAR_COLUMNS)
} lm_region_skill_year;

/* One chain layer of one region in one calendar year: a row of region_layer_year (stocks at
 * the year's last month, 0..1, except mass). Declared once (longmen/columns.h). */
#define LM_REGION_LAYER_YEAR_COLUMNS(X, V)                                                      \
    X(int32_t, region, REGION, KEY, "region index into the scenario's regions")                 \
    X(int32_t, year, INTEGER, KEY, "calendar year")                                             \
    X(int32_t, layer, LAYER, KEY, "index into the scenario's layers, stored as its id")         \
    X(int32_t, months, INTEGER, SPAN, "simulated months of this year")                          \
    X(double, chain, REAL, STOCK, "effective completeness (own or sourced from a neighbour)")   \
    X(double, chain_own, REAL, STOCK, "the region's own completeness")                          \
    X(double, mass, REAL, STOCK, "staff of the region's firms in sectors that use the layer")   \
    X(double, investment, REAL, FLOW, "completeness added by planned investments (parks)")

typedef struct lm_region_layer_year {
    LM_ROW_STRUCT(LM_REGION_LAYER_YEAR_COLUMNS)
} lm_region_layer_year;

#ifdef __cplusplus
}
#endif
#endif
