/* tests/fuzz/fuzz_levers.c -- libFuzzer harness for the levers file of `longmen optimise`
 * (src/scenario/levers.c): any byte string given to lm__levers_parse() must come back as
 * levers or as one located error whose formatted form is one printable line, never as a
 * crash, a hang, a leak, an out-of-bounds access or undefined behaviour (built with
 * -fsanitize=fuzzer,address,undefined; tests/fuzz/CMakeLists.txt).
 *
 * Levers that parse are pushed further, as the optimiser would use them: every edit is
 * expanded for a region, and each lever's edits at one end of its range are applied to
 * tests/data/tiny.yaml (lm_scenario_load_edited), which must load or fail with one located
 * line too; so the fuzzer also reaches the counterfactual edits of src/scenario/edits.c with
 * edit strings nobody wrote. The budget parser (lm_parse_money) gets the input as text.
 *
 * Seed corpus: tests/fuzz/corpus/levers/ (the shipped levers files, valid and malformed
 * cases). Run: tests/integration/fuzz.sh; docs/reliability.md. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "longmen/experiments.h"
#include "longmen/longmen.h"
#include "longmen/optimise.h"
#include "scenario/levers.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned long long n_parsed, n_rejected, n_applied, n_edit_errors;

static void print_counts(void)
{
    fprintf(stderr,
            "fuzz_levers: %llu inputs parsed (%llu edits loaded, %llu edits rejected), %llu "
            "rejected\n",
            n_parsed, n_applied, n_edit_errors, n_rejected);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    atexit(print_counts);
    return 0;
}

/* The edits of lever j at its first value or option, as the optimiser builds them. */
static void apply(const lm__levers *lv, int j)
{
    static char set[LM_LEVERS_EDITS_MAX + 1][LM_LEVER_EDIT_LEN + 64];
    static char adopt[LM_LEVERS_EDITS_MAX][LM_LEVER_EDIT_LEN + 64];
    const char *sp[LM_LEVERS_EDITS_MAX + 1], *ap[LM_LEVERS_EDITS_MAX];
    int ns = 0, na = 0;
    const lm__lever *L = &lv->lever[j];
    const char *region = lv->region[0] ? lv->region : "Jiashi";
    if (L->kind != LM_LEVER_OPTIONS) {
        char tmpl[LM_LEVER_EDIT_LEN + 64];
        snprintf(tmpl, sizeof tmpl, "%s=%.15g", L->set,
                 L->kind == LM_LEVER_VALUES ? L->value[0] : L->lo);
        if (!lm__levers_expand(tmpl, region, set[ns], sizeof set[0]))
            return;
        sp[ns] = set[ns];
        ++ns;
    } else {
        const lm__lever_option *O = &L->option[L->n_options - 1];
        for (int e = O->first_edit; e < O->first_edit + O->n_edits; ++e) {
            char *dst = lv->edit_is_adopt[e] ? adopt[na] : set[ns];
            if (!lm__levers_expand(lv->edit[e], region, dst, LM_LEVER_EDIT_LEN + 64))
                return;
            if (lv->edit_is_adopt[e])
                ap[na] = adopt[na], ++na;
            else
                sp[ns] = set[ns], ++ns;
        }
    }
    const lm_scenario_edits edits = {.set = sp, .n_set = ns, .adopt = ap, .n_adopt = na};
    lm_scenario *sc = NULL;
    lm_error err;
    if (lm_scenario_load_edited(LM_SOURCE_DIR "/tests/data/tiny.yaml", &edits, &sc, &err) ==
        LM_OK) {
        if (!sc)
            __builtin_trap();
        ++n_applied;
        lm_scenario_free(sc);
    } else {
        if (sc)
            __builtin_trap();
        ++n_edit_errors;
        fuzz_check_error_line(&err);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* the budget parser on the input as a string */
    char money[64];
    const size_t n = size < sizeof money - 1 ? size : sizeof money - 1;
    memcpy(money, data, n);
    money[n] = '\0';
    double v;
    if (lm_parse_money(money, &v) && !(v >= 0))
        __builtin_trap();

    lm__levers *lv = NULL;
    lm_error err;
    const lm_status st = lm__levers_parse((const char *)data, size, "fuzz.yaml", &lv, &err);
    if (st != LM_OK) {
        ++n_rejected;
        if (lv)
            __builtin_trap();
        fuzz_check_error_line(&err);
        return 0;
    }
    if (!lv || lv->n < 1 || lv->n > LM_LEVERS_MAX || lv->n_edits > LM_LEVERS_EDITS_MAX)
        __builtin_trap();
    ++n_parsed;
    long long combos = 1;
    for (int j = 0; j < lv->n; ++j) {
        const lm__lever *L = &lv->lever[j];
        if (L->kind == LM_LEVER_CONTINUOUS && !(L->hi > L->lo))
            __builtin_trap();
        if (L->kind != LM_LEVER_CONTINUOUS) {
            if (L->n_options < 1 || L->n_options > LM_LEVER_OPTIONS_MAX)
                __builtin_trap();
            combos *= L->n_options;
        }
        for (int o = 0; L->kind == LM_LEVER_OPTIONS && o < L->n_options; ++o)
            if (L->option[o].first_edit < 0 ||
                L->option[o].first_edit + L->option[o].n_edits > lv->n_edits)
                __builtin_trap();
    }
    if (combos > 256)
        __builtin_trap();
    /* a few levers only: each application loads the scenario */
    for (int j = 0; j < lv->n && j < 3; ++j)
        apply(lv, j);
    lm__levers_free(lv);
    return 0;
}
