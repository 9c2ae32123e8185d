/* src/experiments/pause_point.c -- named points where a job can be held for the test suite.
 *
 * A test that interrupts or kills a job mid-way must know where the job is when the signal
 * lands. A fixed sleep does not: on a loaded machine the job may not have reached the point
 * yet, on a fast one it may have finished. With LM_PAUSE_AT=EVENT:N in the environment, the
 * job stops right after the N-th EVENT of this process (a replication, an evaluation
 * committed to <DIR>.partial), prints "longmen: paused at EVENT N" on stderr and waits there
 * until a stop signal arrives, so the test interrupts it at exactly that point, however slow
 * the machine. Without the variable a pause point costs one comparison. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "experiments_int.h"

/* Held at most this long without a signal, so a test that forgets to signal still ends. */
#define PAUSE_LIMIT_S 600

static bool wanted(const char *event, long count)
{
    const char *spec = getenv("LM_PAUSE_AT");
    if (!spec || !*spec)
        return false;
    const char *colon = strrchr(spec, ':');
    if (!colon || (size_t)(colon - spec) != strlen(event) || strncmp(spec, event, strlen(event)))
        return false;
    char *end;
    const long n = strtol(colon + 1, &end, 10);
    return *end == '\0' && n == count;
}

void lm__pause_point(const char *event, long count, const volatile sig_atomic_t *stop)
{
    if (!wanted(event, count))
        return;
    fprintf(stderr, "longmen: paused at %s %ld\n", event, count);
    fflush(stderr);
    const struct timespec tick = {.tv_sec = 0, .tv_nsec = 10 * 1000 * 1000};
    for (long i = 0; i < PAUSE_LIMIT_S * 100L && !(stop && *stop); ++i)
        nanosleep(&tick, NULL);
}
