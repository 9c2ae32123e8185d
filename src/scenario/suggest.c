/* src/scenario/suggest.c -- "did you mean" for unknown keys, kinds, sectors and regions.
 * Distances count characters, not bytes, so that a one-character slip in a Chinese name
 * ("苏洲" for "苏州") is one edit like a slip in an ASCII key; an adjacent swap counts one
 * (optimal string alignment), the most common typing error after a wrong letter; ASCII
 * letters compare without case. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "scenario/load_int.h"

#define MAX_CHARS 64 /* names are at most LM_NAME_MAX bytes; longer words get no suggestion */

/* Decodes UTF-8 (already validated) into code points. Returns the count, -1 if too long. */
static int decode(const char *s, uint32_t out[MAX_CHARS])
{
    const unsigned char *u = (const unsigned char *)s;
    int n = 0;
    while (*u) {
        if (n == MAX_CHARS)
            return -1;
        uint32_t cp = *u++;
        int more = cp >= 0xF0 ? 3 : cp >= 0xE0 ? 2 : cp >= 0xC0 ? 1 : 0;
        cp &= more == 3 ? 0x07 : more == 2 ? 0x0F : more == 1 ? 0x1F : 0x7F;
        while (more-- > 0 && (*u & 0xC0) == 0x80)
            cp = (cp << 6) | (*u++ & 0x3F);
        /* ASCII case is no typo to count: "jiashi" is the region "Jiashi" */
        out[n++] = cp >= 'A' && cp <= 'Z' ? cp + ('a' - 'A') : cp;
    }
    return n;
}

static int min3(int a, int b, int c)
{
    const int m = a < b ? a : b;
    return m < c ? m : c;
}

int lm__edit_distance(const char *a, const char *b)
{
    uint32_t x[MAX_CHARS], y[MAX_CHARS];
    const int n = decode(a, x), m = decode(b, y);
    if (n < 0 || m < 0)
        return INT16_MAX;
    int d[MAX_CHARS + 1][MAX_CHARS + 1];
    for (int i = 0; i <= n; ++i)
        d[i][0] = i;
    for (int j = 0; j <= m; ++j)
        d[0][j] = j;
    for (int i = 1; i <= n; ++i)
        for (int j = 1; j <= m; ++j) {
            const int cost = x[i - 1] != y[j - 1];
            d[i][j] = min3(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
            if (i > 1 && j > 1 && x[i - 1] == y[j - 2] && x[i - 2] == y[j - 1] &&
                d[i - 2][j - 2] + 1 < d[i][j])
                d[i][j] = d[i - 2][j - 2] + 1;
        }
    return d[n][m];
}

/* A typo changes a few characters; allow one edit per three characters, at least one and at
 * most three, so that short words do not "match" everything ("rate" is not "name"). */
static int max_edits(const char *word)
{
    uint32_t cps[MAX_CHARS];
    const int len = decode(word, cps);
    if (len < 0)
        return 0;
    const int k = len / 3;
    return k < 1 ? 1 : k > 3 ? 3 : k;
}

const char *lm__suggest(const char *word, const char *const *cands, size_t n)
{
    const char *best = NULL;
    int best_d = max_edits(word) + 1;
    for (size_t i = 0; i < n; ++i) {
        if (!cands[i] || strcmp(cands[i], word) == 0)
            continue;
        const int d = lm__edit_distance(word, cands[i]);
        if (d < best_d) {
            best_d = d;
            best = cands[i];
        }
    }
    return best;
}

/* The valid choices follow the suggestion, so that a user who did not slip but guessed
 * sees what exists without opening the docs. They stop before LIST_MAX characters (an
 * lm_error message is one line a terminal should show whole), ending "and N more". */
#define LIST_MAX 360

char *lm__did_you_mean(char *buf, size_t size, const char *word, const char *const *cands, size_t n)
{
    const char *s = lm__suggest(word, cands, n);
    size_t used = strlen(buf);
    if (s && used < size)
        used += (size_t)snprintf(buf + used, size - used, "; did you mean \"%s\"?", s);
    const size_t limit = size < LIST_MAX ? size : LIST_MAX;
    size_t listed = 0, valid = 0;
    for (size_t i = 0; i < n; ++i)
        valid += cands[i] != NULL;
    for (size_t i = 0; i < n && used < limit; ++i) {
        if (!cands[i])
            continue;
        const char *sep = listed == 0 ? (s ? " Valid: " : "; valid: ") : ", ";
        const size_t need = strlen(sep) + strlen(cands[i]);
        /* room for this one and, if others follow, for " and N more" */
        const size_t tail = listed + 1 < valid ? 16 : 0;
        if (used + need + tail >= limit)
            break;
        used += (size_t)snprintf(buf + used, size - used, "%s%s", sep, cands[i]);
        ++listed;
    }
    if (listed < valid && listed > 0 && used < size)
        snprintf(buf + used, size - used, " and %zu more", valid - listed);
    return buf;
}
