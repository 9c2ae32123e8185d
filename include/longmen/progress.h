/* include/longmen/progress.h -- the progress line a long run shows on a terminal.
 * A run reports an lm_progress after each month (lm_job_run's callback); the CLI hands those
 * to an lm_progress_bar, which redraws one line on stderr at most ten times a second. The
 * formatting is a pure function so tests can check it without a terminal; deciding whether
 * to draw at all (isatty, --quiet) is the caller's business. src/io/progress.c. */
#ifndef LONGMEN_PROGRESS_H
#define LONGMEN_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "longmen/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Where a run stands. Reported once before the first month (months_done 0) and after each. */
typedef struct lm_progress {
    int months_done, months_total;
    int32_t month; /* the month just simulated (year*12 + month-1); before the first
                      month: the first month */
    size_t firms_alive;
    double elapsed_s; /* wall time since the run started */
} lm_progress;

/* Writes "H:MM:SS" or "M:SS" for seconds >= 0, "--:--" for a negative or non-finite value.
 * Returns buf. size >= 16 is always enough. */
LM_API char *lm_progress_duration(double seconds, char *buf, size_t size);

/* Writes the progress line for a terminal `columns` wide (0 = 80), without \r or newline:
 *   [#########.........]  month 108/240  2023-12     12,345 firms  elapsed  0:12  ETA  0:15
 * Fields have fixed widths, so the line keeps its shape as the numbers grow. It never
 * exceeds columns-1 display columns (a full line would wrap the cursor): the bar shrinks,
 * then disappears, then the text is cut. ETA = elapsed/done*(total-done), "--:--" before the
 * first month. Returns buf. */
LM_API char *lm_progress_format(const lm_progress *p, int columns, char *buf, size_t size);

/* The drawing state of one progress line. Caller-allocated: lm_progress_bar_init. */
typedef struct lm_progress_bar {
    FILE *stream;          /* borrowed; normally stderr, only when it is a terminal */
    int columns;           /* 0: ask the terminal at each redraw (follows resizes) */
    double min_interval_s; /* 0.1: at most ten redraws a second */
    double last_draw_s;    /* elapsed_s of the last redraw */
    int drawn_cols;        /* display columns on the line now; 0 = nothing drawn */
} lm_progress_bar;

LM_API void lm_progress_bar_init(lm_progress_bar *bar, FILE *stream);
/* Redraws the line with \r when min_interval_s has passed since the last redraw. The
 * signature fits lm_job_config.progress: pass the bar as the user pointer. */
LM_API void lm_progress_bar_update(const lm_progress *p, void *bar);
/* Redraws the line as lm_progress_bar_update does for any progress: "[###...]  text", the
 * bar filled done/total, shrunk or left out as the terminal's width asks; at once when last,
 * else when min_interval_s has passed. elapsed_s: the caller's clock. */
LM_API void lm_progress_bar_draw(lm_progress_bar *bar, double elapsed_s, bool last, long long done,
                                 long long total, const char *text);
/* Blanks the line and returns the cursor to its start, so what follows prints cleanly. */
LM_API void lm_progress_bar_clear(lm_progress_bar *bar);

#ifdef __cplusplus
}
#endif
#endif
