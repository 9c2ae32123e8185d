/* tests/tsan/race_check.c -- a deliberate data race in an OpenMP loop, built with the same
 * flags as the ThreadSanitizer build of longmen (tests/integration/tsan.sh). TSan must report
 * it: a clean report on longmen then means something, not that the detector was blind (as
 * it is with libgomp, whose synchronisation TSan cannot see, or with libomp when its Archer
 * tool is not loaded). */
#include <stdio.h>

int main(void)
{
    long shared = 0;
#pragma omp parallel for num_threads(2)
    for (int i = 0; i < 100000; ++i)
        shared += i; /* unsynchronised read-modify-write from two threads */
    printf("%ld\n", shared);
    return 0;
}
