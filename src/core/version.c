/* src/core/version.c -- the library's version string. */
#include "longmen/longmen.h"

const char *lm_version(void) { return LM_VERSION; }
