/* src/io/progress.c -- the one-line progress display of a long run (include/longmen/progress.h).
 * A twenty-year run of a large scenario takes minutes; a user who sees months, firms and an
 * ETA moving knows it is alive and whether to wait. The line is redrawn in place with \r,
 * at most ten times a second so that drawing never costs the simulation anything, and kept
 * narrower than the terminal so it never wraps (a wrapped line cannot be redrawn with \r).
 * Whether to draw at all (a terminal, not --quiet) is decided by the caller. */
#include <math.h>
#include <string.h>
#include <sys/ioctl.h>

#include "io/table.h"
#include "longmen/longmen.h"
#include "longmen/progress.h"

enum { BAR_MAX = 32, BAR_MIN = 12, DEFAULT_COLUMNS = 80 };

char *lm_progress_duration(double seconds, char *buf, size_t size)
{
    if (!isfinite(seconds) || seconds < 0) {
        snprintf(buf, size, "--:--");
        return buf;
    }
    const long long s = (long long)(seconds + 0.5);
    if (s >= 3600)
        snprintf(buf, size, "%lld:%02lld:%02lld", s / 3600, s / 60 % 60, s % 60);
    else
        snprintf(buf, size, "%lld:%02lld", s / 60, s % 60);
    return buf;
}

/* "[###...]  text" for a terminal `columns` wide: the bar filled done/total, shrunk, then
 * left out (the text cut) so that the line stays within columns-1. */
static char *compose(int columns, long long done, long long total, const char *text,
                     char *buf, size_t size)
{
    const int text_len = (int)strlen(text);
    /* Everything here is ASCII, so bytes are columns. One column stays free: writing into
     * the last column moves some terminals' cursor to the next line. */
    const int room = columns - 1;
    const int bar = room - text_len - 2 < BAR_MAX ? room - text_len - 2 : BAR_MAX;
    if (bar < BAR_MIN) {
        snprintf(buf, size, "%.*s", room > 0 ? room : 0, text);
        return buf;
    }
    char cells[BAR_MAX + 1];
    const int inner = bar - 2;
    const int filled = total > 0 ? (int)(inner * (done < total ? done : total) / total) : 0;
    for (int i = 0; i < inner; ++i)
        cells[i] = i < filled ? '#' : '.';
    cells[inner] = '\0';
    snprintf(buf, size, "[%s]  %s", cells, text);
    return buf;
}

/* A run's progress without the bar: "month 108/240  2023-12  ...  ETA  0:15". */
static void run_text(const lm_progress *p, char *text, size_t size)
{
    const int done = p->months_done, total = p->months_total;
    double eta = -1.0; /* unknown until a month has been timed */
    if (done > 0 && total >= done)
        eta = p->elapsed_s / done * (total - done);
    char month[16], firms[32], elapsed[32], left[32];
    lm_month_format(p->month, month);
    /* thousands separators, as in the summary table: a firm count read at a glance */
    lm__format_count((int64_t)p->firms_alive, firms, sizeof firms);
    lm_progress_duration(p->elapsed_s, elapsed, sizeof elapsed);
    lm_progress_duration(eta, left, sizeof left);
    /* Fixed-width fields (up to 9,999,999 firms and an hour's ETA) keep the bar's length and
     * every field's place still while the numbers grow. */
    char total_digits[16];
    const int done_width = snprintf(total_digits, sizeof total_digits, "%d", total);
    snprintf(text, size, "month %*d/%d  %s  %9s firms  elapsed %5s  ETA %5s", done_width, done,
             total, month, firms, elapsed, left);
}

char *lm_progress_format(const lm_progress *p, int columns, char *buf, size_t size)
{
    if (!buf || size == 0)
        return buf;
    char text[192];
    run_text(p, text, sizeof text);
    return compose(columns > 0 ? columns : DEFAULT_COLUMNS, p->months_done, p->months_total,
                   text, buf, size);
}

void lm_progress_bar_init(lm_progress_bar *bar, FILE *stream)
{
    memset(bar, 0, sizeof *bar);
    bar->stream = stream;
    bar->min_interval_s = 0.1;
}

static int terminal_columns(FILE *stream)
{
    struct winsize ws;
    if (ioctl(fileno(stream), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
        return ws.ws_col;
    return DEFAULT_COLUMNS;
}

void lm_progress_bar_draw(lm_progress_bar *bar, double elapsed_s, bool last, long long done,
                          long long total, const char *text)
{
    if (!bar || !bar->stream)
        return;
    if (bar->drawn_cols > 0 && !last && elapsed_s - bar->last_draw_s < bar->min_interval_s)
        return;
    const int columns = bar->columns > 0 ? bar->columns : terminal_columns(bar->stream);
    char line[512];
    compose(columns, done, total, text, line, sizeof line);
    const int len = (int)strlen(line);
    /* Pad over the rest of a longer previous line (the ETA can get shorter). */
    fprintf(bar->stream, "\r%s%*s", line, bar->drawn_cols > len ? bar->drawn_cols - len : 0, "");
    fflush(bar->stream);
    bar->drawn_cols = len > bar->drawn_cols ? len : bar->drawn_cols;
    bar->last_draw_s = elapsed_s;
}

void lm_progress_bar_update(const lm_progress *p, void *user)
{
    const lm_progress_bar *bar = user;
    if (bar && bar->drawn_cols > 0 && p->elapsed_s - bar->last_draw_s < bar->min_interval_s)
        return; /* before the text is made: most months draw nothing */
    char text[192];
    run_text(p, text, sizeof text);
    lm_progress_bar_draw(user, p->elapsed_s, false, p->months_done, p->months_total, text);
}

void lm_progress_bar_clear(lm_progress_bar *bar)
{
    if (!bar || !bar->stream || bar->drawn_cols == 0)
        return;
    fprintf(bar->stream, "\r%*s\r", bar->drawn_cols, "");
    fflush(bar->stream);
    bar->drawn_cols = 0;
}
