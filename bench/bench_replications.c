/* bench/bench_replications.c -- replications per hour of whole scenarios, the way
 * `longmen run --runs R` makes them (src/experiments/replicate.c): OpenMP over replications,
 * each simulation single-threaded, each finished replication appended to one SQLite database
 * in its own durable transaction (one at a time). With 1 and 2 threads; the parallel
 * efficiency is rate(T) / (T * rate(1)). Time is split into simulating and writing, and the
 * process CPU time is printed beside the wall clock, since a machine shared with other jobs
 * inflates the wall clock (the load average is printed too), and so is the rate the CPU time
 * gives on T cores of its own. docs/performance.md.
 *
 * Usage (from the source folder):
 *   bench_replications [--runs R] [--threads T] [--detail K] [SCENARIO...]
 *   R replications per thread (default 2), threads 1..T (default 2); replications 1..K keep
 *   every firm and deal row (default 0: all brief, as all but the first 20 of a
 *   `longmen run --runs 1000`; --detail 1000 for every row); scenarios default to
 *   scenarios/three-capitals.yaml and scenarios/yangtze-delta.yaml. */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench_world.h"
#include "longmen/longmen.h"

static double cpu_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* This thread's CPU time: a replication runs in one thread (its simulation has threads 1). */
static double thread_cpu_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static void die(const char *what, const lm_error *err)
{
    fprintf(stderr, "bench_replications: %s: %s\n", what, err ? err->message : "");
    exit(1);
}

typedef struct measured {
    double wall, cpu;     /* the whole batch */
    double sim, write;    /* summed over replications (wall time of the thread) */
    double sim_cpu, write_cpu; /* the same in CPU time of the thread */
    double firm_months;   /* summed over replications */
} measured;

static measured batch(const lm_scenario *sc, int threads, int reps, int detail, const char *dir)
{
    char db[512];
    snprintf(db, sizeof db, "%s/bench-%d.sqlite", dir, threads);
    unlink(db);
    measured m = {0};
    int failed = 0;
    const double w0 = bench_now_s(), c0 = cpu_s();
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads) reduction(+ : failed)
    for (int rep = 0; rep < reps; ++rep) {
        lm_error err;
        const double t0 = bench_now_s(), u0 = thread_cpu_s();
        const lm_sim_config cfg = {.seed = lm_scenario_seed(sc), .run = (uint32_t)rep,
                                   .threads = 1};
        lm_sim *sim = NULL;
        double fm = 0;
        if (lm_sim_create(sc, &cfg, &sim, &err) != LM_OK) {
            ++failed;
            continue;
        }
        while (!lm_sim_done(sim)) {
            if (lm_sim_step(sim, &err) != LM_OK) {
                ++failed;
                break;
            }
            fm += (double)lm_sim_firms_alive(sim);
        }
        const double t1 = bench_now_s(), u1 = thread_cpu_s();
        const lm_run_info info = {.scenario = lm_scenario_name(sc),
                                  .scenario_path = lm_scenario_path(sc),
                                  .seed = cfg.seed,
                                  .run = (uint32_t)rep,
                                  .threads = threads,
                                  .run_id = rep + 1,
                                  .brief = rep >= detail};
        double t2, u2;
#pragma omp critical(bench_store)
        {
            const double ua = thread_cpu_s();
            if (lm_results_append(db, sc, sim, &info, &err) != LM_OK)
                ++failed;
            t2 = bench_now_s();
            u2 = thread_cpu_s() - (ua - u1); /* not the wait for the lock */
        }
        lm_sim_destroy(sim);
#pragma omp atomic
        m.sim += t1 - t0;
#pragma omp atomic
        m.write += t2 - t1;
#pragma omp atomic
        m.firm_months += fm;
#pragma omp atomic
        m.sim_cpu += u1 - u0;
#pragma omp atomic
        m.write_cpu += u2 - u1;
    }
    m.wall = bench_now_s() - w0;
    m.cpu = cpu_s() - c0;
    if (failed)
        die("a replication failed", NULL);
    unlink(db);
    return m;
}

int main(int argc, char **argv)
{
    int per_thread = 2, max_threads = 2, detail = 0;
    const char *paths[16];
    int n_paths = 0;
    for (int i = 1; i < argc; ++i) {
        if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc)
            per_thread = atoi(argv[++i]);
        else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc)
            max_threads = atoi(argv[++i]);
        else if (strcmp(argv[i], "--detail") == 0 && i + 1 < argc)
            detail = atoi(argv[++i]);
        else if (argv[i][0] != '-' && n_paths < 16)
            paths[n_paths++] = argv[i];
        else {
            fprintf(stderr, "usage: bench_replications [--runs R] [--threads T] [--detail K] "
                            "[SCENARIO...]\n");
            return 2;
        }
    }
    if (per_thread < 1 || max_threads < 1) {
        fprintf(stderr, "bench_replications: --runs and --threads must be at least 1\n");
        return 2;
    }
    if (n_paths == 0) {
        paths[n_paths++] = "scenarios/three-capitals.yaml";
        paths[n_paths++] = "scenarios/yangtze-delta.yaml";
    }
    char dir[] = "/tmp/lm_bench_XXXXXX";
    if (!mkdtemp(dir)) {
        perror("bench_replications: mkdtemp");
        return 1;
    }
    double load[3] = {0};
    if (getloadavg(load, 3) < 0)
        load[0] = -1;
    printf("replications per hour (%d per thread; replications 1..%d keep every firm and deal "
           "row), load average %.2f at the start\n",
           per_thread, detail, load[0]);
    printf("%-20s %7s %5s %7s %7s %9s %9s %9s %9s %10s %9s %10s %10s\n", "scenario",
           "threads", "reps", "wall s", "cpu s", "sim/rep", "(cpu)", "write/rep", "(cpu)",
           "firm-mo/s", "reps/hour", "efficiency", "(cpu)/hour");
    for (int p = 0; p < n_paths; ++p) {
        lm_scenario *sc = NULL;
        lm_error err;
        if (lm_scenario_load(paths[p], &sc, &err) != LM_OK)
            die(paths[p], &err);
        double rate1 = 0;
        for (int t = 1; t <= max_threads; ++t) {
            const int reps = per_thread * t;
            const measured m = batch(sc, t, reps, detail, dir);
            const double rate = reps / m.wall * 3600.0;
            if (t == 1)
                rate1 = rate;
            const char *name = strrchr(paths[p], '/') ? strrchr(paths[p], '/') + 1 : paths[p];
            /* (cpu)/hour: the rate on t cores of its own, from the CPU time, since other jobs
               on a shared machine stretch the wall clock but hardly the CPU time */
            printf("%-20s %7d %5d %7.1f %7.1f %9.2f %9.2f %9.2f %9.2f %10.3e %9.0f %9.0f%% "
                   "%10.0f\n",
                   name, t, reps, m.wall, m.cpu, m.sim / reps, m.sim_cpu / reps, m.write / reps,
                   m.write_cpu / reps, m.firm_months / m.sim_cpu, rate,
                   100.0 * rate / (t * rate1), reps / m.cpu * t * 3600.0);
            fflush(stdout);
            if (t == max_threads)
                printf("%-20s 1,000 replications with %d threads: %.1f minutes (%.2f "
                       "cpu-s/rep)\n",
                       "", t, 1000.0 / rate * 60.0, m.cpu / reps);
        }
        lm_scenario_free(sc);
    }
    rmdir(dir);
    return 0;
}
