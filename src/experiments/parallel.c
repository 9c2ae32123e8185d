/* src/experiments/parallel.c -- one rank: the serial implementation of parallel.h. The MPI
 * implementation replaces these bodies under LM_WITH_MPI (docs/scaling.md). */
#include "experiments/parallel.h"

int lm__par_rank(void)
{
    return 0;
}

int lm__par_size(void)
{
    return 1;
}

lm_status lm__par_allgather_rows(double *rows, long long n_items, int row_len, lm_error *err)
{
    (void)rows;
    (void)n_items;
    (void)row_len;
    (void)err;
    return LM_OK;
}

lm_status lm__par_agree(lm_status st, lm_error *err)
{
    (void)err;
    return st;
}

void lm__par_barrier(void)
{
}
