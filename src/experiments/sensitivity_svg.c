/* src/experiments/sensitivity_svg.c -- sensitivity.svg, the figure of `longmen sensitivity`
 * (sensitivity.c): one panel per output, for every parameter in rank order a pair of
 * horizontal bars, the first-order index S1 (dark) and the total index ST (light), each with
 * its 90% bootstrap interval as a whisker. Drawn in C like headline.svg (src/report/svg.c),
 * so every results folder has it without a browser. All panels share one axis (at least
 * [0, 1], widened to the intervals, at most [-0.5, 1.5]) so that bars compare across
 * outputs. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "experiments/sensitivity_int.h"
#include "report/report_int.h"

#define W 1000
#define LABEL_W 330 /* parameter names, right-aligned at x = LABEL_W */
#define PLOT_X0 (LABEL_W + 15)
#define PLOT_X1 (W - 30)
#define ROW_H 30
#define HEAD_H 34 /* a panel's title */
#define AXIS_H 28 /* a panel's ticks */

static const char *const color_s1 = "#2f6fb3", *const color_st = "#9ec1e6";

/* Text with XML's special characters escaped, cut to at most max bytes on a UTF-8 boundary
 * (with an ellipsis). */
static void put_text(FILE *f, const char *s, size_t max)
{
    size_t n = strlen(s);
    const bool cut = n > max;
    if (cut) {
        n = max;
        while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
            --n;
    }
    char kept[256]; /* max is at most 100 */
    snprintf(kept, sizeof kept, "%.*s", (int)n, s);
    lm__report_escaped(f, kept);
    if (cut)
        fputs("\xe2\x80\xa6", f);
}

typedef struct axis {
    double lo, hi;
} axis;

static double ax(const axis *a, double v)
{
    if (v < a->lo)
        v = a->lo;
    if (v > a->hi)
        v = a->hi;
    return PLOT_X0 + (PLOT_X1 - PLOT_X0) * (v - a->lo) / (a->hi - a->lo);
}

static void widen(axis *a, double v)
{
    if (isfinite(v)) {
        if (v < a->lo)
            a->lo = v;
        if (v > a->hi)
            a->hi = v;
    }
}

static void bar(FILE *f, const axis *a, double y, double v, double lo, double hi, bool iv,
                const char *color, const char *what)
{
    if (isnan(v)) {
        fprintf(f, "<text x=\"%d\" y=\"%.1f\" font-size=\"10\" fill=\"#888\">%s: n/a</text>\n",
                PLOT_X0 + 4, y + 9, what);
        return;
    }
    const double x0 = ax(a, 0), x1 = ax(a, v);
    fprintf(f,
            "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"10\" fill=\"%s\">"
            "<title>%s %.3f [%.3f, %.3f]</title></rect>\n",
            x1 < x0 ? x1 : x0, y, fabs(x1 - x0), color, what, v, lo, hi);
    if (iv && isfinite(lo) && isfinite(hi)) {
        const double l = ax(a, lo), h = ax(a, hi), m = y + 5;
        fprintf(f,
                "<path d=\"M%.1f %.1fH%.1fM%.1f %.1fV%.1fM%.1f %.1fV%.1f\" stroke=\"#222\" "
                "stroke-width=\"1.2\" fill=\"none\"/>\n",
                l, m, h, l, m - 4, m + 4, h, m - 4, m + 4);
    }
}

lm_status lm__sens_svg_write(const char *path, const lm__sens_figure *fig, lm_error *err)
{
    axis a = {0, 1};
    const size_t cells = (size_t)fig->n_outputs * (size_t)fig->n_params;
    for (size_t k = 0; k < cells; ++k) {
        const lm_sens_index *v = &fig->idx[k];
        widen(&a, v->s1);
        widen(&a, v->st);
        if (fig->intervals) {
            widen(&a, v->s1_lo);
            widen(&a, v->s1_hi);
            widen(&a, v->st_lo);
            widen(&a, v->st_hi);
        }
    }
    a.lo = a.lo < -0.5 ? -0.5 : floor(a.lo * 10) / 10;
    a.hi = a.hi > 1.5 ? 1.5 : ceil(a.hi * 10) / 10;
    const int panel_h = HEAD_H + ROW_H * fig->n_params + AXIS_H;
    const int height = 70 + panel_h * fig->n_outputs + 10;

    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f)
        LM_FAIL(err, LM_ENOMEM, "%s", path);
    fprintf(f,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
            "viewBox=\"0 0 %d %d\" font-family=\"Helvetica, Arial, 'Noto Sans CJK SC', "
            "sans-serif\">\n<rect width=\"100%%\" height=\"100%%\" fill=\"#fff\"/>\n",
            W, height, W, height);
    fprintf(f, "<text x=\"20\" y=\"28\" font-size=\"18\" font-weight=\"bold\">");
    put_text(f, fig->title ? fig->title : "", 80);
    fprintf(f, ": Sobol sensitivity indices</text>\n"
               "<text x=\"20\" y=\"48\" font-size=\"12\" fill=\"#555\">Saltelli design, N = %d "
               "(%d points x %d runs)%s</text>\n",
            fig->n, fig->n * (fig->n_params + 2), fig->runs,
            fig->intervals ? "; whiskers: 90% bootstrap intervals" : "");
    /* legend */
    fprintf(f,
            "<rect x=\"%d\" y=\"38\" width=\"14\" height=\"10\" fill=\"%s\"/>"
            "<text x=\"%d\" y=\"47\" font-size=\"12\">S1 first-order</text>\n"
            "<rect x=\"%d\" y=\"38\" width=\"14\" height=\"10\" fill=\"%s\"/>"
            "<text x=\"%d\" y=\"47\" font-size=\"12\">ST total</text>\n",
            W - 260, color_s1, W - 240, W - 130, color_st, W - 110);
    for (int o = 0; o < fig->n_outputs; ++o) {
        const double top = 70 + (double)o * panel_h;
        fprintf(f, "<text x=\"20\" y=\"%.1f\" font-size=\"14\" font-weight=\"bold\">", top + 20);
        put_text(f, fig->outputs[o], 100);
        fputs("</text>\n", f);
        const double y0 = top + HEAD_H, y1 = y0 + ROW_H * fig->n_params;
        /* grid and ticks every 0.2 */
        for (int t = (int)ceil(a.lo * 5 - 1e-9); t <= (int)floor(a.hi * 5 + 1e-9); ++t) {
            const double v = t / 5.0, x = ax(&a, v);
            fprintf(f,
                    "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>"
                    "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" fill=\"#555\" "
                    "text-anchor=\"middle\">%.1f</text>\n",
                    x, y0 - 4, x, y1, t == 0 ? "#888" : "#e4e4e4", x, y1 + 15, v + 0.0);
        }
        for (int r = 0; r < fig->n_params; ++r) {
            const int i = fig->order[(size_t)o * fig->n_params + r];
            const lm_sens_index *v = &fig->idx[(size_t)o * fig->n_params + i];
            const double y = y0 + (double)r * ROW_H;
            fprintf(f, "<text x=\"%d\" y=\"%.1f\" font-size=\"12\" text-anchor=\"end\">",
                    LABEL_W, y + 17);
            put_text(f, fig->params[i], 48);
            fputs("</text>\n", f);
            bar(f, &a, y + 3, v->s1, v->s1_lo, v->s1_hi, fig->intervals, color_s1, "S1");
            bar(f, &a, y + 15, v->st, v->st_lo, v->st_hi, fig->intervals, color_st, "ST");
        }
    }
    fputs("</svg>\n", f);
    const bool bad = ferror(f) != 0;
    const lm_status st = fclose(f) != 0 || bad
                             ? lm_error_set(err, LM_ENOMEM, __FILE__, __LINE__, "%s", path)
                             : lm__report_write_atomic(path, text, len, err);
    free(text);
    return st;
}
