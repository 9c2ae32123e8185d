/* bench/bench_world.h -- what the benchmarks share: a wall clock and a world filled with a
 * fixed population, so that a figure is the cost of N firms for M months and nothing else. */
#ifndef LM_BENCH_WORLD_H
#define LM_BENCH_WORLD_H

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "core/world.h"

static inline double bench_now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Fills w with n live firms spread over regions, sectors and models; firms with k % 2 ==
 * launched_parity have a launched product; every broke_every-th firm (0: none) has no cash,
 * so it seeks money (and may die or be funded); the others have cash enough to live. */
static inline void bench_populate(lm_world *w, size_t n, size_t launched_parity,
                                  size_t broke_every)
{
    lm_error err;
    if (lm_firms_reserve(&w->firms, n, &err) != LM_OK) {
        fprintf(stderr, "bench: %s\n", err.message);
        exit(1);
    }
    w->where = realloc(w->where, n * sizeof *w->where);
    w->where_cap = n;
    for (size_t k = 0; k < n; ++k) {
        const size_t i = lm_firms_push(&w->firms);
        w->firms.id[i] = w->next_id++;
        w->where[i] = (int64_t)i;
        w->firms.region[i] = (uint16_t)(k % (size_t)w->R);
        w->firms.sector[i] = (uint8_t)(k % (size_t)w->S);
        w->firms.model[i] = (uint8_t)(k % 3);
        w->firms.headcount[i] = 5 + (int32_t)(k % 40);
        w->firms.cash_cny[i] = (broke_every && k % broke_every == 0) ? 0.0 : 1e15;
        w->firms.theta[i] = 1.0 + (double)(k % 97) / 10.0;
        w->firms.founder_quality[i] = 1.0;
        w->firms.launched[i] = (k % 2 == launched_parity) ? w->month - 1 : -1;
        w->firms.founded[i] = w->month - 24;
    }
}

#endif
