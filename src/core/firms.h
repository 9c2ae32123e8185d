/* src/core/firms.h -- firms as struct-of-arrays (MODEL.md 2; STYLE.md). Firms dominate memory
 * and time, so each field is one contiguous array that a phase streams through. Slots
 * 0..n-1 hold firms in order of birth; a firm that ends (dies, later: exits) keeps its slot,
 * flagged, until the scheduler compacts the arrays (stable: order of birth is kept), and its
 * final record moves to the archive. Ids are stable within a run: id = order of birth. Random
 * draws are keyed by `stream` instead, the key of the founder who started the firm, which
 * does not move when another firm is born or not in a counterfactual run.
 *
 * The field list is an X-macro so that growth and compaction touch every array without a
 * hand-written list that could forget one. */
#ifndef LM_CORE_FIRMS_H
#define LM_CORE_FIRMS_H

#include <stddef.h>
#include <stdint.h>

#include "longmen/error.h"
#include "longmen/results.h"

/* X(type, name): every per-firm array. */
#define LM_FIRM_FIELDS(X)                                                                        \
    X(uint32_t, id)                                                                              \
    X(uint64_t, stream)          /* stable key of its random streams (core/rng.h) */             \
    X(uint16_t, region)                                                                          \
    X(int16_t, origin)           /* -1: outside the scenario */                                  \
    X(uint8_t, sector)                                                                           \
    X(uint8_t, model)            /* lm_model */                                                  \
    X(uint8_t, source)           /* lm_source */                                                 \
    X(uint8_t, status)           /* lm_firm_status */                                            \
    X(uint8_t, insolvent_months)                                                                 \
    X(int32_t, founded)          /* month index */                                               \
    X(int32_t, launched)         /* month index, -1 before launch */                             \
    X(int32_t, ended)            /* month index, -1 while alive */                               \
    X(int32_t, headcount)                                                                        \
    X(int32_t, peak_headcount)                                                                   \
    X(int32_t, breakthroughs)                                                                    \
    X(double, founder_quality)                                                                   \
    X(double, theta)             /* latent potential */                                          \
    X(double, progress)          /* product progress, launch at 1 */                             \
    X(double, quality)           /* q = theta (1 - exp(-cum_rd / R_s)) */                        \
    X(double, cum_rd_cny)                                                                        \
    X(double, rd_spend_cny)      /* this month */                                                \
    X(double, cash_cny)                                                                          \
    X(double, revenue_cny)       /* this month */                                                \
    X(double, peak_revenue_cny)                                                                  \
    X(double, visibility)        /* 0..1, public recognition */                                  \
    X(double, share_weight)      /* q^gamma times adoption, this month's market weight */   \
    X(double, revenue_ytd_cny)   /* this calendar year so far (market adds) */               \
    X(double, rd_ytd_cny)        /* this calendar year so far (rnd adds) */                  \
    X(double, revenue_last_year_cny) /* last full calendar year (rolled over in December) */ \
    X(double, rd_last_year_cny)                                                              \
    X(double, equity_ytd_cny)    /* equity raised this calendar year (finance adds) */        \
    X(double, equity_last_year_cny) /* last full calendar year (rolled over in December) */  \
    X(double, valuation_cny)     /* post-money of the last round, marked by finance */       \
    X(uint8_t, tier)             /* bit set of lm_tier, certified each December */           \
    X(int32_t, dragon_month)     /* month first certified a little dragon, -1 never */      \
    X(int32_t, openings)         /* hires wanted this month (costs), 0 when cutting */      \
    X(uint8_t, platform)         /* 1 once the firm became a platform (ecosystem) */          \
    X(int16_t, sme_until)        /* last year the tech SME certificate is valid, 0 none */    \
    X(int16_t, high_tech_until)  /* likewise high-tech (valid three years by default) */      \
    X(int16_t, giant_until)      /* likewise little giant */                                 \
    X(double, revenue_ema_cny)   /* smoothed monthly revenue, run-rate = 12x (finance) */     \
    X(uint8_t, round_stage)      /* 1 + lm_stage of the last round, 0 none (finance) */       \
    X(int32_t, last_round)       /* month of the last round, when round_stage > 0 (finance) */ \
    X(int32_t, unpaid_until)     /* first month its founders draw pay (costs) */              \
    X(uint8_t, contract_work)    /* 1: part of its staff sells its time this month (costs) */

typedef struct lm_firms {
    size_t n;   /* slots in use (alive firms and ended ones not yet compacted) */
    size_t cap; /* slots allocated */
#define LM_FIRM_DECLARE(type, name) type *name;
    LM_FIRM_FIELDS(LM_FIRM_DECLARE)
#undef LM_FIRM_DECLARE
} lm_firms;

/* Bytes of state per firm slot (the sum of the field sizes). */
size_t lm_firms_bytes_per_firm(void);

lm_status lm_firms_init(lm_firms *f, size_t cap, lm_error *err);
void lm_firms_fini(lm_firms *f);
/* Makes room for `extra` more slots, doubling capacity as needed. Called only at the entry
 * boundary, never inside a firm loop. */
lm_status lm_firms_reserve(lm_firms *f, size_t extra, lm_error *err);
/* Appends one zeroed slot and returns its index (room must have been reserved). */
size_t lm_firms_push(lm_firms *f);
/* Closes up the arrays after ended firms, field by field: runs[2j] and runs[2j+1] are the
 * first slot and the length of the j-th run of surviving slots (ascending, apart), which
 * move to slot `to` onward, one after the other; slots before `to` stay. The caller sets n. */
void lm_firms_compact(lm_firms *f, const uint32_t *runs, size_t n_runs, size_t to);
/* The firm in slot i as an output record. */
void lm_firms_record(const lm_firms *f, size_t i, lm_firm_record *rec);

#endif
