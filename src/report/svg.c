/* src/report/svg.c -- the headline figure as SVG, for slides: firms alive per region over
 * the years, and beside it dragons per region when the database counts them (a region_year
 * column whose name says "dragon"). Made from the same data as report.html (data.c), drawn
 * here without a browser so that every run folder has it. With replications the median is
 * drawn with its 90% band; with a comparison the baseline is solid and the other arms dashed.
 * At most TOP_REGIONS regions (the largest at the end) keep the lines readable. */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/report_int.h"

#define W 1200
#define H 675
#define TOP_REGIONS 10

static const char *const palette[] = {"#c23531", "#2f6fb3", "#e08a00", "#2e8b57", "#7b4fa0",
                                      "#00838f", "#b5651d", "#d81b60", "#546e7a", "#827717"};

/* s as HTML or SVG text (report_int.h). */
void lm__report_escaped(FILE *f, const char *s)
{
    for (; s && *s; ++s)
        switch (*s) {
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '&': fputs("&amp;", f); break;
        case '"': fputs("&quot;", f); break;
        default: fputc(*s, f);
        }
}

static const cJSON *get(const cJSON *o, const char *key)
{
    return cJSON_GetObjectItemCaseSensitive(o, key);
}

/* A round step for about five ticks over [0, max]. */
static double nice_step(double max)
{
    if (!(max > 0))
        return 1;
    const double raw = max / 5, mag = pow(10, floor(log10(raw)));
    const double r = raw / mag;
    return (r <= 1 ? 1 : r <= 2 ? 2 : r <= 5 ? 5 : 10) * mag;
}

static void fmt_tick(char *buf, size_t size, double v)
{
    if (fabs(v) >= 1e6)
        snprintf(buf, size, "%gM", v / 1e6);
    else if (fabs(v) >= 1e4)
        snprintf(buf, size, "%gk", v / 1e3);
    else
        snprintf(buf, size, "%g", v);
}

typedef struct frame {
    double x0, y0, w, h;  /* plot area in pixels */
    int first_year, n_years;
    double ymax;
} frame;

static double px(const frame *fr, int y)
{
    return fr->x0 + fr->w * (fr->n_years > 1 ? (double)y / (fr->n_years - 1) : 0.5);
}

static double py(const frame *fr, double v) { return fr->y0 + fr->h * (1 - v / fr->ymax); }

static double value(const cJSON *stat, const char *col, int region, int year)
{
    const cJSON *v = cJSON_GetArrayItem(cJSON_GetArrayItem(get(stat, col), region), year);
    return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

/* One panel: axes, the lines of the chosen regions for every arm, their bands, end labels. */
#define N_COLORS ((int)(sizeof palette / sizeof palette[0]))

/* Colours of regions: by region index when there are no more regions than colours (as in
 * report.html); else in order of first drawing, so the regions drawn never share one and a
 * region keeps its colour from panel to panel. */
typedef struct colors {
    int n_total;
    int region[TOP_REGIONS * 2];
    int n;
} colors;

static const char *color_of(colors *c, int region)
{
    if (c->n_total <= N_COLORS)
        return palette[region % N_COLORS];
    for (int i = 0; i < c->n; ++i)
        if (c->region[i] == region)
            return palette[i % N_COLORS];
    if (c->n < TOP_REGIONS * 2)
        c->region[c->n++] = region;
    return palette[(c->n - 1) % N_COLORS];
}

static void panel(FILE *f, const cJSON *data, const char *col, const char *title, frame fr,
                  const int *regions, int n_regions, colors *cmap)
{
    const cJSON *arms = get(get(data, "region_year"), "arms");
    const int n_arms = cJSON_GetArraySize(arms);
    fr.ymax = 0;
    for (int a = 0; a < n_arms; ++a) {
        const cJSON *arm = cJSON_GetArrayItem(arms, a);
        const cJSON *top = get(arm, "hi") ? get(arm, "hi") : get(arm, "values");
        for (int k = 0; k < n_regions; ++k)
            for (int y = 0; y < fr.n_years; ++y) {
                const double v = value(top, col, regions[k], y);
                if (v > fr.ymax)
                    fr.ymax = v;
            }
    }
    const double step = nice_step(fr.ymax);
    fr.ymax = step * ceil(fr.ymax / step + 1e-9);
    if (!(fr.ymax > 0))
        fr.ymax = 1;

    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" class=\"panel\">", fr.x0, fr.y0 - 18);
    lm__report_escaped(f, title);
    fputs("</text>\n", f);
    for (double t = 0; t <= fr.ymax + step / 2; t += step) {
        char tick[32];
        fmt_tick(tick, sizeof tick, t);
        fprintf(f, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" class=\"grid\"/>"
                   "<text x=\"%.1f\" y=\"%.1f\" class=\"tick\" text-anchor=\"end\">%s</text>\n",
                fr.x0, fr.x0 + fr.w, py(&fr, t), py(&fr, t), fr.x0 - 8, py(&fr, t) + 4, tick);
    }
    const int ystep = fr.n_years > 12 ? 5 : fr.n_years > 6 ? 2 : 1;
    for (int y = 0; y < fr.n_years; ++y)
        if ((fr.first_year + y) % ystep == 0 || fr.n_years == 1)
            fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" class=\"tick\" text-anchor=\"middle\">%d</text>\n",
                    px(&fr, y), fr.y0 + fr.h + 20, fr.first_year + y);
    fprintf(f, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" class=\"axis\"/>\n", fr.x0,
            fr.x0 + fr.w, fr.y0 + fr.h, fr.y0 + fr.h);

    double label_y[TOP_REGIONS];
    for (int k = 0; k < n_regions; ++k) {
        /* Colours follow the region, as in report.html, so both panels agree. */
        const char *color = color_of(cmap, regions[k]);
        for (int a = 0; a < n_arms; ++a) {
            const cJSON *arm = cJSON_GetArrayItem(arms, a);
            const cJSON *lo = get(arm, "lo"), *hi = get(arm, "hi");
            if (lo && hi) { /* the 90% band: hi left to right, lo right to left */
                fprintf(f, "<polygon class=\"band\" fill=\"%s\" points=\"", color);
                for (int y = 0; y < fr.n_years; ++y)
                    if (!isnan(value(hi, col, regions[k], y)))
                        fprintf(f, "%.1f,%.1f ", px(&fr, y), py(&fr, value(hi, col, regions[k], y)));
                for (int y = fr.n_years - 1; y >= 0; --y)
                    if (!isnan(value(lo, col, regions[k], y)))
                        fprintf(f, "%.1f,%.1f ", px(&fr, y), py(&fr, value(lo, col, regions[k], y)));
                fputs("\"/>\n", f);
            }
            fprintf(f, "<polyline class=\"line\" stroke=\"%s\"%s points=\"", color,
                    a > 0 ? " stroke-dasharray=\"7 5\"" : "");
            for (int y = 0; y < fr.n_years; ++y) {
                const double v = value(get(arm, "values"), col, regions[k], y);
                if (!isnan(v))
                    fprintf(f, "%.1f,%.1f ", px(&fr, y), py(&fr, v));
            }
            fputs("\"/>\n", f);
        }
        double last = 0;
        for (int y = fr.n_years - 1; y >= 0; --y) {
            const double v = value(get(cJSON_GetArrayItem(arms, 0), "values"), col, regions[k], y);
            if (!isnan(v)) {
                last = v;
                break;
            }
        }
        label_y[k] = py(&fr, last) + 4;
    }
    /* End labels at least LABEL_GAP px apart (regions come sorted by their last value, so the
     * labels top to bottom): pushed down, then, where that passes the axis, back up from it.
     * The gap is the label's line height: 15 px labels of CJK glyphs, which fill their em box,
     * touched at 15 px when several regions end on the same count (dragons: 1, 1, 1, 0). */
    enum { LABEL_GAP = 19 };
    for (int k = 1; k < n_regions; ++k)
        if (label_y[k] < label_y[k - 1] + LABEL_GAP)
            label_y[k] = label_y[k - 1] + LABEL_GAP;
    double floor_y = fr.y0 + fr.h + 4;
    for (int k = n_regions - 1; k >= 0; --k) {
        if (label_y[k] > floor_y)
            label_y[k] = floor_y;
        floor_y = label_y[k] - LABEL_GAP;
    }
    const cJSON *names = get(data, "regions");
    for (int k = 0; k < n_regions; ++k) {
        const cJSON *name = get(cJSON_GetArrayItem(names, regions[k]), "name");
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" class=\"label\" fill=\"%s\">", fr.x0 + fr.w + 8,
                label_y[k], color_of(cmap, regions[k]));
        lm__report_escaped(f, cJSON_IsString(name) ? name->valuestring : "?");
        fputs("</text>\n", f);
    }
}

/* The regions to draw: the TOP_REGIONS largest by col at the end, largest first. */
static int pick_regions(const cJSON *data, const char *col, int n_years, int *out)
{
    const cJSON *values = get(cJSON_GetArrayItem(get(get(data, "region_year"), "arms"), 0), "values");
    const int n = cJSON_GetArraySize(get(data, "regions"));
    double last[TOP_REGIONS];
    int m = 0;
    for (int g = 0; g < n; ++g) {
        double v = -1;
        for (int y = n_years - 1; y >= 0 && v < 0; --y) {
            const double x = value(values, col, g, y);
            if (!isnan(x))
                v = x;
        }
        /* insertion into the sorted top list */
        int pos = m;
        while (pos > 0 && last[pos - 1] < v)
            --pos;
        if (pos >= TOP_REGIONS)
            continue;
        const int end = m < TOP_REGIONS ? m : TOP_REGIONS - 1;
        for (int i = end; i > pos; --i) {
            last[i] = last[i - 1];
            out[i] = out[i - 1];
        }
        last[pos] = v;
        out[pos] = g;
        if (m < TOP_REGIONS)
            ++m;
    }
    return m;
}

/* The dragons of every table: firms first certified a little dragon up to the year
 * (data.c's dragons_certified); a database without dragons_new has no such column, and then
 * whatever column counts dragons, said in the panel's title. */
static const char *dragon_column(const cJSON *data, bool *certified)
{
    const cJSON *col = NULL;
    const char *other = NULL;
    cJSON_ArrayForEach(col, get(get(data, "region_year"), "columns"))
    {
        const cJSON *name = get(col, "name");
        if (!cJSON_IsString(name) || !strstr(name->valuestring, "dragon"))
            continue;
        if (strcmp(name->valuestring, "dragons_certified") == 0) {
            *certified = true;
            return name->valuestring;
        }
        if (!other)
            other = name->valuestring;
    }
    *certified = false;
    return other;
}

char *lm__report_svg_text(const cJSON *data)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f)
        return NULL;
    const cJSON *runs = get(data, "runs");
    const cJSON *run0 = cJSON_GetArrayItem(runs, 0);
    const cJSON *scenario = get(run0, "scenario"), *seed = get(run0, "seed");
    const cJSON *years = get(data, "years");
    const int n_years = cJSON_GetArraySize(years);
    const int first_year = n_years > 0 ? cJSON_GetArrayItem(years, 0)->valueint : 0;
    bool certified = false;
    const char *dragon = dragon_column(data, &certified);

    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
               "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
               "viewBox=\"0 0 %d %d\">\n"
               "<style>\n"
               "text { font-family: 'Noto Sans CJK SC', 'Noto Sans SC', 'Source Han Sans SC', "
               "'WenQuanYi Zen Hei', 'PingFang SC', 'Microsoft YaHei', sans-serif; fill: #333; }\n"
               ".title { font-size: 26px; font-weight: bold; }\n"
               ".sub { font-size: 15px; fill: #666; }\n"
               ".panel { font-size: 18px; font-weight: bold; }\n"
               ".tick { font-size: 13px; fill: #666; }\n"
               ".label { font-size: 15px; font-weight: bold; }\n"
               ".grid { stroke: #e4e4e4; stroke-width: 1; }\n"
               ".axis { stroke: #888; stroke-width: 1; }\n"
               ".line { fill: none; stroke-width: 2.5; stroke-linejoin: round; }\n"
               ".band { opacity: 0.18; stroke: none; }\n"
               "</style>\n"
               "<rect width=\"100%%\" height=\"100%%\" fill=\"#fff\"/>\n",
            W, H, W, H);
    fputs("<text x=\"40\" y=\"48\" class=\"title\">", f);
    lm__report_escaped(f, cJSON_IsString(scenario) ? scenario->valuestring : "longmen");
    fputs(dragon ? ": firms alive and dragons per region" : ": firms alive per region", f);
    fputs("</text>\n<text x=\"40\" y=\"76\" class=\"sub\">", f);
    const int n_runs = cJSON_GetArraySize(runs);
    const char *mode = cJSON_IsString(get(data, "mode")) ? get(data, "mode")->valuestring : "single";
    if (strcmp(mode, "single") == 0 && cJSON_IsNumber(seed))
        fprintf(f, "seed %.0f, ", seed->valuedouble);
    else
        fprintf(f, "%d runs (%s; lines: median, bands: 90%% interval), ", n_runs,
                strcmp(mode, "compare") == 0 ? "baseline solid, counterfactual dashed"
                                             : "replications");
    if (n_years > 0)
        fprintf(f, "%d-%d, ", first_year, first_year + n_years - 1);
    const cJSON *gen = get(data, "generator");
    lm__report_escaped(f, cJSON_IsString(gen) ? gen->valuestring : "longmen");
    fputs("</text>\n", f);

    int regions[TOP_REGIONS];
    const int n_total = cJSON_GetArraySize(get(data, "regions"));
    colors cmap = {.n_total = n_total};
    const frame base = {.y0 = 140, .h = H - 140 - 70, .first_year = first_year, .n_years = n_years};
    if (dragon) {
        frame left = base, right = base;
        left.x0 = 90;
        left.w = W / 2.0 - 90 - 100;
        right.x0 = W / 2.0 + 70;
        right.w = W - right.x0 - 110;
        int n = pick_regions(data, "alive", n_years, regions);
        panel(f, data, "alive", "firms alive", left, regions, n, &cmap);
        n = pick_regions(data, dragon, n_years, regions);
        panel(f, data, dragon,
              certified ? "dragons: first certified up to the year" : "dragons (region_year)",
              right, regions, n, &cmap);
    } else {
        frame one = base;
        one.x0 = 100;
        one.w = W - 100 - 140;
        const int n = pick_regions(data, "alive", n_years, regions);
        panel(f, data, "alive", "firms alive at the end of each year", one, regions, n, &cmap);
    }
    if (n_total > TOP_REGIONS)
        fprintf(f, "<text x=\"40\" y=\"%d\" class=\"sub\">the %d largest of %d regions</text>\n",
                H - 16, TOP_REGIONS, n_total);
    fputs("</svg>\n", f);
    if (fclose(f) != 0) {
        free(text);
        return NULL;
    }
    return text;
}
