/* tests/fuzz/fuzz_targets.c -- libFuzzer harness for the targets file of `longmen calibrate`
 * (src/experiments/targets.c, calibration issue): any byte string given to
 * lm_targets_load_string() must come back as a targets file or as one located error whose
 * formatted form is one printable line, never as a crash, a hang, a leak or undefined
 * behaviour (built with -fsanitize=fuzzer,address,undefined; tests/fuzz/CMakeLists.txt).
 *
 * A file that loads is pushed further, as the calibration would use it: its region names are
 * bound to tests/data/tiny.yaml (loaded once), every target is described, and the objective
 * and the tolerance verdict are computed on made-up moments (numbers, NaN, infinities).
 *
 * Seed corpus: tests/fuzz/corpus/targets/ (the shipped calibration files and malformed
 * cases). Dictionary: tests/fuzz/targets.dict. Run: tests/integration/fuzz.sh. */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "experiments/calibrate_int.h"
#include "fuzz_common.h"
#include "longmen/calibrate.h"
#include "longmen/error.h"
#include "longmen/longmen.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned long long n_loaded, n_bound, n_rejected;
static lm_scenario *tiny;

static void print_counts(void)
{
    fprintf(stderr, "fuzz_targets: %llu inputs loaded (%llu bound to tiny.yaml), %llu rejected\n",
            n_loaded, n_bound, n_rejected);
    lm_scenario_free(tiny);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    lm_error err;
    if (lm_scenario_load(LM_SOURCE_DIR "/tests/data/tiny.yaml", &tiny, &err) != LM_OK)
        __builtin_trap();
    atexit(print_counts);
    return 0;
}

static void exercise(lm_targets *t)
{
    const int nt = lm_targets_target_count(t), np = lm_targets_param_count(t);
    if (nt < 1 || nt > LM_CAL_MAX_TARGETS || np < 1 || np > LM_CAL_MAX_PARAMS)
        __builtin_trap();
    for (int j = 0; j < np; ++j)
        if (!(t->params[j].lo < t->params[j].hi) || t->params[j].start < t->params[j].lo ||
            t->params[j].start > t->params[j].hi)
            __builtin_trap(); /* the loader promises a start inside the bounds */
    lm_error err;
    if (lm__cal_bind(t, tiny, &err) == LM_OK)
        ++n_bound;
    else
        fuzz_check_error_line(&err);
    char buf[2048];
    double rows[3 * LM_CAL_MAX_TARGETS];
    static const double vals[] = {0.0, 1.0, -3.5, 1e300, NAN, INFINITY, 42.0};
    for (int i = 0; i < 3 * nt; ++i)
        rows[i] = vals[(size_t)i % (sizeof vals / sizeof vals[0])];
    double mean[LM_CAL_MAX_TARGETS];
    (void)lm__cal_objective(t, rows, 3, mean);
    for (int j = 0; j < nt; ++j) {
        lm__cal_describe(&t->targets[j], buf, sizeof buf);
        (void)lm__cal_within(&t->targets[j], mean[j]);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    lm_targets *t = NULL;
    lm_error err;
    const lm_status st = lm_targets_load_string((const char *)data, size, "fuzz.yaml", &t, &err);
    if (st == LM_OK) {
        if (!t)
            __builtin_trap();
        ++n_loaded;
        exercise(t);
        lm_targets_free(t);
        return 0;
    }
    ++n_rejected;
    if (t)
        __builtin_trap();
    fuzz_check_error_line(&err);
    return 0;
}
