/* include/longmen/parallel.h -- running a command across processes with Open MPI
 * (`mpirun -np P longmen ...`, docs/scaling.md). A program calls lm_parallel_init() first and
 * lm_parallel_finalize() last; without mpirun (or in a build without MPI) both cost nothing
 * and every experiment runs in one process, as always. Under mpirun the replications of
 * `run --runs`, `compare`, `sweep` (and of the commands built on the same engine) are
 * distributed over the processes ("ranks"); the results are bit-identical to one process. */
#ifndef LONGMEN_PARALLEL_H
#define LONGMEN_PARALLEL_H

#include <stdbool.h>

#include "longmen/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* True when this process was started by an MPI launcher (mpirun, mpiexec, srun): the
 * environment holds OMPI_COMM_WORLD_SIZE, PMI_SIZE or PMIX_RANK. */
LM_API bool lm_parallel_launched(void);

/* True when this build can run across processes (CMake option LM_WITH_MPI). */
LM_API bool lm_parallel_available(void);

/* Starts MPI when lm_parallel_launched() (else does nothing and returns LM_OK). Fails with
 * LM_EINVAL when launched with several processes by a build without MPI (each would run the
 * whole job), LM_ESTATE when MPI cannot start. */
LM_API lm_status lm_parallel_init(int *argc, char ***argv, lm_error *err);

/* Ends MPI if lm_parallel_init started it. */
LM_API void lm_parallel_finalize(void);

/* This process's rank and the number of processes (0 and 1 without MPI). Only rank 0
 * prints and writes files. */
LM_API int lm_parallel_rank(void);
LM_API int lm_parallel_size(void);

#ifdef __cplusplus
}
#endif
#endif
