/* src/experiments/compare_stats.h -- what the pairs of a comparison are worth (private): the
 * paired difference against one arm's spread, paired t-tests with Holm's correction over the
 * table, the pairs a half-width needs, and the stopping rule of `compare --precision`.
 * Pure functions of the numbers given, so they are tested alone (test_compare_stats.c). */
#ifndef LM_EXPERIMENTS_COMPARE_STATS_H
#define LM_EXPERIMENTS_COMPARE_STATS_H

#include <stdbool.h>
#include <stddef.h>

/* Pairs (b[i], c[i]) with both values defined (NaN pairs are skipped). */
typedef struct lm__paired {
    size_t n;
    double mean_b, mean_c, mean_d;  /* baseline, counterfactual, difference c - b */
    double sd_b, sd_c;              /* sample SDs of each arm */
    double sd_single;               /* one arm's SD, sqrt((sd_b^2 + sd_c^2) / 2) */
    double sd_d;                    /* SD of the paired differences */
    double corr;                    /* Pearson correlation of the arms; NaN without spread */
    double lo, hi, half;            /* 90% t-interval of mean_d and its half-width */
    double p;                       /* two-sided paired t-test of mean_d = 0 (NaN: n < 2) */
} lm__paired;

void lm__paired_stats(const double *b, const double *c, size_t n, lm__paired *out);

/* Half-width of the 90% t-interval of a mean of n values with SD sd (infinite for n < 2). */
double lm__halfwidth90(double sd, size_t n);

/* Holm's step-down adjustment of p[0..n-1]: adj[i] = max over the j ranked no later than i of
 * min(1, (m - rank_j) p_j), m the number of defined p-values; NaN stays NaN. Returns m. */
size_t lm__holm(const double *p, size_t n, double *adj);

/* Smallest number of pairs n >= 2 whose 90% t-interval half-width with SD sd is at most half:
 * 2 when sd is 0; 0 when half <= 0 or sd is not finite; capped at max. */
size_t lm__pairs_needed(double sd, double half, size_t max);

/* The stopping rule of one `compare --precision` target: the 90% half-width of the mean
 * paired difference of the first n pairs is at most half. */
bool lm__precision_reached(const double *b, const double *c, size_t n, double half);

/* `compare --precision`: the first batch is `first` replications; after each, the job stops
 * when every target is met or max_runs is reached, else grows by `first` (never past
 * max_runs). */
int lm__precision_next_runs(int runs, int first, int max_runs);

#endif
