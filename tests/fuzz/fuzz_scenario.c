/* tests/fuzz/fuzz_scenario.c -- libFuzzer harness for the scenario loader: any byte string
 * given to lm_scenario_load_string() must come back as a scenario or as one located error
 * whose formatted form is one printable line, never as a crash, a hang, a leak, an out-of-bounds access or undefined behaviour (the
 * harness is built with -fsanitize=fuzzer,address,undefined; tests/fuzz/CMakeLists.txt).
 *
 * A scenario that loads is then pushed a little further, because a value the loader lets
 * through is a value the engine must survive: its accessors are read, the memory estimate
 * is taken, and when that estimate is small the simulation is created and stepped for a
 * few months (UBSan catches a float-to-int overflow or a division by zero the scenario's
 * numbers could cause). The months stay few so that one input costs milliseconds.
 *
 * Seed corpus: tests/fuzz/corpus/scenario/ (the shipped scenarios, tests/data/tiny.yaml, the
 * malformed cases of tests/data/bad/, and every crash the fuzzer ever found). Dictionary:
 * tests/fuzz/scenario.dict. Run: tests/integration/fuzz.sh; docs/reliability.md. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "longmen/error.h"
#include "longmen/job.h"
#include "longmen/longmen.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Inputs loaded, rejected with an error, and simulated; printed at exit for
 * tests/integration/fuzz.sh and docs/reliability.md. */
static unsigned long long n_loaded, n_rejected, n_simulated;

static void print_counts(void)
{
    fprintf(stderr, "fuzz_scenario: %llu inputs loaded (%llu of them simulated), %llu rejected\n",
            n_loaded, n_simulated, n_rejected);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    atexit(print_counts);
    return 0;
}

/* Below this estimate a scenario is simulated for a few months (bytes). */
#define SIM_MEMORY_MAX ((uint64_t)64 << 20)
#define SIM_MONTHS 3

static void exercise(lm_scenario *sc)
{
    char buf[16];
    int32_t start, end;
    lm_scenario_period(sc, &start, &end);
    lm_month_format(start, buf);
    lm_month_format(end, buf);
    (void)strlen(lm_scenario_name(sc));
    for (int r = 0; r < lm_scenario_region_count(sc); ++r)
        (void)strlen(lm_scenario_region_name(sc, r));
    for (int s = 0; s < lm_scenario_sector_count(sc); ++s)
        (void)strlen(lm_scenario_sector_id(sc, s));

    lm_error err;
    /* A short period keeps one input cheap; from = to is a one-month run. */
    const int32_t last = end - start >= SIM_MONTHS ? start + SIM_MONTHS - 1 : end;
    if (lm_scenario_set_period(sc, start, last, &err) != LM_OK)
        __builtin_trap(); /* a period inside the scenario's own must be accepted */
    lm_memory_estimate est;
    if (lm_job_estimate_memory(sc, &est) != est.total || est.total < est.baseline)
        __builtin_trap();
    if (est.total > SIM_MEMORY_MAX)
        return;
    lm_sim *sim = NULL;
    const lm_sim_config cfg = {.seed = 1, .run = 0, .threads = 1};
    if (lm_sim_create(sc, &cfg, &sim, &err) != LM_OK)
        return;
    ++n_simulated;
    while (!lm_sim_done(sim) && lm_sim_step(sim, &err) == LM_OK) {
    }
    size_t n = 0;
    (void)lm_sim_region_years(sim, &n);
    lm_sim_destroy(sim);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    lm_scenario *sc = NULL;
    lm_error err;
    const lm_status st = lm_scenario_load_string((const char *)data, size, "fuzz.yaml", &sc, &err);
    if (st == LM_OK) {
        if (!sc)
            __builtin_trap();
        ++n_loaded;
        exercise(sc);
        lm_scenario_free(sc);
        return 0;
    }
    /* A failure is one formatted line with no scenario. */
    ++n_rejected;
    if (sc)
        __builtin_trap();
    fuzz_check_error_line(&err);
    return 0;
}
