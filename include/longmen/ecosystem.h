/* include/longmen/ecosystem.h -- what a run observes of its talent pools and industrial
 * chains (MODEL.md sections 2, 5.9 and 6): one record per region, skill and year, and one per
 * region, chain layer and year. They are the rows of the results tables region_skill_year
 * and region_layer_year (docs/output.md). Tier counts and the dragons are in the region_year
 * and firm records (longmen/results.h). */
#ifndef LONGMEN_ECOSYSTEM_H
#define LONGMEN_ECOSYSTEM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* One talent pool (region, skill) in one calendar year. Flows are sums over the year's
 * simulated months; stocks are taken at its last simulated month. People are counted as
 * real numbers: pools are aggregates, not individuals. */
typedef struct lm_region_skill_year {
    int32_t region;     /* index into the scenario's regions */
    int32_t year;
    int32_t skill;      /* 0 software, 1 hardware, 2 science, 3 manufacturing, 4 design */
    int32_t months;     /* simulated months of this year */
    double talent;      /* stock: people in the pool */
    double employed;    /* stock: of whom staff of the scenario's firms */
    double wage_cny_month; /* stock */
    double graduates, trained, exits;       /* flows into and out of the pool */
    double migrants_in, migrants_out;       /* flows from and to the scenario's other regions */
    double outside_in, outside_out;         /* flows from and to the rest of the country */
    double openings, hired;                 /* flows: hires firms wanted, hires they made */
} lm_region_skill_year;

/* One chain layer of one region in one calendar year (stocks at the year's last month, 0..1,
 * except mass). */
typedef struct lm_region_layer_year {
    int32_t region;
    int32_t year;
    int32_t layer;      /* index into the scenario's layers */
    int32_t months;
    double chain;       /* effective completeness (own or sourced from a neighbour) */
    double chain_own;   /* the region's own completeness */
    double mass;        /* staff of the region's firms in sectors that use the layer */
    double investment;  /* flow: completeness added by planned investments (parks) */
} lm_region_layer_year;

#ifdef __cplusplus
}
#endif
#endif
