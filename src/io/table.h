/* src/io/table.h -- plain-text tables for terminals and text files, and the run summary
 * built on them (src/io/table.c). Private to the library.
 *
 * Region names are UTF-8 and mostly CJK, which a terminal draws two columns wide; padding
 * by bytes or by code points would misalign every column after the name, so cells are
 * measured in display columns (lm__utf8_width). */
#ifndef LM_IO_TABLE_H
#define LM_IO_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "longmen/longmen.h"

/* Terminal columns of one code point: 2 for East Asian Wide and Fullwidth (CJK ideographs,
 * kana, hangul, fullwidth forms, emoji), 0 for combining marks, zero-width characters and
 * controls, 1 otherwise. */
int lm__codepoint_width(uint32_t cp);

/* Terminal columns of a UTF-8 string. A malformed byte counts as one column (terminals draw
 * a replacement character). NULL is 0. */
int lm__utf8_width(const char *s);

/* Writes v with a comma every three digits ("-12,345"). Returns buf; size >= 32 suffices. */
char *lm__format_count(int64_t v, char *buf, size_t size);

/* Writes a table of rows x cols cells (row-major; row 0 is the header) to f. align holds one
 * letter per column, 'l' or 'r'. Columns are separated by two spaces; a rule of dashes
 * follows the header and, when total_row, precedes the last row. No trailing spaces. */
void lm__table_write(FILE *f, const char *const *cells, int rows, int cols, const char *align,
                     bool total_row);

/* n cells of size bytes each, zeroed, for lm__table_write: the cell pointers and the cells in
 * one allocation (free the pointers to free both); *text is cell 0 and cell k is at
 * *text + k * size. NULL (and *text NULL) when out of memory. */
const char **lm__table_cells(size_t n, size_t size, char **text);

/* What the end-of-run summary shows (lm__summary_write). Everything is borrowed. */
typedef struct lm_summary {
    const char *scenario; /* name */
    uint64_t seed;
    int32_t start, end; /* simulated period, inclusive months */
    int n_regions;
    const char *const *region_names; /* UTF-8 */
    const lm_region_year *years;     /* lm_sim_region_years() */
    size_t n_years;
    const char *out_dir; /* NULL: no "results:" line */
} lm_summary;

/* Writes the summary: a title line, then one row per region and a total row with firms
 * alive (at the end), births, deaths, launched products (whole run), revenue of the last
 * simulated year (CNY bn), the share of founders not from the region (whole run), certified
 * high-tech enterprises (at the end) and firms that became little dragons (whole run), a line
 * saying what the columns cover, and the results folder. LM_ENOMEM, or LM_EIO when f
 * reports a write error. */
lm_status lm__summary_write(FILE *f, const lm_summary *s, lm_error *err);

#endif
