/* src/core/arena.h -- a bump allocator for per-month scratch (STYLE.md: no allocation in hot
 * loops). A run owns one arena sized at creation; phases take scratch from it and the
 * scheduler resets it at the end of every month. Exhaustion is an error, never a silent
 * malloc, so a month's memory is bounded and known. */
#ifndef LM_CORE_ARENA_H
#define LM_CORE_ARENA_H

#include <stddef.h>

#include "longmen/error.h"

typedef struct lm_arena {
    unsigned char *base;
    size_t size, used, high_water;
} lm_arena;

/* _init/_fini: the caller owns the lm_arena struct; the arena owns its buffer. */
lm_status lm_arena_init(lm_arena *a, size_t bytes, lm_error *err);
void lm_arena_fini(lm_arena *a);
/* Grows the buffer (only between months: pointers handed out before are invalidated). */
lm_status lm_arena_reserve(lm_arena *a, size_t bytes, lm_error *err);
/* Zeroed memory aligned to 64 bytes, or NULL when the arena is full. */
void *lm_arena_alloc(lm_arena *a, size_t bytes);
void lm_arena_reset(lm_arena *a);

#endif
