/* tests/fuzz/fuzz_common.h -- what every harness asks of a rejected input's error. */
#ifndef LM_FUZZ_COMMON_H
#define LM_FUZZ_COMMON_H

#include "longmen/error.h"

/* The error formats as one non-empty line with no control character (nothing that could
 * rewrite a terminal); a harness traps otherwise. */
static inline void fuzz_check_error_line(const lm_error *err)
{
    char line[1400];
    lm_error_format(err, line, sizeof line);
    if (!line[0])
        __builtin_trap();
    for (const char *c = line; *c; ++c)
        if ((unsigned char)*c < 0x20 || *c == 0x7f)
            __builtin_trap();
}

#endif
