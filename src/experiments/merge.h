/* src/experiments/merge.h -- the runs of other MPI ranks into the job's results.sqlite
 * (src/experiments/merge.c, docs/scaling.md). Private to the library. */
#ifndef LM_EXPERIMENTS_MERGE_H
#define LM_EXPERIMENTS_MERGE_H

#include <signal.h>
#include <stddef.h>

#include "longmen/error.h"

/* DIR.partial/rank-K.sqlite: where rank K of a job under mpirun appends its runs. */
void lm__rank_db_path(char *buf, size_t size, const char *partial, int rank);

/* Copies every run of every partial/rank-K.sqlite that db_path does not hold into db_path
 * (created when absent), in run_id order, one transaction per run, then removes the rank
 * files. Nothing to do (LM_OK) without rank files. When *stop (may be NULL) is raised it
 * stops between runs with LM_EINTR: the runs merged so far stay, the rank files too. */
lm_status lm__merge_rank_files(const char *partial, const char *db_path,
                               volatile sig_atomic_t *stop, lm_error *err);

#endif
