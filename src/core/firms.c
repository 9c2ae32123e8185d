/* src/core/firms.c -- growth, compaction and records of the firm arrays (firms.h). */
#include <stdlib.h>
#include <string.h>

#include "core/firms.h"

size_t lm_firms_bytes_per_firm(void)
{
    size_t bytes = 0;
#define LM_FIRM_SIZE(type, name) bytes += sizeof(type);
    LM_FIRM_FIELDS(LM_FIRM_SIZE)
#undef LM_FIRM_SIZE
    return bytes;
}

lm_status lm_firms_init(lm_firms *f, size_t cap, lm_error *err)
{
    memset(f, 0, sizeof *f);
    return lm_firms_reserve(f, cap < 64 ? 64 : cap, err);
}

void lm_firms_fini(lm_firms *f)
{
    if (!f)
        return;
#define LM_FIRM_FREE(type, name) free(f->name);
    LM_FIRM_FIELDS(LM_FIRM_FREE)
#undef LM_FIRM_FREE
    memset(f, 0, sizeof *f);
}

lm_status lm_firms_reserve(lm_firms *f, size_t extra, lm_error *err)
{
    if (f->n + extra <= f->cap)
        return LM_OK;
    size_t cap = f->cap ? f->cap : 64;
    while (cap < f->n + extra)
        cap *= 2;
    /* Each array is reallocated on its own; a failure leaves the old ones valid (realloc
       keeps the block), so f stays consistent at the old capacity. */
#define LM_FIRM_GROW(type, name)                                                                 \
    {                                                                                            \
        type *p = realloc(f->name, cap * sizeof(type));                                          \
        if (!p)                                                                                  \
            LM_FAIL(err, LM_ENOMEM, "cannot grow firm arrays to %zu firms", cap);                \
        f->name = p;                                                                             \
    }
    LM_FIRM_FIELDS(LM_FIRM_GROW)
#undef LM_FIRM_GROW
    f->cap = cap;
    return LM_OK;
}

size_t lm_firms_push(lm_firms *f)
{
    const size_t i = f->n++;
#define LM_FIRM_ZERO(type, name) f->name[i] = (type)0;
    LM_FIRM_FIELDS(LM_FIRM_ZERO)
#undef LM_FIRM_ZERO
    f->launched[i] = -1;
    f->ended[i] = -1;
    f->dragon_month[i] = -1;
    return i;
}

void lm_firms_compact(lm_firms *f, const uint32_t *runs, size_t n_runs, size_t to)
{
    /* Short runs element by element: a call to memmove costs more than a few moves. */
#define LM_FIRM_COMPACT(type, name)                                                              \
    {                                                                                            \
        type *a = f->name;                                                                       \
        size_t d = to;                                                                           \
        for (size_t j = 0; j < n_runs; ++j) {                                                    \
            const size_t src = runs[2 * j], len = runs[2 * j + 1];                               \
            if (len * sizeof(type) < 64) {                                                       \
                for (size_t k = 0; k < len; ++k)                                                 \
                    a[d + k] = a[src + k];                                                       \
            } else {                                                                             \
                memmove(a + d, a + src, len * sizeof(type));                                     \
            }                                                                                    \
            d += len;                                                                            \
        }                                                                                        \
    }
    LM_FIRM_FIELDS(LM_FIRM_COMPACT)
#undef LM_FIRM_COMPACT
}

void lm_firms_record(const lm_firms *f, size_t i, lm_firm_record *rec)
{
    memset(rec, 0, sizeof *rec);
    rec->firm_id = f->id[i];
    rec->region = f->region[i];
    rec->origin = f->origin[i];
    rec->sector = f->sector[i];
    rec->business_model = f->model[i];
    rec->founder_source = f->source[i];
    rec->status = f->status[i];
    rec->founded_month = f->founded[i];
    rec->launched_month = f->launched[i];
    rec->ended_month = f->ended[i];
    rec->headcount = f->headcount[i];
    rec->peak_headcount = f->peak_headcount[i];
    rec->breakthroughs = f->breakthroughs[i];
    rec->founder_quality = f->founder_quality[i];
    rec->theta = f->theta[i];
    rec->quality = f->quality[i];
    rec->cash_cny = f->cash_cny[i];
    rec->revenue_cny_month = f->revenue_cny[i];
    rec->peak_revenue_cny_month = f->peak_revenue_cny[i];
    rec->cum_rd_cny = f->cum_rd_cny[i];
    rec->visibility = f->visibility[i];
    rec->tier = f->tier[i];
    rec->dragon_month = f->dragon_month[i];
    rec->platform = f->platform[i];
}
