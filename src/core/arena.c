/* src/core/arena.c -- bump allocator for per-month scratch (arena.h). */
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"

lm_status lm_arena_init(lm_arena *a, size_t bytes, lm_error *err)
{
    memset(a, 0, sizeof *a);
    return lm_arena_reserve(a, bytes, err);
}

void lm_arena_fini(lm_arena *a)
{
    if (!a)
        return;
    free(a->base);
    memset(a, 0, sizeof *a);
}

lm_status lm_arena_reserve(lm_arena *a, size_t bytes, lm_error *err)
{
    if (bytes <= a->size)
        return LM_OK;
    void *p = NULL;
    if (posix_memalign(&p, 64, bytes) != 0 || !p)
        LM_FAIL(err, LM_ENOMEM, "cannot allocate %zu bytes of scratch memory", bytes);
    free(a->base);
    a->base = p;
    a->size = bytes;
    a->used = 0;
    return LM_OK;
}

void *lm_arena_alloc(lm_arena *a, size_t bytes)
{
    const size_t start = (a->used + 63u) & ~(size_t)63u;
    if (start > a->size || bytes > a->size - start)
        return NULL;
    a->used = start + bytes;
    if (a->used > a->high_water)
        a->high_water = a->used;
    memset(a->base + start, 0, bytes);
    return a->base + start;
}

void lm_arena_reset(lm_arena *a) { a->used = 0; }
