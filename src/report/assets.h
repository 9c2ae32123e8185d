/* src/report/assets.h -- files carried inside the library: ECharts (from npm's
 * node_modules/echarts/dist/echarts.min.js) and the pages and scripts of web/. The build
 * generates their bytes with tools/embed.c (CMakeLists.txt), so report.html is written
 * self-contained and `longmen serve` needs no files beside the binary. */
#ifndef LM_REPORT_ASSETS_H
#define LM_REPORT_ASSETS_H

#include <stddef.h>

typedef struct lm__asset {
    const char *name;          /* echarts_js, report_js, report_css, index_html, app_js */
    const unsigned char *data; /* NUL-terminated (the NUL is not counted in len) */
    size_t len;
    int present;               /* 0: the file was missing at build time (ECharts without npm ci) */
} lm__asset;

/* The table, ended by a NULL name. Generated. */
extern const lm__asset lm__assets[];

/* The asset called name, or NULL. Borrowed, static. */
const lm__asset *lm__asset_get(const char *name);

#endif
