/* src/report/html.c -- report.html: one file that opens anywhere, offline. The page holds
 * its styles (web/report.css), ECharts (npm's echarts.min.js), the report's data as JSON
 * (data.c) and the script that draws it (web/report.js, also used by the dashboard of
 * `longmen serve`), all embedded in the binary at build time (src/report/assets.h). A
 * Content-Security-Policy that allows no source at all makes "no network request" a property
 * of the page, not a promise of the script. Also the file-level entry points of
 * include/longmen/report.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "report/assets.h"
#include "report/report_int.h"

const lm__asset *lm__asset_get(const char *name)
{
    for (const lm__asset *a = lm__assets; a->name; ++a)
        if (strcmp(a->name, name) == 0)
            return a;
    return NULL;
}

int lm_report_has_charts(void)
{
    const lm__asset *a = lm__asset_get("echarts_js");
    return a && a->present && a->len > 0;
}

static void put_asset(FILE *f, const char *name)
{
    const lm__asset *a = lm__asset_get(name);
    if (a && a->len)
        fwrite(a->data, 1, a->len, f);
}

lm_status lm__report_html_text(const cJSON *data, char **out, size_t *out_len, lm_error *err)
{
    *out = NULL;
    *out_len = 0;
    char *json = lm__report_json_text(data);
    if (!json)
        LM_FAIL(err, LM_ENOMEM, "report: out of memory for the JSON text");
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f) {
        free(json);
        LM_FAIL(err, LM_ENOMEM, "report: out of memory for the page");
    }
    const cJSON *run0 = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(data, "runs"), 0);
    const cJSON *scenario = cJSON_GetObjectItemCaseSensitive(run0, "scenario");
    fputs("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
          "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
          "script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data: blob:\">\n"
          "<meta name=\"generator\" content=\"",
          f);
    const cJSON *gen = cJSON_GetObjectItemCaseSensitive(data, "generator");
    lm__report_escaped(f, cJSON_IsString(gen) ? gen->valuestring : "longmen");
    fputs("\">\n<title>longmen report: ", f);
    lm__report_escaped(f, cJSON_IsString(scenario) ? scenario->valuestring : "run");
    fputs("</title>\n<style>\n", f);
    put_asset(f, "report_css");
    fputs("</style>\n</head>\n<body>\n<div id=\"lm-report\" class=\"lm-report\">"
          "<noscript>This report needs JavaScript to draw its charts.</noscript></div>\n",
          f);
    if (lm_report_has_charts()) {
        fputs("<script>\n", f);
        put_asset(f, "echarts_js");
        fputs("\n</script>\n", f);
    }
    fputs("<script id=\"lm-report-data\" type=\"application/json\">", f);
    fputs(json, f);
    fputs("</script>\n<script>\n", f);
    put_asset(f, "report_js");
    fputs("\n</script>\n<script>\nLM.renderReport(document.getElementById('lm-report'), "
          "JSON.parse(document.getElementById('lm-report-data').textContent), "
          "{standalone: true});\n</script>\n</body>\n</html>\n",
          f);
    free(json);
    if (fclose(f) != 0) {
        free(text);
        LM_FAIL(err, LM_ENOMEM, "report: out of memory for the page");
    }
    *out = text;
    *out_len = len;
    return LM_OK;
}

lm_status lm__report_write_atomic(const char *path, const char *text, size_t len, lm_error *err)
{
    static unsigned counter;
    char tmp[4200];
    if (snprintf(tmp, sizeof tmp, "%s.tmp-%ld-%u", path, (long)getpid(),
                 __atomic_fetch_add(&counter, 1, __ATOMIC_RELAXED)) >= (int)sizeof tmp)
        LM_FAIL(err, LM_EINVAL, "%s: path too long", path);
    const int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0)
        LM_FAIL(err, LM_EIO, "%s: cannot create: %s", path, strerror(errno)); /* tmp is ours */
    size_t done = 0;
    while (done < len) {
        const ssize_t w = write(fd, text + done, len - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            const int e = errno;
            close(fd);
            unlink(tmp);
            LM_FAIL(err, LM_EIO, "%s: cannot write: %s", path, strerror(e));
        }
        done += (size_t)w;
    }
    if (fsync(fd) != 0 || close(fd) != 0) {
        const int e = errno;
        unlink(tmp);
        LM_FAIL(err, LM_EIO, "%s: cannot write: %s", path, strerror(e));
    }
    if (rename(tmp, path) != 0) {
        const int e = errno;
        unlink(tmp);
        LM_FAIL(err, LM_EIO, "%s: cannot rename into place: %s", path, strerror(e));
    }
    return LM_OK;
}

static lm_status write_html(const cJSON *data, const char *html_path, lm_error *err)
{
    char *text = NULL;
    size_t len = 0;
    lm_status st = lm__report_html_text(data, &text, &len, err);
    if (st == LM_OK)
        st = lm__report_write_atomic(html_path, text, len, err);
    free(text);
    return st;
}

static lm_status write_svg(const cJSON *data, const char *svg_path, lm_error *err)
{
    char *text = lm__report_svg_text(data);
    if (!text)
        LM_FAIL(err, LM_ENOMEM, "report: out of memory for the figure");
    const lm_status st = lm__report_write_atomic(svg_path, text, strlen(text), err);
    free(text);
    return st;
}

lm_status lm_report_write_html(const char *db_path, const char *html_path, lm_error *err)
{
    if (!html_path)
        LM_FAIL(err, LM_EINVAL, "lm_report_write_html: no output path");
    cJSON *data = NULL;
    lm_status st = lm__report_build(db_path, &data, err);
    if (st == LM_OK)
        st = write_html(data, html_path, err);
    cJSON_Delete(data);
    return st;
}

lm_status lm_report_write_svg(const char *db_path, const char *svg_path, lm_error *err)
{
    if (!svg_path)
        LM_FAIL(err, LM_EINVAL, "lm_report_write_svg: no output path");
    cJSON *data = NULL;
    lm_status st = lm__report_build(db_path, &data, err);
    if (st == LM_OK)
        st = write_svg(data, svg_path, err);
    cJSON_Delete(data);
    return st;
}

lm_status lm_report_write_dir(const char *dir, lm_error *err)
{
    lm_error_clear(err);
    if (!dir || !*dir)
        LM_FAIL(err, LM_EINVAL, "report: no results folder given");
    char db[4200], html[4200], svg[4200];
    if (snprintf(db, sizeof db, "%s/results.sqlite", dir) >= (int)sizeof db)
        LM_FAIL(err, LM_EINVAL, "%s: path too long", dir);
    snprintf(html, sizeof html, "%s/report.html", dir);
    snprintf(svg, sizeof svg, "%s/headline.svg", dir);
    struct stat sb;
    if (stat(dir, &sb) != 0)
        return lm_error_set_at(err, LM_EIO, dir, 0, 0, "", "%s: %s", dir, strerror(errno));
    if (!S_ISDIR(sb.st_mode))
        return lm_error_set_at(err, LM_EIO, dir, 0, 0, "", "%s: not a folder", dir);
    if (stat(db, &sb) != 0)
        return lm_error_set_at(err, LM_EIO, dir, 0, 0, "",
                               "%s: no results.sqlite in this folder; is it a results folder?", dir);
    if (lm__report_is_optimise(db))
        return lm__optimise_report_write(dir, err);
    cJSON *data = NULL;
    lm_status st = lm__report_build(db, &data, err);
    if (st == LM_OK)
        st = write_html(data, html, err);
    if (st == LM_OK)
        st = write_svg(data, svg, err);
    cJSON_Delete(data);
    return st;
}
