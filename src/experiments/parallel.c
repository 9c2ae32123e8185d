/* src/experiments/parallel.c -- parallel.h and include/longmen/parallel.h: one rank without
 * MPI (or without mpirun), Open MPI under LM_WITH_MPI when launched by mpirun/srun.
 * docs/scaling.md.
 *
 * MPI is started only when a launcher's variables are in the environment, so plain runs and
 * the unit tests never pay MPI's start-up. Two private communicators: `comm` for the
 * collectives of the engine, `stop_comm` for the one-byte "stop" messages a failing or
 * interrupted rank sends to the others (lm__par_tell_stop), which they poll between months.
 * lm__par_agree counts and receives every stop message sent before it (each rank says in the
 * allgather whether it sent), so no message is left in flight at the next phase or at
 * MPI_Finalize. Every MPI call made from an OpenMP thread is inside one critical section
 * (MPI_THREAD_SERIALIZED). */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifdef _OPENMP
#include <omp.h>
#endif
#ifdef LM_WITH_MPI
#include <mpi.h>
#endif

#include "experiments/parallel.h"
#include "longmen/parallel.h"

static const char *env_value(const char *name)
{
    const char *v = getenv(name);
    return v && *v ? v : NULL;
}

bool lm_parallel_launched(void)
{
    return env_value("OMPI_COMM_WORLD_SIZE") || env_value("PMI_SIZE") || env_value("PMIX_RANK");
}

#ifndef LM_WITH_MPI
/* The launcher's process count, 0 when it does not say. */
static long env_size(void)
{
    const char *v = env_value("OMPI_COMM_WORLD_SIZE");
    if (!v)
        v = env_value("PMI_SIZE");
    if (!v)
        v = env_value("SLURM_NTASKS");
    return v ? strtol(v, NULL, 10) : 0;
}
#endif

#ifdef LM_WITH_MPI

enum { TAG_STOP = 77 };

static bool started;   /* lm_parallel_init started MPI */
static bool can_poll;  /* MPI gives MPI_THREAD_SERIALIZED: threads may poll */
static MPI_Comm comm = MPI_COMM_NULL, stop_comm = MPI_COMM_NULL;
static int rank_ = 0, size_ = 1;
static int stop_sent;               /* this rank sent its stop messages (since the last agree) */
static int stop_seen;               /* stop messages received (since the last agree) */
static MPI_Request *stop_reqs;      /* the sends, completed in lm__par_agree */
static char stop_out = 1, stop_in;  /* the messages' byte */

bool lm_parallel_available(void)
{
    return true;
}

/* Completes a non-blocking collective, sleeping between tests: Open MPI's blocking calls
 * spin, and a rank that waits long (for rank 0's merge, or for the slowest rank's last
 * replication) would take a core from the ranks that work. Waits of up to 5 ms. */
static void wait_for(MPI_Request *req)
{
    long ns = 20000;
    for (;;) {
        int done = 0;
        MPI_Test(req, &done, MPI_STATUS_IGNORE);
        if (done)
            return;
        const struct timespec t = {0, ns};
        nanosleep(&t, NULL);
        if (ns < 5000000)
            ns *= 2;
    }
}

lm_status lm_parallel_init(int *argc, char ***argv, lm_error *err)
{
    if (!lm_parallel_launched() || started)
        return LM_OK;
    int provided = MPI_THREAD_SINGLE;
    if (MPI_Init_thread(argc, argv, MPI_THREAD_SERIALIZED, &provided) != MPI_SUCCESS)
        return lm_error_set(err, LM_ESTATE, __FILE__, __LINE__,
                            "MPI could not start (launched by mpirun or srun)");
    started = true;
    can_poll = provided >= MPI_THREAD_SERIALIZED;
    MPI_Comm_dup(MPI_COMM_WORLD, &comm);
    MPI_Comm_dup(MPI_COMM_WORLD, &stop_comm);
    MPI_Comm_rank(comm, &rank_);
    MPI_Comm_size(comm, &size_);
    return LM_OK;
}

void lm_parallel_finalize(void)
{
    if (!started)
        return;
    if (stop_reqs) {
        MPI_Waitall(size_, stop_reqs, MPI_STATUSES_IGNORE);
        free(stop_reqs);
        stop_reqs = NULL;
    }
    MPI_Comm_free(&stop_comm);
    MPI_Comm_free(&comm);
    int done = 0;
    MPI_Finalized(&done);
    if (!done)
        MPI_Finalize();
    started = false;
    rank_ = 0;
    size_ = 1;
}

int lm__par_rank(void)
{
    return rank_;
}

int lm__par_size(void)
{
    return size_;
}

/* Items of rank r among n: r, r + size, ... */
static long long items_of(long long n, int r, int size)
{
    return n > r ? (n - 1 - r) / size + 1 : 0;
}

lm_status lm__par_allgather_rows(double *rows, long long n_items, int row_len, lm_error *err)
{
    if (size_ < 2 || n_items <= 0 || row_len <= 0)
        return LM_OK;
    const int size = size_;
    int *counts = malloc((size_t)size * sizeof *counts);
    int *displs = malloc((size_t)size * sizeof *displs);
    const long long mine = items_of(n_items, rank_, size);
    double *send = malloc((size_t)(mine > 0 ? mine : 1) * (size_t)row_len * sizeof *send);
    double *recv = malloc((size_t)n_items * (size_t)row_len * sizeof *recv);
    lm_status st = LM_OK;
    if (!counts || !displs || !send || !recv)
        st = lm_error_set(err, LM_ENOMEM, __FILE__, __LINE__, "gathering %lld rows", n_items);
    else if (n_items > INT_MAX)
        st = lm_error_set(err, LM_ENOMEM, __FILE__, __LINE__,
                          "gathering %lld rows: more than %d", n_items, INT_MAX);
    st = lm__par_agree(st, err); /* every rank takes part in the collective, or none */
    if (st == LM_OK) {
        long long at = 0;
        for (int r = 0; r < size; ++r) {
            counts[r] = (int)items_of(n_items, r, size);
            displs[r] = (int)at;
            at += counts[r];
        }
        for (long long j = 0; j < mine; ++j)
            memcpy(send + (size_t)j * (size_t)row_len,
                   rows + (size_t)(rank_ + j * size) * (size_t)row_len,
                   (size_t)row_len * sizeof *rows);
        MPI_Datatype row;
        MPI_Type_contiguous(row_len, MPI_DOUBLE, &row);
        MPI_Type_commit(&row);
            MPI_Request req;
        MPI_Iallgatherv(send, (int)mine, row, recv, counts, displs, row, comm, &req);
        wait_for(&req);
        MPI_Type_free(&row);
        for (int r = 0; r < size; ++r)
            for (long long j = 0; j < counts[r]; ++j)
                memcpy(rows + (size_t)(r + j * size) * (size_t)row_len,
                       recv + (size_t)(displs[r] + j) * (size_t)row_len,
                       (size_t)row_len * sizeof *rows);
    }
    free(counts);
    free(displs);
    free(send);
    free(recv);
    return st;
}

lm_status lm__par_agree(lm_status st, lm_error *err)
{
    if (size_ < 2)
        return st;
    int mine[2] = {(int)st, stop_sent};
    int *all = malloc((size_t)size_ * 2 * sizeof *all);
    if (!all) /* cannot agree: the whole job stops */
        MPI_Abort(MPI_COMM_WORLD, 1);
    MPI_Request req;
    MPI_Iallgather(mine, 2, MPI_INT, all, 2, MPI_INT, comm, &req);
    wait_for(&req);
    /* Every stop message sent before this call is received here. */
    int expected = 0;
    for (int r = 0; r < size_; ++r)
        if (r != rank_ && all[2 * r + 1])
            ++expected;
    while (stop_seen < expected) {
        MPI_Recv(&stop_in, 1, MPI_CHAR, MPI_ANY_SOURCE, TAG_STOP, stop_comm, MPI_STATUS_IGNORE);
        ++stop_seen;
    }
    if (stop_reqs) {
        MPI_Waitall(size_, stop_reqs, MPI_STATUSES_IGNORE);
        free(stop_reqs);
        stop_reqs = NULL;
    }
    stop_sent = 0;
    stop_seen = 0;
    int first = -1;
    for (int r = 0; r < size_ && first < 0; ++r)
        if (all[2 * r] != LM_OK)
            first = r;
    const lm_status out = first < 0 ? LM_OK : (lm_status)all[2 * first];
    free(all);
    if (first < 0)
        return LM_OK;
    lm_error e;
    lm_error_clear(&e);
    if (rank_ == first && err)
        e = *err;
    e.code = out;
    MPI_Ibcast(&e, (int)sizeof e, MPI_BYTE, first, comm, &req);
    wait_for(&req);
    if (rank_ != first)
        e.src_file = NULL; /* an address in another process */
    if (err)
        *err = e;
    return out;
}

void lm__par_barrier(void)
{
    if (size_ > 1) {
        MPI_Request req;
        MPI_Ibarrier(comm, &req);
        wait_for(&req);
    }
}

lm_status lm__par_bcast(void *buf, size_t bytes, lm_error *err)
{
    (void)err;
    if (size_ < 2)
        return LM_OK;
    char *p = buf;
    while (bytes > 0) {
        const int chunk = bytes > (1u << 30) ? (1 << 30) : (int)bytes;
        MPI_Request req;
        MPI_Ibcast(p, chunk, MPI_BYTE, 0, comm, &req);
        wait_for(&req);
        p += chunk;
        bytes -= (size_t)chunk;
    }
    return LM_OK;
}

lm_status lm__par_bcast_text(char **text, lm_error *err)
{
    if (size_ < 2)
        return LM_OK;
    long long len = rank_ == 0 ? (*text ? (long long)strlen(*text) : -1) : 0;
    lm__par_bcast(&len, sizeof len, err);
    char *copy = NULL;
    if (rank_ != 0 && len >= 0)
        copy = malloc((size_t)len + 1);
    const lm_status st = lm__par_agree(rank_ != 0 && len >= 0 && !copy ? LM_ENOMEM : LM_OK, err);
    if (st != LM_OK) {
        free(copy);
        return st;
    }
    if (len < 0) {
        if (rank_ != 0) {
            free(*text);
            *text = NULL;
        }
        return LM_OK;
    }
    lm__par_bcast(rank_ == 0 ? *text : copy, (size_t)len + 1, err);
    if (rank_ != 0) {
        free(*text);
        *text = copy;
    }
    return LM_OK;
}

long long lm__par_sum(long long v)
{
    if (size_ < 2)
        return v;
    long long sum = 0;
    MPI_Request req;
    MPI_Iallreduce(&v, &sum, 1, MPI_LONG_LONG, MPI_SUM, comm, &req);
    wait_for(&req);
    return sum;
}

void lm__par_tell_stop(void)
{
    if (size_ < 2 || !can_poll)
        return;
#pragma omp critical(lm_mpi)
    {
        if (!stop_sent) {
            stop_reqs = malloc((size_t)size_ * sizeof *stop_reqs);
            if (stop_reqs) {
                stop_sent = 1;
                for (int r = 0; r < size_; ++r) {
                    stop_reqs[r] = MPI_REQUEST_NULL;
                    if (r != rank_)
                        MPI_Isend(&stop_out, 1, MPI_CHAR, r, TAG_STOP, stop_comm, &stop_reqs[r]);
                }
            }
        }
    }
}

bool lm__par_stopped(void)
{
    if (size_ < 2 || !can_poll)
        return false;
    bool stopped;
#pragma omp critical(lm_mpi)
    {
        int flag = 0;
        MPI_Status status;
        while (MPI_Iprobe(MPI_ANY_SOURCE, TAG_STOP, stop_comm, &flag, &status) == MPI_SUCCESS &&
               flag) {
            MPI_Recv(&stop_in, 1, MPI_CHAR, status.MPI_SOURCE, TAG_STOP, stop_comm,
                     MPI_STATUS_IGNORE);
            ++stop_seen;
        }
        stopped = stop_seen > 0;
    }
    return stopped;
}

#else /* one rank */

bool lm_parallel_available(void)
{
    return false;
}

lm_status lm_parallel_init(int *argc, char ***argv, lm_error *err)
{
    (void)argc;
    (void)argv;
    const long n = env_size();
    if (lm_parallel_launched() && n > 1)
        return lm_error_set(err, LM_EINVAL, __FILE__, __LINE__,
                            "launched as %ld processes, but this longmen was built without MPI "
                            "(cmake -DLM_WITH_MPI=ON with libopenmpi-dev installed): each "
                            "process would run the whole job",
                            n);
    return LM_OK;
}

void lm_parallel_finalize(void)
{
}

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

lm_status lm__par_bcast(void *buf, size_t bytes, lm_error *err)
{
    (void)buf;
    (void)bytes;
    (void)err;
    return LM_OK;
}

lm_status lm__par_bcast_text(char **text, lm_error *err)
{
    (void)text;
    (void)err;
    return LM_OK;
}

long long lm__par_sum(long long v)
{
    return v;
}

void lm__par_tell_stop(void)
{
}

bool lm__par_stopped(void)
{
    return false;
}

#endif

int lm__par_threads_default(void)
{
    const char *local = env_value("OMPI_COMM_WORLD_LOCAL_SIZE");
    if (lm__par_size() < 2 || !local || env_value("OMP_NUM_THREADS"))
        return 0;
    const long ranks = strtol(local, NULL, 10);
    if (ranks < 2)
        return 0;
#ifdef _OPENMP
    const int procs = omp_get_num_procs(); /* the processors this rank may run on */
#else
    const int procs = 1;
#endif
    /* Bound to its own cores (mpirun's default for a few ranks): all of them; else a share. */
    const long cores = sysconf(_SC_NPROCESSORS_ONLN);
    const long share = procs < cores ? procs : procs / ranks;
    return share >= 1 ? (int)share : 1;
}

int lm_parallel_rank(void)
{
    return lm__par_rank();
}

int lm_parallel_size(void)
{
    return lm__par_size();
}
