/* bench/bench_engine.c -- firm-months per second of the engine's monthly phases for 10^4,
 * 10^5 and 10^6 live firms, with 1 and 2 threads; bytes of state per firm; this machine's
 * memory bandwidth (a STREAM-like copy) and the share of it the engine uses.
 * docs/performance.md explains the figures. Usage: bench_engine [--max-firms N] [--months M]
 *
 * The population is held fixed (no founders arrive, every firm has cash enough to live) so
 * that a figure is the cost of N firms for M months and nothing else. */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_world.h"
#include "core/sim_int.h"
#include "longmen/longmen.h"

static const char scenario_yaml[] =
    "name: bench\n"
    "period: {start: 2015-01, end: 2099-12}\n"
    "layers: [chip_design, compute, application]\n"
    "sectors:\n"
    "  - {id: ai_models, skill: software, layers: [chip_design, compute, application],\n"
    "     model_weight: {to_c: 0.5, to_b: 0.4, to_g: 0.1}, compute_share: 0.4}\n"
    "  - {id: robotics, skill: hardware, layers: [application],\n"
    "     model_weight: {to_c: 0.3, to_b: 0.6, to_g: 0.1}}\n"
    "  - {id: games, skill: design, model_weight: {to_c: 1.0}}\n"
    "regions:\n"
    "  - {name: A, population_10k: 1200, gdp_100m_cny: 20000,\n"
    "     wage_cny_month: {software: 22000, hardware: 18000, science: 16000, manufacturing: 8000,"
    " design: 14000}}\n"
    "  - {name: B, population_10k: 900, gdp_100m_cny: 17000,\n"
    "     wage_cny_month: {software: 20000, hardware: 17000, science: 15000, manufacturing: 7500,"
    " design: 13000}}\n"
    "params:\n"
    "  entry: {base_rate: 0, alumni_rate: 0, spinout_rate: 0, restart_rate: 0, returnee_rate: 0,"
    " outside_rate: 0}\n";

static double measure(const lm_scenario *sc, size_t n, int threads, int months,
                      double *firm_months_per_s)
{
    lm_sim_config cfg = {.seed = 1, .run = 0, .threads = threads};
    lm_sim *sim = NULL;
    lm_error err;
    if (lm_sim_create(sc, &cfg, &sim, &err) != LM_OK) {
        fprintf(stderr, "bench: %s\n", err.message);
        exit(1);
    }
    bench_populate(lm__sim_world(sim), n, 1, 0); /* odd firms launched, all funded */
    lm_sim_step(sim, &err); /* warm caches and page in the arrays */
    const double t0 = bench_now_s();
    for (int m = 0; m < months; ++m)
        if (lm_sim_step(sim, &err) != LM_OK) {
            fprintf(stderr, "bench: %s\n", err.message);
            exit(1);
        }
    const double dt = bench_now_s() - t0;
    *firm_months_per_s = (double)n * months / dt;
    lm_sim_destroy(sim);
    return dt;
}

/* STREAM "copy": a[i] = b[i] over arrays far larger than the caches. Bytes moved = 2 * size
 * (read b, write a), the convention of STREAM. */
static double copy_bandwidth(int threads)
{
    const size_t n = (size_t)64 << 20; /* 64M doubles = 512 MB each */
    double *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b);
    if (!a || !b) {
        fprintf(stderr, "bench: no memory for the bandwidth test\n");
        exit(1);
    }
#pragma omp parallel for schedule(static) num_threads(threads)
    for (size_t i = 0; i < n; ++i) {
        a[i] = 0.0;
        b[i] = (double)i;
    }
    double best = 0.0;
    for (int rep = 0; rep < 5; ++rep) {
        const double t0 = bench_now_s();
#pragma omp parallel for schedule(static) num_threads(threads)
        for (size_t i = 0; i < n; ++i)
            a[i] = b[i];
        const double bw = 2.0 * (double)n * sizeof(double) / (bench_now_s() - t0);
        if (bw > best)
            best = bw;
    }
    volatile double sink = a[n / 2];
    (void)sink;
    free(a);
    free(b);
    return best;
}

int main(int argc, char **argv)
{
    size_t max_firms = 1000000;
    int months = 0;
    for (int i = 1; i < argc; ++i) {
        if (!strcmp(argv[i], "--max-firms") && i + 1 < argc)
            max_firms = strtoull(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--months") && i + 1 < argc)
            months = atoi(argv[++i]);
        else {
            printf("usage: bench_engine [--max-firms N] [--months M]\n"
                   "Firm-months per second of the monthly phases for 1e4..N live firms,\n"
                   "1 and 2 threads, and the share of memory bandwidth used.\n"
                   "example: bench_engine --max-firms 100000 --months 24\n");
            return strcmp(argv[i], "--help") ? 2 : 0;
        }
    }
    lm_scenario *sc = NULL;
    lm_error err;
    if (lm_scenario_load_string(scenario_yaml, sizeof scenario_yaml - 1, "bench.yaml", &sc,
                                &err) != LM_OK) {
        char line[1024];
        fprintf(stderr, "bench: %s\n", lm_error_format(&err, line, sizeof line));
        return 1;
    }
    const size_t bytes = lm_firms_bytes_per_firm();
    /* Each month the phases stream the firm arrays about five times (R&D, two market
       passes, two cost passes); a pass touches most fields. An estimate, stated as such. */
    const double touched_per_firm_month = 5.0 * (double)bytes;
    const int max_threads = omp_get_max_threads() < 2 ? 1 : 2;
    printf("longmen %s engine benchmark\n", lm_version());
    printf("state per firm: %zu bytes (limit 256)\n", bytes);
    double bw[3] = {0};
    for (int t = 1; t <= max_threads; ++t) {
        bw[t] = copy_bandwidth(t);
        printf("memory bandwidth (copy), %d thread%s: %.2f GB/s\n", t, t > 1 ? "s" : "",
               bw[t] / 1e9);
    }
    printf("\n%10s %8s %8s %18s %14s %12s\n", "firms", "threads", "months", "firm-months/s",
           "per core", "bw share");
    for (size_t n = 10000; n <= max_firms; n *= 10) {
        const int m = months > 0 ? months : (n <= 10000 ? 240 : (n <= 100000 ? 60 : 12));
        for (int t = 1; t <= max_threads; ++t) {
            double fms = 0.0;
            measure(sc, n, t, m, &fms);
            printf("%10zu %8d %8d %18.3e %14.3e %11.1f%%\n", n, t, m, fms, fms / t,
                   100.0 * fms * touched_per_firm_month / bw[t]);
        }
    }
    lm_scenario_free(sc);
    return 0;
}
