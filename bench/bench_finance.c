/* bench/bench_finance.c -- what finance costs (MODEL.md 5.4-5.7, docs/performance.md).
 * Usage: bench_finance [--max-firms N] [--months M] [--scenario PATH] [--threads T]
 *
 * Part 1, a fixed population (as bench_engine): N live firms with cash enough to live, a
 * tenth of them short of cash and seeking money every month, investors present (angels and
 * VC funds from private capital, an S&T and an innovation fund, matchmaking). The full
 * monthly schedule is timed with params.finance.enabled false and true: firm-months per
 * second, and the ratio (the aim: finance makes a firm-month at most twice as costly).
 *
 * Part 2, the default scenario over its whole period, finance off and on: seconds, firm-months
 * (sum over months of firms alive), firm-months per second, deals screened (investor looks
 * that drew a signal) and deals screened per second of screening time, rounds closed. */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_world.h"
#include "core/sim_int.h"
#include "longmen/finance.h"
#include "longmen/longmen.h"
#include "model/finance/finance_int.h"
#include "scenario/scenario_int.h"

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
    "  - name: A\n"
    "    population_10k: 1200\n"
    "    gdp_100m_cny: 20000\n"
    "    private_capital_cny: 3.0e12\n"
    "    wage_cny_month: {software: 22000, hardware: 18000, science: 16000, manufacturing: 8000,"
    " design: 14000}\n"
    "    policies:\n"
    "      - {kind: st_fund, start: 2015-01, budget_cny_year: 1.5e9, loss_tolerance: 0.3,"
    " separate_budget_line: true}\n"
    "      - {kind: innovation_fund, start: 2015-01, budget_cny_year: 3.5e9, loss_tolerance: 0.1}\n"
    "      - {kind: matchmaking, start: 2015-01}\n"
    "  - name: B\n"
    "    population_10k: 900\n"
    "    gdp_100m_cny: 17000\n"
    "    private_capital_cny: 1.5e12\n"
    "    wage_cny_month: {software: 20000, hardware: 17000, science: 15000, manufacturing: 7500,"
    " design: 13000}\n"
    "params:\n"
    "  entry: {base_rate: 0, alumni_rate: 0, spinout_rate: 0, restart_rate: 0, returnee_rate: 0,"
    " outside_rate: 0}\n"
    "  finance: {enabled: %s}\n";


static lm_scenario *load_text(bool finance)
{
    char text[sizeof scenario_yaml + 16];
    snprintf(text, sizeof text, scenario_yaml, finance ? "true" : "false");
    lm_scenario *sc = NULL;
    lm_error err;
    if (lm_scenario_load_string(text, strlen(text), "bench.yaml", &sc, &err) != LM_OK) {
        char line[1024];
        fprintf(stderr, "bench: %s\n", lm_error_format(&err, line, sizeof line));
        exit(1);
    }
    return sc;
}

static double fixed(const lm_scenario *sc, size_t n, int threads, int months)
{
    lm_sim_config cfg = {.seed = 1, .run = 0, .threads = threads};
    lm_sim *sim = NULL;
    lm_error err;
    if (lm_sim_create(sc, &cfg, &sim, &err) != LM_OK) {
        fprintf(stderr, "bench: %s\n", err.message);
        exit(1);
    }
    bench_populate(lm__sim_world(sim), n, 0, 10); /* even firms launched, a tenth broke */
    lm_sim_step(sim, &err); /* warm caches, raise the first funds */
    double firm_months = 0.0;
    const double t0 = bench_now_s();
    for (int m = 0; m < months; ++m) {
        firm_months += (double)lm_sim_firms_alive(sim);
        if (lm_sim_step(sim, &err) != LM_OK) {
            fprintf(stderr, "bench: %s\n", err.message);
            exit(1);
        }
    }
    const double dt = bench_now_s() - t0;
    lm_sim_destroy(sim);
    return firm_months / dt;
}

typedef struct whole {
    double seconds, firm_months, screened, screen_seconds, rounds;
} whole;

static whole whole_run(const char *path, bool finance, int threads)
{
    lm_scenario *sc = NULL;
    lm_error err;
    if (lm_scenario_load(path, &sc, &err) != LM_OK) {
        char line[1024];
        fprintf(stderr, "bench: %s\n", lm_error_format(&err, line, sizeof line));
        exit(1);
    }
    ((lm_params *)lm__scenario_params(sc))->finance.enabled = finance;
    lm_sim_config cfg = {.seed = lm_scenario_seed(sc), .run = 0, .threads = threads};
    lm_sim *sim = NULL;
    if (lm_sim_create(sc, &cfg, &sim, &err) != LM_OK) {
        fprintf(stderr, "bench: %s\n", err.message);
        exit(1);
    }
    whole out = {0};
    const double t0 = bench_now_s();
    while (!lm_sim_done(sim)) {
        if (lm_sim_step(sim, &err) != LM_OK) {
            fprintf(stderr, "bench: %s\n", err.message);
            exit(1);
        }
        out.firm_months += (double)lm_sim_firms_alive(sim);
    }
    out.seconds = bench_now_s() - t0;
    const lm_world *w = lm__sim_world(sim);
    if (w->finance) {
        out.screened = (double)w->finance->totals.screened;
        out.screen_seconds = w->finance->last_screen_seconds;
    }
    size_t n;
    const lm_finance_year *y = lm_sim_finance_years(sim, &n);
    for (size_t k = 0; k < n; ++k)
        out.rounds += (double)y[k].rounds;
    lm_sim_destroy(sim);
    lm_scenario_free(sc);
    return out;
}

int main(int argc, char **argv)
{
    size_t max_firms = 100000;
    int months = 24, threads = 0;
    const char *scenario = "scenarios/three-capitals.yaml";
    for (int i = 1; i < argc; ++i) {
        if (!strcmp(argv[i], "--max-firms") && i + 1 < argc)
            max_firms = strtoull(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--months") && i + 1 < argc)
            months = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--scenario") && i + 1 < argc)
            scenario = argv[++i];
        else if (!strcmp(argv[i], "--threads") && i + 1 < argc)
            threads = atoi(argv[++i]);
        else {
            printf("usage: bench_finance [--max-firms N] [--months M] [--scenario PATH]"
                   " [--threads T]\n"
                   "Firm-months per second with finance off and on for 1e4..N live firms,\n"
                   "then the whole scenario PATH (default scenarios/three-capitals.yaml)\n"
                   "off and on: firm-months per second and deals screened per second.\n"
                   "example: bench_finance --max-firms 100000 --months 24\n");
            return strcmp(argv[i], "--help") ? 2 : 0;
        }
    }
    printf("longmen %s finance benchmark\n\n", lm_version());
    lm_scenario *off = load_text(false), *on = load_text(true);
    const int max_threads = omp_get_max_threads() < 2 ? 1 : 2;
    printf("fixed population (a tenth of the firms seeking money), %d months\n", months);
    printf("%10s %8s %18s %18s %8s\n", "firms", "threads", "off firm-months/s", "on firm-months/s",
           "on/off");
    for (size_t n = 10000; n <= max_firms; n *= 10)
        for (int t = 1; t <= max_threads; ++t) {
            const double a = fixed(off, n, t, months), b = fixed(on, n, t, months);
            printf("%10zu %8d %18.3e %18.3e %7.2fx\n", n, t, a, b, a / b);
        }
    lm_scenario_free(off);
    lm_scenario_free(on);

    const int wt = threads > 0 ? threads : max_threads;
    printf("\nwhole scenario %s, %d thread%s\n", scenario, wt, wt > 1 ? "s" : "");
    const whole a = whole_run(scenario, false, wt), b = whole_run(scenario, true, wt);
    printf("%8s %10s %14s %16s %16s %14s %10s\n", "finance", "seconds", "firm-months",
           "firm-months/s", "deals screened", "screened/s", "rounds");
    printf("%8s %10.2f %14.0f %16.3e %16s %14s %10s\n", "off", a.seconds, a.firm_months,
           a.firm_months / a.seconds, "-", "-", "-");
    printf("%8s %10.2f %14.0f %16.3e %16.0f %14.3e %10.0f\n", "on", b.seconds, b.firm_months,
           b.firm_months / b.seconds, b.screened,
           b.screen_seconds > 0.0 ? b.screened / b.screen_seconds : 0.0, b.rounds);
    printf("cost of a firm-month, on / off: %.2fx\n",
           (b.seconds / b.firm_months) / (a.seconds / a.firm_months));
    return 0;
}
