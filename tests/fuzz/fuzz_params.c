/* tests/fuzz/fuzz_params.c -- libFuzzer harness for the params file of `longmen sensitivity`
 * (src/scenario/sens_params.c): any byte string given to lm_sens_spec_parse() must come back
 * as a spec whose every field is in range, or as one located error whose formatted form is
 * one printable line; never a crash, a hang, a leak, an out-of-bounds access or undefined
 * behaviour (built with -fsanitize=fuzzer,address,undefined; tests/fuzz/CMakeLists.txt).
 *
 * A spec that parses is pushed on: Saltelli's design for its parameters is scaled into their
 * ranges (whatever numbers the file holds, huge or tiny), a function of the values is
 * evaluated on it, and the estimators with a few bootstrap resamples must give indices and
 * intervals that are finite or NaN (never infinite: overflowing sums are no index), lo <=
 * hi, and ST >= 0 (src/experiments/sensitivity.c).
 *
 * Seed corpus: tests/fuzz/corpus/params/ (the shipped params files, valid and malformed
 * cases). Dictionary: tests/fuzz/params.dict. Run: tests/integration/fuzz.sh;
 * docs/reliability.md. */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "longmen/error.h"
#include "longmen/sensitivity.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned long long n_parsed, n_rejected, n_estimated;

static void print_counts(void)
{
    fprintf(stderr, "fuzz_params: %llu inputs parsed (%llu of them estimated), %llu rejected\n",
            n_parsed, n_estimated, n_rejected);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    atexit(print_counts);
    return 0;
}

#define N_ROWS 8

static void exercise(const lm_sens_spec *s)
{
    if (s->n_params < 1 || s->n_params > LM_SENS_MAX_PARAMS || s->n_outputs < 1 ||
        s->n_outputs > LM_SENS_MAX_OUTPUTS)
        __builtin_trap();
    for (int i = 0; i < s->n_params; ++i) {
        const lm_sens_param *p = &s->params[i];
        if (!memchr(p->name, '\0', sizeof p->name) || !p->name[0] || strchr(p->name, '=') ||
            !(p->lo < p->hi) || !isfinite(p->lo) || !isfinite(p->hi) || p->line < 1)
            __builtin_trap();
    }
    for (int o = 0; o < s->n_outputs; ++o)
        if (!lm_metric_word(s->outputs[o].metric) ||
            !memchr(s->outputs[o].region, '\0', sizeof s->outputs[o].region))
            __builtin_trap();
    const int d = s->n_params, rows = N_ROWS * (d + 2);
    double *u = NULL;
    lm_error err;
    if (lm_sens_design(d, N_ROWS, &u, &err) != LM_OK)
        __builtin_trap();
    double *y = malloc((size_t)rows * sizeof *y);
    if (!y)
        __builtin_trap();
    for (int r = 0; r < rows; ++r) {
        double f = 0;
        for (int i = 0; i < d; ++i) {
            const lm_sens_param *p = &s->params[i];
            const double x = p->lo + u[(size_t)r * d + i] * (p->hi - p->lo);
            f += (i + 1) * x + (i == 0 ? x * x * 1e-3 : 0);
        }
        y[r] = f;
    }
    lm_sens_index idx[LM_SENS_MAX_PARAMS];
    lm_sens_estimate info;
    if (lm_sens_indices(y, N_ROWS, d, 20, 1, idx, &info, &err) != LM_OK)
        __builtin_trap();
    for (int i = 0; i < d; ++i) {
        const lm_sens_index *v = &idx[i];
        if (isinf(v->s1) || isinf(v->st))
            __builtin_trap();
        if (isinf(v->s1_lo) || isinf(v->s1_hi) || isinf(v->st_lo) || isinf(v->st_hi))
            __builtin_trap();
        if (!isnan(v->s1_lo) && !(v->s1_lo <= v->s1_hi))
            __builtin_trap();
        if (isfinite(v->st) && v->st < 0)
            __builtin_trap(); /* a mean of squares over a positive variance */
    }
    ++n_estimated;
    free(y);
    free(u);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static lm_sens_spec spec;
    lm_error err;
    const lm_status st = lm_sens_spec_parse((const char *)data, size, "fuzz.yaml", &spec, &err);
    if (st == LM_OK) {
        ++n_parsed;
        exercise(&spec);
        return 0;
    }
    ++n_rejected;
    if (spec.n_params != 0 || spec.n_outputs != 0)
        __builtin_trap(); /* a failed parse leaves nothing half-read */
    fuzz_check_error_line(&err);
    return 0;
}
