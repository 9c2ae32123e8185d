/* src/io/table.c -- plain-text tables and the end-of-run summary (src/io/table.h).
 * The summary is what a user sees first after `longmen run`, on the terminal and again in
 * the results folder's summary.txt, so both come from this one writer. Cells are padded by
 * display columns, not bytes: CJK region names take two columns per character. The numbers
 * come from the observation records (lm_region_year, MODEL.md section 6); nothing here
 * knows the model. */
#include <math.h>
#include <stdlib.h>

#include "io/table.h"

/* East Asian Wide (W) and Fullwidth (F) blocks of Unicode's EastAsianWidth.txt, merged into
 * whole blocks where a block is wide throughout: enough for names of places and people, and
 * for the common emoji. Sorted, for the binary search. */
static const uint32_t wide_ranges[][2] = {
    {0x1100, 0x115F},   {0x231A, 0x231B},   {0x2329, 0x232A},   {0x23E9, 0x23EC},
    {0x23F0, 0x23F0},   {0x23F3, 0x23F3},   {0x25FD, 0x25FE},   {0x2614, 0x2615},
    {0x2648, 0x2653},   {0x267F, 0x267F},   {0x2693, 0x2693},   {0x26A1, 0x26A1},
    {0x26AA, 0x26AB},   {0x26BD, 0x26BE},   {0x26C4, 0x26C5},   {0x26CE, 0x26CE},
    {0x26D4, 0x26D4},   {0x26EA, 0x26EA},   {0x26F2, 0x26F3},   {0x26F5, 0x26F5},
    {0x26FA, 0x26FA},   {0x26FD, 0x26FD},   {0x2705, 0x2705},   {0x270A, 0x270B},
    {0x2728, 0x2728},   {0x274C, 0x274C},   {0x274E, 0x274E},   {0x2753, 0x2755},
    {0x2757, 0x2757},   {0x2795, 0x2797},   {0x27B0, 0x27B0},   {0x27BF, 0x27BF},
    {0x2B1B, 0x2B1C},   {0x2B50, 0x2B50},   {0x2B55, 0x2B55},   {0x2E80, 0x303E},
    {0x3041, 0x33FF},   {0x3400, 0x4DBF},   {0x4E00, 0x9FFF},   {0xA000, 0xA4CF},
    {0xA960, 0xA97F},   {0xAC00, 0xD7A3},   {0xF900, 0xFAFF},   {0xFE10, 0xFE19},
    {0xFE30, 0xFE6F},   {0xFF00, 0xFF60},   {0xFFE0, 0xFFE6},   {0x16FE0, 0x16FE4},
    {0x17000, 0x18CFF}, {0x1B000, 0x1B2FF}, {0x1F004, 0x1F004}, {0x1F0CF, 0x1F0CF},
    {0x1F18E, 0x1F18E}, {0x1F191, 0x1F19A}, {0x1F200, 0x1F251}, {0x1F300, 0x1F64F},
    {0x1F680, 0x1F6FF}, {0x1F900, 0x1F9FF}, {0x1FA70, 0x1FAFF}, {0x20000, 0x2FFFD},
    {0x30000, 0x3FFFD},
};

/* Drawn on top of the previous character: combining marks, zero-width spaces and joiners,
 * directional marks, variation selectors. */
static const uint32_t zero_ranges[][2] = {
    {0x0300, 0x036F}, {0x1AB0, 0x1AFF}, {0x1DC0, 0x1DFF},   {0x200B, 0x200F},
    {0x2028, 0x202E}, {0x2060, 0x2064}, {0x20D0, 0x20FF},   {0xFE00, 0xFE0F},
    {0xFE20, 0xFE2F}, {0xFEFF, 0xFEFF}, {0xE0100, 0xE01EF},
};

static bool in_ranges(uint32_t cp, const uint32_t (*r)[2], size_t n)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        const size_t mid = lo + (hi - lo) / 2;
        if (cp < r[mid][0])
            hi = mid;
        else if (cp > r[mid][1])
            lo = mid + 1;
        else
            return true;
    }
    return false;
}

int lm__codepoint_width(uint32_t cp)
{
    if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0))
        return 0;
    if (cp < 0x300)
        return 1; /* ASCII and Latin-1: the common case, no search */
    if (in_ranges(cp, zero_ranges, sizeof zero_ranges / sizeof zero_ranges[0]))
        return 0;
    if (in_ranges(cp, wide_ranges, sizeof wide_ranges / sizeof wide_ranges[0]))
        return 2;
    return 1;
}

/* Decodes one UTF-8 sequence at s into *cp and returns its length in bytes, or 0 when the
 * bytes are not well-formed UTF-8 (bad lead, missing continuation, overlong, surrogate). */
static int utf8_decode(const unsigned char *s, uint32_t *cp)
{
    int len;
    uint32_t c, min;
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    } else if ((s[0] & 0xE0) == 0xC0) {
        len = 2, c = s[0] & 0x1Fu, min = 0x80;
    } else if ((s[0] & 0xF0) == 0xE0) {
        len = 3, c = s[0] & 0x0Fu, min = 0x800;
    } else if ((s[0] & 0xF8) == 0xF0) {
        len = 4, c = s[0] & 0x07u, min = 0x10000;
    } else {
        return 0;
    }
    for (int i = 1; i < len; ++i) {
        if ((s[i] & 0xC0) != 0x80) /* also stops at the terminating NUL */
            return 0;
        c = (c << 6) | (s[i] & 0x3Fu);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        return 0;
    *cp = c;
    return len;
}

int lm__utf8_width(const char *s)
{
    if (!s)
        return 0;
    const unsigned char *p = (const unsigned char *)s;
    int width = 0;
    while (*p) {
        uint32_t cp;
        const int len = utf8_decode(p, &cp);
        if (len == 0) {
            width += 1;
            p += 1;
        } else {
            width += lm__codepoint_width(cp);
            p += len;
        }
    }
    return width;
}

char *lm__format_count(int64_t v, char *buf, size_t size)
{
    char digits[32];
    /* Through uint64_t so that INT64_MIN negates without overflow. */
    const uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    const int n = snprintf(digits, sizeof digits, "%llu", (unsigned long long)mag);
    char out[48];
    size_t k = 0;
    if (v < 0)
        out[k++] = '-';
    for (int i = 0; i < n; ++i) {
        if (i > 0 && (n - i) % 3 == 0)
            out[k++] = ',';
        out[k++] = digits[i];
    }
    out[k] = '\0';
    snprintf(buf, size, "%s", out);
    return buf;
}

/* Two decimals with thousands separators ("2,035.53"), like the counts beside it. A
 * non-finite value prints as printf does, so a model bug shows instead of hiding. */
static void format_amount(double v, char *buf, size_t size)
{
    if (!isfinite(v) || fabs(v) >= 9e15) {
        snprintf(buf, size, "%.2f", v);
        return;
    }
    const long long cents = llround(v * 100.0);
    const long long mag = cents < 0 ? -cents : cents;
    char whole[32];
    lm__format_count(mag / 100, whole, sizeof whole);
    snprintf(buf, size, "%s%s.%02lld", cents < 0 ? "-" : "", whole, mag % 100);
}

static void put_spaces(FILE *f, int n)
{
    for (int i = 0; i < n; ++i)
        fputc(' ', f);
}

static void write_rule(FILE *f, const int *widths, int cols)
{
    for (int c = 0; c < cols; ++c) {
        if (c > 0)
            fputs("  ", f);
        for (int i = 0; i < widths[c]; ++i)
            fputc('-', f);
    }
    fputc('\n', f);
}

static void write_row(FILE *f, const char *const *row, const int *widths, int cols,
                      const char *align)
{
    for (int c = 0; c < cols; ++c) {
        const char *cell = row[c] ? row[c] : "";
        const int pad = widths[c] - lm__utf8_width(cell);
        const bool last = c == cols - 1;
        if (c > 0)
            fputs("  ", f);
        if (align[c] == 'r') {
            put_spaces(f, pad);
            fputs(cell, f);
        } else {
            fputs(cell, f);
            if (!last)
                put_spaces(f, pad);
        }
    }
    fputc('\n', f);
}

const char **lm__table_cells(size_t n, size_t size, char **text)
{
    const char **cells = calloc(n ? n : 1, sizeof *cells + size);
    *text = cells ? (char *)(cells + n) : NULL;
    for (size_t k = 0; cells && k < n; ++k)
        cells[k] = *text + k * size;
    return cells;
}

void lm__table_write(FILE *f, const char *const *cells, int rows, int cols, const char *align,
                     bool total_row)
{
    enum { MAX_COLS = 32 };
    int widths[MAX_COLS] = {0};
    if (cols > MAX_COLS)
        cols = MAX_COLS;
    for (int r = 0; r < rows; ++r)
        for (int c = 0; c < cols; ++c) {
            const int w = lm__utf8_width(cells[r * cols + c]);
            if (w > widths[c])
                widths[c] = w;
        }
    for (int r = 0; r < rows; ++r) {
        if (total_row && r == rows - 1 && r > 1)
            write_rule(f, widths, cols);
        write_row(f, cells + r * cols, widths, cols, align);
        if (r == 0)
            write_rule(f, widths, cols);
    }
}

/* Per-region totals over the run, read off the region-year records. */
typedef struct region_sums {
    int64_t alive, births, deaths, launched, births_nonlocal;
    double revenue_cny;
    int64_t high_tech, dragons; /* tiers: high-tech at the end, dragons over the run */
} region_sums;

static void add_year(region_sums *sum, const lm_region_year *y, int last_year)
{
    sum->births += y->births;
    sum->deaths += y->deaths;
    sum->launched += y->launched;
    sum->births_nonlocal += y->births_nonlocal;
    sum->dragons += y->dragons_new;
    /* Stocks and the revenue column are of the last simulated year only. */
    if (y->year == last_year) {
        sum->alive += y->alive;
        sum->revenue_cny += y->revenue_cny;
        sum->high_tech += y->high_tech;
    }
}

enum { SUMMARY_COLS = 9, CELL_BYTES = 96 };

static void fill_row(char *row, const char *name, const region_sums *sum)
{
    char *cell[SUMMARY_COLS];
    for (int c = 0; c < SUMMARY_COLS; ++c)
        cell[c] = row + c * CELL_BYTES;
    snprintf(cell[0], CELL_BYTES, "%s", name);
    lm__format_count(sum->alive, cell[1], CELL_BYTES);
    lm__format_count(sum->births, cell[2], CELL_BYTES);
    lm__format_count(sum->deaths, cell[3], CELL_BYTES);
    lm__format_count(sum->launched, cell[4], CELL_BYTES);
    format_amount(sum->revenue_cny / 1e9, cell[5], CELL_BYTES);
    if (sum->births > 0)
        snprintf(cell[6], CELL_BYTES, "%.1f%%",
                 100.0 * (double)sum->births_nonlocal / (double)sum->births);
    else
        snprintf(cell[6], CELL_BYTES, "-"); /* no founder, no share */
    lm__format_count(sum->high_tech, cell[7], CELL_BYTES);
    lm__format_count(sum->dragons, cell[8], CELL_BYTES);
}

/* The revenue header names its year, and says so when that year was cut short by --to
 * (a half year's revenue must not be read as a whole year's). */
static void revenue_header(char *buf, size_t size, const lm_summary *s, int last_year)
{
    int months = 0;
    for (size_t i = 0; i < s->n_years; ++i)
        if (s->years[i].year == last_year && s->years[i].months > months)
            months = s->years[i].months;
    if (months > 0 && months < 12)
        snprintf(buf, size, "revenue %d (%d mo), CNY bn", last_year, months);
    else
        snprintf(buf, size, "revenue %d, CNY bn", last_year);
}

lm_status lm__summary_write(FILE *f, const lm_summary *s, lm_error *err)
{
    const int n = s->n_regions > 0 ? s->n_regions : 0;
    const int rows = n + 2; /* header, regions, total */
    const int last_year = s->end / 12;
    region_sums *sums = calloc((size_t)n + 1, sizeof *sums);
    char *text;
    const char **cells = lm__table_cells((size_t)rows * SUMMARY_COLS, CELL_BYTES, &text);
    if (!sums || !cells) {
        free(sums);
        free(cells);
        LM_FAIL(err, LM_ENOMEM, "summary table of %d regions", n);
    }

    region_sums *total = &sums[n];
    for (size_t i = 0; i < s->n_years; ++i) {
        const lm_region_year *y = &s->years[i];
        if (y->region < 0 || y->region >= n)
            continue;
        add_year(&sums[y->region], y, last_year);
        add_year(total, y, last_year);
    }

    char *header = text;
    const char *titles[SUMMARY_COLS] = {"region",   "firms alive",        "births",
                                        "deaths",   "launched",           NULL,
                                        "non-local founders", "high-tech", "dragons"};
    for (int c = 0; c < SUMMARY_COLS; ++c)
        if (titles[c])
            snprintf(header + c * CELL_BYTES, CELL_BYTES, "%s", titles[c]);
    revenue_header(header + 5 * CELL_BYTES, CELL_BYTES, s, last_year);
    for (int r = 0; r < n; ++r)
        fill_row(text + (size_t)(r + 1) * SUMMARY_COLS * CELL_BYTES, s->region_names[r], &sums[r]);
    fill_row(text + (size_t)(n + 1) * SUMMARY_COLS * CELL_BYTES, "total", total);

    char from[16], to[16];
    lm_month_format(s->start, from);
    lm_month_format(s->end, to);
    fprintf(f, "%s  seed %llu  %s to %s (%d months)\n\n", s->scenario ? s->scenario : "",
            (unsigned long long)s->seed, from, to, (int)(s->end - s->start + 1));
    lm__table_write(f, cells, rows, SUMMARY_COLS, "lrrrrrrrr", true);
    fprintf(f,
            "\nfirms alive and high-tech enterprises at %s; revenue in %d; other columns over %s "
            "to %s (dragons: firms that became little dragons).\n",
            to, last_year, from, to);
    if (s->out_dir)
        fprintf(f, "results: %s\n", s->out_dir);

    free(sums);
    free(cells);
    if (fflush(f) != 0 || ferror(f))
        LM_FAIL(err, LM_EIO, "could not write the summary table");
    return LM_OK;
}
