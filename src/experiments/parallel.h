/* src/experiments/parallel.h -- replications across processes (Open MPI) for every experiment
 * command, behind one small interface so the experiment code reads the same with or without
 * MPI. Built without MPI (or run without mpirun) there is one rank and every call is cheap.
 *
 * The rule that keeps results bit-identical for any number of ranks: item i (a replication, or
 * an (arm, replication) pair) belongs to rank i % size; every rank computes its items, and the
 * rows are gathered in item order, so what is computed never depends on who computed it.
 * Only rank 0 writes files and prints. Private to the library; docs/scaling.md. */
#ifndef LM_EXPERIMENTS_PARALLEL_H
#define LM_EXPERIMENTS_PARALLEL_H

#include <stdbool.h>
#include <stddef.h>

#include "longmen/error.h"

/* This process's rank and the number of ranks (0 and 1 without MPI). */
int lm__par_rank(void);
int lm__par_size(void);

/* True when item i is this rank's: i % size == rank. */
static inline bool lm__par_mine(long long i)
{
    return i % lm__par_size() == lm__par_rank();
}

/* rows holds n_items rows of row_len doubles, item order; this rank has filled the rows of
 * its own items. Afterwards every rank holds every row. A no-op with one rank. */
lm_status lm__par_allgather_rows(double *rows, long long n_items, int row_len, lm_error *err);

/* Combines a status over ranks: returns the first non-OK status in rank order (and that
 * rank's message in err) to every rank, so all ranks stop together. */
lm_status lm__par_agree(lm_status st, lm_error *err);

/* Waits for every rank. */
void lm__par_barrier(void);

/* ---- several ranks ---- */

/* Copies bytes of buf from rank 0 to every rank. A no-op with one rank. */
lm_status lm__par_bcast(void *buf, size_t bytes, lm_error *err);

/* *text (malloc'd or NULL) of rank 0 to every rank: the others' *text is replaced by a
 * malloc'd copy (their old one freed). A no-op with one rank. */
lm_status lm__par_bcast_text(char **text, lm_error *err);

/* The sum of v over ranks, on every rank. */
long long lm__par_sum(long long v);

/* A rank that fails or is interrupted in the middle of its items tells the others, which
 * see it in lm__par_stopped() (polled between months) and stop after their month, instead
 * of finishing all their items before lm__par_agree reports the failure. Both may be called
 * from OpenMP threads; without other ranks they do nothing and return false. */
void lm__par_tell_stop(void);
bool lm__par_stopped(void);

/* The default number of OpenMP threads of a rank (--threads 0) when several ranks share a
 * machine: its processors over the ranks on it (at least 1); 0 (OpenMP's default) with one
 * rank per machine, without MPI, or when OMP_NUM_THREADS is set. */
int lm__par_threads_default(void);

#endif
